//! Reports: the canonical model ([`model`]) and one renderer per format.

pub mod json;
pub mod model;
pub mod text;

pub use model::*;

/// Output formats of `tollgate scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped findings for a terminal, coloured when it is one.
    Text,
    /// The canonical report (schema_version 1).
    Json,
}

/// Renders `report` in `format`. `color` applies to text only.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(report, color),
        Format::Json => json::render(report),
    }
}
