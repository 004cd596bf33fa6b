//! The built-in functions. Every function is total: a wrong argument count or type gives
//! Unknown, never a panic or an error (only `parameters()`/`variables()` of a name that does
//! not exist is an error, as ARM's template validation reports it).

use std::borrow::Cow;

use super::{Ev, Expr, ExprError};
use crate::frontend::arm::value::{AVal, MAX_VALUE_DEPTH};
use crate::model::Partial;

/// Strings longer than this (bytes) become Unknown: a guard against templates that build
/// huge values, not a limit real templates meet.
const MAX_STR: usize = 1 << 20;
/// Arrays longer than this become Unknown (templates that double an array through chained
/// variables).
const MAX_ELEMS: usize = 100_000;
/// ARM's own limit on `range()`'s count.
const MAX_RANGE: i64 = 10_000;

fn unknown() -> AVal {
    AVal::unknown()
}

/// Evaluates the call `name(args)` written at `offset`.
pub(super) fn call(
    ev: &mut Ev<'_>,
    name: &str,
    args: &[Expr],
    offset: usize,
) -> Result<AVal, ExprError> {
    let lname = name.to_ascii_lowercase();
    match lname.as_str() {
        "if" => return lazy_if(ev, args),
        "map" | "filter" | "reduce" | "toobject" => return lambda_call(ev, &lname, args),
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
            let key = ev.eval(arg)?;
            let AVal::Str(key) = key else {
                return Ok(unknown());
            };
            let is_param = lname == "parameters";
            let found = if is_param {
                ev.scope.parameter(&key)
            } else {
                ev.scope.variable(&key)
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
    Ok(apply(ev, &lname, &vals))
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

/// What two possible values share: the value itself when equal and Known, otherwise the
/// common leading and trailing text of two strings.
fn merge_branches(a: &AVal, b: &AVal) -> AVal {
    if a == b {
        // Whatever the condition, the value is this one (Known, Runtime or Unknown).
        return a.clone();
    }
    let (Some((pa, sa, la)), Some((pb, sb, lb))) = (str_knowledge(a), str_knowledge(b)) else {
        return unknown();
    };
    let prefix = common_prefix(pa, pb);
    let mut suffix = common_suffix(sa, sb);
    // The value is prefix + X + suffix, so the two must fit in the shortest known length.
    let min_len = la.min(lb);
    while prefix.len() + suffix.len() > min_len {
        let mut cs = suffix.chars();
        cs.next();
        suffix = cs.as_str();
    }
    AVal::Unknown(Partial {
        prefix: prefix.to_string(),
        suffix: suffix.to_string(),
    })
}

/// (prefix, suffix, minimum length in bytes) of what is known of a string value.
fn str_knowledge(v: &AVal) -> Option<(&str, &str, usize)> {
    match v {
        AVal::Str(s) => Some((s, s, s.len())),
        AVal::Unknown(p) => Some((&p.prefix, &p.suffix, p.prefix.len() + p.suffix.len())),
        _ => None,
    }
}

fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let n = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    // `n` is a char boundary of `a` (an index from char_indices, or the shorter length when
    // one is a prefix of the other, which is then a boundary of both).
    a.get(..n).unwrap_or("")
}

fn common_suffix<'a>(a: &'a str, b: &str) -> &'a str {
    let mut n = 0;
    for (x, y) in a.chars().rev().zip(b.chars().rev()) {
        if x != y {
            break;
        }
        n += x.len_utf8();
    }
    a.get(a.len() - n..).unwrap_or("")
}

/// A piece of a string being built: literal text or an unknown part.
enum Piece<'a> {
    Text(Cow<'a, str>),
    Unk(Cow<'a, Partial>),
}

/// The piece a value contributes to a string concatenation; `None` when the value cannot be
/// part of a string (ARM would fail).
fn piece(v: &AVal) -> Option<Piece<'_>> {
    Some(match v {
        AVal::Str(s) => Piece::Text(Cow::Borrowed(s)),
        AVal::Int(i) => Piece::Text(Cow::Owned(i.to_string())),
        AVal::Unknown(p) => Piece::Unk(Cow::Borrowed(p)),
        AVal::Runtime(_) => Piece::Unk(Cow::Owned(Partial::default())),
        _ => return None,
    })
}

