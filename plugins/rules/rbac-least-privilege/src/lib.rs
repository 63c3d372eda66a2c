//! `rbac-least-privilege`: no Role or ClusterRole grants more than it must, and no binding
//! hands out too much.
//!
//! Every rule of every role is read (not only the first), with Kubernetes' matching
//! semantics, so a permission granted through `*` counts, and its scope: a Role, or a
//! ClusterRole only RoleBindings grant, reaches no cluster-scoped resource. A full `*/*/*`
//! rule is one finding naming what it implies, `namespace-full-wildcard` (5.1.2, 5.1.3,
//! 5.1.4, 5.1.8, 5.1.13) or `cluster-full-wildcard` (5.1.2-5.1.4, 5.1.8-5.1.13) by the
//! role's reach: each carries the controls of every permission it implies there
//! ([`grants`]). Two files may define the same role; each copy is judged. Checks
//! ([`checks`]), after CIS Kubernetes Benchmark section 5.1: `wildcard` (5.1.3, a `*` short
//! of a full wildcard), the two full-wildcard checks, `secrets-read` (5.1.2), `pod-create`
//! (5.1.4), `persistentvolume-create` (5.1.9), `privilege-escalation-verbs` (5.1.8),
//! `nodes-proxy` (5.1.10), `csr-approval` (5.1.11), `webhook-config` (5.1.12),
//! `token-create` (5.1.13) on roles, which judge the Roles and ClusterRoles;
//! `cluster-admin-binding` (5.1.1; also a role equal to cluster-admin, a full wildcard
//! with every non-resource URL, bound cluster-wide), `system-masters` (5.1.7) and
//! `anonymous-binding` on bindings, which judge the bindings; `default-service-account`
//! (5.1.5) and `automount-token` (5.1.6) on workloads, default ServiceAccounts and
//! bindings. Operators accept cases by subject or role in the settings ([`allowance`]);
//! those findings are reported as accepted.

mod allowance;
mod checks;
mod grants;
mod kinds;
mod model;
mod permissions;
mod policy;
mod subject;

use std::collections::BTreeSet;

use allowance::Settings;
use checks::{
    ANONYMOUS_BINDING, AUTOMOUNT_TOKEN, BINDING_CHECKS, CLUSTER_ADMIN_BINDING,
    DEFAULT_SERVICE_ACCOUNT, ROLE_CHECKS, SYSTEM_MASTERS,
};
use model::Model;
use subject::{RoleRef, Subject};
use tollgate_sdk::{
    Check, CheckError, Finding, InputKind, Manifests, Object, Pointer, Rule, RuleInfo, RuleSpec,
    Severity, Verdict, export_rule, join, workload,
};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The kinds the rule reads: roles, bindings, service accounts and the workloads that run
/// as them.
const KINDS: [&str; 14] = join(
    [
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "ServiceAccount",
    ],
    workload::KINDS,
);

/// Every check of the rule.
const CHECKS: [Check; 16] = [
    ROLE_CHECKS[0],
    ROLE_CHECKS[1],
    ROLE_CHECKS[2],
    ROLE_CHECKS[3],
    ROLE_CHECKS[4],
    ROLE_CHECKS[5],
    ROLE_CHECKS[6],
    ROLE_CHECKS[7],
    ROLE_CHECKS[8],
    ROLE_CHECKS[9],
    ROLE_CHECKS[10],
    BINDING_CHECKS[0],
    BINDING_CHECKS[1],
    BINDING_CHECKS[2],
    DEFAULT_SERVICE_ACCOUNT,
    AUTOMOUNT_TOKEN,
];

const SPEC: RuleSpec = RuleSpec {
    id: "rbac-least-privilege",
    version: env!("CARGO_PKG_VERSION"),
    title: "Grant no RBAC permission beyond what is needed",
    description: "Reads every rule of every Role and ClusterRole and every binding: \
        wildcards, read access to Secrets, the permissions that lead to cluster \
        compromise (creating pods, persistent volumes or tokens, bind/escalate/ \
        impersonate, nodes/proxy, approving certificates, changing admission \
        webhooks), cluster-admin or system:masters handed out, anything bound to \
        anonymous or all authenticated users, and the default service account and \
        mounted API tokens of workloads.",
    inputs: &[InputKind::Manifests],
    kinds: &KINDS,
    checks: &CHECKS,
};

/// The ids of every check, for settings that name them.
fn check_ids() -> Vec<&'static str> {
    CHECKS.iter().map(|c| c.id).collect()
}

struct RbacLeastPrivilege;

