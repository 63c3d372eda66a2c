//! Rules whose every finding rests on one object ([`EachObject`]): the SDK judges each
//! object as its batch arrives and frees it right after, so the rule's memory holds what it
//! found, not the set (a rule that gathers the whole set holds every object it reads until
//! it is complete: at 100k objects, tens of megabytes).

use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;

use crate::bindings::Guest;
use crate::manifests::Arrivals;
use crate::{
    Adapter, Check, CheckError, Document, File, Finding, ManifestSet, Manifests, Object, RuleInfo,
    SettingsError, Verdict, read_settings,
};

/// A rule that judges each object on its own: nothing it finds depends on another object.
/// Export it with `export_rule!(MyRule, each_object)`, and let its
/// [`crate::Rule::check_manifests`] call [`each_object`], so that unit tests over a whole
/// set judge as the plugin does.
pub trait EachObject: crate::Rule + 'static {
    /// Judges `object`, which lives in `namespace` (its own, or the default one, as
    /// [`Manifests::namespace_of`] says): adds what it finds, and records what each check
    /// judged, to `tally`. It cannot fail: what is wrong with an object is a finding.
    fn judge(object: &Object, namespace: &str, settings: &Self::Settings, tally: &mut Tally);
}

/// Findings and coverage built up object by object (see [`EachObject`]).
#[derive(Debug, Default)]
pub struct Tally {
    /// Every finding so far.
    findings: Vec<Finding>,
    /// `(check, position)` of every object a check judged, in the order judged.
    coverage: Vec<(&'static str, u32)>,
}

impl Tally {
    /// Adds a finding.
    pub fn found(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Records that `check` judged `object`, whether or not it found a violation in it.
    pub fn judged(&mut self, check: &Check, object: &Object) {
        self.coverage.push((check.id, object.position));
    }

    /// The verdict of rule `R` over every object judged, its checks' coverage in the order
    /// the rule declares them.
    fn verdict<R: EachObject>(self) -> Verdict {
        // Grouped by check (a rule has a few), so that each check's positions are added
        // at once.
        let mut by_check: Vec<(&str, Vec<u32>)> = Vec::new();
        for (check, position) in self.coverage {
            match by_check.iter_mut().find(|(id, _)| *id == check) {
                Some((_, positions)) => positions.push(position),
                None => by_check.push((check, vec![position])),
            }
        }
        let checks = R::info().checks;
        by_check.sort_by_key(|(id, _)| checks.iter().position(|c| c.id == *id));
        by_check
            .into_iter()
            .fold(Verdict::of(self.findings), |verdict, (check, positions)| {
                verdict.judged_at(check, positions)
            })
    }
}

impl Extend<Finding> for Tally {
    fn extend<I: IntoIterator<Item = Finding>>(&mut self, findings: I) {
        self.findings.extend(findings);
    }
}

/// Judges every object of `set` with `R`, as the plugin judges them batch by batch: what
/// `R`'s [`crate::Rule::check_manifests`] returns.
pub fn each_object<R: EachObject>(
    set: &Manifests,
    settings: &R::Settings,
) -> Result<Verdict, CheckError> {
    let mut tally = Tally::default();
    for object in &set.objects {
        R::judge(object, set.namespace_of(object), settings, &mut tally);
    }
    Ok(tally.verdict::<R>())
}

/// A check of the manifest set under way, for [`EachObjectAdapter`].
struct Judging<R: EachObject> {
    /// The rule's settings, read once when the check begins.
    settings: R::Settings,
    /// The namespace of namespaced objects that do not name one.
    default_namespace: String,
    /// What the rule found and judged so far.
    tally: Tally,
    /// Makes the objects of the batches as they arrive.
    arrivals: Arrivals,
}

thread_local! {
    /// The [`Judging`] under way in this instance, if any (the host makes one check per
    /// instance).
    static JUDGING: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Adapts an [`EachObject`] rule to the generated WIT guest trait: as [`Adapter`], but the
/// manifest set is judged as it arrives.
#[doc(hidden)]
pub struct EachObjectAdapter<R>(PhantomData<R>);

impl<R: EachObject> Guest for EachObjectAdapter<R> {
    fn info() -> RuleInfo {
        <Adapter<R> as Guest>::info()
    }

    fn validate_settings(settings: String) -> Result<(), SettingsError> {
        <Adapter<R> as Guest>::validate_settings(settings)
    }

    fn begin_manifests(set: ManifestSet, settings: String) -> Result<(), CheckError> {
        let judging = Judging::<R> {
            settings: read_settings::<R>(&settings)?,
            default_namespace: set.default_namespace,
            tally: Tally::default(),
            arrivals: Arrivals::default(),
        };
        JUDGING.with_borrow_mut(|state| *state = Some(Box::new(judging)));
        Ok(())
    }

    fn add_documents(documents: Vec<Document>) -> Result<(), CheckError> {
        JUDGING.with_borrow_mut(|state| {
            let judging = state
                .as_mut()
                .and_then(|state| state.downcast_mut::<Judging<R>>())
                .ok_or_else(|| crate::out_of_order("add-documents"))?;
            for document in documents {
                let object = judging.arrivals.object(document);
                let namespace = object.namespace_or(&judging.default_namespace);
                R::judge(&object, namespace, &judging.settings, &mut judging.tally);
            }
            Ok(())
        })
    }

    fn check_manifests() -> Result<Verdict, CheckError> {
        let judging = JUDGING
            .with_borrow_mut(Option::take)
            .and_then(|state| state.downcast::<Judging<R>>().ok())
            .ok_or_else(|| crate::out_of_order("check-manifests"))?;
        Ok(judging.tally.verdict::<R>())
    }

    fn check_files(batch: Vec<File>, settings: String) -> Result<Verdict, CheckError> {
        <Adapter<R> as Guest>::check_files(batch, settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Location, Pointer, Rule, RuleSpec, Severity};

    const NAMED: Check = Check::test_plugin("named", "Names", Severity::Low, "None.");
    const PODS: Check = Check::test_plugin("pods", "Pods", Severity::Low, "None.");
    const SPEC: RuleSpec = RuleSpec::test_plugin("each", "Each", "Each object.", &[NAMED, PODS]);

    /// Reports every Pod with its namespace; `pods` judges Pods, `named` (declared first,
    /// judging later) every object named `x`.
    struct EachPod;

    impl Rule for EachPod {
        type Settings = crate::NoSettings;

        fn info() -> RuleInfo {
            SPEC.info()
        }

        fn check_manifests(
            set: &Manifests,
            settings: &Self::Settings,
        ) -> Result<Verdict, CheckError> {
            each_object::<Self>(set, settings)
        }
    }

    impl EachObject for EachPod {
        fn judge(object: &Object, namespace: &str, _: &Self::Settings, tally: &mut Tally) {
            if object.kind == "Pod" {
                tally.judged(&PODS, object);
                let message = format!("{namespace}/{}", object.name);
                tally.found(PODS.at(object, Pointer::root(), message));
            }
            if object.name == "x" {
                tally.judged(&NAMED, object);
            }
        }
    }

    fn document(kind: &str, name: &str, namespace: Option<&str>) -> Document {
        Document {
            file: format!("{kind}.yaml"),
            index: 0,
            api_version: "v1".into(),
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.map(str::to_owned),
            object: "{}".into(),
        }
    }

    fn documents() -> Vec<Document> {
        vec![
            document("Pod", "a", None),
            document("Role", "x", None),
            document("Pod", "x", Some("prod")),
            document("Pod", "c", None),
        ]
    }

    /// Each finding's position and message, and each check's coverage.
    type Said = (Vec<(u32, String)>, Vec<(String, Vec<u32>)>);

    /// What a verdict says.
    fn said(verdict: &Verdict) -> Said {
        let findings = verdict.findings.iter().map(|f| match &f.location {
            Location::Object(at) => (at.document, f.message.clone()),
            Location::File(_) => panic!("an object finding"),
        });
        let coverage = verdict
            .coverage
            .iter()
            .map(|c| (c.check.clone(), c.documents.clone()));
        (findings.collect(), coverage.collect())
    }

    /// The verdict of plugin `G` over [`documents`] in namespace `apps`, handed over in two
    /// batches, the second from document `at`.
    fn in_two_batches<G: Guest>(at: usize) -> Verdict {
        let set = ManifestSet {
            default_namespace: "apps".into(),
            documents: 4,
        };
        G::begin_manifests(set, "{}".into()).unwrap();
        let mut first = documents();
        let second = first.split_off(at);
        G::add_documents(first).unwrap();
        G::add_documents(second).unwrap();
        G::check_manifests().unwrap()
    }

    #[test]
    fn the_set_judged_as_it_arrives_is_the_set_judged_whole() {
        let streamed = in_two_batches::<EachObjectAdapter<EachPod>>(2);
        let mut set = Manifests::begin(ManifestSet {
            default_namespace: "apps".into(),
            documents: 4,
        });
        set.add(documents(), Some);
        let whole = EachPod::check_manifests(&set, &crate::NoSettings {}).unwrap();
        // Positions run on across batches; the default namespace fills in; coverage is in
        // the order the rule declares its checks.
        let expected = (
            vec![
                (0, "apps/a".into()),
                (2, "prod/x".into()),
                (3, "apps/c".into()),
            ],
            vec![("named".into(), vec![1, 2]), ("pods".into(), vec![0, 2, 3])],
        );
        assert_eq!(said(&streamed), expected);
        assert_eq!(said(&whole), expected);
    }

    #[test]
    fn calls_out_of_order_are_refused() {
        type Plugin = EachObjectAdapter<EachPod>;
        assert!(matches!(
            Plugin::add_documents(documents()),
            Err(CheckError::Internal(_))
        ));
        assert!(matches!(
            Plugin::check_manifests(),
            Err(CheckError::Internal(_))
        ));
        // A check is over once judged.
        let set = ManifestSet {
            default_namespace: "apps".into(),
            documents: 0,
        };
        Plugin::begin_manifests(set, "{}".into()).unwrap();
        assert_eq!(said(&Plugin::check_manifests().unwrap()), (vec![], vec![]));
        assert!(Plugin::check_manifests().is_err());
    }

    #[test]
    fn a_gathering_rule_is_given_the_whole_set_of_its_batches() {
        type Plugin = Adapter<EachPod>;
        let gathered = in_two_batches::<Plugin>(3);
        assert_eq!(
            said(&gathered).0,
            [
                (0, "apps/a".into()),
                (2, "prod/x".into()),
                (3, "apps/c".into())
            ]
        );
        assert!(matches!(
            Plugin::check_manifests(),
            Err(CheckError::Internal(_))
        ));
    }
}
