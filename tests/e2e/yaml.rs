//! The YAML reader reads what Kubernetes reads: a differential test against PyYAML adjusted
//! to Kubernetes' reading (`tests/tools/yaml_reference.py` names each adjustment), over
//! the fixtures and a generated set of edge cases; and hostile alias expansion, refused per
//! file while the other files are still judged.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tollgate::input::yaml;

use crate::util::{errors, findings, fixtures, scan_json, test_tool};

/// What a reader made of one file: its non-empty documents, and whether it stopped at an
/// error (documents before the error are kept).
#[derive(Debug, PartialEq)]
struct Reading {
    documents: Vec<Value>,
    error: bool,
}

fn ours(path: &Path) -> Reading {
    let text = std::fs::read_to_string(path).expect("UTF-8 YAML");
    let (documents, error) = yaml::parse(&text);
    Reading {
        documents: documents.into_iter().map(|d| d.value).collect(),
        error: error.is_some(),
    }
}

/// PyYAML's readings of `paths`, in one Python run.
fn reference(paths: &[PathBuf]) -> Vec<Reading> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/tools/yaml_reference.py");
    let output = Command::new(test_tool("venv/bin/python"))
        .arg(script)
        .args(paths)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    stdout
        .lines()
        .map(|line| {
            let mut reading: Value = serde_json::from_str(line).expect("one JSON line per file");
            Reading {
                documents: serde_json::from_value(reading["documents"].take()).unwrap(),
                error: reading["error"].as_bool().unwrap(),
            }
        })
        .collect()
}

/// Every file where our reading differs from PyYAML's, with both readings.
fn differences(paths: &[PathBuf]) -> Vec<String> {
    let theirs = reference(paths);
    assert_eq!(theirs.len(), paths.len(), "one reading per file");
    let mut report = Vec::new();
    for (path, theirs) in paths.iter().zip(theirs) {
        let ours = ours(path);
        if ours != theirs {
            report.push(format!(
                "{}:\n  ours:   {ours:?}\n  PyYAML: {theirs:?}",
                path.display()
            ));
        }
    }
    report
}

/// Every `.yaml`/`.yml` file under `root`, sorted.
fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .build()
        .filter_map(Result::ok)
        .map(|entry| entry.into_path())
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml")
                && std::fs::read_to_string(path).is_ok()
        })
        .collect();
    files.sort();
    files
}

#[test]
fn yaml_reader_matches_pyyaml_on_every_fixture() {
    let files = yaml_files(&fixtures());
    assert!(files.len() >= 20, "fixtures found: {}", files.len());
    assert_eq!(differences(&files), Vec::<String>::new());
}

#[test]
fn yaml_reader_matches_pyyaml_on_generated_edge_cases() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, text) in edge_cases() {
        let path = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }
    assert!(paths.len() > 100, "cases: {}", paths.len());
    assert_eq!(differences(&paths), Vec::<String>::new());
}

/// A development check, not part of the suite: the same comparison over any directory,
/// e.g. `TOLLGATE_YAML_DIFF_DIR=../shared/realworld cargo test --test e2e
/// yaml_reader_matches_pyyaml_over_a_directory -- --ignored --nocapture`.
#[test]
#[ignore = "needs TOLLGATE_YAML_DIFF_DIR"]
fn yaml_reader_matches_pyyaml_over_a_directory() {
    let root = std::env::var_os("TOLLGATE_YAML_DIFF_DIR").expect("TOLLGATE_YAML_DIFF_DIR is set");
    let files = yaml_files(Path::new(&root));
    let documents: usize = files.iter().map(|f| ours(f).documents.len()).sum();
    let differences = differences(&files);
    println!(
        "{} files, {documents} documents compared, {} differ",
        files.len(),
        differences.len()
    );
    for difference in &differences {
        println!("{difference}");
    }
    assert!(differences.is_empty());
}

/// Generated YAML edge cases, `(name, text)`.
fn edge_cases() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    cases.extend(flow_collections());
    cases.extend(scalar_typing());
    cases.extend(block_and_quoted_scalars());
    cases.extend(fixed_cases());
    cases
}

/// Flow collections opened after a key, with items and the closing bracket at every
/// indentation from the left margin to past the key (the closing-bracket case included).
fn flow_collections() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    for (open, close, items) in [("[", "]", ["\"-a\"", "-b"]), ("{", "}", ["a: 1", "b: [2]"])] {
        for item_indent in 0..=6 {
            for close_indent in 0..=6 {
                let text = format!(
                    "spec:\n  containers:\n  - name: x\n    args: {open}\n{pad}{},\n{pad}{}\n{close_pad}{close}\n    image: nginx\nafter: 1\n",
                    items[0],
                    items[1],
                    pad = " ".repeat(item_indent),
                    close_pad = " ".repeat(close_indent),
                );
                let kind = if open == "[" { "seq" } else { "map" };
                cases.push((
                    format!("flow-{kind}-items{item_indent}-close{close_indent}"),
                    text,
                ));
            }
        }
    }
    cases
}

