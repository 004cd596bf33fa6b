//! AGW011 host-override-not-bound-to-app: a backend settings `hostName` (or probe `host`) that
//! the App Service behind the pool does not answer to, or answers to without a TLS binding.
//! App Service returns 404 for unknown hosts, and over HTTPS the certificate does not match.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_gateway::{
    is_ip_literal, pairs_of_settings, settings_using_probe, site_answers_to,
};
use crate::model::query_site::host_state;
use crate::model::{BackendPool, Gateway, Lookup, Model, Site, Val};
use crate::source::Span;

/// See the module docs.
pub struct HostOverrideNotBound;

static META: RuleMeta = RuleMeta {
    id: "AGW011",
    name: "host-override-not-bound-to-app",
    severity: Severity::Warning,
    summary: "Host name override is not a host name the App Service backend is bound to",
    page: include_str!("../../rules/AGW011.md"),
};

/// Sites reached by the pools, deduplicated.
fn sites_of<'a>(model: &'a Model, pools: &[&BackendPool]) -> Vec<&'a Site> {
    let mut out: Vec<&Site> = Vec::new();
    for p in pools {
        for a in p.addresses.iter() {
            if let Lookup::Found(s) = model.site_of_address(a)
                && !out.iter().any(|x| std::ptr::eq(*x, s))
            {
                out.push(s);
            }
        }
    }
    out
}

struct Override<'a> {
    host: &'a Val<String>,
    https: bool,
    owner: String,
    fallback: Span,
    property: String,
}

fn check_override(
    model: &Model,
    gw: &Gateway,
    o: &Override<'_>,
    pools: &[&BackendPool],
    cx: &mut RuleCx<'_>,
) {
    let Some(host) = o.host.get().filter(|h| !h.trim().is_empty()) else {
        return;
    };
    // An IP as host is AGW016 (probes) / AGW008 (settings) territory.
    if is_ip_literal(host) {
        return;
    }
    for site in sites_of(model, pools) {
        let sname = site.res.display_name();
        let (msg, label, sev) = match site_answers_to(site, host) {
            None => {
                if site.host_bindings.is_unknown() { cx.skip(&site.res, "hostNameBindings", &site.host_bindings) } else { cx.skip(&site.res, "defaultHostName", &site.default_host_name) };
                continue;
            }
            Some(false) => (
                format!("uses host name \"{host}\", which site \"{sname}\" is not bound to"),
                "not the site's default host name nor a bound custom domain".to_string(),
                if o.https {
                    Severity::Error
                } else {
                    Severity::Warning
                },
            ),
            Some(true) if o.https => match host_state(site, host).tls {
                Some(false) => (
                    format!(
                        "use HTTPS with host name \"{host}\", which site \"{sname}\" serves without a TLS binding"
                    ),
                    "custom domain without certificate binding: the backend certificate will not match".to_string(),
                    Severity::Error,
                ),
                _ => continue,
            },
            Some(true) => continue,
        };
        let f = cx
            .finding(
                format!("{} of gateway \"{}\" {msg}", o.owner, gw.res.display_name()),
                o.host.span_or(o.fallback),
            )
            .label(label)
            .related(site.res.span, format!("site \"{sname}\""))
            .help(
                "use the app's default host name, or bind the custom domain (with an SNI TLS \
                 binding for HTTPS) to the app",
            )
            .severity(sev)
            .origins(o.host)
            .resource(&gw.res)
            .property(o.property.clone());
        cx.emit(f);
    }
}

