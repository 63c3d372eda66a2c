//! `tls-min-version`: TLS 1.2 or newer wherever TLS is configured.
//!
//! Reads the ingress-nginx `ssl-protocols` annotation and controller ConfigMap key,
//! `--tls-min-version` on any container's command line (kube-apiserver, kubelet, etcd,
//! controller-manager, scheduler), and KubeletConfiguration `tlsMinVersion`. Values are
//! parsed, not grepped: every spelling Kubernetes, Go, etcd, nginx and Istio use is
//! understood, and a value that is none of them is reported as unknown, never passed.

mod protocol;

use protocol::{Protocol, parse_list};
use tollgate_sdk::{
    Check, CheckError, Finding, Framework, Framework::*, InputKind, Manifests, Object, Pointer,
    Rule, RuleInfo, Severity, Value, control, controls_of, export_rule, workload,
};

const NGINX_ANNOTATION: &str = "nginx.ingress.kubernetes.io/ssl-protocols";
const NGINX_CONFIG_KEY: &str = "ssl-protocols";
const MIN_VERSION_FLAG: &str = "--tls-min-version";

const WEAK_PROTOCOL: Check = Check {
    id: "weak-protocol",
    severity: Severity::High,
    controls: &[
        (Soc2, "CC6.1"),
        (Soc2, "CC6.7"),
        (Iso27001, "A.8.24"),
        (Iso27001, "A.8.20"),
        (Iso27001, "A.8.21"),
        (Iso27001, "A.5.14"),
    ],
};
/// CIS items covering a component's TLS settings: weak-protocol findings on kube-apiserver
/// and on the kubelet break them too.
const APISERVER_TLS_ITEM: (Framework, &str) = (CisKubernetes, "1.2.29");
const KUBELET_TLS_ITEM: (Framework, &str) = (CisKubernetes, "4.2.12");
const UNKNOWN_VALUE: Check = Check {
    id: "unknown-value",
    severity: Severity::Medium,
    ..WEAK_PROTOCOL
};
const CHECKS: [Check; 2] = [WEAK_PROTOCOL, UNKNOWN_VALUE];

struct TlsMinVersion;

impl Rule for TlsMinVersion {
    fn info() -> RuleInfo {
        RuleInfo {
            id: "tls-min-version".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Allow only TLS 1.2 or newer".into(),
            description: "SSLv3, TLS 1.0 and TLS 1.1 are broken or deprecated (RFC 8996). \
                Every place that configures TLS (ingress controllers, control-plane \
                components, the kubelet) must accept TLS 1.2 or newer only."
                .into(),
            severity: Severity::High,
            inputs: vec![InputKind::Manifests],
            remediation: "Set the minimum to TLS 1.2: ssl-protocols \"TLSv1.2 TLSv1.3\" for \
                ingress-nginx, --tls-min-version=VersionTLS12 for Kubernetes components, \
                --tls-min-version=TLS1.2 for etcd."
                .into(),
            controls: controls_of(&CHECKS)
                .into_iter()
                .chain([APISERVER_TLS_ITEM, KUBELET_TLS_ITEM].map(control))
                .collect(),
        }
    }

    fn check_manifests(set: &Manifests) -> Result<Vec<Finding>, CheckError> {
        let mut findings = Vec::new();
        for object in &set.objects {
            match object.kind.as_str() {
                "Ingress" => {
                    if let Some(value) = object.annotation(NGINX_ANNOTATION) {
                        let at =
                            Pointer::root().path(["metadata", "annotations", NGINX_ANNOTATION]);
                        findings.extend(judge_nginx(object, at, value, "annotation"));
                    }
                }
                "ConfigMap" => {
                    if let Some(value) = object
                        .value()
                        .pointer("/data/ssl-protocols")
                        .and_then(Value::as_str)
                    {
                        let at = Pointer::root().path(["data", NGINX_CONFIG_KEY]);
                        findings.extend(judge_nginx(object, at, value, "ConfigMap key"));
                    }
                }
                "KubeletConfiguration" => {
                    if let Some(value) = object.value().get("tlsMinVersion").and_then(Value::as_str)
                    {
                        let at = Pointer::root().at("tlsMinVersion");
                        findings.extend(judge_minimum(
                            object,
                            at,
                            value,
                            Component::Kubelet,
                            "tlsMinVersion",
                        ));
                    }
                }
                _ => {}
            }
            findings.extend(judge_containers(object));
        }
        Ok(findings)
    }
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
    fn of_command(command_line: &[(&str, Pointer)]) -> Self {
        let program = command_line
            .iter()
            .flat_map(|(arg, _)| arg.split_whitespace())
            .find(|word| !word.starts_with('-'))
            .map(|word| word.rsplit('/').next().unwrap_or(word));
        match program {
            Some("kube-apiserver") => Self::ApiServer,
            Some("kubelet") => Self::Kubelet,
            _ => Self::Other,
        }
    }

    /// The CIS item that covers this component's TLS settings, if any.
    fn cis_item(self) -> Option<(Framework, &'static str)> {
        match self {
            Self::ApiServer => Some(APISERVER_TLS_ITEM),
            Self::Kubelet => Some(KUBELET_TLS_ITEM),
            Self::Other => None,
        }
    }
}

