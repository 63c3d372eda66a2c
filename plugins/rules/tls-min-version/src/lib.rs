//! `tls-min-version`: TLS 1.2 or newer wherever TLS is configured, strong ciphers, no
//! disabled verification, no plaintext ingress.
//!
//! Knobs read, by check:
//! - `weak-protocol`: ingress-nginx `ssl-protocols` (Ingress annotation, controller
//!   ConfigMap key); AWS load balancer policies (Ingress `alb.ingress.kubernetes.io/ssl-policy`,
//!   Service `...aws-load-balancer-ssl-negotiation-policy`, and HTTPS listeners that fall back
//!   to the TLS 1.0 default); Istio Gateway `minProtocolVersion`; Traefik TLSOption
//!   `minVersion`; OpenShift `tlsSecurityProfile`; `--tls-min-version` on any container
//!   (kube-apiserver, kubelet, etcd, controller-manager, scheduler); KubeletConfiguration
//!   `tlsMinVersion`.
//! - `weak-ciphers`: `--tls-cipher-suites`, KubeletConfiguration `tlsCipherSuites`,
//!   Traefik TLSOption `cipherSuites`, ingress-nginx `ssl-ciphers`.
//! - `cis-cipher-suites`: kube-apiserver (CIS 1.2.29) and the kubelet (CIS 4.2.12) judged as
//!   kube-bench judges them: `--tls-cipher-suites` (or `tlsCipherSuites`) must be set, and
//!   every suite on the benchmark's allowlist. Weak and unknown suites keep their own checks
//!   and carry the CIS item too; this check holds the rest: the setting missing or empty,
//!   and strong suites the benchmark does not list (e.g. RSA key exchange).
//! - `verification-disabled`: APIService `insecureSkipTLSVerify`, kubeconfig
//!   `insecure-skip-tls-verify`, Istio DestinationRule `insecureSkipVerify` or plaintext to
//!   external hosts, flags and environment that turn verification off, HTTP webhook URLs,
//!   Prometheus-operator `tlsConfig.insecureSkipVerify` and `insecure_skip_verify` in
//!   Prometheus configurations carried by ConfigMaps and Secrets.
//! - `plaintext-ingress`: Ingress hosts served without TLS; `ssl-redirect: "false"`;
//!   OpenShift Routes without `spec.tls`; Gateway API `HTTP` listeners with no `HTTPS`
//!   twin; port 443 of an AWS load balancer that forwards plain HTTP without a certificate.
//! - `unknown-value`: a value none of the above understands (a protocol, a policy, a
//!   cipher suite name); never passed silently.
//!
//! One module per dialect family ([`ingress`], [`cloud`], [`mesh`], [`control_plane`],
//! [`openshift`], [`monitoring`]), each adding the kinds it knows to [`judge::Judge`], the
//! per-object context that reads fields and reports. Findings point only at fields that
//! exist: what is missing is reported at its nearest existing parent.
//!
//! Values are parsed, not grepped: every spelling Kubernetes, Go, etcd, nginx, Istio,
//! Traefik and OpenShift use is understood.

mod aws;
mod ciphers;
mod cloud;
mod command;
mod control_plane;
mod ingress;
mod judge;
mod mesh;
mod monitoring;
mod openshift;
mod protocol;
mod scrape;

use judge::Judge;
use tollgate_sdk::{
    Check, CheckError, Framework, Framework::*, InputKind, Manifests, Rule, RuleInfo, Severity,
    Verdict, control, controls_of, export_rule,
};

const TLS_CONTROLS: &[(Framework, &str)] = &[
    (Soc2, "CC6.1"),
    (Soc2, "CC6.7"),
    (Iso27001, "A.8.24"),
    (Iso27001, "A.8.20"),
    (Iso27001, "A.8.21"),
    (Iso27001, "A.5.14"),
];
pub(crate) const WEAK_PROTOCOL: Check = Check {
    id: "weak-protocol",
    severity: Severity::High,
    controls: TLS_CONTROLS,
};
pub(crate) const WEAK_CIPHERS: Check = Check {
    id: "weak-ciphers",
    severity: Severity::Medium,
    controls: TLS_CONTROLS,
};
/// Low: Go's default suites and strong suites off the list are not broken, they are
/// outside the benchmark.
pub(crate) const CIS_CIPHER_SUITES: Check = Check {
    id: "cis-cipher-suites",
    severity: Severity::Low,
    controls: TLS_CONTROLS,
};
pub(crate) const VERIFICATION_DISABLED: Check = Check {
    id: "verification-disabled",
    severity: Severity::High,
    controls: TLS_CONTROLS,
};
pub(crate) const PLAINTEXT_INGRESS: Check = Check {
    id: "plaintext-ingress",
    severity: Severity::Low,
    controls: TLS_CONTROLS,
};
pub(crate) const UNKNOWN_VALUE: Check = Check {
    id: "unknown-value",
    severity: Severity::Medium,
    controls: TLS_CONTROLS,
};
const CHECKS: [Check; 6] = [
    WEAK_PROTOCOL,
    WEAK_CIPHERS,
    CIS_CIPHER_SUITES,
    VERIFICATION_DISABLED,
    PLAINTEXT_INGRESS,
    UNKNOWN_VALUE,
];
/// CIS items on a component's cipher suites ("only makes use of strong cryptographic
/// ciphers"): cipher findings on kube-apiserver and on the kubelet break them too. They say
/// nothing of the minimum TLS version, so `weak-protocol` findings do not carry them.
pub(crate) const APISERVER_TLS_ITEM: (Framework, &str) = (CisKubernetes, "1.2.29");
pub(crate) const KUBELET_TLS_ITEM: (Framework, &str) = (CisKubernetes, "4.2.12");

