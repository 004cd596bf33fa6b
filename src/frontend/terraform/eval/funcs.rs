//! Terraform's built-in functions, those configurations of gateways and sites use. Any other
//! function is Unknown. Each function sees its evaluated arguments; an argument that is not
//! knowable where the function needs its content makes the result Unknown.

use super::{EvalErr, R};
use crate::frontend::terraform::value::{
    Piece, TVal, VALUE_DEPTH, concat_pieces, format_number, piece_of, tval_from_json,
};
use crate::model::Partial;

/// Why a function stops early: its result is Unknown, or it is an evaluation error.
enum Stop {
    Unknown(Partial),
    Err(EvalErr),
}

impl From<EvalErr> for Stop {
    fn from(e: EvalErr) -> Self {
        Stop::Err(e)
    }
}

type F = Result<TVal, Stop>;

fn err<T>(msg: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Err(EvalErr::new(msg)))
}

fn unknown<T>() -> Result<T, Stop> {
    Err(Stop::Unknown(Partial::default()))
}

/// The functions evaluated here (others are Unknown without evaluating their arguments).
const SUPPORTED: &[&str] = &[
    "merge",
    "lookup",
    "concat",
    "format",
    "formatlist",
    "lower",
    "upper",
    "title",
    "trimspace",
    "trim",
    "trimprefix",
    "trimsuffix",
    "chomp",
    "replace",
    "split",
    "join",
    "substr",
    "startswith",
    "endswith",
    "strcontains",
    "tostring",
    "tonumber",
    "tobool",
    "tolist",
    "toset",
    "tomap",
    "coalesce",
    "coalescelist",
    "compact",
    "element",
    "length",
    "keys",
    "values",
    "flatten",
    "distinct",
    "contains",
    "index",
    "slice",
    "reverse",
    "sort",
    "range",
    "zipmap",
    "one",
    "sum",
    "min",
    "max",
    "abs",
    "ceil",
    "floor",
    "signum",
    "pow",
    "jsonencode",
    "jsondecode",
    "cidrsubnet",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnets",
    "alltrue",
    "anytrue",
    "sensitive",
    "nonsensitive",
    "setunion",
    "setintersection",
    "setsubtract",
];

/// True when `name` is evaluated here.
pub(super) fn supported(name: &str) -> bool {
    SUPPORTED.contains(&name)
}

/// Calls a supported function.
pub(super) fn call(name: &str, args: Vec<TVal>) -> R {
    match call_inner(name, args) {
        Ok(v) => Ok(v),
        Err(Stop::Unknown(p)) => Ok(TVal::Unknown(p)),
        Err(Stop::Err(e)) => Err(e),
    }
}

