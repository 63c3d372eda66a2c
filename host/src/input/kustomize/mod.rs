//! Kustomize trees found in a directory walk.
//!
//! Each kustomization is read for what it consumes: resources (files, or directories that
//! are kustomizations themselves), and files that are not objects (patches, transformer and
//! generator configurations, generator data). Only top-level kustomizations, those no other
//! kustomization of the scan refers to, are built, with `kustomize build` or `kubectl
//! kustomize`, through a wrapper kustomization in a temporary directory that asks for
//! origin annotations, so the user's tree is never touched and every built object names
//! the file it came from. Without a binary the consumed files are read as written, with the
//! kustomization's `namespace:` applied and its patches not judged as objects. Builds are
//! kept between runs ([`cache`]).

pub mod cache;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::yaml;

/// The annotation kustomize writes for `buildMetadata: [originAnnotations]`.
const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";

/// How long one build may take (a remote resource that never answers must not hang the
/// gate).
const BUILD_TIME_LIMIT: Duration = Duration::from_secs(120);

/// The kustomizations of a scan, and which are built.
#[derive(Debug, Default)]
pub struct Forest {
    pub kustomizations: Vec<Kustomization>,
    /// Indices of the top-level kustomizations.
    pub tops: Vec<usize>,
    /// The index of the kustomization of each directory.
    by_dir: HashMap<PathBuf, usize>,
}

/// One kustomization file, as far as tollgate needs it.
#[derive(Debug)]
pub struct Kustomization {
    /// The file as walked (`deploy/overlays/prod/kustomization.yaml`).
    pub file: PathBuf,
    /// Its directory, canonical.
    dir: PathBuf,
    namespace: Option<String>,
    resources: Vec<Resource>,
    /// Files it reads that hold no objects to apply (canonical).
    inputs: Vec<PathBuf>,
    /// Its generators, transformers and validators named by path: files, kustomization
    /// directories or remote (inline ones left out).
    plugins: Vec<Resource>,
    /// Whether it is a component (`kind: Component`), which is built only as part of
    /// another.
    component: bool,
    /// Whether it names a URL anywhere (a patch, a replacement, an OpenAPI schema, or
    /// only an annotation): kustomize may fetch it, so its builds are not kept.
    fetches: bool,
    /// Whether it generates objects from data (`configMapGenerator`, `secretGenerator`,
    /// `generators`), which may come from files kept out of Git.
    generates: bool,
    /// Whether an entry of its resources, components, generators, transformers or
    /// validators is neither a local path nor a remote one this reader knows: what kustomize
    /// makes of it (a remote spelling, or a failed build) is not known here.
    unresolved: bool,
}

#[derive(Debug)]
enum Resource {
    /// A file of objects (canonical).
    File(PathBuf),
    /// A directory: another kustomization (canonical).
    Dir(PathBuf),
    /// A URL or remote Git repository.
    Remote,
}

/// How a top-level kustomization uses a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Use {
    /// Its objects are resources, in this namespace when the kustomizations set one.
    Resource { namespace: Option<String> },
    /// It holds no objects to apply: a patch, a configuration, generator data, or a
    /// kustomization.
    Input,
}

/// Why a kustomization file could not be read.
#[derive(Debug)]
pub struct KustomizationError {
    pub file: PathBuf,
    pub line: Option<u32>,
    pub message: String,
}

impl Forest {
    /// Reads every kustomization file; those that cannot be read are errors (and left out).
    pub fn read(files: &[PathBuf]) -> (Self, Vec<KustomizationError>) {
        let mut forest = Forest::default();
        let mut errors = Vec::new();
        for file in files {
            match Kustomization::read(file) {
                Ok(k) => forest.kustomizations.push(k),
                Err(e) => errors.push(e),
            }
        }
        let referenced: HashSet<&Path> = forest
            .kustomizations
            .iter()
            .flat_map(|k| k.resources.iter().chain(&k.plugins))
            .filter_map(|r| match r {
                Resource::Dir(dir) => Some(dir.as_path()),
                _ => None,
            })
            .collect();
        forest.tops = (0..forest.kustomizations.len())
            .filter(|&i| !referenced.contains(forest.kustomizations[i].dir.as_path()))
            .collect();
        forest.by_dir = forest
            .kustomizations
            .iter()
            .enumerate()
            .map(|(i, k)| (k.dir.clone(), i))
            .collect();
        (forest, errors)
    }

