//! AGW058 probe-method-not-allowed: the probe path matches HTTP routes of the Function App,
//! but none of them accepts GET, the method health probes send.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;
use crate::model::query_app::{match_path, probe_targets};

/// See the module docs.
pub struct ProbeMethodNotAllowed;

static META: RuleMeta = RuleMeta {
    id: "AGW058",
    name: "probe-method-not-allowed",
    severity: Severity::Warning,
    summary: "The functions the probe path reaches do not accept GET, the method probes send",
    page: include_str!("../../rules/AGW058.md"),
};

impl Rule for ProbeMethodNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for t in probe_targets(model, gw) {
                let m = match_path(t.app, &t.path);
                if m.outside || m.maybe || m.hits.is_empty() {
                    continue;
                }
                if !m.hits.iter().all(|f| f.allows("GET") == Some(false)) {
                    continue;
                }
                if t.accepts(404) != Some(false) || t.accepts(405) != Some(false) {
                    continue;
                }
                let Some(f) = m.hits.first() else { continue };
                let fname = f.name.display_name();
                let methods = f.methods.get().map(|m| m.join(", ")).unwrap_or_else(|| {
                    f.model
                        .default_methods()
                        .map(|d| d.join(", "))
                        .unwrap_or_default()
                });
                let finding = cx
                    .finding(
                        format!(
                            "probe \"{}\" of gateway \"{}\" sends GET to \"{}\", but function \
                             \"{fname}\" of Function App \"{}\" accepts only {methods}",
                            t.probe.name.get().cloned().unwrap_or_default(),
                            gw.res.display_name(),
                            t.path,
                            t.site.res.display_name()
                        ),
                        t.path_span,
                    )
                    .label("health probes send GET")
                    .related(
                        f.methods.span.unwrap_or(f.span),
                        format!("methods: {methods}"),
                    )
                    .help("add \"get\" to the health function's methods, or probe a GET route")
                    .origins(&t.probe.path)
                    .resource(&gw.res)
                    .property(format!(
                        "probes[{}].path",
                        t.probe.name.get().cloned().unwrap_or_default()
                    ));
                cx.emit(finding);
            }
        }
    }
}
