//! `env-literal-secret`: a credential written into a manifest as a literal value, where a
//! Secret reference belongs: a container's `env[].value` (not `valueFrom`) and a
//! ConfigMap `data` entry, whose names say they hold a credential (`MYSQL_ROOT_PASSWORD`,
//! `API_TOKEN`, `db.password`). A weak literal such as `password` is still the password
//! the workload runs with: only references and placeholders pass.

use tollgate_sdk::{Finding, Object, Pointer, workload};

use crate::{generic, kinds, redact};

/// Parts of a name that say it holds a credential.
const CREDENTIAL_PARTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "SECRET_KEY",
    "SECRETKEY",
    "ACCESSKEY",
    "PRIVATEKEY",
    "CREDENTIAL",
];

/// Starts of names that set an amount (`MAX_INPUT_TOKENS`), whatever they count.
const AMOUNT_STARTS: &[&str] = &["MAX_", "MIN_", "NUM_"];

/// Endings of names that hold something about a credential, not the credential: where
/// it is, what it is called, how long it lives.
const NOT_CREDENTIAL_ENDINGS: &[&str] = &[
    "_NAME",
    "_NAMESPACE",
    "_FILE",
    "_PATH",
    "_DIR",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_ID",
    "_REF",
    "_TTL",
    "_EXPIRY",
    "_LENGTH",
    "_TYPE",
    "_HEADER",
    "_ENABLED",
    "_MOUNT",
    "_KEY_ID",
    "_SECONDS",
    "_VERSION",
    "_COUNT",
    "_LIMIT",
    "_SIZE",
    "_TIMEOUT",
];

/// Whether an environment variable or ConfigMap key name says it holds a credential: a
/// credential part ending a word, or its plural (`TOKENIZER` is none, `API_KEYS` is), no
/// ending that names something about one, and no start that sets an amount
/// (`MAX_INPUT_TOKENS` counts tokens). Upper case, `.` and `-` read as `_`: compared
/// without a copy of the name, since every variable of every workload is looked at.
pub fn is_credential_name(name: &str) -> bool {
    let name = name.as_bytes();
    let letter_at = |at: usize| name.get(at).is_some_and(u8::is_ascii_alphabetic);
    let ends_word = |end: usize| {
        !letter_at(end) || (name[end].eq_ignore_ascii_case(&b'S') && !letter_at(end + 1))
    };
    let holds = |part: &str| {
        (name.windows(part.len()).enumerate())
            .any(|(at, w)| reads_as(w, part) && ends_word(at + part.len()))
    };
    let starts_with =
        |start: &str| name.len() >= start.len() && reads_as(&name[..start.len()], start);
    let ends_with = |ending: &str| {
        let start = name.len().checked_sub(ending.len());
        start.is_some_and(|start| reads_as(&name[start..], ending))
    };
    CREDENTIAL_PARTS.iter().any(|part| holds(part))
        && !AMOUNT_STARTS.iter().any(|start| starts_with(start))
        && !NOT_CREDENTIAL_ENDINGS
            .iter()
            .any(|ending| ends_with(ending))
}

/// Whether `bytes` of a name read as `upper` (upper case, `_` for `.` and `-`).
fn reads_as(bytes: &[u8], upper: &str) -> bool {
    let normal = |byte: u8| match byte {
        b'.' | b'-' => b'_',
        byte => byte.to_ascii_uppercase(),
    };
    bytes.len() == upper.len()
        && bytes
            .iter()
            .zip(upper.bytes())
            .all(|(&b, u)| normal(b) == u)
}

/// Whether a variable's literal value is a stand-in rather than the credential itself: a
/// [placeholder](is_placeholder), a whole embedded file, or the path of a file that holds
/// it (`GOOGLE_APPLICATION_CREDENTIALS: /var/secrets/google/key.json`).
pub fn is_stand_in(value: &str) -> bool {
    is_placeholder(value) || value.contains('\n') || is_file_path(value)
}

/// Whether a value only stands for a credential: empty, a reference (`$(VAR)`,
/// `${VAR}`, `{{ .Values.x }}`), a marked placeholder (`<password>`, `REPLACE_ME`,
/// `xxxx`) or a boolean.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    let marked = ["<", "...", "replace", "your_", "your-", "redacted", "todo"]
        .iter()
        .any(|marker| lower.contains(marker));
    lower.is_empty()
        || marked
        || lower.starts_with('$')
        || lower.contains("{{")
        || matches!(lower.as_str(), "true" | "false" | "yes" | "no")
        || lower.bytes().all(|b| b == lower.as_bytes()[0])
}

/// The path of a file: absolute or relative, of two segments or more, in the characters
/// file names are written in, the last with an extension (`key.json`, `tls.pem`). A
/// secret that starts with `/` (base64 does, one time in 64) has no extension.
fn is_file_path(value: &str) -> bool {
    let named = |part: &str| {
        (part.bytes()).all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-'))
    };
    let rest = (generic::PATH_STARTS.iter()).find_map(|start| value.strip_prefix(start));
    let Some((dirs, file)) = rest.and_then(|rest| rest.rsplit_once('/')) else {
        return false;
    };
    let extension = |(stem, ext): (&str, &str)| {
        !stem.is_empty()
            && (1..=5).contains(&ext.len())
            && ext.bytes().all(|b| b.is_ascii_lowercase())
    };
    named(dirs) && named(file) && file.rsplit_once('.').is_some_and(extension)
}

