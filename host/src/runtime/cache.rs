//! The on-disk cache of compiled components, each beside the plugin's `info()`.
//!
//! Compiling a plugin costs tens of milliseconds; loading it precompiled, well under one.
//! But a cache entry is native code the host runs: whoever can write the cache directory
//! could run code in the host by forging one. So an entry is authenticated with an
//! HMAC-SHA256 under a random per-user key that lives outside the cache directory
//! (`$XDG_CONFIG_HOME/tollgate/cache.key`, created 0600), and the cache is not used at all
//! when its directory (or the key) can be written by another user. An entry that is
//! missing, truncated, corrupt, foreign or forged is recompiled and rewritten, never handed
//! to the engine.
//!
//! An entry holds the rule's `info()` first, under a tag of its own, then the compiled
//! code: a run reads the info of every plugin (a few kilobytes each) to list and select
//! rules, and reads and authenticates the code only of the plugins it calls.
//!
//! ```text
//! MAGIC | info tag (32) | info length (u32 LE) | info (JSON) | code tag (32) | code
//! ```
//! Each tag is the HMAC of the entry's name and the part it covers, so an authentic
//! entry moved under another plugin's name is refused.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use wasmtime::Engine;
use wasmtime::component::Component;

use super::bindings::RuleInfo;

const MAGIC: &[u8; 8] = b"TGCWASM3";
const KEY_BYTES: usize = 32;
const MAC_BYTES: usize = 32;

/// Where compiled components are kept; without a directory, components are compiled in
/// memory every run.
#[derive(Clone, Debug)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
    key_file: Option<PathBuf>,
    /// The directory and key, checked once a run.
    store: Arc<OnceLock<Store>>,
    notes: Arc<Mutex<Vec<String>>>,
}

/// What could be set up: a trusted directory and its key, or why the cache is off.
#[derive(Debug)]
enum Store {
    Trusted { dir: PathBuf, key: [u8; KEY_BYTES] },
    Off(Option<String>),
}

/// A component and, when it was compiled just now with the cache on, its compiled code
/// (for [`ComponentCache::store`] once the plugin's info is known).
pub struct Compiled {
    pub component: Component,
    pub fresh: Option<Vec<u8>>,
}

