//! CI platforms: `--format gitlab` against GitLab Code Quality's documented fields, the
//! GitHub Action's scan step (`ci/github/scan.sh`) run with the environment the action
//! sets, the whole action (`action.yml`: install, scan, SARIF upload, gate) run step by
//! step as GitHub's runner runs a composite action, and the GitLab template's
//! `before_script` and `script` run as GitLab would run them; `rustup` and `cargo` are
//! stand-ins that log what they were asked and install the binary under test, and outputs
//! are compared whole.

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
    let mut issues: Value = serde_json::from_str(&scan.stdout).unwrap();
    // Unique per issue (see the next test): 32 hex digits.
    for issue in issues.as_array_mut().unwrap() {
        let fingerprint = issue["fingerprint"].take();
        let fingerprint = fingerprint.as_str().unwrap();
        assert!(fingerprint.len() == 32 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    // The waived finding is accepted risk: not an issue.
    assert_eq!(
        issues,
        json!([
            {
                "description": "ClusterRoleBinding alice-admin gives cluster-admin to User alice@example.com; bind a role with only the permissions it needs",
                "check_name": "rbac-least-privilege/cluster-admin-binding",
                "fingerprint": null,
                "severity": "blocker",
                "location": {"path": "diff/new/admins.yaml", "lines": {"begin": 10}}
            },
            {
                "description": "Ingress web/old: ingress-nginx annotation ssl-protocols enables TLSv1 (effective minimum TLS 1.0); set it to \"TLSv1.2 TLSv1.3\"",
                "check_name": "tls-min-version/weak-protocol",
                "fingerprint": null,
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

/// GitLab shows one issue per fingerprint: the same object in two files (two install
/// bundles) is two issues, each keeping its fingerprint when lines move.
#[test]
fn gitlab_issues_keep_fingerprints_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let admins =
        std::fs::read_to_string(crate::util::fixtures().join("diff/new/admins.yaml")).unwrap();
    let scan = |files: &[(&str, &str)]| -> Vec<(String, String)> {
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let mut command = crate::util::tollgate();
        command.current_dir(dir.path()).args([
            "scan",
            "--format",
            "gitlab",
            "--rule",
            "rbac-least-privilege",
        ]);
        command.args(files.iter().map(|(name, _)| name));
        let run: crate::util::Run = command.output().unwrap().into();
        let issues: Value = serde_json::from_str(&run.stdout).unwrap();
        let issues = issues.as_array().unwrap().iter();
        issues
            .map(|i| {
                (
                    i["location"]["path"].as_str().unwrap().to_owned(),
                    i["fingerprint"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let both = scan(&[("install.yaml", &admins), ("install-ha.yaml", &admins)]);
    assert_eq!(both.len(), 2, "{both:?}");
    assert_ne!(both[0].1, both[1].1);
    let moved = scan(&[
        ("install.yaml", &format!("# moved\n\n{admins}")),
        ("install-ha.yaml", &admins),
    ]);
    assert_eq!(moved, both);
}

#[test]
fn the_gitlab_template_saves_its_reports_and_fails_the_job() {
    let work = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("diff/new"), work.path());
    let toolchain = tempfile::tempdir().unwrap();
    let path = toolchain_stand_ins(toolchain.path());
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
    // The job's `before_script:` then `script:` lines in one shell, with the template's
    // variables as a pipeline that includes it overrides them.
    let template = yaml_file("ci/gitlab/tollgate.gitlab-ci.yml");
    let job = &template["tollgate"];
    let lines: Vec<&str> = ["before_script", "script"]
        .iter()
        .flat_map(|part| job[part].as_array().unwrap())
        .map(|line| line.as_str().unwrap())
        .collect();
    let mut command = shell(work.path());
    for (name, value) in job["variables"].as_object().unwrap() {
        command.env(name, value.as_str().unwrap());
    }
    let job = command
        .arg("-c")
        .arg(lines.join("\n"))
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
    assert_eq!(
        std::fs::read_to_string(toolchain.path().join("toolchain.log")).unwrap(),
        "rustup target add wasm32-wasip2\n\
         cargo install --locked --git https://github.com/tollgate-dev/tollgate --branch main tollgate\n"
    );
}

/// A YAML file of the repository as JSON, read by PyYAML (as the CI platforms read YAML).
fn yaml_file(relative: &str) -> Value {
    let output = Command::new(test_tool("venv/bin/python"))
        .arg("-c")
        .arg("import sys, json, yaml\njson.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)")
        .arg(root().join(relative))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Stand-ins for `rustup` and `cargo` in `dir`, to be put first on PATH: each appends its
/// command line to `dir/toolchain.log`, and `cargo install` puts the tollgate under test
/// where the real one would land (on PATH). Returns that PATH.
fn toolchain_stand_ins(dir: &Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let log = dir.join("toolchain.log");
    for tool in ["rustup", "cargo"] {
        let install = if tool == "cargo" {
            format!(
                "[ \"$1\" != install ] || ln -sf '{}' '{}'\n",
                tollgate_bin().display(),
                dir.join("tollgate").display()
            )
        } else {
            String::new()
        };
        let script = dir.join(tool);
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"{tool} $*\" >>'{}'\n{install}",
                log.display()
            ),
        )
        .unwrap();
        let mut permissions = std::fs::metadata(&script).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&script, permissions).unwrap();
    }
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap())
}

/// What running `action.yml` did: the `uses:` steps it reached with their resolved
/// `with:`, the outputs of its steps by id, and the exit code of the step that ended it.
#[derive(Debug, Default)]
struct ActionRun {
    uses: Vec<(String, Value)>,
    outputs: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    code: i32,
}

impl ActionRun {
    /// The value of a `${{ ... }}` expression of action.yml; any other expression fails
    /// the test, so a new one in the action cannot go untested.
    fn evaluate(&self, expression: &str, inputs: &Value, action_path: &Path) -> String {
        let expression = expression.trim();
        if let Some((left, right)) = expression.split_once(" == ") {
            let right = right.trim_matches('\'');
            return (self.evaluate(left, inputs, action_path) == right).to_string();
        }
        let parts: Vec<&str> = expression.split('.').collect();
        match parts.as_slice() {
            ["github", "action_path"] => action_path.display().to_string(),
            ["inputs", name] => inputs[name].as_str().unwrap().to_string(),
            ["steps", id, "outputs", name] => self.outputs[*id][*name].clone(),
            _ => panic!("action.yml uses an expression the test does not know: {expression}"),
        }
    }

    /// `text` with every `${{ ... }}` replaced by its value.
    fn substitute(&self, text: &str, inputs: &Value, action_path: &Path) -> String {
        let mut result = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            let end = start + rest[start..].find("}}").unwrap();
            result.push_str(&rest[..start]);
            result.push_str(&self.evaluate(&rest[start + 3..end], inputs, action_path));
            rest = &rest[end + 2..];
        }
        result + rest
    }
}

/// Runs the composite action's steps in order as GitHub's runner does, in `workspace`:
/// inputs are the action's defaults overridden by `given`, each `run:` step runs in
/// `bash --noprofile --norc -eo pipefail` with its `env:` and the variables GitHub sets,
/// `if:` conditions are evaluated, `uses:` steps are recorded (they are other actions),
/// and the first failing step ends the run.
fn run_action(workspace: &Path, temp: &Path, given: &[(&str, &str)]) -> ActionRun {
    let action = yaml_file("action.yml");
    let mut inputs = serde_json::Map::new();
    for (name, input) in action["inputs"].as_object().unwrap() {
        inputs.insert(name.clone(), input["default"].clone());
    }
    for (name, value) in given {
        assert!(inputs.contains_key(*name), "action.yml has no input {name}");
        inputs.insert(name.to_string(), json!(value));
    }
    let inputs = Value::Object(inputs);
    let path = toolchain_stand_ins(&temp.join("toolchain"));
    let root = root().canonicalize().unwrap();
    let mut run = ActionRun::default();
    for (index, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        if let Some(condition) = step["if"].as_str()
            && run.substitute(condition, &inputs, &root) != "true"
        {
            continue;
        }
        if let Some(uses) = step["uses"].as_str() {
            let with = run.substitute(&step["with"].to_string(), &inputs, &root);
            run.uses
                .push((uses.to_string(), serde_json::from_str(&with).unwrap()));
            continue;
        }
        assert_eq!(step["shell"], "bash", "step {index}");
        let script = temp.join(format!("step-{index}.sh"));
        let outputs = temp.join(format!("step-{index}.outputs"));
        std::fs::write(
            &script,
            run.substitute(step["run"].as_str().unwrap(), &inputs, &root),
        )
        .unwrap();
        let mut command = shell(workspace);
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .env("PATH", &path)
            .env("GITHUB_ACTION_PATH", &root)
            .env("GITHUB_WORKSPACE", workspace)
            .env("RUNNER_TEMP", temp)
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_STEP_SUMMARY", temp.join("summary.md"));
        for (name, value) in step["env"].as_object().into_iter().flatten() {
            command.env(
                name,
                run.substitute(value.as_str().unwrap(), &inputs, &root),
            );
        }
        let status = command.status().unwrap();
        if let Some(id) = step["id"].as_str() {
            let written = std::fs::read_to_string(&outputs).unwrap_or_default();
            let pairs = written.lines().map(|line| {
                let (name, value) = line.split_once('=').unwrap();
                (name.to_string(), value.to_string())
            });
            run.outputs.insert(id.to_string(), pairs.collect());
        }
        run.code = status.code().unwrap();
        if run.code != 0 {
            break;
        }
    }
    run
}

#[test]
fn the_github_action_installs_scans_uploads_and_gates() {
    let temp = tempfile::tempdir().unwrap();
    let run = run_action(
        &fixtures(),
        temp.path(),
        &[
            ("paths", "diff/new"),
            ("fail-on", "high"),
            ("args", "--framework soc2"),
        ],
    );
    // The job fails on the findings, after the SARIF went to code scanning.
    assert_eq!(run.code, 1);
    let log = std::fs::read_to_string(temp.path().join("toolchain/toolchain.log")).unwrap();
    assert_eq!(
        log,
        format!(
            "rustup target add wasm32-wasip2\ncargo install --locked --path {}/host\n",
            root().canonicalize().unwrap().display()
        )
    );
    let sarif = temp.path().join("tollgate/report.sarif");
    assert_eq!(
        run.uses,
        [(
            "github/codeql-action/upload-sarif@v3".to_string(),
            json!({"sarif_file": sarif.display().to_string(), "category": "tollgate"})
        )]
    );
    let args = ["diff/new", "--fail-on", "high", "--framework", "soc2"];
    assert_eq!(
        std::fs::read_to_string(&sarif).unwrap(),
        direct(&args, "sarif")
    );
    assert_eq!(
        std::fs::read_to_string(temp.path().join("summary.md")).unwrap(),
        direct(&args, "markdown")
    );
    assert_eq!(run.outputs["scan"]["exit-code"], "1");
}

#[test]
fn the_github_action_installs_a_release_and_may_skip_the_upload() {
    let temp = tempfile::tempdir().unwrap();
    let run = run_action(
        &fixtures(),
        temp.path(),
        &[
            ("paths", "diff/new"),
            ("fail-on", "never"),
            ("version", "0.1.0"),
            ("upload-sarif", "false"),
        ],
    );
    assert_eq!((run.code, run.uses.len()), (0, 0));
    let log = std::fs::read_to_string(temp.path().join("toolchain/toolchain.log")).unwrap();
    assert_eq!(
        log,
        "rustup target add wasm32-wasip2\ncargo install --locked tollgate --version 0.1.0\n"
    );
    assert_eq!(run.outputs["scan"]["exit-code"], "0");
}
