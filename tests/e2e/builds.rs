//! Kustomize builds kept between runs: a build runs again only when a file under one of
//! the kustomizations it goes through changed, or the builder did; forged and corrupt
//! entries are built again; builds that generate Secrets, fail, or run with `--no-cache`
//! are never kept. A `kustomize` on `PATH` that counts its runs (and builds with kubectl's)
//! shows which builds ran.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::{Run, copy_dir, findings, fixtures, tollgate};

/// A copy of the kustomize estate (a base, a prod and a staging overlay), its own cache,
/// and a counting `kustomize` first on `PATH`.
struct Tree {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Tree {
    fn new() -> Self {
        let tree = Self {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        };
        copy_dir(&fixtures().join("estate/kustomize"), tree.dir.path());
        fs::create_dir(tree.bin()).unwrap();
        tree.write_builder("");
        tree
    }

    fn bin(&self) -> PathBuf {
        self.cache.path().join("bin")
    }

    fn builder(&self) -> PathBuf {
        self.bin().join("kustomize")
    }

    /// The counting `kustomize`, with `comment` in it (another comment is another
    /// program, as an upgrade is).
    fn write_builder(&self, comment: &str) {
        self.write_builder_running(&format!("# {comment}\nexec kubectl kustomize \"$2\""));
    }

