//! Expansion: `dynamic` blocks (with `.key` / `.value`, custom `iterator`, nesting), and the
//! `count` / `for_each` meta-arguments of resources and modules.
//!
//! A [`Node`] is one concrete block instance: a static block, or the `content` of one iteration
//! of a `dynamic` block, with the iterator bindings in force. Attributes are evaluated lazily
//! through the module instance ([`Evaluator`]), so only what the mapper reads is evaluated.

use hcl::edit::Span as _;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Body};
use hcl::edit::visit::Visit;

use super::parse::{Src, block_span, label, span_of};
use super::value::TVal;
use crate::model::{Origin, UnitId};
use crate::source::Span;

/// Most instances one `count`, `for_each` or `dynamic` produces (bounds work on hostile input).
pub const MAX_INSTANCES: usize = 4096;

/// Iterator bindings in force for a block: `count.index`, `each.*`, and `dynamic` iterators
/// (innermost last).
#[derive(Debug, Clone, Default)]
pub struct Binds {
    /// `count.index` of the resource or module instance.
    pub count: Option<TVal>,
    /// `each.key` and `each.value`.
    pub each: Option<(TVal, TVal)>,
    /// `dynamic` iterators: name, key, value.
    pub iters: Vec<(String, TVal, TVal)>,
    /// Origins of the collections iterated, by the name that reads them (`each`, `count`, an
    /// iterator): a value read through that name came from there too.
    pub origins: Vec<(String, Vec<Origin>)>,
}

impl Binds {
    /// The innermost `dynamic` iterator called `name`: (key, value).
    pub fn iterator(&self, name: &str) -> Option<(&TVal, &TVal)> {
        self.iters
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, k, v)| (k, v))
    }
}

/// An evaluated attribute.
#[derive(Debug, Clone)]
pub struct Ev {
    /// The value.
    pub value: TVal,
    /// Where it came from (variable defaults, tfvars, module inputs).
    pub origins: Vec<Origin>,
    /// The attribute's value expression.
    pub span: Span,
    /// Per-element spans when the expression is a literal list (`["a", "b"]`).
    pub elems: Vec<Span>,
}

/// Evaluates expressions in a module instance with some bindings.
pub trait Evaluator {
    /// Evaluates `expr`; never fails (what cannot be evaluated is Unknown).
    fn eval_expr(&self, expr: &Expression, binds: &Binds) -> (TVal, Vec<Origin>);
    /// Evaluates again an expression that was Unknown, this time reading the literal
    /// attributes of the resources it references (`"${azurerm_virtual_network.x.name}-beap"`).
    /// `None` when that does not apply or does not give a wholly Known value.
    fn eval_resolving(&self, expr: &Expression, binds: &Binds) -> Option<(TVal, Vec<Origin>)> {
        let _ = (expr, binds);
        None
    }
    /// The unit being loaded.
    fn unit(&self) -> UnitId;
    /// What `local.NAME` (`root` = "local") is written as, or the `type` of `var.NAME`; for
    /// telling a list from a set by syntax.
    fn definition(&self, root: &str, name: &str) -> Option<Def<'_>> {
        let _ = (root, name);
        None
    }
}

/// The definition of a local or a variable (see [`Evaluator::definition`]).
pub enum Def<'a> {
    /// A local's expression.
    Local(&'a Expression),
    /// A variable's `type` (`None`: not written).
    VarType(Option<&'a Expression>),
}

/// One concrete block instance.
#[derive(Clone)]
pub struct Node<'a> {
    /// The body holding the attributes (a static block's body or a `content` block's body).
    pub body: &'a Body,
    /// The file (and the offset of the tree's spans in it).
    pub file: Src,
    /// The block (static) or the `content` block (dynamic).
    pub span: Span,
    /// Bindings in force.
    pub binds: Binds,
    /// The module instance.
    pub ev: &'a dyn Evaluator,
    /// Set by [`Node::checked`] when the block has an attribute the mapper does not know
    /// (another provider version's name, a newer schema): the attribute. Attributes that are
    /// not written then read as Unknown, never as Absent (the unknown one may mean them).
    pub alien: Option<(Span, String)>,
    /// The planned values of this block instance in a plan JSON, with the origin label of
    /// values taken from it: an attribute the source leaves Unknown takes the plan's Known
    /// value ("source first, plan fills"); a resource reference is never replaced.
    pub plan: Option<(&'a TVal, std::rc::Rc<Origin>)>,
}

/// The instances of a nested block type.
pub struct Blocks<'a> {
    /// Known instances, in order (static blocks and expanded dynamic ones).
    pub items: Vec<Node<'a>>,
    /// Set when a `dynamic` block iterates an Unknown collection: the whole collection is
    /// then Unknown. The span is the `for_each` expression.
    pub unknown: Option<Span>,
    /// True when any block (static or dynamic) of that type is written.
    pub written: bool,
    /// The first block written (static or dynamic), for spans of empty collections.
    pub first_span: Option<Span>,
}

