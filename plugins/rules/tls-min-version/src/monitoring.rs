//! Monitoring: Prometheus-operator scrape targets (`ServiceMonitor`, `PodMonitor`, `Probe`,
//! `ScrapeConfig`) and Prometheus configurations carried in ConfigMaps and Secrets, where
//! they scrape without verifying certificates.

use std::borrow::Cow;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Deserialize;
use tollgate_sdk::typed::{TextMap, object, objects, present_object, scalar, text, text_map};
use tollgate_sdk::{Check, Object, Pointer};

use crate::VERIFICATION_DISABLED;
use crate::judge::Judge;
use crate::scrape::{self, SkipVerify};

impl Judge<'_> {
    /// Judges Prometheus-operator targets and the Prometheus configurations ConfigMaps
    /// and Secrets carry; each is recorded as judged only when it holds TLS settings.
    pub fn monitoring_kinds(&mut self, kind: &str, group: &str) -> &'static [Check] {
        match (kind, group) {
            (
                "ServiceMonitor" | "PodMonitor" | "Probe" | "ScrapeConfig",
                "monitoring.coreos.com",
            ) => self.prometheus_operator_target(),
            ("ConfigMap", "") => self.configmap_scrape_configs(),
            ("Secret", "") => self.secret_scrape_configs(),
            _ => {}
        }
        &[]
    }

    /// `tlsConfig.insecureSkipVerify: true` on a Prometheus-operator scrape target; a
    /// monitor with a `tlsConfig` is judged.
    pub fn prometheus_operator_target(&mut self) {
        let targets = scrape_targets(self.object);
        if targets.iter().any(|(_, t)| t.tls_config.is_some()) {
            self.judged(&[VERIFICATION_DISABLED]);
        }
        for (at, target) in targets {
            let tls = target.tls_config.unwrap_or_default();
            if tls.insecure_skip_verify == Some(true) {
                let which = target.port.map_or(String::new(), |p| format!(" port {p}"));
                self.report(
                    VERIFICATION_DISABLED,
                    at.path(["tlsConfig", "insecureSkipVerify"]),
                    format!("scrapes{which} without verifying the target's certificate (tlsConfig.insecureSkipVerify: true); set tlsConfig.ca and serverName instead"),
                );
            }
        }
    }

    /// Prometheus configurations in a ConfigMap's `data`.
    pub fn configmap_scrape_configs(&mut self) {
        let maps: ConfigData = self.object.read();
        let entries = string_entries(maps.data, Some);
        self.scrape_configs("data", entries);
    }

    /// Prometheus configurations in a Secret's `stringData` or (base64) `data`. Nothing of
    /// the Secret is ever quoted.
    pub fn secret_scrape_configs(&mut self) {
        let maps: ConfigData = self.object.read();
        let plain = string_entries(maps.string_data, Some);
        let encoded = string_entries(maps.data, |text| {
            let decoded = String::from_utf8(STANDARD.decode(text.trim()).ok()?).ok();
            decoded.map(Cow::Owned)
        });
        self.scrape_configs("stringData", plain);
        self.scrape_configs("data", encoded);
    }

    /// Reports each place the Prometheus configurations among `entries` skip verification;
    /// an object holding one is judged.
    fn scrape_configs(&mut self, field: &str, entries: Vec<(Cow<str>, Cow<str>)>) {
        let mut any = false;
        for (key, text) in entries {
            let Some(found) = scrape::skipped_verification(&text) else {
                continue;
            };
            if !any {
                self.judged(&[VERIFICATION_DISABLED]);
            }
            any = true;
            let at = Pointer::root().at(field).at(&key);
            for (ordinal, skip) in found.into_iter().enumerate() {
                self.report_skip(at.clone(), &key, ordinal, skip);
            }
        }
    }

    fn report_skip(&mut self, at: Pointer, key: &str, ordinal: usize, skip: SkipVerify) {
        let SkipVerify { line, job } = skip;
        let place = match &job {
            Some(job) => format!("scrape job {job}"),
            None => "the Prometheus configuration".to_owned(),
        };
        let identity = format!("{at}#{}#{ordinal}", job.as_deref().unwrap_or(""));
        let message = format!(
            "{}: {place} sets insecure_skip_verify: true (line {line} of {key}): its targets' certificates are not verified; set tls_config.ca_file and server_name instead",
            self.object.display_name()
        );
        let finding = VERIFICATION_DISABLED.at(self.object, at, message);
        self.tally.found(finding.with_identity(identity));
    }
}

