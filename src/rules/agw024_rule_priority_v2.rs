//! AGW024 rule-priority-v2: request routing rules without `priority` (or with partial, duplicate
//! or out-of-range priorities) where the API requires it: ARM `apiVersion` 2021-08-01 or later,
//! Terraform v2 gateways. The deployment fails.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SkuFamily;
use crate::model::query_site::api_version_at_least;
use crate::model::{Dialect, Gateway, Listener, Model, RoutingRule};

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
                None => {
                    if gw.res.dialect == Dialect::Arm {
                        cx.skip(&gw.res, "apiVersion", &gw.api_version)
                    } else {
                        cx.skip(&gw.res, "sku", &gw.sku.name)
                    }
                }
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
            None => cx.skip(
                &gw.res,
                format!("requestRoutingRules[{name}].priority"),
                &r.priority,
            ),
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
    check_shadowing(gw, &rules, cx);
}

/// The listener's host names (`None` when one is Unknown); empty for a basic listener.
fn listener_hosts(l: &Listener) -> Option<Vec<String>> {
    let mut out = Vec::new();
    if let Some(h) = l.host_name.decidable()?
        && !h.trim().is_empty()
    {
        out.push(h.to_ascii_lowercase());
    }
    for h in l.host_names.items()? {
        let s = h.get()?;
        if !s.trim().is_empty() {
            out.push(s.to_ascii_lowercase());
        }
    }
    Some(out)
}

/// Warning: a rule of a basic (host-less) listener evaluated before a multi-site rule on the
/// same frontend IP and port takes all of that port's traffic.
fn check_shadowing(gw: &Gateway, rules: &[&RoutingRule], cx: &mut RuleCx<'_>) {
    // (rule, priority, frontend ip, port, basic?)
    let mut known = Vec::new();
    for r in rules {
        let (Some(&p), Some(l)) = (r.priority.get(), gw.listener(&r.listener).found()) else {
            continue;
        };
        let (Some(fip), Some(port), Some(hosts)) = (
            l.frontend_ip.name.get(),
            l.frontend_port.name.get(),
            listener_hosts(l),
        ) else {
            continue;
        };
        known.push((
            *r,
            p,
            fip.to_ascii_lowercase(),
            port.to_ascii_lowercase(),
            hosts.is_empty(),
        ));
    }
    let gname = gw.res.display_name();
    for (b, bp, bf, bport, basic) in &known {
        if !basic {
            continue;
        }
        let shadowed = known
            .iter()
            .find(|(_, mp, mf, mport, mbasic)| !mbasic && mf == bf && mport == bport && mp > bp);
        if let Some((m, mp, ..)) = shadowed {
            let (bn, mn) = (rname(b), rname(m));
            let f = cx
                .finding(
                    format!(
                        "routing rule \"{bn}\" of gateway \"{gname}\" (basic listener, priority {bp}) is \
                         evaluated before multi-site rule \"{mn}\" (priority {mp}) on the same port"
                    ),
                    b.priority.span_or(b.span),
                )
                .label("the basic listener accepts every host, so the multi-site rule never matches")
                .related(m.priority.span_or(m.span), format!("rule \"{mn}\" has priority {mp}"))
                .help("give the basic listener's rule a larger priority number than every multi-site rule on the port")
                .severity(Severity::Warning)
                .origins(&b.priority)
                .resource(&gw.res)
                .property(format!("requestRoutingRules[{bn}].priority"));
            cx.emit(f);
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
    fn basic_listener_before_multi_site_is_a_warning() {
        let mut m = setup(Dialect::Terraform, "", &[Some(10), Some(20)]);
        let gw = &mut m.gateways[0];
        let listener = |name: &str, hosts: &[&str]| Listener {
            name: ks(name),
            frontend_ip: named("fe"),
            frontend_port: named("p80"),
            host_names: k(hosts.iter().map(|h| ks(h)).collect()),
            span: sp(),
            ..Default::default()
        };
        gw.listeners = k(vec![
            listener("basic", &[]),
            listener("multi", &["a.contoso.com"]),
        ]);
        let mut rules: Vec<RoutingRule> = gw.rules.iter().cloned().collect();
        rules[0].listener = named("basic");
        rules[1].listener = named("multi");
        gw.rules = k(rules.clone());
        let f = run(&RulePriorityV2, &m);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        rules[0].priority = k(30);
        m.gateways[0].rules = k(rules);
        assert!(run(&RulePriorityV2, &m).is_empty());
    }

    #[test]
    fn terraform_v1_is_silent() {
        let mut m = setup(Dialect::Terraform, "", &[None]);
        m.gateways[0].sku.tier = ks("Standard");
        m.gateways[0].sku.name = ks("Standard_Medium");
        assert!(run(&RulePriorityV2, &m).is_empty());
    }
}
