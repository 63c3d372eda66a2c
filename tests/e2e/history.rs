//! Git history read in batches (`--history`): an oversized blob is skipped and listed
//! with its size while the other blobs are still judged, and no progress is drawn when
//! standard error is not a terminal.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::git::{Repo, aws_key};
use crate::util::findings;

#[test]
fn an_oversized_blob_is_skipped_with_its_size_and_the_others_are_judged() {
    let repo = Repo::new();
    repo.write("assets/dump.txt", &"x".repeat(3000));
    let key = aws_key(14);
    repo.write("config/app.env", &format!("AWS_ACCESS_KEY_ID={key}\n"));
    let first = repo.commit("dump and key");
    repo.write("config/app.env", "AWS_ACCESS_KEY_ID=from-the-vault\n");
    let second = repo.commit("key removed");

    let (code, report, run) = repo.scan(&["--history", "--max-file-size", "2000"]);
    assert_eq!(code, 1, "{}", run.stderr);
    // Piped, not a terminal: no progress line, and nothing else either.
    assert_eq!(run.stderr, "");
    assert_eq!(
        findings(&report),
        [format!(
            "no-git-credentials/aws-access-key-id config/app.env@{}:1",
            &first[..12]
        )]
    );
    assert_eq!(
        report["skipped"],
        json!([{
            "path": format!("assets/dump.txt@{}", &first[..12]),
            "reason": "oversized",
            "bytes": 3000
        }])
    );
    let inputs: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        inputs,
        [
            format!("config/app.env@{}", &first[..12]),
            format!("config/app.env@{}", &second[..12])
        ]
    );
    assert_eq!(report["summary"]["files"], Value::from(2));
    assert!(!run.stdout.contains(&key));
}
