//! Kustomize builds kept between runs. A build takes from a tenth of a second to seconds,
//! and most runs (a pre-commit hook, a CI job run again) build the same trees as the run
//! before; an entry keeps what a top-level kustomization built, and is used only while
//! everything that build could have read is byte for byte what it read then.
//!
//! What a build can read, under kustomize's default load restrictions: files inside the
//! directory of each kustomization it goes through (the top-level one, and every
//! directory it names as a resource, component, generator, transformer or validator,
//! recursively; a link leading out of one is refused), and the builder itself. An entry's
//! closure digest covers exactly that: this tollgate, the builder (path, size, change
//! time), and every file under those directories by path and content, whether the scan
//! reads them or not. Not kept: a build that reaches a remote resource, names a URL
//! anywhere (a patch, a replacement) or an entry this reader cannot place (what it reads
//! cannot be hashed); one during which a file, directory or link under those directories
//! changed, even back to what it was (their change times say so); and one through a
//! kustomization with generators (ConfigMap and Secret generators read files often kept
//! out of Git, such as `.env` or a keystore), or whose output holds generated objects,
//! generator configurations, Secret data or a ConfigMap credential (which may be
//! decrypted only for the run): the cache would keep a copy of them.
//!
//! The builder is known by the program found on `PATH`: one behind a version manager's
//! shim, which picks the program to run from its own settings, looks the same after an
//! upgrade (the README says to clear the entries then).
//!
//! Entries live in `kustomize/` of the plugin cache's directory (which is left out of the
//! digests, should it lie in a tree), one per kustomization directory and builder (a
//! changed tree replaces its entry; one unused for 30 days, or beyond the 4,096 or 512 MiB
//! most recently used, is removed), authenticated like compiled plugins under the user's
//! cache key ([`crate::store`]): forged, corrupt or stale entries are built again and
//! replaced.
//!
//! ```text
//! MAGIC | tag (32) | closure digest (32) | objects (JSON: [[origin or null, object], ...])
//! ```

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde_json::Value;

use super::{Builder, BuiltObject, Forest, Kustomization, Resource};
use crate::report::redact;
use crate::store::{self, Private};

const MAGIC: &[u8; 8] = b"TGKBUIL1";
const DIGEST_BYTES: usize = 32;
/// The entries' directory inside the cache directory.
const SUBDIR: &str = "kustomize";

/// Entries unused this long (by the time of their last use) are removed when a build is
/// next kept, so that a tree scanned once (a temporary clone) does not keep its entry.
const UNUSED_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// At most this many entries, and bytes of them, are kept, the least recently used
/// removed first.
const MAX_ENTRIES: usize = 4096;
const MAX_BYTES: u64 = 512 << 20;

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
    opened: OnceLock<Option<Opened>>,
}

/// The cache directory once opened: the user's key, and the directory as links resolve
/// it (left out of the trees hashed, should it lie inside one).
#[derive(Debug)]
struct Opened {
    private: Private,
    canonical: PathBuf,
}

/// The entry of one top-level kustomization: where it is kept and what it must have been
/// built from.
#[derive(Debug)]
pub struct Entry<'c> {
    private: &'c Private,
    path: PathBuf,
    name: String,
    /// The builder's stamp (with the namespace built in) and the directories the build
    /// may read ([`closure`]).
    stamp: Vec<u8>,
    dirs: Vec<PathBuf>,
    /// The cache directory (canonical), left out of the directories' digests.
    skip: &'c Path,
    /// Their digests ([`closure_digest`]), as this run found them before building.
    closure: [u8; DIGEST_BYTES],
    changes: [u8; DIGEST_BYTES],
}

impl BuildCache {
    /// Builds kept in `kustomize/` of the cache directory `dir` (which, like the plugin
    /// cache, no other user may write), authenticated with the key in `key_file`.
    pub fn new(dir: PathBuf, key_file: PathBuf) -> Self {
        Self {
            dir,
            key_file,
            opened: OnceLock::new(),
        }
    }

