//! GitLab Code Quality JSON (the Code Climate issue subset GitLab reads from a
//! `codequality` report artifact), so findings show in merge requests: an array with one
//! issue per finding that is not waived (description, check name, fingerprint, severity,
//! path and first line). Waived findings are accepted risk and left out; rule errors have
//! no place in the format and are left to the exit code and the other formats.

use serde::Serialize;

use super::{FindingRecord, Report, Severity};

/// One Code Quality issue, with the fields GitLab requires.
#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: String,
    fingerprint: &'a str,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// The report as a GitLab Code Quality array.
pub fn render(report: &Report) -> String {
    let issues: Vec<Issue<'_>> = report
        .findings
        .iter()
        .filter(|f| f.waiver.is_none())
        .map(issue)
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).expect("issues serialize");
    text.push('\n');
    text
}

fn issue(finding: &FindingRecord) -> Issue<'_> {
    Issue {
        description: finding.message.clone(),
        check_name: format!("{}/{}", finding.rule, finding.check),
        fingerprint: &finding.fingerprint,
        severity: severity(finding.severity),
        location: Location {
            path: &finding.location.file,
            // GitLab counts lines from 1; a finding about a whole file is shown at its top.
            lines: Lines {
                begin: finding.location.line.max(1),
            },
        },
    }
}

/// GitLab's five severities for ours.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "minor",
        Severity::Medium => "major",
        Severity::High => "critical",
        Severity::Critical => "blocker",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_sample_report() {
        crate::report::sample::assert_renders(
            "gitlab.json",
            &render(&crate::report::sample::report()),
        );
    }
}
