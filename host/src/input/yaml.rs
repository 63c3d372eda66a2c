//! YAML to JSON, keeping the line of every node.
//!
//! Built on `saphyr-parser`'s event stream. Plain scalars are typed the way Kubernetes'
//! own YAML decoder types them (YAML 1.1: `yes`/`on` are booleans, `0x1F` an integer);
//! quoted and block scalars stay strings. Anchors, aliases and `<<` merge keys resolve.
//! Duplicate keys are an error, as in Kubernetes' strict decoding. Nesting depth and
//! alias expansion are bounded, so hostile input cannot exhaust the stack or memory.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted; deeper input is an error, not a stack overflow. Below
/// serde_json's own limit of 128, so every accepted object also parses as JSON (in the
/// host and in the plugins).
const MAX_DEPTH: usize = 100;
/// Most nodes one document may expand to (aliases included).
const MAX_NODES: usize = 4_000_000;

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

/// Parses every document of `text`. Documents before a syntax error are returned with it.
pub fn parse(text: &str) -> (Vec<Document>, Option<YamlError>) {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut documents = Vec::new();
    let mut index = 0u32;
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(e) => {
                let error = YamlError {
                    line: e.marker().line() as u32,
                    message: e.info().to_owned(),
                };
                return (documents, Some(error));
            }
        };
        match builder.event(event, span) {
            Ok(Some((value, lines))) => {
                documents.push(Document {
                    index,
                    line: lines.line,
                    value,
                    lines,
                });
            }
            Ok(None) => {}
            Err(error) => return (documents, Some(error)),
        }
        if builder.document_ended {
            builder.document_ended = false;
            index += 1;
        }
    }
    (documents, None)
}

/// A collection being built.
enum Frame {
    Seq {
        items: Vec<Value>,
        lines: Vec<LineTree>,
        line: u32,
        anchor: usize,
    },
    Map {
        map: Map<String, Value>,
        lines: Vec<(String, LineTree)>,
        line: u32,
        anchor: usize,
        key: Option<(String, u32)>,
        /// Keys that came from a `<<` merge and may still be overridden.
        merged: Vec<String>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, LineTree, usize)>,
    root: Option<(Value, LineTree)>,
    nodes: usize,
    document_ended: bool,
}

impl Builder {
    /// Feeds one event; returns a finished document's root (or nothing for empty ones).
    fn event(
        &mut self,
        event: Event<'_>,
        span: Span,
    ) -> Result<Option<(Value, LineTree)>, YamlError> {
        let line = span.start.line() as u32;
        let error = |message: String| YamlError { line, message };
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.nodes = 0;
            }
            Event::DocumentEnd => {
                self.document_ended = true;
                return Ok(self.root.take().filter(|(v, _)| !v.is_null()));
            }
            Event::Scalar(text, style, anchor, tag) => {
                // Keys keep their text: `y:` is the key "y", not "true".
                let value = if self.expecting_key() {
                    Value::String(text.into_owned())
                } else {
                    scalar(&text, style, tag.as_deref()).map_err(error)?
                };
                self.complete(value, leaf(line), anchor, line, 1)?;
            }
            Event::Alias(id) => {
                let (value, lines, size) = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| error("alias to an unknown anchor".into()))?;
                self.complete(value, lines, 0, line, size)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(error(format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                self.stack.push(match event {
                    Event::SequenceStart(..) => Frame::Seq {
                        items: Vec::new(),
                        lines: Vec::new(),
                        line,
                        anchor,
                    },
                    _ => Frame::Map {
                        map: Map::new(),
                        lines: Vec::new(),
                        line,
                        anchor,
                        key: None,
                        merged: Vec::new(),
                    },
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, lines, anchor, start) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        lines,
                        line,
                        anchor,
                    }) => (
                        Value::Array(items),
                        LineTree {
                            line,
                            children: Children::Seq(lines),
                        },
                        anchor,
                        line,
                    ),
                    Some(Frame::Map {
                        map,
                        lines,
                        line,
                        anchor,
                        ..
                    }) => (
                        Value::Object(map),
                        LineTree {
                            line,
                            children: Children::Map(lines),
                        },
                        anchor,
                        line,
                    ),
                    None => return Err(error("unbalanced collection end".into())),
                };
                self.complete(value, lines, anchor, start, 0)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(None)
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    /// Places a finished node into its parent (or as the document root). `added` counts
    /// the nodes it brings (an alias brings its whole tree).
    fn complete(
        &mut self,
        value: Value,
        lines: LineTree,
        anchor: usize,
        line: u32,
        added: usize,
    ) -> Result<(), YamlError> {
        let error = |message: String| YamlError { line, message };
        self.nodes += added;
        if self.nodes > MAX_NODES {
            return Err(error(format!(
                "document expands to more than {MAX_NODES} nodes"
            )));
        }
        if anchor != 0 {
            let size = count_nodes(&value);
            self.anchors
                .insert(anchor, (value.clone(), lines.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some((value, lines)),
            Some(Frame::Seq {
                items,
                lines: item_lines,
                ..
            }) => {
                items.push(value);
                item_lines.push(lines);
            }
            Some(Frame::Map {
                map,
                lines: field_lines,
                key,
                merged,
                ..
            }) => match key.take() {
                None => {
                    let name = match value {
                        Value::String(s) => s,
                        Value::Bool(_) | Value::Number(_) | Value::Null => scalar_text(&value),
                        _ => return Err(error("a mapping key must be a scalar".into())),
                    };
                    *key = Some((name, line));
                }
                Some((name, key_line))
                    if name == "<<" && (value.is_object() || value.is_array()) =>
                {
                    merge(map, field_lines, merged, value, lines).map_err(|m| YamlError {
                        line: key_line,
                        message: m,
                    })?;
                }
                Some((name, key_line)) => {
                    let entry = LineTree {
                        line: key_line,
                        children: lines.children,
                    };
                    if map.contains_key(&name) {
                        let Some(pos) = merged.iter().position(|k| *k == name) else {
                            return Err(YamlError {
                                line: key_line,
                                message: format!("duplicate key {name:?}"),
                            });
                        };
                        merged.swap_remove(pos);
                        field_lines.retain(|(k, _)| *k != name);
                    }
                    field_lines.push((name.clone(), entry));
                    map.insert(name, value);
                }
            },
        }
        Ok(())
    }
}

/// Applies a `<<` merge: fields of the merged mapping(s) that the map lacks.
fn merge(
    map: &mut Map<String, Value>,
    field_lines: &mut Vec<(String, LineTree)>,
    merged: &mut Vec<String>,
    value: Value,
    lines: LineTree,
) -> Result<(), String> {
    let sources: Vec<(Value, LineTree)> = match value {
        Value::Object(_) => vec![(value, lines)],
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let tree = lines.item(i).cloned().unwrap_or_default();
                (item, tree)
            })
            .collect(),
        _ => unreachable!("merge is called with objects or arrays only"),
    };
    for (source, tree) in sources {
        let Value::Object(fields) = source else {
            return Err("a << merge takes a mapping or a list of mappings".into());
        };
        for (key, field) in fields {
            if map.contains_key(&key) {
                continue;
            }
            let field_tree = tree.field(&key).cloned().unwrap_or_default();
            field_lines.push((key.clone(), field_tree));
            merged.push(key.clone());
            map.insert(key, field);
        }
    }
    Ok(())
}

