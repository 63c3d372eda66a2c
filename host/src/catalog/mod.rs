//! Compliance frameworks as data: the controls tollgate's rules may evidence, with their
//! titles and why tollgate's evidence bears on them, one YAML file per framework under
//! `catalog/data/`, embedded at build time. A plugin naming a control that is not here is
//! refused at load time. [`assess`] turns a run's rules and findings into a status per
//! control.

mod assess;

pub use assess::{Gaps, Run, assess};

use std::sync::OnceLock;

use serde::Deserialize;

use crate::report::FrameworkTitle;

/// The framework files, in the order reports list frameworks.
const SOURCES: [(&str, &str); 4] = [
    ("soc2.yaml", include_str!("data/soc2.yaml")),
    ("iso27001.yaml", include_str!("data/iso27001.yaml")),
    (
        "cis-kubernetes.yaml",
        include_str!("data/cis-kubernetes.yaml"),
    ),
    ("nist-800-53.yaml", include_str!("data/nist-800-53.yaml")),
];

/// A framework of the catalog: its position in [`catalogs`], the order reports use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Framework(usize);

impl Framework {
    /// Its catalog.
    pub fn catalog(self) -> &'static Catalog {
        &catalogs()[self.0]
    }

    /// Its name in reports and on the command line: `soc2`, `nist-800-53`, ...
    pub fn name(self) -> &'static str {
        &self.catalog().name
    }
}

/// A framework: its report name, full title (with its version) and controls.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub name: String,
    pub title: String,
    pub controls: Vec<CatalogControl>,
}

/// One control of a framework.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogControl {
    pub id: String,
    pub title: String,
    /// One line: what tollgate's evidence for this control is, and where it stops.
    pub why: String,
}

/// Every framework, parsed once from the embedded files.
pub fn catalogs() -> &'static [Catalog] {
    static CATALOGS: OnceLock<Vec<Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(file, text)| parse(text).unwrap_or_else(|e| panic!("catalog {file}: {e}")))
            .collect()
    })
}

/// Every framework, in catalog order.
pub fn frameworks() -> impl Iterator<Item = Framework> {
    (0..catalogs().len()).map(Framework)
}

/// One framework file: YAML read by the scanner's own reader, then checked.
fn parse(text: &str) -> Result<Catalog, String> {
    let (documents, error) = crate::input::yaml::parse(text);
    if let Some(e) = error {
        return Err(format!("line {}: {}", e.line, e.message));
    }
    let [document] = documents.as_slice() else {
        return Err("must hold exactly one YAML document".into());
    };
    let catalog: Catalog =
        serde_json::from_value(document.value.clone()).map_err(|e| e.to_string())?;
    for (i, control) in catalog.controls.iter().enumerate() {
        let blank = [&control.id, &control.title, &control.why]
            .iter()
            .any(|text| text.trim().is_empty());
        if blank {
            return Err(format!("control {:?} has an empty field", control.id));
        }
        if catalog.controls[..i].iter().any(|c| c.id == control.id) {
            return Err(format!("control {} is listed twice", control.id));
        }
    }
    Ok(catalog)
}

/// The catalog of a framework.
pub fn catalog(framework: Framework) -> &'static Catalog {
    framework.catalog()
}

/// The framework's place in [`catalogs`], the order reports list frameworks in.
pub fn position(framework: Framework) -> usize {
    framework.0
}

/// The framework's name in reports: `soc2`, `iso27001`, `cis-kubernetes`, `nist-800-53`.
pub fn framework_name(framework: Framework) -> &'static str {
    framework.name()
}

/// Each framework of `frameworks` by its report name and full title, for the report.
pub fn titles(frameworks: &[Framework]) -> Vec<FrameworkTitle> {
    frameworks
        .iter()
        .map(|&f| FrameworkTitle {
            name: f.name().to_owned(),
            title: f.catalog().title.clone(),
        })
        .collect()
}

/// A framework by its report name.
pub fn by_name(name: &str) -> Option<Framework> {
    frameworks().find(|f| f.name() == name)
}

/// The report names of every framework, in catalog order.
pub fn names() -> Vec<&'static str> {
    frameworks().map(Framework::name).collect()
}

/// A control by framework name and id, if the catalog has it.
pub fn control(framework: &str, id: &str) -> Option<(Framework, &'static CatalogControl)> {
    let framework = by_name(framework)?;
    let control = framework.catalog().controls.iter().find(|c| c.id == id)?;
    Some((framework, control))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_file_parses_with_unique_ids() {
        assert_eq!(
            names(),
            ["soc2", "iso27001", "cis-kubernetes", "nist-800-53"]
        );
        for (catalog, (file, _)) in catalogs().iter().zip(SOURCES) {
            assert_eq!(format!("{}.yaml", catalog.name), file);
            assert!(!catalog.controls.is_empty(), "{file}");
        }
        let (framework, cc61) = control("soc2", "CC6.1").expect("CC6.1 is in the catalog");
        assert_eq!(framework.name(), "soc2");
        assert!(
            cc61.title
                .starts_with("The entity implements logical access security")
        );
        assert!(control("soc2", "CC99.9").is_none());
        assert!(control("pci", "1.1").is_none());
        assert_eq!(
            control("nist-800-53", "AC-6(1)").map(|(_, c)| c.title.as_str()),
            Some("Least Privilege | Authorize Access to Security Functions")
        );
    }

    #[test]
    fn a_broken_framework_file_is_refused_with_the_reason() {
        let twice = "name: x\ntitle: X\ncontrols:\n  - {id: A, title: a, why: w}\n  - {id: A, title: b, why: w}\n";
        assert_eq!(parse(twice).err(), Some("control A is listed twice".into()));
        let unknown = "name: x\ntitle: X\nversion: 1\ncontrols: []\n";
        assert_eq!(
            parse(unknown).err(),
            Some("unknown field `version`, expected one of `name`, `title`, `controls`".into())
        );
        let blank = "name: x\ntitle: X\ncontrols:\n  - {id: A, title: a, why: ' '}\n";
        assert_eq!(
            parse(blank).err(),
            Some("control \"A\" has an empty field".into())
        );
    }

    #[test]
    fn reports_carry_the_cis_version_and_older_reports_still_render() {
        let cis = by_name("cis-kubernetes").expect("CIS is in the catalog");
        let mut settings = crate::report::Settings {
            default_namespace: "default".into(),
            fail_on: "low".into(),
            frameworks: vec!["cis-kubernetes".into()],
            framework_titles: titles(&[cis]),
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
