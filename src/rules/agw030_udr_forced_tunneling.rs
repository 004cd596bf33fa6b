//! AGW030 udr-forced-tunneling: the gateway subnet's route table sends `0.0.0.0/0` somewhere
//! other than `Internet` (forced tunneling, unsupported for v2); or a VPN/ExpressRoute gateway in
//! the same VNet can propagate a learned default route because BGP propagation is not disabled.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SkuFamily;
use crate::model::query_network::{
    forced_tunnel_route, gateway_subnet, maybe_isolated, subnet_route_table,
};
use crate::model::{Lookup, Model};

/// See the module docs.
pub struct UdrForcedTunneling;

static META: RuleMeta = RuleMeta {
    id: "AGW030",
    name: "udr-forced-tunneling",
    severity: Severity::Error,
    summary: "The gateway subnet's route table forces 0.0.0.0/0 through an appliance, a VPN gateway or None",
    page: include_str!("../../rules/AGW030.md"),
};

impl Rule for UdrForcedTunneling {
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
            let isolated = maybe_isolated(gw, cx.assume.network_isolation);
            let gname = gw.res.display_name();
            let sname = subnet.res.display_name();
            let attach = subnet
                .route_table_span
                .or(subnet.route_table.span)
                .unwrap_or(subnet.res.span);
            let rt = match subnet_route_table(model, subnet) {
                Lookup::Found(rt) => Some(rt),
                Lookup::Absent => None,
                Lookup::Unknown => {
                    super::skip::placement(cx, model, gw, super::skip::Part::RouteTable);
                    continue;
                }
            };
            if let Some(rt) = rt {
                let route = match forced_tunnel_route(rt) {
                    Some(r) => r,
                    None => {
                        cx.skip_at(&rt.res, "routes", rt.routes.span);
                        continue;
                    }
                };
                if let Some(route) = route {
                    let sev = match (isolated, gw.sku_family()) {
                        (Some(_), _) => Severity::Info,
                        (None, Some(SkuFamily::V1)) => Severity::Warning,
                        (None, Some(_)) => Severity::Error,
                        (None, None) => {
                            cx.skip(&gw.res, "sku", &gw.sku.name);
                            continue;
                        }
                    };
                    let hop = route.next_hop_type.get().cloned().unwrap_or_default();
                    let rname = route.name.display_name();
                    let mut label = format!("next hop `{hop}` instead of `Internet`");
                    if let Some(why) = isolated {
                        label = format!("{label}; reported as info because {why}");
                    }
                    let d = rt.res.dialect;
                    let f = cx
                        .finding(
                            format!(
                                "route table \"{}\" on subnet \"{sname}\" of gateway \"{gname}\" sends 0.0.0.0/0 to {hop}",
                                rt.res.display_name()
                            ),
                            route.next_hop_type.span_or(route.span),
                        )
                        .severity(sev)
                        .label(label)
                        .related(attach, "route table associated with the gateway subnet here")
                        .related(cfg.subnet.span_or(cfg.span), "gateway deployed into this subnet")
                        .help(
                            "route 0.0.0.0/0 to next hop Internet on the gateway subnet (or use no \
                             default route); forced tunneling is not supported for v2 without \
                             network isolation",
                        )
                        .origins(&route.next_hop_type)
                        .resource(&rt.res)
                        .property(format!(
                            "{}[{rname}].{}",
                            d.prop("routes", "route"),
                            d.prop("nextHopType", "next_hop_type")
                        ));
                    cx.emit(f);
                    continue;
                }
            }
            // Info: a VPN / ExpressRoute gateway in the same VNet may propagate a learned
            // 0.0.0.0/0 unless the gateway subnet's route table disables BGP propagation.
            let Some(vnet_key) = subnet.vnet.get() else {
                continue;
            };
            let vpn = model.vnet_gateways.iter().find(|vg| {
                vg.res.may_exist()
                    && matches!(model.subnet(&vg.subnet), Lookup::Found(s) if s.vnet.get() == Some(vnet_key))
            });
            let Some(vpn) = vpn else {
                continue;
            };
            let disabled = match rt {
                Some(rt) => match rt.disable_bgp_route_propagation.flag(false) {
                    Some(b) => b,
                    None => {
                        cx.skip(
                            &rt.res,
                            "disableBgpRoutePropagation",
                            &rt.disable_bgp_route_propagation,
                        );
                        continue;
                    }
                },
                None => false,
            };
            if disabled {
                continue;
            }
            let (primary, property, resource) = match rt {
                Some(rt) => (
                    rt.disable_bgp_route_propagation.span_or(rt.res.span),
                    rt.res
                        .dialect
                        .prop(
                            "disableBgpRoutePropagation",
                            "bgp_route_propagation_enabled",
                        )
                        .to_string(),
                    &rt.res,
                ),
                None => (
                    subnet.res.span,
                    subnet
                        .res
                        .dialect
                        .prop("routeTable", "route_table_id")
                        .to_string(),
                    &subnet.res,
                ),
            };
            let f = cx
                .finding(
                    format!(
                        "subnet \"{sname}\" of gateway \"{gname}\" accepts BGP routes from virtual network gateway \"{}\"",
                        vpn.res.display_name()
                    ),
                    primary,
                )
                .severity(Severity::Info)
                .label("BGP route propagation is not disabled")
                .related(vpn.res.span, "VPN / ExpressRoute gateway in the same VNet")
                .help(
                    "attach a route table with BGP route propagation disabled (ARM \
                     disableBgpRoutePropagation: true, Terraform bgp_route_propagation_enabled = \
                     false) so a learned 0.0.0.0/0 cannot reach the gateway subnet",
                )
                .resource(resource)
                .property(property);
            cx.emit(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query_network::scenario::*;
    use crate::model::{Route, RouteTable};
    use crate::rules::Assumptions;

    fn with_route(hop: &str) -> Model {
        let mut m = base();
        let rt = RouteTable {
            res: res("Microsoft.Network/routeTables", "rt"),
            routes: k(vec![Route {
                name: ks("default"),
                address_prefix: ks("0.0.0.0/0"),
                next_hop_type: ks(hop),
                span: sp(),
                ..Default::default()
            }]),
            ..Default::default()
        };
        m.subnets[0].route_table = rref(&rt.res);
        m.route_tables.push(rt);
        m.reindex();
        m
    }

    #[test]
    fn default_route_to_appliance_fires() {
        let m = with_route("VirtualAppliance");
        let f = run(&UdrForcedTunneling, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        let m = private_only(with_route("VirtualAppliance"));
        assert_eq!(
            run(&UdrForcedTunneling, &m, Assumptions::default())[0].severity,
            Severity::Info
        );
    }

    #[test]
    fn default_route_to_internet_passes() {
        assert!(
            run(
                &UdrForcedTunneling,
                &with_route("Internet"),
                Assumptions::default()
            )
            .is_empty()
        );
        assert!(run(&UdrForcedTunneling, &base(), Assumptions::default()).is_empty());
    }
}
