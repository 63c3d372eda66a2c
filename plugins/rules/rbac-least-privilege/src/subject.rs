//! What a binding says: the role it grants ([`RoleRef`]) and the subjects it hands the
//! role to ([`Subject`]).

use std::fmt;

use serde::Deserialize;
use tollgate_sdk::Object;
use tollgate_sdk::typed::{object, objects, text};

/// A RoleBinding or ClusterRoleBinding, the fields the rule reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Binding<'a> {
    #[serde(borrow, deserialize_with = "object")]
    role_ref: Option<RoleRef<'a>>,
    #[serde(borrow, deserialize_with = "objects")]
    subjects: Option<Vec<SubjectEntry<'a>>>,
}

/// An entry of `subjects` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SubjectEntry<'a> {
    #[serde(borrow, deserialize_with = "text")]
    kind: Option<&'a str>,
    #[serde(borrow, deserialize_with = "text")]
    name: Option<&'a str>,
    #[serde(borrow, deserialize_with = "text")]
    namespace: Option<&'a str>,
}

/// A binding's `roleRef`: the kind and name of the role it grants, when given.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleRef<'a> {
    #[serde(borrow, deserialize_with = "text")]
    pub kind: Option<&'a str>,
    #[serde(borrow, deserialize_with = "text")]
    pub name: Option<&'a str>,
}

impl<'a> RoleRef<'a> {
    pub fn of(binding: &'a Object) -> Self {
        let binding: Binding = binding.read();
        binding.role_ref.unwrap_or_default()
    }
}

/// One entry of a binding's `subjects`.
pub struct Subject<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// The namespace of a ServiceAccount subject (`None` for users and groups).
    pub namespace: Option<&'a str>,
}

impl<'a> Subject<'a> {
    /// Every subject of a binding, in order (so positions match `subjects[i]`). A
    /// ServiceAccount that names no namespace is in `namespace`, the binding's.
    pub fn of_binding(binding: &'a Object, namespace: &'a str) -> Vec<Self> {
        let binding: Binding = binding.read();
        let subjects = binding.subjects.into_iter().flatten();
        subjects
            .map(|subject| {
                let kind = subject.kind.unwrap_or("");
                Self {
                    kind,
                    name: subject.name.unwrap_or(""),
                    namespace: (kind == "ServiceAccount")
                        .then(|| subject.namespace.unwrap_or(namespace)),
                }
            })
            .collect()
    }

    /// `(namespace, name)` when the subject is a ServiceAccount.
    pub fn service_account(&self) -> Option<(&'a str, &'a str)> {
        self.namespace.map(|namespace| (namespace, self.name))
    }
}

impl fmt::Display for Subject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.namespace {
            Some(namespace) => write!(f, "ServiceAccount {namespace}/{}", self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}
