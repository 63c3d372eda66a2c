//! A test plugin that panics in `check-manifests`: the trap must become an error of its
//! rule that carries the panic message.

use tollgate_sdk::{
    CheckError, Control, Framework, InputKind, Manifests, Rule, RuleInfo, Severity, Verdict,
    export_rule,
};

struct Panic;

impl Rule for Panic {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-panic".into(),
            version: "0.1.0".into(),
            title: "Panic".into(),
            description: "A broken plugin for the sandbox tests; never shipped.".into(),
            severity: Severity::High,
            inputs: vec![InputKind::Manifests],
            remediation: "None.".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
        }
    }

    fn check_manifests(set: &Manifests, _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        panic!("cannot judge {} objects", set.objects.len())
    }
}

export_rule!(Panic);