fn call_inner(name: &str, args: Vec<TVal>) -> F {
    let a = &args;
    match name {
        "merge" => merge(a),
        "lookup" => lookup(a),
        "concat" => {
            let mut out = Vec::new();
            for x in a {
                out.extend_from_slice(list(x)?);
            }
            Ok(TVal::List(out))
        }
        "format" => {
            arity_min(a, 1)?;
            let f = string(&a[0])?;
            format(&f, &a[1..])
        }
        "formatlist" => formatlist(a),
        "lower" => map_str(a, |s| s.to_lowercase(), true),
        "upper" => map_str(a, |s| s.to_uppercase(), true),
        "title" => map_str(a, title, false),
        "trimspace" => map_str(a, |s| s.trim().to_string(), false),
        "chomp" => map_str(a, |s| s.trim_end_matches(['\r', '\n']).to_string(), false),
        "trim" => {
            arity(a, 2)?;
            let (s, cut) = (string(&a[0])?, string(&a[1])?);
            Ok(TVal::Str(s.trim_matches(|c| cut.contains(c)).to_string()))
        }
        "trimprefix" => {
            arity(a, 2)?;
            let (s, p) = (string(&a[0])?, string(&a[1])?);
            Ok(TVal::Str(
                s.strip_prefix(p.as_str()).unwrap_or(&s).to_string(),
            ))
        }
        "trimsuffix" => {
            arity(a, 2)?;
            let (s, p) = (string(&a[0])?, string(&a[1])?);
            Ok(TVal::Str(
                s.strip_suffix(p.as_str()).unwrap_or(&s).to_string(),
            ))
        }
        "replace" => replace(a),
        "split" => {
            arity(a, 2)?;
            let (sep, s) = (string(&a[0])?, string(&a[1])?);
            let parts: Vec<TVal> = if sep.is_empty() {
                s.chars().map(|c| TVal::Str(c.to_string())).collect()
            } else {
                s.split(sep.as_str()).map(TVal::from).collect()
            };
            Ok(TVal::List(parts))
        }
        "join" => join(a),
        "substr" => substr(a),
        "startswith" | "endswith" | "strcontains" => affix(name, a),
        "tostring" => {
            arity(a, 1)?;
            match &a[0] {
                TVal::Null => Ok(TVal::Null),
                v @ (TVal::Unknown(_) | TVal::Runtime(_)) => Ok(v.clone()),
                v => v.to_str_lossy().map(TVal::Str).map_or_else(
                    || err(format!("cannot convert a {} to string", v.type_name())),
                    Ok,
                ),
            }
        }
        "tonumber" => {
            arity(a, 1)?;
            match &a[0] {
                TVal::Null => Ok(TVal::Null),
                v => known(v)?
                    .as_f64()
                    .map(TVal::Number)
                    .map_or_else(|| err("cannot convert to number"), Ok),
            }
        }
        "tobool" => {
            arity(a, 1)?;
            match &a[0] {
                TVal::Null => Ok(TVal::Null),
                v => known(v)?
                    .as_bool()
                    .map(TVal::Bool)
                    .map_or_else(|| err("cannot convert to bool"), Ok),
            }
        }
        "tolist" => {
            arity(a, 1)?;
            match known(&a[0])? {
                TVal::Null => Ok(TVal::Null),
                TVal::List(l) => Ok(TVal::List(l.clone())),
                v => err(format!("cannot convert a {} to list", v.type_name())),
            }
        }
        "toset" => {
            arity(a, 1)?;
            match known(&a[0])? {
                TVal::Null => Ok(TVal::Null),
                TVal::List(l) => to_set(l.clone()),
                v => err(format!("cannot convert a {} to set", v.type_name())),
            }
        }
        "tomap" => {
            arity(a, 1)?;
            match known(&a[0])? {
                TVal::Null => Ok(TVal::Null),
                TVal::Map(m) => Ok(TVal::Map(m.clone())),
                v => err(format!("cannot convert a {} to map", v.type_name())),
            }
        }
        "coalesce" => {
            for x in a {
                match x {
                    TVal::Unknown(_) | TVal::Runtime(_) => return unknown(),
                    TVal::Null => {}
                    TVal::Str(s) if s.is_empty() => {}
                    v => return Ok(v.clone()),
                }
            }
            err("no non-null, non-empty argument")
        }
        "coalescelist" => {
            for x in a {
                let l = list(x)?;
                if !l.is_empty() {
                    return Ok(TVal::List(l.to_vec()));
                }
            }
            err("no non-empty list")
        }
        "compact" => {
            arity(a, 1)?;
            let mut out = Vec::new();
            for x in list(&a[0])? {
                match x {
                    TVal::Null => {}
                    TVal::Str(s) if s.is_empty() => {}
                    TVal::Unknown(_) | TVal::Runtime(_) => return unknown(),
                    v => out.push(v.clone()),
                }
            }
            Ok(TVal::List(out))
        }
        "element" => {
            arity(a, 2)?;
            let l = list(&a[0])?;
            let i = int(&a[1])?;
            if l.is_empty() {
                return err("element() of an empty list");
            }
            if i < 0 {
                return err("element() index must not be negative");
            }
            Ok(l[(i as usize) % l.len()].clone())
        }
        "length" => {
            arity(a, 1)?;
            match known(&a[0])? {
                TVal::Str(s) => Ok(TVal::Number(s.chars().count() as f64)),
                TVal::List(l) => Ok(TVal::Number(l.len() as f64)),
                TVal::Map(m) => Ok(TVal::Number(m.len() as f64)),
                v => err(format!("length() of a {}", v.type_name())),
            }
        }
        "keys" => {
            arity(a, 1)?;
            Ok(TVal::List(
                sorted_map(&a[0])?
                    .into_iter()
                    .map(|(k, _)| TVal::Str(k))
                    .collect(),
            ))
        }
        "values" => {
            arity(a, 1)?;
            Ok(TVal::List(
                sorted_map(&a[0])?.into_iter().map(|(_, v)| v).collect(),
            ))
        }
        "flatten" => {
            arity(a, 1)?;
            let mut out = Vec::new();
            flatten_into(list(&a[0])?, &mut out, 0)?;
            Ok(TVal::List(out))
        }
        "distinct" => {
            arity(a, 1)?;
            let mut out: Vec<TVal> = Vec::new();
            for x in list(&a[0])? {
                if !contains_val(&out, x)? {
                    out.push(x.clone());
                }
            }
            Ok(TVal::List(out))
        }
        "contains" => {
            arity(a, 2)?;
            let l = list(&a[0])?;
            known(&a[1])?;
            Ok(TVal::Bool(contains_val(l, &a[1])?))
        }
        "index" => {
            arity(a, 2)?;
            let l = list(&a[0])?;
            known(&a[1])?;
            for (i, x) in l.iter().enumerate() {
                match x.equals(&a[1]) {
                    Some(true) => return Ok(TVal::Number(i as f64)),
                    Some(false) => {}
                    None => return unknown(),
                }
            }
            err("item not found")
        }
        "slice" => {
            arity(a, 3)?;
            let l = list(&a[0])?;
            let (s, e) = (int(&a[1])?, int(&a[2])?);
            if s < 0 || e < s || e as usize > l.len() {
                return err("slice() indexes out of range");
            }
            Ok(TVal::List(l[s as usize..e as usize].to_vec()))
        }
        "reverse" => {
            arity(a, 1)?;
            let mut l = list(&a[0])?.to_vec();
            l.reverse();
            Ok(TVal::List(l))
        }
        "sort" => {
            arity(a, 1)?;
            let mut out = Vec::new();
            for x in list(&a[0])? {
                out.push(string(x)?);
            }
            out.sort();
            Ok(TVal::List(out.into_iter().map(TVal::Str).collect()))
        }
        "range" => range(a),
        "zipmap" => {
            arity(a, 2)?;
            let (ks, vs) = (list(&a[0])?, list(&a[1])?);
            if ks.len() != vs.len() {
                return err("zipmap() lists differ in length");
            }
            let mut out: Vec<(String, TVal)> = Vec::new();
            for (k, v) in ks.iter().zip(vs) {
                let k = string(k)?;
                match out.iter_mut().find(|(k2, _)| *k2 == k) {
                    Some(slot) => slot.1 = v.clone(),
                    None => out.push((k, v.clone())),
                }
            }
            Ok(TVal::Map(out))
        }
        "one" => {
            arity(a, 1)?;
            let l = list(&a[0])?;
            match l.len() {
                0 => Ok(TVal::Null),
                1 => Ok(l[0].clone()),
                _ => err("one() of a list with more than one element"),
            }
        }
        "sum" => {
            arity(a, 1)?;
            let l = list(&a[0])?;
            if l.is_empty() {
                return err("sum() of an empty list");
            }
            let mut t = 0.0;
            for x in l {
                t += num(x)?;
            }
            Ok(TVal::Number(t))
        }
        "min" | "max" => {
            arity_min(a, 1)?;
            let mut best: Option<f64> = None;
            for x in a {
                let n = num(x)?;
                best = Some(match best {
                    None => n,
                    Some(b) if name == "min" => b.min(n),
                    Some(b) => b.max(n),
                });
            }
            best.map(TVal::Number)
                .map_or_else(|| err("no arguments"), Ok)
        }
        "abs" => num1(a, f64::abs),
        "ceil" => num1(a, f64::ceil),
        "floor" => num1(a, f64::floor),
        "signum" => num1(a, |n| if n == 0.0 { 0.0 } else { n.signum() }),
        "pow" => {
            arity(a, 2)?;
            let n = num(&a[0])?.powf(num(&a[1])?);
            if n.is_finite() {
                Ok(TVal::Number(n))
            } else {
                err("pow() out of range")
            }
        }
        "jsonencode" => {
            arity(a, 1)?;
            let mut s = String::new();
            json_encode(&a[0], &mut s, 0)?;
            Ok(TVal::Str(s))
        }
        "jsondecode" => {
            arity(a, 1)?;
            let s = string(&a[0])?;
            match serde_json::from_str::<serde_json::Value>(&s) {
                Ok(j) => Ok(tval_from_json(&j)),
                Err(e) => err(format!("invalid JSON: {e}")),
            }
        }
        "cidrsubnet" => {
            arity(a, 3)?;
            let (base, len) = cidr(&string(&a[0])?)?;
            let (newbits, netnum) = (int(&a[1])?, int(&a[2])?);
            subnet(base, len, newbits, netnum).map(|(b, l)| TVal::Str(format!("{}/{l}", ipv4(b))))
        }
        "cidrsubnets" => {
            arity_min(a, 1)?;
            let (base, len) = cidr(&string(&a[0])?)?;
            let mut out = Vec::new();
            let mut next: u64 = u64::from(base);
            let end = u64::from(base) + (1u64 << (32 - len));
            for nb in &a[1..] {
                let nb = int(nb)?;
                if nb < 1 || len as i64 + nb > 32 {
                    return err("cidrsubnets() prefix out of range");
                }
                let nl = len + nb as u32;
                let size = 1u64 << (32 - nl);
                let start = next.div_ceil(size) * size;
                if start + size > end {
                    return err("cidrsubnets() address space exhausted");
                }
                out.push(TVal::Str(format!("{}/{nl}", ipv4(start as u32))));
                next = start + size;
            }
            Ok(TVal::List(out))
        }
        "cidrhost" => {
            arity(a, 2)?;
            let (base, len) = cidr(&string(&a[0])?)?;
            let hostnum = int(&a[1])?;
            let size = 1i64 << (32 - len);
            let h = if hostnum < 0 { size + hostnum } else { hostnum };
            if h < 0 || h >= size {
                return err("cidrhost() host number out of range");
            }
            Ok(TVal::Str(ipv4(base + h as u32)))
        }
        "cidrnetmask" => {
            arity(a, 1)?;
            let (_, len) = cidr(&string(&a[0])?)?;
            Ok(TVal::Str(ipv4(mask(len))))
        }
        "alltrue" | "anytrue" => {
            arity(a, 1)?;
            let want = name == "anytrue";
            let mut undecided = false;
            for x in list(&a[0])? {
                if x.is_unknown() {
                    undecided = true;
                    continue;
                }
                match x.as_bool() {
                    Some(b) if b == want => return Ok(TVal::Bool(want)),
                    Some(_) => {}
                    None => return err("not a bool"),
                }
            }
            if undecided {
                unknown()
            } else {
                Ok(TVal::Bool(!want))
            }
        }
        "sensitive" | "nonsensitive" => {
            arity(a, 1)?;
            Ok(a[0].clone())
        }
        "setunion" | "setintersection" | "setsubtract" => sets(name, a),
        _ => unknown(),
    }
}

