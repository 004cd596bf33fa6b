//! Inline suppressions, read from the source text and applied to findings, independent of the
//! front-ends:
//!
//! * comments `# agwlint-ignore AGW010, AGW016: reason` (also `//` and `/* */`; in JSON only
//!   the latter two, where the file has comments). A comment on its own line covers the
//!   construct that starts on the next line: that line and, when a `{`, `[` or `(` opens on it,
//!   everything up to the matching close (found by bracket matching that skips strings,
//!   comments and heredocs). A comment at the end of a line covers that line and the block
//!   opened on it. `agwlint-ignore-file` covers the whole file;
//! * ARM `"metadata": { "agwlint": { "ignore": { "AGW010": "reason" } } }` on a resource,
//!   which the ARM front-end stores in [`Resource::suppressions`]: it covers findings whose
//!   `resource` label is the resource's.
//!
//! A suppression must name rule IDs or names. One that silences nothing is reported as
//! [`AGW900`] at the rule it names (only when that rule is enabled).

use std::collections::HashMap;
use std::ops::Range;

use crate::config::RuleSettings;
use crate::finding::{Finding, Severity};
use crate::model::{Model, Resource};
use crate::rules::{self, RuleMeta};
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// AGW900: a suppression that silences nothing. Not a [`rules::Rule`]; [`apply`] emits it.
pub static AGW900: RuleMeta = RuleMeta {
    id: "AGW900",
    name: "unused-suppression",
    severity: Severity::Info,
    summary: "An agwlint-ignore comment or metadata suppression silences no finding",
    page: include_str!("../rules/AGW900.md"),
};

/// The word that starts a suppression comment.
pub const KEYWORD: &str = "agwlint-ignore";
/// The word that starts a file-wide suppression comment.
pub const KEYWORD_FILE: &str = "agwlint-ignore-file";

/// Comment syntax of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Terraform HCL: `#`, `//`, `/* */`, strings with `${}` templates, heredocs.
    Hcl,
    /// JSON with comments: `//`, `/* */`.
    Json,
}

/// The comment syntax of a file by its extension; `None` for files never scanned.
pub fn syntax_of(path: &str) -> Option<Syntax> {
    let p = path.to_ascii_lowercase();
    if p.ends_with(".json") || p.ends_with(".jsonc") {
        Some(Syntax::Json)
    } else if p.ends_with(".tf") || p.ends_with(".tfvars") || p.ends_with(".hcl") {
        Some(Syntax::Hcl)
    } else {
        None
    }
}

/// A rule named in a suppression comment.
#[derive(Debug, Clone)]
pub struct NamedRule {
    /// The rule, when the text names one.
    pub meta: Option<&'static RuleMeta>,
    /// The text as written.
    pub text: String,
    /// Byte range of the text in the file.
    pub range: Range<usize>,
}

/// One suppression comment.
#[derive(Debug, Clone)]
pub struct Directive {
    /// Byte range of the comment.
    pub comment: Range<usize>,
    /// The rules it names.
    pub rules: Vec<NamedRule>,
    /// The reason after `:`.
    pub reason: Option<String>,
    /// Byte range covered (a finding is covered when its primary span starts inside); `None`
    /// when the comment is followed by nothing it could cover.
    pub scope: Option<Range<usize>>,
    /// `agwlint-ignore-file`.
    pub file_wide: bool,
}

#[derive(Debug, Clone, Copy)]
struct Comment {
    start: usize,
    end: usize,
    body: (usize, usize),
}

#[derive(Debug, Default)]
struct Scan {
    comments: Vec<Comment>,
    /// Offsets of brackets in code, `true` for an opening one.
    brackets: Vec<(usize, bool)>,
}

#[derive(Clone, Copy)]
enum Ctx {
    Code,
    Str,
    Interp(u32),
}

