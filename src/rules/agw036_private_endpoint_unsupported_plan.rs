//! AGW036 private-endpoint-unsupported-plan: a private endpoint (or VNet integration) for a site
//! whose plan is Consumption (Y1 / Dynamic) or Free / Shared, which support neither: the
//! deployment fails and the gateway-via-private-endpoint design cannot work.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_network::private_endpoints_of;
use crate::model::{Lookup, Model, Plan};

/// See the module docs.
pub struct PrivateEndpointUnsupportedPlan;

static META: RuleMeta = RuleMeta {
    id: "AGW036",
    name: "private-endpoint-unsupported-plan",
    severity: Severity::Error,
    summary: "A private endpoint or VNet integration targets a site on a Consumption, Free or Shared plan",
    page: include_str!("../../rules/AGW036.md"),
};

/// The unsupported plan kind, with the value that says so; `None` = supported or unknown.
fn unsupported(plan: &Plan) -> Option<(&'static str, &crate::model::Val<String>)> {
    if let Some(n) = plan.sku_name.get() {
        let n = n.to_ascii_uppercase();
        return match n.as_str() {
            "Y1" => Some(("Consumption (Y1)", &plan.sku_name)),
            "F1" | "FREE" => Some(("Free (F1)", &plan.sku_name)),
            "D1" | "SHARED" => Some(("Shared (D1)", &plan.sku_name)),
            _ => None,
        };
    }
    if let Some(t) = plan.sku_tier.get() {
        let t = t.to_ascii_lowercase();
        return match t.as_str() {
            "dynamic" => Some(("Consumption (Dynamic)", &plan.sku_tier)),
            "free" => Some(("Free", &plan.sku_tier)),
            "shared" => Some(("Shared", &plan.sku_tier)),
            _ => None,
        };
    }
    None
}

impl Rule for PrivateEndpointUnsupportedPlan {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for site in &model.sites {
            if !site.res.may_exist() {
                continue;
            }
            let (pes, _) = private_endpoints_of(model, site);
            let vnet_integration = site.vnet_subnet.is_known();
            if pes.is_empty() && !vnet_integration {
                continue;
            }
            let plan = match model.plan(&site.plan) {
                Lookup::Found(p) => p,
                Lookup::Absent => continue,
                Lookup::Unknown => {
                    cx.skip(&site.res, "serverFarmId", &site.plan);
                    continue;
                }
            };
            if plan.sku_name.is_unknown() && plan.sku_tier.is_unknown() {
                cx.skip(&plan.res, "sku.name", &plan.sku_name);
                continue;
            }
            let Some((kind, val)) = unsupported(plan) else {
                continue;
            };
            let sname = site.res.display_name();
            let pname = plan.res.display_name();
            let d = plan.res.dialect;
            let prop = if std::ptr::eq(val, &plan.sku_name) {
                d.prop("sku.name", "sku_name")
            } else {
                d.prop("sku.tier", "sku_name")
            };
            let (what, other) = match pes.first() {
                Some(pe) => (
                    format!("private endpoint \"{}\"", pe.res.display_name()),
                    pe.res.span,
                ),
                None => (
                    "VNet integration".to_string(),
                    site.vnet_subnet.span_or(site.res.span),
                ),
            };
            let f = cx
                .finding(
                    format!(
                        "site \"{sname}\" has {what} but its plan \"{pname}\" is {kind}, which does not support it"
                    ),
                    val.span_or(plan.res.span),
                )
                .label(format!("{kind} plan"))
                .related(other, format!("{what} of site \"{sname}\""))
                .help(
                    "move the app to a plan that supports private endpoints and VNet integration: \
                     Functions Premium (EP1+), Flex Consumption (FC1), or a Basic/Standard/Premium \
                     App Service plan",
                )
                .origins(val)
                .resource(&plan.res)
                .property(prop);
            cx.emit(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query_network::scenario::*;
    use crate::rules::Assumptions;

    fn with_plan(sku: &str) -> Model {
        let mut m = base();
        let plan = Plan {
            res: res("Microsoft.Web/serverfarms", "plan"),
            sku_name: ks(sku),
            ..Default::default()
        };
        m.sites[0].plan = rref(&plan.res);
        m.sites[0].vnet_subnet = rref(&m.subnets[0].res);
        m.plans.push(plan);
        m.reindex();
        m
    }

    #[test]
    fn consumption_plan_with_vnet_integration_fires() {
        let m = with_plan("Y1");
        let f = run(&PrivateEndpointUnsupportedPlan, &m, Assumptions::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].primary, m.plans[0].sku_name.span.unwrap());
    }

    #[test]
    fn premium_plan_passes() {
        assert!(
            run(
                &PrivateEndpointUnsupportedPlan,
                &with_plan("EP1"),
                Assumptions::default()
            )
            .is_empty()
        );
    }
}
