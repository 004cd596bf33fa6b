//! Bicep front-end: `.bicep` and `.bicepparam` files parsed by a hand-written,
//! newline-sensitive parser ([`lexer`], [`parser`]) into a syntax tree ([`syntax`]).

pub mod lexer;
pub mod parser;
pub mod syntax;

/// A parsed Bicep file: its declarations, its comments and directives, and its syntax errors
/// (empty when it parsed).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The declarations that parsed.
    pub file: syntax::File,
    /// Comments and `#disable-*` directives, for suppressions.
    pub trivia: Vec<lexer::Trivia>,
    /// Syntax errors, in order.
    pub errors: Vec<parser::ParseError>,
}

/// Lexes and parses one `.bicep` or `.bicepparam` text (without a byte-order mark).
pub fn parse_text(text: &str) -> Parsed {
    let lexed = lexer::lex(text);
    let (file, errors) = parser::parse(text, &lexed);
    Parsed {
        file,
        trivia: lexed.trivia,
        errors,
    }
}

pub mod load;
pub mod lower;
pub mod registry;

use std::path::Path;

use super::{FrontendOptions, UnitOutput};
use crate::frontend::arm::{json, map, template};
use crate::model::UnitId;
use crate::source::{FileId, SourceMap, Span};

/// Parses and lowers the Bicep text stored as `file` (shown as `display`) into a template:
/// `Err` is the AGW000 diagnostic of its first syntax error.
/// `reader` reads the files of `load*()` calls ([`file_reader`]).
pub fn lower_file(
    text: &str,
    file: FileId,
    display: &str,
    reader: Option<&load::Reader<'_>>,
) -> Result<lower::Lowered, super::Diagnostic> {
    let parsed = parse_text(text);
    if let Some(e) = parsed.errors.first() {
        return Err(super::parse_error(
            format!("{display} is not valid Bicep: {}", e.message),
            Span::new(file, e.span.clone()),
            e.message.clone(),
        ));
    }
    Ok(lower::lower(
        &parsed.file,
        file,
        text.len(),
        display,
        reader,
    ))
}

/// Loads one root `.bicep` file (with its local modules) into a unit, like
/// [`crate::frontend::arm::load_template_read`] does for a template.
#[allow(clippy::too_many_arguments)]
pub fn load_root(
    path: &Path,
    display: &str,
    text: &str,
    read: Option<&crate::source::ReadFile>,
    unit: UnitId,
    sources: &SourceMap,
    opts: &FrontendOptions,
    bicepparam: Option<ParamFile>,
) -> UnitOutput {
    let (id, stored) = sources.add_text(display, text, read);
    let guard = super::deadline::start(opts.time_limit.unwrap_or(super::deadline::DEFAULT_LIMIT));
    let loader = template::Loader::new(unit, sources);
    let reader = file_reader(&loader, path, display);
    let lowered = match lower_file(&stored, id, display, Some(&reader)) {
        Ok(l) => l,
        Err(d) => {
            return UnitOutput {
                files: 1,
                diagnostics: vec![d],
                ..UnitOutput::default()
            };
        }
    };
    let doc: json::JsonDoc = lowered.doc;
    loader.notes.borrow_mut().extend(lowered.notes);
    registry::register(lowered.registry, path, &loader);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let (mut supplied, errors) =
        crate::frontend::arm::parameter_values(path, display, opts, &loader, (&doc.root, id));
    let mut layers: Vec<ParamFile> = bicepparam
        .or_else(|| sibling_params(path, display, &loader))
        .into_iter()
        .collect();
    for p in &opts.parameters {
        if p.extension().is_some_and(|e| e == "bicepparam") {
            let shown = crate::discover::display_path(p);
            if let Some((_, pf)) =
                read_params(p, &shown, &loader, crate::source::PathOrigin::CommandLine)
            {
                layers.push(pf);
            }
        }
    }
    if !layers.is_empty() {
        loader.deployment_values.set(true);
    }
    for pf in layers {
        loader
            .notes
            .borrow_mut()
            .push(format!("{display}: parameter values from {}", pf.display));
        for (name, value, span) in pf.values {
            let origin = crate::model::Origin {
                span,
                label: format!("value of `{name}` in {}", pf.display),
            };
            supplied.insert(name.to_ascii_lowercase(), (value, Some(origin)));
        }
    }
    let tpl = template::Tpl::new(&loader, &doc.root, id, dir, 0, supplied, None, None, false);
    tpl.run();
    drop(tpl);
    let mut model = loader.mapper.replace(map::Mapper::new(unit)).finish();
    for s in loader.sensitive.take() {
        model.mark_sensitive(&s);
    }
    model.module_frames.extend(loader.frames.take());
    if guard.hit() {
        return UnitOutput {
            files: 1 + loader.files.get(),
            diagnostics: vec![super::parse_error(
                guard.message(display),
                Span::new(id, 0..0),
                "evaluation stopped here",
            )],
            linked: loader.linked.take(),
            errors,
            ..UnitOutput::default()
        };
    }
    UnitOutput {
        model,
        diagnostics: loader.findings.take(),
        notes: loader.notes.take(),
        files: 1 + loader.files.get(),
        skipped: false,
        linked: loader.linked.take(),
        errors,
        ..UnitOutput::default()
    }
}

