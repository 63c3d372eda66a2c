//! Baselines: the fingerprints of the findings a team has accepted for now (typically
//! the credentials already in a repository's history), so that `scan --baseline FILE`
//! reports only new ones. A baseline holds fingerprints and where they were, never the
//! findings' evidence.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{FindingRecord, Report};

/// Version of the baseline file's shape.
const BASELINE_VERSION: u32 = 1;

/// The file as written.
#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    tollgate_baseline: u32,
    generated_at: String,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    rule: String,
    check: String,
    file: String,
    line: u32,
}

/// A loaded baseline: the findings it accepted, each as its fingerprint and file.
#[derive(Clone, Debug)]
pub struct Baseline {
    pub path: PathBuf,
    accepted: Vec<(String, String)>,
}

impl Baseline {
    /// Which of `findings` the baseline accepted. Each of its entries accepts one finding
    /// of its fingerprint: first one in the same file (where it was), then, among those
    /// not waived otherwise, one in any file (its file was renamed or moved). So the same
    /// object copied into a new file is a new finding there, once the baseline's entries
    /// for that fingerprint are spent.
    pub fn accepts(&self, findings: &[FindingRecord]) -> Vec<bool> {
        let mut in_file: HashMap<(&str, &str), usize> = HashMap::new();
        let mut anywhere: HashMap<&str, usize> = HashMap::new();
        for (fingerprint, file) in &self.accepted {
            *in_file.entry((fingerprint, file)).or_default() += 1;
            *anywhere.entry(fingerprint).or_default() += 1;
        }
        let mut accepted = vec![false; findings.len()];
        for (finding, accepted) in findings.iter().zip(&mut accepted) {
            let key = (finding.fingerprint.as_str(), finding.location.file.as_str());
            if let Some(left) = in_file.get_mut(&key).filter(|left| **left > 0) {
                *left -= 1;
                *anywhere.get_mut(key.0).expect("counted with its file") -= 1;
                *accepted = true;
            }
        }
        for (finding, accepted) in findings.iter().zip(&mut accepted) {
            if *accepted || finding.waiver.is_some() {
                continue;
            }
            let fingerprint = finding.fingerprint.as_str();
            if let Some(left) = anywhere.get_mut(fingerprint).filter(|left| **left > 0) {
                *left -= 1;
                *accepted = true;
            }
        }
        // A finding waived otherwise keeps its waiver; it only spent its entry.
        (findings.iter().zip(accepted))
            .map(|(finding, accepted)| accepted && finding.waiver.is_none())
            .collect()
    }
}

/// Writes the baseline of a report's findings (waived ones included: a waiver may expire).
pub fn write(report: &Report, path: &Path) -> anyhow::Result<usize> {
    let findings: Vec<Entry> = report
        .findings
        .iter()
        .map(|f| Entry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.clone(),
            check: f.check.clone(),
            file: f.location.file.clone(),
            line: f.location.line,
        })
        .collect();
    let count = findings.len();
    let file = BaselineFile {
        tollgate_baseline: BASELINE_VERSION,
        generated_at: report.evidence.generated_at.clone(),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("the baseline serializes");
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| anyhow::anyhow!("cannot write the baseline to {}: {e}", path.display()))?;
    Ok(count)
}

/// Reads a baseline file.
pub fn read(path: &Path) -> anyhow::Result<Baseline> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read the baseline {}: {e}", path.display()))?;
    let file: BaselineFile = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow::anyhow!("{} is not a tollgate baseline: {e}", path.display()))?;
    if file.tollgate_baseline != BASELINE_VERSION {
        anyhow::bail!(
            "{} is a version {} baseline; this tollgate reads version {BASELINE_VERSION}",
            path.display(),
            file.tollgate_baseline
        );
    }
    Ok(Baseline {
        path: path.to_owned(),
        accepted: (file.findings.into_iter())
            .map(|e| (e.fingerprint, e.file))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{LocationRecord, Severity, WaiverRecord, WaiverSource};

    fn finding(fingerprint: &str, file: &str) -> FindingRecord {
        FindingRecord {
            rule: "tls-min-version".into(),
            check: "weak-protocol".into(),
            severity: Severity::High,
            message: "TLS 1.0".into(),
            controls: [].into(),
            location: LocationRecord {
                file: file.into(),
                line: 7,
                ..LocationRecord::default()
            },
            evidence: None,
            waiver: None,
            fingerprint: fingerprint.into(),
        }
    }

    fn baseline(entries: &[(&str, &str)]) -> Baseline {
        Baseline {
            path: "baseline.json".into(),
            accepted: (entries.iter())
                .map(|&(print, file)| (print.into(), file.into()))
                .collect(),
        }
    }

    #[test]
    fn an_entry_accepts_its_finding_where_it_was_or_where_its_file_went() {
        let accepted = baseline(&[("a", "deploy/web.yaml"), ("b", "old/db.yaml")]);
        let findings = [
            finding("b", "deploy/db.yaml"),
            finding("a", "deploy/web.yaml"),
            finding("c", "deploy/web.yaml"),
        ];
        assert_eq!(accepted.accepts(&findings), [true, true, false]);
    }

    #[test]
    fn a_copy_in_a_new_file_is_new_once_the_entries_are_spent() {
        let accepted = baseline(&[("a", "install.yaml")]);
        // The copy comes first in the report; the original still takes the entry.
        let findings = [
            finding("a", "install-ha.yaml"),
            finding("a", "install.yaml"),
        ];
        assert_eq!(accepted.accepts(&findings), [false, true]);
        // Both moved: one is the moved finding, the other new.
        let findings = [finding("a", "v2/install.yaml"), finding("a", "v2/ha.yaml")];
        assert_eq!(accepted.accepts(&findings), [true, false]);
    }

    #[test]
    fn a_finding_waived_otherwise_spends_its_entry_and_keeps_its_waiver() {
        let accepted = baseline(&[("a", "install.yaml")]);
        let mut waived = finding("a", "install.yaml");
        waived.waiver = Some(Box::new(WaiverRecord {
            source: WaiverSource::Annotation,
            reason: "a test fixture".into(),
            expires: None,
            approved_by: None,
        }));
        let findings = [waived, finding("a", "copy.yaml")];
        assert_eq!(accepted.accepts(&findings), [false, false]);
    }
}
