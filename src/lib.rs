//! agwlint: finds, before deployment, the Azure Application Gateway → Function App / App
//! Service misconfigurations that end in `502 Bad Gateway`.
//!
//! Pipeline: [`discover`] → front-ends ([`frontend`]) → [`model::Model`] → [`rules`] →
//! [`finding::Finding`]s → [`report`].

// The library has no unsafe code (Cargo.toml denies it for the binary's one allocator call).
#![forbid(unsafe_code)]

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod finding;
pub mod frontend;
pub mod lsp;
pub mod model;
pub mod progress;
pub mod relocate;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod unitwise;
pub mod version;

use std::path::PathBuf;
use std::sync::Arc;

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
    /// The directory of a configuration file named by `--config`: a scan root besides those of
    /// the lint paths ([`source::scan_roots`]).
    pub config_dir: Option<PathBuf>,
    /// `--only-changed`: report only the findings with a primary or related location in one of
    /// the paths linted (a file, or a file under a directory), not every finding of the units
    /// that contain them.
    pub only_changed: bool,
    /// Run the rules once on the model of the whole scan, as before issue 17, instead of unit
    /// by unit as each unit is loaded ([`unitwise`]): the same findings, with every unit's
    /// model held at once. For tests and benchmarks that compare the two.
    pub scan_wide_rules: bool,
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
    /// Files of a directory scan that agwlint cannot read yet: the name ending, how many, and
    /// why ([`discover::UNREADABLE`]); the summary line says so.
    pub not_read: Vec<(String, usize, String)>,
    /// Usage errors found while loading (a parameter or var file that cannot be read or is not
    /// one); [`lint`] turns them into a [`PathError`].
    pub errors: Vec<String>,
    /// The sensitive values of the scan ([`model::Model::sensitive`]): already replaced in every
    /// finding by [`lint`]; the reporters replace them again in what they render.
    pub sensitive: Vec<String>,
}

impl Report {
    /// Replaces every sensitive value in findings (message, labels, help), skipped checks,
    /// notes and warnings with [`model::SENSITIVE`].
    pub fn redact(&mut self) {
        if self.sensitive.is_empty() {
            return;
        }
        let s = &self.sensitive;
        let r = |t: &mut String| {
            if s.iter().any(|v| t.contains(v.as_str())) {
                *t = model::redact(t, s);
            }
        };
        for f in &mut self.findings {
            r(&mut f.message);
            if let Some(h) = &mut f.help
                && s.iter().any(|v| h.contains(v.as_str()))
            {
                *h = Arc::from(model::redact(h, s));
            }
            f.primary_label.as_mut().map(r);
            f.resource.as_mut().map(r);
            f.property.as_mut().map(r);
            for rel in &mut f.related {
                r(&mut rel.message);
            }
        }
        for k in &mut self.skipped {
            k.reason.as_mut().map(r);
            r(&mut k.resource);
            r(&mut k.property);
        }
        self.notes.iter_mut().for_each(r);
        self.warnings.iter_mut().for_each(r);
    }
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
    if sources.scan_roots().is_none() {
        let mut roots = source::scan_roots(paths, &config::paths::current_dir());
        roots.extend(opts.config_dir.iter().cloned());
        sources.set_scan_roots(&roots);
    }
    // The walk of the directories for Function App projects (below) runs beside discovery's
    // when it is needed, on a thread of its own (not the pool's: a run on one file does not
    // start the pool).
    let walk_projects = !opts.scan_wide_rules
        && !opts.frontend.skip_app_code
        && opts.frontend.apps.is_empty()
        && paths.iter().any(|p| p.is_dir());
    let (inputs, mut projects) = std::thread::scope(|s| {
        let walker = walk_projects
            .then(|| {
                std::thread::Builder::new()
                    .spawn_scoped(s, || frontend::app::Projects::find(paths))
                    .ok()
            })
            .flatten();
        let inputs = gather(paths, opts);
        // A walk that could not start or failed is done again below, on this thread.
        (inputs, walker.and_then(|w| w.join().ok()))
    });
    if let Some(p) = sources.progress() {
        p.set_total(inputs.json.len() + count_tf_files(&inputs.tf_dirs));
    }
    if let Some(e) = inputs.errors.first() {
        return Err(PathError(format!("cannot read {e}")));
    }
    // The rules run unit by unit unless Function App code may be linked to the sites: app code
    // is read once every site is known, before the rules run. The paths are walked for
    // projects once: the same projects are read below.
    let unitwise = !opts.scan_wide_rules
        && (opts.frontend.skip_app_code
            || (opts.frontend.apps.is_empty()
                && projects
                    .get_or_insert_with(|| frontend::app::Projects::find(paths))
                    .is_empty()));
    let (mut model, mut report, ruled) = load_with(&inputs, opts, sources, unitwise);
    if !report.errors.is_empty() {
        return Err(PathError(report.errors.join("\n")));
    }
    match ruled {
        Some(stats) => {
            if stats.groups > 0 {
                report.notes.push(format!(
                    "rules: {} unit(s) checked again once every unit was loaded, in {} run(s): another unit has a site with one of their backend host names, a private endpoint or private-link zone with an Unknown target, or the first private-link zone",
                    stats.grouped, stats.groups
                ));
            }
        }
        None => {
            // Without a site nothing can be linked: the repository is not walked for projects.
            let any_site = !model.sites.is_empty() || !opts.frontend.apps.is_empty();
            if !opts.frontend.skip_app_code && any_site {
                let found = projects.unwrap_or_else(|| frontend::app::Projects::find(paths));
                load_apps(&found, &mut model, &mut report, opts, sources);
            }
            config::run_rules_into(&model, opts, &mut report.findings, &mut report.skipped);
        }
    }
    relocate::apply(&mut report.findings, &model.module_frames);
    relocate::apply_skipped(&mut report.skipped, &model.module_frames);
    relocate::to_original(&mut report, sources);
    rules::skip::finish(&mut report.skipped, sources);
    config::finish(&mut report, &model, sources, opts);
    if opts.only_changed {
        keep_only_changed(&mut report, paths, sources);
    }
    sort_and_dedup(&mut report.findings, sources);
    report.sensitive = model.sensitive.clone();
    report.redact();
    Ok(report)
}

