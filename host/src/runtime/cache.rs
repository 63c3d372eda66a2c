//! The on-disk cache of compiled components.
//!
//! Compiling a plugin costs tens of milliseconds; loading it precompiled, well under one.
//! But a cache entry is native code the host runs: whoever can write the cache directory
//! could run code in the host by forging one. So an entry is authenticated with an
//! HMAC-SHA256 under a random per-user key that lives outside the cache directory
//! (`$XDG_CONFIG_HOME/tollgate/cache.key`, created 0600), and the cache is not used at all
//! when its directory (or the key) can be written by another user. An entry that is
//! missing, truncated, corrupt, foreign or forged is recompiled and rewritten, never handed
//! to the engine.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use wasmtime::Engine;
use wasmtime::component::Component;

const MAGIC: &[u8; 8] = b"TGCWASM2";
const KEY_BYTES: usize = 32;
const MAC_BYTES: usize = 32;

/// Where compiled components are kept; without a directory, components are compiled in
/// memory every run.
#[derive(Clone, Debug)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
    key_file: Option<PathBuf>,
    notes: Arc<Mutex<Vec<String>>>,
}

/// What could be set up: a trusted directory and its key, or why the cache is off.
enum Store {
    Trusted { dir: PathBuf, key: [u8; KEY_BYTES] },
    Off(Option<String>),
}

impl ComponentCache {
    /// A cache in `dir` whose entries are authenticated with the key in `key_file`;
    /// either missing turns the cache off.
    pub fn new(dir: Option<PathBuf>, key_file: Option<PathBuf>) -> Self {
        Self {
            dir,
            key_file,
            notes: Arc::default(),
        }
    }

    /// The default location: `$XDG_CACHE_HOME/tollgate` or `$HOME/.cache/tollgate`.
    pub fn default_dir() -> Option<PathBuf> {
        user_dir("XDG_CACHE_HOME", ".cache")
    }

    /// The default key: `$XDG_CONFIG_HOME/tollgate/cache.key` or
    /// `$HOME/.config/tollgate/cache.key`, outside the cache directory.
    pub fn default_key_file() -> Option<PathBuf> {
        Some(user_dir("XDG_CONFIG_HOME", ".config")?.join("cache.key"))
    }

    /// Why entries were recompiled or the cache was not used, for the user (drained).
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The compiled component for `bytes` (whose SHA-256 hex is `digest`): from the cache
    /// when an authentic entry exists, compiled (and stored, best effort) otherwise.
    pub fn load(&self, engine: &Engine, bytes: &[u8], digest: &str) -> wasmtime::Result<Component> {
        let (dir, key) = match self.open() {
            Store::Trusted { dir, key } => (dir, key),
            Store::Off(note) => {
                self.note(note);
                return Component::new(engine, bytes);
            }
        };
        let path = dir.join(entry_name(engine, digest));
        match read_entry(engine, &path, &key) {
            Ok(component) => return Ok(component),
            Err(Some(why)) => self.note(Some(format!(
                "cache entry {} {why}; recompiling it",
                path.display()
            ))),
            Err(None) => {}
        }
        let compiled = engine.precompile_component(bytes)?;
        // A cache that cannot be written only costs time on the next run.
        let _ = write_entry(&path, &key, &compiled);
        // SAFETY: `compiled` was produced just now by this engine's `precompile_component`.
        unsafe { Component::deserialize(engine, &compiled) }
    }

    /// The cache directory and key, when both exist (or can be created) and no other user
    /// can write them.
    fn open(&self) -> Store {
        let (Some(dir), Some(key_file)) = (&self.dir, &self.key_file) else {
            return Store::Off(None);
        };
        let off = |what: &Path, why: String| {
            Store::Off(Some(format!(
                "not using the plugin cache: {} {why}",
                what.display()
            )))
        };
        if let Err(why) = private_dir(dir) {
            return off(dir, why);
        }
        match read_or_create_key(key_file) {
            Ok(key) => Store::Trusted {
                dir: dir.clone(),
                key,
            },
            Err(why) => off(key_file, why),
        }
    }

    fn note(&self, note: Option<String>) {
        let Some(note) = note else { return };
        let mut notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
}

/// `$<var>/tollgate`, or `$HOME/<fallback>/tollgate`.
fn user_dir(var: &str, fallback: &str) -> Option<PathBuf> {
    let base = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(fallback)))?;
    Some(base.join("tollgate"))
}

