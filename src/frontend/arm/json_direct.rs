//! A direct parser from JSONC text to the spanned tree of [`super::json`], for the common
//! case: it builds no intermediate syntax tree (jsonc-parser's AST of a 50 MB template was
//! larger than the text and lived beside the tree while it was converted).
//!
//! It accepts a strict subset of what [`super::json::parse`] accepts through jsonc-parser,
//! and builds the very tree (values, spans, comments) jsonc-parser's AST converts to. Anything
//! else (every syntax error, and the rare forms it does not handle: surrogate escapes,
//! whitespace other than ASCII's, nesting past the limit) makes it give up (`None`), and the
//! caller parses with jsonc-parser, which says what is wrong exactly as before.

use std::collections::HashSet;
use std::sync::Arc;

use super::json::{Comment, JKind, JNode, JProp, JStr, MAX_DEPTH};
use crate::source::{FileId, Span};

/// Parses `text`; `None` when the text is not in the subset handled here (the caller then
/// uses jsonc-parser). `Some` is the tree jsonc-parser's AST converts to.
pub(super) fn parse(text: &str, file: FileId) -> Option<(JNode, Vec<Comment>)> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        i: 0,
        file,
        comments: Vec::new(),
        nodes: Vec::new(),
        props: Vec::new(),
        strings: SHARED.with(|s| {
            s.try_borrow_mut()
                .map(|mut set| std::mem::take(&mut *set))
                .unwrap_or_default()
        }),
    };
    let parsed = p.document();
    let mut strings = std::mem::take(&mut p.strings);
    if strings.len() > MAX_SHARED {
        strings = Strings::default();
    }
    SHARED.with(|s| {
        if let Ok(mut set) = s.try_borrow_mut() {
            *set = strings;
        }
    });
    parsed
}

/// The set of shared strings ([`Parser::intern`]).
type Strings = HashSet<Arc<str>, foldhash::fast::RandomState>;

thread_local! {
    /// The strings this thread's parses made, kept from one template to the next: templates
    /// repeat one another's keys, types, API versions and names, which were allocated again
    /// for each file (144,000 strings on the 1,000-file tree, 36,000 with the set kept).
    /// Emptied past [`MAX_SHARED`] strings.
    static SHARED: std::cell::RefCell<Strings> = std::cell::RefCell::new(Strings::default());
}

/// The most strings a thread keeps from one parse to the next (each at most
/// [`MAX_INTERNED_LEN`] bytes: about 200 KB with the set; 16,384 was no faster on the
/// 6,000-file tree).
const MAX_SHARED: usize = 1 << 11;

/// Where the whitespace from `i` on ends. Runs of spaces are crossed eight bytes at a time:
/// a byte at a time, skipping was 3 % of a scan's instructions (a pretty-printed template is
/// about a third indentation).
fn whitespace_end(b: &[u8], mut i: usize) -> usize {
    const SPACES: u64 = 0x2020_2020_2020_2020;
    loop {
        match b.get(i) {
            Some(b' ') => {
                i += 1;
                while let Some(w) = b.get(i..i + 8) {
                    let x = u64::from_le_bytes(w.try_into().unwrap_or([0; 8])) ^ SPACES;
                    if x != 0 {
                        // The first byte that is not a space (little-endian: the lowest).
                        i += (x.trailing_zeros() / 8) as usize;
                        break;
                    }
                    i += 8;
                }
            }
            Some(b'\n' | b'\r' | b'\t') => i += 1,
            _ => return i,
        }
    }
}

struct Parser<'t> {
    text: &'t str,
    b: &'t [u8],
    i: usize,
    file: FileId,
    comments: Vec<Comment>,
    /// Elements of the arrays being parsed, innermost last: each array takes its own off the
    /// end into a slice of exactly their number (no spare capacity in the tree).
    nodes: Vec<JNode>,
    /// Members of the objects being parsed, likewise.
    props: Vec<JProp>,
    /// Every string made so far, on this thread ([`SHARED`]): an equal string is shared, not
    /// allocated again (a template repeats its keys, types, API versions and many
    /// expressions). Hashed with foldhash (seeded per process): SipHash took 4 % of a
    /// 6,000-file scan here.
    strings: Strings,
}

