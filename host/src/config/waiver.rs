//! Waivers of the config file: a rule (and optionally one check), a target (an object
//! `Kind/namespace/name`, or a glob over file paths relative to the config file's
//! directory, as `.gitignore` patterns are), a reason, and an optional
//! expiry date and approver. A waiver without a reason is refused; an expired one stops
//! applying and the report says so. The [`WaiverPolicy`] (`waiver-policy:`) says what every
//! waiver, wherever it is written, must carry and how severe a finding it may waive.

use jiff::civil::Date;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::report::{LocationRecord, Severity};

/// One waiver, validated.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "Written")]
pub struct Waiver {
    pub rule: String,
    pub check: Option<String>,
    pub target: Target,
    pub reason: String,
    /// `YYYY-MM-DD`: the last day the waiver applies.
    pub expires: Option<String>,
    pub approved_by: Option<String>,
}

/// What a waiver applies to.
#[derive(Clone, Debug)]
pub enum Target {
    /// `Kind/namespace/name`, or `Kind/name` for objects without a namespace.
    Object {
        kind: String,
        namespace: Option<String>,
        name: String,
    },
    /// A glob over file paths relative to the config file's directory (`legacy/**`).
    Path(globset::GlobMatcher),
}

/// A waiver as the config file spells it: a rule, exactly one target (`object` or `path`)
/// and a reason.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Waiver", extend("oneOf" = [{"required": ["object"]}, {"required": ["path"]}]))]
struct Written {
    /// The rule whose findings it waives.
    rule: String,
    /// One check of the rule [default: every check].
    check: Option<String>,
    /// An object: `Kind/namespace/name`, or `Kind/name` for objects without a namespace.
    #[schemars(pattern(r"^[^/]+/([^/]+/)?[^/]+$"))]
    object: Option<String>,
    /// A glob over file paths relative to the config file's directory (`legacy/**`).
    path: Option<String>,
    /// Why the finding is accepted.
    #[schemars(required, pattern(r"\S"))]
    reason: Option<String>,
    /// The last day it applies, `YYYY-MM-DD`; past it the finding stands again.
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}$"))]
    expires: Option<String>,
    /// Who approved it.
    approved_by: Option<String>,
}

/// A waiver's schema is the schema of how the config file spells it.
impl JsonSchema for Waiver {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        Written::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Written::json_schema(generator)
    }
}

impl TryFrom<Written> for Waiver {
    type Error = String;

    fn try_from(written: Written) -> Result<Self, String> {
        let reason = written
            .reason
            .filter(|r| !r.trim().is_empty())
            .ok_or("a waiver needs a `reason`: say why the finding is accepted")?;
        let target = match (written.object, written.path) {
            (Some(object), None) => parse_object(&object)?,
            (None, Some(path)) => Target::Path(
                globset::Glob::new(&path)
                    .map_err(|e| format!("`path` is not a valid glob: {e}"))?
                    .compile_matcher(),
            ),
            _ => return Err("a waiver names exactly one target: `object` or `path`".into()),
        };
        if let Some(date) = &written.expires {
            check_date(date)?;
        }
        Ok(Self {
            rule: written.rule,
            check: written.check,
            target,
            reason,
            expires: written.expires,
            approved_by: written.approved_by,
        })
    }
}

fn parse_object(text: &str) -> Result<Target, String> {
    let parts: Vec<&str> = text.split('/').collect();
    let (kind, namespace, name) = match parts[..] {
        [kind, name] => (kind, None, name),
        [kind, namespace, name] => (kind, Some(namespace.to_owned()), name),
        _ => ("", None, ""),
    };
    if kind.is_empty() || name.is_empty() {
        return Err(format!(
            "`object` {text:?} is not Kind/namespace/name or Kind/name"
        ));
    }
    Ok(Target::Object {
        kind: kind.to_owned(),
        namespace,
        name: name.to_owned(),
    })
}

/// `YYYY-MM-DD`, a real date.
pub fn check_date(date: &str) -> Result<(), String> {
    parse_date(date).map(|_| ())
}

/// The calendar date `date`, written exactly `YYYY-MM-DD`.
fn parse_date(date: &str) -> Result<Date, String> {
    let shaped = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    match date.parse::<Date>() {
        Ok(parsed) if shaped => Ok(parsed),
        _ => Err(format!("`expires` {date:?} is not a date (YYYY-MM-DD)")),
    }
}

