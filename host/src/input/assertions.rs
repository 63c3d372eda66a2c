//! Files that end-to-end test frameworks check a cluster against rather than apply to
//! it: chainsaw's and KUTTL's step files named `NN-assert*.yaml` and `NN-errors*.yaml`,
//! and the files a chainsaw `Test` or `StepTemplate` names in its `assert` and `error`
//! operations. Their documents say what a test expects to find (or not to find): partial
//! objects and JMESPath expressions, never applied. They are set aside as test
//! assertions, their objects not judged and their documents' errors dropped (the rules
//! that read files still read them). A file a test also applies (`apply`, `create`,
//! `patch`, `update`) stays a manifest.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde_json::Value;

use super::{Inputs, SkipReason, SkippedFile};

/// Operations whose `file` is checked against the cluster.
const ASSERTING: [&str; 2] = ["assert", "error"];
/// Operations whose `file` is applied to the cluster.
const APPLYING: [&str; 4] = ["apply", "create", "patch", "update"];

/// Sets aside every file of `inputs` that is a test assertion and no test applies.
pub(super) fn set_aside(inputs: &mut Inputs) {
    let references = chainsaw_references(inputs);
    let mut assertions = HashSet::new();
    for (index, file) in inputs.files.iter().enumerate() {
        let path = lexical(Path::new(&file.path));
        if references.iter().any(|r| r.applies && r.names(&path)) {
            continue;
        }
        let reason = match references.iter().find(|r| !r.applies && r.names(&path)) {
            Some(by) => format!("an assertion of the chainsaw test {}", by.test),
            None if is_conventional(&path) => {
                "named as a chainsaw or KUTTL step's assertion (NN-assert, NN-errors)".to_owned()
            }
            None => continue,
        };
        assertions.insert(index);
        let reason = SkipReason::TestAssertion(reason);
        match inputs.skipped.iter_mut().find(|s| s.path == file.path) {
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
    super::drop_objects_of(inputs, &assertions);
}

/// A step file of chainsaw's or KUTTL's naming convention that holds assertions:
/// `<two digits>-assert` or `-errors`, alone or followed by `-` or `.` and more.
fn is_conventional(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    let bytes = stem.as_bytes();
    if bytes.len() < 3 || !bytes[..2].iter().all(u8::is_ascii_digit) || bytes[2] != b'-' {
        return false;
    }
    ["assert", "errors"].iter().any(|kind| {
        stem[3..]
            .strip_prefix(kind)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '.']))
    })
}

/// A file (or glob of files) a chainsaw test names in one of its operations.
struct Reference {
    /// The test's file, as the report names it.
    test: String,
    /// Whether the operation applies the file (else it asserts it).
    applies: bool,
    /// The file, resolved against the test's directory, without `.` or `..`.
    path: PathBuf,
    /// When the file is a glob (`../errors/*.yaml`), its matcher.
    glob: Option<GlobMatcher>,
}

impl Reference {
    fn names(&self, path: &Path) -> bool {
        match &self.glob {
            Some(glob) => glob.is_match(path),
            None => self.path == path,
        }
    }
}

/// Every file the chainsaw tests and step templates among the objects name in their
/// operations, except those named by URL or by an expression.
fn chainsaw_references(inputs: &Inputs) -> Vec<Reference> {
    let mut references = Vec::new();
    for object in &inputs.objects {
        let is_test = object.api_version().starts_with("chainsaw.kyverno.io/")
            && matches!(object.kind(), "Test" | "StepTemplate");
        if !is_test {
            continue;
        }
        let Ok(value) = serde_json::from_str::<Value>(object.json()) else {
            continue;
        };
        let test = &inputs.files[object.source].path;
        let dir = Path::new(test).parent().unwrap_or(Path::new(""));
        let mut named = Vec::new();
        operation_files(&value, &mut named);
        for (applies, file) in named {
            if file.contains("://") || file.starts_with('(') {
                continue;
            }
            let path = lexical(&dir.join(file));
            let glob = file
                .contains(['*', '?', '[', '{'])
                .then(|| {
                    let pattern = path.to_str()?;
                    let glob = GlobBuilder::new(pattern).literal_separator(true).build();
                    Some(glob.ok()?.compile_matcher())
                })
                .flatten();
            references.push(Reference {
                test: test.clone(),
                applies,
                path,
                glob,
            });
        }
    }
    references
}

/// The `file` of every operation under `value`: `(applies, file)`.
fn operation_files<'v>(value: &'v Value, named: &mut Vec<(bool, &'v str)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let applies = APPLYING.contains(&key.as_str());
                if (applies || ASSERTING.contains(&key.as_str()))
                    && let Some(file) = inner.get("file").and_then(Value::as_str)
                {
                    named.push((applies, file));
                }
                operation_files(inner, named);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| operation_files(item, named)),
        _ => {}
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
            "02-assert-deployment.yml",
            "10-assert.ready.yaml",
        ] {
            assert!(is_conventional(Path::new(name)), "{name}");
        }
        for name in [
            "00-install.yaml",
            "assert.yaml",
            "1-assert.yaml",
            "00-assertion.yaml",
            "00-errors.json",
            "00-asserts.yaml",
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

    #[test]
    fn operations_name_their_files_wherever_they_are() {
        let test: Value = serde_json::from_str(
            r#"{"spec": {"steps": [
                {"try": [{"apply": {"file": "00-install.yaml"}}, {"assert": {"file": "check.yaml"}}],
                 "catch": [{"podLogs": {"selector": "app=x"}}],
                 "finally": [{"error": {"file": "../errors/*.yaml"}}]},
                {"try": [{"create": {"file": "more.yaml"}}, {"assert": {"resource": {"kind": "Pod"}}}]}
            ]}}"#,
        )
        .unwrap();
        let mut named = Vec::new();
        operation_files(&test, &mut named);
        named.sort();
        assert_eq!(
            named,
            [
                (false, "../errors/*.yaml"),
                (false, "check.yaml"),
                (true, "00-install.yaml"),
                (true, "more.yaml")
            ]
        );
    }
}
