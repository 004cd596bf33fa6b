//! Newline-sensitive Bicep lexer, after Bicep's own `Lexer.cs`: newlines are tokens (they
//! separate declarations, array items and object properties), comments and `#disable-*`
//! directives are trivia kept aside for suppressions, and interpolated strings are split into
//! pieces (`'a${` … `}b${` … `}c'`) with the expressions between them lexed as ordinary tokens.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum Tk {
    /// An identifier or keyword (the parser decides which from context).
    Ident,
    /// An integer literal.
    Int,
    /// A whole string without interpolation, escapes resolved (also `'''` strings).
    Str(String),
    /// `'text${`: the start of an interpolated string, text decoded.
    StrStart(String),
    /// `}text${`: text between two interpolations.
    StrMid(String),
    /// `}text'`: the end of an interpolated string.
    StrEnd(String),
    /// One or more line breaks (with the comments between them).
    NewLine,
    /// A punctuation or operator token, as written (`{`, `==`, `=>`, `...`, `?.`...).
    Punct(&'static str),
    /// Something that is not Bicep (an unterminated string, a stray character).
    Error(&'static str),
    /// End of input.
    Eof,
}

/// A token and the bytes it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The kind (with its value for strings).
    pub kind: Tk,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// A comment or directive (`//`, `/* */`, `#disable-next-line ...`), for suppressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trivia {
    /// Where it is written, delimiters included.
    pub span: Range<usize>,
    /// Its text without the `//` / `/* */` delimiters (directives: the whole line).
    pub text: String,
    /// True for a `#...` directive line.
    pub directive: bool,
}

/// The tokens and trivia of one file.
#[derive(Debug, Clone, Default)]
pub struct Lexed {
    /// Tokens, ending with [`Tk::Eof`].
    pub tokens: Vec<Token>,
    /// Comments and directives in source order.
    pub trivia: Vec<Trivia>,
}

/// Operators, longest first so the first match is the right one: [`punct`] groups them by
/// first byte, and a unit test checks the groups against this list.
#[cfg(test)]
const PUNCTS: &[&str] = &[
    "...", "==", "!=", "=~", "!~", "<=", ">=", "&&", "||", "??", "=>", "::", "{", "}", "[", "]",
    "(", ")", ",", ".", ":", "?", "=", "<", ">", "+", "-", "*", "/", "%", "!", "@", "|", "^", ";",
];

/// The punctuation `rest` starts with: the first of [`PUNCTS`] (longest first) that it starts
/// with, among the entries that begin with its first byte (comparing each of the 35 in turn
/// was 9 % of a scan of the shared corpus, most of it Bicep). A unit test checks the groups
/// against `PUNCTS`.
fn punct(rest: &str) -> Option<&'static str> {
    let b = rest.as_bytes();
    let group: &[&'static str] = match *b.first()? {
        b'.' => &["...", "."],
        b'=' => &["==", "=~", "=>", "="],
        b'!' => &["!=", "!~", "!"],
        b'<' => &["<=", "<"],
        b'>' => &[">=", ">"],
        b'&' => &["&&"],
        b'|' => &["||", "|"],
        b'?' => &["??", "?"],
        b':' => &["::", ":"],
        b'{' => &["{"],
        b'}' => &["}"],
        b'[' => &["["],
        b']' => &["]"],
        b'(' => &["("],
        b')' => &[")"],
        b',' => &[","],
        b'+' => &["+"],
        b'-' => &["-"],
        b'*' => &["*"],
        b'/' => &["/"],
        b'%' => &["%"],
        b'@' => &["@"],
        b'^' => &["^"],
        b';' => &[";"],
        _ => return None,
    };
    group.iter().copied().find(|p| b.starts_with(p.as_bytes()))
}

/// An open interpolation: how deep `{` nesting is inside it, and the string kind to resume.
struct Hole {
    depth: usize,
    /// `None`: a `'...'` string; `Some(n)`: a `$'''` string opened with `n` dollars.
    multi: Option<usize>,
}

