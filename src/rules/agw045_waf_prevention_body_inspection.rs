//! AGW045 waf-prevention-body-inspection: the gateway's WAF blocks in Prevention mode and
//! inspects request bodies. Blocked requests (JSON/SCIM payloads that trip a rule, bodies over
//! the limit) come back as 403 or 413, not 502: a note to disambiguate the 502 checklist.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::{Dialect, Gateway, Lookup, Model, Resource, Val};
use crate::source::Span;

/// See the module docs.
pub struct WafPreventionBodyInspection;

static META: RuleMeta = RuleMeta {
    id: "AGW045",
    name: "waf-prevention-body-inspection",
    severity: Severity::Info,
    summary: "WAF in Prevention mode inspects request bodies; blocked API calls return 403/413, not 502",
    page: include_str!("../../rules/AGW045.md"),
};

impl Rule for WafPreventionBodyInspection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            check_inline(gw, cx);
            let mut seen: Vec<*const Resource> = Vec::new();
            let refs = std::iter::once(&gw.firewall_policy)
                .chain(gw.listeners.iter().map(|l| &l.firewall_policy));
            for r in refs {
                match model.waf_policy(r) {
                    Lookup::Found(p) => {
                        if seen.contains(&std::ptr::from_ref(&p.res)) {
                            continue;
                        }
                        seen.push(std::ptr::from_ref(&p.res));
                        let (Some(on), Some(mode), Some(body), Some(max)) = (
                            p.enabled.flag(true),
                            mode_of(&p.mode, p.res.dialect),
                            p.request_body_check.flag(true),
                            p.max_request_body_kb.num(128),
                        ) else {
                            cx.skip_at(&p.res, "policySettings", None);
                            continue;
                        };
                        if on && body && mode.eq_ignore_ascii_case("Prevention") {
                            emit(
                                cx,
                                gw,
                                &p.res,
                                &format!("WAF policy \"{}\"", p.res.display_name()),
                                p.mode.span_or(p.res.span),
                                max,
                                &p.mode,
                                "policySettings.mode",
                            );
                        }
                    }
                    Lookup::Unknown if r.is_known() || r.is_unknown() => {
                        cx.skip(&gw.res, "firewallPolicy", r)
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The effective mode: Known, or the azurerm default `Prevention`; ARM has no documented
/// default, so an omitted ARM mode is `None` (undecided).
fn mode_of(mode: &Val<String>, d: Dialect) -> Option<String> {
    match mode.decidable()? {
        Some(m) => Some(m.clone()),
        None if d == Dialect::Terraform => Some("Prevention".to_string()),
        None => None,
    }
}

fn check_inline(gw: &Gateway, cx: &mut RuleCx<'_>) {
    let Some(w) = gw.waf.get() else {
        if gw.waf.is_unknown() {
            cx.skip(&gw.res, "webApplicationFirewallConfiguration", &gw.waf);
        }
        return;
    };
    let (Some(on), Some(mode), Some(body), Some(max)) = (
        w.enabled.flag(false),
        w.mode.get(),
        w.request_body_check.flag(true),
        w.max_request_body_kb.num(128),
    ) else {
        cx.skip_at(&gw.res, "webApplicationFirewallConfiguration", gw.waf.span);
        return;
    };
    if on && body && mode.eq_ignore_ascii_case("Prevention") {
        emit(
            cx,
            gw,
            &gw.res,
            &format!(
                "the inline {}",
                gw.res
                    .dialect
                    .prop("webApplicationFirewallConfiguration", "waf_configuration")
            ),
            w.mode.span_or(w.span),
            max,
            &w.mode,
            "webApplicationFirewallConfiguration.firewallMode",
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn emit(
    cx: &mut RuleCx<'_>,
    gw: &Gateway,
    res: &Resource,
    what: &str,
    span: Span,
    max_kb: i64,
    mode: &Val<String>,
    property: &str,
) {
    let gname = gw.res.display_name();
    let f = cx
        .finding(
            format!(
                "{what} of gateway \"{gname}\" blocks in Prevention mode and inspects request \
                 bodies (limit {max_kb} KB); blocked calls return 403 or 413, not 502"
            ),
            span,
        )
        .label("Prevention mode with request body inspection")
        .help(
            "when API calls (e.g. SCIM bulk JSON) fail with 403/413, check the firewall log and add \
             exclusions or a custom allow rule for those paths, or raise the body size limit",
        )
        .origins(mode)
        .resource(res)
        .property(property);
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{WafConfig, WafPolicy};
    use crate::rules::testkit::*;

    #[test]
    fn inline_prevention_is_info() {
        let mut gw = gateway(Dialect::Arm);
        gw.waf = k(WafConfig {
            enabled: k(true),
            mode: ks("Prevention"),
            span: sp(),
            ..Default::default()
        });
        let f = run(&WafPreventionBodyInspection, &model(gw.clone(), vec![]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        gw.waf = k(WafConfig {
            enabled: k(true),
            mode: ks("Detection"),
            span: sp(),
            ..Default::default()
        });
        assert!(run(&WafPreventionBodyInspection, &model(gw, vec![])).is_empty());
    }

    #[test]
    fn policy_mode_defaults_by_dialect() {
        for (d, expect) in [(Dialect::Terraform, 1), (Dialect::Arm, 0)] {
            let pol = WafPolicy {
                res: res(
                    d,
                    "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
                    "waf",
                ),
                ..Default::default()
            };
            let mut gw = gateway(d);
            gw.firewall_policy = rref(&pol.res);
            let mut m = model(gw, vec![]);
            m.waf_policies.push(pol);
            m.reindex();
            assert_eq!(run(&WafPreventionBodyInspection, &m).len(), expect);
        }
    }
}
