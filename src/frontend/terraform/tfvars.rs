//! Variable values of a root module, in Terraform's order (later wins): `variable` defaults,
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` alphabetically, then
//! the files of the configuration's `var_files:` mappings, then `--var-file` files, then
//! `--var` values.

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

/// The var files of a root module printed as `display`, in the order they apply (later wins):
/// `terraform.tfvars` and `*.auto.tfvars` as Terraform reads them (`auto`, listed with the
/// module: [`super::parse::VarListing`]), the files of every
/// `var_files:` mapping of the configuration that matches the directory, then `--var-file`
/// files. Each is `(path, printed path, where it came from)`.
pub fn var_files(
    dir: &Path,
    display: &str,
    auto: &[std::path::PathBuf],
    opts: &crate::frontend::FrontendOptions,
) -> Vec<(std::path::PathBuf, String, &'static str)> {
    let mut out = Vec::new();
    for p in auto.iter().cloned() {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = join_display(display, &name);
        out.push((p, shown, "read by Terraform"));
    }
    for p in crate::config::PathMapping::files_for(&opts.var_file_map, dir) {
        let shown = crate::config::paths::shown(&p);
        out.push((p, shown, "configuration `var_files:`"));
    }
    for p in &opts.var_files {
        out.push((p.clone(), display_path(p), FROM_FLAG));
    }
    out
}

/// Reads a var file into the source map. `Err(Some)` is an AGW000 finding (too large, not
/// UTF-8); `Err(None)` a file that cannot be read, which the caller reports as a usage error:
/// a var file agwlint was told to apply must not be silently skipped.
pub fn read_var_file(
    path: &Path,
    display: &str,
    ctx: &Ctx,
    origin: crate::source::PathOrigin,
) -> Result<FileId, Option<Box<crate::frontend::Diagnostic>>> {
    read_source(path, display, ctx.sources, origin)
}

/// Where a var file named by `--var-file` comes from (read wherever it is).
const FROM_FLAG: &str = "--var-file";

/// Values from var files and `--var`s for a root module printed as `display`, and the usage
/// errors of var files that cannot be read. Parse errors become AGW000 findings in `ctx`.
///
/// A var file from repository content that is refused (outside the scan root, special file)
/// makes every variable in `declared` Unknown at its place in the order (later files still
/// win): it could have set any of them.
pub fn root_values(
    dir: &Path,
    display: &str,
    auto: &[std::path::PathBuf],
    ctx: &Ctx,
    declared: &[String],
) -> (HashMap<String, VarVal>, Vec<String>) {
    let mut vals = HashMap::new();
    let mut errors = Vec::new();
    let files = var_files(dir, display, auto, ctx.opts);
    let mut applied: Vec<String> = files
        .iter()
        .map(|(_, shown, from)| format!("{shown} ({from})"))
        .collect();
    if !ctx.opts.vars.is_empty() {
        applied.push("--var values".to_string());
    }
    if let Some(n) = crate::frontend::layers_note(display, "variable values", &applied, "variable")
    {
        ctx.notes.borrow_mut().push(n);
    }
    for (p, shown, from) in files {
        let origin = if from == FROM_FLAG {
            crate::source::PathOrigin::CommandLine
        } else {
            crate::source::PathOrigin::Content
        };
        match read_file(&p, &shown, ctx, &mut vals, origin) {
            Ok(true) => {}
            Ok(false) => {
                for name in declared {
                    vals.insert(name.clone(), (TVal::unknown(), None));
                }
            }
            Err(e) => errors.push(e),
        }
    }
    for (k, v) in &ctx.opts.vars {
        let value = parse_expr(v)
            .map(|e| eval(&e, &Empty).value)
            .filter(|t| !t.is_unknown())
            .unwrap_or_else(|| TVal::Str(v.clone()));
        vals.insert(k.clone(), (value, None));
    }
    (vals, errors)
}

/// Reads one var file into `vals`; `Err` is the usage error of a file that cannot be read,
/// `Ok(false)` a file refused by the confinement rule (not read, AGW901 recorded).
fn read_file(
    path: &Path,
    display: &str,
    ctx: &Ctx,
    vals: &mut HashMap<String, VarVal>,
    origin: crate::source::PathOrigin,
) -> Result<bool, String> {
    let id = match read_var_file(path, display, ctx, origin) {
        Ok(id) => id,
        Err(Some(f)) => {
            let refused = f.kind == crate::frontend::DiagnosticKind::Refused;
            if !refused {
                ctx.files.set(ctx.files.get() + 1);
            }
            ctx.findings.borrow_mut().push(*f);
            return Ok(!refused);
        }
        Err(None) => {
            let why = std::fs::File::open(path)
                .err()
                .map_or_else(|| "not readable".to_string(), |e| e.to_string());
            return Err(format!("cannot read var file {display}: {why}"));
        }
    };
    ctx.files.set(ctx.files.get() + 1);
    let short = path
        .file_name()
        .map_or_else(|| display.to_string(), |n| n.to_string_lossy().into_owned());
    if display.ends_with(".json") {
        read_json(id, &short, ctx, vals);
        return Ok(true);
    }
    match parse_stored(id, ctx.sources) {
        Ok(body) => {
            if let Some(b) = body.blocks().next() {
                return Err(format!(
                    "var file {display} is not a variable definitions file: it has a `{}` block \
                     (pass .tfvars files, not .tf files)",
                    b.ident.as_str()
                ));
            }
            read_hcl(&body, id, &short, vals);
        }
        Err(f) => ctx.findings.borrow_mut().push(*f),
    }
    Ok(true)
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
