//! The on-disk cache of compiled components, each beside the plugin's `info()`.
//!
//! Compiling a plugin costs tens of milliseconds; loading it precompiled, well under one.
//! But a cache entry is native code the host runs: whoever can write the cache directory
//! could run code in the host by forging one. So an entry is authenticated with keyed
//! BLAKE3 (a MAC) under the user's cache key ([`crate::store`]), and the cache is not used
//! at all when its directory (or the key) can be written by another user. An entry that is
//! missing, truncated, corrupt, foreign or forged is recompiled and rewritten, never handed
//! to the engine.
//!
//! An entry is two files: `<name>.cwasm`, the compiled code exactly as wasmtime wrote it,
//! and `<name>.info`, the rule's `info()` with the BLAKE3 digest of the code under one tag:
//!
//! ```text
//! MAGIC | tag (32) | BLAKE3 of the code (32) | info (JSON)
//! ```
//! The tag is the keyed BLAKE3 of the entry's name, the code's digest and the info, so an
//! authentic entry moved under another plugin's name is refused. BLAKE3 rather than
//! SHA-256 because every run hashes the code it loads (megabytes per plugin): on x86-64
//! it is several times faster than SHA-256 even with the SHA extensions.
//!
//! A run reads the info of every plugin (a few kilobytes each) to list and select rules;
//! the code only of the plugins it calls, mapped rather than read, checked against its
//! digest in the mapping, and handed to wasmtime as that same open file, which maps it
//! again without a copy.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use wasmtime::Engine;
use wasmtime::component::Component;

use super::bindings::RuleInfo;
use crate::store::{self, KEY_BYTES, Private, write_atomically};

