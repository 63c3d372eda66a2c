//! Hostile text never reaches a terminal, a file or markup raw, and no credential is
//! printed by any rule: terminal escapes and forged lines in file names, object names, a
//! plugin's title, messages, evidence and error text, and config values are shown escaped
//! in every format; Markdown, HTML and XML cannot be broken out of; a password in a
//! webhook URL and tokens a plugin repeats are redacted by the host. The estate is
//! written at test time, its secrets built from parts.

use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::Value;
use tempfile::TempDir;

use crate::util::{Run, loaded_line, test_plugin, tollgate};

const FORMATS: [&str; 8] = [
    "text", "json", "sarif", "junit", "markdown", "html", "oscal", "gitlab",
];

/// The file whose name breaks out of a Markdown code span and table cell.
const MARKUP_FILE: &str = "x`<img src=y onerror=alert(5)>`|z.yaml";
/// The file whose name turns a terminal red.
const ESCAPE_FILE: &str = "hook\u{1b}[31m.yaml";

/// The credentials planted in the estate, built from parts.
struct Secrets {
    password: String,
    token: String,
}

fn secrets() -> Secrets {
    Secrets {
        password: ["hunter", "2-", "Corr3ct"].concat(),
        token: ["gh", "p_", &"Tg8".repeat(12)].concat(),
    }
}

/// A Pod whose name retitles the terminal and forges a `PASS` line, with annotations the
/// shouter plugin repeats (screen clear, OSC 8 link, a token; markup and a password); a
/// webhook whose URL carries a password; a config whose waiver reason forges a line.
fn estate(secrets: &Secrets) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pod = format!(
        r#"apiVersion: v1
kind: Pod
metadata:
  name: "web\e]0;owned\a\r\nPASS  3 rules over 2 objects in 2 files: no findings"
  annotations:
    test.tollgate.dev/shout: "\e[2J\e[Hcleared \e]8;;http://evil.example\e\\link\e]8;;\e\\ {token}"
    test.tollgate.dev/evidence: "<script>alert(4)</script> | `tick` password={password}"
spec:
  containers:
  - name: app
    image: nginx
"#,
        token = secrets.token,
        password = secrets.password
    );
    let webhook = format!(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: hook\nwebhooks:\n- name: check.example.com\n  clientConfig:\n    url: http://admin:{}@hooks.example/validate\n",
        secrets.password
    );
    let config = "waivers:\n- rule: network-policy\n  path: \"*\"\n  reason: \"accepted\\r\\nPASS  3 rules over 2 objects in 2 files: no findings\"\n";
    std::fs::write(dir.path().join(MARKUP_FILE), pod).unwrap();
    std::fs::write(dir.path().join(ESCAPE_FILE), webhook).unwrap();
    std::fs::write(dir.path().join(".tollgate.yaml"), config).unwrap();
    dir
}

/// `tollgate scan <files> --format <format> <extra>` in `dir`, with the shouter plugin
/// and the three rules whose output the estate makes hostile.
fn scan(dir: &Path, format: &str, extra: &[&str]) -> Run {
    let shouter = test_plugin("shouter");
    tollgate()
        .current_dir(dir)
        .args(["scan", MARKUP_FILE, ESCAPE_FILE, "--format", format])
        .args(["--plugin", shouter.to_str().unwrap()])
        .args(["--rule", "network-policy", "--rule", "tls-min-version"])
        .args(["--rule", "test-shouter"])
        .args(extra)
        .output()
        .unwrap()
        .into()
}

/// The same scan written to a file with `-o`: the run and the file's text.
fn scan_to_file(dir: &Path, format: &str) -> (Run, String) {
    let file = dir.join(format!("report.{format}"));
    let run = scan(dir, format, &["-o", file.to_str().unwrap()]);
    let written = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    (run, written)
}

/// Characters that act on a terminal: C0 controls other than the line feeds we write,
/// DEL, C1 controls, and bidirectional overrides.
fn assert_printable(what: &str, text: &str) {
    let acting = text.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    });
    assert_eq!(acting, None, "{what} holds a control character:\n{text}");
}

const SUMMARY: &str = "FAIL  3 rules over 2 objects in 2 files: 2 findings (2 high), 1 waived";

