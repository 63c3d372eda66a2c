//! Kubernetes objects as the host keeps them: identity, JSON text for the plugins, and the
//! line of every node so that a finding's JSON pointer becomes a file line.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize as _;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::yaml::{Document, FlatDocument, Head, LineTree, ParsedDocument};

/// One Kubernetes object of the input. Every object is kept through the rules' calls, so
/// its texts are in one box rather than in growable strings (see [`Texts`]).
#[derive(Debug)]
pub struct ManifestObject {
    /// Index of the source file in [`super::Inputs::files`].
    pub source: usize,
    /// Position of its YAML document in the file.
    pub document: u32,
    /// Position in the `items` of a `List` document.
    pub item: Option<u32>,
    /// Its JSON text ([`Self::json`]), identity ([`Self::api_version`] and the methods
    /// after it) and lines ([`Self::locate`]).
    texts: Texts,
    /// The `tollgate.dev/waive` annotation, on the object or on its pod template (boxed:
    /// few objects have one).
    pub waive: Option<Box<WaiveAnnotation>>,
    /// The kustomization whose build produced it (its directory), when it was built
    /// rather than read as written.
    pub via: Option<Box<str>>,
}

/// What the host keeps of an object's text, in one box: its JSON text, then its
/// `apiVersion`, `kind`, `metadata.name` and `metadata.namespace` one after the other,
/// then the line of every node. One allocation where there were three, and 40 bytes of the
/// object where three boxes and the ends took 64: at 100,000 objects, 2.6 MiB less kept
/// through the rules' calls.
///
/// The lines are in pre-order of the JSON text (see [`LineTree::flatten`]), each as its
/// difference from the one before, zigzag-encoded six bits a byte with the seventh
/// saying more follow, so that every byte is ASCII and the box stays a `str`. Nodes of
/// YAML written in order are on the line of the node before or a few below, so almost
/// every difference takes one byte where a `u32` takes four. A line is read by decoding
/// the ones before it, a few dozen bytes for most objects, and only for the few nodes
/// findings point at.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Texts {
    text: Box<str>,
    /// Where the JSON text, `apiVersion`, `kind`, `metadata.name` and
    /// `metadata.namespace` end in `text`; the lines follow.
    ends: [u32; 5],
    /// Whether `metadata.namespace` is written (it may be written empty).
    namespaced: bool,
}

/// The bit of a line byte saying that more bytes of the same difference follow.
const MORE: u8 = 0x40;

/// An object whose texts (its JSON, names and lines) are too long for the `u32` offsets
/// of [`Texts`]. Files are bounded by `--max-file-size` (64 MiB by default) and what
/// anchors and aliases add to a file by four times its size, so only a limit raised far
/// past its default reaches this.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the object's JSON text, names and lines are {bytes} bytes, over the {limit}-byte limit for one object; it was not judged"
)]
pub struct TooLarge {
    bytes: u64,
    limit: u32,
}

impl TooLarge {
    /// As the reason the document at `line` is not read as an object.
    fn at(self, line: u32) -> NotAnObject {
        NotAnObject {
            line,
            message: self.to_string(),
            broken: true,
            refused: true,
        }
    }
}

/// Where each of five parts of `lengths` ends when they are joined, and the lines of
/// `lines_length` bytes follow them, if all of it stays within `limit` bytes.
fn ends_within(limit: u32, lengths: [usize; 5], lines_length: usize) -> Result<[u32; 5], TooLarge> {
    let total = lengths
        .iter()
        .chain([&lines_length])
        .map(|&l| l as u64)
        .sum::<u64>();
    if total > u64::from(limit) {
        return Err(TooLarge {
            bytes: total,
            limit,
        });
    }
    let mut end = 0;
    Ok(lengths.map(|length| {
        end += length as u32;
        end
    }))
}

impl Texts {
    /// The texts of an object: its JSON text, its `[apiVersion, kind, name]`, its
    /// namespace if written, and the line of each node.
    fn new(
        json: &str,
        names: [&str; 3],
        namespace: Option<&str>,
        lines: &[u32],
    ) -> Result<Self, TooLarge> {
        let mut encoded = String::with_capacity(lines.len() + 8);
        let mut previous = 0i64;
        for &line in lines {
            let difference = i64::from(line) - previous;
            previous = i64::from(line);
            let mut zigzag = ((difference << 1) ^ (difference >> 63)) as u64;
            loop {
                let low = (zigzag & 0x3f) as u8;
                zigzag >>= 6;
                if zigzag == 0 {
                    encoded.push(char::from(low));
                    break;
                }
                encoded.push(char::from(low | MORE));
            }
        }
        Self::joined(json, names, namespace, &encoded)
    }

    /// The texts from their parts, the lines already encoded.
    fn joined(
        json: &str,
        names: [&str; 3],
        namespace: Option<&str>,
        lines: &str,
    ) -> Result<Self, TooLarge> {
        // The API server ignores the namespace of a cluster-scoped object, and so do we.
        let namespace = namespace.filter(|_| !is_cluster_scoped(names[1]));
        let parts = [json, names[0], names[1], names[2], namespace.unwrap_or("")];
        let ends = ends_within(u32::MAX, parts.map(str::len), lines.len())?;
        let mut text = String::with_capacity(ends[4] as usize + lines.len());
        for part in parts {
            text.push_str(part);
        }
        text.push_str(lines);
        Ok(Self {
            text: text.into(),
            ends,
            namespaced: namespace.is_some(),
        })
    }