/// Finds comments and code brackets, skipping strings (with HCL `${}` / `%{}` templates,
/// which may nest strings) and heredocs. Never fails: an unterminated string ends at its line.
fn scan(text: &str, syntax: Syntax) -> Scan {
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

/// Parses the suppression directives of a file.
pub fn directives(file: &SourceFile, syntax: Syntax) -> Vec<Directive> {
    let text: &str = &file.text;
    if !text.contains(KEYWORD) {
        return Vec::new();
    }
    let sc = scan(text, syntax);
    let mut out = Vec::new();
    for c in &sc.comments {
        let body = &text[c.body.0..c.body.1];
        let lead = body.len() - body.trim_start().len();
        let trimmed = &body[lead..];
        let (file_wide, kw_len) = if trimmed.starts_with(KEYWORD_FILE) {
            (true, KEYWORD_FILE.len())
        } else if trimmed.starts_with(KEYWORD) {
            (false, KEYWORD.len())
        } else {
            continue;
        };
        let after = &trimmed[kw_len..];
        if !(after.is_empty() || after.starts_with(|ch: char| ch.is_whitespace() || ch == ':')) {
            continue;
        }
        let list_start = c.body.0 + lead + kw_len;
        let (list, reason) = match after.split_once(':') {
            Some((l, r)) => (l, Some(r.trim()).filter(|r| !r.is_empty())),
            None => (after, None),
        };
        let mut named = Vec::new();
        let mut tok_start: Option<usize> = None;
        for (i, ch) in list
            .char_indices()
            .chain(std::iter::once((list.len(), ',')))
        {
            let sep = ch == ',' || ch.is_whitespace();
            match (sep, tok_start) {
                (true, Some(s)) => {
                    let tok = &list[s..i];
                    named.push(NamedRule {
                        meta: rules::find_meta(tok),
                        text: tok.to_string(),
                        range: list_start + s..list_start + i,
                    });
                    tok_start = None;
                }
                (false, None) => tok_start = Some(i),
                _ => {}
            }
        }
        let scope = if file_wide {
            Some(0..text.len())
        } else {
            scope_of(file, &sc, c)
        };
        out.push(Directive {
            comment: c.start..c.end,
            rules: named,
            reason: reason.map(str::to_string),
            scope,
            file_wide,
        });
    }
    out
}

/// What a (non file-wide) comment covers.
fn scope_of(file: &SourceFile, sc: &Scan, c: &Comment) -> Option<Range<usize>> {
    let text: &str = &file.text;
    let line = file.line_index(c.start);
    let before = &text[file.line_start(line)..c.start];
    let target = if before.trim().is_empty() {
        // Own line: the next line that is not only a comment; a blank line stops.
        let mut l = file.line_index(c.end) + 1;
        loop {
            if l >= file.line_count() {
                return None;
            }
            let start = file.line_start(l);
            let content = &text[start..file.line_start(l + 1).max(start)];
            let lead = content.len() - content.trim_start().len();
            if content.trim().is_empty() {
                return None;
            }
            let first = start + lead;
            match comment_at(sc, first) {
                Some(cm) => l = file.line_index(cm.end).max(l) + 1,
                None => break l,
            }
        }
    } else {
        line
    };
    let p = file.line_start(target);
    let mut end = file.line_start(target + 1);
    let mut depth = 0usize;
    let first = sc.brackets.partition_point(|&(o, _)| o < p);
    for &(off, open) in &sc.brackets[first..] {
        if depth == 0 && off >= end {
            break;
        }
        if open {
            depth += 1;
        } else {
            if depth == 0 {
                break;
            }
            depth -= 1;
            if depth == 0 {
                end = end.max(file.line_start(file.line_index(off) + 1));
            }
        }
    }
    if depth > 0 {
        end = text.len();
    }
    Some(p..end.max(p))
}

fn comment_at(sc: &Scan, off: usize) -> Option<&Comment> {
    let i = sc.comments.partition_point(|c| c.start <= off);
    let c = sc.comments.get(i.checked_sub(1)?)?;
    (c.start <= off && off < c.end.max(c.start + 1)).then_some(c)
}

/// What applying suppressions did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings removed.
    pub suppressed: usize,
    /// One `--verbose` note per suppressed finding, with the reason.
    pub notes: Vec<String>,
}

/// Every resource header of the model.
pub fn resources(model: &Model) -> Vec<&Resource> {
    let mut v: Vec<&Resource> = Vec::new();
    v.extend(model.gateways.iter().map(|r| &r.res));
    v.extend(model.sites.iter().map(|r| &r.res));
    v.extend(model.plans.iter().map(|r| &r.res));
    v.extend(model.vnets.iter().map(|r| &r.res));
    v.extend(model.subnets.iter().map(|r| &r.res));
    v.extend(model.nsgs.iter().map(|r| &r.res));
    v.extend(model.route_tables.iter().map(|r| &r.res));
    v.extend(model.private_endpoints.iter().map(|r| &r.res));
    v.extend(model.dns_zones.iter().map(|r| &r.res));
    v.extend(model.public_ips.iter().map(|r| &r.res));
    v.extend(model.diagnostic_settings.iter().map(|r| &r.res));
    v.extend(model.waf_policies.iter().map(|r| &r.res));
    v.extend(model.nat_gateways.iter().map(|r| &r.res));
    v.extend(model.pool_members.iter().map(|r| &r.res));
    v.extend(model.vnet_gateways.iter().map(|r| &r.res));
    v.extend(model.subnet_users.iter().map(|r| &r.res));
    v
}

