//! Real repositories' layouts (`tests/fixtures/estate/`): a directory walk judges what is
//! Kubernetes and skips the rest with the reason, names the Helm charts it cannot render,
//! builds kustomize trees (and reads them as written when it cannot), leaves out what the
//! user excludes, and stays strict for files named on the command line. Git modes keep
//! going past old or broken YAML.

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::git::Repo;
use crate::util::{Run, control, errors, findings, fixtures, scan_json, scan_json_in, tollgate};

/// `(path, reason)` of every skipped file.
fn skipped(report: &Value) -> Vec<(String, String)> {
    report["skipped"]
        .as_array()
        .expect("skipped array")
        .iter()
        .map(|s| {
            let text = |key: &str| s[key].as_str().unwrap().to_owned();
            (text("path"), text("reason"))
        })
        .collect()
}

/// `(path, kind)` of every notice.
fn notices(report: &Value) -> Vec<(String, String)> {
    report["notices"]
        .as_array()
        .map(|n| {
            n.iter()
                .map(|n| {
                    let text = |key: &str| n[key].as_str().unwrap().to_owned();
                    (text("path"), text("kind"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The status of one control, with its basis.
fn control_status(report: &Value, framework: &str, id: &str) -> (String, String) {
    let control = control(report, framework, id);
    let text = |key: &str| control[key].as_str().unwrap().to_owned();
    (text("status"), text("basis"))
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn a_walk_skips_what_is_not_kubernetes_and_names_the_chart_it_cannot_render() {
    let (code, report) = scan_json(&["estate/plain", "estate/chart"]);
    assert_eq!(code, 1);
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(
        skipped(&report),
        pairs(&[
            ("estate/plain/dashboards/shop.json", "not kubernetes"),
            ("estate/plain/openapi.yaml", "not kubernetes"),
            ("estate/plain/package.json", "not kubernetes"),
            ("estate/plain/prometheus.yml", "not kubernetes"),
            ("estate/plain/tsconfig.json", "not kubernetes"),
            ("estate/chart/Chart.yaml", "helm chart"),
            ("estate/chart/templates/deployment.yaml", "helm chart"),
            (
                "estate/chart/templates/tests/test-connection.yaml",
                "helm chart"
            ),
            ("estate/chart/values.schema.json", "helm chart"),
            ("estate/chart/values.yaml", "helm chart"),
        ])
    );
    assert_eq!(
        report["skipped"][0]["detail"],
        "the document is not a Kubernetes object: it has no apiVersion and no kind"
    );
    assert_eq!(notices(&report), pairs(&[("estate/chart", "helm-chart")]));
    assert_eq!(
        report["notices"][0]["message"],
        "Helm chart, not rendered: its templates were not judged as manifests (scan its output \
         with `helm template estate/chart | tollgate scan -`)"
    );
    // The DaemonSet whose args close at the key's indentation is read, and the ClusterRole
    // after it; both copies of the operator's ClusterRole are judged; the `$patch: delete`
    // document declares nothing; the chart's plain `crds/` are read.
    assert_eq!(
        findings(&report),
        [
            "network-policy/namespace-without-policy estate/plain/agent.yaml:3 DaemonSet monitoring/agent",
            "rbac-least-privilege/automount-token estate/plain/agent.yaml:14 DaemonSet monitoring/agent",
            "rbac-least-privilege/nodes-proxy estate/plain/agent.yaml:30 ClusterRole agent",
            "rbac-least-privilege/pod-create estate/plain/install-openshift.yaml:8 ClusterRole shop-operator",
            "rbac-least-privilege/pod-create estate/plain/install.yaml:8 ClusterRole shop-operator",
            "rbac-least-privilege/wildcard estate/plain/install.yaml:9 ClusterRole shop-operator",
        ]
    );
    // JSON with comments does not parse, but names no kind: not an error.
    assert_eq!(
        report["skipped"][4]["detail"],
        "names no apiVersion or kind, and does not parse (invalid YAML: did not find expected \
         ',' or '}' (while parsing a flow mapping) on line 3)"
    );
    assert_eq!(report["summary"]["objects"], 5);
    // Every file was read by the file rules, skipped or not.
    assert_eq!(report["summary"]["files"], 14);
    // What the unrendered chart would define was not judged: never `satisfied`.
    assert_eq!(
        control_status(&report, "cis-kubernetes", "5.1.9"),
        (
            "not-assessed".into(),
            "1 Helm chart was not rendered, so the objects it would define were not judged".into()
        )
    );
}

#[test]
fn the_text_report_counts_skipped_files_and_lists_them_when_verbose() {
    let quiet: Run = tollgate()
        .args(["scan", "estate/plain", "--rule", "tls-min-version"])
        .output()
        .unwrap()
        .into();
    assert_eq!(quiet.code, 0);
    assert_eq!(
        quiet.stdout.lines().last().unwrap(),
        "PASS  1 rule over 4 objects in 8 files (5 skipped: 5 not kubernetes): no findings"
    );
    assert!(!quiet.stdout.contains("estate/plain/package.json"));
    let verbose: Run = tollgate()
        .args([
            "scan",
            "estate/plain",
            "--rule",
            "tls-min-version",
            "--verbose",
        ])
        .output()
        .unwrap()
        .into();
    let listed: Vec<&str> = verbose
        .stdout
        .lines()
        .skip_while(|l| *l != "skipped")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    let why = "(the document is not a Kubernetes object: it has no apiVersion and no kind)";
    assert_eq!(
        listed,
        [
            format!("  estate/plain/dashboards/shop.json: not kubernetes {why}"),
            format!("  estate/plain/openapi.yaml: not kubernetes {why}"),
            format!("  estate/plain/package.json: not kubernetes {why}"),
            format!("  estate/plain/prometheus.yml: not kubernetes {why}"),
            "  estate/plain/tsconfig.json: not kubernetes (names no apiVersion or kind, and does \
             not parse (invalid YAML: did not find expected ',' or '}' (while parsing a flow \
             mapping) on line 3))"
                .to_owned(),
        ]
    );
}

/// A walked file that does not parse is skipped only when it can hold no object: one whose
/// keys are written with escapes, read before the break, stays an error.
#[test]
fn a_broken_file_with_objects_in_a_walk_stays_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let escaped = "{\"\\u0061piVersion\": \"v1\", \"\\u006bind\": \"Namespace\", \"metadata\": {\"name\": \"shop\"}}\n---\n]\n";
    std::fs::write(dir.path().join("escaped.json"), escaped).unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, report) = scan_json(&[root, "--rule", "network-policy"]);
    assert_eq!(code, 2);
    assert_eq!(report["summary"]["objects"], 1);
    assert_eq!(report["skipped"], serde_json::json!([]));
    assert_eq!(errors(&report).len(), 1, "{:?}", errors(&report));
}

#[test]
fn files_named_on_the_command_line_stay_strict() {
    let (code, report) = scan_json(&["estate/plain/prometheus.yml", "estate/chart/values.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [
            "estate/plain/prometheus.yml:1 the document is not a Kubernetes object: it has no apiVersion and no kind",
            "estate/chart/values.yaml:1 the document is not a Kubernetes object: it has no apiVersion and no kind",
        ]
    );
}

#[test]
fn kustomize_trees_are_built_and_findings_name_the_original_file_and_overlay() {
    let (code, report) = scan_json(&["estate/kustomize"]);
    assert_eq!(code, 1);
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(notices(&report), Vec::<(String, String)>::new());
    // The patch that only sets replicas is not judged as a workload; the namespaces and
    // name prefixes of the overlays apply; the Service the prod overlay deletes is gone.
    assert_eq!(
        findings(&report),
        [
            "network-policy/namespace-without-policy estate/kustomize/base/deployment.yaml:1 Deployment shop-staging/staging-web",
            "rbac-least-privilege/secrets-read estate/kustomize/base/rbac.yaml:16 Role shop-staging/staging-web-reader",
            "rbac-least-privilege/secrets-read estate/kustomize/base/rbac.yaml:16 Role shop-prod/prod-web-reader",
        ]
    );
    let vias: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["via"].as_str().unwrap())
        .collect();
    assert_eq!(
        vias,
        [
            "estate/kustomize/overlays/staging",
            "estate/kustomize/overlays/staging",
            "estate/kustomize/overlays/prod",
        ]
    );
    // prod: Deployment, ServiceAccount, Role, RoleBinding, NetworkPolicy; staging: the
    // same without the policy, with the debug Service.
    assert_eq!(report["summary"]["objects"], 10);
    assert_eq!(
        skipped(&report),
        pairs(&[
            ("estate/kustomize/base/kustomization.yaml", "not kubernetes"),
            (
                "estate/kustomize/overlays/prod/add-arg.json",
                "not kubernetes"
            ),
            (
                "estate/kustomize/overlays/prod/kustomization.yaml",
                "not kubernetes"
            ),
            (
                "estate/kustomize/overlays/staging/kustomization.yaml",
                "not kubernetes"
            ),
            (
                "estate/kustomize/overlays/prod/replicas.yaml",
                "kustomize input"
            ),
        ])
    );
}

#[test]
fn kustomize_trees_are_read_as_written_without_a_kustomize_binary() {
    let run: Run = tollgate()
        .env("PATH", "/nonexistent")
        .args(["scan", "--format", "json", "estate/kustomize"])
        .output()
        .unwrap()
        .into();
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(run.code, 1);
    assert_eq!(
        notices(&report),
        pairs(&[
            ("estate/kustomize/overlays/prod", "kustomization"),
            ("estate/kustomize/overlays/staging", "kustomization"),
        ])
    );
    assert_eq!(
        report["notices"][0]["message"],
        "kustomization not built (neither kustomize nor kubectl is on PATH): its files were \
         read as written, with its namespace applied and its patches not judged as objects"
    );
    // The base takes the first overlay's namespace; the replicas patch is not a workload.
    assert_eq!(
        findings(&report),
        [
            "rbac-least-privilege/secrets-read estate/kustomize/base/rbac.yaml:16 Role shop-prod/web-reader"
        ]
    );
    assert_eq!(report["summary"]["objects"], 6);
    assert!(skipped(&report).contains(&(
        "estate/kustomize/overlays/prod/replicas.yaml".into(),
        "kustomize input".into()
    )));
}

#[test]
fn no_kustomize_reads_the_trees_as_written_even_with_a_binary_at_hand() {
    let (code, report) = scan_json(&["estate/kustomize", "--no-kustomize"]);
    assert_eq!(code, 1);
    assert_eq!(
        report["notices"][1]["message"],
        "kustomization not built (--no-kustomize): its files were read as written, with its \
         namespace applied and its patches not judged as objects"
    );
    assert_eq!(
        findings(&report),
        [
            "rbac-least-privilege/secrets-read estate/kustomize/base/rbac.yaml:16 Role shop-prod/web-reader"
        ]
    );
}

/// A temporary tree of the estate's Deployment in a kustomization at `base`, and
/// `kustomizations` (directory, text) beside it.
fn kustomize_tree(base: &str, kustomizations: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let deployment = fixtures().join("estate/kustomize/base/deployment.yaml");
    let files = [
        (
            format!("{base}/deployment.yaml"),
            std::fs::read_to_string(deployment).unwrap(),
        ),
        (
            format!("{base}/kustomization.yaml"),
            "resources: [deployment.yaml]\n".into(),
        ),
    ];
    let others = kustomizations
        .iter()
        .map(|(at, text)| (format!("{at}/kustomization.yaml"), (*text).to_owned()));
    for (path, text) in files.into_iter().chain(others) {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_kustomization_naming_a_file_outside_its_directory_builds_with_the_restrictor_off() {
    // `prod/` takes the base's Deployment file itself, which kustomize's default load
    // restrictor refuses: the error says how to build it.
    let dir = kustomize_tree(
        "base",
        &[(
            "prod",
            "namespace: prod\nresources: [../base/deployment.yaml]\n",
        )],
    );
    let root = dir.path().to_str().unwrap();
    let (code, report) = scan_json(&[root, "--rule", "network-policy"]);
    assert_eq!(code, 2);
    let error = &errors(&report)[0];
    assert!(
        error.starts_with(&format!(
            "{root}/prod/kustomization.yaml kustomization could not be built"
        )) && error.contains("is not in or below")
            && error.contains("--kustomize-load-restrictor none builds it"),
        "{error}"
    );
    let (code, report) = scan_json(&[
        root,
        "--rule",
        "network-policy",
        "--kustomize-load-restrictor",
        "none",
    ]);
    assert_eq!(code, 1);
    assert_eq!(errors(&report), Vec::<String>::new());
    let mut built: Vec<(&str, Option<&str>)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = &f["location"];
            (at["via"].as_str().unwrap(), at["namespace"].as_str())
        })
        .collect();
    built.sort();
    let (base, prod) = (format!("{root}/base"), format!("{root}/prod"));
    assert_eq!(
        built,
        [(base.as_str(), None), (prod.as_str(), Some("prod"))]
    );
}

#[test]
fn the_local_overlays_of_a_kustomization_that_needs_the_network_are_built_on_their_own() {
    // `all/` gathers an overlay and a remote resource, which cannot be fetched here: the
    // overlay is built by itself, so its name prefix is judged, not its base as written,
    // in the namespace `all/` sets (which kustomize applies last).
    let dir = kustomize_tree(
        "base",
        &[
            (
                "overlay",
                "namespace: prod\nnamePrefix: prod-\nresources: [../base]\n",
            ),
            (
                "all",
                "namespace: shop\nresources:\n- ../overlay\n- https://example.invalid/addons.yaml\n",
            ),
        ],
    );
    let root = dir.path().to_str().unwrap();
    let (code, report) = scan_json(&[root, "--rule", "network-policy"]);
    assert_eq!(code, 1);
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(
        findings(&report),
        [format!(
            "network-policy/namespace-without-policy {root}/base/deployment.yaml:1 Deployment shop/prod-web"
        )]
    );
    assert_eq!(
        report["findings"][0]["location"]["via"],
        format!("{root}/overlay")
    );
    let notice = report["notices"][0]["message"].as_str().unwrap();
    assert!(
        notice.starts_with("kustomization could not be built (")
            && notice.ends_with(
                "); it uses remote resources, which were not judged, and local \
                 kustomizations under it were built on their own, its other files read as \
                 written"
            ),
        "{notice}"
    );
}

#[test]
fn parts_of_kustomizations_that_need_the_network_take_the_outermost_namespace() {
    // `top/` (namespace `t`) names `mid/` (namespace `p`), and both name remote
    // resources: `leaf/` is built on its own, in `t`, which kustomize applies last.
    let dir = kustomize_tree(
        "leaf",
        &[
            (
                "mid",
                "namespace: p\nresources: [../leaf, https://example.invalid/mid.yaml]\n",
            ),
            (
                "top",
                "namespace: t\nresources: [../mid, https://example.invalid/top.yaml]\n",
            ),
        ],
    );
    let root = dir.path().to_str().unwrap();
    let (code, report) = scan_json(&[root, "--rule", "network-policy"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        [format!(
            "network-policy/namespace-without-policy {root}/leaf/deployment.yaml:1 Deployment t/web"
        )]
    );
    // One notice, the top's, which says its parts were built.
    assert_eq!(report["notices"].as_array().unwrap().len(), 1);
    assert!(
        report["notices"][0]["message"]
            .as_str()
            .unwrap()
            .contains("local kustomizations under it were built on their own")
    );
}

#[test]
fn a_kustomization_that_does_not_build_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    // A URL in an annotation is no remote resource: the failure is still an error.
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "commonAnnotations: {docs: \"https://wiki.example.com/app\"}\n\
         resources:\n- deployment.yaml\n- missing.yaml\n",
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("estate/kustomize/base/deployment.yaml"),
        dir.path().join("deployment.yaml"),
    )
    .unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, report) = scan_json(&[root, "--rule", "network-policy"]);
    assert_eq!(code, 2);
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let kustomization = format!("{root}/kustomization.yaml kustomization could not be built: ");
    assert!(errors[0].starts_with(&kustomization), "{}", errors[0]);
    assert!(errors[0].contains("missing.yaml"), "{}", errors[0]);
    assert!(
        errors[0].ends_with("; its files were read as written"),
        "{}",
        errors[0]
    );
    // Read as written, the Deployment is still judged.
    assert_eq!(
        findings(&report),
        [format!(
            "network-policy/namespace-without-policy {root}/deployment.yaml:1 Deployment web"
        )]
    );
}

#[test]
fn excludes_leave_paths_out_from_the_flag_and_the_config() {
    let (_, report) = scan_json(&[
        "estate/plain",
        "--exclude",
        "estate/plain/dashboards/",
        "--exclude",
        "*.json",
        "--exclude",
        "install-*.yaml",
    ]);
    assert_eq!(
        skipped(&report),
        pairs(&[
            ("estate/plain/openapi.yaml", "not kubernetes"),
            ("estate/plain/prometheus.yml", "not kubernetes"),
        ])
    );
    assert_eq!(report["summary"]["files"], 4);

    let dir = tempfile::tempdir().unwrap();
    let deploy = dir.path().join("deploy");
    std::fs::create_dir_all(deploy.join("examples")).unwrap();
    let role = std::fs::read(fixtures().join("estate/plain/install.yaml")).unwrap();
    std::fs::write(deploy.join("examples/role.yaml"), &role).unwrap();
    std::fs::write(deploy.join("role.yaml"), &role).unwrap();
    std::fs::write(
        dir.path().join(".tollgate.yaml"),
        "exclude:\n- deploy/examples/\n",
    )
    .unwrap();
    let run: Run = tollgate()
        .current_dir(dir.path())
        .args([
            "scan",
            "--format",
            "json",
            "deploy",
            "--rule",
            "rbac-least-privilege",
        ])
        .output()
        .unwrap()
        .into();
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        findings(&report),
        [
            "rbac-least-privilege/pod-create deploy/role.yaml:8 ClusterRole shop-operator",
            "rbac-least-privilege/wildcard deploy/role.yaml:9 ClusterRole shop-operator",
        ]
    );
}

#[test]
fn gitignore_is_honoured_outside_a_git_work_tree_and_symlinks_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let role = std::fs::read(fixtures().join("estate/plain/install.yaml")).unwrap();
    std::fs::create_dir(dir.path().join("build")).unwrap();
    std::fs::write(dir.path().join("build/role.yaml"), &role).unwrap();
    std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
    std::fs::write(dir.path().join(".ignore"), "scratch.yaml\n").unwrap();
    std::fs::write(dir.path().join("scratch.yaml"), &role).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join("link.yaml")).unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, report) = scan_json(&[root]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["files"], 0);
    assert_eq!(
        skipped(&report),
        [(format!("{root}/link.yaml"), "symlink".to_owned())]
    );
}

