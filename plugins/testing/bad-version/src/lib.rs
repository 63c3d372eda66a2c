//! A test plugin whose `info()` version is markup, not a semantic version: refused.

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{Check, InputKind, Rule, RuleInfo, RuleSpec, Severity, export_rule};

const CLAIM: Check = Check {
    id: "claim",
    title: "Claims a version that is not one",
    severity: Severity::Low,
    rationale: "None: a test plugin.",
    remediation: "None: it exists to be refused.",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "test-bad-version",
    version: "<b>9</b>",
    title: "Claim a version that is not one",
    description: "A hostile plugin for the sandbox tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[CLAIM],
};

struct BadVersion;

impl Rule for BadVersion {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }
}

export_rule!(BadVersion);
