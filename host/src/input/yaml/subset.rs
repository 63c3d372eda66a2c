//! A reader for the plain subset of YAML that most manifests are written in, several times
//! faster than libyaml on it: block mappings and sequences indented with spaces (indentless
//! and compact ones too), plain scalars and single- and double-quoted ones (wrapped over
//! lines or not, escapes included), literal and folded block scalars, one-line flow
//! collections, comments and `---` between documents.
//!
//! It feeds the [`FlatWriter`] the events libyaml would give, at the same lines, and takes
//! a file only when every document of it is written flat. At the first thing outside the
//! subset (a tab, a carriage return, an anchor, an alias, a tag, an escaped line break, a
//! directive, a block scalar's indentation indicator, a line of spaces inside a scalar, a
//! key near libyaml's length limit, anything libyaml would refuse) it gives up, and the whole file
//! is read by libyaml: the subset never decides what a file means, or what is wrong with
//! it, on its own. Its tests and those of [`super`] hold it to libyaml's results.

use std::borrow::Cow;

use super::ParsedDocument;
use super::flat::{FlatDocument, FlatWriter, Step};

/// Longest key taken, as written (quotes and escapes included, up to its `:`). libyaml
/// refuses a key whose `:` is more than 1,024 bytes past its start; keys near that limit
/// go to libyaml, so that none depends on exactly how it counts.
const MAX_KEY_BYTES: usize = 1000;

/// The documents of `text`, each written flat, if all of `text` is in the subset.
pub(super) fn parse_flat(text: &str) -> Option<Vec<ParsedDocument>> {
    if !in_alphabet(text) {
        return None;
    }
    let mut reader = Reader {
        writer: FlatWriter::new(),
        documents: Vec::new(),
        blocks: Vec::new(),
        pending: None,
        scalar: None,
        plain: None,
        quoted: None,
        document: None,
    };
    // Line breaks found with `memchr`'s vector search: `str::split` finds them a word at
    // a time, a tenth of the reading.
    let (mut start, mut number) = (0, 0);
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        number += 1;
        reader.line(&text[start..end], true, number)?;
        start = end + 1;
    }
    if start < text.len() {
        reader.line(&text[start..], false, number + 1)?;
    }
    if reader.quoted.is_some() {
        // The text ends inside a quoted scalar: libyaml says so.
        return None;
    }
    reader.end_scalar()?;
    reader.end_plain()?;
    reader.end_document()?;
    Some(reader.documents)
}

/// Whether every character of `text` is one the subset reads as libyaml does: no tab, no
/// carriage return or other control character, no byte order mark, none of the line
/// breaks YAML 1.1 adds (NEL, U+2028, U+2029).
fn in_alphabet(text: &str) -> bool {
    let ascii = |b: u8| b == b'\n' || (0x20..0x7f).contains(&b);
    if text.bytes().all(ascii) {
        return true;
    }
    text.chars().all(|c| match c {
        c if c.is_ascii() => ascii(c as u8),
        '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
            false
        }
        _ => true,
    })
}

/// An open block collection.
struct Block {
    is_map: bool,
    /// Column of its keys or dashes.
    indent: usize,
    /// A sequence at its parent key's column (`key:` then `- item` below it).
    indentless: bool,
}

impl Block {
    /// A mapping or sequence whose keys or dashes are at column `indent`.
    fn new(is_map: bool, indent: usize) -> Self {
        Self {
            is_map,
            indent,
            indentless: false,
        }
    }
}

/// What the last line left waiting for a value on a later line.
enum Pending {
    /// `key:` in the mapping at this column.
    Value { indent: usize },
    /// `-` in the sequence at this column.
    Item { indent: usize },
}

/// The document being read.
struct OpenDocument {
    /// Index in the file, counting empty documents.
    index: u32,
    /// Its root mapping started.
    started: bool,
}

/// How a block scalar ends ([YAML 1.2, 8.1.1.2](https://yaml.org/spec/1.2.2/#8112-block-chomping-indicator)).
#[derive(Clone, Copy)]
enum Chomp {
    /// `-`: no line break at the end.
    Strip,
    /// The last line's break, not the empty lines after it.
    Clip,
    /// `+`: every break at the end.
    Keep,
}

/// A literal (`|`) or folded (`>`) block scalar whose lines are being read.
struct BlockScalar {
    literal: bool,
    chomp: Chomp,
    /// Line of its header: its event's.
    line: u32,
    /// Column of the collection it is a value in: its lines must be deeper.
    parent: usize,
    /// Column of its lines, from its first one.
    indent: Option<usize>,
    value: String,
    /// Empty lines since the last line of content (or since the header).
    breaks: usize,
}

impl BlockScalar {
    /// Takes `line` (`broken` when a line break ends it) if it belongs to the scalar;
    /// `Some(false)` when the scalar ended before it.
    fn take(&mut self, line: &str, broken: bool) -> Option<bool> {
        let Some((column, _)) = inside(line)? else {
            self.breaks += 1;
            return Some(true);
        };
        let first = self.indent.is_none();
        let indent = match self.indent {
            Some(indent) if column < indent => return Some(false),
            Some(indent) => indent,
            // A first line no deeper than the collection: the scalar is empty.
            None if column <= self.parent => return None,
            None => *self.indent.insert(column),
        };
        let text = &line[indent..];
        if !broken || (!self.literal && text.starts_with(' ')) {
            return None;
        }
        // What joins this line to the one before: in a literal scalar, every line break;
        // in a folded one, a space, or the empty lines between them. Empty lines before
        // the first line are kept in both.
        if first || !self.literal && self.breaks > 0 {
            self.value.extend(std::iter::repeat_n('\n', self.breaks));
        } else if self.literal {
            self.value
                .extend(std::iter::repeat_n('\n', 1 + self.breaks));
        } else {
            self.value.push(' ');
        }
        self.value.push_str(text);
        self.breaks = 0;
        Some(true)
    }

