//! Rule fixtures: every `testdata/rules/AGWnnn/fail*` must produce that rule (snapshotted as
//! rendered human output and JSON), every `pass*` must produce none of it.
//!
//! Cases: `fail.json`, `pass_<case>.json` (ARM templates) and `fail_tf/`, `pass_<case>_tf/`
//! (Terraform module directories).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use agwlint::report::{self, Format, RenderOptions};
use agwlint::source::SourceMap;
use agwlint::{LintOptions, Report, lint};

struct Case {
    rule: String,
    name: String,
    path: PathBuf,
    fail: bool,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return out;
    };
    let mut dirs: Vec<_> = dirs.flatten().map(|e| e.path()).collect();
    dirs.sort();
    for dir in dirs {
        let rule = dir.file_name().unwrap().to_string_lossy().to_string();
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let is_json =
                p.is_file() && name.ends_with(".json") && !name.ends_with(".parameters.json");
            let is_tf = p.is_dir() && name.ends_with("_tf");
            if !(is_json || is_tf) {
                continue;
            }
            let fail = name.starts_with("fail");
            if !fail && !name.starts_with("pass") {
                continue;
            }
            out.push(Case {
                rule: rule.clone(),
                name: name.trim_end_matches(".json").to_string(),
                path: p,
                fail,
            });
        }
    }
    out
}

/// Lints with paths relative to the crate root, as a user in the repository would.
fn run(path: &Path) -> (Report, SourceMap) {
    let rel = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .to_path_buf();
    let sources = SourceMap::new();
    let cwd_rel = Path::new(env!("CARGO_MANIFEST_DIR")).join(&rel);
    // Tests run with the crate root as the working directory.
    assert!(cwd_rel.exists());
    let report = lint(&[rel], &LintOptions::default(), &sources).unwrap();
    (report, sources)
}

#[test]
fn rule_fixtures() {
    let cases = cases();
    assert!(!cases.is_empty(), "no fixtures found under testdata/rules");
    let mut problems = Vec::new();
    for c in &cases {
        let (mut report, sources) = run(&c.path);
        let parse_errors: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule == "AGW000" && c.rule != "AGW000")
            .map(|f| f.message.clone())
            .collect();
        if !parse_errors.is_empty() {
            problems.push(format!(
                "{}/{}: parse errors: {parse_errors:?}",
                c.rule, c.name
            ));
            continue;
        }
        report.findings.retain(|f| f.rule == c.rule);
        report.skipped.retain(|s| s.rule == c.rule);
        if c.fail {
            if report.findings.is_empty() {
                problems.push(format!(
                    "{}/{}: expected {} to fire, got nothing",
                    c.rule, c.name, c.rule
                ));
                continue;
            }
            let human = report::render(
                &report,
                &sources,
                Format::Human,
                RenderOptions {
                    color: false,
                    width: Some(110),
                    ..RenderOptions::default()
                },
            );
            let json = report::render(&report, &sources, Format::Json, RenderOptions::default());
            insta::assert_snapshot!(
                format!("{}__{}", c.rule, c.name),
                format!("{human}\n---- json ----\n{json}")
            );
        } else if !report.findings.is_empty() {
            let msgs: Vec<_> = report.findings.iter().map(|f| f.message.clone()).collect();
            problems.push(format!(
                "{}/{}: pass fixture produced {}: {msgs:?}",
                c.rule, c.name, c.rule
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "fixture problems:\n{}",
        problems.join("\n")
    );
}

/// Every fixture directory has at least one failing and one passing case per front-end where
/// the rule's resources exist in both.
#[test]
fn every_rule_dir_has_fail_and_pass() {
    let cases = cases();
    let mut rules: Vec<&str> = cases.iter().map(|c| c.rule.as_str()).collect();
    rules.dedup();
    for r in rules {
        let of = |fail: bool, tf: bool| {
            cases
                .iter()
                .any(|c| c.rule == r && c.fail == fail && c.path.is_dir() == tf)
        };
        assert!(of(true, false) || of(true, true), "{r}: no fail fixture");
        assert!(of(false, false) || of(false, true), "{r}: no pass fixture");
        if of(true, false) {
            assert!(
                of(false, false),
                "{r}: ARM fail fixture without an ARM pass fixture"
            );
        }
        if of(true, true) {
            assert!(
                of(false, true),
                "{r}: Terraform fail fixture without a Terraform pass fixture"
            );
        }
    }
}
