//! Git history holds many versions of each file, and a credential that stays in a file
//! is in every version after it arrived. Over history, a credential is reported once:
//! findings with the same fingerprint (rule, check, path, value hash) merge into the one
//! from the oldest blob, which records how many blob versions hold it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::report::FindingRecord;

/// Merges history findings of the same credential into the earliest one (by the order of
/// `file_index`, oldest blob first) and sets `versions` on each kept history finding.
/// Findings outside history are left as they are.
pub fn merge_versions(findings: &mut Vec<FindingRecord>, file_index: &BTreeMap<&str, usize>) {
    let mut credentials: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, finding) in findings.iter().enumerate() {
        if finding.location.first_seen.is_some() {
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
        finding.location.versions = count;
    }
    let mut merged = merged.into_iter();
    findings.retain(|_| !merged.next().expect("one flag per finding"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FirstSeenRecord, LocationRecord, Severity};

    fn finding(file: &str, line: u32, fingerprint: &str, history: bool) -> FindingRecord {
        FindingRecord {
            rule: "no-git-credentials".into(),
            check: "aws-access-key-id".into(),
            severity: Severity::High,
            message: String::new(),
            controls: Vec::new(),
            location: LocationRecord {
                file: file.into(),
                line,
                first_seen: history.then(|| FirstSeenRecord {
                    commit: file.into(),
                    author_date: String::new(),
                    path: "a.env".into(),
                    blob: file.into(),
                }),
                ..LocationRecord::default()
            },
            evidence: None,
            waiver: None,
            fingerprint: fingerprint.into(),
        }
    }

    #[test]
    fn one_finding_per_credential_from_its_oldest_blob() {
        let index = BTreeMap::from([("a.env@1", 0), ("a.env@2", 1), ("a.env@3", 2)]);
        let mut findings = vec![
            finding("a.env@2", 4, "k1", true),
            finding("a.env@1", 3, "k1", true),
            finding("a.env@3", 5, "k1", true),
            finding("a.env@3", 9, "k2", true),
        ];
        merge_versions(&mut findings, &index);
        let kept: Vec<(&str, u32, Option<usize>)> = findings
            .iter()
            .map(|f| {
                (
                    f.location.file.as_str(),
                    f.location.line,
                    f.location.versions,
                )
            })
            .collect();
        assert_eq!(kept, [("a.env@1", 3, Some(3)), ("a.env@3", 9, Some(1))]);
    }

    #[test]
    fn findings_outside_history_are_untouched() {
        let index = BTreeMap::from([("a.env", 0)]);
        let mut findings = vec![
            finding("a.env", 1, "k1", false),
            finding("a.env", 2, "k1", false),
        ];
        merge_versions(&mut findings, &index);
        assert_eq!(findings.len(), 2);
        assert!(findings.iter().all(|f| f.location.versions.is_none()));
    }
}
