//! Shared by the fuzz targets: run a whole lint of in-memory ARM text (front-end, rules,
//! every reporter) the way `agwlint::lint` does for a file.

use agwlint::frontend::arm;
use agwlint::model::UnitId;
use agwlint::report::{Format, RenderOptions, render};
use agwlint::source::SourceMap;
use agwlint::{LintOptions, Report, config, sort_and_dedup};

/// Lints `text` as the template `fuzz.json` and renders every format.
pub fn lint_arm_text(text: &str) {
    let sources = SourceMap::new();
    let opts = LintOptions::default();
    let path = std::path::Path::new("/nonexistent-agwlint-fuzz/fuzz.json");
    if !arm::looks_like_template(text) {
        return;
    }
    let unit = arm::load_template(path, "fuzz.json", text, UnitId(0), &sources, &opts.frontend);
    finish(unit, &sources, &opts);
}

/// Runs the rules on a unit and renders every format.
pub fn finish(unit: agwlint::frontend::UnitOutput, sources: &SourceMap, opts: &LintOptions) {
    let mut report = Report {
        files_scanned: unit.files,
        findings: unit
            .diagnostics
            .into_iter()
            .map(agwlint::diagnostic_finding)
            .collect(),
        ..Report::default()
    };
    let mut model = unit.model;
    model.reindex();
    let (found, skipped) = config::run_rules(&model, opts);
    report.findings.extend(found);
    report.skipped.extend(skipped);
    config::finish(&mut report, &model, sources, opts);
    sort_and_dedup(&mut report.findings, sources);
    for f in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Compact,
    ] {
        let _ = render(&report, sources, f, RenderOptions::default());
    }
}
