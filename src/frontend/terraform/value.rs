//! Terraform values as the evaluator sees them: cty-like data plus two "not knowable" states.
//!
//! * [`TVal::Unknown`]: not knowable before apply (a data source, a variable without default, an
//!   unsupported function). It may carry known literal text around it ([`Partial`]), so
//!   `"${var.app}.azurewebsites.net"` still tells a rule its suffix.
//! * [`TVal::Runtime`]: a reference to an attribute of a resource of the configuration
//!   (`azurerm_linux_function_app.fn.default_hostname`). The mapper links it to the model;
//!   every other operation treats it as Unknown.

use std::fmt;

use crate::model::Partial;

/// How deep value-recursive helpers (equality, display, JSON) go before giving up.
pub(crate) const VALUE_DEPTH: usize = 128;

/// Approximate size (bytes of text plus 32 per value) beyond which a computed value is
/// Unknown: chains of locals that each double a string or a list must not exhaust memory.
pub const MAX_VALUE_BYTES: usize = 16 * 1024 * 1024;

/// True when `v` is larger than [`MAX_VALUE_BYTES`] (stops counting once over).
pub(crate) fn too_big(v: &TVal) -> bool {
    let mut left = MAX_VALUE_BYTES;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        let own = 32
            + match v {
                TVal::Str(s) => s.len(),
                TVal::Unknown(p) => p.prefix.len() + p.suffix.len(),
                TVal::List(items) => {
                    stack.extend(items.iter());
                    0
                }
                TVal::Map(m) => {
                    stack.extend(m.iter().map(|(_, x)| x));
                    m.iter().map(|(k, _)| k.len()).sum()
                }
                _ => 0,
            };
        match left.checked_sub(own) {
            Some(l) => left = l,
            None => return true,
        }
    }
    false
}

/// A reference to an attribute of a resource in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RuntimeRef {
    /// The resource address: `azurerm_linux_function_app.fn`, `module.m.azurerm_subnet.x[0]`,
    /// `azurerm_subnet.s["k"]`.
    pub address: String,
    /// The resource type, e.g. `azurerm_subnet`.
    pub rtype: String,
    /// The attribute path below the resource: `["default_hostname"]`, `["id"]`. Index steps are
    /// written as their key (`private_service_connection[0].x` → `["private_service_connection",
    /// "0", "x"]`); a splat over a nested list attribute is the step `"*"`.
    pub path: Vec<String>,
}

impl RuntimeRef {
    /// A reference to the whole resource (empty path).
    pub fn new(address: impl Into<String>, rtype: impl Into<String>) -> Self {
        RuntimeRef {
            address: address.into(),
            rtype: rtype.into(),
            path: Vec::new(),
        }
    }

    /// The same reference one step deeper.
    pub fn child(&self, step: impl Into<String>) -> Self {
        let mut r = self.clone();
        r.path.push(step.into());
        r
    }
}

impl fmt::Display for RuntimeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)?;
        for p in &self.path {
            write!(f, ".{p}")?;
        }
        Ok(())
    }
}

/// A Terraform value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TVal {
    /// `null`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (Terraform numbers are arbitrary precision; f64 covers configurations).
    Number(f64),
    /// A string.
    Str(String),
    /// A list, tuple or set.
    List(Vec<TVal>),
    /// An object or map; keys are case-sensitive and keep insertion order.
    Map(Vec<(String, TVal)>),
    /// Not knowable before apply; the known literal text around it.
    Unknown(Partial),
    /// An attribute of a resource in the configuration.
    Runtime(RuntimeRef),
}

impl From<&str> for TVal {
    fn from(s: &str) -> Self {
        TVal::Str(s.to_string())
    }
}

impl From<String> for TVal {
    fn from(s: String) -> Self {
        TVal::Str(s)
    }
}

impl From<bool> for TVal {
    fn from(b: bool) -> Self {
        TVal::Bool(b)
    }
}

impl From<f64> for TVal {
    fn from(n: f64) -> Self {
        TVal::Number(n)
    }
}

impl From<i64> for TVal {
    fn from(n: i64) -> Self {
        TVal::Number(n as f64)
    }
}

impl TVal {
    /// An Unknown without known text.
    pub fn unknown() -> Self {
        TVal::Unknown(Partial::default())
    }

    /// The value of `key` in a map/object.
    pub fn get(&self, key: &str) -> Option<&TVal> {
        match self {
            TVal::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Element `i` of a list.
    pub fn index(&self, i: usize) -> Option<&TVal> {
        match self {
            TVal::List(l) => l.get(i),
            _ => None,
        }
    }

    /// The string when this is a Known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            TVal::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number when Known (a numeric string converts, as Terraform converts).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            TVal::Number(n) => Some(*n),
            TVal::Str(s) => parse_number(s),
            _ => None,
        }
    }

