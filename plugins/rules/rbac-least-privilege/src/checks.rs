//! The rule's checks: what each reports, why, how to fix it, and the controls it
//! evidences. Every check shares [`RBAC_CONTROLS`]; the permission checks follow CIS
//! Kubernetes Benchmark section 5.1 item by item, and the two full-wildcard checks carry
//! the items of every permission a full wildcard grants in its reach.

use tollgate_sdk::framework::{CIS_KUBERNETES, ISO27001, NIST_800_53, SOC2};
use tollgate_sdk::{Check, ControlId, Severity, join};

/// What every check of the rule evidences: a configuration standard kept (SOC 2 CC7.1,
/// ISO A.8.9, NIST CM-6).
const RBAC_CONTROLS: [ControlId; 3] = [(SOC2, "CC7.1"), (ISO27001, "A.8.9"), (NIST_800_53, "CM-6")];

/// A permission that least privilege limits, with its CIS 5.1 item: access restricted to
/// what is needed (CC6.1, CC6.3, A.5.15, A.8.2, AC-3, AC-6).
const fn permission(cis: &'static str) -> [ControlId; 10] {
    join(
        RBAC_CONTROLS,
        [
            (SOC2, "CC6.1"),
            (SOC2, "CC6.3"),
            (ISO27001, "A.5.15"),
            (ISO27001, "A.8.2"),
            (CIS_KUBERNETES, cis),
            (NIST_800_53, "AC-3"),
            (NIST_800_53, "AC-6"),
        ],
    )
}

/// A permission that leads to privileged access over the cluster, with its CIS 5.1 item
/// (CC6.1, CC6.3, A.5.15, A.8.2, AC-6, AC-6(1)).
const fn privileged(cis: &'static str) -> [ControlId; 10] {
    join(
        RBAC_CONTROLS,
        [
            (SOC2, "CC6.1"),
            (SOC2, "CC6.3"),
            (ISO27001, "A.5.15"),
            (ISO27001, "A.8.2"),
            (CIS_KUBERNETES, cis),
            (NIST_800_53, "AC-6"),
            (NIST_800_53, "AC-6(1)"),
        ],
    )
}

/// Superuser rights handed out by a binding, with its CIS 5.1 item (CC6.1, CC6.3, A.5.18,
/// A.8.2, AC-6, AC-6(5)).
const fn superuser(cis: &'static str) -> [ControlId; 10] {
    join(
        RBAC_CONTROLS,
        [
            (SOC2, "CC6.1"),
            (SOC2, "CC6.3"),
            (ISO27001, "A.5.18"),
            (ISO27001, "A.8.2"),
            (CIS_KUBERNETES, cis),
            (NIST_800_53, "AC-6"),
            (NIST_800_53, "AC-6(5)"),
        ],
    )
}

/// A service account's API token, with its CIS 5.1 item: authentication information
/// (CC6.1, A.5.17, A.8.5, AC-6, IA-5).
const fn account_token(cis: &'static str) -> [ControlId; 9] {
    join(
        RBAC_CONTROLS,
        [
            (SOC2, "CC6.1"),
            (ISO27001, "A.5.17"),
            (ISO27001, "A.8.5"),
            (CIS_KUBERNETES, cis),
            (NIST_800_53, "AC-6"),
            (NIST_800_53, "IA-5"),
        ],
    )
}

