//! `rbac-least-privilege`: no Role or ClusterRole grants more than it must, and no binding
//! hands out cluster-admin.
//!
//! Every rule of every role is read (not only the first). Checks: `wildcard` (`*` in verbs,
//! resources, apiGroups or nonResourceURLs), `secrets-read` (get/list/watch on secrets,
//! also through a wildcard), `cluster-admin-binding` (cluster-admin bound to a subject
//! outside `system:`).

use tollgate_sdk::{
    Check, CheckError, Finding, Framework::*, InputKind, Manifests, Object, Pointer, Rule,
    RuleInfo, Severity, Value, controls_of, export_rule,
};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

const WILDCARD: Check = Check {
    id: "wildcard",
    severity: Severity::High,
    controls: &[
        (Soc2, "CC6.1"),
        (Soc2, "CC6.3"),
        (Iso27001, "A.5.15"),
        (Iso27001, "A.8.2"),
        (CisKubernetes, "5.1.3"),
    ],
};
const SECRETS_READ: Check = Check {
    id: "secrets-read",
    severity: Severity::High,
    controls: &[
        (Soc2, "CC6.1"),
        (Soc2, "CC6.3"),
        (Iso27001, "A.5.15"),
        (Iso27001, "A.8.3"),
        (CisKubernetes, "5.1.2"),
    ],
};
const CLUSTER_ADMIN_BINDING: Check = Check {
    id: "cluster-admin-binding",
    severity: Severity::Critical,
    controls: &[
        (Soc2, "CC6.2"),
        (Soc2, "CC6.3"),
        (Iso27001, "A.5.18"),
        (Iso27001, "A.8.2"),
        (CisKubernetes, "5.1.1"),
    ],
};
const CHECKS: [Check; 3] = [WILDCARD, SECRETS_READ, CLUSTER_ADMIN_BINDING];

struct RbacLeastPrivilege;

impl Rule for RbacLeastPrivilege {
    fn info() -> RuleInfo {
        RuleInfo {
            id: "rbac-least-privilege".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Grant no RBAC permission beyond what is needed".into(),
            description: "Reads every rule of every Role and ClusterRole and every binding: \
                wildcards in verbs, resources or API groups, read access to Secrets, and \
                cluster-admin bound to anyone outside the system: prefix give more access \
                than a workload or person needs."
                .into(),
            severity: Severity::High,
            inputs: vec![InputKind::Manifests],
            remediation: "List the exact verbs, resources and API groups each role needs; \
                grant Secret access only by resourceNames to the workloads that need it; \
                bind narrow roles instead of cluster-admin."
                .into(),
            controls: controls_of(&CHECKS),
        }
    }

    fn check_manifests(set: &Manifests) -> Result<Vec<Finding>, CheckError> {
        let mut findings = Vec::new();
        for object in set.objects.iter().filter(|o| o.api_group() == RBAC_GROUP) {
            match object.kind.as_str() {
                "Role" | "ClusterRole" => findings.extend(check_role(object)),
                "RoleBinding" | "ClusterRoleBinding" => findings.extend(check_binding(object)),
                _ => {}
            }
        }
        Ok(findings)
    }
}

export_rule!(RbacLeastPrivilege);

/// The strings of a list field with their positions; absent or malformed lists are empty.
fn strings<'a>(value: &'a Value, field: &str) -> Vec<(usize, &'a str)> {
    value
        .get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_str().map(|s| (i, s)))
                .collect()
        })
        .unwrap_or_default()
}

fn check_role(role: &Object) -> Vec<Finding> {
    let rules = role.value().get("rules").and_then(Value::as_array);
    let mut findings = Vec::new();
    for (index, rule) in rules.into_iter().flatten().enumerate() {
        let pointer = Pointer::root().at("rules").at(index);
        let ordinal = index + 1;

        let wildcard_fields: Vec<&str> = ["verbs", "resources", "apiGroups", "nonResourceURLs"]
            .into_iter()
            .filter(|field| strings(rule, field).iter().any(|(_, s)| *s == "*"))
            .collect();
        if let Some(first) = wildcard_fields.first() {
            let at = strings(rule, first)
                .into_iter()
                .find(|(_, s)| *s == "*")
                .map(|(i, _)| pointer.at(first).at(i))
                .unwrap_or_else(|| pointer.clone());
            findings.push(WILDCARD.at(
                role,
                at,
                format!(
                    "{} rule #{ordinal} grants '*' in {}; list the exact values it needs",
                    role.display_name(),
                    wildcard_fields.join(", ")
                ),
            ));
        }

        if let Some(verbs) = secrets_read_verbs(rule) {
            let scoped = !strings(rule, "resourceNames").is_empty();
            let mut finding = SECRETS_READ.at(
                role,
                pointer.at("resources"),
                format!(
                    "{} rule #{ordinal} can {} Secrets{}",
                    role.display_name(),
                    verbs.join(", "),
                    if scoped {
                        " (limited by resourceNames)"
                    } else {
                        ""
                    }
                ),
            );
            if scoped {
                finding = finding.with_severity(Severity::Medium);
            }
            findings.push(finding);
        }
    }
    findings
}

