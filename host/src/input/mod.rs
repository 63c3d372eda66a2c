//! Inputs: which files to read (paths, directories walked, standard input, or a Git
//! repository's tracked, staged or historical content through [`git`]), reading them within
//! limits, and turning YAML/JSON documents into [`ManifestObject`]s with lines.
//!
//! Bad input never stops the run. Manifests named or found under a named directory are
//! strict: an unreadable path, a binary or oversized file, invalid YAML or a document that
//! is not a Kubernetes object becomes an [`InputError`] naming the file and line. Other
//! files (any file of a repository, a named file that is not YAML or JSON) are scanned by
//! the file rules, and lend their Kubernetes objects, if any, to the manifest rules;
//! binary and oversized ones are skipped and counted ([`SkippedFile`]).

pub mod git;
pub mod manifest;
pub mod yaml;

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

pub use manifest::ManifestObject;

/// How standard input is named in reports.
pub const STDIN_NAME: &str = "<stdin>";

/// File name extensions read when walking directories.
const MANIFEST_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Limits on what is read.
#[derive(Clone, Copy, Debug)]
pub struct InputOptions {
    /// Files larger than this are reported, not read.
    pub max_file_size: u64,
}

impl Default for InputOptions {
    fn default() -> Self {
        Self {
            max_file_size: 64 << 20,
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
}

/// What a scan reads.
#[derive(Clone, Debug)]
pub enum Target {
    /// Files and directories named on the command line (`-` is standard input).
    Paths(Vec<PathBuf>),
    /// Content of the Git repository that holds `repo`.
    Repository { repo: PathBuf, source: git::Source },
}

/// A file that was not scanned, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: String,
    pub reason: SkipReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Holds NUL bytes in its first 8,000 bytes (git's own test for binary content).
    Binary,
    /// Over the size limit; its size in bytes.
    Oversized(u64),
    /// Tracked by Git but deleted from the work tree.
    Missing,
}

/// How a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A manifest the user named (or standard input): every problem is an error.
    Manifest,
    /// A YAML or JSON file of a repository: its Kubernetes objects go to the manifest
    /// rules; when it holds none (a CI workflow) or is a template (`{{ }}`), it is just a
    /// file, and when it holds some next to a broken part, that part is an error.
    RepositoryYaml,
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
}

/// A file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Origin {
    Stdin,
    Path(PathBuf),
}

/// Reads what `target` names and parses what it finds, files in parallel.
pub fn collect(target: &Target, options: InputOptions) -> Inputs {
    match target {
        Target::Paths(paths) => collect_paths(paths, options),
        Target::Repository { repo, source } => collect_repository(repo, *source, options),
    }
}

/// Reads every path (`-` is standard input; directories are walked for `*.yaml`, `*.yml`,
/// `*.json`, honouring `.gitignore`).
fn collect_paths(paths: &[PathBuf], options: InputOptions) -> Inputs {
    let mut errors = Vec::new();
    let origins = expand(paths, &mut errors);
    let read: Vec<ReadResult> = origins
        .into_par_iter()
        .map(|origin| read_and_parse(&origin, options))
        .collect();
    assemble(read, errors)
}

/// Reads the repository's files; a path outside any repository is an error.
fn collect_repository(repo: &Path, source: git::Source, options: InputOptions) -> Inputs {
    let failed = |message: String| Inputs {
        errors: vec![InputError {
            file: repo.display().to_string(),
            line: None,
            message,
        }],
        ..Inputs::default()
    };
    let root = match git::root(repo) {
        Ok(root) => root,
        Err(message) => return failed(message),
    };
    let files = match git::files(&root, source, options.max_file_size) {
        Ok(files) => files,
        Err(message) => return failed(message),
    };
    let read: Vec<ReadResult> = files
        .into_par_iter()
        .map(|file| {
            let name = match &file.first_seen {
                Some(first) => format!(
                    "{}@{}",
                    file.path,
                    &first.commit[..12.min(first.commit.len())]
                ),
                None => file.path.clone(),
            };
            let role = if has_manifest_extension(Path::new(&file.path)) {
                Role::RepositoryYaml
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
        })
        .collect();
    assemble(read, Vec::new())
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
    for ReadResult {
        file,
        objects,
        errors: file_errors,
        skipped,
    } in read
    {
        inputs.errors.extend(file_errors);
        inputs.skipped.extend(skipped);
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

/// The files named or found under the named directories, each once, in a stable order.
fn expand(paths: &[PathBuf], errors: &mut Vec<InputError>) -> Vec<Origin> {
    let mut origins: Vec<Origin> = Vec::new();
    let mut add = |origin: Origin| {
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    };
    for path in paths {
        if path.as_os_str() == "-" {
            add(Origin::Stdin);
        } else if path.is_dir() {
            let walker = ignore::WalkBuilder::new(path)
                .sort_by_file_name(|a, b| a.cmp(b))
                .build();
            for entry in walker {
                match entry {
                    Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                        if has_manifest_extension(entry.path()) {
                            add(Origin::Path(entry.into_path()));
                        }
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(InputError {
                        file: path.display().to_string(),
                        line: None,
                        message: format!("cannot walk: {e}"),
                    }),
                }
            }
        } else {
            // Named files are read whatever their extension (pre-commit passes names).
            add(Origin::Path(path.clone()));
        }
    }
    origins
}

fn has_manifest_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        MANIFEST_EXTENSIONS
            .iter()
            .any(|m| e.eq_ignore_ascii_case(m))
    })
}

