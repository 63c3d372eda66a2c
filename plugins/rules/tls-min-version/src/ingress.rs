//! Ingress controllers: the `Ingress` object (ingress-nginx annotations, hosts without
//! TLS), the ingress-nginx controller ConfigMap, Traefik `TLSOption`, and Gateway API
//! `Gateway` listeners. Cloud load balancer annotations on an Ingress are read by
//! [`crate::cloud`].

use serde::Deserialize;
use tollgate_sdk::typed::{
    TextList, TextMap, object, objects, present, present_texts, text, text_map, texts,
};
use tollgate_sdk::{Check, Pointer};

use crate::checks::VERSION_AND_SUITES;
use crate::command::is_false;
use crate::judge::{Component, Judge};
use crate::protocol::parse_list;
use crate::{PLAINTEXT_INGRESS, UNKNOWN_VALUE, WEAK_CIPHERS, WEAK_PROTOCOL, ciphers};

/// ingress-nginx annotations (and, without the prefix, controller ConfigMap keys).
pub const NGINX_PROTOCOLS: &str = "nginx.ingress.kubernetes.io/ssl-protocols";
pub const NGINX_CIPHERS: &str = "nginx.ingress.kubernetes.io/ssl-ciphers";
pub const NGINX_SSL_REDIRECT: &str = "nginx.ingress.kubernetes.io/ssl-redirect";

fn annotation_at(key: &str) -> Pointer {
    Pointer::root().path(["metadata", "annotations", key])
}

