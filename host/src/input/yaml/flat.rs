//! Writes a document's JSON text and the line of each node (in pre-order) straight from
//! the parser's events, without building a `Value` and a [`super::LineTree`] first.
//!
//! Only documents where that is exact take this path: a mapping at the root, no anchor,
//! no alias, no `<<` merge key, no duplicate key and nothing the [`super::builder`] would
//! refuse; and no `items` sequence at the root (a `List`, whose items the host unwraps
//! from its value). At the first event outside that, the writer gives up ([`Step::Fallback`]) and
//! the document is built the general way from its events. What the host reads of an
//! object besides its text (its identity and its waive annotations, [`Head`]) is captured
//! while writing.

use std::collections::HashSet;

use libyaml_safer::{EventData, ScalarStyle};

use super::builder::MAX_DEPTH;
use super::resolve::{self, Scalar};
use crate::input::manifest::{
    WAIVE_ANNOTATION, WAIVE_APPROVED_BY_ANNOTATION, WAIVE_EXPIRES_ANNOTATION,
    WAIVE_REASON_ANNOTATION,
};

/// One YAML document written directly as JSON text.
#[derive(Debug)]
pub struct FlatDocument {
    /// 0-based position in the file, counting empty documents.
    pub index: u32,
    /// Line where the document's content starts.
    pub line: u32,
    /// The document as compact JSON text, byte for byte what `Value::to_string` gives.
    pub json: String,
    /// Line of each node in pre-order of `json` (see [`super::LineTree::flatten`]).
    pub lines: Vec<u32>,
    pub head: Box<Head>,
}

/// The fields of a Kubernetes object the host reads besides its text, each only when it
/// is a string (as `Value::as_str` reads it).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    /// kustomize's `$patch` field.
    pub patch: Option<String>,
    /// `metadata.name`.
    pub name: Option<String>,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    /// The waive annotations of `metadata`, `spec.template.metadata` and
    /// `spec.jobTemplate.spec.template.metadata`, in that order.
    pub waivers: [WaiveTexts; 3],
}

/// The `tollgate.dev/waive*` annotations of one annotations mapping.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WaiveTexts {
    pub waive: Option<String>,
    pub reason: Option<String>,
    pub approved_by: Option<String>,
    pub expires: Option<String>,
}

impl WaiveTexts {
    /// The annotation `key`, if captured.
    pub fn get(&self, key: &str) -> Option<&str> {
        match key {
            WAIVE_ANNOTATION => self.waive.as_deref(),
            WAIVE_REASON_ANNOTATION => self.reason.as_deref(),
            WAIVE_APPROVED_BY_ANNOTATION => self.approved_by.as_deref(),
            WAIVE_EXPIRES_ANNOTATION => self.expires.as_deref(),
            _ => None,
        }
    }

    fn slot(&mut self, key: &str) -> Option<&mut Option<String>> {
        match key {
            WAIVE_ANNOTATION => Some(&mut self.waive),
            WAIVE_REASON_ANNOTATION => Some(&mut self.reason),
            WAIVE_APPROVED_BY_ANNOTATION => Some(&mut self.approved_by),
            WAIVE_EXPIRES_ANNOTATION => Some(&mut self.expires),
            _ => None,
        }
    }
}

/// What the writer made of one event.
pub(super) enum Step {
    /// Keep going.
    Continue,
    /// The document ended; `None` when it held no node.
    Done(Option<FlatDocument>),
    /// The document needs the general path, from its first event.
    Fallback,
}

/// Where a collection sits in a Kubernetes object, as far as [`Head`] cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The object itself.
    Root,
    /// A metadata mapping; its index in [`Head::waivers`].
    Metadata(usize),
    /// The annotations of that metadata.
    Annotations(usize),
    /// `spec`.
    Spec,
    /// `spec.template`.
    PodTemplate,
    /// `spec.jobTemplate`.
    JobTemplate,
    /// `spec.jobTemplate.spec`.
    JobSpec,
    /// `spec.jobTemplate.spec.template`.
    JobPodTemplate,
    /// Anywhere else: nothing below is captured.
    Elsewhere,
}

impl Place {
    /// The place of the value of `key` in a mapping at this place.
    fn child(self, key: &str) -> Place {
        match (self, key) {
            (Place::Root, "metadata") => Place::Metadata(0),
            (Place::Root, "spec") => Place::Spec,
            (Place::Metadata(slot), "annotations") => Place::Annotations(slot),
            (Place::Spec, "template") => Place::PodTemplate,
            (Place::Spec, "jobTemplate") => Place::JobTemplate,
            (Place::PodTemplate, "metadata") => Place::Metadata(1),
            (Place::JobTemplate, "spec") => Place::JobSpec,
            (Place::JobSpec, "template") => Place::JobPodTemplate,
            (Place::JobPodTemplate, "metadata") => Place::Metadata(2),
            _ => Place::Elsewhere,
        }
    }
}

