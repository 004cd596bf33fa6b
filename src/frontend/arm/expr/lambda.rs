//! Lambda functions (`map`, `filter`, `reduce`, `toObject`) over Known arrays.

use super::funcs::{int_len, unknown};
use super::{Ev, Expr, ExprError};
use crate::frontend::arm::value::AVal;

/// `map`, `filter`, `reduce` and `toObject` over a Known array, with the lambda's body
/// evaluated once per element; Unknown when the array is not Known or a lambda is malformed.
pub(super) fn lambda_call(ev: &mut Ev<'_>, name: &str, args: &[Expr]) -> Result<AVal, ExprError> {
    let Some((first, rest)) = args.split_first() else {
        return Ok(unknown());
    };
    let items = match ev.eval(first)? {
        AVal::Array(a) => a,
        _ => return Ok(unknown()),
    };
    match (name, rest) {
        ("map", [f]) => {
            let Some((params, body)) = lambda(f) else {
                return Ok(unknown());
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match with_bindings(ev, &params, vec![item, index_val(i)], body)? {
                    Some(v) => out.push(v),
                    None => return Ok(unknown()),
                }
            }
            Ok(AVal::Array(out))
        }
        ("filter", [f]) => {
            let Some((params, body)) = lambda(f) else {
                return Ok(unknown());
            };
            let mut out = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                let Some(keep) =
                    with_bindings(ev, &params, vec![item.clone(), index_val(i)], body)?
                else {
                    return Ok(unknown());
                };
                match keep {
                    AVal::Bool(true) => out.push(item),
                    AVal::Bool(false) => {}
                    _ => return Ok(unknown()),
                }
            }
            Ok(AVal::Array(out))
        }
        ("reduce", [init, f]) => {
            let mut acc = ev.eval(init)?;
            let Some((params, body)) = lambda(f) else {
                return Ok(unknown());
            };
            for (i, item) in items.into_iter().enumerate() {
                acc = match with_bindings(ev, &params, vec![acc, item, index_val(i)], body)? {
                    Some(v) => v,
                    None => return Ok(unknown()),
                };
            }
            Ok(acc)
        }
        ("toobject", [fk]) | ("toobject", [fk, _]) => {
            let Some((kp, kb)) = lambda(fk) else {
                return Ok(unknown());
            };
            let fv = match rest {
                [_, fv] => match lambda(fv) {
                    Some(l) => Some(l),
                    None => return Ok(unknown()),
                },
                _ => None,
            };
            let mut out: Vec<(String, AVal)> = Vec::new();
            for item in items {
                let Some(AVal::Str(k)) = with_bindings(ev, &kp, vec![item.clone()], kb)? else {
                    return Ok(unknown());
                };
                let v = match &fv {
                    Some((vp, vb)) => match with_bindings(ev, vp, vec![item], vb)? {
                        Some(v) => v,
                        None => return Ok(unknown()),
                    },
                    None => item,
                };
                out.retain(|(ok, _)| !ok.eq_ignore_ascii_case(&k));
                out.push((k, v));
            }
            Ok(AVal::Object(out))
        }
        _ => Ok(unknown()),
    }
}

pub(super) fn index_val(i: usize) -> AVal {
    int_len(i)
}

/// The parameter names and body of `lambda('a', 'b', body)`.
pub(super) fn lambda<'e, 'a>(e: &'e Expr<'a>) -> Option<(Vec<String>, &'e Expr<'a>)> {
    let Expr::Call { name, args, .. } = e else {
        return None;
    };
    if !name.eq_ignore_ascii_case("lambda") {
        return None;
    }
    let (body, params) = args.split_last()?;
    let names = params
        .iter()
        .map(|p| match p {
            Expr::Str(s) => Some(s.to_string()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    if names.is_empty() {
        return None;
    }
    Some((names, body))
}

/// Evaluates `body` with `params` bound to `values` (extra values, such as an index the lambda
/// does not name, are ignored); `None` once the lambda budget is spent.
pub(super) fn with_bindings(
    ev: &mut Ev<'_>,
    params: &[String],
    values: Vec<AVal>,
    body: &Expr,
) -> Result<Option<AVal>, ExprError> {
    if ev.lambda_budget == 0 {
        return Ok(None);
    }
    ev.lambda_budget -= 1;
    let depth = ev.lambda_vars.len();
    for (p, v) in params.iter().zip(values) {
        ev.lambda_vars.push((p.clone(), v));
    }
    let r = ev.eval(body);
    ev.lambda_vars.truncate(depth);
    r.map(Some)
}
