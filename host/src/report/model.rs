//! The canonical report: what every format renders. Serialized as JSON it is the
//! `--format json` output (with `schema_version`), from which other formats can be made.

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::vocab::{ControlRef, FailOn, Framework, Severity};

/// Version of this JSON shape; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub settings: Settings,
    pub rules: Vec<RuleResult>,
    /// Every control of the selected frameworks, with its status and evidence.
    pub controls: Vec<ControlResult>,
    pub findings: Vec<FindingRecord>,
    pub errors: Vec<ErrorRecord>,
    pub inputs: Vec<InputRecord>,
    /// Files not judged as Kubernetes manifests, each named with the reason: binary,
    /// oversized and deleted ones were not read at all; the others (YAML that is not
    /// Kubernetes, templates, Helm chart files, kustomize patches) were read by the rules
    /// that read files.
    #[serde(default)]
    pub skipped: Vec<SkippedRecord>,
    /// What the run could not do the way it would have liked, and what it did instead
    /// (Helm charts not rendered, kustomizations not built).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<NoticeRecord>,
    pub evidence: Evidence,
    pub summary: Summary,
}

impl Report {
    /// How many controls of `framework` have `status`.
    pub fn control_count(&self, framework: &Framework, status: ControlStatus) -> usize {
        self.controls
            .iter()
            .filter(|c| c.framework == *framework && c.status == status)
            .count()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The options that shaped the result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Settings {
    pub default_namespace: String,
    /// Lowest severity that fails the run, or `never`.
    pub fail_on: FailOn,
    /// The frameworks whose controls the report assesses.
    pub frameworks: Vec<Framework>,
    /// The full title of each of `frameworks`, with the version its control ids and titles
    /// are taken from. Absent from reports written before it was added.
    #[serde(default)]
    pub framework_titles: Vec<FrameworkTitle>,
}

impl Settings {
    /// The settings of a run over `frameworks`, each titled from the catalog.
    pub fn new(default_namespace: String, fail_on: FailOn, frameworks: Vec<Framework>) -> Self {
        let framework_titles = frameworks
            .iter()
            .map(|&name| FrameworkTitle {
                name,
                title: crate::catalog::catalog(name).title.clone(),
            })
            .collect();
        Self {
            default_namespace,
            fail_on,
            frameworks,
            framework_titles,
        }
    }

    /// A framework as reports name it: `name: full title`, or the name alone when the
    /// report does not carry its title.
    pub fn framework_label(&self, name: &Framework) -> String {
        match self.framework_titles.iter().find(|t| t.name == *name) {
            Some(t) => format!("{name}: {}", t.title),
            None => name.to_string(),
        }
    }

    /// The full title of a framework, if the report carries it.
    pub fn framework_title(&self, name: &Framework) -> Option<&str> {
        let titled = self.framework_titles.iter().find(|t| t.name == *name);
        titled.map(|t| t.title.as_str())
    }
}

/// A framework's report name and full title, with its version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkTitle {
    pub name: Framework,
    pub title: String,
}

/// How a control fares in this run.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    /// A finding that is not waived breaks it.
    NotSatisfied,
    /// A rule evidencing it failed to run, or inputs could not be read: no verdict.
    Error,
    /// Only waived findings break it: exceptions with accepted risk, never satisfied.
    Waived,
    /// Nothing breaks it, but only some of the rules evidencing it judged something for
    /// it: the others were not run or found nothing in the input that bears on it.
    Partial,
    /// Every rule evidencing it ran over every input, each judged something that bears on
    /// it, and none found anything: tested, no exceptions in the scanned scope.
    Satisfied,
    /// No rule that ran evidences it, or its rules found nothing in the input to judge.
    NotAssessed,
}

impl ControlStatus {
    pub const ALL: [ControlStatus; 6] = [
        Self::NotSatisfied,
        Self::Error,
        Self::Waived,
        Self::Partial,
        Self::Satisfied,
        Self::NotAssessed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::NotSatisfied => "not-satisfied",
            Self::Error => "error",
            Self::Waived => "waived",
            Self::Partial => "partial",
            Self::Satisfied => "satisfied",
            Self::NotAssessed => "not-assessed",
        }
    }
}

