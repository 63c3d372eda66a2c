//! OSCAL assessment-results JSON (OSCAL 1.1.2), what GRC tools import: one result whose
//! reviewed controls are the assessed ones, an observation per rule run and per finding,
//! an OSCAL finding per assessed control with its status, and the inputs and plugins with
//! their SHA-256 digests as back-matter resources. Each waived finding is also a risk
//! whose status is `deviation-approved` (an exception with accepted risk), with the
//! reason, approver and expiry (its deadline). UUIDs are name-based (version 5) over the
//! content, so the same run renders the same document.
//!
//! The document is typed: the structs below are the subset of the OSCAL model we write,
//! field order as OSCAL's own examples list them.

use serde::Serialize;
use uuid::Uuid;

use super::{
    ControlResult, ControlStatus, FindingRecord, InputRecord, PluginRecord, Report, RuleResult,
    text,
};

const OSCAL_VERSION: &str = "1.1.2";

/// Namespace of our properties.
const PROPS_NS: &str = "https://tollgate.dev/ns/oscal";

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Document<'a> {
    assessment_results: AssessmentResults<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResults<'a> {
    uuid: Uuid,
    metadata: Metadata<'a>,
    import_ap: ImportAp,
    results: Vec<AssessmentResult<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    back_matter: Option<BackMatter<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata<'a> {
    title: &'static str,
    last_modified: &'a str,
    version: &'a str,
    oscal_version: &'static str,
    remarks: String,
}

