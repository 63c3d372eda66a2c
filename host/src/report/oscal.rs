//! OSCAL assessment-results JSON (OSCAL 1.1.2), what GRC tools import: one result whose
//! reviewed controls are the assessed ones, an observation per rule run and per finding,
//! an OSCAL finding per assessed control with its status, and the inputs and plugins with
//! their SHA-256 digests as back-matter resources. Each waived finding is also a risk
//! whose status is `deviation-approved` (an exception with accepted risk), with the
//! reason, approver and expiry (its deadline). UUIDs are derived from the content, so
//! the same run renders the same document.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{ControlResult, ControlStatus, FindingRecord, Report, text};

const OSCAL_VERSION: &str = "1.1.2";

pub fn render(report: &Report) -> String {
    let seed = format!(
        "{}\0{}\0{}",
        report.evidence.generated_at,
        report.tool.version,
        serde_json::to_string(&report.findings).expect("findings serialize")
    );
    let uuid = |parts: &[&str]| name_uuid(&seed, parts);
    let at = &report.evidence.generated_at;

    let resources: Vec<Value> = report
        .inputs
        .iter()
        .map(|input| {
            json!({
                "uuid": uuid(&["input", &input.path]),
                "title": input.path,
                "description": format!("Scanned input, {} bytes, {} objects", input.bytes, input.objects),
                "rlinks": [{"href": input.path, "hashes": [{"algorithm": "SHA-256", "value": input.sha256}]}],
            })
        })
        .chain(report.evidence.plugins.iter().map(|plugin| {
            json!({
                "uuid": uuid(&["plugin", &plugin.id]),
                "title": format!("tollgate rule plugin {} {}", plugin.id, plugin.version),
                "description": format!("WebAssembly component, source: {}", plugin.source),
                "rlinks": [{"href": format!("urn:tollgate:plugin:{}", plugin.id), "hashes": [{"algorithm": "SHA-256", "value": plugin.sha256}]}],
            })
        }))
        .collect();

    let mut observations = Vec::new();
    for rule in &report.rules {
        observations.push(json!({
            "uuid": uuid(&["rule", &rule.id]),
            "title": format!("Rule {} ran", rule.id),
            "description": format!(
                "{}: status {}, {} finding(s), {} waived, over {} input file(s).",
                rule.title,
                serde_json::to_value(rule.status).expect("status serializes").as_str().unwrap_or(""),
                rule.findings,
                rule.waived,
                report.inputs.len()
            ),
            "methods": ["TEST"],
            "types": ["control-objective"],
            "collected": at,
            "relevant-evidence": [{
                "href": format!("#{}", uuid(&["plugin", &rule.id])),
                "description": format!("rule plugin {} {} (SHA-256 {})", rule.id, rule.version, rule.sha256),
            }],
        }));
    }
    for finding in &report.findings {
        let input_link = report
            .inputs
            .iter()
            .find(|i| i.path == finding.location.file)
            .map(|i| format!("#{}", uuid(&["input", &i.path])));
        let mut evidence = json!({
            "description": format!("{}:{}{}", finding.location.file, finding.location.line,
                finding.location.pointer.as_deref().map(|p| format!(" at {p}")).unwrap_or_default()),
        });
        if let Some(href) = input_link {
            evidence["href"] = json!(href);
        }
        let mut observation = json!({
            "uuid": uuid(&["finding", &finding.fingerprint]),
            "title": format!("{}/{}", finding.rule, finding.check),
            "description": finding.message,
            "methods": ["TEST"],
            "types": ["finding"],
            "collected": at,
            "relevant-evidence": [evidence],
            "props": [
                {"name": "severity", "ns": "https://tollgate.dev/ns/oscal", "value": finding.severity.name()},
                {"name": "fingerprint", "ns": "https://tollgate.dev/ns/oscal", "value": finding.fingerprint},
            ],
        });
        if let Some(waiver) = &finding.waiver {
            observation["remarks"] = json!(waiver.describe());
        }
        observations.push(observation);
    }

    let assessed: Vec<&ControlResult> = report
        .controls
        .iter()
        .filter(|c| c.status != ControlStatus::NotAssessed)
        .collect();
    let findings: Vec<Value> = assessed
        .iter()
        .map(|control| {
            let (state, reason) = match control.status {
                ControlStatus::Satisfied => ("satisfied", "pass"),
                ControlStatus::NotSatisfied => ("not-satisfied", "fail"),
                ControlStatus::Waived
                | ControlStatus::Partial
                | ControlStatus::Error
                | ControlStatus::NotAssessed => ("not-satisfied", "other"),
            };
            let related: Vec<Value> = control
                .rules
                .iter()
                .map(|r| uuid(&["rule", r]))
                .chain(
                    control
                        .findings
                        .iter()
                        .chain(&control.waived)
                        .map(|f| uuid(&["finding", f])),
                )
                .map(|u| json!({"observation-uuid": u}))
                .collect();
            let risks: Vec<Value> = control
                .waived
                .iter()
                .map(|f| json!({"risk-uuid": uuid(&["risk", f])}))
                .collect();
            let mut finding = json!({
                "uuid": uuid(&["control", control.framework.name(), &control.id]),
                "title": format!("{} {}: {}", control.framework, control.id, control.title),
                "description": format!("{}: {}.", control.status.name(), control.basis),
                "target": {
                    "type": "objective-id",
                    "target-id": control_id(control),
                    "status": {"state": state, "reason": reason, "remarks": control.status.name()},
                },
                "related-observations": related,
            });
            if !risks.is_empty() {
                finding["related-risks"] = json!(risks);
            }
            finding
        })
        .collect();
    let risks: Vec<Value> = report
        .findings
        .iter()
        .filter_map(|f| accepted_risk(f, &uuid))
        .collect();
    let selection = if assessed.is_empty() {
        json!({"description": "No control was assessed in this run.", "include-all": {}})
    } else {
        let ids: Vec<Value> = assessed
            .iter()
            .map(|c| json!({"control-id": control_id(c)}))
            .collect();
        json!({"include-controls": ids})
    };

    let mut result = json!({
        "uuid": uuid(&["result"]),
        "title": "tollgate scan",
        "description": text::summary_counts(report),
        "start": at,
        "end": at,
        "reviewed-controls": {"control-selections": [selection]},
        "observations": observations,
        "findings": findings,
        "risks": risks,
    });
    if observations_empty(&result) {
        result
            .as_object_mut()
            .expect("object")
            .remove("observations");
    }
    for key in ["findings", "risks"] {
        if result[key].as_array().is_some_and(Vec::is_empty) {
            result.as_object_mut().expect("object").remove(key);
        }
    }
    let mut document = json!({"assessment-results": {
        "uuid": uuid(&["assessment-results"]),
        "metadata": {
            "title": "tollgate compliance assessment",
            "last-modified": at,
            "version": report.tool.version,
            "oscal-version": OSCAL_VERSION,
            "remarks": format!("Frameworks: {}. Control ids are `<framework>_<control>` in lower case.", framework_labels(report)),
        },
        "import-ap": {
            "href": "urn:tollgate:assessment-plan",
            "remarks": "tollgate's rules are the assessment plan; there is no separate plan document.",
        },
        "results": [result],
    }});
    if !resources.is_empty() {
        document["assessment-results"]["back-matter"] = json!({"resources": resources});
    }
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialize");
    text.push('\n');
    text
}

