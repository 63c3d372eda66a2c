//! The host's side of the plugin contract: what a plugin returns is checked before it is
//! believed. Metadata that breaks the contract refuses the plugin; findings that break it
//! make the call an error (fail closed), never a silent pass.

use super::limits::{MAX_DETAIL_BYTES, MAX_FINDINGS, MAX_TEXT_BYTES as MAX_TEXT};
use super::{CheckError, Control, Finding, Location, RuleError, RuleInfo, Verdict};
use crate::catalog;

/// Checks a plugin's `info()`: a kebab-case id, text present, at least one input, and
/// controls the catalogs know.
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
    for (field, text) in [
        ("title", &info.title),
        ("description", &info.description),
        ("remediation", &info.remediation),
    ] {
        if text.trim().is_empty() || text.len() > MAX_TEXT {
            return Err(format!("{field} is empty or longer than {MAX_TEXT} bytes"));
        }
    }
    if info.inputs.is_empty() {
        return Err("it names no input (manifests or files)".into());
    }
    if info.controls.is_empty() {
        return Err("it evidences no control".into());
    }
    if let Some(unknown) = info
        .controls
        .iter()
        .find(|c| catalog::control(c.framework, &c.id).is_none())
    {
        return Err(format!(
            "control {} {} is in no catalog tollgate knows",
            catalog::framework_name(unknown.framework),
            unknown.id
        ));
    }
    Ok(())
}

/// Checks the verdict of one call: controls assessed that are the rule's own, and every
/// finding: kebab-case check ids, a message, controls that are the rule's own, and a
/// location inside what the call was given (`located`).
pub fn validate_verdict(
    info: &RuleInfo,
    verdict: &Verdict,
    located: impl Fn(&Location) -> bool,
) -> Result<(), RuleError> {
    if let Some(c) = verdict.assessed.iter().find(|c| !evidences(info, c)) {
        return Err(RuleError::Malformed(format!(
            "assessed control {} {} is not among the rule's controls",
            catalog::framework_name(c.framework),
            c.id
        )));
    }
    if verdict.findings.len() > MAX_FINDINGS {
        return Err(RuleError::Malformed(format!(
            "{} findings in one call, more than the {MAX_FINDINGS} allowed",
            verdict.findings.len()
        )));
    }
    for finding in &verdict.findings {
        let fail = |what: String| {
            Err(RuleError::Malformed(format!(
                "finding {:?}: {what}",
                finding.check
            )))
        };
        if !is_kebab_case(&finding.check) {
            return fail("check id is not kebab-case".into());
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
        if finding.controls.is_empty() {
            return fail("breaks no control".into());
        }
        if let Some(c) = finding.controls.iter().find(|c| !evidences(info, c)) {
            return fail(format!(
                "control {} {} is not among the rule's controls",
                catalog::framework_name(c.framework),
                c.id
            ));
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

fn evidences(info: &RuleInfo, control: &Control) -> bool {
    info.controls
        .iter()
        .any(|c| c.framework == control.framework && c.id == control.id)
}

fn is_kebab_case(id: &str) -> bool {
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
    use crate::runtime::{Framework, InputKind, Severity};

    fn info() -> RuleInfo {
        RuleInfo {
            id: "r".into(),
            version: "1.0.0".into(),
            title: "t".into(),
            description: "d".into(),
            severity: Severity::Low,
            inputs: vec![InputKind::Manifests],
            remediation: "r".into(),
            controls: vec![Control {
                framework: Framework::Soc2,
                id: "CC6.1".into(),
            }],
        }
    }

    #[test]
    fn assessed_controls_must_be_the_rules_own() {
        let control = |id: &str| Control {
            framework: Framework::Soc2,
            id: id.into(),
        };
        let verdict = |id: &str| Verdict {
            findings: Vec::new(),
            assessed: vec![control(id)],
        };
        assert_eq!(
            validate_verdict(&info(), &verdict("CC6.1"), |_| true),
            Ok(())
        );
        assert_eq!(
            validate_verdict(&info(), &verdict("CC6.6"), |_| true),
            Err(RuleError::Malformed(
                "assessed control soc2 CC6.6 is not among the rule's controls".into()
            ))
        );
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