    /// The scalar's value, once its lines are read.
    fn finish(mut self) -> Option<String> {
        self.indent?;
        match self.chomp {
            Chomp::Strip => {}
            Chomp::Clip => self.value.push('\n'),
            Chomp::Keep => self
                .value
                .extend(std::iter::repeat_n('\n', 1 + self.breaks)),
        }
        Some(self.value)
    }
}

/// A plain scalar that may go on over the next lines, folded.
struct PlainScalar<'t> {
    value: Cow<'t, str>,
    /// Line of its start: its event's.
    line: u32,
    /// Column of the collection it is a value in: lines that go on with it are deeper.
    parent: usize,
    /// Empty lines since its last line.
    breaks: usize,
}

impl PlainScalar<'_> {
    /// Takes `line` if it goes on with the scalar; `Some(false)` when the scalar ended
    /// before it.
    fn take(&mut self, line: &str) -> Option<bool> {
        let Some((column, content)) = inside(line)? else {
            self.breaks += 1;
            return Some(true);
        };
        if column <= self.parent || content.starts_with('#') {
            return Some(false);
        }
        // In the middle of a scalar, indicators are text, as libyaml reads them: CRDs'
        // descriptions wrap before `--dry-run`, `"2m"` and `` `Unknown` ``. A `: ` or a
        // ` #` on the line would end it: those are left to libyaml.
        let text = content.trim_end_matches(' ');
        if marks(text) != (None, None) {
            return None;
        }
        let value = self.value.to_mut();
        if self.breaks == 0 {
            value.push(' ');
        } else {
            value.extend(std::iter::repeat_n('\n', self.breaks));
        }
        value.push_str(text);
        self.breaks = 0;
        Some(true)
    }
}

/// A single- or double-quoted scalar that did not end on its first line, read on over the
/// next lines and folded as libyaml folds it: a line break between two lines is a space,
/// each empty line a line break; spaces around a break are dropped, and an escaped line
/// break (`\` at a line's end) joins the lines as they are.
struct QuotedScalar {
    double: bool,
    value: String,
    /// Line of its start: its event's.
    line: u32,
    /// Column of the collection it is a value in: the lines that go on with it are deeper
    /// (libyaml does not ask as much, but refuses `---` at the start of a line).
    parent: usize,
    /// Line breaks since the last line of content, the escaped one not counted.
    breaks: usize,
    /// That line ended with an escaped line break.
    escaped: bool,
}

impl QuotedScalar {
    /// A scalar whose opening quote starts `text`, read to the end of its line; `None`
    /// for something outside the subset, such as an escape libyaml refuses.
    fn open(text: &str, line: u32, parent: usize) -> Option<Self> {
        let mut scalar = Self {
            double: text.starts_with('"'),
            value: String::new(),
            line,
            parent,
            breaks: 0,
            escaped: false,
        };
        match scalar.read(&text[1..])? {
            // One-line scalars are read by `quoted`, which would have taken this one.
            Some(_) => None,
            None => Some(scalar),
        }
    }

    /// Takes the next line: what follows the closing quote when the scalar ends on it.
    fn take<'l>(&mut self, line: &'l str) -> Option<Option<&'l str>> {
        let content = line.trim_start_matches(' ');
        if content.is_empty() {
            self.breaks += 1;
            return Some(None);
        }
        if line.len() - content.len() <= self.parent {
            return None;
        }
        if self.escaped {
            self.value.extend(std::iter::repeat_n('\n', self.breaks));
        } else if self.breaks == 1 {
            self.value.push(' ');
        } else {
            self.value
                .extend(std::iter::repeat_n('\n', self.breaks - 1));
        }
        self.read(content)
    }

    /// Reads `text`, the scalar's part of one line, into its value: what follows the
    /// closing quote if it is on this line, `Some(None)` when the line ends inside it.
    fn read<'l>(&mut self, mut text: &'l str) -> Option<Option<&'l str>> {
        loop {
            let stop = if self.double {
                text.find(['"', '\\'])
            } else {
                text.find('\'')
            };
            let Some(end) = stop else {
                // Spaces before a line break are not content.
                self.value.push_str(text.trim_end_matches(' '));
                (self.breaks, self.escaped) = (1, false);
                return Some(None);
            };
            self.value.push_str(&text[..end]);
            let after = &text[end + 1..];
            match text.as_bytes()[end] {
                b'\\' if after.is_empty() => {
                    (self.breaks, self.escaped) = (0, true);
                    return Some(None);
                }
                b'\\' => {
                    let (escaped, after) = escape(after)?;
                    self.value.push(escaped);
                    text = after;
                }
                b'\'' if after.starts_with('\'') => {
                    self.value.push('\'');
                    text = &after[1..];
                }
                _ => return Some(Some(after)),
            }
        }
    }
}

/// Reads a file line by line into the [`FlatWriter`], keeping the block structure that
/// indentation opens and closes.
struct Reader<'t> {
    writer: FlatWriter,
    /// The documents written so far.
    documents: Vec<ParsedDocument>,
    /// The open block collections, outermost first.
    blocks: Vec<Block>,
    /// What the last line left waiting for a value.
    pending: Option<Pending>,
    /// A block scalar being read.
    scalar: Option<BlockScalar>,
    /// A plain scalar that may go on.
    plain: Option<PlainScalar<'t>>,
    /// A quoted scalar that goes on over lines.
    quoted: Option<QuotedScalar>,
    /// The document being read, once a `---` or content started one.
    document: Option<OpenDocument>,
}

