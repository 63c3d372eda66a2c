//! Allowances: what operators accept (a controller that must read Secrets, a CI account
//! that must create pods), from the rule's settings. Each names a subject or a role, the
//! checks it accepts, and a reason. Accepted findings are still reported, as waived.

use serde::Deserialize;
use tollgate_sdk::{Finding, Reason};

use crate::subject::Subject;

/// What the config file may set for this rule.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    allow: Vec<Allowance>,
}

/// One accepted case, as written in the settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, try_from = "Written")]
struct Allowance {
    target: Target,
    checks: Vec<String>,
    reason: Reason,
}

/// An allowance as the config file spells it; see [`Allowance::try_from`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    subject: Option<String>,
    role: Option<String>,
    checks: Vec<String>,
    reason: Reason,
}

/// Who or what an allowance is about.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// `ServiceAccount/<namespace>/<name>`, `User/<name>` or `Group/<name>`.
    Subject {
        kind: String,
        namespace: Option<String>,
        name: String,
    },
    /// `ClusterRole/<name>` or `Role/<namespace>/<name>`.
    Role {
        kind: String,
        namespace: Option<String>,
        name: String,
    },
}

impl TryFrom<Written> for Allowance {
    type Error = String;

    fn try_from(written: Written) -> Result<Self, String> {
        let target = match (written.subject, written.role) {
            (Some(subject), None) => parse_subject(&subject)?,
            (None, Some(role)) => parse_role(&role)?,
            _ => return Err("an allowance names exactly one of `subject` or `role`".into()),
        };
        if written.checks.is_empty() {
            return Err("`checks` must name the checks this allowance accepts".into());
        }
        if let Some(unknown) = written
            .checks
            .iter()
            .find(|c| !crate::check_ids().contains(&c.as_str()))
        {
            return Err(format!(
                "unknown check `{unknown}`; known: {}",
                crate::check_ids().join(", ")
            ));
        }
        Ok(Self {
            target,
            checks: written.checks,
            reason: written.reason,
        })
    }
}

fn parse_subject(text: &str) -> Result<Target, String> {
    let malformed = || {
        format!(
            "subject `{text}` is not ServiceAccount/<namespace>/<name>, User/<name> or Group/<name>"
        )
    };
    let (kind, rest) = text.split_once('/').ok_or_else(malformed)?;
    let (namespace, name) = match kind {
        "ServiceAccount" => {
            let (namespace, name) = rest.split_once('/').ok_or_else(malformed)?;
            (Some(namespace.to_owned()), name)
        }
        "User" | "Group" => (None, rest),
        _ => return Err(malformed()),
    };
    if name.is_empty() {
        return Err(malformed());
    }
    Ok(Target::Subject {
        kind: kind.to_owned(),
        namespace,
        name: name.to_owned(),
    })
}

fn parse_role(text: &str) -> Result<Target, String> {
    let malformed =
        || format!("role `{text}` is not ClusterRole/<name> or Role/<namespace>/<name>");
    let (kind, namespace, name) = match text.split('/').collect::<Vec<_>>()[..] {
        ["ClusterRole", name] => ("ClusterRole", None, name),
        ["Role", namespace, name] => ("Role", Some(namespace.to_owned()), name),
        _ => return Err(malformed()),
    };
    if name.is_empty() {
        return Err(malformed());
    }
    Ok(Target::Role {
        kind: kind.to_owned(),
        namespace,
        name: name.to_owned(),
    })
}

