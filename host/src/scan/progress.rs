//! Progress of a long scan on standard error, for the person watching it: shown only
//! when standard error is a terminal and the scan has run for more than a second, redrawn
//! a few times a second on one line, and erased when the scan ends, so that logs, pipes
//! and short runs never see it.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How long a scan runs before its progress is shown.
const QUIET_FOR: Duration = Duration::from_secs(1);
/// How often the line is redrawn at most.
const REDRAW_EVERY: Duration = Duration::from_millis(200);

/// Items and bytes done out of a known total, drawn on `out` when there is one.
pub struct Progress<W: Write> {
    /// Where to draw; `None` when nobody watches (not a terminal).
    out: Option<W>,
    what: &'static str,
    started: Instant,
    drawn: Option<Instant>,
    total: (usize, u64),
    done: (usize, u64),
}

impl Progress<std::io::Stderr> {
    /// Progress of `what` over `items` items of `bytes` bytes, on standard error when it is
    /// a terminal.
    pub fn on_stderr(what: &'static str, items: usize, bytes: u64) -> Self {
        let stderr = std::io::stderr();
        let out = stderr.is_terminal().then_some(stderr);
        Self::new(out, what, (items, bytes), Instant::now())
    }
}

impl<W: Write> Progress<W> {
    fn new(out: Option<W>, what: &'static str, total: (usize, u64), started: Instant) -> Self {
        Self {
            out,
            what,
            started,
            drawn: None,
            total,
            done: (0, 0),
        }
    }

    /// Counts `items` more items of `bytes` bytes done, and redraws when it is time.
    pub fn advance(&mut self, items: usize, bytes: u64) {
        self.done.0 += items;
        self.done.1 += bytes;
        self.draw(Instant::now());
    }

    /// Erases the line, if one was drawn.
    pub fn finish(&mut self) {
        if let (Some(out), Some(_)) = (&mut self.out, self.drawn) {
            let _ = write!(out, "\r\x1b[2K");
            let _ = out.flush();
        }
    }

    fn draw(&mut self, now: Instant) {
        let Some(out) = &mut self.out else { return };
        let due = self
            .drawn
            .is_none_or(|at| now.duration_since(at) >= REDRAW_EVERY);
        if now.duration_since(self.started) < QUIET_FOR || !due {
            return;
        }
        self.drawn = Some(now);
        let megabytes = |bytes: u64| bytes as f64 / 1e6;
        let _ = write!(
            out,
            "\r\x1b[2Ktollgate: {}: {} of {} blobs, {:.0} of {:.0} MB",
            self.what,
            self.done.0,
            self.total.0,
            megabytes(self.done.1),
            megabytes(self.total.1),
        );
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(out: Option<Vec<u8>>, running_for: Duration) -> Option<String> {
        let started = Instant::now() - running_for;
        let mut progress = Progress::new(out, "history", (10, 2_000_000), started);
        progress.advance(4, 1_000_000);
        progress.finish();
        progress.out.map(|o| String::from_utf8(o).unwrap())
    }

    #[test]
    fn nothing_is_drawn_where_nobody_watches() {
        assert_eq!(shown(None, Duration::from_secs(5)), None);
    }

    #[test]
    fn nothing_is_drawn_in_the_first_second() {
        assert_eq!(shown(Some(Vec::new()), Duration::ZERO), Some(String::new()));
    }

    #[test]
    fn a_long_scan_on_a_terminal_draws_and_erases_its_line() {
        assert_eq!(
            shown(Some(Vec::new()), Duration::from_secs(2)),
            Some("\r\x1b[2Ktollgate: history: 4 of 10 blobs, 1 of 2 MB\r\x1b[2K".into())
        );
    }
}
