//! Shared helpers: running the binary, reading its JSON report, fixture and plugin paths.

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// `tests/fixtures/`.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// An external tool that `tests/tools/install.sh` installs under `target/test-tools/`
/// (or, for Chromium, on the system). Missing tools fail the test: they are part of it.
pub fn test_tool(relative: &str) -> PathBuf {
    let path = if relative.starts_with('/') {
        PathBuf::from(relative)
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/test-tools")
            .join(relative)
    };
    assert!(
        path.exists(),
        "{} is missing: run `bash tests/tools/install.sh` first",
        path.display()
    );
    path
}

/// A test plugin from `plugins/testing/`, built by the host's build script.
pub fn test_plugin(name: &str) -> PathBuf {
    PathBuf::from(env!("TOLLGATE_PLUGIN_BUILD_DIR")).join(format!("{name}.wasm"))
}

/// SHA-256 (lower-case hex) of a file.
pub fn sha256_hex(path: &std::path::Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The line a run prints on stderr for each plugin named with `--plugin`.
pub fn loaded_line(plugin: &std::path::Path) -> String {
    format!(
        "tollgate: loaded plugin {} sha256:{}\n",
        plugin.display(),
        sha256_hex(plugin)
    )
}

/// The time every test run reports, `2027-01-15T08:00:00Z`: waiver expiry is judged
/// against it, and reports are reproducible.
pub const SOURCE_DATE_EPOCH: &str = "1800000000";

/// The compiled-plugin cache shared by the tests, and the key that authenticates its
/// entries, kept apart from the user's: every run of the binary in a test must set both, or
/// its entries (under the user's key) make the other tests' runs note a recompilation.
pub fn plugin_cache_env() -> [(&'static str, PathBuf); 2] {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    [
        ("TOLLGATE_CACHE_DIR", tmp.join("plugin-cache")),
        ("TOLLGATE_CACHE_KEY", tmp.join("plugin-cache.key")),
    ]
}

/// The binary, run in `tests/fixtures/` (so reported paths are short and stable), with the
/// tests' plugin cache ([`plugin_cache_env`]), at a fixed time.
pub fn tollgate() -> Command {
    let mut command = Command::cargo_bin("tollgate").expect("the tollgate binary is built");
    command
        .current_dir(fixtures())
        .envs(plugin_cache_env())
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    command
}

/// A finished run: exit code, standard output and standard error.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().expect("exited, not killed"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    }
}

/// Runs `tollgate <args>`.
pub fn run(args: &[&str]) -> Run {
    tollgate()
        .args(args)
        .output()
        .expect("tollgate runs")
        .into()
}

/// Runs `tollgate scan --format json <args>` and parses the report.
pub fn scan_json(args: &[&str]) -> (i32, Value) {
    json_report(run(&[&["scan", "--format", "json"], args].concat()))
}

/// [`scan_json`] run in `dir` rather than in `tests/fixtures/`.
pub fn scan_json_in(dir: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let mut command = tollgate();
    command
        .current_dir(dir)
        .args(["scan", "--format", "json"])
        .args(args);
    json_report(command.output().expect("tollgate runs").into())
}

/// The exit code of `run` and the JSON report it printed.
fn json_report(run: Run) -> (i32, Value) {
    let report = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}\n{}", run.stdout, run.stderr));
    (run.code, report)
}

/// `count` ConfigMaps named `c0`, `c1`, ... in no namespace, as one YAML stream of 7 lines
/// each: an estate of more objects than one batch the host hands a rule (1,024).
pub fn config_maps(count: usize) -> String {
    (0..count)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  mode: fast\n"))
        .collect()
}

/// Each finding as one readable line: `rule/check file:line Kind namespace/name`.
pub fn findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            let at = &f["location"];
            let object = match (
                at["kind"].as_str(),
                at["namespace"].as_str(),
                at["name"].as_str(),
            ) {
                (Some(kind), Some(ns), Some(name)) => format!(" {kind} {ns}/{name}"),
                (Some(kind), None, Some(name)) => format!(" {kind} {name}"),
                (Some(kind), _, None) => format!(" {kind}"),
                (None, ..) => String::new(),
            };
            format!(
                "{}/{} {}:{}{object}",
                f["rule"].as_str().unwrap(),
                f["check"].as_str().unwrap(),
                at["file"].as_str().unwrap(),
                at["line"]
            )
        })
        .collect()
}

/// Each error as one readable line: `[rule] file:line message`.
pub fn errors(report: &Value) -> Vec<String> {
    report["errors"]
        .as_array()
        .expect("errors array")
        .iter()
        .map(|e| {
            let mut line = String::new();
            if let Some(rule) = e["rule"].as_str() {
                line.push_str(&format!("[{rule}] "));
            }
            if let Some(file) = e["file"].as_str() {
                line.push_str(file);
                if let Some(n) = e["line"].as_u64() {
                    line.push_str(&format!(":{n}"));
                }
                line.push(' ');
            }
            line + e["message"].as_str().unwrap()
        })
        .collect()
}

/// `(rule id, status)` for every rule in the report.
pub fn statuses(report: &Value) -> Vec<(String, String)> {
    report["rules"]
        .as_array()
        .expect("rules array")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The control `framework` `id` of the report.
pub fn control<'a>(report: &'a Value, framework: &str, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .expect("controls array")
        .iter()
        .find(|c| c["framework"] == framework && c["id"] == id)
        .unwrap_or_else(|| panic!("no control {framework} {id}"))
}

/// `framework id status` for every control of the report, in report order, keeping
/// those of `frameworks` (every framework when it is empty).
pub fn control_statuses(report: &Value, frameworks: &[&str]) -> Vec<String> {
    report["controls"]
        .as_array()
        .expect("controls array")
        .iter()
        .filter(|c| frameworks.is_empty() || frameworks.contains(&c["framework"].as_str().unwrap()))
        .map(|c| {
            format!(
                "{} {} {}",
                c["framework"].as_str().unwrap(),
                c["id"].as_str().unwrap(),
                c["status"].as_str().unwrap()
            )
        })
        .collect()
}

/// Commits everything in `dir` to a new Git repository, as a fixed test author.
pub fn commit_all(dir: &std::path::Path) {
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-qm",
            "files",
        ],
    ] {
        let status = std::process::Command::new("git")
            .current_dir(dir)
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }
}

/// Copies the files and directories of `from` into `to`.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
