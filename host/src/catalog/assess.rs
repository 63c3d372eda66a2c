//! Control status: what a run says about each control of the selected frameworks, from the
//! rules that ran, what they judged and the findings they made. Fails closed: a control is
//! `satisfied` only when every rule evidencing it ran cleanly over inputs that were all
//! read, and at least one of them had something to judge for it.

use crate::report::{
    ControlRef, ControlResult, ControlStatus, FindingRecord, RuleInput, RuleResult, RuleStatus,
};
use crate::runtime::Framework;

use super::catalog;

/// What of the input the run could not judge.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gaps {
    /// Some input could not be read, so an absence of findings proves nothing.
    pub unread_inputs: bool,
    /// Helm charts that were not rendered: the objects they define were not judged by the
    /// rules that read manifests.
    pub unrendered_charts: usize,
}

/// Every control of `frameworks`, in catalog order, with its status and evidence.
/// `skipped` are the rules that were available but not run, with their controls.
pub fn assess(
    frameworks: &[Framework],
    rules: &[RuleResult],
    skipped: &[(String, Vec<ControlRef>)],
    findings: &[FindingRecord],
    gaps: &Gaps,
) -> Vec<ControlResult> {
    let mut results = Vec::new();
    for &framework in frameworks {
        let catalog = catalog(framework);
        for &(id, title) in catalog.controls {
            let names = |c: &ControlRef| c.framework == catalog.name && c.id == id;
            let covering: Vec<&RuleResult> = rules
                .iter()
                .filter(|r| r.controls.iter().any(names))
                .collect();
            let breaking = findings.iter().filter(|f| f.controls.iter().any(names));
            let (waived, active): (Vec<&FindingRecord>, Vec<&FindingRecord>) =
                breaking.partition(|f| f.waiver.is_some());
            let failed: Vec<&str> = covering
                .iter()
                .filter(|r| r.status == RuleStatus::Error)
                .map(|r| r.id.as_str())
                .collect();
            let (status, basis) = if covering.is_empty() {
                let skipped: Vec<&str> = skipped
                    .iter()
                    .filter(|(_, controls)| controls.iter().any(names))
                    .map(|(rule, _)| rule.as_str())
                    .collect();
                let basis = if skipped.is_empty() {
                    "no tollgate rule evidences this control".to_owned()
                } else {
                    format!("its rules were not run: {}", skipped.join(", "))
                };
                (ControlStatus::NotAssessed, basis)
            } else if !active.is_empty() {
                let verb = if active.len() == 1 { "breaks" } else { "break" };
                (
                    ControlStatus::NotSatisfied,
                    format!("{} finding{} {verb} it", active.len(), plural(active.len())),
                )
            } else if !failed.is_empty() {
                (
                    ControlStatus::Error,
                    format!("rule {} failed to run", failed.join(", ")),
                )
            } else if gaps.unread_inputs {
                (
                    ControlStatus::Error,
                    "some inputs could not be read, so an absence of findings proves nothing"
                        .to_owned(),
                )
            } else if !waived.is_empty() {
                (
                    ControlStatus::Waived,
                    format!("only waived findings break it ({})", waived.len()),
                )
            } else {
                let judged = covering
                    .iter()
                    .filter(|r| r.assessed.iter().any(names))
                    .count();
                let reads_manifests = covering
                    .iter()
                    .any(|r| r.inputs.contains(&RuleInput::Manifests));
                if judged == 0 {
                    (
                        ControlStatus::NotAssessed,
                        "its rules ran, but the input held nothing they judge for it".to_owned(),
                    )
                } else if gaps.unrendered_charts > 0 && reads_manifests {
                    let n = gaps.unrendered_charts;
                    (
                        ControlStatus::NotAssessed,
                        format!(
                            "{n} Helm chart{} not rendered, so the objects {} define were not \
                             judged",
                            if n == 1 { " was" } else { "s were" },
                            if n == 1 { "it would" } else { "they would" },
                        ),
                    )
                } else {
                    (
                        ControlStatus::Satisfied,
                        format!(
                            "{judged} rule{} judged the input for it and found nothing",
                            plural(judged)
                        ),
                    )
                }
            };
            let fingerprints =
                |list: &[&FindingRecord]| list.iter().map(|f| f.fingerprint.clone()).collect();
            results.push(ControlResult {
                framework: catalog.name.to_owned(),
                id: id.to_owned(),
                title: title.to_owned(),
                status,
                basis,
                rules: covering.iter().map(|r| r.id.clone()).collect(),
                findings: fingerprints(&active),
                waived: fingerprints(&waived),
            });
        }
    }
    results
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
