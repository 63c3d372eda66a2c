//! The on-disk cache of compiled components.
//!
//! Compiling a plugin costs tens of milliseconds; loading it precompiled, well under one.
//! An entry is keyed by the component's SHA-256 and the engine's compatibility hash
//! (wasmtime version and configuration), and carries the SHA-256 of its own payload: a
//! truncated, corrupt or foreign entry is detected, recompiled and rewritten, never
//! handed to the engine.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

const MAGIC: &[u8; 8] = b"TGCWASM1";

/// Where compiled components are kept; `None` compiles in memory every run.
#[derive(Clone, Debug)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
}

impl ComponentCache {
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    /// The default location: `$XDG_CACHE_HOME/tollgate` or `$HOME/.cache/tollgate`.
    pub fn default_dir() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("tollgate"))
    }

    /// The compiled component for `bytes` (whose SHA-256 hex is `digest`): from the cache
    /// when a sound entry exists, compiled (and stored, best effort) otherwise.
    pub fn load(&self, engine: &Engine, bytes: &[u8], digest: &str) -> wasmtime::Result<Component> {
        let Some(path) = self.entry_path(engine, digest) else {
            return Component::new(engine, bytes);
        };
        if let Some(component) = read_entry(engine, &path) {
            return Ok(component);
        }
        let compiled = engine.precompile_component(bytes)?;
        // A cache that cannot be written only costs time on the next run.
        let _ = write_entry(&path, &compiled);
        // SAFETY: `compiled` was produced just now by this engine's `precompile_component`.
        unsafe { Component::deserialize(engine, &compiled) }
    }

    fn entry_path(&self, engine: &Engine, digest: &str) -> Option<PathBuf> {
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let name = format!(
            "{}-{:016x}.cwasm",
            &digest[..32.min(digest.len())],
            hasher.finish()
        );
        Some(self.dir.as_ref()?.join(name))
    }
}

/// A cache entry's component, or `None` when it is missing, corrupt or incompatible.
fn read_entry(engine: &Engine, path: &Path) -> Option<Component> {
    let data = fs::read(path).ok()?;
    let rest = data.strip_prefix(MAGIC)?;
    let (sum, payload) = rest.split_at_checked(32)?;
    if Sha256::digest(payload).as_slice() != sum {
        return None;
    }
    // SAFETY: the payload is byte-for-byte what `write_entry` stored from this engine
    // configuration's `precompile_component` (checked by SHA-256 above); wasmtime itself
    // rejects payloads from another version or configuration.
    unsafe { Component::deserialize(engine, payload) }.ok()
}

/// Writes an entry atomically (temporary file, then rename), so readers never see half.
fn write_entry(path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("entries live in the cache dir");
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(MAGIC)?;
    tmp.write_all(&Sha256::digest(compiled))?;
    tmp.write_all(compiled)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
