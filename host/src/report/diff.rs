//! Two runs' reports compared, for an audit period or a pull request: findings new, fixed
//! and still open (matched by fingerprint, so a finding that moved lines is still the
//! same one), the config's waivers added, expired and removed, and every control whose
//! status changed. A new finding at or above the fail-on severity that is not waived fails
//! the comparison, so CI can gate on "nothing new" without a baseline file. Rendered as
//! text, JSON or Markdown by [`render`].

pub mod render;

use std::collections::HashMap;

use serde::Serialize;

use super::merge::Saved;
use super::{
    ControlStatus, FailOn, FindingRecord, Framework, GitRecord, Outcome, Report, Severity,
    WaiverEntry,
};

/// Version of the JSON shape of a diff.
pub const DIFF_VERSION: u32 = 1;

/// What changed from one report to the next.
#[derive(Clone, Debug, Serialize)]
pub struct ReportDiff {
    pub tollgate_diff: u32,
    pub old: RunRecord,
    pub new: RunRecord,
    /// The lowest severity of a new finding that fails the comparison, or `never`.
    pub fail_on: FailOn,
    pub findings: FindingChanges,
    pub waivers: WaiverChanges,
    /// Every control whose status differs, in the new report's order (then the old's).
    pub controls: Vec<ControlChange>,
    pub summary: DiffSummary,
}

/// One of the two reports compared.
#[derive(Clone, Debug, Serialize)]
pub struct RunRecord {
    /// The report file as given, and its SHA-256.
    pub path: String,
    pub sha256: String,
    pub generated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitRecord>,
    /// Errors of that run: its findings may be incomplete.
    pub errors: usize,
}

/// Findings by fingerprint. A fingerprint held by several findings of a report (the same
/// credential twice in a file) is matched one for one.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FindingChanges {
    /// In the new report only.
    pub new: Vec<FindingRecord>,
    /// In the old report only.
    pub fixed: Vec<FindingRecord>,
    /// In both, as the new report has them.
    pub still_open: Vec<FindingRecord>,
}

/// The config's waivers, by rule, check and target.
#[derive(Clone, Debug, Default, Serialize)]
pub struct WaiverChanges {
    /// In the new report's config only (as the new report has them).
    pub added: Vec<WaiverEntry>,
    /// In both, past their expiry in the new report only.
    pub expired: Vec<WaiverEntry>,
    /// In the old report's config only.
    pub removed: Vec<WaiverEntry>,
}

/// A control whose status changed; `None` where a report does not assess it (its
/// framework was not selected).
#[derive(Clone, Debug, Serialize)]
pub struct ControlChange {
    pub framework: Framework,
    pub id: String,
    pub title: String,
    pub old: Option<ControlStatus>,
    pub new: Option<ControlStatus>,
}

/// The counts, and what the comparison means for CI.
#[derive(Clone, Debug, Serialize)]
pub struct DiffSummary {
    pub new: usize,
    pub fixed: usize,
    pub still_open: usize,
    /// New findings, not waived, at or above `fail_on`.
    pub failing: usize,
    pub controls_changed: usize,
    /// `fail` when a new finding fails, `error` when either run had errors (its findings
    /// may be incomplete, so the comparison cannot be trusted), else `pass`.
    pub outcome: Outcome,
    pub exit_code: u8,
}

/// Compares two saved reports; new findings at or above `fail_on` fail.
pub fn diff(old: &Saved, new: &Saved, fail_on: FailOn) -> ReportDiff {
    let findings = finding_changes(&old.report.findings, &new.report.findings);
    let waivers = waiver_changes(&old.report.evidence.waivers, &new.report.evidence.waivers);
    let controls = control_changes(&old.report, &new.report);
    let threshold = fail_on.threshold();
    let failing = findings
        .new
        .iter()
        .filter(|f| f.waiver.is_none() && threshold.is_some_and(|t| f.severity >= t))
        .count();
    let outcome = if old.report.summary.errors > 0 || new.report.summary.errors > 0 {
        Outcome::Error
    } else if failing > 0 {
        Outcome::Fail
    } else {
        Outcome::Pass
    };
    let summary = DiffSummary {
        new: findings.new.len(),
        fixed: findings.fixed.len(),
        still_open: findings.still_open.len(),
        failing,
        controls_changed: controls.len(),
        outcome,
        exit_code: outcome.exit_code(),
    };
    ReportDiff {
        tollgate_diff: DIFF_VERSION,
        old: run_record(old),
        new: run_record(new),
        fail_on,
        findings,
        waivers,
        controls,
        summary,
    }
}

fn run_record(saved: &Saved) -> RunRecord {
    RunRecord {
        path: saved.path.clone(),
        sha256: saved.sha256.clone(),
        generated_at: saved.report.evidence.generated_at.clone(),
        git: saved.report.evidence.git.clone(),
        errors: saved.report.summary.errors,
    }
}

