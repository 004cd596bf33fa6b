//! Discovery: paths on the command line → ARM template candidates and Terraform directories.
//!
//! `.git`, `.terraform` and `node_modules` are never entered; symlinks are followed with loop
//! detection (walkdir reports a loop as an error for that entry, which is skipped).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

use crate::frontend::terraform::TfDir;

/// Directories never entered.
const SKIP_DIRS: &[&str] = &[".git", ".terraform", "node_modules"];

/// Kinds of files agwlint cannot read yet, by the end of their name, with the reason. A
/// directory scan counts them in the summary line ([`Inputs::not_read`]); a file of one of
/// these kinds named on the command line is reported on stderr. A front-end that learns to read
/// one removes its line.
pub const UNREADABLE: &[(&str, &str)] = &[];

/// A Terraform source file: `*.tf`, `*.tf.json` or OpenTofu `*.tofu`.
pub fn is_tf_source(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "tf" || e == "tofu")
        || crate::frontend::terraform::parse::is_tf_json(p)
}

/// The line of [`UNREADABLE`] that a file name ends with.
pub fn unreadable_kind(path: &Path) -> Option<(&'static str, &'static str)> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    UNREADABLE
        .iter()
        .copied()
        .find(|(suffix, _)| name.ends_with(suffix))
}

/// Largest file read (bigger files are reported as AGW000 by the front-end, not read).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A JSON file that may be an ARM template.
#[derive(Debug, Clone)]
pub struct JsonInput {
    /// The file.
    pub path: PathBuf,
    /// How it is printed.
    pub display: String,
    /// True when the user named the file itself (then a non-template is reported in
    /// `--verbose`, and a broken file is always AGW000).
    pub explicit: bool,
    /// True for a template a partial run loads only because it may link one of
    /// [`Inputs::link_targets`] ([`select_units`]): it is linted only if it does.
    pub if_links: bool,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Inputs {
    /// JSON files (candidates; the ARM front-end decides).
    pub json: Vec<JsonInput>,
    /// Directories that contain `*.tf` (or OpenTofu `*.tofu`) files.
    pub tf_dirs: Vec<TfDir>,
    /// Paths that could not be read or do not exist.
    pub errors: Vec<String>,
    /// Canonical paths of the templates a partial run was asked about ([`select_units`]).
    pub link_targets: Vec<PathBuf>,
    /// Messages for stderr whatever the verbosity: files named on the command line that no
    /// linted unit reads.
    pub notices: Vec<String>,
    /// Files of a directory scan that agwlint cannot read yet ([`UNREADABLE`]): the name
    /// ending, how many, and why; in table order.
    pub not_read: Vec<(String, usize, String)>,
}

impl Inputs {
    /// Counts a scanned file of an [`UNREADABLE`] kind.
    fn count_not_read(&mut self, (suffix, why): (&str, &str)) {
        match self.not_read.iter_mut().find(|(s, _, _)| s == suffix) {
            Some(entry) => entry.1 += 1,
            None => {
                self.not_read.push((suffix.to_string(), 1, why.to_string()));
                let order = |s: &str| UNREADABLE.iter().position(|(x, _)| *x == s);
                self.not_read.sort_by_key(|(s, _, _)| order(s));
            }
        }
    }
}

/// The stderr line for a file named on the command line that is of an [`UNREADABLE`] kind.
fn not_read_notice(path: &Path, why: &str) -> String {
    format!("{}: not linted: {why}", display_path(path))
}

/// Include/exclude globs applied during discovery (relative to `base`).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// When set, only files matching one of these are linted.
    pub include: Option<GlobSet>,
    /// Files or directories matching one of these are skipped.
    pub exclude: Option<GlobSet>,
    /// The directory globs are relative to.
    pub base: Option<PathBuf>,
}

