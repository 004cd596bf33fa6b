//! AGW031 gateway-subnet-not-dedicated: the gateway subnet must hold only Application Gateways
//! (of one SKU family): no NICs, private endpoints or VNet integration, no delegation to another
//! service, no service endpoint policies, and not the `GatewaySubnet` reserved for VPN gateways.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::HashSet;
use crate::model::query::SkuFamily;
use crate::model::query_network::gateway_subnet;

use crate::model::index::{NetIndex, SubnetUse};
use crate::model::{Lookup, Model, Resource, ResourceKey, Subnet};
use crate::source::Span;

/// See the module docs.
pub struct GatewaySubnetNotDedicated;

static META: RuleMeta = RuleMeta {
    id: "AGW031",
    name: "gateway-subnet-not-dedicated",
    severity: Severity::Error,
    summary: "The gateway subnet is shared with other resources, delegated, or otherwise not dedicated",
    page: include_str!("../../rules/AGW031.md"),
};

/// One reason the subnet is not dedicated.
struct Problem<'a> {
    what: String,
    primary: Span,
    property: String,
    resource: &'a Resource,
    origin: Option<&'a crate::model::Val<String>>,
}

/// The resources other than gateways that use the subnet `key` (from the scan's subnet index,
/// [`Model::net_index`]): subnet users, private endpoints, VNet integration, virtual network
/// gateways.
fn users<'a>(
    model: &'a Model,
    index: &NetIndex,
    key: &ResourceKey,
) -> Vec<(&'a Resource, String, Span)> {
    let mut out: Vec<(&Resource, String, Span)> = Vec::new();
    let mut push = |res: &'a Resource, usage: String, span: Span| {
        if res.may_exist() && !out.iter().any(|(r, _, _)| r.key == res.key) {
            out.push((res, usage, span));
        }
    };
    for u in index.subnet_uses(key) {
        match *u {
            SubnetUse::User(i) => {
                if let Some(u) = model.subnet_users.get(i) {
                    push(&u.res, u.usage.clone(), u.subnet.span_or(u.span));
                }
            }
            SubnetUse::PrivateEndpoint(i) => {
                if let Some(pe) = model.private_endpoints.get(i) {
                    push(
                        &pe.res,
                        "private endpoint".into(),
                        pe.subnet.span_or(pe.res.span),
                    );
                }
            }
            SubnetUse::Site(i) => {
                if let Some(s) = model.sites.get(i) {
                    push(
                        &s.res,
                        "VNet integration".into(),
                        s.vnet_subnet.span_or(s.res.span),
                    );
                }
            }
            SubnetUse::VnetGateway(i) => {
                if let Some(vg) = model.vnet_gateways.get(i) {
                    push(
                        &vg.res,
                        "virtual network gateway".into(),
                        vg.subnet.span_or(vg.res.span),
                    );
                }
            }
        }
    }
    out
}

fn problems<'a>(
    model: &'a Model,
    index: &NetIndex,
    subnet: &'a Subnet,
    cx: &mut RuleCx<'_>,
) -> Vec<Problem<'a>> {
    let mut out = Vec::new();
    let d = subnet.res.dialect;
    if let Some(n) = subnet.res.name.get()
        && n.eq_ignore_ascii_case("GatewaySubnet")
    {
        out.push(Problem {
            what: "is the GatewaySubnet reserved for VPN and ExpressRoute gateways".into(),
            primary: subnet.res.name.span_or(subnet.res.span),
            property: "name".into(),
            resource: &subnet.res,
            origin: Some(&subnet.res.name),
        });
    }
    match subnet.delegations.items() {
        Some(ds) => {
            for dl in ds {
                match dl.service.get() {
                    Some(s) if !s.eq_ignore_ascii_case("Microsoft.Network/applicationGateways") => {
                        out.push(Problem {
                            what: format!("is delegated to {s}"),
                            primary: dl.service.span_or(dl.span),
                            property: format!("{}[{s}]", d.prop("delegations", "delegation")),
                            resource: &subnet.res,
                            origin: Some(&dl.service),
                        });
                    }
                    Some(_) => {}
                    None => cx.skip(&subnet.res, "delegations.serviceName", &dl.service),
                }
            }
        }
        None => cx.skip(&subnet.res, "delegations", &subnet.delegations),
    }
    match subnet.service_endpoint_policies.items() {
        Some([]) => {}
        Some(_) => out.push(Problem {
            what: "has service endpoint policies, which Application Gateway does not support"
                .into(),
            primary: subnet.service_endpoint_policies.span_or(subnet.res.span),
            property: d
                .prop("serviceEndpointPolicies", "service_endpoint_policy_ids")
                .into(),
            resource: &subnet.res,
            origin: None,
        }),
        None => cx.skip(
            &subnet.res,
            "serviceEndpointPolicies",
            &subnet.service_endpoint_policies,
        ),
    }
    for (res, usage, span) in users(model, index, &subnet.res.key) {
        out.push(Problem {
            what: format!("is also used by {usage} \"{}\"", res.display_name()),
            primary: span,
            property: "subnet".into(),
            resource: res,
            origin: None,
        });
    }
    out
}

