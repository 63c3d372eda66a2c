//! The waiver policy (`waiver-policy:` in the config) and waived findings as exceptions
//! with accepted risk: a waiver that breaks the policy is refused with an error naming
//! its config line or its object (exit 2) and its finding stands; a waiver that keeps it
//! is shown in every format with its reason, approver and expiry.

use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::util::{commit_all, errors, findings, tollgate};

/// The run's date is 2027-01-15.
const SOURCE_DATE_EPOCH: &str = "1800000000";

/// A Pod in a namespace without a NetworkPolicy, with `annotations` (YAML lines).
fn pod(annotations: &[&str]) -> String {
    let annotations: String = annotations.iter().map(|a| format!("    {a}\n")).collect();
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\n  annotations:\n{annotations}spec:\n  containers: []\n"
    )
}

/// A directory holding `.tollgate.yaml` and `files` (name, contents).
fn project(config: &str, files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".tollgate.yaml"), config).unwrap();
    for (name, contents) in files {
        std::fs::write(dir.path().join(name), contents).unwrap();
    }
    dir
}

/// `tollgate scan ARGS` in `dir` on the fixed date: exit code, stdout, stderr.
fn scan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = tollgate()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The JSON report of the network-policy rule over `pod.yaml` in `dir`.
fn scan_pod(dir: &Path) -> (i32, Value) {
    let (code, stdout, stderr) = scan(
        dir,
        &["pod.yaml", "--rule", "network-policy", "--format", "json"],
    );
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (code, report)
}

const FINDING: &str = "network-policy/namespace-without-policy pod.yaml:1 Pod shop/p";

