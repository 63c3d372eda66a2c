//! A test plugin whose `info` breaks the contract (id not kebab-case, a check mapped to a
//! control no catalog knows, soc2 CC99.9): the host must refuse to load it.

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{Check, InputKind, Rule, RuleInfo, RuleSpec, Severity, export_rule};

const BROKEN: Check = Check {
    id: "broken",
    title: "Breaks the contract",
    severity: Severity::High,
    rationale: "None: a test plugin.",
    remediation: "None.",
    controls: &[(SOC2, "CC99.9")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "Bad Info!",
    version: "0.1.0",
    title: "Broken metadata",
    description: "A broken plugin for the loader tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[BROKEN],
};

struct BadInfo;

impl Rule for BadInfo {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }
}

export_rule!(BadInfo);
