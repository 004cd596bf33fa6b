//! Nested deployments: inline templates, linked templates (`relativePath`, or a local tail of
//! `uri`), their parameters, scope and outputs.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use super::{Enclosing, LinkedDoc, MAX_LINKED_BYTES, MAX_NESTING, Tpl, origin};
use crate::frontend::arm::expr;
use crate::frontend::arm::json::JNode;
use crate::frontend::arm::tree::{Ev, EvKind, s, to_aval};
use crate::frontend::arm::value::AVal;
use crate::model::Val;
use crate::source::{PathOrigin, Span};

impl<'d, 'a> Tpl<'d, 'a> {
    // ----- nested deployments -------------------------------------------------------------

    /// A deployment whose template cannot be read: what it deploys is unknown.
    fn opaque(&self) -> AVal {
        self.loader.opaque.set(true);
        AVal::unknown()
    }

    /// Evaluates a nested deployment's template; returns its `outputs` object.
    pub(super) fn deployment(&self, node: &JNode, name: &Val<String>, cond_unknown: bool) -> AVal {
        let l = self.loader;
        let Some(props) = node.get("properties") else {
            return self.opaque();
        };
        if self.depth + 1 > MAX_NESTING {
            l.note(format!(
                "{}: nested deployments deeper than {MAX_NESTING} levels not followed",
                l.sources.path(self.file)
            ));
            return self.opaque();
        }
        let inner = props
            .get("expressionEvaluationOptions")
            .and_then(|o| o.get("scope"))
            .map(|sc| s(Some(&self.eval(sc))))
            .is_some_and(|v| v.eq_ci("inner") == Some(true));
        // Keeps a linked template alive while its scope borrows it.
        let linked: Option<Rc<LinkedDoc>>;
        let cached = props
            .get("templateLink")
            .and_then(|link| l.bicep_registry.borrow().get(&link.span).cloned());
        let (root, file, dir) = if let Some(t) = props.get("template") {
            (t, self.file, self.dir.clone())
        } else if let Some(c) = cached {
            // A Bicep registry module found in the user's restore cache.
            linked = crate::frontend::bicep::registry::read(l, &c);
            match linked.as_deref() {
                Some((doc, f, d)) => (&doc.root, *f, d.clone()),
                None => return self.opaque(),
            }
        } else if let Some(link) = props.get("templateLink") {
            let (rel, at) = match link.get("relativePath") {
                Some(r) => (s(Some(&self.eval(r))).get().cloned(), r.span),
                None => (
                    link.get("uri").and_then(|u| {
                        self.local_tail(&self.eval(u))
                            .or_else(|| self.literal_tail(u.as_str().unwrap_or_default(), 0))
                    }),
                    link.get("uri").map_or(link.span, |u| u.span),
                ),
            };
            // A link back to a template on the current chain (an absolute uri whose file name
            // matches a local template, often the template itself) would recurse to the depth
            // limit: such a link is remote, so opaque.
            if let Some(r) = &rel
                && std::fs::canonicalize(self.dir.join(r)).is_ok_and(|t| self.chain_has(&t))
            {
                l.note(format!(
                    "{}: linked template `{r}` of deployment `{}` is a template already on the link chain; treated as remote, its resources are unknown",
                    l.sources.path(self.file),
                    name.get().cloned().unwrap_or_default()
                ));
                return self.opaque();
            }
            match rel {
                Some(rel) => match self.read_linked(&rel, at) {
                    Some(x) => {
                        linked = Some(x);
                        match linked.as_deref() {
                            Some((doc, f, d)) => (&doc.root, *f, d.clone()),
                            None => return self.opaque(),
                        }
                    }
                    None => return self.opaque(),
                },
                None => {
                    l.note(format!(
                        "{}: linked template of deployment `{}` is not a local file; its resources are unknown",
                        l.sources.path(self.file),
                        name.get().cloned().unwrap_or_default()
                    ));
                    return self.opaque();
                }
            }
        } else {
            return self.opaque();
        };
        // Linked templates are always evaluated in their own scope.
        let inner = inner || file != self.file;
        let mut supplied = HashMap::new();
        if inner && let Some(ps) = props.get("parameters").and_then(JNode::as_object) {
            for p in ps {
                let v = match p.value.get("value") {
                    Some(v) => {
                        let e = self.eval(v);
                        // Where the value came from in the parent; a literal written there is
                        // itself the origin.
                        let origin = e.origins.first().cloned().or_else(|| {
                            // A deployment lowered from a Bicep `module` is named as one.
                            let label = match node.get(BICEP_MODULE).and_then(JNode::as_str) {
                                Some(m) => format!("value of `{}` passed by module `{m}`", p.key),
                                None => format!(
                                    "value of `{}` passed by deployment `{}`",
                                    p.key,
                                    name.get().map_or(&*name_fallback(node), String::as_str)
                                ),
                            };
                            origin(v.span, label)
                        });
                        (to_aval(&e), origin)
                    }
                    None => (AVal::unknown(), None),
                };
                supplied.insert(p.key.to_ascii_lowercase(), v);
            }
        }
        let cond = cond_unknown || self.cond_unknown;
        let child = Tpl::new(
            l,
            root,
            file,
            dir,
            self.depth + 1,
            supplied,
            if inner {
                None
            } else {
                Some(self.outer.unwrap_or(self as &dyn Enclosing))
            },
            Some(self as &dyn Enclosing),
            cond,
        );
        // SAFETY of lifetimes: `child` borrows `root`, which lives in `linked` or in the
        // parent's tree for the whole call.
        run_nested(&child)
    }

