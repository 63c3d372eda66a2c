//! Baselines: the fingerprints of the findings a team has accepted for now (typically
//! the credentials already in a repository's history), so that `scan --baseline FILE`
//! reports only new ones. A baseline holds fingerprints and where they were, never the
//! findings' evidence.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{FindingRecord, Report, file_parts};

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
    /// of its fingerprint: first one in the same file (where it was), then one in any file
    /// (where its file went), findings waived otherwise first, so that one that moved
    /// spends its entry rather than a copy. So the same object copied into a new file is a
    /// new finding there, once the baseline's entries for that fingerprint are spent.
    pub fn accepts(&self, findings: &[FindingRecord]) -> Vec<bool> {
        // Per fingerprint, the files of its entries not spent yet.
        let mut left: HashMap<&str, Vec<&str>> = HashMap::new();
        for (fingerprint, file) in &self.accepted {
            left.entry(fingerprint).or_default().push(file);
        }
        let mut spent = vec![false; findings.len()];
        for (finding, spent) in findings.iter().zip(&mut spent) {
            let Some(files) = left.get_mut(finding.fingerprint.as_str()) else {
                continue;
            };
            if let Some(at) =
                (files.iter()).position(|file| same_file(file, &finding.location.file))
            {
                files.swap_remove(at);
                *spent = true;
            }
        }
        let mut moved: Vec<usize> = (0..findings.len()).filter(|&i| !spent[i]).collect();
        moved.sort_by_key(|&i| findings[i].waiver.is_none());
        for i in moved {
            let files = left.get_mut(findings[i].fingerprint.as_str());
            spent[i] = files.and_then(Vec::pop).is_some();
        }
        // A finding waived otherwise keeps its waiver; it only spent its entry.
        (findings.iter().zip(spent))
            .map(|(finding, spent)| spent && finding.waiver.is_none())
            .collect()
    }
}

/// Whether two paths name the same file as findings name files, whatever `./` they hold:
/// the same parts, or the relative one's parts ending the absolute one's (a scan run from
/// another directory).
fn same_file(a: &str, b: &str) -> bool {
    let (a_parts, b_parts) = (file_parts(a), file_parts(b));
    match (a.starts_with('/'), b.starts_with('/')) {
        (true, false) => a_parts.ends_with(&b_parts),
        (false, true) => b_parts.ends_with(&a_parts),
        _ => a_parts == b_parts,
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
    fn files_are_the_same_whatever_the_path_they_are_named_by() {
        let accepted = baseline(&[("a", "deploy/install.yaml")]);
        for file in [
            "./deploy/install.yaml",
            "/work/repo/deploy/install.yaml",
            "deploy//install.yaml",
        ] {
            let findings = [finding("a", "deploy/copy.yaml"), finding("a", file)];
            assert_eq!(accepted.accepts(&findings), [false, true], "{file}");
        }
        assert!(!same_file("/a/deploy/x.yaml", "/b/deploy/x.yaml"));
        assert!(!same_file("deploy/x.yaml", "other/x.yaml"));
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
        let findings = [waived.clone(), finding("a", "copy.yaml")];
        assert_eq!(accepted.accepts(&findings), [false, false]);
        // Its file moved: it still spends the entry, and the copy is new.
        waived.location.file = "v2/install.yaml".into();
        let findings = [finding("a", "copy.yaml"), waived];
        assert_eq!(accepted.accepts(&findings), [false, false]);
    }
}
