//! Blob contents and sizes through one long-running `git cat-file` process each: the ids
//! go in on a writer thread while the answers are read, so neither side waits on a full
//! pipe and only the blob being read is ever in memory.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

use super::Skipped;

/// What `git cat-file` says about an object before its content.
#[derive(Debug, PartialEq, Eq)]
pub enum Header {
    Blob { size: u64 },
    Missing,
}

/// Whether `git cat-file` sends contents (`--batch`) or only sizes (`--batch-check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Contents,
    Sizes,
}

/// A running `git cat-file` answering for `ids`, in order.
pub struct CatFile {
    child: Child,
    reader: BufReader<ChildStdout>,
    writer: Option<JoinHandle<()>>,
}

impl CatFile {
    /// Starts `git cat-file` in `root` and feeds it `ids` from a thread.
    pub fn start(root: &Path, mode: Mode, ids: Vec<String>) -> Result<Self, String> {
        let flag = match mode {
            Mode::Contents => "--batch",
            Mode::Sizes => "--batch-check",
        };
        let mut child = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(super::BOUNDED_MEMORY)
            .args(["cat-file", flag])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let stdin = child.stdin.take().expect("piped");
        let reader = BufReader::with_capacity(1 << 16, child.stdout.take().expect("piped"));
        // A write fails only when git went away; the reader then says why.
        let writer = std::thread::spawn(move || {
            let mut stdin = BufWriter::new(stdin);
            for id in ids {
                if writeln!(stdin, "{id}").is_err() {
                    return;
                }
            }
            let _ = stdin.flush();
        });
        Ok(Self {
            child,
            reader,
            writer: Some(writer),
        })
    }

    /// The header of the next object, which must be `id`.
    pub fn header(&mut self, id: &str) -> Result<Header, String> {
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .map_err(|e| format!("reading git cat-file: {e}"))?;
        parse_header(&line, id)
    }

    /// The next `size` bytes of content (and the newline after them), kept when `keep`,
    /// else passed over without being held.
    pub fn body(&mut self, size: u64, keep: bool) -> Result<Option<Vec<u8>>, String> {
        let failed = |e: std::io::Error| format!("reading git cat-file: {e}");
        let mut limited = (&mut self.reader).take(size + 1);
        let body = if keep {
            let mut body = Vec::with_capacity(usize::try_from(size + 1).unwrap_or(0));
            limited.read_to_end(&mut body).map_err(failed)?;
            if body.pop() != Some(b'\n') {
                return Err("git cat-file ended in the middle of a blob".into());
            }
            Some(body)
        } else {
            let passed = std::io::copy(&mut limited, &mut std::io::sink()).map_err(failed)?;
            if passed != size + 1 {
                return Err("git cat-file ended in the middle of a blob".into());
            }
            None
        };
        Ok(body)
    }

    /// The next blob's content, or why it is not read: missing from the object store, or
    /// over `max_size` (its bytes then pass by without being held).
    pub fn blob(&mut self, id: &str, max_size: u64) -> Result<Result<Vec<u8>, Skipped>, String> {
        match self.header(id)? {
            Header::Missing => Ok(Err(missing(id))),
            Header::Blob { size } if size > max_size => {
                self.body(size, false)?;
                Ok(Err(Skipped::Oversized(size)))
            }
            Header::Blob { size } => Ok(Ok(self.body(size, true)?.expect("kept"))),
        }
    }
}

impl Drop for CatFile {
    fn drop(&mut self) {
        // Stopped early (an error, or the caller stopped reading): nothing more is wanted.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// The error of a blob the object store does not have.
pub fn missing(id: &str) -> Skipped {
    Skipped::Unreadable(format!(
        "blob {id} is missing from the repository's object store"
    ))
}

/// Reads `<id> blob <size>` or `<id> missing`.
fn parse_header(line: &str, id: &str) -> Result<Header, String> {
    let fields: Vec<&str> = line.trim_end_matches('\n').split(' ').collect();
    match fields[..] {
        [_, "blob", size] => size
            .parse()
            .map(|size| Header::Blob { size })
            .map_err(|_| format!("git cat-file said {line:?}")),
        [_, "missing"] => Ok(Header::Missing),
        _ => Err(format!(
            "git cat-file could not read blob {id}: {}",
            line.trim()
        )),
    }
}

/// The contents of `ids`, in order; one that is missing is that blob's error, one over
/// `max_size` is skipped without being held.
pub fn read_all(
    root: &Path,
    ids: Vec<String>,
    max_size: u64,
) -> Result<Vec<Result<Vec<u8>, Skipped>>, String> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut cat = CatFile::start(root, Mode::Contents, ids.clone())?;
    ids.iter().map(|id| cat.blob(id, max_size)).collect()
}

/// The size of each of `ids`, in order, or why it has none (missing).
pub fn sizes(root: &Path, ids: Vec<String>) -> Result<Vec<Result<u64, Skipped>>, String> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut cat = CatFile::start(root, Mode::Sizes, ids.clone())?;
    ids.iter()
        .map(|id| {
            Ok(match cat.header(id)? {
                Header::Blob { size } => Ok(size),
                Header::Missing => Err(missing(id)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_or_refused_by_name() {
        let id = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            parse_header(&format!("{id} blob 42\n"), id),
            Ok(Header::Blob { size: 42 })
        );
        assert_eq!(
            parse_header(&format!("{id} missing\n"), id),
            Ok(Header::Missing)
        );
        assert_eq!(
            parse_header(&format!("{id} tree 42\n"), id),
            Err(format!(
                "git cat-file could not read blob {id}: {id} tree 42"
            ))
        );
    }
}
