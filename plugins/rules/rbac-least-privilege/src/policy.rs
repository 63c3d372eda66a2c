//! One RBAC `PolicyRule` and what it grants, with Kubernetes' matching semantics:
//! `*` matches every verb, resource or API group; `*/sub` matches that subresource of
//! every resource.

use tollgate_sdk::Value;

/// The lists of a policy rule, with the index of each entry.
pub struct PolicyRule<'a> {
    pub api_groups: Vec<(usize, &'a str)>,
    pub resources: Vec<(usize, &'a str)>,
    pub verbs: Vec<(usize, &'a str)>,
    pub resource_names: Vec<(usize, &'a str)>,
    pub non_resource_urls: Vec<(usize, &'a str)>,
}

impl<'a> PolicyRule<'a> {
    pub fn new(rule: &'a Value) -> Self {
        Self {
            api_groups: strings(rule, "apiGroups"),
            resources: strings(rule, "resources"),
            verbs: strings(rule, "verbs"),
            resource_names: strings(rule, "resourceNames"),
            non_resource_urls: strings(rule, "nonResourceURLs"),
        }
    }

    /// The verbs of `wanted` that this rule grants on `resource` (`name` or
    /// `name/subresource`) in API group `group`.
    pub fn granted_verbs(&self, group: &str, resource: &str, wanted: &[&'a str]) -> Vec<&'a str> {
        let group_ok = self
            .api_groups
            .iter()
            .any(|(_, g)| *g == "*" || *g == group);
        let resource_ok = self
            .resources
            .iter()
            .any(|(_, r)| matches_resource(r, resource));
        if !group_ok || !resource_ok {
            return Vec::new();
        }
        let granted: Vec<&str> = self.verbs.iter().map(|(_, v)| *v).collect();
        if granted.contains(&"*") {
            return wanted.to_vec();
        }
        granted.into_iter().filter(|v| wanted.contains(v)).collect()
    }

    /// The fields holding a wildcard (`*`, `*/scale`, `/logs/*`), each with the index of
    /// its first one.
    pub fn wildcards(&self) -> Vec<(&'static str, usize)> {
        [
            ("verbs", &self.verbs),
            ("resources", &self.resources),
            ("apiGroups", &self.api_groups),
            ("nonResourceURLs", &self.non_resource_urls),
        ]
        .into_iter()
        .filter_map(|(field, list)| {
            list.iter()
                .find(|(_, s)| s.contains('*'))
                .map(|(i, _)| (field, *i))
        })
        .collect()
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

/// The strings of a list field with their positions; absent or malformed lists are empty.
pub fn strings<'a>(value: &'a Value, field: &str) -> Vec<(usize, &'a str)> {
    value
        .get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_str().map(|s| (i, s)))
                .collect()
        })
        .unwrap_or_default()
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
        assert_eq!(proxy, ["get", "create"]);
        assert_eq!(rule.granted_verbs("", "pods", &["create"]), ["create"]);
        assert!(rule.granted_verbs("", "nodes", &["get"]).is_empty());
        assert!(rule.granted_verbs("apps", "pods", &["get"]).is_empty());
        assert_eq!(rule.wildcards(), [("resources", 0)]);
        let star = json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]});
        assert_eq!(
            PolicyRule::new(&star).granted_verbs("", "secrets", &["get", "list"]),
            ["get", "list"]
        );
        assert_eq!(
            PolicyRule::new(&star).wildcards(),
            [("verbs", 0), ("resources", 0), ("apiGroups", 0)]
        );
    }
}