impl ComponentCache {
    /// A cache in `dir` whose entries are authenticated with the key in `key_file`;
    /// either missing turns the cache off.
    pub fn new(dir: Option<PathBuf>, key_file: Option<PathBuf>) -> Self {
        Self {
            dir,
            key_file,
            store: Arc::default(),
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

    /// The cached `info()` of the component whose SHA-256 hex is `digest`, when an
    /// authentic entry holds it; `None` otherwise (the plugin is then compiled and asked).
    pub fn info(&self, engine: &Engine, digest: &str) -> Option<RuleInfo> {
        let (dir, key) = self.trusted()?;
        let name = entry_name(engine, digest);
        let path = dir.join(&name);
        let mut file = self.open_entry(&path)?;
        match read_info(&mut file, &name, key) {
            Ok(info) => Some(info),
            Err(why) => {
                self.note_refused(&path, &why);
                None
            }
        }
    }

    /// The compiled component for `bytes` (whose SHA-256 hex is `digest`): from the cache
    /// when an authentic entry exists, compiled otherwise.
    pub fn component(
        &self,
        engine: &Engine,
        bytes: &[u8],
        digest: &str,
    ) -> wasmtime::Result<Compiled> {
        let Some((dir, key)) = self.trusted() else {
            return Ok(Compiled {
                component: Component::new(engine, bytes)?,
                fresh: None,
            });
        };
        let name = entry_name(engine, digest);
        let path = dir.join(&name);
        if let Some(mut file) = self.open_entry(&path) {
            match read_code(engine, &mut file, &name, key) {
                Ok(component) => {
                    return Ok(Compiled {
                        component,
                        fresh: None,
                    });
                }
                Err(why) => self.note_refused(&path, &why),
            }
        }
        let compiled = engine.precompile_component(bytes)?;
        // SAFETY: `compiled` was produced just now by this engine's `precompile_component`.
        let component = unsafe { Component::deserialize(engine, &compiled) }?;
        Ok(Compiled {
            component,
            fresh: Some(compiled),
        })
    }

    /// Stores the entry of the component whose SHA-256 hex is `digest`, best effort: a
    /// cache that cannot be written only costs time on the next run.
    pub fn store(&self, engine: &Engine, digest: &str, info: &RuleInfo, compiled: &[u8]) {
        let Some((dir, key)) = self.trusted() else {
            return;
        };
        let name = entry_name(engine, digest);
        let Ok(info) = serde_json::to_vec(info) else {
            return;
        };
        let _ = write_entry(&dir.join(&name), &name, key, &info, compiled);
    }

    /// The trusted directory and key, checked on first use; `None` (with a note saying
    /// why, if there is a reason to tell) when the cache is off.
    fn trusted(&self) -> Option<(&Path, &[u8; KEY_BYTES])> {
        match self.store.get_or_init(|| self.open()) {
            Store::Trusted { dir, key } => Some((dir, key)),
            Store::Off(note) => {
                self.note(note.clone());
                None
            }
        }
    }

    /// The entry at `path`, `None` when there is none (a cold cache) or it cannot be
    /// opened (noted).
    fn open_entry(&self, path: &Path) -> Option<fs::File> {
        match fs::File::open(path) {
            Ok(file) => Some(file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                self.note_refused(path, &format!("cannot be read ({e})"));
                None
            }
        }
    }

    fn note_refused(&self, path: &Path, why: &str) {
        self.note(Some(format!(
            "cache entry {} {why}; recompiling it",
            path.display()
        )));
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

/// `<first 32 hex digits of the component digest>-<hash>.cwasm`, the hash of the engine
/// configuration, the contract and this host's version (whose checks of `info()` the
/// cached info passed).
fn entry_name(engine: &Engine, digest: &str) -> String {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    super::CONTRACT.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    format!(
        "{}-{:016x}.cwasm",
        &digest[..32.min(digest.len())],
        hasher.finish()
    )
}

/// The tag of one part of the entry `name`.
fn tag(key: &[u8; KEY_BYTES], name: &str, part: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(&(name.len() as u64).to_le_bytes());
    mac.update(name.as_bytes());
    mac.update(part);
    mac
}

const UNAUTHENTIC: &str = "is not authenticated by this user's cache key";

/// Reads `len` bytes, or says the entry is cut short (which a forged one may be).
fn read_exact(file: &mut fs::File, len: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    Read::by_ref(file)
        .take(len as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read ({e})"))?;
    if bytes.len() < len {
        return Err(UNAUTHENTIC.to_owned());
    }
    Ok(bytes)
}

/// The authenticated info part of the entry `name`, the file left at the code tag.
fn read_info(file: &mut fs::File, name: &str, key: &[u8; KEY_BYTES]) -> Result<RuleInfo, String> {
    let header = read_exact(file, MAGIC.len() + MAC_BYTES + 4)?;
    let rest = header.strip_prefix(MAGIC).ok_or(UNAUTHENTIC)?;
    let (info_tag, len) = rest.split_at(MAC_BYTES);
    let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
    let info = read_exact(file, len)?;
    tag(key, name, &info)
        .verify_slice(info_tag)
        .map_err(|_| UNAUTHENTIC)?;
    serde_json::from_slice(&info).map_err(|e| format!("holds an unreadable rule info ({e})"))
}

/// The component of an authentic entry `name`: its info part and its code are both
/// authenticated before the code is handed to wasmtime.
fn read_code(
    engine: &Engine,
    file: &mut fs::File,
    name: &str,
    key: &[u8; KEY_BYTES],
) -> Result<Component, String> {
    read_info(file, name, key)?;
    let code_tag = read_exact(file, MAC_BYTES)?;
    let mut code = Vec::new();
    file.read_to_end(&mut code)
        .map_err(|e| format!("cannot be read ({e})"))?;
    tag(key, name, &code)
        .verify_slice(&code_tag)
        .map_err(|_| UNAUTHENTIC)?;
    // SAFETY: the code is byte-for-byte what `write_entry` stored from this engine
    // configuration's `precompile_component`: authenticated above under a key only this
    // user can read; wasmtime itself rejects code from another version or configuration.
    unsafe { Component::deserialize(engine, &code) }
        .map_err(|e| format!("was refused by wasmtime ({e})"))
}

/// Writes an entry atomically (temporary file, then rename), so readers never see half.
fn write_entry(
    path: &Path,
    name: &str,
    key: &[u8; KEY_BYTES],
    info: &[u8],
    compiled: &[u8],
) -> std::io::Result<()> {
    let dir = path.parent().expect("entries live in the cache dir");
    let len = u32::try_from(info.len()).map_err(std::io::Error::other)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(MAGIC)?;
    tmp.write_all(&tag(key, name, info).finalize().into_bytes())?;
    tmp.write_all(&len.to_le_bytes())?;
    tmp.write_all(info)?;
    tmp.write_all(&tag(key, name, compiled).finalize().into_bytes())?;
    tmp.write_all(compiled)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