impl Rule for RbacLeastPrivilege {
    type Settings = Settings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    /// Of a ServiceAccount, whether it mounts its token, and only of a `default` one or one
    /// that says (the others bear on no check); of a workload, the fields of its pod spec
    /// that name its account and mount the token ([`kinds::AccountSpec`]): what the rule
    /// reads of the many objects of these kinds. Roles and bindings are kept whole.
    fn keep(object: Object) -> Option<Object> {
        if object.kind == "ServiceAccount" && object.api_version == "v1" {
            // Read as the checks read it (text that is no object stops the plugin), and
            // cut only when kept: most accounts are dropped.
            let account: kinds::ServiceAccount = object.read();
            let says = account.automount_service_account_token.is_some();
            let kept = object.name == "default" || says;
            return kept.then(|| object.keeping(&[Pointer::root().at(kinds::AUTOMOUNT)]));
        }
        Some(workload::keeping_in_template(
            object,
            &kinds::ACCOUNT_SPEC_PATHS,
        ))
    }

    fn check_manifests(set: &Manifests, settings: &Settings) -> Result<Verdict, CheckError> {
        let model = Model::new(set, settings);
        let mut findings = model.findings();
        let judged = Judged::of(set, &model.workload_objects);
        for binding in &judged.bindings {
            findings.extend(check_binding(binding, set.namespace_of(binding), settings));
        }
        Ok(judged.coverage(Verdict::of(findings)))
    }
}

export_rule!(RbacLeastPrivilege);

/// The objects each group of checks judges, whether or not it finds anything in them.
struct Judged<'a> {
    /// Roles and ClusterRoles, and bindings to built-in ClusterRoles the set does not
    /// define (their rules are known): what the permission checks judge.
    roles: Vec<&'a Object>,
    /// RoleBindings and ClusterRoleBindings.
    bindings: Vec<&'a Object>,
    /// Workloads, the `default` ServiceAccounts and the bindings (which may bind
    /// `default`): what `default-service-account` judges.
    accounts: Vec<&'a Object>,
    /// Workloads: what `automount-token` judges.
    workloads: Vec<&'a Object>,
}

impl<'a> Judged<'a> {
    /// What each check judges in `set`, whose workloads (in input order) are `workloads`.
    fn of(set: &'a Manifests, workloads: &[&'a Object]) -> Self {
        let rbac = |kinds: &[&str], o: &Object| {
            kinds.contains(&o.kind.as_str()) && o.api_group() == RBAC_GROUP
        };
        let objects = || set.objects.iter();
        let bindings: Vec<&Object> = objects()
            .filter(|o| rbac(&["RoleBinding", "ClusterRoleBinding"], o))
            .collect();
        let cluster_roles: BTreeSet<&str> = objects()
            .filter(|o| rbac(&["ClusterRole"], o))
            .map(|o| o.name.as_str())
            .collect();
        let defined = |name: &str| cluster_roles.contains(name);
        let to_builtin = |binding: &&Object| {
            let role = RoleRef::of(binding);
            role.kind == Some("ClusterRole")
                && role
                    .name
                    .is_some_and(|n| grants::builtin_cluster_role(n).is_some() && !defined(n))
        };
        let roles = objects()
            .filter(|o| rbac(&["Role", "ClusterRole"], o))
            .chain(bindings.iter().copied().filter(to_builtin))
            .collect();
        let workloads = workloads.to_vec();
        let default_accounts = set
            .of_kind("ServiceAccount")
            .filter(|o| o.api_version == "v1" && o.name == "default");
        let accounts = workloads
            .iter()
            .copied()
            .chain(default_accounts)
            .chain(bindings.iter().copied())
            .collect();
        Self {
            roles,
            bindings,
            accounts,
            workloads,
        }
    }

    /// `verdict` with what each check judged.
    fn coverage(&self, verdict: Verdict) -> Verdict {
        let verdict = ROLE_CHECKS.iter().fold(verdict, |v, check| {
            v.judged(check, self.roles.iter().copied())
        });
        let verdict = BINDING_CHECKS.iter().fold(verdict, |v, check| {
            v.judged(check, self.bindings.iter().copied())
        });
        verdict
            .judged(&DEFAULT_SERVICE_ACCOUNT, self.accounts.iter().copied())
            .judged(&AUTOMOUNT_TOKEN, self.workloads.iter().copied())
    }
}

