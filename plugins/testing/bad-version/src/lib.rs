//! A test plugin whose `info()` version is markup, not a semantic version: refused.

use tollgate_sdk::{Check, Rule, RuleInfo, RuleSpec, Severity, export_rule};

const CLAIM: Check = Check::test_plugin(
    "claim",
    "Claims a version that is not one",
    Severity::Low,
    "None: it exists to be refused.",
);

const SPEC: RuleSpec = RuleSpec {
    version: "<b>9</b>",
    ..RuleSpec::test_plugin(
        "test-bad-version",
        "Claim a version that is not one",
        "A hostile plugin for the sandbox tests; never shipped.",
        &[CLAIM],
    )
};

struct BadVersion;

impl Rule for BadVersion {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }
}

export_rule!(BadVersion);
