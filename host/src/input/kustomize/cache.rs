//! Kustomize builds kept between runs. A build takes from a tenth of a second to seconds,
//! and most runs (a pre-commit hook, a CI job run again) build the same trees as the run
//! before; an entry keeps what a top-level kustomization built, and is used only while
//! everything that build could have read is byte for byte what it read then.
//!
//! What a build can read, under kustomize's default load restrictions: files inside the
//! directory of each kustomization it goes through (the top-level one, and every
//! directory it names as a resource or component, recursively), and the builder itself.
//! An entry's closure digest covers exactly that: the builder (path, size, change time),
//! and every file under those directories (`.git` aside) by path and content, whether the
//! scan reads them or not. A build that reaches remote resources is not kept (what it reads
//! cannot be hashed), nor one that generates Secrets (their data, often from files kept
//! out of Git, would be copied into the cache).
//!
//! Entries live in `kustomize/` of the plugin cache's directory, one per kustomization
//! directory and builder (a changed tree replaces its entry; one unused for 30 days is
//! removed), authenticated like compiled plugins under the user's cache key
//! ([`crate::store`]): forged, corrupt or stale entries are built again and replaced.
//!
//! ```text
//! MAGIC | tag (32) | closure digest (32) | objects (JSON: [[origin or null, object], ...])
//! ```

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde_json::Value;

use super::{Builder, BuiltObject, Forest, Kustomization, Resource};
use crate::store::{self, Private};

const MAGIC: &[u8; 8] = b"TGKBUIL1";
const DIGEST_BYTES: usize = 32;
/// The entries' directory inside the cache directory.
const SUBDIR: &str = "kustomize";

/// Entries unused this long (by the time of their last use) are removed when a build is
/// next kept, so that a tree scanned once (a temporary clone) does not keep its entry.
const UNUSED_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// A directory holding more bytes or files than these is not hashed, and builds that read
/// it run every time: hashing it could cost more than building.
const MAX_TREE_BYTES: u64 = 64 << 20;
const MAX_TREE_FILES: usize = 10_000;

/// Where kustomize builds are kept: a directory no other user can write and the user's
/// key, opened on first use; without either, every build runs.
#[derive(Debug)]
pub struct BuildCache {
    dir: PathBuf,
    key_file: PathBuf,
    private: OnceLock<Option<Private>>,
}

/// The entry of one top-level kustomization: where it is kept and what it must have been
/// built from.
#[derive(Debug)]
pub struct Entry<'c> {
    private: &'c Private,
    path: PathBuf,
    name: String,
    /// The builder's stamp and the directories the build may read ([`closure`]).
    stamp: Arc<[u8]>,
    dirs: Vec<PathBuf>,
    /// Their digest, as this run found them before building.
    closure: [u8; DIGEST_BYTES],
}

impl BuildCache {
    /// Builds kept in `kustomize/` of the cache directory `dir` (which, like the plugin
    /// cache, no other user may write), authenticated with the key in `key_file`.
    pub fn new(dir: PathBuf, key_file: PathBuf) -> Self {
        Self {
            dir,
            key_file,
            private: OnceLock::new(),
        }
    }

    /// The entry of each of `forest`'s top-level kustomizations (in `forest.tops` order)
    /// built by `builder`, `None` where a build is not kept. Each directory is hashed once,
    /// however many builds read it.
    pub fn entries<'c>(&'c self, forest: &'c Forest, builder: &Builder) -> Vec<Option<Entry<'c>>> {
        let closures: Vec<Option<Vec<PathBuf>>> = forest
            .tops
            .iter()
            .map(|&top| closure(forest, top))
            .collect();
        let private = closures
            .iter()
            .any(Option::is_some)
            .then(|| self.private())
            .flatten();
        let (Some(private), Some(stamp)) = (private, builder_stamp(builder).map(Arc::from)) else {
            return forest.tops.iter().map(|_| None).collect();
        };
        let mut dirs: Vec<&Path> = closures
            .iter()
            .flatten()
            .flatten()
            .map(PathBuf::as_path)
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        let digests: HashMap<PathBuf, Option<blake3::Hash>> = dirs
            .into_par_iter()
            .map(|dir| (dir.to_owned(), tree_digest(dir)))
            .collect();
        forest
            .tops
            .iter()
            .zip(closures)
            .map(|(&top, dirs)| {
                let dirs = dirs?;
                let closure = closure_digest(&stamp, &dirs, |dir| digests[dir])?;
                let name = entry_name(&forest.kustomizations[top].dir, builder);
                Some(Entry {
                    private,
                    path: private.dir.join(SUBDIR).join(format!("{name}.build")),
                    name,
                    stamp: Arc::clone(&stamp),
                    dirs,
                    closure,
                })
            })
            .collect()
    }

