//! Lowering: the Bicep syntax tree into the ARM front-end's template IR
//! ([`JsonDoc`] in `languageVersion 2.0` symbolic-name form), as Bicep's own
//! `ExpressionConverter` / `TemplateWriter` do, with every node carrying the span of the Bicep
//! it came from. The ARM evaluator, mapper and rules then run unchanged.
//!
//! Anything not understood (user functions, imported symbols, `load*Content`, looped resource
//! access, spreads into resource bodies...) lowers to an expression the evaluator cannot know,
//! so the value is Unknown and no rule decides on it.

use std::collections::HashMap;
use std::ops::Range;

use super::load::{self, Loaded, Reader};
use super::syntax::*;
use crate::frontend::arm::json::{Comment, JKind, JNode, JProp, JsonDoc};
use crate::source::{FileId, Span};

/// The expression lowered where a Bicep construct is not understood: an unknown function, so
/// the evaluator gives Unknown with this name as the reason.
const UNKNOWN: &str = "bicepNotEvaluated()";

/// What a Bicep name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sym {
    Param,
    Var,
    Resource,
    Module,
    /// A user function (index in `Lw::funcs`), inlined at each call.
    Func(usize),
    /// An imported variable (index in `Lw::inline_vars`), inlined where used.
    Inline(usize),
    /// `import * as ns`: the scope of the imported file (index in `Lw::scopes`).
    Ns(usize),
    /// Types, outputs, names not resolved: never lowered to a value.
    Other,
}

/// Names visible in one file.
type Scope = HashMap<String, Sym>;

/// A user function: parameter names, body, and the scope its body is read in.
#[derive(Debug, Clone)]
struct FuncDef {
    params: Vec<String>,
    body: Expr,
    scope: usize,
}

/// Deepest nesting of inlined functions and imported variables.
const MAX_INLINE_DEPTH: usize = 16;

/// What lowering learned about a resource before lowering bodies.
#[derive(Debug, Clone)]
struct ResInfo {
    /// Full type without API version.
    rtype: String,
    api: String,
    /// Name segments as ARM expressions (no brackets; a child's parent names first), when
    /// they could be written.
    name: Option<Vec<String>>,
    looped: bool,
    /// Loop variables bound for this resource (its parents' and its own).
    locals: Vec<(String, String)>,
}

/// The result of lowering one file.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The template.
    pub doc: JsonDoc,
    /// `--verbose` notes (registry modules not followed, constructs not evaluated).
    pub notes: Vec<String>,
    /// Local modules (`./x.bicep`, `x.json`) as written.
    pub modules: Vec<String>,
    /// Registry modules (`br:`, `br/<alias>:`), resolved against the restore cache by
    /// [`super::registry::register`].
    pub registry: Vec<super::registry::RegistryRef>,
}

/// Lowers a parsed `.bicep` file (in `file`, shown as `display`).
/// `reader` reads the files of `load*()` calls (`None`: they are Unknown).
pub fn lower(
    f: &File,
    file: FileId,
    text_len: usize,
    display: &str,
    reader: Option<&Reader<'_>>,
) -> Lowered {
    let mut lw = Lw {
        reader,
        loaded: HashMap::new(),
        file,
        display: display.to_string(),
        syms: std::rc::Rc::new(HashMap::new()),
        scopes: Vec::new(),
        funcs: Vec::new(),
        inline_vars: Vec::new(),
        libs: HashMap::new(),
        depth: 0,
        foreign: false,
        serial: 0,
        res: HashMap::new(),
        locals: Vec::new(),
        notes: Vec::new(),
        modules: Vec::new(),
        registry: Vec::new(),
    };
    lw.declare(f);
    let root = lw.template(f, 0..text_len);
    Lowered {
        doc: JsonDoc {
            root,
            comments: Vec::<Comment>::new(),
        },
        notes: lw.notes,
        modules: lw.modules,
        registry: lw.registry,
    }
}

struct Lw<'r> {
    /// Reads the files of `load*()` calls.
    reader: Option<&'r Reader<'r>>,
    /// Files read so far, by path as written.
    loaded: HashMap<String, Option<Loaded>>,
    file: FileId,
    display: String,
    /// The names of the scope being lowered (the file's, or an imported file's while one
    /// of its functions or variables is inlined).
    syms: std::rc::Rc<Scope>,
    /// Every scope: 0 is the file's, then each imported file's.
    scopes: Vec<std::rc::Rc<Scope>>,
    funcs: Vec<FuncDef>,
    /// Imported variables: value and the scope it is read in.
    inline_vars: Vec<(Expr, usize)>,
    /// Imported files read, by path as written: their scope.
    libs: HashMap<String, Option<usize>>,
    /// Inlining depth.
    depth: usize,
    /// True while inlining another file's code (its `load*()` paths are not relative to
    /// this file: Unknown).
    foreign: bool,
    /// Names of generated lambda variables.
    serial: usize,
    /// Resources by symbolic name (`parent::child` for nested ones).
    res: HashMap<String, ResInfo>,
    /// Loop and lambda variables in scope: Bicep name → ARM expression.
    locals: Vec<(String, String)>,
    notes: Vec<String>,
    modules: Vec<String>,
    registry: Vec<super::registry::RegistryRef>,
}

/// Quotes an ARM string literal.
pub(super) fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A literal string as a JSON template string (a leading `[` is escaped as `[[`).
pub(super) fn lit(s: &str) -> String {
    if s.starts_with('[') {
        format!("[{s}")
    } else {
        s.to_string()
    }
}

