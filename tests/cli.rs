//! End-to-end CLI behaviour: exit codes, `rules`, `explain`, path handling.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn agwlint(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tmpdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn rules_lists_every_registered_rule_with_agw000() {
    let out = agwlint(&["rules"], root());
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let n = agwlint::rules::all_meta().len();
    assert_eq!(text.lines().count(), n);
    assert!(text.starts_with("AGW000  parse-error"));
    let json = agwlint(&["rules", "--format", "json"], root());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), n);
    assert_eq!(v[0]["id"], "AGW000");
}

#[test]
fn explain_prints_the_page_and_unknown_rules_exit_2() {
    let out = agwlint(&["explain", "AGW010"], root());
    assert_eq!(out.status.code(), Some(0));
    let page = std::fs::read_to_string(root().join("rules/AGW010.md")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), page);
    let by_name = agwlint(&["explain", "app-service-host-header-not-set"], root());
    assert_eq!(by_name.stdout, page.as_bytes());
    let bad = agwlint(&["explain", "AGW999"], root());
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn missing_path_is_a_usage_error() {
    let out = agwlint(&["lint", "does/not/exist"], root());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does/not/exist"));
}

#[test]
fn bad_flag_is_a_usage_error() {
    let out = agwlint(&["lint", "--format", "xml"], root());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn non_template_json_is_skipped_silently_and_exit_is_0() {
    let d = tmpdir("skip");
    std::fs::write(d.join("package.json"), r#"{"name":"x","version":"1.0.0"}"#).unwrap();
    std::fs::write(
        d.join("azuredeploy.parameters.json"),
        r#"{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#","contentVersion":"1.0.0.0","parameters":{}}"#,
    )
    .unwrap();
    let out = agwlint(&["lint", "--format", "json"], &d);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!(v["files_scanned"], 0);
    assert!(out.stderr.is_empty());
}

#[test]
fn findings_give_exit_1_and_paths_print_as_given() {
    let out = agwlint(
        &[
            "lint",
            "--format",
            "json",
            "testdata/rules/AGW001/fail.json",
        ],
        root(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["file"], "testdata/rules/AGW001/fail.json");
    assert_eq!(d["rule"], "AGW001");
    assert!(d["line"].as_u64().unwrap() >= 1);
    for key in [
        "name",
        "severity",
        "message",
        "help",
        "url",
        "column",
        "end_line",
        "end_column",
        "resource",
        "related",
    ] {
        assert!(d.get(key).is_some(), "missing {key}");
    }
    // Top-level keys in the contract's order (serde_json's Value sorts keys, so read the text).
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let pos: Vec<usize> = [
        "\"tool\"",
        "\"files_scanned\"",
        "\"summary\"",
        "\"diagnostics\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap())
    .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "key order: {pos:?}");
    // --fail-on never turns the same run green.
    let never = agwlint(
        &[
            "lint",
            "--fail-on",
            "never",
            "testdata/rules/AGW001/fail.json",
        ],
        root(),
    );
    assert_eq!(never.status.code(), Some(0));
}

#[test]
fn broken_file_is_agw000_and_other_files_are_still_linted() {
    let d = tmpdir("broken");
    std::fs::write(
        d.join("broken.json"),
        "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [\n",
    )
    .unwrap();
    std::fs::copy(
        root().join("testdata/rules/AGW001/fail.json"),
        d.join("good.json"),
    )
    .unwrap();
    let out = agwlint(&["lint", "--format", "json", "."], &d);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"AGW000"), "{rules:?}");
    assert!(rules.contains(&"AGW001"), "{rules:?}");
    let files: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files[0], "broken.json");
}

#[test]
fn human_output_has_no_escape_sequences_when_piped() {
    let out = agwlint(&["lint", "testdata/rules/AGW001/fail.json"], root());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "escape sequence in piped output");
    assert!(text.contains("AGW001"));
    assert!(text.contains("testdata/rules/AGW001/fail.json:"));
}
