//! Where a gateway sits: its gateway IP configuration and subnet, the subnet's VNet, NSG and
//! route table, whether it has a public frontend, and whether it may run with network isolation.

use super::super::{
    Gateway, GatewayIpConfig, Lookup, Model, NetworkSecurityGroup, ResourceKey, RouteTable, Subnet,
    VirtualNetwork,
};

/// The gateway IP configuration and the subnet it puts the gateway into
/// (`gatewayIPConfigurations[0].subnet`).
pub fn gateway_subnet<'a>(
    model: &'a Model,
    gw: &'a Gateway,
) -> Lookup<(&'a GatewayIpConfig, &'a Subnet)> {
    let Some(cfgs) = gw.gateway_ip_configs.items() else {
        return Lookup::Unknown;
    };
    let Some(cfg) = cfgs.first() else {
        return Lookup::Absent;
    };
    match model.subnet(&cfg.subnet) {
        Lookup::Found(s) => Lookup::Found((cfg, s)),
        Lookup::Absent => Lookup::Absent,
        Lookup::Unknown => Lookup::Unknown,
    }
}

/// The gateway's subnet together with the NSG attached to it. `Err(true)` when something
/// needed is Unknown (count a skip), `Err(false)` when there is nothing to check (no subnet in
/// the scan, no NSG attached).
pub fn gateway_nsg<'a>(
    model: &'a Model,
    gw: &'a Gateway,
) -> Result<(&'a GatewayIpConfig, &'a Subnet, &'a NetworkSecurityGroup), bool> {
    let (cfg, subnet) = match gateway_subnet(model, gw) {
        Lookup::Found(x) => x,
        Lookup::Absent => return Err(false),
        Lookup::Unknown => return Err(true),
    };
    match subnet_nsg(model, subnet) {
        Lookup::Found(n) => Ok((cfg, subnet, n)),
        Lookup::Absent => Err(false),
        Lookup::Unknown => Err(true),
    }
}

/// The VNet a subnet belongs to.
pub fn subnet_vnet<'a>(model: &'a Model, subnet: &Subnet) -> Lookup<&'a VirtualNetwork> {
    model.vnet(&subnet.vnet)
}

/// The NSG attached to a subnet.
pub fn subnet_nsg<'a>(model: &'a Model, subnet: &Subnet) -> Lookup<&'a NetworkSecurityGroup> {
    model.nsg(&subnet.nsg)
}

/// The route table attached to a subnet.
pub fn subnet_route_table<'a>(model: &'a Model, subnet: &Subnet) -> Lookup<&'a RouteTable> {
    model.route_table(&subnet.route_table)
}

/// Why a gateway may run with Application Gateway network isolation, which relaxes the NSG and
/// route requirements. `None` = certainly not isolated.
pub fn maybe_isolated(gw: &Gateway, assume_network_isolation: bool) -> Option<&'static str> {
    if assume_network_isolation {
        return Some("network isolation is assumed by configuration");
    }
    for t in gw.tags.iter() {
        if t.key.eq_ignore_ascii_case("EnhancedNetworkControl") {
            match t.value.get() {
                Some(v) if v.eq_ignore_ascii_case("true") => {
                    return Some("the gateway has tag EnhancedNetworkControl=True");
                }
                Some(_) => {}
                None => return Some("the gateway's EnhancedNetworkControl tag is not known"),
            }
        }
    }
    if gw.tags.items().is_none() {
        return Some("the gateway's tags are not known");
    }
    match has_public_frontend(gw) {
        Some(true) => None,
        Some(false) => Some("the gateway has no public frontend IP (network isolation)"),
        None => Some("the gateway's frontend IP configurations are not known"),
    }
}

/// `hasPublicFrontend(gw)`: some frontend IP configuration references a public IP. `None` when
/// the collection is Unknown.
pub fn has_public_frontend(gw: &Gateway) -> Option<bool> {
    let fes = gw.frontend_ips.items()?;
    Some(fes.iter().any(|f| !f.public_ip.is_absent()))
}

/// The scan's virtual networks by key, the first of each key (as a search in model order
/// finds it). Rules that look a VNet up per gateway or per address build this once: a search
/// per lookup was quadratic in the size of the scan.
pub fn vnets_by_key(model: &Model) -> crate::model::HashMap<&ResourceKey, &VirtualNetwork> {
    let mut out =
        crate::model::HashMap::with_capacity_and_hasher(model.vnets.len(), Default::default());
    for v in &model.vnets {
        out.entry(&v.res.key).or_insert(v);
    }
    out
}

/// The gateway's VNet key, through its subnet.
pub fn gateway_vnet_key<'a>(model: &'a Model, gw: &'a Gateway) -> Option<&'a ResourceKey> {
    match gateway_subnet(model, gw) {
        Lookup::Found((_, s)) => s.vnet.get(),
        _ => None,
    }
}

/// True when a subnet's service endpoints include `Microsoft.Web`; `None` when Unknown.
pub fn has_web_service_endpoint(subnet: &Subnet) -> Option<bool> {
    let items = subnet.service_endpoints.items()?;
    let mut unknown = false;
    for v in items {
        match v.get() {
            Some(s) if s.eq_ignore_ascii_case("Microsoft.Web") => return Some(true),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}