/// The text of a string without interpolation.
pub(super) fn literal_str(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Str(parts) => match parts.as_slice() {
            [StrPart::Lit(s)] => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// A name from its segments: `a`, or `format('{0}/{1}', a, b)`.
fn name_text(parts: &[String]) -> String {
    match parts {
        [one] => one.clone(),
        _ => {
            let holes: Vec<String> = (0..parts.len()).map(|i| format!("{{{i}}}")).collect();
            format!("format({}, {})", q(&holes.join("/")), parts.join(", "))
        }
    }
}

/// A resource's id as Bicep compiles it: `resourceId('T', segments...)` (the symbol's
/// `resourceInfo()` when its name is not known).
fn resource_id(sym: &str, info: &ResInfo) -> String {
    match &info.name {
        Some(parts) => format!("resourceId({}, {})", q(&info.rtype), parts.join(", ")),
        None => format!("resourceInfo({}).id", q(sym)),
    }
}

/// Splits `'Microsoft.X/y@2020-01-01'` into type and API version.
fn split_type(t: &str) -> (String, String) {
    match t.split_once('@') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (t.to_string(), String::new()),
    }
}

/// The loop, condition and object of a resource or module body.
#[allow(clippy::type_complexity)]
fn unwrap_body(
    e: &Expr,
) -> (
    Option<(&Option<String>, &Option<String>, &Expr)>,
    Option<&Expr>,
    &Expr,
) {
    let (lp, inner) = match &e.kind {
        ExprKind::For {
            item,
            index,
            iter,
            body,
        } => (Some((item, index, &**iter)), &**body),
        _ => (None, e),
    };
    match &inner.kind {
        ExprKind::If(c, b) => (lp, Some(&**c), b),
        _ => (lp, None, inner),
    }
}

fn members(e: &Expr) -> &[Member] {
    match &e.kind {
        ExprKind::Object(m) => m,
        _ => &[],
    }
}

fn prop<'e>(e: &'e Expr, key: &str) -> Option<&'e Expr> {
    members(e).iter().find_map(|m| match m {
        Member::Prop {
            key: Some(k),
            value,
            ..
        } if k == key => Some(value),
        _ => None,
    })
}

