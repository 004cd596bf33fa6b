//! From findings to LSP diagnostics, and between file paths and `file:` URIs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Position, Range, Uri,
};

use crate::finding::{Finding, Severity};
use crate::source::{SourceMap, Span};

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "agwlint";

/// The `file:` URI of an absolute path (percent-encoded; `None` when it does not parse).
pub fn path_to_uri(p: &Path) -> Option<Uri> {
    let s = uri_path_of(&p.to_string_lossy(), cfg!(windows));
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

/// The path of a `file:` URI (`None` for another scheme or a path that is not UTF-8).
pub fn uri_to_path(u: &Uri) -> Option<PathBuf> {
    let s = u.as_str();
    let rest = s.strip_prefix("file://")?;
    // An authority (`file://localhost/...`) is skipped.
    let path = &rest[rest.find('/')?..];
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let Some(hex) = path.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out)
        .ok()
        .map(|p| PathBuf::from(path_of_uri_path(p, cfg!(windows))))
}

/// The path part of a `file:` URI for a path as the platform writes it (before
/// percent-encoding). On Windows (`windows`): backslashes become slashes, a verbatim prefix
/// (`\\?\C:\`, from canonicalisation) is dropped, and the drive letter is written in lower case
/// as VS Code writes it (`c:/x`, encoded `/c%3A/x`), so the URIs the server publishes match the
/// ones the client sent.
fn uri_path_of(p: &str, windows: bool) -> String {
    if !windows {
        return p.to_string();
    }
    let s = p.replace('\\', "/");
    let s = s.strip_prefix("//?/").unwrap_or(&s);
    let b = s.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        format!("{}{}", char::from(b[0].to_ascii_lowercase()), &s[1..])
    } else {
        s.to_string()
    }
}

/// The platform path of a decoded `file:` URI path: on Windows (`windows`), `/c:/x` is `c:/x`.
fn path_of_uri_path(p: String, windows: bool) -> String {
    let b = p.as_bytes();
    if windows && b.len() >= 3 && b[0] == b'/' && b[1].is_ascii_alphabetic() && b[2] == b':' {
        p[1..].to_string()
    } else {
        p
    }
}

/// The canonical form of a path when it exists, else the path as given.
pub fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The LSP severity of a finding's severity.
pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// Resolves the files of a lint run to URIs (paths are printed relative to the workspace root,
/// the server's working directory), once per file.
pub struct Files<'a> {
    root: &'a Path,
    sources: &'a SourceMap,
    memo: HashMap<crate::source::FileId, Option<Uri>>,
}

impl<'a> Files<'a> {
    /// A resolver for the files of `sources`, read relative to `root`.
    pub fn new(root: &'a Path, sources: &'a SourceMap) -> Self {
        Files {
            root,
            sources,
            memo: HashMap::new(),
        }
    }

    /// The URI of a file of the run.
    pub fn uri(&mut self, id: crate::source::FileId) -> Option<Uri> {
        let (root, sources) = (self.root, self.sources);
        self.memo
            .entry(id)
            .or_insert_with(|| {
                let f = sources.get(id)?;
                if f.path.is_empty() {
                    return None;
                }
                path_to_uri(&canonical(&root.join(&f.path)))
            })
            .clone()
    }

    /// The LSP range (UTF-16 columns) of a span.
    pub fn range(&self, span: &Span) -> Range {
        let Some(f) = self.sources.get(span.file) else {
            return Range::default();
        };
        let pos = |offset: usize| Position {
            line: u32::try_from(f.line_index(offset)).unwrap_or(u32::MAX),
            character: u32::try_from(f.col_utf16(offset).saturating_sub(1)).unwrap_or(u32::MAX),
        };
        Range {
            start: pos(span.start as usize),
            end: pos(span.end as usize),
        }
    }
}

/// The diagnostic of a finding and the URI of the file it is in.
pub fn diagnostic(f: &Finding, files: &mut Files<'_>) -> Option<(Uri, Diagnostic)> {
    let uri = files.uri(f.primary.file)?;
    let mut message = f.message.clone();
    if let Some(label) = &f.primary_label
        && !label.is_empty()
    {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(help) = &f.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: files.uri(r.span.file)?,
                    range: files.range(&r.span),
                },
                message: r.message.clone(),
            })
        })
        .collect();
    let href = Uri::from_str(&crate::rules::rule_url(f.rule)).ok();
    let d = Diagnostic {
        range: files.range(&f.primary),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.to_string())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (f.rule == crate::suppress::AGW900.id).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: fix_data(f, files.sources),
    };
    Some((uri, d))
}

