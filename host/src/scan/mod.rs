//! A scan from start to end: load the plugins, check the rules' settings, read the
//! inputs, run every selected rule in parallel (the whole manifest set per rule, files in
//! batches), and [`assemble`] the [`Report`], applying people's [`decisions`]. History is
//! read and checked batch by batch, with [`progress`] on a terminal.

mod assemble;
mod decisions;
mod history;
mod progress;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{Config, ConfigError};
use crate::input::{self, InputOptions, Inputs, ManifestObject, Target};
use crate::provenance;
use crate::report::baseline::Baseline;
use crate::report::{GitRecord, Report, untrusted};
use crate::runtime::{
    ComponentCache, DocumentRef, File, InputKind, Limits, LoadError, Location, PinnedPlugin,
    Plugin, PluginSource, RuleError, Runtime, Verdict,
};
use crate::vocab::{FailOn, Framework};
use assemble::Checked;
use progress::Progress;

/// Files sent to one `check-files` call: at most this many bytes (or one larger file).
const FILE_BATCH_BYTES: usize = 8 << 20;
/// And at most this many files.
const FILE_BATCH_COUNT: usize = 512;
/// Below this many bytes, files are not split into more batches to keep the cores busy: a
/// call has a fixed cost (an instance, and the credential rule's detectors built afresh,
/// about 3 ms), and a rule reads a megabyte in 15-20 ms.
const FILE_BATCH_MIN_BYTES: usize = 1 << 20;
/// Files are split into at least this many batches per core (within the bounds above),
/// so that one rule reading megabytes of files does not leave the other cores idle.
const FILE_BATCHES_PER_CORE: usize = 2;
/// History is read this many file batches at a time: enough to keep every core busy,
/// few enough that memory stays bounded.
const HISTORY_BATCH_FILE_BATCHES: usize = 4;

/// Where the plugins come from and how they are sandboxed.
#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    /// Plugin files named on the command line.
    pub plugins: Vec<PathBuf>,
    /// Plugin files the config pins by digest.
    pub pinned: Vec<PinnedPlugin>,
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

/// Starts the runtime and loads every plugin, saying on stderr which digest each plugin
/// named on the command line had (the config's pinned ones were checked against theirs).
pub fn load(options: &RuntimeOptions) -> Result<(Runtime, Vec<Plugin>), ScanError> {
    let runtime =
        Runtime::new(options.limits, options.cache.clone()).map_err(ScanError::Runtime)?;
    let plugins = runtime.load_all(&options.pinned, &options.plugins);
    print_cache_notes(&runtime);
    let plugins = plugins?;
    for plugin in &plugins {
        if let PluginSource::File(path) = &plugin.source {
            let path = path.display().to_string();
            eprintln!(
                "tollgate: loaded plugin {} sha256:{}",
                untrusted::clean_text(&path),
                plugin.sha256
            );
        }
    }
    Ok((runtime, plugins))
}

/// Says on stderr why cache entries were recompiled or the cache was not used.
fn print_cache_notes(runtime: &Runtime) {
    for note in runtime.take_cache_notes() {
        eprintln!("tollgate: note: {note}");
    }
}

/// Runs a scan and returns its report; plugin and input failures are in the report.
pub fn run(options: &ScanOptions) -> Result<Report, ScanError> {
    let (runtime, plugins) = load(&options.runtime)?;
    run_loaded(options, &runtime, &plugins)
}

/// Runs a scan with plugins already loaded (`options.runtime` is not read again), so
/// that several scans share one load.
pub fn run_loaded(
    options: &ScanOptions,
    runtime: &Runtime,
    plugins: &[Plugin],
) -> Result<Report, ScanError> {
    let generated_at = provenance::timestamp();
    let today = provenance::date(&generated_at).to_owned();
    if let Some(config) = &options.config {
        config.check_waivers(&today)?;
    }
    // Read while the rules run; collected for the report.
    let git = match &options.target {
        Target::Paths(paths) => paths.first().map(|p| provenance::Revision::start(p)),
        Target::Repository { repo, .. } => Some(provenance::Revision::start(repo)),
    };
    let selected = select(plugins, options)?;
    let settings = rule_settings(runtime, &selected, options.config.as_ref())?;
    let rules = Rules {
        runtime,
        selected: &selected,
        settings: &settings,
        options,
        today: &today,
    };
    let mut checked = Checked::new(selected.len());
    let inputs = match &options.target {
        Target::Repository {
            repo,
            source: input::git::Source::History,
        } => rules.check_history(repo, &mut checked),
        target => {
            let mut inputs = input::collect(target, &options.input);
            rules.check(&mut inputs, &mut checked);
            inputs
        }
    };
    print_cache_notes(runtime);
    let git = git.and_then(provenance::Revision::finish);
    let provenance = Provenance { generated_at, git };
    Ok(assemble::assemble(
        options, plugins, &selected, &inputs, checked, provenance,
    ))
}

