//! Typed views of objects: a rule deserializes the kinds it knows into serde structs that
//! hold only the fields it reads, so its logic reads like the Kubernetes API and the
//! compiler checks field names; JSON pointers stay for finding locations.
//!
//! Input is never trusted to be well formed. With these field adapters a field of the
//! wrong shape reads as absent, and an odd entry of a list as an empty one, never as an
//! error: the rule still judges what the rest of the object says, exactly as reading it
//! by pointer did. Put `#[serde(default)]` on every struct, so that missing fields are
//! absent too, and read a whole object with [`crate::Object::read`] (straight from its
//! JSON text) or [`read`] (from a parsed value).
//!
//! Strings are borrowed from the input where they can be. A string written with JSON
//! escapes (`\n`, `\"`) cannot be borrowed from the text: [`text`] and [`texts`] then
//! report [`CANNOT_BORROW`], and [`crate::Object::read`] reads that object from its parsed
//! value instead, so rules keep plain `&str` fields whatever the input. Maps of strings
//! ([`text_map`]: ConfigMap data, annotations) hold escaped text often (multi-line
//! values), so they read into `Cow` and never need that detour.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{
    self, DeserializeOwned, Deserializer, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::Value;

/// The start of the error [`text`] reports for a string it cannot borrow (one written
/// with escapes, read from JSON text).
pub const CANNOT_BORROW: &str = "escaped string cannot be borrowed";

/// An object as the struct `T`, or `T::default()` when it is no JSON object (serde would
/// read a list into a struct field by field). `T` may borrow strings from `value`
/// ([`text`]); with the adapters of this module a value always reads, so an error here
/// is a bug in `T` and stops the plugin rather than reading as absent.
pub fn read<'a, T: Deserialize<'a> + Default>(value: &'a Value) -> T {
    read_object(value).unwrap_or_else(|error| panic!("a JSON value does not read: {error}"))
}

/// What [`read`] does, from any deserializer, errors returned: `T::default()` when the
/// input is no JSON object.
pub fn read_object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    object(deserializer).map(Option::unwrap_or_default)
}

/// A struct field: absent (`None`) when it holds no object. `T`'s fields must all be read
/// with these adapters, so that an object always reads; strings may borrow from the object
/// ([`text`]).
pub fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(ObjectVisitor(PhantomData))
}

/// A list of structs: absent (`None`) when it is no list, and each entry that is no object
/// read as `T::default()`, so that entries keep their index (and pointer).
pub fn objects<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    deserializer.deserialize_any(ListVisitor(PhantomData::<ObjectEntry<T>>))
}

/// A string field borrowed from the object: absent (`None`) when it holds anything else.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<&'de str>, D::Error> {
    deserializer.deserialize_any(TextVisitor)
}

/// A string field whose presence means something: `Some` whatever it holds, inside it
/// the string borrowed from the object (`None` when it holds anything else).
pub fn present_text<'de, D>(deserializer: D) -> Result<Option<Option<&'de str>>, D::Error>
where
    D: Deserializer<'de>,
{
    text(deserializer).map(Some)
}

/// A list of strings whose presence means something: `Some` whatever it holds, inside it
/// the list as [`texts`] reads it.
pub fn present_texts<'de, D>(deserializer: D) -> Result<Option<TextList<'de>>, D::Error>
where
    D: Deserializer<'de>,
{
    texts(deserializer).map(Some)
}

/// What [`texts`] reads: each entry's string (`None` when it is none), `None` when the
/// field is no list.
pub type TextList<'a> = Option<Vec<Option<&'a str>>>;

/// A list of strings borrowed from the object: absent (`None`) when it is no list, and
/// each entry that is no string read as `None`, so that entries keep their index.
pub fn texts<'de, D>(deserializer: D) -> Result<TextList<'de>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(ListVisitor(PhantomData::<TextEntry>))
}

/// What [`text_map`] reads: `(key, value)` in key order, the value `None` when it is no
/// string; `None` when the field is no map.
pub type TextMap<'a> = Option<Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>>;

