//! AGW057 probe-path-no-function-route: the probe path matches no HTTP route of the Function
//! App behind the gateway (with `routePrefix` applied). The host answers 404, every member
//! turns Unhealthy, and the gateway answers 502. Only reported when the app's whole HTTP
//! surface was read.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;
use crate::model::query_app::{match_path, probe_targets};

/// See the module docs.
pub struct ProbePathNoFunctionRoute;

static META: RuleMeta = RuleMeta {
    id: "AGW057",
    name: "probe-path-no-function-route",
    severity: Severity::Error,
    summary: "The probe path matches no HTTP route of the Function App; the host answers 404",
    page: include_str!("../../rules/AGW057.md"),
};

impl Rule for ProbePathNoFunctionRoute {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for t in probe_targets(model, gw) {
                if !t.app.complete {
                    cx.skip_at(&t.site.res, "app code (not fully read)", Some(t.path_span));
                    continue;
                }
                let m = match_path(t.app, &t.path);
                if m.outside || m.maybe || !m.hits.is_empty() {
                    continue;
                }
                match t.accepts(404) {
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
                let prefix = t.app.host.effective_prefix().unwrap_or_default();
                let routes: Vec<String> = t
                    .app
                    .functions
                    .iter()
                    .filter_map(|f| f.effective_route())
                    .take(5)
                    .map(|r| format!("/{}", join(&prefix, r)))
                    .collect();
                let app = t.site.res.display_name();
                let mut f = cx
                    .finding(
                        format!(
                            "probe \"{}\" of gateway \"{}\" requests \"{}\", which matches no HTTP \
                             route of Function App \"{app}\"",
                            t.probe.name.get().cloned().unwrap_or_default(),
                            gw.res.display_name(),
                            t.path
                        ),
                        t.path_span,
                    )
                    .label(if routes.is_empty() {
                        "the app declares no HTTP function: the host answers 404".to_string()
                    } else {
                        format!("the host answers 404; routes: {}", routes.join(", "))
                    })
                    .help(format!(
                        "point the probe at an anonymous health function (routes start with \
                         `/{prefix}`), or add one"
                    ))
                    .origins(&t.probe.path)
                    .resource(&gw.res)
                    .property(format!(
                        "probes[{}].path",
                        t.probe.name.get().cloned().unwrap_or_default()
                    ));
                let host = &t.app.host;
                f = f.related(
                    host.route_prefix.span.unwrap_or(host.span),
                    if host.route_prefix.is_absent() {
                        format!("{}: routePrefix not set (`api`)", t.app.dir)
                    } else {
                        if prefix.is_empty() {
                            "routePrefix is empty: routes have no prefix".to_string()
                        } else {
                            format!("routePrefix is `{prefix}`")
                        }
                    },
                );
                cx.emit(f);
            }
        }
    }
}

fn join(prefix: &str, route: &str) -> String {
    let r = route.trim_matches('/');
    if prefix.is_empty() {
        r.to_string()
    } else {
        format!("{prefix}/{r}")
    }
}
