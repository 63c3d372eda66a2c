//! The framework files' YAML, read straight from the parser's events: mappings, sequences
//! and scalars, every scalar a string (the catalog's fields are all text). The files are
//! tollgate's own and embedded at build time, so this reads only what they use; the
//! scanner's reader (`input::yaml`, with lines, anchors and YAML 1.1 rules for untrusted
//! manifests) sits above the catalog and is not needed here.

use libyaml_safer::{Event, EventData, Parser};
use serde_json::{Map, Value};

/// The documents of `text`, each as JSON whose scalars are strings; an error names the
/// line and what was wrong there.
pub fn documents(text: &str) -> Result<Vec<Value>, String> {
    let mut input = text.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    let mut events = std::iter::from_fn(move || Some(parser.parse()));
    let mut documents = Vec::new();
    loop {
        match next(&mut events)?.data {
            EventData::StreamStart { .. } | EventData::DocumentEnd { .. } => {}
            EventData::DocumentStart { .. } => documents.push(node(&mut events, None)?),
            EventData::StreamEnd => return Ok(documents),
            other => return Err(format!("unexpected {other:?} between documents")),
        }
    }
}

/// The parser's events, as [`documents`] reads them.
type Events<'a> = dyn Iterator<Item = libyaml_safer::Result<Event>> + 'a;

fn next(events: &mut Events) -> Result<Event, String> {
    match events.next() {
        Some(Ok(event)) => Ok(event),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("the YAML stream ended early".into()),
    }
}

/// The node that starts with the next event (or with `first`, already read).
fn node(events: &mut Events, first: Option<Event>) -> Result<Value, String> {
    let event = match first {
        Some(event) => event,
        None => next(events)?,
    };
    let line = event.start_mark.line + 1;
    match event.data {
        EventData::Scalar { value, .. } => Ok(Value::String(value)),
        EventData::SequenceStart { .. } => {
            let mut items = Vec::new();
            loop {
                let event = next(events)?;
                if event.data == EventData::SequenceEnd {
                    return Ok(Value::Array(items));
                }
                items.push(node(events, Some(event))?);
            }
        }
        EventData::MappingStart { .. } => mapping(events),
        other => Err(format!("line {line}: unexpected {other:?}")),
    }
}

/// The rest of a mapping whose start was read: text keys, each once.
fn mapping(events: &mut Events) -> Result<Value, String> {
    let mut fields = Map::new();
    loop {
        let event = next(events)?;
        if event.data == EventData::MappingEnd {
            return Ok(Value::Object(fields));
        }
        let line = event.start_mark.line + 1;
        let Value::String(key) = node(events, Some(event))? else {
            return Err(format!("line {line}: a key must be text"));
        };
        let value = node(events, None)?;
        if fields.insert(key.clone(), value).is_some() {
            return Err(format!("line {line}: `{key}` is given twice"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mappings_sequences_and_folded_text_as_strings() {
        let text = "name: x\ncontrols:\n  - {id: A.1, n: 2}\n  - why: >-\n      two\n      lines\n";
        assert_eq!(
            documents(text),
            Ok(vec![serde_json::json!({
                "name": "x",
                "controls": [{"id": "A.1", "n": "2"}, {"why": "two lines"}],
            })])
        );
        assert_eq!(documents("a: 1\n---\nb: 2\n").map(|d| d.len()), Ok(2));
        assert_eq!(documents(""), Ok(vec![]));
    }

    #[test]
    fn refuses_what_the_catalog_never_writes() {
        assert_eq!(
            documents("a: 1\na: 2\n"),
            Err("line 2: `a` is given twice".into())
        );
        assert_eq!(
            documents("? [a]\n: 1\n"),
            Err("line 1: a key must be text".into())
        );
        assert_eq!(
            documents("a: &x 1\nb: *x\n"),
            Err("line 2: unexpected Alias { anchor: \"x\" }".into())
        );
        assert!(documents("a: [1\n").is_err());
    }
}