impl Filters {
    /// Builds filters from glob strings; an invalid glob is an error naming it.
    pub fn new(
        include: &[String],
        exclude: &[String],
        base: Option<PathBuf>,
    ) -> Result<Self, String> {
        fn build(globs: &[String]) -> Result<Option<GlobSet>, String> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {e}"))?);
            }
            b.build().map(Some).map_err(|e| e.to_string())
        }
        Ok(Filters {
            include: build(include)?,
            exclude: build(exclude)?,
            base,
        })
    }

    fn rel<'a>(&self, p: &'a Path) -> std::borrow::Cow<'a, Path> {
        let p = p.strip_prefix(".").unwrap_or(p);
        match &self.base {
            // An absolute base (the configuration file's directory) is compared with the
            // absolute form of the path, so globs stay relative to the configuration file
            // whatever the current directory is.
            Some(b) if b.is_absolute() && p.is_relative() => {
                let abs = crate::config::paths::absolute(p);
                match abs.strip_prefix(b) {
                    Ok(r) => std::borrow::Cow::Owned(r.to_path_buf()),
                    Err(_) => std::borrow::Cow::Owned(abs),
                }
            }
            Some(b) => std::borrow::Cow::Borrowed(p.strip_prefix(b).unwrap_or(p)),
            None => std::borrow::Cow::Borrowed(p),
        }
    }

    fn excluded(&self, p: &Path) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|g| g.is_match(self.rel(p)))
    }

    fn included(&self, p: &Path) -> bool {
        self.include
            .as_ref()
            .is_none_or(|g| g.is_match(self.rel(p)))
    }
}

/// The printed form of a path: as given, `/` separators, no leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let mut t = s.as_str();
    while let Some(rest) = t.strip_prefix("./") {
        t = rest;
    }
    if t.is_empty() {
        ".".to_string()
    } else {
        t.to_string()
    }
}

/// A symbolic link to a directory outside every one of `roots` (canonical): a walk does not
/// enter it (it could lead anywhere; `/proc/self/root` is the whole file system).
fn link_escapes(e: &walkdir::DirEntry, roots: &[PathBuf]) -> bool {
    e.path_is_symlink()
        && e.file_type().is_dir()
        && !std::fs::canonicalize(e.path()).is_ok_and(|c| roots.iter().any(|r| c.starts_with(r)))
}

fn is_skipped_dir(name: &str) -> bool {
    SKIP_DIRS.contains(&name)
}

/// Walks the given paths. Files named explicitly are taken whatever their directory.
pub fn discover(paths: &[PathBuf], filters: &Filters) -> Inputs {
    let mut out = Inputs::default();
    let mut tf_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    // Membership only (the inputs keep the walk's order): hashed, not ordered (a 6,000-file
    // scan spent 7 ms of its start comparing paths component by component).
    let mut seen_json: HashSet<PathBuf> = HashSet::new();
    // A symbolic link to a directory outside the scan root is not entered (it could lead
    // anywhere, `/proc/self/root` is the whole file system); its files would not be read.
    let scan_roots = crate::source::scan_roots(paths, &crate::config::paths::current_dir());
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(format!("{}: {e}", display_path(root)));
                continue;
            }
        };
        if meta.is_file() {
            if let Some((_, why)) = unreadable_kind(root) {
                out.notices.push(not_read_notice(root, why));
                continue;
            }
            let ext = root.extension().and_then(|e| e.to_str()).unwrap_or("");
            match ext {
                _ if is_tf_source(root) || ext == "tfvars" => {
                    let dir = root
                        .parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
                    tf_dirs.insert(dir);
                }
                _ => {
                    if seen_json.insert(root.clone()) {
                        out.json.push(JsonInput {
                            path: root.clone(),
                            display: display_path(root),
                            explicit: true,
                            if_links: false,
                        });
                    }
                }
            }
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                let name = e.file_name().to_string_lossy();
                !(filters.excluded(e.path())
                    || e.file_type().is_dir() && is_skipped_dir(&name)
                    || link_escapes(e, &scan_roots))
            });
        for entry in walker {
            // Errors here are permission problems or symlink loops: skip the entry.
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_file() {
                continue;
            }
            let p = entry.path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !filters.included(p) {
                continue;
            }
            if let Some(kind) = unreadable_kind(p) {
                out.count_not_read(kind);
                continue;
            }
            match ext {
                _ if is_tf_source(p) => {
                    if let Some(dir) = p.parent() {
                        tf_dirs.insert(dir.to_path_buf());
                    }
                }
                "json" | "bicep" | "bicepparam" if seen_json.insert(p.to_path_buf()) => {
                    out.json.push(JsonInput {
                        path: p.to_path_buf(),
                        display: display_path(p),
                        explicit: false,
                        if_links: false,
                    })
                }
                _ => {}
            }
        }
    }
    out.tf_dirs = tf_dirs
        .into_iter()
        .map(|p| TfDir {
            display: display_path(&p),
            path: p,
        })
        .collect();
    out
}

