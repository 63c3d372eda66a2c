//! The report of a run, from what the rules returned: findings resolved to file, line and
//! object by the host's own view of the input, fingerprinted and sorted; the decisions of
//! [`super::decisions`] applied; rule results, summary, control statuses and evidence.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::input::{self, Inputs, ManifestObject, SkipReason};
use crate::provenance;
use crate::report::{
    CheckCoverage, CheckRecord, ConfigRecord, ControlRef, ControlResult, ErrorRecord, Evidence,
    FindingRecord, FirstSeenRecord, InputRecord, LocationRecord, NoticeRecord, PluginRecord,
    Report, RuleResult, RuleSource, RuleStatus, SCHEMA_VERSION, Scope, Settings, SkippedReason,
    SkippedRecord, Summary, Tool, WaiverEntry, WaiverRecord, WaiverSource, assess, untrusted,
};
use crate::runtime::{
    FileLocation, Finding, Location, ObjectLocation, Plugin, PluginSource, RuleError, Verdict,
};

use super::{Outcome, Provenance, ScanOptions, decisions, history};

/// What the rules said over the input so far, resolved against it while the input is at
/// hand: a scan checks its input at once, history batch by batch.
pub struct Checked {
    findings: Vec<FindingRecord>,
    /// Objects whose waive annotation is refused.
    refused: Vec<ErrorRecord>,
    /// Rule calls that failed.
    rule_errors: Vec<ErrorRecord>,
    /// Per rule: whether any call failed.
    failed: Vec<bool>,
    /// Per rule: what each of its checks judged (what it says, and what it found).
    judged: Vec<Judged>,
    /// The kind of every object checked so far, by its position over all batches.
    kinds: Kinds,
}

impl Checked {
    /// Nothing checked yet, by `rules` rules.
    pub fn new(rules: usize) -> Self {
        Self {
            findings: Vec::new(),
            refused: Vec::new(),
            rule_errors: Vec::new(),
            failed: vec![false; rules],
            judged: vec![Judged::default(); rules],
            kinds: Kinds::default(),
        }
    }

    /// Numbers the objects of a batch about to be checked after those of the batches
    /// before it, so that what checks judged in one batch never collides with another's,
    /// and records their kinds. Returns the batch's first number.
    pub fn admit(&mut self, inputs: &Inputs) -> u32 {
        let offset = self.kinds.len() as u32;
        for object in &inputs.objects {
            self.kinds.push(object.kind());
        }
        offset
    }

    /// The kinds of the objects admitted from `offset` on: the distinct kind names, and
    /// each object's index into them.
    pub fn kinds_from(&self, offset: u32) -> (&[String], &[u32]) {
        (&self.kinds.names, &self.kinds.of_object[offset as usize..])
    }

    /// Adds what the rules returned over `inputs`, [admitted](Self::admit) at `offset`:
    /// findings resolved to file, line and object, failures as errors.
    pub fn add(
        &mut self,
        options: &ScanOptions,
        selected: &[&Plugin],
        inputs: &Inputs,
        offset: u32,
        outcomes: Vec<Outcome>,
        today: &str,
    ) {
        self.refused
            .extend(decisions::refused_annotations(inputs, options, today));
        let file_index = file_index(inputs);
        // Room for every finding at once: grown by doubling, the list held twice its size.
        let found = outcomes.iter().filter_map(|o| o.result.as_ref().ok());
        self.findings
            .reserve(found.map(|verdict| verdict.findings.len()).sum());
        for Outcome {
            rule,
            result,
            batch,
        } in outcomes
        {
            let plugin = selected[rule];
            let judged = &mut self.judged[rule];
            let resolved = result.and_then(|verdict| {
                judged.add(&verdict, offset);
                resolve(plugin, inputs, &file_index, verdict.findings)
            });
            match resolved {
                Ok(records) => self.findings.extend(records),
                Err(error) => {
                    self.failed[rule] = true;
                    let error = call_error(plugin, batch.as_deref(), &error);
                    self.rule_errors.push(error);
                }
            }
        }
    }
}

