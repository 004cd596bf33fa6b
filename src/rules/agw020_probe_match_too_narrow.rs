//! AGW020 probe-match-too-narrow: a probe's `match` does not accept the status the backend
//! returns on the probe path (301 from an HTTPS-only site probed over HTTP, 302 from App Service
//! Authentication), or matches on the body. The backend turns Unhealthy: 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_gateway::{pairs_of_settings, settings_using_probe};
use crate::model::query_site::{codes_include, sites_of_pool};
use crate::model::{BackendSettings, Gateway, Model, Probe, Site};
use crate::source::Span;

/// See the module docs.
pub struct ProbeMatchTooNarrow;

static META: RuleMeta = RuleMeta {
    id: "AGW020",
    name: "probe-match-too-narrow",
    severity: Severity::Warning,
    summary: "A probe's match conditions reject the status the backend returns on the probe path, or match on the response body",
    page: include_str!("../../rules/AGW020.md"),
};

impl Rule for ProbeMatchTooNarrow {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for p in gw.probes.iter() {
                check_probe(model, gw, p, cx);
            }
        }
    }
}

/// The status a site returns on `path` for requests of `settings`, when static facts decide it:
/// 301 (HTTPS-only site over HTTP) or 302 (authentication redirects to the login page).
fn expected_status(s: &BackendSettings, site: &Site, path: &str) -> Option<(u16, String, Span)> {
    if site.https_only.flag(false) == Some(true) && s.protocol.eq_ci("Http") == Some(true) {
        return Some((
            301,
            "redirects HTTP to HTTPS (`httpsOnly`)".to_string(),
            site.https_only.span_or(site.res.span),
        ));
    }
    let auth = site.auth.get()?;
    if auth.enabled.flag(false) != Some(true)
        || auth.require_authentication.flag(false) != Some(true)
    {
        return None;
    }
    let action = auth
        .unauthenticated_action
        .or_default(&"RedirectToLoginPage".to_string())?
        .clone();
    if !action.eq_ignore_ascii_case("RedirectToLoginPage") {
        // 401/403/404 are AGW022's.
        return None;
    }
    // Wildcard exclusions (`/api/*`) as AGW022 honours them.
    let excluded = crate::model::query_site::auth_excluded(auth.excluded_paths.items()?, path)?;
    (!excluded).then(|| {
        (
            302,
            "redirects unauthenticated requests to the login page".to_string(),
            auth.require_authentication.span_or(auth.span),
        )
    })
}

