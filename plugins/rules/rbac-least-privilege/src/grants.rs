//! What a role's policy rules grant that least privilege forbids: wildcards and the
//! dangerous permissions of [`crate::permissions`], each with the rule and field it is on.
//!
//! A full wildcard (`*` verbs on `*` resources in `*` API groups) is one finding naming
//! what it implies, of `namespace-full-wildcard` or `cluster-full-wildcard` by the role's
//! reach: each of those checks carries the controls of every permission it implies there,
//! so one finding breaks them all. Cluster-scoped resources count only where the role
//! reaches the whole cluster ([`Reach`]).

use tollgate_sdk::{Check, Pointer, Severity, Value, serde_json::json};

use crate::checks::{
    CLUSTER_ADMIN_BINDING, CLUSTER_FULL_WILDCARD, NAMESPACE_FULL_WILDCARD, SECRETS_READ, WILDCARD,
};
use crate::permissions::{PERMISSIONS, Permission, cluster_scoped};
use crate::policy::PolicyRule;

/// Where a role's rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The whole cluster: a ClusterRole bound by a ClusterRoleBinding (or not bound in
    /// the input, where any binding may come).
    Cluster,
    /// One namespace: a Role, or a ClusterRole that only RoleBindings grant.
    Namespace,
}

/// One forbidden grant of a policy rule.
pub struct Grant {
    pub check: Check,
    /// The field it is on, relative to the rule.
    pub at: Pointer,
    /// Completes "<role> rule #N ...".
    pub what: String,
    pub severity: Severity,
}

impl Grant {
    fn new(check: Check, at: Pointer, what: String) -> Self {
        Self {
            check,
            at,
            what,
            severity: check.severity,
        }
    }
}

/// Every forbidden grant of a role's rules, each with the index of the rule it is on, in
/// rule order.
pub fn of_rules(rules: &[PolicyRule], reach: Reach) -> Vec<(usize, Grant)> {
    let cluster_admin =
        reach == Reach::Cluster && rules.iter().any(PolicyRule::is_every_non_resource_url);
    let mut grants = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        // The non-resource URLs of cluster-admin in all but name are named in its finding.
        if cluster_admin && rule.is_every_non_resource_url() && rule.resources.is_empty() {
            continue;
        }
        if rule.is_full_wildcard() {
            let found = full_wildcard(rule, reach, cluster_admin);
            grants.extend(found.into_iter().map(|g| (index, g)));
        } else {
            grants.extend(of_rule(rule, reach).into_iter().map(|g| (index, g)));
        }
    }
    grants.extend(across_rules(rules, reach));
    grants.sort_by_key(|(index, _)| *index);
    grants
}

/// The finding of a full wildcard, of its reach's full-wildcard check, naming the
/// permissions it implies. Cluster-admin in all but name, it is critical and also a
/// `cluster-admin-binding` finding: CIS 5.1.1 is that check's, and a full-wildcard check
/// cannot carry it, since not every full wildcard is cluster-admin.
fn full_wildcard(rule: &PolicyRule, reach: Reach, cluster_admin: bool) -> Vec<Grant> {
    let phrases: Vec<&str> = implied_by_full_wildcard(reach).map(|p| p.what).collect();
    let (check, scope) = match reach {
        Reach::Cluster => (CLUSTER_FULL_WILDCARD, "every resource in every API group"),
        Reach::Namespace => (
            NAMESPACE_FULL_WILDCARD,
            "every namespaced resource of its namespace",
        ),
    };
    let at = rule
        .wildcards()
        .first()
        .map_or_else(Pointer::root, |&(field, position, _)| {
            Pointer::root().at(field).at(position)
        });
    let grants_all = format!(
        "grants every verb on {scope} ('*' in apiGroups, resources and verbs), so it can {}",
        phrases.join("; ")
    );
    if !cluster_admin {
        return vec![Grant::new(check, at, grants_all)];
    }
    let mut grant = Grant::new(
        check,
        at.clone(),
        format!(
            "is cluster-admin in all but name: with '*' on every non-resource URL it {grants_all}"
        ),
    );
    grant.severity = Severity::Critical;
    let what = "is cluster-admin in all but name, so it gives full control of the cluster";
    vec![grant, Grant::new(CLUSTER_ADMIN_BINDING, at, what.into())]
}

/// The permissions a full wildcard grants within `reach`: those it can hold there at all.
fn implied_by_full_wildcard(reach: Reach) -> impl Iterator<Item = &'static Permission> {
    PERMISSIONS.iter().filter(move |p| reachable(p, reach))
}

/// Whether a permission can be held at all within `reach`.
fn reachable(permission: &Permission, reach: Reach) -> bool {
    let reached = |&&(_, resource, _): &&(&str, &str, &[&str])| {
        reach == Reach::Cluster || !cluster_scoped(resource)
    };
    if permission.needs_all {
        permission.grants.iter().all(|g| reached(&g))
    } else {
        permission.grants.iter().any(|g| reached(&g))
    }
}

/// The wildcard entries and dangerous permissions of one rule that is no full wildcard.
fn of_rule(rule: &PolicyRule, reach: Reach) -> Vec<Grant> {
    let permissions = PERMISSIONS.iter().filter(|p| !p.needs_all);
    wildcard_entries(rule, reach)
        .into_iter()
        .chain(permissions.filter_map(|p| permission(rule, p, reach)))
        .collect()
}