    /// The JSON text.
    fn json(&self) -> &str {
        &self.text[..self.ends[0] as usize]
    }

    /// Name `i` of `apiVersion`, `kind`, `metadata.name` and `metadata.namespace`.
    fn name(&self, i: usize) -> &str {
        &self.text[self.ends[i] as usize..self.ends[i + 1] as usize]
    }

    /// The same texts with `namespace` written.
    fn with_namespace(&self, namespace: &str) -> Result<Self, TooLarge> {
        let names = [self.name(0), self.name(1), self.name(2)];
        let lines = &self.text[self.ends[4] as usize..];
        Self::joined(self.json(), names, Some(namespace), lines)
    }

    /// The line of the node at pre-order `position`, `None` past the last node.
    fn line(&self, position: usize) -> Option<u32> {
        let mut bytes = self.text.as_bytes()[self.ends[4] as usize..].iter();
        let mut line = 0i64;
        for _ in 0..=position {
            let (mut zigzag, mut shift) = (0u64, 0);
            loop {
                let byte = *bytes.next()?;
                zigzag |= u64::from(byte & !MORE) << shift;
                shift += 6;
                if byte & MORE == 0 {
                    break;
                }
            }
            line += (zigzag >> 1) as i64 ^ -((zigzag & 1) as i64);
        }
        Some(line as u32)
    }
}

/// Annotation that waives rules on one object (and its pod template).
pub const WAIVE_ANNOTATION: &str = "tollgate.dev/waive";
/// The reason that must come with [`WAIVE_ANNOTATION`].
pub const WAIVE_REASON_ANNOTATION: &str = "tollgate.dev/waive-reason";
/// Who approved the waiver of [`WAIVE_ANNOTATION`].
pub const WAIVE_APPROVED_BY_ANNOTATION: &str = "tollgate.dev/waive-approved-by";
/// The last day (`YYYY-MM-DD`) the waiver of [`WAIVE_ANNOTATION`] applies.
pub const WAIVE_EXPIRES_ANNOTATION: &str = "tollgate.dev/waive-expires";

/// An object's `tollgate.dev/waive` annotation: the rules it waives, the reason, and who
/// approved it until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaiveAnnotation {
    pub rules: Vec<String>,
    /// `None` when `tollgate.dev/waive-reason` is missing or blank: the waiver is refused.
    pub reason: Option<String>,
    /// `tollgate.dev/waive-approved-by`, when given and not blank.
    pub approved_by: Option<String>,
    /// `tollgate.dev/waive-expires` as written, when given and not blank.
    pub expires: Option<String>,
}

impl WaiveAnnotation {
    /// Read from the object's metadata, else from its pod template's (Deployment and the
    /// like, and a CronJob's job template).
    fn of(value: &Value) -> Option<Self> {
        [
            "/metadata",
            "/spec/template/metadata",
            "/spec/jobTemplate/spec/template/metadata",
        ]
        .iter()
        .filter_map(|at| value.pointer(&format!("{at}/annotations")))
        .find_map(|annotations| Self::read(|key| annotations.get(key).and_then(Value::as_str)))
    }

    /// The same from the annotations captured while the object was written.
    fn of_head(head: &Head) -> Option<Self> {
        head.waivers
            .iter()
            .find_map(|annotations| Self::read(|key| annotations.get(key)))
    }

    /// From one annotations mapping, given the text of each annotation.
    fn read<'a>(text: impl Fn(&str) -> Option<&'a str>) -> Option<Self> {
        let given = |key: &str| {
            text(key)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let rules = text(WAIVE_ANNOTATION)?
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect();
        Some(Self {
            rules,
            reason: given(WAIVE_REASON_ANNOTATION),
            approved_by: given(WAIVE_APPROVED_BY_ANNOTATION),
            expires: given(WAIVE_EXPIRES_ANNOTATION),
        })
    }
}

/// How the message of a document that is a list, a scalar or empty ends.
const NOT_AN_OBJECT: &str = ", not a Kubernetes object";
/// How the message of a mapping that names neither an apiVersion nor a kind ends.
const NO_IDENTITY: &str = " is not a Kubernetes object: it has no apiVersion and no kind";

/// Whether an error's `message` says a document is other YAML than an object, rather than
/// a broken one ([`NotAnObject::broken`] unset).
pub fn is_stray_document(message: &str) -> bool {
    message.ends_with(NOT_AN_OBJECT) || message.ends_with(NO_IDENTITY)
}

/// Why a document is not a Kubernetes object.
#[derive(Debug, PartialEq, Eq)]
pub struct NotAnObject {
    pub line: u32,
    pub message: String,
    /// It meant to be one (it names an apiVersion or a kind, or is an item of a `List`)
    /// and is broken; otherwise it is other YAML (chart values, a patch, a dashboard).
    pub broken: bool,
    /// It is an object, refused for its size ([`TooLarge`]): an error wherever its file
    /// is read, since it was not judged.
    pub refused: bool,
}