/// The findings over a workload's container variables, `None` when none of them is
/// named like a credential (then there was nothing to judge): one finding per
/// credential-named variable set to a literal.
pub fn container_env(object: &Object, check: &tollgate_sdk::Check) -> Option<Vec<Finding>> {
    let template = workload::pod_template(object)?;
    let mut named = false;
    let mut findings = Vec::new();
    for container in template.containers() {
        for variable in container.spec.env.iter().flatten() {
            named |= is_credential_name(variable.name.unwrap_or(""));
        }
        for (variable, pointer) in container.literal_env() {
            let name = variable.name.unwrap_or("");
            let value = variable.value.unwrap_or("");
            if !is_credential_name(name) || is_stand_in(value) {
                continue;
            }
            let message = format!(
                "{} sets {name} in container {:?} to a literal; take it from a Secret (valueFrom.secretKeyRef)",
                object.display_name(),
                container.name()
            );
            findings.push(literal(object, check, pointer, message, name, value));
        }
    }
    named.then_some(findings)
}

/// The findings over a ConfigMap's `data`, `None` when no key is named like a
/// credential: one finding per credential-named entry that holds a literal.
pub fn config_map_data(object: &Object, check: &tollgate_sdk::Check) -> Option<Vec<Finding>> {
    let config_map: kinds::ConfigMap = object.read();
    let data = config_map.data?;
    let named: Vec<_> = data
        .into_iter()
        .filter(|(key, _)| is_credential_name(key))
        .collect();
    if named.is_empty() {
        return None;
    }
    let findings = named
        .into_iter()
        .filter_map(|(key, value)| {
            let value = value.filter(|v| !is_stand_in(v))?;
            let key = key.as_ref();
            let message = format!(
                "{} holds {key} in plain data; move it to a Secret kept out of Git (SealedSecret, SOPS or ExternalSecret)",
                object.display_name()
            );
            let pointer = Pointer::root().at("data").at(key);
            Some(literal(object, check, pointer, message, key, &value))
        })
        .collect();
    Some(findings)
}

fn literal(
    object: &Object,
    check: &tollgate_sdk::Check,
    pointer: Pointer,
    message: String,
    name: &str,
    value: &str,
) -> Finding {
    // The value's hash is part of the identity: a new password is a new finding (unless
    // it is short, see `redact::identity`).
    let identity = match redact::identity(value.as_bytes()) {
        Some(hash) => format!("{pointer} {hash}"),
        None => String::from(pointer.clone()),
    };
    check
        .at(object, pointer, message)
        .with_identity(identity)
        .with_evidence(redact::evidence(
            &format!("literal {name}"),
            value.as_bytes(),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for name in [
            "MYSQL_ROOT_PASSWORD",
            "PGPASSWD",
            "JWT_SECRET",
            "GITHUB_TOKEN",
            "STRIPE_API_KEY",
            "db.password",
            "aws-secret-access-key",
            "db-Password",
            "token",
            "clé.secret",
            "TOKEN_TTLS",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "API_TOKEN2",
            "AUTHTOKEN",
            "GITHUB_TOKENS",
            "API_KEYS",
            "ADMIN_PASSWORDS",
            "CLIENT_SECRETS",
            "SECRETKEY",
            "secretKey",
        ] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in [
            "DB_USER",
            "TLS_SECRET_NAME",
            "api-token-secret-namespace",
            "TOKEN_SECRET_NAMESPACE",
            "PASSWORD_FILE",
            "TOKEN_URL",
            "AWS_ACCESS_KEY_ID",
            "TOKEN_TTL",
            "",
            "tls.secret-name",
            "PASS_WORD",
            "MAX_INPUT_TOKENS",
            "MAX_BATCH_PREFILL_TOKENS",
            "SECRET_VERSION",
            "TOKENIZER_MODEL",
            "TOKEN_LIMIT",
            "MAX_TOKEN",
            "TOKENIZER",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
    }

    #[test]
    fn stand_ins() {
        for value in [
            "",
            "$(DB_PASSWORD)",
            "${TOKEN}",
            "{{ .Values.password }}",
            "<password>",
            "REPLACE_ME",
            "xxxxxxxx",
            "true",
            "a: 1\nb: 2\n",
            "/var/secrets/google/key.json",
            "./creds/service-account.json",
        ] {
            assert!(is_stand_in(value), "{value:?}");
        }
        for value in [
            "password",
            "changeme",
            "s3cr3t",
            "Zq8kd2Lw9",
            "/Zq8kd2Lw9",
            "/a b/c",
            "/K7MDENG/bPxRfiCYzEXAMPLEKEYwJalrXUtnFEM",
            "/Pa55/w0rd",
            "./Hx7rT2pQ9zLm/x",
        ] {
            assert!(!is_stand_in(value), "{value:?}");
        }
    }
}
