//! Every kind of network policy, reduced to what coverage needs: which namespaces and
//! pods it applies to, and whether it restricts their ingress and egress.
//!
//! Kinds: Kubernetes NetworkPolicy; Cilium CiliumNetworkPolicy and
//! CiliumClusterwideNetworkPolicy; Calico NetworkPolicy and GlobalNetworkPolicy;
//! AdminNetworkPolicy and BaselineAdminNetworkPolicy.

use std::collections::BTreeMap;

use tollgate_sdk::{LabelSelector, Manifests, Object, Pointer, Value};

use crate::calico;
use crate::kinds::{
    AdminPolicy, CalicoPolicy, CalicoSpec, CiliumPolicy, NetworkPolicy, NetworkPolicyPeer,
    NetworkPolicyRule, NetworkPolicySpec,
};

/// Label of every namespace holding its own name (set by Kubernetes).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// The namespace as Cilium's endpoint labels carry it.
const CILIUM_NAMESPACE_LABEL: &str = "io.kubernetes.pod.namespace";
/// The prefix under which Cilium's endpoint labels carry their namespace's labels.
const CILIUM_NAMESPACE_LABELS_PREFIX: &str = "io.cilium.k8s.namespace.labels.";
/// The namespace as Calico's endpoint labels carry it.
const CALICO_NAMESPACE_LABEL: &str = "projectcalico.org/namespace";

/// A selector over labels, in one of the dialects policies use.
pub enum Selector {
    Labels(LabelSelector),
    Calico(calico::Selector),
    /// The namespace part of a Cilium endpoint selector, matched against a namespace's
    /// labels as Cilium gives them to the namespace's endpoints.
    CiliumNamespace(LabelSelector),
}

impl Selector {
    pub fn matches(&self, labels: &[(&str, &str)]) -> bool {
        match self {
            Self::Labels(s) => s.matches(labels),
            Self::Calico(s) => s.matches(labels),
            Self::CiliumNamespace(s) => {
                let name = labels
                    .iter()
                    .find(|(k, _)| *k == NAMESPACE_NAME_LABEL)
                    .map_or("", |(_, v)| *v);
                let cilium = cilium_namespace_labels(name, labels);
                let pairs: Vec<(&str, &str)> = cilium
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                s.matches(&pairs)
            }
        }
    }
}

/// The labels Cilium gives every endpoint of a namespace: its name and the namespace's
/// own labels under [`CILIUM_NAMESPACE_LABELS_PREFIX`].
fn cilium_namespace_labels(namespace: &str, labels: &[(&str, &str)]) -> Vec<(String, String)> {
    let own = labels.iter().map(|(k, v)| {
        (
            format!("{CILIUM_NAMESPACE_LABELS_PREFIX}{k}"),
            v.to_string(),
        )
    });
    std::iter::once((CILIUM_NAMESPACE_LABEL.to_owned(), namespace.to_owned()))
        .chain(own)
        .collect()
}

/// Whether a Cilium endpoint label key is about the endpoint's namespace.
fn cilium_namespace_key(key: &str) -> bool {
    key == CILIUM_NAMESPACE_LABEL || key.starts_with(CILIUM_NAMESPACE_LABELS_PREFIX)
}

/// Where a policy applies.
pub enum Scope<'a> {
    /// Pods of this namespace.
    Namespace(&'a str),
    /// Pods of the namespaces whose labels match.
    Namespaces(Selector),
}

/// A policy as coverage sees it.
pub struct Policy<'a> {
    pub scope: Scope<'a>,
    /// Selects pods by their labels (plus the namespace label of the dialect).
    pub pods: Selector,
    /// Whether selected pods are restricted for ingress.
    pub ingress: bool,
    /// Whether selected pods are restricted for egress.
    pub egress: bool,
}

/// A direction of traffic a policy may restrict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    /// Its name in `policyTypes` (and Calico's `types`).
    fn policy_type(self) -> &'static str {
        match self {
            Self::Ingress => "Ingress",
            Self::Egress => "Egress",
        }
    }

    /// The spec field that holds its rules.
    fn rules_field(self) -> &'static str {
        match self {
            Self::Ingress => "ingress",
            Self::Egress => "egress",
        }
    }
}

