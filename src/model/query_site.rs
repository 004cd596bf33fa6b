//! Shared questions of the probe and site rules (AGW017–AGW022, AGW040–AGW042): "which sites
//! does this pool reach?", "which path does this probe request?", "which status codes does the
//! probe accept?".

use super::query::Pair;
use super::query_gateway::{EffectiveProbe, effective_probe};
use super::{BackendPool, BackendSettings, Gateway, Model, Site, Val};
use crate::source::Span;

/// The sites in the scan a pool's addresses reach, each once, in address order.
pub fn sites_of_pool<'a>(model: &'a Model, pool: &BackendPool) -> Vec<&'a Site> {
    let mut out: Vec<&Site> = Vec::new();
    for a in pool.addresses.iter() {
        if let Some(s) = model.site_of_address(a).found()
            && !out.iter().any(|x| std::ptr::eq(*x, s))
        {
            out.push(s);
        }
    }
    out
}

/// Each (settings, site) combination the gateway routes, once, with the first pair joining
/// them (for its span).
pub fn routed_site_pairs<'a>(
    model: &'a Model,
    gw: &'a Gateway,
) -> Vec<(&'a BackendSettings, &'a Site, Pair<'a>)> {
    let mut out: Vec<(&BackendSettings, &Site, Pair<'_>)> = Vec::new();
    for p in gw.pairs().items {
        for site in sites_of_pool(model, p.pool) {
            if !out
                .iter()
                .any(|(s, x, _)| std::ptr::eq(*s, p.settings) && std::ptr::eq(*x, site))
            {
                out.push((p.settings, site, p));
            }
        }
    }
    out
}

/// The path the probe of `settings` requests: a custom probe's `path` (with its span), or `/`
/// for the default probe. `None` when the probe or its path is Unknown or the path is not
/// written (AGW018 reports that).
pub fn probe_path_of(gw: &Gateway, settings: &BackendSettings) -> Option<(String, Option<Span>)> {
    match effective_probe(gw, settings) {
        EffectiveProbe::Custom(p) => p.path.get().map(|s| (s.clone(), p.path.span)),
        EffectiveProbe::Default => Some(("/".to_string(), None)),
        EffectiveProbe::Unknown => None,
    }
}

/// Parses one `match.statusCodes` entry (`200`, `200-399`) into an inclusive range.
pub fn parse_status_range(s: &str) -> Option<(u16, u16)> {
    let t = s.trim();
    match t.split_once('-') {
        Some((a, b)) => {
            let lo = a.trim().parse::<u16>().ok()?;
            let hi = b.trim().parse::<u16>().ok()?;
            (lo <= hi).then_some((lo, hi))
        }
        None => t.parse::<u16>().ok().map(|c| (c, c)),
    }
}

/// Whether a probe's accepted status codes include `code`. Absent (or an empty list) means the
/// default 200–399. `None` when a code is Unknown or unparseable.
pub fn codes_include(codes: &Val<Vec<Val<String>>>, code: u16) -> Option<bool> {
    let items = codes.items()?;
    if items.is_empty() {
        return Some((200..=399).contains(&code));
    }
    let mut unknown = false;
    for c in items {
        match c.get().map(|s| parse_status_range(s)) {
            Some(Some((lo, hi))) if (lo..=hi).contains(&code) => return Some(true),
            Some(Some(_)) => {}
            _ => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

/// Whether `path` is covered by a list of path prefixes (`;` or `,` separated, as App Service
/// `clientCertExclusionPaths` writes them), case-insensitively.
pub fn path_covered_by_prefixes(path: &str, list: &str) -> bool {
    let p = path.to_ascii_lowercase();
    list.split([';', ','])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|e| p.starts_with(&e.to_ascii_lowercase()))
}

/// The path part of a probe path (query string dropped).
pub fn path_only(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or(path)
}

/// True when an ARM `apiVersion` is at or after `date` (`YYYY-MM-DD`; preview suffixes are
/// ignored).
pub fn api_version_at_least(api: &str, date: &str) -> bool {
    api.get(..10).unwrap_or(api) >= date
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn codes(v: &[&str]) -> Val<Vec<Val<String>>> {
        let sp = Span::new(FileId(0), 0..1);
        Val::known(
            v.iter().map(|s| Val::known(s.to_string(), sp)).collect(),
            sp,
        )
    }

    #[test]
    fn status_ranges() {
        assert_eq!(parse_status_range("200-399"), Some((200, 399)));
        assert_eq!(parse_status_range(" 200 "), Some((200, 200)));
        assert_eq!(parse_status_range("399-200"), None);
        assert_eq!(codes_include(&codes(&["200"]), 301), Some(false));
        assert_eq!(codes_include(&codes(&["200-399"]), 301), Some(true));
        assert_eq!(codes_include(&Val::absent(), 302), Some(true));
        assert_eq!(codes_include(&Val::absent(), 401), Some(false));
        assert_eq!(codes_include(&codes(&["abc"]), 401), None);
    }

    fn site_with(bindings: Val<Vec<super::super::HostBinding>>) -> Site {
        let sp = Span::new(FileId(0), 0..1);
        Site {
            default_host_name: Val::known("app.azurewebsites.net".to_string(), sp),
            host_bindings: bindings,
            ..Site::default()
        }
    }

    fn binding(host: Val<String>) -> super::super::HostBinding {
        super::super::HostBinding {
            host_name: host,
            ..Default::default()
        }
    }

    #[test]
    fn basic_listener_in_front_of_a_custom_domain_is_not_a_mismatch() {
        let sp = Span::new(FileId(0), 0..1);
        let basic = super::super::Listener::default();
        let named = |bs: Vec<super::super::HostBinding>| site_with(Val::known(bs, sp));
        // No custom domain: any Host reaches the app, which answers only to its own name.
        let plain = named(vec![]);
        assert_eq!(
            listener_hosts_served(Some(&basic), Some(&plain)),
            Some(false)
        );
        let platform = named(vec![binding(Val::known(
            "app.azurewebsites.net".into(),
            sp,
        ))]);
        assert_eq!(
            listener_hosts_served(Some(&basic), Some(&platform)),
            Some(false)
        );
        assert_eq!(listener_hosts_served(Some(&basic), None), Some(false));
        // A custom domain (Known, or a parameter) the clients may call the gateway by.
        let custom = named(vec![binding(Val::known("www.contoso.com".into(), sp))]);
        assert_eq!(listener_hosts_served(Some(&basic), Some(&custom)), None);
        let param = named(vec![binding(Val::unknown(Some(sp)))]);
        assert_eq!(listener_hosts_served(Some(&basic), Some(&param)), None);
        let unknown = site_with(Val::unknown(Some(sp)));
        assert_eq!(listener_hosts_served(Some(&basic), Some(&unknown)), None);
        assert_eq!(listener_hosts_served(None, Some(&custom)), None);
        assert_eq!(listener_hosts_served(None, Some(&plain)), Some(false));
        // A listener host the app certainly does not answer to stays a mismatch.
        let other = super::super::Listener {
            host_name: Val::known("other.azurewebsites.net".into(), sp),
            ..Default::default()
        };
        assert_eq!(
            listener_hosts_served(Some(&other), Some(&custom)),
            Some(false)
        );
    }

    #[test]
    fn prefixes_and_api_versions() {
        assert!(path_covered_by_prefixes("/API/health", "/admin;/api"));
        assert!(!path_covered_by_prefixes("/", "/api,/admin"));
        assert!(api_version_at_least("2021-08-01", "2021-08-01"));
        assert!(api_version_at_least("2023-09-01-preview", "2021-08-01"));
        assert!(!api_version_at_least("2020-11-01", "2021-08-01"));
        assert_eq!(path_only("/api/health?code=x"), "/api/health");
    }
}

/// What the scan says about a site answering to a host name, and with TLS: the one predicate
/// behind AGW008, AGW010, AGW011 and AGW046.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostState {
    /// `Some(true)`: the default host name or a binding in the scan; `Some(false)` only for a
    /// platform host name (`*.azurewebsites.net`) that is not the site's own; `None` when no
    /// binding for the host is in the scan (bindings are often made outside infrastructure code,
    /// after a DNS proof) or a value is Unknown.
    pub answers: Option<bool>,
    /// `Some(true)`: the default host name, or any declaration of the binding has an `sslState`
    /// other than `Disabled` (the managed-certificate pattern declares the binding twice);
    /// `Some(false)` only when every declaration certainly has no certificate; `None` otherwise.
    pub tls: Option<bool>,
}

/// Whether `host` is under the App Service platform domain, where only the app of that name
/// answers (no custom binding of another app can take it).
fn platform_host(h: &str) -> bool {
    h.ends_with(".azurewebsites.net")
}

/// The state of `host` on `site`; see [`HostState`].
pub fn host_state(site: &Site, host: &str) -> HostState {
    use super::{Dialect, Lattice};
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    let unknown = HostState {
        answers: None,
        tls: None,
    };
    if site
        .default_host_name
        .get()
        .is_some_and(|d| d.eq_ignore_ascii_case(&h))
    {
        return HostState {
            answers: Some(true),
            tls: Some(true),
        };
    }
    let Some(bindings) = site.host_bindings.items() else {
        return unknown;
    };
    let mut name_unknown = false;
    let mut matching = Vec::new();
    for b in bindings {
        match b.host_name.get() {
            Some(n) if n.trim_end_matches('.').eq_ignore_ascii_case(&h) => matching.push(b),
            Some(_) => {}
            None => name_unknown = true,
        }
    }
    if matching.is_empty() {
        // An Unknown default host name with a known suffix (`….azurewebsites.net`) cannot
        // equal a host with another suffix.
        let default_may_match = site
            .default_host_name
            .partial()
            .is_some_and(|p| p.suffix.is_empty() || h.ends_with(&p.suffix.to_ascii_lowercase()));
        if name_unknown || default_may_match || site.default_host_name.get().is_none() {
            return unknown;
        }
        return HostState {
            answers: platform_host(&h).then_some(false),
            tls: None,
        };
    }
    let mut tls = Some(false);
    for b in &matching {
        match &b.ssl_state.state {
            Lattice::Known(s) if !s.eq_ignore_ascii_case("Disabled") => {
                tls = Some(true);
                break;
            }
            Lattice::Known(_) => {}
            // ARM: a `hostNameBindings` resource without sslState has no certificate.
            // Terraform binds certificates with a separate resource: do not claim.
            Lattice::Absent if site.res.dialect == Dialect::Arm => {}
            _ => tls = None,
        }
    }
    HostState {
        answers: Some(true),
        tls,
    }
}

/// `Some(true)` when every host the listener accepts is answered by the site (the documented
/// custom-domain pattern, where forwarding the client's Host is right); `Some(false)` when one of
/// the listener's hosts is certainly not the site's, or the listener accepts any host (no host
/// name) in front of a site with no custom domain (or outside the scan: clients can only use the
/// gateway's own name or address); `None` when unknowable (a custom domain with no binding in the
/// scan, a listener that accepts any host in front of a site with a custom domain or Unknown
/// bindings, since clients may call the gateway by that domain, Unknown values).
pub fn listener_hosts_served(
    listener: Option<&super::Listener>,
    site: Option<&Site>,
) -> Option<bool> {
    let Some(l) = listener else {
        // Without the listener we cannot rule the pattern out unless the site has no custom
        // domain at all.
        return match site {
            Some(s) if !may_have_custom_domain(s) => Some(false),
            _ => None,
        };
    };
    let hosts = listener_hosts(l)?;
    if hosts.is_empty() {
        // Any Host reaches the backend: the client's Host is the site's own only when clients
        // call the gateway by a custom domain of the site.
        return match site {
            Some(s) if may_have_custom_domain(s) => None,
            _ => Some(false),
        };
    }
    let site = site?;
    let mut all = Some(true);
    for h in hosts {
        match host_state(site, h).answers {
            Some(true) => {}
            Some(false) => return Some(false),
            None => all = None,
        }
    }
    all
}

/// Whether the site may answer to a custom domain: its bindings are Unknown, or one binding's host
/// name is not certainly an App Service platform host (`*.azurewebsites.net`, Government, China).
pub fn may_have_custom_domain(site: &Site) -> bool {
    let Some(bindings) = site.host_bindings.items() else {
        return true;
    };
    bindings.iter().any(|b| {
        !b.host_name
            .known_suffix()
            .is_some_and(super::query::is_app_service_host)
    })
}

/// The host names a listener accepts (`hostName` plus `hostNames`); `None` when one is Unknown.
pub fn listener_hosts(l: &super::Listener) -> Option<Vec<&str>> {
    let mut hosts: Vec<&str> = Vec::new();
    match l.host_name.decidable() {
        Some(Some(h)) => hosts.push(h),
        Some(None) => {}
        None => return None,
    }
    for h in l.host_names.items()? {
        hosts.push(h.get()?);
    }
    Some(hosts)
}

/// Whether `path` is in the excluded paths (exact, case-insensitive; a trailing `*` is a
/// prefix). `None` when a path is Unknown.
pub fn auth_excluded(list: &[Val<String>], path: &str) -> Option<bool> {
    let p = path_only(path).to_ascii_lowercase();
    let mut unknown = false;
    for e in list {
        match e.get().map(|s| s.trim().to_ascii_lowercase()) {
            Some(x) if x == p => return Some(true),
            Some(x) if x.ends_with('*') && p.starts_with(x.trim_end_matches('*')) => {
                return Some(true);
            }
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}
