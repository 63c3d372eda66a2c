//! The command line: parsing ([`args`]), turning flags into validated options, running the
//! subcommand, and writing its output. Returns the process exit code. The commands that set
//! tollgate up (`init`, `schema`, `completions`, `man`) are in [`setup`].

mod args;
mod evidence;
mod inspect;
mod listing;
mod scaffold;
mod setup;
mod test;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;

use crate::config::{self, Config};
use crate::input::git::Source as GitSource;
use crate::input::kustomize::cache::BuildCache;
use crate::input::{Excludes, InputOptions, Target};
use crate::report::{self, Format, Report, TextStyle, untrusted};
use crate::runtime::{ComponentCache, Limits, PinnedPlugin};
use crate::scan::{self, RuntimeOptions, ScanOptions};
use crate::vocab::{FailOn, Framework, Severity};

pub use args::Cli;
use args::{
    BaselineArgs, Command, ExplainArgs, FrameworksArgs, PluginCommand, PluginNewArgs, ReportArgs,
    ReportCommand, RulesArgs, RuntimeArgs, ScanArgs, ScopeArgs,
};

/// Parses the command line and runs it. Usage errors print clap's message and give 2.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // Errors quote paths, config values and plugin text: shown clean.
            let message = format!("{error:#}");
            eprintln!("tollgate: error: {}", untrusted::clean_text(&message));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => scan_command(args),
        Command::Baseline(args) => baseline_command(args),
        Command::Rules(args) => rules_command(args),
        Command::Frameworks(args) => frameworks_command(args),
        Command::Explain(args) => explain_command(args),
        Command::Report(args) => report_command(args),
        Command::Init(args) => setup::init_command(args),
        Command::Schema(args) => setup::schema_command(args),
        Command::Completions(args) => setup::completions_command(args),
        Command::Man(args) => setup::man_command(args),
        Command::Test(args) => test::test_command(args),
        Command::Plugin(PluginCommand::Inspect(args)) => inspect::inspect_command(args),
        Command::Plugin(PluginCommand::New(args)) => plugin_new_command(args),
    }
}

/// `tollgate plugin new NAME`: writes the rule crate and says how to build and load it.
fn plugin_new_command(args: PluginNewArgs) -> anyhow::Result<u8> {
    let sdk = scaffold::SdkSource::choose(args.sdk.as_deref())?;
    let rule = scaffold::NewRule::new(&args.name, args.dir, sdk)?;
    let written = rule.write()?;
    let dir = rule.dir.display();
    let mut text = format!("Wrote rule {} in {dir}/ (SDK: {}):\n", rule.name, rule.sdk);
    for path in &written {
        text.push_str(&format!("  {}\n", path.display()));
    }
    text.push_str(&format!(
        "Next:\n  cd {dir}\n  cargo test\n  cargo build --release --target wasm32-wasip2\n  \
         tollgate scan fixtures/ --plugin target/wasm32-wasip2/release/{}.wasm\n",
        rule.lib_name()
    ));
    write_stdout(&text)?;
    Ok(0)
}

/// `tollgate report FILE` renders a saved report; `tollgate report merge` merges several.
/// The exit code is the (merged) report's.
fn report_command(args: ReportArgs) -> anyhow::Result<u8> {
    let (report, format, output) = match args.command {
        Some(ReportCommand::Diff(diff)) => return evidence::diff_command(diff),
        Some(ReportCommand::Verify(verify)) => return evidence::verify_command(verify),
        Some(ReportCommand::Merge(merge)) => {
            let saved = merge
                .inputs
                .iter()
                .map(|p| report::merge::read(p))
                .collect::<Result<Vec<_>, _>>()?;
            let merged = report::merge::merge(saved, merge.allow_plugin_mismatch)?;
            (merged, merge.format, merge.output)
        }
        None => {
            let input = args.input.context("a report file is required")?;
            (
                report::merge::read(&input)?.report,
                args.format,
                args.output,
            )
        }
    };
    emit(&report, format.into(), output.as_deref(), false)?;
    Ok(report.summary.exit_code)
}

/// Every catalog control, why it is evidenced, and the checks (loaded now) that do.
fn frameworks_command(args: FrameworksArgs) -> anyhow::Result<u8> {
    let (_runtime, plugins) = scan::load(&runtime_options(args.runtime, Vec::new())?)?;
    write_stdout(&listing::frameworks(&plugins, args.format))?;
    Ok(0)
}

