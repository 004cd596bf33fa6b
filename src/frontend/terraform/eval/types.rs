//! Conversion of a value to a variable's declared type (`type = map(object({...}))`), as
//! Terraform converts module inputs, tfvars and defaults: primitives convert (`"30"` → 30 for
//! `number`), object types drop undeclared attributes and fill `optional(T, default)`
//! attributes (a missing or null optional attribute takes its default, or null), sets
//! deduplicate. A value that does not conform is Unknown (Terraform would reject it).

use hcl::edit::expr::{Expression, FuncCall, ObjectKey};

use super::{Ev, EvalErr};
use crate::frontend::terraform::value::{TVal, VALUE_DEPTH, parse_number};

/// Converts `v` to the type constraint `ty` (a `variable` block's `type` expression).
/// Unsupported type expressions leave the value unchanged; non-conforming values are Unknown.
pub fn convert_to_type(v: &TVal, ty: &Expression) -> TVal {
    conv(v, ty, 0).unwrap_or_else(|_| TVal::unknown())
}

fn conv(v: &TVal, ty: &Expression, depth: usize) -> Result<TVal, EvalErr> {
    if depth > VALUE_DEPTH {
        return Ok(TVal::unknown());
    }
    if matches!(v, TVal::Unknown(_) | TVal::Runtime(_)) {
        return Ok(v.clone());
    }
    match ty {
        Expression::Parenthesis(p) => conv(v, p.inner(), depth + 1),
        Expression::Variable(id) => primitive(v, id.as_str()),
        Expression::FuncCall(f) if !f.name.is_namespaced() => complex(v, f, depth),
        _ => Ok(v.clone()),
    }
}

fn primitive(v: &TVal, name: &str) -> Result<TVal, EvalErr> {
    if v.is_null() {
        return Ok(TVal::Null);
    }
    let bad = || EvalErr::new(format!("a {} is not a {name}", v.type_name()));
    match name {
        "any" => Ok(v.clone()),
        "string" => v.to_str_lossy().map(TVal::Str).ok_or_else(bad),
        "number" => match v {
            TVal::Number(n) => Ok(TVal::Number(*n)),
            TVal::Str(s) => parse_number(s).map(TVal::Number).ok_or_else(bad),
            _ => Err(bad()),
        },
        "bool" => match v {
            TVal::Bool(_) | TVal::Str(_) => v.as_bool().map(TVal::Bool).ok_or_else(bad),
            _ => Err(bad()),
        },
        _ => Ok(v.clone()),
    }
}

fn arg(f: &FuncCall, i: usize) -> Option<&Expression> {
    f.args.iter().nth(i)
}

fn complex(v: &TVal, f: &FuncCall, depth: usize) -> Result<TVal, EvalErr> {
    if v.is_null() {
        return Ok(TVal::Null);
    }
    let name = f.name.name.as_str();
    match name {
        "list" | "set" => {
            let TVal::List(items) = v else {
                return Err(EvalErr::new(format!("a {} is not a {name}", v.type_name())));
            };
            let el = arg(f, 0);
            let mut out = Vec::with_capacity(items.len());
            for x in items {
                out.push(match el {
                    Some(t) => conv(x, t, depth + 1)?,
                    None => x.clone(),
                });
            }
            if name == "set" {
                return super::funcs::call("toset", vec![TVal::List(out)]);
            }
            Ok(TVal::List(out))
        }
        "map" => {
            let TVal::Map(m) = v else {
                return Err(EvalErr::new(format!("a {} is not a map", v.type_name())));
            };
            let el = arg(f, 0);
            let mut out = Vec::with_capacity(m.len());
            for (k, x) in m {
                out.push((
                    k.clone(),
                    match el {
                        Some(t) => conv(x, t, depth + 1)?,
                        None => x.clone(),
                    },
                ));
            }
            Ok(TVal::Map(out))
        }
        "tuple" => {
            let (TVal::List(items), Some(Expression::Array(types))) = (v, arg(f, 0)) else {
                return Err(EvalErr::new("not a tuple"));
            };
            if items.len() != types.len() {
                return Err(EvalErr::new("tuple length differs"));
            }
            let mut out = Vec::with_capacity(items.len());
            for (x, t) in items.iter().zip(types.iter()) {
                out.push(conv(x, t, depth + 1)?);
            }
            Ok(TVal::List(out))
        }
        "object" => {
            let TVal::Map(m) = v else {
                return Err(EvalErr::new(format!(
                    "a {} is not an object",
                    v.type_name()
                )));
            };
            let Some(Expression::Object(attrs)) = arg(f, 0) else {
                return Ok(v.clone());
            };
            let mut out = Vec::with_capacity(attrs.len());
            for (k, t) in attrs.iter() {
                let key = match k {
                    ObjectKey::Ident(id) => id.as_str().to_string(),
                    ObjectKey::Expression(Expression::Variable(id)) => id.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                    ObjectKey::Expression(_) => return Ok(v.clone()),
                };
                let given = m.iter().find(|(k2, _)| *k2 == key).map(|(_, x)| x);
                let t = t.expr();
                let (inner, default, optional) = match t {
                    Expression::FuncCall(o)
                        if !o.name.is_namespaced() && o.name.name.as_str() == "optional" =>
                    {
                        (arg(o, 0), arg(o, 1), true)
                    }
                    other => (Some(other), None, false),
                };
                let value = match given {
                    Some(x) if !x.is_null() => x.clone(),
                    _ if optional => match default {
                        Some(d) => literal(d)?,
                        None => TVal::Null,
                    },
                    Some(x) => x.clone(),
                    None => {
                        return Err(EvalErr::new(format!("attribute {key:?} is required")));
                    }
                };
                let value = match inner {
                    Some(t) => conv(&value, t, depth + 1)?,
                    None => value,
                };
                out.push((key, value));
            }
            Ok(TVal::Map(out))
        }
        _ => Ok(v.clone()),
    }
}

/// Evaluates an `optional()` default, which Terraform requires to be a literal.
fn literal(e: &Expression) -> Result<TVal, EvalErr> {
    Ev::new(&super::EmptyScope).expr(e)
}
