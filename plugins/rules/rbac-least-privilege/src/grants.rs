//! What one policy rule grants that least privilege forbids: wildcards and the dangerous
//! permissions of [`crate::permissions`], each with the field it is on.

use tollgate_sdk::{Check, Pointer, Severity, Value, serde_json::json};

use crate::WILDCARD;
use crate::permissions::PERMISSIONS;
use crate::policy::PolicyRule;

/// One forbidden grant of a policy rule.
pub struct Grant {
    pub check: Check,
    /// The field it is on, relative to the rule.
    pub at: Pointer,
    /// Completes "<role> rule #N ...".
    pub what: String,
    pub severity: Severity,
}

/// Every forbidden grant of one policy rule.
pub fn of_rule(value: &Value) -> Vec<Grant> {
    let rule = PolicyRule::new(value);
    let mut grants = Vec::new();
    let wildcards = rule.wildcards();
    if let Some(&(field, position)) = wildcards.first() {
        let fields: Vec<&str> = wildcards.iter().map(|(f, _)| *f).collect();
        grants.push(Grant {
            check: WILDCARD,
            at: Pointer::root().at(field).at(position),
            what: format!("grants '*' in {}", fields.join(", ")),
            severity: WILDCARD.severity,
        });
    }
    // resourceNames narrows every verb but create, which it cannot restrict.
    let scoped = !rule.resource_names.is_empty();
    for permission in PERMISSIONS {
        let granted = permission
            .grants
            .iter()
            .find_map(|(group, resource, verbs)| {
                let verbs = rule.granted_verbs(group, resource, verbs);
                (!verbs.is_empty()).then_some((*resource, verbs))
            });
        let Some((resource, verbs)) = granted else {
            continue;
        };
        let narrowed = scoped && !verbs.contains(&"create");
        let severity = if narrowed {
            permission.check.severity.min(Severity::Medium)
        } else {
            permission.check.severity
        };
        grants.push(Grant {
            check: permission.check,
            at: Pointer::root().at("resources"),
            what: format!(
                "can {} ({} on {resource}{})",
                permission.what,
                verbs.join(", "),
                if narrowed {
                    ", limited by resourceNames"
                } else {
                    ""
                }
            ),
            severity,
        });
    }
    grants
}

/// The rules of the built-in user-facing ClusterRoles, as far as least privilege cares,
/// so that a binding to one is judged even when the role is not in the manifests.
/// `cluster-admin` is judged by its own check.
pub fn builtin_cluster_role(name: &str) -> Option<Vec<Value>> {
    let editor = || {
        vec![
            json!({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]}),
            json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "delete", "patch", "update"]}),
            json!({"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets", "replicasets"], "verbs": ["create", "delete", "patch", "update"]}),
            json!({"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]}),
            json!({"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}),
        ]
    };
    match name {
        "admin" => {
            let mut rules = editor();
            rules.push(json!({"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["create", "update", "patch", "delete"]}));
            Some(rules)
        }
        "edit" => Some(editor()),
        "view" => Some(Vec::new()),
        _ => None,
    }
}
