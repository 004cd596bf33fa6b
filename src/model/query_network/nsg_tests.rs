//! Tests of the NSG evaluation.

use super::*;
use crate::model::{NetworkSecurityGroup, Resource, ResourceKey, SecurityRule, UnitId, Val};
use crate::source::{FileId, Span};

fn sp() -> Span {
    Span::new(FileId(0), 0..1)
}

fn s(v: &str) -> Val<String> {
    Val::known(v.to_string(), sp())
}

fn list(v: &[&str]) -> crate::model::Coll<Val<String>> {
    Val::known(v.iter().map(|x| s(x)).collect(), sp())
}

#[allow(clippy::too_many_arguments)]
fn rule(
    name: &str,
    dir: &str,
    access: &str,
    prio: i64,
    proto: &str,
    src: &[&str],
    dst: &[&str],
    ports: &[&str],
) -> SecurityRule {
    SecurityRule {
        name: s(name),
        direction: s(dir),
        access: s(access),
        priority: Val::known(prio, sp()),
        protocol: s(proto),
        source_prefixes: list(src),
        destination_prefixes: list(dst),
        destination_ports: list(ports),
        source_ports: list(&["*"]),
        span: sp(),
    }
}

fn nsg(rules: Vec<SecurityRule>) -> NetworkSecurityGroup {
    NetworkSecurityGroup {
        res: Resource {
            key: ResourceKey::arm(UnitId(0), "Microsoft.Network/networkSecurityGroups", "n"),
            ..Default::default()
        },
        rules: Val::known(rules, sp()),
        block: None,
        parsed: Default::default(),
    }
}

fn gm_flow() -> Flow {
    Flow {
        direction: Direction::Inbound,
        source: Endpoint::GatewayManager,
        destination: Endpoint::Subnet(vec![]),
        ports: (65200, 65535),
        allow_needs_any_destination: true,
    }
}

#[test]
fn only_defaults_deny_gateway_manager() {
    let n = nsg(vec![]);
    match evaluate(&n, &gm_flow()) {
        Verdict::Denied { by, .. } => assert_eq!(decider_name(&by), "DenyAllInBound"),
        v => panic!("{v:?}"),
    }
}

#[test]
fn gateway_manager_allow_passes_and_port_lists_merge() {
    let n = nsg(vec![rule(
        "gm",
        "Inbound",
        "Allow",
        100,
        "Tcp",
        &["GatewayManager"],
        &["*"],
        &["65200-65400", "65401-65535"],
    )]);
    assert_eq!(evaluate(&n, &gm_flow()), Verdict::Allowed);
    // Only half the range: the rest falls to DenyAllInBound.
    let half = nsg(vec![rule(
        "gm",
        "Inbound",
        "Allow",
        100,
        "Tcp",
        &["GatewayManager"],
        &["*"],
        &["65200-65400"],
    )]);
    match evaluate(&half, &gm_flow()) {
        Verdict::Denied { ports, .. } => assert_eq!(ports, (65401, 65535)),
        v => panic!("{v:?}"),
    }
}

#[test]
fn deny_before_allow_wins_and_order_is_by_priority() {
    let deny = rule("deny", "Inbound", "Deny", 200, "*", &["*"], &["*"], &["*"]);
    let allow = rule(
        "gm",
        "Inbound",
        "Allow",
        300,
        "Tcp",
        &["GatewayManager"],
        &["*"],
        &["65200-65535"],
    );
    let n = nsg(vec![allow.clone(), deny.clone()]);
    match evaluate(&n, &gm_flow()) {
        Verdict::Denied { by, .. } => assert_eq!(decider_name(&by), "deny"),
        v => panic!("{v:?}"),
    }
    let mut early = allow;
    early.priority = Val::known(100, sp());
    assert_eq!(
        evaluate(&nsg(vec![deny, early]), &gm_flow()),
        Verdict::Allowed
    );
}

#[test]
fn allow_to_virtual_network_does_not_count_for_gateway_manager() {
    let n = nsg(vec![rule(
        "gm",
        "Inbound",
        "Allow",
        100,
        "Tcp",
        &["GatewayManager"],
        &["VirtualNetwork"],
        &["*"],
    )]);
    assert!(matches!(evaluate(&n, &gm_flow()), Verdict::Denied { .. }));
}

#[test]
fn unknown_fields_make_it_uncertain() {
    let mut r = rule(
        "gm",
        "Inbound",
        "Allow",
        100,
        "Tcp",
        &["GatewayManager"],
        &["*"],
        &["*"],
    );
    r.source_prefixes = Val::known(vec![Val::unknown(Some(sp()))], sp());
    assert_eq!(
        evaluate(&nsg(vec![r.clone()]), &gm_flow()),
        Verdict::Uncertain { unknown: true }
    );
    let mut p = rule(
        "gm",
        "Inbound",
        "Allow",
        100,
        "Tcp",
        &["GatewayManager"],
        &["*"],
        &["*"],
    );
    p.destination_ports = Val::known(vec![Val::unknown(Some(sp()))], sp());
    assert_eq!(
        evaluate(&nsg(vec![p]), &gm_flow()),
        Verdict::Uncertain { unknown: true }
    );
    let unknown_rules = NetworkSecurityGroup {
        rules: Val::unknown(None),
        ..Default::default()
    };
    assert_eq!(
        evaluate(&unknown_rules, &gm_flow()),
        Verdict::Uncertain { unknown: true }
    );
    // An Unknown rule for UDP only never matters.
    r.protocol = s("Udp");
    assert!(matches!(
        evaluate(&nsg(vec![r]), &gm_flow()),
        Verdict::Denied { .. }
    ));
}

#[test]
fn public_cidr_allow_is_uncertain_not_denied() {
    let n = nsg(vec![rule(
        "gm",
        "Inbound",
        "Allow",
        100,
        "Tcp",
        &["20.0.0.0/8"],
        &["*"],
        &["*"],
    )]);
    assert_eq!(
        evaluate(&n, &gm_flow()),
        Verdict::Uncertain { unknown: false }
    );
}

#[test]
fn outbound_internet_defaults_allow_and_deny_rule_blocks() {
    let flow = Flow {
        direction: Direction::Outbound,
        source: Endpoint::Subnet(vec![]),
        destination: Endpoint::Internet,
        ports: (443, 443),
        allow_needs_any_destination: false,
    };
    assert_eq!(evaluate(&nsg(vec![]), &flow), Verdict::Allowed);
    let n = nsg(vec![rule(
        "no-internet",
        "Outbound",
        "Deny",
        4000,
        "*",
        &["*"],
        &["Internet"],
        &["*"],
    )]);
    assert!(matches!(evaluate(&n, &flow), Verdict::Denied { .. }));
}

#[test]
fn load_balancer_default_allow_and_override() {
    let flow = Flow {
        direction: Direction::Inbound,
        source: Endpoint::AzureLoadBalancer,
        destination: Endpoint::Subnet(vec![]),
        ports: ALL_PORTS,
        allow_needs_any_destination: false,
    };
    assert_eq!(evaluate(&nsg(vec![]), &flow), Verdict::Allowed);
    let n = nsg(vec![rule(
        "deny-all",
        "Inbound",
        "Deny",
        4096,
        "*",
        &["*"],
        &["*"],
        &["*"],
    )]);
    assert!(matches!(evaluate(&n, &flow), Verdict::Denied { .. }));
}
