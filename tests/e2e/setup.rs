//! Setting tollgate up: the JSON Schemas under `schemas/` (no drift from the code, and real
//! files validated with the jsonschema CLI), `init`, shell completions (bash runs them) and
//! the manual pages (rendered by groff).

use std::path::{Path, PathBuf};
use std::process::Command;

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::{Run, findings, fixtures, plugin_cache_env, run, test_tool, tollgate};

/// `schemas/NAME.schema.json` in the checkout.
fn checked_in_schema(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../schemas/{name}.schema.json"))
}

#[test]
fn checked_in_schemas_are_what_the_code_generates() {
    for name in ["config", "report"] {
        let generated = run(&["schema", name]);
        assert_eq!(generated.code, 0, "{}", generated.stderr);
        let path = checked_in_schema(name);
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated.stdout,
            "{} is stale: regenerate it with `cargo run -- schema {name} > schemas/{name}.schema.json`",
            path.display()
        );
    }
}

/// Validates `instance` (JSON) against a checked-in schema with the jsonschema CLI, which
/// first checks the schema against its draft's meta-schema. `Err` holds what it printed.
fn validate(schema: &str, instance: &Value) -> Result<(), String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), instance.to_string()).unwrap();
    let output = Command::new(test_tool("venv/bin/jsonschema"))
        .arg("-i")
        .arg(file.path())
        .arg(checked_in_schema(schema))
        .output()
        .unwrap();
    match output.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
        _ => panic!(
            "jsonschema failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// A config file as the loader sees it: YAML 1.2 read by tollgate's own reader, as JSON.
fn config_as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut documents, error) = tollgate::input::yaml::parse(&text);
    assert!(error.is_none(), "{}: {error:?}", path.display());
    documents.pop().map_or(Value::Null, |d| d.value)
}

/// One test per row: a config file, and whether the loader and the schema both accept it
/// (`true`) or both refuse it (`false`).
macro_rules! schema_and_loader_agree {
    ($($name:ident: $config:expr, $valid:expr;)*) => {
        $(
            #[test]
            fn $name() {
                schema_and_loader_agree($config, $valid);
            }
        )*
    };
}

schema_and_loader_agree! {
    config_with_waivers: Config::Fixture("config/waivers/.tollgate.yaml"), true;
    config_with_rule_settings: Config::Fixture("config/accepted/.tollgate.yaml"), true;
    config_of_init: Config::Written(&tollgate::config::template()), true;
    config_with_every_key: Config::Written(EVERY_KEY), true;
    unknown_key: Config::Written("fail_on: high\n"), false;
    unknown_severity: Config::Written("fail-on: severe\n"), false;
    unknown_framework: Config::Written("frameworks: [pci-dss]\n"), false;
    unknown_rule_key: Config::Written("rules:\n  tls-min-version:\n    enable: false\n"), false;
    settings_not_a_map: Config::Written("rules:\n  network-policy:\n    settings: [1]\n"), false;
    waiver_without_reason: Config::Written("waivers:\n  - rule: tls-min-version\n    path: a/**\n"), false;
    waiver_with_a_blank_reason: Config::Written("waivers:\n  - rule: tls-min-version\n    path: a/**\n    reason: ' '\n"), false;
    waiver_with_two_targets: Config::Written("waivers:\n  - rule: tls-min-version\n    path: a/**\n    object: Ingress/web/old\n    reason: r\n"), false;
    waiver_without_target: Config::Written("waivers:\n  - rule: tls-min-version\n    reason: r\n"), false;
    waiver_of_a_bare_name: Config::Written("waivers:\n  - rule: tls-min-version\n    object: web\n    reason: r\n"), false;
    waiver_expiring_next_year: Config::Written("waivers:\n  - rule: tls-min-version\n    path: a/**\n    reason: r\n    expires: next year\n"), false;
    waiver_policy_with_a_bad_severity: Config::Written("waiver-policy:\n  max-severity: severe\n"), false;
}

