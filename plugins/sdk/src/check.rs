//! A rule's description and its checks, the findings they produce, and what each judged.

use crate::{
    CheckInfo, Control, Coverage, FileLocation, Finding, InputKind, Location, Object,
    ObjectLocation, Pointer, RuleInfo, Severity, Verdict,
};

/// The frameworks a control may name, as the host's catalog spells them.
pub mod framework {
    /// AICPA SOC 2 Trust Services Criteria.
    pub const SOC2: &str = "soc2";
    /// ISO/IEC 27001:2022 Annex A.
    pub const ISO27001: &str = "iso27001";
    /// CIS Kubernetes Benchmark.
    pub const CIS_KUBERNETES: &str = "cis-kubernetes";
    /// NIST SP 800-53 Rev. 5.
    pub const NIST_800_53: &str = "nist-800-53";
}

/// A control as `(framework, id)`, e.g. `(SOC2, "CC6.1")`.
pub type ControlId = (&'static str, &'static str);

/// Two constant lists as one, for a list that extends another: a check adding its own
/// controls to those its rule's checks share
/// (`const WILDCARD: [ControlId; 4] = join(COMMON, [(SOC2, "CC6.3")]);`), or a rule's
/// kinds adding the workloads (`join(["Ingress"], workload::KINDS)`). The joined length
/// must be the sum of both, and at least one list must hold something (a compile error
/// otherwise).
pub const fn join<T: Copy, const A: usize, const B: usize, const N: usize>(
    a: [T; A],
    b: [T; B],
) -> [T; N] {
    assert!(A + B == N, "a joined list is as long as both lists");
    let mut joined = [if A > 0 { a[0] } else { b[0] }; N];
    let mut i = 0;
    while i < N {
        joined[i] = if i < A { a[i] } else { b[i - A] };
        i += 1;
    }
    joined
}

/// What a rule is, as constants: [`RuleSpec::info`] turns it into the WIT `rule-info`, so
/// a rule never writes that record by hand and its checks are listed exactly once.
#[derive(Clone, Copy, Debug)]
pub struct RuleSpec {
    pub id: &'static str,
    /// `env!("CARGO_PKG_VERSION")` of the rule crate.
    pub version: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub inputs: &'static [InputKind],
    /// The object kinds `check-manifests` reads; empty for every object.
    pub kinds: &'static [&'static str],
    pub checks: &'static [Check],
}

impl RuleSpec {
    /// The WIT `rule-info` of the rule.
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            id: self.id.into(),
            version: self.version.into(),
            title: self.title.into(),
            description: self.description.into(),
            inputs: self.inputs.to_vec(),
            kinds: self.kinds.iter().map(|&k| k.into()).collect(),
            checks: self.checks.iter().map(Check::info).collect(),
        }
    }

    /// The spec of a test plugin (`plugins/testing/*`, never shipped): version 0.1.0,
    /// reading manifests of every kind. A plugin testing one of these fields overrides it
    /// (`RuleSpec { version: "x", ..RuleSpec::test_plugin(...) }`).
    pub const fn test_plugin(
        id: &'static str,
        title: &'static str,
        description: &'static str,
        checks: &'static [Check],
    ) -> Self {
        Self {
            id,
            version: "0.1.0",
            title,
            description,
            inputs: &[InputKind::Manifests],
            kinds: &[],
            checks,
        }
    }
}

/// One check of a rule: a stable id, what it reports and why, its default severity, and
/// the controls its findings break. Rules declare their checks as constants and list them
/// in their [`RuleSpec`].
#[derive(Clone, Copy, Debug)]
pub struct Check {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub rationale: &'static str,
    pub remediation: &'static str,
    pub controls: &'static [ControlId],
}

impl Check {
    /// The WIT `check-info` of the check.
    pub fn info(&self) -> CheckInfo {
        CheckInfo {
            id: self.id.into(),
            title: self.title.into(),
            severity: self.severity,
            rationale: self.rationale.into(),
            remediation: self.remediation.into(),
            controls: self.controls.iter().copied().map(control).collect(),
        }
    }

    /// A check of a test plugin: no rationale to give, and mapped to SOC 2 CC6.1 so that
    /// the host loads it.
    pub const fn test_plugin(
        id: &'static str,
        title: &'static str,
        severity: Severity,
        remediation: &'static str,
    ) -> Self {
        Self {
            id,
            title,
            severity,
            rationale: "None: a test plugin.",
            remediation,
            controls: &[(framework::SOC2, "CC6.1")],
        }
    }

