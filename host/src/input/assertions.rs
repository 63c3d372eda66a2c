//! Files that end-to-end test frameworks check a cluster against rather than apply to
//! it: chainsaw's and KUTTL's step files `NN-assert.yaml` and `NN-errors.yaml`, and the
//! files a chainsaw `Test` names in its `assert` and `error` operations. Their documents
//! say what a test expects to find (or not to find): partial objects and JMESPath
//! expressions. Such a file is listed as a test assertion; its objects are judged only by
//! the rules that read files (what is committed: a Secret in it is still a credential in
//! Git), not by those that judge what runs, and what in it does not read as objects is no
//! error unless it declares a Secret.
//!
//! Missing a manifest that is applied is worse than judging an assertion, so a file stays
//! a manifest when it was named on the command line, when a kustomization is beside it,
//! or when a test mentions it other than as what an `assert` or `error` reads (an
//! `apply`, a binding a template applies, a script's `kubectl apply`), or a step template
//! mentions its name at all (a template's paths are the using test's).

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde_json::Value;

use super::{Inputs, SkipReason, SkippedFile, manifest};

/// Operations whose `file` is checked against the cluster.
const ASSERTING: [&str; 2] = ["assert", "error"];

/// The names of a kustomization file.
const KUSTOMIZATIONS: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Marks every file of `inputs` that is a test assertion, except the files `named` on the
/// command line, and drops the errors about what in it does not read as objects.
pub(super) fn mark(inputs: &mut Inputs, named: &HashSet<String>) {
    let tests = Tests::of(inputs);
    let kustomized: HashSet<PathBuf> = (inputs.files.iter().map(|f| &f.path))
        .chain(inputs.skipped.iter().map(|s| &s.path))
        .map(|path| lexical(Path::new(path)))
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| KUSTOMIZATIONS.iter().any(|k| n == *k))
        })
        .filter_map(|path| Some(path.parent()?.to_owned()))
        .collect();
    let listed: HashMap<String, usize> = (inputs.skipped.iter().enumerate())
        .map(|(i, s)| (s.path.clone(), i))
        .collect();
    let mut asserted = HashMap::new();
    for file in &mut inputs.files {
        let path = lexical(Path::new(&file.path));
        let applied = named.contains(&file.path)
            || path.parent().is_some_and(|dir| kustomized.contains(dir))
            || tests.mentions(&path);
        if applied {
            continue;
        }
        let reason = match tests.asserting(&path) {
            Some(test) => format!("an assertion of the chainsaw test {test}"),
            None if is_conventional(&path) => {
                "named as a chainsaw or KUTTL step's assertion (NN-assert, NN-errors)".to_owned()
            }
            None => continue,
        };
        file.asserted = true;
        let declares_secret = std::str::from_utf8(&file.bytes).is_ok_and(super::declares_secret);
        asserted.insert(file.path.clone(), declares_secret);
        let reason = SkipReason::TestAssertion(format!(
            "{reason}; only the rules that read files judge its objects"
        ));
        match listed.get(&file.path).map(|&i| &mut inputs.skipped[i]) {
            // A file of expressions only was taken for one that is not Kubernetes.
            Some(listed) if matches!(listed.reason, SkipReason::NotKubernetes(_)) => {
                listed.reason = reason;
            }
            Some(_) => {}
            None => inputs.skipped.push(SkippedFile {
                path: file.path.clone(),
                reason,
            }),
        }
    }
    // What does not read in a file that declares a Secret may be a credential the rules
    // could not judge: still an error, but for documents that are no objects at all.
    inputs.errors.retain(|e| match asserted.get(&e.file) {
        Some(&declares_secret) if e.line.is_some() => {
            declares_secret && !manifest::is_stray_document(&e.message)
        }
        _ => true,
    });
}

/// A step file of chainsaw's and KUTTL's naming convention that holds assertions: digits,
/// `-`, then `assert` or `errors` (in any case), and nothing more.
fn is_conventional(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some((index, step)) = name.split_once('-') else {
        return false;
    };
    let Some(step) = step
        .strip_suffix(".yaml")
        .or_else(|| step.strip_suffix(".yml"))
    else {
        return false;
    };
    !index.is_empty()
        && index.bytes().all(|b| b.is_ascii_digit())
        && (step.eq_ignore_ascii_case("assert") || step.eq_ignore_ascii_case("errors"))
}