/// Policies by where they apply, so that a namespace only looks at its own and at the
/// cluster-wide ones.
#[derive(Default)]
pub struct PolicyIndex<'a> {
    by_namespace: BTreeMap<&'a str, Vec<Policy<'a>>>,
    cluster_wide: Vec<Policy<'a>>,
}

impl<'a> PolicyIndex<'a> {
    pub fn add(&mut self, policy: Policy<'a>) {
        match policy.scope {
            Scope::Namespace(namespace) => {
                self.by_namespace.entry(namespace).or_default().push(policy)
            }
            Scope::Namespaces(_) => self.cluster_wide.push(policy),
        }
    }

    /// The policies that may apply to namespace `name`.
    pub fn for_namespace(&self, name: &str) -> impl Iterator<Item = &Policy<'a>> {
        self.by_namespace
            .get(name)
            .into_iter()
            .flatten()
            .chain(&self.cluster_wide)
    }
}

/// A selector that cannot be evaluated: where, and why.
pub struct Unreadable {
    pub at: Pointer,
    pub reason: String,
}

impl Policy<'_> {
    /// Whether the policy applies to a namespace with these labels (and name).
    pub fn applies_to(&self, namespace: &str, labels: &[(&str, &str)]) -> bool {
        match &self.scope {
            Scope::Namespace(ns) => *ns == namespace,
            Scope::Namespaces(selector) => selector.matches(labels),
        }
    }

    /// Whether the policy restricts `direction` for a pod of `namespace` with `labels`.
    pub fn covers(
        &self,
        direction: Direction,
        namespace: &str,
        namespace_labels: &[(&str, &str)],
        labels: &[(&str, &str)],
    ) -> bool {
        let restricts = match direction {
            Direction::Ingress => self.ingress,
            Direction::Egress => self.egress,
        };
        if !restricts || !self.applies_to(namespace, namespace_labels) {
            return false;
        }
        let cilium = cilium_namespace_labels(namespace, namespace_labels);
        let mut pod = labels.to_vec();
        pod.extend(cilium.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        pod.push((CALICO_NAMESPACE_LABEL, namespace));
        self.pods.matches(&pod)
    }
}

/// The policies one object declares (Cilium's `specs` may hold several), `None` when the
/// object is no policy.
pub fn read<'a>(
    set: &'a Manifests,
    object: &'a Object,
) -> Option<Result<Vec<Policy<'a>>, Unreadable>> {
    let namespace = set.namespace_of(object);
    Some(match (object.kind.as_str(), object.api_group()) {
        ("NetworkPolicy", "networking.k8s.io") => kubernetes(object, namespace),
        ("CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy", "cilium.io") => {
            cilium(object, namespace)
        }
        (
            "NetworkPolicy" | "GlobalNetworkPolicy",
            "projectcalico.org" | "crd.projectcalico.org",
        ) => calico(object, namespace),
        ("AdminNetworkPolicy" | "BaselineAdminNetworkPolicy", "policy.networking.k8s.io") => {
            admin(object)
        }
        _ => return None,
    })
}

/// A Kubernetes NetworkPolicy: the pods its `podSelector` selects in its namespace.
fn kubernetes<'a>(object: &Object, namespace: &'a str) -> Result<Vec<Policy<'a>>, Unreadable> {
    let policy: NetworkPolicy = object.read();
    let spec = policy.spec.unwrap_or_default();
    let pods = labels(spec.pod_selector.as_ref(), "/spec/podSelector")?;
    Ok(vec![Policy {
        scope: Scope::Namespace(namespace),
        pods,
        ingress: spec.restricts(Direction::Ingress),
        egress: spec.restricts(Direction::Egress),
    }])
}

