//! AGW028 nsg-deny-overrides-required-inbound: an inbound Deny on the gateway subnet's NSG that
//! overrides the default `AllowAzureLoadBalancerInBound` (error), or that blocks a listener's
//! frontend port before any Allow (warning).

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::{SubLookup, find_named};
use crate::model::query_network::{
    ALL_PORTS, Decider, Direction, Endpoint, Flow, Verdict, decider_label, decider_name, evaluate,
    maybe_isolated, missing_rule_span, parse_ports, subnet_nets,
};
use crate::model::{Model, SecurityRule};

/// See the module docs.
pub struct NsgDenyOverridesRequiredInbound;

static META: RuleMeta = RuleMeta {
    id: "AGW028",
    name: "nsg-deny-overrides-required-inbound",
    severity: Severity::Error,
    summary: "An inbound Deny on the gateway subnet's NSG blocks the Azure load balancer or a listener port",
    page: include_str!("../../rules/AGW028.md"),
};

/// True when the rule's destination ports are Known and cover every port.
fn covers_all_ports(r: &SecurityRule) -> bool {
    r.destination_ports.items().is_some_and(|items| {
        items.iter().any(|v| {
            v.get()
                .and_then(|s| parse_ports(s))
                .is_some_and(|rs| rs.contains(&ALL_PORTS))
        })
    })
}

impl Rule for NsgDenyOverridesRequiredInbound {
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
            let isolated = maybe_isolated(gw, cx.assume.network_isolation);
            let nets = subnet_nets(subnet);
            let gname = gw.res.display_name();
            let nname = nsg.res.display_name();
            let sname = subnet.res.display_name();
            let attach = subnet
                .nsg_span
                .or(subnet.nsg.span)
                .unwrap_or(subnet.res.span);
            let gw_subnet = cfg.subnet.span_or(cfg.span);

            // (a) the Azure load balancer must reach the subnet.
            let lb = Flow {
                direction: Direction::Inbound,
                source: Endpoint::AzureLoadBalancer,
                destination: Endpoint::Subnet(nets.clone()),
                ports: ALL_PORTS,
                allow_needs_any_destination: false,
            };
            match evaluate(nsg, &lb) {
                Verdict::Denied {
                    by: Decider::Rule(r),
                    ..
                } if covers_all_ports(r) => {
                    let rname = decider_name(&Decider::Rule(r));
                    let mut label = format!(
                        "rule \"{rname}\" denies the AzureLoadBalancer tag before the default AllowAzureLoadBalancerInBound (65001)"
                    );
                    if let Some(why) = isolated {
                        label = format!("{label}; reported as info because {why}");
                    }
                    let mut f = cx
                        .finding(
                            format!(
                                "NSG \"{nname}\" on subnet \"{sname}\" of gateway \"{gname}\" denies inbound traffic from the Azure load balancer"
                            ),
                            r.access.span_or(r.span),
                        )
                        .label(label)
                        .related(attach, "NSG attached to the gateway subnet here")
                        .related(gw_subnet, "gateway deployed into this subnet")
                        .help(
                            "add an inbound Allow from source AzureLoadBalancer to destination Any, \
                             any port, with a priority below this Deny",
                        )
                        .origins(&r.access)
                        .resource(&nsg.res)
                        .property(format!("securityRules[{rname}].access"));
                    if isolated.is_some() {
                        f = f.severity(Severity::Info);
                    }
                    cx.emit(f);
                }
                Verdict::Uncertain { unknown: true } => {
                    cx.skip_at(&nsg.res, "securityRules", nsg.rules.span)
                }
                _ => {}
            }

