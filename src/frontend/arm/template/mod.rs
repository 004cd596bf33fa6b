//! Template evaluation: parameters (defaults, parameter files), variables (lazily, with cycle
//! detection), resources in array and symbolic-name form, `copy` loops, `condition`, child
//! and extension resources, nested deployments (inline, `relativePath` links) and their
//! outputs. Each evaluated resource ([`EvRes`]) goes to the [`Mapper`] as soon as it exists.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use super::expr;
use super::ids::{parse_id, parse_type_and_names};
use super::json::{JKind, JNode, JStr, JsonDoc};
use super::map::{EvRes, Mapper};
use super::tree::{Ev, EvKind, from_aval, s, to_aval};
use super::value::{AVal, MAX_VALUE_BYTES, size_capped};
use crate::frontend::Diagnostic;
use crate::model::{Lattice, Origin, Partial, Ref, ResourceKey, UnitId, Val, Why};
use crate::source::{FileId, SourceMap, Span};

mod deploy;
mod scope;

pub use deploy::{BICEP_MODULE, display_join};
pub use scope::Enclosing;

/// Deepest chain of nested deployments followed.
pub const MAX_NESTING: usize = 16;
/// Most instances one `copy` loop expands to (ARM's own limit).
pub const MAX_COPY: i64 = 800;
/// Most resource instances evaluated per unit (bounds pathological loops of loops).
pub const MAX_INSTANCES: usize = 20_000;
/// Most property `copy` elements evaluated per unit (800 resources × 800 copied properties
/// would otherwise take minutes and gigabytes); past it a property copy is Unknown.
pub const MAX_COPY_ELEMENTS: usize = 100_000;
/// Deepest chain of variables / parameters evaluated through each other.
const MAX_VAR_DEPTH: usize = 64;
/// Longest chain of modules expanded on demand by `reference()` to their outputs.
const MAX_LAZY_DEPTH: usize = 24;
/// Deepest JSON nesting walked (the parser refuses deeper input anyway).
const MAX_NODE_DEPTH: usize = 300;
/// Largest linked template read.
const MAX_LINKED_BYTES: u64 = 64 * 1024 * 1024;

/// State shared by every template of one unit.
pub struct Loader<'a> {
    /// The unit.
    pub unit: UnitId,
    /// The scan's source map.
    pub sources: &'a SourceMap,
    /// Resources found so far, mapped as they come.
    pub mapper: RefCell<Mapper>,
    /// AGW000 findings (linked templates that do not parse).
    pub findings: RefCell<Vec<Diagnostic>>,
    /// Notes for `--verbose`.
    pub notes: RefCell<Vec<String>>,
    /// Files read besides the root template.
    pub files: Cell<usize>,
    /// Linked templates loaded (canonical paths).
    pub linked: RefCell<Vec<PathBuf>>,
    /// Set by a deployment whose template could not be followed.
    opaque: Cell<bool>,
    /// Variables / parameters being evaluated through each other, across nested templates.
    var_depth: Cell<usize>,
    /// Resources being expanded on demand (a `reference()` to a module not yet expanded).
    lazy_depth: Cell<usize>,
    /// Template scopes created so far (names the scope in placeholder keys).
    serials: Cell<usize>,
    /// Linked templates read so far (a deployment in a loop reads its file once).
    linked_docs: RefCell<HashMap<PathBuf, Option<Rc<LinkedDoc>>>>,
    instances: Cell<usize>,
    /// Property `copy` elements evaluated so far (bounded by [`MAX_COPY_ELEMENTS`]).
    copy_elements: Cell<usize>,
    /// Values of `secureString` / `secureObject` parameters (string leaves), for
    /// [`crate::model::Model::sensitive`].
    pub sensitive: RefCell<Vec<String>>,
    /// Parameter values from outside apply to the root template (a parameter file, a
    /// `.bicepparam` file or `--parameters`): the deployment is defined, so a `null` default
    /// is the value it deploys with. Without them a `null` default is an input its deployment
    /// supplies (Unknown).
    pub deployment_values: Cell<bool>,
    /// Bicep registry modules found in the restore cache, by the span of the `templateLink`
    /// the lowering wrote for their `module` declaration (only the lowering fills it, so no
    /// template text can name a file through it).
    pub bicep_registry: RefCell<HashMap<Span, Rc<crate::frontend::bicep::registry::Cached>>>,
    /// Frames of the registry modules read from the cache: findings there move to the
    /// user's `module` declaration ([`crate::relocate`]).
    pub frames: RefCell<Vec<crate::model::ModuleFrame>>,
}