/// Lexes `text`. Never fails: problems become [`Tk::Error`] tokens the parser reports.
pub fn lex(text: &str) -> Lexed {
    let mut lx = Lexer {
        src: text.as_bytes(),
        text,
        pos: 0,
        // About one token per six bytes of Bicep (growing the list by doubling was 2 % of a
        // scan of the shared corpus).
        out: Lexed {
            tokens: Vec::with_capacity(text.len() / 6 + 1),
            trivia: Vec::new(),
        },
        holes: Vec::new(),
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    out: Lexed,
    holes: Vec<Hole>,
}

impl Lexer<'_> {
    fn peek(&self, off: usize) -> u8 {
        self.src.get(self.pos + off).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: Tk, start: usize) {
        self.out.tokens.push(Token {
            kind,
            span: start..self.pos,
        });
    }

    fn run(&mut self) {
        while self.pos < self.src.len() {
            let start = self.pos;
            let c = self.peek(0);
            match c {
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    if !matches!(
                        self.out.tokens.last(),
                        Some(Token {
                            kind: Tk::NewLine,
                            ..
                        })
                    ) {
                        self.push(Tk::NewLine, start);
                    } else if let Some(t) = self.out.tokens.last_mut() {
                        t.span.end = self.pos;
                    }
                }
                b'/' if self.peek(1) == b'/' => {
                    let end = self.line_end();
                    self.trivia(start, end, start + 2, end, false);
                }
                b'/' if self.peek(1) == b'*' => {
                    let end = self.text[start + 2..]
                        .find("*/")
                        .map_or(self.src.len(), |i| start + 2 + i + 2);
                    let inner_end = if end >= start + 4 && self.text[..end].ends_with("*/") {
                        end - 2
                    } else {
                        end
                    };
                    self.trivia(start, end, start + 2, inner_end, false);
                }
                b'#' => {
                    let end = self.line_end();
                    self.trivia(start, end, start, end, true);
                }
                b'\'' => {
                    if self.text[start..].starts_with("'''") {
                        self.multiline(start, None);
                    } else {
                        self.pos += 1;
                        self.string(start, true);
                    }
                }
                b'$' => {
                    let n = self.src[start..].iter().take_while(|&&b| b == b'$').count();
                    if self.text[start + n..].starts_with("'''") {
                        self.multiline(start, Some(n));
                    } else {
                        self.pos += 1;
                        self.push(Tk::Error("unexpected character `$`"), start);
                    }
                }
                b'}' if self.holes.last().is_some_and(|h| h.depth == 0) => {
                    self.pos += 1;
                    match self.holes.pop().and_then(|h| h.multi) {
                        None => self.string(start, false),
                        Some(n) => self.multi_body(start, n, false),
                    }
                }
                b'0'..=b'9' => {
                    while self.peek(0).is_ascii_digit() {
                        self.pos += 1;
                    }
                    self.push(Tk::Int, start);
                }
                c if c == b'_' || c.is_ascii_alphabetic() => {
                    while self.peek(0) == b'_' || self.peek(0).is_ascii_alphanumeric() {
                        self.pos += 1;
                    }
                    self.push(Tk::Ident, start);
                }
                _ => {
                    let rest = &self.text[start..];
                    if let Some(p) = punct(rest) {
                        self.pos += p.len();
                        if let Some(h) = self.holes.last_mut() {
                            match p {
                                "{" => h.depth += 1,
                                "}" => h.depth = h.depth.saturating_sub(1),
                                _ => {}
                            }
                        }
                        self.push(Tk::Punct(p), start);
                    } else {
                        let len = rest.chars().next().map_or(1, char::len_utf8);
                        self.pos += len;
                        self.push(Tk::Error("unexpected character"), start);
                    }
                }
            }
        }
        let end = self.src.len();
        if !self.holes.is_empty() {
            self.out.tokens.push(Token {
                kind: Tk::Error("unterminated string interpolation"),
                span: end..end,
            });
        }
        self.out.tokens.push(Token {
            kind: Tk::Eof,
            span: end..end,
        });
    }

    fn line_end(&self) -> usize {
        self.text[self.pos..]
            .find('\n')
            .map_or(self.src.len(), |i| self.pos + i)
    }

    fn trivia(&mut self, start: usize, end: usize, ts: usize, te: usize, directive: bool) {
        self.pos = end;
        let text = self
            .text
            .get(ts..te.max(ts))
            .unwrap_or_default()
            .to_string();
        self.out.trivia.push(Trivia {
            span: start..end,
            text,
            directive,
        });
    }

    /// A `'...'` string body from `self.pos` (after `'` or `}`), up to `'` or `${`.
    fn string(&mut self, start: usize, first: bool) {
        let mut val = String::new();
        loop {
            let c = self.peek(0);
            match c {
                0 if self.pos >= self.src.len() => {
                    self.push(Tk::Error("unterminated string"), start);
                    return;
                }
                b'\n' | b'\r' => {
                    self.push(Tk::Error("unterminated string"), start);
                    return;
                }
                b'\'' => {
                    self.pos += 1;
                    let kind = if first { Tk::Str(val) } else { Tk::StrEnd(val) };
                    self.push(kind, start);
                    return;
                }
                b'$' if self.peek(1) == b'{' => {
                    self.pos += 2;
                    let kind = if first {
                        Tk::StrStart(val)
                    } else {
                        Tk::StrMid(val)
                    };
                    self.push(kind, start);
                    self.holes.push(Hole {
                        depth: 0,
                        multi: None,
                    });
                    return;
                }
                b'\\' => {
                    let Some(e) = self.text[self.pos + 1..].chars().next() else {
                        self.pos = self.src.len();
                        self.push(Tk::Error("unterminated string"), start);
                        return;
                    };
                    self.pos += 1 + e.len_utf8();
                    match e {
                        'n' => val.push('\n'),
                        'r' => val.push('\r'),
                        't' => val.push('\t'),
                        '\\' => val.push('\\'),
                        '\'' => val.push('\''),
                        '$' => val.push('$'),
                        'u' if self.peek(0) == b'{' => {
                            let hex_start = self.pos + 1;
                            let close = self.text[hex_start..].find('}').map(|i| hex_start + i);
                            let ch = close
                                .and_then(|c| {
                                    u32::from_str_radix(&self.text[hex_start..c], 16).ok()
                                })
                                .filter(|&n| n <= 0x10ffff)
                                // A lone surrogate (`\u{D801}`) is kept as U+FFFD.
                                .map(|n| char::from_u32(n).unwrap_or('\u{fffd}'));
                            match (ch, close) {
                                (Some(ch), Some(c)) => {
                                    val.push(ch);
                                    self.pos = c + 1;
                                }
                                _ => {
                                    self.push(Tk::Error("invalid unicode escape"), start);
                                    self.skip_string_rest();
                                    return;
                                }
                            }
                        }
                        _ => {
                            self.push(Tk::Error("invalid escape sequence"), start);
                            self.skip_string_rest();
                            return;
                        }
                    }
                }
                _ => {
                    let len = self.text[self.pos..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    val.push_str(&self.text[self.pos..self.pos + len]);
                    self.pos += len;
                }
            }
        }
    }

    fn skip_string_rest(&mut self) {
        while self.pos < self.src.len() && !matches!(self.peek(0), b'\'' | b'\n') {
            self.pos += 1;
        }
        if self.peek(0) == b'\'' {
            self.pos += 1;
        }
    }

    /// `'''...'''` (no escapes, no interpolation) or `$'''...'''` with `n` dollars.
    fn multiline(&mut self, start: usize, dollars: Option<usize>) {
        self.pos = start + dollars.unwrap_or(0) + 3;
        match dollars {
            None => {
                let rest = &self.text[self.pos..];
                match rest.find("'''") {
                    Some(i) => {
                        // A run of more than three quotes ends with the last three.
                        let mut end = self.pos + i;
                        while self.text[end + 3..].starts_with('\'') {
                            end += 1;
                        }
                        let mut val = self.text[self.pos..end].to_string();
                        strip_first_newline(&mut val);
                        self.pos = end + 3;
                        self.push(Tk::Str(val), start);
                    }
                    None => {
                        self.pos = self.src.len();
                        self.push(Tk::Error("unterminated multi-line string"), start);
                    }
                }
            }
            Some(n) => self.multi_body(start, n, true),
        }
    }

    /// Body of a `$'''` string with `n` dollars from `self.pos`, up to `'''` or `n` dollars + `{`.
    fn multi_body(&mut self, start: usize, n: usize, first: bool) {
        let mut val = String::new();
        loop {
            if self.pos >= self.src.len() {
                self.push(Tk::Error("unterminated multi-line string"), start);
                return;
            }
            let rest = &self.text[self.pos..];
            if rest.starts_with("'''") {
                let mut end = self.pos;
                while self.text[end + 3..].starts_with('\'') {
                    end += 1;
                }
                val.push_str(&self.text[self.pos..end]);
                self.pos = end + 3;
                if first {
                    strip_first_newline(&mut val);
                }
                let kind = if first { Tk::Str(val) } else { Tk::StrEnd(val) };
                self.push(kind, start);
                return;
            }
            let dollars = rest.bytes().take_while(|&b| b == b'$').count();
            if dollars >= n && rest[dollars..].starts_with('{') {
                val.push_str(&rest[..dollars - n]);
                self.pos += dollars + 1;
                if first {
                    strip_first_newline(&mut val);
                }
                let kind = if first {
                    Tk::StrStart(val)
                } else {
                    Tk::StrMid(val)
                };
                self.push(kind, start);
                self.holes.push(Hole {
                    depth: 0,
                    multi: Some(n),
                });
                return;
            }
            let len = if dollars > 0 {
                dollars
            } else {
                rest.chars().next().map_or(1, char::len_utf8)
            };
            val.push_str(&rest[..len]);
            self.pos += len;
        }
    }
}

