//! Spanned JSONC: ARM templates and parameter files parsed into an owned tree whose every node
//! carries its byte range.
//!
//! Azure tooling accepts `//` and `/* */` comments and trailing commas, so we do too; every other
//! JSON5 looseness of jsonc-parser is switched off. jsonc-parser recurses, so a linear pre-scan
//! refuses nesting deeper than [`MAX_DEPTH`] before it runs: no input can overflow the stack.

use jsonc_parser::ast::{self, ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

use std::sync::Arc;

use crate::source::{FileId, Span};

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 256;

/// A string of the tree (a key, a string value, a number as written): immutable and shared,
/// so a text written many times in a template (keys, API versions, types, expressions) is
/// held once per parsed file. Read it as a `&str` (`Deref`, [`JStr::as_str`]); it compares
/// equal to the same text as a `str` or `String`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct JStr(Arc<str>);

impl JStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for JStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for JStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for JStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for JStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for JStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for JStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for JStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for JStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl From<&str> for JStr {
    fn from(s: &str) -> Self {
        JStr(Arc::from(s))
    }
}

impl From<String> for JStr {
    fn from(s: String) -> Self {
        JStr(Arc::from(s))
    }
}

impl From<Arc<str>> for JStr {
    fn from(s: Arc<str>) -> Self {
        JStr(s)
    }
}

impl From<JStr> for String {
    fn from(s: JStr) -> Self {
        s.0.to_string()
    }
}

/// A JSON value and the byte range it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct JNode {
    /// Where the value is written.
    pub span: Span,
    /// The value.
    pub kind: JKind,
}

/// The kinds of JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum JKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written (`30`, `-1.5e3`).
    Number(JStr),
    /// A string, escapes resolved.
    Str(JStr),
    /// An array.
    Array(Box<[JNode]>),
    /// An object, properties in written order (duplicates kept).
    Object(Box<[JProp]>),
}

/// One object property.
#[derive(Debug, Clone, PartialEq)]
pub struct JProp {
    /// The key, escapes resolved, case as written.
    pub key: JStr,
    /// Where the key is written (with its quotes).
    pub key_span: Span,
    /// The value.
    pub value: JNode,
}

/// A comment; `text` excludes the `//` or `/* */` delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The whole comment, delimiters included.
    pub span: Span,
    /// The comment's text without delimiters.
    pub text: String,
}

/// A parsed file: its root value and its comments in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDoc {
    /// The root value.
    pub root: JNode,
    /// Every comment, in source order.
    pub comments: Vec<Comment>,
}

/// Why a file is not valid JSONC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Lower-case message without trailing period, e.g. "unexpected close brace".
    pub message: String,
    /// Where the problem is (may be empty, at the end of a truncated file).
    pub span: Span,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JsonError {}

/// Parses `text` (the BOM-less text stored in the source map) as JSONC with comments and
/// trailing commas allowed.
pub fn parse(text: &str, file: FileId) -> Result<JsonDoc, JsonError> {
    let err = |message: &str, range: std::ops::Range<usize>| JsonError {
        message: message.to_string(),
        span: Span::new(file, range),
    };
    if text.trim().is_empty() {
        return Err(err("empty file", 0..0));
    }
    // The direct parser builds the tree without jsonc-parser's AST (it takes no text nested
    // deeper than MAX_DEPTH); jsonc-parser parses what it leaves (every error, and the rare
    // forms it does not handle), after the depth pre-scan that keeps its recursion bounded (a
    // scan of every text before: 1.5 % of a 6,000-file run).
    if let Some((root, comments)) = super::json_direct::parse(text, file) {
        return Ok(JsonDoc { root, comments });
    }
    if let Some(pos) = too_deep(text) {
        return Err(err(
            &format!("nesting deeper than {MAX_DEPTH} levels"),
            pos..pos + 1,
        ));
    }
    parse_jsonc(text, file)
}

