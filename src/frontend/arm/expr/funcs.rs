//! The built-in functions. Every function is total: a wrong argument count or type gives
//! Unknown, never a panic or an error (only `parameters()`/`variables()` of a name that does
//! not exist is an error, as ARM's template validation reports it).

use std::borrow::Cow;

use super::collections::{contains, create_object, intersection, tri_eq, union_all};
use super::ids::{IdKind, resource_id};
use super::lambda::lambda_call;
use super::text::{
    Piece, affix_test, concat, format, index_of, join_pieces, map_case, merge_branches, piece,
    split, substring,
};
use super::{Ev, Expr, ExprError};
use crate::frontend::arm::value::{AVal, MAX_VALUE_DEPTH};
use crate::model::{Partial, Why};

/// Strings longer than this (bytes) become Unknown: a guard against templates that build
/// huge values, not a limit real templates meet.
pub(super) const MAX_STR: usize = 1 << 20;
/// Arrays longer than this become Unknown (templates that double an array through chained
/// variables).
pub(super) const MAX_ELEMS: usize = 100_000;
/// ARM's own limit on `range()`'s count.
pub(super) const MAX_RANGE: i64 = 10_000;

pub(super) fn unknown() -> AVal {
    AVal::unknown()
}

/// Evaluates the call `name(args)` written at `offset`.
pub(super) fn call(
    ev: &mut Ev<'_>,
    name: &str,
    args: &[Expr],
    offset: usize,
) -> Result<AVal, ExprError> {
    let mut buf = crate::frontend::arm::LowerBuf::new();
    let lname = buf.lower(name);
    match lname {
        "if" => return lazy_if(ev, args),
        "map" | "filter" | "reduce" | "toobject" => return lambda_call(ev, lname, args),
        "lambdavariables" => {
            let [arg] = args else {
                return Ok(unknown());
            };
            let AVal::Str(var) = ev.eval(arg)? else {
                return Ok(unknown());
            };
            let bound = ev
                .lambda_vars
                .iter()
                .rev()
                .find(|(n, _)| n.eq_ignore_ascii_case(&var));
            return Ok(bound.map(|(_, v)| v.clone()).unwrap_or_default());
        }
        "parameters" | "variables" => {
            let [arg] = args else {
                return Ok(unknown());
            };
            // A literal name (nearly always) is not copied into a value first.
            let evaluated;
            let key: &str = match arg {
                Expr::Str(k) if !crate::frontend::deadline::expired() => k,
                _ => {
                    evaluated = ev.eval(arg)?;
                    let AVal::Str(key) = &evaluated else {
                        return Ok(unknown());
                    };
                    key
                }
            };
            let is_param = lname == "parameters";
            let found = if is_param {
                ev.scope.parameter(key)
            } else {
                ev.scope.variable(key)
            };
            let Some((v, origin)) = found else {
                let what = if is_param { "parameter" } else { "variable" };
                return Err(ExprError {
                    message: format!("{what} '{key}' is not defined in the template"),
                    offset,
                });
            };
            ev.add_origin(origin);
            return Ok(v);
        }
        _ => {}
    }
    let vals = args
        .iter()
        .map(|a| ev.eval(a))
        .collect::<Result<Vec<_>, _>>()?;
    let mut v = apply(ev, lname, &vals);
    if let AVal::Unknown(p) = &mut v
        && !p.why.is_some()
    {
        p.why = why_unknown(ev, name, lname, &vals);
    }
    Ok(v)
}

