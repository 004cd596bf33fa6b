//! Rules must not be quadratic in the size of the scan: all rules run on a model of 2,000
//! gateways sharing 1,000 subnets (and on one a quarter of that size), and the model lookups
//! they make ([`crate::model::index::lookups`]) must grow about linearly. AGW005 and AGW031
//! once compared every subnet with every gateway and every gateway with every other: that made
//! 2,000,000 lookups at this size. Each gateway also has a NIC pool member (AGW006) and a
//! diagnostic setting (AGW044), which those rules once looked up by scanning them all.

use super::testkit::*;
use super::{Assumptions, REGISTRY, RuleCx};
use crate::finding::Finding;
use crate::model::index::lookups;
use crate::model::*;

/// `subnets` subnets, each hosting two gateways (one v1, one v2: they may not share it) and a
/// NIC.
fn shared(subnets: usize) -> Model {
    let mut m = Model::new();
    for i in 0..subnets {
        let subnet = Subnet {
            res: res(
                Dialect::Arm,
                "Microsoft.Network/virtualNetworks/subnets",
                &format!("vnet/s{i}"),
            ),
            prefixes: k(vec![ks("10.0.0.0/24")]),
            ..Default::default()
        };
        for (j, sku) in ["Standard_v2", "Standard_Medium"].iter().enumerate() {
            let mut gw = gateway(Dialect::Arm);
            gw.res = res(
                Dialect::Arm,
                "Microsoft.Network/applicationGateways",
                &format!("agw{i}-{j}"),
            );
            gw.sku.name = ks(sku);
            gw.sku.tier = ks(if j == 0 { "Standard_v2" } else { "Standard" });
            gw.gateway_ip_configs = k(vec![GatewayIpConfig {
                name: ks("ipcfg"),
                subnet: rref(&subnet.res),
                span: sp(),
            }]);
            // An empty pool routed by a rule, filled from outside by a NIC (AGW006 looks for
            // the gateway's external members), and a diagnostic setting (AGW044 looks for the
            // gateway's settings).
            gw.pools = k(vec![pool("pool", &[])]);
            gw.settings = k(vec![settings("http", "Http", 80, false)]);
            gw.rules = k(vec![rule("r", "pool", "http")]);
            m.pool_members.push(PoolMembership {
                res: res(
                    Dialect::Arm,
                    "Microsoft.Network/networkInterfaces",
                    &format!("member{i}-{j}"),
                ),
                gateway: rref(&gw.res),
                pool: ks("pool"),
            });
            m.diagnostic_settings.push(DiagnosticSetting {
                res: res(
                    Dialect::Arm,
                    "Microsoft.Insights/diagnosticSettings",
                    &format!("diag{i}-{j}"),
                ),
                target: rref(&gw.res),
                ..Default::default()
            });
            m.gateways.push(gw);
        }
        m.subnet_users.push(SubnetUser {
            res: res(
                Dialect::Arm,
                "Microsoft.Network/networkInterfaces",
                &format!("nic{i}"),
            ),
            subnet: rref(&subnet.res),
            usage: "network interface".into(),
            span: sp(),
        });
        m.subnets.push(subnet);
    }
    m.reindex();
    m
}

/// Runs every rule; returns the findings and the lookups made.
fn lint(m: &Model) -> (Vec<Finding>, u64) {
    let before = lookups();
    let mut out = Vec::new();
    for rule in REGISTRY {
        let mut cx = RuleCx::new(rule.meta(), None, Assumptions::default());
        rule.check(m, &mut cx);
        out.extend(cx.finish().0);
    }
    (out, lookups() - before)
}

#[test]
fn subnet_index_groups_the_gateways_of_each_subnet() {
    let m = shared(1000);
    assert_eq!(m.gateways.len(), 2000);
    let index = m.net_index();
    for s in 0..1000 {
        assert_eq!(index.gateways_on_subnet(s), &[2 * s, 2 * s + 1]);
        assert_eq!(index.gateways_first_on_subnet(s), &[2 * s, 2 * s + 1]);
        assert_eq!(index.first_subnet_of(2 * s + 1), Some(s));
        assert_eq!(index.subnet_uses(&m.subnets[s].res.key).len(), 1);
        assert_eq!(index.pool_members_of(2 * s), &[2 * s]);
        assert_eq!(
            index.diagnostic_settings_of(&m.gateways[2 * s + 1].res.key),
            &[2 * s + 1]
        );
    }
}

#[test]
fn rules_make_linearly_many_lookups_on_shared_subnets() {
    let (small_findings, small) = lint(&shared(250));
    let (findings, large) = lint(&shared(1000));
    let count = |fs: &[Finding], rule: &str| fs.iter().filter(|f| f.rule == rule).count();
    // AGW031: each subnet hosts a v1 and a v2 gateway and a NIC, reported for the first one.
    assert_eq!(count(&small_findings, "AGW031"), 2 * 250);
    assert_eq!(count(&findings, "AGW031"), 2 * 1000);
    // 4× the scan: about 4× the lookups (a quadratic rule makes it 16×).
    assert!(
        large <= 5 * small,
        "lookups grew from {small} to {large} for 4 times the gateways and subnets"
    );
    // And in absolute terms: a few dozen lookups per gateway, not one per pair.
    assert!(large < 100 * 3000, "{large} lookups for 2,000 gateways");
}

