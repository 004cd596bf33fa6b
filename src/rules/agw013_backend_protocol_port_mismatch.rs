//! AGW013 backend-protocol-port-mismatch: HTTPS to port 80 or HTTP to port 443 (and, for App
//! Service, anything but 443/80): the TLS handshake meets a plain-HTTP port or the other way
//! round, the probe fails, the gateway answers 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_gateway::{pairs_of_settings, settings_using_probe};
use crate::model::{BackendSettings, Gateway, Model, Val};
use crate::source::Span;

/// See the module docs.
pub struct BackendProtocolPortMismatch;

static META: RuleMeta = RuleMeta {
    id: "AGW013",
    name: "backend-protocol-port-mismatch",
    severity: Severity::Warning,
    summary: "Backend settings or probe use HTTPS on port 80, HTTP on 443, or a port App Service does not serve",
    page: include_str!("../../rules/AGW013.md"),
};

/// Whether any routed pool of `s` targets App Service.
fn settings_target_app_service(model: &Model, gw: &Gateway, s: &BackendSettings) -> bool {
    pairs_of_settings(gw, s)
        .iter()
        .any(|p| model.app_service_address(p.pool).is_some())
}

/// The problem with a protocol/port combination, if any.
fn mismatch(protocol: &str, port: i64, app_service: bool) -> Option<String> {
    let https = protocol.eq_ignore_ascii_case("Https");
    let http = protocol.eq_ignore_ascii_case("Http");
    if https && port == 80 {
        return Some("HTTPS to port 80, the plain-HTTP port".into());
    }
    if http && port == 443 {
        return Some("plain HTTP to port 443, the TLS port".into());
    }
    if app_service && https && port != 443 {
        return Some(format!("App Service serves HTTPS on 443 only, not {port}"));
    }
    if app_service && http && port != 80 {
        return Some(format!("App Service serves HTTP on 80 only, not {port}"));
    }
    None
}

struct Subject<'a> {
    protocol: &'a Val<String>,
    port: &'a Val<i64>,
    owner: String,
    fallback: Span,
    property: String,
}

fn check_one(gw: &Gateway, s: &Subject<'_>, app_service: bool, cx: &mut RuleCx<'_>) {
    let (Some(proto), Some(port)) = (s.protocol.get(), s.port.get()) else {
        if s.protocol.is_unknown() || s.port.is_unknown() {
            if s.protocol.is_unknown() {
                cx.skip(&gw.res, s.property.clone(), s.protocol)
            } else {
                cx.skip(&gw.res, s.property.clone(), s.port)
            };
        }
        return;
    };
    let Some(why) = mismatch(proto, *port, app_service) else {
        return;
    };
    let f = cx
        .finding(
            format!(
                "{} of gateway \"{}\" use protocol {proto} with port {port}",
                s.owner,
                gw.res.display_name()
            ),
            s.port.span_or(s.fallback),
        )
        .label(why)
        .related(s.protocol.span_or(s.fallback), format!("protocol {proto}"))
        .help("use port 443 with Https and port 80 with Http")
        .origins(s.port)
        .resource(&gw.res)
        .property(s.property.clone());
    cx.emit(f);
}

impl Rule for BackendProtocolPortMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for s in gw.settings.iter() {
                let sname = s.name.display_name();
                let subject = Subject {
                    protocol: &s.protocol,
                    port: &s.port,
                    owner: format!("backend settings \"{sname}\""),
                    fallback: s.span,
                    property: format!("backendHttpSettingsCollection[{sname}].port"),
                };
                check_one(gw, &subject, settings_target_app_service(model, gw, s), cx);
            }
            for p in gw.probes.iter() {
                // Only a written port overrides the settings' port (v2).
                if p.port.is_absent() {
                    continue;
                }
                let (users, _) = settings_using_probe(gw, p);
                let app_service = users
                    .iter()
                    .any(|s| settings_target_app_service(model, gw, s));
                let pname = p.name.display_name();
                let subject = Subject {
                    protocol: &p.protocol,
                    port: &p.port,
                    owner: format!("probe \"{pname}\""),
                    fallback: p.span,
                    property: format!("probes[{pname}].port"),
                };
                check_one(gw, &subject, app_service, cx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Probe};
    use crate::rules::testkit::*;

    fn setup(proto: &str, port: i64, fqdn: &str) -> Model {
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool("pool", &[fqdn])]);
        gw.settings = k(vec![settings("s", proto, port, true)]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        model(gw, vec![])
    }

    #[test]
    fn generic_mismatches() {
        assert_eq!(
            run(
                &BackendProtocolPortMismatch,
                &setup("Https", 80, "api.contoso.com")
            )
            .len(),
            1
        );
        assert_eq!(
            run(
                &BackendProtocolPortMismatch,
                &setup("http", 443, "api.contoso.com")
            )
            .len(),
            1
        );
        assert!(
            run(
                &BackendProtocolPortMismatch,
                &setup("Https", 8443, "api.contoso.com")
            )
            .is_empty()
        );
    }

    #[test]
    fn app_service_only_serves_80_and_443() {
        let f = run(
            &BackendProtocolPortMismatch,
            &setup("Https", 8443, "fn.azurewebsites.net"),
        );
        assert_eq!(f.len(), 1);
        assert!(
            run(
                &BackendProtocolPortMismatch,
                &setup("Https", 443, "fn.azurewebsites.net")
            )
            .is_empty()
        );
    }

    #[test]
    fn probe_port_override() {
        let mut m = setup("Https", 443, "fn.azurewebsites.net");
        m.gateways[0].probes = k(vec![Probe {
            name: ks("p"),
            protocol: ks("Https"),
            port: k(80),
            span: sp(),
            ..Default::default()
        }]);
        let f = run(&BackendProtocolPortMismatch, &m);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.starts_with("probe"));
    }

    #[test]
    fn unknown_port_is_quiet() {
        let mut m = setup("Https", 443, "fn.azurewebsites.net");
        m.gateways[0].settings = k(vec![{
            let mut s = settings("s", "Https", 0, true);
            s.port = unk();
            s
        }]);
        assert!(run(&BackendProtocolPortMismatch, &m).is_empty());
    }
}