/// YAML 1.1 / go-yaml scalar words and numbers, as values and as keys.
fn scalar_typing() -> Vec<(String, String)> {
    let words = [
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "yEs",
        "~",
        "null",
        "Null",
        "NULL",
        "0",
        "-0",
        "+12",
        "0777",
        "0o17",
        "0O17",
        "0x1F",
        "0X1f",
        "-0x1F",
        "0b101",
        "-0b11",
        "08",
        "09.5",
        "1_000",
        "1__0",
        "_1",
        "1e3",
        "1E-2",
        "1.5",
        "-1.5e+3",
        ".5",
        "-.5",
        "+.5e1",
        "1.",
        "1.0",
        "3.000",
        "1:30",
        "190:20:30",
        "2001-12-14",
        "2001-12-14T21:59:43.10-05:00",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775809",
        "0xFFFFFFFFFFFFFFFFFF",
        "123456789012345678901234567890",
        "1e400",
        "0x",
        "+",
        "-",
        ".",
        "..5",
        "1.2.3",
        "12abc",
        "0.1",
        "v1.2",
        "5Gi",
        "100m",
        "*.example.com",
        "a b",
        "-a",
        "=",
        "<<x",
    ];
    let mut cases = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let text = format!("value: {word}\nlist: [{word}, {word}]\nquoted: '{word}'\n");
        cases.push((format!("scalar-{i}"), text));
        if !["~", "null", "Null", "NULL"].contains(word) && !word.starts_with('*') {
            cases.push((format!("key-{i}"), format!("{word}: v\nother: w\n")));
        }
    }
    cases
}

/// Literal and folded scalars with every chomping and an indentation indicator, and
/// multi-line plain and quoted scalars, with blank lines inside and after.
fn block_and_quoted_scalars() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    for style in ["|", ">"] {
        for chomp in ["", "-", "+"] {
            for indicator in ["", "2"] {
                let header = format!("{style}{indicator}{chomp}");
                let text = format!(
                    "a: {header}\n  first line\n   indented\n\n  after blank\n\n\nb: {header} # comment\n  x\n"
                );
                let name = format!(
                    "block-{}{indicator}{}",
                    if style == "|" { "literal" } else { "folded" },
                    match chomp {
                        "-" => "-strip",
                        "+" => "-keep",
                        _ => "-clip",
                    }
                );
                cases.push((name, text));
            }
        }
    }
    let multi_line = [
        ("plain", "a: first\n  second\n\n  third\nb: 1\n"),
        ("single", "a: 'it''s\n  two\n\n  lines '\nb: 1\n"),
        (
            "double",
            "a: \"tab\\there \\\n  joined\\x41\\u00e9\\U0001F600\n\n  end\\n\"\nb: 1\n",
        ),
        ("plain-in-flow", "a: [one\n  two, three]\n"),
    ];
    for (name, text) in multi_line {
        cases.push((format!("multiline-{name}"), text.to_owned()));
    }
    cases
}

