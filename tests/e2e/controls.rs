//! Control statuses an auditor can sign: `satisfied` only when every rule evidencing a
//! control ran and judged something that bears on it, `partial` naming what was not
//! assessed, the scope each status rests on, consistent mappings per check, and the
//! catalog documented in `docs/controls.md`.

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::{control, control_statuses, run, scan_json};

/// The basis of one control.
fn basis(report: &Value, framework: &str, id: &str) -> String {
    control(report, framework, id)["basis"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One nginx Deployment (its own service account, no token) and a default-deny policy: no
/// TLS settings, no Roles, no bindings. Only what was judged is `satisfied`.
#[test]
fn an_nginx_deployment_and_a_default_deny_policy_satisfy_only_what_they_evidence() {
    let (code, report) = scan_json(&["controls/nginx"]);
    assert_eq!(code, 0);
    assert_eq!(
        control_statuses(&report, &["soc2", "iso27001"]),
        [
            "soc2 CC6.1 partial",
            "soc2 CC6.2 not-assessed",
            "soc2 CC6.3 not-assessed",
            "soc2 CC6.6 satisfied",
            "soc2 CC6.7 not-assessed",
            "soc2 CC6.8 not-assessed",
            "soc2 CC7.1 partial",
            "soc2 CC7.2 not-assessed",
            "soc2 CC8.1 not-assessed",
            "iso27001 A.5.14 not-assessed",
            "iso27001 A.5.15 not-assessed",
            "iso27001 A.5.17 satisfied",
            "iso27001 A.5.18 not-assessed",
            "iso27001 A.8.2 not-assessed",
            "iso27001 A.8.3 not-assessed",
            "iso27001 A.8.4 satisfied",
            "iso27001 A.8.5 partial",
            "iso27001 A.8.9 partial",
            "iso27001 A.8.12 satisfied",
            "iso27001 A.8.20 satisfied",
            "iso27001 A.8.21 not-assessed",
            "iso27001 A.8.22 satisfied",
            "iso27001 A.8.24 partial",
            "iso27001 A.8.25 not-assessed",
            "iso27001 A.8.28 satisfied",
            "iso27001 A.8.32 not-assessed",
        ]
    );
    // Each status says what it rests on.
    assert_eq!(
        basis(&report, "soc2", "CC6.1"),
        "tested by network-policy, no-git-credentials, rbac-least-privilege on 2 objects \
         (1 Deployment, 1 NetworkPolicy) and 2 files, no exceptions; not assessed by \
         tls-min-version (judged nothing that bears on it)"
    );
    assert_eq!(
        basis(&report, "iso27001", "A.5.17"),
        "tested, no exceptions in the scanned scope: 1 object (1 Deployment) and 2 files"
    );
    assert_eq!(
        basis(&report, "soc2", "CC6.7"),
        "its rules ran, but the input held nothing they judge for it"
    );
    assert_eq!(
        control(&report, "cis-kubernetes", "5.3.2")["scope"],
        serde_json::json!({"objects": {"Deployment": 1}, "files": 0})
    );
}

/// A subset run: controls that other rules also evidence are `partial`, naming the rules
/// that did not run; controls only the run rule evidences are judged in full.
#[test]
fn a_subset_run_leaves_shared_controls_partial() {
    let (_, report) = scan_json(&["controls/nginx", "--rule", "network-policy"]);
    assert_eq!(
        control_statuses(&report, &["soc2"]),
        [
            "soc2 CC6.1 partial",
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
        basis(&report, "soc2", "CC6.1"),
        "tested by network-policy on 2 objects (1 Deployment, 1 NetworkPolicy), no \
         exceptions; not assessed by no-git-credentials (not run), rbac-least-privilege \
         (not run), tls-min-version (not run)"
    );
    assert_eq!(
        basis(&report, "soc2", "CC6.3"),
        "its rules were not run: rbac-least-privilege"
    );
    assert_eq!(
        basis(&report, "iso27001", "A.8.20"),
        "tested, no exceptions in the scanned scope: 2 objects (1 Deployment, 1 NetworkPolicy)"
    );
}

/// Every check of the credentials rule maps to the same core controls: a plaintext
/// Secret breaks A.5.17 and A.8.28 alike.
#[test]
fn a_plaintext_secret_breaks_every_control_of_its_check_consistently() {
    let dir = tempfile::tempdir().unwrap();
    let password = ["hunter", "2-", "correct-horse"].concat();
    std::fs::write(
        dir.path().join("secret.yaml"),
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\n\
             stringData:\n  password: {password}\n"
        ),
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let (code, report) = scan_json(&[path, "--rule", "no-git-credentials"]);
    assert_eq!(code, 1);
    let checks: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["plaintext-secret"]);
    let broken: Vec<String> = control_statuses(&report, &["soc2", "iso27001", "nist-800-53"])
        .into_iter()
        .filter(|s| s.ends_with(" not-satisfied"))
        .collect();
    assert_eq!(
        broken,
        [
            "soc2 CC6.1 not-satisfied",
            "soc2 CC7.1 not-satisfied",
            "iso27001 A.5.17 not-satisfied",
            "iso27001 A.8.12 not-satisfied",
            "iso27001 A.8.28 not-satisfied",
            "nist-800-53 IA-5(7) not-satisfied",
        ]
    );
    // CIS 5.4.2 (external secret storage) is not something a Secret in Git evidences.
    assert_eq!(
        basis(&report, "cis-kubernetes", "5.4.2"),
        "no tollgate rule evidences this control"
    );
    assert!(!run(&["scan", path]).stdout.contains(&password));
}

/// A full wildcard is one finding, yet its check carries the CIS item of every permission
/// it implies in its reach: with a namespace's only Secret-reading role a `*/*/*` Role,
/// CIS 5.1.2 is not satisfied; what a Role cannot reach (PVs, nodes/proxy, CSRs,
/// webhooks) is judged clean.
#[test]
fn a_full_wildcard_breaks_every_cis_item_it_implies() {
    let (code, report) = scan_json(&["controls/full-wildcard", "--rule", "rbac-least-privilege"]);
    assert_eq!(code, 1);
    assert_eq!(
        crate::util::findings(&report),
        [
            "rbac-least-privilege/namespace-full-wildcard controls/full-wildcard/rbac.yaml:11 Role shop/shop-admin"
        ]
    );
    let section_5_1: Vec<String> = control_statuses(&report, &["cis-kubernetes"])
        .into_iter()
        .filter(|s| s.starts_with("cis-kubernetes 5.1."))
        .collect();
    assert_eq!(
        section_5_1,
        [
            "cis-kubernetes 5.1.1 satisfied",
            "cis-kubernetes 5.1.2 not-satisfied",
            "cis-kubernetes 5.1.3 not-satisfied",
            "cis-kubernetes 5.1.4 not-satisfied",
            "cis-kubernetes 5.1.5 satisfied",
            "cis-kubernetes 5.1.6 not-assessed",
            "cis-kubernetes 5.1.7 satisfied",
            "cis-kubernetes 5.1.8 not-satisfied",
            "cis-kubernetes 5.1.9 satisfied",
            "cis-kubernetes 5.1.10 satisfied",
            "cis-kubernetes 5.1.11 satisfied",
            "cis-kubernetes 5.1.12 satisfied",
            "cis-kubernetes 5.1.13 not-satisfied",
        ]
    );
    // Bound cluster-wide with every non-resource URL it is cluster-admin in all but name:
    // every item of 5.1 it touches, 5.1.1 included, is not satisfied.
    let (_, report) = scan_json(&["rbac/wildcards.yaml", "--rule", "rbac-least-privilege"]);
    let broken: Vec<String> = control_statuses(&report, &["cis-kubernetes"])
        .into_iter()
        .filter(|s| s.ends_with(" not-satisfied"))
        .collect();
    assert_eq!(
        broken,
        [
            "cis-kubernetes 5.1.1 not-satisfied",
            "cis-kubernetes 5.1.2 not-satisfied",
            "cis-kubernetes 5.1.3 not-satisfied",
            "cis-kubernetes 5.1.4 not-satisfied",
            "cis-kubernetes 5.1.8 not-satisfied",
            "cis-kubernetes 5.1.9 not-satisfied",
            "cis-kubernetes 5.1.10 not-satisfied",
            "cis-kubernetes 5.1.11 not-satisfied",
            "cis-kubernetes 5.1.12 not-satisfied",
            "cis-kubernetes 5.1.13 not-satisfied",
        ]
    );
}

/// `docs/controls.md` is `tollgate frameworks --format markdown`: the reasoning an auditor
/// follows cannot drift from the catalog and the rules' declared checks.
#[test]
fn docs_controls_md_matches_the_catalog() {
    let generated = run(&["frameworks", "--format", "markdown"]);
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/controls.md");
    let written = std::fs::read_to_string(&docs).unwrap_or_default();
    assert!(
        written == generated.stdout,
        "docs/controls.md is out of date: run `cargo run -- frameworks --format markdown > docs/controls.md`"
    );
}

/// `tollgate frameworks` names every framework with its version, the CIS benchmark
/// included, and says why each control is evidenced and by which checks.
#[test]
fn frameworks_show_versions_reasons_and_checks() {
    let listing = run(&["frameworks"]).stdout;
    let headers: Vec<&str> = listing
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .collect();
    assert_eq!(
        headers,
        [
            "soc2 — AICPA SOC 2 Trust Services Criteria (2017, revised points of focus 2022): 5 of 9 controls evidenced",
            "iso27001 — ISO/IEC 27001:2022 Annex A: 15 of 17 controls evidenced",
            "cis-kubernetes — CIS Kubernetes Benchmark v1.12 (ids also valid for v1.9-v1.11): 16 of 18 controls evidenced",
            "nist-800-53 — NIST SP 800-53 Rev. 5 (Security and Privacy Controls for Information Systems and Organizations): 16 of 16 controls evidenced",
        ]
    );
    let json: Value =
        serde_json::from_str(&run(&["frameworks", "--format", "json"]).stdout).unwrap();
    let cis = &json["frameworks"][2]["controls"][0];
    assert_eq!(cis["id"], "1.2.29");
    assert_eq!(
        cis["checks"],
        serde_json::json!(["tls-min-version/apiserver-cipher-suites"])
    );
}

/// `tollgate explain` gives a check's rationale, fix and controls; an unknown check names
/// the rule's checks.
#[test]
fn explain_a_check_and_refuse_an_unknown_one() {
    let explained = run(&["explain", "rbac-least-privilege/system-masters"]);
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    let controls: Vec<&str> = explained
        .stdout
        .lines()
        .skip_while(|l| l.trim() != "Controls:")
        .skip(1)
        .map(str::trim)
        .collect();
    assert_eq!(
        controls,
        [
            "soc2 CC6.1: The entity implements logical access security software, infrastructure, and architectures over protected information assets to protect them from security events",
            "soc2 CC6.3: The entity authorizes, modifies, or removes access to data, software, functions, and other protected information assets based on roles, responsibilities, or the system design, considering least privilege and segregation of duties",
            "soc2 CC7.1: To meet its objectives, the entity uses detection and monitoring procedures to identify changes to configurations that result in the introduction of new vulnerabilities, and susceptibilities to newly discovered vulnerabilities",
            "iso27001 A.5.18: Access rights",
            "iso27001 A.8.2: Privileged access rights",
            "iso27001 A.8.9: Configuration management",
            "cis-kubernetes 5.1.7: Avoid use of system:masters group",
            "nist-800-53 AC-6: Least Privilege",
            "nist-800-53 AC-6(5): Least Privilege | Privileged Accounts",
            "nist-800-53 CM-6: Configuration Settings",
        ]
    );
    let unknown = run(&["explain", "rbac-least-privilege/wildcards"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.starts_with(
            "tollgate: error: rule rbac-least-privilege has no check \"wildcards\" (its checks: "
        ),
        "{}",
        unknown.stderr
    );
}

/// The README's rule table agrees with `tollgate rules --format json`: each row names every
/// check of its rule, and its controls cell is exactly the union of its checks' controls.
#[test]
fn the_readme_rule_table_matches_the_rules_listing() {
    let listing: Value = serde_json::from_str(&run(&["rules", "--format", "json"]).stdout).unwrap();
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"),
    )
    .unwrap();
    for rule in listing["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{id}` |")))
            .unwrap_or_else(|| panic!("README has no row for {id}"));
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
        let [_, checks, controls] = cells[..] else {
            panic!("{id}: a row has three cells: {row}")
        };
        for check in rule["checks"].as_array().unwrap() {
            let check = format!("`{}`", check["id"].as_str().unwrap());
            assert!(
                checks.contains(&check),
                "README row {id} does not name {check}"
            );
        }
        assert_eq!(controls.trim(), controls_cell(rule), "README row {id}");
    }
}

