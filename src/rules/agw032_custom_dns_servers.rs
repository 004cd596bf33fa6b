//! AGW032 custom-dns-servers: the gateway VNet uses custom DNS servers and either a backend is
//! reached through a private-link name (the servers must forward `privatelink.azurewebsites.net`
//! to Azure DNS) or only one server is configured (no redundancy for the gateway's backend name
//! resolution).

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_network::{
    gateway_sites, gateway_vnet_key, site_private_endpoints, vnets_by_key,
};
use crate::model::{Model, ResourceKey};

/// See the module docs.
pub struct CustomDnsServers;

static META: RuleMeta = RuleMeta {
    id: "AGW032",
    name: "custom-dns-servers",
    severity: Severity::Warning,
    summary: "The gateway VNet uses custom DNS servers that must resolve private-link backends (or has a single server)",
    page: include_str!("../../rules/AGW032.md"),
};

impl Rule for CustomDnsServers {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        let mut done: crate::model::HashSet<&ResourceKey> = crate::model::HashSet::default();
        let vnets = vnets_by_key(model);
        for gw in &model.gateways {
            if !gw.res.may_exist() {
                continue;
            }
            let Some(vkey) = gateway_vnet_key(model, gw) else {
                continue;
            };
            if done.contains(vkey) {
                continue;
            }
            let Some(&vnet) = vnets.get(vkey) else {
                continue;
            };
            let Some(servers) = vnet.dns_servers.items() else {
                cx.skip(&vnet.res, "dhcpOptions.dnsServers", &vnet.dns_servers);
                continue;
            };
            if servers.is_empty() {
                continue;
            }
            done.insert(vkey);
            // A backend whose name must resolve to a private endpoint.
            let private_site = gateway_sites(model, gw).into_iter().find(|(addr, site)| {
                !addr.fqdn.is_absent() && !site_private_endpoints(model, site).0.is_empty()
            });
            let mut reasons: Vec<String> = Vec::new();
            let mut related = Vec::new();
            if let Some((addr, site)) = private_site
                && !cx.assume.dns_resolves_private_link
            {
                reasons.push(format!(
                    "backend site \"{}\" is reached through its private endpoint, so they must forward privatelink.azurewebsites.net to Azure DNS (168.63.129.16)",
                    site.res.display_name()
                ));
                related.push((addr.span, "private-link backend resolved by the VNet's DNS"));
            }
            if servers.len() == 1 {
                reasons.push("only one server is configured".into());
            }
            if reasons.is_empty() {
                continue;
            }
            let mut f = cx
                .finding(
                    format!(
                        "VNet \"{}\" of gateway \"{}\" uses custom DNS servers: {}",
                        vnet.res.display_name(),
                        gw.res.display_name(),
                        reasons.join("; ")
                    ),
                    vnet.dns_servers.span_or(vnet.res.span),
                )
                .label("the gateway resolves backend names with these servers")
                .help(
                    "configure at least two DNS servers that forward privatelink.azurewebsites.net \
                     (and public names) to Azure DNS 168.63.129.16 or an Azure DNS Private \
                     Resolver; restart the gateway after changing the VNet's DNS servers",
                )
                .origins(&vnet.dns_servers)
                .resource(&vnet.res)
                .property(
                    vnet.res
                        .dialect
                        .prop("dhcpOptions.dnsServers", "dns_servers"),
                );
            for (span, msg) in related {
                f = f.related(span, msg);
            }
            cx.emit(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    #[test]
    fn single_server_warns_and_two_pass() {
        let mut m = base();
        m.vnets[0].dns_servers = kl(&["10.0.5.4"]);
        let f = run(&CustomDnsServers, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        m.vnets[0].dns_servers = kl(&["10.0.5.4", "10.0.5.5"]);
        assert!(run(&CustomDnsServers, &m, Assumptions::default()).is_empty());
    }

    #[test]
    fn private_link_backend_warns_unless_assumed() {
        let mut m = with_pe(base(), "vnet");
        m.vnets[0].dns_servers = kl(&["10.0.5.4", "10.0.5.5"]);
        assert_eq!(run(&CustomDnsServers, &m, Assumptions::default()).len(), 1);
        let assume = Assumptions {
            dns_resolves_private_link: true,
            ..Default::default()
        };
        assert!(run(&CustomDnsServers, &m, assume).is_empty());
    }
}
