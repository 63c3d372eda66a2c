//! A test plugin whose `info` breaks the contract (id not kebab-case, a control no catalog
//! knows): the host must refuse to load it.

use tollgate_sdk::{Control, Framework, InputKind, Rule, RuleInfo, Severity, export_rule};

struct BadInfo;

impl Rule for BadInfo {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "Bad Info!".into(),
            version: "0.1.0".into(),
            title: "Broken metadata".into(),
            description: "A broken plugin for the loader tests; never shipped.".into(),
            severity: Severity::High,
            inputs: vec![InputKind::Manifests],
            remediation: "None.".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC99.9".into(),
            }],
        }
    }
}

export_rule!(BadInfo);