/// A multi-line string drops the line break right after its opening quotes.
fn strip_first_newline(val: &mut String) {
    if val.starts_with("\r\n") {
        val.drain(..2);
    } else if val.starts_with('\n') {
        val.drain(..1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tk> {
        lex(s).tokens.into_iter().map(|t| t.kind).collect()
    }

    /// The longest punctuation wins, as when every entry was tried in turn; an unknown
    /// character is an error token, a multi-byte one whole.
    #[test]
    fn punctuation_is_the_longest_match() {
        for p in PUNCTS {
            assert_eq!(kinds(p), vec![Tk::Punct(p), Tk::Eof], "{p}");
        }
        assert_eq!(
            kinds("a...b!=c?.d??e=>f<=g"),
            vec![
                Tk::Ident,
                Tk::Punct("..."),
                Tk::Ident,
                Tk::Punct("!="),
                Tk::Ident,
                Tk::Punct("?"),
                Tk::Punct("."),
                Tk::Ident,
                Tk::Punct("??"),
                Tk::Ident,
                Tk::Punct("=>"),
                Tk::Ident,
                Tk::Punct("<="),
                Tk::Ident,
                Tk::Eof
            ]
        );
        assert_eq!(
            kinds("é~"),
            vec![
                Tk::Error("unexpected character"),
                Tk::Error("unexpected character"),
                Tk::Eof
            ]
        );
        assert_eq!(punct(""), None);
        // The groups give what trying every entry in order gives, for every string of up to
        // three punctuation characters.
        let chars: Vec<char> = "...=!~<>&|?:{}[](),+-*/%@^;#$a".chars().collect();
        let linear = |s: &str| PUNCTS.iter().copied().find(|p| s.starts_with(p));
        for a in &chars {
            for b in &chars {
                for c in &chars {
                    let s: String = [a, b, c].into_iter().collect();
                    assert_eq!(punct(&s), linear(&s), "{s}");
                    assert_eq!(punct(&s[..2]), linear(&s[..2]), "{s}");
                    assert_eq!(punct(&s[..1]), linear(&s[..1]), "{s}");
                }
            }
        }
    }

    #[test]
    fn strings_comments_and_interpolation() {
        assert_eq!(
            kinds("x = '//' // c\n"),
            vec![
                Tk::Ident,
                Tk::Punct("="),
                Tk::Str("//".into()),
                Tk::NewLine,
                Tk::Eof
            ]
        );
        assert_eq!(
            kinds("'a${b}c${ {} }d'"),
            vec![
                Tk::StrStart("a".into()),
                Tk::Ident,
                Tk::StrMid("c".into()),
                Tk::Punct("{"),
                Tk::Punct("}"),
                Tk::StrEnd("d".into()),
                Tk::Eof
            ]
        );
        assert_eq!(
            kinds("$$'''a$${1}${x}'''"),
            vec![
                Tk::StrStart("a".into()),
                Tk::Int,
                Tk::StrEnd("${x}".into()),
                Tk::Eof
            ]
        );
        assert_eq!(kinds("'''\nab'''"), vec![Tk::Str("ab".into()), Tk::Eof]);
        assert!(matches!(kinds("'abc")[0], Tk::Error(_)));
        assert!(matches!(kinds("'a${b")[1], Tk::Ident));
    }
}