#[test]
fn text_shows_hostile_names_messages_and_titles_escaped() {
    let secrets = secrets();
    let dir = estate(&secrets);
    let run = scan(dir.path(), "text", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = [
        "network-policy — Cover every workload with a NetworkPolicy",
        r"  waived   x`<img src=y onerror=alert(5)>`|z.yaml:1  Pod web\x1b]0;owned\x07\r\nPASS  3 rules over 2 objects in 2 files: no findings  [namespace-without-policy]",
        r"           namespace default runs Pod web\x1b]0;owned\x07\r\nPASS  3 rules over 2 objects in 2 files: no findings but has no NetworkPolicy; its pods accept any traffic",
        r"           medium accepted risk, waived by a config waiver: accepted\r\nPASS  3 rules over 2 objects in 2 files: no findings (no approver, no expiry)",
        "",
        r"test-shouter — Shout \x1b]0;owned\x07<script>alert(1)</script>",
        r"  high     x`<img src=y onerror=alert(5)>`|z.yaml:1  Pod web\x1b]0;owned\x07\r\nPASS  3 rules over 2 objects in 2 files: no findings  [shout]",
        r"           \x1b[2J\x1b[Hcleared \x1b]8;;http://evil.example\x1b\link\x1b]8;;\x1b\ [redacted GitHub token]",
        "           evidence: <script>alert(4)</script> | `tick` password=[redacted secret]",
        "",
        "tls-min-version — Allow only TLS 1.2 or newer",
        r"  high     hook\x1b[31m.yaml:8  ValidatingWebhookConfiguration hook  [verification-disabled]",
        "           ValidatingWebhookConfiguration hook: webhook URL http://[redacted URL user-info]@hooks.example/validate is plain HTTP; use https:// with a caBundle",
        "",
        "controls",
        "  soc2            3 not-satisfied, 1 waived, 5 not-assessed",
        "                  AICPA SOC 2 Trust Services Criteria (2017, revised points of focus 2022)",
        "  iso27001        5 not-satisfied, 2 waived, 10 not-assessed",
        "                  ISO/IEC 27001:2022 Annex A",
        "  cis-kubernetes  1 waived, 17 not-assessed",
        "                  CIS Kubernetes Benchmark v1.12 (ids also valid for v1.9-v1.11)",
        "  nist-800-53     4 not-satisfied, 2 waived, 10 not-assessed",
        "                  NIST SP 800-53 Rev. 5 (Security and Privacy Controls for Information Systems and Organizations)",
        "",
        "passed: network-policy",
        SUMMARY,
        "",
    ]
    .join("\n");
    assert_eq!(run.stdout, expected);
    assert_eq!(run.stderr, loaded_line(&test_plugin("shouter")));
    // Only the summary says PASS or FAIL at the start of a line: no forged verdict.
    let verdicts: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
        .collect();
    assert_eq!(verdicts, [SUMMARY]);

    let (to_file, written) = scan_to_file(dir.path(), "text");
    assert_eq!(written, expected);
    assert_eq!(
        (to_file.stdout.as_str(), to_file.stderr),
        (
            "",
            format!("{}{SUMMARY}\n", loaded_line(&test_plugin("shouter")))
        )
    );
}

#[test]
fn every_format_is_free_of_control_characters_and_credentials() {
    let secrets = secrets();
    let dir = estate(&secrets);
    for format in FORMATS {
        let (run, written) = scan_to_file(dir.path(), format);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_eq!(
            run.stderr,
            format!("{}{SUMMARY}\n", loaded_line(&test_plugin("shouter"))),
            "{format}"
        );
        let stdout = scan(dir.path(), format, &[]).stdout;
        for (what, text) in [("the file", &written), ("stdout", &stdout)] {
            assert_printable(&format!("{format} {what}"), text);
            for secret in [&secrets.password, &secrets.token] {
                assert!(
                    !text.contains(secret.as_str()),
                    "{format} {what} prints a credential"
                );
            }
        }
        if matches!(format, "json" | "sarif" | "oscal" | "gitlab") {
            serde_json::from_str::<Value>(&written)
                .unwrap_or_else(|e| panic!("{format} is not valid JSON: {e}"));
        }
    }
}

#[test]
fn json_formats_carry_the_escaped_and_redacted_text() {
    let dir = estate(&secrets());
    let shout = r"\x1b[2J\x1b[Hcleared \x1b]8;;http://evil.example\x1b\link\x1b]8;;\x1b\ [redacted GitHub token]";
    let webhook = "ValidatingWebhookConfiguration hook: webhook URL http://[redacted URL user-info]@hooks.example/validate is plain HTTP; use https:// with a caBundle";
    let pod = r"web\x1b]0;owned\x07\r\nPASS  3 rules over 2 objects in 2 files: no findings";

    let json: Value = serde_json::from_str(&scan(dir.path(), "json", &[]).stdout).unwrap();
    let shouted = &json["findings"][1];
    assert_eq!(shouted["message"], shout);
    assert_eq!(
        shouted["evidence"],
        "<script>alert(4)</script> | `tick` password=[redacted secret]"
    );
    assert_eq!(shouted["location"]["name"], pod);
    assert_eq!(json["findings"][2]["message"], webhook);
    assert_eq!(
        json["findings"][2]["location"]["file"],
        r"hook\x1b[31m.yaml"
    );
    assert_eq!(
        json["rules"][1]["title"],
        r"Shout \x1b]0;owned\x07<script>alert(1)</script>"
    );
    assert_eq!(
        json["evidence"]["waivers"][0]["reason"],
        r"accepted\r\nPASS  3 rules over 2 objects in 2 files: no findings"
    );

    let sarif: Value = serde_json::from_str(&scan(dir.path(), "sarif", &[]).stdout).unwrap();
    let messages: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["message"]["text"])
        .collect();
    assert_eq!(messages[1..], [shout, webhook]);

    let oscal: Value = serde_json::from_str(&scan(dir.path(), "oscal", &[]).stdout).unwrap();
    let observations = &oscal["assessment-results"]["results"][0]["observations"];
    let described: Vec<&str> = observations
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["types"][0] == "finding")
        .map(|o| o["description"].as_str().unwrap())
        .collect();
    assert_eq!(described[1..], [shout, webhook]);
}

