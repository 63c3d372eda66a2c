//! The config file: discovery, rules turned off, `fail-on`, rule settings (RBAC
//! allowances, NetworkPolicy exemptions and the egress switch) and errors that name the line.

use pretty_assertions::assert_eq;

use crate::util::{findings, run, scan_json, statuses};

fn waived(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["waiver"].is_null())
        .map(|f| {
            assert_eq!(f["waiver"]["source"], "rule-settings");
            (
                f["check"].as_str().unwrap().to_owned(),
                f["waiver"]["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn allowances_and_exemptions_are_reported_as_waived() {
    // Found by walking up from the scanned directory.
    let (code, report) = scan_json(&["config/accepted"]);
    assert_eq!(
        findings(&report),
        [
            "rbac-least-privilege/secrets-read config/accepted/manifests.yaml:8 ClusterRole secret-sync",
            "rbac-least-privilege/secrets-read config/accepted/manifests.yaml:31 ClusterRole secret-peek",
            "network-policy/egress-unrestricted config/accepted/manifests.yaml:56 Deployment external-secrets/external-secrets",
            "network-policy/namespace-without-policy config/accepted/manifests.yaml:101 Deployment legacy/app",
        ]
    );
    assert_eq!(
        waived(&report),
        [
            (
                "secrets-read".into(),
                "syncs Secrets from the vault into the cluster".into()
            ),
            (
                "namespace-without-policy".into(),
                "namespace legacy is exempt: decommissioned in Q3, tracked in OPS-142".into()
            ),
        ]
    );
    // The config turns tls-min-version off and fails on medium: the high finding fails.
    assert_eq!(
        statuses(&report),
        [
            ("network-policy".into(), "fail".into()),
            ("no-git-credentials".into(), "pass".into()),
            ("rbac-least-privilege".into(), "fail".into()),
        ]
    );
    assert_eq!(code, 1);
    let summary = &report["summary"];
    assert_eq!(
        (summary["findings"].as_u64(), summary["waived"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(report["settings"]["fail_on"], "medium");
    assert_eq!(
        report["evidence"]["config"]["path"],
        "config/accepted/.tollgate.yaml"
    );
    assert_eq!(
        report["evidence"]["config"]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
}

#[test]
fn text_output_shows_the_reason() {
    let run = run(&["scan", "config/accepted"]);
    assert!(
        run.stdout.contains(
            "\n           high accepted risk, waived by the rule's settings: syncs Secrets from the vault into the cluster (no approver, no expiry)\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("2 findings (1 high, 1 low), 2 waived\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn command_line_wins_over_the_config() {
    // --fail-on above the remaining findings: pass.
    let (code, _) = scan_json(&["config/accepted", "--fail-on", "critical"]);
    assert_eq!(code, 0);
    // --rule runs a rule the config turns off.
    let (_, report) = scan_json(&["config/accepted", "--rule", "tls-min-version"]);
    assert_eq!(
        statuses(&report),
        [("tls-min-version".into(), "pass".into())]
    );
    // --no-config: nothing waived, egress not judged, every rule runs.
    let (code, report) = scan_json(&["config/accepted", "--no-config"]);
    assert_eq!(waived(&report), []);
    assert_eq!(report["evidence"]["config"], serde_json::Value::Null);
    assert_eq!(
        findings(&report),
        [
            "rbac-least-privilege/secrets-read config/accepted/manifests.yaml:8 ClusterRole secret-sync",
            "rbac-least-privilege/secrets-read config/accepted/manifests.yaml:31 ClusterRole secret-peek",
            "network-policy/namespace-without-policy config/accepted/manifests.yaml:101 Deployment legacy/app",
        ]
    );
    assert_eq!(statuses(&report).len(), 4);
    assert_eq!(code, 1);
}

/// Each broken config: exit 2, and the error names the file, the line and the key.
#[test]
fn config_errors_name_the_line() {
    let cases: &[(&str, &str)] = &[
        (
            "fail-on: high\nfial-on: low\n",
            ".tollgate.yaml:2: unknown field `fial-on`",
        ),
        (
            "fail-on: sometimes\n",
            ".tollgate.yaml:1: unknown variant `sometimes`",
        ),
        (
            "rules:\n  network-policy: {}\n  tls-min-versoin:\n    enabled: false\n",
            ".tollgate.yaml:3: unknown rule `tls-min-versoin`",
        ),
        (
            "rules:\n  network-policy:\n    settings:\n      egress: true\n",
            ".tollgate.yaml:4: rules.network-policy.settings.egress: unknown field `egress`",
        ),
        (
            "rules:\n  network-policy:\n    settings:\n      exempt-namespaces:\n        - namespace: legacy\n          reason: \"\"\n",
            ".tollgate.yaml:6: rules.network-policy.settings.exempt-namespaces.0.reason: a reason must not be empty",
        ),
        (
            "rules:\n  network-policy:\n    settings:\n      exempt-namespaces:\n        - namespace: legacy\n",
            ".tollgate.yaml:5: rules.network-policy.settings.exempt-namespaces.0: missing field `reason`",
        ),
        (
            "rules:\n  rbac-least-privilege:\n    settings:\n      allow:\n        - role: ClusterRole/ci\n          checks: [pod-creat]\n          reason: CI runners\n",
            ".tollgate.yaml:5: rules.rbac-least-privilege.settings.allow.0: unknown check `pod-creat`",
        ),
        (
            "rules:\n  tls-min-version:\n    settings:\n      minimum: TLS1.3\n",
            ".tollgate.yaml:4: rules.tls-min-version.settings.minimum: unknown field `minimum`",
        ),
        ("rules: [\n", ".tollgate.yaml:2: invalid YAML"),
    ];
    for (text, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".tollgate.yaml"), text).unwrap();
        std::fs::write(
            dir.path().join("ns.yaml"),
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
        )
        .unwrap();
        let run = run(&["scan", dir.path().to_str().unwrap()]);
        assert_eq!(run.code, 2, "{text:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{text:?}: {}", run.stdout);
        assert!(run.stderr.contains(expected), "{text:?}: {}", run.stderr);
    }
}

#[test]
fn the_config_sets_severities_per_rule_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tollgate.yaml");
    std::fs::write(
        &config,
        "rules:\n  network-policy:\n    severity: low\n    check-severities:\n      namespace-without-policy: critical\n",
    )
    .unwrap();
    let (code, report) = scan_json(&[
        "network-policy/violating",
        "--rule",
        "network-policy",
        "--config",
        config.to_str().unwrap(),
        "--fail-on",
        "critical",
    ]);
    let severities: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        severities,
        [
            ("pod-not-selected", "low"),
            ("namespace-without-policy", "critical")
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn an_explicit_config_applies_to_any_input() {
    let (code, report) = scan_json(&[
        "network-policy/violating",
        "--config",
        "config/accepted/.tollgate.yaml",
        "--rule",
        "network-policy",
    ]);
    assert_eq!(
        report["evidence"]["config"]["path"],
        "config/accepted/.tollgate.yaml"
    );
    assert_eq!(code, 1);
    let run = run(&[
        "scan",
        "network-policy/violating",
        "--config",
        "missing.yaml",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("missing.yaml: cannot read"),
        "{}",
        run.stderr
    );
}

/// The config example in the README is one the real rules accept.
#[test]
fn the_readme_config_example_is_valid() {
    let readme = std::fs::read_to_string(crate::util::fixtures().join("../../README.md")).unwrap();
    let section = readme.split("### Config file").nth(1).unwrap();
    let example = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".tollgate.yaml");
    std::fs::write(&config, example).unwrap();
    let run = run(&[
        "scan",
        "network-policy/violating",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

/// Path waivers are relative to the config file, however its path is written.
#[test]
fn path_waivers_apply_with_a_bare_config_file_name() {
    let run: crate::util::Run = crate::util::tollgate()
        .current_dir(crate::util::fixtures().join("config/waivers"))
        .args([
            "scan",
            ".",
            "--config",
            ".tollgate.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap()
        .into();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["evidence"]["waivers"][1]["target"], "path legacy/**");
    // The full wildcard of legacy-admin: one finding, whatever it implies.
    assert_eq!(report["evidence"]["waivers"][1]["applied"], 1);
}
