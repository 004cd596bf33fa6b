//! ARM front-end: deployment templates (hand-written, Bicep-compiled, `languageVersion` 2.0)
//! into the model.

pub mod expr;
pub mod json;
mod json_direct;
pub mod params;
pub mod value;

pub mod ids;
pub mod map;
pub mod template;
pub mod tree;

#[cfg(test)]
mod tests;

use std::path::Path;

use super::{FrontendOptions, UnitOutput};
use crate::model::UnitId;
use crate::source::SourceMap;

/// A name lower-cased (ASCII) on the stack when it is short: function names at every call
/// and resource types at every resource were lower-cased into new strings (2 % of the
/// evaluator's allocations on the 6,000-file tree).
pub(crate) struct LowerBuf {
    buf: [u8; 128],
    long: String,
}

impl LowerBuf {
    /// An empty buffer.
    pub(crate) fn new() -> Self {
        LowerBuf {
            buf: [0; 128],
            long: String::new(),
        }
    }

    /// `s` lower-cased (ASCII letters only, as `str::to_ascii_lowercase`).
    pub(crate) fn lower(&mut self, s: &str) -> &str {
        if let Some(out) = self.buf.get_mut(..s.len()) {
            out.copy_from_slice(s.as_bytes());
            out.make_ascii_lowercase();
            // ASCII case changes keep UTF-8 valid: never the fallback below.
            if let Ok(l) = std::str::from_utf8(out) {
                return l;
            }
        }
        self.long = s.to_ascii_lowercase();
        &self.long
    }
}

/// Cheap sniff used by discovery: could this JSON text be a deployment template? The front-end
/// decides for certain after parsing.
pub fn looks_like_template(text: &str) -> bool {
    let has = crate::source::has;
    has(text, "deploymentTemplate.json")
        || (has(text, "\"resources\"") && has(text, "\"contentVersion\""))
}

/// Loads one root template (with its parameter file, nested and linked templates).
pub fn load_template(
    path: &Path,
    display: &str,
    text: &str,
    unit: UnitId,
    sources: &SourceMap,
    opts: &FrontendOptions,
) -> UnitOutput {
    load_template_read(path, display, text.to_string(), None, unit, sources, opts)
}

