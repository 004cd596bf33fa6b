//! AGW039 service-endpoint-vs-private-endpoint: the gateway subnet has the `Microsoft.Web`
//! service endpoint and the target site has a private endpoint; such apps refuse public traffic
//! from service-endpoint subnets and cannot use service-endpoint rules, so a gateway that
//! resolves the public name, or relies on a subnet rule, gets 403.

use crate::model::HashMap;

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_network::{
    gateway_sites, gateway_subnet, privatelink_zone_linked, site_private_endpoints, vnets_by_key,
};
use crate::model::{BackendAddress, Lookup, Model, PrivateEndpoint, ResourceKey, VirtualNetwork};

/// See the module docs.
pub struct ServiceEndpointVsPrivateEndpoint;

static META: RuleMeta = RuleMeta {
    id: "AGW039",
    name: "service-endpoint-vs-private-endpoint",
    severity: Severity::Error,
    summary: "The gateway subnet has a Microsoft.Web service endpoint while the site has a private endpoint",
    page: include_str!("../../rules/AGW039.md"),
};

impl Rule for ServiceEndpointVsPrivateEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        let vnets = vnets_by_key(model);
        for gw in &model.gateways {
            if !gw.res.may_exist() {
                continue;
            }
            let (cfg, subnet) = match gateway_subnet(model, gw) {
                Lookup::Found(x) => x,
                Lookup::Absent => continue,
                Lookup::Unknown => {
                    super::skip::placement(cx, model, gw, super::skip::Part::Subnet);
                    continue;
                }
            };
            let Some(endpoints) = subnet.service_endpoints.items() else {
                cx.skip(&subnet.res, "serviceEndpoints", &subnet.service_endpoints);
                continue;
            };
            let Some(web) = endpoints.iter().find(|e| {
                e.get()
                    .is_some_and(|s| s.eq_ignore_ascii_case("Microsoft.Web"))
            }) else {
                continue;
            };
            for (addr, site) in gateway_sites(model, gw) {
                let (pes, _) = site_private_endpoints(model, site);
                let Some(pe) = pes.first() else {
                    continue;
                };
                // Does the gateway use the public path to the site? (The same resolution
                // AGW034 judges: zone link, custom DNS, zone groups outside the scan.)
                let public = public_path(model, &vnets, subnet.vnet.get(), addr, pe);
                let subnet_rule = site
                    .ip_restrictions
                    .iter()
                    .find(|r| r.subnet.get() == Some(&subnet.res.key));
                let (reason, severity) = match (subnet_rule, public) {
                    (Some(_), Some(true)) => (
                        "relies on a service-endpoint access rule for the gateway subnet",
                        Severity::Error,
                    ),
                    // Traffic may go through the private endpoint, where access rules are not
                    // evaluated: the rule is unsupported dead configuration, not a 403.
                    (Some(_), _) => (
                        "has a service-endpoint access rule for the gateway subnet, which apps with a private endpoint do not support",
                        Severity::Warning,
                    ),
                    (None, Some(true)) => (
                        "is reached by its public name (no privatelink zone is linked to the gateway VNet)",
                        Severity::Error,
                    ),
                    (None, Some(false)) => continue,
                    (None, None) => {
                        cx.skip_at(&site.res, "private endpoint DNS resolution", None);
                        continue;
                    }
                };
                let d = subnet.res.dialect;
                let mut f = cx
                    .finding(
                        format!(
                            "subnet \"{}\" of gateway \"{}\" has the Microsoft.Web service endpoint, but site \"{}\" has private endpoint \"{}\" and {reason}",
                            subnet.res.display_name(),
                            gw.res.display_name(),
                            site.res.display_name(),
                            pe.res.display_name()
                        ),
                        web.span_or(subnet.service_endpoints.span_or(subnet.res.span)),
                    )
                    .label("apps with a private endpoint refuse public traffic from subnets with this service endpoint")
                    .related(pe.res.span, "private endpoint of the site")
                    .related(addr.span, "the gateway sends traffic to this site")
                    .related(cfg.subnet.span_or(cfg.span), "gateway deployed into this subnet")
                    .help(
                        "reach the app through its private endpoint: link privatelink.azurewebsites.net \
                         to the gateway VNet and drop the Microsoft.Web service endpoint (and any \
                         service-endpoint access rule) from the gateway subnet",
                    )
                    .origins(web)
                    .severity(severity)
                    .resource(&subnet.res)
                    .property(format!(
                        "{}[Microsoft.Web]",
                        d.prop("serviceEndpoints", "service_endpoints")
                    ));
                if let Some(r) = subnet_rule {
                    f = f.related(r.subnet.span_or(r.span), "service-endpoint access rule");
                }
                cx.emit(f);
            }
        }
    }
}