/// The scrape targets of a Prometheus-operator object, each with its pointer: the
/// endpoints of a ServiceMonitor or PodMonitor, the spec itself of the other kinds.
fn scrape_targets(object: &Object) -> Vec<(Pointer, ScrapeTarget<'_>)> {
    let spec = Pointer::root().at("spec");
    let field = match object.kind.as_str() {
        "ServiceMonitor" => "endpoints",
        "PodMonitor" => "podMetricsEndpoints",
        _ => {
            let single: SingleTarget = object.read();
            return single
                .spec
                .map(|target| (spec, target))
                .into_iter()
                .collect();
        }
    };
    let monitor: Monitor = object.read();
    let monitor_spec = monitor.spec.unwrap_or_default();
    let list = match field {
        "endpoints" => monitor_spec.endpoints,
        _ => monitor_spec.pod_metrics_endpoints,
    };
    let at = spec.at(field);
    let targets = list.into_iter().flatten().enumerate();
    targets.map(|(i, target)| (at.at(i), target)).collect()
}

/// The string entries of a map, each read by `read` (entries it refuses are skipped).
fn string_entries<'a>(
    map: TextMap<'a>,
    read: impl Fn(Cow<'a, str>) -> Option<Cow<'a, str>>,
) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    map.into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key, read(value?)?)))
        .collect()
}

/// A ServiceMonitor or PodMonitor: its list of endpoints (read leniently, see
/// [`tollgate_sdk::typed`]).
#[derive(Default, Deserialize)]
#[serde(default)]
struct Monitor<'a> {
    #[serde(borrow, deserialize_with = "object")]
    spec: Option<MonitorSpec<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct MonitorSpec<'a> {
    #[serde(borrow, deserialize_with = "objects")]
    endpoints: Option<Vec<ScrapeTarget<'a>>>,
    #[serde(borrow, deserialize_with = "objects")]
    pod_metrics_endpoints: Option<Vec<ScrapeTarget<'a>>>,
}

/// A Probe or ScrapeConfig, whose spec is its one target (`Some` whenever it is there).
#[derive(Default, Deserialize)]
#[serde(default)]
struct SingleTarget<'a> {
    #[serde(borrow, deserialize_with = "present_object")]
    spec: Option<ScrapeTarget<'a>>,
}

/// A scrape target: `tlsConfig` is `Some` whenever it is there (`null` included).
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ScrapeTarget<'a> {
    #[serde(deserialize_with = "present_object")]
    tls_config: Option<TlsConfig>,
    #[serde(borrow, deserialize_with = "text")]
    port: Option<&'a str>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TlsConfig {
    #[serde(deserialize_with = "scalar")]
    insecure_skip_verify: Option<bool>,
}

/// The string maps of a ConfigMap or Secret.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ConfigData<'a> {
    #[serde(borrow, deserialize_with = "text_map")]
    data: TextMap<'a>,
    #[serde(borrow, deserialize_with = "text_map")]
    string_data: TextMap<'a>,
}

#[cfg(test)]
mod tests {
    use crate::tests::{found, one};
    use base64::{Engine, engine::general_purpose::STANDARD};
    use tollgate_sdk::{Value, serde_json::json};

    fn monitor(kind: &str, spec: Value) -> Value {
        json!({"apiVersion": "monitoring.coreos.com/v1", "kind": kind,
               "metadata": {"name": "m", "namespace": "monitoring"}, "spec": spec})
    }

