//! The manifest set as the host lowers it into a plugin: the WIT `manifest-set` and
//! `document` records over borrowed text. The host keeps each object's JSON once; every
//! rule's slice is a list of references to it, and the only copy of a text is the one the
//! canonical ABI makes into the guest's memory during the call.

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

/// What `check-manifests` is given (the WIT `manifest-set` record): the documents of one
/// call, borrowed.
#[derive(ComponentType, Lower, Clone, Copy, Debug)]
#[component(record)]
pub struct ManifestSetRef<'a> {
    /// The namespace of namespaced objects that do not name one.
    #[component(name = "default-namespace")]
    pub default_namespace: &'a str,
    /// The objects of the call, in input order; findings point at them by position.
    pub documents: &'a [DocumentRef<'a>],
}
