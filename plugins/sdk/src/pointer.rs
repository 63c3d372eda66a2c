//! RFC 6901 JSON pointers, the way findings name the offending field of an object.

use std::fmt;

use serde_json::Value;

/// A JSON pointer built segment by segment, escaping `~` and `/` as RFC 6901 requires.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pointer(String);

impl Pointer {
    /// The whole document (`""`).
    pub fn root() -> Self {
        Self::default()
    }

    /// This pointer extended by one object key or array index.
    pub fn at(&self, segment: impl fmt::Display) -> Self {
        let segment = segment.to_string();
        let mut next = String::with_capacity(self.0.len() + segment.len() + 1);
        next.push_str(&self.0);
        next.push('/');
        for c in segment.chars() {
            match c {
                '~' => next.push_str("~0"),
                '/' => next.push_str("~1"),
                c => next.push(c),
            }
        }
        Self(next)
    }

    /// A pointer from its RFC 6901 text (already escaped), e.g. `/spec/podSelector`.
    pub fn parse(text: &str) -> Self {
        debug_assert!(
            text.is_empty() || text.starts_with('/'),
            "not a JSON pointer: {text}"
        );
        Self(text.to_owned())
    }

    /// This pointer followed by `relative` (a pointer from the node this one names).
    pub fn join(&self, relative: &Pointer) -> Self {
        Self(format!("{}{}", self.0, relative.0))
    }

    /// The pointer extended by several segments.
    pub fn path<I, S>(&self, segments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: fmt::Display,
    {
        segments.into_iter().fold(self.clone(), |p, s| p.at(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The longest prefix of this pointer that names a node of `value`: the pointer itself
    /// when the field exists, else its nearest existing parent (the root at worst). A
    /// finding may only point at what the object holds.
    pub fn nearest_in(&self, value: &Value) -> Self {
        let mut node = value;
        let mut end = 0;
        for segment in self.0.split('/').skip(1) {
            let key = segment.replace("~1", "/").replace("~0", "~");
            let child = match node {
                Value::Object(map) => map.get(&key),
                Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            let Some(child) = child else { break };
            node = child;
            end += segment.len() + 1;
        }
        Self(self.0[..end].to_owned())
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Pointer> for String {
    fn from(p: Pointer) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_slash_and_tilde() {
        let p = Pointer::root().at("metadata").at("annotations").at("a~b/c");
        assert_eq!(p.as_str(), "/metadata/annotations/a~0b~1c");
    }

    #[test]
    fn parse_and_join() {
        let spec = Pointer::parse("/spec");
        assert_eq!(
            spec.join(&Pointer::parse("/a~1b/0")).as_str(),
            "/spec/a~1b/0"
        );
        assert_eq!(Pointer::root().join(&spec), spec);
    }

    #[test]
    fn nearest_in_stops_at_the_last_existing_field() {
        let value =
            serde_json::json!({"spec": {"template": {"metadata": {}}, "a/b": [1, {"c~": 2}]}});
        let nearest = |text: &str| Pointer::parse(text).nearest_in(&value).to_string();
        assert_eq!(nearest("/spec/template/spec"), "/spec/template");
        assert_eq!(nearest("/spec/a~1b/1/c~0"), "/spec/a~1b/1/c~0");
        assert_eq!(nearest("/spec/a~1b/7/x"), "/spec/a~1b");
        assert_eq!(nearest("/spec/a~1b/0/x"), "/spec/a~1b/0");
        assert_eq!(nearest("/status"), "");
        assert_eq!(nearest(""), "");
    }

    #[test]
    fn root_is_empty() {
        assert_eq!(Pointer::root().as_str(), "");
        assert_eq!(Pointer::root().path(["rules", "1"]).as_str(), "/rules/1");
    }
}
