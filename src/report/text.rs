//! Making untrusted text safe to print.
//!
//! Resource names, property values and whole source lines come from the files being linted. A
//! template may contain ESC or C1 bytes that, printed raw, move the cursor, recolour the terminal,
//! rewrite the window title or forge hyperlinks; bidi overrides reorder what a reviewer sees
//! ("Trojan Source"). Every terminal-bound format (human, compact, github) passes text through
//! here first.

/// True for characters that must never reach a terminal raw: C0 controls other than `\n` and
/// `\t`, DEL, C1 controls, and the Unicode bidi embedding/override/isolate controls.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escapes unsafe characters as visible `\x1b` / `\u{202e}` text. `\r` is escaped too: on a
/// terminal a lone carriage return overwrites the start of the line.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(is_unsafe) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            let n = u32::from(c);
            if n <= 0xff {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces unsafe characters in source text without moving any byte offset: each is replaced
/// by as many `?` as it has UTF-8 bytes, so spans into the original text still point at the
/// same characters. A `\r` directly before `\n` is kept (CRLF files).
pub fn neutralize_source(s: &str) -> std::borrow::Cow<'_, str> {
    let needs = s
        .char_indices()
        .any(|(i, c)| is_unsafe(c) && !(c == '\r' && s[i + 1..].starts_with('\n')));
    if !needs {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if is_unsafe(c) && !(c == '\r' && s[i + 1..].starts_with('\n')) {
            for _ in 0..c.len_utf8() {
                out.push('?');
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Makes text one line: escapes unsafe characters, then turns newlines and tabs into spaces.
pub fn one_line(s: &str) -> String {
    escape_controls(s)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect()
}

/// Pretty JSON in which every character [`is_unsafe`] is written as a `\uXXXX` escape.
/// serde_json escapes only C0 controls; DEL, C1 and bidi controls would otherwise reach a
/// terminal that displays the JSON or SARIF raw. The decoded values are unchanged.
pub fn to_json_pretty<T: serde::Serialize>(value: &T) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, SafeFormatter::default());
    if let Err(e) = value.serialize(&mut ser) {
        return format!("{{\"error\": \"cannot serialize the report: {e}\"}}\n");
    }
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

/// [`to_json_pretty`] appended to `buf`, without the final newline.
pub(crate) fn json_pretty_into<T: serde::Serialize>(
    value: &T,
    buf: &mut Vec<u8>,
) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *buf, SafeFormatter::default());
    value.serialize(&mut ser).map_err(std::io::Error::other)
}

/// serde_json's pretty printer plus the extra string escapes.
#[derive(Default)]
struct SafeFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // Printable ASCII (nearly every fragment) has nothing to escape: one vectorised pass.
        if fragment.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return w.write_all(fragment.as_bytes());
        }
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| is_unsafe(c)) {
            w.write_all(&rest.as_bytes()[..i])?;
            write!(w, "\\u{:04x}", u32::from(c))?;
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_esc_c1_del_and_bidi() {
        assert_eq!(
            escape_controls("a\u{1b}]8;;x\u{7}b\u{9b}c\u{7f}\u{202e}d\re"),
            "a\\x1b]8;;x\\x07b\\x9bc\\x7f\\u{202e}d\\x0de"
        );
        assert_eq!(escape_controls("keep\ttabs\nand é"), "keep\ttabs\nand é");
    }

    #[test]
    fn neutralize_keeps_offsets() {
        let s = "x\u{1b}[31my\u{9b}z\r\nw\rv";
        let n = neutralize_source(s);
        assert_eq!(n.len(), s.len());
        assert_eq!(n, "x?[31my??z\r\nw?v");
        assert!(matches!(
            neutralize_source("plain\r\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_escapes_c1_and_bidi_but_keeps_values() {
        let v = serde_json::json!({"k": "a\u{9b}b\u{202e}c\u{1b}d\u{7f}é"});
        let s = to_json_pretty(&v);
        assert!(s.contains(r"a\u009bb\u202ec\u001bd\u007fé"), "{s}");
        assert!(!s.chars().any(is_unsafe));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn one_line_flattens() {
        assert_eq!(one_line("a\nb\tc\u{1b}"), "a b c\\x1b");
    }
}
