//! String building and string functions: `concat`, `format`, `split`, `substring`...
//!
//! A string under construction is a list of pieces, literal text or unknown parts; joining
//! them keeps the text known before the first unknown part and after the last.

use std::borrow::Cow;

use super::collections::tri_eq;
use super::funcs::{MAX_ELEMS, MAX_STR, int_len, unknown};
use crate::frontend::arm::value::AVal;
use crate::model::{Partial, Why};

/// (prefix, suffix, minimum length in bytes) of what is known of a string value.
pub(super) fn str_knowledge(v: &AVal) -> Option<(&str, &str, usize)> {
    match v {
        AVal::Str(s) => Some((s, s, s.len())),
        AVal::Unknown(p) => Some((&p.prefix, &p.suffix, p.prefix.len() + p.suffix.len())),
        _ => None,
    }
}

pub(super) fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let n = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    // `n` is a char boundary of `a` (an index from char_indices, or the shorter length when
    // one is a prefix of the other, which is then a boundary of both).
    a.get(..n).unwrap_or("")
}

pub(super) fn common_suffix<'a>(a: &'a str, b: &str) -> &'a str {
    let mut n = 0;
    for (x, y) in a.chars().rev().zip(b.chars().rev()) {
        if x != y {
            break;
        }
        n += x.len_utf8();
    }
    a.get(a.len() - n..).unwrap_or("")
}

/// What two possible values share: the value itself when equal and Known, otherwise the
/// common leading and trailing text of two strings.
pub(super) fn merge_branches(a: &AVal, b: &AVal) -> AVal {
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
    while prefix.len() + suffix.len() > min_len && !suffix.is_empty() {
        let mut cs = suffix.chars();
        cs.next();
        suffix = cs.as_str();
    }
    AVal::Unknown(Box::new(Partial {
        prefix: prefix.to_string(),
        suffix: suffix.to_string(),
        why: Why::none(),
    }))
}

/// A piece of a string being built: literal text or an unknown part.
pub(super) enum Piece<'a> {
    Text(Cow<'a, str>),
    Unk(Cow<'a, Partial>),
}

/// The piece a value contributes to a string concatenation; `None` when the value cannot be
/// part of a string (ARM would fail).
pub(super) fn piece(v: &AVal) -> Option<Piece<'_>> {
    Some(match v {
        AVal::Str(s) => Piece::Text(Cow::Borrowed(s)),
        AVal::Int(i) => Piece::Text(Cow::Owned(i.to_string())),
        AVal::Unknown(p) => Piece::Unk(Cow::Borrowed(p)),
        AVal::Runtime(_) => Piece::Unk(Cow::Owned(Partial::default())),
        _ => return None,
    })
}

/// Joins pieces: a Known string, or Unknown keeping the text before the first unknown part
/// (prefix) and after the last (suffix). Unknown without text when what is kept grows past
/// [`MAX_STR`] on the way. Lengths are counted first, so each text is built at its size (the
/// `resourceId()` of every sub-resource reference grew its suffix three or four times).
pub(super) fn join_pieces(pieces: Vec<Piece<'_>>) -> AVal {
    // The lengths the joining goes through, as in the loop below.
    let (mut prefix_len, mut suffix_len): (usize, Option<usize>) = (0, None);
    for p in &pieces {
        match (p, &mut suffix_len) {
            (Piece::Text(t), Some(s)) => *s += t.len(),
            (Piece::Text(t), None) => prefix_len += t.len(),
            (Piece::Unk(u), s @ None) => {
                prefix_len += u.prefix.len();
                *s = Some(u.suffix.len());
            }
            (Piece::Unk(u), s @ Some(_)) => *s = Some(u.suffix.len()),
        }
        if prefix_len + suffix_len.unwrap_or(0) > MAX_STR {
            return unknown();
        }
    }
    let mut prefix = String::with_capacity(prefix_len);
    let mut suffix: Option<String> = None;
    let mut why = Why::none();
    for p in pieces {
        match (p, &mut suffix) {
            (Piece::Text(t), Some(s)) => s.push_str(&t),
            (Piece::Text(t), None) => prefix.push_str(&t),
            (Piece::Unk(u), s @ None) => {
                prefix.push_str(&u.prefix);
                *s = Some(with_final_len(&u.suffix, suffix_len));
                why = u.why.clone();
            }
            (Piece::Unk(u), s @ Some(_)) => *s = Some(with_final_len(&u.suffix, suffix_len)),
        }
    }
    match suffix {
        None => AVal::Str(prefix),
        Some(suffix) => AVal::Unknown(Box::new(Partial {
            prefix,
            suffix,
            why,
        })),
    }
}

/// `text` copied into a string with room for the final suffix's length.
fn with_final_len(text: &str, len: Option<usize>) -> String {
    let mut s = String::with_capacity(len.unwrap_or(0).max(text.len()));
    s.push_str(text);
    s
}

pub(super) fn string_pieces(vals: &[AVal]) -> Option<Vec<Piece<'_>>> {
    vals.iter().map(piece).collect()
}

pub(super) fn concat(v: &[AVal]) -> AVal {
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

pub(super) fn format(v: &[AVal]) -> AVal {
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
pub(super) fn format_int(i: i64, spec: &str) -> Option<String> {
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

pub(super) fn map_case(v: &[AVal], f: fn(&str) -> String) -> AVal {
    match v {
        [AVal::Str(s)] => AVal::Str(f(s)),
        [AVal::Unknown(p)] => AVal::Unknown(Box::new(Partial {
            prefix: f(&p.prefix),
            suffix: f(&p.suffix),
            why: p.why.clone(),
        })),
        _ => unknown(),
    }
}

pub(super) fn split(v: &[AVal]) -> AVal {
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

pub(super) fn substring(v: &[AVal]) -> AVal {
    let (s, start, len) = match v {
        [AVal::Str(s), AVal::Int(st)] => (s, *st, None),
        [AVal::Str(s), AVal::Int(st), AVal::Int(l)] => (s, *st, Some(*l)),
        _ => return unknown(),
    };
    // .NET indexes strings in UTF-16 code units.
    let units: Vec<u16> = s.encode_utf16().collect();
    let Ok(start) = usize::try_from(start) else {
        return unknown();
    };
    let len = match len {
        None => units.len().checked_sub(start),
        Some(l) => usize::try_from(l).ok(),
    };
    let Some(len) = len else {
        return unknown();
    };
    match units.get(start..start.saturating_add(len)) {
        Some(slice) => String::from_utf16(slice).map_or_else(|_| unknown(), AVal::Str),
        None => unknown(),
    }
}

pub(super) fn index_of(v: &[AVal], last: bool) -> AVal {
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
pub(super) fn affix_test(a: &AVal, x: &str, start: bool) -> AVal {
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