/// A rule's findings as report records ([`record`]), resolved in parallel; the first
/// finding that cannot be resolved (in the rule's order) fails them all.
fn resolve(
    plugin: &Plugin,
    inputs: &Inputs,
    file_index: &BTreeMap<&str, usize>,
    findings: Vec<Finding>,
) -> Result<Vec<FindingRecord>, RuleError> {
    let controls = CheckControls::of(plugin);
    let records: Vec<Result<FindingRecord, RuleError>> = findings
        .into_par_iter()
        .map(|f| record(plugin, inputs, file_index, &controls, f))
        .collect();
    records.into_iter().collect()
}

/// The controls of each check of a rule, built once and shared by its findings.
struct CheckControls<'a>(BTreeMap<&'a str, Arc<[ControlRef]>>);

impl<'a> CheckControls<'a> {
    fn of(plugin: &'a Plugin) -> Self {
        let checks = plugin.info.checks.iter();
        Self(
            checks
                .map(|c| (c.id.as_str(), c.control_refs().into()))
                .collect(),
        )
    }

    /// The controls of `check`; none for a check the rule did not declare (its verdict
    /// was refused before this).
    fn of_check(&self, check: &str) -> Arc<[ControlRef]> {
        self.0.get(check).cloned().unwrap_or_else(|| [].into())
    }
}

/// The error of a rule call that failed, naming the plugin and, for files, the batch.
fn call_error(plugin: &Plugin, batch: Option<&str>, error: &RuleError) -> ErrorRecord {
    let scope = batch
        .map(|batch| format!(" on {batch}"))
        .unwrap_or_default();
    ErrorRecord {
        rule: Some(plugin.info.id.clone()),
        file: None,
        line: None,
        message: format!("{}{scope} {error}", plugin.source),
    }
}

/// Each file's position in the input, by the path findings name it with.
fn file_index(inputs: &Inputs) -> BTreeMap<&str, usize> {
    inputs
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect()
}

