//! The cross-document model: roles (with ClusterRole aggregation resolved), the bindings
//! that grant them (a RoleBinding to a ClusterRole grants it inside its namespace only),
//! their subjects, and the workloads that run as each ServiceAccount. A forbidden grant
//! is reported on the role rule that makes it, naming who holds it; a role nobody binds
//! is reported one severity lower. Findings the settings accept (by role, or for every
//! subject that holds the grant) are marked with the operator's reason.

use std::collections::{BTreeMap, BTreeSet};

use tollgate_sdk::{Finding, LabelSelector, Manifests, Object, Pointer, Severity, workload};

use crate::RBAC_GROUP;
use crate::allowance::{Settings, accept};
use crate::checks::{AUTOMOUNT_TOKEN, DEFAULT_SERVICE_ACCOUNT};
use crate::grants::{self, Grant, Reach};
use crate::kinds::{AccountSpec, Role, ServiceAccount};
use crate::policy::PolicyRule;
use crate::subject::{RoleRef, Subject};

/// A role by kind, namespace (Roles only) and name.
type RoleKey<'a> = (&'a str, Option<&'a str>, &'a str);

/// A workload, read once for what the account checks need of its pod spec.
struct RunsAs<'a> {
    object: &'a Object,
    /// Pointer to the pod template's `spec`, where its findings are reported.
    spec: Pointer,
    /// The pod spec's `automountServiceAccountToken`.
    automount: Option<bool>,
}

/// Who holds a role through one binding.
struct Holding<'a> {
    binding: &'a Object,
    subjects: Vec<Subject<'a>>,
}

pub struct Model<'a> {
    set: &'a Manifests,
    settings: &'a Settings,
    /// Every copy of each role: two files may define the same one (a plain and an
    /// OpenShift variant of an install), and each copy is judged.
    roles: BTreeMap<RoleKey<'a>, Vec<&'a Object>>,
    holdings: BTreeMap<RoleKey<'a>, Vec<Holding<'a>>>,
    /// ServiceAccounts `(namespace, name)` some binding names as a subject.
    bound_accounts: BTreeSet<(&'a str, &'a str)>,
    /// Workloads by the ServiceAccount `(namespace, name)` they run as.
    workloads: BTreeMap<(&'a str, &'a str), Vec<RunsAs<'a>>>,
    /// Every workload, in input order.
    pub workload_objects: Vec<&'a Object>,
    /// `automountServiceAccountToken` of the ServiceAccounts that set it (true when any
    /// copy of the account mounts).
    account_automount: BTreeMap<(&'a str, &'a str), bool>,
    /// ServiceAccount objects named `default`, which every pod without its own account
    /// runs as.
    default_accounts: Vec<&'a Object>,
    /// For each ClusterRole, the ClusterRoles whose aggregationRule selects it.
    aggregators: BTreeMap<&'a str, Vec<&'a str>>,
}

impl<'a> Model<'a> {
    pub fn new(set: &'a Manifests, settings: &'a Settings) -> Self {
        let mut model = Self {
            set,
            settings,
            roles: BTreeMap::new(),
            holdings: BTreeMap::new(),
            bound_accounts: BTreeSet::new(),
            workloads: BTreeMap::new(),
            workload_objects: Vec::new(),
            account_automount: BTreeMap::new(),
            default_accounts: Vec::new(),
            aggregators: BTreeMap::new(),
        };
        for object in &set.objects {
            // The API group only for the RBAC kinds: most objects are of other kinds.
            let rbac = || object.api_group() == RBAC_GROUP;
            match object.kind.as_str() {
                "Role" if rbac() => {
                    let key = ("Role", Some(set.namespace_of(object)), object.name.as_str());
                    model.roles.entry(key).or_default().push(object);
                }
                "ClusterRole" if rbac() => {
                    let key = ("ClusterRole", None, object.name.as_str());
                    model.roles.entry(key).or_default().push(object);
                }
                "RoleBinding" | "ClusterRoleBinding" if rbac() => model.add_binding(object),
                "ServiceAccount" if object.api_version == "v1" => model.add_service_account(object),
                _ => model.add_workload(object),
            }
        }
        model.aggregators = model.aggregation_index();
        model
    }

