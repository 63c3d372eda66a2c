//! Reading saved JSON reports back, and merging the reports of several shards of an
//! estate (one per cluster or repository, run as a CI matrix) into one: rules, findings,
//! inputs and errors are combined and the control statuses and summary recomputed. Runs
//! made with different plugin digests are refused unless the caller allows it.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{
    ControlRef, ControlResult, ControlStatus, Evidence, InputRecord, NoticeKind, NoticeRecord,
    PluginRecord, Report, RuleResult, RuleStatus, SCHEMA_VERSION, Scope, Shard, Summary, untrusted,
};
use crate::catalog;
use crate::catalog::Framework;
use crate::runtime;
use crate::scan::FailOn;

/// Why reports cannot be read or merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    // The causes are named `error`, not `source`: their text is already in the message,
    // and a source would print it again in the error chain.
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("{path} is not a tollgate JSON report: {error}")]
    Parse {
        path: String,
        error: serde_json::Error,
    },
    #[error("{path} has schema_version {found}; this tollgate reads {SCHEMA_VERSION}")]
    Schema { path: String, found: u32 },
    #[error(
        "rule {rule} ran as different plugins: {first} in {first_path}, {second} in {second_path}; merge them anyway with --allow-plugin-mismatch"
    )]
    PluginMismatch {
        rule: String,
        first: String,
        first_path: String,
        second: String,
        second_path: String,
    },
    #[error("the reports disagree on fail_on ({0} and {1}); merge runs of one policy")]
    FailOn(String, String),
    #[error("nothing to merge")]
    Empty,
}

/// A report read from a file, with the file's SHA-256.
pub struct Saved {
    pub path: String,
    pub sha256: String,
    pub report: Report,
}

/// Reads a JSON report written by `tollgate scan --format json`.
pub fn read(path: &Path) -> Result<Saved, MergeError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| MergeError::Read {
        path: shown.clone(),
        error,
    })?;
    let parse_error = |error| MergeError::Parse {
        path: shown.clone(),
        error,
    };
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).map_err(parse_error)?;
    let version = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64);
    if let Some(found) = version.filter(|&v| v != u64::from(SCHEMA_VERSION)) {
        return Err(MergeError::Schema {
            path: shown,
            found: found as u32,
        });
    }
    // A saved report is input like any other: whoever edited it, it renders clean.
    untrusted::clean_value(&mut value);
    let report = serde_json::from_value(value).map_err(parse_error)?;
    Ok(Saved {
        path: shown,
        sha256: runtime::hex(&Sha256::digest(&bytes)),
        report,
    })
}

