//! The JSON format: the canonical model as pretty-printed JSON. Written to a file, a large
//! report's findings (most of its text) are rendered on every core, a window at a time,
//! and set in their place.

use std::io::{self, Write};

use rayon::prelude::*;

use super::{FindingRecord, Report};

/// Findings rendered together before they are written: bounds the memory the text takes.
const FINDINGS_WINDOW: usize = 4096;

pub fn render(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).expect("the report model always serializes");
    text.push('\n');
    text
}

/// Writes `report` to `out` as [`render`] renders it, the text never whole in memory, the
/// findings of a large report rendered on every core. `report` is left as it was.
pub fn write(report: &mut Report, out: &mut impl Write) -> io::Result<()> {
    if report.findings.len() <= FINDINGS_WINDOW {
        // Too few findings to gain from other cores.
        serde_json::to_writer_pretty(&mut *out, report)?;
        return out.write_all(b"\n");
    }
    let findings = std::mem::take(&mut report.findings);
    let written = write_around(report, &findings, out);
    report.findings = findings;
    written
}

/// Writes `rest` (a report without findings) with `findings` set in place of its empty
/// list: a top-level field is the only line that starts with two spaces and its name (a
/// JSON string holds no line break).
fn write_around(rest: &Report, findings: &[FindingRecord], out: &mut impl Write) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(rest)?;
    let empty = b"\n  \"findings\": []";
    let at = text
        .windows(empty.len())
        .position(|w| w == empty)
        .expect("a report always has a findings field")
        + empty.len()
        - 1;
    out.write_all(&text[..at])?;
    for (window, part) in findings.chunks(FINDINGS_WINDOW).enumerate() {
        out.write_all(&render_items(part, window == 0)?)?;
    }
    if !findings.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(&text[at..])?;
    out.write_all(b"\n")
}

/// `findings` as items of the top-level list, as the pretty printer sets them: each on a
/// new line after a comma (no comma before the very first), indented two levels.
fn render_items(findings: &[FindingRecord], first: bool) -> io::Result<Vec<u8>> {
    let items: Vec<Vec<u8>> = findings
        .par_iter()
        .with_min_len(64)
        .map(serde_json::to_vec_pretty)
        .collect::<Result<_, _>>()?;
    let mut text = Vec::with_capacity(items.iter().map(|i| i.len() + 64).sum());
    for (n, item) in items.iter().enumerate() {
        text.extend_from_slice(if first && n == 0 { b"\n" } else { b",\n" });
        for (line, content) in item.split(|&b| b == b'\n').enumerate() {
            text.extend_from_slice(if line == 0 { b"    " } else { b"\n    " });
            text.extend_from_slice(content);
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    /// What [`write`] writes of `report`, which it leaves as it was.
    fn written(report: &Report) -> String {
        let mut copy = report.clone();
        let mut text = Vec::new();
        write(&mut copy, &mut text).unwrap();
        assert_eq!(&copy, report);
        String::from_utf8(text).unwrap()
    }

    #[test]
    fn writing_sets_the_findings_as_rendering_does() {
        let report = sample::report();
        assert_eq!(written(&report), render(&report));
        let mut many = report.clone();
        many.findings = (0..FINDINGS_WINDOW + 3)
            .map(|n| {
                let mut finding = report.findings[n % 2].clone();
                finding.fingerprint = format!("{n:032x}");
                finding
            })
            .collect();
        assert_eq!(written(&many), render(&many));
        many.findings.clear();
        assert_eq!(written(&many), render(&many));
    }
}
