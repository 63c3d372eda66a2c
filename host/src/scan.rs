//! A scan from start to end: load the plugins, read the inputs, run every selected rule
//! in parallel (the whole manifest set per rule, files in batches), and assemble the
//! [`Report`] with locations resolved to lines and stable fingerprints.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::catalog;
use crate::config::{Config, ConfigError};
use crate::input::manifest::{WAIVE_ANNOTATION, WAIVE_REASON_ANNOTATION};
use crate::input::{self, InputOptions, Inputs, ManifestObject, SkipReason, Target};
use crate::provenance;
use crate::report::baseline::Baseline;
use crate::report::{
    ConfigRecord, ControlRef, ErrorRecord, Evidence, FindingRecord, FirstSeenRecord, InputRecord,
    LocationRecord, PluginRecord, Report, RuleResult, RuleStatus, SCHEMA_VERSION, Settings,
    Severity, SkippedRecord, Summary, Tool, WaiverEntry, WaiverRecord, WaiverSource,
};
use crate::runtime::{
    self, ComponentCache, Document, File, Finding, Framework, InputKind, Limits, LoadError,
    Location, ManifestSet, Plugin, PluginSource, RuleError, Runtime,
};

/// Files sent to one `check-files` call: at most this many bytes (or one larger file).
const FILE_BATCH_BYTES: usize = 8 << 20;
/// And at most this many files.
const FILE_BATCH_COUNT: usize = 512;

/// Which findings fail the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
    /// Findings never fail the run (errors still do).
    Never,
}

impl FailOn {
    /// The lowest failing severity, `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        Some(match self {
            Self::Info => Severity::Info,
            Self::Low => Severity::Low,
            Self::Medium => Severity::Medium,
            Self::High => Severity::High,
            Self::Critical => Severity::Critical,
            Self::Never => return None,
        })
    }

    pub fn name(self) -> &'static str {
        self.threshold().map_or("never", Severity::name)
    }

    /// The value of a report's `settings.fail_on`.
    pub fn from_name(name: &str) -> Option<Self> {
        <Self as clap::ValueEnum>::from_str(name, false).ok()
    }
}

/// Where the plugins come from and how they are sandboxed.
#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    pub plugins: Vec<PathBuf>,
    pub limits: Limits,
    pub cache: ComponentCache,
}

/// Everything a scan needs, validated.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub target: Target,
    pub default_namespace: String,
    pub fail_on: FailOn,
    /// Run only these rules (all when empty).
    pub only_rules: Vec<String>,
    pub skip_rules: Vec<String>,
    pub runtime: RuntimeOptions,
    pub input: InputOptions,
    /// The config file, when one applies.
    pub config: Option<Config>,
    /// The frameworks whose controls the report assesses, in catalog order.
    pub frameworks: Vec<Framework>,
    /// Findings known before: reported as waived by the baseline.
    pub baseline: Option<Baseline>,
}

