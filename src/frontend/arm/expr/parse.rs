//! Lexer and parser of ARM expressions (the text between the outer `[` and `]`).
//!
//! Nesting is limited to [`MAX_DEPTH`] so a hostile template gives an error, not a stack
//! overflow; member and index suffixes count towards it because they nest the tree too.

use std::borrow::Cow;

use super::ExprError;

/// Deepest nesting of calls, indexes and member accesses accepted.
pub const MAX_DEPTH: usize = 128;

/// A parsed expression. Offsets are byte offsets in the whole JSON string value.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr<'a> {
    /// `'text'` with `''` resolved (borrowed from the expression's text unless it had `''`).
    Str(Cow<'a, str>),
    /// An integer literal.
    Int(i64),
    /// `name(args)`; `ns.name(args)` for user-defined functions.
    Call {
        /// Function name as written.
        name: Cow<'a, str>,
        /// Arguments.
        args: Vec<Expr<'a>>,
        /// Offset of the name.
        offset: usize,
    },
    /// `base.name`.
    Member(Box<Expr<'a>>, &'a str, usize),
    /// `base[index]`.
    Index(Box<Expr<'a>>, Box<Expr<'a>>, usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Ident(&'a str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
}

fn err(message: impl Into<String>, offset: usize) -> ExprError {
    ExprError {
        message: message.into(),
        offset,
    }
}

/// Splits `src` (the inside of the brackets, starting at byte `base` of the whole string)
/// into tokens with their offsets.
fn lex(src: &str, base: usize) -> Result<Vec<(Tok<'_>, usize)>, ExprError> {
    // About a token per four bytes of a template's expressions (names, quoted strings,
    // punctuation): grown from empty, the list was reallocated twice per expression.
    let mut out = Vec::with_capacity(src.len() / 4 + 2);
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let at = base + i;
        match c {
            b'(' => out.push((Tok::LParen, at)),
            b')' => out.push((Tok::RParen, at)),
            b'[' => out.push((Tok::LBracket, at)),
            b']' => out.push((Tok::RBracket, at)),
            b',' => out.push((Tok::Comma, at)),
            b'.' => out.push((Tok::Dot, at)),
            b'\'' => {
                // Borrowed from `src` unless a `''` has to be resolved.
                let mut s: Option<String> = None;
                let mut j = i + 1;
                let mut run = j;
                loop {
                    let Some(&d) = b.get(j) else {
                        return Err(err("unterminated string literal", at));
                    };
                    if d == b'\'' {
                        if b.get(j + 1) == Some(&b'\'') {
                            let t = s.get_or_insert_with(String::new);
                            t.push_str(&src[run..j]);
                            t.push('\'');
                            j += 2;
                            run = j;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                let text = match s {
                    Some(mut t) => {
                        t.push_str(&src[run..j]);
                        Cow::Owned(t)
                    }
                    None => Cow::Borrowed(&src[run..j]),
                };
                out.push((Tok::Str(text), at));
                i = j + 1;
                continue;
            }
            b'-' | b'0'..=b'9' => {
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                let text = &src[i..j];
                if text == "-" {
                    return Err(err("expected a digit after '-'", at));
                }
                if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
                    return Err(err("decimal numbers are not supported in expressions", at));
                }
                let n = text
                    .parse::<i64>()
                    .map_err(|_| err("integer literal out of range", at))?;
                out.push((Tok::Int(n), at));
                i = j;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let mut j = i + 1;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'$')
                {
                    j += 1;
                }
                out.push((Tok::Ident(&src[i..j]), at));
                i = j;
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                if ch.is_whitespace() {
                    i += ch.len_utf8();
                    continue;
                }
                return Err(err(format!("unexpected character '{ch}'"), at));
            }
        }
        i += 1;
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(Tok<'a>, usize)>,
    pos: usize,
    end: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Tok<'a>> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn peek_at(&self, k: usize) -> Option<&Tok<'a>> {
        self.toks.get(self.pos + k).map(|(t, _)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, o)| *o)
    }

    fn bump(&mut self) -> Option<(Tok<'a>, usize)> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, want: &Tok<'a>, what: &str) -> Result<usize, ExprError> {
        match self.toks.get(self.pos) {
            Some((t, o)) if t == want => {
                let o = *o;
                self.pos += 1;
                Ok(o)
            }
            _ => Err(err(format!("expected {what}"), self.offset())),
        }
    }

    fn expr(&mut self, depth: usize) -> Result<Expr<'a>, ExprError> {
        if depth > MAX_DEPTH {
            return Err(err(
                format!("expression nested deeper than {MAX_DEPTH} levels"),
                self.offset(),
            ));
        }
        let mut e = self.primary(depth)?;
        let mut d = depth;
        loop {
            match self.peek() {
                Some(Tok::Dot) => {
                    let at = self.offset();
                    d += 1;
                    if d > MAX_DEPTH {
                        return Err(err(
                            format!("expression nested deeper than {MAX_DEPTH} levels"),
                            at,
                        ));
                    }
                    self.pos += 1;
                    match self.bump() {
                        Some((Tok::Ident(name), _)) => e = Expr::Member(Box::new(e), name, at),
                        _ => return Err(err("expected a property name after '.'", at + 1)),
                    }
                }
                Some(Tok::LBracket) => {
                    let at = self.offset();
                    d += 1;
                    self.pos += 1;
                    let idx = self.expr(d)?;
                    self.expect(&Tok::RBracket, "']'")?;
                    e = Expr::Index(Box::new(e), Box::new(idx), at);
                }
                _ => return Ok(e),
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Expr<'a>, ExprError> {
        let at = self.offset();
        match self.bump() {
            Some((Tok::Str(s), _)) => Ok(Expr::Str(s)),
            Some((Tok::Int(n), _)) => Ok(Expr::Int(n)),
            Some((Tok::Ident(first), _)) => {
                let mut name = Cow::Borrowed(first);
                // User-defined functions are written `namespace.name(...)`.
                if self.peek() == Some(&Tok::Dot)
                    && matches!(self.peek_at(1), Some(Tok::Ident(_)))
                    && self.peek_at(2) == Some(&Tok::LParen)
                {
                    if let Some(Tok::Ident(n2)) = self.peek_at(1) {
                        name = Cow::Owned(format!("{name}.{n2}"));
                    }
                    self.pos += 2;
                }
                if self.peek() != Some(&Tok::LParen) {
                    return Err(err(
                        format!("expected '(' after function name '{name}'"),
                        self.offset(),
                    ));
                }
                self.pos += 1;
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.pos += 1;
                } else {
                    loop {
                        args.push(self.expr(depth + 1)?);
                        match self.bump() {
                            Some((Tok::Comma, _)) => {}
                            Some((Tok::RParen, _)) => break,
                            Some((_, o)) => return Err(err("expected ',' or ')'", o)),
                            None => {
                                return Err(err(
                                    format!("unclosed '(' of function '{name}'"),
                                    self.end,
                                ));
                            }
                        }
                    }
                }
                Ok(Expr::Call {
                    name,
                    args,
                    offset: at,
                })
            }
            Some((_, o)) => Err(err("expected a function call, string or number", o)),
            None => Err(err("expected an expression", at)),
        }
    }
}

/// Parses the expression `src`, which starts at byte `base` of the whole string and ends at
/// byte `end` (where errors about missing tokens point).
pub fn parse(src: &str, base: usize) -> Result<Expr<'_>, ExprError> {
    let toks = lex(src, base)?;
    let end = base + src.len();
    let mut p = Parser { toks, pos: 0, end };
    if p.toks.is_empty() {
        return Err(err("empty expression", base));
    }
    let e = p.expr(0)?;
    if p.pos < p.toks.len() {
        return Err(err("unexpected text after the expression", p.offset()));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(name: &'a str, args: Vec<Expr<'a>>, offset: usize) -> Expr<'a> {
        Expr::Call {
            name: name.into(),
            args,
            offset,
        }
    }

    #[test]
    fn parses_calls_members_indexes() {
        let e = parse("concat('a''b', -3)", 1).unwrap();
        assert_eq!(
            e,
            call("concat", vec![Expr::Str("a'b".into()), Expr::Int(-3)], 1)
        );
        let e = parse("reference('x').hostNames[0]", 1).unwrap();
        let Expr::Index(base, idx, 25) = e else {
            panic!("{e:?}")
        };
        assert_eq!(*idx, Expr::Int(0));
        assert!(matches!(*base, Expr::Member(_, n, 15) if n == "hostNames"));
        let e = parse(" ns.fn ( ) ", 1).unwrap();
        assert_eq!(e, call("ns.fn", vec![], 2));
        assert_eq!(parse("'é'", 1).unwrap(), Expr::Str("é".into()));
        // `''` resolved wherever it stands; a literal without one is borrowed.
        for (src, want) in [
            ("''", ""),
            ("''''", "'"),
            ("'a'''", "a'"),
            ("'''b'", "'b"),
            ("'x''y''z'", "x'y'z"),
        ] {
            assert_eq!(parse(src, 1).unwrap(), Expr::Str(want.into()), "{src}");
        }
        assert!(matches!(
            parse("'plain'", 1).unwrap(),
            Expr::Str(Cow::Borrowed("plain"))
        ));
    }

    #[test]
    fn syntax_errors_have_offsets() {
        let e = parse("concat('a', ", 1).unwrap_err();
        assert_eq!(e.offset, 13);
        let e = parse("concat('a)", 1).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.offset),
            ("unterminated string literal", 8)
        );
        let e = parse("foo", 1).unwrap_err();
        assert_eq!(e.offset, 4);
        let e = parse("a() b()", 1).unwrap_err();
        assert_eq!(e.offset, 5);
        let e = parse("a(1 2)", 1).unwrap_err();
        assert_eq!(e.offset, 5);
        let e = parse("a().", 1).unwrap_err();
        assert_eq!(e.offset, 5);
        assert_eq!(parse("", 1).unwrap_err().message, "empty expression");
        assert!(parse("a(1.5)", 1).is_err());
        assert!(parse("a(99999999999999999999)", 1).is_err());
        assert_eq!(parse("a(#)", 1).unwrap_err().offset, 3);
    }

    #[test]
    fn depth_is_limited() {
        let deep = format!("{}1{}", "f(".repeat(200), ")".repeat(200));
        let e = parse(&deep, 1).unwrap_err();
        assert!(e.message.contains("deeper than 128"), "{e:?}");
        let ok = format!("{}1{}", "f(".repeat(100), ")".repeat(100));
        assert!(parse(&ok, 1).is_ok());
        let members = format!("f(){}", ".a".repeat(10_000));
        assert!(parse(&members, 1).is_err());
        let idx = format!("f(){}", "[0]".repeat(10_000));
        assert!(parse(&idx, 1).is_err());
        let nested_idx = format!("f(){}0{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&nested_idx, 1).is_err());
    }
}
