//! Credential redaction the host applies to every text a rule or an input gives it, so
//! no rule can print what another rule would have redacted: URL user-info, private key
//! blocks, secret-named assignments (`password=…`, `token: …`) and the well-known
//! provider token shapes. The shapes have prefixes distinctive enough that a match is a
//! credential; finding credentials in files, with entropy and placeholder checks, stays
//! the job of the `no-git-credentials` rule.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::{Captures, Regex};

/// One kind of credential: its name in the redaction marker, its pattern, and literals of
/// which every match holds one, ASCII case aside (lower case here). The group `secret`,
/// when the pattern has one, is what is replaced; otherwise the whole match is.
struct Shape {
    name: &'static str,
    pattern: &'static str,
    keywords: &'static [&'static str],
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "private key",
        pattern: r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
        keywords: &["-----begin "],
    },
    Shape {
        name: "URL user-info",
        pattern: r"(?i)\b[a-z][a-z0-9+.-]{0,31}://(?P<secret>[^\s/?#@]*(?:@[^\s/?#@]*)*)@",
        keywords: &["://"],
    },
    Shape {
        name: "secret",
        // The name may end in the keyword (`--db-password=`, `API_TOKEN:`).
        pattern: r#"(?i)(?:\b|_)(?:password|passwd|secret|client[_-]?secret|token|api[_-]?key|access[_-]?key)\\?["']?\s*[:=]\s*\\?["']?(?P<secret>[^\s"',;\[][^\s"',;]*)"#,
        keywords: &[
            "password",
            "passwd",
            "secret",
            "token",
            "apikey",
            "api_key",
            "api-key",
            "accesskey",
            "access_key",
            "access-key",
        ],
    },
    Shape {
        name: "AWS access key id",
        pattern: r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
        keywords: &["akia", "asia", "abia", "acca"],
    },
    Shape {
        name: "GitHub token",
        pattern: r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    },
    Shape {
        name: "GitLab token",
        pattern: r"\bglpat-[A-Za-z0-9_-]{20,}",
        keywords: &["glpat-"],
    },
    Shape {
        name: "Slack token",
        pattern: r"\bxox[abprs]-[0-9A-Za-z-]{10,}",
        keywords: &["xox"],
    },
    Shape {
        name: "Slack webhook",
        pattern: r"hooks\.slack\.com/services/(?P<secret>[A-Za-z0-9/]{20,})",
        keywords: &["hooks.slack.com/services/"],
    },
    Shape {
        name: "Stripe key",
        pattern: r"\b[rs]k_live_[A-Za-z0-9]{20,}",
        keywords: &["k_live_"],
    },
    Shape {
        name: "Google API key",
        pattern: r"\bAIza[0-9A-Za-z_-]{35}",
        keywords: &["aiza"],
    },
    Shape {
        name: "npm token",
        pattern: r"\bnpm_[A-Za-z0-9]{36}",
        keywords: &["npm_"],
    },
    Shape {
        name: "PyPI token",
        pattern: r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{20,}",
        keywords: &["pypi-"],
    },
    Shape {
        name: "SendGrid key",
        pattern: r"\bSG\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}",
        keywords: &["sg."],
    },
    Shape {
        name: "JSON Web Token",
        pattern: r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        keywords: &["eyj"],
    },
];

/// All shapes as one regex, each alternative a named group (`s0`, `s1`, …), so a text
/// is scanned once.
static SHAPES_REGEX: LazyLock<Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = SHAPES
        .iter()
        .enumerate()
        .map(|(i, shape)| {
            let pattern = shape
                .pattern
                .replace("(?P<secret>", &format!("(?P<secret{i}>"));
            format!("(?P<s{i}>{pattern})")
        })
        .collect();
    Regex::new(&alternatives.join("|")).expect("the credential shapes are valid regexes")
});