/// The elements a collection iterates: (key, value) pairs, `None` when Unknown.
pub fn iteration(v: &TVal) -> Option<Vec<(TVal, TVal)>> {
    match v {
        TVal::List(items) => Some(
            items
                .iter()
                .take(MAX_INSTANCES)
                .enumerate()
                .map(|(i, x)| (TVal::Number(i as f64), x.clone()))
                .collect(),
        ),
        TVal::Map(m) => Some(
            m.iter()
                .take(MAX_INSTANCES)
                .map(|(k, x)| (TVal::Str(k.clone()), x.clone()))
                .collect(),
        ),
        TVal::Null => Some(Vec::new()),
        _ => None,
    }
}

impl<'a> Node<'a> {
    /// A node for a top-level block.
    pub fn top(
        block: &'a Block,
        file: impl Into<Src>,
        binds: Binds,
        ev: &'a dyn Evaluator,
    ) -> Self {
        let file = file.into();
        Node {
            body: &block.body,
            file,
            span: block_span(block, file),
            binds,
            ev,
            alien: None,
            plan: None,
        }
    }

    /// The same node, marked when it has an attribute that is not in `known` (every name the
    /// block has in any provider version agwlint maps; `id` and nested blocks are not
    /// attributes of concern).
    pub fn checked(&self, known: &[&str]) -> Node<'a> {
        let mut n = self.clone();
        n.alien = self
            .body
            .attributes()
            .find(|a| {
                let k = a.key.as_str();
                k != "id" && !known.contains(&k)
            })
            .map(|a| (span_of(a, self.file, self.span), a.key.as_str().to_string()));
        n
    }

    /// The unit being loaded.
    pub fn unit(&self) -> UnitId {
        self.ev.unit()
    }

    /// The raw expression and span of an attribute.
    pub fn expr(&self, key: &str) -> Option<(&'a Expression, Span)> {
        let a = self.body.get_attribute(key)?;
        Some((&a.value, span_of(&a.value, self.file, self.span)))
    }

    /// Evaluates an expression in this node's scope.
    pub fn eval(&self, expr: &Expression) -> (TVal, Vec<Origin>) {
        self.ev.eval_expr(expr, &self.binds)
    }

    /// Evaluates an attribute. `None` when it is not written.
    pub fn attr(&self, key: &str) -> Option<Ev> {
        let Some((expr, span)) = self.expr(key) else {
            return self.alien.as_ref().map(|(sp, name)| Ev {
                value: TVal::Unknown(crate::model::Partial::because(crate::model::Why::new(
                    format!(
                        "the block has attribute `{name}`, which agwlint does not map, so `{key}` may be set through it"
                    ),
                    Some(*sp),
                ))),
                origins: Vec::new(),
                span: *sp,
                elems: Vec::new(),
            });
        };
        let (mut value, mut origins) = self.eval(expr);
        if let TVal::Unknown(_) = value
            && let Some((v, o)) = self.ev.eval_resolving(expr, &self.binds)
        {
            value = v;
            origins = o;
        }
        if !self.binds.origins.is_empty() {
            let mut names = Idents(Vec::new());
            names.visit_expr(expr);
            for (n, os) in &self.binds.origins {
                if names.0.iter().any(|x| x == n) {
                    for o in os {
                        if !origins.contains(o) {
                            origins.push(o.clone());
                        }
                    }
                }
            }
        }
        if let TVal::Unknown(_) = value
            && let Some((pv, origin)) = self.planned(key)
        {
            value = pv.clone();
            if !origins.contains(origin) {
                origins.push(origin.clone());
            }
        }
        let elems = match expr {
            Expression::Array(a) => a.iter().map(|e| span_of(e, self.file, span)).collect(),
            _ => Vec::new(),
        };
        Some(Ev {
            value,
            origins,
            span,
            elems,
        })
    }

    /// The plan's Known value of an attribute of this block instance, when it says more than
    /// the provider's zero value (`""`, null: the plan writes those for attributes not set).
    fn planned(&self, key: &str) -> Option<(&'a TVal, &Origin)> {
        let (tree, origin) = self.plan.as_ref()?;
        let v = tree.get(key)?;
        let useful = match v {
            TVal::Null | TVal::Unknown(_) | TVal::Runtime(_) => false,
            TVal::Str(s) => !s.is_empty(),
            _ => true,
        };
        useful.then_some((v, origin.as_ref()))
    }

    /// The plan's elements of nested blocks `name` (a list; `None` without a plan or when the
    /// plan does not know them).
    fn planned_blocks(&self, name: &str) -> Option<&'a [TVal]> {
        let (tree, _) = self.plan.as_ref()?;
        tree.get(name)?.as_list()
    }

    /// Attaches to `item` (a block `name` of this node) its element in the plan: the one with
    /// the same `name`; or the only one when the source writes one block of that type.
    fn attach_plan(&self, item: &mut Node<'a>, name: &str, only: bool) {
        let Some(elems) = self.planned_blocks(name) else {
            return;
        };
        let Some((_, origin)) = &self.plan else {
            return;
        };
        let own = item
            .body
            .get_attribute("name")
            .map(|a| item.eval(&a.value).0);
        let found = match own {
            Some(TVal::Str(n)) => elems
                .iter()
                .find(|e| e.get("name").and_then(TVal::as_str) == Some(n.as_str())),
            _ if only && elems.len() == 1 => elems.first(),
            _ => None,
        };
        if let Some(e) = found {
            item.plan = Some((e, origin.clone()));
        }
    }

    /// The first of the attributes that is written (for renamed attributes: v3/v4/v5 names).
    pub fn attr_any(&self, keys: &[&str]) -> Option<Ev> {
        match keys.iter().find(|k| self.body.has_attribute(k)) {
            Some(k) => self.attr(k),
            None => keys.first().and_then(|k| self.attr(k)),
        }
    }

    /// The instances of nested blocks of type `name`, static and `dynamic`, in source order.
    pub fn blocks(&self, name: &str) -> Blocks<'a> {
        let mut out = Blocks {
            items: Vec::new(),
            unknown: None,
            written: false,
            first_span: None,
        };
        for b in self.body.blocks() {
            if b.ident.as_str() == name && b.labels.is_empty() {
                out.written = true;
                let sp = block_span(b, self.file);
                out.first_span.get_or_insert(sp);
                out.items.push(Node {
                    body: &b.body,
                    file: self.file,
                    span: sp,
                    binds: self.binds.clone(),
                    ev: self.ev,
                    alien: None,
                    plan: None,
                });
            } else if b.ident.as_str() == "dynamic" && label(b, 0) == Some(name) {
                out.written = true;
                out.first_span.get_or_insert(block_span(b, self.file));
                self.expand_dynamic(b, name, &mut out);
            }
        }
        if self.plan.is_some() {
            let only = out.items.len() == 1 && out.unknown.is_none();
            let mut items = std::mem::take(&mut out.items);
            for it in &mut items {
                if it.plan.is_none() {
                    self.attach_plan(it, name, only);
                }
            }
            out.items = items;
        }
        out
    }

    fn expand_dynamic(&self, b: &'a Block, name: &str, out: &mut Blocks<'a>) {
        let header = block_span(b, self.file);
        let Some(content) = b.body.get_blocks("content").next() else {
            // No content: Terraform rejects it; nothing to model.
            return;
        };
        let Some(fe) = b.body.get_attribute("for_each") else {
            out.unknown.get_or_insert(header);
            return;
        };
        let fe_span = span_of(&fe.value, self.file, header);
        let (coll, fe_origins) = self.eval(&fe.value);
        let Some(mut pairs) = iteration(&coll) else {
            let csp = content.span().map_or(header, |r| self.file.span(r));
            if !self.expand_from_plan(&content.body, name, b, csp, out) {
                out.unknown.get_or_insert(fe_span);
            }
            return;
        };
        // Lists and sets are both lists here; the key of a set element is the element itself.
        if matches!(coll, TVal::List(_)) {
            match list_keys(&fe.value, self.ev, 0) {
                ListKeys::Index | ListKeys::Any => {}
                ListKeys::Value => {
                    for (k, v) in &mut pairs {
                        *k = v.clone();
                    }
                }
                ListKeys::Unknown => {
                    let why = crate::model::Why::new(
                        "the key of a `dynamic` block over a list or set that is not written here: an index for a list, the element for a set",
                        Some(fe_span),
                    );
                    for (k, _) in &mut pairs {
                        *k = TVal::Unknown(crate::model::Partial::because(why.clone()));
                    }
                }
            }
        }
        let iter_name = b
            .body
            .get_attribute("iterator")
            .and_then(|a| match &a.value {
                Expression::Variable(v) => Some(v.as_str().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| name.to_string());
        let csp = content.span().map_or(header, |r| self.file.span(r));
        for (k, v) in pairs {
            let mut binds = self.binds.clone();
            binds.iters.push((iter_name.clone(), k, v));
            if !fe_origins.is_empty() {
                binds.origins.push((iter_name.clone(), fe_origins.clone()));
            }
            out.items.push(Node {
                body: &content.body,
                file: self.file,
                span: csp,
                binds,
                ev: self.ev,
                alien: None,
                plan: None,
            });
        }
    }

    /// A `dynamic` block over a collection the source does not know, expanded from the plan:
    /// one instance per planned element, the iterator Unknown, each attribute filled from its
    /// element. False when the plan does not know the elements (or there is no plan); a
    /// `dynamic` block of the same type written beside static ones is not expanded this way
    /// (its elements cannot be told apart from theirs).
    fn expand_from_plan(
        &self,
        content: &'a Body,
        name: &str,
        dynamic: &Block,
        csp: Span,
        out: &mut Blocks<'a>,
    ) -> bool {
        let Some((_, origin)) = &self.plan else {
            return false;
        };
        let Some(elems) = self.planned_blocks(name) else {
            return false;
        };
        let same_type = self
            .body
            .blocks()
            .filter(|x| {
                (x.ident.as_str() == name && x.labels.is_empty())
                    || (x.ident.as_str() == "dynamic" && label(x, 0) == Some(name))
            })
            .count();
        if same_type != 1 {
            return false;
        }
        let iter_name = dynamic
            .body
            .get_attribute("iterator")
            .and_then(|a| match &a.value {
                Expression::Variable(v) => Some(v.as_str().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| name.to_string());
        for e in elems {
            let mut binds = self.binds.clone();
            binds
                .iters
                .push((iter_name.clone(), TVal::unknown(), TVal::unknown()));
            out.items.push(Node {
                body: content,
                file: self.file,
                span: csp,
                binds,
                ev: self.ev,
                alien: None,
                plan: Some((e, origin.clone())),
            });
        }
        true
    }

    /// The single nested block `name`: `Ok(None)` when not written, `Err(span)` when Unknown
    /// (a dynamic block over an Unknown collection).
    pub fn block(&self, name: &str) -> Result<Option<Node<'a>>, Span> {
        let bs = self.blocks(name);
        if let Some(sp) = bs.unknown {
            return Err(sp);
        }
        Ok(bs.items.into_iter().next())
    }
}

/// What `.key` is when a `dynamic` block iterates a list-like value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListKeys {
    /// A list or tuple: the index.
    Index,
    /// A set: the element.
    Value,
    /// An empty literal: either.
    Any,
    /// Not visible from the expression (a variable, a local).
    Unknown,
}

/// Whether a `for_each` expression writes a list or a set, from its syntax.
fn list_keys(e: &Expression, ev: &dyn Evaluator, depth: usize) -> ListKeys {
    if depth > 32 {
        return ListKeys::Unknown;
    }
    match e {
        Expression::Array(a) if a.is_empty() => ListKeys::Any,
        Expression::Array(_) => ListKeys::Index,
        Expression::ForExpr(f) if f.key_expr.is_none() => ListKeys::Index,
        Expression::Parenthesis(p) => list_keys(p.inner(), ev, depth + 1),
        Expression::Conditional(c) => {
            match (
                list_keys(&c.true_expr, ev, depth + 1),
                list_keys(&c.false_expr, ev, depth + 1),
            ) {
                (ListKeys::Any, x) | (x, ListKeys::Any) => x,
                (x, y) if x == y => x,
                _ => ListKeys::Unknown,
            }
        }
        Expression::FuncCall(f) if !f.name.is_namespaced() => match f.name.name.as_str() {
            "toset" | "setunion" | "setintersection" | "setsubtract" | "setproduct" => {
                ListKeys::Value
            }
            "tolist" | "concat" | "flatten" | "range" | "compact" | "slice" | "reverse"
            | "sort" | "distinct" | "split" | "keys" | "values" | "formatlist" | "chunklist"
            | "coalescelist" => ListKeys::Index,
            _ => ListKeys::Unknown,
        },
        Expression::Traversal(t) => {
            use hcl::edit::expr::TraversalOperator as Op;
            let (Expression::Variable(root), [op]) = (&t.expr, t.operators.as_slice()) else {
                return ListKeys::Unknown;
            };
            let Op::GetAttr(name) = op.value() else {
                return ListKeys::Unknown;
            };
            match ev.definition(root.as_str(), name.as_str()) {
                Some(Def::Local(x)) => list_keys(x, ev, depth + 1),
                Some(Def::VarType(Some(ty))) => type_keys(ty),
                _ => ListKeys::Unknown,
            }
        }
        _ => ListKeys::Unknown,
    }
}

/// List or set from a variable's type constraint.
fn type_keys(ty: &Expression) -> ListKeys {
    match ty {
        Expression::FuncCall(f) if !f.name.is_namespaced() => match f.name.name.as_str() {
            "list" | "tuple" => ListKeys::Index,
            "set" => ListKeys::Value,
            _ => ListKeys::Unknown,
        },
        Expression::Parenthesis(p) => type_keys(p.inner()),
        _ => ListKeys::Unknown,
    }
}

/// Collects identifiers (roots of traversals, among others) of an expression.
struct Idents(Vec<String>);

impl Visit for Idents {
    fn visit_ident(&mut self, node: &hcl::edit::Decorated<hcl::edit::Ident>) {
        if self.0.len() < 256 {
            self.0.push(node.as_str().to_string());
        }
    }
}

/// The instances of a resource or module block from its `count` / `for_each`.
pub struct Instances {
    /// (address suffix such as `[0]` / `["k"]` / empty, bindings).
    pub items: Vec<(String, Binds)>,
    /// Set when the count or collection is Unknown: one instance with Unknown index/key was
    /// produced. The span is the meta-argument.
    pub unknown: Option<Span>,
}

/// Quotes a `for_each` key the way Terraform prints addresses: `["key"]`.
pub fn key_suffix(k: &TVal) -> String {
    match k {
        TVal::Str(s) => format!("[{}]", serde_json::Value::String(s.clone())),
        TVal::Number(n) => format!("[{}]", super::value::format_number(*n)),
        _ => "[?]".to_string(),
    }
}

/// Expands `count` / `for_each` of a block whose meta-arguments evaluate through `ev`.
pub fn instances(block: &Block, file: impl Into<Src>, ev: &dyn Evaluator) -> Instances {
    let file = file.into();
    let fallback = block_span(block, file);
    if let Some(c) = block.body.get_attribute("count") {
        let sp = span_of(&c.value, file, fallback);
        let (v, os) = ev.eval_expr(&c.value, &Binds::default());
        let origins = if os.is_empty() {
            Vec::new()
        } else {
            vec![("count".to_string(), os)]
        };
        return match v.as_i64() {
            Some(n) => Instances {
                items: (0..n.clamp(0, MAX_INSTANCES as i64))
                    .map(|i| {
                        (
                            format!("[{i}]"),
                            Binds {
                                count: Some(TVal::Number(i as f64)),
                                origins: origins.clone(),
                                ..Binds::default()
                            },
                        )
                    })
                    .collect(),
                unknown: None,
            },
            None => Instances {
                items: vec![(
                    "[?]".to_string(),
                    Binds {
                        count: Some(TVal::unknown()),
                        ..Binds::default()
                    },
                )],
                unknown: Some(sp),
            },
        };
    }
    if let Some(f) = block.body.get_attribute("for_each") {
        let sp = span_of(&f.value, file, fallback);
        let (v, os) = ev.eval_expr(&f.value, &Binds::default());
        let origins = if os.is_empty() {
            Vec::new()
        } else {
            vec![("each".to_string(), os)]
        };
        let pairs = match &v {
            // A set of strings: key and value are the element.
            TVal::List(items) => Some(
                items
                    .iter()
                    .take(MAX_INSTANCES)
                    .map(|x| (x.clone(), x.clone()))
                    .collect::<Vec<_>>(),
            ),
            other => iteration(other),
        };
        return match pairs {
            Some(p) => Instances {
                items: p
                    .into_iter()
                    .map(|(k, x)| {
                        (
                            key_suffix(&k),
                            Binds {
                                each: Some((k, x)),
                                origins: origins.clone(),
                                ..Binds::default()
                            },
                        )
                    })
                    .collect(),
                unknown: None,
            },
            None => Instances {
                items: vec![(
                    "[?]".to_string(),
                    Binds {
                        each: Some((TVal::unknown(), TVal::unknown())),
                        ..Binds::default()
                    },
                )],
                unknown: Some(sp),
            },
        };
    }
    Instances {
        items: vec![(String::new(), Binds::default())],
        unknown: None,
    }
}
