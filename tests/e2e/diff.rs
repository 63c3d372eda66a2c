//! `tollgate report diff`: two runs over one estate a quarter apart (`fixtures/diff/`),
//! compared in every format with the exact findings, waivers and controls that changed,
//! and the exit code CI gates on.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::util::{Run, copy_dir, findings, fixtures, test_tool, tollgate};

/// 2026-09-21T14:13:20Z: the old run, before the Ingress waiver expires.
const OLD_EPOCH: &str = "1790000000";

/// Runs `tollgate ARGS` in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    tollgate()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
        .into()
}

/// Scans `<which>/` in `dir` into `<which>.json` (the old one at [`OLD_EPOCH`]).
fn scan(dir: &Path, which: &str) -> Run {
    let mut command = tollgate();
    if which == "old" {
        command.env("SOURCE_DATE_EPOCH", OLD_EPOCH);
    }
    let output = format!("{which}.json");
    command
        .current_dir(dir)
        .args(["scan", which, "--format", "json", "-o", &output])
        .output()
        .unwrap()
        .into()
}

/// `fixtures/diff/` copied outside Git (so that the reports name no commit) and scanned:
/// `old.json` and `new.json`.
fn runs() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("diff"), dir.path());
    for which in ["old", "new"] {
        let run = scan(dir.path(), which);
        assert_eq!(run.code, 1, "{}", run.stderr);
    }
    dir
}

/// `rule/check file:line object` of a list of findings in the diff.
fn listed(diff: &Value, list: &str) -> Vec<String> {
    findings(&json!({ "findings": diff["findings"][list] }))
}

