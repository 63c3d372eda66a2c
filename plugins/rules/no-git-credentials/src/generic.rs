//! The generic detector's judgement: a credential-named key assigned a literal on the same
//! line. The key must end in a credential word at a word boundary (`db_password`,
//! `apiToken`, `PGPASSWORD`, not `passwordPolicy` or `subtoken`); the value must be a
//! literal of the file's language family: any single token in configuration files
//! (YAML, JSON, INI, env, shell, ...), a quoted string literal in code. Identifiers,
//! expressions, calls, paths, URLs, names and values on the next line are never secrets.

use std::ops::Range;

/// How a file writes literal values, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Source code: only quoted string literals are literal values.
    Code,
    /// Configuration, data and everything else: a bare token is a literal value too.
    Config,
}

/// Extensions of programming languages, where a bare word after `=` is an identifier.
const CODE_EXTENSIONS: &[&str] = &[
    "rs", "go", "py", "pyi", "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "java", "kt",
    "kts", "scala", "groovy", "gradle", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "cs",
    "fs", "swift", "m", "mm", "rb", "php", "pl", "pm", "lua", "dart", "ex", "exs", "erl", "hs",
    "ml", "clj", "r", "jl", "zig", "nim", "vue", "svelte", "sol",
];

impl Family {
    /// The family of the file at `path`.
    pub fn of(path: &str) -> Self {
        let name = path.rsplit('/').next().unwrap_or(path);
        let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        match extension {
            Some(e) if CODE_EXTENSIONS.contains(&e.as_str()) => Self::Code,
            _ => Self::Config,
        }
    }
}

/// Whether the credential word at `word` ends a key: it starts the key, follows a
/// separator, starts a camel-case part (`apiToken`), or continues an all-capitals name
/// (`PGPASSWORD`).
pub fn ends_key(contents: &[u8], word: Range<usize>) -> bool {
    let Some(&before) = word.start.checked_sub(1).map(|i| &contents[i]) else {
        return true;
    };
    let first = contents[word.start];
    let all_capitals = contents[word.clone()]
        .iter()
        .all(|b| !b.is_ascii_lowercase());
    !before.is_ascii_alphanumeric()
        || (first.is_ascii_uppercase() && (before.is_ascii_lowercase() || before.is_ascii_digit()))
        || (all_capitals && before.is_ascii_uppercase())
}

/// Whether the key whose credential word starts at `word` names a Secret that exists
/// elsewhere rather than holds one: Helm charts' `existingSecret` (also `existing_secret`,
/// `EXISTING-SECRET`), whose value is a Secret's name.
pub fn names_existing(contents: &[u8], word: usize) -> bool {
    let is_secret = contents[word..]
        .get(..6)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"secret"));
    if !is_secret {
        return false;
    }
    let before = &contents[..word];
    let before = before
        .strip_suffix(b"_")
        .or_else(|| before.strip_suffix(b"-"))
        .unwrap_or(before);
    before.len() >= 8 && before[before.len() - 8..].eq_ignore_ascii_case(b"existing")
}

/// The kinds of the External Secrets Operator whose `secretKey` names a key of a Secret.
const EXTERNAL_SECRETS_KINDS: [&str; 3] = ["ExternalSecret", "ClusterExternalSecret", "PushSecret"];

