//! The rule's checks: what each reports, why, how to fix it, and the controls it
//! evidences. Every check shares [`CREDENTIAL_CONTROLS`]; key material adds cryptographic
//! key management, source-code tokens add access to source code.

use tollgate_sdk::framework::{ISO27001, NIST_800_53, SOC2};
use tollgate_sdk::{Check, ControlId, Severity, join};

use crate::detect::Kind;

/// What every check evidences: credentials protected (SOC 2 CC6.1), configuration kept to
/// standard (CC7.1), authentication information (ISO A.5.17), data leakage prevention
/// (A.8.12), secure coding (A.8.28), no embedded authenticators (NIST IA-5(7)).
const CREDENTIAL_CONTROLS: [ControlId; 6] = [
    (SOC2, "CC6.1"),
    (SOC2, "CC7.1"),
    (ISO27001, "A.5.17"),
    (ISO27001, "A.8.12"),
    (ISO27001, "A.8.28"),
    (NIST_800_53, "IA-5(7)"),
];
/// Key material: also use of cryptography (A.8.24) and key management (SC-12).
const KEY_CONTROLS: [ControlId; 8] = join(
    CREDENTIAL_CONTROLS,
    [(ISO27001, "A.8.24"), (NIST_800_53, "SC-12")],
);
/// Tokens that grant access to source code: also access to source code (A.8.4).
const SOURCE_CODE_CONTROLS: [ControlId; 7] = join(CREDENTIAL_CONTROLS, [(ISO27001, "A.8.4")]);

/// How to fix a credential found in a file.
const REMOVE_AND_ROTATE: &str = "Remove it from the repository and its history, rotate it \
    (it is compromised once pushed), and load it at run time from a secret store; a line \
    that must stay can carry `tollgate:allow no-git-credentials <reason>`.";

pub const PLAINTEXT_SECRET: Check = Check {
    id: "plaintext-secret",
    title: "A Secret holds plaintext data",
    severity: Severity::High,
    rationale: "A Secret's data is base64, not encryption: everyone who can read the \
        repository can read the credential, and it stays in the history.",
    remediation: "Commit a SealedSecret, a SOPS-encrypted file or an ExternalSecret that \
        references a vault instead, and rotate the credential.",
    controls: &CREDENTIAL_CONTROLS,
};
/// A credential-named container variable or ConfigMap entry set to a literal: the
/// credential is in the manifest, in clear, in Git.
pub const ENV_LITERAL_SECRET: Check = Check {
    id: "env-literal-secret",
    title: "A credential-named variable or ConfigMap entry is set to a literal",
    severity: Severity::High,
    rationale: "A password or token written into a container's environment or a ConfigMap \
        is in clear in the repository and in every copy of the object.",
    remediation: "Take the value from a Secret (valueFrom.secretKeyRef) kept out of Git, \
        and rotate the credential.",
    controls: &CREDENTIAL_CONTROLS,
};

/// A detector's check: the remediation and controls are the family's.
macro_rules! detector {
    ($id:literal, $severity:ident, $title:literal, $rationale:literal, $controls:expr) => {
        Check {
            id: $id,
            title: $title,
            severity: Severity::$severity,
            rationale: $rationale,
            remediation: REMOVE_AND_ROTATE,
            controls: $controls,
        }
    };
}

pub const PRIVATE_KEY: Check = detector!(
    "private-key",
    Critical,
    "A private key is committed",
    "A private key lets its holder impersonate the server or user it identifies and \
        decrypt what was sent to it.",
    &KEY_CONTROLS
);
pub const KUBECONFIG_CREDENTIAL: Check = detector!(
    "kubeconfig-credential",
    Critical,
    "A kubeconfig with a client key, token or password is committed",
    "A kubeconfig credential is direct access to a cluster's API with its user's rights.",
    &KEY_CONTROLS
);
pub const GITHUB_TOKEN: Check = detector!(
    "github-token",
    High,
    "A GitHub token is committed",
    "A GitHub token reads and often writes the repositories and workflows it is scoped to.",
    &SOURCE_CODE_CONTROLS
);
pub const GITLAB_TOKEN: Check = detector!(
    "gitlab-token",
    High,
    "A GitLab token is committed",
    "A GitLab token reads and often writes the projects and pipelines it is scoped to.",
    &SOURCE_CODE_CONTROLS
);