/// Whether the gateway reaches the site's private endpoint by its public address: `Some(false)`
/// when it addresses an IP or a linked privatelink zone resolves the name; `Some(true)` when
/// the scan shows no such zone for the gateway VNet and the endpoint's zone groups stay in the
/// scan; `None` when custom DNS servers or a zone outside the scan decide.
fn public_path(
    model: &Model,
    vnets: &HashMap<&ResourceKey, &VirtualNetwork>,
    vnet: Option<&ResourceKey>,
    addr: &BackendAddress,
    pe: &PrivateEndpoint,
) -> Option<bool> {
    if addr.fqdn.is_absent() && addr.ip_address.is_known() {
        return Some(false);
    }
    let vnet = vnet?;
    if let Some(v) = vnets.get(vnet) {
        match v.dns_servers.items() {
            Some([]) => {}
            _ => return None,
        }
    }
    match privatelink_zone_linked(model, vnet)? {
        true => Some(false),
        false => {
            let outside = pe
                .dns_zones
                .iter()
                .any(|z| !matches!(model.dns_zone(z), Lookup::Found(_)));
            if outside || pe.dns_zones.is_unknown() {
                None
            } else {
                Some(true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    #[test]
    fn service_endpoint_with_private_endpoint_and_public_name_fires() {
        let mut m = with_pe(base(), "vnet");
        m.subnets[0].service_endpoints = kl(&["Microsoft.Web"]);
        let f = run(
            &ServiceEndpointVsPrivateEndpoint,
            &m,
            Assumptions::default(),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("public name"));
    }

    #[test]
    fn linked_zone_without_subnet_rule_or_no_service_endpoint_passes() {
        let mut m = with_zone(with_pe(base(), "vnet"));
        m.subnets[0].service_endpoints = kl(&["Microsoft.Web"]);
        assert!(
            run(
                &ServiceEndpointVsPrivateEndpoint,
                &m,
                Assumptions::default()
            )
            .is_empty()
        );
        let m = with_pe(base(), "vnet");
        assert!(
            run(
                &ServiceEndpointVsPrivateEndpoint,
                &m,
                Assumptions::default()
            )
            .is_empty()
        );
    }

    fn with_subnet_rule(mut m: Model) -> Model {
        let subnet = rref(&m.subnets[0].res);
        m.sites[0].ip_restrictions = k(vec![crate::model::AccessRestriction {
            action: ks("Allow"),
            subnet,
            span: sp(),
            ..Default::default()
        }]);
        m.reindex();
        m
    }

    #[test]
    fn subnet_rule_is_an_error_on_the_public_path_and_a_warning_through_the_pe() {
        let mut m = with_subnet_rule(with_pe(base(), "vnet"));
        m.subnets[0].service_endpoints = kl(&["Microsoft.Web"]);
        let f = run(
            &ServiceEndpointVsPrivateEndpoint,
            &m,
            Assumptions::default(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        // The zone is linked: traffic goes through the PE, the rule is never evaluated.
        let m = with_zone(m);
        let f = run(
            &ServiceEndpointVsPrivateEndpoint,
            &m,
            Assumptions::default(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("do not support"), "{}", f[0].message);
    }

    #[test]
    fn zone_group_outside_the_scan_or_custom_dns_is_unknown() {
        // A hub zone (linked by policy) outside the scan: AGW034 is silent, so is AGW039.
        let mut m = with_pe(base(), "vnet");
        m.subnets[0].service_endpoints = kl(&["Microsoft.Web"]);
        m.private_endpoints[0].dns_zones = k(vec![k(crate::model::ResourceKey::arm(
            crate::model::UnitId(0),
            "Microsoft.Network/privateDnsZones",
            "hub/privatelink.azurewebsites.net",
        ))]);
        let f = run(
            &ServiceEndpointVsPrivateEndpoint,
            &m,
            Assumptions::default(),
        );
        assert!(f.is_empty(), "{f:?}");
        let mut m = with_pe(base(), "vnet");
        m.subnets[0].service_endpoints = kl(&["Microsoft.Web"]);
        m.vnets[0].dns_servers = kl(&["10.0.0.4"]);
        let f = run(
            &ServiceEndpointVsPrivateEndpoint,
            &m,
            Assumptions::default(),
        );
        assert!(f.is_empty(), "{f:?}");
    }
}
