//! SARIF 2.1.0, what CI code-scanning UIs read: one run, a reporting descriptor per
//! declared check of every rule that ran (help text, remediation, controls as tags), results with
//! locations and partial fingerprints, waived findings as suppressions, and rule errors
//! as tool execution notifications.

use serde_json::{Value, json};

use super::{CheckRecord, FindingRecord, Report, RuleResult, Severity, markdown};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(report: &Report) -> String {
    // Every declared check of every rule that ran, whether it fired or not.
    let descriptors: Vec<(String, &RuleResult, &CheckRecord)> = report
        .rules
        .iter()
        .flat_map(|rule| {
            rule.checks
                .iter()
                .map(move |check| (format!("{}/{}", rule.id, check.id), rule, check))
        })
        .collect();
    let rules: Vec<Value> = descriptors
        .iter()
        .map(|(id, rule, check)| descriptor(id, rule, check))
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let id = format!("{}/{}", f.rule, f.check);
            let index = descriptors.iter().position(|(d, ..)| *d == id);
            result(f, &id, index)
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let mut notification = json!({
                "level": "error",
                "message": {"text": e.message},
            });
            if let Some(file) = &e.file {
                notification["locations"] = json!([physical(file, e.line.unwrap_or(1), None)]);
            }
            if let Some(rule) = &e.rule {
                notification["associatedRule"] = json!({"id": rule});
            }
            notification
        })
        .collect();
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "endTimeUtc": report.evidence.generated_at,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": {
                "outcome": report.summary.outcome,
                "frameworks": report.settings.frameworks,
                "frameworkTitles": report.settings.framework_titles,
            },
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).expect("JSON values serialize");
    text.push('\n');
    text
}

fn descriptor(id: &str, rule: &RuleResult, check: &CheckRecord) -> Value {
    let mut tags = vec!["security".to_owned(), "compliance".to_owned()];
    tags.extend(
        check
            .controls
            .iter()
            .map(|c| format!("{}:{}", c.framework, c.id)),
    );
    json!({
        "id": id,
        "name": camel_case(id),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": format!("{} {}", check.rationale, rule.description)},
        "help": {
            "text": check.remediation,
            "markdown": format!(
                "**{}**\n\n{}\n\n**Remediation:** {}\n\nRule `{}`: {}",
                markdown::inline(&check.title),
                markdown::inline(&check.rationale),
                markdown::inline(&check.remediation),
                rule.id,
                markdown::inline(&rule.title)
            ),
        },
        "defaultConfiguration": {"level": level(check.severity)},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(check.severity),
            "precision": "high",
        },
    })
}

fn result(finding: &FindingRecord, id: &str, index: Option<usize>) -> Value {
    let at = &finding.location;
    let mut location = physical(&at.file, at.line, at.column);
    if let (Some(kind), Some(name)) = (&at.kind, &at.name) {
        let qualified = match &at.namespace {
            Some(ns) => format!("{kind}/{ns}/{name}"),
            None => format!("{kind}/{name}"),
        };
        location["logicalLocations"] =
            json!([{"name": name, "fullyQualifiedName": qualified, "kind": "object"}]);
    }
    let controls: Vec<String> = finding
        .controls
        .iter()
        .map(|c| format!("{}:{}", c.framework, c.id))
        .collect();
    let mut result = json!({
        "ruleId": id,
        "level": level(finding.severity),
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {"tollgate/v1": finding.fingerprint},
        "properties": {
            "severity": finding.severity,
            "controls": controls,
        },
    });
    if let Some(index) = index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(pointer) = &at.pointer {
        result["properties"]["pointer"] = json!(pointer);
    }
    if let Some(evidence) = &finding.evidence {
        result["properties"]["evidence"] = json!(evidence);
    }
    if let Some(waiver) = &finding.waiver {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": waiver.describe(),
            "properties": waiver_properties(waiver),
        }]);
    }
    result
}

/// The waiver's terms as SARIF suppression properties: source, approver, expiry.
fn waiver_properties(waiver: &super::WaiverRecord) -> Value {
    let mut properties = json!({"source": waiver.source});
    if let Some(approver) = &waiver.approved_by {
        properties["approvedBy"] = json!(approver);
    }
    if let Some(expires) = &waiver.expires {
        properties["expires"] = json!(expires);
    }
    properties
}

fn physical(file: &str, line: u32, column: Option<u32>) -> Value {
    let mut region = json!({"startLine": line.max(1)});
    if let Some(column) = column {
        region["startColumn"] = json!(column.max(1));
    }
    json!({"physicalLocation": {
        "artifactLocation": {"uri": uri(file)},
        "region": region,
    }})
}

/// A file path as a URI reference: relative paths stay relative, absolute ones become
/// `file://` URIs; characters URIs reserve are percent-encoded.
fn uri(path: &str) -> String {
    let mut encoded = String::new();
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

/// `network-policy/allow-all` → `NetworkPolicyAllowAll`: SARIF wants a name apart from
/// the id.
fn camel_case(id: &str) -> String {
    id.split(['-', '/'])
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's scale: 9.0+ critical, 7.0+ high, 4.0+ medium, else low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("deploy/web app.yaml"), "deploy/web%20app.yaml");
        assert_eq!(uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(
            camel_case("network-policy/allow-all"),
            "NetworkPolicyAllowAll"
        );
    }
}
