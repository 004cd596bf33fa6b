//! The ARM front-end over the shared corpus of real third-party templates: no panic, no AGW000
//! on valid JSON, classic and symbolic-name compilations of the same Bicep agree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use agwlint::{LintOptions, lint, source::SourceMap};

#[path = "support/corpus.rs"]
mod corpus;

fn corpus_dir() -> Option<PathBuf> {
    corpus::corpus("arm")
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
    // (classic, symbolic, rules whose verdict may differ because the two files are not the
    // same source).
    let pairs: [(&str, &str, &[&str]); 2] = [
        (
            "bicep-samples/application-gateway-v2-autoscale-create.main.json",
            "bicep-samples/application-gateway-v2-autoscale-create.main.symbolicnames.json",
            &[],
        ),
        (
            "resourcemodules/network-application-gateway.main.classic.json",
            "resourcemodules/network-application-gateway.main.symbolic.json",
            // Two versions of the module: the classic one takes `diagnosticWorkspaceId` & co.
            // with `""` defaults (no diagnostic setting: AGW044), the symbolic one a nullable
            // `diagnosticSettings` input its callers supply (Unknown: silent).
            &["AGW044"],
        ),
    ];
    for (classic, symbolic, differ) in pairs {
        let (a, b) = (dir.join(classic), dir.join(symbolic));
        if !a.is_file() || !b.is_file() {
            eprintln!("!!!!!!!! pair {classic} / {symbolic} missing from the corpus !!!!!!!!");
            continue;
        }
        let compared = |p: &Path| {
            let mut r = rules_of(p);
            r.retain(|id| !differ.contains(&id.as_str()));
            r
        };
        assert_eq!(compared(&a), compared(&b), "{classic} vs {symbolic}");
    }
}

/// Findings per rule and severity on the whole ARM corpus linted at once, as reviewed finding
/// by finding in `testdata/corpus-review.md`. A change here is a change in what the linter
/// reports on real templates: re-review the difference, then update the table.
const REVIEWED_COUNTS: &[(&str, &str, usize)] = &[
    ("AGW001", "error", 21),
    ("AGW002", "warning", 1),
    ("AGW003", "info", 2),
    ("AGW003", "warning", 1),
    ("AGW005", "info", 7),
    ("AGW007", "error", 1),
    ("AGW019", "info", 3),
    ("AGW020", "info", 1),
    ("AGW021", "info", 3),
    ("AGW043", "error", 2),
    ("AGW043", "warning", 5),
    ("AGW044", "info", 1),
    ("AGW044", "warning", 32),
    ("AGW045", "info", 8),
    ("AGW046", "warning", 1),
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

/// Without the corpus, these tests fail in CI and skip with a printed reason elsewhere: run one
/// of them in a child process of this test binary both ways.
#[test]
fn a_missing_corpus_fails_in_ci_and_is_reported_outside() {
    let run = |ci: bool| {
        let mut c = std::process::Command::new(std::env::current_exe().unwrap());
        c.args([
            "--exact",
            "every_corpus_template_lints_without_panic_or_false_parse_errors",
            "--nocapture",
        ])
        .env("AGWLINT_CORPUS", "/nonexistent/agwlint-corpus")
        .env_remove("CI")
        .env_remove("TF_BUILD")
        .env_remove("AGWLINT_REQUIRE_CORPUS");
        if ci {
            c.env("CI", "true");
        }
        let o = c.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.success(), text)
    };
    let (ok, text) = run(true);
    assert!(!ok, "must fail in CI: {text}");
    assert!(
        text.contains("cannot pass in CI without the corpus"),
        "{text}"
    );
    let (ok, text) = run(false);
    assert!(ok, "{text}");
    assert!(
        text.contains("SKIPPED: the corpus directory /nonexistent/agwlint-corpus/arm is missing"),
        "{text}"
    );
}

#[test]
fn ci_is_recognised_from_the_usual_variables() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_string())
        }
    };
    assert!(corpus::in_ci(env(&[("CI", "true")])));
    assert!(corpus::in_ci(env(&[("CI", "1")])));
    assert!(corpus::in_ci(env(&[("TF_BUILD", "True")])));
    assert!(corpus::in_ci(env(&[("AGWLINT_REQUIRE_CORPUS", "1")])));
    assert!(!corpus::in_ci(env(&[("CI", "false")])));
    assert!(!corpus::in_ci(env(&[("CI", "")])));
    assert!(!corpus::in_ci(env(&[])));
    let missing = env(&[("CI", "true"), ("AGWLINT_CORPUS", "/nonexistent/c")]);
    assert!(corpus::locate("terraform", missing).is_err());
    let local = env(&[("AGWLINT_CORPUS", "/nonexistent/c")]);
    assert_eq!(corpus::locate("terraform", local), Ok(None));
}
