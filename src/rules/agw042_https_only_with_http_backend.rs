//! AGW042 https-only-with-http-backend: backend settings reach an HTTPS-only site over plain
//! HTTP. The site answers every request with a 301 to `https://<app>.azurewebsites.net`, which
//! sends clients off the gateway, and a probe that only accepts 200 marks the backend Unhealthy.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_site::routed_site_pairs;
use crate::model::{BackendSettings, Gateway, Model, Site};

/// See the module docs.
pub struct HttpsOnlyWithHttpBackend;

static META: RuleMeta = RuleMeta {
    id: "AGW042",
    name: "https-only-with-http-backend",
    severity: Severity::Warning,
    summary: "Backend settings use Http to a site with httpsOnly, which answers with redirects",
    page: include_str!("../../rules/AGW042.md"),
};

impl Rule for HttpsOnlyWithHttpBackend {
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
    let http = match s.protocol.get() {
        Some(p) => p.eq_ignore_ascii_case("Http"),
        None if s.protocol.is_absent() => s.port.get() == Some(&80),
        None => {
            cx.skip(
                &gw.res,
                super::skip::settings(&s.name, "protocol"),
                &s.protocol,
            );
            return;
        }
    };
    if !http {
        return;
    }
    let Some(https_only) = site.https_only.flag(false) else {
        cx.skip(&site.res, "httpsOnly", &site.https_only);
        return;
    };
    if !https_only {
        return;
    }
    let d = gw.res.dialect;
    let sname = s.name.display_name();
    let gname = gw.res.display_name();
    let app = site.res.display_name();
    let f = cx
        .finding(
            format!(
                "backend settings \"{sname}\" of gateway \"{gname}\" use Http to site \"{app}\", \
                 which only serves HTTPS"
            ),
            s.protocol.span.or(s.port.span).unwrap_or(s.span),
        )
        .label("the site answers 301 to https://")
        .related(
            site.https_only.span_or(site.res.span),
            format!(
                "`{}` is true on site \"{app}\"",
                site.res.dialect.prop("httpsOnly", "https_only")
            ),
        )
        .help(format!(
            "use `protocol` Https and `port` 443 in the backend settings (App Service certificates \
             are trusted by default), with `{}` true",
            d.prop(
                "pickHostNameFromBackendAddress",
                "pick_host_name_from_backend_address"
            )
        ))
        .origins(&s.protocol)
        .origins(&site.https_only)
        .resource(&gw.res)
        .property(format!("backendHttpSettingsCollection[{sname}].protocol"));
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Val};
    use crate::rules::testkit::*;

    fn setup(proto: Val<String>, port: i64, https_only: Val<bool>) -> Model {
        let mut site = function(Dialect::Arm, "fn");
        site.https_only = https_only;
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        let mut s = settings("s", "Http", port, true);
        s.protocol = proto;
        gw.settings = k(vec![s]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        model(gw, vec![site])
    }

    #[test]
    fn http_to_https_only_site() {
        assert_eq!(
            run(&HttpsOnlyWithHttpBackend, &setup(ks("HTTP"), 80, k(true))).len(),
            1
        );
        assert_eq!(
            run(
                &HttpsOnlyWithHttpBackend,
                &setup(Val::absent(), 80, k(true))
            )
            .len(),
            1
        );
        assert!(run(&HttpsOnlyWithHttpBackend, &setup(ks("Https"), 443, k(true))).is_empty());
        assert!(
            run(
                &HttpsOnlyWithHttpBackend,
                &setup(ks("Http"), 80, Val::absent())
            )
            .is_empty()
        );
        assert!(run(&HttpsOnlyWithHttpBackend, &setup(ks("Http"), 80, unk())).is_empty());
    }
}
