//! What rules' unit tests share: reading a verdict by object name, where its findings
//! point as the host reports them, and checking that a rule's declared kinds are all it
//! reads.

use crate::{Location, Manifests, Pointer, Rule, RuleInfo, Value, Verdict};

/// What a verdict concluded, by object name rather than position, so two runs over
/// different sets of objects compare.
#[derive(Debug, PartialEq, Eq)]
pub struct ByName {
    /// `(check, object, pointer)` of each finding, the pointer as the host reports it.
    pub findings: Vec<(String, String, String)>,
    /// `(check, objects)` of each check's coverage.
    pub coverage: Vec<(String, Vec<String>)>,
}

impl Verdict {
    /// The verdict by object name ([`crate::Object::display_name`]) of `set`'s objects;
    /// panics on a finding in a file, which a `check-manifests` verdict never holds.
    pub fn by_name(self, set: &Manifests) -> ByName {
        let name = |document: u32| kept(set, document).display_name();
        let findings = self.findings.into_iter().map(|f| match f.location {
            Location::Object(o) => (f.check, name(o.document), reported(set, &o)),
            Location::File(_) => panic!("{}: an object finding expected", f.check),
        });
        let coverage = self.coverage.into_iter();
        let coverage = coverage.map(|c| (c.check, c.documents.into_iter().map(name).collect()));
        ByName {
            findings: findings.collect(),
            coverage: coverage.collect(),
        }
    }
}

/// Runs rule `R` over `values` and over only those of the kinds it declares, and asserts
/// that both runs conclude the same, and something (findings and coverage): objects of
/// other kinds, which the host does not send, change nothing. Returns how many values
/// are of a declared kind.
pub fn assert_undeclared_kinds_change_nothing<R: Rule>(
    values: Vec<Value>,
    settings: &R::Settings,
) -> usize {
    let declared = R::info().kinds;
    let only_declared: Vec<Value> = values
        .iter()
        .filter(|v| declared.iter().any(|k| v["kind"] == k.as_str()))
        .cloned()
        .collect();
    let count = only_declared.len();
    let run = |values: Vec<Value>| {
        let set = Manifests::from_values("default", values)
            .unwrap()
            .kept::<R>();
        R::check_manifests(&set, settings).unwrap().by_name(&set)
    };
    let all = run(values);
    assert!(!all.findings.is_empty() && !all.coverage.is_empty());
    assert_eq!(all, run(only_declared));
    count
}

/// Runs rule `R` over `values` as whole objects and as the rule [keeps](Rule::keep) them,
/// and asserts that both verdicts are the same (findings, their messages and pointers,
/// and coverage): keeping less than whole objects loses nothing the rule reads.
pub fn assert_keeping_changes_nothing<R: Rule>(values: &[Value], settings: &R::Settings) {
    let whole = Manifests::from_values("default", values.to_vec()).unwrap();
    let verdict = R::check_manifests(&whole, settings);
    let kept = whole.kept::<R>();
    assert_eq!(R::check_manifests(&kept, settings), verdict);
}

/// Where each finding points, as `(check, document, pointer)`, the pointer as the host
/// reports it: a field the object in `objects` lacks is reported at its nearest existing
/// parent. Asserts that every one is an object finding. What a rule's unit tests check
/// over partial and odd objects.
pub fn object_locations(
    objects: &[Value],
    findings: Vec<crate::Finding>,
) -> Vec<(String, u32, String)> {
    findings
        .into_iter()
        .map(|finding| {
            let Location::Object(at) = finding.location else {
                panic!("{}: an object finding expected", finding.check)
            };
            let pointer = reported_pointer(&objects[at.document as usize], &at.pointer);
            (finding.check, at.document, pointer)
        })
        .collect()
}

/// The pointer the host reports for a finding at `pointer` in `object`: the pointer
/// itself when the object holds that node, else its nearest existing parent.
pub fn reported_pointer(object: &Value, pointer: &str) -> String {
    Pointer::parse(pointer)
        .nearest_in_text(&object.to_string())
        .into()
}

/// [`reported_pointer`] for a finding at `at` in `set`: as the host reports it when the
/// pointer runs along nodes the rule keeps ([`crate::Rule::keep`]), as rules' findings do.
pub fn reported(set: &Manifests, at: &crate::ObjectLocation) -> String {
    kept(set, at.document)
        .nearest(&Pointer::parse(&at.pointer))
        .into()
}

/// The object at `position` of `set`, which a verdict names: the rule must keep it.
fn kept(set: &Manifests, position: u32) -> &crate::Object {
    let object = set.object(position);
    object.unwrap_or_else(|| {
        panic!("the verdict names document {position}, which the rule does not keep")
    })
}

/// Expected `(check, document, pointer)` locations written as string literals, in the
/// form [`object_locations`] returns.
pub fn owned_locations(expected: &[(&str, u32, &str)]) -> Vec<(String, u32, String)> {
    let owned = expected.iter();
    owned
        .map(|&(check, document, pointer)| (check.to_owned(), document, pointer.to_owned()))
        .collect()
}

/// The controls a check of `info` maps to, each as `"framework id"`; panics when the
/// rule lists no such check.
pub fn control_names(info: &RuleInfo, check: &str) -> Vec<String> {
    let Some(found) = info.checks.iter().find(|c| c.id == check) else {
        panic!("{} lists no check {check}", info.id)
    };
    let controls = found.controls.iter();
    controls
        .map(|c| format!("{} {}", c.framework, c.id))
        .collect()
}
