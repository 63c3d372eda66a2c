//! Credentials in Git: the tracked files (`--repo`), the staged index (`--staged`), every
//! blob of history (`--history`), baselines, every detector on fake but well-formed
//! tokens built here at test time, and the pre-commit hook run by the real `pre-commit`.
//! No output may ever hold a planted secret.

use std::path::{Path, PathBuf};
use std::process::Command;

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::{Run, SOURCE_DATE_EPOCH, findings, test_tool, tollgate};

/// A deterministic filler of `n` characters from `alphabet`, different per `seed`.
fn filler(n: usize, alphabet: &str, seed: usize) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    (0..n)
        .map(|i| chars[(i * 11 + seed * 17 + i / 5) % chars.len()])
        .collect()
}

const ALNUM: &str = "AbCdEfGhJkMnPqRsTuVwXyZ23456789aBcDeFgHjKmNpQrStUvWxYz";

/// A fake AWS access key id (never a real one: built from a filler).
pub(crate) fn aws_key(seed: usize) -> String {
    format!("AKIA{}", filler(16, "ABCDEFGHJKMNPQRSTUVWXYZ234567", seed))
}

/// One line per detector, each with a fake credential of its shape, and the check id
/// expected on it.
fn planted() -> Vec<(&'static str, String)> {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let url64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    vec![
        (
            "aws-access-key-id",
            format!("aws_access_key_id = {}", aws_key(1)),
        ),
        (
            "aws-secret-access-key",
            format!("aws_secret_access_key = {}", filler(40, ALNUM, 2)),
        ),
        (
            "github-token",
            format!("GITHUB_TOKEN=ghp_{}", filler(36, ALNUM, 3)),
        ),
        (
            "gitlab-token",
            format!("gitlab: glpat-{}", filler(20, ALNUM, 4)),
        ),
        (
            "slack-token",
            format!("slack: xoxb-1234567890-{}", filler(24, ALNUM, 5)),
        ),
        (
            "slack-webhook",
            format!(
                "hook: https://hooks.slack.com/services/T{}/B{}/{}",
                filler(8, "ABCDEFGHJKMNPQRSTUVWXYZ234567", 6),
                filler(8, "ABCDEFGHJKMNPQRSTUVWXYZ234567", 7),
                filler(24, ALNUM, 8)
            ),
        ),
        (
            "stripe-key",
            format!("stripe = sk_live_{}", filler(28, ALNUM, 9)),
        ),
        (
            "google-api-key",
            format!("maps: AIza{}", filler(35, ALNUM, 10)),
        ),
        (
            "npm-token",
            format!(
                "//registry.npmjs.org/:_authToken=npm_{}",
                filler(36, ALNUM, 11)
            ),
        ),
        (
            "pypi-token",
            format!("pypi: pypi-AgEIcHlwaS5vcmc{}", filler(64, ALNUM, 12)),
        ),
        (
            "azure-storage-key",
            format!("AccountName=shop;AccountKey={}==;", filler(86, ALNUM, 13)),
        ),
        (
            "twilio-api-key",
            format!("twilio: SK{}", filler(32, "0123456789abcdef", 14)),
        ),
        (
            "sendgrid-api-key",
            format!(
                "sendgrid: SG.{}.{}",
                filler(22, ALNUM, 15),
                filler(43, ALNUM, 16)
            ),
        ),
        (
            "jwt",
            format!(
                "bearer {}.{}.{}",
                url64(r#"{"alg":"HS256","typ":"JWT"}"#),
                url64(r#"{"sub":"ci-bot","iat":1800000000}"#),
                filler(43, ALNUM, 17)
            ),
        ),
        (
            "kubeconfig-credential",
            format!("    client-key-data: {}", filler(64, ALNUM, 18)),
        ),
        (
            "docker-config-auth",
            format!(
                r#"{{"auths": {{"registry.example.com": {{"auth": "{}"}}}}}}"#,
                b64(&format!("robot:{}", filler(20, ALNUM, 19)))
            ),
        ),
        (
            "basic-auth-url",
            format!(
                "DATABASE_URL=postgres://app:{}@db.internal:5432/shop",
                filler(16, ALNUM, 20)
            ),
        ),
        (
            "generic-secret",
            format!("client_secret = \"{}\"", filler(24, ALNUM, 21)),
        ),
        (
            "private-key",
            format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----",
                filler(140, ALNUM, 22)
            ),
        ),
    ]
}

