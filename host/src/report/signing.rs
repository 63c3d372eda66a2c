//! Signed evidence: a report file signed with an SSH key by OpenSSH's own `ssh-keygen -Y
//! sign` (namespace `tollgate`), the signature written beside it as `REPORT.sig`, and
//! checked with `ssh-keygen -Y verify` against an allowed-signers file. tollgate handles no
//! key material itself: it asks `ssh-keygen -l` for the key's fingerprint (recorded in the
//! report before it is rendered, see [`super::SignatureRecord`]) and lets `ssh-keygen`
//! sign and verify the final bytes.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::SignatureRecord;

/// The signature namespace: a signature made for another purpose (Git commits, files)
/// with the same key does not verify as a report's.
pub const NAMESPACE: &str = "tollgate";

/// The OpenSSH program that signs and verifies.
const SSH_KEYGEN: &str = "ssh-keygen";

/// Why a report could not be signed or its signature checked at all (a signature that
/// does not verify is a [`Verdict`], not an error).
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(
        "cannot run {SSH_KEYGEN}: {0}; signing needs OpenSSH's ssh-keygen (Debian and Ubuntu: apt-get install openssh-client)"
    )]
    Missing(std::io::Error),
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("cannot write {path}: {error}")]
    Write { path: String, error: std::io::Error },
    #[error("ssh-keygen cannot read the signing key {key}: {reason}")]
    Key { key: String, reason: String },
    #[error("ssh-keygen could not sign {file}: {reason}")]
    Sign { file: String, reason: String },
}

/// A signing key, with what `ssh-keygen -l` says of it.
#[derive(Clone, Debug)]
pub struct SigningKey {
    path: PathBuf,
    /// `SHA256:...`.
    pub fingerprint: String,
    /// `ED25519`, `RSA`, ...
    pub key_type: String,
}

impl SigningKey {
    /// Asks `ssh-keygen -l` for the fingerprint and type of the key in `path` (a private
    /// key whose public half it holds, or that has a `.pub` beside it).
    pub fn open(path: &Path) -> Result<Self, SignError> {
        let key = path.display().to_string();
        // Opened only to name an unreadable key as such; ssh-keygen reads it.
        std::fs::File::open(path).map_err(|error| SignError::Read {
            path: key.clone(),
            error,
        })?;
        let mut command = Command::new(SSH_KEYGEN);
        command.args(["-l", "-f"]).arg(path);
        let output = run(command, None)?;
        if !output.success {
            return Err(SignError::Key {
                key,
                reason: output.reason(),
            });
        }
        // `256 SHA256:... comment words (ED25519)`
        let line = output.stdout.lines().next().unwrap_or_default();
        let words: Vec<&str> = line.split_whitespace().collect();
        let fingerprint = words.get(1).filter(|w| w.contains(':'));
        let key_type = words
            .last()
            .and_then(|w| w.strip_prefix('(')?.strip_suffix(')'));
        match (fingerprint, key_type) {
            (Some(fingerprint), Some(key_type)) if words.len() >= 3 => Ok(Self {
                path: path.to_owned(),
                fingerprint: (*fingerprint).to_owned(),
                key_type: key_type.to_owned(),
            }),
            _ => Err(SignError::Key {
                key,
                reason: format!("unexpected output of ssh-keygen -l: {line:?}"),
            }),
        }
    }

    /// What the report records of a signature this key will make over `file`.
    pub fn record(&self, file: &Path) -> SignatureRecord {
        SignatureRecord {
            file: file.display().to_string(),
            signature: signature_path(file).display().to_string(),
            key_fingerprint: self.fingerprint.clone(),
            key_type: self.key_type.clone(),
            namespace: NAMESPACE.to_owned(),
        }
    }

    /// Signs the bytes of `file` as they are now and writes the signature to `FILE.sig`
    /// (replacing one left by an earlier run); returns that path.
    pub fn sign(&self, file: &Path) -> Result<PathBuf, SignError> {
        let bytes = read(file)?;
        let mut command = Command::new(SSH_KEYGEN);
        command
            .args(["-Y", "sign", "-n", NAMESPACE, "-f"])
            .arg(&self.path);
        let output = run(command, Some(&bytes))?;
        if !output.success || !output.stdout.contains("BEGIN SSH SIGNATURE") {
            return Err(SignError::Sign {
                file: file.display().to_string(),
                reason: output.reason(),
            });
        }
        let signature = signature_path(file);
        std::fs::write(&signature, &output.stdout).map_err(|error| SignError::Write {
            path: signature.display().to_string(),
            error,
        })?;
        Ok(signature)
    }
}

