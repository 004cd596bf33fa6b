//! Networking resources: VNets and subnets, NSGs, route tables, private endpoints, private DNS,
//! public IPs, diagnostics, WAF policies, NICs / scale sets (pool members, subnet users).

use super::super::ids::parse_gw_sub;
use super::super::tree::{Ev, EvKind, boolean, coll, int, merged_strs, s, strs};
use super::{EvRes, Mapper, child_own_name, props, split_child, unknown_at};
use crate::model::{
    Coll, Delegation, DiagnosticLog, DiagnosticSetting, DnsARecord, DnsZoneLink, Lattice,
    NetworkSecurityGroup, Peering, PoolMembership, PrivateDnsZone, PrivateEndpoint,
    PrivateLinkConnection, PublicIp, Ref, Resource, ResourceKey, Route, RouteTable, SecurityRule,
    Subnet, SubnetUser, Val, VirtualNetwork, VnetGateway, WafPolicy,
};
use crate::source::Span;

fn pget<'a>(r: &'a EvRes, k: &str) -> Option<&'a Ev> {
    props(&r.body).and_then(|p| p.get(k))
}

/// A VNet and its inline subnets.
pub(super) fn vnet(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    let vkey = res.key.clone();
    let v = VirtualNetwork {
        address_space: strs(pget(r, "addressSpace").and_then(|a| a.get("addressPrefixes"))),
        dns_servers: strs(pget(r, "dhcpOptions").and_then(|a| a.get("dnsServers"))),
        peerings: coll(pget(r, "virtualNetworkPeerings"), |e| Peering {
            name: s(e.get("name")),
            remote_vnet: m.obj_ref(props(e).and_then(|p| p.get("remoteVirtualNetwork"))),
            allow_access: boolean(props(e).and_then(|p| p.get("allowVirtualNetworkAccess"))),
            span: e.span,
        }),
        res,
    };
    if let Some(EvKind::Arr(items)) = pget(r, "subnets").map(|x| &x.kind) {
        for e in items {
            let own = s(e.get("name"));
            let full = match (r.name.get(), own.get()) {
                (Some(vn), Some(sn)) => Some(format!("{vn}/{sn}")),
                _ => None,
            };
            let key_name = full
                .clone()
                .unwrap_or_else(|| format!("?{i}/{}", e.span.start));
            let res = Resource {
                key: m.key("Microsoft.Network/virtualNetworks/subnets", &key_name),
                name: own.clone(),
                rtype: "Microsoft.Network/virtualNetworks/subnets".to_string(),
                label: format!(
                    "Microsoft.Network/virtualNetworks/subnets/{}",
                    full.unwrap_or_else(|| format!(
                        "{}/{}",
                        r.name.get().unwrap_or(&r.name_written),
                        e.get("name")
                            .and_then(|n| n.as_str())
                            .unwrap_or("<computed name>")
                    ))
                ),
                span: e.span,
                dialect: crate::model::Dialect::Arm,
                condition: r.condition.clone(),
                suppressions: Vec::new(),
            };
            let vref = Val::known(vkey.clone(), r.span);
            let sn = subnet(m, res, vref, props(e));
            m.model.subnets.push(sn);
        }
    }
    m.model.vnets.push(v);
}

/// `Microsoft.Network/virtualNetworks/subnets` as its own resource.
pub(super) fn subnet_resource(m: &mut Mapper, r: &EvRes, i: usize) {
    let mut res = m.header(r, i);
    res.name = child_own_name(&r.name);
    let vref = match split_child(&r.name) {
        Some((vn, _)) => Val::known(m.key("Microsoft.Network/virtualNetworks", &vn), r.span),
        None => Val::unknown(r.name.span),
    };
    let sn = subnet(m, res, vref, props(&r.body));
    m.model.subnets.push(sn);
}

fn subnet(m: &Mapper, res: Resource, vnet: Ref, p: Option<&Ev>) -> Subnet {
    let q = |k: &str| p.and_then(|p| p.get(k));
    if let Some(pp) = p
        && pp.is_unknown()
    {
        return Subnet {
            res,
            vnet,
            prefixes: unknown_at(pp),
            nsg: unknown_at(pp),
            nsg_span: Some(pp.span),
            route_table: unknown_at(pp),
            route_table_span: Some(pp.span),
            service_endpoints: unknown_at(pp),
            service_endpoint_policies: unknown_at(pp),
            delegations: unknown_at(pp),
            nat_gateway: unknown_at(pp),
        };
    }
    Subnet {
        res,
        vnet,
        prefixes: merged_strs(q("addressPrefix"), q("addressPrefixes")),
        nsg: m.obj_ref(q("networkSecurityGroup")),
        nsg_span: q("networkSecurityGroup").map(|x| x.span),
        route_table: m.obj_ref(q("routeTable")),
        route_table_span: q("routeTable").map(|x| x.span),
        service_endpoints: coll(q("serviceEndpoints"), |e| s(e.get("service"))),
        service_endpoint_policies: coll(q("serviceEndpointPolicies"), |e| m.obj_ref(Some(e))),
        delegations: coll(q("delegations"), |e| Delegation {
            service: s(props(e).and_then(|p| p.get("serviceName"))),
            span: e.span,
        }),
        nat_gateway: m.obj_ref(q("natGateway")),
    }
}

