//! A test plugin that returns more than the host accepts, in the way its settings say:
//! huge evidence, a huge pointer, huge error text, or too many findings.

use serde::Deserialize;
use tollgate_sdk::{
    Check, CheckError, Finding, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

const FLOODED: Check = Check::test_plugin(
    "flooded",
    "Returns too much",
    Severity::Low,
    "None: it exists to be stopped.",
);

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-flood",
    "Return too much",
    "A hostile plugin for the sandbox tests; never shipped.",
    &[FLOODED],
);

struct Flood;

/// Which output to flood.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Output {
    #[default]
    Evidence,
    Pointer,
    ErrorText,
    Findings,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    flood: Output,
}

fn finding(pointer: String, evidence: Option<String>) -> Finding {
    Finding {
        evidence,
        ..FLOODED.unchecked_at(0, pointer, "one of many".into())
    }
}

impl Rule for Flood {
    type Settings = Settings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(_set: &Manifests, settings: &Settings) -> Result<Verdict, CheckError> {
        let huge = || "x".repeat(8 << 20);
        let findings = match settings.flood {
            Output::Evidence => vec![finding(String::new(), Some(huge()))],
            Output::Pointer => vec![finding(format!("/{}", huge()), None)],
            Output::ErrorText => return Err(CheckError::Internal(huge())),
            Output::Findings => (0..100_000).map(|_| finding(String::new(), None)).collect(),
        };
        Ok(Verdict::of(findings))
    }
}

export_rule!(Flood);
