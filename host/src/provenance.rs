//! Where and when a run happened, for the report's evidence: the UTC time (or
//! `SOURCE_DATE_EPOCH`, for reproducible reports) and the Git revision of the inputs, read
//! by one `git status` that runs beside the scan.

use std::path::Path;
use std::process::Child;
use std::time::{Duration, SystemTime};

use crate::input::git;
use crate::report::GitRecord;

/// The time of the run, RFC 3339 UTC to the second.
pub fn timestamp() -> String {
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    let time = match epoch {
        Some(seconds) => SystemTime::UNIX_EPOCH + Duration::from_secs(seconds),
        None => SystemTime::now(),
    };
    humantime::format_rfc3339_seconds(time).to_string()
}

/// The date part (`YYYY-MM-DD`) of a [`timestamp`].
pub fn date(timestamp: &str) -> &str {
    timestamp.get(..10).unwrap_or(timestamp)
}

/// The Git revision of a run's inputs, read by a git process that runs while the run
/// goes on: [`Revision::start`] spawns it, [`Revision::finish`] collects what it said.
pub struct Revision(Option<Child>);

impl Revision {
    /// Starts reading the commit checked out where `path` is, and whether the work tree
    /// has changes, with one `git status`; no process when git could find no work tree
    /// there.
    pub fn start(path: &Path) -> Self {
        let dir = if path.as_os_str() == "-" {
            Path::new(".")
        } else if path.is_dir() {
            path
        } else {
            match path.parent() {
                Some(parent) if parent.as_os_str().is_empty() => Path::new("."),
                Some(parent) => parent,
                None => return Self(None),
            }
        };
        if !may_be_in_work_tree(dir) {
            return Self(None);
        }
        Self(git::spawn(dir, &["status", "--porcelain=v2", "--branch", "-z"]).ok())
    }

    /// The revision; `None` outside a repository, before its first commit, or without git.
    pub fn finish(self) -> Option<GitRecord> {
        let output = self.0?.wait_with_output().ok()?;
        if !output.status.success() {
            return None;
        }
        parse_status(&output.stdout)
    }
}

/// Whether git could find a work tree from `dir`: it looks for `.git` (a directory, or the
/// file of a linked work tree or submodule) in `dir` and each directory above its real
/// path, unless `GIT_DIR` names the repository. Starting git costs milliseconds of CPU
/// beside the rules, so a directory outside any repository (a generated estate, an
/// unpacked release) is not asked. Anything unclear asks git.
fn may_be_in_work_tree(dir: &Path) -> bool {
    if std::env::var_os("GIT_DIR").is_some() {
        return true;
    }
    let Ok(real) = dir.canonicalize() else {
        return true;
    };
    real.ancestors()
        .any(|dir| match dir.join(".git").symlink_metadata() {
            Ok(_) => true,
            Err(error) => error.kind() != std::io::ErrorKind::NotFound,
        })
}

/// The commit and dirtiness `git status --porcelain=v2 --branch -z` reports: its
/// `# branch.oid` header (`(initial)` before the first commit), and whether any record
/// other than a header follows.
fn parse_status(output: &[u8]) -> Option<GitRecord> {
    let records = output.split(|&b| b == 0).filter(|r| !r.is_empty());
    let mut commit = None;
    let mut dirty = false;
    for record in records {
        match record.strip_prefix(b"# branch.oid ") {
            Some(oid) => commit = Some(String::from_utf8_lossy(oid).into_owned()),
            None => dirty |= !record.starts_with(b"# "),
        }
    }
    let commit = commit.filter(|c| c.bytes().all(|b| b.is_ascii_hexdigit()))?;
    Some(GitRecord { commit, dirty })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "5e73fd2539fa59d1d26f34e097505ee6d5119a7c";

    #[test]
    fn a_clean_work_tree_is_its_commit() {
        let output = format!("# branch.oid {OID}\0# branch.head main\0");
        assert_eq!(
            parse_status(output.as_bytes()),
            Some(GitRecord {
                commit: OID.into(),
                dirty: false
            })
        );
    }

    #[test]
    fn any_change_or_untracked_file_makes_it_dirty() {
        for change in [
            "1 .M N... 100644 100644 100644 9d63 9d63 README.md",
            "? notes.txt",
            "2 R. N... 100644 100644 100644 9d63 9d63 R100 new.yaml\0old.yaml",
        ] {
            let output = format!("# branch.oid {OID}\0# branch.head main\0{change}\0");
            assert_eq!(
                parse_status(output.as_bytes()),
                Some(GitRecord {
                    commit: OID.into(),
                    dirty: true
                }),
                "{change}"
            );
        }
    }

    #[test]
    fn a_repository_without_commits_has_no_revision() {
        let output = [
            "# branch.oid (initial)",
            "# branch.head main",
            "1 A. N... 000000 100644 100644 0 9d63 a.yaml",
        ]
        .map(|record| format!("{record}\0"))
        .concat();
        assert_eq!(parse_status(output.as_bytes()), None);
    }
}
