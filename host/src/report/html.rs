//! One self-contained HTML page for auditors: outcome and provenance, a summary per
//! framework, the control table with statuses, findings with file:line, the waived ones
//! as exceptions with accepted risk (reason, approver, expiry), the config's waivers, and
//! the evidence digests. Inline CSS and script only (no request
//! leaves the page); filters by framework, severity and rule; prints cleanly.
//!
//! Written with maud: text is escaped as it is put in, so no report value can become
//! markup; the line breaks are kept where they were so the page source stays readable.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{
    ControlStatus, Counted, FindingRecord, Report, Severity, WaiverEntry, WaiverSource, text,
};

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

/// The report as one self-contained HTML page.
pub fn render(report: &Report) -> String {
    let page = html! {
        (DOCTYPE) "\n"
        html lang="en" {
            "\n"
            head {
                "\n" meta charset="utf-8"; "\n"
                meta name="viewport" content="width=device-width, initial-scale=1"; "\n"
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"; "\n"
                title { "tollgate compliance report" } "\n"
                style { (PreEscaped(STYLE)) } "\n"
            }
            "\n"
            body {
                "\n"
                (header(report))
                (frameworks(report))
                (filters(report))
                (controls(report))
                (findings(report))
                (errors(report))
                (exceptions(report))
                (waivers(report))
                (evidence(report))
                script { (PreEscaped(SCRIPT)) } "\n"
            }
            "\n"
        }
        "\n"
    };
    page.into_string()
}

/// A table with a header row, its body rows each followed by a line break.
fn table(id: Option<&str>, headers: &[&str], rows: impl IntoIterator<Item = Markup>) -> Markup {
    html! {
        table id=[id] {
            thead { tr { @for header in headers { th { (header) } } } }
            tbody { "\n" @for row in rows { (row) "\n" } }
        }
        "\n"
    }
}

fn header(report: &Report) -> Markup {
    let word = report.summary.outcome.word();
    let evidence = &report.evidence;
    html! {
        h1 { "Compliance report " span class={ "badge " (word.to_ascii_lowercase()) } { (word) } }
        "\n"
        p.meta {
            (text::summary_counts(report)) " · generated " (evidence.generated_at) " by "
            (report.tool.name) " " (report.tool.version)
            @if let Some(git) = &evidence.git {
                " · commit " code { (git.commit) }
                @if git.dirty { " (uncommitted changes)" }
            }
            @if let Some(config) = &evidence.config {
                " · config " code { (config.path) } " sha256 " code { (config.sha256) }
            }
            " · fails on " (report.settings.fail_on) " · " (signature(report))
        }
        "\n"
    }
}

/// Whether the report file is signed, and with which key. The file is named: a page
/// rendered again from a signed JSON report is not itself signed.
fn signature(report: &Report) -> Markup {
    html! {
        span #signature {
            @if let Some(s) = &report.evidence.signature {
                code { (s.file) } " signed with the " (s.key_type) " SSH key " code { (s.key_fingerprint) }
                " (namespace " code { (s.namespace) } ", signature " code { (s.signature) } ")"
            } @else {
                "not signed"
            }
        }
    }
}

fn frameworks(report: &Report) -> Markup {
    html! {
        h2 { "Frameworks" } "\n"
        div.cards {
            "\n"
            @for framework in &report.settings.frameworks {
                div.card {
                    h3 { (framework) }
                    @if let Some(title) = report.settings.framework_title(framework) {
                        p.framework-title { (title) }
                    }
                    @for status in ControlStatus::ALL {
                        @let n = report.control_count(framework, status);
                        @if n > 0 {
                            div { span class={ "badge " (status.name()) } { (status.name()) } " " (n) }
                        }
                    }
                }
                "\n"
            }
        }
        "\n"
    }
}

fn filters(report: &Report) -> Markup {
    let select = |label: &str, id: &str, any: &str, values: Vec<String>| {
        html! {
            label {
                (label) " "
                select id=(id) {
                    option value="" { (any) }
                    @for value in &values { option value=(value) { (value) } }
                }
            }
        }
    };
    let frameworks = report
        .settings
        .frameworks
        .iter()
        .map(|f| f.name().to_owned());
    let severities = Severity::ALL.iter().rev().map(|s| s.name().to_owned());
    let rules = report.rules.iter().map(|r| r.id.clone());
    html! {
        div.filters {
            (select("Framework", "f-framework", "all", frameworks.collect()))
            (select("Severity at least", "f-severity", "any", severities.collect()))
            (select("Rule", "f-rule", "all", rules.collect()))
        }
        "\n"
    }
}

fn controls(report: &Report) -> Markup {
    let rows = report.controls.iter().map(|c| {
        html! {
            tr data-frameworks=(c.framework) data-rules=(c.rules.join(" ")) {
                td { (c.framework) } td.mono { (c.id) } td { (c.title) }
                td { span class={ "badge " (c.status.name()) } { (c.status.name()) } }
                td { (c.basis) } td { (c.rules.join(", ")) }
            }
        }
    });
    let headers = ["Framework", "Control", "Title", "Status", "Basis", "Rules"];
    html! {
        h2 { "Controls" } "\n"
        p.scope-note { "Satisfied means tested, no exceptions in the scanned scope; it does not say the control is met for the organisation. Each basis names the objects and files the status rests on." }
        "\n"
        (table(Some("controls"), &headers, rows))
    }
}

