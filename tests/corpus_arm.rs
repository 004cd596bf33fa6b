//! The ARM front-end over the shared corpus of real third-party templates: no panic, no AGW000
//! on valid JSON, classic and symbolic-name compilations of the same Bicep agree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use agwlint::{LintOptions, lint, source::SourceMap};

fn corpus_dir() -> Option<PathBuf> {
    // `../shared/corpus` beside the repository; worktrees one level deeper find it one up.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::env::var_os("AGWLINT_CORPUS")
        .map(PathBuf::from)
        .or_else(|| {
            [
                root.join("../shared/corpus"),
                root.join("../../shared/corpus"),
            ]
            .into_iter()
            .find(|p| p.is_dir())
        })
        .unwrap_or_else(|| root.join("../shared/corpus"));
    let arm = base.join("arm");
    if arm.is_dir() {
        Some(arm)
    } else {
        eprintln!(
            "!!!!!!!! corpus directory {} not found: ARM corpus tests skipped !!!!!!!!",
            arm.display()
        );
        assert!(
            std::env::var("AGWLINT_REQUIRE_CORPUS").as_deref() != Ok("1"),
            "AGWLINT_REQUIRE_CORPUS=1 but the corpus is missing"
        );
        None
    }
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out
}

fn rules_of(path: &Path) -> Vec<String> {
    let sources = SourceMap::new();
    let report = lint(&[path.to_path_buf()], &LintOptions::default(), &sources)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut ids: Vec<String> = report.findings.iter().map(|f| f.rule.to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn every_corpus_template_lints_without_panic_or_false_parse_errors() {
    let Some(dir) = corpus_dir() else { return };
    let files = json_files(&dir);
    assert!(
        files.len() >= 40,
        "expected the ARM corpus, found {} files",
        files.len()
    );
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let sources = SourceMap::new();
        let report = lint(
            std::slice::from_ref(path),
            &LintOptions::default(),
            &sources,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let valid_json = serde_json::from_str::<serde_json::Value>(
            text.strip_prefix('\u{feff}').unwrap_or(&text),
        )
        .is_ok();
        for f in &report.findings {
            if valid_json {
                assert_ne!(f.rule, "AGW000", "{}: {}", path.display(), f.message);
            }
            *counts.entry(f.rule.to_string()).or_default() += 1;
        }
    }
    eprintln!("ARM corpus findings per rule: {counts:?}");
}

#[test]
fn classic_and_symbolic_compilations_agree() {
    let Some(dir) = corpus_dir() else { return };
    let pairs = [
        (
            "bicep-samples/application-gateway-v2-autoscale-create.main.json",
            "bicep-samples/application-gateway-v2-autoscale-create.main.symbolicnames.json",
        ),
        (
            "resourcemodules/network-application-gateway.main.classic.json",
            "resourcemodules/network-application-gateway.main.symbolic.json",
        ),
    ];
    for (classic, symbolic) in pairs {
        let (a, b) = (dir.join(classic), dir.join(symbolic));
        if !a.is_file() || !b.is_file() {
            eprintln!("!!!!!!!! pair {classic} / {symbolic} missing from the corpus !!!!!!!!");
            continue;
        }
        assert_eq!(rules_of(&a), rules_of(&b), "{classic} vs {symbolic}");
    }
}

/// Findings per rule and severity on the whole ARM corpus linted at once, as reviewed finding
/// by finding in `testdata/corpus-review.md`. A change here is a change in what the linter
/// reports on real templates: re-review the difference, then update the table.
const REVIEWED_COUNTS: &[(&str, &str, usize)] = &[
    ("AGW001", "error", 21),
    ("AGW002", "warning", 1),
    ("AGW003", "warning", 3),
    ("AGW005", "info", 7),
    ("AGW007", "error", 1),
    ("AGW019", "warning", 3),
    ("AGW020", "info", 1),
    ("AGW021", "info", 3),
    ("AGW043", "error", 2),
    ("AGW043", "warning", 5),
    ("AGW044", "info", 1),
    ("AGW044", "warning", 28),
    ("AGW045", "info", 8),
];

#[test]
fn per_rule_counts_on_the_corpus_are_the_reviewed_ones() {
    let Some(dir) = corpus_dir() else { return };
    let sources = SourceMap::new();
    let report = lint(
        std::slice::from_ref(&dir),
        &LintOptions::default(),
        &sources,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut got: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in &report.findings {
        *got.entry((f.rule.to_string(), f.severity.as_str().to_string()))
            .or_default() += 1;
    }
    let want: BTreeMap<(String, String), usize> = REVIEWED_COUNTS
        .iter()
        .map(|(r, s, n)| ((r.to_string(), s.to_string()), *n))
        .collect();
    assert_eq!(
        got, want,
        "per-rule counts changed; re-review (testdata/corpus-review.md)"
    );
}
