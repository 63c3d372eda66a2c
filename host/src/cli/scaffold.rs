//! `tollgate plugin new`: writes a rule crate that builds for wasm32-wasip2 and passes its
//! unit test as written — a `RuleSpec` with one check, coverage, a fixture manifest and a
//! README that says how to build, test and load it.
//!
//! The crate depends on the guest SDK (`tollgate-sdk`), which is not on crates.io: by path
//! when a tollgate source tree is at hand (`--sdk`, else the tree this binary was built
//! from), else by Git at the tag of this release, so the SDK speaks this binary's contract.

use std::fs;
use std::path::{Path, PathBuf};

/// The files of a new rule crate: (path in the crate, template).
const TEMPLATES: [(&str, &str); 5] = [
    ("Cargo.toml", include_str!("scaffold/Cargo.toml.tmpl")),
    ("src/lib.rs", include_str!("scaffold/lib.rs.tmpl")),
    (
        "fixtures/privileged.yaml",
        include_str!("scaffold/fixture.yaml.tmpl"),
    ),
    ("README.md", include_str!("scaffold/README.md.tmpl")),
    (".gitignore", include_str!("scaffold/gitignore.tmpl")),
];

/// Words Cargo refuses as a package name (Rust keywords): a rule id that is one of them
/// would give a crate that does not build.
const RUST_KEYWORDS: [&str; 50] = [
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while",
];

/// Where the new crate finds the SDK.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SdkSource {
    /// A `plugins/sdk` directory of a tollgate source tree.
    Path(PathBuf),
    /// The tollgate repository at a tag.
    Git { repository: String, tag: String },
}

impl SdkSource {
    /// `--sdk PATH` when given; else the SDK of the source tree this binary was built from
    /// when it is still there; else this release's tag of the tollgate repository.
    pub fn choose(named: Option<&Path>) -> Result<Self, ScaffoldError> {
        let path = match named {
            Some(path) => path.to_owned(),
            None => {
                let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/sdk");
                if !built_from.join("Cargo.toml").is_file() {
                    return Ok(Self::Git {
                        repository: env!("CARGO_PKG_REPOSITORY").into(),
                        tag: concat!("v", env!("CARGO_PKG_VERSION")).into(),
                    });
                }
                built_from
            }
        };
        let sdk = path
            .canonicalize()
            .ok()
            .filter(|dir| is_sdk(dir))
            .ok_or_else(|| ScaffoldError::NotSdk(path.clone()))?;
        Ok(Self::Path(sdk))
    }

    /// The `[dependencies]` line of the crate.
    fn dependency(&self) -> String {
        let spec = match self {
            Self::Path(path) => format!("path = {}", toml_string(&path.to_string_lossy())),
            Self::Git { repository, tag } => {
                format!(
                    "git = {}, tag = {}",
                    toml_string(repository),
                    toml_string(tag)
                )
            }
        };
        format!("tollgate-sdk = {{ {spec} }}")
    }
}

impl std::fmt::Display for SdkSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Path(path) => write!(f, "path {}", path.display()),
            Self::Git { repository, tag } => write!(f, "git {repository} at {tag}"),
        }
    }
}

/// Why no crate was written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "{0:?} is not a usable rule id: kebab-case words of [a-z0-9], starting with a letter \
         (e.g. image-digest), and not a Rust keyword"
    )]
    InvalidName(String),
    #[error("{} already exists: choose another --dir, nothing was written", .0.display())]
    Exists(PathBuf),
    #[error("{} is not the tollgate SDK (a directory whose Cargo.toml names tollgate-sdk)", .0.display())]
    NotSdk(PathBuf),
    #[error("cannot write {}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A rule crate to write.
#[derive(Debug)]
pub struct NewRule {
    /// The rule id, also the crate name.
    pub name: String,
    /// The crate's directory; must not exist.
    pub dir: PathBuf,
    pub sdk: SdkSource,
}