/// What stops a scan before it can produce a report.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot start the WebAssembly runtime: {0:#}")]
    Runtime(wasmtime::Error),
    #[error("plugin refused")]
    Load(#[from] LoadError),
    #[error("unknown rule {id:?} (known rules: {known})")]
    UnknownRule { id: String, known: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{source_name} could not check its settings: {error}")]
    Settings {
        source_name: PluginSource,
        error: RuleError,
    },
}

/// Starts the runtime and loads every plugin.
pub fn load(options: &RuntimeOptions) -> Result<(Runtime, Vec<Plugin>), ScanError> {
    let runtime =
        Runtime::new(options.limits, options.cache.clone()).map_err(ScanError::Runtime)?;
    let plugins = runtime.load_all(&options.plugins)?;
    Ok((runtime, plugins))
}

/// Runs a scan and returns its report; plugin and input failures are in the report.
pub fn run(options: &ScanOptions) -> Result<Report, ScanError> {
    let generated_at = provenance::timestamp();
    let git = match &options.target {
        Target::Paths(paths) => paths.first().and_then(|p| provenance::git_revision(p)),
        Target::Repository { repo, .. } => provenance::git_revision(repo),
    };
    let (runtime, plugins) = load(&options.runtime)?;
    let selected = select(&plugins, options)?;
    let settings = rule_settings(&runtime, &selected, options.config.as_ref())?;
    let mut inputs = input::collect(&options.target, options.input);

    // The JSON texts and file contents move into what the plugins are given: no copies.
    let set = ManifestSet {
        default_namespace: options.default_namespace.clone(),
        documents: inputs
            .objects
            .iter_mut()
            .map(|o| Document {
                file: inputs.files[o.source].path.clone(),
                index: o.document,
                api_version: o.api_version.clone(),
                kind: o.kind.clone(),
                name: o.name.clone(),
                namespace: o.namespace.clone(),
                object: std::mem::take(&mut o.json),
            })
            .collect(),
    };
    let wants_files = selected
        .iter()
        .any(|p| p.info.inputs.contains(&InputKind::Files));
    let batches = if wants_files {
        file_batches(&mut inputs)
    } else {
        Vec::new()
    };

    let jobs: Vec<(usize, Job)> = selected
        .iter()
        .enumerate()
        .flat_map(|(rule, plugin)| {
            let manifests = plugin
                .info
                .inputs
                .contains(&InputKind::Manifests)
                .then_some(Job::Manifests);
            let files = plugin
                .info
                .inputs
                .contains(&InputKind::Files)
                .then(|| batches.iter().map(|b| Job::Files(b.as_slice())))
                .into_iter()
                .flatten();
            manifests
                .into_iter()
                .chain(files)
                .map(move |job| (rule, job))
        })
        .collect();
    let outcomes: Vec<(usize, Result<Vec<Finding>, RuleError>, Job)> = jobs
        .into_par_iter()
        .map(|(rule, job)| {
            let (plugin, settings) = (selected[rule], settings[rule].as_str());
            let result = match job {
                Job::Manifests => runtime.check_manifests(plugin, &set, settings),
                Job::Files(batch) => runtime.check_files(plugin, batch, settings),
            };
            (rule, result, job)
        })
        .collect();

    let provenance = Provenance { generated_at, git };
    Ok(assemble(
        options, &plugins, &selected, &inputs, &set, outcomes, provenance,
    ))
}

/// When the run started and over which revision.
struct Provenance {
    generated_at: String,
    git: Option<crate::report::GitRecord>,
}

#[derive(Clone, Copy)]
enum Job<'a> {
    Manifests,
    Files(&'a [File]),
}

/// The plugins `--rule` / `--skip-rule` and the config leave, refusing ids no plugin has.
/// A rule the config turns off runs only when `--rule` names it.
fn select<'a>(plugins: &'a [Plugin], options: &ScanOptions) -> Result<Vec<&'a Plugin>, ScanError> {
    let known: Vec<&str> = plugins.iter().map(|p| p.info.id.as_str()).collect();
    for id in options.only_rules.iter().chain(&options.skip_rules) {
        if !known.contains(&id.as_str()) {
            return Err(ScanError::UnknownRule {
                id: id.clone(),
                known: known.join(", "),
            });
        }
    }
    if let Some(config) = &options.config {
        config.check_rules(&known)?;
    }
    let disabled = |id: &str| options.config.as_ref().is_some_and(|c| c.disables(id));
    // History mixes every version of every file: only rules that read files make sense
    // there, unless asked for by name.
    let history = matches!(
        options.target,
        Target::Repository {
            source: input::git::Source::History,
            ..
        }
    );
    let mut selected: Vec<&Plugin> = plugins
        .iter()
        .filter(|p| {
            if options.only_rules.is_empty() {
                !disabled(&p.info.id) && (!history || p.info.inputs.contains(&InputKind::Files))
            } else {
                options.only_rules.contains(&p.info.id)
            }
        })
        .filter(|p| !options.skip_rules.contains(&p.info.id))
        .collect();
    selected.sort_by(|a, b| a.info.id.cmp(&b.info.id));
    Ok(selected)
}

/// The settings text of each selected rule (`{}` when the config gives none), checked by
/// the rule itself before any input is read.
fn rule_settings(
    runtime: &Runtime,
    selected: &[&Plugin],
    config: Option<&Config>,
) -> Result<Vec<String>, ScanError> {
    selected
        .iter()
        .map(|plugin| {
            let id = &plugin.info.id;
            let Some((config, text)) = config.and_then(|c| Some((c, c.settings(id)?))) else {
                return Ok("{}".to_owned());
            };
            match runtime.validate_settings(plugin, &text) {
                Ok(Ok(())) => Ok(text),
                Ok(Err(refused)) => Err(config
                    .settings_error(id, &refused.pointer, &refused.message)
                    .into()),
                Err(error) => Err(ScanError::Settings {
                    source_name: plugin.source.clone(),
                    error,
                }),
            }
        })
        .collect()
}

