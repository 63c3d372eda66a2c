//! `network-policy`: every namespace that runs workloads is covered by network policies.
//!
//! The whole manifest set is judged together, so a policy in another file counts, and so
//! do Cilium, Calico and AdminNetworkPolicy objects ([`policies`]). Checks:
//! `namespace-without-policy` (a namespace that runs workloads that no policy applies
//! to; a namespace declared but running nothing in the input is no finding), `pod-not-selected` (a workload no ingress-restricting policy
//! selects), `allow-all` (a NetworkPolicy rule that admits everything),
//! `unreadable-selector` (a selector that cannot be evaluated, so the policy protects
//! nothing here), and, when the settings turn it on, `egress-unrestricted` (a workload
//! no egress-restricting policy selects). Pods on the host network are beyond network
//! policies' reach and are not counted. Namespaces the settings exempt are still judged,
//! and their findings reported as accepted with the operator's reason.
//!
//! Coverage: `namespace-without-policy` judges the workloads (and Namespace objects) of
//! every namespace that runs some; `pod-not-selected` and `egress-unrestricted` the
//! workloads of namespaces policies apply to; `allow-all` the NetworkPolicies;
//! `unreadable-selector` every policy object read.

mod calico;
mod kinds;
mod policies;

use std::collections::BTreeMap;

use kinds::PodNetwork;
use policies::{Direction, NAMESPACE_NAME_LABEL, PolicyIndex, Unreadable};
use serde::Deserialize;
use tollgate_sdk::framework::{CIS_KUBERNETES, ISO27001, NIST_800_53, SOC2};
use tollgate_sdk::{
    Check, CheckError, ControlId, Finding, InputKind, Labels, Manifests, Object, Pointer, Reason,
    Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule, join, pairs, workload,
    workload::PodTemplate,
};

/// What every check evidences: network segmentation and access restricted (SOC 2 CC6.1),
/// a configuration standard kept (CC7.1, ISO A.8.9, NIST CM-6), network security and
/// segregation (A.8.20, A.8.22), information flow and boundary protection (AC-4, SC-7).
const NETWORK_CONTROLS: [ControlId; 8] = [
    (SOC2, "CC6.1"),
    (SOC2, "CC7.1"),
    (ISO27001, "A.8.9"),
    (ISO27001, "A.8.20"),
    (ISO27001, "A.8.22"),
    (NIST_800_53, "AC-4"),
    (NIST_800_53, "SC-7"),
    (NIST_800_53, "CM-6"),
];
/// Checks on who may reach a workload also speak, partly (in-cluster traffic only), for
/// SOC 2 CC6.6, protection against threats from outside the system boundary.
const INGRESS_CONTROLS: [ControlId; 9] = join(NETWORK_CONTROLS, [(SOC2, "CC6.6")]);
/// A namespace without policies also breaks CIS 5.3.2.
const NAMESPACE_CONTROLS: [ControlId; 10] = join(INGRESS_CONTROLS, [(CIS_KUBERNETES, "5.3.2")]);

