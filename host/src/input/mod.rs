//! Inputs: which files to read (paths, directories walked by [`walk`], standard input, or a
//! Git repository's tracked, staged or historical content through [`git`]), reading them
//! within limits, building kustomize trees ([`kustomize`]), and turning YAML/JSON documents
//! into [`ManifestObject`]s with lines.
//!
//! Bad input never stops the run. Files named on the command line and standard input are
//! strict: an unreadable path, a binary or oversized file, invalid YAML or a document that
//! is not a Kubernetes object becomes an [`InputError`] naming the file and line. A
//! directory walk judges what is Kubernetes: YAML and JSON that holds no object (chart
//! values, patches, dashboards), templates and Helm charts are read by the file rules only
//! and listed as [`SkippedFile`]s with the reason; invalid YAML and broken objects stay
//! errors. Repository files (any file of a repository, a named file that is not YAML or
//! JSON) are scanned by the file rules, and lend their Kubernetes objects, if any, to the
//! manifest rules; binary and oversized ones are skipped and counted.

mod assertions;
pub mod git;
pub mod kustomize;
pub mod manifest;
pub mod walk;
pub mod yaml;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use crate::report::NoticeKind;
use sha2::{Digest, Sha256};

pub use manifest::ManifestObject;
pub use walk::Excludes;

use walk::has_manifest_extension;

/// How standard input is named in reports.
pub const STDIN_NAME: &str = "<stdin>";

/// Limits on what is read, and what is left out.
#[derive(Clone, Debug)]
pub struct InputOptions {
    /// Files larger than this are reported, not read.
    pub max_file_size: u64,
    /// Paths not read (and not listed).
    pub excludes: Excludes,
    /// Build the kustomize trees of a directory walk when a kustomize binary is at hand.
    pub build_kustomizations: bool,
    /// Where builds are kept between runs; every build runs without one.
    pub build_cache: Option<Arc<kustomize::cache::BuildCache>>,
    /// Which files a build may read.
    pub load_restrictor: kustomize::LoadRestrictor,
}

impl Default for InputOptions {
    fn default() -> Self {
        Self {
            max_file_size: 64 << 20,
            excludes: Excludes::default(),
            build_kustomizations: true,
            build_cache: None,
            load_restrictor: kustomize::LoadRestrictor::RootOnly,
        }
    }
}

/// One file that was read.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user named it (or as found under a named directory).
    pub path: String,
    /// The content; taken by the scan when file rules need it.
    pub bytes: Vec<u8>,
    /// Size of the content in bytes.
    pub size: u64,
    /// SHA-256 (hex) of the content: the evidence of what was scanned.
    pub sha256: String,
    /// How many Kubernetes objects it held.
    pub objects: usize,
    /// For a blob of history: where it first appears.
    pub first_seen: Option<git::FirstSeen>,
    /// It is an end-to-end test's assertion ([`assertions`]): its objects are judged only
    /// by the rules that read files.
    pub asserted: bool,
}

/// What a scan reads.
#[derive(Clone, Debug)]
pub enum Target {
    /// Files and directories named on the command line (`-` is standard input).
    Paths(Vec<PathBuf>),
    /// Content of the Git repository that holds `repo`.
    Repository { repo: PathBuf, source: git::Source },
}

/// A file that was not judged as Kubernetes manifests, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: String,
    pub reason: SkipReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Holds NUL bytes in its first 8,000 bytes (git's own test for binary content).
    Binary,
    /// Over the size limit; its size in bytes.
    Oversized(u64),
    /// Tracked by Git but deleted from the work tree.
    Missing,
    /// A symbolic link met in a directory walk: not followed.
    Symlink,
    /// YAML or JSON that holds no Kubernetes object: why.
    NotKubernetes(String),
    /// A template (`{{ }}`): not rendered.
    Template,
    /// A file of the Helm chart in this directory: not rendered.
    HelmChart(String),
    /// A patch or configuration that the kustomization in this directory applies.
    KustomizeInput(String),
    /// Workloads that cannot be applied as they are, in a kustomize tree whose
    /// kustomizations do not use the file: a patch left for later (the kustomization of
    /// its directory, what the first workload lacks).
    UnusedPatch { dir: String, lacks: String },
    /// What an end-to-end test checks a cluster against, not applies to it: why it is
    /// taken for one (see [`assertions`]).
    TestAssertion(String),
}

impl SkipReason {
    /// Whether the file was still read (by the rules that read files).
    pub fn was_read(&self) -> bool {
        !matches!(
            self,
            Self::Binary | Self::Oversized(_) | Self::Missing | Self::Symlink
        )
    }
}

/// Something the run could not do the way it would have liked, and what it did instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    /// The directory or file it is about.
    pub path: String,
    pub message: String,
}

/// How a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A manifest the user named (or standard input): every problem is an error.
    Manifest,
    /// A YAML or JSON file found in a directory walk: YAML that holds no object and
    /// templates are skipped with the reason; invalid YAML and broken objects are errors.
    Walked,
    /// A YAML or JSON file of a repository: its Kubernetes objects go to the manifest
    /// rules; when it holds none (a CI workflow) or is a template (`{{ }}`), it is just a
    /// file, and when it holds some next to a broken part, that part is an error. One
    /// that does not parse but declares a `kind: Secret` is an error too: the plaintext
    /// Secret check cannot judge it.
    RepositoryYaml,
    /// A YAML or JSON blob of history: its objects when it parses, never an error (old
    /// versions of a file may be broken).
    HistoryYaml,
    /// Any other file: for the file rules only.
    File,
}

/// An input that yields no (or not all) results, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
}

/// Everything read from the command line's paths.
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<SourceFile>,
    pub objects: Vec<ManifestObject>,
    pub errors: Vec<InputError>,
    pub skipped: Vec<SkippedFile>,
    pub notices: Vec<Notice>,
    /// Helm charts found and not rendered (their directories): the objects they define
    /// were not judged.
    pub unrendered_charts: Vec<String>,
}

