//! A test plugin whose `info()` version is markup, not a semantic version: refused.

use tollgate_sdk::{Control, Framework, InputKind, Rule, RuleInfo, Severity, export_rule};

struct BadVersion;

impl Rule for BadVersion {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-bad-version".into(),
            version: "<b>9</b>".into(),
            title: "Claim a version that is not one".into(),
            description: "A hostile plugin for the sandbox tests; never shipped.".into(),
            severity: Severity::Low,
            inputs: vec![InputKind::Manifests],
            remediation: "None: it exists to be refused.".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
        }
    }
}

export_rule!(BadVersion);