    /// Which ClusterRoles each aggregating ClusterRole selects, inverted.
    fn aggregation_index(&self) -> BTreeMap<&'a str, Vec<&'a str>> {
        let cluster_roles: Vec<&'a Object> = self
            .roles
            .iter()
            .filter(|((kind, _, _), _)| *kind == "ClusterRole")
            .flat_map(|(_, copies)| copies.iter().copied())
            .collect();
        let mut index: BTreeMap<&'a str, Vec<&'a str>> = BTreeMap::new();
        for aggregator in &cluster_roles {
            let selectors: Vec<LabelSelector> = selectors(aggregator)
                .into_iter()
                .filter_map(|(_, s)| s.ok())
                .collect();
            if selectors.is_empty() {
                continue;
            }
            for source in &cluster_roles {
                let labels = source.labels();
                if source.name != aggregator.name && selectors.iter().any(|s| s.matches(&labels)) {
                    index
                        .entry(source.name.as_str())
                        .or_default()
                        .push(aggregator.name.as_str());
                }
            }
        }
        index
    }

    /// A workload, under the ServiceAccount its pods run as; any other kind is skipped.
    fn add_workload(&mut self, object: &'a Object) {
        let Some((template, spec)) = workload::pod_spec::<AccountSpec>(object) else {
            return;
        };
        let account = (self.set.namespace_of(object), spec.account());
        let runs_as = RunsAs {
            object,
            spec: template.at("spec"),
            automount: spec.automount_service_account_token,
        };
        self.workloads.entry(account).or_default().push(runs_as);
        self.workload_objects.push(object);
    }

    fn add_service_account(&mut self, account: &'a Object) {
        let key = (self.set.namespace_of(account), account.name.as_str());
        let read: ServiceAccount = account.read();
        if let Some(automount) = read.automount_service_account_token {
            *self.account_automount.entry(key).or_insert(automount) |= automount;
        }
        if account.name == "default" {
            self.default_accounts.push(account);
        }
    }

    fn add_binding(&mut self, binding: &'a Object) {
        let RoleRef {
            kind: Some(kind),
            name: Some(name),
        } = RoleRef::of(binding)
        else {
            return;
        };
        let namespace = binding
            .namespace
            .as_deref()
            .unwrap_or(&self.set.default_namespace);
        let key = match (kind, binding.kind.as_str()) {
            ("Role", "RoleBinding") => ("Role", Some(namespace), name),
            ("ClusterRole", _) => ("ClusterRole", None, name),
            _ => return,
        };
        let subjects = Subject::of_binding(binding, namespace);
        for (namespace, name) in subjects.iter().filter_map(Subject::service_account) {
            self.bound_accounts.insert((namespace, name));
        }
        self.holdings
            .entry(key)
            .or_default()
            .push(Holding { binding, subjects });
    }