impl Inputs {
    /// Adds the files, errors, skipped files and notices of `batch`, which has been
    /// checked: its files' contents and its objects are dropped (their findings are
    /// resolved), so that what is kept of each file is its record.
    pub fn append_checked(&mut self, batch: Inputs) {
        self.files
            .extend(batch.files.into_iter().map(|file| SourceFile {
                bytes: Vec::new(),
                ..file
            }));
        self.errors.extend(batch.errors);
        self.skipped.extend(batch.skipped);
        self.notices.extend(batch.notices);
        self.unrendered_charts.extend(batch.unrendered_charts);
    }
}

/// A file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Origin {
    Stdin,
    /// Named on the command line.
    Path(PathBuf),
    /// Found under a named directory.
    Walked(PathBuf),
}

impl Origin {
    /// The name reports give it.
    fn name(&self) -> String {
        match self {
            Self::Stdin => STDIN_NAME.to_owned(),
            Self::Path(path) | Self::Walked(path) => path.display().to_string(),
        }
    }
}

/// Reads what `target` names and parses what it finds, files in parallel.
pub fn collect(target: &Target, options: &InputOptions) -> Inputs {
    match target {
        Target::Paths(paths) => collect_paths(paths, options),
        Target::Repository { repo, source } => collect_repository(repo, *source, options),
    }
}

/// Reads every path (`-` is standard input; directories are walked, see [`walk`]) and
/// builds the kustomize trees found.
fn collect_paths(paths: &[PathBuf], options: &InputOptions) -> Inputs {
    let walked = expand(paths, &options.excludes);
    let named: HashSet<String> = (walked.origins.iter())
        .filter(|(origin, _)| !matches!(origin, Origin::Walked(_)))
        .map(|(origin, _)| origin.name())
        .collect();
    let charts: Vec<String> = walked
        .charts
        .iter()
        .map(|c| c.display().to_string())
        .collect();
    let read: Vec<ReadResult> = walked
        .origins
        .into_par_iter()
        .map(|(origin, chart)| match chart {
            Some(chart) => {
                let mut result = read_and_parse(&origin, Role::File, options);
                if result.file.is_some() {
                    result.skipped = Some(SkippedFile {
                        path: origin.name(),
                        reason: SkipReason::HelmChart(charts[chart].clone()),
                    });
                }
                result
            }
            None => {
                let role = match &origin {
                    Origin::Walked(_) => Role::Walked,
                    Origin::Path(path) if !has_manifest_extension(path) => Role::File,
                    Origin::Path(_) | Origin::Stdin => Role::Manifest,
                };
                read_and_parse(&origin, role, options)
            }
        })
        .collect();
    let mut inputs = assemble(read, walked.errors);
    inputs.skipped.extend(walked.skipped);
    assertions::mark(&mut inputs, &named);
    for chart in charts {
        inputs.notices.push(Notice {
            kind: NoticeKind::HelmChart,
            message: format!(
                "Helm chart, not rendered: its templates were not judged as manifests \
                 (scan its output with `helm template {chart} | tollgate scan -`)"
            ),
            path: chart.clone(),
        });
        inputs.unrendered_charts.push(chart);
    }
    if !walked.kustomizations.is_empty() {
        kustomize_trees(&mut inputs, &walked.kustomizations, options);
    }
    inputs
}

/// Reads the repository's files; a path outside any repository is an error.
fn collect_repository(repo: &Path, source: git::Source, options: &InputOptions) -> Inputs {
    let root = match git::root(repo) {
        Ok(root) => root,
        Err(message) => return repository_error(repo, message),
    };
    let files = match git::files(&root, source, options.max_file_size) {
        Ok(files) => files,
        Err(message) => return repository_error(repo, message),
    };
    read_git_files(&root, files, source, options)
}

/// The inputs of a repository that could not be read: one error.
fn repository_error(repo: &Path, message: String) -> Inputs {
    Inputs {
        errors: vec![InputError {
            file: repo.display().to_string(),
            line: None,
            message,
        }],
        ..Inputs::default()
    }
}

/// Reads every blob of the history of the repository that holds `repo` in batches of at
/// most `batch_bytes` of content and `batch_count` blobs, so that memory holds one batch
/// at a time; the batches' files follow each other in history order (oldest first).
/// A path outside any repository, or a history git cannot list, is an error.
pub fn history(
    repo: &Path,
    options: &InputOptions,
    batch_bytes: usize,
    batch_count: usize,
) -> Result<HistoryBatches, InputError> {
    let failed = |message| InputError {
        file: repo.display().to_string(),
        line: None,
        message,
    };
    let root = git::root(repo).map_err(failed)?;
    let blobs =
        git::history(&root, options.max_file_size, batch_bytes, batch_count).map_err(failed)?;
    Ok(HistoryBatches {
        repo: repo.to_owned(),
        root,
        options: options.clone(),
        blobs,
    })
}

/// The batches of [`history`], each read and parsed in parallel; a failure of git ends
/// them with a batch that holds its error.
pub struct HistoryBatches {
    repo: PathBuf,
    root: PathBuf,
    options: InputOptions,
    blobs: git::HistoryBlobs,
}

impl HistoryBatches {
    /// How many blobs the history holds, and how many bytes of them are read.
    pub fn totals(&self) -> (usize, u64) {
        (self.blobs.total_blobs, self.blobs.total_bytes)
    }
}

impl Iterator for HistoryBatches {
    type Item = Inputs;

    fn next(&mut self) -> Option<Inputs> {
        Some(match self.blobs.next()? {
            Ok(files) => read_git_files(&self.root, files, git::Source::History, &self.options),
            Err(message) => repository_error(&self.repo, message),
        })
    }
}

/// Parses the files read from a repository, in parallel, leaving out the excluded ones.
fn read_git_files(
    root: &Path,
    files: Vec<git::GitFile>,
    source: git::Source,
    options: &InputOptions,
) -> Inputs {
    let yaml_role = match source {
        git::Source::History => Role::HistoryYaml,
        git::Source::Tracked | git::Source::Staged => Role::RepositoryYaml,
    };
    let read: Vec<ReadResult> = files
        .into_par_iter()
        .filter(|file| !options.excludes.excludes(&root.join(&file.path), false))
        .map(|file| read_git_file(file, yaml_role))
        .collect();
    let mut inputs = assemble(read, Vec::new());
    if source != git::Source::History {
        assertions::mark(&mut inputs, &HashSet::new());
    }
    inputs
}