/// Anchors, merges, tags, comments, document markers and errors.
fn fixed_cases() -> Vec<(String, String)> {
    let cases = [
        ("anchor-scalar", "a: &x value\nb: *x\n"),
        ("anchor-map", "base: &b {x: 1, z: 2}\nuse: *b\n"),
        (
            "merge-one",
            "base: &b\n  x: 1\n  z: 2\nuse:\n  <<: *b\n  z: 3\n",
        ),
        (
            "merge-list",
            "a: &a {x: 1}\nb: &b {x: 2, y2: 3}\nc:\n  <<: [*a, *b]\n  k: 4\n",
        ),
        ("merge-inline", "c:\n  <<: {x: 1}\n  x: 2\n"),
        (
            "merge-after-key",
            "base: &b {x: 1}\nuse:\n  x: 2\n  <<: *b\n",
        ),
        ("merge-quoted-key", "base: &b {x: 1}\nuse:\n  '<<': *b\n"),
        ("anchor-key", "&k key: 1\nother: *k\n"),
        ("anchor-across-docs", "a: &x 1\n---\nb: *x\n"),
        ("alias-unknown", "a: *nothing\n"),
        ("duplicate", "a: 1\nb: 2\na: 3\n"),
        ("duplicate-resolved", "y: 1\ntrue: 2\n"),
        (
            "duplicate-after-merge-ok",
            "base: &b {x: 1}\nuse: {<<: *b, x: 2}\n",
        ),
        ("null-key", "~: 1\n"),
        ("empty-key", "? \n: 1\n"),
        ("complex-key", "? [a, b]\n: 1\n"),
        (
            "tags-core",
            "a: !!str 5\nb: !!int '7'\nc: !!float 3\nd: !!bool yes\ne: !!null ''\nf: !!str yes\ng: !!binary aGVsbG8=\nh: !!timestamp 2001-12-14\n",
        ),
        ("tags-bad-int", "a: !!int five\n"),
        (
            "tags-custom",
            "a: !foo 5\nb: !bar {x: yes}\nc: !baz [1, on]\nd: !<tag:example.com,2000:x> 3\n",
        ),
        ("tags-nonspecific", "a: ! 5\n"),
        (
            "tags-directive",
            "%TAG !e! tag:example.com,2000:\n---\na: !e!x 5\n",
        ),
        (
            "comments-everywhere",
            "# head\na: 1 # after\n# between\nb: # before value\n  - x # item\n  # inside\n  - y\nc: [1, # in flow\n  2]\n# tail\n",
        ),
        (
            "documents",
            "---\na: 1\n...\n---\nb: 2\n---\n# only a comment\n---\n...\n",
        ),
        ("document-leading-end", "a: 1\n...\n"),
        ("empty-file", ""),
        ("only-comments", "# nothing\n# here\n"),
        ("explicit-null-doc", "--- ~\n---\na: 1\n"),
        ("top-level-list", "- a\n- b: 1\n  c: 2\n-\n- - nested\n"),
        ("top-level-scalar", "just text\n"),
        ("infinity", "a: 1\n---\nb: .inf\n"),
        ("nan-key", ".nan: 1\n"),
        ("bad-indent", "a:\n  b: 1\n c: 2\n"),
        ("unclosed-flow", "a: [1, 2\n"),
        ("tab-indent", "a:\n\tb: 1\n"),
        ("crlf", "a: 1\r\nb:\r\n  - x\r\n"),
        ("bom", "\u{feff}a: 1\n"),
        ("unicode", "名前: \"値\"\nemoji: 😀\n"),
        (
            "long-key",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: 1\n",
        ),
        ("indentless-sequence", "a:\n- 1\n- 2\nb: 3\n"),
        ("flow-map-in-seq", "- {a: 1, b: [x, y]}\n- [ {c: 2} ]\n"),
        ("flow-empty", "a: []\nb: {}\nc: [ ]\n"),
        ("flow-single-pair", "a: [k: v, j: w]\n"),
        (
            "json-style",
            "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"data\": {\"a\": \"1\"}}\n",
        ),
        (
            "json-escapes",
            "{\"a\": \"x\\/y\\u00e9\\\"\", \"b\": -0.0, \"c\": 1E2}\n",
        ),
        (
            "colon-in-values",
            "url: http://x:80/a\ntime: 12:30\nc: a:b\n",
        ),
    ];
    cases
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text.to_owned()))
        .collect()
}

/// Tab-indented JSON: tabs inside flow collections are separation for libyaml and go-yaml
/// (Kubernetes), but PyYAML's pure-Python scanner refuses them, so this case is checked
/// against its known value rather than against PyYAML.
#[test]
fn tabs_inside_flow_collections_are_read_as_go_yaml_reads_them() {
    let (documents, error) =
        yaml::parse("{\n\t\"kind\": \"List\",\n\t\"items\": [\n\t\t{\"a\": 1.0}\n\t]\n}\n");
    assert_eq!(error, None);
    let values: Vec<Value> = documents.into_iter().map(|d| d.value).collect();
    assert_eq!(
        values,
        [serde_json::json!({"kind": "List", "items": [{"a": 1}]})]
    );
}

/// A file whose one aliased scalar of `scalar_bytes` is repeated `aliases` times.
fn wide_alias_file(scalar_bytes: usize, aliases: usize) -> String {
    let mut text = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wide\ndata:\n  big: &big {}\n  list: [",
        "x".repeat(scalar_bytes)
    );
    for i in 0..aliases {
        text.push_str(if i == 0 { "*big" } else { ", *big" });
    }
    text.push_str("]\n");
    text
}

/// The billion laughs: nine levels of ten aliases each.
fn billion_laughs() -> String {
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: laughs\ndata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for level in 1..9u8 {
        let (prev, name) = ((b'a' + level - 1) as char, (b'a' + level) as char);
        let refs = vec![format!("*{prev}"); 10].join(", ");
        writeln!(text, "  {name}: &{name} [{refs}]").unwrap();
    }
    text
}

