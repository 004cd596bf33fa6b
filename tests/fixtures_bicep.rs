//! The Bicep twins of the ARM rule fixtures (`testdata/rules/AGWnnn/<case>.bicep`, written by
//! scripts/arm2bicep.py from `<case>.json`): each gives the same rule IDs as its JSON twin, a
//! `fail*` twin fires its rule, a `pass*` twin does not, and none has a parse error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use agwlint::{LintOptions, lint, source::SourceMap};

fn rule_ids(path: &Path) -> BTreeSet<String> {
    let sources = SourceMap::new();
    let report = lint(&[path.to_path_buf()], &LintOptions::default(), &sources).unwrap();
    report.findings.iter().map(|f| f.rule.to_string()).collect()
}

fn twins() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        let rule = dir.file_name().to_string_lossy().to_string();
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let p = f.path();
            if p.extension().is_some_and(|e| e == "bicep") {
                out.push((rule.clone(), p));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn bicep_twins_give_the_rule_ids_of_their_json_templates() {
    let twins = twins();
    assert!(twins.len() >= 100, "only {} Bicep twins", twins.len());
    let mut problems = Vec::new();
    for (rule, bicep) in &twins {
        let name = bicep.file_name().unwrap().to_string_lossy().to_string();
        let got = rule_ids(bicep);
        let want = rule_ids(&bicep.with_extension("json"));
        if got.contains("AGW000") {
            problems.push(format!("{rule}/{name}: parse error"));
        } else if got != want {
            problems.push(format!("{rule}/{name}: {got:?}, JSON twin {want:?}"));
        } else if name.starts_with("fail") && !got.contains(rule) {
            problems.push(format!("{rule}/{name}: {rule} does not fire"));
        } else if name.starts_with("pass") && got.contains(rule) {
            problems.push(format!("{rule}/{name}: {rule} fires"));
        }
    }
    eprintln!(
        "{} Bicep twins, {} differ from their JSON twin",
        twins.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
