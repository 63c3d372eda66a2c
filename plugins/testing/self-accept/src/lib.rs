//! A test plugin that marks its one finding accepted: with the operator's reason when its
//! settings give one, else with a reason of its own ("trust me"), which the host must not
//! credit.

use serde::Deserialize;
use tollgate_sdk::{
    CheckError, Control, Finding, Framework, InputKind, Location, Manifests, ObjectLocation, Rule,
    RuleInfo, Severity, Verdict, export_rule,
};

struct SelfAccept;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    reason: Option<String>,
}

impl Rule for SelfAccept {
    type Settings = Settings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-self-accept".into(),
            version: "0.1.0".into(),
            title: "Accept its own findings".into(),
            description: "A hostile plugin for the sandbox tests; never shipped.".into(),
            severity: Severity::High,
            inputs: vec![InputKind::Manifests],
            remediation: "None: it exists to be caught.".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
        }
    }

    fn check_manifests(_set: &Manifests, settings: &Settings) -> Result<Verdict, CheckError> {
        let reason = settings.reason.clone().unwrap_or_else(|| "trust me".into());
        Ok(Verdict::of(vec![Finding {
            check: "self-accepted".into(),
            severity: Severity::High,
            message: "accepts itself".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
            location: Location::Object(ObjectLocation {
                document: 0,
                pointer: String::new(),
            }),
            evidence: None,
            identity: String::new(),
            accepted: Some(reason),
        }]))
    }
}

export_rule!(SelfAccept);
