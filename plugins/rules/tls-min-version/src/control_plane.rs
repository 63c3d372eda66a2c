//! Control-plane components and clients: command-line flags of any container
//! (kube-apiserver, kubelet, etcd, metrics-server, ...), `KubeletConfiguration`,
//! `APIService`, kubeconfig files and admission webhooks. A container's environment is
//! read by [`crate::environment`].

use serde::Deserialize;
use tollgate_sdk::typed::{TextList, object, objects, present_texts, scalar, text};
use tollgate_sdk::{Check, Pointer, workload};

use crate::checks::VERSION_AND_SUITES;
use crate::command::CommandLine;
use crate::judge::{Component, Judge};
use crate::{
    APISERVER_CIPHER_SUITES, KUBELET_CIPHER_SUITES, UNKNOWN_VALUE, VERIFICATION_DISABLED,
    WEAK_CIPHERS, WEAK_PROTOCOL, ciphers,
};

/// Control-plane programs besides kube-apiserver and the kubelet that serve TLS and talk
/// to other components over it.
const TLS_PROGRAMS: [&str; 3] = ["etcd", "kube-controller-manager", "kube-scheduler"];

/// Boolean flags that, when on, stop a client from verifying certificates.
const SKIP_VERIFY_FLAGS: [&str; 4] = [
    "--insecure-skip-tls-verify",
    "--kubelet-insecure-tls",
    "--skip-tls-verify",
    "--insecure",
];

