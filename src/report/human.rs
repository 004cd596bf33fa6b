//! Human output: miette's graphical handler, no hyperlinks, colour only when asked, every
//! untrusted character neutralized.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::Report;
use crate::finding::{Finding, Severity};
use crate::rules::rule_url;
use crate::source::{FileId, SourceMap};

use super::text::{escape_controls, neutralize_source};

/// A finding bound to its source, for miette.
#[derive(Debug)]
pub struct FindingDiagnostic {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    url: String,
    source: Arc<SafeSource>,
    labels: Vec<LabeledSpan>,
}

impl std::fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.url))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&*self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

impl FindingDiagnostic {
    /// Binds a finding to its file. Secondary labels in other files are listed in the help.
    /// Every piece of text is made terminal-safe ([`super::text`]).
    pub fn new(f: &Finding, sources: &SourceMap) -> Self {
        Self::with_source(f, sources, source_of(f.primary.file, sources))
    }

    fn with_source(f: &Finding, sources: &SourceMap, source: Arc<SafeSource>) -> Self {
        let span = |s: &crate::source::Span| SourceSpan::from(s.range());
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            f.primary_label.as_deref().map(escape_controls),
            span(&f.primary),
        )];
        let mut help = f.help.as_deref().map(escape_controls);
        for r in &f.related {
            if r.span.file == f.primary.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(escape_controls(&r.message)),
                    span(&r.span),
                ));
            } else if let Some((lc, _)) = sources.span_lines(&r.span) {
                let note = escape_controls(&format!(
                    "{} ({}:{}:{})",
                    r.message,
                    sources.path(r.span.file),
                    lc.line,
                    lc.column
                ));
                help = Some(match help {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
        }
        FindingDiagnostic {
            message: escape_controls(&f.message),
            code: escape_controls(f.rule),
            severity: f.severity,
            help,
            url: rule_url(f.rule),
            source,
            labels,
        }
    }
}

/// A file as miette shows it: the path and text with unsafe characters neutralized (byte
/// offsets unchanged), and the header column counted in characters as the output contract
/// requires (miette's own `SourceCode` for strings counts bytes).
#[derive(Debug)]
pub struct SafeSource {
    name: String,
    text: Arc<String>,
    /// Where each line starts, lines as miette counts them (after `\n`, `\r\n` or a lone
    /// `\r`): a snippet is read from a few lines before its span instead of from the start
    /// of the file (miette scans from the start for every label: on a 7 MB file with 10,000
    /// findings, human output took 94 s).
    starts: Vec<usize>,
}

/// The starts of the lines of `text` as miette's `SourceCode for [u8]` counts lines.
fn miette_line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    for i in memchr::memchr2_iter(b'\n', b'\r', b) {
        if b.get(i) == Some(&b'\r') && b.get(i + 1) == Some(&b'\n') {
            continue;
        }
        starts.push(i + 1);
    }
    starts
}

impl SafeSource {
    /// Wraps one file of the source map. The text of a file the reporters may not show
    /// ([`SourceMap::may_show`]: read from outside the scan root) is blanked, byte for byte,
    /// so spans stay valid and no byte of it is printed.
    pub fn new(id: FileId, sources: &SourceMap) -> Self {
        match sources.get(id) {
            Some(file) if !sources.may_show(id) => {
                SafeSource::with_text(escape_controls(&file.path), Arc::new(withheld(&file.text)))
            }
            Some(file) => SafeSource::with_text(
                escape_controls(&file.path),
                match neutralize_source(&file.text) {
                    std::borrow::Cow::Borrowed(_) => file.text.clone(),
                    std::borrow::Cow::Owned(t) => Arc::new(t),
                },
            ),
            None => SafeSource::with_text(String::new(), Arc::default()),
        }
    }

    fn with_text(name: String, text: Arc<String>) -> Self {
        let starts = miette_line_starts(&text);
        SafeSource { name, text, starts }
    }
}

impl SourceCode for SafeSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // From the start of a line at least one more than the context lines before the
        // span's line: miette's scan of that window gives what a scan of the whole text gives,
        // with offsets, line numbers and line counts shifted by the window's start.
        // (miette panics on a span past the end of the text.)
        if span.offset().saturating_add(span.len()) > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let off = span.offset();
        let line = self.starts.partition_point(|&s| s <= off).saturating_sub(1);
        let first = line.saturating_sub(context_lines_before.saturating_add(1));
        let ws = self.starts.get(first).copied().unwrap_or(0).min(off);
        let window = self.text.as_bytes().get(ws..).unwrap_or_default();
        let rel = SourceSpan::new((span.offset() - ws).into(), span.len());
        let inner = window.read_span(&rel, context_lines_before, context_lines_after)?;
        let start = inner.span().offset() + ws;
        let line_start = self.text.as_bytes()[..start.min(self.text.len())]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = match self.text.get(line_start..start) {
            Some(prefix) if inner.column() != 0 => prefix.chars().count(),
            _ => inner.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(start.into(), inner.span().len()),
            inner.line() + first,
            column,
            inner.line_count() + first,
        )))
    }
}

/// The text with every byte but line breaks replaced by a space (same byte length).
fn withheld(text: &str) -> String {
    text.bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .collect()
}