struct TlsMinVersion;

impl Rule for TlsMinVersion {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "tls-min-version".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Allow only TLS 1.2 or newer".into(),
            description: "SSLv3, TLS 1.0 and TLS 1.1 are broken or deprecated (RFC 8996). \
                Every place that configures TLS (ingress controllers, cloud load balancers, \
                meshes, control-plane components, the kubelet) must accept TLS 1.2 or newer \
                only, with strong ciphers, verify the certificates it is shown, and serve \
                no host in plaintext."
                .into(),
            severity: Severity::High,
            inputs: vec![InputKind::Manifests],
            remediation: "Set the minimum to TLS 1.2: ssl-protocols \"TLSv1.2 TLSv1.3\" for \
                ingress-nginx, an ELBSecurityPolicy-TLS13-1-2-2021-06 policy on AWS, \
                minProtocolVersion TLSV1_2 for Istio, --tls-min-version=VersionTLS12 for \
                Kubernetes components; list only AEAD cipher suites, and set \
                --tls-cipher-suites (tlsCipherSuites) on kube-apiserver and the kubelet to \
                suites of the CIS Kubernetes Benchmark list; remove flags and \
                settings that skip verification; add a tls: entry for every Ingress host \
                and Route, and an HTTPS listener for every Gateway hostname."
                .into(),
            controls: controls_of(&CHECKS)
                .into_iter()
                .chain([APISERVER_TLS_ITEM, KUBELET_TLS_ITEM].map(control))
                .collect(),
        }
    }

    fn check_manifests(set: &Manifests, _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        let mut findings = Vec::new();
        let mut seen = Seen::default();
        for object in &set.objects {
            let mut judge = Judge {
                object,
                findings: &mut findings,
                seen: &mut seen,
            };
            let judged_kind = judge.kind();
            judge.seen.anything |= judged_kind;
            judge.containers();
        }
        let verdict = CHECKS.iter().fold(Verdict::of(findings), |v, check| {
            v.judged(check, seen.anything)
        });
        Ok(verdict
            .assessed(&[APISERVER_TLS_ITEM], seen.api_server)
            .assessed(&[KUBELET_TLS_ITEM], seen.kubelet))
    }
}

/// What the set held for the rule to judge, for the controls it can speak for.
#[derive(Default)]
pub(crate) struct Seen {
    /// Any object or container whose TLS settings the rule reads.
    anything: bool,
    /// A kube-apiserver container, whose cipher suites were judged (CIS 1.2.29).
    api_server: bool,
    /// A kubelet, by its `KubeletConfiguration` or its container, whose cipher suites were
    /// judged (CIS 4.2.12). OpenShift's `KubeletConfig` is not: its profiles are not the
    /// benchmark's lists.
    kubelet: bool,
}

export_rule!(TlsMinVersion);

impl Judge<'_> {
    /// Judges the object by its kind and API group, with the family module that knows
    /// it; whether it was a kind that configures TLS.
    fn kind(&mut self) -> bool {
        let object = self.object;
        match (object.kind.as_str(), object.api_group()) {
            ("Ingress", _) => self.ingress(),
            ("ConfigMap", "") => {
                self.nginx_configmap();
                self.configmap_scrape_configs();
            }
            ("Secret", "") => return self.secret_scrape_configs(),
            ("Service", "") => self.aws_service(),
            ("KubeletConfiguration", _) => self.kubelet_configuration(),
            ("Gateway", "networking.istio.io") => self.istio_gateway(),
            ("Gateway", "gateway.networking.k8s.io") => self.gateway_api(),
            ("DestinationRule", "networking.istio.io") => self.istio_destination_rule(),
            ("TLSOption", "traefik.io" | "traefik.containo.us") => self.traefik_option(),
            ("APIServer", "config.openshift.io")
            | ("IngressController", "operator.openshift.io")
            | ("KubeletConfig", "machineconfiguration.openshift.io") => self.openshift_profile(),
            ("Route", "route.openshift.io") => self.openshift_route(),
            (
                "ServiceMonitor" | "PodMonitor" | "Probe" | "ScrapeConfig",
                "monitoring.coreos.com",
            ) => self.prometheus_operator_target(),
            ("APIService", "apiregistration.k8s.io") => self.api_service(),
            ("Config", "") => self.kubeconfig(),
            ("ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration", _) => {
                self.webhooks()
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests;
