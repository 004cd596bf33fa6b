//! The Terraform expression evaluator, over the hcl-edit AST (so spans survive).
//!
//! It never fails: anything it cannot decide is [`TVal::Unknown`], and Unknown propagates.
//! Internally evaluation returns `Result<TVal, EvalErr>` so that `try` and `can` see
//! evaluation errors (a missing key, a wrong type); at the top an error becomes Unknown.

mod funcs;
mod ops;
#[cfg(test)]
mod tests;
mod types;

use hcl::edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, Traversal, TraversalOperator,
};
use hcl::edit::template::{Directive, Element, Template};

use super::value::{Piece, TVal, concat_pieces, format_number, piece_of};
use crate::model::{Origin, Partial, Why};

pub use super::value::tval_from_json;
pub use types::convert_to_type;

/// What the evaluator may ask of its surroundings. `None` from any method means "not knowable"
/// and evaluates to Unknown.
pub trait Scope {
    /// `var.<name>`: the variable's value and where it came from (default, tfvars, module input).
    fn var(&self, name: &str) -> Option<(TVal, Option<Origin>)>;
    /// `local.<name>`: the local's value and its origin.
    fn local(&self, name: &str) -> Option<(TVal, Option<Origin>)>;
    /// `module.<module>.<output>`. For a module call with `count`/`for_each`, `module` is written
    /// with its index as in an address: `m[0]`, `m["k"]`.
    fn module_output(&self, module: &str, output: &str) -> Option<TVal>;
    /// A resource of the configuration (`azurerm_subnet.s`): typically a
    /// [`TVal::Runtime`] with an empty path, or a list (count) / map (for_each) of them.
    fn resource(&self, rtype: &str, name: &str) -> Option<TVal>;
    /// `data.<rtype>.<name>`: data sources are Unknown unless the scope says otherwise.
    fn data(&self, rtype: &str, name: &str) -> Option<TVal> {
        let _ = (rtype, name);
        None
    }
    /// A root name bound by the surroundings: `each` (a map with `key` and `value`), `count`
    /// (a map with `index`), a `dynamic` block iterator (`probe`: a map with `key` and `value`),
    /// or any other name a caller binds. For-expression variables are bound by the evaluator
    /// itself and shadow these.
    fn iterator(&self, name: &str) -> Option<TVal>;
    /// `path.<name>` (`path.module`, `path.root`, `path.cwd`).
    fn path_value(&self, name: &str) -> Option<TVal> {
        let _ = name;
        None
    }
}

/// The result of evaluating an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// The value (Unknown when not knowable).
    pub value: TVal,
    /// The origins of the variables and locals that contributed to the value, deduplicated,
    /// in the order first met.
    pub origins: Vec<Origin>,
}

/// Depth of nested expressions beyond which the evaluator answers Unknown.
pub const MAX_DEPTH: usize = 128;

/// An evaluation error (missing key, wrong type): what `try` and `can` catch. At the top it
/// becomes Unknown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EvalErr(pub(crate) String);

impl EvalErr {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        EvalErr(msg.into())
    }
}

pub(crate) type R = Result<TVal, EvalErr>;

/// An Unknown value with a reason (no span: the value's own span stands for it).
fn because(what: String) -> TVal {
    TVal::Unknown(Partial::because(Why::new(what, None)))
}

/// Evaluates an expression. Never panics and never errors: whatever is unsupported or
/// erroneous is Unknown.
pub fn eval(expr: &Expression, scope: &dyn Scope) -> Evaluated {
    let mut ev = Ev::new(scope);
    let value = ev.expr(expr).unwrap_or_else(|_| TVal::unknown());
    Evaluated {
        value,
        origins: ev.origins,
    }
}

/// Evaluates an expression with extra root names bound (they shadow [`Scope::iterator`]), e.g.
/// a `dynamic` block iterator the caller does not want to put in its scope.
pub fn eval_with(expr: &Expression, scope: &dyn Scope, bindings: &[(String, TVal)]) -> Evaluated {
    let mut ev = Ev::new(scope);
    ev.bindings.extend(bindings.iter().cloned());
    let value = ev.expr(expr).unwrap_or_else(|_| TVal::unknown());
    Evaluated {
        value,
        origins: ev.origins,
    }
}

