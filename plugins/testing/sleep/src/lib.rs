//! A test plugin that sleeps for a minute in `check-manifests` (a WASI clock wait, a host
//! call that epoch interruption cannot reach): the time limit must stop it all the same.

use std::time::Duration;

use tollgate_sdk::{
    Check, CheckError, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

const SLEEP: Check = Check::test_plugin(
    "sleep",
    "Sleeps for a minute",
    Severity::High,
    "None: it exists to be stopped.",
);

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-sleep",
    "Sleep for a minute",
    "A hostile plugin for the sandbox tests; never shipped.",
    &[SLEEP],
);

struct Sleep;

impl Rule for Sleep {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(
        _set: &Manifests,
        _settings: &Self::Settings,
    ) -> Result<Verdict, CheckError> {
        std::thread::sleep(Duration::from_secs(60));
        Ok(Verdict::of(Vec::new()))
    }
}

export_rule!(Sleep);