    /// The kustomization of the scan in directory `dir` (canonical), with its index.
    fn in_dir(&self, dir: &Path) -> Option<(usize, &Kustomization)> {
        let &i = self.by_dir.get(dir)?;
        Some((i, &self.kustomizations[i]))
    }

    /// The kustomization of the scan in the directory of `file` (canonical), or in the
    /// nearest directory above it that has one.
    pub fn around(&self, file: &Path) -> Option<&Kustomization> {
        let mut dirs = file.ancestors().skip(1);
        dirs.find_map(|dir| self.in_dir(dir)).map(|(_, k)| k)
    }

    /// The kustomizations of the scan that building `top` goes through, `top` with them.
    pub fn reachable(&self, top: usize) -> HashSet<usize> {
        let mut reached = HashSet::new();
        let mut pending = vec![top];
        while let Some(i) = pending.pop() {
            if reached.insert(i) {
                pending.extend(self.named_by(i).map(|(j, _)| j));
            }
        }
        reached
    }

    /// The kustomizations of the scan that kustomization `k` names as resources that can
    /// be built on their own: not components (nor generators, transformers or validators,
    /// which build configurations, not objects).
    pub fn buildable_parts(&self, k: usize) -> Vec<usize> {
        let resources = &self.kustomizations[k].resources;
        self.in_scan(resources)
            .filter(|&(_, part)| !part.component)
            .map(|(j, _)| j)
            .collect()
    }

    /// The kustomizations of the scan that kustomization `k` names.
    fn named_by(&self, k: usize) -> impl Iterator<Item = (usize, &Kustomization)> {
        let k = &self.kustomizations[k];
        self.in_scan(k.resources.iter().chain(&k.plugins))
    }

    /// The kustomizations of the scan among `named`.
    fn in_scan<'a>(
        &'a self,
        named: impl IntoIterator<Item = &'a Resource>,
    ) -> impl Iterator<Item = (usize, &'a Kustomization)> {
        named
            .into_iter()
            .filter_map(|resource| match resource {
                Resource::Dir(dir) => Some(dir),
                _ => None,
            })
            .filter_map(|dir| self.in_dir(dir))
    }

    /// Every file top-level kustomization `top` consumes (canonical path), with how, and
    /// whether it reaches remote resources. An outer kustomization's namespace wins, as
    /// kustomize applies it last.
    pub fn consumed(&self, top: usize) -> (HashMap<PathBuf, Use>, bool) {
        let mut uses = HashMap::new();
        let mut remote = false;
        let mut visited = HashSet::new();
        let mut pending = vec![(&self.kustomizations[top], None::<String>)];
        while let Some((k, outer)) = pending.pop() {
            if !visited.insert(k.dir.as_path()) {
                continue;
            }
            let namespace = outer.or_else(|| k.namespace.clone());
            // A URL elsewhere (an annotation, a patch) does not make a failure a notice.
            remote |= k.plugins.iter().any(|p| matches!(p, Resource::Remote));
            if let Ok(file) = std::fs::canonicalize(&k.file) {
                uses.insert(file, Use::Input);
            }
            for input in &k.inputs {
                uses.entry(input.clone()).or_insert(Use::Input);
            }
            for resource in &k.resources {
                match resource {
                    Resource::File(file) => {
                        uses.entry(file.clone()).or_insert(Use::Resource {
                            namespace: namespace.clone(),
                        });
                    }
                    // A directory without a kustomization cannot be a resource:
                    // kustomize's build says so.
                    Resource::Dir(dir) => {
                        if let Some((_, inner)) = self.in_dir(dir) {
                            pending.push((inner, namespace.clone()));
                        }
                    }
                    Resource::Remote => remote = true,
                }
            }
        }
        (uses, remote)
    }
}