    /// The counting `kustomize`, which then runs the shell text `build`.
    fn write_builder_running(&self, build: &str) {
        let count = self.cache.path().join("count");
        let script = format!("#!/bin/sh\necho \"$2\" >> '{}'\n{build}\n", count.display());
        fs::write(self.builder(), script).unwrap();
        fs::set_permissions(self.builder(), fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// How many builds ran so far.
    fn builds(&self) -> usize {
        fs::read_to_string(self.cache.path().join("count"))
            .map(|text| text.lines().count())
            .unwrap_or(0)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn edit(&self, relative: &str, from: &str, to: &str) {
        let text = fs::read_to_string(self.path(relative)).unwrap();
        assert!(text.contains(from), "{relative} holds {from:?}");
        fs::write(self.path(relative), text.replace(from, to)).unwrap();
    }

    /// Scans the tree (from inside it, so reported paths are short), returning the exit
    /// code and the JSON report.
    fn scan(&self, extra: &[&str]) -> (i32, Value) {
        self.scan_at(".", extra)
    }

    /// Scans `path` of the tree.
    fn scan_at(&self, path: &str, extra: &[&str]) -> (i32, Value) {
        let search = format!(
            "{}:{}",
            self.bin().display(),
            std::env::var("PATH").unwrap()
        );
        let run: Run = tollgate()
            .current_dir(self.dir.path())
            .env("PATH", search)
            .env("TOLLGATE_CACHE_DIR", self.cache.path().join("cache"))
            .env("TOLLGATE_CACHE_KEY", self.cache.path().join("cache.key"))
            .args(["scan", "--format", "json", path])
            .args(extra)
            .output()
            .unwrap()
            .into();
        let report = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", run.stderr));
        (run.code, report)
    }

    /// The entry of the kustomization in `relative`: named by the BLAKE3 of its canonical
    /// directory, the builder's path and subcommand.
    fn entry(&self, relative: &str) -> PathBuf {
        let dir = fs::canonicalize(self.path(relative)).unwrap();
        let builder = self.builder();
        let named = [
            dir.as_os_str().as_encoded_bytes(),
            b"\0",
            builder.as_os_str().as_encoded_bytes(),
            b"\0build",
        ]
        .concat();
        let name = &blake3::hash(&named).to_hex()[..32];
        self.cache
            .path()
            .join("cache/kustomize")
            .join(format!("{name}.build"))
    }
}

const PROD_SECRETS_READ: &str =
    "rbac-least-privilege/secrets-read ./base/rbac.yaml:16 Role shop-prod/prod-web-reader";
const PROD_WITHOUT_POLICY: &str = "network-policy/namespace-without-policy ./base/deployment.yaml:1 Deployment shop-prod/prod-web";

#[test]
fn a_kept_build_is_used_until_a_file_it_can_read_changes() {
    let tree = Tree::new();
    let (code, first) = tree.scan(&[]);
    assert_eq!(code, 1);
    assert_eq!(tree.builds(), 2, "prod and staging");
    assert!(findings(&first).contains(&PROD_SECRETS_READ.to_owned()));
    assert!(tree.entry("overlays/prod").is_file());

    let (_, again) = tree.scan(&[]);
    assert_eq!(tree.builds(), 2, "both kept");
    assert_eq!(again, first);

    // The prod overlay no longer lists its NetworkPolicy: only prod is built again.
    tree.edit(
        "overlays/prod/kustomization.yaml",
        "- network-policy.yaml\n",
        "",
    );
    let (_, report) = tree.scan(&[]);
    assert_eq!(tree.builds(), 3);
    assert!(findings(&report).contains(&PROD_WITHOUT_POLICY.to_owned()));

    // The base both overlays build on changes: both are built again.
    tree.edit("base/rbac.yaml", "[\"secrets\"]", "[\"pods\"]");
    let (_, report) = tree.scan(&[]);
    assert_eq!(tree.builds(), 5);
    assert!(!findings(&report).contains(&PROD_SECRETS_READ.to_owned()));

    // A file the scan does not read, but kustomize could, counts too.
    fs::write(tree.path("base/notes.txt"), "not an object").unwrap();
    tree.scan(&["--exclude", "base/notes.txt"]);
    assert_eq!(tree.builds(), 7);

    // Another builder (an upgrade): built again.
    tree.write_builder("upgraded");
    let (_, upgraded) = tree.scan(&[]);
    assert_eq!(tree.builds(), 9);
    let (_, kept) = tree.scan(&[]);
    assert_eq!(tree.builds(), 9);
    assert_eq!(kept, upgraded);
}

#[test]
fn an_overlay_scanned_alone_is_kept_until_its_base_outside_the_scan_changes() {
    let tree = Tree::new();
    let (_, first) = tree.scan_at("overlays/prod", &[]);
    assert_eq!(tree.builds(), 1);
    let (_, again) = tree.scan_at("overlays/prod", &[]);
    assert_eq!(tree.builds(), 1);
    assert_eq!(again, first);
    tree.edit("base/rbac.yaml", "[\"secrets\"]", "[\"pods\"]");
    let (_, changed) = tree.scan_at("overlays/prod", &[]);
    assert_eq!(tree.builds(), 2);
    assert_eq!(findings(&changed), Vec::<String>::new());
}

#[test]
fn a_build_during_which_a_file_changed_and_changed_back_is_not_kept() {
    let tree = Tree::new();
    // The base changes while prod builds, and is put back before the build ends (a
    // `git stash` and `git stash pop` in another terminal).
    let rbac = tree.path("base/rbac.yaml").display().to_string();
    let built = tree.cache.path().join("built.yaml").display().to_string();
    tree.write_builder_running(&format!(
        "cp '{rbac}' '{rbac}.kept'\nsed -i 's/\"secrets\"/\"pods\"/' '{rbac}'\n\
         kubectl kustomize \"$2\" > '{built}'\ncp '{rbac}.kept' '{rbac}'\ncat '{built}'"
    ));
    let (_, during) = tree.scan_at("overlays/prod", &[]);
    assert_eq!(
        findings(&during),
        Vec::<String>::new(),
        "built from the change"
    );
    assert!(!tree.entry("overlays/prod").exists(), "and not kept");

    tree.write_builder("");
    let (_, after) = tree.scan_at("overlays/prod", &[]);
    assert_eq!(tree.builds(), 2);
    // The base is outside the scan: the finding is placed at the overlay.
    assert_eq!(
        findings(&after),
        [
            "rbac-least-privilege/secrets-read overlays/prod/kustomization.yaml:1 Role shop-prod/prod-web-reader"
        ]
    );
    let (_, kept) = tree.scan_at("overlays/prod", &[]);
    assert_eq!(tree.builds(), 2);
    assert_eq!(kept, after);
}

#[test]
fn forged_and_corrupt_entries_are_built_again() {
    let tree = Tree::new();
    let (_, first) = tree.scan(&[]);
    assert_eq!(tree.builds(), 2);
    let entry = tree.entry("overlays/prod");
    let sound = fs::read(&entry).unwrap();

    // A Role that no longer reads Secrets, in an entry whose tag is not the user's key's.
    let payload = String::from_utf8(sound[72..].to_vec()).unwrap();
    let doctored = payload.replace("\"secrets\"", "\"pods\"");
    assert_ne!(doctored, payload);
    let mut forged = sound[..72].to_vec();
    forged.extend_from_slice(doctored.as_bytes());
    let mut flipped = sound.clone();
    flipped[40] ^= 0x01;
    for bad in [forged, flipped, sound[..50].to_vec(), Vec::new()] {
        fs::write(&entry, bad).unwrap();
        let before = tree.builds();
        let (_, report) = tree.scan(&[]);
        assert_eq!(tree.builds(), before + 1, "prod is built again");
        assert_eq!(report, first);
        assert_eq!(fs::read(&entry).unwrap(), sound, "and its entry replaced");
    }
}

#[test]
fn builds_that_generate_secrets_or_fail_or_run_without_the_cache_are_not_kept() {
    let tree = Tree::new();
    tree.scan(&["--no-cache"]);
    tree.scan(&["--no-cache"]);
    assert_eq!(tree.builds(), 4);
    assert!(!tree.cache.path().join("cache/kustomize").exists());

    // staging generates a Secret: only prod is kept.
    fs::write(
        tree.path("overlays/staging/token.env"),
        "TOKEN=local-only\n",
    )
    .unwrap();
    tree.edit(
        "overlays/staging/kustomization.yaml",
        "resources:",
        "secretGenerator:\n- name: api\n  envs: [token.env]\nresources:",
    );
    tree.scan(&[]);
    tree.scan(&[]);
    assert_eq!(tree.builds(), 4 + 3);
    assert!(!tree.entry("overlays/staging").exists());

    // prod no longer builds: it is tried every run.
    tree.edit(
        "overlays/prod/kustomization.yaml",
        "- network-policy.yaml",
        "- missing.yaml",
    );
    for _ in 0..2 {
        let (code, report) = tree.scan(&[]);
        assert_eq!(code, 2);
        assert_eq!(report["summary"]["errors"], 1);
    }
    assert_eq!(tree.builds(), 7 + 4);
}

/// Entries hold what a tree built: the user alone can read them.
#[test]
fn entries_are_private_to_the_user() {
    let tree = Tree::new();
    tree.scan(&[]);
    let dir = tree.cache.path().join("cache/kustomize");
    assert_eq!(mode(&dir), 0o700);
    for file in fs::read_dir(&dir).unwrap() {
        assert_eq!(mode(&file.unwrap().path()), 0o600);
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}