/// The secret parts of what [`planted`] plants: none may appear in any output.
fn secrets() -> Vec<String> {
    planted()
        .into_iter()
        .map(|(_, line)| {
            // The longest run of token characters is the secret (or holds it).
            line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .max_by_key(|s| s.len())
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// A temporary Git repository with an author set.
pub(crate) struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    pub(crate) fn new() -> Self {
        let repo = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn write(&self, name: &str, contents: &str) {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    pub(crate) fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .env("GIT_AUTHOR_DATE", "2026-03-04T05:06:07Z")
            .env("GIT_COMMITTER_DATE", "2026-03-04T05:06:07Z")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    pub(crate) fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// `tollgate scan ARGS --format json` in the repository.
    pub(crate) fn scan(&self, args: &[&str]) -> (i32, Value, Run) {
        let run: Run = tollgate()
            .current_dir(self.path())
            .args(["scan", "--format", "json"])
            .args(args)
            .output()
            .unwrap()
            .into();
        let report = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
        (run.code, report, run)
    }
}

fn assert_no_secret(text: &str) {
    for secret in secrets() {
        assert!(
            !text.contains(&secret),
            "a planted secret was printed: {}…",
            &secret[..6]
        );
    }
}

#[test]
fn every_detector_finds_its_credential_and_prints_none() {
    let repo = Repo::new();
    let mut text = String::from("# credentials planted by the tollgate tests, all fake\n");
    let mut expected = Vec::new();
    for (check, line) in planted() {
        let at = text.lines().count() + 1;
        text.push_str(&line);
        text.push('\n');
        expected.push(format!("no-git-credentials/{check} planted.env:{at}"));
    }
    repo.write("planted.env", &text);
    repo.commit("plant");
    let (code, report, run) = repo.scan(&["--repo"]);
    assert_eq!(code, 1, "{}", run.stderr);
    assert_eq!(findings(&report), expected);
    assert_no_secret(&run.stdout);
    assert_no_secret(&run.stderr);
    for format in ["text", "sarif", "junit", "markdown", "html", "oscal"] {
        let run: Run = tollgate()
            .current_dir(repo.path())
            .args(["scan", "--repo", "--format", format])
            .output()
            .unwrap()
            .into();
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_no_secret(&run.stdout);
        assert_no_secret(&run.stderr);
    }
}

/// Placeholders, references, digests, UUIDs, base64 of prose, a lock file and docs, in a
/// repository as they would be.
#[test]
fn false_positive_traps_stay_quiet() {
    let repo = Repo::new();
    let traps = crate::util::fixtures().join("credentials/traps");
    for entry in std::fs::read_dir(&traps).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), repo.path().join(entry.file_name())).unwrap();
    }
    repo.commit("traps");
    let (code, report, run) = repo.scan(&["--repo", "--rule", "no-git-credentials"]);
    assert_eq!(findings(&report), Vec::<String>::new());
    assert_eq!(report["summary"]["files"], 10);
    assert_eq!(code, 0, "{}", run.stderr);
}

#[test]
fn repo_reads_what_git_tracks_and_skips_binaries() {
    let repo = Repo::new();
    repo.write(".gitignore", "ignored.txt\n");
    repo.write("creds.txt", &format!("key = {}\n", aws_key(30)));
    repo.write(
        "ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
    );
    repo.write(".github/workflows/ci.yml", "on: push\njobs: {}\n");
    repo.write(
        "chart/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    std::fs::write(
        repo.path().join("logo.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .unwrap();
    repo.commit("initial");
    repo.write("untracked.txt", &format!("key = {}\n", aws_key(31)));
    repo.write("ignored.txt", &format!("key = {}\n", aws_key(32)));

    let (code, report, _) = repo.scan(&["--repo", "."]);
    assert_eq!(
        findings(&report),
        ["no-git-credentials/aws-access-key-id creds.txt:1"]
    );
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(
        report["skipped"],
        serde_json::json!([{"path": "logo.png", "reason": "binary"}])
    );
    assert_eq!(report["summary"]["skipped"], 1);
    assert_eq!(
        report["summary"]["objects"], 1,
        "only the Namespace is a Kubernetes object"
    );
    assert_eq!(code, 1);
}

/// Repository YAML that holds objects and a broken part is a manifest with an error; a
/// file that holds no object (a workflow, a chart template) is just a file.
#[test]
fn a_broken_manifest_in_a_repository_is_an_error() {
    let repo = Repo::new();
    repo.write(
        "deploy/ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\nkind: [\n",
    );
    repo.commit("broken");
    let (code, report, _) = repo.scan(&["--repo"]);
    assert_eq!(code, 2);
    assert_eq!(
        crate::util::errors(&report),
        [
            "deploy/ns.yaml:5 invalid YAML: did not find expected node content (while parsing a flow node)"
        ]
    );
    // The Namespace before the broken part is still read (and, running nothing, needs
    // no policy).
    assert_eq!(report["summary"]["objects"], 1);
    assert_eq!(findings(&report), Vec::<String>::new());
}

#[test]
fn staged_sees_the_index_not_the_work_tree() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit("initial");
    repo.write("staged.txt", &format!("key = {}\n", aws_key(40)));
    repo.git(&["add", "staged.txt"]);
    std::fs::remove_file(repo.path().join("staged.txt")).unwrap();
    repo.write("worktree.txt", &format!("key = {}\n", aws_key(41)));

    let (code, report, _) = repo.scan(&["--staged", "--rule", "no-git-credentials"]);
    assert_eq!(
        findings(&report),
        ["no-git-credentials/aws-access-key-id staged.txt:1"]
    );
    assert_eq!(code, 1);
    // The work tree, by contrast, has the other one.
    let (_, report, _) = repo.scan(&["worktree.txt", "--rule", "no-git-credentials"]);
    assert_eq!(
        findings(&report),
        ["no-git-credentials/aws-access-key-id worktree.txt:1"]
    );
}

#[test]
fn history_finds_a_secret_deleted_two_commits_ago() {
    let repo = Repo::new();
    repo.write(
        "config/old.env",
        &format!("AWS_ACCESS_KEY_ID={}\n", aws_key(50)),
    );
    let first = repo.commit("add config");
    std::fs::remove_file(repo.path().join("config/old.env")).unwrap();
    repo.commit("remove the key");
    repo.write("README.md", "clean now\n");
    repo.commit("docs");

    let (code, report, run) = repo.scan(&["--history"]);
    assert_eq!(code, 1, "{}", run.stderr);
    let at = format!("config/old.env@{}", &first[..12]);
    assert_eq!(
        findings(&report),
        [format!("no-git-credentials/aws-access-key-id {at}:1")]
    );
    let seen = &report["findings"][0]["location"]["first_seen"];
    assert_eq!(seen["commit"], first.as_str());
    assert_eq!(seen["path"], "config/old.env");
    assert_eq!(seen["author_date"], "2026-03-04T05:06:07Z");
    // Only the rules that read files run over history.
    let rules: Vec<&str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["no-git-credentials"]);
    // The work tree is clean.
    let (code, report, _) = repo.scan(&["--repo"]);
    assert_eq!((code, findings(&report)), (0, Vec::new()));
}

#[test]
fn outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for mode in ["--repo", "--staged", "--history"] {
        let run: Run = tollgate()
            .current_dir(dir.path())
            .args(["scan", mode, "--format", "json"])
            .output()
            .unwrap()
            .into();
        assert_eq!(run.code, 2, "{mode}");
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(report["errors"][0]["message"], "not a Git repository");
    }
}