/// The kustomize field that turns a document into an instruction to remove an object.
const KUSTOMIZE_PATCH_FIELD: &str = "$patch";

/// The objects of one parsed YAML document, as [`objects`] finds them.
pub fn parsed_objects(
    source: usize,
    document: ParsedDocument,
) -> (Vec<ManifestObject>, Vec<NotAnObject>) {
    match document {
        ParsedDocument::Flat(flat) => flat_objects(source, flat),
        ParsedDocument::Tree(tree) => objects(source, tree),
    }
}

/// [`objects`] for a document written flat, read from its [`Head`] (a flat document is a
/// mapping and never a `List`).
fn flat_objects(source: usize, document: FlatDocument) -> (Vec<ManifestObject>, Vec<NotAnObject>) {
    let head = &document.head;
    let text = |field: &Option<String>| field.clone().filter(|s| !s.is_empty());
    let fields = (text(&head.api_version), text(&head.kind));
    if let Some(problem) =
        object_problem(head.patch.as_deref(), Shape::Object, &fields, document.line)
    {
        return (Vec::new(), problem.into_iter().collect());
    }
    let (api_version, kind) = fields;
    let texts = Texts::new(
        &document.json,
        [
            api_version.as_deref().unwrap_or_default(),
            kind.as_deref().unwrap_or_default(),
            head.name.as_deref().unwrap_or_default(),
        ],
        head.namespace.as_deref(),
        &document.lines,
    );
    let texts = match texts {
        Ok(texts) => texts,
        Err(too_large) => return (Vec::new(), vec![too_large.at(document.line)]),
    };
    let object = ManifestObject {
        source,
        document: document.index,
        item: None,
        texts,
        waive: WaiveAnnotation::of_head(head).map(Box::new),
        via: None,
    };
    (vec![object], Vec::new())
}

/// The objects of one YAML document (the document itself, or the items of a `List`), and
/// what in it is not a Kubernetes object. One bad list item does not hide the others.
pub fn objects(source: usize, document: Document) -> (Vec<ManifestObject>, Vec<NotAnObject>) {
    let Document {
        index,
        line,
        value,
        lines,
    } = document;
    let patch = value.get(KUSTOMIZE_PATCH_FIELD).and_then(Value::as_str);
    let fields = (text_field(&value, "apiVersion"), text_field(&value, "kind"));
    if let Some(problem) = object_problem(patch, Shape::of(&value), &fields, line) {
        return (Vec::new(), problem.into_iter().collect());
    }
    let kind = fields.1.unwrap_or_default();
    let items_is_array = value.get("items").is_some_and(Value::is_array);
    let Some(element_kind) = list_element_kind(&kind, items_is_array) else {
        return match ManifestObject::new(source, index, None, value, &lines) {
            Ok(object) => (vec![object], Vec::new()),
            Err(too_large) => (Vec::new(), vec![too_large.at(line)]),
        };
    };
    let Value::Object(mut list) = value else {
        unreachable!("checked to be an object")
    };
    let api_version = list.get("apiVersion").cloned();
    let Some(Value::Array(items)) = list.remove("items") else {
        unreachable!("list_element_kind requires an items array")
    };
    let items_lines = lines.field("items");
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (i, mut item) in items.into_iter().enumerate() {
        let item_lines = items_lines.and_then(|t| t.item(i)).unwrap_or(&lines);
        // Items of a typed list (e.g. PodList) may leave out their kind and apiVersion.
        if let (Value::Object(fields), Some(kind)) = (&mut item, element_kind) {
            fields
                .entry("kind")
                .or_insert_with(|| Value::String(kind.to_owned()));
            if let Some(api_version) = &api_version {
                fields
                    .entry("apiVersion")
                    .or_insert_with(|| api_version.clone());
            }
        }
        let fields = (text_field(&item, "apiVersion"), text_field(&item, "kind"));
        let what = format!("item {i} of the {kind}");
        let checked = check_object(Shape::of(&item), &fields, item_lines.line, &what);
        let object = checked.and_then(|()| {
            ManifestObject::new(source, index, Some(i as u32), item, item_lines).map_err(
                |too_large| {
                    let refused = too_large.at(item_lines.line);
                    let message = format!("{what}: {}", refused.message);
                    NotAnObject { message, ..refused }
                },
            )
        });
        match object {
            Ok(object) => found.push(object),
            Err(e) => errors.push(NotAnObject { broken: true, ..e }),
        }
    }
    (found, errors)
}

/// Why a document is not an object to read: `Some(None)` for a kustomize delete
/// directive (it declares nothing), `Some(Some(problem))` when it is not an object.
/// `fields` are its non-empty `apiVersion` and `kind`.
fn object_problem(
    patch: Option<&str>,
    shape: Shape,
    fields: &(Option<String>, Option<String>),
    line: u32,
) -> Option<Option<NotAnObject>> {
    if patch == Some("delete") {
        return Some(None);
    }
    if let Err(e) = check_object(shape, fields, line, "the document") {
        return Some(Some(e));
    }
    let reason = kustomize_configuration(fields.0.as_deref())?;
    Some(Some(NotAnObject {
        line,
        message: format!("the document is {reason}, not a Kubernetes object"),
        broken: false,
        refused: false,
    }))
}