/// The reader of the `load*()` files of the `.bicep` file at `path` (shown as `display`):
/// through [`SourceMap::read_confined`], so a path outside the scan root is refused with
/// AGW901 and its value stays Unknown; a missing file is a `--verbose` note.
pub fn file_reader<'l>(
    loader: &'l template::Loader<'l>,
    path: &Path,
    display: &str,
) -> impl Fn(&str, Span) -> Option<load::Loaded> + 'l {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let display = display.to_string();
    move |rel: &str, at: Span| {
        let read = match loader.sources.read_confined(
            &dir.join(rel),
            crate::source::PathOrigin::Content,
            load::MAX_LOAD_BYTES,
        ) {
            Ok(r) => r,
            Err(r) if r.is_confinement() => {
                loader
                    .findings
                    .borrow_mut()
                    .push(super::refused("loaded file", rel, &r, at));
                return None;
            }
            Err(r) => {
                loader.notes.borrow_mut().push(format!(
                    "{display}: `{rel}` (load function) {}; its value is unknown",
                    r.reason()
                ));
                return None;
            }
        };
        loader.files.set(loader.files.get() + 1);
        let file = std::str::from_utf8(&read.bytes).ok().map(|t| {
            let shown = crate::frontend::arm::template::display_join(&display, rel);
            loader.sources.add_read(shown, t, &read)
        });
        Some(load::Loaded {
            bytes: read.bytes,
            file,
        })
    }
}

/// The values of a `.bicepparam` file applied to the template it names.
#[derive(Debug, Clone)]
pub struct ParamFile {
    /// How the file is shown.
    pub display: String,
    /// `param x = value`: name, value (Unknown unless a literal), where the value is written.
    pub values: Vec<(String, crate::frontend::arm::value::AVal, Span)>,
}

/// The `using` path and parameter values of a parsed `.bicepparam` file stored as `file`.
pub fn param_file(parsed: &Parsed, file: FileId, display: &str) -> (Option<String>, ParamFile) {
    let mut using = None;
    let mut values = Vec::new();
    for d in &parsed.file.decls {
        match &d.kind {
            syntax::DeclKind::Using(Some(p)) => {
                if let syntax::ExprKind::Str(parts) = &p.kind
                    && let [syntax::StrPart::Lit(s)] = parts.as_slice()
                {
                    using = Some(s.clone());
                }
            }
            syntax::DeclKind::Param {
                name,
                value: Some(v),
                ..
            } => values.push((
                name.text.clone(),
                literal(v, file),
                Span::new(file, v.span.clone()),
            )),
            _ => {}
        }
    }
    (
        using,
        ParamFile {
            display: display.to_string(),
            values,
        },
    )
}

