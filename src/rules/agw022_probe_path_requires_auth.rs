//! AGW022 probe-path-requires-auth: the site behind the gateway has App Service Authentication
//! that answers 401/403/404 to anonymous requests, and the probe path is not excluded. Probes
//! carry no credentials, so the backend turns Unhealthy: 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_gateway::{EffectiveProbe, effective_probe};
use crate::model::query_site::auth_excluded;
use crate::model::query_site::{codes_include, probe_path_of, routed_site_pairs};
use crate::model::{BackendSettings, Gateway, Model, Site};

/// See the module docs.
pub struct ProbePathRequiresAuth;

static META: RuleMeta = RuleMeta {
    id: "AGW022",
    name: "probe-path-requires-auth",
    severity: Severity::Warning,
    summary: "App Service Authentication rejects anonymous requests on the probe path; probes carry no credentials",
    page: include_str!("../../rules/AGW022.md"),
};

impl Rule for ProbePathRequiresAuth {
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

fn check_pair(gw: &Gateway, s: &BackendSettings, site: &Site, cx: &mut RuleCx<'_>) {
    let Some(auth) = site.auth.get() else {
        if site.auth.is_unknown() {
            cx.skip(&site.res, "authsettingsV2", &site.auth);
        }
        return;
    };
    let (Some(enabled), Some(required)) = (
        auth.enabled.flag(false),
        auth.require_authentication.flag(false),
    ) else {
        cx.skip_at(
            &site.res,
            "authsettingsV2.requireAuthentication",
            auth.enabled.span.or(auth.require_authentication.span),
        );
        return;
    };
    if !(enabled && required) {
        return;
    }
    let Some(action) = auth
        .unauthenticated_action
        .or_default(&"RedirectToLoginPage".to_string())
        .cloned()
    else {
        cx.skip(
            &site.res,
            "authsettingsV2.unauthenticatedClientAction",
            &auth.unauthenticated_action,
        );
        return;
    };
    let code: u16 = match action.to_ascii_lowercase().as_str() {
        "return401" => 401,
        "return403" => 403,
        "return404" => 404,
        // A login redirect (302) passes the default matcher; AGW020 covers narrow matchers.
        _ => return,
    };
    let Some((path, path_span)) = probe_path_of(gw, s) else {
        cx.skip_at(
            &gw.res,
            super::skip::settings(&s.name, "probe.path"),
            Some(s.span),
        );
        return;
    };
    let Some(list) = auth.excluded_paths.items() else {
        cx.skip(
            &site.res,
            "authsettingsV2.excludedPaths",
            &auth.excluded_paths,
        );
        return;
    };
    match auth_excluded(list, &path) {
        Some(false) => {}
        Some(true) => return,
        None => {
            cx.skip(
                &site.res,
                "authsettingsV2.excludedPaths",
                &auth.excluded_paths,
            );
            return;
        }
    }
    if let EffectiveProbe::Custom(p) = effective_probe(gw, s) {
        match codes_include(&p.match_status_codes, code) {
            Some(false) => {}
            Some(true) => return,
            None => {
                cx.skip(
                    &gw.res,
                    super::skip::probes(&p.name, "match.statusCodes"),
                    &p.match_status_codes,
                );
                return;
            }
        }
    }
    let d = site.res.dialect;
    let sname = s.name.display_name();
    let gname = gw.res.display_name();
    let app = site.res.display_name();
    let excl_prop = d.prop("globalValidation.excludedPaths", "excluded_paths");
    let mut f = cx
        .finding(
            format!(
                "site \"{app}\" answers {code} to unauthenticated requests on probe path \"{path}\" \
                 of backend settings \"{sname}\" of gateway \"{gname}\""
            ),
            auth.unauthenticated_action
                .span
                .or(auth.require_authentication.span)
                .unwrap_or(auth.span),
        )
        .label("health probes carry no credentials")
        .related(
            auth.excluded_paths.span_or(auth.span),
            format!("\"{path}\" is not in `{excl_prop}`"),
        )
        .help(format!(
            "add the health path to `{excl_prop}`, or accept {code} in the probe's `{}`",
            d.prop("match.statusCodes", "match.status_code")
        ))
        .origins(&auth.unauthenticated_action)
        .resource(&site.res)
        .property(d.prop(
            "authsettingsV2.globalValidation.unauthenticatedClientAction",
            "auth_settings_v2.unauthenticated_action",
        ));
    if let Some(ps) = path_span {
        f = f.related(ps, format!("the probe requests \"{path}\""));
    }
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AuthSettings, Dialect, Val};
    use crate::rules::testkit::*;

    fn setup(action: Val<String>, excluded: &[&str]) -> Model {
        let mut site = function(Dialect::Arm, "fn");
        site.auth = k(AuthSettings {
            enabled: k(true),
            require_authentication: k(true),
            unauthenticated_action: action,
            excluded_paths: k(excluded.iter().map(|e| ks(e)).collect()),
            span: sp(),
        });
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        gw.settings = k(vec![settings("s", "Https", 443, true)]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        model(gw, vec![site])
    }

    #[test]
    fn return401_on_default_probe_path() {
        let f = run(
            &ProbePathRequiresAuth,
            &setup(ks("Return401"), &["/api/health"]),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("401"));
        assert!(run(&ProbePathRequiresAuth, &setup(ks("return403"), &["/"])).is_empty());
        assert!(run(&ProbePathRequiresAuth, &setup(ks("Return403"), &["/*"])).is_empty());
    }

    #[test]
    fn redirect_default_and_unknown_are_silent() {
        assert!(run(&ProbePathRequiresAuth, &setup(Val::absent(), &[])).is_empty());
        assert!(run(&ProbePathRequiresAuth, &setup(unk(), &[])).is_empty());
    }
}
