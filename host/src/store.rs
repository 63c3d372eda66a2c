//! The user's private cache directory and the key that authenticates what tollgate keeps
//! there: compiled plugins (the runtime's cache) and kustomize builds (the input's).
//! Whoever can write an entry could change what a run executes or judges, so every entry
//! carries a keyed BLAKE3 tag under a random per-user key that lives outside the directory
//! (`$XDG_CONFIG_HOME/tollgate/cache.key`, created 0600), and a directory or key another
//! user can write is not used at all.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

pub const KEY_BYTES: usize = 32;

/// A cache directory no other user can write, and the user's key.
#[derive(Debug)]
pub struct Private {
    pub dir: PathBuf,
    pub key: [u8; KEY_BYTES],
}

impl Private {
    /// `dir` (created 0700 when missing) with the key in `key_file` (created when
    /// missing); otherwise the path that cannot be trusted and why.
    pub fn open(dir: &Path, key_file: &Path) -> Result<Self, (PathBuf, String)> {
        private_dir(dir).map_err(|why| (dir.to_owned(), why))?;
        let key = read_or_create_key(key_file).map_err(|why| (key_file.to_owned(), why))?;
        Ok(Self {
            dir: dir.to_owned(),
            key,
        })
    }
}

/// The tag of the entry `name` whose content is `parts`: keyed BLAKE3 under `key`, whose
/// [`blake3::Hash`] compares in constant time. The name is in it, so an authentic entry
/// moved under another name is refused.
pub fn tag(key: &[u8; KEY_BYTES], name: &str, parts: &[&[u8]]) -> blake3::Hash {
    let mut mac = blake3::Hasher::new_keyed(key);
    mac.update(&(name.len() as u64).to_le_bytes());
    mac.update(name.as_bytes());
    for part in parts {
        mac.update(part);
    }
    mac.finalize()
}

/// `$<var>/tollgate`, or `$HOME/<fallback>/tollgate`.
pub fn user_dir(var: &str, fallback: &str) -> Option<PathBuf> {
    let base = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(fallback)))?;
    Some(base.join("tollgate"))
}

/// Creates `dir` (0700) if needed; refuses a directory another user owns or can write.
pub fn private_dir(dir: &Path) -> Result<(), String> {
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

/// Writes `parts` to `path` atomically: into a temporary file (0600) beside it, then
/// renamed over it, so that a reader never sees half a file.
pub fn write_atomically(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    let dir = path.parent().expect("entries live in the cache dir");
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    for part in parts {
        tmp.write_all(part)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