/// Joins pieces: a Known string, or Unknown keeping the text before the first unknown part
/// (prefix) and after the last (suffix).
fn join_pieces<'a>(pieces: impl IntoIterator<Item = Piece<'a>>) -> AVal {
    let mut prefix = String::new();
    let mut suffix: Option<String> = None;
    for p in pieces {
        match (p, &mut suffix) {
            (Piece::Text(t), Some(s)) => s.push_str(&t),
            (Piece::Text(t), None) => prefix.push_str(&t),
            (Piece::Unk(u), s @ None) => {
                prefix.push_str(&u.prefix);
                *s = Some(u.suffix.clone());
            }
            (Piece::Unk(u), s @ Some(_)) => *s = Some(u.suffix.clone()),
        }
        if prefix.len() + suffix.as_ref().map_or(0, String::len) > MAX_STR {
            return unknown();
        }
    }
    match suffix {
        None => AVal::Str(prefix),
        Some(suffix) => AVal::Unknown(Partial { prefix, suffix }),
    }
}

fn string_pieces(vals: &[AVal]) -> Option<Vec<Piece<'_>>> {
    vals.iter().map(piece).collect()
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
            [AVal::Unknown(p)] => AVal::Unknown(Partial {
                prefix: p.prefix.trim().to_string(),
                suffix: p.suffix.trim().to_string(),
            }),
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

fn int_len(n: usize) -> AVal {
    i64::try_from(n).map_or_else(|_| unknown(), AVal::Int)
}

fn clamp(n: i64) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX)
}

fn concat(v: &[AVal]) -> AVal {
    let first_known = v.iter().find(|x| !x.is_unknown() && !x.is_null());
    match first_known {
        None if v.is_empty() => unknown(),
        Some(AVal::Array(_)) => {
            let mut out = Vec::new();
            for x in v {
                match x {
                    AVal::Array(a) if out.len() + a.len() <= MAX_ELEMS => {
                        out.extend(a.iter().cloned());
                    }
                    AVal::Null => {}
                    _ => return unknown(),
                }
            }
            AVal::Array(out)
        }
        _ => string_pieces(v).map_or_else(unknown, join_pieces),
    }
}

fn format(v: &[AVal]) -> AVal {
    let Some((AVal::Str(fmt), args)) = v.split_first() else {
        return unknown();
    };
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    let mut lit = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let mut spec = String::new();
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == '}' {
                        closed = true;
                        break;
                    }
                    spec.push(d);
                }
                if !closed {
                    return unknown();
                }
                let (idx, fmt_spec) = match spec.split_once(':') {
                    Some((i, f)) => (i, Some(f)),
                    None => (spec.as_str(), None),
                };
                let Ok(idx) = idx.trim().parse::<usize>() else {
                    // Alignment (`{0,5}`) or garbage.
                    return unknown();
                };
                let Some(arg) = args.get(idx) else {
                    return unknown();
                };
                let p = match (arg, fmt_spec) {
                    (_, None) => match arg {
                        AVal::Bool(b) => {
                            Piece::Text(Cow::Borrowed(if *b { "True" } else { "False" }))
                        }
                        AVal::Null => Piece::Text(Cow::Borrowed("")),
                        _ => match piece(arg) {
                            Some(p) => p,
                            None => return unknown(),
                        },
                    },
                    (AVal::Int(i), Some(f)) => match format_int(*i, f) {
                        Some(s) => Piece::Text(Cow::Owned(s)),
                        None => return unknown(),
                    },
                    (AVal::Unknown(_) | AVal::Runtime(_), Some(_)) => {
                        Piece::Unk(Cow::Owned(Partial::default()))
                    }
                    _ => return unknown(),
                };
                if !lit.is_empty() {
                    pieces.push(Piece::Text(Cow::Owned(std::mem::take(&mut lit))));
                }
                pieces.push(p);
            }
            '}' => return unknown(),
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Text(Cow::Owned(lit)));
    }
    join_pieces(pieces)
}

