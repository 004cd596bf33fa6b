//! Terraform / OpenTofu plan JSON (`terraform show -json plan.out`): values for the Terraform
//! front-end, "source first, plan fills".
//!
//! The plan has no source positions and omits `dynamic` blocks from `configuration`, so it
//! supplies values, never spans: root variable values, data sources read at plan time
//! (`prior_state`), the exact instances of `count` / `for_each`, and the planned values of
//! resources (`resource_changes[].change.after`). Values the plan does not know
//! (`after_unknown`) and sensitive values (`after_sensitive`, sensitive variables) are Unknown:
//! they never reach a message. Format versions 0.x and 1.x are read; a newer major version is
//! refused (the format's own compatibility rule).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::frontend::terraform::value::{TVal, tval_from_json};
use crate::model::{Origin, Partial, Why};
use crate::source::{FileId, SourceMap, Span};

/// Depth bound when converting plan values.
const MAX_DEPTH: usize = 96;

/// A plan JSON file, read.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The file in the source map.
    pub file: FileId,
    /// How it is printed.
    pub display: String,
    /// Its path.
    pub path: PathBuf,
    /// `format_version`.
    pub format_version: String,
    /// Root variable values (sensitive ones Unknown), with the span of each value.
    pub variables: HashMap<String, (TVal, Span)>,
    /// Data sources read at plan time (`prior_state`), by address (`module.a.data.t.n[0]`).
    pub data: HashMap<String, TVal>,
    /// Managed resource instances by address: planned values (`after`, unknown and sensitive
    /// parts Unknown) and the span of the address in the plan.
    pub resources: HashMap<String, (TVal, Span)>,
    /// Addresses of the managed resource instances that exist after the plan (not deleted).
    pub live: HashSet<String>,
    /// Resource types by address.
    pub types: HashMap<String, String>,
}

/// Why a file is not a plan agwlint can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// Not a plan JSON at all.
    NotPlan(String),
    /// A plan in a format version agwlint does not read.
    Version(String),
}

/// True when `json` has the top level of a plan: `format_version` and `planned_values` or
/// `resource_changes` (the test checkov and trivy use).
pub fn is_plan(json: &Value) -> bool {
    json.get("format_version").is_some()
        && (json.get("planned_values").is_some() || json.get("resource_changes").is_some())
}

/// A quick test on text before parsing it: every plan JSON has these keys.
pub fn may_be_plan(text: &str) -> bool {
    let has = crate::source::has;
    has(text, "\"format_version\"")
        && (has(text, "\"resource_changes\"") || has(text, "\"planned_values\""))
}

