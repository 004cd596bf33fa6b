//! Source text dropped after loading (`SourceMap::evict`): the reporters read a file again for
//! its snippet; a file that changed since is shown blank, never with the new text, and its
//! positions are those of the text linted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use agwlint::finding::Severity;
use agwlint::report::{Format, RenderOptions, render};
use agwlint::{LintOptions, Report, lint, source::SourceMap};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-evict-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn plain() -> RenderOptions {
    RenderOptions {
        color: false,
        width: Some(200),
        fail_on: Some(Severity::Warning),
    }
}

/// Lints one path (a directory or a file) with the default options.
fn lint_one(path: &Path, sources: &SourceMap) -> Report {
    lint(
        std::slice::from_ref(&path.to_path_buf()),
        &LintOptions::default(),
        sources,
    )
    .unwrap()
}

const TEMPLATE: &str = include_str!("../testdata/rules/AGW044/fail.json");

#[test]
fn a_dropped_text_is_read_again_for_its_snippet() {
    let dir = scratch("again");
    std::fs::write(dir.join("t.json"), TEMPLATE).unwrap();
    let sources = SourceMap::new();
    // Texts are dropped past a budget (4 MiB by default): here at once.
    sources.set_text_budget(0);
    let report = lint_one(&dir, &sources);
    let f = report.findings.iter().find(|f| f.rule == "AGW044").unwrap();
    assert_eq!(
        &*sources.get_stored(f.primary.file).unwrap().text,
        "",
        "the text is not kept after loading"
    );
    let (start, _) = sources.span_lines(&f.primary).unwrap();
    let line = TEMPLATE.lines().nth(start.line - 1).unwrap().trim();
    let human = render(&report, &sources, Format::Human, plain());
    assert!(human.contains(line), "snippet line `{line}` in:\n{human}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_changed_since_it_was_linted_is_shown_blank_at_the_same_positions() {
    let dir = scratch("changed");
    std::fs::write(dir.join("t.json"), TEMPLATE).unwrap();
    let sources = SourceMap::new();
    // Texts are dropped past a budget (4 MiB by default): here at once.
    sources.set_text_budget(0);
    let report = lint_one(&dir, &sources);
    let json = render(&report, &sources, Format::Json, plain());
    // Same length and lines, other text.
    let changed: String = TEMPLATE
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { 'Q' } else { c })
        .collect();
    std::fs::write(dir.join("t.json"), &changed).unwrap();
    let human = render(&report, &sources, Format::Human, plain());
    assert!(
        !human.contains("QQQ"),
        "no text of the changed file:\n{human}"
    );
    assert!(human.contains("AGW044"), "{human}");
    assert_eq!(render(&report, &sources, Format::Json, plain()), json);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A template larger than `MAX_EVICTABLE_BYTES`, named on the command line: its text is
/// dropped as soon as it is parsed (the tree holds every value while it is evaluated) and
/// read again for the snippets, which are those of the same template kept in memory.
#[test]
fn a_large_template_is_dropped_once_parsed_and_shown_as_a_small_one() {
    let dir = scratch("large");
    let path = dir.join("t.json");
    let run = |text: &str| {
        std::fs::write(&path, text).unwrap();
        let sources = SourceMap::new();
        let report = lint_one(&path, &sources);
        let f = report.findings.iter().find(|f| f.rule == "AGW044").unwrap();
        let stored = sources.get_stored(f.primary.file).unwrap().text.len();
        let out = [Format::Human, Format::Json, Format::Sarif]
            .map(|format| render(&report, &sources, format, plain()));
        (stored, out)
    };
    let (kept, want) = run(TEMPLATE);
    // Trailing blanks after the root value: the same template, past the size cap.
    let padded = format!(
        "{TEMPLATE}{}",
        " ".repeat(agwlint::source::MAX_EVICTABLE_BYTES)
    );
    let (dropped, got) = run(&padded);
    assert_eq!(kept, TEMPLATE.len(), "a small text stays");
    assert_eq!(dropped, 0, "the large text is dropped once parsed");
    assert_eq!(got, want);
    // The snippet, read again from the file: the gateway's `name` line.
    let line = TEMPLATE
        .lines()
        .find(|l| l.contains("\"name\": \"[parameters('gwName')]\""))
        .unwrap();
    assert!(got[0].contains(line.trim()), "{}", got[0]);
    let _ = std::fs::remove_dir_all(&dir);
}