/// What a control's status rests on: the objects and files its checks judged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Scope {
    /// Objects judged, counted by kind, kinds in name order.
    pub objects: BTreeMap<String, usize>,
    /// Files read.
    pub files: usize,
}

impl Scope {
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty() && self.files == 0
    }

    /// The sum of two scopes over disjoint inputs (shards of one estate).
    pub fn add(&mut self, other: &Scope) {
        for (kind, count) in &other.objects {
            *self.objects.entry(kind.clone()).or_insert(0) += count;
        }
        self.files += other.files;
    }
}

impl std::fmt::Display for Scope {
    /// `3 objects (1 ClusterRole, 2 Role) and 40 files`, `nothing`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total: usize = self.objects.values().sum();
        let kinds: Vec<String> = self
            .objects
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        let objects = (total > 0).then(|| {
            format!(
                "{} ({})",
                super::Counted::new(total, "object"),
                kinds.join(", ")
            )
        });
        let files = (self.files > 0).then(|| super::Counted::new(self.files, "file").to_string());
        match (objects, files) {
            (Some(o), Some(f2)) => write!(f, "{o} and {f2}"),
            (Some(one), None) | (None, Some(one)) => f.write_str(&one),
            (None, None) => f.write_str("nothing"),
        }
    }
}

/// One control of a selected framework and its evidence in this run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ControlResult {
    pub framework: Framework,
    pub id: String,
    pub title: String,
    pub status: ControlStatus,
    /// Why the status is what it is, in a sentence, with the scope it rests on.
    pub basis: String,
    /// The objects and files the checks evidencing it judged in this run.
    #[serde(default)]
    pub scope: Scope,
    /// The rules that ran and evidence this control.
    pub rules: Vec<String>,
    /// Fingerprints of the findings that break it (not waived).
    pub findings: Vec<String>,
    /// Fingerprints of the waived findings that would break it.
    pub waived: Vec<String>,
}

/// What an auditor needs to trust the report: when, by what, over which revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// UTC, RFC 3339 (`SOURCE_DATE_EPOCH` fixes it for reproducible reports).
    pub generated_at: String,
    pub tool: Tool,
    /// Every rule plugin that ran, with its digest.
    pub plugins: Vec<PluginRecord>,
    /// The Git revision of the scanned inputs, when they are in a repository.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub git: Option<GitRecord>,
    /// The config file applied, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<ConfigRecord>,
    /// Every waiver of the config, applied or not, with how many findings it waived.
    pub waivers: Vec<WaiverEntry>,
    /// For a merged report: the runs it was made from.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub shards: Vec<Shard>,
    /// The SSH signature written beside the report file (`scan --sign`), if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signature: Option<SignatureRecord>,
}

/// How a report file is signed: an SSH signature (`ssh-keygen -Y sign`) over the file's
/// final bytes, in a file beside it. Recorded before rendering, so every format can say
/// which key signed it; the signature itself is made after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignatureRecord {
    /// The report file the signature covers, as the scan was told to write it.
    pub file: String,
    /// The signature file, `FILE.sig`.
    pub signature: String,
    /// The signing key's fingerprint as `ssh-keygen -l` prints it: `SHA256:...`.
    pub key_fingerprint: String,
    /// The key's type: `ED25519`, `RSA`, `ECDSA`, ...
    pub key_type: String,
    /// The signature namespace, `tollgate`: a signature made for another purpose does
    /// not verify as a report's.
    pub namespace: String,
}

/// One run merged into a report (`tollgate report merge`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Shard {
    /// The report file as given, and its SHA-256.
    pub path: String,
    pub sha256: String,
    pub generated_at: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub git: Option<GitRecord>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<ConfigRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PluginRecord {
    pub id: String,
    pub version: String,
    pub sha256: String,
    pub source: RuleSource,
}

