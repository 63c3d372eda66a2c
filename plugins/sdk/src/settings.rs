//! Rule settings: the `settings` block the config file gives a rule, as JSON text, read
//! into the rule's own type with serde. Errors point at the offending key, so the host can
//! name its line in the config file.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};

use crate::{Pointer, SettingsError};

/// The settings of a rule that takes none: any key is an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

/// Why an operator accepts something: required and never blank, because a report must
/// be able to say why a finding does not count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason(pub String);

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.trim().is_empty() {
            return Err(serde::de::Error::custom("a reason must not be empty"));
        }
        Ok(Self(text))
    }
}

/// Parses settings text into `T`, naming where it is wrong.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, SettingsError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let mut pointer = Pointer::root();
        for segment in error.path().iter() {
            pointer = match segment {
                serde_path_to_error::Segment::Seq { index } => pointer.at(*index),
                serde_path_to_error::Segment::Map { key } => pointer.at(key.as_str()),
                serde_path_to_error::Segment::Enum { variant } => pointer.at(variant.as_str()),
                serde_path_to_error::Segment::Unknown => pointer,
            };
        }
        // serde_json appends where in the JSON text it was; the host's text is not the
        // user's file, so only the message is kept.
        let message = error.inner().to_string();
        let message = match message.rsplit_once(" at line ") {
            Some((head, _)) => head.to_owned(),
            None => message,
        };
        SettingsError {
            pointer: pointer.into(),
            message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    struct Example {
        #[serde(default)]
        exempt: Vec<Entry>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        name: String,
        reason: Reason,
    }

    #[test]
    fn settings_are_read() {
        let example: Example = parse(r#"{"exempt": [{"name": "a", "reason": "ok"}]}"#).unwrap();
        assert_eq!(example.exempt[0].name, "a");
        assert_eq!(example.exempt[0].reason, Reason("ok".into()));
        assert!(parse::<Example>("{}").unwrap().exempt.is_empty());
    }

    #[test]
    fn errors_point_at_the_key() {
        let error = parse::<Example>(
            r#"{"exempt": [{"name": "a", "reason": "ok"}, {"name": "b", "reason": " "}]}"#,
        )
        .unwrap_err();
        assert_eq!(error.pointer, "/exempt/1/reason");
        assert_eq!(error.message, "a reason must not be empty");
        let error = parse::<Example>(r#"{"exempt": [], "typo": 1}"#).unwrap_err();
        assert!(
            error.message.starts_with("unknown field `typo`"),
            "{error:?}"
        );
        assert!(parse::<NoSettings>("{}").is_ok());
        assert!(parse::<NoSettings>(r#"{"x": 1}"#).is_err());
    }
}