/// One finding naming every wildcard entry of a rule that grants something in `reach`.
fn wildcard_entries(rule: &PolicyRule, reach: Reach) -> Option<Grant> {
    // Non-resource URLs (and the verbs of a rule that has only them) are granted only
    // cluster-wide.
    let wildcards: Vec<_> = rule
        .wildcards()
        .into_iter()
        .filter(|(field, _, _)| match *field {
            "nonResourceURLs" => reach == Reach::Cluster,
            "verbs" => reach == Reach::Cluster || !rule.resources.is_empty(),
            _ => true,
        })
        .collect();
    let &(field, position, _) = wildcards.first()?;
    let entries: Vec<String> = wildcards
        .iter()
        .map(|(field, _, entry)| format!("'{entry}' in {field}"))
        .collect();
    Some(Grant::new(
        WILDCARD,
        Pointer::root().at(field).at(position),
        format!("grants {}", entries.join(", ")),
    ))
}

/// The grant of one dangerous permission by a rule, if it makes it. `resourceNames`
/// narrows every verb but create, which it cannot restrict; Secrets only read by name,
/// with get alone, are what the check's remediation asks for, so no grant.
fn permission(rule: &PolicyRule, permission: &Permission, reach: Reach) -> Option<Grant> {
    let (resource, verbs, entry) = granted(rule, permission.grants, reach)?;
    let narrowed = !rule.resource_names.is_empty() && !verbs.contains(&"create");
    if narrowed && permission.check.id == SECRETS_READ.id && verbs == ["get"] {
        return None;
    }
    let through = through(resource, entry);
    let verb_list = verbs.join(", ");
    let mut grant = Grant::new(
        permission.check,
        Pointer::root().at("resources"),
        format!(
            "can {} ({verb_list} on {resource}{through})",
            permission.what
        ),
    );
    if narrowed {
        grant.severity = grant.severity.min(Severity::Medium);
        grant.what = format!(
            "can {} ({verb_list} on {resource}{through}, limited by resourceNames)",
            permission.what
        );
    }
    Some(grant)
}

/// The first of `grants` the rule gives within `reach`: resource, verbs, matched entry.
fn granted<'a>(
    rule: &PolicyRule<'a>,
    grants: &[(&str, &'static str, &[&'a str])],
    reach: Reach,
) -> Option<(&'static str, Vec<&'a str>, &'a str)> {
    grants
        .iter()
        .filter(|(_, resource, _)| reach == Reach::Cluster || !cluster_scoped(resource))
        .find_map(|(group, resource, verbs)| {
            let (verbs, entry) = rule.granted_verbs(group, resource, verbs)?;
            Some((*resource, verbs, entry))
        })
}

/// `" through '*/proxy'"` when a rule reaches a resource by an entry other than its name.
fn through(resource: &str, entry: &str) -> String {
    if entry == resource {
        String::new()
    } else {
        format!(" through '{entry}'")
    }
}

/// Permissions that take several grants (approving a CSR), held when the role's rules
/// give every one of them: reported on the rule that gives the first.
fn across_rules(rules: &[PolicyRule], reach: Reach) -> Vec<(usize, Grant)> {
    let mut grants = Vec::new();
    for permission in PERMISSIONS.iter().filter(|p| p.needs_all) {
        let held: Option<Vec<(usize, String)>> = permission
            .grants
            .iter()
            .map(|grant| {
                rules.iter().enumerate().find_map(|(index, rule)| {
                    if rule.is_full_wildcard() {
                        return None;
                    }
                    let (resource, verbs, entry) =
                        granted(rule, std::slice::from_ref(grant), reach)?;
                    let through = through(resource, entry);
                    Some((
                        index,
                        format!("{} on {resource}{through}", verbs.join(", ")),
                    ))
                })
            })
            .collect();
        let Some(held) = held else { continue };
        let first = held[0].0;
        let parts: Vec<String> = held
            .iter()
            .map(|(index, part)| match *index == first {
                true => part.clone(),
                false => format!("{part} in rule #{}", index + 1),
            })
            .collect();
        grants.push((
            first,
            Grant::new(
                permission.check,
                Pointer::root().at("resources"),
                format!("can {} ({})", permission.what, parts.join(" with ")),
            ),
        ));
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use tollgate_sdk::ControlId;

    use super::*;

    /// What a full wildcard implies in `reach`, and the controls of its check: exactly
    /// those of `wildcard` and of each implied permission's check, each once.
    #[test]
    fn a_full_wildcard_check_carries_the_controls_of_all_it_implies() {
        let cases = [
            (
                Reach::Namespace,
                NAMESPACE_FULL_WILDCARD,
                &[
                    "secrets-read",
                    "pod-create",
                    "privilege-escalation-verbs",
                    "token-create",
                ][..],
            ),
            (
                Reach::Cluster,
                CLUSTER_FULL_WILDCARD,
                &[
                    "secrets-read",
                    "pod-create",
                    "privilege-escalation-verbs",
                    "persistentvolume-create",
                    "nodes-proxy",
                    "csr-approval",
                    "webhook-config",
                    "token-create",
                ][..],
            ),
        ];
        for (reach, check, implied) in cases {
            let checks: Vec<&str> = implied_by_full_wildcard(reach)
                .map(|p| p.check.id)
                .collect();
            assert_eq!(checks, implied, "{reach:?}");
            let union: BTreeSet<ControlId> = implied_by_full_wildcard(reach)
                .flat_map(|p| p.check.controls)
                .chain(WILDCARD.controls)
                .copied()
                .collect();
            let declared: BTreeSet<ControlId> = check.controls.iter().copied().collect();
            assert_eq!(
                declared.len(),
                check.controls.len(),
                "{}: a control twice",
                check.id
            );
            assert_eq!(declared, union, "{}", check.id);
        }
    }
}
