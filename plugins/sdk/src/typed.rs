//! Typed views of objects: a rule deserializes the kinds it knows into serde structs that
//! hold only the fields it reads, so its logic reads like the Kubernetes API and the
//! compiler checks field names; JSON pointers stay for finding locations.
//!
//! Input is never trusted to be well formed. With these field adapters a field of the
//! wrong shape reads as absent, and an odd entry of a list as an empty one, never as an
//! error: the rule still judges what the rest of the object says, exactly as reading it
//! by pointer did. Put `#[serde(default)]` on every struct, so that missing fields are
//! absent too, and read a whole object with [`read`].

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, IgnoredAny};
use serde_json::Value;

/// An object as the struct `T`, or `T::default()` when it is no JSON object (serde would
/// read a list into a struct field by field) or not of that shape.
pub fn read<T: DeserializeOwned + Default>(value: &Value) -> T {
    if !value.is_object() {
        return T::default();
    }
    T::deserialize(value).unwrap_or_default()
}

/// A struct field: absent (`None`) when it holds no object of that shape.
pub fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    if !value.is_object() {
        return Ok(None);
    }
    Ok(T::deserialize(value).ok())
}

/// A list of structs: absent (`None`) when it is no list, and each entry that is no
/// such object read as `T::default()`, so that entries keep their index (and pointer).
pub fn objects<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let Value::Array(entries) = Value::deserialize(deserializer)? else {
        return Ok(None);
    };
    Ok(Some(entries.iter().map(read).collect()))
}

/// A scalar field (a string, a number, a boolean): absent (`None`) when it holds
/// anything else.
pub fn scalar<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    if value.is_object() || value.is_array() {
        return Ok(None);
    }
    Ok(T::deserialize(value).ok())
}

/// A list of scalars: absent (`None`) when it is no list, and each entry that is no `T`
/// read as `None`, so that entries keep their index (and pointer).
pub fn scalars<'de, D, T>(deserializer: D) -> Result<Option<Vec<Option<T>>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let Value::Array(entries) = Value::deserialize(deserializer)? else {
        return Ok(None);
    };
    let read = |entry: &Value| match entry {
        Value::Array(_) | Value::Object(_) => None,
        scalar => T::deserialize(scalar).ok(),
    };
    Ok(Some(entries.iter().map(read).collect()))
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
/// included), read as `T::default()` when it is no such object.
pub fn present_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Value::deserialize(deserializer).map(|value| Some(read(&value)))
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
