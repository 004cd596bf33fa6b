//! AGW029 nsg-outbound-internet-denied: the gateway subnet's NSG denies outbound traffic to the
//! internet (the gateway's management and its public App Service backends need it).

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;
use crate::model::query_network::{
    Decider, Direction, Endpoint, Flow, Verdict, decider_label, decider_name, evaluate,
    maybe_isolated, missing_rule_span, private_endpoints_of, subnet_nets,
};

/// See the module docs.
pub struct NsgOutboundInternetDenied;

static META: RuleMeta = RuleMeta {
    id: "AGW029",
    name: "nsg-outbound-internet-denied",
    severity: Severity::Error,
    summary: "The gateway subnet's NSG denies outbound internet traffic",
    page: include_str!("../../rules/AGW029.md"),
};

impl Rule for NsgOutboundInternetDenied {
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
            let nets = subnet_nets(subnet);
            // The platform's own traffic (management, logs, certificate checks) goes out on 443;
            // then each public App Service backend on its settings port.
            let mut flows: Vec<(Endpoint, u32, String, Severity)> = vec![(
                Endpoint::Internet,
                443,
                "the internet".into(),
                Severity::Error,
            )];
            for pair in gw.pairs().items {
                let Some((addr, site)) = model.app_service_address(pair.pool) else {
                    continue;
                };
                if let Some(site) = site {
                    let (pes, complete) = private_endpoints_of(model, site);
                    if !pes.is_empty() || !complete {
                        continue;
                    }
                }
                let https = pair.settings.protocol.eq_ci("https");
                let Some(port) = pair.settings.port.get().copied().or(match https {
                    Some(true) => Some(443),
                    Some(false) => Some(80),
                    None => None,
                }) else {
                    continue;
                };
                let Ok(port) = u32::try_from(port) else {
                    continue;
                };
                let name = addr
                    .fqdn
                    .get()
                    .cloned()
                    .unwrap_or_else(|| "App Service backend".into());
                if !flows.iter().any(|(_, p, n, _)| *p == port && *n == name) {
                    flows.push((Endpoint::AppService, port, name, Severity::Error));
                }
            }
            // "Outbound NSG rules that deny any outbound connectivity must not be created";
            // certificate revocation (CRL, OCSP) is usually plain HTTP. Whether the platform
            // refuses such an NSG is unverified: warning.
            flows.push((
                Endpoint::Internet,
                80,
                "the internet (CRL and OCSP certificate checks)".into(),
                Severity::Warning,
            ));
            for (dest, port, what, severity) in flows {
                let flow = Flow {
                    direction: Direction::Outbound,
                    source: Endpoint::Subnet(nets.clone()),
                    destination: dest,
                    ports: (port, port),
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
                let isolated = maybe_isolated(gw, cx.assume.network_isolation);
                let (primary, property) = match by {
                    Decider::Rule(r) => (
                        r.access.span_or(r.span),
                        format!("securityRules[{}].access", decider_name(&by)),
                    ),
                    Decider::Default(_) => (
                        missing_rule_span(nsg),
                        nsg.res
                            .dialect
                            .prop("securityRules", "security_rule")
                            .to_string(),
                    ),
                };
                let mut label = format!("{} denies outbound TCP {port} first", decider_label(&by));
                if let Some(why) = isolated {
                    label = format!("{label}; reported as info because {why}");
                }
                let mut f = cx
                    .finding(
                        format!(
                            "NSG \"{}\" on subnet \"{}\" of gateway \"{}\" denies outbound TCP {port} to {what}",
                            nsg.res.display_name(),
                            subnet.res.display_name(),
                            gw.res.display_name()
                        ),
                        primary,
                    )
                    .label(label)
                    .related(
                        subnet.nsg_span.or(subnet.nsg.span).unwrap_or(subnet.res.span),
                        "NSG attached to the gateway subnet here",
                    )
                    .related(cfg.subnet.span_or(cfg.span), "gateway deployed into this subnet")
                    .help(
                        "remove the outbound Deny or precede it with an outbound Allow to \
                         destination Internet on all ports; Application Gateway needs outbound \
                         internet connectivity",
                    )
                    .resource(&nsg.res)
                    .property(property);
                if let Decider::Rule(r) = by {
                    f = f.origins(&r.access);
                }
                f = f.severity(if isolated.is_some() {
                    Severity::Info
                } else {
                    severity
                });
                cx.emit(f);
                // One finding per gateway: the first denied destination says it all.
                break;
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
    fn outbound_internet_deny_fires_and_private_deny_does_not() {
        let deny = nsg_rule(
            "no-internet",
            "Outbound",
            "Deny",
            4000,
            "*",
            "*",
            "Internet",
            &["*"],
        );
        let m = with_nsg(base(), vec![deny]);
        let f = run(&NsgOutboundInternetDenied, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        let deny = nsg_rule(
            "no-onprem",
            "Outbound",
            "Deny",
            4000,
            "*",
            "*",
            "192.168.0.0/16",
            &["*"],
        );
        let m = with_nsg(base(), vec![deny]);
        assert!(run(&NsgOutboundInternetDenied, &m, Assumptions::default()).is_empty());
    }

    #[test]
    fn app_service_port_denied_is_reported() {
        let deny = nsg_rule(
            "no-apps",
            "Outbound",
            "Deny",
            200,
            "*",
            "*",
            "AppService",
            &["*"],
        );
        let m = with_nsg(base(), vec![deny]);
        let f = run(&NsgOutboundInternetDenied, &m, Assumptions::default());
        // 443 to the internet as a whole is only partly denied (the AppService tag): uncertain;
        // the flow to the App Service backend is certainly denied.
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("fn.azurewebsites.net"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn deny_of_http_only_is_a_warning() {
        let deny = nsg_rule(
            "no-http-out",
            "Outbound",
            "Deny",
            4000,
            "*",
            "*",
            "Internet",
            &["80"],
        );
        let m = with_nsg(base(), vec![deny]);
        let f = run(&NsgOutboundInternetDenied, &m, Assumptions::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("TCP 80"), "{}", f[0].message);
        assert!(f[0].message.contains("CRL"), "{}", f[0].message);
    }
}
