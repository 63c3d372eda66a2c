//! The shared vocabulary, at the bottom of the layers: the words every other module uses to
//! talk about results ([`Severity`], [`FailOn`], [`Framework`], [`ControlRef`]) and the
//! digest helpers ([`hex`], [`sha256_hex`]). It imports nothing of the crate, so anything
//! may use it; the module order is checked by the `layers` end-to-end test.
//!
//! Each type serializes as the name reports and config files write (`high`, `never`,
//! `cis-kubernetes`), so a misspelled value cannot be read into one.

use std::cmp::Ordering;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How much a finding matters, lowest first (so `>=` compares against a threshold).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Every severity, highest first: the order reports list them in.
    pub const ALL: [Severity; 5] = [
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Info,
    ];

    /// Its name in reports and config files: `info` ... `critical`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Which findings fail the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailOn {
    /// Findings at or above this severity fail the run.
    At(Severity),
    /// Findings never fail the run (errors still do).
    Never,
}

impl FailOn {
    /// Every value, in the order the command line lists them.
    pub const ALL: [FailOn; 6] = [
        Self::At(Severity::Info),
        Self::At(Severity::Low),
        Self::At(Severity::Medium),
        Self::At(Severity::High),
        Self::At(Severity::Critical),
        Self::Never,
    ];

    /// The names of [`Self::ALL`].
    const NAMES: [&'static str; 6] = ["info", "low", "medium", "high", "critical", "never"];

    /// The lowest failing severity, `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            Self::At(severity) => Some(severity),
            Self::Never => None,
        }
    }

    /// Its name in reports and config files: a severity's name, or `never`.
    pub fn name(self) -> &'static str {
        self.threshold().map_or("never", Severity::name)
    }

    /// The value named `name` (a report's `settings.fail_on`), if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl Serialize for FailOn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for FailOn {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::from_name(&name).ok_or_else(|| serde::de::Error::unknown_variant(&name, &Self::NAMES))
    }
}

impl JsonSchema for FailOn {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FailOn".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [
                {"type": "string", "enum": &Self::NAMES[..5]},
                {
                    "type": "string",
                    "const": "never",
                    "description": "Findings never fail the run (errors still do).",
                },
            ],
            "description": "Which findings fail the run.",
        })
    }
}

/// A compliance framework tollgate maps findings to. The catalog holds each one's title
/// and controls; this is only its name, in the order reports list frameworks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Framework {
    Soc2,
    Iso27001,
    CisKubernetes,
    Nist80053,
}

impl Framework {
    /// Every framework, in the order reports list them.
    pub const ALL: [Framework; 4] = [
        Self::Soc2,
        Self::Iso27001,
        Self::CisKubernetes,
        Self::Nist80053,
    ];

    /// Its name in reports, config files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Soc2 => "soc2",
            Self::Iso27001 => "iso27001",
            Self::CisKubernetes => "cis-kubernetes",
            Self::Nist80053 => "nist-800-53",
        }
    }

    /// The names of every framework, in report order.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|f| f.name()).collect()
    }

    /// The framework named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// `name`, or why it names no framework (listing those that exist).
    pub fn parse(name: &str) -> Result<Self, UnknownFramework> {
        Self::from_name(name).ok_or_else(|| UnknownFramework(name.to_owned()))
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A name that is not one of [`Framework::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown framework `{0}` (known: {known})", known = Framework::names().join(", "))]
pub struct UnknownFramework(pub String);

impl Serialize for Framework {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Framework {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::parse(&name).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Framework {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FrameworkName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A framework by its report name.",
            "type": "string",
            "enum": Self::names(),
        })
    }
}

/// A control of a framework, as rules name it and reports list it. Ordered by framework,
/// then by id in natural order (`A.8.4` before `A.8.20`, `AC-6(5)` before `AC-6(10)`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct ControlRef {
    pub framework: Framework,
    pub id: String,
}

impl ControlRef {
    /// The parts of the id between `.`, `-`, `(` and `)`, numbers as numbers, compared
    /// without allocating: every finding's controls are sorted.
    fn natural_parts(&self) -> impl Iterator<Item = (Option<u64>, &str)> {
        self.id
            .split(['.', '-', '(', ')'])
            .map(|part| (part.parse().ok(), part))
    }
}

impl Ord for ControlRef {
    fn cmp(&self, other: &Self) -> Ordering {
        self.framework
            .cmp(&other.framework)
            .then_with(|| self.natural_parts().cmp(other.natural_parts()))
            .then_with(|| self.id.cmp(&other.id))
    }
}

impl PartialOrd for ControlRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ControlRef {
    /// `soc2 CC6.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{} {}", self.framework, self.id))
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

/// The SHA-256 of `bytes` in lower-case hex, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_the_value_they_name() {
        for severity in Severity::ALL {
            let json = serde_json::to_string(&severity).unwrap();
            assert_eq!(json, format!("\"{}\"", severity.name()));
        }
        for fail_on in FailOn::ALL {
            assert_eq!(FailOn::from_name(fail_on.name()), Some(fail_on));
            let json = serde_json::to_string(&fail_on).unwrap();
            assert_eq!(json, format!("\"{fail_on}\""));
        }
        assert_eq!(FailOn::from_name("High"), None);
        assert_eq!(FailOn::NAMES, FailOn::ALL.map(FailOn::name));
        let unknown = serde_json::from_str::<FailOn>("\"sometimes\"").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "unknown variant `sometimes`, expected one of `info`, `low`, `medium`, `high`, \
             `critical`, `never`"
        );
        for framework in Framework::ALL {
            let json = serde_json::to_string(&framework).unwrap();
            assert_eq!(serde_json::from_str::<Framework>(&json).unwrap(), framework);
        }
    }

    #[test]
    fn fail_on_thresholds() {
        assert_eq!(
            FailOn::At(Severity::Medium).threshold(),
            Some(Severity::Medium)
        );
        assert_eq!(FailOn::Never.threshold(), None);
        assert_eq!(FailOn::Never.name(), "never");
    }

    #[test]
    fn an_unknown_framework_is_refused_naming_the_known_ones() {
        let error = serde_json::from_str::<Framework>("\"pci-dss\"").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown framework `pci-dss` (known: soc2, iso27001, cis-kubernetes, nist-800-53)"
        );
    }

    #[test]
    fn controls_sort_by_framework_then_natural_id() {
        let control = |framework, id: &str| ControlRef {
            framework,
            id: id.to_owned(),
        };
        let mut controls = [
            control(Framework::Nist80053, "AC-6(10)"),
            control(Framework::Iso27001, "A.8.20"),
            control(Framework::Nist80053, "AC-6(5)"),
            control(Framework::Iso27001, "A.8.4"),
            control(Framework::Soc2, "CC6.1"),
        ];
        controls.sort();
        let shown: Vec<String> = controls.iter().map(ControlRef::to_string).collect();
        assert_eq!(
            shown,
            [
                "soc2 CC6.1",
                "iso27001 A.8.4",
                "iso27001 A.8.20",
                "nist-800-53 AC-6(5)",
                "nist-800-53 AC-6(10)"
            ]
        );
    }

    #[test]
    fn digests_are_lower_case_hex() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