// ----- partial runs: the repository root and the units that contain given files ----------

/// What marks a repository root, looked for in this order in each directory: the
/// configuration file, then a git repository (`.git`: a directory, or a file in a worktree or
/// submodule).
const ROOT_MARKERS: &[&str] = &[".agwlint.yaml", ".agwlint.yml", ".git"];

/// A directory holding one of these (cargo's `target/`, by the Cache Directory Tagging
/// specification) is not searched for the units of a partial run.
const CACHE_TAG: &str = "CACHEDIR.TAG";

/// Largest template read while looking for the templates that link a file of a partial run.
const MAX_LINK_SEARCH_BYTES: u64 = 16 * 1024 * 1024;

/// The canonical form of a path (its absolute form when it cannot be canonicalised).
fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| crate::config::paths::absolute(p))
}

/// The marked root of one path: the nearest directory, from the path itself (a directory) or
/// its parent (a file) upwards, that contains `.agwlint.yaml`, `.agwlint.yml` or `.git`;
/// `None` when no ancestor does. Absolute and lexically normalised; git is not run.
pub fn marked_root(path: &Path) -> Option<PathBuf> {
    let abs = crate::config::paths::absolute(path);
    let start = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    start
        .ancestors()
        .find(|d| ROOT_MARKERS.iter().any(|m| d.join(m).exists()))
        .map(Path::to_path_buf)
}

/// The repository root of a run over `paths` (the current directory when `paths` is empty).
/// For each path: its [`marked_root`] (the directory of the nearest `.agwlint.yaml`, else the
/// git top level), else the current directory when the path is inside it, else the path's own
/// directory; when the paths have different roots, their deepest common ancestor. Absolute and
/// lexically normalised.
///
/// A plain function of the paths and the file system (git is not run, the configuration is not
/// read): a partial run searches it for the units that contain the given files
/// ([`select_units`]).
pub fn repository_root(paths: &[PathBuf]) -> PathBuf {
    let cwd = crate::config::paths::absolute(Path::new("."));
    let one = |p: &Path| -> PathBuf {
        marked_root(p).unwrap_or_else(|| {
            let abs = crate::config::paths::absolute(p);
            if abs.starts_with(&cwd) {
                cwd.clone()
            } else if abs.is_dir() {
                abs
            } else {
                abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf)
            }
        })
    };
    let mut roots = paths.iter().map(|p| one(p));
    let Some(mut common) = roots.next() else {
        return one(Path::new("."));
    };
    for r in roots {
        while !r.starts_with(&common) && common.pop() {}
    }
    common
}

/// `abs` as a path relative to the current directory when it is below it or above it (`.`,
/// `infra`, `../..`), else as it is; so paths found under it print as the user typed them.
fn from_cwd(abs: &Path) -> PathBuf {
    let cwd = crate::config::paths::absolute(Path::new("."));
    if let Ok(r) = abs.strip_prefix(&cwd) {
        return if r.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            r.to_path_buf()
        };
    }
    if let Ok(r) = cwd.strip_prefix(abs) {
        return r.components().map(|_| "..").collect();
    }
    abs.to_path_buf()
}

/// The directory of a file as given (`.` for a bare file name).
fn dir_of(file: &Path) -> PathBuf {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn has_tf_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.flatten()
            .any(|e| is_tf_source(&e.path()) && e.path().is_file())
    })
}

/// A parameter file rather than a template: `*.parameters.json`, or a `deploymentParameters`
/// schema in a file that does not look like a template.
fn is_parameter_file(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".parameters.json") {
        return true;
    }
    if !name.ends_with(".json") {
        return false;
    }
    sniff(p, MAX_LINK_SEARCH_BYTES).is_some_and(|b| {
        let t = String::from_utf8_lossy(&b);
        t.contains("deploymentParameters.json") && !crate::frontend::arm::looks_like_template(&t)
    })
}

