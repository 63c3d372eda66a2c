//! Helpers the family modules' tests share, and the rule's robustness over partial and
//! odd objects.

use super::*;
use tollgate_sdk::{Location, Value, object_locations, serde_json::json};

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
    run(vec![value])
        .into_iter()
        .map(|f| match f.location {
            Location::Object(o) => {
                let cis = cis_items(&f.check);
                (f.check, o.pointer, cis)
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
    let checks: Vec<(String, String)> = run(vec![route, monitor])
        .into_iter()
        .map(|f| match f.location {
            Location::Object(o) => (f.check, format!("{} {}", o.document, o.pointer)),
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
