//! Credential detectors over raw file bytes (any encoding, binary included).

use std::ops::Range;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// What was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PrivateKey,
    AwsAccessKeyId,
}

/// One detected credential.
#[derive(Debug, PartialEq, Eq)]
pub struct Match {
    pub kind: Kind,
    /// Where the finding is reported (the start of the match).
    pub start: usize,
    /// The bytes that are the secret, hashed for identity and redacted evidence.
    pub secret: Range<usize>,
    /// A non-secret description for evidence (e.g. the PEM label).
    pub label: &'static str,
}

/// A PEM or PGP private key header; the body must follow for it to count.
static PRIVATE_KEY_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----",
    )
    .expect("valid regex")
});
/// AWS access key ids: a known prefix and 16 base32 characters, on word boundaries.
static AWS_ACCESS_KEY_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?-u:\b)").expect("valid regex")
});
/// A key body shorter than this (in base64 characters) is a placeholder such as `...`.
const MIN_KEY_BODY: usize = 64;
/// How far past the header a key body is read when no END line is found.
const MAX_KEY_BODY: usize = 16 * 1024;

/// Every credential in `contents`, in order of position.
pub fn scan(contents: &[u8]) -> Vec<Match> {
    let mut found: Vec<Match> = PRIVATE_KEY_HEADER
        .captures_iter(contents)
        .filter_map(|caps| {
            let header = caps.get(0)?;
            let body = key_body(contents, header.end());
            let base64 = contents[body.clone()]
                .iter()
                .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                .count();
            (base64 >= MIN_KEY_BODY).then(|| Match {
                kind: Kind::PrivateKey,
                start: header.start(),
                secret: body,
                label: label_of(&caps[1]),
            })
        })
        .collect();
    found.extend(AWS_ACCESS_KEY_ID.find_iter(contents).map(|m| Match {
        kind: Kind::AwsAccessKeyId,
        start: m.start(),
        secret: m.range(),
        label: "AWS access key id",
    }));
    found.sort_by_key(|m| m.start);
    found
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

fn label_of(header: &[u8]) -> &'static str {
    match header {
        b"RSA PRIVATE KEY" => "RSA private key",
        b"DSA PRIVATE KEY" => "DSA private key",
        b"EC PRIVATE KEY" => "EC private key",
        b"OPENSSH PRIVATE KEY" => "OpenSSH private key",
        b"ENCRYPTED PRIVATE KEY" => "encrypted PKCS#8 private key",
        b"PGP PRIVATE KEY BLOCK" => "PGP private key",
        _ => "PKCS#8 private key",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a well-formed but fake AWS key id at test time (no real-looking secret in Git).
    fn fake_aws_id() -> String {
        format!("AKIA{}", "Q".repeat(12) + "2345")
    }

    fn fake_key(label: &str) -> String {
        let body = "MIIEow".to_owned() + &"A".repeat(120);
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    }

    #[test]
    fn finds_aws_key_id_on_word_boundaries() {
        let id = fake_aws_id();
        let text = format!("aws_access_key_id = {id}\nX{id}\n");
        let found = scan(text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].start, 20);
        assert_eq!(&text.as_bytes()[found[0].secret.clone()], id.as_bytes());
    }

    #[test]
    fn finds_private_keys_but_not_placeholders() {
        let text = format!(
            "{}{}-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n",
            fake_key("OPENSSH PRIVATE KEY"),
            fake_key("PRIVATE KEY")
        );
        let labels: Vec<_> = scan(text.as_bytes()).iter().map(|m| m.label).collect();
        assert_eq!(labels, ["OpenSSH private key", "PKCS#8 private key"]);
    }

    #[test]
    fn binary_input_does_not_break_scanning() {
        let mut bytes = vec![0u8, 0xff, 0xfe, b'\n'];
        bytes.extend_from_slice(fake_aws_id().as_bytes());
        bytes.push(0);
        assert_eq!(scan(&bytes).len(), 1);
    }
}
