//! The JSON contract (README.md#json-output).

use serde::Serialize;

use crate::Report;
use crate::finding::Severity;
use crate::rules::rule_url;
use crate::source::SourceMap;

/// The head of the document; the two lists follow it ([`write`]).
#[derive(Serialize)]
struct Head {
    tool: Tool,
    files_scanned: usize,
    summary: Summary,
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
    let mut buf = Vec::new();
    if let Err(e) = write(report, sources, &mut buf) {
        return format!("{{\"error\": \"cannot serialize the report: {e}\"}}\n");
    }
    String::from_utf8(buf).unwrap_or_default()
}

/// [`render`], written to `w` as it is made (the document of a big scan is tens of MB: it is
/// not built in memory first). The findings and skipped checks are rendered a batch at a time,
/// the batch's slices on the thread pool, and written in order: the same bytes as serde_json's
/// pretty printer writes for the whole document (on one thread, 11 % of a 6,000-file scan's
/// wall time).
pub fn write(
    report: &Report,
    sources: &SourceMap,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut text = Vec::new();
    super::text::json_pretty_into(&head(report), &mut text)?;
    // Open again: the lists are members of the same object.
    let Some(open) = text.strip_suffix(b"\n}") else {
        return Err(std::io::Error::other("unexpected JSON head"));
    };
    w.write_all(open)?;
    w.write_all(b",\n  \"diagnostics\": ")?;
    write_list(w, &report.findings, |f, buf| {
        super::text::json_pretty_into(&diag(f, sources), buf)
    })?;
    w.write_all(b",\n  \"skipped\": ")?;
    write_list(w, &report.skipped, |s, buf| {
        super::text::json_pretty_into(&skipped_out(s, sources), buf)
    })?;
    w.write_all(b"\n}\n")
}

/// The head of a report's document: the tool, the files read and the count per severity.
fn head(report: &Report) -> Head {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    Head {
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
    }
}

/// Items rendered per batch: a batch's text is held at once (about 1 KB an item).
const BATCH: usize = 1024;
/// Items one thread renders in one go.
const SLICE: usize = 256;

/// A list that is a member of the top-level object, as serde_json's pretty printer writes it:
/// `[]`, or each element (pretty JSON that `render` appends) on its own lines indented by four
/// spaces.
fn write_list<T: Sync>(
    w: &mut dyn std::io::Write,
    items: &[T],
    render: impl Fn(&T, &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    if items.is_empty() {
        return w.write_all(b"[]");
    }
    w.write_all(b"[\n")?;
    let render_slice = |slice: &[T]| -> std::io::Result<Vec<u8>> {
        let (mut buf, mut one) = (Vec::new(), Vec::new());
        for (i, item) in slice.iter().enumerate() {
            if i > 0 {
                buf.extend_from_slice(b",\n");
            }
            one.clear();
            render(item, &mut one)?;
            indent_into(&one, &mut buf);
        }
        Ok(buf)
    };
    let mut first = true;
    for batch in items.chunks(BATCH) {
        // One slice is rendered here: a small report does not start the thread pool.
        let parts: Vec<std::io::Result<Vec<u8>>> = if batch.len() <= SLICE {
            vec![render_slice(batch)]
        } else {
            batch.par_chunks(SLICE).map(render_slice).collect()
        };
        for part in parts {
            if !first {
                w.write_all(b",\n")?;
            }
            first = false;
            w.write_all(&part?)?;
        }
    }
    w.write_all(b"\n  ]")
}

/// `text` (pretty JSON of one element) with every line indented by four spaces, as at depth
/// two of the document. Its strings hold no raw newline (JSON escapes them).
fn indent_into(text: &[u8], buf: &mut Vec<u8>) {
    const INDENT: &[u8] = b"    ";
    buf.extend_from_slice(INDENT);
    let mut from = 0;
    for nl in memchr::memchr_iter(b'\n', text) {
        buf.extend_from_slice(&text[from..=nl]);
        buf.extend_from_slice(INDENT);
        from = nl + 1;
    }
    buf.extend_from_slice(&text[from..]);
}

/// One skipped check as the JSON contract writes it.
fn skipped_out<'a>(s: &'a crate::rules::Skipped, sources: &SourceMap) -> SkippedOut<'a> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::source::Span;

    /// The document as serde_json's pretty printer writes it in one piece: the reference for
    /// the batched, parallel [`write`].
    #[derive(Serialize)]
    struct Whole<'a> {
        tool: Tool,
        files_scanned: usize,
        summary: Summary,
        diagnostics: Vec<Diag<'a>>,
        skipped: Vec<SkippedOut<'a>>,
    }

    fn whole(report: &Report, sources: &SourceMap) -> String {
        let Head {
            tool,
            files_scanned,
            summary,
        } = head(report);
        super::super::text::to_json_pretty(&Whole {
            tool,
            files_scanned,
            summary,
            diagnostics: report.findings.iter().map(|f| diag(f, sources)).collect(),
            skipped: report
                .skipped
                .iter()
                .map(|s| skipped_out(s, sources))
                .collect(),
        })
    }

    #[test]
    fn the_batched_document_is_the_bytes_of_the_whole_one() {
        let sources = SourceMap::new();
        let a = sources.add("a.json", "{\n  \"x\": \"\u{202e}\\n\"\n}\n");
        let b = sources.add("dir/b.tf", "resource \"x\" \"y\" {\n}\n");
        // Empty lists, one item, and more items than a batch holds (with a partial slice).
        for n in [0, 1, 2 * BATCH + SLICE / 2 + 3] {
            let mut report = Report {
                files_scanned: 2,
                ..Report::default()
            };
            for i in 0..n {
                let severity = [Severity::Error, Severity::Warning, Severity::Info][i % 3];
                let mut f = Finding::new(
                    "AGW001",
                    "name",
                    severity,
                    format!("message {i} with \"quotes\", \u{7f} and \u{202e}"),
                    Span::new(a, 4..9),
                )
                .help("help\nwith a newline");
                if i % 2 == 0 {
                    f = f.related(Span::new(b, 0..8), format!("related {i}"));
                }
                report.findings.push(f);
                if i % 5 == 0 {
                    report.skipped.push(crate::rules::Skipped {
                        rule: "AGW010",
                        resource: format!("res{i}"),
                        property: "p".to_string(),
                        reason: (i % 10 == 0).then(|| "why".to_string()),
                        at: Span::new(b, 9..10),
                    });
                }
            }
            assert_eq!(
                render(&report, &sources),
                whole(&report, &sources),
                "{n} items"
            );
        }
    }
}