/// One file of a repository, named `path@commit` when it is a blob of history.
fn read_git_file(file: git::GitFile, yaml_role: Role) -> ReadResult {
    let name = match &file.first_seen {
        Some(first) => format!(
            "{}@{}",
            file.path,
            &first.commit[..12.min(first.commit.len())]
        ),
        None => file.path.clone(),
    };
    let role = if has_manifest_extension(Path::new(&file.path)) {
        yaml_role
    } else {
        Role::File
    };
    match file.content {
        Ok(bytes) => ingest(name, bytes, role, file.first_seen),
        Err(git::Skipped::Oversized(size)) => skipped(name, SkipReason::Oversized(size)),
        Err(git::Skipped::Missing) => skipped(name, SkipReason::Missing),
        Err(git::Skipped::Unreadable(message)) => ReadResult {
            errors: vec![InputError {
                file: name,
                line: None,
                message: format!("cannot read: {message}"),
            }],
            ..ReadResult::default()
        },
    }
}

fn skipped(path: String, reason: SkipReason) -> ReadResult {
    ReadResult {
        skipped: Some(SkippedFile { path, reason }),
        ..ReadResult::default()
    }
}

/// Puts the files read in parallel together, numbering their objects' sources.
fn assemble(read: Vec<ReadResult>, errors: Vec<InputError>) -> Inputs {
    let mut inputs = Inputs {
        errors,
        ..Inputs::default()
    };
    // Sized once: growing by doubling would hold the old and the new copy of every object
    // at once, the run's peak at 100k objects.
    inputs
        .objects
        .reserve_exact(read.iter().map(|r| r.objects.len()).sum());
    inputs.files.reserve_exact(read.len());
    for ReadResult {
        file,
        objects,
        errors: file_errors,
        skipped,
        notice,
    } in read
    {
        inputs.errors.extend(file_errors);
        inputs.skipped.extend(skipped);
        inputs.notices.extend(notice);
        let Some(mut file) = file else { continue };
        let source = inputs.files.len();
        file.objects = objects.len();
        inputs.objects.extend(objects.into_iter().map(|mut o| {
            o.source = source;
            o
        }));
        inputs.files.push(file);
    }
    inputs
}

/// Replaces the objects of the files that kustomizations consume with what the
/// kustomizations build; without a binary (or when a build fails) reads those files as
/// written, with the kustomizations' namespaces applied and their patches left out.
fn kustomize_trees(inputs: &mut Inputs, files: &[PathBuf], options: &InputOptions) {
    let (forest, errors) = kustomize::Forest::read(files);
    inputs.errors.extend(errors.into_iter().map(|e| InputError {
        file: e.file.display().to_string(),
        line: e.line,
        message: e.message,
    }));
    let builds = build_all(&forest, options);
    let index = canonical_index(&inputs.files);
    let mut replaced: HashSet<usize> = HashSet::new();
    let mut read: HashSet<usize> = HashSet::new();
    let mut consumed: HashSet<usize> = HashSet::new();
    let mut built_objects = Vec::new();
    for TopBuild {
        top,
        k,
        uses,
        remote,
        built,
        part_of,
        parts_built,
        ..
    } in builds
    {
        let dir = k.display_dir();
        // In input order, so reports do not depend on hashing.
        let mut sources: Vec<(usize, &kustomize::Use)> = uses
            .iter()
            .filter_map(|(path, u)| Some((*index.get(path)?, u)))
            .collect();
        sources.sort_by_key(|(i, _)| *i);
        consumed.extend(sources.iter().map(|(i, _)| *i));
        list_inputs(inputs, &sources, &dir);
        let failed = match built {
            Some(Ok(objects)) => {
                replaced.extend(sources.iter().map(|(i, _)| *i));
                let home = std::fs::canonicalize(&k.file)
                    .ok()
                    .and_then(|f| index.get(&f).copied());
                built_objects.extend(objects.into_iter().map(|o| (o, home, dir.clone())));
                continue;
            }
            Some(Err(message)) => Some(message),
            None => None,
        };
        // A part that could not be built for its remote resources either is told of by
        // the kustomization it is part of.
        // What it needs that .gitignore keeps out, if that may be why a local build failed.
        let ignored = match &failed {
            Some(_) if !remote => forest.ignored_missing(top),
            _ => Vec::new(),
        };
        if !(part_of.is_some() && remote && failed.is_some()) {
            tell_unbuilt(inputs, k, failed, (remote, parts_built), &ignored, options);
        }
        // A file two kustomizations consume is read once, as the first has it.
        let sources: Vec<_> = sources
            .into_iter()
            .filter(|(i, _)| read.insert(*i))
            .collect();
        read_as_written(inputs, &sources);
    }
    drop_objects_of(inputs, &replaced);
    add_built(inputs, &index, built_objects);
    set_aside_unused_patches(inputs, &forest, &index, &consumed);
}

/// Sets aside the files of a kustomize tree that no kustomization consumes and whose
/// every object is a workload that cannot be applied as it is (no selector, no image):
/// patches left for later, as kubebuilder's scaffolds leave theirs commented out. Judged
/// as objects, they would be Deployments without a service account or policy.
fn set_aside_unused_patches(
    inputs: &mut Inputs,
    forest: &kustomize::Forest,
    index: &HashMap<PathBuf, usize>,
    consumed: &HashSet<usize>,
) {
    let mut trees: Vec<(usize, String)> = index
        .iter()
        .filter(|(_, source)| !consumed.contains(source))
        .filter_map(|(path, &source)| Some((source, forest.around(path)?.display_dir())))
        .collect();
    if trees.is_empty() {
        return;
    }
    trees.sort();
    let mut objects: HashMap<usize, Vec<&ManifestObject>> = trees
        .iter()
        .map(|(source, _)| (*source, Vec::new()))
        .collect();
    for object in &inputs.objects {
        if let Some(of_file) = objects.get_mut(&object.source) {
            of_file.push(object);
        }
    }
    let mut patches = HashSet::new();
    let mut skipped = Vec::new();
    for (source, dir) in trees {
        let of_file = &objects[&source];
        let lacks: Option<Vec<String>> = of_file
            .iter()
            .map(|o| manifest::incomplete_workload(o))
            .collect();
        let Some(lacks) = lacks.filter(|l| !l.is_empty()) else {
            continue;
        };
        patches.insert(source);
        skipped.push(SkippedFile {
            path: inputs.files[source].path.clone(),
            reason: SkipReason::UnusedPatch {
                dir,
                lacks: lacks.into_iter().next().expect("not empty"),
            },
        });
    }
    inputs.skipped.extend(skipped);
    drop_objects_of(inputs, &patches);
}

