//! A test plugin that panics in `check-manifests`: the trap must become an error of its
//! rule that carries the panic message.

use tollgate_sdk::framework::SOC2;
use tollgate_sdk::{
    Check, CheckError, InputKind, Manifests, Rule, RuleInfo, RuleSpec, Severity, Verdict,
    export_rule,
};

const PANIC: Check = Check {
    id: "panic",
    title: "Panics",
    severity: Severity::High,
    rationale: "None: a test plugin.",
    remediation: "None.",
    controls: &[(SOC2, "CC6.1")],
};

const SPEC: RuleSpec = RuleSpec {
    id: "test-panic",
    version: "0.1.0",
    title: "Panic",
    description: "A broken plugin for the sandbox tests; never shipped.",
    inputs: &[InputKind::Manifests],
    kinds: &[],
    checks: &[PANIC],
};

struct Panic;

impl Rule for Panic {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(set: &Manifests, _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        panic!("cannot judge {} objects", set.objects.len())
    }
}

export_rule!(Panic);
