//! SARIF 2.1.0, what CI code-scanning UIs read: one run, a reporting descriptor per
//! declared check of every rule that ran (help text, remediation, controls as tags), results with
//! locations and partial fingerprints, waived findings as suppressions, and rule errors
//! as tool execution notifications.
//!
//! The log is typed: the structs below are the subset of SARIF we write (serde-sarif
//! covers all of SARIF, generated from its schema, for the few dozen fields we use).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::vocab::Framework;

use super::{
    CheckRecord, ErrorRecord, FindingRecord, FrameworkTitle, LocationRecord, Outcome, Report,
    RuleResult, Severity, WaiverRecord, WaiverSource, markdown,
};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// What stays itself in a URI path: the unreserved characters and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation<'a>; 1],
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    end_time_utc: &'a str,
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    outcome: Outcome,
    frameworks: &'a [Framework],
    framework_titles: &'a [FrameworkTitle],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: String,
    name: String,
    short_description: Message<'a>,
    full_description: Message<'a>,
    help: Help<'a>,
    default_configuration: Configuration,
    properties: DescriptorProperties,
}

#[derive(Serialize)]
struct Message<'a> {
    text: std::borrow::Cow<'a, str>,
}

impl<'a> Message<'a> {
    fn new(text: impl Into<std::borrow::Cow<'a, str>>) -> Self {
        Self { text: text.into() }
    }
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message<'a>,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints<'a>,
    properties: ResultProperties<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'a>; 1]>,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "tollgate/v1")]
    tollgate_v1: &'a str,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: Severity,
    controls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    logical_locations: Option<[LogicalLocation<'a>; 1]>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: String,
    properties: SuppressionProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuppressionProperties<'a> {
    source: WaiverSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    approved_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification<'a> {
    level: &'static str,
    message: Message<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[Location<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_rule: Option<RuleReference<'a>>,
}

#[derive(Serialize)]
struct RuleReference<'a> {
    id: &'a str,
}

/// The report as a SARIF 2.1.0 log.
pub fn render(report: &Report) -> String {
    // Every declared check of every rule that ran, whether it fired or not.
    let rules: Vec<Descriptor<'_>> = report
        .rules
        .iter()
        .flat_map(|rule| rule.checks.iter().map(move |check| descriptor(rule, check)))
        .collect();
    let results = report
        .findings
        .iter()
        .map(|f| {
            let id = format!("{}/{}", f.rule, f.check);
            let index = rules.iter().position(|d| d.id == id);
            result(f, id, index)
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: &report.tool.name,
                    version: &report.tool.version,
                    semantic_version: &report.tool.version,
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: report.errors.is_empty(),
                end_time_utc: &report.evidence.generated_at,
                tool_execution_notifications: report.errors.iter().map(notification).collect(),
            }],
            results,
            properties: RunProperties {
                outcome: report.summary.outcome,
                frameworks: &report.settings.frameworks,
                framework_titles: &report.settings.framework_titles,
            },
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).expect("the log serializes");
    text.push('\n');
    text
}

/// A declared check as a reporting descriptor `rule/check`.
fn descriptor<'a>(rule: &'a RuleResult, check: &'a CheckRecord) -> Descriptor<'a> {
    let id = format!("{}/{}", rule.id, check.id);
    let mut tags = vec!["security".to_owned(), "compliance".to_owned()];
    tags.extend(check.controls.iter().map(|c| c.tag()));
    Descriptor {
        name: camel_case(&id),
        id,
        short_description: Message::new(check.title.as_str()),
        full_description: Message::new(format!("{} {}", check.rationale, rule.description)),
        help: Help {
            text: &check.remediation,
            markdown: format!(
                "**{}**\n\n{}\n\n**Remediation:** {}\n\nRule `{}`: {}",
                markdown::inline(&check.title),
                markdown::inline(&check.rationale),
                markdown::inline(&check.remediation),
                rule.id,
                markdown::inline(&rule.title)
            ),
        },
        default_configuration: Configuration {
            level: level(check.severity),
        },
        properties: DescriptorProperties {
            tags,
            security_severity: security_severity(check.severity),
            precision: "high",
        },
    }
}

fn result(finding: &FindingRecord, rule_id: String, index: Option<usize>) -> SarifResult<'_> {
    SarifResult {
        rule_id,
        rule_index: index,
        level: level(finding.severity),
        message: Message::new(finding.message.as_str()),
        locations: [location(&finding.location)],
        partial_fingerprints: Fingerprints {
            tollgate_v1: &finding.fingerprint,
        },
        properties: ResultProperties {
            severity: finding.severity,
            controls: finding.controls.iter().map(|c| c.tag()).collect(),
            pointer: finding.location.pointer.as_deref(),
            evidence: finding.evidence.as_deref(),
        },
        suppressions: finding.waiver.as_ref().map(|w| [suppression(w)]),
    }
}

/// A waiver as an external, accepted suppression with its terms.
fn suppression(waiver: &WaiverRecord) -> Suppression<'_> {
    Suppression {
        kind: "external",
        status: "accepted",
        justification: waiver.describe(),
        properties: SuppressionProperties {
            source: waiver.source,
            approved_by: waiver.approved_by.as_deref(),
            expires: waiver.expires.as_deref(),
        },
    }
}

fn notification(error: &ErrorRecord) -> Notification<'_> {
    Notification {
        level: "error",
        message: Message::new(error.message.as_str()),
        locations: error
            .file
            .as_deref()
            .map(|file| [physical(file, error.line.unwrap_or(1), None)]),
        associated_rule: error.rule.as_deref().map(|id| RuleReference { id }),
    }
}

/// A finding's file and line, and the object it is in as a logical location.
fn location(at: &LocationRecord) -> Location<'_> {
    let mut location = physical(&at.file, at.line, at.column);
    location.logical_locations = at.object().map(|object| {
        [LogicalLocation {
            name: object.name,
            fully_qualified_name: object.qualified_name(),
            kind: "object",
        }]
    });
    location
}

fn physical<'a>(file: &str, line: u32, column: Option<u32>) -> Location<'a> {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(file) },
            region: Region {
                start_line: line.max(1),
                start_column: column.map(|c| c.max(1)),
            },
        },
        logical_locations: None,
    }
}

/// A file path as a URI reference: relative paths stay relative, absolute ones become
/// `file://` URIs; characters URIs reserve are percent-encoded.
fn uri(path: &str) -> String {
    let encoded = utf8_percent_encode(path, PATH);
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded.to_string()
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
    fn renders_the_sample_report() {
        crate::report::sample::assert_renders("sarif", &render(&crate::report::sample::report()));
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("deploy/web app.yaml"), "deploy/web%20app.yaml");
        assert_eq!(uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("é.yaml"), "%C3%A9.yaml");
        assert_eq!(
            camel_case("network-policy/allow-all"),
            "NetworkPolicyAllowAll"
        );
    }
}
