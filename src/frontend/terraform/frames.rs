//! The [`ModuleFrame`]s of a unit: for every module instance, the `module` block that calls it
//! and the objects written in its inputs, so findings in vendored code can be moved to the
//! user's call (see `crate::relocate`).

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{Attribute, Block};

use super::parse::{block_span, header_span, span_of};
use crate::model::{InputAnchor, ModuleFrame, NamedObject};
use crate::source::{FileId, Span};

/// Deepest nesting of object and array literals searched for named objects.
const MAX_DEPTH: usize = 24;

/// The frame of one instance of the call `b` (in `file`) to a module with `files`.
pub fn frame(
    b: &Block,
    file: FileId,
    prefix: String,
    name: &str,
    display: &str,
    files: Vec<FileId>,
    foreign: bool,
) -> ModuleFrame {
    let meta = super::module::MODULE_META;
    let inputs = b
        .body
        .attributes()
        .filter(|a| !meta.contains(&a.key.as_str()))
        .map(|a| input_anchor(a, file))
        .collect();
    ModuleFrame {
        prefix,
        name: name.to_string(),
        display: display.to_string(),
        files,
        foreign,
        call: header_span(b, file),
        call_block: block_span(b, file),
        inputs,
        synthetic: false,
    }
}

fn input_anchor(a: &Attribute, file: FileId) -> InputAnchor {
    let span = span_of(a, file, Span::new(file, 0..0));
    let mut named = Vec::new();
    collect(&a.value, file, &mut named, 0);
    InputAnchor {
        name: a.key.as_str().to_string(),
        span,
        named,
    }
}

fn key_name(k: &ObjectKey) -> Option<String> {
    match k {
        ObjectKey::Ident(id) => Some(id.as_str().to_string()),
        ObjectKey::Expression(Expression::Variable(id)) => Some(id.as_str().to_string()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
        ObjectKey::Expression(_) => None,
    }
}

fn collect(e: &Expression, file: FileId, out: &mut Vec<NamedObject>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match e {
        Expression::Array(items) => {
            for x in items.iter() {
                collect(x, file, out, depth + 1);
            }
        }
        Expression::Parenthesis(p) => collect(p.inner(), file, out, depth + 1),
        Expression::Object(obj) => {
            let name = obj.iter().find_map(|(k, v)| {
                if key_name(k).as_deref() != Some("name") {
                    return None;
                }
                match v.expr() {
                    Expression::String(s) => Some(s.value().clone()),
                    _ => None,
                }
            });
            if let Some(name) = name {
                let mut keys = Vec::new();
                keys_of(e, file, &mut keys, depth);
                out.push(NamedObject {
                    name,
                    span: span_of(e, file, Span::new(file, 0..0)),
                    keys,
                });
            }
            for (_, v) in obj.iter() {
                collect(v.expr(), file, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Every `key = value` inside an object literal, nested objects included (not inside named
/// objects below it, which are elements of their own).
fn keys_of(e: &Expression, file: FileId, out: &mut Vec<(String, Span)>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let Expression::Object(obj) = e else { return };
    for (k, v) in obj.iter() {
        let Some(name) = key_name(k) else { continue };
        let start = k.span().map(|r| r.start);
        let end = v.expr().span().map(|r| r.end);
        if let (Some(s), Some(en)) = (start, end) {
            out.push((name, Span::new(file, s..en)));
        }
        if let Expression::Object(inner) = v.expr() {
            let is_named = inner
                .iter()
                .any(|(k2, _)| key_name(k2).as_deref() == Some("name"));
            if !is_named {
                keys_of(v.expr(), file, out, depth + 1);
            }
        }
    }
}
