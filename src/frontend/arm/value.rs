//! Values of the ARM expression language as the evaluator sees them.
//!
//! Besides JSON's kinds there are two that are not knowable before deployment: `Unknown`
//! (with the literal text known around it, so a suffix like `.azurewebsites.net` survives) and
//! `Runtime`, a `reference()` to a resource in the scan, which keeps the property path so the
//! template layer can link it to the resource.

use super::json::{JKind, JNode, number_to_i64};
use crate::model::Partial;

/// Deepest nesting of arrays and objects the evaluator builds; deeper results are Unknown, so
/// no later recursion over a value (comparison, cloning, dropping) can exhaust the stack.
pub const MAX_VALUE_DEPTH: usize = 512;

/// Approximate size (bytes of text plus 32 per value) beyond which a variable's value is
/// Unknown, and the most one expression may build in all: variables that each double an array
/// must not exhaust memory.
pub const MAX_VALUE_BYTES: usize = 16 * 1024 * 1024;

/// The approximate size of `v` (bytes of text plus 32 per value), counting stopped once it
/// passes `cap` (so the cost is bounded by `cap`, not by the value).
pub fn size_capped(v: &AVal, cap: usize) -> usize {
    let mut total = 0usize;
    // Filled only by arrays and objects: a scalar (most values) allocates nothing.
    let mut stack: Vec<&AVal> = Vec::new();
    let mut next = Some(v);
    while let Some(v) = next.take().or_else(|| stack.pop()) {
        total += 32
            + match v {
                AVal::Str(s) => s.len(),
                AVal::Unknown(p) => p.prefix.len() + p.suffix.len(),
                AVal::Array(items) => {
                    stack.extend(items.iter());
                    0
                }
                AVal::Object(m) => {
                    stack.extend(m.iter().map(|(_, x)| x));
                    m.iter().map(|(k, _)| k.len()).sum()
                }
                _ => 0,
            };
        if total > cap {
            break;
        }
    }
    total
}

/// An evaluated ARM value.
#[derive(Debug, Clone, PartialEq)]
pub enum AVal {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (ARM has no literal floats in expressions).
    Int(i64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<AVal>),
    /// An object; keys keep their case, lookups are case-insensitive.
    Object(Vec<(String, AVal)>),
    /// Not knowable before deployment; `Partial` is the literal text known around it.
    /// Boxed, as is `Runtime`: inline they made every value 72 bytes (32 without them), and
    /// arguments and members are moved and copied by value as expressions are evaluated.
    Unknown(Box<Partial>),
    /// A `reference()` to a resource in the scan, with the member path applied to it.
    Runtime(Box<RuntimeRef>),
}

/// A `reference()` (or `resourceInfo()`-like) value pointing at a resource in the scan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuntimeRef {
    /// The target's resource type as the template layer resolved it.
    pub rtype: String,
    /// The target's full name.
    pub name: String,
    /// Member path applied after `reference(...)`: `.properties.defaultHostName` gives
    /// `["properties", "defaultHostName"]`; an index `[0]` is pushed as `"0"`.
    pub path: Vec<String>,
}

impl Default for AVal {
    fn default() -> Self {
        AVal::Unknown(Box::default())
    }
}

impl AVal {
    /// An Unknown with nothing known around it.
    pub fn unknown() -> Self {
        AVal::Unknown(Box::default())
    }

