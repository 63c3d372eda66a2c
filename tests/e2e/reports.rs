//! The compliance report in every format, checked with real external validators: control
//! statuses against written-out expectations, SARIF with the SARIF multitool and the
//! official schema, OSCAL with compliance-trestle's models, JUnit with junitparser, the
//! HTML page in headless Chromium; then rendering saved runs again and merging shards.

use std::path::Path;
use std::process::Command;

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::{control_statuses, findings, run, scan_json, test_plugin, test_tool};

fn python(script: &str, args: &[&Path]) -> String {
    let output = Command::new(test_tool("venv/bin/python"))
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Runs `tollgate scan ARGS --format FORMAT -o DIR/report.FORMAT`, checks it exits with
/// `code`, and returns the file (written even when a rule fails).
fn render(dir: &Path, format: &str, args: &[&str], code: i32) -> std::path::PathBuf {
    let file = dir.join(format!("report.{format}"));
    let run = run(&[
        &["scan", "--format", format, "-o", file.to_str().unwrap()],
        args,
    ]
    .concat());
    assert_eq!(run.code, code, "{}", run.stderr);
    assert!(file.exists(), "{}", run.stderr);
    file
}

#[test]
fn waivers_and_control_statuses() {
    let (code, report) = scan_json(&["config/waivers"]);
    assert_eq!(
        findings(&report),
        [
            "network-policy/pod-not-selected config/waivers/app.yaml:11 Deployment shop/web",
            "network-policy/pod-not-selected config/waivers/app.yaml:30 Deployment shop/worker",
            "tls-min-version/weak-protocol config/waivers/app.yaml:58 Ingress web/old",
            "rbac-least-privilege/namespace-full-wildcard config/waivers/legacy/rbac.yaml:9 Role legacy/legacy-admin",
        ]
    );
    let sources: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["waiver"]["source"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(sources, ["config", "annotation", "-", "config"]);
    let web = &report["findings"][0]["waiver"];
    assert_eq!(web["expires"], "2027-06-30");
    assert_eq!(web["approved_by"], "security@example.com");
    // The expired waiver applies to nothing and says so.
    let waivers: Vec<(bool, u64)> = report["evidence"]["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["expired"].as_bool().unwrap(),
                w["applied"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(waivers, [(false, 1), (false, 1), (true, 0)]);
    assert_eq!(code, 1, "the finding of the expired waiver fails the run");
    // The config limits the report to two frameworks; every status, written out.
    assert_eq!(
        report["settings"]["frameworks"],
        serde_json::json!(["soc2", "cis-kubernetes"])
    );
    assert_eq!(
        control_statuses(&report, &[]),
        [
            "soc2 CC6.1 waived",
            "soc2 CC6.2 not-assessed",
            "soc2 CC6.3 waived",
            "soc2 CC6.6 waived",
            "soc2 CC6.7 not-satisfied",
            "soc2 CC6.8 not-assessed",
            "soc2 CC7.1 not-satisfied",
            "soc2 CC7.2 not-assessed",
            "soc2 CC8.1 not-assessed",
            "cis-kubernetes 1.2.29 not-assessed",
            "cis-kubernetes 4.2.12 not-assessed",
            "cis-kubernetes 5.1.1 not-assessed",
            "cis-kubernetes 5.1.2 waived",
            "cis-kubernetes 5.1.3 waived",
            "cis-kubernetes 5.1.4 waived",
            "cis-kubernetes 5.1.5 satisfied",
            "cis-kubernetes 5.1.6 satisfied",
            "cis-kubernetes 5.1.7 not-assessed",
            "cis-kubernetes 5.1.8 waived",
            "cis-kubernetes 5.1.9 satisfied",
            "cis-kubernetes 5.1.10 satisfied",
            "cis-kubernetes 5.1.11 satisfied",
            "cis-kubernetes 5.1.12 satisfied",
            "cis-kubernetes 5.1.13 waived",
            "cis-kubernetes 5.3.2 satisfied",
            "cis-kubernetes 5.4.1 not-assessed",
            "cis-kubernetes 5.4.2 not-assessed",
        ]
    );
    // No binding, no API server, no Secret in the input: nothing to judge, not satisfied.
    let basis = |i: usize| report["controls"][i]["basis"].as_str().unwrap().to_owned();
    assert_eq!(
        (basis(1), basis(9)),
        (
            "no tollgate rule evidences this control".to_owned(),
            "its rules ran, but the input held nothing they judge for it".to_owned()
        )
    );
    assert_eq!(
        basis(15),
        "tested, no exceptions in the scanned scope: 2 objects (2 Deployment)"
    );
    let cc61 = &report["controls"][0];
    assert_eq!(
        cc61["basis"],
        "only waived findings break it (3): exceptions with accepted risk"
    );
    assert_eq!(
        cc61["rules"],
        serde_json::json!([
            "network-policy",
            "no-git-credentials",
            "rbac-least-privilege",
            "tls-min-version"
        ])
    );
    assert_eq!(cc61["findings"].as_array().unwrap().len(), 0);
    assert_eq!(cc61["waived"].as_array().unwrap().len(), 3);
    // --framework wins over the config.
    let (_, iso) = scan_json(&["config/waivers", "--framework", "iso27001"]);
    assert_eq!(
        iso["settings"]["frameworks"],
        serde_json::json!(["iso27001"])
    );
    assert_eq!(iso["controls"].as_array().unwrap().len(), 17);
}

#[test]
fn a_crashed_rule_leaves_its_controls_in_error() {
    let panic = test_plugin("panic");
    let (code, report) = scan_json(&[
        "network-policy/compliant",
        "--plugin",
        panic.to_str().unwrap(),
        "--rule",
        "test-panic",
        "--rule",
        "network-policy",
        "--framework",
        "soc2",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        control_statuses(&report, &[]),
        [
            "soc2 CC6.1 error",
            "soc2 CC6.2 not-assessed",
            "soc2 CC6.3 not-assessed",
            "soc2 CC6.6 satisfied",
            "soc2 CC6.7 not-assessed",
            "soc2 CC6.8 not-assessed",
            "soc2 CC7.1 partial",
            "soc2 CC7.2 not-assessed",
            "soc2 CC8.1 not-assessed",
        ]
    );
    assert_eq!(
        report["controls"][0]["basis"],
        "rule test-panic failed to run"
    );
    assert_eq!(
        report["controls"][1]["basis"],
        "no tollgate rule evidences this control"
    );
}

#[test]
fn unreadable_inputs_leave_no_control_satisfied() {
    let (code, report) = scan_json(&[
        "input/invalid.yaml",
        "network-policy/compliant",
        "--framework",
        "soc2",
    ]);
    assert_eq!(code, 2);
    let satisfied: Vec<String> = control_statuses(&report, &[])
        .into_iter()
        .filter(|s| s.ends_with(" satisfied"))
        .collect();
    assert_eq!(satisfied, Vec::<String>::new());
}

#[test]
fn an_annotation_without_a_reason_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pod.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\n  annotations:\n    tollgate.dev/waive: network-policy\nspec:\n  containers: []\n",
    )
    .unwrap();
    let (code, report) = scan_json(&[file.to_str().unwrap(), "--rule", "network-policy"]);
    assert_eq!(code, 2);
    assert_eq!(report["findings"][0]["waiver"], Value::Null);
    let error = &report["errors"][0];
    assert_eq!(error["line"], 1);
    assert_eq!(
        error["message"],
        "Pod p: tollgate.dev/waive without tollgate.dev/waive-reason is refused; its findings stand"
    );
}

#[test]
fn sarif_is_valid_for_the_multitool_and_the_official_schema() {
    let dir = tempfile::tempdir().unwrap();
    let panic = test_plugin("panic");
    let sarif = render(
        dir.path(),
        "sarif",
        &["config/waivers", "--plugin", panic.to_str().unwrap()],
        2,
    );
    let schema = test_tool("node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json");
    let validation = dir.path().join("validation.sarif");
    let output = Command::new(test_tool("node_modules/.bin/sarif-multitool"))
        .args(["validate", sarif.to_str().unwrap(), "--output"])
        .arg(&validation)
        .args(["--log", "ForceOverwrite", "--json-schema"])
        .arg(&schema)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let results: Value = serde_json::from_slice(&std::fs::read(&validation).unwrap()).unwrap();
    let problems: Vec<&Value> = results["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert!(problems.is_empty(), "the multitool found: {problems:#?}");
    python(
        "import json, sys, jsonschema\n\
         jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))",
        &[&sarif, &schema],
    );

    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let web = &results[0];
    assert_eq!(web["ruleId"], "network-policy/pod-not-selected");
    assert_eq!(web["level"], "warning");
    assert_eq!(
        web["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "config/waivers/app.yaml"
    );
    assert_eq!(
        web["locations"][0]["physicalLocation"]["region"]["startLine"],
        11
    );
    assert_eq!(
        web["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "Deployment/shop/web"
    );
    assert_eq!(
        web["partialFingerprints"]["tollgate/v1"]
            .as_str()
            .unwrap()
            .len(),
        32
    );
    assert_eq!(web["suppressions"][0]["status"], "accepted");
    assert!(
        results[2]["suppressions"].is_null(),
        "the expired waiver suppresses nothing"
    );
    let rule = &run["tool"]["driver"]["rules"][web["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "network-policy/pod-not-selected");
    let tags = rule["properties"]["tags"].as_array().unwrap();
    assert!(tags.contains(&Value::from("nist-800-53:SC-7")), "{tags:?}");
    assert!(
        rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains("default-deny")
    );
    // The crashed rule is reported where CI systems look for tool failures.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["associatedRule"]["id"],
        "test-panic"
    );
}

#[test]
fn oscal_is_valid_for_compliance_trestle() {
    let dir = tempfile::tempdir().unwrap();
    let oscal = render(dir.path(), "oscal", &["config/waivers"], 1);
    let checked = python(
        "import json, sys, uuid\n\
         from trestle.oscal.assessment_results import AssessmentResults\n\
         document = json.load(open(sys.argv[1]))\n\
         results = AssessmentResults.parse_obj(document['assessment-results'])\n\
         result = results.results[0]\n\
         def uuids(node):\n\
         \x20   if isinstance(node, dict):\n\
         \x20       for key, value in node.items():\n\
         \x20           if key.endswith('uuid'): yield value\n\
         \x20           else: yield from uuids(value)\n\
         \x20   elif isinstance(node, list):\n\
         \x20       for value in node: yield from uuids(value)\n\
         ids = list(uuids(document))\n\
         print(len(ids), sorted({uuid.UUID(i).version for i in ids}), len(set(ids)))\n\
         print(len(result.observations), len(results.back_matter.resources), len(result.risks))\n\
         for f in result.findings: print(f.target.target_id, f.target.status.state.value, f.target.status.reason)",
        &[&oscal],
    );
    // Every id and reference is a name-based (version 5) UUID, one per part: 6 resources, 8
    // observations, 17 assessed controls, 3 risks, the result and the document.
    // One observation per rule run (4) and per finding (4); inputs (2) and plugins (4) as
    // resources; a risk per waived finding (3). Each assessed control in the report's
    // order: waived is not satisfied, and not-assessed ones (soc2 CC8.1) are left out.
    assert_eq!(
        checked,
        "92 [5] 36\n\
         8 6 3\n\
         soc2_cc6.1 not-satisfied other\n\
         soc2_cc6.3 not-satisfied other\n\
         soc2_cc6.6 not-satisfied other\n\
         soc2_cc6.7 not-satisfied fail\n\
         soc2_cc7.1 not-satisfied fail\n\
         cis-kubernetes_5.1.2 not-satisfied other\n\
         cis-kubernetes_5.1.3 not-satisfied other\n\
         cis-kubernetes_5.1.4 not-satisfied other\n\
         cis-kubernetes_5.1.5 satisfied pass\n\
         cis-kubernetes_5.1.6 satisfied pass\n\
         cis-kubernetes_5.1.8 not-satisfied other\n\
         cis-kubernetes_5.1.9 satisfied pass\n\
         cis-kubernetes_5.1.10 satisfied pass\n\
         cis-kubernetes_5.1.11 satisfied pass\n\
         cis-kubernetes_5.1.12 satisfied pass\n\
         cis-kubernetes_5.1.13 not-satisfied other\n\
         cis-kubernetes_5.3.2 satisfied pass\n"
    );
    // Rendering is reproducible: same run, same document, wherever it is written.
    let elsewhere = tempfile::tempdir().unwrap();
    let again = render(elsewhere.path(), "oscal", &["config/waivers"], 1);
    assert_eq!(
        std::fs::read(&oscal).unwrap(),
        std::fs::read(again).unwrap()
    );
}

#[test]
fn junit_parses_with_the_counts_ci_shows() {
    let dir = tempfile::tempdir().unwrap();
    let panic = test_plugin("panic");
    let junit = render(
        dir.path(),
        "junit",
        &["config/waivers", "--plugin", panic.to_str().unwrap()],
        2,
    );
    let counts = python(
        "import sys\n\
         from junitparser import JUnitXml\n\
         xml = JUnitXml.fromfile(sys.argv[1])\n\
         for suite in xml: print(suite.name, suite.tests, suite.failures, suite.errors, suite.skipped)",
        &[&junit],
    );
    assert_eq!(
        counts,
        "network-policy 3 0 0 2\n\
         no-git-credentials 2 0 0 0\n\
         rbac-least-privilege 2 0 0 1\n\
         test-panic 3 0 1 0\n\
         tls-min-version 2 1 0 0\n"
    );
}

#[test]
fn markdown_is_short_and_folds_long_lists() {
    let run = run(&["scan", "config/waivers", "--format", "markdown"]);
    assert_eq!(run.code, 1);
    let text = run.stdout;
    // Everything but the footer, whose commit is the checkout's, is known.
    let (body, footer) = text.trim_end().rsplit_once('\n').unwrap();
    let expected =
        std::fs::read_to_string(crate::util::fixtures().join("reports/waivers.md")).unwrap();
    assert_eq!(format!("{body}\n"), expected);
    let commit = footer
        .strip_prefix("<sub>tollgate 0.1.0 · 2027-01-15T08:00:00Z · commit ")
        .and_then(|rest| rest.strip_suffix(" · not signed</sub>"))
        .unwrap_or_else(|| panic!("{footer}"));
    let hex = commit.trim_end_matches(" (dirty)");
    assert!(
        hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        "{footer}"
    );
    // What a PR comment shows before anything is unfolded stays short.
    let mut folded = false;
    let visible = text
        .lines()
        .filter(|line| {
            if line.starts_with("<details>") {
                folded = true;
            }
            let shown = !folded;
            if line.starts_with("</details>") {
                folded = false;
            }
            shown
        })
        .count();
    assert!(visible < 40, "{visible} lines unfolded:\n{text}");
}

#[test]
fn html_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let html = render(dir.path(), "html", &["config/waivers"], 1);
    let page = std::fs::read_to_string(&html).unwrap();
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(
            !page.contains(external),
            "the page must make no requests: {external}"
        );
    }
    let chromium = test_tool("/usr/bin/chromium");
    let profile = dir.path().join("profile");
    let output = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The script ran to its end (it marks the body), so it threw nothing.
    assert!(dom.contains("<body data-ready=\"true\">"), "{dom}");
    assert!(dom.contains("<td class=\"mono\">CC6.1</td>"), "{dom}");
    assert!(
        dom.contains("old clients until the end of 2026"),
        "the expired waiver is listed"
    );
    let screenshot = dir.path().join("report.png");
    let output = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(output.status.success());
    let colours = screenshot_colours(&screenshot);
    assert!(
        colours.len() > 100,
        "a page of text, not a blank one: {} colours",
        colours.len()
    );
    // The badges, as the stylesheet colours them: FAIL and not-satisfied, satisfied,
    // waived, not-assessed.
    for (status, rgb) in [
        ("fail", [0xcf, 0x22, 0x2e]),
        ("satisfied", [0x1a, 0x7f, 0x37]),
        ("waived", [0x9a, 0x67, 0x00]),
        ("not-assessed", [0x6e, 0x77, 0x81]),
    ] {
        assert!(
            colours.get(&rgb).is_some_and(|&n| n >= 50),
            "no {status} badge in the screenshot"
        );
    }
}

/// How many pixels of each colour a PNG screenshot has.
fn screenshot_colours(png: &Path) -> std::collections::HashMap<[u8; 3], usize> {
    let file = std::io::BufReader::new(std::fs::File::open(png).unwrap());
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let channels = frame.color_type.samples();
    assert!(channels >= 3, "a colour screenshot: {:?}", frame.color_type);
    let mut colours = std::collections::HashMap::new();
    for pixel in pixels[..frame.buffer_size()].chunks_exact(channels) {
        *colours.entry([pixel[0], pixel[1], pixel[2]]).or_insert(0) += 1;
    }
    colours
}

#[test]
fn saved_runs_render_again_and_shards_merge() {
    let dir = tempfile::tempdir().unwrap();
    let shard_a = render(dir.path(), "json", &["config/waivers"], 1);
    let sarif_direct = render(dir.path(), "sarif", &["config/waivers"], 1);
    // Rendering the saved run gives what the scan gave.
    let again = dir.path().join("again.sarif");
    let rerun = run(&[
        "report",
        shard_a.to_str().unwrap(),
        "--format",
        "sarif",
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(rerun.code, 1, "{}", rerun.stderr);
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&sarif_direct).unwrap()
    );

    let shard_b = dir.path().join("b.json");
    let run_b = run(&[
        "scan",
        "rbac/violating.yaml",
        "--config",
        "config/waivers/.tollgate.yaml",
        "--format",
        "json",
        "-o",
        shard_b.to_str().unwrap(),
    ]);
    assert_eq!(run_b.code, 1, "{}", run_b.stderr);
    let merged = run(&[
        "report",
        "merge",
        shard_a.to_str().unwrap(),
        shard_b.to_str().unwrap(),
    ]);
    assert_eq!(merged.code, 1, "{}", merged.stderr);
    let report: Value = serde_json::from_str(&merged.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(report["summary"]["findings"], 6);
    assert_eq!(report["summary"]["waived"], 3);
    assert_eq!(report["evidence"]["shards"].as_array().unwrap().len(), 2);
    assert!(
        control_statuses(&report, &[]).contains(&"cis-kubernetes 5.1.1 not-satisfied".to_owned())
    );

    // A shard made by another build of a plugin is refused, unless allowed.
    let mut other: Value = serde_json::from_slice(&std::fs::read(&shard_b).unwrap()).unwrap();
    other["evidence"]["plugins"][0]["sha256"] = Value::from("0".repeat(64));
    std::fs::write(&shard_b, other.to_string()).unwrap();
    let refused = run(&[
        "report",
        "merge",
        shard_a.to_str().unwrap(),
        shard_b.to_str().unwrap(),
    ]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("ran as different plugins"),
        "{}",
        refused.stderr
    );
    let allowed = run(&[
        "report",
        "merge",
        "--allow-plugin-mismatch",
        shard_a.to_str().unwrap(),
        shard_b.to_str().unwrap(),
    ]);
    assert_eq!(allowed.code, 1, "{}", allowed.stderr);
}

#[test]
fn every_format_names_the_cis_benchmark_version() {
    let cis = "CIS Kubernetes Benchmark v1.12 (ids also valid for v1.9-v1.11)";
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "tls/cis-ciphers/apiserver-allowlisted.yaml",
        "--rule",
        "tls-min-version",
        "--framework",
        "cis-kubernetes",
    ];
    let read =
        |format: &str| std::fs::read_to_string(render(dir.path(), format, &args, 0)).unwrap();
    let json = |format: &str| serde_json::from_str::<Value>(&read(format)).unwrap();
    let titles = serde_json::json!([{"name": "cis-kubernetes", "title": cis}]);

    assert_eq!(json("json")["settings"]["framework_titles"], titles);
    assert_eq!(
        json("sarif")["runs"][0]["properties"]["frameworkTitles"],
        titles
    );
    assert_eq!(
        json("oscal")["assessment-results"]["metadata"]["remarks"],
        format!(
            "Frameworks: cis-kubernetes: {cis}. Control ids are `<framework>_<control>` in lower case."
        )
    );
    // Text: the title under the framework's status counts.
    let text = read("text");
    let lines: Vec<&str> = text.lines().collect();
    let counts = lines
        .iter()
        .position(|l| l.starts_with("  cis-kubernetes  "))
        .unwrap();
    assert_eq!(lines[counts + 1], format!("{:18}{cis}", ""));
    let markdown = read("markdown");
    assert!(
        markdown
            .lines()
            .any(|l| l == format!("Frameworks: `cis-kubernetes` {cis}.")),
        "{markdown}"
    );
    let html = read("html");
    assert!(
        html.contains(&format!(
            "<h3>cis-kubernetes</h3><p class=\"framework-title\">{cis}</p>"
        )),
        "{html}"
    );
    // JUnit: the suite's properties, as junitparser reads them.
    let junit = render(dir.path(), "junit", &args, 0);
    let properties = python(
        "import sys\n\
         from junitparser import JUnitXml\n\
         for suite in JUnitXml.fromfile(sys.argv[1]):\n\
         \x20   for p in suite.properties(): print(suite.name, '|', p.name, '|', p.value)",
        &[&junit],
    );
    assert_eq!(
        properties,
        format!("tls-min-version | framework cis-kubernetes | {cis}\n")
    );
}