/// The bytes of a regular file of at most `limit` bytes, for classification only (never shown):
/// a FIFO, a device or a larger file is not read, and at most `limit` bytes are taken even if
/// the file grows meanwhile.
fn sniff(p: &Path, limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(p).ok()?;
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    // Sized from the metadata: one read for the whole file instead of a probe and doublings.
    let mut out = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    std::fs::File::open(p)
        .ok()?
        .take(limit)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// True when `text` has `templateLink` in any letter case (ARM property names ignore case):
/// only such a template can link another.
fn may_link(text: &str) -> bool {
    crate::source::has_ignore_ascii_case(text, "templatelink")
}

/// The Terraform directories and JSON files under `root` (as discovery walks a directory,
/// without entering cache directories).
fn walk_repository(root: &Path, filters: &Filters) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut json = Vec::new();
    // As in [`discover`]: a symbolic link to a directory outside the root is not entered.
    let roots = [canonical(root)];
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let dir = e.file_type().is_dir();
            let name = e.file_name().to_string_lossy();
            !(filters.excluded(e.path())
                || dir && (is_skipped_dir(&name) || e.path().join(CACHE_TAG).is_file())
                || link_escapes(e, &roots))
        });
    for entry in walker.flatten() {
        let p = entry.path();
        if !entry.file_type().is_file() || !filters.included(p) {
            continue;
        }
        match p.extension().and_then(|e| e.to_str()) {
            _ if is_tf_source(p) => {
                dirs.insert(dir_of(p));
            }
            Some("json") if unreadable_kind(p).is_none() => json.push(p.to_path_buf()),
            Some("bicep" | "bicepparam") => json.push(p.to_path_buf()),
            _ => {}
        }
    }
    (dirs.into_iter().collect(), json)
}

/// The inputs of a partial run over `files` (files named on the command line: pre-commit's
/// staged files, an editor's current file): the whole units that contain them, found by
/// searching `root` ([`repository_root`]) with `filters`.
///
/// - A `.tf` file: the root modules of the repository whose local module calls reach its
///   directory (a child module is linted through its callers), else its own directory.
/// - `terraform.tfvars` or `*.auto.tfvars`: the units of its directory, as for a `.tf` file;
///   any `.tfvars`: the directories whose configuration `var_files:` mapping names it.
/// - A parameter file (`*.parameters.json`, or a `deploymentParameters` schema): the template
///   beside it (`<name>.json`) and the templates whose `parameters:` mapping names it.
/// - Any other file: itself (a template, or a file the ARM front-end reports), plus every
///   template of the repository whose text names one of the selected templates' file names
///   (directly or through another such template), marked [`JsonInput::if_links`]: of those,
///   only the ones whose unit links a selected template ([`Inputs::link_targets`]) are linted.
///
/// A var or parameter file that no unit reads gets a line in [`Inputs::notices`] (unless a
/// `--var-file` or `--parameters` flag in `opts` names it). `opts` gives the configuration's
/// mappings and the flags; nothing here evaluates a template or a module.
pub fn select_units(
    files: &[PathBuf],
    root: &Path,
    filters: &Filters,
    opts: &crate::frontend::FrontendOptions,
) -> Inputs {
    let mut out = Inputs::default();
    let mut tf_targets: Vec<PathBuf> = Vec::new();
    let mut tfvars: Vec<&PathBuf> = Vec::new();
    let mut params: Vec<&PathBuf> = Vec::new();
    let mut templates: Vec<&PathBuf> = Vec::new();
    for f in files {
        match std::fs::metadata(f) {
            Err(e) => {
                out.errors.push(format!("{}: {e}", display_path(f)));
                continue;
            }
            Ok(m) if !m.is_file() => continue,
            Ok(_) => {}
        }
        if let Some((_, why)) = unreadable_kind(f) {
            out.notices.push(not_read_notice(f, why));
            continue;
        }
        match f.extension().and_then(|e| e.to_str()) {
            _ if is_tf_source(f) => tf_targets.push(dir_of(f)),
            Some("tfvars") => tfvars.push(f),
            _ if is_parameter_file(f) => params.push(f),
            _ => templates.push(f),
        }
    }
    if tf_targets.is_empty() && tfvars.is_empty() && templates.is_empty() && params.is_empty() {
        return out;
    }
    let (scanned_dirs, scanned_json) = walk_repository(&from_cwd(root), filters);
    if !tf_targets.is_empty() || !tfvars.is_empty() {
        select_terraform(&mut out, tf_targets, &tfvars, scanned_dirs, opts);
    }
    if !templates.is_empty() || !params.is_empty() {
        select_arm(&mut out, &templates, &params, &scanned_json, opts);
    }
    out
}