/// Why the call `name(vals)` is Unknown: an argument's reason when one is Unknown, else the
/// call itself.
fn why_unknown(ev: &Ev<'_>, name: &str, lname: &str, vals: &[AVal]) -> Why {
    let from_arg = vals.iter().find_map(|a| match a {
        AVal::Unknown(p) if p.why.is_some() => Some(p.why.clone()),
        _ => None,
    });
    if let Some(w) = from_arg {
        return w;
    }
    let what = match lname {
        "reference" => {
            format!("`{name}()` of a resource that is not in the scan is known only at deployment")
        }
        "resourcegroup" | "subscription" | "deployment" | "environment" | "tenant"
        | "managementgroup" | "uniquestring" | "guid" | "newguid" | "utcnow" | "pickzones"
        | "deployer" => format!("`{name}()` is known only at deployment"),
        l if l.starts_with("list") => format!("`{name}()` is known only at deployment"),
        _ => format!("`{name}(...)` could not be evaluated before deployment"),
    };
    Why::new(what, ev.scope.here())
}

/// `if(cond, a, b)` evaluates only the chosen branch when the condition is Known. Otherwise
/// both are evaluated (an error in either becomes Unknown: ARM would not evaluate it) and
/// what they share is kept.
fn lazy_if(ev: &mut Ev<'_>, args: &[Expr]) -> Result<AVal, ExprError> {
    let [c, a, b] = args else {
        return Ok(unknown());
    };
    let cond = ev.eval(c)?;
    match cond.as_bool() {
        Some(true) => ev.eval(a),
        Some(false) => ev.eval(b),
        None => {
            let va = ev.eval(a).ok();
            let vb = ev.eval(b).ok();
            Ok(match (va, vb) {
                (Some(x), Some(y)) => merge_branches(&x, &y),
                _ => unknown(),
            })
        }
    }
}

