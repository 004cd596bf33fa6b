//! JUnit XML for Azure Pipelines (`PublishTestResults@2`, `testResultsFormat: JUnit`) and GitLab
//! (`artifacts:reports:junit`).
//!
//! One `<testsuite>` per file with findings, one `<testcase>` per rule in that file. A test case
//! fails when one of its findings is at or above the failing severity (`--fail-on`); below it the
//! findings are listed in `<system-out>` of a passing case. A clean run is one passing suite.

use std::collections::BTreeMap;

use crate::Report;
use crate::finding::{Finding, Severity};
use crate::rules::rule_url;
use crate::source::{FileId, SourceMap};

use super::text::escape_controls;

/// Escapes text for XML 1.0 content and attributes. Control characters become visible `\x1b`
/// text first, so nothing illegal in XML 1.0 (C0 other than tab/LF/CR, U+FFFE, U+FFFF) remains.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_controls(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Attribute-value normalization would turn raw newlines and tabs into spaces.
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Renders the report; `fail_on` is the lowest failing severity (`None`: nothing fails).
pub fn render(report: &Report, sources: &SourceMap, fail_on: Option<Severity>) -> String {
    let fails = |s: Severity| fail_on.is_some_and(|t| s >= t);
    // file → rule → findings, in report order (already sorted by file, position, rule).
    let mut by_file: BTreeMap<String, (FileId, BTreeMap<&str, Vec<&Finding>>)> = BTreeMap::new();
    for f in &report.findings {
        by_file
            .entry(sources.path(f.primary.file))
            .or_insert_with(|| (f.primary.file, BTreeMap::new()))
            .1
            .entry(f.rule)
            .or_default()
            .push(f);
    }
    let mut suites = String::new();
    let (mut total, mut total_failed) = (0usize, 0usize);
    for (path, (_, rules)) in &by_file {
        let failed = rules
            .values()
            .filter(|fs| fs.iter().any(|f| fails(f.severity)))
            .count();
        total += rules.len();
        total_failed += failed;
        let p = xml_escape(path);
        suites.push_str(&format!(
            "  <testsuite name=\"{p}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
            rules.len()
        ));
        for (rule, fs) in rules {
            suites.push_str(&testcase(&p, rule, fs, sources, fails));
        }
        suites.push_str("  </testsuite>\n");
    }
    if by_file.is_empty() {
        total = 1;
        suites.push_str(&format!(
            "  <testsuite name=\"agwlint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\">\n    <testcase classname=\"agwlint\" name=\"{}\" time=\"0\"/>\n  </testsuite>\n",
            xml_escape(&super::human::summary(report, sources))
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"agwlint\" tests=\"{total}\" failures=\"{total_failed}\" errors=\"0\" time=\"0\">\n{suites}</testsuites>\n"
    )
}

fn testcase(
    path: &str,
    rule: &str,
    fs: &[&Finding],
    sources: &SourceMap,
    fails: impl Fn(Severity) -> bool,
) -> String {
    let Some(first) = fs.first() else {
        return String::new();
    };
    let line = |f: &Finding| sources.span_lines(&f.primary).unwrap_or_default().0;
    let mut body = String::new();
    for f in fs {
        let lc = line(f);
        body.push_str(&format!(
            "{}:{}:{}: {} {} {}\n",
            sources.path(f.primary.file),
            lc.line,
            lc.column,
            f.severity,
            f.rule,
            f.message
        ));
        if let Some(h) = &f.help {
            body.push_str(&format!("help: {h}\n"));
        }
    }
    body.push_str(&rule_url(rule));
    let worst = fs
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(first.severity);
    let name = xml_escape(&format!("{rule} {}", first.name));
    let head = format!(
        "    <testcase classname=\"{path}\" name=\"{name}\" file=\"{path}\" line=\"{}\" time=\"0\">\n",
        line(first).line
    );
    let inner = if fs.iter().any(|f| fails(f.severity)) {
        let message = if fs.len() == 1 {
            first.message.clone()
        } else {
            format!("{} findings; first: {}", fs.len(), first.message)
        };
        format!(
            "      <failure type=\"{worst}\" message=\"{}\">{}</failure>\n",
            xml_escape(&message),
            xml_escape_text(&body)
        )
    } else {
        format!(
            "      <system-out>{}</system-out>\n",
            xml_escape_text(&body)
        )
    };
    format!("{head}{inner}    </testcase>\n")
}

/// Element content keeps its newlines readable.
fn xml_escape_text(s: &str) -> String {
    xml_escape(s).replace("&#10;", "\n").replace("&#9;", "\t")
}
