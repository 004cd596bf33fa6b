//! The ARM template expression language: `"[concat(parameters('app'), '.azurewebsites.net')]"`.
//!
//! Evaluation is precision-first: anything not knowable before deployment is
//! [`AVal::Unknown`] (keeping the literal text known around it) and Unknown propagates through
//! every function. A wrong argument count or type in a known function gives Unknown too (ARM
//! would fail the deployment, but that is not this linter's finding to make); only syntax
//! errors and references to parameters or variables that do not exist are [`ExprError`]s.

mod collections;
mod funcs;
mod ids;
mod lambda;
pub mod parse;
mod text;

use super::value::{AVal, MAX_VALUE_BYTES, RuntimeRef, size_capped};
use crate::model::{Origin, Partial};
pub use parse::{Expr, MAX_DEPTH};

/// What an expression can look up in the template being evaluated.
pub trait Scope {
    /// The value of parameter `name` and where it came from; `None` when the template has no
    /// such parameter (an error).
    fn parameter(&self, name: &str) -> Option<(AVal, Option<Origin>)>;
    /// The value of variable `name` and where it came from; `None` when there is no such
    /// variable (an error).
    fn variable(&self, name: &str) -> Option<(AVal, Option<Origin>)>;
    /// The current index of the copy loop `loop_name` (the innermost loop when `None`);
    /// `None` outside a copy loop, which makes `copyIndex()` Unknown.
    fn copy_index(&self, loop_name: Option<&str>) -> Option<i64>;
    /// `reference(target)` (`full` for the `'Full'` form): the template layer decides between
    /// a [`AVal::Runtime`] to a resource in the scan, a modelled object, or Unknown.
    fn reference(&self, target: &AVal, full: bool) -> AVal;
    /// The span of the JSON string being evaluated, for the reasons of Unknown values.
    fn here(&self) -> Option<crate::source::Span> {
        None
    }
    /// `resourceInfo(symbol)` of `languageVersion` 2.0 templates.
    fn resource_info(&self, symbol: &str) -> AVal {
        let _ = symbol;
        AVal::unknown()
    }
}

/// An evaluated expression and the parameter / variable origins that contributed to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// The value.
    pub value: AVal,
    /// Origins of the parameters and variables the value was computed from, first use first,
    /// without duplicates.
    pub origins: Vec<Origin>,
}

/// A syntax error, or a reference to a parameter or variable that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// Lower-case message without trailing period.
    pub message: String,
    /// Byte offset within the evaluated string (the whole JSON string value, `[` included).
    pub offset: usize,
}

impl std::fmt::Display for ExprError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExprError {}

/// True when the JSON string `s` is an expression: `[...]`, but not the `[[...` escape.
pub fn is_expression(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[")
}

/// The literal text of a string that is not an expression: `"[[x]"` → `"[x]"`.
pub fn unescape_literal(s: &str) -> String {
    if s.starts_with("[[") && s.ends_with(']') {
        s[1..].to_string()
    } else {
        s.to_string()
    }
}

/// Parses an expression string (`"[...]"`) into its tree, for callers that evaluate it more
/// than once.
pub fn parse_expression(s: &str) -> Result<Expr<'_>, ExprError> {
    if !is_expression(s) {
        return Ok(Expr::Str(unescape_literal(s).into()));
    }
    parse::parse(&s[1..s.len() - 1], 1)
}

/// Evaluates the JSON string value `s`: an expression is evaluated, any other string is a
/// literal (with the `[[` escape removed).
pub fn evaluate(s: &str, scope: &dyn Scope) -> Result<Evaluated, ExprError> {
    let e = parse_expression(s)?;
    evaluate_expr(&e, scope)
}

/// Evaluates a parsed expression.
pub fn evaluate_expr(e: &Expr, scope: &dyn Scope) -> Result<Evaluated, ExprError> {
    let mut ev = Ev {
        scope,
        origins: Vec::new(),
        lambda_vars: Vec::new(),
        lambda_budget: LAMBDA_BUDGET,
        produced: 0,
    };
    let value = ev.eval(e)?;
    Ok(Evaluated {
        value,
        origins: ev.origins,
    })
}

