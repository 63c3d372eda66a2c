//! `tollgate report diff`: two runs over one estate a quarter apart (`fixtures/diff/`),
//! compared in every format with the exact findings, waivers and controls that changed,
//! and the exit code CI gates on.

use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::util::{Run, findings, run, tollgate};

/// 2026-09-21T14:13:20Z: the old run, before the Ingress waiver expires.
const OLD_EPOCH: &str = "1790000000";

/// Scans `fixtures/diff/<which>` (the old one at [`OLD_EPOCH`]) into `dir/<which>.json`.
fn scan(dir: &Path, which: &str) -> PathBuf {
    let file = dir.join(format!("{which}.json"));
    let mut command = tollgate();
    if which == "old" {
        command.env("SOURCE_DATE_EPOCH", OLD_EPOCH);
    }
    let run: Run = command
        .args(["scan", &format!("diff/{which}"), "--format", "json", "-o"])
        .arg(&file)
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 1, "{}", run.stderr);
    file
}

/// The old and new reports, in a fresh directory.
fn reports() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let old = scan(dir.path(), "old");
    let new = scan(dir.path(), "new");
    (dir, old, new)
}

fn diff(args: &[&str]) -> Run {
    run(&[&["report", "diff"], args].concat())
}

fn path(file: &Path) -> &str {
    file.to_str().unwrap()
}

/// `rule/check file:line object` of a list of findings in the diff.
fn listed(diff: &Value, list: &str) -> Vec<String> {
    findings(&json!({ "findings": diff["findings"][list] }))
}

#[test]
fn diff_names_what_changed_between_two_runs() {
    let (_dir, old, new) = reports();
    let run = diff(&[path(&old), path(&new), "--format", "json"]);
    assert_eq!(run.code, 1, "a new high finding fails: {}", run.stderr);
    let diff: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(diff["tollgate_diff"], 1);
    assert_eq!(
        listed(&diff, "new"),
        [
            "rbac-least-privilege/cluster-admin-binding diff/new/admins.yaml:10 ClusterRoleBinding alice-admin"
        ]
    );
    assert_eq!(
        listed(&diff, "fixed"),
        ["rbac-least-privilege/wildcard diff/old/legacy/rbac.yaml:8 Role legacy/admin"]
    );
    assert_eq!(
        listed(&diff, "still_open"),
        [
            "network-policy/pod-not-selected diff/new/app.yaml:11 Deployment shop/web",
            "tls-min-version/weak-protocol diff/new/app.yaml:35 Ingress web/old",
        ]
    );
    // Still open, but now waived; and no longer waived.
    assert_eq!(
        diff["findings"]["still_open"][0]["waiver"]["approved_by"],
        "security@example.com"
    );
    assert_eq!(diff["findings"]["still_open"][1]["waiver"], Value::Null);
    let waivers = |list: &str| -> Vec<String> {
        diff["waivers"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                format!(
                    "{} {}",
                    w["rule"].as_str().unwrap(),
                    w["target"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        waivers("added"),
        ["network-policy object Deployment/shop/web"]
    );
    assert_eq!(
        waivers("expired"),
        ["tls-min-version object Ingress/web/old"]
    );
    assert_eq!(waivers("removed"), ["rbac-least-privilege path legacy/**"]);
    let controls: Vec<String> = diff["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |name: &str| c[name].as_str().unwrap_or("null").to_owned();
            let [framework, id, old, new] = ["framework", "id", "old", "new"].map(field);
            format!("{framework} {id} {old} -> {new}")
        })
        .collect();
    assert_eq!(
        controls,
        [
            "soc2 CC6.2 not-assessed -> not-satisfied",
            "soc2 CC6.3 waived -> not-satisfied",
            "soc2 CC6.6 not-satisfied -> waived",
            "soc2 CC6.7 waived -> not-satisfied",
            "cis-kubernetes 5.1.1 not-assessed -> not-satisfied",
            "cis-kubernetes 5.1.3 waived -> satisfied",
            "cis-kubernetes 5.1.7 not-assessed -> satisfied",
            "cis-kubernetes 5.3.2 not-satisfied -> waived",
        ]
    );
    assert_eq!(
        diff["summary"],
        json!({"new": 1, "fixed": 1, "still_open": 2, "failing": 1, "controls_changed": 8, "outcome": "fail", "exit_code": 1})
    );
    assert_eq!(diff["fail_on"], "low");
    assert_eq!(diff["old"]["generated_at"], "2026-09-21T14:13:20Z");
    assert_eq!(diff["new"]["generated_at"], "2027-01-15T08:00:00Z");
    assert_eq!(diff["old"]["path"], path(&old));
}
