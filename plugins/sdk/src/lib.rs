//! The guest SDK for tollgate rule plugins.
//!
//! It owns the WIT bindings (generated from `wit/` at the repository root) and what rules
//! share: the parsed manifest set ([`Manifests`], [`Object`]), JSON pointers
//! ([`Pointer`]), rule settings ([`settings`]), Kubernetes label selectors
//! ([`LabelSelector`]), workload pod templates ([`workload`]), typed views of objects
//! ([`typed`]), and the rule's description, checks and findings ([`RuleSpec`],
//! [`Check`]). A rule crate implements [`Rule`] (and [`EachObject`] when each finding rests
//! on one object) and calls [`export_rule!`]; its logic stays plain Rust, unit-tested
//! without WebAssembly (with the helpers of [`testing`]).

mod check;
mod each;
mod keep;
mod manifests;
mod pointer;
mod recent;
mod selector;
pub mod settings;
pub mod testing;
pub mod text;
pub mod typed;
pub mod workload;

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "rule",
        pub_export_macro: true,
        export_macro_name: "__export_rule_world",
        default_bindings_module: "tollgate_sdk::bindings",
        additional_derives: [PartialEq],
    });
}

pub use bindings::tollgate::policy::types::{
    CheckError, CheckInfo, Control, Coverage, Document, File, FileLocation, Finding, InputKind,
    Location, ManifestSet, ObjectLocation, RuleInfo, SettingsError, Severity, Verdict,
};
pub use check::{Check, ControlId, RuleSpec, control, framework, join};
#[doc(hidden)]
pub use each::EachObjectAdapter;
pub use each::{EachObject, Tally, each_object};
pub use manifests::{Labels, Manifests, Object, lookup, pairs};
pub use pointer::Pointer;
pub use selector::LabelSelector;
pub use serde_json::{self, Value};
pub use settings::{NoSettings, Reason};
/// Also at the crate root, where rules written before [`testing`] existed import it.
pub use testing::object_locations;

/// A rule: what a plugin crate implements. Only the functions for the inputs named in
/// [`RuleInfo::inputs`] are called; the others keep their empty defaults.
pub trait Rule {
    /// What the config file may set for this rule ([`NoSettings`] when nothing). `{}`
    /// must parse, so every field needs a default.
    type Settings: serde::de::DeserializeOwned;

    /// Describes the rule; see the WIT `rule-info`. Rules return their [`RuleSpec`]'s
    /// [`RuleSpec::info`].
    fn info() -> RuleInfo;

    /// What the rule keeps of each object until [`Rule::check_manifests`] judges the set:
    /// the whole object unless the rule says otherwise, `None` for an object it needs
    /// nothing of (no finding or coverage of the rule may then name it). A rule that reads
    /// a few fields of a kind it is sent many of keeps only those ([`Object::keeping`]),
    /// and its check sees nothing else: at 100,000 objects, the RBAC rule held 23 MiB of
    /// objects, most of it the containers of Deployments it never reads. Tests see the set
    /// as the rule keeps it through [`Manifests::kept`]. Not called for a rule exported
    /// with `each_object` ([`EachObject`]).
    fn keep(object: Object) -> Option<Object> {
        Some(object)
    }

    /// Judges the whole manifest set at once (the SDK gathers the batches the host hands
    /// over). An [`EachObject`] rule forwards this to [`each_object`]: exported with
    /// `each_object`, its plugin never calls it, so only unit tests do.
    fn check_manifests(
        _set: &Manifests,
        _settings: &Self::Settings,
    ) -> Result<Verdict, CheckError> {
        Ok(Verdict::of(Vec::new()))
    }

    /// Judges a batch of files; each finding relies on one file only.
    fn check_files(_batch: &[File], _settings: &Self::Settings) -> Result<Verdict, CheckError> {
        Ok(Verdict::of(Vec::new()))
    }
}

