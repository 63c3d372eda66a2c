//! The manifest set as rules see it: every object's identity at hand, its content parsed
//! only when a rule looks at it (most rules judge a few kinds out of many).

use std::cell::OnceCell;

use serde_json::Value;

use crate::{CheckError, Document, ManifestSet};

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
    json: String,
    value: OnceCell<Value>,
}

impl Manifests {
    /// Takes the set as the host sends it; object content is parsed on first use.
    pub fn new(set: ManifestSet) -> Self {
        let objects = set
            .documents
            .into_iter()
            .enumerate()
            .map(|(position, doc)| Object::from_document(position as u32, doc))
            .collect();
        Self {
            default_namespace: set.default_namespace,
            objects,
        }
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
    /// An object from its parsed JSON value, identity read from it; the value must be a
    /// JSON object.
    pub fn new(position: u32, file: String, value: Value) -> Result<Self, CheckError> {
        if !value.is_object() {
            return Err(CheckError::InvalidInput(format!(
                "{file}: document {position} is not an object"
            )));
        }
        let text = |pointer: &str| {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Ok(Self {
            position,
            file,
            api_version: text("/apiVersion").unwrap_or_default(),
            kind: text("/kind").unwrap_or_default(),
            name: text("/metadata/name").unwrap_or_default(),
            namespace: text("/metadata/namespace"),
            json: String::new(),
            value: OnceCell::from(value),
        })
    }

    fn from_document(position: u32, doc: Document) -> Self {
        Self {
            position,
            file: doc.file,
            api_version: doc.api_version,
            kind: doc.kind,
            name: doc.name,
            namespace: doc.namespace,
            json: doc.object,
            value: OnceCell::new(),
        }
    }

    /// The whole object, parsed on first use. The host always sends a JSON object; any
    /// other text breaks the contract and stops the plugin (its rule then reports an
    /// error, never a pass).
    pub fn value(&self) -> &Value {
        self.value
            .get_or_init(|| match serde_json::from_str(&self.json) {
                Ok(value @ Value::Object(_)) => value,
                Ok(_) => panic!(
                    "{}: document {} is not a JSON object",
                    self.file, self.position
                ),
                Err(e) => panic!("{}: document {} is not JSON: {e}", self.file, self.position),
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
        self.value()
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    }

    /// `metadata.labels` as string pairs (non-string values are ignored).
    pub fn labels(&self) -> Vec<(&str, &str)> {
        string_pairs(self.value().pointer("/metadata/labels"))
    }

    /// `Kind namespace/name`, `Kind name`, or `Kind` for unnamed objects, for messages.
    pub fn display_name(&self) -> String {
        match (&self.namespace, self.name.is_empty()) {
            (_, true) => self.kind.clone(),
            (Some(ns), false) => format!("{} {ns}/{}", self.kind, self.name),
            (None, false) => format!("{} {}", self.kind, self.name),
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

    fn document(object: &str, kind: &str, namespace: Option<&str>) -> Document {
        Document {
            file: "t.yaml".into(),
            index: 0,
            api_version: "v1".into(),
            kind: kind.into(),
            name: "x".into(),
            namespace: namespace.map(str::to_owned),
            object: object.into(),
        }
    }

    #[test]
    fn identity_comes_from_the_host_and_content_is_parsed_on_use() {
        let m = Manifests::new(ManifestSet {
            default_namespace: "default".into(),
            documents: vec![
                document(
                    r#"{"kind":"Role","metadata":{"labels":{"a":"b"}}}"#,
                    "Role",
                    None,
                ),
                document("{", "Pod", Some("prod")),
            ],
        });
        assert_eq!(m.namespace_of(&m.objects[0]), "default");
        assert_eq!(m.namespace_of(&m.objects[1]), "prod");
        assert_eq!(m.of_kind("Pod").count(), 1);
        assert_eq!(m.objects[0].labels(), [("a", "b")]);
        // The broken document is never parsed unless a rule looks at it.
    }

    #[test]
    #[should_panic(expected = "t.yaml: document 1 is not JSON")]
    fn broken_content_stops_the_plugin_when_read() {
        let m = Manifests::new(ManifestSet {
            default_namespace: "default".into(),
            documents: vec![document("{}", "Role", None), document("{", "Pod", None)],
        });
        m.objects[1].value();
    }

    #[test]
    fn values_must_be_objects() {
        assert!(matches!(
            Object::new(0, "t.yaml".into(), serde_json::json!([1, 2])),
            Err(CheckError::InvalidInput(_))
        ));
        let role =
            serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role"});
        let object = Object::new(0, "t.yaml".into(), role).unwrap();
        assert_eq!(object.api_group(), "rbac.authorization.k8s.io");
    }
}
