//! Module instances: variables, locals, local module calls, resource instances.
//!
//! Everything is evaluated lazily and memoised: a local is evaluated when first referenced, a
//! module call is loaded when its output is first read (or when the mapper walks the tree).
//! A local that is reached again while it is being evaluated is a cycle: it becomes Unknown
//! and a note says so. Recursion across locals and modules is depth-limited.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

use hcl::edit::expr::Expression;
use hcl::edit::structure::Block;

use super::eval::{Scope, eval};
use super::expand::{Binds, Evaluator, Node, instances, key_suffix};
use super::map::{Mapper, ResInst};
use super::parse::{
    ParsedModule, header_span, label, normalize_display, parse_dir, parse_dir_for_calls, span_of,
};
use super::value::TVal;
use crate::frontend::Diagnostic;
use crate::frontend::FrontendOptions;
use crate::model::{Origin, ResourceKey, UnitId, Val};
use crate::source::{FileId, SourceMap, Span};

/// Deepest chain of module calls followed.
pub const MAX_MODULE_DEPTH: usize = 16;
/// Deepest chain of lazily evaluated locals / outputs / resources before giving up.
const MAX_LAZY_DEPTH: usize = 96;
/// Most resource and module instances one unit expands through `count` / `for_each` (`count`
/// 4096 on a module whose resources have `count` 4096 would be 16 million); a unit over it is
/// reported as AGW000.
pub const MAX_UNIT_INSTANCES: usize = 20_000;

/// Parsed module directories shared by every unit of a scan (a module used by two roots is
/// read and added to the source map once, so identical findings deduplicate).
///
/// Syntax trees are large (an hcl-edit body is tens of times its text), so a scan of many
/// modules [`evict`](ModuleCache::evict)s the ones it no longer needs. An evicted module that
/// is asked for again is re-parsed from the text already in the source map: its files keep
/// their ids and are not read again.
pub struct ModuleCache<'s> {
    sources: &'s SourceMap,
    map: Mutex<HashMap<PathBuf, Arc<OnceLock<Arc<ParsedModule>>>>>,
    counted: Mutex<HashSet<PathBuf>>,
    evicted: Mutex<HashMap<PathBuf, Arc<ParsedModule>>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl<'s> ModuleCache<'s> {
    /// An empty cache.
    pub fn new(sources: &'s SourceMap) -> Self {
        ModuleCache {
            sources,
            map: Mutex::new(HashMap::new()),
            counted: Mutex::new(HashSet::new()),
            evicted: Mutex::new(HashMap::new()),
        }
    }

    /// The parsed module of a directory (canonical path), parsing it on first use.
    pub fn get(&self, canon: &Path, dir: &Path, display: &str) -> Arc<ParsedModule> {
        self.cached_or(canon, || parse_dir(dir, display, self.sources))
    }

    /// The module of `canon` as cached, else re-parsed from an evicted one, else `first`'s
    /// (once, whoever asks at the same time).
    fn cached_or(&self, canon: &Path, first: impl FnOnce() -> ParsedModule) -> Arc<ParsedModule> {
        let cell = locked(&self.map)
            .entry(canon.to_path_buf())
            .or_default()
            .clone();
        cell.get_or_init(|| {
            let hollow = locked(&self.evicted).get(canon).cloned();
            Arc::new(match hollow {
                Some(h) => super::parse::reparse(&h, self.sources),
                None => first(),
            })
        })
        .clone()
    }

    /// The module of a directory when only the modules it calls are asked for
    /// ([`parse_dir_for_calls`]): parsed and cached as [`get`](ModuleCache::get) caches it, or
    /// [`unparsed`](ParsedModule::unparsed) and recorded as evicted (its files are in the
    /// source map; a later `get` parses them).
    pub fn get_for_calls(&self, canon: &Path, dir: &Path, display: &str) -> Arc<ParsedModule> {
        let m = self.cached_or(canon, || parse_dir_for_calls(dir, display, self.sources));
        if m.unparsed {
            self.evict(canon);
        }
        m
    }

    /// Drops the syntax trees of a directory's module (callers that still hold it keep it
    /// alive); a later [`get`](ModuleCache::get) re-parses the stored text.
    pub fn evict(&self, canon: &Path) {
        // The hollow module is recorded before the entry goes, under the map's lock, so a
        // concurrent `get` either finds the tree or re-parses; it never reads the files again.
        let mut map = locked(&self.map);
        let Some(m) = map.get(canon).and_then(|c| c.get().cloned()) else {
            return;
        };
        locked(&self.evicted)
            .entry(canon.to_path_buf())
            .or_insert_with(|| Arc::new(super::parse::hollow(&m)));
        map.remove(canon);
    }

    /// The files of a directory's module, parsed or evicted (none when it was never parsed).
    pub fn file_ids(&self, canon: &Path) -> Vec<FileId> {
        let parsed = locked(&self.map).get(canon).and_then(|c| c.get().cloned());
        let m = parsed.or_else(|| locked(&self.evicted).get(canon).cloned());
        m.map(|m| m.files.iter().map(|f| f.file).collect())
            .unwrap_or_default()
    }

    /// True the first time it is asked for a directory (so files are counted once per scan).
    pub fn first_use(&self, canon: &Path) -> bool {
        locked(&self.counted).insert(canon.to_path_buf())
    }
}

/// The canonical form of a directory (the path itself when it cannot be canonicalised),
/// remembered by the scan's source map.
pub fn canon(sources: &SourceMap, p: &Path) -> PathBuf {
    sources.canonical_dir(p).unwrap_or_else(|_| p.to_path_buf())
}

/// What one unit's load shares between its module instances.
pub struct Ctx<'s> {
    /// The source map.
    pub sources: &'s SourceMap,
    /// Command-line inputs.
    pub opts: &'s FrontendOptions,
    /// The unit.
    pub unit: UnitId,
    /// Parsed modules.
    pub cache: &'s ModuleCache<'s>,
    /// Notes for `--verbose`.
    pub notes: RefCell<Vec<String>>,
    /// AGW000 findings.
    pub findings: RefCell<Vec<Diagnostic>>,
    /// Files read.
    pub files: Cell<usize>,
    depth: Cell<usize>,
    /// Modules `terraform init` vendored for the root.
    vendored: RefCell<Vec<Vendored>>,
    /// Warnings for stderr (a stale `.terraform`), each once.
    pub warnings: RefCell<Vec<String>>,
    /// Registry / git module calls not followed (module directory and call name).
    pub not_followed: RefCell<HashSet<(String, String)>>,
    /// Resource and module instances expanded so far (see [`MAX_UNIT_INSTANCES`]).
    instances: Cell<usize>,
    /// Values of `sensitive = true` variables and outputs (string leaves), for
    /// [`crate::model::Model::sensitive`].
    pub sensitive: RefCell<Vec<String>>,
    /// Module instances loaded, with their calls (see [`crate::model::ModuleFrame`]).
    pub frames: RefCell<Vec<crate::model::ModuleFrame>>,
    /// The plan JSON made from this root, if any: values where the source is Unknown.
    pub plan: Option<Arc<crate::frontend::tfplan::Plan>>,
    /// Addresses of the resource instances expanded (for telling a plan made from another
    /// configuration).
    pub addresses: RefCell<Vec<String>>,
    /// Canonical directories of the modules loaded, each once.
    pub loaded: RefCell<Vec<PathBuf>>,
}

