//! OpenShift: `tlsSecurityProfile` of the API server, ingress controllers and kubelets,
//! and `Route` objects served without TLS.

use serde::Deserialize;
use tollgate_sdk::typed::{nullable_object, object, present_object, text};
use tollgate_sdk::{Check, Pointer};

use crate::judge::Judge;
use crate::{PLAINTEXT_INGRESS, UNKNOWN_VALUE, WEAK_PROTOCOL};

impl Judge<'_> {
    /// Judges OpenShift's kinds, returning the checks that judged the object; none for
    /// other kinds.
    pub fn openshift_kinds(&mut self, kind: &str, group: &str) -> &'static [Check] {
        match (kind, group) {
            ("APIServer", "config.openshift.io")
            | ("IngressController", "operator.openshift.io")
            | ("KubeletConfig", "machineconfiguration.openshift.io") => {
                self.openshift_profile();
                &[WEAK_PROTOCOL, UNKNOWN_VALUE]
            }
            ("Route", "route.openshift.io") => {
                self.openshift_route();
                &[PLAINTEXT_INGRESS]
            }
            _ => &[],
        }
    }

    /// OpenShift `spec.tlsSecurityProfile`: `Old` allows TLS 1.0; `Custom` says its minimum.
    pub fn openshift_profile(&mut self) {
        let at = Pointer::root().path(["spec", "tlsSecurityProfile"]);
        let config: ProfiledConfig = self.object.read();
        let profile = config.spec.and_then(|spec| spec.tls_security_profile);
        let Some(profile) = profile else {
            return;
        };
        let Some(kind) = profile.profile_type else {
            return;
        };
        match kind {
            "Intermediate" | "Modern" => {}
            "Old" => self.report(
                WEAK_PROTOCOL,
                at.at("type"),
                "tlsSecurityProfile type Old allows TLS 1.0 (effective minimum TLS 1.0); use Intermediate or Modern".into(),
            ),
            "Custom" => match profile.custom.and_then(|custom| custom.min_tls_version) {
                Some(version) => self.minimum(
                    at.path(["custom", "minTLSVersion"]),
                    "tlsSecurityProfile custom minTLSVersion",
                    version,
                    "VersionTLS12 or newer",
                ),
                None => self.unknown(at.at("type"), "tlsSecurityProfile Custom without minTLSVersion", "Custom"),
            },
            other => self.unknown(at.at("type"), "tlsSecurityProfile type", other),
        }
    }

    /// A `Route` without `spec.tls` is plain HTTP; `insecureEdgeTerminationPolicy: Allow`
    /// serves HTTP beside HTTPS.
    pub fn openshift_route(&mut self) {
        let route: Route = self.object.read();
        let spec = Pointer::root().at("spec");
        let Some(route_spec) = route.spec else {
            return self.route_without_tls(Pointer::root(), "");
        };
        let host = route_spec.host.map_or(String::new(), |h| format!(" {h}"));
        match route_spec.tls {
            None => self.route_without_tls(spec, &host),
            Some(None) => self.route_without_tls(spec.at("tls"), &host),
            Some(Some(tls)) => {
                if tls.insecure_edge_termination_policy == Some("Allow") {
                    self.report(
                        PLAINTEXT_INGRESS,
                        spec.path(["tls", "insecureEdgeTerminationPolicy"]),
                        format!("insecureEdgeTerminationPolicy Allow serves the route{host} over plain HTTP too; set it to Redirect or None"),
                    );
                }
            }
        }
    }

    /// A Route with no `spec.tls` (absent or `null`), reported at `at`.
    fn route_without_tls(&mut self, at: Pointer, host: &str) {
        self.report(
            PLAINTEXT_INGRESS,
            at,
            format!("the route{host} has no spec.tls and is served over plain HTTP; set spec.tls.termination (edge, reencrypt or passthrough)"),
        );
    }
}

