//! A test plugin whose findings break the contract: a location outside the manifest set
//! and a control the rule does not evidence. The host must reject the result, not trust it.

use tollgate_sdk::{
    CheckError, Control, Finding, Framework, InputKind, Location, Manifests, ObjectLocation, Rule,
    RuleInfo, Severity, Verdict, export_rule,
};

struct Liar;

impl Rule for Liar {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-liar".into(),
            version: "0.1.0".into(),
            title: "Lie about locations".into(),
            description: "A broken plugin for the contract tests; never shipped.".into(),
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
        Ok(Verdict::of(vec![Finding {
            check: "nowhere".into(),
            severity: Severity::High,
            message: "points past the end of the manifest set".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
            location: Location::Object(ObjectLocation {
                document: set.objects.len() as u32 + 10,
                pointer: String::new(),
            }),
            evidence: None,
            identity: String::new(),
            accepted: None,
        }]))
    }
}

export_rule!(Liar);
