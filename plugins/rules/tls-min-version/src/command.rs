//! A container's command line and environment, as TLS settings are read from them.

use tollgate_sdk::{Pointer, workload::Container};

/// The words of `command` and `args` (shell strings split on whitespace), each with the
/// pointer of the string it came from.
pub struct CommandLine<'a> {
    words: Vec<(&'a str, Pointer)>,
}

impl<'a> CommandLine<'a> {
    pub fn of(container: &Container<'a>) -> Self {
        let words = container
            .command_line()
            .into_iter()
            .flat_map(|(arg, at)| arg.split_whitespace().map(move |word| (word, at.clone())))
            .collect();
        Self { words }
    }

    /// The program's file name: the first word that is not a flag or a shell. (A flag's
    /// value may end in a program's name, `--kubelet-service=kube-system/kubelet`: flags
    /// are left out before the file name is taken.)
    pub fn program(&self) -> Option<&'a str> {
        self.words
            .iter()
            .map(|(word, _)| *word)
            .filter(|word| !word.starts_with('-'))
            .map(|word| word.rsplit('/').next().unwrap_or(word))
            .find(|word| !matches!(*word, "sh" | "bash" | "ash" | "exec"))
    }

    /// Every value given to `flag`, as `flag=value` or `flag value`, unquoted.
    pub fn values(&self, flag: &str) -> Vec<(&'a str, &Pointer)> {
        let mut found = Vec::new();
        for (i, (word, at)) in self.words.iter().enumerate() {
            if let Some(value) = word
                .strip_prefix(flag)
                .and_then(|rest| rest.strip_prefix('='))
            {
                found.push((unquote(value), at));
            } else if *word == flag
                && let Some((next, next_at)) = self.words.get(i + 1)
                && !next.starts_with('-')
            {
                found.push((unquote(next), next_at));
            }
        }
        found
    }

    /// Every use of a boolean `flag` that turns it on: bare `flag`, or `flag=true`.
    pub fn enabled(&self, flag: &str) -> Vec<&Pointer> {
        self.words
            .iter()
            .filter(|(word, _)| {
                *word == flag
                    || word
                        .strip_prefix(flag)
                        .and_then(|rest| rest.strip_prefix('='))
                        .is_some_and(|v| is_true(unquote(v)))
            })
            .map(|(_, at)| at)
            .collect()
    }

    /// Every use of `flag=false` (or `0`).
    pub fn disabled(&self, flag: &str) -> Vec<&Pointer> {
        self.words
            .iter()
            .filter(|(word, _)| {
                word.strip_prefix(flag)
                    .and_then(|rest| rest.strip_prefix('='))
                    .is_some_and(|v| is_false(unquote(v)))
            })
            .map(|(_, at)| at)
            .collect()
    }
}

pub fn is_true(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "true" | "1" | "yes")
}

pub fn is_false(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "false" | "0" | "no")
}

fn unquote(value: &str) -> &str {
    value.trim_matches(|c| c == '"' || c == '\'')
}