impl Judge<'_> {
    /// Judges the kinds of ingress controllers (and the ingress-nginx ConfigMap keys),
    /// returning the checks that judged the object; none for other kinds.
    pub fn ingress_kinds(&mut self, kind: &str, group: &str) -> &'static [Check] {
        match (kind, group) {
            ("Ingress", _) => {
                self.ingress();
                &[
                    WEAK_PROTOCOL,
                    WEAK_CIPHERS,
                    PLAINTEXT_INGRESS,
                    UNKNOWN_VALUE,
                ]
            }
            ("ConfigMap", "") => {
                self.nginx_configmap();
                &[]
            }
            ("Gateway", "gateway.networking.k8s.io") => {
                self.gateway_api();
                &[PLAINTEXT_INGRESS]
            }
            ("TLSOption", "traefik.io" | "traefik.containo.us") => {
                self.traefik_option();
                &VERSION_AND_SUITES
            }
            _ => &[],
        }
    }

    /// An `Ingress`: ingress-nginx TLS annotations, cloud load balancer annotations, and
    /// hosts served without TLS.
    pub fn ingress(&mut self) {
        let object = self.object;
        if let Some(value) = self.annotation(NGINX_PROTOCOLS) {
            let what = "ingress-nginx annotation ssl-protocols";
            self.nginx_protocols(annotation_at(NGINX_PROTOCOLS), what, &value);
        }
        if let Some(value) = self.annotation(NGINX_CIPHERS) {
            let what = "ingress-nginx annotation ssl-ciphers";
            self.nginx_ciphers(annotation_at(NGINX_CIPHERS), what, &value);
        }
        let tls_by_annotation = self.cloud_ingress_annotations();
        let ingress: Ingress = object.read();
        let spec = ingress.spec.unwrap_or_default();
        let tls_entries = spec.tls.as_deref().unwrap_or_default();
        let has_tls = tls_by_annotation || !tls_entries.is_empty();
        if has_tls
            && self
                .annotation(NGINX_SSL_REDIRECT)
                .is_some_and(|value| is_false(&value))
        {
            self.report(
                PLAINTEXT_INGRESS,
                annotation_at(NGINX_SSL_REDIRECT),
                "ssl-redirect is \"false\": clients may keep using plain HTTP; remove it or set it to \"true\"".into(),
            );
        }
        if !tls_by_annotation {
            self.plaintext_hosts(&spec);
        }
    }

    /// Ingress hosts that no `spec.tls` entry covers are served in plaintext.
    fn plaintext_hosts(&mut self, spec: &IngressSpec) {
        let tls_entries = spec.tls.as_deref().unwrap_or_default();
        let listed = tls_entries
            .iter()
            .filter_map(|t| t.hosts.as_ref()?.as_ref());
        let tls_hosts: Vec<&str> = listed.flatten().flatten().copied().collect();
        // An entry without hosts serves the controller's default certificate for all.
        let default_certificate = tls_entries.iter().any(|t| t.hosts.is_none());
        let covered = |host: &str| {
            default_certificate || tls_hosts.iter().any(|pattern| host_matches(pattern, host))
        };
        let rules = spec.rules.as_deref().unwrap_or_default();
        for (i, rule) in rules.iter().enumerate() {
            let at = Pointer::root().path(["spec", "rules"]).at(i);
            match rule.host {
                Some(host) if !covered(host) => self.report(
                    PLAINTEXT_INGRESS,
                    at.at("host"),
                    format!("host {host} is served without TLS; add it to a spec.tls entry"),
                ),
                None if !default_certificate => self.report(
                    PLAINTEXT_INGRESS,
                    at,
                    "a rule without a host is served without TLS; add a spec.tls entry".into(),
                ),
                _ => {}
            }
        }
        if rules.is_empty() && tls_entries.is_empty() && spec.default_backend {
            self.report(
                PLAINTEXT_INGRESS,
                Pointer::root().path(["spec", "defaultBackend"]),
                "the default backend is served without TLS; add a spec.tls entry".into(),
            );
        }
    }

    /// ingress-nginx `ssl-protocols`: a space-separated list; any below TLS 1.2 fails.
    fn nginx_protocols(&mut self, at: Pointer, what: &str, value: &str) {
        let (known, unknown) = parse_list(value);
        let weak: Vec<&str> = known
            .iter()
            .filter(|(_, p)| p.is_weak())
            .map(|(token, _)| *token)
            .collect();
        if let Some(lowest) = known.iter().map(|(_, p)| *p).min().filter(|p| p.is_weak()) {
            self.report(
                WEAK_PROTOCOL,
                at.clone(),
                format!(
                    "{what} enables {} (effective minimum {}); set it to \"TLSv1.2 TLSv1.3\"",
                    weak.join(", "),
                    lowest.name()
                ),
            );
        }
        for token in unknown {
            self.unknown(at.clone(), what, token);
        }
    }

    /// ingress-nginx `ssl-ciphers`: an OpenSSL cipher string.
    fn nginx_ciphers(&mut self, at: Pointer, what: &str, value: &str) {
        let weak = ciphers::weak_openssl(value);
        if !weak.is_empty() {
            self.report(
                WEAK_CIPHERS,
                at,
                format!(
                    "{what} enables weak ciphers {}; list only ECDHE AEAD ciphers (GCM, CHACHA20)",
                    weak.join(", ")
                ),
            );
        }
    }

    /// The ingress-nginx controller ConfigMap keys `ssl-protocols` and `ssl-ciphers`; a
    /// ConfigMap with either is judged.
    pub fn nginx_configmap(&mut self) {
        let config_map: ConfigMap = self.object.read();
        let data = config_map.data.unwrap_or_default();
        let key = |wanted: &str| {
            data.iter()
                .find(|(key, _)| *key == wanted)
                .map(|(_, v)| v.as_deref())
        };
        let (protocols, ciphers) = (key("ssl-protocols"), key("ssl-ciphers"));
        if protocols.is_some() || ciphers.is_some() {
            self.judged(&VERSION_AND_SUITES);
        }
        if let Some(value) = protocols.flatten() {
            let at = Pointer::root().path(["data", "ssl-protocols"]);
            self.nginx_protocols(at, "ingress-nginx ConfigMap key ssl-protocols", value);
        }
        if let Some(value) = ciphers.flatten() {
            let at = Pointer::root().path(["data", "ssl-ciphers"]);
            self.nginx_ciphers(at, "ingress-nginx ConfigMap key ssl-ciphers", value);
        }
    }

    /// Traefik `TLSOption`: `minVersion` and `cipherSuites`.
    pub fn traefik_option(&mut self) {
        let option: TlsOption = self.object.read();
        let spec = option.spec.unwrap_or_default();
        let at = Pointer::root().at("spec");
        if let Some(version) = spec.min_version {
            let what = "Traefik TLSOption minVersion";
            self.minimum(at.at("minVersion"), what, version, "VersionTLS12 or newer");
        }
        let what = "Traefik TLSOption cipherSuites";
        let suites = spec.cipher_suites.unwrap_or_default();
        self.suite_entries(&at.at("cipherSuites"), &suites, what, Component::Other);
    }

    /// Gateway API `Gateway`: an `HTTP` listener serves its hostname in plaintext unless an
    /// `HTTPS` listener of the same Gateway serves that hostname too (the HTTP one then
    /// typically redirects).
    pub fn gateway_api(&mut self) {
        let gateway: Gateway = self.object.read();
        let spec = gateway.spec.unwrap_or_default();
        let listeners = spec.listeners.unwrap_or_default();
        let https: Vec<Option<&str>> = listeners
            .iter()
            .filter(|l| l.protocol == Some("HTTPS"))
            .map(|l| l.hostname)
            .collect();
        for (i, listener) in listeners.iter().enumerate() {
            if listener.protocol != Some("HTTP") {
                continue;
            }
            let host = listener.hostname;
            let covered = https.iter().any(|secure| match (secure, host) {
                (None, _) => true,
                (Some(pattern), Some(host)) => host_matches(pattern, host),
                (Some(_), None) => false,
            });
            if !covered {
                let name = listener.name.unwrap_or("");
                let served = host.map_or("every hostname".to_owned(), |h| format!("hostname {h}"));
                self.report(
                    PLAINTEXT_INGRESS,
                    Pointer::root().path(["spec", "listeners"]).at(i).at("protocol"),
                    format!("listener {name} serves {served} over plain HTTP and no HTTPS listener serves it; add an HTTPS listener with a certificateRef"),
                );
            }
        }
    }
}