/// Every read file, grouped into batches bounded in bytes and count; the contents move out
/// of `inputs`.
fn file_batches(inputs: &mut Inputs) -> Vec<Vec<File>> {
    let mut batches: Vec<Vec<File>> = Vec::new();
    let mut size = 0;
    for file in &mut inputs.files {
        let full = batches.last().is_none_or(|b| {
            b.len() >= FILE_BATCH_COUNT
                || (size + file.bytes.len() > FILE_BATCH_BYTES && !b.is_empty())
        });
        if full {
            batches.push(Vec::new());
            size = 0;
        }
        size += file.bytes.len();
        batches.last_mut().expect("pushed above").push(File {
            path: file.path.clone(),
            contents: std::mem::take(&mut file.bytes),
        });
    }
    batches
}

fn assemble(
    options: &ScanOptions,
    plugins: &[Plugin],
    selected: &[&Plugin],
    inputs: &Inputs,
    set: &ManifestSet,
    outcomes: Vec<(usize, Result<Vec<Finding>, RuleError>, Job)>,
    provenance: Provenance,
) -> Report {
    let mut findings = Vec::new();
    let mut errors: Vec<ErrorRecord> = inputs
        .errors
        .iter()
        .map(|e| ErrorRecord {
            rule: None,
            file: Some(e.file.clone()),
            line: e.line,
            message: e.message.clone(),
        })
        .collect();
    errors.extend(refused_annotations(inputs));
    let unread_inputs = !errors.is_empty();
    let mut failed = vec![false; selected.len()];

    for (rule, outcome, job) in outcomes {
        let plugin = selected[rule];
        let resolved = outcome.and_then(|found| {
            found
                .into_iter()
                .map(|f| record(plugin, inputs, set, f))
                .collect::<Result<Vec<_>, _>>()
        });
        match resolved {
            Ok(records) => findings.extend(records),
            Err(error) => {
                failed[rule] = true;
                let scope = match job {
                    Job::Manifests => String::new(),
                    Job::Files(batch) => format!(" on {}", describe_batch(batch)),
                };
                errors.push(ErrorRecord {
                    rule: Some(plugin.info.id.clone()),
                    file: None,
                    line: None,
                    message: format!("{}{scope} {error}", plugin.source),
                });
            }
        }
    }

    if let Some(config) = &options.config {
        for finding in &mut findings {
            if let Some(severity) = config.severity(&finding.rule, &finding.check) {
                finding.severity = severity;
            }
        }
    }
    let waivers = apply_waivers(
        options,
        &mut findings,
        provenance::date(&provenance.generated_at),
    );
    if let Some(baseline) = &options.baseline {
        let reason = format!("in the baseline {}", baseline.path.display());
        for finding in findings.iter_mut().filter(|f| f.waiver.is_none()) {
            if baseline.fingerprints.contains(&finding.fingerprint) {
                finding.waiver = Some(WaiverRecord {
                    source: WaiverSource::Baseline,
                    reason: reason.clone(),
                    expires: None,
                    approved_by: None,
                });
            }
        }
    }

    let file_order: BTreeMap<&str, usize> = inputs
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    findings.sort_by(|a, b| {
        let key = |f: &FindingRecord| {
            (
                file_order.get(f.location.file.as_str()).copied(),
                f.location.line,
                f.location.column,
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.check.cmp(&b.check))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });

    let rules: Vec<RuleResult> = selected
        .iter()
        .zip(&failed)
        .map(|(plugin, &failed)| {
            let (waived, active): (Vec<&FindingRecord>, Vec<&FindingRecord>) = findings
                .iter()
                .filter(|f| f.rule == plugin.info.id)
                .partition(|f| f.waiver.is_some());
            rule_result(plugin, active.len(), waived.len(), failed)
        })
        .collect();

    let summary = Summary::of(
        (
            rules.len(),
            inputs.files.len(),
            inputs.objects.len(),
            inputs.skipped.len(),
        ),
        &findings,
        errors.len(),
        options.fail_on.threshold(),
    );

    let skipped: Vec<(String, Vec<ControlRef>)> = plugins
        .iter()
        .filter(|p| !selected.iter().any(|s| s.info.id == p.info.id))
        .map(|p| (p.info.id.clone(), control_refs(&p.info.controls)))
        .collect();
    let controls = catalog::assess(
        &options.frameworks,
        &rules,
        &skipped,
        &findings,
        unread_inputs,
    );
    let tool = Tool {
        name: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let evidence = Evidence {
        generated_at: provenance.generated_at,
        tool: tool.clone(),
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
    };

    Report {
        schema_version: SCHEMA_VERSION,
        tool,
        settings: Settings {
            default_namespace: options.default_namespace.clone(),
            fail_on: options.fail_on.name().into(),
            frameworks: options
                .frameworks
                .iter()
                .map(|&f| catalog::framework_name(f).to_owned())
                .collect(),
        },
        controls,
        evidence,
        summary,
        inputs: inputs
            .files
            .iter()
            .map(|f| InputRecord {
                path: f.path.clone(),
                sha256: f.sha256.clone(),
                bytes: f.size,
                objects: f.objects,
                first_seen: f.first_seen.as_ref().map(first_seen),
            })
            .collect(),
        skipped: inputs
            .skipped
            .iter()
            .map(|s| SkippedRecord {
                path: s.path.clone(),
                reason: match s.reason {
                    SkipReason::Binary => "binary".into(),
                    SkipReason::Oversized(_) => "oversized".into(),
                    SkipReason::Missing => "deleted from the work tree".into(),
                },
                bytes: match s.reason {
                    SkipReason::Oversized(size) => Some(size),
                    SkipReason::Binary | SkipReason::Missing => None,
                },
            })
            .collect(),
        rules,
        findings,
        errors,
    }
}

fn first_seen(first: &input::git::FirstSeen) -> FirstSeenRecord {
    FirstSeenRecord {
        commit: first.commit.clone(),
        author_date: first.author_date.clone(),
        path: first.path.clone(),
        blob: first.blob.clone(),
    }
}

/// `builtin` or the plugin file's path, as reports show it.
fn plugin_source(source: &PluginSource) -> String {
    match source {
        PluginSource::Builtin(_) => "builtin".into(),
        PluginSource::File(path) => path.display().to_string(),
    }
}

/// Objects whose waive annotation comes without a reason: refused, each an error.
fn refused_annotations(inputs: &Inputs) -> Vec<ErrorRecord> {
    inputs
        .objects
        .iter()
        .filter(|o| o.waive.as_ref().is_some_and(|w| w.reason.is_none()))
        .map(|o| ErrorRecord {
            rule: None,
            file: Some(inputs.files[o.source].path.clone()),
            line: Some(o.line()),
            message: format!(
                "{} {}: {WAIVE_ANNOTATION} without {WAIVE_REASON_ANNOTATION} is refused; its findings stand",
                o.kind, o.name
            ),
        })
        .collect()
}

/// Applies the config's waivers to the findings nothing waived yet, and says what each
/// waiver did. An expired waiver applies to nothing.
fn apply_waivers(
    options: &ScanOptions,
    findings: &mut [FindingRecord],
    today: &str,
) -> Vec<WaiverEntry> {
    let Some(config) = &options.config else {
        return Vec::new();
    };
    let mut applied = vec![0; config.waivers.len()];
    for finding in findings.iter_mut().filter(|f| f.waiver.is_none()) {
        let path = config.relative_path(&finding.location.file);
        let matching = config.waivers.iter().enumerate().find(|(_, w)| {
            !w.expired(today)
                && w.covers(
                    &finding.rule,
                    &finding.check,
                    &finding.location,
                    &path,
                    &options.default_namespace,
                )
        });
        if let Some((index, waiver)) = matching {
            applied[index] += 1;
            finding.waiver = Some(WaiverRecord {
                source: WaiverSource::Config,
                reason: waiver.reason.clone(),
                expires: waiver.expires.clone(),
                approved_by: waiver.approved_by.clone(),
            });
        }
    }
    config
        .waivers
        .iter()
        .zip(applied)
        .map(|(w, applied)| WaiverEntry {
            rule: w.rule.clone(),
            check: w.check.clone(),
            target: w.target_text(),
            reason: w.reason.clone(),
            expires: w.expires.clone(),
            approved_by: w.approved_by.clone(),
            expired: w.expired(today),
            applied,
        })
        .collect()
}

fn describe_batch(batch: &[File]) -> String {
    match batch {
        [one] => one.path.clone(),
        [first, rest @ ..] => format!("{} and {} more files", first.path, rest.len()),
        [] => "no files".into(),
    }
}

/// Turns a plugin's finding into a report record: file, line and object resolved from the
/// host's own view of the input, and the fingerprint computed.
fn record(
    plugin: &Plugin,
    inputs: &Inputs,
    set: &ManifestSet,
    finding: Finding,
) -> Result<FindingRecord, RuleError> {
    let mut annotation = None;
    let (location, subject) = match &finding.location {
        Location::Object(at) => {
            let object: &ManifestObject = &inputs.objects[at.document as usize];
            annotation = object.waive.as_ref().and_then(|w| {
                let reason = w.reason.as_ref()?;
                w.rules.contains(&plugin.info.id).then(|| WaiverRecord {
                    source: WaiverSource::Annotation,
                    reason: reason.clone(),
                    expires: None,
                    approved_by: None,
                })
            });
            let json = &set.documents[at.document as usize].object;
            let line = object.locate(json, &at.pointer).ok_or_else(|| {
                RuleError::Malformed(format!(
                    "finding {:?}: pointer {:?} names no field of {} {}",
                    finding.check, at.pointer, object.kind, object.name
                ))
            })?;
            let subject = format!(
                "{}/{}/{}/{}",
                object.api_version,
                object.kind,
                object.namespace.as_deref().unwrap_or(""),
                object.name
            );
            let location = LocationRecord {
                file: inputs.files[object.source].path.clone(),
                line,
                column: None,
                kind: Some(object.kind.clone()),
                namespace: object.namespace.clone(),
                name: Some(object.name.clone()).filter(|n| !n.is_empty()),
                pointer: Some(at.pointer.clone()),
                first_seen: None,
            };
            (location, subject)
        }
        Location::File(at) => {
            let source = inputs.files.iter().find(|f| f.path == at.path);
            let first = source.and_then(|f| f.first_seen.as_ref());
            let location = LocationRecord {
                file: at.path.clone(),
                line: at.line,
                column: Some(at.column),
                first_seen: first.map(first_seen),
                ..LocationRecord::default()
            };
            // History names a file by path and commit; its identity is the path.
            let subject = first.map_or_else(|| at.path.clone(), |f| f.path.clone());
            (location, subject)
        }
    };
    let fingerprint = fingerprint(&[&plugin.info.id, &finding.check, &subject, &finding.identity]);
    Ok(FindingRecord {
        rule: plugin.info.id.clone(),
        check: finding.check,
        severity: severity(finding.severity),
        message: finding.message,
        controls: control_refs(&finding.controls),
        location,
        evidence: finding.evidence,
        waiver: finding
            .accepted
            .map(|reason| WaiverRecord {
                source: WaiverSource::RuleSettings,
                reason,
                expires: None,
                approved_by: None,
            })
            .or(annotation),
        fingerprint,
    })
}

fn rule_result(plugin: &Plugin, findings: usize, waived: usize, failed: bool) -> RuleResult {
    let info = &plugin.info;
    RuleResult {
        id: info.id.clone(),
        version: info.version.clone(),
        title: info.title.clone(),
        description: info.description.clone(),
        remediation: info.remediation.clone(),
        severity: severity(info.severity),
        controls: control_refs(&info.controls),
        source: plugin_source(&plugin.source),
        sha256: plugin.sha256.clone(),
        status: match (failed, findings) {
            (true, _) => RuleStatus::Error,
            (false, 0) => RuleStatus::Pass,
            (false, _) => RuleStatus::Fail,
        },
        findings,
        waived,
    }
}

/// SHA-256 over the parts, NUL-separated, as 32 hex digits.
fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    runtime::hex(&hasher.finalize()[..16])
}

/// Controls for reports: grouped by framework (in catalog order), ids in natural order
/// (`A.8.4` before `A.8.20`).
pub fn control_refs(controls: &[runtime::Control]) -> Vec<ControlRef> {
    let mut sorted: Vec<&runtime::Control> = controls.iter().collect();
    sorted.sort_by_cached_key(|c| {
        let parts: Vec<(Option<u64>, String)> =
            c.id.split('.')
                .map(|part| (part.parse().ok(), part.to_owned()))
                .collect();
        (catalog::position(c.framework), parts)
    });
    sorted
        .into_iter()
        .map(|c| ControlRef {
            framework: catalog::framework_name(c.framework).into(),
            id: c.id.clone(),
        })
        .collect()
}

pub fn severity(severity: runtime::Severity) -> Severity {
    match severity {
        runtime::Severity::Info => Severity::Info,
        runtime::Severity::Low => Severity::Low,
        runtime::Severity::Medium => Severity::Medium,
        runtime::Severity::High => Severity::High,
        runtime::Severity::Critical => Severity::Critical,
    }
}
