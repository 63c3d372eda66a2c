//! Credential detectors over raw file bytes (any encoding, binary included), in one pass:
//! every detector's pattern is one alternative of a single regex, so the regex engine's
//! literal prefilter (the token prefixes, `BEGIN`, `://`, the assignment keywords) skips
//! the bytes that cannot start a credential. Each match is then validated (shape,
//! entropy, placeholders), so documentation and templates stay quiet.

use std::ops::Range;
use std::sync::LazyLock;

use base64::Engine as _;
use regex::bytes::Regex;

use crate::generic::{self, Family};

/// What a match is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PrivateKey,
    AwsAccessKeyId,
    AwsSecretAccessKey,
    GithubToken,
    GitlabToken,
    SlackToken,
    SlackWebhook,
    StripeKey,
    GoogleApiKey,
    NpmToken,
    PypiToken,
    AzureStorageKey,
    TwilioApiKey,
    SendgridApiKey,
    Jwt,
    KubeconfigCredential,
    DockerConfigAuth,
    BasicAuthUrl,
    GenericSecret,
}

/// One detected credential.
#[derive(Debug, PartialEq, Eq)]
pub struct Match {
    pub kind: Kind,
    /// Where the finding is reported (the start of the secret).
    pub start: usize,
    /// The bytes that are the secret, hashed for identity and redacted evidence.
    pub secret: Range<usize>,
    /// A non-secret description for evidence and messages.
    pub label: &'static str,
}

/// One detector: its kind, label and pattern. The pattern's group `s` (if any) is the
/// secret; otherwise the whole match is.
///
/// Patterns are byte patterns (`(?-u)`): a secret's bytes are bytes, so a class such as
/// `[^\s:/@]` matches any byte but ASCII whitespace and the listed ones. Unicode classes
/// would compile into large UTF-8 automata on every run (copied once per repetition: most
/// of the cost of a run on a few small files). `{ws}` stands for [`SPACES`], a run of
/// Unicode whitespace, so that a key and its value may be apart as before.
struct Detector {
    kind: Kind,
    label: &'static str,
    pattern: &'static str,
}

const DETECTORS: &[Detector] = &[
    Detector {
        kind: Kind::PrivateKey,
        label: "private key",
        pattern: r"-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----",
    },
    Detector {
        kind: Kind::AwsAccessKeyId,
        label: "AWS access key id",
        pattern: r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?-u:\b)",
    },
    Detector {
        kind: Kind::AwsSecretAccessKey,
        label: "AWS secret access key",
        pattern: r#"(?i-u:aws_?secret_?access_?key|secret_?access_?key)["']?{ws}[:=]{ws}["']?(?P<s>[A-Za-z0-9/+]{40})(?-u:\b)"#,
    },
    Detector {
        kind: Kind::GithubToken,
        label: "GitHub token",
        pattern: r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?-u:\b)",
    },
    Detector {
        kind: Kind::GitlabToken,
        label: "GitLab token",
        pattern: r"(?-u:\b)glpat-[A-Za-z0-9_-]{20}(?-u:\b)",
    },
    Detector {
        kind: Kind::SlackWebhook,
        label: "Slack webhook URL",
        pattern: r"https://hooks\.slack\.com/services/(?P<s>T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{24})",
    },
    Detector {
        kind: Kind::SlackToken,
        label: "Slack token",
        pattern: r"(?-u:\b)xox[abprs]-[0-9]{6,}-[A-Za-z0-9-]{10,}",
    },
    Detector {
        kind: Kind::StripeKey,
        label: "Stripe live key",
        pattern: r"(?-u:\b)[rs]k_live_[A-Za-z0-9]{24,99}(?-u:\b)",
    },
    Detector {
        kind: Kind::GoogleApiKey,
        label: "Google API key",
        pattern: r"(?-u:\b)AIza[0-9A-Za-z_-]{35}(?-u:\b)",
    },
    Detector {
        kind: Kind::NpmToken,
        label: "npm token",
        pattern: r"(?-u:\b)npm_[A-Za-z0-9]{36}(?-u:\b)",
    },
    Detector {
        kind: Kind::PypiToken,
        label: "PyPI token",
        pattern: r"(?-u:\b)pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
    },
    Detector {
        kind: Kind::AzureStorageKey,
        label: "Azure storage account key",
        pattern: r"AccountKey=(?P<s>[A-Za-z0-9+/]{86}==)",
    },
    Detector {
        kind: Kind::TwilioApiKey,
        label: "Twilio API key",
        pattern: r"(?-u:\b)SK[0-9a-f]{32}(?-u:\b)",
    },
    Detector {
        kind: Kind::SendgridApiKey,
        label: "SendGrid API key",
        pattern: r"(?-u:\b)SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?-u:\b)",
    },
    Detector {
        kind: Kind::Jwt,
        label: "JSON Web Token",
        pattern: r"(?-u:\b)eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}",
    },
    Detector {
        kind: Kind::KubeconfigCredential,
        label: "kubeconfig client key",
        pattern: r#"client-key-data["']?{ws}:{ws}["']?(?P<s>[A-Za-z0-9+/=]{40,})"#,
    },
    Detector {
        kind: Kind::DockerConfigAuth,
        label: "Docker registry credential",
        pattern: r#""auth"{ws}:{ws}"(?P<s>[A-Za-z0-9+/]{8,}={0,2})""#,
    },
    Detector {
        kind: Kind::BasicAuthUrl,
        label: "password in a URL",
        pattern: r#"(?-u:\b)[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[A-Za-z0-9_%][^\s:/@"'<>]{0,63}:(?P<s>[^\s/@"'<>]{3,128})@[A-Za-z0-9.-]+"#,
    },
    Detector {
        kind: Kind::GenericSecret,
        label: "hard-coded secret",
        // The credential word that ends a key (its start is judged by
        // `generic::ends_key`), then an assignment on the same line; group `s` marks
        // where the value starts, `c` a bare colon.
        pattern: r#"(?i-u:password|passwd|pwd|secret|token|api[_-]?key|secret[_-]?key|access[_-]?key|private[_-]?key)["']?[ \t]*(?:=>|:=|(?P<c>:)|=)[ \t]*(?P<s>)"#,
    },
];