/// Whether the key whose credential word starts at `word` is `secretKey`, which an
/// External Secrets object uses to name a key of a Secret ([`declares_external_secrets`]).
pub fn is_secret_key(contents: &[u8], word: usize) -> bool {
    let rest = &contents[word..];
    rest.starts_with(b"secretKey")
        && !rest
            .get(9)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Whether `contents` declares an External Secrets object, whose `secretKey` names the
/// key the operator writes to or reads from a Secret (`secretKey: db-password-1`).
pub fn declares_external_secrets(contents: &[u8]) -> bool {
    String::from_utf8_lossy(contents).lines().any(|line| {
        let kind = line.trim().trim_start_matches('"');
        kind.strip_prefix("kind").is_some_and(|rest| {
            let value = rest
                .trim_start_matches(['"', ':', ' '])
                .trim_end_matches(['"', ',']);
            EXTERNAL_SECRETS_KINDS.contains(&value.trim())
        })
    })
}

/// The literal assigned on the line that continues at `value_start`, after the key and its
/// operator (`=`, `:`, `:=`, `=>`); `colon` says whether the operator was `:` (which in
/// code may be followed by a type, as in `API_TOKEN: &str = "..."`).
pub fn literal(
    contents: &[u8],
    value_start: usize,
    colon: bool,
    family: Family,
) -> Option<Range<usize>> {
    let line_end = contents[value_start..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(contents.len(), |i| value_start + i);
    let rest = &contents[value_start..line_end];
    let quoted_at = match family {
        Family::Code if colon => after_type(rest).unwrap_or(0),
        _ => 0,
    };
    let value = match rest.get(quoted_at) {
        Some(&quote @ (b'"' | b'\'' | b'`')) => quoted(rest, quoted_at, quote)?,
        Some(_) if family == Family::Config => bare(rest)?,
        _ => return None,
    };
    Some(value_start + value.start..value_start + value.end)
}

/// In `: TYPE = "..."`, the offset of the quote after the type; `None` when there is no
/// type, or no `=` on the line.
fn after_type(rest: &[u8]) -> Option<usize> {
    let equals = rest.iter().position(|&b| b == b'=')?;
    let type_text = &rest[..equals];
    let is_type = !type_text.is_empty()
        && type_text.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'&' | b'\'' | b'<' | b'>' | b' ')
        });
    if !is_type
        || rest
            .get(equals + 1)
            .is_some_and(|&b| b == b'=' || b == b'>')
    {
        return None;
    }
    let after = equals + 1;
    let spaces = rest[after..]
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t');
    Some(after + spaces.count())
}

/// The contents of a string literal opening at `open`, closed on the same line.
fn quoted(rest: &[u8], open: usize, quote: u8) -> Option<Range<usize>> {
    let start = open + 1;
    let mut escaped = false;
    for (i, &b) in rest[start..].iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            _ if b == quote => return Some(start..start + i),
            _ => {}
        }
    }
    None
}

/// A bare value: one token up to the end of the line or a comment. Flow collections,
/// block scalars, anchors, aliases, tags, a second operator character (`token::Paren`,
/// `token == x`) are no literal.
fn bare(rest: &[u8]) -> Option<Range<usize>> {
    if rest
        .first()
        .is_none_or(|b| b"{[|>&*!(#:=".contains(b) || b.is_ascii_whitespace())
    {
        return None;
    }
    let token_end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    let after = rest[token_end..].trim_ascii_start();
    if !(after.is_empty() || after.starts_with(b"#") || after.starts_with(b"//")) {
        return None;
    }
    let token = &rest[..token_end];
    let trimmed = token.len() - usize::from(token.ends_with(b","));
    Some(0..trimmed)
}

/// Whether a literal is written like a name, a path, an address or code rather than a
/// secret: words without digits or symbols (`TokenStream`, `kube-system-token`),
/// dotted identifiers (`settings.password`), paths, URLs, calls, casts and subscripts
/// (`os.environ["HF_TOKEN"]`).
pub fn is_not_secret_shaped(value: &[u8]) -> bool {
    let is_name = value
        .iter()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.'));
    is_name
        || value.iter().any(u8::is_ascii_whitespace)
        || contains(value, b"://")
        || contains(value, b"::")
        || value.contains(&b'(')
        || is_subscript(value)
        || is_path(value)
        || is_dotted_identifier(value)
}

/// A (dotted) identifier indexed with a bracketed key: `os.environ["HF_TOKEN"]`, perhaps
/// the end of a call's arguments after it.
fn is_subscript(value: &[u8]) -> bool {
    let name = value
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
        .count();
    name > 0
        && value[0].is_ascii_alphabetic()
        && value.get(name) == Some(&b'[')
        && value[name..].contains(&b']')
}

/// How an absolute or relative path starts.
pub const PATH_STARTS: [&str; 4] = ["/", "./", "../", "~/"];

/// An absolute or relative path, or segments of names joined by `/` (`secrets/db.key`).
fn is_path(value: &[u8]) -> bool {
    if PATH_STARTS.iter().any(|p| value.starts_with(p.as_bytes())) {
        return true;
    }
    let segments: Vec<&[u8]> = value.split(|&b| b == b'/').collect();
    segments.len() > 1
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.len() <= 24
                && s.iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        && segments
            .iter()
            .any(|s| s.iter().any(|b| !b.is_ascii_alphanumeric()))
}

