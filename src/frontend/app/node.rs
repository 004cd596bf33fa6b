//! Node.js v4 programming model (JavaScript and TypeScript): functions registered with
//! `app.http('name', { route, authLevel, methods, handler })` or the method shorthands
//! `app.get`, `app.post`, `app.put`, `app.patch`, `app.deleteRequest` from
//! `@azure/functions`.
//!
//! Read with a small tokenizer (strings, template literals, comments, regular expressions)
//! and a pattern over the tokens, not a full JavaScript parser: only literal values are
//! Known. A name, route, level or method list computed at run time (a variable, a spread,
//! a template with `${}`) is Unknown, and a registration whose options are not an object
//! literal leaves every option Unknown. A file the tokenizer cannot follow is not clean, so the
//! app's surface counts as incomplete and no "no route matches" verdict is drawn from it.

use super::csharp::Read;
use crate::model::{AuthLevel, HttpFunction, ProgModel, Val};
use crate::source::{FileId, Span};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok<'s> {
    Ident(&'s str),
    /// A string literal's value (`None` when it has escapes or `${}` and is not modelled).
    Str(Option<&'s str>),
    Punct(char),
    /// Numbers, regular expressions, and other operands.
    Other,
}

pub(super) struct Token<'s> {
    pub(super) tok: Tok<'s>,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Reads one JavaScript or TypeScript file.
pub fn read(source: &str, file: FileId) -> Read {
    let (toks, clean) = tokenize(source);
    let mut out = Read {
        functions: Vec::new(),
        clean,
    };
    let mut i = 0;
    while i + 3 < toks.len() {
        let registration = matches!(toks[i].tok, Tok::Ident("app"))
            && toks[i + 1].tok == Tok::Punct('.')
            && toks[i + 3].tok == Tok::Punct('(');
        if registration && let Tok::Ident(m) = toks[i + 2].tok {
            let fixed = match m {
                "http" => Some(None),
                "get" => Some(Some("GET")),
                "post" => Some(Some("POST")),
                "put" => Some(Some("PUT")),
                "patch" => Some(Some("PATCH")),
                "deleteRequest" => Some(Some("DELETE")),
                _ => None,
            };
            if let Some(fixed) = fixed {
                if let Some(f) = registration_call(&toks, i + 3, fixed, file) {
                    out.functions.push(f);
                }
            } else if m == "generic" {
                // `app.generic(...)` may carry an HTTP trigger built with `trigger.http`.
                out.clean = false;
            }
        }
        i += 1;
    }
    out
}

/// Reads `( name , options )` starting at the `(` at `open`.
fn registration_call(
    toks: &[Token<'_>],
    open: usize,
    fixed: Option<&'static str>,
    file: FileId,
) -> Option<HttpFunction> {
    let close = matching(toks, open)?;
    let call_span = Span::new(file, toks[open - 3].start..toks[close].end);
    let args = split_top_level(toks, open + 1, close);
    let sp = |a: usize, b: usize| Span::new(file, toks[a].start..toks[b - 1].end);
    let name = match args.first() {
        Some(&(a, b)) if b == a + 1 => match &toks[a].tok {
            Tok::Str(Some(s)) => Val::known(s.to_string(), sp(a, b)),
            _ => Val::unknown(Some(sp(a, b))),
        },
        Some(&(a, b)) if b > a => Val::unknown(Some(sp(a, b))),
        _ => return None,
    };
    let fixed_methods = |s: Span| match fixed {
        Some(m) => Val::known(vec![m.to_string()], s),
        None => Val::absent(),
    };
    let mut f = HttpFunction {
        name,
        route: Val::absent(),
        auth_level: Val::absent(),
        methods: fixed_methods(call_span),
        span: call_span,
        model: ProgModel::Node,
    };
    let Some(&(a, b)) = args.get(1) else {
        // `app.http('name')` without options is not a registration that runs.
        return None;
    };
    if toks[a].tok != Tok::Punct('{') || matching(toks, a) != Some(b - 1) {
        let handler = matches!(toks[a].tok, Tok::Ident("async" | "function"))
            || (toks[a].tok == Tok::Punct('(') && is_arrow(toks, a, b));
        if fixed.is_some() && handler {
            // `app.get('name', async (req) => ...)`: the handler only, every default applies.
            return Some(f);
        }
        // Options held in a variable or built at run time.
        let s = Some(sp(a, b));
        f.route = Val::unknown(s);
        f.auth_level = Val::unknown(s);
        if fixed.is_none() {
            f.methods = Val::unknown(s);
        }
        return Some(f);
    }
    let mut spread = None;
    for (pa, pb) in split_top_level(toks, a + 1, b - 1) {
        if pb <= pa {
            continue;
        }
        if toks[pa].tok == Tok::Punct('.') {
            // `...defaults`: any option not written after it may come from it.
            spread = Some(sp(pa, pb));
            continue;
        }
        let key = match &toks[pa].tok {
            Tok::Ident(k) | Tok::Str(Some(k)) => *k,
            _ => continue,
        };
        if pa + 1 >= pb || toks[pa + 1].tok != Tok::Punct(':') {
            // Shorthand (`handler`, `route`): a variable.
            let s = Some(sp(pa, pb));
            match key {
                "route" => f.route = Val::unknown(s),
                "authLevel" => f.auth_level = Val::unknown(s),
                "methods" if fixed.is_none() => f.methods = Val::unknown(s),
                _ => {}
            }
            continue;
        }
        let (va, vb) = (pa + 2, pb);
        if va >= vb {
            continue;
        }
        let vspan = sp(va, vb);
        let single_str = || match (&toks[va].tok, vb == va + 1) {
            (Tok::Str(Some(s)), true) => Some(s.to_string()),
            _ => None,
        };
        let undefined = vb == va + 1 && matches!(toks[va].tok, Tok::Ident("undefined"));
        match key {
            "route" => {
                f.route = if undefined {
                    Val::absent()
                } else {
                    single_str().map_or_else(|| Val::unknown(Some(vspan)), |s| Val::known(s, vspan))
                }
            }
            "authLevel" => {
                f.auth_level = if undefined {
                    Val::absent()
                } else {
                    single_str()
                        .and_then(|s| AuthLevel::parse(&s))
                        .map_or_else(|| Val::unknown(Some(vspan)), |l| Val::known(l, vspan))
                }
            }
            "methods" if fixed.is_none() => {
                f.methods = if undefined {
                    Val::absent()
                } else {
                    methods(toks, va, vb)
                        .map_or_else(|| Val::unknown(Some(vspan)), |m| Val::known(m, vspan))
                }
            }
            _ => {}
        }
    }
    if let Some(s) = spread {
        if f.route.is_absent() {
            f.route = Val::unknown(Some(s));
        }
        if f.auth_level.is_absent() {
            f.auth_level = Val::unknown(Some(s));
        }
        if fixed.is_none() && f.methods.is_absent() {
            f.methods = Val::unknown(Some(s));
        }
    }
    Some(f)
}

/// `['GET', 'POST']`: upper-cased; `None` unless every element is a plain string.
fn methods(toks: &[Token<'_>], a: usize, b: usize) -> Option<Vec<String>> {
    if toks[a].tok != Tok::Punct('[') || matching(toks, a) != Some(b - 1) {
        return None;
    }
    let mut out = Vec::new();
    for (ea, eb) in split_top_level(toks, a + 1, b - 1) {
        if eb <= ea {
            continue;
        }
        match (&toks[ea].tok, eb == ea + 1) {
            (Tok::Str(Some(s)), true) => out.push(s.to_ascii_uppercase()),
            _ => return None,
        }
    }
    Some(out)
}

/// Whether the tokens `a..b` starting with `(` are an arrow function `(...) => ...`.
fn is_arrow(toks: &[Token<'_>], a: usize, b: usize) -> bool {
    matching(toks, a).is_some_and(|c| {
        let mut k = c + 1;
        // A TypeScript return type annotation: `(req): Promise<HttpResponseInit> =>`.
        while k < b && toks[k].tok != Tok::Punct('=') {
            k += 1;
        }
        k + 1 < b && toks[k + 1].tok == Tok::Punct('>')
    })
}

/// The index of the bracket closing the one at `open`.
pub(super) fn matching(toks: &[Token<'_>], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// The comma-separated parts of `a..b` at bracket depth 0, as token ranges.
pub(super) fn split_top_level(toks: &[Token<'_>], a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = a;
    for (k, t) in toks.iter().enumerate().take(b).skip(a) {
        match t.tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
            Tok::Punct(',') if depth == 0 => {
                out.push((start, k));
                start = k + 1;
            }
            _ => {}
        }
    }
    if start < b {
        out.push((start, b));
    }
    out
}

/// Splits a JavaScript/TypeScript source into tokens; the flag is false when a string,
/// template, comment or regular expression does not end (the rest is then not followed).
pub(super) fn tokenize(src: &str) -> (Vec<Token<'_>>, bool) {
    let b = src.as_bytes();
    let mut toks: Vec<Token<'_>> = Vec::new();
    let mut i = 0;
    // Open `${` of template literals: the brace depth at which each one closes.
    let mut templates: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            match src[i + 2..].find("*/") {
                Some(e) => i = i + 2 + e + 2,
                None => return (toks, false),
            }
            continue;
        }
        let start = i;
        if src[i..].starts_with("\"\"\"") {
            // A Java or Kotlin text block: not modelled.
            match src[i + 3..].find("\"\"\"") {
                Some(e) => {
                    toks.push(Token {
                        tok: Tok::Str(None),
                        start,
                        end: i + 3 + e + 3,
                    });
                    i = i + 3 + e + 3;
                }
                None => return (toks, false),
            }
            continue;
        }
        if c == b'"' || c == b'\'' {
            let mut j = i + 1;
            let mut escaped = false;
            loop {
                match b.get(j) {
                    None | Some(b'\n') => return (toks, false),
                    Some(&x) if x == c => break,
                    Some(b'\\') => {
                        escaped = true;
                        j += 2;
                    }
                    Some(_) => j += 1,
                }
            }
            let value = (!escaped).then(|| &src[i + 1..j]);
            toks.push(Token {
                tok: Tok::Str(value),
                start,
                end: j + 1,
            });
            i = j + 1;
            continue;
        }
        if c == b'`' || (c == b'}' && templates.last() == Some(&depth)) {
            // A template literal, or the rest of one after a `${...}`.
            let resumed = c == b'}';
            if resumed {
                templates.pop();
            }
            let mut j = i + 1;
            let mut interpolated = resumed;
            loop {
                match b.get(j) {
                    None => return (toks, false),
                    Some(b'`') => {
                        j += 1;
                        break;
                    }
                    Some(b'\\') => j += 2,
                    Some(b'$') if b.get(j + 1) == Some(&b'{') => {
                        interpolated = true;
                        templates.push(depth);
                        j += 2;
                        break;
                    }
                    Some(_) => j += 1,
                }
            }
            let whole = !interpolated && !src[i + 1..j - 1].contains('\\');
            if resumed {
                // The tail of a template: the token opened at its start stays Unknown.
                i = j;
                continue;
            }
            toks.push(Token {
                tok: Tok::Str(whole.then(|| &src[i + 1..j - 1])),
                start,
                end: j,
            });
            i = j;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 {
            let mut j = i;
            while j < b.len()
                && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'$' || b[j] >= 0x80)
            {
                j += 1;
            }
            toks.push(Token {
                tok: Tok::Ident(&src[i..j]),
                start,
                end: j,
            });
            i = j;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'.' || b[j] == b'_') {
                j += 1;
            }
            toks.push(Token {
                tok: Tok::Other,
                start,
                end: j,
            });
            i = j;
            continue;
        }
        if c == b'/' && regex_allowed(toks.last()) {
            let mut j = i + 1;
            let mut class = false;
            loop {
                match b.get(j) {
                    None | Some(b'\n') => return (toks, false),
                    Some(b'\\') => j += 2,
                    Some(b'[') => {
                        class = true;
                        j += 1;
                    }
                    Some(b']') => {
                        class = false;
                        j += 1;
                    }
                    Some(b'/') if !class => break,
                    Some(_) => j += 1,
                }
            }
            j += 1;
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            toks.push(Token {
                tok: Tok::Other,
                start,
                end: j,
            });
            i = j;
            continue;
        }
        match c {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        // Multi-byte characters outside strings and identifiers are skipped whole.
        let len = src[i..].chars().next().map_or(1, char::len_utf8);
        toks.push(Token {
            tok: Tok::Punct(c as char),
            start,
            end: i + len,
        });
        i += len;
    }
    (toks, templates.is_empty())
}

/// Whether a `/` after this token starts a regular expression (not a division).
fn regex_allowed(prev: Option<&Token<'_>>) -> bool {
    match prev.map(|t| &t.tok) {
        None => true,
        Some(Tok::Punct(p)) => !matches!(p, ')' | ']' | '}'),
        Some(Tok::Ident(k)) => matches!(
            *k,
            "return"
                | "typeof"
                | "case"
                | "do"
                | "else"
                | "in"
                | "of"
                | "new"
                | "delete"
                | "void"
                | "throw"
                | "yield"
                | "await"
        ),
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = r#"
import { app, HttpRequest, HttpResponseInit } from '@azure/functions';

// app.http('commented', { route: 'nope' });
app.http('health', {
    methods: ['GET'],
    authLevel: 'anonymous',
    route: 'health',
    handler: async (req: HttpRequest): Promise<HttpResponseInit> => ({ body: `ok ${1 / 2}` }),
});

app.http('items', {
    route: 'items/{id}',
    authLevel: 'function',
    handler,
});

app.get('ping', async (req) => ({ body: /a\/b/.test('x') ? 'y' : 'z' }));

app.post('orders', { route: `orders/${region}`, handler });

app.http('spread', { ...common, handler });

app.deleteRequest("gone", opts);
"#;

    #[test]
    fn registrations_routes_levels_and_methods() {
        let r = read(APP, FileId(0));
        assert!(r.clean);
        let names: Vec<_> = r
            .functions
            .iter()
            .map(|f| f.name.get().cloned().unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            ["health", "items", "ping", "orders", "spread", "gone"]
        );
        let h = &r.functions[0];
        assert_eq!(h.effective_route(), Some("health"));
        assert_eq!(h.effective_auth(), Some(AuthLevel::Anonymous));
        assert_eq!(h.allows("POST"), Some(false));
        let i = &r.functions[1];
        assert_eq!(i.effective_auth(), Some(AuthLevel::Function));
        let span = i.auth_level.span.unwrap();
        assert_eq!(&APP[span.range()], "'function'");
        assert_eq!(i.allows("POST"), Some(true));
        assert_eq!(i.allows("PUT"), Some(false));
        let p = &r.functions[2];
        assert_eq!(p.effective_route(), Some("ping"));
        assert_eq!(p.effective_auth(), Some(AuthLevel::Anonymous));
        assert_eq!(p.allows("GET"), Some(true));
        assert_eq!(p.allows("POST"), Some(false));
        let o = &r.functions[3];
        assert_eq!(o.effective_route(), None);
        assert_eq!(o.allows("POST"), Some(true));
        let s = &r.functions[4];
        assert_eq!(s.effective_route(), None);
        assert_eq!(s.effective_auth(), None);
        assert_eq!(s.allows("GET"), None);
        let g = &r.functions[5];
        assert_eq!(g.effective_route(), None);
        assert_eq!(g.effective_auth(), None);
        assert_eq!(g.allows("DELETE"), Some(true));
    }

    #[test]
    fn unterminated_input_is_not_clean_and_never_panics() {
        for src in [
            "app.http('a', { route: 'x",
            "app.http(`a${",
            "/* open",
            "const r = /abc",
            "app.http(",
            "app.http('a', {",
            "}}}`",
            "é app . http ( 'é' , { route : 'é' } )",
        ] {
            let r = read(src, FileId(0));
            for f in &r.functions {
                let _ = f.effective_route();
            }
        }
        assert!(!read("app.http('a', { route: 'x", FileId(0)).clean);
        assert!(!read("app.generic('a', { trigger })", FileId(0)).clean);
        let r = read("é app . http ( 'é' , { route : 'é' } )", FileId(0));
        assert_eq!(r.functions[0].effective_route(), Some("é"));
    }
}
