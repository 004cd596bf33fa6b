//! Value conversion: evaluated Terraform values and blocks into model values.

use super::super::expand::{Blocks, Ev, Node};
use super::super::value::TVal;
use crate::model::*;
use crate::source::Span;

pub(super) fn with_origins<T>(mut v: Val<T>, origins: &[Origin]) -> Val<T> {
    v.origins = origins.into();
    v
}

/// An Unknown model value for `v` at `span`, keeping what `v` knows of why it is Unknown (a
/// runtime attribute of a resource is known only after apply).
fn unknown_of<T>(v: &TVal, span: Span) -> Val<T> {
    let why = match v {
        TVal::Unknown(p) => p.why.clone(),
        TVal::Runtime(r) => Why::new(
            format!(
                "`{}{}{}` is known only after apply",
                r.address,
                if r.path.is_empty() { "" } else { "." },
                r.path.join(".")
            ),
            None,
        ),
        _ => Why::none(),
    };
    Val::unknown_partial(Some(span), Partial::because(why))
}

/// A string value: Known for primitives, Absent for null, Unknown otherwise.
pub fn tstr(v: &TVal, span: Span) -> Val<String> {
    match v {
        TVal::Null => Val::absent(),
        TVal::Unknown(p) => Val::unknown_partial(Some(span), p.clone()),
        other => match other.to_str_lossy() {
            Some(s) => Val::known(s, span),
            None => unknown_of(other, span),
        },
    }
}

pub(super) fn tbool(v: &TVal, span: Span) -> Val<bool> {
    match v {
        TVal::Null => Val::absent(),
        other => other
            .as_bool()
            .map_or_else(|| unknown_of(other, span), |b| Val::known(b, span)),
    }
}

pub(super) fn tint(v: &TVal, span: Span) -> Val<i64> {
    match v {
        TVal::Null => Val::absent(),
        other => other
            .as_i64()
            .map_or_else(|| unknown_of(other, span), |n| Val::known(n, span)),
    }
}

/// A reference: Known key for a resource of the configuration, Absent for null.
pub fn tref(v: &TVal, span: Span, unit: UnitId) -> Ref {
    match v {
        TVal::Null => Val::absent(),
        TVal::Runtime(r) => Val::known(ResourceKey::tf(unit, &r.rtype, &r.address), span),
        other => unknown_of(other, span),
    }
}

pub(super) fn s(n: &Node, key: &str) -> Val<String> {
    n.attr(key).map_or_else(Val::absent, |e| {
        with_origins(tstr(&e.value, e.span), &e.origins)
    })
}

pub(super) fn s_any(n: &Node, keys: &[&str]) -> Val<String> {
    keys.iter()
        .map(|k| s(n, k))
        .find(|v| !v.is_absent())
        .unwrap_or_default()
}

pub(super) fn flag(n: &Node, key: &str) -> Val<bool> {
    n.attr(key).map_or_else(Val::absent, |e| {
        with_origins(tbool(&e.value, e.span), &e.origins)
    })
}

pub(super) fn b_any(n: &Node, keys: &[&str]) -> Val<bool> {
    keys.iter()
        .map(|k| flag(n, k))
        .find(|v| !v.is_absent())
        .unwrap_or_default()
}

pub(super) fn i(n: &Node, key: &str) -> Val<i64> {
    n.attr(key).map_or_else(Val::absent, |e| {
        with_origins(tint(&e.value, e.span), &e.origins)
    })
}

pub(super) fn r(n: &Node, key: &str) -> Ref {
    n.attr(key).map_or_else(Val::absent, |e| {
        with_origins(tref(&e.value, e.span, n.unit()), &e.origins)
    })
}

pub(super) fn sub(n: &Node, key: &str) -> SubRef {
    SubRef::named(s(n, key))
}

/// The elements of a list attribute with their spans (per element when written literally).
pub(super) fn elems(e: &Ev) -> Option<Vec<(TVal, Span)>> {
    let items = match &e.value {
        TVal::List(items) => items,
        _ => return None,
    };
    let per = e.elems.len() == items.len();
    Some(
        items
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let sp = if per { e.elems[k] } else { e.span };
                (v.clone(), sp)
            })
            .collect(),
    )
}