impl NewRule {
    /// A crate for rule `name` in `dir` (default: `./NAME`), refusing a name that is not a
    /// rule id the host accepts or not a Cargo package name.
    pub fn new(name: &str, dir: Option<PathBuf>, sdk: SdkSource) -> Result<Self, ScaffoldError> {
        let usable = crate::runtime::is_kebab_case(name)
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && !RUST_KEYWORDS.contains(&name);
        if !usable {
            return Err(ScaffoldError::InvalidName(name.to_owned()));
        }
        Ok(Self {
            name: name.to_owned(),
            dir: dir.unwrap_or_else(|| PathBuf::from(name)),
            sdk,
        })
    }

    /// The name of the built component, `target/wasm32-wasip2/release/<lib>.wasm`.
    pub fn lib_name(&self) -> String {
        self.name.replace('-', "_")
    }

    /// Writes the crate; refuses a directory that exists (even empty) so that nothing is
    /// ever overwritten. Returns the paths written, in order.
    pub fn write(&self) -> Result<Vec<PathBuf>, ScaffoldError> {
        if fs::symlink_metadata(&self.dir).is_ok() {
            return Err(ScaffoldError::Exists(self.dir.clone()));
        }
        TEMPLATES
            .iter()
            .map(|(relative, template)| {
                let path = self.dir.join(relative);
                write_new(&path, &self.fill(template))?;
                Ok(path)
            })
            .collect()
    }

    /// A template with the crate's name, type name, library name and SDK filled in.
    fn fill(&self, template: &str) -> String {
        template
            .replace("{{name}}", &self.name)
            .replace("{{type}}", &type_name(&self.name))
            .replace("{{lib}}", &self.lib_name())
            .replace("{{sdk}}", &self.sdk.dependency())
    }
}

/// Creates `path` and its parent directories; never replaces an existing file.
fn write_new(path: &Path, contents: &str) -> Result<(), ScaffoldError> {
    let error = |source| ScaffoldError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(error)?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(error)?;
    std::io::Write::write_all(&mut file, contents.as_bytes()).map_err(error)
}

/// `image-digest` -> `ImageDigest`: the rule's type in `lib.rs`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// Whether `dir` holds the `tollgate-sdk` crate.
fn is_sdk(dir: &Path) -> bool {
    fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|manifest| {
        manifest
            .lines()
            .any(|l| l.trim() == "name = \"tollgate-sdk\"")
    })
}

/// A TOML basic string: quoted, with `\` and `"` escaped (paths on Windows, odd names).
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_rule_ids_and_package_names() {
        let sdk = || SdkSource::Path("/sdk".into());
        for good in ["image-digest", "a1", "no-latest-tag"] {
            assert!(NewRule::new(good, None, sdk()).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Image",
            "image_digest",
            "-a",
            "a-",
            "a--b",
            "1st-rule",
            "async",
            "a b",
        ] {
            assert!(
                matches!(
                    NewRule::new(bad, None, sdk()),
                    Err(ScaffoldError::InvalidName(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn templates_are_filled() {
        let rule =
            NewRule::new("image-digest", None, SdkSource::Path("/x/\"sdk\"".into())).unwrap();
        assert_eq!(rule.dir, PathBuf::from("image-digest"));
        assert_eq!(type_name("image-digest"), "ImageDigest");
        assert_eq!(
            rule.fill("{{name}} {{type}} {{lib}}\n{{sdk}}"),
            "image-digest ImageDigest image_digest\ntollgate-sdk = { path = \"/x/\\\"sdk\\\"\" }"
        );
        let git = SdkSource::Git {
            repository: "https://example.com/t".into(),
            tag: "v1.0.0".into(),
        };
        assert_eq!(
            git.dependency(),
            "tollgate-sdk = { git = \"https://example.com/t\", tag = \"v1.0.0\" }"
        );
    }

    #[test]
    fn the_default_sdk_is_this_source_tree() {
        let expected = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../plugins/sdk")
            .canonicalize()
            .unwrap();
        assert_eq!(SdkSource::choose(None).unwrap(), SdkSource::Path(expected));
        let not_sdk = SdkSource::choose(Some(Path::new(env!("CARGO_MANIFEST_DIR"))));
        assert!(matches!(not_sdk, Err(ScaffoldError::NotSdk(_))));
    }
}
