//! A test plugin that sleeps for a minute in `check-manifests` (a WASI clock wait, a host
//! call that epoch interruption cannot reach): the time limit must stop it all the same.

use std::time::Duration;

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{
    Check, CheckError, InputKind, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict,
    export_rule,
};

const SLEEP: Check = Check {
    id: "sleep",
    title: "Sleeps for a minute",
    severity: Severity::High,
    rationale: "None: a test plugin.",
    remediation: "None: it exists to be stopped.",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "test-sleep",
    version: "0.1.0",
    title: "Sleep for a minute",
    description: "A hostile plugin for the sandbox tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[SLEEP],
};

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