#[test]
fn markdown_keeps_hostile_names_and_messages_in_their_cells() {
    let dir = estate(&secrets());
    let run = scan(dir.path(), "markdown", &[]);
    let table: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| *l != "### Findings")
        .skip(2)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        table,
        [
            "| severity | check | location | message |",
            "|---|---|---|---|",
            r"| ~~medium~~ waived | `network-policy/namespace-without-policy` | ``x`<img src=y onerror=alert(5)>`\|z.yaml:1`` | namespace default runs Pod web\\x1b\]0;owned\\x07\\r\\nPASS  3 rules over 2 objects in 2 files: no findings but has no NetworkPolicy; its pods accept any traffic *(waived: accepted\\r\\nPASS  3 rules over 2 objects in 2 files: no findings)* |",
            r"| high | `test-shouter/shout` | ``x`<img src=y onerror=alert(5)>`\|z.yaml:1`` | \\x1b\[2J\\x1b\[Hcleared \\x1b\]8;;http://evil.example\\x1b\\link\\x1b\]8;;\\x1b\\ \[redacted GitHub token\] |",
            r"| high | `tls-min-version/verification-disabled` | `hook\x1b[31m.yaml:8` | ValidatingWebhookConfiguration hook: webhook URL http://\[redacted URL user-info\]@hooks.example/validate is plain HTTP; use https:// with a caBundle |",
        ]
    );
}

#[test]
fn sarif_help_markdown_escapes_a_plugins_check_and_rule_titles() {
    let dir = estate(&secrets());
    let sarif: Value = serde_json::from_str(&scan(dir.path(), "sarif", &[]).stdout).unwrap();
    let shouter = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "test-shouter/shout")
        .expect("a descriptor for the shouter's check");
    assert_eq!(
        shouter["help"]["markdown"],
        r"**Shout \\x1b\[31mred\\x1b\[0m &lt;b&gt;bold&lt;/b&gt;**

\[click\](javascript:alert(4)) &lt;img src=x onerror=alert(5)&gt;

**Remediation:** None.\\r\\nPASS  0 rules over 0 objects in 0 files: no findings

Rule `test-shouter`: Shout \\x1b\]0;owned\\x07&lt;script&gt;alert(1)&lt;/script&gt;"
    );
}

#[test]
fn html_and_junit_escape_hostile_markup() {
    let dir = estate(&secrets());
    let html = scan(dir.path(), "html", &[]).stdout;
    let junit = scan(dir.path(), "junit", &[]).stdout;
    for (format, text) in [("html", &html), ("junit", &junit)] {
        for raw in ["<img src=y", "<script>alert", "<img src=x"] {
            assert!(!text.contains(raw), "{format} passes {raw:?} raw");
        }
    }
    assert!(html.contains(
        r#"<td class="mono">x`&lt;img src=y onerror=alert(5)&gt;`|z.yaml:1<br>Pod web\x1b]0;owned\x07\r\nPASS  3 rules over 2 objects in 2 files: no findings</td>"#
    ), "{html}");
    assert!(html.contains(
        "<small>evidence: <code>&lt;script&gt;alert(4)&lt;/script&gt; | `tick` password=[redacted secret]</code></small>"
    ), "{html}");
    assert!(junit.contains(
        r#"<testcase classname="test-shouter" name="shout Pod web\x1b]0;owned\x07\r\nPASS  3 rules over 2 objects in 2 files: no findings (x`&lt;img src=y onerror=alert(5)&gt;`|z.yaml:1)" file="x`&lt;img src=y onerror=alert(5)&gt;`|z.yaml" line="1">"#
    ), "{junit}");
}

