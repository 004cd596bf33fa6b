//! Hover (the rule page of the diagnostics under the cursor) and code actions (a suppression
//! comment in the file's own syntax; the mechanical fix a diagnostic carries).

// `lsp_types::Uri` hashes and compares its text only; its cached parse data is a `Cell`.
#![allow(clippy::mutable_key_type)]

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, Hover, HoverContents,
    MarkupContent, MarkupKind, NumberOrString, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

use crate::suppress::{KEYWORD, Syntax, syntax_of};

/// The placeholder for the reason of an inserted suppression.
pub const REASON_PLACEHOLDER: &str = "<reason>";

fn contains(r: &Range, p: Position) -> bool {
    (r.start.line, r.start.character) <= (p.line, p.character)
        && (p.line, p.character) <= (r.end.line, r.end.character)
}

fn rule_of(d: &Diagnostic) -> Option<&str> {
    if d.source.as_deref() != Some(super::convert::SOURCE) {
        return None;
    }
    match &d.code {
        Some(NumberOrString::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// The hover at `pos`: the pages of the rules of the diagnostics whose range contains it.
pub fn hover(diags: &[Diagnostic], pos: Position) -> Option<Hover> {
    let mut pages: Vec<&str> = Vec::new();
    let mut range: Option<Range> = None;
    for d in diags.iter().filter(|d| contains(&d.range, pos)) {
        let Some(meta) = rule_of(d).and_then(crate::rules::find_meta) else {
            continue;
        };
        if !pages.contains(&meta.page) {
            pages.push(meta.page);
        }
        range.get_or_insert(d.range);
    }
    if pages.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: pages.join("\n\n---\n\n"),
        }),
        range,
    })
}

/// The suppression comment for `rule` in a file of this syntax, indented like `line`.
pub fn suppression_line(syntax: Syntax, rule: &str, line: &str) -> String {
    let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
    let marker = match syntax {
        Syntax::Hcl => "#",
        Syntax::Json | Syntax::Bicep => "//",
    };
    format!("{indent}{marker} {KEYWORD} {rule}: {REASON_PLACEHOLDER}\n")
}