/// A kustomization built on its own (a top-level one, or a part of one that could not be
/// built), the files it consumes (canonical, with how), whether it reaches remote
/// resources, and what building it gave (nothing without a builder).
struct TopBuild<'f> {
    top: usize,
    k: &'f kustomize::Kustomization,
    uses: HashMap<PathBuf, kustomize::Use>,
    remote: bool,
    built: Option<Result<Vec<kustomize::BuiltObject>, String>>,
    /// The namespace it was built in: for a part of a kustomization that could not be
    /// built, the one that (or one above it) sets, which kustomize would have applied last.
    namespace: Option<String>,
    /// For such a part, the position of the build it is part of.
    part_of: Option<usize>,
    /// Whether, its build having failed, some of its parts were built on their own.
    parts_built: bool,
}

impl TopBuild<'_> {
    fn failed_remote(&self) -> bool {
        self.remote && matches!(self.built, Some(Err(_)))
    }
}

/// Builds the top-level kustomizations; then, of each that could not be built while it
/// reaches remote resources (offline, say), the kustomizations it names that no build
/// covered, on their own (and so on down): their namespaces, name prefixes and patches
/// are judged, with the outer namespace over them, rather than their bases as written.
fn build_all<'f>(forest: &'f kustomize::Forest, options: &InputOptions) -> Vec<TopBuild<'f>> {
    let builder = options
        .build_kustomizations
        .then(|| kustomize::Builder::find(options.load_restrictor))
        .flatten();
    // A build's files are known only while kustomize keeps it to its kustomizations'
    // directories: without that, its output cannot be kept.
    let cache = options
        .build_cache
        .as_deref()
        .filter(|_| options.load_restrictor == kustomize::LoadRestrictor::RootOnly);
    let builder = (builder.as_ref(), cache);
    let tops: Vec<(usize, Option<String>)> = forest.tops.iter().map(|&top| (top, None)).collect();
    let mut builds = build_tops(forest, &tops, builder);
    let mut tried: HashSet<usize> = forest.tops.iter().copied().collect();
    let mut from = 0;
    loop {
        let covered: HashSet<usize> = builds
            .iter()
            .filter(|b| matches!(b.built, Some(Ok(_))))
            .flat_map(|b| forest.reachable(b.top))
            .collect();
        // (part, its namespace, the position of the build it is part of)
        let mut parts = Vec::new();
        for (at, build) in builds.iter().enumerate().skip(from) {
            if !build.failed_remote() {
                continue;
            }
            // The outermost namespace wins, as kustomize applies it last.
            let outer = build
                .namespace
                .clone()
                .or_else(|| build.k.namespace().map(str::to_owned));
            for part in forest.buildable_parts(build.top) {
                if !covered.contains(&part) && tried.insert(part) {
                    parts.push(((part, outer.clone()), at));
                }
            }
        }
        if parts.is_empty() {
            break;
        }
        from = builds.len();
        let tops: Vec<(usize, Option<String>)> = parts.iter().map(|(top, _)| top.clone()).collect();
        let built = build_tops(forest, &tops, builder);
        for (mut build, (_, at)) in built.into_iter().zip(parts) {
            build.part_of = Some(at);
            builds.push(build);
        }
    }
    // A kustomization some of whose parts, or theirs, were built says so.
    for at in 0..builds.len() {
        if matches!(builds[at].built, Some(Ok(_))) {
            let mut above = builds[at].part_of;
            while let Some(parent) = above {
                builds[parent].parts_built = true;
                above = builds[parent].part_of;
            }
        }
    }
    builds
}

/// Builds the kustomizations `tops` on their own (each in the namespace given with it, if
/// any), in parallel, with the `builder` the options allow and `PATH` gives, if any; a
/// build kept in its cache from an earlier run over the same files is not run again.
fn build_tops<'f>(
    forest: &'f kustomize::Forest,
    tops: &[(usize, Option<String>)],
    (builder, cache): (
        Option<&kustomize::Builder>,
        Option<&kustomize::cache::BuildCache>,
    ),
) -> Vec<TopBuild<'f>> {
    let entries = match (builder, cache) {
        (Some(builder), Some(cache)) => cache.entries(forest, tops, builder),
        _ => Vec::new(),
    };
    tops.par_iter()
        .enumerate()
        .map(|(i, (top, namespace))| {
            let k = &forest.kustomizations[*top];
            let (uses, remote) = forest.consumed(*top);
            let build = |b: &kustomize::Builder| b.build(k, namespace.as_deref());
            // kustomize builds a component only as part of a kustomization.
            let builder = builder.filter(|_| !k.is_component());
            let built = builder.map(|b| match entries.get(i).and_then(Option::as_ref) {
                Some(entry) => entry.build(|| build(b)),
                None => build(b),
            });
            TopBuild {
                top: *top,
                k,
                uses,
                remote,
                built,
                namespace: namespace.clone(),
                part_of: None,
                parts_built: false,
            }
        })
        .collect()
}