impl<'a> Loader<'a> {
    /// A loader for one unit.
    pub fn new(unit: UnitId, sources: &'a SourceMap) -> Self {
        Loader {
            unit,
            sources,
            mapper: RefCell::new(Mapper::new(unit)),
            findings: RefCell::new(Vec::new()),
            notes: RefCell::new(Vec::new()),
            files: Cell::new(0),
            linked: RefCell::new(Vec::new()),
            opaque: Cell::new(false),
            var_depth: Cell::new(0),
            lazy_depth: Cell::new(0),
            serials: Cell::new(0),
            linked_docs: RefCell::new(HashMap::new()),
            instances: Cell::new(0),
            copy_elements: Cell::new(0),
            bicep_registry: RefCell::new(HashMap::new()),
            frames: RefCell::new(Vec::new()),
            sensitive: RefCell::new(Vec::new()),
            deployment_values: Cell::new(false),
        }
    }

    fn note(&self, n: String) {
        self.notes.borrow_mut().push(n);
    }
}

/// A linked template: its parsed text, file and directory.
pub type LinkedDoc = (JsonDoc, FileId, PathBuf);

/// A parameter's value and origin.
type PVal = (AVal, Option<Origin>);

enum Slot<'d> {
    Pending(&'d JNode),
    /// A `copy` variable: `{name, count, input}`.
    PendingCopy(&'d JNode),
    InProgress,
    Done(PVal),
}

/// The state of a declared resource.
#[derive(Debug, Clone)]
enum DeclState {
    NotExpanded,
    InProgress,
    /// Expanded; for deployments, the `outputs` object (Unknown when not knowable).
    Done(AVal),
}

/// A resource taken out of a root template's tree: its symbolic name (in a
/// `languageVersion` 2.0 template) and its JSON ([`take_resources`]).
pub type OwnedResource = (Option<String>, JNode);

/// A declared resource's JSON: borrowed from the template, or owned by the scope
/// ([`Tpl::own_resources`]) and dropped once the resource is expanded.
enum DeclNode<'d> {
    Borrowed(&'d JNode),
    Owned(Rc<JNode>),
    Dropped,
}

/// A resource as declared (before expansion), for `reference()` / `resourceInfo()`.
struct Decl<'d> {
    node: DeclNode<'d>,
    symbol: Option<String>,
    /// The written `apiVersion` of a resource with a symbolic name (for `resourceInfo()`,
    /// which may ask after the node is dropped).
    api_version: Option<String>,
    rtype: String,
    /// Full name; Unknown when computed from something unknown (or from `copyIndex()`).
    name: AVal,
    existing: bool,
    has_copy: bool,
    /// The name expression, normalised (see `scope::normalize`), when the name is computed.
    name_expr: Option<String>,
    /// Where the name is written (placeholder keys for names that are Unknown).
    name_start: u32,
    state: RefCell<DeclState>,
}

/// Whose parameters and variables a template's expressions see.
pub struct Tpl<'d, 'a> {
    loader: &'d Loader<'a>,
    root: &'d JNode,
    file: FileId,
    dir: PathBuf,
    depth: usize,
    /// `expressionEvaluationOptions.scope: outer`: parameters and variables are the parent's.
    outer: Option<&'d dyn Enclosing>,
    /// The enclosing template (for references to its resources).
    parent: Option<&'d dyn Enclosing>,
    params: RefCell<HashMap<String, Slot<'d>>>,
    vars: RefCell<HashMap<String, Slot<'d>>>,
    copy: RefCell<Vec<(String, Option<i64>)>>,
    decls: RefCell<Vec<Decl<'d>>>,
    /// The resources taken out of the root ([`Tpl::own_resources`]), until declared.
    owned: RefCell<Option<Vec<OwnedResource>>>,
    /// Deployed under an Unknown condition (a nested deployment's own condition).
    cond_unknown: bool,
    symbolic: bool,
    /// This scope's number in the unit.
    serial: usize,
    /// The expressions being evaluated and where they are written, innermost last (for
    /// `reference()` by name text, and the reasons of Unknown values).
    cur_expr: RefCell<Vec<(JStr, Span)>>,
    /// The canonical path of this template's file, once asked for
    /// ([`scope::Enclosing::chain_has`]: each linked deployment asked every template of its
    /// chain, resolving each path again, 3 % of a scan of the shared corpus).
    canon: std::cell::OnceCell<Option<PathBuf>>,
}

/// Whether a parameter declaration is `nullable`, directly or through a `$ref` to
/// `#/definitions/<name>` (one level, as Bicep emits for user-defined types).
fn is_nullable(root: &JNode, decl: &JNode) -> bool {
    if decl.get("nullable").and_then(JNode::as_bool) == Some(true) {
        return true;
    }
    let Some(r) = decl.get("$ref").and_then(JNode::as_str) else {
        return false;
    };
    let Some(name) = r.strip_prefix("#/definitions/") else {
        return false;
    };
    root.get("definitions")
        .and_then(|d| d.get(name))
        .and_then(|t| t.get("nullable"))
        .and_then(JNode::as_bool)
        == Some(true)
}

