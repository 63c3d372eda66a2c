//! `network-policy`: every namespace that runs workloads is covered by NetworkPolicies.
//!
//! The whole manifest set is judged together, so a policy in another file counts. Checks:
//! `namespace-without-policy` (a namespace that runs workloads, or is declared, with no
//! NetworkPolicy), `pod-not-selected` (a workload that no Ingress-typed policy of its
//! namespace selects), `invalid-selector` (a selector Kubernetes would reject, which
//! therefore protects nothing). Pods on the host network are beyond NetworkPolicy's reach
//! and are not counted.

use std::collections::BTreeMap;

use tollgate_sdk::{
    Check, CheckError, Finding, Framework::*, InputKind, LabelSelector, Manifests, Object, Pointer,
    Rule, RuleInfo, Severity, Value, controls_of, export_rule, workload,
};

const CONTROLS: &[(tollgate_sdk::Framework, &str)] = &[
    (Soc2, "CC6.1"),
    (Soc2, "CC6.6"),
    (Iso27001, "A.8.20"),
    (Iso27001, "A.8.22"),
    (CisKubernetes, "5.3.2"),
];
const NAMESPACE_WITHOUT_POLICY: Check = Check {
    id: "namespace-without-policy",
    severity: Severity::Medium,
    controls: CONTROLS,
};
const POD_NOT_SELECTED: Check = Check {
    id: "pod-not-selected",
    severity: Severity::Medium,
    controls: CONTROLS,
};
const INVALID_SELECTOR: Check = Check {
    id: "invalid-selector",
    severity: Severity::Medium,
    controls: CONTROLS,
};
const CHECKS: [Check; 3] = [NAMESPACE_WITHOUT_POLICY, POD_NOT_SELECTED, INVALID_SELECTOR];

struct NetworkPolicyCoverage;

impl Rule for NetworkPolicyCoverage {
    fn info() -> RuleInfo {
        RuleInfo {
            id: "network-policy".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Cover every workload with a NetworkPolicy".into(),
            description: "Pods that no NetworkPolicy selects accept traffic from anywhere in \
                the cluster. Every namespace that runs workloads needs policies, and every \
                workload's pods must be selected by an Ingress policy of their namespace."
                .into(),
            severity: Severity::Medium,
            inputs: vec![InputKind::Manifests],
            remediation: "Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: \
                [Ingress, Egress]) to each namespace, then policies that allow the traffic \
                each workload needs."
                .into(),
            controls: controls_of(&CHECKS),
        }
    }

    fn check_manifests(set: &Manifests) -> Result<Vec<Finding>, CheckError> {
        Ok(judge(set))
    }
}

export_rule!(NetworkPolicyCoverage);

/// A NetworkPolicy reduced to what coverage needs.
struct Policy {
    selector: LabelSelector,
    /// Whether the policy restricts ingress (its effective `policyTypes` include Ingress).
    ingress: bool,
}

/// What one namespace holds.
#[derive(Default)]
struct Namespace<'a> {
    declared: Option<&'a Object>,
    workloads: Vec<&'a Object>,
    policies: Vec<Policy>,
}

fn judge(set: &Manifests) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut namespaces: BTreeMap<&str, Namespace> = BTreeMap::new();
    for object in &set.objects {
        if object.kind == "Namespace" && object.api_version == "v1" {
            namespaces.entry(&object.name).or_default().declared = Some(object);
        } else if object.kind == "NetworkPolicy" && object.api_group() == "networking.k8s.io" {
            let selector_value = object.value().pointer("/spec/podSelector");
            match LabelSelector::parse(selector_value) {
                Ok(selector) => namespaces
                    .entry(set.namespace_of(object))
                    .or_default()
                    .policies
                    .push(Policy {
                        selector,
                        ingress: restricts_ingress(object),
                    }),
                Err(reason) => findings.push(INVALID_SELECTOR.at(
                    object,
                    Pointer::root().path(["spec", "podSelector"]),
                    format!(
                        "{} has an invalid podSelector: {reason}",
                        object.display_name()
                    ),
                )),
            }
        } else if workload::pod_template(object).is_some_and(|t| !t.host_network()) {
            namespaces
                .entry(set.namespace_of(object))
                .or_default()
                .workloads
                .push(object);
        }
    }

    for (name, namespace) in &namespaces {
        if namespace.policies.is_empty() {
            findings.extend(uncovered_namespace(name, namespace));
            continue;
        }
        for object in &namespace.workloads {
            let Some(template) = workload::pod_template(object) else {
                continue;
            };
            let selected = namespace
                .policies
                .iter()
                .any(|p| p.ingress && p.selector.matches(&template.labels));
            if !selected {
                let labels = template.pointer.path(["metadata", "labels"]);
                let at = if object.value().pointer(labels.as_str()).is_some() {
                    labels
                } else {
                    template.pointer
                };
                findings.push(POD_NOT_SELECTED.at(
                    object,
                    at,
                    format!(
                        "{}: no NetworkPolicy with policyType Ingress in namespace {name} selects its pods",
                        object.display_name()
                    ),
                ));
            }
        }
    }
    findings
}

