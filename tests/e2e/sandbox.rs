//! Hostile plugins are stopped by the sandbox limits and reported as errors of their own
//! rule, while every other rule still reports (fail closed, exit 2).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::{
    Run, config_maps, errors, findings, run, scan_json, scan_json_in, statuses, test_plugin,
    tollgate,
};

/// The findings and rule statuses of the same scan without any extra plugin: what the
/// other rules must still report next to a hostile one.
fn undisturbed(input: &str) -> (Vec<String>, Vec<(String, String)>) {
    let (_, report) = scan_json(&[input]);
    (findings(&report), statuses(&report))
}

/// `statuses` without the rules whose id starts with `test-`.
fn builtin_statuses(report: &Value) -> Vec<(String, String)> {
    statuses(report)
        .into_iter()
        .filter(|(id, _)| !id.starts_with("test-"))
        .collect()
}

#[test]
fn looping_and_memory_eating_plugins_are_stopped() {
    let spin = test_plugin("spin");
    let hog = test_plugin("hog");
    let (code, report) = scan_json(&[
        "rbac/violating.yaml",
        "--plugin",
        spin.to_str().unwrap(),
        "--plugin",
        hog.to_str().unwrap(),
        "--plugin-timeout",
        "1",
        "--plugin-memory",
        "64",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [
            format!(
                "[test-hog] plugin {} exceeded its memory limit of 64 MiB and was stopped",
                hog.display()
            ),
            format!(
                "[test-spin] plugin {} exceeded its time limit of 1s and was stopped",
                spin.display()
            ),
        ]
    );
    assert_eq!(
        statuses(&report),
        [
            ("network-policy", "pass"),
            ("no-git-credentials", "pass"),
            ("rbac-least-privilege", "fail"),
            ("test-hog", "error"),
            ("test-spin", "error"),
            ("tls-min-version", "pass"),
        ]
        .map(|(id, status)| (id.to_owned(), status.to_owned()))
    );
    assert_eq!(
        findings(&report).len(),
        5,
        "the other rules' findings still come out"
    );
    assert_eq!(report["summary"]["outcome"], "error");
}

#[test]
fn plugin_with_invalid_info_is_refused() {
    let bad = test_plugin("bad_info");
    let run = run(&[
        "scan",
        "rbac/violating.yaml",
        "--plugin",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: plugin refused: plugin {} has an invalid info(): rule id \"Bad Info!\" is not kebab-case ([a-z0-9] words joined by '-')\n",
            bad.display()
        )
    );
}

#[test]
fn a_file_that_is_not_a_component_is_refused() {
    let mut file = tempfile::NamedTempFile::with_suffix(".wasm").unwrap();
    std::io::Write::write_all(&mut file, b"\0asm\x01\0\0\0garbage").unwrap();
    let run = run(&["rules", "--plugin", file.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(&format!(
            "tollgate: error: plugin refused: plugin {} is not a WebAssembly component wasmtime can compile:",
            file.path().display()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_plugin_cannot_claim_a_builtin_rule_id() {
    // The builtin rules are embedded; loading one of them again as a file is a duplicate.
    let copy = test_plugin("network_policy");
    let run = run(&["rules", "--plugin", copy.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: plugin refused: builtin plugin network-policy and plugin {} both claim rule id \"network-policy\"\n",
            copy.display()
        )
    );
}

#[test]
fn a_rule_given_none_of_its_kinds_is_not_called() {
    let secrets_only = test_plugin("secrets_only");
    let plugin = secrets_only.to_str().unwrap();
    // No Secret among a Role and its bindings: nothing to judge, so no call and no trap.
    let only = ["--plugin", plugin, "--rule", "test-secrets-only"];
    let (code, report) = scan_json(&[&["rbac/compliant.yaml"][..], &only].concat());
    assert_eq!(errors(&report), Vec::<String>::new());
    assert_eq!(code, 0);
    // A Secret: the rule is called with it alone, and its trap is an error of its rule.
    let both = ["rbac/compliant.yaml", "credentials/violating.yaml"];
    let (code, report) = scan_json(&[&both[..], &only].concat());
    assert_eq!(code, 2);
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("[test-secrets-only] plugin ")
            && errors[0].ends_with("(plugin said: called with 1 objects)"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_file_batch_stopped_by_the_memory_limit_is_named_and_the_rest_still_reports() {
    // A key in a comment, which only the credential rule's file batches find, and 10 MB
    // of comments: too large to share a batch with it, and for 8 MiB of memory.
    let dir = tempfile::tempdir().unwrap();
    let (keys, notes) = (dir.path().join("keys.yaml"), dir.path().join("notes.yaml"));
    std::fs::write(&keys, format!("# aws = {}\n", crate::git::aws_key(7))).unwrap();
    let line = format!("# {}\n", "lorem ipsum dolor sit amet ".repeat(40));
    std::fs::write(&notes, line.repeat(10_000)).unwrap();
    let (keys, notes) = (keys.to_str().unwrap(), notes.to_str().unwrap());
    let inputs = ["rbac/violating.yaml", keys];
    let (code, report) = scan_json(&[&inputs[..], &[notes, "--plugin-memory", "8"]].concat());
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [format!(
            "[no-git-credentials] builtin plugin no-git-credentials on {notes} exceeded its \
             memory limit of 8 MiB and was stopped"
        )]
    );
    // The key found in the other batch, and every other rule's findings, stand.
    let (_, alone) = scan_json(&inputs);
    let others = findings(&alone);
    let key = format!("no-git-credentials/aws-access-key-id {keys}:1");
    assert!(others.contains(&key), "{others:?}");
    assert_eq!(findings(&report), others);
    let mut rules = statuses(&alone);
    for (id, status) in &mut rules {
        if id == "no-git-credentials" {
            *status = "error".into();
        }
    }
    assert_eq!(statuses(&report), rules);
}

#[test]
fn panicking_and_lying_plugins_are_errors_of_their_rule() {
    let panic = test_plugin("panic");
    let liar = test_plugin("liar");
    let (code, report) = scan_json(&[
        "credentials/violating.yaml",
        "--plugin",
        panic.to_str().unwrap(),
        "--plugin",
        liar.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    let errors = errors(&report);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        errors[0],
        format!(
            "[test-liar] plugin {} returned a malformed result: finding \"nowhere\": location is outside the input it was given",
            liar.display()
        )
    );
    assert!(
        errors[1].starts_with(&format!(
            "[test-panic] plugin {} trapped: ",
            panic.display()
        )),
        "{}",
        errors[1]
    );
    assert!(
        errors[1].ends_with("(plugin said: cannot judge 1 objects)"),
        "{}",
        errors[1]
    );
    assert_eq!(
        findings(&report),
        ["no-git-credentials/plaintext-secret credentials/violating.yaml:7 Secret shop/db"]
    );
}

#[test]
fn a_sleeping_plugin_is_stopped_at_the_time_limit() {
    // `std::thread::sleep(60 s)` waits in a WASI host call, out of reach of epoch
    // interruption; the host bounds the wait by the call's deadline.
    let sleep = test_plugin("sleep");
    let started = Instant::now();
    let (code, report) = scan_json(&[
        "rbac/violating.yaml",
        "--plugin",
        sleep.to_str().unwrap(),
        "--plugin-timeout",
        "2",
    ]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "the run took {took:?}");
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [format!(
            "[test-sleep] plugin {} exceeded its time limit of 2s and was stopped",
            sleep.display()
        )]
    );
    let (others, mut rules) = undisturbed("rbac/violating.yaml");
    assert_eq!(findings(&report), others);
    rules.push(("test-sleep".into(), "error".into()));
    rules.sort();
    assert_eq!(statuses(&report), rules);
}

/// The `calm` test plugin with `memories` extra linear memories of `memory_mib` MiB and
/// `tables` extra tables of `table_entries` function references added to its core
/// module, written to a file in `dir`.
fn inflated_calm(
    dir: &Path,
    memories: u32,
    memory_mib: u64,
    tables: u32,
    table_entries: u64,
) -> PathBuf {
    let bytes = std::fs::read(test_plugin("calm")).unwrap();
    let mut inflate = inflate::Inflate {
        memories,
        pages: memory_mib * 16,
        tables,
        table_entries,
    };
    let mut component = wasm_encoder::Component::new();
    wasm_encoder::reencode::ReencodeComponent::parse_component(
        &mut inflate,
        &mut component,
        wasmparser::Parser::new(0),
        &bytes,
    )
    .unwrap();
    let path = dir.join(format!(
        "calm-{memories}x{memory_mib}mib-{tables}x{table_entries}.wasm"
    ));
    std::fs::write(&path, component.finish()).unwrap();
    path
}

/// Rewrites a component's core modules with extra memories and tables (unused, but each
/// is allocated when the module is instantiated).
mod inflate {
    use std::convert::Infallible;

    use wasm_encoder::reencode::{Error, Reencode, ReencodeComponent, utils};
    use wasm_encoder::{MemorySection, MemoryType, RefType, TableSection, TableType};

    pub struct Inflate {
        pub memories: u32,
        pub pages: u64,
        pub tables: u32,
        pub table_entries: u64,
    }

    impl Reencode for Inflate {
        type Error = Infallible;

        fn parse_memory_section(
            &mut self,
            memories: &mut MemorySection,
            section: wasmparser::MemorySectionReader<'_>,
        ) -> Result<(), Error<Infallible>> {
            utils::parse_memory_section(self, memories, section)?;
            for _ in 0..self.memories {
                memories.memory(MemoryType {
                    minimum: self.pages,
                    maximum: None,
                    memory64: false,
                    shared: false,
                    page_size_log2: None,
                });
            }
            Ok(())
        }

        fn parse_table_section(
            &mut self,
            tables: &mut TableSection,
            section: wasmparser::TableSectionReader<'_>,
        ) -> Result<(), Error<Infallible>> {
            utils::parse_table_section(self, tables, section)?;
            for _ in 0..self.tables {
                tables.table(TableType {
                    element_type: RefType::FUNCREF,
                    minimum: self.table_entries,
                    maximum: None,
                    table64: false,
                    shared: false,
                });
            }
            Ok(())
        }
    }

    impl ReencodeComponent for Inflate {}
}

#[test]
fn memories_and_tables_count_together_against_the_memory_limit() {
    // 58 MiB of memory and 8 MiB of table: each under 64 MiB, together over it.
    let dir = tempfile::tempdir().unwrap();
    let calm = inflated_calm(dir.path(), 1, 58, 1, 1 << 20);
    // A cache of its own: whether the component's `info()` is cached decides when it is
    // first instantiated, and so where the limit stops it.
    let scan = |memory: &[&str]| -> Run {
        tollgate()
            .env("TOLLGATE_CACHE_DIR", dir.path().join("cache"))
            .env("TOLLGATE_CACHE_KEY", dir.path().join("cache.key"))
            .args([
                "scan",
                "rbac/violating.yaml",
                "--format",
                "json",
                "--plugin",
            ])
            .arg(&calm)
            .args(memory)
            .output()
            .unwrap()
            .into()
    };
    let stopped = format!(
        "plugin {} exceeded its memory limit of 64 MiB and was stopped",
        calm.display()
    );
    // Not yet cached: loading it asks its `info()`, and the whole run is refused.
    let refused = scan(&["--plugin-memory", "64"]);
    assert_eq!(refused.code, 2);
    assert_eq!(refused.stdout, "");
    assert_eq!(
        refused.stderr,
        format!(
            "tollgate: error: plugin refused: plugin {} failed in info(): exceeded its memory limit of 64 MiB and was stopped\n",
            calm.display()
        )
    );

    // With room for both, the same component runs and the other rules are undisturbed.
    let roomy = scan(&["--plugin-memory", "128", "--plugin-memory-total", "256"]);
    assert_eq!(roomy.code, 1, "{}", roomy.stderr);
    let report: Value = serde_json::from_str(&roomy.stdout).unwrap();
    let (others, rules) = undisturbed("rbac/violating.yaml");
    assert_eq!(findings(&report), others);
    assert_eq!(builtin_statuses(&report), rules);
    assert_eq!(
        statuses(&report).iter().find(|(id, _)| id == "test-calm"),
        Some(&("test-calm".to_owned(), "pass".to_owned()))
    );

    // Its `info()` now cached, it is first instantiated to check: the limit stops that
    // call, an error of the run (exit 2) beside the other rules' findings.
    let failed = scan(&["--plugin-memory", "64"]);
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    let report: Value = serde_json::from_str(&failed.stdout).unwrap();
    assert_eq!(findings(&report), others);
    assert_eq!(errors(&report), [format!("[test-calm] {stopped}")]);
}

#[test]
fn components_with_more_memories_or_tables_than_a_rule_needs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (calm, refusal) in [
        (
            inflated_calm(dir.path(), 15, 60, 0, 0),
            "creates more than 2 linear memories (a rule needs fewer) and was refused",
        ),
        (
            inflated_calm(dir.path(), 0, 0, 60, 1 << 20),
            "creates more than 4 tables (a rule needs fewer) and was refused",
        ),
    ] {
        let run = run(&[
            "scan",
            "rbac/violating.yaml",
            "--plugin",
            calm.to_str().unwrap(),
            "--plugin-memory",
            "64",
        ]);
        assert_eq!(run.code, 2, "{}", calm.display());
        assert_eq!(
            run.stderr,
            format!(
                "tollgate: error: plugin refused: plugin {} failed in info(): {refusal}\n",
                calm.display()
            )
        );
    }
}

#[test]
fn output_past_the_caps_is_an_error_of_its_rule() {
    let flood = test_plugin("flood");
    let (others, rules) = undisturbed("rbac/violating.yaml");
    let config = tempfile::tempdir().unwrap();
    for (output, error) in [
        (
            "evidence",
            "finding \"flooded\": evidence is longer than 4096 bytes",
        ),
        (
            "pointer",
            "finding \"flooded\": location is longer than 4096 bytes",
        ),
        (
            "error-text",
            "its error text is 8388608 bytes, more than the 65536 allowed",
        ),
        (
            "findings",
            "100000 findings in one call, more than the 65536 allowed",
        ),
    ] {
        let file = config.path().join(format!("{output}.yaml"));
        std::fs::write(
            &file,
            format!("rules:\n  test-flood:\n    settings:\n      flood: {output}\n"),
        )
        .unwrap();
        let (code, report) = scan_json(&[
            "rbac/violating.yaml",
            "--config",
            file.to_str().unwrap(),
            "--plugin",
            flood.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{output}");
        assert_eq!(
            errors(&report),
            [format!(
                "[test-flood] plugin {} returned a malformed result: {error}",
                flood.display()
            )],
            "{output}"
        );
        assert_eq!(findings(&report), others, "{output}");
        assert_eq!(builtin_statuses(&report), rules, "{output}");
    }
}

#[test]
fn a_full_stderr_is_named_as_such() {
    let chatter = test_plugin("chatter");
    let (code, report) = scan_json(&["rbac/violating.yaml", "--plugin", chatter.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [format!(
            "[test-chatter] plugin {} wrote more than 16 KiB to stderr and was stopped",
            chatter.display()
        )]
    );
    let (others, rules) = undisturbed("rbac/violating.yaml");
    assert_eq!(findings(&report), others);
    assert_eq!(builtin_statuses(&report), rules);
}

#[test]
fn a_plugin_version_must_be_semver() {
    let bad = test_plugin("bad_version");
    let run = run(&[
        "scan",
        "rbac/violating.yaml",
        "--plugin",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "tollgate: error: plugin refused: plugin {} has an invalid info(): version \"<b>9</b>\" is not a semantic version (major.minor.patch, e.g. 1.2.0)\n",
            bad.display()
        )
    );
}

#[test]
fn plugin_randomness_is_the_same_on_every_run() {
    let dice = test_plugin("dice");
    let roll = || {
        let (code, report) = scan_json(&[
            "rbac/compliant.yaml",
            "--plugin",
            dice.to_str().unwrap(),
            "--no-cache",
        ]);
        assert_eq!(code, 1);
        let messages: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect();
        messages
    };
    let first = roll();
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0].starts_with("hashed "), "{first:?}");
    assert_eq!(roll(), first);
}

#[test]
fn a_plugin_cannot_accept_its_own_findings() {
    let plugin = test_plugin("self_accept");
    let (others, rules) = undisturbed("rbac/compliant.yaml");

    // No settings: the acceptance is the plugin's own, and the call is an error.
    let (code, report) = scan_json(&["rbac/compliant.yaml", "--plugin", plugin.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&report),
        [format!(
            "[test-self-accept] plugin {} returned a malformed result: finding \"self-accepted\" is accepted, but the operator gave this rule no settings",
            plugin.display()
        )]
    );
    assert_eq!(findings(&report), others);
    assert_eq!(builtin_statuses(&report), rules);

    // The operator's reason: credited, naming the setting it came from.
    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("tollgate.yaml");
    std::fs::write(
        &file,
        "rules:\n  test-self-accept:\n    settings:\n      reason: vendor chart\n",
    )
    .unwrap();
    let (code, report) = scan_json(&[
        "rbac/compliant.yaml",
        "--config",
        file.to_str().unwrap(),
        "--plugin",
        plugin.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let waivers: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["waiver"]["source"].as_str().unwrap(),
                f["waiver"]["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        waivers,
        [("rule-settings", "vendor chart (setting /reason)")]
    );
}

/// A plugin that traps while the manifest set is being handed over (on the first document
/// of the second batch of 1,024) is an error of its rule; the other rules still judge the
/// whole set, past that batch too.
#[test]
fn a_plugin_trapping_in_the_middle_of_the_set_is_an_error_of_its_rule() {
    let stumble = test_plugin("stumble");
    let dir = tempfile::tempdir().unwrap();
    // Lines 7701 on.
    let yaml = config_maps(1100)
        + "---
apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  token: c2VjcmV0
";
    std::fs::write(dir.path().join("estate.yaml"), yaml).unwrap();
    let plugin = ["--plugin", stumble.to_str().unwrap()];
    let (code, report) = scan_json_in(dir.path(), &[&["estate.yaml"], &plugin[..]].concat());
    assert_eq!(code, 2);
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!(
            "[test-stumble] plugin {} trapped: ",
            stumble.display()
        )),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].ends_with("(plugin said: stumbled on document 1024)"),
        "{}",
        errors[0]
    );
    assert_eq!(
        findings(&report),
        ["no-git-credentials/plaintext-secret estate.yaml:7706 Secret db"]
    );
}
