//! Virtual networks, subnets and what attaches to them: associations, peerings, DNS servers,
//! NAT and virtual network gateways, public IPs, network interfaces.

use super::conv::*;
use super::{Assoc, Mapper, ResInst, Target, header, target_of};
use crate::frontend::terraform::expand::Node;
use crate::model::*;

impl Mapper {
    /// Maps network resources; false when the resource is none of them.
    pub(super) fn add_network(&mut self, ri: &ResInst) -> bool {
        let n = &ri.node;
        let unit = n.unit();
        let m = &mut self.model;
        match ri.rtype.as_str() {
            "azurerm_virtual_network" => {
                let res = header(ri);
                let vref = Val::known(res.key.clone(), ri.header);
                for sb in n.blocks("subnet").items {
                    let name = s(&sb, "name");
                    let addr = format!("{}.subnet[{}]", ri.address, name.as_str().unwrap_or("?"));
                    let sres = Resource {
                        key: ResourceKey::tf(unit, "azurerm_virtual_network.subnet", &addr),
                        name,
                        rtype: "azurerm_virtual_network.subnet".into(),
                        label: addr,
                        span: sb.span,
                        dialect: Dialect::Terraform,
                        condition: ri.condition.clone(),
                        suppressions: Vec::new(),
                    };
                    m.subnets.push(subnet_common(&sb, sres, vref.clone()));
                }
                m.vnets.push(VirtualNetwork {
                    res,
                    address_space: strs(n, "address_space"),
                    dns_servers: strs(n, "dns_servers"),
                    peerings: Val::known_at(Vec::new(), None),
                });
            }
            "azurerm_subnet" => {
                let t = target_of(n.attr("virtual_network_name"), unit);
                let vref = match &t {
                    Target::Key(k) => Val::known(k.clone(), ri.header),
                    _ => Val::unknown(Some(ri.header)),
                };
                let sn = subnet_common(n, header(ri), vref);
                if let Target::Name(_) = t {
                    self.pending.subnet_vnet.push((m.subnets.len(), t));
                }
                m.subnets.push(sn);
            }
            "azurerm_subnet_network_security_group_association"
            | "azurerm_subnet_route_table_association"
            | "azurerm_subnet_nat_gateway_association" => {
                let (kind, key) = match ri.rtype.as_str() {
                    "azurerm_subnet_network_security_group_association" => {
                        (Assoc::Nsg, "network_security_group_id")
                    }
                    "azurerm_subnet_route_table_association" => {
                        (Assoc::RouteTable, "route_table_id")
                    }
                    _ => (Assoc::Nat, "nat_gateway_id"),
                };
                let target = r(n, key);
                let sp = target.span.unwrap_or(ri.header);
                self.pending
                    .subnet_assoc
                    .push((r(n, "subnet_id"), kind, target, sp));
            }
            "azurerm_public_ip" => m.public_ips.push(PublicIp {
                res: header(ri),
                zones: pip_zones(n),
                sku: s(n, "sku"),
                // azurerm 1.x `public_ip_address_allocation`, renamed `allocation_method` in
                // 1.x and removed in 2.0 (provider CHANGELOG-v1, 2.0 upgrade guide).
                allocation: s_any(n, &["allocation_method", "public_ip_address_allocation"]),
            }),
            "azurerm_nat_gateway" => m.nat_gateways.push(NatGateway { res: header(ri) }),
            "azurerm_virtual_network_peering" => {
                let t = target_of(n.attr("virtual_network_name"), unit);
                self.pending.peerings.push((
                    t,
                    Peering {
                        name: s(n, "name"),
                        remote_vnet: r(n, "remote_virtual_network_id"),
                        allow_access: flag(n, "allow_virtual_network_access"),
                        span: ri.header,
                    },
                ));
            }
            "azurerm_virtual_network_gateway" => {
                let subnet = match n.blocks("ip_configuration").items.first() {
                    Some(c) => r(c, "subnet_id"),
                    None => Val::absent(),
                };
                m.vnet_gateways.push(VnetGateway {
                    res: header(ri),
                    subnet,
                });
            }
            "azurerm_network_interface" => {
                for c in n.blocks("ip_configuration").items {
                    let sn = r(&c, "subnet_id");
                    if !sn.is_absent() {
                        m.subnet_users.push(SubnetUser {
                            res: header(ri),
                            span: sn.span_or(c.span),
                            subnet: sn,
                            usage: "network interface".into(),
                        });
                    }
                }
            }
            "azurerm_virtual_network_dns_servers" => {
                self.pending
                    .dns_servers
                    .push((r(n, "virtual_network_id"), strs(n, "dns_servers")));
            }
            _ => return false,
        }
        true
    }
}

pub(super) fn subnet_common(n: &Node, res: Resource, vnet: Ref) -> Subnet {
    let endpoints = {
        let old = strs(n, "service_endpoints");
        if old.is_absent() {
            coll(n.blocks("service_endpoint"), |b| s(b, "service"))
        } else {
            old
        }
    };
    // The inline `subnet` block of a virtual network names its NSG `security_group`; an
    // `azurerm_subnet` of azurerm 1.x names it `network_security_group_id` (deprecated for
    // `azurerm_subnet_network_security_group_association`, removed in 2.0: provider issue
    // hashicorp/terraform-provider-azurerm#2786). `route_table_id` is the 1.x `azurerm_subnet`
    // attribute (same history) and the 4.x inline `subnet` block's.
    let key_nsg = if n.expr("security_group").is_some() {
        "security_group"
    } else {
        "network_security_group_id"
    };
    Subnet {
        res,
        vnet,
        prefixes: strs_merged(n, &["address_prefixes", "address_prefix"]),
        nsg: r(n, key_nsg),
        nsg_span: n.expr(key_nsg).map(|(_, sp)| sp),
        route_table: r(n, "route_table_id"),
        route_table_span: n.expr("route_table_id").map(|(_, sp)| sp),
        service_endpoints: endpoints,
        service_endpoint_policies: list_of(n, "service_endpoint_policy_ids", |v, sp| {
            tref(v, sp, n.unit())
        }),
        delegations: coll(n.blocks("delegation"), |d| {
            let svc = match d.block("service_delegation") {
                Ok(Some(sd)) => s(&sd, "name"),
                Ok(None) => Val::absent(),
                Err(sp) => Val::unknown(Some(sp)),
            };
            Delegation {
                service: svc,
                span: d.span,
            }
        }),
        nat_gateway: Val::absent(),
    }
}

/// A public IP's zones: `zones`, or azurerm 2.x's `availability_zone` (`"1"`, `"2"`, `"3"`,
/// `"Zone-Redundant"`, `"No-Zone"`), which the 3.0 upgrade guide folds into `zones`
/// (registry.terraform.io/providers/hashicorp/azurerm/latest/docs/guides/3.0-upgrade-guide,
/// `azurerm_public_ip`; provider PR #16064). A zone-redundant IP covers every zone of its
/// region, which agwlint does not know: Unknown.
pub(super) fn pip_zones(n: &Node) -> Coll<Val<String>> {
    let zones = strs(n, "zones");
    if !zones.is_absent() {
        return zones;
    }
    let az = s(n, "availability_zone");
    match az.as_str() {
        _ if az.is_absent() => zones,
        Some("No-Zone") => Val::known_at(Vec::new(), az.span),
        Some(z @ ("1" | "2" | "3")) => {
            let sp = az.span;
            Val::known_at(vec![Val::known_at(z.to_string(), sp)], sp)
        }
        _ => Val::unknown(az.span),
    }
}
