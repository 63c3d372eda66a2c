//! Prometheus configurations carried as text (a whole `prometheus.yml`, or the list of jobs
//! given to the operator as `additional-scrape-configs`): where they turn certificate
//! verification off, with the line in that text.
//!
//! The text is parsed as YAML (with the line of every scalar), never grepped: a comment, a
//! `false`, a quoted `"true"` (which Prometheus rejects) or a key of another name is not a
//! finding.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput};

/// Nesting beyond this is not a Prometheus configuration; it is not followed (and cannot
/// exhaust the plugin's stack).
const MAX_DEPTH: usize = 64;

/// One `insecure_skip_verify: true` in a Prometheus configuration.
#[derive(Debug, PartialEq, Eq)]
pub struct SkipVerify {
    /// 1-based line in the configuration text.
    pub line: usize,
    /// The `job_name` of the scrape job it is in, when it is in one.
    pub job: Option<String>,
}

/// Every place a Prometheus configuration in `text` skips verification, or `None` when
/// `text` is not a Prometheus configuration (a mapping with `scrape_configs`, or a list of
/// jobs with `job_name`) or not YAML at all.
pub fn skipped_verification(text: &str) -> Option<Vec<SkipVerify>> {
    if !text.contains("insecure_skip_verify") {
        return None;
    }
    let documents = parse(text).ok()?;
    let configs: Vec<&Node> = documents.iter().filter(|d| is_prometheus(d)).collect();
    if configs.is_empty() {
        return None;
    }
    let mut found = Vec::new();
    for config in configs {
        collect(config, None, &mut found);
    }
    Some(found)
}

/// A YAML node with the line of each scalar: only what the search needs.
enum Node {
    Map(Vec<(Scalar, Node)>),
    Seq(Vec<Node>),
    Scalar(Scalar),
    /// An alias, or a mapping entry whose key is not a scalar.
    Other,
}

