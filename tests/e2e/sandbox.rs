//! Hostile plugins are stopped by the sandbox limits and reported as errors of their own
//! rule, while every other rule still reports (fail closed, exit 2).

use pretty_assertions::assert_eq;

use crate::util::{errors, findings, run, scan_json, statuses, test_plugin};

#[test]
fn looping_and_memory_eating_plugins_are_stopped() {
    let spin = test_plugin("spin");
    let hog = test_plugin("hog");
    let (code, report) = scan_json(&[
        "rbac/violating.yaml",
        "--plugin",
        spin.to_str().unwrap(),
        "--plugin",
        hog.to_str().unwrap(),
        "--plugin-timeout",
        "1",
        "--plugin-memory",
        "64",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [
            format!(
                "[test-hog] plugin {} exceeded its memory limit of 64 MiB and was stopped",
                hog.display()
            ),
            format!(
                "[test-spin] plugin {} exceeded its time limit of 1s and was stopped",
                spin.display()
            ),
        ]
    );
    assert_eq!(
        statuses(&report),
        [
            ("network-policy", "pass"),
            ("no-git-credentials", "pass"),
            ("rbac-least-privilege", "fail"),
            ("test-hog", "error"),
            ("test-spin", "error"),
            ("tls-min-version", "pass"),
        ]
        .map(|(id, status)| (id.to_owned(), status.to_owned()))
    );
    assert_eq!(
        findings(&report).len(),
        5,
        "the other rules' findings still come out"
    );
    assert_eq!(report["summary"]["outcome"], "error");
}

#[test]
fn plugin_with_invalid_info_is_refused() {
    let bad = test_plugin("bad_info");
    let run = run(&[
        "scan",
        "rbac/violating.yaml",
        "--plugin",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: plugin refused: plugin {} has an invalid info(): rule id \"Bad Info!\" is not kebab-case ([a-z0-9] words joined by '-')\n",
            bad.display()
        )
    );
}

#[test]
fn a_file_that_is_not_a_component_is_refused() {
    let mut file = tempfile::NamedTempFile::with_suffix(".wasm").unwrap();
    std::io::Write::write_all(&mut file, b"\0asm\x01\0\0\0garbage").unwrap();
    let run = run(&["rules", "--plugin", file.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(&format!(
            "tollgate: error: plugin refused: plugin {} is not a WebAssembly component wasmtime can compile:",
            file.path().display()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_plugin_cannot_claim_a_builtin_rule_id() {
    // The builtin rules are embedded; loading one of them again as a file is a duplicate.
    let copy = test_plugin("network_policy");
    let run = run(&["rules", "--plugin", copy.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: plugin refused: builtin plugin network-policy and plugin {} both claim rule id \"network-policy\"\n",
            copy.display()
        )
    );
}

#[test]
fn panicking_and_lying_plugins_are_errors_of_their_rule() {
    let panic = test_plugin("panic");
    let liar = test_plugin("liar");
    let (code, report) = scan_json(&[
        "credentials/violating.yaml",
        "--plugin",
        panic.to_str().unwrap(),
        "--plugin",
        liar.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    let errors = errors(&report);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        errors[0],
        format!(
            "[test-liar] plugin {} returned a malformed result: finding \"nowhere\": location is outside the input it was given",
            liar.display()
        )
    );
    assert!(
        errors[1].starts_with(&format!(
            "[test-panic] plugin {} trapped: ",
            panic.display()
        )),
        "{}",
        errors[1]
    );
    assert!(
        errors[1].ends_with("(plugin said: cannot judge 1 objects)"),
        "{}",
        errors[1]
    );
    assert_eq!(
        findings(&report),
        ["no-git-credentials/plaintext-secret credentials/violating.yaml:7 Secret shop/db"]
    );
}
