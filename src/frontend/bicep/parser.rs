//! Recursive-descent Bicep parser after Bicep's `BaseParser.cs` / `Parser.cs` /
//! `ParamsParser.cs`. Newlines end declarations and separate array items and object members;
//! inside `(...)` and around operators that cannot start an expression they are skipped.
//! Nesting is capped at [`MAX_DEPTH`], so no input overflows the stack; errors never panic.

use std::ops::Range;

use super::lexer::{Lexed, Tk, Token};
use super::syntax::*;

/// Deepest nesting of expressions and types accepted.
pub const MAX_DEPTH: usize = 128;

/// A syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Lower-case message.
    pub message: String,
    /// Where.
    pub span: Range<usize>,
}

type PResult<T> = Result<T, ParseError>;

/// Stands for the end of input when a token list lacks its [`Tk::Eof`].
static EOF: Token = Token {
    kind: Tk::Eof,
    span: 0..0,
};

/// Parses a lexed file. Returns the declarations that parsed and every error (recovering at
/// the next line after one).
pub fn parse(text: &str, lexed: &Lexed) -> (File, Vec<ParseError>) {
    let mut p = Parser {
        text,
        toks: &lexed.tokens,
        pos: 0,
        depth: 0,
    };
    let mut file = File::default();
    let mut errors = Vec::new();
    loop {
        p.skip_nl();
        if p.at_eof() {
            break;
        }
        let before = p.pos;
        match p.decl() {
            Ok(d) => file.decls.push(d),
            Err(e) => {
                errors.push(e);
                p.depth = 0;
                p.recover();
                if p.pos == before {
                    p.pos += 1;
                }
            }
        }
    }
    (file, errors)
}