fn arity(a: &[TVal], n: usize) -> Result<(), Stop> {
    if a.len() == n {
        Ok(())
    } else {
        err(format!("expected {n} arguments, got {}", a.len()))
    }
}

fn arity_min(a: &[TVal], n: usize) -> Result<(), Stop> {
    if a.len() >= n {
        Ok(())
    } else {
        err(format!("expected at least {n} arguments"))
    }
}

/// The value itself, or Unknown when it is not knowable. The argument's known text is not
/// carried over: the result is a different value (`length("${var.x}.net")`).
fn known(v: &TVal) -> Result<&TVal, Stop> {
    match v {
        TVal::Unknown(_) | TVal::Runtime(_) => unknown(),
        other => Ok(other),
    }
}

/// A string argument (numbers and bools convert, as Terraform converts them).
fn string(v: &TVal) -> Result<String, Stop> {
    match known(v)? {
        TVal::Null => err("null where a string is required"),
        other => other.to_str_lossy().map_or_else(
            || {
                err(format!(
                    "a {} where a string is required",
                    other.type_name()
                ))
            },
            Ok,
        ),
    }
}

fn num(v: &TVal) -> Result<f64, Stop> {
    let v = known(v)?;
    v.as_f64().map_or_else(
        || err(format!("a {} where a number is required", v.type_name())),
        Ok,
    )
}

