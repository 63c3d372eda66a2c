//! What a binding says: the role it grants ([`RoleRef`]) and the subjects it hands the
//! role to ([`Subject`]).

use std::fmt;

use tollgate_sdk::Value;

/// A binding's `roleRef`: the kind and name of the role it grants, when given.
pub struct RoleRef<'a> {
    pub kind: Option<&'a str>,
    pub name: Option<&'a str>,
}

impl<'a> RoleRef<'a> {
    pub fn of(binding: &'a Value) -> Self {
        let field = |name: &str| {
            binding
                .get("roleRef")
                .and_then(|r| r.get(name))
                .and_then(Value::as_str)
        };
        Self {
            kind: field("kind"),
            name: field("name"),
        }
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
    pub fn of_binding(binding: &'a Value, namespace: &'a str) -> Vec<Self> {
        let list = binding.get("subjects").and_then(Value::as_array);
        list.into_iter()
            .flatten()
            .map(|subject| {
                let text = |field: &str| subject.get(field).and_then(Value::as_str);
                let kind = text("kind").unwrap_or("");
                Self {
                    kind,
                    name: text("name").unwrap_or(""),
                    namespace: (kind == "ServiceAccount")
                        .then(|| text("namespace").unwrap_or(namespace)),
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