/// The selected rules, ready to run over inputs.
struct Rules<'a> {
    runtime: &'a Runtime,
    selected: &'a [&'a Plugin],
    /// The settings text of each selected rule.
    settings: &'a [String],
    options: &'a ScanOptions,
    /// The date of the run, which waivers are judged on.
    today: &'a str,
}

impl Rules<'_> {
    /// Runs every selected rule over `inputs` in parallel (the objects of its kinds per
    /// rule, files in batches) and adds what they said to `checked`. Every rule's set
    /// borrows the objects' JSON texts; the files' contents move into the batches, freed
    /// as soon as the last rule reading them is done. The objects are dropped once their
    /// findings are resolved.
    fn check(&self, inputs: &mut Inputs, checked: &mut Checked) {
        let wants = |kind: InputKind| self.selected.iter().any(|p| p.info.inputs.contains(&kind));
        let batches = if wants(InputKind::Files) {
            file_batches(inputs)
        } else {
            Vec::new()
        };
        let offset = checked.admit(inputs);
        let kinds = checked.kinds_from(offset);
        let asserted: Vec<bool> = (inputs.objects.iter())
            .map(|o| inputs.files[o.source].asserted)
            .collect();
        // Rules that read files judge what is committed, test assertions included; the
        // others judge what runs.
        let judges_what_runs = |p: &Plugin| !p.info.inputs.contains(&InputKind::Files);
        let slices: Vec<Slice> = self
            .selected
            .iter()
            .map(|p| {
                let left_out = (judges_what_runs(p) && asserted.contains(&true))
                    .then_some(asserted.as_slice());
                Slice::of(kinds, &p.info.kinds, left_out)
            })
            .collect();
        let outcomes = self.run(inputs, batches, &slices);
        drop(slices); // freed before the findings are resolved
        checked.add(
            self.options,
            self.selected,
            inputs,
            offset,
            outcomes,
            self.today,
        );
        // Freed beside the report's assembly rather than before it: 100k objects take
        // tens of milliseconds to free, one string at a time.
        let objects = std::mem::take(&mut inputs.objects);
        rayon::spawn(move || drop(objects));
    }

    /// Makes every call the selected rules need over `inputs` and the file `batches`, on
    /// every core, in the order of [`in_order`]; returns each call's outcome in the order
    /// of [`jobs`]. A batch's contents are freed when the last call over it ends.
    fn run(&self, inputs: &Inputs, batches: Vec<Arc<[File]>>, slices: &[Slice]) -> Vec<Outcome> {
        let reads = self.selected.iter().map(|p| p.info.inputs.as_slice());
        let mut outcomes: Vec<_> = in_order(jobs(reads, batches), slices, inputs)
            .par_bridge()
            .map(|(order, (rule, job))| {
                let (plugin, settings) = (self.selected[rule], self.settings[rule].as_str());
                let (result, batch) = match job {
                    Job::Manifests => (slices[rule].check(self, inputs, plugin, settings), None),
                    Job::Files(batch) => (
                        self.runtime.check_files(plugin, &batch, settings),
                        Some(describe_batch(&batch)),
                    ),
                };
                (
                    order,
                    Outcome {
                        rule,
                        result,
                        batch,
                    },
                )
            })
            .collect();
        outcomes.sort_unstable_by_key(|(order, _)| *order);
        outcomes.into_iter().map(|(_, outcome)| outcome).collect()
    }

    /// Checks the history of the repository that holds `repo` batch by batch, so that
    /// memory holds one batch of contents whatever the history's size; returns what was
    /// read, without contents or objects.
    fn check_history(&self, repo: &std::path::Path, checked: &mut Checked) -> Inputs {
        let batches = match input::history(
            repo,
            &self.options.input,
            FILE_BATCH_BYTES * HISTORY_BATCH_FILE_BATCHES,
            FILE_BATCH_COUNT * HISTORY_BATCH_FILE_BATCHES,
        ) {
            Ok(batches) => batches,
            Err(error) => {
                return Inputs {
                    errors: vec![error],
                    ..Inputs::default()
                };
            }
        };
        let (blobs, bytes) = batches.totals();
        let mut progress = Progress::on_stderr("history", blobs, bytes);
        let mut read = Inputs::default();
        for mut batch in batches {
            self.check(&mut batch, checked);
            let bytes = batch.files.iter().map(|f| f.size).sum();
            progress.advance(batch.files.len() + batch.skipped.len(), bytes);
            read.append_checked(batch);
        }
        progress.finish();
        read
    }
}

