//! `loadTextContent`, `loadJsonContent`, `loadYamlContent` and `loadFileAsBase64`: Bicep
//! inlines the file at compile time (`SystemNamespaceType.cs`), so the lowering does too. The
//! file is read by the caller's [`Reader`] (through the confined reader: a path outside the
//! scan root is refused with AGW901 and the value is Unknown); these helpers turn its bytes
//! into ARM expression text or template nodes.

use super::lower::{lit, q};
use crate::frontend::arm::json::{JKind, JNode, JProp};
use crate::source::{FileId, Span};

/// A file read for a `load*()` call.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its id in the source map when it is UTF-8 text (JSON values then carry spans in it).
    pub file: Option<FileId>,
}

/// Reads the file a `load*()` call names (as written, relative to the `.bicep` file); the
/// span is the call, for a refusal. `None`: not read (a finding or note was recorded).
pub type Reader<'r> = dyn Fn(&str, Span) -> Option<Loaded> + 'r;

/// Largest file inlined (Bicep's own limit for `loadJsonContent` is 1,048,576 characters).
pub const MAX_LOAD_BYTES: u64 = 1024 * 1024;

/// The file's text in `encoding` (Bicep's names; UTF-8 when absent); `None` for an encoding
/// not decoded here or bytes that are not valid in it.
pub fn decode(bytes: &[u8], encoding: Option<&str>) -> Option<String> {
    let text = match encoding.map(str::to_ascii_lowercase).as_deref() {
        None | Some("utf-8") => std::str::from_utf8(bytes).ok()?.to_string(),
        Some("us-ascii") if bytes.is_ascii() => std::str::from_utf8(bytes).ok()?.to_string(),
        Some("iso-8859-1") => bytes.iter().map(|&b| char::from(b)).collect(),
        _ => return None,
    };
    Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(char::from(A[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The steps of a simple JSONPath (`$`, `$.a.b`, `$.a[0]`, `.a`); `None` for anything else
/// (filters, wildcards, quoted keys), which the lowering leaves Unknown.
pub fn json_path(p: &str) -> Option<Vec<Step>> {
    let rest = p.trim();
    let rest = rest.strip_prefix('$').unwrap_or(rest);
    let mut steps = Vec::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                let mut key = String::new();
                while let Some(&k) = chars.peek() {
                    if k == '.' || k == '[' {
                        break;
                    }
                    if !(k.is_alphanumeric() || k == '_' || k == '-') {
                        return None;
                    }
                    key.push(k);
                    chars.next();
                }
                if key.is_empty() {
                    return None;
                }
                steps.push(Step::Key(key));
            }
            '[' => {
                let mut n = String::new();
                for k in chars.by_ref() {
                    if k == ']' {
                        break;
                    }
                    n.push(k);
                }
                steps.push(Step::Index(n.trim().parse().ok()?));
            }
            _ => return None,
        }
    }
    Some(steps)
}

/// One JSONPath step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.key`
    Key(String),
    /// `[n]`
    Index(usize),
}

/// The node at `steps` below `n`.
pub fn select<'n>(mut n: &'n JNode, steps: &[Step]) -> Option<&'n JNode> {
    for s in steps {
        n = match s {
            Step::Key(k) => n.get(k)?,
            Step::Index(i) => n.as_array()?.get(*i)?,
        };
    }
    Some(n)
}

/// The value at `steps` below `v`.
pub fn select_value<'v>(
    mut v: &'v serde_json::Value,
    steps: &[Step],
) -> Option<&'v serde_json::Value> {
    for s in steps {
        v = match s {
            Step::Key(k) => v.get(k)?,
            Step::Index(i) => v.get(*i)?,
        };
    }
    Some(v)
}

/// A loaded JSON node as a template node: strings are literals (a leading `[` is escaped, as
/// Bicep does), every node keeps its span in the loaded file.
pub fn embed(n: &JNode) -> JNode {
    let kind = match &n.kind {
        JKind::Str(s) => JKind::Str(lit(s).into()),
        JKind::Array(a) => JKind::Array(a.iter().map(embed).collect()),
        JKind::Object(o) => JKind::Object(
            o.iter()
                .map(|p| JProp {
                    key: p.key.clone(),
                    key_span: p.key_span,
                    value: embed(&p.value),
                })
                .collect(),
        ),
        k => k.clone(),
    };
    JNode { span: n.span, kind }
}

/// A loaded JSON node as ARM expression text.
pub fn node_expr(n: &JNode) -> String {
    match &n.kind {
        JKind::Null => "null()".into(),
        JKind::Bool(true) => "true()".into(),
        JKind::Bool(false) => "false()".into(),
        JKind::Number(x) => number(x),
        JKind::Str(s) => q(s),
        JKind::Array(a) => format!(
            "createArray({})",
            a.iter().map(node_expr).collect::<Vec<_>>().join(", ")
        ),
        JKind::Object(o) => format!(
            "createObject({})",
            o.iter()
                .map(|p| format!("{}, {}", q(&p.key), node_expr(&p.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A YAML/JSON value as ARM expression text.
pub fn value_expr(v: &serde_json::Value) -> String {
    use serde_json::Value as V;
    match v {
        V::Null => "null()".into(),
        V::Bool(true) => "true()".into(),
        V::Bool(false) => "false()".into(),
        V::Number(n) => number(&n.to_string()),
        V::String(s) => q(s),
        V::Array(a) => format!(
            "createArray({})",
            a.iter().map(value_expr).collect::<Vec<_>>().join(", ")
        ),
        V::Object(o) => format!(
            "createObject({})",
            o.iter()
                .map(|(k, v)| format!("{}, {}", q(k), value_expr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// An integer as written; any other number through `json()`.
fn number(x: &str) -> String {
    if x.parse::<i64>().is_ok() {
        x.to_string()
    } else {
        format!("json({})", q(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_as_the_standard_says() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn simple_json_paths_are_read_and_others_refused() {
        assert_eq!(json_path("$"), Some(vec![]));
        assert_eq!(
            json_path("$.a.b[2]"),
            Some(vec![
                Step::Key("a".into()),
                Step::Key("b".into()),
                Step::Index(2)
            ])
        );
        assert_eq!(json_path(".a"), Some(vec![Step::Key("a".into())]));
        assert_eq!(json_path("$..a"), None);
        assert_eq!(json_path("$.a[?(@.x)]"), None);
        assert_eq!(json_path("$['a']"), None);
    }

    #[test]
    fn encodings_decode_or_give_up() {
        assert_eq!(decode(b"\xef\xbb\xbfhi", None).as_deref(), Some("hi"));
        assert_eq!(decode(&[0xe9], Some("iso-8859-1")).as_deref(), Some("é"));
        assert_eq!(decode(&[0xe9], None), None);
        assert_eq!(decode(b"hi", Some("utf-16LE")), None);
    }
}