/// Creates `dir` (0700) if needed; refuses a directory another user owns or can write.
fn private_dir(dir: &Path) -> Result<(), String> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot be created ({e})"))?;
    let meta = fs::metadata(dir).map_err(|e| format!("cannot be read ({e})"))?;
    owned_and_private(&meta, 0o022)
}

/// Refuses what another user owns, or whose mode has any of the `forbidden` bits.
fn owned_and_private(meta: &fs::Metadata, forbidden: u32) -> Result<(), String> {
    if meta.uid() != rustix::process::geteuid().as_raw() {
        return Err(format!("is owned by another user (uid {})", meta.uid()));
    }
    if meta.mode() & forbidden != 0 {
        return Err(format!(
            "is open to other users (mode {:o})",
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

/// The per-user key: read when it exists (it must be ours, 0600 or stricter, 32 bytes),
/// else created from the system's random source, in a temporary file (0600) moved into
/// place only if no other run created it first, so that concurrent runs agree on one key.
fn read_or_create_key(path: &Path) -> Result<[u8; KEY_BYTES], String> {
    let dir = path.parent().ok_or("has no parent directory")?;
    private_dir(dir)?;
    if path.exists() {
        return read_key(path);
    }
    let mut key = [0; KEY_BYTES];
    getrandom::fill(&mut key).map_err(|e| format!("cannot be generated ({e})"))?;
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .and_then(|mut tmp| {
            tmp.write_all(&key)
                .and(tmp.as_file().sync_all())
                .map(|()| tmp)
        })
        .map_err(|e| format!("cannot be written ({e})"))?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(key),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => read_key(path),
        Err(e) => Err(format!("cannot be created ({})", e.error)),
    }
}

fn read_key(path: &Path) -> Result<[u8; KEY_BYTES], String> {
    let meta = fs::symlink_metadata(path).map_err(|e| format!("cannot be read ({e})"))?;
    owned_and_private(&meta, 0o077)?;
    let bytes = fs::read(path).map_err(|e| format!("cannot be read ({e})"))?;
    bytes
        .try_into()
        .map_err(|_| format!("is not a {KEY_BYTES}-byte key"))
}

/// `<first 32 hex digits of the component digest>-<engine compatibility hash>.cwasm`.
fn entry_name(engine: &Engine, digest: &str) -> String {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!(
        "{}-{:016x}.cwasm",
        &digest[..32.min(digest.len())],
        hasher.finish()
    )
}

fn mac(key: &[u8; KEY_BYTES]) -> Hmac<Sha256> {
    Hmac::new_from_slice(key).expect("HMAC takes a key of any length")
}

/// An authentic entry's component. `Err(None)` when there is no entry (a cold cache),
/// `Err(Some(why))` when an entry exists but cannot be trusted or used.
fn read_entry(
    engine: &Engine,
    path: &Path,
    key: &[u8; KEY_BYTES],
) -> Result<Component, Option<String>> {
    let data = match fs::read(path) {
        Ok(data) => data,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(None),
        Err(e) => return Err(Some(format!("cannot be read ({e})"))),
    };
    let unauthentic = || Some("is not authenticated by this user's cache key".to_owned());
    let rest = data.strip_prefix(MAGIC).ok_or_else(unauthentic)?;
    let (tag, payload) = rest.split_at_checked(MAC_BYTES).ok_or_else(unauthentic)?;
    let mut check = mac(key);
    check.update(payload);
    check.verify_slice(tag).map_err(|_| unauthentic())?;
    // SAFETY: the payload is byte-for-byte what `write_entry` stored from this engine
    // configuration's `precompile_component`: authenticated above under a key only this
    // user can read; wasmtime itself rejects payloads from another version or
    // configuration.
    unsafe { Component::deserialize(engine, payload) }
        .map_err(|e| Some(format!("was refused by wasmtime ({e})")))
}

/// Writes an entry atomically (temporary file, then rename), so readers never see half.
fn write_entry(path: &Path, key: &[u8; KEY_BYTES], compiled: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("entries live in the cache dir");
    let mut tag = mac(key);
    tag.update(compiled);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(MAGIC)?;
    tmp.write_all(&tag.finalize().into_bytes())?;
    tmp.write_all(compiled)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
