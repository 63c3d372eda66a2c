//! Markdown for pull-request comments and CI job summaries: the outcome, a table of
//! control statuses per framework, the controls not satisfied, and the findings, with
//! long lists folded into `<details>` so the comment stays short.

use std::fmt::Write as _;

use super::{ControlStatus, FindingRecord, Outcome, Report, text};

/// Findings shown before the rest are folded away.
const SHOWN: usize = 15;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let word = match report.summary.outcome {
        Outcome::Pass => "✅ PASS",
        Outcome::Fail => "❌ FAIL",
        Outcome::Error => "⚠️ ERROR",
    };
    let _ = writeln!(
        out,
        "## tollgate: {word}\n\n{}\n",
        text::summary_counts(report)
    );

    if !report.controls.is_empty() {
        out.push_str("| framework | satisfied | not satisfied | waived | error | not assessed |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|\n");
        for framework in &report.settings.frameworks {
            let count = |status: ControlStatus| report.control_count(framework, status);
            let _ = writeln!(
                out,
                "| {framework} | {} | {} | {} | {} | {} |",
                count(ControlStatus::Satisfied),
                count(ControlStatus::NotSatisfied),
                count(ControlStatus::Waived),
                count(ControlStatus::Error),
                count(ControlStatus::NotAssessed)
            );
        }
        out.push('\n');
        let failing: Vec<String> = report
            .controls
            .iter()
            .filter(|c| matches!(c.status, ControlStatus::NotSatisfied | ControlStatus::Error))
            .map(|c| format!("{} {} ({})", c.framework, c.id, c.status.name()))
            .collect();
        if !failing.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>{} controls not satisfied or in error</summary>\n\n{}\n</details>\n",
                failing.len(),
                failing.join(", ")
            );
        }
    }

    if !report.findings.is_empty() {
        out.push_str("### Findings\n\n");
        let (first, rest) = report.findings.split_at(report.findings.len().min(SHOWN));
        findings_table(&mut out, first);
        if !rest.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>{} more findings</summary>\n",
                rest.len()
            );
            findings_table(&mut out, rest);
            out.push_str("</details>\n\n");
        }
    }

    if !report.errors.is_empty() {
        out.push_str("### Errors\n\n");
        for error in &report.errors {
            let place = match (&error.rule, &error.file, error.line) {
                (_, Some(file), Some(line)) => format!("`{file}:{line}`"),
                (_, Some(file), None) => format!("`{file}`"),
                (Some(rule), None, _) => format!("rule `{rule}`"),
                (None, None, _) => String::new(),
            };
            let _ = writeln!(out, "- {place}: {}", cell(&error.message));
        }
        out.push('\n');
    }

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
        "<sub>{} {} · {}{git}</sub>",
        report.tool.name, report.tool.version, evidence.generated_at
    );
    out
}

fn findings_table(out: &mut String, findings: &[FindingRecord]) {
    out.push_str("| severity | check | location | message |\n|---|---|---|---|\n");
    for f in findings {
        let severity = match &f.waiver {
            Some(_) => format!("~~{}~~ waived", f.severity.name()),
            None => f.severity.name().to_owned(),
        };
        let mut message = cell(&f.message);
        if let Some(waiver) = &f.waiver {
            let _ = write!(message, " *(waived: {})*", cell(&waiver.reason));
        }
        let _ = writeln!(
            out,
            "| {severity} | `{}/{}` | `{}:{}` | {message} |",
            f.rule, f.check, f.location.file, f.location.line
        );
    }
    out.push('\n');
}

/// Text safe inside a table cell: no pipes or line breaks, no HTML.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