const NAMESPACE_WITHOUT_POLICY: Check = Check {
    id: "namespace-without-policy",
    title: "A namespace runs workloads that no network policy applies to",
    severity: Severity::Medium,
    rationale: "Without a policy every pod of the namespace accepts traffic from any pod \
        of the cluster and reaches anything, so one compromised pod reaches them all.",
    remediation: "Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: \
        [Ingress, Egress]) to the namespace, then policies that allow the traffic each \
        workload needs.",
    controls: &NAMESPACE_CONTROLS,
};
const POD_NOT_SELECTED: Check = Check {
    id: "pod-not-selected",
    title: "A workload's pods are selected by no policy restricting ingress",
    severity: Severity::Medium,
    rationale: "Pods that no ingress policy selects accept traffic from anywhere in the \
        cluster, even where their namespace has policies for other pods.",
    remediation: "Select the pods with a policy of their namespace that restricts \
        ingress, or add a default-deny policy (podSelector: {}).",
    controls: &INGRESS_CONTROLS,
};
const ALLOW_ALL: Check = Check {
    id: "allow-all",
    title: "A NetworkPolicy rule admits all traffic",
    severity: Severity::Medium,
    rationale: "An empty rule (no peers and no ports) admits every source or destination, \
        which undoes the policy for the pods it selects.",
    remediation: "Name the peers (pod, namespace selectors or IP blocks) and ports that \
        need access in each rule.",
    controls: &INGRESS_CONTROLS,
};
const UNREADABLE_SELECTOR: Check = Check {
    id: "unreadable-selector",
    title: "A policy's selector cannot be evaluated",
    severity: Severity::Medium,
    rationale: "A selector the rule cannot read may select nothing at all; the policy is \
        counted as protecting nothing rather than assumed to work.",
    remediation: "Write the selector in a form the policy engine documents (matchLabels, \
        matchExpressions, or Calico's selector syntax), with valid operators and values.",
    controls: &NETWORK_CONTROLS,
};
const EGRESS_UNRESTRICTED: Check = Check {
    id: "egress-unrestricted",
    title: "A workload's pods are selected by no policy restricting egress",
    severity: Severity::Low,
    rationale: "Pods whose egress is open can reach any service and the internet, which \
        eases lateral movement and data exfiltration.",
    remediation: "Select the pods with a policy restricting egress to what they need \
        (DNS, their backends).",
    controls: &NETWORK_CONTROLS,
};
const CHECKS: [Check; 5] = [
    NAMESPACE_WITHOUT_POLICY,
    POD_NOT_SELECTED,
    ALLOW_ALL,
    UNREADABLE_SELECTOR,
    EGRESS_UNRESTRICTED,
];

/// The kinds the rule reads: every kind of network policy, Namespaces for their labels,
/// and workloads.
const KINDS: [&str; 16] = join(
    [
        "NetworkPolicy",
        "CiliumNetworkPolicy",
        "CiliumClusterwideNetworkPolicy",
        "GlobalNetworkPolicy",
        "AdminNetworkPolicy",
        "BaselineAdminNetworkPolicy",
        "Namespace",
    ],
    workload::KINDS,
);

const SPEC: RuleSpec = RuleSpec {
    id: "network-policy",
    version: env!("CARGO_PKG_VERSION"),
    title: "Cover every workload with a NetworkPolicy",
    description: "Pods that no NetworkPolicy selects accept traffic from anywhere in the \
        cluster. Every namespace that runs workloads needs policies, and every workload's \
        pods must be selected by an Ingress policy of their namespace.",
    inputs: &[InputKind::Manifests],
    kinds: &KINDS,
    checks: &CHECKS,
};

/// What the config file may set for this rule.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Also report workloads whose egress no policy restricts (`egress-unrestricted`).
    egress_unrestricted: bool,
    /// Namespaces whose findings the operator accepts, each with a reason.
    exempt_namespaces: Vec<Exemption>,
}

/// One exempt namespace.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Exemption {
    namespace: String,
    reason: Reason,
}

impl Settings {
    /// Marks `finding` as accepted when it belongs to an exempt namespace.
    fn exempt(&self, finding: Finding, namespace: Option<&str>) -> Finding {
        let exemption =
            namespace.and_then(|ns| self.exempt_namespaces.iter().find(|e| e.namespace == ns));
        match exemption {
            Some(e) => finding.accepted_because(format!(
                "namespace {} is exempt: {}",
                e.namespace, e.reason.0
            )),
            None => finding,
        }
    }
}

struct NetworkPolicyCoverage;

impl Rule for NetworkPolicyCoverage {
    type Settings = Settings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    /// Of a workload, the labels of its pods and whether they use the node's network
    /// ([`PodNetwork`]): what the rule reads of the many objects of these kinds. Policies
    /// and Namespaces are kept whole.
    fn keep(object: Object) -> Option<Object> {
        Some(workload::keeping_in_template(
            object,
            &[&["metadata", "labels"], &["spec", kinds::HOST_NETWORK]],
        ))
    }

