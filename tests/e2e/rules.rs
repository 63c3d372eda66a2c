//! Each rule on a violating and a compliant fixture, with the exact findings expected.

use pretty_assertions::assert_eq;

use crate::util::{config_maps, control, findings, scan_json, scan_json_in};

/// One test per fixture: the rule, the input, and every finding expected, exactly.
macro_rules! fixtures {
    ($($name:ident: $rule:expr, $path:expr, $expected:expr;)*) => {
        $(
            #[test]
            fn $name() {
                rule_fixture($rule, $path, $expected);
            }
        )*
    };
}

fixtures! {
    tls_violating: "tls-min-version", "tls/violating.yaml", &[
        "tls-min-version/weak-protocol tls/violating.yaml:7 Ingress web/shop",
        "tls-min-version/weak-protocol tls/violating.yaml:23 ConfigMap ingress-nginx/ingress-nginx-controller",
        "tls-min-version/apiserver-cipher-suites tls/violating.yaml:35 Pod kube-system/kube-apiserver",
        "tls-min-version/weak-protocol tls/violating.yaml:38 Pod kube-system/kube-apiserver",
        "tls-min-version/kubelet-cipher-suites tls/violating.yaml:40 KubeletConfiguration",
        "tls-min-version/weak-protocol tls/violating.yaml:42 KubeletConfiguration",
        "tls-min-version/unknown-value tls/violating.yaml:50 Ingress web/legacy",
    ];
    tls_compliant: "tls-min-version", "tls/compliant.yaml", &[];
    tls_controllers_violating: "tls-min-version", "tls/controllers-violating.yaml", &[
        "tls-min-version/weak-protocol tls/controllers-violating.yaml:9 Ingress web/api",
        "tls-min-version/weak-protocol tls/controllers-violating.yaml:22 Ingress web/admin",
        "tls-min-version/weak-protocol tls/controllers-violating.yaml:34 Service web/edge",
        "tls-min-version/weak-protocol tls/controllers-violating.yaml:52 Gateway istio-system/public",
        "tls-min-version/weak-protocol tls/controllers-violating.yaml:60 TLSOption traefik/legacy",
        "tls-min-version/weak-ciphers tls/controllers-violating.yaml:63 TLSOption traefik/legacy",
        "tls-min-version/weak-protocol tls/controllers-violating.yaml:71 APIServer cluster",
        "tls-min-version/weak-ciphers tls/controllers-violating.yaml:80 ConfigMap ingress-nginx/ingress-nginx-controller",
        "tls-min-version/weak-ciphers tls/controllers-violating.yaml:100 Deployment shop-operator/controller-manager",
    ];
    tls_verification_violating: "tls-min-version", "tls/verification-violating.yaml", &[
        "tls-min-version/verification-disabled tls/verification-violating.yaml:8 APIService v1beta1.metrics.k8s.io",
        "tls-min-version/verification-disabled tls/verification-violating.yaml:19 Config",
        "tls-min-version/verification-disabled tls/verification-violating.yaml:28 ValidatingWebhookConfiguration policy",
        "tls-min-version/verification-disabled tls/verification-violating.yaml:42 DestinationRule shop/payments-api",
        "tls-min-version/verification-disabled tls/verification-violating.yaml:57 Deployment kube-system/metrics-server",
        "tls-min-version/verification-disabled tls/verification-violating.yaml:62 Deployment kube-system/metrics-server",
    ];
    tls_plaintext_violating: "tls-min-version", "tls/plaintext-violating.yaml", &[
        "tls-min-version/plaintext-ingress tls/plaintext-violating.yaml:7 Ingress web/shop",
        "tls-min-version/plaintext-ingress tls/plaintext-violating.yaml:15 Ingress web/shop",
    ];
    tls_real_world_compliant: "tls-min-version", "tls/real-world-compliant.yaml", &[];
    tls_knobs_compliant: "tls-min-version", "tls/knobs-compliant.yaml", &[];
    tls_monitoring_violating: "tls-min-version", "tls/monitoring-violating.yaml", &[
        "tls-min-version/verification-disabled tls/monitoring-violating.yaml:17 ServiceMonitor monitoring/kubelet",
        "tls-min-version/verification-disabled tls/monitoring-violating.yaml:32 PodMonitor monitoring/envoy",
        "tls-min-version/verification-disabled tls/monitoring-violating.yaml:47 Probe monitoring/shop-frontpage",
        "tls-min-version/verification-disabled tls/monitoring-violating.yaml:59 ConfigMap monitoring/prometheus-config",
        "tls-min-version/verification-disabled tls/monitoring-violating.yaml:79 Secret monitoring/additional-scrape-configs",
        "tls-min-version/verification-disabled tls/monitoring-violating.yaml:94 Secret monitoring/prometheus-k8s-additional",
    ];
    tls_monitoring_compliant: "tls-min-version", "tls/monitoring-compliant.yaml", &[];
    tls_edge_violating: "tls-min-version", "tls/edge-violating.yaml", &[
        "tls-min-version/plaintext-ingress tls/edge-violating.yaml:8 Route web/shop",
        "tls-min-version/plaintext-ingress tls/edge-violating.yaml:26 Route web/admin",
        "tls-min-version/plaintext-ingress tls/edge-violating.yaml:38 Gateway web/public",
        "tls-min-version/plaintext-ingress tls/edge-violating.yaml:58 Gateway web/partners",
        "tls-min-version/plaintext-ingress tls/edge-violating.yaml:83 Service web/storefront",
    ];
    tls_edge_compliant: "tls-min-version", "tls/edge-compliant.yaml", &[];
    tls_ciphers_unknown: "tls-min-version", "tls/ciphers-unknown.yaml", &[
        "tls-min-version/apiserver-cipher-suites tls/ciphers-unknown.yaml:13 Pod kube-system/kube-apiserver",
        "tls-min-version/unknown-value tls/ciphers-unknown.yaml:13 Pod kube-system/kube-apiserver",
        "tls-min-version/kubelet-cipher-suites tls/ciphers-unknown.yaml:20 KubeletConfiguration",
        "tls-min-version/unknown-value tls/ciphers-unknown.yaml:20 KubeletConfiguration",
    ];
    tls_cis_apiserver_unset: "tls-min-version", "tls/cis-ciphers/apiserver-unset.yaml", &[
        "tls-min-version/apiserver-cipher-suites tls/cis-ciphers/apiserver-unset.yaml:11 Pod kube-system/kube-apiserver",
    ];
    tls_cis_apiserver_allowlisted: "tls-min-version", "tls/cis-ciphers/apiserver-allowlisted.yaml", &[];
    tls_cis_apiserver_outside: "tls-min-version", "tls/cis-ciphers/apiserver-outside.yaml", &[
        "tls-min-version/apiserver-cipher-suites tls/cis-ciphers/apiserver-outside.yaml:15 Pod kube-system/kube-apiserver",
    ];
    tls_cis_kubelet_unset: "tls-min-version", "tls/cis-ciphers/kubelet-unset.yaml", &[
        "tls-min-version/kubelet-cipher-suites tls/cis-ciphers/kubelet-unset.yaml:2 KubeletConfiguration",
    ];
    tls_cis_kubelet_allowlisted: "tls-min-version", "tls/cis-ciphers/kubelet-allowlisted.yaml", &[];
    tls_cis_kubelet_outside: "tls-min-version", "tls/cis-ciphers/kubelet-outside.yaml", &[
        "tls-min-version/kubelet-cipher-suites tls/cis-ciphers/kubelet-outside.yaml:21 DaemonSet kube-system/kubelet",
    ];
    tls_odd_objects: "tls-min-version", "tls/odd-objects.yaml", &[
        "tls-min-version/verification-disabled tls/odd-objects.yaml:26 Pod junk-containers",
        "tls-min-version/plaintext-ingress tls/odd-objects.yaml:29 Route web/bare",
        "tls-min-version/verification-disabled tls/odd-objects.yaml:45 ServiceMonitor monitoring/mixed",
    ];
    rbac_violating: "rbac-least-privilege", "rbac/violating.yaml", &[
        "rbac-least-privilege/pod-create rbac/violating.yaml:11 Role shop/deployer",
        "rbac-least-privilege/wildcard rbac/violating.yaml:12 Role shop/deployer",
        "rbac-least-privilege/secrets-read rbac/violating.yaml:20 ClusterRole secret-reader",
        "rbac-least-privilege/system-masters rbac/violating.yaml:32 ClusterRoleBinding ops-admin",
        "rbac-least-privilege/cluster-admin-binding rbac/violating.yaml:35 ClusterRoleBinding ops-admin",
    ];
    rbac_permissions_violating: "rbac-least-privilege", "rbac/permissions-violating.yaml", &[
        "rbac-least-privilege/pod-create rbac/permissions-violating.yaml:7 ClusterRole platform-operator",
        "rbac-least-privilege/persistentvolume-create rbac/permissions-violating.yaml:10 ClusterRole platform-operator",
        "rbac-least-privilege/privilege-escalation-verbs rbac/permissions-violating.yaml:13 ClusterRole platform-operator",
        "rbac-least-privilege/nodes-proxy rbac/permissions-violating.yaml:16 ClusterRole platform-operator",
        "rbac-least-privilege/csr-approval rbac/permissions-violating.yaml:19 ClusterRole platform-operator",
        "rbac-least-privilege/webhook-config rbac/permissions-violating.yaml:22 ClusterRole platform-operator",
        "rbac-least-privilege/token-create rbac/permissions-violating.yaml:25 ClusterRole platform-operator",
        "rbac-least-privilege/privilege-escalation-verbs rbac/permissions-violating.yaml:28 ClusterRole platform-operator",
        "rbac-least-privilege/anonymous-binding rbac/permissions-violating.yaml:44 ClusterRoleBinding public-status",
        "rbac-least-privilege/anonymous-binding rbac/permissions-violating.yaml:58 RoleBinding shop/everyone-views",
    ];
    rbac_cross_document_model: "rbac-least-privilege", "rbac/model", &[
        "rbac-least-privilege/pod-create rbac/model/bindings.yaml:38 RoleBinding shop/developers",
        "rbac-least-privilege/privilege-escalation-verbs rbac/model/bindings.yaml:38 RoleBinding shop/developers",
        "rbac-least-privilege/secrets-read rbac/model/bindings.yaml:38 RoleBinding shop/developers",
        "rbac-least-privilege/token-create rbac/model/bindings.yaml:38 RoleBinding shop/developers",
        "rbac-least-privilege/secrets-read rbac/model/roles.yaml:10 ClusterRole config-reader",
        "rbac-least-privilege/secrets-read rbac/model/roles.yaml:20 ClusterRole monitoring",
        "rbac-least-privilege/wildcard rbac/model/roles.yaml:20 ClusterRole monitoring",
        "rbac-least-privilege/secrets-read rbac/model/roles.yaml:35 ClusterRole metrics-scraper",
        "rbac-least-privilege/wildcard rbac/model/roles.yaml:35 ClusterRole metrics-scraper",
    ];
    rbac_compliant: "rbac-least-privilege", "rbac/compliant.yaml", &[];
    rbac_scope: "rbac-least-privilege", "rbac/scope.yaml", &[
        "rbac-least-privilege/secrets-read rbac/scope.yaml:16 Role shop/operator",
        "rbac-least-privilege/wildcard rbac/scope.yaml:16 Role shop/operator",
        "rbac-least-privilege/nodes-proxy rbac/scope.yaml:55 ClusterRole cluster-debugger",
        "rbac-least-privilege/wildcard rbac/scope.yaml:55 ClusterRole cluster-debugger",
        "rbac-least-privilege/csr-approval rbac/scope.yaml:58 ClusterRole cluster-debugger",
    ];
    rbac_wildcards: "rbac-least-privilege", "rbac/wildcards.yaml", &[
        "rbac-least-privilege/cluster-admin-binding rbac/wildcards.yaml:10 ClusterRole superuser",
        "rbac-least-privilege/cluster-full-wildcard rbac/wildcards.yaml:10 ClusterRole superuser",
        "rbac-least-privilege/namespace-full-wildcard rbac/wildcards.yaml:35 Role shop/everything",
        "rbac-least-privilege/wildcard rbac/wildcards.yaml:44 ClusterRole finalizer-editor",
    ];
    rbac_bindings: "rbac-least-privilege", "rbac/bindings.yaml", &[
        "rbac-least-privilege/cluster-admin-binding rbac/bindings.yaml:11 RoleBinding shop/shop-admins",
        "rbac-least-privilege/anonymous-binding rbac/bindings.yaml:25 ClusterRoleBinding system:viewer",
        "rbac-least-privilege/default-service-account rbac/bindings.yaml:60 ServiceAccount shop/default",
    ];
    rbac_same_role_in_two_files: "rbac-least-privilege", "rbac/duplicates", &[
        "rbac-least-privilege/pod-create rbac/duplicates/openshift.yaml:9 ClusterRole shop-operator",
        "rbac-least-privilege/wildcard rbac/duplicates/openshift.yaml:13 ClusterRole shop-operator",
        "rbac-least-privilege/automount-token rbac/duplicates/openshift.yaml:25 DeploymentConfig shop/shop-operator",
        "rbac-least-privilege/default-service-account rbac/duplicates/openshift.yaml:25 DeploymentConfig shop/shop-operator",
        "rbac-least-privilege/pod-create rbac/duplicates/plain.yaml:7 ClusterRole shop-operator",
    ];
    network_policy_violating: "network-policy", "network-policy/violating", &[
        "network-policy/pod-not-selected network-policy/violating/workloads.yaml:11 Deployment shop/web",
        "network-policy/namespace-without-policy network-policy/violating/workloads.yaml:18 Namespace billing",
    ];
    network_policy_other_engines: "network-policy", "network-policy/other-engines", &[
        "network-policy/allow-all network-policy/other-engines/policies.yaml:55 NetworkPolicy catalog/open",
        "network-policy/pod-not-selected network-policy/other-engines/workloads.yaml:72 Deployment catalog/indexer",
    ];
    network_policy_compliant: "network-policy", "network-policy/compliant", &[];
    network_policy_namespaces: "network-policy", "network-policy/namespaces", &[
        "network-policy/namespace-without-policy network-policy/namespaces/namespaces.yaml:14 Namespace billing",
    ];
    credentials_violating: "no-git-credentials", "credentials/violating.yaml", &[
        "no-git-credentials/plaintext-secret credentials/violating.yaml:7 Secret shop/db",
    ];
    credentials_compliant: "no-git-credentials", "credentials/compliant.yaml", &[];
}

