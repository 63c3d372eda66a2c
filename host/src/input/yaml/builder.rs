//! Builds JSON values and their line trees from parser events: anchors, aliases, `<<`
//! merges, duplicate keys, the depth cap and the alias budget.

use std::collections::HashMap;

use libyaml_safer::{EventData, ScalarStyle};
use serde_json::{Map, Value};

use super::resolve::{self, Scalar};
use super::{Children, Document, LineTree, YamlError};

/// Deepest nesting accepted; deeper input is an error, not a stack overflow. Below
/// serde_json's own limit of 128, so every accepted object also parses as JSON (in the
/// host and in the plugins).
pub(super) const MAX_DEPTH: usize = 100;

/// What one node weighs in the expanded size besides its text: about what it takes to
/// write one out (`- x` or `k: v` on a line).
const NODE_WEIGHT: u64 = 8;
/// What copies (aliases and the anchors they copy from) may add to a file, per byte of
/// the file: the expanded size stays within a small multiple of the input.
const COPY_BYTES_PER_INPUT_BYTE: u64 = 4;
/// What copies may add to any file, however small (1 MiB).
const COPY_BYTES_FLOOR: u64 = 1 << 20;

/// A finished node: its value, its lines and its expanded size (text bytes plus
/// [`NODE_WEIGHT`] per node, aliases included).
#[derive(Clone)]
struct Node {
    value: Value,
    lines: LineTree,
    size: u64,
}

/// How a scalar event was written.
struct ScalarEvent<'a> {
    text: &'a str,
    plain: bool,
    tag: Option<&'a str>,
    anchor: Option<String>,
}

/// A collection being built.
struct Frame {
    line: u32,
    anchor: Option<String>,
    /// Expanded size of the collection so far.
    size: u64,
    kind: FrameKind,
}

enum FrameKind {
    Seq {
        items: Vec<Value>,
        lines: Vec<LineTree>,
    },
    Map {
        map: Map<String, Value>,
        lines: Vec<(String, LineTree)>,
        key: Option<Key>,
        /// Keys that came from a `<<` merge and may still be overridden.
        merged: Vec<String>,
    },
}

/// A mapping key waiting for its value.
enum Key {
    Name(String, u32),
    /// A plain `<<`: the value is merged into the mapping.
    Merge(u32),
}

/// Turns the events of one file into documents. Anchors live for one document; the copy
/// budget spans the whole file.
pub(super) struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<String, Node>,
    root: Option<Node>,
    /// Position of the current document in the file, counting empty ones.
    document_index: u32,
    /// Bytes that copies may still add to the file's expanded size.
    copy_budget: u64,
    copy_limit: u64,
}

impl Builder {
    /// A builder for a file of `input_bytes`.
    pub(super) fn new(input_bytes: usize) -> Self {
        let copy_limit = (input_bytes as u64)
            .saturating_mul(COPY_BYTES_PER_INPUT_BYTE)
            .saturating_add(COPY_BYTES_FLOOR);
        Self {
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            document_index: 0,
            copy_budget: copy_limit,
            copy_limit,
        }
    }

    /// Feeds one parser event at `line`; returns a document when one ends (unless it was
    /// empty or null).
    pub(super) fn feed(
        &mut self,
        event: EventData,
        line: u32,
    ) -> Result<Option<Document>, YamlError> {
        match event {
            EventData::DocumentStart { .. } => self.start_document(),
            EventData::DocumentEnd { .. } => return Ok(self.end_document()),
            EventData::Scalar {
                anchor,
                tag,
                value,
                style,
                ..
            } => {
                let scalar = ScalarEvent {
                    text: &value,
                    plain: style == ScalarStyle::Plain,
                    tag: tag.as_deref(),
                    anchor,
                };
                self.scalar(scalar, line)?;
            }
            EventData::Alias { anchor } => self.alias(&anchor, line)?,
            EventData::SequenceStart { anchor, .. } => {
                self.start_collection(false, anchor, line)?
            }
            EventData::MappingStart { anchor, .. } => self.start_collection(true, anchor, line)?,
            EventData::SequenceEnd | EventData::MappingEnd => self.end_collection(line)?,
            EventData::StreamStart { .. } | EventData::StreamEnd => {}
        }
        Ok(None)
    }

