//! The listings: `tollgate rules` (every rule and its checks), `tollgate explain` (one rule
//! or check in full) and `tollgate frameworks` (every control, why tollgate's evidence bears
//! on it, and the checks that give it). Plugin text is cleaned before it is shown.

use crate::catalog::{self, CatalogControl};
use crate::report::{CheckRecord, RuleInput, untrusted};
use crate::runtime::Plugin;
use crate::vocab::Framework;

use super::args::ListingFormat;

/// Every rule with its checks, as `tollgate rules` prints them.
pub fn rules(plugins: &[Plugin], format: ListingFormat) -> String {
    match format {
        ListingFormat::Json => {
            json(&serde_json::json!({ "rules": plugins.iter().map(rule_json).collect::<Vec<_>>() }))
        }
        ListingFormat::Text | ListingFormat::Markdown => {
            let mut out = String::new();
            for plugin in plugins {
                let info = &plugin.info;
                out.push_str(&format!(
                    "{} {}  {}\n",
                    clean(&info.id),
                    clean(&info.version),
                    clean(&info.title)
                ));
                for check in checks(plugin) {
                    out.push_str(&format!(
                        "  {:<28} {:<8} {}\n",
                        check.id,
                        check.severity.name(),
                        check.title
                    ));
                }
                out.push('\n');
            }
            out
        }
    }
}

