//! A well-behaved test plugin that finds nothing: the base the sandbox tests inflate with
//! extra memories and tables, to show what the limits refuse and what they let through.

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{Check, InputKind, Rule, RuleInfo, RuleSpec, Severity, export_rule};

const NOTHING: Check = Check {
    id: "nothing",
    title: "Finds nothing",
    severity: Severity::Low,
    rationale: "None: a test plugin.",
    remediation: "None: it finds nothing.",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "test-calm",
    version: "0.1.0",
    title: "Find nothing",
    description: "A test plugin for the sandbox tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[NOTHING],
};

struct Calm;

impl Rule for Calm {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }
}

export_rule!(Calm);
