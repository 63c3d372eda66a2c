//! The config file, `.tollgate.yaml`: found by walking up from the first scanned path, or
//! named with `--config`. It sets `fail-on`, the frameworks to assess and the paths to
//! `exclude`, pins extra rule `plugins` by SHA-256, turns rules off,
//! gives rules their `settings` (each rule validates its own, see the WIT
//! `validate-settings`), lists waivers ([`waiver`]) and the `waiver-policy` every waiver
//! must keep. Unknown keys and malformed values
//! are errors naming the file and the line.

pub mod waiver;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::input::yaml::{self, LineTree};
use crate::runtime::PinnedPlugin;
use crate::vocab::{FailOn, Framework, Severity, sha256_hex};

pub use waiver::{Waiver, WaiverPolicy};

/// The file name looked for in the scanned directory and its parents.
pub const FILE_NAME: &str = ".tollgate.yaml";

/// Where the config file's JSON Schema is published (`schema::Document::Config`); the
/// template names it for editors.
pub const SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/tollgate-dev/tollgate/main/schemas/config.schema.json";

/// A loaded config file.
#[derive(Clone, Debug)]
pub struct Config {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes: reports carry it as evidence of what was applied.
    pub sha256: String,
    pub fail_on: Option<FailOn>,
    /// Frameworks to assess (all when absent).
    pub frameworks: Option<Vec<Framework>>,
    pub rules: BTreeMap<String, RuleConfig>,
    pub waivers: Vec<Waiver>,
    /// What every waiver must carry (config waivers, annotations, inline allow comments).
    pub waiver_policy: WaiverPolicy,
    /// Paths not scanned, in gitignore syntax relative to the config file's directory.
    pub exclude: Vec<String>,
    /// Extra rule plugins, each loaded only when its bytes have the SHA-256 given; paths
    /// resolved against the config file's directory.
    pub plugins: Vec<PinnedPlugin>,
    /// The config file's directory, absolute: path waivers are relative to it.
    dir: PathBuf,
    lines: LineTree,
}

/// What the config says about one rule.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// `false` turns the rule off (`--rule ID` still runs it).
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Handed to the rule as JSON; the rule says what it accepts.
    #[serde(default)]
    settings: Option<serde_json::Map<String, Value>>,
    /// Severity of every finding of the rule, instead of the rule's own.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Severity of the findings of one check (`check-id: severity`), over `severity`.
    #[serde(default, rename = "check-severities")]
    pub check_severities: BTreeMap<String, Severity>,
}

fn enabled_by_default() -> bool {
    true
}

/// The file as written; its JSON Schema is `schemas/config.schema.json`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Written {
    /// Lowest severity that fails a scan (exit 1), or `never`; `--fail-on` wins over it
    /// [default: low].
    fail_on: Option<FailOn>,
    /// Frameworks whose controls reports assess; `--framework` wins over it [default: all].
    frameworks: Option<Vec<Framework>>,
    /// Per rule id: whether it runs, the severity of its findings, and its settings.
    #[serde(default)]
    rules: BTreeMap<String, RuleConfig>,
    /// Findings accepted on purpose: reported as waived, they do not fail the run.
    #[serde(default)]
    waivers: Vec<Waiver>,
    /// What every waiver (config, annotation, inline allow comment) must carry.
    #[serde(default)]
    waiver_policy: WaiverPolicy,
    /// Paths not scanned, in .gitignore syntax relative to the config file's directory.
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    plugins: Vec<WrittenPlugin>,
}

/// A `plugins:` entry: a component file (relative to the config file) and its digest.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PinnedPlugin")]
struct WrittenPlugin {
    /// The component file, relative to the config file.
    path: PathBuf,
    /// Its SHA-256, as `sha256sum` prints it; a plugin with another digest is not loaded.
    #[schemars(with = "String", pattern(r"^[0-9a-f]{64}$"))]
    sha256: Sha256Hex,
}

/// A SHA-256 digest as 64 lower-case hex digits.
struct Sha256Hex(String);