    fn start_document(&mut self) {
        self.anchors.clear();
        self.stack.clear();
        self.root = None;
    }

    fn end_document(&mut self) -> Option<Document> {
        let index = self.document_index;
        self.document_index += 1;
        let root = self.root.take().filter(|node| !node.value.is_null())?;
        Some(Document {
            index,
            line: root.lines.line,
            value: root.value,
            lines: root.lines,
        })
    }

    fn scalar(&mut self, event: ScalarEvent<'_>, line: u32) -> Result<(), YamlError> {
        let error = |message: String| YamlError { line, message };
        let size = NODE_WEIGHT + event.text.len() as u64;
        if self.expecting_key() {
            let key = if event.plain && event.tag.is_none() && event.text == "<<" {
                Key::Merge(line)
            } else {
                let scalar = resolve::resolve(event.text, event.plain, event.tag).map_err(error)?;
                if let (Some(anchor), Ok(value)) = (event.anchor, scalar.clone().into_value()) {
                    self.spend(size, line)?;
                    let node = Node {
                        value,
                        lines: leaf(line),
                        size,
                    };
                    self.anchors.insert(anchor, node);
                }
                Key::Name(scalar.into_key().map_err(error)?, line)
            };
            self.set_key(key, size);
            return Ok(());
        }
        let scalar = resolve::resolve(event.text, event.plain, event.tag).map_err(error)?;
        let value = scalar.into_value().map_err(error)?;
        let node = Node {
            value,
            lines: leaf(line),
            size,
        };
        self.complete(node, event.anchor)
    }

    fn alias(&mut self, anchor: &str, line: u32) -> Result<(), YamlError> {
        let error = |message: String| YamlError { line, message };
        let size = self
            .anchors
            .get(anchor)
            .ok_or_else(|| error(format!("alias *{anchor} to an unknown anchor")))?
            .size;
        self.spend(size, line)?;
        let node = self.anchors[anchor].clone();
        if self.expecting_key() {
            let key = match node.value {
                Value::Array(_) | Value::Object(_) => {
                    return Err(error("a mapping key must be a scalar".into()));
                }
                Value::String(text) => text,
                scalar => value_key(scalar).map_err(error)?,
            };
            self.set_key(Key::Name(key, line), size);
            return Ok(());
        }
        self.complete(node, None)
    }

