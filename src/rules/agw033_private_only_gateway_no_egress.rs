//! AGW033 private-only-gateway-no-egress: a v2 gateway without a public frontend (network
//! isolation) cannot egress to the internet on its own; a public App Service backend needs a NAT
//! gateway on the subnet or a default route to an egress appliance.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SkuFamily;
use crate::model::query_network::{
    forced_tunnel_route, gateway_sites, gateway_subnet, has_public_frontend,
    site_private_endpoints, subnet_route_table,
};
use crate::model::{Lookup, Model};

/// See the module docs.
pub struct PrivateOnlyGatewayNoEgress;

static META: RuleMeta = RuleMeta {
    id: "AGW033",
    name: "private-only-gateway-no-egress",
    severity: Severity::Warning,
    summary: "A private-only gateway has a public App Service backend but no NAT gateway or egress route",
    page: include_str!("../../rules/AGW033.md"),
};

impl Rule for PrivateOnlyGatewayNoEgress {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            if !gw.res.may_exist() {
                continue;
            }
            match gw.sku_family() {
                Some(SkuFamily::V2 | SkuFamily::Basic) => {}
                Some(SkuFamily::V1) => continue,
                None => {
                    cx.skip(&gw.res, "sku", &gw.sku.name);
                    continue;
                }
            }
            match has_public_frontend(gw) {
                Some(false) => {}
                Some(true) => continue,
                None => {
                    cx.skip(&gw.res, "frontendIPConfigurations", &gw.frontend_ips);
                    continue;
                }
            }
            // A backend reached on its public endpoint: a site without private endpoints.
            let public = gateway_sites(model, gw).into_iter().find(|(_, site)| {
                let (pes, complete) = site_private_endpoints(model, site);
                pes.is_empty() && complete
            });
            let Some((addr, site)) = public else {
                continue;
            };
            let (cfg, subnet) = match gateway_subnet(model, gw) {
                Lookup::Found(x) => x,
                Lookup::Absent => continue,
                Lookup::Unknown => {
                    super::skip::placement(cx, model, gw, super::skip::Part::Subnet);
                    continue;
                }
            };
            match &subnet.nat_gateway.state {
                crate::model::Lattice::Absent => {}
                crate::model::Lattice::Known(_) => continue,
                crate::model::Lattice::Unknown(_) => {
                    cx.skip(&subnet.res, "natGateway", &subnet.nat_gateway);
                    continue;
                }
            }
            match subnet_route_table(model, subnet) {
                Lookup::Found(rt) => match forced_tunnel_route(rt) {
                    // 0.0.0.0/0 to an appliance or gateway: egress is somebody else's job.
                    Some(Some(r)) if !r.next_hop_type.eq_ci("none").unwrap_or(false) => continue,
                    Some(_) => {}
                    None => {
                        cx.skip_at(&rt.res, "routes", rt.routes.span);
                        continue;
                    }
                },
                Lookup::Absent => {}
                Lookup::Unknown => {
                    super::skip::placement(cx, model, gw, super::skip::Part::RouteTable);
                    continue;
                }
            }
            let d = gw.res.dialect;
            let f = cx
                .finding(
                    format!(
                        "gateway \"{}\" has only private frontends and no internet egress, but backend site \"{}\" is reached on its public endpoint",
                        gw.res.display_name(),
                        site.res.display_name()
                    ),
                    gw.frontend_ips.span_or(gw.res.span),
                )
                .label("no public frontend IP: the gateway cannot egress to the internet by itself")
                .related(addr.span, "public App Service backend")
                .related(
                    cfg.subnet.span_or(cfg.span),
                    "gateway subnet without NAT gateway or egress route",
                )
                .help(
                    "attach a NAT gateway to the gateway subnet, route 0.0.0.0/0 to an egress \
                     firewall, or reach the app through a private endpoint",
                )
                .resource(&gw.res)
                .property(d.prop("frontendIPConfigurations", "frontend_ip_configuration"));
            cx.emit(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    #[test]
    fn private_only_gateway_with_public_backend_warns() {
        let m = private_only(base());
        let f = run(&PrivateOnlyGatewayNoEgress, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn nat_gateway_or_public_frontend_passes() {
        assert!(run(&PrivateOnlyGatewayNoEgress, &base(), Assumptions::default()).is_empty());
        let mut m = private_only(base());
        m.subnets[0].nat_gateway = k(crate::model::ResourceKey::default());
        assert!(run(&PrivateOnlyGatewayNoEgress, &m, Assumptions::default()).is_empty());
    }
}
