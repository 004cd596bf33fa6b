//! Variable values of a root module, in Terraform's order (later wins): `variable` defaults,
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` alphabetically, then
//! `--var-file` files, then `--var` values.

use std::collections::HashMap;
use std::path::Path;

use hcl::edit::structure::Body;

use super::eval::{eval, parse_expr, tval_from_json};
use super::module::{Ctx, Empty, VarVal};
use super::parse::{join_display, parse_stored, read_source, span_of};
use super::value::TVal;
use crate::discover::display_path;
use crate::frontend::parse_error;
use crate::model::Origin;
use crate::source::{FileId, Span};

/// The tfvars files of a root directory, in the order Terraform applies them.
pub fn auto_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for n in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(n);
        if p.is_file() {
            out.push(p);
        }
    }
    let mut auto: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                })
        })
        .collect();
    auto.sort();
    out.extend(auto);
    out
}

/// Values from tfvars files and `--var`s for a root module printed as `display`. Parse errors
/// become AGW000 findings in `ctx`.
pub fn root_values(dir: &Path, display: &str, ctx: &Ctx) -> HashMap<String, VarVal> {
    let mut vals = HashMap::new();
    for p in auto_files(dir) {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        read_file(&p, &join_display(display, &name), ctx, &mut vals);
    }
    for p in &ctx.opts.var_files {
        read_file(p, &display_path(p), ctx, &mut vals);
    }
    for (k, v) in &ctx.opts.vars {
        let value = parse_expr(v)
            .map(|e| eval(&e, &Empty).value)
            .filter(|t| !t.is_unknown())
            .unwrap_or_else(|| TVal::Str(v.clone()));
        vals.insert(k.clone(), (value, None));
    }
    vals
}

fn read_file(path: &Path, display: &str, ctx: &Ctx, vals: &mut HashMap<String, VarVal>) {
    ctx.files.set(ctx.files.get() + 1);
    let id = match read_source(path, display, ctx.sources) {
        Ok(id) => id,
        Err(Some(f)) => {
            ctx.findings.borrow_mut().push(*f);
            return;
        }
        Err(None) => {
            ctx.notes
                .borrow_mut()
                .push(format!("{display}: variable file could not be read"));
            return;
        }
    };
    let short = path
        .file_name()
        .map_or_else(|| display.to_string(), |n| n.to_string_lossy().into_owned());
    if display.ends_with(".json") {
        read_json(id, &short, ctx, vals);
        return;
    }
    match parse_stored(id, ctx.sources) {
        Ok(body) => read_hcl(&body, id, &short, vals),
        Err(f) => ctx.findings.borrow_mut().push(*f),
    }
}

fn read_hcl(body: &Body, id: FileId, short: &str, vals: &mut HashMap<String, VarVal>) {
    for a in body.attributes() {
        let k = a.key.as_str();
        let e = eval(&a.value, &Empty);
        let origin = Origin {
            span: span_of(&a.value, id, Span::new(id, 0..0)),
            label: format!("`{k}` in {short}"),
        };
        vals.insert(k.to_string(), (e.value, Some(origin)));
    }
}

fn read_json(id: FileId, short: &str, ctx: &Ctx, vals: &mut HashMap<String, VarVal>) {
    let Some(f) = ctx.sources.get(id) else { return };
    let text = &f.text;
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(text);
    match parsed {
        Ok(serde_json::Value::Object(o)) => {
            for (k, v) in o {
                // Point at the key; serde_json keeps no positions, so search for it.
                let needle = format!("\"{k}\"");
                let at = text.find(&needle).unwrap_or(0);
                let origin = Origin {
                    span: Span::new(id, at..at + needle.len().min(text.len() - at)),
                    label: format!("`{k}` in {short}"),
                };
                vals.insert(k, (tval_from_json(&v), Some(origin)));
            }
        }
        Ok(_) => ctx.findings.borrow_mut().push(parse_error(
            format!("{}: a tfvars JSON file must hold an object", f.path),
            Span::new(id, 0..0),
            "not an object",
        )),
        Err(e) => {
            let off = line_col_offset(text, e.line(), e.column());
            ctx.findings.borrow_mut().push(parse_error(
                format!("{}: JSON syntax error: {e}", f.path),
                Span::new(id, off..off),
                "syntax error",
            ));
        }
    }
}

fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (off + col.saturating_sub(1)).min(text.len());
        }
        off += l.len();
    }
    text.len()
}