/// Longest string shared through the parser's set ([`Parser::intern`]).
const MAX_INTERNED_LEN: usize = 32;

impl<'t> Parser<'t> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start..end)
    }

    /// The whole text: one value between optional whitespace and comments.
    fn document(&mut self) -> Option<(JNode, Vec<Comment>)> {
        self.skip()?;
        let root = self.value(0)?;
        self.skip()?;
        if self.i != self.b.len() {
            return None;
        }
        Some((root, std::mem::take(&mut self.comments)))
    }

    /// `s` as a shared string. A long string is not looked up: keys and short values repeat
    /// (`name`, `properties`, `Enabled`), long ones are expressions and texts written once, for
    /// which the look-up and the insertion hashed and compared for nothing.
    fn intern(&mut self, s: &str) -> JStr {
        if s.len() > MAX_INTERNED_LEN {
            return JStr::from(Arc::<str>::from(s));
        }
        if let Some(a) = self.strings.get(s) {
            return JStr::from(Arc::clone(a));
        }
        let a: Arc<str> = Arc::from(s);
        self.strings.insert(Arc::clone(&a));
        JStr::from(a)
    }

    /// Skips ASCII whitespace and comments (collecting them). `None` on an unterminated
    /// block comment.
    fn skip(&mut self) -> Option<()> {
        loop {
            self.i = whitespace_end(self.b, self.i);
            match self.b.get(self.i) {
                Some(b'/') => match self.b.get(self.i + 1) {
                    Some(b'/') => {
                        let start = self.i;
                        let body = start + 2;
                        let end = self.b[body..]
                            .iter()
                            .position(|&c| c == b'\n' || c == b'\r')
                            .map_or(self.b.len(), |k| body + k);
                        self.comments.push(Comment {
                            span: self.span(start, end),
                            text: self.text.get(body..end)?.to_string(),
                        });
                        self.i = end;
                    }
                    Some(b'*') => {
                        let start = self.i;
                        let body = start + 2;
                        let k = memchr::memmem::find(self.b.get(body..)?, b"*/")?;
                        let end = body + k + 2;
                        self.comments.push(Comment {
                            span: self.span(start, end),
                            text: self.text.get(body..body + k)?.to_string(),
                        });
                        self.i = end;
                    }
                    _ => return None,
                },
                _ => return Some(()),
            }
        }
    }

    /// After a scalar: what may follow it without being part of it.
    fn at_boundary(&self) -> bool {
        matches!(
            self.b.get(self.i),
            None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}' | b'/')
        )
    }

    fn value(&mut self, depth: usize) -> Option<JNode> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.i;
        let kind = match *self.b.get(self.i)? {
            // The bracket past MAX_DEPTH: left to `json::parse`, which reports where it is.
            b'{' | b'[' if depth >= MAX_DEPTH => return None,
            b'{' => return self.object(depth),
            b'[' => return self.array(depth),
            b'"' => JKind::Str(self.string()?),
            b't' => self.word("true", JKind::Bool(true))?,
            b'f' => self.word("false", JKind::Bool(false))?,
            b'n' => self.word("null", JKind::Null)?,
            b'-' | b'0'..=b'9' => {
                let n = self.number()?;
                JKind::Number(self.intern(n))
            }
            _ => return None,
        };
        if !self.at_boundary() {
            return None;
        }
        Some(JNode {
            span: self.span(start, self.i),
            kind,
        })
    }

    fn word(&mut self, w: &str, kind: JKind) -> Option<JKind> {
        if self.b.get(self.i..self.i + w.len())? != w.as_bytes() {
            return None;
        }
        self.i += w.len();
        Some(kind)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as written.
    fn number(&mut self) -> Option<&'t str> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i > from
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.b.get(self.i)? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return None;
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        let text = self.text;
        text.get(start..self.i)
    }

    /// A double-quoted string with its escapes resolved; `self.i` is on the opening quote.
    /// Raw control characters are kept, as jsonc-parser keeps them.
    fn string(&mut self) -> Option<JStr> {
        let body = self.i + 1;
        let k = memchr::memchr2(b'"', b'\\', self.b.get(body..)?)?;
        if self.b[body + k] == b'"' {
            self.i = body + k + 1;
            let text = self.text;
            return Some(self.intern(text.get(body..body + k)?));
        }
        // With escapes: decoded piece by piece.
        let mut out = String::new();
        let mut from = body;
        let mut at = body + k;
        loop {
            out.push_str(self.text.get(from..at)?);
            if self.b[at] == b'"' {
                self.i = at + 1;
                return Some(self.intern(&out));
            }
            // A backslash.
            let esc = *self.b.get(at + 1)?;
            let mut next = at + 2;
            match esc {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{08}'),
                b'f' => out.push('\u{0C}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hex = self.text.get(at + 2..at + 6)?;
                    if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                        return None;
                    }
                    let code = u32::from_str_radix(hex, 16).ok()?;
                    // Surrogates (pairs and lone halves) are left to jsonc-parser.
                    out.push(char::from_u32(code)?);
                    next = at + 6;
                }
                _ => return None,
            }
            from = next;
            at = next + memchr::memchr2(b'"', b'\\', self.b.get(next..)?)?;
        }
    }

    /// After an element or member: skips to and over a `,` (`false`: more may follow, a
    /// trailing comma included) or finds `close` (`true`, left for the caller). `None` on
    /// anything else.
    fn closes_after_item(&mut self, close: u8) -> Option<bool> {
        self.skip()?;
        match *self.b.get(self.i)? {
            b',' => {
                self.i += 1;
                self.skip()?;
                Some(false)
            }
            c if c == close => Some(true),
            _ => None,
        }
    }

    fn array(&mut self, depth: usize) -> Option<JNode> {
        let start = self.i;
        self.i += 1;
        let base = self.nodes.len();
        self.skip()?;
        loop {
            if self.b.get(self.i) == Some(&b']') {
                break;
            }
            let v = self.value(depth + 1)?;
            self.nodes.push(v);
            if self.closes_after_item(b']')? {
                break;
            }
        }
        self.i += 1;
        // Exactly the elements' number (`split_off(0)` would hand over the whole stack).
        let items = self.nodes.drain(base..).collect();
        Some(JNode {
            span: self.span(start, self.i),
            kind: JKind::Array(items),
        })
    }

    fn object(&mut self, depth: usize) -> Option<JNode> {
        let start = self.i;
        self.i += 1;
        let base = self.props.len();
        self.skip()?;
        loop {
            match self.b.get(self.i)? {
                b'}' => break,
                b'"' => {}
                _ => return None,
            }
            let ks = self.i;
            let key = self.string()?;
            let key_span = self.span(ks, self.i);
            self.skip()?;
            if self.b.get(self.i) != Some(&b':') {
                return None;
            }
            self.i += 1;
            self.skip()?;
            let value = self.value(depth + 1)?;
            self.props.push(JProp {
                key,
                key_span,
                value,
            });
            if self.closes_after_item(b'}')? {
                break;
            }
        }
        self.i += 1;
        let props = self.props.drain(base..).collect();
        Some(JNode {
            span: self.span(start, self.i),
            kind: JKind::Object(props),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_ends_where_a_byte_at_a_time_ends() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in 0..40 {
            for _ in 0..40 {
                let text: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly spaces, as indentation is.
                        [
                            b' ', b' ', b' ', b' ', b'\n', b'\t', b'\r', b'x', 0xa0, b'!',
                        ][(seed % 10) as usize]
                    })
                    .collect();
                for from in 0..=text.len() {
                    let want = from
                        + text[from..]
                            .iter()
                            .take_while(|c| matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
                            .count();
                    assert_eq!(whitespace_end(&text, from), want, "{text:?} from {from}");
                }
            }
        }
    }
}
