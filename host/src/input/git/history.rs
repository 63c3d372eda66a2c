//! Every blob of a repository's history, once, where it first appears, read in batches:
//! the log is parsed as git writes it, the sizes come first (`git cat-file --batch-check`)
//! so that an oversized blob is never asked for, and contents come through one
//! `git cat-file --batch` a batch at a time. Memory holds one batch of contents and a few
//! hundred bytes per blob of metadata, whatever the history's size.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::iter::Peekable;
use std::path::Path;
use std::process::{Command, Stdio};

use super::blobs::{self, CatFile, Mode};
use super::{FirstSeen, GitFile, Skipped, is_regular};

/// The blobs of history in batches of at most `batch_bytes` of content (or one larger
/// blob) and `batch_count` blobs, oldest first. Blobs over `max_size` come without
/// content, never read.
pub fn history(
    root: &Path,
    max_size: u64,
    batch_bytes: usize,
    batch_count: usize,
) -> Result<HistoryBlobs, String> {
    let seen = first_appearances(root)?;
    let sizes = blobs::sizes(root, seen.iter().map(|s| s.blob.clone()).collect())?;
    let wanted = to_read(&seen, &sizes, max_size);
    let total_bytes = sizes
        .iter()
        .filter_map(|s| s.as_ref().ok())
        .filter(|&&s| s <= max_size)
        .sum();
    let cat = match wanted.is_empty() {
        true => None,
        false => Some(CatFile::start(root, Mode::Contents, wanted)?),
    };
    Ok(HistoryBlobs {
        total_blobs: seen.len(),
        total_bytes,
        entries: seen.into_iter().zip(sizes).peekable(),
        cat,
        max_size,
        batch_bytes,
        batch_count,
        failed: false,
    })
}

/// The blobs whose content is asked of git: those that exist and are at most `max_size`
/// bytes. The others are never read.
fn to_read(seen: &[FirstSeen], sizes: &[Result<u64, Skipped>], max_size: u64) -> Vec<String> {
    seen.iter()
        .zip(sizes)
        .filter(|(_, size)| size.as_ref().is_ok_and(|&s| s <= max_size))
        .map(|(first, _)| first.blob.clone())
        .collect()
}

/// The batches of [`history`]; a failure of git ends them with its error.
pub struct HistoryBlobs {
    /// Blobs in the history.
    pub total_blobs: usize,
    /// Bytes of content to read (oversized blobs left out).
    pub total_bytes: u64,
    entries: Peekable<std::iter::Zip<std::vec::IntoIter<FirstSeen>, SizesIter>>,
    cat: Option<CatFile>,
    max_size: u64,
    batch_bytes: usize,
    batch_count: usize,
    failed: bool,
}

type SizesIter = std::vec::IntoIter<Result<u64, Skipped>>;

impl HistoryBlobs {
    /// The content of the next blob, or why it has none.
    fn content(
        &mut self,
        blob: &str,
        size: Result<u64, Skipped>,
    ) -> Result<Result<Vec<u8>, Skipped>, String> {
        match size {
            Ok(size) if size > self.max_size => Ok(Err(Skipped::Oversized(size))),
            Ok(_) => {
                let cat = self.cat.as_mut().expect("started when a blob is read");
                cat.blob(blob, self.max_size)
            }
            Err(skipped) => Ok(Err(skipped)),
        }
    }
}

impl Iterator for HistoryBlobs {
    type Item = Result<Vec<GitFile>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        while batch.len() < self.batch_count {
            let Some((_, size)) = self.entries.peek() else {
                break;
            };
            let next = match size {
                Ok(s) if *s <= self.max_size => usize::try_from(*s).unwrap_or(usize::MAX),
                _ => 0,
            };
            if !batch.is_empty() && bytes.saturating_add(next) > self.batch_bytes {
                break;
            }
            let (first, size) = self.entries.next().expect("peeked");
            let content = match self.content(&first.blob, size) {
                Ok(content) => content,
                Err(message) => {
                    self.failed = true;
                    self.cat = None;
                    return Some(Err(message));
                }
            };
            bytes = bytes.saturating_add(next);
            batch.push(GitFile {
                path: first.path.clone(),
                content,
                first_seen: Some(first),
            });
        }
        (!batch.is_empty()).then_some(Ok(batch))
    }
}