/// Says why a kustomization's files were read as written: its build `failed` (an error,
/// or a notice when it uses remote resources, which may be what failed, saying whether
/// its parts were built on their own, or needs files that `.gitignore` keeps out of the
/// tree, which are what failed), or it was not built at all.
fn tell_unbuilt(
    inputs: &mut Inputs,
    k: &kustomize::Kustomization,
    failed: Option<String>,
    (remote, parts_built): (bool, bool),
    ignored: &[&Path],
    options: &InputOptions,
) {
    let dir = k.display_dir();
    match failed {
        // Only when what kustomize failed on is one of them.
        Some(message) if names_one_of(&message, ignored) => {
            // Named from the working directory, as the scan's paths are.
            let here = std::env::current_dir().and_then(std::fs::canonicalize);
            let named: Vec<String> = ignored
                .iter()
                .map(|p| match &here {
                    Ok(here) => p.strip_prefix(here).unwrap_or(p).display().to_string(),
                    Err(_) => p.display().to_string(),
                })
                .collect();
            inputs.notices.push(Notice {
                kind: NoticeKind::Kustomization,
                path: dir,
                message: format!(
                    "kustomization could not be built ({message}); it needs {}, which \
                     .gitignore keeps out of the tree (made by a build step, or kept \
                     local), so its own files were read as written",
                    named.join(", ")
                ),
            });
        }
        Some(message) if remote => inputs.notices.push(Notice {
            kind: NoticeKind::Kustomization,
            path: dir,
            message: format!(
                "kustomization could not be built ({message}); it uses remote \
                 resources, which were not judged, and {}",
                if parts_built {
                    "local kustomizations under it were built on their own, its other \
                     files read as written"
                } else {
                    "its own files were read as written"
                }
            ),
        }),
        Some(message) => inputs.errors.push(InputError {
            file: k.file.display().to_string(),
            line: None,
            message: format!(
                "kustomization could not be built: {message}; its files were read as written"
            ),
        }),
        None if k.is_component() => inputs.notices.push(Notice {
            kind: NoticeKind::Kustomization,
            path: dir,
            message: "kustomize component that no kustomization in the scan uses, so not \
                      built (kustomize builds a component only through a kustomization's \
                      `components`): its files were read as written, its patches not judged \
                      as objects"
                .to_owned(),
        }),
        None => inputs.notices.push(Notice {
            kind: NoticeKind::Kustomization,
            path: dir,
            message: format!(
                "kustomization not built ({}): its files were read as written, with its \
                 namespace applied and its patches not judged as objects",
                if options.build_kustomizations {
                    "neither kustomize nor kubectl is on PATH"
                } else {
                    "--no-kustomize"
                }
            ),
        }),
    }
}

/// Whether a build's failure `message` names one of `paths` (by its file name: kustomize
/// writes paths as it resolved them).
fn names_one_of(message: &str, paths: &[&Path]) -> bool {
    paths.iter().any(|path| {
        path.file_name()
            .is_some_and(|name| message.contains(&*name.to_string_lossy()))
    })
}

/// Each file's position in `files`, by its canonical path (how kustomize names them).
fn canonical_index(files: &[SourceFile]) -> HashMap<PathBuf, usize> {
    files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((std::fs::canonicalize(&f.path).ok()?, i)))
        .collect()
}

/// Lists the patches and configurations of a kustomization that hold objects: they are
/// applied to other objects, never judged as objects themselves.
fn list_inputs(inputs: &mut Inputs, sources: &[(usize, &kustomize::Use)], dir: &str) {
    for &(source, how) in sources {
        let path = &inputs.files[source].path;
        let holds_objects = inputs.objects.iter().any(|o| o.source == source);
        let listed = inputs.skipped.iter().any(|s| &s.path == path);
        if *how == kustomize::Use::Input && holds_objects && !listed {
            inputs.skipped.push(SkippedFile {
                path: path.clone(),
                reason: SkipReason::KustomizeInput(dir.to_owned()),
            });
        }
    }
}

/// A kustomize tree read as written: resources take the kustomization's namespace (unless
/// cluster-scoped), and files that hold no objects to apply (patches, configurations) are
/// not judged as objects.
fn read_as_written(inputs: &mut Inputs, sources: &[(usize, &kustomize::Use)]) {
    let mut inputs_only = HashSet::new();
    for &(source, how) in sources {
        match how {
            kustomize::Use::Resource {
                namespace: Some(namespace),
            } => {
                let file = &inputs.files[source].path;
                let mut refused = Vec::new();
                for (i, object) in inputs.objects.iter_mut().enumerate() {
                    if object.source != source || manifest::is_cluster_scoped(object.kind()) {
                        continue;
                    }
                    if let Err(too_large) = object.set_namespace(namespace) {
                        let line = Some(object.line());
                        inputs
                            .errors
                            .push(error_at(file, line, too_large.to_string()));
                        refused.push(i);
                    }
                }
                // Not judged in a namespace it is not in.
                inputs.files[source].objects -= refused.len();
                for i in refused.into_iter().rev() {
                    inputs.objects.remove(i);
                }
            }
            kustomize::Use::Resource { namespace: None } => {}
            kustomize::Use::Input => {
                inputs_only.insert(source);
            }
        }
    }
    drop_objects_of(inputs, &inputs_only);
}

/// Removes the objects of `sources` (and the errors about their documents: what a
/// kustomization consumes is judged through it).
fn drop_objects_of(inputs: &mut Inputs, sources: &HashSet<usize>) {
    if sources.is_empty() {
        return;
    }
    inputs.objects.retain(|o| !sources.contains(&o.source));
    let paths: HashSet<&str> = sources
        .iter()
        .map(|&i| inputs.files[i].path.as_str())
        .collect();
    inputs
        .errors
        .retain(|e| !(paths.contains(e.file.as_str()) && e.line.is_some()));
    for &i in sources {
        inputs.files[i].objects = 0;
    }
}