#[test]
fn history_scans_old_yaml_that_no_longer_parses_as_a_file() {
    let repo = Repo::new();
    repo.write(
        "deploy/app.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app\n  data: [\n",
    );
    let broken = repo.commit("a broken manifest");
    repo.write(
        "deploy/app.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n",
    );
    repo.commit("fixed");
    let (code, report, _) = repo.scan(&["--history"]);
    assert_eq!(code, 0);
    assert_eq!(errors(&report), Vec::<String>::new());
    let inputs: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(inputs.len(), 2);
    assert!(inputs.contains(&format!("deploy/app.yaml@{}", &broken[..12]).as_str()));
}

#[test]
fn a_blob_of_history_that_cannot_be_read_is_one_error_and_the_scan_goes_on() {
    let repo = Repo::new();
    repo.write("lost.txt", "this blob will be lost\n");
    repo.write("kept.txt", "this one stays\n");
    repo.commit("two files");
    let lost = repo.git(&["rev-parse", "HEAD:lost.txt"]);
    std::fs::remove_file(
        repo.path()
            .join(".git/objects")
            .join(&lost[..2])
            .join(&lost[2..]),
    )
    .unwrap();
    let (code, report, _) = repo.scan(&["--history"]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [format!(
            "lost.txt@{} cannot read: blob {lost} is missing from the repository's object store",
            &repo.git(&["rev-parse", "HEAD"])[..12]
        )]
    );
    assert_eq!(report["summary"]["files"], 1);
}

