//! A test plugin whose findings break the contract, in the way its settings say: a
//! location outside the manifest set (the default), or a check the rule does not list.
//! The host must reject the result, not trust it.

use serde::Deserialize;
use tollgate_sdk::{
    Check, CheckError, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

/// The one check the rule lists.
const NOWHERE: Check = Check::test_plugin("nowhere", "Points nowhere", Severity::High, "None.");

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-liar",
    "Lie about locations",
    "A broken plugin for the contract tests; never shipped.",
    &[NOWHERE],
);

/// Which lie to tell.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Lie {
    /// A finding of a listed check on a document past the end of the set.
    #[default]
    Location,
    /// A finding on the first document, of a check the rule does not list.
    Check,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    lie: Lie,
}

struct Liar;

impl Rule for Liar {
    type Settings = Settings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(set: &Manifests, settings: &Settings) -> Result<Verdict, CheckError> {
        let (check, document, message) = match settings.lie {
            Lie::Location => (
                NOWHERE.id,
                set.objects.len() as u32 + 10,
                "points past the end of the manifest set",
            ),
            Lie::Check => ("unlisted", 0, "names a check the rule does not list"),
        };
        let finding = Check {
            id: check,
            ..NOWHERE
        }
        .unchecked_at(document, String::new(), message.into());
        Ok(Verdict::of(vec![finding]))
    }
}

export_rule!(Liar);
