//! The JSON format: the canonical model as pretty-printed JSON.

use std::io::{self, Write};

use super::Report;

pub fn render(report: &Report) -> String {
    let mut text = Vec::new();
    write(report, &mut text).expect("the report model always serializes");
    String::from_utf8(text).expect("JSON is UTF-8")
}

/// Serializes `report` into `out` as it goes, the text never whole in memory.
pub fn write(report: &Report, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