/// Merges shard reports into one.
pub fn merge(shards: Vec<Saved>, allow_plugin_mismatch: bool) -> Result<Report, MergeError> {
    let first = shards.first().ok_or(MergeError::Empty)?;
    let fail_on = first.report.settings.fail_on.clone();
    if let Some(other) = shards.iter().find(|s| s.report.settings.fail_on != fail_on) {
        return Err(MergeError::FailOn(
            fail_on,
            other.report.settings.fail_on.clone(),
        ));
    }
    let mut plugins: Vec<(PluginRecord, &str)> = Vec::new();
    for shard in &shards {
        for plugin in &shard.report.evidence.plugins {
            match plugins.iter().find(|(p, _)| p.id == plugin.id) {
                Some((known, path)) if known.sha256 != plugin.sha256 && !allow_plugin_mismatch => {
                    return Err(MergeError::PluginMismatch {
                        rule: plugin.id.clone(),
                        first: known.sha256.clone(),
                        first_path: path.to_string(),
                        second: plugin.sha256.clone(),
                        second_path: shard.path.clone(),
                    });
                }
                Some(_) => {}
                None => plugins.push((plugin.clone(), &shard.path)),
            }
        }
    }

    let mut rules: Vec<RuleResult> = Vec::new();
    let mut frameworks: Vec<Framework> = Vec::new();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    let mut inputs: Vec<InputRecord> = Vec::new();
    let mut waivers = Vec::new();
    let mut skipped = Vec::new();
    let mut notices: Vec<NoticeRecord> = Vec::new();
    let mut objects = 0;
    let mut records = Vec::new();
    // The shards judged disjoint inputs: a control's scope is the sum of theirs.
    let mut scopes: BTreeMap<(String, String), Scope> = BTreeMap::new();
    for shard in &shards {
        let report = &shard.report;
        for rule in &report.rules {
            match rules.iter_mut().find(|r| r.id == rule.id) {
                Some(known) => {
                    known.findings += rule.findings;
                    known.waived += rule.waived;
                    known.status = worse(known.status, rule.status);
                    for coverage in &rule.coverage {
                        match known
                            .coverage
                            .iter_mut()
                            .find(|c| c.check == coverage.check)
                        {
                            Some(c) => {
                                c.objects += coverage.objects;
                                c.files += coverage.files;
                            }
                            None => known.coverage.push(coverage.clone()),
                        }
                    }
                }
                None => rules.push(rule.clone()),
            }
        }
        frameworks.extend(
            report
                .settings
                .frameworks
                .iter()
                .filter_map(|name| catalog::by_name(name)),
        );
        for control in &report.controls {
            let key = (control.framework.clone(), control.id.clone());
            scopes.entry(key).or_default().add(&control.scope);
        }
        findings.extend(report.findings.iter().cloned());
        errors.extend(report.errors.iter().cloned());
        for input in &report.inputs {
            if !inputs
                .iter()
                .any(|i| i.path == input.path && i.sha256 == input.sha256)
            {
                inputs.push(input.clone());
            }
        }
        objects += report.summary.objects;
        skipped.extend(report.skipped.iter().cloned());
        for notice in &report.notices {
            if !notices.contains(notice) {
                notices.push(notice.clone());
            }
        }
        waivers.extend(report.evidence.waivers.iter().cloned());
        records.push(Shard {
            path: shard.path.clone(),
            sha256: shard.sha256.clone(),
            generated_at: report.evidence.generated_at.clone(),
            git: report.evidence.git.clone(),
            config: report.evidence.config.clone(),
        });
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    frameworks.sort_by_key(|&f| catalog::position(f));
    frameworks.dedup();

    let gaps = catalog::Gaps {
        unread_inputs: errors.iter().any(|e| e.rule.is_none()),
        unrendered_charts: notices
            .iter()
            .filter(|n| n.kind == NoticeKind::HelmChart)
            .count(),
    };
    let scope = |control: &ControlRef| {
        let key = (control.framework.clone(), control.id.clone());
        scopes.get(&key).cloned().unwrap_or_default()
    };
    let mut controls = catalog::assess(
        &frameworks,
        &catalog::Run {
            rules: &rules,
            skipped: &[],
            findings: &findings,
            gaps,
            scope: &scope,
        },
    );
    not_run_in_every_shard(&mut controls, &shards);
    let threshold = FailOn::from_name(&fail_on).and_then(FailOn::threshold);
    let summary = Summary::of(
        (rules.len(), inputs.len(), objects, skipped.len()),
        &findings,
        errors.len(),
        threshold,
    );
    let latest = records
        .iter()
        .map(|r| r.generated_at.clone())
        .max()
        .unwrap_or_default();
    let base = &first.report;
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: base.tool.clone(),
        settings: super::Settings {
            default_namespace: base.settings.default_namespace.clone(),
            fail_on,
            frameworks: frameworks
                .iter()
                .map(|&f| catalog::framework_name(f).to_owned())
                .collect(),
            framework_titles: catalog::titles(&frameworks),
        },
        rules,
        controls,
        findings,
        errors,
        inputs,
        skipped,
        notices,
        evidence: Evidence {
            generated_at: latest,
            tool: base.tool.clone(),
            plugins: plugins.into_iter().map(|(p, _)| p).collect(),
            git: None,
            config: None,
            waivers,
            shards: records,
            // The shards' signatures cover their files, not the merged report.
            signature: None,
        },
        summary,
    })
}

/// The status of a rule over several runs: any error wins, then any failure.
fn worse(a: RuleStatus, b: RuleStatus) -> RuleStatus {
    let rank = |s: RuleStatus| match s {
        RuleStatus::Pass => 0,
        RuleStatus::Fail => 1,
        RuleStatus::Error => 2,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// A control satisfied over the merged runs is only `partial` when one of its rules did
/// not run in some shard: that shard's inputs were not judged by it.
fn not_run_in_every_shard(controls: &mut [ControlResult], shards: &[Saved]) {
    for control in controls
        .iter_mut()
        .filter(|c| c.status == ControlStatus::Satisfied)
    {
        let missing: Vec<String> = shards
            .iter()
            .flat_map(|shard| {
                let ran = |rule: &String| shard.report.rules.iter().any(|r| &r.id == rule);
                control
                    .rules
                    .iter()
                    .filter(move |rule| !ran(rule))
                    .map(move |rule| format!("{rule} (not run in {})", shard.path))
            })
            .collect();
        if !missing.is_empty() {
            control.status = ControlStatus::Partial;
            control.basis = format!(
                "tested by {} on {}, no exceptions; not assessed by {}",
                control.rules.join(", "),
                control.scope,
                missing.join(", ")
            );
        }
    }
}
