//! `tollgate plugin inspect FILE.wasm`: what a plugin is and asks for, before anyone runs
//! it: size and SHA-256 (what to pin), contract version, the rule's `info()`, and every
//! import with what the sandbox grants it. Exit 0 when the host would load the plugin,
//! 2 when it refuses it (the inspection still says everything it could learn).

use serde_json::{Value, json};

use crate::report::{CheckRecord, RuleInput, untrusted};
use crate::runtime::{ComponentCache, Inspection, Limits, RuleInfo, Runtime};
use crate::scan;

use super::args::{InspectArgs, InspectFormat};
use super::write_stdout;

pub(super) fn inspect_command(args: InspectArgs) -> anyhow::Result<u8> {
    // Compiled in memory: inspecting a plugin leaves nothing in the cache.
    let runtime = Runtime::new(Limits::default(), ComponentCache::new(None, None))
        .map_err(scan::ScanError::Runtime)?;
    let inspection = runtime.inspect(&args.file)?;
    let file = args.file.display().to_string();
    let text = match args.format {
        InspectFormat::Json => inspection_json(&file, &inspection),
        InspectFormat::Text => inspection_text(&file, &inspection),
    };
    write_stdout(&text)?;
    Ok(if inspection.rule.is_ok() { 0 } else { 2 })
}

fn inputs(info: &RuleInfo) -> Vec<&'static str> {
    info.rule_inputs()
        .into_iter()
        .map(RuleInput::name)
        .collect()
}

/// The kinds the rule reads, or `every object`.
fn kinds(info: &RuleInfo) -> String {
    if info.kinds.is_empty() {
        "every object".to_owned()
    } else {
        info.kinds.join(", ")
    }
}

fn inspection_json(file: &str, inspection: &Inspection) -> String {
    let imports: Vec<Value> = inspection
        .imports
        .iter()
        .map(|i| json!({"name": i.name, "access": i.access.name(), "why": i.why}))
        .collect();
    let mut value = json!({
        "file": file,
        "size": inspection.size,
        "sha256": inspection.sha256,
        "contract": inspection.contract,
        "imports": imports,
    });
    match &inspection.rule {
        Ok(info) => {
            value["rule"] = json!({
                "id": info.id,
                "version": info.version,
                "title": info.title,
                "description": info.description,
                "inputs": inputs(info),
                "kinds": info.kinds,
                "controls": info.control_refs(),
                "checks": info.checks.iter().map(CheckRecord::from).collect::<Vec<_>>(),
            });
        }
        Err(refusal) => value["refused"] = json!(format!("{refusal:#}")),
    }
    untrusted::clean_value(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}

fn inspection_text(file: &str, inspection: &Inspection) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("file", file.to_owned()),
        ("size", format!("{} bytes", inspection.size)),
        ("sha256", inspection.sha256.clone()),
        (
            "contract",
            inspection.contract.as_ref().map_or_else(
                || "unknown (no tollgate:policy interface named)".to_owned(),
                |v| format!("tollgate:policy@{v}"),
            ),
        ),
    ];
    match &inspection.rule {
        Ok(info) => rows.extend(rule_rows(info)),
        Err(refusal) => rows.push(("refused", format!("{refusal:#}"))),
    }
    let mut out = String::new();
    for (label, value) in rows {
        out.push_str(&format!("{label:<12} {}\n", untrusted::clean_text(&value)));
    }
    if let Ok(info) = &inspection.rule {
        out.push_str(&format!("checks       {}\n", info.checks.len()));
        for check in &info.checks {
            out.push_str(&format!(
                "  {:<8} {}: {}\n",
                crate::vocab::Severity::from(check.severity).name(),
                untrusted::clean_text(&check.id),
                untrusted::clean_text(&check.title)
            ));
        }
    }
    out.push_str(&format!("imports      {}\n", inspection.imports.len()));
    let width = inspection
        .imports
        .iter()
        .map(|i| i.name.len())
        .max()
        .unwrap_or(0);
    for import in &inspection.imports {
        let name = untrusted::clean_text(&import.name);
        out.push_str(&format!(
            "  {:<10} {name:<width$}  {}\n",
            import.access.name(),
            import.why
        ));
    }
    out
}

fn rule_rows(info: &RuleInfo) -> Vec<(&'static str, String)> {
    let controls: Vec<String> = info
        .control_refs()
        .into_iter()
        .map(|c| format!("{} {}", c.framework, c.id))
        .collect();
    vec![
        ("rule", format!("{} {}", info.id, info.version)),
        ("title", info.title.clone()),
        ("description", info.description.clone()),
        ("inputs", inputs(info).join(", ")),
        ("kinds", kinds(info)),
        ("controls", controls.join(", ")),
    ]
}
