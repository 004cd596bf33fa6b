//! Every input under tests/fixtures-fuzz/ (fuzzer crashes, timeouts and hand-made hostile
//! inputs) is linted through the public entry points and must end, within a time bound, in
//! findings or AGW000: never a panic, a stack overflow or a hang.
//!
//! - `arm/*`: linted as an explicitly named template (whatever the extension);
//! - `tf/*`: linted as `main.tf` of a root module that has a local module `./mod`;
//! - `config/*`: parsed as `.agwlint.yaml` (an error is fine, a panic is not).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod property_common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use property_common::{bounded, lint_paths, scratch};

/// Generous: the debug build is slow and CI machines are shared, and a hang (not speed, which
/// `scripts/bench.sh` measures) is what this catches. At 60 s it failed twice on a 2-core machine
/// with a load average of 9-14 while the same input takes 2 s in a release build.
const LIMIT: Duration = Duration::from_secs(240);

fn inputs(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures-fuzz")
        .join(kind);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn arm_inputs_end_in_findings_or_agw000() {
    let dir = scratch("fuzz-arm");
    for input in inputs("arm") {
        // Copied to `<name>.json` so discovery and parameter-file lookup behave as for a user.
        let p = dir.join(format!("{}.json", name(&input)));
        std::fs::copy(&input, &p).unwrap();
        let t = std::time::Instant::now();
        let rules = bounded(&name(&input), LIMIT, move || lint_paths(&[p]));
        eprintln!("{}: {:?}", name(&input), t.elapsed());
        assert!(
            rules.iter().all(|r| r.starts_with("AGW")),
            "{}: {rules:?}",
            name(&input)
        );
    }
}

#[test]
fn terraform_inputs_end_in_findings_or_agw000() {
    for input in inputs("tf") {
        let dir = scratch(&format!("fuzz-tf-{}", name(&input)));
        std::fs::create_dir_all(dir.join("mod")).unwrap();
        std::fs::write(
            dir.join("mod/main.tf"),
            "variable \"x\" {\n  default = 1\n}\noutput \"y\" {\n  value = var.x\n}\n",
        )
        .unwrap();
        std::fs::copy(&input, dir.join("main.tf")).unwrap();
        let t = std::time::Instant::now();
        let rules = bounded(&name(&input), LIMIT, move || lint_paths(&[dir]));
        eprintln!("{}: {:?}", name(&input), t.elapsed());
        assert!(
            rules.iter().all(|r| r.starts_with("AGW")),
            "{}: {rules:?}",
            name(&input)
        );
    }
}

#[test]
fn config_inputs_parse_or_fail_cleanly() {
    for input in inputs("config") {
        let bytes = std::fs::read(&input).unwrap();
        bounded(&name(&input), LIMIT, move || {
            let text = String::from_utf8_lossy(&bytes);
            if let Err(e) = agwlint::config::load::parse(".agwlint.yaml", &text) {
                assert!(!e.message.is_empty());
                let _ = e.render(false);
                let _ = e.render(true);
            }
        });
    }
}
