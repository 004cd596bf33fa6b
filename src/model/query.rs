//! Shared questions rules ask of the model, written once: "is this gateway v2?", "which
//! (listener, pool, settings) tuples does this gateway route?", "which site does this pool
//! address reach?".

use super::{
    BackendAddress, BackendPool, BackendSettings, Gateway, Listener, Lookup, Model, Probe, Site,
    SubRef, Val,
};
use crate::source::Span;

/// The SKU family of a gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkuFamily {
    /// Standard / WAF v1 (retired 28 April 2026).
    V1,
    /// Standard_v2 / WAF_v2.
    V2,
    /// Basic (v2 family, limited).
    Basic,
}

const V1_NAMES: &[&str] = &[
    "standard_small",
    "standard_medium",
    "standard_large",
    "waf_medium",
    "waf_large",
];

/// Classifies a SKU name or tier.
/// Compares case-insensitively without allocating: rules ask this for every gateway, often
/// several times.
pub fn sku_family_of(s: &str) -> Option<SkuFamily> {
    let is = |n: &str| s.eq_ignore_ascii_case(n);
    if is("standard") || is("waf") || V1_NAMES.iter().any(|n| is(n)) {
        Some(SkuFamily::V1)
    } else if is("standard_v2") || is("waf_v2") {
        Some(SkuFamily::V2)
    } else if is("basic") {
        Some(SkuFamily::Basic)
    } else {
        None
    }
}

/// True when a host name is an App Service default domain (public, Government or China cloud).
/// App Service Environment names (`*.appserviceenvironment.net`) are excluded.
pub fn is_app_service_host(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    [
        ".azurewebsites.net",
        ".azurewebsites.us",
        ".chinacloudsites.cn",
    ]
    .iter()
    .any(|s| h.ends_with(s))
}

/// Result of resolving a [`SubRef`] inside a gateway.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SubLookup<T> {
    /// The named sub-resource exists.
    Found(T),
    /// The name is Known, the collection is Known, and nothing has that name (AGW023).
    Missing,
    /// The reference is not written.
    Absent,
    /// The name or the collection is Unknown.
    Unknown,
}

impl<T> SubLookup<T> {
    /// The target when found.
    pub fn found(self) -> Option<T> {
        match self {
            SubLookup::Found(t) => Some(t),
            _ => None,
        }
    }
}

/// Finds a sub-resource by name in a collection (names compare case-insensitively).
pub fn find_named<'a, T>(
    coll: &'a Val<Vec<T>>,
    r: &SubRef,
    name_of: impl Fn(&T) -> &Val<String>,
) -> SubLookup<&'a T> {
    if r.mismatch.is_some() {
        return SubLookup::Missing;
    }
    let Some(want) = r.name.get() else {
        return if r.name.is_absent() {
            SubLookup::Absent
        } else {
            SubLookup::Unknown
        };
    };
    let Some(items) = coll.items() else {
        return SubLookup::Unknown;
    };
    let mut any_unknown = false;
    for it in items {
        match name_of(it).get() {
            Some(n) if n.eq_ignore_ascii_case(want) => return SubLookup::Found(it),
            Some(_) => {}
            None => any_unknown = true,
        }
    }
    if any_unknown {
        SubLookup::Unknown
    } else {
        SubLookup::Missing
    }
}

/// The position of `x` (by address) in `items`.
fn position_in<T>(items: Option<&[T]>, x: &T) -> Option<usize> {
    items.and_then(|all| all.iter().position(|y| std::ptr::eq(y, x)))
}

/// Where a (listener, pool, settings) tuple was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairSource {
    /// A Basic request routing rule.
    Rule,
    /// The default of a URL path map.
    PathMapDefault,
    /// A path rule of a URL path map.
    PathRule,
}

/// A (listener, pool, settings) tuple the gateway routes, as in the catalogue's `pairs(gw)`.
#[derive(Debug, Clone, Copy)]
pub struct Pair<'a> {
    /// The listener of the routing rule (when resolvable).
    pub listener: Option<&'a Listener>,
    /// The backend pool.
    pub pool: &'a BackendPool,
    /// The backend settings.
    pub settings: &'a BackendSettings,
    /// The span of the rule or path rule that joins them.
    pub via_span: Span,
    /// Which construct joins them.
    pub source: PairSource,
}

/// The routed pairs of a gateway, and whether the list is complete (false when a rule, path
/// map or name is Unknown).
#[derive(Debug, Clone, Default)]
pub struct Pairs<'a> {
    /// The pairs.
    pub items: Vec<Pair<'a>>,
    /// True when every rule and path rule was resolved.
    pub complete: bool,
}

