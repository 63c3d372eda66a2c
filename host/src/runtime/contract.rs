//! The host's side of the plugin contract: what a plugin returns is checked before it is
//! believed. Metadata that breaks the contract refuses the plugin; findings that break it
//! make the call an error (fail closed), never a silent pass.

use super::limits::{MAX_DETAIL_BYTES, MAX_FINDINGS, MAX_TEXT_BYTES as MAX_TEXT};
use super::{CheckError, CheckInfo, Finding, Location, RuleError, RuleInfo, Verdict};
use crate::catalog;
use crate::vocab::Framework;

/// The most checks a rule may declare, and the most kinds it may name.
const MAX_CHECKS: usize = 256;

/// Checks a plugin's `info()`: a kebab-case id, a semantic version, text present, at least
/// one input and one check, unique kebab-case check ids, each check's text present and
/// its controls ones the catalogs know.
pub fn validate_info(info: &RuleInfo) -> Result<(), String> {
    if !is_kebab_case(&info.id) {
        return Err(format!(
            "rule id {:?} is not kebab-case ([a-z0-9] words joined by '-')",
            info.id
        ));
    }
    if semver::Version::parse(&info.version).is_err() {
        return Err(format!(
            "version {:?} is not a semantic version (major.minor.patch, e.g. 1.2.0)",
            info.version
        ));
    }
    present(&[("title", &info.title), ("description", &info.description)])?;
    if info.inputs.is_empty() {
        return Err("it names no input (manifests or files)".into());
    }
    if info.kinds.len() > MAX_CHECKS || info.kinds.iter().any(|k| !is_kind(k)) {
        return Err(format!(
            "kinds must be at most {MAX_CHECKS} Kubernetes kind names (e.g. Deployment)"
        ));
    }
    if info.checks.is_empty() || info.checks.len() > MAX_CHECKS {
        return Err(format!("it must declare between 1 and {MAX_CHECKS} checks"));
    }
    for (i, check) in info.checks.iter().enumerate() {
        validate_check(check).map_err(|why| format!("check {:?}: {why}", check.id))?;
        if info.checks[..i].iter().any(|c| c.id == check.id) {
            return Err(format!("check {:?} is declared twice", check.id));
        }
    }
    Ok(())
}

fn validate_check(check: &CheckInfo) -> Result<(), String> {
    if !is_kebab_case(&check.id) {
        return Err("id is not kebab-case".into());
    }
    present(&[
        ("title", &check.title),
        ("rationale", &check.rationale),
        ("remediation", &check.remediation),
    ])?;
    if check.controls.is_empty() {
        return Err("it evidences no control".into());
    }
    match check
        .controls
        .iter()
        .find(|c| c.reference().and_then(|r| catalog::entry(&r)).is_none())
    {
        Some(unknown) => Err(format!(
            "control {} {} is in no catalog tollgate knows ({})",
            unknown.framework,
            unknown.id,
            Framework::names().join(", ")
        )),
        None => Ok(()),
    }
}

fn present(fields: &[(&str, &String)]) -> Result<(), String> {
    match fields
        .iter()
        .find(|(_, text)| text.trim().is_empty() || text.len() > MAX_TEXT)
    {
        Some((field, _)) => Err(format!("{field} is empty or longer than {MAX_TEXT} bytes")),
        None => Ok(()),
    }
}

