//! The manifest set as rules see it: every object parsed once, with its identity.

use serde_json::Value;

use crate::{CheckError, ManifestSet};

/// The whole set of Kubernetes objects handed to `check-manifests`.
#[derive(Debug)]
pub struct Manifests {
    /// Namespace of namespaced objects that name none (`--namespace` on the host).
    pub default_namespace: String,
    /// Every object, in input order; `objects[i].position == i`.
    pub objects: Vec<Object>,
}

/// One Kubernetes object.
#[derive(Debug)]
pub struct Object {
    /// Position in the set: what a finding's location points at.
    pub position: u32,
    /// Source file, for messages only (the host resolves locations itself).
    pub file: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace` as written; see [`Manifests::namespace_of`].
    pub namespace: Option<String>,
    /// The whole object.
    pub value: Value,
}

impl Manifests {
    /// Parses every document's JSON. A document that is not a JSON object is an input error.
    pub fn parse(set: ManifestSet) -> Result<Self, CheckError> {
        let objects = set
            .documents
            .into_iter()
            .enumerate()
            .map(|(position, doc)| {
                let value: Value = serde_json::from_str(&doc.object).map_err(|e| {
                    CheckError::InvalidInput(format!(
                        "{} (document {}): not JSON: {e}",
                        doc.file, doc.index
                    ))
                })?;
                Object::new(position as u32, doc.file, value)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            default_namespace: set.default_namespace,
            objects,
        })
    }

    /// A set built from JSON values, as plugin unit tests (running natively, without the
    /// host) need it. Every value must be a JSON object.
    pub fn from_values(default_namespace: &str, values: Vec<Value>) -> Result<Self, CheckError> {
        let objects = values
            .into_iter()
            .enumerate()
            .map(|(i, value)| Object::new(i as u32, "test.yaml".into(), value))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            default_namespace: default_namespace.to_owned(),
            objects,
        })
    }

    /// Objects of one kind (any API group).
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.objects.iter().filter(move |o| o.kind == kind)
    }

    /// The namespace an object lives in: its own, or the default one.
    pub fn namespace_of<'a>(&'a self, object: &'a Object) -> &'a str {
        object
            .namespace
            .as_deref()
            .unwrap_or(&self.default_namespace)
    }
}

impl Object {
    /// Builds an object from its JSON value; `kind` must be a string.
    pub fn new(position: u32, file: String, value: Value) -> Result<Self, CheckError> {
        if !value.is_object() {
            return Err(CheckError::InvalidInput(format!(
                "{file}: document {position} is not an object"
            )));
        }
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let metadata = value.get("metadata");
        Ok(Self {
            position,
            file,
            api_version: text(value.get("apiVersion")).unwrap_or_default(),
            kind: text(value.get("kind")).unwrap_or_default(),
            name: text(metadata.and_then(|m| m.get("name"))).unwrap_or_default(),
            namespace: text(metadata.and_then(|m| m.get("namespace"))),
            value,
        })
    }

    /// The API group of `apiVersion` (`""` for the core group).
    pub fn api_group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// `metadata.annotations[key]` when it is a string.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.value
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    }

    /// `metadata.labels` as string pairs (non-string values are ignored).
    pub fn labels(&self) -> Vec<(&str, &str)> {
        string_pairs(self.value.pointer("/metadata/labels"))
    }

    /// `Kind namespace/name` or `Kind name`, for messages.
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// The string-valued entries of a JSON object (labels, annotations, selectors).
pub(crate) fn string_pairs(value: Option<&Value>) -> Vec<(&str, &str)> {
    value
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Document;

    fn set(objects: &[&str]) -> ManifestSet {
        ManifestSet {
            default_namespace: "default".into(),
            documents: objects
                .iter()
                .enumerate()
                .map(|(i, o)| Document {
                    file: "t.yaml".into(),
                    index: i as u32,
                    object: (*o).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn reads_identity_and_default_namespace() {
        let m = Manifests::parse(set(&[
            r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r"}}"#,
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"prod"}}"#,
        ]))
        .unwrap();
        assert_eq!(m.objects[0].api_group(), "rbac.authorization.k8s.io");
        assert_eq!(m.namespace_of(&m.objects[0]), "default");
        assert_eq!(m.namespace_of(&m.objects[1]), "prod");
        assert_eq!(m.objects[1].api_group(), "");
        assert_eq!(m.of_kind("Pod").count(), 1);
    }

    #[test]
    fn rejects_non_objects() {
        assert!(matches!(
            Manifests::parse(set(&["[1,2]"])),
            Err(CheckError::InvalidInput(_))
        ));
        assert!(matches!(
            Manifests::parse(set(&["{"])),
            Err(CheckError::InvalidInput(_))
        ));
    }
}
