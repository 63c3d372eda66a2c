//! Calico selector expressions (`spec.selector` of Calico policies), the subset real
//! policies use: `all()`, `k == 'v'`, `k != 'v'`, `has(k)`, `!has(k)`,
//! `k in {'a', 'b'}`, `k not in {...}`, joined with `&&`. Anything else is refused with a
//! reason, so that an expression is never guessed at.

/// A parsed selector: all terms must hold.
#[derive(Debug, PartialEq, Eq)]
pub struct Selector {
    terms: Vec<Term>,
}

#[derive(Debug, PartialEq, Eq)]
enum Term {
    All,
    Equals(String, String),
    NotEquals(String, String),
    Has(String),
    HasNot(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

impl Selector {
    /// Parses an expression; an empty one selects everything.
    pub fn parse(expression: &str) -> Result<Self, String> {
        if expression.contains("||") {
            return Err(format!(
                "{expression:?} uses ||; tollgate evaluates && of simple terms only"
            ));
        }
        let terms = expression
            .split("&&")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(Term::parse)
            .collect::<Result<_, _>>()
            .map_err(|term| format!("cannot evaluate {term:?} in {expression:?}"))?;
        Ok(Self { terms })
    }

    pub fn matches(&self, labels: &[(&str, &str)]) -> bool {
        let value_of = |key: &str| labels.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        self.terms.iter().all(|term| match term {
            Term::All => true,
            Term::Equals(k, v) => value_of(k) == Some(v.as_str()),
            Term::NotEquals(k, v) => value_of(k) != Some(v.as_str()),
            Term::Has(k) => value_of(k).is_some(),
            Term::HasNot(k) => value_of(k).is_none(),
            Term::In(k, vs) => value_of(k).is_some_and(|v| vs.iter().any(|x| x == v)),
            Term::NotIn(k, vs) => value_of(k).is_none_or(|v| vs.iter().all(|x| x != v)),
        })
    }
}

impl Term {
    fn parse(term: &str) -> Result<Self, String> {
        let term = Self::parse_unchecked(term)?;
        let key_ok = |k: &str| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "./_-".contains(c))
        };
        match &term {
            Self::All => Ok(term),
            Self::Equals(k, _)
            | Self::NotEquals(k, _)
            | Self::Has(k)
            | Self::HasNot(k)
            | Self::In(k, _)
            | Self::NotIn(k, _)
                if key_ok(k) =>
            {
                Ok(term)
            }
            _ => Err(format!("{term:?}")),
        }
    }

    fn parse_unchecked(term: &str) -> Result<Self, String> {
        let fail = || term.to_owned();
        if term == "all()" {
            return Ok(Self::All);
        }
        if let Some(key) = term.strip_prefix("!has(").and_then(|t| t.strip_suffix(')')) {
            return Ok(Self::HasNot(key.trim().to_owned()));
        }
        if let Some(key) = term.strip_prefix("has(").and_then(|t| t.strip_suffix(')')) {
            return Ok(Self::Has(key.trim().to_owned()));
        }
        if let Some((key, values)) = term.split_once(" not in ") {
            return Ok(Self::NotIn(
                key.trim().to_owned(),
                set(values).ok_or_else(fail)?,
            ));
        }
        if let Some((key, values)) = term.split_once(" in ") {
            return Ok(Self::In(
                key.trim().to_owned(),
                set(values).ok_or_else(fail)?,
            ));
        }
        if let Some((key, value)) = term.split_once("!=") {
            return Ok(Self::NotEquals(
                key.trim().to_owned(),
                quoted(value).ok_or_else(fail)?,
            ));
        }
        if let Some((key, value)) = term.split_once("==") {
            return Ok(Self::Equals(
                key.trim().to_owned(),
                quoted(value).ok_or_else(fail)?,
            ));
        }
        Err(fail())
    }
}

fn quoted(value: &str) -> Option<String> {
    let value = value.trim();
    ["'", "\""].iter().find_map(|q| {
        value
            .strip_prefix(q)
            .and_then(|v| v.strip_suffix(q))
            .map(str::to_owned)
    })
}

fn set(values: &str) -> Option<Vec<String>> {
    let inner = values.trim().strip_prefix('{')?.strip_suffix('}')?;
    inner.split(',').map(quoted).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_expressions() {
        let s = Selector::parse("app == 'web' && has(tier) && env not in {'dev', 'test'}").unwrap();
        assert!(s.matches(&[("app", "web"), ("tier", "a")]));
        assert!(!s.matches(&[("app", "web"), ("tier", "a"), ("env", "dev")]));
        assert!(!s.matches(&[("app", "web")]));
        assert!(Selector::parse("all()").unwrap().matches(&[]));
        assert!(Selector::parse("").unwrap().matches(&[]));
        assert!(Selector::parse("a == 'x' || b == 'y'").is_err());
        assert!(Selector::parse("starts_with(a, 'x')").is_err());
    }
}
