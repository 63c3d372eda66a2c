//! A [`ReportDiff`] as text (a terminal or CI log), JSON (its serde shape, with
//! `tollgate_diff`), or Markdown (a pull-request comment: new and fixed findings in
//! tables, the ones still open folded away). Text from the reports was cleaned when they
//! were read ([`crate::report::merge::read`]); Markdown escapes it for where it goes.

use std::fmt::Write as _;

use super::{ControlChange, ReportDiff, RunRecord};
use crate::report::markdown::{code_span, findings_table, inline, table_code};
use crate::report::{ControlStatus, Counted, FindingRecord, Outcome, WaiverEntry};

/// The diff as plain text, ending with a one-line verdict.
pub fn text(diff: &ReportDiff) -> String {
    let mut out = format!(
        "tollgate diff: {} -> {}\n\n",
        run_label(&diff.old),
        run_label(&diff.new)
    );
    let found = &diff.findings;
    text_findings(&mut out, "new findings", &found.new);
    text_findings(&mut out, "fixed findings", &found.fixed);
    if !found.still_open.is_empty() {
        let _ = writeln!(
            out,
            "still open: {}\n",
            Counted::new(found.still_open.len(), "finding")
        );
    }
    let waivers = &diff.waivers;
    text_waivers(&mut out, "waivers added", &waivers.added);
    text_waivers(&mut out, "waivers expired", &waivers.expired);
    text_waivers(&mut out, "waivers removed", &waivers.removed);
    text_controls(&mut out, &diff.controls);
    for (which, run) in [("old", &diff.old), ("new", &diff.new)] {
        if run.errors > 0 {
            let _ = writeln!(
                out,
                "the {which} report has {}: its findings may be incomplete",
                Counted::new(run.errors, "error")
            );
        }
    }
    let word = match diff.summary.outcome {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Error => "ERROR",
    };
    let _ = writeln!(out, "{word}  {}", summary_counts(diff));
    out
}

/// The diff as pretty-printed JSON.
pub fn json(diff: &ReportDiff) -> String {
    let mut text = serde_json::to_string_pretty(diff).expect("the diff serializes");
    text.push('\n');
    text
}

/// The diff as Markdown for a pull-request comment or a job summary.
pub fn markdown(diff: &ReportDiff) -> String {
    let word = match diff.summary.outcome {
        Outcome::Pass => "✅ PASS",
        Outcome::Fail => "❌ FAIL",
        Outcome::Error => "⚠️ ERROR",
    };
    let mut out = format!(
        "## tollgate diff: {word}\n\n{}\n\nFrom {} to {}.\n\n",
        inline(&summary_counts(diff)),
        markdown_run(&diff.old),
        markdown_run(&diff.new)
    );
    let found = &diff.findings;
    for (title, list) in [
        ("New findings", &found.new),
        ("Fixed findings", &found.fixed),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "### {title}\n");
            findings_table(&mut out, list);
        }
    }
    if !found.still_open.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} still open</summary>\n",
            Counted::new(found.still_open.len(), "finding")
        );
        findings_table(&mut out, &found.still_open);
        out.push_str("</details>\n\n");
    }
    markdown_waivers(&mut out, diff);
    markdown_controls(&mut out, &diff.controls);
    for (which, run) in [("old", &diff.old), ("new", &diff.new)] {
        if run.errors > 0 {
            let _ = writeln!(
                out,
                "⚠️ The {which} report has {}: its findings may be incomplete.\n",
                Counted::new(run.errors, "error")
            );
        }
    }
    out
}

/// `2 new findings (1 high, 1 low), 1 fixed, 3 still open; 2 controls changed; fails on
/// new findings at or above low`.
fn summary_counts(diff: &ReportDiff) -> String {
    let s = &diff.summary;
    let mut parts: Vec<String> = diff
        .new_by_severity()
        .iter()
        .map(|(severity, n)| format!("{n} {}", severity.name()))
        .collect();
    let waived = diff
        .findings
        .new
        .iter()
        .filter(|f| f.waiver.is_some())
        .count();
    if waived > 0 {
        parts.push(format!("{waived} waived"));
    }
    let mut new = Counted::new(s.new, "new finding").to_string();
    if !parts.is_empty() {
        let _ = write!(new, " ({})", parts.join(", "));
    }
    let gate = match diff.fail_on.name() {
        "never" => "new findings never fail".to_owned(),
        level => format!("fails on new findings at or above {level}"),
    };
    format!(
        "{new}, {} fixed, {} still open; {} changed; {gate}",
        s.fixed,
        s.still_open,
        Counted::new(s.controls_changed, "control")
    )
}