/// The literal text of an expression that is a plain string or a bare identifier (an object
/// key, a `for_each` key written literally); `None` for anything that needs evaluation.
pub fn eval_str_literal_key(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        Expression::Variable(v) => Some(v.as_str().to_string()),
        Expression::Parenthesis(p) => eval_str_literal_key(p.inner()),
        _ => None,
    }
}

/// Parses one HCL expression (a `--var name=value` value). `None` when it does not parse; the
/// caller then takes the text as a plain string.
pub fn parse_expr(src: &str) -> Option<Expression> {
    hcl::edit::parser::parse_expr(src).ok()
}

/// A scope with nothing in it: literals only (variable defaults, tfvars, `optional()` defaults,
/// `--var` values). Every reference evaluates to Unknown.
pub struct EmptyScope;

impl Scope for EmptyScope {
    fn var(&self, _: &str) -> Option<(TVal, Option<Origin>)> {
        None
    }
    fn local(&self, _: &str) -> Option<(TVal, Option<Origin>)> {
        None
    }
    fn module_output(&self, _: &str, _: &str) -> Option<TVal> {
        None
    }
    fn resource(&self, _: &str, _: &str) -> Option<TVal> {
        None
    }
    fn iterator(&self, _: &str) -> Option<TVal> {
        None
    }
}

/// The value of a `--var name=value` argument. Terraform takes the raw text for string
/// variables (`raw_string`), and parses HCL otherwise; text that does not parse, or that
/// refers to anything (`--var env=prod` parses as the reference `prod`), is a plain string.
pub fn cli_var_value(src: &str, raw_string: bool) -> TVal {
    if raw_string {
        return TVal::Str(src.to_string());
    }
    match parse_expr(src.trim()) {
        Some(e) => match Ev::new(&EmptyScope).expr(&e) {
            Ok(v) if v.is_wholly_known() => v,
            _ => TVal::Str(src.to_string()),
        },
        None => TVal::Str(src.to_string()),
    }
}

/// The evaluator's state for one top-level expression.
pub(crate) struct Ev<'s> {
    scope: &'s dyn Scope,
    origins: Vec<Origin>,
    depth: usize,
    /// For-expression and template-for variables, innermost last.
    bindings: Vec<(String, TVal)>,
}

impl<'s> Ev<'s> {
    fn new(scope: &'s dyn Scope) -> Self {
        Ev {
            scope,
            origins: Vec::new(),
            depth: 0,
            bindings: Vec::new(),
        }
    }

    fn add_origin(&mut self, o: Option<Origin>) {
        if let Some(o) = o
            && !self.origins.contains(&o)
        {
            self.origins.push(o);
        }
    }

    /// Runs `f` with extra bindings, removing them afterwards whatever `f` returns.
    fn scoped<T>(&mut self, binds: Vec<(String, TVal)>, f: impl FnOnce(&mut Self) -> T) -> T {
        let mark = self.bindings.len();
        self.bindings.extend(binds);
        let out = f(self);
        self.bindings.truncate(mark);
        out
    }

    pub(crate) fn expr(&mut self, e: &Expression) -> R {
        // Past the unit's time limit everything is Unknown, so the unit ends quickly.
        if self.depth >= MAX_DEPTH || crate::frontend::deadline::expired() {
            return Ok(TVal::unknown());
        }
        self.depth += 1;
        let mut out = self.expr_inner(e);
        self.depth -= 1;
        // Values built here (collections, calls, templates) may grow without bound through
        // chains of locals; a value over the size limit is Unknown.
        if matches!(
            e,
            Expression::Array(_)
                | Expression::Object(_)
                | Expression::FuncCall(_)
                | Expression::ForExpr(_)
                | Expression::BinaryOp(_)
                | Expression::Conditional(_)
        ) && out
            .as_ref()
            .is_ok_and(crate::frontend::terraform::value::too_big)
        {
            out = Ok(TVal::unknown());
        }
        out
    }

