//! JUnit XML, for CI systems that show test results: one testsuite per rule, a failing
//! testcase per finding (a skipped one when waived), a passing testcase per input file the
//! rule found nothing in, and an error testcase when the rule failed to run. Input errors
//! form their own `inputs` suite.

use std::fmt::Write as _;

use super::{FindingRecord, Report, escape_markup as esc};

pub fn render(report: &Report) -> String {
    let mut suites = String::new();
    let properties = framework_properties(report);
    let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    for rule in &report.rules {
        let findings: Vec<&FindingRecord> = report
            .findings
            .iter()
            .filter(|f| f.rule == rule.id)
            .collect();
        let rule_errors: Vec<&str> = report
            .errors
            .iter()
            .filter(|e| e.rule.as_deref() == Some(rule.id.as_str()))
            .map(|e| e.message.as_str())
            .collect();
        let mut cases = String::new();
        let (mut suite_failures, mut suite_skipped) = (0, 0);
        for finding in &findings {
            let at = &finding.location;
            let object = match (&at.kind, &at.namespace, &at.name) {
                (Some(kind), Some(ns), Some(name)) => format!(" {kind} {ns}/{name}"),
                (Some(kind), None, Some(name)) => format!(" {kind} {name}"),
                _ => String::new(),
            };
            let name = format!("{}{object} ({}:{})", finding.check, at.file, at.line);
            let body = match &finding.waiver {
                Some(waiver) => {
                    suite_skipped += 1;
                    format!("<skipped message=\"{}\"/>", esc(&waiver.describe()))
                }
                None => {
                    suite_failures += 1;
                    let controls: Vec<String> = finding
                        .controls
                        .iter()
                        .map(|c| format!("{} {}", c.framework, c.id))
                        .collect();
                    format!(
                        "<failure message=\"{}\" type=\"{}\">{}\n{}:{}\ncontrols: {}</failure>",
                        esc(&finding.message),
                        finding.severity.name(),
                        esc(&finding.message),
                        esc(&at.file),
                        at.line,
                        esc(&controls.join(", "))
                    )
                }
            };
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">{body}</testcase>",
                esc(&rule.id),
                esc(&name),
                esc(&at.file),
                at.line
            );
        }
        let clean: Vec<&str> = report
            .inputs
            .iter()
            .map(|i| i.path.as_str())
            .filter(|path| !findings.iter().any(|f| f.location.file == *path))
            .collect();
        for path in &clean {
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"/>",
                esc(&rule.id),
                esc(path),
                esc(path)
            );
        }
        for message in &rule_errors {
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{0}\" name=\"{0} run\"><error message=\"{1}\">{1}</error></testcase>",
                esc(&rule.id),
                esc(message)
            );
        }
        let suite_tests = findings.len() + clean.len() + rule_errors.len();
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{suite_tests}\" failures=\"{suite_failures}\" errors=\"{}\" skipped=\"{suite_skipped}\">\n{properties}{cases}  </testsuite>\n",
            esc(&rule.id),
            rule_errors.len()
        );
        tests += suite_tests;
        failures += suite_failures;
        errors += rule_errors.len();
        skipped += suite_skipped;
    }
    let input_errors: Vec<_> = report.errors.iter().filter(|e| e.rule.is_none()).collect();
    if !input_errors.is_empty() {
        let mut cases = String::new();
        for error in &input_errors {
            let file = error.file.as_deref().unwrap_or("");
            let place = match error.line {
                Some(line) => format!("{file}:{line}"),
                None => file.to_owned(),
            };
            let _ = writeln!(
                cases,
                "    <testcase classname=\"inputs\" name=\"{}\"><error message=\"{}\">{}</error></testcase>",
                esc(&place),
                esc(&error.message),
                esc(&error.message)
            );
        }
        let _ = write!(
            suites,
            "  <testsuite name=\"inputs\" tests=\"{0}\" failures=\"0\" errors=\"{0}\" skipped=\"0\">\n{cases}  </testsuite>\n",
            input_errors.len()
        );
        tests += input_errors.len();
        errors += input_errors.len();
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tollgate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">\n{suites}</testsuites>\n"
    )
}

/// The frameworks assessed with their full titles and versions, as the properties of every
/// rule's suite: CI systems show a suite's properties, not the document's.
fn framework_properties(report: &Report) -> String {
    if report.settings.framework_titles.is_empty() {
        return String::new();
    }
    let mut out = String::from("    <properties>\n");
    for framework in &report.settings.framework_titles {
        let _ = writeln!(
            out,
            "      <property name=\"framework {}\" value=\"{}\"/>",
            esc(framework.name.name()),
            esc(&framework.title)
        );
    }
    out.push_str("    </properties>\n");
    out
}