    /// Every finding about roles, aggregation, built-in roles and service accounts.
    pub fn findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (&key, copies) in &self.roles {
            let reach = self.reach(key);
            for role in copies {
                for (index, grant) in grants::of_rules(&rules_of(role), reach) {
                    let at = Pointer::root().at("rules").at(index);
                    let what = format!("{} rule #{}", role.display_name(), index + 1);
                    findings.push(self.report(role, key, at.join(&grant.at), &what, &grant));
                }
                if key.0 == "ClusterRole" {
                    findings.extend(self.aggregated(role, key, reach));
                }
            }
        }
        findings.extend(self.builtin_bindings());
        findings.extend(self.service_accounts());
        findings.extend(self.default_account_objects());
        findings
    }

    /// A finding on a role's grant, naming who holds it (or lowering it when nobody does).
    fn report(
        &self,
        role: &Object,
        key: RoleKey<'a>,
        at: Pointer,
        what: &str,
        grant: &Grant,
    ) -> Finding {
        let holders = self.holders(key);
        let (severity, tail) = if holders.is_empty() {
            (
                lower(grant.severity),
                " No binding in the scanned manifests grants this role.".to_owned(),
            )
        } else {
            // Copies of one binding in several files describe the same holder once.
            let described = distinct(holders.iter().map(|h| self.describe(h)));
            (
                grant.severity,
                format!(" Held by {}.", summarise(&described)),
            )
        };
        let finding = grant
            .check
            .at(role, at, format!("{what} {}.{tail}", grant.what))
            .with_severity(severity);
        let check = grant.check.id;
        let reason = self
            .settings
            .for_role(check, key.0, key.1, key.2)
            .or_else(|| {
                let subjects = holders.iter().map(|(_, subject)| *subject);
                self.settings.for_subjects(check, subjects)
            });
        accept(finding, reason)
    }

    /// A holder for messages: the subject, the workloads that run as it, the binding.
    fn describe(&self, (binding, subject): &(&Object, &Subject)) -> String {
        let runs = subject
            .service_account()
            .and_then(|account| self.workloads.get(&account))
            .map(|ws| {
                let names = distinct(ws.iter().map(|w| w.object.display_name()));
                format!(" (run by {})", names.join(", "))
            })
            .unwrap_or_default();
        format!("{subject}{runs} via {}", binding.display_name())
    }

    /// Where a role's rules apply: a Role's in its namespace; a ClusterRole's in the whole
    /// cluster unless only RoleBindings grant it (directly or through aggregation).
    fn reach(&self, key: RoleKey<'a>) -> Reach {
        let holders = self.holders(key);
        let cluster_wide = holders
            .iter()
            .any(|(binding, _)| binding.kind == "ClusterRoleBinding");
        if key.0 == "Role" || (!holders.is_empty() && !cluster_wide) {
            Reach::Namespace
        } else {
            Reach::Cluster
        }
    }

    /// Who holds a role, with the binding that grants it, including through ClusterRoles
    /// that aggregate it.
    fn holders(&self, key: RoleKey<'a>) -> Vec<(&'a Object, &Subject<'a>)> {
        let mut keys = vec![key];
        if key.0 == "ClusterRole" {
            let aggregators = self.aggregators.get(key.2).into_iter().flatten();
            keys.extend(aggregators.map(|name| ("ClusterRole", None, *name)));
        }
        keys.iter()
            .filter_map(|k| self.holdings.get(k))
            .flatten()
            .flat_map(|holding| holding.subjects.iter().map(|s| (holding.binding, s)))
            .collect()
    }

    /// Grants an aggregated ClusterRole picks up from the ClusterRoles it selects, reported
    /// on the selector that picks them.
    fn aggregated(&self, role: &'a Object, key: RoleKey<'a>, reach: Reach) -> Vec<Finding> {
        let mut findings = Vec::new();
        // Copies of one role that grant the same (the same base built through several
        // overlays) are one grant to the role that picks them up.
        let mut picked = BTreeSet::new();
        for (index, selector) in selectors(role) {
            let Ok(selector) = selector else { continue };
            let at = Pointer::root()
                .path(["aggregationRule", "clusterRoleSelectors"])
                .at(index);
            let sources = self
                .roles
                .iter()
                .filter(|((kind, _, name), _)| *kind == "ClusterRole" && *name != role.name)
                .flat_map(|(_, copies)| copies.iter())
                .filter(|source| selector.matches(&source.labels()));
            for source in sources {
                for (rule_index, grant) in grants::of_rules(&rules_of(source), reach) {
                    // One selector picks many rules, and copies of one role may differ:
                    // each grant is its own finding.
                    let identity = format!(
                        "{} {} rule #{}: {}",
                        String::from(at.clone()),
                        source.display_name(),
                        rule_index + 1,
                        grant.what
                    );
                    if !picked.insert((grant.check.id, identity.clone())) {
                        continue;
                    }
                    let what = format!(
                        "{} aggregates {} rule #{}, which",
                        role.display_name(),
                        source.display_name(),
                        rule_index + 1
                    );
                    let finding = self.report(role, key, at.clone(), &what, &grant);
                    findings.push(finding.with_identity(identity));
                }
            }
        }
        findings
    }

    /// Bindings to built-in ClusterRoles that are not in the manifests (admin, edit).
    fn builtin_bindings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for ((kind, _, name), holdings) in &self.holdings {
            if *kind != "ClusterRole" || self.roles.contains_key(&("ClusterRole", None, name)) {
                continue;
            }
            let Some(rules) = grants::builtin_cluster_role(name) else {
                continue;
            };
            let rules: Vec<PolicyRule> = rules.iter().map(PolicyRule::new).collect();
            // A binding without subjects grants nothing.
            for holding in holdings.iter().filter(|h| !h.subjects.is_empty()) {
                let binding = holding.binding;
                let reach = match binding.kind.as_str() {
                    "ClusterRoleBinding" => Reach::Cluster,
                    _ => Reach::Namespace,
                };
                // One finding per check: the role's first grant that breaks it.
                let mut first_grants: Vec<Grant> = Vec::new();
                for (_, grant) in grants::of_rules(&rules, reach) {
                    if !first_grants.iter().any(|g| g.check.id == grant.check.id) {
                        first_grants.push(grant);
                    }
                }
                for grant in &first_grants {
                    let message = format!(
                        "{} gives the built-in ClusterRole {name}, which {}, to {}",
                        binding.display_name(),
                        grant.what,
                        subjects(&holding.subjects)
                    );
                    let at = Pointer::root().path(["roleRef", "name"]);
                    let finding = grant
                        .check
                        .at(binding, at, message)
                        .with_severity(grant.severity);
                    let check = grant.check.id;
                    let reason = self
                        .settings
                        .for_role(check, "ClusterRole", None, name)
                        .or_else(|| self.settings.for_subjects(check, &holding.subjects));
                    findings.push(accept(finding, reason));
                }
            }
        }
        findings
    }

    /// The default ServiceAccount bound or used (CIS 5.1.5), and tokens mounted into pods
    /// whose account no binding grants anything (CIS 5.1.6).
    fn service_accounts(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for holding in self.holdings.values().flatten() {
            for (index, subject) in holding.subjects.iter().enumerate() {
                if subject
                    .service_account()
                    .is_some_and(|(_, name)| name == "default")
                {
                    let finding = DEFAULT_SERVICE_ACCOUNT
                        .at(
                            holding.binding,
                            Pointer::root().at("subjects").at(index),
                            format!(
                                "{} grants a role to {subject}, which every pod without its own account runs as; create a dedicated ServiceAccount",
                                holding.binding.display_name()
                            ),
                        )
                        .with_severity(Severity::Medium);
                    let reason = self
                        .settings
                        .for_subjects(DEFAULT_SERVICE_ACCOUNT.id, [subject]);
                    findings.push(accept(finding, reason));
                }
            }
        }
        for (&(namespace, account), workloads) in &self.workloads {
            let runs_as = Subject {
                kind: "ServiceAccount",
                name: account,
                namespace: Some(namespace),
            };
            let reason = |check: &str| self.settings.for_subjects(check, [&runs_as]);
            for RunsAs {
                object,
                spec,
                automount,
            } in workloads
            {
                if account == "default" {
                    let finding = DEFAULT_SERVICE_ACCOUNT.at(
                        object,
                        spec.clone(),
                        format!(
                            "{} runs as the default ServiceAccount of {namespace}; set serviceAccountName to a dedicated account",
                            object.display_name()
                        ),
                    );
                    findings.push(accept(finding, reason(DEFAULT_SERVICE_ACCOUNT.id)));
                }
                let needs_api = self.bound_accounts.contains(&(namespace, account));
                if !needs_api && self.token_mounted(*automount, namespace, account) {
                    let finding = AUTOMOUNT_TOKEN.at(
                        object,
                        spec.clone(),
                        format!(
                            "{} mounts the API token of ServiceAccount {namespace}/{account}, which no binding grants anything; set automountServiceAccountToken: false",
                            object.display_name()
                        ),
                    );
                    findings.push(accept(finding, reason(AUTOMOUNT_TOKEN.id)));
                }
            }
        }
        findings
    }

    /// Each `default` ServiceAccount object that does not switch its token off (CIS 5.1.5
    /// asks that it does, so that pods without their own account get no API access).
    fn default_account_objects(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for account in &self.default_accounts {
            let read: ServiceAccount = account.read();
            if read.automount_service_account_token == Some(false) {
                continue;
            }
            let namespace = self.set.namespace_of(account);
            let finding = DEFAULT_SERVICE_ACCOUNT.at(
                account,
                Pointer::root().at("automountServiceAccountToken"),
                format!(
                    "ServiceAccount {namespace}/default does not set automountServiceAccountToken: false, so every pod without its own account gets an API token; set it to false"
                ),
            );
            let subject = Subject {
                kind: "ServiceAccount",
                name: "default",
                namespace: Some(namespace),
            };
            let reason = self
                .settings
                .for_subjects(DEFAULT_SERVICE_ACCOUNT.id, [&subject]);
            findings.push(accept(finding, reason));
        }
        findings
    }

    /// Kubernetes semantics: the pod's `automountServiceAccountToken` wins, then the
    /// ServiceAccount's; the default is to mount.
    fn token_mounted(&self, pod: Option<bool>, namespace: &str, account: &str) -> bool {
        let service_account = || self.account_automount.get(&(namespace, account)).copied();
        pod.or_else(service_account).unwrap_or(true)
    }
}