/// The Terraform files directly in `dirs`, for the progress line.
fn count_tf_files(dirs: &[frontend::terraform::TfDir]) -> usize {
    dirs.iter()
        .filter_map(|d| std::fs::read_dir(&d.path).ok())
        .flat_map(|entries| entries.filter_map(Result::ok))
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".tf") || name.ends_with(".tofu")
        })
        .count()
}

/// Discovery of a run: directories are walked ([`discover::discover`]); files are linted
/// through the whole units that contain them, searched from the repository root
/// ([`discover::repository_root`], [`discover::select_units`]).
fn gather(paths: &[PathBuf], opts: &LintOptions) -> discover::Inputs {
    let (files, dirs): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| p.is_file());
    let mut inputs = discover::discover(&dirs, &opts.filters);
    if !files.is_empty() {
        let root = discover::repository_root(&files);
        inputs.merge(discover::select_units(
            &files,
            &root,
            &opts.filters,
            &opts.frontend,
        ));
    }
    inputs
}

/// `--only-changed`: keeps the findings and skipped checks with a location in one of `paths`
/// (a file, or a file under a directory), compared by canonical path.
fn keep_only_changed(report: &mut Report, paths: &[PathBuf], sources: &SourceMap) {
    let canonical = |p: &std::path::Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| config::paths::absolute(p))
    };
    let given: Vec<PathBuf> = paths.iter().map(|p| canonical(p)).collect();
    let mut memo: std::collections::HashMap<source::FileId, bool> =
        std::collections::HashMap::new();
    let mut inside = |id: source::FileId| {
        *memo.entry(id).or_insert_with(|| {
            let c = canonical(std::path::Path::new(&sources.path(id)));
            given.iter().any(|g| c.starts_with(g))
        })
    };
    report
        .findings
        .retain(|f| inside(f.primary.file) || f.related.iter().any(|r| inside(r.span.file)));
    report.skipped.retain(|s| inside(s.at.file));
}

