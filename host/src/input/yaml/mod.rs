//! YAML to JSON exactly as Kubernetes reads it, keeping the line of every node.
//!
//! Built on `libyaml-safer`, a safe Rust port of libyaml: go-yaml, which Kubernetes uses
//! (through `sigs.k8s.io/yaml`), is itself a port of libyaml, so both accept the same
//! syntax (a flow collection's closing bracket may sit at its key's indentation, as
//! kubectl accepts). Scalars are typed as go-yaml v2 types them (see [`resolve`]).
//! Anchors, aliases and `<<` merge keys resolve. Duplicate keys are an error, as in
//! Kubernetes' strict decoding. Nesting depth is capped, and what anchors and aliases copy
//! is bounded by the file's size, so hostile input cannot exhaust the stack or memory.
//!
//! [`parse`] builds each document as a `Value` and a [`LineTree`]; [`parse_flat`], which
//! the scan reads manifests with, writes a plain document straight to the JSON text and
//! the pre-order lines the host keeps (see [`flat`]) and builds only the others. A file
//! written in the plain subset of YAML most manifests use is read without libyaml, several
//! times faster, to the same result (see [`subset`]).

mod builder;
mod flat;
mod resolve;
mod subset;

use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use libyaml_safer::{EventData, Parser, ScalarStyle};
use serde_json::Value;

use builder::Builder;
pub use flat::{FlatDocument, Head, WaiveTexts};
use flat::{FlatWriter, Step};

/// The text of every YAML fixture under the repository's `tests/` (or under
/// `TOLLGATE_FIXTURE_ROOT` when set, to run the differential tests by hand over other
/// YAML), for differential tests.
#[cfg(test)]
pub(crate) fn fixture_texts() -> Vec<String> {
    fn visit(dir: &std::path::Path, texts: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                visit(&path, texts);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                texts.push(text);
            }
        }
    }
    let mut texts = Vec::new();
    let root = std::env::var_os("TOLLGATE_FIXTURE_ROOT").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests"),
        std::path::PathBuf::from,
    );
    visit(&root, &mut texts);
    texts
}

/// A YAML syntax or structure error at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub message: String,
}

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    /// 0-based position in the file, counting empty documents.
    pub index: u32,
    /// Line where the document's content starts.
    pub line: u32,
    pub value: Value,
    pub lines: LineTree,
}

/// The line of a node and of its children, in the same shape as the value.
#[derive(Clone, Debug, Default)]
pub struct LineTree {
    pub line: u32,
    children: Children,
}

#[derive(Clone, Debug, Default)]
enum Children {
    #[default]
    None,
    Seq(Vec<LineTree>),
    Map(Vec<(String, LineTree)>),
}

impl LineTree {
    /// The tree of array item `index`.
    pub fn item(&self, index: usize) -> Option<&LineTree> {
        match &self.children {
            Children::Seq(items) => items.get(index),
            _ => None,
        }
    }

    /// The tree of object field `key`.
    pub fn field(&self, key: &str) -> Option<&LineTree> {
        match &self.children {
            Children::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, t)| t),
            _ => None,
        }
    }

    /// The lines of `value`'s nodes in pre-order (object fields in `value`'s order): the
    /// compact form kept per object; see [`super::manifest::locate`].
    pub fn flatten(&self, value: &Value, out: &mut Vec<u32>) {
        out.push(self.line);
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.item(i).unwrap_or(self).flatten(item, out);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    self.field(key).unwrap_or(self).flatten(item, out);
                }
            }
            _ => {}
        }
    }
}

/// Parses every document of `text`. Documents before an error are returned with it.
pub fn parse(text: &str) -> (Vec<Document>, Option<YamlError>) {
    let mut events = Events::new(text);
    let mut builder = Builder::new(text.len());
    let mut documents = Vec::new();
    loop {
        let (event, line) = match events.next() {
            Ok(Some(event)) => event,
            Ok(None) => return (documents, None),
            Err(error) => return (documents, Some(error)),
        };
        match builder.feed(event, line) {
            Ok(Some(document)) => documents.push(document),
            Ok(None) => {}
            Err(error) => return (documents, Some(error)),
        }
    }
}