/// An OpenShift config with a `spec.tlsSecurityProfile` (APIServer, IngressController,
/// KubeletConfig), read leniently (see [`tollgate_sdk::typed`]).
#[derive(Default, Deserialize)]
#[serde(default)]
struct ProfiledConfig<'a> {
    #[serde(borrow, deserialize_with = "object")]
    spec: Option<ProfiledSpec<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ProfiledSpec<'a> {
    #[serde(borrow, deserialize_with = "object")]
    tls_security_profile: Option<TlsSecurityProfile<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct TlsSecurityProfile<'a> {
    #[serde(borrow, rename = "type", deserialize_with = "text")]
    profile_type: Option<&'a str>,
    #[serde(borrow, deserialize_with = "object")]
    custom: Option<CustomProfile<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CustomProfile<'a> {
    #[serde(borrow, rename = "minTLSVersion", deserialize_with = "text")]
    min_tls_version: Option<&'a str>,
}

/// A `Route`: `spec` is `Some` whenever it is there; `tls` tells absent from `null`
/// (which findings point at differently).
#[derive(Default, Deserialize)]
#[serde(default)]
struct Route<'a> {
    #[serde(borrow, deserialize_with = "present_object")]
    spec: Option<RouteSpec<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RouteSpec<'a> {
    #[serde(borrow, deserialize_with = "text")]
    host: Option<&'a str>,
    #[serde(borrow, deserialize_with = "nullable_object")]
    tls: Option<Option<RouteTls<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RouteTls<'a> {
    #[serde(borrow, deserialize_with = "text")]
    insecure_edge_termination_policy: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use crate::tests::{found, one};
    use tollgate_sdk::{Value, serde_json::json};

    #[test]
    fn security_profiles() {
        let profile = |p: Value| {
            found(
                json!({"apiVersion": "config.openshift.io/v1", "kind": "APIServer",
            "metadata": {"name": "cluster"}, "spec": {"tlsSecurityProfile": p}}),
            )
        };
        assert_eq!(
            profile(json!({"type": "Old", "old": {}})),
            one("weak-protocol", "/spec/tlsSecurityProfile/type")
        );
        assert_eq!(
            profile(json!({"type": "Custom", "custom": {"minTLSVersion": "VersionTLS10"}})),
            one(
                "weak-protocol",
                "/spec/tlsSecurityProfile/custom/minTLSVersion"
            )
        );
        assert!(profile(json!({"type": "Intermediate"})).is_empty());
    }

    fn route(spec: Option<Value>) -> Vec<(String, String, Vec<String>)> {
        let mut route = json!({"apiVersion": "route.openshift.io/v1", "kind": "Route",
                               "metadata": {"name": "shop", "namespace": "web"}});
        if let Some(spec) = spec {
            route["spec"] = spec;
        }
        found(route)
    }

    #[test]
    fn routes_without_tls() {
        let to = json!({"kind": "Service", "name": "shop"});
        assert_eq!(
            route(Some(json!({"host": "shop.example.com", "to": to}))),
            one("plaintext-ingress", "/spec")
        );
        assert_eq!(
            route(Some(json!({"to": to, "tls": null}))),
            one("plaintext-ingress", "/spec/tls")
        );
        assert_eq!(route(None), one("plaintext-ingress", ""));
        assert_eq!(route(Some(json!("x"))), one("plaintext-ingress", "/spec"));
        assert!(route(Some(json!({"to": to, "tls": "edge"}))).is_empty());
        assert_eq!(
            route(Some(
                json!({"to": to, "tls": {"termination": "edge", "insecureEdgeTerminationPolicy": "Allow"}})
            )),
            one(
                "plaintext-ingress",
                "/spec/tls/insecureEdgeTerminationPolicy"
            )
        );
        for policy in ["Redirect", "None"] {
            let tls = json!({"termination": "edge", "insecureEdgeTerminationPolicy": policy});
            assert!(
                route(Some(json!({"to": to, "tls": tls}))).is_empty(),
                "{policy}"
            );
        }
        assert!(
            route(Some(
                json!({"to": to, "tls": {"termination": "passthrough"}})
            ))
            .is_empty()
        );
    }
}
