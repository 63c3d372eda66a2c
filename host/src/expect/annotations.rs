//! The annotations a fixture file carries, in `#` comments:
//!
//! - `# expect: RULE/CHECK[, RULE/CHECK...]` at the end of a line: the findings the rules
//!   must report at that line, one per item (an item twice expects two findings);
//! - `# test-rules: RULE[, RULE...]` anywhere: rules the fixture tests besides those its
//!   expectations name (a fixture that must pass a rule names it here). Only the rules a
//!   fixture names run over it; one that names none is judged by every rule.

use std::fmt;

/// The marker of an expectation.
const EXPECT: &str = "expect:";
/// The marker of the rules a fixture tests.
const TEST_RULES: &str = "test-rules:";

/// One finding a fixture expects, or one a rule reported: rule and check at a file's line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected {
    /// The file as the scan names it.
    pub file: String,
    pub line: u32,
    pub rule: String,
    pub check: String,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} {}/{}",
            self.file, self.line, self.rule, self.check
        )
    }
}

/// An annotation that cannot be believed, at its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnotationError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

impl fmt::Display for AnnotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// What the annotations of one file say.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Annotations {
    pub expected: Vec<Expected>,
    /// The rules named by `# test-rules:`, each with its line.
    pub rules: Vec<(String, u32)>,
    pub errors: Vec<AnnotationError>,
}

/// Reads the annotations of `text`, the contents of `file` (as the scan names it).
pub fn parse(file: &str, text: &str) -> Annotations {
    let mut annotations = Annotations::default();
    for (index, content) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let error = |message: String| AnnotationError {
            file: file.to_owned(),
            line,
            message,
        };
        if let Some(items) = directive(content, EXPECT) {
            match expectations(items) {
                Ok(pairs) => annotations
                    .expected
                    .extend(pairs.into_iter().map(|(rule, check)| Expected {
                        file: file.to_owned(),
                        line,
                        rule,
                        check,
                    })),
                Err(message) => annotations.errors.push(error(message)),
            }
        } else if let Some(items) = directive(content, TEST_RULES) {
            match rule_ids(items) {
                Ok(ids) => annotations
                    .rules
                    .extend(ids.into_iter().map(|id| (id, line))),
                Err(message) => annotations.errors.push(error(message)),
            }
        }
    }
    annotations
}

/// What follows `marker` in a `#` comment of the line, if one holds it.
fn directive<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.match_indices('#')
        .find_map(|(at, _)| line[at + 1..].trim_start().strip_prefix(marker))
}

/// The items of a directive, separated by commas or spaces.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|item| !item.is_empty())
}

/// `RULE/CHECK` items, at least one.
fn expectations(text: &str) -> Result<Vec<(String, String)>, String> {
    let pairs: Vec<(String, String)> = items(text)
        .map(|item| match item.split_once('/') {
            Some((rule, check)) if is_kebab_case(rule) && is_kebab_case(check) => {
                Ok((rule.to_owned(), check.to_owned()))
            }
            _ => Err(format!(
                "`{item}` is not RULE/CHECK (kebab-case ids, e.g. tls-min-version/weak-protocol)"
            )),
        })
        .collect::<Result<_, _>>()?;
    if pairs.is_empty() {
        return Err("`# expect:` names no finding (RULE/CHECK)".into());
    }
    Ok(pairs)
}

/// Rule ids, at least one.
fn rule_ids(text: &str) -> Result<Vec<String>, String> {
    let ids: Vec<String> = items(text)
        .map(|id| {
            if is_kebab_case(id) {
                Ok(id.to_owned())
            } else {
                Err(format!("`{id}` is not a rule id (kebab-case)"))
            }
        })
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err("`# test-rules:` names no rule".into());
    }
    Ok(ids)
}

/// `[a-z0-9]` words joined by single `-`.
fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|word| {
            !word.is_empty() && word.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(line: u32, rule: &str, check: &str) -> Expected {
        Expected {
            file: "f.yaml".into(),
            line,
            rule: rule.into(),
            check: check.into(),
        }
    }

    #[test]
    fn expectations_and_rules_at_their_lines() {
        let text = "# test-rules: rbac-least-privilege, network-policy\nkind: Role\n  verbs: [\"*\"]  # expect: rbac-least-privilege/wildcard, rbac-least-privilege/wildcard\nname: \"a#b\" #expect: network-policy/allow-all\n";
        let annotations = parse("f.yaml", text);
        assert_eq!(
            annotations,
            Annotations {
                expected: vec![
                    expected(3, "rbac-least-privilege", "wildcard"),
                    expected(3, "rbac-least-privilege", "wildcard"),
                    expected(4, "network-policy", "allow-all"),
                ],
                rules: vec![
                    ("rbac-least-privilege".into(), 1),
                    ("network-policy".into(), 1)
                ],
                errors: vec![],
            }
        );
    }

    #[test]
    fn malformed_annotations_are_errors_at_their_line() {
        let text = "a: 1 # expect:\nb: 2 # expect: wildcard\nc: 3 # expect: Rule/x\n# test-rules: tls_min\nd: 4 # a comment that expects nothing\n";
        let messages: Vec<String> = parse("f.yaml", text)
            .errors
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            [
                "f.yaml:1: `# expect:` names no finding (RULE/CHECK)",
                "f.yaml:2: `wildcard` is not RULE/CHECK (kebab-case ids, e.g. tls-min-version/weak-protocol)",
                "f.yaml:3: `Rule/x` is not RULE/CHECK (kebab-case ids, e.g. tls-min-version/weak-protocol)",
                "f.yaml:4: `tls_min` is not a rule id (kebab-case)",
            ]
        );
    }
}