/// Where the signature of `file` goes: `FILE.sig` beside it.
pub fn signature_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// What `ssh-keygen -Y verify` concluded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The signature is good and made by `principal`'s key; `detail` is ssh-keygen's
    /// own line (key type and fingerprint).
    Good { principal: String, detail: String },
    /// It is not: the file changed, the key is not allowed, or the signature is not one.
    Bad { reason: String },
}

/// The files a verification reads.
#[derive(Clone, Copy, Debug)]
pub struct VerifyRequest<'a> {
    pub report: &'a Path,
    pub signature: &'a Path,
    pub allowed_signers: &'a Path,
    /// The principal the signature must be from; when `None`, every principal of the
    /// allowed-signers file whose key made the signature is tried.
    pub identity: Option<&'a str>,
}

/// Verifies the signature of a report against an allowed-signers file.
pub fn verify(request: VerifyRequest<'_>) -> Result<Verdict, SignError> {
    let bytes = read(request.report)?;
    read(request.signature)?;
    read(request.allowed_signers)?;
    let principals = match request.identity {
        Some(identity) => vec![identity.to_owned()],
        None => match find_principals(request)? {
            Ok(found) => found,
            Err(bad) => return Ok(bad),
        },
    };
    let mut reason = String::new();
    for principal in principals {
        let mut command = Command::new(SSH_KEYGEN);
        command
            .args(["-Y", "verify", "-n", NAMESPACE, "-f"])
            .arg(request.allowed_signers)
            .args(["-I", &principal, "-s"])
            .arg(request.signature);
        let output = run(command, Some(&bytes))?;
        if output.success {
            let detail = output.stdout.lines().next().unwrap_or_default().to_owned();
            return Ok(Verdict::Good { principal, detail });
        }
        reason = output.reason();
    }
    Ok(Verdict::Bad { reason })
}

/// The principals of the allowed-signers file that hold the key that made the signature,
/// or the verdict when none does.
fn find_principals(request: VerifyRequest<'_>) -> Result<Result<Vec<String>, Verdict>, SignError> {
    let mut command = Command::new(SSH_KEYGEN);
    command
        .args(["-Y", "find-principals", "-s"])
        .arg(request.signature)
        .arg("-f")
        .arg(request.allowed_signers);
    let output = run(command, None)?;
    let found: Vec<String> = output.stdout.lines().map(str::to_owned).collect();
    if output.success && !found.is_empty() {
        return Ok(Ok(found));
    }
    Ok(Err(Verdict::Bad {
        reason: format!(
            "no principal of {} holds the key that made {} ({})",
            request.allowed_signers.display(),
            request.signature.display(),
            output.reason()
        ),
    }))
}

fn read(path: &Path) -> Result<Vec<u8>, SignError> {
    std::fs::read(path).map_err(|error| SignError::Read {
        path: path.display().to_string(),
        error,
    })
}

/// What a run of ssh-keygen printed.
struct KeygenOutput {
    success: bool,
    stdout: String,
    stderr: String,
}

impl KeygenOutput {
    /// Why it failed, in ssh-keygen's words (its last line on stderr, else on stdout).
    fn reason(&self) -> String {
        let last = |text: &str| {
            text.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map(str::trim)
                .map(str::to_owned)
        };
        last(&self.stderr)
            .or_else(|| last(&self.stdout))
            .unwrap_or_else(|| "ssh-keygen failed without a message".to_owned())
    }
}

/// Runs an ssh-keygen command, feeding `input` on its standard input (an empty one when
/// `None`).
fn run(mut command: Command, input: Option<&[u8]>) -> Result<KeygenOutput, SignError> {
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(SignError::Missing)?;
    let stdin = child.stdin.take();
    let output = std::thread::scope(|scope| {
        if let (Some(mut stdin), Some(input)) = (stdin, input) {
            // A write error means ssh-keygen stopped reading; its exit status says why.
            scope.spawn(move || {
                let _ = stdin.write_all(input);
            });
        }
        child.wait_with_output()
    })
    .map_err(SignError::Missing)?;
    Ok(KeygenOutput {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_goes_beside_the_report() {
        assert_eq!(
            signature_path(Path::new("out/report.html")),
            PathBuf::from("out/report.html.sig")
        );
    }
}
