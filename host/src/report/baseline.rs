//! Baselines: the fingerprints of the findings a team has accepted for now (typically
//! the credentials already in a repository's history), so that `scan --baseline FILE`
//! reports only new ones. A baseline holds fingerprints and where they were, never the
//! findings' evidence.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Report;

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

/// A loaded baseline.
#[derive(Clone, Debug)]
pub struct Baseline {
    pub path: PathBuf,
    pub fingerprints: HashSet<String>,
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
        fingerprints: file.findings.into_iter().map(|e| e.fingerprint).collect(),
    })
}
