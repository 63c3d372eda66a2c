//! A plugin described before any scan (`tollgate plugin inspect`): its size and digest,
//! the contract version it was built for, every import it asks for with what the sandbox
//! grants it ([`sandbox::access`]), and its rule's `info()` when it loads.

use std::path::Path;

use sha2::{Digest, Sha256};
use wasmtime::component::types::ComponentItem;

use super::sandbox::{self, Access};
use super::{LoadError, PluginSource, RuleInfo, Runtime, read_plugin};
use crate::vocab::hex;

/// The package of the plugin contract in import and export names.
pub(super) const CONTRACT_PACKAGE: &str = "tollgate:policy";

/// What a plugin file is and asks for.
pub struct Inspection {
    pub size: usize,
    /// SHA-256 (hex) of the file.
    pub sha256: String,
    /// The `tollgate:policy` version its imports or exports name, if any.
    pub contract: Option<String>,
    /// In the order the component declares them.
    pub imports: Vec<Import>,
    /// The rule, or why the host refuses to load the plugin.
    pub rule: Result<RuleInfo, LoadError>,
}

/// One import of a component and what the sandbox gives it.
pub struct Import {
    pub name: String,
    pub access: Access,
    pub why: &'static str,
}

impl Runtime {
    /// Reads, compiles and describes the plugin at `path`; loading it (linking and its
    /// `info()`) may fail, and the inspection says why. Only a file that cannot be read or
    /// is not a component is an error.
    pub fn inspect(&self, path: &Path) -> Result<Inspection, LoadError> {
        let bytes = read_plugin(path)?;
        let seed: [u8; 32] = Sha256::digest(&bytes).into();
        let source = PluginSource::File(path.to_owned());
        let component = self.compile(&source, &bytes, &hex(&seed))?.component;
        let ty = component.component_type();
        let mut imports: Vec<Import> = ty
            .imports(&self.engine)
            .map(|(name, item)| {
                let (access, why) = if self.types_only(&item.ty) {
                    (Access::Granted, "types only: there is nothing to provide")
                } else {
                    sandbox::access(name)
                };
                Import {
                    name: name.to_owned(),
                    access,
                    why,
                }
            })
            .collect();
        let exports = ty.exports(&self.engine).map(|(name, _)| name.to_owned());
        let contract = imports
            .iter()
            .map(|i| i.name.clone())
            .chain(exports)
            .find_map(|name| contract_version(&name));
        let rule = self
            .link(&source, &component)
            .and_then(|pre| self.describe(&source, &pre, seed));
        if let Err(LoadError::Link { error, .. }) = &rule {
            unlinked(&mut imports, error);
        }
        Ok(Inspection {
            size: bytes.len(),
            sha256: hex(&seed),
            contract,
            imports,
            rule,
        })
    }
}

/// Marks missing the import the linker refused (it names one, the first it could not
/// satisfy, in its message only), whatever its name promised.
fn unlinked(imports: &mut [Import], error: &wasmtime::Error) {
    let message = format!("{error:#}");
    if let Some(import) = imports
        .iter_mut()
        .find(|i| message.contains(&format!("`{}`", i.name)))
    {
        import.access = Access::Missing;
        import.why = "not as the host provides it: the plugin cannot be loaded";
    }
}

impl Runtime {
    /// Whether an import is an instance of types alone (as the contract's `types`
    /// interface is): linking it needs nothing from the host.
    fn types_only(&self, item: &ComponentItem) -> bool {
        match item {
            ComponentItem::ComponentInstance(instance) => instance
                .exports(&self.engine)
                .all(|(_, export)| matches!(export.ty, ComponentItem::Type(_))),
            _ => false,
        }
    }
}

/// The version of `tollgate:policy/x@VERSION`.
pub(super) fn contract_version(name: &str) -> Option<String> {
    let (interface, version) = name.split_once('@')?;
    let (package, _) = interface.split_once('/')?;
    (package == CONTRACT_PACKAGE).then(|| version.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_version_comes_from_the_policy_package_only() {
        assert_eq!(
            contract_version("tollgate:policy/types@0.2.0").as_deref(),
            Some("0.2.0")
        );
        assert_eq!(contract_version("wasi:io/streams@0.2.6"), None);
        assert_eq!(contract_version("info"), None);
    }
}