/// The `rules` of a role (none when absent or not a list).
fn rules_of(role: &Object) -> Vec<PolicyRule<'_>> {
    let role: Role = role.read();
    role.rules.unwrap_or_default()
}

/// The `aggregationRule.clusterRoleSelectors` of a ClusterRole, parsed.
fn selectors(role: &Object) -> Vec<(usize, Result<LabelSelector, String>)> {
    let role: Role = role.read();
    let aggregation = role.aggregation_rule.unwrap_or_default();
    let list = aggregation.cluster_role_selectors.unwrap_or_default();
    let parsed = list.iter().map(|s| LabelSelector::parse(Some(s)));
    parsed.enumerate().collect()
}

/// Each text once, in first-seen order.
fn distinct(texts: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = Vec::new();
    for text in texts {
        if !seen.contains(&text) {
            seen.push(text);
        }
    }
    seen
}

/// Subjects for a message: `User alice, ServiceAccount shop/ci`.
fn subjects(subjects: &[Subject]) -> String {
    let names: Vec<String> = subjects.iter().map(Subject::to_string).collect();
    names.join(", ")
}

/// One severity step down, for grants nobody in the scanned set holds.
fn lower(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium | Severity::Low => Severity::Low,
        Severity::Info => Severity::Info,
    }
}

