//! Reporters: the same findings as human (miette graphical), JSON, and the integration formats
//! (SARIF, GitHub workflow commands, JUnit XML, compact lines).
//!
//! Every reporter reads positions through the shared [`SourceMap`] and never re-reads files.
//! Terminal-bound formats pass untrusted text through [`text`].

pub mod compact;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod skipped;
pub mod snippet;
pub mod text;

use crate::Report;
use crate::finding::Severity;
use crate::source::SourceMap;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette graphical report.
    Human,
    /// One JSON document (README.md#json-output).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
    /// JUnit XML for Azure Pipelines and GitLab.
    Junit,
    /// `path:line:col: severity AGWnnn message`, one per line.
    Compact,
}

/// Width of human output when the terminal's is unknown (a pipe, a file) and `COLUMNS` is
/// unset.
pub const DEFAULT_WIDTH: usize = 100;

/// The width human output wraps at on a stream: the terminal's width when the stream is a
/// terminal, else `COLUMNS`, else [`DEFAULT_WIDTH`]; never below 40 columns.
pub fn width_for(terminal: Option<usize>, columns: Option<&str>) -> usize {
    terminal
        .or_else(|| columns.and_then(|c| c.trim().parse::<usize>().ok()))
        .filter(|w| *w > 0)
        .unwrap_or(DEFAULT_WIDTH)
        .max(40)
}

/// Rendering choices.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Use colour (human format only).
    pub color: bool,
    /// Width for wrapping (human format only); `None` is [`DEFAULT_WIDTH`]. The command line
    /// passes [`width_for`] the output stream.
    pub width: Option<usize>,
    /// Lowest severity that fails the run (`None`: nothing fails); JUnit marks only those
    /// findings as failures.
    pub fail_on: Option<Severity>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            width: None,
            fail_on: Some(Severity::Warning),
        }
    }
}

/// Shortest sensitive value the rendered output is searched for (shorter ones could match
/// the format's own text; [`crate::lint`] already replaced every one in the findings).
const MIN_BACKSTOP_LEN: usize = 8;

/// Renders a report in a format. A backstop replaces any sensitive value
/// ([`Report::sensitive`]) that still appears in the rendered text.
pub fn render(report: &Report, sources: &SourceMap, format: Format, opts: RenderOptions) -> String {
    let out = render_plain(report, sources, format, opts);
    let long = backstop(report);
    if long.is_empty() {
        out
    } else {
        crate::model::redact(&out, &long)
    }
}

/// [`render`], written to `w`: the JSON format is written as it is serialized when no
/// sensitive value needs the backstop (the others are rendered first).
pub fn write(
    report: &Report,
    sources: &SourceMap,
    format: Format,
    opts: RenderOptions,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    if format == Format::Json && backstop(report).is_empty() {
        return json::write(report, sources, w);
    }
    w.write_all(render(report, sources, format, opts).as_bytes())
}

/// The sensitive values the rendered output is searched for ([`MIN_BACKSTOP_LEN`]).
fn backstop(report: &Report) -> Vec<String> {
    report
        .sensitive
        .iter()
        .filter(|s| s.chars().count() >= MIN_BACKSTOP_LEN)
        .cloned()
        .collect()
}

fn render_plain(
    report: &Report,
    sources: &SourceMap,
    format: Format,
    opts: RenderOptions,
) -> String {
    match format {
        Format::Human => human::render(report, sources, opts),
        Format::Json => json::render(report, sources),
        Format::Sarif => sarif::render(report, sources),
        Format::Github => github::render(report, sources),
        Format::Junit => junit::render(report, sources, opts.fail_on),
        Format::Compact => compact::render(report, sources),
    }
}
