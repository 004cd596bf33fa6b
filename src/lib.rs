//! agwlint: finds, before deployment, the Azure Application Gateway → Function App / App
//! Service misconfigurations that end in `502 Bad Gateway`.
//!
//! Pipeline: [`discover`] → front-ends ([`frontend`]) → [`model::Model`] → [`rules`] →
//! [`finding::Finding`]s → [`report`].

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod finding;
pub mod frontend;
pub mod model;
pub mod relocate;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod version;

use std::path::PathBuf;

use finding::Finding;
use frontend::{FrontendOptions, UnitOutput};
use model::{Model, UnitId};
use rules::Assumptions;
use source::SourceMap;

/// Everything that shapes a lint run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Front-end inputs (parameter files, var files, vars).
    pub frontend: FrontendOptions,
    /// Facts from configuration.
    pub assume: Assumptions,
    /// Discovery filters.
    pub filters: discover::Filters,
    /// Which rules run, at which severity, with which options (configuration and flags).
    pub rules: config::RuleSettings,
    /// Findings recorded here are not reported (`--baseline`, `baseline:`).
    pub baseline: Option<baseline::Baseline>,
}

/// The result of a lint run.
#[derive(Debug, Default)]
pub struct Report {
    /// Files read.
    pub files_scanned: usize,
    /// Findings, sorted by file, line, column, rule and deduplicated.
    pub findings: Vec<Finding>,
    /// Checks skipped because a value was Unknown, sorted and deduplicated
    /// ([`rules::skip::finish`]).
    pub skipped: Vec<rules::Skipped>,
    /// Notes for `--verbose`.
    pub notes: Vec<String>,
    /// Findings silenced by inline or metadata suppressions.
    pub suppressed: usize,
    /// Terraform module calls to registry or git sources that were not read (no
    /// `terraform init`); the summary line names them.
    pub modules_not_followed: usize,
    /// Findings hidden because they are in the baseline.
    pub baselined: usize,
    /// Baselined findings that no longer occur.
    pub baseline_fixed: usize,
    /// Warnings printed on stderr whatever the verbosity (a `--var` no module declares).
    pub warnings: Vec<String>,
    /// Usage errors found while loading (a parameter or var file that cannot be read or is not
    /// one); [`lint`] turns them into a [`PathError`].
    pub errors: Vec<String>,
}

/// An input that could not be read or used (exit code 2): a path on the command line, or a
/// parameter or var file named by a flag, the configuration or a template's sibling. One
/// message per line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PathError(pub String);

/// Lints the given paths (files or directories).
pub fn lint(
    paths: &[PathBuf],
    opts: &LintOptions,
    sources: &SourceMap,
) -> Result<Report, PathError> {
    let flag_errors = check_flag_files(&opts.frontend);
    if !flag_errors.is_empty() {
        return Err(PathError(flag_errors.join("\n")));
    }
    let inputs = discover::discover(paths, &opts.filters);
    if let Some(e) = inputs.errors.first() {
        return Err(PathError(format!("cannot read {e}")));
    }
    let (model, mut report) = load(&inputs, opts, sources);
    if !report.errors.is_empty() {
        return Err(PathError(report.errors.join("\n")));
    }
    let (found, skipped) = config::run_rules(&model, opts);
    report.findings.extend(found);
    report.skipped.extend(skipped);
    relocate::apply(&mut report.findings, &model.module_frames);
    relocate::apply_skipped(&mut report.skipped, &model.module_frames);
    rules::skip::finish(&mut report.skipped, sources);
    config::finish(&mut report, &model, sources, opts);
    sort_and_dedup(&mut report.findings, sources);
    Ok(report)
}

/// The files named by `--parameters` and `--var-file` must exist, be readable and (parameter
/// files) be parameter files, whether or not a linted template or module uses them: a value
/// the user asked for is never silently dropped.
fn check_flag_files(opts: &FrontendOptions) -> Vec<String> {
    let mut errors = Vec::new();
    for p in &opts.parameters {
        let shown = discover::display_path(p);
        match frontend::arm::params::read_file(p, &shown) {
            Ok(text) => {
                if let Err(frontend::arm::params::LoadError::NotParameterFile(why)) =
                    frontend::arm::params::load(&text, source::FileId(0))
                {
                    errors.push(format!("parameter file {shown} {why}"));
                }
            }
            Err(e) => errors.push(e),
        }
    }
    for p in &opts.var_files {
        if let Err(e) = std::fs::read(p) {
            errors.push(format!(
                "cannot read var file {}: {e}",
                discover::display_path(p)
            ));
        }
    }
    errors
}