    /// The number when Known and integral.
    pub fn as_i64(&self) -> Option<i64> {
        let n = self.as_f64()?;
        if n.fract() == 0.0 && n.is_finite() && n.abs() < 9.007_199_254_740_992e15 {
            Some(n as i64)
        } else {
            None
        }
    }

    /// The boolean when Known (`"true"`/`"false"` strings convert, as Terraform converts).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            TVal::Bool(b) => Some(*b),
            TVal::Str(s) if s == "true" => Some(true),
            TVal::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// The elements when this is a list.
    pub fn as_list(&self) -> Option<&[TVal]> {
        match self {
            TVal::List(l) => Some(l),
            _ => None,
        }
    }

    /// The entries when this is a map/object.
    pub fn as_map(&self) -> Option<&[(String, TVal)]> {
        match self {
            TVal::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The runtime reference when this is one.
    pub fn as_runtime(&self) -> Option<&RuntimeRef> {
        match self {
            TVal::Runtime(r) => Some(r),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, TVal::Null)
    }

    /// True when the value itself is not knowable (Unknown or a Runtime reference). Elements of a
    /// Known collection may still be Unknown: see [`TVal::is_wholly_known`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, TVal::Unknown(_) | TVal::Runtime(_))
    }

    /// True when neither the value nor anything inside it is Unknown or Runtime.
    pub fn is_wholly_known(&self) -> bool {
        self.wholly_known_at(0)
    }

    fn wholly_known_at(&self, depth: usize) -> bool {
        if depth > VALUE_DEPTH {
            return false;
        }
        match self {
            TVal::Unknown(_) | TVal::Runtime(_) => false,
            TVal::List(l) => l.iter().all(|v| v.wholly_known_at(depth + 1)),
            TVal::Map(m) => m.iter().all(|(_, v)| v.wholly_known_at(depth + 1)),
            _ => true,
        }
    }

    /// The known text of an Unknown value.
    pub fn partial(&self) -> Option<&Partial> {
        match self {
            TVal::Unknown(p) => Some(p),
            _ => None,
        }
    }

    /// The known trailing text: the whole string when Known, the partial suffix when Unknown.
    pub fn known_suffix(&self) -> Option<&str> {
        match self {
            TVal::Str(s) => Some(s),
            TVal::Unknown(p) if !p.suffix.is_empty() => Some(&p.suffix),
            _ => None,
        }
    }

    /// A short type name for messages: `string`, `number`, `list`...
    pub fn type_name(&self) -> &'static str {
        match self {
            TVal::Null => "null",
            TVal::Bool(_) => "bool",
            TVal::Number(_) => "number",
            TVal::Str(_) => "string",
            TVal::List(_) => "list",
            TVal::Map(_) => "object",
            TVal::Unknown(_) => "unknown",
            TVal::Runtime(_) => "reference",
        }
    }

