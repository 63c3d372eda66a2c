//! tollgate: a compliance gate for Kubernetes manifests and Git repositories.
//!
//! The host reads inputs ([`input`]), runs sandboxed WebAssembly rule plugins over them
//! ([`runtime`]), maps what they find to compliance frameworks ([`catalog`]) and writes a
//! report ([`report`]) with evidence of when and over what it ran ([`provenance`]); [`scan`]
//! ties these together, [`config`] is the config file and [`cli`] the command line;
//! [`schema`] gives the JSON Schemas of the config file and the JSON report.
//! [`expect`] holds the expected-outcome tests of `tollgate test`.
//!
//! The modules form layers, each using only those below it: [`cli`]; then [`schema`] and
//! [`expect`]; [`scan`]; [`provenance`]; [`config`]; [`input`]; [`runtime`]; [`report`];
//! [`catalog`]; [`store`], the user's private cache directory; and at the bottom [`vocab`], the words they all share (severity, fail-on,
//! framework, control, digest). The `layers` end-to-end test fails when an import points
//! upward.

pub mod catalog;
pub mod cli;
pub mod config;
pub mod expect;
pub mod input;
pub mod provenance;
pub mod report;
pub mod runtime;
pub mod scan;
pub mod schema;
pub mod store;
pub mod vocab;
