//! Kubernetes label selectors: `matchLabels` AND `matchExpressions`.

use serde_json::Value;

/// A parsed `LabelSelector` (metav1). The empty selector selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl LabelSelector {
    /// Parses a selector object. `None` or `{}` selects all; an unknown operator or a
    /// malformed field is an error naming it, never a silent match-all.
    pub fn parse(value: Option<&Value>) -> Result<Self, String> {
        let Some(value) = value else {
            return Ok(Self::default());
        };
        if value.is_null() {
            return Ok(Self::default());
        }
        let object = value
            .as_object()
            .ok_or_else(|| "label selector is not an object".to_owned())?;
        let mut requirements: Vec<Requirement> = string_pairs(object.get("matchLabels"))
            .into_iter()
            .map(|(k, v)| Requirement::In(k.to_owned(), vec![v.to_owned()]))
            .collect();
        if let Some(expressions) = object.get("matchExpressions") {
            let expressions = expressions
                .as_array()
                .ok_or_else(|| "matchExpressions is not a list".to_owned())?;
            for expression in expressions {
                requirements.push(Requirement::parse(expression)?);
            }
        }
        Ok(Self { requirements })
    }

    /// True when the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The selector keeping only the requirements on keys `keep` accepts: e.g. the part of
    /// a pod selector that is about the pod's namespace.
    pub fn restricted_to(&self, keep: impl Fn(&str) -> bool) -> Self {
        let requirements = self
            .requirements
            .iter()
            .filter(|r| keep(r.key()))
            .cloned()
            .collect();
        Self { requirements }
    }

    /// Whether a set of labels (`&str` or [`crate::Labels`] pairs) satisfies every
    /// requirement.
    pub fn matches<K: AsRef<str>, V: AsRef<str>>(&self, labels: &[(K, V)]) -> bool {
        let value_of = |key: &str| {
            let mut pairs = labels.iter().map(|(k, v)| (k.as_ref(), v.as_ref()));
            pairs.find(|(k, _)| *k == key).map(|(_, v)| v)
        };
        self.requirements.iter().all(|r| match r {
            Requirement::In(key, values) => {
                value_of(key).is_some_and(|v| values.iter().any(|x| x == v))
            }
            Requirement::NotIn(key, values) => {
                value_of(key).is_none_or(|v| values.iter().all(|x| x != v))
            }
            Requirement::Exists(key) => value_of(key).is_some(),
            Requirement::DoesNotExist(key) => value_of(key).is_none(),
        })
    }
}

impl Requirement {
    fn key(&self) -> &str {
        match self {
            Self::In(key, _)
            | Self::NotIn(key, _)
            | Self::Exists(key)
            | Self::DoesNotExist(key) => key,
        }
    }

    fn parse(expression: &Value) -> Result<Self, String> {
        let key = expression
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| "matchExpressions entry without a key".to_owned())?
            .to_owned();
        let operator = expression
            .get("operator")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("matchExpressions entry for {key:?} without an operator"))?;
        let values: Vec<String> = expression
            .get("values")
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        match operator {
            "In" if !values.is_empty() => Ok(Self::In(key, values)),
            "NotIn" if !values.is_empty() => Ok(Self::NotIn(key, values)),
            "In" | "NotIn" => Err(format!("{operator} on {key:?} needs values")),
            "Exists" => Ok(Self::Exists(key)),
            "DoesNotExist" => Ok(Self::DoesNotExist(key)),
            other => Err(format!("unknown selector operator {other:?} on {key:?}")),
        }
    }
}

/// The string-valued entries of a JSON object (`matchLabels`).
fn string_pairs(value: Option<&Value>) -> Vec<(&str, &str)> {
    value
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn select(selector: Value, labels: &[(&str, &str)]) -> bool {
        LabelSelector::parse(Some(&selector))
            .unwrap()
            .matches(labels)
    }

    #[test]
    fn empty_selects_all() {
        assert!(select(json!({}), &[]));
        assert!(LabelSelector::parse(None).unwrap().is_empty());
    }

    #[test]
    fn match_labels_and_expressions_are_anded() {
        let s = json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["front", "edge"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "env", "operator": "NotIn", "values": ["dev"]},
                {"key": "team", "operator": "Exists"}
            ]
        });
        assert!(select(
            s.clone(),
            &[("app", "web"), ("tier", "edge"), ("team", "a")]
        ));
        assert!(select(
            s.clone(),
            &[
                ("app", "web"),
                ("tier", "edge"),
                ("team", "a"),
                ("env", "prod")
            ]
        ));
        assert!(!select(
            s.clone(),
            &[
                ("app", "web"),
                ("tier", "edge"),
                ("team", "a"),
                ("env", "dev")
            ]
        ));
        assert!(!select(
            s.clone(),
            &[("app", "web"), ("tier", "back"), ("team", "a")]
        ));
        assert!(!select(s.clone(), &[("app", "web"), ("tier", "edge")]));
        assert!(!select(
            s,
            &[
                ("app", "web"),
                ("tier", "edge"),
                ("team", "a"),
                ("canary", "1")
            ]
        ));
    }

    #[test]
    fn restricted_keeps_the_requirements_on_chosen_keys() {
        let s = json!({"matchLabels": {"app": "web", "ns": "shop"},
                       "matchExpressions": [{"key": "ns", "operator": "NotIn", "values": ["kube-system"]}]});
        let namespace_part = LabelSelector::parse(Some(&s))
            .unwrap()
            .restricted_to(|key| key == "ns");
        assert!(namespace_part.matches(&[("ns", "shop")]));
        assert!(!namespace_part.matches(&[("ns", "other")]));
        assert!(
            LabelSelector::parse(Some(&s))
                .unwrap()
                .restricted_to(|_| false)
                .is_empty()
        );
    }

    #[test]
    fn unknown_operator_is_an_error() {
        let s = json!({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]});
        assert!(LabelSelector::parse(Some(&s)).is_err());
    }
}