/// The API server's own bootstrap ClusterRoleBindings that bind everyone or
/// system:masters: each is named after the ClusterRole it grants, with these subjects.
const BUILTIN_BINDINGS: &[(&str, &[(&str, &str)])] = &[
    ("cluster-admin", &[("Group", "system:masters")]),
    ("system:discovery", &[("Group", "system:authenticated")]),
    ("system:basic-user", &[("Group", "system:authenticated")]),
    (
        "system:public-info-viewer",
        &[
            ("Group", "system:authenticated"),
            ("Group", "system:unauthenticated"),
        ],
    ),
];

/// Whether `subject` of `binding` is one the API server binds itself: the exact name,
/// role and subject of a bootstrap binding, never a lookalike name.
fn builtin_grant(binding: &Object, role: &RoleRef, subject: &Subject) -> bool {
    binding.kind == "ClusterRoleBinding"
        && role.kind == Some("ClusterRole")
        && BUILTIN_BINDINGS.iter().any(|(name, subjects)| {
            binding.name == *name
                && role.name == Some(name)
                && subjects.contains(&(subject.kind, subject.name))
        })
}

/// Subjects the API server gives to everyone, or to everyone logged in.
fn everyone(kind: &str, name: &str) -> Option<Severity> {
    match (kind, name) {
        ("Group", "system:unauthenticated") | (_, "system:anonymous") => Some(Severity::High),
        ("Group", "system:authenticated") => Some(Severity::Medium),
        _ => None,
    }
}