/// Runs the front-ends on discovered inputs and merges their units into one model.
pub fn load(inputs: &discover::Inputs, opts: &LintOptions, sources: &SourceMap) -> (Model, Report) {
    use rayon::prelude::*;
    let gathered = gather_plans(inputs, opts, sources);
    let json: Vec<&discover::JsonInput> = inputs
        .json
        .iter()
        .enumerate()
        .filter(|(i, _)| !gathered.taken.contains(i))
        .map(|(_, j)| j)
        .collect();
    let arm_units: Vec<UnitOutput> = json
        .par_iter()
        .enumerate()
        .map(|(i, j)| {
            load_json(
                j,
                UnitId(u32::try_from(i).unwrap_or(u32::MAX)),
                sources,
                opts,
            )
        })
        .collect();
    let first_tf = u32::try_from(inputs.json.len()).unwrap_or(u32::MAX);
    let tf_units = frontend::terraform::load_dirs_planned(
        &inputs.tf_dirs,
        first_tf,
        sources,
        &opts.frontend,
        &gathered.plans,
    );
    let mut model = Model::new();
    let mut report = Report::default();
    report.errors.extend(gathered.errors);
    report.files_scanned += gathered.plans.len();
    // Templates that another template links are linted through that template (roots only, so
    // templates that link each other are still linted).
    let arm_units = drop_linked(arm_units, &json, &mut report);
    for u in arm_units.into_iter().chain(tf_units) {
        for e in u.errors {
            if !report.errors.contains(&e) {
                report.errors.push(e);
            }
        }
        for w in u.warnings {
            if !report.warnings.contains(&w) {
                report.warnings.push(w);
            }
        }
        if u.skipped {
            report.notes.extend(u.notes);
            continue;
        }
        report.files_scanned += u.files;
        report.modules_not_followed += u.modules_not_followed;
        report
            .findings
            .extend(u.diagnostics.into_iter().map(diagnostic_finding));
        report.notes.extend(u.notes);
        model.extend(u.model);
    }
    (model, report)
}

/// The plan JSON files of a run: `--plan` and plans among the scanned JSON files.
fn gather_plans(
    inputs: &discover::Inputs,
    opts: &LintOptions,
    sources: &SourceMap,
) -> frontend::tfplan::Gathered {
    let explicit: Vec<(PathBuf, String)> = opts
        .frontend
        .plans
        .iter()
        .map(|p| (p.clone(), discover::display_path(p)))
        .collect();
    let scanned: Vec<(PathBuf, String)> = inputs
        .json
        .iter()
        .map(|j| (j.path.clone(), j.display.clone()))
        .collect();
    frontend::tfplan::gather(&explicit, &scanned, sources)
}

/// Drops the units of templates that a root template (one no other template links) loads as a
/// linked template.
fn drop_linked(
    units: Vec<UnitOutput>,
    json: &[&discover::JsonInput],
    report: &mut Report,
) -> Vec<UnitOutput> {
    use std::collections::HashSet;
    if units.iter().all(|u| u.linked.is_empty()) {
        return units;
    }
    let all: HashSet<&std::path::Path> = units
        .iter()
        .flat_map(|u| u.linked.iter().map(PathBuf::as_path))
        .collect();
    let canon: Vec<Option<PathBuf>> = json
        .iter()
        .map(|j| std::fs::canonicalize(&j.path).ok())
        .collect();
    let is_linked = |i: usize| {
        canon
            .get(i)
            .and_then(Option::as_ref)
            .is_some_and(|c| all.contains(c.as_path()))
    };
    let from_roots: HashSet<PathBuf> = units
        .iter()
        .enumerate()
        .filter(|(i, _)| !is_linked(*i))
        .flat_map(|(_, u)| u.linked.iter().cloned())
        .collect();
    let drop: Vec<bool> = (0..units.len())
        .map(|i| {
            canon
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|c| from_roots.contains(c))
        })
        .collect();
    units
        .into_iter()
        .enumerate()
        .filter_map(|(i, u)| {
            if drop.get(i).copied().unwrap_or(false) {
                report.notes.push(format!(
                    "{}: linted through the template that links it",
                    json.get(i).map_or("", |j| j.display.as_str())
                ));
                None
            } else {
                Some(u)
            }
        })
        .collect()
}