impl Rule for GatewaySubnetNotDedicated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        // Subnets and their users and gateways are indexed once per scan: comparing every
        // gateway with every other one was quadratic in the size of the scan.
        let index = model.net_index();
        let mut done: HashSet<&ResourceKey> = HashSet::default();
        for (g, gw) in model.gateways.iter().enumerate() {
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
            if !done.insert(&subnet.res.key) {
                continue;
            }
            let gname = gw.res.display_name();
            let sname = subnet.res.display_name();
            let mut list = problems(model, &index, subnet, cx);
            // A v1 and a v2 gateway cannot share a subnet.
            if let Some(fam) = gw.sku_family() {
                let v1 = fam == SkuFamily::V1;
                let same_subnet = index
                    .first_subnet_of(g)
                    .map_or(&[][..], |s| index.gateways_first_on_subnet(s));
                for other in same_subnet.iter().filter_map(|&o| model.gateways.get(o)) {
                    if std::ptr::eq(other, gw) || !other.res.may_exist() {
                        continue;
                    }
                    let Some(ofam) = other.sku_family() else {
                        continue;
                    };
                    if (ofam == SkuFamily::V1) == v1 {
                        continue;
                    }
                    if let Lookup::Found((ocfg, os)) = gateway_subnet(model, other)
                        && os.res.key == subnet.res.key
                    {
                        list.push(Problem {
                            what: format!(
                                "also hosts gateway \"{}\" of the other SKU generation (v1 and v2 cannot share a subnet)",
                                other.res.display_name()
                            ),
                            primary: ocfg.subnet.span_or(ocfg.span),
                            property: "gatewayIPConfigurations.subnet".into(),
                            resource: &other.res,
                            origin: None,
                        });
                        break;
                    }
                }
            }
            for p in list {
                let mut f = cx
                    .finding(
                        format!("subnet \"{sname}\" of gateway \"{gname}\" {}", p.what),
                        p.primary,
                    )
                    .label("the Application Gateway subnet must be dedicated")
                    .related(
                        cfg.subnet.span_or(cfg.span),
                        "gateway deployed into this subnet",
                    )
                    .help(
                        "give the gateway its own subnet (a /24 is recommended) with nothing else \
                         in it: move other resources, delegations and service endpoint policies \
                         to another subnet",
                    )
                    .resource(p.resource)
                    .property(p.property);
                if let Some(o) = p.origin {
                    f = f.origins(o);
                }
                cx.emit(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Delegation;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    #[test]
    fn delegation_and_private_endpoint_fire() {
        let mut m = base();
        m.subnets[0].delegations = k(vec![Delegation {
            service: ks("Microsoft.Web/serverFarms"),
            span: sp(),
        }]);
        let f = run(&GatewaySubnetNotDedicated, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("delegated"));
        let mut m = with_pe(base(), "vnet");
        m.private_endpoints[0].subnet = rref(&m.subnets[0].res);
        m.reindex();
        let f = run(&GatewaySubnetNotDedicated, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("private endpoint"));
    }

    #[test]
    fn clean_subnet_passes() {
        let mut m = base();
        m.subnets[0].delegations = k(vec![Delegation {
            service: ks("Microsoft.Network/applicationGateways"),
            span: sp(),
        }]);
        assert!(run(&GatewaySubnetNotDedicated, &m, Assumptions::default()).is_empty());
    }
}