/// One test per fixture: the status of CIS 1.2.29 (kube-apiserver) and 4.2.12 (kubelet)
/// when the TLS rule alone judges it, as kube-bench would.
macro_rules! cis_cipher_items {
    ($($name:ident: $path:expr, $apiserver:expr, $kubelet:expr;)*) => {
        $(
            #[test]
            fn $name() {
                cis_cipher_statuses($path, [$apiserver, $kubelet]);
            }
        )*
    };
}

cis_cipher_items! {
    cis_1_2_29_fails_without_the_flag: "tls/cis-ciphers/apiserver-unset.yaml", "not-satisfied", "not-assessed";
    cis_1_2_29_holds_with_allowlisted_suites: "tls/cis-ciphers/apiserver-allowlisted.yaml", "satisfied", "not-assessed";
    cis_1_2_29_fails_with_a_suite_off_the_list: "tls/cis-ciphers/apiserver-outside.yaml", "not-satisfied", "not-assessed";
    cis_1_2_29_fails_with_an_unknown_suite: "tls/ciphers-unknown.yaml", "not-satisfied", "not-satisfied";
    cis_4_2_12_fails_without_tls_cipher_suites: "tls/cis-ciphers/kubelet-unset.yaml", "not-assessed", "not-satisfied";
    cis_4_2_12_holds_with_allowlisted_suites: "tls/cis-ciphers/kubelet-allowlisted.yaml", "not-assessed", "satisfied";
    cis_4_2_12_fails_with_a_suite_off_the_list: "tls/cis-ciphers/kubelet-outside.yaml", "not-assessed", "not-satisfied";
    cis_cipher_items_not_assessed_without_apiserver_or_kubelet: "tls/edge-compliant.yaml", "not-assessed", "not-assessed";
}