#[derive(Serialize)]
struct ImportAp {
    href: &'static str,
    remarks: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResult<'a> {
    uuid: Uuid,
    title: &'static str,
    description: String,
    start: &'a str,
    end: &'a str,
    reviewed_controls: ReviewedControls,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observations: Vec<Observation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    risks: Vec<Risk<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ReviewedControls {
    control_selections: Vec<ControlSelection>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlSelection {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    include_all: Option<IncludeAll>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    include_controls: Vec<ControlIdRef>,
}

#[derive(Serialize)]
struct IncludeAll {}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlIdRef {
    control_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Observation<'a> {
    uuid: Uuid,
    title: String,
    description: String,
    methods: [&'static str; 1],
    types: [&'static str; 1],
    collected: &'a str,
    relevant_evidence: [RelevantEvidence; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Property<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
struct RelevantEvidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<String>,
    description: String,
}

#[derive(Serialize)]
struct Property<'a> {
    name: &'static str,
    ns: &'static str,
    value: &'a str,
}

impl<'a> Property<'a> {
    fn ours(name: &'static str, value: &'a str) -> Self {
        Self {
            name,
            ns: PROPS_NS,
            value,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Finding {
    uuid: Uuid,
    title: String,
    description: String,
    target: Target,
    related_observations: Vec<ObservationRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_risks: Vec<RiskRef>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Target {
    #[serde(rename = "type")]
    kind: &'static str,
    target_id: String,
    status: TargetStatus,
}

#[derive(Serialize)]
struct TargetStatus {
    state: &'static str,
    reason: &'static str,
    remarks: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ObservationRef {
    observation_uuid: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RiskRef {
    risk_uuid: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Risk<'a> {
    uuid: Uuid,
    title: String,
    description: &'a str,
    statement: String,
    status: &'static str,
    props: Vec<Property<'a>>,
    related_observations: [ObservationRef; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<String>,
}

#[derive(Serialize)]
struct BackMatter<'a> {
    resources: Vec<Resource<'a>>,
}

#[derive(Serialize)]
struct Resource<'a> {
    uuid: Uuid,
    title: String,
    description: String,
    rlinks: [Link<'a>; 1],
}

#[derive(Serialize)]
struct Link<'a> {
    href: String,
    hashes: [Hash<'a>; 1],
}

#[derive(Serialize)]
struct Hash<'a> {
    algorithm: &'static str,
    value: &'a str,
}

/// Name-based UUIDs for the parts of one document: version 5 over the run (its date,
/// the tool's version and its findings) and the part's name.
struct Ids {
    /// Our namespace for name-based UUIDs, itself named by our properties' namespace.
    namespace: Uuid,
    seed: String,
}

impl Ids {
    fn of(report: &Report) -> Self {
        let findings = serde_json::to_string(&report.findings).expect("findings serialize");
        let seed = format!(
            "{}\0{}\0{findings}",
            report.evidence.generated_at, report.tool.version
        );
        Self {
            namespace: Uuid::new_v5(&Uuid::NAMESPACE_URL, PROPS_NS.as_bytes()),
            seed,
        }
    }

    /// The UUID of the part named by `parts`.
    fn id(&self, parts: &[&str]) -> Uuid {
        let mut name = self.seed.clone();
        for part in parts {
            name.push('\0');
            name.push_str(part);
        }
        Uuid::new_v5(&self.namespace, name.as_bytes())
    }
}

/// The report as an OSCAL assessment-results document.
pub fn render(report: &Report) -> String {
    let ids = Ids::of(report);
    let at = report.evidence.generated_at.as_str();
    let resources: Vec<Resource<'_>> = report
        .inputs
        .iter()
        .map(|input| input_resource(input, &ids))
        .chain(
            report
                .evidence
                .plugins
                .iter()
                .map(|p| plugin_resource(p, &ids)),
        )
        .collect();
    let document = Document {
        assessment_results: AssessmentResults {
            uuid: ids.id(&["assessment-results"]),
            metadata: Metadata {
                title: "tollgate compliance assessment",
                last_modified: at,
                version: &report.tool.version,
                oscal_version: OSCAL_VERSION,
                remarks: format!(
                    "Frameworks: {}. Control ids are `<framework>_<control>` in lower case.",
                    framework_labels(report)
                ),
            },
            import_ap: ImportAp {
                href: "urn:tollgate:assessment-plan",
                remarks: "tollgate's rules are the assessment plan; there is no separate plan document.",
            },
            results: vec![result(report, &ids)],
            back_matter: (!resources.is_empty()).then_some(BackMatter { resources }),
        },
    };
    let mut text = serde_json::to_string_pretty(&document).expect("the document serializes");
    text.push('\n');
    text
}

/// The one result: what was reviewed, observed and found.
fn result<'a>(report: &'a Report, ids: &Ids) -> AssessmentResult<'a> {
    let at = report.evidence.generated_at.as_str();
    let assessed: Vec<&ControlResult> = report
        .controls
        .iter()
        .filter(|c| c.status != ControlStatus::NotAssessed)
        .collect();
    let observations = report
        .rules
        .iter()
        .map(|rule| rule_observation(rule, report, ids))
        .chain(
            report
                .findings
                .iter()
                .map(|f| finding_observation(f, report, ids)),
        )
        .collect();
    AssessmentResult {
        uuid: ids.id(&["result"]),
        title: "tollgate scan",
        description: text::summary_counts(report),
        start: at,
        end: at,
        reviewed_controls: ReviewedControls {
            control_selections: vec![selection(&assessed)],
        },
        observations,
        findings: assessed.iter().map(|c| control_finding(c, ids)).collect(),
        risks: report
            .findings
            .iter()
            .filter_map(|f| accepted_risk(f, ids))
            .collect(),
    }
}

/// The controls reviewed: the assessed ones, or a note that there were none.
fn selection(assessed: &[&ControlResult]) -> ControlSelection {
    if assessed.is_empty() {
        return ControlSelection {
            description: Some("No control was assessed in this run."),
            include_all: Some(IncludeAll {}),
            include_controls: Vec::new(),
        };
    }
    ControlSelection {
        description: None,
        include_all: None,
        include_controls: assessed
            .iter()
            .map(|c| ControlIdRef {
                control_id: control_id(c),
            })
            .collect(),
    }
}

fn input_resource<'a>(input: &'a InputRecord, ids: &Ids) -> Resource<'a> {
    Resource {
        uuid: ids.id(&["input", &input.path]),
        title: input.path.clone(),
        description: format!(
            "Scanned input, {} bytes, {} objects",
            input.bytes, input.objects
        ),
        rlinks: [Link {
            href: input.path.clone(),
            hashes: [sha256(&input.sha256)],
        }],
    }
}

fn plugin_resource<'a>(plugin: &'a PluginRecord, ids: &Ids) -> Resource<'a> {
    Resource {
        uuid: ids.id(&["plugin", &plugin.id]),
        title: format!("tollgate rule plugin {} {}", plugin.id, plugin.version),
        description: format!("WebAssembly component, source: {}", plugin.source),
        rlinks: [Link {
            href: format!("urn:tollgate:plugin:{}", plugin.id),
            hashes: [sha256(&plugin.sha256)],
        }],
    }
}

fn sha256(value: &str) -> Hash<'_> {
    Hash {
        algorithm: "SHA-256",
        value,
    }
}

/// That a rule ran, with its status and counts, evidenced by its plugin.
fn rule_observation<'a>(rule: &RuleResult, report: &'a Report, ids: &Ids) -> Observation<'a> {
    let status = serde_json::to_value(rule.status).expect("status serializes");
    Observation {
        uuid: ids.id(&["rule", &rule.id]),
        title: format!("Rule {} ran", rule.id),
        description: format!(
            "{}: status {}, {} finding(s), {} waived, over {} input file(s).",
            rule.title,
            status.as_str().unwrap_or(""),
            rule.findings,
            rule.waived,
            report.inputs.len()
        ),
        methods: ["TEST"],
        types: ["control-objective"],
        collected: &report.evidence.generated_at,
        relevant_evidence: [RelevantEvidence {
            href: Some(format!("#{}", ids.id(&["plugin", &rule.id]))),
            description: format!(
                "rule plugin {} {} (SHA-256 {})",
                rule.id, rule.version, rule.sha256
            ),
        }],
        props: Vec::new(),
        remarks: None,
    }
}

