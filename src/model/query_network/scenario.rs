//! A hand-built network scenario for the rule tests: a v2 gateway with a public frontend,
//! listener on port 80, routed to function `fn` by its default host name, in subnet
//! `agw-subnet` (10.0.0.0/24) of VNet `vnet`.

use crate::finding::Finding;
use crate::model::*;
use crate::rules::{Assumptions, Rule, RuleCx};
use crate::source::{FileId, Span};
use std::sync::atomic::{AtomicU32, Ordering};

static NEXT: AtomicU32 = AtomicU32::new(1);

/// A fresh span.
pub fn sp() -> Span {
    let n = NEXT.fetch_add(10, Ordering::Relaxed) as usize;
    Span::new(FileId(0), n..n + 5)
}

/// A Known value.
pub fn k<T>(v: T) -> Val<T> {
    Val::known(v, sp())
}

/// A Known string.
pub fn ks(v: &str) -> Val<String> {
    k(v.to_string())
}

/// A Known list of strings.
pub fn kl(v: &[&str]) -> Coll<Val<String>> {
    k(v.iter().map(|s| ks(s)).collect())
}

/// A resource header (ARM).
pub fn res(kind: &str, name: &str) -> Resource {
    Resource {
        key: ResourceKey::arm(UnitId(0), kind, name),
        name: ks(name),
        rtype: kind.to_string(),
        label: format!("{kind}/{name}"),
        span: sp(),
        dialect: Dialect::Arm,
        ..Default::default()
    }
}

/// A reference to a resource.
pub fn rref(r: &Resource) -> Ref {
    k(r.key.clone())
}

/// An NSG rule.
#[allow(clippy::too_many_arguments)]
pub fn nsg_rule(
    name: &str,
    dir: &str,
    access: &str,
    prio: i64,
    proto: &str,
    src: &str,
    dst: &str,
    ports: &[&str],
) -> SecurityRule {
    SecurityRule {
        name: ks(name),
        direction: ks(dir),
        access: ks(access),
        priority: k(prio),
        protocol: ks(proto),
        source_prefixes: kl(&[src]),
        destination_prefixes: kl(&[dst]),
        destination_ports: kl(ports),
        source_ports: kl(&["*"]),
        span: sp(),
    }
}