/// Reads a plan from `text` (already in the source map as `file`).
pub fn parse(path: &Path, display: &str, text: &str, file: FileId) -> Result<Plan, PlanError> {
    let json: Value = serde_json::from_str(text)
        .map_err(|e| PlanError::NotPlan(format!("{display} is not JSON: {e}")))?;
    if !is_plan(&json) {
        return Err(PlanError::NotPlan(format!(
            "{display} is not a Terraform plan JSON (no `format_version` with `resource_changes` or `planned_values`; make it with `terraform show -json plan.out`)"
        )));
    }
    let version = json
        .get("format_version")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u64>().ok());
    if !matches!(major, Some(0 | 1)) {
        return Err(PlanError::Version(format!(
            "{display}: plan format_version `{version}` is not supported (agwlint reads 0.x and 1.x; a new major version may change the format's meaning)"
        )));
    }
    let mut plan = Plan {
        file,
        display: display.to_string(),
        path: path.to_path_buf(),
        format_version: version,
        ..Plan::default()
    };
    let finder = Finder { text, file };
    let sensitive_vars: HashSet<String> = json
        .pointer("/configuration/root_module/variables")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter(|(_, v)| v.get("sensitive").and_then(Value::as_bool) == Some(true))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    if let Some(vars) = json.get("variables").and_then(Value::as_object) {
        for (name, v) in vars {
            let Some(value) = v.get("value") else {
                continue;
            };
            let tv = if sensitive_vars.contains(name) {
                sensitive(display)
            } else {
                tval_from_json(value)
            };
            let span = finder.key(&["\"variables\"", &format!("\"{name}\"")]);
            plan.variables.insert(name.clone(), (tv, span));
        }
    }
    if let Some(root) = json.pointer("/prior_state/values/root_module") {
        collect_data(root, display, &mut plan.data, 0);
    }
    if let Some(changes) = json.get("resource_changes").and_then(Value::as_array) {
        for rc in changes {
            if rc.get("mode").and_then(Value::as_str) != Some("managed") {
                continue;
            }
            let Some(address) = rc.get("address").and_then(Value::as_str) else {
                continue;
            };
            // A deposed object is an old instance being replaced, not the planned one.
            if rc.get("deposed").is_some() {
                continue;
            }
            let change = rc.get("change");
            let actions: Vec<&str> = change
                .and_then(|c| c.get("actions"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let deleted = actions.contains(&"delete") && !actions.contains(&"create");
            if deleted || actions.contains(&"forget") && !actions.contains(&"create") {
                continue;
            }
            let after = change.and_then(|c| c.get("after")).unwrap_or(&Value::Null);
            let unknown = change.and_then(|c| c.get("after_unknown"));
            let sens = change.and_then(|c| c.get("after_sensitive"));
            let tv = merge(after, unknown, sens, display, 0);
            let span = finder.key(&[&format!("\"address\":\"{}\"", escape(address))]);
            plan.live.insert(address.to_string());
            if let Some(t) = rc.get("type").and_then(Value::as_str) {
                plan.types.insert(address.to_string(), t.to_string());
            }
            plan.resources.insert(address.to_string(), (tv, span));
        }
    }
    Ok(plan)
}

/// JSON string escaping of an address (`module.a["k"]` → `module.a[\"k\"]`).
fn escape(s: &str) -> String {
    serde_json::to_string(s)
        .map(|q| q.trim_matches('"').to_string())
        .unwrap_or_else(|_| s.to_string())
}

/// Finds where keys are written in the plan text (for origin labels).
struct Finder<'t> {
    text: &'t str,
    file: FileId,
}

impl Finder<'_> {
    /// The span of the last of `needles`, each searched after the previous; the file start
    /// when not found (the plan is usually one line).
    fn key(&self, needles: &[&str]) -> Span {
        let mut from = 0;
        let mut found = None;
        for n in needles {
            match self.text.get(from..).and_then(|t| t.find(n)) {
                Some(i) => {
                    found = Some((from + i, from + i + n.len()));
                    from += i + n.len();
                }
                None => return Span::new(self.file, 0..0),
            }
        }
        found.map_or(Span::new(self.file, 0..0), |(s, e)| {
            Span::new(self.file, s..e)
        })
    }
}

fn sensitive(display: &str) -> TVal {
    TVal::Unknown(Partial::because(Why::new(
        format!("the value is sensitive in {display}"),
        None,
    )))
}

fn known_after_apply(display: &str) -> TVal {
    TVal::Unknown(Partial::because(Why::new(
        format!("the value is known only after apply ({display})"),
        None,
    )))
}

/// `after` with `after_unknown` / `after_sensitive` applied: an unknown or sensitive part is
/// Unknown (an unknown attribute is absent from `after`).
fn merge(
    after: &Value,
    unknown: Option<&Value>,
    sens: Option<&Value>,
    display: &str,
    depth: usize,
) -> TVal {
    if depth > MAX_DEPTH {
        return TVal::unknown();
    }
    if unknown == Some(&Value::Bool(true)) {
        return known_after_apply(display);
    }
    if sens == Some(&Value::Bool(true)) {
        return sensitive(display);
    }
    match after {
        Value::Object(o) => {
            let mut out: Vec<(String, TVal)> = o
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        merge(
                            v,
                            unknown.and_then(|u| u.get(k)),
                            sens.and_then(|s| s.get(k)),
                            display,
                            depth + 1,
                        ),
                    )
                })
                .collect();
            if let Some(Value::Object(u)) = unknown {
                for (k, v) in u {
                    if v == &Value::Bool(true) && !o.contains_key(k) {
                        out.push((k.clone(), known_after_apply(display)));
                    }
                }
            }
            TVal::Map(out)
        }
        Value::Array(a) => TVal::List(
            a.iter()
                .enumerate()
                .map(|(i, v)| {
                    merge(
                        v,
                        unknown.and_then(|u| u.get(i)),
                        sens.and_then(|s| s.get(i)),
                        display,
                        depth + 1,
                    )
                })
                .collect(),
        ),
        Value::Null if unknown.is_some_and(|u| u != &Value::Bool(false)) => {
            known_after_apply(display)
        }
        other => tval_from_json(other),
    }
}

