//! Third-party plugins: pinned by SHA-256 in the config (a mismatch or a missing file
//! refuses the run), the digest of a `--plugin` said on stderr, and `tollgate plugin
//! inspect` on a builtin rule's component, a test plugin and components the host refuses.

use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::util::{run, sha256_hex, statuses, test_plugin};

/// A config in `dir/ci/.tollgate.yaml` pinning `rules/calm.wasm` (a copy of the calm test
/// plugin, relative to the config) to `digest`, or to its own digest.
fn pin_calm(dir: &Path, digest: Option<&str>) -> (PathBuf, PathBuf) {
    let rules = dir.join("ci/rules");
    std::fs::create_dir_all(&rules).unwrap();
    let calm = rules.join("calm.wasm");
    std::fs::copy(test_plugin("calm"), &calm).unwrap();
    let digest = digest.map_or_else(|| sha256_hex(&calm), str::to_owned);
    let config = dir.join("ci/.tollgate.yaml");
    std::fs::write(
        &config,
        format!("plugins:\n  - path: rules/calm.wasm\n    sha256: {digest}\n"),
    )
    .unwrap();
    (config, calm)
}

#[test]
fn a_pinned_plugin_runs_and_the_evidence_names_it_with_its_digest() {
    let dir = tempfile::tempdir().unwrap();
    let (config, calm) = pin_calm(dir.path(), None);
    let run = run(&[
        "scan",
        "rbac/violating.yaml",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, "", "a pinned plugin is checked, not announced");
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(statuses(&report).contains(&("test-calm".to_owned(), "pass".to_owned())));
    let evidence: Vec<&Value> = report["evidence"]["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["id"] == "test-calm")
        .collect();
    assert_eq!(
        evidence,
        [&json!({
            "id": "test-calm",
            "version": "0.1.0",
            "sha256": sha256_hex(&calm),
            "source": calm.display().to_string(),
        })]
    );
}

#[test]
fn a_pinned_plugin_whose_digest_differs_refuses_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = "ab".repeat(32);
    let (config, calm) = pin_calm(dir.path(), Some(&pinned));
    let run = run(&[
        "scan",
        "rbac/violating.yaml",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: plugin refused: pinned plugin {} has SHA-256 {}, but the config pins {pinned}: not loading it\n",
            calm.display(),
            sha256_hex(&calm)
        )
    );
}

#[test]
fn a_missing_pinned_plugin_refuses_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let (config, calm) = pin_calm(dir.path(), None);
    std::fs::remove_file(&calm).unwrap();
    let run = run(&[
        "scan",
        "rbac/violating.yaml",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: plugin refused: cannot read {}: No such file or directory (os error 2)\n",
            calm.display()
        )
    );
}

#[test]
fn a_pin_that_is_not_a_digest_is_a_config_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = pin_calm(dir.path(), Some("sha256:abc"));
    let run = run(&[
        "scan",
        "rbac/violating.yaml",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: {}:3: `sha256:abc` is not a SHA-256 digest (64 lower-case hex digits, as `sha256sum` prints)\n",
            config.display()
        )
    );
}

#[test]
fn a_plugin_named_on_the_command_line_says_its_digest() {
    let calm = test_plugin("calm");
    let run = run(&[
        "scan",
        "rbac/violating.yaml",
        "--plugin",
        calm.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: loaded plugin {} sha256:{}\n",
            calm.display(),
            sha256_hex(&calm)
        )
    );
}

/// The contract version `wit/world.wit` declares (`package tollgate:policy@X;`).
fn contract_version() -> String {
    let wit =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wit/world.wit"))
            .unwrap();
    wit.lines()
        .find_map(|l| l.strip_prefix("package tollgate:policy@"))
        .and_then(|rest| rest.strip_suffix(';'))
        .expect("wit/world.wit names its package")
        .to_owned()
}