fn security_rule(name: Val<String>, p: Option<&Ev>, span: Span) -> SecurityRule {
    let q = |k: &str| p.and_then(|p| p.get(k));
    SecurityRule {
        name,
        direction: s(q("direction")),
        access: s(q("access")),
        priority: int(q("priority")),
        protocol: s(q("protocol")),
        source_prefixes: merged_strs(q("sourceAddressPrefix"), q("sourceAddressPrefixes")),
        destination_prefixes: merged_strs(
            q("destinationAddressPrefix"),
            q("destinationAddressPrefixes"),
        ),
        destination_ports: merged_strs(q("destinationPortRange"), q("destinationPortRanges")),
        source_ports: merged_strs(q("sourcePortRange"), q("sourcePortRanges")),
        span,
    }
}

/// A network security group with its inline rules.
pub(super) fn nsg(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    let rules = coll(pget(r, "securityRules"), |e| {
        security_rule(s(e.get("name")), props(e), e.span)
    });
    m.model.nsgs.push(NetworkSecurityGroup {
        res,
        rules,
        block: None,
        parsed: Default::default(),
    });
}

/// Appends a child element to a parent collection; a child with an Unknown condition makes
/// the collection Unknown (it may or may not be deployed).
fn push_child<T>(c: &mut Coll<T>, item: T, r: &EvRes) {
    if r.condition.is_unknown() && !r.cond_inherited {
        *c = Val::unknown(Some(r.span));
        return;
    }
    match &mut c.state {
        Lattice::Known(v) => v.push(item),
        Lattice::Absent => *c = Val::known(vec![item], r.span),
        Lattice::Unknown(_) => {}
    }
}

/// Finds the parent entity of a child resource; `Err(())` when the parent name is Unknown.
fn parent_key(m: &Mapper, r: &EvRes, parent_type: &str) -> Result<Option<ResourceKey>, ()> {
    match split_child(&r.name) {
        Some((p, _)) => Ok(Some(m.key(parent_type, &p))),
        None if r.name.is_known() => Ok(None),
        None => Err(()),
    }
}

macro_rules! merge_child {
    ($m:expr, $r:expr, $ptype:expr, $field:ident, $coll:ident, $item:expr) => {{
        match parent_key($m, $r, $ptype) {
            Ok(Some(key)) => {
                if let Some(p) = $m.model.$field.iter_mut().find(|x| x.res.key == key) {
                    push_child(&mut p.$coll, $item, $r);
                }
            }
            Ok(None) => {}
            Err(()) => {
                // Which parent this child belongs to is unknowable: no list is complete.
                for p in &mut $m.model.$field {
                    p.$coll = Val::unknown(Some($r.span));
                }
            }
        }
    }};
}

/// `networkSecurityGroups/securityRules`.
pub(super) fn child_rule(m: &mut Mapper, r: &EvRes) {
    let item = security_rule(child_own_name(&r.name), props(&r.body), r.span);
    merge_child!(
        m,
        r,
        "Microsoft.Network/networkSecurityGroups",
        nsgs,
        rules,
        item
    );
}

fn route(name: Val<String>, p: Option<&Ev>, span: Span) -> Route {
    let q = |k: &str| p.and_then(|p| p.get(k));
    Route {
        name,
        address_prefix: s(q("addressPrefix")),
        next_hop_type: s(q("nextHopType")),
        next_hop_ip: s(q("nextHopIpAddress")),
        span,
    }
}

/// A route table with its inline routes.
pub(super) fn route_table(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    m.model.route_tables.push(RouteTable {
        res,
        routes: coll(pget(r, "routes"), |e| {
            route(s(e.get("name")), props(e), e.span)
        }),
        disable_bgp_route_propagation: boolean(pget(r, "disableBgpRoutePropagation")),
    });
}

