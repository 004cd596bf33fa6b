//! Directive parsing: `agwlint-ignore` comments, the rules they name, and what each covers.

use std::ops::Range;

use super::scan::{Comment, Scan, Syntax, scan};
use super::{KEYWORD, KEYWORD_FILE};
use crate::rules::{self, RuleMeta};
use crate::source::SourceFile;

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

/// Bicep's directive, `#disable-next-line AGW010 ...`, read as a suppression of the agwlint
/// rules it names (its body after `#`).
const BICEP_DIRECTIVE: &str = "disable-next-line";

/// Parses the suppression directives of a file.
pub fn directives(file: &SourceFile, syntax: Syntax) -> Vec<Directive> {
    let text: &str = &file.text;
    let has = crate::source::has;
    if !(has(text, KEYWORD) || syntax == Syntax::Bicep && has(text, BICEP_DIRECTIVE)) {
        return Vec::new();
    }
    let sc = scan(text, syntax);
    let mut out = Vec::new();
    for c in &sc.comments {
        let body = &text[c.body.0..c.body.1];
        let lead = body.len() - body.trim_start().len();
        let trimmed = &body[lead..];
        let bicep_directive = syntax == Syntax::Bicep && trimmed.starts_with(BICEP_DIRECTIVE);
        let (file_wide, kw_len) = if bicep_directive {
            (false, BICEP_DIRECTIVE.len())
        } else if trimmed.starts_with(KEYWORD_FILE) {
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
        if bicep_directive {
            // Bicep's own directive also names its linter's codes: only agwlint rules count,
            // and a directive naming none is not ours.
            named.retain(|n| n.meta.is_some());
            if named.is_empty() {
                continue;
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
