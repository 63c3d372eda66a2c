//! Reading saved JSON reports back, and merging the reports of several shards of an
//! estate (one per cluster or repository, run as a CI matrix) into one: rules, findings,
//! inputs and errors are combined and the control statuses and summary recomputed. Runs
//! made with different plugin digests are refused unless the caller allows it.

use std::collections::BTreeMap;
use std::path::Path;

use super::{
    ControlRef, ControlResult, ControlStatus, ErrorRecord, Evidence, FailOn, FindingRecord,
    Framework, InputRecord, NoticeKind, NoticeRecord, PluginRecord, Report, RuleResult, RuleStatus,
    SCHEMA_VERSION, Scope, Settings, Shard, SkippedRecord, Summary, WaiverEntry, assess, untrusted,
};
use crate::vocab::sha256_hex;

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
    FailOn(FailOn, FailOn),
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
        sha256: sha256_hex(&bytes),
        report,
    })
}

/// Merges shard reports into one: they must share `fail_on` and, unless
/// `allow_plugin_mismatch`, run each rule as the same plugin.
pub fn merge(shards: Vec<Saved>, allow_plugin_mismatch: bool) -> Result<Report, MergeError> {
    let first = shards.first().ok_or(MergeError::Empty)?;
    let fail_on = common_fail_on(&shards)?;
    let plugins = common_plugins(&shards, allow_plugin_mismatch)?;
    let mut merged = Merged::default();
    for shard in &shards {
        merged.add(shard);
    }
    merged.rules.sort_by(|a, b| a.id.cmp(&b.id));
    merged.frameworks.sort();
    merged.frameworks.dedup();
    let mut controls = merged.assess();
    not_run_in_every_shard(&mut controls, &shards);
    let summary = Summary::of(
        (
            merged.rules.len(),
            merged.inputs.len(),
            merged.objects,
            merged.skipped.len(),
        ),
        &merged.findings,
        merged.errors.len(),
        fail_on.threshold(),
    );
    let base = &first.report;
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: base.tool.clone(),
        settings: Settings::new(
            base.settings.default_namespace.clone(),
            fail_on,
            merged.frameworks,
        ),
        rules: merged.rules,
        controls,
        findings: merged.findings,
        errors: merged.errors,
        inputs: merged.inputs,
        skipped: merged.skipped,
        notices: merged.notices,
        evidence: Evidence {
            generated_at: latest(&merged.shards),
            tool: base.tool.clone(),
            plugins,
            git: None,
            config: None,
            waivers: merged.waivers,
            shards: merged.shards,
            // The shards' signatures cover their files, not the merged report.
            signature: None,
        },
        summary,
    })
}

/// The `fail_on` every shard was run with; shards run with different ones are refused.
fn common_fail_on(shards: &[Saved]) -> Result<FailOn, MergeError> {
    let mut values = shards.iter().map(|s| s.report.settings.fail_on);
    let first = values.next().ok_or(MergeError::Empty)?;
    match values.find(|&other| other != first) {
        Some(other) => Err(MergeError::FailOn(first, other)),
        None => Ok(first),
    }
}

