//! AGW027 nsg-gatewaymanager-inbound-missing: the NSG on the gateway subnet must admit
//! GatewayManager on TCP 65200-65535 (v2) / 65503-65534 (v1) with destination Any, before any
//! Deny; otherwise the PUT fails with
//! `ApplicationGatewaySubnetInboundTrafficBlockedByNetworkSecurityGroup` and backend health is
//! Unknown.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;
use crate::model::query::SkuFamily;
use crate::model::query_network::{
    Decider, Direction, Endpoint, Flow, Verdict, decider_name, evaluate, maybe_isolated,
    missing_rule_span, subnet_nets,
};

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
            cx.emit(f);
        }
    }
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
}