/// `(name without version, access)` of every import of an inspection.
fn imports(inspection: &Value) -> Vec<(String, String)> {
    inspection["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let name = i["name"].as_str().unwrap();
            let unversioned = name.split_once('@').map_or(name, |(n, _)| n);
            (
                unversioned.to_owned(),
                i["access"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn inspect_json(plugin: &Path) -> (i32, Value) {
    let run = run(&[
        "plugin",
        "inspect",
        plugin.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", run.stdout, run.stderr));
    (run.code, value)
}

#[test]
fn inspecting_a_builtin_rule_shows_its_rule_digest_and_what_the_sandbox_grants() {
    let plugin = test_plugin("network_policy");
    let (code, mut inspection) = inspect_json(&plugin);
    assert_eq!(code, 0);
    assert_eq!(inspection["file"], plugin.display().to_string());
    assert_eq!(
        inspection["size"],
        std::fs::metadata(&plugin).unwrap().len()
    );
    assert_eq!(inspection["sha256"], sha256_hex(&plugin));
    assert_eq!(inspection["contract"], contract_version());
    let rule = inspection["rule"].take();
    assert_eq!(
        (&rule["id"], &rule["inputs"], &rule["controls"]),
        (
            &json!("network-policy"),
            &json!(["manifests"]),
            &json!([
                {"framework": "soc2", "id": "CC6.1"},
                {"framework": "soc2", "id": "CC6.6"},
                {"framework": "soc2", "id": "CC7.1"},
                {"framework": "iso27001", "id": "A.8.9"},
                {"framework": "iso27001", "id": "A.8.20"},
                {"framework": "iso27001", "id": "A.8.22"},
                {"framework": "cis-kubernetes", "id": "5.3.2"},
                {"framework": "nist-800-53", "id": "AC-4"},
                {"framework": "nist-800-53", "id": "CM-6"},
                {"framework": "nist-800-53", "id": "SC-7"},
            ])
        )
    );
    let listed = run(&["rules", "--format", "json"]);
    let rules: Value = serde_json::from_str(&listed.stdout).unwrap();
    let listed = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "network-policy")
        .unwrap();
    for field in ["version", "title", "description", "kinds", "checks"] {
        assert_eq!(rule[field], listed[field], "{field}");
    }
    assert_eq!(
        listed["sha256"], inspection["sha256"],
        "the embedded rule is this file"
    );
    assert_eq!(imports(&inspection), owned(&RUST_GUEST_IMPORTS));
}

/// What a Rust rule built for wasm32-wasip2 imports (the standard library's WASI needs and
/// the contract's types), and what the sandbox makes of each.
const RUST_GUEST_IMPORTS: [(&str, &str); 14] = [
    ("tollgate:policy/types", "granted"),
    ("wasi:io/poll", "granted"),
    ("wasi:io/error", "granted"),
    ("wasi:io/streams", "granted"),
    ("wasi:cli/environment", "restricted"),
    ("wasi:cli/exit", "granted"),
    ("wasi:cli/stdin", "restricted"),
    ("wasi:cli/stdout", "restricted"),
    ("wasi:cli/stderr", "restricted"),
    ("wasi:cli/terminal-input", "restricted"),
    ("wasi:cli/terminal-output", "restricted"),
    ("wasi:cli/terminal-stdin", "restricted"),
    ("wasi:cli/terminal-stdout", "restricted"),
    ("wasi:cli/terminal-stderr", "restricted"),
];

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|&(name, access)| (name.to_owned(), access.to_owned()))
        .collect()
}

#[test]
fn inspecting_a_test_plugin_in_text() {
    // The dice plugin draws random numbers: it imports a seed the sandbox fixes.
    let plugin = test_plugin("dice");
    let (_, inspection) = inspect_json(&plugin);
    let wasi = inspection["imports"][1]["name"]
        .as_str()
        .and_then(|name| name.split_once('@'))
        .map(|(_, version)| version.to_owned())
        .unwrap();
    let run = run(&["plugin", "inspect", plugin.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let expected = format!(
        "file         {file}
size         {size} bytes
sha256       {sha256}
contract     tollgate:policy@{contract}
rule         test-dice 0.1.0
title        Roll dice
description  A test plugin for the sandbox tests; never shipped.
inputs       manifests
kinds        every object
controls     soc2 CC6.1
checks       1
  low      rolled: Reports its dice
imports      15
  granted    tollgate:policy/types@{contract}      types only: there is nothing to provide
  granted    wasi:io/poll@{wasi}               waiting on pollables
  granted    wasi:io/error@{wasi}              stream errors
  granted    wasi:io/streams@{wasi}            byte streams
  restricted wasi:cli/environment@{wasi}       empty: no variables, no arguments
  granted    wasi:cli/exit@{wasi}              exiting ends the call as an error of the rule
  restricted wasi:cli/stdin@{wasi}             closed
  restricted wasi:cli/stdout@{wasi}            discarded
  restricted wasi:cli/stderr@{wasi}            captured, bounded; its last line is shown when the rule fails
  restricted wasi:cli/terminal-input@{wasi}    no terminal
  restricted wasi:cli/terminal-output@{wasi}   no terminal
  restricted wasi:cli/terminal-stdin@{wasi}    no terminal
  restricted wasi:cli/terminal-stdout@{wasi}   no terminal
  restricted wasi:cli/terminal-stderr@{wasi}   no terminal
  restricted wasi:random/insecure-seed@{wasi}  seeded from the plugin's SHA-256: the same numbers every run
",
        file = plugin.display(),
        size = std::fs::metadata(&plugin).unwrap().len(),
        sha256 = sha256_hex(&plugin),
        contract = contract_version(),
    );
    assert_eq!(run.stdout, expected);
}

#[test]
fn inspecting_a_plugin_the_host_refuses_still_shows_what_it_asks_for() {
    let bad = test_plugin("bad_info");
    let (code, inspection) = inspect_json(&bad);
    assert_eq!(code, 2);
    assert_eq!(inspection["rule"], Value::Null);
    assert_eq!(
        inspection["refused"],
        format!(
            "plugin {} has an invalid info(): rule id \"Bad Info!\" is not kebab-case ([a-z0-9] words joined by '-')",
            bad.display()
        )
    );
    assert_eq!(imports(&inspection), owned(&RUST_GUEST_IMPORTS));
}

#[test]
fn imports_the_host_does_not_link_are_missing() {
    // Each import is an instance with one function `poke`, which no WASI interface has:
    // the linker refuses the first, whatever its name promises.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("asks-for-a-disk.wasm");
    std::fs::write(
        &path,
        component_importing(&[
            "wasi:cli/environment@0.2.3",
            "wasi:sockets/tcp@0.2.0",
            "wasi:cli/environment@0.3.0",
            "example:host/disk@1.0.0",
        ]),
    )
    .unwrap();
    let (code, inspection) = inspect_json(&path);
    assert_eq!(code, 2);
    let missing = "not provided by the host: the plugin cannot be loaded";
    assert_eq!(
        inspection["imports"],
        json!([
            {"name": "wasi:cli/environment@0.2.3", "access": "missing", "why": "not as the host provides it: the plugin cannot be loaded"},
            {"name": "wasi:sockets/tcp@0.2.0", "access": "denied", "why": "no network: sockets and name lookups are refused"},
            {"name": "wasi:cli/environment@0.3.0", "access": "missing", "why": missing},
            {"name": "example:host/disk@1.0.0", "access": "missing", "why": missing},
        ])
    );
    assert_eq!(inspection["contract"], Value::Null);
    assert_eq!(
        inspection["refused"],
        format!(
            "plugin {} does not implement the tollgate:policy@0.4.0 rule world: component imports instance `wasi:cli/environment@0.2.3`, but a matching implementation was not found in the linker: instance export `poke` has the wrong type: function implementation is missing",
            path.display()
        )
    );
}

/// A component that imports, under each name, an instance with one function
/// `poke: func()`, and does nothing else.
fn component_importing(names: &[&str]) -> Vec<u8> {
    use wasm_encoder::{
        Component, ComponentImportSection, ComponentTypeRef, ComponentTypeSection,
        ComponentValType, InstanceType,
    };
    let mut instance = InstanceType::new();
    instance
        .ty()
        .function()
        .params(std::iter::empty::<(&str, ComponentValType)>())
        .result(None);
    instance.export("poke", ComponentTypeRef::Func(0));
    let mut types = ComponentTypeSection::new();
    types.instance(&instance);
    let mut component = Component::new();
    component.section(&types);
    let mut imports = ComponentImportSection::new();
    for name in names {
        imports.import(*name, ComponentTypeRef::Instance(0));
    }
    component.section(&imports);
    component.finish()
}

/// A plugin built against an older contract is refused with the version it was built for
/// and the one this tollgate speaks, not with wasmtime's linker message alone.
#[test]
fn a_plugin_of_an_older_contract_is_refused_naming_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old-rule.wasm");
    std::fs::write(&path, component_importing(&["tollgate:policy/types@0.2.0"])).unwrap();
    let run = run(&["rules", "--plugin", path.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: plugin refused: plugin {} was built for tollgate:policy@0.2.0; \
             this tollgate speaks tollgate:policy@{}: rebuild the plugin against the wit/ of \
             this release\n",
            path.display(),
            contract_version()
        )
    );
}