impl<'s> Ctx<'s> {
    /// A context for one unit.
    pub fn new(
        sources: &'s SourceMap,
        opts: &'s FrontendOptions,
        unit: UnitId,
        cache: &'s ModuleCache<'s>,
    ) -> Self {
        Ctx {
            sources,
            opts,
            unit,
            cache,
            notes: RefCell::new(Vec::new()),
            findings: RefCell::new(Vec::new()),
            files: Cell::new(0),
            depth: Cell::new(0),
            vendored: RefCell::new(Vec::new()),
            warnings: RefCell::new(Vec::new()),
            not_followed: RefCell::new(HashSet::new()),
            instances: Cell::new(0),
            sensitive: RefCell::new(Vec::new()),
            frames: RefCell::new(Vec::new()),
            plan: None,
            addresses: RefCell::new(Vec::new()),
            loaded: RefCell::new(Vec::new()),
        }
    }

    /// Counts one more resource or module instance; false once the unit is over
    /// [`MAX_UNIT_INSTANCES`] or its time limit, when expansion must stop.
    pub fn take_instance(&self) -> bool {
        let n = self.instances.get().saturating_add(1);
        self.instances.set(n);
        n <= MAX_UNIT_INSTANCES && !crate::frontend::deadline::expired()
    }

    /// True when the unit expanded more than [`MAX_UNIT_INSTANCES`] instances (its model is
    /// incomplete).
    pub fn over_instances(&self) -> bool {
        self.instances.get() > MAX_UNIT_INSTANCES
    }

    /// Reads `modules/modules.json` in the root's Terraform data directory (`.terraform`, or
    /// `TF_DATA_DIR` relative to the root), written by `terraform init`, so registry and git
    /// modules vendored there are followed like local ones. A missing or unreadable manifest is
    /// not an error.
    pub fn read_vendored(&self, root: &Path, display: &str) {
        let data_dir = data_dir(std::env::var_os("TF_DATA_DIR"));
        let manifest = root.join(&data_dir).join("modules/modules.json");
        if !manifest.is_file() {
            return;
        }
        // Repository content like any other file (it may be committed, or a symbolic link).
        let Ok(read) = self.sources.read_confined(
            &manifest,
            crate::source::PathOrigin::Content,
            crate::discover::MAX_FILE_BYTES,
        ) else {
            return;
        };
        let Ok(text) = String::from_utf8(read.bytes) else {
            return;
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            return;
        };
        let Some(mods) = json.get("Modules").and_then(|m| m.as_array()) else {
            return;
        };
        let mut v = self.vendored.borrow_mut();
        for m in mods {
            let (Some(key), Some(dir)) = (
                m.get("Key").and_then(|k| k.as_str()),
                m.get("Dir").and_then(|d| d.as_str()),
            ) else {
                continue;
            };
            if key.is_empty() {
                continue;
            }
            let shown = if Path::new(dir).is_absolute() {
                dir.to_string()
            } else {
                normalize_display(&format!("{display}/{dir}"))
            };
            let version = m
                .get("Version")
                .and_then(|x| x.as_str())
                .map(str::to_string);
            v.push(Vendored {
                key: key.to_string(),
                dir: root.join(dir),
                shown,
                version,
            });
        }
    }

    fn note(&self, s: String) {
        let mut n = self.notes.borrow_mut();
        if !n.contains(&s) {
            n.push(s);
        }
    }

    /// Loads a module directory into this unit (counting its files and findings once).
    pub fn module(&self, dir: &Path, display: &str) -> Arc<ParsedModule> {
        let c = canon(self.sources, dir);
        let m = self.cache.get(&c, dir, display);
        if self.cache.first_use(&c) {
            self.files.set(self.files.get() + m.files_read);
        }
        let mut loaded = self.loaded.borrow_mut();
        if !loaded.contains(&c) {
            loaded.push(c);
        }
        drop(loaded);
        self.findings
            .borrow_mut()
            .extend(m.findings.iter().cloned());
        m
    }

    /// Runs `f` one lazy level deeper; `None` past the limit.
    fn deeper<T>(&self, f: impl FnOnce() -> T) -> Option<T> {
        if self.depth.get() >= MAX_LAZY_DEPTH {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        let r = f();
        self.depth.set(self.depth.get() - 1);
        Some(r)
    }
}

/// A `variable` or `output` block with `sensitive = true`.
fn is_sensitive(b: &Block) -> bool {
    b.body
        .get_attribute("sensitive")
        .is_some_and(|a| matches!(&a.value, Expression::Bool(x) if *x.value()))
}

/// Every string leaf of a value (map keys are names, not secrets).
fn tval_strings(v: &TVal, out: &mut Vec<String>) {
    match v {
        TVal::Str(s) => out.push(s.clone()),
        TVal::List(items) => items.iter().for_each(|i| tval_strings(i, out)),
        TVal::Map(props) => props.iter().for_each(|(_, i)| tval_strings(i, out)),
        // The literal text around an Unknown value is the configuration's, not the secret.
        _ => {}
    }
}

/// Terraform's data directory for a `TF_DATA_DIR` value: `.terraform` when unset or empty.
pub fn data_dir(env: Option<std::ffi::OsString>) -> PathBuf {
    env.filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from(".terraform"), PathBuf::from)
}

/// A module record of the `terraform init` manifest.
struct Vendored {
    /// The call key (`a.b`).
    key: String,
    /// The directory.
    dir: PathBuf,
    /// How it is printed.
    shown: String,
    /// The registry version installed.
    version: Option<String>,
}

/// Ranges of stubbed files an instance keeps parsed for reading resources (each a tree of
/// about 256 KiB of text).
const KEPT_RANGES: usize = 4;