fn leaf(line: u32) -> LineTree {
    LineTree {
        line,
        children: Children::None,
    }
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Types a scalar: quoted and block scalars are strings; plain ones are resolved; core
/// tags (`!!str`, `!!int`, ...) force their type.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let core_tag = tag
        .filter(|t| t.handle == "tag:yaml.org,2002:" || t.handle == "!!")
        .map(|t| t.suffix.as_str());
    match core_tag {
        Some("str") | Some("binary") | Some("timestamp") => return Ok(Value::String(text.into())),
        Some(kind @ ("int" | "float" | "bool" | "null")) => {
            let value = resolve_plain(text);
            let fits = match kind {
                "int" => value.is_i64() || value.is_u64(),
                "float" => value.is_number(),
                "bool" => value.is_boolean(),
                _ => value.is_null(),
            };
            return if fits {
                Ok(value)
            } else {
                Err(format!("{text:?} is not a valid !!{kind}"))
            };
        }
        _ => {}
    }
    Ok(match style {
        ScalarStyle::Plain if tag.is_none() => resolve_plain(text),
        _ => Value::String(text.into()),
    })
}

/// YAML 1.1 resolution of a plain scalar, as Kubernetes' decoder does it.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    if let Some(number) = integer(text) {
        return number;
    }
    let float = is_float(text)
        .then(|| text.replace('_', "").parse::<f64>().ok())
        .flatten()
        .and_then(Number::from_f64);
    float.map_or_else(|| Value::String(text.into()), Value::Number)
}

fn integer(text: &str) -> Option<Value> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits: Cow<str> = if digits.contains('_') {
        digits.replace('_', "").into()
    } else {
        digits.into()
    };
    let (radix, body) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(bin) = digits.strip_prefix("0b") {
        (2, bin)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, &*digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    Some(if negative {
        let signed = i64::try_from(magnitude).ok()?.checked_neg()?;
        Value::from(signed)
    } else {
        Value::from(magnitude)
    })
}

fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '_');
    let mantissa_ok = digits(whole)
        && fraction.is_none_or(digits)
        && (whole.chars().any(|c| c.is_ascii_digit())
            || fraction.is_some_and(|f| f.chars().any(|c| c.is_ascii_digit())));
    let has_point_or_exponent = fraction.is_some() || exponent.is_some();
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && has_point_or_exponent && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Document {
        let (mut docs, error) = parse(text);
        assert_eq!(error, None);
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    #[test]
    fn scalars_are_typed_like_kubernetes() {
        let doc = one(
            "a: yes\nb: '1'\nc: 0x1F\nd: 1.5\ne: ~\nf: 010\ng: -3\nh: 1e3\ni: 1.2.3\nj: !!str 5\nk: |\n  text\n",
        );
        assert_eq!(
            doc.value,
            json!({"a": true, "b": "1", "c": 31, "d": 1.5, "e": null, "f": 8, "g": -3,
                   "h": 1000.0, "i": "1.2.3", "j": "5", "k": "text\n"})
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
        let doc = one("base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\nref: *b\n");
        assert_eq!(
            doc.value,
            json!({"base": {"x": 1, "y": 2}, "use": {"x": 1, "y": 3}, "ref": {"x": 1, "y": 2}})
        );
    }

    #[test]
    fn hostile_nesting_and_alias_bombs_are_refused() {
        let deep = "[".repeat(MAX_DEPTH + 5);
        assert!(parse(&deep).1.unwrap().message.contains("nesting"));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..9 {
            let prev = (b'a' + level - 1) as char;
            let name = (b'a' + level) as char;
            bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse(&bomb).1.unwrap().message.contains("expands"));
    }
}
