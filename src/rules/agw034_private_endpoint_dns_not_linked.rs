//! AGW034 private-endpoint-dns-not-linked: the gateway reaches a site through its private
//! endpoint (public access off) by FQDN, but no `privatelink.azurewebsites.net` zone is linked to
//! the gateway's VNet, so the gateway resolves the public address and gets 403.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_network::{
    gateway_sites, gateway_vnet_key, privatelink_zone_linked, public_access_enabled,
    site_private_endpoints, vnets_by_key,
};
use crate::model::{Lookup, Model, PrivateDnsZone};

/// See the module docs.
pub struct PrivateEndpointDnsNotLinked;

static META: RuleMeta = RuleMeta {
    id: "AGW034",
    name: "private-endpoint-dns-not-linked",
    severity: Severity::Error,
    summary: "The site is reachable only through its private endpoint, but the gateway VNet has no linked privatelink DNS zone",
    page: include_str!("../../rules/AGW034.md"),
};

/// The catalogue's error case: a private zone named after the whole App Service domain.
fn top_level_zone(
    zones: &[&PrivateDnsZone],
    gw: &crate::model::Gateway,
    vnet_key: &crate::model::ResourceKey,
    backend: crate::source::Span,
    cx: &mut RuleCx<'_>,
) {
    for &z in zones {
        let Some(name) = z.res.name.get() else {
            continue;
        };
        let n = name.trim_end_matches('.');
        if !z.links.iter().any(|l| l.vnet.get() == Some(vnet_key)) {
            continue;
        }
        let f = cx
            .finding(
                format!(
                    "private DNS zone \"{n}\" linked to the VNet of gateway \"{}\" shadows every App Service host name",
                    gw.res.display_name()
                ),
                z.res.name.span_or(z.res.span),
            )
            .label("a private zone for the whole App Service domain: apps without a record here no longer resolve")
            .related(backend, "App Service backend resolved through this zone")
            .help(
                "use the specific zone privatelink.azurewebsites.net (private endpoints register \
                 there) and remove the zone for the parent domain",
            )
            .origins(&z.res.name)
            .resource(&z.res)
            .property("name");
        cx.emit(f);
    }
}