/// Where a block sits: file index and structure index in that file's body.
#[derive(Clone, Copy)]
struct At {
    file: usize,
    idx: usize,
}

enum Lazy<T> {
    Busy,
    Done(T),
}

/// A resource's type and name.
type ResKey = (String, String);

/// A value and where it came from.
pub type VarVal = (TVal, Option<Origin>);

/// The loaded instances of a module call.
struct Call<'c, 's> {
    /// (key or index bound by count/for_each, instance); key is Null without count/for_each.
    instances: Vec<(TVal, Rc<Instance<'c, 's>>)>,
}

/// One module instance.
pub struct Instance<'c, 's> {
    ctx: &'c Ctx<'s>,
    module: Arc<ParsedModule>,
    canon: PathBuf,
    /// Address prefix: empty for the root, `module.a.` / `module.a["k"].module.b.` below.
    pub prefix: String,
    stack: Vec<PathBuf>,
    vars: HashMap<String, VarVal>,
    locals: HashMap<String, (At, String)>,
    local_state: RefCell<HashMap<String, Lazy<VarVal>>>,
    resources: HashMap<(String, String), At>,
    res_state: RefCell<HashMap<ResKey, Lazy<Option<TVal>>>>,
    calls: HashMap<String, At>,
    call_state: RefCell<HashMap<String, Lazy<Option<Rc<Call<'c, 's>>>>>>,
    outputs: HashMap<String, At>,
    out_state: RefCell<HashMap<String, Lazy<Option<TVal>>>>,
    lit_state: RefCell<HashMap<ResKey, Lazy<Option<TVal>>>>,
    /// Ranges of stubbed files parsed again, most recent first (file index, range index,
    /// tree with spans from the range's start): see [`Instance::with_full_block`].
    ranges: RefCell<Vec<(usize, usize, Rc<hcl::edit::structure::Body>)>>,
    /// Names of the module calls from the root to this instance (`["a", "b"]`).
    call_path: Vec<String>,
    /// Set when this instance may not exist (a module call with Unknown `count`/`for_each`,
    /// here or above): the meta-argument's span.
    maybe: Cell<Option<Span>>,
    /// True for code the user did not write: a module vendored by `terraform init`, or a
    /// local module called from one.
    foreign: bool,
}

/// Meta-arguments of a `module` block that are not inputs.
pub(super) const MODULE_META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

impl<'c, 's> Instance<'c, 's> {
    /// Builds an instance: declarations are indexed, variable values bound; nothing else is
    /// evaluated yet. `inputs` are the caller's values (None for a root module, whose values
    /// come from defaults and tfvars in `root_values`).
    pub fn new(
        ctx: &'c Ctx<'s>,
        module: Arc<ParsedModule>,
        prefix: String,
        stack: Vec<PathBuf>,
        inputs: &HashMap<String, VarVal>,
    ) -> Self {
        let mut inst = Instance {
            ctx,
            canon: canon(ctx.sources, &module.dir),
            module,
            prefix,
            stack,
            vars: HashMap::new(),
            locals: HashMap::new(),
            local_state: RefCell::new(HashMap::new()),
            resources: HashMap::new(),
            res_state: RefCell::new(HashMap::new()),
            calls: HashMap::new(),
            call_state: RefCell::new(HashMap::new()),
            outputs: HashMap::new(),
            out_state: RefCell::new(HashMap::new()),
            maybe: Cell::new(None),
            lit_state: RefCell::new(HashMap::new()),
            ranges: RefCell::new(Vec::new()),
            call_path: Vec::new(),
            foreign: false,
        };
        let m = inst.module.clone();
        for (fi, f) in m.files.iter().enumerate() {
            for (si, st) in f.body.iter().enumerate() {
                let Some(b) = st.as_block() else { continue };
                let at = At { file: fi, idx: si };
                match (b.ident.as_str(), label(b, 0), label(b, 1)) {
                    ("variable", Some(name), _) => {
                        // `nullable = false`: a null input takes the default.
                        let non_nullable = b.body.get_attribute("nullable").is_some_and(
                            |a| matches!(&a.value, Expression::Bool(x) if !*x.value()),
                        );
                        let mut v = match inputs.get(name) {
                            Some(v) if !(non_nullable && v.0.is_null()) => v.clone(),
                            _ => variable_default(b, f.file, name),
                        };
                        if let Some(t) = b.body.get_attribute("type") {
                            v.0 = super::eval::convert_to_type(&v.0, &t.value);
                        }
                        if is_sensitive(b) {
                            tval_strings(&v.0, &mut ctx.sensitive.borrow_mut());
                        }
                        inst.vars.insert(name.to_string(), v);
                    }
                    ("locals", _, _) => {
                        for a in b.body.attributes() {
                            inst.locals
                                .insert(a.key.as_str().to_string(), (at, a.key.as_str().into()));
                        }
                    }
                    ("resource", Some(t), Some(n)) => {
                        inst.resources.insert((t.to_string(), n.to_string()), at);
                    }
                    ("module", Some(n), _) => {
                        inst.calls.insert(n.to_string(), at);
                    }
                    ("output", Some(n), _) => {
                        inst.outputs.insert(n.to_string(), at);
                    }
                    _ => {}
                }
            }
        }
        inst
    }

    fn block(&self, at: At) -> Option<(&Block, FileId)> {
        let f = self.module.files.get(at.file)?;
        let b = f.body.get(at.idx)?.as_block()?;
        Some((b, f.file))
    }

    /// Runs `f` on the whole block at `at`: the block itself, or for a stub (see
    /// [`super::parse::ParsedFile::stubbed`]) the block parsed again from its range. Only for
    /// what reads no spans (the tree of a range counts them from its start). `None` when the
    /// block is not found (a range that no longer parses: cannot happen, the text parsed
    /// before).
    fn with_full_block<T>(&self, at: At, f: impl FnOnce(&Block) -> T) -> Option<T> {
        use hcl::edit::Span as _;
        let file = self.module.files.get(at.file)?;
        let stub = file.body.get(at.idx)?.as_block()?;
        if file.stubbed.is_empty() || stub.ident.as_str() != "resource" {
            return Some(f(stub));
        }
        let start = stub.span()?.start;
        let ri = file.stubbed.partition_point(|r| r.end <= start);
        let range = file.stubbed.get(ri)?;
        let body = self.range_body(at.file, ri, range)?;
        let b = body
            .blocks()
            .find(|b| b.span().is_some_and(|s| s.start + range.start == start))?;
        Some(f(b))
    }