    /// A `templateLink.uri` that ends in a path present beside this template: the quickstart
    /// convention `uri(parameters('_artifactsLocation'), 'nested/x.json')`, where
    /// `_artifactsLocation` is the folder the main template was deployed from. The longest
    /// existing tail of the known text wins.
    fn local_tail(&self, uri: &Ev) -> Option<String> {
        let text = match &uri.kind {
            EvKind::Str(t) => t.as_str(),
            EvKind::Unknown(p) => p.suffix.as_str(),
            _ => return None,
        };
        let text = text.split(['?', '#']).next().unwrap_or_default();
        if !text.to_ascii_lowercase().ends_with(".json") {
            return None;
        }
        let segs: Vec<&str> = text.split('/').collect();
        let first = segs.len().saturating_sub(8);
        (first..segs.len())
            .map(|k| segs[k..].join("/"))
            .filter(|c| {
                !c.is_empty()
                    && !c.contains(':')
                    && !c.split('/').any(|x| x == ".." || x.is_empty())
            })
            .find(|c| self.dir.join(c).is_file())
    }

    /// When the uri cannot be evaluated at all (`uri()` over an Unknown base): a `.json`
    /// string literal written in the expression (or in the variable it names) that exists as a
    /// local file beside this template.
    fn literal_tail(&self, expr_text: &str, depth: usize) -> Option<String> {
        if depth > 2 || !expr::is_expression(expr_text) {
            return None;
        }
        for lit in string_literals(expr_text) {
            let lower = lit.to_ascii_lowercase();
            if lower.ends_with(".json") {
                let ev = Ev::new(Span::default(), EvKind::Str(lit.into()));
                if let Some(t) = self.local_tail(&ev) {
                    return Some(t);
                }
            }
        }
        // `[variables('x')]`: look at the variable's own text.
        let inner = expr_text.trim();
        let name = inner
            .strip_prefix("[variables('")
            .and_then(|r| r.strip_suffix("')]"))?;
        let vars = self.root.get("variables")?;
        let text = vars.get(name)?.as_str()?;
        self.literal_tail(text, depth + 1)
    }

    /// Reads (once per unit) and parses a linked template.
    fn read_linked(&self, rel: &str, at: Span) -> Option<Rc<LinkedDoc>> {
        let l = self.loader;
        let path = self.dir.join(rel);
        if let Some(cached) = l.linked_docs.borrow().get(&path) {
            return cached.clone();
        }
        let doc = self.read_linked_uncached(rel, &path, at).map(Rc::new);
        l.linked_docs.borrow_mut().insert(path, doc.clone());
        doc
    }

