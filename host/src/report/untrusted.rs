//! Text tollgate did not write (file names, object names, a plugin's titles, messages and
//! evidence, config values, error text) made safe to show: credentials redacted
//! ([`super::redact`]) and control characters escaped visibly ([`Printable`]), so nothing
//! a manifest, a file name or a plugin says can move the cursor, retitle the window, hide
//! a link or forge a line on a terminal, in a file or in a report.
//!
//! Reports are cleaned whole where they are made ([`clean_report`], from the scan) or read
//! ([`clean_value`], from a saved file), so every format renders from clean text; the
//! command line passes what it prints itself through [`clean_text`].

mod strings;

use std::borrow::Cow;
use std::fmt;

use rayon::prelude::*;
use serde_json::Value;

use super::Report;
use super::redact::redact;

/// Shows a text with every character a terminal or a viewer would act on escaped:
/// `\n`, `\r`, `\t`, other C0 controls and DEL as `\xHH`, C1 controls and the invisible
/// formatting characters (bidirectional overrides, zero-width marks, line separators)
/// as `\u{HHHH}`. Everything else, backslashes included, is shown as is.
pub struct Printable<'a>(pub &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(needs_escape) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().expect("found a character");
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if c.is_ascii() => write!(f, "\\x{:02x}", c as u32)?,
                c => write!(f, "\\u{{{:04x}}}", c as u32)?,
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// Whether `c` acts on a terminal or hides text rather than showing as itself.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// Whether `text` holds a character that [`needs_escape`]. Printable ASCII, nearly all
/// of any report, is ruled out a byte at a time, in blocks the compiler vectorizes,
/// before characters are decoded.
fn has_escapable(text: &str) -> bool {
    let printable = |block: &[u8]| {
        block
            .iter()
            .fold(true, |all, &b| all & matches!(b, b' '..=b'~'))
    };
    !text.as_bytes().chunks(32).all(printable) && text.contains(needs_escape)
}

/// `text` with credentials redacted and control characters escaped; borrowed when it
/// needs neither.
pub fn clean_text(text: &str) -> Cow<'_, str> {
    let redacted = redact(text);
    if !has_escapable(&redacted) {
        return redacted;
    }
    Cow::Owned(Printable(&redacted).to_string())
}

