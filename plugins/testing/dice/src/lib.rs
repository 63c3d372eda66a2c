//! A test plugin whose one finding carries a number drawn from the randomness WASI gives
//! it (the keys of `HashMap`'s hasher): two runs must report the same number.

use std::hash::{BuildHasher, RandomState};

use tollgate_sdk::{
    CheckError, Control, Finding, Framework, InputKind, Location, Manifests, ObjectLocation, Rule,
    RuleInfo, Severity, Verdict, export_rule,
};

struct Dice;

impl Rule for Dice {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-dice".into(),
            version: "0.1.0".into(),
            title: "Roll dice".into(),
            description: "A test plugin for the sandbox tests; never shipped.".into(),
            severity: Severity::Low,
            inputs: vec![InputKind::Manifests],
            remediation: "None: it reports its dice.".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
        }
    }

    fn check_manifests(
        _set: &Manifests,
        _settings: &Self::Settings,
    ) -> Result<Verdict, CheckError> {
        let hashed = RandomState::new().hash_one("dice");
        Ok(Verdict::of(vec![Finding {
            check: "rolled".into(),
            severity: Severity::Low,
            message: format!("hashed {hashed:016x}"),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
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
