//! Commands that set tollgate up rather than scan: `init` (a commented config and the
//! pre-commit hook), `schema` (the JSON Schemas), `completions` (shell completion scripts)
//! and `man` (manual pages, from the same clap definition as `--help`).

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use super::args::{Cli, CompletionsArgs, InitArgs, ManArgs, SchemaArgs, SchemaDocument};
use super::write_stdout;
use crate::config;
use crate::report::untrusted;
use crate::schema::Document;

/// The hook `init` prints: `.pre-commit-hooks.yaml`'s `tollgate` hook as a local one, so it
/// needs no tag of this repository, only `tollgate` on PATH (as the published hook does).
const PRE_COMMIT_SNIPPET: &str = "\
# Add to .pre-commit-config.yaml (under an existing `repos:`, add the `- repo: local` item):
# every rule over the staged content before each commit; tollgate must be on PATH.
repos:
  - repo: local
    hooks:
      - id: tollgate
        name: tollgate compliance gate
        entry: tollgate scan --staged
        language: system
        pass_filenames: false
        require_serial: true
";

/// Writes `DIR/.tollgate.yaml` (refusing to replace one) and prints the pre-commit hook.
pub fn init_command(args: InitArgs) -> anyhow::Result<u8> {
    let path = args.dir.join(config::FILE_NAME);
    write_new(&path, &config::template())?;
    eprintln!(
        "tollgate: wrote {}; `tollgate scan` applies it to this directory and those below",
        shown(&path)
    );
    write_stdout(PRE_COMMIT_SNIPPET)?;
    Ok(0)
}

/// Creates `path` with `text`; an existing file is an error and is left as it is.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = match std::fs::File::create_new(path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => anyhow::bail!(
            "{} already exists and is left as it is; edit it, or remove it and run \
             `tollgate init` again",
            shown(path)
        ),
        created => created.with_context(|| format!("cannot create {}", shown(path)))?,
    };
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", shown(path)))
}

/// A path for a message, cleaned as every path tollgate did not choose.
fn shown(path: &Path) -> String {
    untrusted::clean_text(&path.display().to_string()).into_owned()
}

/// Prints a JSON Schema: what `schemas/` holds.
pub fn schema_command(args: SchemaArgs) -> anyhow::Result<u8> {
    let document = match args.document {
        SchemaDocument::Config => Document::Config,
        SchemaDocument::Report => Document::Report,
    };
    write_stdout(&document.render())?;
    Ok(0)
}

/// Prints the completion script of a shell.
pub fn completions_command(args: CompletionsArgs) -> anyhow::Result<u8> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "tollgate", &mut script);
    write_stdout(&String::from_utf8(script).context("the completion script is not UTF-8")?)?;
    Ok(0)
}

/// Prints `tollgate.1`, or writes it and a page per subcommand into a directory.
pub fn man_command(args: ManArgs) -> anyhow::Result<u8> {
    match args.output {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", shown(&dir)))?;
            write_pages(manual(), &dir)
                .with_context(|| format!("cannot write the manual pages into {}", shown(&dir)))?;
            eprintln!("tollgate: wrote the manual pages into {}", shown(&dir));
        }
        None => {
            let mut page = Vec::new();
            man_page(manual())
                .render(&mut page)
                .context("cannot render the manual page")?;
            write_stdout(&String::from_utf8(page).context("the manual page is not UTF-8")?)?;
        }
    }
    Ok(0)
}

/// The command line as the manual pages describe it, built (so subcommands are named
/// `tollgate-scan`, ...) and without the `help` subcommand, which `--help` covers.
fn manual() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// Writes the page of `command` and of each of its subcommands, recursively, into `dir`.
fn write_pages(command: clap::Command, dir: &Path) -> std::io::Result<()> {
    for subcommand in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(subcommand.clone(), dir)?;
    }
    man_page(command).generate_to(dir).map(drop)
}

/// The manual page of `command`, its footer naming tollgate's version.
fn man_page(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(format!("tollgate {}", env!("CARGO_PKG_VERSION")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hook `init` prints runs what the published `tollgate` hook runs.
    #[test]
    fn the_printed_hook_is_the_published_one() {
        let hook_lines = |text: &'static str| -> Vec<&'static str> {
            text.lines()
                .skip_while(|line| !line.ends_with("- id: tollgate"))
                .skip(1)
                .map(str::trim)
                .take_while(|line| !line.is_empty() && !line.starts_with("- id:"))
                .filter(|line| !line.starts_with("description:"))
                .collect()
        };
        let published = hook_lines(include_str!("../../../.pre-commit-hooks.yaml"));
        assert_eq!(published.len(), 5, "{published:?}");
        assert_eq!(hook_lines(PRE_COMMIT_SNIPPET), published);
    }
}
