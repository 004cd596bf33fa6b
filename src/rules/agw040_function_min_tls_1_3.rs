//! AGW040 function-min-tls-1-3: HTTPS backend settings reach a site whose minimum inbound TLS
//! version is 1.3. A v1 gateway always connects to backends with TLS 1.2, so the handshake
//! fails, the backend turns Unhealthy, 502. v2 gateways prefer TLS 1.3 since the August 2025
//! platform update, so there it is only a warning.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SkuFamily;
use crate::model::query_site::routed_site_pairs;
use crate::model::{BackendSettings, Gateway, Model, Site};

/// See the module docs.
pub struct FunctionMinTls13;

static META: RuleMeta = RuleMeta {
    id: "AGW040",
    name: "function-min-tls-1-3",
    severity: Severity::Error,
    summary: "HTTPS backend settings reach a site that requires TLS 1.3; v1 gateways only speak TLS 1.2 to backends",
    page: include_str!("../../rules/AGW040.md"),
};

impl Rule for FunctionMinTls13 {
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
    // Absent: the App Service default is 1.2.
    let Some(tls) = site.min_tls_version.decidable() else {
        cx.skip(&site.res, "siteConfig.minTlsVersion", &site.min_tls_version);
        return;
    };
    if tls.map(|t| t.trim()) != Some("1.3") {
        return;
    }
    let severity = match gw.sku_family() {
        Some(SkuFamily::V1) => Severity::Error,
        // v2 "always" prefers TLS 1.3 to backends since 31 Aug 2025 (TLS retirement page): a
        // note, not a warning (rule audit 2, 2026-12-05).
        Some(_) => Severity::Info,
        None => {
            cx.skip(&gw.res, "sku", &gw.sku.name);
            return;
        }
    };
    let d = site.res.dialect;
    let sname = s.name.display_name();
    let gname = gw.res.display_name();
    let app = site.res.display_name();
    let (msg, label) = if severity == Severity::Error {
        (
            format!(
                "site \"{app}\" requires TLS 1.3, but v1 gateway \"{gname}\" connects to it through \
                 backend settings \"{sname}\" with TLS 1.2 only"
            ),
            "v1 gateways always use TLS 1.2 to backends",
        )
    } else {
        (
            format!(
                "site \"{app}\" requires TLS 1.3 from gateway \"{gname}\" (backend settings \
                 \"{sname}\"); v2 prefers TLS 1.3 to backends, so this is a note"
            ),
            "v2 prefers TLS 1.3 to backends since 31 Aug 2025",
        )
    };
    let f = cx
        .finding(msg, site.min_tls_version.span_or(site.res.span))
        .label(label)
        .related(
            s.protocol.span_or(s.span),
            format!("backend settings \"{sname}\" use Https"),
        )
        .help(format!(
            "set `{}` to \"1.2\" on the site (the gateway still negotiates 1.3 where it can)",
            d.prop("minTlsVersion", "minimum_tls_version")
        ))
        .severity(severity)
        .origins(&site.min_tls_version)
        .resource(&site.res)
        .property(d.prop(
            "siteConfig.minTlsVersion",
            "site_config.minimum_tls_version",
        ));
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Val};
    use crate::rules::testkit::*;

    fn setup(tier: &str, tls: Val<String>, proto: &str) -> Model {
        let mut site = function(Dialect::Arm, "fn");
        site.min_tls_version = tls;
        let mut gw = gateway(Dialect::Arm);
        gw.sku.tier = ks(tier);
        gw.sku.name = ks(if tier == "Standard" {
            "Standard_Medium"
        } else {
            tier
        });
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        gw.settings = k(vec![settings("s", proto, 443, true)]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        model(gw, vec![site])
    }

    #[test]
    fn severity_by_family() {
        let f = run(&FunctionMinTls13, &setup("Standard", ks("1.3"), "Https"));
        assert_eq!(f[0].severity, Severity::Error);
        let f = run(&FunctionMinTls13, &setup("Standard_v2", ks("1.3"), "Https"));
        assert_eq!(f[0].severity, Severity::Info);
    }

    #[test]
    fn silent_cases() {
        for m in [
            setup("Standard", ks("1.2"), "Https"),
            setup("Standard", Val::absent(), "Https"),
            setup("Standard", unk(), "Https"),
            setup("Standard", ks("1.3"), "Http"),
        ] {
            assert!(run(&FunctionMinTls13, &m).is_empty());
        }
    }
}