/// A run of Unicode whitespace (`\s*` of a Unicode regex) in UTF-8, for byte patterns:
/// ASCII whitespace, U+0085, U+00A0, U+1680, U+2000 to U+200A, U+2028, U+2029, U+202F,
/// U+205F and U+3000.
const SPACES: &str = r"(?:[\t-\r ]|\xC2[\x85\xA0]|\xE1\x9A\x80|\xE2\x80[\x80-\x8A\xA8\xA9\xAF]|\xE2\x81\x9F|\xE3\x80\x80)*";

/// All detectors as one byte regex, and where each detector's groups are in it.
struct Combined {
    regex: Regex,
    groups: Vec<Groups>,
}

/// The capture group indexes of one detector in [`COMBINED`]: its whole match, its
/// secret (or where its value starts) and a colon operator, when its pattern has them.
struct Groups {
    whole: usize,
    secret: Option<usize>,
    colon: Option<usize>,
}

/// All detectors as one regex: alternative `d{i}` is detector `i`, `s{i}` its secret (or
/// where its value starts), `c{i}` a colon operator.
static COMBINED: LazyLock<Combined> = LazyLock::new(|| {
    let alternatives: Vec<String> = DETECTORS
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let pattern = d
                .pattern
                .replace("{ws}", SPACES)
                .replace("(?P<s>", &format!("(?P<s{i}>"))
                .replace("(?P<c>", &format!("(?P<c{i}>"));
            format!("(?P<d{i}>{pattern})")
        })
        .collect();
    let regex =
        Regex::new(&format!("(?-u){}", alternatives.join("|"))).expect("valid detector patterns");
    let index = |name: String| regex.capture_names().position(|n| n == Some(&name));
    let groups = (0..DETECTORS.len())
        .map(|i| Groups {
            whole: index(format!("d{i}")).expect("every detector has its group"),
            secret: index(format!("s{i}")),
            colon: index(format!("c{i}")),
        })
        .collect();
    Combined { regex, groups }
});

/// A key body shorter than this (in base64 characters) is a placeholder such as `...`.
const MIN_KEY_BODY: usize = 64;
/// How far past the header a key body is read when no END line is found.
const MAX_KEY_BODY: usize = 16 * 1024;
/// Generic assignments need this much Shannon entropy per character,
const MIN_ENTROPY: f64 = 2.5;
/// and this much in all (bits): `abcdefgh` is a placeholder, `Tr0ub4dor&3` is not,
const MIN_BITS: f64 = 36.0;
/// and, when they use one kind of character only, this much.
const MIN_BITS_ONE_CLASS: f64 = 60.0;
/// Generic values outside these lengths are not judged.
const GENERIC_LENGTH: std::ops::RangeInclusive<usize> = 8..=200;