#[test]
fn a_repository_file_that_does_not_parse_but_declares_a_secret_is_an_error() {
    let repo = Repo::new();
    repo.write(
        "deploy/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: [unclosed\n",
    );
    repo.write(
        "chart/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n",
    );
    repo.commit("secrets");
    let (code, report, _) = repo.scan(&["--repo"]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [
            "deploy/secret.yaml:6 invalid YAML: did not find expected ',' or ']' (while parsing \
             a flow sequence) (it declares a `kind: Secret`, which cannot be judged unless it \
             parses)"
        ]
    );
    assert_eq!(
        notices(&report),
        pairs(&[("chart/templates/secret.yaml", "template")])
    );
}

#[test]
fn end_to_end_tests_assertions_are_judged_only_for_credentials() {
    let (code, report) = scan_json(&["estate/e2e-tests"]);
    // Neither an assertion's expression document nor its key written twice is an error.
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(code, 1);
    let by_test = "an assertion of the chainsaw test estate/e2e-tests/smoke/chainsaw-test.yaml; \
                   only the rules that read files judge its objects";
    let assertions: Vec<(String, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["reason"], "test assertion");
            let text = |key: &str| s[key].as_str().unwrap().to_owned();
            (text("path"), text("detail"))
        })
        .collect();
    assert_eq!(
        assertions,
        pairs(&[
            (
                "estate/e2e-tests/kuttl-upgrade/01-errors.yaml",
                "named as a chainsaw or KUTTL step's assertion (NN-assert, NN-errors); only the \
                 rules that read files judge its objects"
            ),
            (
                "estate/e2e-tests/kuttl-upgrade/02-assert.yaml",
                "named as a chainsaw or KUTTL step's assertion (NN-assert, NN-errors); only the \
                 rules that read files judge its objects"
            ),
            // Named through a glob, from another directory.
            ("estate/e2e-tests/shared/gone-role.yaml", by_test),
            ("estate/e2e-tests/smoke/00-assert.yaml", by_test),
            ("estate/e2e-tests/smoke/checks/pod-ready.yaml", by_test),
        ])
    );
    // The wildcard Role that must be gone and the nameless Pod expected running are no
    // findings, but the password of the Secret a test expects is committed all the same.
    // What the tests apply is judged: the file applied and asserted, the Role a template
    // creates through a binding, the Job a script applies.
    assert_eq!(
        findings(&report),
        [
            "no-git-credentials/plaintext-secret estate/e2e-tests/smoke/00-assert.yaml:16 Secret shop-db",
            "network-policy/namespace-without-policy estate/e2e-tests/smoke/00-install.yaml:1 Deployment shop",
            "no-git-credentials/env-literal-secret estate/e2e-tests/smoke/checks/job.yaml:17 Job seed",
            "rbac-least-privilege/namespace-full-wildcard estate/e2e-tests/smoke/role.yaml:9 Role shop-admin",
        ]
    );
    // Every file is still read by the credential rule.
    assert_eq!(report["summary"]["files"], 12);
}