/// The report of a run from what the rules said over its inputs.
pub fn assemble(
    options: &ScanOptions,
    plugins: &[Plugin],
    selected: &[&Plugin],
    inputs: &Inputs,
    checked: Checked,
    provenance: Provenance,
) -> Report {
    let Checked {
        mut findings,
        refused,
        rule_errors,
        failed,
        judged,
        kinds,
    } = checked;
    let mut errors = input_errors(inputs);
    errors.extend(refused);
    let unread_inputs = !errors.is_empty();
    errors.extend(rule_errors);
    let file_index = file_index(inputs);
    let today = provenance::date(&provenance.generated_at);
    let waivers = decide(
        options,
        inputs,
        &file_index,
        today,
        &mut findings,
        &mut errors,
    );
    sort_findings(&mut findings, &file_index);
    let rules = rule_results(selected, &failed, &judged, &findings);
    let summary = Summary::of(
        (
            rules.len(),
            inputs.files.len(),
            kinds.len(),
            inputs.skipped.len(),
        ),
        &findings,
        errors.len(),
        options.fail_on.threshold(),
    );
    let controls = assess_controls(
        options,
        plugins,
        selected,
        (&rules, &judged, &kinds),
        &findings,
        assess::Gaps {
            unread_inputs,
            unrendered_charts: inputs.unrendered_charts.len(),
        },
    );
    let tool = Tool {
        name: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    // Rules and inputs wrote much of this text: nothing reaches a format uncleaned.
    untrusted::clean_report(Report {
        schema_version: SCHEMA_VERSION,
        tool: tool.clone(),
        settings: settings(options),
        controls,
        evidence: evidence(options, selected, tool, provenance, waivers),
        summary,
        inputs: input_records(inputs),
        skipped: skipped_records(inputs),
        notices: notice_records(inputs),
        rules,
        findings,
        errors,
    })
}

/// What could not be read, as report errors.
fn input_errors(inputs: &Inputs) -> Vec<ErrorRecord> {
    inputs
        .errors
        .iter()
        .map(|e| ErrorRecord {
            rule: None,
            file: Some(e.file.clone()),
            line: e.line,
            message: e.message.clone(),
        })
        .collect()
}

/// People's decisions applied to the findings: versions of one finding in history merged,
/// severities overridden, the policy enforced (its breaches are errors), waivers and the
/// baseline applied. Returns the waivers as evidence records.
fn decide(
    options: &ScanOptions,
    inputs: &Inputs,
    file_index: &BTreeMap<&str, usize>,
    today: &str,
    findings: &mut Vec<FindingRecord>,
    errors: &mut Vec<ErrorRecord>,
) -> Vec<WaiverEntry> {
    history::merge_versions(findings, inputs, file_index);
    decisions::apply_severities(options, findings);
    errors.extend(decisions::enforce_policy(options, findings, today));
    let waivers = decisions::apply_waivers(options, findings, today, errors);
    decisions::apply_baseline(options, findings);
    waivers
}

/// Findings in input order (file, line, column), then by rule, check and fingerprint.
/// Each finding's place in the input is looked up once, not at every comparison, and the
/// (stable) sort runs on every core.
fn sort_findings(findings: &mut Vec<FindingRecord>, file_index: &BTreeMap<&str, usize>) {
    let mut keyed: Vec<_> = std::mem::take(findings)
        .into_par_iter()
        .map(|f| {
            let file = file_index.get(f.location.file.as_str()).copied();
            ((file, f.location.line, f.location.column), f)
        })
        .collect();
    keyed.par_sort_by(|(a_key, a), (b_key, b)| {
        a_key
            .cmp(b_key)
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.check.cmp(&b.check))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    *findings = keyed.into_iter().map(|(_, f)| f).collect();
}

/// The result of each selected rule: its status, findings and waived ones counted, and
/// what its checks judged.
fn rule_results(
    selected: &[&Plugin],
    failed: &[bool],
    judged: &[Judged],
    findings: &[FindingRecord],
) -> Vec<RuleResult> {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for finding in findings {
        let (active, waived) = counts.entry(finding.rule.as_str()).or_default();
        match finding.waiver {
            Some(_) => *waived += 1,
            None => *active += 1,
        }
    }
    selected
        .iter()
        .zip(failed)
        .zip(judged)
        .map(|((plugin, &failed), judged)| {
            let (active, waived) = counts
                .get(plugin.info.id.as_str())
                .copied()
                .unwrap_or_default();
            let mut result = rule_result(plugin, active, waived, failed);
            result.coverage = judged.coverage();
            result
        })
        .collect()
}

/// The status of every control of the selected frameworks, from the rules that ran, the
/// ones that did not, the findings and what the checks judged.
fn assess_controls(
    options: &ScanOptions,
    plugins: &[Plugin],
    selected: &[&Plugin],
    (rules, judged, kinds): (&[RuleResult], &[Judged], &Kinds),
    findings: &[FindingRecord],
    gaps: assess::Gaps,
) -> Vec<ControlResult> {
    let skipped: Vec<(String, Vec<ControlRef>)> = plugins
        .iter()
        .filter(|p| !selected.iter().any(|s| s.info.id == p.info.id))
        .map(|p| (p.info.id.clone(), p.info.control_refs()))
        .collect();
    let scope = |control: &ControlRef| control_scope(control, rules, judged, kinds);
    assess::assess(
        &options.frameworks,
        &assess::Run {
            rules,
            skipped: &skipped,
            findings,
            gaps,
            scope: &scope,
        },
    )
}

/// The options that shaped the result, as the report records them.
fn settings(options: &ScanOptions) -> Settings {
    Settings::new(
        options.default_namespace.clone(),
        options.fail_on,
        options.frameworks.clone(),
    )
}

/// When, by what and over what the report was made.
fn evidence(
    options: &ScanOptions,
    selected: &[&Plugin],
    tool: Tool,
    provenance: Provenance,
    waivers: Vec<WaiverEntry>,
) -> Evidence {
    Evidence {
        generated_at: provenance.generated_at,
        tool,
        plugins: selected
            .iter()
            .map(|p| PluginRecord {
                id: p.info.id.clone(),
                version: p.info.version.clone(),
                sha256: p.sha256.clone(),
                source: plugin_source(&p.source),
            })
            .collect(),
        git: provenance.git,
        config: options.config.as_ref().map(|c| ConfigRecord {
            path: c.path.display().to_string(),
            sha256: c.sha256.clone(),
        }),
        waivers,
        shards: Vec::new(),
        signature: None,
    }
}

fn notice_records(inputs: &Inputs) -> Vec<NoticeRecord> {
    inputs
        .notices
        .iter()
        .map(|n| NoticeRecord {
            kind: n.kind,
            path: n.path.clone(),
            message: n.message.clone(),
        })
        .collect()
}

fn input_records(inputs: &Inputs) -> Vec<InputRecord> {
    inputs
        .files
        .iter()
        .map(|f| InputRecord {
            path: f.path.clone(),
            sha256: f.sha256.clone(),
            bytes: f.size,
            objects: f.objects,
            first_seen: f.first_seen.as_ref().map(first_seen),
        })
        .collect()
}

fn skipped_records(inputs: &Inputs) -> Vec<SkippedRecord> {
    inputs
        .skipped
        .iter()
        .map(|s| {
            let (reason, detail) = match &s.reason {
                SkipReason::Binary => (SkippedReason::Binary, None),
                SkipReason::Oversized(_) => (SkippedReason::Oversized, None),
                SkipReason::Missing => (SkippedReason::Deleted, None),
                SkipReason::Symlink => (
                    SkippedReason::Symlink,
                    Some("symbolic links are not followed".into()),
                ),
                SkipReason::NotKubernetes(why) => (SkippedReason::NotKubernetes, Some(why.clone())),
                SkipReason::Template => (SkippedReason::Template, Some("not rendered".into())),
                SkipReason::HelmChart(chart) => (
                    SkippedReason::HelmChart,
                    Some(format!("a file of the chart {chart}, not rendered")),
                ),
                SkipReason::KustomizeInput(dir) => (
                    SkippedReason::KustomizeInput,
                    Some(format!(
                        "a patch or configuration of the kustomization {dir}"
                    )),
                ),
                SkipReason::UnusedPatch { dir, lacks } => (
                    SkippedReason::KustomizeInput,
                    Some(format!(
                        "a patch that no kustomization uses, in the tree of {dir}: {lacks}, \
                         which cannot be applied as it is"
                    )),
                ),
                SkipReason::TestAssertion(why) => (SkippedReason::TestAssertion, Some(why.clone())),
            };
            SkippedRecord {
                path: s.path.clone(),
                reason,
                detail,
                bytes: match s.reason {
                    SkipReason::Oversized(size) => Some(size),
                    _ => None,
                },
            }
        })
        .collect()
}

pub(super) fn first_seen(first: &input::git::FirstSeen) -> FirstSeenRecord {
    FirstSeenRecord {
        commit: first.commit.clone(),
        author_date: first.author_date.clone(),
        path: first.path.clone(),
        blob: first.blob.clone(),
    }
}

/// `builtin` or the plugin file's path, as reports show it.
fn plugin_source(source: &PluginSource) -> RuleSource {
    match source {
        PluginSource::Builtin(_) => RuleSource::Builtin,
        PluginSource::File(path) | PluginSource::Pinned(path) => {
            RuleSource::File(path.display().to_string())
        }
    }
}

/// Turns a plugin's finding into a report record: file, line and object resolved from the
/// host's own view of the input, and the fingerprint computed.
fn record(
    plugin: &Plugin,
    inputs: &Inputs,
    file_index: &BTreeMap<&str, usize>,
    controls: &CheckControls,
    finding: Finding,
) -> Result<FindingRecord, RuleError> {
    let Placed {
        location,
        subject,
        annotation,
    } = match &finding.location {
        Location::Object(at) => in_object(plugin, inputs, &finding.check, at)?,
        Location::File(at) => in_file(inputs, file_index, at),
    };
    let fingerprint = fingerprint(&[&plugin.info.id, &finding.check, &subject, &finding.identity]);
    let controls = controls.of_check(&finding.check);
    Ok(FindingRecord {
        rule: plugin.info.id.clone(),
        check: finding.check,
        severity: finding.severity.into(),
        message: finding.message,
        controls,
        location,
        evidence: finding.evidence,
        waiver: finding
            .accepted
            .map(|reason| {
                Box::new(WaiverRecord {
                    source: WaiverSource::RuleSettings,
                    reason,
                    expires: None,
                    approved_by: None,
                })
            })
            .or(annotation),
        fingerprint,
    })
}

/// Where a finding is, as the report says it.
struct Placed {
    location: LocationRecord,
    /// What it is about, for the fingerprint: the object's identity or the file's path.
    subject: String,
    /// The object's waive annotation for the rule, if any.
    annotation: Option<Box<WaiverRecord>>,
}

/// A finding inside an object: the line of the node `at` points to (or of its nearest
/// existing parent, which the location then names), and the object's identity (and the
/// overlay that built it, if any) as its subject.
fn in_object(
    plugin: &Plugin,
    inputs: &Inputs,
    check: &str,
    at: &ObjectLocation,
) -> Result<Placed, RuleError> {
    let object: &ManifestObject = &inputs.objects[at.document as usize];
    let (line, pointer) = object.locate(&at.pointer).ok_or_else(|| {
        RuleError::Malformed(format!(
            "finding {check:?}: pointer {:?} cannot be located in {} {}",
            at.pointer,
            object.kind(),
            object.name()
        ))
    })?;
    let subject = format!(
        "{}/{}/{}/{}",
        object.api_version(),
        object.kind(),
        object.namespace().unwrap_or(""),
        identity_name(object)
    );
    let location = LocationRecord {
        file: inputs.files[object.source].path.clone(),
        line,
        column: None,
        kind: Some(object.kind().to_owned()),
        namespace: object.namespace().map(str::to_owned),
        name: Some(object.name().to_owned()).filter(|n| !n.is_empty()),
        pointer: Some(pointer.to_owned()),
        first_seen: None,
        via: object.via.as_deref().map(str::to_owned),
        versions: None,
    };
    // The same object built through two overlays is two findings.
    let subject = match &object.via {
        Some(via) => format!("{subject}@{via}"),
        None => subject,
    };
    Ok(Placed {
        location,
        subject,
        annotation: decisions::annotation_waiver(object, &plugin.info.id).map(Box::new),
    })
}

/// The name part of an object's identity, which its findings' fingerprints rest on: its
/// name; for an object the API server names (a hook Job with `generateName`), the prefix
/// it is given and `*`, which no name holds, so that two such objects in a namespace are
/// told apart. An object that names itself in neither way (which the API server refuses)
/// has an empty name: its place would change with the path it is scanned by.
fn identity_name(object: &ManifestObject) -> Cow<'_, str> {
    if !object.name().is_empty() {
        return Cow::Borrowed(object.name());
    }
    let value: Option<serde_json::Value> = serde_json::from_str(object.json()).ok();
    let prefix = value
        .as_ref()
        .and_then(|v| v.pointer("/metadata/generateName"))
        .and_then(serde_json::Value::as_str)
        .filter(|prefix| !prefix.is_empty());
    match prefix {
        Some(prefix) => Cow::Owned(format!("{prefix}*")),
        None => Cow::Borrowed(""),
    }
}

/// A finding in a file, at the line and column the rule gave; in history, the commit that
/// first brought the file's content.
fn in_file(inputs: &Inputs, file_index: &BTreeMap<&str, usize>, at: &FileLocation) -> Placed {
    let source = file_index.get(at.path.as_str()).map(|&i| &inputs.files[i]);
    let first = source.and_then(|f| f.first_seen.as_ref());
    let location = LocationRecord {
        file: at.path.clone(),
        line: at.line,
        column: Some(at.column),
        first_seen: first.map(|first| Box::new(first_seen(first))),
        ..LocationRecord::default()
    };
    // History names a file by path and commit; its identity is the path.
    let subject = first.map_or_else(|| at.path.clone(), |f| f.path.clone());
    Placed {
        location,
        subject,
        annotation: None,
    }
}

fn rule_result(plugin: &Plugin, findings: usize, waived: usize, failed: bool) -> RuleResult {
    let info = &plugin.info;
    RuleResult {
        id: info.id.clone(),
        version: info.version.clone(),
        title: info.title.clone(),
        description: info.description.clone(),
        checks: info.checks.iter().map(CheckRecord::from).collect(),
        source: plugin_source(&plugin.source),
        sha256: plugin.sha256.clone(),
        status: match (failed, findings) {
            (true, _) => RuleStatus::Error,
            (false, 0) => RuleStatus::Pass,
            (false, _) => RuleStatus::Fail,
        },
        findings,
        waived,
        coverage: Vec::new(),
        inputs: info.rule_inputs(),
    }
}

/// SHA-256 over the parts, NUL-separated, as 32 hex digits.
fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    crate::vocab::hex(&hasher.finalize()[..16])
}