/// Every credential in `contents` (a file of language `family`), in order of position.
/// A generic match whose value another detector names is left to that detector.
pub fn scan(contents: &[u8], family: Family) -> Vec<Match> {
    let mut found = Vec::new();
    // Found once per file, and only when a generic candidate needs them.
    let mut judged_elsewhere: Option<Vec<Range<usize>>> = None;
    let mut external_secrets: Option<bool> = None;
    let combined = &*COMBINED;
    for caps in combined.regex.captures_iter(contents) {
        let Some((index, whole)) = (combined.groups.iter().enumerate())
            .find_map(|(i, groups)| caps.get(groups.whole).map(|m| (i, m)))
        else {
            continue;
        };
        let detector = &DETECTORS[index];
        let groups = &combined.groups[index];
        let secret = groups
            .secret
            .and_then(|s| caps.get(s))
            .map_or(whole.range(), |m| m.range());
        let found_match = match detector.kind {
            Kind::PrivateKey => private_key(contents, whole.range()),
            Kind::GenericSecret => {
                let colon = groups.colon.and_then(|c| caps.get(c)).is_some();
                let elsewhere =
                    judged_elsewhere.get_or_insert_with(|| judged_elsewhere_in(contents));
                // An External Secrets object's secretKey names a key of a Secret.
                let mut names_a_key = || {
                    generic::is_secret_key(contents, whole.start())
                        && *external_secrets
                            .get_or_insert_with(|| generic::declares_external_secrets(contents))
                };
                generic(contents, whole.start(), secret.start, colon, family)
                    .filter(|_| !elsewhere.iter().any(|r| r.contains(&whole.start())))
                    .filter(|_| !names_a_key())
                    .map(|secret| Match {
                        kind: Kind::GenericSecret,
                        start: secret.start,
                        secret,
                        label: detector.label,
                    })
            }
            kind if accept(kind, &contents[secret.clone()], contents) => Some(Match {
                kind,
                start: secret.start,
                secret,
                label: detector.label,
            }),
            _ => None,
        };
        found.extend(found_match);
    }
    drop_generic_overlaps(&mut found);
    found
}

/// The generic detector's secret: the key must end in its credential word, the value be
/// a literal on the same line that looks chosen or generated.
fn generic(
    contents: &[u8],
    word_start: usize,
    value_start: usize,
    colon: bool,
    family: Family,
) -> Option<Range<usize>> {
    let word_len = contents[word_start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count();
    if !generic::ends_key(contents, word_start..word_start + word_len)
        || generic::names_existing(contents, word_start)
    {
        return None;
    }
    let secret = generic::literal(contents, value_start, colon, family)?;
    let value = &contents[secret.clone()];
    (GENERIC_LENGTH.contains(&value.len())
        && !generic::is_not_secret_shaped(value)
        && accept(Kind::GenericSecret, value, contents))
    .then_some(secret)
}

/// Sorts by position and drops generic matches whose secret overlaps another detector's
/// (`GITHUB_TOKEN=ghp_...` is a GitHub token, not also a generic secret).
fn drop_generic_overlaps(found: &mut Vec<Match>) {
    found.sort_by_key(|m| m.start);
    let specific: Vec<Range<usize>> = found
        .iter()
        .filter(|m| m.kind != Kind::GenericSecret)
        .map(|m| m.start.min(m.secret.start)..m.secret.end.max(m.start + 1))
        .collect();
    found.retain(|m| {
        m.kind != Kind::GenericSecret
            || !specific
                .iter()
                .any(|r| r.start < m.secret.end && m.secret.start < r.end)
    });
}

/// Where the generic detector does not look, in YAML documents (between `---` lines):
/// Kubernetes Secrets and SealedSecrets, judged whole by `plaintext-secret` (and sealed
/// values are ciphertext), and the top-level `data` entries of ConfigMaps, judged by
/// `env-literal-secret`.
fn judged_elsewhere_in(contents: &[u8]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    while start <= contents.len() {
        let end = find_first(&contents[start..], b"\n---").map_or(contents.len(), |i| start + i);
        let document = &contents[start..end];
        let has_kind = |kind: &[u8]| {
            document
                .split(|&b| b == b'\n')
                .any(|line| line.trim_ascii() == [b"kind: ", kind].concat())
        };
        if has_kind(b"Secret") || has_kind(b"SealedSecret") {
            ranges.push(start..end);
        } else if has_kind(b"ConfigMap") {
            ranges.extend(
                data_entry_lines(document)
                    .into_iter()
                    .map(|r| start + r.start..start + r.end),
            );
        }
        start = end + 4;
    }
    ranges
}

/// The lines of a YAML document's top-level `data:` entries (not the lines of block
/// scalars inside them).
fn data_entry_lines(document: &[u8]) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut offset = 0;
    let mut in_data = false;
    let mut entry_indent = None;
    for line in document.split(|&b| b == b'\n') {
        let range = offset..offset + line.len() + 1;
        offset = range.end;
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        if line.trim_ascii().is_empty() || line.trim_ascii_start().starts_with(b"#") {
            continue;
        }
        if indent == 0 {
            in_data = line.trim_ascii_end() == b"data:";
            continue;
        }
        if in_data && *entry_indent.get_or_insert(indent) == indent {
            lines.push(range);
        }
    }
    lines
}