    /// The member `key` of an object (case-insensitive; an exact-case match wins, otherwise
    /// the last case-insensitive one).
    pub fn get(&self, key: &str) -> Option<&AVal> {
        match self {
            AVal::Object(props) => props
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .or_else(|| {
                    props
                        .iter()
                        .rev()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                })
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when Known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AVal::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, when Known integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            AVal::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The boolean, when Known boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AVal::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, when Known array.
    pub fn as_array(&self) -> Option<&[AVal]> {
        match self {
            AVal::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The properties, when Known object.
    pub fn as_object(&self) -> Option<&[(String, AVal)]> {
        match self {
            AVal::Object(o) => Some(o),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, AVal::Null)
    }

    /// True when the value itself is not knowable (Unknown or Runtime). Elements of a Known
    /// array or object may still be unknown: see [`AVal::is_fully_known`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, AVal::Unknown(_) | AVal::Runtime(_))
    }

    /// True when neither the value nor anything inside it is Unknown or Runtime.
    pub fn is_fully_known(&self) -> bool {
        match self {
            AVal::Unknown(_) | AVal::Runtime(_) => false,
            AVal::Array(a) => a.iter().all(AVal::is_fully_known),
            AVal::Object(o) => o.iter().all(|(_, v)| v.is_fully_known()),
            _ => true,
        }
    }

    /// True when arrays and objects nest deeper than `limit` levels (a scalar has depth 0).
    /// Recursion stops at `limit`, so this is safe on any value.
    pub fn deeper_than(&self, limit: usize) -> bool {
        match self {
            AVal::Array(a) => limit == 0 || a.iter().any(|e| e.deeper_than(limit - 1)),
            AVal::Object(o) => limit == 0 || o.iter().any(|(_, e)| e.deeper_than(limit - 1)),
            _ => false,
        }
    }

    /// The known partial text of an Unknown value.
    pub fn partial(&self) -> Option<&Partial> {
        match self {
            AVal::Unknown(p) => Some(p),
            _ => None,
        }
    }

    /// The known trailing text: the whole string when Known, the partial suffix when Unknown
    /// (empty suffix → `None`).
    pub fn known_suffix(&self) -> Option<&str> {
        match self {
            AVal::Str(s) => Some(s),
            AVal::Unknown(p) if !p.suffix.is_empty() => Some(&p.suffix),
            _ => None,
        }
    }

    /// The known leading text: the whole string when Known, the partial prefix when Unknown
    /// (empty prefix → `None`).
    pub fn known_prefix(&self) -> Option<&str> {
        match self {
            AVal::Str(s) => Some(s),
            AVal::Unknown(p) if !p.prefix.is_empty() => Some(&p.prefix),
            _ => None,
        }
    }

    /// A condition's value: Known booleans, and the strings `"true"`/`"false"` (any case) as
    /// ARM accepts them; `None` when not decidable or not a boolean.
    pub fn truthy(&self) -> Option<bool> {
        match self {
            AVal::Bool(b) => Some(*b),
            AVal::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            AVal::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// A short name of the kind for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            AVal::Null => "null",
            AVal::Bool(_) => "bool",
            AVal::Int(_) => "int",
            AVal::Str(_) => "string",
            AVal::Array(_) => "array",
            AVal::Object(_) => "object",
            AVal::Unknown(_) => "unknown",
            AVal::Runtime(_) => "runtime reference",
        }
    }

    /// Text for messages: strings as they are, other values as compact JSON, Unknown as
    /// `prefix…suffix` (or `<unknown>`), Runtime as `reference(name).path`.
    pub fn to_display(&self) -> String {
        match self {
            AVal::Str(s) => s.clone(),
            _ => {
                let mut out = String::new();
                write_json(self, &mut out);
                out
            }
        }
    }

    /// ARM's `string()`: strings unchanged, `True`/`False` for booleans (as .NET prints them),
    /// compact JSON for arrays and objects; `None` when anything inside is unknown.
    pub fn to_arm_string(&self) -> Option<String> {
        if !self.is_fully_known() {
            return None;
        }
        Some(match self {
            AVal::Str(s) => s.clone(),
            AVal::Bool(true) => "True".to_string(),
            AVal::Bool(false) => "False".to_string(),
            AVal::Int(i) => i.to_string(),
            AVal::Null => String::new(),
            _ => {
                let mut out = String::new();
                write_json(self, &mut out);
                out
            }
        })
    }

    /// A literal JSON value (no expression is evaluated: strings stay as written). Non-integral
    /// numbers become Unknown: ARM values here are integers and we never invent one.
    pub fn from_json(node: &JNode) -> AVal {
        match &node.kind {
            JKind::Null => AVal::Null,
            JKind::Bool(b) => AVal::Bool(*b),
            JKind::Number(raw) => number_to_i64(raw).map_or_else(AVal::unknown, AVal::Int),
            JKind::Str(s) => AVal::Str(s.to_string()),
            JKind::Array(a) => AVal::Array(a.iter().map(AVal::from_json).collect()),
            JKind::Object(o) => AVal::Object(
                o.iter()
                    .map(|p| (p.key.to_string(), AVal::from_json(&p.value)))
                    .collect(),
            ),
        }
    }

    /// Converts a `serde_json` value (from `json()`), refusing nesting beyond `depth_left`.
    pub fn from_serde(v: &serde_json::Value, depth_left: usize) -> AVal {
        if depth_left == 0 {
            return AVal::unknown();
        }
        match v {
            serde_json::Value::Null => AVal::Null,
            serde_json::Value::Bool(b) => AVal::Bool(*b),
            serde_json::Value::Number(n) => n.as_i64().map_or_else(AVal::unknown, AVal::Int),
            serde_json::Value::String(s) => AVal::Str(s.clone()),
            serde_json::Value::Array(a) => AVal::Array(
                a.iter()
                    .map(|e| AVal::from_serde(e, depth_left - 1))
                    .collect(),
            ),
            serde_json::Value::Object(o) => AVal::Object(
                o.iter()
                    .map(|(k, e)| (k.clone(), AVal::from_serde(e, depth_left - 1)))
                    .collect(),
            ),
        }
    }
}

fn write_json(v: &AVal, out: &mut String) {
    match v {
        AVal::Null => out.push_str("null"),
        AVal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        AVal::Int(i) => out.push_str(&i.to_string()),
        AVal::Str(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
        AVal::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(e, out);
            }
            out.push(']');
        }
        AVal::Object(o) => {
            out.push('{');
            for (i, (k, e)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                write_json(e, out);
            }
            out.push('}');
        }
        AVal::Unknown(p) if p.prefix.is_empty() && p.suffix.is_empty() => {
            out.push_str("<unknown>");
        }
        AVal::Unknown(p) => {
            out.push_str(&p.prefix);
            out.push('…');
            out.push_str(&p.suffix);
        }
        AVal::Runtime(r) => {
            out.push_str("reference(");
            out.push_str(&r.name);
            out.push(')');
            for seg in &r.path {
                out.push('.');
                out.push_str(seg);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::arm::json;
    use crate::source::FileId;

    fn unk(prefix: &str, suffix: &str) -> AVal {
        AVal::Unknown(Box::new(Partial {
            prefix: prefix.into(),
            suffix: suffix.into(),
            ..Partial::default()
        }))
    }

    #[test]
    fn from_json_literal() {
        let d = json::parse(
            r#"{"A": 1, "b": "[x]", "c": [true, null, 1.5], "d": {"E": "f"}}"#,
            FileId(0),
        )
        .unwrap();
        let v = AVal::from_json(&d.root);
        assert_eq!(v.get("a"), Some(&AVal::Int(1)));
        // No evaluation: the expression text stays a string.
        assert_eq!(v.get("B").and_then(AVal::as_str), Some("[x]"));
        let c = v.get("c").unwrap().as_array().unwrap();
        assert_eq!(c[0], AVal::Bool(true));
        assert!(c[1].is_null());
        assert!(c[2].is_unknown());
        assert!(!v.is_fully_known());
        assert_eq!(v.get("d").unwrap().get("e").unwrap().as_str(), Some("f"));
    }

    #[test]
    fn display_and_string() {
        let v = AVal::Object(vec![
            (
                "a".into(),
                AVal::Array(vec![AVal::Int(1), AVal::Str("x\"".into())]),
            ),
            ("b".into(), AVal::Bool(true)),
        ]);
        assert_eq!(v.to_display(), r#"{"a":[1,"x\""],"b":true}"#);
        assert_eq!(v.to_arm_string().unwrap(), r#"{"a":[1,"x\""],"b":true}"#);
        assert_eq!(AVal::Bool(false).to_arm_string().unwrap(), "False");
        assert_eq!(AVal::Str("s".into()).to_display(), "s");
        assert_eq!(unk("a", ".net").to_display(), "a….net");
        assert_eq!(AVal::unknown().to_display(), "<unknown>");
        assert_eq!(AVal::Array(vec![AVal::unknown()]).to_arm_string(), None);
        let r = AVal::Runtime(Box::new(RuntimeRef {
            rtype: "Microsoft.Web/sites".into(),
            name: "fn".into(),
            path: vec!["defaultHostName".into()],
        }));
        assert_eq!(r.to_display(), "reference(fn).defaultHostName");
        assert!(r.is_unknown());
    }

    #[test]
    fn helpers() {
        assert_eq!(AVal::Str("TRUE".into()).truthy(), Some(true));
        assert_eq!(AVal::Bool(false).truthy(), Some(false));
        assert_eq!(AVal::Int(1).truthy(), None);
        assert_eq!(AVal::unknown().truthy(), None);
        assert_eq!(unk("", ".net").known_suffix(), Some(".net"));
        assert_eq!(unk("https://", "").known_prefix(), Some("https://"));
        assert_eq!(AVal::unknown().known_suffix(), None);
        let o = AVal::Object(vec![
            ("Key".into(), AVal::Int(1)),
            ("KEY".into(), AVal::Int(2)),
        ]);
        assert_eq!(o.get("Key"), Some(&AVal::Int(1)));
        assert_eq!(o.get("key"), Some(&AVal::Int(2)));
        assert_eq!(o.get("other"), None);
    }

    #[test]
    fn depth_check() {
        let mut v = AVal::Int(1);
        assert!(!v.deeper_than(0));
        for _ in 0..3 {
            v = AVal::Array(vec![AVal::Null, v]);
        }
        assert!(v.deeper_than(2));
        assert!(!v.deeper_than(3));
        let o = AVal::Object(vec![("a".into(), v)]);
        assert!(o.deeper_than(3));
        assert!(!o.deeper_than(4));
    }

    #[test]
    fn from_serde_is_depth_limited() {
        let v: serde_json::Value = serde_json::from_str("[[[1]]]").unwrap();
        assert_eq!(
            AVal::from_serde(&v, 10),
            AVal::Array(vec![AVal::Array(vec![AVal::Array(vec![AVal::Int(1)])])])
        );
        assert_eq!(
            AVal::from_serde(&v, 2),
            AVal::Array(vec![AVal::Array(vec![AVal::unknown()])])
        );
    }
}