/// Adds the objects kustomize built, each attributed to the file it came from (else to
/// its kustomization), with the lines of the document it was built from.
fn add_built(
    inputs: &mut Inputs,
    index: &HashMap<PathBuf, usize>,
    built: Vec<(kustomize::BuiltObject, Option<usize>, String)>,
) {
    let mut documents: HashMap<usize, Vec<yaml::Document>> = HashMap::new();
    for (object, home, via) in built {
        let source = object
            .origin
            .as_ref()
            .and_then(|origin| index.get(origin).copied())
            .or(home);
        let Some(source) = source else { continue };
        let originals = documents.entry(source).or_insert_with(|| {
            let file = &inputs.files[source];
            text_of(&file.bytes)
                .map(|text| yaml::parse(text).0)
                .unwrap_or_default()
        });
        let original = manifest::original_of(&object.value, originals);
        let line = original.map(|document| document.line);
        let built = match original {
            Some(document) => {
                ManifestObject::built(source, document.index, object.value, &document.lines, via)
            }
            None => {
                let mut tree = yaml::LineTree::default();
                tree.line = 1;
                ManifestObject::built(source, 0, object.value, &tree, via)
            }
        };
        match built {
            Ok(built) => {
                inputs.files[source].objects += 1;
                inputs.objects.push(built);
            }
            Err(too_large) => {
                let file = &inputs.files[source].path;
                inputs
                    .errors
                    .push(error_at(file, line, too_large.to_string()));
            }
        }
    }
}

/// What the named paths are: each file once, in a stable order.
struct Expanded {
    /// Files to read, with the chart each belongs to (an index in `charts`).
    origins: Vec<(Origin, Option<usize>)>,
    charts: Vec<PathBuf>,
    kustomizations: Vec<PathBuf>,
    skipped: Vec<SkippedFile>,
    errors: Vec<InputError>,
}

/// The files named or found under the named directories, each once, in a stable order.
fn expand(paths: &[PathBuf], excludes: &Excludes) -> Expanded {
    let mut seen = HashSet::new();
    let mut found = walk::Walk::default();
    let mut origins = Vec::new();
    let mut stdin = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if !std::mem::replace(&mut stdin, true) {
                origins.push((Origin::Stdin, None));
            }
        } else if path.is_dir() {
            let before = found.files.len();
            walk::walk(path, excludes, &mut seen, &mut found);
            origins.extend(
                found.files[before..]
                    .iter()
                    .map(|f| (Origin::Walked(f.path.clone()), f.chart)),
            );
        } else if seen.insert(path.clone()) {
            // Named files are read whatever their extension (pre-commit passes names).
            origins.push((Origin::Path(path.clone()), None));
        }
    }
    Expanded {
        origins,
        charts: found.charts,
        kustomizations: found.kustomizations,
        skipped: found.skipped,
        errors: found.errors,
    }
}

/// What reading one file gave.
#[derive(Default)]
struct ReadResult {
    file: Option<SourceFile>,
    objects: Vec<ManifestObject>,
    errors: Vec<InputError>,
    skipped: Option<SkippedFile>,
    notice: Option<Notice>,
}

fn read_and_parse(origin: &Origin, role: Role, options: &InputOptions) -> ReadResult {
    let name = origin.name();
    match read_limited(origin, options.max_file_size) {
        Ok(bytes) => ingest(name, bytes, role, None),
        Err(ReadError::Oversized(size)) if role == Role::File => {
            skipped(name, SkipReason::Oversized(size))
        }
        Err(error) => ReadResult {
            errors: vec![InputError {
                file: name,
                line: None,
                message: error.message(options.max_file_size),
            }],
            ..ReadResult::default()
        },
    }
}

/// Turns a file's bytes into the file and its objects, by its role.
fn ingest(
    name: String,
    bytes: Vec<u8>,
    role: Role,
    first_seen: Option<git::FirstSeen>,
) -> ReadResult {
    let strict = matches!(role, Role::Manifest | Role::Walked);
    if !strict && is_binary(&bytes) {
        return skipped(name, SkipReason::Binary);
    }
    let file = SourceFile {
        sha256: crate::vocab::hex(&Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        path: name.clone(),
        objects: 0,
        first_seen,
        bytes,
        asserted: false,
    };
    let mut result = ReadResult::default();
    // Repository YAML without both words cannot hold a Kubernetes object: not parsed.
    let may_hold_objects = |bytes: &[u8]| {
        let has = |word: &[u8]| memchr::memmem::find(bytes, word).is_some();
        has(b"apiVersion") && has(b"kind")
    };
    if role == Role::File || (!strict && !may_hold_objects(&file.bytes)) {
        result.file = Some(file);
        return result;
    }
    let text = match text_of(&file.bytes) {
        Ok(text) => text,
        Err(message) => {
            if strict {
                result.errors.push(error_at(&name, None, message));
            }
            result.file = Some(file);
            return result;
        }
    };
    let parsed = Parsed::of(text);
    match role {
        Role::Manifest => parsed.read_strictly(&name, &mut result),
        Role::Walked => parsed.read_walked(&name, &mut result),
        Role::RepositoryYaml | Role::HistoryYaml => {
            parsed.read_in_repository(&name, role == Role::HistoryYaml, &mut result)
        }
        Role::File => unreachable!("returned above"),
    }
    result.file = Some(file);
    result
}

fn error_at(file: &str, line: Option<u32>, message: String) -> InputError {
    InputError {
        file: file.to_owned(),
        line,
        message,
    }
}

/// A YAML file's documents, read as objects.
struct Parsed {
    objects: Vec<ManifestObject>,
    /// Documents that are not objects.
    problems: Vec<manifest::NotAnObject>,
    /// The syntax error that ended the file (on its last line at most).
    syntax: Option<yaml::YamlError>,
    /// It is a template ([`is_template`]).
    template: bool,
    /// It declares a `kind: Secret` on a line of its own.
    declares_secret: bool,
    /// It names `apiVersion` or `kind` somewhere: text that names neither holds no
    /// Kubernetes object, not even a broken one, unless it spells them with escapes.
    names_api_version_or_kind: bool,
}

/// Whether `text` (which `breaks` YAML or not) is a Go template such as a Helm chart's,
/// rather than YAML that holds `{{` in its strings. It is one when it holds `{{` and
/// breaks YAML, or when a `{{` starts a line's content (an action: `{{- if .Values.on }}`)
/// or a value (`image: {{ .Values.image }}`, `- {{ .x }}`) outside comments and block
/// scalars. A `{{` inside a quoted or block string or within a value (a CRD's description,
/// Alertmanager's `html: '{{ template "email" . }}'`, Argo's `{{args.x}}`, values a
/// HelmRelease hands a chart) is text a program reads at run time, and the objects around
/// it are judged. A Jinja or Liquid tag (`{% raw %}`, `{% if x %}`) that starts a line
/// of YAML that does not parse makes it a template too.
fn is_template(text: &str, breaks: bool) -> bool {
    let bytes = text.as_bytes();
    let braces = memchr::memmem::find(bytes, b"{{").is_some();
    if breaks {
        let tag_line = || {
            memchr::memmem::find(bytes, b"{%").is_some()
                && text.lines().any(|l| l.trim_start().starts_with("{%"))
        };
        return braces || tag_line();
    }
    if !braces {
        return false;
    }
    // The indentation of the line that opened the block scalar being read.
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        if let Some(open) = block {
            if content.trim().is_empty() || indent > open {
                continue;
            }
            block = None;
        }
        if content.starts_with('#') {
            continue;
        }
        let value = value_of(content);
        if content.starts_with("{{") || value.starts_with("{{") {
            return true;
        }
        let indicator = value.split(" #").next().unwrap_or(value).trim_end();
        let opens_block = indicator.strip_prefix(['|', '>']).is_some_and(|rest| {
            rest.bytes()
                .all(|b| matches!(b, b'-' | b'+') || b.is_ascii_digit())
        });
        if opens_block {
            block = Some(indent);
        }
    }
    false
}

