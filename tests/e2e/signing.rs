//! Signed evidence with the real ssh-keygen: `scan --sign KEY` writes `REPORT.sig` and
//! names the key's fingerprint in the report; `report verify` accepts the untouched
//! report and refuses a modified one, another key, and another principal. Keys are made
//! in the test.

use std::path::{Path, PathBuf};
use std::process::Command;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::util::{Run, run};

/// A key pair made by ssh-keygen for `principal`, and what `ssh-keygen -l` says of it.
struct Key {
    private: PathBuf,
    public: String,
    fingerprint: String,
}

fn keygen(dir: &Path, name: &str, principal: &str) -> Key {
    let private = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", principal, "-f"])
        .arg(&private)
        .status()
        .expect("ssh-keygen runs (bash tests/tools/install.sh installs it)");
    assert!(status.success());
    let listed = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(&private)
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    Key {
        public: std::fs::read_to_string(private.with_extension("pub"))
            .unwrap()
            .trim()
            .to_owned(),
        fingerprint: listed.split_whitespace().nth(1).unwrap().to_owned(),
        private,
    }
}

/// An allowed-signers file trusting `key` as `principal` for tollgate reports.
fn allowed_signers(dir: &Path, principal: &str, key: &Key) -> PathBuf {
    let file = dir.join("allowed_signers");
    std::fs::write(
        &file,
        format!("{principal} namespaces=\"tollgate\" {}\n", key.public),
    )
    .unwrap();
    file
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `scan config/waivers --format FORMAT -o dir/report.FORMAT --sign KEY`.
fn signed_scan(dir: &Path, format: &str, key: &Key) -> (Run, PathBuf) {
    let report = dir.join(format!("report.{format}"));
    let run = run(&[
        "scan",
        "config/waivers",
        "--format",
        format,
        "-o",
        text(&report),
        "--sign",
        text(&key.private),
    ]);
    (run, report)
}

fn verify(report: &Path, allowed: &Path, extra: &[&str]) -> Run {
    let signature = format!("{}.sig", text(report));
    run(&[
        &[
            "report",
            "verify",
            text(report),
            "--signature",
            &signature,
            "--allowed-signers",
            text(allowed),
        ],
        extra,
    ]
    .concat())
}

#[test]
fn a_signed_report_verifies_until_it_is_modified() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "auditor", "ci@example.com");
    let (scan, report) = signed_scan(dir.path(), "json", &key);
    let signature = format!("{}.sig", text(&report));
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    assert_eq!(
        scan.stderr,
        format!(
            "FAIL  4 rules over 5 objects in 2 files: 1 finding (1 high), 3 waived\n\
             tollgate: signed {} with ED25519 key {} into {signature}\n",
            text(&report),
            key.fingerprint
        )
    );
    let saved: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(
        saved["evidence"]["signature"],
        json!({
            "file": text(&report),
            "signature": signature,
            "key_fingerprint": key.fingerprint,
            "key_type": "ED25519",
            "namespace": "tollgate",
        })
    );

    let allowed = allowed_signers(dir.path(), "ci@example.com", &key);
    let good = format!(
        "tollgate: {}: good signature by ci@example.com (Good \"tollgate\" signature for ci@example.com with ED25519 key {})\n",
        text(&report),
        key.fingerprint
    );
    // The principal is found from the key, or named.
    for extra in [&[][..], &["--identity", "ci@example.com"]] {
        let verified = verify(&report, &allowed, extra);
        assert_eq!(
            (verified.code, verified.stdout.as_str()),
            (0, good.as_str()),
            "{}",
            verified.stderr
        );
    }
    let someone_else = verify(&report, &allowed, &["--identity", "mallory@example.com"]);
    assert_eq!(someone_else.code, 1, "{}", someone_else.stdout);

    // One byte changed: the signature no longer verifies.
    let mut bytes = std::fs::read(&report).unwrap();
    let at = bytes.iter().position(|&b| b == b'1').unwrap();
    bytes[at] = b'0';
    std::fs::write(&report, bytes).unwrap();
    let tampered = verify(&report, &allowed, &[]);
    assert_eq!(tampered.code, 1);
    assert_eq!(tampered.stdout, "");
    assert_eq!(
        tampered.stderr,
        format!(
            "tollgate: {}: the signature {signature} does not verify: Signature verification failed: incorrect signature\n",
            text(&report)
        )
    );
}

