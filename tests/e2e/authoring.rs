//! Rules written outside tollgate: a crate from `tollgate plugin new`, built with cargo as
//! generated, and the Python example rule built with componentize-py, each loaded with
//! `--plugin` and judged by its exact findings.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::util::{findings, loaded_line, run, statuses, test_tool, tollgate};

/// The repository root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds outside the host's own: the scaffolded crates' target directory and the Python
/// component cache, kept between runs so that only the first one compiles dependencies.
fn build_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// Runs a command to completion, failing the test with its output when it fails.
fn succeed(command: &mut Command) -> String {
    let output = command.output().expect("the command starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Cargo for a guest crate: the test's own cargo, offline (the host's build already
/// fetched the SDK's dependencies), without the flags meant for the host.
fn cargo(crate_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(crate_dir)
        .args(args)
        .arg("--offline")
        .env("CARGO_TARGET_DIR", build_dir("scaffolded-rules"));
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
    ] {
        command.env_remove(var);
    }
    command
}

#[test]
fn a_scaffolded_rule_builds_passes_its_test_and_reports_its_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let crate_dir = tmp.path().join("no-privileged");
    let new = run(&[
        "plugin",
        "new",
        "no-privileged",
        "--dir",
        crate_dir.to_str().unwrap(),
    ]);
    assert_eq!((new.code, new.stderr.as_str()), (0, ""));
    let sdk = root().join("plugins/sdk").canonicalize().unwrap();
    let dir = crate_dir.display();
    assert_eq!(
        new.stdout,
        format!(
            "Wrote rule no-privileged in {dir}/ (SDK: path {}):\n  {dir}/Cargo.toml\n  \
             {dir}/src/lib.rs\n  {dir}/fixtures/privileged.yaml\n  {dir}/README.md\n  \
             {dir}/.gitignore\nNext:\n  cd {dir}\n  cargo test\n  \
             cargo build --release --target wasm32-wasip2\n  \
             tollgate scan fixtures/ --plugin target/wasm32-wasip2/release/no_privileged.wasm\n",
            sdk.display()
        )
    );
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    let dependency = format!("tollgate-sdk = {{ path = \"{}\" }}", sdk.display());
    assert!(manifest.lines().any(|l| l == dependency), "{manifest}");

    // Offline, cargo would take the newest versions it happens to have downloaded; the
    // plugins' lock file holds the ones the SDK is built and tested with.
    std::fs::copy(
        root().join("plugins/Cargo.lock"),
        crate_dir.join("Cargo.lock"),
    )
    .unwrap();
    let mut format_check =
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    succeed(
        format_check
            .current_dir(&crate_dir)
            .args(["fmt", "--check"]),
    );
    let tests = succeed(&mut cargo(&crate_dir, &["test"]));
    assert!(
        tests.contains(
            "test tests::privileged_containers_are_found_and_every_workload_judged ... ok\n"
        ),
        "{tests}"
    );
    succeed(&mut cargo(
        &crate_dir,
        &["build", "--release", "--target", "wasm32-wasip2"],
    ));

    let wasm = build_dir("scaffolded-rules").join("wasm32-wasip2/release/no_privileged.wasm");
    let scan = tollgate()
        .current_dir(&crate_dir)
        .args([
            "scan",
            "fixtures/",
            "--format",
            "json",
            "--rule",
            "no-privileged",
        ])
        .arg("--plugin")
        .arg(&wasm)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(scan.status.code(), Some(1));
    assert_eq!(
        findings(&report),
        ["no-privileged/privileged-container fixtures/privileged.yaml:20 Deployment shop/web"]
    );
    let finding = &report["findings"][0];
    assert_eq!(
        (
            &finding["severity"],
            &finding["message"],
            &finding["location"]["pointer"]
        ),
        (
            &json!("high"),
            &json!("Container debug of Deployment shop/web runs privileged."),
            &json!("/spec/template/spec/containers/1/securityContext/privileged")
        )
    );
    // The fixture names its finding, so `tollgate test` passes on the crate as generated.
    let tested = tollgate()
        .current_dir(&crate_dir)
        .args(["test", "fixtures/", "--plugin"])
        .arg(&wasm)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&tested.stdout),
        "ok     fixtures/privileged.yaml (1 expectation)\n\n1 fixture, 1 expectation, 0 failures\n"
    );
    assert_eq!(tested.status.code(), Some(0));
}

