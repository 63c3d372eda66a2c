//! The command line: exit codes, standard input, the text format, `tollgate rules`.

use std::io::Write;

use pretty_assertions::assert_eq;

use crate::util::{findings, fixtures, run, scan_json, tollgate};

/// One test per row: the arguments and the exit code they must give.
macro_rules! exit_codes {
    ($($name:ident: $args:expr, $code:expr;)*) => {
        $(
            #[test]
            fn $name() {
                exit_code($args, $code);
            }
        )*
    };
}

exit_codes! {
    compliant: &["scan", "tls/compliant.yaml", "rbac/compliant.yaml", "--skip-rule", "rbac-least-privilege"], 0;
    with_findings: &["scan", "rbac/violating.yaml"], 1;
    below_fail_on: &["scan", "network-policy/violating", "--fail-on", "high"], 0;
    at_fail_on: &["scan", "network-policy/violating", "--fail-on", "medium"], 1;
    fail_on_never: &["scan", "rbac/violating.yaml", "--fail-on", "never"], 0;
    invalid_yaml: &["scan", "input/invalid.yaml"], 2;
    missing_path: &["scan", "no/such/file.yaml"], 2;
    unknown_rule: &["scan", "rbac/violating.yaml", "--rule", "no-such-rule"], 2;
    unknown_flag: &["scan", "--no-such-flag"], 2;
    bad_severity: &["scan", "--fail-on", "severe"], 2;
    help: &["scan", "--help"], 0;
}

fn exit_code(args: &[&str], expected: i32) {
    let run = run(args);
    assert_eq!(
        run.code, expected,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
}

#[test]
fn standard_input_is_read_with_dash() {
    let manifest = std::fs::read(fixtures().join("rbac/violating.yaml")).unwrap();
    let output = tollgate()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(manifest)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        findings(&report),
        [
            "rbac-least-privilege/pod-create <stdin>:11 Role shop/deployer",
            "rbac-least-privilege/wildcard <stdin>:12 Role shop/deployer",
            "rbac-least-privilege/secrets-read <stdin>:20 ClusterRole secret-reader",
            "rbac-least-privilege/system-masters <stdin>:32 ClusterRoleBinding ops-admin",
            "rbac-least-privilege/cluster-admin-binding <stdin>:35 ClusterRoleBinding ops-admin",
        ]
    );
    assert_eq!(report["inputs"][0]["path"], "<stdin>");
}

