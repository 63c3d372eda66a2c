//! The manifest set as the host lowers it into a plugin: the WIT `manifest-set` and
//! `document` records over borrowed text. The host keeps each object's JSON once; a rule's
//! slice is handed over in batches of references to it, and the only copy of a text is the
//! one the canonical ABI makes into the guest's memory.

use wasmtime::component::{ComponentType, Lower};

/// One object of the manifest set (the WIT `document` record), borrowed from the host's
/// own view of the input.
#[derive(ComponentType, Lower, Clone, Copy, Debug, PartialEq, Eq)]
#[component(record)]
pub struct DocumentRef<'a> {
    /// Source file as the user named it.
    pub file: &'a str,
    /// Position of the YAML document within its file.
    pub index: u32,
    #[component(name = "api-version")]
    pub api_version: &'a str,
    pub kind: &'a str,
    /// `metadata.name` (empty when absent).
    pub name: &'a str,
    /// `metadata.namespace` as written.
    pub namespace: Option<&'a str>,
    /// The whole object as JSON text.
    pub object: &'a str,
}

/// What `begin-manifests` is told of the set (the WIT `manifest-set` record).
#[derive(ComponentType, Lower, Clone, Copy, Debug)]
#[component(record)]
pub struct ManifestSetRef<'a> {
    /// The namespace of namespaced objects that do not name one.
    #[component(name = "default-namespace")]
    pub default_namespace: &'a str,
    /// How many documents the `add-documents` calls hand over in all.
    pub documents: u32,
}

/// How many documents one `add-documents` call hands over: the references of one batch
/// (about 100 KB) are all the host builds at a time, and the guest's list of them is
/// freed as it is read, where the whole set's list took megabytes on each side.
pub const DOCUMENT_BATCH: usize = 1024;