/// The files named by `--parameters` and `--var-file` must exist, be readable and (parameter
/// files) be parameter files, whether or not a linted template or module uses them: a value
/// the user asked for is never silently dropped.
fn check_flag_files(opts: &FrontendOptions) -> Vec<String> {
    let mut errors = Vec::new();
    for p in &opts.parameters {
        let shown = discover::display_path(p);
        let any = SourceMap::new();
        match frontend::arm::params::read_file(p, &shown, &any, source::PathOrigin::CommandLine) {
            Ok((text, _)) => {
                if let Err(frontend::arm::params::LoadError::NotParameterFile(why)) =
                    frontend::arm::params::load(&text, source::FileId(0))
                {
                    errors.push(format!("parameter file {shown} {why}"));
                }
            }
            Err(frontend::arm::params::ReadError::Usage(e)) => errors.push(e),
            Err(frontend::arm::params::ReadError::Refused(r)) => {
                errors.push(format!("parameter file {shown} {}", r.reason()));
            }
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

/// How many ARM / Bicep units are loaded (in parallel) before their models are merged into
/// the scan's: a bound on how many per-unit models live at once.
const UNITS_PER_CHUNK: usize = 256;

/// Runs the front-ends on discovered inputs and merges their units into one model.
///
/// ARM and Bicep units are loaded in chunks of [`UNITS_PER_CHUNK`], each unit's model merged
/// as its chunk completes rather than after every unit is loaded: the per-unit models and the
/// merged one never all coexist. The result is the same as merging at the end: units merge in
/// input order, and the units of templates that a root template links ([`drop_linked`]),
/// known only once every unit is loaded, are taken back out of the model.
pub fn load(inputs: &discover::Inputs, opts: &LintOptions, sources: &SourceMap) -> (Model, Report) {
    let (model, report, _) = load_with(inputs, opts, sources, false);
    (model, report)
}

/// A unit's output without its model: what [`load_with`] keeps of each ARM unit until every
/// unit is loaded, the model being merged as its chunk completes (a [`UnitOutput`] is 768
/// bytes, most of them its empty model's).
struct Rest {
    diagnostics: Vec<frontend::Diagnostic>,
    notes: Vec<String>,
    files: usize,
    skipped: bool,
    linked: Vec<PathBuf>,
    errors: Vec<String>,
    warnings: Vec<String>,
    modules_not_followed: usize,
    /// A plan among the scanned JSON files (never linted through a template that links it).
    plan: bool,
}

impl Rest {
    /// The unit's output without its model, and the model.
    fn of(u: UnitOutput) -> (Rest, Model) {
        let UnitOutput {
            model,
            diagnostics,
            notes,
            files,
            skipped,
            linked,
            errors,
            warnings,
            modules_not_followed,
            plan_head,
        } = u;
        let rest = Rest {
            diagnostics,
            notes,
            files,
            skipped,
            linked,
            errors,
            warnings,
            modules_not_followed,
            plan: plan_head,
        };
        (rest, model)
    }
}

/// An ARM unit's rule results and the ids of the files its load added ([`unitwise`]).
type ArmChecked = Option<(unitwise::Checked, Vec<source::FileId>)>;

/// [`load`]; with `unitwise`, each unit's rules run as soon as it is loaded and only what the
/// steps after the rules need of its model is merged ([`Model::residual`]): the rules'
/// findings and skipped checks are in the report, and what [`unitwise::finish`] did comes
/// back too.
fn load_with(
    inputs: &discover::Inputs,
    opts: &LintOptions,
    sources: &SourceMap,
    unitwise: bool,
) -> (Model, Report, Option<unitwise::Stats>) {
    use rayon::prelude::*;
    let mut gathered = gather_plans(opts, sources);
    let json: Vec<&discover::JsonInput> = inputs.json.iter().collect();
    let mut model = Model::new();
    // Each ARM unit without its model, what its merge added, and its sensitive values.
    let mut arm_units: Vec<Rest> = Vec::with_capacity(json.len());
    let mut added: Vec<(model::Mark, model::Mark)> = Vec::with_capacity(json.len());
    let mut sensitive: Vec<Vec<String>> = Vec::with_capacity(json.len());
    // Unit by unit: each ARM unit's results and the files its load added.
    let mut arm_checked: Vec<ArmChecked> = Vec::new();
    // The scan-wide flags of the units loaded in earlier chunks: a unit assumes them of the
    // others ([`model::cross::Elsewhere`]; the same whatever the threads' timing).
    let mut seen = model::cross::Elsewhere::default();
    let saw = |seen: &mut model::cross::Elsewhere, f: &model::cross::UnitFacts| {
        seen.endpoints_unknown |= f.endpoints_unknown;
        seen.privatelink_unknown |= f.privatelink_unknown;
    };
    for (c, chunk) in json.chunks(UNITS_PER_CHUNK).enumerate() {
        let base = c * UNITS_PER_CHUNK;
        #[allow(clippy::type_complexity)]
        let units: Vec<(UnitOutput, ArmChecked, Option<frontend::tfplan::Found>)> = chunk
            .par_iter()
            .enumerate()
            .map(|(k, j)| {
                let unit = UnitId(u32::try_from(base + k).unwrap_or(u32::MAX));
                let load = |plans| {
                    if unitwise {
                        sources.recording(|| load_json(j, unit, sources, opts, plans))
                    } else {
                        (load_json(j, unit, sources, opts, plans), Vec::new())
                    }
                };
                let (u, files) = load(true);
                // A file that starts like a plan is read as one; if it is not one after all,
                // as a template.
                let (u, files, plan) = if u.plan_head {
                    match frontend::tfplan::found(&j.path, &j.display, &gathered.named, sources) {
                        frontend::tfplan::Found::NotPlan => {
                            let (u, files) = load(false);
                            (u, files, None)
                        }
                        found => (u, files, Some(found)),
                    }
                } else {
                    (u, files, None)
                };
                // A template a partial run loaded only to see whether it links a selected one,
                // and that does not, is dropped unchecked (a plan is a plan).
                let mut u = if u.plan_head {
                    u
                } else {
                    keep_linking(u, j, inputs)
                };
                if !unitwise || u.skipped {
                    return (u, None, plan);
                }
                let checked = unitwise::check(&mut u.model, opts, seen, sources);
                u.model = u.model.residual();
                (u, Some((checked, files)), plan)
            })
            .collect();
        model.reserve_exact(model::Mark::sum(
            units
                .iter()
                .filter(|(u, _, _)| !u.skipped)
                .map(|(u, _, _)| &u.model),
        ));
        for (mut u, checked, plan) in units {
            match plan {
                Some(frontend::tfplan::Found::Plan(p)) => gathered.plans.push(p),
                Some(frontend::tfplan::Found::Error(m)) => gathered.errors.push(m),
                _ => {}
            }
            let before = model.mark();
            if let (Some((c, _)), false) = (&checked, u.skipped) {
                saw(&mut seen, &c.facts);
            }
            arm_checked.push(if u.skipped { None } else { checked });
            if u.skipped {
                sensitive.push(Vec::new());
            } else {
                let m = std::mem::take(&mut u.model);
                sensitive.push(m.sensitive.clone());
                model.extend(m);
            }
            added.push((before, model.mark()));
            arm_units.push(Rest::of(u).0);
        }
        // The chunk's files are read; the reporters read again the few they show.
        sources.evict_over_budget();
    }
    let first_tf = u32::try_from(inputs.json.len()).unwrap_or(u32::MAX);
    let mut tf = frontend::terraform::Loader::new(
        &inputs.tf_dirs,
        first_tf,
        sources,
        &opts.frontend,
        &gathered.plans,
    );
    // Terraform units too are loaded in chunks, each unit's rules run as soon as it is loaded
    // and only its residual model kept: a unit that must run again with other units is loaded
    // again ([`frontend::terraform::Loader::reload`]).
    let mut tf_units: Vec<UnitOutput> = Vec::with_capacity(tf.len());
    let mut tf_checked: Vec<(unitwise::Checked, usize, Vec<source::FileId>)> = Vec::new();
    for start in (0..tf.len()).step_by(UNITS_PER_CHUNK) {
        let assumed = seen;
        let loaded = tf.load(start..tf.len().min(start + UNITS_PER_CHUNK), |u| {
            if !unitwise || u.skipped {
                return None;
            }
            let checked = unitwise::check(&mut u.model, opts, assumed, sources);
            u.model = std::mem::take(&mut u.model).residual();
            Some(checked)
        });
        for (k, (u, files, checked)) in loaded.into_iter().enumerate() {
            if let Some(c) = checked {
                saw(&mut seen, &c.facts);
                tf_checked.push((c, start + k, files));
            }
            tf_units.push(u);
        }
        let pending = tf.pending_files();
        sources.evict_over_budget_except(|id| pending.contains(&id));
    }
    tf.finish(&mut tf_units);
    let mut report = Report::default();
    report.warnings.extend(inputs.notices.iter().cloned());
    report.not_read.clone_from(&inputs.not_read);
    report.errors.extend(gathered.errors);
    report.files_scanned += gathered.plans.len();
    // Templates that another template links are linted through that template (roots only, so
    // templates that link each other are still linted).
    let dropped = drop_linked(&arm_units, &json, &mut report);
    // The kept units in merge order (ARM, then Terraform), with their results.
    let mut entries: Vec<unitwise::Entry> = Vec::new();
    for (i, (checked, d)) in arm_checked.into_iter().zip(&dropped).enumerate() {
        if let (Some((checked, files)), false) = (checked, *d) {
            entries.push(unitwise::Entry {
                checked,
                again: unitwise::Again::Load {
                    input: i,
                    unit: UnitId(u32::try_from(i).unwrap_or(u32::MAX)),
                    files,
                },
            });
        }
    }
    for (checked, root, files) in tf_checked {
        entries.push(unitwise::Entry {
            checked,
            again: unitwise::Again::Reload { root, files },
        });
    }
    if dropped.iter().any(|d| *d) {
        let out: Vec<(model::Mark, model::Mark)> = added
            .iter()
            .zip(&dropped)
            .filter(|(_, d)| **d)
            .map(|(a, _)| *a)
            .collect();
        model.remove_added(&out);
        model.sensitive.clear();
        for (s, _) in sensitive.iter().zip(&dropped).filter(|(_, d)| !**d) {
            for v in s {
                model.mark_sensitive(v);
            }
        }
    }
    // The ARM units' models are merged already (taken: empty here).
    model.reserve_exact(model::Mark::sum(
        tf_units.iter().filter(|u| !u.skipped).map(|u| &u.model),
    ));
    let arm_units = arm_units
        .into_iter()
        .zip(dropped)
        .filter(|(_, d)| !*d)
        .map(|(u, _)| (u, Model::new()));
    for (u, unit_model) in arm_units.chain(tf_units.into_iter().map(Rest::of)) {
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
        model.extend(unit_model);
    }
    let ruled = unitwise.then(|| {
        let again = |again: &unitwise::Again| -> Model {
            match again {
                unitwise::Again::Load { input, unit, files } => {
                    json.get(*input).map_or_else(Model::new, |j| {
                        sources
                            .replaying(files, || load_json(j, *unit, sources, opts, false))
                            .model
                    })
                }
                unitwise::Again::Reload { root, files } => tf.reload(*root, files),
            }
        };
        unitwise::finish(
            entries,
            opts,
            &again,
            &mut report.findings,
            &mut report.skipped,
        )
    });
    (model, report, ruled)
}

/// A skipped unit instead of the unit of a template a partial run loaded only because it
/// might link one of its templates ([`discover::JsonInput::if_links`]) and that does not
/// (its errors and notes dropped too); `j` is the unit's input.
fn keep_linking(u: UnitOutput, j: &discover::JsonInput, inputs: &discover::Inputs) -> UnitOutput {
    if !inputs.link_targets.is_empty()
        && j.if_links
        && !u.linked.iter().any(|l| inputs.link_targets.contains(l))
    {
        UnitOutput {
            skipped: true,
            ..UnitOutput::default()
        }
    } else {
        u
    }
}

/// The plans named by `--plan` (those among the scanned JSON files are read as their units
/// load: [`frontend::tfplan::found`]).
fn gather_plans(opts: &LintOptions, sources: &SourceMap) -> frontend::tfplan::Gathered {
    let explicit: Vec<(PathBuf, String)> = opts
        .frontend
        .plans
        .iter()
        .map(|p| (p.clone(), discover::display_path(p)))
        .collect();
    frontend::tfplan::gather(&explicit, sources)
}

/// Reads the Function App code in the scan and links it to the model's sites
/// ([`frontend::app`]).
fn load_apps(
    found: &frontend::app::Projects,
    model: &mut Model,
    report: &mut Report,
    opts: &LintOptions,
    sources: &SourceMap,
) {
    let out = frontend::app::load(found, &opts.frontend.apps, &model.sites, sources);
    report.files_scanned += out.files;
    report
        .findings
        .extend(out.diagnostics.into_iter().map(diagnostic_finding));
    report.notes.extend(out.notes);
    model.apps.extend(out.apps);
}

/// Which units are those of templates that a root template (one no other template links)
/// loads as a linked template: they are linted through that template (a note says so).
fn drop_linked(units: &[Rest], json: &[&discover::JsonInput], report: &mut Report) -> Vec<bool> {
    use std::collections::HashSet;
    if units.iter().all(|u| u.linked.is_empty()) {
        return vec![false; units.len()];
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
            units.get(i).is_some_and(|u| !u.plan)
                && canon
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_some_and(|c| from_roots.contains(c))
        })
        .collect();
    for (i, _) in drop.iter().enumerate().filter(|(_, d)| **d) {
        report.notes.push(format!(
            "{}: linted through the template that links it",
            json.get(i).map_or("", |j| j.display.as_str())
        ));
    }
    drop
}

/// Loads one JSON input. A file the user named that turns out not to be linted (empty, not a
/// template, UTF-16 without a byte order mark, unreadable) is reported on stderr
/// ([`UnitOutput::warnings`]), not only in `--verbose`.
fn load_json(
    j: &discover::JsonInput,
    unit: UnitId,
    sources: &SourceMap,
    opts: &LintOptions,
    plans: bool,
) -> UnitOutput {
    let mut u = load_json_unit(j, unit, sources, opts, plans);
    if j.explicit && u.skipped {
        let notes = std::mem::take(&mut u.notes);
        u.warnings.extend(
            notes
                .into_iter()
                .map(|n| n.replacen(": skipped, ", ": not linted: ", 1)),
        );
    }
    u
}

/// The text of a file that starts with a UTF-16 or UTF-32 byte order mark, decoded (Azure
/// accepts such templates); `Some(Err(encoding))` when it does not decode; `None` without such
/// a mark (UTF-8, with or without its mark, is read as it is).
fn decode_bom(bytes: &[u8]) -> Option<Result<String, &'static str>> {
    let (rest, width, le, name) = match bytes {
        [0xFF, 0xFE, 0, 0, rest @ ..] => (rest, 4, true, "UTF-32"),
        [0, 0, 0xFE, 0xFF, rest @ ..] => (rest, 4, false, "UTF-32"),
        [0xFF, 0xFE, rest @ ..] => (rest, 2, true, "UTF-16"),
        [0xFE, 0xFF, rest @ ..] => (rest, 2, false, "UTF-16"),
        _ => return None,
    };
    if rest.len() % width != 0 {
        return Some(Err(name));
    }
    let decoded = if width == 2 {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .filter_map(|c| <[u8; 2]>::try_from(c).ok())
            .map(|a| {
                if le {
                    u16::from_le_bytes(a)
                } else {
                    u16::from_be_bytes(a)
                }
            })
            .collect();
        String::from_utf16(&units).ok()
    } else {
        rest.chunks_exact(4)
            .filter_map(|c| <[u8; 4]>::try_from(c).ok())
            .map(|a| {
                char::from_u32(if le {
                    u32::from_le_bytes(a)
                } else {
                    u32::from_be_bytes(a)
                })
            })
            .collect()
    };
    Some(decoded.ok_or(name))
}

/// With `plans`, a file whose start looks like a Terraform plan is not read as a template
/// ([`UnitOutput::plan_head`]).
fn load_json_unit(
    j: &discover::JsonInput,
    unit: UnitId,
    sources: &SourceMap,
    opts: &LintOptions,
    plans: bool,
) -> UnitOutput {
    let origin = if j.explicit {
        source::PathOrigin::CommandLine
    } else {
        source::PathOrigin::Content
    };
    let mut read = match sources.read_confined(&j.path, origin, discover::MAX_FILE_BYTES) {
        Ok(r) => r,
        Err(source::Refusal::TooLarge(_)) => {
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
        Err(r) if r.is_confinement() => {
            // A symbolic link met while walking a directory: the link is repository content.
            let id = sources.add(j.display.clone(), "");
            return UnitOutput {
                files: 1,
                diagnostics: vec![frontend::refused(
                    "file",
                    &j.display,
                    &r,
                    source::Span::new(id, 0..0),
                )],
                ..UnitOutput::default()
            };
        }
        Err(r) => {
            return UnitOutput {
                skipped: true,
                notes: vec![format!("{}: not read: {}", j.display, r.reason())],
                ..UnitOutput::default()
            };
        }
    };
    let bytes = std::mem::take(&mut read.bytes);
    if plans && frontend::tfplan::looks_like_plan(&bytes) {
        return UnitOutput {
            skipped: true,
            plan_head: true,
            ..UnitOutput::default()
        };
    }
    if bytes.is_empty() {
        return UnitOutput {
            skipped: true,
            notes: vec![format!("{}: skipped, empty file", j.display)],
            ..UnitOutput::default()
        };
    }
    let bytes = match decode_bom(&bytes) {
        None => bytes,
        Some(Ok(text)) => text.into_bytes(),
        Some(Err(encoding)) => {
            let id = sources.add(j.display.clone(), "");
            return UnitOutput {
                files: 1,
                diagnostics: vec![
                    frontend::parse_error(
                        format!(
                            "{} starts with a {encoding} byte order mark but is not valid {encoding}",
                            j.display
                        ),
                        source::Span::new(id, 0..0),
                        "not readable text",
                    )
                    .help("save the file as UTF-8"),
                ],
                ..UnitOutput::default()
            };
        }
    };
    if bytes.contains(&0) {
        // UTF-16 or UTF-32 without a byte order mark (or a binary file): not JSON text.
        return UnitOutput {
            skipped: true,
            notes: vec![format!(
                "{}: skipped, UTF-16 or UTF-32 text without a byte order mark, or a binary file (it has NUL bytes; save it as UTF-8)",
                j.display
            )],
            ..UnitOutput::default()
        };
    }
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
    if j.path.extension().is_some_and(|e| e == "bicep") {
        return frontend::bicep::load_root(
            &j.path,
            &j.display,
            &text,
            Some(&read),
            unit,
            sources,
            &opts.frontend,
            None,
        );
    }
    if j.path.extension().is_some_and(|e| e == "bicepparam") {
        return frontend::bicep::load_params_unit(
            &j.path,
            &j.display,
            &text,
            Some(&read),
            unit,
            sources,
            &opts.frontend,
        );
    }
    if !j.explicit
        && let Some(bicep) = frontend::bicep::compiled_from(&j.path, &text)
    {
        return UnitOutput {
            skipped: true,
            notes: vec![format!(
                "{}: skipped, compiled from {bicep}, which is linted instead",
                j.display
            )],
            ..UnitOutput::default()
        };
    }
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
    frontend::arm::load_template_read(
        &j.path,
        &j.display,
        text,
        Some(&read),
        unit,
        sources,
        &opts.frontend,
    )
}

/// The finding for a front-end's diagnostic: `AGW000 parse-error`, or `AGW901
/// reference-outside-scan-root` for a reference that was not followed.
pub fn diagnostic_finding(d: frontend::Diagnostic) -> Finding {
    let meta = match d.kind {
        frontend::DiagnosticKind::Parse => &rules::AGW000,
        frontend::DiagnosticKind::Refused => &rules::AGW901,
    };
    let mut f = Finding::new(meta.id, meta.name, meta.severity, d.message, d.span).label(d.label);
    f.help = d.help.map(Arc::from);
    f
}

/// Findings sorted on the thread pool from this many on (fewer: not worth starting it).
const PARALLEL_SORT: usize = 4096;

/// Sorts `v` stably by `by`, on the thread pool from [`PARALLEL_SORT`] elements on.
pub(crate) fn sort_stable<T: Send>(v: &mut [T], by: impl Fn(&T, &T) -> std::cmp::Ordering + Sync) {
    if v.len() < PARALLEL_SORT {
        v.sort_by(by);
    } else {
        use rayon::slice::ParallelSliceMut;
        v.par_sort_by(by);
    }
}

/// Sorts findings by file path, position and rule, and drops exact repeats (the same rule at
/// the same span with the same message, e.g. a module linted through two callers).
pub fn sort_and_dedup(findings: &mut Vec<Finding>, sources: &SourceMap) {
    // Each file's path is replaced by its rank among the paths, so the comparator compares
    // integers (sorting in place: a decorated copy of 36,000 findings cost 8 MB of peak).
    let ranks = sources.path_ranks(findings.iter().map(|f| f.primary.file));
    let rank_of = |f: &Finding| ranks.of(f.primary.file);
    // Stable, on the thread pool when there are many (36,000 findings took 1.4 % of a
    // 6,000-file scan's CPU on the main thread, everything else waiting).
    let by = |a: &Finding, b: &Finding| {
        rank_of(a)
            .cmp(&rank_of(b))
            .then(a.primary.start.cmp(&b.primary.start))
            .then(a.rule.cmp(b.rule))
            .then(a.primary.end.cmp(&b.primary.end))
            .then(a.message.cmp(&b.message))
    };
    sort_stable(findings, by);
    findings.dedup_by(|a, b| {
        rank_of(a) == rank_of(b)
            && a.rule == b.rule
            && a.message == b.message
            && a.primary.start == b.primary.start
            && a.primary.end == b.primary.end
    });
}