fn check_probe(model: &Model, gw: &Gateway, p: &Probe, cx: &mut RuleCx<'_>) {
    let d = gw.res.dialect;
    let pname = p.name.display_name();
    let gname = gw.res.display_name();
    let codes_prop = d.prop("match.statusCodes", "match.status_code");
    let mut warned = false;
    if let Some(body) = p.match_body.get().filter(|b| !b.is_empty()) {
        warned = true;
        let f = cx
            .finding(
                format!("probe \"{pname}\" of gateway \"{gname}\" matches on the response body \"{body}\""),
                p.match_body.span_or(p.span),
            )
            .label("any change of the health response marks the backend Unhealthy")
            .help("match on status codes only, or keep the body contract of the health endpoint stable")
            .origins(&p.match_body)
            .resource(&gw.res)
            .property(format!("probes[{pname}].match.body"));
        cx.emit(f);
    }
    let Some(path) = p.path.get() else {
        return;
    };
    let (users, _) = settings_using_probe(gw, p);
    let mut done: Vec<u16> = Vec::new();
    for s in users {
        for pair in pairs_of_settings(gw, s) {
            for site in sites_of_pool(model, pair.pool) {
                let Some((code, why, cause)) = expected_status(s, site, path) else {
                    continue;
                };
                if done.contains(&code) {
                    continue;
                }
                match codes_include(&p.match_status_codes, code) {
                    None => cx.skip(
                        &gw.res,
                        super::skip::probes(&p.name, "match.statusCodes"),
                        &p.match_status_codes,
                    ),
                    Some(true) => {}
                    Some(false) => {
                        done.push(code);
                        warned = true;
                        let sname = s.name.display_name();
                        let f = cx
                            .finding(
                                format!(
                                    "probe \"{pname}\" of gateway \"{gname}\" does not accept {code}, which \
                                     site \"{}\" returns on \"{path}\"",
                                    site.res.display_name()
                                ),
                                p.match_status_codes.span_or(p.span),
                            )
                            .label(format!("`{codes_prop}` excludes {code}"))
                            .related(
                                cause,
                                format!(
                                    "site \"{}\" {why}, reached through backend settings \"{sname}\"",
                                    site.res.display_name()
                                ),
                            )
                            .help(format!(
                                "accept {code} in `{codes_prop}` (the default 200-399 does), or fix the cause: \
                                 Https settings for an HTTPS-only site, a health path excluded from authentication"
                            ))
                            .origins(&p.match_status_codes)
                            .resource(&gw.res)
                            .property(format!("probes[{pname}].match.statusCodes"));
                        cx.emit(f);
                    }
                }
            }
        }
    }
    if warned {
        return;
    }
    let Some(items) = p.match_status_codes.items() else {
        return;
    };
    // Only a set that rejects part of 200-399 is narrower than the default; wider ranges
    // (200-499) are a deliberate choice.
    let narrower =
        (200..=399).any(|code| codes_include(&p.match_status_codes, code) == Some(false));
    if items.is_empty() || !narrower || items.iter().any(|c| !c.is_known()) {
        return;
    }
    let shown: Vec<&str> = items.iter().filter_map(|c| c.as_str()).collect();
    let f = cx
        .finding(
            format!(
                "probe \"{pname}\" of gateway \"{gname}\" accepts only status codes {}",
                super::capped_list(&shown)
            ),
            p.match_status_codes.span_or(p.span),
        )
        .label("narrower than the default 200-399")
        .help(format!(
            "check that the health path always answers with one of these codes, or remove `{codes_prop}` to use 200-399"
        ))
        .severity(Severity::Info)
        .origins(&p.match_status_codes)
        .resource(&gw.res)
        .property(format!("probes[{pname}].match.statusCodes"));
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AuthSettings, Dialect, Val};
    use crate::rules::testkit::*;

    fn setup(codes: &[&str], proto: &str, https_only: bool, auth: Val<AuthSettings>) -> Model {
        let mut site = function(Dialect::Arm, "fn");
        site.https_only = k(https_only);
        site.auth = auth;
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        let mut s = settings("s", proto, 80, true);
        s.probe = named("probe");
        gw.settings = k(vec![s]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        gw.probes = k(vec![Probe {
            name: ks("probe"),
            protocol: ks(proto),
            path: ks("/api/health"),
            match_status_codes: k(codes.iter().map(|c| ks(c)).collect()),
            span: sp(),
            ..Default::default()
        }]);
        model(gw, vec![site])
    }

    #[test]
    fn https_only_over_http_needs_301() {
        let f = run(
            &ProbeMatchTooNarrow,
            &setup(&["200"], "Http", true, Val::absent()),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("301"));
        assert!(
            run(
                &ProbeMatchTooNarrow,
                &setup(&["200-399"], "Http", true, Val::absent())
            )
            .is_empty()
        );
        assert!(
            run(
                &ProbeMatchTooNarrow,
                &setup(&[], "Http", true, Val::absent())
            )
            .is_empty()
        );
    }

    #[test]
    fn wildcard_exclusion_is_honoured() {
        // Audit case 23b: `/api/*` excluded, probe `/api/health`: no 302, only the info note.
        let auth = |paths: Vec<&str>| {
            k(AuthSettings {
                enabled: k(true),
                require_authentication: k(true),
                excluded_paths: k(paths.into_iter().map(ks).collect()),
                ..Default::default()
            })
        };
        let f = run(
            &ProbeMatchTooNarrow,
            &setup(&["200"], "Https", false, auth(vec!["/api/*"])),
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Info);
        let f = run(
            &ProbeMatchTooNarrow,
            &setup(&["200"], "Https", false, auth(vec!["/other/*"])),
        );
        assert!(f.iter().any(|f| f.message.contains("302")), "{f:?}");
    }

    #[test]
    fn login_redirect_needs_302_and_narrow_is_info() {
        let auth = k(AuthSettings {
            enabled: k(true),
            require_authentication: k(true),
            excluded_paths: k(vec![]),
            ..Default::default()
        });
        let f = run(&ProbeMatchTooNarrow, &setup(&["200"], "Https", false, auth));
        assert!(f[0].message.contains("302"));
        let f = run(
            &ProbeMatchTooNarrow,
            &setup(&["200"], "Https", false, Val::absent()),
        );
        assert_eq!(f[0].severity, Severity::Info);
        let wide = setup(&["200-499"], "Https", false, Val::absent());
        assert!(run(&ProbeMatchTooNarrow, &wide).is_empty());
        let mut m = setup(&["200"], "Https", false, Val::absent());
        m.gateways[0].probes = k(vec![Probe {
            name: ks("probe"),
            match_status_codes: unk(),
            ..Default::default()
        }]);
        assert!(run(&ProbeMatchTooNarrow, &m).is_empty());
    }
}
