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

use super::parse::{block_span, label, span_of};
use super::value::TVal;
use crate::model::{Origin, UnitId};
use crate::source::{FileId, Span};

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
}

/// One concrete block instance.
#[derive(Clone)]
pub struct Node<'a> {
    /// The body holding the attributes (a static block's body or a `content` block's body).
    pub body: &'a Body,
    /// The file.
    pub file: FileId,
    /// The block (static) or the `content` block (dynamic).
    pub span: Span,
    /// Bindings in force.
    pub binds: Binds,
    /// The module instance.
    pub ev: &'a dyn Evaluator,
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
    pub fn top(block: &'a Block, file: FileId, binds: Binds, ev: &'a dyn Evaluator) -> Self {
        Node {
            body: &block.body,
            file,
            span: block_span(block, file),
            binds,
            ev,
        }
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
        let (expr, span) = self.expr(key)?;
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

    /// The first of the attributes that is written (for renamed attributes: v3/v4/v5 names).
    pub fn attr_any(&self, keys: &[&str]) -> Option<Ev> {
        keys.iter().find_map(|k| self.attr(k))
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
                });
            } else if b.ident.as_str() == "dynamic" && label(b, 0) == Some(name) {
                out.written = true;
                out.first_span.get_or_insert(block_span(b, self.file));
                self.expand_dynamic(b, name, &mut out);
            }
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
        let Some(pairs) = iteration(&coll) else {
            out.unknown.get_or_insert(fe_span);
            return;
        };
        let iter_name = b
            .body
            .get_attribute("iterator")
            .and_then(|a| match &a.value {
                Expression::Variable(v) => Some(v.as_str().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| name.to_string());
        let csp = content.span().map_or(header, |r| Span::new(self.file, r));
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
            });
        }
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
pub fn instances(block: &Block, file: FileId, ev: &dyn Evaluator) -> Instances {
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