fn collect_data(module: &Value, display: &str, out: &mut HashMap<String, TVal>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if r.get("mode").and_then(Value::as_str) != Some("data") {
            continue;
        }
        let Some(address) = r.get("address").and_then(Value::as_str) else {
            continue;
        };
        let values = r.get("values").unwrap_or(&Value::Null);
        let tv = merge(values, None, r.get("sensitive_values"), display, 0);
        out.insert(address.to_string(), tv);
    }
    for c in module
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_data(c, display, out, depth + 1);
    }
}

impl Plan {
    /// The origin label of a value taken from the plan.
    pub fn origin(&self, span: Span, what: &str) -> Origin {
        Origin {
            span,
            label: format!("{what} in {}", self.display),
        }
    }

    /// A data source's values by its address (`module.a.data.t.n`); with `count` or
    /// `for_each` (instances `…[0]`, `…["k"]`), a list or map of them.
    pub fn data_source(&self, address: &str) -> Option<TVal> {
        if let Some(v) = self.data.get(address) {
            return Some(v.clone());
        }
        let prefix = format!("{address}[");
        let mut items: Vec<(&str, &TVal)> = self
            .data
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(&prefix)
                    .and_then(|r| r.strip_suffix(']'))
                    .filter(|r| !r.contains('['))
                    .map(|r| (r, v))
            })
            .collect();
        if items.is_empty() {
            return None;
        }
        items.sort_by(|a, b| a.0.cmp(b.0));
        if items.iter().all(|(k, _)| k.parse::<usize>().is_ok()) {
            items.sort_by_key(|(k, _)| k.parse::<usize>().unwrap_or(0));
            Some(TVal::List(
                items.into_iter().map(|(_, v)| v.clone()).collect(),
            ))
        } else {
            Some(TVal::Map(
                items
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            serde_json::from_str::<String>(k).unwrap_or_else(|_| k.to_string()),
                            v.clone(),
                        )
                    })
                    .collect(),
            ))
        }
    }

    /// The instance keys of the resource (or module call) at `base` (`module.a.t.n`): `[0]`
    /// suffixes as numbers, `["k"]` as strings; `None` when the plan has no indexed instance.
    pub fn instance_keys(&self, base: &str) -> Option<Vec<TVal>> {
        let prefix = format!("{base}[");
        let mut keys: Vec<String> = Vec::new();
        for a in self.resources.keys() {
            let Some(rest) = a.strip_prefix(&prefix) else {
                continue;
            };
            // The key runs to the matching `]` (a string key may hold `]`).
            let key = match rest.strip_prefix('"') {
                Some(r) => {
                    let mut end = None;
                    let mut esc = false;
                    for (i, c) in r.char_indices() {
                        match c {
                            '\\' if !esc => esc = true,
                            '"' if !esc => {
                                end = Some(i);
                                break;
                            }
                            _ => esc = false,
                        }
                    }
                    end.map(|e| format!("\"{}\"", &r[..e]))
                }
                None => rest.find(']').map(|e| rest[..e].to_string()),
            };
            if let Some(k) = key
                && !keys.contains(&k)
            {
                keys.push(k);
            }
        }
        if keys.is_empty() {
            return None;
        }
        keys.sort();
        let vals: Vec<TVal> = keys
            .iter()
            .map(|k| match k.parse::<f64>() {
                Ok(n) => TVal::Number(n),
                Err(_) => {
                    TVal::Str(serde_json::from_str::<String>(k).unwrap_or_else(|_| k.clone()))
                }
            })
            .collect();
        let mut vals = vals;
        if vals.iter().all(|v| matches!(v, TVal::Number(_))) {
            vals.sort_by(|a, b| {
                a.as_f64()
                    .partial_cmp(&b.as_f64())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        }
        Some(vals)
    }
}

/// Reads and parses a plan file into the source map.
///
/// A plan named on the command line is read wherever it is; a plan found among the scanned files
/// is repository content and read through [`SourceMap::read_confined`].
pub fn load(
    path: &Path,
    display: &str,
    sources: &SourceMap,
    origin: crate::source::PathOrigin,
) -> Result<Plan, PlanError> {
    let read = sources
        .read_confined(path, origin, crate::discover::MAX_FILE_BYTES)
        .map_err(|r| PlanError::NotPlan(format!("cannot read plan {display}: {}", r.reason())))?;
    let text = String::from_utf8(read.bytes)
        .map_err(|_| PlanError::NotPlan(format!("plan {display} is not UTF-8 text")))?;
    let file = sources.add(display.to_string(), &text);
    parse(path, display, &text, file)
}

#[cfg(test)]
mod tests;

/// The plans named by `--plan` ([`gather`]).
#[derive(Debug, Default)]
pub struct Gathered {
    /// Plans read.
    pub plans: Vec<std::sync::Arc<Plan>>,
    /// Usage errors (exit 2): a named file that is not a plan, a plan format too new.
    pub errors: Vec<String>,
    /// The canonical paths of the plans read: a scanned file among them is not read again
    /// ([`found`]).
    pub named: Vec<PathBuf>,
}

/// True when the start of a file looks like plan JSON (`terraform show -json` writes
/// `format_version` and `terraform_version` first). The template loader asks it of every JSON
/// file it reads, and hands those that do to [`found`].
pub fn looks_like_plan(bytes: &[u8]) -> bool {
    // The two keys are ASCII: found in the bytes as in their lossy UTF-8 reading.
    let head = &bytes[..bytes.len().min(1024)];
    memchr::memmem::find(head, b"\"format_version\"").is_some()
        && memchr::memmem::find(head, b"\"terraform_version\"").is_some()
}

/// Reads the plans named on the command line (`explicit`, printed with `shown`).
pub fn gather(explicit: &[(PathBuf, String)], sources: &SourceMap) -> Gathered {
    let mut out = Gathered::default();
    for (p, shown) in explicit {
        match load(p, shown, sources, crate::source::PathOrigin::CommandLine) {
            Ok(plan) => {
                out.named.push(canonical(p));
                out.plans.push(std::sync::Arc::new(plan));
            }
            Err(PlanError::NotPlan(m) | PlanError::Version(m)) => out.errors.push(m),
        }
    }
    out
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// What a scanned JSON file whose start looks like a plan ([`looks_like_plan`]) is.
#[derive(Debug)]
pub enum Found {
    /// A plan, read into the source map.
    Plan(std::sync::Arc<Plan>),
    /// A plan of a format this build does not read: a usage error (exit 2).
    Error(String),
    /// A plan also named by `--plan` (`named`), read already.
    Named,
    /// Not a plan after all: a template, or no JSON at all.
    NotPlan,
}

/// Reads a scanned file whose start looks like a plan (repository content, read through
/// [`SourceMap::read_confined`]); `named` holds the canonical paths of the plans named on the
/// command line.
pub fn found(path: &Path, display: &str, named: &[PathBuf], sources: &SourceMap) -> Found {
    if !named.is_empty() && named.contains(&canonical(path)) {
        return Found::Named;
    }
    match load(path, display, sources, crate::source::PathOrigin::Content) {
        Ok(plan) => Found::Plan(std::sync::Arc::new(plan)),
        Err(PlanError::Version(m)) => Found::Error(m),
        Err(PlanError::NotPlan(_)) => Found::NotPlan,
    }
}
