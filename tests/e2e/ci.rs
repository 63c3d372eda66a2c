//! CI platforms: `--format gitlab` against GitLab Code Quality's documented fields, the
//! GitHub Action's scan step (`ci/github/scan.sh`) run with the environment the action
//! sets, and the GitLab template's script run as GitLab would run it, each on the built
//! binary, with outputs compared whole.

use std::path::{Path, PathBuf};
use std::process::Command;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::util::{
    SOURCE_DATE_EPOCH, copy_dir, fixtures, plugin_cache_env, run, test_tool, tollgate,
};

/// GitLab Code Quality's required fields, as GitLab documents them (an array of
/// issues; `severity` one of five), and nothing else.
const CODE_QUALITY_SCHEMA: &str = r#"{
  "type": "array",
  "items": {
    "type": "object",
    "additionalProperties": false,
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
      "description": {"type": "string", "minLength": 1},
      "check_name": {"type": "string", "minLength": 1},
      "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
      "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
      "location": {
        "type": "object",
        "additionalProperties": false,
        "required": ["path", "lines"],
        "properties": {
          "path": {"type": "string", "minLength": 1},
          "lines": {
            "type": "object",
            "additionalProperties": false,
            "required": ["begin"],
            "properties": {"begin": {"type": "integer", "minimum": 1}}
          }
        }
      }
    }
  }
}"#;

/// The repository's root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tollgate_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("tollgate")
}

/// A command run in `dir` with the environment every tollgate run of the tests has.
fn shell(dir: &Path) -> Command {
    let mut command = Command::new("bash");
    command
        .current_dir(dir)
        .envs(plugin_cache_env())
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH);
    command
}

#[test]
fn gitlab_code_quality_has_every_required_field() {
    let scan = run(&["scan", "diff/new", "--format", "gitlab"]);
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let issues: Value = serde_json::from_str(&scan.stdout).unwrap();
    let (_, report) = crate::util::scan_json(&["diff/new"]);
    let fingerprint = |check: &str| {
        let findings = report["findings"].as_array().unwrap();
        let finding = findings.iter().find(|f| f["check"] == check).unwrap();
        finding["fingerprint"].clone()
    };
    // The waived finding is accepted risk: not an issue.
    assert_eq!(
        issues,
        json!([
            {
                "description": "ClusterRoleBinding alice-admin gives cluster-admin to User alice@example.com; bind a role with only the permissions it needs",
                "check_name": "rbac-least-privilege/cluster-admin-binding",
                "fingerprint": fingerprint("cluster-admin-binding"),
                "severity": "blocker",
                "location": {"path": "diff/new/admins.yaml", "lines": {"begin": 10}}
            },
            {
                "description": "Ingress web/old: ingress-nginx annotation ssl-protocols enables TLSv1 (effective minimum TLS 1.0); set it to \"TLSv1.2 TLSv1.3\"",
                "check_name": "tls-min-version/weak-protocol",
                "fingerprint": fingerprint("weak-protocol"),
                "severity": "critical",
                "location": {"path": "diff/new/app.yaml", "lines": {"begin": 35}}
            }
        ])
    );
    let dir = tempfile::tempdir().unwrap();
    let (document, schema) = (
        dir.path().join("issues.json"),
        dir.path().join("schema.json"),
    );
    std::fs::write(&document, &scan.stdout).unwrap();
    std::fs::write(&schema, CODE_QUALITY_SCHEMA).unwrap();
    let checked = Command::new(test_tool("venv/bin/python"))
        .arg("-c")
        .arg("import json, sys, jsonschema\njsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))")
        .args([&document, &schema])
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

/// What a direct `tollgate scan ARGS --format FORMAT` prints.
fn direct(args: &[&str], format: &str) -> String {
    run(&[&["scan"], args, &["--format", format]].concat()).stdout
}

#[test]
fn the_github_action_step_writes_sarif_summary_and_outputs() {
    let temp = tempfile::tempdir().unwrap();
    let summary = temp.path().join("summary.md");
    let outputs = temp.path().join("outputs");
    std::fs::write(&summary, "# Earlier step\n").unwrap();
    std::fs::write(&outputs, "earlier=1\n").unwrap();
    let step = shell(&fixtures())
        .arg(root().join("ci/github/scan.sh"))
        .env("TOLLGATE", tollgate_bin())
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("INPUT_PATHS", "diff/new\n  config/waivers")
        .env("INPUT_FAIL_ON", "critical")
        .env(
            "INPUT_ARGS",
            "--framework soc2 --skip-rule no-git-credentials",
        )
        .output()
        .unwrap();
    assert!(
        step.status.success(),
        "{}",
        String::from_utf8_lossy(&step.stderr)
    );
    let out = temp.path().join("tollgate");
    assert_eq!(
        std::fs::read_to_string(&outputs).unwrap(),
        format!(
            "earlier=1\nreport={}\nsarif={}\nexit-code=1\n",
            out.join("report.json").display(),
            out.join("report.sarif").display()
        )
    );
    let args = [
        "diff/new",
        "config/waivers",
        "--fail-on",
        "critical",
        "--framework",
        "soc2",
        "--skip-rule",
        "no-git-credentials",
    ];
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap(),
        format!("# Earlier step\n{}", direct(&args, "markdown"))
    );
    assert_eq!(
        std::fs::read_to_string(out.join("report.sarif")).unwrap(),
        direct(&args, "sarif")
    );
}

