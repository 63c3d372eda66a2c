//! Host bindings for the `tollgate:policy` world, generated from `wit/`. The world's `use`
//! brings the shared types to the top of this module.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "rule",
    // The cache keeps each plugin's `info()` beside its compiled code.
    additional_derives: [serde::Serialize, serde::Deserialize],
});

pub use tollgate::policy::types::{
    CheckInfo, Control, Coverage, Document, Finding, InputKind, Location, ObjectLocation, Severity,
};