fn find_first(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A private key header counts when a key body follows: lines of base64 (after optional
/// `Name: value` header fields), up to the END line, of at least [`MIN_KEY_BODY`]
/// characters. Prose after a header, as in documentation, is no key.
fn private_key(contents: &[u8], header: Range<usize>) -> Option<Match> {
    let body = key_body(contents, header.end);
    let mut base64 = 0;
    let mut fields_allowed = true;
    for (i, line) in body_lines(&contents[body.clone()]).enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let is_base64 = line
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        if is_base64 {
            base64 += line.len();
            fields_allowed = false;
        } else if fields_allowed && i > 0 && contains(line, b": ") {
            continue;
        } else {
            break;
        }
    }
    (base64 >= MIN_KEY_BODY).then(|| Match {
        kind: Kind::PrivateKey,
        start: header.start,
        secret: body,
        label: key_label(&contents[header]),
    })
}

/// Lines of a key body: split at newlines and at the two characters `\n` of keys kept in
/// JSON or YAML strings; quotes around them are dropped.
fn body_lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = body;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let newline = rest.iter().position(|&b| b == b'\n');
        let escaped = find_first(rest, b"\\n");
        let (end, skip) = match (newline, escaped) {
            (Some(n), Some(e)) if e < n => (e, 2),
            (Some(n), _) => (n, 1),
            (None, Some(e)) => (e, 2),
            (None, None) => (rest.len(), 0),
        };
        let line = rest[..end].trim_ascii();
        rest = &rest[end + skip..];
        Some(line.strip_prefix(b"\"").unwrap_or(line))
    })
}

/// Whether a candidate secret of `kind` is real rather than an example or a reference.
fn accept(kind: Kind, secret: &[u8], contents: &[u8]) -> bool {
    if is_placeholder(secret) {
        return false;
    }
    match kind {
        Kind::Jwt => jwt_header_has_alg(secret),
        Kind::DockerConfigAuth => {
            contains(contents, b"\"auths\"") && decodes_to_credentials(secret)
        }
        Kind::BasicAuthUrl => !is_reference(secret) && is_url_password(secret),
        Kind::GenericSecret => {
            !is_reference(secret)
                && !is_uuid(secret)
                && !is_hex_digest(secret)
                && !is_prose_in_base64(secret)
                && random_enough(secret)
        }
        _ => true,
    }
}

/// Words that mark documentation values and templates, not secrets.
const PLACEHOLDERS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "dummy",
    "sample",
    "xxxxxx",
    "******",
    "redacted",
    "your_",
    "your-",
    "yourpassword",
    "password",
    "secret",
    "insert",
    "replace",
    "todo",
    "notreal",
    "not-a-real",
    "<",
    "...",
];

fn is_placeholder(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|p| contains(&lower, p.as_bytes()))
        || secret.iter().all(|&b| b == secret[0])
}

