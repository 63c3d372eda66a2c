//! The command line as clap parses it: raw flags, before validation (see [`super`]). The
//! flags' value enums live here and map to the library's types with `From`, so nothing
//! below the command line depends on clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::input::kustomize::LoadRestrictor;
use crate::report::Format;
use crate::vocab::{FailOn, Severity};

/// tollgate: a compliance gate for Kubernetes manifests and Git repositories.
///
/// Sandboxed WebAssembly rules check TLS versions, RBAC least privilege, NetworkPolicy
/// coverage and credentials in Git, and map what they find to SOC 2, ISO/IEC 27001:2022
/// and the CIS Kubernetes Benchmark.
///
/// Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage, input or plugin
/// error (the result cannot be trusted).
#[derive(Debug, Parser)]
#[command(name = "tollgate", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Kubernetes manifests and repository files against every rule and report the
    /// findings.
    ///
    /// Reads files and directories (recursively: *.yaml, *.yml, *.json, honouring
    /// .gitignore) and `-` for standard input, so that `helm template . | tollgate scan -`
    /// and `kubectl kustomize overlays/prod | tollgate scan -` work; or a Git repository's
    /// tracked files (--repo), staged content (--staged) or whole history (--history).
    Scan(ScanArgs),
    /// Record the current findings' fingerprints, so that `scan --baseline FILE` reports
    /// only new ones.
    Baseline(BaselineArgs),
    /// List the rules and their checks, with each check's severity.
    Rules(RulesArgs),
    /// Explain a rule (`RULE`) or one of its checks (`RULE/CHECK`): why it matters, how to
    /// fix it, and the controls it evidences.
    Explain(ExplainArgs),
    /// List the frameworks' controls, why tollgate's evidence bears on each, and the checks
    /// that give it (`--format markdown` writes docs/controls.md).
    Frameworks(FrameworksArgs),
    /// Render a saved JSON report in another format, or merge the reports of several runs.
    Report(ReportArgs),
    // Setting tollgate up (see `setup.rs`).
    /// Write a commented .tollgate.yaml (every key explained) into DIR, and print the
    /// pre-commit hook to add to .pre-commit-config.yaml. Never overwrites a config.
    Init(InitArgs),
    /// Print the JSON Schema of the config file or of the JSON report.
    Schema(SchemaArgs),
    /// Print the completion script for SHELL.
    Completions(CompletionsArgs),
    /// Write the manual pages: tollgate.1 and one page per subcommand (tollgate-scan.1, ...).
    Man(ManArgs),
    /// Run expected-outcome tests: fixture files name, in `# expect: RULE/CHECK` comments
    /// at the end of a line, the findings the rules must report there, and `# test-rules:
    /// RULE...` the rules under test; every missing or unexpected finding fails (exit 1).
    ///
    /// Of a directory, each YAML or JSON file and each subdirectory (its files judged
    /// together) is one fixture.
    Test(TestArgs),
    /// Write and inspect rule plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
}

// `tollgate test` and `tollgate plugin` (expected-outcome tests, plugin inspection).

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Fixture files or directories of fixtures.
    #[arg(value_name = "DIR", required = true)]
    pub paths: Vec<PathBuf>,

    /// Config file applied to every fixture (settings, severities, waivers, pinned
    /// plugins) [default: none]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Describe a plugin without running a scan: its rule, the contract version it was
    /// built for, the imports it asks for and what the sandbox grants each, its size and
    /// SHA-256 (the digest to pin in the config's `plugins:`).
    Inspect(InspectArgs),
    /// Write a new rule crate (Rust, on the tollgate SDK) with one check, a fixture and a
    /// unit test, ready for `cargo test` and `cargo build --release --target wasm32-wasip2`.
    New(PluginNewArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The plugin, a WebAssembly component.
    #[arg(value_name = "FILE.wasm")]
    pub file: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    pub format: InspectFormat,
}

#[derive(Debug, Args)]
pub struct PluginNewArgs {
    /// The rule id, also the crate name: kebab-case, e.g. `image-digest`.
    pub name: String,

