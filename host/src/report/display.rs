//! How the report model's parts read in every format, written once: an object's label
//! (`Deployment shop/web`), where an error happened (`app.yaml:3`, `rule x`), a control
//! reference (`soc2 CC6.1`), a run's outcome word (`PASS`) and counted nouns
//! (`1 finding`, `3 findings`). Renderers escape these for where they put them.

use std::fmt;

use super::{ControlRef, ErrorRecord, LocationRecord, Outcome, WaiverSource};

/// A count with its noun, plural unless the count is one: `1 file`, `0 files`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted<'a> {
    pub count: usize,
    pub noun: &'a str,
}

impl<'a> Counted<'a> {
    pub fn new(count: usize, noun: &'a str) -> Self {
        Self { count, noun }
    }

    /// The plural ending `s`, or nothing for one.
    pub fn ending(count: usize) -> &'static str {
        if count == 1 { "" } else { "s" }
    }
}

impl fmt::Display for Counted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}{}",
            self.count,
            self.noun,
            Self::ending(self.count)
        )
    }
}

/// The Kubernetes object a finding is about, when its location names one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectLabel<'a> {
    pub kind: &'a str,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
}

impl ObjectLabel<'_> {
    /// `Kind/namespace/name` or `Kind/name`: one token, as SARIF's logical locations
    /// want it.
    pub fn qualified_name(&self) -> String {
        match self.namespace {
            Some(ns) => format!("{}/{ns}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}

impl fmt::Display for ObjectLabel<'_> {
    /// `Deployment shop/web`, `ClusterRole admin`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

impl LocationRecord {
    /// The object the location is in, when it names a kind and a name.
    pub fn object(&self) -> Option<ObjectLabel<'_>> {
        Some(ObjectLabel {
            kind: self.kind.as_deref()?,
            namespace: self.namespace.as_deref(),
            name: self.name.as_deref()?,
        })
    }

    /// The object and, for one kustomize built, the kustomization it was built through:
    /// `Deployment shop/web (via overlays/prod)`.
    pub fn object_via(&self) -> Option<String> {
        let object = self.object()?;
        Some(match &self.via {
            Some(via) => format!("{object} (via {via})"),
            None => object.to_string(),
        })
    }

    /// `file:line`, or `file:line:column` when the column is known.
    pub fn place(&self) -> String {
        match self.column {
            Some(column) => format!("{}:{}:{column}", self.file, self.line),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

/// Where an error happened: a file's line, a file, a rule, or nowhere in particular.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorPlace<'a> {
    Line(&'a str, u32),
    File(&'a str),
    Rule(&'a str),
    Nowhere,
}

impl fmt::Display for ErrorPlace<'_> {
    /// `app.yaml:3`, `app.yaml`, `rule x`, or nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(file, line) => write!(f, "{file}:{line}"),
            Self::File(file) => f.write_str(file),
            Self::Rule(rule) => write!(f, "rule {rule}"),
            Self::Nowhere => Ok(()),
        }
    }
}

impl ErrorRecord {
    /// Where the error happened: its file (and line) when it has one, else its rule.
    pub fn place(&self) -> ErrorPlace<'_> {
        match (&self.file, self.line, &self.rule) {
            (Some(file), Some(line), _) => ErrorPlace::Line(file, line),
            (Some(file), None, _) => ErrorPlace::File(file),
            (None, _, Some(rule)) => ErrorPlace::Rule(rule),
            (None, _, None) => ErrorPlace::Nowhere,
        }
    }
}

impl ControlRef {
    /// `soc2:CC6.1`: one token, as tags want it.
    pub fn tag(&self) -> String {
        format!("{}:{}", self.framework, self.id)
    }
}

impl Outcome {
    /// `PASS`, `FAIL` or `ERROR`, as headlines show it.
    pub fn word(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Error => "ERROR",
        }
    }
}

impl WaiverSource {
    /// The source as the JSON report names it: `rule-settings`, `config`, `annotation`,
    /// `baseline`.
    pub fn name(self) -> &'static str {
        match self {
            Self::RuleSettings => "rule-settings",
            Self::Config => "config",
            Self::Annotation => "annotation",
            Self::Baseline => "baseline",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(kind: Option<&str>, namespace: Option<&str>, name: Option<&str>) -> LocationRecord {
        LocationRecord {
            file: "app.yaml".into(),
            line: 7,
            kind: kind.map(Into::into),
            namespace: namespace.map(Into::into),
            name: name.map(Into::into),
            ..LocationRecord::default()
        }
    }

    fn error(rule: Option<&str>, file: Option<&str>, line: Option<u32>) -> ErrorRecord {
        ErrorRecord {
            rule: rule.map(Into::into),
            file: file.map(Into::into),
            line,
            message: "m".into(),
        }
    }

    #[test]
    fn counts_are_plural_unless_one() {
        let said: Vec<String> = [0, 1, 2]
            .map(|n| Counted::new(n, "finding").to_string())
            .into();
        assert_eq!(said, ["0 findings", "1 finding", "2 findings"]);
    }

    #[test]
    fn objects_are_labelled_with_their_namespace() {
        let namespaced = location(Some("Deployment"), Some("shop"), Some("web"));
        let label = namespaced.object().unwrap();
        assert_eq!(label.to_string(), "Deployment shop/web");
        assert_eq!(label.qualified_name(), "Deployment/shop/web");
        let cluster = location(Some("ClusterRole"), None, Some("admin"));
        assert_eq!(cluster.object().unwrap().to_string(), "ClusterRole admin");
        assert_eq!(location(None, None, Some("web")).object(), None);
        assert_eq!(location(Some("Pod"), None, None).object(), None);
        let mut built = namespaced.clone();
        built.via = Some("overlays/prod".into());
        assert_eq!(
            built.object_via().as_deref(),
            Some("Deployment shop/web (via overlays/prod)")
        );
        let mut columned = namespaced.clone();
        columned.column = Some(3);
        assert_eq!(
            (namespaced.place(), columned.place()),
            ("app.yaml:7".to_owned(), "app.yaml:7:3".to_owned())
        );
    }

    #[test]
    fn an_error_is_placed_at_its_file_before_its_rule() {
        let places: Vec<String> = [
            error(Some("r"), Some("a.yaml"), Some(3)),
            error(Some("r"), Some("a.yaml"), None),
            error(Some("r"), None, Some(3)),
            error(None, None, None),
        ]
        .iter()
        .map(|e| e.place().to_string())
        .collect();
        assert_eq!(places, ["a.yaml:3", "a.yaml", "rule r", ""]);
    }
}
