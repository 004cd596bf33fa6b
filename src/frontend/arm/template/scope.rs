//! `reference()`, `resourceInfo()` and the [`Scope`] the expression evaluator sees.

use super::{PVal, Tpl};
use crate::frontend::arm::expr::Scope;
use crate::frontend::arm::ids::parse_id;
use crate::frontend::arm::value::{AVal, RuntimeRef};
use crate::model::{Origin, Partial};

impl Tpl<'_, '_> {
    // ----- reference() --------------------------------------------------------------------

    pub(super) fn find_local(&self, text: &str) -> Option<usize> {
        let decls = self.decls.borrow();
        if let Some(p) = parse_id(text) {
            let name = p.name();
            return decls.iter().position(|d| {
                d.rtype.eq_ignore_ascii_case(&p.rtype)
                    && d.name
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&name))
            });
        }
        if self.symbolic
            && let Some(i) = decls.iter().position(|d| {
                d.symbol
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(text))
            })
        {
            return Some(i);
        }
        // A bare name: unique among the declared resources.
        let mut hits = decls.iter().enumerate().filter(|(_, d)| {
            d.name
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(text))
        });
        let first = hits.next()?;
        if hits.next().is_some() {
            return None;
        }
        Some(first.0)
    }

    /// The runtime value of declared resource `i` (not a deployment): by its name, or by its
    /// placeholder key when the name is Unknown. `None` for loops, whose instances differ.
    fn decl_runtime(&self, i: usize) -> Option<AVal> {
        let decls = self.decls.borrow();
        let d = decls.get(i)?;
        let name = match &d.name {
            AVal::Str(n) => n.clone(),
            _ if d.has_copy => return None,
            _ => self.placeholder(d.name_start),
        };
        Some(AVal::Runtime(Box::new(RuntimeRef {
            rtype: d.rtype.clone(),
            name,
            path: Vec::new(),
        })))
    }

    /// `reference()` whose target could not be evaluated (a name built from `uniqueString()`,
    /// say): when the expression holds a single `reference(...)` whose argument is written
    /// exactly like the name of one resource of this template (`variables('appName')`, or
    /// `resourceId('Microsoft.Web/sites', variables('appName'))`), it is that resource. Equal
    /// text in one template scope is an equal value at deployment (`copyIndex()` excepted).
    fn reference_by_text(&self, full: bool) -> Option<AVal> {
        let text = normalize(&self.cur_expr.borrow().last()?.0);
        if text.contains("copyindex(") {
            return None;
        }
        let calls = find_calls(&text, "reference(");
        let [args] = calls.as_slice() else {
            return None;
        };
        let target = args.first()?;
        let (rtype, name_text) = match find_calls(target, "resourceid(").as_slice() {
            [rid] if target.starts_with("resourceid(") => {
                // resourceId([subscriptionId,] [resourceGroup,] 'type', name)
                let at = rid
                    .iter()
                    .position(|a| a.starts_with('\'') && a.contains('/'))?;
                let [name] = &rid[at + 1..] else {
                    return None;
                };
                (Some(rid[at].trim_matches('\'').to_string()), name.clone())
            }
            [] => (None, target.clone()),
            _ => return None,
        };
        let hits: Vec<usize> = {
            let decls = self.decls.borrow();
            decls
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    !d.existing
                        && !d.has_copy
                        && d.name.as_str().is_none()
                        && d.name_expr.as_deref() == Some(name_text.as_str())
                        && rtype
                            .as_deref()
                            .is_none_or(|t| d.rtype.eq_ignore_ascii_case(t))
                })
                .map(|(i, _)| i)
                .collect()
        };
        let [i] = hits.as_slice() else {
            return None;
        };
        let is_deployment = self.decls.borrow().get(*i).is_some_and(|d| {
            d.rtype
                .eq_ignore_ascii_case("Microsoft.Resources/deployments")
        });
        if is_deployment {
            let outputs = self.expand_decl_at(*i, true);
            let obj = AVal::Object(vec![("outputs".to_string(), outputs)]);
            return Some(if full {
                AVal::Object(vec![("properties".to_string(), obj)])
            } else {
                obj
            });
        }
        self.decl_runtime(*i)
    }
}