#[test]
fn diff_names_what_changed_between_two_runs() {
    let dir = runs();
    let run = run_in(
        dir.path(),
        &["report", "diff", "old.json", "new.json", "--format", "json"],
    );
    assert_eq!(run.code, 1, "a new high finding fails: {}", run.stderr);
    let diff: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(diff["tollgate_diff"], 1);
    assert_eq!(
        listed(&diff, "new"),
        [
            "rbac-least-privilege/cluster-admin-binding new/admins.yaml:10 ClusterRoleBinding alice-admin"
        ]
    );
    assert_eq!(
        listed(&diff, "fixed"),
        ["rbac-least-privilege/wildcard old/legacy/rbac.yaml:8 Role legacy/admin"]
    );
    assert_eq!(
        listed(&diff, "still_open"),
        [
            "network-policy/pod-not-selected new/app.yaml:11 Deployment shop/web",
            "tls-min-version/weak-protocol new/app.yaml:35 Ingress web/old",
        ]
    );
    // Still open, but now waived; and no longer waived.
    assert_eq!(
        diff["findings"]["still_open"][0]["waiver"]["approved_by"],
        "security@example.com"
    );
    assert_eq!(diff["findings"]["still_open"][1]["waiver"], Value::Null);
    let waivers = |list: &str| -> Vec<String> {
        diff["waivers"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                format!(
                    "{} {}",
                    w["rule"].as_str().unwrap(),
                    w["target"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        waivers("added"),
        ["network-policy object Deployment/shop/web"]
    );
    assert_eq!(
        waivers("expired"),
        ["tls-min-version object Ingress/web/old"]
    );
    assert_eq!(waivers("removed"), ["rbac-least-privilege path legacy/**"]);
    let controls: Vec<String> = diff["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |name: &str| c[name].as_str().unwrap_or("null").to_owned();
            let [framework, id, old, new] = ["framework", "id", "old", "new"].map(field);
            format!("{framework} {id} {old} -> {new}")
        })
        .collect();
    assert_eq!(
        controls,
        [
            "soc2 CC6.3 waived -> not-satisfied",
            "soc2 CC6.6 not-satisfied -> waived",
            "soc2 CC6.7 waived -> not-satisfied",
            "cis-kubernetes 5.1.1 not-assessed -> not-satisfied",
            "cis-kubernetes 5.1.3 waived -> satisfied",
            "cis-kubernetes 5.1.7 not-assessed -> satisfied",
        ]
    );
    assert_eq!(
        diff["summary"],
        json!({"new": 1, "fixed": 1, "still_open": 2, "failing": 1, "controls_changed": 6, "outcome": "fail", "exit_code": 1})
    );
    assert_eq!(diff["fail_on"], "low");
    assert_eq!(diff["old"]["generated_at"], "2026-09-21T14:13:20Z");
    assert_eq!(diff["new"]["generated_at"], "2027-01-15T08:00:00Z");
    assert_eq!(diff["old"]["path"], "old.json");
}

#[test]
fn diff_as_text_and_markdown() {
    let dir = runs();
    let text = run_in(dir.path(), &["report", "diff", "old.json", "new.json"]);
    assert_eq!(text.code, 1, "{}", text.stderr);
    assert_eq!(text.stdout, TEXT);
    // The Markdown sample in docs/ is this run's.
    let markdown = run_in(
        dir.path(),
        &[
            "report", "diff", "old.json", "new.json", "--format", "markdown", "-o", "diff.md",
        ],
    );
    assert_eq!((markdown.code, markdown.stdout.as_str()), (1, ""));
    let sample = fixtures().join("../../docs/report-diff.md");
    let rendered = std::fs::read_to_string(dir.path().join("diff.md")).unwrap();
    // `TOLLGATE_BLESS=1` rewrites the sample after a deliberate change of the output.
    if std::env::var_os("TOLLGATE_BLESS").is_some() {
        std::fs::write(&sample, &rendered).unwrap();
    }
    assert_eq!(rendered, std::fs::read_to_string(sample).unwrap());
}

const TEXT: &str = "\
tollgate diff: old.json (2026-09-21T14:13:20Z) -> new.json (2027-01-15T08:00:00Z)

new findings (1)
  critical rbac-least-privilege/cluster-admin-binding  new/admins.yaml:10  ClusterRoleBinding alice-admin
           ClusterRoleBinding alice-admin gives cluster-admin to User alice@example.com; bind a role with only the permissions it needs

fixed findings (1)
  medium waived rbac-least-privilege/wildcard  old/legacy/rbac.yaml:8  Role legacy/admin
           Role legacy/admin rule #1 grants '*' in resources. No binding in the scanned manifests grants this role.

still open: 2 findings

waivers added (1)
  network-policy/pod-not-selected on object Deployment/shop/web (expires 2027-06-30): web is reached only through the mesh, whose AuthorizationPolicy admits the gateway

waivers expired (1)
  tls-min-version on object Ingress/web/old (expired 2026-12-31): old clients until the end of 2026

waivers removed (1)
  rbac-least-privilege on path legacy/** (no expiry): legacy manifests, deleted with the 2027 migration

controls changed (6)
  soc2 CC6.3            waived -> not-satisfied
  soc2 CC6.6            not-satisfied -> waived
  soc2 CC6.7            waived -> not-satisfied
  cis-kubernetes 5.1.1  not-assessed -> not-satisfied
  cis-kubernetes 5.1.3  waived -> satisfied
  cis-kubernetes 5.1.7  not-assessed -> satisfied

FAIL  1 new finding (1 critical), 1 fixed, 2 still open; 6 controls changed; fails on new findings at or above low
";

#[test]
fn only_new_findings_at_or_above_fail_on_fail() {
    let dir = runs();
    let code = |args: &[&str]| {
        let run = run_in(dir.path(), &[&["report", "diff"], args].concat());
        (
            run.code,
            run.stdout.lines().last().unwrap_or_default().to_owned(),
        )
    };
    // The new finding is critical.
    assert_eq!(
        code(&["old.json", "new.json", "--fail-on", "critical"]),
        (1, "FAIL  1 new finding (1 critical), 1 fixed, 2 still open; 6 controls changed; fails on new findings at or above critical".to_owned())
    );
    assert_eq!(
        code(&["old.json", "new.json", "--fail-on", "never"]),
        (0, "PASS  1 new finding (1 critical), 1 fixed, 2 still open; 6 controls changed; new findings never fail".to_owned())
    );
    // Backwards, the only "new" finding is the waived wildcard: accepted, not failing;
    // the high finding still open does not fail a diff either.
    assert_eq!(
        code(&["new.json", "old.json"]),
        (0, "PASS  1 new finding (1 waived), 1 fixed, 2 still open; 6 controls changed; fails on new findings at or above low".to_owned())
    );
    // A run compared with itself: nothing changed.
    assert_eq!(
        code(&["new.json", "new.json"]),
        (0, "PASS  0 new findings, 0 fixed, 3 still open; 0 controls changed; fails on new findings at or above low".to_owned())
    );
}

#[test]
fn a_run_with_errors_or_an_unreadable_report_cannot_be_compared() {
    let dir = runs();
    std::fs::write(dir.path().join("new/broken.yaml"), "kind: [\n").unwrap();
    let broken = scan(dir.path(), "new");
    assert_eq!(broken.code, 2, "{}", broken.stderr);
    let run = run_in(dir.path(), &["report", "diff", "old.json", "new.json"]);
    assert_eq!(run.code, 2);
    let tail: Vec<&str> = run.stdout.lines().rev().take(2).collect();
    assert_eq!(
        tail,
        [
            "ERROR  1 new finding (1 critical), 1 fixed, 2 still open; 19 controls changed; fails on new findings at or above low",
            "the new report has 1 error: its findings may be incomplete",
        ]
    );

    std::fs::write(dir.path().join("other.json"), "{\"schema_version\": 2}").unwrap();
    for (file, message) in [
        (
            "missing.json",
            "cannot read missing.json: No such file or directory (os error 2)",
        ),
        (
            "other.json",
            "other.json is not a tollgate JSON report: missing field `tool`",
        ),
    ] {
        let run = run_in(dir.path(), &["report", "diff", "old.json", file]);
        assert_eq!(run.code, 2);
        assert_eq!(run.stdout, "");
        assert_eq!(run.stderr, format!("tollgate: error: {message}\n"));
    }
}

/// GitHub's own Markdown engine (cmark-gfm, through `cmarkgfm`) with the raw HTML a
/// comment may hold (`<details>`) kept, as a pull-request comment is rendered.
const GITHUB_MARKDOWN: &str = "\
import sys, cmarkgfm
from cmarkgfm.cmark import Options
sys.stdout.write(cmarkgfm.github_flavored_markdown_to_html(sys.stdin.read(), options=Options.CMARK_OPT_UNSAFE))
";

/// Enough of GitHub's comment style for the screenshot to look like the comment.
const COMMENT_STYLE: &str = "\
body { font: 14px/1.5 -apple-system, 'Segoe UI', 'Noto Sans', Helvetica, Arial, sans-serif;
  color: #1f2328; margin: 0; padding: 16px 24px; max-width: 1232px; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 0 0 16px; }
h3 { font-size: 1.25em; margin: 24px 0 16px; }
table { border-collapse: collapse; margin-bottom: 16px; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; text-align: left; vertical-align: top; }
th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
code { font: 85% ui-monospace, SFMono-Regular, Menlo, monospace; background: #eff1f3;
  padding: .2em .4em; border-radius: 6px; white-space: nowrap; }
a { color: #0969da; text-decoration: none; } summary { cursor: pointer; margin-bottom: 16px; }
";

/// Cells of each row of each table in rendered HTML, header first.
fn table_rows(html: &str) -> Vec<Vec<Vec<String>>> {
    let cells = |row: &str| -> Vec<String> {
        row.split("<t")
            .skip(1)
            .filter(|cell| cell.starts_with("h>") || cell.starts_with("d>"))
            .map(|cell| cell[2..].split("</t").next().unwrap().to_string())
            .collect()
    };
    html.split("<table>")
        .skip(1)
        .map(|table| {
            let table = table.split("</table>").next().unwrap();
            table.split("<tr>").skip(1).map(cells).collect()
        })
        .collect()
}

#[test]
fn the_markdown_diff_renders_as_a_github_comment() {
    let dir = runs();
    let diff = run_in(
        dir.path(),
        &[
            "report", "diff", "old.json", "new.json", "--format", "markdown",
        ],
    );
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    let mut python = Command::new(test_tool("venv/bin/python"))
        .args(["-c", GITHUB_MARKDOWN])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    python
        .stdin
        .take()
        .unwrap()
        .write_all(diff.stdout.as_bytes())
        .unwrap();
    let rendered = python.wait_with_output().unwrap();
    assert!(rendered.status.success());
    let html = String::from_utf8(rendered.stdout).unwrap();

    // Every row of every table keeps its header's columns: nothing in a message (a `|`,
    // a `*`) broke a table or started emphasis.
    let tables = table_rows(&html);
    let shapes: Vec<(usize, Vec<usize>)> = tables
        .iter()
        .map(|rows| (rows[0].len(), rows[1..].iter().map(Vec::len).collect()))
        .collect();
    assert_eq!(
        shapes,
        [
            (4, vec![4]),
            (4, vec![4]),
            (4, vec![4, 4]),
            (5, vec![5, 5, 5]),
            (5, vec![5; 6])
        ]
    );
    assert_eq!(
        tables[1][1],
        [
            "<del>medium</del> waived",
            "<code>rbac-least-privilege/wildcard</code>",
            "<code>old/legacy/rbac.yaml:8</code>",
            "Role legacy/admin rule #1 grants '*' in resources. No binding in the scanned \
             manifests grants this role. <em>(waived: legacy manifests, deleted with the 2027 \
             migration)</em>",
        ]
    );
    assert!(
        html.contains("<details><summary>2 findings still open</summary>\n<table>"),
        "{html}"
    );

    // The screenshot in docs/ is this page (`TOLLGATE_BLESS=1` rewrites it).
    let page = dir.path().join("comment.html");
    std::fs::write(
        &page,
        format!(
            "<!doctype html><meta charset=\"utf-8\"><style>{COMMENT_STYLE}</style>\
             <body>{}</body>",
            html.replacen("<details>", "<details open>", 1)
        ),
    )
    .unwrap();
    let screenshot = dir.path().join("comment.png");
    let chromium = Command::new(test_tool("/usr/bin/chromium"))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            "--window-size=1280,1380",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        chromium.status.success(),
        "{}",
        String::from_utf8_lossy(&chromium.stderr)
    );
    let png = std::fs::read(&screenshot).unwrap();
    // The PNG signature, then the IHDR chunk's width and height: the whole window.
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        (&png[16..20], &png[20..24]),
        (&1280u32.to_be_bytes()[..], &1380u32.to_be_bytes()[..])
    );
    if std::env::var_os("TOLLGATE_BLESS").is_some() {
        std::fs::write(fixtures().join("../../docs/report-diff.png"), &png).unwrap();
    }
}