    fn private(&self) -> Option<&Private> {
        self.private
            .get_or_init(|| {
                // The plugin cache says why the directory or key cannot be used.
                let private = Private::open(&self.dir, &self.key_file).ok()?;
                store::private_dir(&private.dir.join(SUBDIR)).ok()?;
                Some(private)
            })
            .as_ref()
    }
}

impl Entry<'_> {
    /// The objects of the build, as kept when the entry is authentic and made from this
    /// closure; otherwise `build` runs, and what it built successfully is kept.
    pub fn build(
        &self,
        build: impl FnOnce() -> Result<Vec<BuiltObject>, String>,
    ) -> Result<Vec<BuiltObject>, String> {
        if let Some(objects) = self.read() {
            // Its time of last use, which pruning goes by.
            let _ = fs::File::options()
                .append(true)
                .open(&self.path)
                .and_then(|file| file.set_modified(SystemTime::now()));
            return Ok(objects);
        }
        let objects = build()?;
        // A file that changed while the build ran may have been read either way: such a
        // build is not kept.
        if closure_digest(&self.stamp, &self.dirs, tree_digest) == Some(self.closure) {
            self.write(&objects);
        }
        Ok(objects)
    }

    fn read(&self) -> Option<Vec<BuiltObject>> {
        let bytes = fs::read(&self.path).ok()?;
        let rest = bytes.strip_prefix(MAGIC)?;
        let (stored_tag, rest) = rest.split_at_checked(DIGEST_BYTES)?;
        let (closure, payload) = rest.split_at_checked(DIGEST_BYTES)?;
        let stored_tag: [u8; DIGEST_BYTES] = stored_tag.try_into().ok()?;
        // Compared in constant time, as `blake3::Hash` compares.
        if self.tag(closure, payload) != blake3::Hash::from_bytes(stored_tag)
            || closure != self.closure
        {
            return None;
        }
        let kept: Vec<(Option<PathBuf>, Value)> = serde_json::from_slice(payload).ok()?;
        Some(
            kept.into_iter()
                .map(|(origin, value)| BuiltObject { value, origin })
                .collect(),
        )
    }

    /// Keeps `objects`; an entry that cannot be written (a full disk) only costs the
    /// next run a build.
    fn write(&self, objects: &[BuiltObject]) {
        let kept: Vec<(&Option<PathBuf>, &Value)> =
            objects.iter().map(|o| (&o.origin, &o.value)).collect();
        // Paths that are not UTF-8 do not serialize: such a build is not kept.
        let Ok(payload) = serde_json::to_vec(&kept) else {
            return;
        };
        let tag = self.tag(&self.closure, &payload);
        let _ = store::write_atomically(
            &self.path,
            &[MAGIC, tag.as_bytes(), &self.closure, &payload],
        );
        if let Some(dir) = self.path.parent() {
            prune(dir);
        }
    }

    /// The keyed BLAKE3 of the entry's name, closure and objects: an authentic entry
    /// moved under another kustomization's name is refused.
    fn tag(&self, closure: &[u8], payload: &[u8]) -> blake3::Hash {
        let mut mac = blake3::Hasher::new_keyed(&self.private.key);
        mac.update(&(self.name.len() as u64).to_le_bytes());
        mac.update(self.name.as_bytes());
        mac.update(closure);
        mac.update(payload);
        mac.finalize()
    }
}

/// Removes the files of `dir` unused for [`UNUSED_FOR`].
fn prune(dir: &Path) {
    let Ok(files) = fs::read_dir(dir) else { return };
    let now = SystemTime::now();
    for file in files.flatten() {
        let unused = file
            .metadata()
            .and_then(|meta| meta.modified())
            .is_ok_and(|used| now.duration_since(used).is_ok_and(|age| age > UNUSED_FOR));
        if unused {
            let _ = fs::remove_file(file.path());
        }
    }
}