    fn check_manifests(set: &Manifests, settings: &Settings) -> Result<Verdict, CheckError> {
        Ok(judge(set, settings))
    }
}

export_rule!(NetworkPolicyCoverage);

/// What one namespace holds.
#[derive(Default)]
struct Namespace<'a> {
    /// Every Namespace object declaring it (two files may both do).
    declared: Vec<&'a Object>,
    workloads: Vec<Workload<'a>>,
}

/// A workload whose pods policies can select, with its pod template read once.
struct Workload<'a> {
    object: &'a Object,
    template: PodTemplate<'a, PodNetwork>,
}

impl<'a> Namespace<'a> {
    fn workload_objects(&self) -> impl Iterator<Item = &'a Object> + '_ {
        self.workloads.iter().map(|workload| workload.object)
    }
}

fn judge(set: &Manifests, settings: &Settings) -> Verdict {
    let mut read = Read::default();
    for object in &set.objects {
        read.object(set, settings, object);
    }
    let Read {
        mut findings,
        policies,
        mut namespaces,
        mut judged,
    } = read;
    // Only namespaces that run workloads need policies.
    namespaces.retain(|_, namespace| !namespace.workloads.is_empty());
    for (name, namespace) in &namespaces {
        judged.namespaces.extend(&namespace.declared);
        judged.namespaces.extend(namespace.workload_objects());
        let uncovered = uncovered_namespace(name, namespace, &policies);
        if uncovered.is_empty() {
            judged.workloads.extend(namespace.workload_objects());
            findings.extend(unselected_workloads(name, namespace, &policies, settings));
        } else {
            let exempt = uncovered
                .into_iter()
                .map(|f| settings.exempt(f, Some(name)));
            findings.extend(exempt);
        }
    }
    judged.coverage(Verdict::of(findings), settings)
}

/// The manifest set sorted for judging: policies indexed, workloads and Namespace objects
/// by namespace, and the findings of the policies themselves.
#[derive(Default)]
struct Read<'a> {
    findings: Vec<Finding>,
    policies: PolicyIndex<'a>,
    namespaces: BTreeMap<&'a str, Namespace<'a>>,
    judged: Judged<'a>,
}

impl<'a> Read<'a> {
    /// Sorts one object: a policy is indexed (or reported unreadable) and a NetworkPolicy's
    /// rules judged; a Namespace or a workload off the host network is filed under its
    /// namespace.
    fn object(&mut self, set: &'a Manifests, settings: &Settings, object: &'a Object) {
        if let Some(read) = policies::read(set, object) {
            self.judged.policies.push(object);
            // Namespaced policies' findings belong to their namespace; cluster-wide ones
            // to none.
            let namespaced = matches!(
                object.kind.as_str(),
                "NetworkPolicy" | "CiliumNetworkPolicy"
            );
            let namespace = namespaced.then(|| set.namespace_of(object));
            match read {
                Ok(read) => read.into_iter().for_each(|p| self.policies.add(p)),
                Err(Unreadable { at, reason }) => {
                    let message = format!(
                        "{}: {reason}; the policy is counted as protecting nothing",
                        object.display_name()
                    );
                    let finding = UNREADABLE_SELECTOR.at(object, at, message);
                    self.findings.push(settings.exempt(finding, namespace));
                }
            }
            if object.kind == "NetworkPolicy" && object.api_group() == "networking.k8s.io" {
                self.judged.network_policies.push(object);
                for (at, phrase) in policies::allow_all_rules(object) {
                    let message = format!(
                        "{}: this rule admits all traffic {phrase}; name the peers and ports that need access",
                        object.display_name()
                    );
                    let finding = ALLOW_ALL.at(object, at, message);
                    self.findings.push(settings.exempt(finding, namespace));
                }
            }
        } else if object.kind == "Namespace" && object.api_version == "v1" {
            let namespace = self.namespaces.entry(&object.name).or_default();
            namespace.declared.push(object);
        } else if let Some(template) = workload::pod_template_with::<PodNetwork>(object)
            && template.spec.host_network != Some(true)
        {
            let namespace = self.namespaces.entry(set.namespace_of(object)).or_default();
            namespace.workloads.push(Workload { object, template });
        }
    }
}

