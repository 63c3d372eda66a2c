//! AWS Elastic Load Balancing security policies: which TLS versions a named policy allows.

use crate::protocol::Protocol;

/// What the controllers use when no policy is named: `ELBSecurityPolicy-2016-08`, which
/// still allows TLS 1.0.
pub const DEFAULT_POLICY: &str = "ELBSecurityPolicy-2016-08";

/// The lowest protocol a predefined ELB security policy allows, or `None` for a name that
/// is not a predefined policy (a custom policy cannot be judged from its name).
///
/// Names encode it: `ELBSecurityPolicy-TLS13-1-2-2021-06` allows TLS 1.2 and 1.3,
/// `ELBSecurityPolicy-TLS-1-1-2017-01` TLS 1.1 and up, `ELBSecurityPolicy-FS-1-2-2019-08`
/// TLS 1.2; the older dated ones (`ELBSecurityPolicy-2016-08`, `-2015-05`,
/// `ELBSecurityPolicy-FS-2018-06`) allow TLS 1.0.
pub fn lowest_protocol(policy: &str) -> Option<Protocol> {
    let rest = policy.trim().strip_prefix("ELBSecurityPolicy-")?;
    let versioned = ["TLS13-", "TLS-", "FS-"]
        .iter()
        .find_map(|family| rest.strip_prefix(family));
    match versioned {
        Some(tail) if tail.starts_with("1-") => {
            let minor = tail.as_bytes().get(2)?;
            Some(match minor {
                b'0' => Protocol::Tls10,
                b'1' => Protocol::Tls11,
                b'2' => Protocol::Tls12,
                b'3' => Protocol::Tls13,
                _ => return None,
            })
        }
        // ELBSecurityPolicy-FS-2018-06: forward secrecy, TLS 1.0 and up.
        Some(tail) if is_date(tail) => Some(Protocol::Tls10),
        Some(_) => None,
        // ELBSecurityPolicy-2016-08, ELBSecurityPolicy-2015-05, ...
        None if is_date(rest) => Some(Protocol::Tls10),
        None => None,
    }
}

/// `YYYY-MM`.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 7
        && bytes[4] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_policies() {
        for (policy, lowest) in [
            ("ELBSecurityPolicy-2016-08", Some(Protocol::Tls10)),
            ("ELBSecurityPolicy-2015-05", Some(Protocol::Tls10)),
            ("ELBSecurityPolicy-FS-2018-06", Some(Protocol::Tls10)),
            ("ELBSecurityPolicy-TLS-1-0-2015-04", Some(Protocol::Tls10)),
            ("ELBSecurityPolicy-TLS-1-1-2017-01", Some(Protocol::Tls11)),
            ("ELBSecurityPolicy-FS-1-1-2019-08", Some(Protocol::Tls11)),
            ("ELBSecurityPolicy-TLS13-1-0-2021-06", Some(Protocol::Tls10)),
            ("ELBSecurityPolicy-TLS-1-2-2017-01", Some(Protocol::Tls12)),
            (
                "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
                Some(Protocol::Tls12),
            ),
            (
                "ELBSecurityPolicy-FS-1-2-Res-2020-10",
                Some(Protocol::Tls12),
            ),
            ("ELBSecurityPolicy-TLS13-1-2-2021-06", Some(Protocol::Tls12)),
            (
                "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
                Some(Protocol::Tls12),
            ),
            ("ELBSecurityPolicy-TLS13-1-3-2021-06", Some(Protocol::Tls13)),
            ("my-custom-policy", None),
            ("ELBSecurityPolicy-Future", None),
        ] {
            assert_eq!(lowest_protocol(policy), lowest, "{policy}");
        }
    }
}
