//! A test plugin that says hostile things: its title, description and its check's title,
//! rationale and remediation carry terminal escapes, a forged line and markup, and it
//! repeats whatever an object's annotations tell it to in findings (message and evidence)
//! or in its error text. The host must show all of it escaped and redacted, in every
//! format.

use std::borrow::Cow;

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{
    Check, CheckError, Finding, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict, export_rule,
};

/// Annotation whose value becomes a finding's message.
const SHOUT: &str = "test.tollgate.dev/shout";
/// Annotation whose value becomes that finding's evidence.
const EVIDENCE: &str = "test.tollgate.dev/evidence";
/// Annotation whose value becomes the error the call fails with.
const FAIL: &str = "test.tollgate.dev/fail";

const SHOUTED: Check = Check {
    id: "shout",
    title: "Shout \u{1b}[31mred\u{1b}[0m <b>bold</b>",
    severity: Severity::High,
    rationale: "[click](javascript:alert(4)) <img src=x onerror=alert(5)>",
    remediation: "None.\r\nPASS  0 rules over 0 objects in 0 files: no findings",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec::test_plugin(
    "test-shouter",
    "Shout \u{1b}]0;owned\u{7}<script>alert(1)</script>",
    "**loud** [click](javascript:alert(2)) <img src=x onerror=alert(3)>",
    &[SHOUTED],
);

struct Shouter;

impl Rule for Shouter {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(set: &Manifests, _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        if let Some(reason) = set.objects.iter().find_map(|o| o.annotation(FAIL)) {
            return Err(CheckError::Internal(reason.into_owned()));
        }
        let findings = set
            .objects
            .iter()
            .filter_map(|object| {
                let message = object.annotation(SHOUT)?.into_owned();
                Some(Finding {
                    evidence: object.annotation(EVIDENCE).map(Cow::into_owned),
                    ..SHOUTED.unchecked_at(object.position, String::new(), message)
                })
            })
            .collect();
        Ok(Verdict::of(findings))
    }
}

export_rule!(Shouter);