/// The private endpoints of a site come from the scan's index; the answer must be the one a
/// search of every endpoint gives: each endpoint once, in model order, only those that may
/// exist, and incomplete as soon as one that may exist has an Unknown connection or target.
#[test]
fn private_endpoints_of_a_site_equal_a_search_of_every_endpoint() {
    use crate::model::query_network::private_endpoints_of;
    let a = function(Dialect::Arm, "a");
    let b = function(Dialect::Arm, "b");
    let pe = |name: &str, targets: Vec<Ref>| PrivateEndpoint {
        res: res(Dialect::Arm, "Microsoft.Network/privateEndpoints", name),
        connections: k(targets
            .into_iter()
            .map(|target| PrivateLinkConnection {
                target,
                group_ids: k(vec![ks("sites")]),
                span: sp(),
            })
            .collect()),
        ..Default::default()
    };
    let brute = |m: &Model, site: &Site| {
        let mut out = Vec::new();
        let mut complete = true;
        for p in &m.private_endpoints {
            if !p.res.may_exist() {
                continue;
            }
            let Some(conns) = p.connections.items() else {
                complete = false;
                continue;
            };
            let mut hit = false;
            for c in conns {
                match c.target.get() {
                    Some(key) => hit |= key == &site.res.key,
                    None => complete = false,
                }
            }
            if hit {
                out.push(p.res.key.clone());
            }
        }
        (out, complete)
    };
    let build = |extra: Option<PrivateEndpoint>| {
        let mut m = Model::new();
        m.sites = vec![a.clone(), b.clone()];
        m.private_endpoints = vec![
            pe("pe1", vec![rref(&a.res), rref(&a.res)]),
            pe("pe2", vec![rref(&b.res)]),
            pe("pe3", vec![rref(&b.res), rref(&a.res)]),
        ];
        let mut gone = pe("pe4", vec![rref(&a.res)]);
        gone.res.condition = k(false);
        m.private_endpoints.push(gone);
        m.private_endpoints.extend(extra);
        m.reindex();
        m
    };
    let m = build(None);
    let ours = |m: &Model, s: &Site| {
        let (pes, complete) = private_endpoints_of(m, s);
        let keys: Vec<ResourceKey> = pes.iter().map(|p| p.res.key.clone()).collect();
        (keys, complete)
    };
    for s in [&a, &b] {
        assert_eq!(ours(&m, s), brute(&m, s));
        assert!(ours(&m, s).1);
    }
    assert_eq!(ours(&m, &a).0.len(), 2, "pe1 once and pe3");
    // An endpoint with an Unknown target, then one with Unknown connections.
    let m2 = build(Some(pe("pe5", vec![unk()])));
    let mut opaque = pe("pe6", vec![]);
    opaque.connections = unk();
    let m3 = build(Some(opaque));
    for m in [&m2, &m3] {
        for s in [&a, &b] {
            assert_eq!(ours(m, s), brute(m, s));
            assert!(!ours(m, s).1);
        }
    }
}