/// What the chainsaw tests and step templates among the objects say of files.
#[derive(Default)]
struct Tests {
    /// Files the tests' `assert` and `error` operations read, resolved against each test's
    /// directory, with the test's file.
    asserted: HashMap<PathBuf, String>,
    /// The same, for operations that read a glob of files.
    asserted_globs: Vec<(GlobMatcher, String)>,
    /// Every other word of the tests' strings (`apply`, `create` and `patch` files,
    /// bindings, scripts, commands), as a path from the test's directory.
    mentioned: HashSet<PathBuf>,
    /// The last path component of the words of step templates, and of the tests' words
    /// that hold variables or expressions.
    mentioned_names: HashSet<String>,
}

impl Tests {
    fn of(inputs: &Inputs) -> Self {
        let mut tests = Self::default();
        for object in &inputs.objects {
            let is_test = object.kind() == "Test";
            let chainsaw = object.api_version().starts_with("chainsaw.kyverno.io/")
                && (is_test || object.kind() == "StepTemplate");
            let Some(value) = chainsaw
                .then(|| serde_json::from_str::<Value>(object.json()).ok())
                .flatten()
            else {
                continue;
            };
            let file = &inputs.files[object.source].path;
            // A template's files are read from the directory of the test using it: only
            // a test's own assertions and words are placed.
            let dir = is_test.then(|| lexical(Path::new(file).parent().unwrap_or(Path::new(""))));
            let mut asserted = Vec::new();
            tests.read(&value, dir.as_deref(), &mut asserted);
            if is_test {
                tests.assert(file, asserted);
            }
        }
        tests
    }