    /// A finding about a field of an object in the manifest set. Its identity is the
    /// pointer, so the fingerprint survives the object moving within its file. A field
    /// the object lacks (a rule reporting a missing `spec`) may be named: the host
    /// locates and reports it at its nearest existing parent, so no input can make a
    /// finding point at nothing.
    pub fn at(&self, object: &Object, pointer: Pointer, message: String) -> Finding {
        let identity = String::from(pointer);
        self.finding(
            Location::Object(ObjectLocation {
                document: object.position,
                pointer: identity.clone(),
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

    /// A finding at a document position and pointer taken as they are, with no identity:
    /// for test plugins whose findings must be able to point anywhere, even outside the
    /// manifest set. Rules use [`Check::at`].
    pub fn unchecked_at(&self, document: u32, pointer: String, message: String) -> Finding {
        self.finding(
            Location::Object(ObjectLocation { document, pointer }),
            message,
            String::new(),
        )
    }

    fn finding(&self, location: Location, message: String, identity: String) -> Finding {
        Finding {
            check: self.id.to_owned(),
            severity: self.severity,
            message,
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
            coverage: Vec::new(),
        }
    }

    /// Records the objects `check` judged, whether or not it found a violation in them:
    /// the scope its controls' status rests on. Nothing judged records nothing. A check's
    /// objects are kept as a set: in order of position, each once.
    pub fn judged<'a>(self, check: &Check, objects: impl IntoIterator<Item = &'a Object>) -> Self {
        self.judged_at(check.id, objects.into_iter().map(|o| o.position))
    }

    /// [`Verdict::judged`] with the objects' positions.
    pub(crate) fn judged_at(
        mut self,
        check: &str,
        positions: impl IntoIterator<Item = u32>,
    ) -> Self {
        let mut positions = positions.into_iter().peekable();
        if positions.peek().is_none() {
            return self;
        }
        // Sorted and deduplicated once per call, not searched per object: a rule judges
        // every object of its kinds, which may be tens of thousands.
        let coverage = self.coverage_of(check);
        coverage.documents.extend(positions);
        coverage.documents.sort_unstable();
        coverage.documents.dedup();
        self
    }

    /// Records that `check` read `files` files of a `check-files` batch.
    pub fn read_files(mut self, check: &Check, files: usize) -> Self {
        if files > 0 {
            let coverage = self.coverage_of(check.id);
            coverage.files = coverage
                .files
                .saturating_add(files.try_into().unwrap_or(u32::MAX));
        }
        self
    }

    fn coverage_of(&mut self, check: &str) -> &mut Coverage {
        let at = match self.coverage.iter().position(|c| c.check == check) {
            Some(at) => at,
            None => {
                self.coverage.push(Coverage {
                    check: check.into(),
                    documents: Vec::new(),
                    files: 0,
                });
                self.coverage.len() - 1
            }
        };
        &mut self.coverage[at]
    }
}

/// A control from its framework and id.
pub fn control((framework, id): ControlId) -> Control {
    Control {
        framework: framework.into(),
        id: id.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::framework::{CIS_KUBERNETES, SOC2};
    use super::*;
    use crate::{Document, Manifests};

    const A: Check = Check {
        id: "a",
        title: "A",
        severity: Severity::High,
        rationale: "Because.",
        remediation: "Fix it.",
        controls: &[(SOC2, "CC6.1"), (CIS_KUBERNETES, "5.1.1")],
    };
    const B: Check = Check {
        id: "b",
        controls: &[(SOC2, "CC6.1")],
        ..A
    };

    fn objects(n: u32) -> Manifests {
        Manifests::sent(
            (0..n)
                .map(|index| Document {
                    file: "a.yaml".into(),
                    index,
                    api_version: "v1".into(),
                    kind: "ConfigMap".into(),
                    name: format!("c{index}"),
                    namespace: None,
                    object: "{}".into(),
                })
                .collect(),
        )
    }

    #[test]
    fn a_finding_keeps_the_pointer_the_rule_built_for_the_host_to_locate() {
        let set = objects(2);
        let missing = Pointer::root().at("spec").at("a/b");
        let finding = A.at(&set.objects[1], missing, "m".into());
        let Location::Object(at) = &finding.location else {
            panic!("an object finding expected")
        };
        assert_eq!((at.document, at.pointer.as_str()), (1, "/spec/a~1b"));
        assert_eq!(finding.identity, "/spec/a~1b");
        assert_eq!(crate::testing::reported(&set, at), "");
    }

    #[test]
    fn a_verdict_records_what_each_check_judged_once() {
        let set = objects(3);
        let verdict = Verdict::of(Vec::new())
            .judged(&A, &set.objects[..2])
            .judged(&A, &set.objects[1..])
            .judged(&B, &set.objects[..0])
            .read_files(&B, 0);
        assert_eq!(
            verdict.coverage,
            [Coverage {
                check: "a".into(),
                documents: vec![0, 1, 2],
                files: 0
            }]
        );
        let files = Verdict::of(Vec::new()).read_files(&B, 4).read_files(&B, 1);
        assert_eq!(files.coverage[0].files, 5);
    }

    #[test]
    fn joined_lists_keep_both_in_order() {
        const COMMON: [ControlId; 2] = [(SOC2, "CC7.1"), (SOC2, "CC6.1")];
        const JOINED: [ControlId; 3] = join(COMMON, [(CIS_KUBERNETES, "5.1.1")]);
        assert_eq!(
            JOINED,
            [(SOC2, "CC7.1"), (SOC2, "CC6.1"), (CIS_KUBERNETES, "5.1.1")]
        );
        const KINDS: [&str; 2] = join([], ["Pod", "Job"]);
        assert_eq!(KINDS, ["Pod", "Job"]);
    }

    #[test]
    fn a_spec_lists_its_checks_with_their_controls() {
        let spec = RuleSpec {
            id: "r",
            version: "1.0.0",
            title: "T",
            description: "D",
            inputs: &[InputKind::Manifests],
            kinds: &["Role"],
            checks: &[A, B],
        };
        let info = spec.info();
        assert_eq!(info.kinds, ["Role"]);
        let checks: Vec<(String, usize)> = info
            .checks
            .iter()
            .map(|c| (c.id.clone(), c.controls.len()))
            .collect();
        assert_eq!(checks, [("a".into(), 2), ("b".into(), 1)]);
        assert_eq!(info.checks[0].controls[1].framework, "cis-kubernetes");
    }
}
