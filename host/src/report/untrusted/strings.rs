//! Every string a serializable value holds, visited in place of serializing it: how
//! [`super::clean_report`] finds whether a report holds any text to clean without
//! building its JSON tree.

use std::fmt;

use serde::Serialize;
use serde::ser;

/// Whether `accept` holds for every string of `value` (object keys included), stopping at
/// the first that fails.
pub fn all<T: Serialize + ?Sized>(value: &T, accept: impl FnMut(&str) -> bool) -> bool {
    value.serialize(&mut Strings { accept }).is_ok()
}

/// Walks a value; fails with [`Refused`] at the first string `accept` refuses.
struct Strings<F> {
    accept: F,
}

/// A string was refused (or the value could not be walked): the walk stopped.
#[derive(Debug)]
struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string was refused")
    }
}

impl std::error::Error for Refused {}

impl ser::Error for Refused {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Refused
    }
}

impl<F: FnMut(&str) -> bool> Strings<F> {
    fn text(&mut self, text: &str) -> Result<(), Refused> {
        if (self.accept)(text) {
            Ok(())
        } else {
            Err(Refused)
        }
    }
}

/// Scalars other than strings hold no text.
macro_rules! no_text {
    ($($method:ident($type:ty)),* $(,)?) => {
        $(fn $method(self, _: $type) -> Result<(), Refused> { Ok(()) })*
    };
}

impl<F: FnMut(&str) -> bool> ser::Serializer for &mut Strings<F> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    no_text!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_char(self, c: char) -> Result<(), Refused> {
        self.text(c.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, text: &str) -> Result<(), Refused> {
        self.text(text)
    }

    fn serialize_none(self) -> Result<(), Refused> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Refused> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Refused> {
        self.text(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Refused> {
        Ok(self)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self, Refused> {
        Ok(self)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Refused> {
        Ok(self)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Refused> {
        Ok(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Refused> {
        Ok(self)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Refused> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Refused> {
        Ok(self)
    }
}

/// The parts of sequences, tuples and structs: every element is walked.
macro_rules! elements {
    ($($trait:ident :: $method:ident $(($key:ty))?),* $(,)?) => {$(
        impl<F: FnMut(&str) -> bool> ser::$trait for &mut Strings<F> {
            type Ok = ();
            type Error = Refused;

            fn $method<T: Serialize + ?Sized>(
                &mut self,
                $(_: $key,)?
                value: &T,
            ) -> Result<(), Refused> {
                value.serialize(&mut **self)
            }

            fn end(self) -> Result<(), Refused> {
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
    SerializeStruct::serialize_field(&'static str),
    SerializeStructVariant::serialize_field(&'static str),
);

impl<F: FnMut(&str) -> bool> ser::SerializeMap for &mut Strings<F> {
    type Ok = ();
    type Error = Refused;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Refused> {
        key.serialize(&mut **self)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Refused> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Serialize)]
    enum Word {
        Plain,
        Wrapped(String),
    }

    #[derive(Serialize)]
    struct Sample {
        name: String,
        count: u32,
        note: Option<String>,
        words: Vec<Word>,
        pair: (char, bool),
        by_kind: BTreeMap<String, u32>,
    }

    fn sample() -> Sample {
        Sample {
            name: "web".into(),
            count: 3,
            note: Some("a note".into()),
            words: vec![Word::Plain, Word::Wrapped("inner".into())],
            pair: ('c', true),
            by_kind: BTreeMap::from([("Role".into(), 2)]),
        }
    }

    #[test]
    fn every_string_is_visited_in_order_keys_and_variants_included() {
        let mut seen = Vec::new();
        assert!(all(&sample(), |text| {
            seen.push(text.to_owned());
            true
        }));
        assert_eq!(
            seen,
            ["web", "a note", "Plain", "inner", "c", "Role"].map(String::from)
        );
    }

    #[test]
    fn the_walk_stops_at_the_first_refused_string() {
        let mut seen = Vec::new();
        assert!(!all(&sample(), |text| {
            seen.push(text.to_owned());
            text != "a note"
        }));
        assert_eq!(seen, ["web", "a note"].map(String::from));
    }
}
