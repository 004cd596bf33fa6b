//! Comparison and collection functions: three-valued equality, `contains`, `union`,
//! `intersection`, `createObject`.

use super::funcs::{MAX_ELEMS, unknown};
use crate::frontend::arm::value::AVal;

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

pub(super) fn all_eq(it: impl Iterator<Item = Option<bool>>) -> Option<bool> {
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

pub(super) fn contains(c: &AVal, item: &AVal) -> AVal {
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

pub(super) fn union_all(v: &[AVal]) -> AVal {
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

pub(super) fn dedupe(a: Vec<AVal>) -> AVal {
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
pub(super) fn union2(a: AVal, b: &AVal) -> Option<AVal> {
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

pub(super) fn intersection(v: &[AVal]) -> AVal {
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

pub(super) fn create_object(v: &[AVal]) -> AVal {
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
