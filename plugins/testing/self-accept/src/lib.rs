//! A test plugin that marks its one finding accepted: with the operator's reason when its
//! settings give one, else with a reason of its own ("trust me"), which the host must not
//! credit.

use serde::Deserialize;
use tollgate_sdk::{
    Check, CheckError, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

const SELF_ACCEPTED: Check = Check::test_plugin(
    "self-accepted",
    "Accepts its own finding",
    Severity::High,
    "None: it exists to be caught.",
);

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-self-accept",
    "Accept its own findings",
    "A hostile plugin for the sandbox tests; never shipped.",
    &[SELF_ACCEPTED],
);

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
        let finding = SELF_ACCEPTED.unchecked_at(0, String::new(), "accepts itself".into());
        Ok(Verdict::of(vec![finding.accepted_because(reason)]))
    }
}

export_rule!(SelfAccept);
