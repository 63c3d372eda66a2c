//! `rbac-least-privilege`: no Role or ClusterRole grants more than it must, and no binding
//! hands out too much.
//!
//! Every rule of every role is read (not only the first), with Kubernetes' matching
//! semantics, so a permission granted through `*` counts. Checks, after CIS Kubernetes
//! Benchmark section 5.1: `wildcard` (5.1.3), `secrets-read` (5.1.2), `pod-create`
//! (5.1.4), `persistentvolume-create` (5.1.9), `privilege-escalation-verbs` (5.1.8),
//! `nodes-proxy` (5.1.10), `csr-approval` (5.1.11), `webhook-config` (5.1.12),
//! `token-create` (5.1.13) on roles; `cluster-admin-binding` (5.1.1), `system-masters`
//! (5.1.7) and `anonymous-binding` on bindings. Operators accept cases by subject or role
//! in the settings ([`allowance`]); those findings are reported as accepted.

mod allowance;
mod grants;
mod model;
mod permissions;
mod policy;
mod subject;

use allowance::Settings;
use model::Model;
use permissions::{AUTOMOUNT_TOKEN, DEFAULT_SERVICE_ACCOUNT, PERMISSIONS};
use subject::{RoleRef, Subject};
use tollgate_sdk::{
    Check, CheckError, Finding, Framework, Framework::*, InputKind, Manifests, Object, Pointer,
    Rule, RuleInfo, Severity, Verdict, controls_of, export_rule, workload,
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
/// Controls every binding check breaks: who is authorised, and with which rights.
const BINDING_CONTROLS: [(Framework, &str); 4] = [
    (Soc2, "CC6.2"),
    (Soc2, "CC6.3"),
    (Iso27001, "A.5.18"),
    (Iso27001, "A.8.2"),
];
const CLUSTER_ADMIN_BINDING: Check = Check {
    id: "cluster-admin-binding",
    severity: Severity::Critical,
    controls: &[
        BINDING_CONTROLS[0],
        BINDING_CONTROLS[1],
        BINDING_CONTROLS[2],
        BINDING_CONTROLS[3],
        (CisKubernetes, "5.1.1"),
    ],
};
const SYSTEM_MASTERS: Check = Check {
    id: "system-masters",
    severity: Severity::Critical,
    controls: &[
        BINDING_CONTROLS[0],
        BINDING_CONTROLS[1],
        BINDING_CONTROLS[2],
        BINDING_CONTROLS[3],
        (CisKubernetes, "5.1.7"),
    ],
};
const ANONYMOUS_BINDING: Check = Check {
    id: "anonymous-binding",
    severity: Severity::High,
    controls: &BINDING_CONTROLS,
};

/// Every check of the rule.
fn checks() -> Vec<Check> {
    [
        WILDCARD,
        CLUSTER_ADMIN_BINDING,
        SYSTEM_MASTERS,
        ANONYMOUS_BINDING,
        DEFAULT_SERVICE_ACCOUNT,
        AUTOMOUNT_TOKEN,
    ]
    .into_iter()
    .chain(PERMISSIONS.iter().map(|p| p.check))
    .collect()
}

/// The ids of every check, for settings that name them.
fn check_ids() -> Vec<&'static str> {
    checks().iter().map(|c| c.id).collect()
}

struct RbacLeastPrivilege;