fn load_json(
    j: &discover::JsonInput,
    unit: UnitId,
    sources: &SourceMap,
    opts: &LintOptions,
) -> UnitOutput {
    let bytes = match std::fs::metadata(&j.path) {
        Ok(m) if m.len() > discover::MAX_FILE_BYTES => {
            let id = sources.add(j.display.clone(), "");
            let mut u = UnitOutput {
                files: 1,
                ..UnitOutput::default()
            };
            u.diagnostics.push(frontend::parse_error(
                format!(
                    "{} is larger than the {} MiB limit and was not read",
                    j.display,
                    discover::MAX_FILE_BYTES / (1024 * 1024)
                ),
                source::Span::new(id, 0..0),
                "file too large",
            ));
            return u;
        }
        _ => match std::fs::read(&j.path) {
            Ok(b) => b,
            Err(e) => {
                return UnitOutput {
                    skipped: true,
                    notes: vec![format!("{}: not read: {e}", j.display)],
                    ..UnitOutput::default()
                };
            }
        },
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            if !j.explicit && !frontend::arm::looks_like_template(&lossy) {
                return UnitOutput {
                    skipped: true,
                    notes: vec![format!("{}: skipped, not UTF-8 text", j.display)],
                    ..UnitOutput::default()
                };
            }
            // Keep only the valid prefix so positions stay exact.
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let id = sources.add(j.display.clone(), &prefix);
            let at = prefix.len();
            return UnitOutput {
                files: 1,
                diagnostics: vec![frontend::parse_error(
                    format!(
                        "{} is not valid UTF-8 (invalid byte at offset {valid})",
                        j.display
                    ),
                    source::Span::new(id, at..at),
                    "invalid UTF-8 here",
                )],
                ..UnitOutput::default()
            };
        }
    };
    if !frontend::arm::looks_like_template(&text) {
        return UnitOutput {
            skipped: true,
            notes: if j.explicit {
                vec![format!(
                    "{}: skipped, not an ARM deployment template",
                    j.display
                )]
            } else {
                Vec::new()
            },
            ..UnitOutput::default()
        };
    }
    frontend::arm::load_template(&j.path, &j.display, &text, unit, sources, &opts.frontend)
}

/// The finding for a front-end's diagnostic: `AGW000 parse-error`.
pub fn diagnostic_finding(d: frontend::Diagnostic) -> Finding {
    let meta = &rules::AGW000;
    let mut f = Finding::new(meta.id, meta.name, meta.severity, d.message, d.span).label(d.label);
    f.help = d.help;
    f
}

/// Sorts findings by file path, position and rule, and drops exact repeats (the same rule at
/// the same span with the same message, e.g. a module linted through two callers).
pub fn sort_and_dedup(findings: &mut Vec<Finding>, sources: &SourceMap) {
    // Look each file's path up once: `SourceMap::path` takes a lock and allocates, which in the
    // comparator cost O(n log n) allocations on scans with many findings.
    let mut paths: std::collections::HashMap<source::FileId, String> =
        std::collections::HashMap::new();
    for f in findings.iter() {
        paths
            .entry(f.primary.file)
            .or_insert_with(|| sources.path(f.primary.file));
    }
    let path = |id: source::FileId| paths.get(&id).map_or("", String::as_str);
    findings.sort_by(|a, b| {
        path(a.primary.file)
            .cmp(path(b.primary.file))
            .then(a.primary.start.cmp(&b.primary.start))
            .then(a.rule.cmp(b.rule))
            .then(a.primary.end.cmp(&b.primary.end))
            .then(a.message.cmp(&b.message))
    });
    findings.dedup_by(|a, b| a.rule == b.rule && a.primary == b.primary && a.message == b.message);
}