/// The finding for a namespace without any policy: on its Namespace object when declared,
/// else on its first workload.
fn uncovered_namespace(name: &str, namespace: &Namespace) -> Option<Finding> {
    let at = namespace
        .declared
        .or(namespace.workloads.first().copied())?;
    let runs = match namespace.workloads.len() {
        0 => "is declared".to_owned(),
        1 => format!("runs {}", namespace.workloads[0].display_name()),
        n => format!("runs {n} workloads"),
    };
    Some(
        NAMESPACE_WITHOUT_POLICY
            .at(
                at,
                Pointer::root(),
                format!(
                    "namespace {name} {runs} but has no NetworkPolicy; its pods accept any traffic"
                ),
            )
            .with_identity(format!("namespace/{name}")),
    )
}

/// Kubernetes semantics: without `policyTypes` a policy always restricts ingress (and
/// egress too when it has egress rules); with it, exactly the listed directions.
fn restricts_ingress(policy: &Object) -> bool {
    match policy
        .value()
        .pointer("/spec/policyTypes")
        .and_then(Value::as_array)
    {
        None => true,
        Some(types) => types.iter().any(|t| t.as_str() == Some("Ingress")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::{Location, serde_json::json};

    fn checks(objects: Vec<Value>) -> Vec<(String, u32, String)> {
        let set = Manifests::from_values("default", objects).unwrap();
        judge(&set)
            .into_iter()
            .map(|f| match f.location {
                Location::Object(o) => (f.check, o.document, o.pointer),
                Location::File(_) => panic!("object finding expected"),
            })
            .collect()
    }

    fn deployment(ns: &str, labels: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
               "spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": []}}}})
    }

    fn policy(ns: &str, spec: Value) -> Value {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
               "metadata": {"name": "p", "namespace": ns}, "spec": spec})
    }

    #[test]
    fn host_network_pods_are_not_counted() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": "kube-apiserver", "namespace": "kube-system"},
                         "spec": {"hostNetwork": true, "containers": []}});
        assert!(checks(vec![pod]).is_empty());
    }

    #[test]
    fn namespace_without_policy() {
        assert_eq!(
            checks(vec![deployment("shop", json!({"app": "web"}))]),
            [("namespace-without-policy".into(), 0, "".into())]
        );
    }

    #[test]
    fn policy_in_wrong_namespace_does_not_cover() {
        let found = checks(vec![
            deployment("shop", json!({"app": "web"})),
            policy("other", json!({"podSelector": {}})),
        ]);
        assert_eq!(found, [("namespace-without-policy".into(), 0, "".into())]);
    }

    #[test]
    fn egress_only_policy_does_not_cover_ingress() {
        let found = checks(vec![
            deployment("shop", json!({"app": "web"})),
            policy(
                "shop",
                json!({"podSelector": {}, "policyTypes": ["Egress"]}),
            ),
        ]);
        assert_eq!(
            found,
            [(
                "pod-not-selected".into(),
                0,
                "/spec/template/metadata/labels".into()
            )]
        );
    }

    #[test]
    fn match_expressions_select() {
        let found = checks(vec![
            deployment("shop", json!({"app": "web"})),
            policy(
                "shop",
                json!({"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}}),
            ),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn invalid_selector_is_reported_and_covers_nothing() {
        let found = checks(vec![
            deployment("shop", json!({"app": "web"})),
            policy(
                "shop",
                json!({"podSelector": {"matchExpressions": [{"key": "app", "operator": "Like"}]}}),
            ),
        ]);
        assert_eq!(
            found,
            [
                ("invalid-selector".into(), 1, "/spec/podSelector".into()),
                ("namespace-without-policy".into(), 0, "".into())
            ]
        );
    }
}
