//! Expected-outcome tests (`tollgate test`): fixture files say, in comments, which
//! findings the rules must report over them ([`annotations`]), and a run compares those
//! with what the rules found, finding by finding (file, line, rule, check).
//!
//! A fixture is a file, or a directory whose files are judged together (for rules that
//! read across documents). Of a directory given to `tollgate test`, each YAML or JSON
//! file and each subdirectory is one fixture.

pub mod annotations;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use annotations::{AnnotationError, Expected};

use crate::report::Report;

/// The file name extensions of fixture files in a directory (those a scan reads).
const FIXTURE_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Why the fixtures cannot be found.
#[derive(Debug, thiserror::Error)]
pub enum ExpectError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} holds no fixture (YAML or JSON files, or directories of them)")]
    Empty(PathBuf),
}

/// One fixture: what is scanned and what its files' annotations say.
#[derive(Debug)]
pub struct Fixture {
    /// A file, or a directory whose files are scanned together.
    pub path: PathBuf,
    pub expected: Vec<Expected>,
    /// The rules `# test-rules:` names, with the file and line naming each.
    pub rules: Vec<(String, String, u32)>,
    pub errors: Vec<AnnotationError>,
}

impl Fixture {
    /// The rules it tests, each once: those its `# test-rules:` and `# expect:` comments
    /// name; every rule when they name none.
    pub fn rule_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .rules
            .iter()
            .map(|(id, ..)| id.clone())
            .chain(self.expected.iter().map(|e| e.rule.clone()))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Refuses annotations that name rules no plugin has.
    pub fn check_rules(&mut self, known: &[&str]) {
        let named = self
            .rules
            .iter()
            .map(|(id, file, line)| (id, file, *line))
            .chain(self.expected.iter().map(|e| (&e.rule, &e.file, e.line)));
        let unknown: Vec<AnnotationError> = named
            .filter(|(id, ..)| !known.contains(&id.as_str()))
            .map(|(id, file, line)| AnnotationError {
                file: file.clone(),
                line,
                message: format!("unknown rule `{id}` (known rules: {})", known.join(", ")),
            })
            .collect();
        self.errors.extend(unknown);
        self.errors
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    }
}

/// The fixtures of each path: a file is one; a directory's YAML and JSON files and
/// subdirectories (not hidden) are one each, in name order.
pub fn fixtures(paths: &[PathBuf]) -> Result<Vec<Fixture>, ExpectError> {
    let mut fixtures = Vec::new();
    for path in paths {
        let read = |source| ExpectError::Read {
            path: path.clone(),
            source,
        };
        if !std::fs::metadata(path).map_err(read)?.is_dir() {
            fixtures.push(fixture(path.clone())?);
            continue;
        }
        let before = fixtures.len();
        for entry in sorted_entries(path)? {
            let name = entry.file_name().map(|n| n.to_string_lossy().into_owned());
            let hidden = name.is_none_or(|n| n.starts_with('.'));
            let is_fixture = entry.is_dir() || has_fixture_extension(&entry);
            if !hidden && is_fixture {
                fixtures.push(fixture(entry)?);
            }
        }
        if fixtures.len() == before {
            return Err(ExpectError::Empty(path.clone()));
        }
    }
    Ok(fixtures)
}

fn has_fixture_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| FIXTURE_EXTENSIONS.contains(&e))
}

/// A fixture and the annotations of every text file in it.
fn fixture(path: PathBuf) -> Result<Fixture, ExpectError> {
    let mut fixture = Fixture {
        path: path.clone(),
        expected: Vec::new(),
        rules: Vec::new(),
        errors: Vec::new(),
    };
    for file in files_under(&path)? {
        let bytes = std::fs::read(&file).map_err(|source| ExpectError::Read {
            path: file.clone(),
            source,
        })?;
        // Binary files carry no annotations.
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let name = file.display().to_string();
        let annotations = annotations::parse(&name, text);
        fixture.expected.extend(annotations.expected);
        fixture.errors.extend(annotations.errors);
        fixture.rules.extend(
            annotations
                .rules
                .into_iter()
                .map(|(id, line)| (id, name.clone(), line)),
        );
    }
    Ok(fixture)
}