/// `a.b.c` where each part is an identifier: a field or module path, not a value.
fn is_dotted_identifier(value: &[u8]) -> bool {
    let parts: Vec<&[u8]> = value.split(|&b| b == b'.').collect();
    parts.len() > 1
        && parts.iter().all(|p| {
            p.first()
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
                && p.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(line: &str, family: Family) -> Option<&str> {
        let at = line.find(['=', ':']).unwrap();
        let colon = line.as_bytes()[at] == b':' && line.as_bytes().get(at + 1) != Some(&b'=');
        let skip = line[at..]
            .find(|c: char| !matches!(c, '=' | ':' | '>' | ' '))
            .map_or(line.len(), |i| at + i);
        literal(line.as_bytes(), skip, colon, family).map(|r| &line[r])
    }

    #[test]
    fn families_by_extension() {
        assert_eq!(Family::of("src/lib.rs"), Family::Code);
        assert_eq!(Family::of("cmd/main.GO"), Family::Code);
        assert_eq!(Family::of("deploy/app.yaml"), Family::Config);
        assert_eq!(Family::of(".env"), Family::Config);
        assert_eq!(Family::of("Makefile"), Family::Config);
    }

    #[test]
    fn keys_end_in_the_word() {
        let ends = |text: &str, word: &str| {
            let at = text.find(word).unwrap();
            ends_key(text.as_bytes(), at..at + word.len())
        };
        assert!(ends("db_password", "password"));
        assert!(ends("dbPassword", "Password"));
        assert!(ends("PGPASSWORD", "PASSWORD"));
        assert!(ends("token", "token"));
        assert!(!ends("subtoken", "token"));
        assert!(!ends("Nopassword", "password"));
    }

    #[test]
    fn literals_per_family() {
        let cases = [
            ("password: Zq8#kd2Lw9", Family::Config, Some("Zq8#kd2Lw9")),
            (
                "password = Zq8kd2Lw9 # comment",
                Family::Config,
                Some("Zq8kd2Lw9"),
            ),
            (
                "\"password\": \"Zq8kd2Lw9\",",
                Family::Config,
                Some("Zq8kd2Lw9"),
            ),
            ("password: two words", Family::Config, None),
            ("password: {type: string}", Family::Config, None),
            ("password: |", Family::Config, None),
            ("password:", Family::Config, None),
            ("let token = tokens.acquire();", Family::Code, None),
            (
                "let token = \"Zq8kd2Lw9\";",
                Family::Code,
                Some("Zq8kd2Lw9"),
            ),
            ("paren_token: token::Paren(span),", Family::Code, None),
            (
                "const API_TOKEN: &str = \"Zq8kd2Lw9\";",
                Family::Code,
                Some("Zq8kd2Lw9"),
            ),
            (
                "password := flag.String(\"p\", \"\", \"\")",
                Family::Code,
                None,
            ),
            ("token: Option<String> = None", Family::Code, None),
            ("token = 'unterminated", Family::Code, None),
        ];
        for (line, family, expected) in cases {
            assert_eq!(value_of(line, family), expected, "{line}");
        }
    }

    #[test]
    fn shapes_that_are_not_secrets() {
        for value in [
            "TokenStream",
            "kube-system-token",
            "settings.password",
            "/etc/secrets/db",
            "secrets/db-password.txt",
            "https://auth.example.com/token",
            "Token::Symbol",
            "flag.String(x)",
            "os.environ[\"HUGGING_FACE_HUB_TOKEN\"])",
            "env['API_TOKEN']",
        ] {
            assert!(is_not_secret_shaped(value.as_bytes()), "{value}");
        }
        for value in [
            "Zq8#kd2Lw9",
            "aGk3/x9QpL+2mZ0w",
            "s3cr3t-Value-42",
            "Xk9)mP2#qL7w",
            "ab12cd34['ef56gh78",
        ] {
            assert!(!is_not_secret_shaped(value.as_bytes()), "{value}");
        }
    }
}
