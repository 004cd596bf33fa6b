//! Findings in code the user did not write move to the user's own files.
//!
//! A registry module vendored by `terraform init` lives under `.terraform/`, which is never
//! committed: a SARIF result or a GitHub annotation there lands nowhere. A finding whose
//! primary location lies in such a module ([`ModuleFrame::foreign`]) moves to the nearest
//! `module` call the user wrote — onto the input the value came through, and inside it onto
//! the object whose `name` is the sub-resource's and its same-named key when written — and keeps
//! the vendored location and every `module` call in between as secondary labels (tflint's
//! "callers").

use crate::finding::{Finding, Related};
use crate::model::{ModuleFrame, NamedObject};
use crate::source::Span;

/// Moves every finding whose primary location is in foreign module code.
pub fn apply(findings: &mut [Finding], frames: &[ModuleFrame]) {
    if !frames.iter().any(|f| f.foreign) {
        return;
    }
    for f in findings.iter_mut() {
        relocate(f, frames);
    }
}

/// Moves the location of each skipped check that lies in foreign code to the user's
/// `module` call (or, for a plan linted alone, to the resource in the plan).
pub fn apply_skipped(skipped: &mut [crate::rules::Skipped], frames: &[ModuleFrame]) {
    if !frames.iter().any(|f| f.foreign) {
        return;
    }
    for s in skipped.iter_mut() {
        let Some(frame) = frames
            .iter()
            .filter(|fr| fr.foreign && fr.owns(s.at.file))
            .max_by_key(|fr| {
                (
                    s.resource.starts_with(&fr.prefix),
                    std::cmp::Reverse(fr.prefix.len()),
                )
            })
        else {
            continue;
        };
        let mut top = frame;
        while let Some(p) = parent(frames, top) {
            if !p.foreign {
                break;
            }
            top = p;
        }
        s.at = top.call;
        if s.quoted {
            // Quoted where it was: the text at the call is quoted instead.
            s.reason = None;
            s.quoted = false;
        }
    }
}

/// The frame of `prefix`'s caller (the instance one `module` step up), if any.
fn parent<'f>(frames: &'f [ModuleFrame], child: &ModuleFrame) -> Option<&'f ModuleFrame> {
    frames
        .iter()
        .filter(|p| p.prefix.len() < child.prefix.len() && child.prefix.starts_with(&p.prefix))
        .max_by_key(|p| p.prefix.len())
}

fn relocate(f: &mut Finding, frames: &[ModuleFrame]) {
    let file = f.primary.file;
    let resource = f.resource.as_deref().unwrap_or("");
    let Some(frame) = frames
        .iter()
        .filter(|fr| fr.foreign && fr.owns(file))
        .max_by_key(|fr| {
            (
                resource.starts_with(&fr.prefix),
                std::cmp::Reverse(fr.prefix.len()),
            )
        })
    else {
        return;
    };
    // Climb to the outermost foreign frame: its call is in the user's code.
    let mut chain = vec![frame];
    let mut top = frame;
    while let Some(p) = parent(frames, top) {
        if !p.foreign {
            break;
        }
        chain.push(p);
        top = p;
    }
    if frame.synthetic {
        // Generated text: the resource in the plan file is the only location to show.
        f.primary = frame.call;
        f.related.retain(|r| !frame.owns(r.span.file));
        return;
    }
    let primary = anchor(f, top);
    let mut related = vec![Related {
        span: f.primary,
        message: match &f.primary_label {
            Some(l) => format!("in module `{}` ({}): {l}", frame.name, frame.display),
            None => format!("in module `{}` ({})", frame.name, frame.display),
        },
    }];
    // Calls between the vendored code and the user's call (inside vendored code).
    for fr in chain.iter().take(chain.len().saturating_sub(1)) {
        related.push(Related {
            span: fr.call,
            message: format!("module `{}` called here", fr.name),
        });
    }
    // The user's call itself, when the primary is inside it rather than on its header.
    if primary != top.call {
        related.push(Related {
            span: top.call,
            message: format!("module `{}` ({}) called here", top.name, top.display),
        });
    }
    // Callers of the user's module, up to the root.
    let mut up = parent(frames, top);
    while let Some(p) = up {
        related.push(Related {
            span: p.call,
            message: format!("through module `{}` called here", p.name),
        });
        up = parent(frames, p);
    }
    related.append(&mut f.related);
    f.related = related;
    f.primary = primary;
}

/// Where in the user's `module` call the finding belongs: the input a value came through
/// (an origin label inside the call), refined to the object named like the sub-resource of the
/// finding's property and its key; else the call's header.
fn anchor(f: &Finding, top: &ModuleFrame) -> Span {
    let (element, key) = property_parts(f.property.as_deref().unwrap_or(""));
    let inside = |s: &Span| s.file == top.call_block.file && top.call_block.contains(s);
    let via: Option<&crate::model::InputAnchor> = f
        .related
        .iter()
        .filter(|r| inside(&r.span))
        .find_map(|r| top.inputs.iter().find(|i| i.span.contains(&r.span)));
    let inputs: Vec<&crate::model::InputAnchor> = match via {
        Some(i) => vec![i],
        None => top.inputs.iter().collect(),
    };
    if let Some(el) = element {
        for i in &inputs {
            if let Some(o) = i.named.iter().find(|o| o.name == el) {
                return key.and_then(|k| key_span(o, &k)).unwrap_or(o.span);
            }
        }
    }
    via.map_or(top.call, |i| i.span)
}

fn key_span(o: &NamedObject, key: &str) -> Option<Span> {
    o.keys
        .iter()
        .find(|(k, _)| k == key || snake(k) == snake(key))
        .map(|(_, s)| *s)
}

/// `backendHttpSettingsCollection[func-https].pickHostNameFromBackendAddress` →
/// (`func-https`, `pick_host_name_from_backend_address`).
fn property_parts(p: &str) -> (Option<String>, Option<String>) {
    let element = p.rfind('[').and_then(|i| {
        p[i + 1..]
            .find(']')
            .map(|j| p[i + 1..i + 1 + j].to_string())
    });
    let last = p
        .rsplit('.')
        .next()
        .filter(|l| !l.contains('[') && !l.is_empty());
    (element, last.map(snake))
}

/// `pickHostNameFromBackendAddress` → `pick_host_name_from_backend_address`.
fn snake(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Moves every location in a derived text (Terraform JSON read as native syntax) back into
/// the file it was derived from ([`crate::source::SourceMap::original`]).
pub fn to_original(report: &mut crate::Report, sources: &crate::source::SourceMap) {
    for f in &mut report.findings {
        f.primary = sources.original(f.primary);
        for r in &mut f.related {
            r.span = sources.original(r.span);
        }
    }
    for s in &mut report.skipped {
        s.at = sources.original(s.at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_parts_name_the_element_and_the_key() {
        assert_eq!(
            property_parts(
                "backendHttpSettingsCollection[func-https].pickHostNameFromBackendAddress"
            ),
            (
                Some("func-https".into()),
                Some("pick_host_name_from_backend_address".into())
            )
        );
        assert_eq!(property_parts("sku.name"), (None, Some("name".into())));
        assert_eq!(property_parts("probes[p]"), (Some("p".into()), None));
        assert_eq!(snake("hostName"), "host_name");
    }
}