    /// The tree of range `ri` of file `fi` (a stubbed file), parsed alone; the last few are
    /// kept (resources mostly refer to their neighbours).
    fn range_body(
        &self,
        fi: usize,
        ri: usize,
        range: &std::ops::Range<usize>,
    ) -> Option<Rc<hcl::edit::structure::Body>> {
        let hit = self
            .ranges
            .borrow()
            .iter()
            .find(|(f, r, _)| *f == fi && *r == ri)
            .map(|(_, _, b)| b.clone());
        if let Some(b) = hit {
            return Some(b);
        }
        let file = self.module.files.get(fi)?;
        let text = self.ctx.sources.get(file.file)?.text.clone();
        let body = Rc::new(super::parse::parse_range(&text, range.clone())?);
        self.keep_range(fi, ri, body.clone());
        Some(body)
    }

    /// Keeps a parsed range for [`Instance::range_body`] (at most [`KEPT_RANGES`]).
    fn keep_range(&self, fi: usize, ri: usize, body: Rc<hcl::edit::structure::Body>) {
        let mut kept = self.ranges.borrow_mut();
        kept.retain(|(f, r, _)| !(*f == fi && *r == ri));
        kept.insert(0, (fi, ri, body));
        kept.truncate(KEPT_RANGES);
    }

    /// The module's directory as printed.
    pub fn display(&self) -> &str {
        &self.module.display
    }

    fn local_value(&self, name: &str) -> Option<VarVal> {
        let (at, key) = self.locals.get(name)?.clone();
        {
            let st = self.local_state.borrow();
            match st.get(name) {
                Some(Lazy::Done(v)) => return Some(v.clone()),
                Some(Lazy::Busy) => {
                    self.ctx.note(format!(
                        "{}: local `{name}` depends on itself (cycle); its value is Unknown",
                        self.module.display
                    ));
                    return Some((TVal::unknown(), None));
                }
                _ => {}
            }
        }
        self.local_state
            .borrow_mut()
            .insert(name.to_string(), Lazy::Busy);
        let (b, file) = self.block(at)?;
        let attr = b.body.get_attribute(&key)?;
        let mut value = self
            .ctx
            .deeper(|| eval(&attr.value, &View::new(self, &Binds::default())))
            .map_or_else(TVal::unknown, |e| e.value);
        if let TVal::Unknown(_) = value
            && let Some(Some((v, _))) = self
                .ctx
                .deeper(|| self.eval_resolving(&attr.value, &Binds::default()))
        {
            value = v;
        }
        let origin = Origin {
            span: span_of(&attr.value, file, Span::new(file, 0..0)),
            label: format!("local `{name}`"),
        };
        // A cycle found while evaluating makes the value Unknown but keeps it memoised.
        let v = (value, Some(origin));
        self.local_state
            .borrow_mut()
            .insert(name.to_string(), Lazy::Done(v.clone()));
        Some(v)
    }

    fn resource_value(&self, rtype: &str, name: &str) -> Option<TVal> {
        let k = (rtype.to_string(), name.to_string());
        let at = *self.resources.get(&k)?;
        match self.res_state.borrow().get(&k) {
            Some(Lazy::Done(v)) => return v.clone(),
            Some(Lazy::Busy) => return None,
            _ => {}
        }
        self.res_state.borrow_mut().insert(k.clone(), Lazy::Busy);
        let (b, file) = self.block(at)?;
        let base = format!("{}{rtype}.{name}", self.prefix);
        let v = self.ctx.deeper(|| {
            if !b.body.has_attribute("count") && !b.body.has_attribute("for_each") {
                return Some(TVal::Runtime(super::value::RuntimeRef::new(&base, rtype)));
            }
            let inst = self.plan_instances(b, &base, instances(b, file, self));
            if inst.unknown.is_some() {
                return None;
            }
            let mk = |suffix: &str| {
                TVal::Runtime(super::value::RuntimeRef::new(
                    format!("{base}{suffix}"),
                    rtype,
                ))
            };
            if b.body.has_attribute("count") {
                Some(TVal::List(
                    inst.items.iter().map(|(sfx, _)| mk(sfx)).collect(),
                ))
            } else {
                Some(TVal::Map(
                    inst.items
                        .iter()
                        .map(|(sfx, bi)| {
                            let key = bi
                                .each
                                .as_ref()
                                .and_then(|(k, _)| k.to_str_lossy())
                                .unwrap_or_default();
                            (key, mk(sfx))
                        })
                        .collect(),
                ))
            }
        });
        let v = v.flatten();
        self.res_state.borrow_mut().insert(k, Lazy::Done(v.clone()));
        v
    }

    fn call(&self, name: &str) -> Option<Rc<Call<'c, 's>>> {
        let at = *self.calls.get(name)?;
        match self.call_state.borrow().get(name) {
            Some(Lazy::Done(c)) => return c.clone(),
            Some(Lazy::Busy) => return None,
            _ => {}
        }
        self.call_state
            .borrow_mut()
            .insert(name.to_string(), Lazy::Busy);
        let c = self
            .ctx
            .deeper(|| self.load_call(name, at))
            .flatten()
            .map(Rc::new);
        self.call_state
            .borrow_mut()
            .insert(name.to_string(), Lazy::Done(c.clone()));
        c
    }