/// A reference to a secret kept elsewhere, or an encrypted one: `${VAR}`, `$VAR`,
/// `{{ .Values.x }}`, `$(cat file)`, `%(name)s`, `env:NAME`, `vault:path`, SOPS `ENC[...]`.
fn is_reference(secret: &[u8]) -> bool {
    secret.starts_with(b"ENC[")
        || secret.starts_with(b"$")
        || secret.starts_with(b"%")
        || contains(secret, b"{{")
        || contains(secret, b"${")
        || secret.starts_with(b"env:")
        || secret.starts_with(b"vault:")
        || secret.starts_with(b"ref+")
}

/// The shortest password in a URL taken for a credential: shorter ones (`pass`, `bar`,
/// `secre1`) are the examples of URL parsers' tests and documentation.
const MIN_URL_PASSWORD: usize = 8;

/// Whether a URL's password is one a URL can carry: long enough, of the characters
/// allowed in its user information, and percent-escapes of printable characters only
/// (`foo(b]c`, `{}` templates and escaped control characters are parser test data).
fn is_url_password(secret: &[u8]) -> bool {
    let allowed = |b: &u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(b);
    let escapes_printable = secret.split(|&b| b == b'%').skip(1).all(|escaped| {
        escaped.get(..2).is_some_and(|hex| {
            std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .is_some_and(|b| b.is_ascii_graphic() || b >= 0x80)
        })
    });
    secret.len() >= MIN_URL_PASSWORD && secret.iter().all(allowed) && escapes_printable
}

fn is_uuid(secret: &[u8]) -> bool {
    secret.len() == 36
        && secret.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// MD5, SHA-1, SHA-256 and SHA-512 digests in hex: checksums, not secrets.
fn is_hex_digest(secret: &[u8]) -> bool {
    matches!(secret.len(), 32 | 40 | 64 | 128) && secret.iter().all(u8::is_ascii_hexdigit)
}

/// Base64 of ordinary text (words and spaces), like a config value encoded for YAML.
fn is_prose_in_base64(secret: &[u8]) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(secret)
        .is_ok_and(|text| {
            text.contains(&b' ') && text.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
        })
}

/// Whether a value looks generated or chosen rather than a word or a pattern.
fn random_enough(secret: &[u8]) -> bool {
    let per_char = entropy(secret);
    let bits = per_char * secret.len() as f64;
    let classes = [
        secret.iter().any(u8::is_ascii_lowercase),
        secret.iter().any(u8::is_ascii_uppercase),
        secret.iter().any(u8::is_ascii_digit),
        secret.iter().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&present| present)
    .count();
    per_char >= MIN_ENTROPY && bits >= MIN_BITS && (classes >= 2 || bits >= MIN_BITS_ONE_CLASS)
}

/// Shannon entropy in bits per byte.
fn entropy(bytes: &[u8]) -> f64 {
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// A JWT whose header decodes to JSON naming an algorithm.
fn jwt_header_has_alg(token: &[u8]) -> bool {
    let header = token.split(|&b| b == b'.').next().unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .is_ok_and(|json| contains(&json, b"\"alg\""))
}

/// Docker's `auth` is base64 of `user:password`.
fn decodes_to_credentials(auth: &[u8]) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(auth)
        .is_ok_and(|pair| {
            pair.iter()
                .position(|&b| b == b':')
                .is_some_and(|colon| colon > 0 && colon + 1 < pair.len())
        })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find_first(haystack, needle).is_some()
}

/// The key body after a header: up to the next `-----END`, or a bounded stretch.
fn key_body(contents: &[u8], from: usize) -> Range<usize> {
    let limit = contents.len().min(from + MAX_KEY_BODY);
    let end = contents[from..limit]
        .windows(8)
        .position(|w| w == b"-----END")
        .map_or(limit, |i| from + i);
    from..end
}