/// The mechanical fix of a finding, carried in the diagnostic's `data` for the code action:
/// `{"fix": {"title", "range", "newText"}}`. The fix the rule describes ([`Finding::fix`],
/// rendered by [`super::fix::edit`]: AGW027's missing GatewayManager rule); else a
/// `pickHostNameFromBackendAddress` / `pick_host_name_from_backend_address` set to `false`
/// (the finding's span is the value, or the property with its value) is set to `true`.
fn fix_data(f: &Finding, sources: &SourceMap) -> Option<serde_json::Value> {
    if f.fix.is_some() {
        let e = super::fix::edit(f, sources)?;
        let files = Files::new(Path::new(""), sources);
        return Some(serde_json::json!({
            "fix": {
                "title": e.title,
                "range": files.range(&e.span),
                "newText": e.new_text,
            }
        }));
    }
    const KEYS: [&str; 2] = [
        "pickHostNameFromBackendAddress",
        "pick_host_name_from_backend_address",
    ];
    let file = sources.get(f.primary.file)?;
    let start = f.primary.start as usize;
    let line_start = file.line_start(file.line_index(start));
    // From the start of the line: the key, then only quotes, `:` or `=` and blanks before
    // `false`.
    let from_line = file.text.get(line_start..f.primary.end as usize)?;
    let (key, after) = KEYS
        .into_iter()
        .find_map(|k| from_line.find(k).map(|at| (k, at + k.len())))?;
    let rest = from_line.get(after..)?;
    let false_at = rest.find("false")?;
    let between = rest.get(..false_at)?;
    if !between
        .chars()
        .all(|c| matches!(c, '"' | ':' | '=' | ' ' | '\t'))
        || !between.chars().any(|c| matches!(c, ':' | '='))
    {
        return None;
    }
    let at = line_start + after + false_at;
    let span = Span::new(f.primary.file, at..at + "false".len());
    if !f.primary.contains(&span) {
        return None;
    }
    let files = Files::new(Path::new(""), sources);
    Some(serde_json::json!({
        "fix": {
            "title": format!("Set {key} to true"),
            "range": files.range(&span),
            "newText": "true",
        }
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn windows_paths_and_drive_letters() {
        assert_eq!(uri_path_of(r"C:\w\main.tf", true), "c:/w/main.tf");
        assert_eq!(uri_path_of(r"\\?\D:\w x\a.bicep", true), "d:/w x/a.bicep");
        assert_eq!(uri_path_of("/C:/w", false), "/C:/w");
        assert_eq!(
            path_of_uri_path("/c:/w/main.tf".into(), true),
            "c:/w/main.tf"
        );
        assert_eq!(
            path_of_uri_path("/c:/w/main.tf".into(), false),
            "/c:/w/main.tf"
        );
        assert_eq!(path_of_uri_path("/w/main.tf".into(), true), "/w/main.tf");
        // VS Code's form of a Windows file URI decodes to the drive path on Windows.
        let u = Uri::from_str("file:///c%3A/w/main.tf").unwrap();
        let decoded = uri_to_path(&u).unwrap();
        if cfg!(windows) {
            assert_eq!(decoded, PathBuf::from("c:/w/main.tf"));
        } else {
            assert_eq!(decoded, PathBuf::from("/c:/w/main.tf"));
        }
    }

    #[test]
    fn uris_round_trip_with_spaces_and_non_ascii() {
        let p = Path::new("/tmp/my dir/é#x.tf");
        let u = path_to_uri(p).unwrap();
        assert_eq!(u.as_str(), "file:///tmp/my%20dir/%C3%A9%23x.tf");
        assert_eq!(uri_to_path(&u).unwrap(), p);
        let host = Uri::from_str("file://localhost/a/b.json").unwrap();
        assert_eq!(uri_to_path(&host).unwrap(), Path::new("/a/b.json"));
        let other = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&other), None);
    }

    #[test]
    fn ranges_count_utf16_columns() {
        let sources = SourceMap::new();
        let id = sources.add("a.tf", "x = \"é😀\" # y\nz = 1\n");
        let files = Files::new(Path::new("/"), &sources);
        // `#` is at byte 13: 5 ASCII + é (1 unit) + 😀 (2 units) + `" ` = column 10.
        let r = files.range(&Span::new(id, 13..14));
        assert_eq!((r.start.line, r.start.character), (0, 10));
        assert_eq!((r.end.line, r.end.character), (0, 11));
        let r = files.range(&Span::new(id, 17..18));
        assert_eq!((r.start.line, r.start.character), (1, 0));
    }

    #[test]
    fn pick_host_name_false_gets_a_fix() {
        let sources = SourceMap::new();
        let text = "{\n  \"pickHostNameFromBackendAddress\": false\n}\n";
        let id = sources.add("t.json", text);
        let at = text.find("\"pick").unwrap();
        let f = Finding::new(
            "AGW010",
            "x",
            Severity::Error,
            "m",
            Span::new(id, at..text.len() - 3),
        );
        let data = fix_data(&f, &sources).unwrap();
        assert_eq!(data["fix"]["newText"], "true");
        assert_eq!(data["fix"]["range"]["start"]["line"], 1);
        assert_eq!(data["fix"]["range"]["start"]["character"], 36);
        assert_eq!(data["fix"]["range"]["end"]["character"], 41);
        let other = Finding::new("AGW010", "x", Severity::Error, "m", Span::new(id, 0..1));
        assert!(fix_data(&other, &sources).is_none());
        // The span of the value alone (Terraform).
        let text = "  pick_host_name_from_backend_address = false\n";
        let id = sources.add("gw.tf", text);
        let at = text.find("false").unwrap();
        let f = Finding::new(
            "AGW010",
            "x",
            Severity::Error,
            "m",
            Span::new(id, at..at + 5),
        );
        let data = fix_data(&f, &sources).unwrap();
        assert_eq!(data["fix"]["range"]["start"]["character"], 40);
        let t = "  pick_host_name_from_backend_address = var.x # false\n";
        let id = sources.add("gw2.tf", t);
        let at = t.find("var.x").unwrap();
        let f = Finding::new(
            "AGW010",
            "x",
            Severity::Error,
            "m",
            Span::new(id, at..at + 5),
        );
        assert!(fix_data(&f, &sources).is_none());
    }
}