#[test]
fn an_assertion_named_on_the_command_line_is_read_strictly() {
    let (code, report) = scan_json(&["estate/e2e-tests/smoke/00-assert.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [
            "estate/e2e-tests/smoke/00-assert.yaml:9 the document is not a Kubernetes object: it has no apiVersion and no kind"
        ]
    );
}

#[test]
fn braces_in_strings_do_not_make_a_template_of_a_manifest() {
    let (code, report) = scan_json(&["estate/run-time-templates"]);
    assert_eq!(code, 1);
    assert_eq!(errors(&report), Vec::<String>::new());
    // Templates all the same: a values file, a docs snippet in Jinja's tags.
    assert_eq!(
        skipped(&report),
        pairs(&[
            ("estate/run-time-templates/docs-snippet.yaml", "template"),
            (
                "estate/run-time-templates/values-templated.yaml",
                "template"
            ),
        ])
    );
    assert_eq!(
        findings(&report),
        [
            "no-git-credentials/plaintext-secret estate/run-time-templates/alertmanager-secret.yaml:7 Secret monitoring/alertmanager-main",
            "rbac-least-privilege/cluster-full-wildcard estate/run-time-templates/rollouts-install.yaml:28 ClusterRole argo-rollouts",
        ]
    );
}

#[test]
fn a_component_no_kustomization_uses_is_read_as_written_not_an_error() {
    let (code, report) = scan_json(&["estate/unused-component"]);
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(code, 0);
    assert_eq!(
        notices(&report),
        pairs(&[("estate/unused-component/debug", "kustomization")])
    );
    assert_eq!(
        report["notices"][0]["message"],
        "kustomize component that no kustomization in the scan uses, so not built (kustomize \
         builds a component only through a kustomization's `components`): its files were read \
         as written, its patches not judged as objects"
    );
    assert_eq!(report["summary"]["objects"], 1);
}