fn int(v: &TVal) -> Result<i64, Stop> {
    let v = known(v)?;
    v.as_i64()
        .map_or_else(|| err("a whole number is required"), Ok)
}

fn list(v: &TVal) -> Result<&[TVal], Stop> {
    match known(v)? {
        TVal::List(l) => Ok(l),
        other => err(format!("a {} where a list is required", other.type_name())),
    }
}

fn num1(a: &[TVal], f: impl Fn(f64) -> f64) -> F {
    arity(a, 1)?;
    Ok(TVal::Number(f(num(&a[0])?)))
}

/// Applies a string function. With `partial`, an Unknown's known text is mapped too (only
/// for functions that map characters independently, like `lower`).
fn map_str(a: &[TVal], f: impl Fn(&str) -> String, partial: bool) -> F {
    arity(a, 1)?;
    match &a[0] {
        TVal::Unknown(p) if partial => Ok(TVal::Unknown(Partial {
            prefix: f(&p.prefix),
            suffix: f(&p.suffix),
            why: p.why.clone(),
        })),
        v => Ok(TVal::Str(f(&string(v)?))),
    }
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_letter = false;
    for c in s.chars() {
        if !prev_letter && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphanumeric() || c == '_' || c == '\'';
    }
    out
}

fn merge(a: &[TVal]) -> F {
    let mut out: Vec<(String, TVal)> = Vec::new();
    for x in a {
        match known(x)? {
            TVal::Null => {}
            TVal::Map(m) => {
                for (k, v) in m {
                    match out.iter_mut().find(|(k2, _)| k2 == k) {
                        Some(slot) => slot.1 = v.clone(),
                        None => out.push((k.clone(), v.clone())),
                    }
                }
            }
            other => return err(format!("merge() of a {}", other.type_name())),
        }
    }
    Ok(TVal::Map(out))
}