/// A map of strings (ConfigMap and Secret `data`, labels, annotations), borrowed from
/// the object unless written with escapes: absent (`None`) when it is no map, and each
/// value that is no string read as `None`; keys in byte order, the last of duplicates
/// kept (as a parsed value orders and keeps them).
pub fn text_map<'de, D>(deserializer: D) -> Result<TextMap<'de>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(TextMapVisitor)
}

/// A scalar field (a string, a number, a boolean): absent (`None`) when it holds
/// anything else.
pub fn scalar<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    deserializer.deserialize_any(ScalarVisitor(PhantomData))
}

/// A list of scalars: absent (`None`) when it is no list, and each entry that is no `T`
/// read as `None`, so that entries keep their index (and pointer).
pub fn scalars<'de, D, T>(deserializer: D) -> Result<Option<Vec<Option<T>>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    deserializer.deserialize_any(ListVisitor(PhantomData::<ScalarEntry<T>>))
}

/// A list whose entries the rule only counts or reads as they are: absent (`None`)
/// when it is no list.
pub fn entries<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<Value>>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Array(entries) => Ok(Some(entries)),
        _ => Ok(None),
    }
}

/// A struct field whose mere presence means something: `Some` whatever it holds (`null`
/// included), read as `T::default()` when it is no object.
pub fn present_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    let read = deserializer.deserialize_any(ObjectVisitor(PhantomData))?;
    Ok(Some(read.unwrap_or_default()))
}

/// A struct field whose presence means something, and `null` something else: `None`
/// when absent, `Some(None)` when `null`, else `Some(Some(_))`, read as `T::default()`
/// when it is no object.
pub fn nullable_object<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    deserializer
        .deserialize_option(NullableVisitor(PhantomData))
        .map(Some)
}

/// Whether the field is there, whatever it holds (`null` included): for fields whose
/// mere presence means something, such as a Cilium policy's `ingress`.
pub fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// The field as written, `null` included (which a plain `Option<Value>` reads as
/// absent): for what the SDK parses itself, such as label selectors.
pub fn raw<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// The visits of every JSON shape a visitor does not keep: each reads as nothing
/// (`Default::default()`), lists and maps consumed whole.
macro_rules! nothing_of_other_shapes {
    ($($visit:ident: $shape:ty),*) => {
        $(fn $visit<E: de::Error>(self, _: $shape) -> Result<Self::Value, E> {
            Ok(Default::default())
        })*
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
}

macro_rules! nothing_of_lists {
    () => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut list: A) -> Result<Self::Value, A::Error> {
            while list.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
}

macro_rules! nothing_of_maps {
    () => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
}

/// Reads a map as `T`, anything else as `None`.
struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Some)
    }

    nothing_of_lists!();
    nothing_of_other_shapes!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
}

/// Reads `null` as `None`, anything else as [`present_object`] does.
struct NullableVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for NullableVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<S: Deserializer<'de>>(self, value: S) -> Result<Self::Value, S::Error> {
        present_object(value)
    }
}

/// Reads a borrowed string, anything else as `None`.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<&'de str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Some(text))
    }

    /// A string that cannot be borrowed: written with escapes in JSON text. Its content
    /// stays out of the message (it may be a secret).
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(E::custom(CANNOT_BORROW))
    }

    nothing_of_lists!();
    nothing_of_maps!();
    nothing_of_other_shapes!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64);
}

/// Reads a scalar as `T` (`None` when it is no `T`), lists and maps as `None`; each
/// scalar is handed to `T` as a parsed JSON value would hand it.
struct ScalarVisitor<T>(PhantomData<T>);

