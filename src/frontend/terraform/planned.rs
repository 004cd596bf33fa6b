//! A plan JSON linted without its `.tf` sources: each planned resource is written out as a
//! resource block (generated text, never shown) and mapped by the same code as the sources;
//! every location is then moved to the resource's entry in the plan file
//! ([`ModuleFrame::synthetic`], `crate::relocate`). Values the plan does not know are Unknown;
//! provider zero values (`""`, null) and blocks the plan leaves unknown are not written, so
//! they read as not set. References between resources are not in a plan's values, so checks
//! across resources are skipped.

use std::fmt::Write as _;

use hcl::edit::expr::Expression;

use super::eval::{Scope, eval};
use super::expand::{Binds, Evaluator, Node};
use super::map::{Mapper, ResInst};
use super::value::TVal;
use crate::frontend::UnitOutput;
use crate::frontend::tfplan::Plan;
use crate::model::{ModuleFrame, Origin, Partial, UnitId, Val, Why};
use crate::source::SourceMap;

/// Depth bound when writing values.
const MAX_DEPTH: usize = 64;

/// Lints `plan` alone as unit `unit`.
pub fn load_plan_alone(plan: &Plan, unit: UnitId, sources: &SourceMap) -> UnitOutput {
    let mut text = String::new();
    let mut order: Vec<(&String, &String)> = plan.types.iter().collect();
    order.sort();
    let mut addresses = Vec::new();
    for (i, (address, rtype)) in order.iter().enumerate() {
        let Some((TVal::Map(attrs), _)) = plan.resources.get(*address) else {
            continue;
        };
        let _ = writeln!(text, "resource \"{rtype}\" \"r{i}\" {{");
        body(&mut text, attrs, 1);
        text.push_str("}\n");
        addresses.push(((*address).clone(), (*rtype).clone()));
    }
    let file = sources.add(format!("{} (generated)", plan.display), &text);
    let mut out = UnitOutput {
        notes: vec![format!(
            "{}: no Terraform sources found for this plan; linted from its planned values alone, findings point at the resources in the plan (checks across resources are skipped)",
            plan.display
        )],
        ..UnitOutput::default()
    };
    let Ok(parsed) = hcl::edit::parser::parse_body(&text) else {
        return out;
    };
    let ev = PlanEval {
        unit,
        why: Why::new(format!("known only after apply ({})", plan.display), None),
    };
    let mut mapper = Mapper::default();
    let mut frames = Vec::new();
    for (b, (address, rtype)) in parsed.blocks().zip(addresses.iter()) {
        let node = Node::top(b, file, Binds::default(), &ev);
        let header = super::parse::header_span(b, file);
        let plan_span = plan.resources.get(address).map_or(header, |(_, sp)| *sp);
        mapper.add(&ResInst {
            rtype: rtype.clone(),
            address: address.clone(),
            header,
            node,
            condition: Val::absent(),
        });
        frames.push(ModuleFrame {
            prefix: address.clone(),
            name: address.clone(),
            display: plan.display.clone(),
            files: vec![file],
            foreign: true,
            call: plan_span,
            call_block: plan_span,
            inputs: Vec::new(),
            synthetic: true,
        });
    }
    out.model = mapper.finish();
    out.model.module_frames = frames;
    out
}

/// Writes the attributes and nested blocks of one object.
fn body(out: &mut String, attrs: &[(String, TVal)], depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let pad = "  ".repeat(depth);
    for (k, v) in attrs {
        if !is_ident(k) {
            continue;
        }
        match v {
            // Provider zero values and unset attributes: not written.
            TVal::Null => {}
            TVal::Str(s) if s.is_empty() => {}
            // A list of objects is a nested block type (the plan writes every block as a list).
            TVal::List(items)
                if !items.is_empty() && items.iter().all(|x| matches!(x, TVal::Map(_))) =>
            {
                for x in items {
                    if let TVal::Map(inner) = x {
                        let _ = writeln!(out, "{pad}{k} {{");
                        body(out, inner, depth + 1);
                        let _ = writeln!(out, "{pad}}}");
                    }
                }
            }
            // An unknown block list, or an empty one: not written (a block the plan does not
            // know is usually an Optional+Computed block that was not set).
            TVal::List(items) if items.is_empty() => {}
            _ => {
                let mut s = String::new();
                if literal(&mut s, v, depth) {
                    let _ = writeln!(out, "{pad}{k} = {s}");
                }
            }
        }
    }
}

/// An HCL literal for `v`; `var.unknown` for an Unknown part. False for a value that cannot
/// be written.
fn literal(out: &mut String, v: &TVal, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        TVal::Null => out.push_str("null"),
        TVal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        TVal::Number(n) => {
            if !n.is_finite() {
                return false;
            }
            let _ = write!(out, "{n}");
        }
        TVal::Str(s) => {
            let Ok(q) = serde_json::to_string(s) else {
                return false;
            };
            // HCL templates: `${` and `%{` start interpolations; escape them.
            out.push_str(&q.replace("${", "$${").replace("%{", "%%{"));
        }
        TVal::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !literal(out, x, depth + 1) {
                    return false;
                }
            }
            out.push(']');
        }
        TVal::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let Ok(q) = serde_json::to_string(k) else {
                    return false;
                };
                out.push_str(&q.replace("${", "$${").replace("%{", "%%{"));
                out.push_str(" = ");
                if !literal(out, x, depth + 1) {
                    return false;
                }
            }
            out.push('}');
        }
        TVal::Unknown(_) | TVal::Runtime(_) => out.push_str("var.unknown"),
    }
    true
}

fn is_ident(k: &str) -> bool {
    let mut c = k.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_' || x == '-')
}

/// Evaluates the generated text: `var.unknown` is Unknown (known only after apply).
struct PlanEval {
    unit: UnitId,
    why: Why,
}

impl Scope for PlanEval {
    fn var(&self, _: &str) -> Option<(TVal, Option<Origin>)> {
        Some((TVal::Unknown(Partial::because(self.why.clone())), None))
    }
    fn local(&self, _: &str) -> Option<(TVal, Option<Origin>)> {
        None
    }
    fn module_output(&self, _: &str, _: &str) -> Option<TVal> {
        None
    }
    fn resource(&self, _: &str, _: &str) -> Option<TVal> {
        None
    }
    fn iterator(&self, _: &str) -> Option<TVal> {
        None
    }
}

impl Evaluator for PlanEval {
    fn eval_expr(&self, expr: &Expression, _: &Binds) -> (TVal, Vec<Origin>) {
        let e = eval(expr, self);
        (e.value, e.origins)
    }
    fn unit(&self) -> UnitId {
        self.unit
    }
}