fn lookup(a: &[TVal]) -> F {
    if a.len() != 2 && a.len() != 3 {
        return err("lookup() takes 2 or 3 arguments");
    }
    let m = match known(&a[0])? {
        TVal::Map(m) => m,
        other => return err(format!("lookup() in a {}", other.type_name())),
    };
    let k = string(&a[1])?;
    match m.iter().find(|(k2, _)| *k2 == k) {
        Some((_, v)) => Ok(v.clone()),
        None => match a.get(2) {
            Some(d) => Ok(d.clone()),
            None => err(format!("lookup(): no key {k:?}")),
        },
    }
}

/// Terraform's `format` verbs: `%s %d %v %q %t %f %x %X %%`, with flags, width and precision.
/// An Unknown argument yields an Unknown keeping the text formatted around it.
fn format(f: &str, args: &[TVal]) -> F {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut text = String::new();
    let mut next_arg = 0usize;
    let mut used_max = 0usize;
    let mut chars = f.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&fl) = chars.peek() {
            if "-+ #0".contains(fl) {
                flags.push(fl);
                chars.next();
            } else {
                break;
            }
        }
        let mut explicit: Option<usize> = None;
        if chars.peek() == Some(&'[') {
            chars.next();
            let mut n = String::new();
            while let Some(&d) = chars.peek() {
                chars.next();
                if d == ']' {
                    break;
                }
                n.push(d);
            }
            match n.parse::<usize>() {
                Ok(i) if i >= 1 => explicit = Some(i - 1),
                _ => return err("format(): bad argument index"),
            }
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut prec: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            return err("format(): trailing %");
        };
        if verb == '%' {
            text.push('%');
            continue;
        }
        if !"sdvqtfxX".contains(verb) {
            return unknown();
        }
        let ai = explicit.unwrap_or(next_arg);
        next_arg = ai + 1;
        used_max = used_max.max(next_arg);
        let Some(arg) = args.get(ai) else {
            return err("format(): not enough arguments");
        };
        let formatted = match arg {
            TVal::Unknown(p) => {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                let keep = matches!(verb, 's' | 'v') && width.is_empty();
                pieces.push(Piece::Opaque(if keep {
                    p.clone()
                } else {
                    Partial::default()
                }));
                continue;
            }
            TVal::Runtime(_) => {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Opaque(Partial::default()));
                continue;
            }
            v => format_verb(verb, v, prec, flags.contains('+'))?,
        };
        let w: usize = width.parse().unwrap_or(0);
        let len = formatted.chars().count();
        if len < w {
            let pad = w - len;
            if flags.contains('-') {
                text.push_str(&formatted);
                text.extend(std::iter::repeat_n(' ', pad));
            } else if flags.contains('0') && matches!(verb, 'd' | 'f' | 'x' | 'X') {
                let (sign, digits) = match formatted.strip_prefix('-') {
                    Some(d) => ("-", d),
                    None => ("", formatted.as_str()),
                };
                text.push_str(sign);
                text.extend(std::iter::repeat_n('0', pad));
                text.push_str(digits);
            } else {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(&formatted);
            }
        } else {
            text.push_str(&formatted);
        }
    }
    if used_max < args.len() {
        return err("format(): too many arguments");
    }
    pieces.push(Piece::Text(text));
    Ok(concat_pieces(&pieces))
}

