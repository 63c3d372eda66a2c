//! The policy kinds the rule reads, and what it reads of a workload's pod spec, as typed
//! views holding only the fields it reads (read leniently, see [`tollgate_sdk::typed`]). Label selectors stay as written: the
//! SDK's [`tollgate_sdk::LabelSelector`] parses them and says what is wrong with them.

use serde::Deserialize;
use tollgate_sdk::Value;
use tollgate_sdk::typed::{
    entries, object, objects, present, present_object, raw, scalar, scalars,
};

/// The one field of a pod spec that [`PodNetwork`] reads.
pub const HOST_NETWORK: &str = "hostNetwork";

/// What the rule reads of a workload's pod spec: pods on the node's network namespace
/// are out of reach of network policies.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodNetwork {
    #[serde(deserialize_with = "scalar")]
    pub host_network: Option<bool>,
}

/// `networking.k8s.io/v1` NetworkPolicy.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NetworkPolicy {
    #[serde(deserialize_with = "object")]
    pub spec: Option<NetworkPolicySpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NetworkPolicySpec {
    #[serde(deserialize_with = "raw")]
    pub pod_selector: Option<Value>,
    #[serde(deserialize_with = "scalars")]
    pub policy_types: Option<Vec<Option<String>>>,
    #[serde(deserialize_with = "objects")]
    pub ingress: Option<Vec<NetworkPolicyRule>>,
    #[serde(deserialize_with = "objects")]
    pub egress: Option<Vec<NetworkPolicyRule>>,
}

/// An ingress (`from`) or egress (`to`) rule of a NetworkPolicy.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NetworkPolicyRule {
    #[serde(deserialize_with = "objects")]
    pub from: Option<Vec<NetworkPolicyPeer>>,
    #[serde(deserialize_with = "objects")]
    pub to: Option<Vec<NetworkPolicyPeer>>,
    #[serde(deserialize_with = "entries")]
    pub ports: Option<Vec<Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NetworkPolicyPeer {
    #[serde(deserialize_with = "raw")]
    pub namespace_selector: Option<Value>,
    #[serde(deserialize_with = "raw")]
    pub pod_selector: Option<Value>,
    #[serde(deserialize_with = "object")]
    pub ip_block: Option<IpBlock>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IpBlock {
    #[serde(deserialize_with = "scalar")]
    pub cidr: Option<String>,
    #[serde(deserialize_with = "entries")]
    pub except: Option<Vec<Value>>,
}

/// `cilium.io/v2` CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy: one rule in
/// `spec`, or several in `specs`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CiliumPolicy {
    #[serde(deserialize_with = "object")]
    pub spec: Option<CiliumRule>,
    #[serde(deserialize_with = "objects")]
    pub specs: Option<Vec<CiliumRule>>,
}

/// A Cilium rule: whom it selects, and which directions it has rules for (present at
/// all, empty or `null` included).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CiliumRule {
    #[serde(deserialize_with = "raw")]
    pub endpoint_selector: Option<Value>,
    #[serde(deserialize_with = "present")]
    pub ingress: bool,
    #[serde(deserialize_with = "present")]
    pub ingress_deny: bool,
    #[serde(deserialize_with = "present")]
    pub egress: bool,
    #[serde(deserialize_with = "present")]
    pub egress_deny: bool,
}

/// `projectcalico.org/v3` NetworkPolicy and GlobalNetworkPolicy.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalicoPolicy {
    #[serde(deserialize_with = "object")]
    pub spec: Option<CalicoSpec>,
}

/// Selectors are Calico expressions; `types` and the rule lists as in Kubernetes.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CalicoSpec {
    #[serde(deserialize_with = "scalar")]
    pub selector: Option<String>,
    #[serde(deserialize_with = "scalar")]
    pub namespace_selector: Option<String>,
    #[serde(deserialize_with = "scalars")]
    pub types: Option<Vec<Option<String>>>,
    #[serde(deserialize_with = "entries")]
    pub ingress: Option<Vec<Value>>,
    #[serde(deserialize_with = "entries")]
    pub egress: Option<Vec<Value>>,
}

/// `policy.networking.k8s.io/v1alpha1` AdminNetworkPolicy and
/// BaselineAdminNetworkPolicy.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdminPolicy {
    #[serde(deserialize_with = "object")]
    pub spec: Option<AdminSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdminSpec {
    #[serde(deserialize_with = "object")]
    pub subject: Option<AdminSubject>,
    #[serde(deserialize_with = "entries")]
    pub ingress: Option<Vec<Value>>,
    #[serde(deserialize_with = "entries")]
    pub egress: Option<Vec<Value>>,
}

/// Whole namespaces, or pods of namespaces: `pods` being there at all decides which.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdminSubject {
    #[serde(deserialize_with = "raw")]
    pub namespaces: Option<Value>,
    #[serde(deserialize_with = "present_object")]
    pub pods: Option<AdminPods>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AdminPods {
    #[serde(deserialize_with = "raw")]
    pub namespace_selector: Option<Value>,
    #[serde(deserialize_with = "raw")]
    pub pod_selector: Option<Value>,
}
