//! Permissions CIS Kubernetes Benchmark section 5.1 asks to keep to a minimum, as data:
//! each sub-check and the (API group, resource, verbs) grants that trigger it, and which
//! of those resources are cluster-scoped.

use tollgate_sdk::{Check, Framework::*, Severity};

use crate::SECRETS_READ;

/// One dangerous permission: its check, a phrase for messages, and what grants it.
pub struct Permission {
    pub check: Check,
    /// Completes "<role> rule #N can ...".
    pub what: &'static str,
    /// `(API group, resource, verbs)`.
    pub grants: &'static [(&'static str, &'static str, &'static [&'static str])],
    /// Whether a role needs every one of `grants` (possibly from several rules) to hold
    /// the permission; otherwise any one of them is enough.
    pub needs_all: bool,
}

/// The cluster-scoped resources among those the permissions name. A Role, or a
/// RoleBinding to a ClusterRole, grants nothing on them: its rules apply inside one
/// namespace only.
const CLUSTER_SCOPED: &[&str] = &[
    "nodes",
    "persistentvolumes",
    "namespaces",
    "certificatesigningrequests",
    "signers",
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "clusterroles",
    "clusterrolebindings",
    "users",
    "groups",
    "userextras",
    "uids",
];

/// Whether `resource` (`name` or `name/subresource`) is cluster-scoped.
pub fn cluster_scoped(resource: &str) -> bool {
    let name = resource.split_once('/').map_or(resource, |(name, _)| name);
    CLUSTER_SCOPED.contains(&name)
}

const WRITE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// A permission check: the rule's least-privilege controls and its own CIS 5.1 item.
macro_rules! permission_check {
    ($id:literal, $severity:ident, $cis:literal) => {
        Check {
            id: $id,
            severity: Severity::$severity,
            controls: &[
                (Soc2, "CC6.1"),
                (Soc2, "CC6.3"),
                (Iso27001, "A.5.15"),
                (Iso27001, "A.8.2"),
                (CisKubernetes, $cis),
            ],
        }
    };
}

pub const POD_CREATE: Check = permission_check!("pod-create", Medium, "5.1.4");
pub const PRIVILEGE_ESCALATION: Check =
    permission_check!("privilege-escalation-verbs", High, "5.1.8");
pub const PERSISTENTVOLUME_CREATE: Check =
    permission_check!("persistentvolume-create", Medium, "5.1.9");
pub const NODES_PROXY: Check = permission_check!("nodes-proxy", High, "5.1.10");
pub const CSR_APPROVAL: Check = permission_check!("csr-approval", High, "5.1.11");
pub const WEBHOOK_CONFIG: Check = permission_check!("webhook-config", High, "5.1.12");
pub const TOKEN_CREATE: Check = permission_check!("token-create", Medium, "5.1.13");
pub const DEFAULT_SERVICE_ACCOUNT: Check =
    permission_check!("default-service-account", Low, "5.1.5");
pub const AUTOMOUNT_TOKEN: Check = permission_check!("automount-token", Low, "5.1.6");

pub const PERMISSIONS: &[Permission] = &[
    Permission {
        check: SECRETS_READ,
        what: "read Secrets",
        grants: &[("", "secrets", &["get", "list", "watch"])],
        needs_all: false,
    },
    Permission {
        check: POD_CREATE,
        what: "create pods or workloads that run them",
        grants: &[
            ("", "pods", &["create"]),
            ("", "replicationcontrollers", &["create"]),
            ("apps", "deployments", &["create"]),
            ("apps", "statefulsets", &["create"]),
            ("apps", "daemonsets", &["create"]),
            ("apps", "replicasets", &["create"]),
            ("batch", "jobs", &["create"]),
            ("batch", "cronjobs", &["create"]),
        ],
        needs_all: false,
    },
    Permission {
        check: PRIVILEGE_ESCALATION,
        what: "bind, escalate or impersonate",
        grants: &[
            ("rbac.authorization.k8s.io", "roles", &["bind", "escalate"]),
            (
                "rbac.authorization.k8s.io",
                "clusterroles",
                &["bind", "escalate"],
            ),
            ("", "users", &["impersonate"]),
            ("", "groups", &["impersonate"]),
            ("", "serviceaccounts", &["impersonate"]),
            (
                "authentication.k8s.io",
                "userextras/scopes",
                &["impersonate"],
            ),
            ("authentication.k8s.io", "uids", &["impersonate"]),
        ],
        needs_all: false,
    },
    Permission {
        check: PERSISTENTVOLUME_CREATE,
        what: "create PersistentVolumes, which can mount host paths",
        grants: &[("", "persistentvolumes", &["create"])],
        needs_all: false,
    },
    Permission {
        check: NODES_PROXY,
        what: "reach the kubelet API through nodes/proxy, bypassing audit",
        grants: &[(
            "",
            "nodes/proxy",
            &["get", "create", "update", "patch", "delete", "connect"],
        )],
        needs_all: false,
    },
    Permission {
        check: CSR_APPROVAL,
        what: "approve certificate signing requests",
        grants: &[
            (
                "certificates.k8s.io",
                "certificatesigningrequests/approval",
                &["update", "patch"],
            ),
            ("certificates.k8s.io", "signers", &["approve"]),
        ],
        // Approving takes both halves: update on the approval subresource and approve
        // on the CSR's signer.
        needs_all: true,
    },
    Permission {
        check: WEBHOOK_CONFIG,
        what: "change admission webhook configurations",
        grants: &[
            (
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations",
                WRITE,
            ),
            (
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
                WRITE,
            ),
        ],
        needs_all: false,
    },
    Permission {
        check: TOKEN_CREATE,
        what: "create service account tokens",
        grants: &[("", "serviceaccounts/token", &["create"])],
        needs_all: false,
    },
];