/// `path` itself when it is a file, else every file below it (symbolic links are not
/// followed), in name order, named as a directory walk names them (`dir/sub/file`).
fn files_under(path: &Path) -> Result<Vec<PathBuf>, ExpectError> {
    let meta = std::fs::symlink_metadata(path).map_err(|source| ExpectError::Read {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    if !meta.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in sorted_entries(path)? {
        files.extend(files_under(&entry)?);
    }
    Ok(files)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, ExpectError> {
    let read = |source| ExpectError::Read {
        path: dir.to_owned(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(read)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read)?;
    entries.sort();
    Ok(entries)
}

/// What a fixture's run showed against its expectations.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Expected, not reported.
    pub missing: Vec<Expected>,
    /// Reported, not expected.
    pub unexpected: Vec<Expected>,
}

impl Comparison {
    /// How many findings differ.
    pub fn failures(&self) -> usize {
        self.missing.len() + self.unexpected.len()
    }
}

/// The findings of `report` that count (not waived, of the rules `tested`, or of every
/// rule when it is empty), as the expectations spell them.
pub fn reported(report: &Report, tested: &[String]) -> Vec<Expected> {
    report
        .findings
        .iter()
        .filter(|f| f.waiver.is_none())
        .filter(|f| tested.is_empty() || tested.contains(&f.rule))
        .map(|f| Expected {
            file: f.location.file.clone(),
            line: f.location.line,
            rule: f.rule.clone(),
            check: f.check.clone(),
        })
        .collect()
}

/// The difference, both ways and counting repeats, between what was expected and what
/// was reported; each side sorted by file, line, rule and check.
pub fn compare(expected: &[Expected], reported: &[Expected]) -> Comparison {
    let mut balance: BTreeMap<&Expected, i64> = BTreeMap::new();
    for finding in expected {
        *balance.entry(finding).or_default() += 1;
    }
    for finding in reported {
        *balance.entry(finding).or_default() -= 1;
    }
    let mut comparison = Comparison::default();
    for (finding, count) in balance {
        let (side, times) = if count > 0 {
            (&mut comparison.missing, count)
        } else {
            (&mut comparison.unexpected, -count)
        };
        side.extend(std::iter::repeat_n(finding.clone(), times as usize));
    }
    comparison
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, check: &str) -> Expected {
        Expected {
            file: "f.yaml".into(),
            line,
            rule: "r".into(),
            check: check.into(),
        }
    }

    #[test]
    fn compare_counts_repeats_both_ways() {
        let expected = [at(3, "a"), at(3, "a"), at(5, "b"), at(9, "c")];
        let reported = [at(9, "c"), at(3, "a"), at(4, "b"), at(7, "d"), at(7, "d")];
        assert_eq!(
            compare(&expected, &reported),
            Comparison {
                missing: vec![at(3, "a"), at(5, "b")],
                unexpected: vec![at(4, "b"), at(7, "d"), at(7, "d")],
            }
        );
        assert_eq!(compare(&expected, &expected), Comparison::default());
    }

    #[test]
    fn a_fixture_tests_the_rules_it_names_and_knows_them() {
        let mut fixture = Fixture {
            path: "f.yaml".into(),
            expected: vec![
                Expected {
                    rule: "network-policy".into(),
                    ..at(4, "allow-all")
                },
                Expected {
                    rule: "tls-min-versoin".into(),
                    ..at(6, "weak-protocol")
                },
            ],
            rules: vec![("network-policy".into(), "f.yaml".into(), 1)],
            errors: vec![],
        };
        assert_eq!(fixture.rule_ids(), ["network-policy", "tls-min-versoin"]);
        fixture.check_rules(&["network-policy", "tls-min-version"]);
        let messages: Vec<String> = fixture.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "f.yaml:6: unknown rule `tls-min-versoin` (known rules: network-policy, tls-min-version)"
            ]
        );
    }
}
