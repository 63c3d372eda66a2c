//! The commands that treat reports as evidence over time: `report diff` (what changed
//! between two runs), `report verify` (is a signed report as it was signed), and the
//! signing step of `scan --sign`.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::args::{DiffArgs, DiffFormat, VerifyArgs};
use super::write_stdout;
use crate::report::signing::{self, SigningKey, Verdict, VerifyRequest};
use crate::report::{SignatureRecord, diff, merge, untrusted};

/// Compares two saved reports and writes the comparison; the exit code is its outcome's.
pub fn diff_command(args: DiffArgs) -> anyhow::Result<u8> {
    let old = merge::read(&args.old)?;
    let new = merge::read(&args.new)?;
    let fail_on = args.fail_on.map_or(new.report.settings.fail_on, Into::into);
    let compared = diff::diff(&old, &new, fail_on);
    let text = match args.format {
        DiffFormat::Text => diff::render::text(&compared),
        DiffFormat::Json => diff::render::json(&compared),
        DiffFormat::Markdown => diff::render::markdown(&compared),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the diff to {}", path.display()))?,
        None => write_stdout(&text)?,
    }
    Ok(compared.summary.exit_code)
}

/// Verifies a report's signature; 0 good, 1 not good (the reason on standard error).
pub fn verify_command(args: VerifyArgs) -> anyhow::Result<u8> {
    let signature = args
        .signature
        .unwrap_or_else(|| signing::signature_path(&args.report));
    let verdict = signing::verify(VerifyRequest {
        report: &args.report,
        signature: &signature,
        allowed_signers: &args.allowed_signers,
        identity: args.identity.as_deref(),
    })?;
    let report = args.report.display().to_string();
    match verdict {
        Verdict::Good { principal, detail } => {
            let line = format!("tollgate: {report}: good signature by {principal} ({detail})");
            write_stdout(&format!("{}\n", untrusted::clean_text(&line)))?;
            Ok(0)
        }
        Verdict::Bad { reason } => {
            let line = format!(
                "tollgate: {report}: the signature {} does not verify: {reason}",
                signature.display()
            );
            eprintln!("{}", untrusted::clean_text(&line));
            Ok(1)
        }
    }
}

/// The key of `scan --sign` and the report file it signs.
pub struct Signer {
    key: SigningKey,
    file: PathBuf,
}

impl Signer {
    /// Opens the key given to `--sign` (clap makes `-o` required with it).
    pub fn open(key: Option<&Path>, output: Option<&Path>) -> anyhow::Result<Option<Self>> {
        let (Some(key), Some(file)) = (key, output) else {
            return Ok(None);
        };
        Ok(Some(Self {
            key: SigningKey::open(key)?,
            file: file.to_owned(),
        }))
    }

    /// What the report says of its signature.
    pub fn record(&self) -> SignatureRecord {
        self.key.record(&self.file)
    }

    /// Signs the written report and says where the signature went.
    pub fn sign(&self) -> anyhow::Result<()> {
        let signature = self.key.sign(&self.file)?;
        let line = format!(
            "tollgate: signed {} with {} key {} into {}",
            self.file.display(),
            self.key.key_type,
            self.key.fingerprint,
            signature.display()
        );
        eprintln!("{}", untrusted::clean_text(&line));
        Ok(())
    }
}
