//! AGW008 app-service-backend-by-ip: an App Service backend addressed by IP. App Service routes
//! by Host header and TLS SNI; when those become the IP the app cannot be found (404, TLS
//! mismatch, 502), and a public inbound IP is shared and may change.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::is_app_service_host;
use crate::model::query_gateway::{
    EffectiveProbe, effective_probe, ip_field_holds_host_name, is_private_ipv4, routed_settings,
};
use crate::model::query_site::listener_hosts_served;
use crate::model::{BackendAddress, BackendPool, BackendSettings, Gateway, Lookup, Model, Site};

/// See the module docs.
pub struct AppServiceBackendByIp;

static META: RuleMeta = RuleMeta {
    id: "AGW008",
    name: "app-service-backend-by-ip",
    severity: Severity::Warning,
    summary: "App Service backend is addressed by IP instead of its host name",
    page: include_str!("../../rules/AGW008.md"),
};

/// Why the address is known to be App Service.
enum Target {
    /// The address links to a site (through a private endpoint or a runtime reference).
    Site(String),
    /// The settings or probe name an App Service host.
    Host(String),
}

fn target(model: &Model, gw: &Gateway, s: &BackendSettings, a: &BackendAddress) -> Option<Target> {
    if let Lookup::Found(site) = model.site_of_address(a) {
        return Some(Target::Site(site.res.display_name()));
    }
    if let Some(h) = s
        .host_name
        .known_suffix()
        .filter(|h| is_app_service_host(h))
    {
        return Some(Target::Host(h.to_string()));
    }
    if let EffectiveProbe::Custom(p) = effective_probe(gw, s)
        && let Some(h) = p.host.known_suffix().filter(|h| is_app_service_host(h))
    {
        return Some(Target::Host(h.to_string()));
    }
    None
}

/// Whether the listeners routing to (settings, pool) all carry hosts the site answers to:
/// `Some(false)` as soon as one certainly does not (see [`listener_hosts_served`]).
fn served_by_listeners(
    gw: &Gateway,
    s: &BackendSettings,
    pool: &BackendPool,
    site: Option<&Site>,
) -> Option<bool> {
    let mut all = Some(true);
    for pair in gw.pairs().items {
        if !std::ptr::eq(pair.settings, s) || !std::ptr::eq(pair.pool, pool) {
            continue;
        }
        match listener_hosts_served(pair.listener, site) {
            Some(true) => {}
            Some(false) => return Some(false),
            None => all = None,
        }
    }
    all
}

