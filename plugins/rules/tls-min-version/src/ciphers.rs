//! Cipher suites: which names in a configured list are known to be weak.
//!
//! Weak means broken or without forward secrecy at the cipher level: RC4, DES and 3DES,
//! NULL and anonymous suites, export-grade suites, MD5 MACs, and CBC suites with a SHA-1
//! MAC. Both the IANA/Go names (`TLS_RSA_WITH_RC4_128_SHA`, Kubernetes
//! `--tls-cipher-suites`) and the OpenSSL names (`ECDHE-RSA-AES128-SHA`, nginx
//! `ssl-ciphers`) are understood.

/// The weak suites of a comma-separated IANA/Go list.
pub fn weak_iana(list: &str) -> Vec<&str> {
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty() && is_weak_iana(name))
        .collect()
}

fn is_weak_iana(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let cbc_sha1 = upper.contains("_CBC_") && upper.ends_with("_SHA");
    ["RC4", "3DES", "_DES_", "NULL", "EXPORT", "_ANON_", "MD5"]
        .iter()
        .any(|weak| upper.contains(weak))
        || cbc_sha1
}

/// The weak ciphers an OpenSSL cipher string enables (`:`- or space-separated; entries
/// removed with `!` or `-` do not count).
pub fn weak_openssl(list: &str) -> Vec<&str> {
    list.split([':', ' ', ','])
        .map(str::trim)
        .filter(|entry| !entry.is_empty() && !entry.starts_with(['!', '-', '+', '@']))
        .filter(|entry| is_weak_openssl(entry))
        .collect()
}

fn is_weak_openssl(entry: &str) -> bool {
    let upper = entry.to_ascii_uppercase();
    let aead = upper.contains("GCM") || upper.contains("CHACHA20") || upper.contains("CCM");
    let sha1_cbc = !aead && upper.ends_with("-SHA") && !upper.starts_with("TLS_");
    let keyword = matches!(
        upper.as_str(),
        "ALL"
            | "COMPLEMENTOFALL"
            | "LOW"
            | "EXP"
            | "EXPORT"
            | "NULL"
            | "ANULL"
            | "ENULL"
            | "RC4"
            | "DES"
            | "3DES"
            | "MD5"
    );
    let weak_part = [
        "RC4", "DES", "NULL", "EXP-", "EXPORT", "MD5", "ADH", "AECDH",
    ]
    .iter()
    .any(|weak| upper.contains(weak));
    keyword || weak_part || sha1_cbc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names() {
        let list = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_3DES_EDE_CBC_SHA,\
            TLS_ECDHE_RSA_WITH_RC4_128_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,\
            TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_CHACHA20_POLY1305_SHA256";
        assert_eq!(
            weak_iana(list),
            [
                "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
                "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
            ]
        );
        assert!(
            weak_iana("TLS_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384").is_empty()
        );
    }

    #[test]
    fn openssl_strings() {
        let modern = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:!aNULL:!MD5:!RC4";
        assert!(weak_openssl(modern).is_empty());
        assert_eq!(
            weak_openssl(
                "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:DES-CBC3-SHA:RC4-SHA:!aNULL"
            ),
            ["ECDHE-RSA-AES128-SHA", "DES-CBC3-SHA", "RC4-SHA"]
        );
        assert_eq!(weak_openssl("HIGH:LOW:!EXP"), ["LOW"]);
    }
}
