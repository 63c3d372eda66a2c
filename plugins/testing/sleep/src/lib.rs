//! A test plugin that sleeps for a minute in `check-manifests` (a WASI clock wait, a host
//! call that epoch interruption cannot reach): the time limit must stop it all the same.

use std::time::Duration;

use tollgate_sdk::{
    CheckError, Control, Framework, InputKind, Manifests, Rule, RuleInfo, Severity, Verdict,
    export_rule,
};

struct Sleep;

impl Rule for Sleep {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-sleep".into(),
            version: "0.1.0".into(),
            title: "Sleep for a minute".into(),
            description: "A hostile plugin for the sandbox tests; never shipped.".into(),
            severity: Severity::High,
            inputs: vec![InputKind::Manifests],
            remediation: "None: it exists to be stopped.".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
        }
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