    fn load_call(&self, name: &str, at: At) -> Option<Call<'c, 's>> {
        let (b, file) = self.block(at)?;
        let src = b.body.get_attribute("source").and_then(|a| {
            eval(&a.value, &View::new(self, &Binds::default()))
                .value
                .as_str()
                .map(str::to_string)
        });
        let Some(src) = src else {
            self.ctx.note(format!(
                "{}: module `{name}` has no literal `source`; its outputs are Unknown",
                self.module.display
            ));
            return None;
        };
        let source_span = b
            .body
            .get_attribute("source")
            .map_or(Span::new(file, 0..0), |a| {
                span_of(a, file, Span::new(file, 0..0))
            });
        let mut foreign = self.foreign;
        let (dir, display) = if src.starts_with("./") || src.starts_with("../") {
            let dir = self.module.dir.join(&src);
            if !self.confined(name, &src, &dir, source_span) {
                return None;
            }
            if !dir.is_dir() {
                self.ctx.note(format!(
                    "{}: module `{name}` source `{src}` does not exist; its outputs are Unknown",
                    self.module.display
                ));
                return None;
            }
            let display = normalize_display(&format!("{}/{src}", self.module.display));
            (dir, display)
        } else {
            let mut key = self.call_path.clone();
            key.push(name.to_string());
            let key = key.join(".");
            let found = self
                .ctx
                .vendored
                .borrow()
                .iter()
                .find(|v| v.key == key && v.dir.is_dir())
                .map(|v| (v.dir.clone(), v.shown.clone(), v.version.clone()));
            match found {
                Some((d, shown, installed)) => {
                    if !self.confined(name, &src, &d, source_span) {
                        return None;
                    }
                    foreign = true;
                    self.check_version(b, name, &src, installed.as_deref());
                    (d, shown)
                }
                None => {
                    self.ctx
                        .not_followed
                        .borrow_mut()
                        .insert((self.module.display.clone(), name.to_string()));
                    self.ctx.note(format!(
                        "{}: module `{name}` comes from `{src}` (not a local path, not vendored by `terraform init`); its outputs are Unknown",
                        self.module.display
                    ));
                    return None;
                }
            }
        };
        let c = canon(self.ctx.sources, &dir);
        if self.stack.contains(&c) {
            self.ctx.note(format!(
                "{}: module `{name}` calls a module that is already being loaded (recursion); not followed",
                self.module.display
            ));
            return None;
        }
        if self.stack.len() > MAX_MODULE_DEPTH {
            self.ctx.note(format!(
                "{}: module `{name}` nests deeper than {MAX_MODULE_DEPTH} modules; not followed",
                self.module.display
            ));
            return None;
        }
        let m = self.ctx.module(&dir, &display);
        let insts = self.plan_instances(
            b,
            &format!("{}module.{name}", self.prefix),
            instances(b, file, self),
        );
        let mut out = Call {
            instances: Vec::new(),
        };
        let expanded = is_expanded(b);
        for (suffix, binds) in insts.items {
            if expanded && !self.ctx.take_instance() {
                break;
            }
            let key = binds
                .each
                .as_ref()
                .map(|(k, _)| k.clone())
                .or_else(|| binds.count.clone())
                .unwrap_or(TVal::Null);
            let mut inputs = HashMap::new();
            for a in b.body.attributes() {
                let k = a.key.as_str();
                if MODULE_META.contains(&k) {
                    continue;
                }
                let e = eval(&a.value, &View::new(self, &binds));
                let origin = Origin {
                    span: span_of(a, file, Span::new(file, 0..0)),
                    label: format!("module input `{k}`"),
                };
                inputs.insert(k.to_string(), (e.value, Some(origin)));
            }
            let mut stack = self.stack.clone();
            stack.push(c.clone());
            let prefix = format!("{}module.{name}{suffix}.", self.prefix);
            let mut child = Instance::new(self.ctx, m.clone(), prefix, stack, &inputs);
            child.maybe.set(self.maybe.get().or(insts.unknown));
            child.call_path = self.call_path.clone();
            child.call_path.push(name.to_string());
            child.foreign = foreign;
            self.ctx.frames.borrow_mut().push(super::frames::frame(
                b,
                file,
                child.prefix.clone(),
                name,
                &display,
                m.files.iter().map(|f| f.file).collect(),
                foreign,
            ));
            out.instances.push((key, Rc::new(child)));
        }
        Some(out)
    }

    /// The confinement rule for a module directory (a local `source`, or a directory of the
    /// `terraform init` manifest): false, with an AGW901 finding at `source`, when it resolves
    /// outside the scan root or to a system directory; its outputs are then Unknown.
    fn confined(&self, name: &str, src: &str, dir: &Path, at: Span) -> bool {
        match self.ctx.sources.confined_dir(dir) {
            Err(r) if r.is_confinement() => {
                let d = crate::frontend::refused(&format!("module `{name}` source"), src, &r, at);
                let mut f = self.ctx.findings.borrow_mut();
                if !f.contains(&d) {
                    f.push(d);
                }
                false
            }
            _ => true,
        }
    }

    fn output_value(&self, name: &str) -> Option<TVal> {
        let at = *self.outputs.get(name)?;
        match self.out_state.borrow().get(name) {
            Some(Lazy::Done(v)) => return v.clone(),
            Some(Lazy::Busy) => return None,
            _ => {}
        }
        self.out_state
            .borrow_mut()
            .insert(name.to_string(), Lazy::Busy);
        let block = self.block(at).map(|(b, _)| b);
        let v = block
            .and_then(|b| b.body.get_attribute("value"))
            .and_then(|a| {
                self.ctx
                    .deeper(|| eval(&a.value, &View::new(self, &Binds::default())).value)
            });
        if let (Some(b), Some(v)) = (block, &v)
            && is_sensitive(b)
        {
            tval_strings(v, &mut self.ctx.sensitive.borrow_mut());
        }
        self.out_state
            .borrow_mut()
            .insert(name.to_string(), Lazy::Done(v.clone()));
        v
    }

    fn module_output(&self, module: &str, output: &str) -> Option<TVal> {
        let (name, key) = split_module_key(module);
        let call = self.call(name)?;
        let inst = match key {
            None => call
                .instances
                .iter()
                .find(|(k, _)| k.is_null())
                .map(|(_, i)| i)?,
            Some(want) => call
                .instances
                .iter()
                .find(|(k, _)| key_suffix(k) == format!("[{want}]"))
                .map(|(_, i)| i)?,
        };
        inst.output_value(output)
    }

    /// Maps every resource instance of this module and its (local) module calls.
    pub fn map_into(&self, mapper: &mut Mapper) {
        let m = self.module.clone();
        // Room for this module's resources first: the model's collections would otherwise grow
        // by doubling (a 100,000-resource file left 127 MB of unused gateway and site slots).
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (_, b) in m.blocks() {
            if let ("resource", Some(t)) = (b.ident.as_str(), label(b, 0)) {
                *counts.entry(t).or_default() += 1;
            }
        }
        for (t, n) in counts {
            mapper.reserve(t, n);
        }
        for (fi, f) in m.files.iter().enumerate() {
            if f.stubbed.is_empty() {
                for b in f.body.blocks() {
                    if !self.map_resource(b, f.file.into(), mapper) {
                        return;
                    }
                }
            } else if !self.map_stubbed(fi, f, mapper) {
                return;
            }
        }
        let mut names: Vec<&String> = self.calls.keys().collect();
        names.sort();
        for n in names {
            if let Some(c) = self.call(n) {
                for (_, child) in &c.instances {
                    child.map_into(mapper);
                }
            } else {
                self.note_opaque_inputs(n, mapper);
            }
        }
    }

