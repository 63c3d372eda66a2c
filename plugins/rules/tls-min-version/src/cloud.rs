//! Cloud load balancers configured by annotations: the AWS Load Balancer Controller on an
//! Ingress (ALB), AWS load balancers of `LoadBalancer` Services (ELB, NLB), and GCE
//! certificates on an Ingress. The AWS policy names are read by [`crate::aws`].

use serde::Deserialize;
use tollgate_sdk::typed::{TextMap, object, objects, scalar, text, text_map};
use tollgate_sdk::{Check, Pointer};

use crate::judge::Judge;
use crate::{PLAINTEXT_INGRESS, UNKNOWN_VALUE, WEAK_PROTOCOL, aws};

/// AWS Load Balancer Controller annotations of an Ingress.
pub const ALB_SSL_POLICY: &str = "alb.ingress.kubernetes.io/ssl-policy";
pub const ALB_LISTEN_PORTS: &str = "alb.ingress.kubernetes.io/listen-ports";
pub const ALB_CERTIFICATE: &str = "alb.ingress.kubernetes.io/certificate-arn";
const GCE_CERTIFICATES: [&str; 2] = [
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "networking.gke.io/managed-certificates",
];
/// AWS load balancer annotations of a Service.
pub const SERVICE_SSL_POLICY: &str =
    "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy";
pub const SERVICE_SSL_CERT: &str = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
const SERVICE_SSL_PORTS: &str = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports";
const SERVICE_BACKEND_PROTOCOL: &str =
    "service.beta.kubernetes.io/aws-load-balancer-backend-protocol";
const SERVICE_AWS_PREFIX: &str = "service.beta.kubernetes.io/aws-load-balancer-";
const RECOMMENDED_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

fn annotation_at(key: &str) -> Pointer {
    Pointer::root().path(["metadata", "annotations", key])
}

