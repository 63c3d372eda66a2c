//! The compiled-plugin cache: filled on the first run, used on the next; a corrupt or
//! forged entry is detected and recompiled rather than trusted, and a directory other users
//! can write is not used at all.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use pretty_assertions::assert_eq;
use sha2::{Digest, Sha256};

use crate::util::{Run, tollgate};

fn scan_with_cache(cache: &Path) -> (i32, String) {
    let run = scan_with_cache_run(cache);
    (run.code, run.stdout)
}

fn scan_with_cache_run(cache: &Path) -> Run {
    tollgate()
        .env("TOLLGATE_CACHE_DIR", cache)
        .args([
            "scan",
            "rbac/violating.yaml",
            "tls/violating.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap()
        .into()
}

/// An entry as someone who can write the cache directory but not read the user's key
/// would forge it: `payload` (native code of their choosing) behind a SHA-256 of itself,
/// in the current and in the previous entry format.
fn forged(magic: &[u8], payload: &[u8]) -> Vec<u8> {
    [magic, Sha256::digest(payload).as_slice(), payload].concat()
}

/// The compiled code inside a sound entry (after the 8-byte magic and 32-byte tag).
fn payload(entry: &[u8]) -> &[u8] {
    &entry[40..]
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

#[test]
fn forged_entries_are_never_loaded() {
    let cache = tempfile::tempdir().unwrap();
    let (code, cold) = scan_with_cache(cache.path());
    assert_eq!(code, 1);
    let sound = entries(cache.path());
    assert_eq!(sound.len(), 4);

    // Each builtin rule's entry now holds another rule's real compiled code with a
    // matching embedded hash: were any deserialised, a rule would run the wrong code
    // and the report would change.
    for (i, magic) in [b"TGCWASM2", b"TGCWASM1", b"TGCWASM2", b"TGCWASM1"]
        .into_iter()
        .enumerate()
    {
        let other = payload(&sound[(i + 1) % sound.len()].1);
        fs::write(cache.path().join(&sound[i].0), forged(magic, other)).unwrap();
    }

    let run = scan_with_cache_run(cache.path());
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, cold, "every rule ran its own code");
    let mut notes: Vec<&str> = run.stderr.lines().collect();
    notes.sort();
    let expected: Vec<String> = sound
        .iter()
        .map(|(name, _)| {
            format!(
                "tollgate: note: cache entry {} is not authenticated by this user's cache key; recompiling it",
                cache.path().join(name).display()
            )
        })
        .collect();
    assert_eq!(notes, expected);
    assert_eq!(entries(cache.path()), sound, "forged entries were replaced");
}

#[test]
fn a_cache_directory_others_can_write_is_not_used() {
    let cache = tempfile::tempdir().unwrap();
    let (_, cold) = scan_with_cache(cache.path());
    let sound = entries(cache.path());
    let other = payload(&sound[1].1);
    let planted = forged(b"TGCWASM2", other);
    fs::write(cache.path().join(&sound[0].0), &planted).unwrap();
    fs::set_permissions(cache.path(), fs::Permissions::from_mode(0o777)).unwrap();

    let run = scan_with_cache_run(cache.path());
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, cold);
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: note: not using the plugin cache: {} is open to other users (mode 777)\n",
            cache.path().display()
        )
    );
    assert_eq!(
        fs::read(cache.path().join(&sound[0].0)).unwrap(),
        planted,
        "neither read nor rewritten"
    );
}