#[test]
fn a_key_the_allowed_signers_do_not_hold_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let trusted = keygen(dir.path(), "trusted", "ci@example.com");
    let stranger = keygen(dir.path(), "stranger", "ci@example.com");
    let (scan, report) = signed_scan(dir.path(), "json", &stranger);
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let allowed = allowed_signers(dir.path(), "ci@example.com", &trusted);
    let signature = format!("{}.sig", text(&report));
    let unknown_key = format!(
        "no principal of {} holds the key that made {signature} (No principal matched.)",
        text(&allowed)
    );
    for (extra, reason) in [
        (&[][..], unknown_key.as_str()),
        (
            &["--identity", "ci@example.com"],
            "Could not verify signature.",
        ),
    ] {
        let refused = verify(&report, &allowed, extra);
        assert_eq!(refused.code, 1, "{extra:?}: {}", refused.stdout);
        assert_eq!(refused.stdout, "");
        assert_eq!(
            refused.stderr,
            format!(
                "tollgate: {}: the signature {signature} does not verify: {reason}\n",
                text(&report)
            )
        );
    }
}

#[test]
fn markdown_and_html_say_whether_and_by_which_key_they_are_signed() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "auditor", "ci@example.com");
    let (scan, markdown) = signed_scan(dir.path(), "markdown", &key);
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let written = std::fs::read_to_string(&markdown).unwrap();
    // `<sub>tollgate VERSION · TIME · commit C · signed ...</sub>`: the commit is this
    // repository's.
    let footer = written.lines().last().unwrap();
    assert!(
        footer.starts_with(&format!(
            "<sub>tollgate {} · 2027-01-15T08:00:00Z · ",
            env!("CARGO_PKG_VERSION")
        )),
        "{footer}"
    );
    assert_eq!(
        footer.rsplit_once(" · ").unwrap().1,
        format!(
            "`{0}` signed with the ED25519 SSH key `{1}` (signature `{0}.sig`)</sub>",
            text(&markdown),
            key.fingerprint
        )
    );
    let (scan, html) = signed_scan(dir.path(), "html", &key);
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    let statement = format!(
        "<span id=\"signature\"><code>{0}</code> signed with the ED25519 SSH key <code>{1}</code> (namespace <code>tollgate</code>, signature <code>{0}.sig</code>)</span>",
        text(&html),
        key.fingerprint
    );
    assert!(page.contains(&statement), "{page}");
    let allowed = allowed_signers(dir.path(), "ci@example.com", &key);
    for signed in [&markdown, &html] {
        assert_eq!(verify(signed, &allowed, &[]).code, 0);
    }

    // Unsigned reports say so.
    let unsigned = run(&["scan", "config/waivers", "--format", "markdown"]);
    let footer = unsigned.stdout.lines().last().unwrap();
    assert_eq!(footer.rsplit_once(" · ").unwrap().1, "not signed</sub>");
    let unsigned = run(&["scan", "config/waivers", "--format", "html"]);
    assert!(
        unsigned
            .stdout
            .contains(" · <span id=\"signature\">not signed</span></p>")
    );
}

#[test]
fn signing_needs_an_output_file_and_a_readable_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "auditor", "ci@example.com");
    let no_file = run(&["scan", "config/waivers", "--sign", text(&key.private)]);
    assert_eq!(no_file.code, 2);
    assert_eq!(no_file.stdout, "");
    assert!(
        no_file.stderr.starts_with(
            "error: the following required arguments were not provided:\n  --output <FILE>\n"
        ),
        "{}",
        no_file.stderr
    );

    let missing = dir.path().join("missing-key");
    let report = dir.path().join("report.json");
    let refused = run(&[
        "scan",
        "config/waivers",
        "--format",
        "json",
        "-o",
        text(&report),
        "--sign",
        text(&missing),
    ]);
    assert_eq!(refused.code, 2);
    assert!(
        !report.exists(),
        "nothing is scanned with a key that cannot sign"
    );
    assert_eq!(
        refused.stderr,
        format!(
            "tollgate: error: cannot read {}: No such file or directory (os error 2)\n",
            text(&missing)
        )
    );

    // Without ssh-keygen, nothing is scanned either.
    let no_keygen: Run = crate::util::tollgate()
        .env("PATH", dir.path())
        .args(["scan", "config/waivers", "-o", text(&report), "--sign"])
        .arg(&key.private)
        .output()
        .unwrap()
        .into();
    assert_eq!(no_keygen.code, 2);
    assert!(!report.exists());
    assert_eq!(
        no_keygen.stderr,
        "tollgate: error: cannot run ssh-keygen: No such file or directory (os error 2); signing needs OpenSSH's ssh-keygen (Debian and Ubuntu: apt-get install openssh-client)\n"
    );

    // Files that cannot be read are errors (2), not a failed verification (1).
    let unreadable = run(&[
        "report",
        "verify",
        text(&report),
        "--allowed-signers",
        text(&missing),
    ]);
    assert_eq!(unreadable.code, 2);
    assert_eq!(
        unreadable.stderr,
        format!(
            "tollgate: error: cannot read {}: No such file or directory (os error 2)\n",
            text(&report)
        )
    );
}