const MAGIC: &[u8; 8] = b"TGCINFO2";
const MAC_BYTES: usize = 32;
const DIGEST_BYTES: usize = 32;

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
    Trusted(Private),
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

    /// The cache directory and the key file, when the cache is on.
    pub fn location(&self) -> Option<(&Path, &Path)> {
        Some((self.dir.as_deref()?, self.key_file.as_deref()?))
    }

    /// The default location: `$XDG_CACHE_HOME/tollgate` or `$HOME/.cache/tollgate`.
    pub fn default_dir() -> Option<PathBuf> {
        store::user_dir("XDG_CACHE_HOME", ".cache")
    }

    /// The default key: `$XDG_CONFIG_HOME/tollgate/cache.key` or
    /// `$HOME/.config/tollgate/cache.key`, outside the cache directory.
    pub fn default_key_file() -> Option<PathBuf> {
        Some(store::user_dir("XDG_CONFIG_HOME", ".config")?.join("cache.key"))
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
        match self.read_info(dir, &name, key)? {
            Ok((info, _)) => Some(info),
            Err(why) => {
                self.note_refused(&dir.join(format!("{name}.info")), &why);
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
        if let Some(component) = self.read_component(engine, dir, &name, key) {
            return Ok(Compiled {
                component,
                fresh: None,
            });
        }
        let compiled = engine.precompile_component(bytes)?;
        // SAFETY: `compiled` was produced just now by this engine's `precompile_component`.
        let component = unsafe { Component::deserialize(engine, &compiled) }?;
        Ok(Compiled {
            component,
            fresh: Some(compiled),
        })
    }

    /// Stores the entry of the component whose SHA-256 hex is `digest`. A cache that
    /// cannot be written (a full disk, say) only costs time on the next run, so the run
    /// goes on, with a note naming the entry and the reason.
    pub fn store(&self, engine: &Engine, digest: &str, info: &RuleInfo, compiled: &[u8]) {
        let Some((dir, key)) = self.trusted() else {
            return;
        };
        let name = entry_name(engine, digest);
        // A rule's info is strings and lists: it always serializes.
        let Ok(info) = serde_json::to_vec(info) else {
            return;
        };
        if let Err((file, e)) = write_entry(dir, &name, key, &info, compiled) {
            self.note(Some(format!(
                "cannot write cache entry {} ({e}); the next run compiles it again",
                file.display()
            )));
        }
    }

    /// The trusted directory and key, checked on first use; `None` (with a note saying
    /// why, if there is a reason to tell) when the cache is off.
    fn trusted(&self) -> Option<(&Path, &[u8; KEY_BYTES])> {
        match self.store.get_or_init(|| self.open()) {
            Store::Trusted(private) => Some((&private.dir, &private.key)),
            Store::Off(note) => {
                self.note(note.clone());
                None
            }
        }
    }

    /// The authenticated info of the entry `name`, with the digest of its code; `None`
    /// when there is no entry (a cold cache), `Some(Err(why))` when it cannot be trusted.
    fn read_info(
        &self,
        dir: &Path,
        name: &str,
        key: &[u8; KEY_BYTES],
    ) -> Option<Result<(RuleInfo, [u8; DIGEST_BYTES]), String>> {
        let bytes = match fs::read(dir.join(format!("{name}.info"))) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => return Some(Err(format!("cannot be read ({e})"))),
        };
        Some(parse_info(&bytes, name, key))
    }

    /// The component of an authentic entry `name`, `None` (noted when there was an
    /// entry) otherwise.
    fn read_component(
        &self,
        engine: &Engine,
        dir: &Path,
        name: &str,
        key: &[u8; KEY_BYTES],
    ) -> Option<Component> {
        let info = dir.join(format!("{name}.info"));
        let (_, digest) = match self.read_info(dir, name, key)? {
            Ok(read) => read,
            Err(why) => {
                self.note_refused(&info, &why);
                return None;
            }
        };
        let code = dir.join(format!("{name}.cwasm"));
        match map_code(engine, &code, &digest) {
            Ok(component) => Some(component),
            Err(why) => {
                self.note_refused(&code, &why);
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
        match Private::open(dir, key_file) {
            Ok(private) => Store::Trusted(private),
            Err((what, why)) => Store::Off(Some(format!(
                "not using the plugin cache: {} {why}",
                what.display()
            ))),
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

/// `<first 32 hex digits of the component digest>-<hash>`, the hash of the engine
/// configuration, the contract, this host's version (whose checks of `info()` the cached
/// info passed) and the entry format: entries another format wrote are simply not found,
/// and recompiled without a note saying they failed authentication.
fn entry_name(engine: &Engine, digest: &str) -> String {
    let mut hasher = DefaultHasher::new();
    MAGIC.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    super::CONTRACT.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    format!(
        "{}-{:016x}",
        &digest[..32.min(digest.len())],
        hasher.finish()
    )
}

const UNAUTHENTIC: &str = "is not authenticated by this user's cache key";

/// The info and the code's digest in the `.info` file of the entry `name`, once its tag
/// is checked.
fn parse_info(
    bytes: &[u8],
    name: &str,
    key: &[u8; KEY_BYTES],
) -> Result<(RuleInfo, [u8; DIGEST_BYTES]), String> {
    let rest = bytes.strip_prefix(MAGIC).ok_or(UNAUTHENTIC)?;
    let (stored_tag, rest) = rest.split_at_checked(MAC_BYTES).ok_or(UNAUTHENTIC)?;
    let (digest, info) = rest.split_at_checked(DIGEST_BYTES).ok_or(UNAUTHENTIC)?;
    let stored_tag: [u8; MAC_BYTES] = stored_tag.try_into().expect("split at MAC_BYTES");
    if store::tag(key, name, &[digest, info]) != blake3::Hash::from_bytes(stored_tag) {
        return Err(UNAUTHENTIC.to_owned());
    }
    let info =
        serde_json::from_slice(info).map_err(|e| format!("holds an unreadable rule info ({e})"))?;
    Ok((info, digest.try_into().expect("32 bytes")))
}

/// The component in the code file at `path`, whose BLAKE3 must be `digest`: the file is
/// opened once, mapped to check its digest, and that same open file (not the path, which
/// may meanwhile name another) is given to wasmtime.
fn map_code(
    engine: &Engine,
    path: &Path,
    digest: &[u8; DIGEST_BYTES],
) -> Result<Component, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot be read ({e})"))?;
    // SAFETY: a private, read-only mapping of a file that is never rewritten in place
    // (entries are replaced by rename), so its bytes do not change under the borrow.
    let mapped =
        unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("cannot be mapped ({e})"))?;
    if blake3::hash(&mapped) != blake3::Hash::from_bytes(*digest) {
        return Err(UNAUTHENTIC.to_owned());
    }
    let opened = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    // SAFETY: the code is byte-for-byte what `write_entry` stored from this engine
    // configuration's `precompile_component`: its digest is authenticated above under a
    // key only this user can read, and entries are replaced by rename, never rewritten in
    // place, so the open file keeps these bytes. Wasmtime itself rejects code from another
    // version or configuration.
    let component = if opened.exists() {
        unsafe { Component::deserialize_file(engine, &opened) }
    } else {
        unsafe { Component::deserialize(engine, &mapped) }
    };
    component.map_err(|e| format!("was refused by wasmtime ({e})"))
}

/// Writes an entry, each file atomically (a temporary file, then a rename), the code
/// first: a reader never sees half a file, and at worst an info whose digest the code
/// does not have yet, which it recompiles. On failure, the file that could not be
/// written and why.
fn write_entry(
    dir: &Path,
    name: &str,
    key: &[u8; KEY_BYTES],
    info: &[u8],
    compiled: &[u8],
) -> Result<(), (PathBuf, std::io::Error)> {
    let digest = blake3::hash(compiled);
    let tag = store::tag(key, name, &[digest.as_bytes(), info]);
    let code = dir.join(format!("{name}.cwasm"));
    write_atomically(&code, &[compiled]).map_err(|e| (code, e))?;
    let info_file = dir.join(format!("{name}.info"));
    write_atomically(
        &info_file,
        &[MAGIC, tag.as_bytes(), digest.as_bytes(), info],
    )
    .map_err(|e| (info_file, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::bindings::InputKind;

    /// The smallest component there is: the preamble of an empty one.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";
    const DIGEST: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const OTHER: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    fn info() -> RuleInfo {
        RuleInfo {
            id: "empty".into(),
            version: "1.0.0".into(),
            title: "Hold nothing".into(),
            description: "A rule for the cache's tests.".into(),
            inputs: vec![InputKind::Manifests],
            kinds: vec!["Role".into()],
            checks: Vec::new(),
        }
    }

    /// The info as JSON, to compare (the generated type has no `PartialEq`).
    fn json(info: Option<RuleInfo>) -> Option<serde_json::Value> {
        info.map(|i| serde_json::to_value(i).unwrap())
    }

    /// A cache in a fresh directory, an engine, and the entry stored for `DIGEST` (the
    /// path of its files without their extension).
    fn filled() -> (tempfile::TempDir, ComponentCache, Engine, PathBuf) {
        let home = tempfile::tempdir().unwrap();
        let cache = ComponentCache::new(
            Some(home.path().join("cache")),
            Some(home.path().join("config/cache.key")),
        );
        let engine = Engine::default();
        let compiled = engine.precompile_component(EMPTY_COMPONENT).unwrap();
        cache.store(&engine, DIGEST, &info(), &compiled);
        let entry = home.path().join("cache").join(entry_name(&engine, DIGEST));
        (home, cache, engine, entry)
    }

    fn with(entry: &Path, extension: &str) -> PathBuf {
        entry.with_extension(extension)
    }

    fn refused(file: &Path) -> Vec<String> {
        vec![format!(
            "cache entry {} is not authenticated by this user's cache key; recompiling it",
            file.display()
        )]
    }

    fn recompiled(cache: &ComponentCache, engine: &Engine, digest: &str) -> bool {
        let compiled = cache.component(engine, EMPTY_COMPONENT, digest).unwrap();
        compiled.fresh.is_some()
    }

    #[test]
    fn a_stored_entry_gives_back_its_info_and_its_code() {
        let (_home, cache, engine, _) = filled();
        assert_eq!(json(cache.info(&engine, DIGEST)), json(Some(info())));
        assert!(!recompiled(&cache, &engine, DIGEST), "read from the cache");
        assert_eq!(cache.take_notes(), Vec::<String>::new());
    }

    #[test]
    fn corrupt_or_truncated_code_is_recompiled_never_loaded() {
        let (_home, cache, engine, entry) = filled();
        let code = with(&entry, "cwasm");
        let sound = fs::read(&code).unwrap();
        let mut flipped = sound.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        for corrupt in [flipped, sound[..sound.len() / 2].to_vec(), Vec::new()] {
            fs::write(&code, corrupt).unwrap();
            assert_eq!(json(cache.info(&engine, DIGEST)), json(Some(info())));
            assert!(recompiled(&cache, &engine, DIGEST));
            assert_eq!(cache.take_notes(), refused(&code));
        }
    }

    #[test]
    fn an_entry_that_cannot_be_written_is_noted() {
        let (_home, cache, engine, entry) = filled();
        let code = with(&entry, "cwasm");
        fs::remove_file(&code).unwrap();
        fs::create_dir(&code).unwrap();
        let compiled = engine.precompile_component(EMPTY_COMPONENT).unwrap();
        cache.store(&engine, DIGEST, &info(), &compiled);
        let notes = cache.take_notes();
        let expected = format!("cannot write cache entry {} (", code.display());
        assert!(
            notes.len() == 1 && notes[0].starts_with(&expected),
            "{notes:?}"
        );
        assert!(notes[0].ends_with("); the next run compiles it again"));
    }

    #[test]
    fn a_corrupt_or_truncated_info_is_not_believed() {
        let (_home, cache, engine, entry) = filled();
        let info_file = with(&entry, "info");
        let sound = fs::read(&info_file).unwrap();
        let mut flipped = sound.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x01;
        for corrupt in [flipped, sound[..20].to_vec(), Vec::new()] {
            fs::write(&info_file, corrupt).unwrap();
            assert_eq!(json(cache.info(&engine, DIGEST)), None);
            assert!(recompiled(&cache, &engine, DIGEST));
            assert_eq!(cache.take_notes(), refused(&info_file));
        }
    }

    #[test]
    fn an_authentic_entry_under_another_plugins_name_is_refused() {
        let (_home, cache, engine, entry) = filled();
        let moved = entry.with_file_name(entry_name(&engine, OTHER));
        for extension in ["info", "cwasm"] {
            fs::copy(with(&entry, extension), with(&moved, extension)).unwrap();
        }
        assert_eq!(json(cache.info(&engine, OTHER)), None);
        assert!(recompiled(&cache, &engine, OTHER));
        assert_eq!(cache.take_notes(), refused(&with(&moved, "info")));
    }

    #[test]
    fn an_entry_under_another_key_is_refused() {
        let (home, _, engine, entry) = filled();
        let stranger = ComponentCache::new(
            Some(home.path().join("cache")),
            Some(home.path().join("other/cache.key")),
        );
        assert_eq!(json(stranger.info(&engine, DIGEST)), None);
        assert_eq!(stranger.take_notes(), refused(&with(&entry, "info")));
    }

    #[test]
    fn an_entry_of_the_sha256_format_is_rebuilt() {
        let (_home, cache, engine, entry) = filled();
        let info_file = with(&entry, "info");
        let mut old = fs::read(&info_file).unwrap();
        old[..MAGIC.len()].copy_from_slice(b"TGCINFO1");
        fs::write(&info_file, old).unwrap();
        assert_eq!(json(cache.info(&engine, DIGEST)), None);
        assert!(recompiled(&cache, &engine, DIGEST));
        assert_eq!(cache.take_notes(), refused(&info_file));
    }

    #[test]
    fn a_missing_entry_is_compiled_without_a_note() {
        let (_home, cache, engine, _) = filled();
        assert_eq!(json(cache.info(&engine, OTHER)), None);
        assert!(recompiled(&cache, &engine, OTHER));
        assert_eq!(cache.take_notes(), Vec::<String>::new());
    }
}
