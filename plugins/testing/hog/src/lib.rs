//! A test plugin that allocates without bound: the memory limit must stop it.

use tollgate_sdk::{
    CheckError, Control, Framework, InputKind, Manifests, Rule, RuleInfo, Severity, Verdict,
    export_rule,
};

struct Hog;

impl Rule for Hog {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-hog".into(),
            version: "0.1.0".into(),
            title: "Eat all memory".into(),
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
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(std::hint::black_box(vec![1u8; 1 << 20]));
        }
    }
}

export_rule!(Hog);