impl Judge<'_> {
    /// Judges the kinds that configure control-plane components and clients, returning
    /// the checks that judged the object; none for other kinds (a kubeconfig records
    /// itself, when it has clusters).
    pub fn control_plane_kinds(&mut self, kind: &str, group: &str) -> &'static [Check] {
        match (kind, group) {
            ("KubeletConfiguration", _) => {
                self.kubelet_configuration();
                &[
                    WEAK_PROTOCOL,
                    WEAK_CIPHERS,
                    UNKNOWN_VALUE,
                    KUBELET_CIPHER_SUITES,
                ]
            }
            ("APIService", "apiregistration.k8s.io") => {
                self.api_service();
                &[VERIFICATION_DISABLED]
            }
            ("Config", "") => {
                self.kubeconfig();
                &[]
            }
            ("ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration", _) => {
                self.webhooks();
                &[VERIFICATION_DISABLED]
            }
            _ => &[],
        }
    }

    /// Command lines and environment of every container of a workload.
    pub fn containers(&mut self) {
        let Some(template) = workload::pod_template(self.object) else {
            return;
        };
        for container in template.containers() {
            let line = CommandLine::of(&container);
            let component = Component::of_program(line.program());
            self.judged(&judged_by(&line, component));
            self.tls_flags(&container, &line, component);
            self.verification_flags(container.name(), &line);
            self.verification_environment(&container);
        }
    }

    /// `--tls-min-version` and `--tls-cipher-suites`; for kube-apiserver and the kubelet,
    /// a missing `--tls-cipher-suites` too.
    fn tls_flags(
        &mut self,
        container: &workload::Container,
        line: &CommandLine,
        component: Component,
    ) {
        let name = container.name();
        for (value, at) in line.values("--tls-min-version") {
            let what = format!("container {name} --tls-min-version");
            let fix = "VersionTLS12 or newer (TLS1.2 for etcd)";
            self.minimum(at.clone(), &what, value, fix);
        }
        let what = format!("container {name} --tls-cipher-suites");
        let lists = line.values("--tls-cipher-suites");
        for (value, at) in &lists {
            let names: Vec<&str> = ciphers::iana_names(value).collect();
            if names.is_empty() {
                self.suites_unset((*at).clone(), &what, component);
            } else {
                self.suites(at, &what, &names, component);
            }
        }
        if lists.is_empty() {
            self.suites_unset(container.flags_pointer(), &what, component);
        }
    }

    /// Flags that turn certificate verification off, or pull from a registry without TLS.
    fn verification_flags(&mut self, name: &str, line: &CommandLine) {
        let mut off = Vec::new();
        for flag in SKIP_VERIFY_FLAGS {
            off.extend(
                line.enabled(flag)
                    .into_iter()
                    .map(|at| (flag.to_owned(), at)),
            );
        }
        off.extend(
            line.disabled("--tls-verify")
                .into_iter()
                .map(|at| ("--tls-verify=false".to_owned(), at)),
        );
        for (value, at) in line.values("--insecure-registry") {
            off.push((format!("--insecure-registry={value}"), at));
        }
        for (flag, at) in off {
            self.report(
                VERIFICATION_DISABLED,
                at.clone(),
                format!("container {name} runs with {flag}: TLS certificates are not verified; remove it and trust the right CA"),
            );
        }
    }

    /// `KubeletConfiguration`: `tlsMinVersion` and `tlsCipherSuites` (CIS 4.2.12).
    pub fn kubelet_configuration(&mut self) {
        let config: KubeletConfiguration = self.object.read();
        if let Some(version) = config.tls_min_version {
            let at = Pointer::root().at("tlsMinVersion");
            self.minimum(at, "tlsMinVersion", version, "VersionTLS12 or newer");
        }
        let (what, at) = ("tlsCipherSuites", Pointer::root().at("tlsCipherSuites"));
        let suites = config.tls_cipher_suites.as_ref();
        let entries = suites.and_then(Option::as_deref).unwrap_or_default();
        self.suite_entries(&at, entries, what, Component::Kubelet);
        if entries.is_empty() {
            let at = if suites.is_some() {
                at
            } else {
                Pointer::root()
            };
            self.suites_unset(at, what, Component::Kubelet);
        }
    }

    /// `APIService` with `insecureSkipTLSVerify: true`.
    pub fn api_service(&mut self) {
        let service: ApiService = self.object.read();
        let spec = service.spec.unwrap_or_default();
        if spec.insecure_skip_tls_verify == Some(true) {
            self.report(
                VERIFICATION_DISABLED,
                Pointer::root().path(["spec", "insecureSkipTLSVerify"]),
                "insecureSkipTLSVerify is true: the API server does not verify this extension API's certificate; set caBundle instead".into(),
            );
        }
    }

    /// A kubeconfig (`kind: Config`) cluster with `insecure-skip-tls-verify: true`; a
    /// kubeconfig with clusters is judged.
    pub fn kubeconfig(&mut self) {
        let config: Kubeconfig = self.object.read();
        let clusters = config.clusters.unwrap_or_default();
        if !clusters.is_empty() {
            self.judged(&[VERIFICATION_DISABLED]);
        }
        for (i, cluster) in clusters.iter().enumerate() {
            let connection = cluster.cluster.as_ref();
            if connection.and_then(|c| c.insecure_skip_tls_verify) == Some(true) {
                let name = cluster.name.unwrap_or("");
                self.report(
                    VERIFICATION_DISABLED,
                    Pointer::root().at("clusters").at(i).path(["cluster", "insecure-skip-tls-verify"]),
                    format!("kubeconfig cluster {name} sets insecure-skip-tls-verify: true; set certificate-authority-data instead"),
                );
            }
        }
    }

    /// Admission webhooks called over plain `http://`.
    pub fn webhooks(&mut self) {
        let configuration: WebhookConfiguration = self.object.read();
        let webhooks = configuration.webhooks.unwrap_or_default();
        for (i, webhook) in webhooks.iter().enumerate() {
            let client = webhook.client_config.as_ref();
            if let Some(url) = client.and_then(|c| c.url)
                && url.to_ascii_lowercase().starts_with("http://")
            {
                self.report(
                    VERIFICATION_DISABLED,
                    Pointer::root()
                        .at("webhooks")
                        .at(i)
                        .path(["clientConfig", "url"]),
                    format!("webhook URL {url} is plain HTTP; use https:// with a caBundle"),
                );
            }
        }
    }
}