/// Three documents, each alone well within the copy budget (about 369 kB of anchors and
/// aliases), that together pass it: the budget is per file, not per document.
fn documents_each_within_the_budget() -> String {
    let mut text = String::new();
    for doc in 0..3 {
        let refs = |name: char| vec![format!("*{name}"); 9].join(", ");
        write!(
            text,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d{doc}\ndata:\n  a: &a xxxxxxxxxxxxxxxx\n"
        )
        .unwrap();
        for level in 1..5u8 {
            let (prev, name) = ((b'a' + level - 1) as char, (b'a' + level) as char);
            writeln!(text, "  {name}: &{name} [{}]", refs(prev)).unwrap();
        }
    }
    text
}

#[test]
fn alias_amplification_is_refused_per_file_and_other_files_are_judged() {
    let cases = [
        ("wide.yaml", wide_alias_file(1 << 20, 1500), 7),
        ("laughs.yaml", billion_laughs(), 10),
        ("three-docs.yaml", documents_each_within_the_budget(), 33),
    ];
    for (name, text, line) in cases {
        let dir = tempfile::tempdir().unwrap();
        let limit = 4 * text.len() + (1 << 20);
        std::fs::write(dir.path().join(name), text).unwrap();
        std::fs::write(dir.path().join("role.yaml"), WILDCARD_ROLE).unwrap();
        let root = dir.path().to_str().unwrap();
        let (code, report) = scan_json(&[root, "--rule", "rbac-least-privilege"]);
        assert_eq!(code, 2, "{name}");
        assert_eq!(
            errors(&report),
            [format!(
                "{root}/{name}:{line} invalid YAML: anchors and aliases expand the file past {limit} bytes (4 times its size plus 1 MiB); refused"
            )]
        );
        assert_eq!(
            findings(&report),
            [format!(
                "rbac-least-privilege/wildcard {root}/role.yaml:8 ClusterRole everything"
            )],
            "{name}: the other file is still judged"
        );
    }
}

/// A ClusterRole granting every verb on config maps, beside the hostile file.
const WILDCARD_ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: everything\nrules:\n- apiGroups: ['']\n  resources: ['configmaps']\n  verbs: ['*']\n";

/// A scanned repository can supply `.tollgate.yaml`: the same budget refuses its aliases.
#[test]
fn alias_amplification_in_the_config_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from(
        "fail-on: high\nx-laughs:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for level in 1..9u8 {
        let (prev, name) = ((b'a' + level - 1) as char, (b'a' + level) as char);
        writeln!(
            config,
            "  {name}: &{name} [{}]",
            vec![format!("*{prev}"); 10].join(", ")
        )
        .unwrap();
    }
    let limit = 4 * config.len() + (1 << 20);
    std::fs::write(dir.path().join(".tollgate.yaml"), config).unwrap();
    std::fs::write(dir.path().join("role.yaml"), WILDCARD_ROLE).unwrap();
    let run = crate::util::run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: {}/.tollgate.yaml:7: invalid YAML: anchors and aliases expand the file past {limit} bytes (4 times its size plus 1 MiB); refused\n",
            dir.path().display()
        )
    );
}

/// A file that ends in a block scalar without a final line break (release notes, hand-written
/// Secrets) is valid YAML: read, and judged, as Kubernetes reads it.
#[test]
fn a_block_scalar_may_end_a_file_without_a_line_break() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\nstringData:\n  password: |\n    Zq8-vR2#kLm9!pWx",
    )
    .unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, report) = scan_json(&[root, "--rule", "no-git-credentials"]);
    assert_eq!(code, 1);
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(
        findings(&report),
        [format!(
            "no-git-credentials/plaintext-secret {root}/secret.yaml:6 Secret shop/db"
        )]
    );
}

/// Input on which the parser library panics is an error of that file; the run goes on.
#[test]
fn a_parser_panic_is_an_error_of_its_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tagged.yaml"),
        "kind: ConfigMap\ndata:\n  a: [!foo, b]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("role.yaml"), WILDCARD_ROLE).unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, report) = scan_json(&[root, "--rule", "rbac-least-privilege"]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [format!(
            "{root}/tagged.yaml:3 invalid YAML: the YAML parser failed on malformed input here"
        )]
    );
    assert_eq!(
        findings(&report),
        [format!(
            "rbac-least-privilege/wildcard {root}/role.yaml:8 ClusterRole everything"
        )]
    );
}