impl Kustomization {
    /// Reads a kustomization file for what it consumes.
    fn read(file: &Path) -> Result<Self, KustomizationError> {
        let error = |line: Option<u32>, message: String| KustomizationError {
            file: file.to_owned(),
            line,
            message,
        };
        let text =
            std::fs::read_to_string(file).map_err(|e| error(None, format!("cannot read: {e}")))?;
        let (documents, syntax) = yaml::parse(&text);
        if let Some(e) = syntax {
            return Err(error(Some(e.line), format!("invalid YAML: {}", e.message)));
        }
        // kustomize reads the first document of a kustomization file.
        let value = documents
            .into_iter()
            .next()
            .map(|d| d.value)
            .unwrap_or(Value::Null);
        let dir = canonical_dir(file)
            .ok_or_else(|| error(None, "cannot resolve its directory".into()))?;
        let mut unresolved = false;
        let mut resolve = |entry: &str| {
            let resource = Resource::of(&dir, entry);
            unresolved |= resource.is_none();
            resource
        };
        let resources = ["resources", "bases", "components"]
            .iter()
            .flat_map(|key| strings(&value, key))
            .filter_map(&mut resolve)
            .collect();
        let plugins = ["generators", "transformers", "validators"]
            .iter()
            .flat_map(|key| strings(&value, key))
            // Inline configurations are YAML of several lines, not paths.
            .filter(|entry| !entry.contains('\n'))
            .filter_map(&mut resolve)
            .collect();
        let inputs = input_entries(&value)
            .into_iter()
            // `key=path` in generators' `files`.
            .map(|entry| entry.split_once('=').map_or(entry, |(_, path)| path))
            .filter_map(|entry| std::fs::canonicalize(dir.join(entry)).ok())
            .collect();
        Ok(Self {
            file: file.to_owned(),
            dir,
            namespace: field(&value, "namespace")
                .find_map(Value::as_str)
                .map(str::to_owned),
            resources,
            inputs,
            plugins,
            component: field(&value, "kind").any(|kind| kind == "Component"),
            fetches: names_url(&value),
            generates: ["configMapGenerator", "secretGenerator", "generators"]
                .iter()
                .any(|key| items(&value, key).next().is_some()),
            unresolved,
        })
    }

    /// The kustomization of directory `dir` (canonical), which the scan did not walk;
    /// `None` when it has none or it cannot be read.
    fn read_in(dir: &Path) -> Option<Self> {
        let file = super::walk::KUSTOMIZATION_FILES
            .iter()
            .map(|name| dir.join(name))
            .find(|file| file.is_file())?;
        Self::read(&file).ok()
    }

    /// Whether it is a component (`kind: Component`).
    pub fn is_component(&self) -> bool {
        self.component
    }

    /// The namespace it sets (`namespace:`).
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The kustomization's directory as the walk named it, for messages.
    pub fn display_dir(&self) -> String {
        match self.file.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.display().to_string(),
            _ => ".".into(),
        }
    }
}

/// The directory of a kustomization file, canonical (`.` when the path has none).
fn canonical_dir(file: &Path) -> Option<PathBuf> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::canonicalize(dir).ok()
}

/// The values of field `name` of `value`, matched as kustomize matches field names (Go's
/// JSON decoding): ignoring case, with `ſ` as `s` and the Kelvin sign as `k`; every match,
/// as a file may spell a field twice.
fn field<'v>(value: &'v Value, name: &'static str) -> impl Iterator<Item = &'v Value> {
    let fold = |key: &str| key.to_uppercase().to_lowercase();
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter(move |(key, _)| fold(key) == fold(name))
        .map(|(_, value)| value)
}

/// Whether a string anywhere in `value` is a URL or a Git remote.
fn names_url(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains("://") || text.contains("git@"),
        Value::Array(items) => items.iter().any(names_url),
        Value::Object(fields) => fields.values().any(names_url),
        _ => false,
    }
}

