//! AGW015 https-backend-trust: HTTPS to a backend whose certificate the gateway will not trust
//! (v1 without the backend's authentication certificate), or with certificate validation turned
//! off, which hides the problem until it bites.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::{SkuFamily, is_app_service_host};
use crate::model::query_gateway::{address_is_default_domain, routed_settings};
use crate::model::{BackendPool, BackendSettings, Dialect, Gateway, Model};

/// See the module docs.
pub struct HttpsBackendTrust;

static META: RuleMeta = RuleMeta {
    id: "AGW015",
    name: "https-backend-trust",
    severity: Severity::Error,
    summary: "HTTPS backend certificate will not be trusted (v1 without authentication certificate) or validation is disabled",
    page: include_str!("../../rules/AGW015.md"),
};

/// `Some(true)` when every member is an App Service default domain (trusted without
/// configuration) and no host override points elsewhere.
fn backend_is_default_domain(
    model: &Model,
    s: &BackendSettings,
    pools: &[&BackendPool],
) -> Option<bool> {
    match s.host_name.decidable()? {
        Some(h) if !h.trim().is_empty() && !is_app_service_host(h) => return Some(false),
        _ => {}
    }
    let mut unknown = false;
    for p in pools {
        for a in p.addresses.items()? {
            match address_is_default_domain(model, a) {
                Some(true) => {}
                Some(false) => return Some(false),
                None => unknown = true,
            }
        }
    }
    if unknown { None } else { Some(true) }
}

fn check_v1(model: &Model, gw: &Gateway, cx: &mut RuleCx<'_>) {
    for (s, pools) in routed_settings(gw) {
        if s.protocol.eq_ci("Https") != Some(true) {
            continue;
        }
        let Some(certs) = s.authentication_certificates.items() else {
            cx.skip(
                &gw.res,
                super::skip::settings(&s.name, "authenticationCertificates"),
                &s.authentication_certificates,
            );
            continue;
        };
        if !certs.is_empty() {
            continue;
        }
        match backend_is_default_domain(model, s, &pools) {
            Some(false) => {}
            Some(true) => continue,
            None => {
                cx.skip_at(
                    &gw.res,
                    super::skip::settings(&s.name, "backend host"),
                    Some(s.span),
                );
                continue;
            }
        }
        let sname = s.name.display_name();
        let prop = gw
            .res
            .dialect
            .prop("authenticationCertificates", "authentication_certificate");
        let f = cx
            .finding(
                format!(
                    "backend settings \"{sname}\" of v1 gateway \"{}\" use HTTPS without `{prop}` for a backend that is not an App Service default domain",
                    gw.res.display_name()
                ),
                s.protocol.span_or(s.span),
            )
            .label("v1 only trusts allow-listed backend leaf certificates")
            .help("add the backend's certificate under authenticationCertificates, or (better) move to v2")
            .origins(&s.protocol)
            .resource(&gw.res)
            .property(format!("backendHttpSettingsCollection[{sname}].authenticationCertificates"));
        cx.emit(f);
    }
}

fn check_validation(gw: &Gateway, cx: &mut RuleCx<'_>) {
    let d = gw.res.dialect;
    for s in gw.settings.iter() {
        if s.protocol.eq_ci("Https") != Some(true) {
            continue;
        }
        let sname = s.name.display_name();
        let gname = gw.res.display_name();
        let sni_prop = d.prop("validateSNI", "sni_validation_enabled");
        if d == Dialect::Terraform
            && s.validate_sni.get() == Some(&false)
            && s.sni_name.get().is_some_and(|n| !n.trim().is_empty())
        {
            let f = cx
                .finding(
                    format!(
                        "backend settings \"{sname}\" of gateway \"{gname}\" set `sni_name` while `{sni_prop}` is false"
                    ),
                    s.sni_name.span_or(s.span),
                )
                .label("the provider (≥ v4.75.0) fails the plan")
                .related(s.validate_sni.span_or(s.span), "SNI validation disabled")
                .help("remove `sni_name` or enable SNI validation")
                .severity(Severity::Warning)
                .origins(&s.sni_name)
                .resource(&gw.res)
                .property(format!("backendHttpSettingsCollection[{sname}].sniName"));
            cx.emit(f);
        }
        let checks = [
            (
                &s.validate_cert_chain,
                d.prop(
                    "validateCertChainAndExpiry",
                    "certificate_chain_validation_enabled",
                ),
                "validateCertChainAndExpiry",
            ),
            (&s.validate_sni, sni_prop, "validateSNI"),
        ];
        for (v, prop, logical) in checks {
            if v.get() != Some(&false) {
                continue;
            }
            let f = cx
                .finding(
                    format!("backend settings \"{sname}\" of gateway \"{gname}\" disable `{prop}`"),
                    v.span_or(s.span),
                )
                .label("backend certificate problems are hidden, not fixed")
                .help("keep certificate validation on and trust the backend's root certificate instead")
                .severity(Severity::Info)
                .origins(v)
                .resource(&gw.res)
                .property(format!("backendHttpSettingsCollection[{sname}].{logical}"));
            cx.emit(f);
        }
    }
}

impl Rule for HttpsBackendTrust {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            if gw.sku_family() == Some(SkuFamily::V1) {
                check_v1(model, gw, cx);
            }
            check_validation(gw, cx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SubRef, Val};
    use crate::rules::testkit::*;

    fn v1(fqdn: &str, certs: Vec<SubRef>) -> Model {
        let mut gw = gateway(Dialect::Arm);
        gw.sku.name = ks("Standard_Medium");
        gw.sku.tier = ks("Standard");
        gw.pools = k(vec![pool("pool", &[fqdn])]);
        let mut s = settings("s", "Https", 443, true);
        s.authentication_certificates = k(certs);
        gw.settings = k(vec![s]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        model(gw, vec![])
    }

    #[test]
    fn v1_needs_auth_cert_except_for_app_service() {
        let f = run(&HttpsBackendTrust, &v1("api.contoso.com", vec![]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            run(
                &HttpsBackendTrust,
                &v1("api.contoso.com", vec![named("backend-cert")])
            )
            .is_empty()
        );
        assert!(run(&HttpsBackendTrust, &v1("fn.azurewebsites.net", vec![])).is_empty());
    }

    #[test]
    fn v2_without_trusted_root_is_quiet() {
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool("pool", &["api.contoso.com"])]);
        gw.settings = k(vec![settings("s", "Https", 443, true)]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        assert!(run(&HttpsBackendTrust, &model(gw, vec![])).is_empty());
    }

    #[test]
    fn disabled_validation_is_info_and_tf_sni_name_warns() {
        let mut gw = gateway(Dialect::Terraform);
        let mut s = settings("s", "Https", 443, true);
        s.validate_sni = k(false);
        s.sni_name = ks("api.contoso.com");
        s.validate_cert_chain = Val::absent();
        gw.settings = k(vec![s]);
        let f = run(&HttpsBackendTrust, &model(gw, vec![]));
        assert_eq!(f.len(), 2);
        assert!(f.iter().any(|f| f.severity == Severity::Warning));
        assert!(f.iter().any(|f| f.severity == Severity::Info));
    }
}
