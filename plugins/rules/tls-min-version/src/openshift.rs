//! OpenShift: `tlsSecurityProfile` of the API server, ingress controllers and kubelets,
//! and `Route` objects served without TLS.

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
        let Some(kind) = self.text("/spec/tlsSecurityProfile/type") else {
            return;
        };
        match kind {
            "Intermediate" | "Modern" => {}
            "Old" => self.report(
                WEAK_PROTOCOL,
                at.at("type"),
                "tlsSecurityProfile type Old allows TLS 1.0 (effective minimum TLS 1.0); use Intermediate or Modern".into(),
            ),
            "Custom" => match self.text("/spec/tlsSecurityProfile/custom/minTLSVersion") {
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
        let host = self
            .text("/spec/host")
            .map_or(String::new(), |h| format!(" {h}"));
        match self.value("/spec/tls") {
            None | Some(tollgate_sdk::Value::Null) => self.report(
                PLAINTEXT_INGRESS,
                self.nearest("/spec/tls"),
                format!("the route{host} has no spec.tls and is served over plain HTTP; set spec.tls.termination (edge, reencrypt or passthrough)"),
            ),
            Some(_) => {
                let policy = "/spec/tls/insecureEdgeTerminationPolicy";
                if self.text(policy) == Some("Allow") {
                    self.report(
                        PLAINTEXT_INGRESS,
                        Pointer::parse(policy),
                        format!("insecureEdgeTerminationPolicy Allow serves the route{host} over plain HTTP too; set it to Redirect or None"),
                    );
                }
            }
        }
    }
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
