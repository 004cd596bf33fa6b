//! AGW041 function-client-cert-required: HTTPS backend settings reach a site that requires a
//! client certificate on the probe path. The gateway never presents a client certificate to a
//! backend, so the probe gets 403 or a failed handshake, the backend turns Unhealthy, 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_site::{
    path_covered_by_prefixes, path_only, probe_path_of, routed_site_pairs,
};
use crate::model::{BackendSettings, Dialect, Gateway, Model, Site};

/// See the module docs.
pub struct FunctionClientCertRequired;

static META: RuleMeta = RuleMeta {
    id: "AGW041",
    name: "function-client-cert-required",
    severity: Severity::Error,
    summary: "HTTPS backend settings reach a site that requires client certificates on the probe path; the gateway never sends one",
    page: include_str!("../../rules/AGW041.md"),
};

impl Rule for FunctionClientCertRequired {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for (s, site, _) in routed_site_pairs(model, gw) {
                check_pair(gw, s, site, cx);
            }
        }
    }
}

/// The effective client-certificate mode and whether it is the unverified ARM default.
fn effective_mode(site: &Site) -> Option<(String, bool)> {
    match site.client_cert_mode.decidable()? {
        Some(m) => Some((m.clone(), false)),
        // azurerm: function apps default to `Optional`, web apps to `Required`.
        None if site.res.dialect == Dialect::Terraform => {
            let f = site.is_function.get()?;
            Some((if *f { "Optional" } else { "Required" }.to_string(), false))
        }
        // ARM: exported templates show `Required`, but the API default is unverified.
        None => Some(("Required".to_string(), true)),
    }
}

fn check_pair(gw: &Gateway, s: &BackendSettings, site: &Site, cx: &mut RuleCx<'_>) {
    match s.protocol.get() {
        Some(p) if p.eq_ignore_ascii_case("Https") => {}
        Some(_) => return,
        None => {
            if s.protocol.is_unknown() {
                cx.skip(
                    &gw.res,
                    super::skip::settings(&s.name, "protocol"),
                    &s.protocol,
                );
            }
            return;
        }
    }
    let Some(enabled) = site.client_cert_enabled.flag(false) else {
        cx.skip(&site.res, "clientCertEnabled", &site.client_cert_enabled);
        return;
    };
    if !enabled {
        return;
    }
    let Some((mode, assumed)) = effective_mode(site) else {
        cx.skip_at(&site.res, "clientCertMode", None);
        return;
    };
    if !mode.eq_ignore_ascii_case("Required") {
        return;
    }
    let Some((path, path_span)) = probe_path_of(gw, s) else {
        cx.skip_at(
            &gw.res,
            super::skip::settings(&s.name, "probe.path"),
            Some(s.span),
        );
        return;
    };
    let Some(exclusions) = site.client_cert_exclusion_paths.decidable() else {
        cx.skip(
            &site.res,
            "clientCertExclusionPaths",
            &site.client_cert_exclusion_paths,
        );
        return;
    };
    if exclusions.is_some_and(|list| path_covered_by_prefixes(path_only(&path), list)) {
        return;
    }
    let d = site.res.dialect;
    let sname = s.name.display_name();
    let gname = gw.res.display_name();
    let app = site.res.display_name();
    let mode_prop = d.prop("clientCertMode", "client_certificate_mode");
    let what = if assumed {
        format!("requires client certificates (`{mode_prop}` omitted, assumed `Required`)")
    } else {
        "requires client certificates".to_string()
    };
    let mut f = cx
        .finding(
            format!(
                "site \"{app}\" {what} on probe path \"{path}\", but backend settings \"{sname}\" \
                 of gateway \"{gname}\" reach it over Https without one"
            ),
            site.client_cert_mode
                .span
                .or(site.client_cert_enabled.span)
                .unwrap_or(site.res.span),
        )
        .label("the gateway never presents a client certificate to the backend")
        .related(
            s.protocol.span_or(s.span),
            format!("backend settings \"{sname}\" use Https"),
        )
        .help(format!(
            "set `{mode_prop}` to `Optional` (validate `X-ARR-ClientCert` in the app, with mutual \
             TLS on the gateway listener), or add the health path to `{}`",
            d.prop(
                "clientCertExclusionPaths",
                "client_certificate_exclusion_paths"
            )
        ))
        .origins(&site.client_cert_mode)
        .origins(&site.client_cert_enabled)
        .resource(&site.res)
        .property(d.prop("clientCertMode", "client_certificate_mode"));
    if let Some(ps) = path_span {
        f = f.related(ps, format!("the probe requests \"{path}\""));
    }
    if assumed {
        f = f.severity(Severity::Warning);
    }
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Val;
    use crate::rules::testkit::*;

    fn setup(d: Dialect, mode: Val<String>, excl: Val<String>, is_fn: bool) -> Model {
        let mut site = function(d, "fn");
        site.is_function = k(is_fn);
        site.client_cert_enabled = k(true);
        site.client_cert_mode = mode;
        site.client_cert_exclusion_paths = excl;
        let mut gw = gateway(d);
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        gw.settings = k(vec![settings("s", "Https", 443, true)]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        model(gw, vec![site])
    }

    #[test]
    fn required_mode_fires_unless_probe_path_excluded() {
        let f = run(
            &FunctionClientCertRequired,
            &setup(Dialect::Arm, ks("Required"), Val::absent(), true),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            run(
                &FunctionClientCertRequired,
                &setup(Dialect::Arm, ks("Required"), ks("/admin;/"), true)
            )
            .is_empty()
        );
        assert!(
            run(
                &FunctionClientCertRequired,
                &setup(Dialect::Arm, ks("Required"), unk(), true)
            )
            .is_empty()
        );
    }

    #[test]
    fn defaults_by_dialect() {
        // ARM omitted mode: assumed Required, downgraded.
        let f = run(
            &FunctionClientCertRequired,
            &setup(Dialect::Arm, Val::absent(), Val::absent(), true),
        );
        assert_eq!(f[0].severity, Severity::Warning);
        // azurerm function apps default to Optional, web apps to Required.
        assert!(
            run(
                &FunctionClientCertRequired,
                &setup(Dialect::Terraform, Val::absent(), Val::absent(), true)
            )
            .is_empty()
        );
        assert_eq!(
            run(
                &FunctionClientCertRequired,
                &setup(Dialect::Terraform, Val::absent(), Val::absent(), false)
            )
            .len(),
            1
        );
    }
}
