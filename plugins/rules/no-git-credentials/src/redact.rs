//! Redaction: what may be said about a secret without saying the secret.

use sha2::{Digest, Sha256};

/// Hex SHA-256 of the secret.
fn digest(secret: &[u8]) -> String {
    Sha256::digest(secret)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Below this many bytes a secret is shown by its length alone: four of its characters,
/// or a 48-bit hash tried against a list of common passwords, would give it away.
const SHORT: usize = 16;

/// What tells a secret apart in its finding's fingerprint, independent of position: its
/// SHA-256, so that a new secret is a new finding; nothing for a short secret (below
/// [`SHORT`] bytes), whose hash would be reversed by hashing common passwords until one
/// matches, so its finding is known by its place alone.
pub fn identity(secret: &[u8]) -> Option<String> {
    (secret.len() >= SHORT).then(|| digest(secret))
}

/// Redacted evidence: the label, at most a four-character prefix of an identifier-like
/// secret, the length, and a short hash to tell secrets apart; the length alone for a
/// short secret.
pub fn evidence(label: &str, secret: &[u8]) -> String {
    if secret.len() < SHORT {
        return format!("{label} … ({} bytes)", secret.len());
    }
    let hash = &digest(secret)[..12];
    let prefix = match secret {
        [a, b, c, d, ..]
            if secret.len() <= 64 && [a, b, c, d].iter().all(|x| x.is_ascii_alphanumeric()) =>
        {
            format!("{}{}{}{}…", *a as char, *b as char, *c as char, *d as char)
        }
        _ => "…".to_owned(),
    };
    format!("{label} {prefix} ({} bytes, sha256:{hash})", secret.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_never_holds_the_secret() {
        let secret = format!("AKIA{}", "Z".repeat(16));
        let shown = evidence("AWS access key id", secret.as_bytes());
        assert!(!shown.contains(&secret));
        assert!(!shown.contains(&secret[4..]));
        assert!(shown.starts_with("AWS access key id AKIA… (20 bytes, sha256:"));
        assert_eq!(
            evidence("RSA private key", &[b'x'; 200]).split(' ').nth(3),
            Some("…")
        );
    }

    #[test]
    fn a_short_secret_has_no_identity_of_its_own() {
        assert_eq!(identity(b"hunter2!"), None);
        let long = identity(b"Tr0ub4dor&3xyz12").unwrap();
        assert_eq!(long.len(), 64);
        assert_ne!(identity(b"Tr0ub4dor&3xyz13"), Some(long));
    }

    #[test]
    fn a_short_secret_is_shown_by_its_length_alone() {
        for secret in ["s3cr", "root1", "katib", "hunter2!", "Tr0ub4dor&3xyz1"] {
            assert_eq!(
                evidence("literal API_TOKEN", secret.as_bytes()),
                format!("literal API_TOKEN … ({} bytes)", secret.len())
            );
        }
        let shown = evidence("literal API_TOKEN", b"Tr0ub4dor&3xyz12");
        assert!(
            shown.starts_with("literal API_TOKEN Tr0u… (16 bytes, sha256:"),
            "{shown}"
        );
    }
}