/// A document as [`parse_flat`] gives it.
#[derive(Debug)]
pub enum ParsedDocument {
    /// Written straight to JSON text and lines.
    Flat(FlatDocument),
    /// Built as a value and a line tree (anchors, aliases, merge keys, a root that is not
    /// a mapping, a `List`).
    Tree(Document),
}

/// Parses every document of `text` as [`parse`] does, writing each straight to JSON text
/// and lines where that is exact, else building it as [`parse`] does. Documents before an
/// error are returned with it.
pub fn parse_flat(text: &str) -> (Vec<ParsedDocument>, Option<YamlError>) {
    match subset::parse_flat(text) {
        Some(documents) => (documents, None),
        None => parse_flat_events(text),
    }
}

/// [`parse_flat`] from libyaml's events, for any YAML.
fn parse_flat_events(text: &str) -> (Vec<ParsedDocument>, Option<YamlError>) {
    let mut events = Events::new(text);
    let mut writer = FlatWriter::new();
    let mut builder = Builder::new(text.len());
    let mut documents = Vec::new();
    // The current document is written flat (else the builder has it).
    let mut flat = true;
    // Once a document of the file needed the builder, the events of each later one are
    // kept while it is written flat, to replay into the builder if it cannot be. Until
    // then nothing is kept: the first time, the file is read again up to the document.
    let mut kept: Option<Vec<(EventData, u32)>> = None;
    let mut index = 0u32;
    loop {
        let (event, line) = match events.next() {
            Ok(Some(event)) => event,
            Ok(None) => return (documents, None),
            Err(error) => return (documents, Some(error)),
        };
        let is_end = matches!(event, EventData::DocumentEnd { .. });
        let built = if !flat {
            builder.feed(event, line)
        } else {
            match writer.feed(&event, line) {
                Step::Continue => {
                    if let Some(kept) = &mut kept {
                        kept.push((event, line));
                    }
                    continue;
                }
                Step::Done(document) => {
                    kept.iter_mut().for_each(Vec::clear);
                    if let Some(document) = document {
                        let document = FlatDocument { index, ..document };
                        documents.push(ParsedDocument::Flat(document));
                    }
                    index += 1;
                    continue;
                }
                Step::Fallback => {
                    flat = false;
                    let Some(kept) = &mut kept else {
                        kept = Some(Vec::new());
                        events = Events::new(text);
                        if let Err(error) = events.skip_documents(index) {
                            return (documents, Some(error));
                        }
                        continue;
                    };
                    replay(&mut builder, kept.drain(..), (event, line))
                }
            }
        };
        match built {
            Ok(Some(document)) => {
                documents.push(ParsedDocument::Tree(Document { index, ..document }))
            }
            Ok(None) => {}
            Err(error) => return (documents, Some(error)),
        }
        if is_end {
            index += 1;
            flat = true;
        }
    }
}

/// Feeds the builder a document's events so far, then `last`.
fn replay(
    builder: &mut Builder,
    pending: impl Iterator<Item = (EventData, u32)>,
    last: (EventData, u32),
) -> Result<Option<Document>, YamlError> {
    for (event, line) in pending {
        builder.feed(event, line)?;
    }
    builder.feed(last.0, last.1)
}

/// The parser's events with their lines, a panic of the parser turned into an error.
///
/// libyaml-safer panics on a block scalar (`|`, `>`) that ends the text without a line
/// break, where libyaml reads the end as one: valid YAML, common in hand-written files. So
/// a text whose last line holds content and no break is read with a break after it, and
/// the block scalar that ends there loses the one break it gained, reading as libyaml (and
/// so Kubernetes) reads it.
struct Events<'a> {
    parser: Parser<std::io::Chain<&'a [u8], &'static [u8]>>,
    /// Line of the last event.
    line: u32,
    /// The length of the text read with the break added, if one was (after a last line
    /// with content: one of blanks breaks no scalar).
    padded_len: Option<u64>,
    /// The text's last line: where an error at the end of the padded text is.
    last_line: u32,
}

