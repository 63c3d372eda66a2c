//! Credentials found in files are reported with redacted evidence, and never appear in
//! clear in any output. The planted secrets are built at test time from parts, so no
//! real-looking credential is committed to this repository.

use pretty_assertions::assert_eq;

use crate::util::{findings, tollgate};

/// A well-formed but fake AWS access key id.
fn fake_aws_key_id() -> String {
    ["AK", "IA", "TOLLGATE", "TEST2345"].concat()
}

/// A well-formed but fake PEM private key block.
fn fake_private_key() -> String {
    let body: String = (0..10)
        .map(|i| {
            format!(
                "{}\n",
                "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo"
                    .repeat(2)
                    .chars()
                    .skip(i)
                    .take(64)
                    .collect::<String>()
            )
        })
        .collect();
    let label = ["RSA", "PRIVATE", "KEY"].join(" ");
    format!("-----BEGIN {label}-----\n{body}-----END {label}-----\n")
}

fn planted_manifest() -> String {
    let key = fake_private_key()
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect::<String>();
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: shop\ndata:\n  AWS_ACCESS_KEY_ID: {}\n  tls.key: |\n{key}",
        fake_aws_key_id()
    )
}

#[test]
fn planted_credentials_are_found_and_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, planted_manifest()).unwrap();
    let aws = fake_aws_key_id();
    let key_line = fake_private_key().lines().nth(1).unwrap().to_owned();

    for format in ["text", "json"] {
        let output = tollgate()
            .current_dir(dir.path())
            .args(["scan", "app.yaml", "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let all = [output.stdout, output.stderr].concat();
        let all = String::from_utf8(all).unwrap();
        assert!(
            !all.contains(&aws),
            "AWS key id in clear in {format} output"
        );
        assert!(
            !all.contains(&aws[4..]),
            "AWS key id body in clear in {format} output"
        );
        assert!(
            !all.contains(&key_line),
            "private key in clear in {format} output"
        );
        if format == "json" {
            let report: serde_json::Value = serde_json::from_str(&all).unwrap();
            assert_eq!(
                findings(&report),
                [
                    "no-git-credentials/aws-access-key-id app.yaml:7",
                    "no-git-credentials/private-key app.yaml:9",
                ]
            );
            let aws_finding = &report["findings"][0];
            assert_eq!(aws_finding["location"]["column"], 22);
            let evidence = aws_finding["evidence"].as_str().unwrap();
            assert!(
                evidence.starts_with("AWS access key id AKIA… (20 bytes, sha256:"),
                "{evidence}"
            );
            let key_evidence = report["findings"][1]["evidence"].as_str().unwrap();
            assert!(
                key_evidence.starts_with("RSA private key … ("),
                "{key_evidence}"
            );
        }
    }
}

#[test]
fn secrets_on_standard_input_are_redacted_too() {
    let output = tollgate()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(planted_manifest())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains(&fake_aws_key_id()));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        findings(&report),
        [
            "no-git-credentials/aws-access-key-id <stdin>:7",
            "no-git-credentials/private-key <stdin>:9",
        ]
    );
}