/// One rule (`RULE`) or one check (`RULE/CHECK`) in full, or why there is none.
pub fn explain(plugins: &[Plugin], name: &str) -> Result<String, String> {
    let (rule, check) = name
        .split_once('/')
        .map_or((name, None), |(r, c)| (r, Some(c)));
    let known = || {
        plugins
            .iter()
            .map(|p| p.info.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let plugin = plugins
        .iter()
        .find(|p| p.info.id == rule)
        .ok_or_else(|| format!("unknown rule {rule:?} (known rules: {})", known()))?;
    let info = &plugin.info;
    let mut out = format!(
        "{} {} — {}\n\n{}\n",
        info.id, info.version, info.title, info.description
    );
    let all = checks(plugin);
    let shown: Vec<&CheckRecord> = match check {
        None => all.iter().collect(),
        Some(id) => vec![all.iter().find(|c| c.id == id).ok_or_else(|| {
            let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
            format!(
                "rule {rule} has no check {id:?} (its checks: {})",
                ids.join(", ")
            )
        })?],
    };
    for check in shown {
        out.push_str(&format!(
            "\n{}/{} ({})\n  {}\n  Why: {}\n  Fix: {}\n  Controls:\n",
            clean(&info.id),
            check.id,
            check.severity.name(),
            check.title,
            check.rationale,
            check.remediation
        ));
        for control in &check.controls {
            let title = catalog::entry(control).map_or("", |c| c.title.as_str());
            out.push_str(&format!(
                "    {} {}: {}\n",
                control.framework, control.id, title
            ));
        }
    }
    Ok(out)
}

/// Every control of the catalog with why tollgate's evidence bears on it and the checks
/// (`rule/check`) that give it, as `tollgate frameworks` prints them. The Markdown form is
/// `docs/controls.md`.
pub fn frameworks(plugins: &[Plugin], format: ListingFormat) -> String {
    let rows: Vec<(Framework, &CatalogControl, Vec<String>)> = Framework::ALL
        .into_iter()
        .flat_map(|framework| {
            catalog::catalog(framework)
                .controls
                .iter()
                .map(move |control| {
                    (
                        framework,
                        control,
                        evidencing(plugins, framework, &control.id),
                    )
                })
        })
        .collect();
    let of = |framework: Framework| rows.iter().filter(move |(f, ..)| *f == framework);
    match format {
        ListingFormat::Json => {
            let frameworks: Vec<serde_json::Value> = Framework::ALL
                .into_iter()
                .map(|framework| {
                    let controls: Vec<serde_json::Value> = of(framework)
                        .map(|(_, control, checks)| {
                            serde_json::json!({
                                "id": control.id,
                                "title": control.title,
                                "why": control.why,
                                "checks": checks,
                                "covered": !checks.is_empty(),
                            })
                        })
                        .collect();
                    serde_json::json!({
                        "framework": framework.name(),
                        "title": catalog::catalog(framework).title,
                        "controls": controls,
                    })
                })
                .collect();
            json(&serde_json::json!({ "frameworks": frameworks }))
        }
        ListingFormat::Text => {
            let mut out = String::new();
            for framework in Framework::ALL.into_iter() {
                let mine: Vec<_> = of(framework).collect();
                let covered = mine
                    .iter()
                    .filter(|(.., checks)| !checks.is_empty())
                    .count();
                out.push_str(&format!(
                    "{} — {}: {covered} of {} controls evidenced\n",
                    framework.name(),
                    catalog::catalog(framework).title,
                    mine.len()
                ));
                for (_, control, checks) in mine {
                    out.push_str(&format!("  {:<8} {}\n", control.id, control.title));
                    out.push_str(&format!("           why: {}\n", control.why));
                    if !checks.is_empty() {
                        out.push_str(&format!("           checks: {}\n", checks.join(", ")));
                    }
                }
                out.push('\n');
            }
            out
        }
        ListingFormat::Markdown => markdown(&rows),
    }
}

/// `docs/controls.md`: one table per framework.
fn markdown(rows: &[(Framework, &CatalogControl, Vec<String>)]) -> String {
    let mut out = String::from(
        "# Controls and the checks that evidence them\n\n\
         Generated by `tollgate frameworks --format markdown` from the catalog \
         (`host/src/catalog/data/`) and the built-in rules' declared checks; a test fails \
         when this file and that output differ.\n\n\
         A control is `satisfied` in a report only when every rule evidencing it ran and \
         judged something that bears on it, and nothing broke it: tested, no exceptions in \
         the scanned scope. It never says the control is met for the organisation.\n",
    );
    for framework in Framework::ALL.into_iter() {
        out.push_str(&format!(
            "\n## {} — {}\n\n",
            framework.name(),
            catalog::catalog(framework).title
        ));
        out.push_str("| control | title | why tollgate's evidence bears on it | checks |\n|---|---|---|---|\n");
        for (_, control, checks) in rows.iter().filter(|(f, ..)| *f == framework) {
            let checks = if checks.is_empty() {
                "—".to_owned()
            } else {
                checks
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push_str(&format!(
                "| {} | {} | {} | {checks} |\n",
                control.id,
                control.title.replace('|', "\\|"),
                control.why.replace('|', "\\|")
            ));
        }
    }
    out
}

/// The checks of `plugins` that evidence a control, as `rule/check`.
fn evidencing(plugins: &[Plugin], framework: Framework, id: &str) -> Vec<String> {
    plugins
        .iter()
        .flat_map(|p| {
            p.info
                .checks
                .iter()
                .filter(|c| {
                    c.controls
                        .iter()
                        .any(|c| c.framework == framework.name() && c.id == id)
                })
                .map(move |c| format!("{}/{}", clean(&p.info.id), clean(&c.id)))
        })
        .collect()
}

/// The plugin's checks, every text cleaned for showing.
fn checks(plugin: &Plugin) -> Vec<CheckRecord> {
    let mut checks: Vec<CheckRecord> = plugin.info.checks.iter().map(CheckRecord::from).collect();
    for check in &mut checks {
        for text in [
            &mut check.id,
            &mut check.title,
            &mut check.rationale,
            &mut check.remediation,
        ] {
            *text = clean(text);
        }
    }
    checks
}

/// Plugin text made safe to show: control characters escaped, credentials redacted.
fn clean(text: &str) -> String {
    untrusted::clean_text(text).into_owned()
}

fn rule_json(plugin: &Plugin) -> serde_json::Value {
    let info = &plugin.info;
    let inputs: Vec<&str> = info
        .rule_inputs()
        .into_iter()
        .map(RuleInput::name)
        .collect();
    serde_json::json!({
        "id": info.id,
        "version": info.version,
        "title": info.title,
        "description": info.description,
        "inputs": inputs,
        "kinds": info.kinds,
        "checks": checks(plugin),
        "source": plugin.source.to_string(),
        "sha256": plugin.sha256,
    })
}

/// Pretty JSON, cleaned, with a final newline.
fn json(value: &serde_json::Value) -> String {
    let mut value = value.clone();
    untrusted::clean_value(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}