/// A rule's controls as the README writes them: `SOC 2 CC6.1, CC7.1; ISO 27001 A.8.9; ...`,
/// frameworks in catalog order, ids in natural order (`A.8.4` before `A.8.20`).
fn controls_cell(rule: &Value) -> String {
    let names = [
        ("soc2", "SOC 2"),
        ("iso27001", "ISO 27001"),
        ("cis-kubernetes", "CIS"),
        ("nist-800-53", "NIST 800-53"),
    ];
    let mut ids: Vec<(usize, String)> = Vec::new();
    for check in rule["checks"].as_array().unwrap() {
        for control in check["controls"].as_array().unwrap() {
            let framework = names
                .iter()
                .position(|(n, _)| control["framework"] == *n)
                .expect("a known framework");
            let id = (framework, control["id"].as_str().unwrap().to_owned());
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.sort_by_cached_key(|(framework, id)| {
        let parts: Vec<(Option<u64>, String)> = id
            .split(['.', '-', '(', ')'])
            .map(|part| (part.parse().ok(), part.to_owned()))
            .collect();
        (*framework, parts)
    });
    names
        .iter()
        .enumerate()
        .filter_map(|(i, (_, title))| {
            let mine: Vec<&str> = ids
                .iter()
                .filter(|(f, _)| *f == i)
                .map(|(_, id)| id.as_str())
                .collect();
            (!mine.is_empty()).then(|| format!("{title} {}", mine.join(", ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// OSCAL keeps its satisfied / not-satisfied vocabulary: `partial` is not-satisfied with
/// the reason `other`, and every finding's description carries the basis and scope.
/// Markdown and HTML say what `satisfied` claims.
#[test]
fn oscal_markdown_and_html_state_the_scope_of_a_status() {
    let oscal = run(&["scan", "controls/nginx", "--format", "oscal"]);
    let oscal: Value = serde_json::from_str(&oscal.stdout).unwrap();
    let findings = oscal["assessment-results"]["results"][0]["findings"]
        .as_array()
        .unwrap();
    let finding = |target: &str| {
        findings
            .iter()
            .find(|f| f["target"]["target-id"] == target)
            .unwrap_or_else(|| panic!("no OSCAL finding for {target}"))
    };
    let cc61 = finding("soc2_cc6.1");
    assert_eq!(
        cc61["target"]["status"],
        serde_json::json!({"state": "not-satisfied", "reason": "other", "remarks": "partial"})
    );
    assert!(
        cc61["description"].as_str().unwrap().starts_with(
            "partial: tested by network-policy, no-git-credentials, rbac-least-privilege on"
        ),
        "{cc61}"
    );
    let ac4 = finding("nist-800-53_ac-4");
    assert_eq!(
        ac4["description"],
        "satisfied: tested, no exceptions in the scanned scope: 2 objects (1 Deployment, 1 NetworkPolicy)."
    );
    assert_eq!(ac4["target"]["status"]["state"], "satisfied");

    let note = "Satisfied means tested, no exceptions in the scanned scope; it does not say the control is met for the organisation.";
    let markdown = run(&["scan", "controls/nginx", "--format", "markdown"]).stdout;
    assert!(markdown.contains(note), "{markdown}");
    assert!(
        markdown.contains("| `soc2` `CC6.6` | satisfied | tested, no exceptions in the scanned scope: 2 objects (1 Deployment, 1 NetworkPolicy) |"),
        "{markdown}"
    );
    let html = run(&["scan", "controls/nginx", "--format", "html"]).stdout;
    assert!(
        html.contains(note),
        "the HTML report says what satisfied claims"
    );
}

/// A config naming a check its rule does not have is refused at the line that names it:
/// a misspelled check would otherwise silently do nothing.
#[test]
fn a_config_naming_an_unknown_check_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tollgate.yaml");
    std::fs::write(
        &config,
        "rules:\n  network-policy:\n    check-severities:\n      allow-al: low\n",
    )
    .unwrap();
    let run = run(&[
        "scan",
        "controls/nginx",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: {}:4: rule `network-policy` has no check `allow-al` (its checks: \
             namespace-without-policy, pod-not-selected, allow-all, unreadable-selector, \
             egress-unrestricted)\n",
            config.display()
        )
    );
}

/// SARIF describes every declared check of every rule that ran, not only those that fired.
#[test]
fn sarif_describes_every_declared_check() {
    let sarif: Value =
        serde_json::from_str(&run(&["scan", "controls/nginx", "--format", "sarif"]).stdout)
            .unwrap();
    let described: Vec<String> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let listing: Value = serde_json::from_str(&run(&["rules", "--format", "json"]).stdout).unwrap();
    let declared: Vec<String> = listing["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|rule| {
            let id = rule["id"].as_str().unwrap().to_owned();
            rule["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |c| format!("{id}/{}", c["id"].as_str().unwrap()))
        })
        .collect();
    assert_eq!(described, declared);
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
}

/// Merging a shard that ran only some rules never yields `satisfied` for a control whose
/// other rules did not judge that shard's inputs.
#[test]
fn a_merge_keeps_controls_partial_when_a_shard_did_not_run_their_rules() {
    let dir = tempfile::tempdir().unwrap();
    let shard = |name: &str, extra: &[&str]| {
        let path = dir.path().join(name);
        let out = run(&[
            &[
                "scan",
                "controls/nginx",
                "--format",
                "json",
                "-o",
                path.to_str().unwrap(),
            ],
            extra,
        ]
        .concat());
        assert_eq!(out.code, 0, "{}", out.stderr);
        path.to_str().unwrap().to_owned()
    };
    let subset = shard("subset.json", &["--rule", "network-policy"]);
    let full = shard("full.json", &[]);
    let merged = run(&["report", "merge", &subset, &full, "--format", "json"]);
    let report: Value = serde_json::from_str(&merged.stdout).unwrap();
    let status = |id: &str| {
        let control = control(&report, "iso27001", id);
        (
            control["status"].as_str().unwrap().to_owned(),
            control["basis"].as_str().unwrap().to_owned(),
        )
    };
    // Only network-policy evidences A.8.20, and it ran in both shards.
    assert_eq!(status("A.8.20").0, "satisfied");
    assert_eq!(
        status("A.5.17"),
        (
            "partial".to_owned(),
            format!(
                "tested by no-git-credentials, rbac-least-privilege on 1 object (1 Deployment) \
                 and 2 files, no exceptions; not assessed by no-git-credentials (not run in \
                 {subset}), rbac-least-privilege (not run in {subset})"
            )
        )
    );
}