/// Every call to make: per rule (given by the inputs it reads), one over the manifests
/// and one per file batch. It takes the batches, so that the jobs hold the only handles to
/// them: a batch's contents are freed as soon as the last call over it ends.
fn jobs<'r>(
    reads: impl Iterator<Item = &'r [InputKind]>,
    batches: Vec<Arc<[File]>>,
) -> Vec<(usize, Job)> {
    reads
        .enumerate()
        .flat_map(|(rule, inputs)| {
            let reads = |kind: InputKind| inputs.contains(&kind);
            let manifests = reads(InputKind::Manifests).then_some(Job::Manifests);
            let files = reads(InputKind::Files)
                .then(|| batches.iter().map(|b| Job::Files(Arc::clone(b))))
                .into_iter()
                .flatten();
            manifests
                .into_iter()
                .chain(files)
                .map(move |job| (rule, job))
        })
        .collect()
}

/// The jobs, each with its position, in the order they are handed out to the threads as
/// they free up, each by the bytes it sends:
/// - the largest manifest call first, so that it does not start late while the other
///   cores sit idle;
/// - then file batches, as many as add up to that call's bytes: they run beside it, and
///   each batch's contents are freed when its calls end (the objects are kept until the
///   findings are resolved), so the next manifest call starts with fewer contents held
///   and the two largest calls do not start together;
/// - then the other manifest calls, largest first, so that none waits behind every batch;
/// - then the remaining batches.
///
/// With more cores than calls, all start at once and the order no longer matters.
fn in_order(
    jobs: Vec<(usize, Job)>,
    slices: &[Slice],
    inputs: &Inputs,
) -> impl Iterator<Item = (usize, (usize, Job))> + Send {
    let bytes = |(rule, job): &(usize, Job)| match job {
        Job::Manifests => slices[*rule].bytes(&inputs.objects),
        Job::Files(batch) => batch.iter().map(|f| f.contents.len()).sum(),
    };
    let mut ordered: Vec<_> = jobs
        .into_iter()
        .enumerate()
        .map(|(position, job)| (bytes(&job), position, job))
        .collect();
    ordered.sort_by_key(|&(bytes, ..)| std::cmp::Reverse(bytes));
    let (mut manifests, mut batches): (Vec<_>, Vec<_>) = ordered
        .into_iter()
        .partition(|(.., (_, job))| matches!(job, Job::Manifests));
    let largest = (!manifests.is_empty()).then(|| manifests.remove(0));
    let budget = largest.as_ref().map_or(0, |&(bytes, ..)| bytes);
    let (mut beside, mut sent) = (0, 0);
    while beside < batches.len() && sent < budget {
        sent += batches[beside].0;
        beside += 1;
    }
    let rest = batches.split_off(beside);
    largest
        .into_iter()
        .chain(batches)
        .chain(manifests)
        .chain(rest)
        .map(|(_, position, job)| (position, job))
}

/// The objects of the kinds a rule declared it reads (`rule-info.kinds`), which is all it
/// is sent: their positions in the whole set, so that its verdict can be read against the
/// whole set. The documents it is sent are made from them a batch at a time, as the call
/// hands them over.
#[derive(Debug)]
enum Slice {
    /// The rule reads every kind.
    Whole,
    /// Of each object sent, its position in the whole set.
    Kinds(Vec<u32>),
}

impl Slice {
    /// The slice for `kinds` (the whole set when empty), given the distinct kind `names`
    /// and each object's index into them ([`Checked::kinds_from`]), without the objects
    /// `left_out` marks.
    fn of(
        (names, kind_of): (&[String], &[u32]),
        kinds: &[String],
        left_out: Option<&[bool]>,
    ) -> Self {
        if kinds.is_empty() && left_out.is_none() {
            return Self::Whole;
        }
        let wanted: Vec<bool> = (names.iter())
            .map(|name| kinds.is_empty() || kinds.contains(name))
            .collect();
        let positions = kind_of
            .iter()
            .enumerate()
            .filter(|&(position, &kind)| {
                wanted[kind as usize] && !left_out.is_some_and(|out| out[position])
            })
            .map(|(position, _)| position as u32)
            .collect();
        Self::Kinds(positions)
    }

