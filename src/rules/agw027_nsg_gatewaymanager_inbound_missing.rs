//! AGW027 nsg-gatewaymanager-inbound-missing: the NSG on the gateway subnet must admit
//! GatewayManager on TCP 65200-65535 (v2) / 65503-65534 (v1) with destination Any, before any
//! Deny; otherwise the PUT fails with
//! `ApplicationGatewaySubnetInboundTrafficBlockedByNetworkSecurityGroup` and backend health is
//! Unknown.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::{Fix, NewSecurityRule, Severity};
use crate::model::query::SkuFamily;
use crate::model::query_network::{
    Decider, Direction, Endpoint, Flow, Verdict, decider_name, evaluate, maybe_isolated,
    missing_rule_span, subnet_nets,
};
use crate::model::{Dialect, Model, NetworkSecurityGroup};

/// See the module docs.
pub struct NsgGatewayManagerInboundMissing;

static META: RuleMeta = RuleMeta {
    id: "AGW027",
    name: "nsg-gatewaymanager-inbound-missing",
    severity: Severity::Error,
    summary: "The gateway subnet's NSG does not allow GatewayManager inbound on the infrastructure ports",
    page: include_str!("../../rules/AGW027.md"),
};

impl Rule for NsgGatewayManagerInboundMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            if !gw.res.may_exist() {
                continue;
            }
            let Some((cfg, subnet, nsg)) = super::skip::resolved_nsg(cx, model, gw) else {
                continue;
            };
            let ports = match gw.sku_family() {
                Some(SkuFamily::V1) => (65503, 65534),
                Some(_) => (65200, 65535),
                None => {
                    cx.skip(&gw.res, "sku", &gw.sku.name);
                    continue;
                }
            };
            let flow = Flow {
                direction: Direction::Inbound,
                source: Endpoint::GatewayManager,
                destination: Endpoint::Subnet(subnet_nets(subnet)),
                ports,
                allow_needs_any_destination: true,
            };
            let (by, denied) = match evaluate(nsg, &flow) {
                Verdict::Denied { by, ports } => (by, ports),
                Verdict::Allowed => continue,
                Verdict::Uncertain { unknown } => {
                    if unknown {
                        cx.skip_at(&nsg.res, "securityRules", nsg.rules.span);
                    }
                    continue;
                }
            };
            let d = nsg.res.dialect;
            let (primary, label, property) = match by {
                Decider::Rule(r) => (
                    r.access.span_or(r.span),
                    format!(
                        "rule \"{}\" denies TCP {}-{} first",
                        decider_name(&by),
                        denied.0,
                        denied.1
                    ),
                    format!("securityRules[{}].access", decider_name(&by)),
                ),
                Decider::Default(_) => (
                    missing_rule_span(nsg),
                    format!(
                        "no inbound allow from GatewayManager with destination Any; default rule {} denies TCP {}-{}",
                        decider_name(&by),
                        denied.0,
                        denied.1
                    ),
                    d.prop("securityRules", "security_rule").to_string(),
                ),
            };
            let isolated = maybe_isolated(gw, cx.assume.network_isolation);
            let label = match isolated {
                Some(why) => format!("{label}; reported as info because {why}"),
                None => label,
            };
            let mut f = cx
                .finding(
                    format!(
                        "NSG \"{}\" on subnet \"{}\" of gateway \"{}\" does not allow GatewayManager inbound on TCP {}-{}",
                        nsg.res.display_name(),
                        subnet.res.display_name(),
                        gw.res.display_name(),
                        ports.0,
                        ports.1
                    ),
                    primary,
                )
                .label(label)
                .related(
                    subnet.nsg_span.or(subnet.nsg.span).unwrap_or(subnet.res.span),
                    "NSG attached to the gateway subnet here",
                )
                .related(cfg.subnet.span_or(cfg.span), "gateway deployed into this subnet")
                .help(format!(
                    "add an inbound rule: Allow, TCP, source GatewayManager, source ports *, \
                     destination Any, destination ports {}-{}, with a priority below every Deny \
                     that covers those ports",
                    ports.0, ports.1
                ))
                .resource(&nsg.res)
                .property(property);
            if let Decider::Rule(r) = by {
                f = f.origins(&r.access);
            }
            if isolated.is_some() {
                f = f.severity(Severity::Info);
            }
            if let Some(fix) = fix(nsg, ports) {
                f = f.fix(fix);
            }
            cx.emit(f);
        }
    }
}

/// The lowest priority a new rule may take.
const FIRST_PRIORITY: i64 = 100;
/// The highest priority a rule may take.
const LAST_PRIORITY: i64 = 4096;

