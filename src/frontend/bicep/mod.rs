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

pub mod lower;

use std::path::Path;

use super::{FrontendOptions, UnitOutput};
use crate::frontend::arm::{json, map, template};
use crate::model::UnitId;
use crate::source::{FileId, SourceMap, Span};

/// Parses and lowers the Bicep text stored as `file` (shown as `display`) into a template:
/// `Err` is the AGW000 diagnostic of its first syntax error.
pub fn lower_file(
    text: &str,
    file: FileId,
    display: &str,
) -> Result<lower::Lowered, super::Diagnostic> {
    let parsed = parse_text(text);
    if let Some(e) = parsed.errors.first() {
        return Err(super::parse_error(
            format!("{display} is not valid Bicep: {}", e.message),
            Span::new(file, e.span.clone()),
            e.message.clone(),
        ));
    }
    Ok(lower::lower(&parsed.file, file, text.len(), display))
}

/// Loads one root `.bicep` file (with its local modules) into a unit, like
/// [`crate::frontend::arm::load_template_read`] does for a template.
pub fn load_root(
    path: &Path,
    display: &str,
    text: &str,
    read: Option<&crate::source::ReadFile>,
    unit: UnitId,
    sources: &SourceMap,
    opts: &FrontendOptions,
) -> UnitOutput {
    let id = match read {
        Some(r) => sources.add_read(display.to_string(), text, r),
        None => sources.add(display.to_string(), text),
    };
    let stored = sources
        .get(id)
        .map_or_else(|| std::sync::Arc::from(text), |f| f.text.clone());
    let lowered = match lower_file(&stored, id, display) {
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
    let guard = super::deadline::start(opts.time_limit.unwrap_or(super::deadline::DEFAULT_LIMIT));
    let loader = template::Loader::new(unit, sources);
    loader.notes.borrow_mut().extend(lowered.notes);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let tpl = template::Tpl::new(
        &loader,
        &doc.root,
        id,
        dir,
        0,
        std::collections::HashMap::new(),
        None,
        None,
        false,
    );
    tpl.run();
    drop(tpl);
    let mut model = loader.mapper.replace(map::Mapper::new(unit)).finish();
    for s in loader.sensitive.take() {
        model.mark_sensitive(&s);
    }
    if guard.hit() {
        return UnitOutput {
            files: 1 + loader.files.get(),
            diagnostics: vec![super::parse_error(
                guard.message(display),
                Span::new(id, 0..0),
                "evaluation stopped here",
            )],
            linked: loader.linked.take(),
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
        ..UnitOutput::default()
    }
}

/// For a JSON template that the Bicep compiler wrote (`metadata._generator.name` is `bicep`)
/// beside a `.bicep` file of the same stem: that file's name. Such a JSON file is not linted,
/// so each finding appears once, at the `.bicep` source.
pub fn compiled_from(path: &Path, text: &str) -> Option<String> {
    if !path.extension().is_some_and(|e| e == "json") || !text.contains("\"_generator\"") {
        return None;
    }
    let head: String = text.chars().take(4096).collect();
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
