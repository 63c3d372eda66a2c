//! What a rule that judges the whole set keeps of an object while the rest arrives: the
//! nodes it reads, cut out of the object's JSON text ([`Object::keeping`]).

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::recent::Recent;
use crate::{Object, Pointer};

impl Object {
    /// The object holding only the nodes `nodes` point at (each whole) and the fields on
    /// the way down to them: to a rule reading it, every other field is absent. Where a
    /// node is missing, the way down is kept as far as it exists (an object on it is kept
    /// empty, anything else whole), so a rule also sees which parent exists, and a
    /// typed view of the kept nodes ([`Object::read`]), [`Object::contains`] and
    /// [`Object::nearest`] on them read as on the whole object. Text that is no JSON object
    /// is kept as sent, for the rule that reads it to stop on; so is the object when a
    /// node is the root. An object without a name keeps its `metadata.generateName`, by
    /// which [`Object::display_name`] names it.
    pub fn keeping(mut self, nodes: &[Pointer]) -> Self {
        if nodes.contains(&Pointer::root()) {
            return self;
        }
        let mut nodes = Cow::Borrowed(nodes);
        if self.name.is_empty() {
            let generated = Pointer::root().at("metadata").at("generateName");
            nodes.to_mut().push(generated);
        }
        let nodes = &*nodes;
        let kept = TREES.with_borrow_mut(|trees| {
            let tree = trees.of(nodes);
            let mut kept = Vec::with_capacity(128);
            let mut text = serde_json::Deserializer::from_str(&self.json);
            let cut = text.deserialize_map(Cut {
                tree,
                out: &mut kept,
            });
            cut.and_then(|()| text.end()).map(|()| kept)
        });
        if let Ok(mut kept) = kept {
            kept.shrink_to_fit();
            self.json = String::from_utf8(kept).expect("cut from JSON text, written as JSON");
            self.value.take();
        }
        self
    }
}

thread_local! {
    /// The trees of the node lists kept lately: a rule keeps the same few lists (one per
    /// place a kind holds its fields) of thousands of objects.
    static TREES: RefCell<Trees> = RefCell::default();
}

/// The trees of a few node lists, the list most recently used first.
#[derive(Default)]
struct Trees(Recent<Vec<Pointer>, Tree, 8>);

impl Trees {
    /// The tree of `nodes`, built on first use.
    fn of(&mut self, nodes: &[Pointer]) -> &Tree {
        let build = || {
            let mut tree = Tree::default();
            for node in nodes {
                tree.add(&node.segments());
            }
            (nodes.to_vec(), tree)
        };
        self.0.get_or_make(|list| list == nodes, build)
    }
}

/// The keys to keep at one level of an object, and below each what to keep of it.
#[derive(Debug, Default)]
struct Tree(Vec<(String, Node)>);

#[derive(Debug)]
enum Node {
    /// The whole node.
    Whole,
    /// The fields of the tree, when the node is an object; else the whole node.
    Within(Tree),
}

impl Tree {
    /// Keeps the node at `segments` below this level (a node kept whole keeps all below).
    fn add(&mut self, segments: &[Cow<str>]) {
        let Some((key, below)) = segments.split_first() else {
            return;
        };
        let at = match self.0.iter().position(|(k, _)| *k == **key) {
            Some(at) => at,
            None => {
                self.0
                    .push((key.to_string(), Node::Within(Tree::default())));
                self.0.len() - 1
            }
        };
        let node = &mut self.0[at].1;
        match node {
            Node::Whole => {}
            Node::Within(_) if below.is_empty() => *node = Node::Whole,
            Node::Within(tree) => tree.add(below),
        }
    }

    fn get(&self, key: &str) -> Option<(&str, &Node)> {
        let found = self.0.iter().find(|(k, _)| k == key);
        found.map(|(k, node)| (k.as_str(), node))
    }
}

/// Copies the kept fields of a JSON object, in one pass over its text: kept nodes as
/// written, keys and the scalars on the way down to a missing node written anew (the
/// same values).
struct Cut<'t, 'o> {
    tree: &'t Tree,
    out: &'o mut Vec<u8>,
}

