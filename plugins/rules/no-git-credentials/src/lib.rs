//! `no-git-credentials`: credentials are kept out of Git.
//!
//! In manifests: Kubernetes `Secret` objects that carry plaintext `data`/`stringData`
//! (SOPS-encrypted files are compliant). In any scanned file: private key blocks and AWS
//! access key ids. Evidence is always redacted ([`redact`]): no output ever holds a secret.

mod detect;
mod redact;

use tollgate_sdk::{
    Check, CheckError, File, Finding, Framework::*, InputKind, Manifests, Object, Pointer, Rule,
    RuleInfo, Severity, Value, controls_of, export_rule, text::LineIndex,
};

const PLAINTEXT_SECRET: Check = Check {
    id: "plaintext-secret",
    severity: Severity::High,
    controls: &[
        (Soc2, "CC6.1"),
        (Soc2, "CC6.7"),
        (Iso27001, "A.5.17"),
        (Iso27001, "A.8.12"),
        (Iso27001, "A.8.24"),
        (CisKubernetes, "5.4.2"),
    ],
};
const FILE_CONTROLS: &[(tollgate_sdk::Framework, &str)] = &[
    (Soc2, "CC6.1"),
    (Soc2, "CC6.7"),
    (Iso27001, "A.5.17"),
    (Iso27001, "A.8.4"),
    (Iso27001, "A.8.12"),
    (Iso27001, "A.8.28"),
];
const PRIVATE_KEY: Check = Check {
    id: "private-key",
    severity: Severity::Critical,
    controls: FILE_CONTROLS,
};
const AWS_ACCESS_KEY_ID: Check = Check {
    id: "aws-access-key-id",
    severity: Severity::High,
    controls: FILE_CONTROLS,
};
const CHECKS: [Check; 3] = [PLAINTEXT_SECRET, PRIVATE_KEY, AWS_ACCESS_KEY_ID];

struct NoGitCredentials;

impl Rule for NoGitCredentials {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        RuleInfo {
            id: "no-git-credentials".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Keep credentials out of Git".into(),
            description: "A credential committed to Git is readable by everyone with the \
                repository and stays in its history. Kubernetes Secrets hold base64, not \
                encryption. Private keys and cloud access keys must never be committed."
                .into(),
            severity: Severity::High,
            inputs: vec![InputKind::Manifests, InputKind::Files],
            remediation: "Remove the credential, rotate it (it is compromised once pushed), \
                and commit an encrypted form instead: SealedSecret, SOPS, or an \
                ExternalSecret that references a vault."
                .into(),
            controls: controls_of(&CHECKS),
        }
    }

    fn check_manifests(
        set: &Manifests,
        _settings: &Self::Settings,
    ) -> Result<Vec<Finding>, CheckError> {
        Ok(set
            .of_kind("Secret")
            .filter(|o| o.api_version == "v1")
            .flat_map(plaintext_secret)
            .collect())
    }

    fn check_files(batch: &[File], _settings: &Self::Settings) -> Result<Vec<Finding>, CheckError> {
        let mut findings = Vec::new();
        for file in batch {
            let matches = detect::scan(&file.contents);
            if matches.is_empty() {
                continue;
            }
            let lines = LineIndex::new(&file.contents);
            for m in matches {
                let (check, message) = match m.kind {
                    detect::Kind::PrivateKey => (PRIVATE_KEY, "private key block committed"),
                    detect::Kind::AwsAccessKeyId => {
                        (AWS_ACCESS_KEY_ID, "AWS access key id committed")
                    }
                };
                let secret = &file.contents[m.secret.clone()];
                findings.push(
                    check
                        .in_file(
                            &file.path,
                            lines.position(m.start),
                            format!("{message}; remove it from the repository and rotate it"),
                            redact::digest(secret),
                        )
                        .with_evidence(redact::evidence(m.label, secret)),
                );
            }
        }
        Ok(findings)
    }
}

export_rule!(NoGitCredentials);

/// A Secret with plaintext values: one finding per non-empty `data` / `stringData` map,
/// naming the keys (never the values). SOPS-encrypted objects (a top-level `sops` block)
/// are compliant.
fn plaintext_secret(secret: &Object) -> Vec<Finding> {
    if secret.value().get("sops").is_some() {
        return Vec::new();
    }
    ["data", "stringData"]
        .into_iter()
        .filter_map(|field| {
            let map = secret.value().get(field).and_then(Value::as_object)?;
            let keys: Vec<&str> = map
                .iter()
                .filter(|(_, v)| v.as_str().is_some_and(|s| !s.is_empty()))
                .map(|(k, _)| k.as_str())
                .collect();
            (!keys.is_empty()).then(|| {
                PLAINTEXT_SECRET
                    .at(
                        secret,
                        Pointer::root().at(field),
                        format!(
                            "{} holds plaintext {field} ({}); commit a SealedSecret, SOPS file or ExternalSecret instead",
                            secret.display_name(),
                            keys.join(", ")
                        ),
                    )
                    .with_evidence(format!("keys: {}", keys.join(", ")))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::{Location, serde_json::json};

    #[test]
    fn plaintext_secret_names_keys_not_values() {
        let secret = Object::new(
            0,
            "s.yaml".into(),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                   "data": {"password": "aHVudGVyMg=="}, "stringData": {"empty": ""}}),
        )
        .unwrap();
        let found = plaintext_secret(&secret);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].evidence.as_deref(), Some("keys: password"));
        assert!(!found[0].message.contains("aHVudGVyMg"));
        assert!(matches!(&found[0].location, Location::Object(o) if o.pointer == "/data"));
    }

    #[test]
    fn sops_encrypted_secret_passes() {
        let secret = Object::new(
            0,
            "s.yaml".into(),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                   "data": {"password": "ENC[AES256_GCM,data:abc]"}, "sops": {"version": "3.8.1"}}),
        )
        .unwrap();
        assert!(plaintext_secret(&secret).is_empty());
    }
}
