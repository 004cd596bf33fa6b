//! AGW016 probe-host-unresolvable: an HTTP(S) probe that sends no usable Host header (no `host`,
//! no `pickHostNameFromBackendHttpSettings`, or picking from settings that have no host name
//! either), or an IP as Host to App Service. App Service answers 404, the probe fails, 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::model::query_gateway::{is_ip_literal, pairs_of_settings, settings_using_probe};
use crate::model::{BackendSettings, Dialect, Gateway, Model, Probe};

/// See the module docs.
pub struct ProbeHostUnresolvable;

static META: RuleMeta = RuleMeta {
    id: "AGW016",
    name: "probe-host-unresolvable",
    severity: Severity::Error,
    summary: "HTTP(S) probe has no usable host: neither host nor pickHostNameFromBackendHttpSettings, both, or an IP for App Service",
    page: include_str!("../../rules/AGW016.md"),
};

fn probe_targets_app_service(model: &Model, gw: &Gateway, users: &[&BackendSettings]) -> bool {
    users.iter().any(|s| {
        pairs_of_settings(gw, s)
            .iter()
            .any(|p| model.app_service_address(p.pool).is_some())
    })
}

impl Rule for ProbeHostUnresolvable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for p in gw.probes.iter() {
                check_probe(model, gw, p, cx);
            }
        }
    }
}