/// ingress-nginx: a space-separated list of enabled protocols; any below TLS 1.2 fails.
fn judge_nginx(object: &Object, at: Pointer, value: &str, what: &str) -> Vec<Finding> {
    let (known, unknown) = parse_list(value);
    let mut findings = Vec::new();
    let weak: Vec<&str> = known
        .iter()
        .filter(|(_, p)| p.is_weak())
        .map(|(token, _)| *token)
        .collect();
    if !weak.is_empty() {
        let lowest = known
            .iter()
            .map(|(_, p)| *p)
            .min()
            .unwrap_or(Protocol::Tls12);
        findings.push(WEAK_PROTOCOL.at(
            object,
            at.clone(),
            format!(
                "{}: ingress-nginx {what} ssl-protocols enables {} (effective minimum {}); set it to \"TLSv1.2 TLSv1.3\"",
                object.display_name(),
                weak.join(", "),
                lowest.name()
            ),
        ));
    }
    for token in unknown {
        findings.push(unknown_value(
            object,
            at.clone(),
            token,
            &format!("ingress-nginx {what} ssl-protocols"),
        ));
    }
    findings
}

/// A single minimum version value (a flag or a config field).
fn judge_minimum(
    object: &Object,
    at: Pointer,
    value: &str,
    component: Component,
    what: &str,
) -> Option<Finding> {
    let Some(protocol) = Protocol::parse(value) else {
        return Some(unknown_value(object, at, value, what));
    };
    protocol.is_weak().then(|| {
        let finding = WEAK_PROTOCOL.at(
            object,
            at,
            format!(
                "{}: {what} is {value} ({}), below TLS 1.2; set it to VersionTLS12 or newer",
                object.display_name(),
                protocol.name()
            ),
        );
        match component.cis_item() {
            Some(item) => finding.with_control(item),
            None => finding,
        }
    })
}

/// `--tls-min-version=V` or `--tls-min-version V` on any container's command line,
/// including shell command strings.
fn judge_containers(object: &Object) -> Vec<Finding> {
    let Some(template) = workload::pod_template(object) else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for container in template.containers() {
        let command_line = container.command_line();
        let component = Component::of_command(&command_line);
        let words = command_line
            .iter()
            .flat_map(|(arg, at)| arg.split_whitespace().map(move |word| (word, at)));
        let mut previous_was_flag = false;
        for (word, at) in words {
            let value = if previous_was_flag {
                Some(word)
            } else {
                word.strip_prefix(MIN_VERSION_FLAG)
                    .and_then(|rest| rest.strip_prefix('='))
            };
            previous_was_flag = word == MIN_VERSION_FLAG;
            if let Some(value) = value {
                let what = format!("container {} {MIN_VERSION_FLAG}", container.name);
                findings.extend(judge_minimum(object, at.clone(), value, component, &what));
            }
        }
    }
    findings
}

fn unknown_value(object: &Object, at: Pointer, value: &str, what: &str) -> Finding {
    UNKNOWN_VALUE.at(
        object,
        at,
        format!(
            "{}: {what} has unrecognised TLS version {value:?}; it cannot be judged, so it is not passed",
            object.display_name()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::{Location, serde_json::json};

    fn found(value: Value) -> Vec<(String, String, Vec<String>)> {
        let set = Manifests::from_values("default", vec![value]).unwrap();
        TlsMinVersion::check_manifests(&set)
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

    fn ingress(protocols: &str) -> Value {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "i", "annotations": {NGINX_ANNOTATION: protocols}}})
    }

    #[test]
    fn nginx_lists_are_parsed() {
        assert!(found(ingress("TLSv1.2 TLSv1.3")).is_empty());
        assert!(found(ingress("  tlsv1.3 ")).is_empty());
        let at = "/metadata/annotations/nginx.ingress.kubernetes.io~1ssl-protocols";
        assert_eq!(
            found(ingress("TLSv1 TLSv1.2")),
            [("weak-protocol".into(), at.into(), vec![])]
        );
        assert_eq!(
            found(ingress("TLSv1.2 TLSv9")),
            [("unknown-value".into(), at.into(), vec![])]
        );
    }

    #[test]
    fn apiserver_flag_in_both_forms() {
        let pod = |args: Value| {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver", "namespace": "kube-system"},
                   "spec": {"containers": [{"name": "kube-apiserver", "command": ["kube-apiserver"], "args": args}]}})
        };
        assert_eq!(
            found(pod(json!([
                "--secure-port=6443",
                "--tls-min-version=VersionTLS11"
            ]))),
            [(
                "weak-protocol".into(),
                "/spec/containers/0/args/1".into(),
                vec!["1.2.29".into()]
            )]
        );
        assert_eq!(
            found(pod(json!(["--tls-min-version", "VersionTLS10"]))),
            [(
                "weak-protocol".into(),
                "/spec/containers/0/args/1".into(),
                vec!["1.2.29".into()]
            )]
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
            [(
                "weak-protocol".into(),
                "/spec/template/spec/containers/0/command/2".into(),
                vec![]
            )]
        );
    }

    #[test]
    fn kubelet_configuration() {
        let config = |v: &str| json!({"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "tlsMinVersion": v});
        assert_eq!(
            found(config("VersionTLS10")),
            [(
                "weak-protocol".into(),
                "/tlsMinVersion".into(),
                vec!["4.2.12".into()]
            )]
        );
        assert!(found(config("VersionTLS13")).is_empty());
    }
}
