//! AGW010 app-service-host-header-not-set: App Service routes by Host header; settings that
//! forward the client's Host (no `pickHostNameFromBackendAddress`, no `hostName`) make the probe
//! and every request land on an unknown host: 404, backend Unhealthy, 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;
use crate::model::query_site::listener_hosts_served;

/// See the module docs.
pub struct HostHeaderNotSet;

static META: RuleMeta = RuleMeta {
    id: "AGW010",
    name: "app-service-host-header-not-set",
    severity: Severity::Error,
    summary: "Backend settings for an App Service backend neither pick the host name from the backend address nor set hostName",
    page: include_str!("../../rules/AGW010.md"),
};

impl Rule for HostHeaderNotSet {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let mut reported: Vec<*const crate::model::BackendSettings> = Vec::new();
            for pair in gw.pairs().items {
                let s = pair.settings;
                if reported.contains(&std::ptr::from_ref(s)) {
                    continue;
                }
                let Some((addr, site)) = model.app_service_address(pair.pool) else {
                    continue;
                };
                let Some(pick) = s.pick_host_name.flag(false) else {
                    cx.skip(
                        &gw.res,
                        super::skip::settings(&s.name, "pickHostNameFromBackendAddress"),
                        &s.pick_host_name,
                    );
                    continue;
                };
                if pick {
                    continue;
                }
                match s.host_name.decidable() {
                    None => {
                        cx.skip(
                            &gw.res,
                            super::skip::settings(&s.name, "hostName"),
                            &s.host_name,
                        );
                        continue;
                    }
                    Some(Some(h)) if !h.trim().is_empty() => continue,
                    Some(_) => {}
                }
                match listener_hosts_served(pair.listener, site) {
                    Some(false) => {}
                    Some(true) => continue,
                    None => {
                        cx.skip_at(
                            &gw.res,
                            "httpListeners.hostNames",
                            pair.listener.map(|l| l.span),
                        );
                        continue;
                    }
                }
                reported.push(std::ptr::from_ref(s));
                let d = gw.res.dialect;
                let pick_prop = d.prop(
                    "pickHostNameFromBackendAddress",
                    "pick_host_name_from_backend_address",
                );
                let host_prop = d.prop("hostName", "host_name");
                let sname = s.name.display_name();
                let backend = addr
                    .fqdn
                    .get()
                    .cloned()
                    .or_else(|| site.map(|x| x.res.display_name()))
                    .unwrap_or_else(|| "App Service".into());
                let primary = s.pick_host_name.span_or(s.span);
                let label = if s.pick_host_name.is_known() {
                    format!("`{pick_prop}` is false")
                } else {
                    format!("no `{pick_prop}` and no `{host_prop}`")
                };
                let f = cx
                    .finding(
                        format!(
                            "backend settings \"{sname}\" of gateway \"{}\" forward the client's Host header to App Service backend \"{backend}\"",
                            gw.res.display_name()
                        ),
                        primary,
                    )
                    .label(label)
                    .related(addr.span, "App Service backend in this pool")
                    .help(format!(
                        "set `{pick_prop}` to true (or `{host_prop}` to the app's host name) and \
                         use a probe that picks the host name from the backend settings; or bind \
                         the listener's host name to the app as a custom domain"
                    ))
                    .origins(&s.pick_host_name)
                    .resource(&gw.res)
                    .property(format!(
                        "backendHttpSettingsCollection[{sname}].pickHostNameFromBackendAddress"
                    ));
                cx.emit(f);
            }
        }
    }
}