impl Gateway {
    /// The SKU family: from the tier, else the name. `None` when neither is Known or
    /// recognised.
    pub fn sku_family(&self) -> Option<SkuFamily> {
        super::index::count_lookup();
        self.sku
            .tier
            .get()
            .and_then(|t| sku_family_of(t))
            .or_else(|| self.sku.name.get().and_then(|n| sku_family_of(n)))
    }

    /// Resolves a pool reference.
    pub fn pool(&self, r: &SubRef) -> SubLookup<&BackendPool> {
        find_named(&self.pools, r, |p| &p.name)
    }

    /// Resolves a settings reference.
    pub fn settings_by(&self, r: &SubRef) -> SubLookup<&BackendSettings> {
        find_named(&self.settings, r, |s| &s.name)
    }

    /// Resolves a probe reference.
    pub fn probe(&self, r: &SubRef) -> SubLookup<&Probe> {
        find_named(&self.probes, r, |p| &p.name)
    }

    /// Resolves a listener reference.
    pub fn listener(&self, r: &SubRef) -> SubLookup<&Listener> {
        find_named(&self.listeners, r, |l| &l.name)
    }

    /// The (listener, pool, settings) tuples reachable from routing rules and URL path maps.
    /// Resolved once per gateway ([`super::gateway::PairsCache`]).
    pub fn pairs(&self) -> Pairs<'_> {
        let (at, complete) = self.pairs_cache.0.get_or_init(|| self.pair_positions());
        let listeners = self.listeners.items().unwrap_or_default();
        let pools = self.pools.items().unwrap_or_default();
        let settings = self.settings.items().unwrap_or_default();
        let items = at
            .iter()
            .filter_map(|a| {
                Some(Pair {
                    listener: match a.listener {
                        Some(i) => Some(listeners.get(i)?),
                        None => None,
                    },
                    pool: pools.get(a.pool)?,
                    settings: settings.get(a.settings)?,
                    via_span: a.via_span,
                    source: a.source,
                })
            })
            .collect();
        Pairs {
            items,
            complete: *complete,
        }
    }

    /// [`Gateway::pairs`] as positions in the gateway's collections.
    fn pair_positions(&self) -> (Vec<super::gateway::PairAt>, bool) {
        let mut items: Vec<super::gateway::PairAt> = Vec::new();
        let mut complete = true;
        let Some(rules) = self.rules.items() else {
            return (Vec::new(), false);
        };
        for rule in rules {
            let listener = self.listener(&rule.listener).found();
            let mut push = |pool: &SubRef, settings: &SubRef, span: Span, source: PairSource| match (
                self.pool(pool),
                self.settings_by(settings),
            ) {
                (SubLookup::Found(p), SubLookup::Found(s)) => {
                    if let (Some(pool), Some(settings)) = (
                        position_in(self.pools.items(), p),
                        position_in(self.settings.items(), s),
                    ) {
                        items.push(super::gateway::PairAt {
                            listener: listener.and_then(|l| position_in(self.listeners.items(), l)),
                            pool,
                            settings,
                            via_span: span,
                            source,
                        });
                    }
                }
                (SubLookup::Unknown, _) | (_, SubLookup::Unknown) => complete = false,
                _ => {}
            };
            if !rule.pool.name.is_absent() || !rule.settings.name.is_absent() {
                push(&rule.pool, &rule.settings, rule.span, PairSource::Rule);
            }
            if rule.url_path_map.name.is_absent() {
                continue;
            }
            match find_named(&self.url_path_maps, &rule.url_path_map, |m| &m.name) {
                SubLookup::Found(map) => {
                    if !map.default_pool.name.is_absent() {
                        push(
                            &map.default_pool,
                            &map.default_settings,
                            map.span,
                            PairSource::PathMapDefault,
                        );
                    }
                    match map.path_rules.items() {
                        Some(prs) => {
                            for pr in prs {
                                if !pr.pool.name.is_absent() {
                                    push(&pr.pool, &pr.settings, pr.span, PairSource::PathRule);
                                }
                            }
                        }
                        None => complete = false,
                    }
                }
                SubLookup::Unknown => complete = false,
                _ => {}
            }
        }
        (items, complete)
    }

    /// True when a pool is referenced by some rule or path map (Unknown → `None`).
    pub fn pool_is_routed(&self, pool: &BackendPool) -> Option<bool> {
        let pairs = self.pairs();
        let same = |p: &BackendPool| std::ptr::eq(p, pool);
        if pairs.items.iter().any(|pr| same(pr.pool)) {
            return Some(true);
        }
        // A rule may name the pool while its settings are missing; count those too.
        let rules = self.rules.items()?;
        let mut unknown = !pairs.complete;
        for rule in rules {
            match self.pool(&rule.pool) {
                SubLookup::Found(p) if same(p) => return Some(true),
                SubLookup::Unknown => unknown = true,
                _ => {}
            }
        }
        for map in self.url_path_maps.iter() {
            match self.pool(&map.default_pool) {
                SubLookup::Found(p) if same(p) => return Some(true),
                SubLookup::Unknown => unknown = true,
                _ => {}
            }
            for pr in map.path_rules.iter() {
                match self.pool(&pr.pool) {
                    SubLookup::Found(p) if same(p) => return Some(true),
                    SubLookup::Unknown => unknown = true,
                    _ => {}
                }
            }
        }
        if unknown { None } else { Some(false) }
    }
}

