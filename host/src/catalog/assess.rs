//! Control status: what a run says about each control of the selected frameworks, from the
//! rules that ran, what their checks judged and the findings they made. Fails closed: a
//! control is `satisfied` only when every rule evidencing it ran cleanly over inputs that
//! were all read, and each judged something that bears on it; when only some did, it is
//! `partial`, naming which did not.

use crate::report::{
    ControlRef, ControlResult, ControlStatus, FindingRecord, RuleInput, RuleResult, RuleStatus,
    Scope,
};

use super::Framework;

/// What of the input the run could not judge.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gaps {
    /// Some input could not be read, so an absence of findings proves nothing.
    pub unread_inputs: bool,
    /// Helm charts that were not rendered: the objects they define were not judged by the
    /// rules that read manifests.
    pub unrendered_charts: usize,
}

/// What a run produced, as [`assess`] reads it.
pub struct Run<'a> {
    /// The rules that ran.
    pub rules: &'a [RuleResult],
    /// The rules that were available but not run, with the controls they evidence.
    pub skipped: &'a [(String, Vec<ControlRef>)],
    pub findings: &'a [FindingRecord],
    pub gaps: Gaps,
    /// The objects and files the checks evidencing a control judged.
    pub scope: &'a dyn Fn(&ControlRef) -> Scope,
}

/// Every control of `frameworks`, in catalog order, with its status, basis and scope.
pub fn assess(frameworks: &[Framework], run: &Run) -> Vec<ControlResult> {
    let mut results = Vec::new();
    for &framework in frameworks {
        for control in &framework.catalog().controls {
            let reference = ControlRef {
                framework: framework.name().to_owned(),
                id: control.id.clone(),
            };
            let mut result = judge(&reference, run);
            result.title = control.title.clone();
            results.push(result);
        }
    }
    results
}

/// One control's status, basis and evidence (title left for the caller).
fn judge(control: &ControlRef, run: &Run) -> ControlResult {
    let covering: Vec<&RuleResult> = run
        .rules
        .iter()
        .filter(|r| r.checks_for(control).next().is_some())
        .collect();
    let (waived, active): (Vec<&FindingRecord>, Vec<&FindingRecord>) = run
        .findings
        .iter()
        .filter(|f| f.controls.contains(control))
        .partition(|f| f.waiver.is_some());
    let scope = (run.scope)(control);
    let (status, basis) = status(control, run, &covering, (&active, &waived), &scope);
    let fingerprints =
        |list: &[&FindingRecord]| list.iter().map(|f| f.fingerprint.clone()).collect();
    ControlResult {
        framework: control.framework.clone(),
        id: control.id.clone(),
        title: String::new(),
        status,
        basis,
        scope,
        rules: covering.iter().map(|r| r.id.clone()).collect(),
        findings: fingerprints(&active),
        waived: fingerprints(&waived),
    }
}

fn status(
    control: &ControlRef,
    run: &Run,
    covering: &[&RuleResult],
    (active, waived): (&[&FindingRecord], &[&FindingRecord]),
    scope: &Scope,
) -> (ControlStatus, String) {
    let not_run: Vec<&str> = run
        .skipped
        .iter()
        .filter(|(_, controls)| controls.contains(control))
        .map(|(rule, _)| rule.as_str())
        .collect();
    if covering.is_empty() {
        return if not_run.is_empty() {
            (
                ControlStatus::NotAssessed,
                "no tollgate rule evidences this control".into(),
            )
        } else {
            (
                ControlStatus::NotAssessed,
                format!("its rules were not run: {}", not_run.join(", ")),
            )
        };
    }
    if !active.is_empty() {
        let verb = if active.len() == 1 { "breaks" } else { "break" };
        return (
            ControlStatus::NotSatisfied,
            format!("{} finding{} {verb} it", active.len(), plural(active.len())),
        );
    }
    let failed: Vec<&str> = covering
        .iter()
        .filter(|r| r.status == RuleStatus::Error)
        .map(|r| r.id.as_str())
        .collect();
    if !failed.is_empty() {
        return (
            ControlStatus::Error,
            format!("rule {} failed to run", failed.join(", ")),
        );
    }
    if run.gaps.unread_inputs {
        return (
            ControlStatus::Error,
            "some inputs could not be read, so an absence of findings proves nothing".into(),
        );
    }
    if !waived.is_empty() {
        return (
            ControlStatus::Waived,
            format!(
                "only waived findings break it ({}): exceptions with accepted risk",
                waived.len()
            ),
        );
    }
    let (judged, idle): (Vec<&&RuleResult>, Vec<&&RuleResult>) = covering
        .iter()
        .partition(|r| judged_for(r, control, run.findings));
    if judged.is_empty() {
        return (
            ControlStatus::NotAssessed,
            "its rules ran, but the input held nothing they judge for it".into(),
        );
    }
    let reads_manifests = covering
        .iter()
        .any(|r| r.inputs.contains(&RuleInput::Manifests));
    if run.gaps.unrendered_charts > 0 && reads_manifests {
        let n = run.gaps.unrendered_charts;
        return (
            ControlStatus::NotAssessed,
            format!(
                "{n} Helm chart{} not rendered, so the objects {} define were not judged",
                if n == 1 { " was" } else { "s were" },
                if n == 1 { "it would" } else { "they would" },
            ),
        );
    }
    if idle.is_empty() && not_run.is_empty() {
        return (
            ControlStatus::Satisfied,
            format!("tested, no exceptions in the scanned scope: {scope}"),
        );
    }
    let mut missing: Vec<String> = idle
        .iter()
        .map(|r| format!("{} (judged nothing that bears on it)", r.id))
        .collect();
    missing.extend(not_run.iter().map(|r| format!("{r} (not run)")));
    let tested: Vec<&str> = judged.iter().map(|r| r.id.as_str()).collect();
    (
        ControlStatus::Partial,
        format!(
            "tested by {} on {scope}, no exceptions; not assessed by {}",
            tested.join(", "),
            missing.join(", ")
        ),
    )
}

/// Whether `rule` judged anything for `control`: a check evidencing it covered an object
/// or a file, or found something.
fn judged_for(rule: &RuleResult, control: &ControlRef, findings: &[FindingRecord]) -> bool {
    let checks: Vec<&str> = rule.checks_for(control).map(|c| c.id.as_str()).collect();
    let covered = rule
        .coverage
        .iter()
        .any(|c| checks.contains(&c.check.as_str()) && (c.objects > 0 || c.files > 0));
    covered
        || findings
            .iter()
            .any(|f| f.rule == rule.id && checks.contains(&f.check.as_str()))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
