//! RFC 6901 JSON pointers, the way findings name the offending field of an object.

use std::borrow::Cow;
use std::fmt::{self, Write};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

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
        let mut next = String::with_capacity(self.0.len() + 24);
        next.push_str(&self.0);
        next.push('/');
        write!(Escaping(&mut next), "{segment}").expect("writing to a String cannot fail");
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

    /// The keys and indices it names, unescaped; none for the root.
    pub(crate) fn segments(&self) -> Vec<Cow<'_, str>> {
        self.0.split('/').skip(1).map(unescaped).collect()
    }

    /// The longest prefix of this pointer that names a node of the JSON text `json`: the
    /// pointer itself when the field exists, else its nearest existing parent (the root at
    /// worst), as the host locates a finding. The text is walked, not parsed into a value;
    /// text that is no JSON names nothing but the root.
    pub fn nearest_in_text(&self, json: &str) -> Self {
        if self.0.is_empty() {
            return Self::root();
        }
        let segments = self.segments();
        let mut text = serde_json::Deserializer::from_str(json);
        let depth = Depth(&segments).deserialize(&mut text).unwrap_or(0);
        let end: usize = self
            .0
            .split('/')
            .skip(1)
            .take(depth)
            .map(|s| s.len() + 1)
            .sum();
        Self(self.0[..end].to_owned())
    }
}

/// A segment as the key it names: `~1` read as `/`, `~0` as `~` (copied only then).
fn unescaped(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// Writes a segment into a pointer, escaping `~` and `/` as RFC 6901 requires.
struct Escaping<'p>(&'p mut String);

impl Write for Escaping<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for c in text.chars() {
            match c {
                '~' => self.0.push_str("~0"),
                '/' => self.0.push_str("~1"),
                c => self.0.push(c),
            }
        }
        Ok(())
    }
}

/// How many of the (unescaped) segments name nodes, walking down from the node read.
/// Of duplicate keys the last counts, as in a parsed map.
struct Depth<'s>(&'s [Cow<'s, str>]);

impl<'de> DeserializeSeed<'de> for Depth<'_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        if self.0.is_empty() {
            return IgnoredAny::deserialize(deserializer).map(|_| 0);
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Depth<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let (wanted, below) = (&self.0[0], &self.0[1..]);
        let mut depth = 0;
        while let Some(found) = map.next_key_seed(KeyIs(wanted))? {
            if found {
                depth = 1 + map.next_value_seed(Depth(below))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(depth)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut list: A) -> Result<usize, A::Error> {
        let wanted = self.0[0].parse::<usize>().ok();
        let mut depth = 0;
        for index in 0.. {
            let read = if Some(index) == wanted {
                list.next_element_seed(Depth(&self.0[1..]))?
                    .map(|d| depth = 1 + d)
            } else {
                list.next_element::<IgnoredAny>()?.map(drop)
            };
            if read.is_none() {
                break;
            }
        }
        Ok(depth)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_unit<E: de::Error>(self) -> Result<usize, E> {
        Ok(0)
    }
}

/// Reads a map key: whether it is the one wanted.
struct KeyIs<'s>(&'s str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
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
        let q = Pointer::root()
            .at(12)
            .at("~/é")
            .at(format_args!("{}/{}", 1, 2));
        assert_eq!(q.as_str(), "/12/~0~1é/1~12");
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
    fn nearest_in_text_stops_at_the_last_existing_field() {
        let json = r#"{"spec": {"template": {"metadata": {}, "spec": null}, "a/b": [1, {"c~": 2}], "q\"": 1}}"#;
        let nearest = |text: &str| Pointer::parse(text).nearest_in_text(json).to_string();
        assert_eq!(nearest("/spec/template/status"), "/spec/template");
        assert_eq!(nearest("/spec/a~1b/1/c~0"), "/spec/a~1b/1/c~0");
        assert_eq!(nearest("/spec/a~1b/7/x"), "/spec/a~1b");
        assert_eq!(nearest("/spec/a~1b/0/x"), "/spec/a~1b/0");
        assert_eq!(nearest("/status"), "");
        assert_eq!(nearest(""), "");
        assert_eq!(nearest("/spec/template/spec/x"), "/spec/template/spec");
        assert_eq!(nearest("/spec/a~1b/+1/c~0"), "/spec/a~1b/+1/c~0");
        assert_eq!(nearest("/spec/q\"/x"), "/spec/q\"");
        assert_eq!(
            nearest("/spec/template/metadata/0"),
            "/spec/template/metadata"
        );
    }

    #[test]
    fn of_duplicate_keys_the_last_counts_as_in_a_parsed_map() {
        let json = r#"{"a": {"b": 1}, "a": {"c": 1}}"#;
        let nearest = |text: &str| Pointer::parse(text).nearest_in_text(json).to_string();
        assert_eq!(nearest("/a/b"), "/a");
        assert_eq!(nearest("/a/c"), "/a/c");
    }

    #[test]
    fn root_is_empty() {
        assert_eq!(Pointer::root().as_str(), "");
        assert_eq!(Pointer::root().path(["rules", "1"]).as_str(), "/rules/1");
    }
}
