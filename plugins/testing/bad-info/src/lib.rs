//! A test plugin whose `info` breaks the contract (id not kebab-case, a check mapped to a
//! control no catalog knows, soc2 CC99.9): the host must refuse to load it.

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{Check, Rule, RuleInfo, RuleSpec, Severity, export_rule};

const BROKEN: Check = Check {
    controls: &[(SOC2, "CC99.9")],
    ..Check::test_plugin("broken", "Breaks the contract", Severity::High, "None.")
};

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "Bad Info!",
    "Broken metadata",
    "A broken plugin for the loader tests; never shipped.",
    &[BROKEN],
);

struct BadInfo;

impl Rule for BadInfo {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }
}

export_rule!(BadInfo);