/// A `secureString` / `secureObject` parameter declaration (types are case-insensitive).
fn is_secure(decl: &JNode) -> bool {
    decl.get("type").and_then(JNode::as_str).is_some_and(|t| {
        t.eq_ignore_ascii_case("securestring") || t.eq_ignore_ascii_case("secureobject")
    })
}

/// Every string leaf of a value (keys of objects are names, not secrets).
fn aval_strings(v: &AVal, out: &mut Vec<String>) {
    match v {
        AVal::Str(s) => out.push(s.clone()),
        AVal::Array(items) => items.iter().for_each(|i| aval_strings(i, out)),
        AVal::Object(props) => props.iter().for_each(|(_, i)| aval_strings(i, out)),
        // The literal text around an Unknown value is the template's, not the secret.
        _ => {}
    }
}

/// Every literal string leaf of a JSON node (not expressions: their text is the template's).
fn jnode_strings(n: &JNode, out: &mut Vec<String>) {
    if let Some(s) = n.as_str() {
        if !expr::is_expression(s) {
            out.push(s.to_string());
        }
    } else if let Some(items) = n.as_array() {
        items.iter().for_each(|i| jnode_strings(i, out));
    } else if let Some(props) = n.as_object() {
        props.iter().for_each(|p| jnode_strings(&p.value, out));
    }
}

/// The Unknown value of a root template's parameter whose default is `null` (see
/// [`Loader::deployment_values`]).
fn open_null_input(name: &str, at: Span) -> PVal {
    (
        AVal::Unknown(Box::new(Partial::because(Why::new(
            format!(
                "parameter `{name}` defaults to null and no parameter file sets it: its deployment supplies it"
            ),
            Some(at),
        )))),
        None,
    )
}

/// Origin label for parameter values.
fn origin(span: Span, label: String) -> Option<Origin> {
    Some(Origin { span, label })
}

