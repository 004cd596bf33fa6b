//! AGW039 service-endpoint-vs-private-endpoint: the gateway subnet has the `Microsoft.Web`
//! service endpoint and the target site has a private endpoint; such apps refuse public traffic
//! from service-endpoint subnets and cannot use service-endpoint rules, so a gateway that
//! resolves the public name, or relies on a subnet rule, gets 403.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_network::{
    gateway_sites, gateway_subnet, privatelink_zone_linked, site_private_endpoints,
};
use crate::model::{Lookup, Model};

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
                // Does the gateway use the public path? Its VNet lacks the privatelink zone, or
                // the site relies on a service-endpoint rule for the gateway subnet.
                let subnet_rule = site
                    .ip_restrictions
                    .iter()
                    .find(|r| r.subnet.get() == Some(&subnet.res.key));
                let zone_missing = match subnet.vnet.get() {
                    Some(v) => privatelink_zone_linked(model, v) == Some(false),
                    None => false,
                };
                let by_ip = addr.fqdn.is_absent() && addr.ip_address.is_known();
                let reason = match (subnet_rule, zone_missing && !by_ip) {
                    (Some(_), _) => {
                        "relies on a service-endpoint access rule for the gateway subnet"
                    }
                    (None, true) => {
                        "is reached by its public name (no privatelink zone is linked to the gateway VNet)"
                    }
                    (None, false) => continue,
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
}