pub(super) fn list_of<T>(n: &Node, key: &str, f: impl Fn(&TVal, Span) -> T) -> Coll<T> {
    let Some(e) = n.attr(key) else {
        return Val::absent();
    };
    if e.value.is_null() {
        return with_origins(Val::absent(), &e.origins);
    }
    match elems(&e) {
        Some(items) => with_origins(
            Val::known(items.iter().map(|(v, sp)| f(v, *sp)).collect(), e.span),
            &e.origins,
        ),
        None => match &e.value {
            // A single string where a list is expected (legacy `address_prefix`).
            TVal::Str(_) => Val::known(vec![f(&e.value, e.span)], e.span),
            _ => with_origins(Val::unknown(Some(e.span)), &e.origins),
        },
    }
}

pub(super) fn strs(n: &Node, key: &str) -> Coll<Val<String>> {
    list_of(n, key, tstr)
}

/// Several list attributes merged (`x` and `xs`); Unknown if any is Unknown.
pub(super) fn strs_merged(n: &Node, keys: &[&str]) -> Coll<Val<String>> {
    let mut out: Vec<Val<String>> = Vec::new();
    let mut span = None;
    for k in keys {
        let v = strs(n, k);
        if v.is_unknown() {
            return v;
        }
        if let Some(items) = v.get() {
            span = span.or(v.span);
            out.extend(items.iter().cloned());
        }
    }
    if span.is_none() && out.is_empty() {
        Val::absent()
    } else {
        Val::known_at(out, span)
    }
}

pub(super) fn map_kv(n: &Node, key: &str) -> Coll<KeyValue> {
    let Some(e) = n.attr(key) else {
        return Val::absent();
    };
    // Spans of the keys and values when the map is written literally.
    let mut spans: Vec<(String, Span, Span)> = Vec::new();
    if let Some((hcl::edit::expr::Expression::Object(o), _)) = n.expr(key) {
        for (k, v) in o.iter() {
            let text = match k {
                hcl::edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                hcl::edit::expr::ObjectKey::Expression(hcl::edit::expr::Expression::String(s)) => {
                    s.as_str().to_string()
                }
                hcl::edit::expr::ObjectKey::Expression(_) => continue,
            };
            let ks = crate::frontend::terraform::parse::span_of(k, n.file, e.span);
            let vs = crate::frontend::terraform::parse::span_of(v.expr(), n.file, e.span);
            spans.push((text, ks, vs));
        }
    }
    match &e.value {
        TVal::Null => Val::absent(),
        TVal::Map(m) => with_origins(
            Val::known(
                m.iter()
                    .map(|(k, v)| {
                        let (ks, vs) = spans
                            .iter()
                            .find(|(t, _, _)| t == k)
                            .map_or((e.span, e.span), |(_, ks, vs)| (*ks, *vs));
                        KeyValue {
                            key: k.clone(),
                            value: tstr(v, vs),
                            span: ks,
                        }
                    })
                    .collect(),
                e.span,
            ),
            &e.origins,
        ),
        _ => with_origins(Val::unknown(Some(e.span)), &e.origins),
    }
}

/// Maps each block instance; Unknown when a dynamic block iterates an Unknown collection.
pub(super) fn coll<'a, T>(bs: Blocks<'a>, f: impl Fn(&Node<'a>) -> T) -> Coll<T> {
    if let Some(sp) = bs.unknown {
        return Val::unknown(Some(sp));
    }
    if !bs.written {
        return Val::absent();
    }
    Val::known_at(bs.items.iter().map(f).collect(), bs.first_span)
}

pub(super) fn one<'a, T>(n: &Node<'a>, name: &str, f: impl Fn(&Node<'a>) -> T) -> Val<T> {
    match n.block(name) {
        Err(sp) => Val::unknown(Some(sp)),
        Ok(None) => Val::absent(),
        Ok(Some(b)) => Val::known(f(&b), b.span),
    }
}