/// The strings of the lists at `key` (non-strings left out; nothing when it is no list).
fn strings<'v>(value: &'v Value, key: &'static str) -> Vec<&'v str> {
    items(value, key).filter_map(Value::as_str).collect()
}

/// The items of the lists at `key`.
fn items<'v>(value: &'v Value, key: &'static str) -> impl Iterator<Item = &'v Value> {
    field(value, key).filter_map(Value::as_array).flatten()
}

/// Every file entry a kustomization reads that holds no objects to apply, as written:
/// patches, transformer, generator, validator and configuration files, CRDs, and the
/// data files of its ConfigMap and Secret generators.
fn input_entries(value: &Value) -> Vec<&str> {
    let lists = [
        "patchesStrategicMerge",
        "transformers",
        "generators",
        "validators",
        "configurations",
        "crds",
    ]
    .into_iter()
    .flat_map(|key| strings(value, key));
    let patches = ["patches", "patchesJson6902", "replacements"]
        .into_iter()
        .flat_map(|key| items(value, key))
        .filter_map(|item| field(item, "path").find_map(Value::as_str));
    let generated = ["configMapGenerator", "secretGenerator"]
        .into_iter()
        .flat_map(|key| items(value, key))
        .flat_map(generator_files);
    lists.chain(patches).chain(generated).collect()
}

/// The files a ConfigMap or Secret generator reads (`files`, `envs`, `env`).
fn generator_files(generator: &Value) -> Vec<&str> {
    let mut files: Vec<&str> = ["files", "envs"]
        .into_iter()
        .flat_map(|field| strings(generator, field))
        .collect();
    files.extend(field(generator, "env").filter_map(Value::as_str));
    files
}

impl Resource {
    fn of(dir: &Path, entry: &str) -> Option<Self> {
        // kustomize reads `host:path` (`github.com:org/repo`, `git@host:...`) and scheme
        // URLs as remote, even where a local path of that name exists.
        let lower = entry.to_ascii_lowercase();
        let remote = lower.contains(':')
            || ["github.com/", "gitlab.com/", "bitbucket.org/"]
                .iter()
                .any(|prefix| lower.starts_with(prefix));
        if remote {
            return Some(Self::Remote);
        }
        let path = std::fs::canonicalize(dir.join(entry)).ok()?;
        Some(if path.is_dir() {
            Self::Dir(path)
        } else {
            Self::File(path)
        })
    }
}

/// Which files a build may read: kustomize's `--load-restrictor`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Only files in or below the directory of the kustomization that names them:
    /// kustomize's default.
    #[default]
    RootOnly,
    /// Any file (`LoadRestrictionsNone`), as trees that share a file between
    /// kustomizations (`resources: [../namespace.yaml]`) need.
    None,
}

/// A program that builds kustomizations.
#[derive(Clone, Debug)]
pub struct Builder {
    program: PathBuf,
    subcommand: &'static str,
    load_restrictor: LoadRestrictor,
}

