//! AGW049 custom-domain-default-probe: the custom-domain pattern (backend settings forward the
//! client's Host to an App Service: no `hostName`, no pick-host) with no custom probe. The
//! default probe takes its host from the backend settings, which have none, so it asks the app
//! for `127.0.0.1` (and sends no SNI); App Service routes by host name, the probe fails, the
//! member turns Unhealthy: 502. One Learn page says the default probe works in this pattern, so
//! this is a warning.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_gateway::{EffectiveProbe, effective_probe};
use crate::model::query_site::listener_hosts;
use crate::model::{BackendSettings, Model};

/// See the module docs.
pub struct CustomDomainDefaultProbe;

static META: RuleMeta = RuleMeta {
    id: "AGW049",
    name: "custom-domain-default-probe",
    severity: Severity::Warning,
    summary: "Backend settings forward a custom domain to App Service with the default probe, which asks for host 127.0.0.1",
    page: include_str!("../../rules/AGW049.md"),
};

impl Rule for CustomDomainDefaultProbe {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let mut reported: Vec<*const BackendSettings> = Vec::new();
            for pair in gw.pairs().items {
                let s = pair.settings;
                if reported.contains(&std::ptr::from_ref(s)) {
                    continue;
                }
                // HTTP(S) settings of the pattern that forwards the client's Host.
                let http = s
                    .protocol
                    .get()
                    .map(|p| p.eq_ignore_ascii_case("Http") || p.eq_ignore_ascii_case("Https"));
                if http != Some(true)
                    || s.pick_host_name.flag(false) != Some(false)
                    || s.host_name.decidable() != Some(None)
                {
                    continue;
                }
                match effective_probe(gw, s) {
                    EffectiveProbe::Default => {}
                    EffectiveProbe::Custom(_) => continue,
                    EffectiveProbe::Unknown => {
                        cx.skip(
                            &gw.res,
                            super::skip::settings(&s.name, "probe"),
                            &s.probe.name,
                        );
                        continue;
                    }
                }
                let Some((addr, site)) = model.app_service_address(pair.pool) else {
                    continue;
                };
                // The custom-domain pattern: the listener names the domain(s) it forwards.
                let Some(l) = pair.listener else { continue };
                let Some(hosts) = listener_hosts(l) else {
                    continue;
                };
                let Some(host) = hosts.first() else { continue };
                reported.push(std::ptr::from_ref(s));
                let sname = s.name.display_name();
                let app = site.map_or_else(
                    || addr.fqdn.get().cloned().unwrap_or_else(|| "?".into()),
                    |x| x.res.display_name(),
                );
                let d = gw.res.dialect;
                let f = cx
                    .finding(
                        format!(
                            "backend settings \"{sname}\" of gateway \"{}\" forward host \"{host}\" \
                             to App Service \"{app}\" with the default probe, which has no host \
                             from these settings and asks for 127.0.0.1",
                            gw.res.display_name()
                        ),
                        s.span,
                    )
                    .label("no custom probe, no host name: the default probe uses 127.0.0.1")
                    .related(
                        l.host_name.span_or(l.span),
                        format!("listener host \"{host}\""),
                    )
                    .related(addr.span, "App Service backend")
                    .help(format!(
                        "add a custom probe with `host` \"{host}\" (a domain bound to the app) and \
                         a path that answers 200-399, and reference it from `{}`",
                        d.prop("probe", "probe_name")
                    ))
                    .resource(&gw.res)
                    .property(format!("backendHttpSettingsCollection[{sname}]"));
                cx.emit(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Listener, Probe, SubRef};
    use crate::rules::testkit::*;

    fn setup(pick: bool, probe: bool, listener_host: &str) -> Model {
        let site = function(Dialect::Arm, "fn");
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        let mut s = settings("s", "Https", 443, pick);
        if probe {
            s.probe = named("p");
            gw.probes = k(vec![Probe {
                name: ks("p"),
                ..Default::default()
            }]);
        }
        gw.settings = k(vec![s]);
        gw.listeners = k(vec![Listener {
            name: ks("l"),
            host_name: if listener_host.is_empty() {
                crate::model::Val::absent()
            } else {
                ks(listener_host)
            },
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
    fn custom_domain_with_default_probe_warns() {
        let f = run(
            &CustomDomainDefaultProbe,
            &setup(false, false, "api.contoso.com"),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn silent_cases() {
        for m in [
            // A custom probe.
            setup(false, true, "api.contoso.com"),
            // Pick host from the backend address: the default probe uses it.
            setup(true, false, "api.contoso.com"),
            // No listener host: not the custom-domain pattern (AGW010's case).
            setup(false, false, ""),
        ] {
            assert!(run(&CustomDomainDefaultProbe, &m).is_empty());
        }
        // A probe reference that is Unknown.
        let mut m = setup(false, false, "api.contoso.com");
        m.gateways[0].settings = k(vec![BackendSettings {
            probe: SubRef {
                name: unk(),
                mismatch: None,
            },
            ..settings("s", "Https", 443, false)
        }]);
        m.reindex();
        assert!(run(&CustomDomainDefaultProbe, &m).is_empty());
    }
}