const WILDCARD_CONTROLS: [ControlId; 11] = join(
    RBAC_CONTROLS,
    [
        (SOC2, "CC6.1"),
        (SOC2, "CC6.3"),
        (ISO27001, "A.5.15"),
        (ISO27001, "A.8.2"),
        (CIS_KUBERNETES, "5.1.3"),
        (NIST_800_53, "AC-3"),
        (NIST_800_53, "AC-6"),
        (NIST_800_53, "AC-6(5)"),
    ],
);
const SECRETS_READ_CONTROLS: [ControlId; 10] = join(
    RBAC_CONTROLS,
    [
        (SOC2, "CC6.1"),
        (SOC2, "CC6.3"),
        (ISO27001, "A.5.15"),
        (ISO27001, "A.8.3"),
        (CIS_KUBERNETES, "5.1.2"),
        (NIST_800_53, "AC-3"),
        (NIST_800_53, "AC-6"),
    ],
);
const ESCALATION_CONTROLS: [ControlId; 11] = join(
    RBAC_CONTROLS,
    [
        (SOC2, "CC6.1"),
        (SOC2, "CC6.3"),
        (ISO27001, "A.5.15"),
        (ISO27001, "A.8.2"),
        (CIS_KUBERNETES, "5.1.8"),
        (NIST_800_53, "AC-6"),
        (NIST_800_53, "AC-6(1)"),
        (NIST_800_53, "AC-6(10)"),
    ],
);
const ANONYMOUS_CONTROLS: [ControlId; 9] = join(
    RBAC_CONTROLS,
    [
        (SOC2, "CC6.1"),
        (SOC2, "CC6.3"),
        (ISO27001, "A.5.18"),
        (ISO27001, "A.8.5"),
        (NIST_800_53, "AC-6"),
        (NIST_800_53, "AC-14"),
    ],
);
/// A full wildcard within one namespace: the `wildcard` controls and those of every
/// permission it always grants there (`secrets-read`, `pod-create`,
/// `privilege-escalation-verbs`, `token-create`), so that none of their CIS items reads
/// satisfied while such a role stands. `grants` tests that this is exactly that union.
const NAMESPACE_FULL_WILDCARD_CONTROLS: [ControlId; 18] = join(
    RBAC_CONTROLS,
    [
        (SOC2, "CC6.1"),
        (SOC2, "CC6.3"),
        (ISO27001, "A.5.15"),
        (ISO27001, "A.8.2"),
        (ISO27001, "A.8.3"),
        (CIS_KUBERNETES, "5.1.2"),
        (CIS_KUBERNETES, "5.1.3"),
        (CIS_KUBERNETES, "5.1.4"),
        (CIS_KUBERNETES, "5.1.8"),
        (CIS_KUBERNETES, "5.1.13"),
        (NIST_800_53, "AC-3"),
        (NIST_800_53, "AC-6"),
        (NIST_800_53, "AC-6(1)"),
        (NIST_800_53, "AC-6(5)"),
        (NIST_800_53, "AC-6(10)"),
    ],
);
/// A full wildcard over the whole cluster: the namespace's controls and those of the
/// permissions on cluster-scoped resources (`persistentvolume-create`, `nodes-proxy`,
/// `csr-approval`, `webhook-config`).
const CLUSTER_FULL_WILDCARD_CONTROLS: [ControlId; 22] = join(
    NAMESPACE_FULL_WILDCARD_CONTROLS,
    [
        (CIS_KUBERNETES, "5.1.9"),
        (CIS_KUBERNETES, "5.1.10"),
        (CIS_KUBERNETES, "5.1.11"),
        (CIS_KUBERNETES, "5.1.12"),
    ],
);
const POD_CREATE_CONTROLS: [ControlId; 10] = permission("5.1.4");
const PERSISTENTVOLUME_CREATE_CONTROLS: [ControlId; 10] = permission("5.1.9");
const TOKEN_CREATE_CONTROLS: [ControlId; 10] = permission("5.1.13");
const NODES_PROXY_CONTROLS: [ControlId; 10] = privileged("5.1.10");
const CSR_APPROVAL_CONTROLS: [ControlId; 10] = privileged("5.1.11");
const WEBHOOK_CONFIG_CONTROLS: [ControlId; 10] = privileged("5.1.12");
const CLUSTER_ADMIN_CONTROLS: [ControlId; 10] = superuser("5.1.1");
const SYSTEM_MASTERS_CONTROLS: [ControlId; 10] = superuser("5.1.7");
const DEFAULT_SERVICE_ACCOUNT_CONTROLS: [ControlId; 9] = account_token("5.1.5");
const AUTOMOUNT_TOKEN_CONTROLS: [ControlId; 9] = account_token("5.1.6");

/// Narrow permissions to exact names: the remediation every permission check shares.
const NARROW: &str = "List the exact verbs, resources and API groups the role needs, and \
    bind it only to the subjects that need it; accept a justified case in the rule's \
    settings (`allow`).";

