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
//!   ingress-nginx `ssl-ciphers`.
//! - `verification-disabled`: APIService `insecureSkipTLSVerify`, kubeconfig
//!   `insecure-skip-tls-verify`, Istio DestinationRule `insecureSkipVerify` or plaintext to
//!   external hosts, flags and environment that turn verification off, HTTP webhook URLs.
//! - `plaintext-ingress`: Ingress hosts served without TLS; `ssl-redirect: "false"`.
//! - `unknown-value`: a value none of the above understands; never passed silently.
//!
//! Values are parsed, not grepped: every spelling Kubernetes, Go, etcd, nginx, Istio,
//! Traefik and OpenShift use is understood.

mod aws;
mod ciphers;
mod command;
mod protocol;

use command::{CommandLine, environment, is_true};
use protocol::{Protocol, parse_list};
use tollgate_sdk::{
    Check, CheckError, Finding, Framework, Framework::*, InputKind, Manifests, Object, Pointer,
    Rule, RuleInfo, Severity, Value, Verdict, control, controls_of, export_rule, workload,
};

const NGINX_PROTOCOLS: &str = "nginx.ingress.kubernetes.io/ssl-protocols";
const NGINX_CIPHERS: &str = "nginx.ingress.kubernetes.io/ssl-ciphers";
const NGINX_SSL_REDIRECT: &str = "nginx.ingress.kubernetes.io/ssl-redirect";
const ALB_SSL_POLICY: &str = "alb.ingress.kubernetes.io/ssl-policy";
const ALB_LISTEN_PORTS: &str = "alb.ingress.kubernetes.io/listen-ports";
const ALB_CERTIFICATE: &str = "alb.ingress.kubernetes.io/certificate-arn";
const GCE_CERTIFICATES: [&str; 2] = [
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "networking.gke.io/managed-certificates",
];
const SERVICE_SSL_POLICY: &str =
    "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy";
const SERVICE_SSL_CERT: &str = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";

const TLS_CONTROLS: &[(Framework, &str)] = &[
    (Soc2, "CC6.1"),
    (Soc2, "CC6.7"),
    (Iso27001, "A.8.24"),
    (Iso27001, "A.8.20"),
    (Iso27001, "A.8.21"),
    (Iso27001, "A.5.14"),
];
const WEAK_PROTOCOL: Check = Check {
    id: "weak-protocol",
    severity: Severity::High,
    controls: TLS_CONTROLS,
};
const WEAK_CIPHERS: Check = Check {
    id: "weak-ciphers",
    severity: Severity::Medium,
    controls: TLS_CONTROLS,
};
const VERIFICATION_DISABLED: Check = Check {
    id: "verification-disabled",
    severity: Severity::High,
    controls: TLS_CONTROLS,
};
const PLAINTEXT_INGRESS: Check = Check {
    id: "plaintext-ingress",
    severity: Severity::Low,
    controls: TLS_CONTROLS,
};
const UNKNOWN_VALUE: Check = Check {
    id: "unknown-value",
    severity: Severity::Medium,
    controls: TLS_CONTROLS,
};
const CHECKS: [Check; 5] = [
    WEAK_PROTOCOL,
    WEAK_CIPHERS,
    VERIFICATION_DISABLED,
    PLAINTEXT_INGRESS,
    UNKNOWN_VALUE,
];
/// CIS items covering a component's TLS settings (strong ciphers and versions): findings
/// on kube-apiserver and on the kubelet break them too.
const APISERVER_TLS_ITEM: (Framework, &str) = (CisKubernetes, "1.2.29");
const KUBELET_TLS_ITEM: (Framework, &str) = (CisKubernetes, "4.2.12");

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
                Kubernetes components; list only AEAD cipher suites; remove flags that \
                skip verification; add a tls: entry for every Ingress host."
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
            let judged_kind = match (object.kind.as_str(), object.api_group()) {
                ("Ingress", _) => {
                    judge.ingress();
                    true
                }
                ("ConfigMap", "") => {
                    judge.nginx_configmap();
                    true
                }
                ("Service", "") => {
                    judge.aws_service();
                    true
                }
                ("KubeletConfiguration", _) => {
                    judge.kubelet_configuration();
                    true
                }
                ("Gateway", "networking.istio.io") => {
                    judge.istio_gateway();
                    true
                }
                ("DestinationRule", "networking.istio.io") => {
                    judge.istio_destination_rule();
                    true
                }
                ("TLSOption", "traefik.io" | "traefik.containo.us") => {
                    judge.traefik_option();
                    true
                }
                ("APIServer", "config.openshift.io")
                | ("IngressController", "operator.openshift.io")
                | ("KubeletConfig", "machineconfiguration.openshift.io") => {
                    judge.openshift_profile();
                    true
                }
                ("APIService", "apiregistration.k8s.io") => {
                    judge.api_service();
                    true
                }
                ("Config", "") => {
                    judge.kubeconfig();
                    true
                }
                ("ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration", _) => {
                    judge.webhooks();
                    true
                }
                _ => false,
            };
            judge.seen.anything |= judged_kind;
            judge.seen.kubelet |= judged_kind && object.kind.starts_with("KubeletConfig");
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
struct Seen {
    /// Any object or container whose TLS settings the rule reads.
    anything: bool,
    /// A kube-apiserver container (CIS 1.2.29).
    api_server: bool,
    /// A kubelet, by its configuration or its container (CIS 4.2.12).
    kubelet: bool,
}