impl Rule for HostOverrideNotBound {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let d = gw.res.dialect;
            for s in gw.settings.iter() {
                // With pickHostNameFromBackendAddress also set, which one wins is unverified
                // (AGW012 reports the conflict).
                if s.pick_host_name.flag(false) != Some(false) {
                    continue;
                }
                let pools: Vec<&BackendPool> =
                    pairs_of_settings(gw, s).iter().map(|p| p.pool).collect();
                let sname = s.name.display_name();
                let o = Override {
                    host: &s.host_name,
                    https: s.protocol.eq_ci("Https") == Some(true),
                    owner: format!(
                        "`{}` of backend settings \"{sname}\"",
                        d.prop("hostName", "host_name")
                    ),
                    fallback: s.span,
                    property: format!("backendHttpSettingsCollection[{sname}].hostName"),
                };
                check_override(model, gw, &o, &pools, cx);
            }
            for p in gw.probes.iter() {
                let (users, _) = settings_using_probe(gw, p);
                let mut pools: Vec<&BackendPool> = Vec::new();
                for s in users {
                    for pair in pairs_of_settings(gw, s) {
                        if !pools.iter().any(|x| std::ptr::eq(*x, pair.pool)) {
                            pools.push(pair.pool);
                        }
                    }
                }
                let pname = p.name.display_name();
                let o = Override {
                    host: &p.host,
                    https: p.protocol.eq_ci("Https") == Some(true),
                    owner: format!("`host` of probe \"{pname}\""),
                    fallback: p.span,
                    property: format!("probes[{pname}].host"),
                };
                check_override(model, gw, &o, &pools, cx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, HostBinding};
    use crate::rules::testkit::*;

    fn setup(host: &str, protocol: &str, bindings: Vec<HostBinding>) -> Model {
        let mut site = function(Dialect::Arm, "fn");
        site.host_bindings = k(bindings);
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        let mut s = settings(
            "s",
            protocol,
            if protocol == "Https" { 443 } else { 80 },
            false,
        );
        s.host_name = ks(host);
        gw.settings = k(vec![s]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        model(gw, vec![site])
    }

    fn binding(h: &str, ssl: Option<&str>) -> HostBinding {
        HostBinding {
            host_name: ks(h),
            ssl_state: ssl.map_or_else(Val::absent, ks),
            span: sp(),
        }
    }

    #[test]
    fn default_host_passes_unknown_host_warns_or_errors() {
        assert!(
            run(
                &HostOverrideNotBound,
                &setup("fn.azurewebsites.net", "Https", vec![])
            )
            .is_empty()
        );
        let f = run(
            &HostOverrideNotBound,
            &setup("other.azurewebsites.net", "Http", vec![]),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        let f = run(
            &HostOverrideNotBound,
            &setup("other.azurewebsites.net", "Https", vec![]),
        );
        assert_eq!(f[0].severity, Severity::Error);
        // A custom domain with no binding in the scan may be bound outside it.
        assert!(
            run(
                &HostOverrideNotBound,
                &setup("api.contoso.com", "Https", vec![])
            )
            .is_empty()
        );
    }

    #[test]
    fn any_tls_declaration_of_a_binding_counts() {
        // The managed-certificate two-step: bound without a certificate, then again with SNI.
        for order in [[None, Some("SniEnabled")], [Some("SniEnabled"), None]] {
            let m = setup(
                "api.contoso.com",
                "Https",
                order
                    .iter()
                    .map(|s| binding("api.contoso.com", *s))
                    .collect(),
            );
            assert!(run(&HostOverrideNotBound, &m).is_empty(), "{order:?}");
        }
        // A `hostNames` entry: host known, TLS Unknown.
        let m = setup(
            "api.contoso.com",
            "Https",
            vec![HostBinding {
                host_name: ks("api.contoso.com"),
                ssl_state: unk(),
                span: sp(),
            }],
        );
        assert!(run(&HostOverrideNotBound, &m).is_empty());
    }

    #[test]
    fn bound_custom_domain_needs_tls_binding_for_https() {
        let ok = setup(
            "api.contoso.com",
            "Https",
            vec![binding("api.contoso.com", Some("SniEnabled"))],
        );
        assert!(run(&HostOverrideNotBound, &ok).is_empty());
        let no_tls = setup(
            "api.contoso.com",
            "Https",
            vec![binding("api.contoso.com", None)],
        );
        let f = run(&HostOverrideNotBound, &no_tls);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        let http = setup(
            "api.contoso.com",
            "Http",
            vec![binding("api.contoso.com", None)],
        );
        assert!(run(&HostOverrideNotBound, &http).is_empty());
    }

    #[test]
    fn unknown_bindings_are_quiet() {
        let mut m = setup("api.contoso.com", "Https", vec![]);
        m.sites[0].host_bindings = unk();
        assert!(run(&HostOverrideNotBound, &m).is_empty());
    }
}