#[test]
fn the_github_action_step_stops_on_a_usage_error() {
    let temp = tempfile::tempdir().unwrap();
    let outputs = temp.path().join("outputs");
    let step = shell(&fixtures())
        .arg(root().join("ci/github/scan.sh"))
        .env("TOLLGATE", tollgate_bin())
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_STEP_SUMMARY", temp.path().join("summary.md"))
        .env("GITHUB_OUTPUT", &outputs)
        .env("INPUT_FAIL_ON", "sometimes")
        .output()
        .unwrap();
    assert_eq!(step.status.code(), Some(2));
    assert!(!outputs.exists(), "no outputs without a report");
    let stderr = String::from_utf8(step.stderr).unwrap();
    assert!(
        stderr.ends_with("tollgate: the scan wrote no report (exit code 2)\n"),
        "{stderr}"
    );
}

/// The `script:` lines of the template's `tollgate` job, as PyYAML reads them.
fn gitlab_script() -> String {
    let output = Command::new(test_tool("venv/bin/python"))
        .arg("-c")
        .arg("import sys, yaml\nprint('\\n'.join(yaml.safe_load(open(sys.argv[1]))['tollgate']['script']))")
        .arg(root().join("ci/gitlab/tollgate.gitlab-ci.yml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_gitlab_template_saves_its_reports_and_fails_the_job() {
    let work = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("diff/new"), work.path());
    let path = format!(
        "{}:{}",
        tollgate_bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    // What a direct scan writes, before the job's files join the directory.
    let scan = |format: &str| -> String {
        let output = tollgate()
            .current_dir(work.path())
            .args([
                "scan",
                ".",
                "--fail-on",
                "high",
                "--framework",
                "soc2",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let expected = [
        ("gl-code-quality-report.json", scan("gitlab")),
        ("tollgate.sarif", scan("sarif")),
        ("tollgate.json", scan("json")),
    ];
    let job = shell(work.path())
        .arg("-c")
        .arg(gitlab_script())
        .env("PATH", path)
        .env("TOLLGATE_PATHS", ".")
        .env("TOLLGATE_FAIL_ON", "high")
        .env("TOLLGATE_ARGS", "--framework soc2")
        .output()
        .unwrap();
    assert_eq!(
        job.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&job.stderr)
    );
    for (name, content) in expected {
        let written = std::fs::read_to_string(work.path().join(name)).unwrap();
        assert_eq!(written, content, "{name}");
    }
}