/// `T` from one scalar, `None` when it is no `T`.
fn scalar_as<'de, T, S>(scalar: S) -> Option<T>
where
    T: DeserializeOwned,
    S: IntoDeserializer<'de, de::value::Error>,
{
    T::deserialize(scalar.into_deserializer()).ok()
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ScalarVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, scalar: bool) -> Result<Self::Value, E> {
        Ok(scalar_as(scalar))
    }

    fn visit_i64<E: de::Error>(self, scalar: i64) -> Result<Self::Value, E> {
        Ok(scalar_as(scalar))
    }

    fn visit_u64<E: de::Error>(self, scalar: u64) -> Result<Self::Value, E> {
        Ok(scalar_as(scalar))
    }

    fn visit_f64<E: de::Error>(self, scalar: f64) -> Result<Self::Value, E> {
        Ok(scalar_as(scalar))
    }

    fn visit_str<E: de::Error>(self, scalar: &str) -> Result<Self::Value, E> {
        Ok(scalar_as(scalar))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(scalar_as(()))
    }

    nothing_of_lists!();
    nothing_of_maps!();
}

/// An entry read as a scalar, `None` when it is no `T`.
struct ScalarEntry<T>(Option<T>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for ScalarEntry<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ScalarVisitor(PhantomData))
            .map(Self)
    }
}

impl<'de, T: DeserializeOwned> Entry<'de> for ScalarEntry<T> {
    type Read = Option<T>;
    fn read(self) -> Self::Read {
        self.0
    }
}

/// An entry of a list adapter: what it reads, whatever the entry's shape.
trait Entry<'de>: Deserialize<'de> {
    type Read;
    fn read(self) -> Self::Read;
}

/// An entry read as a struct, `T::default()` when it is no object.
struct ObjectEntry<T>(T);

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for ObjectEntry<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let read = deserializer.deserialize_any(ObjectVisitor(PhantomData))?;
        Ok(Self(read.unwrap_or_default()))
    }
}

impl<'de, T: Deserialize<'de> + Default> Entry<'de> for ObjectEntry<T> {
    type Read = T;
    fn read(self) -> T {
        self.0
    }
}

/// An entry read as a borrowed string, `None` when it is none.
struct TextEntry<'de>(Option<&'de str>);

impl<'de> Deserialize<'de> for TextEntry<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor).map(Self)
    }
}

impl<'de> Entry<'de> for TextEntry<'de> {
    type Read = Option<&'de str>;
    fn read(self) -> Self::Read {
        self.0
    }
}

/// Reads a string, borrowed when it can be and copied when written with escapes;
/// anything else as `None`.
struct CowTextVisitor;

impl<'de> Visitor<'de> for CowTextVisitor {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(text.to_owned())))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(text)))
    }

    nothing_of_lists!();
    nothing_of_maps!();
    nothing_of_other_shapes!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64);
}

/// A map key or value read by [`CowTextVisitor`] (keys are always strings).
struct CowText<'de>(Option<Cow<'de, str>>);

impl<'de> Deserialize<'de> for CowText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CowTextVisitor).map(Self)
    }
}

/// Reads a map of strings, anything else as `None`.
struct TextMapVisitor;

impl<'de> Visitor<'de> for TextMapVisitor {
    type Value = TextMap<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((CowText(key), CowText(value))) = map.next_entry()? {
            entries.push((key.unwrap_or_default(), value));
        }
        Ok(Some(in_key_order(entries)))
    }

    nothing_of_lists!();
    nothing_of_other_shapes!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
}

/// Entries sorted by key, of duplicate keys the last one kept: the order and content of
/// a parsed JSON map, which rules read before they read JSON text.
fn in_key_order<K: Ord, V>(entries: Vec<(K, V)>) -> Vec<(K, V)> {
    let mut entries: Vec<_> = entries.into_iter().enumerate().collect();
    entries.sort_by(|(i, (a, _)), (j, (b, _))| a.cmp(b).then(j.cmp(i)));
    entries.dedup_by(|(_, (later, _)), (_, (kept, _))| later == kept);
    entries.into_iter().map(|(_, entry)| entry).collect()
}

/// Reads a list entry by entry, anything else as `None`.
struct ListVisitor<N>(PhantomData<N>);

