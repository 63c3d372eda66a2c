//! Reports: the canonical model ([`model`]), the status of each control ([`assess`]), one
//! renderer per format, reading saved reports back and merging shards ([`merge`]),
//! baselines of accepted findings ([`baseline`]), and the cleaning of text tollgate did not
//! write ([`untrusted`], [`redact`]) that every report goes through before it is rendered.
//! Two runs' reports are compared by [`diff`]; a written report is signed and verified by
//! [`signing`].

pub mod assess;
pub mod baseline;
pub mod diff;
pub mod display;
pub mod gitlab;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod model;
pub mod oscal;
pub mod redact;
#[cfg(test)]
mod sample;
pub mod sarif;
pub mod signing;
pub mod text;
pub mod untrusted;

pub use assess::{Gaps, Run, assess};
pub use display::{Counted, ErrorPlace, ObjectLabel};
pub use model::*;

/// The formats a report renders in (the command line's `--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Grouped findings for a terminal, coloured when it is one.
    Text,
    /// The canonical report; `tollgate report` renders it again.
    Json,
    /// SARIF 2.1.0 for code-scanning UIs.
    Sarif,
    /// JUnit XML for CI test views.
    Junit,
    /// Markdown for pull-request comments and job summaries.
    Markdown,
    /// One self-contained HTML page for auditors.
    Html,
    /// OSCAL assessment-results JSON for GRC tools.
    Oscal,
    /// GitLab Code Quality JSON for merge requests.
    Gitlab,
}

/// How the text format is shown: in colour (on a terminal), and whether every skipped
/// file is listed.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextStyle {
    pub color: bool,
    pub verbose: bool,
}

/// Renders `report` in `format`; `style` applies to text only.
pub fn render(report: &Report, format: Format, style: TextStyle) -> String {
    match format {
        Format::Text => text::render(report, style),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
        Format::Oscal => oscal::render(report),
        Format::Gitlab => gitlab::render(report),
    }
}

/// Writes `report` in `format` to `out`, as [`render`] renders it; the JSON report (the
/// largest) is serialized straight into `out` rather than built whole first.
pub fn write(
    report: &Report,
    format: Format,
    style: TextStyle,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(report, out),
        _ => out.write_all(render(report, format, style).as_bytes()),
    }
}