/// The value a line's content starts: after its sequence dashes and its mapping key
/// (`- name: {{ x }}` gives `{{ x }}`), the content itself when it has neither.
fn value_of(content: &str) -> &str {
    let mut rest = content;
    while let Some(item) = rest
        .strip_prefix('-')
        .filter(|r| r.is_empty() || r.starts_with(' '))
    {
        rest = item.trim_start();
    }
    if rest.starts_with(['"', '\'', '{', '[']) {
        return rest;
    }
    match rest.find(": ") {
        Some(colon) => rest[colon + 2..].trim_start(),
        None => rest,
    }
}

/// Whether `text` declares a `kind: Secret` on a line of its own. Only the lines holding
/// `Secret` are looked at, found by `memchr`'s vector search, each once however many
/// times it holds the word (a minified list of Secrets is one long line).
fn declares_secret(text: &str) -> bool {
    let bytes = text.as_bytes();
    let word = memchr::memmem::Finder::new(b"Secret");
    let mut from = 0;
    while let Some(found) = word.find(&bytes[from..]) {
        let at = from + found;
        let start = memchr::memrchr(b'\n', &bytes[from..at]).map_or(from, |i| from + i + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        let declares = text[start..end]
            .trim()
            .strip_prefix("kind:")
            .is_some_and(|kind| kind.trim().trim_matches(['"', '\'']) == "Secret");
        if declares {
            return true;
        }
        from = end;
    }
    false
}

impl Parsed {
    fn of(text: &str) -> Self {
        let (documents, syntax) = yaml::parse_flat(text);
        let mut objects = Vec::new();
        let mut problems = Vec::new();
        for document in documents {
            let (found, not_objects) = manifest::parsed_objects(0, document);
            objects.extend(found);
            problems.extend(not_objects);
        }
        // Errors found at the end of the input are reported on its last line.
        let syntax = syntax.map(|e| yaml::YamlError {
            line: e.line.min(text.lines().count().max(1) as u32),
            message: format!("invalid YAML: {}", e.message),
        });
        Self {
            template: is_template(text, syntax.is_some()),
            objects,
            problems,
            syntax,
            declares_secret: declares_secret(text),
            names_api_version_or_kind: [&b"apiVersion"[..], b"kind"]
                .iter()
                .any(|word| memchr::memmem::find(text.as_bytes(), word).is_some()),
        }
    }

    /// A named file: every problem is an error.
    fn read_strictly(self, name: &str, result: &mut ReadResult) {
        result.objects = self.objects;
        result.errors.extend(
            self.problems
                .into_iter()
                .map(|p| error_at(name, Some(p.line), p.message)),
        );
        result
            .errors
            .extend(self.syntax.map(|e| error_at(name, Some(e.line), e.message)));
    }

    /// A file of a directory walk: templates and YAML without objects are skipped with the
    /// reason, and so is text that does not parse but names no `apiVersion` or `kind`
    /// (JSON with comments, a broken CI config); invalid YAML that could hold an object,
    /// broken objects and stray documents beside objects are errors.
    fn read_walked(self, name: &str, result: &mut ReadResult) {
        let holds_no_object = self.objects.is_empty() && self.problems.iter().all(|p| !p.broken);
        let reason = if self.template {
            Some(SkipReason::Template)
        } else if !holds_no_object {
            None
        } else {
            match &self.syntax {
                None => {
                    (self.problems.first()).map(|p| SkipReason::NotKubernetes(p.message.clone()))
                }
                Some(syntax) if !self.names_api_version_or_kind => {
                    Some(SkipReason::NotKubernetes(format!(
                        "names no apiVersion or kind, and does not parse ({} on line {})",
                        syntax.message, syntax.line
                    )))
                }
                Some(_) => None,
            }
        };
        match reason {
            Some(reason) => {
                result.skipped = Some(SkippedFile {
                    path: name.to_owned(),
                    reason,
                })
            }
            None => self.read_strictly(name, result),
        }
    }

    /// A file of a repository: objects when it holds some; a template or YAML without
    /// objects is just a file. Outside history, a file that does not parse but declares a
    /// Secret is an error, and a broken part beside objects is one; an object refused for
    /// its size is one everywhere but in a template.
    fn read_in_repository(self, name: &str, history: bool, result: &mut ReadResult) {
        if self.template && self.declares_secret && !history {
            result.notice = Some(Notice {
                kind: NoticeKind::Template,
                path: name.to_owned(),
                message: "a template that declares a `kind: Secret`: read as a file, its \
                          Secret was not judged by the manifest rules"
                    .into(),
            });
        }
        // An object refused for its size is an error wherever its file is judged.
        let refused = self.problems.iter().filter(|p| p.refused);
        let refused = refused.map(|p| error_at(name, Some(p.line), p.message.clone()));
        if self.template || history {
            if !self.template {
                result.objects = self.objects;
                result.errors.extend(refused);
            }
            return;
        }
        match self.syntax {
            Some(syntax) if self.declares_secret => {
                // The objects before the break are still judged.
                result.objects = self.objects;
                result.errors.extend(refused);
                result.errors.push(error_at(
                    name,
                    Some(syntax.line),
                    format!(
                        "{} (it declares a `kind: Secret`, which cannot be judged unless it \
                         parses)",
                        syntax.message
                    ),
                ));
            }
            _ if self.objects.is_empty() => result.errors.extend(refused),
            _ => self.read_strictly(name, result),
        }
    }
}

/// Git's test for binary content: a NUL byte among the first 8,000.
fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0)
}