/// The report names the commit its inputs were read at wherever git would find one: in
/// a subdirectory of a repository, in a linked work tree (whose `.git` is a file), dirty
/// once a file changes; outside any repository it names none.
#[test]
fn the_revision_scanned_is_recorded_wherever_git_finds_one() {
    let repo = Repo::new();
    repo.write(
        "deploy/app/ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
    );
    let head = repo.commit("first");
    let git_of = |report: &Value| report["evidence"]["git"].clone();
    let (_, report, run) = repo.scan(&["deploy/app"]);
    assert_eq!(
        git_of(&report),
        serde_json::json!({"commit": head, "dirty": false}),
        "{}",
        run.stderr
    );
    let (_, report, _) = repo.scan(&["deploy/app/ns.yaml"]);
    assert_eq!(git_of(&report)["commit"], head.as_str());

    let linked = tempfile::tempdir().unwrap();
    let tree = linked.path().join("tree");
    repo.git(&["worktree", "add", "-q", tree.to_str().unwrap()]);
    assert!(tree.join(".git").is_file());
    std::fs::write(tree.join("deploy/app/extra.yaml"), "kind: ConfigMap\n").unwrap();
    let (_, report, _) = repo.scan(&[tree.join("deploy").to_str().unwrap()]);
    assert_eq!(
        git_of(&report),
        serde_json::json!({"commit": head, "dirty": true})
    );

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
    )
    .unwrap();
    let (_, report, _) = repo.scan(&[outside.path().to_str().unwrap()]);
    assert_eq!(git_of(&report), Value::Null);
}