impl Judge<'_> {
    /// Judges a `LoadBalancer` Service's cloud annotations; an Ingress's are read with
    /// the Ingress ([`Judge::ingress_kinds`]). Services are recorded as judged only when
    /// they configure TLS.
    pub fn cloud_kinds(&mut self, kind: &str, group: &str) -> &'static [Check] {
        if (kind, group) == ("Service", "") {
            self.aws_service();
        }
        &[]
    }

    /// ALB and GCE annotations of an Ingress; whether they give it a TLS listener (its
    /// hosts are then not judged by `spec.tls`).
    pub fn cloud_ingress_annotations(&mut self) -> bool {
        // AWS load balancer controller: a named policy, or the TLS 1.0 default on HTTPS.
        let https_listener = self
            .annotation(ALB_LISTEN_PORTS)
            .is_some_and(|p| p.contains("HTTPS"))
            || self.annotation(ALB_CERTIFICATE).is_some();
        match self.annotation(ALB_SSL_POLICY) {
            Some(policy) => {
                self.aws_policy(annotation_at(ALB_SSL_POLICY), "ALB ssl-policy", &policy)
            }
            None if https_listener => {
                let key = if self.annotation(ALB_LISTEN_PORTS).is_some() {
                    ALB_LISTEN_PORTS
                } else {
                    ALB_CERTIFICATE
                };
                self.report(
                    WEAK_PROTOCOL,
                    annotation_at(key),
                    format!(
                        "ALB HTTPS listener has no ssl-policy and falls back to {} (effective minimum TLS 1.0); set {ALB_SSL_POLICY}: {RECOMMENDED_POLICY}",
                        aws::DEFAULT_POLICY
                    ),
                );
            }
            None => {}
        }
        https_listener
            || GCE_CERTIFICATES
                .iter()
                .any(|key| self.annotation(key).is_some())
    }

    /// A named AWS ELB security policy.
    fn aws_policy(&mut self, at: Pointer, what: &str, policy: &str) {
        match aws::lowest_protocol(policy) {
            None => self.unknown(at, what, policy),
            Some(lowest) if lowest.is_weak() => self.report(
                WEAK_PROTOCOL,
                at,
                format!(
                    "{what} {policy} allows {} (effective minimum); use {RECOMMENDED_POLICY}",
                    lowest.name()
                ),
            ),
            Some(_) => {}
        }
    }

    /// A Service's AWS load balancer: its TLS policy, and port 443 served in plaintext; a
    /// Service with an AWS load balancer or its TLS annotations is judged.
    pub fn aws_service(&mut self) {
        let service: Service = self.object.read();
        let aws_load_balancer = service.is_aws_load_balancer();
        let tls_annotated = [SERVICE_SSL_POLICY, SERVICE_SSL_CERT]
            .iter()
            .any(|key| self.annotation(key).is_some());
        if tls_annotated || aws_load_balancer {
            self.judged(&[WEAK_PROTOCOL, PLAINTEXT_INGRESS, UNKNOWN_VALUE]);
        }
        match self.annotation(SERVICE_SSL_POLICY) {
            Some(policy) => self.aws_policy(annotation_at(SERVICE_SSL_POLICY), "AWS load balancer ssl-negotiation-policy", &policy),
            None if self.annotation(SERVICE_SSL_CERT).is_some() => self.report(
                WEAK_PROTOCOL,
                annotation_at(SERVICE_SSL_CERT),
                format!(
                    "AWS load balancer TLS listener has no ssl-negotiation-policy and falls back to {} (effective minimum TLS 1.0); set {SERVICE_SSL_POLICY}: {RECOMMENDED_POLICY}",
                    aws::DEFAULT_POLICY
                ),
            ),
            None => {}
        }
        if aws_load_balancer {
            let ports = service.spec.and_then(|spec| spec.ports);
            self.aws_plaintext_https_ports(&ports.unwrap_or_default());
        }
    }

    /// Port 443 of an AWS `LoadBalancer` Service whose load balancer holds no certificate
    /// for it and hands the traffic to a plain HTTP backend: clients that expect HTTPS get
    /// plaintext. Without a certificate the load balancer passes TCP through, so a
    /// backend that serves TLS itself (an ingress controller's `https` port) is fine.
    fn aws_plaintext_https_ports(&mut self, ports: &[ServicePort]) {
        let http_backend = self
            .annotation(SERVICE_BACKEND_PROTOCOL)
            .is_some_and(|p| p.eq_ignore_ascii_case("http"));
        for (i, port) in ports.iter().enumerate() {
            if port.port != Some(443)
                || self.terminates_tls(port)
                || !(http_backend || port.is_plain_http_target())
            {
                continue;
            }
            self.report(
                PLAINTEXT_INGRESS,
                Pointer::root().path(["spec", "ports"]).at(i).at("port"),
                format!("port 443 of the AWS load balancer has no certificate ({SERVICE_SSL_CERT}) and forwards to a plain HTTP backend: it serves plaintext; add the certificate or serve TLS in the backend"),
            );
        }
    }

    /// Whether the load balancer holds a certificate for `port`: an `ssl-cert`, and the
    /// port among `ssl-ports` (all ports when that is absent or `*`).
    fn terminates_tls(&self, port: &ServicePort) -> bool {
        if self.annotation(SERVICE_SSL_CERT).is_none() {
            return false;
        }
        let Some(ports) = self.annotation(SERVICE_SSL_PORTS) else {
            return true;
        };
        let name = port.name;
        ports
            .split(',')
            .map(str::trim)
            .any(|p| p == "*" || p == "443" || Some(p) == name)
    }
}

/// A `Service`: its type, annotations and ports (read leniently, see
/// [`tollgate_sdk::typed`]).
#[derive(Default, Deserialize)]
#[serde(default)]
struct Service<'a> {
    #[serde(borrow, deserialize_with = "object")]
    metadata: Option<Metadata<'a>>,
    #[serde(borrow, deserialize_with = "object")]
    spec: Option<ServiceSpec<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Metadata<'a> {
    #[serde(borrow, deserialize_with = "text_map")]
    annotations: TextMap<'a>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ServiceSpec<'a> {
    #[serde(borrow, rename = "type", deserialize_with = "text")]
    service_type: Option<&'a str>,
    #[serde(borrow, deserialize_with = "objects")]
    ports: Option<Vec<ServicePort<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ServicePort<'a> {
    #[serde(deserialize_with = "scalar")]
    port: Option<i64>,
    #[serde(borrow, deserialize_with = "text")]
    name: Option<&'a str>,
    #[serde(borrow, deserialize_with = "text")]
    app_protocol: Option<&'a str>,
    #[serde(deserialize_with = "scalar")]
    target_port: Option<PortRef>,
}

/// A port given by number or by name.
#[derive(Deserialize, PartialEq)]
#[serde(untagged)]
enum PortRef {
    Number(i64),
    Name(String),
}

impl Service<'_> {
    /// Whether the Service is a `LoadBalancer` the AWS controllers configure.
    fn is_aws_load_balancer(&self) -> bool {
        let load_balancer = self.spec.as_ref().and_then(|s| s.service_type) == Some("LoadBalancer");
        let annotations = self.metadata.as_ref().and_then(|m| m.annotations.as_ref());
        let keys = annotations.into_iter().flatten().map(|(key, _)| key);
        load_balancer && keys.into_iter().any(|k| k.starts_with(SERVICE_AWS_PREFIX))
    }
}

