//! Property tests over the readers of untrusted input: the YAML reader, the config file,
//! the baseline and saved JSON reports. Arbitrary bytes and YAML-like text never panic,
//! finish, stay within the memory the alias budget allows, and errors name the file.
//! Case counts are modest: the suite runs on two cores.

use std::path::Path;

use proptest::prelude::*;
use tollgate::input::yaml;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// YAML-like text: lines built from the tokens that steer the scanner and the builder
/// (indentation, flow brackets, anchors, aliases, merges, tags, quotes, block scalars).
fn yaml_like() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "a", "b", "key", "- ", ": ", ":", ",", "[", "]", "{", "}", "&x ", "*x", "&y ", "*y",
        "<<: ", "!!str ", "!!int ", "!foo ", "'", "\"", "|", ">-", "# c", "---", "...", "? ", "~",
        "yes", "0x1F", "08", ".inf", "1e3", "\\", "\t", " ", "  ",
    ]);
    let line = prop::collection::vec(token, 0..8).prop_map(|tokens| tokens.concat());
    prop::collection::vec(line, 0..16).prop_map(|lines| lines.join("\n"))
}

/// Documents that alias and re-alias their anchors: the shape of expansion attacks.
fn alias_heavy() -> impl Strategy<Value = String> {
    (1usize..6, 1usize..12, 1usize..4, 0usize..2000).prop_map(
        |(levels, fanout, documents, width)| {
            let mut text = String::new();
            for _ in 0..documents {
                text.push_str(&format!("---\na0: &a0 {}\n", "x".repeat(width)));
                for level in 1..=levels {
                    let refs = vec![format!("*a{}", level - 1); fanout].join(", ");
                    text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
                }
            }
            text
        },
    )
}

/// How much JSON the reader may produce for `text`: the input and what the copy budget
/// lets anchors and aliases add (4 times the input plus 1 MiB), with room for JSON's
/// escapes and punctuation; an expansion attack produces orders of magnitude more.
fn expansion_bound(text: &str) -> usize {
    16 * (5 * text.len() + (1 << 20))
}

fn check_yaml(text: &str) {
    let (documents, error) = yaml::parse(text);
    let values: Vec<_> = documents.into_iter().map(|d| d.value).collect();
    let expanded = serde_json::to_string(&values).unwrap().len();
    assert!(
        expanded <= expansion_bound(text),
        "{expanded} bytes of JSON from {} bytes of YAML",
        text.len()
    );
    if let Some(error) = error {
        let lines = text.split('\n').count() as u32;
        assert!(
            (1..=lines.max(1) + 1).contains(&error.line),
            "error line {} of {lines}: {}",
            error.line,
            error.message
        );
        assert!(!error.message.is_empty());
    }
}

/// Writes `bytes` to a fresh file named `name` and reads it with `read`; the error, if
/// any, must name the file.
fn check_reader<T, E: std::fmt::Display>(
    name: &str,
    bytes: &[u8],
    read: impl Fn(&Path) -> Result<T, E>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    if let Err(error) = read(&path) {
        let message = error.to_string();
        assert!(
            message.contains(&path.display().to_string()),
            "error does not name the file: {message}"
        );
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn yaml_reader_survives_arbitrary_text(text in any::<String>()) {
        check_yaml(&text);
    }

    #[test]
    fn yaml_reader_survives_yaml_like_text(text in yaml_like()) {
        check_yaml(&text);
    }

    #[test]
    fn yaml_reader_bounds_alias_expansion(text in alias_heavy()) {
        check_yaml(&text);
    }

    #[test]
    fn config_reader_names_the_file(text in yaml_like(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        check_reader(".tollgate.yaml", text.as_bytes(), tollgate::config::load);
        check_reader(".tollgate.yaml", &bytes, tollgate::config::load);
    }

    #[test]
    fn baseline_and_report_readers_name_the_file(
        text in prop_oneof![
            any::<String>(),
            Just(r#"{"tollgate_baseline": 1, "findings": [{"fingerprint": 5}]}"#.to_owned()),
            Just(r#"{"schema_version": "x", "findings": [[[[]]]]}"#.to_owned()),
            "[\\[{\"a:1,0-9e.]{0,40}",
        ],
    ) {
        check_reader("baseline.json", text.as_bytes(), tollgate::report::baseline::read);
        check_reader("report.json", text.as_bytes(), tollgate::report::merge::read);
    }
}
