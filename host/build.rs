//! Builds the rule plugins in `plugins/` for `wasm32-wasip2` and embeds them.
//!
//! The plugins are their own Cargo workspace, built in release mode into a target directory
//! of their own next to the host's (so debug and release host builds share one plugin
//! build, and nothing is rebuilt that did not change). `plugins/rules/*` become
//! `BUILTIN_PLUGINS` in `$OUT_DIR/builtin_plugins.rs`, each with its SHA-256 computed here
//! once rather than on every run; the directory holding every built
//! component, test plugins included, is exported as `TOLLGATE_PLUGIN_BUILD_DIR` for the
//! end-to-end tests.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest_dir
        .parent()
        .expect("host/ lives in the workspace root");
    let plugins = root.join("plugins");
    for watched in ["Cargo.toml", "Cargo.lock", "sdk", "rules", "testing"] {
        println!("cargo:rerun-if-changed={}", plugins.join(watched).display());
    }
    println!("cargo:rerun-if-changed={}", root.join("wit").display());

    require_target();
    let target_dir = plugin_target_dir();
    build_plugins(&plugins, &target_dir);

    let built = target_dir.join(TARGET).join("release");
    println!(
        "cargo:rustc-env=TOLLGATE_PLUGIN_BUILD_DIR={}",
        built.display()
    );
    write_builtin_table(&plugins.join("rules"), &built);
}

/// Stops the build with the command to run when the wasm target's standard library is missing.
fn require_target() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let libdir = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    if !libdir.is_some_and(|dir| dir.exists()) {
        panic!(
            "\n\nThe Rust target {TARGET} is not installed; tollgate's plugins are built for it.\n\
             Run:\n\n    rustup target add {TARGET}\n\nthen build again.\n"
        );
    }
}

/// `<host target dir>/wasm-plugins`: stable across host profiles, outside `plugins/`.
fn plugin_target_dir() -> PathBuf {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out (or <target>/<triple>/<profile>/...).
    let profile_dir = out_dir
        .ancestors()
        .nth(3)
        .expect("OUT_DIR has the usual depth");
    profile_dir
        .parent()
        .expect("profile dir has a parent")
        .join("wasm-plugins")
}

fn build_plugins(plugins: &Path, target_dir: &Path) {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(plugins)
        .args(["build", "--release", "--target", TARGET, "--target-dir"])
        .arg(target_dir)
        .stdout(Stdio::from(std::io::stderr()));
    if plugins.join("Cargo.lock").exists() {
        command.arg("--locked");
    }
    // Flags meant for the host (e.g. -C target-cpu=native) must not reach the wasm build.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        command.env_remove(var);
    }
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build the plugins: {e}"));
    if !status.success() {
        panic!(
            "building the plugins in {} failed ({status})",
            plugins.display()
        );
    }
}

/// Writes `BUILTIN_PLUGINS`: one `(rule crate name, component bytes, SHA-256 of the bytes)`
/// per `plugins/rules/*`.
fn write_builtin_table(rules: &Path, built: &Path) {
    let mut names: Vec<String> = fs::read_dir(rules)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", rules.display()))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("Cargo.toml").exists())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();

    let mut table = String::from(
        "/// Rule plugins built from `plugins/rules/*`, embedded in the binary.\n\
         pub static BUILTIN_PLUGINS: &[(&str, &[u8], [u8; 32])] = &[\n",
    );
    for name in &names {
        let wasm = built.join(format!("{}.wasm", name.replace('-', "_")));
        assert!(
            wasm.exists(),
            "plugin {name} was not built at {}",
            wasm.display()
        );
        let bytes =
            fs::read(&wasm).unwrap_or_else(|e| panic!("cannot read {}: {e}", wasm.display()));
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        writeln!(
            table,
            "    ({name:?}, include_bytes!({:?}), {digest:?}),",
            wasm.display().to_string()
        )
        .expect("writing to a String");
    }
    table.push_str("];\n");
    let out =
        PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("builtin_plugins.rs");
    fs::write(&out, table).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