impl<'de> Deserialize<'de> for Sha256Hex {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let hex = text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !hex {
            return Err(serde::de::Error::custom(format!(
                "`{text}` is not a SHA-256 digest (64 lower-case hex digits, as `sha256sum` prints)"
            )));
        }
        Ok(Self(text))
    }
}

/// The JSON Schema (draft-07) of the config file, for editors and validators.
pub fn schema() -> schemars::Schema {
    schemars::generate::SchemaSettings::draft07()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<Written>()
}

/// The commented config `tollgate init` writes: every key explained, the active ones at
/// their defaults with every framework, the others as `#  ` examples.
pub fn template() -> String {
    include_str!("template.yaml")
        .replace("{schema}", SCHEMA_URL)
        .replace("{frameworks}", &Framework::names().join(", "))
}

/// A config error at a line of the file.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<u32>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// The config file that applies to `start` (a file or directory): `.tollgate.yaml` in
/// its directory or the nearest parent. A relative `start` gives a relative path while
/// the search stays below the working directory, so reports show what the user typed.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let climbs = start
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir));
    let start = if climbs {
        std::path::absolute(start).ok()?
    } else {
        start.to_owned()
    };
    let mut dir = if start.is_dir() {
        start
    } else {
        start.parent()?.to_owned()
    };
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = match dir.parent() {
            Some(parent) => parent.to_owned(),
            // The top of a relative path is the working directory: go on from its parent.
            None if dir.is_relative() => std::env::current_dir().ok()?.parent()?.to_owned(),
            None => return None,
        };
    }
}

/// Reads and checks a config file (rule ids and settings are checked against the plugins
/// later, by [`Config::check_rules`] and the rules themselves).
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let error = |line: Option<u32>, message: String| ConfigError {
        path: path.to_owned(),
        line,
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| error(None, format!("cannot read: {e}")))?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| error(None, "is not UTF-8 text".to_owned()))?;
    let (mut documents, syntax) = yaml::parse(text);
    if let Some(syntax) = syntax {
        return Err(error(
            Some(syntax.line),
            format!("invalid YAML: {}", syntax.message),
        ));
    }
    if documents.len() > 1 {
        return Err(error(
            Some(documents[1].line),
            "holds more than one YAML document".to_owned(),
        ));
    }
    let (value, lines) = match documents.pop() {
        Some(document) if !document.value.is_null() => (document.value, document.lines),
        _ => (Value::Object(Default::default()), LineTree::default()),
    };
    let written: Written = serde_path_to_error::deserialize(&value).map_err(|e| {
        let segments: Vec<String> = e.path().iter().map(segment).collect();
        error(Some(line_of(&lines, &segments)), e.inner().to_string())
    })?;
    Ok(Config {
        path: path.to_owned(),
        sha256: sha256_hex(&bytes),
        fail_on: written.fail_on,
        frameworks: written.frameworks,
        rules: written.rules,
        waivers: written.waivers,
        waiver_policy: written.waiver_policy,
        exclude: written.exclude,
        plugins: pinned_plugins(path, written.plugins),
        dir: match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => std::path::absolute(dir),
            _ => std::env::current_dir(),
        }
        .unwrap_or_default(),
        lines,
    })
}

/// The `plugins:` entries with their paths taken from the config file's directory (as
/// the config's own path is given: relative stays relative).
fn pinned_plugins(config: &Path, written: Vec<WrittenPlugin>) -> Vec<PinnedPlugin> {
    let dir = config.parent().unwrap_or(Path::new(""));
    written
        .into_iter()
        .map(|plugin| PinnedPlugin {
            path: dir.join(plugin.path),
            sha256: plugin.sha256.0,
        })
        .collect()
}

fn segment(segment: &serde_path_to_error::Segment) -> String {
    use serde_path_to_error::Segment;
    match segment {
        Segment::Seq { index } => index.to_string(),
        Segment::Map { key } => key.clone(),
        Segment::Enum { variant } => variant.clone(),
        Segment::Unknown => String::new(),
    }
}

/// The line of the deepest node of `path` that exists.
fn line_of(lines: &LineTree, path: &[String]) -> u32 {
    let mut node = lines;
    for segment in path {
        let child = match segment.parse::<usize>() {
            Ok(index) => node.item(index).or_else(|| node.field(segment)),
            Err(_) => node.field(segment),
        };
        match child {
            Some(child) => node = child,
            None => break,
        }
    }
    node.line
}

