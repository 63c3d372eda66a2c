//! A test plugin whose one finding carries a number drawn from the randomness WASI gives
//! it (the keys of `HashMap`'s hasher): two runs must report the same number.

use std::hash::{BuildHasher, RandomState};

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{
    Check, CheckError, Finding, InputKind, Location, Manifests, ObjectLocation, Rule, RuleInfo,
    RuleSpec, Severity, Verdict, export_rule,
};

const ROLLED: Check = Check {
    id: "rolled",
    title: "Reports its dice",
    severity: Severity::Low,
    rationale: "None: a test plugin.",
    remediation: "None: it reports its dice.",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "test-dice",
    version: "0.1.0",
    title: "Roll dice",
    description: "A test plugin for the sandbox tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[ROLLED],
};

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
        Ok(Verdict::of(vec![Finding {
            check: ROLLED.id.into(),
            severity: Severity::Low,
            message: format!("hashed {hashed:016x}"),
            location: Location::Object(ObjectLocation {
                document: 0,
                pointer: String::new(),
            }),
            evidence: None,
            identity: String::new(),
            accepted: None,
        }]))
    }
}

export_rule!(Dice);