impl<'t> Reader<'t> {
    /// One line, without its line break (`broken` when it had one).
    fn line(&mut self, line: &'t str, broken: bool, number: u32) -> Option<()> {
        if let Some(quoted) = &mut self.quoted {
            let Some(rest) = quoted.take(line)? else {
                return Some(());
            };
            let quoted = self.quoted.take()?;
            self.writer
                .scalar(&quoted.value, false, None, quoted.line)?;
            return ends_line(rest).then_some(());
        }
        if let Some(scalar) = &mut self.scalar {
            if scalar.take(line, broken)? {
                return Some(());
            }
            self.end_scalar()?;
        }
        if let Some(plain) = &mut self.plain {
            if plain.take(line)? {
                return Some(());
            }
            self.end_plain()?;
        }
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            return Some(());
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            if let Some(after) = marker(line, "---") {
                if !is_blank(after) {
                    return None;
                }
                self.end_document()?;
                self.start_document();
                return Some(());
            }
            if marker(line, "...").is_some() || line.starts_with('%') {
                return None;
            }
        }
        self.content(indent, content, number)
    }

    /// Writes the block scalar that was being read, if any.
    fn end_scalar(&mut self) -> Option<()> {
        let Some(scalar) = self.scalar.take() else {
            return Some(());
        };
        let line = scalar.line;
        self.writer.scalar(&scalar.finish()?, false, None, line)
    }

    /// Writes the plain scalar that may have gone on, if any.
    fn end_plain(&mut self) -> Option<()> {
        let Some(plain) = self.plain.take() else {
            return Some(());
        };
        self.writer.scalar(&plain.value, true, None, plain.line)
    }

    /// Starts a document, after a `---` or at its first content. Every earlier document
    /// was taken, so its index is their number.
    fn start_document(&mut self) {
        let index = self.documents.len() as u32;
        self.document = Some(OpenDocument {
            index,
            started: false,
        });
        self.writer.start_document();
    }

    /// Ends the document being read, if any. A document without content (`---` and
    /// nothing after it) is a null one, which the general path reads.
    fn end_document(&mut self) -> Option<()> {
        let Some(open) = self.document.take() else {
            return Some(());
        };
        if !open.started {
            return None;
        }
        match self.pending.take() {
            // A `key:` left waiting at the end holds null.
            // (A mapping value's line is its key's: the line given is never used.)
            Some(Pending::Value { .. }) => self.writer.scalar("", true, None, 0)?,
            Some(Pending::Item { .. }) => return None,
            None => {}
        }
        for _ in self.blocks.drain(..) {
            self.writer.end()?;
        }
        let Step::Done(Some(document)) = self.writer.end_document() else {
            return None;
        };
        let document = FlatDocument {
            index: open.index,
            ..document
        };
        self.documents.push(ParsedDocument::Flat(document));
        Some(())
    }

    /// A line holding content, `indent` spaces in.
    fn content(&mut self, indent: usize, text: &'t str, number: u32) -> Option<()> {
        if self.document.is_none() {
            self.start_document();
        }
        let dash = is_dash(text);
        match self.pending.take() {
            Some(Pending::Value { indent: key }) => {
                if indent > key || (indent == key && dash) {
                    let block = Block {
                        is_map: !dash,
                        indent,
                        indentless: indent == key,
                    };
                    return self.open(block, text, number);
                }
                // Nothing below the key: its value is null (a mapping value's line is its
                // key's, so the line given here is never used).
                self.writer.scalar("", true, None, number)?;
            }
            Some(Pending::Item { indent: item }) => {
                return if indent > item {
                    self.open(Block::new(!dash, indent), text, number)
                } else {
                    None
                };
            }
            None => {}
        }
        while let Some(top) = self.blocks.last() {
            let ended = top.indent > indent || (top.indent == indent && !top.is_map && !dash);
            if !ended {
                break;
            }
            if top.indent == indent && !top.indentless {
                return None;
            }
            self.blocks.pop();
            self.writer.end()?;
        }
        let document = self.document.as_mut()?;
        match self.blocks.last() {
            Some(top) if top.indent == indent && top.is_map != dash => {
                self.entry(indent, text, number)
            }
            None if !document.started && !dash => {
                document.started = true;
                self.open(Block::new(true, indent), text, number)
            }
            _ => None,
        }
    }

    /// Opens `block`, whose first line is `text`, and reads that line.
    fn open(&mut self, block: Block, text: &'t str, number: u32) -> Option<()> {
        self.writer.start(block.is_map, number)?;
        let indent = block.indent;
        self.blocks.push(block);
        self.entry(indent, text, number)
    }

    /// A line of the collection on top: a `- item` of a sequence or a `key: value` of a
    /// mapping.
    fn entry(&mut self, indent: usize, text: &'t str, number: u32) -> Option<()> {
        if is_dash(text) {
            let rest = &text[1..];
            let item = rest.trim_start_matches(' ');
            let column = indent + 1 + (rest.len() - item.len());
            if is_blank(item) {
                self.pending = Some(Pending::Item { indent });
                return Some(());
            }
            if is_dash(item) {
                return None;
            }
            if split_key(item)?.is_some() {
                return self.open(Block::new(true, column), item, number);
            }
            return self.value(item, number);
        }
        let (key, plain, rest) = split_key(text)??;
        if text.len() - rest.len() > MAX_KEY_BYTES {
            return None;
        }
        self.writer.scalar(&key, plain, None, number)?;
        let value = rest.trim_start_matches(' ');
        if is_blank(value) {
            self.pending = Some(Pending::Value { indent });
            return Some(());
        }
        self.value(value, number)
    }

    /// A value that starts on its line and ends there: a scalar or a flow collection.
    fn value(&mut self, text: &'t str, number: u32) -> Option<()> {
        let rest = match text.as_bytes()[0] {
            b'[' | b'{' => self.flow(text, number)?,
            indicator @ (b'|' | b'>') => {
                let (chomp, rest) = match text.as_bytes().get(1) {
                    Some(b'-') => (Chomp::Strip, &text[2..]),
                    Some(b'+') => (Chomp::Keep, &text[2..]),
                    _ => (Chomp::Clip, &text[1..]),
                };
                self.scalar = Some(BlockScalar {
                    literal: indicator == b'|',
                    chomp,
                    line: number,
                    parent: self.blocks.last()?.indent,
                    indent: None,
                    value: String::new(),
                    breaks: 0,
                });
                rest
            }
            b'"' | b'\'' => {
                let Some((value, rest)) = quoted(text) else {
                    let parent = self.blocks.last()?.indent;
                    self.quoted = Some(QuotedScalar::open(text, number, parent)?);
                    return Some(());
                };
                self.writer.scalar(&value, false, None, number)?;
                rest
            }
            _ => {
                let (value, commented) = plain_block(text)?;
                if commented {
                    // A comment ends it: no line goes on with it.
                    return self.writer.scalar(value, true, None, number);
                }
                self.plain = Some(PlainScalar {
                    value: Cow::Borrowed(value),
                    line: number,
                    parent: self.blocks.last()?.indent,
                    breaks: 0,
                });
                return Some(());
            }
        };
        ends_line(rest).then_some(())
    }

    /// A one-line flow collection at the start of `text`; returns what follows it.
    fn flow<'f>(&mut self, text: &'f str, number: u32) -> Option<&'f str> {
        let is_map = text.starts_with('{');
        let close = if is_map { '}' } else { ']' };
        self.writer.start(is_map, number)?;
        let mut rest = text[1..].trim_start_matches(' ');
        if let Some(after) = rest.strip_prefix(close) {
            self.writer.end()?;
            return Some(after);
        }
        loop {
            if is_map {
                let (key, plain, after) = flow_scalar(rest)?;
                if rest.len() - after.len() > MAX_KEY_BYTES {
                    return None;
                }
                self.writer.scalar(&key, plain, None, number)?;
                rest = after.strip_prefix(": ")?.trim_start_matches(' ');
            }
            rest = match rest.as_bytes().first()? {
                b'[' | b'{' => self.flow(rest, number)?,
                _ => {
                    let (value, plain, after) = flow_scalar(rest)?;
                    self.writer.scalar(&value, plain, None, number)?;
                    after
                }
            }
            .trim_start_matches(' ');
            if let Some(after) = rest.strip_prefix(close) {
                self.writer.end()?;
                return Some(after);
            }
            rest = rest.strip_prefix(',')?.trim_start_matches(' ');
            if rest.starts_with(close) {
                return None;
            }
        }
    }
}

