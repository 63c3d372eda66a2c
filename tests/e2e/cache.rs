//! The compiled-plugin cache: filled on the first run, used on the next, and a corrupt
//! entry is detected and recompiled rather than trusted.

use std::fs;
use std::path::Path;

use pretty_assertions::assert_eq;

use crate::util::tollgate;

fn scan_with_cache(cache: &Path) -> (i32, String) {
    let output = tollgate()
        .env("TOLLGATE_CACHE_DIR", cache)
        .args([
            "scan",
            "rbac/violating.yaml",
            "tls/violating.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

fn entries(cache: &Path) -> Vec<(String, Vec<u8>)> {
    let mut entries: Vec<_> = fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    entries.sort();
    entries
}

#[test]
fn corrupt_cache_entries_are_recompiled() {
    let cache = tempfile::tempdir().unwrap();
    let (code, cold) = scan_with_cache(cache.path());
    assert_eq!(code, 1);
    let sound = entries(cache.path());
    assert_eq!(sound.len(), 4, "one entry per builtin plugin");
    assert!(sound.iter().all(|(name, _)| name.ends_with(".cwasm")));

    // Flip a byte in the middle of one entry, truncate another, empty a third.
    let path = |i: usize| cache.path().join(&sound[i].0);
    let mut flipped = sound[0].1.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0xff;
    fs::write(path(0), flipped).unwrap();
    fs::write(path(1), &sound[1].1[..sound[1].1.len() / 3]).unwrap();
    fs::write(path(2), b"").unwrap();

    let (code, warm) = scan_with_cache(cache.path());
    assert_eq!(code, 1);
    assert_eq!(warm, cold, "the same report from repaired entries");
    assert_eq!(
        entries(cache.path()),
        sound,
        "corrupt entries were rewritten"
    );
}

#[test]
fn no_cache_compiles_in_memory() {
    let cache = tempfile::tempdir().unwrap();
    let output = tollgate()
        .env("TOLLGATE_CACHE_DIR", cache.path())
        .args(["scan", "rbac/compliant.yaml", "--no-cache"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(fs::read_dir(cache.path()).unwrap().count(), 0);
}
