//! Terraform front-end: azurerm configurations into the model.
//!
//! A directory of `*.tf` files is one module ([`parse`]). Root modules (directories of the
//! scan that no other scanned directory calls) are each one unit: variables come from
//! defaults, tfvars and the command line ([`tfvars`]), locals, module calls and resources are
//! evaluated lazily ([`module`]), `dynamic` blocks and `count`/`for_each` are expanded
//! ([`expand`]), and azurerm resources are mapped into the model ([`map`], [`azapi`]).

pub mod eval;
pub mod value;

pub mod azapi;
pub mod expand;
pub mod frames;
pub mod map;
pub mod module;
pub mod overrides;
pub mod parse;
pub mod planned;
pub mod semver;
pub mod tfjson;
pub mod tfvars;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::frontend::tfplan::Plan;

use hcl::edit::expr::Expression;

use super::{FrontendOptions, UnitOutput, deadline};
use crate::model::UnitId;
use crate::source::{FileId, SourceMap};
use module::{Ctx, Instance, ModuleCache, canon};

/// A directory of `*.tf` files found by discovery, with its printed path.
#[derive(Debug, Clone)]
pub struct TfDir {
    /// The directory.
    pub path: PathBuf,
    /// How it is printed (as given on the command line, `/` separators).
    pub display: String,
}

/// Stack size of the loader threads: evaluation recurses through nested expressions, locals
/// and modules (each bounded), which needs more than the 2 MiB default.
const STACK_BYTES: usize = 64 * 1024 * 1024;

/// How much Terraform source a scan keeps parsed between finding the roots and loading them:
/// a syntax tree costs tens of times its text, so beyond this the trees are dropped and parsed
/// again when their unit loads (trading some CPU for bounded memory).
const RETAIN_TEXT_BYTES: usize = 256 * 1024;

/// Loads the Terraform directories of a scan. Directories only reached as local modules of
/// another scanned directory are linted through their callers. Units are numbered from
/// `first_unit`.
pub fn load_dirs(
    dirs: &[TfDir],
    first_unit: u32,
    sources: &SourceMap,
    opts: &FrontendOptions,
) -> Vec<UnitOutput> {
    load_dirs_planned(dirs, first_unit, sources, opts, &[])
}

/// [`load_dirs`] with plan JSON files: a plan fills the values of the root module in its
/// own directory, or of the only root of the scan; a plan no root takes is reported in a note.
pub fn load_dirs_planned(
    dirs: &[TfDir],
    first_unit: u32,
    sources: &SourceMap,
    opts: &FrontendOptions,
    plans: &[Arc<Plan>],
) -> Vec<UnitOutput> {
    let mut loader = Loader::new(dirs, first_unit, sources, opts, plans);
    let mut out: Vec<UnitOutput> = loader
        .load(0..loader.len(), |_| ())
        .into_iter()
        .map(|(u, _, ())| u)
        .collect();
    loader.finish(&mut out);
    out
}

/// Loader threads (`threads`, else one a core) with the stack evaluation needs; `None` when
/// they cannot be made.
fn pool(threads: Option<usize>) -> Option<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new().stack_size(STACK_BYTES);
    if let Some(n) = threads {
        b = b.num_threads(n);
    }
    b.build().ok()
}

