//! Walking the directories named on the command line: which files to read (`*.yaml`,
//! `*.yml`, `*.json`, honouring `.gitignore` and `.ignore` whether or not the tree is a Git
//! work tree, and the user's excludes), which of them belong to a Helm chart (read by the
//! file rules, never judged as manifests: templates are not rendered), where the kustomize
//! trees are, and which entries are not followed (symbolic links).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::{InputError, SkipReason, SkippedFile};

/// File name extensions read when walking directories.
const MANIFEST_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// The file that makes a directory a Helm chart.
pub const CHART_FILE: &str = "Chart.yaml";

/// The file names that make a directory a kustomization, in kustomize's order.
pub const KUSTOMIZATION_FILES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Paths left out of a scan, in gitignore syntax: each set of patterns is relative to its
/// own directory (the config file's for `exclude:`, the working directory for
/// `--exclude`).
#[derive(Clone, Debug, Default)]
pub struct Excludes {
    matchers: Vec<Gitignore>,
}

impl Excludes {
    /// Adds `patterns` (gitignore syntax) anchored at `root`; a bad pattern is an error
    /// naming it.
    pub fn add(&mut self, root: &Path, patterns: &[String]) -> Result<(), String> {
        if patterns.is_empty() {
            return Ok(());
        }
        let root = std::path::absolute(root).map_err(|e| e.to_string())?;
        let mut builder = GitignoreBuilder::new(&root);
        for pattern in patterns {
            builder
                .add_line(None, pattern)
                .map_err(|e| format!("exclude pattern {pattern:?}: {e}"))?;
        }
        let matcher = builder
            .build()
            .map_err(|e| format!("exclude patterns: {e}"))?;
        self.matchers.push(matcher);
        Ok(())
    }

    /// Whether `path` (or a directory above it, up to each pattern set's root) is
    /// excluded.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        if self.matchers.is_empty() {
            return false;
        }
        let Ok(path) = std::path::absolute(path) else {
            return false;
        };
        self.matchers.iter().any(|m| {
            path.starts_with(m.path()) && m.matched_path_or_any_parents(&path, is_dir).is_ignore()
        })
    }
}

/// Whether `path` is ignored by a `.gitignore` or `.ignore` of its directory or one above
/// it, up to the top of its Git work tree, as the walk would have ignored it.
pub fn is_ignored(path: &Path) -> bool {
    let Ok(path) = std::path::absolute(path) else {
        return false;
    };
    for dir in path.ancestors().skip(1) {
        // The nearest file that says anything about the path decides.
        for name in [".ignore", ".gitignore"] {
            let file = dir.join(name);
            if !file.is_file() {
                continue;
            }
            let (matcher, _) = Gitignore::new(&file);
            // A missing path may have been a file or a directory (`generated/`).
            let mut matched = matcher.matched_path_or_any_parents(&path, false);
            if matched.is_none() {
                matched = matcher.matched_path_or_any_parents(&path, true);
            }
            if !matched.is_none() {
                return matched.is_ignore();
            }
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    false
}

/// What walking the named directories found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files to read, in a stable order, each once.
    pub files: Vec<WalkedFile>,
    /// Directories holding a `Chart.yaml`.
    pub charts: Vec<PathBuf>,
    /// Kustomization files (`kustomization.yaml` and the like).
    pub kustomizations: Vec<PathBuf>,
    /// Entries not followed (symbolic links).
    pub skipped: Vec<SkippedFile>,
    pub errors: Vec<InputError>,
}

/// A file found by the walk.
#[derive(Debug, PartialEq, Eq)]
pub struct WalkedFile {
    pub path: PathBuf,
    /// The chart it belongs to (index in [`Walk::charts`]), unless it is one of the
    /// chart's plain `crds/`.
    pub chart: Option<usize>,
}

/// Walks `dir`, adding what it finds to `walk`; `seen` keeps each file once across the
/// named paths.
pub fn walk(dir: &Path, excludes: &Excludes, seen: &mut HashSet<PathBuf>, walk: &mut Walk) {
    let filter = excludes.clone();
    let walker = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !filter.excludes(entry.path(), is_dir)
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                walk.errors.push(InputError {
                    file: dir.display().to_string(),
                    line: None,
                    message: format!("cannot walk: {e}"),
                });
                continue;
            }
        };
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if file_type.is_dir() {
            // Directories come before what they hold: a chart or a kustomization is known
            // before its files.
            if path.join(CHART_FILE).is_file() {
                walk.charts.push(path.to_owned());
            }
            if let Some(file) = KUSTOMIZATION_FILES
                .iter()
                .map(|name| path.join(name))
                .find(|file| file.is_file())
            {
                walk.kustomizations.push(file);
            }
        } else if file_type.is_symlink() {
            if has_manifest_extension(path) {
                walk.skipped.push(SkippedFile {
                    path: path.display().to_string(),
                    reason: SkipReason::Symlink,
                });
            }
        } else if file_type.is_file()
            && (has_manifest_extension(path) || is_kustomization_file(path))
            && seen.insert(path.to_owned())
        {
            let chart = chart_of(&walk.charts, path);
            walk.files.push(WalkedFile {
                path: entry.into_path(),
                chart,
            });
        }
    }
}

/// The chart `path` belongs to (the innermost), unless it lies in that chart's `crds/`,
/// which Helm installs as plain manifests.
fn chart_of(charts: &[PathBuf], path: &Path) -> Option<usize> {
    let (index, root) = charts
        .iter()
        .enumerate()
        .filter(|(_, root)| path.starts_with(root))
        .max_by_key(|(_, root)| root.components().count())?;
    let inside = path.strip_prefix(root).ok()?;
    (!inside.starts_with("crds")).then_some(index)
}

pub fn has_manifest_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        MANIFEST_EXTENSIONS
            .iter()
            .any(|m| e.eq_ignore_ascii_case(m))
    })
}

fn is_kustomization_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KUSTOMIZATION_FILES.contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_files_except_crds_belong_to_the_innermost_chart() {
        let charts = [
            PathBuf::from("deploy/chart"),
            PathBuf::from("deploy/chart/charts/sub"),
        ];
        let of = |p: &str| chart_of(&charts, Path::new(p));
        assert_eq!(of("deploy/chart/values.yaml"), Some(0));
        assert_eq!(of("deploy/chart/templates/deployment.yaml"), Some(0));
        assert_eq!(of("deploy/chart/crds/crd.yaml"), None);
        assert_eq!(of("deploy/chart/charts/sub/templates/x.yaml"), Some(1));
        assert_eq!(of("deploy/other.yaml"), None);
    }

    #[test]
    fn excludes_follow_gitignore_syntax_from_their_root() {
        let root = std::env::temp_dir().join("tollgate-excludes");
        let mut excludes = Excludes::default();
        excludes
            .add(
                &root,
                &["examples/".into(), "*.json".into(), "/top.yaml".into()],
            )
            .unwrap();
        assert!(excludes.excludes(&root.join("examples"), true));
        assert!(excludes.excludes(&root.join("a/examples/x.yaml"), false));
        assert!(excludes.excludes(&root.join("a/dash.json"), false));
        assert!(excludes.excludes(&root.join("top.yaml"), false));
        assert!(!excludes.excludes(&root.join("a/top.yaml"), false));
        assert!(!excludes.excludes(&root.join("a/x.yaml"), false));
        assert!(!excludes.excludes(Path::new("/elsewhere/examples/x.yaml"), false));
    }
}