#[allow(clippy::too_many_lines)]
fn apply(ev: &Ev<'_>, name: &str, v: &[AVal]) -> AVal {
    match name {
        "true" if v.is_empty() => AVal::Bool(true),
        "false" if v.is_empty() => AVal::Bool(false),
        "null" if v.is_empty() => AVal::Null,
        "concat" => concat(v),
        "format" => format(v),
        "resourceid" => resource_id(v, IdKind::ResourceGroup),
        "subscriptionresourceid" => resource_id(v, IdKind::Subscription),
        "tenantresourceid" => resource_id(v, IdKind::Tenant),
        "extensionresourceid" => resource_id(v, IdKind::Extension),
        "managementgroupresourceid" => resource_id(v, IdKind::ManagementGroup),
        "reference" => match v {
            [target] | [target, _] => ev.scope.reference(target, false),
            [target, _, AVal::Str(f)] => ev.scope.reference(target, f.eq_ignore_ascii_case("full")),
            _ => unknown(),
        },
        "resourceinfo" => match v {
            [AVal::Str(sym)] => ev.scope.resource_info(sym),
            _ => unknown(),
        },
        "copyindex" => {
            let (loop_name, off) = match v {
                [] => (None, 0),
                [AVal::Int(n)] => (None, *n),
                [AVal::Str(l)] => (Some(l.as_str()), 0),
                [AVal::Str(l), AVal::Int(n)] => (Some(l.as_str()), *n),
                _ => return unknown(),
            };
            ev.scope
                .copy_index(loop_name)
                .and_then(|i| i.checked_add(off))
                .map_or_else(unknown, AVal::Int)
        }
        "equals" => match v {
            [a, b] => tri_eq(a, b).map_or_else(unknown, AVal::Bool),
            _ => unknown(),
        },
        "not" => match v {
            [AVal::Bool(b)] => AVal::Bool(!b),
            _ => unknown(),
        },
        "and" => bool_fold(v, false),
        "or" => bool_fold(v, true),
        "empty" => match v {
            [AVal::Null] => AVal::Bool(true),
            [AVal::Str(s)] => AVal::Bool(s.is_empty()),
            [AVal::Array(a)] => AVal::Bool(a.is_empty()),
            [AVal::Object(o)] => AVal::Bool(o.is_empty()),
            [AVal::Unknown(p)] if !p.prefix.is_empty() || !p.suffix.is_empty() => AVal::Bool(false),
            _ => unknown(),
        },
        "length" => match v {
            [AVal::Str(s)] => int_len(s.encode_utf16().count()),
            [AVal::Array(a)] => int_len(a.len()),
            [AVal::Object(o)] => int_len(o.len()),
            _ => unknown(),
        },
        "contains" => match v {
            [c, item] => contains(c, item),
            _ => unknown(),
        },
        "union" => union_all(v),
        "intersection" => intersection(v),
        "createobject" => nest(v, 1, || create_object(v)),
        "createarray" => nest(v, 1, || AVal::Array(v.to_vec())),
        "json" => match v {
            [AVal::Str(s)] => serde_json::from_str::<serde_json::Value>(s)
                .map_or_else(|_| unknown(), |j| AVal::from_serde(&j, super::MAX_DEPTH)),
            _ => unknown(),
        },
        "string" => match v {
            [AVal::Unknown(p)] => AVal::Unknown(p.clone()),
            [x] => x.to_arm_string().map_or_else(unknown, AVal::Str),
            _ => unknown(),
        },
        "int" => match v {
            [AVal::Int(i)] => AVal::Int(*i),
            [AVal::Str(s)] => s
                .trim()
                .parse::<i64>()
                .map_or_else(|_| unknown(), AVal::Int),
            _ => unknown(),
        },
        "bool" => match v {
            [AVal::Bool(b)] => AVal::Bool(*b),
            [s @ AVal::Str(_)] => s.truthy().map_or_else(unknown, AVal::Bool),
            [AVal::Int(i)] => AVal::Bool(*i != 0),
            _ => unknown(),
        },
        "tolower" => map_case(v, str::to_lowercase),
        "toupper" => map_case(v, str::to_uppercase),
        "trim" => match v {
            [AVal::Str(s)] => AVal::Str(s.trim().to_string()),
            [AVal::Unknown(p)] => AVal::Unknown(Box::new(Partial {
                prefix: p.prefix.trim().to_string(),
                suffix: p.suffix.trim().to_string(),
                why: p.why.clone(),
            })),
            _ => unknown(),
        },
        "replace" => match v {
            [AVal::Str(s), AVal::Str(old), AVal::Str(new)] if !old.is_empty() => {
                let n = s.matches(old.as_str()).count();
                if s.len() + n.saturating_mul(new.len()) > MAX_STR {
                    unknown()
                } else {
                    AVal::Str(s.replace(old.as_str(), new))
                }
            }
            _ => unknown(),
        },
        "split" => split(v),
        "join" => match v {
            [AVal::Array(a), AVal::Str(d)] => {
                let mut pieces = Vec::with_capacity(a.len() * 2);
                for (i, e) in a.iter().enumerate() {
                    if i > 0 {
                        pieces.push(Piece::Text(Cow::Borrowed(d.as_str())));
                    }
                    match piece(e) {
                        Some(p) => pieces.push(p),
                        None => return unknown(),
                    }
                }
                join_pieces(pieces)
            }
            _ => unknown(),
        },
        "first" => match v {
            [AVal::Str(s)] => s
                .chars()
                .next()
                .map_or_else(unknown, |c| AVal::Str(c.into())),
            [AVal::Array(a)] => a.first().cloned().unwrap_or_default(),
            [AVal::Unknown(p)] => p
                .prefix
                .chars()
                .next()
                .map_or_else(unknown, |c| AVal::Str(c.into())),
            _ => unknown(),
        },
        "last" => match v {
            [AVal::Str(s)] => s
                .chars()
                .next_back()
                .map_or_else(unknown, |c| AVal::Str(c.into())),
            [AVal::Array(a)] => a.last().cloned().unwrap_or_default(),
            [AVal::Unknown(p)] => p
                .suffix
                .chars()
                .next_back()
                .map_or_else(unknown, |c| AVal::Str(c.into())),
            _ => unknown(),
        },
        "take" => match v {
            [AVal::Str(s), AVal::Int(n)] => AVal::Str(s.chars().take(clamp(*n)).collect()),
            [AVal::Array(a), AVal::Int(n)] => {
                AVal::Array(a.iter().take(clamp(*n)).cloned().collect())
            }
            [AVal::Unknown(p), AVal::Int(n)] if p.prefix.chars().count() >= clamp(*n) => {
                AVal::Str(p.prefix.chars().take(clamp(*n)).collect())
            }
            _ => unknown(),
        },
        "skip" => match v {
            [AVal::Str(s), AVal::Int(n)] => AVal::Str(s.chars().skip(clamp(*n)).collect()),
            [AVal::Array(a), AVal::Int(n)] => {
                AVal::Array(a.iter().skip(clamp(*n)).cloned().collect())
            }
            _ => unknown(),
        },
        "substring" => substring(v),
        "indexof" => index_of(v, false),
        "lastindexof" => index_of(v, true),
        "startswith" => match v {
            [a, AVal::Str(x)] => affix_test(a, x, true),
            _ => unknown(),
        },
        "endswith" => match v {
            [a, AVal::Str(x)] => affix_test(a, x, false),
            _ => unknown(),
        },
        "coalesce" => {
            for x in v {
                match x {
                    AVal::Null => {}
                    x if x.is_unknown() => return unknown(),
                    x => return x.clone(),
                }
            }
            if v.is_empty() { unknown() } else { AVal::Null }
        }
        "add" => arith(v, i64::checked_add),
        "sub" => arith(v, i64::checked_sub),
        "mul" => arith(v, i64::checked_mul),
        "div" => arith(v, i64::checked_div),
        "mod" => arith(v, i64::checked_rem),
        "less" => compare(v, |o| o.is_lt()),
        "lessorequals" => compare(v, |o| o.is_le()),
        "greater" => compare(v, |o| o.is_gt()),
        "greaterorequals" => compare(v, |o| o.is_ge()),
        "min" => min_max(v, false),
        "max" => min_max(v, true),
        "range" => match v {
            [AVal::Int(start), AVal::Int(count)] if (0..=MAX_RANGE).contains(count) => {
                match start.checked_add(*count) {
                    Some(end) => AVal::Array((*start..end).map(AVal::Int).collect()),
                    None => unknown(),
                }
            }
            _ => unknown(),
        },
        "array" => match v {
            [a @ AVal::Array(_)] => a.clone(),
            [x] if x.is_unknown() => unknown(),
            [x] => nest(v, 1, || AVal::Array(vec![x.clone()])),
            _ => unknown(),
        },
        "items" => match v {
            [AVal::Object(o)] if !v[0].deeper_than(MAX_VALUE_DEPTH - 2) => {
                let mut entries: Vec<&(String, AVal)> = o.iter().collect();
                entries.sort_by_cached_key(|(k, _)| k.to_lowercase());
                AVal::Array(
                    entries
                        .into_iter()
                        .map(|(k, x)| {
                            AVal::Object(vec![
                                ("key".to_string(), AVal::Str(k.clone())),
                                ("value".to_string(), x.clone()),
                            ])
                        })
                        .collect(),
                )
            }
            _ => unknown(),
        },
        "tryget" => match v.split_first() {
            Some((base, keys)) if !keys.is_empty() => {
                let mut cur = base.clone();
                for k in keys {
                    cur = match (cur, k) {
                        (AVal::Null, _) => AVal::Null,
                        (o @ AVal::Object(_), AVal::Str(k)) => {
                            o.get(k).cloned().unwrap_or(AVal::Null)
                        }
                        (AVal::Array(a), AVal::Int(i)) => usize::try_from(*i)
                            .ok()
                            .and_then(|i| a.into_iter().nth(i))
                            .unwrap_or(AVal::Null),
                        (r @ AVal::Runtime(_), k) => super::index(r, k),
                        _ => return unknown(),
                    };
                }
                cur
            }
            _ => unknown(),
        },
        "shallowmerge" => match v {
            [AVal::Array(objs)] => {
                let mut out: Vec<(String, AVal)> = Vec::new();
                for o in objs {
                    let AVal::Object(props) = o else {
                        return unknown();
                    };
                    for (k, x) in props {
                        out.retain(|(ok, _)| !ok.eq_ignore_ascii_case(k));
                        out.push((k.clone(), x.clone()));
                    }
                }
                AVal::Object(out)
            }
            _ => unknown(),
        },
        "padleft" => match v {
            [x @ (AVal::Str(_) | AVal::Int(_)), AVal::Int(n), pad @ ..] => {
                let pad = match pad {
                    [] => ' ',
                    [AVal::Str(p)] if p.chars().count() == 1 => p.chars().next().unwrap_or(' '),
                    _ => return unknown(),
                };
                let text = x.to_arm_string().unwrap_or_default();
                let len = text.encode_utf16().count();
                match usize::try_from(*n) {
                    Ok(n) if n <= MAX_STR => {
                        let fill: String =
                            std::iter::repeat_n(pad, n.saturating_sub(len)).collect();
                        AVal::Str(fill + &text)
                    }
                    _ => unknown(),
                }
            }
            _ => unknown(),
        },
        "objectkeys" => match v {
            [AVal::Object(o)] => AVal::Array(o.iter().map(|(k, _)| AVal::Str(k.clone())).collect()),
            _ => unknown(),
        },
        // resourceGroup(), subscription(), deployment(), environment(), tenant(),
        // uniqueString(), guid(), newGuid(), utcNow(), list*(), pickZones(), base64(),
        // float(), lambdas, user-defined functions and everything else: not knowable here.
        _ => unknown(),
    }
}