    /// The value converted to a string as Terraform converts primitives (`30` → `"30"`,
    /// `true` → `"true"`); `None` for null, collections and the not-knowable states.
    pub fn to_str_lossy(&self) -> Option<String> {
        match self {
            TVal::Str(s) => Some(s.clone()),
            TVal::Number(n) => Some(format_number(*n)),
            TVal::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Structural equality that knows about Unknown: `Some(true/false)` when decidable,
    /// `None` when an Unknown or Runtime part makes it undecidable. Numbers compare by value,
    /// values of different types are unequal (as in Terraform: `1 == "1"` is false).
    pub fn equals(&self, other: &TVal) -> Option<bool> {
        equals_at(self, other, 0)
    }
}

fn equals_at(a: &TVal, b: &TVal, depth: usize) -> Option<bool> {
    if depth > VALUE_DEPTH {
        return None;
    }
    match (a, b) {
        (TVal::Unknown(_) | TVal::Runtime(_), _) | (_, TVal::Unknown(_) | TVal::Runtime(_)) => None,
        (TVal::Null, TVal::Null) => Some(true),
        (TVal::Bool(x), TVal::Bool(y)) => Some(x == y),
        (TVal::Number(x), TVal::Number(y)) => Some(x == y),
        (TVal::Str(x), TVal::Str(y)) => Some(x == y),
        (TVal::List(x), TVal::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut undecided = false;
            for (p, q) in x.iter().zip(y) {
                match equals_at(p, q, depth + 1) {
                    Some(false) => return Some(false),
                    None => undecided = true,
                    Some(true) => {}
                }
            }
            if undecided { None } else { Some(true) }
        }
        (TVal::Map(x), TVal::Map(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut undecided = false;
            for (k, p) in x {
                let Some((_, q)) = y.iter().find(|(k2, _)| k2 == k) else {
                    return Some(false);
                };
                match equals_at(p, q, depth + 1) {
                    Some(false) => return Some(false),
                    None => undecided = true,
                    Some(true) => {}
                }
            }
            if undecided { None } else { Some(true) }
        }
        _ => Some(false),
    }
}

/// Parses a Terraform number literal from a string (`"30"`, `"-1.5"`, `"1e3"`).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.to_ascii_lowercase().contains("inf") {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Formats a number as Terraform prints it: integers without a fraction, others in the
/// shortest form that round-trips.
pub fn format_number(n: f64) -> String {
    if n == 0.0 {
        return "0".to_string();
    }
    format!("{n}")
}

/// One piece of a string being concatenated: known text or a value that is not knowable.
#[derive(Debug, Clone)]
pub(crate) enum Piece {
    Text(String),
    Opaque(Partial),
}

/// Concatenates pieces: a Known string when every piece is text, otherwise an Unknown whose
/// prefix is the text before the first opaque piece (plus that piece's own prefix) and whose
/// suffix is the text after the last opaque piece (after that piece's own suffix).
pub(crate) fn concat_pieces(pieces: &[Piece]) -> TVal {
    // Strings that double through chains of locals would exhaust memory: past the limit the
    // text is Unknown.
    let total: usize = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.len(),
            Piece::Opaque(o) => o.prefix.len() + o.suffix.len(),
        })
        .sum();
    if total > MAX_VALUE_BYTES {
        return TVal::unknown();
    }
    let first = pieces.iter().position(|p| matches!(p, Piece::Opaque(_)));
    let last = pieces.iter().rposition(|p| matches!(p, Piece::Opaque(_)));
    let (Some(first), Some(last)) = (first, last) else {
        let mut s = String::new();
        for p in pieces {
            if let Piece::Text(t) = p {
                s.push_str(t);
            }
        }
        return TVal::Str(s);
    };
    let mut prefix = String::new();
    for p in &pieces[..first] {
        if let Piece::Text(t) = p {
            prefix.push_str(t);
        }
    }
    let mut why = crate::model::Why::none();
    if let Piece::Opaque(p) = &pieces[first] {
        prefix.push_str(&p.prefix);
        why = p.why.clone();
    }
    let mut suffix = String::new();
    if let Piece::Opaque(p) = &pieces[last] {
        suffix.push_str(&p.suffix);
    }
    for p in &pieces[last + 1..] {
        if let Piece::Text(t) = p {
            suffix.push_str(t);
        }
    }
    TVal::Unknown(Partial {
        prefix,
        suffix,
        why,
    })
}

/// Concatenates two string-ish values with [`Partial`] semantics: Known + Known is Known;
/// anything Unknown yields an Unknown keeping the known text around it. `None` when either side
/// is not a string-convertible value (null, a collection).
pub fn concat_str(a: &TVal, b: &TVal) -> Option<TVal> {
    let pa = piece_of(a)?;
    let pb = piece_of(b)?;
    Some(concat_pieces(&[pa, pb]))
}

/// The piece a value contributes to a string, or `None` when it cannot be part of one.
pub(crate) fn piece_of(v: &TVal) -> Option<Piece> {
    match v {
        TVal::Unknown(p) => Some(Piece::Opaque(p.clone())),
        TVal::Runtime(_) => Some(Piece::Opaque(Partial::default())),
        other => other.to_str_lossy().map(Piece::Text),
    }
}

impl fmt::Display for TVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_at(self, f, 0)
    }
}

fn display_at(v: &TVal, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
    if depth > VALUE_DEPTH {
        return f.write_str("...");
    }
    match v {
        TVal::Null => f.write_str("null"),
        TVal::Bool(b) => write!(f, "{b}"),
        TVal::Number(n) => f.write_str(&format_number(*n)),
        TVal::Str(s) => write!(f, "{s:?}"),
        TVal::List(l) => {
            f.write_str("[")?;
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                display_at(x, f, depth + 1)?;
            }
            f.write_str("]")
        }
        TVal::Map(m) => {
            f.write_str("{")?;
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{k:?} = ")?;
                display_at(x, f, depth + 1)?;
            }
            f.write_str("}")
        }
        TVal::Unknown(p) => {
            if p.prefix.is_empty() && p.suffix.is_empty() {
                f.write_str("(unknown)")
            } else {
                write!(f, "{:?}", format!("{}…{}", p.prefix, p.suffix))
            }
        }
        TVal::Runtime(r) => write!(f, "{r}"),
    }
}

/// Converts parsed JSON (a `terraform.tfvars.json` entry, `jsondecode`) into a value.
pub fn tval_from_json(v: &serde_json::Value) -> TVal {
    json_at(v, 0)
}

