//! Git history holds many versions of each file, and a credential that stays in a file
//! is in every version after it arrived. Over history, a credential is reported once:
//! findings with the same fingerprint (rule, check, path, and the value hash or the
//! object and field) merge into the one from the oldest blob, which records where it
//! first appeared and how many blob versions hold it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::input::Inputs;
use crate::report::FindingRecord;

/// Merges history findings of the same credential into the earliest one (by the order of
/// `file_index` into `inputs.files`, oldest blob first) and sets `first_seen` and
/// `versions` on each kept history finding. Findings outside history are left as they
/// are.
pub fn merge_versions(
    findings: &mut Vec<FindingRecord>,
    inputs: &Inputs,
    file_index: &BTreeMap<&str, usize>,
) {
    let first_seen = |f: &FindingRecord| {
        let source = file_index
            .get(f.location.file.as_str())
            .map(|&i| &inputs.files[i]);
        source.and_then(|s| s.first_seen.as_ref())
    };
    let mut credentials: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, finding) in findings.iter().enumerate() {
        if first_seen(finding).is_some() {
            credentials.entry(&finding.fingerprint).or_default().push(i);
        }
    }
    let position = |i: &usize| {
        let at = &findings[*i].location;
        (
            file_index.get(at.file.as_str()).copied(),
            at.line,
            at.column,
        )
    };
    let mut versions: Vec<Option<usize>> = vec![None; findings.len()];
    let mut merged = vec![false; findings.len()];
    for holders in credentials.values() {
        let earliest = *holders
            .iter()
            .min_by_key(|i| position(i))
            .expect("a group has one");
        let blobs: BTreeSet<&str> = holders
            .iter()
            .map(|&i| findings[i].location.file.as_str())
            .collect();
        versions[earliest] = Some(blobs.len());
        for &i in holders.iter().filter(|&&i| i != earliest) {
            merged[i] = true;
        }
    }
    for (finding, count) in findings.iter_mut().zip(versions) {
        if count.is_some() && finding.location.first_seen.is_none() {
            finding.location.first_seen =
                first_seen(finding).map(|first| Box::new(super::assemble::first_seen(first)));
        }
        finding.location.versions = count;
    }
    let mut merged = merged.into_iter();
    findings.retain(|_| !merged.next().expect("one flag per finding"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{SourceFile, git::FirstSeen};
    use crate::report::{LocationRecord, Severity};

    fn finding(file: &str, line: u32, fingerprint: &str) -> FindingRecord {
        FindingRecord {
            rule: "no-git-credentials".into(),
            check: "aws-access-key-id".into(),
            severity: Severity::High,
            message: String::new(),
            controls: [].into(),
            location: LocationRecord {
                file: file.into(),
                line,
                ..LocationRecord::default()
            },
            evidence: None,
            waiver: None,
            fingerprint: fingerprint.into(),
        }
    }

    /// Inputs of these files, in order; those named `path@commit` are history blobs.
    fn inputs(names: &[&str]) -> Inputs {
        let files = names
            .iter()
            .map(|name| SourceFile {
                path: (*name).into(),
                bytes: Vec::new(),
                size: 0,
                sha256: String::new(),
                objects: 0,
                asserted: false,
                first_seen: name.split_once('@').map(|(path, commit)| FirstSeen {
                    commit: commit.into(),
                    author_date: "2026-03-04T05:06:07Z".into(),
                    path: path.into(),
                    blob: format!("blob-{commit}"),
                }),
            })
            .collect();
        Inputs {
            files,
            ..Inputs::default()
        }
    }

    fn index(inputs: &Inputs) -> BTreeMap<&str, usize> {
        let names = inputs.files.iter().map(|f| f.path.as_str());
        names.enumerate().map(|(i, n)| (n, i)).collect()
    }

    #[test]
    fn one_finding_per_credential_from_its_oldest_blob() {
        let inputs = inputs(&["a.env@1", "a.env@2", "a.env@3"]);
        let mut findings = vec![
            finding("a.env@2", 4, "k1"),
            finding("a.env@1", 3, "k1"),
            finding("a.env@3", 5, "k1"),
            finding("a.env@3", 9, "k2"),
        ];
        merge_versions(&mut findings, &inputs, &index(&inputs));
        let kept: Vec<(&str, u32, Option<usize>, Option<&str>)> = findings
            .iter()
            .map(|f| {
                let at = &f.location;
                let commit = at.first_seen.as_ref().map(|s| s.commit.as_str());
                (at.file.as_str(), at.line, at.versions, commit)
            })
            .collect();
        assert_eq!(
            kept,
            [
                ("a.env@1", 3, Some(3), Some("1")),
                ("a.env@3", 9, Some(1), Some("3"))
            ]
        );
    }

    #[test]
    fn findings_outside_history_are_untouched() {
        let inputs = inputs(&["a.env"]);
        let mut findings = vec![finding("a.env", 1, "k1"), finding("a.env", 2, "k1")];
        merge_versions(&mut findings, &inputs, &index(&inputs));
        assert_eq!(findings.len(), 2);
        assert!(findings.iter().all(|f| f.location.versions.is_none()));
        assert!(findings.iter().all(|f| f.location.first_seen.is_none()));
    }
}
