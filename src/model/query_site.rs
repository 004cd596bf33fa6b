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