impl Settings {
    /// The reason to accept `check` on a role, when an allowance names that role.
    pub fn for_role(
        &self,
        check: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<String> {
        self.allow
            .iter()
            .find(|a| {
                a.checks.iter().any(|c| c == check)
                    && matches!(&a.target, Target::Role { kind: k, namespace: ns, name: n }
                        if k == kind && ns.as_deref() == namespace && n == name)
            })
            .map(|a| a.reason.0.clone())
    }

    /// The reasons to accept `check` for all of `subjects`, when every one of them has an
    /// allowance (none when the list is empty: nobody to accept it for).
    pub fn for_subjects<'s>(
        &self,
        check: &str,
        subjects: impl IntoIterator<Item = &'s Subject<'s>>,
    ) -> Option<String> {
        let mut reasons: Vec<&str> = Vec::new();
        for subject in subjects {
            let allowance = self.allow.iter().find(|a| {
                a.checks.iter().any(|c| c == check)
                    && matches!(&a.target, Target::Subject { kind, namespace, name }
                        if kind == subject.kind && namespace.as_deref() == subject.namespace && name == subject.name)
            })?;
            if !reasons.contains(&allowance.reason.0.as_str()) {
                reasons.push(&allowance.reason.0);
            }
        }
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }
}

/// Marks a finding as accepted when the settings give a reason.
pub fn accept(finding: Finding, reason: Option<String>) -> Finding {
    match reason {
        Some(reason) => finding.accepted_because(reason),
        None => finding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::settings::parse;

    fn subject<'a>(kind: &'a str, namespace: Option<&'a str>, name: &'a str) -> Subject<'a> {
        Subject {
            kind,
            name,
            namespace,
        }
    }

    #[test]
    fn allowances_match_subjects_and_roles() {
        let settings: Settings = parse(
            r#"{"allow": [
                {"subject": "ServiceAccount/eso/external-secrets", "checks": ["secrets-read"], "reason": "syncs secrets"},
                {"subject": "User/https://idp/alice", "checks": ["secrets-read"], "reason": "break-glass"},
                {"role": "ClusterRole/ci", "checks": ["pod-create"], "reason": "CI runners"}
            ]}"#,
        )
        .unwrap();
        let eso = subject("ServiceAccount", Some("eso"), "external-secrets");
        let alice = subject("User", None, "https://idp/alice");
        let bob = subject("User", None, "bob");
        assert_eq!(
            settings
                .for_subjects("secrets-read", [&eso, &alice])
                .as_deref(),
            Some("syncs secrets; break-glass")
        );
        assert_eq!(settings.for_subjects("secrets-read", [&eso, &bob]), None);
        assert_eq!(settings.for_subjects("pod-create", [&eso]), None);
        assert_eq!(settings.for_subjects("secrets-read", []), None);
        assert_eq!(
            settings
                .for_role("pod-create", "ClusterRole", None, "ci")
                .as_deref(),
            Some("CI runners")
        );
        assert_eq!(
            settings.for_role("pod-create", "Role", Some("x"), "ci"),
            None
        );
    }

    #[test]
    fn malformed_allowances_are_refused() {
        for (text, pointer, message) in [
            (
                r#"{"allow": [{"subject": "SA/x", "checks": ["wildcard"], "reason": "r"}]}"#,
                "/allow/0",
                "is not ServiceAccount",
            ),
            (
                r#"{"allow": [{"role": "ClusterRole/x", "checks": ["nope"], "reason": "r"}]}"#,
                "/allow/0",
                "unknown check `nope`",
            ),
            (
                r#"{"allow": [{"role": "ClusterRole/x", "checks": [], "reason": "r"}]}"#,
                "/allow/0",
                "`checks` must name",
            ),
            (
                r#"{"allow": [{"checks": ["wildcard"], "reason": "r"}]}"#,
                "/allow/0",
                "exactly one of",
            ),
            (
                r#"{"allow": [{"role": "ClusterRole/x", "checks": ["wildcard"], "reason": ""}]}"#,
                "/allow/0/reason",
                "must not be empty",
            ),
            (
                r#"{"allow": [{"role": "ClusterRole/x", "checks": ["wildcard"]}]}"#,
                "/allow/0",
                "missing field `reason`",
            ),
        ] {
            let error = parse::<Settings>(text).unwrap_err();
            assert_eq!(error.pointer, pointer, "{text}");
            assert!(error.message.contains(message), "{text}: {}", error.message);
        }
    }
}