/// The checks that judge a container: those of its TLS flags for a control-plane
/// component or a container that sets them, none for any other (its verification flags
/// count only when they are findings).
fn judged_by(line: &CommandLine, component: Component) -> Vec<tollgate_sdk::Check> {
    let control_plane = line.program().is_some_and(|p| TLS_PROGRAMS.contains(&p));
    let sets_tls = ["--tls-min-version", "--tls-cipher-suites"]
        .iter()
        .any(|flag| !line.values(flag).is_empty());
    let mut checks = match component {
        Component::ApiServer => vec![APISERVER_CIPHER_SUITES, VERIFICATION_DISABLED],
        Component::Kubelet => vec![KUBELET_CIPHER_SUITES, VERIFICATION_DISABLED],
        Component::Other if control_plane => vec![VERIFICATION_DISABLED],
        Component::Other if sets_tls => vec![],
        Component::Other => return vec![],
    };
    checks.extend(VERSION_AND_SUITES);
    checks
}

/// A `KubeletConfiguration`'s TLS settings (read leniently, see [`tollgate_sdk::typed`]);
/// `tlsCipherSuites` is `Some` whenever it is there, a list or not.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct KubeletConfiguration<'a> {
    #[serde(borrow, deserialize_with = "text")]
    tls_min_version: Option<&'a str>,
    #[serde(borrow, deserialize_with = "present_texts")]
    tls_cipher_suites: Option<TextList<'a>>,
}

/// An `APIService`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct ApiService {
    #[serde(deserialize_with = "object")]
    spec: Option<ApiServiceSpec>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ApiServiceSpec {
    #[serde(rename = "insecureSkipTLSVerify", deserialize_with = "scalar")]
    insecure_skip_tls_verify: Option<bool>,
}

/// A kubeconfig's clusters.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Kubeconfig<'a> {
    #[serde(borrow, deserialize_with = "objects")]
    clusters: Option<Vec<NamedCluster<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct NamedCluster<'a> {
    #[serde(borrow, deserialize_with = "text")]
    name: Option<&'a str>,
    #[serde(deserialize_with = "object")]
    cluster: Option<Cluster>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct Cluster {
    #[serde(deserialize_with = "scalar")]
    insecure_skip_tls_verify: Option<bool>,
}