fn findings(report: &Report) -> Markup {
    let headers = ["Severity", "Check", "Location", "Message", "Controls"];
    html! {
        h2 { "Findings (" (report.findings.len()) ")" } "\n"
        @if report.findings.is_empty() {
            p { "No findings." } "\n"
        } @else {
            (table(Some("findings"), &headers, report.findings.iter().map(finding_row)))
        }
    }
}

/// A finding's row, marked when waived (with the reason and who waived it).
fn finding_row(f: &FindingRecord) -> Markup {
    let frameworks: Vec<String> = f.controls.iter().map(|c| c.framework.to_string()).collect();
    let controls: Vec<String> = f.controls.iter().map(|c| c.to_string()).collect();
    let at = &f.location;
    let severity = f.severity.name();
    html! {
        tr class=[f.waiver.as_ref().map(|_| "waived-row")] data-frameworks=(frameworks.join(" "))
            data-severity=(severity) data-rules=(f.rule) {
            td {
                @if let Some(w) = &f.waiver {
                    span.badge.waived { "waived" } " " (severity) br;
                    small { (w.reason) " " (w.source.phrase()) }
                } @else {
                    span class={ "badge " (severity) } { (severity) }
                }
            }
            td.mono { (f.rule) "/" (f.check) }
            td.mono { (at.file) ":" (at.line) @if let Some(object) = at.object() { br; (object) } }
            td {
                (f.message)
                @if let Some(evidence) = &f.evidence { br; small { "evidence: " code { (evidence) } } }
            }
            td { (controls.join(", ")) }
        }
    }
}

fn errors(report: &Report) -> Markup {
    html! {
        @if !report.errors.is_empty() {
            h2 { "Errors" } "\n"
            p { "These kept part of the input or a rule from a trustworthy result; controls they touch are not reported satisfied." }
            "\n"
            ul {
                "\n"
                @for e in &report.errors { li { code { (e.place()) } ": " (e.message) } "\n" }
            }
            "\n"
        }
    }
}

/// The waived findings as exceptions with accepted risk: who waived, why, approved by
/// whom until when.
fn exceptions(report: &Report) -> Markup {
    let waived = report
        .findings
        .iter()
        .filter_map(|f| Some((f, f.waiver.as_ref()?)));
    let rows: Vec<Markup> = waived
        .map(|(f, w)| {
            html! {
                tr {
                    td { (f.severity.name()) } td.mono { (f.rule) "/" (f.check) }
                    td.mono { (f.location.file) ":" (f.location.line) } td { (w.source.phrase()) }
                    td { (w.reason) } td { (w.approved_by.as_deref().unwrap_or("—")) }
                    td { (w.expires.as_deref().unwrap_or("never")) }
                }
            }
        })
        .collect();
    let headers = [
        "Severity",
        "Check",
        "Location",
        "Waived",
        "Reason",
        "Approved by",
        "Expires",
    ];
    html! {
        h2 { "Exceptions (accepted risk)" } "\n"
        @if rows.is_empty() {
            p { "No finding is waived." } "\n"
        } @else {
            (table(Some("exceptions"), &headers, rows))
        }
    }
}

/// The config's waivers, applied or not, and how many findings were waived otherwise.
fn waivers(report: &Report) -> Markup {
    let waivers = &report.evidence.waivers;
    let other = report
        .findings
        .iter()
        .filter(|f| {
            f.waiver
                .as_ref()
                .is_some_and(|w| w.source != WaiverSource::Config)
        })
        .count();
    let headers = [
        "Rule",
        "Check",
        "Target",
        "Reason",
        "Expires",
        "Approved by",
        "Applied to",
    ];
    html! {
        h2 { "Waivers" } "\n"
        @if waivers.is_empty() {
            p { "The config file lists no waivers." } "\n"
        } @else {
            (table(Some("waivers"), &headers, waivers.iter().map(waiver_row)))
        }
        @if other > 0 {
            p {
                (Counted::new(other, "more finding")) @if other == 1 { " is" } @else { " are" }
                " waived by rule settings, annotations or the baseline (listed under the exceptions)."
            }
            "\n"
        }
    }
}

fn waiver_row(w: &WaiverEntry) -> Markup {
    html! {
        tr {
            td.mono { (w.rule) } td.mono { (w.check.as_deref().unwrap_or("any")) } td.mono { (w.target) }
            td { (w.reason) }
            td {
                @match &w.expires {
                    Some(date) => { (date) @if w.expired { " " span.badge.fail { "expired" } } },
                    None => "never",
                }
            }
            td { (w.approved_by.as_deref().unwrap_or("—")) }
            td { (Counted::new(w.applied, "finding")) }
        }
    }
}

/// The digests of the rule plugins that ran and the inputs they read.
fn evidence(report: &Report) -> Markup {
    let plugins = report.evidence.plugins.iter().map(|p| {
        html! {
            tr { td.mono { (p.id) } td { (p.version) } td { (p.source) } td.mono { (p.sha256) } }
        }
    });
    let inputs = report.inputs.iter().map(|i| {
        html! {
            tr { td.mono { (i.path) } td { (i.objects) } td { (i.bytes) } td.mono { (i.sha256) } }
        }
    });
    html! {
        h2 { "Evidence" } "\n"
        h3 { "Rule plugins" } "\n"
        (table(None, &["Rule", "Version", "Source", "SHA-256"], plugins))
        h3 { "Inputs" } "\n"
        (table(None, &["File", "Objects", "Bytes", "SHA-256"], inputs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_sample_report() {
        crate::report::sample::assert_renders("html", &render(&crate::report::sample::report()));
    }
}
