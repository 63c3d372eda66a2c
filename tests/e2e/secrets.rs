//! Credentials found in files are reported with redacted evidence, and never appear in
//! clear in any output. The planted secrets are built at test time from parts, so no
//! real-looking credential is committed to this repository.

use pretty_assertions::assert_eq;

use crate::util::{commit_all, findings, tollgate};

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

/// A fake generated-looking secret of 24 characters, different per `seed`.
fn fake_secret(seed: usize) -> String {
    const ALPHABET: &[u8] = b"AbCdEfGhJkMnPqRsTuVwXyZ23456789aBcDeFgHjKmNpQrStUvWxYz";
    (0..24)
        .map(|i| ALPHABET[(i * 7 + seed * 13 + i / 3) % ALPHABET.len()] as char)
        .collect()
}

/// Scans `files` (name, contents), committed to a new Git repository, with `--repo` and
/// the credentials rule only; returns the exit code, the findings and the JSON report.
fn scan_files(files: &[(&str, String)]) -> (i32, Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        std::fs::write(dir.path().join(name), contents).unwrap();
    }
    commit_all(dir.path());
    let output = tollgate()
        .current_dir(dir.path())
        .args([
            "scan",
            "--repo",
            "--rule",
            "no-git-credentials",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    (output.status.code().unwrap(), findings(&report), stdout)
}

/// `generic-secret` judges the literal on the key's own line, as each language writes
/// literals: a bare token in configuration, a quoted string in code. Identifiers, calls,
/// paths and names beside the planted ones stay quiet.
#[test]
fn generic_secret_judges_literals_per_language() {
    let s = fake_secret;
    let files = [
        (
            "settings.py",
            format!(
                "API_KEY = \"{}\"\npassword = os.environ[\"DB_PASSWORD\"]\ntoken = get_token()\n",
                s(1)
            ),
        ),
        (
            "main.go",
            format!(
                "package main\n\nfunc main() {{\n\tpassword := flag.String(\"password\", \"\", \"\")\n\tapiToken := \"{}\"\n}}\n",
                s(2)
            ),
        ),
        (
            "lib.rs",
            format!(
                "let token = tokens.acquire();\nconst API_TOKEN: &str = \"{}\";\nlet paren_token = {};\n",
                s(3),
                s(4)
            ),
        ),
        (
            "app.env",
            format!(
                "PGPASSWORD={}\nPASSWORD_FILE={}\nDB_PASSWORD=\n{}\n",
                s(5),
                s(6),
                s(7)
            ),
        ),
        (
            "config.json",
            format!(
                "{{\n  \"clientSecret\": \"{}\",\n  \"tokenUrl\": \"{}\",\n  \"secretName\": \"{}\"\n}}\n",
                s(8),
                s(9),
                s(10)
            ),
        ),
    ];
    let (code, found, stdout) = scan_files(&files);
    assert_eq!(
        found,
        [
            "no-git-credentials/generic-secret app.env:1",
            "no-git-credentials/generic-secret config.json:2",
            "no-git-credentials/generic-secret lib.rs:2",
            "no-git-credentials/generic-secret main.go:5",
            "no-git-credentials/generic-secret settings.py:1",
        ]
    );
    assert_eq!(code, 1);
    for seed in 1..=10 {
        assert!(!stdout.contains(&s(seed)), "secret {seed} printed");
    }
}

/// Credential-named container variables and ConfigMap entries set to literals are
/// found on their value's line; references, `valueFrom` and placeholders are not. The
/// ConfigMap entry is reported once (by `env-literal-secret`, not also as generic).
#[test]
fn literal_credentials_in_env_and_config_maps_are_found() {
    let manifest = format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: mysql
        env:
        - name: MYSQL_ROOT_PASSWORD
          value: password
        - name: MYSQL_PASSWORD
          valueFrom:
            secretKeyRef: {{name: db, key: password}}
        - name: REPLICA_PASSWORD
          value: $(MYSQL_PASSWORD)
        - {{name: API_TOKEN, value: {token}}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: shop
data:
  DB_PASSWORD: {secret}
  SMTP_PASSWORD: <set at deploy time>
  LOG_LEVEL: debug
",
        token = fake_secret(11),
        secret = fake_secret(12)
    );
    let (code, found, stdout) = scan_files(&[("db.yaml", manifest)]);
    assert_eq!(
        found,
        [
            "no-git-credentials/env-literal-secret db.yaml:13 Deployment shop/db",
            "no-git-credentials/env-literal-secret db.yaml:19 Deployment shop/db",
            "no-git-credentials/env-literal-secret db.yaml:27 ConfigMap shop/app",
        ]
    );
    assert_eq!(code, 1);
    assert!(!stdout.contains(&fake_secret(11)) && !stdout.contains(&fake_secret(12)));
}