struct FileDirectives {
    file: FileId,
    len: usize,
    dirs: Vec<Directive>,
    used: Vec<Vec<bool>>,
}

/// Which suppression covers a finding.
enum Hit {
    Comment(usize, usize, usize),
    Meta(usize, usize),
}

/// Removes suppressed findings and appends AGW900 findings for suppressions that silence
/// nothing (when AGW900 and the named rule are enabled in `settings`).
pub fn apply(
    findings: &mut Vec<Finding>,
    model: &Model,
    sources: &SourceMap,
    settings: &RuleSettings,
) -> Outcome {
    let mut files: Vec<FileDirectives> = Vec::new();
    for i in 0..sources.len() {
        let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
        let Some(f) = sources.get(id) else { continue };
        let Some(syntax) = syntax_of(&f.path) else {
            continue;
        };
        let dirs = directives(&f, syntax);
        if !dirs.is_empty() {
            let used = dirs.iter().map(|d| vec![false; d.rules.len()]).collect();
            files.push(FileDirectives {
                file: id,
                len: f.text.len(),
                dirs,
                used,
            });
        }
    }
    let res: Vec<&Resource> = resources(model)
        .into_iter()
        .filter(|r| !r.suppressions.is_empty())
        .collect();
    let mut meta_used: Vec<Vec<bool>> = res
        .iter()
        .map(|r| vec![false; r.suppressions.len()])
        .collect();
    if files.is_empty() && res.is_empty() {
        return Outcome::default();
    }
    let by_label: HashMap<&str, Vec<usize>> = res.iter().enumerate().fold(
        HashMap::new(),
        |mut m: HashMap<&str, Vec<usize>>, (i, r)| {
            m.entry(r.label.as_str()).or_default().push(i);
            m
        },
    );

    let file_index: HashMap<FileId, usize> = files
        .iter()
        .enumerate()
        .map(|(i, fd)| (fd.file, i))
        .collect();
    let find_hit = |f: &Finding, files: &[FileDirectives]| -> Option<Hit> {
        if let Some(&fi) = file_index.get(&f.primary.file) {
            let fd = &files[fi];
            let at = f.primary.start as usize;
            for (di, d) in fd.dirs.iter().enumerate() {
                // A scope reaching the end of the file also covers a finding at the very end
                // (a parse error at "unexpected end of input").
                let inside = d.scope.as_ref().is_some_and(|s| {
                    s.contains(&at) || (at == s.end && s.end == fd.len && s.start <= at)
                });
                if !inside {
                    continue;
                }
                if let Some(ri) = d
                    .rules
                    .iter()
                    .position(|r| r.meta.is_some_and(|m| m.id == f.rule))
                {
                    return Some(Hit::Comment(fi, di, ri));
                }
            }
        }
        let label = f.resource.as_deref()?;
        let cands = by_label.get(label)?;
        let same_file: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&i| res[i].span.file == f.primary.file)
            .collect();
        let pool = if cands.len() > 1 { &same_file } else { cands };
        for &i in pool {
            for (si, s) in res[i].suppressions.iter().enumerate() {
                if rules::find_meta(&s.rule).is_some_and(|m| m.id == f.rule) {
                    return Some(Hit::Meta(i, si));
                }
            }
        }
        None
    };

    let mut out = Outcome::default();
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        match find_hit(&f, &files) {
            Some(hit) => {
                out.suppressed += 1;
                out.notes.push(note(&f, &hit, &files, &res, sources));
                match hit {
                    Hit::Comment(fi, di, ri) => files[fi].used[di][ri] = true,
                    Hit::Meta(i, si) => meta_used[i][si] = true,
                }
            }
            None => kept.push(f),
        }
    }

    if settings.enabled(AGW900.id) {
        let mut unused = Vec::new();
        // A file read twice (a Terraform module called from two roots) has two ids: a
        // suppression used through either copy is used, and is reported once at most.
        let mut seen: std::collections::HashSet<(String, usize)> = files
            .iter()
            .flat_map(|fd| {
                let path = sources.path(fd.file);
                fd.dirs.iter().zip(&fd.used).flat_map(move |(d, used)| {
                    let path = path.clone();
                    d.rules
                        .iter()
                        .zip(used)
                        .filter(|(_, u)| **u)
                        .map(move |(r, _)| (path.clone(), r.range.start))
                })
            })
            .collect();
        for fd in &files {
            let path = sources.path(fd.file);
            for (di, d) in fd.dirs.iter().enumerate() {
                if d.rules.is_empty() {
                    let span = Span::new(fd.file, d.comment.clone());
                    if seen.insert((path.clone(), d.comment.start)) {
                        unused.push(unused_finding(
                            "suppression names no rule".to_string(),
                            span,
                            "name the rule IDs, e.g. `agwlint-ignore AGW010: reason`",
                            (None, "agwlint-ignore[]".to_string()),
                        ));
                    }
                    continue;
                }
                for (ri, r) in d.rules.iter().enumerate() {
                    let span = Span::new(fd.file, r.range.clone());
                    let key = (path.clone(), r.range.start);
                    match r.meta {
                        None => {
                            if seen.insert(key) {
                                unused.push(unused_finding(
                                    format!("suppression names unknown rule `{}`", r.text),
                                    span,
                                    "use a rule ID or name from `agwlint rules`",
                                    (None, format!("agwlint-ignore[{}]", r.text)),
                                ));
                            }
                        }
                        Some(m) if m.id != AGW900.id => {
                            if !fd.used[di][ri] && settings.enabled(m.id) && seen.insert(key) {
                                unused.push(unused_finding(
                                    format!("suppression of {} silences nothing", m.id),
                                    span,
                                    "remove it, or put it on the line before (or at the end of) \
                                     the block or attribute that has the finding",
                                    (None, format!("agwlint-ignore[{}]", m.id)),
                                ));
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        for (i, r) in res.iter().enumerate() {
            for (si, s) in r.suppressions.iter().enumerate() {
                match rules::find_meta(&s.rule) {
                    None => unused.push(unused_finding(
                        format!("suppression on {} names unknown rule `{}`", r.label, s.rule),
                        s.span,
                        "use a rule ID or name from `agwlint rules`",
                        (
                            Some(r.label.clone()),
                            format!("metadata.agwlint.ignore.{}", s.rule),
                        ),
                    )),
                    Some(m) if m.id != AGW900.id && !meta_used[i][si] && settings.enabled(m.id) => {
                        unused.push(unused_finding(
                            format!("suppression of {} on {} silences nothing", m.id, r.label),
                            s.span,
                            "remove it from the resource's metadata",
                            (
                                Some(r.label.clone()),
                                format!("metadata.agwlint.ignore.{}", m.id),
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        // AGW900 itself can be suppressed (e.g. file-wide), but a suppression of AGW900 that
        // silences nothing is not reported again.
        for f in unused {
            match find_hit(&f, &files) {
                Some(hit) => {
                    out.suppressed += 1;
                    out.notes.push(note(&f, &hit, &files, &res, sources));
                }
                None => kept.push(f),
            }
        }
    }
    *findings = kept;
    out
}

/// An AGW900 finding. Its resource and property (the suppression's rule, never its position)
/// keep baseline fingerprints stable when lines move.
fn unused_finding(
    message: String,
    span: Span,
    help: &str,
    (resource, property): (Option<String>, String),
) -> Finding {
    let mut f = AGW900
        .finding(message, span)
        .label("suppresses nothing")
        .help(help)
        .property(property);
    f.resource = resource;
    f
}

fn note(
    f: &Finding,
    hit: &Hit,
    files: &[FileDirectives],
    res: &[&Resource],
    sources: &SourceMap,
) -> String {
    let at = |s: &Span| {
        sources.span_lines(s).map_or_else(
            || sources.path(s.file),
            |(lc, _)| format!("{}:{}:{}", sources.path(s.file), lc.line, lc.column),
        )
    };
    let (by, reason) = match *hit {
        Hit::Comment(fi, di, _) => {
            let fd = &files[fi];
            let d = &fd.dirs[di];
            (at(&Span::new(fd.file, d.comment.clone())), d.reason.clone())
        }
        Hit::Meta(i, si) => {
            let s = &res[i].suppressions[si];
            (at(&s.span), s.reason.clone())
        }
    };
    format!(
        "{}: {} suppressed by {}{}",
        at(&f.primary),
        f.rule,
        by,
        reason.map(|r| format!(": {r}")).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(text: &str, syntax: Syntax) -> (SourceFile, Vec<Directive>) {
        let f = SourceFile::new("x".into(), text);
        let d = directives(&f, syntax);
        (f, d)
    }

    fn covered(text: &str, syntax: Syntax, needle: &str) -> String {
        let (_, d) = dirs(text, syntax);
        let s = d[0].scope.clone().unwrap();
        assert!(text[s.clone()].contains(needle), "{:?}", &text[s.clone()]);
        text[s].to_string()
    }

    #[test]
    fn own_line_comment_covers_the_next_block_by_brace_matching() {
        let t = "# agwlint-ignore AGW010: platform team\nresource \"a\" \"b\" {\n  x = \"}\" # }\n  y {\n  }\n}\nresource \"c\" \"d\" {}\n";
        let s = covered(t, Syntax::Hcl, "y {");
        assert!(s.ends_with("}\n") && !s.contains("\"c\""), "{s:?}");
    }

    #[test]
    fn trailing_comment_covers_its_line_and_the_block_it_opens() {
        let t = "a = 1 // agwlint-ignore AGW006\nb = 2\nc { # agwlint-ignore AGW010\n  d = 1\n}\ne = 3\n";
        let (_, d) = dirs(t, Syntax::Hcl);
        assert_eq!(
            &t[d[0].scope.clone().unwrap()],
            "a = 1 // agwlint-ignore AGW006\n"
        );
        assert_eq!(
            &t[d[1].scope.clone().unwrap()],
            "c { # agwlint-ignore AGW010\n  d = 1\n}\n"
        );
    }

    #[test]
    fn rules_ids_names_reason_and_block_comment() {
        let t = "/* agwlint-ignore AGW010, empty-backend-pool AGW999: why not */\nx = 1\n";
        let (_, d) = dirs(t, Syntax::Hcl);
        let names: Vec<_> = d[0].rules.iter().map(|r| r.meta.map(|m| m.id)).collect();
        assert_eq!(names, vec![Some("AGW010"), Some("AGW006"), None]);
        assert_eq!(&t[d[0].rules[2].range.clone()], "AGW999");
        assert_eq!(d[0].reason.as_deref(), Some("why not"));
    }

    #[test]
    fn strings_interpolations_and_heredocs_hide_braces_and_hashes() {
        let t = "# agwlint-ignore AGW010\nx = {\n  a = \"${lookup(m, \"}\")} # not a comment\"\n  b = <<EOF\n}\n# agwlint-ignore AGW006\nEOF\n}\nz = 1\n";
        let (_, d) = dirs(t, Syntax::Hcl);
        assert_eq!(d.len(), 1, "{d:?}");
        let s = &t[d[0].scope.clone().unwrap()];
        assert!(s.ends_with("EOF\n}\n"), "{s:?}");
    }

    #[test]
    fn json_ignores_hash_and_matches_brackets() {
        let t = "{\n  \"resources\": [\n    // agwlint-ignore AGW010\n    {\n      \"name\": \"# //x\"\n    },\n    {}\n  ]\n}\n";
        let (_, d) = dirs(t, Syntax::Json);
        assert_eq!(d.len(), 1);
        assert_eq!(
            &t[d[0].scope.clone().unwrap()],
            "    {\n      \"name\": \"# //x\"\n    },\n"
        );
    }

    #[test]
    fn blank_line_after_comment_covers_nothing_and_file_wide_covers_all() {
        let t = "# agwlint-ignore AGW010\n\nx = 1\n# agwlint-ignore-file AGW006\n";
        let (_, d) = dirs(t, Syntax::Hcl);
        assert_eq!(d[0].scope, None);
        assert!(d[1].file_wide);
        assert_eq!(d[1].scope, Some(0..t.len()));
    }

    #[test]
    fn stacked_comments_reach_the_block() {
        let t = "# agwlint-ignore AGW010\n# agwlint-ignore AGW006\nb {\n}\n";
        let (_, d) = dirs(t, Syntax::Hcl);
        assert_eq!(&t[d[0].scope.clone().unwrap()], "b {\n}\n");
        assert_eq!(&t[d[1].scope.clone().unwrap()], "b {\n}\n");
    }

    #[test]
    fn mentions_that_are_not_directives_are_ignored() {
        let t = "# see agwlint-ignore docs\n# agwlint-ignored\nx = \"# agwlint-ignore AGW010\"\n";
        let (_, d) = dirs(t, Syntax::Hcl);
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn unclosed_blocks_and_odd_input_do_not_panic() {
        for t in [
            "# agwlint-ignore AGW010\nx {\n",
            "# agwlint-ignore",
            "/* agwlint-ignore AGW010",
            "x = \"# agwlint-ignore AGW010",
            "# agwlint-ignore AGW010\n<<EOF\n",
            "# agwlint-ignore AGW010\n}}}]]\n",
            "é # agwlint-ignore AGW010: é\n",
        ] {
            let _ = dirs(t, Syntax::Hcl);
            let _ = dirs(t, Syntax::Json);
        }
        let deep = format!("# agwlint-ignore AGW010\n{}", "{".repeat(100_000));
        assert_eq!(dirs(&deep, Syntax::Hcl).1.len(), 1);
    }
}
