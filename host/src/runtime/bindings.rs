//! Host bindings for the `tollgate:policy` world, generated from `wit/`. The world's `use`
//! brings the shared types to the top of this module. The WIT types that carry the shared
//! vocabulary convert to it here, at the boundary: a severity into [`vocab::Severity`], a
//! rule's controls into sorted [`ControlRef`]s, a declared check into the report's
//! [`CheckRecord`].

use crate::report::{CheckRecord, RuleInput};
use crate::vocab::{self, ControlRef, Framework};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "rule",
    // The cache keeps each plugin's `info()` beside its compiled code.
    additional_derives: [serde::Serialize, serde::Deserialize],
});

pub use tollgate::policy::types::{
    CheckInfo, Control, Coverage, FileLocation, Finding, InputKind, Location, ObjectLocation,
    Severity,
};

impl From<Severity> for vocab::Severity {
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Info => Self::Info,
            Severity::Low => Self::Low,
            Severity::Medium => Self::Medium,
            Severity::High => Self::High,
            Severity::Critical => Self::Critical,
        }
    }
}

impl Control {
    /// This control in the shared vocabulary; `None` when it names no framework tollgate
    /// knows (a plugin's `info` naming one is refused at load time).
    pub fn reference(&self) -> Option<ControlRef> {
        Some(ControlRef {
            framework: Framework::from_name(&self.framework)?,
            id: self.id.clone(),
        })
    }
}

impl CheckInfo {
    /// The controls the check evidences, in report order (by framework, then natural id),
    /// once each.
    pub fn control_refs(&self) -> Vec<ControlRef> {
        control_refs(&self.controls)
    }
}

impl From<&CheckInfo> for CheckRecord {
    /// A declared check as reports record it.
    fn from(check: &CheckInfo) -> Self {
        CheckRecord {
            id: check.id.clone(),
            title: check.title.clone(),
            severity: check.severity.into(),
            rationale: check.rationale.clone(),
            remediation: check.remediation.clone(),
            controls: check.control_refs(),
        }
    }
}

impl From<InputKind> for RuleInput {
    fn from(kind: InputKind) -> Self {
        match kind {
            InputKind::Manifests => Self::Manifests,
            InputKind::Files => Self::Files,
        }
    }
}

impl RuleInfo {
    /// What the rule reads, as reports name it.
    pub fn rule_inputs(&self) -> Vec<RuleInput> {
        self.inputs.iter().map(|&kind| kind.into()).collect()
    }

    /// Every control the rule's checks evidence, in report order, once each.
    pub fn control_refs(&self) -> Vec<ControlRef> {
        let all: Vec<&Control> = self.checks.iter().flat_map(|c| &c.controls).collect();
        control_refs(all)
    }
}

/// `controls` as sorted, distinct references. The plugin's `info` was validated when it
/// was loaded, so every framework is known.
pub fn control_refs<'a>(controls: impl IntoIterator<Item = &'a Control>) -> Vec<ControlRef> {
    let mut refs: Vec<ControlRef> = controls
        .into_iter()
        .filter_map(Control::reference)
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wit_values_become_the_vocabulary_of_the_same_name() {
        let severities = [
            (Severity::Info, "info"),
            (Severity::Low, "low"),
            (Severity::Medium, "medium"),
            (Severity::High, "high"),
            (Severity::Critical, "critical"),
        ];
        for (wit, name) in severities {
            assert_eq!(vocab::Severity::from(wit).name(), name);
        }
        assert_eq!(RuleInput::from(InputKind::Manifests), RuleInput::Manifests);
        assert_eq!(RuleInput::from(InputKind::Files), RuleInput::Files);
    }

    #[test]
    fn a_check_s_controls_are_sorted_once_each_and_unknown_frameworks_have_no_reference() {
        let control = |framework: &str, id: &str| Control {
            framework: framework.into(),
            id: id.into(),
        };
        let controls = [
            control("iso27001", "A.8.20"),
            control("soc2", "CC6.1"),
            control("iso27001", "A.8.4"),
            control("soc2", "CC6.1"),
        ];
        let shown: Vec<String> = control_refs(&controls)
            .iter()
            .map(ControlRef::to_string)
            .collect();
        assert_eq!(shown, ["soc2 CC6.1", "iso27001 A.8.4", "iso27001 A.8.20"]);
        assert_eq!(control("pci-dss", "1.1").reference(), None);
    }
}
