//! A test plugin that allocates without bound: the memory limit must stop it.

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{
    Check, CheckError, InputKind, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict,
    export_rule,
};

const HOG: Check = Check {
    id: "hog",
    title: "Eats all memory",
    severity: Severity::High,
    rationale: "None: a test plugin.",
    remediation: "None: it exists to be stopped.",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "test-hog",
    version: "0.1.0",
    title: "Eat all memory",
    description: "A hostile plugin for the sandbox tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[HOG],
};

struct Hog;

impl Rule for Hog {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
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