    /// Maps the instances of one block if it is a `resource`; false when expansion must stop
    /// (see [`Ctx::take_instance`]).
    fn map_resource(&self, b: &Block, file: super::parse::Src, mapper: &mut Mapper) -> bool {
        if b.ident.as_str() != "resource" {
            return true;
        }
        let (Some(t), Some(n)) = (label(b, 0), label(b, 1)) else {
            return true;
        };
        let base = format!("{}{t}.{n}", self.prefix);
        let insts = self.plan_instances(b, &base, instances(b, file, self));
        let condition = insts
            .unknown
            .or(self.maybe.get())
            .map_or_else(Val::absent, |sp| Val::unknown(Some(sp)));
        let expanded = is_expanded(b);
        for (suffix, binds) in insts.items {
            if expanded && !self.ctx.take_instance() {
                return false;
            }
            let address = format!("{base}{suffix}");
            let mut node = Node::top(b, file, binds, self);
            if let Some(plan) = &self.ctx.plan {
                node.plan = plan.resources.get(&address).map(|(v, sp)| {
                    (
                        v,
                        Rc::new(plan.origin(*sp, &format!("planned value of `{address}`"))),
                    )
                });
                self.ctx.addresses.borrow_mut().push(address.clone());
            }
            let ri = ResInst {
                rtype: t.to_string(),
                address,
                header: header_span(b, file),
                node,
                condition: condition.clone(),
            };
            mapper.add(&ri);
        }
        true
    }

    /// Maps the resources of a file whose resource blocks are stubs: each of its ranges is
    /// parsed again alone, its blocks mapped (spans read from the range's start) and its tree
    /// dropped before the next (see [`super::parse::ParsedFile::stubbed`]). A range that does
    /// not parse again, or not into the structures the stubs stand for, is taken from a whole
    /// parse of the file instead.
    fn map_stubbed(&self, fi: usize, f: &super::parse::ParsedFile, mapper: &mut Mapper) -> bool {
        use super::parse::Src;
        use hcl::edit::Span as _;
        let text = self.ctx.sources.get(f.file).map(|s| s.text.clone());
        let starts = |body: &hcl::edit::structure::Body, base: usize| {
            body.iter()
                .map(|st| st.span().map(|s| s.start + base))
                .collect::<Vec<_>>()
        };
        let mut whole: Option<hcl::edit::structure::Body> = None;
        // The stubs' starts, in order (the ranges are in order too).
        let stub_starts = starts(&f.body, 0);
        let mut next = 0;
        for (ri, r) in f.stubbed.iter().enumerate() {
            let from = next;
            while stub_starts
                .get(next)
                .is_some_and(|s| s.is_some_and(|s| s < r.end))
            {
                next += 1;
            }
            let in_range = &stub_starts[from..next];
            let piece = text
                .as_deref()
                .and_then(|t| super::parse::parse_range(t, r.clone()))
                .filter(|p| starts(p, r.start) == in_range);
            if let Some(p) = piece {
                // Resources read while mapping are mostly in this range.
                let p = Rc::new(p);
                self.keep_range(fi, ri, p.clone());
                let src = Src {
                    file: f.file,
                    base: r.start,
                };
                for b in p.blocks() {
                    if !self.map_resource(b, src, mapper) {
                        return false;
                    }
                }
                continue;
            }
            if whole.is_none() {
                match super::parse::parse_stored(f.file, self.ctx.sources) {
                    Ok(w) => whole = Some(w),
                    Err(e) => {
                        // Cannot happen (the text parsed before): said, not hidden.
                        self.ctx.findings.borrow_mut().push(*e);
                        return true;
                    }
                }
            }
            let Some(w) = &whole else {
                return true;
            };
            let blocks = w
                .blocks()
                .filter(|b| b.span().is_some_and(|s| r.contains(&s.start)));
            for b in blocks {
                if !self.map_resource(b, f.file.into(), mapper) {
                    return false;
                }
            }
        }
        true
    }

    /// A root directory without a `provider` block is a reusable module linted without its
    /// caller (Terraform needs the azurerm provider configured in the root). Its outputs go to
    /// that caller, which may attach resources to them (a diagnostic setting on
    /// `module.agw.id`): records the resources referenced by the outputs as opaque.
    pub fn note_exported_refs(&self, mapper: &mut Mapper) {
        let configures_provider = self
            .module
            .files
            .iter()
            .any(|f| f.body.blocks().any(|b| b.ident.as_str() == "provider"));
        if configures_provider {
            return;
        }
        let mut names: Vec<&String> = self.outputs.keys().collect();
        names.sort();
        for n in names {
            if let Some(v) = self.output_value(n) {
                let mut refs = Vec::new();
                collect_runtime_refs(&v, &mut refs, 0);
                for (rtype, address) in refs {
                    let key = ResourceKey::tf(self.ctx.unit, &rtype, &address);
                    if !mapper.model.opaque_refs.contains(&key) {
                        mapper.model.opaque_refs.push(key);
                    }
                }
            }
        }
    }

    /// A module call that is not followed (registry source not vendored, missing path) may
    /// create resources on what it is given, e.g. a diagnostic setting on
    /// `resource_id = azurerm_application_gateway.x.id`: records the resources referenced by its
    /// inputs as opaque.
    fn note_opaque_inputs(&self, name: &str, mapper: &mut Mapper) {
        let Some(&at) = self.calls.get(name) else {
            return;
        };
        let Some((b, _)) = self.block(at) else {
            return;
        };
        let unit = self.ctx.unit;
        for a in b.body.attributes() {
            if MODULE_META.contains(&a.key.as_str()) {
                continue;
            }
            let Some(v) = self
                .ctx
                .deeper(|| eval(&a.value, &View::new(self, &Binds::default())).value)
            else {
                continue;
            };
            let mut refs = Vec::new();
            collect_runtime_refs(&v, &mut refs, 0);
            for (rtype, address) in refs {
                let key = ResourceKey::tf(unit, &rtype, &address);
                if !mapper.model.opaque_refs.contains(&key) {
                    mapper.model.opaque_refs.push(key);
                }
            }
        }
    }

