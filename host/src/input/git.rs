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

/// Variables that change where git finds a repository; with any set, git is asked.
const DISCOVERY_VARIABLES: [&str; 5] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
];

/// The repository's top directory, or an error saying `path` is not in one. The nearest
/// directory at or above `path` (symbolic links resolved) that holds a `.git` directory
/// or file, as git finds it, without a process (a pre-commit run is a few milliseconds);
/// git itself is asked when the environment changes its search or none is found (for
/// its error).
pub fn root(path: &Path) -> Result<PathBuf, String> {
    if DISCOVERY_VARIABLES
        .iter()
        .all(|name| std::env::var_os(name).is_none())
        && let Some(top) = nearest_work_tree(path)
    {
        return Ok(top);
    }
    let output = run(path, &["rev-parse", "--show-toplevel"])?;
    let text = String::from_utf8_lossy(&output);
    Ok(PathBuf::from(text.trim_end_matches(['\n', '\r'])))
}

/// The nearest directory at or above the real path of `path` holding a `.git` file (a
/// linked work tree or a submodule) or a `.git` directory with a `HEAD`.
fn nearest_work_tree(path: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path).ok()?;
    real.ancestors()
        .find(|dir| {
            let git = dir.join(".git");
            git.is_file() || git.join("HEAD").is_file()
        })
        .map(Path::to_path_buf)
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
    Ok(parse_stage(&run(root, &["ls-files", "--stage", "-z"])?))
}

/// The regular files at stage 0 in the output of `git ls-files --stage -z`: records of
/// `<mode> <blob> <stage>\t<path>`, each ended by a NUL; symlinks, submodules and the
/// sides of a conflict (stages 1 to 3) are left out.
fn parse_stage(output: &[u8]) -> Vec<(String, String)> {
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
    entries
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

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "9d632e568985a1d75a6b516a82306f08b5ec072f";
    const B: &str = "81387cec0bad776e1a1d3682e26d19eef710d111";

    #[test]
    fn the_index_lists_regular_files_at_stage_zero() {
        let output = [
            format!("100644 {A} 0\tdeploy.yaml"),
            format!("100755 {B} 0\tbin/run me.sh"),
            format!("120000 {A} 0\tlink.yaml"),
            format!("160000 {B} 0\tvendor/lib"),
            format!("100644 {A} 1\tconflict.yaml"),
            format!("100644 {B} 2\tconflict.yaml"),
            format!("100644 {A} 0\tline\nbreak\ttab.yaml"),
        ]
        .map(|record| record + "\0")
        .concat();
        assert_eq!(
            parse_stage(output.as_bytes()),
            [
                ("deploy.yaml".to_owned(), A.to_owned()),
                ("bin/run me.sh".to_owned(), B.to_owned()),
                ("line\nbreak\ttab.yaml".to_owned(), A.to_owned()),
            ]
        );
    }

    #[test]
    fn an_empty_index_lists_nothing() {
        assert_eq!(parse_stage(b""), []);
    }

    /// git in `dir`, which must succeed.
    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }

    /// What `git rev-parse --show-toplevel` says in `dir`.
    fn toplevel(dir: &Path) -> PathBuf {
        let output = run(dir, &["rev-parse", "--show-toplevel"]).unwrap();
        PathBuf::from(String::from_utf8(output).unwrap().trim_end())
    }

    #[test]
    fn the_root_is_where_git_finds_it() {
        let base = tempfile::tempdir().unwrap();
        let repo = base.path().join("repo");
        let deep = repo.join("deploy/prod");
        std::fs::create_dir_all(&deep).unwrap();
        git(&repo, &["init", "-q"]);
        // Not a repository: git looks further up, and so does `root`.
        std::fs::create_dir_all(repo.join("deploy/.git")).unwrap();
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&deep, &link).unwrap();
        git(&repo, &["commit", "-q", "--allow-empty", "-m", "start"]);
        let linked = base.path().join("linked");
        git(&repo, &["worktree", "add", "-q", linked.to_str().unwrap()]);
        for dir in [repo.clone(), deep, link, linked.clone()] {
            assert_eq!(root(&dir).unwrap(), toplevel(&dir), "{}", dir.display());
        }
        assert_eq!(root(&linked).unwrap(), linked.canonicalize().unwrap());
        let outside = tempfile::tempdir().unwrap();
        assert_eq!(root(outside.path()), Err("not a Git repository".to_owned()));
    }

    #[test]
    fn staged_content_is_the_index_not_the_work_tree() {
        let repo = tempfile::tempdir().unwrap();
        git(repo.path(), &["init", "-q"]);
        std::fs::write(repo.path().join("a.yaml"), "staged: true\n").unwrap();
        std::fs::write(repo.path().join("big.yaml"), "x".repeat(64)).unwrap();
        git(repo.path(), &["add", "a.yaml", "big.yaml"]);
        std::fs::write(repo.path().join("a.yaml"), "staged: false\n").unwrap();
        std::fs::write(repo.path().join("untracked.yaml"), "new: true\n").unwrap();

        let root = root(repo.path()).unwrap();
        let read = |source| {
            files(&root, source, 32)
                .unwrap()
                .into_iter()
                .map(|f| (f.path, f.content))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            read(Source::Staged),
            [
                ("a.yaml".to_owned(), Ok(b"staged: true\n".to_vec())),
                ("big.yaml".to_owned(), Err(Skipped::Oversized(64))),
            ]
        );
        assert_eq!(
            read(Source::Tracked),
            [
                ("a.yaml".to_owned(), Ok(b"staged: false\n".to_vec())),
                ("big.yaml".to_owned(), Err(Skipped::Oversized(64))),
            ]
        );
    }
}
