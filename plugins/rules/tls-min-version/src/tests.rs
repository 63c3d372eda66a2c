//! Helpers the family modules' tests share, and the rule's robustness over partial and
//! odd objects.

use super::*;
use tollgate_sdk::testing::{
    assert_undeclared_kinds_change_nothing, control_names, object_locations, reported_pointer,
};
use tollgate_sdk::{Location, Value, serde_json::json};

/// A finding as the tests compare it: `(check, pointer, CIS items of its check)`.
pub type Found = (String, String, Vec<String>);

/// Every finding of the rule over these objects.
fn run(values: Vec<Value>) -> Vec<tollgate_sdk::Finding> {
    let set = Manifests::from_values("default", values).unwrap();
    TlsMinVersion::check_manifests(&set, &tollgate_sdk::NoSettings {})
        .unwrap()
        .findings
}

/// `(check, pointer, CIS items)` of every finding on one object.
pub fn found(value: Value) -> Vec<Found> {
    run(vec![value.clone()])
        .into_iter()
        .map(|f| match f.location {
            Location::Object(o) => {
                let cis = cis_items(&f.check);
                (f.check, reported_pointer(&value, &o.pointer), cis)
            }
            Location::File(_) => panic!("object finding expected"),
        })
        .collect()
}

/// The CIS items a check's findings break.
fn cis_items(check: &str) -> Vec<String> {
    let check = checks::CHECKS.iter().find(|c| c.id == check).unwrap();
    let cis = check
        .controls
        .iter()
        .filter(|(framework, _)| *framework == "cis-kubernetes");
    cis.map(|(_, id)| id.to_string()).collect()
}

/// One finding of `check` at `pointer`, with no CIS item.
pub fn one(check: &str, pointer: &str) -> Vec<Found> {
    vec![(check.into(), pointer.into(), vec![])]
}

/// Where a workload's findings are, relative to its first container, asserting that all
/// are `verification-disabled`.
pub fn disabled_in_first_container(workload: Value) -> Vec<String> {
    let base = "/spec/template/spec/containers/0/";
    let found = found(workload).into_iter();
    found
        .map(|(check, at, _)| {
            assert_eq!(check, "verification-disabled", "{at}");
            at.strip_prefix(base).unwrap_or(&at).to_owned()
        })
        .collect()
}

pub fn ingress(annotations: Value, spec: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
           "metadata": {"name": "i", "annotations": annotations}, "spec": spec})
}

/// Every kind the rule reads, by `apiVersion`.
const KINDS: &[(&str, &str)] = &[
    ("networking.k8s.io/v1", "Ingress"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "Config"),
    ("v1", "Pod"),
    ("apps/v1", "Deployment"),
    ("batch/v1", "CronJob"),
    ("kubelet.config.k8s.io/v1beta1", "KubeletConfiguration"),
    ("networking.istio.io/v1", "Gateway"),
    ("networking.istio.io/v1", "DestinationRule"),
    ("gateway.networking.k8s.io/v1", "Gateway"),
    ("traefik.io/v1alpha1", "TLSOption"),
    ("config.openshift.io/v1", "APIServer"),
    ("route.openshift.io/v1", "Route"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
    ("monitoring.coreos.com/v1", "Probe"),
    ("apiregistration.k8s.io/v1", "APIService"),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
];

/// Partial and mistyped bodies: missing or null spec, template, containers, metadata;
/// strings, numbers and lists where objects are expected, and the reverse.
fn odd_bodies() -> Vec<Value> {
    vec![
        json!({}),
        json!({"metadata": null, "spec": null}),
        json!({"metadata": "x", "spec": "x", "data": "x", "stringData": 1, "webhooks": "x", "clusters": {}}),
        json!({"metadata": {"annotations": ["a"]}, "spec": []}),
        json!({"metadata": {"annotations": {"nginx.ingress.kubernetes.io/ssl-protocols": 1,
            "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:x",
            "alb.ingress.kubernetes.io/listen-ports": "HTTPS"}},
            "spec": {"tls": "x", "rules": [null, 1, {"host": 2}], "template": null, "type": "LoadBalancer",
                     "ports": [null, {"port": 443}], "listeners": [null, {"protocol": "HTTP"}],
                     "servers": [{"tls": "x"}], "trafficPolicy": {"tls": null, "portLevelSettings": [null]},
                     "subsets": "x", "endpoints": [null, {"tlsConfig": {"insecureSkipVerify": true}}],
                     "podMetricsEndpoints": {}, "tlsConfig": [], "tlsSecurityProfile": {"type": "Custom"},
                     "insecureSkipTLSVerify": true, "jobTemplate": {"spec": null}}}),
        json!({"spec": {"template": {"spec": null}, "containers": null}}),
        json!({"spec": {"template": {"spec": {"containers": [null, {"args": [1, null, "--tls-min-version"], "env": [null, {"name": 1}]}]}}}}),
        json!({"spec": {"containers": {"name": "x"}, "initContainers": "x"}, "tlsCipherSuites": "x", "tlsMinVersion": 12}),
        json!({"data": {"prometheus.yml": "scrape_configs:\n- job_name: a\n  tls_config: {insecure_skip_verify: true}\n", "x": null},
               "stringData": {"k": ["insecure_skip_verify"]}, "clusters": [null, {"cluster": null}],
               "webhooks": [null, {"clientConfig": "x"}]}),
    ]
}

#[test]
fn no_input_makes_the_rule_point_at_an_absent_field() {
    for (api_version, kind) in KINDS {
        for body in odd_bodies() {
            let mut object = body;
            object["apiVersion"] = json!(api_version);
            object["kind"] = json!(kind);
            object_locations(&[object.clone()], run(vec![object]));
        }
    }
}

#[test]
fn odd_objects_still_yield_the_findings_they_hold() {
    // A Route with no spec at all, beside a ServiceMonitor whose endpoint list holds junk:
    // both are still judged.
    let route = json!({"apiVersion": "route.openshift.io/v1", "kind": "Route"});
    let monitor = json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "spec": {"endpoints": [null, "x", {"tlsConfig": {"insecureSkipVerify": true}}]}});
    let objects = [route, monitor];
    let checks: Vec<(String, String)> = run(objects.to_vec())
        .into_iter()
        .map(|f| match f.location {
            Location::Object(o) => {
                let pointer = reported_pointer(&objects[o.document as usize], &o.pointer);
                (f.check, format!("{} {pointer}", o.document))
            }
            Location::File(_) => panic!("object finding expected"),
        })
        .collect();
    assert_eq!(
        checks,
        [
            ("plaintext-ingress".to_owned(), "0 ".to_owned()),
            (
                "verification-disabled".to_owned(),
                "1 /spec/endpoints/2/tlsConfig/insecureSkipVerify".to_owned()
            ),
        ]
    );
}