fn cis_cipher_statuses(path: &str, expected: [&str; 2]) {
    let (_, report) = scan_json(&[path, "--rule", "tls-min-version"]);
    let status = |id: &str| {
        control(&report, "cis-kubernetes", id)["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!([status("1.2.29"), status("4.2.12")], expected);
}

#[test]
fn cis_cipher_findings_say_what_is_missing_and_map_to_their_components_item() {
    let (_, report) = scan_json(&["tls/violating.yaml", "--rule", "tls-min-version"]);
    let control_ids = |finding: &serde_json::Value| -> Vec<String> {
        let controls = finding["controls"].as_array().unwrap().iter();
        controls
            .map(|c| {
                format!(
                    "{} {}",
                    c["framework"].as_str().unwrap(),
                    c["id"].as_str().unwrap()
                )
            })
            .collect()
    };
    let tls = |cis: &'static str| {
        [
            "soc2 CC6.7",
            "soc2 CC7.1",
            "iso27001 A.5.14",
            "iso27001 A.8.9",
            "iso27001 A.8.21",
            "iso27001 A.8.24",
            cis,
            "nist-800-53 CM-6",
            "nist-800-53 SC-8",
            "nist-800-53 SC-8(1)",
            "nist-800-53 SC-13",
        ]
    };
    let apiserver = &report["findings"][2];
    assert_eq!(apiserver["check"], "apiserver-cipher-suites");
    assert_eq!(apiserver["severity"], "low");
    assert_eq!(
        apiserver["location"]["pointer"],
        "/spec/containers/0/command"
    );
    assert_eq!(control_ids(apiserver), tls("cis-kubernetes 1.2.29"));
    assert_eq!(
        apiserver["message"],
        "Pod kube-system/kube-apiserver: container kube-apiserver --tls-cipher-suites lists no suites, so Go's defaults are served, which CIS 1.2.29 does not accept; set it to suites of the CIS list (TLS 1.3 suites, and ECDHE suites with AES-GCM or ChaCha20-Poly1305)"
    );
    let kubelet = &report["findings"][4];
    assert_eq!(kubelet["location"]["pointer"], "");
    assert_eq!(kubelet["check"], "kubelet-cipher-suites");
    assert_eq!(control_ids(kubelet), tls("cis-kubernetes 4.2.12"));
    assert_eq!(
        kubelet["message"],
        "KubeletConfiguration: tlsCipherSuites lists no suites, so Go's defaults are served, which CIS 4.2.12 does not accept; set it to suites of the CIS list (ECDHE suites with AES-GCM or ChaCha20-Poly1305)"
    );
}

fn rule_fixture(rule: &str, path: &str, expected: &[&str]) {
    let (code, report) = scan_json(&[path, "--rule", rule]);
    assert_eq!(findings(&report), expected);
    assert_eq!(code, if expected.is_empty() { 0 } else { 1 });
    assert_eq!(report["errors"], serde_json::json!([]));
}

#[test]
fn findings_carry_their_controls_and_rule_metadata() {
    let (_, report) = scan_json(&["tls/violating.yaml", "--rule", "tls-min-version"]);
    let apiserver = &report["findings"][3];
    assert_eq!(
        apiserver["location"]["pointer"],
        "/spec/containers/0/command/2"
    );
    assert_eq!(apiserver["severity"], "high");
    let controls: Vec<String> = apiserver["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["framework"].as_str().unwrap(),
                c["id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        controls,
        [
            "soc2 CC6.7",
            "soc2 CC7.1",
            "iso27001 A.5.14",
            "iso27001 A.8.9",
            "iso27001 A.8.21",
            "iso27001 A.8.24",
            "nist-800-53 CM-6",
            "nist-800-53 SC-8",
            "nist-800-53 SC-8(1)",
            "nist-800-53 SC-13"
        ]
    );
    assert_eq!(
        apiserver["message"],
        "Pod kube-system/kube-apiserver: container kube-apiserver --tls-min-version is VersionTLS11 (TLS 1.1), below TLS 1.2; set it to VersionTLS12 or newer (TLS1.2 for etcd)"
    );
    let rules = report["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["status"], "fail");
    assert_eq!(rules[0]["findings"], 7);
    assert_eq!(rules[0]["source"], "builtin");
    assert_eq!(rules[0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn policies_and_workloads_in_different_files_are_judged_together() {
    // Each file alone would say something else: the workloads file has no policy at all.
    let (_, alone) = scan_json(&[
        "network-policy/compliant/workloads.yaml",
        "--rule",
        "network-policy",
    ]);
    assert_eq!(
        findings(&alone),
        [
            "network-policy/namespace-without-policy network-policy/compliant/workloads.yaml:1 Deployment shop/web",
            "network-policy/namespace-without-policy network-policy/compliant/workloads.yaml:19 CronJob billing/report",
        ]
    );
    let (code, together) = scan_json(&["network-policy/compliant", "--rule", "network-policy"]);
    assert_eq!(findings(&together), Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn fingerprints_survive_lines_moving() {
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(crate::util::fixtures().join("rbac/violating.yaml")).unwrap();
    let moved = dir.path().join("moved.yaml");
    std::fs::write(&moved, format!("# a comment\n\n{original}")).unwrap();
    let (_, before) = scan_json(&["rbac/violating.yaml"]);
    let (_, after) = scan_json(&[moved.to_str().unwrap()]);
    let prints = |r: &serde_json::Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(prints(&before), prints(&after));
    assert_eq!(after["findings"][0]["location"]["line"], 13);
}

/// Objects the API server names (sync hooks with `generateName`) are told apart by their
/// prefix: the same finding in two of them is two fingerprints, so a baseline taken before
/// the second hook existed does not hide its finding.
#[test]
fn objects_named_by_the_server_have_fingerprints_of_their_own() {
    let prints = |report: &serde_json::Value| -> Vec<String> {
        let findings = report["findings"].as_array().unwrap().iter();
        findings
            .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
            .collect()
    };
    let hooks =
        std::fs::read_to_string(crate::util::fixtures().join("hooks/sync-hooks.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |text: &str| std::fs::write(dir.path().join("hooks.yaml"), text).unwrap();
    let scan = |extra: &[&str]| {
        let args = [&["hooks.yaml", "--rule", "tls-min-version"], extra].concat();
        scan_json_in(dir.path(), &args)
    };

    let (_, both) = scan_json(&["hooks", "--rule", "tls-min-version"]);
    // Messages name them by their prefix too.
    let message = both["findings"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("Job shop/db-migrate-*: "), "{message}");
    let both = prints(&both);
    assert!(both.len() == 2 && both[0] != both[1], "{both:?}");

    let (first_hook, _) = hooks.split_once("\n---\n").unwrap();
    write(first_hook);
    let baseline = dir.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    let run = crate::util::run(&[
        "baseline",
        dir.path().join("hooks.yaml").to_str().unwrap(),
        "--rule",
        "tls-min-version",
        "-o",
        baseline,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    write(&hooks);
    let (code, report) = scan(&["--baseline", baseline]);
    assert_eq!(code, 1);
    let waived: Vec<(u64, &serde_json::Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap(),
                &f["waiver"]["source"],
            )
        })
        .collect();
    assert_eq!(
        waived,
        [(18, &"baseline".into()), (36, &serde_json::Value::Null)]
    );
}

/// A baseline accepts the findings it holds, one each: the same object copied into a new
/// file (a second install bundle) is reported there as new.
#[test]
fn a_baseline_does_not_accept_a_copy_in_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let admins =
        std::fs::read_to_string(crate::util::fixtures().join("diff/new/admins.yaml")).unwrap();
    std::fs::write(dir.path().join("install.yaml"), &admins).unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    let rule = ["--rule", "rbac-least-privilege"];
    let run = crate::util::run(
        &[
            &["baseline", dir.path().to_str().unwrap(), "-o", baseline][..],
            &rule,
        ]
        .concat(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(dir.path().join("install-ha.yaml"), &admins).unwrap();
    let (code, report) = scan_json(
        &[
            &[dir.path().to_str().unwrap(), "--baseline", baseline][..],
            &rule,
        ]
        .concat(),
    );
    assert_eq!(code, 1);
    let waived: Vec<(String, &serde_json::Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["location"]["file"].as_str().unwrap();
            (
                file.rsplit('/').next().unwrap().to_owned(),
                &f["waiver"]["source"],
            )
        })
        .collect();
    assert_eq!(
        waived,
        [
            ("install-ha.yaml".to_owned(), &serde_json::Value::Null),
            ("install.yaml".to_owned(), &"baseline".into())
        ]
    );
}

#[test]
fn rbac_findings_name_who_holds_the_permission() {
    let (_, report) = scan_json(&["rbac/model", "--rule", "rbac-least-privilege"]);
    let message = |i: usize| {
        report["findings"][i]["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        message(4),
        "ClusterRole config-reader rule #2 can read Secrets (get on secrets). Held by ServiceAccount shop/api (run by Deployment shop/api) via RoleBinding shop/api-config."
    );
    assert_eq!(
        message(6),
        "ClusterRole monitoring aggregates ClusterRole metrics-scraper rule #2, which grants '*' in resources, '*' in apiGroups. Held by ServiceAccount monitoring/prometheus (run by StatefulSet monitoring/prometheus) via ClusterRoleBinding prometheus."
    );
    // Unbound roles are still reported, one severity lower.
    let (_, unbound) = scan_json(&["rbac/violating.yaml", "--rule", "rbac-least-privilege"]);
    assert_eq!(unbound["findings"][1]["check"], "wildcard");
    assert_eq!(unbound["findings"][1]["severity"], "medium");
}

#[test]
fn partial_and_odd_objects_never_sink_a_rule() {
    let (code, report) = scan_json(&[
        "rbac/odd-objects.yaml",
        "--rule",
        "rbac-least-privilege",
        "--rule",
        "network-policy",
    ]);
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(
        findings(&report),
        [
            "rbac-least-privilege/automount-token rbac/odd-objects.yaml:8 Deployment shop/no-pod-spec",
            "rbac-least-privilege/default-service-account rbac/odd-objects.yaml:8 Deployment shop/no-pod-spec",
            "network-policy/pod-not-selected rbac/odd-objects.yaml:10 Deployment shop/no-pod-spec",
            "network-policy/pod-not-selected rbac/odd-objects.yaml:29 CronJob shop/no-containers",
            "rbac-least-privilege/automount-token rbac/odd-objects.yaml:30 CronJob shop/no-containers",
            "network-policy/pod-not-selected rbac/odd-objects.yaml:33 Pod shop/text-spec",
            "rbac-least-privilege/automount-token rbac/odd-objects.yaml:38 Pod shop/text-spec",
            "rbac-least-privilege/default-service-account rbac/odd-objects.yaml:38 Pod shop/text-spec",
        ]
    );
    // A pod template without a spec is located at the template, which exists.
    assert_eq!(
        report["findings"][0]["location"]["pointer"],
        "/spec/template"
    );
    assert_eq!(code, 1);
    let errors: Vec<&str> = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "error")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(errors, Vec::<&str>::new());
}

#[test]
fn rbac_findings_say_how_far_a_grant_reaches() {
    let (_, report) = scan_json(&[
        "rbac/wildcards.yaml",
        "rbac/bindings.yaml",
        "--rule",
        "rbac-least-privilege",
    ]);
    let by_line = |file: &str, line: u64, check: &str| {
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["location"]["file"] == file
                    && f["location"]["line"] == line
                    && f["check"] == check
            })
            .unwrap_or_else(|| panic!("no {check} finding at {file}:{line}"));
        let cis: Vec<&str> = finding["controls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["framework"] == "cis-kubernetes")
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        (
            finding["severity"].as_str().unwrap().to_owned(),
            finding["message"].as_str().unwrap().to_owned(),
            cis.join(" "),
        )
    };
    let (severity, message, cis) = by_line("rbac/wildcards.yaml", 10, "cluster-full-wildcard");
    assert_eq!(severity, "critical");
    assert_eq!(
        message,
        "ClusterRole superuser rule #1 is cluster-admin in all but name: with '*' on every non-resource URL it grants every verb on every resource in every API group ('*' in apiGroups, resources and verbs), so it can read Secrets; create pods or workloads that run them; bind, escalate or impersonate; create PersistentVolumes, which can mount host paths; reach the kubelet API through nodes/proxy, bypassing audit; approve certificate signing requests; change admission webhook configurations; create service account tokens. Held by ServiceAccount ci/deployer via ClusterRoleBinding superuser."
    );
    assert_eq!(
        cis,
        "5.1.2 5.1.3 5.1.4 5.1.8 5.1.9 5.1.10 5.1.11 5.1.12 5.1.13"
    );
    let (severity, message, cis) = by_line("rbac/wildcards.yaml", 10, "cluster-admin-binding");
    assert_eq!((severity.as_str(), cis.as_str()), ("critical", "5.1.1"));
    assert_eq!(
        message,
        "ClusterRole superuser rule #1 is cluster-admin in all but name, so it gives full control of the cluster. Held by ServiceAccount ci/deployer via ClusterRoleBinding superuser."
    );
    let (severity, message, cis) = by_line("rbac/wildcards.yaml", 35, "namespace-full-wildcard");
    assert_eq!(
        (severity.as_str(), cis.as_str()),
        ("medium", "5.1.2 5.1.3 5.1.4 5.1.8 5.1.13")
    );
    assert_eq!(
        message,
        "Role shop/everything rule #1 grants every verb on every namespaced resource of its namespace ('*' in apiGroups, resources and verbs), so it can read Secrets; create pods or workloads that run them; bind, escalate or impersonate; create service account tokens. No binding in the scanned manifests grants this role."
    );
    let (severity, message, _) = by_line("rbac/wildcards.yaml", 44, "wildcard");
    assert_eq!(severity, "medium");
    assert_eq!(
        message,
        "ClusterRole finalizer-editor rule #1 grants '*/finalizers' in resources, '*' in apiGroups. No binding in the scanned manifests grants this role."
    );
    let (severity, message, cis) = by_line("rbac/bindings.yaml", 11, "cluster-admin-binding");
    // One namespace, so high; still a use of cluster-admin, so CIS 5.1.1 (contract 0.3:
    // a finding breaks exactly its check's controls).
    assert_eq!((severity.as_str(), cis.as_str()), ("high", "5.1.1"));
    assert_eq!(
        message,
        "RoleBinding shop/shop-admins gives cluster-admin within namespace shop to Group shop-admins: full control of every object there, its Secrets included; bind a role with only the permissions it needs"
    );
    let (severity, _, cis) = by_line("rbac/bindings.yaml", 60, "default-service-account");
    assert_eq!((severity.as_str(), cis.as_str()), ("low", "5.1.5"));
}

/// The rules that judge each object as its batch arrives (the host hands the set over 1,024
/// documents at a time) find what lies past the first batch at its own line.
#[test]
fn rules_judging_each_object_see_past_the_first_batch() {
    let dir = tempfile::tempdir().unwrap();
    // Lines 10501 on: a Secret holding data in plain text, an Ingress served in plain text
    // (its host, at line 10517).
    let yaml = config_maps(1500)
        + "---
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: web
data:
  token: c2VjcmV0
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: web
spec:
  rules:
  - host: shop.example.com
";
    std::fs::write(dir.path().join("estate.yaml"), yaml).unwrap();
    let rules = ["--rule", "tls-min-version", "--rule", "no-git-credentials"];
    let (code, report) = scan_json_in(dir.path(), &[&["estate.yaml"], &rules[..]].concat());
    assert_eq!(report["summary"]["objects"], 1502);
    assert_eq!(
        findings(&report),
        [
            "no-git-credentials/plaintext-secret estate.yaml:10507 Secret web/db",
            "tls-min-version/plaintext-ingress estate.yaml:10517 Ingress web/shop",
        ]
    );
    assert_eq!(code, 1);
}