/// An `Ingress`, the fields about TLS and what it serves (read leniently, see
/// [`tollgate_sdk::typed`]).
#[derive(Default, Deserialize)]
#[serde(default)]
struct Ingress<'a> {
    #[serde(borrow, deserialize_with = "object")]
    spec: Option<IngressSpec<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct IngressSpec<'a> {
    #[serde(borrow, deserialize_with = "objects")]
    tls: Option<Vec<IngressTls<'a>>>,
    #[serde(borrow, deserialize_with = "objects")]
    rules: Option<Vec<IngressRule<'a>>>,
    #[serde(deserialize_with = "present")]
    default_backend: bool,
}

/// A `spec.tls` entry: `hosts` is `None` when absent (then the entry serves the
/// controller's default certificate for every host), `Some(None)` when no list.
#[derive(Default, Deserialize)]
#[serde(default)]
struct IngressTls<'a> {
    #[serde(borrow, deserialize_with = "present_texts")]
    hosts: Option<TextList<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct IngressRule<'a> {
    #[serde(borrow, deserialize_with = "text")]
    host: Option<&'a str>,
}

/// A ConfigMap's `data` (the ingress-nginx controller's keys among them).
#[derive(Default, Deserialize)]
#[serde(default)]
struct ConfigMap<'a> {
    #[serde(borrow, deserialize_with = "text_map")]
    data: TextMap<'a>,
}

/// A Traefik `TLSOption`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct TlsOption<'a> {
    #[serde(borrow, deserialize_with = "object")]
    spec: Option<TlsOptionSpec<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TlsOptionSpec<'a> {
    #[serde(borrow, deserialize_with = "text")]
    min_version: Option<&'a str>,
    #[serde(borrow, deserialize_with = "texts")]
    cipher_suites: Option<Vec<Option<&'a str>>>,
}

/// A Gateway API `Gateway`'s listeners.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Gateway<'a> {
    #[serde(borrow, deserialize_with = "object")]
    spec: Option<GatewaySpec<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GatewaySpec<'a> {
    #[serde(borrow, deserialize_with = "objects")]
    listeners: Option<Vec<Listener<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Listener<'a> {
    #[serde(borrow, deserialize_with = "text")]
    name: Option<&'a str>,
    #[serde(borrow, deserialize_with = "text")]
    hostname: Option<&'a str>,
    #[serde(borrow, deserialize_with = "text")]
    protocol: Option<&'a str>,
}

