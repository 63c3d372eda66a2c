//! Bad input never hides other results: each problem is an error naming file and line,
//! every other file is still checked, and the run exits 2.

use pretty_assertions::assert_eq;

use crate::util::{errors, findings, scan_json};

#[test]
fn invalid_and_non_kubernetes_documents_are_errors_with_lines() {
    let (code, report) = scan_json(&["input", "rbac/violating.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [
            "input/invalid.yaml:12 invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)",
            "input/not-objects.yaml:1 the document is a list, not a Kubernetes object",
            "input/not-objects.yaml:4 the document is not a Kubernetes object: it has no apiVersion and no kind",
            "input/not-objects.yaml:18 item 1 of the List is a scalar, not a Kubernetes object",
        ]
    );
    // The good document before the syntax error, the good List item and the other file
    // all still yield results.
    assert_eq!(
        findings(&report),
        [
            "no-git-credentials/plaintext-secret input/not-objects.yaml:16 Secret shop/listed",
            "rbac-least-privilege/pod-create rbac/violating.yaml:11 Role shop/deployer",
            "rbac-least-privilege/wildcard rbac/violating.yaml:12 Role shop/deployer",
            "rbac-least-privilege/secrets-read rbac/violating.yaml:20 ClusterRole secret-reader",
            "rbac-least-privilege/system-masters rbac/violating.yaml:32 ClusterRoleBinding ops-admin",
            "rbac-least-privilege/cluster-admin-binding rbac/violating.yaml:35 ClusterRoleBinding ops-admin",
        ]
    );
    assert_eq!(report["summary"]["objects"], 5);
    assert_eq!(report["summary"]["outcome"], "error");
}

#[test]
fn binary_oversized_and_missing_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("image.yaml");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, "# padding\n".repeat(100)).unwrap();
    let missing = dir.path().join("missing.yaml");
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();

    let (code, report) = scan_json(&[
        &path(&binary),
        &path(&big),
        &path(&missing),
        "credentials/violating.yaml",
        "--max-file-size",
        "500",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [
            format!(
                "{} binary file (contains NUL bytes); not a manifest",
                path(&binary)
            ),
            format!(
                "{} file is 1000 bytes, over the 500-byte limit; not read",
                path(&big)
            ),
            format!(
                "{} cannot read: No such file or directory (os error 2)",
                path(&missing)
            ),
        ]
    );
    assert_eq!(
        findings(&report),
        ["no-git-credentials/plaintext-secret credentials/violating.yaml:7 Secret shop/db"]
    );
}

#[test]
fn directories_are_walked_for_manifests_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    std::fs::write(
        dir.path().join("nested/role.yml"),
        std::fs::read(crate::util::fixtures().join("rbac/violating.yaml")).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "# not a manifest\n").unwrap();
    std::fs::write(
        dir.path().join("values.json"),
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}"#,
    )
    .unwrap();
    let (code, report) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(report["summary"]["objects"], 4);
}
