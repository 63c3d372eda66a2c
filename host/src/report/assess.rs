//! Control status: what a run says about each control of the selected frameworks, from the
//! rules that ran, what their checks judged and the findings they made. Fails closed: a
//! control is `satisfied` only when every rule evidencing it ran cleanly over inputs that
//! were all read, and each judged something that bears on it; when only some did, it is
//! `partial`, naming which did not.
//!
//! It reads the report's own records, so it sits in `report` above the catalog (which
//! gives the controls and their titles); a scan and a merge of saved runs both call it.

use super::{
    ControlRef, ControlResult, ControlStatus, FindingRecord, Framework, RuleInput, RuleResult,
    RuleStatus, Scope,
};
use crate::catalog;

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
        for control in &catalog::catalog(framework).controls {
            let reference = ControlRef {
                framework,
                id: control.id.clone(),
            };
            let mut result = judge(&reference, run);
            result.title = control.title.clone();
            results.push(result);
        }
    }
    results
}

/// The basis of a `partial` control: which rules tested it on what, and which did not.
pub fn partial_basis(tested: &[&str], scope: &Scope, missing: &[String]) -> String {
    format!(
        "tested by {} on {scope}, no exceptions; not assessed by {}",
        tested.join(", "),
        missing.join(", ")
    )
}

/// A control's status and the sentence that says why.
type Verdict = (ControlStatus, String);

/// What bears on one control in a run.
struct Evidence<'a> {
    control: &'a ControlRef,
    /// The rules that ran and evidence it.
    covering: Vec<&'a RuleResult>,
    /// The rules that evidence it but were not run.
    not_run: Vec<&'a str>,
    /// Findings that break it, not waived.
    active: Vec<&'a FindingRecord>,
    /// Waived findings that would break it.
    waived: Vec<&'a FindingRecord>,
    scope: Scope,
}

impl<'a> Evidence<'a> {
    fn of(control: &'a ControlRef, run: &'a Run) -> Self {
        let (waived, active) = run
            .findings
            .iter()
            .filter(|f| f.controls.contains(control))
            .partition(|f| f.waiver.is_some());
        Evidence {
            control,
            covering: run
                .rules
                .iter()
                .filter(|r| r.checks_for(control).next().is_some())
                .collect(),
            not_run: run
                .skipped
                .iter()
                .filter(|(_, controls)| controls.contains(control))
                .map(|(rule, _)| rule.as_str())
                .collect(),
            active,
            waived,
            scope: (run.scope)(control),
        }
    }
}

/// One control's status, basis and evidence (title left for the caller).
fn judge(control: &ControlRef, run: &Run) -> ControlResult {
    let evidence = Evidence::of(control, run);
    let (status, basis) = status(&evidence, run);
    let fingerprints =
        |list: &[&FindingRecord]| list.iter().map(|f| f.fingerprint.clone()).collect();
    ControlResult {
        framework: control.framework,
        id: control.id.clone(),
        title: String::new(),
        status,
        basis,
        rules: evidence.covering.iter().map(|r| r.id.clone()).collect(),
        findings: fingerprints(&evidence.active),
        waived: fingerprints(&evidence.waived),
        scope: evidence.scope,
    }
}

/// The first verdict that applies, from the worst news to the best: not evidenced,
/// broken, untrustworthy, waived, not judged; else tested, fully or in part.
fn status(evidence: &Evidence, run: &Run) -> Verdict {
    unevidenced(evidence)
        .or_else(|| broken(evidence))
        .or_else(|| untrustworthy(evidence, run.gaps))
        .or_else(|| waived(evidence))
        .unwrap_or_else(|| judged(evidence, run))
}

/// No rule that ran evidences the control.
fn unevidenced(evidence: &Evidence) -> Option<Verdict> {
    if !evidence.covering.is_empty() {
        return None;
    }
    let basis = if evidence.not_run.is_empty() {
        "no tollgate rule evidences this control".to_owned()
    } else {
        format!("its rules were not run: {}", evidence.not_run.join(", "))
    };
    Some((ControlStatus::NotAssessed, basis))
}

/// Findings that are not waived break it.
fn broken(evidence: &Evidence) -> Option<Verdict> {
    let n = evidence.active.len();
    let verb = if n == 1 { "breaks" } else { "break" };
    (n > 0).then(|| {
        let basis = format!("{n} finding{} {verb} it", plural(n));
        (ControlStatus::NotSatisfied, basis)
    })
}

/// A rule evidencing it failed, or some input was not read: no verdict can be trusted.
fn untrustworthy(evidence: &Evidence, gaps: Gaps) -> Option<Verdict> {
    let failed: Vec<&str> = evidence
        .covering
        .iter()
        .filter(|r| r.status == RuleStatus::Error)
        .map(|r| r.id.as_str())
        .collect();
    if !failed.is_empty() {
        let basis = format!("rule {} failed to run", failed.join(", "));
        return Some((ControlStatus::Error, basis));
    }
    gaps.unread_inputs.then(|| {
        let basis = "some inputs could not be read, so an absence of findings proves nothing";
        (ControlStatus::Error, basis.to_owned())
    })
}

/// Only waived findings break it.
fn waived(evidence: &Evidence) -> Option<Verdict> {
    let n = evidence.waived.len();
    (n > 0).then(|| {
        let basis = format!("only waived findings break it ({n}): exceptions with accepted risk");
        (ControlStatus::Waived, basis)
    })
}

/// Nothing breaks it: tested by the rules that judged something for it, fully when every
/// rule evidencing it did and ran, in part otherwise; not assessed when none judged
/// anything or charts were left unrendered.
fn judged(evidence: &Evidence, run: &Run) -> Verdict {
    let control = evidence.control;
    let (judged, idle): (Vec<&RuleResult>, Vec<&RuleResult>) = evidence
        .covering
        .iter()
        .partition(|r| judged_for(r, control, run.findings));
    if judged.is_empty() {
        let basis = "its rules ran, but the input held nothing they judge for it";
        return (ControlStatus::NotAssessed, basis.to_owned());
    }
    if let Some(verdict) = unrendered(evidence, run.gaps) {
        return verdict;
    }
    let scope = &evidence.scope;
    if idle.is_empty() && evidence.not_run.is_empty() {
        let basis = format!("tested, no exceptions in the scanned scope: {scope}");
        return (ControlStatus::Satisfied, basis);
    }
    let mut missing: Vec<String> = idle
        .iter()
        .map(|r| format!("{} (judged nothing that bears on it)", r.id))
        .collect();
    missing.extend(evidence.not_run.iter().map(|r| format!("{r} (not run)")));
    let tested: Vec<&str> = judged.iter().map(|r| r.id.as_str()).collect();
    (
        ControlStatus::Partial,
        partial_basis(&tested, scope, &missing),
    )
}

/// Helm charts were not rendered and a rule evidencing it reads manifests: the objects the
/// charts define were not judged.
fn unrendered(evidence: &Evidence, gaps: Gaps) -> Option<Verdict> {
    let reads_manifests = evidence
        .covering
        .iter()
        .any(|r| r.inputs.contains(&RuleInput::Manifests));
    let n = gaps.unrendered_charts;
    (n > 0 && reads_manifests).then(|| {
        let basis = format!(
            "{n} Helm chart{} not rendered, so the objects {} define were not judged",
            if n == 1 { " was" } else { "s were" },
            if n == 1 { "it would" } else { "they would" },
        );
        (ControlStatus::NotAssessed, basis)
    })
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
