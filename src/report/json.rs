//! The JSON contract (README.md#json-output).

use serde::Serialize;

use crate::Report;
use crate::finding::Severity;
use crate::rules::rule_url;
use crate::source::SourceMap;

#[derive(Serialize)]
struct Doc<'a> {
    tool: Tool,
    files_scanned: usize,
    summary: Summary,
    diagnostics: Diags<'a>,
    skipped: Skips<'a>,
}

/// A check skipped because a value is Unknown; `file`/`line`/`column` locate the expression
/// that made it Unknown.
#[derive(Serialize)]
struct SkippedOut<'a> {
    rule: &'a str,
    resource: &'a str,
    property: &'a str,
    reason: &'a str,
    file: String,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
}

#[derive(Serialize)]
struct Diag<'a> {
    rule: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    url: String,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    resource: Option<&'a str>,
    related: Vec<RelatedOut<'a>>,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    file: String,
    line: usize,
    column: usize,
    message: &'a str,
}

/// Renders the report as one JSON document.
pub fn render(report: &Report, sources: &SourceMap) -> String {
    super::text::to_json_pretty(&doc(report, sources))
}

/// [`render`], written to `w` as it is serialized (the document of a big scan is tens of MB:
/// it is not built in memory first).
pub fn write(
    report: &Report,
    sources: &SourceMap,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    super::text::write_json_pretty(&doc(report, sources), w)
}

/// The JSON document of a report.
fn doc<'a>(report: &'a Report, sources: &'a SourceMap) -> Doc<'a> {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    Doc {
        tool: Tool {
            name: "agwlint",
            version: env!("CARGO_PKG_VERSION"),
        },
        files_scanned: report.files_scanned,
        summary: Summary {
            error: count(Severity::Error),
            warning: count(Severity::Warning),
            info: count(Severity::Info),
        },
        diagnostics: Diags { report, sources },
        skipped: Skips { report, sources },
    }
}

/// The findings of a report, each made a [`Diag`] as it is serialized: the list of a big
/// scan is not built in memory first (36,000 findings were 14 MB of `Diag`s).
struct Diags<'a> {
    report: &'a Report,
    sources: &'a SourceMap,
}

impl Serialize for Diags<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.report.findings.iter().map(|f| diag(f, self.sources)))
    }
}

/// The skipped checks of a report, each made a [`SkippedOut`] as it is serialized.
struct Skips<'a> {
    report: &'a Report,
    sources: &'a SourceMap,
}

impl Serialize for Skips<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let sources = self.sources;
        serializer.collect_seq(self.report.skipped.iter().map(|s| {
            let (lc, _) = sources.span_lines(&s.at).unwrap_or_default();
            SkippedOut {
                rule: s.rule,
                resource: &s.resource,
                property: &s.property,
                reason: s.reason.as_deref().unwrap_or_default(),
                file: sources.path(s.at.file),
                line: lc.line,
                column: lc.column,
            }
        }))
    }
}

/// One finding as the JSON contract writes it.
fn diag<'a>(f: &'a crate::finding::Finding, sources: &SourceMap) -> Diag<'a> {
    let (start, end) = sources.span_lines(&f.primary).unwrap_or_default();
    Diag {
        rule: f.rule,
        name: f.name,
        severity: f.severity,
        message: &f.message,
        help: f.help.as_deref(),
        url: rule_url(f.rule),
        file: sources.path(f.primary.file),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        resource: f.resource.as_deref(),
        related: f
            .related
            .iter()
            .map(|r| {
                let (s, _) = sources.span_lines(&r.span).unwrap_or_default();
                RelatedOut {
                    file: sources.path(r.span.file),
                    line: s.line,
                    column: s.column,
                    message: &r.message,
                }
            })
            .collect(),
    }
}
