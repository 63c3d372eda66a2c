//! `tollgate test`: fixtures carry the findings they must produce in `# expect:` comments;
//! the project's own rule fixtures pass, and a wrong expectation, a malformed annotation
//! or an unreadable fixture say exactly what is wrong.

use std::path::Path;

use pretty_assertions::assert_eq;

use crate::util::{run, test_plugin};

#[test]
fn the_project_rule_fixtures_produce_exactly_what_they_expect() {
    let run = run(&["test", "tls", "rbac", "network-policy", "credentials"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "\
ok     tls/ciphers-unknown.yaml (4 expectations)\n\
ok     tls/cis-ciphers (4 expectations)\n\
ok     tls/compliant.yaml (0 expectations)\n\
ok     tls/controllers-violating.yaml (9 expectations)\n\
ok     tls/edge-compliant.yaml (0 expectations)\n\
ok     tls/edge-violating.yaml (5 expectations)\n\
ok     tls/knobs-compliant.yaml (0 expectations)\n\
ok     tls/monitoring-compliant.yaml (0 expectations)\n\
ok     tls/monitoring-violating.yaml (6 expectations)\n\
ok     tls/odd-objects.yaml (3 expectations)\n\
ok     tls/plaintext-violating.yaml (2 expectations)\n\
ok     tls/real-world-compliant.yaml (0 expectations)\n\
ok     tls/verification-violating.yaml (6 expectations)\n\
ok     tls/violating.yaml (7 expectations)\n\
ok     rbac/bindings.yaml (3 expectations)\n\
ok     rbac/compliant.yaml (0 expectations)\n\
ok     rbac/duplicates (5 expectations)\n\
ok     rbac/model (9 expectations)\n\
ok     rbac/odd-objects.yaml (8 expectations)\n\
ok     rbac/permissions-violating.yaml (10 expectations)\n\
ok     rbac/scope.yaml (5 expectations)\n\
ok     rbac/violating.yaml (5 expectations)\n\
ok     rbac/wildcards.yaml (4 expectations)\n\
ok     network-policy/compliant (0 expectations)\n\
ok     network-policy/namespaces (1 expectation)\n\
ok     network-policy/other-engines (2 expectations)\n\
ok     network-policy/violating (2 expectations)\n\
ok     credentials/compliant.yaml (0 expectations)\n\
ok     credentials/traps (0 expectations)\n\
ok     credentials/violating.yaml (1 expectation)\n\
\n\
30 fixtures, 101 expectations, 0 failures\n"
    );
    assert_eq!(run.stderr, "");
}

/// `rbac/violating.yaml`'s first Role, with one expectation on the wrong line and one
/// finding not expected.
const WRONG: &str = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: shop
rules:
- apiGroups: [\"apps\"]  # expect: rbac-least-privilege/wildcard
  resources: [\"deployments\"]  # expect: rbac-least-privilege/pod-create
  verbs: [\"*\"]
- apiGroups: [\"\"]
  resources: [\"secrets\"]
  verbs: [\"get\"]
";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_wrong_expectation_fails_with_every_missing_and_unexpected_finding() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = write(dir.path(), "wrong.yaml", WRONG);
    let run = run(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "FAIL   {wrong}\n\
             \x20      missing    {wrong}:7 rbac-least-privilege/wildcard\n\
             \x20      unexpected {wrong}:9 rbac-least-privilege/wildcard\n\
             \x20      unexpected {wrong}:11 rbac-least-privilege/secrets-read\n\
             \n\
             1 fixture, 2 expectations, 3 failures\n"
        )
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn fixtures_that_cannot_be_judged_exit_2_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "a-good.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n# test-rules: tls-min-version\n",
    );
    let typo = write(
        dir.path(),
        "b-typo.yaml",
        "apiVersion: v1  # expect: tls-min-versoin/weak-protocol\nkind: ConfigMap\nmetadata:\n  name: c\n# expect wildcard\n  namespace: x  # expect: wildcard\n",
    );
    let broken = write(
        dir.path(),
        "c-broken.yaml",
        "apiVersion: v1\nkind: [ConfigMap\n# test-rules: tls-min-version\n",
    );
    let run = run(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stdout,
        format!(
            "ok     {good} (0 expectations)\n\
             ERROR  {typo}\n\
             \x20      {typo}:1: unknown rule `tls-min-versoin` (known rules: network-policy, no-git-credentials, rbac-least-privilege, tls-min-version)\n\
             \x20      {typo}:6: `wildcard` is not RULE/CHECK (kebab-case ids, e.g. tls-min-version/weak-protocol)\n\
             ERROR  {broken}\n\
             \x20      {broken}:3: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)\n\
             \n\
             3 fixtures, 1 expectation, 0 failures, 2 errors\n"
        )
    );
}

#[test]
fn a_third_party_plugin_is_tested_like_the_builtin_rules() {
    let dice = test_plugin("dice");
    let dir = tempfile::tempdir().unwrap();
    let fixture = write(
        dir.path(),
        "dice.yaml",
        "apiVersion: v1  # expect: test-dice/rolled\nkind: ConfigMap\nmetadata:\n  name: c\n",
    );
    let run = run(&["test", &fixture, "--plugin", dice.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        format!("ok     {fixture} (1 expectation)\n\n1 fixture, 1 expectation, 0 failures\n")
    );
}
