//! AGW033 private-only-gateway-no-egress: a v2 gateway without a public frontend (network
//! isolation) cannot egress to the internet on its own; a public App Service backend needs a NAT
//! gateway on the subnet or a default route to an egress appliance.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SkuFamily;
use crate::model::query::{SubLookup, find_named};
use crate::model::query_network::{
    forced_tunnel_route, gateway_sites, gateway_subnet, has_public_frontend,
    site_private_endpoints, subnet_route_table,
};
use crate::model::{Gateway, Lattice, Lookup, Model};

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
            let mut unrouted_public = false;
            match has_public_frontend(gw) {
                Some(false) => {}
                // A network-isolated gateway whose public frontend no routing rule uses is
                // private-only for egress ("do not have a public IP frontend configuration
                // associated to a request routing rule"). Without isolation the public IP
                // egresses whether or not a listener uses it.
                Some(true) if explicitly_isolated(gw, cx.assume.network_isolation) => {
                    match routed_public_frontend(gw) {
                        Some(false) => unrouted_public = true,
                        Some(true) => continue,
                        None => {
                            cx.skip(&gw.res, "requestRoutingRules", &gw.rules);
                            continue;
                        }
                    }
                }
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
                        "gateway \"{}\" has {} and no internet egress, but backend site \"{}\" is reached on its public endpoint",
                        gw.res.display_name(),
                        if unrouted_public {
                            "network isolation and no public frontend used by a routing rule"
                        } else {
                            "only private frontends"
                        },
                        site.res.display_name()
                    ),
                    gw.frontend_ips.span_or(gw.res.span),
                )
                .label(if unrouted_public {
                    "no routing rule uses the public frontend: an isolated gateway cannot egress to the internet by itself"
                } else {
                    "no public frontend IP: the gateway cannot egress to the internet by itself"
                })
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

/// True when the gateway certainly runs with network isolation: assumed by configuration, or
/// the tag `EnhancedNetworkControl=True`.
fn explicitly_isolated(gw: &Gateway, assume: bool) -> bool {
    assume
        || gw.tags.iter().any(|t| {
            t.key.eq_ignore_ascii_case("EnhancedNetworkControl")
                && t.value
                    .get()
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        })
}

/// Whether a routing rule uses a listener on a public frontend IP configuration; `None` when a
/// rule, listener or frontend reference is Unknown.
fn routed_public_frontend(gw: &Gateway) -> Option<bool> {
    let rules = gw.rules.items()?;
    let mut unknown = false;
    for r in rules {
        let listener = match gw.listener(&r.listener) {
            SubLookup::Found(l) => l,
            SubLookup::Unknown => {
                unknown = true;
                continue;
            }
            _ => continue,
        };
        match find_named(&gw.frontend_ips, &listener.frontend_ip, |f| &f.name) {
            SubLookup::Found(fe) => match &fe.public_ip.state {
                Lattice::Absent => {}
                Lattice::Known(_) => return Some(true),
                Lattice::Unknown(_) => unknown = true,
            },
            SubLookup::Unknown => unknown = true,
            _ => {}
        }
    }
    if unknown { None } else { Some(false) }
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

    #[test]
    fn isolated_gateway_with_an_unrouted_public_frontend_is_private_only() {
        let isolated = Assumptions {
            network_isolation: true,
            ..Assumptions::default()
        };
        // The listener uses the public frontend: egress through it.
        let mut m = base();
        assert!(run(&PrivateOnlyGatewayNoEgress, &m, isolated).is_empty());
        // A private frontend carries the only listener; the public one is unused.
        if let crate::model::Lattice::Known(fes) = &mut m.gateways[0].frontend_ips.state {
            let mut private = fes[0].clone();
            private.name = ks("fe-private");
            private.public_ip = crate::model::Val::absent();
            private.private_ip = ks("10.0.0.10");
            fes.push(private);
        }
        if let crate::model::Lattice::Known(ls) = &mut m.gateways[0].listeners.state {
            ls[0].frontend_ip = crate::model::SubRef::named(ks("fe-private"));
        }
        let f = run(&PrivateOnlyGatewayNoEgress, &m, isolated);
        assert_eq!(f.len(), 1, "{f:?}");
        // Without isolation the public IP egresses whether or not a listener uses it.
        assert!(run(&PrivateOnlyGatewayNoEgress, &m, Assumptions::default()).is_empty());
    }
}