/// `routeTables/routes`.
pub(super) fn child_route(m: &mut Mapper, r: &EvRes) {
    let item = route(child_own_name(&r.name), props(&r.body), r.span);
    merge_child!(
        m,
        r,
        "Microsoft.Network/routeTables",
        route_tables,
        routes,
        item
    );
}

/// `virtualNetworks/virtualNetworkPeerings`.
pub(super) fn child_peering(m: &mut Mapper, r: &EvRes) {
    let item = Peering {
        name: child_own_name(&r.name),
        remote_vnet: m.obj_ref(pget(r, "remoteVirtualNetwork")),
        allow_access: boolean(pget(r, "allowVirtualNetworkAccess")),
        span: r.span,
    };
    merge_child!(
        m,
        r,
        "Microsoft.Network/virtualNetworks",
        vnets,
        peerings,
        item
    );
}

/// A private endpoint (connections; DNS zones come from zone-group children).
pub(super) fn private_endpoint(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    let conn = |e: &Ev| {
        let q = |k: &str| props(e).and_then(|p| p.get(k));
        PrivateLinkConnection {
            target: m.id_ref(q("privateLinkServiceId")),
            group_ids: strs(q("groupIds")),
            span: e.span,
        }
    };
    let auto = coll(pget(r, "privateLinkServiceConnections"), conn);
    let manual = coll(pget(r, "manualPrivateLinkServiceConnections"), conn);
    let connections = match (auto.state, manual.state) {
        (Lattice::Unknown(p), _) | (_, Lattice::Unknown(p)) => Val {
            state: Lattice::Unknown(p),
            span: auto.span.or(manual.span),
            origins: crate::model::Origins::new(),
        },
        (Lattice::Absent, Lattice::Absent) => Val::absent(),
        (a, b) => {
            let mut v = Vec::new();
            if let Lattice::Known(x) = a {
                v.extend(x);
            }
            if let Lattice::Known(x) = b {
                v.extend(x);
            }
            Val::known_at(v, auto.span.or(manual.span))
        }
    };
    let subnet = m.obj_ref(pget(r, "subnet"));
    if let Some(sp) = pget(r, "subnet") {
        m.model.subnet_users.push(SubnetUser {
            res: res.clone(),
            subnet: subnet.clone(),
            usage: "private endpoint".to_string(),
            span: sp.span,
        });
    }
    m.model.private_endpoints.push(PrivateEndpoint {
        res,
        subnet,
        connections,
        dns_zones: Val::absent(),
    });
}

/// `privateEndpoints/privateDnsZoneGroups`.
pub(super) fn child_zone_group(m: &mut Mapper, r: &EvRes) {
    let zones = coll(pget(r, "privateDnsZoneConfigs"), |e| {
        m.id_ref(props(e).and_then(|p| p.get("privateDnsZoneId")))
    });
    let Ok(Some(key)) = parent_key(m, r, "Microsoft.Network/privateEndpoints") else {
        return;
    };
    let unknown_cond = r.condition.is_unknown() && !r.cond_inherited;
    if let Some(pe) = m
        .model
        .private_endpoints
        .iter_mut()
        .find(|x| x.res.key == key)
    {
        match (zones.state, unknown_cond) {
            (Lattice::Known(z), false) => match &mut pe.dns_zones.state {
                Lattice::Known(v) => v.extend(z),
                Lattice::Absent => pe.dns_zones = Val::known(z, r.span),
                Lattice::Unknown(_) => {}
            },
            (Lattice::Absent, false) => {}
            _ => pe.dns_zones = Val::unknown(Some(r.span)),
        }
    }
}

/// A private DNS zone (links and records come from children).
pub(super) fn dns_zone(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    m.model.dns_zones.push(PrivateDnsZone {
        res,
        links: Val::absent(),
        a_records: Val::absent(),
    });
}

/// `privateDnsZones/virtualNetworkLinks`.
pub(super) fn child_link(m: &mut Mapper, r: &EvRes) {
    let item = DnsZoneLink {
        name: child_own_name(&r.name),
        vnet: m.obj_ref(pget(r, "virtualNetwork")),
        span: r.span,
    };
    merge_child!(
        m,
        r,
        "Microsoft.Network/privateDnsZones",
        dns_zones,
        links,
        item
    );
}

/// `privateDnsZones/A`.
pub(super) fn child_a_record(m: &mut Mapper, r: &EvRes) {
    let item = DnsARecord {
        name: child_own_name(&r.name),
        addresses: coll(pget(r, "aRecords"), |e| s(e.get("ipv4Address"))),
        span: r.span,
    };
    merge_child!(
        m,
        r,
        "Microsoft.Network/privateDnsZones",
        dns_zones,
        a_records,
        item
    );
}

