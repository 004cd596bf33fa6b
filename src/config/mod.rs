//! Configuration: `.agwlint.yaml`, the `--config/--select/--ignore/--baseline` flags, and the
//! per-rule settings the run applies (enablement, severity, options).
//!
//! Precedence: command-line flags win over the file, the file wins over the defaults. The file
//! is found in the current directory or the nearest parent, stopping at the repository root (a
//! directory containing `.git`); `--config FILE` names it explicitly.

pub mod init;
pub mod load;
pub mod paths;
mod raw;
mod rules_map;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::rules::{self, RuleCx, RuleMeta};
use crate::source::SourceMap;
use crate::{LintOptions, Report};

pub use init::InitArgs;
pub use load::{ConfigError, find_config_file, load_file};
pub use paths::PathMapping;
pub use raw::{FailOnSetting, FileConfig, RuleSetting, Selector};

/// Names of the configuration file, in the order they are looked for.
pub const CONFIG_NAMES: &[&str] = &[".agwlint.yaml", ".agwlint.yml"];

/// Configuration flags of `agwlint lint` (flattened into its arguments).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConfigArgs {
    /// Configuration file (default: `.agwlint.yaml` in the current directory or the nearest
    /// parent, up to the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only these rules: IDs, names or ID prefixes such as `AGW03` (comma-separated or
    /// repeated; replaces `select:` of the configuration).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Never these rules: IDs, names or ID prefixes (comma-separated or repeated; replaces
    /// `ignore:` of the configuration).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Report only findings that are not in this baseline file (wins over `baseline:`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// Which rules run, at which severity, with which options.
#[derive(Debug, Clone, Default)]
pub struct RuleSettings {
    disabled: BTreeSet<&'static str>,
    severity: BTreeMap<&'static str, Severity>,
    options: BTreeMap<&'static str, serde_json::Value>,
}

impl RuleSettings {
    /// Settings from `select`, `ignore` and `rules:`. `explicit` lists rules named exactly on
    /// the command line with `--select`; they run even when the file turns them `off`.
    pub fn new(
        select: &[Selector],
        ignore: &[Selector],
        per_rule: &BTreeMap<raw::RuleKey, RuleSetting>,
        explicit: &[&'static str],
    ) -> Self {
        let mut s = RuleSettings::default();
        for m in rules::all_meta() {
            // A parse error is never hidden by `select`, only by naming AGW000 in `ignore` or
            // turning it `off`: a broken file must not pass silently.
            let selected = m.id == rules::AGW000.id
                || select.is_empty()
                || select.iter().any(|sel| sel.matches(m));
            let ignored = ignore.iter().any(|sel| sel.matches(m));
            if !selected || ignored {
                s.disabled.insert(m.id);
            }
        }
        for (key, setting) in per_rule {
            let id = key.0.id;
            if let Some(sev) = setting.severity {
                s.severity.insert(id, sev);
            }
            if setting.off {
                s.disabled.insert(id);
            }
            if !setting.options.is_empty() {
                s.options.insert(
                    id,
                    serde_json::Value::Object(setting.options.clone().into_iter().collect()),
                );
            }
        }
        for id in explicit {
            s.disabled.remove(id);
        }
        s
    }

    /// True when the rule runs and its findings are reported.
    pub fn enabled(&self, id: &str) -> bool {
        !self.disabled.contains(id)
    }

    /// The configured severity of a rule, if it is overridden.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.severity.get(id).copied()
    }

    /// The rule's own options (`rules: { AGW014: { function_timeout_seconds: 120 } }`).
    pub fn options(&self, id: &str) -> Option<&serde_json::Value> {
        self.options.get(id)
    }

    /// Turns a rule off (tests and callers building settings by hand).
    pub fn disable(&mut self, id: &'static str) {
        self.disabled.insert(id);
    }

    /// Drops findings of disabled rules and applies severity overrides.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| self.enabled(f.rule));
        for f in findings.iter_mut() {
            if let Some(sev) = self.severity(f.rule) {
                f.severity = sev;
            }
        }
    }
}

/// Runs the enabled rules of the registry with their options; returns findings and the checks
/// skipped because of Unknown values.
///
/// Rules run in parallel (they only read the model); their outputs are joined in registry
/// order, so the result is the same as running them one after another.
pub fn run_rules(model: &Model, opts: &LintOptions) -> (Vec<Finding>, Vec<rules::Skipped>) {
    let (mut findings, mut skipped) = (Vec::new(), Vec::new());
    run_rules_into(model, opts, &mut findings, &mut skipped);
    (findings, skipped)
}

