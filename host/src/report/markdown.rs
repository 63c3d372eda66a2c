//! Markdown for pull-request comments and CI job summaries: the outcome, a table of
//! control statuses per framework, the controls not satisfied, the findings, and the
//! waived ones again as exceptions with accepted risk (reason, approver, expiry), with
//! long lists folded into `<details>` so the comment stays short.
//!
//! Text from the report (already printable and redacted, see [`super::untrusted`]) is
//! escaped for where it goes: [`inline`] in prose and cells, [`code_span`] and
//! [`table_code`] for paths and ids, so a hostile file name or message cannot open a
//! link, an image, raw HTML or a new table cell.

use std::fmt::Write as _;

use super::{
    ControlStatus, Counted, ErrorPlace, FindingRecord, Outcome, Report, WaiverRecord, text,
};

/// Findings shown before the rest are folded away.
const SHOWN: usize = 15;

/// The report as Markdown for a pull-request comment or job summary.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let mark = match report.summary.outcome {
        Outcome::Pass => "✅",
        Outcome::Fail => "❌",
        Outcome::Error => "⚠️",
    };
    let _ = writeln!(
        out,
        "## tollgate: {mark} {}\n\n{}\n",
        report.summary.outcome.word(),
        text::summary_counts(report)
    );
    if !report.controls.is_empty() {
        control_summary(&mut out, report);
        control_table(&mut out, report);
    }
    findings(&mut out, report);
    exceptions(&mut out, report);
    errors(&mut out, report);
    footer(&mut out, report);
    out
}

/// How many controls of each framework have each status, what a status claims, the
/// frameworks' titles, and the controls not satisfied or in error.
fn control_summary(out: &mut String, report: &Report) {
    out.push_str(
        "| framework | satisfied | partial | not satisfied | waived | error | not assessed |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for framework in &report.settings.frameworks {
        let count = |status: ControlStatus| report.control_count(framework, status);
        let _ = writeln!(
            out,
            "| {framework} | {} | {} | {} | {} | {} | {} |",
            count(ControlStatus::Satisfied),
            count(ControlStatus::Partial),
            count(ControlStatus::NotSatisfied),
            count(ControlStatus::Waived),
            count(ControlStatus::Error),
            count(ControlStatus::NotAssessed)
        );
    }
    out.push('\n');
    out.push_str(SCOPE_NOTE);
    out.push_str("\n\n");
    let titles: Vec<String> = report
        .settings
        .frameworks
        .iter()
        .filter_map(|f| {
            let title = report.settings.framework_title(f)?;
            Some(format!("{} {}", code_span(f.name()), inline(title)))
        })
        .collect();
    if !titles.is_empty() {
        let _ = writeln!(out, "Frameworks: {}.\n", titles.join("; "));
    }
    let failing: Vec<String> = report
        .controls
        .iter()
        .filter(|c| matches!(c.status, ControlStatus::NotSatisfied | ControlStatus::Error))
        .map(|c| format!("{} {} ({})", c.framework, c.id, c.status.name()))
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} not satisfied or in error</summary>\n\n{}\n</details>\n",
            Counted::new(failing.len(), "control"),
            failing.join(", ")
        );
    }
}

/// The findings, the first [`SHOWN`] in view and the rest folded.
fn findings(out: &mut String, report: &Report) {
    if report.findings.is_empty() {
        return;
    }
    out.push_str("### Findings\n\n");
    let (first, rest) = report.findings.split_at(report.findings.len().min(SHOWN));
    findings_table(out, first);
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n",
            Counted::new(rest.len(), "more finding")
        );
        findings_table(out, rest);
        out.push_str("</details>\n\n");
    }
}

/// Each error at its place.
fn errors(out: &mut String, report: &Report) {
    if report.errors.is_empty() {
        return;
    }
    out.push_str("### Errors\n\n");
    for error in &report.errors {
        let place = match error.place() {
            ErrorPlace::Rule(rule) => format!("rule {}", code_span(rule)),
            ErrorPlace::Nowhere => String::new(),
            place => code_span(&place.to_string()),
        };
        let _ = writeln!(out, "- {place}: {}", inline(&error.message));
    }
    out.push('\n');
}