/// A collection being written.
struct Frame {
    is_map: bool,
    place: Place,
    /// Nothing written inside yet.
    empty: bool,
    /// In a mapping: the key waiting for its value, with its line and its place.
    key: Option<PendingKey>,
    /// In a mapping: where its keys start in [`FlatWriter::keys`].
    keys_from: usize,
    /// In a mapping of more than [`MANY_KEYS`] keys: its keys, for the duplicate check.
    seen: Option<HashSet<Box<[u8]>>>,
}

/// Keys a mapping holds before the duplicate check looks them up in a set rather than
/// comparing each new key with every earlier one.
const MANY_KEYS: usize = 32;

/// A mapping key written, waiting for its value.
struct PendingKey {
    line: u32,
    place: Place,
    /// Byte range of the key's text (without quotes) in the JSON being written.
    text: (usize, usize),
}

/// Writes the documents of one file; reused from document to document.
pub(super) struct FlatWriter {
    json: Vec<u8>,
    lines: Vec<u32>,
    frames: Vec<Frame>,
    /// Byte ranges of the escaped keys of the open mappings, for the duplicate check.
    keys: Vec<(usize, usize)>,
    head: Head,
    /// The root has an `items` sequence.
    items_is_array: bool,
    root_done: bool,
}

impl FlatWriter {
    pub(super) fn new() -> Self {
        Self {
            json: Vec::new(),
            lines: Vec::new(),
            frames: Vec::new(),
            keys: Vec::new(),
            head: Head::default(),
            items_is_array: false,
            root_done: false,
        }
    }

    /// Feeds one event at `line`.
    pub(super) fn feed(&mut self, event: &EventData, line: u32) -> Step {
        let written = match event {
            EventData::DocumentStart { .. } => {
                self.start_document();
                Some(())
            }
            EventData::DocumentEnd { .. } => return self.end_document(),
            EventData::Scalar {
                anchor: None,
                tag,
                value,
                style,
                ..
            } => self.scalar(value, *style == ScalarStyle::Plain, tag.as_deref(), line),
            EventData::SequenceStart { anchor: None, .. } => self.start(false, line),
            EventData::MappingStart { anchor: None, .. } => self.start(true, line),
            EventData::SequenceEnd | EventData::MappingEnd => self.end(),
            EventData::StreamStart { .. } | EventData::StreamEnd => Some(()),
            EventData::Alias { .. }
            | EventData::Scalar { .. }
            | EventData::SequenceStart { .. }
            | EventData::MappingStart { .. } => None,
        };
        match written {
            Some(()) => Step::Continue,
            None => Step::Fallback,
        }
    }

    /// Starts a document, forgetting the last one.
    pub(super) fn start_document(&mut self) {
        self.json.clear();
        self.lines.clear();
        self.frames.clear();
        self.keys.clear();
        self.head = Head::default();
        self.items_is_array = false;
        self.root_done = false;
    }

    /// Ends the document: [`Step::Done`], or [`Step::Fallback`] for a `List`.
    pub(super) fn end_document(&mut self) -> Step {
        if self.items_is_array {
            return Step::Fallback;
        }
        Step::Done(self.finish())
    }

    /// The document written, if it had a root.
    fn finish(&mut self) -> Option<FlatDocument> {
        if !self.root_done {
            return None;
        }
        let json = String::from_utf8(self.json.clone()).expect("JSON written from strings");
        Some(FlatDocument {
            index: 0,
            line: self.lines[0],
            json,
            lines: self.lines.clone(),
            head: Box::new(std::mem::take(&mut self.head)),
        })
    }

    /// A scalar at `line`, plain or quoted, with its tag; `None` when the document must
    /// take the general path.
    pub(super) fn scalar(
        &mut self,
        text: &str,
        plain: bool,
        tag: Option<&str>,
        line: u32,
    ) -> Option<()> {
        let frame = self.frames.last()?;
        if frame.is_map && frame.key.is_none() {
            return self.key(text, plain, tag, line);
        }
        let resolved = resolve::resolve(text, plain, tag).ok()?;
        let (_, key) = self.place_value(line)?;
        match resolved {
            Scalar::Str(text) => {
                write_str(&mut self.json, &text);
                if let Some(key) = key {
                    self.capture(key, text);
                }
            }
            other => {
                let value = other.into_value().ok()?;
                serde_json::to_writer(&mut self.json, &value).ok()?;
            }
        }
        Some(())
    }