/// The digest of a build's closure: the builder's `stamp`, and each of `dirs` by path and
/// `digest`.
fn closure_digest(
    stamp: &[u8],
    dirs: &[PathBuf],
    digest: impl Fn(&Path) -> Option<blake3::Hash>,
) -> Option<[u8; DIGEST_BYTES]> {
    let mut closure = blake3::Hasher::new();
    closure.update(MAGIC);
    closure.update(stamp);
    for dir in dirs {
        closure.update(dir.as_os_str().as_encoded_bytes());
        closure.update(&[0]);
        closure.update(digest(dir)?.as_bytes());
    }
    Some(*closure.finalize().as_bytes())
}

/// The directories a build of top-level kustomization `top` can read, sorted, when none
/// of the kustomizations it goes through (in the scan or outside it) is remote or
/// generates Secrets, and each can be read.
fn closure(forest: &Forest, top: usize) -> Option<Vec<PathBuf>> {
    let in_scan: HashMap<&Path, &Kustomization> = forest
        .kustomizations
        .iter()
        .map(|k| (k.dir.as_path(), k))
        .collect();
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut pending = vec![forest.kustomizations[top].dir.clone()];
    while let Some(dir) = pending.pop() {
        if dirs.contains(&dir) {
            continue;
        }
        let outside;
        let k = match in_scan.get(dir.as_path()) {
            Some(k) => *k,
            None => {
                outside = Kustomization::read_in(&dir)?;
                &outside
            }
        };
        if k.generates_secrets {
            return None;
        }
        for resource in &k.resources {
            match resource {
                Resource::File(_) => {}
                Resource::Dir(dir) => pending.push(dir.clone()),
                Resource::Remote => return None,
            }
        }
        dirs.push(dir);
    }
    dirs.sort_unstable();
    Some(dirs)
}

/// The digest of every file under `dir` (links followed, `.git` left out) by path
/// relative to it and content; `None` when one cannot be read or they are too large.
fn tree_digest(dir: &Path) -> Option<blake3::Hash> {
    let walk = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .follow_links(true)
        .filter_entry(|entry| entry.file_name() != ".git")
        .sort_by_file_path(Path::cmp)
        .build();
    let mut tree = blake3::Hasher::new();
    let (mut bytes, mut files) = (0, 0);
    for entry in walk {
        let entry = entry.ok()?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let mut file = fs::File::open(entry.path()).ok()?;
        bytes += file.metadata().ok()?.len();
        files += 1;
        if bytes > MAX_TREE_BYTES || files > MAX_TREE_FILES {
            return None;
        }
        let relative = entry.path().strip_prefix(dir).ok()?;
        tree.update(relative.as_os_str().as_encoded_bytes());
        tree.update(&[0]);
        let mut content = blake3::Hasher::new();
        content.update_reader(&mut file).ok()?;
        tree.update(&content.count().to_le_bytes());
        tree.update(content.finalize().as_bytes());
    }
    Some(tree.finalize())
}

/// What identifies the builder's program: its path, size, inode and change time (an
/// upgrade replaces the file or its content, and either changes these).
fn builder_stamp(builder: &Builder) -> Option<Vec<u8>> {
    let program = fs::canonicalize(&builder.program).ok()?;
    let meta = fs::metadata(&program).ok()?;
    let mut stamp = program.into_os_string().into_encoded_bytes();
    stamp.push(0);
    stamp.extend_from_slice(builder.subcommand.as_bytes());
    stamp.push(0);
    for number in [
        meta.len(),
        meta.dev(),
        meta.ino(),
        meta.ctime() as u64,
        meta.ctime_nsec() as u64,
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
    ] {
        stamp.extend_from_slice(&number.to_le_bytes());
    }
    Some(stamp)
}

