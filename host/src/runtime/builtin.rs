//! The rule plugins embedded at build time (see `host/build.rs`).

include!(concat!(env!("OUT_DIR"), "/builtin_plugins.rs"));
