//! Host bindings for the `tollgate:policy` world, generated from `wit/`. The world's `use`
//! brings the shared types to the top of this module.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "rule",
});

pub use tollgate::policy::types::{
    CheckInfo, Control, Coverage, FileLocation, Finding, InputKind, Location, ObjectLocation,
    Severity,
};
