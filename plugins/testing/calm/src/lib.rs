//! A well-behaved test plugin that finds nothing: the base the sandbox tests inflate with
//! extra memories and tables, to show what the limits refuse and what they let through.

use tollgate_sdk::{Control, Framework, InputKind, Rule, RuleInfo, Severity, export_rule};

struct Calm;

impl Rule for Calm {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "test-calm".into(),
            version: "0.1.0".into(),
            title: "Find nothing".into(),
            description: "A test plugin for the sandbox tests; never shipped.".into(),
            severity: Severity::Low,
            inputs: vec![InputKind::Manifests],
            remediation: "None: it finds nothing.".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
        }
    }
}

export_rule!(Calm);