#[test]
fn text_report_is_grouped_by_rule_with_a_summary() {
    let run = run(&["scan", "rbac/violating.yaml", "network-policy/violating"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "\
network-policy — Cover every workload with a NetworkPolicy
  medium   network-policy/violating/workloads.yaml:11  Deployment shop/web  [pod-not-selected]
           Deployment shop/web: no policy restricting ingress in namespace shop selects its pods
  medium   network-policy/violating/workloads.yaml:18  Namespace billing  [namespace-without-policy]
           namespace billing runs CronJob billing/report but has no NetworkPolicy; its pods accept any traffic

rbac-least-privilege — Grant no RBAC permission beyond what is needed
  low      rbac/violating.yaml:11  Role shop/deployer  [pod-create]
           Role shop/deployer rule #2 can create pods or workloads that run them (create on deployments). No binding in the scanned manifests grants this role.
  medium   rbac/violating.yaml:12  Role shop/deployer  [wildcard]
           Role shop/deployer rule #2 grants '*' in verbs. No binding in the scanned manifests grants this role.
  medium   rbac/violating.yaml:20  ClusterRole secret-reader  [secrets-read]
           ClusterRole secret-reader rule #1 can read Secrets (get, watch, list on secrets). No binding in the scanned manifests grants this role.
  critical rbac/violating.yaml:32  ClusterRoleBinding ops-admin  [system-masters]
           ClusterRoleBinding ops-admin binds the group system:masters, whose members bypass RBAC entirely; bind named users or groups instead
  critical rbac/violating.yaml:35  ClusterRoleBinding ops-admin  [cluster-admin-binding]
           ClusterRoleBinding ops-admin gives cluster-admin to User alice@example.com; bind a role with only the permissions it needs
  low      network-policy/violating/workloads.yaml:13  Deployment shop/web  [automount-token]
           Deployment shop/web mounts the API token of ServiceAccount shop/default, which no binding grants anything; set automountServiceAccountToken: false
  low      network-policy/violating/workloads.yaml:13  Deployment shop/web  [default-service-account]
           Deployment shop/web runs as the default ServiceAccount of shop; set serviceAccountName to a dedicated account
  low      network-policy/violating/workloads.yaml:36  CronJob billing/report  [automount-token]
           CronJob billing/report mounts the API token of ServiceAccount billing/default, which no binding grants anything; set automountServiceAccountToken: false
  low      network-policy/violating/workloads.yaml:36  CronJob billing/report  [default-service-account]
           CronJob billing/report runs as the default ServiceAccount of billing; set serviceAccountName to a dedicated account

controls
  soc2            4 not-satisfied, 5 not-assessed
                  AICPA SOC 2 Trust Services Criteria (2017, revised points of focus 2022)
  iso27001        9 not-satisfied, 1 partial, 3 satisfied, 4 not-assessed
                  ISO/IEC 27001:2022 Annex A
  cis-kubernetes  8 not-satisfied, 6 satisfied, 4 not-assessed
                  CIS Kubernetes Benchmark v1.12 (ids also valid for v1.9-v1.11)
  nist-800-53     7 not-satisfied, 5 satisfied, 4 not-assessed
                  NIST SP 800-53 Rev. 5 (Security and Privacy Controls for Information Systems and Organizations)

passed: no-git-credentials, tls-min-version
FAIL  4 rules over 8 objects in 3 files: 11 findings (2 critical, 4 medium, 5 low)
"
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn output_file_gets_the_report_and_stderr_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let run = run(&[
        "scan",
        "credentials/violating.yaml",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "FAIL  4 rules over 1 object in 1 file: 1 finding (1 high)\n"
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["tool"]["name"], "tollgate");
    assert_eq!(report["summary"]["outcome"], "fail");
    assert_eq!(report["summary"]["exit_code"], 1);
}

#[test]
fn report_records_input_digests() {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(fixtures().join("credentials/violating.yaml")).unwrap();
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let (_, report) = scan_json(&["credentials/violating.yaml"]);
    assert_eq!(
        report["inputs"],
        serde_json::json!([{"path": "credentials/violating.yaml", "sha256": digest, "bytes": bytes.len(), "objects": 1}])
    );
}

#[test]
fn rule_selection_and_namespace_default() {
    let (_, report) = scan_json(&[
        "network-policy/violating",
        "--skip-rule",
        "network-policy",
        "--skip-rule",
        "rbac-least-privilege",
    ]);
    assert_eq!(findings(&report), Vec::<String>::new());
    assert_eq!(report["summary"]["rules"], 2);

    // A workload without a namespace lands in --namespace.
    let mut file = tempfile::NamedTempFile::with_suffix(".yaml").unwrap();
    writeln!(
        file,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: lonely\nspec:\n  containers: []"
    )
    .unwrap();
    let (_, report) = scan_json(&[
        file.path().to_str().unwrap(),
        "--rule",
        "network-policy",
        "-n",
        "team-a",
    ]);
    assert_eq!(
        report["findings"][0]["message"],
        "namespace team-a runs Pod lonely but has no NetworkPolicy; its pods accept any traffic"
    );
}

#[test]
fn rules_lists_every_rule_with_its_checks() {
    let run = run(&["rules", "--format", "json"]);
    assert_eq!(run.code, 0);
    let listing: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = listing["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "network-policy",
            "no-git-credentials",
            "rbac-least-privilege",
            "tls-min-version"
        ]
    );
    let control = |framework: &str, id: &str| serde_json::json!({"framework": framework, "id": id});
    let check = &listing["rules"][0]["checks"][0];
    assert_eq!(
        (&check["id"], &check["severity"], &check["controls"]),
        (
            &serde_json::json!("namespace-without-policy"),
            &serde_json::json!("medium"),
            &serde_json::json!([
                control("soc2", "CC6.1"),
                control("soc2", "CC6.6"),
                control("soc2", "CC7.1"),
                control("iso27001", "A.8.9"),
                control("iso27001", "A.8.20"),
                control("iso27001", "A.8.22"),
                control("cis-kubernetes", "5.3.2"),
                control("nist-800-53", "AC-4"),
                control("nist-800-53", "CM-6"),
                control("nist-800-53", "SC-7"),
            ])
        )
    );
    let text = run_text();
    assert!(
        text.starts_with(
            "network-policy 0.2.0  Cover every workload with a NetworkPolicy\n  \
             namespace-without-policy     medium   A namespace runs workloads that no network policy applies to\n"
        ),
        "{text}"
    );
}

fn run_text() -> String {
    let run = run(&["rules"]);
    assert_eq!(run.code, 0);
    run.stdout
}

#[test]
fn frameworks_name_the_cis_benchmark_version() {
    let cis = "CIS Kubernetes Benchmark v1.12 (ids also valid for v1.9-v1.11)";
    let text = run(&["frameworks"]);
    assert_eq!(text.code, 0);
    // Each framework's heading, up to its coverage count (which follows the rules' mappings).
    let headings: Vec<&str> = text
        .stdout
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with(' '))
        .filter_map(|line| line.split_once(": ").map(|(heading, _)| heading))
        .collect();
    assert_eq!(
        headings,
        [
            "soc2 — AICPA SOC 2 Trust Services Criteria (2017, revised points of focus 2022)",
            "iso27001 — ISO/IEC 27001:2022 Annex A",
            &format!("cis-kubernetes — {cis}"),
            "nist-800-53 — NIST SP 800-53 Rev. 5 (Security and Privacy Controls for Information Systems and Organizations)",
        ]
    );
    let json = run(&["frameworks", "--format", "json"]);
    assert_eq!(json.code, 0);
    let listing: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let frameworks = listing["frameworks"].as_array().unwrap();
    assert_eq!(frameworks[2]["framework"], "cis-kubernetes");
    assert_eq!(frameworks[2]["title"], cis);
    // The titles kube-bench's cfg/cis-1.12 carries for the items the issue named.
    let title = |id: &str| {
        let controls = frameworks[2]["controls"].as_array().unwrap();
        let control = controls.iter().find(|c| c["id"] == id).unwrap();
        control["title"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        ["1.2.29", "4.2.12", "5.1.8", "5.1.11", "5.3.2", "5.4.1"].map(title),
        [
            "Ensure that the API Server only makes use of Strong Cryptographic Ciphers",
            "Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers",
            "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
            "Minimize access to the approval sub-resource of certificatesigningrequests objects",
            "Ensure that all Namespaces have NetworkPolicies defined",
            "Prefer using Secrets as files over Secrets as environment variables",
        ]
    );
}