/// What every waiver must carry (`waiver-policy:` in the config file): config waivers,
/// `tollgate.dev/waive` annotations and inline allow comments alike. The default demands
/// nothing.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WaiverPolicy {
    /// Every waiver names who approved it.
    #[serde(default)]
    pub require_approver: bool,
    /// Every waiver has an expiry date.
    #[serde(default)]
    pub require_expiry: bool,
    /// An expiry at most this many days after the run's date.
    #[serde(default)]
    pub max_expiry_days: Option<u32>,
    /// Findings above this severity cannot be waived.
    #[serde(default)]
    pub max_severity: Option<Severity>,
}

impl WaiverPolicy {
    /// Whether a waiver that can carry neither approver nor expiry (an inline allow
    /// comment) breaks the policy.
    pub fn demands_terms(&self) -> bool {
        self.require_approver || self.require_expiry
    }

    /// Why a waiver approved by `approved_by` until `expires` breaks the policy on
    /// `today` (`YYYY-MM-DD`), or `None` when it keeps it.
    pub fn breach(
        &self,
        approved_by: Option<&str>,
        expires: Option<&str>,
        today: &str,
    ) -> Option<String> {
        if self.require_approver && approved_by.is_none_or(|a| a.trim().is_empty()) {
            return Some("waiver-policy requires an approver".into());
        }
        match (expires, self.max_expiry_days) {
            (None, _) if self.require_expiry => {
                Some("waiver-policy requires an expiry date".into())
            }
            (Some(expires), Some(days)) if days_between(today, expires)? > i64::from(days) => {
                Some(format!(
                    "expiry {expires} is more than {days} days away (waiver-policy max-expiry-days)"
                ))
            }
            _ => None,
        }
    }

    /// Why a finding of `severity` cannot be waived, or `None` when it can.
    pub fn refuses_severity(&self, severity: Severity) -> Option<String> {
        let max = self.max_severity?;
        (severity > max).then(|| {
            format!(
                "a {} finding cannot be waived (waiver-policy max-severity: {})",
                severity.name(),
                max.name()
            )
        })
    }
}

/// Whole days from `from` to `to` (both `YYYY-MM-DD`), negative when `to` is earlier.
fn days_between(from: &str, to: &str) -> Option<i64> {
    let (from, to) = (parse_date(from).ok()?, parse_date(to).ok()?);
    Some(i64::from((to - from).get_days()))
}