/// One rule or check in full.
fn explain_command(args: ExplainArgs) -> anyhow::Result<u8> {
    let (_runtime, plugins) = scan::load(&runtime_options(args.runtime, Vec::new())?)?;
    let text = listing::explain(&plugins, &args.name).map_err(anyhow::Error::msg)?;
    write_stdout(&text)?;
    Ok(0)
}

fn scan_command(args: ScanArgs) -> anyhow::Result<u8> {
    let mut options = scan_options(args.scope)?;
    options.baseline = args
        .baseline
        .as_deref()
        .map(report::baseline::read)
        .transpose()?;
    // The key is checked before the scan, and named in the report it will sign.
    let signer = evidence::Signer::open(args.sign.as_deref(), args.output.as_deref())?;
    let (runtime, plugins) = scan::load(&options.runtime)?;
    let mut report = scan::run_loaded(&options, &runtime, &plugins)?;
    report.evidence.signature = signer.as_ref().map(evidence::Signer::record);
    emit(
        &report,
        args.format.into(),
        args.output.as_deref(),
        args.verbose,
    )?;
    if let Some(signer) = signer {
        signer.sign()?;
    }
    let code = report.summary.exit_code;
    leave_to_exit((report, runtime, plugins));
    Ok(code)
}

/// Leaves what a scan built (its report, the loaded plugins and their runtime: hundreds of
/// MB over a large estate) for the operating system to reclaim when the process exits,
/// which it does right after, the report being written and flushed: freeing it value by
/// value would only delay the exit. The one place tollgate leaks on purpose; the library
/// never does.
fn leave_to_exit<T>(built: T) {
    std::mem::forget(built);
}

/// Scans and writes the fingerprints of every finding to the baseline file. Exits 2 when
/// the scan had errors (the baseline would be incomplete), else 0.
fn baseline_command(args: BaselineArgs) -> anyhow::Result<u8> {
    let report = scan::run(&scan_options(args.scope)?)?;
    let count = report::baseline::write(&report, &args.output)?;
    let path = args.output.display().to_string();
    eprintln!(
        "tollgate: wrote {count} finding fingerprint{} to {}",
        if count == 1 { "" } else { "s" },
        untrusted::clean_text(&path)
    );
    if report.summary.errors > 0 {
        let paint = |_: anstyle::Style, text: &str| text.to_owned();
        eprintln!("{}", report::text::summary_line(&report, &paint));
        return Ok(2);
    }
    Ok(0)
}

/// Validated scan options from the flags and the config file.
fn scan_options(args: ScopeArgs) -> anyhow::Result<ScanOptions> {
    let source = if args.history {
        Some(GitSource::History)
    } else if args.staged {
        Some(GitSource::Staged)
    } else if args.repo.is_some() {
        Some(GitSource::Tracked)
    } else {
        None
    };
    let target = match source {
        Some(source) => Target::Repository {
            repo: args.repo.unwrap_or_else(|| ".".into()),
            source,
        },
        None if args.paths.is_empty() => Target::Paths(vec![".".into()]),
        None => Target::Paths(args.paths),
    };
    let start = match &target {
        Target::Paths(paths) => paths[0].clone(),
        Target::Repository { repo, .. } => repo.clone(),
    };
    let config = load_config(&args.config, args.no_config, &start)?;
    let frameworks = frameworks(&args.frameworks, config.as_ref())?;
    let pinned = config
        .as_ref()
        .map(|c| c.plugins.clone())
        .unwrap_or_default();
    let runtime = runtime_options(args.runtime, pinned)?;
    // Kustomize builds are kept beside the compiled plugins, under the same key.
    let build_cache = runtime
        .cache
        .location()
        .map(|(dir, key_file)| Arc::new(BuildCache::new(dir.to_owned(), key_file.to_owned())));
    let input = InputOptions {
        max_file_size: args.max_file_size,
        excludes: excludes(&args.excludes, config.as_ref())?,
        build_kustomizations: !args.no_kustomize,
        build_cache,
        load_restrictor: args.kustomize_load_restrictor.into(),
    };
    Ok(ScanOptions {
        frameworks,
        default_namespace: args.namespace,
        fail_on: args
            .fail_on
            .map(FailOn::from)
            .or(config.as_ref().and_then(|c| c.fail_on))
            .unwrap_or(FailOn::At(Severity::Low)),
        target,
        config,
        only_rules: args.rules,
        skip_rules: args.skip_rules,
        runtime,
        input,
        baseline: None,
    })
}