/// A line met inside a scalar that may go on: its column and content, or `Some(None)` for
/// an empty line (a line break of the scalar's). `None` for a line of spaces only, which
/// libyaml may count towards a block scalar's indentation.
fn inside(line: &str) -> Option<Option<(usize, &str)>> {
    let content = line.trim_start_matches(' ');
    match (content.is_empty(), line.is_empty()) {
        (false, _) => Some(Some((line.len() - content.len(), content))),
        (true, true) => Some(None),
        (true, false) => None,
    }
}

/// What follows `marker` on a line that starts with it as a document marker.
fn marker<'t>(line: &'t str, marker: &str) -> Option<&'t str> {
    let after = line.strip_prefix(marker)?;
    (after.is_empty() || after.starts_with(' ')).then_some(after)
}

/// Nothing but spaces and maybe a comment.
fn is_blank(text: &str) -> bool {
    let text = text.trim_start_matches(' ');
    text.is_empty() || text.starts_with('#')
}

/// What may follow a value on its line: spaces, then maybe a comment after a space.
fn ends_line(rest: &str) -> bool {
    rest.is_empty() || (rest.starts_with(' ') && is_blank(rest))
}

/// A block sequence entry: `-` alone or followed by a space.
fn is_dash(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// Whether a plain scalar may start with `text` (in block context; flow context also
/// refuses a `-` before a flow indicator, which [`flow_scalar`] checks).
fn starts_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    match bytes.first() {
        None => false,
        Some(b'-' | b'?' | b':') => bytes.get(1).is_some_and(|&b| b != b' '),
        Some(
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`',
        ) => false,
        Some(_) => true,
    }
}

/// A scalar read from a line: its text, whether it is plain, and what follows it.
type ScalarRead<'t> = (Cow<'t, str>, bool, &'t str);

/// A mapping entry's key and what follows its `:`, if `text` starts with one; `None` when
/// it is outside the subset; `Some(None)` when `text` holds no key.
fn split_key(text: &str) -> Option<Option<ScalarRead<'_>>> {
    if text.starts_with(['"', '\'']) {
        let Some((key, rest)) = quoted(text) else {
            // Not closed on its line: a value that goes on over lines (a key cannot).
            return Some(None);
        };
        return Some(match rest.strip_prefix(':') {
            Some(after) if after.is_empty() || after.starts_with(' ') => Some((key, false, after)),
            _ => None,
        });
    }
    if text.starts_with(['[', '{']) {
        // A flow collection: a value here (one followed by `:` is a key, which the
        // value's end of line refuses).
        return Some(None);
    }
    let (Some(end), comment) = marks(text) else {
        return Some(None);
    };
    let key = &text[..end];
    if !starts_plain(key) || key.ends_with(' ') || comment.is_some_and(|c| c < end) {
        return None;
    }
    Some(Some((Cow::Borrowed(key), true, &text[end + 1..])))
}

/// Where `text` first holds a `:` that ends a plain scalar (one before a space or at the
/// end), and where it first holds a ` #` that starts a comment: one pass over its bytes.
fn marks(text: &str) -> (Option<usize>, Option<usize>) {
    let bytes = text.as_bytes();
    let (mut colon, mut comment) = (None, None);
    for at in memchr::memchr2_iter(b':', b'#', bytes) {
        if bytes[at] == b':' {
            if colon.is_none() && bytes.get(at + 1).is_none_or(|&b| b == b' ') {
                colon = Some(at);
            }
        } else if comment.is_none() && at > 0 && bytes[at - 1] == b' ' {
            comment = Some(at - 1);
        }
        if colon.is_some() && comment.is_some() {
            break;
        }
    }
    (colon, comment)
}

/// A plain scalar taking the rest of a line in block context, and whether a comment
/// follows it.
fn plain_block(text: &str) -> Option<(&str, bool)> {
    if !starts_plain(text) {
        return None;
    }
    let (colon, comment) = marks(text);
    let value = text[..comment.unwrap_or(text.len())].trim_end_matches(' ');
    // A `: ` inside it, or a `:` at its end.
    if colon.is_some_and(|c| c < value.len()) {
        return None;
    }
    Some((value, comment.is_some()))
}

/// A scalar inside a flow collection: plain, or quoted; with what follows it.
fn flow_scalar(text: &str) -> Option<ScalarRead<'_>> {
    if text.starts_with(['"', '\'']) {
        let (value, rest) = quoted(text)?;
        return Some((value, false, rest));
    }
    let indicator = |b: u8| matches!(b, b',' | b'[' | b']' | b'{' | b'}');
    let bytes = text.as_bytes();
    // In a flow collection, `?` starts a key whatever follows it.
    if !starts_plain(text) || bytes[0] == b'?' || (bytes[0] == b'-' && indicator(bytes[1])) {
        return None;
    }
    let end = bytes.iter().position(|&b| indicator(b) || b == b':')?;
    if bytes[end] == b':' && !text[end..].starts_with(": ") {
        return None;
    }
    let value = text[..end].trim_end_matches(' ');
    if value.contains(" #") {
        return None;
    }
    Some((Cow::Borrowed(value), true, &text[end..]))
}

/// A one-line quoted scalar at the start of `text`, and what follows it.
fn quoted(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let body = &text[1..];
    if text.starts_with('"') {
        return double_quoted(body);
    }
    let mut value = Cow::Borrowed("");
    let mut rest = body;
    loop {
        let end = rest.find('\'')?;
        let (part, after) = (&rest[..end], &rest[end + 1..]);
        if let Some(after) = after.strip_prefix('\'') {
            value.to_mut().push_str(part);
            value.to_mut().push('\'');
            rest = after;
            continue;
        }
        if value.is_empty() {
            value = Cow::Borrowed(part);
        } else {
            value.to_mut().push_str(part);
        }
        return Some((value, after));
    }
}

/// A one-line double-quoted scalar from the text after its opening quote, with its escapes
/// read as libyaml reads them, and what follows it. `None` for an escaped line break (the
/// scalar goes on) and for an escape libyaml refuses: libyaml then says what is wrong.
fn double_quoted(body: &str) -> Option<(Cow<'_, str>, &str)> {
    let mut value = Cow::Borrowed("");
    let mut rest = body;
    loop {
        let end = rest.find(['"', '\\'])?;
        let (part, after) = (&rest[..end], &rest[end + 1..]);
        if rest.as_bytes()[end] == b'"' {
            if value.is_empty() {
                value = Cow::Borrowed(part);
            } else {
                value.to_mut().push_str(part);
            }
            return Some((value, after));
        }
        let (escaped, after) = escape(after)?;
        let value = value.to_mut();
        value.push_str(part);
        value.push(escaped);
        rest = after;
    }
}

/// The character a double-quoted scalar's escape stands for, from the text after its
/// backslash ([YAML 1.2, 5.7](https://yaml.org/spec/1.2.2/#57-escaped-characters)), and
/// what follows the escape; `None` for one libyaml refuses (an unknown letter, missing
/// hexadecimal digits, a surrogate or a code point past Unicode's) or a line break.
fn escape(text: &str) -> Option<(char, &str)> {
    let mut chars = text.chars();
    let escaped = match chars.next()? {
        '0' => '\0',
        'a' => '\x07',
        'b' => '\x08',
        't' => '\t',
        'n' => '\n',
        'v' => '\x0b',
        'f' => '\x0c',
        'r' => '\r',
        'e' => '\x1b',
        ' ' => ' ',
        '"' => '"',
        '/' => '/',
        '\\' => '\\',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        code @ ('x' | 'u' | 'U') => {
            let digits = match code {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let hex = text.get(1..1 + digits)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let escaped = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
            return Some((escaped, &text[1 + digits..]));
        }
        _ => return None,
    };
    Some((escaped, chars.as_str()))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{ParsedDocument, fixture_texts, parse_flat_events};
    use super::parse_flat;

    /// What a flat document holds, to compare.
    fn written(documents: &[ParsedDocument]) -> Vec<String> {
        documents
            .iter()
            .map(|document| match document {
                ParsedDocument::Flat(f) => {
                    format!(
                        "{} {} {} {:?} {:?}",
                        f.index, f.line, f.json, f.lines, f.head
                    )
                }
                ParsedDocument::Tree(t) => format!("tree {}", t.index),
            })
            .collect()
    }

    /// Where the subset takes `text`, libyaml reads it without error to the same documents.
    /// Returns whether the subset took it.
    fn assert_as_libyaml(text: &str) -> bool {
        let Some(documents) = parse_flat(text) else {
            return false;
        };
        let (expected, error) = parse_flat_events(text);
        assert_eq!(error, None, "{text:?}");
        assert_eq!(written(&documents), written(&expected), "{text:?}");
        true
    }

    /// The JSON of the first document of `text`, which the subset must take and read as
    /// libyaml reads it.
    fn first_json(text: &str) -> String {
        assert!(assert_as_libyaml(text), "{text:?}");
        match parse_flat(text).unwrap().swap_remove(0) {
            ParsedDocument::Flat(document) => document.json,
            ParsedDocument::Tree(_) => panic!("written flat: {text:?}"),
        }
    }

    const MANIFEST: &str = "\
# A Deployment as charts render it.
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the name
  namespace: \"shop\"
  labels: {app: web, 'tier': front}
  annotations:
    tollgate.dev/waive: tls-min-version
    tollgate.dev/waive-reason: 'it''s internal'
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels: {app: web, version: \"1.2\"}
    spec:
      automountServiceAccountToken: false
      serviceAccountName: web
      containers:
      - name: web
        image: registry.example.com/web:1.2.3
        args: [--port=8080, \"--tls-min-version=VersionTLS12\", '-v']
        env:
          - name: MODE
            value: production, eu
          -   name: EMPTY
              value:
        ports:
        - containerPort: 8080

          protocol: TCP
        resources: {}
      volumes: []
      nodeSelector:
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  -
    port: 443
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
data:
  nginx.conf: |
    server {
      listen 443 ssl;

      ssl_protocols TLSv1.2 TLSv1.3;
    }

  motd: >-
    folded
    text

    kept
  keep: |+
    a

  last: x
  wrapped: a plain scalar
    that goes on,

    folded
";

    #[test]
    fn a_typical_manifest_is_read_without_libyaml() {
        assert!(assert_as_libyaml(MANIFEST));
        let documents = parse_flat(MANIFEST).unwrap();
        assert_eq!(documents.len(), 3);
        let ParsedDocument::Flat(service) = &documents[1] else {
            panic!("written flat");
        };
        assert_eq!(service.index, 1);
        assert_eq!(
            service.json,
            r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"ports":[{"port":443}]}}"#
        );
        let ParsedDocument::Flat(config) = &documents[2] else {
            panic!("written flat");
        };
        assert!(config.json.ends_with(
            r#""motd":"folded text\nkept","keep":"a\n\n","last":"x","wrapped":"a plain scalar that goes on,\nfolded"}}"#
        ));
    }

    #[test]
    fn what_the_subset_leaves_is_read_by_libyaml() {
        for (why, text) in [
            ("indentation indicator", "a: |2\n  text\n"),
            ("spaces-only line in a block scalar", "a: |\n   \n  text\n"),
            ("more-indented folded line", "a: >\n  text\n    deeper\n"),
            ("empty block scalar", "a: |\nb: 1\n"),
            (
                "block scalar without a final line break",
                "a: |\n  no line break",
            ),
            ("empty block scalar item", "- a\n- |\n- b\n"),
            ("': ' on a wrapped line", "a: b\n  goes: on\n"),
            ("comment inside a wrapped scalar", "a: b\n  # ends\n  c\n"),
            ("line after a commented scalar", "a: b # ends\n  c\n"),
            ("scalar on the line after its key", "a:\n  b\n"),
            ("unknown escape", "a: \"x\\qy\"\n"),
            ("short hexadecimal escape", "a: \"\\x4\"\n"),
            ("surrogate escape", "a: \"\\ud800\"\n"),
            ("escape past Unicode", "a: \"\\U00110000\"\n"),
            (
                "quoted scalar going on at its key's column",
                "a: 'two\nb'\n",
            ),
            (
                "quoted scalar going on to a document marker",
                "a: 'two\n---\n'\n",
            ),
            ("quoted scalar open at the end", "a: 'two\n  lines\n"),
            (
                "text after a quoted scalar's last line",
                "a: 'two\n  lines' x\n",
            ),
            ("quoted key over two lines", "'two\n  lines': x\n"),
            (
                "quoted scalar over two lines in a flow collection",
                "a: ['two\n  lines']\n",
            ),
            ("anchor and alias", "a: &x 1\nb: *x\n"),
            ("tag", "a: !!str 5\n"),
            ("tab", "a:\tb\n"),
            ("carriage return", "a: b\r\nc: d\r\n"),
            ("directive", "%YAML 1.1\n---\na: 1\n"),
            ("document end marker", "a: 1\n...\n"),
            ("empty last document", "a: 1\n---\n"),
            ("empty first document", "---\n---\na: 1\n"),
            ("root sequence", "- a\n- b\n"),
            ("trailing comma", "a: [1, 2,]\n"),
            ("mapping in a flow sequence", "a: [b: c]\n"),
            ("flow key without a value", "a: {b}\n"),
            ("comment in a flow collection", "a: [x #y]\n"),
            ("flow collection over two lines", "a: [\n  1]\n"),
            ("complex key", "? a\n: b\n"),
            ("space before ':'", "a : b\n"),
            ("': ' in a value", "a: b: c\n"),
            ("dash as a value", "a: -\n"),
            ("nested compact sequence", "- - a\n"),
            ("empty sequence item", "a:\n-\n- b\n"),
            ("List", "kind: List\nitems: []\n"),
            ("duplicate key", "a: 1\na: 2\n"),
            ("byte order mark", "\u{feff}a: 1\n"),
            ("NEL", "a: \u{85}\n"),
            ("indented dashes", "   ---\n   ---\n"),
            ("four dashes", "a: 1\n---- b\n"),
            ("'?' starts a flow item", "k: [?a]\n"),
            ("'?' starts a flow key", "k: {?a: b}\n"),
            ("'?' starts a later flow item", "k: [a, ?b]\n"),
            ("'?' starts a flow value", "k: {a: ?b}\n"),
        ] {
            assert!(parse_flat(text).is_none(), "{why}: {text:?}");
        }
    }

    #[test]
    fn double_quoted_escapes_are_read_as_libyaml_reads_them() {
        let text = concat!(
            "description: \"says \\\"hi\\\"\\nthen\\tgoes\\\\on\\/\\ \\0\\a\\b\\v\\f\\r\\e\\N\\_\\L\\P\"\n",
            "hex: \"\\x41\\u00e9\\U0001F600\\xfF\"\n",
            "\"key \\\"quoted\\\"\": [\"a\\tb\", {\"c\\u0041\": \"\\\\\"}]\n",
            "empty: \"\"\n",
        );
        let json = first_json(text);
        assert!(json.contains(r#""hex":"Aé😀ÿ""#), "{json}");
        assert!(json.contains(r#""key \"quoted\"":["a\tb",{"cA":"\\"}]"#));
    }

    #[test]
    fn scalars_over_lines_are_folded_as_libyaml_folds_them() {
        let text = concat!(
            "kind: CustomResourceDefinition\n",
            "spec:\n",
            "  single: 'Refresh indicates if the latest revision should\n",
            "    be used on retry   \n",
            "\n",
            "       instead of the ''synced'' one.'\n",
            "  double: \"defaults REDIS\\n  mode tcp\\n\\\n",
            "    \\ timeout 4s  \\\n",
            "\n",
            "    done\\t \n",
            "    \" # the end\n",
            "  items:\n",
            "  - 'one\n",
            "    two'\n",
            "  - \"x\n",
            "    # not a comment\n",
            "    \"\n",
        );
        let wrapped = "a: b\n  -c\n  - d\n  ? e \"f\" `g`\n  :h [i] {j}, !k &l *m |n >o %p @q\n";
        assert_eq!(
            first_json(wrapped),
            r#"{"a":"b -c - d ? e \"f\" `g` :h [i] {j}, !k &l *m |n >o %p @q"}"#
        );
        assert_eq!(
            first_json(text),
            concat!(
                r#"{"kind":"CustomResourceDefinition","spec":{"#,
                r#""single":"Refresh indicates if the latest revision should be used on retry\ninstead of the 'synced' one.","#,
                r#""double":"defaults REDIS\n  mode tcp\n timeout 4s  \ndone\t ","#,
                r#""items":["one two","x # not a comment "]}}"#
            )
        );
    }

    #[test]
    fn keys_are_measured_as_written_against_libyamls_limit() {
        // libyaml refuses a key whose `:` is more than 1,024 bytes past its start,
        // counted in the text as written: quotes and `''` escapes included.
        let long = "a".repeat(1025);
        let escaped = format!("'{}'", "''".repeat(512));
        for text in [
            format!("{long}: x\n"),
            format!("k: {{{long}: x}}\n"),
            format!("k: {{'{}': x}}\n", "a".repeat(1023)),
            format!("{escaped}:\n"),
            format!("k:\n- {escaped}: x\n"),
            format!("k: {{{escaped}: x}}\n"),
        ] {
            assert!(parse_flat(&text).is_none(), "{text:?}");
        }
        assert!(assert_as_libyaml(&format!("{}: x\n", "a".repeat(900))));
        assert!(assert_as_libyaml(&format!(
            "k: {{'{}': x}}\n",
            "''".repeat(400)
        )));
    }

    #[test]
    fn every_fixture_the_subset_takes_reads_as_libyaml() {
        let texts = fixture_texts();
        let taken = texts.iter().filter(|text| assert_as_libyaml(text)).count();
        // Most fixtures are plain manifests: the subset must take them, not fall back.
        assert!(taken * 2 > texts.len(), "{taken} of {}", texts.len());
    }

    /// Lines of every shape the subset meets, right and wrong, to put together at random.
    const LINES: &[&str] = &[
        "a: 1",
        "name: x",
        "b: \"q r\"",
        "c: 'it''s'",
        "d: [1, a, \"b\", 'c']",
        "e: {f: g, h: [1, {i: j}]}",
        "k: v # c",
        "k: v#c",
        "k: a: b",
        "k:",
        "k:   ",
        "k: # c",
        "\"q k\": 1",
        "'s': 2",
        "k: - x",
        "k: -1",
        "k: --flag=x",
        "k: ~",
        "k: {}",
        "k: []",
        "k: [ ]",
        "k: [a, ]",
        "k: {a: }",
        "k: [a: b]",
        "k: x:y",
        "k: http://a.b/c",
        "k: [http://a]",
        "k: \"a\\\"b\"",
        "k: \"a\\nb\\u00e9\\x41 \\\\\"",
        "k: \"\\q\"",
        "k: \"\\ud800\"",
        "k: \"\\U0001F600\\x7\"",
        "k: \"a\\",
        "\"k\\\"q\": 1",
        "- \"\\t\\\"\" # c",
        "k: 'opens",
        "k: \"opens \\",
        "k: \"opens \\t ",
        "- 'opens ''here",
        "  closes' ",
        "  closes\" # c",
        "  closes' x",
        "  goes ''on'' \\",
        "  goes \\\" on",
        "closes'",
        "  \"quoted\" text",
        "  `code` here",
        "  [not, flow]",
        "  {neither}",
        "  , comma",
        "  @at *star &amp !bang",
        "  |pipe >gt %pct",
        "  --dry-run` goes on",
        "  - dash",
        "  ? query",
        "  :colon",
        "  : colon",
        "k: |",
        "k: |-",
        "k: |+",
        "k: >",
        "k: >-",
        "k: >+ # c",
        "k: |1",
        "- |",
        "- >-",
        "  text",
        "text # not a comment",
        "   ",
        "k: &a x",
        "k: *a",
        "k: !t x",
        "k: ?x",
        "k: :x",
        "k: a]",
        "k: a, b",
        "k: yes",
        "k: 0x1F",
        "k: 010",
        "k: 1e3",
        "k: .inf",
        "k: 'a' x",
        "k: \"a\"x",
        "k: [1] x",
        "k: [1] # c",
        "? k",
        "k : v",
        "k:v",
        "<<: {a: 1}",
        "items: []",
        "kind: List",
        "- a",
        "- ",
        "-",
        "- a: 1",
        "- a:",
        "- - x",
        "-  b: 2",
        "- \"q\"",
        "- [1, 2]",
        "- {a: b}",
        "- # c",
        "-x",
        "# c",
        "",
        "word",
        "more words",
        "---",
        "--- # c",
        "--- x",
        "...",
        "日本: 語",
        "k: é",
    ];

    /// Runs `cases` texts from `texts` through [`assert_as_libyaml`]; returns how many the
    /// subset took, so that a test can check it still takes its share.
    fn taken_of(cases: u32, texts: impl Strategy<Value = String>) -> u32 {
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases));
        let taken = std::cell::Cell::new(0);
        let result = runner.run(&texts, |text| {
            taken.set(taken.get() + u32::from(assert_as_libyaml(&text)));
            Ok(())
        });
        if let Err(error) = result {
            panic!("{error}");
        }
        taken.get()
    }

    #[test]
    fn the_subset_reads_random_lines_as_libyaml() {
        let texts = proptest::collection::vec((0usize..7, proptest::sample::select(LINES)), 1..24)
            .prop_map(|lines| {
                lines
                    .iter()
                    .map(|(indent, line)| format!("{}{line}\n", " ".repeat(*indent)))
                    .collect::<String>()
            });
        // Most random lines are wrong YAML; about 2% of the texts are in the subset.
        let taken = taken_of(4000, texts);
        assert!(taken >= 25, "the subset took only {taken} of 4000");
    }

    /// A YAML node to write in block style.
    #[derive(Clone, Debug)]
    enum Node {
        Scalar(&'static str),
        /// A block scalar: its header and its lines (each written one step deeper than
        /// its key or dash, `""` for an empty line).
        Text(&'static str, &'static [&'static str]),
        /// A plain scalar over several lines (written as [`Node::Text`]'s).
        Lines(&'static [&'static str]),
        Seq(Vec<Node>),
        Map(Vec<(&'static str, Node)>),
    }

    const HEADERS: &[&str] = &["|", "|-", "|+", ">", ">-", ">+", "| # c"];
    const TEXTS: &[&[&str]] = &[
        &["a"],
        &["a", "b c", "", "d"],
        &["", "a", "  b", "c:", "# d", ""],
        &["a", "", "", "b", "", ""],
        &["- a", "  {b: c}"],
    ];

    const PLAIN_LINES: &[&[&str]] = &[
        &["a", "b"],
        &["a b", "", "c", "d", "", ""],
        &["a", "b:c", "d # e"],
        &["a", "-b"],
        &["a", "b: c"],
    ];

    const KEYS: &[&str] = &[
        "a", "b", "name", "spec", "items", "'q'", "\"k\"", "x.y/z", "-d", "e f", "y", "010",
    ];
    const SCALARS: &[&str] = &[
        "1",
        "v",
        "''",
        "'it''s'",
        "\"\"",
        "\"d q\"",
        "a b",
        "yes",
        "~",
        "-3",
        "[]",
        "{}",
        "[1, b]",
        "{c: d, e: [f]}",
        "x # c",
        "http://h:80/p",
        "a, b",
        "--f=x",
        "0x1F",
    ];

    fn node() -> impl Strategy<Value = Node> {
        let leaf = prop_oneof![
            4 => proptest::sample::select(SCALARS).prop_map(Node::Scalar),
            1 => (proptest::sample::select(HEADERS), proptest::sample::select(TEXTS))
                .prop_map(|(header, lines)| Node::Text(header, lines)),
            1 => proptest::sample::select(PLAIN_LINES).prop_map(Node::Lines),
        ];
        leaf.prop_recursive(4, 40, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 1..4).prop_map(Node::Seq),
                proptest::collection::btree_map(proptest::sample::select(KEYS), inner, 1..4)
                    .prop_map(|entries| Node::Map(entries.into_iter().collect())),
            ]
        })
    }

    /// How [`write`] lays nodes out.
    #[derive(Clone, Copy, Debug)]
    struct Style {
        /// Columns a nested collection is indented by.
        step: usize,
        /// A sequence under a key starts at the key's column.
        indentless: bool,
        /// A mapping in a sequence starts on its dash's line.
        compact: bool,
    }

    /// Writes `node` as the value that follows a `key:` (`under_key`) or a `-` at column
    /// `indent`.
    fn write(node: &Node, indent: usize, under_key: bool, style: Style, out: &mut String) {
        let pad = |n: usize| " ".repeat(n);
        match node {
            Node::Scalar(text) => out.push_str(&format!(" {text}\n")),
            Node::Text(_, lines) | Node::Lines(lines) => {
                let (first, lines) = match node {
                    Node::Text(header, _) => (*header, *lines),
                    _ => (lines[0], &lines[1..]),
                };
                out.push_str(&format!(" {first}\n"));
                for line in lines {
                    if !line.is_empty() {
                        out.push_str(&pad(indent + style.step));
                    }
                    out.push_str(&format!("{line}\n"));
                }
            }
            Node::Seq(items) => {
                out.push('\n');
                let column = if style.indentless && under_key {
                    indent
                } else {
                    indent + style.step
                };
                for item in items {
                    out.push_str(&format!("{}-", pad(column)));
                    write(item, column, false, style, out);
                }
            }
            Node::Map(entries) => {
                let mut column = indent + style.step;
                if style.compact && !under_key {
                    column = indent + 2;
                    out.push(' ');
                } else {
                    out.push('\n');
                }
                for (i, (key, value)) in entries.iter().enumerate() {
                    let skip = if i == 0 && style.compact && !under_key {
                        0
                    } else {
                        column
                    };
                    out.push_str(&format!("{}{key}:", pad(skip)));
                    write(value, column, true, style, out);
                }
            }
        }
    }

    #[test]
    fn the_subset_reads_block_documents_as_libyaml() {
        let documents = proptest::collection::vec(
            proptest::collection::btree_map(proptest::sample::select(KEYS), node(), 1..5),
            1..3,
        );
        let layout = (1usize..4, any::<bool>(), any::<bool>(), 0usize..4);
        let texts =
            (documents, layout).prop_map(|(documents, (step, indentless, compact, comment))| {
                let style = Style {
                    step,
                    indentless,
                    compact,
                };
                let mut text = String::new();
                for entries in &documents {
                    text.push_str("---\n");
                    for (key, value) in entries {
                        text.push_str(&format!("{key}:"));
                        write(value, 0, true, style, &mut text);
                        if comment > 0 {
                            text.push_str(&format!("{}# c\n", " ".repeat(comment)));
                        }
                    }
                }
                text
            });
        // About 30% are in the subset: the others hold what it leaves to libyaml (a
        // `List`, a more-indented folded line, a wrapped line with `: `, an empty item).
        let taken = taken_of(1000, texts);
        assert!(taken >= 150, "the subset took only {taken} of 1000");
    }
}