fn format_verb(verb: char, v: &TVal, prec: Option<usize>, plus: bool) -> Result<String, Stop> {
    match verb {
        's' => string(v),
        'q' => {
            let s = string(v)?;
            let mut out = String::new();
            json_string(&s, &mut out);
            Ok(out)
        }
        'v' => match v {
            TVal::Str(s) => Ok(s.clone()),
            TVal::List(_) | TVal::Map(_) | TVal::Null => {
                let mut out = String::new();
                json_encode(v, &mut out, 0)?;
                Ok(out)
            }
            other => string(other),
        },
        't' => match v.as_bool() {
            Some(b) => Ok(b.to_string()),
            None => err("format(): %t needs a bool"),
        },
        'd' => {
            let n = int(v)?;
            Ok(if plus && n >= 0 {
                format!("+{n}")
            } else {
                n.to_string()
            })
        }
        'f' => {
            let n = num(v)?;
            let s = format!("{n:.*}", prec.unwrap_or(6));
            Ok(if plus && n >= 0.0 { format!("+{s}") } else { s })
        }
        'x' | 'X' => {
            let n = int(v)?;
            let s = if n < 0 {
                format!("-{:x}", n.unsigned_abs())
            } else {
                format!("{n:x}")
            };
            Ok(if verb == 'X' { s.to_uppercase() } else { s })
        }
        _ => unknown(),
    }
}

fn formatlist(a: &[TVal]) -> F {
    arity_min(a, 1)?;
    let f = string(&a[0])?;
    let mut n: Option<usize> = None;
    for x in &a[1..] {
        match x {
            TVal::List(l) => match n {
                Some(m) if m != l.len() => return err("formatlist(): lists differ in length"),
                _ => n = Some(l.len()),
            },
            TVal::Unknown(_) | TVal::Runtime(_) => return unknown(),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for i in 0..n.unwrap_or(1) {
        let row: Vec<TVal> = a[1..]
            .iter()
            .map(|x| match x {
                TVal::List(l) => l[i].clone(),
                other => other.clone(),
            })
            .collect();
        out.push(format(&f, &row)?);
    }
    Ok(TVal::List(out))
}

fn join(a: &[TVal]) -> F {
    arity_min(a, 2)?;
    let sep = string(&a[0])?;
    let mut pieces = Vec::new();
    let mut first = true;
    for l in &a[1..] {
        for x in list(l)? {
            if !first {
                pieces.push(Piece::Text(sep.clone()));
            }
            first = false;
            match x {
                TVal::Null => return err("join(): null element"),
                v => match piece_of(v) {
                    Some(p) => pieces.push(p),
                    None => return err(format!("join(): a {} element", v.type_name())),
                },
            }
        }
    }
    Ok(concat_pieces(&pieces))
}

fn substr(a: &[TVal]) -> F {
    arity(a, 3)?;
    let s: Vec<char> = string(&a[0])?.chars().collect();
    let (off, len) = (int(&a[1])?, int(&a[2])?);
    let n = s.len() as i64;
    let start = if off < 0 {
        (n + off).max(0)
    } else {
        off.min(n)
    };
    let end = if len < 0 { n } else { (start + len).min(n) };
    if len < -1 {
        return err("substr(): length must be -1 or more");
    }
    Ok(TVal::Str(
        s[start as usize..end.max(start) as usize].iter().collect(),
    ))
}

/// `startswith`, `endswith`, `strcontains`; decided on an Unknown's known text when possible.
fn affix(name: &str, a: &[TVal]) -> F {
    arity(a, 2)?;
    let needle = string(&a[1])?;
    if let TVal::Unknown(p) = &a[0] {
        return match name {
            "startswith" if p.prefix.starts_with(&needle) => Ok(TVal::Bool(true)),
            "startswith" if !needle.starts_with(&p.prefix) => Ok(TVal::Bool(false)),
            "endswith" if p.suffix.ends_with(&needle) => Ok(TVal::Bool(true)),
            "endswith" if !needle.ends_with(&p.suffix) => Ok(TVal::Bool(false)),
            "strcontains" if p.prefix.contains(&needle) || p.suffix.contains(&needle) => {
                Ok(TVal::Bool(true))
            }
            _ => unknown(),
        };
    }
    let s = string(&a[0])?;
    Ok(TVal::Bool(match name {
        "startswith" => s.starts_with(&needle),
        "endswith" => s.ends_with(&needle),
        _ => s.contains(&needle),
    }))
}

/// `replace`: plain substrings; a `/regex/` only when it is a literal in disguise.
fn replace(a: &[TVal]) -> F {
    arity(a, 3)?;
    let (s, pat, rep) = (string(&a[0])?, string(&a[1])?, string(&a[2])?);
    let literal = if pat.len() >= 2 && pat.starts_with('/') && pat.ends_with('/') {
        match regex_literal(&pat[1..pat.len() - 1]) {
            Some(l) if !rep.contains('$') => l,
            _ => return unknown(),
        }
    } else {
        pat
    };
    if literal.is_empty() {
        return unknown();
    }
    Ok(TVal::Str(s.replace(&literal, &rep)))
}

/// The text a regular expression matches when it matches exactly one literal string.
fn regex_literal(re: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = re.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let n = chars.next()?;
                if n.is_ascii_punctuation() {
                    out.push(n);
                } else {
                    return None;
                }
            }
            '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' => {
                return None;
            }
            other => out.push(other),
        }
    }
    Some(out)
}