/// `old.json (2027-01-15T08:00:00Z, commit 0123456789ab)`.
fn run_label(run: &RunRecord) -> String {
    format!("{} ({})", run.path, run_details(run))
}

fn run_details(run: &RunRecord) -> String {
    let mut details = run.generated_at.clone();
    if let Some(git) = &run.git {
        let short = git.commit.get(..12).unwrap_or(&git.commit);
        let _ = write!(details, ", commit {short}");
        if git.dirty {
            details.push_str(" (dirty)");
        }
    }
    details
}

fn markdown_run(run: &RunRecord) -> String {
    format!("{} ({})", code_span(&run.path), inline(&run_details(run)))
}

fn text_findings(out: &mut String, title: &str, findings: &[FindingRecord]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title} ({})", findings.len());
    for f in findings {
        let severity = match f.waiver {
            Some(_) => format!("{} waived", f.severity.name()),
            None => f.severity.name().to_owned(),
        };
        let object = (f.location.object_via())
            .map(|o| format!("  {o}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {severity:<8} {}/{}  {}{object}\n           {}",
            f.rule,
            f.check,
            f.location.place(),
            f.message
        );
    }
    out.push('\n');
}

fn text_waivers(out: &mut String, title: &str, waivers: &[WaiverEntry]) {
    if waivers.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title} ({})", waivers.len());
    for w in waivers {
        let check = w
            .check
            .as_deref()
            .map(|c| format!("/{c}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}{check} on {} ({}): {}",
            w.rule,
            w.target,
            expiry(w),
            w.reason
        );
    }
    out.push('\n');
}

/// `expires 2027-06-30`, `expired 2026-12-31`, `no expiry`.
fn expiry(waiver: &WaiverEntry) -> String {
    match (&waiver.expires, waiver.expired) {
        (Some(date), true) => format!("expired {date}"),
        (Some(date), false) => format!("expires {date}"),
        (None, _) => "no expiry".to_owned(),
    }
}

fn text_controls(out: &mut String, controls: &[ControlChange]) {
    if controls.is_empty() {
        return;
    }
    let _ = writeln!(out, "controls changed ({})", controls.len());
    let width = controls
        .iter()
        .map(|c| c.framework.name().len() + c.id.len() + 1)
        .max()
        .unwrap_or(0);
    for c in controls {
        let name = format!("{} {}", c.framework, c.id);
        let _ = writeln!(
            out,
            "  {name:<width$}  {} -> {}",
            status_name(c.old),
            status_name(c.new)
        );
    }
    out.push('\n');
}

/// A control's status, or that the report does not assess its framework.
fn status_name(status: Option<ControlStatus>) -> &'static str {
    status.map_or("not in report", ControlStatus::name)
}

fn markdown_waivers(out: &mut String, diff: &ReportDiff) {
    let w = &diff.waivers;
    let rows: Vec<(&str, &WaiverEntry)> = [
        ("added", &w.added),
        ("expired", &w.expired),
        ("removed", &w.removed),
    ]
    .into_iter()
    .flat_map(|(change, list)| list.iter().map(move |entry| (change, entry)))
    .collect();
    if rows.is_empty() {
        return;
    }
    out.push_str(
        "### Waivers\n\n| change | rule | target | expiry | reason |\n|---|---|---|---|---|\n",
    );
    for (change, entry) in rows {
        let rule = match &entry.check {
            Some(check) => format!("{}/{check}", entry.rule),
            None => entry.rule.clone(),
        };
        let _ = writeln!(
            out,
            "| {change} | {} | {} | {} | {} |",
            table_code(&rule),
            table_code(&entry.target),
            inline(&expiry(entry)),
            inline(&entry.reason)
        );
    }
    out.push('\n');
}

fn markdown_controls(out: &mut String, controls: &[ControlChange]) {
    if controls.is_empty() {
        return;
    }
    out.push_str(
        "### Controls changed\n\n| framework | control | title | before | after |\n|---|---|---|---|---|\n",
    );
    for c in controls {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            inline(c.framework.name()),
            inline(&c.id),
            inline(&c.title),
            status_name(c.old),
            status_name(c.new)
        );
    }
    out.push('\n');
}