    #[test]
    fn operator_targets_that_skip_verification() {
        let skip = json!({"insecureSkipVerify": true});
        let verify =
            json!({"ca": {"configMap": {"name": "ca", "key": "ca.crt"}}, "serverName": "x"});
        let endpoints = json!([{"port": "web", "tlsConfig": verify}, {"port": "https", "scheme": "https", "tlsConfig": skip}]);
        assert_eq!(
            found(monitor("ServiceMonitor", json!({"endpoints": endpoints}))),
            one(
                "verification-disabled",
                "/spec/endpoints/1/tlsConfig/insecureSkipVerify"
            )
        );
        assert_eq!(
            found(monitor(
                "PodMonitor",
                json!({"podMetricsEndpoints": endpoints})
            )),
            one(
                "verification-disabled",
                "/spec/podMetricsEndpoints/1/tlsConfig/insecureSkipVerify"
            )
        );
        assert_eq!(
            found(monitor("Probe", json!({"tlsConfig": skip}))),
            one(
                "verification-disabled",
                "/spec/tlsConfig/insecureSkipVerify"
            )
        );
        // Traps: false, a string "true" the operator rejects, no tlsConfig.
        let traps = json!([{"tlsConfig": {"insecureSkipVerify": false}},
                           {"tlsConfig": {"insecureSkipVerify": "true"}}, {"port": "web"}]);
        assert!(found(monitor("ServiceMonitor", json!({"endpoints": traps}))).is_empty());
        let odd = json!(["x", null, {"tlsConfig": null, "port": 1},
                         {"port": 8443, "tlsConfig": {"insecureSkipVerify": true}}]);
        assert_eq!(
            found(monitor("ServiceMonitor", json!({"endpoints": odd}))),
            one(
                "verification-disabled",
                "/spec/endpoints/3/tlsConfig/insecureSkipVerify"
            )
        );
        assert!(found(monitor("Probe", json!("x"))).is_empty());
    }

    const PROMETHEUS_YML: &str = "scrape_configs:\n- job_name: kubelet\n  scheme: https\n  tls_config:\n    insecure_skip_verify: true\n- job_name: node\n  tls_config:\n    ca_file: /ca.crt\n";

    fn holder(kind: &str, field: &str, key: &str, text: &str) -> Value {
        json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "prometheus", "namespace": "monitoring"},
               field: {key: text}})
    }

    #[test]
    fn scrape_configs_in_configmaps_and_secrets() {
        let cases = [
            (
                "ConfigMap",
                "data",
                "prometheus.yml",
                PROMETHEUS_YML.to_owned(),
            ),
            (
                "Secret",
                "stringData",
                "prometheus.yaml",
                PROMETHEUS_YML.to_owned(),
            ),
            (
                "Secret",
                "data",
                "additional-scrape-configs.yaml",
                STANDARD.encode("- job_name: legacy\n  tls_config: {insecure_skip_verify: true}\n"),
            ),
        ];
        for (kind, field, key, text) in cases {
            let at = format!("/{field}/{}", key);
            assert_eq!(
                found(holder(kind, field, key, &text)),
                one("verification-disabled", &at),
                "{kind} {field}"
            );
        }
    }

    #[test]
    fn the_message_names_job_and_line_and_quotes_nothing_else() {
        let set = tollgate_sdk::Manifests::from_values(
            "default",
            vec![holder(
                "Secret",
                "stringData",
                "prometheus.yml",
                PROMETHEUS_YML,
            )],
        )
        .unwrap();
        let verdict = <crate::TlsMinVersion as tollgate_sdk::Rule>::check_manifests(
            &set,
            &tollgate_sdk::NoSettings {},
        )
        .unwrap();
        assert_eq!(
            verdict.findings[0].message,
            "Secret monitoring/prometheus: scrape job kubelet sets insecure_skip_verify: true (line 5 of prometheus.yml): its targets' certificates are not verified; set tls_config.ca_file and server_name instead"
        );
    }

    #[test]
    fn other_configmaps_and_secrets_are_not_findings() {
        let blackbox = "modules:\n  tcp:\n    tls_config:\n      insecure_skip_verify: true\n";
        assert!(found(holder("ConfigMap", "data", "config.yml", blackbox)).is_empty());
        let off = PROMETHEUS_YML.replace("true", "false");
        assert!(found(holder("Secret", "stringData", "prometheus.yml", &off)).is_empty());
        assert!(
            found(holder(
                "Secret",
                "data",
                "prometheus.yml",
                "not base64 insecure_skip_verify"
            ))
            .is_empty()
        );
        let commented = "scrape_configs: []\n# insecure_skip_verify: true\n";
        assert!(found(holder("ConfigMap", "data", "prometheus.yml", commented)).is_empty());
    }
}