    /// Directory of the new crate; must not exist [default: ./NAME]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// The SDK crate (`plugins/sdk` of a tollgate source tree) to depend on by path
    /// [default: the tree this tollgate was built from if it is still there, else the
    /// tollgate Git repository at this release's tag]
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FrameworksArgs {
    /// Listing format.
    #[arg(long, value_enum, default_value_t = ListingFormat::Text)]
    pub format: ListingFormat,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: Option<ReportCommand>,

    /// A report saved with `tollgate scan --format json`.
    #[arg(value_name = "REPORT.json", required = true)]
    pub input: Option<PathBuf>,

    /// Format to render.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,

    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the JSON reports of runs over different shards of an estate into one report;
    /// control statuses and the summary are recomputed over all of them.
    Merge(MergeArgs),
    /// Compare two JSON reports: findings new, fixed and still open (by fingerprint),
    /// waivers added, expired and removed, and controls whose status changed. Exits 1 when
    /// a new finding (not waived) is at or above --fail-on, 2 when either report had errors.
    Diff(DiffArgs),
    /// Check a report's SSH signature (written by `scan --sign`) with `ssh-keygen -Y
    /// verify`: exits 0 when it is good, 1 when it is not, 2 when a file cannot be read.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier JSON report.
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,

    /// The later JSON report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,

    /// Format of the comparison.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// Lowest severity of a new finding that fails (exit code 1); `never` reports without
    /// failing [default: the new report's fail_on]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOnArg>,

    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Formats of `report diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// For a terminal or a CI log.
    Text,
    /// The comparison's data, with `tollgate_diff`.
    Json,
    /// For a pull-request comment or a job summary.
    Markdown,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed report file.
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,

    /// Its signature [default: REPORT.sig]
    #[arg(long, value_name = "SIG")]
    pub signature: Option<PathBuf>,

    /// The allowed signers: `PRINCIPAL KEY-TYPE KEY` lines, as ssh-keygen(1) describes
    /// under ALLOWED SIGNERS.
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: PathBuf,

    /// The principal the signature must be from [default: any of the allowed signers whose
    /// key made it]
    #[arg(long, value_name = "ID")]
    pub identity: Option<String>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports to merge.
    #[arg(value_name = "REPORT.json", required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,

    /// Format of the merged report.
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    pub format: FormatArg,

    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Merge runs whose plugins for a rule differ (by SHA-256); refused by default,
    /// since their findings are not comparable.
    #[arg(long)]
    pub allow_plugin_mismatch: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,

    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,

    /// Write the report to FILE instead of standard output (a summary line still goes to
    /// standard error).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// List every file that was not judged as Kubernetes manifests, with the reason, in the
    /// text report (otherwise counted in its summary line).
    #[arg(short, long)]
    pub verbose: bool,

    /// Report only findings that are not in this baseline (written by `tollgate
    /// baseline`); the others are counted as baselined.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Sign the written report with this SSH private key (`ssh-keygen -Y sign`, namespace
    /// `tollgate`) into FILE.sig beside it; the report names the key's fingerprint.
    #[arg(long, value_name = "KEY", requires = "output")]
    pub sign: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,

    /// Where to write the baseline.
    #[arg(
        short,
        long,
        value_name = "FILE",
        default_value = ".tollgate-baseline.json"
    )]
    pub output: PathBuf,
}

