//! AGW035 public-access-disabled-unreachable: the site's public network access is off and none
//! of its private endpoints sits in the gateway VNet or a VNet peered with it: the gateway has no
//! path to the app.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;
use crate::model::query_network::{
    gateway_sites, gateway_vnet_key, maybe_isolated, private_endpoint_vnet, public_access_enabled,
    site_private_endpoints, vnets_connected,
};

/// See the module docs.
pub struct PublicAccessDisabledUnreachable;

static META: RuleMeta = RuleMeta {
    id: "AGW035",
    name: "public-access-disabled-unreachable",
    severity: Severity::Error,
    summary: "The site has public access disabled and no private endpoint the gateway can reach",
    page: include_str!("../../rules/AGW035.md"),
};

impl Rule for PublicAccessDisabledUnreachable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            if !gw.res.may_exist() {
                continue;
            }
            for (addr, site) in gateway_sites(model, gw) {
                match public_access_enabled(model, site) {
                    Some(false) => {}
                    Some(true) => continue,
                    None => {
                        cx.skip(
                            &site.res,
                            "publicNetworkAccess",
                            &site.public_network_access,
                        );
                        continue;
                    }
                }
                let Some(gw_vnet) = gateway_vnet_key(model, gw) else {
                    super::skip::placement(cx, model, gw, super::skip::Part::Subnet);
                    continue;
                };
                let (pes, complete) = site_private_endpoints(model, site);
                if !complete {
                    cx.skip_at(&site.res, "privateEndpoints", None);
                    continue;
                }
                // Without network isolation the gateway sends nothing over a peering whose
                // "allow traffic to remote virtual network" is off.
                let access_off_blocks = maybe_isolated(gw, cx.assume.network_isolation).is_none();
                let mut reachable = Some(false);
                for pe in &pes {
                    match private_endpoint_vnet(model, pe)
                        .and_then(|v| vnets_connected(model, &v, gw_vnet, access_off_blocks))
                    {
                        Some(true) => {
                            reachable = Some(true);
                            break;
                        }
                        Some(false) => {}
                        None => reachable = None,
                    }
                }
                match reachable {
                    Some(false) => {}
                    Some(true) => continue,
                    None => {
                        cx.skip_at(&site.res, "privateEndpoints", None);
                        continue;
                    }
                }
                let d = site.res.dialect;
                let prop = d.prop("publicNetworkAccess", "public_network_access_enabled");
                let label = if site.public_network_access.is_absent() {
                    format!("`{prop}` unset: disabled because the site has a private endpoint")
                } else {
                    format!("`{prop}` disables the public endpoint")
                };
                let detail = if pes.is_empty() {
                    "and has no private endpoint".to_string()
                } else {
                    "and none of its private endpoints is in the gateway's VNet or a VNet peered with it (with virtual network access allowed)"
                        .to_string()
                };
                let mut f = cx
                    .finding(
                        format!(
                            "site \"{}\" behind gateway \"{}\" has public network access disabled {detail}",
                            site.res.display_name(),
                            gw.res.display_name()
                        ),
                        site.public_network_access.span_or(site.res.span),
                    )
                    .label(label)
                    .related(addr.span, "the gateway sends traffic to this site")
                    .help(
                        "put a private endpoint of the site in the gateway's VNet (or a peered \
                         VNet) with a linked privatelink.azurewebsites.net zone, or enable public \
                         access and restrict it to the gateway; if traffic reaches the endpoint \
                         through a hub (a firewall or NVA between peered spokes, Virtual WAN, \
                         VPN or ExpressRoute), which agwlint does not model, suppress this finding",
                    )
                    .origins(&site.public_network_access)
                    .resource(&site.res)
                    .property(prop);
                for pe in pes {
                    f = f.related(
                        pe.subnet.span_or(pe.res.span),
                        "private endpoint in another VNet",
                    );
                }
                cx.emit(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    #[test]
    fn disabled_without_reachable_endpoint_fires() {
        let mut m = base();
        m.sites[0].public_network_access = ks("Disabled");
        assert_eq!(
            run(&PublicAccessDisabledUnreachable, &m, Assumptions::default()).len(),
            1
        );
        // Unset + a private endpoint in an unpeered VNet: disabled and unreachable.
        let m = with_pe(base(), "hub");
        let f = run(&PublicAccessDisabledUnreachable, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("none of its private endpoints"));
    }

    #[test]
    fn endpoint_in_gateway_vnet_passes() {
        let m = with_pe(base(), "vnet");
        assert!(run(&PublicAccessDisabledUnreachable, &m, Assumptions::default()).is_empty());
        assert!(
            run(
                &PublicAccessDisabledUnreachable,
                &base(),
                Assumptions::default()
            )
            .is_empty()
        );
    }

    #[test]
    fn peering_without_virtual_network_access_does_not_connect() {
        let mut m = with_pe(base(), "hub");
        let hub = rref(&m.vnets[1].res);
        m.vnets[0].peerings = k(vec![crate::model::Peering {
            name: ks("to-hub"),
            remote_vnet: hub,
            allow_access: k(true),
            span: sp(),
        }]);
        m.reindex();
        assert!(run(&PublicAccessDisabledUnreachable, &m, Assumptions::default()).is_empty());
        // Access off: a gateway without network isolation sends nothing over it.
        m.vnets[0].peerings = k(vec![crate::model::Peering {
            name: ks("to-hub"),
            remote_vnet: rref(&m.vnets[1].res),
            allow_access: k(false),
            span: sp(),
        }]);
        m.reindex();
        let f = run(&PublicAccessDisabledUnreachable, &m, Assumptions::default());
        assert_eq!(f.len(), 1, "{f:?}");
        // With network isolation it is Unknown: silent.
        let assume = Assumptions {
            network_isolation: true,
            ..Assumptions::default()
        };
        assert!(run(&PublicAccessDisabledUnreachable, &m, assume).is_empty());
    }
}
