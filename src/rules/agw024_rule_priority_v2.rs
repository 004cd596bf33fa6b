//! AGW024 rule-priority-v2: request routing rules without `priority` (or with partial, duplicate
//! or out-of-range priorities) where the API requires it: ARM `apiVersion` 2021-08-01 or later,
//! Terraform v2 gateways. The deployment fails.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SkuFamily;
use crate::model::query_site::api_version_at_least;
use crate::model::{Dialect, Gateway, Model, RoutingRule};

/// See the module docs.
pub struct RulePriorityV2;

static META: RuleMeta = RuleMeta {
    id: "AGW024",
    name: "rule-priority-v2",
    severity: Severity::Error,
    summary: "Request routing rules lack a priority, or priorities are partial, duplicated or outside 1-20000, where the API requires them",
    page: include_str!("../../rules/AGW024.md"),
};

impl Rule for RulePriorityV2 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            match required(gw) {
                Some(true) => check_gateway(gw, cx),
                Some(false) => {}
                None => cx.skip_unknown(),
            }
        }
    }
}

/// Whether the API requires priorities: ARM from api-version 2021-08-01; Terraform (recent
/// API versions) on the v2 family.
fn required(gw: &Gateway) -> Option<bool> {
    match gw.res.dialect {
        Dialect::Arm => gw
            .api_version
            .get()
            .map(|v| api_version_at_least(v, "2021-08-01")),
        Dialect::Terraform => gw
            .sku_family()
            .map(|f| matches!(f, SkuFamily::V2 | SkuFamily::Basic)),
    }
}

fn rname(r: &RoutingRule) -> String {
    r.name.get().cloned().unwrap_or_else(|| "?".into())
}

fn check_gateway(gw: &Gateway, cx: &mut RuleCx<'_>) {
    let d = gw.res.dialect;
    let gname = gw.res.display_name();
    let rules: Vec<&RoutingRule> = gw.rules.iter().collect();
    let with_priority = rules.iter().filter(|r| !r.priority.is_absent()).count();
    let why = match d {
        Dialect::Arm => format!(
            "api-version {} requires a priority on every rule",
            gw.api_version.get().cloned().unwrap_or_default()
        ),
        Dialect::Terraform => "v2 gateways require a priority on every rule".to_string(),
    };
    let mut seen: Vec<(i64, &RoutingRule)> = Vec::new();
    for r in &rules {
        let name = rname(r);
        let base = |cx: &RuleCx<'_>, msg: String, span| {
            cx.finding(
                format!("routing rule \"{name}\" of gateway \"{gname}\" {msg}"),
                span,
            )
            .resource(&gw.res)
            .property(format!("requestRoutingRules[{name}].priority"))
        };
        match r.priority.decidable() {
            None => cx.skip_unknown(),
            Some(None) => {
                let (msg, code) = if with_priority > 0 {
                    (
                        "has no priority while other rules have one",
                        "ApplicationGatewayRequestRoutingRulePartialPriorityDefined",
                    )
                } else {
                    (
                        "has no priority",
                        "ApplicationGatewayRequestRoutingRulePriorityCannotBeEmpty",
                    )
                };
                let f = base(cx, msg.to_string(), r.span)
                    .label(format!("{why}: the deployment fails with {code}"))
                    .help("give every rule a unique `priority` between 1 and 20000 (lower is evaluated first)");
                cx.emit(f);
            }
            Some(Some(&p)) => {
                if !(1..=20000).contains(&p) {
                    let f = base(
                        cx,
                        format!("has priority {p}, outside 1-20000"),
                        r.priority.span_or(r.span),
                    )
                    .label("priority must be between 1 and 20000")
                    .help("use a priority between 1 and 20000")
                    .origins(&r.priority);
                    cx.emit(f);
                } else if let Some((_, first)) = seen.iter().find(|(q, _)| *q == p) {
                    let f = base(
                        cx,
                        format!(
                            "has priority {p}, already used by rule \"{}\"",
                            rname(first)
                        ),
                        r.priority.span_or(r.span),
                    )
                    .label("priority must be unique across all request routing rules")
                    .related(
                        first.priority.span_or(first.span),
                        format!("rule \"{}\" has priority {p}", rname(first)),
                    )
                    .help("give every rule a unique priority")
                    .origins(&r.priority);
                    cx.emit(f);
                } else {
                    seen.push((p, r));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Val;
    use crate::rules::testkit::*;

    fn setup(d: Dialect, api: &str, prios: &[Option<i64>]) -> Model {
        let mut gw = gateway(d);
        if d == Dialect::Arm {
            gw.api_version = ks(api);
        }
        gw.rules = k(prios
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut r = rule(&format!("r{i}"), "pool", "s");
                r.priority = p.map_or_else(Val::absent, k);
                r
            })
            .collect());
        model(gw, vec![])
    }

    #[test]
    fn arm_depends_on_api_version() {
        assert_eq!(
            run(&RulePriorityV2, &setup(Dialect::Arm, "2023-09-01", &[None])).len(),
            1
        );
        assert!(run(&RulePriorityV2, &setup(Dialect::Arm, "2020-11-01", &[None])).is_empty());
        let f = run(
            &RulePriorityV2,
            &setup(Dialect::Arm, "2023-09-01", &[Some(10), None]),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("other rules"));
    }

    #[test]
    fn duplicates_and_ranges() {
        let f = run(
            &RulePriorityV2,
            &setup(
                Dialect::Terraform,
                "",
                &[Some(10), Some(10), Some(0), Some(20)],
            ),
        );
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("already used"));
        assert!(f[1].message.contains("outside"));
    }

    #[test]
    fn terraform_v1_is_silent() {
        let mut m = setup(Dialect::Terraform, "", &[None]);
        m.gateways[0].sku.tier = ks("Standard");
        m.gateways[0].sku.name = ks("Standard_Medium");
        assert!(run(&RulePriorityV2, &m).is_empty());
    }
}