/// The read verbs a policy rule grants on core-group Secrets, or `None` when it grants none.
fn secrets_read_verbs(rule: &Value) -> Option<Vec<&str>> {
    let groups = strings(rule, "apiGroups");
    let resources = strings(rule, "resources");
    let in_core_group = groups.iter().any(|(_, g)| g.is_empty() || *g == "*");
    let on_secrets = resources.iter().any(|(_, r)| *r == "secrets" || *r == "*");
    if !in_core_group || !on_secrets {
        return None;
    }
    let verbs: Vec<&str> = strings(rule, "verbs")
        .into_iter()
        .map(|(_, v)| v)
        .filter(|v| matches!(*v, "get" | "list" | "watch" | "*"))
        .collect();
    (!verbs.is_empty()).then_some(verbs)
}

fn check_binding(binding: &Object) -> Vec<Finding> {
    let role_ref = binding.value().get("roleRef");
    let refers_to = |field: &str| role_ref.and_then(|r| r.get(field)).and_then(Value::as_str);
    if refers_to("kind") != Some("ClusterRole") || refers_to("name") != Some("cluster-admin") {
        return Vec::new();
    }
    let subjects = binding.value().get("subjects").and_then(Value::as_array);
    subjects
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, subject)| {
            let kind = subject.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = subject.get("name").and_then(Value::as_str).unwrap_or("");
            let who = match kind {
                "ServiceAccount" => {
                    let namespace = subject
                        .get("namespace")
                        .and_then(Value::as_str)
                        .or(binding.namespace.as_deref())
                        .unwrap_or("");
                    format!("ServiceAccount {namespace}/{name}")
                }
                _ if name.starts_with("system:") => return None,
                _ => format!("{kind} {name}"),
            };
            Some(CLUSTER_ADMIN_BINDING.at(
                binding,
                Pointer::root().at("subjects").at(index),
                format!(
                    "{} gives cluster-admin to {who}; bind a role with only the permissions it needs",
                    binding.display_name()
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::{Location, serde_json::json};

    fn findings(objects: Vec<Value>) -> Vec<(String, String)> {
        let set = Manifests::from_values("default", objects).unwrap();
        RbacLeastPrivilege::check_manifests(&set)
            .unwrap()
            .into_iter()
            .map(|f| match f.location {
                Location::Object(o) => (f.check, o.pointer),
                Location::File(_) => panic!("object finding expected"),
            })
            .collect()
    }

    fn role(rules: Value) -> Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
               "metadata": {"name": "r", "namespace": "app"}, "rules": rules})
    }

    #[test]
    fn wildcard_in_second_rule_is_found() {
        let found = findings(vec![role(json!([
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "*"]}
        ]))]);
        assert_eq!(found, [("wildcard".into(), "/rules/1/verbs/1".into())]);
    }

    #[test]
    fn secrets_read_through_wildcard_resources() {
        let found = findings(vec![role(json!([
            {"apiGroups": [""], "resources": ["*"], "verbs": ["list"]}
        ]))]);
        assert_eq!(
            found,
            [
                ("wildcard".into(), "/rules/0/resources/0".into()),
                ("secrets-read".into(), "/rules/0/resources".into())
            ]
        );
    }

    #[test]
    fn secrets_write_only_and_other_groups_pass() {
        let found = findings(vec![role(json!([
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
            {"apiGroups": ["example.com"], "resources": ["secrets"], "verbs": ["get"]}
        ]))]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn cluster_admin_bound_outside_system() {
        let binding = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "b"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [
                {"kind": "Group", "name": "system:masters"},
                {"kind": "User", "name": "alice"},
                {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"}
            ]
        });
        assert_eq!(
            findings(vec![binding]),
            [
                ("cluster-admin-binding".into(), "/subjects/1".into()),
                ("cluster-admin-binding".into(), "/subjects/2".into())
            ]
        );
    }
}