/// A `.bicepparam` value: literals as written, anything computed Unknown.
fn literal(e: &syntax::Expr, file: FileId) -> crate::frontend::arm::value::AVal {
    use crate::frontend::arm::value::AVal;
    use syntax::{ExprKind as K, Member, StrPart};
    match &e.kind {
        K::Str(parts) => match parts.as_slice() {
            [StrPart::Lit(s)] => AVal::Str(s.clone()),
            _ => unknown_value(e, file),
        },
        K::Int(n) => n.parse().map_or_else(|_| AVal::unknown(), AVal::Int),
        K::Neg(x) => match &x.kind {
            K::Int(n) => n
                .parse::<i64>()
                .map_or_else(|_| AVal::unknown(), |v| AVal::Int(-v)),
            _ => unknown_value(e, file),
        },
        K::Bool(b) => AVal::Bool(*b),
        K::Null => AVal::Null,
        K::Paren(x) => literal(x, file),
        K::Array(items) => AVal::Array(items.iter().map(|i| literal(i, file)).collect()),
        K::Object(ms) => {
            let mut out = Vec::new();
            for m in ms {
                match m {
                    Member::Prop {
                        key: Some(k),
                        value,
                        ..
                    } => out.push((k.clone(), literal(value, file))),
                    _ => return unknown_value(e, file),
                }
            }
            AVal::Object(out)
        }
        _ => unknown_value(e, file),
    }
}

fn unknown_value(e: &syntax::Expr, file: FileId) -> crate::frontend::arm::value::AVal {
    crate::frontend::arm::value::AVal::Unknown(Box::new(crate::model::Partial::because(
        crate::model::Why::new(
            "a computed value in a .bicepparam file is evaluated at deployment".to_string(),
            Some(Span::new(file, e.span.clone())),
        ),
    )))
}

/// `<stem>.bicepparam` beside the template, when it exists and its `using` names the template.
fn sibling_params(path: &Path, display: &str, loader: &template::Loader<'_>) -> Option<ParamFile> {
    let p = path.with_extension("bicepparam");
    if !p.is_file() {
        return None;
    }
    let shown = match display.rsplit_once('/') {
        Some((d, _)) => format!("{d}/{}", p.file_name()?.to_str()?),
        None => p.file_name()?.to_str()?.to_string(),
    };
    let (using, pf) = read_params(&p, &shown, loader, crate::source::PathOrigin::Content)?;
    let target = path.parent()?.join(using?);
    let same = std::fs::canonicalize(&target).ok()? == std::fs::canonicalize(path).ok()?;
    same.then_some(pf)
}

/// Reads and parses a `.bicepparam` file: its `using` path and values. `None` (with AGW000 for
/// a syntax error, a note when unreadable) when it cannot be used.
fn read_params(
    p: &Path,
    shown: &str,
    loader: &template::Loader<'_>,
    origin: crate::source::PathOrigin,
) -> Option<(Option<String>, ParamFile)> {
    let read = match loader.sources.read_confined(p, origin, MAX_PARAM_BYTES) {
        Ok(r) => r,
        Err(r) => {
            loader
                .notes
                .borrow_mut()
                .push(format!("{shown}: not read: {}", r.reason()));
            return None;
        }
    };
    let text = std::str::from_utf8(&read.bytes).ok()?.to_string();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let shown = shown.to_string();
    let id = loader.sources.add_read(shown.clone(), &text, &read);
    loader.files.set(loader.files.get() + 1);
    let stored = loader.sources.get(id)?.text.clone();
    let parsed = parse_text(&stored);
    if let Some(e) = parsed.errors.first() {
        loader.findings.borrow_mut().push(super::parse_error(
            format!("{shown} is not valid Bicep: {}", e.message),
            Span::new(id, e.span.clone()),
            e.message.clone(),
        ));
        return None;
    }
    Some(param_file(&parsed, id, &shown))
}

/// Largest `.bicepparam` or module file read.
const MAX_PARAM_BYTES: u64 = 16 * 1024 * 1024;