impl<'a> Events<'a> {
    fn new(text: &'a str) -> Self {
        use std::io::Read;
        // YAML's line breaks, and its blanks: a last line of other spaces is content.
        let breaks = ['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'];
        let last_line = text.rsplit(breaks).next().unwrap_or(text);
        let unbroken = !last_line.trim_matches([' ', '\t']).is_empty();
        let padding: &'static [u8] = if unbroken { b"\n" } else { b"" };
        let mut parser = Parser::new();
        parser.set_input(text.as_bytes().chain(padding));
        silence_parser_panics();
        Self {
            parser,
            line: 1,
            padded_len: unbroken.then_some(text.len() as u64 + 1),
            last_line: memchr::memchr_iter(b'\n', text.as_bytes()).count() as u32 + 1,
        }
    }

    /// Reads past the first `count` documents.
    fn skip_documents(&mut self, count: u32) -> Result<(), YamlError> {
        let mut ended = 0;
        while ended < count {
            match self.next()? {
                Some((EventData::DocumentEnd { .. }, _)) => ended += 1,
                Some(_) => {}
                None => break,
            }
        }
        Ok(())
    }

    /// The next event and its line; `None` at the end of the stream.
    fn next(&mut self) -> Result<Option<(EventData, u32)>, YamlError> {
        // libyaml-safer panics on a few malformed inputs (a tag before a comma in a flow
        // collection):
        // a panic there is a refusal of this file, never a crash of the run, reported at the
        // line of the last node read.
        let event = match panic::catch_unwind(AssertUnwindSafe(|| self.parser.parse())) {
            Ok(Ok(event)) => event,
            Ok(Err(e)) => {
                let mut error = syntax_error(&e, self.line);
                error.line = error.line.min(self.last_line);
                return Err(error);
            }
            Err(_) => {
                let message = "the YAML parser failed on malformed input here".to_owned();
                return Err(YamlError {
                    line: self.line,
                    message,
                });
            }
        };
        self.line = event.start_mark.line as u32 + 1;
        let mut data = event.data;
        match &mut data {
            EventData::StreamEnd => return Ok(None),
            EventData::Scalar {
                value,
                style: ScalarStyle::Literal | ScalarStyle::Folded,
                ..
            } if Some(event.end_mark.index) == self.padded_len && value.ends_with('\n') => {
                value.pop();
            }
            _ => {}
        }
        Ok(Some((data, self.line)))
    }
}

/// Keeps libyaml-safer's panic messages off stderr: [`parse`] catches those panics and
/// reports them as errors of the file. Every other panic prints as before. Installed once
/// per process.
fn silence_parser_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let in_parser = info
                .location()
                .is_some_and(|at| at.file().contains("libyaml-safer"));
            if !in_parser {
                previous(info);
            }
        }));
    });
}