    /// The entry of each of `forest`'s kustomizations `tops` built on its own by
    /// `builder`, in the namespace given with it if any; `None` where a build is not kept.
    /// Each directory is hashed once, however many builds read it.
    pub fn entries<'c>(
        &'c self,
        forest: &'c Forest,
        tops: &[(usize, Option<String>)],
        builder: &Builder,
    ) -> Vec<Option<Entry<'c>>> {
        let closures: Vec<Option<Vec<PathBuf>>> =
            tops.iter().map(|&(top, _)| closure(forest, top)).collect();
        let opened = closures
            .iter()
            .any(Option::is_some)
            .then(|| self.open())
            .flatten();
        let (Some(opened), Some(builder_stamp)) = (opened, builder_stamp(builder)) else {
            return tops.iter().map(|_| None).collect();
        };
        let mut dirs: Vec<&Path> = closures
            .iter()
            .flatten()
            .flatten()
            .map(PathBuf::as_path)
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        let (private, skip) = (&opened.private, opened.canonical.as_path());
        let trees: HashMap<PathBuf, Option<Tree>> = dirs
            .into_par_iter()
            .map(|dir| (dir.to_owned(), tree_digest(dir, skip)))
            .collect();
        tops.iter()
            .zip(closures)
            .map(|((top, namespace), dirs)| {
                let dirs = dirs?;
                // The namespace is part of what is built: it is in the wrapper.
                let mut stamp = builder_stamp.clone();
                if let Some(namespace) = namespace {
                    stamp.extend_from_slice(namespace.as_bytes());
                }
                stamp.push(0);
                let (closure, changes) = closure_digest(&stamp, &dirs, |dir| trees[dir])?;
                let name = entry_name(&forest.kustomizations[*top].dir, namespace, builder);
                Some(Entry {
                    private,
                    path: private.dir.join(SUBDIR).join(format!("{name}.build")),
                    name,
                    stamp,
                    dirs,
                    skip,
                    closure,
                    changes,
                })
            })
            .collect()
    }

    fn open(&self) -> Option<&Opened> {
        self.opened
            .get_or_init(|| {
                // The plugin cache says why the directory or key cannot be used.
                let private = Private::open(&self.dir, &self.key_file).ok()?;
                store::private_dir(&private.dir.join(SUBDIR)).ok()?;
                let canonical = fs::canonicalize(&private.dir).ok()?;
                Some(Opened { private, canonical })
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
        let after = closure_digest(&self.stamp, &self.dirs, |dir| tree_digest(dir, self.skip));
        if after == Some((self.closure, self.changes)) && keepable(&objects) {
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
                // Builds with generated objects are never kept.
                .map(|(origin, value)| BuiltObject {
                    value,
                    origin,
                    generated: false,
                })
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

    /// The tag of the entry's closure and objects ([`store::tag`]).
    fn tag(&self, closure: &[u8], payload: &[u8]) -> blake3::Hash {
        store::tag(&self.private.key, &self.name, &[closure, payload])
    }
}

/// Removes the files of `dir` unused for [`UNUSED_FOR`], and the least recently used
/// beyond [`MAX_ENTRIES`] or [`MAX_BYTES`].
fn prune(dir: &Path) {
    let Ok(files) = fs::read_dir(dir) else { return };
    let now = SystemTime::now();
    let mut kept = Vec::new();
    for file in files.flatten() {
        let Ok(meta) = file.metadata() else { continue };
        let Ok(used) = meta.modified() else { continue };
        if now.duration_since(used).is_ok_and(|age| age > UNUSED_FOR) {
            let _ = fs::remove_file(file.path());
        } else {
            kept.push((std::cmp::Reverse(used), meta.len(), file.path()));
        }
    }
    kept.sort_unstable();
    let mut bytes = 0;
    for (count, (_, len, path)) in kept.iter().enumerate() {
        bytes += len;
        if count >= MAX_ENTRIES || bytes > MAX_BYTES {
            let _ = fs::remove_file(path);
        }
    }
}

/// Whether `objects` may be copied into the cache: not when a generator made one (from
/// files often kept out of Git, such as `.env` or a keystore), a Secret holds data, or a
/// ConfigMap a credential (both may be decrypted only for the run).
fn keepable(objects: &[BuiltObject]) -> bool {
    objects.iter().all(|object| {
        let value = &object.value;
        // A generator's or transformer's configuration (`apiVersion: builtin`) may hold
        // literals of what it makes.
        if object.generated || value.get("apiVersion").and_then(Value::as_str) == Some("builtin") {
            return false;
        }
        match value.get("kind").and_then(Value::as_str) {
            Some("Secret") => ["data", "stringData"].iter().all(|field| {
                value
                    .get(field)
                    .and_then(Value::as_object)
                    .is_none_or(serde_json::Map::is_empty)
            }),
            Some("ConfigMap") => ["data", "binaryData"].iter().all(|field| {
                value
                    .get(field)
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .all(|(key, text)| !names_credential(key, text.as_str().unwrap_or_default()))
            }),
            _ => true,
        }
    })
}

/// Whether a ConfigMap entry looks like a credential: by its key's words or its text's
/// shape.
fn names_credential(key: &str, text: &str) -> bool {
    const WORDS: [&str; 9] = [
        "password",
        "passwd",
        "secret",
        "token",
        "credential",
        "apikey",
        "api_key",
        "api-key",
        "private",
    ];
    let key_lower = key.to_ascii_lowercase();
    WORDS.iter().any(|word| key_lower.contains(word))
        || redact::holds_credential(text)
        || redact::holds_credential(&format!("{key}: {text}"))
}

/// What [`tree_digest`] found under a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tree {
    /// Every file by relative path and content: what a build of the tree depends on.
    content: blake3::Hash,
    /// Every file, directory and link by relative path, inode and change time: differs
    /// after any change, even one undone before a build ended (a file written back, or
    /// made and removed, a link pointed elsewhere and back), which the contents would not
    /// show.
    changes: blake3::Hash,
}

/// The digests of a build's closure (see [`Tree`]): this tollgate, the builder's `stamp`,
/// and each of `dirs` by path and `tree`.
fn closure_digest(
    stamp: &[u8],
    dirs: &[PathBuf],
    tree: impl Fn(&Path) -> Option<Tree>,
) -> Option<([u8; DIGEST_BYTES], [u8; DIGEST_BYTES])> {
    let mut content = blake3::Hasher::new();
    content.update(MAGIC);
    content.update(env!("CARGO_PKG_VERSION").as_bytes());
    content.update(&[0]);
    content.update(stamp);
    let mut changes = blake3::Hasher::new();
    for dir in dirs {
        let found = tree(dir)?;
        for (hasher, digest) in [(&mut content, found.content), (&mut changes, found.changes)] {
            hasher.update(dir.as_os_str().as_encoded_bytes());
            hasher.update(&[0]);
            hasher.update(digest.as_bytes());
        }
    }
    Some((
        *content.finalize().as_bytes(),
        *changes.finalize().as_bytes(),
    ))
}

/// The directories a build of top-level kustomization `top` can read, sorted: those of
/// the kustomizations it goes through, in the scan or outside it, by resources,
/// components, generators, transformers and validators. `None` when one reaches a remote
/// resource or an entry this reader cannot place, or cannot be read.
fn closure(forest: &Forest, top: usize) -> Option<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut pending = vec![forest.kustomizations[top].dir.clone()];
    while let Some(dir) = pending.pop() {
        if dirs.contains(&dir) {
            continue;
        }
        let outside;
        let k = match forest.in_dir(&dir) {
            Some((_, k)) => k,
            None => {
                outside = Kustomization::read_in(&dir)?;
                &outside
            }
        };
        if k.unresolved || k.fetches || k.generates {
            return None;
        }
        for resource in k.resources.iter().chain(&k.plugins) {
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

/// The digests of every file under `dir` (links followed, `skip` left out; see [`Tree`]);
/// `None` when one cannot be read, a link leads out of `dir` (kustomize refuses what it
/// names), or they are too many or too large.
fn tree_digest(dir: &Path, skip: &Path) -> Option<Tree> {
    let skip = skip.to_owned();
    let walk = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .follow_links(true)
        .filter_entry(move |entry| entry.path() != skip)
        .sort_by_file_path(Path::cmp)
        .build();
    let (mut content, mut changes) = (blake3::Hasher::new(), blake3::Hasher::new());
    let (mut bytes, mut files) = (0, 0);
    for entry in walk {
        let entry = entry.ok()?;
        let relative = entry.path().strip_prefix(dir).ok()?.as_os_str();
        if entry.path_is_symlink() {
            if !fs::canonicalize(entry.path()).ok()?.starts_with(dir) {
                return None;
            }
            changed(
                &mut changes,
                relative,
                &fs::symlink_metadata(entry.path()).ok()?,
            );
        }
        if !entry.file_type()?.is_file() {
            changed(&mut changes, relative, &entry.metadata().ok()?);
            continue;
        }
        files += 1;
        let file = fs::File::open(entry.path()).ok()?;
        let meta = file.metadata().ok()?;
        let mut read = blake3::Hasher::new();
        read.update_reader(file.take(MAX_TREE_BYTES - bytes + 1))
            .ok()?;
        bytes += read.count();
        if bytes > MAX_TREE_BYTES || files > MAX_TREE_FILES {
            return None;
        }
        content.update(relative.as_encoded_bytes());
        content.update(&[0]);
        content.update(&read.count().to_le_bytes());
        content.update(read.finalize().as_bytes());
        changed(&mut changes, relative, &meta);
    }
    Some(Tree {
        content: content.finalize(),
        changes: changes.finalize(),
    })
}

/// Adds what changes when the file, directory or link at `relative` does to `changes`.
fn changed(changes: &mut blake3::Hasher, relative: &std::ffi::OsStr, meta: &fs::Metadata) {
    changes.update(relative.as_encoded_bytes());
    changes.update(&[0]);
    changes.update(&stamp_of(meta));
}

/// What changes when a file does, whatever its content: device, inode, size, and the times
/// of its last change and modification, to the nanosecond.
fn stamp_of(meta: &fs::Metadata) -> Vec<u8> {
    [
        meta.dev(),
        meta.ino(),
        meta.len(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
        meta.ctime() as u64,
        meta.ctime_nsec() as u64,
    ]
    .iter()
    .flat_map(|number| number.to_le_bytes())
    .collect()
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
    stamp.extend_from_slice(&stamp_of(&meta));
    Some(stamp)
}

/// The entry's file name: a digest of the kustomization's directory, the namespace it is
/// built in if any, and the builder's path, so that each has one entry, replaced when its
/// tree changes.
fn entry_name(dir: &Path, namespace: &Option<String>, builder: &Builder) -> String {
    let mut name = blake3::Hasher::new();
    name.update(dir.as_os_str().as_encoded_bytes());
    name.update(&[0]);
    if let Some(namespace) = namespace {
        name.update(b"namespace\0");
        name.update(namespace.as_bytes());
        name.update(&[0]);
    }
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
            // Field names match as kustomize matches them, whatever their case.
            (
                "app/prod/kustomization.yaml",
                "Resources: [../base, ../../shared]\ncomponents: [../../parts]\n\
                 transformers: [../../labels, \"apiVersion: builtin\\nkind: X\\n\"]\n",
            ),
            (
                "parts/kustomization.yaml",
                "kind: Component\nreſources: [../outside/lib]\n",
            ),
            ("labels/kustomization.yaml", "resources: [labels.yaml]\n"),
            ("labels/labels.yaml", "kind: LabelTransformer\n"),
            ("outside/lib/kustomization.yaml", "resources: [../common]\n"),
            ("outside/common/kustomization.yaml", "resources: []\n"),
        ]);
        assert_eq!(
            only_closure(root.path(), &forest).unwrap(),
            [
                "app/base",
                "app/prod",
                "labels",
                "outside/common",
                "outside/lib",
                "parts",
                "shared"
            ]
        );
    }

    #[test]
    fn builds_that_reach_what_cannot_be_hashed_have_no_closure() {
        for prod in [
            "resources: [../base, https://github.com/example/app//deploy?ref=v1]\n",
            "resources: [../base, GitHub.com/example/app//deploy?ref=v1]\n",
            "resources: [../base, github.com:example/app//deploy]\n",
            "resources: [../base]\npatches:\n- path: https://example.com/patch.yaml\n",
            "resources: [../base]\nconfigMapGenerator:\n- name: app\n  envs: [app.env]\n",
            // kustomize reads the first document alone.
            "resources: [../base, ../missing]\n---\nresources: [../base]\n",
            "resources: [../base]\ngenerators: [gitlab.example.com/team/generators]\n",
            "resources: [../base]\ntransformers: [https://example.com/labels.yaml]\n",
            "resources: [../base, ../missing]\n",
            "resources: [../base, ../not-a-kustomization]\n",
            "resources: [../base, ../outside/remote]\n",
        ] {
            let (root, forest) = forest(&[
                ("base/kustomization.yaml", "resources: []\n"),
                ("not-a-kustomization/deploy.yaml", "kind: Deployment\n"),
                (
                    "outside/remote/kustomization.yaml",
                    "resources: [git@github.com:example/app.git]\n",
                ),
                ("prod/kustomization.yaml", prod),
            ]);
            assert_eq!(only_closure(root.path(), &forest), None, "{prod}");
        }
    }

    #[test]
    fn a_tree_digest_covers_every_file_by_name_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        write("kustomization.yaml", "resources: [a.yaml]\n");
        write("a.yaml", "kind: A\n");
        // The cache, should it lie inside, is left out.
        let skip = root.join("cache");
        fs::create_dir_all(skip.join("kustomize")).unwrap();
        let digest = || tree_digest(&root, &skip).unwrap();
        let first = digest();
        write("cache/kustomize/entry.build", "an entry");
        assert_eq!(digest(), first);
        let mut seen = vec![first.content];
        for (path, text) in [
            ("a.yaml", "kind: B\n"),
            (".env", "TOKEN=1\n"),
            (".git/patch.yaml", "kind: C\n"),
            ("nested/patch.yaml", "kind: D\n"),
        ] {
            write(path, text);
            assert!(!seen.contains(&digest().content), "{path}");
            seen.push(digest().content);
        }
        fs::rename(root.join("a.yaml"), root.join("b.yaml")).unwrap();
        assert!(!seen.contains(&digest().content), "a file renamed");

        // Written again as it was, a file made and removed, a link pointed elsewhere and
        // back: the same content, another change.
        let before = digest();
        write("b.yaml", "kind: B\n");
        assert_eq!(digest().content, before.content);
        assert_ne!(digest().changes, before.changes);
        let before = digest();
        write("nested/made.yaml", "kind: E\n");
        fs::remove_file(root.join("nested/made.yaml")).unwrap();
        assert_eq!(digest().content, before.content);
        assert_ne!(digest().changes, before.changes);
        std::os::unix::fs::symlink(root.join("b.yaml"), root.join("e.yaml")).unwrap();
        let before = digest();
        fs::remove_file(root.join("e.yaml")).unwrap();
        std::os::unix::fs::symlink(root.join("nested/patch.yaml"), root.join("e.yaml")).unwrap();
        fs::remove_file(root.join("e.yaml")).unwrap();
        std::os::unix::fs::symlink(root.join("b.yaml"), root.join("e.yaml")).unwrap();
        assert_eq!(digest().content, before.content);
        assert_ne!(digest().changes, before.changes);

        // A link inside is followed; one leading out is refused, as kustomize refuses it.
        std::os::unix::fs::symlink(root.join("b.yaml"), root.join("c.yaml")).unwrap();
        assert!(tree_digest(&root, &skip).is_some());
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("d.yaml"), "kind: D\n").unwrap();
        std::os::unix::fs::symlink(outside.path().join("d.yaml"), root.join("d.yaml")).unwrap();
        assert_eq!(tree_digest(&root, &skip), None);
    }

    /// A built object of `yaml`.
    fn built(yaml: &str) -> BuiltObject {
        let (mut documents, error) = super::super::yaml::parse(yaml);
        assert!(error.is_none());
        BuiltObject {
            value: documents.remove(0).value,
            origin: None,
            generated: false,
        }
    }

    #[test]
    fn builds_with_generated_objects_secret_data_or_credentials_are_not_kept() {
        let empty = built("kind: Secret\nmetadata: {name: app}\n");
        let config = built("kind: ConfigMap\ndata:\n  mode: fast\n  url: https://example.com/\n");
        assert!(keepable(&[empty, config]));
        let mut generated = built("kind: ConfigMap\ndata:\n  mode: fast\n");
        generated.generated = true;
        assert!(!keepable(&[generated]));
        for secret in [
            "kind: Secret\ndata:\n  token: dG9rZW4=\n",
            "kind: Secret\nstringData:\n  token: local\n",
            "kind: ConfigMap\ndata:\n  DB_PASSWORD: hunter2-but-longer\n",
            "kind: ConfigMap\ndata:\n  app.properties: \"password=hunter2-but-longer\"\n",
            "apiVersion: builtin\nkind: SecretGenerator\nliterals: [token=local]\n",
        ] {
            assert!(!keepable(&[built(secret)]), "{secret}");
        }
    }
}