#[test]
fn patches_no_kustomization_uses_are_set_aside_whole_objects_beside_them_judged() {
    let (code, report) = scan_json(&["estate/operator-scaffold"]);
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(code, 1);
    let patches: Vec<(String, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["reason"] == "kustomize input")
        .map(|s| {
            let text = |key: &str| s[key].as_str().unwrap().to_owned();
            (text("path"), text("detail"))
        })
        .collect();
    let unused = |lacks: &str| {
        format!(
            "a patch that no kustomization uses, in the tree of \
             estate/operator-scaffold/config/default: {lacks}, which cannot be applied as it is"
        )
    };
    assert_eq!(
        patches,
        [
            (
                "estate/operator-scaffold/config/default/manager_auth_proxy_patch.yaml".to_owned(),
                unused("a Deployment without spec.selector")
            ),
            (
                "estate/operator-scaffold/config/default/manager_webhook_patch.yaml".to_owned(),
                unused("a Deployment without spec.selector")
            ),
        ]
    );
    // The manager, built, runs as its own account without a token; the Deployment no
    // kustomization lists is whole, so it is judged as written.
    assert_eq!(
        findings(&report),
        [
            "network-policy/namespace-without-policy estate/operator-scaffold/config/default/debug_deployment.yaml:2 Deployment shop-operator-system/debug",
            "rbac-least-privilege/automount-token estate/operator-scaffold/config/default/debug_deployment.yaml:13 Deployment shop-operator-system/debug",
            "rbac-least-privilege/default-service-account estate/operator-scaffold/config/default/debug_deployment.yaml:13 Deployment shop-operator-system/debug",
        ]
    );
    assert_eq!(report["summary"]["objects"], 2);
}

