//! Control status: what a run says about each control of the selected frameworks, from the
//! rules that ran, what their checks judged and the findings they made. Fails closed: a
//! control is `satisfied` only when every rule evidencing it ran cleanly over inputs that
//! were all read, and each judged something that bears on it; when only some did, it is
//! `partial`, naming which did not.
//!
//! It reads the report's own records, so it sits in `report` above the catalog (which
//! gives the controls and their titles); a scan and a merge of saved runs both call it.

use std::collections::HashMap;

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
    // Each finding is filed under its controls once, rather than every control searching
    // every finding.
    let mut breaking: HashMap<&ControlRef, Vec<&FindingRecord>> = HashMap::new();
    for finding in run.findings {
        for control in finding.controls.iter() {
            breaking.entry(control).or_default().push(finding);
        }
    }
    let mut results = Vec::new();
    for &framework in frameworks {
        for control in &catalog::catalog(framework).controls {
            let reference = ControlRef {
                framework,
                id: control.id.clone(),
            };
            let findings = breaking.get(&reference).map_or(&[][..], Vec::as_slice);
            let mut result = judge(&reference, findings, run);
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
    /// `findings` are the run's findings that name `control`.
    fn of(control: &'a ControlRef, findings: &[&'a FindingRecord], run: &'a Run) -> Self {
        let (waived, active) = findings.iter().copied().partition(|f| f.waiver.is_some());
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
fn judge<'a>(
    control: &'a ControlRef,
    findings: &[&'a FindingRecord],
    run: &'a Run,
) -> ControlResult {
    let evidence = Evidence::of(control, findings, run);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{
        CheckCoverage, CheckRecord, LocationRecord, RuleSource, Severity, WaiverRecord,
        WaiverSource,
    };

    fn cc61() -> ControlRef {
        ControlRef {
            framework: Framework::Soc2,
            id: "CC6.1".into(),
        }
    }

    /// A rule with one check evidencing CC6.1 that judged `objects` objects.
    fn rule(id: &str, status: RuleStatus, objects: usize) -> RuleResult {
        RuleResult {
            id: id.into(),
            version: "1.0.0".into(),
            title: id.into(),
            description: id.into(),
            checks: vec![CheckRecord {
                id: "check".into(),
                title: "check".into(),
                severity: Severity::High,
                rationale: "r".into(),
                remediation: "r".into(),
                controls: vec![cc61()],
            }],
            source: RuleSource::Builtin,
            sha256: "0".repeat(64),
            status,
            findings: 0,
            waived: 0,
            coverage: vec![CheckCoverage {
                check: "check".into(),
                objects,
                files: 0,
            }],
            inputs: vec![RuleInput::Manifests],
        }
    }

    fn finding(rule: &str, waived: bool) -> FindingRecord {
        FindingRecord {
            rule: rule.into(),
            check: "check".into(),
            severity: Severity::High,
            message: "m".into(),
            controls: [cc61()].into(),
            location: LocationRecord::default(),
            evidence: None,
            waiver: waived.then(|| {
                Box::new(WaiverRecord {
                    source: WaiverSource::Config,
                    reason: "accepted".into(),
                    expires: None,
                    approved_by: None,
                })
            }),
            fingerprint: format!("{rule}-fp"),
        }
    }

    /// A named row: what the run produced, and CC6.1's expected status and basis.
    struct Case {
        name: &'static str,
        rules: Vec<RuleResult>,
        skipped: Vec<&'static str>,
        findings: Vec<FindingRecord>,
        gaps: Gaps,
        status: ControlStatus,
        basis: &'static str,
    }

    fn case(name: &'static str, rules: Vec<RuleResult>) -> Case {
        Case {
            name,
            rules,
            skipped: Vec::new(),
            findings: Vec::new(),
            gaps: Gaps::default(),
            status: ControlStatus::NotAssessed,
            basis: "",
        }
    }

    impl Case {
        fn skipped(mut self, rule: &'static str) -> Self {
            self.skipped.push(rule);
            self
        }
        fn finding(mut self, rule: &str, waived: bool) -> Self {
            self.findings.push(finding(rule, waived));
            self
        }
        fn gaps(mut self, unread_inputs: bool, unrendered_charts: usize) -> Self {
            self.gaps = Gaps {
                unread_inputs,
                unrendered_charts,
            };
            self
        }
        fn expect(mut self, status: ControlStatus, basis: &'static str) -> Self {
            self.status = status;
            self.basis = basis;
            self
        }
    }

    /// The status table: one row per way a control can fare.
    fn cases() -> Vec<Case> {
        use ControlStatus::*;
        use RuleStatus::{Error as Failed, Fail, Pass};
        vec![
            case("no rule", vec![])
                .expect(NotAssessed, "no tollgate rule evidences this control"),
            case("rule not run", vec![])
                .skipped("tls")
                .expect(NotAssessed, "its rules were not run: tls"),
            case("a finding", vec![rule("rbac", Fail, 2)])
                .finding("rbac", false)
                .expect(NotSatisfied, "1 finding breaks it"),
            case("two findings, one waived", vec![rule("rbac", Fail, 2)])
                .finding("rbac", false)
                .finding("rbac", false)
                .finding("rbac", true)
                .expect(NotSatisfied, "2 findings break it"),
            case("rule failed", vec![rule("rbac", Failed, 0), rule("tls", Pass, 1)])
                .expect(Error, "rule rbac failed to run"),
            case("input unread", vec![rule("rbac", Pass, 2)])
                .gaps(true, 0)
                .expect(
                    Error,
                    "some inputs could not be read, so an absence of findings proves nothing",
                ),
            case("only waived", vec![rule("rbac", Pass, 2)])
                .finding("rbac", true)
                .expect(
                    Waived,
                    "only waived findings break it (1): exceptions with accepted risk",
                ),
            case("nothing judged", vec![rule("rbac", Pass, 0)]).expect(
                NotAssessed,
                "its rules ran, but the input held nothing they judge for it",
            ),
            case("chart not rendered", vec![rule("rbac", Pass, 2)])
                .gaps(false, 1)
                .expect(
                    NotAssessed,
                    "1 Helm chart was not rendered, so the objects it would define were not judged",
                ),
            case("charts not rendered", vec![rule("rbac", Pass, 2)])
                .gaps(false, 2)
                .expect(
                    NotAssessed,
                    "2 Helm charts were not rendered, so the objects they would define were not judged",
                ),
            case("every rule judged", vec![rule("rbac", Pass, 2), rule("tls", Pass, 1)])
                .expect(
                    Satisfied,
                    "tested, no exceptions in the scanned scope: 2 objects (2 Role)",
                ),
            case("one rule idle", vec![rule("rbac", Pass, 2), rule("tls", Pass, 0)])
                .expect(
                    Partial,
                    "tested by rbac on 2 objects (2 Role), no exceptions; not assessed by tls \
                     (judged nothing that bears on it)",
                ),
            case("one rule not run", vec![rule("rbac", Pass, 2)])
                .skipped("tls")
                .expect(
                    Partial,
                    "tested by rbac on 2 objects (2 Role), no exceptions; not assessed by tls \
                     (not run)",
                ),
        ]
    }

    #[test]
    fn each_control_status_with_its_basis() {
        for case in cases() {
            let skipped: Vec<(String, Vec<ControlRef>)> = case
                .skipped
                .iter()
                .map(|r| (r.to_string(), vec![cc61()]))
                .collect();
            let scope = |_: &ControlRef| Scope {
                objects: [("Role".to_owned(), 2)].into(),
                files: 0,
            };
            let run = Run {
                rules: &case.rules,
                skipped: &skipped,
                findings: &case.findings,
                gaps: case.gaps,
                scope: &scope,
            };
            let results = assess(&[Framework::Soc2], &run);
            let cc61 = results.iter().find(|c| c.id == "CC6.1").expect("CC6.1");
            assert_eq!(
                (cc61.status, cc61.basis.as_str()),
                (case.status, case.basis),
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn a_result_names_its_rules_and_findings_and_every_control_of_the_framework() {
        let rules = [
            rule("rbac", RuleStatus::Fail, 2),
            rule("tls", RuleStatus::Pass, 1),
        ];
        let findings = [finding("rbac", false), finding("tls", true)];
        let scope = |_: &ControlRef| Scope::default();
        let run = Run {
            rules: &rules,
            skipped: &[],
            findings: &findings,
            gaps: Gaps::default(),
            scope: &scope,
        };
        let results = assess(&[Framework::Soc2], &run);
        let ids: Vec<&str> = results.iter().map(|c| c.id.as_str()).collect();
        let catalog_ids: Vec<&str> = catalog::catalog(Framework::Soc2)
            .controls
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(ids, catalog_ids);
        let result = results.iter().find(|c| c.id == "CC6.1").expect("CC6.1");
        assert_eq!(
            result,
            &ControlResult {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
                title: catalog::entry(&cc61())
                    .expect("in the catalog")
                    .title
                    .clone(),
                status: ControlStatus::NotSatisfied,
                basis: "1 finding breaks it".into(),
                scope: Scope::default(),
                rules: vec!["rbac".into(), "tls".into()],
                findings: vec!["rbac-fp".into()],
                waived: vec!["tls-fp".into()],
            }
        );
        let cc62 = results.iter().find(|c| c.id == "CC6.2").expect("CC6.2");
        assert_eq!(cc62.status, ControlStatus::NotAssessed);
        assert!(cc62.rules.is_empty());
    }
}
