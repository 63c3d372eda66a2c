//! The compiled-plugin cache: filled on the first run, used on the next; a corrupt or
//! forged entry is detected and recompiled rather than trusted, a directory other users
//! can write is not used at all, and a run reads the code only of the rules it runs.
//! An entry is `<name>.info` (magic, tag, BLAKE3 of the code, the rule's info as JSON)
//! and `<name>.cwasm` (the compiled code).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use pretty_assertions::assert_eq;

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

/// The rule info (JSON) in an entry's `.info` file, behind the 8-byte magic, the 32-byte
/// tag and the code's 32-byte BLAKE3 digest.
fn info_json(info_file: &[u8]) -> &[u8] {
    &info_file[72..]
}

/// An `.info` file as someone who can write the cache directory but not read the user's
/// key would forge it: `info` and the digest of `code` (native code of their choosing)
/// behind an unkeyed BLAKE3 of both.
fn forged(info: &[u8], code: &[u8]) -> Vec<u8> {
    let digest = blake3::hash(code);
    let tag = blake3::hash(&[digest.as_bytes(), info].concat());
    [
        b"TGCINFO2".as_slice(),
        tag.as_bytes(),
        digest.as_bytes(),
        info,
    ]
    .concat()
}

/// The file of the entry `name` with `extension`, of `entries`.
fn part<'e>(entries: &'e [(String, Vec<u8>)], name: &str, extension: &str) -> &'e [u8] {
    let file = format!("{name}.{extension}");
    &entries.iter().find(|(n, _)| *n == file).unwrap().1
}

/// The names of the entries (without extension), sorted.
fn names(entries: &[(String, Vec<u8>)]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|(n, _)| n.strip_suffix(".info").map(str::to_owned))
        .collect()
}

fn note(cache: &Path, file: &str) -> String {
    format!(
        "tollgate: note: cache entry {} is not authenticated by this user's cache key; recompiling it",
        cache.join(file).display()
    )
}

/// The files in the cache directory with their contents, sorted by name.
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

/// Each file's name, size and BLAKE3 digest: what two states of the cache are compared
/// by, so that a difference prints as a few lines rather than megabytes of code.
fn fingerprints(entries: &[(String, Vec<u8>)]) -> Vec<(String, usize, String)> {
    entries
        .iter()
        .map(|(name, bytes)| {
            (
                name.clone(),
                bytes.len(),
                blake3::hash(bytes).to_hex().to_string(),
            )
        })
        .collect()
}

#[test]
fn corrupt_cache_entries_are_recompiled() {
    let cache = tempfile::tempdir().unwrap();
    let (code, cold) = scan_with_cache(cache.path());
    assert_eq!(code, 1);
    let sound = entries(cache.path());
    let names = names(&sound);
    assert_eq!(names.len(), 4, "one entry per builtin plugin");
    assert_eq!(sound.len(), 8, "of two files each");

    // Flip a byte in the middle of one entry's code, truncate another's, empty a third's
    // info.
    let code = |i: usize| cache.path().join(format!("{}.cwasm", names[i]));
    let mut flipped = part(&sound, &names[0], "cwasm").to_vec();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0xff;
    fs::write(code(0), flipped).unwrap();
    let whole = part(&sound, &names[1], "cwasm");
    fs::write(code(1), &whole[..whole.len() / 3]).unwrap();
    fs::write(cache.path().join(format!("{}.info", names[2])), b"").unwrap();

    let warm = scan_with_cache_run(cache.path());
    assert_eq!(warm.code, 1);
    assert_eq!(warm.stdout, cold, "the same report from repaired entries");
    let mut notes: Vec<&str> = warm.stderr.lines().collect();
    notes.sort();
    let mut expected = vec![
        note(cache.path(), &format!("{}.cwasm", names[0])),
        note(cache.path(), &format!("{}.cwasm", names[1])),
        note(cache.path(), &format!("{}.info", names[2])),
    ];
    expected.sort();
    assert_eq!(
        notes, expected,
        "each corrupt entry named once, and nothing else"
    );
    assert_eq!(
        fingerprints(&entries(cache.path())),
        fingerprints(&sound),
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
    let names = names(&sound);
    assert_eq!(names.len(), 4);

    // Each builtin rule's entry now holds another rule's real info and compiled code
    // with a matching embedded hash: were any believed, a rule would be described or run
    // as another and the report would change.
    for (i, name) in names.iter().enumerate() {
        let other = &names[(i + 1) % names.len()];
        let info = info_json(part(&sound, other, "info"));
        let code = part(&sound, other, "cwasm");
        fs::write(
            cache.path().join(format!("{name}.info")),
            forged(info, code),
        )
        .unwrap();
        fs::write(cache.path().join(format!("{name}.cwasm")), code).unwrap();
    }

    let run = scan_with_cache_run(cache.path());
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, cold, "every rule ran its own code");
    let mut notes: Vec<&str> = run.stderr.lines().collect();
    notes.sort();
    let expected: Vec<String> = names
        .iter()
        .map(|name| note(cache.path(), &format!("{name}.info")))
        .collect();
    assert_eq!(notes, expected);
    assert_eq!(
        fingerprints(&entries(cache.path())),
        fingerprints(&sound),
        "forged entries were replaced"
    );
}

