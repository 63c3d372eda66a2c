//! Compliance frameworks as data: the controls tollgate's rules may evidence, with short
//! titles. A plugin naming a control that is not here is refused at load time. [`assess`]
//! turns a run's rules and findings into a status per control.

mod assess;

pub use assess::{Gaps, assess};

use crate::report::FrameworkTitle;
use crate::runtime::Framework;

/// The CIS Kubernetes Benchmark the catalog's CIS ids and titles come from, as reports
/// name it. The ids and their meanings are the same in v1.9-v1.11 (kube-bench's
/// `cfg/cis-1.9` to `cfg/cis-1.12` carry the same texts for them).
pub const CIS_KUBERNETES_BENCHMARK: &str =
    "CIS Kubernetes Benchmark v1.12 (ids also valid for v1.9-v1.11)";

/// One control of a framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogControl {
    pub framework: Framework,
    pub id: &'static str,
    pub title: &'static str,
}

/// A framework: its report name, full title (with its version) and controls.
pub struct Catalog {
    pub framework: Framework,
    pub name: &'static str,
    pub title: &'static str,
    pub controls: &'static [(&'static str, &'static str)],
}

pub static CATALOGS: &[Catalog] = &[
    Catalog {
        framework: Framework::Soc2,
        name: "soc2",
        title: "AICPA SOC 2 Trust Services Criteria (2017, revised 2022)",
        controls: &[
            (
                "CC6.1",
                "Logical access security software, infrastructure and architectures",
            ),
            (
                "CC6.2",
                "Registration and authorization of users before access is granted",
            ),
            (
                "CC6.3",
                "Role-based access: authorize, modify or remove access (least privilege)",
            ),
            (
                "CC6.6",
                "Logical access security measures against threats from outside the system boundaries",
            ),
            (
                "CC6.7",
                "Restricting the transmission, movement and removal of information (encryption in transit)",
            ),
            (
                "CC6.8",
                "Preventing or detecting unauthorized or malicious software",
            ),
            (
                "CC7.1",
                "Detection of configuration changes that introduce vulnerabilities",
            ),
            ("CC7.2", "Monitoring system components for anomalies"),
            (
                "CC8.1",
                "Authorizing, designing, testing and approving changes",
            ),
        ],
    },
    Catalog {
        framework: Framework::Iso27001,
        name: "iso27001",
        title: "ISO/IEC 27001:2022 Annex A",
        controls: &[
            ("A.5.14", "Information transfer"),
            ("A.5.15", "Access control"),
            ("A.5.17", "Authentication information"),
            ("A.5.18", "Access rights"),
            ("A.8.2", "Privileged access rights"),
            ("A.8.3", "Information access restriction"),
            ("A.8.4", "Access to source code"),
            ("A.8.5", "Secure authentication"),
            ("A.8.9", "Configuration management"),
            ("A.8.12", "Data leakage prevention"),
            ("A.8.20", "Networks security"),
            ("A.8.21", "Security of network services"),
            ("A.8.22", "Segregation of networks"),
            ("A.8.24", "Use of cryptography"),
            ("A.8.25", "Secure development life cycle"),
            ("A.8.28", "Secure coding"),
            ("A.8.32", "Change management"),
        ],
    },
    Catalog {
        framework: Framework::CisKubernetes,
        name: "cis-kubernetes",
        title: CIS_KUBERNETES_BENCHMARK,
        controls: &[
            (
                "1.2.29",
                "Ensure that the API Server only makes use of Strong Cryptographic Ciphers",
            ),
            (
                "4.2.12",
                "Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers",
            ),
            (
                "5.1.1",
                "Ensure that the cluster-admin role is only used where required",
            ),
            ("5.1.2", "Minimize access to secrets"),
            ("5.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
            ("5.1.4", "Minimize access to create pods"),
            (
                "5.1.5",
                "Ensure that default service accounts are not actively used",
            ),
            (
                "5.1.6",
                "Ensure that Service Account Tokens are only mounted where necessary",
            ),
            ("5.1.7", "Avoid use of system:masters group"),
            (
                "5.1.8",
                "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
            ),
            ("5.1.9", "Minimize access to create persistent volumes"),
            (
                "5.1.10",
                "Minimize access to the proxy sub-resource of nodes",
            ),
            (
                "5.1.11",
                "Minimize access to the approval sub-resource of certificatesigningrequests objects",
            ),
            ("5.1.12", "Minimize access to webhook configuration objects"),
            (
                "5.1.13",
                "Minimize access to the service account token creation",
            ),
            (
                "5.3.2",
                "Ensure that all Namespaces have NetworkPolicies defined",
            ),
            (
                "5.4.1",
                "Prefer using Secrets as files over Secrets as environment variables",
            ),
            ("5.4.2", "Consider external secret storage"),
        ],
    },
];

/// The catalog of a framework.
pub fn catalog(framework: Framework) -> &'static Catalog {
    &CATALOGS[position(framework)]
}

/// The framework's place in [`CATALOGS`], the order reports list frameworks in.
pub fn position(framework: Framework) -> usize {
    CATALOGS
        .iter()
        .position(|c| c.framework == framework)
        .expect("every framework of the contract has a catalog")
}

/// The framework's name in reports: `soc2`, `iso27001`, `cis-kubernetes`.
pub fn framework_name(framework: Framework) -> &'static str {
    catalog(framework).name
}

/// Each framework of `frameworks` by its report name and full title, for the report.
pub fn titles(frameworks: &[Framework]) -> Vec<FrameworkTitle> {
    frameworks
        .iter()
        .map(|&f| FrameworkTitle {
            name: catalog(f).name.to_owned(),
            title: catalog(f).title.to_owned(),
        })
        .collect()
}

/// A framework by its report name.
pub fn by_name(name: &str) -> Option<Framework> {
    CATALOGS
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.framework)
}

/// The report names of every framework, in catalog order.
pub fn names() -> Vec<&'static str> {
    CATALOGS.iter().map(|c| c.name).collect()
}

/// A control by framework and id, if the catalog has it.
pub fn control(framework: Framework, id: &str) -> Option<CatalogControl> {
    catalog(framework)
        .controls
        .iter()
        .find(|(cid, _)| *cid == id)
        .map(|&(id, title)| CatalogControl {
            framework,
            id,
            title,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_has_a_catalog_with_unique_ids() {
        for framework in [
            Framework::Soc2,
            Framework::Iso27001,
            Framework::CisKubernetes,
        ] {
            let ids: Vec<_> = catalog(framework)
                .controls
                .iter()
                .map(|(id, _)| id)
                .collect();
            let mut unique = ids.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(ids.len(), unique.len());
        }
        assert_eq!(
            control(Framework::Soc2, "CC6.1").map(|c| c.title.is_empty()),
            Some(false)
        );
        assert!(control(Framework::Soc2, "CC99.9").is_none());
    }

    #[test]
    fn reports_carry_the_cis_version_and_older_reports_still_render() {
        let mut settings = crate::report::Settings {
            default_namespace: "default".into(),
            fail_on: "low".into(),
            frameworks: vec!["cis-kubernetes".into()],
            framework_titles: titles(&[Framework::CisKubernetes]),
        };
        assert_eq!(
            settings.framework_label("cis-kubernetes"),
            "cis-kubernetes: CIS Kubernetes Benchmark v1.12 (ids also valid for v1.9-v1.11)"
        );
        // A report saved before titles were carried: the name alone.
        settings.framework_titles.clear();
        assert_eq!(settings.framework_label("cis-kubernetes"), "cis-kubernetes");
        assert_eq!(settings.framework_title("cis-kubernetes"), None);
    }
}