fn check_binding(binding: &Object, namespace: &str, settings: &Settings) -> Vec<Finding> {
    let role_ref = RoleRef::of(binding);
    let cluster_admin =
        role_ref.kind == Some("ClusterRole") && role_ref.name == Some("cluster-admin");
    let role = format!(
        "{} {}",
        role_ref.kind.unwrap_or("role"),
        role_ref.name.unwrap_or("")
    );
    let mut findings: Vec<(Finding, &Subject)> = Vec::new();
    let subjects = Subject::of_binding(binding, namespace);
    for (index, subject) in subjects.iter().enumerate() {
        let (kind, name) = (subject.kind, subject.name);
        let at = Pointer::root().at("subjects").at(index);
        let who = subject.to_string();
        let binding_name = binding.display_name();
        if cluster_admin && (kind == "ServiceAccount" || !name.starts_with("system:")) {
            findings.push((
                cluster_admin_finding(binding, at.clone(), namespace, &who),
                subject,
            ));
        }
        if builtin_grant(binding, &role_ref, subject) {
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

/// cluster-admin handed out: the whole cluster through a ClusterRoleBinding, one
/// namespace through a RoleBinding.
fn cluster_admin_finding(binding: &Object, at: Pointer, namespace: &str, who: &str) -> Finding {
    let binding_name = binding.display_name();
    if binding.kind == "ClusterRoleBinding" {
        return CLUSTER_ADMIN_BINDING.at(
            binding,
            at,
            format!("{binding_name} gives cluster-admin to {who}; bind a role with only the permissions it needs"),
        );
    }
    CLUSTER_ADMIN_BINDING
        .at(
            binding,
            at,
            format!("{binding_name} gives cluster-admin within namespace {namespace} to {who}: full control of every object there, its Secrets included; bind a role with only the permissions it needs"),
        )
        .with_severity(Severity::High)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::framework::CIS_KUBERNETES;
    use tollgate_sdk::testing::{
        assert_keeping_changes_nothing, assert_undeclared_kinds_change_nothing, object_locations,
        owned_locations, reported,
    };
    use tollgate_sdk::{Location, Value, serde_json::json};

    fn findings(objects: Vec<Value>) -> Vec<(String, String)> {
        assert_keeping_changes_nothing::<RbacLeastPrivilege>(&objects, &Settings::default());
        let set = Manifests::from_values("default", objects)
            .unwrap()
            .kept::<RbacLeastPrivilege>();
        RbacLeastPrivilege::check_manifests(&set, &Settings::default())
            .unwrap()
            .findings
            .into_iter()
            .map(|f| match f.location {
                Location::Object(o) => (f.check, reported(&set, &o)),
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

    fn cluster_role(name: &str, rules: Value) -> Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": name}, "rules": rules})
    }

    fn binding(kind: &str, role_kind: &str, role: &str, subjects: Value) -> Value {
        let mut binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
               "metadata": {"name": "b"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
               "subjects": subjects});
        if kind == "RoleBinding" {
            binding["metadata"]["namespace"] = json!("app");
        }
        binding
    }

    /// `(check, document, pointer, severity, message, CIS items of its check)` of a finding.
    type JudgedFinding = (String, u32, String, Severity, String, Vec<String>);

    /// Every finding, as [`JudgedFinding`].
    fn judged(objects: Vec<Value>) -> Vec<JudgedFinding> {
        assert_keeping_changes_nothing::<RbacLeastPrivilege>(&objects, &Settings::default());
        let set = Manifests::from_values("default", objects)
            .unwrap()
            .kept::<RbacLeastPrivilege>();
        RbacLeastPrivilege::check_manifests(&set, &Settings::default())
            .unwrap()
            .findings
            .into_iter()
            .map(|f| {
                let check = CHECKS.iter().find(|c| c.id == f.check).unwrap();
                let cis = check
                    .controls
                    .iter()
                    .filter(|(framework, _)| *framework == CIS_KUBERNETES)
                    .map(|(_, id)| id.to_string())
                    .collect();
                match f.location {
                    Location::Object(o) => {
                        let pointer = reported(&set, &o);
                        (f.check, o.document, pointer, f.severity, f.message, cis)
                    }
                    Location::File(_) => panic!("object finding expected"),
                }
            })
            .collect()
    }

    /// Every cluster-scoped permission, and a namespaced one through a wildcard entry.
    fn dangerous_rules() -> Value {
        json!([
            {"apiGroups": [""], "resources": ["pods", "persistentvolumes", "serviceaccounts/token"], "verbs": ["create"]},
            {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate"]},
            {"apiGroups": [""], "resources": ["*/proxy"], "verbs": ["get"]},
            {"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]},
            {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"], "verbs": ["patch"]},
            {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["tls"], "verbs": ["get", "watch"]},
            {"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": ["approve"]}
        ])
    }

    #[test]
    fn every_dangerous_permission_is_found_also_through_wildcards() {
        let found = findings(vec![cluster_role("ops", dangerous_rules())]);
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
    fn a_role_or_a_role_binding_grants_nothing_cluster_scoped() {
        let mut rules = dangerous_rules();
        rules
            .as_array_mut()
            .unwrap()
            .push(json!({"apiGroups": ["", "apps"], "resources": ["*"], "verbs": ["get"]}));
        let namespaced = [
            ("pod-create", "/rules/0/resources"),
            ("token-create", "/rules/0/resources"),
            ("wildcard", "/rules/2/resources/0"),
            ("secrets-read", "/rules/5/resources"),
            ("wildcard", "/rules/7/resources/0"),
            ("secrets-read", "/rules/7/resources"),
        ];
        let pairs = |found: Vec<(String, String)>| -> Vec<(String, String)> { found };
        let expected: Vec<(String, String)> = namespaced
            .iter()
            .map(|(c, p)| (c.to_string(), p.to_string()))
            .collect();
        assert_eq!(pairs(findings(vec![role(rules.clone())])), expected);
        let through_role_binding = findings(vec![
            cluster_role("ops", rules),
            binding(
                "RoleBinding",
                "ClusterRole",
                "ops",
                json!([{"kind": "User", "name": "bob"}]),
            ),
        ]);
        assert_eq!(through_role_binding, expected);
    }

    #[test]
    fn csr_approval_needs_both_halves() {
        let update = json!({"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]});
        let approve = json!({"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "resourceNames": ["example.com/*"], "verbs": ["approve"]});
        assert!(findings(vec![cluster_role("half", json!([update]))]).is_empty());
        assert!(findings(vec![cluster_role("half", json!([approve]))]).is_empty());
        let found = judged(vec![cluster_role("both", json!([update, approve]))]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (
                found[0].0.as_str(),
                found[0].2.as_str(),
                found[0].4.as_str()
            ),
            (
                "csr-approval",
                "/rules/0/resources",
                "ClusterRole both rule #1 can approve certificate signing requests (update on certificatesigningrequests/approval with approve on signers in rule #2). No binding in the scanned manifests grants this role."
            )
        );
    }

    /// `(check, pointer, severity, CIS items of its check in item order)` of each finding.
    fn with_cis(found: &[JudgedFinding]) -> Vec<(&str, &str, Severity, String)> {
        let item_order = |id: &String| -> Vec<u32> {
            id.split('.')
                .map(|part| part.parse().unwrap_or(0))
                .collect()
        };
        found
            .iter()
            .map(|f| {
                let mut cis = f.5.clone();
                cis.sort_by_key(item_order);
                (f.0.as_str(), f.2.as_str(), f.3, cis.join(" "))
            })
            .collect()
    }

    #[test]
    fn a_full_wildcard_is_one_finding_naming_what_it_implies() {
        let star = json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]);
        let found = judged(vec![cluster_role("all", star.clone())]);
        // Its check carries the CIS item of every permission it implies cluster-wide.
        assert_eq!(
            with_cis(&found),
            [(
                "cluster-full-wildcard",
                "/rules/0/verbs/0",
                Severity::Medium,
                "5.1.2 5.1.3 5.1.4 5.1.8 5.1.9 5.1.10 5.1.11 5.1.12 5.1.13".to_owned()
            )]
        );
        assert_eq!(
            found[0].4,
            "ClusterRole all rule #1 grants every verb on every resource in every API group ('*' in apiGroups, resources and verbs), so it can read Secrets; create pods or workloads that run them; bind, escalate or impersonate; create PersistentVolumes, which can mount host paths; reach the kubelet API through nodes/proxy, bypassing audit; approve certificate signing requests; change admission webhook configurations; create service account tokens. No binding in the scanned manifests grants this role."
        );
        // A Role reaches only its namespace: only what it can hold there.
        let found = judged(vec![
            role(star),
            binding(
                "RoleBinding",
                "Role",
                "r",
                json!([{"kind": "User", "name": "bob"}]),
            ),
        ]);
        assert_eq!(
            with_cis(&found),
            [(
                "namespace-full-wildcard",
                "/rules/0/verbs/0",
                Severity::High,
                "5.1.2 5.1.3 5.1.4 5.1.8 5.1.13".to_owned()
            )]
        );
        assert_eq!(
            found[0].4,
            "Role app/r rule #1 grants every verb on every namespaced resource of its namespace ('*' in apiGroups, resources and verbs), so it can read Secrets; create pods or workloads that run them; bind, escalate or impersonate; create service account tokens. Held by User bob via RoleBinding app/b."
        );
    }

    #[test]
    fn an_explicit_grant_beside_a_full_wildcard_keeps_its_own_finding() {
        let found = judged(vec![role(json!([
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}
        ]))]);
        let summary: Vec<(&str, &str)> =
            found.iter().map(|f| (f.0.as_str(), f.2.as_str())).collect();
        assert_eq!(
            summary,
            [
                ("namespace-full-wildcard", "/rules/0/verbs/0"),
                ("secrets-read", "/rules/1/resources")
            ]
        );
    }

    #[test]
    fn every_resource_and_every_url_bound_cluster_wide_is_cluster_admin() {
        let rules = json!([
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
            {"nonResourceURLs": ["*"], "verbs": ["*"]}
        ]);
        let bob = json!([{"kind": "User", "name": "bob"}]);
        let found = judged(vec![
            cluster_role("superuser", rules.clone()),
            binding(
                "ClusterRoleBinding",
                "ClusterRole",
                "superuser",
                bob.clone(),
            ),
        ]);
        // The full wildcard, critical, and cluster-admin (CIS 5.1.1): the URL rule is
        // named in the first.
        let at = "/rules/0/verbs/0";
        assert_eq!(
            with_cis(&found),
            [
                (
                    "cluster-full-wildcard",
                    at,
                    Severity::Critical,
                    "5.1.2 5.1.3 5.1.4 5.1.8 5.1.9 5.1.10 5.1.11 5.1.12 5.1.13".to_owned()
                ),
                (
                    "cluster-admin-binding",
                    at,
                    Severity::Critical,
                    "5.1.1".to_owned()
                )
            ]
        );
        assert_eq!(
            found[0].4,
            "ClusterRole superuser rule #1 is cluster-admin in all but name: with '*' on every non-resource URL it grants every verb on every resource in every API group ('*' in apiGroups, resources and verbs), so it can read Secrets; create pods or workloads that run them; bind, escalate or impersonate; create PersistentVolumes, which can mount host paths; reach the kubelet API through nodes/proxy, bypassing audit; approve certificate signing requests; change admission webhook configurations; create service account tokens. Held by User bob via ClusterRoleBinding b."
        );
        assert_eq!(
            found[1].4,
            "ClusterRole superuser rule #1 is cluster-admin in all but name, so it gives full control of the cluster. Held by User bob via ClusterRoleBinding b."
        );
        // Through a RoleBinding it is one namespace's admin, not the cluster's:
        // non-resource URLs are granted only cluster-wide, so the URL rule grants nothing.
        let found = judged(vec![
            cluster_role("superuser", rules),
            binding("RoleBinding", "ClusterRole", "superuser", bob),
        ]);
        assert_eq!(
            with_cis(&found),
            [(
                "namespace-full-wildcard",
                at,
                Severity::High,
                "5.1.2 5.1.3 5.1.4 5.1.8 5.1.13".to_owned()
            )]
        );
        assert!(found[0].4.starts_with("ClusterRole superuser rule #1 grants every verb on every namespaced resource of its namespace"));
    }

    #[test]
    fn a_role_binding_to_cluster_admin_is_one_namespace() {
        let found = judged(vec![binding(
            "RoleBinding",
            "ClusterRole",
            "cluster-admin",
            json!([{"kind": "User", "name": "bob"}]),
        )]);
        assert_eq!(found.len(), 1, "{found:?}");
        let (check, _, pointer, severity, message, cis) = &found[0];
        assert_eq!(
            (check.as_str(), pointer.as_str(), *severity),
            ("cluster-admin-binding", "/subjects/0", Severity::High)
        );
        assert_eq!(
            message,
            "RoleBinding app/b gives cluster-admin within namespace app to User bob: full control of every object there, its Secrets included; bind a role with only the permissions it needs"
        );
        assert_eq!(cis, &["5.1.1"], "the role is used, in one namespace");
    }

    #[test]
    fn messages_name_the_entry_that_matched() {
        let found = judged(vec![cluster_role(
            "argo",
            json!([
                {"apiGroups": ["*"], "resources": ["*/finalizers"], "verbs": ["update"]},
                {"apiGroups": [""], "resources": ["*/proxy"], "verbs": ["get"]}
            ]),
        )]);
        let messages: Vec<&str> = found.iter().map(|f| f.4.as_str()).collect();
        let tail = " No binding in the scanned manifests grants this role.";
        assert_eq!(
            messages,
            [
                format!(
                    "ClusterRole argo rule #1 grants '*/finalizers' in resources, '*' in apiGroups.{tail}"
                ),
                format!("ClusterRole argo rule #2 grants '*/proxy' in resources.{tail}"),
                format!(
                    "ClusterRole argo rule #2 can reach the kubelet API through nodes/proxy, bypassing audit (get on nodes/proxy through '*/proxy').{tail}"
                ),
            ]
        );
    }

    #[test]
    fn secrets_got_only_by_name_are_no_finding() {
        // Rule #1 follows the remediation (get, by name): nothing to report. Naming
        // Secrets still narrows list to them, which the remediation warns against.
        let found = judged(vec![
            role(json!([
                {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["tls", "db"], "verbs": ["get"]},
                {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["tls"], "verbs": ["get", "list"]},
                {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list", "watch"]}
            ])),
            binding(
                "RoleBinding",
                "Role",
                "r",
                json!([{"kind": "User", "name": "bob"}]),
            ),
        ]);
        let summary: Vec<(&str, Severity, &str)> = found
            .iter()
            .map(|f| (f.2.as_str(), f.3, f.4.as_str()))
            .collect();
        let tail = " Held by User bob via RoleBinding app/b.";
        assert_eq!(
            summary,
            [
                ("/rules/1/resources", Severity::Medium, format!("Role app/r rule #2 can read Secrets (get, list on secrets, limited by resourceNames).{tail}").as_str()),
                ("/rules/2/resources", Severity::High, format!("Role app/r rule #3 can read Secrets (list, watch on secrets).{tail}").as_str()),
            ]
        );
    }

    #[test]
    fn a_default_service_account_must_switch_its_token_off() {
        let account = |automount: Option<bool>| {
            let mut value = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "app"}});
            if let Some(automount) = automount {
                value["automountServiceAccountToken"] = json!(automount);
            }
            value
        };
        let found = judged(vec![
            account(None),
            account(Some(true)),
            account(Some(false)),
        ]);
        let summary: Vec<(&str, u32, &str, Severity)> = found
            .iter()
            .map(|f| (f.0.as_str(), f.1, f.2.as_str(), f.3))
            .collect();
        assert_eq!(
            summary,
            [
                ("default-service-account", 0, "", Severity::Low),
                (
                    "default-service-account",
                    1,
                    "/automountServiceAccountToken",
                    Severity::Low
                )
            ]
        );
        assert_eq!(
            found[0].4,
            "ServiceAccount app/default does not set automountServiceAccountToken: false, so every pod without its own account gets an API token; set it to false"
        );
        assert_eq!(found[0].5, ["5.1.5"]);
        let other = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": "app"}});
        assert!(judged(vec![other]).is_empty());
    }

    #[test]
    fn the_same_role_in_two_files_is_judged_in_both() {
        let star = json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}]);
        let plain = role(star.clone());
        let openshift = role(star);
        assert_eq!(
            findings(vec![plain, openshift]),
            [
                ("wildcard".into(), "/rules/0/verbs/0".into()),
                ("pod-create".into(), "/rules/0/resources".into()),
                ("wildcard".into(), "/rules/0/verbs/0".into()),
                ("pod-create".into(), "/rules/0/resources".into())
            ]
        );
        let located: Vec<u32> = judged(vec![
            cluster_role(
                "c",
                json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
            ),
            cluster_role(
                "c",
                json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
            ),
        ])
        .iter()
        .map(|f| f.1)
        .collect();
        assert_eq!(located, [0, 1]);
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
        .unwrap()
        .kept::<RbacLeastPrivilege>();
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
        let binding = |name: &str, role: &str, subjects: Value| {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                   "metadata": {"name": name},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                   "subjects": subjects})
        };
        let anonymous = binding(
            "public",
            "view",
            json!([{"kind": "User", "name": "system:anonymous"}]),
        );
        let authenticated = binding(
            "all",
            "view",
            json!([{"kind": "Group", "name": "system:authenticated"}]),
        );
        assert_eq!(
            findings(vec![anonymous, authenticated]),
            [
                ("anonymous-binding".into(), "/subjects/0".into()),
                ("anonymous-binding".into(), "/subjects/0".into())
            ]
        );
        // The API server's own bindings, exactly as it creates them, are not findings.
        let everyone = json!([
            {"kind": "Group", "name": "system:authenticated"},
            {"kind": "Group", "name": "system:unauthenticated"}
        ]);
        let builtin = binding(
            "system:public-info-viewer",
            "system:public-info-viewer",
            everyone.clone(),
        );
        assert!(findings(vec![builtin]).is_empty());
        // A lookalike name, another role, or an extra subject is judged.
        let lookalike = binding(
            "system:viewer",
            "view",
            json!([{"kind": "Group", "name": "system:authenticated"}]),
        );
        let other_role = binding(
            "system:discovery",
            "view",
            json!([{"kind": "Group", "name": "system:authenticated"}]),
        );
        let extra = binding("system:basic-user", "system:basic-user", everyone);
        assert_eq!(
            findings(vec![lookalike, other_role, extra]),
            [
                ("anonymous-binding".into(), "/subjects/0".into()),
                ("anonymous-binding".into(), "/subjects/0".into()),
                ("anonymous-binding".into(), "/subjects/1".into())
            ]
        );
    }

    /// `(check, documents)` of every check that judged something.
    fn coverage(objects: Vec<Value>) -> Vec<(String, Vec<u32>)> {
        assert_keeping_changes_nothing::<RbacLeastPrivilege>(&objects, &Settings::default());
        let set = Manifests::from_values("default", objects)
            .unwrap()
            .kept::<RbacLeastPrivilege>();
        let verdict = RbacLeastPrivilege::check_manifests(&set, &Settings::default()).unwrap();
        let mut coverage: Vec<(String, Vec<u32>)> = verdict
            .coverage
            .into_iter()
            .map(|c| (c.check, c.documents))
            .collect();
        coverage.sort();
        coverage
    }

    #[test]
    fn each_check_judges_only_what_bears_on_it() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "app"},
            "spec": {"template": {"spec": {"serviceAccountName": "web", "containers": []}}}});
        // A workload alone: no role or binding judged, only the account checks.
        assert_eq!(
            coverage(vec![deployment.clone()]),
            [
                ("automount-token".to_owned(), vec![0]),
                ("default-service-account".to_owned(), vec![0])
            ]
        );
        // A clean Role: exactly that Role, for every permission check.
        let reader = role(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]));
        let role_checks: Vec<(String, Vec<u32>)> = ROLE_CHECKS
            .iter()
            .map(|c| (c.id.to_owned(), vec![0]))
            .collect();
        let mut expected = role_checks.clone();
        expected.sort();
        assert_eq!(coverage(vec![reader.clone()]), expected);
        // A binding to that Role: the binding checks and default-service-account judge
        // the binding; the Role is still the permission checks' only object.
        let to_reader = binding(
            "RoleBinding",
            "Role",
            "r",
            json!([{"kind": "User", "name": "bob"}]),
        );
        let mut expected: Vec<(String, Vec<u32>)> = role_checks
            .into_iter()
            .chain(BINDING_CHECKS.iter().map(|c| (c.id.to_owned(), vec![1])))
            .chain([
                ("automount-token".to_owned(), vec![2]),
                ("default-service-account".to_owned(), vec![1, 2]),
            ])
            .collect();
        expected.sort();
        assert_eq!(coverage(vec![reader, to_reader, deployment]), expected);
    }

    #[test]
    fn the_spec_lists_every_check_once_and_the_kinds_it_reads() {
        let info = RbacLeastPrivilege::info();
        let mut ids: Vec<&str> = info.checks.iter().map(|c| c.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 16);
        assert_eq!(info.version, "0.3.0");
        assert!(info.kinds.iter().any(|k| k == "CronJob"));
        let soc2: Vec<&str> = info
            .checks
            .iter()
            .flat_map(|c| &c.controls)
            .filter(|c| c.framework == "soc2")
            .map(|c| c.id.as_str())
            .collect();
        assert!(!soc2.contains(&"CC6.2"), "CC6.2 is about registering users");
    }

    /// Partial and odd objects: each must be judged, and a finding about a field the
    /// object lacks lands at the nearest field it holds (as the host locates it).
    fn odd_objects() -> Vec<Value> {
        let rbac = "rbac.authorization.k8s.io/v1";
        vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "no-spec", "namespace": "app"}, "spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "no-template", "namespace": "app"}, "spec": {}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "no-containers", "namespace": "app"}, "spec": {"template": {"spec": {}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "template-text", "namespace": "app"}, "spec": {"template": "text"}}),
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "no-job", "namespace": "app"}, "spec": {"jobTemplate": {}}}),
            json!({"apiVersion": "v1", "kind": "Pod"}),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": "text", "spec": ["list"]}),
            json!({"apiVersion": rbac, "kind": "Role", "metadata": {"name": "no-rules", "namespace": "app"}}),
            json!({"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": "odd-rules"}, "rules": [{"apiGroups": "*", "resources": [1, "*"], "verbs": ["*"]}, "text"]}),
            json!({"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": "odd-aggregation"}, "aggregationRule": {"clusterRoleSelectors": "all"}}),
            json!({"apiVersion": rbac, "kind": "RoleBinding", "metadata": {"name": "no-subjects", "namespace": "app"}, "roleRef": {"kind": "ClusterRole", "name": "edit"}}),
            json!({"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": "odd-subjects"}, "roleRef": "cluster-admin", "subjects": {"kind": "User"}}),
            json!({"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": "no-role-ref"}, "subjects": [{"kind": "Group", "name": "system:masters"}, "text"]}),
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}, "automountServiceAccountToken": "no"}),
        ]
    }

    #[test]
    fn partial_and_odd_objects_are_judged_and_located_at_fields_they_hold() {
        let objects = odd_objects();
        assert_keeping_changes_nothing::<RbacLeastPrivilege>(&objects, &Settings::default());
        let set = Manifests::from_values("default", objects.clone())
            .unwrap()
            .kept::<RbacLeastPrivilege>();
        let verdict = RbacLeastPrivilege::check_manifests(&set, &Settings::default()).unwrap();
        let located = object_locations(&objects, verdict.findings);
        // A binding without subjects grants nothing; a template without a spec, or a Pod
        // without anything, still runs as the default account.
        let expected = [
            ("wildcard", 8, "/rules/0/verbs/0"),
            ("default-service-account", 0, "/spec/template"),
            ("automount-token", 0, "/spec/template"),
            ("default-service-account", 2, "/spec/template/spec"),
            ("automount-token", 2, "/spec/template/spec"),
            ("default-service-account", 3, "/spec/template"),
            ("automount-token", 3, "/spec/template"),
            ("default-service-account", 5, ""),
            ("automount-token", 5, ""),
            ("default-service-account", 6, "/spec"),
            ("automount-token", 6, "/spec"),
            (
                "default-service-account",
                13,
                "/automountServiceAccountToken",
            ),
            ("system-masters", 12, "/subjects/0"),
        ];
        assert_eq!(located, owned_locations(&expected));
    }

    #[test]
    fn objects_of_undeclared_kinds_change_nothing() {
        let values = vec![
            role(json!([{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}])),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "app"}}),
            json!({"apiVersion": "example.com/v1", "kind": "Tenant", "metadata": {"name": "t"},
                   "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
                   "subjects": [{"kind": "Group", "name": "system:masters"}]}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "app"},
                   "spec": {"template": {"spec": {"containers": []}}}}),
            binding(
                "RoleBinding",
                "Role",
                "r",
                json!([{"kind": "ServiceAccount", "name": "default", "namespace": "app"}]),
            ),
        ];
        let declared = assert_undeclared_kinds_change_nothing::<RbacLeastPrivilege>(
            values,
            &Settings::default(),
        );
        assert_eq!(declared, 3);
    }
}