/// Whether a TLS host pattern (`a.example.com`, `*.example.com`) covers `host`.
fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => host.split_once('.').is_some_and(|(_, rest)| rest == suffix),
        None => pattern == host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{found, ingress, one};
    use tollgate_sdk::Value;
    use tollgate_sdk::serde_json::json;

    fn with_tls() -> Value {
        json!({"tls": [{"hosts": ["a.example.com"], "secretName": "a"}], "rules": [{"host": "a.example.com"}]})
    }

    #[test]
    fn nginx_lists_are_parsed() {
        let at = "/metadata/annotations/nginx.ingress.kubernetes.io~1ssl-protocols";
        let nginx = |p: &str| found(ingress(json!({NGINX_PROTOCOLS: p}), with_tls()));
        assert!(nginx("TLSv1.2 TLSv1.3").is_empty());
        assert!(nginx("  tlsv1.3 ").is_empty());
        assert_eq!(nginx("TLSv1 TLSv1.2"), one("weak-protocol", at));
        assert_eq!(nginx("TLSv1.2 TLSv9"), one("unknown-value", at));
    }

    #[test]
    fn nginx_ciphers() {
        let at = "/metadata/annotations/nginx.ingress.kubernetes.io~1ssl-ciphers";
        let weak = ingress(
            json!({NGINX_CIPHERS: "ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA"}),
            with_tls(),
        );
        assert_eq!(found(weak), one("weak-ciphers", at));
    }

    #[test]
    fn plaintext_hosts_and_redirects() {
        let spec = json!({"tls": [{"hosts": ["*.example.com"]}],
                          "rules": [{"host": "a.example.com"}, {"host": "example.org"}, {}]});
        assert_eq!(
            found(ingress(json!({}), spec)),
            [
                (
                    "plaintext-ingress".into(),
                    "/spec/rules/1/host".into(),
                    vec![]
                ),
                ("plaintext-ingress".into(), "/spec/rules/2".into(), vec![])
            ]
        );
        let default_cert =
            json!({"tls": [{"secretName": "wildcard"}], "rules": [{"host": "x.io"}]});
        assert!(found(ingress(json!({}), default_cert)).is_empty());
        let odd_entry_serves_the_default =
            json!({"tls": [{"hosts": null}, "x"], "rules": [{"host": "x.io"}]});
        assert!(found(ingress(json!({}), odd_entry_serves_the_default)).is_empty());
        let hosts_not_a_list = json!({"tls": [{"hosts": "x.io"}], "rules": [{"host": "x.io"}], "defaultBackend": null});
        assert_eq!(
            found(ingress(json!({}), hosts_not_a_list)),
            one("plaintext-ingress", "/spec/rules/0/host")
        );
        let only_default_backend = json!({"defaultBackend": null});
        assert_eq!(
            found(ingress(json!({}), only_default_backend)),
            one("plaintext-ingress", "/spec/defaultBackend")
        );
        assert_eq!(
            found(ingress(json!({NGINX_SSL_REDIRECT: "false"}), with_tls())),
            one(
                "plaintext-ingress",
                "/metadata/annotations/nginx.ingress.kubernetes.io~1ssl-redirect"
            )
        );
    }

    #[test]
    fn traefik_options() {
        let option = |spec: Value| {
            found(
                json!({"apiVersion": "traefik.io/v1alpha1", "kind": "TLSOption",
                         "metadata": {"name": "o"}, "spec": spec}),
            )
        };
        assert_eq!(
            option(json!({"minVersion": "VersionTLS11"})),
            one("weak-protocol", "/spec/minVersion")
        );
        assert_eq!(
            option(
                json!({"cipherSuites": ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_64_GCM_SHA256"]})
            ),
            one("unknown-value", "/spec/cipherSuites/1")
        );
        assert!(option(json!({"minVersion": "VersionTLS12"})).is_empty());
    }

    fn gateway(listeners: Value) -> Vec<(String, String, Vec<String>)> {
        found(
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                     "metadata": {"name": "web"},
                     "spec": {"gatewayClassName": "istio", "listeners": listeners}}),
        )
    }

    #[test]
    fn gateway_api_http_listeners_without_an_https_twin() {
        let http = |host: Option<&str>| match host {
            Some(h) => json!({"name": "http", "protocol": "HTTP", "port": 80, "hostname": h}),
            None => json!({"name": "http", "protocol": "HTTP", "port": 80}),
        };
        let https = |host: &str| {
            json!({"name": "https", "protocol": "HTTPS", "port": 443, "hostname": host,
                                        "tls": {"certificateRefs": [{"name": "cert"}]}})
        };
        let at = "/spec/listeners/0/protocol";
        assert_eq!(gateway(json!([http(None)])), one("plaintext-ingress", at));
        assert_eq!(
            gateway(json!([
                http(Some("shop.example.com")),
                https("api.example.com")
            ])),
            one("plaintext-ingress", at)
        );
        // Only a wildcard HTTPS listener: a catch-all HTTP listener still serves others.
        assert_eq!(
            gateway(json!([http(None), https("*.example.com")])),
            one("plaintext-ingress", at)
        );
        // Traps: an HTTPS twin for the hostname (the HTTP listener redirects), a wildcard
        // twin, an HTTPS listener for every hostname, TCP and TLS listeners.
        assert!(
            gateway(json!([
                http(Some("shop.example.com")),
                https("shop.example.com")
            ]))
            .is_empty()
        );
        assert!(gateway(json!([http(Some("a.example.com")), https("*.example.com")])).is_empty());
        let any_https = json!({"name": "https", "protocol": "HTTPS", "port": 443});
        assert!(gateway(json!([http(Some("a.example.com")), any_https])).is_empty());
        let passthrough =
            json!({"name": "tls", "protocol": "TLS", "port": 443, "tls": {"mode": "Passthrough"}});
        assert!(
            gateway(json!([passthrough, {"name": "db", "protocol": "TCP", "port": 5432}]))
                .is_empty()
        );
    }
}
