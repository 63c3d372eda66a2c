//! JUnit XML, for CI systems that show test results: one testsuite per rule, a failing
//! testcase per finding (a skipped one when waived), a passing testcase per input file the
//! rule found nothing in, and an error testcase when the rule failed to run. Input errors
//! form their own `inputs` suite.
//!
//! The suites are gathered first, then written with quick-xml, which escapes text and
//! attribute values as it writes them.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{FindingRecord, Report, RuleResult};

/// One testsuite: a rule, or the input errors.
struct Suite<'a> {
    name: &'a str,
    /// Whether the suite lists the frameworks as its properties (rule suites do).
    properties: bool,
    cases: Vec<Case<'a>>,
}

impl Suite<'_> {
    fn count(&self, outcome: fn(&Verdict) -> bool) -> usize {
        self.cases.iter().filter(|c| outcome(&c.verdict)).count()
    }

    fn failures(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Failed { .. }))
    }

    fn errors(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Error { .. }))
    }

    fn skipped(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Skipped { .. }))
    }
}

/// One testcase.
struct Case<'a> {
    classname: &'a str,
    name: String,
    /// The file and line it is about, when it is about one.
    file: Option<&'a str>,
    line: Option<u32>,
    verdict: Verdict,
}

/// How a testcase ended.
enum Verdict {
    Passed,
    /// A finding: its message, its severity as the failure's type, and the detail shown
    /// under it (message, place, controls).
    Failed {
        message: String,
        severity: &'static str,
        detail: String,
    },
    Skipped {
        message: String,
    },
    Error {
        message: String,
    },
}

/// The report as a JUnit XML document.
pub fn render(report: &Report) -> String {
    let mut suites: Vec<Suite<'_>> = report.rules.iter().map(|r| rule_suite(report, r)).collect();
    suites.extend(inputs_suite(report));
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_document(&mut writer, report, &suites).expect("writing to memory cannot fail");
    let mut text = String::from_utf8(writer.into_inner()).expect("XML written from text");
    text.push('\n');
    text
}

/// A rule's suite: its findings, the files it found nothing in, and its errors.
fn rule_suite<'a>(report: &'a Report, rule: &'a RuleResult) -> Suite<'a> {
    let findings: Vec<&FindingRecord> = report
        .findings
        .iter()
        .filter(|f| f.rule == rule.id)
        .collect();
    let mut cases: Vec<Case<'_>> = findings.iter().map(|f| finding_case(f)).collect();
    let clean = report
        .inputs
        .iter()
        .filter(|i| !findings.iter().any(|f| f.location.file == i.path));
    cases.extend(clean.map(|input| Case {
        classname: &rule.id,
        name: input.path.clone(),
        file: Some(&input.path),
        line: None,
        verdict: Verdict::Passed,
    }));
    let errors = report
        .errors
        .iter()
        .filter(|e| e.rule.as_deref() == Some(rule.id.as_str()));
    cases.extend(errors.map(|error| Case {
        classname: &rule.id,
        name: format!("{} run", rule.id),
        file: None,
        line: None,
        verdict: Verdict::Error {
            message: error.message.clone(),
        },
    }));
    Suite {
        name: &rule.id,
        properties: true,
        cases,
    }
}

/// A finding as a failing testcase, or a skipped one when it is waived.
fn finding_case(finding: &FindingRecord) -> Case<'_> {
    let at = &finding.location;
    let object = at.object().map(|o| format!(" {o}")).unwrap_or_default();
    let verdict = match &finding.waiver {
        Some(waiver) => Verdict::Skipped {
            message: waiver.describe(),
        },
        None => {
            let controls: Vec<String> = finding.controls.iter().map(|c| c.to_string()).collect();
            Verdict::Failed {
                message: finding.message.clone(),
                severity: finding.severity.name(),
                detail: format!(
                    "{}\n{}:{}\ncontrols: {}",
                    finding.message,
                    at.file,
                    at.line,
                    controls.join(", ")
                ),
            }
        }
    };
    Case {
        classname: &finding.rule,
        name: format!("{}{object} ({}:{})", finding.check, at.file, at.line),
        file: Some(&at.file),
        line: Some(at.line),
        verdict,
    }
}