#[test]
fn a_build_that_needs_a_file_gitignore_keeps_out_is_a_note_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    // The overlay's generator reads a file `make` writes before deploying.
    write("deploy/overlays/dev/.gitignore", "params.env\n");
    write(
        "deploy/overlays/dev/kustomization.yaml",
        "resources:\n- ../../base\nconfigMapGenerator:\n- name: app-env\n  envs: [params.env]\n",
    );
    write("deploy/base/kustomization.yaml", "resources: [role.yaml]\n");
    write(
        "deploy/base/role.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: app, namespace: shop}\nrules:\n- apiGroups: ['']\n  resources: [secrets]\n  verbs: [list]\n",
    );
    let (code, report) = scan_json_in(dir.path(), &["deploy"]);
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(
        notices(&report),
        pairs(&[("deploy/overlays/dev", "kustomization")])
    );
    let message = report["notices"][0]["message"].as_str().unwrap();
    assert!(
        message.ends_with(
            "it needs deploy/overlays/dev/params.env, which .gitignore keeps out of the tree \
             (made by a build step, or kept local), so its own files were read as written"
        ),
        "{message}"
    );
    // What the overlay's base holds is judged all the same.
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        ["rbac-least-privilege/secrets-read deploy/base/role.yaml:6 Role shop/app"]
    );

    // A file missing that nothing ignores is an error, though an ignored one is missing
    // too: the build cannot be told apart from a broken tree.
    write(
        "deploy/base/kustomization.yaml",
        "resources: [role.yaml, binding.yaml]\n",
    );
    let (code, report) = scan_json_in(dir.path(), &["deploy"]);
    assert_eq!(code, 2);
    assert_eq!(errors(&report).len(), 1, "{:?}", errors(&report));
    write("deploy/base/kustomization.yaml", "resources: [role.yaml]\n");

    // The same missing file, not ignored, is an error: the tree is broken.
    std::fs::remove_file(dir.path().join("deploy/overlays/dev/.gitignore")).unwrap();
    let (code, report) = scan_json_in(dir.path(), &["deploy"]);
    assert_eq!(code, 2);
    assert_eq!(errors(&report).len(), 1, "{:?}", errors(&report));
}