/// The evaluator's state: the scope and the origins met so far.
pub(crate) struct Ev<'a> {
    pub(crate) scope: &'a dyn Scope,
    pub(crate) origins: Vec<Origin>,
    /// Bound lambda parameters, innermost last (`lambdaVariables('x')`).
    pub(crate) lambda_vars: Vec<(String, AVal)>,
    /// Lambda bodies that may still be evaluated: nested `map`s over large ranges must not
    /// hang the linter.
    pub(crate) lambda_budget: usize,
    /// Approximate bytes the function calls of this evaluation returned so far; past
    /// [`MAX_VALUE_BYTES`] every further call is Unknown (bounds memory, e.g. `map` over a
    /// range cloning a large variable).
    pub(crate) produced: usize,
}

/// Lambda body evaluations allowed per [`evaluate`] call; beyond it the result is Unknown.
pub const LAMBDA_BUDGET: usize = 100_000;

impl Ev<'_> {
    pub(crate) fn eval(&mut self, e: &Expr) -> Result<AVal, ExprError> {
        // Past the unit's time limit everything is Unknown, so the unit ends quickly.
        if crate::frontend::deadline::expired() {
            return Ok(AVal::unknown());
        }
        Ok(match e {
            Expr::Str(s) => AVal::Str(s.to_string()),
            Expr::Int(i) => AVal::Int(*i),
            Expr::Member(base, name, _) => {
                let b = self.eval(base)?;
                member(b, name)
            }
            Expr::Index(base, idx, _) => {
                let b = self.eval(base)?;
                let i = self.eval(idx)?;
                index(b, &i)
            }
            Expr::Call { name, args, offset } => {
                if self.produced > MAX_VALUE_BYTES {
                    return Ok(AVal::unknown());
                }
                let v = funcs::call(self, name, args, *offset)?;
                let left = MAX_VALUE_BYTES.saturating_sub(self.produced);
                self.produced = self.produced.saturating_add(size_capped(&v, left));
                if self.produced > MAX_VALUE_BYTES {
                    return Ok(AVal::unknown());
                }
                v
            }
        })
    }

    pub(crate) fn add_origin(&mut self, o: Option<Origin>) {
        if let Some(o) = o
            && !self.origins.contains(&o)
        {
            self.origins.push(o);
        }
    }
}

/// `base.name`: object members case-insensitively; a Runtime reference grows its path; a
/// missing member or any other base is Unknown.
pub fn member(base: AVal, name: &str) -> AVal {
    match base {
        AVal::Object(_) => base.get(name).cloned().unwrap_or_default(),
        AVal::Runtime(mut r) => {
            r.path.push(name.to_string());
            AVal::Runtime(r)
        }
        AVal::Unknown(p) => AVal::Unknown(Box::new(Partial::because(p.why))),
        _ => AVal::unknown(),
    }
}

/// `base[idx]`: array elements by integer, object members by string; Runtime references grow
/// their path (an integer index is pushed as its decimal text).
pub fn index(base: AVal, idx: &AVal) -> AVal {
    match (base, idx) {
        (AVal::Array(a), AVal::Int(i)) => usize::try_from(*i)
            .ok()
            .and_then(|i| a.into_iter().nth(i))
            .unwrap_or_default(),
        (b @ AVal::Object(_), AVal::Str(k)) => b.get(k).cloned().unwrap_or_default(),
        (AVal::Runtime(mut r), AVal::Str(k)) => {
            r.path.push(k.clone());
            AVal::Runtime(r)
        }
        (AVal::Runtime(mut r), AVal::Int(i)) => {
            r.path.push(i.to_string());
            AVal::Runtime(r)
        }
        (AVal::Unknown(p), _) => AVal::Unknown(Box::new(Partial::because(p.why))),
        (_, AVal::Unknown(p)) => AVal::Unknown(Box::new(Partial::because(p.why.clone()))),
        _ => AVal::unknown(),
    }
}

/// Makes a Runtime value for tests and for scopes: `reference` to `rtype`/`name`.
pub fn runtime(rtype: &str, name: &str) -> AVal {
    AVal::Runtime(Box::new(RuntimeRef {
        rtype: rtype.to_string(),
        name: name.to_string(),
        path: Vec::new(),
    }))
}

#[cfg(test)]
mod tests;
