//! `no-git-credentials`: credentials are kept out of Git.
//!
//! In manifests: Kubernetes `Secret` objects that carry plaintext `data`/`stringData`
//! (SOPS-encrypted files are compliant), and credential-named container variables and
//! ConfigMap entries set to literals ([`env`]). In any scanned file: provider tokens, private
//! keys, kubeconfig and Docker credentials, passwords in URLs and hard-coded secrets
//! ([`detect`]), one check id per detector ([`checks`]). A line holding `tollgate:allow
//! no-git-credentials <reason>` accepts its findings. Evidence is always redacted
//! ([`redact`]): no output ever holds a secret.
//!
//! Coverage: `plaintext-secret` judges every Secret, SealedSecret and ExternalSecret;
//! `env-literal-secret` the workloads and ConfigMaps that hold a credential-named
//! variable or entry; every detector every file of a batch.

mod checks;
mod detect;
mod env;
mod generic;
mod kinds;
mod redact;

use std::collections::HashMap;

use checks::{CHECKS, ENV_LITERAL_SECRET, FILE_CHECKS, PLAINTEXT_SECRET};
use tollgate_sdk::{
    CheckError, EachObject, File, Finding, InputKind, Manifests, Object, Pointer, Rule, RuleInfo,
    RuleSpec, Tally, Verdict, each_object, export_rule, join, text::LineIndex, workload,
};

/// The inline comment that accepts a line's findings; a reason must follow it.
const ALLOW_MARKER: &[u8] = b"tollgate:allow no-git-credentials";

/// Kinds whose objects keep a credential encrypted or elsewhere: judged by
/// `plaintext-secret` as compliant.
const STORED_ELSEWHERE: [&str; 2] = ["SealedSecret", "ExternalSecret"];

/// The kinds `check-manifests` reads: Secrets and their encrypted or external forms,
/// ConfigMaps, and workloads for their container variables.
const KINDS: [&str; 13] = join(
    [
        "Secret",
        STORED_ELSEWHERE[0],
        STORED_ELSEWHERE[1],
        "ConfigMap",
    ],
    workload::KINDS,
);

const SPEC: RuleSpec = RuleSpec {
    id: "no-git-credentials",
    version: env!("CARGO_PKG_VERSION"),
    title: "Keep credentials out of Git",
    description: "A credential committed to Git is readable by everyone with the \
        repository and stays in its history. Kubernetes Secrets hold base64, not \
        encryption. Private keys, cloud and SaaS tokens, registry and cluster \
        credentials, passwords in URLs, hard-coded passwords and literal passwords in \
        container environments or ConfigMaps must never be committed.",
    inputs: &[InputKind::Manifests, InputKind::Files],
    kinds: &KINDS,
    checks: &CHECKS,
};

struct NoGitCredentials;

impl Rule for NoGitCredentials {
    type Settings = tollgate_sdk::NoSettings;

    fn info() -> RuleInfo {
        SPEC.info()
    }

    fn check_manifests(set: &Manifests, settings: &Self::Settings) -> Result<Verdict, CheckError> {
        each_object::<Self>(set, settings)
    }

    fn check_files(batch: &[File], _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        let mut findings = Vec::new();
        for file in batch {
            let matches = detect::scan(&file.contents, generic::Family::of(&file.path));
            if matches.is_empty() {
                continue;
            }
            let lines = LineIndex::new(&file.contents);
            // A short secret is known by its place: its detector and how many of that
            // detector's short secrets come before it in the file.
            let mut short: HashMap<&str, usize> = HashMap::new();
            for m in matches {
                let secret = &file.contents[m.secret.clone()];
                let identity = redact::identity(secret).unwrap_or_else(|| {
                    let nth = short.entry(m.label).or_default();
                    *nth += 1;
                    format!("{} #{nth}", m.label)
                });
                let finding = checks::of_kind(m.kind)
                    .in_file(
                        &file.path,
                        lines.position(m.start),
                        format!(
                            "{} committed; remove it from the repository and rotate it",
                            m.label
                        ),
                        identity,
                    )
                    .with_evidence(redact::evidence(m.label, secret));
                findings.push(match allowed(&file.contents, m.start) {
                    Some(reason) => finding.accepted_because(reason),
                    None => finding,
                });
            }
        }
        // Every detector reads every file of the batch.
        Ok(FILE_CHECKS.iter().fold(Verdict::of(findings), |v, check| {
            v.read_files(check, batch.len())
        }))
    }
}

