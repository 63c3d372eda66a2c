//! The manifest set as rules see it: every object's identity at hand, its content read
//! only when a rule looks at it (most rules judge a few kinds out of many), straight from
//! its JSON text into the typed view the rule asks for.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::rc::Rc;

use serde::Deserialize;
use serde_json::Value;

use crate::typed::{self, TextMap, object, text_map};
use crate::{CheckError, Document, ManifestSet, Pointer};

/// Labels or annotations: `(key, value)` in key order, the values that are strings.
pub type Labels<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// The whole set of Kubernetes objects a manifest check judges, as the host handed it over.
#[derive(Debug)]
pub struct Manifests {
    /// Namespace of namespaced objects that name none (`--namespace` on the host).
    pub default_namespace: String,
    /// Every object the rule keeps ([`crate::Rule::keep`]; all of them, unless it says
    /// otherwise), in input order: see [`Manifests::object`].
    pub objects: Vec<Object>,
    /// Makes the objects of the documents still to come.
    arrivals: Arrivals,
}

/// One Kubernetes object.
#[derive(Debug)]
pub struct Object {
    /// Position in the set: what a finding's location points at.
    pub position: u32,
    /// Source file, for messages only (the host resolves locations itself); one copy
    /// shared by the objects of a file.
    pub file: Rc<str>,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace` as written; see [`Manifests::namespace_of`].
    pub namespace: Option<String>,
    pub(crate) json: String,
    /// The parsed object, only for rules that ask for it ([`Object::value`]) and objects
    /// whose strings [`Object::read`] cannot borrow; boxed, as most objects never have one.
    pub(crate) value: OnceCell<Box<Value>>,
}

/// An object read for its `metadata.labels` only.
#[derive(Default, Deserialize)]
#[serde(default)]
struct WithLabels<'a> {
    #[serde(borrow, deserialize_with = "object")]
    metadata: Option<LabelsOnly<'a>>,
}

/// `metadata`, its labels.
#[derive(Default, Deserialize)]
#[serde(default)]
struct LabelsOnly<'a> {
    #[serde(borrow, deserialize_with = "text_map")]
    labels: TextMap<'a>,
}

/// An object read for its `metadata.annotations` only.
#[derive(Default, Deserialize)]
#[serde(default)]
struct WithAnnotations<'a> {
    #[serde(borrow, deserialize_with = "object")]
    metadata: Option<AnnotationsOnly<'a>>,
}

/// `metadata`, its annotations.
#[derive(Default, Deserialize)]
#[serde(default)]
struct AnnotationsOnly<'a> {
    #[serde(borrow, deserialize_with = "text_map")]
    annotations: TextMap<'a>,
}

impl Manifests {
    /// An empty set, as `begin-manifests` announces it, with room for all its objects:
    /// they arrive through [`Manifests::add`].
    pub(crate) fn begin(set: ManifestSet) -> Self {
        Self {
            default_namespace: set.default_namespace,
            objects: Vec::with_capacity(set.documents as usize),
            arrivals: Arrivals::default(),
        }
    }

    /// Adds the documents of one `add-documents` batch, which follow the ones added
    /// before, as the rule [keeps](crate::Rule::keep) them; object content is read on use.
    pub(crate) fn add(
        &mut self,
        documents: Vec<Document>,
        keep: impl Fn(Object) -> Option<Object>,
    ) {
        let arrivals = &mut self.arrivals;
        self.objects.extend(
            documents
                .into_iter()
                .filter_map(|d| keep(arrivals.object(d))),
        );
    }

    /// The set as rule `R` holds it when the host hands it over: each object as
    /// [`Rule::keep`](crate::Rule::keep) keeps it. For unit tests of rules that keep less
    /// than whole objects.
    pub fn kept<R: crate::Rule>(self) -> Self {
        Self {
            objects: self.objects.into_iter().filter_map(R::keep).collect(),
            ..self
        }
    }

    /// The object at `position` in the set, if the rule keeps it.
    pub fn object(&self, position: u32) -> Option<&Object> {
        let at = self.objects.binary_search_by_key(&position, |o| o.position);
        at.ok().map(|at| &self.objects[at])
    }

    /// The set of `documents`, as the host would hand it over in one batch, for the
    /// SDK's tests.
    #[cfg(test)]
    pub(crate) fn sent(documents: Vec<Document>) -> Self {
        let mut set = Self::begin(ManifestSet {
            default_namespace: "default".into(),
            documents: documents.len() as u32,
        });
        set.add(documents, Some);
        set
    }

    /// A set built from JSON values, as plugin unit tests (running natively, without the
    /// host) need it. Every value must be a JSON object.
    pub fn from_values(default_namespace: &str, values: Vec<Value>) -> Result<Self, CheckError> {
        let objects: Vec<Object> = values
            .into_iter()
            .enumerate()
            .map(|(i, value)| Object::new(i as u32, "test.yaml".into(), value))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            default_namespace: default_namespace.to_owned(),
            arrivals: Arrivals {
                next: objects.len() as u32,
                file: Rc::from(""),
            },
            objects,
        })
    }

    /// Objects of one kind (any API group).
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.objects.iter().filter(move |o| o.kind == kind)
    }

    /// The namespace an object lives in: its own, or the default one.
    pub fn namespace_of<'a>(&'a self, object: &'a Object) -> &'a str {
        object.namespace_or(&self.default_namespace)
    }
}

/// Makes objects of the documents the host hands over, batch after batch: positions count
/// on across batches, and consecutive documents of one file share one copy of its path
/// (the host sends it with each document; 100k objects hold a few files' worth, not 100k
/// paths).
#[derive(Debug)]
pub(crate) struct Arrivals {
    /// Position in the set of the next document.
    next: u32,
    /// The path of the last document's file.
    file: Rc<str>,
}

impl Default for Arrivals {
    /// Arrivals from the set's first document.
    fn default() -> Self {
        Self {
            next: 0,
            file: Rc::from(""),
        }
    }
}

impl Arrivals {
    /// The object of the next document.
    pub(crate) fn object(&mut self, document: Document) -> Object {
        if *self.file != *document.file {
            self.file = Rc::from(document.file.as_str());
        }
        let position = self.next;
        self.next += 1;
        Object {
            position,
            file: Rc::clone(&self.file),
            api_version: document.api_version,
            kind: document.kind,
            name: document.name,
            namespace: document.namespace,
            json: document.object,
            value: OnceCell::new(),
        }
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
            file: file.into(),
            api_version: text("/apiVersion").unwrap_or_default(),
            kind: text("/kind").unwrap_or_default(),
            name: text("/metadata/name").unwrap_or_default(),
            namespace: text("/metadata/namespace"),
            json: value.to_string(),
            value: OnceCell::from(Box::new(value)),
        })
    }

    /// The namespace the object lives in: its own, or `default` when it names none.
    pub(crate) fn namespace_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.namespace.as_deref().unwrap_or(default)
    }

    /// The object as the typed view `T` (see [`crate::typed`]), read straight from its
    /// JSON text: no [`Value`] is built. An object holding a string that `T` borrows but
    /// that is written with escapes is read from its parsed value instead, with the same
    /// result. Text that is no JSON object breaks the host's contract and stops the plugin,
    /// as in [`Object::value`].
    pub fn read<'a, T: Deserialize<'a> + Default>(&'a self) -> T {
        let mut text = serde_json::Deserializer::from_str(&self.json);
        let read = typed::object(&mut text).and_then(|read| text.end().map(|()| read));
        match read {
            Ok(Some(read)) => read,
            Ok(None) => self.broken("is not a JSON object"),
            Err(error) if error.to_string().starts_with(typed::CANNOT_BORROW) => {
                typed::read(self.value())
            }
            Err(error) => self.broken(&format!("does not read: {error}")),
        }
    }

    /// Whether the object was parsed into a [`Value`], for tests of [`Object::read`].
    #[cfg(test)]
    pub(crate) fn is_parsed(&self) -> bool {
        self.value.get().is_some()
    }

    /// Stops the plugin on an object the host should never have sent.
    fn broken(&self, what: &str) -> ! {
        panic!("{}: document {} {what}", self.file, self.position)
    }

    /// `pointer` if the object holds that node, else its nearest existing parent (the
    /// root at worst), found in the JSON text.
    pub fn nearest(&self, pointer: &Pointer) -> Pointer {
        pointer.nearest_in_text(&self.json)
    }

    /// Whether the object holds the node `pointer` names (whatever it holds, `null`
    /// included).
    pub fn contains(&self, pointer: &Pointer) -> bool {
        self.nearest(pointer) == *pointer
    }

    /// The whole object, parsed on first use. The host always sends a JSON object; any
    /// other text breaks the contract and stops the plugin (its rule then reports an
    /// error, never a pass).
    pub fn value(&self) -> &Value {
        self.value
            .get_or_init(|| match serde_json::from_str(&self.json) {
                Ok(value @ Value::Object(_)) => Box::new(value),
                Ok(_) => self.broken("is not a JSON object"),
                Err(e) => self.broken(&format!("is not JSON: {e}")),
            })
    }

    /// The API group of `apiVersion` (`""` for the core group).
    pub fn api_group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// `metadata.annotations[key]` when it is a string. Each call reads the object: a
    /// rule looking up several keys reads [`Object::annotations`] once instead.
    pub fn annotation(&self, key: &str) -> Option<Cow<'_, str>> {
        let annotations = self.read::<WithAnnotations>().metadata?.annotations?;
        let (_, value) = annotations.into_iter().find(|(k, _)| k == key)?;
        value
    }

    /// `metadata.annotations` as string pairs in key order (non-string values are
    /// ignored); [`lookup`] finds a key.
    pub fn annotations(&self) -> Labels<'_> {
        let metadata = self.read::<WithAnnotations>().metadata;
        string_entries(metadata.and_then(|m| m.annotations))
    }

    /// `metadata.labels` as string pairs (non-string values are ignored).
    pub fn labels(&self) -> Labels<'_> {
        let metadata = self.read::<WithLabels>().metadata;
        string_entries(metadata.and_then(|m| m.labels))
    }

    /// `Kind namespace/name` or `Kind name`, for messages; an object named by
    /// `generateName` only (a Job created afresh each time) is `Kind namespace/prefix*`,
    /// as reports name it, and one with neither is `Kind`.
    pub fn display_name(&self) -> String {
        let generated = || {
            let prefix = self.value().pointer("/metadata/generateName");
            let prefix = prefix.and_then(Value::as_str).filter(|p| !p.is_empty())?;
            Some(format!("{prefix}*"))
        };
        let name = match self.name.is_empty() {
            false => self.name.clone(),
            true => match generated() {
                Some(name) => name,
                None => return self.kind.clone(),
            },
        };
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{name}", self.kind),
            None => format!("{} {name}", self.kind),
        }
    }
}

/// The value of `key` in labels or annotations (which are in key order).
pub fn lookup<'l, 'a>(labels: &'l Labels<'a>, key: &str) -> Option<&'l Cow<'a, str>> {
    let found = labels.binary_search_by(|(k, _)| k.as_ref().cmp(key));
    found.ok().map(|i| &labels[i].1)
}

/// Labels as `&str` pairs, e.g. to add a few more before matching them.
pub fn pairs<'a>(labels: &'a Labels<'_>) -> Vec<(&'a str, &'a str)> {
    let pairs = labels.iter();
    pairs.map(|(k, v)| (k.as_ref(), v.as_ref())).collect()
}

/// The string-valued entries of a map read by [`text_map`].
pub(crate) fn string_entries(map: TextMap<'_>) -> Labels<'_> {
    let entries = map.into_iter().flatten();
    entries.filter_map(|(k, v)| Some((k, v?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let m = Manifests::sent(vec![
            document(
                r#"{"kind":"Role","metadata":{"labels":{"a":"b"}}}"#,
                "Role",
                None,
            ),
            document("{", "Pod", Some("prod")),
        ]);
        assert_eq!(m.namespace_of(&m.objects[0]), "default");
        assert_eq!(m.namespace_of(&m.objects[1]), "prod");
        assert_eq!(m.of_kind("Pod").count(), 1);
        assert_eq!(pairs(&m.objects[0].labels()), [("a", "b")]);
        assert!(m.objects[0].annotations().is_empty());
        assert!(Rc::ptr_eq(&m.objects[0].file, &m.objects[1].file));
        // The broken document is never parsed unless a rule looks at it.
    }

    #[test]
    fn objects_are_named_for_messages_as_reports_name_them() {
        let named = |value: Value| {
            Object::new(0, "f.yaml".into(), value)
                .unwrap()
                .display_name()
        };
        let job = |metadata: Value| json!({"kind": "Job", "metadata": metadata});
        assert_eq!(
            named(job(json!({"name": "seed", "namespace": "shop"}))),
            "Job shop/seed"
        );
        assert_eq!(named(job(json!({"name": "seed"}))), "Job seed");
        assert_eq!(
            named(job(
                json!({"generateName": "migrate-", "namespace": "shop"})
            )),
            "Job shop/migrate-*"
        );
        assert_eq!(named(job(json!({"generateName": ""}))), "Job");
        assert_eq!(named(job(json!({}))), "Job");
    }

    #[test]
    fn batches_add_up_to_one_set_in_order() {
        let mut m = Manifests::begin(ManifestSet {
            default_namespace: "apps".into(),
            documents: 3,
        });
        let whole = Some;
        m.add(
            vec![document("{}", "Role", None), document("{}", "Pod", None)],
            whole,
        );
        m.add(vec![document("{}", "Service", Some("web"))], whole);
        m.add(Vec::new(), whole);
        let kinds: Vec<_> = m
            .objects
            .iter()
            .map(|o| (o.position, o.kind.as_str()))
            .collect();
        assert_eq!(kinds, [(0, "Role"), (1, "Pod"), (2, "Service")]);
        assert_eq!(m.namespace_of(&m.objects[1]), "apps");
        // A file's objects share its path across batches.
        assert!(Rc::ptr_eq(&m.objects[0].file, &m.objects[2].file));
        assert_eq!(m.objects.capacity(), 3);
    }

    #[test]
    fn annotations_are_read_once_and_looked_up_by_key() {
        let text =
            r#"{"metadata": {"annotations": {"z": "1", "a\u0062": "2", "n": 3, "m": "x\ny"}}}"#;
        let m = Manifests::sent(vec![document(text, "Ingress", None)]);
        let annotations = m.objects[0].annotations();
        assert_eq!(
            pairs(&annotations),
            [("ab", "2"), ("m", "x\ny"), ("z", "1")]
        );
        assert_eq!(lookup(&annotations, "ab").map(Cow::as_ref), Some("2"));
        assert_eq!(lookup(&annotations, "z").map(Cow::as_ref), Some("1"));
        assert_eq!(lookup(&annotations, "n"), None);
        assert_eq!(lookup(&annotations, "b"), None);
        assert_eq!(m.objects[0].annotation("m").as_deref(), Some("x\ny"));
    }

    #[test]
    #[should_panic(expected = "t.yaml: document 1 is not JSON")]
    fn broken_content_stops_the_plugin_when_read() {
        let m = Manifests::sent(vec![
            document("{}", "Role", None),
            document("{", "Pod", None),
        ]);
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
