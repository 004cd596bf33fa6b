//! What filters and steers a subnet's traffic: network security groups and their rules, route
//! tables and their routes.

use super::conv::*;
use super::{Mapper, ResInst, header, target_of};
use crate::frontend::terraform::expand::Node;
use crate::model::*;

impl Mapper {
    /// Maps traffic filters and routes; false when the resource is none of them.
    pub(super) fn add_traffic(&mut self, ri: &ResInst) -> bool {
        let n = &ri.node;
        let unit = n.unit();
        let m = &mut self.model;
        match ri.rtype.as_str() {
            "azurerm_network_security_group" => m.nsgs.push(NetworkSecurityGroup {
                res: header(ri),
                rules: {
                    let c = coll(n.blocks("security_rule"), |b| {
                        security_rule(&b.checked(SECURITY_RULE))
                    });
                    if c.is_absent() {
                        Val::known_at(Vec::new(), None)
                    } else {
                        c
                    }
                },
                block: Some(n.span),
                parsed: Default::default(),
            }),
            "azurerm_network_security_rule" => {
                let t = target_of(n.attr("network_security_group_name"), unit);
                let mut rule = security_rule(n);
                rule.span = ri.header;
                self.pending.nsg_rules.push((t, rule));
            }
            "azurerm_route_table" => {
                let dis = {
                    let v4 = flag(n, "bgp_route_propagation_enabled");
                    if v4.is_absent() {
                        flag(n, "disable_bgp_route_propagation")
                    } else {
                        v4.map(|x| !x)
                    }
                };
                m.route_tables.push(RouteTable {
                    res: header(ri),
                    routes: {
                        let c = coll(n.blocks("route"), route);
                        if c.is_absent() {
                            Val::known_at(Vec::new(), None)
                        } else {
                            c
                        }
                    },
                    disable_bgp_route_propagation: dis,
                });
            }
            "azurerm_route" => {
                let t = target_of(n.attr("route_table_name"), unit);
                let mut rt = route(n);
                rt.span = ri.header;
                self.pending.routes.push((t, rt));
            }
            _ => return false,
        }
        true
    }
}

/// Attribute names of an inline `security_rule` block in azurerm 1.x to 4.x; a block with any
/// other attribute reads its unwritten fields as Unknown ([`Node::checked`]).
const SECURITY_RULE: &[&str] = &[
    "name",
    "description",
    "protocol",
    "source_port_range",
    "source_port_ranges",
    "destination_port_range",
    "destination_port_ranges",
    "source_address_prefix",
    "source_address_prefixes",
    "source_application_security_group_ids",
    "destination_address_prefix",
    "destination_address_prefixes",
    "destination_application_security_group_ids",
    "access",
    "priority",
    "direction",
];

pub(super) fn security_rule(b: &Node) -> SecurityRule {
    SecurityRule {
        name: s(b, "name"),
        direction: s(b, "direction"),
        access: s(b, "access"),
        priority: i(b, "priority"),
        protocol: s(b, "protocol"),
        source_prefixes: strs_merged(b, &["source_address_prefix", "source_address_prefixes"]),
        destination_prefixes: strs_merged(
            b,
            &["destination_address_prefix", "destination_address_prefixes"],
        ),
        destination_ports: strs_merged(b, &["destination_port_range", "destination_port_ranges"]),
        source_ports: strs_merged(b, &["source_port_range", "source_port_ranges"]),
        span: b.span,
    }
}

pub(super) fn route(b: &Node) -> Route {
    Route {
        name: s(b, "name"),
        address_prefix: s(b, "address_prefix"),
        next_hop_type: s(b, "next_hop_type"),
        next_hop_ip: s(b, "next_hop_in_ip_address"),
        span: b.span,
    }
}