fn range(a: &[TVal]) -> F {
    let (start, limit, step) = match a.len() {
        1 => (0.0, num(&a[0])?, None),
        2 => (num(&a[0])?, num(&a[1])?, None),
        3 => (num(&a[0])?, num(&a[1])?, Some(num(&a[2])?)),
        _ => return err("range() takes 1 to 3 arguments"),
    };
    let step = step.unwrap_or(if limit < start { -1.0 } else { 1.0 });
    if step == 0.0 || (step > 0.0 && limit < start) || (step < 0.0 && limit > start) {
        return err("range(): invalid step");
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
        if out.len() >= 1024 {
            return err("range() would produce more than 1024 elements");
        }
        out.push(TVal::Number(x));
        x += step;
    }
    Ok(TVal::List(out))
}

fn sorted_map(v: &TVal) -> Result<Vec<(String, TVal)>, Stop> {
    match known(v)? {
        TVal::Map(m) => {
            let mut m = m.clone();
            m.sort_by(|x, y| x.0.cmp(&y.0));
            Ok(m)
        }
        other => err(format!("a {} where a map is required", other.type_name())),
    }
}

fn flatten_into(l: &[TVal], out: &mut Vec<TVal>, depth: usize) -> Result<(), Stop> {
    if depth > VALUE_DEPTH {
        return unknown();
    }
    for x in l {
        match x {
            TVal::List(inner) => flatten_into(inner, out, depth + 1)?,
            // It may be a list, so the result's shape is not knowable.
            TVal::Unknown(_) | TVal::Runtime(_) => return unknown(),
            other => out.push(other.clone()),
        }
    }
    Ok(())
}

/// Whether `l` holds `v`; Unknown when undecidable.
fn contains_val(l: &[TVal], v: &TVal) -> Result<bool, Stop> {
    let mut undecided = false;
    for x in l {
        match x.equals(v) {
            Some(true) => return Ok(true),
            Some(false) => {}
            None => undecided = true,
        }
    }
    if undecided { unknown() } else { Ok(false) }
}

