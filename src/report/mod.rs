//! Reporters: the same findings as human (miette graphical), JSON, and the integration formats.

pub mod human;
pub mod json;

use crate::Report;
use crate::source::SourceMap;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette graphical report.
    Human,
    /// The JSON contract of DESIGN.md.
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

/// Rendering choices.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Use colour (human format only).
    pub color: bool,
    /// Terminal width for wrapping (human format only).
    pub width: Option<usize>,
}

/// Renders a report in a format.
pub fn render(report: &Report, sources: &SourceMap, format: Format, opts: RenderOptions) -> String {
    match format {
        Format::Json => json::render(report, sources),
        _ => human::render(report, sources, opts),
    }
}
