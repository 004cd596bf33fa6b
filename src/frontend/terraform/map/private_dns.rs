//! Private endpoints, private DNS zones, their virtual network links and A records.

use super::conv::*;
use super::{Mapper, ResInst, header, target_of};
use crate::model::*;

impl Mapper {
    /// Maps private endpoints and DNS; false when the resource is none of them.
    pub(super) fn add_private_dns(&mut self, ri: &ResInst) -> bool {
        let n = &ri.node;
        let unit = n.unit();
        let m = &mut self.model;
        match ri.rtype.as_str() {
            "azurerm_private_endpoint" => {
                let pe = PrivateEndpoint {
                    res: header(ri),
                    subnet: r(n, "subnet_id"),
                    connections: coll(n.blocks("private_service_connection"), |c| {
                        PrivateLinkConnection {
                            target: r(c, "private_connection_resource_id"),
                            group_ids: strs(c, "subresource_names"),
                            span: c.span,
                        }
                    }),
                    dns_zones: match n.block("private_dns_zone_group") {
                        Err(sp) => Val::unknown(Some(sp)),
                        Ok(None) => Val::absent(),
                        Ok(Some(g)) => {
                            list_of(&g, "private_dns_zone_ids", |v, sp| tref(v, sp, unit))
                        }
                    },
                };
                if !pe.subnet.is_absent() {
                    m.subnet_users.push(SubnetUser {
                        res: pe.res.clone(),
                        subnet: pe.subnet.clone(),
                        usage: "private endpoint".into(),
                        span: pe.subnet.span_or(ri.header),
                    });
                }
                m.private_endpoints.push(pe);
            }
            "azurerm_private_dns_zone" => m.dns_zones.push(PrivateDnsZone {
                res: header(ri),
                links: Val::known_at(Vec::new(), None),
                a_records: Val::known_at(Vec::new(), None),
            }),
            "azurerm_private_dns_zone_virtual_network_link" => {
                let t = target_of(n.attr("private_dns_zone_name"), unit);
                self.pending.dns_links.push((
                    t,
                    DnsZoneLink {
                        name: s(n, "name"),
                        vnet: r(n, "virtual_network_id"),
                        span: ri.header,
                    },
                ));
            }
            "azurerm_private_dns_a_record" => {
                let t = target_of(n.attr("zone_name"), unit);
                self.pending.a_records.push((
                    t,
                    DnsARecord {
                        name: s(n, "name"),
                        addresses: strs(n, "records"),
                        span: ri.header,
                    },
                ));
            }
            _ => return false,
        }
        true
    }
}