/// All shapes as one byte regex for ASCII text, without capture groups: what
/// [`holds_credential`] asks, whether any shape matches, and nothing of where. On ASCII
/// text it matches where [`SHAPES_REGEX`] does: Unicode case folding, `\b`, `\s` and the
/// negated classes differ only on characters outside ASCII. Every report's strings are
/// checked with it at the end of a scan, where [`SHAPES_REGEX`], whose Unicode classes
/// take about twice as long to build and to turn into states, cost 0.7 ms more (a fifth
/// of the check, at 3,000 objects).
static ASCII_SHAPES_REGEX: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = SHAPES
        .iter()
        .map(|shape| format!("(?:{})", shape.pattern.replace("(?P<secret>", "(?:")))
        .collect();
    regex::bytes::Regex::new(&format!("(?-u:{})", alternatives.join("|")))
        .expect("the credential shapes are valid ASCII regexes")
});

/// Every shape's keywords, found in one pass whatever their ASCII case: a text without
/// any cannot hold a credential. Every report string is checked (the control catalog's
/// included), and most hold none; the regex, which has no prefilter of its own (a URL
/// scheme starts with any letter), is then not even built.
static KEYWORDS_SEARCH: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SHAPES.iter().flat_map(|shape| shape.keywords))
        .expect("a few short keywords")
});

/// Whether `text` may hold a credential. Non-ASCII text always may: Unicode case folding
/// matches `ſ` for `s` and the Kelvin sign for `k`, which an ASCII check would miss.
fn may_hold_credential(text: &str) -> bool {
    !text.is_ascii() || KEYWORDS_SEARCH.is_match(text)
}

/// `text` with every credential replaced by `[redacted NAME]`; borrowed when it holds none.
/// Redacting twice changes nothing (a saved report is cleaned again when read): no shape
/// matches a marker, and an assigned value never starts with `[`.
pub fn redact(text: &str) -> Cow<'_, str> {
    if !may_hold_credential(text) {
        return Cow::Borrowed(text);
    }
    SHAPES_REGEX.replace_all(text, |found: &Captures| replacement(text, found))
}

/// Whether [`redact`] may change `text`: every match is replaced by a marker, which
/// differs from what it replaces, except a secret-named assignment whose name is the end
/// of a path (see [`in_path`]), which is left as it is.
pub fn holds_credential(text: &str) -> bool {
    if !text.is_ascii() {
        return SHAPES_REGEX.is_match(text);
    }
    KEYWORDS_SEARCH.is_match(text) && ASCII_SHAPES_REGEX.is_match(text.as_bytes())
}

/// What replaces one match of `text`: the match itself with its secret part swapped for
/// the marker.
fn replacement(text: &str, found: &Captures) -> String {
    let (index, whole) = (0..SHAPES.len())
        .find_map(|i| found.name(&format!("s{i}")).map(|m| (i, m)))
        .expect("one alternative matched");
    if SHAPES[index].name == "secret" && in_path(&text[..whole.start()]) {
        return whole.as_str().to_owned();
    }
    let marker = format!("[redacted {}]", SHAPES[index].name);
    match found.name(&format!("secret{index}")) {
        Some(secret) => {
            let text = whole.as_str();
            let (start, end) = (secret.start() - whole.start(), secret.end() - whole.start());
            format!("{}{marker}{}", &text[..start], &text[end..])
        }
        None => marker,
    }
}

