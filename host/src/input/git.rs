//! Files from a Git repository, through git's plumbing commands (the work tree is never
//! walked, so ignored and untracked files are never read): the tracked files as the work
//! tree has them, the staged content (the index blobs), or every blob reachable from any
//! ref, once each, with the commit, author date and path where it first appears
//! ([`history`], read in batches so that memory does not grow with the history). Blobs
//! come through `git cat-file` ([`blobs`]); an oversized one is never held in memory.

mod blobs;
mod history;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub use history::{HistoryBlobs, history};

/// Settings for the git processes that read history: git maps pack files in windows of
/// up to 1 GiB and caches 96 MiB of delta bases; smaller ones keep its memory bounded
/// too, whatever the size of the packs.
const BOUNDED_MEMORY: [&str; 6] = [
    "-c",
    "core.packedGitWindowSize=16m",
    "-c",
    "core.packedGitLimit=64m",
    "-c",
    "core.deltaBaseCacheLimit=48m",
];

/// Which content of the repository to scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The tracked files, read from the work tree.
    Tracked,
    /// The index: exactly what the next commit holds.
    Staged,
    /// Every blob reachable from any ref.
    History,
}

/// Where a blob of history first appears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstSeen {
    pub commit: String,
    /// Author date of that commit, ISO 8601.
    pub author_date: String,
    pub path: String,
    pub blob: String,
}

/// One file of the repository: its path (from the repository root) and content, or why
/// its content was not read.
#[derive(Debug)]
pub struct GitFile {
    pub path: String,
    pub content: Result<Vec<u8>, Skipped>,
    pub first_seen: Option<FirstSeen>,
}

/// Why a file's content was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// Over the size limit (its size).
    Oversized(u64),
    /// Tracked but deleted from the work tree.
    Missing,
    /// Unreadable (why).
    Unreadable(String),
}

/// A file mode git stores for regular files (symlinks and submodules are not content).
fn is_regular(mode: &str) -> bool {
    matches!(mode, "100644" | "100755")
}

/// The repository's top directory, or an error saying `path` is not in one.
pub fn root(path: &Path) -> Result<PathBuf, String> {
    let output = run(path, &["rev-parse", "--show-toplevel"])?;
    let text = String::from_utf8_lossy(&output);
    Ok(PathBuf::from(text.trim_end_matches(['\n', '\r'])))
}

/// The files of `source` in the repository at `root`; contents over `max_size` bytes are
/// not read. History held whole; [`history`] reads it batch by batch.
pub fn files(root: &Path, source: Source, max_size: u64) -> Result<Vec<GitFile>, String> {
    if source == Source::History {
        let batches: Vec<Vec<GitFile>> =
            history(root, max_size, usize::MAX, usize::MAX)?.collect::<Result<_, _>>()?;
        return Ok(batches.into_iter().flatten().collect());
    }
    let entries = index_entries(root)?;
    let contents: Vec<Result<Vec<u8>, Skipped>> = if source == Source::Tracked {
        entries
            .iter()
            .map(|(path, _)| read_work_tree(&root.join(path), max_size))
            .collect()
    } else {
        let ids = entries.iter().map(|(_, blob)| blob.clone()).collect();
        blobs::read_all(root, ids, max_size)?
    };
    Ok(entries
        .into_iter()
        .zip(contents)
        .map(|((path, _), content)| GitFile {
            path,
            content,
            first_seen: None,
        })
        .collect())
}

/// `(path, blob id)` of every regular file at stage 0 of the index.
fn index_entries(root: &Path) -> Result<Vec<(String, String)>, String> {
    let output = run(root, &["ls-files", "--stage", "-z"])?;
    let mut entries = Vec::new();
    for record in output.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let record = String::from_utf8_lossy(record);
        let Some((meta, path)) = record.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split(' ').collect();
        if let [mode, blob, "0"] = fields[..]
            && is_regular(mode)
        {
            entries.push((path.to_owned(), blob.to_owned()));
        }
    }
    Ok(entries)
}

fn read_work_tree(path: &Path, max_size: u64) -> Result<Vec<u8>, Skipped> {
    let unreadable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => Skipped::Missing,
        _ => Skipped::Unreadable(e.to_string()),
    };
    let size = std::fs::symlink_metadata(path).map_err(unreadable)?.len();
    if size > max_size {
        return Err(Skipped::Oversized(size));
    }
    std::fs::read(path).map_err(unreadable)
}

/// Runs git in `dir` and returns its standard output, or its error message.
pub fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let said = String::from_utf8_lossy(&output.stderr);
        let said = said.trim().trim_start_matches("fatal: ");
        Err(if said.contains("not a git repository") {
            "not a Git repository".to_owned()
        } else {
            format!("git {} failed: {said}", args.first().unwrap_or(&""))
        })
    }
}

/// Starts git in `dir`, its standard output piped for the caller to collect and its
/// standard error discarded.
pub fn spawn(dir: &Path, args: &[&str]) -> std::io::Result<Child> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
}
