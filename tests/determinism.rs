//! Files and modules are linted in parallel; the output must not depend on how many threads
//! ran or in which order units finished. The same scan runs with 1 and with 4 rayon threads
//! and the JSON reports must be byte-identical.
//!
//! Inputs: the repository's own fixtures (`testdata`, `tests/scenarios`), and the shared corpus
//! when it is present (`$AGWLINT_CORPUS`, default `../shared/corpus`; required in CI).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[path = "support/corpus.rs"]
mod corpus;

fn corpus() -> Option<PathBuf> {
    corpus::corpus("")
}

fn scan(threads: &str, paths: &[PathBuf]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .arg("lint")
        .args(["--format", "json"])
        .args(paths)
        .env("RAYON_NUM_THREADS", threads)
        .current_dir(root())
        .output()
        .expect("run agwlint");
    // 0 = clean, 1 = findings; anything else is a failure of the run itself.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn json_output_does_not_depend_on_thread_count() {
    let mut paths = vec![root().join("testdata"), root().join("tests/scenarios")];
    if let Some(c) = corpus() {
        paths.push(c);
    }
    let one = scan("1", &paths);
    let many = scan("4", &paths);
    let text = String::from_utf8_lossy(&one);
    assert!(
        text.contains("\"diagnostics\""),
        "not a JSON report: {text}"
    );
    // The fixtures fire rules, so there is an order to get wrong.
    assert!(text.contains("\"AGW0"), "no findings to order");
    assert!(
        one == many,
        "JSON differs between RAYON_NUM_THREADS=1 and 4"
    );
    // And a second run with the same thread count is identical too.
    assert!(scan("4", &paths) == many, "two runs with 4 threads differ");
}