/// The kind of every object checked, numbered over all batches; kinds stored once.
#[derive(Debug, Default)]
struct Kinds {
    /// Each kind once, in the order first seen.
    names: Vec<String>,
    /// Of each object, its kind's index in `names`.
    of_object: Vec<u32>,
}

impl Kinds {
    fn push(&mut self, kind: &str) {
        let at = match self.names.iter().position(|k| k == kind) {
            Some(at) => at,
            None => {
                self.names.push(kind.to_owned());
                self.names.len() - 1
            }
        };
        self.of_object.push(at as u32);
    }

    fn len(&self) -> usize {
        self.of_object.len()
    }
}

/// What one check judged over a run's calls.
#[derive(Clone, Debug, Default)]
struct CheckJudged {
    /// The objects it judged, by number over all batches, as a bitset.
    objects: Vec<u64>,
    /// Files it read, as it says.
    files: usize,
    /// Files it found something in: read, whatever it says.
    found_in: BTreeSet<String>,
}

impl CheckJudged {
    fn judge(&mut self, object: u32) {
        let (word, bit) = (object as usize / 64, object % 64);
        if self.objects.len() <= word {
            self.objects.resize(word + 1, 0);
        }
        self.objects[word] |= 1 << bit;
    }

    fn object_count(&self) -> usize {
        self.objects.iter().map(|w| w.count_ones() as usize).sum()
    }