/// A public IP.
pub(super) fn public_ip(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    m.model.public_ips.push(PublicIp {
        res,
        zones: strs(r.body.get("zones")),
        sku: s(r.body.path(&["sku", "name"])),
        allocation: s(pget(r, "publicIPAllocationMethod")),
    });
}

/// A diagnostic setting: extension resource with `scope`, or the
/// `<gw>/Microsoft.Insights/<name>` child form.
pub(super) fn diagnostic(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    let target = if r.rtype.to_ascii_lowercase().contains("/providers/") {
        match r.name.get().and_then(|n| n.split_once('/')) {
            Some((gw, _)) => Val::known(
                m.key("Microsoft.Network/applicationGateways", gw),
                r.name.span.unwrap_or(r.span),
            ),
            None => Val::unknown(r.name.span),
        }
    } else {
        r.scope.clone()
    };
    let dest_keys = [
        "workspaceId",
        "storageAccountId",
        "eventHubAuthorizationRuleId",
        "eventHubName",
        "marketplacePartnerId",
        "serviceBusRuleId",
    ];
    let mut has_destination = Val::known_at(false, None);
    for k in dest_keys {
        if let Some(v) = pget(r, k)
            && !matches!(v.kind, EvKind::Null)
        {
            has_destination = Val::known(true, v.span);
            break;
        }
    }
    m.model.diagnostic_settings.push(DiagnosticSetting {
        res,
        target,
        logs: coll(pget(r, "logs"), |e| DiagnosticLog {
            category: s(e.get("category")),
            category_group: s(e.get("categoryGroup")),
            enabled: boolean(e.get("enabled")),
            span: e.span,
        }),
        has_destination,
    });
}

/// A WAF policy.
pub(super) fn waf_policy(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    let ps = pget(r, "policySettings");
    let q = |k: &str| ps.and_then(|p| p.get(k));
    let state = s(q("state"));
    let enabled = state.map_ref(|st| st.eq_ignore_ascii_case("enabled"));
    m.model.waf_policies.push(WafPolicy {
        res,
        enabled,
        mode: s(q("mode")),
        request_body_check: boolean(q("requestBodyCheck")),
        max_request_body_kb: int(q("maxRequestBodySizeInKb")),
        request_body_inspect_limit_kb: int(q("requestBodyInspectLimitInKB")),
    });
}

/// Pool memberships written as `applicationGatewayBackendAddressPools: [{id}]` in IP
/// configurations, and the subnets they use.
fn ip_configs(m: &mut Mapper, res: &Resource, configs: Option<&Ev>) {
    let Some(c) = configs else { return };
    let Some(items) = c.as_arr() else {
        if c.is_unknown() {
            // Unknown configurations may add any member to any pool.
            m.model.pool_members.push(PoolMembership {
                res: res.clone(),
                gateway: unknown_at(c),
                pool: unknown_at(c),
            });
        }
        return;
    };
    for ipc in items {
        let p = props(ipc);
        if let Some(sub) = p.and_then(|p| p.get("subnet")) {
            let subnet = m.obj_ref(Some(sub));
            m.model.subnet_users.push(SubnetUser {
                res: res.clone(),
                subnet,
                usage: "network interface".to_string(),
                span: sub.span,
            });
        }
        let pools = match p {
            Some(pp) if pp.is_unknown() || ipc.is_unknown() => Some(pp),
            Some(pp) => pp.get("applicationGatewayBackendAddressPools"),
            None if ipc.is_unknown() => Some(ipc),
            None => None,
        };
        let Some(pools) = pools else { continue };
        match &pools.kind {
            EvKind::Arr(list) => {
                for e in list {
                    let (gateway, pool) = pool_id(m, e);
                    m.model.pool_members.push(PoolMembership {
                        res: res.clone(),
                        gateway,
                        pool,
                    });
                }
            }
            EvKind::Null => {}
            _ => m.model.pool_members.push(PoolMembership {
                res: res.clone(),
                gateway: unknown_at(pools),
                pool: unknown_at(pools),
            }),
        }
    }
}

fn pool_id(m: &Mapper, e: &Ev) -> (Ref, Val<String>) {
    let id = e.get("id").unwrap_or(e);
    let text = match &id.kind {
        EvKind::Str(t) => Some(t.as_str()),
        EvKind::Unknown(p) if !p.suffix.is_empty() => Some(p.suffix.as_str()),
        _ => None,
    };
    match text.and_then(parse_gw_sub) {
        Some(sub) if sub.collection.eq_ignore_ascii_case("backendAddressPools") => {
            let gateway = match sub.gateway {
                Some(g) => Val::known(m.key("Microsoft.Network/applicationGateways", g), id.span),
                None => unknown_at(id),
            };
            (gateway, Val::known(sub.name.into_owned(), id.span))
        }
        _ => (unknown_at(id), unknown_at(id)),
    }
}