/// Every plugin that ran in some shard, once each; the same rule run as plugins with
/// different digests is refused unless `allow_mismatch` (then the first one is kept).
fn common_plugins(shards: &[Saved], allow_mismatch: bool) -> Result<Vec<PluginRecord>, MergeError> {
    let mut plugins: Vec<(PluginRecord, &str)> = Vec::new();
    for shard in shards {
        for plugin in &shard.report.evidence.plugins {
            match plugins.iter().find(|(p, _)| p.id == plugin.id) {
                Some((known, path)) if known.sha256 != plugin.sha256 && !allow_mismatch => {
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
    Ok(plugins.into_iter().map(|(p, _)| p).collect())
}

/// The shards' records combined, as they are added one by one.
#[derive(Default)]
struct Merged {
    rules: Vec<RuleResult>,
    frameworks: Vec<Framework>,
    findings: Vec<FindingRecord>,
    errors: Vec<ErrorRecord>,
    inputs: Vec<InputRecord>,
    waivers: Vec<WaiverEntry>,
    skipped: Vec<SkippedRecord>,
    notices: Vec<NoticeRecord>,
    objects: usize,
    shards: Vec<Shard>,
    /// The shards judged disjoint inputs: a control's scope is the sum of theirs.
    scopes: BTreeMap<ControlRef, Scope>,
}

impl Merged {
    fn add(&mut self, shard: &Saved) {
        let report = &shard.report;
        for rule in &report.rules {
            self.add_rule(rule);
        }
        self.frameworks.extend(&report.settings.frameworks);
        for control in &report.controls {
            let key = ControlRef {
                framework: control.framework,
                id: control.id.clone(),
            };
            self.scopes.entry(key).or_default().add(&control.scope);
        }
        self.findings.extend(report.findings.iter().cloned());
        self.errors.extend(report.errors.iter().cloned());
        for input in &report.inputs {
            let known = |i: &InputRecord| i.path == input.path && i.sha256 == input.sha256;
            if !self.inputs.iter().any(known) {
                self.inputs.push(input.clone());
            }
        }
        self.objects += report.summary.objects;
        self.skipped.extend(report.skipped.iter().cloned());
        for notice in &report.notices {
            if !self.notices.contains(notice) {
                self.notices.push(notice.clone());
            }
        }
        self.waivers.extend(report.evidence.waivers.iter().cloned());
        self.shards.push(Shard {
            path: shard.path.clone(),
            sha256: shard.sha256.clone(),
            generated_at: report.evidence.generated_at.clone(),
            git: report.evidence.git.clone(),
            config: report.evidence.config.clone(),
        });
    }

    /// A rule's result added to the same rule's in other shards: counts and coverage
    /// summed, the worse status kept.
    fn add_rule(&mut self, rule: &RuleResult) {
        let Some(known) = self.rules.iter_mut().find(|r| r.id == rule.id) else {
            self.rules.push(rule.clone());
            return;
        };
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

    /// Every control's status over all the shards' rules and findings.
    fn assess(&self) -> Vec<ControlResult> {
        let gaps = assess::Gaps {
            unread_inputs: self.errors.iter().any(|e| e.rule.is_none()),
            unrendered_charts: self
                .notices
                .iter()
                .filter(|n| n.kind == NoticeKind::HelmChart)
                .count(),
        };
        let scope = |control: &ControlRef| self.scopes.get(control).cloned().unwrap_or_default();
        assess::assess(
            &self.frameworks,
            &assess::Run {
                rules: &self.rules,
                skipped: &[],
                findings: &self.findings,
                gaps,
                scope: &scope,
            },
        )
    }
}

/// When the latest of the shards was made.
fn latest(shards: &[Shard]) -> String {
    let times = shards.iter().map(|r| r.generated_at.clone());
    times.max().unwrap_or_default()
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
            let tested: Vec<&str> = control.rules.iter().map(String::as_str).collect();
            control.status = ControlStatus::Partial;
            control.basis = assess::partial_basis(&tested, &control.scope, &missing);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Outcome, Severity, Tool};

    fn report(fail_on: FailOn) -> Report {
        let tool = Tool {
            name: "tollgate".into(),
            version: "0.1.0".into(),
        };
        Report {
            schema_version: SCHEMA_VERSION,
            tool: tool.clone(),
            settings: Settings::new("default".into(), fail_on, vec![Framework::Soc2]),
            rules: Vec::new(),
            controls: Vec::new(),
            findings: Vec::new(),
            errors: Vec::new(),
            inputs: Vec::new(),
            skipped: Vec::new(),
            notices: Vec::new(),
            evidence: Evidence {
                generated_at: "2026-01-01T00:00:00Z".into(),
                tool,
                plugins: Vec::new(),
                git: None,
                config: None,
                waivers: Vec::new(),
                shards: Vec::new(),
                signature: None,
            },
            summary: Summary::of((0, 0, 0, 0), &[], 0, fail_on.threshold()),
        }
    }

    /// `report` as JSON, changed by `edit`, saved in `dir` and read back.
    fn saved(
        dir: &tempfile::TempDir,
        name: &str,
        report: &Report,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> Result<Saved, MergeError> {
        let mut value = serde_json::to_value(report).expect("a report serializes");
        edit(&mut value);
        let path = dir.path().join(name);
        std::fs::write(&path, value.to_string()).expect("a writable temp dir");
        read(&path)
    }

    #[test]
    fn a_report_naming_an_unknown_framework_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let base = report(FailOn::At(Severity::Low));
        let in_settings = saved(&dir, "a.json", &base, |v| {
            v["settings"]["frameworks"] = serde_json::json!(["soc2", "pci-dss"]);
        });
        let shown = dir.path().join("a.json").display().to_string();
        assert_eq!(
            in_settings.err().map(|e| e.to_string()),
            Some(format!(
                "{shown} is not a tollgate JSON report: unknown framework `pci-dss` (known: soc2, \
                 iso27001, cis-kubernetes, nist-800-53)"
            ))
        );
        let in_a_control = saved(&dir, "b.json", &base, |v| {
            v["controls"] = serde_json::json!([{
                "framework": "pci", "id": "1.1", "title": "t", "status": "satisfied",
                "basis": "b", "rules": [], "findings": [], "waived": []
            }]);
        });
        assert!(matches!(in_a_control, Err(MergeError::Parse { .. })));
    }

    #[test]
    fn runs_of_different_fail_on_are_not_merged_and_equal_ones_are() {
        let dir = tempfile::tempdir().unwrap();
        let low = || saved(&dir, "low.json", &report(FailOn::At(Severity::Low)), |_| {}).unwrap();
        let never = saved(&dir, "never.json", &report(FailOn::Never), |_| {}).unwrap();
        let refused = merge(vec![low(), never], false).err();
        assert_eq!(
            refused.map(|e| e.to_string()),
            Some(
                "the reports disagree on fail_on (low and never); merge runs of one policy".into()
            )
        );
        let merged = merge(vec![low(), low()], false).expect("one policy");
        assert_eq!(merged.settings, report(FailOn::At(Severity::Low)).settings);
        assert_eq!(merged.evidence.shards.len(), 2);
        assert_eq!(merged.summary.outcome, Outcome::Pass);
        assert_eq!(merged.controls.len(), report_controls(Framework::Soc2));
    }

    fn report_controls(framework: Framework) -> usize {
        crate::catalog::catalog(framework).controls.len()
    }
}
