//! Human output: miette's graphical handler, no hyperlinks, colour only when asked.

use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use crate::Report;
use crate::finding::{Finding, Severity};
use crate::rules::rule_url;
use crate::source::SourceMap;

/// A finding bound to its source, for miette.
#[derive(Debug)]
pub struct FindingDiagnostic {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    url: String,
    source: NamedSource<Arc<str>>,
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
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

impl FindingDiagnostic {
    /// Binds a finding to its file. Secondary labels in other files are listed in the help.
    pub fn new(f: &Finding, sources: &SourceMap) -> Self {
        let file = sources.get(f.primary.file);
        let (path, text) = file.as_ref().map_or_else(
            || (String::new(), Arc::from("")),
            |s| (s.path.clone(), s.text.clone()),
        );
        let span = |s: &crate::source::Span| SourceSpan::from(s.range());
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            f.primary_label.clone(),
            span(&f.primary),
        )];
        let mut help = f.help.clone();
        for r in &f.related {
            if r.span.file == f.primary.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    span(&r.span),
                ));
            } else if let Some((lc, _)) = sources.span_lines(&r.span) {
                let note = format!(
                    "{} ({}:{}:{})",
                    r.message,
                    sources.path(r.span.file),
                    lc.line,
                    lc.column
                );
                help = Some(match help {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
        }
        FindingDiagnostic {
            message: f.message.clone(),
            code: f.rule.to_string(),
            severity: f.severity,
            help,
            url: rule_url(f.rule),
            source: NamedSource::new(path, text),
            labels,
        }
    }
}

/// Renders every finding and a one-line summary.
pub fn render(report: &Report, sources: &SourceMap, opts: super::RenderOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(opts.width.unwrap_or(100));
    let mut out = String::new();
    for f in &report.findings {
        let d = FindingDiagnostic::new(f, sources);
        if handler.render_report(&mut out, &d).is_err() {
            out.push_str(&format!("{}: {}\n", f.rule, f.message));
        }
        out.push('\n');
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// `3 errors, 1 warning in 2 files`.
pub fn summary(report: &Report) -> String {
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
    let files = report.files_scanned;
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
    if parts.is_empty() {
        format!("no findings in {}", plural(files, "file"))
    } else {
        format!("{} in {}", parts.join(", "), plural(files, "file"))
    }
}
