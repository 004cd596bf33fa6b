//! How a gateway reaches the sites it routes to: their private endpoints (and the endpoints'
//! VNets), VNet peerings, App Service private-link DNS zones, and the sites' effective public
//! network access.

use super::super::{
    BackendAddress, Dialect, Gateway, Lookup, Model, PrivateDnsZone, PrivateEndpoint, ResourceKey,
    Site,
};
use super::same_key;

/// The private endpoints of a site (a connection whose target is the site) and whether the list
/// is complete (false when some endpoint's connections or target cannot be resolved).
///
/// Answered from the scan's index ([`Model::net_index`]): a search of every endpoint per site
/// was quadratic in the size of the scan.
pub fn private_endpoints_of<'a>(model: &'a Model, site: &Site) -> (Vec<&'a PrivateEndpoint>, bool) {
    if let Some(r) = model.cross() {
        r.endpoints();
    }
    let index = model.net_index();
    let (positions, complete) = index.private_endpoints_of(&site.res.key);
    let complete = complete && !model.elsewhere().endpoints_unknown;
    let out = positions
        .iter()
        .filter_map(|&i| model.private_endpoints.get(i))
        .collect();
    (out, complete)
}

/// The VNet of a private endpoint's subnet, as a key (`None` when unknowable).
pub fn private_endpoint_vnet(model: &Model, pe: &PrivateEndpoint) -> Option<ResourceKey> {
    match model.subnet(&pe.subnet) {
        Lookup::Found(s) => s.vnet.get().cloned(),
        _ => None,
    }
}