/// Checks the verdict of one call: coverage of the rule's own checks, on objects the call
/// was given (`documents` of them), and every finding: a check of the rule, a message,
/// and a location inside what the call was given (`located`).
pub fn validate_verdict(
    info: &RuleInfo,
    verdict: &Verdict,
    documents: usize,
    located: impl Fn(&Location) -> bool,
) -> Result<(), RuleError> {
    let malformed = |why: String| Err(RuleError::Malformed(why));
    for coverage in &verdict.coverage {
        if !info.checks.iter().any(|c| c.id == coverage.check) {
            return malformed(format!(
                "coverage names check {:?}, which the rule does not declare",
                coverage.check
            ));
        }
        if coverage.documents.iter().any(|&d| d as usize >= documents) {
            return malformed(format!(
                "coverage of check {:?} names an object outside the input it was given",
                coverage.check
            ));
        }
    }
    if verdict.findings.len() > MAX_FINDINGS {
        return malformed(format!(
            "{} findings in one call, more than the {MAX_FINDINGS} allowed",
            verdict.findings.len()
        ));
    }
    for finding in &verdict.findings {
        let fail = |what: String| malformed(format!("finding {:?}: {what}", finding.check));
        if !info.checks.iter().any(|c| c.id == finding.check) {
            return fail("check is not among the rule's checks".into());
        }
        if finding.message.trim().is_empty() || finding.message.len() > MAX_TEXT {
            return fail("message is empty or too long".into());
        }
        if finding
            .accepted
            .as_ref()
            .is_some_and(|reason| reason.trim().is_empty() || reason.len() > MAX_TEXT)
        {
            return fail("accepted without a reason, or with one too long".into());
        }
        if let Some(field) = oversized_detail(finding) {
            return fail(format!("{field} is longer than {MAX_DETAIL_BYTES} bytes"));
        }
        if !located(&finding.location) {
            return fail("location is outside the input it was given".into());
        }
        if let Location::Object(o) = &finding.location
            && !(o.pointer.is_empty() || o.pointer.starts_with('/'))
        {
            return fail(format!("{:?} is not a JSON pointer", o.pointer));
        }
    }
    Ok(())
}

/// The error a plugin reported, unless its text is empty or too long to be believed.
pub fn check_error(error: CheckError) -> RuleError {
    let (CheckError::InvalidInput(text) | CheckError::Internal(text)) = &error;
    if text.len() > MAX_TEXT {
        return RuleError::Malformed(format!(
            "its error text is {} bytes, more than the {MAX_TEXT} allowed",
            text.len()
        ));
    }
    match error {
        CheckError::InvalidInput(reason) => RuleError::InvalidInput(reason),
        CheckError::Internal(reason) => RuleError::Internal(reason),
    }
}

/// The JSON pointer of the operator's setting whose text `reason` quotes (the longest such
/// text), or why there is none.
pub fn setting_giving(settings: &str, reason: &str) -> Result<String, String> {
    let settings: serde_json::Value = serde_json::from_str(settings)
        .map_err(|_| "is accepted, but the rule's settings are not JSON".to_owned())?;
    if settings.as_object().is_none_or(|o| o.is_empty()) {
        return Err("is accepted, but the operator gave this rule no settings".into());
    }
    let mut texts = Vec::new();
    string_settings(&settings, String::new(), &mut texts);
    texts
        .into_iter()
        .filter(|(_, text)| !text.trim().is_empty() && reason.contains(text.as_str()))
        .max_by_key(|(_, text)| text.len())
        .map(|(pointer, _)| pointer)
        .ok_or_else(|| "is accepted with a reason that no setting of the operator gives".into())
}

/// Every string in `value` with its JSON pointer.
fn string_settings(value: &serde_json::Value, at: String, out: &mut Vec<(String, String)>) {
    let escape = |key: &str| key.replace('~', "~0").replace('/', "~1");
    match value {
        serde_json::Value::String(text) => out.push((at, text.clone())),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_settings(item, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, item) in fields {
                string_settings(item, format!("{at}/{}", escape(key)), out);
            }
        }
        _ => {}
    }
}

/// The first of a finding's evidence, pointer and identity that is longer than allowed.
fn oversized_detail(finding: &Finding) -> Option<&'static str> {
    let pointer = match &finding.location {
        Location::Object(o) => o.pointer.as_str(),
        Location::File(f) => f.path.as_str(),
    };
    [
        ("evidence", finding.evidence.as_deref().unwrap_or_default()),
        ("location", pointer),
        ("identity", finding.identity.as_str()),
    ]
    .into_iter()
    .find(|(_, text)| text.len() > MAX_DETAIL_BYTES)
    .map(|(field, _)| field)
}

