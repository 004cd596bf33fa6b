//! The real binary: `--format`, `--output`, `--fail-on` and exit codes.
//!
//! testdata/report/invalid-utf8.json is a template that is not UTF-8: lib.rs reports it as
//! AGW000 (error) whatever the state of the front-ends, so these tests do not depend on them.

// Helpers outside #[test] functions unwrap too: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn agwlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

const BAD: &str = "testdata/report/invalid-utf8.json";

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn fail_on_sets_the_exit_code() {
    assert_eq!(agwlint(&["lint", BAD]).status.code(), Some(1));
    assert_eq!(
        agwlint(&["lint", "--fail-on", "error", BAD]).status.code(),
        Some(1)
    );
    assert_eq!(
        agwlint(&["lint", "--fail-on", "info", BAD]).status.code(),
        Some(1)
    );
    assert_eq!(
        agwlint(&["lint", "--fail-on", "never", BAD]).status.code(),
        Some(0)
    );
    assert_eq!(
        agwlint(&["lint", "--fail-on", "bogus", BAD]).status.code(),
        Some(2)
    );
    assert_eq!(
        agwlint(&["lint", "--format", "xml", BAD]).status.code(),
        Some(2)
    );
    assert_eq!(agwlint(&["lint", "no/such/path"]).status.code(), Some(2));
}

#[test]
fn every_format_reports_the_finding() {
    for (format, needle) in [
        ("human", "AGW000"),
        ("json", "\"rule\": \"AGW000\""),
        ("sarif", "\"ruleId\": \"AGW000\""),
        (
            "github",
            "::error file=testdata/report/invalid-utf8.json,line=4,col=22,",
        ),
        ("junit", "name=\"AGW000 parse-error\""),
        (
            "compact",
            "testdata/report/invalid-utf8.json:4:22: error AGW000 ",
        ),
    ] {
        let o = agwlint(&["lint", "--format", format, BAD]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        let out = stdout(&o);
        assert!(out.contains(needle), "{format}:\n{out}");
        // Piped stdout: no colour, no hyperlinks.
        assert!(!out.contains('\u{1b}'), "{format}");
    }
    let human = stdout(&agwlint(&["lint", BAD]));
    assert!(
        human.ends_with("1 error in 1 file (1 file linted)\n"),
        "{human}"
    );
    let coloured = stdout(&agwlint(&["lint", "--color", "always", BAD]));
    assert!(coloured.contains("\u{1b}["), "{coloured}");
    assert!(!coloured.contains("\u{1b}]8;"), "no OSC 8 hyperlinks");
}

#[test]
fn output_writes_the_report_and_keeps_human_on_the_terminal() {
    let dir = std::env::temp_dir().join(format!("agwlint-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.sarif");
    let o = agwlint(&[
        "lint",
        "--format",
        "sarif",
        "--output",
        file.to_str().unwrap(),
        "--color",
        "always",
        BAD,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("AGW000") && out.contains("1 error in 1 file (1 file linted)"),
        "{out}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "AGW000");
    let unwritable = dir.join("missing-dir/report.xml");
    let o = agwlint(&[
        "lint",
        "--format",
        "junit",
        "--output",
        unwritable.to_str().unwrap(),
        BAD,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clean_run_exits_zero_in_every_format() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/report/tf");
    for format in ["human", "json", "sarif", "github", "junit", "compact"] {
        let o = agwlint(&[
            "lint",
            "--format",
            format,
            "--fail-on",
            "never",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{format}");
    }
}

/// The summary line names both counts: the files with findings and the files linted.
#[test]
fn summary_counts_files_with_findings_and_files_linted() {
    let last = |args: &[&str]| {
        let o = agwlint(args);
        stdout(&o).lines().last().unwrap_or_default().to_string()
    };
    let s = last(&[
        "lint",
        "--color",
        "never",
        "--select",
        "AGW045",
        "testdata/examples",
    ]);
    let linted: usize = s
        .strip_prefix("1 info in 1 file (")
        .and_then(|r| r.strip_suffix(" files linted)"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{s:?}"));
    assert!(
        linted > 1,
        "every template, parameter file and .tf file: {s}"
    );
    assert_eq!(
        last(&[
            "lint",
            "--color",
            "never",
            "--select",
            "AGW001",
            "testdata/inputs"
        ]),
        "no findings (2 files linted)"
    );
}