/// What a scan reads and judges, and against what: shared by `scan` and `baseline`.
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// Files or directories to scan; `-` reads standard input [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Scan the files Git tracks in the repository at PATH [default: .], as the work tree
    /// has them; manifests among them also go to the manifest rules.
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = ".", conflicts_with = "paths")]
    pub repo: Option<PathBuf>,

    /// Scan exactly the staged content (the index blobs, not the work tree) of the
    /// repository (--repo, or the current one): for pre-commit.
    #[arg(long, conflicts_with_all = ["paths", "history"])]
    pub staged: bool,

    /// Scan every blob reachable from any ref of the repository, once each, naming the
    /// commit, author date and path where it first appears. Runs the rules that read files
    /// unless --rule says otherwise.
    #[arg(long, conflicts_with = "paths")]
    pub history: bool,

    /// Lowest severity that fails the run (exit code 1); `never` reports without failing
    /// [default: the config's fail-on, else low]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOnArg>,

    /// Assess only these frameworks' controls: soc2, iso27001, cis-kubernetes
    /// (comma-separated or repeated) [default: the config's frameworks, else all]
    #[arg(long = "framework", value_name = "NAME", value_delimiter = ',')]
    pub frameworks: Vec<String>,

    /// Run only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,

    /// Do not run this rule (repeatable).
    #[arg(long = "skip-rule", value_name = "ID")]
    pub skip_rules: Vec<String>,

    /// Namespace of namespaced objects that do not name one.
    #[arg(short = 'n', long, value_name = "NAME", default_value = "default")]
    pub namespace: String,

    /// Files larger than this many bytes are not read: named manifests are errors, other
    /// files are skipped and counted.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_file_size: u64,

    /// Leave out paths matching GLOB (gitignore syntax, relative to the working directory;
    /// repeatable): not read and not listed. The config file's `exclude:` adds more.
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,

    /// Read kustomize trees as written instead of building them (kustomize, or kubectl
    /// kustomize, builds them when on PATH).
    #[arg(long)]
    pub no_kustomize: bool,

    /// Which files a kustomize build may read: `none` lets a kustomization name files
    /// outside its directory (`../namespace.yaml`), as `kustomize build --load-restrictor
    /// LoadRestrictionsNone` does: any kustomization in the tree may then read any file you
    /// can, so use it on trees you trust. Such builds are not kept between runs.
    #[arg(long, value_name = "RESTRICTOR", default_value = "root-only")]
    pub kustomize_load_restrictor: LoadRestrictorArg,

    /// Config file [default: .tollgate.yaml in the first scanned directory or the nearest
    /// parent]
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Apply no config file.
    #[arg(long)]
    pub no_config: bool,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

/// `--format` of `scan`, `report` and `report merge`: a report format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Grouped findings for a terminal, coloured when it is one.
    Text,
    /// The canonical report (its `schema_version` names the shape); `tollgate report` renders it again.
    Json,
    /// SARIF 2.1.0 for code-scanning UIs.
    Sarif,
    /// JUnit XML for CI test views.
    Junit,
    /// Markdown for pull-request comments and job summaries.
    Markdown,
    /// One self-contained HTML page for auditors.
    Html,
    /// OSCAL assessment-results JSON for GRC tools.
    Oscal,
    /// GitLab Code Quality JSON for merge requests.
    Gitlab,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Text => Self::Text,
            FormatArg::Json => Self::Json,
            FormatArg::Sarif => Self::Sarif,
            FormatArg::Junit => Self::Junit,
            FormatArg::Markdown => Self::Markdown,
            FormatArg::Html => Self::Html,
            FormatArg::Oscal => Self::Oscal,
            FormatArg::Gitlab => Self::Gitlab,
        }
    }
}

/// `--kustomize-load-restrictor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LoadRestrictorArg {
    /// Files in or below each kustomization's directory only (kustomize's default).
    RootOnly,
    /// Any file.
    None,
}

impl From<LoadRestrictorArg> for LoadRestrictor {
    fn from(restrictor: LoadRestrictorArg) -> Self {
        match restrictor {
            LoadRestrictorArg::RootOnly => Self::RootOnly,
            LoadRestrictorArg::None => Self::None,
        }
    }
}

/// `--fail-on`: the lowest severity that fails, or `never`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOnArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
    /// Findings never fail the run (errors still do).
    Never,
}

impl From<FailOnArg> for FailOn {
    fn from(fail_on: FailOnArg) -> Self {
        match fail_on {
            FailOnArg::Info => Self::At(Severity::Info),
            FailOnArg::Low => Self::At(Severity::Low),
            FailOnArg::Medium => Self::At(Severity::Medium),
            FailOnArg::High => Self::At(Severity::High),
            FailOnArg::Critical => Self::At(Severity::Critical),
            FailOnArg::Never => Self::Never,
        }
    }
}

/// Formats of the listings (`rules`, `frameworks`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListingFormat {
    Text,
    Json,
    Markdown,
}

/// Formats of `plugin inspect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// `RULE` or `RULE/CHECK`, e.g. `rbac-least-privilege/wildcard`.
    pub name: String,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Listing format.
    #[arg(long, value_enum, default_value_t = ListingFormat::Text)]
    pub format: ListingFormat,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

