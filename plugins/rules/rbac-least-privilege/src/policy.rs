//! One RBAC `PolicyRule` and what it grants, with Kubernetes' matching semantics:
//! `*` matches every verb, resource or API group; `*/sub` matches that subresource of
//! every resource.

use serde::{Deserialize, Deserializer};
use tollgate_sdk::{Value, typed};

/// The lists of a policy rule: the strings of each, with their index (absent or odd lists
/// are empty, and entries that are no string are left out).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PolicyRule<'a> {
    #[serde(borrow, deserialize_with = "indexed")]
    pub api_groups: Vec<(usize, &'a str)>,
    #[serde(borrow, deserialize_with = "indexed")]
    pub resources: Vec<(usize, &'a str)>,
    #[serde(borrow, deserialize_with = "indexed")]
    pub verbs: Vec<(usize, &'a str)>,
    #[serde(borrow, deserialize_with = "indexed")]
    pub resource_names: Vec<(usize, &'a str)>,
    #[serde(borrow, rename = "nonResourceURLs", deserialize_with = "indexed")]
    pub non_resource_urls: Vec<(usize, &'a str)>,
}

impl<'a> PolicyRule<'a> {
    /// A rule as written (a built-in role's, or a test's); a role's own rules are read
    /// with the role ([`crate::kinds::Role`]).
    pub fn new(rule: &'a Value) -> Self {
        typed::read(rule)
    }

    /// The verbs of `wanted` that this rule grants on `resource` (`name` or
    /// `name/subresource`) in API group `group`, with the `resources` entry that matched.
    pub fn granted_verbs(
        &self,
        group: &str,
        resource: &str,
        wanted: &[&'a str],
    ) -> Option<(Vec<&'a str>, &'a str)> {
        let group_ok = self
            .api_groups
            .iter()
            .any(|(_, g)| *g == "*" || *g == group);
        let (_, entry) = self
            .resources
            .iter()
            .find(|(_, r)| matches_resource(r, resource))?;
        if !group_ok {
            return None;
        }
        let granted: Vec<&str> = self.verbs.iter().map(|(_, v)| *v).collect();
        let verbs = if granted.contains(&"*") {
            wanted.to_vec()
        } else {
            granted.into_iter().filter(|v| wanted.contains(v)).collect()
        };
        (!verbs.is_empty()).then_some((verbs, *entry))
    }

    /// The wildcard entries (`*`, `*/scale`, `/logs/*`), each with its field and index,
    /// fields in the order verbs, resources, apiGroups, nonResourceURLs.
    pub fn wildcards(&self) -> Vec<(&'static str, usize, &'a str)> {
        [
            ("verbs", &self.verbs),
            ("resources", &self.resources),
            ("apiGroups", &self.api_groups),
            ("nonResourceURLs", &self.non_resource_urls),
        ]
        .into_iter()
        .flat_map(|(field, list)| {
            list.iter()
                .filter(|(_, s)| s.contains('*'))
                .map(move |(i, s)| (field, *i, *s))
        })
        .collect()
    }

    /// Every verb on every resource of every API group: `*` in all three lists.
    pub fn is_full_wildcard(&self) -> bool {
        let star = |list: &[(usize, &str)]| list.iter().any(|(_, s)| *s == "*");
        star(&self.api_groups) && star(&self.resources) && star(&self.verbs)
    }

    /// Every verb on every non-resource URL (`/metrics`, `/logs`, `/debug/...`).
    pub fn is_every_non_resource_url(&self) -> bool {
        let star = |list: &[(usize, &str)]| list.iter().any(|(_, s)| *s == "*");
        star(&self.non_resource_urls) && star(&self.verbs)
    }
}

/// Kubernetes `ResourceMatches`: exact, `*`, or `*/subresource`.
fn matches_resource(rule: &str, requested: &str) -> bool {
    if rule == "*" || rule == requested {
        return true;
    }
    match (rule.strip_prefix("*/"), requested.split_once('/')) {
        (Some(sub), Some((_, requested_sub))) => sub == requested_sub,
        _ => false,
    }
}

/// The strings of a list field with their positions.
fn indexed<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<(usize, &'de str)>, D::Error> {
    let entries = typed::texts(deserializer)?.unwrap_or_default();
    let strings = entries.into_iter().enumerate();
    Ok(strings.filter_map(|(i, s)| Some((i, s?))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::serde_json::json;

    #[test]
    fn matching_follows_kubernetes() {
        let value = json!({"apiGroups": [""], "resources": ["*/proxy", "pods"], "verbs": ["get", "create"]});
        let rule = PolicyRule::new(&value);
        let proxy = rule.granted_verbs("", "nodes/proxy", &["get", "create", "list"]);
        assert_eq!(proxy, Some((vec!["get", "create"], "*/proxy")));
        assert_eq!(
            rule.granted_verbs("", "pods", &["create"]),
            Some((vec!["create"], "pods"))
        );
        assert_eq!(rule.granted_verbs("", "nodes", &["get"]), None);
        assert_eq!(rule.granted_verbs("apps", "pods", &["get"]), None);
        assert_eq!(rule.wildcards(), [("resources", 0, "*/proxy")]);
        assert!(!rule.is_full_wildcard());
        let star = json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]});
        let star = PolicyRule::new(&star);
        assert_eq!(
            star.granted_verbs("", "secrets", &["get", "list"]),
            Some((vec!["get", "list"], "*"))
        );
        assert_eq!(
            star.wildcards(),
            [
                ("verbs", 0, "*"),
                ("resources", 0, "*"),
                ("apiGroups", 0, "*")
            ]
        );
        assert!(star.is_full_wildcard() && !star.is_every_non_resource_url());
        let urls = json!({"nonResourceURLs": ["*"], "verbs": ["*"]});
        assert!(PolicyRule::new(&urls).is_every_non_resource_url());
        let finalizers = json!({"apiGroups": ["*"], "resources": ["*/finalizers"], "verbs": ["*"]});
        assert!(!PolicyRule::new(&finalizers).is_full_wildcard());
    }
}