impl Lw<'_> {
    fn sp(&self, r: &Range<usize>) -> Span {
        Span::new(self.file, r.clone())
    }

    fn node(&self, r: &Range<usize>, kind: JKind) -> JNode {
        JNode {
            span: self.sp(r),
            kind,
        }
    }

    fn s(&self, r: &Range<usize>, s: &str) -> JNode {
        self.node(r, JKind::Str(s.into()))
    }

    fn jp(&self, key: &str, r: &Range<usize>, value: JNode) -> JProp {
        JProp {
            key: key.into(),
            key_span: self.sp(r),
            value,
        }
    }

    // ---- declarations

    fn declare(&mut self, f: &File) {
        self.scopes.push(std::rc::Rc::new(Scope::new()));
        let mut map = Scope::new();
        for d in &f.decls {
            let (name, sym) = match &d.kind {
                DeclKind::Param { name, .. } => (name, Sym::Param),
                DeclKind::Var(n, _) => (n, Sym::Var),
                DeclKind::Resource(r) => (&r.name, Sym::Resource),
                DeclKind::Module { name, .. } => (name, Sym::Module),
                DeclKind::Func(n, params, body) => {
                    self.funcs.push(FuncDef {
                        params: params.clone(),
                        body: body.clone(),
                        scope: 0,
                    });
                    (n, Sym::Func(self.funcs.len() - 1))
                }
                DeclKind::TypeDecl(n, _) => (n, Sym::Other),
                DeclKind::Import(Some(imp)) => {
                    let lib = self.lib_scope(&imp.from, &d.span);
                    for (orig, local) in &imp.names {
                        let sym = lib
                            .and_then(|k| self.scopes.get(k)?.get(orig).copied())
                            .unwrap_or(Sym::Other);
                        map.insert(local.text.clone(), sym);
                    }
                    if let Some(ns) = &imp.wildcard {
                        map.insert(ns.text.clone(), lib.map_or(Sym::Other, Sym::Ns));
                    }
                    continue;
                }
                _ => continue,
            };
            map.insert(name.text.clone(), sym);
        }
        let map = std::rc::Rc::new(map);
        self.scopes[0] = map.clone();
        self.syms = map;
        // Types and loops of every resource first (children and `parent:` need them), then
        // names, which may refer to other resources' names.
        let mut order = Vec::new();
        for d in &f.decls {
            if let DeclKind::Resource(r) = &d.kind {
                self.declare_resource(r, None, &mut order);
            }
        }
        for _ in 0..4 {
            for (sym, r, parent) in &order {
                if self.res.get(sym).is_some_and(|i| i.name.is_some()) {
                    continue;
                }
                let locals = self
                    .res
                    .get(sym)
                    .map(|i| i.locals.clone())
                    .unwrap_or_default();
                let n = locals.len();
                self.locals.extend(locals);
                let name = self.resource_name_text(r, parent.as_deref());
                self.unbind(n);
                if let Some(i) = self.res.get_mut(sym) {
                    i.name = name;
                }
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn declare_resource<'r>(
        &mut self,
        r: &'r Resource,
        parent: Option<&str>,
        order: &mut Vec<(String, &'r Resource, Option<String>)>,
    ) {
        let sym = match parent {
            Some(p) => format!("{p}::{}", r.name.text),
            None => r.name.text.clone(),
        };
        let (t, api) = split_type(literal_str(&r.ty).unwrap_or_default());
        let pinfo = parent.and_then(|p| self.res.get(p)).cloned();
        let (rtype, api) = match &pinfo {
            Some(p) if !t.contains('/') => (
                format!("{}/{t}", p.rtype),
                if api.is_empty() { p.api.clone() } else { api },
            ),
            _ => (t, api),
        };
        let (lp, _, obj) = unwrap_body(&r.body);
        let looped = lp.is_some() || pinfo.as_ref().is_some_and(|p| p.looped);
        let mut locals = pinfo.as_ref().map(|p| p.locals.clone()).unwrap_or_default();
        if let Some((item, index, iter)) = lp {
            let it = self.emit(iter).unwrap_or_else(|| UNKNOWN.to_string());
            if let Some(i) = item {
                locals.push((i.clone(), format!("{it}[copyIndex({})]", q(&sym))));
            }
            if let Some(i) = index {
                locals.push((i.clone(), format!("copyIndex({})", q(&sym))));
            }
        }
        self.res.insert(
            sym.clone(),
            ResInfo {
                rtype,
                api,
                name: None,
                looped,
                locals,
            },
        );
        order.push((sym.clone(), r, parent.map(str::to_string)));
        for m in members(obj) {
            if let Member::Resource(c) = m {
                self.declare_resource(c, Some(&sym), order);
            }
        }
    }

    /// The name of a resource as an ARM expression: its own `name`, prefixed by its parent's
    /// (nested declaration or `parent:`).
    fn resource_name_text(
        &mut self,
        r: &Resource,
        nested_parent: Option<&str>,
    ) -> Option<Vec<String>> {
        let (_, _, obj) = unwrap_body(&r.body);
        let own = self.emit(prop(obj, "name")?)?;
        let parent = match nested_parent {
            Some(p) => Some(p.to_string()),
            None => prop(obj, "parent").and_then(|p| self.resource_symbol(p)),
        };
        match parent {
            Some(p) => {
                let mut parts = self.res.get(&p)?.name.clone()?;
                parts.push(own);
                Some(parts)
            }
            None => Some(vec![own]),
        }
    }

    /// The symbol an expression names when it is a resource (`r`, `r::c`).
    fn resource_symbol(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Ident(n) if self.syms.get(n) == Some(&Sym::Resource) && !self.is_local(n) => {
                Some(n.clone())
            }
            ExprKind::Child(b, c) => {
                let p = self.resource_symbol(b)?;
                let s = format!("{p}::{c}");
                self.res.contains_key(&s).then_some(s)
            }
            ExprKind::Paren(x) | ExprKind::NonNull(x) => self.resource_symbol(x),
            _ => None,
        }
    }

    fn is_local(&self, n: &str) -> bool {
        self.locals.iter().any(|(l, _)| l == n)
    }

    fn template(&mut self, f: &File, whole: Range<usize>) -> JNode {
        let mut params = Vec::new();
        let mut vars = Vec::new();
        let mut resources = Vec::new();
        let mut outputs = Vec::new();
        for d in &f.decls {
            match &d.kind {
                DeclKind::Param { name, ty, value } => {
                    let secure = d
                        .decorators
                        .iter()
                        .any(|x| matches!(&x.kind, ExprKind::Call(_, n, _) if n == "secure"));
                    let tname = ty.as_ref().and_then(|t| t.name.clone());
                    let tname = match (secure, tname.as_deref()) {
                        (true, Some("string")) => "secureString".to_string(),
                        (true, _) => "secureObject".to_string(),
                        (false, Some(t)) => t.to_string(),
                        (false, None) => "object".to_string(),
                    };
                    let mut ps = vec![self.jp("type", &name.span, self.s(&d.span, &tname))];
                    if let Some(v) = value {
                        let dv = self.value(v);
                        ps.push(self.jp("defaultValue", &v.span, dv));
                    }
                    if ty.as_ref().is_some_and(|t| t.nullable) {
                        ps.push(self.jp(
                            "nullable",
                            &name.span,
                            self.node(&d.span, JKind::Bool(true)),
                        ));
                    }
                    params.push(self.jp(
                        &name.text,
                        &name.span,
                        self.node(&d.span, JKind::Object(ps.into())),
                    ));
                }
                DeclKind::Var(n, e) => {
                    let v = self.value(e);
                    vars.push(self.jp(&n.text, &n.span, v));
                }
                DeclKind::Output(n, t, e) => {
                    let tn = t.name.clone().unwrap_or_else(|| "object".to_string());
                    let v = self.value(e);
                    let o = vec![
                        self.jp("type", &t.span, self.s(&t.span, &tn)),
                        self.jp("value", &e.span, v),
                    ];
                    outputs.push(self.jp(
                        &n.text,
                        &n.span,
                        self.node(&d.span, JKind::Object(o.into())),
                    ));
                }
                DeclKind::Resource(r) => self.resource(r, &d.span, None, &mut resources),
                DeclKind::Module { name, path, body } => {
                    if let Some(m) = self.module(name, path, body, &d.span) {
                        resources.push(m);
                    }
                }
                _ => {}
            }
        }
        let mut root = vec![
            self.jp(
                "$schema",
                &(0..0),
                self.s(
                    &(0..0),
                    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                ),
            ),
            self.jp("languageVersion", &(0..0), self.s(&(0..0), "2.0")),
            self.jp("contentVersion", &(0..0), self.s(&(0..0), "1.0.0.0")),
        ];
        root.push(self.jp(
            "parameters",
            &(0..0),
            self.node(&(0..0), JKind::Object(params.into())),
        ));
        root.push(self.jp(
            "variables",
            &(0..0),
            self.node(&(0..0), JKind::Object(vars.into())),
        ));
        root.push(self.jp(
            "resources",
            &(0..0),
            self.node(&(0..0), JKind::Object(resources.into())),
        ));
        root.push(self.jp(
            "outputs",
            &(0..0),
            self.node(&(0..0), JKind::Object(outputs.into())),
        ));
        self.node(&whole, JKind::Object(root.into()))
    }

    /// Binds a loop's variables (item → `iter[copyIndex('loop')]`, index → `copyIndex('loop')`)
    /// and returns the ARM `copy` object.
    fn bind_loop(
        &mut self,
        loop_name: &str,
        (item, index, iter): (&Option<String>, &Option<String>, &Expr),
        at: &Range<usize>,
    ) -> Option<JNode> {
        let it = self.emit(iter);
        let it_text = it.clone().unwrap_or_else(|| UNKNOWN.to_string());
        if let Some(i) = item {
            self.locals
                .push((i.clone(), format!("{it_text}[copyIndex({})]", q(loop_name))));
        }
        if let Some(i) = index {
            self.locals
                .push((i.clone(), format!("copyIndex({})", q(loop_name))));
        }
        let count = format!("[length({it_text})]");
        Some(self.node(
            at,
            JKind::Object(Box::new([
                self.jp("name", at, self.s(at, loop_name)),
                self.jp("count", &iter.span, self.s(&iter.span, &count)),
            ])),
        ))
    }

    fn unbind(&mut self, n: usize) {
        let keep = self.locals.len().saturating_sub(n);
        self.locals.truncate(keep);
    }

    /// Lowers a resource (and its nested children) into `out`. `parent`: the nested parent's
    /// symbol, its `copy` and `condition`.
    fn resource(
        &mut self,
        r: &Resource,
        span: &Range<usize>,
        parent: Option<(&str, Option<JNode>, Option<JNode>)>,
        out: &mut Vec<JProp>,
    ) {
        let sym = match parent {
            Some((p, ..)) => format!("{p}::{}", r.name.text),
            None => r.name.text.clone(),
        };
        let Some(info) = self.res.get(&sym).cloned() else {
            return;
        };
        let (lp, cond, obj) = unwrap_body(&r.body);
        let before = self.locals.len();
        let (mut copy, mut condition) = match &parent {
            Some((_, c, k)) => (c.clone(), k.clone()),
            None => (None, None),
        };
        if let Some(lp) = lp {
            copy = self.bind_loop(&sym, lp, &r.body.span);
        }
        if let Some(c) = cond {
            let v = self.expr_node(c);
            condition = Some(match condition {
                Some(JNode {
                    kind: JKind::Str(pc),
                    ..
                }) => {
                    let inner = pc.trim_start_matches('[').trim_end_matches(']').to_string();
                    let mine = match &v.kind {
                        JKind::Str(t) => {
                            t.trim_start_matches('[').trim_end_matches(']').to_string()
                        }
                        _ => "true()".to_string(),
                    };
                    self.s(&c.span, &format!("[and({inner}, {mine})]"))
                }
                _ => v,
            });
        }
        let mut props = vec![
            self.jp("type", &r.ty.span, self.s(&r.ty.span, &info.rtype)),
            self.jp("apiVersion", &r.ty.span, self.s(&r.ty.span, &info.api)),
        ];
        if r.existing {
            props.push(self.jp(
                "existing",
                &r.ty.span,
                self.node(&r.ty.span, JKind::Bool(true)),
            ));
        }
        if let Some(c) = &copy {
            props.push(self.jp("copy", &c.span.range(), c.clone()));
        }
        if let Some(c) = &condition {
            props.push(self.jp("condition", &c.span.range(), c.clone()));
        }
        let mut children = Vec::new();
        for m in members(obj) {
            match m {
                Member::Prop {
                    key: Some(k),
                    key_span,
                    value,
                } => match k.as_str() {
                    "dependsOn" | "parent" => {}
                    "name" => {
                        let n = if parent.is_none() && prop(obj, "parent").is_none() {
                            self.value(value)
                        } else {
                            let t = info.name.as_deref().map_or(UNKNOWN.to_string(), name_text);
                            self.s(&value.span, &format!("[{t}]"))
                        };
                        props.push(self.jp("name", key_span, n));
                    }
                    "scope" => {
                        let v = match self.resource_symbol(value) {
                            Some(s) => {
                                let id = self
                                    .res
                                    .get(&s)
                                    .map_or_else(|| UNKNOWN.to_string(), |i| resource_id(&s, i));
                                self.s(&value.span, &format!("[{id}]"))
                            }
                            None => self.expr_node(value),
                        };
                        props.push(self.jp("scope", key_span, v));
                    }
                    _ => {
                        let v = self.value(value);
                        props.push(self.jp(k, key_span, v));
                    }
                },
                Member::Resource(c) => children.push(c),
                Member::Prop { key: None, .. } | Member::Computed(..) | Member::Spread(_) => {
                    self.notes.push(format!(
                        "{}: resource `{sym}` has a computed property or spread; it is not evaluated",
                        self.display
                    ));
                }
            }
        }
        out.push(self.jp(
            &sym,
            &r.name.span,
            self.node(span, JKind::Object(props.into())),
        ));
        for c in children {
            self.resource(
                c,
                &c.name.span,
                Some((&sym, copy.clone(), condition.clone())),
                out,
            );
        }
        self.locals.truncate(before);
    }

    fn module(
        &mut self,
        name: &Name,
        path: &Expr,
        body: &Expr,
        span: &Range<usize>,
    ) -> Option<JProp> {
        let (lp, cond, obj) = unwrap_body(body);
        let before = self.locals.len();
        let mut props = vec![
            self.jp(
                "type",
                &path.span,
                self.s(&path.span, "Microsoft.Resources/deployments"),
            ),
            self.jp("apiVersion", &path.span, self.s(&path.span, "2022-09-01")),
            self.jp(
                crate::frontend::arm::template::BICEP_MODULE,
                &name.span,
                self.s(&name.span, &name.text),
            ),
        ];
        if let Some(lp) = lp
            && let Some(c) = self.bind_loop(&name.text, lp, &body.span)
        {
            props.push(self.jp("copy", &body.span, c));
        }
        if let Some(c) = cond {
            let v = self.expr_node(c);
            props.push(self.jp("condition", &c.span, v));
        }
        let n = match prop(obj, "name") {
            Some(v) => self.value(v),
            None => self.s(&name.span, &lit(&name.text)),
        };
        props.push(self.jp("name", &name.span, n));
        if let Some(sc) = prop(obj, "scope") {
            self.module_scope(sc, &mut props);
        }
        let mut inner = vec![self.jp(
            "expressionEvaluationOptions",
            &path.span,
            self.node(
                &path.span,
                JKind::Object(Box::new([self.jp(
                    "scope",
                    &path.span,
                    self.s(&path.span, "inner"),
                )])),
            ),
        )];
        inner.push(self.jp("mode", &path.span, self.s(&path.span, "Incremental")));
        if let Some(ps) = prop(obj, "params") {
            let mut out = Vec::new();
            for m in members(ps) {
                if let Member::Prop {
                    key: Some(k),
                    key_span,
                    value,
                } = m
                {
                    let v = self.value(value);
                    out.push(self.jp(
                        k,
                        key_span,
                        self.node(
                            &value.span,
                            JKind::Object(Box::new([self.jp("value", &value.span, v)])),
                        ),
                    ));
                }
            }
            inner.push(self.jp(
                "parameters",
                &ps.span,
                self.node(&ps.span, JKind::Object(out.into())),
            ));
        }
        match literal_str(path) {
            Some(p) if !p.contains(':') => {
                self.modules.push(p.to_string());
                inner.push(self.jp(
                    "templateLink",
                    &path.span,
                    self.node(
                        &path.span,
                        JKind::Object(Box::new([self.jp("relativePath", &path.span, self.s(&path.span, p))])),
                    ),
                ));
            }
            Some(p) if p.starts_with("br:") || p.starts_with("br/") => {
                let link = self.sp(&path.span);
                self.registry.push(super::registry::RegistryRef {
                    reference: p.to_string(),
                    module: name.text.clone(),
                    link,
                    call: self.sp(&(span.start..path.span.end)),
                    call_block: self.sp(span),
                    inputs: super::registry::inputs(prop(obj, "params"), self.file),
                });
                inner.push(self.jp(
                    "templateLink",
                    &path.span,
                    self.node(
                        &path.span,
                        JKind::Object(Box::new([self.jp("registry", &path.span, self.s(&path.span, p))])),
                    ),
                ));
            }
            other => self.notes.push(format!(
                "{}: module `{}` ({}) is a registry module or template spec; it is not read and its resources and outputs are unknown",
                self.display,
                name.text,
                other.unwrap_or("computed path")
            )),
        }
        props.push(self.jp(
            "properties",
            &body.span,
            self.node(&body.span, JKind::Object(inner.into())),
        ));
        self.locals.truncate(before);
        Some(self.jp(
            &name.text,
            &name.span,
            self.node(span, JKind::Object(props.into())),
        ))
    }

    /// A module's `scope:` as Bicep writes it on the deployment: `resourceGroup('rg')` →
    /// `resourceGroup` (and `subscriptionId`), `subscription('s')` → `subscriptionId`,
    /// `managementGroup('m')` / `tenant()` → `scope`; the current resource group → nothing;
    /// anything else → an Unknown `scope`.
    fn module_scope(&mut self, sc: &Expr, props: &mut Vec<JProp>) {
        let (name, args) = match &sc.kind {
            ExprKind::Call(ns, n, a) if self.is_sys_or_az(ns.as_deref()) => (n.as_str(), &a[..]),
            _ => ("", &[][..]),
        };
        let mut put = |lw: &mut Self, key: &str, e: &Expr| {
            let v = lw.value(e);
            props.push(lw.jp(key, &sc.span, v));
        };
        match (name, args) {
            ("resourceGroup", []) => {}
            ("resourceGroup", [rg]) => put(self, "resourceGroup", rg),
            ("resourceGroup", [sub, rg]) => {
                put(self, "subscriptionId", sub);
                put(self, "resourceGroup", rg);
            }
            ("subscription", [sub]) => put(self, "subscriptionId", sub),
            ("subscription", []) => {}
            ("tenant", []) => props.push(self.jp("scope", &sc.span, self.s(&sc.span, "/"))),
            ("managementGroup", [m]) => {
                let t = self.emit(m).map_or_else(
                    || UNKNOWN.to_string(),
                    |m| format!("format('Microsoft.Management/managementGroups/{{0}}', {m})"),
                );
                props.push(self.jp("scope", &sc.span, self.s(&sc.span, &format!("[{t}]"))));
            }
            _ => props.push(self.jp("scope", &sc.span, self.s(&sc.span, &format!("[{UNKNOWN}]")))),
        }
    }

    /// No namespace, `sys` or `az`, not shadowed by a declaration.
    fn is_sys_or_az(&self, ns: Option<&Expr>) -> bool {
        match ns.map(|n| &n.kind) {
            None => true,
            Some(ExprKind::Ident(n)) => (n == "sys" || n == "az") && !self.syms.contains_key(n),
            Some(_) => false,
        }
    }

    // ---- values

    /// A value as a JSON node: literals, objects and arrays stay JSON (each part keeps its own
    /// span); anything else becomes an ARM expression string.
    fn value(&mut self, e: &Expr) -> JNode {
        match &e.kind {
            ExprKind::Str(parts) => match parts.as_slice() {
                [StrPart::Lit(s)] => self.s(&e.span, &lit(s)),
                _ => self.expr_node(e),
            },
            ExprKind::Int(n) => self.node(&e.span, JKind::Number(n.as_str().into())),
            ExprKind::Neg(x) if matches!(x.kind, ExprKind::Int(_)) => match &x.kind {
                ExprKind::Int(n) => self.node(&e.span, JKind::Number(format!("-{n}").into())),
                _ => self.expr_node(e),
            },
            ExprKind::Bool(b) => self.node(&e.span, JKind::Bool(*b)),
            ExprKind::Null => self.node(&e.span, JKind::Null),
            ExprKind::Paren(x) => self.value(x),
            ExprKind::Call(ns, n, args)
                if n == "loadJsonContent"
                    && self.is_sys(ns.as_deref())
                    && !self.syms.contains_key(n) =>
            {
                match self.load_json_node(args) {
                    Some(node) => node,
                    None => self.expr_node(e),
                }
            }
            ExprKind::Array(items)
                if !items.iter().any(|i| matches!(i.kind, ExprKind::Spread(_))) =>
            {
                let v = items.iter().map(|i| self.value(i)).collect();
                self.node(&e.span, JKind::Array(v))
            }
            ExprKind::Object(ms)
                if ms
                    .iter()
                    .all(|m| matches!(m, Member::Prop { key: Some(_), .. })) =>
            {
                let mut out = Vec::new();
                for m in ms {
                    if let Member::Prop {
                        key: Some(k),
                        key_span,
                        value,
                    } = m
                    {
                        let v = self.value(value);
                        out.push(self.jp(k, key_span, v));
                    }
                }
                self.node(&e.span, JKind::Object(out.into()))
            }
            _ => self.expr_node(e),
        }
    }

    /// Runs `f` in scope `scope` with only `locals` bound (an inlined function body or
    /// imported variable); `None` beyond [`MAX_INLINE_DEPTH`].
    fn in_scope(
        &mut self,
        scope: usize,
        locals: Vec<(String, String)>,
        f: impl FnOnce(&mut Self) -> Option<String>,
    ) -> Option<String> {
        if self.depth >= MAX_INLINE_DEPTH {
            return None;
        }
        let syms = std::mem::replace(&mut self.syms, self.scopes.get(scope)?.clone());
        let outer = std::mem::replace(&mut self.locals, locals);
        let foreign = self.foreign;
        self.foreign = foreign || scope != 0;
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        self.syms = syms;
        self.locals = outer;
        self.foreign = foreign;
        r
    }

    /// A call of a user function: its body with the arguments bound to its parameters.
    fn call_func(&mut self, i: usize, args: &[Expr]) -> Option<String> {
        let def = self.funcs.get(i)?.clone();
        if def.params.len() != args.len() {
            return None;
        }
        let mut locals = Vec::new();
        for (p, a) in def.params.iter().zip(args) {
            locals.push((p.clone(), self.emit(a)?));
        }
        self.in_scope(def.scope, locals, |s| s.emit(&def.body))
    }

    /// An imported variable's value, read in its own file's scope.
    fn inline_var(&mut self, i: usize) -> Option<String> {
        let (body, scope) = self.inline_vars.get(i)?.clone();
        self.in_scope(scope, Vec::new(), |s| s.emit(&body))
    }

    /// The scope of an imported `.bicep` file (its variables and functions), read once.
    fn lib_scope(&mut self, from: &str, at: &Range<usize>) -> Option<usize> {
        if let Some(k) = self.libs.get(from) {
            return *k;
        }
        self.libs.insert(from.to_string(), None);
        let reader = self.reader?;
        let got = if from.contains(':') || !from.ends_with(".bicep") {
            None
        } else {
            reader(from, self.sp(at))
        };
        let Some(text) = got.and_then(|l| String::from_utf8(l.bytes).ok()) else {
            self.notes.push(format!(
                "{}: imports from `{from}` are not read; what they name is unknown",
                self.display
            ));
            return None;
        };
        let parsed = super::parse_text(text.strip_prefix('\u{feff}').unwrap_or(&text));
        if !parsed.errors.is_empty() {
            return None;
        }
        let k = self.scopes.len();
        self.scopes.push(std::rc::Rc::new(Scope::new()));
        let mut map = Scope::new();
        for d in &parsed.file.decls {
            match &d.kind {
                DeclKind::Var(n, e) => {
                    self.inline_vars.push((e.clone(), k));
                    map.insert(n.text.clone(), Sym::Inline(self.inline_vars.len() - 1));
                }
                DeclKind::Func(n, params, body) => {
                    self.funcs.push(FuncDef {
                        params: params.clone(),
                        body: body.clone(),
                        scope: k,
                    });
                    map.insert(n.text.clone(), Sym::Func(self.funcs.len() - 1));
                }
                DeclKind::Param { name, .. } => {
                    map.insert(name.text.clone(), Sym::Other);
                }
                DeclKind::TypeDecl(n, _) => {
                    map.insert(n.text.clone(), Sym::Other);
                }
                _ => {}
            }
        }
        self.scopes[k] = std::rc::Rc::new(map);
        self.libs.insert(from.to_string(), Some(k));
        Some(k)
    }

    /// The file a `load*()` call names (its first argument, a literal), read once.
    fn load_file(&mut self, args: &[Expr]) -> Option<Loaded> {
        if self.foreign {
            return None;
        }
        let first = args.first()?;
        let path = literal_str(first)?;
        if let Some(l) = self.loaded.get(path) {
            return l.clone();
        }
        let got = match self.reader {
            Some(r) => r(path, self.sp(&first.span)),
            None => {
                self.notes.push(format!(
                    "{}: `{path}` (load function) is not read here; its value is unknown",
                    self.display
                ));
                None
            }
        };
        self.loaded.insert(path.to_string(), got.clone());
        got
    }

    /// An optional literal argument (`None` when absent; `Err` when not a literal).
    fn opt_arg(args: &[Expr], i: usize) -> Result<Option<&str>, ()> {
        match args.get(i) {
            None => Ok(None),
            Some(a) => literal_str(a).map(Some).ok_or(()),
        }
    }

    /// `loadJsonContent(path, jsonPath?, encoding?)` as template nodes with spans in the
    /// loaded file, when it is JSON text.
    fn load_json_node(&mut self, args: &[Expr]) -> Option<JNode> {
        let steps = load::json_path(Self::opt_arg(args, 1).ok()?.unwrap_or("$"))?;
        if !matches!(Self::opt_arg(args, 2).ok()?, None | Some("utf-8")) {
            return None;
        }
        let l = self.load_file(args)?;
        let id = l.file?;
        let text = std::str::from_utf8(&l.bytes).ok()?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let doc = crate::frontend::arm::json::parse(text, id).ok()?;
        Some(load::embed(load::select(&doc.root, &steps)?))
    }

    fn emit_load(&mut self, name: &str, args: &[Expr]) -> Option<String> {
        match name {
            "loadTextContent" => {
                let enc = Self::opt_arg(args, 1).ok()?;
                let l = self.load_file(args)?;
                Some(q(&load::decode(&l.bytes, enc)?))
            }
            "loadFileAsBase64" => Some(q(&load::base64(&self.load_file(args)?.bytes))),
            "loadJsonContent" => self.load_json_node(args).map(|n| load::node_expr(&n)),
            "loadYamlContent" => {
                let steps = load::json_path(Self::opt_arg(args, 1).ok()?.unwrap_or("$"))?;
                let enc = Self::opt_arg(args, 2).ok()?;
                let l = self.load_file(args)?;
                let text = load::decode(&l.bytes, enc)?;
                let v: serde_json::Value = serde_yaml::from_str(&text).ok()?;
                Some(load::value_expr(load::select_value(&v, &steps)?))
            }
            _ => None,
        }
    }

    /// An expression string node `"[...]"` (Unknown when not understood).
    fn expr_node(&mut self, e: &Expr) -> JNode {
        let t = self.emit(e).unwrap_or_else(|| UNKNOWN.to_string());
        self.s(&e.span, &format!("[{t}]"))
    }

    /// The ARM expression for `e` (without brackets), or `None` when not understood.
    fn emit(&mut self, e: &Expr) -> Option<String> {
        Some(match &e.kind {
            ExprKind::Str(parts) => match parts.as_slice() {
                [StrPart::Lit(s)] => q(s),
                _ => {
                    let mut fmt = String::new();
                    let mut args = Vec::new();
                    for p in parts {
                        match p {
                            StrPart::Lit(s) => {
                                fmt.push_str(&s.replace('{', "{{").replace('}', "}}"))
                            }
                            StrPart::Expr(x) => {
                                fmt.push_str(&format!("{{{}}}", args.len()));
                                // An unknown part keeps what is known around it.
                                args.push(self.emit(x).unwrap_or_else(|| UNKNOWN.to_string()));
                            }
                        }
                    }
                    format!("format({}, {})", q(&fmt), args.join(", "))
                }
            },
            ExprKind::Int(n) => n.clone(),
            ExprKind::Bool(true) => "true()".into(),
            ExprKind::Bool(false) => "false()".into(),
            ExprKind::Null => "null()".into(),
            ExprKind::Ident(n) => {
                if let Some((_, t)) = self.locals.iter().rev().find(|(l, _)| l == n) {
                    return Some(t.clone());
                }
                match *self.syms.get(n)? {
                    Sym::Param => format!("parameters({})", q(n)),
                    Sym::Var => format!("variables({})", q(n)),
                    Sym::Inline(i) => return self.inline_var(i),
                    Sym::Resource if !self.res.get(n)?.looped => resource_id(n, self.res.get(n)?),
                    _ => return None,
                }
            }
            ExprKind::Paren(x) | ExprKind::NonNull(x) => self.emit(x)?,
            ExprKind::Neg(x) => match &x.kind {
                ExprKind::Int(n) => format!("-{n}"),
                _ => format!("sub(0, {})", self.emit(x)?),
            },
            ExprKind::Not(x) => format!("not({})", self.emit(x)?),
            ExprKind::Ternary(c, a, b) => {
                format!(
                    "if({}, {}, {})",
                    self.emit(c)?,
                    self.emit(a)?,
                    self.emit(b)?
                )
            }
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.emit(a)?, self.emit(b)?);
                match op {
                    BinOp::Coalesce => format!("coalesce({a}, {b})"),
                    BinOp::Or => format!("or({a}, {b})"),
                    BinOp::And => format!("and({a}, {b})"),
                    BinOp::Eq => format!("equals({a}, {b})"),
                    BinOp::Ne => format!("not(equals({a}, {b}))"),
                    BinOp::EqI => format!("equals(toLower({a}), toLower({b}))"),
                    BinOp::NeI => format!("not(equals(toLower({a}), toLower({b})))"),
                    BinOp::Lt => format!("less({a}, {b})"),
                    BinOp::Le => format!("lessOrEquals({a}, {b})"),
                    BinOp::Gt => format!("greater({a}, {b})"),
                    BinOp::Ge => format!("greaterOrEquals({a}, {b})"),
                    BinOp::Add => format!("add({a}, {b})"),
                    BinOp::Sub => format!("sub({a}, {b})"),
                    BinOp::Mul => format!("mul({a}, {b})"),
                    BinOp::Div => format!("div({a}, {b})"),
                    BinOp::Mod => format!("mod({a}, {b})"),
                }
            }
            ExprKind::Array(items) => {
                // `[a, ...xs, b]` is `concat(createArray(a), xs, createArray(b))`.
                let mut groups = Vec::new();
                let mut run = Vec::new();
                let mut spread = false;
                for i in items {
                    if let ExprKind::Spread(x) = &i.kind {
                        spread = true;
                        if !run.is_empty() {
                            groups.push(format!("createArray({})", run.join(", ")));
                            run.clear();
                        }
                        groups.push(self.emit(x)?);
                    } else {
                        run.push(self.emit(i)?);
                    }
                }
                if !spread {
                    return Some(format!("createArray({})", run.join(", ")));
                }
                if !run.is_empty() {
                    groups.push(format!("createArray({})", run.join(", ")));
                }
                format!("concat({})", groups.join(", "))
            }
            ExprKind::Object(ms) => {
                let mut parts = Vec::new();
                let mut spreads = Vec::new();
                for m in ms {
                    match m {
                        Member::Prop {
                            key: Some(k),
                            value,
                            ..
                        } => {
                            parts.push(q(k));
                            parts.push(self.emit(value)?);
                        }
                        Member::Computed(k, value) => {
                            parts.push(self.emit(k)?);
                            parts.push(self.emit(value)?);
                        }
                        Member::Spread(x) => {
                            if !parts.is_empty() {
                                spreads.push(format!("createObject({})", parts.join(", ")));
                                parts.clear();
                            }
                            spreads.push(self.emit(x)?);
                        }
                        _ => return None,
                    }
                }
                let obj = format!("createObject({})", parts.join(", "));
                if spreads.is_empty() {
                    obj
                } else {
                    if !parts.is_empty() {
                        spreads.push(obj);
                    }
                    format!("shallowMerge(createArray({}))", spreads.join(", "))
                }
            }
            ExprKind::Prop(base, name, safe) => return self.emit_prop(base, name, *safe),
            ExprKind::Index(base, i, safe, from_end) => {
                let b = self.emit(base)?;
                let i = self.emit(i)?;
                match (safe, from_end) {
                    (false, false) => format!("{b}[{i}]"),
                    (true, false) => format!("tryGet({b}, {i})"),
                    (false, true) => format!("{b}[sub(length({b}), {i})]"),
                    (true, true) => return None,
                }
            }
            ExprKind::Child(..) => {
                let s = self.resource_symbol(e)?;
                if self.res.get(&s)?.looped {
                    return None;
                }
                resource_id(&s, self.res.get(&s)?)
            }
            ExprKind::Call(ns, name, args) => return self.emit_call(ns.as_deref(), name, args),
            ExprKind::For {
                item,
                index,
                iter,
                body,
            } => {
                let it = self.emit(iter)?;
                self.serial += 1;
                let v = format!("i{}", self.serial);
                let mut n = 0;
                if let Some(x) = item {
                    self.locals
                        .push((x.clone(), format!("{it}[lambdaVariables({})]", q(&v))));
                    n += 1;
                }
                if let Some(x) = index {
                    self.locals
                        .push((x.clone(), format!("lambdaVariables({})", q(&v))));
                    n += 1;
                }
                // `[for x in xs: if (c) body]` keeps the items where `c` holds.
                let (range, b) = match &body.kind {
                    ExprKind::If(c, b) => {
                        let c = self.emit(c);
                        let b = self.emit(b);
                        let range = c.map(|c| {
                            format!("filter(range(0, length({it})), lambda({}, {c}))", q(&v))
                        });
                        (range, b)
                    }
                    _ => (Some(format!("range(0, length({it}))")), self.emit(body)),
                };
                self.unbind(n);
                format!("map({}, lambda({}, {}))", range?, q(&v), b?)
            }
            ExprKind::Lambda(ps, body) => {
                for p in ps {
                    self.locals
                        .push((p.clone(), format!("lambdaVariables({})", q(p))));
                }
                let b = self.emit(body);
                self.unbind(ps.len());
                let names: Vec<String> = ps.iter().map(|p| q(p)).collect();
                format!("lambda({}, {})", names.join(", "), b?)
            }
            ExprKind::If(..) | ExprKind::Spread(_) => return None,
        })
    }

    fn emit_prop(&mut self, base: &Expr, name: &str, safe: bool) -> Option<String> {
        if let Some(sym) = self.resource_symbol(base) {
            let info = self.res.get(&sym)?.clone();
            if info.looped {
                return None;
            }
            return Some(match name {
                "id" => resource_id(&sym, &info),
                "name" => info
                    .name
                    .as_deref()
                    .map_or_else(|| format!("resourceInfo({}).name", q(&sym)), name_text),
                "type" => q(&info.rtype),
                "apiVersion" => q(&info.api),
                "properties" => format!("reference({})", q(&sym)),
                _ => format!("reference({}, {}, 'full').{name}", q(&sym), q(&info.api)),
            });
        }
        // `m.outputs.o` of a module.
        if let ExprKind::Prop(m, outputs, _) = &base.kind
            && outputs == "outputs"
            && let ExprKind::Ident(mn) = &m.kind
            && self.syms.get(mn) == Some(&Sym::Module)
            && !self.is_local(mn)
        {
            return Some(format!("reference({}).outputs.{name}.value", q(mn)));
        }
        if let ExprKind::Ident(mn) = &base.kind
            && !self.is_local(mn)
        {
            match self.syms.get(mn) {
                Some(Sym::Module) => return None,
                // `ns.v` of `import * as ns`.
                Some(&Sym::Ns(k)) => {
                    return match self.scopes.get(k)?.get(name) {
                        Some(&Sym::Inline(i)) => self.inline_var(i),
                        _ => None,
                    };
                }
                _ => {}
            }
        }
        let b = self.emit(base)?;
        Some(if safe {
            format!("tryGet({b}, {})", q(name))
        } else if name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
            format!("{b}.{name}")
        } else {
            format!("{b}[{}]", q(name))
        })
    }

    /// No namespace, or `sys` not shadowed by a declaration.
    fn is_sys(&self, ns: Option<&Expr>) -> bool {
        match ns.map(|n| &n.kind) {
            None => true,
            Some(ExprKind::Ident(n)) => n == "sys" && !self.syms.contains_key(n),
            Some(_) => false,
        }
    }

    fn emit_call(&mut self, ns: Option<&Expr>, name: &str, args: &[Expr]) -> Option<String> {
        if let Some(ns) = ns {
            // `r.listKeys()`: a resource function.
            if let Some(sym) = self.resource_symbol(ns) {
                let info = self.res.get(&sym)?.clone();
                if info.looped || !name.starts_with("list") {
                    return None;
                }
                return Some(format!(
                    "{name}({}, {})",
                    resource_id(&sym, &info),
                    q(&info.api)
                ));
            }
            match &ns.kind {
                ExprKind::Ident(n) if (n == "sys" || n == "az") && !self.syms.contains_key(n) => {}
                ExprKind::Ident(n) if !self.is_local(n) => {
                    // `ns.f()` of `import * as ns`.
                    let Some(&Sym::Ns(k)) = self.syms.get(n) else {
                        return None;
                    };
                    return match self.scopes.get(k)?.get(name) {
                        Some(&Sym::Func(i)) => self.call_func(i, args),
                        _ => None,
                    };
                }
                _ => return None,
            }
        } else if let Some(sym) = self.syms.get(name) {
            // A user function, or a symbol shadowing a function.
            return match *sym {
                Sym::Func(i) => self.call_func(i, args),
                _ => None,
            };
        }
        match name {
            "loadTextContent" | "loadJsonContent" | "loadYamlContent" | "loadFileAsBase64" => {
                return self.emit_load(name, args);
            }
            "readEnvironmentVariable" | "getSecret" | "externalInput" | "loadResourceId" => {
                return None;
            }
            "any" => {
                return match args {
                    [x] => self.emit(x),
                    _ => None,
                };
            }
            _ => {}
        }
        let mut out = Vec::new();
        for a in args {
            out.push(self.emit(a)?);
        }
        Some(format!("{name}({})", out.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lowered template as compact JSON-like text.
    fn show(n: &JNode) -> String {
        match &n.kind {
            JKind::Null => "null".into(),
            JKind::Bool(b) => b.to_string(),
            JKind::Number(x) => x.to_string(),
            JKind::Str(s) => format!("{s:?}"),
            JKind::Array(a) => format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(",")),
            JKind::Object(o) => format!(
                "{{{}}}",
                o.iter()
                    .map(|p| format!("{}:{}", p.key, show(&p.value)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }

    fn lowered(src: &str) -> String {
        let parsed = crate::frontend::bicep::parse_text(src);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let l = lower(&parsed.file, FileId(0), src.len(), "t.bicep", None);
        show(&l.doc.root)
    }

    #[test]
    fn module_scopes_are_written_as_bicep_does() {
        let t = lowered(
            "module a './a.bicep' = {\n  name: 'a'\n  scope: resourceGroup('s', 'rg')\n}\n\
             module b './a.bicep' = {\n  name: 'b'\n  scope: resourceGroup()\n}\n\
             module c './a.bicep' = {\n  name: 'c'\n  scope: managementGroup('m')\n}\n\
             module e './a.bicep' = {\n  name: 'e'\n  scope: someScope\n}\n",
        );
        assert!(
            t.contains("name:\"a\",subscriptionId:\"s\",resourceGroup:\"rg\","),
            "{t}"
        );
        assert!(t.contains("name:\"b\",properties"), "{t}");
        assert!(
            t.contains("scope:\"[format('Microsoft.Management/managementGroups/{0}', 'm')]\""),
            "{t}"
        );
        assert!(
            t.contains("name:\"e\",scope:\"[bicepNotEvaluated()]\""),
            "{t}"
        );
    }

    #[test]
    fn loops_children_and_references() {
        let t = lowered(
            "param n string = 'x'\n\
             resource pips 'Microsoft.Network/publicIPAddresses@2023-09-01' = [for i in range(0, 2): {\n  name: 'pip-${i}'\n}]\n\
             resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {\n  name: n\n  resource sub 'subnets' = {\n    name: 'a'\n  }\n}\n\
             var id = vnet::sub.id\n\
             var s = 'k=${vnet.properties.x}/${n}'\n\
             var sp = [1, ...[n], 2]\n",
        );
        assert!(
            t.contains("copy:{name:\"pips\",count:\"[length(range(0, 2))]\"}"),
            "{t}"
        );
        assert!(
            t.contains("name:\"[format('pip-{0}', range(0, 2)[copyIndex('pips')])]\""),
            "{t}"
        );
        assert!(
            t.contains("vnet::sub:{type:\"Microsoft.Network/virtualNetworks/subnets\",apiVersion:\"2023-09-01\",name:\"[format('{0}/{1}', parameters('n'), 'a')]\""),
            "{t}"
        );
        assert!(
            t.contains("id:\"[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('n'), 'a')]\""),
            "{t}"
        );
        assert!(
            t.contains("s:\"[format('k={0}/{1}', reference('vnet').x, parameters('n'))]\""),
            "{t}"
        );
        assert!(
            t.contains(
                "sp:\"[concat(createArray(1), createArray(parameters('n')), createArray(2))]\""
            ),
            "{t}"
        );
    }
}