#[test]
fn every_kind_the_rule_reads_is_declared() {
    let declared = TlsMinVersion::info().kinds;
    let read = KINDS.iter().map(|(_, kind)| *kind);
    for kind in read.chain(tollgate_sdk::workload::KINDS) {
        assert!(declared.iter().any(|k| k == kind), "{kind} is not declared");
    }
}

#[test]
fn objects_of_undeclared_kinds_change_nothing() {
    let values = vec![
        ingress(
            json!({"nginx.ingress.kubernetes.io/ssl-protocols": "TLSv1"}),
            json!({}),
        ),
        json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web"},
               "subsets": [{"addresses": [{"ip": "10.0.0.1"}]}]}),
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "web"},
               "spec": {"secretName": "web-tls", "insecureSkipTLSVerify": true}}),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver"},
               "spec": {"containers": [{"name": "api", "command": ["kube-apiserver"]}]}}),
    ];
    let declared = assert_undeclared_kinds_change_nothing::<TlsMinVersion>(
        values,
        &tollgate_sdk::NoSettings {},
    );
    assert_eq!(declared, 2);
}

#[test]
fn each_check_maps_to_its_own_controls() {
    let info = TlsMinVersion::info();
    assert_eq!(info.version, "0.2.0");
    let controls = |id: &str| control_names(&info, id);
    let common = [
        "soc2 CC6.7",
        "soc2 CC7.1",
        "iso27001 A.5.14",
        "iso27001 A.8.9",
        "iso27001 A.8.21",
        "iso27001 A.8.24",
        "nist-800-53 SC-8",
        "nist-800-53 SC-8(1)",
        "nist-800-53 CM-6",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        common.iter().chain(extra).map(|c| c.to_string()).collect()
    };
    assert_eq!(controls("plaintext-ingress"), with(&[]));
    assert_eq!(controls("unknown-value"), with(&[]));
    assert_eq!(controls("weak-protocol"), with(&["nist-800-53 SC-13"]));
    assert_eq!(controls("weak-ciphers"), with(&["nist-800-53 SC-13"]));
    assert_eq!(
        controls("apiserver-cipher-suites"),
        with(&["nist-800-53 SC-13", "cis-kubernetes 1.2.29"])
    );
    assert_eq!(
        controls("kubelet-cipher-suites"),
        with(&["nist-800-53 SC-13", "cis-kubernetes 4.2.12"])
    );
    assert_eq!(
        controls("verification-disabled"),
        with(&["soc2 CC6.1", "iso27001 A.8.5", "nist-800-53 SC-23"])
    );
}