/// Matches findings by fingerprint, keeping each report's order.
fn finding_changes(old: &[FindingRecord], new: &[FindingRecord]) -> FindingChanges {
    // Per fingerprint, the old findings not matched yet, first last (to pop).
    let mut unmatched: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, finding) in old.iter().enumerate().rev() {
        unmatched.entry(&finding.fingerprint).or_default().push(i);
    }
    let mut matched = vec![false; old.len()];
    let mut changes = FindingChanges::default();
    for finding in new {
        let pair = unmatched.get_mut(finding.fingerprint.as_str());
        match pair.and_then(Vec::pop) {
            Some(i) => {
                matched[i] = true;
                changes.still_open.push(finding.clone());
            }
            None => changes.new.push(finding.clone()),
        }
    }
    changes.fixed = old
        .iter()
        .zip(&matched)
        .filter(|&(_, &m)| !m)
        .map(|(f, _)| f.clone())
        .collect();
    changes
}

/// A config waiver's identity across runs: rule, check and target.
fn waiver_key(waiver: &WaiverEntry) -> (&str, Option<&str>, &str) {
    (&waiver.rule, waiver.check.as_deref(), &waiver.target)
}

fn waiver_changes(old: &[WaiverEntry], new: &[WaiverEntry]) -> WaiverChanges {
    let find = |list: &[WaiverEntry], w: &WaiverEntry| -> Option<usize> {
        list.iter().position(|o| waiver_key(o) == waiver_key(w))
    };
    let mut changes = WaiverChanges::default();
    for waiver in new {
        match find(old, waiver) {
            None => changes.added.push(waiver.clone()),
            Some(i) if waiver.expired && !old[i].expired => changes.expired.push(waiver.clone()),
            Some(_) => {}
        }
    }
    changes.removed = old
        .iter()
        .filter(|w| find(new, w).is_none())
        .cloned()
        .collect();
    changes
}

/// Every control whose status differs between the reports, or that only one assesses.
fn control_changes(old: &Report, new: &Report) -> Vec<ControlChange> {
    let status_in = |report: &Report, framework: Framework, id: &str| {
        let control = report.controls.iter();
        control
            .filter(|c| c.framework == framework && c.id == id)
            .map(|c| c.status)
            .next()
    };
    let mut changes = Vec::new();
    for control in &new.controls {
        let before = status_in(old, control.framework, &control.id);
        if before != Some(control.status) {
            changes.push(ControlChange {
                framework: control.framework,
                id: control.id.clone(),
                title: control.title.clone(),
                old: before,
                new: Some(control.status),
            });
        }
    }
    for control in &old.controls {
        if status_in(new, control.framework, &control.id).is_none() {
            changes.push(ControlChange {
                framework: control.framework,
                id: control.id.clone(),
                title: control.title.clone(),
                old: Some(control.status),
                new: None,
            });
        }
    }
    changes
}

impl ReportDiff {
    /// New findings that are not waived, worst first counted by severity: `1 high, 2 low`.
    pub fn new_by_severity(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .map(|&s| {
                let count = self.findings.new.iter();
                (
                    s,
                    count
                        .filter(|f| f.waiver.is_none() && f.severity == s)
                        .count(),
                )
            })
            .filter(|&(_, n)| n > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::LocationRecord;

    fn finding(fingerprint: &str, line: u32) -> FindingRecord {
        FindingRecord {
            rule: "no-git-credentials".into(),
            check: "github-token".into(),
            severity: Severity::High,
            message: "a token".into(),
            controls: [].into(),
            location: LocationRecord {
                file: "app.env".into(),
                line,
                ..LocationRecord::default()
            },
            evidence: None,
            waiver: None,
            fingerprint: fingerprint.into(),
        }
    }

    fn lines(findings: &[FindingRecord]) -> Vec<(&str, u32)> {
        let pairs = findings.iter();
        pairs
            .map(|f| (f.fingerprint.as_str(), f.location.line))
            .collect()
    }

    #[test]
    fn a_fingerprint_held_twice_is_matched_one_for_one() {
        // The same token twice in old, three times in new (lines moved): two still open,
        // one new; a token only in old is fixed.
        let old = [finding("a", 1), finding("b", 2), finding("a", 3)];
        let new = [finding("a", 5), finding("a", 6), finding("a", 7)];
        let changes = finding_changes(&old, &new);
        assert_eq!(lines(&changes.still_open), [("a", 5), ("a", 6)]);
        assert_eq!(lines(&changes.new), [("a", 7)]);
        assert_eq!(lines(&changes.fixed), [("b", 2)]);
    }

    #[test]
    fn waivers_are_matched_by_rule_check_and_target() {
        let waiver = |check: Option<&str>, expired: bool| WaiverEntry {
            rule: "network-policy".into(),
            check: check.map(Into::into),
            target: "object Deployment/shop/web".into(),
            reason: "mesh".into(),
            expires: Some("2027-06-30".into()),
            approved_by: None,
            expired,
            applied: 1,
        };
        let old = [waiver(None, false), waiver(Some("allow-all"), false)];
        let new = [waiver(None, true), waiver(Some("pod-not-selected"), false)];
        let changes = waiver_changes(&old, &new);
        assert_eq!(changes.expired, [waiver(None, true)]);
        assert_eq!(changes.added, [waiver(Some("pod-not-selected"), false)]);
        assert_eq!(changes.removed, [waiver(Some("allow-all"), false)]);
    }
}