/// [`run_rules`], appending to `findings` and `skipped` (a report's, which may already hold
/// parse diagnostics): each is grown once to its exact final size and every rule's output is
/// moved in and freed in turn, so the findings are not held twice (a dense 6,000-file scan
/// has tens of thousands of them).
pub fn run_rules_into(
    model: &Model,
    opts: &LintOptions,
    findings: &mut Vec<Finding>,
    skipped: &mut Vec<rules::Skipped>,
) {
    use rayon::prelude::*;
    let outputs: Vec<(Vec<Finding>, Vec<rules::Skipped>)> = rules::REGISTRY
        .par_iter()
        .filter(|rule| opts.rules.enabled(rule.meta().id))
        .map(|rule| {
            let meta: &'static RuleMeta = rule.meta();
            let mut cx = RuleCx::new(meta, opts.rules.options(meta.id), opts.assume);
            rule.check(model, &mut cx);
            cx.finish()
        })
        .collect();
    findings.reserve_exact(outputs.iter().map(|(f, _)| f.len()).sum());
    skipped.reserve_exact(outputs.iter().map(|(_, s)| s.len()).sum());
    for (f, s) in outputs {
        findings.extend(f);
        skipped.extend(s);
    }
}

/// [`run_rules_into`] for the model of one unit (or a group of units), the rules one after
/// the other in the same order: the caller runs units in parallel.
pub fn run_rules_in_turn(model: &Model, opts: &LintOptions) -> (Vec<Finding>, Vec<rules::Skipped>) {
    let mut findings = Vec::new();
    let mut skipped = Vec::new();
    for rule in rules::REGISTRY
        .iter()
        .filter(|rule| opts.rules.enabled(rule.meta().id))
    {
        let meta: &'static RuleMeta = rule.meta();
        let mut cx = RuleCx::new(meta, opts.rules.options(meta.id), opts.assume);
        rule.check(model, &mut cx);
        let (f, s) = cx.finish();
        findings.extend(f);
        skipped.extend(s);
    }
    (findings, skipped)
}

/// After the rules ran: drops disabled rules' findings, applies inline and metadata
/// suppressions (reporting unused ones as AGW900), applies severity overrides, sorts and
/// deduplicates, then subtracts the baseline.
pub fn finish(report: &mut Report, model: &Model, sources: &SourceMap, opts: &LintOptions) {
    let mut findings = std::mem::take(&mut report.findings);
    findings.retain(|f| opts.rules.enabled(f.rule));
    let outcome = crate::suppress::apply(&mut findings, model, sources, &opts.rules);
    report.notes.extend(outcome.notes);
    report.suppressed += outcome.suppressed;
    opts.rules.apply(&mut findings);
    crate::sort_and_dedup(&mut findings, sources);
    if let Some(b) = &opts.baseline {
        let r = b.subtract(&mut findings, sources);
        report.baselined += r.matched;
        report.baseline_fixed += r.fixed;
    }
    report.findings = findings;
}

/// The configuration of a run after merging the file and the flags.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The file read, if any.
    pub path: Option<PathBuf>,
    /// `fail_on:` of the file (`--fail-on` wins).
    pub fail_on: Option<crate::cli::FailOn>,
    /// The baseline to apply: `--baseline`, else `baseline:` (relative to the file).
    pub baseline: Option<PathBuf>,
    /// `--write-baseline`.
    pub write_baseline: Option<PathBuf>,
}