#[test]
fn a_config_waiver_without_an_approver_is_refused_at_its_line() {
    let dir = project(
        "waiver-policy:\n  require-approver: true\nwaivers:\n  - rule: network-policy\n    object: Pod/shop/p\n    reason: the mesh admits only the gateway\n",
        &[("pod.yaml", pod(&[]))],
    );
    let (code, stdout, stderr) = scan(dir.path(), &["pod.yaml", "--rule", "network-policy"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "tollgate: error: .tollgate.yaml:4: waiver of network-policy on object Pod/shop/p is refused: waiver-policy requires an approver\n"
    );
}

#[test]
fn an_expiry_beyond_max_expiry_days_is_refused() {
    let dir = project(
        "waiver-policy:\n  max-expiry-days: 90\nwaivers:\n  - rule: network-policy\n    object: Pod/shop/p\n    reason: the mesh admits only the gateway\n  - rule: network-policy\n    object: Pod/shop/q\n    reason: the mesh admits only the gateway\n    expires: 2027-12-31\n",
        &[("pod.yaml", pod(&[]))],
    );
    let (code, _, stderr) = scan(dir.path(), &["pod.yaml", "--rule", "network-policy"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "tollgate: error: .tollgate.yaml:7: waiver of network-policy on object Pod/shop/q is refused: expiry 2027-12-31 is more than 90 days away (waiver-policy max-expiry-days)\n"
    );
}

#[test]
fn an_annotation_without_an_expiry_is_refused_and_its_finding_stands() {
    let policy = "waiver-policy:\n  require-approver: true\n  require-expiry: true\n";
    let waive = [
        "tollgate.dev/waive: network-policy",
        "tollgate.dev/waive-reason: the mesh admits only the gateway",
        "tollgate.dev/waive-approved-by: ana@example.com",
    ];
    let dir = project(policy, &[("pod.yaml", pod(&waive))]);
    let (code, report) = scan_pod(dir.path());
    assert_eq!(code, 2);
    assert_eq!(findings(&report), [FINDING]);
    assert_eq!(report["findings"][0]["waiver"], Value::Null);
    assert_eq!(
        errors(&report),
        [
            "pod.yaml:1 Pod p: tollgate.dev/waive is refused: waiver-policy requires an expiry date; its findings stand"
        ]
    );

    let dated = [&waive[..], &["tollgate.dev/waive-expires: \"2027-06-30\""]].concat();
    let dir = project(policy, &[("pod.yaml", pod(&dated))]);
    let (code, report) = scan_pod(dir.path());
    assert_eq!(code, 0);
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(
        report["findings"][0]["waiver"],
        json!({"source": "annotation", "reason": "the mesh admits only the gateway",
               "expires": "2027-06-30", "approved_by": "ana@example.com"})
    );
}

#[test]
fn an_expired_annotation_waives_nothing() {
    let waive = [
        "tollgate.dev/waive: network-policy",
        "tollgate.dev/waive-reason: the mesh admits only the gateway",
        "tollgate.dev/waive-expires: \"2027-01-14\"",
    ];
    let dir = project("{}\n", &[("pod.yaml", pod(&waive))]);
    let (code, report) = scan_pod(dir.path());
    assert_eq!(code, 1);
    assert_eq!(findings(&report), [FINDING]);
    assert_eq!(report["findings"][0]["waiver"], Value::Null);
    assert_eq!(report["summary"]["findings"], 1);
}

#[test]
fn a_critical_finding_cannot_be_waived_above_max_severity() {
    let dir = project(
        "rules:\n  network-policy:\n    severity: critical\nwaiver-policy:\n  max-severity: high\nwaivers:\n  - rule: network-policy\n    object: Pod/shop/p\n    reason: the mesh admits only the gateway\n",
        &[(
            "pod.yaml",
            pod(&[
                "tollgate.dev/waive: network-policy",
                "tollgate.dev/waive-reason: the mesh",
            ]),
        )],
    );
    let (code, report) = scan_pod(dir.path());
    assert_eq!(code, 2);
    assert_eq!(findings(&report), [FINDING]);
    assert_eq!(report["findings"][0]["severity"], "critical");
    assert_eq!(report["findings"][0]["waiver"], Value::Null);
    assert_eq!(
        errors(&report),
        [
            "[network-policy] pod.yaml:1 namespace-without-policy the waiver by annotation is refused: a critical finding cannot be waived (waiver-policy max-severity: high); the finding stands",
            "[network-policy] .tollgate.yaml:7 waiver of network-policy on object Pod/shop/p is refused for namespace-without-policy pod.yaml:1: a critical finding cannot be waived (waiver-policy max-severity: high); the finding stands",
        ]
    );
    assert_eq!(report["evidence"]["waivers"][0]["applied"], 0);
}

/// A fake AWS access key id, built here so that none is committed.
fn fake_aws_key_id() -> String {
    ["AK", "IA", "TOLLGATE", "TEST2345"].concat()
}

#[test]
fn an_inline_allow_comment_is_refused_under_a_policy_demanding_an_approver() {
    let env = format!(
        "AWS_KEY={} # tollgate:allow no-git-credentials test fixture\n",
        fake_aws_key_id()
    );
    let scan_repo = |config: &str| {
        let dir = project(config, &[("app.env", env.clone())]);
        commit_all(dir.path());
        let args = ["--repo", "--rule", "no-git-credentials", "--format", "json"];
        let (code, stdout, _) = scan(dir.path(), &args);
        assert!(!stdout.contains(&fake_aws_key_id()));
        (code, serde_json::from_str::<Value>(&stdout).unwrap())
    };

    let (code, report) = scan_repo("waiver-policy:\n  require-approver: true\n");
    assert_eq!(code, 2);
    assert_eq!(
        findings(&report),
        ["no-git-credentials/aws-access-key-id app.env:1"]
    );
    assert_eq!(report["findings"][0]["waiver"], Value::Null);
    assert_eq!(
        errors(&report),
        [
            "[no-git-credentials] app.env:1 aws-access-key-id the inline tollgate:allow comment is refused: waiver-policy requires an approver or an expiry, which an inline comment cannot carry; the finding stands"
        ]
    );

    let (code, report) = scan_repo("{}\n");
    assert_eq!(code, 0);
    assert_eq!(
        report["findings"][0]["waiver"]["reason"],
        "allowed inline: test fixture"
    );
}

/// `tollgate scan pod.yaml --format FORMAT` over the annotated pod of
/// [`every_format_shows_a_waived_finding_as_an_exception`].
fn render(dir: &Path, format: &str) -> String {
    let args = ["pod.yaml", "--rule", "network-policy", "--format", format];
    let (code, stdout, stderr) = scan(dir, &args);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn every_format_shows_a_waived_finding_as_an_exception() {
    let waive = [
        "tollgate.dev/waive: network-policy",
        "tollgate.dev/waive-reason: the mesh admits only the gateway",
        "tollgate.dev/waive-approved-by: ana@example.com",
        "tollgate.dev/waive-expires: \"2027-06-30\"",
    ];
    let dir = project(
        "waiver-policy:\n  require-approver: true\n  require-expiry: true\n  max-severity: high\n",
        &[("pod.yaml", pod(&waive))],
    );
    let dir = dir.path();
    let sentence = "accepted risk, waived by annotation: the mesh admits only the gateway (approved by ana@example.com, expires 2027-06-30)";

    let text = render(dir, "text");
    assert!(
        text.contains(&format!("\n           medium {sentence}\n")),
        "{text}"
    );

    let report: Value = serde_json::from_str(&render(dir, "json")).unwrap();
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["waived"], 1);
    let waived_controls: Vec<&Value> = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["waived"].as_array().is_some_and(|w| !w.is_empty()))
        .collect();
    assert_eq!(waived_controls.len(), 10);
    assert!(waived_controls.iter().all(|c| c["status"] == "waived"));

    let sarif: Value = serde_json::from_str(&render(dir, "sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["suppressions"],
        json!([{"kind": "external", "status": "accepted", "justification": sentence,
                "properties": {"source": "annotation", "approvedBy": "ana@example.com",
                               "expires": "2027-06-30"}}])
    );

    let junit = render(dir, "junit");
    assert!(
        junit.contains(&format!("<skipped message=\"{sentence}\"/>")),
        "{junit}"
    );

    let markdown = render(dir, "markdown");
    assert!(
        markdown.contains(
            "### Exceptions (accepted risk)\n\n| severity | check | location | waived | reason | approved by | expires |\n|---|---|---|---|---|---|---|\n| medium | `network-policy/namespace-without-policy` | `pod.yaml:1` | by annotation | the mesh admits only the gateway | ana@example.com | 2027-06-30 |\n"
        ),
        "{markdown}"
    );

    let html = render(dir, "html");
    assert!(
        html.contains(
            "<h2>Exceptions (accepted risk)</h2>\n<table id=\"exceptions\"><thead><tr><th>Severity</th><th>Check</th><th>Location</th><th>Waived</th><th>Reason</th><th>Approved by</th><th>Expires</th></tr></thead><tbody>\n<tr><td>medium</td><td class=\"mono\">network-policy/namespace-without-policy</td><td class=\"mono\">pod.yaml:1</td><td>by annotation</td><td>the mesh admits only the gateway</td><td>ana@example.com</td><td>2027-06-30</td></tr>\n</tbody></table>\n"
        ),
        "{html}"
    );

    let oscal: Value = serde_json::from_str(&render(dir, "oscal")).unwrap();
    let result = &oscal["assessment-results"]["results"][0];
    let risk = &result["risks"][0];
    assert_eq!(result["risks"].as_array().unwrap().len(), 1);
    assert_eq!(risk["status"], "deviation-approved");
    assert_eq!(risk["statement"], sentence);
    assert_eq!(risk["deadline"], "2027-06-30T23:59:59Z");
    assert_eq!(
        risk["props"],
        json!([
            {"name": "waiver-source", "ns": "https://tollgate.dev/ns/oscal", "value": "annotation"},
            {"name": "approved-by", "ns": "https://tollgate.dev/ns/oscal", "value": "ana@example.com"},
        ])
    );
    let findings = result["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 10);
    for finding in findings {
        assert_eq!(
            finding["target"]["status"],
            json!({"state": "not-satisfied", "reason": "other", "remarks": "waived"})
        );
        assert_eq!(
            finding["related-risks"],
            json!([{"risk-uuid": risk["uuid"]}])
        );
    }
}
