//! A test plugin that declares it reads Secrets only, and traps whenever it is called: a
//! scan with no Secret must not call it at all.

use tollgate_sdk::{
    Check, CheckError, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

const CALLED: Check = Check::test_plugin("called", "Called", Severity::High, "None.");

const SPEC: RuleSpec = RuleSpec {
    kinds: &["Secret"],
    ..RuleSpec::test_plugin(
        "test-secrets-only",
        "Secrets only",
        "A plugin for the slicing tests; never shipped.",
        &[CALLED],
    )
};

struct SecretsOnly;

impl Rule for SecretsOnly {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(set: &Manifests, _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        panic!("called with {} objects", set.objects.len())
    }
}

export_rule!(SecretsOnly);
