//! A test plugin that never returns from `check-manifests`: the time limit must stop it.

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{
    Check, CheckError, InputKind, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict,
    export_rule,
};

const SPIN: Check = Check {
    id: "spin",
    title: "Loops forever",
    severity: Severity::High,
    rationale: "None: a test plugin.",
    remediation: "None: it exists to be stopped.",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "test-spin",
    version: "0.1.0",
    title: "Loop forever",
    description: "A hostile plugin for the sandbox tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[SPIN],
};

struct Spin;

impl Rule for Spin {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(set: &Manifests, _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        let mut counter = set.objects.len() as u64;
        loop {
            counter =
                std::hint::black_box(counter.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
}

export_rule!(Spin);
