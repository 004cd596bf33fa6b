//! Variable type constraints applied to the values a variable receives, as Terraform converts
//! them: missing `optional(...)` object attributes become null (or their default), object
//! attributes not in the type are dropped, and primitives convert (`"2"` → `2` for a number).
//! Without this, `each.value.fqdns` on an AVM-style `optional(set(string))` would be an error
//! (Unknown) instead of null (Absent).

use hcl::edit::expr::{Expression, ObjectKey};

use super::module::Empty;
use super::value::TVal;

/// Deepest type nesting followed.
const MAX_DEPTH: usize = 32;

/// Converts `v` to the type written as `ty`. Unknown and Runtime values pass through; a value
/// that does not fit is left as it is (Terraform would reject it; we do not guess).
pub fn conform(v: TVal, ty: &Expression) -> TVal {
    conform_at(v, ty, 0)
}

fn conform_at(v: TVal, ty: &Expression, depth: usize) -> TVal {
    if depth > MAX_DEPTH || matches!(v, TVal::Unknown(_) | TVal::Runtime(_) | TVal::Null) {
        return v;
    }
    match ty {
        Expression::Variable(t) => primitive(v, t.as_str()),
        Expression::Parenthesis(p) => conform_at(v, p.inner(), depth + 1),
        Expression::FuncCall(f) => {
            let arg = f.args.get(0);
            match (f.name.name.as_str(), arg) {
                ("list" | "set", Some(t)) => match v {
                    TVal::List(items) => TVal::List(
                        items
                            .into_iter()
                            .map(|x| conform_at(x, t, depth + 1))
                            .collect(),
                    ),
                    other => other,
                },
                ("map", Some(t)) => match v {
                    TVal::Map(m) => TVal::Map(
                        m.into_iter()
                            .map(|(k, x)| (k, conform_at(x, t, depth + 1)))
                            .collect(),
                    ),
                    other => other,
                },
                ("tuple", Some(Expression::Array(ts))) => match v {
                    TVal::List(items) if items.len() == ts.len() => TVal::List(
                        items
                            .into_iter()
                            .zip(ts.iter())
                            .map(|(x, t)| conform_at(x, t, depth + 1))
                            .collect(),
                    ),
                    other => other,
                },
                ("object", Some(Expression::Object(o))) => match v {
                    TVal::Map(m) => {
                        let mut out = Vec::new();
                        for (k, ov) in o.iter() {
                            let key = match k {
                                ObjectKey::Ident(i) => i.as_str().to_string(),
                                ObjectKey::Expression(Expression::String(s)) => {
                                    s.as_str().to_string()
                                }
                                // A computed key in a type: give up on the whole object.
                                ObjectKey::Expression(_) => return TVal::Map(m),
                            };
                            let aty = ov.expr();
                            let (inner, optional_default) = match aty {
                                Expression::FuncCall(f) if f.name.name.as_str() == "optional" => {
                                    (f.args.get(0), Some(f.args.get(1)))
                                }
                                other => (Some(other), None),
                            };
                            let given = m.iter().find(|(mk, _)| *mk == key).map(|(_, x)| x);
                            let val = match (given, optional_default) {
                                (Some(x), _) if !x.is_null() || optional_default.is_none() => {
                                    match inner {
                                        Some(t) => conform_at(x.clone(), t, depth + 1),
                                        None => x.clone(),
                                    }
                                }
                                (_, Some(Some(def))) => {
                                    let d = super::eval::eval(def, &Empty).value;
                                    match inner {
                                        Some(t) => conform_at(d, t, depth + 1),
                                        None => d,
                                    }
                                }
                                (_, Some(None)) => TVal::Null,
                                // A required attribute missing: Terraform rejects the value.
                                (None, None) => TVal::unknown(),
                                (Some(x), None) => x.clone(),
                            };
                            out.push((key, val));
                        }
                        TVal::Map(out)
                    }
                    other => other,
                },
                _ => v,
            }
        }
        _ => v,
    }
}

fn primitive(v: TVal, t: &str) -> TVal {
    match (t, &v) {
        ("number", TVal::Str(s)) => s.trim().parse::<f64>().map_or(v.clone(), TVal::Number),
        ("bool", TVal::Str(s)) if s == "true" => TVal::Bool(true),
        ("bool", TVal::Str(s)) if s == "false" => TVal::Bool(false),
        ("string", TVal::Number(_) | TVal::Bool(_)) => v.to_str_lossy().map_or(v, TVal::Str),
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> Expression {
        hcl::edit::parser::parse_expr(s).unwrap()
    }

    #[test]
    fn optional_attributes_become_null_or_default() {
        let v = TVal::Map(vec![(
            "a".into(),
            TVal::Map(vec![
                ("name".into(), TVal::Str("p".into())),
                ("extra".into(), TVal::Bool(true)),
            ]),
        )]);
        let t = ty(
            "map(object({ name = string, fqdns = optional(set(string)), port = optional(number, 443) }))",
        );
        let out = conform(v, &t);
        let a = out.get("a").unwrap();
        assert_eq!(a.get("fqdns"), Some(&TVal::Null));
        assert_eq!(a.get("port"), Some(&TVal::Number(443.0)));
        assert_eq!(a.get("extra"), None);
        assert_eq!(conform(TVal::Str("2".into()), &ty("number")), TVal::Number(2.0));
        assert!(conform(TVal::unknown(), &t).is_unknown());
    }
}