/// A finding, evidenced by its place in an input file.
fn finding_observation<'a>(
    finding: &'a FindingRecord,
    report: &'a Report,
    ids: &Ids,
) -> Observation<'a> {
    let at = &finding.location;
    let input = report.inputs.iter().find(|i| i.path == at.file);
    let pointer = at.pointer.as_deref().map(|p| format!(" at {p}"));
    Observation {
        uuid: ids.id(&["finding", &finding.fingerprint]),
        title: format!("{}/{}", finding.rule, finding.check),
        description: finding.message.clone(),
        methods: ["TEST"],
        types: ["finding"],
        collected: &report.evidence.generated_at,
        relevant_evidence: [RelevantEvidence {
            href: input.map(|i| format!("#{}", ids.id(&["input", &i.path]))),
            description: format!("{}:{}{}", at.file, at.line, pointer.unwrap_or_default()),
        }],
        props: vec![
            Property::ours("severity", finding.severity.name()),
            Property::ours("fingerprint", &finding.fingerprint),
        ],
        remarks: finding.waiver.as_ref().map(|w| w.describe()),
    }
}

/// An assessed control as an OSCAL finding: its status, the rule runs and findings it
/// rests on, and the accepted risks of its waived findings.
fn control_finding(control: &ControlResult, ids: &Ids) -> Finding {
    let (state, reason) = match control.status {
        ControlStatus::Satisfied => ("satisfied", "pass"),
        ControlStatus::NotSatisfied => ("not-satisfied", "fail"),
        ControlStatus::Waived
        | ControlStatus::Partial
        | ControlStatus::Error
        | ControlStatus::NotAssessed => ("not-satisfied", "other"),
    };
    let rule_runs = control.rules.iter().map(|r| ids.id(&["rule", r]));
    let findings =
        (control.findings.iter().chain(&control.waived)).map(|f| ids.id(&["finding", f]));
    Finding {
        uuid: ids.id(&["control", control.framework.name(), &control.id]),
        title: format!("{} {}: {}", control.framework, control.id, control.title),
        description: format!("{}: {}.", control.status.name(), control.basis),
        target: Target {
            kind: "objective-id",
            target_id: control_id(control),
            status: TargetStatus {
                state,
                reason,
                remarks: control.status.name(),
            },
        },
        related_observations: rule_runs
            .chain(findings)
            .map(|observation_uuid| ObservationRef { observation_uuid })
            .collect(),
        related_risks: control
            .waived
            .iter()
            .map(|f| RiskRef {
                risk_uuid: ids.id(&["risk", f]),
            })
            .collect(),
    }
}

/// A waived finding as an OSCAL risk: an approved deviation, with the waiver's reason,
/// approver and expiry (the risk's deadline, the end of that day).
fn accepted_risk<'a>(finding: &'a FindingRecord, ids: &Ids) -> Option<Risk<'a>> {
    let waiver = finding.waiver.as_ref()?;
    let mut props = vec![Property::ours("waiver-source", waiver.source.name())];
    if let Some(approver) = &waiver.approved_by {
        props.push(Property::ours("approved-by", approver));
    }
    Some(Risk {
        uuid: ids.id(&["risk", &finding.fingerprint]),
        title: format!("Accepted risk: {}/{}", finding.rule, finding.check),
        description: &finding.message,
        statement: waiver.describe(),
        status: "deviation-approved",
        props,
        related_observations: [ObservationRef {
            observation_uuid: ids.id(&["finding", &finding.fingerprint]),
        }],
        deadline: waiver
            .expires
            .as_ref()
            .map(|date| format!("{date}T23:59:59Z")),
    })
}

/// The frameworks assessed, each with its full title and version.
fn framework_labels(report: &Report) -> String {
    let settings = &report.settings;
    let labels: Vec<String> = settings
        .frameworks
        .iter()
        .map(|f| settings.framework_label(f))
        .collect();
    labels.join("; ")
}

/// The control as an OSCAL token: `framework_id` in lower case (`soc2_cc6.1`,
/// `cis-kubernetes_5.1.1`: tokens may not start with a digit, as CIS ids do), a NIST
/// enhancement written as OSCAL catalogs write it (`AC-6(1)` is `ac-6.1`).
fn control_id(control: &ControlResult) -> String {
    let id: String = control
        .id
        .to_lowercase()
        .chars()
        .filter(|&c| c != ')')
        .map(|c| if c == '(' { '.' } else { c })
        .collect();
    format!("{}_{id}", control.framework)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_sample_report() {
        crate::report::sample::assert_renders(
            "oscal.json",
            &render(&crate::report::sample::report()),
        );
    }

    #[test]
    fn ids_are_v5_uuids_named_by_the_run_and_the_part() {
        let ids = Ids {
            namespace: Uuid::new_v5(&Uuid::NAMESPACE_URL, PROPS_NS.as_bytes()),
            seed: "run".into(),
        };
        let id = ids.id(&["finding", "f1"]);
        assert_eq!(id.get_version_num(), 5);
        assert_eq!(id, Uuid::new_v5(&ids.namespace, b"run\0finding\0f1"));
    }
}