impl Model {
    /// The site a backend address reaches: through a runtime reference
    /// (`reference(site).defaultHostName`, `.default_hostname`, a private endpoint of the site)
    /// or a Known FQDN equal to a site's default or custom host name.
    pub fn site_of_address(&self, addr: &BackendAddress) -> Lookup<&Site> {
        match self.site(&addr.source) {
            Lookup::Found(s) => return Lookup::Found(s),
            Lookup::Unknown if addr.source.is_known() => {
                // A private endpoint in the scan: follow its connection to the site.
                if let Lookup::Found(pe) = self.private_endpoint(&addr.source) {
                    for c in pe.connections.iter() {
                        if let Lookup::Found(s) = self.site(&c.target) {
                            return Lookup::Found(s);
                        }
                    }
                }
            }
            _ => {}
        }
        let Some(fqdn) = addr.fqdn.get() else {
            return if addr.fqdn.is_unknown() {
                Lookup::Unknown
            } else {
                Lookup::Absent
            };
        };
        self.site_by_host(fqdn)
            .map_or(Lookup::Unknown, Lookup::Found)
    }

    /// A site in the scan whose default or custom host name equals `host`.
    pub fn site_by_host(&self, host: &str) -> Option<&Site> {
        let h = host.trim_end_matches('.');
        if let Some(r) = self.cross() {
            r.host(h.to_ascii_lowercase());
        }
        // Rules ask this for every backend address: a scan-wide linear search per address was
        // quadratic in the size of the scan.
        if let Some(index) = self.host_index() {
            return index
                .get(&h.to_ascii_lowercase())
                .and_then(|&i| self.sites.get(i));
        }
        self.sites.iter().find(|s| {
            s.default_host_name
                .get()
                .is_some_and(|d| d.eq_ignore_ascii_case(h))
                || s.host_bindings
                    .iter()
                    .any(|b| b.host_name.get().is_some_and(|n| n.eq_ignore_ascii_case(h)))
        })
    }

    /// Whether a backend address targets App Service: a linked site, or an App Service host
    /// suffix (Known, or the known suffix of a partly Unknown value). `None` when unknowable.
    pub fn address_is_app_service(&self, addr: &BackendAddress) -> Option<bool> {
        if let Lookup::Found(_) = self.site_of_address(addr) {
            return Some(true);
        }
        if addr.fqdn.known_suffix().is_some_and(is_app_service_host) {
            return Some(true);
        }
        if addr.fqdn.is_known() || addr.ip_address.is_known() {
            if addr.source.is_known() {
                // A runtime value from a resource we do not model as a site.
                return None;
            }
            return Some(false);
        }
        None
    }

    /// The first App Service address of a pool, with the site when linked. `None` when no
    /// address is known to target App Service.
    pub fn app_service_address<'a>(
        &'a self,
        pool: &'a BackendPool,
    ) -> Option<(&'a BackendAddress, Option<&'a Site>)> {
        pool.addresses.iter().find_map(|a| {
            (self.address_is_app_service(a) == Some(true))
                .then(|| (a, self.site_of_address(a).found()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_families() {
        assert_eq!(sku_family_of("Standard_Small"), Some(SkuFamily::V1));
        assert_eq!(sku_family_of("WAF_LARGE"), Some(SkuFamily::V1));
        assert_eq!(sku_family_of("waf"), Some(SkuFamily::V1));
        assert_eq!(sku_family_of("WAF_v2"), Some(SkuFamily::V2));
        assert_eq!(sku_family_of("Basic"), Some(SkuFamily::Basic));
        assert_eq!(sku_family_of("Premium"), None);
    }

    #[test]
    fn app_service_hosts() {
        assert!(is_app_service_host("fn.azurewebsites.net"));
        assert!(is_app_service_host("FN.AzureWebsites.NET."));
        assert!(is_app_service_host("x.chinacloudsites.cn"));
        assert!(!is_app_service_host("x.appserviceenvironment.net"));
        assert!(!is_app_service_host("azurewebsites.net.evil.com"));
    }
}
