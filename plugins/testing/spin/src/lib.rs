//! A test plugin that never returns from `check-manifests`: the time limit must stop it.

use tollgate_sdk::{
    CheckError, Control, Framework, InputKind, Manifests, Rule, RuleInfo, Severity, Verdict,
    export_rule,
};

struct Spin;

impl Rule for Spin {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-spin".into(),
            version: "0.1.0".into(),
            title: "Loop forever".into(),
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

    fn check_manifests(set: &Manifests, _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        let mut counter = set.objects.len() as u64;
        loop {
            counter =
                std::hint::black_box(counter.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
}

export_rule!(Spin);
