//! The text format: findings grouped by rule (waived ones marked, with their reason), then
//! errors, then a one-line summary. Colour only when asked (the CLI asks when writing to a
//! terminal).

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{
    ControlStatus, Counted, FindingRecord, LocationRecord, Outcome, Report, RuleStatus, Severity,
    WaiverSource,
};

/// The report as text for a terminal or CI log, coloured when `text_style` says so.
pub fn render(report: &Report, text_style: super::TextStyle) -> String {
    let paint = |style: Style, text: &str| {
        if text_style.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    findings(&mut out, report, &paint);
    errors(&mut out, report, &paint);
    notices(&mut out, report, &paint);
    if text_style.verbose {
        skipped(&mut out, report, &paint);
    }
    controls(&mut out, report, &paint);
    expired_waivers(&mut out, report, &paint);
    passed(&mut out, report, &paint);
    let _ = writeln!(out, "{}", summary_line(report, &paint));
    out
}

/// Whether a finding is listed: findings in the baseline are known, counted but not listed.
fn listed(finding: &FindingRecord) -> bool {
    finding
        .waiver
        .as_ref()
        .is_none_or(|w| w.source != WaiverSource::Baseline)
}

/// The findings grouped by rule, and how many known ones were left out.
fn findings(out: &mut String, report: &Report, paint: &impl Fn(Style, &str) -> String) {
    for rule in &report.rules {
        let findings: Vec<&FindingRecord> = report
            .findings
            .iter()
            .filter(|f| f.rule == rule.id && listed(f))
            .collect();
        if findings.is_empty() {
            continue;
        }
        let header = format!("{} — {}", rule.id, rule.title);
        let _ = writeln!(out, "{}", paint(Style::new().bold(), &header));
        for finding in findings {
            write_finding(out, finding, paint);
        }
        out.push('\n');
    }
    let known = report.findings.iter().filter(|f| !listed(f)).count();
    if known > 0 {
        let note = format!(
            "{} in the baseline not shown",
            Counted::new(known, "finding")
        );
        let _ = writeln!(out, "{}\n", paint(Style::new().dimmed(), &note));
    }
}

/// What kept part of the input or a rule from a trustworthy result, each at its place.
fn errors(out: &mut String, report: &Report, paint: &impl Fn(Style, &str) -> String) {
    if report.errors.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint(Style::new().bold(), "errors"));
    for error in &report.errors {
        let label = paint(AnsiColor::Red.on_default().bold(), "error");
        let _ = writeln!(out, "  {label}  {}: {}", error.place(), error.message);
    }
    out.push('\n');
}

/// The config's waivers past their expiry, which no longer apply.
fn expired_waivers(out: &mut String, report: &Report, paint: &impl Fn(Style, &str) -> String) {
    for waiver in report.evidence.waivers.iter().filter(|w| w.expired) {
        let label = paint(AnsiColor::Yellow.on_default().bold(), "expired");
        let _ = writeln!(
            out,
            "{label} waiver for {} on {} (expired {}) no longer applies",
            waiver.rule,
            waiver.target,
            waiver.expires.as_deref().unwrap_or("")
        );
    }
}

/// The rules that found nothing.
fn passed(out: &mut String, report: &Report, paint: &impl Fn(Style, &str) -> String) {
    let passed: Vec<&str> = report
        .rules
        .iter()
        .filter(|r| r.status == RuleStatus::Pass)
        .map(|r| r.id.as_str())
        .collect();
    if !passed.is_empty() {
        let _ = writeln!(
            out,
            "{} {}",
            paint(AnsiColor::Green.on_default(), "passed:"),
            passed.join(", ")
        );
    }
}

/// What the run could not do the way it would have liked (charts not rendered,
/// kustomizations not built).
fn notices(out: &mut String, report: &Report, paint: &impl Fn(Style, &str) -> String) {
    if report.notices.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint(Style::new().bold(), "notes"));
    for notice in &report.notices {
        let label = paint(AnsiColor::Yellow.on_default(), "note");
        let _ = writeln!(out, "  {label}  {}: {}", notice.path, notice.message);
    }
    out.push('\n');
}

/// Every file not judged as Kubernetes manifests, with the reason (`--verbose`).
fn skipped(out: &mut String, report: &Report, paint: &impl Fn(Style, &str) -> String) {
    if report.skipped.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint(Style::new().bold(), "skipped"));
    for file in &report.skipped {
        let detail = file
            .detail
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {}: {}{detail}", file.path, file.reason);
    }
    out.push('\n');
}

