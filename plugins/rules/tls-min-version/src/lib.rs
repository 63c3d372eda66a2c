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
//! - `apiserver-cipher-suites` (CIS 1.2.29) and `kubelet-cipher-suites` (CIS 4.2.12):
//!   kube-apiserver's and the kubelet's suites judged as kube-bench judges them:
//!   `--tls-cipher-suites` (or `tlsCipherSuites`) must be set, and every suite on the
//!   benchmark's allowlist. The setting missing or empty is a finding, and so is any suite
//!   off the list: weak and unknown ones (which keep their own findings too) and strong
//!   ones the benchmark does not list (e.g. RSA key exchange).
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
//! Each check records as judged the objects that configure or serve what it reads (an
//! Ingress, a kube-apiserver container, a ConfigMap holding ingress-nginx TLS keys, ...),
//! never a container or ConfigMap without TLS settings: the scope its controls rest on.
//!
//! One module per dialect family ([`ingress`], [`cloud`], [`mesh`], [`control_plane`],
//! [`environment`], [`openshift`], [`monitoring`]), each with its own tests, adding the
//! kinds it knows to [`judge::Judge`], the per-object context that reports; each reads its
//! kinds as typed serde views (see [`tollgate_sdk::typed`]), pointers only locate. Findings
//! point only at fields that exist: what is missing is reported at its nearest existing
//! parent.
//!
//! Values are parsed, not grepped: every spelling Kubernetes, Go, etcd, nginx, Istio,
//! Traefik and OpenShift use is understood.

mod aws;
mod checks;
mod ciphers;
mod cloud;
mod command;
mod control_plane;
mod environment;
mod ingress;
mod judge;
mod mesh;
mod monitoring;
mod openshift;
mod protocol;
mod scrape;

use checks::CHECKS;
pub(crate) use checks::{
    APISERVER_CIPHER_SUITES, KUBELET_CIPHER_SUITES, PLAINTEXT_INGRESS, UNKNOWN_VALUE,
    VERIFICATION_DISABLED, WEAK_CIPHERS, WEAK_PROTOCOL,
};
use judge::Judge;
use tollgate_sdk::{
    CheckError, EachObject, InputKind, Manifests, Object, Rule, RuleInfo, RuleSpec, Tally, Verdict,
    each_object, export_rule, join, workload,
};

/// The kinds the rule reads: every kind that configures or serves TLS, ConfigMaps and
/// Secrets for ingress-nginx and Prometheus configurations, and workloads for their
/// containers' flags.
const KINDS: [&str; 29] = join(
    [
        "Ingress",
        "ConfigMap",
        "Secret",
        "Service",
        "KubeletConfiguration",
        "Gateway",
        "DestinationRule",
        "TLSOption",
        "APIServer",
        "IngressController",
        "KubeletConfig",
        "Route",
        "ServiceMonitor",
        "PodMonitor",
        "Probe",
        "ScrapeConfig",
        "APIService",
        "Config",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ],
    workload::KINDS,
);

const SPEC: RuleSpec = RuleSpec {
    id: "tls-min-version",
    version: env!("CARGO_PKG_VERSION"),
    title: "Allow only TLS 1.2 or newer",
    description: "SSLv3, TLS 1.0 and TLS 1.1 are broken or deprecated (RFC 8996). Every \
        place that configures TLS (ingress controllers, cloud load balancers, meshes, \
        control-plane components, the kubelet) must accept TLS 1.2 or newer only, with \
        strong ciphers (kube-apiserver and the kubelet: the CIS Benchmark's list), verify \
        the certificates it is shown, and serve no host in plaintext.",
    inputs: &[InputKind::Manifests],
    kinds: &KINDS,
    checks: &CHECKS,
};

struct TlsMinVersion;

impl Rule for TlsMinVersion {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(set: &Manifests, settings: &Self::Settings) -> Result<Verdict, CheckError> {
        each_object::<Self>(set, settings)
    }
}

/// Every finding rests on one object (an Ingress, a ConfigMap, a workload's flags): the
/// set is judged as it arrives.
impl EachObject for TlsMinVersion {
    fn judge(object: &Object, _namespace: &str, _settings: &Self::Settings, tally: &mut Tally) {
        let mut judge = Judge::new(object, tally);
        judge.kind();
        judge.containers();
    }
}

export_rule!(TlsMinVersion, each_object);

impl Judge<'_> {
    /// Judges the object by its kind and API group, with each family module in turn
    /// (a ConfigMap may configure ingress-nginx and carry a Prometheus configuration),
    /// and records which checks judged it. Kinds that always configure or serve TLS are
    /// recorded by the family; ConfigMaps, Secrets, Services, monitors and kubeconfigs
    /// only when they hold a TLS setting.
    fn kind(&mut self) {
        let object = self.object;
        let (kind, group) = (object.kind.as_str(), object.api_group());
        let families = [
            Self::ingress_kinds,
            Self::cloud_kinds,
            Self::mesh_kinds,
            Self::control_plane_kinds,
            Self::openshift_kinds,
            Self::monitoring_kinds,
        ];
        for family in families {
            let judged = family(self, kind, group);
            self.judged(judged);
        }
    }
}

#[cfg(test)]
mod tests;
