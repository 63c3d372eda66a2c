//! Permissions CIS Kubernetes Benchmark section 5.1 asks to keep to a minimum, as data:
//! each sub-check and the (API group, resource, verbs) grants that trigger it, and which
//! of those resources are cluster-scoped.

use tollgate_sdk::Check;

use crate::checks::{
    CSR_APPROVAL, NODES_PROXY, PERSISTENTVOLUME_CREATE, POD_CREATE, PRIVILEGE_ESCALATION,
    SECRETS_READ, TOKEN_CREATE, WEBHOOK_CONFIG,
};

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