#[test]
fn a_baseline_reports_only_new_findings() {
    let repo = Repo::new();
    repo.write("old.env", &format!("KEY={}\n", aws_key(60)));
    repo.commit("old");
    let baseline = repo.path().join(".tollgate-baseline.json");
    let run: Run = tollgate()
        .current_dir(repo.path())
        .args(["baseline", "--repo", "--rule", "no-git-credentials"])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("wrote 1 finding fingerprint to .tollgate-baseline.json"),
        "{}",
        run.stderr
    );
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert!(!written.contains(&aws_key(60)));

    // The old key moves down two lines, a new one arrives: only the new one counts.
    repo.write("old.env", &format!("# moved\n\nKEY={}\n", aws_key(60)));
    repo.write("new.env", &format!("KEY={}\n", aws_key(61)));
    repo.commit("new");
    let (code, report, _) = repo.scan(&[
        "--repo",
        "--rule",
        "no-git-credentials",
        "--baseline",
        ".tollgate-baseline.json",
    ]);
    assert_eq!(code, 1);
    let waived: Vec<(String, Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["file"].as_str().unwrap().to_owned(),
                f["waiver"]["source"].clone(),
            )
        })
        .collect();
    assert_eq!(
        waived,
        [
            ("new.env".to_owned(), Value::Null),
            ("old.env".to_owned(), Value::from("baseline"))
        ]
    );
    let run: Run = tollgate()
        .current_dir(repo.path())
        .args([
            "scan",
            "--repo",
            "--rule",
            "no-git-credentials",
            "--baseline",
            ".tollgate-baseline.json",
        ])
        .output()
        .unwrap()
        .into();
    assert!(run.stdout.contains("new.env:1:5"), "{}", run.stdout);
    assert!(!run.stdout.contains("old.env"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1 finding in the baseline not shown"),
        "{}",
        run.stdout
    );
}