impl<'de> Visitor<'de> for Cut<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push(b'{');
        let mut first = true;
        while let Some(kept) = map.next_key_seed(KeyIn(self.tree))? {
            let Some((key, node)) = kept else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if !first {
                self.out.push(b',');
            }
            first = false;
            write(self.out, key)?;
            self.out.push(b':');
            match node {
                Node::Whole => {
                    let value: &RawValue = map.next_value()?;
                    self.out.extend_from_slice(value.get().as_bytes());
                }
                Node::Within(tree) => map.next_value_seed(Below {
                    tree,
                    out: &mut *self.out,
                })?,
            }
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// A node on the way down to kept ones: its kept fields when it is an object, else the
/// whole node.
struct Below<'t, 'o> {
    tree: &'t Tree,
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for Below<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Below<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let (tree, out) = (self.tree, self.out);
        Cut { tree, out }.visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut list: A) -> Result<(), A::Error> {
        self.out.push(b'[');
        let mut first = true;
        while let Some(item) = list.next_element::<&RawValue>()? {
            if !first {
                self.out.push(b',');
            }
            first = false;
            self.out.extend_from_slice(item.get().as_bytes());
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        write(self.out, text)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        write(self.out, &value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        write(self.out, &value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        write(self.out, &value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<(), E> {
        write(self.out, &value)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        write(self.out, &())
    }
}

/// Appends `value` as JSON.
fn write<T: Serialize + ?Sized, E: de::Error>(out: &mut Vec<u8>, value: &T) -> Result<(), E> {
    serde_json::to_writer(out, value).map_err(E::custom)
}

/// Reads a map key: the entry of the tree that keeps it, if any.
struct KeyIn<'t>(&'t Tree);

impl<'de, 't> DeserializeSeed<'de> for KeyIn<'t> {
    type Value = Option<(&'t str, &'t Node)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 't> Visitor<'de> for KeyIn<'t> {
    type Value = Option<(&'t str, &'t Node)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.get(key))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::bindings::Guest;
    use crate::{
        Adapter, Check, CheckError, Document, ManifestSet, Manifests, NoSettings, Rule, RuleInfo,
        RuleSpec, Severity, Verdict,
    };

    fn kept(object: serde_json::Value, nodes: &[&str]) -> serde_json::Value {
        let nodes: Vec<Pointer> = nodes.iter().map(|n| Pointer::parse(n)).collect();
        let object = Object::new(0, "t.yaml".into(), object).unwrap();
        let kept = object.keeping(&nodes);
        let whole = nodes.contains(&Pointer::root());
        assert!(
            whole || !kept.is_parsed(),
            "the whole object's value is dropped"
        );
        serde_json::from_str(&kept.json).unwrap()
    }

    #[test]
    fn only_the_nodes_and_the_way_down_to_them_are_kept() {
        let deployment = json!({
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 2, "template": {
                "metadata": {"labels": {"app": "web"}, "annotations": {"a": "b"}},
                "spec": {"serviceAccountName": "web", "containers": [{"name": "c"}]}
            }}
        });
        let nodes = [
            "/spec/template/spec/serviceAccountName",
            "/spec/template/spec/automountServiceAccountToken",
            "/spec/template/metadata/labels",
        ];
        assert_eq!(
            kept(deployment, &nodes),
            json!({"spec": {"template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"serviceAccountName": "web"}
            }}})
        );
    }

    #[test]
    fn an_object_without_a_name_keeps_the_prefix_it_is_named_by() {
        let job = json!({"kind": "Job", "metadata": {"generateName": "migrate-", "labels": {"a": "b"}},
            "spec": {"template": {"spec": {"serviceAccountName": "ci"}}}});
        let nodes = ["/spec/template/spec/serviceAccountName"];
        assert_eq!(
            kept(job, &nodes),
            json!({"metadata": {"generateName": "migrate-"},
                "spec": {"template": {"spec": {"serviceAccountName": "ci"}}}})
        );
    }

    #[test]
    fn a_missing_node_keeps_its_existing_parents_and_others_whole() {
        let nodes = ["/spec/template/spec/hostNetwork"];
        assert_eq!(
            kept(json!({"spec": {"replicas": 1}}), &nodes),
            json!({"spec": {}})
        );
        assert_eq!(
            kept(json!({"spec": {"template": "x"}}), &nodes),
            json!({"spec": {"template": "x"}})
        );
        assert_eq!(
            kept(json!({"spec": {"template": [1, {"a": 2}]}}), &nodes),
            json!({"spec": {"template": [1, {"a": 2}]}})
        );
        assert_eq!(kept(json!({"kind": "Pod"}), &nodes), json!({}));
    }

    #[test]
    fn a_node_kept_whole_keeps_all_below_whatever_the_order() {
        let object = json!({"a": {"b": {"c": 1, "d": 2}, "e": 3}});
        let whole = json!({"a": {"b": {"c": 1, "d": 2}}});
        assert_eq!(kept(object.clone(), &["/a/b", "/a/b/c"]), whole);
        assert_eq!(kept(object.clone(), &["/a/b/c", "/a/b"]), whole);
        assert_eq!(kept(object.clone(), &[""]), object);
        assert_eq!(kept(object, &[]), json!({}));
    }

    #[test]
    fn escaped_keys_and_values_are_kept_as_written() {
        let object = json!({"a/b": {"x\"y": "line\nnext", "z": 1}, "c": 2});
        assert_eq!(
            kept(object, &["/a~1b/x\"y"]),
            json!({"a/b": {"x\"y": "line\nnext"}})
        );
    }

    #[test]
    fn reads_of_kept_nodes_are_those_of_the_whole_object() {
        let pod = json!({"spec": {"hostNetwork": true, "containers": []}});
        let whole = Object::new(0, "t.yaml".into(), pod).unwrap();
        let nodes = [
            Pointer::parse("/spec/hostNetwork"),
            Pointer::parse("/metadata/labels"),
        ];
        let labels = Pointer::parse("/metadata/labels");
        let before = (
            whole.nearest(&labels),
            whole.value()["spec"]["hostNetwork"].clone(),
        );
        let kept = whole.keeping(&nodes);
        assert_eq!(
            (
                kept.nearest(&labels),
                kept.value()["spec"]["hostNetwork"].clone()
            ),
            before
        );
    }

    const SPECS: Check = Check::test_plugin("specs", "Specs", Severity::Low, "None.");

    /// Keeps each object's `spec`, and only the objects that have one; reports what it
    /// holds of each.
    struct KeepsSpecs;

    impl Rule for KeepsSpecs {
        type Settings = NoSettings;

        fn info() -> RuleInfo {
            RuleSpec::test_plugin("keeps", "Keeps", "Specs.", &[SPECS]).info()
        }

        fn keep(object: Object) -> Option<Object> {
            let spec = Pointer::root().at("spec");
            let kept = object.keeping(std::slice::from_ref(&spec));
            kept.contains(&spec).then_some(kept)
        }

        fn check_manifests(set: &Manifests, _: &NoSettings) -> Result<Verdict, CheckError> {
            let held = set
                .objects
                .iter()
                .map(|o| SPECS.at(o, Pointer::root(), o.json.clone()));
            Ok(Verdict::of(held.collect()))
        }
    }

    fn document(object: &str) -> Document {
        Document {
            file: "t.yaml".into(),
            index: 0,
            api_version: "v1".into(),
            kind: "Pod".into(),
            name: "p".into(),
            namespace: None,
            object: object.into(),
        }
    }

    #[test]
    fn a_gathering_rule_holds_what_it_keeps_as_batches_arrive_and_in_tests() {
        let set = ManifestSet {
            default_namespace: "apps".into(),
            documents: 3,
        };
        type Plugin = Adapter<KeepsSpecs>;
        Plugin::begin_manifests(set, "{}".into()).unwrap();
        let first = r#"{"kind":"Pod","spec":{"a":1},"status":{}}"#;
        Plugin::add_documents(vec![document(first), document(r#"{"kind":"Pod"}"#)]).unwrap();
        Plugin::add_documents(vec![document(r#"{"spec":2}"#)]).unwrap();
        let verdict = Plugin::check_manifests().unwrap();
        let held: Vec<(u32, &str)> = verdict
            .findings
            .iter()
            .map(|f| match &f.location {
                crate::Location::Object(at) => (at.document, f.message.as_str()),
                crate::Location::File(_) => panic!("an object finding"),
            })
            .collect();
        // Positions count every document sent, kept or not.
        assert_eq!(held, [(0, r#"{"spec":{"a":1}}"#), (2, r#"{"spec":2}"#)]);

        let values = vec![
            json!({"kind": "Pod"}),
            json!({"kind": "Pod", "spec": {"a": 1}}),
        ];
        let tested = Manifests::from_values("apps", values)
            .unwrap()
            .kept::<KeepsSpecs>();
        assert_eq!(tested.objects.len(), 1);
        assert!(tested.object(0).is_none());
        assert_eq!(tested.object(1).unwrap().json, r#"{"spec":{"a":1}}"#);
    }

    #[test]
    fn broken_text_is_kept_as_sent() {
        let set = Manifests::sent(vec![document("[1")]);
        let object = set.objects.into_iter().next().unwrap();
        let kept = object.keeping(&[Pointer::parse("/spec")]);
        assert_eq!(kept.json, "[1");
    }
}
