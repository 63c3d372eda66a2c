//! A test plugin that allocates without bound: the memory limit must stop it.

use tollgate_sdk::{
    Check, CheckError, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

const HOG: Check = Check::test_plugin(
    "hog",
    "Eats all memory",
    Severity::High,
    "None: it exists to be stopped.",
);

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-hog",
    "Eat all memory",
    "A hostile plugin for the sandbox tests; never shipped.",
    &[HOG],
);

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
