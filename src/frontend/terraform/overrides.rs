//! Override files (`override.tf`, `*_override.tf`, and their `.tf.json` / `.tofu` forms), merged
//! as Terraform does: after the other files, in name order, each top-level block of an
//! override file changes the block with the same type and labels. An attribute replaces the
//! attribute of that name; a nested block type (static or `dynamic`) replaces every block of
//! that type; a `locals` entry replaces the local of that name. A block with nothing to
//! override is left out (Terraform refuses it).
//!
//! The merge is made on the text: the overridden file becomes a derived text whose pieces come
//! from the file and from the override file ([`crate::source::Derived`]), so every span of the
//! merged module still points into the user's files.

use std::ops::Range;
use std::path::Path;

use hcl::edit::Span as _;
use hcl::edit::structure::{Block, Body};

use super::parse::{ParsedFile, ParsedModule, parse_stored};
use crate::source::{Derived, FileId, SourceMap};

/// True for an override file: its name without `.tf`, `.tofu` or `.tf.json` is `override` or
/// ends with `_override`.
pub fn is_override(p: &Path) -> bool {
    let Some(name) = p.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return false;
    };
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"))
        .or_else(|| name.strip_suffix(".tofu"));
    stem.is_some_and(|s| s == "override" || s.ends_with("_override"))
}

/// One text edit of an overridden file: `range` of its text is replaced by `text` (which
/// comes from `from` in file `file`), between `pre` and `post`.
#[derive(Clone)]
struct Edit {
    range: Range<usize>,
    pre: &'static str,
    text: String,
    file: FileId,
    from: Range<usize>,
    post: &'static str,
}

/// The nested block type a block stands for (`dynamic "x"` is of type `x`).
fn block_type(b: &Block) -> &str {
    if b.ident.as_str() == "dynamic" {
        b.labels.first().map_or("dynamic", |l| l.as_str())
    } else {
        b.ident.as_str()
    }
}

fn same_header(a: &Block, b: &Block) -> bool {
    a.ident.as_str() == b.ident.as_str()
        && a.labels.len() == b.labels.len()
        && a.labels
            .iter()
            .zip(&b.labels)
            .all(|(x, y)| x.as_str() == y.as_str())
}

/// Merges the override files of a module (given as `(file, body)` in name order, already
/// removed from `m.files`) into its other files.
pub fn apply(m: &mut ParsedModule, overrides: Vec<ParsedFile>, sources: &SourceMap) {
    for o in overrides {
        let Some(otext) = sources.get(o.file).map(|f| f.text.clone()) else {
            continue;
        };
        let slice = |r: Range<usize>| otext.get(r.clone()).map(|t| (t.to_string(), r));
        // Edits per file index of `m.files`.
        let mut edits: Vec<(usize, Edit)> = Vec::new();
        for ob in o.body.blocks() {
            if ob.ident.as_str() == "locals" {
                for a in ob.body.attributes() {
                    let target = m.files.iter().enumerate().find_map(|(i, f)| {
                        f.body
                            .blocks()
                            .filter(|b| b.ident.as_str() == "locals")
                            .find_map(|b| b.body.get_attribute(a.key.as_str()))
                            .and_then(|t| t.value.span())
                            .map(|r| (i, r))
                    });
                    if let (Some((i, r)), Some((text, from))) =
                        (target, a.value.span().and_then(&slice))
                    {
                        edits.push((i, edit(r, "", text, o.file, from, "")));
                    }
                }
                continue;
            }
            let Some((i, target)) =
                m.files.iter().enumerate().find_map(|(i, f)| {
                    f.body.blocks().find(|b| same_header(b, ob)).map(|b| (i, b))
                })
            else {
                continue;
            };
            edits.extend(
                merge_block(target, &ob.body, o.file, &slice)
                    .into_iter()
                    .map(|e| (i, e)),
            );
        }
        for i in 0..m.files.len() {
            let mine: Vec<Edit> = edits
                .iter()
                .filter(|(j, _)| *j == i)
                .map(|(_, e)| e.clone())
                .collect();
            if mine.is_empty() {
                continue;
            }
            let f = &m.files[i];
            let Some(merged) = rewrite(f.file, mine, sources) else {
                continue;
            };
            match parse_stored(merged, sources) {
                Ok(body) => {
                    m.files[i] = ParsedFile {
                        file: merged,
                        body,
                        stubbed: Vec::new(),
                    };
                }
                Err(e) => m.findings.push(*e),
            }
        }
    }
}

fn edit(
    range: Range<usize>,
    pre: &'static str,
    text: String,
    file: FileId,
    from: Range<usize>,
    post: &'static str,
) -> Edit {
    Edit {
        range,
        pre,
        text,
        file,
        from,
        post,
    }
}

/// The edits that merge the body of an override block into `target`.
fn merge_block(
    target: &Block,
    over: &Body,
    file: FileId,
    slice: &dyn Fn(Range<usize>) -> Option<(String, Range<usize>)>,
) -> Vec<Edit> {
    let mut out = Vec::new();
    let Some(tspan) = target.span() else {
        return out;
    };
    // Before the target's closing brace.
    let end = tspan.end.saturating_sub(1);
    for a in over.attributes() {
        let key = a.key.as_str();
        match target.body.get_attribute(key) {
            Some(t) => {
                if let (Some(r), Some((text, from))) =
                    (t.value.span(), a.value.span().and_then(slice))
                {
                    out.push(edit(r, "", text, file, from, ""));
                }
            }
            None => {
                if let Some((text, from)) = a.span().and_then(slice) {
                    out.push(edit(end..end, "\n", text, file, from, "\n"));
                }
            }
        }
    }
    let mut types: Vec<&str> = over.blocks().map(block_type).collect();
    types.dedup();
    for ty in &types {
        for tb in target.body.blocks().filter(|b| block_type(b) == *ty) {
            if let Some(r) = tb.span() {
                out.push(edit(r, "", String::new(), file, 0..0, ""));
            }
        }
    }
    for ob in over.blocks() {
        if let Some((text, from)) = ob.span().and_then(slice) {
            out.push(edit(end..end, "\n", text, file, from, "\n"));
        }
    }
    out
}

/// The text of `file` with `edits` applied, added to the source map as a derived text.
fn rewrite(file: FileId, mut edits: Vec<Edit>, sources: &SourceMap) -> Option<FileId> {
    let src = sources.get(file)?;
    let text = &src.text;
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut pieces: Vec<(Range<usize>, FileId, Range<usize>)> = Vec::new();
    let mut pos = 0usize;
    let keep = |out: &mut String, pieces: &mut Vec<_>, r: Range<usize>| {
        if let Some(t) = text.get(r.clone()) {
            let at = out.len();
            out.push_str(t);
            pieces.push((at..out.len(), file, r));
        }
    };
    for e in edits {
        if e.range.start < pos || e.range.end > text.len() {
            continue;
        }
        keep(&mut out, &mut pieces, pos..e.range.start);
        out.push_str(e.pre);
        if !e.text.is_empty() {
            let at = out.len();
            out.push_str(&e.text);
            pieces.push((at..out.len(), e.file, e.from));
        }
        out.push_str(e.post);
        pos = e.range.end;
    }
    keep(&mut out, &mut pieces, pos..text.len());
    Some(sources.add_derived(src.path.clone(), &out, Derived { of: file, pieces }))
}