/// Every blob that any commit reachable from any ref adds or changes, once, where it first
/// appears (oldest commits first), parsed from `git log` as it writes.
fn first_appearances(root: &Path) -> Result<Vec<FirstSeen>, String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(super::BOUNDED_MEMORY)
        .args([
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
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let reader = BufReader::with_capacity(1 << 16, child.stdout.take().expect("piped"));
    let found = parse_log(reader).map_err(|e| format!("reading git log: {e}"));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        return Err(format!("git log failed: {}", said.trim()));
    }
    found
}

/// The first appearance of each blob in `git log -z --raw` output whose commits start with
/// `\x01<commit> <author date>`.
fn parse_log(mut reader: impl BufRead) -> std::io::Result<Vec<FirstSeen>> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    let mut commit: Option<(String, String)> = None;
    let mut token = Vec::new();
    let mut path = Vec::new();
    while read_token(&mut reader, &mut token)? {
        let text = String::from_utf8_lossy(&token);
        // A header follows the last entry of the commit before (after a newline).
        if let Some((_, header)) = text.rsplit_once('\x01') {
            commit = header
                .trim()
                .split_once(' ')
                .map(|(c, d)| (c.to_owned(), d.to_owned()));
            continue;
        }
        let Some(meta) = text.trim_start().strip_prefix(':') else {
            continue;
        };
        if !read_token(&mut reader, &mut path)? {
            break;
        }
        let fields: Vec<&str> = meta.split(' ').collect();
        let [_, new_mode, _, new_blob, status] = fields[..] else {
            continue;
        };
        let Some((hash, date)) = &commit else {
            continue;
        };
        if status == "D" || !is_regular(new_mode) || !seen.insert(new_blob.to_owned()) {
            continue;
        }
        found.push(FirstSeen {
            commit: hash.clone(),
            author_date: date.clone(),
            path: String::from_utf8_lossy(&path).into_owned(),
            blob: new_blob.to_owned(),
        });
    }
    Ok(found)
}

/// Reads up to the next NUL (left out) into `token`; `false` at the end of the output.
fn read_token(reader: &mut impl BufRead, token: &mut Vec<u8>) -> std::io::Result<bool> {
    token.clear();
    let read = reader.read_until(0, token)?;
    if token.last() == Some(&0) {
        token.pop();
    }
    Ok(read > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_and_missing_blobs_are_never_asked_for() {
        let blob = |id: &str| FirstSeen {
            commit: "c1".into(),
            author_date: "2026-01-01T00:00:00Z".into(),
            path: format!("{id}.txt"),
            blob: id.into(),
        };
        let seen = [blob("small"), blob("huge"), blob("lost"), blob("limit")];
        let sizes = [
            Ok(10),
            Ok(5_000_000_000),
            Err(blobs::missing("lost")),
            Ok(100),
        ];
        assert_eq!(to_read(&seen, &sizes, 100), ["small", "limit"]);
    }

    #[test]
    fn each_blob_is_seen_once_where_it_first_appears() {
        let zeros = "0".repeat(40);
        let (a, b) = ("a".repeat(40), "b".repeat(40));
        let log = format!(
            "\x01c1 2026-01-01T00:00:00Z\0\n:000000 100644 {zeros} {a} A\0x.txt\0\
             \x01c2 2026-01-02T00:00:00Z\0\n:000000 100644 {zeros} {a} A\0copy.txt\0\
             :000000 120000 {zeros} {b} A\0link\0\
             \x01c3 2026-01-03T00:00:00Z\0\n:100644 000000 {a} {zeros} D\0x.txt\0"
        );
        let found = parse_log(log.as_bytes()).unwrap();
        assert_eq!(
            found,
            [FirstSeen {
                commit: "c1".into(),
                author_date: "2026-01-01T00:00:00Z".into(),
                path: "x.txt".into(),
                blob: a,
            }]
        );
    }
}