            // (b) every listener's frontend port must be reachable by its clients.
            let Some(listeners) = gw.listeners.items() else {
                cx.skip(&gw.res, "httpListeners", &gw.listeners);
                continue;
            };
            let mut seen: Vec<i64> = Vec::new();
            for l in listeners {
                let Some(port) =
                    find_named(&gw.frontend_ports, &l.frontend_port, |p| &p.name).found()
                else {
                    continue;
                };
                let Some(&p) = port.port.get() else {
                    cx.skip(
                        &gw.res,
                        super::path("frontendPorts", &port.name, "port"),
                        &port.port,
                    );
                    continue;
                };
                let Ok(pu) = u32::try_from(p) else {
                    continue;
                };
                if seen.contains(&p) || pu > 65535 {
                    continue;
                }
                // Clients of a public frontend come from the internet, of a private one from
                // the VNet (or networks routed into it).
                let source = match find_named(&gw.frontend_ips, &l.frontend_ip, |f| &f.name) {
                    SubLookup::Found(fe) if fe.public_ip.is_absent() => Endpoint::VirtualNetwork,
                    SubLookup::Found(_) => Endpoint::Internet,
                    _ => {
                        cx.skip(
                            &gw.res,
                            super::path("httpListeners", &l.name, "frontendIPConfiguration"),
                            &l.frontend_ip.name,
                        );
                        continue;
                    }
                };
                let flow = Flow {
                    direction: Direction::Inbound,
                    source,
                    destination: Endpoint::Subnet(nets.clone()),
                    ports: (pu, pu),
                    allow_needs_any_destination: false,
                };
                let by = match evaluate(nsg, &flow) {
                    Verdict::Denied { by, .. } => by,
                    Verdict::Uncertain { unknown: true } => {
                        cx.skip_at(&nsg.res, "securityRules", nsg.rules.span);
                        continue;
                    }
                    _ => continue,
                };
                seen.push(p);
                let lname = l.name.display_name();
                let (primary, property, origin_rule) = match by {
                    Decider::Rule(r) => (
                        r.access.span_or(r.span),
                        format!("securityRules[{}].access", decider_name(&by)),
                        Some(r),
                    ),
                    Decider::Default(_) => (
                        missing_rule_span(nsg),
                        nsg.res
                            .dialect
                            .prop("securityRules", "security_rule")
                            .to_string(),
                        None,
                    ),
                };
                let sev = if isolated.is_some() {
                    Severity::Info
                } else {
                    Severity::Warning
                };
                let mut label = format!("{} denies TCP {p} first", decider_label(&by));
                if let Some(why) = isolated {
                    label = format!("{label}; reported as info because {why}");
                }
                let mut f = cx
                    .finding(
                        format!(
                            "NSG \"{nname}\" on subnet \"{sname}\" of gateway \"{gname}\" blocks port {p} of listener \"{lname}\""
                        ),
                        primary,
                    )
                    .severity(sev)
                    .label(label)
                    .related(port.port.span_or(port.span), "listener frontend port")
                    .related(attach, "NSG attached to the gateway subnet here")
                    .help(format!(
                        "add an inbound Allow for TCP {p} from the clients (Internet or the \
                         client ranges) to the gateway subnet or its frontend IPs, with a priority \
                         below the Deny"
                    ))
                    .resource(&nsg.res)
                    .property(property);
                if let Some(r) = origin_rule {
                    f = f.origins(&r.access);
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

    fn gm() -> SecurityRule {
        nsg_rule(
            "gm",
            "Inbound",
            "Allow",
            100,
            "Tcp",
            "GatewayManager",
            "*",
            &["65200-65535"],
        )
    }

    fn http() -> SecurityRule {
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
    fn deny_all_without_load_balancer_allow_is_error() {
        let deny = nsg_rule("deny-all", "Inbound", "Deny", 4000, "*", "*", "*", &["*"]);
        let m = with_nsg(base(), vec![gm(), http(), deny]);
        let f = run(&NsgDenyOverridesRequiredInbound, &m, Assumptions::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Error);
        assert!(f[0].message.contains("load balancer"));
    }

    #[test]
    fn load_balancer_allow_first_passes() {
        let alb = nsg_rule(
            "alb",
            "Inbound",
            "Allow",
            120,
            "*",
            "AzureLoadBalancer",
            "*",
            &["*"],
        );
        let deny = nsg_rule("deny-all", "Inbound", "Deny", 4000, "*", "*", "*", &["*"]);
        let m = with_nsg(base(), vec![gm(), http(), alb, deny]);
        assert!(run(&NsgDenyOverridesRequiredInbound, &m, Assumptions::default()).is_empty());
    }

    #[test]
    fn listener_port_denied_first_is_warning() {
        let deny = nsg_rule(
            "deny-web",
            "Inbound",
            "Deny",
            105,
            "Tcp",
            "*",
            "*",
            &["80", "443"],
        );
        let m = with_nsg(base(), vec![gm(), deny, http()]);
        let f = run(&NsgDenyOverridesRequiredInbound, &m, Assumptions::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("port 80"));
    }
}