impl Config {
    /// The config file's directory, absolute.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// An error at `path` (keys from the top of the file).
    pub fn error_at(&self, path: &[String], message: String) -> ConfigError {
        ConfigError {
            path: self.path.clone(),
            line: Some(line_of(&self.lines, path)),
            message,
        }
    }

    /// Refuses rule ids no plugin has, and check ids their rule does not declare, in
    /// `rules` (`check-severities`) and in `waivers`, at the line that names them.
    pub fn check_rules(&self, known: &[(&str, Vec<&str>)]) -> Result<(), ConfigError> {
        let ids: Vec<&str> = known.iter().map(|(id, _)| *id).collect();
        let checks_of = |id: &str| known.iter().find(|(r, _)| *r == id).map(|(_, c)| c);
        let message = |id: &str| format!("unknown rule `{id}` (known rules: {})", ids.join(", "));
        let no_check = |rule: &str, check: &str, checks: &Vec<&str>| {
            format!(
                "rule `{rule}` has no check `{check}` (its checks: {})",
                checks.join(", ")
            )
        };
        for (id, rule) in &self.rules {
            let Some(checks) = checks_of(id) else {
                return Err(self.error_at(&["rules".into(), id.clone()], message(id)));
            };
            if let Some(check) = rule
                .check_severities
                .keys()
                .find(|c| !checks.contains(&c.as_str()))
            {
                let path = [
                    "rules".into(),
                    id.clone(),
                    "check-severities".into(),
                    check.clone(),
                ];
                return Err(self.error_at(&path, no_check(id, check, checks)));
            }
        }
        for (index, waiver) in self.waivers.iter().enumerate() {
            let Some(checks) = checks_of(&waiver.rule) else {
                let path = ["waivers".into(), index.to_string(), "rule".into()];
                return Err(self.error_at(&path, message(&waiver.rule)));
            };
            if let Some(check) = waiver.check.as_deref().filter(|c| !checks.contains(c)) {
                let path = ["waivers".into(), index.to_string(), "check".into()];
                return Err(self.error_at(&path, no_check(&waiver.rule, check, checks)));
            }
        }
        Ok(())
    }

