//! A test plugin that judges each object as it arrives and panics on the first document of
//! the second batch: a trap in the middle of the manifest set's handover must become an
//! error of its rule, as one at its end does.

use tollgate_sdk::{
    Check, CheckError, EachObject, Manifests, Object, Rule, RuleInfo, RuleSpec, Severity, Tally,
    Verdict, each_object, export_rule,
};

const STUMBLE: Check = Check::test_plugin("stumble", "Stumbles", Severity::High, "None.");

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-stumble",
    "Stumble",
    "A broken plugin for the sandbox tests; never shipped.",
    &[STUMBLE],
);

/// The position of the first document the host hands over in its second batch.
const SECOND_BATCH: u32 = 1024;

struct Stumble;

impl Rule for Stumble {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(set: &Manifests, settings: &Self::Settings) -> Result<Verdict, CheckError> {
        each_object::<Self>(set, settings)
    }
}

impl EachObject for Stumble {
    fn judge(object: &Object, _namespace: &str, _settings: &Self::Settings, tally: &mut Tally) {
        assert!(
            object.position < SECOND_BATCH,
            "stumbled on document {}",
            object.position
        );
        tally.judged(&STUMBLE, object);
    }
}

export_rule!(Stumble, each_object);