impl Builder {
    /// `kustomize` on `PATH`, else `kubectl` (whose `kustomize` subcommand embeds it),
    /// building with `load_restrictor`.
    pub fn find(load_restrictor: LoadRestrictor) -> Option<Self> {
        let path = std::env::var_os("PATH")?;
        let find = |name: &str| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        };
        find("kustomize")
            .map(|program| Self {
                program,
                subcommand: "build",
                load_restrictor,
            })
            .or_else(|| {
                find("kubectl").map(|program| Self {
                    program,
                    subcommand: "kustomize",
                    load_restrictor,
                })
            })
    }

    /// Builds `k` (in `namespace`, when given, as a kustomization above it would set it)
    /// and returns its objects with the file each came from (canonical; `None` when it
    /// came from a remote resource), or kustomize's message.
    pub fn build(
        &self,
        k: &Kustomization,
        namespace: Option<&str>,
    ) -> Result<Vec<BuiltObject>, String> {
        let wrapper =
            tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
        let wrapper_dir = std::fs::canonicalize(wrapper.path()).map_err(|e| e.to_string())?;
        let target = relative_to(&wrapper_dir, &k.dir);
        let mut wrapper_text = format!(
            "resources:\n- {}\nbuildMetadata: [originAnnotations]\n",
            serde_json::Value::String(target.display().to_string())
        );
        if let Some(namespace) = namespace {
            wrapper_text += &format!("namespace: {}\n", Value::String(namespace.to_owned()));
        }
        std::fs::write(wrapper_dir.join("kustomization.yaml"), wrapper_text)
            .map_err(|e| format!("cannot write the build's kustomization: {e}"))?;
        let mut command = Command::new(&self.program);
        command.arg(self.subcommand).arg(&wrapper_dir);
        if self.load_restrictor == LoadRestrictor::None {
            command.args(["--load-restrictor", "LoadRestrictionsNone"]);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let output = wait_at_most(child, BUILD_TIME_LIMIT)?;
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "{} {} failed: {}",
                self.program
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy(),
                self.subcommand,
                kustomize_message(&said, &wrapper_dir)
            ));
        }
        let text =
            String::from_utf8(output.stdout).map_err(|_| "its output is not UTF-8".to_owned())?;
        let (documents, syntax) = yaml::parse(&text);
        if let Some(e) = syntax {
            return Err(format!(
                "its output is not valid YAML (line {}): {}",
                e.line, e.message
            ));
        }
        Ok(documents
            .into_iter()
            .map(|d| BuiltObject::new(d.value, &wrapper_dir))
            .collect())
    }
}

/// One object of a kustomize build.
#[derive(Debug)]
pub struct BuiltObject {
    /// The object, without the origin annotation.
    pub value: Value,
    /// The file it was read or generated from (canonical), when local.
    pub origin: Option<PathBuf>,
    /// Whether a generator made it (a ConfigMap or Secret generator, say), from data
    /// that may be kept out of Git.
    pub generated: bool,
}

impl BuiltObject {
    /// Takes the origin annotation off `value` (and `annotations` with it when nothing
    /// else is left there) and resolves it against `wrapper_dir`.
    fn new(mut value: Value, wrapper_dir: &Path) -> Self {
        let mut origin = None;
        if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut)
            && let Some(annotations) = metadata
                .get_mut("annotations")
                .and_then(Value::as_object_mut)
        {
            origin = annotations.remove(ORIGIN_ANNOTATION);
            if annotations.is_empty() {
                metadata.remove("annotations");
            }
        }
        let origin = origin
            .as_ref()
            .and_then(Value::as_str)
            .map(|text| yaml::parse(text).0)
            .and_then(|documents| documents.into_iter().next())
            .map(|document| document.value);
        Self {
            generated: origin
                .as_ref()
                .is_some_and(|origin| origin.get("configuredIn").is_some()),
            origin: origin.and_then(|origin| origin_path(&origin, wrapper_dir)),
            value,
        }
    }
}

/// The local file an origin annotation names: `path` for a resource, `configuredIn` for a
/// generated object; `None` for a remote one (`repo`).
fn origin_path(origin: &Value, wrapper_dir: &Path) -> Option<PathBuf> {
    if origin.get("repo").is_some() {
        return None;
    }
    let path = origin
        .get("path")
        .or_else(|| origin.get("configuredIn"))
        .and_then(Value::as_str)?;
    std::fs::canonicalize(wrapper_dir.join(path)).ok()
}

/// The child's output, or an error once it has run longer than `limit` (it is killed).
fn wait_at_most(mut child: Child, limit: Duration) -> Result<Output, String> {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "it took longer than {} s and was stopped",
                    limit.as_secs()
                ));
            }
            // A build takes 0.1-2 s: looking every 2 ms costs nothing beside it, and
            // finds it done at most 2 ms late (20 ms was half a build of a small tree).
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(format!("waiting for it failed: {e}")),
        }
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// `to` as a path relative to `from` (both absolute and canonical).
fn relative_to(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for part in &to[common..] {
        relative.push(part);
    }
    relative
}