struct Scalar {
    text: String,
    plain: bool,
    line: usize,
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

fn is_prometheus(document: &Node) -> bool {
    match document {
        Node::Map(_) => document.get("scrape_configs").is_some(),
        Node::Seq(items) => {
            !items.is_empty() && items.iter().all(|job| job.get("job_name").is_some())
        }
        _ => false,
    }
}

/// Walks `node`, remembering the innermost enclosing scrape job.
fn collect(node: &Node, job: Option<&str>, found: &mut Vec<SkipVerify>) {
    match node {
        Node::Map(entries) => {
            let job = match node.get("job_name") {
                Some(Node::Scalar(name)) => Some(name.text.as_str()),
                _ => job,
            };
            for (key, value) in entries {
                if key.text == "insecure_skip_verify"
                    && let Node::Scalar(flag) = value
                    && flag.plain
                    && is_yaml_true(&flag.text)
                {
                    found.push(SkipVerify {
                        line: flag.line,
                        job: job.map(str::to_owned),
                    });
                }
                collect(value, job, found);
            }
        }
        Node::Seq(items) => items.iter().for_each(|item| collect(item, job, found)),
        Node::Scalar(_) | Node::Other => {}
    }
}

/// The spellings of true that Prometheus' YAML decoder (YAML 1.1 booleans) accepts.
fn is_yaml_true(text: &str) -> bool {
    matches!(
        text,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y"
    )
}

type Events<'a> = Parser<'a, StrInput<'a>>;

/// Every document of `text` as a tree.
fn parse(text: &str) -> Result<Vec<Node>, ScanError> {
    let mut events = Parser::new_from_str(text);
    let mut documents = Vec::new();
    while let Some(event) = events.next() {
        let (event, span) = event?;
        match event {
            Event::DocumentStart(_) => {
                let (first, span) = next(&mut events, span)?;
                documents.push(node(&mut events, first, span, 0)?);
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    Ok(documents)
}

/// The event after the one at `span`; the end of the text there is an error.
fn next<'a>(events: &mut Events<'a>, span: Span) -> Result<(Event<'a>, Span), ScanError> {
    events
        .next()
        .unwrap_or_else(|| Err(ScanError::new_str(span.end, "unexpected end")))
}

/// The node that starts with `event`, reading the events of its children.
fn node<'a>(
    events: &mut Events<'a>,
    event: Event<'a>,
    span: Span,
    depth: usize,
) -> Result<Node, ScanError> {
    if depth > MAX_DEPTH {
        return Err(ScanError::new_str(span.start, "nested too deeply"));
    }
    Ok(match event {
        Event::Scalar(text, style, _, _) => Node::Scalar(Scalar {
            text: text.into_owned(),
            plain: style == ScalarStyle::Plain,
            line: span.start.line(),
        }),
        Event::SequenceStart(..) => {
            let mut items = Vec::new();
            loop {
                match next(events, span)? {
                    (Event::SequenceEnd, _) => break Node::Seq(items),
                    (event, span) => items.push(node(events, event, span, depth + 1)?),
                }
            }
        }
        Event::MappingStart(..) => {
            let mut entries = Vec::new();
            loop {
                let key = match next(events, span)? {
                    (Event::MappingEnd, _) => break Node::Map(entries),
                    (event, span) => node(events, event, span, depth + 1)?,
                };
                let (event, span) = next(events, span)?;
                let value = node(events, event, span, depth + 1)?;
                if let Node::Scalar(key) = key {
                    entries.push((key, value));
                }
            }
        }
        _ => Node::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Option<Vec<(usize, Option<&'static str>)>> {
        let leak = |job: String| -> &'static str { Box::leak(job.into_boxed_str()) };
        skipped_verification(text).map(|found| {
            found
                .into_iter()
                .map(|s| (s.line, s.job.map(leak)))
                .collect()
        })
    }

    #[test]
    fn a_prometheus_yml_names_the_job_and_line() {
        let config = "global:\n  scrape_interval: 30s\nscrape_configs:\n\
            - job_name: kubelet\n  scheme: https\n  tls_config:\n    insecure_skip_verify: true\n\
            - job_name: apiserver\n  kubernetes_sd_configs:\n  - role: endpoints\n    \
            tls_config: {insecure_skip_verify: yes}\n\
            alerting:\n  alertmanagers:\n  - tls_config:\n      insecure_skip_verify: True\n";
        assert_eq!(
            lines(config),
            Some(vec![
                (7, Some("kubelet")),
                (11, Some("apiserver")),
                (15, None)
            ])
        );
    }

    #[test]
    fn additional_scrape_configs_are_a_list_of_jobs() {
        let jobs = "- job_name: node\n  tls_config:\n    ca_file: /ca.crt\n\
            - job_name: legacy\n  tls_config:\n    insecure_skip_verify: true\n";
        assert_eq!(lines(jobs), Some(vec![(6, Some("legacy"))]));
    }

    #[test]
    fn traps_are_not_findings() {
        let prometheus =
            |tls: &str| format!("scrape_configs:\n- job_name: a\n  tls_config:\n{tls}");
        // False, a comment, a quoted string Prometheus rejects, another key.
        for tls in [
            "    insecure_skip_verify: false\n",
            "    # insecure_skip_verify: true\n    ca_file: /ca\n",
            "    insecure_skip_verify: \"true\"\n",
            "    insecure_skip_verify_tls: true\n",
        ] {
            assert_eq!(lines(&prometheus(tls)), Some(vec![]), "{tls}");
        }
        // Not a Prometheus configuration: a blackbox module, another tool, not YAML.
        for text in [
            "modules:\n  tcp:\n    tls_config:\n      insecure_skip_verify: true\n",
            "- name: x\n  insecure_skip_verify: true\n",
            "scrape_configs: [\n insecure_skip_verify: true",
            "insecure_skip_verify",
        ] {
            assert_eq!(lines(text), None, "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_followed() {
        let deep = format!(
            "scrape_configs: {}{}\ninsecure_skip_verify: true\n",
            "[".repeat(200),
            "]".repeat(200)
        );
        assert_eq!(lines(&deep), None);
    }
}