/// .NET integer format strings we can reproduce exactly: `D`/`d` with an optional width and
/// `N0` (thousands separators, invariant culture).
fn format_int(i: i64, spec: &str) -> Option<String> {
    let mut cs = spec.chars();
    let kind = cs.next()?;
    let width = cs.as_str();
    let width: usize = if width.is_empty() {
        0
    } else {
        width.parse().ok()?
    };
    match kind {
        'D' | 'd' if width <= 100 => {
            let digits = i.unsigned_abs().to_string();
            let pad = width.saturating_sub(digits.len());
            let sign = if i < 0 { "-" } else { "" };
            Some(format!("{sign}{}{digits}", "0".repeat(pad)))
        }
        'N' | 'n' if width == 0 && spec.len() == 2 => {
            let digits = i.unsigned_abs().to_string();
            let mut out = String::new();
            for (k, ch) in digits.chars().enumerate() {
                if k > 0 && (digits.len() - k).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(ch);
            }
            Some(if i < 0 { format!("-{out}") } else { out })
        }
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IdKind {
    ResourceGroup,
    Subscription,
    Tenant,
    Extension,
    ManagementGroup,
}

/// `resourceId` and its siblings. The resource type is the first argument containing `/`;
/// the arguments before it are the scope (subscription, resource group...), Unknown when
/// omitted (they come from the deployment).
fn resource_id(v: &[AVal], kind: IdKind) -> AVal {
    let max_scope = match kind {
        IdKind::ResourceGroup => 2,
        IdKind::Subscription | IdKind::ManagementGroup | IdKind::Extension => 1,
        IdKind::Tenant => 0,
    };
    let is_type = |x: &AVal| matches!(x, AVal::Str(s) if s.contains('/'));
    let t = if kind == IdKind::Extension {
        // The first argument is itself a resource id (and contains '/').
        match v.get(1) {
            Some(x) if is_type(x) => 1,
            _ => return unknown(),
        }
    } else {
        match v.iter().take(max_scope + 1).position(is_type) {
            Some(t) => t,
            None => return unknown(),
        }
    };
    let AVal::Str(rtype) = &v[t] else {
        return unknown();
    };
    let mut segs = rtype.split('/').filter(|s| !s.is_empty());
    let Some(namespace) = segs.next() else {
        return unknown();
    };
    let types: Vec<&str> = segs.collect();
    let names = &v[t + 1..];
    // Known names may hold several segments (`'vnet/subnet'`).
    let mut name_pieces: Vec<Piece<'_>> = Vec::new();
    for n in names {
        match n {
            AVal::Str(s) => {
                for part in s.split('/') {
                    name_pieces.push(Piece::Text(Cow::Borrowed(part)));
                }
            }
            other => match piece(other) {
                Some(p) => name_pieces.push(p),
                None => return unknown(),
            },
        }
    }
    if types.is_empty() || name_pieces.len() != types.len() {
        return unknown();
    }
    let unk = || Piece::Unk(Cow::Owned(Partial::default()));
    let scope_piece = |i: usize| -> Option<Piece<'_>> { piece(v.get(i)?) };
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    let text = |s: &'static str| Piece::Text(Cow::Borrowed(s));
    match kind {
        IdKind::ResourceGroup => {
            pieces.push(text("/subscriptions/"));
            pieces.push(if t >= 2 {
                match scope_piece(0) {
                    Some(p) => p,
                    None => return unknown(),
                }
            } else {
                unk()
            });
            pieces.push(text("/resourceGroups/"));
            pieces.push(if t >= 1 {
                match scope_piece(t - 1) {
                    Some(p) => p,
                    None => return unknown(),
                }
            } else {
                unk()
            });
        }
        IdKind::Subscription => {
            pieces.push(text("/subscriptions/"));
            pieces.push(if t == 1 {
                match scope_piece(0) {
                    Some(p) => p,
                    None => return unknown(),
                }
            } else {
                unk()
            });
        }
        IdKind::ManagementGroup => {
            pieces.push(text("/providers/Microsoft.Management/managementGroups/"));
            pieces.push(if t == 1 {
                match scope_piece(0) {
                    Some(p) => p,
                    None => return unknown(),
                }
            } else {
                unk()
            });
        }
        IdKind::Extension => match scope_piece(0) {
            Some(p) => pieces.push(p),
            None => return unknown(),
        },
        IdKind::Tenant => {}
    }
    pieces.push(text("/providers/"));
    pieces.push(Piece::Text(Cow::Borrowed(namespace)));
    for (ty, name) in types.into_iter().zip(name_pieces) {
        pieces.push(text("/"));
        pieces.push(Piece::Text(Cow::Borrowed(ty)));
        pieces.push(text("/"));
        pieces.push(name);
    }
    join_pieces(pieces)
}

/// Three-valued equality: `Some` when decidable. Strings compare case-sensitively, as ARM's
/// `equals` does; object keys case-insensitively.
pub(super) fn tri_eq(a: &AVal, b: &AVal) -> Option<bool> {
    match (a, b) {
        (AVal::Unknown(p), AVal::Str(s)) | (AVal::Str(s), AVal::Unknown(p)) => {
            let fits = s.len() >= p.prefix.len() + p.suffix.len()
                && s.starts_with(&p.prefix)
                && s.ends_with(&p.suffix);
            if fits { None } else { Some(false) }
        }
        (AVal::Unknown(p), x) | (x, AVal::Unknown(p))
            if !x.is_unknown() && (!p.prefix.is_empty() || !p.suffix.is_empty()) =>
        {
            // A partial value is a string; `x` is Known and not a string.
            Some(false)
        }
        (x, y) if x.is_unknown() || y.is_unknown() => None,
        (AVal::Null, AVal::Null) => Some(true),
        (AVal::Bool(x), AVal::Bool(y)) => Some(x == y),
        (AVal::Int(x), AVal::Int(y)) => Some(x == y),
        (AVal::Str(x), AVal::Str(y)) => Some(x == y),
        (AVal::Array(x), AVal::Array(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_eq(x.iter().zip(y.iter()).map(|(p, q)| tri_eq(p, q)))
        }
        (AVal::Object(x), AVal::Object(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_eq(x.iter().map(|(k, xv)| match b.get(k) {
                Some(yv) => tri_eq(xv, yv),
                None => Some(false),
            }))
        }
        _ => Some(false),
    }
}

fn all_eq(it: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut undecided = false;
    for r in it {
        match r {
            Some(false) => return Some(false),
            None => undecided = true,
            Some(true) => {}
        }
    }
    if undecided { None } else { Some(true) }
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

fn contains(c: &AVal, item: &AVal) -> AVal {
    match (c, item) {
        (AVal::Str(s), AVal::Str(x)) => AVal::Bool(s.contains(x.as_str())),
        (AVal::Str(s), AVal::Int(i)) => AVal::Bool(s.contains(&i.to_string())),
        (AVal::Unknown(p), AVal::Str(x))
            if p.prefix.contains(x.as_str()) || p.suffix.contains(x.as_str()) =>
        {
            AVal::Bool(true)
        }
        (AVal::Array(a), x) => {
            let mut undecided = false;
            for e in a {
                match tri_eq(e, x) {
                    Some(true) => return AVal::Bool(true),
                    None => undecided = true,
                    Some(false) => {}
                }
            }
            if undecided {
                unknown()
            } else {
                AVal::Bool(false)
            }
        }
        (o @ AVal::Object(_), AVal::Str(k)) => AVal::Bool(o.get(k).is_some()),
        _ => unknown(),
    }
}

fn union_all(v: &[AVal]) -> AVal {
    let mut acc: Option<AVal> = None;
    for x in v {
        if x.is_unknown() {
            return unknown();
        }
        acc = Some(match acc {
            None => match x {
                AVal::Array(_) | AVal::Object(_) => x.clone(),
                _ => return unknown(),
            },
            Some(a) => match union2(a, x) {
                Some(u) => u,
                None => return unknown(),
            },
        });
    }
    match acc {
        Some(AVal::Array(a)) => dedupe(a),
        Some(x) => x,
        None => unknown(),
    }
}

fn dedupe(a: Vec<AVal>) -> AVal {
    let mut out: Vec<AVal> = Vec::with_capacity(a.len());
    for e in a {
        if !e.is_fully_known() {
            return unknown();
        }
        if !out.contains(&e) {
            out.push(e);
        }
    }
    AVal::Array(out)
}

/// Union of two arrays (concatenated, deduplicated by the caller) or two objects (later keys
/// win; nested objects and arrays are merged recursively, as ARM's `union` does).
fn union2(a: AVal, b: &AVal) -> Option<AVal> {
    match (a, b) {
        (AVal::Array(mut x), AVal::Array(y)) => {
            if x.len() + y.len() > MAX_ELEMS {
                return None;
            }
            x.extend(y.iter().cloned());
            Some(AVal::Array(x))
        }
        (AVal::Object(mut x), AVal::Object(y)) => {
            for (k, yv) in y {
                match x.iter().position(|(xk, _)| xk.eq_ignore_ascii_case(k)) {
                    Some(i) => {
                        let old = std::mem::take(&mut x[i].1);
                        let merged = match (&old, yv) {
                            (AVal::Object(_), AVal::Object(_)) => union2(old, yv)?,
                            (AVal::Array(_), AVal::Array(_)) => match union2(old, yv)? {
                                AVal::Array(arr) => dedupe(arr),
                                other => other,
                            },
                            _ => yv.clone(),
                        };
                        x[i] = (k.clone(), merged);
                    }
                    None => x.push((k.clone(), yv.clone())),
                }
            }
            Some(AVal::Object(x))
        }
        _ => None,
    }
}

fn intersection(v: &[AVal]) -> AVal {
    if v.len() < 2 || v.iter().any(|x| !x.is_fully_known()) {
        return unknown();
    }
    match &v[0] {
        AVal::Array(first) => {
            let mut out: Vec<AVal> = Vec::new();
            for e in first {
                let everywhere = v[1..]
                    .iter()
                    .all(|o| matches!(o, AVal::Array(a) if a.contains(e)));
                if everywhere && !out.contains(e) {
                    out.push(e.clone());
                }
            }
            if v[1..].iter().all(|o| matches!(o, AVal::Array(_))) {
                AVal::Array(out)
            } else {
                unknown()
            }
        }
        AVal::Object(first) => {
            if !v[1..].iter().all(|o| matches!(o, AVal::Object(_))) {
                return unknown();
            }
            AVal::Object(
                first
                    .iter()
                    .filter(|(k, x)| v[1..].iter().all(|o| o.get(k) == Some(x)))
                    .cloned()
                    .collect(),
            )
        }
        _ => unknown(),
    }
}

fn create_object(v: &[AVal]) -> AVal {
    if !v.len().is_multiple_of(2) {
        return unknown();
    }
    let mut out: Vec<(String, AVal)> = Vec::with_capacity(v.len() / 2);
    for pair in v.chunks(2) {
        let [AVal::Str(k), x] = pair else {
            return unknown();
        };
        out.retain(|(ok, _)| !ok.eq_ignore_ascii_case(k));
        out.push((k.clone(), x.clone()));
    }
    AVal::Object(out)
}

fn map_case(v: &[AVal], f: fn(&str) -> String) -> AVal {
    match v {
        [AVal::Str(s)] => AVal::Str(f(s)),
        [AVal::Unknown(p)] => AVal::Unknown(Partial {
            prefix: f(&p.prefix),
            suffix: f(&p.suffix),
        }),
        _ => unknown(),
    }
}

fn split(v: &[AVal]) -> AVal {
    let (s, delims): (&str, Vec<&str>) = match v {
        [AVal::Str(s), AVal::Str(d)] => (s, vec![d.as_str()]),
        [AVal::Str(s), AVal::Array(ds)] => {
            let mut out = Vec::new();
            for d in ds {
                match d {
                    AVal::Str(d) => out.push(d.as_str()),
                    _ => return unknown(),
                }
            }
            (s, out)
        }
        _ => return unknown(),
    };
    let delims: Vec<&str> = delims.into_iter().filter(|d| !d.is_empty()).collect();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        if !s.is_char_boundary(i) {
            i += 1;
            continue;
        }
        if let Some(d) = delims.iter().find(|d| s[i..].starts_with(**d)) {
            parts.push(AVal::Str(s[start..i].to_string()));
            i += d.len();
            start = i;
        } else {
            i += 1;
        }
    }
    parts.push(AVal::Str(s[start..].to_string()));
    AVal::Array(parts)
}

fn substring(v: &[AVal]) -> AVal {
    let (s, start, len) = match v {
        [AVal::Str(s), AVal::Int(st)] => (s, *st, None),
        [AVal::Str(s), AVal::Int(st), AVal::Int(l)] => (s, *st, Some(*l)),
        _ => return unknown(),
    };
    // .NET indexes strings in UTF-16 code units.
    let units: Vec<u16> = s.encode_utf16().collect();
    let (Ok(start), Ok(len)) = (
        usize::try_from(start),
        usize::try_from(len.unwrap_or(i64::try_from(units.len()).unwrap_or(0) - start)),
    ) else {
        return unknown();
    };
    match units.get(start..start.saturating_add(len)) {
        Some(slice) => String::from_utf16(slice).map_or_else(|_| unknown(), AVal::Str),
        None => unknown(),
    }
}

fn index_of(v: &[AVal], last: bool) -> AVal {
    match v {
        [AVal::Str(s), AVal::Str(x)] => {
            // Case-insensitive, in UTF-16 units: exact for ASCII, which is all we claim.
            if !s.is_ascii() || !x.is_ascii() || (last && x.is_empty()) {
                return unknown();
            }
            let s = s.to_ascii_lowercase();
            let x = x.to_ascii_lowercase();
            let found = if last { s.rfind(&x) } else { s.find(&x) };
            found.map_or(AVal::Int(-1), int_len)
        }
        [AVal::Array(a), x] => {
            let mut found: Option<usize> = None;
            let mut undecided = false;
            let order: Box<dyn Iterator<Item = (usize, &AVal)>> = if last {
                Box::new(a.iter().enumerate().rev())
            } else {
                Box::new(a.iter().enumerate())
            };
            for (i, e) in order {
                match tri_eq(e, x) {
                    Some(true) => {
                        found = Some(i);
                        break;
                    }
                    None => undecided = true,
                    Some(false) => {}
                }
            }
            match (found, undecided) {
                (_, true) => unknown(),
                (Some(i), false) => int_len(i),
                (None, false) => AVal::Int(-1),
            }
        }
        _ => unknown(),
    }
}

/// `startsWith` (`start`) / `endsWith`, case-insensitive; decidable on a partial value when
/// its known prefix (suffix) is long enough or already disagrees.
fn affix_test(a: &AVal, x: &str, start: bool) -> AVal {
    let x = x.to_lowercase();
    match a {
        AVal::Str(s) => {
            let s = s.to_lowercase();
            AVal::Bool(if start {
                s.starts_with(&x)
            } else {
                s.ends_with(&x)
            })
        }
        AVal::Unknown(p) => {
            let known = if start { &p.prefix } else { &p.suffix }.to_lowercase();
            let (holds, could) = if start {
                (known.starts_with(&x), x.starts_with(&known))
            } else {
                (known.ends_with(&x), x.ends_with(&known))
            };
            if holds {
                AVal::Bool(true)
            } else if could {
                unknown()
            } else {
                AVal::Bool(false)
            }
        }
        _ => unknown(),
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

/// `map`, `filter`, `reduce` and `toObject` over a Known array, with the lambda's body
/// evaluated once per element; Unknown when the array is not Known or a lambda is malformed.
fn lambda_call(ev: &mut Ev<'_>, name: &str, args: &[Expr]) -> Result<AVal, ExprError> {
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

fn index_val(i: usize) -> AVal {
    int_len(i)
}

/// The parameter names and body of `lambda('a', 'b', body)`.
fn lambda(e: &Expr) -> Option<(Vec<String>, &Expr)> {
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
            Expr::Str(s) => Some(s.clone()),
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
fn with_bindings(
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
