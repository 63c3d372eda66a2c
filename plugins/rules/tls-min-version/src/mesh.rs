//! Service meshes: Istio `Gateway` minimum versions and `DestinationRule` client TLS.

use serde::Deserialize;
use tollgate_sdk::typed::{object, objects, scalar, text};
use tollgate_sdk::{Check, Pointer};

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
        let gateway: Gateway = self.object.read();
        let servers = gateway.spec.and_then(|spec| spec.servers);
        for (i, server) in servers.into_iter().flatten().enumerate() {
            let version = server.tls.and_then(|tls| tls.min_protocol_version);
            let Some(version) = version.filter(|v| *v != "TLS_AUTO") else {
                continue;
            };
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
        let rule: DestinationRule = self.object.read();
        let spec = rule.spec.unwrap_or_default();
        let host = spec.host.unwrap_or("");
        let external = host.contains('.')
            && !host.contains('*')
            && !CLUSTER_SUFFIXES.iter().any(|s| host.ends_with(s));
        for (at, tls) in traffic_policies(&spec) {
            if tls.insecure_skip_verify == Some(true) {
                self.report(
                    VERIFICATION_DISABLED,
                    at.at("insecureSkipVerify"),
                    format!("insecureSkipVerify is true: the certificate of {host} is not verified; remove it and set caCertificates"),
                );
            }
            if external && tls.mode == Some("DISABLE") {
                self.report(
                    VERIFICATION_DISABLED,
                    at.at("mode"),
                    format!("tls mode DISABLE sends plaintext to the external host {host}; use SIMPLE or MUTUAL"),
                );
            }
        }
    }
}

/// Every `tls` block of a DestinationRule (top level, per port, per subset) that is an
/// object, with its pointer.
fn traffic_policies<'s, 'a>(
    spec: &'s DestinationRuleSpec<'a>,
) -> Vec<(Pointer, &'s ClientTls<'a>)> {
    let at = Pointer::root().at("spec");
    let mut policies = tls_blocks(at.at("trafficPolicy"), spec.traffic_policy.as_ref());
    for (i, subset) in spec.subsets.iter().flatten().enumerate() {
        let subset_at = at.at("subsets").at(i).at("trafficPolicy");
        policies.extend(tls_blocks(subset_at, subset.traffic_policy.as_ref()));
    }
    policies
}

/// The `tls` blocks of one traffic policy at `at`: its own and each port's.
fn tls_blocks<'s, 'a>(
    at: Pointer,
    policy: Option<&'s TrafficPolicy<'a>>,
) -> Vec<(Pointer, &'s ClientTls<'a>)> {
    let Some(policy) = policy else {
        return Vec::new();
    };
    let ports = policy.port_level_settings.iter().flatten().enumerate();
    let port_tls = ports.map(|(i, port)| (at.at("portLevelSettings").at(i).at("tls"), &port.tls));
    std::iter::once((at.at("tls"), &policy.tls))
        .chain(port_tls)
        .filter_map(|(at, tls)| Some((at, tls.as_ref()?)))
        .collect()
}

/// An Istio `Gateway`'s servers (read leniently, see [`tollgate_sdk::typed`]).
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
    servers: Option<Vec<Server<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Server<'a> {
    #[serde(borrow, deserialize_with = "object")]
    tls: Option<ServerTls<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ServerTls<'a> {
    #[serde(borrow, deserialize_with = "text")]
    min_protocol_version: Option<&'a str>,
}

/// An Istio `DestinationRule`: its host and client TLS settings.
#[derive(Default, Deserialize)]
#[serde(default)]
struct DestinationRule<'a> {
    #[serde(borrow, deserialize_with = "object")]
    spec: Option<DestinationRuleSpec<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct DestinationRuleSpec<'a> {
    #[serde(borrow, deserialize_with = "text")]
    host: Option<&'a str>,
    #[serde(borrow, deserialize_with = "object")]
    traffic_policy: Option<TrafficPolicy<'a>>,
    #[serde(borrow, deserialize_with = "objects")]
    subsets: Option<Vec<Subset<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Subset<'a> {
    #[serde(borrow, deserialize_with = "object")]
    traffic_policy: Option<TrafficPolicy<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TrafficPolicy<'a> {
    #[serde(borrow, deserialize_with = "object")]
    tls: Option<ClientTls<'a>>,
    #[serde(borrow, deserialize_with = "objects")]
    port_level_settings: Option<Vec<PortTrafficPolicy<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct PortTrafficPolicy<'a> {
    #[serde(borrow, deserialize_with = "object")]
    tls: Option<ClientTls<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ClientTls<'a> {
    #[serde(borrow, deserialize_with = "text")]
    mode: Option<&'a str>,
    #[serde(deserialize_with = "scalar")]
    insecure_skip_verify: Option<bool>,
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

    #[test]
    fn odd_entries_are_skipped_and_the_rest_judged() {
        let rule = json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": "d"}, "spec": {"host": "api.example.com",
            "trafficPolicy": {"tls": "x", "portLevelSettings": ["x", {"tls": {"mode": "DISABLE", "insecureSkipVerify": "true"}}]},
            "subsets": [null, {"trafficPolicy": []}]}});
        assert_eq!(
            found(rule),
            one(
                "verification-disabled",
                "/spec/trafficPolicy/portLevelSettings/1/tls/mode"
            )
        );
        let gateway = json!({"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "g"},
            "spec": {"servers": ["x", {"tls": {"minProtocolVersion": 1}}, {"tls": {"minProtocolVersion": "TLSV1_0"}}]}});
        assert_eq!(
            found(gateway),
            one("weak-protocol", "/spec/servers/2/tls/minProtocolVersion")
        );
    }
}
