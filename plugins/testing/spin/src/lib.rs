//! A test plugin that never returns from `check-manifests`: the time limit must stop it.

use tollgate_sdk::{
    Check, CheckError, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

const SPIN: Check = Check::test_plugin(
    "spin",
    "Loops forever",
    Severity::High,
    "None: it exists to be stopped.",
);

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-spin",
    "Loop forever",
    "A hostile plugin for the sandbox tests; never shipped.",
    &[SPIN],
);

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