/// kustomize's error without kubectl's log prefix, naming paths as the wrapper saw them.
fn kustomize_message(said: &str, wrapper_dir: &Path) -> String {
    let message = match said.split_once("err=<") {
        // kubectl quotes a message of several lines as `err=<`, the lines indented, ` >`.
        Some((_, block)) => block
            .lines()
            .map(str::trim)
            .take_while(|line| *line != ">")
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        None => {
            let line = said
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim();
            match line.find("err=") {
                Some(at) => line[at + 4..].trim_matches('"'),
                None => line.trim_start_matches("Error: "),
            }
            .to_owned()
        }
    };
    let mut message = message.replace(&format!("{}/", wrapper_dir.display()), "");
    if message.contains("' is not in or below '") {
        message.push_str(
            " (kustomize's load restrictor; --kustomize-load-restrictor none builds it, \
             as kustomize build --load-restrictor LoadRestrictionsNone does)",
        );
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kustomization_reads_its_patches_configurations_and_generator_data() {
        let value = serde_json::json!({
            "resources": ["deploy.yaml"],
            "patchesStrategicMerge": ["replicas.yaml"],
            "crds": ["crd.yaml", 3],
            "patches": [{"path": "patch.yaml"}, {"patch": "inline"}],
            "replacements": [{"path": "replacement.yaml"}],
            "configMapGenerator": [
                {"files": ["app.properties", "key=value.txt"], "envs": ["a.env"]},
                {"env": "b.env"}
            ],
            "secretGenerator": [{"files": ["tls.crt"]}]
        });
        assert_eq!(
            input_entries(&value),
            [
                "replicas.yaml",
                "crd.yaml",
                "patch.yaml",
                "replacement.yaml",
                "app.properties",
                "key=value.txt",
                "a.env",
                "b.env",
                "tls.crt"
            ]
        );
        assert_eq!(
            input_entries(&serde_json::json!("not a map")),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn relative_paths_climb_to_the_common_ancestor() {
        assert_eq!(
            relative_to(Path::new("/tmp/x1"), Path::new("/work/repo/base")),
            PathBuf::from("../../work/repo/base")
        );
        assert_eq!(
            relative_to(Path::new("/work/a"), Path::new("/work/a/b")),
            PathBuf::from("b")
        );
    }

    #[test]
    fn a_build_that_runs_too_long_is_stopped() {
        let child = Command::new("sleep")
            .arg("30")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let error = wait_at_most(child, Duration::from_millis(200)).unwrap_err();
        assert_eq!(error, "it took longer than 0 s and was stopped");
        assert!(started.elapsed() < Duration::from_secs(10));
        let echo = Command::new("echo")
            .arg("built")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = wait_at_most(echo, Duration::from_secs(10)).unwrap();
        assert_eq!(output.stdout, b"built\n");
    }

    #[test]
    fn kubectl_log_prefixes_are_dropped() {
        let said = "E1202 06:41:58.436913   17735 run.go:72] \"command failed\" err=\"accumulating resources: missing.yaml: no such file\"\n";
        assert_eq!(
            kustomize_message(said, Path::new("/tmp/w")),
            "accumulating resources: missing.yaml: no such file"
        );
        assert_eq!(
            kustomize_message(
                "Error: must build at directory: /tmp/w/x\n",
                Path::new("/tmp/w")
            ),
            "must build at directory: x"
        );
        let several_lines = "E1203 20:54:44.350673   23838 run.go:72] \"command failed\" err=<\n\
            \ttrouble configuring builtin PatchTransformer with config: `\n\
            \tpath: ../shared/ns.yaml\n\
            \t`: failed to get the patch file from path(../shared/ns.yaml): security; file '/tmp/w/ns.yaml' is not in or below '/tmp/k'\n\
             >\n";
        assert_eq!(
            kustomize_message(several_lines, Path::new("/tmp/w")),
            "trouble configuring builtin PatchTransformer with config: ` path: ../shared/ns.yaml \
             `: failed to get the patch file from path(../shared/ns.yaml): security; file \
             'ns.yaml' is not in or below '/tmp/k' (kustomize's load restrictor; \
             --kustomize-load-restrictor none builds it, as kustomize build --load-restrictor \
             LoadRestrictionsNone does)"
        );
    }
}