export_rule!(TlsMinVersion);

/// What runs a TLS endpoint, for the CIS item that covers it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Component {
    ApiServer,
    Kubelet,
    Other,
}

impl Component {
    fn of_program(program: Option<&str>) -> Self {
        match program {
            Some("kube-apiserver") => Self::ApiServer,
            Some("kubelet") => Self::Kubelet,
            _ => Self::Other,
        }
    }

    /// Adds the CIS item of this component, if any, to a finding about its TLS settings.
    fn mark(self, finding: Finding) -> Finding {
        match self {
            Self::ApiServer => finding.with_control(APISERVER_TLS_ITEM),
            Self::Kubelet => finding.with_control(KUBELET_TLS_ITEM),
            Self::Other => finding,
        }
    }
}

/// The findings of one object.
struct Judge<'a> {
    object: &'a Object,
    findings: &'a mut Vec<Finding>,
    seen: &'a mut Seen,
}

impl Judge<'_> {
    fn value(&self, pointer: &str) -> Option<&Value> {
        self.object.value().pointer(pointer)
    }

    fn text(&self, pointer: &str) -> Option<&str> {
        self.value(pointer).and_then(Value::as_str)
    }

    fn report(&mut self, check: Check, at: Pointer, what: String) {
        let message = format!("{}: {what}", self.object.display_name());
        self.findings.push(check.at(self.object, at, message));
    }

    fn unknown(&mut self, at: Pointer, what: &str, value: &str) {
        self.report(
            UNKNOWN_VALUE,
            at,
            format!("{what} has the unrecognised value {value:?}; it cannot be judged, so it is not passed"),
        );
    }

    /// A minimum version setting (`--tls-min-version`, `tlsMinVersion`, `minVersion`, ...).
    fn minimum(&mut self, at: Pointer, what: &str, value: &str, fix: &str, component: Component) {
        match Protocol::parse(value) {
            None => self.unknown(at, what, value),
            Some(p) if p.is_weak() => {
                let message = format!(
                    "{}: {what} is {value} ({}), below TLS 1.2; set it to {fix}",
                    self.object.display_name(),
                    p.name()
                );
                let finding = component.mark(WEAK_PROTOCOL.at(self.object, at, message));
                self.findings.push(finding);
            }
            Some(_) => {}
        }
    }

    /// The minimum version set at `pointer`, if it is set.
    fn minimum_field(&mut self, pointer: &str, what: &str, fix: &str, component: Component) {
        if let Some(value) = self.text(pointer).map(str::to_owned) {
            self.minimum(Pointer::parse(pointer), what, &value, fix, component);
        }
    }

    /// Each weak suite of the list of IANA suite names at `pointer`.
    fn cipher_suites(&mut self, pointer: &str, what: &str, component: Component) {
        let suites: Vec<(usize, String)> = self
            .value(pointer)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, v)| v.as_str().map(|s| (i, s.to_owned())))
            .collect();
        for (i, suite) in suites {
            if !ciphers::weak_iana(&suite).is_empty() {
                let message = format!(
                    "{}: {what} includes the weak suite {suite}; list only ECDHE AEAD suites",
                    self.object.display_name()
                );
                let finding = WEAK_CIPHERS.at(self.object, Pointer::parse(pointer).at(i), message);
                self.findings.push(component.mark(finding));
            }
        }
    }

    /// ingress-nginx `ssl-protocols`: a space-separated list; any below TLS 1.2 fails.
    fn nginx_protocols(&mut self, at: Pointer, what: &str, value: &str) {
        let (known, unknown) = parse_list(value);
        let weak: Vec<&str> = known
            .iter()
            .filter(|(_, p)| p.is_weak())
            .map(|(token, _)| *token)
            .collect();
        if let Some(lowest) = known.iter().map(|(_, p)| *p).min().filter(|p| p.is_weak()) {
            self.report(
                WEAK_PROTOCOL,
                at.clone(),
                format!(
                    "{what} enables {} (effective minimum {}); set it to \"TLSv1.2 TLSv1.3\"",
                    weak.join(", "),
                    lowest.name()
                ),
            );
        }
        for token in unknown {
            self.unknown(at.clone(), what, token);
        }
    }

    /// ingress-nginx `ssl-ciphers`: an OpenSSL cipher string.
    fn nginx_ciphers(&mut self, at: Pointer, what: &str, value: &str) {
        let weak = ciphers::weak_openssl(value);
        if !weak.is_empty() {
            self.report(
                WEAK_CIPHERS,
                at,
                format!(
                    "{what} enables weak ciphers {}; list only ECDHE AEAD ciphers (GCM, CHACHA20)",
                    weak.join(", ")
                ),
            );
        }
    }

    fn ingress(&mut self) {
        let object = self.object;
        let annotation = |key: &str| object.annotation(key);
        let annotation_at = |key: &str| Pointer::root().path(["metadata", "annotations", key]);

        if let Some(value) = annotation(NGINX_PROTOCOLS) {
            self.nginx_protocols(
                annotation_at(NGINX_PROTOCOLS),
                "ingress-nginx annotation ssl-protocols",
                value,
            );
        }
        if let Some(value) = annotation(NGINX_CIPHERS) {
            self.nginx_ciphers(
                annotation_at(NGINX_CIPHERS),
                "ingress-nginx annotation ssl-ciphers",
                value,
            );
        }

        // AWS load balancer controller: a named policy, or the TLS 1.0 default on HTTPS.
        let https_listener = annotation(ALB_LISTEN_PORTS).is_some_and(|p| p.contains("HTTPS"))
            || annotation(ALB_CERTIFICATE).is_some();
        match annotation(ALB_SSL_POLICY) {
            Some(policy) => {
                self.aws_policy(annotation_at(ALB_SSL_POLICY), "ALB ssl-policy", policy)
            }
            None if https_listener => {
                let key = if annotation(ALB_LISTEN_PORTS).is_some() {
                    ALB_LISTEN_PORTS
                } else {
                    ALB_CERTIFICATE
                };
                self.report(
                    WEAK_PROTOCOL,
                    annotation_at(key),
                    format!(
                        "ALB HTTPS listener has no ssl-policy and falls back to {} (effective minimum TLS 1.0); set {ALB_SSL_POLICY}: ELBSecurityPolicy-TLS13-1-2-2021-06",
                        aws::DEFAULT_POLICY
                    ),
                );
            }
            None => {}
        }

        let tls_by_annotation =
            https_listener || GCE_CERTIFICATES.iter().any(|key| annotation(key).is_some());
        let tls_entries = self
            .value("/spec/tls")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let has_tls = tls_by_annotation || !tls_entries.is_empty();
        if has_tls && annotation(NGINX_SSL_REDIRECT).is_some_and(command::is_false) {
            self.report(
                PLAINTEXT_INGRESS,
                annotation_at(NGINX_SSL_REDIRECT),
                "ssl-redirect is \"false\": clients may keep using plain HTTP; remove it or set it to \"true\"".into(),
            );
        }
        if !tls_by_annotation {
            self.plaintext_hosts(&tls_entries);
        }
    }

    /// Ingress hosts that no `spec.tls` entry covers are served in plaintext.
    fn plaintext_hosts(&mut self, tls_entries: &[Value]) {
        let tls_hosts: Vec<&str> = tls_entries
            .iter()
            .filter_map(|t| t.get("hosts").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        // An entry without hosts serves the controller's default certificate for all.
        let default_certificate = tls_entries.iter().any(|t| t.get("hosts").is_none());
        let covered = |host: &str| {
            default_certificate
                || tls_hosts
                    .iter()
                    .any(|pattern| match pattern.strip_prefix("*.") {
                        Some(suffix) => {
                            host.split_once('.').is_some_and(|(_, rest)| rest == suffix)
                        }
                        None => *pattern == host,
                    })
        };
        let rules = self
            .value("/spec/rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, rule) in rules.iter().enumerate() {
            let at = Pointer::root().path(["spec", "rules"]).at(i);
            match rule.get("host").and_then(Value::as_str) {
                Some(host) if !covered(host) => self.report(
                    PLAINTEXT_INGRESS,
                    at.at("host"),
                    format!("host {host} is served without TLS; add it to a spec.tls entry"),
                ),
                None if !default_certificate => self.report(
                    PLAINTEXT_INGRESS,
                    at,
                    "a rule without a host is served without TLS; add a spec.tls entry".into(),
                ),
                _ => {}
            }
        }
        if rules.is_empty()
            && tls_entries.is_empty()
            && self.value("/spec/defaultBackend").is_some()
        {
            self.report(
                PLAINTEXT_INGRESS,
                Pointer::root().path(["spec", "defaultBackend"]),
                "the default backend is served without TLS; add a spec.tls entry".into(),
            );
        }
    }

    /// A named AWS ELB security policy.
    fn aws_policy(&mut self, at: Pointer, what: &str, policy: &str) {
        match aws::lowest_protocol(policy) {
            None => self.unknown(at, what, policy),
            Some(lowest) if lowest.is_weak() => self.report(
                WEAK_PROTOCOL,
                at,
                format!(
                    "{what} {policy} allows {} (effective minimum); use ELBSecurityPolicy-TLS13-1-2-2021-06",
                    lowest.name()
                ),
            ),
            Some(_) => {}
        }
    }

    fn nginx_configmap(&mut self) {
        if let Some(value) = self.text("/data/ssl-protocols") {
            let value = value.to_owned();
            let at = Pointer::root().path(["data", "ssl-protocols"]);
            self.nginx_protocols(at, "ingress-nginx ConfigMap key ssl-protocols", &value);
        }
        if let Some(value) = self.text("/data/ssl-ciphers") {
            let value = value.to_owned();
            let at = Pointer::root().path(["data", "ssl-ciphers"]);
            self.nginx_ciphers(at, "ingress-nginx ConfigMap key ssl-ciphers", &value);
        }
    }

    fn aws_service(&mut self) {
        let at = |key: &str| Pointer::root().path(["metadata", "annotations", key]);
        match self.object.annotation(SERVICE_SSL_POLICY) {
            Some(policy) => self.aws_policy(at(SERVICE_SSL_POLICY), "AWS load balancer ssl-negotiation-policy", policy),
            None if self.object.annotation(SERVICE_SSL_CERT).is_some() => self.report(
                WEAK_PROTOCOL,
                at(SERVICE_SSL_CERT),
                format!(
                    "AWS load balancer TLS listener has no ssl-negotiation-policy and falls back to {} (effective minimum TLS 1.0); set {SERVICE_SSL_POLICY}: ELBSecurityPolicy-TLS13-1-2-2021-06",
                    aws::DEFAULT_POLICY
                ),
            ),
            None => {}
        }
    }

    fn kubelet_configuration(&mut self) {
        let fix = "VersionTLS12 or newer";
        self.minimum_field("/tlsMinVersion", "tlsMinVersion", fix, Component::Kubelet);
        self.cipher_suites("/tlsCipherSuites", "tlsCipherSuites", Component::Kubelet);
    }

    fn istio_gateway(&mut self) {
        let servers = self
            .value("/spec/servers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, server) in servers.iter().enumerate() {
            let Some(version) = server
                .pointer("/tls/minProtocolVersion")
                .and_then(Value::as_str)
            else {
                continue;
            };
            if version == "TLS_AUTO" {
                continue;
            }
            let at = Pointer::root()
                .path(["spec", "servers"])
                .at(i)
                .path(["tls", "minProtocolVersion"]);
            self.minimum(
                at,
                "Istio Gateway minProtocolVersion",
                version,
                "TLSV1_2 or TLSV1_3",
                Component::Other,
            );
        }
    }

    fn istio_destination_rule(&mut self) {
        let host = self.text("/spec/host").unwrap_or("").to_owned();
        let external = host.contains('.')
            && !host.contains('*')
            && ![".svc", ".svc.cluster.local", ".cluster.local"]
                .iter()
                .any(|s| host.ends_with(s));
        let mut policies: Vec<(Pointer, Value)> = Vec::new();
        let mut collect = |at: Pointer, policy: Option<&Value>| {
            let Some(policy) = policy else { return };
            policies.push((
                at.at("tls"),
                policy.get("tls").cloned().unwrap_or(Value::Null),
            ));
            for (i, port) in policy
                .get("portLevelSettings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                policies.push((
                    at.at("portLevelSettings").at(i).at("tls"),
                    port.get("tls").cloned().unwrap_or(Value::Null),
                ));
            }
        };
        collect(
            Pointer::root().path(["spec", "trafficPolicy"]),
            self.value("/spec/trafficPolicy"),
        );
        let subsets = self
            .value("/spec/subsets")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, subset) in subsets.iter().enumerate() {
            collect(
                Pointer::root()
                    .path(["spec", "subsets"])
                    .at(i)
                    .at("trafficPolicy"),
                subset.get("trafficPolicy"),
            );
        }
        for (at, tls) in policies {
            if tls.get("insecureSkipVerify").and_then(Value::as_bool) == Some(true) {
                self.report(
                    VERIFICATION_DISABLED,
                    at.at("insecureSkipVerify"),
                    format!("insecureSkipVerify is true: the certificate of {host} is not verified; remove it and set caCertificates"),
                );
            }
            if external && tls.get("mode").and_then(Value::as_str) == Some("DISABLE") {
                self.report(
                    VERIFICATION_DISABLED,
                    at.at("mode"),
                    format!("tls mode DISABLE sends plaintext to the external host {host}; use SIMPLE or MUTUAL"),
                );
            }
        }
    }

    fn traefik_option(&mut self) {
        let what = "Traefik TLSOption minVersion";
        self.minimum_field(
            "/spec/minVersion",
            what,
            "VersionTLS12 or newer",
            Component::Other,
        );
        self.cipher_suites(
            "/spec/cipherSuites",
            "Traefik TLSOption cipherSuites",
            Component::Other,
        );
    }

    /// OpenShift `spec.tlsSecurityProfile`: `Old` allows TLS 1.0; `Custom` says its minimum.
    fn openshift_profile(&mut self) {
        let at = Pointer::root().path(["spec", "tlsSecurityProfile"]);
        let Some(kind) = self
            .text("/spec/tlsSecurityProfile/type")
            .map(str::to_owned)
        else {
            return;
        };
        match kind.as_str() {
            "Intermediate" | "Modern" => {}
            "Old" => self.report(
                WEAK_PROTOCOL,
                at.at("type"),
                "tlsSecurityProfile type Old allows TLS 1.0 (effective minimum TLS 1.0); use Intermediate or Modern".into(),
            ),
            "Custom" => match self.text("/spec/tlsSecurityProfile/custom/minTLSVersion").map(str::to_owned) {
                Some(version) => self.minimum(
                    at.path(["custom", "minTLSVersion"]),
                    "tlsSecurityProfile custom minTLSVersion",
                    &version,
                    "VersionTLS12 or newer",
                    Component::Other,
                ),
                None => self.unknown(at.at("type"), "tlsSecurityProfile Custom without minTLSVersion", "Custom"),
            },
            other => self.unknown(at.at("type"), "tlsSecurityProfile type", other),
        }
    }

    fn api_service(&mut self) {
        if self
            .value("/spec/insecureSkipTLSVerify")
            .and_then(Value::as_bool)
            == Some(true)
        {
            self.report(
                VERIFICATION_DISABLED,
                Pointer::root().path(["spec", "insecureSkipTLSVerify"]),
                "insecureSkipTLSVerify is true: the API server does not verify this extension API's certificate; set caBundle instead".into(),
            );
        }
    }

    fn kubeconfig(&mut self) {
        let clusters = self
            .value("/clusters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, cluster) in clusters.iter().enumerate() {
            if cluster
                .pointer("/cluster/insecure-skip-tls-verify")
                .and_then(Value::as_bool)
                == Some(true)
            {
                let name = cluster.get("name").and_then(Value::as_str).unwrap_or("");
                self.report(
                    VERIFICATION_DISABLED,
                    Pointer::root().at("clusters").at(i).path(["cluster", "insecure-skip-tls-verify"]),
                    format!("kubeconfig cluster {name} sets insecure-skip-tls-verify: true; set certificate-authority-data instead"),
                );
            }
        }
    }

    fn webhooks(&mut self) {
        let webhooks = self
            .value("/webhooks")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, webhook) in webhooks.iter().enumerate() {
            if let Some(url) = webhook.pointer("/clientConfig/url").and_then(Value::as_str)
                && url.to_ascii_lowercase().starts_with("http://")
            {
                self.report(
                    VERIFICATION_DISABLED,
                    Pointer::root()
                        .at("webhooks")
                        .at(i)
                        .path(["clientConfig", "url"]),
                    format!("webhook URL {url} is plain HTTP; use https:// with a caBundle"),
                );
            }
        }
    }

    /// Command lines and environment of every container of a workload.
    fn containers(&mut self) {
        let Some(template) = workload::pod_template(self.object) else {
            return;
        };
        for container in template.containers() {
            let name = container.name;
            let line = CommandLine::of(&container);
            let component = Component::of_program(line.program());
            self.seen.anything = true;
            self.seen.api_server |= component == Component::ApiServer;
            self.seen.kubelet |= component == Component::Kubelet;
            for (value, at) in line.values("--tls-min-version") {
                let what = format!("container {name} --tls-min-version");
                self.minimum(
                    at.clone(),
                    &what,
                    value,
                    "VersionTLS12 or newer (TLS1.2 for etcd)",
                    component,
                );
            }
            for (value, at) in line.values("--tls-cipher-suites") {
                let weak = ciphers::weak_iana(value);
                if !weak.is_empty() {
                    let message = format!(
                        "{}: container {name} --tls-cipher-suites includes weak suites {}; list only ECDHE AEAD suites",
                        self.object.display_name(),
                        weak.join(", ")
                    );
                    let finding = component.mark(WEAK_CIPHERS.at(self.object, at.clone(), message));
                    self.findings.push(finding);
                }
            }
            let mut off = Vec::new();
            for flag in [
                "--insecure-skip-tls-verify",
                "--kubelet-insecure-tls",
                "--skip-tls-verify",
                "--insecure",
            ] {
                off.extend(
                    line.enabled(flag)
                        .into_iter()
                        .map(|at| (flag.to_owned(), at.clone())),
                );
            }
            off.extend(
                line.disabled("--tls-verify")
                    .into_iter()
                    .map(|at| ("--tls-verify=false".to_owned(), at.clone())),
            );
            for (value, at) in line.values("--insecure-registry") {
                off.push((format!("--insecure-registry={value}"), at.clone()));
            }
            for (flag, at) in off {
                self.report(
                    VERIFICATION_DISABLED,
                    at,
                    format!("container {name} runs with {flag}: TLS certificates are not verified; remove it and trust the right CA"),
                );
            }
            for (variable, value, at) in environment(&container) {
                let disables = match variable {
                    "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => value == "0",
                    "GIT_SSL_NO_VERIFY" => is_true(value),
                    _ => false,
                };
                if disables {
                    self.report(
                        VERIFICATION_DISABLED,
                        at,
                        format!("container {name} sets {variable}={value}: TLS certificates are not verified; remove it"),
                    );
                } else if variable.to_ascii_lowercase().contains("registry")
                    && value.to_ascii_lowercase().starts_with("http://")
                {
                    self.report(
                        VERIFICATION_DISABLED,
                        at,
                        format!("container {name} uses the plain HTTP registry {value} ({variable}); use https://"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::{Location, serde_json::json};

    /// `(check, pointer, CIS items)` of every finding on one object.
    fn found(value: Value) -> Vec<(String, String, Vec<String>)> {
        let set = Manifests::from_values("default", vec![value]).unwrap();
        TlsMinVersion::check_manifests(&set, &tollgate_sdk::NoSettings {})
            .map(|verdict| verdict.findings)
            .unwrap()
            .into_iter()
            .map(|f| match f.location {
                Location::Object(o) => (
                    f.check,
                    o.pointer,
                    f.controls
                        .into_iter()
                        .filter(|c| c.framework == CisKubernetes)
                        .map(|c| c.id)
                        .collect(),
                ),
                Location::File(_) => panic!("object finding expected"),
            })
            .collect()
    }

    fn one(check: &str, pointer: &str) -> Vec<(String, String, Vec<String>)> {
        vec![(check.into(), pointer.into(), vec![])]
    }

    fn ingress(annotations: Value, spec: Value) -> Value {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "i", "annotations": annotations}, "spec": spec})
    }

    fn with_tls() -> Value {
        json!({"tls": [{"hosts": ["a.example.com"], "secretName": "a"}], "rules": [{"host": "a.example.com"}]})
    }

    #[test]
    fn nginx_lists_are_parsed() {
        let at = "/metadata/annotations/nginx.ingress.kubernetes.io~1ssl-protocols";
        let nginx = |p: &str| found(ingress(json!({NGINX_PROTOCOLS: p}), with_tls()));
        assert!(nginx("TLSv1.2 TLSv1.3").is_empty());
        assert!(nginx("  tlsv1.3 ").is_empty());
        assert_eq!(nginx("TLSv1 TLSv1.2"), one("weak-protocol", at));
        assert_eq!(nginx("TLSv1.2 TLSv9"), one("unknown-value", at));
    }

    #[test]
    fn nginx_ciphers() {
        let at = "/metadata/annotations/nginx.ingress.kubernetes.io~1ssl-ciphers";
        let weak = ingress(
            json!({NGINX_CIPHERS: "ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA"}),
            with_tls(),
        );
        assert_eq!(found(weak), one("weak-ciphers", at));
    }

    #[test]
    fn alb_policies_and_default() {
        let at = "/metadata/annotations/alb.ingress.kubernetes.io~1ssl-policy";
        let alb = |a: Value| found(ingress(a, json!({"rules": [{"host": "a.example.com"}]})));
        assert!(alb(json!({ALB_SSL_POLICY: "ELBSecurityPolicy-TLS13-1-2-2021-06", ALB_CERTIFICATE: "arn:x"})).is_empty());
        assert_eq!(
            alb(
                json!({ALB_SSL_POLICY: "ELBSecurityPolicy-TLS-1-1-2017-01", ALB_CERTIFICATE: "arn:x"})
            ),
            one("weak-protocol", at)
        );
        assert_eq!(
            alb(json!({ALB_SSL_POLICY: "custom", ALB_CERTIFICATE: "arn:x"})),
            one("unknown-value", at)
        );
        assert_eq!(
            alb(json!({ALB_LISTEN_PORTS: "[{\"HTTPS\": 443}]"})),
            one(
                "weak-protocol",
                "/metadata/annotations/alb.ingress.kubernetes.io~1listen-ports"
            )
        );
    }

    #[test]
    fn plaintext_hosts_and_redirects() {
        let spec = json!({"tls": [{"hosts": ["*.example.com"]}],
                          "rules": [{"host": "a.example.com"}, {"host": "example.org"}, {}]});
        assert_eq!(
            found(ingress(json!({}), spec)),
            [
                (
                    "plaintext-ingress".into(),
                    "/spec/rules/1/host".into(),
                    vec![]
                ),
                ("plaintext-ingress".into(), "/spec/rules/2".into(), vec![])
            ]
        );
        let default_cert =
            json!({"tls": [{"secretName": "wildcard"}], "rules": [{"host": "x.io"}]});
        assert!(found(ingress(json!({}), default_cert)).is_empty());
        assert_eq!(
            found(ingress(json!({NGINX_SSL_REDIRECT: "false"}), with_tls())),
            one(
                "plaintext-ingress",
                "/metadata/annotations/nginx.ingress.kubernetes.io~1ssl-redirect"
            )
        );
    }

    #[test]
    fn apiserver_flags_in_both_forms() {
        let pod = |args: Value| {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver", "namespace": "kube-system"},
                   "spec": {"containers": [{"name": "kube-apiserver", "command": ["kube-apiserver"], "args": args}]}})
        };
        let cis = |check: &str, at: &str| {
            vec![(check.to_owned(), at.to_owned(), vec!["1.2.29".to_owned()])]
        };
        assert_eq!(
            found(pod(json!([
                "--secure-port=6443",
                "--tls-min-version=VersionTLS11"
            ]))),
            cis("weak-protocol", "/spec/containers/0/args/1")
        );
        assert_eq!(
            found(pod(json!(["--tls-min-version", "VersionTLS10"]))),
            cis("weak-protocol", "/spec/containers/0/args/1")
        );
        assert_eq!(
            found(pod(json!([
                "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA"
            ]))),
            cis("weak-ciphers", "/spec/containers/0/args/0")
        );
        assert!(found(pod(json!(["--tls-min-version=VersionTLS12"]))).is_empty());
    }

    #[test]
    fn shell_command_strings_and_etcd_spelling() {
        let etcd = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "etcd"},
            "spec": {"template": {"spec": {"containers": [{"name": "etcd",
                "command": ["/bin/sh", "-c", "exec etcd --tls-min-version=TLS1.1 --data-dir=/var/lib/etcd"]}]}}}});
        assert_eq!(
            found(etcd),
            one(
                "weak-protocol",
                "/spec/template/spec/containers/0/command/2"
            )
        );
    }

    #[test]
    fn verification_switched_off_by_flags_and_environment() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "m"},
            "spec": {"template": {"spec": {"containers": [{"name": "metrics-server",
                "args": ["--kubelet-insecure-tls", "--tls-verify=false", "--insecure-skip-tls-verify=false"],
                "env": [{"name": "NODE_TLS_REJECT_UNAUTHORIZED", "value": "0"},
                        {"name": "PYTHONHTTPSVERIFY", "value": "1"},
                        {"name": "REGISTRY_MIRROR", "value": "http://mirror.local:5000"}]}]}}}});
        let checks: Vec<(String, String)> = found(deployment)
            .into_iter()
            .map(|(c, p, _)| (c, p))
            .collect();
        let base = "/spec/template/spec/containers/0";
        assert_eq!(
            checks,
            [
                ("verification-disabled".into(), format!("{base}/args/0")),
                ("verification-disabled".into(), format!("{base}/args/1")),
                (
                    "verification-disabled".into(),
                    format!("{base}/env/0/value")
                ),
                (
                    "verification-disabled".into(),
                    format!("{base}/env/2/value")
                ),
            ]
        );
    }

    #[test]
    fn kubelet_configuration() {
        let config = |v: &str, suites: Value| json!({"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "tlsMinVersion": v, "tlsCipherSuites": suites});
        let kubelet =
            |check: &str, at: &str| (check.to_owned(), at.to_owned(), vec!["4.2.12".to_owned()]);
        assert_eq!(
            found(config(
                "VersionTLS10",
                json!([
                    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    "TLS_RSA_WITH_3DES_EDE_CBC_SHA"
                ])
            )),
            [
                kubelet("weak-protocol", "/tlsMinVersion"),
                kubelet("weak-ciphers", "/tlsCipherSuites/1")
            ]
        );
        assert!(found(config("VersionTLS13", json!([]))).is_empty());
    }

    #[test]
    fn istio_traefik_openshift() {
        let gateway = json!({"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "g"},
            "spec": {"servers": [{"tls": {"mode": "SIMPLE", "minProtocolVersion": "TLSV1_2"}},
                                 {"tls": {"mode": "SIMPLE", "minProtocolVersion": "TLSV1_1"}},
                                 {"tls": {"mode": "SIMPLE", "minProtocolVersion": "TLS_AUTO"}}]}});
        assert_eq!(
            found(gateway),
            one("weak-protocol", "/spec/servers/1/tls/minProtocolVersion")
        );
        let option = json!({"apiVersion": "traefik.io/v1alpha1", "kind": "TLSOption", "metadata": {"name": "o"},
            "spec": {"minVersion": "VersionTLS11"}});
        assert_eq!(found(option), one("weak-protocol", "/spec/minVersion"));
        let profile = |p: Value| {
            found(
                json!({"apiVersion": "config.openshift.io/v1", "kind": "APIServer",
            "metadata": {"name": "cluster"}, "spec": {"tlsSecurityProfile": p}}),
            )
        };
        assert_eq!(
            profile(json!({"type": "Old", "old": {}})),
            one("weak-protocol", "/spec/tlsSecurityProfile/type")
        );
        assert_eq!(
            profile(json!({"type": "Custom", "custom": {"minTLSVersion": "VersionTLS10"}})),
            one(
                "weak-protocol",
                "/spec/tlsSecurityProfile/custom/minTLSVersion"
            )
        );
        assert!(profile(json!({"type": "Intermediate"})).is_empty());
    }

    #[test]
    fn destination_rules_toward_external_hosts() {
        let rule = |host: &str, tls: Value| {
            found(
                json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": "d"}, "spec": {"host": host, "trafficPolicy": {"tls": tls}}}),
            )
        };
        assert_eq!(
            rule(
                "api.example.com",
                json!({"mode": "SIMPLE", "insecureSkipVerify": true})
            ),
            one(
                "verification-disabled",
                "/spec/trafficPolicy/tls/insecureSkipVerify"
            )
        );
        assert_eq!(
            rule("api.example.com", json!({"mode": "DISABLE"})),
            one("verification-disabled", "/spec/trafficPolicy/tls/mode")
        );
        assert!(rule("reviews.prod.svc.cluster.local", json!({"mode": "DISABLE"})).is_empty());
    }
}