    /// The objects of the slice, in input order.
    fn objects<'a>(
        &'a self,
        objects: &'a [ManifestObject],
    ) -> Box<dyn ExactSizeIterator<Item = &'a ManifestObject> + 'a> {
        match self {
            Self::Whole => Box::new(objects.iter()),
            Self::Kinds(positions) => Box::new(positions.iter().map(|&p| &objects[p as usize])),
        }
    }

    /// The bytes of JSON text the slice sends.
    fn bytes(&self, objects: &[ManifestObject]) -> usize {
        self.objects(objects).map(|o| o.json().len()).sum()
    }

    /// Every object of the slice as plugins are given it, borrowed from `inputs`, made as
    /// the batches handed over need them.
    fn documents<'a>(
        &'a self,
        inputs: &'a Inputs,
    ) -> impl ExactSizeIterator<Item = DocumentRef<'a>> {
        self.objects(&inputs.objects).map(|o| DocumentRef {
            file: &inputs.files[o.source].path,
            index: o.document,
            api_version: o.api_version(),
            kind: o.kind(),
            name: o.name(),
            namespace: o.namespace(),
            object: o.json(),
        })
    }

    /// Runs the manifest check of `plugin` over the slice of `inputs`; the verdict points
    /// into the whole set.
    /// A rule given none of the kinds it reads has nothing to judge: it is not called, and
    /// its component is not even loaded.
    fn check(
        &self,
        rules: &Rules,
        inputs: &Inputs,
        plugin: &Plugin,
        settings: &str,
    ) -> Result<Verdict, RuleError> {
        if matches!(self, Self::Kinds(positions) if positions.is_empty()) {
            return Ok(Verdict {
                findings: Vec::new(),
                coverage: Vec::new(),
            });
        }
        rules
            .runtime
            .check_manifests(
                plugin,
                &rules.options.default_namespace,
                self.documents(inputs),
                settings,
            )
            .map(|verdict| self.restore(verdict))
    }

    /// The verdict with its object positions moved from the slice to the whole set. The
    /// runtime validated them against the slice first.
    fn restore(&self, mut verdict: Verdict) -> Verdict {
        let Self::Kinds(positions) = self else {
            return verdict;
        };
        let whole = |i: u32| positions[i as usize];
        for finding in &mut verdict.findings {
            if let Location::Object(at) = &mut finding.location {
                at.document = whole(at.document);
            }
        }
        for coverage in &mut verdict.coverage {
            for document in &mut coverage.documents {
                *document = whole(*document);
            }
        }
        verdict
    }
}

/// When the run started and over which revision.
struct Provenance {
    generated_at: String,
    git: Option<GitRecord>,
}

/// One plugin call: over the manifest set, or over a batch of files (shared by the calls
/// of every rule that reads files).
enum Job {
    Manifests,
    Files(Arc<[File]>),
}

/// What one call returned, for which rule.
struct Outcome {
    /// The rule's position among the selected ones.
    rule: usize,
    /// What the plugin returned, or why the call failed.
    result: Result<Verdict, RuleError>,
    /// The file batch the call was given, described for its error; `None` for the
    /// manifest set.
    batch: Option<String>,
}

