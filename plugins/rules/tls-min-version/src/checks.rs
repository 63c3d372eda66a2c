//! The rule's checks: what each reports, why, how to fix it, and the controls it
//! evidences. Every check shares [`TLS_CONTROLS`]; the cryptographic ones add NIST SC-13,
//! the cipher suites of kube-apiserver and the kubelet their CIS items.

use tollgate_sdk::framework::{CIS_KUBERNETES, ISO27001, NIST_800_53, SOC2};
use tollgate_sdk::{Check, ControlId, Severity, join};

/// What every check evidences: transmission protected (SOC 2 CC6.7, ISO A.5.14, A.8.21,
/// NIST SC-8, SC-8(1)), cryptography used as intended (A.8.24), and a configuration
/// standard kept (CC7.1, A.8.9, CM-6).
const TLS_CONTROLS: [ControlId; 9] = [
    (SOC2, "CC6.7"),
    (SOC2, "CC7.1"),
    (ISO27001, "A.5.14"),
    (ISO27001, "A.8.9"),
    (ISO27001, "A.8.21"),
    (ISO27001, "A.8.24"),
    (NIST_800_53, "SC-8"),
    (NIST_800_53, "SC-8(1)"),
    (NIST_800_53, "CM-6"),
];
/// Protocol versions and cipher suites: also cryptographic protection (SC-13).
const CRYPTO_CONTROLS: [ControlId; 10] = join(TLS_CONTROLS, [(NIST_800_53, "SC-13")]);
const APISERVER_CONTROLS: [ControlId; 11] = join(CRYPTO_CONTROLS, [(CIS_KUBERNETES, "1.2.29")]);
const KUBELET_CONTROLS: [ControlId; 11] = join(CRYPTO_CONTROLS, [(CIS_KUBERNETES, "4.2.12")]);
/// Verification off: also who is on the other end (CC6.1, A.8.5, SC-23).
const VERIFICATION_CONTROLS: [ControlId; 12] = join(
    TLS_CONTROLS,
    [(SOC2, "CC6.1"), (ISO27001, "A.8.5"), (NIST_800_53, "SC-23")],
);

/// What the CIS cipher checks ask for, in their remediation.
const CIS_SUITES: &str = "Set --tls-cipher-suites (tlsCipherSuites in a \
    KubeletConfiguration) to suites of the CIS Kubernetes Benchmark list only: ECDHE \
    suites with AES-GCM or ChaCha20-Poly1305";

pub const WEAK_PROTOCOL: Check = Check {
    id: "weak-protocol",
    title: "A minimum TLS version below 1.2 is configured",
    severity: Severity::High,
    rationale: "SSLv3, TLS 1.0 and TLS 1.1 are broken or deprecated (RFC 8996): a client \
        can be made to use them, and their weaknesses expose the traffic.",
    remediation: "Set the minimum to TLS 1.2: ssl-protocols \"TLSv1.2 TLSv1.3\" for \
        ingress-nginx, an ELBSecurityPolicy-TLS13-1-2-2021-06 policy on AWS, \
        minProtocolVersion TLSV1_2 for Istio, --tls-min-version=VersionTLS12 for \
        Kubernetes components.",
    controls: &CRYPTO_CONTROLS,
};
pub const WEAK_CIPHERS: Check = Check {
    id: "weak-ciphers",
    title: "A weak cipher suite is enabled",
    severity: Severity::Medium,
    rationale: "RC4, DES, 3DES, NULL, export and CBC-with-SHA-1 suites are broken or lack \
        forward secrecy, so recorded traffic can be decrypted.",
    remediation: "List only ECDHE suites with AES-GCM or ChaCha20-Poly1305 (and the TLS 1.3 \
        suites).",
    controls: &CRYPTO_CONTROLS,
};
/// Low: Go's default suites and strong suites off the list are not broken, they are
/// outside the benchmark; a weak suite is also its own `weak-ciphers` finding.
pub const APISERVER_CIPHER_SUITES: Check = Check {
    id: "apiserver-cipher-suites",
    title: "kube-apiserver does not limit its cipher suites to the CIS list",
    severity: Severity::Low,
    rationale: "Without --tls-cipher-suites the API server serves Go's defaults, which \
        include suites the CIS Kubernetes Benchmark (1.2.29) does not accept; so does a \
        list with any suite off the benchmark's.",
    remediation: CIS_SUITES,
    controls: &APISERVER_CONTROLS,
};
/// Low, as [`APISERVER_CIPHER_SUITES`].
pub const KUBELET_CIPHER_SUITES: Check = Check {
    id: "kubelet-cipher-suites",
    title: "The kubelet does not limit its cipher suites to the CIS list",
    severity: Severity::Low,
    rationale: "Without tlsCipherSuites (--tls-cipher-suites) the kubelet serves Go's \
        defaults, which include suites the CIS Kubernetes Benchmark (4.2.12) does not \
        accept; so does a list with any suite off the benchmark's.",
    remediation: CIS_SUITES,
    controls: &KUBELET_CONTROLS,
};
pub const VERIFICATION_DISABLED: Check = Check {
    id: "verification-disabled",
    title: "Certificate verification is switched off",
    severity: Severity::High,
    rationale: "A client that does not verify the certificate it is shown talks to \
        whoever answers: a man in the middle reads and changes the traffic.",
    remediation: "Remove the flags and settings that skip verification (insecureSkipVerify, \
        insecure-skip-tls-verify, --kubelet-insecure-tls, http:// URLs) and give the \
        client the right CA bundle instead.",
    controls: &VERIFICATION_CONTROLS,
};
pub const PLAINTEXT_INGRESS: Check = Check {
    id: "plaintext-ingress",
    title: "A host or port is served without TLS",
    severity: Severity::Low,
    rationale: "Traffic served in plaintext can be read and changed on the way, \
        credentials and session cookies included.",
    remediation: "Add a tls: entry for every Ingress host and Route, an HTTPS listener for \
        every Gateway hostname, and a certificate for port 443 of a load balancer; keep \
        ssl-redirect on.",
    controls: &TLS_CONTROLS,
};
pub const UNKNOWN_VALUE: Check = Check {
    id: "unknown-value",
    title: "A TLS setting holds a value the rule cannot judge",
    severity: Severity::Medium,
    rationale: "A protocol, policy or cipher suite name the rule does not know is either \
        a typo the component refuses or something other than its author meant; it is \
        not passed silently.",
    remediation: "Spell the value as the component documents it (e.g. VersionTLS12, \
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).",
    controls: &TLS_CONTROLS,
};

/// Every check of the rule.
pub const CHECKS: [Check; 7] = [
    WEAK_PROTOCOL,
    WEAK_CIPHERS,
    APISERVER_CIPHER_SUITES,
    KUBELET_CIPHER_SUITES,
    VERIFICATION_DISABLED,
    PLAINTEXT_INGRESS,
    UNKNOWN_VALUE,
];
/// The checks that read a minimum version and a list of cipher suites.
pub const VERSION_AND_SUITES: [Check; 3] = [WEAK_PROTOCOL, WEAK_CIPHERS, UNKNOWN_VALUE];
