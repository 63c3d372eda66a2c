//! The JSON format: the canonical model as pretty-printed JSON, rendered whole or streamed
//! into a writer (a large report's text is tens of MB).

use std::io::{self, Write};

use super::Report;

pub fn render(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).expect("the report model always serializes");
    text.push('\n');
    text
}

/// Writes `report` to `out` as [`render`] renders it, streamed: the text is never whole
/// in memory.
pub fn write(report: &Report, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn writing_streams_what_rendering_gives() {
        let report = sample::report();
        let mut text = Vec::new();
        write(&report, &mut text).unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), render(&report));
    }
}
