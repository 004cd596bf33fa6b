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
                // Only the pattern that forwards the client's Host: no pick-host, no hostName.
                if s.protocol.eq_ci("Https") != Some(true)
                    || s.pick_host_name.flag(false) != Some(false)
                    || s.host_name.decidable() != Some(None)
                {
                    continue;
                }
                let Some((_, Some(site))) = model.app_service_address(pair.pool) else {
                    continue;
                };
                let Some(l) = pair.listener else { continue };
                let Some(hosts) = listener_hosts(l) else {
                    continue;
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
                    let sname = s.name.get().cloned().unwrap_or_else(|| "?".into());
                    let site_name = site.res.display_name();
                    let f = cx
                        .finding(
                            format!(
                                "backend settings \"{sname}\" of gateway \"{}\" forward host \"{h}\" over HTTPS to site \"{site_name}\", which has it bound without a TLS binding",
                                gw.res.display_name()
                            ),
                            l.host_name.span_or(l.span),
                        )
                        .label("the app answers with its *.azurewebsites.net certificate: the CN check fails")
                        .related(s.span, "HTTPS backend settings without host override")
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
    use crate::model::{Dialect, HostBinding, Listener, Val};
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
}
