//! The JSON format: the canonical model as pretty-printed JSON.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).expect("the report model always serializes");
    text.push('\n');
    text
}