/// A Cilium policy: one per `spec`/`specs` rule that selects endpoints (a host policy,
/// with `nodeSelector`, selects nodes, not pods). A clusterwide policy applies to the
/// namespaces its endpoint selector's namespace labels select.
fn cilium<'a>(object: &Object, namespace: &'a str) -> Result<Vec<Policy<'a>>, Unreadable> {
    let clusterwide = object.kind == "CiliumClusterwideNetworkPolicy";
    let policy: CiliumPolicy = object.read();
    let single = policy.spec.map(|rule| (Pointer::root().at("spec"), rule));
    let many = policy.specs.into_iter().flatten().enumerate();
    let many = many.map(|(i, rule)| (Pointer::root().at("specs").at(i), rule));
    let mut policies = Vec::new();
    for (at, rule) in single.into_iter().chain(many) {
        let Some(selector) = rule.endpoint_selector else {
            continue;
        };
        let pods = cilium_selector(selector, &at.at("endpointSelector"))?;
        let scope = if clusterwide {
            let namespaces = pods.restricted_to(cilium_namespace_key);
            Scope::Namespaces(Selector::CiliumNamespace(namespaces))
        } else {
            Scope::Namespace(namespace)
        };
        policies.push(Policy {
            scope,
            pods: Selector::Labels(pods),
            ingress: rule.ingress || rule.ingress_deny,
            egress: rule.egress || rule.egress_deny,
        });
    }
    Ok(policies)
}

/// A Calico NetworkPolicy (its namespace) or GlobalNetworkPolicy (the namespaces its
/// `namespaceSelector` selects), selecting pods by Calico expressions.
fn calico<'a>(object: &Object, namespace: &'a str) -> Result<Vec<Policy<'a>>, Unreadable> {
    let policy: CalicoPolicy = object.read();
    let spec = policy.spec.unwrap_or_default();
    let parse = |expression: &Option<String>, field: &str| {
        calico::Selector::parse(expression.as_deref().unwrap_or(""))
            .map(Selector::Calico)
            .map_err(|reason| Unreadable {
                at: Pointer::root().path(["spec", field]),
                reason,
            })
    };
    let scope = if object.kind == "GlobalNetworkPolicy" {
        Scope::Namespaces(parse(&spec.namespace_selector, "namespaceSelector")?)
    } else {
        Scope::Namespace(namespace)
    };
    Ok(vec![Policy {
        scope,
        pods: parse(&spec.selector, "selector")?,
        ingress: spec.restricts(Direction::Ingress),
        egress: spec.restricts(Direction::Egress),
    }])
}

/// An (Baseline)AdminNetworkPolicy: its subject is either whole namespaces or pods of
/// selected namespaces; it restricts the directions it has rules for.
fn admin<'a>(object: &Object) -> Result<Vec<Policy<'a>>, Unreadable> {
    let policy: AdminPolicy = object.read();
    let spec = policy.spec.unwrap_or_default();
    let has_rules = |rules: &Option<Vec<Value>>| rules.as_ref().is_some_and(|r| !r.is_empty());
    let subject = spec.subject.unwrap_or_default();
    let (namespaces, pods) = match subject.pods {
        Some(pods) => (
            labels(
                pods.namespace_selector.as_ref(),
                "/spec/subject/pods/namespaceSelector",
            )?,
            labels(pods.pod_selector.as_ref(), "/spec/subject/pods/podSelector")?,
        ),
        None => (
            labels(subject.namespaces.as_ref(), "/spec/subject/namespaces")?,
            Selector::Labels(LabelSelector::default()),
        ),
    };
    Ok(vec![Policy {
        scope: Scope::Namespaces(namespaces),
        pods,
        ingress: has_rules(&spec.ingress),
        egress: has_rules(&spec.egress),
    }])
}

/// A Kubernetes label selector read from `pointer`.
fn labels(selector: Option<&Value>, pointer: &str) -> Result<Selector, Unreadable> {
    LabelSelector::parse(selector)
        .map(Selector::Labels)
        .map_err(|reason| Unreadable {
            at: Pointer::parse(pointer),
            reason,
        })
}

/// Kubernetes (and Calico) semantics: with the types field, a policy restricts exactly
/// the directions listed; without it, ingress always, and egress when it has egress rules.
fn restricts(
    types: Option<&[Option<String>]>,
    has_egress_rules: bool,
    direction: Direction,
) -> bool {
    match types {
        Some(types) => types
            .iter()
            .any(|t| t.as_deref() == Some(direction.policy_type())),
        None => direction == Direction::Ingress || has_egress_rules,
    }
}

