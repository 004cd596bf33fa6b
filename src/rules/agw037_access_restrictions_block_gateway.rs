//! AGW037 access-restrictions-block-gateway: the gateway reaches the site's public endpoint,
//! and the site's access restrictions deny the gateway's traffic (explicit or implicit
//! default-deny, and no Allow that matches the gateway): 403, backend Unhealthy, 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_network::{
    Ipv4Net, gateway_sites, gateway_subnet, public_access_enabled, site_private_endpoints,
    subnet_nets,
};
use crate::model::{AccessRestriction, Dialect, Gateway, Lookup, Model, Site, Subnet};
use crate::source::Span;

/// See the module docs.
pub struct AccessRestrictionsBlockGateway;

static META: RuleMeta = RuleMeta {
    id: "AGW037",
    name: "access-restrictions-block-gateway",
    severity: Severity::Error,
    summary: "The site's access restrictions deny the gateway's traffic",
    page: include_str!("../../rules/AGW037.md"),
};

/// Does a restriction match the gateway's traffic? `Some(true/false)`, `None` = cannot tell.
fn matches_gateway(r: &AccessRestriction, subnet: &Subnet, nets: &[Ipv4Net]) -> Option<bool> {
    if r.has_headers.flag(false)? {
        // Header filters (X-Forwarded-For, X-Azure-FDID) depend on the request.
        return None;
    }
    if !r.subnet.is_absent() {
        let k = r.subnet.get()?;
        // A subnet rule for the gateway subnet: AGW038 reports a missing service endpoint, so
        // here it counts as matching.
        return Some(k == &subnet.res.key);
    }
    let tag = r.tag.get().map(|t| t.to_ascii_lowercase());
    if r.tag.is_unknown() || r.service_tag.is_unknown() {
        return None;
    }
    if tag.as_deref() == Some("servicetag") || r.service_tag.is_known() {
        // The gateway's public IP may fall in a service tag (AzureCloud...): cannot tell.
        return None;
    }
    if tag.as_deref() == Some("xffproxy") {
        return None;
    }
    let ip = match r.ip_address.decidable()? {
        Some(ip) => ip,
        None => return Some(false),
    };
    if ip.eq_ignore_ascii_case("any") || ip.trim() == "0.0.0.0/0" {
        return Some(true);
    }
    let net = Ipv4Net::parse(ip)?;
    if net.is_private() {
        // Multi-tenant apps never see the gateway's private address (only through a service
        // endpoint, which is a subnet rule).
        let _ = nets;
        return Some(false);
    }
    // A public range may or may not contain the gateway's public IP.
    None
}

/// The verdict of the site's restrictions for the gateway: `Some((deny, deciding rule))`.
fn verdict<'a>(
    site: &'a Site,
    subnet: &Subnet,
    nets: &[Ipv4Net],
) -> Option<(bool, Option<&'a AccessRestriction>)> {
    let rules = site.ip_restrictions.items()?;
    let default_deny = match site.ip_restriction_default_action.get() {
        Some(a) => a.eq_ignore_ascii_case("deny"),
        None if site.ip_restriction_default_action.is_unknown() => return None,
        // ARM: unset with rules = implicit deny; Terraform sends Allow by default.
        None => site.res.dialect == Dialect::Arm && !rules.is_empty(),
    };
    let mut ordered: Vec<(i64, &AccessRestriction)> = Vec::new();
    for r in rules {
        let p = match (r.priority.get(), site.res.dialect) {
            (Some(p), _) => *p,
            (None, Dialect::Terraform) if r.priority.is_absent() => 65000,
            _ => {
                // Unknown order: only harmless if the rule cannot match.
                if matches_gateway(r, subnet, nets) == Some(false) {
                    continue;
                }
                return None;
            }
        };
        ordered.push((p, r));
    }
    ordered.sort_by_key(|(p, _)| *p);
    for (_, r) in ordered {
        match matches_gateway(r, subnet, nets) {
            Some(true) => {
                let allow = r
                    .action
                    .get()
                    .is_none_or(|a| a.eq_ignore_ascii_case("allow"));
                if r.action.is_unknown() {
                    return None;
                }
                return Some((!allow, Some(r)));
            }
            Some(false) => {}
            None => return None,
        }
    }
    Some((default_deny, None))
}