struct Parser<'a> {
    text: &'a str,
    toks: &'a [Token],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn tok(&self, n: usize) -> &'a Token {
        let toks: &'a [Token] = self.toks;
        let i = (self.pos + n).min(toks.len().saturating_sub(1));
        toks.get(i).unwrap_or(&EOF)
    }

    fn at_eof(&self) -> bool {
        matches!(self.tok(0).kind, Tk::Eof) || self.pos >= self.toks.len()
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.tok(0).kind, Tk::Punct(q) if q == p)
    }

    fn is_at(&self, n: usize, p: &str) -> bool {
        matches!(self.tok(n).kind, Tk::Punct(q) if q == p)
    }

    fn text_of(&self, t: &Token) -> &'a str {
        let text: &'a str = self.text;
        text.get(t.span.clone()).unwrap_or_default()
    }

    fn is_word(&self, n: usize, w: &str) -> bool {
        let t = self.tok(n);
        t.kind == Tk::Ident && self.text_of(t) == w
    }

    fn is_nl(&self) -> bool {
        self.tok(0).kind == Tk::NewLine
    }

    fn skip_nl(&mut self) {
        while self.is_nl() {
            self.pos += 1;
        }
    }

    fn bump(&mut self) -> &'a Token {
        let t = self.tok(0);
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn err<T>(&self, message: impl Into<String>) -> PResult<T> {
        let t = self.tok(0);
        let message = match &t.kind {
            Tk::Error(e) => (*e).to_string(),
            _ => message.into(),
        };
        Err(ParseError {
            message,
            span: t.span.clone(),
        })
    }

    fn expect(&mut self, p: &str) -> PResult<Range<usize>> {
        if self.is(p) {
            Ok(self.bump().span.clone())
        } else {
            self.err(format!("expected `{p}`"))
        }
    }

    /// `=` of a declaration; its value may start on the next line.
    fn expect_eq(&mut self) -> PResult<()> {
        if self.is("=") {
            self.bump();
            self.skip_nl();
            Ok(())
        } else {
            self.err("expected `=`")
        }
    }

    fn ident(&mut self) -> PResult<Name> {
        let t = self.tok(0);
        if t.kind == Tk::Ident {
            self.bump();
            Ok(Name {
                text: self.text_of(t).to_string(),
                span: t.span.clone(),
            })
        } else {
            self.err("expected an identifier")
        }
    }

    fn start(&self) -> usize {
        self.tok(0).span.start
    }

    fn prev_end(&self) -> usize {
        if self.pos == 0 {
            0
        } else {
            self.toks
                .get(self.pos - 1)
                .map_or(self.text.len(), |t| t.span.end)
        }
    }

    /// Skips to just after the next newline that is not inside brackets.
    fn recover(&mut self) {
        let mut depth = 0usize;
        while !self.at_eof() {
            match &self.tok(0).kind {
                Tk::Punct("{" | "[" | "(") | Tk::StrStart(_) => depth += 1,
                Tk::Punct("}" | "]" | ")") | Tk::StrEnd(_) => depth = depth.saturating_sub(1),
                Tk::NewLine if depth == 0 => {
                    self.pos += 1;
                    return;
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    /// End of a declaration: a newline or the end of the file.
    fn end_of_decl(&mut self) -> PResult<()> {
        if self.is_nl() || self.at_eof() {
            Ok(())
        } else {
            self.err("expected a new line after the declaration")
        }
    }

    fn decorators(&mut self) -> PResult<Vec<Expr>> {
        let mut out = Vec::new();
        while self.is("@") {
            self.bump();
            let e = self.postfix()?;
            out.push(e);
            self.skip_nl();
        }
        Ok(out)
    }

    fn decl(&mut self) -> PResult<Decl> {
        let decorators = self.decorators()?;
        let start = self.start();
        let kw = self.tok(0);
        if kw.kind != Tk::Ident {
            return self.err("expected a declaration");
        }
        let word = self.text_of(kw);
        self.bump();
        let kind = match word {
            "targetScope" => {
                self.expect_eq()?;
                DeclKind::TargetScope(self.expr()?)
            }
            "metadata" => {
                let n = self.ident()?;
                self.expect_eq()?;
                DeclKind::Metadata(n, self.expr()?)
            }
            "param" => {
                let name = self.ident()?;
                let ty = if self.is("=") { None } else { Some(self.ty()?) };
                let value = if self.is("=") {
                    self.expect_eq()?;
                    Some(self.expr()?)
                } else {
                    None
                };
                DeclKind::Param { name, ty, value }
            }
            "var" => {
                let n = self.ident()?;
                if !self.is("=") {
                    self.ty()?;
                }
                self.expect_eq()?;
                DeclKind::Var(n, self.expr()?)
            }
            "output" => {
                let n = self.ident()?;
                let t = self.ty()?;
                self.expect_eq()?;
                DeclKind::Output(n, t, self.expr()?)
            }
            "type" => {
                let n = self.ident()?;
                self.expect_eq()?;
                DeclKind::TypeDecl(n, self.ty()?)
            }
            "func" => {
                let n = self.ident()?;
                let params = self.lambda_params()?;
                self.ty()?;
                self.expect("=>")?;
                self.skip_nl();
                DeclKind::Func(n, params, self.expr()?)
            }
            "resource" => DeclKind::Resource(self.resource_rest()?),
            "module" => {
                let name = self.ident()?;
                let path = self.string_expr()?;
                self.expect_eq()?;
                let body = self.body()?;
                DeclKind::Module { name, path, body }
            }
            "test" => {
                let name = self.ident()?;
                self.string_expr()?;
                self.expect_eq()?;
                DeclKind::Test(name, self.body()?)
            }
            "assert" => {
                let n = self.ident()?;
                self.expect_eq()?;
                DeclKind::Assert(n, self.expr()?)
            }
            "import" | "extension" | "provider" | "extensionConfig" => {
                let first = self.pos;
                self.rest_of_statement()?;
                if word == "import" {
                    DeclKind::Import(self.import_of(first))
                } else {
                    DeclKind::Extension
                }
            }
            "using" => {
                if self.is_word(0, "none") {
                    self.bump();
                    DeclKind::Using(None)
                } else {
                    let path = self.string_expr()?;
                    if self.is_word(0, "with") {
                        self.bump();
                        self.expr()?;
                    }
                    DeclKind::Using(Some(path))
                }
            }
            "extends" => DeclKind::Extends(self.string_expr()?),
            _ => {
                self.pos -= 1;
                return self.err(format!("unknown declaration `{word}`"));
            }
        };
        self.end_of_decl()?;
        Ok(Decl {
            span: start..self.prev_end(),
            decorators,
            kind,
        })
    }

    /// `import`/`extension` bodies: checked for balance only.
    fn rest_of_statement(&mut self) -> PResult<()> {
        loop {
            if self.is_nl() || self.at_eof() {
                return Ok(());
            }
            if self.is("{") || self.is("[") || self.is("(") {
                self.skip_balanced()?;
                continue;
            }
            match &self.tok(0).kind {
                Tk::Str(_) | Tk::StrStart(_) => {
                    self.primary()?;
                }
                Tk::Error(e) => return self.err(*e),
                Tk::Punct("}" | "]" | ")") => return self.err("unbalanced bracket"),
                _ => {
                    self.bump();
                }
            }
        }
    }

    /// The compile-time import whose tokens (after `import`) run from `first` to here.
    fn import_of(&self, first: usize) -> Option<Import> {
        let toks = self.toks.get(first..self.pos)?;
        let word = |t: &Token| (t.kind == Tk::Ident).then(|| self.text_of(t));
        let name = |t: &Token| Name {
            text: self.text_of(t).to_string(),
            span: t.span.clone(),
        };
        let mut names = Vec::new();
        let mut wildcard = None;
        let mut i;
        let punct = |t: &Token, p: &str| matches!(t.kind, Tk::Punct(q) if q == p);
        match toks.first() {
            Some(t) if punct(t, "{") => {
                i = 1;
                while let Some(t) = toks.get(i) {
                    if punct(t, "}") {
                        i += 1;
                        break;
                    }
                    if let Some(w) = word(t) {
                        if toks.get(i + 1).and_then(word) == Some("as")
                            && let Some(local) = toks.get(i + 2).filter(|x| x.kind == Tk::Ident)
                        {
                            names.push((w.to_string(), name(local)));
                            i += 3;
                            continue;
                        }
                        names.push((w.to_string(), name(t)));
                    } else if !(punct(t, ",") || t.kind == Tk::NewLine) {
                        return None;
                    }
                    i += 1;
                }
            }
            Some(t) if punct(t, "*") => {
                if toks.get(1).and_then(word) != Some("as") {
                    return None;
                }
                wildcard = Some(name(toks.get(2).filter(|x| x.kind == Tk::Ident)?));
                i = 3;
            }
            _ => return None,
        }
        if toks.get(i).and_then(word) != Some("from") {
            return None;
        }
        let Tk::Str(from) = &toks.get(i + 1)?.kind else {
            return None;
        };
        Some(Import {
            from: from.clone(),
            names,
            wildcard,
        })
    }

    /// Skips a bracketed group (`{ a\n b }` of an import list), checking balance.
    fn skip_balanced(&mut self) -> PResult<()> {
        let mut stack: Vec<&str> = Vec::new();
        loop {
            match &self.tok(0).kind {
                Tk::Punct("{") => stack.push("}"),
                Tk::Punct("[") => stack.push("]"),
                Tk::Punct("(") => stack.push(")"),
                Tk::Punct(c @ ("}" | "]" | ")")) if stack.pop() != Some(*c) => {
                    return self.err("unbalanced bracket");
                }
                Tk::Error(e) => return self.err(*e),
                Tk::Eof => return self.err("unexpected end of file"),
                _ => {}
            }
            self.bump();
            if stack.is_empty() {
                return Ok(());
            }
        }
    }

    fn resource_rest(&mut self) -> PResult<Resource> {
        let name = self.ident()?;
        let ty = self.string_expr()?;
        let existing = if self.is_word(0, "existing") {
            self.bump();
            true
        } else {
            false
        };
        self.expect_eq()?;
        let body = self.body()?;
        Ok(Resource {
            name,
            ty,
            existing,
            body,
        })
    }

    fn string_expr(&mut self) -> PResult<Expr> {
        match &self.tok(0).kind {
            Tk::Str(_) | Tk::StrStart(_) => self.primary(),
            _ => self.err("expected a string"),
        }
    }

    /// A resource/module body: `{...}`, `if (c) {...}` or `[for ...]`.
    fn body(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.body_inner();
        self.depth -= 1;
        r
    }

    fn body_inner(&mut self) -> PResult<Expr> {
        let start = self.start();
        if self.is_word(0, "if") {
            self.bump();
            self.skip_nl();
            self.expect("(")?;
            self.skip_nl();
            let c = self.expr()?;
            self.skip_nl();
            self.expect(")")?;
            self.skip_nl();
            let b = self.expr()?;
            return Ok(Expr {
                span: start..self.prev_end(),
                kind: ExprKind::If(Box::new(c), Box::new(b)),
            });
        }
        self.expr()
    }

    // ---- expressions

    /// An expression.
    fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.ternary();
        self.depth -= 1;
        r
    }

    /// Skips newlines when the first token after them is one of `ops` (an operator that continues
    /// the expression on the next line); true when the current token is one of them.
    fn continues(&mut self, ops: &[&str]) -> bool {
        let mut n = 0;
        while self.tok(n).kind == Tk::NewLine {
            n += 1;
        }
        let hit = ops.iter().any(|o| self.is_at(n, o));
        if hit && n > 0 {
            self.pos += n;
        }
        hit
    }

    fn ternary(&mut self) -> PResult<Expr> {
        let start = self.start();
        let c = self.binary(0)?;
        if self.continues(&["?"]) {
            self.bump();
            self.skip_nl();
            let t = self.expr()?;
            self.skip_nl();
            self.expect(":")?;
            self.skip_nl();
            let e = self.expr()?;
            return Ok(Expr {
                span: start..self.prev_end(),
                kind: ExprKind::Ternary(Box::new(c), Box::new(t), Box::new(e)),
            });
        }
        Ok(c)
    }

    /// Precedence climbing over the binary operators: `level` is the loosest one accepted
    /// (0 `??`, 1 `||`, 2 `&&`, 3 equality, 4 comparison, 5 `+ -`, 6 `* / %`).
    fn binary(&mut self, level: usize) -> PResult<Expr> {
        const OPS: &[(&str, BinOp, usize)] = &[
            ("??", BinOp::Coalesce, 0),
            ("||", BinOp::Or, 1),
            ("&&", BinOp::And, 2),
            ("==", BinOp::Eq, 3),
            ("!=", BinOp::Ne, 3),
            ("=~", BinOp::EqI, 3),
            ("!~", BinOp::NeI, 3),
            ("<", BinOp::Lt, 4),
            ("<=", BinOp::Le, 4),
            (">", BinOp::Gt, 4),
            (">=", BinOp::Ge, 4),
            ("+", BinOp::Add, 5),
            ("-", BinOp::Sub, 5),
            ("*", BinOp::Mul, 6),
            ("/", BinOp::Div, 6),
            ("%", BinOp::Mod, 6),
        ];
        let start = self.start();
        let mut left = self.unary()?;
        loop {
            // Operators of levels 0-3 may start the next line (they cannot start an item).
            let mut n = 0;
            while self.tok(n).kind == Tk::NewLine {
                n += 1;
            }
            let Some(&(_, op, l)) = OPS
                .iter()
                .find(|(s, _, l)| *l >= level && self.is_at(n, s) && (n == 0 || *l <= 3))
            else {
                return Ok(left);
            };
            self.pos += n + 1;
            self.skip_nl();
            self.enter()?;
            let right = self.binary(l + 1);
            self.depth -= 1;
            let right = right?;
            left = Expr {
                span: start..self.prev_end(),
                kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
            };
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        let start = self.start();
        if self.is("!") || self.is("-") {
            let neg = self.is("-");
            self.bump();
            self.enter()?;
            let e = self.unary();
            self.depth -= 1;
            let e = Box::new(e?);
            return Ok(Expr {
                span: start..self.prev_end(),
                kind: if neg {
                    ExprKind::Neg(e)
                } else {
                    ExprKind::Not(e)
                },
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let start = self.start();
        let mut e = self.primary()?;
        loop {
            let span = |p: &Self| start..p.prev_end();
            if self.is("(") {
                if let ExprKind::Ident(name) = &e.kind {
                    let name = name.clone();
                    let args = self.args()?;
                    e = Expr {
                        span: span(self),
                        kind: ExprKind::Call(None, name, args),
                    };
                    continue;
                }
                return Ok(e);
            }
            if self.continues(&["."]) {
                self.bump();
                let safe = if self.is("?") {
                    self.bump();
                    true
                } else {
                    false
                };
                if self.is("*") {
                    // `x.*` (types only); accepted.
                    self.bump();
                    continue;
                }
                let n = self.ident()?;
                if !safe && self.is("(") {
                    let args = self.args()?;
                    e = Expr {
                        span: span(self),
                        kind: ExprKind::Call(Some(Box::new(e)), n.text, args),
                    };
                } else {
                    e = Expr {
                        span: span(self),
                        kind: ExprKind::Prop(Box::new(e), n.text, safe),
                    };
                }
                continue;
            }
            if self.is("[") {
                self.bump();
                self.skip_nl();
                let safe = if self.is("?") {
                    self.bump();
                    true
                } else {
                    false
                };
                let from_end = if self.is("^") {
                    self.bump();
                    true
                } else {
                    false
                };
                let i = self.expr()?;
                self.skip_nl();
                self.expect("]")?;
                e = Expr {
                    span: span(self),
                    kind: ExprKind::Index(Box::new(e), Box::new(i), safe, from_end),
                };
                continue;
            }
            if self.is("::") {
                self.bump();
                let n = self.ident()?;
                e = Expr {
                    span: span(self),
                    kind: ExprKind::Child(Box::new(e), n.text),
                };
                continue;
            }
            if self.is("!") {
                self.bump();
                e = Expr {
                    span: span(self),
                    kind: ExprKind::NonNull(Box::new(e)),
                };
                continue;
            }
            return Ok(e);
        }
    }

    fn args(&mut self) -> PResult<Vec<Expr>> {
        self.expect("(")?;
        let mut out = Vec::new();
        loop {
            self.skip_nl();
            if self.is(")") {
                self.bump();
                return Ok(out);
            }
            out.push(self.expr()?);
            self.skip_nl();
            if self.is(",") {
                self.bump();
            } else if !self.is(")") {
                return self.err("expected `,` or `)`");
            }
        }
    }

    /// True when the `(` at the current token closes with `) =>`.
    fn paren_is_lambda(&self) -> bool {
        let mut depth = 0usize;
        let mut n = 0;
        loop {
            match &self.tok(n).kind {
                Tk::Punct("(" | "[" | "{") => depth += 1,
                Tk::Punct(")" | "]" | "}") => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return self.is_at(n + 1, "=>");
                    }
                }
                Tk::Eof => return false,
                _ => {}
            }
            n += 1;
        }
    }

    /// `(a, b T)`: lambda or function parameters (names; types checked and dropped).
    fn lambda_params(&mut self) -> PResult<Vec<String>> {
        self.expect("(")?;
        let mut out = Vec::new();
        loop {
            self.skip_nl();
            if self.is(")") {
                self.bump();
                return Ok(out);
            }
            out.push(self.ident()?.text);
            if !self.is(",") && !self.is(")") && !self.is_nl() {
                self.ty()?;
            }
            self.skip_nl();
            if self.is(",") {
                self.bump();
            } else if !self.is(")") {
                return self.err("expected `,` or `)`");
            }
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let start = self.start();
        let t = self.tok(0);
        let done = |p: &Self, kind| {
            Ok(Expr {
                span: start..p.prev_end(),
                kind,
            })
        };
        match &t.kind {
            Tk::Int => {
                self.bump();
                done(self, ExprKind::Int(self.text_of(t).to_string()))
            }
            Tk::Str(s) => {
                self.bump();
                done(self, ExprKind::Str(vec![StrPart::Lit(s.clone())]))
            }
            Tk::StrStart(s) => {
                self.bump();
                let mut parts = vec![StrPart::Lit(s.clone())];
                loop {
                    self.skip_nl();
                    let e = self.expr()?;
                    parts.push(StrPart::Expr(e));
                    self.skip_nl();
                    match &self.tok(0).kind {
                        Tk::StrMid(s) => {
                            parts.push(StrPart::Lit(s.clone()));
                            self.bump();
                        }
                        Tk::StrEnd(s) => {
                            parts.push(StrPart::Lit(s.clone()));
                            self.bump();
                            return done(self, ExprKind::Str(parts));
                        }
                        _ => return self.err("expected `}` closing the interpolation"),
                    }
                }
            }
            Tk::Ident => {
                let word = self.text_of(t);
                if self.is_at(1, "=>") {
                    self.bump();
                    self.bump();
                    self.skip_nl();
                    let body = self.expr()?;
                    return done(
                        self,
                        ExprKind::Lambda(vec![word.to_string()], Box::new(body)),
                    );
                }
                self.bump();
                match word {
                    "true" => done(self, ExprKind::Bool(true)),
                    "false" => done(self, ExprKind::Bool(false)),
                    "null" => done(self, ExprKind::Null),
                    _ => done(self, ExprKind::Ident(word.to_string())),
                }
            }
            Tk::Punct("(") => {
                if self.paren_is_lambda() {
                    let ps = self.lambda_params()?;
                    self.expect("=>")?;
                    self.skip_nl();
                    let body = self.expr()?;
                    return done(self, ExprKind::Lambda(ps, Box::new(body)));
                }
                self.bump();
                self.skip_nl();
                let e = self.expr()?;
                self.skip_nl();
                self.expect(")")?;
                done(self, ExprKind::Paren(Box::new(e)))
            }
            Tk::Punct("[") => {
                self.bump();
                self.skip_nl();
                if self.is_word(0, "for") {
                    return self.for_rest(start);
                }
                let mut items = Vec::new();
                loop {
                    self.skip_nl();
                    if self.is("]") {
                        self.bump();
                        return done(self, ExprKind::Array(items));
                    }
                    items.push(self.item()?);
                    if self.is(",") {
                        self.bump();
                    } else if !self.is_nl() && !self.is("]") {
                        return self.err("expected a new line, `,` or `]` after the array item");
                    }
                }
            }
            Tk::Punct("{") => {
                self.bump();
                let mut members = Vec::new();
                loop {
                    self.skip_nl();
                    if self.is("}") {
                        self.bump();
                        return done(self, ExprKind::Object(members));
                    }
                    members.push(self.member()?);
                    if self.is(",") {
                        self.bump();
                    } else if !self.is_nl() && !self.is("}") {
                        return self.err("expected a new line, `,` or `}` after the property");
                    }
                }
            }
            Tk::Error(e) => self.err(*e),
            Tk::Eof => self.err("unexpected end of file"),
            Tk::NewLine => self.err("unexpected new line"),
            _ => self.err(format!("unexpected `{}`", self.text_of(t))),
        }
    }

    fn item(&mut self) -> PResult<Expr> {
        let start = self.start();
        if self.is("...") {
            self.bump();
            let e = self.expr()?;
            return Ok(Expr {
                span: start..self.prev_end(),
                kind: ExprKind::Spread(Box::new(e)),
            });
        }
        self.expr()
    }

    fn member(&mut self) -> PResult<Member> {
        self.decorators()?;
        if self.is("...") {
            self.bump();
            return Ok(Member::Spread(self.expr()?));
        }
        if self.is_word(0, "resource") && self.tok(1).kind == Tk::Ident {
            self.bump();
            return Ok(Member::Resource(Box::new(self.resource_rest()?)));
        }
        let t = self.tok(0);
        let key = match &t.kind {
            Tk::Ident => {
                self.bump();
                Some(self.text_of(t).to_string())
            }
            Tk::Str(s) => {
                self.bump();
                Some(s.clone())
            }
            Tk::StrStart(_) => {
                let k = self.primary()?;
                self.expect(":")?;
                self.skip_nl();
                let value = self.body()?;
                return Ok(Member::Computed(k, value));
            }
            _ => return self.err("expected a property name"),
        };
        let key_span = t.span.start..self.prev_end();
        self.expect(":")?;
        self.skip_nl();
        let value = self.body()?;
        Ok(Member::Prop {
            key,
            key_span,
            value,
        })
    }

    fn for_rest(&mut self, start: usize) -> PResult<Expr> {
        self.bump(); // for
        let (item, index) = if self.is("(") {
            self.bump();
            let a = self.ident()?.text;
            let b = if self.is(",") {
                self.bump();
                Some(self.ident()?.text)
            } else {
                None
            };
            self.expect(")")?;
            (Some(a), b)
        } else {
            (Some(self.ident()?.text), None)
        };
        if !self.is_word(0, "in") {
            return self.err("expected `in`");
        }
        self.bump();
        let iter = self.expr()?;
        self.expect(":")?;
        self.skip_nl();
        let body = self.body()?;
        self.skip_nl();
        self.expect("]")?;
        Ok(Expr {
            span: start..self.prev_end(),
            kind: ExprKind::For {
                item,
                index,
                iter: Box::new(iter),
                body: Box::new(body),
            },
        })
    }

    // ---- types

    fn ty(&mut self) -> PResult<Type> {
        self.enter()?;
        let r = self.ty_union();
        self.depth -= 1;
        r
    }

    fn ty_union(&mut self) -> PResult<Type> {
        if self.continues(&["|"]) {
            self.bump();
            self.skip_nl();
        }
        let start = self.start();
        let mut t = self.ty_postfix()?;
        let mut union = false;
        while self.continues(&["|"]) {
            self.bump();
            self.skip_nl();
            let next = self.ty_postfix()?;
            if next.name != t.name {
                t.name = None;
            }
            union = true;
            t.nullable |= next.nullable;
        }
        if union {
            t.span = start..self.prev_end();
        }
        Ok(t)
    }

    fn ty_postfix(&mut self) -> PResult<Type> {
        let start = self.start();
        let mut t = self.ty_primary()?;
        loop {
            if self.is("[") {
                self.bump();
                if self.is("]") {
                    t.name = Some("array".into());
                } else {
                    if self.is("*") {
                        self.bump();
                    } else {
                        self.primary()?;
                    }
                    t.name = None;
                }
                self.expect("]")?;
                t.nullable = false;
            } else if self.is("?") {
                self.bump();
                t.nullable = true;
            } else if self.is("!") {
                self.bump();
                t.nullable = false;
            } else if self.is(".") {
                self.bump();
                if self.is("*") {
                    self.bump();
                } else {
                    self.ident()?;
                }
                t.name = None;
                t.nullable = false;
            } else {
                t.span = start..self.prev_end();
                return Ok(t);
            }
        }
    }

    fn ty_primary(&mut self) -> PResult<Type> {
        let start = self.start();
        let mk = |p: &Self, name: Option<&str>| Type {
            span: start..p.prev_end(),
            name: name.map(str::to_string),
            nullable: false,
        };
        let t = self.tok(0);
        match &t.kind {
            Tk::Ident => {
                let mut word = self.text_of(t);
                self.bump();
                if word == "sys" && self.is(".") && self.tok(1).kind == Tk::Ident {
                    self.bump();
                    let n = self.bump();
                    word = self.text_of(n);
                }
                if self.is(".") && self.tok(1).kind == Tk::Ident && self.is_at(2, "<") {
                    self.bump();
                    self.bump();
                }
                if word == "resource" && matches!(self.tok(0).kind, Tk::Str(_)) {
                    self.bump();
                    return Ok(mk(self, None));
                }
                if self.is("<") {
                    self.bump();
                    loop {
                        self.skip_nl();
                        if self.is(">") {
                            self.bump();
                            break;
                        }
                        self.ty()?;
                        self.skip_nl();
                        if self.is(",") {
                            self.bump();
                        } else if !self.is(">") {
                            return self.err("expected `,` or `>`");
                        }
                    }
                    return Ok(mk(self, None));
                }
                let name = match word {
                    "string" | "int" | "bool" | "object" | "array" => Some(word),
                    "true" | "false" => Some("bool"),
                    _ => None,
                };
                Ok(mk(self, name))
            }
            Tk::Str(_) | Tk::StrStart(_) => {
                self.primary()?;
                Ok(mk(self, Some("string")))
            }
            Tk::Int => {
                self.bump();
                Ok(mk(self, Some("int")))
            }
            Tk::Punct("-") => {
                self.bump();
                if self.tok(0).kind != Tk::Int {
                    return self.err("expected an integer");
                }
                self.bump();
                Ok(mk(self, Some("int")))
            }
            Tk::Punct("!") => {
                self.bump();
                self.ty_primary()
            }
            Tk::Punct("(") => {
                self.bump();
                self.skip_nl();
                let t = self.ty()?;
                self.skip_nl();
                self.expect(")")?;
                Ok(Type {
                    span: start..self.prev_end(),
                    ..t
                })
            }
            Tk::Punct("{") => {
                self.bump();
                loop {
                    self.skip_nl();
                    if self.is("}") {
                        self.bump();
                        return Ok(mk(self, Some("object")));
                    }
                    self.decorators()?;
                    if self.is("*") {
                        self.bump();
                    } else {
                        match &self.tok(0).kind {
                            Tk::Ident | Tk::Str(_) => {
                                self.bump();
                            }
                            _ => return self.err("expected a property name"),
                        }
                        if self.is("?") {
                            self.bump();
                        }
                    }
                    self.expect(":")?;
                    self.skip_nl();
                    self.ty()?;
                    if self.is(",") {
                        self.bump();
                    } else if !self.is_nl() && !self.is("}") {
                        return self.err("expected a new line, `,` or `}` after the property");
                    }
                }
            }
            Tk::Punct("[") => {
                self.bump();
                loop {
                    self.skip_nl();
                    if self.is("]") {
                        self.bump();
                        return Ok(mk(self, Some("array")));
                    }
                    self.decorators()?;
                    self.ty()?;
                    if self.is(",") {
                        self.bump();
                    } else if !self.is_nl() && !self.is("]") {
                        return self.err("expected a new line, `,` or `]` after the item");
                    }
                }
            }
            Tk::Error(e) => self.err(*e),
            _ => self.err("expected a type"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(s: &str) -> File {
        let lx = super::super::lexer::lex(s);
        let (f, errs) = parse(s, &lx);
        assert!(errs.is_empty(), "{s}: {errs:?}");
        f
    }

    fn parse_err(s: &str) -> ParseError {
        let lx = super::super::lexer::lex(s);
        let (_, errs) = parse(s, &lx);
        errs.into_iter()
            .next()
            .unwrap_or_else(|| panic!("{s} parsed"))
    }

    #[test]
    fn declarations() {
        let f = parse_ok(
            "@description('x')\nparam a string = 'b'\nvar v int = 1 + 2 * 3\n\
             resource r 'A/b@1' = if (x) {\n  name: 'n'\n  properties: {\n    a: [\n      1\n      -2\n    ]\n  }\n  resource c 'd' = {\n name: 'c' }\n}\n\
             output o string = r.?properties!.x ?? a[^1]\n\
             type t = { a: string?, *: int }[]\n\
             func f(a int) int => a + 1\n\
             var l = map(xs, (x, i) => {\n ...x\n i: i\n})\n\
             module m './m.bicep' = [for (x, i) in range(0, 2): {\n name: 'm${i}'\n}]\n\
             import { a\n b } from 'x.bicep'\n\
             var t2 = c\n  ? 'a'\n  : 'b'\n",
        );
        assert_eq!(f.decls.len(), 10);
    }

    #[test]
    fn newline_separates_items_and_errors_have_positions() {
        let f = parse_ok("var a = [\n 1\n -2\n]");
        match &f.decls[0].kind {
            DeclKind::Var(
                _,
                Expr {
                    kind: ExprKind::Array(items),
                    ..
                },
            ) => assert_eq!(items.len(), 2),
            other => panic!("{other:?}"),
        }
        let e = parse_err("param a string\nvar = 1\n");
        assert_eq!(e.span.start, 19);
        let deep = format!("var x = {}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(parse_err(&deep).message.contains("nesting"));
    }
}
