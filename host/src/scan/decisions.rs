//! What people decided about findings, applied after the rules ran: severities the config
//! sets, the config's waivers, `tollgate.dev/waive` annotations on objects, and the
//! baseline. A decided finding stays in the report, marked with who decided and why.

use crate::input::manifest::{WAIVE_ANNOTATION, WAIVE_REASON_ANNOTATION};
use crate::input::{Inputs, ManifestObject};
use crate::report::{ErrorRecord, FindingRecord, WaiverEntry, WaiverRecord, WaiverSource};

use super::ScanOptions;

/// Severities the config sets per rule or check.
pub fn apply_severities(options: &ScanOptions, findings: &mut [FindingRecord]) {
    let Some(config) = &options.config else {
        return;
    };
    for finding in findings {
        if let Some(severity) = config.severity(&finding.rule, &finding.check) {
            finding.severity = severity;
        }
    }
}

/// The waiver an object's annotation gives a finding of `rule` on it, if any (an
/// annotation without a reason gives none; [`refused_annotations`] reports it).
pub fn annotation_waiver(object: &ManifestObject, rule: &str) -> Option<WaiverRecord> {
    let waive = object.waive.as_ref()?;
    let reason = waive.reason.as_ref()?;
    waive.rules.iter().any(|r| r == rule).then(|| WaiverRecord {
        source: WaiverSource::Annotation,
        reason: reason.clone(),
        expires: None,
        approved_by: None,
    })
}

/// Objects whose waive annotation comes without a reason: refused, each an error.
pub fn refused_annotations(inputs: &Inputs) -> Vec<ErrorRecord> {
    inputs
        .objects
        .iter()
        .filter(|o| o.waive.as_ref().is_some_and(|w| w.reason.is_none()))
        .map(|o| ErrorRecord {
            rule: None,
            file: Some(inputs.files[o.source].path.clone()),
            line: Some(o.line()),
            message: format!(
                "{} {}: {WAIVE_ANNOTATION} without {WAIVE_REASON_ANNOTATION} is refused; its findings stand",
                o.kind, o.name
            ),
        })
        .collect()
}

/// Applies the config's waivers to the findings nothing waived yet, and says what each
/// waiver did. An expired waiver applies to nothing.
pub fn apply_waivers(
    options: &ScanOptions,
    findings: &mut [FindingRecord],
    today: &str,
) -> Vec<WaiverEntry> {
    let Some(config) = &options.config else {
        return Vec::new();
    };
    let mut applied = vec![0; config.waivers.len()];
    for finding in findings.iter_mut().filter(|f| f.waiver.is_none()) {
        let path = config.relative_path(&finding.location.file);
        let matching = config.waivers.iter().enumerate().find(|(_, w)| {
            !w.expired(today)
                && w.covers(
                    &finding.rule,
                    &finding.check,
                    &finding.location,
                    &path,
                    &options.default_namespace,
                )
        });
        if let Some((index, waiver)) = matching {
            applied[index] += 1;
            finding.waiver = Some(WaiverRecord {
                source: WaiverSource::Config,
                reason: waiver.reason.clone(),
                expires: waiver.expires.clone(),
                approved_by: waiver.approved_by.clone(),
            });
        }
    }
    config
        .waivers
        .iter()
        .zip(applied)
        .map(|(w, applied)| WaiverEntry {
            rule: w.rule.clone(),
            check: w.check.clone(),
            target: w.target_text(),
            reason: w.reason.clone(),
            expires: w.expires.clone(),
            approved_by: w.approved_by.clone(),
            expired: w.expired(today),
            applied,
        })
        .collect()
}

/// Findings the baseline knows: waived by it.
pub fn apply_baseline(options: &ScanOptions, findings: &mut [FindingRecord]) {
    let Some(baseline) = &options.baseline else {
        return;
    };
    let reason = format!("in the baseline {}", baseline.path.display());
    for finding in findings.iter_mut().filter(|f| f.waiver.is_none()) {
        if baseline.fingerprints.contains(&finding.fingerprint) {
            finding.waiver = Some(WaiverRecord {
                source: WaiverSource::Baseline,
                reason: reason.clone(),
                expires: None,
                approved_by: None,
            });
        }
    }
}