    /// Refuses the first waiver that breaks the `waiver-policy` on `today` (`YYYY-MM-DD`),
    /// at its line.
    pub fn check_waivers(&self, today: &str) -> Result<(), ConfigError> {
        for (index, waiver) in self.waivers.iter().enumerate() {
            let breach = self.waiver_policy.breach(
                waiver.approved_by.as_deref(),
                waiver.expires.as_deref(),
                today,
            );
            if let Some(breach) = breach {
                return Err(self.error_at(
                    &["waivers".into(), index.to_string()],
                    format!(
                        "waiver of {} on {} is refused: {breach}",
                        waiver.rule,
                        waiver.target_text()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `file` (as reports show it) relative to the config file's directory, for path
    /// waivers; unchanged when it lies elsewhere.
    pub fn relative_path(&self, file: &str) -> String {
        let Ok(file_abs) = std::path::absolute(file) else {
            return file.to_owned();
        };
        match file_abs.strip_prefix(&self.dir) {
            Ok(relative) => relative.to_string_lossy().replace('\\', "/"),
            Err(_) => file.to_owned(),
        }
    }

    /// The severity the config sets for findings of `rule`/`check`, if any.
    pub fn severity(&self, rule: &str, check: &str) -> Option<Severity> {
        let config = self.rules.get(rule)?;
        config
            .check_severities
            .get(check)
            .copied()
            .or(config.severity)
    }

    /// Whether the config turns rule `id` off.
    pub fn disables(&self, id: &str) -> bool {
        self.rules.get(id).is_some_and(|r| !r.enabled)
    }

    /// The settings of rule `id` as JSON text, when the config gives any.
    pub fn settings(&self, id: &str) -> Option<String> {
        let settings = self.rules.get(id)?.settings.as_ref()?;
        Some(serde_json::to_string(settings).expect("JSON values serialize"))
    }

    /// An error a rule found in its settings, at `pointer` (RFC 6901) within them.
    pub fn settings_error(&self, id: &str, pointer: &str, message: &str) -> ConfigError {
        let mut path = vec!["rules".to_owned(), id.to_owned(), "settings".to_owned()];
        path.extend(
            pointer
                .split('/')
                .skip(1)
                .map(|s| s.replace("~1", "/").replace("~0", "~")),
        );
        let shown = path.join(".");
        self.error_at(&path, format!("{shown}: {message}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn reads_rules_and_fail_on() {
        let (_dir, path) = write(
            "fail-on: high\nrules:\n  tls-min-version:\n    enabled: false\n  network-policy:\n    severity: low\n    check-severities:\n      allow-all: critical\n    settings:\n      egress-unrestricted: true\n",
        );
        let config = load(&path).unwrap();
        assert_eq!(config.fail_on, Some(FailOn::At(Severity::High)));
        assert!(config.disables("tls-min-version"));
        assert!(!config.disables("network-policy"));
        assert_eq!(
            config.settings("network-policy").as_deref(),
            Some(r#"{"egress-unrestricted":true}"#)
        );
        assert_eq!(config.settings("tls-min-version"), None);
        let error = config.settings_error("network-policy", "/egress-unrestricted", "bad");
        assert_eq!(error.line, Some(10));
        assert!(
            error
                .to_string()
                .ends_with(":10: rules.network-policy.settings.egress-unrestricted: bad")
        );
        assert_eq!(
            config.severity("network-policy", "allow-all"),
            Some(Severity::Critical)
        );
        assert_eq!(
            config.severity("network-policy", "pod-not-selected"),
            Some(Severity::Low)
        );
        assert_eq!(config.severity("tls-min-version", "weak-protocol"), None);
    }

    #[test]
    fn errors_name_the_line() {
        for (text, line, message) in [
            (
                "fail-on: high\nfail_on: low\n",
                2,
                "unknown field `fail_on`",
            ),
            (
                "rules:\n  x:\n    enable: false\n",
                3,
                "unknown field `enable`",
            ),
            ("fail-on: sometimes\n", 1, "unknown variant `sometimes`"),
            ("rules:\n  x:\n    settings: [1]\n", 3, "invalid type"),
            ("rules: [\n", 2, "invalid YAML"),
        ] {
            let (_dir, path) = write(text);
            let error = load(&path).unwrap_err();
            assert_eq!(error.line, Some(line), "{text:?}: {error}");
            assert!(error.message.contains(message), "{text:?}: {error}");
        }
        let known = [("tls-min-version", vec!["weak-protocol", "weak-ciphers"])];
        for (text, line, message) in [
            (
                "rules:\n  tls-min-versoin: {}\n",
                2,
                "unknown rule `tls-min-versoin` (known rules: tls-min-version)",
            ),
            (
                "rules:\n  tls-min-version:\n    check-severities:\n      weak-protocl: low\n",
                4,
                "rule `tls-min-version` has no check `weak-protocl` (its checks: weak-protocol, weak-ciphers)",
            ),
            (
                "waivers:\n  - rule: tls-min-version\n    check: weak-cipher\n    path: a/**\n    reason: r\n",
                3,
                "rule `tls-min-version` has no check `weak-cipher` (its checks: weak-protocol, weak-ciphers)",
            ),
        ] {
            let (_dir, path) = write(text);
            let error = load(&path).unwrap().check_rules(&known).unwrap_err();
            assert_eq!(
                (error.line, error.message.as_str()),
                (Some(line), message),
                "{text:?}"
            );
        }
    }

    #[test]
    fn waivers_breaking_the_policy_are_refused_at_their_line() {
        let (_dir, path) = write(
            "waiver-policy:\n  require-approver: true\n  max-severity: high\nwaivers:\n  - rule: tls-min-version\n    path: a/**\n    reason: r\n    approved-by: ana\n  - rule: tls-min-version\n    path: b/**\n    reason: r\n",
        );
        let config = load(&path).unwrap();
        assert_eq!(config.waiver_policy.max_severity, Some(Severity::High));
        let error = config.check_waivers("2027-01-01").unwrap_err();
        assert_eq!(error.line, Some(9));
        assert_eq!(
            error.message,
            "waiver of tls-min-version on path b/** is refused: waiver-policy requires an approver"
        );
        let (_dir, path) = write("waiver-policy:\n  max-severity: severe\n");
        let error = load(&path).unwrap_err();
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn the_template_sets_the_defaults() {
        let (_dir, path) = write(&template());
        let config = load(&path).unwrap();
        assert_eq!(config.fail_on, Some(FailOn::At(Severity::Low)));
        let all: Vec<Framework> = Framework::ALL.into();
        assert_eq!(config.frameworks, Some(all));
        assert!(config.rules.is_empty() && config.waivers.is_empty());
        assert!(config.exclude.is_empty());
        assert!(!config.waiver_policy.demands_terms());
        assert_eq!(config.waiver_policy.max_expiry_days, None);
        assert_eq!(config.waiver_policy.max_severity, None);
    }

    /// The `#  ` examples, used as the template says, are a valid config too.
    #[test]
    fn the_template_examples_are_valid() {
        let used: String = template()
            .lines()
            .map(|line| match line.strip_prefix("#  ") {
                Some(example) => format!("  {example}\n"),
                None => format!("{}\n", line.trim_end_matches(" {}").trim_end_matches(" []")),
            })
            .collect();
        let (_dir, path) = write(&used);
        let config = load(&path).unwrap();
        assert_eq!(config.exclude, ["vendor/", "**/testdata/"]);
        assert!(config.disables("tls-min-version"));
        assert_eq!(
            config.severity("network-policy", "allow-all"),
            Some(Severity::High)
        );
        assert_eq!(
            config.settings("network-policy").as_deref(),
            Some(r#"{"egress-unrestricted":true}"#)
        );
        assert_eq!(config.waivers.len(), 1);
        assert_eq!(
            config.waivers[0].target_text(),
            "object Deployment/shop/web"
        );
        assert_eq!(config.waiver_policy.max_expiry_days, Some(365));
        assert_eq!(config.waiver_policy.max_severity, Some(Severity::High));
        assert_eq!(
            config.check_waivers("2027-01-15").map_err(|e| e.message),
            Ok(())
        );
    }

    #[test]
    fn pinned_plugins_are_relative_to_the_config_and_need_a_digest() {
        let digest = "0123456789abcdef".repeat(4);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ci").join(FILE_NAME);
        std::fs::create_dir(dir.path().join("ci")).unwrap();
        std::fs::write(
            &path,
            format!("plugins:\n  - path: rules/mine.wasm\n    sha256: {digest}\n"),
        )
        .unwrap();
        assert_eq!(
            load(&path).unwrap().plugins,
            [PinnedPlugin {
                path: dir.path().join("ci/rules/mine.wasm"),
                sha256: digest.clone(),
            }]
        );
        for (text, line, message) in [
            (
                "plugins:\n  - path: a.wasm\n".to_owned(),
                2,
                "missing field `sha256`".to_owned(),
            ),
            (
                format!(
                    "plugins:\n  - path: a.wasm\n    sha256: {}\n",
                    digest.to_uppercase()
                ),
                3,
                format!(
                    "`{}` is not a SHA-256 digest (64 lower-case hex digits, as `sha256sum` prints)",
                    digest.to_uppercase()
                ),
            ),
            (
                format!("plugins:\n  - path: a.wasm\n    sha256: {digest}\n    from: x\n"),
                4,
                "unknown field `from`".to_owned(),
            ),
        ] {
            let (_dir, path) = write(&text);
            let error = load(&path).unwrap_err();
            assert_eq!(error.line, Some(line), "{text:?}: {error}");
            assert!(error.message.starts_with(&message), "{text:?}: {error}");
        }
    }

    #[test]
    fn discovered_in_parents() {
        let (dir, path) = write("{}\n");
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(discover(&nested), Some(path.clone()));
        std::fs::write(nested.join("x.yaml"), "").unwrap();
        assert_eq!(discover(&nested.join("x.yaml")), Some(path));
    }
}