    /// Collects under `value` the files `assert` and `error` operations read, and every
    /// word of its other strings as mentioned: from `dir`, the test's directory, where
    /// there is one and the word holds no variable, else by its last component.
    fn read<'v>(&mut self, value: &'v Value, dir: Option<&Path>, asserted: &mut Vec<&'v str>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    let file = ASSERTING
                        .contains(&key.as_str())
                        .then(|| inner.get("file").and_then(Value::as_str))
                        .flatten();
                    match file {
                        Some(file) => {
                            asserted.push(file);
                            let rest = inner.as_object().into_iter().flatten();
                            for (_, field) in rest.filter(|(k, _)| *k != "file") {
                                self.read(field, dir, asserted);
                            }
                        }
                        None => self.read(inner, dir, asserted),
                    }
                }
            }
            Value::Array(items) => (items.iter()).for_each(|item| self.read(item, dir, asserted)),
            Value::String(text) => {
                let words = text.split(|c: char| c.is_whitespace() || "\"'`=,;".contains(c));
                for word in words.filter(|w| !w.is_empty()) {
                    match dir {
                        Some(dir) if !word.contains(['$', '(', ')', '{']) => {
                            self.mentioned.insert(lexical(&dir.join(word)));
                        }
                        _ => {
                            let last = word.rsplit('/').next().unwrap_or(word);
                            self.mentioned_names.insert(last.to_owned());
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Places the files test `test` asserts, named relative to its directory; those named
    /// by URL or by an expression are left out.
    fn assert(&mut self, test: &str, files: Vec<&str>) {
        let dir = lexical(Path::new(test).parent().unwrap_or(Path::new("")));
        for file in files {
            if file.contains("://") || file.starts_with('(') {
                continue;
            }
            if !file.contains(['*', '?', '[']) {
                self.asserted
                    .insert(lexical(&dir.join(file)), test.to_owned());
                continue;
            }
            // The test's directory is taken literally, whatever characters it holds.
            let escaped: PathBuf = dir
                .components()
                .map(|c| globset::escape(&c.as_os_str().to_string_lossy()))
                .collect();
            let pattern = lexical(&escaped.join(file));
            let glob = GlobBuilder::new(&pattern.to_string_lossy())
                .literal_separator(true)
                .build();
            if let Ok(glob) = glob {
                self.asserted_globs
                    .push((glob.compile_matcher(), test.to_owned()));
            }
        }
    }

    /// Whether a test or template mentions the file at `path` other than as an assertion.
    fn mentions(&self, path: &Path) -> bool {
        self.mentioned.contains(path)
            || (path.file_name().and_then(|n| n.to_str()))
                .is_some_and(|name| self.mentioned_names.contains(name))
    }

    /// The test that asserts the file at `path`, if any does.
    fn asserting(&self, path: &Path) -> Option<&str> {
        if let Some(test) = self.asserted.get(path) {
            return Some(test);
        }
        let globbed = self
            .asserted_globs
            .iter()
            .find(|(glob, _)| glob.is_match(path));
        globbed.map(|(_, test)| test.as_str())
    }
}

/// `path` without `.` components, and with each `..` taking away the component before it
/// (where there is one): the same file as the walk names it, whichever way a test wrote it.
fn lexical(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(clean.components().next_back(), Some(Component::Normal(_))) =>
            {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventional_names_are_step_assertions() {
        for name in [
            "tests/e2e/smoke/00-assert.yaml",
            "01-errors.yaml",
            "1-assert.yml",
            "100-Assert.yaml",
        ] {
            assert!(is_conventional(Path::new(name)), "{name}");
        }
        // Chainsaw applies `NN-assert-x.yaml`; KUTTL would assert it: judged.
        for name in [
            "00-install.yaml",
            "assert.yaml",
            "-assert.yaml",
            "00-assert-deployment.yaml",
            "10-assert.ready.yaml",
            "00-assertion.yaml",
            "00-errors.json",
            "0a-assert.yaml",
        ] {
            assert!(!is_conventional(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn paths_are_compared_without_dots() {
        assert_eq!(
            lexical(Path::new("./tests/e2e/x/../../step-templates/./a.yaml")),
            PathBuf::from("tests/step-templates/a.yaml")
        );
        assert_eq!(
            lexical(Path::new("../a/./b.yaml")),
            PathBuf::from("../a/b.yaml")
        );
        assert_eq!(
            lexical(Path::new("/srv/t/../b.yaml")),
            PathBuf::from("/srv/b.yaml")
        );
    }

    fn test_of(json: &str, dir: Option<&Path>) -> (Tests, Vec<String>) {
        let value: Value = serde_json::from_str(json).unwrap();
        let mut tests = Tests::default();
        let mut asserted = Vec::new();
        tests.read(&value, dir, &mut asserted);
        let asserted = asserted.into_iter().map(str::to_owned).collect();
        (tests, asserted)
    }

    const TEST: &str = r#"{"spec": {"steps": [
        {"try": [{"apply": {"file": "00-install.yaml"}}, {"assert": {"file": "check.yaml", "timeout": "1m"}}],
         "catch": [{"podLogs": {"selector": "app=x"}}],
         "finally": [{"error": {"file": "../errors/*.yaml"}}]},
        {"use": {"template": "../templates/create.yaml", "with": {"bindings": [{"name": "file", "value": "role.yaml"}]}}},
        {"try": [{"script": {"content": "kubectl apply -f ../../config/app.yaml && kubectl apply -k ../../config/rbac -f $DIR/extra.yaml"}},
                 {"assert": {"resource": {"kind": "Pod"}}}]}
    ]}}"#;

    #[test]
    fn a_tests_assertions_are_read_wherever_they_are_and_its_other_words_are_paths() {
        let (tests, mut asserted) = test_of(TEST, Some(Path::new("tests/e2e/x")));
        asserted.sort();
        assert_eq!(asserted, ["../errors/*.yaml", "check.yaml"]);
        let mentions = |path: &str| tests.mentions(Path::new(path));
        for path in [
            "tests/e2e/x/00-install.yaml",
            "tests/e2e/x/role.yaml",
            "tests/config/app.yaml",
            "tests/config/rbac",
            "tests/e2e/templates/create.yaml",
            // Behind a variable: any file of that name.
            "elsewhere/extra.yaml",
        ] {
            assert!(mentions(path), "{path}");
        }
        for path in [
            "tests/e2e/x/check.yaml",
            "tests/e2e/errors/a.yaml",
            "tests/e2e/y/role.yaml",
        ] {
            assert!(!mentions(path), "{path}");
        }
    }

    #[test]
    fn a_step_templates_words_are_names_from_any_directory() {
        let (tests, _) = test_of(TEST, None);
        assert!(tests.mentions(Path::new("tests/e2e/y/role.yaml")));
        assert!(tests.mentions(Path::new("app.yaml")));
        assert!(!tests.mentions(Path::new("tests/e2e/x/check.yaml")));
    }

    #[test]
    fn globs_take_the_tests_directory_literally() {
        let mut tests = Tests::default();
        tests.assert(
            "tests/[v1]/chainsaw-test.yaml",
            vec!["*-expected.yaml", "../shared/?.yaml"],
        );
        let asserting = |path: &str| tests.asserting(Path::new(path)).is_some();
        assert!(asserting("tests/[v1]/pod-expected.yaml"));
        assert!(!asserting("tests/v/operator-expected.yaml"));
        assert!(!asserting("tests/[v1]/sub/pod-expected.yaml"));
        assert!(asserting("tests/shared/a.yaml"));
    }
}