/// The input errors, each an error testcase named by its place; none when there are none.
fn inputs_suite(report: &Report) -> Option<Suite<'_>> {
    let cases: Vec<Case<'_>> = report
        .errors
        .iter()
        .filter(|e| e.rule.is_none())
        .map(|error| Case {
            classname: "inputs",
            name: error.place().to_string(),
            file: None,
            line: None,
            verdict: Verdict::Error {
                message: error.message.clone(),
            },
        })
        .collect();
    (!cases.is_empty()).then_some(Suite {
        name: "inputs",
        properties: false,
        cases,
    })
}

fn write_document(
    writer: &mut Writer<Vec<u8>>,
    report: &Report,
    suites: &[Suite<'_>],
) -> io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let total = |count: fn(&Suite<'_>) -> usize| suites.iter().map(count).sum::<usize>();
    writer
        .create_element("testsuites")
        .with_attributes([
            ("name", "tollgate"),
            ("tests", &total(|s| s.cases.len()).to_string()),
            ("failures", &total(|s| s.failures()).to_string()),
            ("errors", &total(|s| s.errors()).to_string()),
            ("skipped", &total(|s| s.skipped()).to_string()),
        ])
        .write_inner_content(|writer| {
            suites
                .iter()
                .try_for_each(|suite| write_suite(writer, report, suite))
        })?;
    Ok(())
}

fn write_suite(writer: &mut Writer<Vec<u8>>, report: &Report, suite: &Suite<'_>) -> io::Result<()> {
    writer
        .create_element("testsuite")
        .with_attributes([
            ("name", suite.name),
            ("tests", &suite.cases.len().to_string()),
            ("failures", &suite.failures().to_string()),
            ("errors", &suite.errors().to_string()),
            ("skipped", &suite.skipped().to_string()),
        ])
        .write_inner_content(|writer| {
            if suite.properties {
                write_framework_properties(writer, report)?;
            }
            suite
                .cases
                .iter()
                .try_for_each(|case| write_case(writer, case))
        })?;
    Ok(())
}

/// The frameworks assessed with their full titles and versions, as the properties of every
/// rule's suite: CI systems show a suite's properties, not the document's.
fn write_framework_properties(writer: &mut Writer<Vec<u8>>, report: &Report) -> io::Result<()> {
    let titles = &report.settings.framework_titles;
    if titles.is_empty() {
        return Ok(());
    }
    writer
        .create_element("properties")
        .write_inner_content(|writer| {
            for framework in titles {
                writer
                    .create_element("property")
                    .with_attribute(("name", format!("framework {}", framework.name).as_str()))
                    .with_attribute(("value", framework.title.as_str()))
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_case(writer: &mut Writer<Vec<u8>>, case: &Case<'_>) -> io::Result<()> {
    let line = case.line.map(|l| l.to_string());
    let element = writer
        .create_element("testcase")
        .with_attribute(("classname", case.classname))
        .with_attribute(("name", case.name.as_str()))
        .with_attributes(case.file.map(|file| ("file", file)))
        .with_attributes(line.as_deref().map(|line| ("line", line)));
    match &case.verdict {
        Verdict::Passed => element.write_empty()?,
        Verdict::Failed {
            message,
            severity,
            detail,
        } => element.write_inner_content(|writer| {
            writer
                .create_element("failure")
                .with_attribute(("message", message.as_str()))
                .with_attribute(("type", *severity))
                .write_text_content(BytesText::new(detail))?;
            Ok(())
        })?,
        Verdict::Skipped { message } => element.write_inner_content(|writer| {
            writer
                .create_element("skipped")
                .with_attribute(("message", message.as_str()))
                .write_empty()?;
            Ok(())
        })?,
        Verdict::Error { message } => element.write_inner_content(|writer| {
            writer
                .create_element("error")
                .with_attribute(("message", message.as_str()))
                .write_text_content(BytesText::new(message))?;
            Ok(())
        })?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_sample_report() {
        crate::report::sample::assert_renders("xml", &render(&crate::report::sample::report()));
    }
}