/// Expression text for comparison: whitespace outside string literals removed, and
/// everything outside literals lower-cased (function names are case-insensitive).
pub(super) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_lit = false;
    for c in text.chars() {
        if c == '\'' {
            in_lit = !in_lit;
            out.push(c);
        } else if in_lit {
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The argument lists (normalised text) of every call of `name` (`"reference("`) outside
/// string literals.
fn find_calls(text: &str, name: &str) -> Vec<Vec<String>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut in_lit = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\'' {
            in_lit = !in_lit;
        } else if !in_lit
            && bytes[i..].starts_with(name.as_bytes())
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
            && let Some(args) = call_args(text, i + name.len())
        {
            out.push(args);
        }
        i += 1;
    }
    out
}

/// Splits the arguments of a call whose `(` ends just before `start`; `None` when unbalanced.
fn call_args(text: &str, start: usize) -> Option<Vec<String>> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut in_lit = false;
    let mut cur = String::new();
    for c in text.get(start..)?.chars() {
        match c {
            '\'' => {
                in_lit = !in_lit;
                cur.push(c);
            }
            _ if in_lit => cur.push(c),
            '(' | '[' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' if depth == 0 => {
                if !cur.is_empty() || !args.is_empty() {
                    args.push(cur);
                }
                return Some(args);
            }
            ')' | ']' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => args.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    None
}

/// What a nested template asks of the template that contains it.
pub trait Enclosing {
    /// A parameter (`params`) or variable of this template (or of its own outer scope).
    fn lookup_up(&self, params: bool, name: &str) -> Option<PVal>;
    /// `reference()` to a resource declared here or further out; `None` when not found.
    fn reference_up(&self, target: &AVal, full: bool) -> Option<AVal>;
    /// Whether the canonical `path` is the file of this template or of one enclosing it (the
    /// current link chain).
    fn chain_has(&self, path: &std::path::Path) -> bool;
}

impl Enclosing for Tpl<'_, '_> {
    fn lookup_up(&self, params: bool, name: &str) -> Option<PVal> {
        self.lookup(params, name)
    }

    fn chain_has(&self, path: &std::path::Path) -> bool {
        let mine = self.canon.get_or_init(|| {
            let display = self.loader.sources.path(self.file);
            std::path::Path::new(&display)
                .file_name()
                .and_then(|n| std::fs::canonicalize(self.dir.join(n)).ok())
        });
        mine.as_deref() == Some(path) || self.parent.is_some_and(|p| p.chain_has(path))
    }

    fn reference_up(&self, target: &AVal, full: bool) -> Option<AVal> {
        let text = match target {
            AVal::Str(t) => t.as_str(),
            AVal::Unknown(p) if p.suffix.contains("/providers/") => p.suffix.as_str(),
            _ => return None,
        };
        let Some(i) = self.find_local(text) else {
            return self.parent.and_then(|p| p.reference_up(target, full));
        };
        let (rtype, existing, has_copy) = {
            let decls = self.decls.borrow();
            let d = decls.get(i)?;
            (d.rtype.clone(), d.existing, d.has_copy)
        };
        if existing {
            return Some(AVal::unknown());
        }
        if rtype.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            if has_copy {
                return Some(AVal::unknown());
            }
            let outputs = self.expand_decl_at(i, true);
            let obj = AVal::Object(vec![("outputs".to_string(), outputs)]);
            return Some(if full {
                AVal::Object(vec![("properties".to_string(), obj)])
            } else {
                obj
            });
        }
        Some(self.decl_runtime(i).unwrap_or_else(AVal::unknown))
    }
}