/// The findings for the workloads of a namespace that policies apply to, whose pods no
/// policy restricting ingress (and, when on, egress) selects.
fn unselected_workloads(
    name: &str,
    namespace: &Namespace,
    policies: &PolicyIndex,
    settings: &Settings,
) -> Vec<Finding> {
    let labels = namespace_labels(name, namespace.declared.first().copied());
    let labels = pairs(&labels);
    let mut directions = vec![(Direction::Ingress, POD_NOT_SELECTED, "ingress")];
    if settings.egress_unrestricted {
        directions.push((Direction::Egress, EGRESS_UNRESTRICTED, "egress"));
    }
    let mut findings = Vec::new();
    for Workload { object, template } in &namespace.workloads {
        let pod_labels = pairs(&template.labels);
        for (direction, check, phrase) in &directions {
            let mut policies = policies.for_namespace(name);
            if policies.any(|p| p.covers(*direction, name, &labels, &pod_labels)) {
                continue;
            }
            let pod_labels = template.pointer.path(["metadata", "labels"]);
            let at = if object.contains(&pod_labels) {
                pod_labels
            } else {
                template.pointer.clone()
            };
            let message = format!(
                "{}: no policy restricting {phrase} in namespace {name} selects its pods",
                object.display_name()
            );
            findings.push(settings.exempt(check.at(object, at, message), Some(name)));
        }
    }
    findings
}

/// The objects each check judged, whether or not it found anything in them.
#[derive(Default)]
struct Judged<'a> {
    /// Every policy object read, of any kind: `unreadable-selector`.
    policies: Vec<&'a Object>,
    /// Kubernetes NetworkPolicies, whose rules `allow-all` reads.
    network_policies: Vec<&'a Object>,
    /// The workloads of every namespace that runs some, and the Namespace objects
    /// declaring them: `namespace-without-policy`.
    namespaces: Vec<&'a Object>,
    /// The workloads of namespaces that policies apply to, each matched against them:
    /// `pod-not-selected` and, when on, `egress-unrestricted`.
    workloads: Vec<&'a Object>,
}

impl Judged<'_> {
    fn coverage(&self, verdict: Verdict, settings: &Settings) -> Verdict {
        let verdict = verdict
            .judged(&UNREADABLE_SELECTOR, self.policies.iter().copied())
            .judged(&ALLOW_ALL, self.network_policies.iter().copied())
            .judged(&NAMESPACE_WITHOUT_POLICY, self.namespaces.iter().copied())
            .judged(&POD_NOT_SELECTED, self.workloads.iter().copied());
        if settings.egress_unrestricted {
            verdict.judged(&EGRESS_UNRESTRICTED, self.workloads.iter().copied())
        } else {
            verdict
        }
    }
}

/// A namespace's labels as policies select them: a declaration's own, plus its name.
fn namespace_labels<'a>(name: &'a str, declared: Option<&'a Object>) -> Labels<'a> {
    let mut labels = declared.map(Object::labels).unwrap_or_default();
    labels.push((NAMESPACE_NAME_LABEL.into(), name.into()));
    labels
}

