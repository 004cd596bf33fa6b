//! Comment scanning per syntax: where the comments and code brackets of a file are, skipping
//! strings, templates and heredocs.

/// Comment syntax of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Terraform HCL: `#`, `//`, `/* */`, strings with `${}` templates, heredocs.
    Hcl,
    /// JSON with comments: `//`, `/* */`.
    Json,
    /// Bicep: `//`, `/* */`, and `#disable-next-line` directives naming agwlint rules.
    Bicep,
}

/// The comment syntax of a file by its extension; `None` for files never scanned.
pub fn syntax_of(path: &str) -> Option<Syntax> {
    let p = path.to_ascii_lowercase();
    if p.ends_with(".json") || p.ends_with(".jsonc") {
        Some(Syntax::Json)
    } else if p.ends_with(".tf") || p.ends_with(".tfvars") || p.ends_with(".hcl") {
        Some(Syntax::Hcl)
    } else if p.ends_with(".bicep") || p.ends_with(".bicepparam") {
        Some(Syntax::Bicep)
    } else {
        None
    }
}

/// One comment: its byte range and the range of its text without the markers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Comment {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) body: (usize, usize),
}

/// The comments and code brackets of a file, in order.
#[derive(Debug, Default)]
pub(super) struct Scan {
    pub(super) comments: Vec<Comment>,
    /// Offsets of brackets in code, `true` for an opening one.
    pub(super) brackets: Vec<(usize, bool)>,
}

#[derive(Clone, Copy)]
enum Ctx {
    Code,
    Str,
    Interp(u32),
}

/// Finds comments and code brackets, skipping strings (with HCL `${}` / `%{}` templates,
/// which may nest strings) and heredocs. Never fails: an unterminated string ends at its line.
pub(super) fn scan(text: &str, syntax: Syntax) -> Scan {
    if syntax == Syntax::Bicep {
        return scan_bicep(text);
    }
    let b = text.as_bytes();
    let n = b.len();
    let hcl = syntax == Syntax::Hcl;
    let mut out = Scan::default();
    let mut stack: Vec<Ctx> = vec![Ctx::Code];
    let mut i = 0;
    while i < n {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match stack.last().copied().unwrap_or(Ctx::Code) {
            Ctx::Str => {
                match c {
                    b'\\' => i += 1,
                    b'"' | b'\n' => {
                        stack.pop();
                    }
                    b'$' | b'%' if hcl && next == Some(b'{') && !(i > 0 && b[i - 1] == c) => {
                        stack.push(Ctx::Interp(0));
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
            }
            ctx @ (Ctx::Code | Ctx::Interp(_)) => {
                let in_code = matches!(ctx, Ctx::Code);
                if (hcl && c == b'#') || (c == b'/' && next == Some(b'/')) {
                    let body = i + if c == b'#' { 1 } else { 2 };
                    let end = memchr_nl(b, i).unwrap_or(n);
                    if in_code {
                        out.comments.push(Comment {
                            start: i,
                            end,
                            body: (body.min(end), end),
                        });
                    }
                    i = end;
                    continue;
                }
                if c == b'/' && next == Some(b'*') {
                    let close = text[i + 2..].find("*/").map(|p| i + 2 + p);
                    let (body_end, end) = close.map_or((n, n), |p| (p, p + 2));
                    if in_code {
                        out.comments.push(Comment {
                            start: i,
                            end,
                            body: (i + 2, body_end),
                        });
                    }
                    i = end;
                    continue;
                }
                if hcl
                    && in_code
                    && c == b'<'
                    && next == Some(b'<')
                    && let Some(after) = heredoc_end(text, i)
                {
                    i = after;
                    continue;
                }
                match (c, ctx) {
                    (b'"', _) => stack.push(Ctx::Str),
                    (b'{' | b'[' | b'(', Ctx::Code) => out.brackets.push((i, true)),
                    (b'}' | b']' | b')', Ctx::Code) => out.brackets.push((i, false)),
                    (b'{', Ctx::Interp(d)) => {
                        stack.pop();
                        stack.push(Ctx::Interp(d + 1));
                    }
                    (b'}', Ctx::Interp(d)) => {
                        stack.pop();
                        if d > 0 {
                            stack.push(Ctx::Interp(d - 1));
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
    }
    out
}

fn memchr_nl(b: &[u8], from: usize) -> Option<usize> {
    b[from..].iter().position(|&c| c == b'\n').map(|p| from + p)
}

/// If `<<` at `at` opens a heredoc (`<<EOF` / `<<-EOF` then end of line), the offset just
/// after its closing marker line (or the end of the text).
fn heredoc_end(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at + 2..];
    let rest_trim = rest.strip_prefix('-').unwrap_or(rest);
    let ident_len = rest_trim
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count();
    if ident_len == 0 {
        return None;
    }
    let ident = &rest_trim[..ident_len];
    let after_ident = &rest_trim[ident_len..];
    let line_end = after_ident.find('\n')?;
    if !after_ident[..line_end].trim().is_empty() {
        return None;
    }
    let body_start = text.len() - after_ident.len() + line_end + 1;
    let mut pos = body_start;
    for line in text[body_start..].split_inclusive('\n') {
        pos += line.len();
        if line.trim() == ident {
            return Some(pos);
        }
    }
    Some(text.len())
}

/// Bicep comments, directives and code brackets, from the Bicep lexer.
fn scan_bicep(text: &str) -> Scan {
    use crate::frontend::bicep::lexer::{Tk, lex};
    let lexed = lex(text);
    let mut out = Scan::default();
    for t in &lexed.trivia {
        let (start, end) = (t.span.start, t.span.end);
        let body = if t.directive {
            (start + 1, end)
        } else if text[start..].starts_with("/*") {
            (
                start + 2,
                if text[..end].ends_with("*/") && end >= start + 4 {
                    end - 2
                } else {
                    end
                },
            )
        } else {
            (start + 2, end)
        };
        out.comments.push(Comment { start, end, body });
    }
    for t in &lexed.tokens {
        match t.kind {
            Tk::Punct("{" | "[" | "(") => out.brackets.push((t.span.start, true)),
            Tk::Punct("}" | "]" | ")") => out.brackets.push((t.span.start, false)),
            _ => {}
        }
    }
    out
}