    /// The attributes of a resource (without `count`/`for_each`) that evaluate to wholly Known
    /// values: `name`, `location`... A map, memoised; `None` when the resource is not declared
    /// here or has several instances.
    fn literal_attrs(&self, rtype: &str, name: &str) -> Option<TVal> {
        let k = (rtype.to_string(), name.to_string());
        let at = *self.resources.get(&k)?;
        match self.lit_state.borrow().get(&k) {
            Some(Lazy::Done(v)) => return v.clone(),
            Some(Lazy::Busy) => return None,
            None => {}
        }
        self.lit_state.borrow_mut().insert(k.clone(), Lazy::Busy);
        let v = self.with_full_block(at, |b| {
            if b.body.has_attribute("count") || b.body.has_attribute("for_each") {
                return None;
            }
            let mut out = Vec::new();
            for a in b.body.attributes() {
                let key = a.key.as_str();
                if matches!(key, "depends_on" | "provider") {
                    continue;
                }
                let v = self
                    .ctx
                    .deeper(|| eval(&a.value, &View::new(self, &Binds::default())).value)?;
                if v.is_wholly_known() {
                    out.push((key.to_string(), v));
                }
            }
            Some(TVal::Map(out))
        });
        let v = v.flatten();
        self.lit_state.borrow_mut().insert(k, Lazy::Done(v.clone()));
        v
    }

    /// The directory (canonical).
    pub fn canon(&self) -> &Path {
        &self.canon
    }

    /// Where the source's `count` / `for_each` is Unknown, the instances the plan made (keys
    /// from the plan's addresses; `each.value` stays Unknown).
    fn plan_instances(
        &self,
        b: &Block,
        base: &str,
        insts: super::expand::Instances,
    ) -> super::expand::Instances {
        if insts.unknown.is_none() {
            return insts;
        }
        let Some(keys) = self.ctx.plan.as_ref().and_then(|p| p.instance_keys(base)) else {
            return insts;
        };
        let is_count = b.body.has_attribute("count");
        let items = keys
            .into_iter()
            .map(|k| {
                let binds = if is_count {
                    Binds {
                        count: Some(k.clone()),
                        ..Binds::default()
                    }
                } else {
                    Binds {
                        each: Some((k.clone(), TVal::unknown())),
                        ..Binds::default()
                    }
                };
                (key_suffix(&k), binds)
            })
            .collect();
        super::expand::Instances {
            items,
            unknown: None,
        }
    }

    /// Warns (once) when the version `terraform init` installed does not satisfy the call's
    /// `version` constraint: `.terraform` is stale and the module code linted is old.
    fn check_version(&self, b: &Block, name: &str, src: &str, installed: Option<&str>) {
        let Some(installed) = installed else { return };
        let Some(Expression::String(c)) = b.body.get_attribute("version").map(|a| &a.value) else {
            return;
        };
        if super::semver::satisfies(installed, c.as_str()) == Some(false) {
            let w = format!(
                "{}: module `{name}` ({src}) asks for version `{}` but .terraform has {installed}; run `terraform init -upgrade` (agwlint lints the installed, older code)",
                self.module.display,
                c.as_str()
            );
            let mut ws = self.ctx.warnings.borrow_mut();
            if !ws.contains(&w) {
                ws.push(w);
            }
        }
    }

    /// A data source read at plan time: its values in the plan.
    fn plan_data(&self, rtype: &str, name: &str) -> Option<TVal> {
        let plan = self.ctx.plan.as_ref()?;
        plan.data_source(&format!("{}data.{rtype}.{name}", self.prefix))
    }
}

/// True for a block with `count` or `for_each`: its instances count towards
/// [`MAX_UNIT_INSTANCES`] (plain blocks are bounded by the size of the files).
fn is_expanded(b: &hcl::edit::structure::Block) -> bool {
    b.body.has_attribute("count") || b.body.has_attribute("for_each")
}

/// `m` → (`m`, None); `m[0]` → (`m`, Some("0")); `m["k"]` → (`m`, Some("\"k\"")).
fn split_module_key(s: &str) -> (&str, Option<&str>) {
    match s.find('[') {
        Some(i) if s.ends_with(']') => (&s[..i], Some(&s[i + 1..s.len() - 1])),
        _ => (s, None),
    }
}

/// The default of a `variable` block: its value with the origin "default of variable `x`";
/// Unknown when there is no default.
fn variable_default(b: &Block, file: FileId, name: &str) -> VarVal {
    match b.body.get_attribute("default") {
        Some(a) => {
            let e = eval(&a.value, &Empty);
            let origin = Origin {
                span: span_of(&a.value, file, Span::new(file, 0..0)),
                label: format!("default of variable `{name}`"),
            };
            (e.value, Some(origin))
        }
        None => (
            TVal::Unknown(crate::model::Partial::because(crate::model::Why::new(
                format!(
                    "variable `{name}` has no default value and no value from a var file or --var"
                ),
                Some(super::parse::header_span(b, file)),
            ))),
            None,
        ),
    }
}

/// A scope with nothing in it (variable defaults, tfvars).
pub use super::eval::EmptyScope as Empty;

/// A scope that reads resources as their literal attributes (see `eval_resolving`).
struct Resolving<'r, 'v, 'c, 's> {
    view: &'r View<'v, 'c, 's>,
}

impl Scope for Resolving<'_, '_, '_, '_> {
    fn var(&self, name: &str) -> Option<VarVal> {
        self.view.var(name)
    }
    fn data(&self, rtype: &str, name: &str) -> Option<TVal> {
        self.view.data(rtype, name)
    }
    fn local(&self, name: &str) -> Option<VarVal> {
        self.view.local(name)
    }
    fn module_output(&self, module: &str, output: &str) -> Option<TVal> {
        self.view.module_output(module, output)
    }
    fn resource(&self, rtype: &str, name: &str) -> Option<TVal> {
        self.view.inst.literal_attrs(rtype, name)
    }
    fn iterator(&self, name: &str) -> Option<TVal> {
        self.view.iterator(name)
    }
    fn path_value(&self, name: &str) -> Option<TVal> {
        self.view.path_value(name)
    }
}

/// The resource references of an expression: `(type, name, attribute)` of every traversal
/// rooted at a resource declared in the module. `ok` is false when the expression uses a
/// resource other than as `type.name.attribute`, or uses `try`/`can` (which would turn a
/// missing computed attribute into a fallback).
struct ResourceRefs<'i, 'c, 's> {
    inst: &'i Instance<'c, 's>,
    refs: Vec<(String, String, String)>,
    ok: bool,
}