/// A Kubernetes kind name: a letter, then letters and digits (`Deployment`, `HTTPRoute`).
fn is_kind(kind: &str) -> bool {
    kind.len() <= 64
        && kind.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && kind.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `id` is a rule or check id: kebab-case words of `[a-z0-9]`, at most 64 bytes.
pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{Control, Coverage, InputKind, Severity};

    fn info() -> RuleInfo {
        RuleInfo {
            id: "r".into(),
            version: "1.0.0".into(),
            title: "t".into(),
            description: "d".into(),
            inputs: vec![InputKind::Manifests],
            kinds: vec!["Role".into()],
            checks: vec![CheckInfo {
                id: "wide".into(),
                title: "t".into(),
                severity: Severity::Low,
                rationale: "r".into(),
                remediation: "r".into(),
                controls: vec![Control {
                    framework: "soc2".into(),
                    id: "CC6.1".into(),
                }],
            }],
        }
    }

    #[test]
    fn coverage_must_name_the_rules_checks_and_the_calls_objects() {
        let verdict = |check: &str, document: u32| Verdict {
            findings: Vec::new(),
            coverage: vec![Coverage {
                check: check.into(),
                documents: vec![document],
                files: 0,
            }],
        };
        assert_eq!(
            validate_verdict(&info(), &verdict("wide", 1), 2, |_| true),
            Ok(())
        );
        assert_eq!(
            validate_verdict(&info(), &verdict("narrow", 1), 2, |_| true),
            Err(RuleError::Malformed(
                "coverage names check \"narrow\", which the rule does not declare".into()
            ))
        );
        assert_eq!(
            validate_verdict(&info(), &verdict("wide", 2), 2, |_| true),
            Err(RuleError::Malformed(
                "coverage of check \"wide\" names an object outside the input it was given".into()
            ))
        );
    }

    #[test]
    fn checks_must_be_unique_and_map_to_known_controls() {
        let mut twice = info();
        twice.checks.push(twice.checks[0].clone());
        assert_eq!(
            validate_info(&twice),
            Err("check \"wide\" is declared twice".into())
        );
        let mut unknown = info();
        unknown.checks[0].controls[0].framework = "pci-dss".into();
        assert_eq!(
            validate_info(&unknown),
            Err(
                "check \"wide\": control pci-dss CC6.1 is in no catalog tollgate knows \
                 (soc2, iso27001, cis-kubernetes, nist-800-53)"
                    .into()
            )
        );
        let mut bad_kind = info();
        bad_kind.kinds.push("apps/v1 Deployment".into());
        assert!(validate_info(&bad_kind).is_err());
    }

    #[test]
    fn versions_must_be_semver() {
        let with = |version: &str| RuleInfo {
            version: version.into(),
            ..info()
        };
        assert_eq!(validate_info(&with("1.0.0-rc.1")), Ok(()));
        assert_eq!(
            validate_info(&with("<b>9</b>")),
            Err(
                "version \"<b>9</b>\" is not a semantic version (major.minor.patch, e.g. 1.2.0)"
                    .into()
            )
        );
    }

    #[test]
    fn an_acceptance_names_the_setting_it_quotes() {
        let settings = r#"{"allow":[{"role":"ci","reason":"vendor chart"}],"a/b":"x"}"#;
        assert_eq!(
            setting_giving(settings, "ci is allowed: vendor chart"),
            Ok("/allow/0/reason".into())
        );
        assert_eq!(setting_giving(settings, "x"), Ok("/a~1b".into()));
        assert_eq!(
            setting_giving(settings, "trust me"),
            Err("is accepted with a reason that no setting of the operator gives".into())
        );
        assert_eq!(
            setting_giving("{}", "trust me"),
            Err("is accepted, but the operator gave this rule no settings".into())
        );
    }

    #[test]
    fn kebab_case() {
        assert!(is_kebab_case("tls-min-version"));
        assert!(is_kebab_case("a1"));
        for bad in ["", "Bad Info!", "a--b", "-a", "a-", "snake_case"] {
            assert!(!is_kebab_case(bad), "{bad}");
        }
    }
}