impl Rule for RbacLeastPrivilege {
    type Settings = Settings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "rbac-least-privilege".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Grant no RBAC permission beyond what is needed".into(),
            description: "Reads every rule of every Role and ClusterRole and every binding: \
                wildcards, read access to Secrets, the permissions that lead to cluster \
                compromise (creating pods, persistent volumes or tokens, bind/escalate/ \
                impersonate, nodes/proxy, approving certificates, changing admission \
                webhooks), cluster-admin or system:masters handed out, and anything bound \
                to anonymous or all authenticated users."
                .into(),
            severity: Severity::High,
            inputs: vec![InputKind::Manifests],
            remediation: "List the exact verbs, resources and API groups each role needs; \
                grant Secret access only by resourceNames to the workloads that need it; \
                keep escalation-prone permissions to the controllers that need them; bind \
                narrow roles instead of cluster-admin, and never to system:masters, \
                system:anonymous, system:unauthenticated or system:authenticated."
                .into(),
            controls: controls_of(&checks()),
        }
    }

    fn check_manifests(set: &Manifests, settings: &Settings) -> Result<Verdict, CheckError> {
        let mut findings = Model::new(set, settings).findings();
        let rbac = |kinds: &[&str], o: &Object| {
            o.api_group() == RBAC_GROUP && kinds.contains(&o.kind.as_str())
        };
        let bindings: Vec<&Object> = set
            .objects
            .iter()
            .filter(|o| rbac(&["RoleBinding", "ClusterRoleBinding"], o))
            .collect();
        for binding in &bindings {
            findings.extend(check_binding(binding, set.namespace_of(binding), settings));
        }
        // What the set held to judge: roles (or bindings to built-in roles) for the
        // permission checks, bindings for the binding checks, workloads for the accounts.
        let to_builtin = |binding: &&Object| {
            let role = RoleRef::of(binding.value());
            role.kind == Some("ClusterRole")
                && role
                    .name
                    .is_some_and(|n| grants::builtin_cluster_role(n).is_some())
        };
        let roles = bindings.iter().any(to_builtin)
            || set
                .objects
                .iter()
                .any(|o| rbac(&["Role", "ClusterRole"], o));
        let workloads = set
            .objects
            .iter()
            .any(|o| workload::pod_template(o).is_some());
        let verdict = PERMISSIONS
            .iter()
            .map(|p| p.check)
            .chain([WILDCARD])
            .fold(Verdict::of(findings), |v, check| v.judged(&check, roles));
        Ok(verdict
            .judged(&CLUSTER_ADMIN_BINDING, !bindings.is_empty())
            .judged(&SYSTEM_MASTERS, !bindings.is_empty())
            .judged(&ANONYMOUS_BINDING, !bindings.is_empty())
            .judged(&DEFAULT_SERVICE_ACCOUNT, workloads || !bindings.is_empty())
            .judged(&AUTOMOUNT_TOKEN, workloads))
    }
}

export_rule!(RbacLeastPrivilege);

/// Subjects the API server gives to everyone, or to everyone logged in.
fn everyone(kind: &str, name: &str) -> Option<Severity> {
    match (kind, name) {
        ("Group", "system:unauthenticated") | (_, "system:anonymous") => Some(Severity::High),
        ("Group", "system:authenticated") => Some(Severity::Medium),
        _ => None,
    }
}