#[test]
fn a_cache_directory_others_can_write_is_not_used() {
    let cache = tempfile::tempdir().unwrap();
    let (_, cold) = scan_with_cache(cache.path());
    let sound = entries(cache.path());
    let names = names(&sound);
    let planted_at = cache.path().join(format!("{}.info", names[0]));
    let planted = forged(
        info_json(part(&sound, &names[1], "info")),
        part(&sound, &names[1], "cwasm"),
    );
    fs::write(&planted_at, &planted).unwrap();
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
    assert!(
        fs::read(&planted_at).unwrap() == planted,
        "neither read nor rewritten"
    );
}

fn scan_tls_only(cache: &Path) -> Run {
    tollgate()
        .env("TOLLGATE_CACHE_DIR", cache)
        .args([
            "scan",
            "tls/violating.yaml",
            "--rule",
            "tls-min-version",
            "--format",
            "json",
        ])
        .output()
        .unwrap()
        .into()
}

#[test]
fn a_run_reads_the_code_of_the_rules_it_runs_only() {
    let cache = tempfile::tempdir().unwrap();
    let (_, cold) = scan_with_cache(cache.path());
    let sound = entries(cache.path());
    let is_tls = |name: &String| {
        let info = info_json(part(&sound, name, "info"));
        let info: serde_json::Value = serde_json::from_slice(info).unwrap();
        info["id"] == "tls-min-version"
    };
    let others: Vec<String> = names(&sound).into_iter().filter(|n| !is_tls(n)).collect();
    assert_eq!(others.len(), 3);

    // Corrupt the compiled code of every other rule, leaving its info sound.
    for name in &others {
        let mut corrupt = part(&sound, name, "cwasm").to_vec();
        *corrupt.last_mut().unwrap() ^= 0xff;
        fs::write(cache.path().join(format!("{name}.cwasm")), corrupt).unwrap();
    }
    let corrupted = entries(cache.path());

    let fresh = tempfile::tempdir().unwrap();
    let expected = scan_tls_only(fresh.path());
    let run = scan_tls_only(cache.path());
    assert_eq!((run.code, run.stdout), (1, expected.stdout));
    assert_eq!(run.stderr, "", "no other rule's code was read");
    assert_eq!(
        fingerprints(&entries(cache.path())),
        fingerprints(&corrupted),
        "nor rewritten"
    );

    let run = scan_with_cache_run(cache.path());
    assert_eq!(run.stdout, cold);
    let mut notes: Vec<&str> = run.stderr.lines().collect();
    notes.sort();
    let expected: Vec<String> = others
        .iter()
        .map(|name| note(cache.path(), &format!("{name}.cwasm")))
        .collect();
    assert_eq!(notes, expected);
    assert_eq!(
        fingerprints(&entries(cache.path())),
        fingerprints(&sound),
        "repaired once they ran"
    );
}