/// True when VNet `a` is VNet `b` or peered with it (either side's peering written). `None` when
/// a peering's remote VNet is Unknown and no certain match was found. A peering with
/// `allowVirtualNetworkAccess` false connects nothing when `access_off_blocks` (a gateway
/// without network isolation sends no traffic over it: infrastructure configuration page) and
/// is Unknown otherwise.
pub fn vnets_connected(
    model: &Model,
    a: &ResourceKey,
    b: &ResourceKey,
    access_off_blocks: bool,
) -> Option<bool> {
    if a == b {
        return Some(true);
    }
    let mut unknown = false;
    // The VNets with either key, from the scan's index (a search of every VNet per call was
    // quadratic in the size of the scan); the answer does not depend on their order.
    let index = model.net_index();
    let candidates = index
        .vnets_with_key(a)
        .iter()
        .chain(index.vnets_with_key(b))
        .filter_map(|&i| model.vnets.get(i));
    for v in candidates {
        let other = if &v.res.key == a {
            b
        } else if &v.res.key == b {
            a
        } else {
            continue;
        };
        match v.peerings.items() {
            Some(ps) => {
                for p in ps {
                    match same_key(&p.remote_vnet, other) {
                        Some(true) => match p.allow_access.flag(true) {
                            Some(true) => return Some(true),
                            Some(false) if access_off_blocks => {}
                            _ => unknown = true,
                        },
                        Some(false) => {}
                        None => unknown = true,
                    }
                }
            }
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

/// Names of the App Service private-link DNS zones (public, Government, China).
pub const PRIVATELINK_SITE_ZONES: &[&str] = &[
    "privatelink.azurewebsites.net",
    "privatelink.azurewebsites.us",
    "privatelink.chinacloudsites.cn",
];

/// True when a DNS zone name is an App Service private-link zone.
pub fn is_privatelink_site_zone(name: &str) -> bool {
    let n = name.trim_end_matches('.');
    PRIVATELINK_SITE_ZONES
        .iter()
        .any(|z| z.eq_ignore_ascii_case(n))
}

/// App Service parent zones; a private zone with one of these names linked to a VNet answers
/// for every app.
pub const APP_SERVICE_TOP_ZONES: &[&str] = &[
    "azurewebsites.net",
    "azurewebsites.us",
    "chinacloudsites.cn",
];

impl Model {
    /// The DNS zones that may exist named after a whole App Service domain
    /// ([`APP_SERVICE_TOP_ZONES`]), in model order. Not a cross-unit question: a zone links
    /// only VNets of its own unit, so a zone of another unit never matters to a gateway.
    pub fn app_service_top_zones(&self) -> Vec<&PrivateDnsZone> {
        self.dns_zones
            .iter()
            .filter(|z| {
                z.res.may_exist()
                    && z.res.name.get().is_some_and(|name| {
                        let n = name.trim_end_matches('.');
                        APP_SERVICE_TOP_ZONES
                            .iter()
                            .any(|t| t.eq_ignore_ascii_case(n))
                    })
            })
            .collect()
    }

    /// The first App Service private-link zone of the scan that may exist, in model order: a
    /// cross-unit question ([`crate::model::cross`]).
    pub fn first_privatelink_zone(&self) -> Option<&PrivateDnsZone> {
        if let Some(r) = self.cross() {
            r.zones();
        }
        self.first_privatelink_zone_unrecorded()
    }

    /// [`Model::first_privatelink_zone`] without recording the question.
    pub(crate) fn first_privatelink_zone_unrecorded(&self) -> Option<&PrivateDnsZone> {
        self.dns_zones.iter().find(|z| {
            z.res.may_exist()
                && z.res
                    .name
                    .get()
                    .is_some_and(|n| is_privatelink_site_zone(n))
        })
    }
}

/// Whether an App Service private-link zone in the scan is linked to the VNet: `Some(true)` when a
/// link is, `Some(false)` when every such zone's links are Known and none is, `None` when a
/// zone name or link is Unknown.
///
/// Answered from the scan's index ([`Model::net_index`]): a search of every zone per call was
/// quadratic in the size of the scan.
pub fn privatelink_zone_linked(model: &Model, vnet: &ResourceKey) -> Option<bool> {
    if let Some(r) = model.cross() {
        r.privatelink();
    }
    match model.net_index().privatelink_zone_linked(vnet) {
        Some(false) if model.elsewhere().privatelink_unknown => None,
        linked => linked,
    }
}

/// The sites a gateway routes to (through its routed pools), each with the first pool address
/// that reaches it; deduplicated.
pub fn gateway_sites<'a>(model: &'a Model, gw: &'a Gateway) -> Vec<(&'a BackendAddress, &'a Site)> {
    let mut out: Vec<(&BackendAddress, &Site)> = Vec::new();
    for pair in gw.pairs().items {
        for addr in pair.pool.addresses.iter() {
            if let Lookup::Found(site) = model.site_of_address(addr)
                && !out.iter().any(|(_, s)| s.res.key == site.res.key)
            {
                out.push((addr, site));
            }
        }
    }
    out
}

/// True when a private endpoint connects to the `sites` sub-resource (Absent group ids count:
/// a site has only that one); `None` when Unknown.
pub fn targets_sites_group(pe: &PrivateEndpoint, site: &Site) -> Option<bool> {
    let mut unknown = false;
    for c in pe.connections.iter() {
        if same_key(&c.target, &site.res.key) != Some(true) {
            continue;
        }
        match c.group_ids.items() {
            Some([]) => return Some(true),
            Some(ids) => {
                for g in ids {
                    match g.get() {
                        Some(s) if s.eq_ignore_ascii_case("sites") => return Some(true),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
            }
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

/// The site's private endpoints on its production slot (`groupIds: ["sites"]`), and whether the
/// list is complete.
pub fn site_private_endpoints<'a>(
    model: &'a Model,
    site: &Site,
) -> (Vec<&'a PrivateEndpoint>, bool) {
    let (pes, mut complete) = private_endpoints_of(model, site);
    let mut out = Vec::new();
    for pe in pes {
        match targets_sites_group(pe, site) {
            Some(true) => out.push(pe),
            Some(false) => {}
            None => complete = false,
        }
    }
    (out, complete)
}

/// The site's effective public network access: `Some(true)` enabled, `Some(false)` disabled,
/// `None` unknowable. ARM: `publicNetworkAccess` unset means enabled unless a private endpoint
/// exists (then disabled); Terraform: `public_network_access_enabled` defaults to true.
pub fn public_access_enabled(model: &Model, site: &Site) -> Option<bool> {
    match site.public_network_access.get() {
        Some(v) if v.eq_ignore_ascii_case("disabled") => Some(false),
        Some(v) if v.eq_ignore_ascii_case("enabled") => Some(true),
        Some(_) => None,
        None if site.public_network_access.is_unknown() => None,
        None => match site.res.dialect {
            Dialect::Terraform => Some(true),
            Dialect::Arm => {
                let (pes, complete) = site_private_endpoints(model, site);
                if !pes.is_empty() {
                    Some(false)
                } else if complete {
                    Some(true)
                } else {
                    None
                }
            }
        },
    }
}
