//! AGW047 custom-domain-https-without-tls-binding: the custom-domain pattern (backend settings
//! forward the client's Host, no override) over HTTPS to an App Service that has the listener's
//! domain bound without a TLS binding. The gateway sends that domain as SNI, the app answers
//! with its `*.azurewebsites.net` certificate, the CN check fails: backend Unhealthy, 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;
use crate::model::query_site::{host_state, listener_hosts};

/// See the module docs.
pub struct CustomDomainHttpsWithoutTlsBinding;

static META: RuleMeta = RuleMeta {
    id: "AGW047",
    name: "custom-domain-https-without-tls-binding",
    severity: Severity::Error,
    summary: "HTTPS to an App Service custom domain that is bound in the scan without a TLS binding",
    page: include_str!("../../rules/AGW047.md"),
};

impl Rule for CustomDomainHttpsWithoutTlsBinding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let mut reported: Vec<(*const crate::model::BackendSettings, String)> = Vec::new();
            for pair in gw.pairs().items {
                let s = pair.settings;
                if s.protocol.eq_ci("Https") != Some(true) {
                    continue;
                }
                // `validateSNI` false: the gateway does not compare the certificate's CN with
                // the SNI ("When enabled, verifies if the Common Name of the certificate
                // provided by the backend server matches the Server Name Indication (SNI)
                // value. Default value is true.", API reference).
                match s.validate_sni.flag(true) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        cx.skip(
                            &gw.res,
                            super::skip::settings(&s.name, "validateSNI"),
                            &s.validate_sni,
                        );
                        continue;
                    }
                }
                let Some((_, Some(site))) = model.app_service_address(pair.pool) else {
                    continue;
                };
                // The SNI: `sniName` when set ("By default, the application gateway uses the
                // incoming request's host header as the SNI"), else the client's Host in the
                // pattern that forwards it (no pick-host, no hostName).
                let (hosts, sni_name) = match s.sni_name.decidable() {
                    None => {
                        cx.skip(
                            &gw.res,
                            super::skip::settings(&s.name, "sniName"),
                            &s.sni_name,
                        );
                        continue;
                    }
                    Some(Some(n)) if !n.trim().is_empty() => (vec![n.trim()], true),
                    Some(_) => {
                        if s.pick_host_name.flag(false) != Some(false)
                            || s.host_name.decidable() != Some(None)
                        {
                            continue;
                        }
                        let Some(l) = pair.listener else { continue };
                        let Some(hosts) = listener_hosts(l) else {
                            continue;
                        };
                        (hosts, false)
                    }
                };
                for h in hosts {
                    let st = host_state(site, h);
                    if st.answers != Some(true) || st.tls != Some(false) {
                        continue;
                    }
                    let key = (std::ptr::from_ref(s), h.to_ascii_lowercase());
                    if reported.contains(&key) {
                        continue;
                    }
                    reported.push(key);
                    let sname = s.name.display_name();
                    let site_name = site.res.display_name();
                    let gname = gw.res.display_name();
                    let (msg, at, why) = if sni_name {
                        (
                            format!(
                                "backend settings \"{sname}\" of gateway \"{gname}\" send SNI \"{h}\" (`sniName`) over HTTPS to site \"{site_name}\", which has it bound without a TLS binding"
                            ),
                            s.sni_name.span_or(s.span),
                            "HTTPS backend settings with this SNI",
                        )
                    } else {
                        let Some(l) = pair.listener else { continue };
                        (
                            format!(
                                "backend settings \"{sname}\" of gateway \"{gname}\" forward host \"{h}\" over HTTPS to site \"{site_name}\", which has it bound without a TLS binding"
                            ),
                            l.host_name.span_or(l.span),
                            "HTTPS backend settings without host override",
                        )
                    };
                    let f = cx
                        .finding(msg, at)
                        .label("the app answers with its *.azurewebsites.net certificate: the CN check fails")
                        .related(s.span, why)
                        .related(site.res.span, format!("site \"{site_name}\""))
                        .help(
                            "add an SNI TLS binding for the domain on the app (sslState SniEnabled), \
                             or use Http to the backend",
                        )
                        .resource(&gw.res)
                        .property(format!("backendHttpSettingsCollection[{sname}]"));
                    cx.emit(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, HostBinding, Lattice, Listener, Val};
    use crate::rules::testkit::*;

    fn setup(ssl: Val<String>) -> Model {
        let mut site = function(Dialect::Arm, "fn");
        site.host_bindings = k(vec![HostBinding {
            host_name: ks("api.contoso.com"),
            ssl_state: ssl,
            span: sp(),
        }]);
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        gw.settings = k(vec![settings("s", "Https", 443, false)]);
        gw.listeners = k(vec![Listener {
            name: ks("l"),
            host_name: ks("api.contoso.com"),
            host_names: k(vec![]),
            span: sp(),
            ..Default::default()
        }]);
        let mut r = rule("r", "pool", "s");
        r.listener = named("l");
        gw.rules = k(vec![r]);
        model(gw, vec![site])
    }

    #[test]
    fn bound_without_tls_is_an_error_with_tls_or_unknown_passes() {
        let f = run(&CustomDomainHttpsWithoutTlsBinding, &setup(Val::absent()));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(run(&CustomDomainHttpsWithoutTlsBinding, &setup(ks("Disabled"))).len() == 1);
        assert!(
            run(
                &CustomDomainHttpsWithoutTlsBinding,
                &setup(ks("SniEnabled"))
            )
            .is_empty()
        );
        assert!(run(&CustomDomainHttpsWithoutTlsBinding, &setup(unk())).is_empty());
    }

    #[test]
    fn sni_name_decides_the_certificate_and_validate_sni_false_passes() {
        // `sniName` names the bound domain: fires even when the host is picked from the backend.
        let mut m = setup(Val::absent());
        if let Lattice::Known(v) = &mut m.gateways[0].settings.state {
            v[0].pick_host_name = k(true);
            v[0].sni_name = ks("api.contoso.com");
        }
        m.reindex();
        assert_eq!(run(&CustomDomainHttpsWithoutTlsBinding, &m).len(), 1);
        // `sniName` is the app's default host: its certificate matches.
        let mut m = setup(Val::absent());
        if let Lattice::Known(v) = &mut m.gateways[0].settings.state {
            v[0].sni_name = ks("fn.azurewebsites.net");
        }
        m.reindex();
        assert!(run(&CustomDomainHttpsWithoutTlsBinding, &m).is_empty());
        // `validateSNI` false: no CN check.
        let mut m = setup(Val::absent());
        if let Lattice::Known(v) = &mut m.gateways[0].settings.state {
            v[0].validate_sni = k(false);
        }
        m.reindex();
        assert!(run(&CustomDomainHttpsWithoutTlsBinding, &m).is_empty());
        // `sniName` Unknown: skipped.
        let mut m = setup(Val::absent());
        if let Lattice::Known(v) = &mut m.gateways[0].settings.state {
            v[0].sni_name = unk();
        }
        m.reindex();
        assert!(run(&CustomDomainHttpsWithoutTlsBinding, &m).is_empty());
    }
}