/// [`load_template`] for a text read by [`SourceMap::read_confined`] (`read`), so the source
/// map knows where it came from ([`SourceMap::may_show`]). The text is taken by value: the
/// source map keeps it as it is (no copy); a large text the map can read again is parsed
/// from the read buffer and not kept at all ([`SourceMap::add_read_unkept`]).
pub fn load_template_read(
    path: &Path,
    display: &str,
    text: String,
    read: Option<&crate::source::ReadFile>,
    unit: UnitId,
    sources: &SourceMap,
    opts: &FrontendOptions,
) -> UnitOutput {
    // A large text read from a file is not copied into the source map: the tree holds every
    // value while the template is evaluated (the text was a fifth of the peak of a 50 MB
    // template, its read buffer another), and the reporters read the file again when they
    // show it. Small texts are kept (the scan's text budget drops them later).
    let unkept = match read {
        Some(r) if text.len() > crate::source::MAX_EVICTABLE_BYTES => {
            sources.add_read_unkept(display, &text, r)
        }
        _ => None,
    };
    let (id, parsed) = match unkept {
        Some(id) => {
            let parsed = json::parse(text.strip_prefix('\u{feff}').unwrap_or(&text), id);
            drop(text);
            (id, parsed)
        }
        None => {
            // The read buffer becomes the stored text (no copy).
            let (id, stored) = sources.add_text(display, text, read);
            (id, json::parse(&stored, id))
        }
    };
    let mut doc = match parsed {
        Ok(d) => d,
        Err(e) => {
            return UnitOutput {
                files: 1,
                diagnostics: vec![super::parse_error(
                    format!("{display} is not valid JSON: {}", e.message),
                    e.span,
                    e.message.clone(),
                )],
                ..UnitOutput::default()
            };
        }
    };
    if !is_template(&doc.root) {
        return UnitOutput {
            skipped: true,
            notes: vec![format!(
                "{display}: skipped, not an ARM deployment template"
            )],
            ..UnitOutput::default()
        };
    }
    let guard = super::deadline::start(opts.time_limit.unwrap_or(super::deadline::DEFAULT_LIMIT));
    // The scope owns the resources: each one's JSON is freed once it is expanded.
    let resources = template::take_resources(&mut doc.root);
    let loader = template::Loader::new(unit, sources);
    let (supplied, errors) = parameter_values(path, display, opts, &loader, (&doc.root, id));
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let tpl = template::Tpl::new(&loader, &doc.root, id, dir, 0, supplied, None, None, false);
    let tpl = match resources {
        Some(r) => tpl.own_resources(r),
        None => tpl,
    };
    tpl.run();
    drop(tpl);
    let mut model = loader.mapper.replace(map::Mapper::new(unit)).finish();
    for s in loader.sensitive.take() {
        model.mark_sensitive(&s);
    }
    model.module_frames.extend(loader.frames.take());
    if guard.hit() {
        // What was built is incomplete: a partial model could make rules fire wrongly.
        return UnitOutput {
            files: 1 + loader.files.get(),
            diagnostics: vec![super::parse_error(
                guard.message(display),
                crate::source::Span::new(id, 0..0),
                "evaluation stopped here",
            )
            .help("simplify the template (very large copy loops or deeply chained expressions), or exclude it")],
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

/// The root is a deployment template: `$schema` names one, or it has `resources` and
/// `contentVersion`.
fn is_template(root: &json::JNode) -> bool {
    if root.as_object().is_none() {
        return false;
    }
    let schema = root
        .get("$schema")
        .and_then(json::JNode::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("deploymenttemplate"));
    schema || (root.get("resources").is_some() && root.get("contentVersion").is_some())
}

/// The parameter files applied to a template, in the order they apply (later files win per
/// parameter): the file beside the template (`<stem>.parameters.json`), then the files of every
/// `parameters:` mapping of the configuration that matches the template, then `--parameters`
/// files. Each is `(path, printed path, where it came from)`.
pub fn parameter_files(
    path: &Path,
    display: &str,
    opts: &FrontendOptions,
) -> Vec<(std::path::PathBuf, String, &'static str)> {
    let mut files = Vec::new();
    if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
        let name = format!("{stem}.parameters.json");
        let p = path.with_file_name(&name);
        if p.is_file() {
            let shown = match display.rsplit_once('/') {
                Some((d, _)) => format!("{d}/{name}"),
                None => name,
            };
            files.push((p, shown, "beside the template"));
        }
    }
    for p in crate::config::PathMapping::files_for(&opts.parameter_map, path) {
        let shown = crate::config::paths::shown(&p);
        files.push((p, shown, "configuration `parameters:`"));
    }
    for p in &opts.parameters {
        // `.bicepparam` files apply to Bicep templates only (the Bicep front-end reads them).
        if p.extension().is_some_and(|e| e == "bicepparam") {
            continue;
        }
        files.push((p.clone(), crate::discover::display_path(p), FROM_FLAG));
    }
    files
}

/// Where a parameter file named by `--parameters` comes from (read wherever it is).
const FROM_FLAG: &str = "--parameters";

/// Supplied parameter values by lower-case name, with where each came from.
pub(crate) type ParamValues =
    std::collections::HashMap<String, (value::AVal, Option<crate::model::Origin>)>;

/// Parameter values from [`parameter_files`], later files winning per parameter. A file that
/// cannot be read or is not a parameter file is a usage error (the returned messages, exit
/// code 2); a syntax error in one is AGW000.
pub(crate) fn parameter_values(
    path: &Path,
    display: &str,
    opts: &FrontendOptions,
    loader: &template::Loader<'_>,
    (root, file): (&json::JNode, crate::source::FileId),
) -> (ParamValues, Vec<String>) {
    let files = parameter_files(path, display, opts);
    if !files.is_empty() {
        loader.deployment_values.set(true);
    }
    let declared: Vec<&str> = root
        .get("parameters")
        .and_then(json::JNode::as_object)
        .map(|ps| ps.iter().map(|p| p.key.as_str()).collect())
        .unwrap_or_default();
    let mut out = std::collections::HashMap::new();
    let mut errors = Vec::new();
    let layers: Vec<String> = files
        .iter()
        .map(|(_, shown, from)| format!("{shown} ({from})"))
        .collect();
    if let Some(n) = super::layers_note(display, "parameter values", &layers, "parameter") {
        loader.notes.borrow_mut().push(n);
    }
    for (p, shown, from) in files {
        let origin = if from == FROM_FLAG {
            crate::source::PathOrigin::CommandLine
        } else {
            crate::source::PathOrigin::Content
        };
        let (text, read) = match params::read_file(&p, &shown, loader.sources, origin) {
            Ok(t) => t,
            Err(params::ReadError::Usage(e)) => {
                errors.push(e);
                continue;
            }
            Err(params::ReadError::Refused(r)) => {
                // Every parameter it could have set is Unknown (later files still win), so no
                // rule decides on a default the file may override.
                loader.findings.borrow_mut().push(super::refused(
                    &format!("{from}: parameter file"),
                    &shown,
                    &r,
                    crate::source::Span::new(file, 0..0),
                ));
                for name in declared.iter() {
                    out.insert(name.to_ascii_lowercase(), (value::AVal::unknown(), None));
                }
                continue;
            }
        };
        let (id, stored) = loader.sources.add_text(shown.clone(), text, Some(&read));
        loader.files.set(loader.files.get() + 1);
        match params::load(&stored, id) {
            Ok(values) => {
                for (name, value, span) in values {
                    let origin = crate::model::Origin {
                        span,
                        label: format!("parameter file value of `{name}`"),
                    };
                    out.insert(name.to_ascii_lowercase(), (value, Some(origin)));
                }
            }
            Err(params::LoadError::Syntax(e)) => {
                loader.findings.borrow_mut().push(super::parse_error(
                    format!("{shown} is not valid JSON: {}", e.message),
                    e.span,
                    e.message.clone(),
                ))
            }
            Err(params::LoadError::NotParameterFile(why)) => {
                errors.push(format!("parameter file {shown} {why}"));
            }
        }
    }
    (out, errors)
}