impl ServicePort<'_> {
    /// Whether the port's backend speaks plain HTTP: `appProtocol: http`, or a target
    /// port 80 or named `http`.
    fn is_plain_http_target(&self) -> bool {
        self.app_protocol
            .is_some_and(|p| p.eq_ignore_ascii_case("http"))
            || matches!(&self.target_port, Some(PortRef::Number(80)))
            || matches!(&self.target_port, Some(PortRef::Name(name)) if name == "http")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{found, ingress, one};
    use tollgate_sdk::{Value, serde_json::json};

    #[test]
    fn alb_policies_and_default() {
        let at = "/metadata/annotations/alb.ingress.kubernetes.io~1ssl-policy";
        let alb = |a: Value| found(ingress(a, json!({"rules": [{"host": "a.example.com"}]})));
        assert!(alb(json!({ALB_SSL_POLICY: "ELBSecurityPolicy-TLS13-1-2-2021-06", ALB_CERTIFICATE: "arn:x"})).is_empty());
        assert_eq!(
            alb(
                json!({ALB_SSL_POLICY: "ELBSecurityPolicy-TLS-1-1-2017-01", ALB_CERTIFICATE: "arn:x"})
            ),
            one("weak-protocol", at)
        );
        assert_eq!(
            alb(json!({ALB_SSL_POLICY: "custom", ALB_CERTIFICATE: "arn:x"})),
            one("unknown-value", at)
        );
        assert_eq!(
            alb(json!({ALB_LISTEN_PORTS: "[{\"HTTPS\": 443}]"})),
            one(
                "weak-protocol",
                "/metadata/annotations/alb.ingress.kubernetes.io~1listen-ports"
            )
        );
    }

    fn service(annotations: Value, ports: Value) -> Vec<(String, String, Vec<String>)> {
        found(json!({"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": "edge", "annotations": annotations},
                     "spec": {"type": "LoadBalancer", "ports": ports}}))
    }

    #[test]
    fn aws_port_443_without_certificate_to_an_http_backend() {
        let nlb = json!({"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"});
        let http_backend = json!({SERVICE_BACKEND_PROTOCOL: "http"});
        let to = |target: Value| {
            json!([{"name": "web", "port": 80, "targetPort": 8080},
                                         {"name": "https", "port": 443, "targetPort": target}])
        };
        let at = "/spec/ports/1/port";
        assert_eq!(
            service(http_backend.clone(), to(json!(8080))),
            one("plaintext-ingress", at)
        );
        assert_eq!(
            service(nlb.clone(), to(json!(80))),
            one("plaintext-ingress", at)
        );
        assert_eq!(
            service(nlb.clone(), to(json!("http"))),
            one("plaintext-ingress", at)
        );
        // A certificate for other ports only leaves 443 plaintext.
        let other_ports = json!({SERVICE_SSL_CERT: "arn:x", SERVICE_SSL_PORTS: "8443",
                                 SERVICE_SSL_POLICY: RECOMMENDED_POLICY, SERVICE_BACKEND_PROTOCOL: "http"});
        assert_eq!(
            service(other_ports, to(json!(8080))),
            one("plaintext-ingress", at)
        );
        // Traps: TLS passthrough to a backend that serves TLS (ingress-nginx on AWS), a
        // certificate on the port (by number, name or `*`), no AWS annotation at all.
        assert!(service(nlb, to(json!("https"))).is_empty());
        for ssl_ports in ["443", "https", "*"] {
            let terminated = json!({SERVICE_SSL_CERT: "arn:x", SERVICE_SSL_PORTS: ssl_ports,
                                    SERVICE_SSL_POLICY: RECOMMENDED_POLICY, SERVICE_BACKEND_PROTOCOL: "http"});
            assert!(
                service(terminated, to(json!(8080))).is_empty(),
                "{ssl_ports}"
            );
        }
        assert!(service(json!({}), to(json!(80))).is_empty());
    }

    #[test]
    fn odd_ports_are_skipped_and_the_rest_judged() {
        let nlb = json!({"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"});
        let ports = json!(["x", {"port": "443", "targetPort": 80},
                           {"port": 443, "targetPort": [80], "appProtocol": "HTTP"},
                           {"port": 443, "targetPort": 80.5}]);
        assert_eq!(
            service(nlb, ports),
            one("plaintext-ingress", "/spec/ports/2/port")
        );
    }
}