/// A top-level string field of `value`, when not empty.
fn text_field(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `Some(element kind)` when the document is a list to unwrap: `kind: List` (element kinds
/// given per item, `None`) or a typed `FooList` with an `items` array (`Some("Foo")`).
fn list_element_kind(kind: &str, items_is_array: bool) -> Option<Option<&str>> {
    if !items_is_array {
        return None;
    }
    match kind {
        "List" => Some(None),
        _ => kind
            .strip_suffix("List")
            .filter(|k| !k.is_empty())
            .map(Some),
    }
}

/// Kinds that live outside namespaces: the built-in ones and well-known custom ones. A
/// kustomization's `namespace:` leaves them alone.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "AdminNetworkPolicy",
    "BaselineAdminNetworkPolicy",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "CiliumClusterwideNetworkPolicy",
    "ClusterIssuer",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "FlowSchema",
    "GatewayClass",
    "GlobalNetworkPolicy",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// Whether objects of `kind` live outside namespaces.
pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// Workloads of `apps/v1`, which the API server accepts only with `spec.selector`.
const SELECTED_WORKLOADS: [&str; 4] = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"];

/// What workload `object` lacks that the API server requires of it, if it is a workload
/// and lacks something: a selector (`apps/v1`), a pod template, containers, or a
/// container's image. Such an object cannot be applied as it is: it is a patch or a
/// fragment for a tool to complete.
pub fn incomplete_workload(object: &ManifestObject) -> Option<String> {
    let kind = object.kind();
    let pod = match kind {
        "Pod" => "/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        "Job" | "DeploymentConfig" => "/spec/template/spec",
        _ if SELECTED_WORKLOADS.contains(&kind) => "/spec/template/spec",
        _ => return None,
    };
    let value: Value = serde_json::from_str(object.json()).ok()?;
    let lacks = |what: String| Some(format!("a {kind} without {what}"));
    if object.api_version() == "apps/v1"
        && SELECTED_WORKLOADS.contains(&kind)
        && value.pointer("/spec/selector").is_none()
    {
        return lacks("spec.selector".into());
    }
    let Some(pod) = value.pointer(pod) else {
        return lacks("a pod template".into());
    };
    let containers = pod.get("containers").and_then(Value::as_array);
    let Some(containers) = containers.filter(|c| !c.is_empty()) else {
        return lacks("containers".into());
    };
    // OpenShift fills a DeploymentConfig's images in from its image change triggers.
    if kind == "DeploymentConfig" {
        return None;
    }
    let imageless = pod
        .get("initContainers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(containers)
        .find(|c| {
            c.get("image")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        })?;
    let name = imageless.get("name").and_then(Value::as_str).unwrap_or("");
    lacks(format!("an image for container {name:?}"))
}

/// The document of `documents` that kustomize built `built` from: of the same kind, with
/// the longest name that the built name contains (kustomize adds prefixes and suffixes),
/// else the only document of that kind.
pub fn original_of<'a>(built: &Value, documents: &'a [Document]) -> Option<&'a Document> {
    fn text<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
        value.pointer(pointer).and_then(Value::as_str)
    }
    let kind = text(built, "/kind")?;
    let name = text(built, "/metadata/name").unwrap_or("");
    let same_kind: Vec<&Document> = documents
        .iter()
        .filter(|d| text(&d.value, "/kind") == Some(kind))
        .collect();
    same_kind
        .iter()
        .filter_map(|d| {
            let original = text(&d.value, "/metadata/name").unwrap_or("");
            name.contains(original).then_some((original.len(), *d))
        })
        .max_by_key(|(length, _)| *length)
        .map(|(_, d)| d)
        .or_else(|| (same_kind.len() == 1).then(|| same_kind[0]))
}

/// What kind of kustomize configuration the document is (a kustomization, a component, a
/// transformer or generator configuration), if it is one: read by kustomize, never applied
/// to a cluster.
fn kustomize_configuration(api_version: Option<&str>) -> Option<&'static str> {
    let api_version = api_version?;
    if api_version.starts_with("kustomize.config.k8s.io/") {
        Some("a kustomization")
    } else if api_version == "builtin" {
        Some("a kustomize transformer configuration")
    } else {
        None
    }
}

/// What a document or list item is, for [`check_object`].
#[derive(Clone, Copy)]
enum Shape {
    Object,
    List,
    Scalar,
    Empty,
}

impl Shape {
    fn of(value: &Value) -> Self {
        match value {
            Value::Object(_) => Self::Object,
            Value::Array(_) => Self::List,
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Self::Scalar,
            Value::Null => Self::Empty,
        }
    }
}

/// Whether a value of `shape` with the non-empty `apiVersion` and `kind` of `fields` is a
/// Kubernetes object, or why not.
fn check_object(
    shape: Shape,
    fields: &(Option<String>, Option<String>),
    line: u32,
    what: &str,
) -> Result<(), NotAnObject> {
    let fail = |message: String, broken: bool| {
        Err(NotAnObject {
            line,
            message,
            broken,
            refused: false,
        })
    };
    let shape = match shape {
        Shape::Object => None,
        Shape::List => Some("a list"),
        Shape::Scalar => Some("a scalar"),
        Shape::Empty => Some("empty"),
    };
    if let Some(shape) = shape {
        return fail(format!("{what} is {shape}{NOT_AN_OBJECT}"), false);
    }
    match fields {
        (Some(_), Some(_)) => Ok(()),
        (None, None) => fail(format!("{what}{NO_IDENTITY}"), false),
        (None, _) => fail(
            format!("{what} is not a Kubernetes object: it has no apiVersion"),
            true,
        ),
        (_, None) => fail(
            format!("{what} is not a Kubernetes object: it has no kind"),
            true,
        ),
    }
}

