//! A test plugin that panics in `check-manifests`: the trap must become an error of its
//! rule that carries the panic message.

use tollgate_sdk::{
    Check, CheckError, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

const PANIC: Check = Check::test_plugin("panic", "Panics", Severity::High, "None.");

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-panic",
    "Panic",
    "A broken plugin for the sandbox tests; never shipped.",
    &[PANIC],
);

struct Panic;

impl Rule for Panic {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(set: &Manifests, _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        panic!("cannot judge {} objects", set.objects.len())
    }
}

export_rule!(Panic);