/// The reason of a `tollgate:allow no-git-credentials <reason>` comment on the line of
/// `offset`; without a reason the comment accepts nothing.
fn allowed(contents: &[u8], offset: usize) -> Option<String> {
    let start = contents[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = contents[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(contents.len(), |i| offset + i);
    let line = &contents[start..end];
    let at = line
        .windows(ALLOW_MARKER.len())
        .position(|w| w == ALLOW_MARKER)?;
    let reason = String::from_utf8_lossy(&line[at + ALLOW_MARKER.len()..]);
    let reason = reason
        .trim()
        .trim_end_matches(['*', '/', '-', '>', '#'])
        .trim();
    (!reason.is_empty()).then(|| format!("allowed inline: {reason}"))
}

/// Every finding rests on one object (a Secret, a ConfigMap, a workload's variables): the
/// set is judged as it arrives.
impl EachObject for NoGitCredentials {
    fn judge(object: &Object, _namespace: &str, _settings: &Self::Settings, tally: &mut Tally) {
        let kind = object.kind.as_str();
        if kind == "Secret" && object.api_version == "v1" {
            tally.extend(plaintext_secret(object));
            tally.judged(&PLAINTEXT_SECRET, object);
        } else if STORED_ELSEWHERE.contains(&kind) {
            tally.judged(&PLAINTEXT_SECRET, object);
        }
        // Judged where a variable or entry is named like a credential.
        let found = match kind {
            "ConfigMap" => env::config_map_data(object, &ENV_LITERAL_SECRET),
            _ => env::container_env(object, &ENV_LITERAL_SECRET),
        };
        if let Some(found) = found {
            tally.extend(found);
            tally.judged(&ENV_LITERAL_SECRET, object);
        }
    }
}

export_rule!(NoGitCredentials, each_object);

/// A Secret with plaintext values: one finding per `data` / `stringData` map holding a
/// value that is no placeholder, naming those keys (never the values). SOPS-encrypted
/// objects (a top-level `sops` block) are compliant.
fn plaintext_secret(secret: &Object) -> Vec<Finding> {
    let read: kinds::Secret = secret.read();
    if read.sops {
        return Vec::new();
    }
    [("data", read.data), ("stringData", read.string_data)]
        .into_iter()
        .filter_map(|(field, map)| {
            let keys: Vec<_> = map?
                .into_iter()
                .filter(|(_, v)| v.as_deref().is_some_and(|v| holds_value(field, v)))
                .map(|(k, _)| k)
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

/// Whether a value of a Secret's `field` holds something, not a placeholder (`${PASSWORD}`,
/// `<password>`, `REPLACE_ME`; base64-encoded in `data`). A value of several lines is a
/// file, whatever it holds.
fn holds_value(field: &str, value: &str) -> bool {
    let decoded = match field {
        "data" => base64::Engine::decode(&base64::engine::general_purpose::STANDARD, value.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok()),
        _ => Some(value.to_owned()),
    };
    match decoded {
        Some(text) => text.contains('\n') || !env::is_placeholder(&text),
        None => !value.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use detect::Kind;
    use tollgate_sdk::testing::{assert_undeclared_kinds_change_nothing, control_names, reported};
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
    fn a_secret_of_placeholders_holds_no_plaintext() {
        let secret = |maps: tollgate_sdk::serde_json::Value| {
            let mut object =
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}});
            object
                .as_object_mut()
                .unwrap()
                .extend(maps.as_object().unwrap().clone());
            plaintext_secret(&Object::new(0, "s.yaml".into(), object).unwrap())
        };
        // `${PASSWORD}` in base64, as Flux's postBuild substitution leaves it.
        let placeholders = json!({
            "stringData": {"username": "<username>", "password": "${PASSWORD}", "token": "REPLACE_ME"},
            "data": {"password": "JHtQQVNTV09SRH0="}
        });
        assert_eq!(secret(placeholders), []);
        // A file is judged whole, whatever stands in it; data that is no base64 is data.
        let file = json!({
            "stringData": {"alertmanager.yaml": "smtp_auth_password: <set me>\nsmtp_from: a@b.c\n"},
            "data": {"key": "not base64!"}
        });
        let found = secret(file);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].evidence.as_deref(), Some("keys: key"));
        assert_eq!(
            found[1].evidence.as_deref(),
            Some("keys: alertmanager.yaml")
        );
    }

    #[test]
    fn an_allow_comment_with_a_reason_accepts_its_line() {
        let key = detect::tests::fake(Kind::AwsAccessKeyId, 1);
        let text = format!(
            "a = {key} # tollgate:allow no-git-credentials test fixture\nb = {key} # tollgate:allow no-git-credentials\nc = {key}\n"
        );
        let batch = [File {
            path: "f.txt".into(),
            contents: text.into_bytes(),
        }];
        let accepted: Vec<Option<String>> =
            NoGitCredentials::check_files(&batch, &tollgate_sdk::NoSettings {})
                .unwrap()
                .findings
                .into_iter()
                .map(|f| f.accepted)
                .collect();
        assert_eq!(
            accepted,
            [Some("allowed inline: test fixture".into()), None, None]
        );
    }

    #[test]
    fn short_secrets_in_a_file_are_known_by_their_place_not_by_a_hash() {
        let batch = [File {
            path: "deploy/.env".into(),
            contents: b"DB_PASSWORD=Kx9#mq2vZr4!p\nADMIN_PASSWORD=Wt7%bn3cQy8@j\nAPI_TOKEN=9fQ2xL7vR4mZ8kT1wB6n\n"
                .to_vec(),
        }];
        let identities: Vec<String> =
            NoGitCredentials::check_files(&batch, &tollgate_sdk::NoSettings {})
                .unwrap()
                .findings
                .into_iter()
                .map(|f| f.identity)
                .collect();
        assert_eq!(identities.len(), 3, "{identities:?}");
        assert_eq!(identities[0].rsplit_once(' ').unwrap().1, "#1");
        assert_eq!(identities[1].rsplit_once(' ').unwrap().1, "#2");
        assert_eq!(
            identities[2],
            redact::identity(b"9fQ2xL7vR4mZ8kT1wB6n").unwrap()
        );
    }

    fn findings_of(values: Vec<tollgate_sdk::Value>) -> Vec<(String, String)> {
        let set = Manifests::from_values("default", values).unwrap();
        NoGitCredentials::check_manifests(&set, &tollgate_sdk::NoSettings {})
            .unwrap()
            .findings
            .into_iter()
            .map(|f| match f.location {
                Location::Object(o) => (f.check, reported(&set, &o)),
                Location::File(_) => unreachable!("manifest findings are on objects"),
            })
            .collect()
    }

    #[test]
    fn literal_credentials_in_env_and_config_maps() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "db", "namespace": "shop"},
        "spec": {"template": {"spec": {
            "initContainers": [{"name": "init", "env": [{"name": "API_TOKEN", "value": "Zq8kd2Lw9x"}]}],
            "containers": [{"name": "mysql", "env": [
                {"name": "MYSQL_USER", "value": "shop"},
                {"name": "MYSQL_ROOT_PASSWORD", "value": "password"},
                {"name": "MYSQL_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                {"name": "REPLICA_PASSWORD", "value": "$(MYSQL_PASSWORD)"},
                {"name": "TLS_SECRET_NAME", "value": "db-tls"}
            ]}]}}}});
        let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "app", "namespace": "shop"},
            "data": {"db.password": "hunter2", "smtp_password": "<set me>", "LOG_LEVEL": "debug"}});
        let odd = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"template": {"spec": {"containers": [{"env": [{"name": "TOKEN", "value": 3}]}]}}}});
        assert_eq!(
            findings_of(vec![deployment, config_map, odd]),
            [
                (
                    "env-literal-secret".into(),
                    "/spec/template/spec/initContainers/0/env/0/value".into()
                ),
                (
                    "env-literal-secret".into(),
                    "/spec/template/spec/containers/0/env/1/value".into()
                ),
                ("env-literal-secret".into(), "/data/db.password".into()),
            ]
        );
    }

    #[test]
    fn env_literals_are_judged_only_where_a_name_says_credential() {
        let judged = |env: tollgate_sdk::Value| {
            let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "env": env}]}});
            let set = Manifests::from_values("default", vec![pod]).unwrap();
            let verdict =
                NoGitCredentials::check_manifests(&set, &tollgate_sdk::NoSettings {}).unwrap();
            let judged: Vec<(String, Vec<u32>)> = verdict
                .coverage
                .into_iter()
                .map(|c| (c.check, c.documents))
                .collect();
            (verdict.findings.len(), judged)
        };
        let env_literal = || vec![("env-literal-secret".to_owned(), vec![0])];
        assert_eq!(
            judged(json!([{"name": "LOG_LEVEL", "value": "debug"}])),
            (0, vec![])
        );
        let from_secret = json!([{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "p"}}}]);
        assert_eq!(judged(from_secret), (0, env_literal()));
        assert_eq!(
            judged(json!([{"name": "DB_PASSWORD", "value": "Zq8kd2Lw9"}])),
            (1, env_literal())
        );
    }

    #[test]
    fn secrets_and_their_encrypted_forms_are_what_plaintext_secret_judges() {
        let objects = vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"mode": "fast"}}),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                   "data": {"password": "ENC[AES256_GCM,data:abc]"}, "sops": {"version": "3.8.1"}}),
            json!({"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "metadata": {"name": "s"},
                   "spec": {"encryptedData": {"password": "AgB4x"}}}),
        ];
        let set = Manifests::from_values("default", objects).unwrap();
        let verdict =
            NoGitCredentials::check_manifests(&set, &tollgate_sdk::NoSettings {}).unwrap();
        assert!(verdict.findings.is_empty());
        let coverage: Vec<(String, Vec<u32>, u32)> = verdict
            .coverage
            .into_iter()
            .map(|c| (c.check, c.documents, c.files))
            .collect();
        assert_eq!(coverage, [("plaintext-secret".to_owned(), vec![1, 2], 0)]);
    }

    #[test]
    fn every_detector_reads_every_file_of_the_batch() {
        let file = |path: &str| File {
            path: path.into(),
            contents: b"mode: fast\n".to_vec(),
        };
        let verdict = NoGitCredentials::check_files(
            &[file("a.yaml"), file("b.txt")],
            &tollgate_sdk::NoSettings {},
        )
        .unwrap();
        assert!(verdict.findings.is_empty());
        let coverage: Vec<(&str, usize, u32)> = verdict
            .coverage
            .iter()
            .map(|c| (c.check.as_str(), c.documents.len(), c.files))
            .collect();
        let expected: Vec<(&str, usize, u32)> = FILE_CHECKS.iter().map(|c| (c.id, 0, 2)).collect();
        assert_eq!(coverage, expected);
        let empty = NoGitCredentials::check_files(&[], &tollgate_sdk::NoSettings {}).unwrap();
        assert!(empty.coverage.is_empty());
    }

    #[test]
    fn each_detector_has_its_own_check_and_the_mapping_is_consistent() {
        let kinds = [
            Kind::PrivateKey,
            Kind::AwsAccessKeyId,
            Kind::AwsSecretAccessKey,
            Kind::GithubToken,
            Kind::GitlabToken,
            Kind::SlackToken,
            Kind::SlackWebhook,
            Kind::StripeKey,
            Kind::GoogleApiKey,
            Kind::NpmToken,
            Kind::PypiToken,
            Kind::AzureStorageKey,
            Kind::TwilioApiKey,
            Kind::SendgridApiKey,
            Kind::Jwt,
            Kind::KubeconfigCredential,
            Kind::DockerConfigAuth,
            Kind::BasicAuthUrl,
            Kind::GenericSecret,
        ];
        let mut ids: Vec<&str> = kinds.into_iter().map(|k| checks::of_kind(k).id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), FILE_CHECKS.len());
        let info = NoGitCredentials::info();
        assert_eq!(info.version, "0.2.0");
        let controls = |id: &str| control_names(&info, id);
        let common = [
            "soc2 CC6.1",
            "soc2 CC7.1",
            "iso27001 A.5.17",
            "iso27001 A.8.12",
            "iso27001 A.8.28",
            "nist-800-53 IA-5(7)",
        ];
        assert_eq!(controls("plaintext-secret"), common);
        assert_eq!(controls("jwt"), common);
        assert_eq!(
            controls("private-key"),
            [&common[..], &["iso27001 A.8.24", "nist-800-53 SC-12"]].concat()
        );
        assert_eq!(
            controls("github-token"),
            [&common[..], &["iso27001 A.8.4"]].concat()
        );
    }

    #[test]
    fn odd_secret_fields_are_judged_for_what_they_hold() {
        let evidence = |value: tollgate_sdk::Value| -> Vec<Option<String>> {
            let secret = Object::new(0, "s.yaml".into(), value).unwrap();
            plaintext_secret(&secret)
                .into_iter()
                .map(|f| f.evidence)
                .collect()
        };
        // Entries that are no string, and a data that is no map, hold nothing plaintext.
        let odd = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                         "data": {"b": "c2VjcmV0", "a": 1, "n": null}, "stringData": ["x"]});
        assert_eq!(evidence(odd), [Some("keys: b".to_owned())]);
        // A sops block that is there at all, even empty, marks the Secret encrypted.
        let sops = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                          "stringData": {"password": "Zq8kd2Lw9"}, "sops": null});
        assert!(evidence(sops).is_empty());
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

    #[test]
    fn objects_of_undeclared_kinds_change_nothing() {
        let values = vec![
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                   "stringData": {"password": "Zq8kd2Lw9"}}),
            json!({"apiVersion": "example.com/v1", "kind": "Database", "metadata": {"name": "db"},
                   "data": {"password": "Zq8kd2Lw9"}, "env": [{"name": "DB_PASSWORD", "value": "Zq8kd2Lw9"}]}),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                   "spec": {"containers": [{"name": "c", "env": [{"name": "DB_PASSWORD", "value": "Zq8kd2Lw9"}]}]}}),
        ];
        let declared = assert_undeclared_kinds_change_nothing::<NoGitCredentials>(
            values,
            &tollgate_sdk::NoSettings {},
        );
        assert_eq!(declared, 2);
    }
}