/// A NIC: pool memberships and subnet use.
pub(super) fn nic(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    ip_configs(m, &res, pget(r, "ipConfigurations"));
}

/// A scale set: pool memberships of its NIC configurations.
pub(super) fn vmss(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    let nics = pget(r, "virtualMachineProfile")
        .and_then(|v| v.path(&["networkProfile", "networkInterfaceConfigurations"]));
    let Some(nics) = nics else { return };
    match &nics.kind {
        EvKind::Arr(list) => {
            for n in list {
                let cfgs = props(n).and_then(|p| p.get("ipConfigurations"));
                let cfgs = if n.is_unknown() { Some(n) } else { cfgs };
                ip_configs(m, &res, cfgs);
            }
        }
        _ => ip_configs(m, &res, Some(nics)),
    }
}

/// A VPN / ExpressRoute gateway.
pub(super) fn vnet_gateway(m: &mut Mapper, r: &EvRes, i: usize) {
    let res = m.header(r, i);
    let subnet = pget(r, "ipConfigurations")
        .and_then(|c| c.as_arr())
        .and_then(|a| a.first())
        .map_or_else(Val::absent, |c| {
            m.obj_ref(props(c).and_then(|p| p.get("subnet")))
        });
    m.model.vnet_gateways.push(VnetGateway { res, subnet });
}

/// Resources not modelled otherwise that still occupy a subnet (firewalls, bastions, load
/// balancers, container groups...).
pub(super) fn other_subnet_users(m: &mut Mapper, r: &EvRes, i: usize) {
    // (where the subnet id is written, whether it is an `{ "id": ... }` object)
    let mut found: Vec<(&Ev, bool)> = Vec::new();
    for key in ["ipConfigurations", "frontendIPConfigurations"] {
        for c in pget(r, key).and_then(Ev::as_arr).unwrap_or_default() {
            if let Some(sub) = props(c).and_then(|p| p.get("subnet")) {
                found.push((sub, true));
            }
        }
    }
    if let Some(sub) = pget(r, "subnet") {
        found.push((sub, true));
    }
    for sub in pget(r, "subnetIds")
        .and_then(Ev::as_arr)
        .unwrap_or_default()
    {
        found.push((sub, true));
    }
    if let Some(sub) =
        pget(r, "virtualNetworkConfiguration").and_then(|v| v.get("subnetResourceId"))
    {
        found.push((sub, false));
    }
    if found.is_empty() {
        return;
    }
    let res = m.header(r, i);
    for (sub, is_obj) in found {
        let subnet = if is_obj {
            m.obj_ref(Some(sub))
        } else {
            m.id_ref(Some(sub))
        };
        m.model.subnet_users.push(SubnetUser {
            res: res.clone(),
            subnet,
            usage: r.rtype.clone(),
            span: sub.span,
        });
    }
}

/// An AKS cluster with the Application Gateway Ingress Controller add-on writes the gateway's
/// pools at run time: any pool of that gateway may get members.
pub(super) fn aks_agic(m: &mut Mapper, r: &EvRes, i: usize) {
    // Node pools in a VNet subnet use it.
    let pools = pget(r, "agentPoolProfiles")
        .and_then(Ev::as_arr)
        .unwrap_or_default();
    let res = m.header(r, i);
    for p in pools {
        if let Some(sub) = p.get("vnetSubnetID") {
            let subnet = m.id_ref(Some(sub));
            m.model.subnet_users.push(SubnetUser {
                res: res.clone(),
                subnet,
                usage: "AKS node pool".to_string(),
                span: sub.span,
            });
        }
    }
    let Some(addon) = pget(r, "addonProfiles").and_then(|a| a.get("ingressApplicationGateway"))
    else {
        return;
    };
    if boolean(addon.get("enabled")).get() == Some(&false) {
        return;
    }
    let id = addon.path(&["config", "applicationGatewayId"]);
    if id.is_none() {
        // AGIC creates a gateway of its own, which this template does not describe.
        return;
    }
    let gateway = m.id_ref(id);
    let pool = Val::unknown(id.map(|v| v.span));
    m.model
        .pool_members
        .push(PoolMembership { res, gateway, pool });
}
