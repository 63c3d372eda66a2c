//! The text format: findings grouped by rule (waived ones marked, with their reason), then
//! errors, then a one-line summary. Colour only when asked (the CLI asks when writing to a
//! terminal).

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{
    ControlStatus, FindingRecord, LocationRecord, Outcome, Report, RuleStatus, Severity,
    WaiverSource,
};

pub fn render(report: &Report, text_style: super::TextStyle) -> String {
    let paint = |style: Style, text: &str| {
        if text_style.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();

    // Findings in the baseline are known: counted, not listed.
    let listed = |f: &&FindingRecord| {
        f.waiver
            .as_ref()
            .is_none_or(|w| w.source != WaiverSource::Baseline)
    };
    for rule in &report.rules {
        let findings: Vec<&FindingRecord> = report
            .findings
            .iter()
            .filter(|f| f.rule == rule.id)
            .filter(listed)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let header = format!("{} — {}", rule.id, rule.title);
        let _ = writeln!(out, "{}", paint(Style::new().bold(), &header));
        for finding in findings {
            write_finding(&mut out, finding, &paint);
        }
        out.push('\n');
    }
    let known = report.findings.iter().filter(|f| !listed(f)).count();
    if known > 0 {
        let _ = writeln!(
            out,
            "{}\n",
            paint(
                Style::new().dimmed(),
                &format!("{known} finding{} in the baseline not shown", plural(known))
            )
        );
    }

    if !report.errors.is_empty() {
        let _ = writeln!(out, "{}", paint(Style::new().bold(), "errors"));
        for error in &report.errors {
            let mut place = String::new();
            if let Some(rule) = &error.rule {
                let _ = write!(place, "rule {rule}");
            }
            if let Some(file) = &error.file {
                place = match error.line {
                    Some(line) => format!("{file}:{line}"),
                    None => file.clone(),
                };
            }
            let label = paint(AnsiColor::Red.on_default().bold(), "error");
            let _ = writeln!(out, "  {label}  {place}: {}", error.message);
        }
        out.push('\n');
    }

    notices(&mut out, report, &paint);
    if text_style.verbose {
        skipped(&mut out, report, &paint);
    }
    controls(&mut out, report, &paint);

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
    let _ = writeln!(out, "{}", summary_line(report, &paint));
    out
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
        paint(Style::new().underline(), &place(&finding.location)),
        object(&finding.location)
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
        n => format!("{n} finding{} ({})", plural(n), counts.join(", ")),
    };
    let waived = match s.waived {
        0 => String::new(),
        n => format!(", {n} waived"),
    };
    let errors = match s.errors {
        0 => String::new(),
        n => format!(", {n} error{}", plural(n)),
    };
    let skipped = match s.skipped {
        0 => String::new(),
        n => format!(" ({n} skipped: {})", skip_reasons(report)),
    };
    format!(
        "{} rule{} over {} object{} in {} file{}{skipped}: {findings}{waived}{errors}",
        s.rules,
        plural(s.rules),
        s.objects,
        plural(s.objects),
        s.files,
        plural(s.files)
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub(super) fn place(location: &LocationRecord) -> String {
    match location.column {
        Some(column) => format!("{}:{}:{column}", location.file, location.line),
        None => format!("{}:{}", location.file, location.line),
    }
}

/// For a finding in Git history: where it first appeared and how many versions hold it.
fn history_line(location: &LocationRecord) -> Option<String> {
    let first = location.first_seen.as_ref()?;
    let versions = location.versions.unwrap_or(1);
    Some(format!(
        "first seen in commit {} ({}) as {}; held by {versions} version{} of the file",
        &first.commit[..12.min(first.commit.len())],
        first.author_date,
        first.path,
        plural(versions)
    ))
}

/// `Kind namespace/name`, and the kustomization it was built through.
pub(super) fn object(location: &LocationRecord) -> Option<String> {
    let kind = location.kind.as_deref()?;
    let name = location.name.as_deref().unwrap_or("");
    let object = match &location.namespace {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    };
    Some(match &location.via {
        Some(via) => format!("{object} (via {via})"),
        None => object,
    })
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