/// Plugins and their sandbox.
#[derive(Debug, Args)]
#[command(next_help_heading = "Plugins")]
pub struct RuntimeArgs {
    /// Load an extra rule plugin (a WebAssembly component of the tollgate:policy world);
    /// repeatable.
    #[arg(long = "plugin", value_name = "FILE.wasm")]
    pub plugins: Vec<PathBuf>,

    /// Time one plugin call may take (a manifest check's calls together), in seconds; a
    /// plugin that runs longer is stopped and reported as an error of its rule.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub plugin_timeout: f64,

    /// Memory one plugin instance may use, in MiB, all its memories and tables together;
    /// beyond it the plugin is stopped and reported as an error of its rule.
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    pub plugin_memory: usize,

    /// Directory of compiled plugins and kept kustomize builds [default:
    /// $XDG_CACHE_HOME/tollgate or ~/.cache/tollgate]
    #[arg(long, value_name = "DIR", env = "TOLLGATE_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Key that authenticates the cache's entries; created (0600) when missing, and never
    /// inside the cache directory [default: $XDG_CONFIG_HOME/tollgate/cache.key or
    /// ~/.config/tollgate/cache.key]
    #[arg(long, value_name = "FILE", env = "TOLLGATE_CACHE_KEY")]
    pub cache_key: Option<PathBuf>,

    /// Memory all plugin calls running at the same time may use together, in MiB; calls
    /// wait for room, so at most this / --plugin-memory run at once.
    #[arg(long, value_name = "MIB", default_value_t = 2048)]
    pub plugin_memory_total: usize,

    /// Compile plugins in memory and run every kustomize build; neither read nor write the
    /// cache.
    #[arg(long)]
    pub no_cache: bool,
}

// Setting tollgate up: `init`, `schema`, `completions`, `man` (run by `setup.rs`).

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write .tollgate.yaml into.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The document whose schema to print.
    #[arg(value_enum)]
    pub document: SchemaDocument,
}

/// The documents `tollgate schema` has a schema for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaDocument {
    /// The config file, .tollgate.yaml.
    Config,
    /// The JSON report (`scan --format json`).
    Report,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write every page into DIR (created if missing) instead of printing tollgate.1 to
    /// standard output.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    /// Every flag value maps to the library value of the same name, so the help and the
    /// reports agree on the words.
    #[test]
    fn flag_values_map_to_the_library_value_they_name() {
        for &arg in FailOnArg::value_variants() {
            let name = arg.to_possible_value().expect("no value is hidden");
            assert_eq!(FailOn::from(arg).name(), name.get_name());
        }
        assert_eq!(FailOnArg::value_variants().len(), FailOn::ALL.len());
        let formats: Vec<(String, Format)> = FormatArg::value_variants()
            .iter()
            .map(|&arg| {
                let name = arg.to_possible_value().expect("no value is hidden");
                (name.get_name().to_owned(), Format::from(arg))
            })
            .collect();
        let expected = [
            ("text", Format::Text),
            ("json", Format::Json),
            ("sarif", Format::Sarif),
            ("junit", Format::Junit),
            ("markdown", Format::Markdown),
            ("html", Format::Html),
            ("oscal", Format::Oscal),
            ("gitlab", Format::Gitlab),
        ]
        .map(|(name, format)| (name.to_owned(), format));
        assert_eq!(formats, expected);
    }

    #[test]
    fn parsed_flags_become_library_values() {
        let cli = Cli::try_parse_from([
            "tollgate",
            "scan",
            "--fail-on",
            "never",
            "--format",
            "sarif",
        ])
        .expect("valid flags");
        let Command::Scan(scan) = cli.command else {
            panic!("a scan")
        };
        assert_eq!(scan.scope.fail_on.map(FailOn::from), Some(FailOn::Never));
        assert_eq!(Format::from(scan.format), Format::Sarif);
        let refused = Cli::try_parse_from(["tollgate", "scan", "--fail-on", "severe"]);
        assert_eq!(
            refused.map(|_| ()).map_err(|e| e.kind()),
            Err(clap::error::ErrorKind::InvalidValue)
        );
    }
}