/// What reading one file gave.
#[derive(Default)]
struct ReadResult {
    file: Option<SourceFile>,
    objects: Vec<ManifestObject>,
    errors: Vec<InputError>,
    skipped: Option<SkippedFile>,
}

fn read_and_parse(origin: &Origin, options: InputOptions) -> ReadResult {
    let (name, role) = match origin {
        Origin::Stdin => (STDIN_NAME.to_owned(), Role::Manifest),
        Origin::Path(path) if has_manifest_extension(path) => {
            (path.display().to_string(), Role::Manifest)
        }
        Origin::Path(path) => (path.display().to_string(), Role::File),
    };
    match read_limited(origin, options.max_file_size) {
        Ok(bytes) => ingest(name, bytes, role, None),
        Err(ReadError::Oversized(size)) if role != Role::Manifest => {
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
    if role != Role::Manifest && is_binary(&bytes) {
        return skipped(name, SkipReason::Binary);
    }
    let error = |line: Option<u32>, message: String| InputError {
        file: name.clone(),
        line,
        message,
    };
    let file = SourceFile {
        sha256: crate::runtime::hex(&Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        path: name.clone(),
        objects: 0,
        first_seen,
        bytes,
    };
    let mut result = ReadResult::default();
    if role == Role::File {
        result.file = Some(file);
        return result;
    }
    // Repository YAML without both words cannot hold a Kubernetes object: not parsed.
    let may_hold_objects = |bytes: &[u8]| {
        let has = |word: &[u8]| memchr::memmem::find(bytes, word).is_some();
        has(b"apiVersion") && has(b"kind")
    };
    if role == Role::RepositoryYaml && !may_hold_objects(&file.bytes) {
        result.file = Some(file);
        return result;
    }
    let text = match text_of(&file.bytes) {
        Ok(text) => text,
        Err(message) => {
            if role == Role::Manifest {
                result.errors.push(error(None, message));
            }
            result.file = Some(file);
            return result;
        }
    };
    let (documents, syntax_error) = yaml::parse(text);
    for document in documents {
        let (found, problems) = manifest::objects(0, document);
        result.objects.extend(found);
        result
            .errors
            .extend(problems.into_iter().map(|p| error(Some(p.line), p.message)));
    }
    if let Some(e) = syntax_error {
        // Errors found at the end of the input are reported on its last line.
        let last_line = text.lines().count().max(1) as u32;
        let message = format!("invalid YAML: {}", e.message);
        result
            .errors
            .push(error(Some(e.line.min(last_line)), message));
    }
    // A repository file that yields no object, or is a template, is just a file; one that
    // holds objects and also a broken part is a manifest with an error.
    let template = memchr::memmem::find(text.as_bytes(), b"{{").is_some();
    if role == Role::RepositoryYaml && (result.objects.is_empty() || template) {
        result.objects.clear();
        result.errors.clear();
    }
    result.file = Some(file);
    result
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
        Origin::Path(path) => {
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
    fn binary_and_non_utf8_are_named() {
        assert!(text_of(b"a\0b").unwrap_err().contains("binary"));
        assert_eq!(
            text_of(b"a: 1\nb: \xff\n").unwrap_err(),
            "not UTF-8 text (invalid byte on line 2)"
        );
        assert_eq!(text_of(b"\xEF\xBB\xBFa: 1").unwrap(), "a: 1");
    }
}