fn key_label(header: &[u8]) -> &'static str {
    let has = |word: &[u8]| contains(header, word);
    if has(b"OPENSSH") {
        "OpenSSH private key"
    } else if has(b"RSA") {
        "RSA private key"
    } else if has(b"DSA") {
        "DSA private key"
    } else if has(b"EC PRIVATE") {
        "EC private key"
    } else if has(b"ENCRYPTED") {
        "encrypted PKCS#8 private key"
    } else if has(b"PGP") {
        "PGP private key"
    } else {
        "PKCS#8 private key"
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Fake but well-formed credentials, built at test time so that no real-looking
    /// secret is committed. `seed` varies the filler.
    pub fn fake(kind: Kind, seed: u8) -> String {
        let filler = |n: usize, alphabet: &[u8]| -> String {
            (0..n)
                .map(|i| alphabet[(i * 7 + seed as usize * 13 + i / 3) % alphabet.len()] as char)
                .collect()
        };
        const ALNUM: &[u8] = b"AbCdEfGhJkMnPqRsTuVwXyZ23456789aBcDeFgHjKmNpQrStUvWxYz";
        const HEX: &[u8] = b"0123456789abcdef";
        const B32: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ234567";
        match kind {
            Kind::AwsAccessKeyId => format!("AKIA{}", filler(16, B32)),
            Kind::AwsSecretAccessKey => filler(40, ALNUM),
            Kind::GithubToken => format!("ghp_{}", filler(36, ALNUM)),
            Kind::GitlabToken => format!("glpat-{}", filler(20, ALNUM)),
            Kind::SlackToken => format!("xoxb-{}-{}", "1234567890", filler(24, ALNUM)),
            Kind::SlackWebhook => format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                filler(8, B32),
                filler(8, B32),
                filler(24, ALNUM)
            ),
            Kind::StripeKey => format!("sk_live_{}", filler(24, ALNUM)),
            Kind::GoogleApiKey => format!("AIza{}", filler(35, ALNUM)),
            Kind::NpmToken => format!("npm_{}", filler(36, ALNUM)),
            Kind::PypiToken => format!("pypi-AgEIcHlwaS5vcmc{}", filler(60, ALNUM)),
            Kind::AzureStorageKey => format!("{}==", filler(86, ALNUM)),
            Kind::TwilioApiKey => format!("SK{}", filler(32, HEX)),
            Kind::SendgridApiKey => format!("SG.{}.{}", filler(22, ALNUM), filler(43, ALNUM)),
            Kind::Jwt => {
                let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
                format!(
                    "{}.{}.{}",
                    b64(r#"{"alg":"HS256","typ":"JWT"}"#),
                    b64(&format!(
                        r#"{{"sub":"{}","iat":1516239022}}"#,
                        filler(8, ALNUM)
                    )),
                    filler(43, ALNUM)
                )
            }
            Kind::KubeconfigCredential => filler(64, ALNUM),
            Kind::DockerConfigAuth => base64::engine::general_purpose::STANDARD
                .encode(format!("robot:{}", filler(20, ALNUM))),
            Kind::BasicAuthUrl => filler(16, ALNUM),
            Kind::GenericSecret => filler(24, ALNUM),
            Kind::PrivateKey => filler(120, ALNUM),
        }
    }

    fn kinds(text: &str) -> Vec<Kind> {
        scan(text.as_bytes(), Family::Config)
            .iter()
            .map(|m| m.kind)
            .collect()
    }

    #[test]
    fn every_provider_shape_is_found_where_it_is() {
        for kind in [
            Kind::AwsAccessKeyId,
            Kind::GithubToken,
            Kind::GitlabToken,
            Kind::SlackToken,
            Kind::SlackWebhook,
            Kind::StripeKey,
            Kind::GoogleApiKey,
            Kind::NpmToken,
            Kind::PypiToken,
            Kind::TwilioApiKey,
            Kind::SendgridApiKey,
            Kind::Jwt,
        ] {
            let token = fake(kind, 1);
            let text = format!("first line\nvalue = {token} # trailing\n");
            let found = scan(text.as_bytes(), Family::Config);
            assert_eq!(
                found.iter().map(|m| m.kind).collect::<Vec<_>>(),
                [kind],
                "{kind:?}"
            );
            let secret = &text.as_bytes()[found[0].secret.clone()];
            assert!(contains(secret, token.as_bytes()) || contains(token.as_bytes(), secret));
        }
    }

    #[test]
    fn context_detectors() {
        let aws = format!(
            "aws_secret_access_key = {}\n",
            fake(Kind::AwsSecretAccessKey, 2)
        );
        assert_eq!(kinds(&aws), [Kind::AwsSecretAccessKey]);
        let azure = format!(
            "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey={};EndpointSuffix=core.windows.net",
            fake(Kind::AzureStorageKey, 3)
        );
        assert_eq!(kinds(&azure), [Kind::AzureStorageKey]);
        let kubeconfig = format!(
            "users:\n- name: ci\n  user:\n    client-key-data: {}\n",
            fake(Kind::KubeconfigCredential, 4)
        );
        assert_eq!(kinds(&kubeconfig), [Kind::KubeconfigCredential]);
        let docker = format!(
            r#"{{"auths": {{"registry.example.com": {{"auth": "{}"}}}}}}"#,
            fake(Kind::DockerConfigAuth, 5)
        );
        assert_eq!(kinds(&docker), [Kind::DockerConfigAuth]);
        let url = format!(
            "DATABASE_URL=postgres://app:{}@db.internal:5432/shop",
            fake(Kind::BasicAuthUrl, 6)
        );
        assert_eq!(kinds(&url), [Kind::BasicAuthUrl]);
        let generic = format!(
            "db_password: {}\napi_key = \"{}\"\n",
            "x",
            fake(Kind::GenericSecret, 7)
        );
        assert_eq!(kinds(&generic), [Kind::GenericSecret]);
    }

    #[test]
    fn placeholders_references_and_digests_stay_quiet() {
        let quiet = [
            "password = changeme123",
            "password: ${DB_PASSWORD}",
            "token: {{ .Values.token }}",
            "api_key = <your-api-key-here>",
            "secret = $(cat /run/secrets/api)",
            "token = 123e4567-e89b-12d3-a456-426614174000",
            "secret: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "password: aGVsbG8gd29ybGQgdGhpcyBpcyBmaW5l",
            "password = aaaaaaaaaaaaaaaa",
            "password: ENC[AES256_GCM,data:3q2+7w==,iv:AAAAAAAAAAAAAAAAAAAAAA==,type:str]",
            "kind: SealedSecret\nspec:\n  encryptedData:\n    token: AgBy3i4OJSWK+PiTySYZZA==",
            "token: abcdefgh",
            "AKIAIOSFODNN7EXAMPLE",
            "postgres://user:${PASSWORD}@db:5432/app",
            "https://user:password@example.com",
            r#""integrity": "sha512-2HlKHR8N0b+MZk5MjVyJ2yEXkqU7kR8/5CqbVBeAu0N4xR5yWxA4Oa8kIpZZJ3Fl0kQ2gIgTTZCWD1OdcGJXg==""#,
            r#"{"auths": {"r.io": {"auth": ""}}}"#,
            "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
            "A key starts with `-----BEGIN RSA PRIVATE KEY-----` followed by base64; never commit one, as the documentation of every tool that handles keys explains at length and in detail.",
            "eyJhbGciOiJub25lIn0.notatokenatall.justtext",
            r#"a.struct[title="struct syn::token::Abstract"],"#,
            "if token == Zq8kd2Lw9x",
            "ftp://user1:secre1@example.com/",
            "http://user:pass@foo:21/bar;par?b#c",
            "http://&a:foo(b]c@d:2/",
            "http://&a:foo(b%5Dc@d:2/",
            r#""https://user:pass[\u007F@foo/bar""#,
            "https://user:pass%5B%7F@foo/bar",
            "http://`{}:`{}@h/`{}?`{}",
        ];
        for text in quiet {
            assert_eq!(kinds(text), [], "{text}");
        }
    }

    #[test]
    fn generic_keys_end_in_a_credential_word_and_values_stay_on_their_line() {
        let value = fake(Kind::GenericSecret, 11);
        let found = |key: &str, family: Family| {
            let text = format!("{key}: {value}\n");
            scan(text.as_bytes(), family).len()
        };
        for key in [
            "db_password",
            "dbPassword",
            // Only a Secret is named by an existing-something key.
            "existingPassword",
            "existing-api-key",
            "PGPASSWORD",
            "client-secret",
            "apiKey",
        ] {
            assert_eq!(found(key, Family::Config), 1, "{key}");
        }
        for key in [
            "passwordPolicy",
            "tokenUrl",
            "secretName",
            "secretRef",
            "subtoken",
            // Helm charts name a Secret that already exists.
            "existingSecret",
            "EXISTING_SECRET",
            "auth.existing-secret",
        ] {
            assert_eq!(found(key, Family::Config), 0, "{key}");
        }
        assert_eq!(found("paren_token", Family::Code), 0, "bare words in code");
        let next_line = format!("password:\n  {value}\ntoken:\n  description: {value}\n");
        assert_eq!(kinds(&next_line), []);
    }

    #[test]
    fn an_external_secrets_secret_key_names_a_key_of_the_secret_it_writes() {
        let value = fake(Kind::GenericSecret, 12);
        let object = |kind: &str| {
            format!(
                "apiVersion: external-secrets.io/v1\nkind: {kind}\nspec:\n  data:\n  - secretKey: {value}\n"
            )
        };
        for kind in ["ExternalSecret", "ClusterExternalSecret", "PushSecret"] {
            assert_eq!(kinds(&object(kind)), [], "{kind}");
        }
        // Elsewhere (a MinIO chart's values) a secretKey holds the secret itself.
        assert_eq!(kinds(&object("Tenant")), [Kind::GenericSecret]);
        assert_eq!(
            kinds(&format!("secretKey: {value}\n")),
            [Kind::GenericSecret]
        );
    }

    #[test]
    fn private_keys_with_bodies() {
        let key = |label: &str| {
            format!(
                "-----BEGIN {label}-----\nMIIE{}\n-----END {label}-----\n",
                fake(Kind::PrivateKey, 8)
            )
        };
        let text = key("OPENSSH PRIVATE KEY") + &key("PRIVATE KEY");
        let labels: Vec<_> = scan(text.as_bytes(), Family::Config)
            .iter()
            .map(|m| m.label)
            .collect();
        assert_eq!(labels, ["OpenSSH private key", "PKCS#8 private key"]);
        let in_json = format!(
            r#"{{"key": "-----BEGIN EC PRIVATE KEY-----\nMHcC{}\n-----END EC PRIVATE KEY-----\n"}}"#,
            fake(Kind::PrivateKey, 9)
        );
        let legacy = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,AB12\n\n{}\n-----END RSA PRIVATE KEY-----\n",
            fake(Kind::PrivateKey, 10)
        );
        assert_eq!(kinds(&in_json), [Kind::PrivateKey]);
        assert_eq!(kinds(&legacy), [Kind::PrivateKey]);
    }

    /// `(kind, secret)` of each match in `bytes`.
    fn secrets(bytes: &[u8]) -> Vec<(Kind, Vec<u8>)> {
        scan(bytes, Family::Config)
            .into_iter()
            .map(|m| (m.kind, bytes[m.secret].to_vec()))
            .collect()
    }

    #[test]
    fn unicode_whitespace_still_parts_a_key_from_its_value() {
        let value = fake(Kind::KubeconfigCredential, 12);
        for space in ["\u{a0}", "\u{2003}", "\u{3000}", " \t\u{85}"] {
            let text = format!("client-key-data:{space}{value}\n");
            assert_eq!(
                secrets(text.as_bytes()),
                [(Kind::KubeconfigCredential, value.clone().into_bytes())],
                "{space:?}"
            );
        }
    }

    #[test]
    fn url_user_names_are_bytes_and_passwords_stay_ascii() {
        let password = fake(Kind::BasicAuthUrl, 13);
        let found = |user: &[u8], password: &str| {
            let mut text = b"url: postgres://".to_vec();
            text.extend_from_slice(user);
            text.extend_from_slice(format!(":{password}@db.internal/shop\n").as_bytes());
            secrets(&text)
        };
        let url_password = [(Kind::BasicAuthUrl, password.clone().into_bytes())];
        assert_eq!(found("jürgen".as_bytes(), &password), url_password);
        // A Unicode regex missed these two: a user name in Latin-1 is no UTF-8, and a
        // no-break space was a Unicode space; as bytes, neither ends the user name.
        assert_eq!(found(b"j\xfcrgen", &password), url_password, "Latin-1");
        assert_eq!(found("jo\u{a0}hn".as_bytes(), &password), url_password);
        assert_eq!(found(b"app", &format!("{password}ü")), [], "not a URL's");
        assert_eq!(found(b"app", &format!("{password}\u{a0}")), []);
        assert_eq!(found(b"app\tx", &password), [], "ASCII whitespace ends it");
    }

    #[test]
    fn binary_input_does_not_break_scanning() {
        let mut bytes = vec![0u8, 0xff, 0xfe, b'\n'];
        bytes.extend_from_slice(fake(Kind::AwsAccessKeyId, 9).as_bytes());
        bytes.push(0);
        assert_eq!(scan(&bytes, Family::Config).len(), 1);
    }
}
