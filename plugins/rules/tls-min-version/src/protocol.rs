//! TLS protocol versions as the many configuration dialects spell them.

/// A protocol version, ordered from weakest to strongest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protocol {
    Ssl2,
    Ssl3,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl Protocol {
    /// Parses one version in any of the spellings in use: `TLSv1.2` (nginx),
    /// `VersionTLS12` (Kubernetes, Go), `TLS1.2` (etcd), `TLSV1_2` (Istio), `SSLv3`.
    /// Case and separators do not matter. `None` for anything else.
    pub fn parse(token: &str) -> Option<Self> {
        let lower = token.trim().to_ascii_lowercase();
        let bare = lower.strip_prefix("version").unwrap_or(&lower);
        let compact: String = bare
            .chars()
            .filter(|c| !matches!(c, 'v' | '.' | '_' | '-' | ' '))
            .collect();
        Some(match compact.as_str() {
            "ssl2" => Self::Ssl2,
            "ssl3" => Self::Ssl3,
            "tls1" | "tls10" => Self::Tls10,
            "tls11" => Self::Tls11,
            "tls12" => Self::Tls12,
            "tls13" => Self::Tls13,
            _ => return None,
        })
    }

    /// Below TLS 1.2.
    pub fn is_weak(self) -> bool {
        self < Self::Tls12
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Ssl2 => "SSL 2.0",
            Self::Ssl3 => "SSL 3.0",
            Self::Tls10 => "TLS 1.0",
            Self::Tls11 => "TLS 1.1",
            Self::Tls12 => "TLS 1.2",
            Self::Tls13 => "TLS 1.3",
        }
    }
}

/// Splits a whitespace-separated list into recognised versions and unrecognised tokens.
pub fn parse_list(value: &str) -> (Vec<(&str, Protocol)>, Vec<&str>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for token in value.split_whitespace() {
        match Protocol::parse(token) {
            Some(protocol) => known.push((token, protocol)),
            None => unknown.push(token),
        }
    }
    (known, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for (token, expected) in [
            ("TLSv1", Protocol::Tls10),
            ("TLSv1.1", Protocol::Tls11),
            ("tlsv1.2", Protocol::Tls12),
            ("VersionTLS10", Protocol::Tls10),
            ("VersionTLS13", Protocol::Tls13),
            ("TLS1.2", Protocol::Tls12),
            ("TLSV1_1", Protocol::Tls11),
            ("SSLv3", Protocol::Ssl3),
            ("SSLv2", Protocol::Ssl2),
        ] {
            assert_eq!(Protocol::parse(token), Some(expected), "{token}");
        }
        for token in ["TLSv9", "", "auto", "1.2"] {
            assert_eq!(Protocol::parse(token), None, "{token}");
        }
    }
}
