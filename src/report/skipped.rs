//! `--verbose` explains silence: the checks skipped because a value is Unknown, grouped by the
//! expression that made the value Unknown (one parameter without a value often silences many
//! checks), and capped so that a large tree stays readable. `--format json` lists them all.

use std::collections::HashMap;

use crate::Report;
use crate::rules::Skipped;
use crate::source::SourceMap;

use super::text::escape_controls;

/// Reasons shown at most.
pub const MAX_GROUPS: usize = 10;
/// Checks shown at most under one reason.
pub const MAX_PER_GROUP: usize = 5;

/// `path:line:column` of a skip's location.
pub fn location(s: &Skipped, sources: &SourceMap) -> String {
    let path = sources.path(s.at.file);
    match sources.span_lines(&s.at) {
        Some((lc, _)) => format!("{path}:{}:{}", lc.line, lc.column),
        None => path,
    }
}

/// The `--verbose` block (empty when nothing was skipped), one line each, ending in a newline.
pub fn verbose(report: &Report, sources: &SourceMap) -> String {
    let n = report.skipped.len();
    let mut out = format!(
        "note: {n} check{} skipped because a value is Unknown{}\n",
        if n == 1 { "" } else { "s" },
        if n == 0 { "" } else { ":" }
    );
    // Group by reason and location, in first-seen order (the list is sorted by location).
    let mut order: Vec<(String, String)> = Vec::new();
    let mut groups: HashMap<(String, String), Vec<&Skipped>> = HashMap::new();
    for s in &report.skipped {
        let key = (s.reason.clone().unwrap_or_default(), location(s, sources));
        let g = groups.entry(key.clone()).or_default();
        if g.is_empty() {
            order.push(key);
        }
        g.push(s);
    }
    // The causes that silence the most checks first.
    order.sort_by_key(|k| std::cmp::Reverse(groups.get(k).map_or(0, Vec::len)));
    for key in order.iter().take(MAX_GROUPS) {
        let items = groups.get(key).map_or(&[][..], Vec::as_slice);
        out.push_str(&format!(
            "  {} ({})\n",
            escape_controls(&key.0),
            escape_controls(&key.1)
        ));
        for s in items.iter().take(MAX_PER_GROUP) {
            out.push_str(&format!(
                "    {} {} {}\n",
                s.rule,
                escape_controls(&s.resource),
                escape_controls(&s.property)
            ));
        }
        if items.len() > MAX_PER_GROUP {
            out.push_str(&format!(
                "    ... and {} more checks\n",
                items.len() - MAX_PER_GROUP
            ));
        }
    }
    if order.len() > MAX_GROUPS {
        out.push_str(&format!(
            "  ... and {} more reasons (`--format json` lists every skipped check)\n",
            order.len() - MAX_GROUPS
        ));
    }
    out
}