fn source_of(id: FileId, sources: &SourceMap) -> Arc<SafeSource> {
    Arc::new(SafeSource::new(id, sources))
}

/// Renders every finding and a one-line summary.
pub fn render(report: &Report, sources: &SourceMap, opts: super::RenderOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Never hyperlinks: OSC 8 escapes leak into pipes, CI logs and terminals that lack them.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(opts.width.unwrap_or(super::DEFAULT_WIDTH));
    let mut cache: HashMap<FileId, Arc<SafeSource>> = HashMap::new();
    let mut out = String::new();
    for f in &report.findings {
        let src = cache
            .entry(f.primary.file)
            .or_insert_with(|| source_of(f.primary.file, sources))
            .clone();
        let d = FindingDiagnostic::with_source(f, sources, src);
        let mut one = String::new();
        if handler.render_report(&mut one, &d).is_err() {
            one = format!("{}: {}\n", d.code, d.message);
        }
        out.push_str(&super::snippet::bound(&one));
        out.push('\n');
    }
    out.push_str(&summary(report, sources));
    out.push('\n');
    out
}

/// `3 errors, 1 warning in 2 files (5 files linted)`: the findings, the files that have them,
/// and the files linted; `no findings (5 files linted)` when there are none. Files of a kind
/// agwlint cannot read yet are counted after the files linted:
/// `(12 files linted; 3 .bicep files not read: no Bicep front-end yet)`.
/// Registry module calls that were not read are counted there too.
pub fn summary(report: &Report, sources: &SourceMap) -> String {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let (e, w, i) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let mut parts = Vec::new();
    if e > 0 {
        parts.push(plural(e, "error"));
    }
    if w > 0 {
        parts.push(plural(w, "warning"));
    }
    if i > 0 {
        parts.push(plural(i, "info"));
    }
    let mut linted = format!("({} linted", plural(report.files_scanned, "file"));
    for (suffix, n, why) in &report.not_read {
        let files = if *n == 1 { "file" } else { "files" };
        linted.push_str(&format!("; {n} {suffix} {files} not read: {why}"));
    }
    if report.modules_not_followed > 0 {
        let n = report.modules_not_followed;
        let calls = if n == 1 { "call" } else { "calls" };
        linted.push_str(&format!(
            "; {n} registry module {calls} not read: run `terraform init` or pass `--plan`"
        ));
    }
    linted.push(')');
    if parts.is_empty() {
        format!("no findings {linted}")
    } else {
        // By path: a module file read through two callers has two ids but is one file.
        let ids: HashSet<FileId> = report.findings.iter().map(|f| f.primary.file).collect();
        let files: HashSet<String> = ids.into_iter().map(|id| sources.path(id)).collect();
        format!(
            "{} in {} {linted}",
            parts.join(", "),
            plural(files.len(), "file")
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// `SafeSource::read_span` as it was: miette's scan of the whole text.
    fn whole(src: &SafeSource, span: &SourceSpan, before: usize, after: usize) -> Option<String> {
        let inner = src.text.as_bytes().read_span(span, before, after).ok()?;
        Some(format!(
            "{:?} {:?} {} {} {}",
            std::str::from_utf8(inner.data()).ok(),
            inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count()
        ))
    }

    fn windowed(
        src: &SafeSource,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Option<String> {
        let c = src.read_span(span, before, after).ok()?;
        Some(format!(
            "{:?} {:?} {} {} {}",
            std::str::from_utf8(c.data()).ok(),
            c.span(),
            c.line(),
            c.column(),
            c.line_count()
        ))
    }

    #[test]
    fn a_snippet_read_from_a_window_equals_one_read_from_the_whole_text() {
        let texts = [
            "",
            "one line",
            "a\nb\nc\nd\ne\nf\ng\n",
            "a\r\nb\r\nc\r\n\r\nd\re\r\rf\n\ng",
            "\n\n\n\n\nx = 1\n\n\n",
            "ascii only here\nbut then\nmore lines\nand\nmore\nand\nmore\n",
            "\r\n\r\n\r\nend",
        ];
        let mut checked = 0;
        for text in texts {
            let src = SafeSource::with_text("f".into(), Arc::new(text.to_string()));
            for start in 0..=text.len() {
                for len in 0..=4.min(text.len() - start) {
                    let span = SourceSpan::new(start.into(), len);
                    for (before, after) in [(0, 0), (1, 1), (2, 3), (3, 0), (0, 2)] {
                        let old = whole(&src, &span, before, after);
                        let new = windowed(&src, &span, before, after);
                        // The column is ours in both (counted in characters), the rest miette's.
                        let strip = |s: Option<String>| {
                            s.map(|s| {
                                let mut p: Vec<&str> = s.rsplitn(3, ' ').collect();
                                p.remove(1);
                                p.join(" ")
                            })
                        };
                        assert_eq!(
                            strip(new),
                            strip(old),
                            "{text:?} {start} {len} {before} {after}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
        // Past the end: an error, not miette's panic.
        let src = SafeSource::with_text("f".into(), Arc::new("ab\n".to_string()));
        assert!(src.read_span(&SourceSpan::new(2.into(), 2), 1, 1).is_err());
        assert!(src.read_span(&SourceSpan::new(4.into(), 0), 0, 0).is_err());
    }
}