impl Waiver {
    /// Whether the waiver is past its expiry on `today` (`YYYY-MM-DD`).
    pub fn expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|last| last < today)
    }

    /// Whether it covers a finding of `rule`/`check` at `location`, whose file is `path`
    /// relative to the config file's directory; objects without a namespace are in
    /// `default_namespace`.
    pub fn covers(
        &self,
        rule: &str,
        check: &str,
        location: &LocationRecord,
        path: &str,
        default_namespace: &str,
    ) -> bool {
        if self.rule != rule || self.check.as_deref().is_some_and(|c| c != check) {
            return false;
        }
        match &self.target {
            Target::Path(glob) => glob.is_match(path),
            Target::Object {
                kind,
                namespace,
                name,
            } => {
                location.kind.as_deref() == Some(kind.as_str())
                    && location.name.as_deref() == Some(name.as_str())
                    && match namespace {
                        Some(ns) => {
                            location.namespace.as_deref().unwrap_or(default_namespace) == ns
                        }
                        None => location.namespace.is_none(),
                    }
            }
        }
    }

    /// The target as reports show it.
    pub fn target_text(&self) -> String {
        match &self.target {
            Target::Path(glob) => format!("path {}", glob.glob()),
            Target::Object {
                kind,
                namespace: Some(ns),
                name,
            } => format!("object {kind}/{ns}/{name}"),
            Target::Object { kind, name, .. } => format!("object {kind}/{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiver(json: serde_json::Value) -> Result<Waiver, String> {
        serde_json::from_value(json).map_err(|e| e.to_string())
    }

    fn at(file: &str, kind: &str, namespace: Option<&str>, name: &str) -> LocationRecord {
        LocationRecord {
            file: file.into(),
            line: 1,
            kind: Some(kind.into()),
            namespace: namespace.map(Into::into),
            name: Some(name.into()),
            ..LocationRecord::default()
        }
    }

    #[test]
    fn objects_and_paths_are_matched() {
        let by_object = waiver(
            serde_json::json!({"rule": "network-policy", "check": "pod-not-selected",
            "object": "Deployment/shop/web", "reason": "r", "expires": "2027-01-31"}),
        )
        .unwrap();
        let web = at("deploy/web.yaml", "Deployment", Some("shop"), "web");
        let covers = |w: &Waiver, rule, check, location: &LocationRecord, ns| {
            w.covers(rule, check, location, &location.file, ns)
        };
        assert!(covers(
            &by_object,
            "network-policy",
            "pod-not-selected",
            &web,
            "default"
        ));
        assert!(!covers(
            &by_object,
            "network-policy",
            "allow-all",
            &web,
            "default"
        ));
        assert!(!covers(
            &by_object,
            "tls-min-version",
            "pod-not-selected",
            &web,
            "default"
        ));
        let unnamespaced = at("deploy/web.yaml", "Deployment", None, "web");
        assert!(covers(
            &by_object,
            "network-policy",
            "pod-not-selected",
            &unnamespaced,
            "shop"
        ));
        assert!(!by_object.expired("2027-01-31"));
        assert!(by_object.expired("2027-02-01"));

        let by_path = waiver(
            serde_json::json!({"rule": "tls-min-version", "path": "legacy/**", "reason": "r"}),
        )
        .unwrap();
        let legacy = at("legacy/a/b.yaml", "Ingress", None, "x");
        assert!(covers(
            &by_path,
            "tls-min-version",
            "weak-protocol",
            &legacy,
            "default"
        ));
        assert!(!covers(
            &by_path,
            "tls-min-version",
            "weak-protocol",
            &web,
            "default"
        ));
        assert_eq!(by_path.target_text(), "path legacy/**");
    }

    #[test]
    fn policy_names_what_a_waiver_lacks() {
        let policy = WaiverPolicy {
            require_approver: true,
            require_expiry: true,
            max_expiry_days: Some(30),
            max_severity: Some(Severity::High),
        };
        let today = "2027-01-01";
        let breach = |approver, expires| policy.breach(approver, expires, today);
        assert_eq!(
            breach(None, Some("2027-01-31")).as_deref(),
            Some("waiver-policy requires an approver")
        );
        assert_eq!(
            breach(Some("ana"), None).as_deref(),
            Some("waiver-policy requires an expiry date")
        );
        assert_eq!(breach(Some("ana"), Some("2027-01-31")), None);
        assert_eq!(
            breach(Some("ana"), Some("2027-02-01")).as_deref(),
            Some("expiry 2027-02-01 is more than 30 days away (waiver-policy max-expiry-days)")
        );
        assert!(policy.demands_terms());
        assert_eq!(policy.refuses_severity(Severity::High), None);
        assert_eq!(
            policy.refuses_severity(Severity::Critical).as_deref(),
            Some("a critical finding cannot be waived (waiver-policy max-severity: high)")
        );
        let lenient = WaiverPolicy::default();
        assert_eq!(lenient.breach(None, None, today), None);
        assert!(!lenient.demands_terms());
        assert_eq!(lenient.refuses_severity(Severity::Critical), None);
    }

    #[test]
    fn malformed_waivers_are_refused() {
        for (json, message) in [
            (
                serde_json::json!({"rule": "r", "object": "Deployment/shop/web"}),
                "needs a `reason`",
            ),
            (
                serde_json::json!({"rule": "r", "object": "Deployment/shop/web", "reason": " "}),
                "needs a `reason`",
            ),
            (
                serde_json::json!({"rule": "r", "reason": "x"}),
                "exactly one target",
            ),
            (
                serde_json::json!({"rule": "r", "object": "web", "reason": "x"}),
                "is not Kind/namespace/name",
            ),
            (
                serde_json::json!({"rule": "r", "path": "a/[", "reason": "x"}),
                "not a valid glob",
            ),
            (
                serde_json::json!({"rule": "r", "path": "a", "reason": "x", "expires": "2027-02-30"}),
                "is not a date",
            ),
            (
                serde_json::json!({"rule": "r", "path": "a", "reason": "x", "expires": "next year"}),
                "is not a date",
            ),
            (
                serde_json::json!({"rule": "r", "path": "a", "reason": "x", "until": "2027-01-01"}),
                "unknown field `until`",
            ),
        ] {
            let error = waiver(json.clone()).unwrap_err();
            assert!(error.contains(message), "{json}: {error}");
        }
    }
}