#[test]
fn plugin_new_refuses_an_existing_directory_and_a_name_that_is_no_rule_id() {
    let tmp = tempfile::tempdir().unwrap();
    let taken = tmp.path().display().to_string();
    let existing = run(&["plugin", "new", "my-rule", "--dir", &taken]);
    assert_eq!(
        (existing.code, existing.stdout.as_str(), existing.stderr),
        (
            2,
            "",
            format!(
                "tollgate: error: {taken} already exists: choose another --dir, nothing was written\n"
            )
        )
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);

    let target = tmp.path().join("new");
    for name in ["My_Rule", "1st-rule", "trailing-"] {
        let refused = run(&["plugin", "new", name, "--dir", target.to_str().unwrap()]);
        assert_eq!(
            (refused.code, refused.stderr),
            (
                2,
                format!(
                    "tollgate: error: {name:?} is not a usable rule id: kebab-case words of \
                     [a-z0-9], starting with a letter (e.g. image-digest), and not a Rust keyword\n"
                )
            )
        );
    }
    assert!(!target.exists());
}

/// The Python example rule's source directory.
fn python_source() -> PathBuf {
    root().join("examples/rules/image-digest")
}

/// The Python example rule built with componentize-py against `wit/`, once per test run
/// and cached across runs by the digest of its inputs (source, contract, tool version).
/// Its first load (compiling 18 MB of CPython takes most of a minute) also happens here,
/// once, so the tests that use it find it in the tests' plugin cache.
fn python_rule() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let tool = test_tool("venv/bin/componentize-py");
        let version = succeed(Command::new(&tool).arg("--version"));
        let wit = root().join("wit");
        let mut inputs = Sha256::new();
        inputs.update(&version);
        inputs.update(std::fs::read(python_source().join("app.py")).unwrap());
        for file in ["types.wit", "world.wit"] {
            inputs.update(file);
            inputs.update(std::fs::read(wit.join(file)).unwrap());
        }
        let digest = format!("{:x}", inputs.finalize());
        let cached = build_dir("python-rules").join(format!("image-digest-{}.wasm", &digest[..16]));
        if !cached.exists() {
            build_python_rule(&tool, &wit, &cached);
        }
        let load = run(&["rules", "--plugin", cached.to_str().unwrap()]);
        assert_eq!(
            (load.code, load.stderr),
            (0, loaded_line(&cached)),
            "{}",
            load.stdout
        );
        cached
    })
}

/// Runs componentize-py over a copy of the source (it writes `__pycache__` beside it) and
/// moves the component into place whole.
fn build_python_rule(tool: &Path, wit: &Path, cached: &Path) {
    let work = tempfile::tempdir().unwrap();
    std::fs::copy(python_source().join("app.py"), work.path().join("app.py")).unwrap();
    let built = work.path().join("rule.wasm");
    succeed(
        Command::new(tool)
            .current_dir(work.path())
            .arg("--quiet")
            .arg("-d")
            .arg(wit)
            .args(["-w", "rule", "componentize", "app", "-o"])
            .arg(&built),
    );
    std::fs::create_dir_all(cached.parent().unwrap()).unwrap();
    std::fs::rename(&built, cached)
        .or_else(|_| std::fs::copy(&built, cached).map(drop))
        .unwrap();
}

#[test]
fn the_python_rule_reports_each_unpinned_image() {
    let wasm = python_rule();
    let scan = run(&[
        "scan",
        "image-digest/",
        "--format",
        "json",
        "--plugin",
        wasm.to_str().unwrap(),
        "--rule",
        "image-digest",
    ]);
    assert_eq!((scan.code, scan.stderr), (1, loaded_line(wasm)));
    let report: Value = serde_json::from_str(&scan.stdout).unwrap();
    assert_eq!(
        findings(&report),
        [
            "image-digest/latest-tag image-digest/workloads.yaml:16 Deployment shop/web",
            "image-digest/no-digest image-digest/workloads.yaml:19 Deployment shop/web",
            "image-digest/latest-tag image-digest/workloads.yaml:36 CronJob report",
        ]
    );
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "Container migrate of Deployment shop/web uses image \
             registry.example.com:5000/shop/migrate: no tag, so it runs whatever was pushed as latest.",
            "Container web of Deployment shop/web uses image nginx:1.27: tag 1.27 is not a digest \
             and can be moved.",
            "Container report of CronJob default/report uses image ghcr.io/example/report:latest: \
             the latest tag names whatever was pushed last.",
        ]
    );
    assert_eq!(statuses(&report), [("image-digest".into(), "fail".into())]);
}

