//! Files from a Git repository, through git's plumbing commands (the work tree is never
//! walked, so ignored and untracked files are never read): the tracked files as the work
//! tree has them, the staged content (the index blobs), or every blob reachable from any
//! ref, once each, with the commit, author date and path where it first appears.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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
/// not read.
pub fn files(root: &Path, source: Source, max_size: u64) -> Result<Vec<GitFile>, String> {
    match source {
        Source::Tracked => {
            let entries = index_entries(root)?;
            Ok(entries
                .into_iter()
                .map(|(path, _)| {
                    let content = read_work_tree(&root.join(&path), max_size);
                    GitFile {
                        path,
                        content,
                        first_seen: None,
                    }
                })
                .collect())
        }
        Source::Staged => {
            let entries = index_entries(root)?;
            let blobs: Vec<&str> = entries.iter().map(|(_, blob)| blob.as_str()).collect();
            let contents = cat_blobs(root, &blobs, max_size)?;
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
        Source::History => {
            let seen = history(root)?;
            let blobs: Vec<&str> = seen.iter().map(|s| s.blob.as_str()).collect();
            let contents = cat_blobs(root, &blobs, max_size)?;
            Ok(seen
                .into_iter()
                .zip(contents)
                .map(|(first, content)| GitFile {
                    path: first.path.clone(),
                    content,
                    first_seen: Some(first),
                })
                .collect())
        }
    }
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

/// Every blob that any commit reachable from any ref adds or changes, once, where it first
/// appears (oldest commits first).
fn history(root: &Path) -> Result<Vec<FirstSeen>, String> {
    let output = run(
        root,
        &[
            "log",
            "--all",
            "--reverse",
            "--no-abbrev",
            "--raw",
            "--root",
            "-m",
            "--no-renames",
            "-z",
            "--format=%x01%H %aI",
        ],
    )?;
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for chunk in output.split(|&b| b == 1).filter(|c| !c.is_empty()) {
        let mut tokens = chunk.split(|&b| b == 0);
        let header = String::from_utf8_lossy(tokens.next().unwrap_or_default());
        let Some((commit, author_date)) = header.trim().split_once(' ') else {
            continue;
        };
        while let Some(meta) = tokens.next() {
            let meta = String::from_utf8_lossy(meta);
            let Some(meta) = meta.trim_start().strip_prefix(':') else {
                continue;
            };
            let Some(path) = tokens.next() else { break };
            let fields: Vec<&str> = meta.split(' ').collect();
            let [_, new_mode, _, new_blob, status] = fields[..] else {
                continue;
            };
            if status == "D" || !is_regular(new_mode) || !seen.insert(new_blob.to_owned()) {
                continue;
            }
            found.push(FirstSeen {
                commit: commit.to_owned(),
                author_date: author_date.to_owned(),
                path: String::from_utf8_lossy(path).into_owned(),
                blob: new_blob.to_owned(),
            });
        }
    }
    Ok(found)
}

/// The contents of `blobs`, in order, through one `git cat-file --batch`.
fn cat_blobs(
    root: &Path,
    blobs: &[&str],
    max_size: u64,
) -> Result<Vec<Result<Vec<u8>, Skipped>>, String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let request: String = blobs.iter().map(|b| format!("{b}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut reader = BufReader::new(child.stdout.take().expect("piped"));
    let mut contents = Vec::with_capacity(blobs.len());
    let mut header = String::new();
    for blob in blobs {
        header.clear();
        reader
            .read_line(&mut header)
            .map_err(|e| format!("reading git cat-file: {e}"))?;
        let size: u64 = match header.split(' ').collect::<Vec<_>>()[..] {
            [_, "blob", size] => size
                .trim()
                .parse()
                .map_err(|_| format!("git cat-file said {header:?}"))?,
            // One blob that cannot be read is that blob's error; the others go on.
            [_, "missing\n"] => {
                contents.push(Err(Skipped::Unreadable(format!(
                    "blob {blob} is missing from the repository's object store"
                ))));
                continue;
            }
            _ => {
                return Err(format!(
                    "git cat-file could not read blob {blob}: {}",
                    header.trim()
                ));
            }
        };
        let mut body = Vec::new();
        (&mut reader)
            .take(size + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("reading git cat-file: {e}"))?;
        body.pop(); // the newline after each object
        contents.push(if size > max_size {
            Err(Skipped::Oversized(size))
        } else {
            Ok(body)
        });
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(contents)
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
