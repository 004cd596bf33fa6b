//! GitHub Actions workflow commands (`::error file=…::message`), one per finding.
//!
//! Escaping follows actions/toolkit `command.ts`: in the message `%`, CR and LF are
//! percent-encoded; in property values (`file`, `title`) also `:` and `,`, which would otherwise
//! end the value or the property list. Control characters are made visible first
//! ([`super::text`]) so a template cannot inject terminal escapes into the log.

use crate::Report;
use crate::finding::Severity;
use crate::source::SourceMap;

use super::text::escape_controls;

/// Escapes a message (the part after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command for a severity.
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Renders one workflow command per finding.
pub fn render(report: &Report, sources: &SourceMap) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let (start, end) = sources.span_lines(&f.primary).unwrap_or_default();
        let mut message = f.message.clone();
        if let Some(h) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        // Keep \n and \r for escape_data to encode; escape every other control character.
        let message = escape_data(&escape_controls_keep_newlines(&message));
        let file = escape_property(&escape_controls(&sources.path(f.primary.file)));
        let title = escape_property(&escape_controls(&format!("{} {}", f.rule, f.name)));
        out.push_str(&format!(
            "::{} file={file},line={},col={},endLine={},endColumn={},title={title}::{message}\n",
            command(f.severity),
            start.line,
            start.column,
            end.line,
            end.column,
        ));
    }
    out
}

fn escape_controls_keep_newlines(s: &str) -> String {
    s.split('\r')
        .map(escape_controls)
        .collect::<Vec<_>>()
        .join("\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_toolkit() {
        assert_eq!(escape_data("50% a\r\nb:c,d"), "50%25 a%0D%0Ab:c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
