//! Where and when a run happened, for the report's evidence: the UTC time (or
//! `SOURCE_DATE_EPOCH`, for reproducible reports) and the Git revision of the inputs, read
//! with git's plumbing commands.

use std::path::Path;
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

/// The commit checked out where `path` is, and whether the work tree has changes; `None`
/// outside a repository (or without git).
pub fn git_revision(path: &Path) -> Option<GitRecord> {
    let dir = if path.as_os_str() == "-" {
        Path::new(".")
    } else if path.is_dir() {
        path
    } else {
        match path.parent()? {
            parent if parent.as_os_str().is_empty() => Path::new("."),
            parent => parent,
        }
    };
    let git = |args: &[&str]| {
        let output = git::run(dir, args).ok()?;
        Some(String::from_utf8_lossy(&output).into_owned())
    };
    let commit = git(&["rev-parse", "--verify", "--quiet", "HEAD"])?;
    let status = git(&["status", "--porcelain"])?;
    Some(GitRecord {
        commit: commit.trim().to_owned(),
        dirty: !status.trim().is_empty(),
    })
}