/// `reference(<id>)` of a resource declared in no template on the way up (a module's
/// resource, or one outside the scan): a runtime value of that resource when the id's type and
/// name are known; the model resolves it, or leaves it Unknown when the resource is not there.
fn id_runtime(target: &AVal) -> AVal {
    let text = match target {
        AVal::Str(t) => t.as_str(),
        AVal::Unknown(p) => p.suffix.as_str(),
        _ => return AVal::unknown(),
    };
    match parse_id(text) {
        Some(p)
            if !p
                .rtype
                .eq_ignore_ascii_case("Microsoft.Resources/deployments") =>
        {
            AVal::Runtime(Box::new(RuntimeRef {
                name: p.name(),
                rtype: p.rtype,
                path: Vec::new(),
            }))
        }
        _ => AVal::unknown(),
    }
}

/// An id-shaped value for `resourceInfo(...).id`: the known provider suffix.
fn id_suffix(rtype: &str, name: &str) -> AVal {
    let tsegs: Vec<&str> = rtype.split('/').collect();
    let nsegs: Vec<&str> = name.split('/').collect();
    if tsegs.len() != nsegs.len() + 1 {
        return AVal::unknown();
    }
    let mut out = format!("/providers/{}/{}/{}", tsegs[0], tsegs[1], nsegs[0]);
    for (t, n) in tsegs[2..].iter().zip(&nsegs[1..]) {
        out.push('/');
        out.push_str(t);
        out.push('/');
        out.push_str(n);
    }
    AVal::Unknown(Box::new(Partial {
        prefix: "/subscriptions/".to_string(),
        suffix: out,
        ..Partial::default()
    }))
}

impl Scope for Tpl<'_, '_> {
    fn here(&self) -> Option<crate::source::Span> {
        self.cur_expr.borrow().last().map(|(_, s)| *s)
    }

    fn parameter(&self, name: &str) -> Option<(AVal, Option<Origin>)> {
        self.lookup(true, name)
    }

    fn variable(&self, name: &str) -> Option<(AVal, Option<Origin>)> {
        self.lookup(false, name)
    }

    fn copy_index(&self, loop_name: Option<&str>) -> Option<i64> {
        let c = self.copy.borrow();
        match loop_name {
            None => c.last().and_then(|(_, i)| *i),
            Some(n) => c
                .iter()
                .rev()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .and_then(|(_, i)| *i),
        }
    }

    fn reference(&self, target: &AVal, full: bool) -> AVal {
        if let Some(v) = self.reference_up(target, full) {
            return v;
        }
        match id_runtime(target) {
            AVal::Unknown(_) => self.reference_by_text(full).unwrap_or_else(AVal::unknown),
            v => v,
        }
    }

    fn resource_info(&self, symbol: &str) -> AVal {
        let decls = self.decls.borrow();
        let Some(d) = decls.iter().find(|d| {
            d.symbol
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(symbol))
        }) else {
            return AVal::unknown();
        };
        let id = match d.name.as_str() {
            Some(n) => id_suffix(&d.rtype, n),
            None => AVal::unknown(),
        };
        let api = d
            .api_version
            .as_ref()
            .map_or_else(AVal::unknown, |v| AVal::Str(v.clone()));
        AVal::Object(vec![
            ("id".to_string(), id),
            ("name".to_string(), d.name.clone()),
            ("type".to_string(), AVal::Str(d.rtype.clone())),
            ("apiVersion".to_string(), api),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_arguments_by_text() {
        let t = normalize(
            "concat(Reference( resourceId('Microsoft.Web/sites', variables('a b')) ).x, 'reference(')",
        );
        let calls = find_calls(&t, "reference(");
        assert_eq!(calls.len(), 1);
        assert_eq!(
            calls[0],
            ["resourceid('Microsoft.Web/sites',variables('a b'))"]
        );
        // Non-ASCII outside literals and unbalanced calls do not panic.
        assert!(find_calls(&normalize("é reference(ü"), "reference(").is_empty());
        assert_eq!(
            find_calls("reference()", "reference("),
            [Vec::<String>::new()]
        );
    }
}
