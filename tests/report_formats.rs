//! Snapshots of every output format on one synthetic report (tests/support/report_fixture.rs).
//! Deterministic: relative paths, no colour, fixed width, the version redacted.

#[path = "support/report_fixture.rs"]
mod fixture;

use agwlint::finding::Severity;
use agwlint::report::{Format, RenderOptions, render};

fn opts() -> RenderOptions {
    RenderOptions {
        color: false,
        width: Some(100),
        fail_on: Some(Severity::Warning),
    }
}

fn rendered(format: Format) -> String {
    let (report, sources) = fixture::synthetic();
    render(&report, &sources, format, opts()).replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn human() {
    insta::assert_snapshot!(rendered(Format::Human));
}

#[test]
fn json() {
    insta::assert_snapshot!(rendered(Format::Json));
}

#[test]
fn sarif() {
    insta::assert_snapshot!(rendered(Format::Sarif));
}

#[test]
fn github() {
    insta::assert_snapshot!(rendered(Format::Github));
}

#[test]
fn junit() {
    insta::assert_snapshot!(rendered(Format::Junit));
}

#[test]
fn compact() {
    insta::assert_snapshot!(rendered(Format::Compact));
}

#[test]
fn clean_run() {
    let (_, sources) = fixture::synthetic();
    let clean = agwlint::Report {
        files_scanned: 3,
        ..agwlint::Report::default()
    };
    let all: String = [
        Format::Human,
        Format::Compact,
        Format::Github,
        Format::Junit,
    ]
    .into_iter()
    .map(|f| format!("--- {f:?}\n{}", render(&clean, &sources, f, opts())))
    .collect();
    insta::assert_snapshot!(all);
}

/// The script scripts/ci-integrations.sh validates these files with the SARIF schema, the SARIF
/// Multitool and junitparser; it sets AGWLINT_REPORT_OUT to a directory.
#[test]
fn write_artifacts_for_external_validators() {
    let Some(dir) = std::env::var_os("AGWLINT_REPORT_OUT") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (report, sources) = fixture::synthetic();
    for (format, name) in [
        (Format::Sarif, "synthetic.sarif"),
        (Format::Junit, "synthetic.junit.xml"),
        (Format::Json, "synthetic.json"),
        (Format::Github, "synthetic.github.txt"),
    ] {
        let text = render(&report, &sources, format, opts());
        std::fs::write(dir.join(name), &text).unwrap();
        assert!(!text.is_empty());
    }
}