impl Rule for AppServiceBackendByIp {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let d = gw.res.dialect;
            let gname = gw.res.display_name();
            for (s, pools) in routed_settings(gw) {
                let sname = s.name.display_name();
                for pool in pools {
                    let pname = pool.name.display_name();
                    for a in pool.addresses.iter() {
                        // A host name written under ipAddress is AGW007's finding.
                        if a.ip_address.is_absent() || ip_field_holds_host_name(a) {
                            continue;
                        }
                        let Some(t) = target(model, gw, s, a) else {
                            continue;
                        };
                        let ip = a
                            .ip_address
                            .get()
                            .cloned()
                            .unwrap_or_else(|| "(runtime IP)".into());
                        let through_pe =
                            matches!(model.private_endpoint(&a.source), Lookup::Found(_));
                        let private =
                            through_pe || a.ip_address.get().is_some_and(|i| is_private_ipv4(i));
                        let Some(pick) = s.pick_host_name.flag(false) else {
                            cx.skip(
                                &gw.res,
                                super::skip::settings(&s.name, "pickHostNameFromBackendAddress"),
                                &s.pick_host_name,
                            );
                            continue;
                        };
                        let host = match s.host_name.decidable() {
                            None => {
                                cx.skip(
                                    &gw.res,
                                    super::skip::settings(&s.name, "hostName"),
                                    &s.host_name,
                                );
                                continue;
                            }
                            Some(h) => h.filter(|h| !h.trim().is_empty()),
                        };
                        let app = match &t {
                            Target::Site(n) => format!("App Service \"{n}\""),
                            Target::Host(h) => format!("App Service host \"{h}\""),
                        };
                        let pick_prop = d.prop(
                            "pickHostNameFromBackendAddress",
                            "pick_host_name_from_backend_address",
                        );
                        let host_prop = d.prop("hostName", "host_name");
                        let prop =
                            format!("backendAddressPools[{pname}].backendAddresses.ipAddress");
                        let f = if pick {
                            let https = s.protocol.eq_ci("Https") == Some(true);
                            let extra = if https {
                                "; with Https the gateway also rejects IP members in this setup"
                            } else {
                                ""
                            };
                            cx.finding(
                                format!(
                                    "backend settings \"{sname}\" of gateway \"{gname}\" pick the host name from IP member \"{ip}\" of pool \"{pname}\", which is {app}"
                                ),
                                s.pick_host_name.span_or(s.span),
                            )
                            .label(format!("Host header and SNI become \"{ip}\"{extra}"))
                            .related(a.ip_address.span_or(a.span), "IP member of the pool")
                            .help(format!(
                                "put the app's host name in the pool (fqdn / fqdns), or set \
                                 `{pick_prop}` to false and `{host_prop}` to the app's host name"
                            ))
                            .severity(Severity::Error)
                            .origins(&s.pick_host_name)
                            .resource(&gw.res)
                            .property(format!(
                                "backendHttpSettingsCollection[{sname}].pickHostNameFromBackendAddress"
                            ))
                        } else if host.is_some() {
                            // Documented alternative: private endpoint IP plus hostName.
                            if private {
                                continue;
                            }
                            if a.ip_address.get().is_none() {
                                cx.skip(
                                    &gw.res,
                                    "backendAddressPools.backendAddresses.ipAddress",
                                    &a.ip_address,
                                );
                                continue;
                            }
                            cx.finding(
                                format!(
                                    "pool \"{pname}\" of gateway \"{gname}\" reaches {app} through public IP \"{ip}\""
                                ),
                                a.ip_address.span_or(a.span),
                            )
                            .label("App Service inbound IPs are shared and can change")
                            .help("address the app by its host name (fqdn / fqdns) or through a private endpoint")
                            .origins(&a.ip_address)
                            .resource(&gw.res)
                            .property(prop)
                        } else {
                            // A linked site with no host override is AGW010's finding.
                            let Target::Host(h) = &t else {
                                continue;
                            };
                            // The custom-domain pattern: the client's Host is forwarded, and
                            // the app answers when that domain is bound to it (or may be, when
                            // the binding is not in the scan).
                            if served_by_listeners(gw, s, pool, model.site_by_host(h))
                                != Some(false)
                            {
                                continue;
                            }
                            cx.finding(
                                format!(
                                    "backend settings \"{sname}\" of gateway \"{gname}\" send IP member \"{ip}\" of pool \"{pname}\" to {app} without a host name"
                                ),
                                a.ip_address.span_or(a.span),
                            )
                            .label("neither the pool nor the settings carry the app's host name")
                            .related(s.span, "backend settings without host name")
                            .help(format!("set `{host_prop}` to the app's host name in the backend settings"))
                            .severity(Severity::Error)
                            .origins(&a.ip_address)
                            .resource(&gw.res)
                            .property(prop)
                        };
                        cx.emit(f);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BackendAddress, Dialect, Probe, Val};
    use crate::rules::testkit::*;

    fn setup(ip: &str, pick: bool, host: Option<&str>, probe_host: Option<&str>) -> Model {
        setup_with(ip, pick, host, probe_host, None, vec![])
    }

    /// With a listener (host name `listener_host`, none when `None`) and sites.
    fn setup_with(
        ip: &str,
        pick: bool,
        host: Option<&str>,
        probe_host: Option<&str>,
        listener_host: Option<&str>,
        sites: Vec<crate::model::Site>,
    ) -> Model {
        let mut gw = gateway(Dialect::Arm);
        gw.listeners = k(vec![crate::model::Listener {
            name: ks("l"),
            protocol: ks("Https"),
            host_name: listener_host.map_or_else(Val::absent, ks),
            host_names: k(vec![]),
            span: sp(),
            ..Default::default()
        }]);
        let mut p = pool("pool", &[]);
        p.addresses = k(vec![BackendAddress {
            ip_address: ks(ip),
            span: sp(),
            ..Default::default()
        }]);
        let mut s = settings("s", "Https", 443, pick);
        if let Some(h) = host {
            s.host_name = ks(h);
        }
        if let Some(h) = probe_host {
            s.probe = named("probe");
            gw.probes = k(vec![Probe {
                name: ks("probe"),
                protocol: ks("Https"),
                host: ks(h),
                span: sp(),
                ..Default::default()
            }]);
        }
        gw.pools = k(vec![p]);
        gw.settings = k(vec![s]);
        let mut r = rule("r", "pool", "s");
        r.listener = named("l");
        gw.rules = k(vec![r]);
        model(gw, sites)
    }

    #[test]
    fn pick_from_ip_is_an_error() {
        let f = run(
            &AppServiceBackendByIp,
            &setup("20.1.2.3", true, None, Some("fn.azurewebsites.net")),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
    }

    #[test]
    fn public_ip_with_host_name_warns_private_ip_passes() {
        let f = run(
            &AppServiceBackendByIp,
            &setup("20.1.2.3", false, Some("fn.azurewebsites.net"), None),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            run(
                &AppServiceBackendByIp,
                &setup("10.0.2.4", false, Some("fn.azurewebsites.net"), None)
            )
            .is_empty()
        );
    }

    #[test]
    fn no_host_name_with_app_service_probe_is_an_error() {
        let f = run(
            &AppServiceBackendByIp,
            &setup("10.0.2.4", false, None, Some("fn.azurewebsites.net")),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
    }

    #[test]
    fn custom_domain_pattern_with_private_endpoint_ip_is_quiet() {
        // Audit case 13: PE IP, no host override, listener host bound to the app with TLS.
        let mut site = function(Dialect::Arm, "fn");
        site.host_bindings = k(vec![crate::model::HostBinding {
            host_name: ks("api.contoso.com"),
            ssl_state: ks("SniEnabled"),
            span: sp(),
        }]);
        let m = setup_with(
            "10.0.2.4",
            false,
            None,
            Some("fn.azurewebsites.net"),
            Some("api.contoso.com"),
            vec![site],
        );
        assert!(run(&AppServiceBackendByIp, &m).is_empty());
        // No binding for the listener host in the scan: it may be bound outside it.
        let m = setup_with(
            "10.0.2.4",
            false,
            None,
            Some("fn.azurewebsites.net"),
            Some("api.contoso.com"),
            vec![function(Dialect::Arm, "fn")],
        );
        assert!(run(&AppServiceBackendByIp, &m).is_empty());
    }

    #[test]
    fn non_app_service_ip_is_quiet() {
        assert!(
            run(
                &AppServiceBackendByIp,
                &setup("20.1.2.3", true, None, Some("api.contoso.com"))
            )
            .is_empty()
        );
    }
}
