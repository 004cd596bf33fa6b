//! `reference()`, `resourceInfo()` and the [`Scope`] the expression evaluator sees.

use super::{PVal, Tpl};
use crate::frontend::arm::expr::Scope;
use crate::frontend::arm::ids::parse_id;
use crate::frontend::arm::json::JNode;
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
}

/// What a nested template asks of the template that contains it.
pub trait Enclosing {
    /// A parameter (`params`) or variable of this template (or of its own outer scope).
    fn lookup_up(&self, params: bool, name: &str) -> Option<PVal>;
    /// `reference()` to a resource declared here or further out; `None` when not found.
    fn reference_up(&self, target: &AVal, full: bool) -> Option<AVal>;
}

impl Enclosing for Tpl<'_, '_> {
    fn lookup_up(&self, params: bool, name: &str) -> Option<PVal> {
        self.lookup(params, name)
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
        let (rtype, name, existing, has_copy) = {
            let decls = self.decls.borrow();
            let d = decls.get(i)?;
            (d.rtype.clone(), d.name.clone(), d.existing, d.has_copy)
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
        Some(match name {
            AVal::Str(n) => AVal::Runtime(RuntimeRef {
                rtype,
                name: n,
                path: Vec::new(),
            }),
            _ => AVal::unknown(),
        })
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
            AVal::Runtime(RuntimeRef {
                name: p.name(),
                rtype: p.rtype,
                path: Vec::new(),
            })
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
    AVal::Unknown(Partial {
        prefix: "/subscriptions/".to_string(),
        suffix: out,
    })
}

impl Scope for Tpl<'_, '_> {
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
        self.reference_up(target, full)
            .unwrap_or_else(|| id_runtime(target))
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
            .node
            .get("apiVersion")
            .and_then(JNode::as_str)
            .map_or_else(AVal::unknown, |v| AVal::Str(v.to_string()));
        AVal::Object(vec![
            ("id".to_string(), id),
            ("name".to_string(), d.name.clone()),
            ("type".to_string(), AVal::Str(d.rtype.clone())),
            ("apiVersion".to_string(), api),
        ])
    }
}
