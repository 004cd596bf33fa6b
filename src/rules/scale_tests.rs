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