/// The entry's file name: a digest of the kustomization's directory and the builder's
/// path, so that each has one entry, replaced when its tree changes.
fn entry_name(dir: &Path, builder: &Builder) -> String {
    let mut name = blake3::Hasher::new();
    name.update(dir.as_os_str().as_encoded_bytes());
    name.update(&[0]);
    name.update(builder.program.as_os_str().as_encoded_bytes());
    name.update(&[0]);
    name.update(builder.subcommand.as_bytes());
    name.finalize().to_hex()[..32].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A forest of the kustomization files of `files` (path, text) written under a fresh
    /// directory, those under `outside/` left out of it as a scan of the rest would.
    fn forest(files: &[(&str, &str)]) -> (tempfile::TempDir, Forest) {
        let root = tempfile::tempdir().unwrap();
        let mut kustomizations = Vec::new();
        for (path, text) in files {
            let path = root.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
            if path.ends_with("kustomization.yaml")
                && !path.starts_with(root.path().join("outside"))
            {
                kustomizations.push(path);
            }
        }
        let (forest, errors) = Forest::read(&kustomizations);
        assert!(errors.is_empty());
        (root, forest)
    }

    /// The closure of the only top-level kustomization, relative to `root`.
    fn only_closure(root: &Path, forest: &Forest) -> Option<Vec<String>> {
        assert_eq!(forest.tops.len(), 1);
        let root = fs::canonicalize(root).unwrap();
        closure(forest, forest.tops[0]).map(|dirs| {
            dirs.iter()
                .map(|d| d.strip_prefix(&root).unwrap().display().to_string())
                .collect()
        })
    }

    #[test]
    fn a_closure_is_every_kustomization_a_build_goes_through() {
        let (root, forest) = forest(&[
            ("app/base/kustomization.yaml", "resources: [deploy.yaml]\n"),
            ("app/base/deploy.yaml", "kind: Deployment\n"),
            ("shared/kustomization.yaml", "resources: []\n"),
            (
                "app/prod/kustomization.yaml",
                "resources: [../base, ../../shared]\ncomponents: [../../parts]\n",
            ),
            (
                "parts/kustomization.yaml",
                "kind: Component\nresources: [../outside/lib]\n",
            ),
            ("outside/lib/kustomization.yaml", "resources: [../common]\n"),
            ("outside/common/kustomization.yaml", "resources: []\n"),
        ]);
        assert_eq!(
            only_closure(root.path(), &forest).unwrap(),
            [
                "app/base",
                "app/prod",
                "outside/common",
                "outside/lib",
                "parts",
                "shared"
            ]
        );
    }

    #[test]
    fn builds_that_read_what_cannot_be_hashed_or_generate_secrets_have_no_closure() {
        for prod in [
            "resources: [../base, https://github.com/example/app//deploy?ref=v1]\n",
            "resources: [../base, ../not-a-kustomization]\n",
            "resources: [../base, ../outside/generator]\n",
            "resources: [../base]\nsecretGenerator:\n- name: api\n  literals: [token=x]\n",
        ] {
            let (root, forest) = forest(&[
                ("base/kustomization.yaml", "resources: []\n"),
                ("not-a-kustomization/deploy.yaml", "kind: Deployment\n"),
                (
                    "outside/generator/kustomization.yaml",
                    "secretGenerator:\n- name: db\n  envs: [db.env]\n",
                ),
                ("prod/kustomization.yaml", prod),
            ]);
            assert_eq!(only_closure(root.path(), &forest), None, "{prod}");
        }
    }

    #[test]
    fn a_tree_digest_covers_every_file_by_name_and_content_but_git() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        write("kustomization.yaml", "resources: [a.yaml]\n");
        write("a.yaml", "kind: A\n");
        let digest = || tree_digest(dir.path()).unwrap();
        let first = digest();
        write(".git/index", "changes every commit");
        assert_eq!(digest(), first);
        let mut seen = vec![first];
        for (path, text) in [
            ("a.yaml", "kind: B\n"),
            (".env", "TOKEN=1\n"),
            ("nested/patch.yaml", "kind: C\n"),
        ] {
            write(path, text);
            assert!(!seen.contains(&digest()), "{path}");
            seen.push(digest());
        }
        fs::rename(dir.path().join("a.yaml"), dir.path().join("b.yaml")).unwrap();
        assert!(!seen.contains(&digest()), "a file renamed");
    }
}