impl ManifestObject {
    /// An object as built by kustomize from document `document` of file `source`, whose
    /// lines are `tree`'s where the built object has the same fields (a field a patch
    /// added takes the line of the nearest field above it that was written).
    pub fn built(
        source: usize,
        document: u32,
        value: Value,
        tree: &LineTree,
        via: String,
    ) -> Result<Self, TooLarge> {
        Ok(Self {
            via: Some(via.into()),
            ..Self::new(source, document, None, value, tree)?
        })
    }

    fn new(
        source: usize,
        document: u32,
        item: Option<u32>,
        value: Value,
        tree: &LineTree,
    ) -> Result<Self, TooLarge> {
        let text = |pointer: &str| value.pointer(pointer).and_then(Value::as_str);
        let mut lines = Vec::new();
        tree.flatten(&value, &mut lines);
        Ok(Self {
            source,
            document,
            item,
            texts: Texts::new(
                &value.to_string(),
                ["/apiVersion", "/kind", "/metadata/name"].map(|at| text(at).unwrap_or_default()),
                text("/metadata/namespace"),
                &lines,
            )?,
            waive: WaiveAnnotation::of(&value).map(Box::new),
            via: None,
        })
    }

    /// The object as JSON text, as the plugins receive it (every rule's set borrows it).
    pub fn json(&self) -> &str {
        self.texts.json()
    }

    /// `apiVersion` (empty when absent).
    pub fn api_version(&self) -> &str {
        self.texts.name(0)
    }

    /// `kind` (empty when absent).
    pub fn kind(&self) -> &str {
        self.texts.name(1)
    }

    /// `metadata.name` (empty when absent).
    pub fn name(&self) -> &str {
        self.texts.name(2)
    }

    /// `metadata.namespace` as written; none for a kind that lives outside namespaces
    /// (a `ClusterRole` written with `namespace: system`), as the API server has it.
    pub fn namespace(&self) -> Option<&str> {
        self.texts.namespaced.then(|| self.texts.name(3))
    }

    /// Puts the object in `namespace`, as a kustomization does with its resources.
    pub fn set_namespace(&mut self, namespace: &str) -> Result<(), TooLarge> {
        self.texts = self.texts.with_namespace(namespace)?;
        Ok(())
    }

    /// Line where the object starts.
    pub fn line(&self) -> u32 {
        self.texts.line(0).expect("an object is a node")
    }

    /// Where a finding at `pointer` (RFC 6901) is: the line of the node it names, or of
    /// its nearest existing parent when the object lacks that node (the root at worst),
    /// with that node's own pointer, a prefix of `pointer`. A rule reporting a missing
    /// field is thereby located at the field that should hold it. Walks the JSON text
    /// once, building nothing; `None` only if the text is no JSON, which the host never
    /// writes.
    pub fn locate<'p>(&self, pointer: &'p str) -> Option<(u32, &'p str)> {
        let segments: Vec<Cow<str>> = pointer.split('/').skip(1).map(unescape).collect();
        let mut json = serde_json::Deserializer::from_str(self.texts.json());
        let reach = Find(&segments).deserialize(&mut json).ok()?;
        let end: usize = pointer
            .split('/')
            .skip(1)
            .take(reach.depth)
            .map(|segment| segment.len() + 1)
            .sum();
        Some((self.texts.line(reach.position)?, &pointer[..end]))
    }
}

/// A pointer segment with `~1` and `~0` read back.
fn unescape(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// The deepest node that a pointer's segments lead to from the node read: how many of
/// them it took, and its pre-order position relative to the node read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reach {
    depth: usize,
    position: usize,
}

impl Reach {
    /// The node read itself.
    const HERE: Self = Self {
        depth: 0,
        position: 0,
    };

    /// A reach below a child that is `offset` nodes after its parent, seen from the parent.
    fn below(self, offset: usize) -> Self {
        Self {
            depth: self.depth + 1,
            position: offset + self.position,
        }
    }
}

