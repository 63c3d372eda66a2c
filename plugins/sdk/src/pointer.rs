//! RFC 6901 JSON pointers, the way findings name the offending field of an object.

use std::fmt;

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
    fn root_is_empty() {
        assert_eq!(Pointer::root().as_str(), "");
        assert_eq!(Pointer::root().path(["rules", "1"]).as_str(), "/rules/1");
    }
}
