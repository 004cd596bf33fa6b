//! ARM front-end: deployment templates (hand-written, Bicep-compiled, `languageVersion` 2.0)
//! into the model.

pub mod expr;
pub mod json;
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

/// Cheap sniff used by discovery: could this JSON text be a deployment template? The front-end
/// decides for certain after parsing.
pub fn looks_like_template(text: &str) -> bool {
    text.contains("deploymentTemplate.json")
        || (text.contains("\"resources\"") && text.contains("\"contentVersion\""))
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
    let id = sources.add(display.to_string(), text);
    let stored = sources
        .get(id)
        .map_or_else(|| std::sync::Arc::from(text), |f| f.text.clone());
    let doc = match json::parse(&stored, id) {
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
    let loader = template::Loader::new(unit, sources);
    let supplied = parameter_values(path, display, opts, &loader);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let tpl = template::Tpl::new(&loader, &doc.root, id, dir, 0, supplied, None, None, false);
    tpl.run();
    drop(tpl);
    let model = loader.mapper.replace(map::Mapper::new(unit)).finish();
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

/// Parameter values: `--parameters` files when given (later files win), else the file beside
/// the template (`<stem>.parameters.json`).
fn parameter_values(
    path: &Path,
    display: &str,
    opts: &FrontendOptions,
    loader: &template::Loader<'_>,
) -> std::collections::HashMap<String, (value::AVal, Option<crate::model::Origin>)> {
    let mut files: Vec<(std::path::PathBuf, String)> = Vec::new();
    if opts.parameters.is_empty() {
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            let name = format!("{stem}.parameters.json");
            let p = path.with_file_name(&name);
            if p.is_file() {
                let shown = match display.rsplit_once('/') {
                    Some((d, _)) => format!("{d}/{name}"),
                    None => name,
                };
                files.push((p, shown));
            }
        }
    } else {
        for p in &opts.parameters {
            files.push((p.clone(), p.to_string_lossy().replace('\\', "/")));
        }
    }
    let mut out = std::collections::HashMap::new();
    for (p, shown) in files {
        if std::fs::metadata(&p).is_ok_and(|m| m.len() > crate::discover::MAX_FILE_BYTES) {
            loader.notes.borrow_mut().push(format!(
                "{shown}: parameter file larger than the {} MiB limit; not read",
                crate::discover::MAX_FILE_BYTES / (1024 * 1024)
            ));
            continue;
        }
        let Ok(bytes) = std::fs::read(&p) else {
            loader
                .notes
                .borrow_mut()
                .push(format!("{shown}: parameter file not readable"));
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            loader
                .notes
                .borrow_mut()
                .push(format!("{shown}: parameter file is not UTF-8"));
            continue;
        };
        let id = loader.sources.add(shown.clone(), &text);
        loader.files.set(loader.files.get() + 1);
        let stored = loader
            .sources
            .get(id)
            .map_or_else(|| std::sync::Arc::from(text.as_str()), |f| f.text.clone());
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
            Err(e) => loader.findings.borrow_mut().push(super::parse_error(
                format!("{shown} is not valid JSON: {}", e.message),
                e.span,
                e.message.clone(),
            )),
        }
    }
    out
}