impl<'d, 'a> Tpl<'d, 'a> {
    /// A template scope. `supplied` are the parameter values given from outside (parameter
    /// file, or a parent deployment's `parameters`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        loader: &'d Loader<'a>,
        root: &'d JNode,
        file: FileId,
        dir: PathBuf,
        depth: usize,
        supplied: HashMap<String, PVal>,
        outer: Option<&'d dyn Enclosing>,
        parent: Option<&'d dyn Enclosing>,
        cond_unknown: bool,
    ) -> Self {
        let mut params = HashMap::new();
        if outer.is_none()
            && let Some(ps) = root.get("parameters").and_then(JNode::as_object)
        {
            for p in ps {
                let key = p.key.to_ascii_lowercase();
                if is_secure(&p.value) {
                    let mut out = loader.sensitive.borrow_mut();
                    if let Some((v, _)) = supplied.get(&key) {
                        aval_strings(v, &mut out);
                    }
                    if let Some(d) = p.value.get("defaultValue") {
                        jnode_strings(d, &mut out);
                    }
                }
                // A root template deployed without parameter values from outside: a `null`
                // default (or an omitted nullable parameter) is the "optional input" idiom, a
                // value its deployment supplies, not the absent value `null` would give.
                let open_null = depth == 0 && parent.is_none() && !loader.deployment_values.get();
                let slot = match supplied.get(&key) {
                    Some(v) => Slot::Done(v.clone()),
                    None => match p.value.get("defaultValue") {
                        Some(d) if open_null && d.is_null() => {
                            Slot::Done(open_null_input(&p.key, p.key_span))
                        }
                        Some(d) => Slot::Pending(d),
                        None if open_null && is_nullable(root, &p.value) => {
                            Slot::Done(open_null_input(&p.key, p.key_span))
                        }
                        // An omitted nullable parameter (Bicep `param x T?`) is null, just
                        // as an omitted parameter with a default takes its default.
                        None if is_nullable(root, &p.value) => Slot::Done((
                            AVal::Null,
                            origin(
                                p.value.span,
                                format!("nullable parameter `{}` left out (null)", p.key),
                            ),
                        )),
                        None => Slot::Done((
                            AVal::Unknown(Box::new(Partial::because(Why::new(
                                format!(
                                    "parameter `{}` has no default value and no value from a parameter file",
                                    p.key
                                ),
                                Some(p.key_span),
                            )))),
                            None,
                        )),
                    },
                };
                params.insert(key, slot);
            }
        }
        let mut vars = HashMap::new();
        if outer.is_none()
            && let Some(vs) = root.get("variables").and_then(JNode::as_object)
        {
            for v in vs {
                if v.key.eq_ignore_ascii_case("copy") {
                    for c in v.value.as_array().unwrap_or_default() {
                        if let Some(n) = c.get("name").and_then(JNode::as_str) {
                            vars.insert(n.to_ascii_lowercase(), Slot::PendingCopy(c));
                        }
                    }
                } else {
                    vars.insert(v.key.to_ascii_lowercase(), Slot::Pending(&v.value));
                }
            }
        }
        let symbolic = root
            .get("languageVersion")
            .and_then(JNode::as_str)
            .is_some_and(|v| !v.starts_with('1'));
        let serial = loader.serials.get();
        loader.serials.set(serial + 1);
        Tpl {
            serial,
            cur_expr: RefCell::new(Vec::new()),
            canon: std::cell::OnceCell::new(),
            loader,
            root,
            file,
            dir,
            depth,
            outer,
            parent,
            params: RefCell::new(params),
            vars: RefCell::new(vars),
            copy: RefCell::new(Vec::new()),
            decls: RefCell::new(Vec::new()),
            owned: RefCell::new(None),
            cond_unknown,
            symbolic: symbolic
                || matches!(
                    root.get("resources").map(|r| &r.kind),
                    Some(JKind::Object(_))
                ),
        }
    }

    // ----- evaluation of JSON nodes -------------------------------------------------------

    /// Evaluates a JSON value: expressions, property `copy` loops, literals.
    pub fn eval(&self, node: &JNode) -> Ev {
        self.eval_at(node, 0)
    }

    fn eval_at(&self, node: &JNode, depth: usize) -> Ev {
        if depth > MAX_NODE_DEPTH || crate::frontend::deadline::expired() {
            return Ev::unknown(node.span);
        }
        let kind = match &node.kind {
            JKind::Null => EvKind::Null,
            JKind::Bool(b) => EvKind::Bool(*b),
            JKind::Number(_) => match node.as_i64() {
                Some(i) => EvKind::Int(i),
                None => EvKind::Unknown(Box::default()),
            },
            JKind::Str(text) => return self.eval_str(text, node.span),
            JKind::Array(items) => {
                EvKind::Arr(items.iter().map(|e| self.eval_at(e, depth + 1)).collect())
            }
            JKind::Object(props) => {
                let mut out = Vec::with_capacity(props.len());
                for p in props {
                    if p.key.eq_ignore_ascii_case("copy")
                        && let Some(loops) = p.value.as_array()
                        && loops.iter().all(|l| l.get("input").is_some())
                    {
                        for l in loops {
                            let (name, items) = self.property_copy(l, depth);
                            out.push((name.into(), items));
                        }
                        continue;
                    }
                    out.push(((&p.key).into(), self.eval_at(&p.value, depth + 1)));
                }
                EvKind::Obj(out)
            }
        };
        Ev::new(node.span, kind)
    }

    fn eval_str(&self, text: &JStr, span: Span) -> Ev {
        if !text.starts_with('[') {
            return Ev::new(span, EvKind::Str(text.into()));
        }
        // The text is shared with the tree (no copy per evaluation).
        self.cur_expr.borrow_mut().push((text.clone(), span));
        let result = expr::evaluate(text, self);
        self.cur_expr.borrow_mut().pop();
        match result {
            Ok(e) => from_aval(e.value, span, e.origins),
            Err(err) => {
                self.loader.note(format!(
                    "{}: expression not evaluated ({}), treated as unknown",
                    self.loader.sources.path(span.file),
                    err.message
                ));
                let why = Why::new(
                    format!("expression not evaluated: {}", err.message),
                    Some(span),
                );
                Ev::new(span, EvKind::Unknown(Box::new(Partial::because(why))))
            }
        }
    }

    /// Evaluates a value with `copyIndex(loop)` bound to `index` (None = Unknown).
    fn with_copy<T>(&self, name: &str, index: Option<i64>, f: impl FnOnce() -> T) -> T {
        self.copy
            .borrow_mut()
            .push((name.to_ascii_lowercase(), index));
        let r = f();
        self.copy.borrow_mut().pop();
        r
    }

    /// A loop count: `Some(n)` when Known (clamped), `None` when Unknown.
    fn count(&self, node: Option<&JNode>) -> Option<i64> {
        let n = node?;
        match to_aval(&self.eval(n)) {
            AVal::Int(i) => Some(i.clamp(0, MAX_COPY)),
            AVal::Str(t) => t.trim().parse::<i64>().ok().map(|i| i.clamp(0, MAX_COPY)),
            _ => None,
        }
    }

    /// A property `copy` element: `(name, array)`.
    fn property_copy(&self, l: &JNode, depth: usize) -> (String, Ev) {
        let name = l
            .get("name")
            .map(|n| s(Some(&self.eval(n))).get().cloned().unwrap_or_default())
            .unwrap_or_default();
        let Some(input) = l.get("input") else {
            return (name, Ev::unknown(l.span));
        };
        match self.count(l.get("count")) {
            Some(n) => {
                let l2 = self.loader;
                let used = l2.copy_elements.get();
                let n_elems = usize::try_from(n).unwrap_or(usize::MAX);
                if used.saturating_add(n_elems) > MAX_COPY_ELEMENTS {
                    if used <= MAX_COPY_ELEMENTS {
                        l2.copy_elements.set(MAX_COPY_ELEMENTS + 1);
                        l2.note(format!(
                            "{}: more than {MAX_COPY_ELEMENTS} property copy elements; the rest are unknown",
                            l2.sources.path(self.file)
                        ));
                    }
                    return (name, Ev::unknown(l.span));
                }
                l2.copy_elements.set(used + n_elems);
                let items = (0..n)
                    .map(|i| self.with_copy(&name, Some(i), || self.eval_at(input, depth + 1)))
                    .collect();
                (name, Ev::new(l.span, EvKind::Arr(items)))
            }
            None => (name, Ev::unknown(l.span)),
        }
    }

    // ----- parameters and variables -------------------------------------------------------

    fn lookup(&self, params: bool, name: &str) -> Option<PVal> {
        if let Some(o) = self.outer {
            return o.lookup_up(params, name);
        }
        let mut buf = super::LowerBuf::new();
        let key = buf.lower(name);
        let table = if params { &self.params } else { &self.vars };
        let pending = {
            let mut t = table.borrow_mut();
            let slot = t.get_mut(key)?;
            match slot {
                Slot::Done(v) => return Some(v.clone()),
                Slot::InProgress => return Some((AVal::unknown(), None)),
                Slot::Pending(n) => {
                    let n = *n;
                    *slot = Slot::InProgress;
                    (n, false)
                }
                Slot::PendingCopy(n) => {
                    let n = *n;
                    *slot = Slot::InProgress;
                    (n, true)
                }
            }
        };
        let value = if self.loader.var_depth.get() >= MAX_VAR_DEPTH {
            (AVal::unknown(), None)
        } else {
            self.loader.var_depth.set(self.loader.var_depth.get() + 1);
            // Copies made inside a resource loop must not leak into variables.
            let saved = std::mem::take(&mut *self.copy.borrow_mut());
            let (node, is_copy) = pending;
            let v = if is_copy {
                let e = self.copy_variable(node);
                (to_aval(&e), e.origins.first().cloned())
            } else {
                let e = self.eval(node);
                let o = if params {
                    origin(node.span, format!("default of parameter `{name}`"))
                } else {
                    e.origins.first().cloned()
                };
                (to_aval(&e), o)
            };
            *self.copy.borrow_mut() = saved;
            self.loader.var_depth.set(self.loader.var_depth.get() - 1);
            v
        };
        // Variables that each double the one before would exhaust memory.
        let value = if size_capped(&value.0, MAX_VALUE_BYTES) > MAX_VALUE_BYTES {
            (AVal::unknown(), value.1)
        } else {
            value
        };
        table
            .borrow_mut()
            .insert(key.to_string(), Slot::Done(value.clone()));
        Some(value)
    }

    fn copy_variable(&self, node: &JNode) -> Ev {
        let name = node.get("name").and_then(JNode::as_str).unwrap_or_default();
        let Some(input) = node.get("input") else {
            return Ev::unknown(node.span);
        };
        match self.count(node.get("count")) {
            Some(n) => Ev::new(
                node.span,
                EvKind::Arr(
                    (0..n)
                        .map(|i| self.with_copy(name, Some(i), || self.eval(input)))
                        .collect(),
                ),
            ),
            None => Ev::unknown(node.span),
        }
    }

    // ----- declarations -------------------------------------------------------------------

    /// Gives the scope the root template's resources, taken out of its tree
    /// ([`take_resources`]): each resource's JSON is dropped once the resource is expanded
    /// (only a 50 MB template's remaining resources are in memory while its model grows).
    /// Evaluation is the same as with the resources left in the tree.
    pub fn own_resources(self, resources: Vec<OwnedResource>) -> Self {
        *self.owned.borrow_mut() = Some(resources);
        self
    }

    /// The template's resources: `(symbol, node)` in written order.
    fn resource_nodes(&self) -> Vec<(Option<String>, DeclNode<'d>)> {
        if let Some(owned) = self.owned.borrow_mut().take() {
            return owned
                .into_iter()
                .map(|(sym, n)| (sym, DeclNode::Owned(Rc::new(n))))
                .collect();
        }
        match self.root.get("resources").map(|r| &r.kind) {
            Some(JKind::Array(items)) => items
                .iter()
                .map(|n| (None, DeclNode::Borrowed(n)))
                .collect(),
            Some(JKind::Object(props)) => props
                .iter()
                .map(|p| (Some(p.key.to_string()), DeclNode::Borrowed(&p.value)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Full type of a resource node under an optional parent type.
    fn full_type(&self, node: &JNode, parent: Option<&str>) -> String {
        let t = node
            .get("type")
            .map(|t| s(Some(&self.eval(t))).get().cloned().unwrap_or_default())
            .unwrap_or_default();
        match parent {
            Some(p) if !is_full_type(&t) => format!("{p}/{t}"),
            _ => t,
        }
    }

    /// Records every resource for look-ups before anything is expanded.
    fn declare(&self) {
        let nodes = self.resource_nodes();
        let mut decls = Vec::with_capacity(nodes.len());
        for (symbol, handle) in nodes {
            let node: &JNode = match &handle {
                DeclNode::Borrowed(n) => n,
                DeclNode::Owned(n) => n,
                DeclNode::Dropped => continue,
            };
            let rtype = self.full_type(node, None);
            let has_copy = node.get("copy").is_some();
            let name = match node.get("name") {
                // Names computed from copyIndex() are Unknown here (no loop is bound).
                Some(n) => self.with_copy("", None, || to_aval(&self.eval(n))),
                None => AVal::unknown(),
            };
            let existing = node.get("existing").and_then(JNode::as_bool) == Some(true);
            let name_node = node.get("name");
            let name_expr = name_node
                .and_then(JNode::as_str)
                .filter(|t| expr::is_expression(t))
                .and_then(|t| t.strip_prefix('[')?.strip_suffix(']').map(scope::normalize));
            let api_version = symbol.as_ref().and_then(|_| {
                node.get("apiVersion")
                    .and_then(JNode::as_str)
                    .map(str::to_string)
            });
            let name_start = name_node.map_or(node.span.start, |n| n.span.start);
            decls.push(Decl {
                node: handle,
                symbol,
                api_version,
                rtype,
                name,
                existing,
                has_copy,
                name_expr,
                name_start,
                state: RefCell::new(DeclState::NotExpanded),
            });
            // Declaring can evaluate names through reference(); keep what is known so far.
        }
        *self.decls.borrow_mut() = decls;
    }

    /// Expands every declared resource (nested deployments included) into the loader.
    pub fn run(&self) {
        self.declare();
        let n = self.decls.borrow().len();
        for i in 0..n {
            self.expand_decl(i);
        }
    }

    fn expand_decl(&self, i: usize) -> AVal {
        self.expand_decl_at(i, false)
    }

    /// `lazy`: asked for by a `reference()` during another evaluation. Chains of those are
    /// bounded; a resource not expanded here is expanded later by the template's own loop.
    fn expand_decl_at(&self, i: usize, lazy: bool) -> AVal {
        let l = self.loader;
        if lazy && l.lazy_depth.get() >= MAX_LAZY_DEPTH {
            return AVal::unknown();
        }
        let node = {
            let decls = self.decls.borrow();
            let Some(d) = decls.get(i) else {
                return AVal::unknown();
            };
            match &*d.state.borrow() {
                DeclState::Done(v) => return v.clone(),
                DeclState::InProgress => return AVal::unknown(),
                DeclState::NotExpanded => {}
            }
            *d.state.borrow_mut() = DeclState::InProgress;
            match &d.node {
                DeclNode::Borrowed(n) => DeclNode::Borrowed(n),
                DeclNode::Owned(n) => DeclNode::Owned(Rc::clone(n)),
                DeclNode::Dropped => DeclNode::Dropped,
            }
        };
        if lazy {
            l.lazy_depth.set(l.lazy_depth.get() + 1);
        }
        let outputs = match &node {
            DeclNode::Borrowed(n) => self.expand_resource(n, None),
            DeclNode::Owned(n) => self.expand_resource(n, None),
            DeclNode::Dropped => AVal::unknown(),
        };
        if lazy {
            l.lazy_depth.set(l.lazy_depth.get().saturating_sub(1));
        }
        if let Ok(mut decls) = self.decls.try_borrow_mut()
            && let Some(d) = decls.get_mut(i)
        {
            *d.state.borrow_mut() = DeclState::Done(outputs.clone());
            // Expanded once and for all (Done answers every later ask): an owned node is
            // freed with the last handle, `node` below.
            if matches!(d.node, DeclNode::Owned(_)) {
                d.node = DeclNode::Dropped;
            }
        } else if let Some(d) = self.decls.borrow().get(i) {
            *d.state.borrow_mut() = DeclState::Done(outputs.clone());
        }
        drop(node);
        outputs
    }

    /// Expands a resource node (with `copy`) under an optional parent (full type, full name).
    /// Returns a deployment's outputs (Unknown for anything else or for looped deployments).
    fn expand_resource(&self, node: &JNode, parent: Option<(&str, &Val<String>, bool)>) -> AVal {
        if node.get("existing").and_then(JNode::as_bool) == Some(true) {
            return AVal::unknown();
        }
        match node.get("copy") {
            Some(c) if matches!(c.kind, JKind::Object(_)) => {
                let name = c
                    .get("name")
                    .map(|n| s(Some(&self.eval(n))).get().cloned().unwrap_or_default())
                    .unwrap_or_default();
                match self.count(c.get("count")) {
                    Some(n) => {
                        for i in 0..n {
                            self.with_copy(&name, Some(i), || self.instance(node, parent));
                        }
                    }
                    None => {
                        self.with_copy(&name, None, || self.instance(node, parent));
                    }
                }
                AVal::unknown()
            }
            _ => self.instance(node, parent),
        }
    }

    /// One instance of a resource.
    fn instance(&self, node: &JNode, parent: Option<(&str, &Val<String>, bool)>) -> AVal {
        let l = self.loader;
        if l.instances.get() >= MAX_INSTANCES {
            if l.instances.get() == MAX_INSTANCES {
                l.instances.set(MAX_INSTANCES + 1);
                l.note(format!(
                    "{}: more than {MAX_INSTANCES} resource instances; the rest were not evaluated",
                    l.sources.path(self.file)
                ));
                // What was not evaluated may still add members to pools.
                l.mapper.borrow_mut().add(EvRes {
                    rtype: "Microsoft.Resources/deployments".to_string(),
                    name: Val::unknown(Some(node.span)),
                    name_written: "<not evaluated>".to_string(),
                    key_hint: None,
                    opaque: true,
                    cond_inherited: false,
                    body: Ev::new(node.span, EvKind::Obj(Vec::new())),
                    span: node.span,
                    condition: Val::absent(),
                    scope: Val::absent(),
                });
            }
            return AVal::unknown();
        }
        l.instances.set(l.instances.get() + 1);
        let condition = match node.get("condition") {
            None => Val::absent(),
            Some(c) => {
                let e = self.eval(c);
                match to_aval(&e).truthy() {
                    Some(false) => return AVal::unknown(),
                    Some(true) => Val::known(true, c.span),
                    None => Val::unknown(Some(c.span)),
                }
            }
        };
        let parent_unknown = parent.is_some_and(|p| p.2);
        // Unknown only through the parent or the enclosing deployment: deployed together with
        // a parent of the same template, so merging into that parent is still certain.
        let cond_inherited = (self.cond_unknown || parent_unknown) && !condition.is_unknown();
        let condition = if cond_inherited {
            Val::unknown(Some(node.span))
        } else {
            condition
        };
        let rtype = self.full_type(node, parent.map(|p| p.0));
        let relative = parent.is_some()
            && !node
                .get("type")
                .and_then(JNode::as_str)
                .is_some_and(is_full_type);
        let own_name = s(node.get("name").map(|n| self.eval(n)).as_ref());
        let written = node
            .get("name")
            .and_then(JNode::as_str)
            .unwrap_or("<computed name>");
        let name_written = match parent {
            Some((_, pn, _)) if relative => format!(
                "{}/{written}",
                pn.get().map_or("<computed name>", String::as_str)
            ),
            _ => written.to_string(),
        };
        let name = match (relative, parent) {
            (true, Some((_, pn, _))) => match (pn.get(), own_name.get()) {
                (Some(p), Some(c)) => Val {
                    state: Lattice::Known(format!("{p}/{c}")),
                    span: own_name.span,
                    origins: own_name.origins.clone(),
                },
                _ => Val::unknown(own_name.span),
            },
            _ => own_name,
        };
        // A computed name that stays Unknown still needs a key other resources can use.
        let key_hint = match (name.is_known(), relative, node.get("name")) {
            (false, false, Some(n)) => Some(self.placeholder(n.span.start)),
            _ => None,
        };
        let is_deployment = rtype.eq_ignore_ascii_case("Microsoft.Resources/deployments");
        let child_cond_unknown = condition.is_unknown();
        let body = self.eval_body(node, &rtype);
        let scope = match body.get("scope") {
            Some(sc) => self.scope_ref(sc),
            None => Val::absent(),
        };
        l.opaque.set(false);
        let outputs = if is_deployment {
            self.deployment(node, &name, condition.is_unknown())
        } else {
            AVal::unknown()
        };
        let opaque = l.opaque.replace(false);
        l.mapper.borrow_mut().add(EvRes {
            rtype: rtype.clone(),
            name: name.clone(),
            name_written,
            key_hint,
            opaque,
            cond_inherited,
            body,
            span: node.span,
            condition,
            scope,
        });
        // Nested child resources (relative type and name).
        if let Some(children) = node.get("resources") {
            let kids: Vec<&JNode> = match &children.kind {
                JKind::Array(a) => a.iter().collect(),
                JKind::Object(o) => o.iter().map(|p| &p.value).collect(),
                _ => Vec::new(),
            };
            for k in kids {
                if self.depth + 1 > MAX_NESTING * 4 {
                    break;
                }
                self.expand_resource(k, Some((&rtype, &name, child_cond_unknown)));
            }
        }
        outputs
    }

    /// The resource object evaluated, without children, loops and the nested template.
    fn eval_body(&self, node: &JNode, rtype: &str) -> Ev {
        let Some(props) = node.as_object() else {
            return Ev::unknown(node.span);
        };
        let mut out = Vec::new();
        if rtype.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            // The template and its parameters are evaluated as their own scope.
            return Ev::new(node.span, EvKind::Obj(out));
        }
        if !super::map::is_mapped_type(rtype) {
            // Only what marks a subnet as used; the rest of a resource the model does not
            // describe (VM extensions, dashboards, workflows...) is never evaluated.
            if let Some(p) = node.get("properties") {
                let mut kept = Vec::new();
                for key in [
                    "ipConfigurations",
                    "frontendIPConfigurations",
                    "subnet",
                    "subnetIds",
                    "virtualNetworkConfiguration",
                ] {
                    if let Some(q) = p.prop(key) {
                        kept.push(((&q.key).into(), self.eval(&q.value)));
                    }
                }
                out.push(("properties".into(), Ev::new(p.span, EvKind::Obj(kept))));
            }
            return Ev::new(node.span, EvKind::Obj(out));
        }
        out.reserve_exact(props.len());
        for p in props {
            // Compared without case (no lower-cased copy of every key of every resource).
            if [
                "resources",
                "copy",
                "condition",
                "dependsOn",
                "type",
                "name",
            ]
            .iter()
            .any(|k| p.key.eq_ignore_ascii_case(k))
            {
                continue;
            }
            out.push(((&p.key).into(), self.eval(&p.value)));
        }
        Ev::new(node.span, EvKind::Obj(out))
    }

    /// The key name of a resource whose computed name is Unknown: the scope and the place the
    /// name is written, so that `reference()` to it can point at the same resource.
    fn placeholder(&self, name_start: u32) -> String {
        format!("?{}:{name_start}", self.serial)
    }

    /// An extension resource's `scope`: an id, `<type>/<name>`, or a symbolic name.
    fn scope_ref(&self, sc: &Ev) -> Ref {
        let text = match &sc.kind {
            EvKind::Str(t) => t.to_string(),
            EvKind::Unknown(p) if p.suffix.contains("/providers/") => p.suffix.clone(),
            _ => return Val::unknown(Some(sc.span)),
        };
        let unit = self.loader.unit;
        let known = |rtype: &str, name: &str| Val {
            state: Lattice::Known(ResourceKey::arm(unit, rtype, name)),
            span: Some(sc.span),
            origins: sc.origins.clone(),
        };
        if let Some(p) = parse_id(&text) {
            return known(&p.rtype, &p.name());
        }
        if !text.contains('/')
            && let Some((rtype, name)) = self.symbol(&text)
        {
            return known(&rtype, &name);
        }
        match parse_type_and_names(&text) {
            Some(p) => known(&p.rtype, &p.name()),
            None => Val::unknown(Some(sc.span)),
        }
    }

    /// A symbolic name's type and Known name.
    fn symbol(&self, sym: &str) -> Option<(String, String)> {
        let decls = self.decls.borrow();
        let d = decls.iter().find(|d| {
            d.symbol
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(sym))
        })?;
        Some((d.rtype.clone(), d.name.as_str()?.to_string()))
    }
}

/// Takes the resources out of a root template's tree, for [`Tpl::own_resources`]: the
/// `resources` member [`JNode::get`] finds is left empty, of the same kind (array or object,
/// which tells a symbolic-name template). `None` when there is no such member.
pub fn take_resources(root: &mut JNode) -> Option<Vec<OwnedResource>> {
    let JKind::Object(props) = &mut root.kind else {
        return None;
    };
    // The index of the property `JNode::prop` finds: the last exact match, else the last
    // case-insensitive one.
    let at = props
        .iter()
        .rposition(|p| p.key == "resources")
        .or_else(|| {
            props
                .iter()
                .rposition(|p| p.key.eq_ignore_ascii_case("resources"))
        })?;
    let value = &mut props.get_mut(at)?.value;
    match &mut value.kind {
        JKind::Array(items) => Some(
            std::mem::take(items)
                .into_iter()
                .map(|n| (None, n))
                .collect(),
        ),
        JKind::Object(members) => Some(
            std::mem::take(members)
                .into_iter()
                .map(|p| (Some(p.key.to_string()), p.value))
                .collect(),
        ),
        _ => None,
    }
}

/// A full type starts with a resource provider namespace (`Microsoft.Web/sites`); a child's
/// relative type does not (`config`, `providers/diagnosticSettings`).
fn is_full_type(t: &str) -> bool {
    t.split('/').next().is_some_and(|ns| ns.contains('.'))
}
