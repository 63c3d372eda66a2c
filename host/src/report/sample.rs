//! A small report built by hand for the renderers' tests: one rule with two checks, a
//! finding that fails the run, a waived one, a rule error and an input error, two
//! controls, a config waiver and one input file. Each renderer's test compares its whole
//! output with the file `testdata/sample.FORMAT` beside this one.

use super::*;
use crate::vocab::{FailOn, Framework};

/// The sample report.
pub fn report() -> Report {
    let findings = vec![finding_at_web(), waived_finding()];
    let errors = vec![
        ErrorRecord {
            rule: Some("network-policy".into()),
            file: None,
            line: None,
            message: "plugin trapped: unreachable".into(),
        },
        ErrorRecord {
            rule: None,
            file: Some("broken.yaml".into()),
            line: Some(4),
            message: "mapping values are not allowed here".into(),
        },
    ];
    let tool = Tool {
        name: "tollgate".into(),
        version: "0.1.0".into(),
    };
    Report {
        schema_version: SCHEMA_VERSION,
        tool: tool.clone(),
        settings: Settings {
            default_namespace: "default".into(),
            fail_on: FailOn::At(Severity::Low),
            frameworks: vec![Framework::Soc2],
            framework_titles: vec![FrameworkTitle {
                name: Framework::Soc2,
                title: "SOC 2 <2017>".into(),
            }],
        },
        rules: vec![rule()],
        controls: controls(),
        summary: Summary::of((1, 2, 3, 0), &findings, errors.len(), Some(Severity::Low)),
        findings,
        errors,
        inputs: vec![InputRecord {
            path: "app.yaml".into(),
            sha256: "ab".repeat(32),
            bytes: 120,
            objects: 3,
            first_seen: None,
        }],
        skipped: Vec::new(),
        notices: Vec::new(),
        evidence: evidence(tool),
    }
}

fn control(id: &str, status: ControlStatus, basis: &str) -> ControlResult {
    ControlResult {
        framework: Framework::Soc2,
        id: id.into(),
        title: format!("Control {id}"),
        status,
        basis: basis.into(),
        scope: Scope::default(),
        rules: vec!["network-policy".into()],
        findings: Vec::new(),
        waived: Vec::new(),
    }
}

fn controls() -> Vec<ControlResult> {
    let mut broken = control("CC6.6", ControlStatus::NotSatisfied, "1 finding breaks it");
    broken.findings = vec!["f-web".into()];
    let mut waived = control(
        "CC7.1",
        ControlStatus::Waived,
        "only waived findings break it (1): exceptions with accepted risk",
    );
    waived.waived = vec!["f-db".into()];
    vec![broken, waived]
}

fn cc(id: &str) -> ControlRef {
    ControlRef {
        framework: Framework::Soc2,
        id: id.into(),
    }
}

fn rule() -> RuleResult {
    let check = |id: &str, severity, control: &str| CheckRecord {
        id: id.into(),
        title: format!("Check {id}"),
        severity,
        rationale: "Pods should be isolated.".into(),
        remediation: "Add a NetworkPolicy.".into(),
        controls: vec![cc(control)],
    };
    RuleResult {
        id: "network-policy".into(),
        version: "1.0.0".into(),
        title: "Network policies".into(),
        description: "Every pod is selected by a policy.".into(),
        checks: vec![
            check("pod-not-selected", Severity::High, "CC6.6"),
            check("allow-all", Severity::Medium, "CC7.1"),
        ],
        source: RuleSource::Builtin,
        sha256: "cd".repeat(32),
        status: RuleStatus::Error,
        findings: 1,
        waived: 1,
        coverage: Vec::new(),
        inputs: vec![RuleInput::Manifests],
    }
}

/// A high finding about a Deployment, with evidence; its message has markup in it.
fn finding_at_web() -> FindingRecord {
    FindingRecord {
        rule: "network-policy".into(),
        check: "pod-not-selected".into(),
        severity: Severity::High,
        message: "Deployment shop/web: no policy selects <web> & its \"pods\"".into(),
        controls: [cc("CC6.6")].into(),
        location: LocationRecord {
            file: "app.yaml".into(),
            line: 3,
            column: Some(5),
            kind: Some("Deployment".into()),
            namespace: Some("shop".into()),
            name: Some("web".into()),
            pointer: Some("/spec".into()),
            ..LocationRecord::default()
        },
        evidence: Some("podSelector: {}".into()),
        waiver: None,
        fingerprint: "f-web".into(),
    }
}

/// A medium finding about a cluster-scoped object, waived by a config waiver.
fn waived_finding() -> FindingRecord {
    FindingRecord {
        rule: "network-policy".into(),
        check: "allow-all".into(),
        severity: Severity::Medium,
        message: "ClusterRole db allows all".into(),
        controls: [cc("CC7.1")].into(),
        location: LocationRecord {
            file: "app.yaml".into(),
            line: 20,
            kind: Some("ClusterRole".into()),
            name: Some("db".into()),
            ..LocationRecord::default()
        },
        evidence: None,
        waiver: Some(Box::new(WaiverRecord {
            source: WaiverSource::Config,
            reason: "the db's own firewall".into(),
            expires: Some("2027-06-30".into()),
            approved_by: Some("ana@example.com".into()),
        })),
        fingerprint: "f-db".into(),
    }
}

fn evidence(tool: Tool) -> Evidence {
    Evidence {
        generated_at: "2027-01-15T08:00:00Z".into(),
        tool,
        plugins: vec![PluginRecord {
            id: "network-policy".into(),
            version: "1.0.0".into(),
            sha256: "cd".repeat(32),
            source: RuleSource::Builtin,
        }],
        git: Some(GitRecord {
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            dirty: false,
        }),
        config: Some(ConfigRecord {
            path: ".tollgate.yaml".into(),
            sha256: "ef".repeat(32),
        }),
        waivers: vec![WaiverEntry {
            rule: "network-policy".into(),
            check: Some("allow-all".into()),
            target: "object ClusterRole/db".into(),
            reason: "the db's own firewall".into(),
            expires: Some("2027-06-30".into()),
            approved_by: Some("ana@example.com".into()),
            expired: false,
            applied: 1,
        }],
        shards: Vec::new(),
        signature: None,
    }
}

/// Compares a renderer's output with `testdata/sample.EXTENSION`; with
/// `TOLLGATE_BLESS=1` in the environment, writes it there instead.
pub fn assert_renders(extension: &str, rendered: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/report/testdata")
        .join(format!("sample.{extension}"));
    if std::env::var_os("TOLLGATE_BLESS").is_some() {
        std::fs::write(&path, rendered).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    pretty_assertions::assert_eq!(rendered, expected, "{}", path.display());
}