/// [`select_units`] for `.tf` and `.tfvars` files.
fn select_terraform(
    out: &mut Inputs,
    mut targets: Vec<PathBuf>,
    tfvars: &[&PathBuf],
    scanned: Vec<PathBuf>,
    opts: &crate::frontend::FrontendOptions,
) {
    use crate::config::PathMapping;
    let dirs: Vec<TfDir> = scanned
        .into_iter()
        .map(|p| TfDir {
            display: display_path(&p),
            path: p,
        })
        .collect();
    for f in tfvars {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let fc = canonical(f);
        let dir = dir_of(f);
        let named_by_flag = opts.var_files.iter().any(|p| canonical(p) == fc);
        let mut used = false;
        if (name == "terraform.tfvars" || name.ends_with(".auto.tfvars") || named_by_flag)
            && has_tf_files(&dir)
        {
            targets.push(dir);
            used = true;
        }
        for d in &dirs {
            if PathMapping::files_for(&opts.var_file_map, &d.path)
                .iter()
                .any(|p| canonical(p) == fc)
            {
                targets.push(d.path.clone());
                used = true;
            }
        }
        if !used && !named_by_flag {
            out.notices.push(format!(
                "{}: not linted: no Terraform module of the repository reads this var file (only terraform.tfvars and *.auto.tfvars are read by default; name it under `var_files:` in .agwlint.yaml or pass --var-file)",
                display_path(f)
            ));
        }
    }
    let canons: Vec<PathBuf> = dirs.iter().map(|d| canonical(&d.path)).collect();
    let calls = crate::frontend::terraform::local_module_calls(&dirs);
    let index: std::collections::HashMap<&PathBuf, usize> =
        canons.iter().enumerate().map(|(i, c)| (c, i)).collect();
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); dirs.len()];
    for (i, cs) in calls.iter().enumerate() {
        for c in cs {
            if let Some(&j) = index.get(c)
                && j != i
            {
                callers[j].push(i);
            }
        }
    }
    let mut selected: BTreeSet<usize> = BTreeSet::new();
    let mut seen_canon: BTreeSet<PathBuf> = BTreeSet::new();
    for t in targets {
        let tc = canonical(&t);
        let Some(&ti) = index.get(&tc) else {
            // Not in the repository's scan (excluded, or outside it): the directory itself.
            if seen_canon.insert(tc) {
                out.tf_dirs.push(TfDir {
                    display: display_path(&t),
                    path: t,
                });
            }
            continue;
        };
        // Walk up the callers; the directories nobody calls are the roots that reach `t`.
        let mut reached: BTreeSet<usize> = BTreeSet::new();
        let mut frontier = vec![ti];
        while let Some(i) = frontier.pop() {
            if reached.insert(i) {
                frontier.extend(callers[i].iter().copied());
            }
        }
        let roots: Vec<usize> = reached
            .iter()
            .copied()
            .filter(|&i| callers[i].is_empty())
            .collect();
        if roots.is_empty() {
            // Only reached through a cycle of calls: the directory itself.
            selected.insert(ti);
        } else {
            selected.extend(roots);
        }
    }
    for i in selected {
        if seen_canon.insert(canons[i].clone()) {
            out.tf_dirs.push(dirs[i].clone());
        }
    }
}