/// [`parse`] through jsonc-parser's AST (after the checks of [`parse`]): the reference the
/// direct parser must agree with, and the parser of every text it leaves.
fn parse_jsonc(text: &str, file: FileId) -> Result<JsonDoc, JsonError> {
    let err = |message: &str, range: std::ops::Range<usize>| JsonError {
        message: message.to_string(),
        span: Span::new(file, range),
    };
    let opts = ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Separate,
        tokens: false,
    };
    let mut parsed = parse_to_ast(text, &collect, &opts).map_err(|e| {
        let r = e.range();
        JsonError {
            message: lower_first(&e.kind().to_string()),
            span: Span::new(file, r.start..r.end),
        }
    })?;
    let Some(value) = parsed.value.take() else {
        // Only comments.
        return Err(err("empty file", text.len()..text.len()));
    };
    let at = value.start();
    // The AST is consumed while it is converted, so each part is freed once converted: the
    // peak is about the larger of the two trees, not their sum (a 50 MB template matters).
    let root = convert(value, file, 0).ok_or_else(|| {
        err(
            &format!("nesting deeper than {MAX_DEPTH} levels"),
            at..at + 1,
        )
    })?;
    let mut comments: Vec<Comment> = Vec::new();
    if let Some(map) = &parsed.comments {
        // Each comment is indexed twice (by the previous token's end and the next token's
        // start); keep one copy per range.
        let mut seen = std::collections::HashSet::new();
        for list in map.values() {
            for c in list.iter() {
                let r = c.range();
                if seen.insert((r.start, r.end)) {
                    comments.push(Comment {
                        span: Span::new(file, r.start..r.end),
                        text: c.text().to_string(),
                    });
                }
            }
        }
    }
    comments.sort_by_key(|c| (c.span.start, c.span.end));
    Ok(JsonDoc { root, comments })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Byte offset of the bracket that first exceeds [`MAX_DEPTH`], if any. Strings (with
/// escapes) and comments are skipped so brackets inside them do not count; they are skipped
/// with `memchr` (a byte loop here was about 5 % of a scan's instructions: most of a template's
/// bytes are inside strings).
fn too_deep(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                // To the closing quote; a backslash escapes the byte after it.
                loop {
                    match b
                        .get(i..)
                        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
                    {
                        Some(k) if b.get(i + k) == Some(&b'\\') => i += k + 2,
                        Some(k) => {
                            i += k;
                            break;
                        }
                        None => {
                            i = b.len();
                            break;
                        }
                    }
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                // Onto the `/` of the closing `*/` (or the end).
                i = b
                    .get(i + 2..)
                    .and_then(|rest| memchr::memmem::find(rest, b"*/"))
                    .map_or(b.len(), |k| i + 2 + k + 1);
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Converts (and consumes) the AST; `None` when deeper than the limit (the pre-scan makes this
/// unreachable, the check keeps the recursion bounded regardless).
fn convert(v: Value<'_>, file: FileId, depth: usize) -> Option<JNode> {
    if depth > MAX_DEPTH + 1 {
        return None;
    }
    let r = v.range();
    let span = Span::new(file, r.start..r.end);
    let kind = match v {
        Value::NullKeyword(_) => JKind::Null,
        Value::BooleanLit(b) => JKind::Bool(b.value),
        Value::NumberLit(n) => JKind::Number(n.value.into()),
        Value::StringLit(s) => JKind::Str(s.value.as_ref().into()),
        Value::Array(a) => JKind::Array(
            a.elements
                .into_iter()
                .map(|e| convert(e, file, depth + 1))
                .collect::<Option<Box<[_]>>>()?,
        ),
        Value::Object(o) => JKind::Object(convert_props(o, file, depth)?.into()),
    };
    Some(JNode { span, kind })
}

fn convert_props(o: ast::Object<'_>, file: FileId, depth: usize) -> Option<Vec<JProp>> {
    let mut out = Vec::with_capacity(o.properties.len());
    for p in o.properties {
        let (key, kr) = match p.name {
            ObjectPropName::String(s) => (JStr::from(s.value.as_ref()), s.range),
            ObjectPropName::Word(w) => (JStr::from(w.value), w.range),
        };
        out.push(JProp {
            key,
            key_span: Span::new(file, kr.start..kr.end),
            value: convert(p.value, file, depth + 1)?,
        });
    }
    Some(out)
}

impl JNode {
    /// The property named `key`. ARM property names are case-insensitive: an exact-case match
    /// wins, otherwise the last case-insensitive match (later duplicates override earlier
    /// ones, as in Azure's JSON reader).
    pub fn get(&self, key: &str) -> Option<&JNode> {
        self.prop(key).map(|p| &p.value)
    }

    /// The property (key, key span and value) named `key`, as [`JNode::get`] finds it.
    pub fn prop(&self, key: &str) -> Option<&JProp> {
        let props = self.as_object()?;
        props
            .iter()
            .rev()
            .find(|p| p.key == key)
            .or_else(|| props.iter().rev().find(|p| p.key.eq_ignore_ascii_case(key)))
    }

    /// The string, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, when this is `true` or `false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            JKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The number as an `i64` when it is integral (`30`, `30.0`, `3e1`) and in range.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.kind {
            JKind::Number(raw) => number_to_i64(raw),
            _ => None,
        }
    }

    /// The elements, when this is an array.
    pub fn as_array(&self) -> Option<&[JNode]> {
        match &self.kind {
            JKind::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The properties, when this is an object.
    pub fn as_object(&self) -> Option<&[JProp]> {
        match &self.kind {
            JKind::Object(o) => Some(o),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, JKind::Null)
    }

    /// A short name of the kind for messages: "string", "object"...
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            JKind::Null => "null",
            JKind::Bool(_) => "boolean",
            JKind::Number(_) => "number",
            JKind::Str(_) => "string",
            JKind::Array(_) => "array",
            JKind::Object(_) => "object",
        }
    }
}

/// Maps a byte offset in a string node's decoded value (such as
/// [`ExprError::offset`](super::expr::ExprError)) to the absolute byte offset in the file
/// `text`, accounting for JSON escapes. Falls back to the node's start when the node is not a
/// string literal of `text`.
pub fn source_offset(text: &str, node: &JNode, offset: usize) -> usize {
    let start = node.span.start as usize;
    let raw = match (&node.kind, text.get(node.span.range())) {
        (JKind::Str(_), Some(r)) if r.len() >= 2 && r.starts_with('"') => &r[1..r.len() - 1],
        _ => return start,
    };
    let b = raw.as_bytes();
    let (mut i, mut decoded) = (0usize, 0usize);
    while i < b.len() && decoded < offset {
        if b[i] == b'\\' {
            match b.get(i + 1) {
                Some(b'u') => {
                    let hex = |at: usize| {
                        raw.get(at..at + 4)
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                    };
                    let hi = hex(i + 2).unwrap_or(0);
                    if (0xD800..0xDC00).contains(&hi) && raw.get(i + 6..i + 8) == Some("\\u") {
                        // A surrogate pair: one 4-byte character.
                        decoded += 4;
                        i += 12;
                    } else {
                        decoded += char::from_u32(hi).map_or(3, char::len_utf8);
                        i += 6;
                    }
                }
                _ => {
                    decoded += 1;
                    i += 2;
                }
            }
        } else {
            decoded += 1;
            i += 1;
        }
    }
    start + 1 + i.min(raw.len())
}

/// Parses a JSON number's raw text as an integer when it denotes one exactly.
pub fn number_to_i64(raw: &str) -> Option<i64> {
    if let Ok(i) = raw.parse::<i64>() {
        return Some(i);
    }
    let f = raw.parse::<f64>().ok()?;
    // 2^63 as f64; values at or beyond it do not fit.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_finite() && f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) {
        #[allow(clippy::cast_possible_truncation)]
        Some(f as i64)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> JsonDoc {
        parse(text, FileId(3)).unwrap()
    }

    fn slice(text: &str, s: Span) -> &str {
        &text[s.range()]
    }

    /// The byte loop `too_deep` replaced: the reference for the memchr version.
    fn too_deep_bytewise(text: &str) -> Option<usize> {
        let b = text.as_bytes();
        let mut depth = 0usize;
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i += 2;
                    while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                        i += 1;
                    }
                    i += 1;
                }
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(i);
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The direct parser, when it takes a text, builds exactly the tree and comments
    /// jsonc-parser's AST converts to; returns whether it took it.
    fn direct_agrees(text: &str) -> bool {
        let f = FileId(5);
        if text.trim().is_empty() || too_deep(text).is_some() {
            return false;
        }
        let Some((root, comments)) = super::super::json_direct::parse(text, f) else {
            return false;
        };
        let reference =
            parse_jsonc(text, f).unwrap_or_else(|e| panic!("jsonc-parser refuses {text:?}: {e:?}"));
        assert_eq!(reference.root, root, "{text:?}");
        assert_eq!(reference.comments, comments, "{text:?}");
        true
    }

    #[test]
    fn the_direct_parser_builds_the_tree_jsonc_parser_gives() {
        let taken = [
            "{}",
            "[]",
            " [1, -2, 0, -0, 1.5, 2e10, 3E-2, 4.25e+3, true, false, null] ",
            "{\"a\": {\"b\": [{}, [], \"x\"]}, \"a\": 2}",
            "// head\r\n{ /* a */ \"a\": [1, 2,], \"b\": {\"c\": true,}, // tail\n}",
            "/**/[/* x */1/**/,/*y*/]// end",
            "{\"k\\\"q\": \"e\\n\\t\\r\\b\\f\\/\\\\\\u00e9\\u20AC\", \"\": \"\"}",
            "{\"raw\": \"line\nbreak\ttab\", \"é\": \"ü — ok\"}",
            "\t{\r\n\"a\" : 1 , \"b\":[ ] }\n",
        ];
        for t in taken {
            assert!(direct_agrees(t), "not taken: {t:?}");
        }
        // Left to jsonc-parser: errors and the forms the direct parser does not handle.
        let left = [
            "{'a': 1}",
            "{a: 1}",
            "[01]",
            "[1.]",
            "[.5]",
            "[+1]",
            "[1e]",
            "[-]",
            "[truex]",
            "[nul]",
            "[1,,2]",
            "[,]",
            "{\"a\" 1}",
            "{\"a\": 1 \"b\": 2}",
            "[\"\\ud83d\\ude00\"]",
            "[\"\\ud83d\"]",
            "[\"\\x41\"]",
            "[\"\\u00g1\"]",
            "[1]\u{a0}",
            "[1] x",
            "[1] /* open",
            "[\"open",
            "{\"a\": 1}}",
            "[1 / 2]",
        ];
        for t in left {
            assert!(
                super::super::json_direct::parse(t, FileId(0)).is_none(),
                "{t:?}"
            );
        }
        // The surrogate pair is still read, by jsonc-parser.
        let d = p("[\"\\ud83d\\ude00\"]");
        assert_eq!(d.root.as_array().unwrap()[0].as_str(), Some("\u{1F600}"));
    }

    /// Every truncation and byte flip of a template with comments, escapes and every kind of
    /// value: where the direct parser takes the text, it agrees with jsonc-parser; and it
    /// takes most of what jsonc-parser accepts.
    #[test]
    fn the_direct_parser_agrees_on_mutated_texts() {
        let base = "// c\n{\n \"a\": [1, -2.5e3, {\"b\": \"x\\\"y\\u00e9\"}, /* z */ null, true, false,],\n \"é\": \"[concat('a', 'b')]\", \"n\": {}\n} // end";
        assert!(direct_agrees(base));
        let (mut taken, mut accepted) = (0, 0);
        let mut check = |t: &str| {
            if direct_agrees(t) {
                taken += 1;
            }
            if parse(t, FileId(5)).is_ok() {
                accepted += 1;
            }
        };
        for cut in 0..=base.len() {
            if base.is_char_boundary(cut) {
                check(&base[..cut]);
            }
        }
        let bytes = base.as_bytes();
        for i in 0..bytes.len() {
            for repl in [
                b'[', b'{', b'"', b'\\', b'/', b'*', b',', b'}', b']', b' ', b'\n', b'0', b'e',
                b'-', b'.', b':', b'u',
            ] {
                let mut m = bytes.to_vec();
                m[i] = repl;
                if let Ok(t) = std::str::from_utf8(&m) {
                    check(t);
                }
            }
        }
        assert!(
            taken > 300 && taken * 10 >= accepted * 9,
            "{taken} of {accepted}"
        );
    }

    /// Every JSON file of the repository's test data parses to the same tree either way.
    #[test]
    fn the_direct_parser_agrees_on_the_test_data() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let (mut files, mut taken) = (0, 0);
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if e.path().extension().is_some_and(|x| x == "json")
                && let Ok(text) = std::fs::read_to_string(e.path())
            {
                let text = text.trim_start_matches('\u{feff}');
                files += 1;
                if direct_agrees(text) {
                    taken += 1;
                }
            }
        }
        assert!(files > 300 && taken * 10 >= files * 9, "{taken} of {files}");
    }

    #[test]
    fn depth_prescan_agrees_with_the_byte_loop() {
        // Every combination of a few pieces that open, close, quote, escape and comment,
        // around a run of openings just at and just over the limit.
        let pieces = [
            "[", "{", "]", "}", "\"", "\\", "\\\"", "//", "/*", "*/", "\n", "a", "*", "/",
        ];
        let deep = "[".repeat(MAX_DEPTH);
        let mut checked = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for mid in ["", "[", "\"[", "/*[*/", "//[\n"] {
                        let text = format!("{a}{b}{deep}{mid}{c}[");
                        assert_eq!(too_deep(&text), too_deep_bytewise(&text), "{text:?}");
                        let text = format!("{deep}{a}{b}{c}{mid}[");
                        assert_eq!(too_deep(&text), too_deep_bytewise(&text), "{text:?}");
                        checked += 2;
                    }
                }
            }
        }
        assert_eq!(checked, 14 * 14 * 14 * 5 * 2);
        // Both find the bracket over the limit, and only outside strings and comments.
        let over = format!("{deep}[");
        assert_eq!(too_deep(&over), Some(MAX_DEPTH));
        // The direct parser takes the deepest text allowed and leaves the next one, whose
        // error names the first bracket too deep (with a comment, whose bracket does not count).
        let at = format!("{}/*[*/{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(super::super::json_direct::parse(&at, FileId(0)).is_some());
        assert!(parse(&at, FileId(0)).is_ok());
        let deeper = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(super::super::json_direct::parse(&deeper, FileId(0)).is_none());
        let e = parse(&deeper, FileId(0)).unwrap_err();
        assert_eq!(e.message, format!("nesting deeper than {MAX_DEPTH} levels"));
        assert_eq!(e.span.range(), MAX_DEPTH..MAX_DEPTH + 1);
        assert_eq!(too_deep(&format!("\"{over}\"")), None);
        assert_eq!(too_deep(&format!("/*{over}*/")), None);
    }

    #[test]
    fn comments_and_trailing_commas() {
        let text = "// head\n{ /* a */ \"a\": [1, 2,], \"b\": {\"c\": true,}, // tail\n}";
        let d = p(text);
        assert_eq!(d.root.get("a").unwrap().as_array().unwrap().len(), 2);
        assert_eq!(
            d.root.get("b").unwrap().get("c").unwrap().as_bool(),
            Some(true)
        );
        let texts: Vec<&str> = d.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec![" head", " a ", " tail"]);
        assert_eq!(slice(text, d.comments[1].span), "/* a */");
        assert_eq!(d.comments[0].span.file, FileId(3));
    }

    #[test]
    fn json5_looseness_is_refused() {
        for bad in [
            "{'a': 1}",
            "{a: 1}",
            "{\"a\": 0x10}",
            "{\"a\": 1 \"b\": 2}",
            "{\"a\": +1}",
            "{\"a\": .5}",
            "{\"a\": NaN}",
        ] {
            assert!(parse(bad, FileId(0)).is_err(), "{bad}");
        }
    }

    #[test]
    fn case_insensitive_get() {
        let d = p(r#"{"Properties": {"RequestTimeout": 20}, "name": "x", "NAME": "y"}"#);
        let props = d.root.get("properties").unwrap();
        assert_eq!(props.get("requestTimeout").unwrap().as_i64(), Some(20));
        assert_eq!(d.root.get("name").unwrap().as_str(), Some("x"));
        assert_eq!(d.root.get("Name").unwrap().as_str(), Some("y"));
        assert!(d.root.get("missing").is_none());
        assert!(props.get("x").is_none());
        assert_eq!(d.root.prop("properties").unwrap().key, "Properties");
    }

    #[test]
    fn spans_are_exact_byte_offsets() {
        let text = "{\n  \"a\": {\"b\": [10, \"x\\\"y\", null]}\n}";
        let d = p(text);
        let a = d.root.prop("a").unwrap();
        assert_eq!(slice(text, a.key_span), "\"a\"");
        assert_eq!(slice(text, a.value.span), "{\"b\": [10, \"x\\\"y\", null]}");
        let arr = a.value.get("b").unwrap().as_array().unwrap();
        assert_eq!(arr[0].span.range(), 16..18);
        assert_eq!(slice(text, arr[0].span), "10");
        assert_eq!(slice(text, arr[1].span), "\"x\\\"y\"");
        assert_eq!(arr[1].as_str(), Some("x\"y"));
        assert!(arr[2].is_null());
        assert_eq!(d.root.span.range(), 0..text.len());
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let text = "{\"n\": \"héllo — ü\", \"v\": 7}";
        let d = p(text);
        assert_eq!(d.root.get("n").unwrap().as_str(), Some("héllo — ü"));
        let v = d.root.get("v").unwrap();
        assert_eq!(slice(text, v.span), "7");
        assert_eq!(v.span.start as usize, text.find('7').unwrap());
    }

    #[test]
    fn decoded_offsets_map_to_source() {
        let text = r#"{"a": "[concat(\"x\u00e9\ud83d\ude00\", 'y')]", "n": 1}"#;
        let d = p(text);
        let node = d.root.get("a").unwrap();
        let value = node.as_str().unwrap();
        let at = value.find('y').unwrap();
        assert_eq!(&text[source_offset(text, node, at)..][..1], "y");
        assert_eq!(source_offset(text, node, 0), node.span.start as usize + 1);
        let n = d.root.get("n").unwrap();
        assert_eq!(source_offset(text, n, 3), n.span.start as usize);
    }

    #[test]
    fn numbers() {
        let d = p(r#"[30, -4, 30.0, 3e1, 1.5, 99999999999999999999]"#);
        let a = d.root.as_array().unwrap();
        let got: Vec<Option<i64>> = a.iter().map(JNode::as_i64).collect();
        assert_eq!(
            got,
            vec![Some(30), Some(-4), Some(30), Some(30), None, None]
        );
        assert_eq!(a[4].kind, JKind::Number("1.5".into()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse(&text, FileId(0)).unwrap_err();
        assert_eq!(e.message, "nesting deeper than 256 levels");
        assert_eq!(e.span.start, 256);
        let objs = "{\"a\":".repeat(300);
        let e = parse(&objs, FileId(0)).unwrap_err();
        assert!(e.message.starts_with("nesting deeper"));
        // Exactly at the limit is fine.
        let ok = format!("{}{}", "[".repeat(256), "]".repeat(256));
        assert!(parse(&ok, FileId(0)).is_ok());
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let s = "[".repeat(400);
        let text = format!("{{\"a\": \"{s}\\\"{s}\", /* {s} */ // {s}\n \"b\": 1}}");
        let d = p(&text);
        assert_eq!(d.root.get("b").unwrap().as_i64(), Some(1));
    }

    #[test]
    fn empty_inputs() {
        assert_eq!(parse("", FileId(0)).unwrap_err().message, "empty file");
        assert_eq!(parse("  \n", FileId(0)).unwrap_err().message, "empty file");
        assert_eq!(
            parse("// nothing\n", FileId(0)).unwrap_err().message,
            "empty file"
        );
    }

    #[test]
    fn errors_carry_position() {
        let text = "{\n  \"a\": [1, 2\n";
        let e = parse(text, FileId(0)).unwrap_err();
        assert!(!e.message.is_empty());
        assert!(
            e.message.starts_with(|c: char| c.is_lowercase()),
            "{}",
            e.message
        );
        // The error points into the truncated array or at the end of the text.
        assert!(e.span.start as usize >= text.find('[').unwrap(), "{e:?}");
        assert!(e.span.end as usize <= text.len());

        let text = "{\"a\": 1}}";
        let e = parse(text, FileId(0)).unwrap_err();
        assert_eq!(e.span.start, 8);
    }

    /// Truncations and byte flips of a template never panic the parser.
    #[test]
    fn mutated_inputs_never_panic() {
        let base = "\u{feff}{\n // c\n \"a\": [1, {\"b\": \"x\\\"y\\u00e9\"}, /* z */ null,],\n \"é\": true }";
        let base = base.trim_start_matches('\u{feff}');
        assert!(parse(base, FileId(0)).is_ok());
        for cut in 0..=base.len() {
            if base.is_char_boundary(cut) {
                let _ = parse(&base[..cut], FileId(0));
            }
        }
        let bytes = base.as_bytes();
        for i in 0..bytes.len() {
            for repl in [b'[', b'{', b'"', b'\\', b'/', b'*', b',', b'}', b']', b' '] {
                let mut m = bytes.to_vec();
                m[i] = repl;
                if let Ok(t) = std::str::from_utf8(&m) {
                    let _ = parse(t, FileId(0));
                }
            }
        }
    }
}