    fn read_linked_uncached(&self, rel: &str, path: &Path, at: Span) -> Option<LinkedDoc> {
        let l = self.loader;
        let path = path.to_path_buf();
        // `relativePath` is repository content: read only inside the scan root.
        let read = match l
            .sources
            .read_confined(&path, PathOrigin::Content, MAX_LINKED_BYTES)
        {
            Ok(r) => Some(r),
            Err(r) if r.is_confinement() => {
                l.findings.borrow_mut().push(crate::frontend::refused(
                    "linked template",
                    rel,
                    &r,
                    at,
                ));
                return None;
            }
            Err(_) => None,
        };
        let text = read
            .as_ref()
            .and_then(|r| std::str::from_utf8(&r.bytes).ok().map(str::to_string));
        let (Some(text), Some(read)) = (text, read) else {
            l.note(format!(
                "{}: linked template `{rel}` not found or not readable; its resources are unknown",
                l.sources.path(self.file)
            ));
            return None;
        };
        l.linked.borrow_mut().push(read.real.clone());
        let display = display_join(&l.sources.path(self.file), rel);
        let (id, stored) = l.sources.add_text(display, text, Some(&read));
        l.files.set(l.files.get() + 1);
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("bicep"))
        {
            // A Bicep module: lowered into a template with spans in the `.bicep` file.
            let shown = l.sources.path(id);
            let reader = crate::frontend::bicep::file_reader(l, &path, &shown);
            return match crate::frontend::bicep::lower_file(&stored, id, &shown, Some(&reader)) {
                Ok(lowered) => {
                    l.notes.borrow_mut().extend(lowered.notes);
                    crate::frontend::bicep::registry::register(lowered.registry, &path, l);
                    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                    Some((lowered.doc, id, dir))
                }
                Err(d) => {
                    l.findings.borrow_mut().push(d);
                    None
                }
            };
        }
        match crate::frontend::arm::json::parse(&stored, id) {
            Ok(doc) => {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                Some((doc, id, dir))
            }
            Err(e) => {
                l.findings.borrow_mut().push(crate::frontend::parse_error(
                    format!("linked template is not valid JSON: {}", e.message),
                    e.span,
                    e.message.clone(),
                ));
                None
            }
        }
    }

    /// The template's `outputs` as `{name: {value}}`.
    fn outputs(&self) -> AVal {
        let Some(outs) = self.root.get("outputs").and_then(JNode::as_object) else {
            return AVal::Object(Vec::new());
        };
        AVal::Object(
            outs.iter()
                .map(|o| {
                    let v = match o.value.get("value") {
                        Some(v) => to_aval(&self.eval(v)),
                        None => match o.value.get("copy") {
                            Some(c) => to_aval(&self.copy_variable(c)),
                            None => AVal::unknown(),
                        },
                    };
                    (
                        o.key.to_string(),
                        AVal::Object(vec![("value".to_string(), v)]),
                    )
                })
                .collect(),
        )
    }
}

/// Key the Bicep lowering adds to a deployment made from a `module` declaration: its
/// symbolic name, for labels.
pub const BICEP_MODULE: &str = "bicepModule";

/// A deployment's name as written, for labels.
fn name_fallback(node: &JNode) -> String {
    node.get("name")
        .and_then(JNode::as_str)
        .unwrap_or("<computed name>")
        .to_string()
}

/// Runs a nested template and returns its outputs.
fn run_nested(t: &Tpl<'_, '_>) -> AVal {
    t.run();
    t.outputs()
}

/// The single-quoted string literals of an expression text (`''` is an escaped quote).
fn string_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut lit = String::new();
        loop {
            match chars.next() {
                None => return out,
                Some('\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                    lit.push('\'');
                }
                Some('\'') => break,
                Some(ch) => lit.push(ch),
            }
        }
        out.push(lit);
    }
    out
}

/// `dir/of/parent.json` + `nested/x.json` → `dir/of/nested/x.json` (display form, `/`).
pub fn display_join(parent: &str, rel: &str) -> String {
    let base = parent.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = if base.is_empty() {
        Vec::new()
    } else {
        base.split('/').collect()
    };
    for seg in rel.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(seg),
        }
    }
    parts.join("/")
}
