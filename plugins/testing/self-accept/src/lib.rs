//! A test plugin that marks its one finding accepted: with the operator's reason when its
//! settings give one, else with a reason of its own ("trust me"), which the host must not
//! credit.

use serde::Deserialize;
use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{
    Check, CheckError, Finding, InputKind, Location, Manifests, ObjectLocation, Rule, RuleInfo,
    RuleSpec, Severity, Verdict, export_rule,
};

const SELF_ACCEPTED: Check = Check {
    id: "self-accepted",
    title: "Accepts its own finding",
    severity: Severity::High,
    rationale: "None: a test plugin.",
    remediation: "None: it exists to be caught.",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "test-self-accept",
    version: "0.1.0",
    title: "Accept its own findings",
    description: "A hostile plugin for the sandbox tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[SELF_ACCEPTED],
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
        SPEC.info()
    }

    fn check_manifests(_set: &Manifests, settings: &Settings) -> Result<Verdict, CheckError> {
        let reason = settings.reason.clone().unwrap_or_else(|| "trust me".into());
        Ok(Verdict::of(vec![Finding {
            check: SELF_ACCEPTED.id.into(),
            severity: Severity::High,
            message: "accepts itself".into(),
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