/// [`select_units`] for JSON (and other non-Terraform) files.
fn select_arm(
    out: &mut Inputs,
    templates: &[&PathBuf],
    params: &[&PathBuf],
    scanned: &[PathBuf],
    opts: &crate::frontend::FrontendOptions,
) {
    use crate::config::PathMapping;
    let mut targets: Vec<(PathBuf, bool)> =
        templates.iter().map(|t| ((*t).clone(), true)).collect();
    for f in params {
        let fc = canonical(f);
        let named_by_flag = opts.parameters.iter().any(|p| canonical(p) == fc);
        let mut used = false;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        if let Some(stem) = lower
            .strip_suffix(".parameters.json")
            .and_then(|_| name.get(..name.len() - ".parameters.json".len()))
        {
            let beside = f.with_file_name(format!("{stem}.json"));
            if beside.is_file() {
                targets.push((beside, false));
                used = true;
            }
        }
        for j in scanned {
            if PathMapping::files_for(&opts.parameter_map, j)
                .iter()
                .any(|p| canonical(p) == fc)
            {
                targets.push((j.clone(), false));
                used = true;
            }
        }
        if !used && !named_by_flag {
            out.notices.push(format!(
                "{}: not linted: no template of the repository uses this parameter file (a template `<name>.json` beside `<name>.parameters.json` does; name it under `parameters:` in .agwlint.yaml or pass --parameters)",
                display_path(f)
            ));
        }
    }
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut names: Vec<String> = Vec::new();
    for (t, explicit) in targets {
        let c = canonical(&t);
        if !seen.insert(c.clone()) {
            continue;
        }
        if let Some(n) = t.file_name() {
            names.push(n.to_string_lossy().into_owned());
        }
        out.json.push(JsonInput {
            display: display_path(&t),
            path: t,
            explicit,
            if_links: false,
        });
        out.link_targets.push(c);
    }
    // The templates that may link a selected one: their text names its file. Read once, and
    // kept only when it has a `templateLink` (the rest cannot link anything: a repository of
    // thousands of templates is not held in memory for the few that link); a selected template
    // itself is recognised by its canonical path, which is computed only for the few texts
    // that name a file (a path's canonical form costs a system call per component).
    let mut pending: Vec<(PathBuf, String)> = scanned
        .iter()
        .filter_map(|p| {
            let bytes = sniff(p, MAX_LINK_SEARCH_BYTES)?;
            let text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            (may_link(&text) && crate::frontend::arm::looks_like_template(&text))
                .then(|| (p.clone(), text))
        })
        .collect();
    loop {
        let (hit, rest): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|(_, text)| names.iter().any(|n| crate::source::has(text, n)));
        pending = rest;
        let hit: Vec<_> = hit
            .into_iter()
            .filter(|(p, _)| !seen.contains(&canonical(p)))
            .collect();
        if hit.is_empty() {
            break;
        }
        for (p, _) in hit {
            if let Some(n) = p.file_name() {
                names.push(n.to_string_lossy().into_owned());
            }
            out.json.push(JsonInput {
                display: display_path(&p),
                path: p,
                explicit: false,
                if_links: true,
            });
        }
    }
}