/// Loads a `.bicepparam` file (`text`, already read) as a unit: the template its `using`
/// names, linted with its values. `using none`, or a template that is not there, is skipped
/// with a note.
#[allow(clippy::too_many_arguments)]
pub fn load_params_unit(
    path: &Path,
    display: &str,
    text: &str,
    read: Option<&crate::source::ReadFile>,
    unit: UnitId,
    sources: &SourceMap,
    opts: &FrontendOptions,
) -> UnitOutput {
    let (id, stored) = sources.add_text(display, text, read);
    let parsed = parse_text(&stored);
    if let Some(e) = parsed.errors.first() {
        return UnitOutput {
            files: 1,
            diagnostics: vec![super::parse_error(
                format!("{display} is not valid Bicep: {}", e.message),
                Span::new(id, e.span.clone()),
                e.message.clone(),
            )],
            ..UnitOutput::default()
        };
    }
    let (using, pf) = param_file(&parsed, id, display);
    let Some(using) = using.filter(|u| !u.contains(':')) else {
        return UnitOutput {
            skipped: true,
            files: 1,
            notes: vec![format!(
                "{display}: skipped, its `using` names no local Bicep file"
            )],
            ..UnitOutput::default()
        };
    };
    let target = path
        .parent()
        .map_or_else(|| Path::new(&using).to_path_buf(), |d| d.join(&using));
    let rel = using.strip_prefix("./").unwrap_or(&using);
    let shown = match display.rsplit_once('/') {
        Some((d, _)) => format!("{d}/{rel}"),
        None => rel.to_string(),
    };
    let tread =
        match sources.read_confined(&target, crate::source::PathOrigin::Content, MAX_PARAM_BYTES) {
            Ok(r) => r,
            Err(r) if r.is_confinement() => {
                return UnitOutput {
                    files: 1,
                    diagnostics: vec![super::refused(
                        "`using` template",
                        &using,
                        &r,
                        Span::new(id, 0..0),
                    )],
                    ..UnitOutput::default()
                };
            }
            Err(_) => {
                return UnitOutput {
                    skipped: true,
                    files: 1,
                    notes: vec![format!(
                        "{display}: skipped, its template {shown} is not readable"
                    )],
                    ..UnitOutput::default()
                };
            }
        };
    let Ok(ttext) = std::str::from_utf8(&tread.bytes).map(str::to_string) else {
        return UnitOutput {
            skipped: true,
            files: 1,
            notes: vec![format!("{display}: skipped, {shown} is not UTF-8 text")],
            ..UnitOutput::default()
        };
    };
    let ttext = ttext.strip_prefix('\u{feff}').unwrap_or(&ttext).to_string();
    let mut out = if target.extension().is_some_and(|e| e == "bicep") {
        load_root(
            &target,
            &shown,
            &ttext,
            Some(&tread),
            unit,
            sources,
            opts,
            Some(pf),
        )
    } else {
        crate::frontend::arm::load_template_read(
            &target,
            &shown,
            ttext,
            Some(&tread),
            unit,
            sources,
            opts,
        )
    };
    out.files += 1;
    out.linked.push(tread.real.clone());
    out
}

/// The first `n` characters of `text` (all of it when shorter); counted only when the first
/// `n` bytes are not all ASCII.
fn first_chars(text: &str, n: usize) -> &str {
    match text.get(..n) {
        None if text.len() <= n => text,
        Some(head) if head.is_ascii() => head,
        _ => text
            .char_indices()
            .nth(n)
            .map_or(text, |(at, _)| text.get(..at).unwrap_or(text)),
    }
}

/// For a JSON template that the Bicep compiler wrote (`metadata._generator.name` is `bicep`)
/// beside a `.bicep` file of the same stem: that file's name. Such a JSON file is not linted,
/// so each finding appears once, at the `.bicep` source.
pub fn compiled_from(path: &Path, text: &str) -> Option<String> {
    if path.extension().is_none_or(|e| e != "json") {
        return None;
    }
    // Only the first 4,096 characters are searched (the generator is in the metadata at the
    // top): the whole text of every template was searched for nothing before (0.6 % of a
    // 1,000-file scan's instructions).
    let head = first_chars(text, 4096);
    if !crate::source::has(head, "\"_generator\"") {
        return None;
    }
    let generated = head.split("\"_generator\"").nth(1).is_some_and(|rest| {
        rest.chars()
            .take(200)
            .collect::<String>()
            .contains("\"bicep\"")
    });
    if !generated {
        return None;
    }
    let source = path.with_extension("bicep");
    source
        .is_file()
        .then(|| source.file_name()?.to_str().map(str::to_string))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::first_chars;

    #[test]
    fn first_chars_counts_characters_not_bytes() {
        for (text, n) in [
            ("", 4),
            ("abc", 4),
            ("abcd", 4),
            ("abcdef", 4),
            ("ééééé", 4),
            ("aé", 2),
            ("abé", 3),
            ("ab€cd", 3),
            ("a€", 1),
        ] {
            let want: String = text.chars().take(n).collect();
            assert_eq!(first_chars(text, n), want, "{text:?} {n}");
        }
    }
}