/// Loads the configuration (explicit, found, or none), merges the flags and fills `opts`.
pub fn configure(args: &ConfigArgs, opts: &mut LintOptions) -> Result<Resolved, ConfigError> {
    let cwd = paths::current_dir();
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => find_config_file(&cwd),
    };
    let (file, dir) = match &path {
        Some(p) => {
            let file = if args.config.is_some() {
                load_file(p)?
            } else {
                load::load_found_file(p)?
            };
            let dir = paths::absolute(p)
                .parent()
                .map_or_else(|| cwd.clone(), std::path::Path::to_path_buf);
            (file, dir)
        }
        None => (FileConfig::default(), cwd.clone()),
    };
    let flag_sel = |list: &[String], flag: &str| -> Result<Vec<Selector>, ConfigError> {
        list.iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                Selector::parse(s.trim()).map_err(|e| ConfigError::plain(format!("{flag} {e}")))
            })
            .collect()
    };
    let select = if args.select.is_empty() {
        file.select.clone()
    } else {
        flag_sel(&args.select, "--select")?
    };
    let ignore = if args.ignore.is_empty() {
        file.ignore.clone()
    } else {
        flag_sel(&args.ignore, "--ignore")?
    };
    let explicit: Vec<&'static str> = args
        .select
        .iter()
        .filter_map(|s| rules::find_meta(s.trim()))
        .map(|m| m.id)
        .collect();
    opts.rules = RuleSettings::new(&select, &ignore, &file.rules, &explicit);
    opts.assume = rules::Assumptions {
        network_isolation: file.assume.network_isolation,
        dns_resolves_private_link: file.assume.dns_resolves_private_link,
    };
    let globs = |v: &[raw::GlobStr]| v.iter().map(|g| g.0.clone()).collect::<Vec<_>>();
    opts.filters = paths::filters(&globs(&file.include), &globs(&file.exclude), &dir)
        .map_err(ConfigError::plain)?;
    opts.frontend.parameter_map = file
        .parameters
        .iter()
        .map(|(glob, files)| PathMapping::new(Some(&glob.0), &files.0, &dir))
        .collect::<Result<_, _>>()
        .map_err(ConfigError::plain)?;
    opts.frontend.var_file_map = file
        .var_files
        .mappings()
        .iter()
        .map(|(glob, files)| PathMapping::new(glob.as_deref(), files, &dir))
        .collect::<Result<_, _>>()
        .map_err(ConfigError::plain)?;
    if args.config.is_some() {
        opts.config_dir = Some(dir.clone());
    }
    opts.frontend.apps = Vec::new();
    for (site, d) in &file.apps {
        let abs = paths::under(&dir, d);
        // Printed (and read) relative to the current directory when below it, so findings in
        // the code show the same paths as the scan's other files.
        let full = std::path::PathBuf::from(paths::shown(&abs));
        if !abs.is_dir() {
            return Err(ConfigError::plain(format!(
                "apps: `{}` maps to {}, which is not a directory",
                site.0,
                crate::discover::display_path(d)
            ))
            .with_help("give the Functions project directory (the one holding host.json), relative to the configuration file"));
        }
        opts.frontend.apps.push(crate::frontend::app::AppMapping {
            site: site.0.clone(),
            dir: full,
        });
    }
    let baseline = match (&args.baseline, &file.baseline) {
        (Some(b), _) => Some(b.clone()),
        (None, Some(b)) => Some(paths::under(&dir, b)),
        (None, None) => None,
    };
    if let (None, Some(b)) = (&args.write_baseline, &baseline) {
        let create = "create it with `agwlint lint --write-baseline FILE`";
        let loaded = if args.baseline.is_some() {
            crate::baseline::Baseline::load(b)
        } else {
            // `baseline:` is repository content: read only inside the configuration's
            // directory (its scan root).
            confined_baseline(b, &dir).map_err(|e| {
                ConfigError::plain(e).with_help(
                    "keep the baseline inside the repository, or pass it with --baseline",
                )
            })?
        };
        opts.baseline = Some(loaded.map_err(|e| ConfigError::plain(e).with_help(create))?);
    }
    Ok(Resolved {
        path,
        fail_on: file.fail_on.map(|f| f.0),
        baseline,
        write_baseline: args.write_baseline.clone(),
    })
}

/// Reads the baseline named by `baseline:` through the confinement rule, with the
/// configuration's directory as scan root. The outer `Err` is a refusal (never any of the
/// file's content); the inner result is the baseline's own load result.
fn confined_baseline(
    path: &std::path::Path,
    dir: &std::path::Path,
) -> Result<Result<crate::baseline::Baseline, String>, String> {
    let shown = crate::discover::display_path(path);
    let probe = SourceMap::new();
    probe.set_scan_roots(std::slice::from_ref(&dir.to_path_buf()));
    match probe.read_confined(
        path,
        crate::source::PathOrigin::Content,
        crate::discover::MAX_FILE_BYTES,
    ) {
        Ok(read) => Ok(match String::from_utf8(read.bytes) {
            Ok(text) => crate::baseline::Baseline::parse(path, &text),
            Err(_) => Err(format!("baseline {shown} is not UTF-8 text")),
        }),
        Err(r) if r.is_confinement() => Err(format!(
            "configuration `baseline:` {shown} {}; not read",
            r.reason()
        )),
        // Missing or unreadable: the error of the ordinary read, as with `--baseline`.
        Err(_) => Ok(crate::baseline::Baseline::load(path)),
    }
}

/// What the command line does after linting when configuration asks for it: writes the
/// baseline (returns `Some(exit code)`), or prints the baseline note on stderr.
pub fn after_lint(resolved: &Resolved, report: &Report, sources: &SourceMap) -> Option<i32> {
    if let Some(path) = &resolved.write_baseline {
        return Some(
            match crate::baseline::write(path, &report.findings, sources) {
                Ok(n) => {
                    eprintln!(
                        "agwlint: wrote {n} finding{} to baseline {}",
                        if n == 1 { "" } else { "s" },
                        crate::discover::display_path(path)
                    );
                    0
                }
                Err(e) => {
                    eprintln!("agwlint: {e}");
                    2
                }
            },
        );
    }
    if let Some(path) = &resolved.baseline {
        eprintln!(
            "note: {}",
            crate::baseline::note(path, report.baselined, report.baseline_fixed)
        );
    }
    None
}