impl Rule for PrivateEndpointDnsNotLinked {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        let vnets = vnets_by_key(model);
        // Found once, not per gateway or endpoint (that was quadratic in the size of the
        // scan): the zones for the whole App Service domain, and the first privatelink zone.
        let top_zones = model.app_service_top_zones();
        // Asked only when a finding names it: the first privatelink zone of the scan may be
        // another unit's ([`crate::model::cross`]).
        let mut first_privatelink_zone = None;
        for gw in &model.gateways {
            if !gw.res.may_exist() {
                continue;
            }
            let sites = gateway_sites(model, gw);
            if sites.is_empty() {
                continue;
            }
            let Some(vnet_key) = gateway_vnet_key(model, gw) else {
                super::skip::placement(cx, model, gw, super::skip::Part::Subnet);
                continue;
            };
            let vnet = vnets.get(vnet_key).copied();
            if let Some((first, _)) = sites.first() {
                top_level_zone(&top_zones, gw, vnet_key, first.span, cx);
            }
            for (addr, site) in sites {
                // Only names are resolved; an IP address (the PE's IP) needs no DNS.
                let by_name = addr.fqdn.is_known()
                    || addr.source_attribute.as_deref().is_some_and(|a| {
                        let a = a.to_ascii_lowercase();
                        a.contains("hostname") || a.contains("host_name")
                    });
                if !by_name {
                    continue;
                }
                let (pes, complete) = site_private_endpoints(model, site);
                let Some(pe) = pes.first().copied() else {
                    if !complete {
                        cx.skip_at(&site.res, "privateEndpoints", None);
                    }
                    continue;
                };
                match public_access_enabled(model, site) {
                    Some(false) => {}
                    Some(true) => continue,
                    None => {
                        cx.skip_at(&site.res, "publicNetworkAccess", None);
                        continue;
                    }
                }
                // Custom DNS servers decide resolution themselves: warning, or silent when they
                // are assumed to forward the privatelink zone.
                let custom_dns = match vnet.map(|v| v.dns_servers.items()) {
                    Some(Some(servers)) => !servers.is_empty(),
                    Some(None) => {
                        if let Some(v) = vnet {
                            cx.skip(&v.res, "dhcpOptions.dnsServers", &v.dns_servers)
                        };
                        continue;
                    }
                    None => false,
                };
                if custom_dns && cx.assume.dns_resolves_private_link {
                    continue;
                }
                match privatelink_zone_linked(model, vnet_key) {
                    Some(true) => continue,
                    Some(false) => {}
                    None => {
                        cx.skip_at(&gw.res, "privateDnsZones.virtualNetworkLinks", None);
                        continue;
                    }
                }
                // A zone group pointing outside the scan may be linked elsewhere: cannot tell.
                let outside = pe
                    .dns_zones
                    .iter()
                    .any(|z| !matches!(model.dns_zone(z), Lookup::Found(_)));
                if outside || pe.dns_zones.is_unknown() {
                    cx.skip(&pe.res, "privateDnsZoneGroups", &pe.dns_zones);
                    continue;
                }
                let zone =
                    *first_privatelink_zone.get_or_insert_with(|| model.first_privatelink_zone());
                let gname = gw.res.display_name();
                let host = addr.fqdn.get().cloned().unwrap_or_else(|| {
                    format!("default host name of \"{}\"", site.res.display_name())
                });
                let vname = vnet.map_or_else(|| vnet_key.name.clone(), |v| v.res.display_name());
                let (mut f, label) = match zone {
                    Some(z) => (
                        cx.finding(
                            format!(
                                "private DNS zone \"{}\" is not linked to VNet \"{vname}\" of gateway \"{gname}\", so backend \"{host}\" resolves to its public address",
                                z.res.display_name()
                            ),
                            z.links.span_or(z.res.span),
                        )
                        .resource(&z.res)
                        .property(z.res.dialect.prop(
                            "virtualNetworkLinks",
                            "azurerm_private_dns_zone_virtual_network_link",
                        )),
                        "no virtual network link to the gateway VNet",
                    ),
                    None => (
                        cx.finding(
                            format!(
                                "private endpoint \"{}\" of site \"{}\" has no privatelink.azurewebsites.net zone linked to VNet \"{vname}\" of gateway \"{gname}\"",
                                pe.res.display_name(),
                                site.res.display_name()
                            ),
                            pe.dns_zones.span_or(pe.res.span),
                        )
                        .resource(&pe.res)
                        .property(
                            pe.res
                                .dialect
                                .prop("privateDnsZoneGroups", "private_dns_zone_group"),
                        ),
                        "no private DNS zone group and no privatelink zone in the template",
                    ),
                };
                let label = if custom_dns {
                    f = f.severity(Severity::Warning);
                    format!(
                        "{label}; the VNet uses custom DNS servers, so resolution depends on their forwarders (warning)"
                    )
                } else {
                    label.to_string()
                };
                f = f
                    .label(label)
                    .related(addr.span, "the gateway resolves this backend name")
                    .related(
                        site.public_network_access.span_or(site.res.span),
                        "public network access is off",
                    )
                    .help(
                        "create the private DNS zone privatelink.azurewebsites.net, link it to the \
                         gateway's VNet, and add a private DNS zone group to the private endpoint \
                         (or point the backend pool at the private endpoint's IP with a host name \
                         override)",
                    );
                cx.emit(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    fn disabled(mut m: Model) -> Model {
        m.sites[0].public_network_access = ks("Disabled");
        m
    }

    #[test]
    fn private_endpoint_without_zone_fires() {
        let m = disabled(with_pe(base(), "vnet"));
        let f = run(&PrivateEndpointDnsNotLinked, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(
            f[0].resource.as_deref(),
            Some("Microsoft.Network/privateEndpoints/fn-pe")
        );
    }

    #[test]
    fn linked_zone_passes_and_public_access_on_passes() {
        let m = disabled(with_zone(with_pe(base(), "vnet")));
        assert!(run(&PrivateEndpointDnsNotLinked, &m, Assumptions::default()).is_empty());
        let mut m = with_pe(base(), "vnet");
        m.sites[0].public_network_access = ks("Enabled");
        assert!(run(&PrivateEndpointDnsNotLinked, &m, Assumptions::default()).is_empty());
    }

    #[test]
    fn custom_dns_downgrades_or_silences() {
        let mut m = disabled(with_pe(base(), "vnet"));
        m.vnets[0].dns_servers = kl(&["10.0.5.4"]);
        let f = run(&PrivateEndpointDnsNotLinked, &m, Assumptions::default());
        assert_eq!(f[0].severity, Severity::Warning);
        let assume = Assumptions {
            dns_resolves_private_link: true,
            ..Default::default()
        };
        assert!(run(&PrivateEndpointDnsNotLinked, &m, assume).is_empty());
    }
}
