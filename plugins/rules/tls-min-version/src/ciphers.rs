//! Cipher suites: which names in a configured list are known to be weak.
//!
//! Weak means broken or without forward secrecy at the cipher level: RC4, DES and 3DES,
//! NULL and anonymous suites, export-grade suites, MD5 MACs, and CBC suites with a SHA-1
//! MAC; for IANA/Go names also CBC with SHA-256, which Go (so Kubernetes' own
//! `--tls-cipher-suites` help) lists as insecure: its implementation is not constant-time
//! (Lucky13). Both the IANA/Go names (`TLS_RSA_WITH_RC4_128_SHA`, Kubernetes
//! `--tls-cipher-suites`) and the OpenSSL names (`ECDHE-RSA-AES128-SHA`, nginx
//! `ssl-ciphers`) are understood. An IANA name that Go (so Kubernetes, the kubelet, etcd
//! and Traefik) does not know is reported as unknown: the component would refuse it, or
//! the list says something other than its author meant.
//!
//! The CIS Kubernetes Benchmark goes further for kube-apiserver (1.2.29) and the kubelet
//! (4.2.12): every configured suite must be on its allowlist, as kube-bench checks it.

/// How a configured IANA/Go suite name is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suite {
    Strong,
    Weak,
    /// Not a suite name Go's `crypto/tls` (or Kubernetes' flag parser) knows.
    Unknown,
}

/// Every suite name Go's `crypto/tls` accepts (secure and insecure lists), plus the two
/// legacy ChaCha20 aliases Kubernetes' `--tls-cipher-suites` still parses.
const GO_SUITES: [&str; 27] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_RSA_WITH_RC4_128_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
];

/// The suites CIS Kubernetes Benchmark v1.12 item 1.2.29 allows for kube-apiserver
/// `--tls-cipher-suites`, as kube-bench's `cfg/cis-1.12/master.yaml` checks them. The
/// v1.9-v1.11 lists add CBC (and in v1.9 RSA and 3DES) suites: a list inside this one
/// passes every version.
pub const CIS_APISERVER_SUITES: [&str; 11] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// The suites CIS Kubernetes Benchmark v1.12 item 4.2.12 allows for the kubelet
/// (`--tls-cipher-suites` or `tlsCipherSuites`), as kube-bench's `cfg/cis-1.12/node.yaml`
/// checks them. The v1.9-v1.11 lists add the two RSA key exchange GCM suites: a list
/// inside this one passes every version.
pub const CIS_KUBELET_SUITES: [&str; 6] = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
];

/// The names of a comma-separated IANA/Go list, trimmed, empty entries dropped.
pub fn iana_names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
}

/// Judges one IANA/Go suite name, exactly as written (Go's names are case-sensitive).
pub fn classify_iana(name: &str) -> Suite {
    if !GO_SUITES.contains(&name) {
        Suite::Unknown
    } else if is_weak_iana(name) {
        Suite::Weak
    } else {
        Suite::Strong
    }
}

fn is_weak_iana(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let cbc = upper.contains("_CBC_") && (upper.ends_with("_SHA") || upper.ends_with("_SHA256"));
    ["RC4", "3DES", "_DES_", "NULL", "EXPORT", "_ANON_", "MD5"]
        .iter()
        .any(|weak| upper.contains(weak))
        || cbc
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

    /// The weak and the unknown suites of a comma-separated list.
    fn judge_iana_list(list: &str) -> (Vec<&str>, Vec<&str>) {
        let of = |kind| {
            iana_names(list)
                .filter(|n| classify_iana(n) == kind)
                .collect()
        };
        (of(Suite::Weak), of(Suite::Unknown))
    }

    #[test]
    fn cis_allowlists_hold_only_strong_suites() {
        for name in CIS_APISERVER_SUITES.iter().chain(&CIS_KUBELET_SUITES) {
            assert_eq!(classify_iana(name), Suite::Strong, "{name}");
        }
        assert!(
            CIS_KUBELET_SUITES
                .iter()
                .all(|n| CIS_APISERVER_SUITES.contains(n))
        );
    }

    #[test]
    fn iana_lists() {
        let list = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_3DES_EDE_CBC_SHA,\
            TLS_ECDHE_RSA_WITH_RC4_128_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,\
            TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_CHACHA20_POLY1305_SHA256";
        let weak = [
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        ];
        assert_eq!(judge_iana_list(list), (weak.to_vec(), vec![]));
        let strong = "TLS_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305";
        assert_eq!(judge_iana_list(strong), (vec![], vec![]));
    }

    #[test]
    fn names_go_does_not_know_are_unknown() {
        for name in [
            "TLS_ECDHE_ECDSA_WITH_AES_64_GCM_SHA256",
            "Foo",
            "tls_ecdhe_rsa_with_aes_128_gcm_sha256",
            "TLS_RSA_WITH_RC4_128_MD5",
        ] {
            assert_eq!(classify_iana(name), Suite::Unknown, "{name}");
        }
        assert_eq!(
            judge_iana_list("Foo, TLS_RSA_WITH_RC4_128_SHA,"),
            (vec!["TLS_RSA_WITH_RC4_128_SHA"], vec!["Foo"])
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