/// A waived finding as an OSCAL risk: an approved deviation, with the waiver's reason,
/// approver and expiry (the risk's deadline, the end of that day).
fn accepted_risk(finding: &FindingRecord, uuid: &impl Fn(&[&str]) -> String) -> Option<Value> {
    let waiver = finding.waiver.as_ref()?;
    let ns = "https://tollgate.dev/ns/oscal";
    let source = serde_json::to_value(waiver.source).expect("source serializes");
    let mut props = vec![json!({"name": "waiver-source", "ns": ns, "value": source})];
    if let Some(approver) = &waiver.approved_by {
        props.push(json!({"name": "approved-by", "ns": ns, "value": approver}));
    }
    let mut risk = json!({
        "uuid": uuid(&["risk", &finding.fingerprint]),
        "title": format!("Accepted risk: {}/{}", finding.rule, finding.check),
        "description": finding.message,
        "statement": waiver.describe(),
        "status": "deviation-approved",
        "props": props,
        "related-observations": [{"observation-uuid": uuid(&["finding", &finding.fingerprint])}],
    });
    if let Some(date) = &waiver.expires {
        risk["deadline"] = json!(format!("{date}T23:59:59Z"));
    }
    Some(risk)
}

fn observations_empty(result: &Value) -> bool {
    result["observations"].as_array().is_some_and(Vec::is_empty)
}

/// An OSCAL token for a control: `soc2_cc6.1`, `cis-kubernetes_5.1.1` (tokens may not
/// start with a digit, as CIS ids do).
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

/// The control as an OSCAL token: `framework_id` in lower case, a NIST enhancement
/// written as OSCAL catalogs write it (`AC-6(1)` is `ac-6.1`).
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

/// A name-based UUID (version 5 layout) from SHA-256 of the seed and parts.
fn name_uuid(seed: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(seed.as_bytes());
    for part in parts {
        hasher.update([0]);
        hasher.update(part.as_bytes());
    }
    let mut bytes: [u8; 16] = hasher.finalize()[..16].try_into().expect("16 bytes");
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = crate::vocab::hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