/// Cleans every string of a JSON value in place ([`clean_text`]); says whether any changed.
pub fn clean_value(value: &mut Value) -> bool {
    match value {
        Value::String(text) => match clean_text(text) {
            Cow::Borrowed(_) => false,
            Cow::Owned(clean) => {
                *text = clean;
                true
            }
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| clean_value(v) | changed),
        Value::Object(fields) => fields
            .values_mut()
            .fold(false, |changed, v| clean_value(v) | changed),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The report with every string in it cleaned ([`clean_text`]): all of its text, whoever
/// wrote it, so a field added to the model later is covered too. Only free text changes
/// (identifiers, digests and enum words hold nothing to redact or escape). The strings are
/// first only looked at, in place; the report goes through a JSON tree to be rewritten
/// only when one of them needs cleaning.
pub fn clean_report(report: Report) -> Report {
    if is_clean_report(&report) {
        return report;
    }
    let mut value = serde_json::to_value(&report).expect("the report model always serializes");
    clean_value(&mut value);
    serde_json::from_value(value).expect("cleaning rewrites only free text of the model")
}

/// Whether [`clean_text`] leaves every string of `report` as it is. The findings and the
/// controls, which hold most of a large report's strings, are looked at on every core; the
/// pattern names every field, so that one added to the model is not forgotten.
fn is_clean_report(report: &Report) -> bool {
    let Report {
        schema_version: _,
        tool,
        settings,
        rules,
        controls,
        findings,
        errors,
        inputs,
        skipped,
        notices,
        evidence,
        summary,
    } = report;
    let rest = (
        tool, settings, rules, errors, inputs, skipped, notices, evidence, summary,
    );
    let ((findings, controls), rest) = rayon::join(
        || rayon::join(|| all_clean(findings), || all_clean(controls)),
        || strings::all(&rest, is_clean),
    );
    findings && controls && rest
}

/// Whether [`clean_text`] leaves every string of `items` as it is, looked at in chunks
/// on every core.
fn all_clean<T: serde::Serialize + Sync>(items: &[T]) -> bool {
    items
        .par_chunks(64)
        .all(|chunk| strings::all(chunk, is_clean))
}

/// Whether [`clean_text`] leaves `text` as it is.
fn is_clean(text: &str) -> bool {
    !has_escapable(text) && !super::redact::holds_credential(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_visibly() {
        let hostile = "web\u{1b}]0;owned\u{7}\r\nPASS  no findings\u{9b}2J\u{202e}\tx\\n";
        assert_eq!(
            Printable(hostile).to_string(),
            r"web\x1b]0;owned\x07\r\nPASS  no findings\u{009b}2J\u{202e}\tx\n"
        );
        assert_eq!(
            clean_text("deploy/web.yaml"),
            Cow::Borrowed("deploy/web.yaml")
        );
        assert_eq!(clean_text("é ü 中文 ✅"), Cow::Borrowed("é ü 中文 ✅"));
    }

    #[test]
    fn the_ascii_pass_finds_what_decoding_finds() {
        let samples = [
            '\0', '\t', '\n', '\x1b', '~', '\x7f', 'é', '\u{85}', '\u{200e}', '中',
        ];
        for c in samples {
            for at in [0, 1, 31, 32, 33, 70] {
                let text = format!("{}{c}{}", "a".repeat(at), "b".repeat(40));
                assert_eq!(
                    has_escapable(&text),
                    text.contains(needs_escape),
                    "{c:?} at {at}"
                );
            }
        }
        assert!(!has_escapable(""));
        assert!(!has_escapable(&" ~".repeat(100)));
    }

    #[test]
    fn no_character_acting_on_a_terminal_survives() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = c.to_string();
            let shown = Printable(&text).to_string();
            if needs_escape(c) {
                assert!(
                    shown.starts_with('\\') && !shown.contains(needs_escape),
                    "{c:?}"
                );
            } else {
                assert_eq!(shown, text);
            }
        }
    }

    #[test]
    fn a_text_is_clean_exactly_when_cleaning_keeps_it() {
        let token = format!("value ghp_{} here", "a1".repeat(18));
        let cases = [
            ("deploy/web.yaml", true),
            ("é ü 中文 ✅", true),
            ("automountServiceAccountToken is not false", true),
            ("line\nbreak", false),
            ("tab\there", false),
            ("web\u{202e}x", false),
            (token.as_str(), false),
            ("https://u:p@host/x", false),
            ("-----BEGIN PRIVATE KEY-----", false),
        ];
        for (text, clean) in cases {
            assert_eq!(is_clean(text), clean, "{text:?}");
            let kept = matches!(clean_text(text), Cow::Borrowed(_));
            assert_eq!(kept, clean, "{text:?}");
        }
    }

    #[test]
    fn a_report_is_cleaned_wherever_its_dirty_text_is() {
        let sample = crate::report::sample::report();
        assert_eq!(clean_report(sample.clone()), sample);
        let escape = "web\u{1b}[2J";
        let dirty_places: [fn(&mut Report, &str); 4] = [
            |r, text| r.findings[1].message = text.into(),
            |r, text| r.controls[1].basis = text.into(),
            |r, text| r.inputs[0].path = text.into(),
            |r, text| r.rules[0].title = text.into(),
        ];
        for (place, make_dirty) in dirty_places.iter().enumerate() {
            let mut report = sample.clone();
            make_dirty(&mut report, escape);
            let mut expected = sample.clone();
            make_dirty(&mut expected, r"web\x1b[2J");
            assert_eq!(clean_report(report), expected, "place {place}");
        }
    }

    #[test]
    fn values_are_cleaned_at_any_depth() {
        let mut value = serde_json::json!({"a": [{"b": "x\u{1b}[2J"}, 3, null], "c": "ok"});
        assert!(clean_value(&mut value));
        assert_eq!(
            value,
            serde_json::json!({"a": [{"b": "x\\x1b[2J"}, 3, null], "c": "ok"})
        );
        assert!(!clean_value(&mut value));
    }
}