    fn files(&self) -> usize {
        self.files.max(self.found_in.len())
    }
}

/// What the checks of one rule judged over a run's calls.
#[derive(Clone, Debug, Default)]
struct Judged {
    checks: BTreeMap<String, CheckJudged>,
}

impl Judged {
    /// Adds one call's coverage, and the objects and files of its findings; `offset`
    /// numbers the call's objects among all batches'.
    fn add(&mut self, verdict: &Verdict, offset: u32) {
        for coverage in &verdict.coverage {
            let entry = self.checks.entry(coverage.check.clone()).or_default();
            for &document in &coverage.documents {
                entry.judge(offset + document);
            }
            entry.files += coverage.files as usize;
        }
        for finding in &verdict.findings {
            let entry = self.checks.entry(finding.check.clone()).or_default();
            match &finding.location {
                Location::Object(o) => entry.judge(offset + o.document),
                Location::File(f) => {
                    entry.found_in.insert(f.path.clone());
                }
            }
        }
    }

    fn coverage(&self) -> Vec<CheckCoverage> {
        self.checks
            .iter()
            .map(|(check, judged)| CheckCoverage {
                check: check.clone(),
                objects: judged.object_count(),
                files: judged.files(),
            })
            .collect()
    }
}

/// The objects and files the checks evidencing `control` judged: objects once each however
/// many checks judged them, counted by kind; files as the most any one check read (every
/// check of a files rule reads the same files).
fn control_scope(
    control: &ControlRef,
    rules: &[RuleResult],
    judged: &[Judged],
    kinds: &Kinds,
) -> Scope {
    let mut objects: Vec<u64> = Vec::new();
    let mut files = 0;
    for (rule, judged) in rules.iter().zip(judged) {
        for check in rule.checks_for(control) {
            if let Some(entry) = judged.checks.get(&check.id) {
                if objects.len() < entry.objects.len() {
                    objects.resize(entry.objects.len(), 0);
                }
                for (word, bits) in objects.iter_mut().zip(&entry.objects) {
                    *word |= bits;
                }
                files = files.max(entry.files());
            }
        }
    }
    let mut by_kind = vec![0; kinds.names.len()];
    for (word, &bits) in objects.iter().enumerate() {
        let mut rest = bits;
        while rest != 0 {
            let object = word * 64 + rest.trailing_zeros() as usize;
            let kind = kinds.of_object.get(object).map(|&kind| kind as usize);
            if let Some(count) = kind.and_then(|kind| by_kind.get_mut(kind)) {
                *count += 1;
            }
            rest &= rest - 1;
        }
    }
    Scope {
        files,
        objects: kinds
            .names
            .iter()
            .zip(by_kind)
            .filter(|&(_, count)| count > 0)
            .map(|(kind, count)| (kind.clone(), count))
            .collect(),
    }
}
