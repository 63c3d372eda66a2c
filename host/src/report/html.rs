//! One self-contained HTML page for auditors: outcome and provenance, a summary per
//! framework, the control table with statuses, findings with file:line, the waived ones
//! as exceptions with accepted risk (reason, approver, expiry), the config's waivers, and
//! the evidence digests. Inline CSS and script only (no request
//! leaves the page); filters by framework, severity and rule; prints cleanly.

use std::fmt::Write as _;

use super::{ControlStatus, Outcome, Report, Severity, escape_markup as esc, text};

const STYLE: &str = r#"
:root { --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --muted:#57606a; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:#1f2328; margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); font-size: 13px; } .meta code { font-size: 12px; }
.badge { display:inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color:#fff; white-space: nowrap; }
.pass, .satisfied { background: var(--ok); } .fail, .not-satisfied, .critical, .high { background: var(--bad); }
.error { background: #8250df; } .waived, .partial, .medium { background: var(--warn); } .not-assessed, .low, .info { background: #6e7781; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; } .card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 220px; }
.card h3 { margin: 0 0 6px; font-size: 14px; } .card .framework-title { margin: 0 0 6px; font-size: 12px; color: var(--muted); } .card div { font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; } th, td { border-bottom: 1px solid var(--line); padding: 5px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; word-break: break-all; }
.filters { display: flex; gap: 12px; margin: 8px 0; } .filters label { font-size: 13px; color: var(--muted); }
.hidden { display: none; } .waived-row td { color: var(--muted); }
@media print { .filters { display: none; } body { max-width: none; padding: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } .badge { border: 1px solid #000; color: #000; background: none; } }
"#;

const SCRIPT: &str = r#"
(function () {
  var order = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
  function value(id) { return document.getElementById(id).value; }
  function apply() {
    var framework = value('f-framework'), severity = value('f-severity'), rule = value('f-rule');
    document.querySelectorAll('tr[data-frameworks]').forEach(function (row) {
      var show = (framework === '' || (' ' + row.dataset.frameworks + ' ').indexOf(' ' + framework + ' ') >= 0)
        && (severity === '' || !row.dataset.severity || order[row.dataset.severity] >= order[severity])
        && (rule === '' || !row.dataset.rules || (' ' + row.dataset.rules + ' ').indexOf(' ' + rule + ' ') >= 0);
      row.classList.toggle('hidden', !show);
    });
  }
  ['f-framework', 'f-severity', 'f-rule'].forEach(function (id) {
    document.getElementById(id).addEventListener('change', apply);
  });
  apply();
  document.body.dataset.ready = 'true';
})();
"#;

pub fn render(report: &Report) -> String {
    let mut body = String::new();
    header(&mut body, report);
    frameworks(&mut body, report);
    filters(&mut body, report);
    controls(&mut body, report);
    findings(&mut body, report);
    errors(&mut body, report);
    exceptions(&mut body, report);
    waivers(&mut body, report);
    evidence(&mut body, report);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<title>tollgate compliance report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
}

fn header(out: &mut String, report: &Report) {
    let (word, class) = match report.summary.outcome {
        Outcome::Pass => ("PASS", "pass"),
        Outcome::Fail => ("FAIL", "fail"),
        Outcome::Error => ("ERROR", "error"),
    };
    let evidence = &report.evidence;
    let git = match &evidence.git {
        Some(g) => format!(
            " · commit <code>{}</code>{}",
            esc(&g.commit),
            if g.dirty {
                " (uncommitted changes)"
            } else {
                ""
            }
        ),
        None => String::new(),
    };
    let config = match &evidence.config {
        Some(c) => format!(
            " · config <code>{}</code> sha256 <code>{}</code>",
            esc(&c.path),
            esc(&c.sha256)
        ),
        None => String::new(),
    };
    let _ = write!(
        out,
        "<h1>Compliance report <span class=\"badge {class}\">{word}</span></h1>\n<p class=\"meta\">{} · generated {} by {} {}{git}{config} · fails on {} · {}</p>\n",
        esc(&text::summary_counts(report)),
        esc(&evidence.generated_at),
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(report.settings.fail_on.name()),
        signature(report)
    );
}

/// Whether the report file is signed, and with which key. The file is named: a page
/// rendered again from a signed JSON report is not itself signed.
fn signature(report: &Report) -> String {
    match &report.evidence.signature {
        Some(s) => format!(
            "<span id=\"signature\"><code>{}</code> signed with the {} SSH key <code>{}</code> (namespace <code>{}</code>, signature <code>{}</code>)</span>",
            esc(&s.file),
            esc(&s.key_type),
            esc(&s.key_fingerprint),
            esc(&s.namespace),
            esc(&s.signature)
        ),
        None => "<span id=\"signature\">not signed</span>".to_owned(),
    }
}

fn frameworks(out: &mut String, report: &Report) {
    out.push_str("<h2>Frameworks</h2>\n<div class=\"cards\">\n");
    for framework in &report.settings.frameworks {
        let _ = write!(
            out,
            "<div class=\"card\"><h3>{}</h3>",
            esc(framework.name())
        );
        if let Some(title) = report.settings.framework_title(framework) {
            let _ = write!(out, "<p class=\"framework-title\">{}</p>", esc(title));
        }
        for status in ControlStatus::ALL {
            let n = report.control_count(framework, status);
            if n > 0 {
                let _ = write!(
                    out,
                    "<div><span class=\"badge {0}\">{0}</span> {n}</div>",
                    status.name()
                );
            }
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
}

fn filters(out: &mut String, report: &Report) {
    let options = |values: &mut dyn Iterator<Item = String>| -> String {
        values
            .map(|v| format!("<option value=\"{0}\">{0}</option>", esc(&v)))
            .collect()
    };
    let frameworks = options(
        &mut report
            .settings
            .frameworks
            .iter()
            .map(|f| f.name().to_owned()),
    );
    let severities = options(&mut Severity::ALL.iter().rev().map(|s| s.name().to_owned()));
    let rules = options(&mut report.rules.iter().map(|r| r.id.clone()));
    let _ = writeln!(
        out,
        "<div class=\"filters\"><label>Framework <select id=\"f-framework\"><option value=\"\">all</option>{frameworks}</select></label>\
<label>Severity at least <select id=\"f-severity\"><option value=\"\">any</option>{severities}</select></label>\
<label>Rule <select id=\"f-rule\"><option value=\"\">all</option>{rules}</select></label></div>"
    );
}

fn controls(out: &mut String, report: &Report) {
    out.push_str("<h2>Controls</h2>\n<p class=\"scope-note\">Satisfied means tested, no exceptions in the scanned scope; it does not say the control is met for the organisation. Each basis names the objects and files the status rests on.</p>\n<table id=\"controls\"><thead><tr><th>Framework</th><th>Control</th><th>Title</th><th>Status</th><th>Basis</th><th>Rules</th></tr></thead><tbody>\n");
    for c in &report.controls {
        let _ = writeln!(
            out,
            "<tr data-frameworks=\"{framework}\" data-rules=\"{rule_ids}\"><td>{framework}</td><td class=\"mono\">{id}</td><td>{title}</td><td><span class=\"badge {status}\">{status}</span></td><td>{basis}</td><td>{rules}</td></tr>",
            framework = esc(c.framework.name()),
            rule_ids = esc(&c.rules.join(" ")),
            id = esc(&c.id),
            title = esc(&c.title),
            status = c.status.name(),
            basis = esc(&c.basis),
            rules = esc(&c.rules.join(", "))
        );
    }
    out.push_str("</tbody></table>\n");
}

fn findings(out: &mut String, report: &Report) {
    let _ = writeln!(out, "<h2>Findings ({})</h2>", report.findings.len());
    if report.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n");
        return;
    }
    out.push_str("<table id=\"findings\"><thead><tr><th>Severity</th><th>Check</th><th>Location</th><th>Message</th><th>Controls</th></tr></thead><tbody>\n");
    for f in &report.findings {
        let frameworks: Vec<&str> = f.controls.iter().map(|c| c.framework.name()).collect();
        let controls: Vec<String> = f
            .controls
            .iter()
            .map(|c| format!("{} {}", c.framework, c.id))
            .collect();
        let at = &f.location;
        let object = match (&at.kind, &at.namespace, &at.name) {
            (Some(kind), Some(ns), Some(name)) => {
                format!("<br>{} {}/{}", esc(kind), esc(ns), esc(name))
            }
            (Some(kind), None, Some(name)) => format!("<br>{} {}", esc(kind), esc(name)),
            _ => String::new(),
        };
        let (row_class, severity) = match &f.waiver {
            Some(w) => (
                " class=\"waived-row\"",
                format!(
                    "<span class=\"badge waived\">waived</span> {}<br><small>{} {}</small>",
                    f.severity.name(),
                    esc(&w.reason),
                    esc(w.source.phrase())
                ),
            ),
            None => (
                "",
                format!("<span class=\"badge {0}\">{0}</span>", f.severity.name()),
            ),
        };
        let evidence = f
            .evidence
            .as_ref()
            .map(|e| format!("<br><small>evidence: <code>{}</code></small>", esc(e)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr{row_class} data-frameworks=\"{}\" data-severity=\"{}\" data-rules=\"{}\"><td>{severity}</td><td class=\"mono\">{}/{}</td><td class=\"mono\">{}:{}{object}</td><td>{}{evidence}</td><td>{}</td></tr>",
            esc(&frameworks.join(" ")),
            f.severity.name(),
            esc(&f.rule),
            esc(&f.rule),
            esc(&f.check),
            esc(&at.file),
            at.line,
            esc(&f.message),
            esc(&controls.join(", "))
        );
    }
    out.push_str("</tbody></table>\n");
}

fn errors(out: &mut String, report: &Report) {
    if report.errors.is_empty() {
        return;
    }
    out.push_str("<h2>Errors</h2>\n<p>These kept part of the input or a rule from a trustworthy result; controls they touch are not reported satisfied.</p>\n<ul>\n");
    for e in &report.errors {
        let place = match (&e.rule, &e.file, e.line) {
            (_, Some(file), Some(line)) => format!("{file}:{line}"),
            (_, Some(file), None) => file.clone(),
            (Some(rule), None, _) => format!("rule {rule}"),
            (None, None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "<li><code>{}</code>: {}</li>",
            esc(&place),
            esc(&e.message)
        );
    }
    out.push_str("</ul>\n");
}

/// The waived findings as exceptions with accepted risk: who waived, why, approved by
/// whom until when.
fn exceptions(out: &mut String, report: &Report) {
    out.push_str("<h2>Exceptions (accepted risk)</h2>\n");
    let waived: Vec<_> = report
        .findings
        .iter()
        .filter_map(|f| Some((f, f.waiver.as_ref()?)))
        .collect();
    if waived.is_empty() {
        out.push_str("<p>No finding is waived.</p>\n");
        return;
    }
    out.push_str("<table id=\"exceptions\"><thead><tr><th>Severity</th><th>Check</th><th>Location</th><th>Waived</th><th>Reason</th><th>Approved by</th><th>Expires</th></tr></thead><tbody>\n");
    for (f, w) in waived {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"mono\">{}/{}</td><td class=\"mono\">{}:{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            f.severity.name(),
            esc(&f.rule),
            esc(&f.check),
            esc(&f.location.file),
            f.location.line,
            esc(w.source.phrase()),
            esc(&w.reason),
            esc(w.approved_by.as_deref().unwrap_or("—")),
            esc(w.expires.as_deref().unwrap_or("never"))
        );
    }
    out.push_str("</tbody></table>\n");
}

fn waivers(out: &mut String, report: &Report) {
    out.push_str("<h2>Waivers</h2>\n");
    let waivers = &report.evidence.waivers;
    if waivers.is_empty() {
        out.push_str("<p>The config file lists no waivers.</p>\n");
    } else {
        out.push_str("<table id=\"waivers\"><thead><tr><th>Rule</th><th>Check</th><th>Target</th><th>Reason</th><th>Expires</th><th>Approved by</th><th>Applied to</th></tr></thead><tbody>\n");
        for w in waivers {
            let expires = match (&w.expires, w.expired) {
                (Some(date), true) => {
                    format!("{} <span class=\"badge fail\">expired</span>", esc(date))
                }
                (Some(date), false) => esc(date),
                (None, _) => "never".to_owned(),
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td>{expires}</td><td>{}</td><td>{} finding{}</td></tr>",
                esc(&w.rule),
                esc(w.check.as_deref().unwrap_or("any")),
                esc(&w.target),
                esc(&w.reason),
                esc(w.approved_by.as_deref().unwrap_or("—")),
                w.applied,
                if w.applied == 1 { "" } else { "s" }
            );
        }
        out.push_str("</tbody></table>\n");
    }
    let other = report
        .findings
        .iter()
        .filter(|f| {
            f.waiver
                .as_ref()
                .is_some_and(|w| w.source != super::WaiverSource::Config)
        })
        .count();
    if other > 0 {
        let _ = writeln!(
            out,
            "<p>{other} more finding{} waived by rule settings, annotations or the baseline (listed under the exceptions).</p>",
            if other == 1 { " is" } else { "s are" }
        );
    }
}

fn evidence(out: &mut String, report: &Report) {
    out.push_str("<h2>Evidence</h2>\n<h3>Rule plugins</h3>\n<table><thead><tr><th>Rule</th><th>Version</th><th>Source</th><th>SHA-256</th></tr></thead><tbody>\n");
    for p in &report.evidence.plugins {
        let _ = writeln!(
            out,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td></tr>",
            esc(&p.id),
            esc(&p.version),
            esc(&p.source),
            esc(&p.sha256)
        );
    }
    out.push_str("</tbody></table>\n<h3>Inputs</h3>\n<table><thead><tr><th>File</th><th>Objects</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>\n");
    for i in &report.inputs {
        let _ = writeln!(
            out,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td></tr>",
            esc(&i.path),
            i.objects,
            i.bytes,
            esc(&i.sha256)
        );
    }
    out.push_str("</tbody></table>\n");
}