/// The tool, the date, the commit and the signature, in small print.
fn footer(out: &mut String, report: &Report) {
    let evidence = &report.evidence;
    let git = evidence
        .git
        .as_ref()
        .map(|g| {
            let short = g.commit.get(..12).unwrap_or(&g.commit);
            format!(" · commit {short}{}", if g.dirty { " (dirty)" } else { "" })
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<sub>{} {} · {}{git} · {}</sub>",
        report.tool.name,
        report.tool.version,
        evidence.generated_at,
        signature(report)
    );
}

/// Whether the report file is signed, and with which key: ``report.md` signed with the
/// ED25519 SSH key `SHA256:...` (signature `report.md.sig`)` or `not signed`. The file is
/// named: a report rendered again from a signed JSON report is not itself signed.
fn signature(report: &Report) -> String {
    match &report.evidence.signature {
        Some(s) => format!(
            "{} signed with the {} SSH key {} (signature {})",
            code_span(&s.file),
            inline(&s.key_type),
            code_span(&s.key_fingerprint),
            code_span(&s.signature)
        ),
        None => "not signed".to_owned(),
    }
}

pub(super) fn findings_table(out: &mut String, findings: &[FindingRecord]) {
    out.push_str("| severity | check | location | message |\n|---|---|---|---|\n");
    for f in findings {
        let severity = match &f.waiver {
            Some(_) => format!("~~{}~~ waived", f.severity.name()),
            None => f.severity.name().to_owned(),
        };
        let mut message = inline(&f.message);
        if let Some(waiver) = &f.waiver {
            let _ = write!(message, " *(waived: {})*", inline(&waiver.reason));
        }
        let _ = writeln!(
            out,
            "| {severity} | {} | {} | {message} |",
            table_code(&format!("{}/{}", f.rule, f.check)),
            table_code(&format!("{}:{}", f.location.file, f.location.line))
        );
    }
    out.push('\n');
}

/// The waived findings as exceptions with accepted risk: who waived, why, approved by
/// whom until when.
fn exceptions(out: &mut String, report: &Report) {
    let waived: Vec<(&FindingRecord, &WaiverRecord)> = report
        .findings
        .iter()
        .filter_map(|f| Some((f, f.waiver.as_deref()?)))
        .collect();
    if waived.is_empty() {
        return;
    }
    out.push_str("### Exceptions (accepted risk)\n\n");
    out.push_str("| severity | check | location | waived | reason | approved by | expires |\n|---|---|---|---|---|---|---|\n");
    for (f, w) in waived {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            f.severity.name(),
            table_code(&format!("{}/{}", f.rule, f.check)),
            table_code(&format!("{}:{}", f.location.file, f.location.line)),
            w.source.phrase(),
            inline(&w.reason),
            inline(w.approved_by.as_deref().unwrap_or("—")),
            inline(w.expires.as_deref().unwrap_or("never"))
        );
    }
    out.push('\n');
}

/// Text shown as itself in Markdown prose or a table cell: the characters that start
/// emphasis, code, links, images, strikethrough or a cell are backslash-escaped, and
/// those that start HTML or an entity are written as entities.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A code span showing `text` literally: fenced by one backtick more than the longest
/// run inside, and padded with a space where the text starts or ends with a backtick or
/// a space (CommonMark strips one from each side).
pub fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A code span inside a table cell: GitHub's tables split cells at a `|` even inside
/// code, unless it is escaped (the escape is not shown).
pub(super) fn table_code(text: &str) -> String {
    code_span(&text.replace('|', "\\|"))
}

/// What a status claims, and what it does not: said under every control summary.
const SCOPE_NOTE: &str = "Satisfied means tested, no exceptions in the scanned scope; it does \
     not say the control is met for the organisation. Each control's basis names the objects \
     and files it rests on.";

/// Every control with its status and basis (which holds its scope), folded.
fn control_table(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "<details><summary>Every control, with the scope its status rests on</summary>\n\n\
         | control | status | basis |\n|---|---|---|"
    );
    for c in &report.controls {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} |",
            code_span(c.framework.name()),
            code_span(&c.id),
            c.status.name(),
            inline(&c.basis)
        );
    }
    out.push_str("\n</details>\n\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_sample_report() {
        crate::report::sample::assert_renders("md", &render(&crate::report::sample::report()));
    }

    #[test]
    fn hostile_text_stays_text() {
        assert_eq!(
            inline("<img src=y onerror=alert(5)> [x](http://e) *a* | `b` \\ & ~c~"),
            "&lt;img src=y onerror=alert(5)&gt; \\[x\\](http://e) \\*a\\* \\| \\`b\\` \\\\ &amp; \\~c\\~"
        );
        assert_eq!(
            table_code("x`<img src=y onerror=alert(5)>`|z.yaml:3"),
            "``x`<img src=y onerror=alert(5)>`\\|z.yaml:3``"
        );
        assert_eq!(code_span("``a``"), "``` ``a`` ```");
        assert_eq!(code_span("deploy/web.yaml:12"), "`deploy/web.yaml:12`");
    }
}
