//! AGW056 probe-path-needs-function-key: the probe path reaches an HTTP-triggered function
//! whose auth level needs a key (`function` or `admin`). Probes carry no key: the function
//! answers 401, every member turns Unhealthy, and the gateway answers 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;
use crate::model::query_app::{best_hits, match_path, probe_targets};

/// See the module docs.
pub struct ProbePathNeedsFunctionKey;

static META: RuleMeta = RuleMeta {
    id: "AGW056",
    name: "probe-path-needs-function-key",
    severity: Severity::Error,
    summary: "The probe path reaches an HTTP trigger whose auth level needs a key; probes carry none and get 401",
    page: include_str!("../../rules/AGW056.md"),
};

impl Rule for ProbePathNeedsFunctionKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for t in probe_targets(model, gw) {
                let m = match_path(t.app, &t.path);
                if m.outside || m.maybe {
                    continue;
                }
                // The function the request is routed to: the most specific route among those
                // that accept GET (probes send GET).
                let best: Vec<_> = best_hits(t.app, &t.path)
                    .into_iter()
                    .filter(|f| f.allows("GET") == Some(true))
                    .collect();
                let [f] = best.as_slice() else {
                    continue;
                };
                let Some(level) = f.effective_auth() else {
                    cx.skip_at(&t.site.res, "authLevel", f.auth_level.span.or(Some(f.span)));
                    continue;
                };
                if !level.needs_key() {
                    continue;
                }
                match t.accepts(401) {
                    Some(false) => {}
                    Some(true) => continue,
                    None => {
                        cx.skip(
                            &gw.res,
                            super::skip::probes(&t.probe.name, "match.statusCodes"),
                            &t.probe.match_status_codes,
                        );
                        continue;
                    }
                }
                let fname = f.name.display_name();
                let app = t.site.res.display_name();
                let written = f.auth_level.is_known();
                let level_label = if written {
                    format!("authLevel is `{}`", level.as_str())
                } else {
                    format!(
                        "no authLevel written: {} defaults to `{}`",
                        f.model.as_str(),
                        level.as_str()
                    )
                };
                let d = gw.res.dialect;
                let f2 = cx
                    .finding(
                        format!(
                            "probe \"{}\" of gateway \"{}\" requests \"{}\", which function \"{fname}\" \
                             of Function App \"{app}\" answers with 401 without a key",
                            t.probe.name.get().cloned().unwrap_or_default(),
                            gw.res.display_name(),
                            t.path
                        ),
                        t.path_span,
                    )
                    .label("health probes carry no function key")
                    .related(f.auth_level.span.unwrap_or(f.span), level_label)
                    .help(format!(
                        "give the health function `authLevel: anonymous` (a dedicated health \
                         endpoint), or accept 401 in the probe's `{}`",
                        d.prop("match.statusCodes", "match.status_code")
                    ))
                    .origins(&t.probe.path)
                    .resource(&gw.res)
                    .property(format!(
                        "probes[{}].path",
                        t.probe.name.get().cloned().unwrap_or_default()
                    ));
                cx.emit(f2);
            }
        }
    }
}