#[test]
fn the_python_rule_lists_its_checks() {
    let wasm = python_rule();
    let listing = run(&[
        "rules",
        "--format",
        "json",
        "--plugin",
        wasm.to_str().unwrap(),
    ]);
    assert_eq!(listing.code, 0);
    let listing: Value = serde_json::from_str(&listing.stdout).unwrap();
    let rule = listing["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "image-digest")
        .expect("the Python rule is listed");
    let controls = json!([
        {"framework": "soc2", "id": "CC8.1"},
        {"framework": "iso27001", "id": "A.8.9"},
        {"framework": "iso27001", "id": "A.8.32"},
        {"framework": "nist-800-53", "id": "CM-6"},
    ]);
    let checks: Vec<(&Value, &Value, &Value)> = rule["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (&c["id"], &c["severity"], &c["controls"]))
        .collect();
    assert_eq!(
        (&rule["version"], checks),
        (
            &json!("0.1.0"),
            vec![
                (&json!("latest-tag"), &json!("medium"), &controls),
                (&json!("no-digest"), &json!("low"), &controls),
            ]
        )
    );
}

#[test]
fn the_python_rule_refuses_settings_it_does_not_have() {
    let wasm = python_rule();
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("tollgate.yaml");
    std::fs::write(
        &config,
        "rules:\n  image-digest:\n    settings:\n      allow-tags: true\n",
    )
    .unwrap();
    let scan = run(&[
        "scan",
        "image-digest/",
        "--plugin",
        wasm.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(
        (scan.code, scan.stdout.as_str(), scan.stderr),
        (
            2,
            "",
            format!(
                "{}tollgate: error: {}:4: rules.image-digest.settings.allow-tags: unknown setting \
                 'allow-tags': this rule takes none\n",
                loaded_line(wasm),
                config.display()
            )
        )
    );
}

/// What the Python component imports: the WASI 0.2 interfaces of CPython's runtime, which
/// the host links with no capability behind them (no preopened directory, sockets denied,
/// frozen clocks, seeded randomness), and the contract's types; nothing else.
#[test]
fn the_python_rule_imports_only_wasi_and_the_contract() {
    let bytes = std::fs::read(python_rule()).unwrap();
    let mut imports = Vec::new();
    let mut depth = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        match payload.unwrap() {
            wasmparser::Payload::ModuleSection { .. }
            | wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            wasmparser::Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    imports.push(import.unwrap().name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    let wasi = [
        "io/poll",
        "clocks/monotonic-clock",
        "clocks/wall-clock",
        "random/random",
        "io/error",
        "io/streams",
        "cli/stdout",
        "cli/stderr",
        "cli/stdin",
        "cli/environment",
        "cli/exit",
        "cli/terminal-input",
        "cli/terminal-output",
        "cli/terminal-stdin",
        "cli/terminal-stdout",
        "cli/terminal-stderr",
        "filesystem/types",
        "filesystem/preopens",
        "sockets/network",
        "sockets/instance-network",
        "sockets/udp",
        "sockets/udp-create-socket",
        "sockets/tcp",
        "sockets/tcp-create-socket",
        "sockets/ip-name-lookup",
    ]
    .map(|interface| format!("wasi:{interface}@0.2.9"));
    let contract = [
        "tollgate:policy/types@0.4.0",
        "rule-info",
        "manifest-set",
        "document",
        "file",
        "verdict",
        "check-error",
        "settings-error",
    ]
    .map(str::to_owned);
    assert_eq!(imports, [&wasi[..], &contract[..]].concat());
}
