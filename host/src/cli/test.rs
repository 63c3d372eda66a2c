//! `tollgate test DIR...`: scans each fixture ([`crate::expect`]) with the builtin rules,
//! the config's pinned plugins and `--plugin` ones, loaded once, and prints for each
//! whether it reported exactly the findings its annotations expect, then a summary line.
//!
//! Exit codes: 0 every fixture as expected; 1 a missing or unexpected finding; 2 a fixture
//! that cannot be judged (a malformed annotation, an input or rule error), or bad flags.

use crate::config::{self, Config};
use crate::expect::{self, Comparison, Fixture};
use crate::input::{InputOptions, Target};
use crate::report::untrusted;
use crate::runtime::{Plugin, Runtime};
use crate::scan::{self, ScanOptions};
use crate::vocab::FailOn;

use super::args::TestArgs;
use super::{excludes, frameworks, runtime_options, write_stdout};

/// How the fixtures went.
#[derive(Default)]
struct Tally {
    fixtures: usize,
    expectations: usize,
    failures: usize,
    errors: usize,
}

/// What one fixture showed.
enum Verdict {
    Judged(Comparison),
    /// Annotations or a scan that cannot be believed: one message each.
    Unusable(Vec<String>),
}

pub(super) fn test_command(args: TestArgs) -> anyhow::Result<u8> {
    let config = args.config.as_deref().map(config::load).transpose()?;
    let pinned = config
        .as_ref()
        .map(|c| c.plugins.clone())
        .unwrap_or_default();
    let runtime = runtime_options(args.runtime, pinned)?;
    let mut fixtures = expect::fixtures(&args.paths)?;
    let (loaded, plugins) = scan::load(&runtime)?;
    let known: Vec<&str> = plugins.iter().map(|p| p.info.id.as_str()).collect();
    let mut tally = Tally::default();
    for fixture in &mut fixtures {
        fixture.check_rules(&known);
        let verdict = judge(fixture, config.as_ref(), &runtime, &loaded, &plugins)?;
        tally.fixtures += 1;
        tally.expectations += fixture.expected.len();
        write_stdout(&describe(fixture, &verdict, &mut tally))?;
    }
    write_stdout(&format!("\n{}\n", summary(&tally)))?;
    Ok(if tally.errors > 0 {
        2
    } else if tally.failures > 0 {
        1
    } else {
        0
    })
}

/// Scans one fixture and compares; errors of the whole run (a config the rules refuse)
/// stop the command.
fn judge(
    fixture: &Fixture,
    config: Option<&Config>,
    runtime: &scan::RuntimeOptions,
    loaded: &Runtime,
    plugins: &[Plugin],
) -> anyhow::Result<Verdict> {
    if !fixture.errors.is_empty() {
        let messages = fixture.errors.iter().map(ToString::to_string).collect();
        return Ok(Verdict::Unusable(messages));
    }
    let tested = fixture.rule_ids();
    let options = ScanOptions {
        target: Target::Paths(vec![fixture.path.clone()]),
        default_namespace: "default".into(),
        fail_on: FailOn::Never,
        only_rules: tested.clone(),
        skip_rules: Vec::new(),
        runtime: runtime.clone(),
        input: InputOptions {
            excludes: excludes(&[], config)?,
            ..InputOptions::default()
        },
        config: config.cloned(),
        frameworks: frameworks(&[], config)?,
        baseline: None,
    };
    let report = scan::run_loaded(&options, loaded, plugins)?;
    if !report.errors.is_empty() {
        let messages = report
            .errors
            .iter()
            .map(|e| {
                let rule = e
                    .rule
                    .as_deref()
                    .map(|r| format!("[{r}] "))
                    .unwrap_or_default();
                let at = match (&e.file, e.line) {
                    (Some(file), Some(line)) => format!("{file}:{line}: "),
                    (Some(file), None) => format!("{file}: "),
                    _ => String::new(),
                };
                format!("{rule}{at}{}", e.message)
            })
            .collect();
        return Ok(Verdict::Unusable(messages));
    }
    let reported = expect::reported(&report, &tested);
    Ok(Verdict::Judged(expect::compare(
        &fixture.expected,
        &reported,
    )))
}

/// The lines of one fixture's outcome, counted into `tally`.
fn describe(fixture: &Fixture, verdict: &Verdict, tally: &mut Tally) -> String {
    let path = fixture.path.display().to_string();
    let path = untrusted::clean_text(&path);
    let mut out = String::new();
    match verdict {
        Verdict::Judged(comparison) if comparison.failures() == 0 => {
            let count = fixture.expected.len();
            out.push_str(&format!(
                "ok     {path} ({})\n",
                plural(count, "expectation")
            ));
        }
        Verdict::Judged(comparison) => {
            tally.failures += comparison.failures();
            out.push_str(&format!("FAIL   {path}\n"));
            for (label, findings) in [
                ("missing   ", &comparison.missing),
                ("unexpected", &comparison.unexpected),
            ] {
                for finding in findings {
                    let finding = finding.to_string();
                    out.push_str(&format!(
                        "       {label} {}\n",
                        untrusted::clean_text(&finding)
                    ));
                }
            }
        }
        Verdict::Unusable(messages) => {
            tally.errors += 1;
            out.push_str(&format!("ERROR  {path}\n"));
            for message in messages {
                out.push_str(&format!("       {}\n", untrusted::clean_text(message)));
            }
        }
    }
    out
}

/// `N fixtures, M expectations, K failures` (and `, E errors` when some could not be
/// judged).
fn summary(tally: &Tally) -> String {
    let mut line = format!(
        "{}, {}, {}",
        plural(tally.fixtures, "fixture"),
        plural(tally.expectations, "expectation"),
        plural(tally.failures, "failure")
    );
    if tally.errors > 0 {
        line.push_str(&format!(", {}", plural(tally.errors, "error")));
    }
    line
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
