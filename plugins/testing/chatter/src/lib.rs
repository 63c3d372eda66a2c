//! A test plugin that writes 40 KiB to stderr: the host keeps 16 KiB and must say that
//! stderr was full rather than quote a line cut in half.

use tollgate_sdk::{
    CheckError, Control, Framework, InputKind, Manifests, Rule, RuleInfo, Severity, Verdict,
    export_rule,
};

struct Chatter;

impl Rule for Chatter {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-chatter".into(),
            version: "0.1.0".into(),
            title: "Talk too much".into(),
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
        for line in 0..400 {
            eprintln!("{line:0>99}");
        }
        Ok(Verdict::of(Vec::new()))
    }
}

export_rule!(Chatter);
