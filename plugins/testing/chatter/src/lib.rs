//! A test plugin that writes 40 KiB to stderr: the host keeps 16 KiB and must say that
//! stderr was full rather than quote a line cut in half.

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{
    Check, CheckError, InputKind, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict,
    export_rule,
};

const CHATTER: Check = Check {
    id: "chatter",
    title: "Talks too much",
    severity: Severity::High,
    rationale: "None: a test plugin.",
    remediation: "None: it exists to be stopped.",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "test-chatter",
    version: "0.1.0",
    title: "Talk too much",
    description: "A hostile plugin for the sandbox tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[CHATTER],
};

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