impl Inputs {
    /// Adds `other`'s inputs (a file already present, by canonical path, is not added again).
    pub fn merge(&mut self, other: Inputs) {
        let json: BTreeSet<PathBuf> = self.json.iter().map(|j| canonical(&j.path)).collect();
        let tf: BTreeSet<PathBuf> = self.tf_dirs.iter().map(|d| canonical(&d.path)).collect();
        self.json.extend(
            other
                .json
                .into_iter()
                .filter(|j| !json.contains(&canonical(&j.path))),
        );
        self.tf_dirs.extend(
            other
                .tf_dirs
                .into_iter()
                .filter(|d| !tf.contains(&canonical(&d.path))),
        );
        self.errors.extend(other.errors);
        self.link_targets.extend(other.link_targets);
        self.notices.extend(other.notices);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_text_with_a_template_link_in_any_case_may_link() {
        assert!(may_link(
            r#"{"properties": {"templateLink": {"relativePath": "a.json"}}}"#
        ));
        assert!(may_link(r#"{"TEMPLATELINK": {}}"#));
        assert!(may_link("TemplateLink"));
        assert!(!may_link(r#"{"template": {"link": "a.json"}}"#));
        assert!(!may_link("a templateLin"));
        assert!(!may_link(""));
    }

    #[test]
    fn display_paths_drop_dot_slash_and_use_forward_slashes() {
        assert_eq!(display_path(Path::new("./a/b.json")), "a/b.json");
        assert_eq!(display_path(Path::new("infra/x.tf")), "infra/x.tf");
        assert_eq!(display_path(Path::new(".")), ".");
    }

    #[test]
    fn walk_skips_vendor_dirs_and_finds_tf_dirs() {
        let tmp = std::env::temp_dir().join(format!("agwlint-disc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join(".terraform/modules/x")).unwrap();
        std::fs::create_dir_all(tmp.join("node_modules/p")).unwrap();
        std::fs::create_dir_all(tmp.join("mod")).unwrap();
        std::fs::write(tmp.join(".terraform/modules/x/main.tf"), "").unwrap();
        std::fs::write(tmp.join("node_modules/p/package.json"), "{}").unwrap();
        std::fs::write(tmp.join("mod/main.tf"), "").unwrap();
        std::fs::write(tmp.join("t.json"), "{}").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&tmp, tmp.join("mod/loop")).unwrap();
        let found = discover(std::slice::from_ref(&tmp), &Filters::default());
        assert_eq!(found.tf_dirs.len(), 1, "{:?}", found.tf_dirs);
        assert!(found.tf_dirs[0].path.ends_with("mod"));
        assert_eq!(found.json.len(), 1);
        let excl = Filters::new(&[], &["mod/**".into()], Some(tmp.clone())).unwrap();
        assert!(
            discover(std::slice::from_ref(&tmp), &excl)
                .tf_dirs
                .is_empty()
        );
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    #[cfg(unix)]
    fn a_partial_run_does_not_follow_a_link_out_of_the_repository() {
        let tmp = std::env::temp_dir().join(format!("agwlint-disc-esc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let (repo, outside) = (tmp.join("repo"), tmp.join("outside"));
        std::fs::create_dir_all(repo.join("infra")).unwrap();
        std::fs::create_dir_all(outside.join("tf")).unwrap();
        std::fs::write(repo.join("infra/a.json"), "{}").unwrap();
        std::fs::write(outside.join("b.json"), "{}").unwrap();
        std::fs::write(outside.join("tf/main.tf"), "").unwrap();
        std::os::unix::fs::symlink(&outside, repo.join("out")).unwrap();
        std::os::unix::fs::symlink(repo.join("infra"), repo.join("inside")).unwrap();
        let (dirs, json) = walk_repository(&repo, &Filters::default());
        let _ = std::fs::remove_dir_all(&tmp);
        assert!(dirs.is_empty(), "{dirs:?}");
        let names: Vec<String> = json.iter().map(|p| display_path(p)).collect();
        assert_eq!(json.len(), 2, "{names:?}");
        assert!(json.iter().all(|p| p.ends_with("a.json")), "{names:?}");
    }

    #[test]
    #[cfg(unix)]
    fn a_selected_template_is_never_its_own_linker_even_through_a_symlink() {
        let tmp = std::env::temp_dir().join(format!("agwlint-disc-self-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join(".git")).unwrap();
        std::fs::create_dir_all(tmp.join("infra")).unwrap();
        let template = |about: &str| {
            format!(
                r#"{{"contentVersion": "1.0.0.0", "metadata": {{"about": "{about}"}}, "resources": []}}"#
            )
        };
        // The selected template names itself; another names it; neither names c.json (all
        // three have a templateLink: the others are not searched).
        std::fs::write(tmp.join("infra/a.json"), template("templateLink a.json")).unwrap();
        std::fs::write(tmp.join("infra/b.json"), template("templateLink a.json")).unwrap();
        std::fs::write(tmp.join("infra/c.json"), template("templateLink nothing")).unwrap();
        std::os::unix::fs::symlink(tmp.join("infra"), tmp.join("inside")).unwrap();
        let out = select_units(
            &[tmp.join("infra/a.json")],
            &tmp,
            &Filters::default(),
            &crate::frontend::FrontendOptions::default(),
        );
        let _ = std::fs::remove_dir_all(&tmp);
        let mut got: Vec<(String, bool)> = out
            .json
            .iter()
            .map(|j| {
                let rel = j.path.strip_prefix(&tmp).unwrap_or(&j.path);
                (display_path(rel), j.if_links)
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("infra/a.json".to_string(), false),
                ("infra/b.json".to_string(), true),
                ("inside/b.json".to_string(), true),
            ],
        );
    }
}
