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
                    if gw.res.dialect == Dialect::Arm && gw.api_version.get().is_none() {
                        cx.skip(&gw.res, "apiVersion", &gw.api_version)
                    } else {
                        cx.skip(&gw.res, "sku", &gw.sku.name)
                    }
                }
            }
        }
    }
}

/// Whether the API requires priorities: only on the v2 family (v1 and v2 share the API spec,
/// but "Only V2 sku needs to have the 'Priority' field as mandatory"), and in ARM from
/// api-version 2021-08-01 (Terraform uses a recent API version).
fn required(gw: &Gateway) -> Option<bool> {
    let v2 = gw
        .sku_family()
        .map(|f| matches!(f, SkuFamily::V2 | SkuFamily::Basic));
    match gw.res.dialect {
        Dialect::Arm => {
            let api = gw
                .api_version
                .get()
                .map(|v| api_version_at_least(v, "2021-08-01"));
            match (api, v2) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            }
        }
        Dialect::Terraform => v2,
    }
}

fn rname(r: &RoutingRule) -> String {
    r.name.display_name()
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
            hosts,
        ));
    }
    let gname = gw.res.display_name();
    check_wildcard_shadowing(gw, &known, cx);
    let known: Vec<_> = known
        .into_iter()
        .map(|(r, p, f, port, hosts)| (r, p, f, port, hosts.is_empty()))
        .collect();
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

/// Application Gateway host wildcards: `*` any run of characters, `?` one character.
fn wildcard_match(pattern: &str, host: &str) -> bool {
    let (p, h) = (pattern.as_bytes(), host.as_bytes());
    let (mut pi, mut hi, mut star, mut mark) = (0, 0, None, 0);
    while hi < h.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == h[hi]) {
            pi += 1;
            hi += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = hi;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            hi = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// (rule, priority, frontend ip, port, host names) of a rule whose listener is fully known.
type Known<'a> = (&'a RoutingRule, i64, String, String, Vec<String>);

/// Warning: a wildcard multi-site rule (`*.contoso.com`) evaluated before a rule whose every
/// host it matches (`shop.contoso.com`) on the same frontend IP and port: "no client traffic
/// would be received by the more specific listener".
fn check_wildcard_shadowing(gw: &Gateway, known: &[Known<'_>], cx: &mut RuleCx<'_>) {
    let gname = gw.res.display_name();
    for (s, sp, sf, sport, shosts) in known {
        if shosts.is_empty() {
            continue;
        }
        let shadow = known.iter().find(|(w, wp, wf, wport, whosts)| {
            !std::ptr::eq(*w, *s)
                && wp < sp
                && wf == sf
                && wport == sport
                && whosts.iter().any(|h| h.contains(['*', '?']))
                && shosts
                    .iter()
                    .all(|h| whosts.iter().any(|w| w != h && wildcard_match(w, h)))
        });
        let Some((w, wp, _, _, whosts)) = shadow else {
            continue;
        };
        let (sn, wn) = (rname(s), rname(w));
        let f = cx
            .finding(
                format!(
                    "routing rule \"{sn}\" of gateway \"{gname}\" (priority {sp}, host {}) is \
                     evaluated after wildcard rule \"{wn}\" (priority {wp}, host {}) on the same port",
                    super::capped_list(shosts),
                    super::capped_list(whosts)
                ),
                s.priority.span_or(s.span),
            )
            .label("the wildcard listener matches this rule's hosts first, so this rule never matches")
            .related(w.priority.span_or(w.span), format!("rule \"{wn}\" has priority {wp}"))
            .help("give the specific rule a smaller priority number than the wildcard rule")
            .severity(Severity::Warning)
            .origins(&s.priority)
            .resource(&gw.res)
            .property(format!("requestRoutingRules[{sn}].priority"));
        cx.emit(f);
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
    fn wildcards() {
        assert!(wildcard_match("*.contoso.com", "shop.contoso.com"));
        assert!(wildcard_match("shop?.contoso.com", "shop1.contoso.com"));
        assert!(!wildcard_match("*.contoso.com", "contoso.com"));
        assert!(!wildcard_match("*.contoso.com", "shop.fabrikam.com"));
    }

    #[test]
    fn arm_v1_needs_no_priority() {
        let mut m = setup(Dialect::Arm, "2023-09-01", &[None]);
        m.gateways[0].sku.name = ks("Standard_Medium");
        m.gateways[0].sku.tier = ks("Standard");
        assert!(run(&RulePriorityV2, &m).is_empty());
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