/// The hook as other repositories use it: `repo:` this checkout, `id: tollgate-secrets`.
#[test]
fn pre_commit_refuses_a_planted_key_and_passes_a_clean_commit() {
    let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let rev = Command::new("git")
        .arg("-C")
        .arg(&checkout)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let rev = String::from_utf8(rev.stdout).unwrap().trim().to_owned();
    let pre_commit = test_tool("venv/bin/pre-commit");
    let repo = Repo::new();
    let home = tempfile::tempdir().unwrap();
    repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: tollgate-secrets\n",
            checkout.canonicalize().unwrap().display()
        ),
    );
    repo.commit("add pre-commit config");
    let binary_dir = PathBuf::from(env!("CARGO_BIN_EXE_tollgate"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = |command: &mut Command| {
        command
            .current_dir(repo.path())
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", home.path())
            .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
            .envs(crate::util::plugin_cache_env())
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com");
    };
    let mut install = Command::new(&pre_commit);
    install.arg("install");
    env(&mut install);
    let output = install.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let commit = |message: &str| {
        let mut add = Command::new("git");
        add.args(["add", "-A"]);
        env(&mut add);
        assert!(add.output().unwrap().status.success());
        let mut commit = Command::new("git");
        commit.args(["commit", "-m", message]);
        env(&mut commit);
        let output = commit.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    };

    let key = aws_key(70);
    repo.write("deploy/.env", &format!("AWS_ACCESS_KEY_ID={key}\n"));
    let (ok, output) = commit("add credentials");
    assert!(!ok, "the commit must be refused:\n{output}");
    assert!(output.contains("tollgate credentials"), "{output}");
    assert!(output.contains("aws-access-key-id"), "{output}");
    assert!(output.contains("deploy/.env:1:19"), "{output}");
    assert!(!output.contains(&key), "the key was printed in clear");

    std::fs::remove_file(repo.path().join("deploy/.env")).unwrap();
    repo.write("README.md", "no secrets here\n");
    let (ok, output) = commit("docs");
    assert!(ok, "a clean commit passes:\n{output}");
    assert!(
        output.contains("tollgate credentials") && output.contains("Passed"),
        "{output}"
    );
}

/// A credential that stays in a file across commits is one finding, at the commit that
/// added it, counting the blob versions that hold it (a literal in a manifest too); a
/// second credential added later to the same file is another finding, at its own first
/// commit.
#[test]
fn history_reports_each_credential_once_with_its_versions() {
    let repo = Repo::new();
    let (old, new) = (aws_key(80), aws_key(81));
    repo.write(
        "deploy/app.env",
        &format!("AWS_ACCESS_KEY_ID={old}\nLOG=1\n"),
    );
    let pod = |labels: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: db\n  namespace: shop\n{labels}spec:\n  containers:\n  - name: mysql\n    image: mysql:8\n    env:\n    - name: MYSQL_ROOT_PASSWORD\n      value: password\n"
        )
    };
    repo.write("deploy/db.yaml", &pod(""));
    let first = repo.commit("add app config");
    repo.write(
        "deploy/app.env",
        &format!("AWS_ACCESS_KEY_ID={old}\nLOG=2\n"),
    );
    repo.write("deploy/db.yaml", &pod("  labels: {app: db}\n"));
    repo.commit("log more");
    repo.write(
        "deploy/app.env",
        &format!("# keys\nAWS_ACCESS_KEY_ID={old}\nLOG=2\nBACKUP_KEY_ID={new}\n"),
    );
    let third = repo.commit("add the backup key");
    repo.write("README.md", "docs\n");
    repo.commit("docs");

    let (code, report, run) = repo.scan(&["--history"]);
    assert_eq!(code, 1, "{}", run.stderr);
    assert_eq!(
        findings(&report),
        [
            format!(
                "no-git-credentials/aws-access-key-id deploy/app.env@{}:1",
                &first[..12]
            ),
            format!(
                "no-git-credentials/env-literal-secret deploy/db.yaml@{}:12 Pod shop/db",
                &first[..12]
            ),
            format!(
                "no-git-credentials/aws-access-key-id deploy/app.env@{}:4",
                &third[..12]
            ),
        ]
    );
    let seen: Vec<(&str, &Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["first_seen"]["commit"].as_str().unwrap(),
                &f["location"]["versions"],
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (first.as_str(), &Value::from(3)),
            (first.as_str(), &Value::from(2)),
            (third.as_str(), &Value::from(1))
        ]
    );
    assert_eq!(report["summary"]["findings"], 3);

    let text: Run = tollgate()
        .current_dir(repo.path())
        .args(["scan", "--history", "--format", "text"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
        .into();
    let history_lines: Vec<&str> = text
        .stdout
        .lines()
        .filter(|l| l.contains("first seen in commit"))
        .map(str::trim)
        .collect();
    assert_eq!(
        history_lines,
        [
            format!(
                "first seen in commit {} (2026-03-04T05:06:07Z) as deploy/app.env; held by 3 versions of the file",
                &first[..12]
            ),
            format!(
                "first seen in commit {} (2026-03-04T05:06:07Z) as deploy/db.yaml; held by 2 versions of the file",
                &first[..12]
            ),
            format!(
                "first seen in commit {} (2026-03-04T05:06:07Z) as deploy/app.env; held by 1 version of the file",
                &third[..12]
            ),
        ]
    );
    assert!(!text.stdout.contains(&old) && !text.stdout.contains(&new));
}