/// Follows `segments` from the node read as far as the text holds them, skipping the
/// rest of the text.
struct Find<'s>(&'s [Cow<'s, str>]);

impl<'de> DeserializeSeed<'de> for Find<'_> {
    type Value = Reach;

    fn deserialize<D: Deserializer<'de>>(self, node: D) -> Result<Reach, D::Error> {
        if self.0.is_empty() {
            IgnoredAny::deserialize(node)?;
            return Ok(Reach::HERE);
        }
        node.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Find<'_> {
    type Value = Reach;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Reach, E> {
        Ok(Reach::HERE)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Reach, E> {
        Ok(Reach::HERE)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Reach, E> {
        Ok(Reach::HERE)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Reach, E> {
        Ok(Reach::HERE)
    }

    fn visit_str<E>(self, _: &str) -> Result<Reach, E> {
        Ok(Reach::HERE)
    }

    fn visit_unit<E>(self) -> Result<Reach, E> {
        Ok(Reach::HERE)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Reach, A::Error> {
        let (segment, rest) = (&self.0[0], &self.0[1..]);
        let wanted: Option<usize> = segment.parse().ok();
        let (mut offset, mut found, mut index) = (1, None, 0);
        loop {
            let more = if Some(index) == wanted {
                items
                    .next_element_seed(Find(rest))?
                    .map(|at| found = Some(at.below(offset)))
            } else if found.is_some() || wanted.is_none_or(|w| index > w) {
                items.next_element::<IgnoredAny>()?.map(drop)
            } else {
                items.next_element_seed(Count)?.map(|n| offset += n)
            };
            if more.is_none() {
                return Ok(found.unwrap_or(Reach::HERE));
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<Reach, A::Error> {
        let (segment, rest) = (&self.0[0], &self.0[1..]);
        let (mut offset, mut found) = (1, None);
        while let Some(is_wanted) = fields.next_key_seed(KeyIs(segment))? {
            if found.is_some() {
                fields.next_value::<IgnoredAny>()?;
            } else if is_wanted {
                found = Some(fields.next_value_seed(Find(rest))?.below(offset));
            } else {
                offset += fields.next_value_seed(Count)?;
            }
        }
        Ok(found.unwrap_or(Reach::HERE))
    }
}

/// Whether the key read is the given one.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, key: D) -> Result<bool, D::Error> {
        key.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

/// The number of nodes of the value read (itself and all below it).
struct Count;

impl<'de> DeserializeSeed<'de> for Count {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, node: D) -> Result<usize, D::Error> {
        node.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_i64<E>(self, _: i64) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_u64<E>(self, _: u64) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_f64<E>(self, _: f64) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_str<E>(self, _: &str) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_unit<E>(self) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<usize, A::Error> {
        let mut count = 1;
        while let Some(n) = items.next_element_seed(Count)? {
            count += n;
        }
        Ok(count)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<usize, A::Error> {
        let mut count = 1;
        while fields.next_key::<IgnoredAny>()?.is_some() {
            count += fields.next_value_seed(Count)?;
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::yaml;

    fn parse(text: &str) -> Vec<(Vec<ManifestObject>, Vec<NotAnObject>)> {
        let (docs, error) = yaml::parse(text);
        assert_eq!(error, None);
        docs.into_iter().map(|d| objects(0, d)).collect()
    }

    #[test]
    fn a_workload_the_api_server_would_refuse_says_what_it_lacks() {
        let lacks = |text: &str| {
            let parsed = parse(text);
            incomplete_workload(&parsed[0].0[0])
        };
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n";
        let template = "  template:\n    spec:\n      containers:\n";
        let whole = format!(
            "{deployment}  selector: {{matchLabels: {{app: d}}}}\n{template}      - {{name: app, image: app:1}}\n"
        );
        assert_eq!(lacks(&whole), None);
        assert_eq!(
            lacks(&format!(
                "{deployment}{template}      - {{name: app, image: app:1}}\n"
            )),
            Some("a Deployment without spec.selector".into())
        );
        assert_eq!(
            lacks(&whole.replace("image: app:1", "ports: [{containerPort: 80}]")),
            Some("a Deployment without an image for container \"app\"".into())
        );
        assert_eq!(
            lacks(&format!("{deployment}  selector: {{}}\n  replicas: 3\n")),
            Some("a Deployment without a pod template".into())
        );
        // Before apps/v1 the selector was defaulted from the template's labels.
        assert_eq!(
            lacks(&format!(
                "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n{template}      - {{name: app, image: app:1}}\n"
            )),
            None
        );
        assert_eq!(
            lacks(
                "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers: [{name: init}]\n          containers: [{name: job, image: job:1}]\n"
            ),
            Some("a CronJob without an image for container \"init\"".into())
        );
        assert_eq!(
            lacks("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n"),
            Some("a Pod without containers".into())
        );
        // An image change trigger gives a DeploymentConfig's containers their images.
        assert_eq!(
            lacks(
                "apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: app}]\n"
            ),
            None
        );
        // Not a workload: nothing is asked of it here.
        assert_eq!(
            lacks("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"),
            None
        );
    }

    #[test]
    fn a_cluster_scoped_object_has_no_namespace_whatever_it_says() {
        let namespace = |text: &str| {
            let parsed = parse(text);
            parsed[0].0[0].namespace().map(str::to_owned)
        };
        let metadata = "metadata: {name: reader, namespace: system}\n";
        assert_eq!(
            namespace(&format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n{metadata}"
            )),
            None
        );
        assert_eq!(
            namespace(&format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n{metadata}"
            )),
            Some("system".into())
        );
    }

    #[test]
    fn pointers_map_to_lines() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n- apiGroups: ['']\n  verbs: [get]\n- apiGroups: [apps]\n  verbs:\n  - list\n  - '*'\n";
        let object = parse(text).remove(0).0.remove(0);
        assert_eq!(object.locate(""), Some((1, "")));
        assert_eq!(object.locate("/metadata/name"), Some((4, "/metadata/name")));
        assert_eq!(object.locate("/rules/1"), Some((8, "/rules/1")));
        assert_eq!(
            object.locate("/rules/1/verbs/1"),
            Some((11, "/rules/1/verbs/1"))
        );
    }

    #[test]
    fn a_node_the_object_lacks_is_located_at_its_nearest_parent() {
        let text = "apiVersion: v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n  template:\n    metadata: {}\n    spec: null\n  a/b:\n  - 1\n  - c~: 2\n  q\": 1\n";
        let object = parse(text).remove(0).0.remove(0);
        let nearest = |pointer| object.locate(pointer).unwrap();
        assert_eq!(nearest("/spec/template/status"), (6, "/spec/template"));
        assert_eq!(nearest("/spec/a~1b/1/c~0"), (11, "/spec/a~1b/1/c~0"));
        assert_eq!(nearest("/spec/a~1b/7/x"), (9, "/spec/a~1b"));
        assert_eq!(nearest("/spec/a~1b/0/x"), (10, "/spec/a~1b/0"));
        assert_eq!(nearest("/status"), (1, ""));
        assert_eq!(nearest("/spec/template/spec/x"), (8, "/spec/template/spec"));
        assert_eq!(nearest("/spec/a~1b/+1/c~0"), (11, "/spec/a~1b/+1/c~0"));
        assert_eq!(nearest("/spec/q\"/x"), (12, "/spec/q\""));
        assert_eq!(
            nearest("/spec/template/metadata/0"),
            (7, "/spec/template/metadata")
        );
        assert_eq!(nearest("/metadata/name/0"), (4, "/metadata/name"));
    }

    #[test]
    fn identities_read_back_every_name() {
        let cases = [
            ("apps/v1", "Deployment", "web", Some("shop")),
            ("v1", "Namespace", "shop", None),
            ("v1", "Pod", "", None),
            ("v1", "ConfigMap", "", Some("")),
            ("ünïcode/v1", "Kïnd", "nämé", Some("ns")),
        ];
        for (api_version, kind, name, namespace) in cases {
            let text = format!(
                "apiVersion: '{api_version}'\nkind: '{kind}'\nmetadata:\n  name: '{name}'\n{}",
                namespace.map_or(String::new(), |n| format!("  namespace: '{n}'\n"))
            );
            let mut object = parse(&text).remove(0).0.remove(0);
            let read = (
                object.api_version(),
                object.kind(),
                object.name(),
                object.namespace(),
            );
            assert_eq!(read, (api_version, kind, name, namespace), "{text}");
            object.set_namespace("elsewhere").unwrap();
            let read = (
                object.api_version(),
                object.kind(),
                object.name(),
                object.namespace(),
            );
            // A Namespace lives in none, whatever is written.
            let elsewhere = (kind != "Namespace").then_some("elsewhere");
            assert_eq!(read, (api_version, kind, name, elsewhere));
        }
    }

    #[test]
    fn line_tables_read_back_every_line() {
        let tables: [&[u32]; 5] = [
            &[1],
            &[1, 1, 2, 3, 3, 4, 60, 61, 61, 62],
            // Built objects take their lines from several places: lines may go back.
            &[10, 4, 4, 200, 3, 70_000, 1, u32::MAX, 0, u32::MAX],
            &[u32::MAX],
            &[0, 0, 0],
        ];
        let names = ["v1", "Pod", "p"];
        for lines in tables {
            let texts = Texts::new("{}", names, Some("ns"), lines).unwrap();
            let read: Vec<u32> = (0..lines.len()).map_while(|i| texts.line(i)).collect();
            assert_eq!(read, lines);
            assert_eq!(texts.line(lines.len()), None);
            let moved = texts.with_namespace("other").unwrap();
            let read: Vec<u32> = (0..lines.len()).map_while(|i| moved.line(i)).collect();
            assert_eq!(read, lines);
            assert_eq!(
                (moved.json(), moved.name(1), moved.name(3)),
                ("{}", "Pod", "other")
            );
        }
        let in_order: Vec<u32> = (1..=1000).flat_map(|line| [line, line]).collect();
        let texts = Texts::new("{}", names, None, &in_order).unwrap();
        assert_eq!(texts.text.len(), 2 + 6 + in_order.len(), "a byte a node");
    }

    #[test]
    fn lists_are_unwrapped_with_item_lines() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: b\n";
        let objects = parse(text).remove(0).0;
        let found: Vec<_> = objects
            .iter()
            .map(|o| (o.kind(), o.item, o.line(), o.locate("/metadata/name")))
            .map(|(kind, item, line, at)| (kind, item, line, at.map(|(line, _)| line)))
            .collect();
        assert_eq!(
            found,
            [
                ("ConfigMap", Some(0), 4, Some(6)),
                ("Secret", Some(1), 7, Some(10))
            ]
        );
    }

    #[test]
    fn typed_list_items_get_kind_and_version() {
        let text = "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: p}\n";
        let object = parse(text).remove(0).0.remove(0);
        assert_eq!(
            (object.api_version(), object.kind(), object.line()),
            ("v1", "Pod", 4)
        );
    }

    #[test]
    fn documents_that_are_not_objects_are_errors_with_lines() {
        let results = parse(
            "- a\n- b\n---\nfoo: bar\n---\nkind: X\n---\napiVersion: builtin\nkind: LabelTransformer\n",
        );
        let messages: Vec<_> = results
            .into_iter()
            .flat_map(|(objects, errors)| {
                assert!(objects.is_empty());
                errors.into_iter().map(|e| (e.line, e.message, e.broken))
            })
            .collect();
        let expected = [
            (1, "the document is a list, not a Kubernetes object", false),
            (
                4,
                "the document is not a Kubernetes object: it has no apiVersion and no kind",
                false,
            ),
            (
                6,
                "the document is not a Kubernetes object: it has no apiVersion",
                true,
            ),
            (
                8,
                "the document is a kustomize transformer configuration, not a Kubernetes object",
                false,
            ),
        ]
        .map(|(line, message, broken)| (line, message.to_owned(), broken));
        assert_eq!(messages, expected);
    }

    #[test]
    fn delete_directives_declare_nothing() {
        let results =
            parse("$patch: delete\napiVersion: v1\nkind: Service\nmetadata: {name: old}\n");
        assert_eq!(results.len(), 1);
        assert!(results[0].0.is_empty() && results[0].1.is_empty());
    }

    #[test]
    fn built_objects_take_the_lines_of_the_document_they_came_from() {
        let original = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: other\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: []\n";
        let (documents, _) = yaml::parse(original);
        let built = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "prod-web", "namespace": "shop"},
            "spec": {"replicas": 3, "template": {"spec": {"containers": []}}}
        });
        let document = original_of(&built, &documents).expect("matched by kind and name");
        assert_eq!(document.index, 1);
        let object = ManifestObject::built(
            0,
            document.index,
            built,
            &document.lines,
            "overlays/prod".into(),
        )
        .unwrap();
        let line = |pointer| object.locate(pointer).map(|(line, _)| line);
        assert_eq!(line("/spec/template/spec/containers"), Some(13));
        // Fields a patch or transformer added take the line of the nearest written one.
        assert_eq!(line("/metadata/namespace"), Some(8));
        assert_eq!(line("/spec/replicas"), Some(10));
        assert_eq!(object.via.as_deref(), Some("overlays/prod"));
    }

    #[test]
    fn a_bad_list_item_does_not_hide_the_others() {
        let text =
            "apiVersion: v1\nkind: List\nitems:\n- 42\n- apiVersion: v1\n  kind: ConfigMap\n";
        let (objects, errors) = parse(text).remove(0);
        assert_eq!(objects.len(), 1);
        assert_eq!(
            errors,
            [NotAnObject {
                line: 4,
                message: "item 0 of the List is a scalar, not a Kubernetes object".into(),
                broken: true,
                refused: false,
            }]
        );
    }

    /// What the host keeps of an object, for comparing the two ways of reading one.
    fn kept(object: &ManifestObject) -> impl PartialEq + std::fmt::Debug + use<> {
        let o = object;
        let place = (o.source, o.document, o.item);
        let waive_and_via = (o.waive.clone(), o.via.clone());
        (place, waive_and_via, o.texts.clone())
    }

    #[test]
    fn flat_documents_give_the_objects_trees_give() {
        let extra = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {tollgate.dev/waive: ' x ,y', tollgate.dev/waive-approved-by: me}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, annotations: []}\nspec:\n  template:\n    metadata:\n      annotations:\n        tollgate.dev/waive: z\n        tollgate.dev/waive-expires: 2030-01-01\n---\n$patch: delete\nkind: X\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n---\nkind: Y\n---\napiVersion: ''\nkind: Z\n";
        let mut texts = yaml::fixture_texts();
        texts.push(extra.to_owned());
        for text in texts {
            let (trees, _) = yaml::parse(&text);
            let (flats, _) = yaml::parse_flat(&text);
            let mut from_trees = (Vec::new(), Vec::new());
            for (found, problems) in trees.into_iter().map(|d| objects(3, d)) {
                from_trees.0.extend(found.iter().map(kept));
                from_trees.1.extend(problems);
            }
            let mut from_flats = (Vec::new(), Vec::new());
            for (found, problems) in flats.into_iter().map(|d| parsed_objects(3, d)) {
                from_flats.0.extend(found.iter().map(kept));
                from_flats.1.extend(problems);
            }
            assert_eq!(from_flats, from_trees, "{text}");
        }
    }

    #[test]
    fn texts_past_what_a_box_holds_are_refused_not_cut() {
        // The JSON text, the three names and the namespace, then the lines.
        assert_eq!(ends_within(20, [8, 2, 4, 3, 0], 3), Ok([8, 10, 14, 17, 17]));
        let refused = ends_within(20, [8, 2, 4, 3, 2], 2).unwrap_err();
        assert_eq!(
            refused,
            TooLarge {
                bytes: 21,
                limit: 20
            }
        );
        let not_an_object = refused.at(7);
        assert_eq!((not_an_object.line, not_an_object.broken), (7, true));
        assert!(not_an_object.refused);
        assert!(
            not_an_object
                .message
                .contains("21 bytes, over the 20-byte limit")
        );
        // Summed in 64 bits: five parts of 4 GiB each do not wrap around.
        let huge = ends_within(u32::MAX, [u32::MAX as usize; 5], 1).unwrap_err();
        assert_eq!(huge.bytes, 5 * u64::from(u32::MAX) + 1);
    }
}