impl NetworkPolicySpec {
    /// Whether the policy restricts `direction` ([`restricts`]).
    fn restricts(&self, direction: Direction) -> bool {
        let egress_rules = self.egress.as_ref().is_some_and(|r| !r.is_empty());
        restricts(self.policy_types.as_deref(), egress_rules, direction)
    }
}

impl CalicoSpec {
    /// Whether the policy restricts `direction` ([`restricts`]).
    fn restricts(&self, direction: Direction) -> bool {
        let egress_rules = self.egress.as_ref().is_some_and(|r| !r.is_empty());
        restricts(self.types.as_deref(), egress_rules, direction)
    }
}

/// Cilium endpoint selectors prefix label keys with their source (`k8s:app`, `any:app`);
/// the prefix is dropped so that they match pod labels.
fn cilium_selector(mut selector: Value, at: &Pointer) -> Result<LabelSelector, Unreadable> {
    let strip = |key: &str| {
        key.strip_prefix("k8s:")
            .or_else(|| key.strip_prefix("any:"))
            .unwrap_or(key)
            .to_owned()
    };
    if let Some(Value::Object(labels)) = selector.get_mut("matchLabels") {
        *labels = std::mem::take(labels)
            .into_iter()
            .map(|(k, v)| (strip(&k), v))
            .collect();
    }
    if let Some(Value::Array(expressions)) = selector.get_mut("matchExpressions") {
        for expression in expressions {
            if let Some(Value::String(key)) = expression.get_mut("key") {
                *key = strip(key);
            }
        }
    }
    LabelSelector::parse(Some(&selector)).map_err(|reason| Unreadable {
        at: at.clone(),
        reason,
    })
}

/// The rules of a Kubernetes NetworkPolicy that admit everything: no peers and no ports,
/// a peer selecting every namespace, or an IP block of the whole address space. Only
/// directions the policy restricts count.
pub fn allow_all_rules(policy: &Object) -> Vec<(Pointer, &'static str)> {
    let policy: NetworkPolicy = policy.read();
    let spec = policy.spec.unwrap_or_default();
    let mut found = Vec::new();
    for (direction, rules, phrase) in [
        (Direction::Ingress, &spec.ingress, "from anywhere"),
        (Direction::Egress, &spec.egress, "to anywhere"),
    ] {
        // Rules of a direction the policy's types leave out have no effect.
        if !spec.restricts(direction) {
            continue;
        }
        for (i, rule) in rules.iter().flatten().enumerate() {
            if rule.admits_everything(direction) {
                let field = direction.rules_field();
                found.push((Pointer::root().path(["spec", field]).at(i), phrase));
            }
        }
    }
    found
}

impl NetworkPolicyRule {
    /// No ports, and no peers or a peer that admits everyone.
    fn admits_everything(&self, direction: Direction) -> bool {
        let peers = match direction {
            Direction::Ingress => &self.from,
            Direction::Egress => &self.to,
        };
        let empty = |list: Option<usize>| list.is_none_or(|n| n == 0);
        empty(self.ports.as_ref().map(Vec::len))
            && (empty(peers.as_ref().map(Vec::len))
                || peers
                    .iter()
                    .flatten()
                    .any(NetworkPolicyPeer::admits_everyone))
    }
}

impl NetworkPolicyPeer {
    /// A peer selecting every pod of every namespace, or the whole address space.
    fn admits_everyone(&self) -> bool {
        let everything =
            |v: Option<&Value>| v.and_then(Value::as_object).is_some_and(|o| o.is_empty());
        let all_namespaces = everything(self.namespace_selector.as_ref())
            && self
                .pod_selector
                .as_ref()
                .is_none_or(|p| everything(Some(p)));
        let whole_internet = self.ip_block.as_ref().is_some_and(|block| {
            matches!(block.cidr.as_deref(), Some("0.0.0.0/0" | "::/0"))
                && block.except.as_ref().is_none_or(Vec::is_empty)
        });
        all_namespaces || whole_internet
    }
}
