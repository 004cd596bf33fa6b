//! The Bicep parser over the shared corpus of real Bicep (Azure/bicep-registry-modules and the
//! Azure/bicep sample baselines): every valid file parses with no error; the deliberately
//! invalid samples (`Invalid*` folders) give errors or parse, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use agwlint::frontend::bicep;

#[path = "support/corpus.rs"]
mod corpus;

fn bicep_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "bicep" || x == "bicepparam")
        })
        .collect();
    out.sort();
    out
}

fn invalid(path: &Path) -> bool {
    path.components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with("Invalid"))
}

#[test]
fn every_valid_corpus_file_parses_and_invalid_ones_do_not_panic() {
    let Some(dir) = corpus::corpus("bicep") else {
        return;
    };
    let files = bicep_files(&dir);
    assert!(
        files.len() >= 2000,
        "expected the Bicep corpus, found {} files",
        files.len()
    );
    let mut failures = Vec::new();
    let (mut valid, mut rejected) = (0, 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let parsed = bicep::parse_text(text);
        if invalid(path) {
            rejected += usize::from(!parsed.errors.is_empty());
            continue;
        }
        valid += 1;
        if let Some(e) = parsed.errors.first() {
            let line = text[..e.span.start.min(text.len())].matches('\n').count() + 1;
            failures.push(format!("{}:{line}: {}", path.display(), e.message));
        }
    }
    eprintln!(
        "Bicep corpus: {valid} valid files, {} parse errors; {rejected} invalid samples rejected",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_whole_corpus_lints_without_parse_errors_on_valid_files() {
    let Some(dir) = corpus::corpus("bicep") else {
        return;
    };
    let sources = agwlint::source::SourceMap::new();
    let report = agwlint::lint(
        std::slice::from_ref(&dir),
        &agwlint::LintOptions::default(),
        &sources,
    )
    .unwrap();
    let mut wrong = Vec::new();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for f in &report.findings {
        *counts.entry(f.rule.to_string()).or_default() += 1;
        let path = sources.path(f.primary.file);
        if f.rule == "AGW000" && !path.contains("/Invalid") {
            wrong.push(format!("{path}: {}", f.message));
        }
    }
    eprintln!("Bicep corpus findings per rule: {counts:?}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