/// A set as Terraform orders it: deduplicated; strings in lexical order, numbers ascending.
fn to_set(l: Vec<TVal>) -> F {
    if !l.iter().all(TVal::is_wholly_known) {
        return set_with_refs(l);
    }
    let mut out: Vec<TVal> = Vec::new();
    for x in &l {
        if !contains_val(&out, x)? {
            out.push(x.clone());
        }
    }
    if out.iter().all(|x| matches!(x, TVal::Str(_))) {
        out.sort_by(|x, y| x.as_str().cmp(&y.as_str()));
    } else if out.iter().all(|x| matches!(x, TVal::Number(_))) {
        out.sort_by(|x, y| {
            x.as_f64()
                .partial_cmp(&y.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    Ok(TVal::List(out))
}

/// A set whose elements include resource references (`toset([azurerm_linux_web_app.a.default_hostname])`,
/// a variable typed `set(string)`): the references are kept, so a backend pool still links to
/// its site. Known elements are deduplicated and sorted first, then the references in written
/// order, a reference written twice once. Another Unknown element makes the set Unknown unless
/// it is the only one (two Unknowns may turn out equal; one element is one element).
fn set_with_refs(l: Vec<TVal>) -> F {
    if let [only] = l.as_slice() {
        return Ok(TVal::List(vec![only.clone()]));
    }
    let mut known: Vec<TVal> = Vec::new();
    let mut refs: Vec<TVal> = Vec::new();
    for x in l {
        match &x {
            TVal::Runtime(_) => {
                if !refs.contains(&x) {
                    refs.push(x);
                }
            }
            v if v.is_wholly_known() => known.push(x),
            _ => return unknown(),
        }
    }
    let mut out = match to_set(known)? {
        TVal::List(k) => k,
        _ => return unknown(),
    };
    out.extend(refs);
    Ok(TVal::List(out))
}

fn sets(name: &str, a: &[TVal]) -> F {
    arity_min(a, 1)?;
    let mut acc = list(&a[0])?.to_vec();
    for other in &a[1..] {
        let o = list(other)?;
        match name {
            "setunion" => acc.extend_from_slice(o),
            "setintersection" => {
                let mut keep = Vec::new();
                for x in acc {
                    if contains_val(o, &x)? {
                        keep.push(x);
                    }
                }
                acc = keep;
            }
            _ => {
                let mut keep = Vec::new();
                for x in acc {
                    if !contains_val(o, &x)? {
                        keep.push(x);
                    }
                }
                acc = keep;
            }
        }
    }
    to_set(acc)
}

/// JSON as Terraform's `jsonencode` writes it: compact, object keys sorted, `<`, `>` and `&`
/// escaped.
fn json_encode(v: &TVal, out: &mut String, depth: usize) -> Result<(), Stop> {
    if depth > VALUE_DEPTH {
        return unknown();
    }
    match v {
        TVal::Null => out.push_str("null"),
        TVal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        TVal::Number(n) => out.push_str(&format_number(*n)),
        TVal::Str(s) => json_string(s, out),
        TVal::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_encode(x, out, depth + 1)?;
            }
            out.push(']');
        }
        TVal::Map(m) => {
            let mut m: Vec<&(String, TVal)> = m.iter().collect();
            m.sort_by(|x, y| x.0.cmp(&y.0));
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                json_encode(x, out, depth + 1)?;
            }
            out.push('}');
        }
        TVal::Unknown(_) | TVal::Runtime(_) => return unknown(),
    }
    Ok(())
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parses an IPv4 CIDR into (network address, prefix length). IPv6 is Unknown.
fn cidr(s: &str) -> Result<(u32, u32), Stop> {
    if s.contains(':') {
        return unknown();
    }
    let Some((ip, len)) = s.split_once('/') else {
        return err("invalid CIDR");
    };
    let Ok(addr) = ip.parse::<std::net::Ipv4Addr>() else {
        return err("invalid CIDR address");
    };
    let Ok(len) = len.parse::<u32>() else {
        return err("invalid CIDR prefix length");
    };
    if len > 32 {
        return err("invalid CIDR prefix length");
    }
    Ok((u32::from(addr) & mask(len), len))
}

fn mask(len: u32) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - len) }
}

fn ipv4(n: u32) -> String {
    std::net::Ipv4Addr::from(n).to_string()
}

fn subnet(base: u32, len: u32, newbits: i64, netnum: i64) -> Result<(u32, u32), Stop> {
    if newbits < 0 || len as i64 + newbits > 32 {
        return err("cidrsubnet(): prefix extension out of range");
    }
    let nl = len + newbits as u32;
    if netnum < 0 || (newbits < 63 && netnum >= (1i64 << newbits)) {
        return err("cidrsubnet(): network number out of range");
    }
    let shifted = if nl == 32 {
        netnum as u64
    } else {
        (netnum as u64) << (32 - nl)
    };
    Ok(((u64::from(base) | shifted) as u32, nl))
}
