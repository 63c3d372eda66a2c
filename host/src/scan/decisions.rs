//! What people decided about findings, applied after the rules ran: severities the config
//! sets, the config's waivers, `tollgate.dev/waive` annotations on objects, and the
//! baseline. A decided finding stays in the report, marked with who decided and why.
//! The config's `waiver-policy` governs config waivers, annotations and inline allow
//! comments: a waiver that breaks it is refused with an error, and its finding stands.

use crate::config::{WaiverPolicy, waiver};
use crate::input::manifest::{
    WAIVE_ANNOTATION, WAIVE_EXPIRES_ANNOTATION, WAIVE_REASON_ANNOTATION, WaiveAnnotation,
};
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
    let waive = object.waive.as_deref()?;
    let reason = waive.reason.as_ref()?;
    waive.rules.iter().any(|r| r == rule).then(|| WaiverRecord {
        source: WaiverSource::Annotation,
        reason: reason.clone(),
        expires: waive.expires.clone(),
        approved_by: waive.approved_by.clone(),
    })
}

/// Objects whose waive annotation is refused (no reason, an expiry that is not a date, or
/// a breach of the waiver policy on `today`), each an error at the object.
pub fn refused_annotations(
    inputs: &Inputs,
    options: &ScanOptions,
    today: &str,
) -> Vec<ErrorRecord> {
    let policy = policy(options);
    inputs
        .objects
        .iter()
        .filter_map(|o| {
            let why = annotation_refusal(o.waive.as_deref()?, &policy, today)?;
            Some(ErrorRecord {
                rule: None,
                file: Some(inputs.files[o.source].path.clone()),
                line: Some(o.line()),
                message: format!("{} {}: {why}; its findings stand", o.kind(), o.name()),
            })
        })
        .collect()
}

/// Why a waive annotation is refused, or `None` when it stands.
fn annotation_refusal(
    waive: &WaiveAnnotation,
    policy: &WaiverPolicy,
    today: &str,
) -> Option<String> {
    if waive.reason.is_none() {
        return Some(format!(
            "{WAIVE_ANNOTATION} without {WAIVE_REASON_ANNOTATION} is refused"
        ));
    }
    if let Some(Err(why)) = waive.expires.as_deref().map(waiver::check_date) {
        return Some(format!("{WAIVE_EXPIRES_ANNOTATION}: {why}"));
    }
    let breach = policy.breach(
        waive.approved_by.as_deref(),
        waive.expires.as_deref(),
        today,
    )?;
    Some(format!("{WAIVE_ANNOTATION} is refused: {breach}"))
}

/// The reason the builtin credentials rule gives a finding a `tollgate:allow` comment
/// accepts: an inline allow, which cannot carry an approver or an expiry.
const INLINE_ALLOW_PREFIX: &str = "allowed inline: ";

/// Holds annotations and inline allow comments to the waiver policy, after severities
/// are set: an annotation refused (see [`refused_annotations`], which reports it) or past
/// its expiry waives nothing; an inline allow under a policy that demands an approver or
/// an expiry, and any of them on a finding above `max-severity`, is refused with an error.
pub fn enforce_policy(
    options: &ScanOptions,
    findings: &mut [FindingRecord],
    today: &str,
) -> Vec<ErrorRecord> {
    let policy = policy(options);
    let mut errors = Vec::new();
    for finding in findings.iter_mut() {
        let Some(waiver) = &finding.waiver else {
            continue;
        };
        let refusal = match waiver.source {
            // Refused at its object by `refused_annotations`, or past its expiry.
            WaiverSource::Annotation if !annotation_stands(waiver, &policy, today) => {
                finding.waiver = None;
                continue;
            }
            WaiverSource::Annotation => policy
                .refuses_severity(finding.severity)
                .map(|why| format!("the waiver by annotation is refused: {why}")),
            WaiverSource::RuleSettings if waiver.reason.starts_with(INLINE_ALLOW_PREFIX) => {
                inline_refusal(&policy, finding)
            }
            _ => None,
        };
        if let Some(message) = refusal {
            errors.push(refused_for(finding, message));
            finding.waiver = None;
        }
    }
    errors
}

/// Whether an annotation's waiver applies on `today`: its expiry a date not past, with
/// the approver and expiry the policy demands.
fn annotation_stands(waiver: &WaiverRecord, policy: &WaiverPolicy, today: &str) -> bool {
    let expires = waiver.expires.as_deref();
    expires.is_none_or(|date| waiver::check_date(date).is_ok() && date >= today)
        && policy
            .breach(waiver.approved_by.as_deref(), expires, today)
            .is_none()
}

/// Why the policy refuses an inline allow comment on `finding`, if it does.
fn inline_refusal(policy: &WaiverPolicy, finding: &FindingRecord) -> Option<String> {
    if policy.demands_terms() {
        return Some(
            "the inline tollgate:allow comment is refused: waiver-policy requires an approver or an expiry, which an inline comment cannot carry"
                .into(),
        );
    }
    let why = policy.refuses_severity(finding.severity)?;
    Some(format!(
        "the inline tollgate:allow comment is refused: {why}"
    ))
}

/// The error for a waiver refused on `finding`, at the finding.
fn refused_for(finding: &FindingRecord, message: String) -> ErrorRecord {
    ErrorRecord {
        rule: Some(finding.rule.clone()),
        file: Some(finding.location.file.clone()),
        line: Some(finding.location.line),
        message: format!("{} {}; the finding stands", finding.check, message),
    }
}

/// The config's waiver policy, or the default one that demands nothing.
fn policy(options: &ScanOptions) -> WaiverPolicy {
    options
        .config
        .as_ref()
        .map(|c| c.waiver_policy.clone())
        .unwrap_or_default()
}

/// Applies the config's waivers to the findings nothing waived yet, and says what each
/// waiver did. An expired waiver applies to nothing; one covering a finding above the
/// policy's `max-severity` is refused for it, with an error at the waiver's line in
/// `errors`.
pub fn apply_waivers(
    options: &ScanOptions,
    findings: &mut [FindingRecord],
    today: &str,
    errors: &mut Vec<ErrorRecord>,
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
            if let Some(why) = config.waiver_policy.refuses_severity(finding.severity) {
                let at = config.error_at(&["waivers".into(), index.to_string()], String::new());
                errors.push(ErrorRecord {
                    rule: Some(finding.rule.clone()),
                    file: Some(at.path.display().to_string()),
                    line: at.line,
                    message: format!(
                        "waiver of {} on {} is refused for {} {}:{}: {why}; the finding stands",
                        waiver.rule,
                        waiver.target_text(),
                        finding.check,
                        finding.location.file,
                        finding.location.line
                    ),
                });
                continue;
            }
            applied[index] += 1;
            finding.waiver = Some(Box::new(WaiverRecord {
                source: WaiverSource::Config,
                reason: waiver.reason.clone(),
                expires: waiver.expires.clone(),
                approved_by: waiver.approved_by.clone(),
            }));
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
    let accepted = baseline.accepts(findings);
    for (finding, accepted) in findings.iter_mut().zip(accepted) {
        if accepted {
            finding.waiver = Some(Box::new(WaiverRecord {
                source: WaiverSource::Baseline,
                reason: reason.clone(),
                expires: None,
                approved_by: None,
            }));
        }
    }
}
