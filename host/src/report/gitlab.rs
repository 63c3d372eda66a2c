//! GitLab Code Quality JSON (the Code Climate issue subset GitLab reads from a
//! `codequality` report artifact), so findings show in merge requests: an array with one
//! issue per finding that is not waived (description, check name, fingerprint, severity,
//! path and first line). Waived findings are accepted risk and left out; rule errors have
//! no place in the format and are left to the exit code and the other formats.
//!
//! GitLab shows one issue per fingerprint, so each issue's is unique in the array: the
//! finding's fingerprint with the file it is in (the same object in two files, such as two
//! install bundles, is two issues; `./` in the path changes nothing) and, for a finding
//! repeated in a file, its occurrence among them (waived ones counted, so that waiving one
//! renumbers none).

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{FindingRecord, Report, Severity, file_parts};

/// One Code Quality issue, with the fields GitLab requires.
#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: String,
    fingerprint: String,
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
    let mut seen: HashMap<(&str, Vec<&str>), u32> = HashMap::new();
    let issues: Vec<Issue<'_>> = (report.findings.iter())
        .filter_map(|finding| {
            let file = file_parts(&finding.location.file);
            let occurrence = seen.entry((&finding.fingerprint, file)).or_default();
            *occurrence += 1;
            (finding.waiver.is_none()).then(|| issue(finding, *occurrence))
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).expect("issues serialize");
    text.push('\n');
    text
}

/// The issue of `finding`, the `occurrence`-th (from 1) of its fingerprint in its file.
fn issue(finding: &FindingRecord, occurrence: u32) -> Issue<'_> {
    Issue {
        description: finding.message.clone(),
        check_name: format!("{}/{}", finding.rule, finding.check),
        fingerprint: issue_fingerprint(finding, occurrence),
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

/// The first 16 bytes of the SHA-256 of the finding's fingerprint, its file's parts and
/// (past the first) its occurrence, NUL-separated, as 32 hex digits.
fn issue_fingerprint(finding: &FindingRecord, occurrence: u32) -> String {
    let mut hasher = Sha256::new();
    hasher.update(finding.fingerprint.as_bytes());
    hasher.update([0]);
    hasher.update(file_parts(&finding.location.file).join("/").as_bytes());
    if occurrence > 1 {
        hasher.update([0]);
        hasher.update(occurrence.to_string().as_bytes());
    }
    crate::vocab::hex(&hasher.finalize()[..16])
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

    #[test]
    fn every_issue_has_a_fingerprint_of_its_own() {
        let mut report = crate::report::sample::report();
        report.findings.retain(|f| f.waiver.is_none());
        let finding = report.findings[0].clone();
        let mut in_other_file = finding.clone();
        in_other_file.location.file = "other/bundle.yaml".into();
        report.findings = vec![finding.clone(), finding, in_other_file];
        let issues: Vec<serde_json::Value> = serde_json::from_str(&render(&report)).unwrap();
        let prints: Vec<&str> = issues
            .iter()
            .map(|issue| issue["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(prints.len(), 3);
        assert!(prints.iter().all(|p| p.len() == 32));
        assert!(prints[0] != prints[1] && prints[1] != prints[2] && prints[0] != prints[2]);

        // Waiving the first of two in a file leaves the second's; `./` changes nothing.
        let waived = crate::report::sample::report().findings;
        let waived = waived.into_iter().find(|f| f.waiver.is_some()).unwrap();
        let mut first = report.findings[0].clone();
        first.waiver = waived.waiver;
        let mut second = report.findings[1].clone();
        second.location.file = format!("./{}", second.location.file);
        report.findings = vec![first, second];
        let issues: Vec<serde_json::Value> = serde_json::from_str(&render(&report)).unwrap();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0]["fingerprint"], prints[1]);
    }
}
