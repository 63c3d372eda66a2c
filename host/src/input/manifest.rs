//! Kubernetes objects as the host keeps them: identity, JSON text for the plugins, and the
//! line of every node so that a finding's JSON pointer becomes a file line.

use serde_json::Value;

use super::yaml::{Document, LineTree};

/// One Kubernetes object of the input.
#[derive(Debug)]
pub struct ManifestObject {
    /// Index of the source file in [`super::Inputs::files`].
    pub source: usize,
    /// Position of its YAML document in the file.
    pub document: u32,
    /// Position in the `items` of a `List` document.
    pub item: Option<u32>,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace` as written.
    pub namespace: Option<String>,
    /// The object as JSON text, as the plugins receive it (every rule's set borrows it).
    pub json: String,
    /// The `tollgate.dev/waive` annotation, on the object or on its pod template.
    pub waive: Option<WaiveAnnotation>,
    /// The kustomization whose build produced it (its directory), when it was built
    /// rather than read as written.
    pub via: Option<String>,
    /// Line of each node, in pre-order of `json` (see [`LineTree::flatten`]).
    lines: Vec<u32>,
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
        .find_map(|annotations| {
            let text = |key: &str| annotations.get(key).and_then(Value::as_str);
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
        })
    }
}

/// Why a document is not a Kubernetes object.
#[derive(Debug, PartialEq, Eq)]
pub struct NotAnObject {
    pub line: u32,
    pub message: String,
    /// It meant to be one (it names an apiVersion or a kind, or is an item of a `List`)
    /// and is broken; otherwise it is other YAML (chart values, a patch, a dashboard).
    pub broken: bool,
}

/// The kustomize field that turns a document into an instruction to remove an object.
const KUSTOMIZE_PATCH_FIELD: &str = "$patch";

/// The objects of one YAML document (the document itself, or the items of a `List`), and
/// what in it is not a Kubernetes object. One bad list item does not hide the others.
pub fn objects(source: usize, document: Document) -> (Vec<ManifestObject>, Vec<NotAnObject>) {
    let Document {
        index,
        line,
        value,
        lines,
    } = document;
    if is_delete_directive(&value) {
        return (Vec::new(), Vec::new());
    }
    let kind = match check_object(&value, line, "the document") {
        Ok(kind) => kind,
        Err(e) => return (Vec::new(), vec![e]),
    };
    if let Some(reason) = kustomize_configuration(&value) {
        let message = format!("the document is {reason}, not a Kubernetes object");
        return (
            Vec::new(),
            vec![NotAnObject {
                line,
                message,
                broken: false,
            }],
        );
    }
    let Some(element_kind) = list_element_kind(&kind, &value) else {
        let object = ManifestObject::new(source, index, None, value, &lines);
        return (vec![object], Vec::new());
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
        match check_object(&item, item_lines.line, &format!("item {i} of the {kind}")) {
            Ok(_) => found.push(ManifestObject::new(
                source,
                index,
                Some(i as u32),
                item,
                item_lines,
            )),
            Err(e) => errors.push(NotAnObject { broken: true, ..e }),
        }
    }
    (found, errors)
}

/// `Some(element kind)` when the document is a list to unwrap: `kind: List` (element kinds
/// given per item, `None`) or a typed `FooList` with an `items` array (`Some("Foo")`).
fn list_element_kind<'a>(kind: &'a str, value: &Value) -> Option<Option<&'a str>> {
    if !value.get("items").is_some_and(Value::is_array) {
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

/// A kustomize `$patch: delete` document: it removes an object, it declares none.
fn is_delete_directive(value: &Value) -> bool {
    value.get(KUSTOMIZE_PATCH_FIELD).and_then(Value::as_str) == Some("delete")
}

/// What kind of kustomize configuration the document is (a kustomization, a component, a
/// transformer or generator configuration), if it is one: read by kustomize, never applied
/// to a cluster.
fn kustomize_configuration(value: &Value) -> Option<&'static str> {
    let api_version = value.get("apiVersion").and_then(Value::as_str)?;
    if api_version.starts_with("kustomize.config.k8s.io/") {
        Some("a kustomization")
    } else if api_version == "builtin" {
        Some("a kustomize transformer configuration")
    } else {
        None
    }
}

/// The object's kind, or why it is not a Kubernetes object.
fn check_object(value: &Value, line: u32, what: &str) -> Result<String, NotAnObject> {
    let fail = |message: String, broken: bool| {
        Err(NotAnObject {
            line,
            message,
            broken,
        })
    };
    let Value::Object(fields) = value else {
        let shape = match value {
            Value::Array(_) => "a list",
            Value::String(_) | Value::Number(_) | Value::Bool(_) => "a scalar",
            _ => "empty",
        };
        return fail(format!("{what} is {shape}, not a Kubernetes object"), false);
    };
    let text = |key: &str| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    match (text("apiVersion"), text("kind")) {
        (Some(_), Some(kind)) => Ok(kind.to_owned()),
        (None, None) => fail(
            format!("{what} is not a Kubernetes object: it has no apiVersion and no kind"),
            false,
        ),
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
    pub fn built(source: usize, document: u32, value: Value, tree: &LineTree, via: String) -> Self {
        Self {
            via: Some(via),
            ..Self::new(source, document, None, value, tree)
        }
    }

    fn new(source: usize, document: u32, item: Option<u32>, value: Value, tree: &LineTree) -> Self {
        let text = |pointer: &str| {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let mut lines = Vec::new();
        tree.flatten(&value, &mut lines);
        Self {
            source,
            document,
            item,
            api_version: text("/apiVersion").unwrap_or_default(),
            kind: text("/kind").unwrap_or_default(),
            name: text("/metadata/name").unwrap_or_default(),
            namespace: text("/metadata/namespace"),
            waive: WaiveAnnotation::of(&value),
            via: None,
            json: value.to_string(),
            lines,
        }
    }

    /// Line where the object starts.
    pub fn line(&self) -> u32 {
        self.lines[0]
    }

    /// The line of the node at `pointer` (RFC 6901) in this object, or `None` when it
    /// names no node.
    pub fn locate(&self, pointer: &str) -> Option<u32> {
        let value: Value = serde_json::from_str(&self.json).ok()?;
        let mut node = &value;
        let mut position = 0usize;
        for segment in pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            let (offset, child) = match node {
                Value::Object(map) => {
                    let mut offset = 1;
                    let mut found = None;
                    for (key, child) in map {
                        if *key == segment {
                            found = Some(child);
                            break;
                        }
                        offset += node_count(child);
                    }
                    (offset, found?)
                }
                Value::Array(items) => {
                    let index: usize = segment.parse().ok()?;
                    let child = items.get(index)?;
                    (
                        1 + items[..index].iter().map(node_count).sum::<usize>(),
                        child,
                    )
                }
                _ => return None,
            };
            position += offset;
            node = child;
        }
        self.lines.get(position).copied()
    }
}

fn node_count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(node_count).sum(),
        Value::Object(map) => map.values().map(node_count).sum(),
        _ => 0,
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
    fn pointers_map_to_lines() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n- apiGroups: ['']\n  verbs: [get]\n- apiGroups: [apps]\n  verbs:\n  - list\n  - '*'\n";
        let object = parse(text).remove(0).0.remove(0);
        assert_eq!(object.locate(""), Some(1));
        assert_eq!(object.locate("/metadata/name"), Some(4));
        assert_eq!(object.locate("/rules/1"), Some(8));
        assert_eq!(object.locate("/rules/1/verbs/1"), Some(11));
        assert_eq!(object.locate("/rules/2"), None);
        assert_eq!(object.locate("/nope"), None);
    }

    #[test]
    fn lists_are_unwrapped_with_item_lines() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: b\n";
        let objects = parse(text).remove(0).0;
        let found: Vec<_> = objects
            .iter()
            .map(|o| {
                (
                    o.kind.as_str(),
                    o.item,
                    o.line(),
                    o.locate("/metadata/name"),
                )
            })
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
            (
                object.api_version.as_str(),
                object.kind.as_str(),
                object.line()
            ),
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
        );
        assert_eq!(object.locate("/spec/template/spec/containers"), Some(13));
        // Fields a patch or transformer added take the line of the nearest written one.
        assert_eq!(object.locate("/metadata/namespace"), Some(8));
        assert_eq!(object.locate("/spec/replicas"), Some(10));
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
            }]
        );
    }
}
