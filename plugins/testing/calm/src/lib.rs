//! A well-behaved test plugin that finds nothing: the base the sandbox tests inflate with
//! extra memories and tables, to show what the limits refuse and what they let through.

use tollgate_sdk::{Check, Rule, RuleInfo, RuleSpec, Severity, export_rule};

const NOTHING: Check = Check::test_plugin(
    "nothing",
    "Finds nothing",
    Severity::Low,
    "None: it finds nothing.",
);

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-calm",
    "Find nothing",
    "A test plugin for the sandbox tests; never shipped.",
    &[NOTHING],
);

struct Calm;

impl Rule for Calm {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }
}

export_rule!(Calm);