/// The Terraform units of a scan, loaded in as many calls as the caller likes ([`Loader::load`],
/// on the loader's threads, which have the stack evaluation needs), and any of them again
/// later ([`Loader::reload`]: a unit whose model was not kept). The roots are found when the
/// loader is made; a module's syntax trees are dropped once the last root that calls it has
/// loaded.
pub struct Loader<'a> {
    dirs: &'a [TfDir],
    first_unit: u32,
    sources: &'a SourceMap,
    opts: &'a FrontendOptions,
    plans: &'a [Arc<Plan>],
    cache: ModuleCache<'a>,
    pool: Option<rayon::ThreadPool>,
    canons: Vec<PathBuf>,
    /// Indices (into `dirs`) of the root directories, one unit each.
    roots: Vec<usize>,
    /// For each root, the scanned directories it reaches through literal local calls.
    reach: Vec<Vec<usize>>,
    /// How many roots still to load reach each scanned directory.
    pending: Vec<AtomicUsize>,
    /// The variables the loaded roots declare.
    declared: std::sync::Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Loader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loader")
            .field("dirs", &self.dirs.len())
            .field("roots", &self.roots.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Loader<'a> {
    /// Parses every scanned directory (in parallel) and finds the roots: directories only
    /// reached as local modules of another scanned directory are linted through their callers.
    /// Units are numbered from `first_unit`. Without directories, each plan is a unit of its
    /// own, linted from its values alone.
    pub fn new(
        dirs: &'a [TfDir],
        first_unit: u32,
        sources: &'a SourceMap,
        opts: &'a FrontendOptions,
        plans: &'a [Arc<Plan>],
    ) -> Self {
        // One directory is one unit: one thread parses, loads and checks it, so that the
        // memory of its syntax trees is freed by the thread that took it (freed by another
        // thread while that one waits idle in the pool, it could stay in use until the loading
        // threads end).
        let pool = pool((dirs.len() == 1).then_some(1));
        let mut loader = Loader {
            dirs,
            first_unit,
            sources,
            opts,
            plans,
            cache: ModuleCache::new(sources),
            pool,
            canons: Vec::new(),
            roots: Vec::new(),
            reach: Vec::new(),
            pending: Vec::new(),
            declared: std::sync::Mutex::new(HashSet::new()),
        };
        if !dirs.is_empty() {
            let (canons, roots, reach) = loader.install(|| loader.find_roots());
            loader.pending = (0..canons.len()).map(|_| AtomicUsize::new(0)).collect();
            for &j in reach.iter().flatten() {
                loader.pending[j].fetch_add(1, Ordering::Relaxed);
            }
            loader.canons = canons;
            loader.roots = roots;
            loader.reach = reach;
        }
        loader
    }

    /// Runs `f` on the loader's threads; once they have ended ([`Loader::finish`]), on a
    /// thread of its own (on this one when threads cannot be made).
    fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        if let Some(pool) = &self.pool {
            return pool.install(f);
        }
        match pool(Some(1)) {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    /// The canonical directories, the roots, and what each root reaches.
    #[allow(clippy::type_complexity)]
    fn find_roots(&self) -> (Vec<PathBuf>, Vec<usize>, Vec<Vec<usize>>) {
        use rayon::prelude::*;
        let (dirs, cache, sources) = (self.dirs, &self.cache, self.sources);
        let canons: Vec<PathBuf> = dirs.iter().map(|d| canon(sources, &d.path)).collect();
        // Past RETAIN_TEXT_BYTES of source the trees are evicted right away (the text stays in
        // the source map) so a scan of many modules does not hold every syntax tree at once;
        // the units re-parse them. Small scans keep them and parse each file once.
        let retained = AtomicUsize::new(0);
        let callees: Vec<Vec<PathBuf>> = dirs
            .par_iter()
            .zip(canons.par_iter())
            .map(|(d, c)| {
                let m = cache.get_for_calls(c, &d.path, &d.display);
                let callees = local_callees(&m, sources);
                if m.unparsed {
                    // Read, not parsed: no trees to hold (and no `module` block to follow).
                    return callees;
                }
                let bytes: usize = m
                    .files
                    .iter()
                    .filter_map(|f| sources.get(f.file))
                    .map(|f| f.text.len())
                    .sum();
                let before = retained.fetch_add(bytes, Ordering::Relaxed);
                // A lone directory is loaded next: dropping its trees would only parse it twice.
                if before + bytes > RETAIN_TEXT_BYTES && dirs.len() > 1 {
                    cache.evict(c);
                }
                callees
            })
            .collect();
        let roots = roots(&canons, &callees);
        // How many roots still to load reach each scanned directory through literal local
        // calls: a module's trees are dropped when the last of them has loaded (a module called
        // by several roots is parsed once, and not kept for the rest of the scan).
        let reach = reachable(&roots, &canons, &callees);
        (canons, roots, reach)
    }

    /// The files of the scanned modules that roots still to load parse again: the source map
    /// keeps their texts when it evicts ([`SourceMap::evict_over_budget_except`]); dropped,
    /// they would be read from disk again.
    pub fn pending_files(&self) -> HashSet<FileId> {
        self.canons
            .iter()
            .zip(&self.pending)
            .filter(|(_, n)| n.load(Ordering::Acquire) > 0)
            .flat_map(|(c, _)| self.cache.file_ids(c))
            .collect()
    }

    /// The number of units.
    pub fn len(&self) -> usize {
        if self.dirs.is_empty() {
            self.plans.len()
        } else {
            self.roots.len()
        }
    }

    /// True when there is no unit to load.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The plan of a root: the plan in its directory, or the only plan outside every root
    /// directory when there is one root.
    fn plan_of(&self, ix: usize) -> Option<Arc<Plan>> {
        let canons = &self.canons;
        let in_dir = |p: &Arc<Plan>, d: usize| {
            p.path
                .parent()
                .is_some_and(|x| canon(self.sources, x) == canons[d])
        };
        self.plans
            .iter()
            .find(|p| in_dir(p, ix))
            .or_else(|| {
                let elsewhere = |p: &&Arc<Plan>| !self.roots.iter().any(|&r| in_dir(p, r));
                match (
                    self.roots.len(),
                    self.plans.iter().filter(elsewhere).count(),
                ) {
                    (1, 1) => self.plans.iter().find(elsewhere),
                    _ => None,
                }
            })
            .cloned()
    }

    /// The unit of root `i`, and the variables it declares; `release` is given the modules it
    /// loaded once they are mapped.
    fn load_one(&self, i: usize, release: &dyn Fn(&[PathBuf])) -> (UnitOutput, Vec<String>) {
        let unit = UnitId(
            self.first_unit
                .saturating_add(u32::try_from(i).unwrap_or(u32::MAX)),
        );
        if self.dirs.is_empty() {
            return match self.plans.get(i) {
                Some(p) => (planned::load_plan_alone(p, unit, self.sources), Vec::new()),
                None => (UnitOutput::default(), Vec::new()),
            };
        }
        let Some(&ix) = self.roots.get(i) else {
            return (UnitOutput::default(), Vec::new());
        };
        load_root(
            &self.dirs[ix],
            unit,
            self.sources,
            self.opts,
            &self.cache,
            self.plan_of(ix),
            release,
        )
    }

    /// Loads the units `range` (positions, `0..len()`) in parallel; `each` runs on the
    /// loading thread as soon as a unit is loaded. With each unit come the ids of the files
    /// its load added ([`SourceMap::recording`]), for [`Loader::reload`].
    pub fn load<T: Send>(
        &self,
        range: std::ops::Range<usize>,
        each: impl Fn(&mut UnitOutput) -> T + Sync,
    ) -> Vec<(UnitOutput, Vec<FileId>, T)> {
        use rayon::prelude::*;
        let scanned: HashSet<&PathBuf> = self.canons.iter().collect();
        let run = || {
            range
                .into_par_iter()
                .map(|i| {
                    // Called once the root is mapped, before its model is finished (so the
                    // syntax trees are not alive beside the whole model).
                    let release = |loaded: &[PathBuf]| {
                        for &j in self.reach.get(i).into_iter().flatten() {
                            if self.pending[j].fetch_sub(1, Ordering::AcqRel) == 1 {
                                self.cache.evict(&self.canons[j]);
                            }
                        }
                        // Modules outside the scanned directories (vendored by `terraform
                        // init`) belong to this root.
                        for c in loaded.iter().filter(|c| !scanned.contains(c)) {
                            self.cache.evict(c);
                        }
                    };
                    let ((mut u, vars), files) =
                        self.sources.recording(|| self.load_one(i, &release));
                    match self.declared.lock() {
                        Ok(mut d) => d.extend(vars),
                        Err(p) => p.into_inner().extend(vars),
                    }
                    let t = each(&mut u);
                    (u, files, t)
                })
                .collect()
        };
        self.install(run)
    }

    /// The model of unit `i` again, its files given the ids of its first load (`files`, from
    /// [`Loader::load`]): the modules it reads are parsed again from the stored text.
    pub fn reload(&self, i: usize, files: &[FileId]) -> crate::model::Model {
        let release = |loaded: &[PathBuf]| {
            for c in loaded {
                self.cache.evict(c);
            }
        };
        self.install(|| {
            self.sources
                .replaying(files, || self.load_one(i, &release))
                .0
                .model
        })
    }

    /// Adds, once every unit is loaded, the warnings for `--var` names no loaded root declares
    /// (to the first unit, or in a unit of their own when the scan has no directory). The
    /// loading threads end: the memory they hold goes back (a unit loaded again after this
    /// loads on a thread of its own).
    pub fn finish(&mut self, units: &mut Vec<UnitOutput>) {
        self.pool = None;
        let declared = match self.declared.lock() {
            Ok(d) => d,
            Err(p) => p.into_inner(),
        };
        let warnings = undeclared_vars(&self.opts.vars, &declared);
        if self.dirs.is_empty() {
            if !warnings.is_empty() {
                units.push(UnitOutput {
                    warnings,
                    ..UnitOutput::default()
                });
            }
        } else if let Some(first) = units.first_mut() {
            first.warnings.extend(warnings);
        }
    }
}

/// Warnings for `--var` names that no linted root module declares: such a value is applied
/// nowhere (a typo, or the wrong directory).
pub fn undeclared_vars(vars: &[(String, String)], declared: &HashSet<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (name, _) in vars {
        let w = format!(
            "--var {name}: no linted Terraform root module declares a variable `{name}`; the value is not used"
        );
        if !declared.contains(name) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// For each directory, the canonical directories its module calls as local modules (a literal
/// `./` or `../` `source`). Discovery uses it to find the root modules that reach a changed
/// child module; the files are only parsed (into a scratch source map), nothing is evaluated.
pub fn local_module_calls(dirs: &[TfDir]) -> Vec<Vec<PathBuf>> {
    use rayon::prelude::*;
    let scratch = SourceMap::new();
    dirs.par_iter()
        .map(|d| local_callees(&parse::parse_dir(&d.path, &d.display, &scratch), &scratch))
        .collect()
}

/// Canonical directories a module calls with a literal local `source`.
fn local_callees(m: &parse::ParsedModule, sources: &SourceMap) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (_, b) in m.blocks() {
        if b.ident.as_str() != "module" {
            continue;
        }
        let Some(a) = b.body.get_attribute("source") else {
            continue;
        };
        let Expression::String(s) = &a.value else {
            continue;
        };
        let src = s.as_str();
        if src.starts_with("./") || src.starts_with("../") {
            let dir = m.dir.join(src);
            if dir.is_dir() {
                out.push(canon(sources, &dir));
            }
        }
    }
    out
}

/// Indices of the root directories: those no other scanned directory calls. Directories only
/// reachable through a cycle of calls among themselves get their first member as root.
fn roots(canons: &[PathBuf], callees: &[Vec<PathBuf>]) -> Vec<usize> {
    // The positions of each directory (two scanned paths may resolve to one directory), so a
    // call is looked up, not compared with every directory (quadratic in a repository of
    // many modules that call each other).
    let mut index: HashMap<&PathBuf, Vec<usize>> = HashMap::new();
    for (j, d) in canons.iter().enumerate() {
        index.entry(d).or_default().push(j);
    }
    let of = |c: &PathBuf| index.get(c).map_or(&[][..], Vec::as_slice);
    let n = canons.len();
    let mut called = vec![false; n];
    for (i, cs) in callees.iter().enumerate() {
        for &j in cs.iter().flat_map(&of) {
            if j != i {
                called[j] = true;
            }
        }
    }
    let mut roots: Vec<usize> = (0..n).filter(|&i| !called[i]).collect();
    // Everything reachable from the roots is linted; what is not (a cycle of directories
    // calling each other) gets a root of its own.
    let mut reached = vec![false; n];
    let mut frontier = roots.clone();
    // The first directory not reached yet: only moves forward, as `reached` only grows.
    let mut next = 0;
    loop {
        while let Some(i) = frontier.pop() {
            if std::mem::replace(&mut reached[i], true) {
                continue;
            }
            for &j in callees[i].iter().flat_map(&of) {
                if !reached[j] {
                    frontier.push(j);
                }
            }
        }
        while next < n && reached[next] {
            next += 1;
        }
        if next == n {
            break;
        }
        roots.push(next);
        frontier.push(next);
    }
    roots.sort_unstable();
    roots
}

/// For each root (an index into `canons`), the directories it reaches through literal local
/// module calls, itself included.
fn reachable(roots: &[usize], canons: &[PathBuf], callees: &[Vec<PathBuf>]) -> Vec<Vec<usize>> {
    let index: HashMap<&PathBuf, usize> = canons.iter().enumerate().map(|(i, c)| (c, i)).collect();
    roots
        .iter()
        .map(|&r| {
            let mut seen: HashSet<usize> = HashSet::new();
            let mut frontier = vec![r];
            while let Some(i) = frontier.pop() {
                if seen.insert(i) {
                    frontier.extend(callees[i].iter().filter_map(|c| index.get(c).copied()));
                }
            }
            let mut v: Vec<usize> = seen.into_iter().collect();
            v.sort_unstable();
            v
        })
        .collect()
}

/// Loads one root module; also returns the names of the variables it declares. `release` is
/// called with the modules it loaded (canonical directories) once they are mapped, exactly
/// once.
fn load_root(
    dir: &TfDir,
    unit: UnitId,
    sources: &SourceMap,
    opts: &FrontendOptions,
    cache: &ModuleCache,
    plan: Option<Arc<Plan>>,
    release: &dyn Fn(&[PathBuf]),
) -> (UnitOutput, Vec<String>) {
    let guard = deadline::start(opts.time_limit.unwrap_or(deadline::DEFAULT_LIMIT));
    let mut ctx = Ctx::new(sources, opts, unit, cache);
    ctx.plan = plan;
    ctx.read_vendored(&dir.path, &dir.display);
    let m = ctx.module(&dir.path, &dir.display);
    let declared: Vec<String> = m
        .blocks()
        .filter(|(_, b)| b.ident.as_str() == "variable")
        .filter_map(|(_, b)| b.labels.first().map(|l| l.as_str().to_string()))
        .collect();
    let (mut vals, errors) =
        tfvars::root_values(&dir.path, &dir.display, &m.vars.auto, &ctx, &declared);
    if let Some(plan) = &ctx.plan {
        plan_variables(plan, &declared, &mut vals);
    }
    if !is_clearly_root(&m, dir, opts, ctx.plan.is_some()) {
        open_null_inputs(&m, &mut vals);
    }
    let first_file = m.files.first().map(|f| f.file);
    let c = canon(sources, &dir.path);
    let root = Instance::new(&ctx, m, String::new(), vec![c], &vals);
    let mut mapper = map::Mapper::default();
    root.map_into(&mut mapper);
    root.note_exported_refs(&mut mapper);
    drop(root);
    release(&ctx.loaded.take());
    let mut model = mapper.finish();
    model.module_frames = ctx.frames.take();
    let mut warnings = ctx.warnings.take();
    if let Some(plan) = &ctx.plan {
        ctx.notes.borrow_mut().push(format!(
            "{}: values from plan {} (format {}) fill what the sources leave unknown",
            dir.display, plan.display, plan.format_version
        ));
        if let Some(w) = plan_mismatch(plan, &ctx.addresses.borrow(), &model.module_frames) {
            warnings.push(w);
        }
    }
    let over = ctx.over_instances();
    if guard.hit() || over {
        // What was built is incomplete: a partial model could make rules fire wrongly.
        let file = first_file.unwrap_or_else(|| sources.add(dir.display.clone(), ""));
        let span = crate::source::Span::new(file, 0..0);
        let message = if over {
            format!(
                "{} expands to more than {} resource and module instances through count and for_each; skipped",
                dir.display,
                module::MAX_UNIT_INSTANCES
            )
        } else {
            guard.message(&dir.display)
        };
        let out = UnitOutput {
            diagnostics: vec![super::parse_error(message, span, "evaluation stopped here")
                .help("simplify the module (very large count/for_each or deeply chained expressions), or exclude it")],
            notes: ctx.notes.into_inner(),
            files: ctx.files.get(),
            errors,
            ..UnitOutput::default()
        };
        return (out, declared);
    }
    for s in ctx.sensitive.take() {
        model.mark_sensitive(&s);
    }
    let out = UnitOutput {
        model,
        diagnostics: ctx.findings.into_inner(),
        notes: ctx.notes.into_inner(),
        files: ctx.files.get(),
        errors,
        warnings,
        modules_not_followed: ctx.not_followed.borrow().len(),
        ..UnitOutput::default()
    };
    (out, declared)
}

/// True for a directory that is clearly a root module: it configures a provider or a backend
/// (`terraform { backend ... }` / `cloud`), has var files (`*.tfvars`, `*.tfvars.json`, mapped
/// or given), or is linted with `--var` or a plan. Any other directory no scanned module calls
/// may be a reusable module whose callers are elsewhere.
fn is_clearly_root(
    m: &parse::ParsedModule,
    dir: &TfDir,
    opts: &FrontendOptions,
    plan: bool,
) -> bool {
    let configures = m.blocks().any(|(_, b)| match b.ident.as_str() {
        "provider" => true,
        "terraform" => b
            .body
            .blocks()
            .any(|s| matches!(s.ident.as_str(), "backend" | "cloud")),
        _ => false,
    });
    configures
        || m.vars.any
        || plan
        || !opts.vars.is_empty()
        || !tfvars::var_files(&dir.path, &dir.display, &m.vars.auto, opts).is_empty()
}

/// In a directory that may be a reusable module (see [`is_clearly_root`]), a variable whose
/// default is `null` and that nothing sets is an input its callers fill: Unknown, not the
/// absent value `null` would give (a module's `capacity = null` is not a gateway without
/// capacity).
fn open_null_inputs(
    m: &parse::ParsedModule,
    vals: &mut std::collections::HashMap<String, module::VarVal>,
) {
    for (file, b) in m.blocks() {
        if b.ident.as_str() != "variable" {
            continue;
        }
        let Some(name) = b.labels.first().map(|l| l.as_str()) else {
            continue;
        };
        let null_default = b
            .body
            .get_attribute("default")
            .is_some_and(|a| matches!(a.value, Expression::Null(_)));
        if !null_default || vals.contains_key(name) {
            continue;
        }
        let why = crate::model::Why::new(
            format!(
                "variable `{name}` defaults to null in a module with no provider, backend or var file and no caller in the scan: its callers set it"
            ),
            Some(parse::header_span(b, file)),
        );
        vals.insert(
            name.to_string(),
            (
                value::TVal::Unknown(crate::model::Partial::because(why)),
                None,
            ),
        );
    }
}

/// Root variables the plan has a value for and the sources (var files, `--var`) do not: the
/// plan's value (it is what `terraform plan` used, tfvars and `TF_VAR_` included), with an
/// origin label in the plan. A sensitive variable is Unknown.
fn plan_variables(
    plan: &Plan,
    declared: &[String],
    vals: &mut std::collections::HashMap<String, module::VarVal>,
) {
    for name in declared {
        if vals.contains_key(name) {
            continue;
        }
        if let Some((v, sp)) = plan.variables.get(name) {
            let origin = plan.origin(*sp, &format!("value of variable `{name}`"));
            vals.insert(name.clone(), (v.clone(), Some(origin)));
        }
    }
}

/// A warning when the plan was made from another configuration than the sources: resource
/// instances of the modules read that only one side has. Modules not followed (registry
/// sources without `.terraform/`) are not compared.
fn plan_mismatch(
    plan: &Plan,
    source: &[String],
    frames: &[crate::model::ModuleFrame],
) -> Option<String> {
    if plan.live.is_empty() {
        return None;
    }
    let mut prefixes: HashSet<&str> = frames.iter().map(|f| f.prefix.as_str()).collect();
    prefixes.insert("");
    let src: HashSet<&str> = source
        .iter()
        .map(String::as_str)
        .filter(|a| !a.contains("[?]"))
        .collect();
    let mut only_plan: Vec<&str> = plan
        .live
        .iter()
        .map(String::as_str)
        .filter(|a| !src.contains(a) && prefixes.contains(module_prefix(a)))
        .filter(|a| !source.iter().any(|s| s.contains("[?]") && same_block(s, a)))
        .collect();
    let mut only_source: Vec<&str> = src
        .iter()
        .copied()
        .filter(|a| !plan.live.contains(*a))
        .collect();
    if only_plan.is_empty() && only_source.is_empty() {
        return None;
    }
    only_plan.sort_unstable();
    only_source.sort_unstable();
    let example = only_source
        .first()
        .map(|a| format!("`{a}` is not in the plan"))
        .or_else(|| {
            only_plan
                .first()
                .map(|a| format!("`{a}` is not in the sources"))
        })
        .unwrap_or_default();
    Some(format!(
        "{} was made from a different configuration than the sources ({} resource instance(s) differ, e.g. {example}); its values are used only where addresses match",
        plan.display,
        only_plan.len() + only_source.len()
    ))
}

/// `module.a["k"].module.b.t.n[0]` → `module.a["k"].module.b.`; `""` at the root.
fn module_prefix(address: &str) -> &str {
    let mut end = 0;
    let mut rest = address;
    while let Some(r) = rest.strip_prefix("module.") {
        // Skip the call name and an optional `[...]` key (a string key may hold `.`).
        let mut i = 0;
        let bytes = r.as_bytes();
        while i < bytes.len() && bytes[i] != b'.' && bytes[i] != b'[' {
            i += 1;
        }
        if bytes.get(i) == Some(&b'[') {
            let mut in_str = false;
            let mut esc = false;
            while i < bytes.len() {
                let c = bytes[i];
                i += 1;
                match c {
                    b'\\' if in_str && !esc => {
                        esc = true;
                        continue;
                    }
                    b'"' if !esc => in_str = !in_str,
                    b']' if !in_str => break,
                    _ => {}
                }
                esc = false;
            }
        }
        if bytes.get(i) != Some(&b'.') {
            break;
        }
        let consumed = "module.".len() + i + 1;
        end += consumed;
        rest = &rest[consumed..];
    }
    &address[..end]
}

/// True when `a` (with an Unknown key `[?]`) and `b` are instances of the same block.
fn same_block(a: &str, b: &str) -> bool {
    a.split_once("[?]")
        .is_some_and(|(base, _)| b.starts_with(base))
}

#[cfg(test)]
mod tests;