#[test]
fn a_rules_error_text_is_redacted_and_escaped() {
    let secrets = secrets();
    let dir = tempfile::tempdir().unwrap();
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n    test.tollgate.dev/fail: \"cannot judge\\e[2J\\r\\nPASS with {}\"\n",
        secrets.token
    );
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let shouter = test_plugin("shouter");
    let run: Run = tollgate()
        .current_dir(dir.path())
        .args([
            "scan",
            "pod.yaml",
            "--rule",
            "test-shouter",
            "--format",
            "text",
        ])
        .args(["--plugin", shouter.to_str().unwrap()])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2);
    let shown = format!(
        r"  error  rule test-shouter: plugin {} failed: cannot judge\x1b[2J\r\nPASS with [redacted GitHub token]",
        shouter.display()
    );
    assert!(run.stdout.lines().any(|l| l == shown), "{}", run.stdout);
    assert_printable("stdout", &run.stdout);
    assert!(!run.stdout.contains(&secrets.token));
}

#[test]
fn errors_on_stderr_show_paths_and_config_values_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tollgate.yaml"),
        "frameworks: [\"soc2\\e]0;owned\\a\\r\\nPASS\"]\n",
    )
    .unwrap();
    let run: Run = tollgate()
        .current_dir(dir.path())
        .args(["scan", "--config", "tollgate.yaml", "."])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "tollgate: error: tollgate.yaml:1: unknown framework `soc2\\x1b]0;owned\\x07\\r\\nPASS` (known: soc2, iso27001, cis-kubernetes, nist-800-53)\n"
    );
}

#[test]
fn saved_reports_and_rule_listings_are_shown_clean() {
    let secrets = secrets();
    let dir = estate(&secrets);
    // A report cleaned when made reads back unchanged: cleaning twice changes nothing.
    let original = scan(dir.path(), "json", &[]).stdout;
    std::fs::write(dir.path().join("original.json"), &original).unwrap();
    let again: Run = tollgate()
        .current_dir(dir.path())
        .args(["report", "original.json", "--format", "json"])
        .output()
        .unwrap()
        .into();
    assert_eq!(again.stdout, original);
    // A saved report edited by hand is input like any other.
    let mut saved: Value = serde_json::from_str(&original).unwrap();
    saved["findings"][2]["message"] = Value::String(format!(
        "edited\u{1b}[2J\r\nPASS  no findings {}",
        secrets.token
    ));
    let path = dir.path().join("saved.json");
    std::fs::write(&path, saved.to_string()).unwrap();
    let run: Run = tollgate()
        .current_dir(dir.path())
        .args(["report", "saved.json", "--format", "text"])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 1);
    let shown = r"           edited\x1b[2J\r\nPASS  no findings [redacted GitHub token]";
    assert!(run.stdout.lines().any(|l| l == shown), "{}", run.stdout);
    assert_printable("stdout", &run.stdout);

    let shouter = test_plugin("shouter");
    let rules: Run = tollgate()
        .args(["rules", "--plugin", shouter.to_str().unwrap()])
        .output()
        .unwrap()
        .into();
    assert_eq!(rules.code, 0);
    let listed = r"test-shouter 0.1.0  Shout \x1b]0;owned\x07<script>alert(1)</script>";
    assert!(
        rules.stdout.lines().any(|l| l == listed),
        "{}",
        rules.stdout
    );
    assert_printable("rules", &rules.stdout);
}

#[test]
fn unknown_values_a_rule_repeats_are_redacted() {
    let secrets = secrets();
    let dir = tempfile::tempdir().unwrap();
    let ingress = format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    nginx.ingress.kubernetes.io/ssl-protocols: \"TLSv1.2 {}\"\nspec:\n  tls:\n  - hosts: [shop.example]\n  rules:\n  - host: shop.example\n",
        secrets.token
    );
    std::fs::write(dir.path().join("ingress.yaml"), ingress).unwrap();
    let run: Run = tollgate()
        .current_dir(dir.path())
        .args([
            "scan",
            "ingress.yaml",
            "--rule",
            "tls-min-version",
            "--format",
            "json",
        ])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(report["findings"][0]["check"], "unknown-value");
    assert_eq!(
        report["findings"][0]["message"],
        "Ingress shop/web: ingress-nginx annotation ssl-protocols has the unrecognised value \"[redacted GitHub token]\"; it cannot be judged, so it is not passed"
    );
    assert!(!run.stdout.contains(&secrets.token));
}
