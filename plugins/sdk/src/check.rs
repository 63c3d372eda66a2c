//! Sub-checks of a rule and the findings they produce.

use crate::{
    Control, FileLocation, Finding, Framework, Location, Object, ObjectLocation, Pointer, Severity,
    Value, Verdict,
};

/// One sub-check of a rule: a stable id, its default severity, and the controls a finding
/// of it breaks. Rules declare their checks as constants and list them in
/// [`controls_of`] to build `rule-info.controls`, so the two can never disagree.
#[derive(Clone, Copy, Debug)]
pub struct Check {
    pub id: &'static str,
    pub severity: Severity,
    pub controls: &'static [(Framework, &'static str)],
}

impl Check {
    /// A finding about a field of an object in the manifest set. Its identity is the
    /// pointer, so the fingerprint survives the object moving within its file. A field
    /// the object lacks (a rule reporting a missing `spec`) is located at its nearest
    /// existing parent, so no input can make a finding point at nothing.
    pub fn at(&self, object: &Object, pointer: Pointer, message: String) -> Finding {
        let identity = pointer.to_string();
        self.finding(
            Location::Object(ObjectLocation {
                document: object.position,
                pointer: pointer.nearest_in(object.value()).into(),
            }),
            message,
            identity,
        )
    }

    /// A finding at a line and column of a file of a `check-files` batch. `identity`
    /// should not depend on the line (e.g. a hash of the matched value).
    pub fn in_file(
        &self,
        path: &str,
        (line, column): (u32, u32),
        message: String,
        identity: String,
    ) -> Finding {
        self.finding(
            Location::File(FileLocation {
                path: path.to_owned(),
                line,
                column,
            }),
            message,
            identity,
        )
    }

    fn finding(&self, location: Location, message: String, identity: String) -> Finding {
        Finding {
            check: self.id.to_owned(),
            severity: self.severity,
            message,
            controls: control_list(self.controls),
            location,
            evidence: None,
            identity,
            accepted: None,
        }
    }
}

impl Finding {
    /// Adds redacted evidence.
    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }

    /// Replaces the identity (by default the pointer) when the finding is about something
    /// other than the field it is located at, e.g. a whole namespace.
    pub fn with_identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = identity.into();
        self
    }

    /// Adds a control this particular finding also breaks (e.g. the CIS item of the
    /// component it is on). The rule's `info` must list it too.
    pub fn with_control(mut self, control: (Framework, &str)) -> Self {
        self.controls.push(crate::control(control));
        self
    }

    /// Marks the finding as accepted by the rule's settings, with the operator's reason:
    /// reported as waived, not failing the run.
    pub fn accepted_because(mut self, reason: impl Into<String>) -> Self {
        self.accepted = Some(reason.into());
        self
    }

    /// Overrides the check's default severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

impl Verdict {
    /// A verdict with these findings and, so far, nothing else judged.
    pub fn of(findings: Vec<Finding>) -> Self {
        Self {
            findings,
            assessed: Vec::new(),
        }
    }

    /// Records that `check` had something to judge in the input (whether or not it found
    /// a violation): its controls are assessed. `when` false records nothing.
    pub fn judged(self, check: &Check, when: bool) -> Self {
        self.assessed(check.controls, when)
    }

    /// Records controls as assessed (when `when`), for judgements that evidence controls
    /// beyond a check's own (e.g. the CIS item of the component judged).
    pub fn assessed(mut self, controls: &[(Framework, &str)], when: bool) -> Self {
        if when {
            for &(framework, id) in controls {
                let known = self
                    .assessed
                    .iter()
                    .any(|c| c.framework == framework && c.id == id);
                if !known {
                    self.assessed.push(control((framework, id)));
                }
            }
        }
        self
    }
}

/// Where each finding points, as `(check, document, pointer)`, asserting that every one is
/// an object finding whose pointer names a field of its object in `objects` (the host
/// refuses a verdict that points at an absent field). What a rule's unit tests check over
/// partial and odd objects.
pub fn object_locations(objects: &[Value], findings: Vec<Finding>) -> Vec<(String, u32, String)> {
    findings
        .into_iter()
        .map(|finding| {
            let Location::Object(at) = finding.location else {
                panic!("{}: an object finding expected", finding.check)
            };
            let object = &objects[at.document as usize];
            assert!(
                object.pointer(&at.pointer).is_some(),
                "{}: {} names no field of {object}",
                finding.check,
                at.pointer
            );
            (finding.check, at.document, at.pointer)
        })
        .collect()
}

/// Every control evidenced by a rule with these checks, in first-seen order, once each.
pub fn controls_of(checks: &[Check]) -> Vec<Control> {
    let mut all: Vec<(Framework, &str)> = Vec::new();
    for &(framework, id) in checks.iter().flat_map(|c| c.controls) {
        if !all.contains(&(framework, id)) {
            all.push((framework, id));
        }
    }
    control_list(&all)
}

/// A control from its framework and id.
pub fn control((framework, id): (Framework, &str)) -> Control {
    Control {
        framework,
        id: id.to_owned(),
    }
}

fn control_list(controls: &[(Framework, &str)]) -> Vec<Control> {
    controls.iter().copied().map(control).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Check = Check {
        id: "a",
        severity: Severity::High,
        controls: &[
            (Framework::Soc2, "CC6.1"),
            (Framework::CisKubernetes, "5.1.1"),
        ],
    };
    const B: Check = Check {
        id: "b",
        severity: Severity::Low,
        controls: &[
            (Framework::Soc2, "CC6.1"),
            (Framework::CisKubernetes, "5.1.2"),
        ],
    };

    #[test]
    fn a_verdict_assesses_the_controls_of_the_checks_that_judged() {
        let verdict = Verdict::of(Vec::new()).judged(&A, true).judged(&B, false);
        let ids: Vec<String> = verdict.assessed.into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["CC6.1", "5.1.1"]);
    }

    #[test]
    fn controls_are_deduplicated_in_order() {
        let ids: Vec<String> = controls_of(&[A, B]).into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["CC6.1", "5.1.1", "5.1.2"]);
    }
}