    fn start_collection(
        &mut self,
        is_mapping: bool,
        anchor: Option<String>,
        line: u32,
    ) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                line,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        if self.expecting_key() {
            return Err(YamlError {
                line,
                message: "a mapping key must be a scalar".into(),
            });
        }
        let kind = if is_mapping {
            FrameKind::Map {
                map: Map::new(),
                lines: Vec::new(),
                key: None,
                merged: Vec::new(),
            }
        } else {
            FrameKind::Seq {
                items: Vec::new(),
                lines: Vec::new(),
            }
        };
        self.stack.push(Frame {
            line,
            anchor,
            size: NODE_WEIGHT,
            kind,
        });
        Ok(())
    }

    fn end_collection(&mut self, line: u32) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Err(YamlError {
                line,
                message: "unbalanced collection end".into(),
            });
        };
        let (value, children) = match frame.kind {
            FrameKind::Seq { items, lines } => (Value::Array(items), Children::Seq(lines)),
            FrameKind::Map { map, lines, .. } => (Value::Object(map), Children::Map(lines)),
        };
        let node = Node {
            value,
            lines: LineTree {
                line: frame.line,
                children,
            },
            size: frame.size,
        };
        self.complete(node, frame.anchor)
    }

    /// Takes `size` from the copy budget, before the copy is made (so a refused copy costs
    /// nothing).
    fn spend(&mut self, size: u64, line: u32) -> Result<(), YamlError> {
        self.copy_budget = self.copy_budget.checked_sub(size).ok_or_else(|| YamlError {
            line,
            message: format!(
                "anchors and aliases expand the file past {} bytes ({COPY_BYTES_PER_INPUT_BYTE} times its size plus 1 MiB); refused",
                self.copy_limit
            ),
        })?;
        Ok(())
    }

    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: FrameKind::Map { key: None, .. },
                ..
            })
        )
    }

    fn set_key(&mut self, new_key: Key, size: u64) {
        if let Some(Frame {
            kind: FrameKind::Map { key, .. },
            size: frame_size,
            ..
        }) = self.stack.last_mut()
        {
            *key = Some(new_key);
            *frame_size += size;
        }
    }

    /// Places a finished node into its parent (or as the document root).
    fn complete(&mut self, node: Node, anchor: Option<String>) -> Result<(), YamlError> {
        if let Some(anchor) = anchor {
            self.spend(node.size, node.lines.line)?;
            self.anchors.insert(anchor, node.clone());
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        frame.size += node.size;
        match &mut frame.kind {
            FrameKind::Seq { items, lines } => {
                items.push(node.value);
                lines.push(node.lines);
            }
            FrameKind::Map {
                map,
                lines,
                key,
                merged,
            } => match key.take() {
                None => {
                    return Err(YamlError {
                        line: node.lines.line,
                        message: "a mapping key must be a scalar".into(),
                    });
                }
                Some(Key::Merge(key_line)) => {
                    merge(map, lines, merged, node).map_err(|message| YamlError {
                        line: key_line,
                        message,
                    })?;
                }
                Some(Key::Name(name, key_line)) => {
                    insert(map, lines, merged, name, key_line, node)?;
                }
            },
        }
        Ok(())
    }
}

/// Sets `name` in a mapping; a duplicate is an error unless it overrides a merged key.
fn insert(
    map: &mut Map<String, Value>,
    lines: &mut Vec<(String, LineTree)>,
    merged: &mut Vec<String>,
    name: String,
    key_line: u32,
    node: Node,
) -> Result<(), YamlError> {
    if map.contains_key(&name) {
        let Some(pos) = merged.iter().position(|k| *k == name) else {
            return Err(YamlError {
                line: key_line,
                message: format!("duplicate key {name:?}"),
            });
        };
        merged.swap_remove(pos);
        lines.retain(|(k, _)| *k != name);
    }
    let entry = LineTree {
        line: key_line,
        children: node.lines.children,
    };
    lines.push((name.clone(), entry));
    map.insert(name, node.value);
    Ok(())
}

/// Applies a `<<` merge: fields of the merged mapping(s) that the map lacks; with a list,
/// earlier mappings win.
fn merge(
    map: &mut Map<String, Value>,
    field_lines: &mut Vec<(String, LineTree)>,
    merged: &mut Vec<String>,
    node: Node,
) -> Result<(), String> {
    let sources: Vec<(Value, LineTree)> = match node.value {
        Value::Object(_) => vec![(node.value, node.lines)],
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| (item, node.lines.item(i).cloned().unwrap_or_default()))
            .collect(),
        _ => return Err("a << merge takes a mapping or a list of mappings".into()),
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

/// The key text of an aliased scalar value (already resolved).
fn value_key(value: Value) -> Result<String, String> {
    let scalar = match value {
        Value::Null => Scalar::Null,
        Value::Bool(b) => Scalar::Bool(b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Scalar::Int(i),
            (None, Some(u)) => Scalar::UInt(u),
            _ => Scalar::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => Scalar::Str(s),
        Value::Array(_) | Value::Object(_) => return Err("a mapping key must be a scalar".into()),
    };
    scalar.into_key()
}

fn leaf(line: u32) -> LineTree {
    LineTree {
        line,
        children: Children::None,
    }
}