/// One line per framework: how many controls have each status.
fn controls(out: &mut String, report: &Report, paint: &impl Fn(Style, &str) -> String) {
    if report.controls.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint(Style::new().bold(), "controls"));
    for framework in &report.settings.frameworks {
        let counts: Vec<String> = ControlStatus::ALL
            .iter()
            .filter_map(|&status| {
                let n = report.control_count(framework, status);
                (n > 0).then(|| format!("{n} {}", status.name()))
            })
            .collect();
        let _ = writeln!(out, "  {framework:<15} {}", counts.join(", "));
        if let Some(title) = report.settings.framework_title(framework) {
            let _ = writeln!(out, "  {:<15} {}", "", paint(Style::new().dimmed(), title));
        }
    }
    out.push('\n');
}

fn write_finding(
    out: &mut String,
    finding: &FindingRecord,
    paint: &impl Fn(Style, &str) -> String,
) {
    let severity = match &finding.waiver {
        Some(_) => paint(Style::new().dimmed(), &format!("{:<8}", "waived")),
        None => paint(
            severity_style(finding.severity),
            &format!("{:<8}", finding.severity.name()),
        ),
    };
    let _ = writeln!(
        out,
        "  {severity} {}  {}[{}]",
        paint(Style::new().underline(), &finding.location.place()),
        finding
            .location
            .object_via()
            .map(|o| format!("{o}  "))
            .unwrap_or_default(),
        finding.check
    );
    let _ = writeln!(out, "           {}", finding.message);
    if let Some(history) = history_line(&finding.location) {
        let _ = writeln!(out, "           {}", paint(Style::new().dimmed(), &history));
    }
    if let Some(waiver) = &finding.waiver {
        let _ = writeln!(
            out,
            "           {}",
            paint(
                Style::new().dimmed(),
                &format!("{} {}", finding.severity.name(), waiver.describe())
            )
        );
    }
    if let Some(evidence) = &finding.evidence {
        let _ = writeln!(
            out,
            "           {}",
            paint(Style::new().dimmed(), &format!("evidence: {evidence}"))
        );
    }
}

/// The one-line summary: outcome, what was scanned, findings by severity, errors.
pub fn summary_line(report: &Report, paint: &impl Fn(Style, &str) -> String) -> String {
    let (word, style) = match report.summary.outcome {
        Outcome::Pass => ("PASS", AnsiColor::Green.on_default().bold()),
        Outcome::Fail => ("FAIL", AnsiColor::Red.on_default().bold()),
        Outcome::Error => ("ERROR", AnsiColor::Red.on_default().bold()),
    };
    format!("{}  {}", paint(style, word), summary_counts(report))
}

/// What was scanned and found: `3 rules over 9 objects in 1 file: 2 findings (1 high,
/// 1 low), 2 waived`.
pub fn summary_counts(report: &Report) -> String {
    let s = &report.summary;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            s.by_severity
                .get(sev)
                .map(|n| format!("{n} {}", sev.name()))
        })
        .collect();
    let findings = match s.findings {
        0 => "no findings".to_owned(),
        n => format!("{} ({})", Counted::new(n, "finding"), counts.join(", ")),
    };
    let waived = match s.waived {
        0 => String::new(),
        n => format!(", {n} waived"),
    };
    let errors = match s.errors {
        0 => String::new(),
        n => format!(", {}", Counted::new(n, "error")),
    };
    let skipped = match s.skipped {
        0 => String::new(),
        n => format!(" ({n} skipped: {})", skip_reasons(report)),
    };
    format!(
        "{} over {} in {}{skipped}: {findings}{waived}{errors}",
        Counted::new(s.rules, "rule"),
        Counted::new(s.objects, "object"),
        Counted::new(s.files, "file")
    )
}

/// How many files were skipped for each reason, most first: `3 not kubernetes, 1 binary`.
fn skip_reasons(report: &Report) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for file in &report.skipped {
        match counts
            .iter_mut()
            .find(|(reason, _)| *reason == file.reason.name())
        {
            Some((_, n)) => *n += 1,
            None => counts.push((file.reason.name(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts
        .iter()
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// For a finding in Git history: where it first appeared and how many versions hold it.
fn history_line(location: &LocationRecord) -> Option<String> {
    let first = location.first_seen.as_ref()?;
    let versions = location.versions.unwrap_or(1);
    Some(format!(
        "first seen in commit {} ({}) as {}; held by {} of the file",
        &first.commit[..12.min(first.commit.len())],
        first.author_date,
        first.path,
        Counted::new(versions, "version")
    ))
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => AnsiColor::Magenta.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default().bold(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Cyan.on_default(),
        Severity::Info => Style::new().dimmed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_sample_report() {
        crate::report::sample::assert_renders(
            "txt",
            &render(
                &crate::report::sample::report(),
                crate::report::TextStyle::default(),
            ),
        );
    }
}
