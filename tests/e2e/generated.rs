//! Precision and recall on a generated estate: thousands of objects across namespaces, with
//! RBAC and NetworkPolicy violations planted at known places. Every finding of the two
//! rules must be planted (precision) and every planted violation found (recall).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::util::scan_json;

/// A finding as the generator plants it: rule, check, object kind, namespace, name.
type Expected = (&'static str, &'static str, &'static str, String, String);

/// Writes namespace `i` of the estate and records what must be found in it.
fn namespace(i: usize, yaml: &mut String, expected: &mut BTreeSet<Expected>) {
    let ns = format!("team-{i:04}");
    let mut push = |doc: String| {
        yaml.push_str("---\n");
        yaml.push_str(&doc);
    };
    let mut expect = |rule, check, kind, name: &str| {
        expected.insert((rule, check, kind, ns.clone(), name.to_owned()));
    };
    push(format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
    ));

    // Network policies: none at all in one namespace of five; elsewhere a policy that
    // selects the web tier by matchExpressions, so the batch tier is left out.
    if i.is_multiple_of(5) {
        expect(
            "network-policy",
            "namespace-without-policy",
            "Namespace",
            &ns,
        );
    } else {
        push(format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: {ns}\n\
             spec:\n  podSelector:\n    matchExpressions:\n    - {{key: tier, operator: In, values: [web]}}\n  ingress:\n  - from:\n    - podSelector: {{matchLabels: {{tier: edge}}}}\n"
        ));
        for app in 0..3 {
            expect(
                "network-policy",
                "pod-not-selected",
                "Deployment",
                &format!("batch-{app}"),
            );
        }
        if i.is_multiple_of(7) {
            push(format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: open\n  namespace: {ns}\n\
                 spec:\n  podSelector: {{matchLabels: {{tier: web}}}}\n  ingress:\n  - {{}}\n"
            ));
            expect("network-policy", "allow-all", "NetworkPolicy", "open");
        }
    }

    // Workloads: web apps run as a bound account; batch apps as an unbound one, with
    // the token mount switched off in even namespaces only.
    for app in 0..3 {
        for (tier, account) in [("web", "web"), ("batch", "batch")] {
            push(format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {tier}-{app}\n  namespace: {ns}\n\
                 spec:\n  template:\n    metadata:\n      labels: {{app: {tier}-{app}, tier: {tier}}}\n\
                 \x20   spec:\n      serviceAccountName: {account}\n      containers:\n      - name: main\n        image: registry.example.com/{ns}/{tier}:{app}\n"
            ));
        }
        if !i.is_multiple_of(2) {
            expect(
                "rbac-least-privilege",
                "automount-token",
                "Deployment",
                &format!("batch-{app}"),
            );
        }
        push(format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{app}\n  namespace: {ns}\ndata:\n  LEVEL: info\n"
        ));
    }
    push(format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: batch\n  namespace: {ns}\nautomountServiceAccountToken: {}\n",
        !i.is_multiple_of(2)
    ));
    push(format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: {ns}\n"
    ));

    // RBAC: the web account's role; one in six grants '*' on deployments.
    let verbs = if i.is_multiple_of(6) {
        "[\"*\"]"
    } else {
        "[get, list, update]"
    };
    push(format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: web\n  namespace: {ns}\nrules:\n\
         - apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get, list, watch]\n\
         - apiGroups: [apps]\n  resources: [deployments]\n  verbs: {verbs}\n"
    ));
    if i.is_multiple_of(6) {
        expect("rbac-least-privilege", "wildcard", "Role", "web");
        expect("rbac-least-privilege", "pod-create", "Role", "web");
    }
    push(format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: web\n  namespace: {ns}\n\
         roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: web}}\n\
         subjects:\n- {{kind: ServiceAccount, name: web, namespace: {ns}}}\n"
    ));
    // One in nine hands the built-in edit role to a group.
    if i.is_multiple_of(9) {
        push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: developers\n  namespace: {ns}\n\
             roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}}\n\
             subjects:\n- {{kind: Group, name: developers, apiGroup: rbac.authorization.k8s.io}}\n"
        ));
        for check in [
            "secrets-read",
            "pod-create",
            "privilege-escalation-verbs",
            "token-create",
        ] {
            expect("rbac-least-privilege", check, "RoleBinding", "developers");
        }
    }
}

#[test]
fn precision_and_recall_are_complete_on_a_generated_estate() {
    let mut yaml = String::new();
    let mut expected = BTreeSet::new();
    for i in 0..200 {
        namespace(i, &mut yaml, &mut expected);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("estate.yaml");
    std::fs::write(&path, &yaml).unwrap();

    let (code, report) = scan_json(&[
        path.to_str().unwrap(),
        "--rule",
        "rbac-least-privilege",
        "--rule",
        "network-policy",
    ]);
    assert_eq!(code, 1);
    let objects = report["summary"]["objects"].as_u64().unwrap();
    assert!(objects >= 3000, "{objects} objects");

    let found: BTreeSet<(String, String, String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = &f["location"];
            let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
            (
                text(&f["rule"]),
                text(&f["check"]),
                text(&at["kind"]),
                text(&at["namespace"]),
                text(&at["name"]),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String, String, String)> = expected
        .into_iter()
        .map(|(r, c, k, ns, n)| (r.to_owned(), c.to_owned(), k.to_owned(), ns, n))
        .collect();
    // A Namespace object has no namespace of its own.
    let expected: BTreeSet<_> = expected
        .into_iter()
        .map(|(r, c, k, ns, n)| {
            if k == "Namespace" {
                (r, c, k, String::new(), n)
            } else {
                (r, c, k, ns, n)
            }
        })
        .collect();

    let false_positives: Vec<_> = found.difference(&expected).collect();
    let false_negatives: Vec<_> = expected.difference(&found).collect();
    let mut summary = String::new();
    let _ = write!(
        summary,
        "{objects} objects, {} planted, {} found, {} false positives, {} false negatives",
        expected.len(),
        found.len(),
        false_positives.len(),
        false_negatives.len()
    );
    eprintln!("{summary}");
    assert!(
        false_positives.is_empty(),
        "{summary}; false positives: {false_positives:#?}"
    );
    assert!(
        false_negatives.is_empty(),
        "{summary}; false negatives: {false_negatives:#?}"
    );
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        expected.len(),
        "one finding per planted violation"
    );
}
