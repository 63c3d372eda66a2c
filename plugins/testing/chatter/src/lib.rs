//! A test plugin that writes 40 KiB to stderr: the host keeps 16 KiB and must say that
//! stderr was full rather than quote a line cut in half.

use tollgate_sdk::{
    Check, CheckError, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

const CHATTER: Check = Check::test_plugin(
    "chatter",
    "Talks too much",
    Severity::High,
    "None: it exists to be stopped.",
);

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-chatter",
    "Talk too much",
    "A hostile plugin for the sandbox tests; never shipped.",
    &[CHATTER],
);

struct Chatter;

impl Rule for Chatter {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
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