/// A Validating- or MutatingWebhookConfiguration's webhooks.
#[derive(Default, Deserialize)]
#[serde(default)]
struct WebhookConfiguration<'a> {
    #[serde(borrow, deserialize_with = "objects")]
    webhooks: Option<Vec<Webhook<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Webhook<'a> {
    #[serde(borrow, deserialize_with = "object")]
    client_config: Option<ClientConfig<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ClientConfig<'a> {
    #[serde(borrow, deserialize_with = "text")]
    url: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use crate::tests::{disabled_in_first_container, found};
    use tollgate_sdk::{Value, serde_json::json};

    fn apiserver(args: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver", "namespace": "kube-system"},
               "spec": {"containers": [{"name": "kube-apiserver", "command": ["kube-apiserver"], "args": args}]}})
    }

    /// One finding of a check without a CIS item.
    fn plain(check: &str, at: &str) -> Vec<(String, String, Vec<String>)> {
        crate::tests::one(check, at)
    }

    /// One `apiserver-cipher-suites` finding (CIS 1.2.29).
    fn cis(at: &str) -> Vec<(String, String, Vec<String>)> {
        let check = "apiserver-cipher-suites".to_owned();
        vec![(check, at.to_owned(), vec!["1.2.29".to_owned()])]
    }

    /// The CIS 1.2.29 allowlist, as one flag value.
    fn allowlisted() -> String {
        format!(
            "--tls-cipher-suites={}",
            crate::ciphers::CIS_APISERVER_SUITES.join(",")
        )
    }

    #[test]
    fn apiserver_flags_in_both_forms() {
        let args = |min: &[&str]| {
            let mut args: Vec<String> = min.iter().map(|a| a.to_string()).collect();
            args.push(allowlisted());
            json!(args)
        };
        assert_eq!(
            found(apiserver(args(&[
                "--secure-port=6443",
                "--tls-min-version=VersionTLS11"
            ]))),
            crate::tests::one("weak-protocol", "/spec/containers/0/args/1")
        );
        assert_eq!(
            found(apiserver(args(&["--tls-min-version", "VersionTLS10"]))),
            crate::tests::one("weak-protocol", "/spec/containers/0/args/1")
        );
        assert_eq!(
            found(apiserver(json!([
                "--tls-cipher-suites",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA"
            ]))),
            // The weak suite is off the CIS list too: each check says it.
            [
                plain("weak-ciphers", "/spec/containers/0/args/1"),
                cis("/spec/containers/0/args/1")
            ]
            .concat()
        );
        assert!(found(apiserver(args(&["--tls-min-version=VersionTLS12"]))).is_empty());
    }

    #[test]
    fn apiserver_cipher_suites_judged_as_kube_bench_does() {
        let args0 = "/spec/containers/0/args";
        // No flag at all: Go's defaults, which CIS 1.2.29 does not accept.
        assert_eq!(
            found(apiserver(json!(["--tls-min-version=VersionTLS12"]))),
            cis(args0)
        );
        // Flags in `command` only: the finding points there.
        let in_command = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver"},
            "spec": {"containers": [{"name": "api", "command": ["/usr/local/bin/kube-apiserver", "--secure-port=6443"]}]}});
        assert_eq!(found(in_command), cis("/spec/containers/0/command"));
        // Set but empty.
        assert_eq!(
            found(apiserver(json!(["--tls-cipher-suites="]))),
            cis("/spec/containers/0/args/0")
        );
        // Strong suites off the list (RSA key exchange).
        assert_eq!(
            found(apiserver(json!([
                "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_GCM_SHA256"
            ]))),
            cis("/spec/containers/0/args/0")
        );
        // A weak one (CBC with SHA-256, insecure in Go) is also its own weak-ciphers finding.
        let weak_too = found(apiserver(json!([
            "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"
        ])));
        assert_eq!(weak_too[0].0, "weak-ciphers");
        assert_eq!(weak_too[1..], cis("/spec/containers/0/args/0"));
        // Every suite of the list, and a part of it, pass.
        assert!(found(apiserver(json!([allowlisted()]))).is_empty());
        assert!(
            found(apiserver(json!([
                "--tls-cipher-suites=TLS_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"
            ])))
            .is_empty()
        );
    }

    #[test]
    fn cis_cipher_messages_name_the_suites_and_the_item() {
        let value = apiserver(json!([
            "--tls-cipher-suites=TLS_RSA_WITH_AES_256_GCM_SHA384"
        ]));
        let set = tollgate_sdk::Manifests::from_values("default", vec![value]).unwrap();
        let verdict = <crate::TlsMinVersion as tollgate_sdk::Rule>::check_manifests(
            &set,
            &tollgate_sdk::NoSettings {},
        )
        .unwrap();
        let messages: Vec<&str> = verdict
            .findings
            .iter()
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "Pod kube-system/kube-apiserver: container kube-apiserver --tls-cipher-suites includes TLS_RSA_WITH_AES_256_GCM_SHA384, outside the CIS 1.2.29 allowlist; keep only suites of that list (TLS 1.3 suites, and ECDHE suites with AES-GCM or ChaCha20-Poly1305)"
            ]
        );
    }

    #[test]
    fn unknown_cipher_suite_names_are_not_passed() {
        let unknown = |args: Value| found(apiserver(args));
        assert_eq!(
            unknown(json!([
                "--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_64_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
            ])),
            [
                plain("unknown-value", "/spec/containers/0/args/0"),
                cis("/spec/containers/0/args/0")
            ]
            .concat()
        );
        assert_eq!(
            unknown(json!(["--tls-cipher-suites", "Foo"])),
            [
                plain("unknown-value", "/spec/containers/0/args/1"),
                cis("/spec/containers/0/args/1")
            ]
            .concat()
        );
        // A weak and an unknown suite in one list: both said.
        assert_eq!(
            unknown(json!(["--tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA,Foo"])),
            [
                plain("weak-ciphers", "/spec/containers/0/args/0"),
                plain("unknown-value", "/spec/containers/0/args/0"),
                cis("/spec/containers/0/args/0")
            ]
            .concat()
        );
    }

    #[test]
    fn shell_command_strings_and_etcd_spelling() {
        let etcd = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "etcd"},
            "spec": {"template": {"spec": {"containers": [{"name": "etcd",
                "command": ["/bin/sh", "-c", "exec etcd --tls-min-version=TLS1.1 --data-dir=/var/lib/etcd"]}]}}}});
        assert_eq!(
            found(etcd),
            [(
                "weak-protocol".to_owned(),
                "/spec/template/spec/containers/0/command/2".to_owned(),
                vec![]
            )]
        );
    }

    #[test]
    fn verification_switched_off_by_flags() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "m"},
            "spec": {"template": {"spec": {"containers": [{"name": "metrics-server",
                "args": ["--kubelet-insecure-tls", "--tls-verify=false", "--insecure-skip-tls-verify=false",
                         "--insecure-registry=mirror.local:5000"]}]}}}});
        assert_eq!(
            disabled_in_first_container(deployment),
            ["args/0", "args/1", "args/3"]
        );
    }

    #[test]
    fn kubelet_configuration() {
        let config = |v: &str, suites: Value| json!({"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "tlsMinVersion": v, "tlsCipherSuites": suites});
        let kubelet = |at: &str| {
            let check = "kubelet-cipher-suites".to_owned();
            (check, at.to_owned(), vec!["4.2.12".to_owned()])
        };
        let plain = |check: &str, at: &str| (check.to_owned(), at.to_owned(), vec![]);
        assert_eq!(
            found(config(
                "VersionTLS10",
                json!([
                    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    "TLS_RSA_WITH_3DES_EDE_CBC_SHA"
                ])
            )),
            [
                (
                    "weak-protocol".to_owned(),
                    "/tlsMinVersion".to_owned(),
                    vec![]
                ),
                plain("weak-ciphers", "/tlsCipherSuites/1"),
                kubelet("/tlsCipherSuites/1")
            ]
        );
        assert_eq!(
            found(config("VersionTLS13", json!(["Foo"]))),
            [
                plain("unknown-value", "/tlsCipherSuites/0"),
                kubelet("/tlsCipherSuites/0")
            ]
        );
        // In the API server's list, not in the kubelet's: TLS 1.3 and RSA key exchange.
        assert_eq!(
            found(config(
                "VersionTLS12",
                json!([
                    "TLS_AES_128_GCM_SHA256",
                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                    "TLS_RSA_WITH_AES_128_GCM_SHA256"
                ])
            )),
            [kubelet("/tlsCipherSuites/0"), kubelet("/tlsCipherSuites/2")]
        );
        // Empty or missing: Go's defaults.
        assert_eq!(
            found(config("VersionTLS13", json!([]))),
            [kubelet("/tlsCipherSuites")]
        );
        let bare =
            json!({"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration"});
        assert_eq!(found(bare), [kubelet("")]);
        assert_eq!(
            found(config("VersionTLS12", Value::Null)),
            [kubelet("/tlsCipherSuites")]
        );
        let allowed = crate::ciphers::CIS_KUBELET_SUITES;
        assert!(found(config("VersionTLS12", json!(allowed))).is_empty());
    }

    #[test]
    fn kubelet_container_flags() {
        let kubelet = |args: Value| {
            found(
                json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "kubelet"},
                "spec": {"template": {"spec": {"containers": [{"name": "kubelet", "command": ["kubelet"], "args": args}]}}}}),
            )
        };
        let at = |pointer: &str| {
            vec![(
                "kubelet-cipher-suites".to_owned(),
                format!("/spec/template/spec/containers/0/{pointer}"),
                vec!["4.2.12".to_owned()],
            )]
        };
        assert_eq!(kubelet(json!(["--v=2"])), at("args"));
        assert_eq!(
            kubelet(json!([
                "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"
            ])),
            at("args/0")
        );
        assert!(
            kubelet(json!(["--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]))
                .is_empty()
        );
    }

    #[test]
    fn a_flag_whose_value_names_the_kubelet_is_not_the_kubelet() {
        // prometheus-operator's arguments: the program is the image's, not `kubelet`.
        let operator = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "operator"},
            "spec": {"template": {"spec": {"containers": [{"name": "operator",
                "args": ["--kubelet-service=kube-system/kubelet", "--kubelet-endpoints=true"]}]}}}});
        assert!(found(operator).is_empty());
    }

    /// The checks that judged something, in the rule's order, each with its documents.
    fn coverage(values: Vec<Value>) -> Vec<(String, Vec<u32>)> {
        let set = tollgate_sdk::Manifests::from_values("default", values).unwrap();
        let verdict = <crate::TlsMinVersion as tollgate_sdk::Rule>::check_manifests(
            &set,
            &tollgate_sdk::NoSettings {},
        )
        .unwrap();
        let coverage = verdict.coverage.into_iter();
        coverage.map(|c| (c.check, c.documents)).collect()
    }

    fn judged(checks: &[&str], documents: &[u32]) -> Vec<(String, Vec<u32>)> {
        let judged = checks.iter().map(|c| (c.to_string(), documents.to_vec()));
        judged.collect()
    }

    #[test]
    fn cipher_checks_judge_only_their_component() {
        let version_and_suites = ["weak-protocol", "weak-ciphers"];
        let apiserver_checks = [
            &version_and_suites[..],
            &[
                "apiserver-cipher-suites",
                "verification-disabled",
                "unknown-value",
            ],
        ]
        .concat();
        assert_eq!(
            coverage(vec![apiserver(json!([]))]),
            judged(&apiserver_checks, &[0])
        );
        let config =
            json!({"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration"});
        let kubelet_checks = [
            &version_and_suites[..],
            &["kubelet-cipher-suites", "unknown-value"],
        ]
        .concat();
        assert_eq!(coverage(vec![config]), judged(&kubelet_checks, &[0]));
        // OpenShift's profiles are not the benchmark's lists: no cipher check judges them.
        let openshift = json!({"apiVersion": "machineconfiguration.openshift.io/v1", "kind": "KubeletConfig",
            "spec": {"tlsSecurityProfile": {"type": "Intermediate"}}});
        assert_eq!(
            coverage(vec![openshift]),
            judged(&["weak-protocol", "unknown-value"], &[0])
        );
    }

    #[test]
    fn a_container_or_config_map_without_tls_settings_is_not_judged() {
        let web = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "args": ["--port=80"]}]}});
        let settings = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"mode": "fast"}});
        let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"ports": [{"port": 80}]}});
        assert!(coverage(vec![web, settings, service]).is_empty());
        // The same pod with a TLS flag, or one that switches verification off, is.
        let tls = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "app", "args": ["--tls-min-version=VersionTLS12"]}]}});
        assert_eq!(
            coverage(vec![tls]),
            judged(&["weak-protocol", "weak-ciphers", "unknown-value"], &[0])
        );
    }

    #[test]
    fn api_services_kubeconfigs_and_webhooks_that_skip_verification() {
        let service = json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "v1.x"},
            "spec": {"insecureSkipTLSVerify": true}});
        assert_eq!(
            found(service),
            crate::tests::one("verification-disabled", "/spec/insecureSkipTLSVerify")
        );
        let kubeconfig = json!({"apiVersion": "v1", "kind": "Config", "clusters": [
            "x", {"name": "a", "cluster": {"insecure-skip-tls-verify": "true"}},
            {"name": "b", "cluster": {"insecure-skip-tls-verify": true}}]});
        assert_eq!(
            found(kubeconfig),
            crate::tests::one(
                "verification-disabled",
                "/clusters/2/cluster/insecure-skip-tls-verify"
            )
        );
        let webhooks = json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": "w"}, "webhooks": [{"clientConfig": {"url": 1}}, {"clientConfig": {"url": "HTTP://hook.example.com"}}]});
        assert_eq!(
            found(webhooks),
            crate::tests::one("verification-disabled", "/webhooks/1/clientConfig/url")
        );
    }
}