/// Whether a secret-named assignment that starts after `before` names the end of a path
/// rather than a secret: the word its name is part of starts as a path does
/// (`'/work/ai/vllm-7b-token': must resolve`, `from '../ai/api-token': accumulating`, in
/// kustomize's errors).
fn in_path(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '(' | '['))
        .next()
        .unwrap_or(before);
    ["/", "./", "../", "~/"]
        .iter()
        .any(|start| word.starts_with(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test secrets are assembled here, so no credential-shaped literal is in the source.
    fn fake(prefix: &str, body: &str, repeat: usize) -> String {
        format!("{prefix}{}", body.repeat(repeat))
    }

    #[test]
    fn url_user_info_is_redacted_whole() {
        let password = fake("pa", "s", 9);
        assert_eq!(
            redact(&format!(
                "webhook URL http://admin:{password}@hooks.example/x is plain HTTP"
            )),
            "webhook URL http://[redacted URL user-info]@hooks.example/x is plain HTTP"
        );
        // An unencoded `@` in the password does not leave its tail behind.
        assert_eq!(
            redact("git clone https://bot:p@ss@git.example/repo"),
            "git clone https://[redacted URL user-info]@git.example/repo"
        );
        assert_eq!(
            redact("https://example.com/a@b and mailto-like a@b"),
            "https://example.com/a@b and mailto-like a@b"
        );
    }

    #[test]
    fn provider_tokens_are_redacted() {
        let cases = [
            (fake("AKIA", "Q", 16), "[redacted AWS access key id]"),
            (fake("ghp_", "a1", 18), "[redacted GitHub token]"),
            (fake("glpat-", "x", 20), "[redacted GitLab token]"),
            (fake("xoxb-", "1234567890-", 2), "[redacted Slack token]"),
            (fake("sk_live_", "Z", 24), "[redacted Stripe key]"),
            (fake("AIza", "k", 35), "[redacted Google API key]"),
            (fake("npm_", "n", 36), "[redacted npm token]"),
            (
                format!(
                    "eyJ{}.eyJ{}.{}",
                    "a".repeat(10),
                    "b".repeat(10),
                    "c".repeat(20)
                ),
                "[redacted JSON Web Token]",
            ),
        ];
        for (token, marker) in cases {
            assert_eq!(
                redact(&format!("value {token} here")),
                format!("value {marker} here")
            );
        }
    }

    #[test]
    fn private_key_blocks_are_redacted_to_their_end_or_the_text_end() {
        let block = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            "M".repeat(64)
        );
        assert_eq!(
            redact(&format!("key: {block} done")),
            "key: [redacted private key] done"
        );
        assert_eq!(
            redact("cut -----BEGIN PRIVATE KEY-----\nMIIE"),
            "cut [redacted private key]"
        );
    }

    #[test]
    fn secret_named_assignments_keep_the_name() {
        assert_eq!(
            redact("unknown value --db-password=hunter2x in args"),
            "unknown value --db-password=[redacted secret] in args"
        );
        assert_eq!(
            redact(r#"{"token": "abc123"}"#),
            r#"{"token": "[redacted secret]"}"#
        );
    }

    #[test]
    fn a_path_that_ends_in_a_keyword_names_no_secret() {
        let message = "accumulating resources from '../ai/vllm-7b-token': \
                       '/work/ai/vllm-7b-token' must resolve to a file': recursed";
        assert_eq!(redact(message), message);
        // A path with a keyword inside it, or a name with a slash, still names a secret.
        assert_eq!(
            redact("from 'db/password': hunter2x and /etc/app password=hunter2x"),
            "from 'db/password': [redacted secret] and /etc/app password=[redacted secret]"
        );
        // Quotes escaped, as JSON inside an error message writes them.
        assert!(!redact(r#"patch: {\"password\": \"hunter2x\"}"#).contains("hunter2x"));
        assert_eq!(
            redact(r#"{"admin password": "hunter2xQ", "db:password": "Zk7hunter"}"#),
            r#"{"admin password": "[redacted secret]", "db:password": "[redacted secret]"}"#
        );
        assert_eq!(
            redact("{'API_TOKEN': 'abc123', \"db.password\" = x9 }"),
            "{'API_TOKEN': '[redacted secret]', \"db.password\" = [redacted secret] }"
        );
    }

    #[test]
    fn redacting_again_changes_nothing() {
        let once = redact(&format!(
            "password={} url https://u:{}@h {} -----BEGIN PRIVATE KEY-----",
            fake("p", "w", 9),
            fake("p", "w", 9),
            fake("ghp_", "a1", 18)
        ))
        .into_owned();
        assert_eq!(
            once,
            "password=[redacted secret] url https://[redacted URL user-info]@h [redacted GitHub token] [redacted private key]"
        );
        assert!(matches!(redact(&once), Cow::Borrowed(_)));
    }

    #[test]
    fn every_shape_gets_past_the_keyword_check() {
        let cases = [
            (
                format!("ASIA{}", "Q".repeat(16)),
                "[redacted AWS access key id]",
            ),
            (fake("github_pat_", "a1", 30), "[redacted GitHub token]"),
            (
                format!("https://hooks.slack.com/services/{}", "T0B1".repeat(6)),
                "https://hooks.slack.com/services/[redacted Slack webhook]",
            ),
            (
                fake("pypi-AgEIcHlwaS5vcmc", "p", 24),
                "[redacted PyPI token]",
            ),
            (
                format!("SG.{}.{}", "s".repeat(22), "g".repeat(24)),
                "[redacted SendGrid key]",
            ),
            (fake("API-KEY=", "k9", 6), "API-KEY=[redacted secret]"),
            (
                fake("Access_Key: ", "k9", 6),
                "Access_Key: [redacted secret]",
            ),
            (
                fake("client-secret=", "k9", 6),
                "client-secret=[redacted secret]",
            ),
            (fake("PASSWD=", "k9", 6), "PASSWD=[redacted secret]"),
            // Unicode case folding: the Kelvin sign is a `k`, `ſ` an `s`.
            (
                fake("to\u{212a}en: ", "k9", 6),
                "to\u{212a}en: [redacted secret]",
            ),
            (
                fake("\u{17f}ecret=", "k9", 6),
                "\u{17f}ecret=[redacted secret]",
            ),
        ];
        for (text, redacted) in cases {
            assert!(holds_credential(&text), "{redacted}");
            assert_eq!(redact(&format!("a {text} b")), format!("a {redacted} b"));
        }
    }

    #[test]
    fn the_ascii_check_agrees_with_the_unicode_regex_on_ascii_text() {
        let mut texts = vec![
            fake("AKIA", "Q", 16),
            fake("AKIA", "Q", 15),
            fake("xAKIA", "Q", 16),
            fake("akia", "q", 16),
            fake("ghp_", "a1", 18),
            fake("ghp_", "a1", 17),
            fake("_ghp_", "a1", 18),
            fake("GHP_", "a1", 18),
            fake("glpat-", "x", 19),
            fake("xoxb-", "1", 10),
            fake("Sk_live_", "Z", 24),
            fake("AIza", "k", 35),
            fake("npm_", "n", 35),
            format!(
                "eyJ{}.eyJ{}.{}",
                "a".repeat(8),
                "b".repeat(8),
                "c".repeat(8)
            ),
            format!(
                "EYJ{}.eyJ{}.{}",
                "a".repeat(8),
                "b".repeat(8),
                "c".repeat(8)
            ),
            "-----begin rsa private key-----\nMIIE".into(),
            "-----BEGIN CERTIFICATE-----".into(),
            "git clone HTTPS://bot:pw@git.example/repo".into(),
            "see https://example.com/a@b".into(),
            "1http://u:p@h".into(),
            "Password = \"hunter2x\"".into(),
            "password: [redacted secret]".into(),
            "tokens are rotated daily".into(),
            "token:\tabc".into(),
            "client_secret=abc;rest".into(),
            "ACCESS-KEY:'k'".into(),
            "secretName: db".into(),
            "automount-token".into(),
        ];
        texts.extend(["a", "A", "_", "-", "0"].iter().flat_map(|edge| {
            [
                fake(&format!("{edge}ghp_"), "a1", 18),
                format!("{}{edge}", fake("AKIA", "Q", 16)),
                format!("{edge}token={edge}"),
            ]
        }));
        // Failures name the case by its index: its text is credential-shaped.
        for (case, text) in texts.iter().enumerate() {
            assert!(text.is_ascii(), "case {case}");
            assert_eq!(
                holds_credential(text),
                SHAPES_REGEX.is_match(text),
                "case {case}"
            );
        }
        // Both verdicts occur, so the comparison says something.
        assert!(texts.iter().any(|t| holds_credential(t)));
        assert!(texts.iter().any(|t| !holds_credential(t)));
    }

    #[test]
    fn ordinary_text_is_borrowed_untouched() {
        for text in [
            "ClusterRole admin grants verbs [*] on secrets",
            "automountServiceAccountToken is not false",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "GitHub token ghp_… (40 bytes, sha256:0123456789ab)",
        ] {
            assert!(matches!(redact(text), Cow::Borrowed(_)), "{text}");
        }
    }
}