/// The other detectors: one provider or format each, the shared controls.
const PROVIDER_CHECKS: [Check; 15] = [
    detector!(
        "aws-access-key-id",
        High,
        "An AWS access key id is committed",
        "An access key id is half of an AWS credential and names the account and user it \
            belongs to; the secret half is rarely far away.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "aws-secret-access-key",
        Critical,
        "An AWS secret access key is committed",
        "A secret access key is API access to an AWS account with its user's rights.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "slack-token",
        High,
        "A Slack token is committed",
        "A Slack token reads and posts in the workspace as its bot or user.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "slack-webhook",
        Medium,
        "A Slack incoming webhook URL is committed",
        "Anyone with the webhook URL can post into its channel, e.g. convincing phishing.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "stripe-key",
        Critical,
        "A Stripe secret key is committed",
        "A Stripe secret key moves money and reads customers' payment data.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "google-api-key",
        High,
        "A Google API key is committed",
        "A Google API key spends the project's quota and reaches the APIs it is not \
            restricted from.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "npm-token",
        High,
        "An npm token is committed",
        "An npm token can publish packages under its owner's name: a supply-chain attack.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "pypi-token",
        High,
        "A PyPI token is committed",
        "A PyPI token can publish packages under its owner's name: a supply-chain attack.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "azure-storage-key",
        Critical,
        "An Azure storage account key is committed",
        "A storage account key is full access to every blob, queue and table of the account.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "twilio-api-key",
        High,
        "A Twilio API key is committed",
        "A Twilio key sends messages and places calls billed to the account.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "sendgrid-api-key",
        High,
        "A SendGrid API key is committed",
        "A SendGrid key sends mail from the organisation's domains.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "jwt",
        Medium,
        "A JSON Web Token is committed",
        "A signed token is accepted as its subject until it expires, often never.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "docker-config-auth",
        High,
        "Registry credentials (Docker config auth) are committed",
        "Registry credentials pull private images and often push them: a supply-chain \
            attack.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "basic-auth-url",
        High,
        "A URL carries a password",
        "A password in a URL is logged and copied wherever the URL goes.",
        &CREDENTIAL_CONTROLS
    ),
    detector!(
        "generic-secret",
        Medium,
        "A value assigned to a password, secret or token name is committed",
        "A hard-coded password or secret is in clear for everyone with the repository.",
        &CREDENTIAL_CONTROLS
    ),
];

/// Every check the files are read for, one per detector.
pub const FILE_CHECKS: [Check; 19] = [
    PRIVATE_KEY,
    KUBECONFIG_CREDENTIAL,
    GITHUB_TOKEN,
    GITLAB_TOKEN,
    PROVIDER_CHECKS[0],
    PROVIDER_CHECKS[1],
    PROVIDER_CHECKS[2],
    PROVIDER_CHECKS[3],
    PROVIDER_CHECKS[4],
    PROVIDER_CHECKS[5],
    PROVIDER_CHECKS[6],
    PROVIDER_CHECKS[7],
    PROVIDER_CHECKS[8],
    PROVIDER_CHECKS[9],
    PROVIDER_CHECKS[10],
    PROVIDER_CHECKS[11],
    PROVIDER_CHECKS[12],
    PROVIDER_CHECKS[13],
    PROVIDER_CHECKS[14],
];

/// Every check of the rule.
pub const CHECKS: [Check; 21] = {
    let mut checks = [PLAINTEXT_SECRET; 21];
    checks[1] = ENV_LITERAL_SECRET;
    let mut i = 0;
    while i < FILE_CHECKS.len() {
        checks[i + 2] = FILE_CHECKS[i];
        i += 1;
    }
    checks
};

/// The check of a detector.
pub fn of_kind(kind: Kind) -> &'static Check {
    let id = match kind {
        Kind::PrivateKey => "private-key",
        Kind::AwsAccessKeyId => "aws-access-key-id",
        Kind::AwsSecretAccessKey => "aws-secret-access-key",
        Kind::GithubToken => "github-token",
        Kind::GitlabToken => "gitlab-token",
        Kind::SlackToken => "slack-token",
        Kind::SlackWebhook => "slack-webhook",
        Kind::StripeKey => "stripe-key",
        Kind::GoogleApiKey => "google-api-key",
        Kind::NpmToken => "npm-token",
        Kind::PypiToken => "pypi-token",
        Kind::AzureStorageKey => "azure-storage-key",
        Kind::TwilioApiKey => "twilio-api-key",
        Kind::SendgridApiKey => "sendgrid-api-key",
        Kind::Jwt => "jwt",
        Kind::KubeconfigCredential => "kubeconfig-credential",
        Kind::DockerConfigAuth => "docker-config-auth",
        Kind::BasicAuthUrl => "basic-auth-url",
        Kind::GenericSecret => "generic-secret",
    };
    FILE_CHECKS
        .iter()
        .find(|check| check.id == id)
        .expect("every detector has a check")
}