/// Private-link zone links and VNet peerings come from the scan's index; the answers must be
/// the ones a search of every zone and every VNet gives, Unknown names, links and remotes
/// included.
#[test]
fn zone_links_and_peerings_equal_a_search_of_every_zone_and_vnet() {
    use crate::model::query_network::{privatelink_zone_linked, vnets_connected};
    let vnet = |name: &str| VirtualNetwork {
        res: res(Dialect::Arm, "Microsoft.Network/virtualNetworks", name),
        ..Default::default()
    };
    let (v1, v2, v3, v4) = (vnet("v1"), vnet("v2"), vnet("v3"), vnet("v4"));
    let zone = |name: Val<String>, links: Option<Vec<Ref>>| {
        let mut z = PrivateDnsZone {
            res: res(Dialect::Arm, "Microsoft.Network/privateDnsZones", "z"),
            ..Default::default()
        };
        z.res.name = name;
        z.links = match links {
            Some(ls) => k(ls
                .into_iter()
                .map(|vnet| DnsZoneLink {
                    name: ks("l"),
                    vnet,
                    span: sp(),
                })
                .collect()),
            None => unk(),
        };
        z
    };
    let peer = |to: &VirtualNetwork, allow: Val<bool>| Peering {
        name: ks("p"),
        remote_vnet: rref(&to.res),
        allow_access: allow,
        span: sp(),
    };
    let brute_linked = |m: &Model, key: &ResourceKey| {
        let mut unknown = false;
        for z in &m.dns_zones {
            match z.res.name.get() {
                Some(n) if crate::model::query_network::is_privatelink_site_zone(n) => {}
                Some(_) => continue,
                None => {
                    unknown = true;
                    continue;
                }
            }
            let Some(links) = z.links.items() else {
                unknown = true;
                continue;
            };
            for l in links {
                match l.vnet.get() {
                    Some(v) if v == key => return Some(true),
                    Some(_) => {}
                    None => unknown = true,
                }
            }
        }
        if unknown { None } else { Some(false) }
    };
    let zone_sets: Vec<Vec<PrivateDnsZone>> = vec![
        vec![],
        vec![zone(
            ks("privatelink.azurewebsites.net"),
            Some(vec![rref(&v1.res)]),
        )],
        vec![
            zone(ks("contoso.com"), Some(vec![rref(&v2.res)])),
            zone(
                ks("privatelink.azurewebsites.net."),
                Some(vec![rref(&v1.res), unk()]),
            ),
        ],
        vec![zone(unk(), Some(vec![rref(&v3.res)]))],
        vec![zone(ks("PrivateLink.AzureWebsites.net"), None)],
    ];
    let mut checked = 0;
    for zones in zone_sets {
        // Zone links are read from the zones alone: no VNet needs to be in the model.
        let mut m = Model::new();
        m.dns_zones = zones;
        m.reindex();
        for v in [&v1, &v2, &v3, &v4] {
            assert_eq!(
                privatelink_zone_linked(&m, &v.res.key),
                brute_linked(&m, &v.res.key)
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 20);
    // Peerings: both directions, access off, an Unknown remote, a duplicate VNet with
    // Unknown peerings.
    let mut m = Model::new();
    let mut a = v1.clone();
    a.peerings = k(vec![peer(&v2, k(true)), peer(&v3, k(false))]);
    let mut b = v4.clone();
    b.peerings = k(vec![Peering {
        remote_vnet: unk(),
        ..peer(&v1, k(true))
    }]);
    m.vnets = vec![a, v2.clone(), v3.clone(), b];
    m.reindex();
    let key = |v: &VirtualNetwork| v.res.key.clone();
    assert_eq!(vnets_connected(&m, &key(&v1), &key(&v2), true), Some(true));
    assert_eq!(vnets_connected(&m, &key(&v2), &key(&v1), true), Some(true));
    assert_eq!(vnets_connected(&m, &key(&v1), &key(&v3), true), Some(false));
    assert_eq!(vnets_connected(&m, &key(&v1), &key(&v3), false), None);
    assert_eq!(vnets_connected(&m, &key(&v2), &key(&v3), true), Some(false));
    assert_eq!(vnets_connected(&m, &key(&v4), &key(&v2), true), None);
    let mut dup = v2.clone();
    dup.peerings = unk();
    m.vnets.push(dup);
    m.reindex();
    assert_eq!(vnets_connected(&m, &key(&v2), &key(&v3), true), None);
    assert_eq!(vnets_connected(&m, &key(&v1), &key(&v2), true), Some(true));
}

/// A gateway's pairs are resolved once and then read from its cache: the cached answer is the
/// resolved one, a clone starts without a cache, and the cache never makes gateways unequal.
#[test]
fn routed_pairs_are_resolved_once_and_the_cache_is_invisible() {
    let mut gw = gateway(Dialect::Arm);
    gw.listeners = k(vec![Listener {
        name: ks("l"),
        ..Default::default()
    }]);
    gw.pools = k(vec![pool("a", &[]), pool("b", &[])]);
    gw.settings = k(vec![settings("http", "Http", 80, false)]);
    let mut r1 = rule("r1", "b", "http");
    r1.listener = named("l");
    gw.rules = k(vec![
        r1,
        rule("r2", "a", "http"),
        rule("r3", "missing", "http"),
    ]);
    let fresh = gw.clone();
    assert!(gw.pairs_cache.0.get().is_none());
    let first: Vec<(Option<String>, String)> = gw
        .pairs()
        .items
        .iter()
        .map(|p| {
            (
                p.listener.and_then(|l| l.name.get().cloned()),
                p.pool.name.get().cloned().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        first,
        vec![
            (Some("l".to_string()), "b".to_string()),
            (None, "a".to_string())
        ]
    );
    assert!(gw.pairs().complete);
    let (at, _) = gw.pairs_cache.0.get().expect("filled by the first call");
    assert_eq!(at.len(), 2);
    // The second call reads the cache and gives the same references.
    let (p1, p2) = (gw.pairs(), gw.pairs());
    assert!(
        p1.items
            .iter()
            .zip(&p2.items)
            .all(|(x, y)| std::ptr::eq(x.pool, y.pool) && std::ptr::eq(x.settings, y.settings))
    );
    assert!(gw.clone().pairs_cache.0.get().is_none());
    assert_eq!(gw, fresh);
}
