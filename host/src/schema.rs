//! JSON Schemas of the two documents people write or read with other programs: the config
//! file (`.tollgate.yaml`, read by [`crate::config`]) and the JSON report (written from
//! [`crate::report::model`]). Both are generated from those types, so they follow the code;
//! `schemas/` holds them for editors and validators, and a test fails when they drift.
//!
//! Draft-07, the draft every editor's YAML and JSON language server reads. The config's
//! schema describes what the loader accepts (deserialization); the report's describes what
//! tollgate writes (serialization), so the fields it always writes are required.

use schemars::Schema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::report::{Report, SCHEMA_VERSION};

/// Where the schemas of the repository's main branch are published: each one's `$id`, and
/// the URL an editor fetches.
pub const BASE_URL: &str = "https://raw.githubusercontent.com/tollgate-dev/tollgate/main/schemas/";

/// A document that has a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// `.tollgate.yaml`.
    Config,
    /// `tollgate scan --format json`.
    Report,
}

impl Document {
    /// The schema's file name under `schemas/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Config => "config.schema.json",
            Self::Report => "report.schema.json",
        }
    }

    /// The URL the schema is published at, its `$id`.
    pub fn url(self) -> String {
        format!("{BASE_URL}{}", self.file_name())
    }

    /// The schema as pretty JSON with a final newline: what `schemas/` holds.
    pub fn render(self) -> String {
        let schema = match self {
            Self::Config => self.headed(
                crate::config::schema(),
                "tollgate config",
                "The config file `.tollgate.yaml`: found in the scanned directory or the \
                 nearest parent, or named with --config. Command-line flags win over it.",
            ),
            Self::Report => self.headed(
                report_schema(),
                "tollgate JSON report",
                "The canonical report `tollgate scan --format json` writes and `tollgate \
                 report` reads back.",
            ),
        };
        let mut text = serde_json::to_string_pretty(&schema).expect("schemas serialize");
        text.push('\n');
        text
    }

    /// `schema` with `$schema`, `$id`, title and description first, then the rest.
    fn headed(self, schema: Schema, title: &str, description: &str) -> Value {
        let mut body = schema.to_value();
        let body = body.as_object_mut().expect("a root schema is an object");
        let mut head = Map::new();
        for (key, value) in [
            ("$schema", body.shift_remove("$schema").unwrap_or_default()),
            ("$id", Value::from(self.url())),
            ("title", Value::from(title)),
            ("description", Value::from(description)),
        ] {
            head.insert(key.to_owned(), value);
        }
        body.shift_remove("title");
        body.shift_remove("description");
        head.append(body);
        Value::Object(head)
    }
}

/// The report as tollgate writes it, with `schema_version` fixed to this version.
fn report_schema() -> Schema {
    let mut schema = SchemaSettings::draft07()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Report>();
    if let Some(version) = schema
        .get_mut("properties")
        .and_then(|p| p.get_mut("schema_version"))
        .and_then(Value::as_object_mut)
    {
        version.insert("const".to_owned(), SCHEMA_VERSION.into());
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_start_with_their_identity() {
        for (document, title) in [
            (Document::Config, "tollgate config"),
            (Document::Report, "tollgate JSON report"),
        ] {
            let schema: Value = serde_json::from_str(&document.render()).unwrap();
            let keys: Vec<&str> = schema
                .as_object()
                .unwrap()
                .keys()
                .take(4)
                .map(String::as_str)
                .collect();
            assert_eq!(keys, ["$schema", "$id", "title", "description"]);
            assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
            assert_eq!(schema["$id"], document.url());
            assert_eq!(schema["title"], title);
        }
    }

    /// The config template names the config schema's URL without depending on this module
    /// (it sits below it): the two must agree.
    #[test]
    fn the_config_template_names_the_published_schema() {
        assert_eq!(crate::config::SCHEMA_URL, Document::Config.url());
    }

    #[test]
    fn the_report_schema_fixes_its_version() {
        let schema: Value = serde_json::from_str(&Document::Report.render()).unwrap();
        assert_eq!(
            schema["properties"]["schema_version"]["const"],
            SCHEMA_VERSION
        );
    }
}