/// Where a rule came from: built into tollgate, or a plugin file (`--plugin`, or pinned
/// in the config). Written as `builtin` or the file's path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(from = "String", into = "String")]
#[schemars(with = "String")]
pub enum RuleSource {
    Builtin,
    File(String),
}

impl From<String> for RuleSource {
    fn from(text: String) -> Self {
        if text == "builtin" {
            Self::Builtin
        } else {
            Self::File(text)
        }
    }
}

impl From<RuleSource> for String {
    fn from(source: RuleSource) -> Self {
        source.to_string()
    }
}

impl std::fmt::Display for RuleSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Builtin => f.write_str("builtin"),
            Self::File(path) => f.write_str(path),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GitRecord {
    pub commit: String,
    /// Uncommitted changes (tracked or untracked) in the work tree when the scan ran.
    pub dirty: bool,
}

/// A waiver of the config file, as the report records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WaiverEntry {
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub check: Option<String>,
    /// `object Kind/namespace/name` or `path GLOB`.
    pub target: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub approved_by: Option<String>,
    /// Past its expiry date: it no longer applies.
    pub expired: bool,
    /// Findings it waived in this run.
    pub applied: usize,
}

/// A config file, by path and digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigRecord {
    pub path: String,
    pub sha256: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    Pass,
    Fail,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RuleResult {
    pub id: String,
    pub version: String,
    pub title: String,
    pub description: String,
    /// Every check of the rule, with the controls its findings break.
    pub checks: Vec<CheckRecord>,
    /// `builtin` or the path of the plugin file.
    pub source: RuleSource,
    /// SHA-256 of the plugin component.
    pub sha256: String,
    /// `fail` when a finding that is not waived remains.
    pub status: RuleStatus,
    /// Findings not waived.
    pub findings: usize,
    pub waived: usize,
    /// What each check judged in this run (checks that judged nothing are absent).
    #[serde(default)]
    pub coverage: Vec<CheckCoverage>,
    /// What the rule reads.
    #[serde(default)]
    pub inputs: Vec<RuleInput>,
}

impl RuleResult {
    /// Every control the rule evidences, once each, in the order its checks name them.
    pub fn controls(&self) -> Vec<&ControlRef> {
        let mut all: Vec<&ControlRef> = Vec::new();
        for control in self.checks.iter().flat_map(|c| &c.controls) {
            if !all.contains(&control) {
                all.push(control);
            }
        }
        all
    }

    /// The declared check `id`.
    pub fn check(&self, id: &str) -> Option<&CheckRecord> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The checks that evidence `control`.
    pub fn checks_for<'a>(
        &'a self,
        control: &'a ControlRef,
    ) -> impl Iterator<Item = &'a CheckRecord> {
        self.checks
            .iter()
            .filter(move |c| c.controls.contains(control))
    }
}

/// One check of a rule, as its plugin declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CheckRecord {
    pub id: String,
    pub title: String,
    /// Severity of its findings unless configured or said otherwise.
    pub severity: Severity,
    pub rationale: String,
    pub remediation: String,
    pub controls: Vec<ControlRef>,
}

/// What one check judged in a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CheckCoverage {
    pub check: String,
    /// Objects judged.
    pub objects: usize,
    /// Files read.
    pub files: usize,
}

/// What a rule reads: the manifest set, or the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleInput {
    Manifests,
    Files,
}

impl RuleInput {
    /// As reports write it: `manifests` or `files`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Manifests => "manifests",
            Self::Files => "files",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FindingRecord {
    pub rule: String,
    pub check: String,
    pub severity: Severity,
    pub message: String,
    // The controls of its check: one list shared by the check's findings (31,000 findings
    // at 100k objects held 33 MiB of copies until the report was written).
    pub controls: Arc<[ControlRef]>,
    pub location: LocationRecord,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub evidence: Option<String>,
    /// Present when the finding is waived: reported, but it does not fail the run.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    // Boxed, as is `first_seen`: most findings have neither, and a report may hold
    // hundreds of thousands (each was 160 bytes larger).
    pub waiver: Option<Box<WaiverRecord>>,
    /// Stable across runs and line moves: rule, check, object or file, and what the rule
    /// says identifies the finding.
    pub fingerprint: String,
}

/// Why a finding does not count, and who said so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WaiverRecord {
    pub source: WaiverSource,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub approved_by: Option<String>,
}

