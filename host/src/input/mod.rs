//! Inputs: which files to read (paths, directories walked, standard input), reading them
//! within limits, and turning YAML/JSON documents into [`ManifestObject`]s with lines.
//!
//! Bad input never stops the run: an unreadable path, a binary or oversized file, invalid
//! YAML or a document that is not a Kubernetes object becomes an [`InputError`] naming the
//! file and line, and every other file is still read.

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
}

/// A file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Origin {
    Stdin,
    Path(PathBuf),
}

/// Reads every path (`-` is standard input; directories are walked for `*.yaml`, `*.yml`,
/// `*.json`, honouring `.gitignore`) and parses what it finds, files in parallel.
pub fn collect(paths: &[PathBuf], options: InputOptions) -> Inputs {
    let mut errors = Vec::new();
    let origins = expand(paths, &mut errors);
    let read: Vec<_> = origins
        .into_par_iter()
        .map(|origin| read_and_parse(&origin, options))
        .collect();

    let mut inputs = Inputs {
        errors,
        ..Inputs::default()
    };
    for (file, objects, file_errors) in read {
        inputs.errors.extend(file_errors);
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

type ReadResult = (Option<SourceFile>, Vec<ManifestObject>, Vec<InputError>);

fn read_and_parse(origin: &Origin, options: InputOptions) -> ReadResult {
    let name = match origin {
        Origin::Stdin => STDIN_NAME.to_owned(),
        Origin::Path(path) => path.display().to_string(),
    };
    let error = |line: Option<u32>, message: String| InputError {
        file: name.clone(),
        line,
        message,
    };
    let bytes = match read_limited(origin, options.max_file_size) {
        Ok(bytes) => bytes,
        Err(message) => return (None, Vec::new(), vec![error(None, message)]),
    };
    let file = SourceFile {
        sha256: crate::runtime::hex(&Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        path: name.clone(),
        objects: 0,
        bytes,
    };

    let text = match text_of(&file.bytes) {
        Ok(text) => text,
        Err(message) => return (Some(file), Vec::new(), vec![error(None, message)]),
    };
    let (documents, syntax_error) = yaml::parse(text);
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    for document in documents {
        let (found, problems) = manifest::objects(0, document);
        objects.extend(found);
        errors.extend(problems.into_iter().map(|p| error(Some(p.line), p.message)));
    }
    if let Some(e) = syntax_error {
        // Errors found at the end of the input are reported on its last line.
        let last_line = text.lines().count().max(1) as u32;
        let message = format!("invalid YAML: {}", e.message);
        errors.push(error(Some(e.line.min(last_line)), message));
    }
    (Some(file), objects, errors)
}

/// Reads a whole file or standard input, refusing more than `limit` bytes.
fn read_limited(origin: &Origin, limit: u64) -> Result<Vec<u8>, String> {
    let too_big =
        |size: u64| format!("file is {size} bytes, over the {limit}-byte limit; not read");
    let mut bytes = Vec::new();
    let read = match origin {
        Origin::Stdin => std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes),
        Origin::Path(path) => {
            let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
            let size = file
                .metadata()
                .map_err(|e| format!("cannot read: {e}"))?
                .len();
            if size > limit {
                return Err(too_big(size));
            }
            file.take(limit + 1).read_to_end(&mut bytes)
        }
    };
    read.map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
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