/// The findings for a namespace that runs workloads and no policy applies to: on each
/// Namespace object declaring it (each copy, with its own labels), or on its first
/// workload when none does. Empty when policies apply.
fn uncovered_namespace(name: &str, namespace: &Namespace, policies: &PolicyIndex) -> Vec<Finding> {
    let uncovered = |declared: Option<&Object>| {
        let labels = namespace_labels(name, declared);
        let labels = pairs(&labels);
        !policies
            .for_namespace(name)
            .any(|p| p.applies_to(name, &labels))
    };
    let at: Vec<&Object> = if namespace.declared.is_empty() {
        let first = namespace.workload_objects().next();
        first.filter(|_| uncovered(None)).into_iter().collect()
    } else {
        let copies = namespace.declared.iter().copied();
        copies.filter(|copy| uncovered(Some(copy))).collect()
    };
    let runs = match namespace.workloads.as_slice() {
        [one] => format!("runs {}", one.object.display_name()),
        all => format!("runs {} workloads", all.len()),
    };
    at.into_iter()
        .map(|object| {
            NAMESPACE_WITHOUT_POLICY
                .at(
                    object,
                    Pointer::root(),
                    format!(
                        "namespace {name} {runs} but has no NetworkPolicy; its pods accept any traffic"
                    ),
                )
                .with_identity(format!("namespace/{name}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::testing::{
        assert_keeping_changes_nothing, assert_undeclared_kinds_change_nothing, object_locations,
        owned_locations, reported,
    };
    use tollgate_sdk::{Location, Value, serde_json::json};

    fn checks(objects: Vec<Value>) -> Vec<(String, u32, String)> {
        assert_keeping_changes_nothing::<NetworkPolicyCoverage>(&objects, &Settings::default());
        let set = Manifests::from_values("default", objects)
            .unwrap()
            .kept::<NetworkPolicyCoverage>();
        judge(&set, &Settings::default())
            .findings
            .into_iter()
            .map(|f| match f.location {
                Location::Object(o) => {
                    let pointer = reported(&set, &o);
                    (f.check, o.document, pointer)
                }
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
    fn each_check_judges_the_namespaces_workloads_and_policies_it_read() {
        let objects = vec![
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
            deployment("shop", json!({"app": "web"})),
            policy(
                "shop",
                json!({"podSelector": {}, "policyTypes": ["Ingress"]}),
            ),
            deployment("other", json!({"app": "web"})),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}}),
        ];
        let set = Manifests::from_values("default", objects)
            .unwrap()
            .kept::<NetworkPolicyCoverage>();
        let settings: Settings =
            tollgate_sdk::settings::parse(r#"{"egress-unrestricted": true}"#).unwrap();
        let verdict = judge(&set, &settings);
        let coverage: Vec<(String, Vec<u32>)> = verdict
            .coverage
            .into_iter()
            .map(|c| (c.check, c.documents))
            .collect();
        let judged = |check: &str, documents: &[u32]| (check.to_owned(), documents.to_vec());
        assert_eq!(
            coverage,
            [
                judged("unreadable-selector", &[2]),
                judged("allow-all", &[2]),
                judged("namespace-without-policy", &[0, 1, 3]),
                judged("pod-not-selected", &[1]),
                judged("egress-unrestricted", &[1]),
            ]
        );
        // Without the setting, egress is not judged.
        assert!(
            judge(&set, &Settings::default())
                .coverage
                .iter()
                .all(|c| c.check != "egress-unrestricted")
        );
    }

    #[test]
    fn the_spec_declares_every_kind_the_rule_reads() {
        let info = NetworkPolicyCoverage::info();
        assert_eq!(info.version, "0.2.0");
        for kind in [
            "Namespace",
            "NetworkPolicy",
            "GlobalNetworkPolicy",
            "Deployment",
        ] {
            assert!(info.kinds.iter().any(|k| k == kind), "{kind}");
        }
        let cis: Vec<(&str, &str)> = info
            .checks
            .iter()
            .flat_map(|c| c.controls.iter().map(move |k| (c.id.as_str(), k)))
            .filter(|(_, k)| k.framework == "cis-kubernetes")
            .map(|(id, k)| (id, k.id.as_str()))
            .collect();
        assert_eq!(cis, [("namespace-without-policy", "5.3.2")]);
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
    fn egress_follows_policy_types_when_switched_on() {
        let settings: Settings =
            tollgate_sdk::settings::parse(r#"{"egress-unrestricted": true}"#).unwrap();
        let judge_with = |spec: Value| -> Vec<String> {
            let set = Manifests::from_values(
                "default",
                vec![
                    deployment("shop", json!({"app": "web"})),
                    policy("shop", spec),
                ],
            )
            .unwrap()
            .kept::<NetworkPolicyCoverage>();
            judge(&set, &settings)
                .findings
                .into_iter()
                .map(|f| f.check)
                .collect()
        };
        // No policyTypes and no egress rules: ingress only.
        assert_eq!(
            judge_with(json!({"podSelector": {}})),
            ["egress-unrestricted"]
        );
        // No policyTypes, but egress rules: both directions.
        let with_rules = json!({"podSelector": {}, "egress": [{"to": [{"podSelector": {}}]}]});
        assert!(judge_with(with_rules).is_empty());
        // Listed types win over rules.
        let listed = json!({"podSelector": {}, "policyTypes": ["Ingress"], "egress": [{}]});
        assert_eq!(judge_with(listed), ["egress-unrestricted"]);
        let both = json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]});
        assert!(judge_with(both).is_empty());
        // Off by default.
        let set = Manifests::from_values(
            "default",
            vec![
                deployment("shop", json!({"app": "web"})),
                policy("shop", json!({"podSelector": {}})),
            ],
        )
        .unwrap()
        .kept::<NetworkPolicyCoverage>();
        assert!(judge(&set, &Settings::default()).findings.is_empty());
    }

    #[test]
    fn exempt_namespaces_are_judged_and_accepted() {
        let settings: Settings = tollgate_sdk::settings::parse(
            r#"{"exempt-namespaces": [{"namespace": "legacy", "reason": "retired in Q3"}]}"#,
        )
        .unwrap();
        let set = Manifests::from_values(
            "default",
            vec![
                deployment("legacy", json!({"app": "web"})),
                deployment("shop", json!({"app": "web"})),
                policy("legacy", json!({"podSelector": {}, "ingress": [{}]})),
            ],
        )
        .unwrap()
        .kept::<NetworkPolicyCoverage>();
        let found: Vec<(String, Option<String>)> = judge(&set, &settings)
            .findings
            .into_iter()
            .map(|f| (f.check, f.accepted))
            .collect();
        let exempt = Some("namespace legacy is exempt: retired in Q3".to_owned());
        assert_eq!(
            found,
            [
                ("allow-all".into(), exempt),
                ("namespace-without-policy".into(), None),
            ]
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
                ("unreadable-selector".into(), 1, "/spec/podSelector".into()),
                ("namespace-without-policy".into(), 0, "".into())
            ]
        );
    }

    #[test]
    fn allow_all_rules() {
        let found = checks(vec![
            deployment("shop", json!({"app": "web"})),
            policy(
                "shop",
                json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
                       "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "lb"}}}]}, {}],
                       "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]},
                                  {"to": [{"namespaceSelector": {}}], "ports": [{"port": 53}]}]}),
            ),
        ]);
        assert_eq!(
            found,
            [
                ("allow-all".into(), 1, "/spec/ingress/1".into()),
                ("allow-all".into(), 1, "/spec/egress/0".into())
            ]
        );
    }

    #[test]
    fn cilium_calico_and_admin_policies_cover() {
        let cilium = json!({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
            "metadata": {"name": "c", "namespace": "shop"},
            "spec": {"endpointSelector": {"matchLabels": {"k8s:app": "web"}}, "ingress": [{}]}});
        assert!(checks(vec![deployment("shop", json!({"app": "web"})), cilium]).is_empty());

        let cilium_egress_only = json!({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
            "metadata": {"name": "c", "namespace": "shop"},
            "spec": {"endpointSelector": {}, "egress": [{}]}});
        assert_eq!(
            checks(vec![
                deployment("shop", json!({"app": "web"})),
                cilium_egress_only
            ]),
            [(
                "pod-not-selected".into(),
                0,
                "/spec/template/metadata/labels".into()
            )]
        );

        let clusterwide = json!({"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
            "metadata": {"name": "cw"},
            "spec": {"endpointSelector": {"matchLabels": {"k8s:io.kubernetes.pod.namespace": "shop"}}, "ingressDeny": [{}]}});
        assert!(checks(vec![deployment("shop", json!({"app": "web"})), clusterwide]).is_empty());

        let calico = json!({"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
            "metadata": {"name": "k", "namespace": "shop"},
            "spec": {"selector": "app == 'web'", "types": ["Ingress"]}});
        assert!(checks(vec![deployment("shop", json!({"app": "web"})), calico]).is_empty());

        let global = json!({"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkPolicy",
            "metadata": {"name": "g"},
            "spec": {"selector": "all()", "namespaceSelector": "kubernetes.io/metadata.name == 'shop'"}});
        assert!(checks(vec![deployment("shop", json!({"app": "web"})), global]).is_empty());

        let admin = json!({"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
            "metadata": {"name": "a"},
            "spec": {"priority": 10, "subject": {"namespaces": {"matchLabels": {"team": "shop"}}},
                     "ingress": [{"action": "Deny", "from": [{"namespaces": {}}]}]}});
        let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"team": "shop"}}});
        assert!(
            checks(vec![
                namespace,
                deployment("shop", json!({"app": "web"})),
                admin
            ])
            .is_empty()
        );
    }

    #[test]
    fn empty_yaml_fields_are_there_all_the_same() {
        // `ingress:` or `endpointSelector:` with nothing after them read as null: the
        // field is there, so the Cilium policy selects every endpoint and restricts ingress.
        let cilium = json!({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
            "metadata": {"name": "c", "namespace": "shop"},
            "spec": {"endpointSelector": null, "ingress": null}});
        assert!(checks(vec![deployment("shop", json!({"app": "web"})), cilium]).is_empty());
        // A peer whose podSelector is null selects no pods of every namespace: not open.
        // Its namespaceSelector alone, or the whole address space, is.
        let peers = json!({"podSelector": {}, "ingress": [
            {"from": [{"namespaceSelector": {}, "podSelector": null}]},
            {"from": [{"namespaceSelector": {}}]},
            {"from": [{"ipBlock": {"cidr": "::/0", "except": null}}]},
            {"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]},
            {"from": [{"namespaceSelector": {}}], "ports": [{"port": 443}]}
        ]});
        assert_eq!(
            checks(vec![
                deployment("shop", json!({"app": "web"})),
                policy("shop", peers)
            ]),
            [
                ("allow-all".into(), 1, "/spec/ingress/1".into()),
                ("allow-all".into(), 1, "/spec/ingress/2".into())
            ]
        );
    }

    #[test]
    fn calico_expressions_beyond_the_subset_protect_nothing() {
        let calico = json!({"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
            "metadata": {"name": "k", "namespace": "shop"},
            "spec": {"selector": "app == 'web' || app == 'api'"}});
        assert_eq!(
            checks(vec![deployment("shop", json!({"app": "web"})), calico]),
            [
                ("unreadable-selector".into(), 1, "/spec/selector".into()),
                ("namespace-without-policy".into(), 0, "".into())
            ]
        );
    }

    fn namespace(name: &str, labels: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
    }

    #[test]
    fn a_namespace_running_nothing_needs_no_policy() {
        assert!(checks(vec![namespace("cert-manager", json!({}))]).is_empty());
        let set = Manifests::from_values("default", vec![namespace("idle", json!({}))])
            .unwrap()
            .kept::<NetworkPolicyCoverage>();
        assert!(judge(&set, &Settings::default()).coverage.is_empty());
        // Declared twice (a plain and an OpenShift install side by side), with a workload:
        // each declaration carries the finding.
        assert_eq!(
            checks(vec![
                namespace("shop", json!({})),
                deployment("shop", json!({"app": "web"})),
                namespace("shop", json!({"variant": "openshift"})),
            ]),
            [
                ("namespace-without-policy".into(), 0, "".into()),
                ("namespace-without-policy".into(), 2, "".into())
            ]
        );
    }

    #[test]
    fn a_cilium_clusterwide_policy_covers_only_the_namespaces_it_selects() {
        let clusterwide = |selector: Value| {
            json!({"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
                   "metadata": {"name": "cw"}, "spec": {"endpointSelector": selector, "ingress": [{}]}})
        };
        let other =
            clusterwide(json!({"matchLabels": {"k8s:io.kubernetes.pod.namespace": "other"}}));
        assert_eq!(
            checks(vec![deployment("shop", json!({"app": "web"})), other]),
            [("namespace-without-policy".into(), 0, "".into())]
        );
        let by_team = |team: &str| {
            clusterwide(json!({"matchExpressions": [
                {"key": "k8s:io.cilium.k8s.namespace.labels.team", "operator": "In", "values": [team]}
            ]}))
        };
        let shop = namespace("shop", json!({"team": "shop"}));
        let web = deployment("shop", json!({"app": "web"}));
        assert!(checks(vec![shop.clone(), web.clone(), by_team("shop")]).is_empty());
        assert_eq!(
            checks(vec![shop.clone(), web.clone(), by_team("ops")]),
            [("namespace-without-policy".into(), 0, "".into())]
        );
        // A host policy selects nodes, not pods.
        let host = json!({"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
            "metadata": {"name": "host"}, "spec": {"nodeSelector": {}, "ingress": [{}]}});
        assert_eq!(
            checks(vec![shop, web, host]),
            [("namespace-without-policy".into(), 0, "".into())]
        );
    }

    #[test]
    fn an_openshift_deployment_config_is_a_workload() {
        let config = json!({"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
            "metadata": {"name": "legacy", "namespace": "shop"},
            "spec": {"template": {"metadata": {"labels": {"app": "legacy"}}, "spec": {"containers": []}}}});
        assert_eq!(
            checks(vec![
                config.clone(),
                policy(
                    "shop",
                    json!({"podSelector": {"matchLabels": {"app": "web"}}})
                )
            ]),
            [(
                "pod-not-selected".into(),
                0,
                "/spec/template/metadata/labels".into()
            )]
        );
        assert_eq!(
            checks(vec![config]),
            [("namespace-without-policy".into(), 0, "".into())]
        );
    }

    #[test]
    fn partial_and_odd_objects_are_judged_and_located_at_fields_they_hold() {
        let objects = vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "no-spec", "namespace": "shop"}, "spec": {"template": {"metadata": {}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "no-template", "namespace": "shop"}, "spec": {}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "labels-text", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": "app=web"}}}}),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": "text", "spec": ["list"]}),
            json!({"apiVersion": "v1", "kind": "Pod"}),
            json!({"apiVersion": "v1", "kind": "Namespace"}),
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "no-spec", "namespace": "shop"}}),
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "odd", "namespace": "shop"},
                   "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "ingress": "all", "egress": [{"to": "x"}, "y"], "policyTypes": "Ingress"}}),
            json!({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "c", "namespace": "other"}, "specs": "x"}),
            json!({"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkPolicy", "metadata": {"name": "g"}}),
            json!({"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"name": "a"}, "spec": {"subject": {"pods": "x"}}}),
        ];
        assert_keeping_changes_nothing::<NetworkPolicyCoverage>(&objects, &Settings::default());
        let set = Manifests::from_values("default", objects.clone())
            .unwrap()
            .kept::<NetworkPolicyCoverage>();
        let located = object_locations(&objects, judge(&set, &Settings::default()).findings);
        // A policyTypes that is no list counts as absent, so egress rules restrict egress
        // and rules without peers admit everyone; the policy without spec selects every
        // pod of shop, and Calico's empty selector every namespace (default included).
        let expected = [
            ("allow-all", 7, "/spec/egress/0"),
            ("allow-all", 7, "/spec/egress/1"),
        ];
        assert_eq!(located, owned_locations(&expected));
    }

    #[test]
    fn objects_of_undeclared_kinds_change_nothing() {
        let values = vec![
            deployment("shop", json!({"app": "web"})),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}}),
            policy(
                "shop",
                json!({"podSelector": {"matchLabels": {"app": "api"}}, "ingress": [{}]}),
            ),
            json!({"apiVersion": "example.com/v1", "kind": "Firewall", "metadata": {"name": "f", "namespace": "shop"},
                   "spec": {"podSelector": {}}}),
        ];
        let declared = assert_undeclared_kinds_change_nothing::<NetworkPolicyCoverage>(
            values,
            &Settings::default(),
        );
        assert_eq!(declared, 2);
    }
}