/// Adapts a [`Rule`] to the generated WIT guest trait.
#[doc(hidden)]
pub struct Adapter<R>(std::marker::PhantomData<R>);

/// A manifest check between `begin-manifests` and `check-manifests`: the set gathered so
/// far and the settings text the check was begun with.
struct Gathering {
    set: Manifests,
    settings: String,
}

thread_local! {
    /// The check under way in this instance, if any (the host makes one per instance).
    static GATHERING: std::cell::RefCell<Option<Gathering>> =
        const { std::cell::RefCell::new(None) };
}

/// The contract's calls out of order: the host broke it.
pub(crate) fn out_of_order(call: &str) -> CheckError {
    CheckError::Internal(format!("{call} was called outside a manifest check"))
}

impl<R: Rule> bindings::Guest for Adapter<R> {
    fn info() -> RuleInfo {
        R::info()
    }

    fn validate_settings(settings: String) -> Result<(), SettingsError> {
        settings::parse::<R::Settings>(&settings).map(drop)
    }

    fn begin_manifests(set: ManifestSet, settings: String) -> Result<(), CheckError> {
        let set = Manifests::begin(set);
        GATHERING.with_borrow_mut(|gathering| *gathering = Some(Gathering { set, settings }));
        Ok(())
    }

    fn add_documents(documents: Vec<Document>) -> Result<(), CheckError> {
        GATHERING.with_borrow_mut(|gathering| match gathering {
            Some(gathering) => {
                gathering.set.add(documents, R::keep);
                Ok(())
            }
            None => Err(out_of_order("add-documents")),
        })
    }

    fn check_manifests() -> Result<Verdict, CheckError> {
        let Gathering { set, settings } = GATHERING
            .with_borrow_mut(Option::take)
            .ok_or_else(|| out_of_order("check-manifests"))?;
        R::check_manifests(&set, &read_settings::<R>(&settings)?)
    }

    fn check_files(batch: Vec<File>, settings: String) -> Result<Verdict, CheckError> {
        R::check_files(&batch, &read_settings::<R>(&settings)?)
    }
}

/// Settings for a check call; the host validated them first, so an error here means the
/// host broke the contract.
fn read_settings<R: Rule>(text: &str) -> Result<R::Settings, CheckError> {
    settings::parse(text).map_err(|error| {
        CheckError::InvalidInput(format!(
            "settings at {:?}: {}",
            error.pointer, error.message
        ))
    })
}

/// Exports a type implementing [`Rule`] as the plugin's component exports; with
/// `each_object`, a rule implementing [`EachObject`], judged object by object as the set
/// arrives.
///
/// ```ignore
/// struct RbacLeastPrivilege;
/// impl tollgate_sdk::Rule for RbacLeastPrivilege {
///     type Settings = Settings;
///     /* info, and check_manifests over the whole set */
/// }
/// tollgate_sdk::export_rule!(RbacLeastPrivilege);
///
/// struct TlsMinVersion;
/// impl tollgate_sdk::Rule for TlsMinVersion {
///     type Settings = tollgate_sdk::NoSettings;
///     /* info, and check_manifests calling tollgate_sdk::each_object::<Self> */
/// }
/// impl tollgate_sdk::EachObject for TlsMinVersion {
///     /* judge: one object at a time */
/// }
/// tollgate_sdk::export_rule!(TlsMinVersion, each_object);
/// ```
#[macro_export]
macro_rules! export_rule {
    ($rule:ty) => {
        type __TollgateRuleExport = $crate::Adapter<$rule>;
        $crate::bindings::__export_rule_world!(__TollgateRuleExport with_types_in $crate::bindings);
    };
    ($rule:ty, each_object) => {
        type __TollgateRuleExport = $crate::EachObjectAdapter<$rule>;
        $crate::bindings::__export_rule_world!(__TollgateRuleExport with_types_in $crate::bindings);
    };
}