fn check_binding(binding: &Object, namespace: &str, settings: &Settings) -> Vec<Finding> {
    let value = binding.value();
    let role_ref = RoleRef::of(value);
    let cluster_admin =
        role_ref.kind == Some("ClusterRole") && role_ref.name == Some("cluster-admin");
    let role = format!(
        "{} {}",
        role_ref.kind.unwrap_or("role"),
        role_ref.name.unwrap_or("")
    );
    // Bootstrap bindings every cluster has are named system:* (and cluster-admin).
    let bootstrap = binding.name.starts_with("system:") || binding.name == "cluster-admin";
    let mut findings: Vec<(Finding, &Subject)> = Vec::new();
    let subjects = Subject::of_binding(value, namespace);
    for (index, subject) in subjects.iter().enumerate() {
        let (kind, name) = (subject.kind, subject.name);
        let at = Pointer::root().at("subjects").at(index);
        let who = subject.to_string();
        let binding_name = binding.display_name();
        if cluster_admin && (kind == "ServiceAccount" || !name.starts_with("system:")) {
            findings.push((CLUSTER_ADMIN_BINDING.at(
                binding,
                at.clone(),
                format!("{binding_name} gives cluster-admin to {who}; bind a role with only the permissions it needs"),
            ), subject));
        }
        if bootstrap {
            continue;
        }
        if kind == "Group" && name == "system:masters" {
            findings.push((SYSTEM_MASTERS.at(
                binding,
                at.clone(),
                format!("{binding_name} binds the group system:masters, whose members bypass RBAC entirely; bind named users or groups instead"),
            ), subject));
        }
        if let Some(severity) = everyone(kind, name) {
            findings.push((
                ANONYMOUS_BINDING
                    .at(
                        binding,
                        at,
                        format!("{binding_name} gives {role} to {who}; bind it to the identities that need it"),
                    )
                    .with_severity(severity),
                subject,
            ));
        }
    }
    findings
        .into_iter()
        .map(|(finding, subject)| {
            let role_reason = || {
                let kind = role_ref.kind.unwrap_or("");
                let role_namespace = (kind == "Role").then_some(namespace);
                settings.for_role(&finding.check, kind, role_namespace, role_ref.name?)
            };
            let reason = settings
                .for_subjects(&finding.check, [subject])
                .or_else(role_reason);
            allowance::accept(finding, reason)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::{Location, Value, serde_json::json};

    fn findings(objects: Vec<Value>) -> Vec<(String, String)> {
        let set = Manifests::from_values("default", objects).unwrap();
        RbacLeastPrivilege::check_manifests(&set, &Settings::default())
            .unwrap()
            .findings
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
        assert_eq!(
            found,
            [
                ("wildcard".into(), "/rules/1/verbs/1".into()),
                ("pod-create".into(), "/rules/1/resources".into())
            ]
        );
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
                ("system-masters".into(), "/subjects/0".into()),
                ("cluster-admin-binding".into(), "/subjects/1".into()),
                ("cluster-admin-binding".into(), "/subjects/2".into())
            ]
        );
    }

    #[test]
    fn every_dangerous_permission_is_found_also_through_wildcards() {
        let found = findings(vec![role(json!([
            {"apiGroups": [""], "resources": ["pods", "persistentvolumes", "serviceaccounts/token"], "verbs": ["create"]},
            {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate"]},
            {"apiGroups": [""], "resources": ["*/proxy"], "verbs": ["get"]},
            {"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]},
            {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"], "verbs": ["patch"]},
            {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["tls"], "verbs": ["get"]}
        ]))]);
        let checks: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            checks,
            [
                "pod-create",
                "persistentvolume-create",
                "token-create",
                "privilege-escalation-verbs",
                "wildcard",
                "nodes-proxy",
                "csr-approval",
                "webhook-config",
                "secrets-read"
            ]
        );
    }

    #[test]
    fn allowances_accept_bindings_and_workloads_by_subject_or_role() {
        let settings: Settings = tollgate_sdk::settings::parse(
            r#"{"allow": [
                {"subject": "ServiceAccount/tools/ci", "checks": ["cluster-admin-binding"], "reason": "bootstraps clusters"},
                {"subject": "ServiceAccount/shop/default", "checks": ["default-service-account"], "reason": "vendor chart"},
                {"role": "ClusterRole/edit", "checks": ["secrets-read"], "reason": "team leads"}
            ]}"#,
        )
        .unwrap();
        let binding = |kind: &str, name: &str, role: &str, subjects: Value| {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
                   "metadata": {"name": name, "namespace": "shop"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                   "subjects": subjects})
        };
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"},
                         "spec": {"automountServiceAccountToken": false, "containers": []}});
        let set = Manifests::from_values(
            "default",
            vec![
                binding(
                    "ClusterRoleBinding",
                    "ci",
                    "cluster-admin",
                    json!([
                        {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"},
                        {"kind": "User", "name": "alice"}
                    ]),
                ),
                binding(
                    "RoleBinding",
                    "leads",
                    "edit",
                    json!([{"kind": "Group", "name": "leads"}]),
                ),
                pod,
            ],
        )
        .unwrap();
        let found: Vec<(String, Option<String>)> =
            RbacLeastPrivilege::check_manifests(&set, &settings)
                .unwrap()
                .findings
                .into_iter()
                .map(|f| (f.check, f.accepted))
                .collect();
        let accepted = |reason: &str| Some(reason.to_owned());
        assert!(found.contains(&(
            "cluster-admin-binding".into(),
            accepted("bootstraps clusters")
        )));
        assert!(
            found.contains(&("cluster-admin-binding".into(), None)),
            "alice is not allowed"
        );
        assert!(found.contains(&("secrets-read".into(), accepted("team leads"))));
        assert!(
            found.contains(&("pod-create".into(), None)),
            "only secrets-read is allowed"
        );
        assert!(found.contains(&("default-service-account".into(), accepted("vendor chart"))));
    }

    #[test]
    fn bindings_to_everyone() {
        let binding = |name: &str, subject: Value| {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                   "metadata": {"name": name},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                   "subjects": [subject]})
        };
        let anonymous = binding(
            "public",
            json!({"kind": "User", "name": "system:anonymous"}),
        );
        let authenticated = binding(
            "all",
            json!({"kind": "Group", "name": "system:authenticated"}),
        );
        assert_eq!(
            findings(vec![anonymous, authenticated]),
            [
                ("anonymous-binding".into(), "/subjects/0".into()),
                ("anonymous-binding".into(), "/subjects/0".into())
            ]
        );
        let bootstrap = binding(
            "system:discovery",
            json!({"kind": "Group", "name": "system:authenticated"}),
        );
        assert!(findings(vec![bootstrap]).is_empty());
    }
}
