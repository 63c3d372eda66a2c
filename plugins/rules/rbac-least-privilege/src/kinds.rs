//! The kinds the rule reads besides bindings ([`crate::subject`]), as typed views
//! holding only the fields it reads (read leniently, see [`tollgate_sdk::typed`]).

use serde::Deserialize;
use tollgate_sdk::Value;
use tollgate_sdk::typed::{entries, object, objects, present_text, scalar};

use crate::policy::PolicyRule;

/// A Role or ClusterRole.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Role<'a> {
    #[serde(borrow, deserialize_with = "objects")]
    pub rules: Option<Vec<PolicyRule<'a>>>,
    #[serde(deserialize_with = "object")]
    pub aggregation_rule: Option<AggregationRule>,
}

/// A ClusterRole's `aggregationRule`: label selectors, parsed by
/// [`tollgate_sdk::LabelSelector`], which says what is wrong with one.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AggregationRule {
    #[serde(deserialize_with = "entries")]
    pub cluster_role_selectors: Option<Vec<Value>>,
}

/// `automountServiceAccountToken`, of a ServiceAccount and of a pod spec.
pub const AUTOMOUNT: &str = "automountServiceAccountToken";

/// The fields of a pod template that [`AccountSpec`] reads: all the rule keeps of a
/// workload.
pub const ACCOUNT_SPEC_PATHS: [&[&str]; 3] = [
    &["spec", "serviceAccountName"],
    &["spec", "serviceAccount"],
    &["spec", AUTOMOUNT],
];

/// A ServiceAccount.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceAccount {
    #[serde(deserialize_with = "scalar")]
    pub automount_service_account_token: Option<bool>,
}

/// What the account checks read of a workload's pod spec.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountSpec<'a> {
    /// `Some` when the field is there at all: then it alone names the ServiceAccount
    /// (even when it is no string), and the deprecated `serviceAccount` is not read.
    #[serde(borrow, deserialize_with = "present_text")]
    pub service_account_name: Option<Option<&'a str>>,
    #[serde(borrow, deserialize_with = "present_text")]
    pub service_account: Option<Option<&'a str>>,
    #[serde(deserialize_with = "scalar")]
    pub automount_service_account_token: Option<bool>,
}

impl<'a> AccountSpec<'a> {
    /// The ServiceAccount the pods run as (`default` when none is named).
    pub fn account(&self) -> &'a str {
        let named = self.service_account_name.or(self.service_account);
        named
            .flatten()
            .filter(|name| !name.is_empty())
            .unwrap_or("default")
    }
}