    fn expr_inner(&mut self, e: &Expression) -> R {
        match e {
            Expression::Null(_) => Ok(TVal::Null),
            Expression::Bool(b) => Ok(TVal::Bool(*b.value())),
            Expression::Number(n) => Ok(n
                .value()
                .as_f64()
                .filter(|f| f.is_finite())
                .map_or_else(TVal::unknown, TVal::Number)),
            Expression::String(s) => Ok(TVal::Str(s.value().clone())),
            Expression::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for x in a.iter() {
                    out.push(self.expr(x)?);
                }
                Ok(TVal::List(out))
            }
            Expression::Object(o) => self.object(o),
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.expr(p.inner()),
            Expression::Variable(v) => self.root_alone(v.as_str()),
            Expression::Conditional(c) => self.conditional(c),
            Expression::FuncCall(f) => self.func_call(f),
            Expression::Traversal(t) => self.traversal(t),
            Expression::UnaryOp(u) => {
                let v = self.expr(&u.expr)?;
                ops::unary(*u.operator.value(), v)
            }
            Expression::BinaryOp(b) => self.binary(b),
            Expression::ForExpr(f) => self.for_expr(f),
        }
    }

    fn object(&mut self, o: &hcl::edit::expr::Object) -> R {
        let mut out: Vec<(String, TVal)> = Vec::with_capacity(o.len());
        let mut unknown_key = false;
        for (k, v) in o.iter() {
            let key = match k {
                ObjectKey::Ident(id) => TVal::Str(id.as_str().to_string()),
                ObjectKey::Expression(Expression::Variable(id)) => {
                    TVal::Str(id.as_str().to_string())
                }
                ObjectKey::Expression(e) => self.expr(e)?,
            };
            let val = self.expr(v.expr())?;
            if key.is_unknown() {
                unknown_key = true;
                continue;
            }
            let Some(key) = key.to_str_lossy() else {
                return Err(EvalErr::new(format!(
                    "object key must be a string, not {}",
                    key.type_name()
                )));
            };
            if let Some(slot) = out.iter_mut().find(|(k2, _)| *k2 == key) {
                slot.1 = val;
            } else {
                out.push((key, val));
            }
        }
        // An unknown key makes the object's shape unknown, yet the other entries are still
        // evaluated so that their errors and origins are seen.
        if unknown_key {
            return Ok(TVal::unknown());
        }
        Ok(TVal::Map(out))
    }

    fn template(&mut self, t: &Template) -> R {
        // A template that is a single interpolation yields the value itself, unconverted
        // (HCL semantics): "${azurerm_x.y.id}" stays a reference, "${var.list}" a list.
        let mut elems = t.iter();
        if let (Some(Element::Interpolation(i)), None) = (elems.next(), elems.next()) {
            return self.expr(&i.expr);
        }
        let mut pieces = Vec::new();
        self.template_pieces(t, &mut pieces, false)?;
        Ok(concat_pieces(&pieces))
    }

    /// Appends the pieces of a template; `strip_first` trims the leading whitespace of its
    /// first literal (a `~}` just before it).
    fn template_pieces(
        &mut self,
        t: &Template,
        out: &mut Vec<Piece>,
        strip_first: bool,
    ) -> Result<(), EvalErr> {
        if self.depth >= MAX_DEPTH {
            out.push(Piece::Opaque(Partial::default()));
            return Ok(());
        }
        self.depth += 1;
        let r = self.template_pieces_inner(t, out, strip_first);
        self.depth -= 1;
        r
    }

    fn template_pieces_inner(
        &mut self,
        t: &Template,
        out: &mut Vec<Piece>,
        strip_first: bool,
    ) -> Result<(), EvalErr> {
        let mut strip_next = strip_first;
        for el in t.iter() {
            match el {
                Element::Literal(s) => {
                    let text: &str = s.value();
                    let text = if strip_next { text.trim_start() } else { text };
                    strip_next = false;
                    out.push(Piece::Text(text.to_string()));
                }
                Element::Interpolation(i) => {
                    if i.strip.strip_start() {
                        strip_tail(out);
                    }
                    let v = self.expr(&i.expr)?;
                    out.push(interp_piece(&v)?);
                    strip_next = i.strip.strip_end();
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(ifd) => {
                        if ifd.if_expr.strip.strip_start() {
                            strip_tail(out);
                        }
                        let c = self.expr(&ifd.if_expr.cond_expr)?;
                        match c {
                            TVal::Unknown(_) | TVal::Runtime(_) => {
                                out.push(Piece::Opaque(Partial::default()));
                            }
                            other => {
                                let Some(b) = other.as_bool() else {
                                    return Err(EvalErr::new(
                                        "template if condition is not a bool",
                                    ));
                                };
                                if b {
                                    self.template_pieces(
                                        &ifd.if_expr.template,
                                        out,
                                        ifd.if_expr.strip.strip_end(),
                                    )?;
                                    let close = ifd
                                        .else_expr
                                        .as_ref()
                                        .map_or(ifd.endif_expr.strip, |e| e.strip);
                                    if close.strip_start() {
                                        strip_tail(out);
                                    }
                                } else if let Some(e) = &ifd.else_expr {
                                    self.template_pieces(&e.template, out, e.strip.strip_end())?;
                                    if ifd.endif_expr.strip.strip_start() {
                                        strip_tail(out);
                                    }
                                }
                            }
                        }
                        strip_next = ifd.endif_expr.strip.strip_end();
                    }
                    Directive::For(ford) => {
                        let fe = &ford.for_expr;
                        if fe.strip.strip_start() {
                            strip_tail(out);
                        }
                        let coll = self.expr(&fe.collection_expr)?;
                        match iter_items(coll)? {
                            None => out.push(Piece::Opaque(Partial::default())),
                            Some(items) => {
                                for (k, v) in items {
                                    let binds = bind_pair(
                                        fe.key_var.as_ref().map(|k| k.as_str()),
                                        fe.value_var.as_str(),
                                        k,
                                        v,
                                    );
                                    self.scoped(binds, |ev| {
                                        ev.template_pieces(&fe.template, out, fe.strip.strip_end())
                                    })?;
                                    if ford.endfor_expr.strip.strip_start() {
                                        strip_tail(out);
                                    }
                                }
                            }
                        }
                        strip_next = ford.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        Ok(())
    }

    fn conditional(&mut self, c: &hcl::edit::expr::Conditional) -> R {
        let cond = self.expr(&c.cond_expr)?;
        match cond {
            TVal::Unknown(_) | TVal::Runtime(_) => {
                // Both branches are possible: the value is Known only when they agree.
                let mark = self.origins.len();
                let (Ok(a), Ok(b)) = (self.expr(&c.true_expr), self.expr(&c.false_expr)) else {
                    self.origins.truncate(mark);
                    return Ok(TVal::unknown());
                };
                if a.equals(&b) == Some(true) {
                    return Ok(a);
                }
                Ok(TVal::Unknown(common_partial(&a, &b)))
            }
            TVal::Null => Err(EvalErr::new("condition is null")),
            other => match other.as_bool() {
                Some(true) => self.expr(&c.true_expr),
                Some(false) => self.expr(&c.false_expr),
                None => Err(EvalErr::new("condition is not a bool")),
            },
        }
    }

    fn binary(&mut self, b: &hcl::edit::expr::BinaryOp) -> R {
        let op = *b.operator.value();
        let lhs = self.expr(&b.lhs_expr)?;
        match (op, lhs.as_bool(), &lhs) {
            (BinaryOperator::And, Some(false), TVal::Bool(_)) => return Ok(TVal::Bool(false)),
            (BinaryOperator::Or, Some(true), TVal::Bool(_)) => return Ok(TVal::Bool(true)),
            _ => {}
        }
        let rhs = self.expr(&b.rhs_expr)?;
        ops::binary(op, lhs, rhs)
    }

    fn for_expr(&mut self, f: &ForExpr) -> R {
        let coll = self.expr(&f.intro.collection_expr)?;
        let Some(items) = iter_items(coll)? else {
            return Ok(TVal::unknown());
        };
        let kname = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let vname = f.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut map: Vec<(String, TVal)> = Vec::new();
        for (k, v) in items {
            let binds = bind_pair(kname.as_deref(), &vname, k, v);
            let step = self.scoped(binds, |ev| ev.for_step(f))?;
            match step {
                ForStep::Skip => {}
                ForStep::Unknown => return Ok(TVal::unknown()),
                ForStep::Item(None, v) => list.push(v),
                ForStep::Item(Some(key), v) => {
                    if f.grouping {
                        match map.iter_mut().find(|(k2, _)| *k2 == key) {
                            Some((_, TVal::List(group))) => group.push(v),
                            _ => map.push((key, TVal::List(vec![v]))),
                        }
                    } else if map.iter().any(|(k2, _)| *k2 == key) {
                        return Err(EvalErr::new(format!(
                            "duplicate key {key:?} in for expression"
                        )));
                    } else {
                        map.push((key, v));
                    }
                }
            }
        }
        if f.key_expr.is_some() {
            Ok(TVal::Map(map))
        } else {
            Ok(TVal::List(list))
        }
    }

    fn for_step(&mut self, f: &ForExpr) -> Result<ForStep, EvalErr> {
        if let Some(cond) = &f.cond {
            match self.expr(&cond.expr)? {
                TVal::Unknown(_) | TVal::Runtime(_) => return Ok(ForStep::Unknown),
                c => match c.as_bool() {
                    Some(true) => {}
                    Some(false) => return Ok(ForStep::Skip),
                    None => return Err(EvalErr::new("for condition is not a bool")),
                },
            }
        }
        let key = match &f.key_expr {
            None => None,
            Some(ke) => {
                let k = self.expr(ke)?;
                if k.is_unknown() {
                    return Ok(ForStep::Unknown);
                }
                match k.to_str_lossy() {
                    Some(s) => Some(s),
                    None => return Err(EvalErr::new("for expression key is not a string")),
                }
            }
        };
        let v = self.expr(&f.value_expr)?;
        Ok(ForStep::Item(key, v))
    }

    fn func_call(&mut self, f: &FuncCall) -> R {
        if f.name.is_namespaced() {
            return Ok(TVal::unknown());
        }
        let name = f.name.name.as_str();
        match name {
            "try" => return self.try_fn(f),
            "can" => return self.can_fn(f),
            _ => {}
        }
        if !funcs::supported(name) {
            return Ok(because(format!(
                "function `{name}()` is not evaluated by agwlint"
            )));
        }
        let mut args = Vec::with_capacity(f.args.len());
        for a in f.args.iter() {
            args.push(self.expr(a)?);
        }
        let from_arg = args.iter().find_map(|a| match a {
            TVal::Unknown(p) if p.why.is_some() => Some(p.why.clone()),
            _ => None,
        });
        if f.args.expand_final() {
            match args.pop() {
                Some(TVal::List(l)) => args.extend(l),
                Some(TVal::Unknown(_) | TVal::Runtime(_)) => return Ok(TVal::unknown()),
                _ => return Err(EvalErr::new("expanded argument must be a list")),
            }
        }
        let mut v = funcs::call(name, args)?;
        if let TVal::Unknown(p) = &mut v
            && !p.why.is_some()
        {
            p.why = from_arg
                .unwrap_or_else(|| Why::new(format!("`{name}(...)` could not be evaluated"), None));
        }
        Ok(v)
    }

    fn try_fn(&mut self, f: &FuncCall) -> R {
        for a in f.args.iter() {
            let mark = self.origins.len();
            match self.expr(a) {
                Ok(TVal::Unknown(p)) => return Ok(TVal::Unknown(p)),
                Ok(v) => return Ok(v),
                Err(_) => self.origins.truncate(mark),
            }
        }
        Err(EvalErr::new("no argument of try() evaluated without error"))
    }

    fn can_fn(&mut self, f: &FuncCall) -> R {
        let Some(a) = f.args.iter().next() else {
            return Err(EvalErr::new("can() needs one argument"));
        };
        let mark = self.origins.len();
        match self.expr(a) {
            Ok(TVal::Unknown(_)) => Ok(TVal::unknown()),
            Ok(_) => Ok(TVal::Bool(true)),
            Err(_) => {
                self.origins.truncate(mark);
                Ok(TVal::Bool(false))
            }
        }
    }

    /// A bare identifier used as an expression.
    fn root_alone(&mut self, name: &str) -> R {
        if let Some((_, v)) = self.bindings.iter().rev().find(|(n, _)| n == name) {
            return Ok(v.clone());
        }
        Ok(self.scope.iterator(name).unwrap_or_else(TVal::unknown))
    }

    fn traversal(&mut self, t: &Traversal) -> R {
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let (base, used) = match &t.expr {
            Expression::Variable(v) => self.root(v.as_str(), &ops)?,
            other => (self.expr(other)?, 0),
        };
        self.apply_ops(base, &ops[used.min(ops.len())..])
    }

    /// Resolves the root of a traversal; returns the value and how many operators it consumed.
    fn root(&mut self, name: &str, ops: &[&TraversalOperator]) -> Result<(TVal, usize), EvalErr> {
        if let Some((_, v)) = self.bindings.iter().rev().find(|(n, _)| n == name) {
            return Ok((v.clone(), 0));
        }
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        let all = ops.len();
        match name {
            "var" | "local" => {
                let Some(n) = attr(0) else {
                    return Ok((TVal::unknown(), all));
                };
                let got = if name == "var" {
                    self.scope.var(n)
                } else {
                    self.scope.local(n)
                };
                match got {
                    Some((v, o)) => {
                        self.add_origin(o);
                        Ok((v, 1))
                    }
                    None => Ok((because(format!("{name}.{n} is not declared")), all)),
                }
            }
            "module" => {
                let Some(m) = attr(0) else {
                    return Ok((TVal::unknown(), all));
                };
                let (module, next) = match ops.get(1) {
                    Some(TraversalOperator::Index(k)) => match self.expr(k)? {
                        TVal::Str(s) => (format!("{m}[{s:?}]"), 2),
                        TVal::Number(n) => (format!("{m}[{}]", format_number(n)), 2),
                        _ => return Ok((TVal::unknown(), all)),
                    },
                    Some(TraversalOperator::LegacyIndex(i)) => (format!("{m}[{}]", i.value()), 2),
                    _ => (m.to_string(), 1),
                };
                let Some(out) = attr(next) else {
                    return Ok((TVal::unknown(), all));
                };
                match self.scope.module_output(&module, out) {
                    Some(v) => Ok((v, next + 1)),
                    None => Ok((
                        because(format!(
                            "output `{out}` of module `{module}` is not known (the module is not read)"
                        )),
                        all,
                    )),
                }
            }
            "data" => match (attr(0), attr(1)) {
                (Some(t), Some(n)) => match self.scope.data(t, n) {
                    Some(v) => Ok((v, 2)),
                    None => Ok((
                        because(format!("data source `data.{t}.{n}` is read only at apply")),
                        all,
                    )),
                },
                _ => Ok((TVal::unknown(), all)),
            },
            "path" => match attr(0).and_then(|n| self.scope.path_value(n)) {
                Some(v) => Ok((v, 1)),
                None => Ok((TVal::unknown(), all)),
            },
            "terraform" | "self" => Ok((TVal::unknown(), all)),
            _ => {
                if let Some(v) = self.scope.iterator(name) {
                    return Ok((v, 0));
                }
                match attr(0).and_then(|n| self.scope.resource(name, n)) {
                    Some(v) => Ok((v, 1)),
                    // Not in the scan (or not a resource we know): not knowable.
                    None => Ok((
                        because(format!(
                            "`{name}.{}` is not a resource of the scan",
                            attr(0).unwrap_or("?")
                        )),
                        all,
                    )),
                }
            }
        }
    }

    fn apply_ops(&mut self, mut v: TVal, ops: &[&TraversalOperator]) -> R {
        let mut i = 0;
        while i < ops.len() {
            match ops[i] {
                TraversalOperator::GetAttr(a) => v = get_attr(v, a.as_str())?,
                TraversalOperator::Index(k) => {
                    let key = self.expr(k)?;
                    v = index(v, &key)?;
                }
                TraversalOperator::LegacyIndex(n) => {
                    v = index(v, &TVal::Number(*n.value() as f64))?
                }
                TraversalOperator::FullSplat(_) => return self.splat(v, &ops[i + 1..]),
                TraversalOperator::AttrSplat(_) => {
                    let end = ops[i + 1..]
                        .iter()
                        .position(|o| !matches!(o, TraversalOperator::GetAttr(_)))
                        .map_or(ops.len(), |p| i + 1 + p);
                    v = self.splat(v, &ops[i + 1..end])?;
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        Ok(v)
    }

    fn splat(&mut self, v: TVal, rest: &[&TraversalOperator]) -> R {
        match v {
            TVal::Unknown(_) => Ok(TVal::unknown()),
            TVal::Null => Ok(TVal::List(Vec::new())),
            TVal::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(self.apply_ops(x, rest)?);
                }
                Ok(TVal::List(out))
            }
            // A nested attribute of a resource may be a list of unknown length: keep the
            // splat as a path step instead of guessing.
            TVal::Runtime(r) if !r.path.is_empty() => {
                self.apply_ops(TVal::Runtime(r.child("*")), rest)
            }
            other => Ok(TVal::List(vec![self.apply_ops(other, rest)?])),
        }
    }
}

enum ForStep {
    Skip,
    Unknown,
    Item(Option<String>, TVal),
}

/// Trims the trailing whitespace of the last literal piece (a `~` strip marker).
fn strip_tail(out: &mut [Piece]) {
    if let Some(Piece::Text(t)) = out.last_mut() {
        let n = t.trim_end().len();
        t.truncate(n);
    }
}

/// The piece an interpolated value contributes to a template.
fn interp_piece(v: &TVal) -> Result<Piece, EvalErr> {
    match v {
        TVal::Null => Err(EvalErr::new(
            "cannot include a null value in a string template",
        )),
        TVal::List(_) | TVal::Map(_) => Err(EvalErr::new(format!(
            "cannot include a {} in a string template",
            v.type_name()
        ))),
        _ => piece_of(v).ok_or_else(|| EvalErr::new("not a string")),
    }
}

/// The (key, value) pairs a `for` iterates: list index / map key (maps in key order, as
/// Terraform iterates them). `None` when the collection is not knowable.
pub(crate) fn iter_items(coll: TVal) -> Result<Option<Vec<(TVal, TVal)>>, EvalErr> {
    match coll {
        TVal::List(l) => Ok(Some(
            l.into_iter()
                .enumerate()
                .map(|(i, v)| (TVal::Number(i as f64), v))
                .collect(),
        )),
        TVal::Map(mut m) => {
            m.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Some(
                m.into_iter().map(|(k, v)| (TVal::Str(k), v)).collect(),
            ))
        }
        TVal::Unknown(_) | TVal::Runtime(_) => Ok(None),
        other => Err(EvalErr::new(format!(
            "cannot iterate over a {}",
            other.type_name()
        ))),
    }
}

fn bind_pair(kname: Option<&str>, vname: &str, k: TVal, v: TVal) -> Vec<(String, TVal)> {
    let mut b = Vec::with_capacity(2);
    if let Some(kn) = kname {
        b.push((kn.to_string(), k));
    }
    b.push((vname.to_string(), v));
    b
}

/// The attribute `name` of a value.
pub(crate) fn get_attr(v: TVal, name: &str) -> R {
    match v {
        TVal::Map(m) => m
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, x)| x)
            .ok_or_else(|| EvalErr::new(format!("no attribute {name:?}"))),
        TVal::Unknown(p) => Ok(TVal::Unknown(Partial::because(p.why))),
        TVal::Runtime(r) => Ok(TVal::Runtime(r.child(name))),
        other => Err(EvalErr::new(format!(
            "cannot get attribute {name:?} of a {}",
            other.type_name()
        ))),
    }
}

/// `v[key]`.
pub(crate) fn index(v: TVal, key: &TVal) -> R {
    if let TVal::Unknown(p) = key {
        return Ok(TVal::Unknown(Partial::because(p.why.clone())));
    }
    if key.is_unknown() {
        return Ok(TVal::unknown());
    }
    match v {
        TVal::Unknown(p) => Ok(TVal::Unknown(Partial::because(p.why))),
        TVal::Runtime(r) => match key.to_str_lossy() {
            Some(k) => Ok(TVal::Runtime(r.child(k))),
            None => Err(EvalErr::new("invalid index")),
        },
        TVal::List(mut l) => {
            let Some(i) = key.as_i64() else {
                return Err(EvalErr::new("list index must be a whole number"));
            };
            if i < 0 || i as usize >= l.len() {
                return Err(EvalErr::new(format!("index {i} out of range")));
            }
            Ok(l.swap_remove(i as usize))
        }
        TVal::Map(m) => {
            let Some(k) = key.to_str_lossy() else {
                return Err(EvalErr::new("map key must be a string"));
            };
            m.into_iter()
                .find(|(k2, _)| *k2 == k)
                .map(|(_, x)| x)
                .ok_or_else(|| EvalErr::new(format!("no key {k:?}")))
        }
        other => Err(EvalErr::new(format!(
            "cannot index a {}",
            other.type_name()
        ))),
    }
}

/// What two possible strings have in common: their common prefix and common suffix.
fn common_partial(a: &TVal, b: &TVal) -> Partial {
    let ends = |v: &TVal| -> Option<(String, String)> {
        match v {
            TVal::Unknown(p) => Some((p.prefix.clone(), p.suffix.clone())),
            TVal::Str(s) => Some((s.clone(), s.clone())),
            _ => None,
        }
    };
    let (Some((pa, sa)), Some((pb, sb))) = (ends(a), ends(b)) else {
        return Partial::default();
    };
    let prefix: String = pa
        .chars()
        .zip(pb.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect();
    let mut suffix: Vec<char> = sa
        .chars()
        .rev()
        .zip(sb.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect();
    suffix.reverse();
    Partial {
        prefix,
        suffix: suffix.into_iter().collect(),
        ..Partial::default()
    }
}