/// `build()` unless an argument is already so deep that wrapping it `extra` more levels
/// would pass [`MAX_VALUE_DEPTH`].
fn nest(v: &[AVal], extra: usize, build: impl FnOnce() -> AVal) -> AVal {
    if v.iter().any(|x| x.deeper_than(MAX_VALUE_DEPTH - extra)) {
        unknown()
    } else {
        build()
    }
}

pub(super) fn int_len(n: usize) -> AVal {
    i64::try_from(n).map_or_else(|_| unknown(), AVal::Int)
}

pub(super) fn clamp(n: i64) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX)
}

/// `and` (`short = false`) and `or` (`short = true`): a Known short-circuit value decides
/// even when other arguments are Unknown.
fn bool_fold(v: &[AVal], short: bool) -> AVal {
    if v.is_empty() {
        return unknown();
    }
    let mut undecided = false;
    for x in v {
        match x {
            AVal::Bool(b) if *b == short => return AVal::Bool(short),
            AVal::Bool(_) => {}
            _ => undecided = true,
        }
    }
    if undecided {
        unknown()
    } else {
        AVal::Bool(!short)
    }
}

fn arith(v: &[AVal], f: fn(i64, i64) -> Option<i64>) -> AVal {
    match v {
        [AVal::Int(a), AVal::Int(b)] => f(*a, *b).map_or_else(unknown, AVal::Int),
        _ => unknown(),
    }
}

fn compare(v: &[AVal], f: fn(std::cmp::Ordering) -> bool) -> AVal {
    match v {
        [AVal::Int(a), AVal::Int(b)] => AVal::Bool(f(a.cmp(b))),
        [AVal::Str(a), AVal::Str(b)] => AVal::Bool(f(a.cmp(b))),
        _ => unknown(),
    }
}

fn min_max(v: &[AVal], max: bool) -> AVal {
    let items: &[AVal] = match v {
        [AVal::Array(a)] => a,
        _ => v,
    };
    let mut best: Option<i64> = None;
    for x in items {
        let AVal::Int(i) = x else {
            return unknown();
        };
        best = Some(match best {
            None => *i,
            Some(b) if max => b.max(*i),
            Some(b) => b.min(*i),
        });
    }
    best.map_or_else(unknown, AVal::Int)
}