/// The code actions for the agwlint diagnostics of a request: for each, a suppression comment
/// on the line above (files with comment syntax) and its mechanical fix when it has one.
pub fn code_actions(
    uri: &Uri,
    path: &str,
    text: Option<&str>,
    diags: &[Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    for d in diags {
        let Some(rule) = rule_of(d) else { continue };
        if let Some(fix) = d.data.as_ref().and_then(|v| v.get("fix"))
            && let (Some(title), Ok(range), Some(new_text)) = (
                fix.get("title").and_then(serde_json::Value::as_str),
                serde_json::from_value::<Range>(fix.get("range").cloned().unwrap_or_default()),
                fix.get("newText").and_then(serde_json::Value::as_str),
            )
        {
            out.push(action(
                title.to_string(),
                uri,
                TextEdit {
                    range,
                    new_text: new_text.to_string(),
                },
                d,
                true,
            ));
        }
        if rule == crate::suppress::AGW900.id
            && let Some(text) = text
            && let Some(range) = unused_comment_line(text, d.range.start.line)
        {
            out.push(action(
                "Remove the unused agwlint-ignore comment".to_string(),
                uri,
                TextEdit {
                    range,
                    new_text: String::new(),
                },
                d,
                true,
            ));
        }
        // AGW000 (the file did not parse) and AGW900 (an unused suppression) are not
        // suppressed by a comment.
        if rule == "AGW000" || rule == crate::suppress::AGW900.id {
            continue;
        }
        let (Some(syntax), Some(text)) = (syntax_of(path), text) else {
            continue;
        };
        let line_no = d.range.start.line;
        let line = text
            .split_inclusive('\n')
            .nth(line_no as usize)
            .unwrap_or_default();
        let at = Position {
            line: line_no,
            character: 0,
        };
        out.push(action(
            format!("Suppress {rule} here ({KEYWORD} comment)"),
            uri,
            TextEdit {
                range: Range { start: at, end: at },
                new_text: suppression_line(syntax, rule, line),
            },
            d,
            false,
        ));
    }
    out
}

/// The range of line `line` (with its line break) when it holds only an `agwlint-ignore`
/// comment naming one rule (`# agwlint-ignore AGW010: reason`, also `//`): removing it removes
/// the unused suppression. `None` for a comment after code or naming several rules.
fn unused_comment_line(text: &str, line: u32) -> Option<Range> {
    let l = text.split_inclusive('\n').nth(line as usize)?;
    let body = l.trim();
    let rest = body
        .strip_prefix('#')
        .or_else(|| body.strip_prefix("//"))?
        .trim_start();
    let rest = rest.strip_prefix(KEYWORD)?;
    if rest.starts_with('-') {
        return None; // agwlint-ignore-file
    }
    let rules = rest.split(':').next().unwrap_or_default();
    if rules.trim().is_empty() || rules.contains(',') || rules.split_whitespace().count() != 1 {
        return None;
    }
    Some(Range {
        start: Position { line, character: 0 },
        end: Position {
            line: line + 1,
            character: 0,
        },
    })
}

fn action(
    title: String,
    uri: &Uri,
    edit: TextEdit,
    d: &Diagnostic,
    preferred: bool,
) -> CodeActionOrCommand {
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), vec![edit]);
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![d.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::str::FromStr;

    fn diag(rule: &str, line: u32) -> Diagnostic {
        Diagnostic {
            range: Range {
                start: Position { line, character: 4 },
                end: Position {
                    line,
                    character: 10,
                },
            },
            code: Some(NumberOrString::String(rule.into())),
            source: Some("agwlint".into()),
            ..Diagnostic::default()
        }
    }

    #[test]
    fn suppressions_use_the_file_syntax_and_indentation() {
        assert_eq!(
            suppression_line(Syntax::Hcl, "AGW010", "    pick = false\n"),
            "    # agwlint-ignore AGW010: <reason>\n"
        );
        assert_eq!(
            suppression_line(Syntax::Json, "AGW010", "\t\"a\": 1\n"),
            "\t// agwlint-ignore AGW010: <reason>\n"
        );
    }

    #[test]
    fn code_action_inserts_above_the_diagnostic_line() {
        let uri = Uri::from_str("file:///w/main.tf").unwrap();
        let text = "a {\n  b = 1\n}\n";
        let acts = code_actions(&uri, "/w/main.tf", Some(text), &[diag("AGW010", 1)]);
        assert_eq!(acts.len(), 1);
        let CodeActionOrCommand::CodeAction(a) = &acts[0] else {
            panic!()
        };
        let edits = &a.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
        assert_eq!(edits[0].new_text, "  # agwlint-ignore AGW010: <reason>\n");
        assert_eq!(edits[0].range.start, Position::new(1, 0));
        // No comment syntax (app code), no suppression action.
        assert!(code_actions(&uri, "/w/app.py", Some(text), &[diag("AGW010", 1)]).is_empty());
    }

    #[test]
    fn an_unused_one_rule_comment_line_can_be_removed() {
        let text = "a {\n  # agwlint-ignore AGW010: old\n  b = 1 # agwlint-ignore AGW010\n  // agwlint-ignore AGW010, AGW016: x\n}\n";
        let r = unused_comment_line(text, 1).unwrap();
        assert_eq!((r.start, r.end), (Position::new(1, 0), Position::new(2, 0)));
        assert!(unused_comment_line(text, 2).is_none(), "after code");
        assert!(unused_comment_line(text, 3).is_none(), "two rules");
        assert!(unused_comment_line("# agwlint-ignore-file AGW010\n", 0).is_none());
        let uri = Uri::from_str("file:///w/main.tf").unwrap();
        let acts = code_actions(&uri, "/w/main.tf", Some(text), &[diag("AGW900", 1)]);
        assert_eq!(acts.len(), 1);
        let CodeActionOrCommand::CodeAction(a) = &acts[0] else {
            panic!()
        };
        let edit = &a.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri][0];
        assert_eq!(edit.new_text, "");
    }

    #[test]
    fn hover_shows_the_rule_page() {
        let h = hover(&[diag("AGW010", 1)], Position::new(1, 5)).unwrap();
        let HoverContents::Markup(m) = h.contents else {
            panic!()
        };
        assert!(m.value.contains("AGW010"), "{}", m.value);
        assert!(hover(&[diag("AGW010", 1)], Position::new(2, 5)).is_none());
    }
}