/// The mechanical fix: an inbound Allow from GatewayManager on `ports`, added to the NSG's
/// inline rules, at the lowest free priority below every inbound Deny of the group, under a
/// name no rule of the group uses. `None` when that cannot be decided from the model: a rule
/// whose name, priority, direction or access is not Known, rules written as separate resources
/// (ARM child `securityRules`, `azurerm_network_security_rule`), an inline list that is not
/// written in the resource (a variable, or absent in ARM), or no free priority below the
/// Denies.
fn fix(nsg: &NetworkSecurityGroup, ports: (u32, u32)) -> Option<Fix> {
    let rules = nsg.rules.get()?;
    let (into, after) = match nsg.res.dialect {
        Dialect::Arm => {
            let list = nsg.rules.span?;
            // A literal element lies strictly inside the array; an element evaluated from an
            // expression (`[variables('rules')]`) carries the expression's span.
            if !nsg.res.span.contains(&list)
                || rules
                    .iter()
                    .any(|r| !list.contains(&r.span) || r.span == list)
            {
                return None;
            }
            (list, rules.iter().map(|r| r.span).max_by_key(|s| s.end))
        }
        Dialect::Terraform => {
            let block = nsg.block?;
            if rules.iter().any(|r| !block.contains(&r.span)) {
                return None;
            }
            (block, None)
        }
    };
    let mut names = Vec::with_capacity(rules.len());
    let mut used = Vec::with_capacity(rules.len());
    let mut limit = LAST_PRIORITY + 1;
    for r in rules {
        names.push(r.name.get()?.to_ascii_lowercase());
        let priority = *r.priority.get()?;
        let (direction, access) = (r.direction.get()?, r.access.get()?);
        used.push(priority);
        if direction.eq_ignore_ascii_case("Inbound") && access.eq_ignore_ascii_case("Deny") {
            limit = limit.min(priority);
        }
    }
    let priority = (FIRST_PRIORITY..limit).find(|p| !used.contains(p))?;
    let name = ["AllowGatewayManager", "AllowGatewayManagerInbound"]
        .into_iter()
        .map(str::to_string)
        .chain((2..100).map(|i| format!("AllowGatewayManager{i}")))
        .find(|n| !names.contains(&n.to_ascii_lowercase()))?;
    Some(Fix::AddSecurityRule(Box::new(NewSecurityRule {
        dialect: nsg.res.dialect,
        into,
        after,
        name,
        direction: "Inbound".into(),
        access: "Allow".into(),
        priority,
        protocol: "Tcp".into(),
        source_prefix: "GatewayManager".into(),
        source_ports: "*".into(),
        destination_prefix: "*".into(),
        destination_ports: format!("{}-{}", ports.0, ports.1),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    fn http() -> crate::model::SecurityRule {
        nsg_rule(
            "http",
            "Inbound",
            "Allow",
            110,
            "Tcp",
            "Internet",
            "*",
            &["80"],
        )
    }

    #[test]
    fn nsg_without_gateway_manager_rule_fires() {
        let m = with_nsg(base(), vec![http()]);
        let f = run(&NsgGatewayManagerInboundMissing, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].primary, m.nsgs[0].rules.span.unwrap());
        assert!(f[0].message.contains("\"agw-nsg\""), "{}", f[0].message);
    }

    #[test]
    fn gateway_manager_rule_passes_and_no_nsg_is_silent() {
        let gm = nsg_rule(
            "gm",
            "Inbound",
            "Allow",
            100,
            "Tcp",
            "GatewayManager",
            "*",
            &["65200-65535"],
        );
        let m = with_nsg(base(), vec![gm, http()]);
        assert!(run(&NsgGatewayManagerInboundMissing, &m, Assumptions::default()).is_empty());
        assert!(
            run(
                &NsgGatewayManagerInboundMissing,
                &base(),
                Assumptions::default()
            )
            .is_empty()
        );
    }

    #[test]
    fn deny_before_allow_points_at_the_deny() {
        let deny = nsg_rule("deny", "Inbound", "Deny", 150, "*", "*", "*", &["*"]);
        let gm = nsg_rule(
            "gm",
            "Inbound",
            "Allow",
            200,
            "Tcp",
            "GatewayManager",
            "*",
            &["65200-65535"],
        );
        let span = deny.access.span.unwrap();
        let m = with_nsg(base(), vec![gm, deny]);
        let f = run(&NsgGatewayManagerInboundMissing, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].primary, span);
        assert_eq!(f[0].property.as_deref(), Some("securityRules[deny].access"));
    }

    #[test]
    fn isolated_gateway_is_info_and_unknown_source_is_silent() {
        let m = private_only(with_nsg(base(), vec![http()]));
        let f = run(&NsgGatewayManagerInboundMissing, &m, Assumptions::default());
        assert_eq!(f[0].severity, Severity::Info);
        let assume = Assumptions {
            network_isolation: true,
            ..Default::default()
        };
        let m = with_nsg(base(), vec![http()]);
        assert_eq!(
            run(&NsgGatewayManagerInboundMissing, &m, assume)[0].severity,
            Severity::Info
        );
        let mut gm = nsg_rule(
            "gm",
            "Inbound",
            "Allow",
            100,
            "Tcp",
            "x",
            "*",
            &["65200-65535"],
        );
        gm.source_prefixes = k(vec![crate::model::Val::unknown(Some(sp()))]);
        let m = with_nsg(base(), vec![gm]);
        assert!(run(&NsgGatewayManagerInboundMissing, &m, Assumptions::default()).is_empty());
    }

    /// An ARM NSG whose rules are all written in its inline list.
    fn inline(mut rules: Vec<crate::model::SecurityRule>) -> NetworkSecurityGroup {
        use crate::source::{FileId, Span};
        for (i, r) in rules.iter_mut().enumerate() {
            r.span = Span::new(FileId(0), 10 + i * 10..15 + i * 10);
        }
        NetworkSecurityGroup {
            res: crate::model::Resource {
                span: Span::new(FileId(0), 0..1000),
                ..Default::default()
            },
            rules: crate::model::Val::known(rules, Span::new(FileId(0), 5..900)),
            block: None,
            parsed: Default::default(),
        }
    }

    fn priority_of(fix: Option<Fix>) -> Option<(i64, String)> {
        fix.map(|Fix::AddSecurityRule(r)| (r.priority, r.name))
    }

    #[test]
    fn the_fix_takes_the_lowest_free_priority_below_every_inbound_deny() {
        let deny = |p| nsg_rule("deny", "Inbound", "Deny", p, "*", "*", "*", &["*"]);
        let allow = |n: &str, p| nsg_rule(n, "Inbound", "Allow", p, "Tcp", "*", "*", &["80"]);
        let out_deny = nsg_rule("out", "Outbound", "Deny", 100, "*", "*", "*", &["*"]);
        let nsg = inline(vec![allow("a", 100), allow("b", 101), deny(103), out_deny]);
        assert_eq!(
            priority_of(fix(&nsg, (65200, 65535))),
            Some((102, "AllowGatewayManager".into()))
        );
        // No free priority below the Deny.
        let nsg = inline(vec![allow("a", 100), deny(101)]);
        assert_eq!(priority_of(fix(&nsg, (65200, 65535))), None);
        // The name is taken (any case).
        let nsg = inline(vec![allow("allowgatewaymanager", 100)]);
        assert_eq!(
            priority_of(fix(&nsg, (65503, 65534))),
            Some((101, "AllowGatewayManagerInbound".into()))
        );
        let Some(Fix::AddSecurityRule(r)) = fix(&nsg, (65503, 65534)) else {
            panic!()
        };
        assert_eq!(r.destination_ports, "65503-65534");
        assert_eq!(r.after, Some(nsg.rules.get().unwrap()[0].span));
    }

    #[test]
    fn no_fix_when_a_rule_is_unknown_or_not_inline() {
        let mut r = nsg_rule("a", "Inbound", "Deny", 300, "*", "*", "*", &["*"]);
        r.priority = crate::model::Val::unknown(None);
        assert!(fix(&inline(vec![r]), (65200, 65535)).is_none());
        let mut r = nsg_rule("a", "Inbound", "Deny", 300, "*", "*", "*", &["*"]);
        r.name = crate::model::Val::unknown(None);
        assert!(fix(&inline(vec![r]), (65200, 65535)).is_none());
        let mut r = nsg_rule("a", "Inbound", "Deny", 300, "*", "*", "*", &["*"]);
        r.access = crate::model::Val::unknown(None);
        assert!(fix(&inline(vec![r]), (65200, 65535)).is_none());
        // A rule outside the inline list (a child resource).
        let mut nsg = inline(vec![nsg_rule(
            "a",
            "Inbound",
            "Deny",
            300,
            "*",
            "*",
            "*",
            &["*"],
        )]);
        if let crate::model::Lattice::Known(v) = &mut nsg.rules.state {
            v[0].span = crate::source::Span::new(crate::source::FileId(0), 950..960);
        }
        assert!(fix(&nsg, (65200, 65535)).is_none());
    }
}
