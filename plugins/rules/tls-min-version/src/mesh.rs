//! Service meshes: Istio `Gateway` minimum versions and `DestinationRule` client TLS.

use tollgate_sdk::{Check, Pointer, Value};

use crate::judge::Judge;
use crate::{UNKNOWN_VALUE, VERIFICATION_DISABLED, WEAK_PROTOCOL};

/// Host suffixes of in-cluster services: plaintext to them is the mesh's business.
const CLUSTER_SUFFIXES: [&str; 3] = [".svc", ".svc.cluster.local", ".cluster.local"];

impl Judge<'_> {
    /// Judges the kinds of service meshes (Istio), returning the checks that judged the
    /// object; none for other kinds.
    pub fn mesh_kinds(&mut self, kind: &str, group: &str) -> &'static [Check] {
        match (kind, group) {
            ("Gateway", "networking.istio.io") => {
                self.istio_gateway();
                &[WEAK_PROTOCOL, UNKNOWN_VALUE]
            }
            ("DestinationRule", "networking.istio.io") => {
                self.istio_destination_rule();
                &[VERIFICATION_DISABLED]
            }
            _ => &[],
        }
    }

    /// Istio `Gateway`: each server's `tls.minProtocolVersion` (`TLS_AUTO` is the safe default).
    pub fn istio_gateway(&mut self) {
        for (i, server) in self.list("/spec/servers").iter().enumerate() {
            let Some(version) = server
                .pointer("/tls/minProtocolVersion")
                .and_then(Value::as_str)
            else {
                continue;
            };
            if version == "TLS_AUTO" {
                continue;
            }
            let at = Pointer::root()
                .path(["spec", "servers"])
                .at(i)
                .path(["tls", "minProtocolVersion"]);
            self.minimum(
                at,
                "Istio Gateway minProtocolVersion",
                version,
                "TLSV1_2 or TLSV1_3",
            );
        }
    }

    /// Istio `DestinationRule`: client TLS that skips verification, or plaintext to a host
    /// outside the cluster.
    pub fn istio_destination_rule(&mut self) {
        let host = self.text("/spec/host").unwrap_or("");
        let external = host.contains('.')
            && !host.contains('*')
            && !CLUSTER_SUFFIXES.iter().any(|s| host.ends_with(s));
        for (at, tls) in self.traffic_policies() {
            if tls.get("insecureSkipVerify").and_then(Value::as_bool) == Some(true) {
                self.report(
                    VERIFICATION_DISABLED,
                    at.at("insecureSkipVerify"),
                    format!("insecureSkipVerify is true: the certificate of {host} is not verified; remove it and set caCertificates"),
                );
            }
            if external && tls.get("mode").and_then(Value::as_str) == Some("DISABLE") {
                self.report(
                    VERIFICATION_DISABLED,
                    at.at("mode"),
                    format!("tls mode DISABLE sends plaintext to the external host {host}; use SIMPLE or MUTUAL"),
                );
            }
        }
    }
}

impl<'a> Judge<'a> {
    /// Every `tls` block of a DestinationRule (top level, per port, per subset) that is an
    /// object, with its pointer.
    fn traffic_policies(&self) -> Vec<(Pointer, &'a Value)> {
        let spec = Pointer::root().at("spec");
        let mut policies = tls_blocks(spec.at("trafficPolicy"), self.value("/spec/trafficPolicy"));
        for (i, subset) in self.list("/spec/subsets").iter().enumerate() {
            let at = spec.at("subsets").at(i).at("trafficPolicy");
            policies.extend(tls_blocks(at, subset.get("trafficPolicy")));
        }
        policies
    }
}

/// The `tls` blocks of one traffic policy at `at`: its own and each port's.
fn tls_blocks(at: Pointer, policy: Option<&Value>) -> Vec<(Pointer, &Value)> {
    let Some(policy) = policy else {
        return Vec::new();
    };
    let ports = policy.get("portLevelSettings").and_then(Value::as_array);
    let port_tls = ports
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, port)| (at.at("portLevelSettings").at(i).at("tls"), port.get("tls")));
    std::iter::once((at.at("tls"), policy.get("tls")))
        .chain(port_tls)
        .filter_map(|(at, tls)| Some((at, tls.filter(|t| t.is_object())?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::tests::{found, one};
    use tollgate_sdk::{Value, serde_json::json};

    #[test]
    fn istio_gateway_minimum() {
        let gateway = json!({"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "g"},
            "spec": {"servers": [{"tls": {"mode": "SIMPLE", "minProtocolVersion": "TLSV1_2"}},
                                 {"tls": {"mode": "SIMPLE", "minProtocolVersion": "TLSV1_1"}},
                                 {"tls": {"mode": "SIMPLE", "minProtocolVersion": "TLS_AUTO"}}]}});
        assert_eq!(
            found(gateway),
            one("weak-protocol", "/spec/servers/1/tls/minProtocolVersion")
        );
    }

    #[test]
    fn destination_rules_toward_external_hosts() {
        let rule = |host: &str, tls: Value| {
            found(
                json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": "d"}, "spec": {"host": host, "trafficPolicy": {"tls": tls}}}),
            )
        };
        assert_eq!(
            rule(
                "api.example.com",
                json!({"mode": "SIMPLE", "insecureSkipVerify": true})
            ),
            one(
                "verification-disabled",
                "/spec/trafficPolicy/tls/insecureSkipVerify"
            )
        );
        assert_eq!(
            rule("api.example.com", json!({"mode": "DISABLE"})),
            one("verification-disabled", "/spec/trafficPolicy/tls/mode")
        );
        assert!(rule("reviews.prod.svc.cluster.local", json!({"mode": "DISABLE"})).is_empty());
    }

    #[test]
    fn port_and_subset_policies() {
        let rule = json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": "d"}, "spec": {"host": "api.example.com",
            "trafficPolicy": {"portLevelSettings": [{"port": {"number": 443}, "tls": {"insecureSkipVerify": true}}]},
            "subsets": [{"name": "v1", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}]}});
        assert_eq!(
            found(rule),
            [
                one(
                    "verification-disabled",
                    "/spec/trafficPolicy/portLevelSettings/0/tls/insecureSkipVerify"
                ),
                one(
                    "verification-disabled",
                    "/spec/subsets/0/trafficPolicy/tls/mode"
                ),
            ]
            .concat()
        );
    }
}
