//! `path:line:col: severity AGWnnn message`, one line per finding: the shape vim's
//! `errorformat`, Emacs `compile-mode` and VS Code problem matchers read.

use crate::Report;
use crate::source::SourceMap;

use super::text::one_line;

/// Renders one line per finding; messages are flattened to one line and made terminal-safe.
pub fn render(report: &Report, sources: &SourceMap) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let (start, _) = sources.span_lines(&f.primary).unwrap_or_default();
        out.push_str(&format!(
            "{}:{}:{}: {} {} {}\n",
            one_line(&sources.path(f.primary.file)),
            start.line,
            start.column,
            f.severity,
            f.rule,
            one_line(&f.message),
        ));
    }
    out
}