/// `--exclude` patterns (from the working directory) and the config's `exclude:` (from the
/// config file's directory).
fn excludes(named: &[String], config: Option<&Config>) -> anyhow::Result<Excludes> {
    let mut excludes = Excludes::default();
    excludes
        .add(&std::env::current_dir()?, named)
        .map_err(|e| anyhow::anyhow!("--exclude: {e}"))?;
    if let Some(config) = config {
        excludes
            .add(config.dir(), &config.exclude)
            .map_err(|e| config.error_at(&["exclude".into()], e))?;
    }
    Ok(excludes)
}

/// The frameworks to assess: `--framework`, else the config's, else all; in catalog order.
fn frameworks(named: &[String], config: Option<&Config>) -> anyhow::Result<Vec<Framework>> {
    let mut chosen: Vec<Framework> = if !named.is_empty() {
        named
            .iter()
            .map(|name| {
                Framework::from_name(name).with_context(|| {
                    let known = Framework::names().join(", ");
                    format!("--framework {name}: unknown framework (known: {known})")
                })
            })
            .collect::<anyhow::Result<_>>()?
    } else if let Some(list) = config.and_then(|c| c.frameworks.clone()) {
        list
    } else {
        Framework::ALL.into()
    };
    chosen.sort();
    chosen.dedup();
    Ok(chosen)
}

/// The config file: `--config`, else the one found from the first scanned path (the
/// working directory for standard input), unless `--no-config`.
fn load_config(
    named: &Option<std::path::PathBuf>,
    none: bool,
    start: &std::path::Path,
) -> anyhow::Result<Option<Config>> {
    let path = match named {
        Some(path) => Some(path.clone()),
        None if none => None,
        None if start.as_os_str() == "-" => config::discover(std::path::Path::new(".")),
        None => config::discover(start),
    };
    Ok(path.map(|p| config::load(&p)).transpose()?)
}

/// Writes the report to the output file (plain) or to stdout (coloured on a terminal).
fn emit(
    report: &Report,
    format: Format,
    output: Option<&std::path::Path>,
    verbose: bool,
) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let style = TextStyle {
                color: false,
                verbose,
            };
            write_file(path, |out| report::write(report, format, style, out))
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            let paint = |_: anstyle::Style, text: &str| text.to_owned();
            eprintln!("{}", report::text::summary_line(report, &paint));
        }
        None => {
            let color =
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            let style = TextStyle {
                color: color && format == Format::Text,
                verbose,
            };
            write_stdout(&report::render(report, format, style))?;
        }
    }
    Ok(())
}

/// Creates the file at `path` and writes it through a buffer with `write`.
fn write_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // Large writes: a report over a big estate is tens of MB.
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    write(&mut out)?;
    out.flush()
}

/// Writes to standard output; a reader that went away (`| head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    match anstream::stdout().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

fn rules_command(args: RulesArgs) -> anyhow::Result<u8> {
    let (_runtime, mut plugins) = scan::load(&runtime_options(args.runtime, Vec::new())?)?;
    plugins.sort_by(|a, b| a.info.id.cmp(&b.info.id));
    write_stdout(&listing::rules(&plugins, args.format))?;
    Ok(0)
}

/// The plugins and their sandbox from the flags; `pinned` are the config's plugins.
fn runtime_options(args: RuntimeArgs, pinned: Vec<PinnedPlugin>) -> anyhow::Result<RuntimeOptions> {
    if !(args.plugin_timeout.is_finite() && args.plugin_timeout > 0.0) {
        bail!("--plugin-timeout must be a positive number of seconds");
    }
    if args.plugin_memory == 0 {
        bail!("--plugin-memory must be at least 1 MiB");
    }
    if args.plugin_memory_total < args.plugin_memory {
        bail!("--plugin-memory-total must be at least --plugin-memory");
    }
    let limits = Limits {
        memory_bytes: args.plugin_memory.saturating_mul(1 << 20),
        memory_total_bytes: args.plugin_memory_total.saturating_mul(1 << 20),
        call_timeout: Duration::from_secs_f64(args.plugin_timeout),
        ..Limits::default()
    };
    let cache_dir = if args.no_cache {
        None
    } else {
        args.cache_dir.or_else(ComponentCache::default_dir)
    };
    Ok(RuntimeOptions {
        plugins: args.plugins,
        pinned,
        limits,
        cache: ComponentCache::new(
            cache_dir,
            args.cache_key.or_else(ComponentCache::default_key_file),
        ),
    })
}
