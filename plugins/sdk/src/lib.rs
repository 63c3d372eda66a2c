//! The guest SDK for tollgate rule plugins.
//!
//! It owns the WIT bindings (generated from `wit/` at the repository root) and what rules
//! share: the parsed manifest set ([`Manifests`], [`Object`]), JSON pointers
//! ([`Pointer`]), rule settings ([`settings`]), Kubernetes label selectors
//! ([`LabelSelector`]), workload pod templates ([`workload`]), typed views of objects
//! ([`typed`]), and the rule's description, checks and findings ([`RuleSpec`],
//! [`Check`]). A rule crate implements [`Rule`] and calls [`export_rule!`]; its logic
//! stays plain Rust, unit-tested without WebAssembly (with the helpers of [`testing`]).

mod check;
mod manifests;
mod pointer;
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

    /// Judges the whole manifest set at once.
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

impl<R: Rule> bindings::Guest for Adapter<R> {
    fn info() -> RuleInfo {
        R::info()
    }

    fn validate_settings(settings: String) -> Result<(), SettingsError> {
        settings::parse::<R::Settings>(&settings).map(drop)
    }

    fn check_manifests(set: ManifestSet, settings: String) -> Result<Verdict, CheckError> {
        R::check_manifests(&Manifests::new(set), &read_settings::<R>(&settings)?)
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

/// Exports a type implementing [`Rule`] as the plugin's component exports.
///
/// ```ignore
/// struct TlsMinVersion;
/// impl tollgate_sdk::Rule for TlsMinVersion {
///     type Settings = tollgate_sdk::NoSettings;
///     /* ... */
/// }
/// tollgate_sdk::export_rule!(TlsMinVersion);
/// ```
#[macro_export]
macro_rules! export_rule {
    ($rule:ty) => {
        type __TollgateRuleExport = $crate::Adapter<$rule>;
        $crate::bindings::__export_rule_world!(__TollgateRuleExport with_types_in $crate::bindings);
    };
}