/// A parser error at its line (the line of the last event when the parser gives none).
fn syntax_error(error: &libyaml_safer::Error, last_line: u32) -> YamlError {
    let line = error
        .problem_mark()
        .map_or(last_line, |mark| mark.line as u32 + 1);
    let message = match error.context() {
        Some(context) => format!("{} ({context})", error.problem()),
        None => error.problem().to_owned(),
    };
    YamlError { line, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `error` is the refusal of anchors and aliases past the copy budget.
    fn assert_over_budget(error: &YamlError) {
        let refusal = "anchors and aliases expand the file past ";
        assert!(error.message.starts_with(refusal), "{}", error.message);
    }
    use serde_json::json;

    fn one(text: &str) -> Document {
        let (mut docs, error) = parse(text);
        assert_eq!(error, None);
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    #[test]
    fn a_block_scalar_may_end_the_text_without_a_line_break() {
        // As libyaml reads them (and PyYAML): the end is the scalar's last break.
        let cases = [
            ("x: |\n  hello", "hello"),
            ("x: |+\n  hello", "hello"),
            ("x: |-\n  hello", "hello"),
            ("x: >\n  a\n  b", "a b"),
            ("x: |\n  hello\n", "hello\n"),
            ("x: |\n  hello\n\n  ", "hello\n"),
            ("x: |+\n  hello\n\n  ", "hello\n\n"),
            ("x: |\n  hello\u{85}", "hello\n"),
            ("x: |\n  hello\n  \u{a0}", "hello\n\u{a0}"),
            ("x: |\n  hello\n# the end", "hello\n"),
        ];
        for (text, value) in cases {
            assert_eq!(one(text).value, json!({ "x": value }), "{text:?}");
            let (documents, error) = parse_flat(text);
            assert_eq!((documents.len(), error), (1, None), "{text:?}");
        }
        let manifest =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: |\n    hello";
        assert_eq!(one(manifest).value["data"], json!({ "x": "hello" }));
    }

    #[test]
    fn scalars_are_typed_like_kubernetes() {
        let doc = one(
            "a: yes\nb: '1'\nc: 0x1F\nd: 1.5\ne: ~\nf: 010\ng: -3\nh: 1e3\ni: 1.2.3\nj: !!str 5\nk: |\n  text\n",
        );
        assert_eq!(
            doc.value,
            json!({"a": true, "b": "1", "c": 31, "d": 1.5, "e": null, "f": 8, "g": -3,
                   "h": 1000, "i": "1.2.3", "j": "5", "k": "text\n"})
        );
    }

    #[test]
    fn lines_follow_keys_and_items() {
        let doc = one("kind: Role\nrules:\n- verbs: [get]\n- verbs:\n  - '*'\n");
        let mut lines = Vec::new();
        doc.lines.flatten(&doc.value, &mut lines);
        // root, kind, rules, rules[0], verbs, get, rules[1], verbs, '*'
        assert_eq!(lines, [1, 1, 2, 3, 3, 3, 4, 4, 5]);
    }

    #[test]
    fn documents_are_counted_including_empty_ones() {
        let (docs, error) = parse("---\n# nothing\n---\na: 1\n---\nb: 2\n");
        assert_eq!(error, None);
        let indexes: Vec<_> = docs.iter().map(|d| (d.index, d.line)).collect();
        assert_eq!(indexes, [(1, 4), (2, 6)]);
    }

    #[test]
    fn duplicate_keys_are_errors_with_line() {
        let (_, error) = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(
            error.map(|e| (e.line, e.message)),
            Some((3, "duplicate key \"a\"".into()))
        );
    }

    #[test]
    fn syntax_error_keeps_earlier_documents() {
        let (docs, error) = parse("a: 1\n---\nb: [1, 2\n");
        assert_eq!(docs.len(), 1);
        assert!(error.is_some());
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let doc = one("base: &b\n  x: 1\n  z: 2\nuse:\n  <<: *b\n  z: 3\nref: *b\n");
        assert_eq!(
            doc.value,
            json!({"base": {"x": 1, "z": 2}, "use": {"x": 1, "z": 3}, "ref": {"x": 1, "z": 2}})
        );
    }

    #[test]
    fn flow_sequence_closing_at_the_key_indentation_is_accepted() {
        let text = "spec:\n  containers:\n  - name: x\n    args: [\n      \"-a\",\n      \"-b\"\n    ]\n    image: nginx\n";
        let doc = one(text);
        assert_eq!(
            doc.value,
            json!({"spec": {"containers": [{"name": "x", "args": ["-a", "-b"], "image": "nginx"}]}})
        );
        let mut lines = Vec::new();
        doc.lines.flatten(&doc.value, &mut lines);
        // root, spec, containers, [0], name, args, "-a", "-b", image
        assert_eq!(lines, [1, 1, 2, 3, 3, 4, 5, 6, 8]);
    }

    #[test]
    fn keys_are_resolved_then_written_as_text() {
        let doc = one("y: 1\n'n': 2\n010: 3\n");
        assert_eq!(doc.value, json!({"true": 1, "n": 2, "8": 3}));
        let (_, error) = parse("y: 1\ntrue: 2\n");
        assert_eq!(
            error,
            Some(YamlError {
                line: 2,
                message: "duplicate key \"true\"".into()
            })
        );
    }

    #[test]
    fn infinity_is_refused_with_its_line() {
        let (docs, error) = parse("a: 1\n---\nb: .inf\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(error.map(|e| e.line), Some(3));
    }

    #[test]
    fn alias_budget_spans_the_documents_of_a_file() {
        // Each document alone stays under the budget; together they pass it.
        let big = "x".repeat(100_000);
        let aliases = ["*a"; 12].join(", ");
        let doc = format!("a: &a {big}\nb: [{aliases}]\n");
        let (docs, error) = parse(&format!("{doc}---\n{doc}"));
        assert_eq!(docs.len(), 1);
        let error = error.unwrap();
        assert_eq!(error.line, 5);
        assert_over_budget(&error);
    }

    #[test]
    fn nested_anchor_copies_count_against_the_budget() {
        // Each anchor keeps a copy of its node: 90 nested anchors over a 100 kB scalar
        // would hold 9 MB without a single alias.
        let mut text = String::new();
        for level in 0..90 {
            text.push_str(&format!("&a{level} ["));
        }
        text.push_str(&"x".repeat(100_000));
        text.push_str(&"]".repeat(90));
        let (docs, error) = parse(&text);
        assert!(docs.is_empty());
        let error = error.unwrap();
        assert_eq!(error.line, 1);
        assert_over_budget(&error);
    }

    #[test]
    fn inputs_that_make_the_parser_panic_are_errors() {
        // The line is the last node's before the failure.
        let (docs, error) = parse("- [!foo, a]\n");
        assert!(docs.is_empty());
        assert_eq!(
            error,
            Some(YamlError {
                line: 1,
                message: "the YAML parser failed on malformed input here".into()
            })
        );
    }

    #[test]
    fn a_text_cut_short_is_an_error_on_its_last_line() {
        // A double-quoted scalar cut after a backslash made the parser panic, until texts
        // without a final line break were read with one.
        let (docs, error) = parse("a: 1\n\"\\");
        assert!(docs.is_empty());
        assert_eq!(
            error,
            Some(YamlError {
                line: 2,
                message: "found unexpected end of stream (while scanning a quoted scalar)".into()
            })
        );
    }

    #[test]
    fn hostile_nesting_and_alias_bombs_are_refused() {
        let deep = "[".repeat(builder::MAX_DEPTH + 5);
        assert_eq!(
            parse(&deep).1.unwrap().message,
            format!("nesting deeper than {} levels", builder::MAX_DEPTH)
        );
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..9 {
            let prev = (b'a' + level - 1) as char;
            let name = (b'a' + level) as char;
            bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert_over_budget(&parse(&bomb).1.unwrap());
    }

    /// `parse_flat` gives what `parse` gives: the same documents (each flat one as JSON
    /// text byte for byte and the same lines), the same error; and so does its path through
    /// libyaml's events alone, which reads every file outside the subset.
    fn assert_flat_is_exact(text: &str) {
        assert_same_as_trees(text, parse_flat(text));
        assert_same_as_trees(text, parse_flat_events(text));
    }

    fn assert_same_as_trees(text: &str, flat: (Vec<ParsedDocument>, Option<YamlError>)) {
        let (trees, tree_error) = parse(text);
        let (flats, flat_error) = flat;
        assert_eq!(flat_error, tree_error, "{text:?}");
        assert_eq!(flats.len(), trees.len(), "{text:?}");
        for (flat, tree) in flats.iter().zip(&trees) {
            let mut lines = Vec::new();
            tree.lines.flatten(&tree.value, &mut lines);
            let (index, line, json, flat_lines) = match flat {
                ParsedDocument::Flat(f) => (f.index, f.line, f.json.clone(), f.lines.clone()),
                ParsedDocument::Tree(t) => {
                    let mut tree_lines = Vec::new();
                    t.lines.flatten(&t.value, &mut tree_lines);
                    (t.index, t.line, t.value.to_string(), tree_lines)
                }
            };
            assert_eq!(
                (index, line, json, flat_lines),
                (tree.index, tree.line, tree.value.to_string(), lines),
                "{text:?}"
            );
        }
    }

    /// The kind of document each of `text`'s takes: `true` for flat.
    fn flat_kinds(text: &str) -> Vec<bool> {
        let (documents, _) = parse_flat(text);
        documents
            .iter()
            .map(|d| matches!(d, ParsedDocument::Flat(_)))
            .collect()
    }

    #[test]
    fn flat_documents_fall_back_where_they_cannot_be_written_directly() {
        let text = "a: 1\n---\nb: &x 1\n---\nc: [1]\nd: {e: f}\n---\n- 1\n---\nkind: List\nitems: []\n---\n<<: {a: 1}\n---\nx\n---\ng: \"h\"\n";
        assert_eq!(
            flat_kinds(text),
            [true, false, true, false, false, false, false, true]
        );
        assert_flat_is_exact(text);
        let (documents, _) = parse_flat(text);
        let indexes: Vec<_> = documents
            .iter()
            .map(|d| match d {
                ParsedDocument::Flat(f) => f.index,
                ParsedDocument::Tree(t) => t.index,
            })
            .collect();
        assert_eq!(indexes, [0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn flat_heads_hold_identity_and_waive_annotations() {
        let text = "apiVersion: batch/v1\nkind: CronJob\n$patch: keep\nmetadata:\n  name: nightly\n  namespace: 7\n  labels: {name: not-this}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          annotations:\n            tollgate.dev/waive: a, b\n            tollgate.dev/waive-reason: 'why'\n            other: x\n";
        let job = WaiveTexts {
            waive: Some("a, b".into()),
            reason: Some("why".into()),
            ..WaiveTexts::default()
        };
        let expected = Head {
            api_version: Some("batch/v1".into()),
            kind: Some("CronJob".into()),
            patch: Some("keep".into()),
            name: Some("nightly".into()),
            namespace: None,
            waivers: [WaiveTexts::default(), WaiveTexts::default(), job],
        };
        // Both ways a document is written flat: by the subset, and from libyaml's events.
        for (mut documents, error) in [parse_flat(text), parse_flat_events(text)] {
            assert_eq!(error, None);
            let Some(ParsedDocument::Flat(document)) = documents.pop() else {
                panic!("written flat")
            };
            assert_eq!(*document.head, expected);
        }
    }

    #[test]
    fn flat_errors_are_the_builders() {
        for text in [
            "a: 1\nb: 2\na: 3\n",
            "a: 1\n---\nb: .inf\n",
            "a: {b: 1, b: 2}\n",
            "? [a]\n: 1\n",
            "a: *nope\n",
            "~: 1\n",
            &"a: [".repeat(builder::MAX_DEPTH + 5),
            "a: 1\n---\nb: [1, 2\n",
            "a: 1\n---\nb: &x 1\n---\nc: [1, 2\n",
            "a: 1\n---\nb: *x\n---\nc: 1\n",
            "a: &x 1\n---\nb: 1\n---\nc: 1\nd: &y 2\nc: 2\n",
            "a: 1\n\"\\",
        ] {
            assert_flat_is_exact(text);
        }
    }

    #[test]
    fn duplicates_among_many_keys_are_found() {
        let many: String = (0..100).map(|i| format!("  k{i}: {i}\n")).collect();
        for text in [
            format!("data:\n{many}"),
            format!("data:\n{many}  k7: again\n"),
            format!("data:\n{many}  k99: again\nnext: 1\n"),
            format!("data: {{{}, k3: 3}}\n", many.trim().replace('\n', ",")),
        ] {
            assert_flat_is_exact(&text);
        }
        let (_, error) = parse_flat(&format!("data:\n{many}  k7: again\n"));
        assert_eq!(error.map(|e| e.line), Some(102));
    }

    #[test]
    fn flat_is_exact_on_every_fixture() {
        let texts = fixture_texts();
        assert!(texts.len() >= 50, "only {} fixtures found", texts.len());
        for text in texts {
            assert_flat_is_exact(&text);
        }
    }

    mod generated {
        use super::assert_flat_is_exact;
        use proptest::prelude::*;

        const KEYS: &[&str] = &[
            "apiVersion",
            "kind",
            "metadata",
            "name",
            "namespace",
            "annotations",
            "spec",
            "template",
            "jobTemplate",
            "items",
            "a",
            "y",
            "010",
            "'q'",
            "\"k\\u0001\"",
            "<<",
            "tollgate.dev/waive",
            "tollgate.dev/waive-reason",
            "$patch",
            "~",
        ];
        const SCALARS: &[&str] = &[
            "v1",
            "List",
            "delete",
            "a, b",
            "yes",
            "No",
            "010",
            "0x1F",
            "1.5",
            "1e3",
            "~",
            "''",
            "\"q\\\"x\\u00e9\"",
            "'it''s'",
            "-3",
            "2024-01-01",
            "!!str 5",
            "!!int '7'",
            "\"\"",
            "18446744073709551616",
            "0.1",
            "-0.0",
            "1_000",
        ];
        /// Scalars that make a document fall back or fail, drawn less often.
        const EXOTIC: &[&str] = &[".inf", "&x 1", "*x", "&y {a: 1}", "*y", "!!binary aGk="];

        /// A YAML node: a scalar, or a flow sequence, or a block mapping.
        #[derive(Clone, Debug)]
        enum Node {
            Scalar(&'static str),
            Seq(Vec<Node>),
            Map(Vec<(&'static str, Node)>),
        }

        fn node() -> impl Strategy<Value = Node> {
            let leaf = prop_oneof![
                8 => proptest::sample::select(SCALARS),
                1 => proptest::sample::select(EXOTIC),
            ]
            .prop_map(Node::Scalar);
            leaf.prop_recursive(4, 40, 5, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..4).prop_map(Node::Seq),
                    proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..5)
                        .prop_map(Node::Map),
                ]
            })
        }

        fn flow(node: &Node) -> String {
            match node {
                Node::Scalar(text) => (*text).to_owned(),
                Node::Seq(items) => {
                    format!(
                        "[{}]",
                        items.iter().map(flow).collect::<Vec<_>>().join(", ")
                    )
                }
                Node::Map(entries) => {
                    let entries: Vec<_> = entries
                        .iter()
                        .map(|(k, v)| format!("{k}: {}", flow(v)))
                        .collect();
                    format!("{{{}}}", entries.join(", "))
                }
            }
        }

        fn block(entries: &[(&str, Node)], indent: usize, out: &mut String) {
            let pad = " ".repeat(indent);
            for (key, value) in entries {
                match value {
                    Node::Map(inner) if !inner.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        block(inner, indent + 2, out);
                    }
                    other => out.push_str(&format!("{pad}{key}: {}\n", flow(other))),
                }
            }
        }

        proptest! {
            #[test]
            fn flat_is_exact_on_generated_documents(
                documents in proptest::collection::vec(
                    proptest::collection::vec((proptest::sample::select(KEYS), node()), 0..6),
                    1..4,
                )
            ) {
                let mut text = String::new();
                for entries in &documents {
                    text.push_str("---\n");
                    block(entries, 0, &mut text);
                }
                assert_flat_is_exact(&text);
            }
        }
    }
}