/// A file batch as errors name it.
fn describe_batch(batch: &[File]) -> String {
    match batch {
        [one] => one.path.clone(),
        [first, rest @ ..] => format!("{} and {} more files", first.path, rest.len()),
        [] => "no files".into(),
    }
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
        let declared: Vec<(&str, Vec<&str>)> = plugins
            .iter()
            .map(|p| {
                let checks = p.info.checks.iter().map(|c| c.id.as_str()).collect();
                (p.info.id.as_str(), checks)
            })
            .collect();
        config.check_rules(&declared)?;
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
/// of `inputs`. Batches are smaller than [`FILE_BATCH_BYTES`] when that keeps every core
/// busy: [`FILE_BATCHES_PER_CORE`] per core, none below [`FILE_BATCH_MIN_BYTES`].
fn file_batches(inputs: &mut Inputs) -> Vec<Arc<[File]>> {
    let total = inputs.files.iter().map(|f| f.bytes.len()).sum();
    let batch_bytes = batch_bytes(total, rayon::current_num_threads());
    let mut batches: Vec<Vec<File>> = Vec::new();
    let mut size = 0;
    for file in &mut inputs.files {
        let full = batches.last().is_none_or(|b| {
            b.len() >= FILE_BATCH_COUNT || (size + file.bytes.len() > batch_bytes && !b.is_empty())
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
    batches.into_iter().map(Arc::from).collect()
}

/// The bytes of a file batch when `total` bytes of files are read on `cores` cores.
fn batch_bytes(total: usize, cores: usize) -> usize {
    total
        .div_ceil(cores * FILE_BATCHES_PER_CORE)
        .clamp(FILE_BATCH_MIN_BYTES, FILE_BATCH_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_batches_keep_every_core_busy_within_their_bounds() {
        const MIB: usize = 1 << 20;
        // Under a megabyte: one batch, whatever the cores.
        assert_eq!(batch_bytes(700 << 10, 2), MIB);
        // 6 MiB on two cores: four batches of 1.5 MiB.
        assert_eq!(batch_bytes(6 * MIB, 2), 3 * MIB / 2);
        // 100 MiB: batches of at most 8 MiB.
        assert_eq!(batch_bytes(100 * MIB, 2), FILE_BATCH_BYTES);
        // Many cores do not make batches below a megabyte.
        assert_eq!(batch_bytes(6 * MIB, 64), MIB);
    }
    use crate::runtime::{Coverage, Finding, ObjectLocation, Severity};

    /// One file holding an object of each of `kinds`, read and numbered as a scan reads
    /// and numbers them.
    fn estate(kinds: &[&str]) -> (Inputs, Checked) {
        let text: String = kinds
            .iter()
            .map(|kind| format!("apiVersion: v1\nkind: {kind}\nmetadata: {{name: n}}\n---\n"))
            .collect();
        let (documents, error) = crate::input::yaml::parse(&text);
        assert_eq!(error, None);
        let objects = documents
            .into_iter()
            .flat_map(|d| crate::input::manifest::objects(0, d).0)
            .collect();
        let file = crate::input::SourceFile {
            path: "a.yaml".into(),
            bytes: Vec::new(),
            size: text.len() as u64,
            sha256: String::new(),
            objects: kinds.len(),
            first_seen: None,
            asserted: false,
        };
        let inputs = Inputs {
            files: vec![file],
            objects,
            ..Inputs::default()
        };
        let mut checked = Checked::new(1);
        assert_eq!(checked.admit(&inputs), 0);
        (inputs, checked)
    }

    /// The slice of `estate` a rule reading `kinds` is sent.
    fn slice((_, checked): &(Inputs, Checked), kinds: &[&str]) -> Slice {
        let kinds: Vec<String> = kinds.iter().map(|k| k.to_string()).collect();
        Slice::of(checked.kinds_from(0), &kinds, None)
    }

    fn object_finding(document: u32) -> Finding {
        Finding {
            check: "wildcard".into(),
            severity: Severity::High,
            message: "m".into(),
            location: Location::Object(ObjectLocation {
                document,
                pointer: String::new(),
            }),
            evidence: None,
            identity: String::new(),
            accepted: None,
        }
    }

    fn verdict(findings: &[u32], judged: &[u32]) -> Verdict {
        Verdict {
            findings: findings.iter().map(|&d| object_finding(d)).collect(),
            coverage: vec![Coverage {
                check: "wildcard".into(),
                documents: judged.to_vec(),
                files: 0,
            }],
        }
    }

    fn positions(verdict: &Verdict) -> (Vec<u32>, Vec<u32>) {
        let findings = verdict
            .findings
            .iter()
            .map(|f| match &f.location {
                Location::Object(at) => at.document,
                Location::File(_) => panic!("an object finding"),
            })
            .collect();
        (findings, verdict.coverage[0].documents.clone())
    }

    #[test]
    fn a_rule_is_sent_its_kinds_and_its_verdict_points_into_the_whole_set() {
        let estate = estate(&["Deployment", "Role", "ConfigMap", "RoleBinding", "Role"]);
        let slice = slice(&estate, &["Role", "RoleBinding"]);
        let kinds: Vec<&str> = slice.documents(&estate.0).map(|d| d.kind).collect();
        assert_eq!(kinds, ["Role", "RoleBinding", "Role"]);
        let restored = slice.restore(verdict(&[2, 0, 1], &[0, 1, 2]));
        assert_eq!(positions(&restored), (vec![4, 1, 3], vec![1, 3, 4]));
    }

    #[test]
    fn a_later_batch_is_sliced_by_positions_within_it() {
        let (_, mut checked) = estate(&["Role", "Secret"]);
        let (second, _) = estate(&["Secret", "Deployment", "Role"]);
        let offset = checked.admit(&second);
        assert_eq!(offset, 2);
        let slice = Slice::of(checked.kinds_from(offset), &["Role".into()], None);
        assert!(matches!(&slice, Slice::Kinds(positions) if positions == &[2]));
        let kinds: Vec<&str> = slice.documents(&second).map(|d| d.kind).collect();
        assert_eq!(kinds, ["Role"]);
        let kind = |kind: &str| Slice::of(checked.kinds_from(offset), &[kind.into()], None);
        assert!(matches!(kind("Deployment"), Slice::Kinds(positions) if positions == [1]));
    }

    #[test]
    fn a_slice_shares_the_texts_of_the_whole_set() {
        let estate = estate(&["Role", "Secret"]);
        let slice = slice(&estate, &["Secret"]);
        let (sent, kept) = (
            slice.documents(&estate.0).next().unwrap().object,
            estate.0.objects[1].json(),
        );
        assert!(std::ptr::eq(sent, kept), "the text is borrowed, not copied");
    }

    #[test]
    fn a_rule_reading_every_kind_is_sent_the_whole_set_and_its_positions_stay() {
        let estate = estate(&["Deployment", "Role"]);
        let slice = slice(&estate, &[]);
        assert!(matches!(slice, Slice::Whole));
        assert_eq!(slice.documents(&estate.0).len(), 2);
        let restored = slice.restore(verdict(&[1], &[0, 1]));
        assert_eq!(positions(&restored), (vec![1], vec![0, 1]));
    }

    #[test]
    fn a_rule_whose_kinds_are_absent_is_sent_nothing() {
        let estate = estate(&["Deployment", "Role"]);
        assert_eq!(slice(&estate, &["Secret"]).documents(&estate.0).len(), 0);
    }

    #[test]
    fn batches_run_beside_the_largest_manifest_call_up_to_its_bytes() {
        let estate = estate(&["Deployment", "Role", "Role", "Secret"]);
        let slices = [
            slice(&estate, &["Secret"]),
            slice(&estate, &[]),
            slice(&estate, &["Role"]),
        ];
        let sizes: Vec<usize> = slices.iter().map(|s| s.bytes(&estate.0.objects)).collect();
        // The two Roles weigh more than the one Secret, and the whole set most.
        assert!(sizes[1] > sizes[2] && sizes[2] > sizes[0]);
        // Two of these batches add up to the whole set's bytes.
        let batch = || {
            Job::Files(Arc::from([File {
                path: "f".into(),
                contents: vec![b'x'; sizes[1].div_ceil(2)],
            }]))
        };
        let jobs = vec![
            (0, Job::Manifests),
            (1, Job::Manifests),
            (2, Job::Manifests),
            (0, batch()),
            (0, batch()),
            (0, batch()),
        ];
        let order: Vec<usize> = in_order(jobs, &slices, &estate.0).map(|(i, _)| i).collect();
        // The whole set, two batches beside it, the other calls largest first, the last
        // batch.
        assert_eq!(order, [1, 3, 4, 2, 0, 5]);
    }

    #[test]
    fn the_jobs_hold_the_only_handles_to_the_batches() {
        let batch: Arc<[File]> = Arc::from([File {
            path: "f".into(),
            contents: b"x".to_vec(),
        }]);
        let handle = Arc::downgrade(&batch);
        let reads: [&[InputKind]; 3] = [
            &[InputKind::Files],
            &[InputKind::Manifests],
            &[InputKind::Manifests, InputKind::Files],
        ];
        let jobs = jobs(reads.into_iter(), vec![batch]);
        let rules: Vec<usize> = jobs.iter().map(|&(rule, _)| rule).collect();
        assert_eq!(rules, [0, 1, 2, 2]);
        assert_eq!(
            handle.strong_count(),
            2,
            "one handle per rule that reads files"
        );
        drop(jobs);
        assert!(handle.upgrade().is_none(), "freed with the last job");
    }
}
