//! A test plugin whose one finding carries a number drawn from the randomness WASI gives
//! it (the keys of `HashMap`'s hasher): two runs must report the same number.

use std::hash::{BuildHasher, RandomState};

use tollgate_sdk::{
    Check, CheckError, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

const ROLLED: Check = Check::test_plugin(
    "rolled",
    "Reports its dice",
    Severity::Low,
    "None: it reports its dice.",
);

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-dice",
    "Roll dice",
    "A test plugin for the sandbox tests; never shipped.",
    &[ROLLED],
);

struct Dice;

impl Rule for Dice {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(
        _set: &Manifests,
        _settings: &Self::Settings,
    ) -> Result<Verdict, CheckError> {
        let hashed = RandomState::new().hash_one("dice");
        let message = format!("hashed {hashed:016x}");
        Ok(Verdict::of(vec![ROLLED.unchecked_at(
            0,
            String::new(),
            message,
        )]))
    }
}

export_rule!(Dice);
