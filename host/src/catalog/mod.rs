//! Compliance frameworks as data: the controls tollgate's rules may evidence, with their
//! titles and why tollgate's evidence bears on them, one YAML file per framework under
//! `catalog/data/`, embedded at build time and read by its own small reader ([`yaml`]). A
//! plugin naming a control that is not here is refused at load time. What a run says
//! about each control is worked out by `report::assess`, above the catalog.

mod yaml;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::vocab::{ControlRef, Framework};

/// The framework files, in the order of [`Framework::ALL`] (the order reports list them).
const SOURCES: [(&str, &str); 4] = [
    ("soc2.yaml", include_str!("data/soc2.yaml")),
    ("iso27001.yaml", include_str!("data/iso27001.yaml")),
    (
        "cis-kubernetes.yaml",
        include_str!("data/cis-kubernetes.yaml"),
    ),
    ("nist-800-53.yaml", include_str!("data/nist-800-53.yaml")),
];

/// A framework: its report name, full title (with its version) and controls.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub name: Framework,
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

/// Every framework, parsed once from the embedded files, in the order of
/// [`Framework::ALL`].
fn catalogs() -> &'static [Catalog] {
    static CATALOGS: OnceLock<Vec<Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        SOURCES
            .iter()
            .zip(Framework::ALL)
            .map(|((file, text), framework)| {
                let catalog = parse(text).unwrap_or_else(|e| panic!("catalog {file}: {e}"));
                assert_eq!(catalog.name, framework, "catalog {file} is out of order");
                catalog
            })
            .collect()
    })
}

/// One framework file: YAML read by [`yaml`], then checked.
fn parse(text: &str) -> Result<Catalog, String> {
    let documents = yaml::documents(text)?;
    let [document] = documents.as_slice() else {
        return Err("must hold exactly one YAML document".into());
    };
    let catalog: Catalog = serde_json::from_value(document.clone()).map_err(|e| e.to_string())?;
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
    let position = Framework::ALL.iter().position(|&f| f == framework);
    &catalogs()[position.expect("every framework is in ALL")]
}

/// The catalog entry of `control`, if the catalog has it.
pub fn entry(control: &ControlRef) -> Option<&'static CatalogControl> {
    let controls = &catalog(control.framework).controls;
    controls.iter().find(|c| c.id == control.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_file_parses_with_unique_ids() {
        assert_eq!(
            Framework::names(),
            ["soc2", "iso27001", "cis-kubernetes", "nist-800-53"]
        );
        for (catalog, (file, _)) in catalogs().iter().zip(SOURCES) {
            assert_eq!(format!("{}.yaml", catalog.name), file);
            assert!(!catalog.controls.is_empty(), "{file}");
        }
        let control = |framework, id: &str| ControlRef {
            framework,
            id: id.to_owned(),
        };
        let cc61 = entry(&control(Framework::Soc2, "CC6.1")).expect("CC6.1 is in the catalog");
        assert!(
            cc61.title
                .starts_with("The entity implements logical access security")
        );
        assert!(entry(&control(Framework::Soc2, "CC99.9")).is_none());
        assert_eq!(
            entry(&control(Framework::Nist80053, "AC-6(1)")).map(|c| c.title.as_str()),
            Some("Least Privilege | Authorize Access to Security Functions")
        );
    }

    #[test]
    fn a_broken_framework_file_is_refused_with_the_reason() {
        let twice = "name: soc2\ntitle: X\ncontrols:\n  - {id: A, title: a, why: w}\n  - {id: A, title: b, why: w}\n";
        assert_eq!(parse(twice).err(), Some("control A is listed twice".into()));
        let unknown = "name: soc2\ntitle: X\nversion: 1\ncontrols: []\n";
        assert_eq!(
            parse(unknown).err(),
            Some("unknown field `version`, expected one of `name`, `title`, `controls`".into())
        );
        let blank = "name: soc2\ntitle: X\ncontrols:\n  - {id: A, title: a, why: ' '}\n";
        assert_eq!(
            parse(blank).err(),
            Some("control \"A\" has an empty field".into())
        );
        let unnamed = "name: pci\ntitle: X\ncontrols: []\n";
        assert_eq!(
            parse(unnamed).err(),
            Some(
                "unknown framework `pci` (known: soc2, iso27001, cis-kubernetes, nist-800-53)"
                    .into()
            )
        );
        assert_eq!(
            parse("").err(),
            Some("must hold exactly one YAML document".into())
        );
    }
}