impl WaiverRecord {
    /// Who approved the exception and until when: `approved by ana, expires 2027-01-31`,
    /// `no approver, no expiry`.
    pub fn terms(&self) -> String {
        let approver = match &self.approved_by {
            Some(who) => format!("approved by {who}"),
            None => "no approver".to_owned(),
        };
        let expiry = match &self.expires {
            Some(date) => format!("expires {date}"),
            None => "no expiry".to_owned(),
        };
        format!("{approver}, {expiry}")
    }

    /// The exception in a sentence, as every format states it: `accepted risk, waived by
    /// annotation: REASON (approved by ana, expires 2027-01-31)`.
    pub fn describe(&self) -> String {
        format!(
            "accepted risk, waived {}: {} ({})",
            self.source.phrase(),
            self.reason,
            self.terms()
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverSource {
    /// An allowance or exemption in the rule's settings in the config file.
    RuleSettings,
    /// A waiver of the config file's `waivers`.
    Config,
    /// The `tollgate.dev/waive` annotation on the object.
    Annotation,
    /// The `--baseline` file: known before, not new.
    Baseline,
}

impl WaiverSource {
    /// Who waived, for sentences.
    pub fn phrase(self) -> &'static str {
        match self {
            Self::RuleSettings => "by the rule's settings",
            Self::Config => "by a config waiver",
            Self::Annotation => "by annotation",
            Self::Baseline => "by the baseline",
        }
    }
}

/// The parts of a file's path as a finding names it, without `.` and empty ones
/// (`./deploy//x.yaml` is `deploy/x.yaml`), for comparing the files of two runs.
pub fn file_parts(path: &str) -> Vec<&str> {
    (path.split('/'))
        .filter(|part| !part.is_empty() && *part != ".")
        .collect()
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LocationRecord {
    pub file: String,
    pub line: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// JSON pointer into the object.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pointer: Option<String>,
    /// For a finding in Git history: where its blob first appears.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_seen: Option<Box<FirstSeenRecord>>,
    /// For an object kustomize built: the kustomization it was built through.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub via: Option<String>,
    /// For a finding in Git history: how many blob versions of the file hold it (the
    /// finding is reported once, at its first).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub versions: Option<usize>,
}

/// Something that kept part of the input or a rule from yielding a trustworthy result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorRecord {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InputRecord {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub objects: usize,
    /// For a blob of Git history: where it first appears.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_seen: Option<FirstSeenRecord>,
}

/// The commit, author date and path where a blob of history first appears.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FirstSeenRecord {
    pub commit: String,
    pub author_date: String,
    pub path: String,
    pub blob: String,
}

/// A file that was not judged as Kubernetes manifests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SkippedRecord {
    pub path: String,
    /// Not read at all: `binary`, `oversized`, `deleted from the work tree`, `symlink`;
    /// read by the file rules only: `not kubernetes`, `template`, `helm chart`,
    /// `kustomize input`, `test assertion`.
    pub reason: SkippedReason,
    /// More about the reason: why it is not Kubernetes, the chart or kustomization, or
    /// the test that asserts it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub bytes: Option<u64>,
}