/// At most three holders, then a count.
fn summarise(holders: &[String]) -> String {
    match holders {
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, c, rest @ ..] => format!("{a}, {b}, {c} and {} more", rest.len()),
        [] => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::testing::{assert_keeping_changes_nothing, reported};
    use tollgate_sdk::{Location, Value, serde_json::json};

    /// `(check, document, pointer, severity, message)` of every finding, the pointer as
    /// the host reports it.
    fn judge(objects: Vec<Value>) -> Vec<(String, u32, String, Severity, String)> {
        assert_keeping_changes_nothing::<crate::RbacLeastPrivilege>(&objects, &Settings::default());
        let set = Manifests::from_values("default", objects)
            .unwrap()
            .kept::<crate::RbacLeastPrivilege>();
        Model::new(&set, &Settings::default())
            .findings()
            .into_iter()
            .map(|f| match f.location {
                Location::Object(o) => {
                    let pointer = reported(&set, &o);
                    (f.check, o.document, pointer, f.severity, f.message)
                }
                Location::File(_) => panic!("object finding expected"),
            })
            .collect()
    }

    /// `(check, document, pointer)` of each finding.
    fn locations(found: &[(String, u32, String, Severity, String)]) -> Vec<(&str, u32, &str)> {
        found
            .iter()
            .map(|f| (f.0.as_str(), f.1, f.2.as_str()))
            .collect()
    }

    fn cluster_role(name: &str, labels: Value, rules: Value) -> Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": name, "labels": labels}, "rules": rules})
    }

    fn role_binding(ns: &str, role_kind: &str, role: &str, account: &str) -> Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": "b", "namespace": ns},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
               "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": ns}]})
    }

    fn deployment(ns: &str, account: Option<&str>, automount: Option<bool>) -> Value {
        let mut spec = json!({"containers": [{"name": "c"}]});
        if let Some(account) = account {
            spec["serviceAccountName"] = json!(account);
        }
        if let Some(automount) = automount {
            spec["automountServiceAccountToken"] = json!(automount);
        }
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
               "spec": {"template": {"spec": spec}}})
    }

    fn secrets_rules() -> Value {
        json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}])
    }

    #[test]
    fn a_role_binding_to_a_cluster_role_reaches_the_workloads_of_its_account() {
        let found = judge(vec![
            cluster_role("reader", json!({}), secrets_rules()),
            role_binding("shop", "ClusterRole", "reader", "api"),
            deployment("shop", Some("api"), None),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        let (check, document, pointer, severity, message) = &found[0];
        assert_eq!(
            (check.as_str(), *document, pointer.as_str(), *severity),
            ("secrets-read", 0, "/rules/0/resources", Severity::High)
        );
        assert_eq!(
            message,
            "ClusterRole reader rule #1 can read Secrets (get on secrets). Held by ServiceAccount shop/api (run by Deployment shop/web) via RoleBinding shop/b."
        );
    }

    #[test]
    fn copies_of_a_binding_and_its_workload_name_each_holder_once() {
        let found = judge(vec![
            cluster_role("reader", json!({}), secrets_rules()),
            role_binding("shop", "ClusterRole", "reader", "api"),
            deployment("shop", Some("api"), None),
            role_binding("shop", "ClusterRole", "reader", "api"),
            deployment("shop", Some("api"), None),
        ]);
        assert_eq!(
            found[0].4,
            "ClusterRole reader rule #1 can read Secrets (get on secrets). Held by ServiceAccount shop/api (run by Deployment shop/web) via RoleBinding shop/b."
        );
    }

    #[test]
    fn a_role_nobody_binds_is_one_severity_lower() {
        let found = judge(vec![cluster_role("reader", json!({}), secrets_rules())]);
        assert_eq!(found[0].3, Severity::Medium);
        assert!(
            found[0]
                .4
                .ends_with("No binding in the scanned manifests grants this role.")
        );
    }

    #[test]
    fn an_aggregated_cluster_role_picks_up_a_wildcard() {
        let monitoring = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "monitoring"},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"aggregate-to-monitoring": "true"}}]}});
        let extra = cluster_role(
            "extra",
            json!({"aggregate-to-monitoring": "true"}),
            json!([{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}]),
        );
        let found = judge(vec![monitoring, extra]);
        let summary = locations(&found);
        assert_eq!(
            summary,
            [
                ("wildcard", 1, "/rules/0/apiGroups/0"),
                ("wildcard", 0, "/aggregationRule/clusterRoleSelectors/0")
            ]
        );
        assert!(found[1].4.starts_with("ClusterRole monitoring aggregates ClusterRole extra rule #1, which grants '*' in apiGroups."));
    }

    #[test]
    fn each_rule_an_aggregated_cluster_role_picks_up_is_its_own_finding() {
        let admin = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "admin"},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"aggregate-to-admin": "true"}}]}});
        let core = cluster_role(
            "core",
            json!({"aggregate-to-admin": "true"}),
            json!([
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]},
                {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create"]}
            ]),
        );
        // The same role twice (one base built through two overlays) grants nothing more.
        let objects = vec![admin, core.clone(), core];
        let set = Manifests::from_values("default", objects).unwrap();
        let identities: Vec<(String, String)> = Model::new(&set, &Settings::default())
            .findings()
            .into_iter()
            .filter(|f| f.check == "pod-create")
            .map(|f| (f.message[..41].to_owned(), f.identity))
            .collect();
        // Two findings at one selector, told apart (and fingerprinted apart) by the rule,
        // not four; each copy of the role is judged on its own.
        let copy = [
            (
                "ClusterRole core rule #1 can create pods ".to_owned(),
                "/rules/0/resources".to_owned(),
            ),
            (
                "ClusterRole core rule #2 can create pods ".to_owned(),
                "/rules/1/resources".to_owned(),
            ),
        ];
        assert_eq!(
            identities[..2],
            [
                (
                    "ClusterRole admin aggregates ClusterRole ".to_owned(),
                    "/aggregationRule/clusterRoleSelectors/0 ClusterRole core rule #1: can create pods or workloads that run them (create on pods)".to_owned()
                ),
                (
                    "ClusterRole admin aggregates ClusterRole ".to_owned(),
                    "/aggregationRule/clusterRoleSelectors/0 ClusterRole core rule #2: can create pods or workloads that run them (create on deployments)".to_owned()
                ),
            ]
        );
        assert_eq!(identities[2..], [copy.clone(), copy].concat());
    }

    #[test]
    fn bindings_to_built_in_roles_are_judged_without_the_role() {
        let found = judge(vec![
            role_binding("shop", "ClusterRole", "edit", "ci"),
            deployment("shop", Some("ci"), None),
        ]);
        let checks: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            checks,
            [
                "secrets-read",
                "pod-create",
                "privilege-escalation-verbs",
                "token-create"
            ]
        );
        assert!(found.iter().all(|f| f.1 == 0 && f.2 == "/roleRef/name"));
        assert!(found[0].4.starts_with(
            "RoleBinding shop/b gives the built-in ClusterRole edit, which can read Secrets"
        ));
    }

    #[test]
    fn default_service_account_and_mounted_tokens() {
        let found = judge(vec![
            deployment("shop", None, None),
            deployment("shop", Some("quiet"), Some(false)),
            role_binding("shop", "Role", "r", "default"),
        ]);
        let summary = locations(&found);
        assert_eq!(
            summary,
            [
                ("default-service-account", 2, "/subjects/0"),
                ("default-service-account", 0, "/spec/template/spec")
            ]
        );
        // An account nobody binds, with the token mounted by default.
        let found = judge(vec![deployment("shop", Some("web"), None)]);
        assert_eq!(
            found.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
            ["automount-token"]
        );
        // The ServiceAccount itself can switch the mount off.
        let account = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": "shop"},
                             "automountServiceAccountToken": false});
        assert!(judge(vec![deployment("shop", Some("web"), None), account]).is_empty());
    }

    #[test]
    fn the_account_field_that_is_there_alone_names_the_account() {
        let pod = |spec: Value| json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec});
        let checks = |spec: Value| -> Vec<String> {
            judge(vec![pod(spec)]).into_iter().map(|f| f.0).collect()
        };
        let own = ["automount-token"];
        let default = ["default-service-account", "automount-token"];
        assert_eq!(checks(json!({"serviceAccount": "ci"})), own);
        assert_eq!(
            checks(json!({"serviceAccountName": "ci", "serviceAccount": ""})),
            own
        );
        // serviceAccountName there, empty or no string: the default account, whatever the
        // deprecated serviceAccount says.
        for name in [json!(null), json!(""), json!(7)] {
            let spec = json!({"serviceAccountName": name, "serviceAccount": "ci"});
            assert_eq!(checks(spec), default);
        }
        let switched_off = json!({"serviceAccount": "ci", "automountServiceAccountToken": false});
        assert!(checks(switched_off).is_empty());
        let text = json!({"serviceAccount": "ci", "automountServiceAccountToken": "false"});
        assert_eq!(checks(text), own);
    }
}