/// The base scenario.
pub fn base() -> Model {
    let vnet = VirtualNetwork {
        res: res("Microsoft.Network/virtualNetworks", "vnet"),
        address_space: kl(&["10.0.0.0/16"]),
        dns_servers: Val::absent(),
        peerings: k(vec![]),
    };
    let subnet = Subnet {
        res: res(
            "Microsoft.Network/virtualNetworks/subnets",
            "vnet/agw-subnet",
        ),
        vnet: rref(&vnet.res),
        prefixes: kl(&["10.0.0.0/24"]),
        service_endpoints: k(vec![]),
        service_endpoint_policies: k(vec![]),
        delegations: k(vec![]),
        ..Default::default()
    };
    let site = Site {
        res: res("Microsoft.Web/sites", "fn"),
        kind: ks("functionapp,linux"),
        is_function: k(true),
        default_host_name: ks("fn.azurewebsites.net"),
        host_bindings: k(vec![]),
        ip_restrictions: k(vec![]),
        ..Default::default()
    };
    let pip = PublicIp {
        res: res("Microsoft.Network/publicIPAddresses", "pip"),
        ..Default::default()
    };
    let gw = Gateway {
        res: res("Microsoft.Network/applicationGateways", "agw"),
        sku: Sku {
            name: ks("Standard_v2"),
            tier: ks("Standard_v2"),
            capacity: k(2),
            span: Some(sp()),
        },
        tags: k(vec![]),
        gateway_ip_configs: k(vec![GatewayIpConfig {
            name: ks("ipcfg"),
            subnet: rref(&subnet.res),
            span: sp(),
        }]),
        frontend_ips: k(vec![FrontendIp {
            name: ks("fe"),
            public_ip: rref(&pip.res),
            span: sp(),
            ..Default::default()
        }]),
        frontend_ports: k(vec![FrontendPort {
            name: ks("p80"),
            port: k(80),
            span: sp(),
        }]),
        listeners: k(vec![Listener {
            name: ks("l"),
            frontend_ip: SubRef::named(ks("fe")),
            frontend_port: SubRef::named(ks("p80")),
            protocol: ks("Http"),
            span: sp(),
            ..Default::default()
        }]),
        pools: k(vec![BackendPool {
            name: ks("pool"),
            addresses: k(vec![BackendAddress {
                fqdn: ks("fn.azurewebsites.net"),
                source: rref(&site.res),
                source_attribute: Some("defaultHostName".into()),
                span: sp(),
                ..Default::default()
            }]),
            span: sp(),
        }]),
        settings: k(vec![BackendSettings {
            name: ks("s"),
            protocol: ks("Https"),
            port: k(443),
            pick_host_name: k(true),
            span: sp(),
            ..Default::default()
        }]),
        rules: k(vec![RoutingRule {
            name: ks("r"),
            rule_type: ks("Basic"),
            priority: k(100),
            listener: SubRef::named(ks("l")),
            pool: SubRef::named(ks("pool")),
            settings: SubRef::named(ks("s")),
            span: sp(),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let mut m = Model::new();
    m.gateways.push(gw);
    m.vnets.push(vnet);
    m.subnets.push(subnet);
    m.sites.push(site);
    m.public_ips.push(pip);
    m.reindex();
    m
}

/// Attaches an NSG with these rules to the gateway subnet.
pub fn with_nsg(mut m: Model, rules: Vec<SecurityRule>) -> Model {
    let nsg = NetworkSecurityGroup {
        res: res("Microsoft.Network/networkSecurityGroups", "agw-nsg"),
        rules: k(rules),
        block: None,
        parsed: Default::default(),
    };
    m.subnets[0].nsg = rref(&nsg.res);
    m.nsgs.push(nsg);
    m.reindex();
    m
}

/// Makes the gateway private-only.
pub fn private_only(mut m: Model) -> Model {
    if let Some(fes) = match &mut m.gateways[0].frontend_ips.state {
        Lattice::Known(v) => Some(v),
        _ => None,
    } {
        for fe in fes {
            fe.public_ip = Val::absent();
            fe.private_ip = ks("10.0.0.10");
        }
    }
    m
}

/// Adds a private endpoint of the site in a new subnet `pe-subnet` of `vnet_name` (created
/// when it is not `vnet`).
pub fn with_pe(mut m: Model, vnet_name: &str) -> Model {
    if vnet_name != "vnet" {
        m.vnets.push(VirtualNetwork {
            res: res("Microsoft.Network/virtualNetworks", vnet_name),
            peerings: k(vec![]),
            ..Default::default()
        });
    }
    let vkey = ResourceKey::arm(UnitId(0), "Microsoft.Network/virtualNetworks", vnet_name);
    let subnet = Subnet {
        res: res(
            "Microsoft.Network/virtualNetworks/subnets",
            &format!("{vnet_name}/pe-subnet"),
        ),
        vnet: k(vkey),
        prefixes: kl(&["10.9.1.0/24"]),
        ..Default::default()
    };
    let pe = PrivateEndpoint {
        res: res("Microsoft.Network/privateEndpoints", "fn-pe"),
        subnet: rref(&subnet.res),
        connections: k(vec![PrivateLinkConnection {
            target: rref(&m.sites[0].res),
            group_ids: kl(&["sites"]),
            span: sp(),
        }]),
        dns_zones: k(vec![]),
    };
    m.subnets.push(subnet);
    m.private_endpoints.push(pe);
    m.reindex();
    m
}

/// Adds `privatelink.azurewebsites.net` linked to `vnet`.
pub fn with_zone(mut m: Model) -> Model {
    let vnet = rref(&m.vnets[0].res);
    m.dns_zones.push(PrivateDnsZone {
        res: res(
            "Microsoft.Network/privateDnsZones",
            "privatelink.azurewebsites.net",
        ),
        links: k(vec![DnsZoneLink {
            name: ks("link"),
            vnet,
            span: sp(),
        }]),
        a_records: k(vec![]),
    });
    m.reindex();
    m
}

/// Runs a rule.
pub fn run(rule: &dyn Rule, m: &Model, assume: Assumptions) -> Vec<Finding> {
    let mut cx = RuleCx::new(rule.meta(), None, assume);
    rule.check(m, &mut cx);
    cx.finish().0
}