/// Every key the config file has, each set.
const EVERY_KEY: &str = "\
fail-on: medium
frameworks: [soc2, cis-kubernetes]
exclude: [vendor/]
rules:
  network-policy:
    enabled: true
    severity: low
    check-severities: {allow-all: high}
    settings: {egress-unrestricted: true}
waivers:
  - rule: network-policy
    check: pod-not-selected
    object: Deployment/shop/web
    reason: reached only through the mesh gateway
    expires: 2027-06-30
    approved-by: security@example.com
waiver-policy:
  require-approver: true
  require-expiry: true
  max-expiry-days: 365
  max-severity: high
";

/// A config for a row: a fixture, or text written at test time.
enum Config<'a> {
    Fixture(&'a str),
    Written(&'a str),
}

fn schema_and_loader_agree(config: Config, valid: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = match config {
        Config::Fixture(relative) => fixtures().join(relative),
        Config::Written(text) => {
            let path = dir.path().join(".tollgate.yaml");
            std::fs::write(&path, text).unwrap();
            path
        }
    };
    let loaded = tollgate::config::load(&path);
    assert_eq!(loaded.is_ok(), valid, "the loader: {:?}", loaded.err());
    let validated = validate("config", &config_as_json(&path));
    assert_eq!(validated.is_ok(), valid, "the schema: {validated:?}");
}

/// Runs `tollgate scan --format json -o FILE ARGS` in the fixtures and returns the report.
fn written_report(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    let run = run(&[
        &["scan", "--format", "json", "-o", file.to_str().unwrap()],
        args,
    ]
    .concat());
    assert!(run.code <= 2, "{}", run.stderr);
    serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap()
}

#[test]
fn written_reports_are_valid_against_the_report_schema() {
    // Findings, waivers of every source, the config's evidence; then an input error.
    let waived = written_report(&["config/waivers"]);
    assert_eq!(waived["summary"]["waived"], 3);
    assert_eq!(validate("report", &waived), Ok(()));
    let failed = written_report(&["input/invalid.yaml"]);
    assert_eq!(failed["summary"]["outcome"], "error");
    assert_eq!(validate("report", &failed), Ok(()));

    let mut forged = waived.clone();
    forged["controls"][0]["status"] = "probably".into();
    assert!(validate("report", &forged).is_err());
    let mut future = waived;
    future["schema_version"] = 3.into();
    assert!(validate("report", &future).is_err());
}

/// The pre-commit hook `init` prints.
const PRE_COMMIT_SNIPPET: &str = "\
# Add to .pre-commit-config.yaml (under an existing `repos:`, add the `- repo: local` item):
# every rule over the staged content before each commit; tollgate must be on PATH.
repos:
  - repo: local
    hooks:
      - id: tollgate
        name: tollgate compliance gate
        entry: tollgate scan --staged
        language: system
        pass_filenames: false
        require_serial: true
";

/// A Deployment in a namespace without a NetworkPolicy, under its service account.
const UNCOVERED_DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      automountServiceAccountToken: false
      containers:
      - name: web
        image: registry.example.com/web:2.1
";

#[test]
fn init_writes_a_config_the_scan_applies_and_never_overwrites_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.yaml"), UNCOVERED_DEPLOYMENT).unwrap();
    let in_dir = |args: &[&str]| -> Run {
        tollgate()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
            .into()
    };

    let init = in_dir(&["init"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert_eq!(init.stdout, PRE_COMMIT_SNIPPET);
    assert_eq!(
        init.stderr,
        "tollgate: wrote ./.tollgate.yaml; `tollgate scan` applies it to this directory and those below\n"
    );
    let config = dir.path().join(".tollgate.yaml");
    let written = std::fs::read_to_string(&config).unwrap();
    assert_eq!(written, tollgate::config::template());
    assert_eq!(validate("config", &config_as_json(&config)), Ok(()));

    let scan = in_dir(&["scan", "--format", "json"]);
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let report: Value = serde_json::from_str(&scan.stdout).unwrap();
    assert_eq!(
        findings(&report),
        ["network-policy/namespace-without-policy ./app.yaml:1 Deployment shop/web"]
    );
    assert_eq!(report["evidence"]["config"]["path"], "./.tollgate.yaml");
    assert_eq!(report["settings"]["fail_on"], "low");

    // Edited as its comments say, it applies.
    std::fs::write(&config, written.replace("fail-on: low", "fail-on: high")).unwrap();
    let scan = in_dir(&["scan", "--format", "json"]);
    assert_eq!(scan.code, 0, "{}", scan.stderr);
    let report: Value = serde_json::from_str(&scan.stdout).unwrap();
    assert_eq!(report["settings"]["fail_on"], "high");
    assert_eq!(report["summary"]["findings"], 1);

    let edited = std::fs::read_to_string(&config).unwrap();
    let again = in_dir(&["init", "."]);
    assert_eq!(again.code, 2);
    assert_eq!(again.stdout, "");
    assert_eq!(
        again.stderr,
        "tollgate: error: ./.tollgate.yaml already exists and is left as it is; edit it, or \
         remove it and run `tollgate init` again\n"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), edited);

    let missing = in_dir(&["init", "no/such/dir"]);
    assert_eq!(missing.code, 2);
    assert_eq!(
        missing.stderr,
        "tollgate: error: cannot create no/such/dir/.tollgate.yaml: No such file or directory (os error 2)\n"
    );
}

/// The hook `init` prints, run by the real pre-commit in a new repository: it refuses a
/// commit that adds a workload no NetworkPolicy covers.
#[test]
fn init_hook_runs_under_pre_commit() {
    let repo = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let init = tollgate()
        .current_dir(repo.path())
        .arg("init")
        .output()
        .unwrap();
    assert!(init.status.success());
    std::fs::write(repo.path().join(".pre-commit-config.yaml"), &init.stdout).unwrap();
    std::fs::write(repo.path().join("app.yaml"), UNCOVERED_DEPLOYMENT).unwrap();
    crate::util::commit_all(repo.path());

    let binary_dir = PathBuf::from(env!("CARGO_BIN_EXE_tollgate"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new(test_tool("venv/bin/pre-commit"))
        .args(["run", "--all-files", "--color", "never"])
        .current_dir(repo.path())
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home.path())
        .env("SOURCE_DATE_EPOCH", crate::util::SOURCE_DATE_EPOCH)
        .envs(plugin_cache_env())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let hook_line = stdout.lines().next().unwrap();
    assert!(
        hook_line.starts_with("tollgate compliance gate.") && hook_line.ends_with("Failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("app.yaml:1  Deployment shop/web  [namespace-without-policy]"),
        "{stdout}"
    );
}

/// One test per shell: the start of its completion script.
macro_rules! completions {
    ($($name:ident: $shell:expr, $start:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let script = run(&["completions", $shell]);
                assert_eq!(script.code, 0, "{}", script.stderr);
                assert!(
                    script.stdout.starts_with($start),
                    "{}",
                    &script.stdout[..script.stdout.len().min(300)]
                );
            }
        )*
    };
}

completions! {
    completions_for_zsh: "zsh", "#compdef tollgate\n";
    completions_for_fish: "fish", "# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.\n";
    completions_for_powershell: "powershell", "\nusing namespace System.Management.Automation\n";
    completions_for_elvish: "elvish", "\nuse builtin;\nuse str;\n\nset edit:completion:arg-completer[tollgate]";
    completions_for_bash: "bash", "_tollgate() {\n";
}

/// What bash completes for the words of `line` (the last one being completed), with the
/// script `tollgate completions bash` printed.
fn bash_completes(script: &Path, line: &[&str]) -> Vec<String> {
    let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\n_tollgate tollgate '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        words.join(" "),
        line.len() - 1,
        line[line.len() - 1],
        line[line.len() - 2],
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(program)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut words: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    words.sort();
    words
}

#[test]
fn bash_completes_subcommands_flags_and_values() {
    let script = run(&["completions", "bash"]);
    assert_eq!(script.code, 0, "{}", script.stderr);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tollgate.bash");
    std::fs::write(&file, &script.stdout).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );

    assert_eq!(
        bash_completes(&file, &["tollgate", "sc"]),
        ["scan", "schema"]
    );
    assert_eq!(
        bash_completes(&file, &["tollgate", "scan", "--fail-"]),
        ["--fail-on"]
    );
    assert_eq!(
        bash_completes(&file, &["tollgate", "scan", "--fail-on", "n"]),
        ["never"]
    );
    assert_eq!(
        bash_completes(&file, &["tollgate", "completions", "p"]),
        ["powershell"]
    );
}

/// The manual pages `tollgate man -o DIR` writes.
const MAN_PAGES: [&str; 18] = [
    "tollgate-baseline.1",
    "tollgate-completions.1",
    "tollgate-explain.1",
    "tollgate-frameworks.1",
    "tollgate-init.1",
    "tollgate-man.1",
    "tollgate-plugin-inspect.1",
    "tollgate-plugin-new.1",
    "tollgate-plugin.1",
    "tollgate-report-diff.1",
    "tollgate-report-merge.1",
    "tollgate-report-verify.1",
    "tollgate-report.1",
    "tollgate-rules.1",
    "tollgate-scan.1",
    "tollgate-schema.1",
    "tollgate-test.1",
    "tollgate.1",
];

/// Formats a manual page with groff, as `man` does, as plain text 100 columns wide without
/// hyphenation; groff's warnings (every one turned on) fail the test.
fn groff(page: &Path) -> String {
    let output = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-rLL=100n", "-rHY=0", "-P-cbou"])
        .arg(page)
        .output()
        .unwrap();
    let warnings = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && warnings.is_empty(),
        "{}: {warnings}",
        page.display()
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The paragraph under `heading` of a formatted page, its words separated by one space
/// (groff justifies lines).
fn section(text: &str, heading: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|line| *line != heading)
        .skip(1)
        .take_while(|line| !line.is_empty())
        .collect();
    lines
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn man_pages_are_written_for_every_command_and_render() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man/man1");
    let man = run(&["man", "-o", out.to_str().unwrap()]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert_eq!(
        man.stderr,
        format!("tollgate: wrote the manual pages into {}\n", out.display())
    );
    let mut pages: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    pages.sort();
    assert_eq!(pages, MAN_PAGES);

    let printed = run(&["man"]);
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert_eq!(
        printed.stdout,
        std::fs::read_to_string(out.join("tollgate.1")).unwrap()
    );

    let version = env!("CARGO_PKG_VERSION");
    let scan_page = std::fs::read_to_string(out.join("tollgate-scan.1")).unwrap();
    let macros: Vec<&str> = scan_page
        .lines()
        .filter(|line| line.starts_with(".TH ") || line.starts_with(".SH "))
        .collect();
    let title = format!(".TH tollgate-scan 1  \"tollgate {version}\" ");
    assert_eq!(
        macros,
        [
            title.as_str(),
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH OPTIONS",
            ".SH PLUGINS"
        ]
    );

    for page in MAN_PAGES {
        groff(&out.join(page));
    }
    let scan_text = groff(&out.join("tollgate-scan.1"));
    assert_eq!(
        section(&scan_text, "NAME"),
        "tollgate-scan - Check Kubernetes manifests and repository files against every rule and report the findings"
    );
    assert!(
        scan_text
            .lines()
            .any(|line| line.trim() == "--fail-on <SEVERITY>"),
        "{scan_text}"
    );
    let merge_text = groff(&out.join("tollgate-report-merge.1"));
    assert_eq!(
        section(&merge_text, "SYNOPSIS"),
        "tollgate report merge [--format] [-o|--output] [--allow-plugin-mismatch] [-h|--help] <REPORT.json>"
    );
}