impl<'de, N: Entry<'de>> Visitor<'de> for ListVisitor<N> {
    type Value = Option<Vec<N::Read>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut list: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = list.next_element::<N>()? {
            entries.push(entry.read());
        }
        Ok(Some(entries))
    }

    nothing_of_maps!();
    nothing_of_other_shapes!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, Manifests, Object};
    use serde_json::json;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Spec {
        #[serde(deserialize_with = "scalar")]
        name: Option<String>,
        #[serde(deserialize_with = "scalars")]
        types: Option<Vec<Option<String>>>,
        #[serde(deserialize_with = "objects")]
        rules: Option<Vec<Rule>>,
        #[serde(deserialize_with = "object")]
        only: Option<Rule>,
        #[serde(deserialize_with = "present")]
        ingress: bool,
        #[serde(deserialize_with = "raw")]
        selector: Option<Value>,
        #[serde(deserialize_with = "entries")]
        ports: Option<Vec<Value>>,
        #[serde(deserialize_with = "present_object")]
        pods: Option<Rule>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Rule {
        #[serde(deserialize_with = "scalar")]
        port: Option<u16>,
    }

    #[test]
    fn well_formed_fields_read_as_written() {
        let spec: Spec = read(
            &json!({"name": "a", "types": ["Ingress"], "rules": [{"port": 53}], "ingress": [],
                    "selector": {"app": "web"}, "only": {"port": 1}, "ports": [1, "x"], "pods": {"port": 2}}),
        );
        assert_eq!(
            spec,
            Spec {
                name: Some("a".into()),
                types: Some(vec![Some("Ingress".into())]),
                rules: Some(vec![Rule { port: Some(53) }]),
                ingress: true,
                selector: Some(json!({"app": "web"})),
                only: Some(Rule { port: Some(1) }),
                ports: Some(vec![json!(1), json!("x")]),
                pods: Some(Rule { port: Some(2) }),
            }
        );
    }

    #[test]
    fn odd_fields_read_as_absent_and_odd_entries_as_empty() {
        let spec: Spec = read(
            &json!({"name": 1, "types": [1, "Egress", ["x"]], "rules": ["x", {"port": "53"}, [80]],
                    "ingress": null, "selector": null, "only": [1], "pods": null}),
        );
        assert_eq!(
            spec,
            Spec {
                name: None,
                types: Some(vec![None, Some("Egress".into()), None]),
                rules: Some(vec![Rule::default(), Rule::default(), Rule::default()]),
                ingress: true,
                selector: Some(Value::Null),
                only: None,
                ports: None,
                pods: Some(Rule::default()),
            }
        );
        let odd: Spec =
            read(&json!({"name": ["a"], "types": "Ingress", "rules": {"port": 53}, "ports": {}}));
        assert_eq!(odd, Spec::default());
        assert_eq!(read::<Spec>(&json!("text")), Spec::default());
        assert_eq!(read::<Spec>(&json!(["a", ["Ingress"]])), Spec::default());
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Binding<'a> {
        #[serde(borrow, deserialize_with = "object")]
        role_ref: Option<Named<'a>>,
        #[serde(borrow, deserialize_with = "objects")]
        subjects: Option<Vec<Named<'a>>>,
        #[serde(borrow, deserialize_with = "texts")]
        verbs: Option<Vec<Option<&'a str>>>,
        #[serde(borrow, deserialize_with = "text_map")]
        data: TextMap<'a>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Named<'a> {
        #[serde(borrow, deserialize_with = "text")]
        name: Option<&'a str>,
    }

    #[test]
    fn strings_are_borrowed_from_the_object_and_odd_ones_are_absent() {
        let value = json!({"roleRef": {"name": "view"}, "subjects": [{"name": "a"}, "b", {"name": 1}, {"name": ["c"]}],
                           "verbs": ["get", 1, null, {"x": "y"}, "list"], "data": {"b": "2", "a": 1, "c": ""}});
        let binding: Binding = read(&value);
        let named = |name| Named { name };
        assert_eq!(
            binding,
            Binding {
                role_ref: Some(named(Some("view"))),
                subjects: Some(vec![
                    named(Some("a")),
                    named(None),
                    named(None),
                    named(None)
                ]),
                verbs: Some(vec![Some("get"), None, None, None, Some("list")]),
                data: text_map_of(&[("a", None), ("b", Some("2")), ("c", Some(""))]),
            }
        );
        let odd =
            json!({"roleRef": "view", "subjects": {"name": "a"}, "verbs": "get", "data": ["a"]});
        assert_eq!(read::<Binding>(&odd), Binding::default());
    }

    /// A [`TextMap`] from string literals.
    fn text_map_of(entries: &[(&'static str, Option<&'static str>)]) -> TextMap<'static> {
        let entries = entries.iter().map(|&(k, v)| (k.into(), v.map(Cow::from)));
        Some(entries.collect())
    }

    /// An object as the host sends it: JSON text.
    fn sent(json: &str) -> Object {
        let document = Document {
            file: "t.yaml".into(),
            index: 0,
            api_version: "v1".into(),
            kind: "RoleBinding".into(),
            name: "b".into(),
            namespace: None,
            object: json.into(),
        };
        Manifests::sent(vec![document]).objects.remove(0)
    }

    /// `T` read from the object's text, after asserting it is what reading the parsed
    /// value gives.
    fn read_sent<'a, T>(object: &'a Object) -> T
    where
        T: Deserialize<'a> + Default + PartialEq + fmt::Debug,
    {
        let from_text = object.read::<T>();
        assert_eq!(from_text, read::<T>(object.value()));
        from_text
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Account<'a> {
        #[serde(borrow, deserialize_with = "present_text")]
        service_account_name: Option<Option<&'a str>>,
    }

    #[test]
    fn text_without_escapes_is_read_without_a_value() {
        let object = sent(
            r#"{"roleRef": {"name": "view"}, "verbs": ["get"], "data": {"b": "x", "a": "y"}, "serviceAccountName": "s"}"#,
        );
        let binding: Binding = object.read();
        assert_eq!(binding.role_ref, Some(Named { name: Some("view") }));
        assert_eq!(
            binding.data,
            text_map_of(&[("a", Some("y")), ("b", Some("x"))])
        );
        let account: Account = object.read();
        assert_eq!(account.service_account_name, Some(Some("s")));
        assert!(!object.is_parsed());
    }

    #[test]
    fn escaped_text_reads_as_from_the_parsed_object() {
        let object = sent(r#"{"roleRef": {"name": "a\"b"}, "verbs": ["ok"]}"#);
        let binding: Binding = read_sent(&object);
        assert_eq!(binding.role_ref, Some(Named { name: Some("a\"b") }));
        assert_eq!(binding.verbs, Some(vec![Some("ok")]));
        assert!(object.is_parsed());
    }

    #[test]
    fn escaped_texts_read_as_from_the_parsed_object() {
        let object = sent(r#"{"verbs": ["g\u0065t", 1, "list\n"]}"#);
        let binding: Binding = read_sent(&object);
        assert_eq!(binding.verbs, Some(vec![Some("get"), None, Some("list\n")]));
    }

    #[test]
    fn escaped_present_text_reads_as_from_the_parsed_object() {
        let object = sent(r#"{"serviceAccountName": "a\/b"}"#);
        let account: Account = read_sent(&object);
        assert_eq!(account.service_account_name, Some(Some("a/b")));
        let odd = sent(r#"{"serviceAccountName": ["a\tb"]}"#);
        assert_eq!(read_sent::<Account>(&odd).service_account_name, Some(None));
    }

    #[test]
    fn escaped_text_map_entries_are_copied_in_key_order_without_a_value() {
        let object =
            sent(r#"{"data": {"z": "1\n2\n", "k\"": "v", "a": {"x": "y"}, "b": "plain"}}"#);
        let binding: Binding = read_sent(&object);
        let expected = [
            ("a", None),
            ("b", Some("plain")),
            ("k\"", Some("v")),
            ("z", Some("1\n2\n")),
        ];
        assert_eq!(binding.data, text_map_of(&expected));
        let fresh = sent(r#"{"data": {"k\"": "1\n"}}"#);
        let copied = fresh.read::<Binding>().data.unwrap();
        assert!(
            copied
                .iter()
                .all(|(k, v)| matches!((k, v), (Cow::Owned(_), Some(Cow::Owned(_)))))
        );
        assert!(!fresh.is_parsed());
    }

    #[test]
    fn of_duplicate_map_keys_the_last_is_kept_as_in_a_parsed_map() {
        let object = sent(r#"{"data": {"b": "1", "a": "2", "b": "3"}}"#);
        let binding: Binding = object.read();
        assert_eq!(
            binding.data,
            text_map_of(&[("a", Some("2")), ("b", Some("3"))])
        );
    }

    #[test]
    fn wrong_shapes_read_as_absent_from_text_even_when_escaped() {
        let odd = sent(
            r#"{"roleRef": ["vi\u0065w"], "subjects": "a\"", "verbs": {"a": "b"}, "data": ["x"]}"#,
        );
        assert_eq!(read_sent::<Binding>(&odd), Binding::default());
        let entries = sent(r#"{"subjects": [{"name": ["c"]}, "b\n", {"name": "d\n"}]}"#);
        let named = |name| Named { name };
        assert_eq!(
            read_sent::<Binding>(&entries).subjects,
            Some(vec![named(None), named(None), named(Some("d\n"))])
        );
    }

    #[test]
    fn scalars_read_from_text_as_from_the_parsed_object() {
        let texts = [
            r#"{"name": "a\tb", "types": ["Ingress", 1, null, true, 2.5, {"a": 1}], "rules": [{"port": 53}, {"port": 70000}, {"port": -1}, {"port": 5.0}, {"port": "53"}, {"port": null}]}"#,
            r#"{"name": 18446744073709551615, "types": [-9223372036854775808, 1e300], "only": {"port": true}}"#,
            r#"{"name": null, "types": {"a": "b"}, "rules": "x", "only": {"port": [53]}}"#,
            r#"{"name": true, "types": "Ingress", "pods": {"port": 1.5e2}}"#,
        ];
        let read: Vec<Spec> = texts.iter().map(|text| read_sent(&sent(text))).collect();
        assert_eq!(read[0].name.as_deref(), Some("a\tb"));
        assert_eq!(
            read[0].rules,
            Some(vec![
                Rule { port: Some(53) },
                Rule::default(),
                Rule::default(),
                Rule::default(),
                Rule::default(),
                Rule::default()
            ])
        );
        assert_eq!(
            read[0].types,
            Some(vec![Some("Ingress".into()), None, None, None, None, None])
        );
        assert_eq!(read[1].name, None);
        assert_eq!(read[3].pods, Some(Rule::default()));
    }

    #[test]
    #[should_panic(expected = "t.yaml: document 0 is not a JSON object")]
    fn text_that_is_no_object_stops_the_plugin() {
        sent(r#"["roleRef"]"#).read::<Binding>();
    }

    #[test]
    #[should_panic(expected = "t.yaml: document 0 does not read: duplicate field `verbs`")]
    fn errors_of_the_text_are_never_read_as_absent() {
        sent(r#"{"verbs": ["get"], "verbs": ["list"]}"#).read::<Binding>();
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Route {
        #[serde(deserialize_with = "nullable_object")]
        tls: Option<Option<Rule>>,
    }

    #[test]
    fn nullable_objects_tell_absent_null_and_present_apart() {
        let tls = |value: Value| read::<Route>(&value).tls;
        assert_eq!(tls(json!({})), None);
        assert_eq!(tls(json!({"tls": null})), Some(None));
        assert_eq!(tls(json!({"tls": "x"})), Some(Some(Rule::default())));
        assert_eq!(
            tls(json!({"tls": {"port": 1}})),
            Some(Some(Rule { port: Some(1) }))
        );
    }
}
