//! The one direction of flow (files → discovery → front-ends → Model → rules → findings →
//! reports), checked on the source: a front-end never knows a rule or a reporter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn front_ends_import_no_rule_and_no_reporter() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/frontend");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 10, "{files:?}");
    let mut bad = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for needle in ["crate::rules", "crate::report", "crate::finding::Finding"] {
            if text.contains(needle) {
                bad.push(format!("{} uses {needle}", f.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "front-ends must stay rule-agnostic:\n{}",
        bad.join("\n")
    );
}
