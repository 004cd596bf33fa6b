//! Human output at the terminal's width, and bounded snippets for findings whose span covers
//! many lines (issue 12, point 8).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use agwlint::Report;
use agwlint::finding::Severity;
use agwlint::report::{Format, RenderOptions, render, width_for};
use agwlint::rules::find_meta;
use agwlint::source::{SourceMap, Span};

const TEMPLATE: &str = "testdata/examples/arm/azuredeploy.json";

/// One finding on the whole first gateway resource (about 190 lines), with a secondary label
/// on its `sku` object.
fn long_span_report() -> (Report, SourceMap) {
    let sources = SourceMap::new();
    let text = std::fs::read_to_string(TEMPLATE).unwrap();
    let id = sources.add(TEMPLATE, &text);
    let type_at = text
        .find("\"type\": \"Microsoft.Network/applicationGateways\"")
        .unwrap();
    let start = text[..type_at].rfind('{').unwrap();
    let end = start + object_len(&text[start..]);
    let sku = start + text[start..].find("\"sku\": {").unwrap();
    let sku_end = sku + text[sku..].find('}').unwrap() + 1;
    let f = find_meta("AGW044")
        .unwrap()
        .finding(
            "gateway \"agw-orders-prod\" has no diagnostic setting that sends its access log to a destination, so the 502s it returns leave no trace",
            Span::new(id, start..end),
        )
        .label("this gateway")
        .related(Span::new(id, sku..sku_end), "a v2 SKU")
        .help("add a Microsoft.Insights/diagnosticSettings resource scoped to the gateway with the ApplicationGatewayAccessLog category sent to a Log Analytics workspace");
    let report = Report {
        files_scanned: 1,
        findings: vec![f],
        ..Report::default()
    };
    (report, sources)
}

/// Length of the JSON object starting the text (braces in strings are not counted here; the
/// template has none inside the gateway).
fn object_len(s: &str) -> usize {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    s.len()
}

fn human(width: usize) -> String {
    let (report, sources) = long_span_report();
    let opts = RenderOptions {
        color: false,
        width: Some(width),
        fail_on: Some(Severity::Warning),
    };
    render(&report, &sources, Format::Human, opts)
}

#[test]
fn a_long_span_shows_its_first_and_last_lines_at_80_columns() {
    let out = human(80);
    insta::assert_snapshot!(out);
    let source_lines = out.lines().filter(|l| l.contains(" │ ")).count();
    assert!(
        source_lines < 20,
        "a 190-line span must not print its lines: {source_lines}\n{out}"
    );
    assert!(out.contains("more lines)"), "{out}");
    // Message and help wrap at the width (source lines are the user's and are not wrapped).
    let wrapped: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  ⚠") || l.starts_with("  │") || l.starts_with("  help"))
        .collect();
    assert_eq!(wrapped.len(), 3, "{out}");
    for l in wrapped {
        assert!(l.chars().count() <= 80, "{l:?}");
    }
}

#[test]
fn the_same_report_at_120_columns_wraps_later() {
    let out = human(120);
    insta::assert_snapshot!(out);
    assert!(
        out.lines()
            .any(|l| l.chars().count() > 80 && l.starts_with("  ⚠")),
        "{out}"
    );
}

#[test]
fn width_comes_from_the_terminal_then_columns_then_100() {
    assert_eq!(width_for(Some(80), Some("132")), 80);
    assert_eq!(width_for(None, Some("132")), 132);
    assert_eq!(width_for(None, Some("wide")), 100);
    assert_eq!(width_for(None, None), 100);
    assert_eq!(width_for(Some(10), None), 40, "never narrower than 40");
}

/// In a pipe the binary wraps at `COLUMNS`, or at 100 without it.
#[test]
fn a_pipe_uses_columns_or_100() {
    let run = |columns: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_agwlint"));
        c.args(["lint", "--select", "AGW010", "testdata/examples/arm"]);
        c.env_remove("COLUMNS");
        if let Some(w) = columns {
            c.env("COLUMNS", w);
        }
        let o = c.output().unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    let longest_message = |out: &str| {
        out.lines()
            .filter(|l| l.starts_with("  ×") || l.starts_with("  │") || l.starts_with("  help"))
            .map(|l| l.chars().count())
            .max()
            .unwrap()
    };
    let narrow = run(Some("60"));
    assert!(longest_message(&narrow) <= 60, "{narrow}");
    let default = run(None);
    let w = longest_message(&default);
    assert!(w > 60 && w <= 100, "{w}: {default}");
}