pub const WILDCARD: Check = Check {
    id: "wildcard",
    title: "A role grants '*' in verbs, resources or API groups",
    severity: Severity::High,
    rationale: "A wildcard grants every present and future verb, resource or API group, \
        including custom resources installed later: nobody can say what the role allows.",
    remediation: NARROW,
    controls: &WILDCARD_CONTROLS,
};
pub const NAMESPACE_FULL_WILDCARD: Check = Check {
    id: "namespace-full-wildcard",
    title: "A role grants '*' in verbs, resources and API groups within one namespace",
    severity: Severity::High,
    rationale: "'*' on every verb, resource and API group is full control of a namespace: \
        it reads every Secret, creates pods and service account tokens, and can bind, \
        escalate or impersonate, today and on any resource installed later. One finding \
        stands for all of these, so it breaks each of their controls.",
    remediation: NARROW,
    controls: &NAMESPACE_FULL_WILDCARD_CONTROLS,
};
/// Critical when the role also grants every non-resource URL (cluster-admin in all but
/// name).
pub const CLUSTER_FULL_WILDCARD: Check = Check {
    id: "cluster-full-wildcard",
    title: "A role grants '*' in verbs, resources and API groups across the cluster",
    severity: Severity::High,
    rationale: "'*' on every verb, resource and API group cluster-wide is full control \
        of the cluster: besides every namespace's Secrets, pods, tokens and bind, \
        escalate or impersonate, it creates PersistentVolumes, reaches the kubelet \
        through nodes/proxy, approves certificates and changes admission webhooks. One \
        finding stands for all of these, so it breaks each of their controls; with '*' \
        on every non-resource URL too the role is cluster-admin in all but name.",
    remediation: NARROW,
    controls: &CLUSTER_FULL_WILDCARD_CONTROLS,
};
pub const SECRETS_READ: Check = Check {
    id: "secrets-read",
    title: "A role can get, list or watch Secrets",
    severity: Severity::High,
    rationale: "Reading Secrets reveals every credential and token they hold, service \
        account tokens included, which leads to the privileges of their owners.",
    remediation: "Grant Secret access only by resourceNames, to the workloads that need \
        those Secrets; never list or watch them.",
    controls: &SECRETS_READ_CONTROLS,
};
pub const POD_CREATE: Check = Check {
    id: "pod-create",
    title: "A role can create pods or workloads that run them",
    severity: Severity::Medium,
    rationale: "Whoever creates a pod chooses its service account, volumes and host \
        access, so can act with any account of the namespace and read its Secrets.",
    remediation: NARROW,
    controls: &POD_CREATE_CONTROLS,
};
pub const PRIVILEGE_ESCALATION: Check = Check {
    id: "privilege-escalation-verbs",
    title: "A role can bind, escalate or impersonate",
    severity: Severity::High,
    rationale: "bind and escalate let a subject grant itself roles beyond its own; \
        impersonate lets it act as any user, group or service account.",
    remediation: "Keep bind, escalate and impersonate to the controllers that manage RBAC, \
        limited by resourceNames.",
    controls: &ESCALATION_CONTROLS,
};
pub const PERSISTENTVOLUME_CREATE: Check = Check {
    id: "persistentvolume-create",
    title: "A role can create PersistentVolumes",
    severity: Severity::Medium,
    rationale: "A PersistentVolume can be a hostPath, which exposes the node's file \
        system to the pods that claim it.",
    remediation: "Leave PersistentVolume creation to storage provisioners; let users \
        create PersistentVolumeClaims instead.",
    controls: &PERSISTENTVOLUME_CREATE_CONTROLS,
};
pub const NODES_PROXY: Check = Check {
    id: "nodes-proxy",
    title: "A role can reach the kubelet API through nodes/proxy",
    severity: Severity::High,
    rationale: "nodes/proxy reaches the kubelet API directly, which can run commands in \
        any pod of the node and bypasses the API server's audit and admission.",
    remediation: "Remove nodes/proxy from the role; monitoring agents need only \
        nodes/metrics or nodes/stats.",
    controls: &NODES_PROXY_CONTROLS,
};
pub const CSR_APPROVAL: Check = Check {
    id: "csr-approval",
    title: "A role can approve certificate signing requests",
    severity: Severity::High,
    rationale: "Approving a certificate signing request issues a client certificate for \
        any identity the signer allows, system:masters included.",
    remediation: "Keep CSR approval to the controllers that need it, limited to their \
        signers by resourceNames.",
    controls: &CSR_APPROVAL_CONTROLS,
};
pub const WEBHOOK_CONFIG: Check = Check {
    id: "webhook-config",
    title: "A role can change admission webhook configurations",
    severity: Severity::High,
    rationale: "Whoever changes admission webhooks can turn policy enforcement off or \
        send every object created in the cluster to a server of its choice.",
    remediation: "Keep write access to webhook configurations to the operators that \
        install them, limited by resourceNames.",
    controls: &WEBHOOK_CONFIG_CONTROLS,
};
pub const TOKEN_CREATE: Check = Check {
    id: "token-create",
    title: "A role can create service account tokens",
    severity: Severity::Medium,
    rationale: "Creating a token for a service account lets its holder act as that \
        account, with all of its permissions.",
    remediation: "Remove create on serviceaccounts/token, or limit it by resourceNames \
        to the accounts that need it.",
    controls: &TOKEN_CREATE_CONTROLS,
};
/// Critical through a ClusterRoleBinding; a RoleBinding's finding is High (one namespace).
pub const CLUSTER_ADMIN_BINDING: Check = Check {
    id: "cluster-admin-binding",
    title: "A binding gives the cluster-admin role",
    severity: Severity::Critical,
    rationale: "cluster-admin is full control: of the whole cluster through a \
        ClusterRoleBinding, of one namespace and its Secrets through a RoleBinding.",
    remediation: "Bind a role with only the permissions the subject needs instead of \
        cluster-admin.",
    controls: &CLUSTER_ADMIN_CONTROLS,
};
pub const SYSTEM_MASTERS: Check = Check {
    id: "system-masters",
    title: "A binding names the group system:masters",
    severity: Severity::Critical,
    rationale: "Members of system:masters bypass RBAC entirely, and their access cannot \
        be revoked by removing a binding.",
    remediation: "Bind named users or groups to the roles they need; never use \
        system:masters outside break-glass access.",
    controls: &SYSTEM_MASTERS_CONTROLS,
};
pub const ANONYMOUS_BINDING: Check = Check {
    id: "anonymous-binding",
    title: "A binding gives a role to anonymous or all authenticated users",
    severity: Severity::High,
    rationale: "system:anonymous and system:unauthenticated are anyone who can reach the \
        API server; system:authenticated is anyone with any identity.",
    remediation: "Bind the role to the users, groups or service accounts that need it.",
    controls: &ANONYMOUS_CONTROLS,
};
pub const DEFAULT_SERVICE_ACCOUNT: Check = Check {
    id: "default-service-account",
    title: "The default service account is used, bound or mounts its token",
    severity: Severity::Low,
    rationale: "Every pod without its own account runs as its namespace's default account, \
        so rights given to it reach every such pod, and its token is an API credential.",
    remediation: "Give each workload its own ServiceAccount, bind no role to default, and \
        set automountServiceAccountToken: false on default.",
    controls: &DEFAULT_SERVICE_ACCOUNT_CONTROLS,
};
pub const AUTOMOUNT_TOKEN: Check = Check {
    id: "automount-token",
    title: "A workload mounts an API token it does not need",
    severity: Severity::Low,
    rationale: "A mounted service account token is an API credential that anyone who \
        compromises the pod can use.",
    remediation: "Set automountServiceAccountToken: false on the pod or its account \
        unless the workload calls the API.",
    controls: &AUTOMOUNT_TOKEN_CONTROLS,
};

/// The checks on a role's permissions: they judge Roles and ClusterRoles.
pub const ROLE_CHECKS: [Check; 11] = [
    WILDCARD,
    NAMESPACE_FULL_WILDCARD,
    CLUSTER_FULL_WILDCARD,
    SECRETS_READ,
    POD_CREATE,
    PRIVILEGE_ESCALATION,
    PERSISTENTVOLUME_CREATE,
    NODES_PROXY,
    CSR_APPROVAL,
    WEBHOOK_CONFIG,
    TOKEN_CREATE,
];
/// The checks on bindings: they judge RoleBindings and ClusterRoleBindings.
pub const BINDING_CHECKS: [Check; 3] = [CLUSTER_ADMIN_BINDING, SYSTEM_MASTERS, ANONYMOUS_BINDING];