impl hcl::edit::visit::Visit for ResourceRefs<'_, '_, '_> {
    fn visit_func_call(&mut self, f: &hcl::edit::expr::FuncCall) {
        if matches!(f.name.name.as_str(), "try" | "can" | "lookup") {
            self.ok = false;
        }
        hcl::edit::visit::visit_func_call(self, f);
    }

    fn visit_ident(&mut self, id: &hcl::edit::Decorated<hcl::edit::Ident>) {
        // A bare resource type outside a traversal (`length(azurerm_x)` is not HCL, but a
        // for-expression could bind the name): be safe.
        if self.inst.resources.keys().any(|(t, _)| t == id.as_str()) {
            self.ok = false;
        }
    }

    fn visit_traversal(&mut self, t: &hcl::edit::expr::Traversal) {
        use hcl::edit::expr::{Expression as E, TraversalOperator as Op};
        if let E::Variable(root) = &t.expr
            && self
                .inst
                .resources
                .keys()
                .any(|(ty, _)| ty == root.as_str())
        {
            let ops: Vec<&Op> = t.operators.iter().map(|o| o.value()).collect();
            match ops.as_slice() {
                [Op::GetAttr(n), Op::GetAttr(a), ..] => self.refs.push((
                    root.as_str().to_string(),
                    n.as_str().to_string(),
                    a.as_str().to_string(),
                )),
                _ => self.ok = false,
            }
            for op in &t.operators {
                if let Op::Index(e) = op.value() {
                    hcl::edit::visit::Visit::visit_expr(self, e);
                }
            }
            return;
        }
        hcl::edit::visit::visit_traversal(self, t);
    }
}

/// An instance seen with some bindings.
struct View<'v, 'c, 's> {
    inst: &'v Instance<'c, 's>,
    binds: &'v Binds,
}

impl<'v, 'c, 's> View<'v, 'c, 's> {
    fn new(inst: &'v Instance<'c, 's>, binds: &'v Binds) -> Self {
        View { inst, binds }
    }
}

impl Scope for View<'_, '_, '_> {
    fn var(&self, name: &str) -> Option<VarVal> {
        self.inst.vars.get(name).cloned()
    }
    fn data(&self, rtype: &str, name: &str) -> Option<TVal> {
        self.inst.plan_data(rtype, name)
    }
    fn local(&self, name: &str) -> Option<VarVal> {
        self.inst.local_value(name)
    }
    fn module_output(&self, module: &str, output: &str) -> Option<TVal> {
        self.inst.module_output(module, output)
    }
    fn resource(&self, rtype: &str, name: &str) -> Option<TVal> {
        self.inst.resource_value(rtype, name)
    }
    fn iterator(&self, name: &str) -> Option<TVal> {
        let kv = |k: &TVal, v: &TVal| {
            TVal::Map(vec![("key".into(), k.clone()), ("value".into(), v.clone())])
        };
        if let Some((k, v)) = self.binds.iterator(name) {
            return Some(kv(k, v));
        }
        match name {
            "each" => self.binds.each.as_ref().map(|(k, v)| kv(k, v)),
            "count" => self
                .binds
                .count
                .as_ref()
                .map(|i| TVal::Map(vec![("index".into(), i.clone())])),
            _ => None,
        }
    }
    fn path_value(&self, name: &str) -> Option<TVal> {
        match name {
            "module" => Some(TVal::Str(self.inst.module.display.clone())),
            _ => None,
        }
    }
}

impl Evaluator for Instance<'_, '_> {
    fn eval_expr(&self, expr: &Expression, binds: &Binds) -> (TVal, Vec<Origin>) {
        let e = eval(expr, &View::new(self, binds));
        (e.value, e.origins)
    }

    fn eval_resolving(&self, expr: &Expression, binds: &Binds) -> Option<(TVal, Vec<Origin>)> {
        let mut refs = ResourceRefs {
            inst: self,
            refs: Vec::new(),
            ok: true,
        };
        hcl::edit::visit::Visit::visit_expr(&mut refs, expr);
        if !refs.ok || refs.refs.is_empty() {
            return None;
        }
        // Every reference must read a literal attribute of a single-instance resource.
        for (t, n, attr) in &refs.refs {
            let lits = self.literal_attrs(t, n)?;
            lits.get(attr.as_str())?;
        }
        let view = View::new(self, binds);
        let e = eval(expr, &Resolving { view: &view });
        e.value.is_wholly_known().then_some((e.value, e.origins))
    }
    fn unit(&self) -> UnitId {
        self.ctx.unit
    }

    fn definition(&self, root: &str, name: &str) -> Option<super::expand::Def<'_>> {
        match root {
            "local" => {
                let (at, key) = self.locals.get(name)?;
                let (b, _) = self.block(*at)?;
                Some(super::expand::Def::Local(&b.body.get_attribute(key)?.value))
            }
            "var" => self.module.files.iter().find_map(|f| {
                f.body.blocks().find_map(|b| {
                    (b.ident.as_str() == "variable" && label(b, 0) == Some(name)).then(|| {
                        super::expand::Def::VarType(b.body.get_attribute("type").map(|a| &a.value))
                    })
                })
            }),
            _ => None,
        }
    }
}

/// Depth bound for walking evaluated values (they are finite, but may be deep).
const MAX_REF_DEPTH: usize = 64;

/// The `(type, address)` of every resource reference inside `v`.
fn collect_runtime_refs(v: &TVal, out: &mut Vec<(String, String)>, depth: usize) {
    if depth > MAX_REF_DEPTH {
        return;
    }
    match v {
        TVal::Runtime(r) => out.push((r.rtype.clone(), r.address.clone())),
        TVal::List(items) => {
            for i in items {
                collect_runtime_refs(i, out, depth + 1);
            }
        }
        TVal::Map(kv) => {
            for (_, i) in kv {
                collect_runtime_refs(i, out, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    #[test]
    fn evicted_modules_are_reparsed_from_the_source_map() {
        let dir = std::env::temp_dir().join(format!("agwlint-evict-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.tf"), "resource \"a\" \"b\" {\n  x = 1\n}\n").unwrap();
        std::fs::write(dir.join("bad.tf"), "resource {\n").unwrap();
        let sources = SourceMap::new();
        let cache = ModuleCache::new(&sources);
        let c = canon(&sources, &dir);
        let first = cache.get(&c, &dir, "m");
        let files = sources.len();
        assert_eq!(first.files.len(), 1);
        assert_eq!(first.findings.len(), 1, "bad.tf is an AGW000 finding");
        cache.evict(&c);
        // Deleting the files proves the second parse does not read the disk.
        std::fs::remove_dir_all(&dir).unwrap();
        let again = cache.get(&c, &dir, "m");
        assert!(!Arc::ptr_eq(&first, &again));
        assert_eq!(sources.len(), files, "no file added twice");
        assert_eq!(again.files.len(), 1);
        assert_eq!(again.files[0].file, first.files[0].file);
        assert_eq!(again.blocks().count(), 1);
        assert_eq!(again.findings, first.findings);
        assert_eq!(again.files_read, 2);
    }
}
