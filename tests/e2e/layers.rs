//! The host's modules form layers that point one way: each module of `host/src` may use
//! only the modules below it. Read from the source itself: every `crate::` path (in `use`
//! lines, `crate::{a, b::c}` groups and inline paths, tests included) names the module it
//! reaches; one that reaches its own layer or above fails the test, naming file and line.

use std::path::{Path, PathBuf};

/// Top to bottom. A module may use those in the layers below its own, not its own layer's
/// other modules nor anything above. A new top-level module must be placed here.
const LAYERS: &[&[&str]] = &[
    &["cli"],
    &["schema", "expect"],
    &["scan"],
    &["provenance"],
    &["config"],
    &["input"],
    &["runtime"],
    &["report"],
    &["catalog"],
    &["store"],
    &["vocab"],
];

/// The layer of a top-level module, 0 at the top.
fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level modules `text` reaches through `crate::` paths, with the line of each.
fn reached(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let line = text[..at].matches('\n').count() + 1;
        let rest = &text[at + "crate::".len()..];
        let names = match rest.strip_prefix('{') {
            Some(group) => group_heads(group),
            None => vec![ident(rest)],
        };
        found.extend(
            names
                .into_iter()
                .filter(|n| !n.is_empty())
                .map(|n| (line, n.to_owned())),
        );
    }
    found
}

/// The first name of each entry of a `{a, b::{c, d}, e}` group (`group` starts after `{`).
fn group_heads(group: &str) -> Vec<&str> {
    let mut heads = vec![ident(group.trim_start())];
    let mut depth = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => heads.push(ident(group[i + 1..].trim_start())),
            _ => {}
        }
    }
    heads
}

/// The identifier `text` starts with (empty when it starts with something else).
fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("host/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    for file in sources(&root) {
        let relative = file.strip_prefix(&root).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a UTF-8 path");
        let module = top.strip_suffix(".rs").unwrap_or(top);
        if matches!(module, "lib" | "main") {
            continue;
        }
        let Some(own) = layer(module) else {
            problems.push(format!(
                "{}: module {module} is in no layer",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for (line, used) in reached(&text) {
            if used == module {
                continue;
            }
            match layer(&used) {
                Some(theirs) if theirs > own => {}
                Some(_) => problems.push(format!(
                    "{}:{line}: {module} uses {used}, which is not below it",
                    relative.display()
                )),
                None => problems.push(format!(
                    "{}:{line}: {module} uses {used}, which is in no layer",
                    relative.display()
                )),
            }
        }
    }
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn paths_are_read_from_use_lines_groups_and_inline_paths() {
    let text = "use crate::report::{A, B};\nuse crate::{catalog, input::{x, y}, vocab::Z};\n\
                let v = crate::runtime::hex(b);\n// crate::\n";
    let reached = reached(text);
    let found: Vec<(usize, &str)> = reached
        .iter()
        .map(|(line, name)| (*line, name.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (1, "report"),
            (2, "catalog"),
            (2, "input"),
            (2, "vocab"),
            (3, "runtime")
        ]
    );
}