/// Why a file could not be read.
enum ReadError {
    Oversized(u64),
    Io(std::io::Error),
}

impl ReadError {
    fn message(&self, limit: u64) -> String {
        match self {
            Self::Oversized(size) => {
                format!("file is {size} bytes, over the {limit}-byte limit; not read")
            }
            Self::Io(e) => format!("cannot read: {e}"),
        }
    }
}

/// Reads a whole file or standard input, refusing more than `limit` bytes.
fn read_limited(origin: &Origin, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    let read = match origin {
        Origin::Stdin => std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes),
        Origin::Path(path) | Origin::Walked(path) => {
            let file = std::fs::File::open(path).map_err(ReadError::Io)?;
            let size = file.metadata().map_err(ReadError::Io)?.len();
            if size > limit {
                return Err(ReadError::Oversized(size));
            }
            file.take(limit + 1).read_to_end(&mut bytes)
        }
    };
    read.map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::Oversized(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The file as text, or why it is not YAML/JSON text: binary (a NUL byte) or not UTF-8.
fn text_of(bytes: &[u8]) -> Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err("binary file (contains NUL bytes); not a manifest".into());
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        format!("not UTF-8 text (invalid byte on line {line})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_told_from_yaml_that_holds_braces() {
        let template = |text: &str| is_template(text, false);
        for text in [
            "{{- if .Values.enabled }}\napiVersion: v1\n{{- end }}\n",
            "metadata:\n  name: {{ include \"x.fullname\" . }}\n",
            "args:\n- {{ .Values.flag }}\n",
            "spec:\n  - - {{ .x }}\n",
            // A block scalar ends where the indentation falls back.
            "a: |\n  {{ kept }}\nb: {{ .Values.b }}\n",
        ] {
            assert!(template(text), "{text}");
        }
        for text in [
            "kind: Secret\nstringData:\n  am.yaml: |\n    html: '{{ template \"e\" . }}'\n    {{ define \"x\" }}\n",
            "description: 'Uses {{args.lookback}} to look back'\n",
            "description: Time to look back, {{args.lookback}}\n",
            // Templates other programs fill in at run time: Argo CD ApplicationSets',
            // Kyverno's, Alertmanager's.
            "name: '{{ .values.env }}-app'\n",
            "message: \"{{ request.object.metadata.name }}\"\n",
            // Values a HelmRelease hands a chart, which renders them with `tpl`.
            "value: \"{{ .Release.Name }}.example.com\"\n",
            // A tag inside a string that goes on over lines.
            "banner: \"Welcome.\n  {% if down %}Down{% endif %}\"\n",
            "text: '{{ template \"slack.title\" . }}'\n",
            "# {{ a comment }}\nkind: ConfigMap\n",
            "a: >-\n  {{ folded }}\n\n  {{ after a blank line }}\n",
            "no braces at all\n",
        ] {
            assert!(!template(text), "{text}");
        }
        // Text that breaks YAML with `{{` in it is taken for a template, as before, and
        // so is text that breaks with a line that starts with a Jinja tag (mkdocs snippets,
        // Ansible); a `{%` elsewhere excuses no broken YAML.
        assert!(is_template("a: b: {{ c }}", true));
        assert!(!is_template("a: b: c", true));
        assert!(is_template(
            "{% raw %}\nkind: ConfigMap\n{% endraw %}\n",
            true
        ));
        assert!(is_template("data:\n  {% if x %}a: b{% endif %}\n", true));
        assert!(!is_template(
            "note: \"uses {%s} formatting\"\n  bad: indent\n",
            true
        ));
    }

    #[test]
    fn binary_and_non_utf8_are_named() {
        assert!(text_of(b"a\0b").unwrap_err().contains("binary"));
        assert_eq!(
            text_of(b"a: 1\nb: \xff\n").unwrap_err(),
            "not UTF-8 text (invalid byte on line 2)"
        );
        assert_eq!(text_of(b"\xEF\xBB\xBFa: 1").unwrap(), "a: 1");
    }

    #[test]
    fn a_secret_is_declared_only_by_a_kind_line_of_its_own() {
        let declares = |text: &str| declares_secret(text);
        assert!(declares("kind: Secret"));
        assert!(declares(
            "apiVersion: v1\r\n  kind: \"Secret\"\r\ndata: {}\n"
        ));
        assert!(declares("a: 1\nkind: 'Secret'  "));
        // `Secret` elsewhere on the line, or in another field, is no declaration.
        assert!(!declares(
            "kind: SecretProviderClass\nmetadata:\n  name: Secret\n"
        ));
        assert!(!declares(
            "secretKind: Secret\n# kind: Secret is what follows\n"
        ));
        assert!(!declares("kind: ExternalSecret\nkind: Secrets"));
        assert!(!declares(""));
        // A line is looked at once, however many times it holds the word; the next line
        // still is.
        let minified = r#"{"kind":"Secret","a":1},"#.repeat(20_000);
        assert!(!declares(&minified));
        assert!(declares(&format!("{minified}\nkind: Secret\n")));
        assert!(declares(&format!("{minified}\n kind: Secret")));
    }
}
