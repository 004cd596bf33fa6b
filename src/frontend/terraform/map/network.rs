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
                zones: strs(n, "zones"),
                sku: s(n, "sku"),
                allocation: s(n, "allocation_method"),
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
    Subnet {
        res,
        vnet,
        prefixes: strs_merged(n, &["address_prefixes", "address_prefix"]),
        nsg: r(n, "security_group"),
        nsg_span: n.expr("security_group").map(|(_, sp)| sp),
        route_table: Val::absent(),
        route_table_span: None,
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