fn check_probe(model: &Model, gw: &Gateway, p: &Probe, cx: &mut RuleCx<'_>) {
    let Some(proto) = p.protocol.get() else {
        if p.protocol.is_unknown() {
            cx.skip(
                &gw.res,
                super::skip::probes(&p.name, "protocol"),
                &p.protocol,
            );
        }
        return;
    };
    if !(proto.eq_ignore_ascii_case("Http") || proto.eq_ignore_ascii_case("Https")) {
        return;
    }
    let d = gw.res.dialect;
    let (users, _) = settings_using_probe(gw, p);
    let app_service = probe_targets_app_service(model, gw, &users);
    let Some(host) = p.host.decidable() else {
        cx.skip(&gw.res, super::skip::probes(&p.name, "host"), &p.host);
        return;
    };
    let host = host.filter(|h| !h.trim().is_empty());
    let Some(pick) = p.pick_host_from_settings.flag(false) else {
        cx.skip(
            &gw.res,
            super::skip::probes(&p.name, "pickHostNameFromBackendHttpSettings"),
            &p.pick_host_from_settings,
        );
        return;
    };
    let pname = p.name.display_name();
    let gname = gw.res.display_name();
    let pick_prop = d.prop(
        "pickHostNameFromBackendHttpSettings",
        "pick_host_name_from_backend_http_settings",
    );
    let base = |cx: &RuleCx<'_>, msg: String, span, property: &str| -> Finding {
        cx.finding(
            format!("probe \"{pname}\" of gateway \"{gname}\" {msg}"),
            span,
        )
        .resource(&gw.res)
        .property(format!("probes[{pname}].{property}"))
    };
    match (host, pick) {
        // (a) no host at all.
        (None, false) => {
            let sev = if d == Dialect::Terraform || app_service {
                Severity::Error
            } else {
                Severity::Warning
            };
            let f = base(
                cx,
                format!("sets neither `host` nor `{pick_prop}`"),
                p.pick_host_from_settings.span_or(p.span),
                "pickHostNameFromBackendHttpSettings",
            )
            .label(if app_service {
                "the probe reaches App Service without a host name it knows"
            } else {
                "the probe has no host name to send"
            })
            .help(format!(
                "set `{pick_prop}` to true (with a host name in the backend settings) or set \
                 `host` to the backend's host name"
            ))
            .severity(sev)
            .origins(&p.pick_host_from_settings);
            cx.emit(f);
        }
        // (b) both.
        (Some(h), true) => {
            let f = base(
                cx,
                format!("sets both `host` (\"{h}\") and `{pick_prop}`"),
                p.host.span_or(p.span),
                "host",
            )
            .label("only one of them may be set")
            .related(
                p.pick_host_from_settings.span_or(p.span),
                format!("`{pick_prop}` is true"),
            )
            .help(format!("remove `host` or set `{pick_prop}` to false"))
            .origins(&p.host);
            cx.emit(f);
        }
        // (c) picks from settings that carry no host name.
        (None, true) => {
            for s in users {
                let s_pick = s.pick_host_name.flag(false);
                let s_host = s.host_name.decidable();
                let (Some(s_pick), Some(s_host)) = (s_pick, s_host) else {
                    if s.pick_host_name.is_unknown() {
                        cx.skip(
                            &gw.res,
                            super::skip::settings(&s.name, "pickHostNameFromBackendAddress"),
                            &s.pick_host_name,
                        )
                    } else {
                        cx.skip(
                            &gw.res,
                            super::skip::settings(&s.name, "hostName"),
                            &s.host_name,
                        )
                    };
                    continue;
                };
                if s_pick || s_host.is_some_and(|h| !h.trim().is_empty()) {
                    continue;
                }
                let sname = s.name.display_name();
                let f = base(
                    cx,
                    format!(
                        "takes its host name from backend settings \"{sname}\", which have none"
                    ),
                    p.pick_host_from_settings.span_or(p.span),
                    "pickHostNameFromBackendHttpSettings",
                )
                .label("the probe falls back to 127.0.0.1 / no SNI")
                .related(
                    s.pick_host_name.span_or(s.span),
                    format!(
                        "backend settings \"{sname}\": no `{}` and `{}` not true",
                        d.prop("hostName", "host_name"),
                        d.prop(
                            "pickHostNameFromBackendAddress",
                            "pick_host_name_from_backend_address"
                        )
                    ),
                )
                .help(format!(
                    "set `{}` to true (or a `{}`) in the backend settings",
                    d.prop(
                        "pickHostNameFromBackendAddress",
                        "pick_host_name_from_backend_address"
                    ),
                    d.prop("hostName", "host_name")
                ));
                cx.emit(f);
            }
        }
        // (d) an IP as Host to App Service.
        (Some(h), false) => {
            if app_service && is_ip_literal(h) {
                let f = base(
                    cx,
                    format!("sends Host \"{h}\" to an App Service backend"),
                    p.host.span_or(p.span),
                    "host",
                )
                .label("App Service answers 404 for hosts it does not know")
                .help("set `host` to the app's host name, or pick it from the backend settings")
                .origins(&p.host);
                cx.emit(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Val;
    use crate::rules::testkit::*;

    fn setup(d: Dialect, host: Option<&str>, pick: bool, settings_pick: bool, fqdn: &str) -> Model {
        let mut gw = gateway(d);
        gw.pools = k(vec![pool("pool", &[fqdn])]);
        let mut s = settings("s", "Https", 443, settings_pick);
        s.probe = named("probe");
        gw.settings = k(vec![s]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        gw.probes = k(vec![Probe {
            name: ks("probe"),
            protocol: ks("Https"),
            path: ks("/api/health"),
            host: host.map_or_else(Val::absent, ks),
            pick_host_from_settings: k(pick),
            span: sp(),
            ..Default::default()
        }]);
        model(gw, vec![])
    }

    #[test]
    fn recommended_pattern_passes() {
        let m = setup(Dialect::Arm, None, true, true, "fn.azurewebsites.net");
        assert!(run(&ProbeHostUnresolvable, &m).is_empty());
    }

    #[test]
    fn no_host_severity_by_dialect_and_backend() {
        let f = run(
            &ProbeHostUnresolvable,
            &setup(Dialect::Arm, None, false, true, "fn.azurewebsites.net"),
        );
        assert_eq!(f[0].severity, Severity::Error);
        let f = run(
            &ProbeHostUnresolvable,
            &setup(Dialect::Arm, None, false, true, "api.contoso.com"),
        );
        assert_eq!(f[0].severity, Severity::Warning);
        let f = run(
            &ProbeHostUnresolvable,
            &setup(Dialect::Terraform, None, false, true, "api.contoso.com"),
        );
        assert_eq!(f[0].severity, Severity::Error);
    }

    #[test]
    fn both_and_pick_from_empty_settings() {
        let f = run(
            &ProbeHostUnresolvable,
            &setup(
                Dialect::Arm,
                Some("fn.azurewebsites.net"),
                true,
                true,
                "fn.azurewebsites.net",
            ),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("both"));
        let f = run(
            &ProbeHostUnresolvable,
            &setup(Dialect::Arm, None, true, false, "fn.azurewebsites.net"),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("which have none"));
    }

    #[test]
    fn ip_host_for_app_service() {
        let f = run(
            &ProbeHostUnresolvable,
            &setup(
                Dialect::Arm,
                Some("127.0.0.1"),
                false,
                true,
                "fn.azurewebsites.net",
            ),
        );
        assert_eq!(f.len(), 1);
        assert!(
            run(
                &ProbeHostUnresolvable,
                &setup(
                    Dialect::Arm,
                    Some("10.0.0.4"),
                    false,
                    true,
                    "api.contoso.com"
                )
            )
            .is_empty()
        );
    }
}