/// Why a file was not judged as Kubernetes manifests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SkippedReason {
    /// Holds NUL bytes: not read.
    #[serde(rename = "binary")]
    Binary,
    /// Over the size limit: not read.
    #[serde(rename = "oversized")]
    Oversized,
    /// Tracked by Git but deleted from the work tree: not read.
    #[serde(rename = "deleted from the work tree")]
    Deleted,
    /// A symbolic link met in a directory walk: not followed.
    #[serde(rename = "symlink")]
    Symlink,
    /// YAML or JSON that holds no Kubernetes object: read by the file rules.
    #[serde(rename = "not kubernetes")]
    NotKubernetes,
    /// A template, not rendered: read by the file rules.
    #[serde(rename = "template")]
    Template,
    /// A file of a Helm chart, not rendered: read by the file rules.
    #[serde(rename = "helm chart")]
    HelmChart,
    /// A patch or configuration of a kustomization: read by the file rules.
    #[serde(rename = "kustomize input")]
    KustomizeInput,
    /// What an end-to-end test (chainsaw, KUTTL) expects to find in a cluster, not
    /// objects to apply: read by the file rules.
    #[serde(rename = "test assertion")]
    TestAssertion,
}

impl SkippedReason {
    /// As reports write it: `binary`, `deleted from the work tree`, `helm chart`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::Binary => "binary",
            Self::Oversized => "oversized",
            Self::Deleted => "deleted from the work tree",
            Self::Symlink => "symlink",
            Self::NotKubernetes => "not kubernetes",
            Self::Template => "template",
            Self::HelmChart => "helm chart",
            Self::KustomizeInput => "kustomize input",
            Self::TestAssertion => "test assertion",
        }
    }
}

impl std::fmt::Display for SkippedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// Something the run could not do the way it would have liked, and what it did instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NoticeRecord {
    pub kind: NoticeKind,
    /// The directory or file it is about.
    pub path: String,
    pub message: String,
}

/// What a notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    /// A Helm chart that was not rendered: the objects it defines were not judged.
    HelmChart,
    /// A kustomization that was not built: its files were read as written.
    Kustomization,
    /// A template that declares a Secret: read as a file only.
    Template,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub rules: usize,
    pub files: usize,
    pub objects: usize,
    /// Findings not waived, and how many of them at each severity.
    pub findings: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    pub waived: usize,
    pub errors: usize,
    /// Files not scanned (binary, oversized).
    #[serde(default)]
    pub skipped: usize,
    /// `pass`, `fail` (findings at or above `fail_on`) or `error` (a result cannot be trusted).
    pub outcome: Outcome,
    pub exit_code: u8,
}

impl Summary {
    /// The summary of a run: `(rules, files, objects, skipped files)`, its findings
    /// (waived ones counted apart), how many errors, and the lowest failing severity
    /// (`None`: never).
    pub fn of(
        (rules, files, objects, skipped): (usize, usize, usize, usize),
        findings: &[FindingRecord],
        errors: usize,
        fail_on: Option<Severity>,
    ) -> Self {
        let active: Vec<&FindingRecord> = findings.iter().filter(|f| f.waiver.is_none()).collect();
        let mut by_severity = BTreeMap::new();
        for finding in &active {
            *by_severity.entry(finding.severity).or_insert(0) += 1;
        }
        let outcome = if errors > 0 {
            Outcome::Error
        } else if fail_on.is_some_and(|t| active.iter().any(|f| f.severity >= t)) {
            Outcome::Fail
        } else {
            Outcome::Pass
        };
        Self {
            rules,
            files,
            objects,
            findings: active.len(),
            by_severity,
            waived: findings.len() - active.len(),
            errors,
            skipped,
            outcome,
            exit_code: outcome.exit_code(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Error,
}

impl Outcome {
    /// 0 pass, 1 findings, 2 errors.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Pass => 0,
            Self::Fail => 1,
            Self::Error => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_carry_the_cis_version_and_older_reports_still_render() {
        let cis = Framework::CisKubernetes;
        let mut settings = Settings::new("default".into(), FailOn::At(Severity::Low), vec![cis]);
        assert_eq!(
            settings.framework_label(&cis),
            "cis-kubernetes: CIS Kubernetes Benchmark v1.12 (ids also valid for v1.9-v1.11)"
        );
        // A report saved before titles were carried: the name alone.
        settings.framework_titles.clear();
        assert_eq!(settings.framework_label(&cis), "cis-kubernetes");
        assert_eq!(settings.framework_title(&cis), None);
    }
}
