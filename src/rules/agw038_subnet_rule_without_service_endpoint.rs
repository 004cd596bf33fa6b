//! AGW038 subnet-rule-without-service-endpoint: an access-restriction rule names the gateway
//! subnet, but that subnet lacks the `Microsoft.Web` service endpoint, so the rule never matches
//! the gateway's traffic: 403, 502.

use crate::model::HashMap;

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_network::{gateway_subnet, has_web_service_endpoint};
use crate::model::{Lookup, Model, ResourceKey, Subnet};

/// See the module docs.
pub struct SubnetRuleWithoutServiceEndpoint;

static META: RuleMeta = RuleMeta {
    id: "AGW038",
    name: "subnet-rule-without-service-endpoint",
    severity: Severity::Error,
    summary: "An access restriction names the gateway subnet, which lacks the Microsoft.Web service endpoint",
    page: include_str!("../../rules/AGW038.md"),
};

impl Rule for SubnetRuleWithoutServiceEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        // The gateway subnets in the scan, with a gateway name for messages.
        // By key, the first gateway of each (a list searched per gateway and per restriction
        // was quadratic in the size of the scan).
        let mut gw_subnets: HashMap<&ResourceKey, (&Subnet, String)> = HashMap::default();
        for gw in &model.gateways {
            if let Lookup::Found((_, s)) = gateway_subnet(model, gw) {
                gw_subnets
                    .entry(&s.res.key)
                    .or_insert_with(|| (s, gw.res.display_name()));
            }
        }
        if gw_subnets.is_empty() {
            return;
        }
        for site in &model.sites {
            if !site.res.may_exist() {
                continue;
            }
            for r in site.ip_restrictions.iter() {
                let Some(key) = r.subnet.get() else {
                    continue;
                };
                let Some((subnet, gname)) = gw_subnets.get(key) else {
                    continue;
                };
                match has_web_service_endpoint(subnet) {
                    Some(false) => {}
                    Some(true) => continue,
                    None => {
                        cx.skip(&subnet.res, "serviceEndpoints", &subnet.service_endpoints);
                        continue;
                    }
                }
                let d = site.res.dialect;
                let rname = r.name.display_name();
                let f = cx
                    .finding(
                        format!(
                            "access restriction \"{rname}\" of site \"{}\" names subnet \"{}\" of gateway \"{gname}\", which has no Microsoft.Web service endpoint",
                            site.res.display_name(),
                            subnet.res.display_name()
                        ),
                        r.subnet.span_or(r.span),
                    )
                    .label("this subnet rule never matches without the service endpoint")
                    .related(
                        subnet.service_endpoints.span_or(subnet.res.span),
                        "gateway subnet without Microsoft.Web",
                    )
                    .help(format!(
                        "add the Microsoft.Web service endpoint to the gateway subnet ({})",
                        subnet
                            .res
                            .dialect
                            .prop("serviceEndpoints: [{ service: Microsoft.Web }]", "service_endpoints = [\"Microsoft.Web\"]")
                    ))
                    .resource(&site.res)
                    .property(format!(
                        "{}[{rname}].{}",
                        d.prop("siteConfig.ipSecurityRestrictions", "site_config.ip_restriction"),
                        d.prop("vnetSubnetResourceId", "virtual_network_subnet_id")
                    ));
                cx.emit(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AccessRestriction;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    #[test]
    fn subnet_rule_without_service_endpoint_fires_then_passes_with_it() {
        let mut m = base();
        let r = AccessRestriction {
            name: ks("allow-gw"),
            action: ks("Allow"),
            priority: k(100),
            subnet: rref(&m.subnets[0].res),
            span: sp(),
            ..Default::default()
        };
        let span = r.subnet.span.unwrap();
        m.sites[0].ip_restrictions = k(vec![r]);
        let f = run(
            &SubnetRuleWithoutServiceEndpoint,
            &m,
            Assumptions::default(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].primary, span);
        m.subnets[0].service_endpoints = kl(&["Microsoft.Web"]);
        assert!(
            run(
                &SubnetRuleWithoutServiceEndpoint,
                &m,
                Assumptions::default()
            )
            .is_empty()
        );
        m.subnets[0].service_endpoints = crate::model::Val::unknown(None);
        assert!(
            run(
                &SubnetRuleWithoutServiceEndpoint,
                &m,
                Assumptions::default()
            )
            .is_empty()
        );
    }
}