fn check_site(
    model: &Model,
    gw: &Gateway,
    addr_span: Span,
    site: &Site,
    cx: &mut RuleCx<'_>,
) -> Option<()> {
    let (pes, complete) = site_private_endpoints(model, site);
    if !pes.is_empty() {
        // A private endpoint path: AGW034/AGW035/AGW039 judge it.
        return None;
    }
    if !complete || public_access_enabled(model, site) != Some(true) {
        if !complete {
            cx.skip_at(&site.res, "privateEndpoints", None);
        }
        return None;
    }
    let (cfg, subnet) = match gateway_subnet(model, gw) {
        Lookup::Found(x) => x,
        _ => {
            super::skip::placement(cx, model, gw, super::skip::Part::Subnet);
            return None;
        }
    };
    let nets = subnet_nets(subnet);
    let Some((deny, by)) = verdict(site, subnet, &nets) else {
        cx.skip(&site.res, "ipSecurityRestrictions", &site.ip_restrictions);
        return None;
    };
    if !deny {
        return None;
    }
    let d = site.res.dialect;
    let sname = site.res.display_name();
    let gname = gw.res.display_name();
    let mut f = match by {
        Some(r) => {
            let rname = r.name.display_name();
            cx.finding(
                format!(
                    "access restriction \"{rname}\" of site \"{sname}\" denies gateway \"{gname}\""
                ),
                r.action.span_or(r.span),
            )
            .label("this Deny matches the gateway's traffic before any Allow")
            .origins(&r.action)
            .property(format!(
                "{}[{rname}].{}",
                d.prop(
                    "siteConfig.ipSecurityRestrictions",
                    "site_config.ip_restriction"
                ),
                d.prop("action", "action")
            ))
        }
        None => {
            let prop = d.prop(
                "siteConfig.ipSecurityRestrictionsDefaultAction",
                "site_config.ip_restriction_default_action",
            );
            let label = if site.ip_restriction_default_action.is_absent() {
                "access restrictions are set and no default action is given: unmatched traffic is denied".to_string()
            } else {
                "default action Deny, and no rule allows the gateway".to_string()
            };
            cx.finding(
                format!(
                    "access restrictions of site \"{sname}\" deny gateway \"{gname}\": no rule allows its subnet or public IP"
                ),
                site.ip_restriction_default_action
                    .span
                    .or(site.ip_restrictions.span)
                    .unwrap_or(site.res.span),
            )
            .label(label)
            .origins(&site.ip_restriction_default_action)
            .property(prop)
        }
    };
    // The sub-case the catalogue calls out: an IP rule with the gateway subnet's private range.
    for r in site.ip_restrictions.iter() {
        if let Some(net) = r.ip_address.get().and_then(|s| Ipv4Net::parse(s))
            && net.is_private()
            && nets.iter().any(|n| n.overlaps(&net))
        {
            f = f.related(
                r.ip_address.span_or(r.span),
                "an IP rule with the gateway subnet's private range never matches on a multi-tenant app",
            );
        }
    }
    f = f
        .related(
            addr_span,
            "the gateway sends traffic to this site's public endpoint",
        )
        .related(cfg.subnet.span_or(cfg.span), "gateway subnet")
        .help(
            "enable the Microsoft.Web service endpoint on the gateway subnet and add an Allow rule \
             for that subnet, or allow the gateway's public IP, or reach the app through a \
             private endpoint",
        )
        .resource(&site.res);
    cx.emit(f);
    Some(())
}

impl Rule for AccessRestrictionsBlockGateway {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            if !gw.res.may_exist() {
                continue;
            }
            for (addr, site) in gateway_sites(model, gw) {
                let _ = check_site(model, gw, addr.span, site, cx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    fn subnet_rule(m: &Model, subnet: usize) -> AccessRestriction {
        AccessRestriction {
            name: ks("allow"),
            action: ks("Allow"),
            priority: k(100),
            subnet: rref(&m.subnets[subnet].res),
            span: sp(),
            ..Default::default()
        }
    }

    #[test]
    fn default_deny_without_gateway_rule_fires() {
        let mut m = with_pe(base(), "vnet");
        m.private_endpoints.clear();
        m.reindex();
        let r = subnet_rule(&m, 1);
        m.sites[0].ip_restrictions = k(vec![r]);
        m.sites[0].ip_restriction_default_action = ks("Deny");
        let f = run(&AccessRestrictionsBlockGateway, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        // ARM: unset default with rules = implicit deny; Terraform: Allow.
        m.sites[0].ip_restriction_default_action = Default::default();
        assert_eq!(
            run(&AccessRestrictionsBlockGateway, &m, Assumptions::default()).len(),
            1
        );
        m.sites[0].res.dialect = Dialect::Terraform;
        assert!(run(&AccessRestrictionsBlockGateway, &m, Assumptions::default()).is_empty());
    }

    #[test]
    fn gateway_subnet_rule_passes_and_public_cidr_is_silent() {
        let mut m = base();
        let r = subnet_rule(&m, 0);
        m.sites[0].ip_restrictions = k(vec![r]);
        m.sites[0].ip_restriction_default_action = ks("Deny");
        assert!(run(&AccessRestrictionsBlockGateway, &m, Assumptions::default()).is_empty());
        m.sites[0].ip_restrictions = k(vec![AccessRestriction {
            name: ks("pip"),
            action: ks("Allow"),
            priority: k(100),
            ip_address: ks("20.1.2.3/32"),
            span: sp(),
            ..Default::default()
        }]);
        assert!(run(&AccessRestrictionsBlockGateway, &m, Assumptions::default()).is_empty());
    }
}