fn json_at(v: &serde_json::Value, depth: usize) -> TVal {
    if depth > VALUE_DEPTH {
        return TVal::unknown();
    }
    match v {
        serde_json::Value::Null => TVal::Null,
        serde_json::Value::Bool(b) => TVal::Bool(*b),
        serde_json::Value::Number(n) => n.as_f64().map_or_else(TVal::unknown, TVal::Number),
        serde_json::Value::String(s) => TVal::Str(s.clone()),
        serde_json::Value::Array(a) => {
            TVal::List(a.iter().map(|x| json_at(x, depth + 1)).collect())
        }
        serde_json::Value::Object(o) => TVal::Map(
            o.iter()
                .map(|(k, x)| (k.clone(), json_at(x, depth + 1)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unk(prefix: &str, suffix: &str) -> TVal {
        TVal::Unknown(Partial {
            prefix: prefix.into(),
            suffix: suffix.into(),
            ..Partial::default()
        })
    }

    #[test]
    fn accessors() {
        let m = TVal::Map(vec![
            ("a".into(), TVal::from(1i64)),
            ("b".into(), TVal::List(vec!["x".into(), TVal::from(true)])),
        ]);
        assert_eq!(m.get("a").and_then(TVal::as_i64), Some(1));
        assert_eq!(m.get("A"), None, "keys are case-sensitive");
        assert_eq!(
            m.get("b").and_then(|l| l.index(0)).and_then(TVal::as_str),
            Some("x")
        );
        assert_eq!(
            m.get("b").and_then(|l| l.index(1)).and_then(TVal::as_bool),
            Some(true)
        );
        assert_eq!(TVal::from("30").as_i64(), Some(30));
        assert_eq!(TVal::from(1.5).as_i64(), None);
        assert_eq!(TVal::from("true").as_bool(), Some(true));
        assert!(TVal::unknown().is_unknown());
        assert!(TVal::Runtime(RuntimeRef::new("a.b", "a")).is_unknown());
        assert!(!TVal::List(vec![TVal::unknown()]).is_unknown());
        assert!(!TVal::List(vec![TVal::unknown()]).is_wholly_known());
        assert!(m.is_wholly_known());
    }

    #[test]
    fn partial_concatenation() {
        let host = concat_str(&TVal::unknown(), &TVal::from(".azurewebsites.net"));
        assert_eq!(host, Some(unk("", ".azurewebsites.net")));
        let url = concat_str(&TVal::from("https://"), &host.unwrap_or_default());
        assert_eq!(url, Some(unk("https://", ".azurewebsites.net")));
        let both = concat_pieces(&[
            Piece::Text("a".into()),
            Piece::Opaque(Partial {
                prefix: "b".into(),
                suffix: "c".into(),
                ..Partial::default()
            }),
            Piece::Text("d".into()),
            Piece::Opaque(Partial {
                prefix: "e".into(),
                suffix: "f".into(),
                ..Partial::default()
            }),
            Piece::Text("g".into()),
        ]);
        assert_eq!(both, unk("ab", "fg"));
        assert_eq!(
            concat_str(&TVal::from("a"), &TVal::from(2i64)),
            Some(TVal::from("a2"))
        );
        assert_eq!(concat_str(&TVal::Null, &TVal::from("a")), None);
    }

    #[test]
    fn equality_and_display() {
        assert_eq!(TVal::from(1i64).equals(&TVal::from("1")), Some(false));
        assert_eq!(TVal::unknown().equals(&TVal::from("1")), None);
        let l1 = TVal::List(vec![TVal::from(1i64), TVal::unknown()]);
        let l2 = TVal::List(vec![TVal::from(2i64), TVal::unknown()]);
        assert_eq!(l1.equals(&l2), Some(false));
        assert_eq!(l1.equals(&l1), None);
        assert_eq!(format_number(30.0), "30");
        assert_eq!(format_number(1.5), "1.5");
        let m = TVal::Map(vec![(
            "k".into(),
            TVal::List(vec![TVal::Null, 3i64.into()]),
        )]);
        assert_eq!(m.to_string(), r#"{"k" = [null, 3]}"#);
        let r = RuntimeRef::new("azurerm_subnet.s", "azurerm_subnet").child("id");
        assert_eq!(TVal::Runtime(r).to_string(), "azurerm_subnet.s.id");
    }

    #[test]
    fn from_json() {
        let j: serde_json::Value =
            serde_json::from_str(r#"{"a": [1, "x", null, true], "b": {"c": 2.5}}"#).unwrap();
        let v = tval_from_json(&j);
        assert_eq!(v.get("a").and_then(|l| l.index(1)), Some(&TVal::from("x")));
        assert_eq!(
            v.get("b").and_then(|m| m.get("c")),
            Some(&TVal::Number(2.5))
        );
    }
}