    /// A mapping key: written at once, checked against the mapping's other keys.
    fn key(&mut self, text: &str, plain: bool, tag: Option<&str>, line: u32) -> Option<()> {
        if plain && tag.is_none() && text == "<<" {
            return None;
        }
        let key = resolve::resolve(text, plain, tag).ok()?.into_key().ok()?;
        let frame = self.frames.last_mut()?;
        if !frame.empty {
            self.json.push(b',');
        }
        frame.empty = false;
        let start = self.json.len() + 1;
        write_str(&mut self.json, &key);
        let end = self.json.len() - 1;
        self.json.push(b':');
        let written = &self.json[start..end];
        let earlier = &self.keys[frame.keys_from..];
        let duplicate = match &mut frame.seen {
            Some(seen) => !seen.insert(written.into()),
            None if earlier.len() < MANY_KEYS => {
                earlier.iter().any(|&(s, e)| &self.json[s..e] == written)
            }
            None => {
                let mut seen: HashSet<Box<[u8]>> = earlier
                    .iter()
                    .map(|&(s, e)| self.json[s..e].into())
                    .collect();
                let duplicate = !seen.insert(written.into());
                frame.seen = Some(seen);
                duplicate
            }
        };
        if duplicate {
            return None;
        }
        self.keys.push((start, end));
        frame.key = Some(PendingKey {
            line,
            place: frame.place.child(&key),
            text: (start, end),
        });
        Some(())
    }

    /// Starts a value in the current collection: its separator and its line. Returns the
    /// value's place and, in a mapping, the byte range of its key (consuming the key).
    fn place_value(&mut self, line: u32) -> Option<(Place, Option<(usize, usize)>)> {
        let Some(frame) = self.frames.last_mut() else {
            self.lines.push(line);
            return Some((Place::Root, None));
        };
        if frame.is_map {
            let key = frame.key.take()?;
            self.lines.push(key.line);
            return Some((key.place, Some(key.text)));
        }
        if !frame.empty {
            self.json.push(b',');
        }
        frame.empty = false;
        self.lines.push(line);
        Some((Place::Elsewhere, None))
    }

    /// Keeps a string value of the key at `start..end` in the JSON text, if [`Head`]
    /// wants it.
    fn capture(&mut self, (start, end): (usize, usize), text: String) {
        let Some(frame) = self.frames.last() else {
            return;
        };
        let key = &self.json[start..end];
        let slot = match (frame.place, key) {
            (Place::Root, b"apiVersion") => &mut self.head.api_version,
            (Place::Root, b"kind") => &mut self.head.kind,
            (Place::Root, b"$patch") => &mut self.head.patch,
            (Place::Metadata(0), b"name") => &mut self.head.name,
            (Place::Metadata(0), b"namespace") => &mut self.head.namespace,
            (Place::Annotations(slot), key) => {
                let Some(slot) = std::str::from_utf8(key)
                    .ok()
                    .and_then(|key| self.head.waivers[slot].slot(key))
                else {
                    return;
                };
                slot
            }
            _ => return,
        };
        *slot = Some(text);
    }

    /// A mapping or sequence starting at `line`.
    pub(super) fn start(&mut self, is_map: bool, line: u32) -> Option<()> {
        if self.frames.len() >= MAX_DEPTH || (self.frames.is_empty() && !is_map) {
            return None;
        }
        if let Some(frame) = self.frames.last()
            && frame.is_map
            && frame.key.is_none()
        {
            return None;
        }
        let (place, key) = self.place_value(line)?;
        if !is_map
            && let (Some((start, end)), Some(Place::Root)) =
                (key, self.frames.last().map(|f| f.place))
        {
            self.items_is_array |= &self.json[start..end] == b"items";
        }
        self.json.push(if is_map { b'{' } else { b'[' });
        self.frames.push(Frame {
            is_map,
            place,
            empty: true,
            key: None,
            keys_from: self.keys.len(),
            seen: None,
        });
        Some(())
    }

    /// The end of the innermost open mapping or sequence.
    pub(super) fn end(&mut self) -> Option<()> {
        let frame = self.frames.pop()?;
        if frame.key.is_some() {
            return None;
        }
        self.keys.truncate(frame.keys_from);
        self.json.push(if frame.is_map { b'}' } else { b']' });
        if self.frames.is_empty() {
            self.root_done = true;
        }
        Some(())
    }
}

/// Writes `text` as a JSON string, escaped as serde_json escapes it.
fn write_str(json: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(&mut *json, text).expect("writing to memory");
}
