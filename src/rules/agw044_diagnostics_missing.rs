//! AGW044 diagnostics-missing: a gateway without a diagnostic setting that sends its access log
//! (and, with WAF, its firewall log) somewhere. Not a cause of 502, but without those logs a 502
//! cannot be attributed to the backend, the WAF or a timeout.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::index::NetIndex;
use crate::model::query::SkuFamily;
use crate::model::{DiagnosticSetting, Gateway, Model};

/// See the module docs.
pub struct DiagnosticsMissing;

static META: RuleMeta = RuleMeta {
    id: "AGW044",
    name: "diagnostics-missing",
    severity: Severity::Warning,
    summary: "No diagnostic setting sends the gateway's access log (and, with WAF, its firewall log) to a destination",
    page: include_str!("../../rules/AGW044.md"),
};

const ACCESS: &str = "ApplicationGatewayAccessLog";
const FIREWALL: &str = "ApplicationGatewayFirewallLog";
const PERFORMANCE: &str = "ApplicationGatewayPerformanceLog";

impl Rule for DiagnosticsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        let index = model.net_index();
        for gw in &model.gateways {
            if gw.res.may_exist() {
                check_gateway(model, &index, gw, cx);
            }
        }
    }
}

/// The diagnostic settings of the gateway's unit that target it; `None` when some setting's
/// target is Unknown (it may be this gateway).
fn settings_of<'a>(
    model: &'a Model,
    index: &NetIndex,
    gw: &Gateway,
) -> Option<Vec<&'a DiagnosticSetting>> {
    // Settings are indexed by target once per scan (scanning every setting of the scan for
    // every gateway was quadratic).
    if index.unit_has_unknown_diagnostic_target(gw.res.key.unit) {
        return None;
    }
    Some(
        index
            .diagnostic_settings_of(&gw.res.key)
            .iter()
            .filter_map(|&i| model.diagnostic_settings.get(i))
            .filter(|ds| ds.res.key.unit == gw.res.key.unit && ds.res.may_exist())
            .collect(),
    )
}

/// Whether `ds` sends `category` (or the `allLogs` group) to a destination. `None` when
/// unknowable.
fn sends(ds: &DiagnosticSetting, category: &str) -> Option<bool> {
    let dest = ds.has_destination.flag(false)?;
    let logs = ds.logs.items()?;
    let mut unknown = false;
    for l in logs {
        let Some(enabled) = l.enabled.flag(true) else {
            unknown = true;
            continue;
        };
        if !enabled {
            continue;
        }
        let cat = l.category.decidable();
        let group = l.category_group.decidable();
        let (Some(cat), Some(group)) = (cat, group) else {
            unknown = true;
            continue;
        };
        if cat.is_some_and(|c| c.eq_ignore_ascii_case(category))
            || group.is_some_and(|g| g.eq_ignore_ascii_case("allLogs"))
        {
            return Some(dest);
        }
    }
    if unknown { None } else { Some(false) }
}

/// Whether the gateway runs a WAF (WAF tier, a WAF policy, or an inline WAF configuration).
fn uses_waf(gw: &Gateway) -> Option<bool> {
    let tier_waf = [&gw.sku.tier, &gw.sku.name].iter().any(|v| {
        v.get()
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("waf"))
    });
    if tier_waf || gw.firewall_policy.is_known() || gw.waf.is_known() {
        return Some(true);
    }
    if gw.sku.tier.is_unknown() || gw.firewall_policy.is_unknown() || gw.waf.is_unknown() {
        return None;
    }
    Some(false)
}

fn check_gateway(model: &Model, index: &NetIndex, gw: &Gateway, cx: &mut RuleCx<'_>) {
    // The gateway is handed to code the linter cannot read (a module call that is not
    // followed, or the caller of a reusable module through an output): it may attach the
    // diagnostic setting there.
    if model.is_opaque_ref(&gw.res.key) {
        cx.skip_at(
            &gw.res,
            "diagnostic settings (the gateway is passed to code agwlint does not read)",
            None,
        );
        return;
    }
    // Whether logs are collected does not depend on routing: a gateway whose rules are
    // incomplete or Unknown is judged like any other (issue 13).
    let Some(settings) = settings_of(model, index, gw) else {
        cx.skip_at(&gw.res, "diagnostic settings", None);
        return;
    };
    let d = gw.res.dialect;
    let gname = gw.res.display_name();
    let ds_kind = d.prop(
        "Microsoft.Insights/diagnosticSettings",
        "azurerm_monitor_diagnostic_setting",
    );
    let log_block = d.prop("logs[]", "enabled_log");
    if settings.is_empty() {
        let mut f = cx
            .finding(
                format!(
                    "gateway \"{gname}\" has no diagnostic setting; its access log is not collected"
                ),
                // The name, not the whole resource: the finding is about the gateway as such.
                gw.res.name.span_or(gw.res.span),
            )
            .label("no diagnostic setting targets this gateway")
            .help(format!(
                "add a `{ds_kind}` for the gateway with `{log_block}` category group `allLogs` (or \
                 `{ACCESS}`) and a Log Analytics workspace, storage account or event hub"
            ))
            .resource(&gw.res)
            .property("diagnosticSettings");
        // A setting switched off by its condition (`enableDiagnostics: false`) is worth showing.
        for ds in index
            .diagnostic_settings_of(&gw.res.key)
            .iter()
            .filter_map(|&i| model.diagnostic_settings.get(i))
        {
            if !ds.res.may_exist() && ds.res.key.unit == gw.res.key.unit {
                f = f.related(
                    ds.res.condition.span_or(ds.res.span),
                    format!(
                        "diagnostic setting \"{}\" targets the gateway but is not deployed",
                        ds.res.display_name()
                    ),
                );
                f = f.origins(&ds.res.condition);
            }
        }
        cx.emit(f);
        return;
    }
    let mut wanted = vec![ACCESS];
    match uses_waf(gw) {
        Some(true) => wanted.push(FIREWALL),
        Some(false) => {}
        None => cx.skip(&gw.res, "webApplicationFirewallConfiguration", &gw.waf),
    }
    for cat in wanted {
        let verdicts: Vec<Option<bool>> = settings.iter().map(|ds| sends(ds, cat)).collect();
        if verdicts.contains(&Some(true)) {
            continue;
        }
        if verdicts.contains(&None) {
            cx.skip_at(&gw.res, "diagnostic settings.logs", None);
            continue;
        }
        let ds = settings[0];
        let dsname = ds.res.display_name();
        let no_dest = ds.has_destination.flag(false) == Some(false);
        let msg = if no_dest {
            format!(
                "diagnostic setting \"{dsname}\" of gateway \"{gname}\" has no destination, so `{cat}` is not kept"
            )
        } else {
            format!(
                "diagnostic setting \"{dsname}\" of gateway \"{gname}\" does not collect `{cat}`"
            )
        };
        let primary = if no_dest {
            ds.res.name.span_or(ds.res.span)
        } else {
            ds.logs.span_or(ds.res.span)
        };
        let mut f = cx
            .finding(msg, primary)
            .label(if cat == ACCESS {
                "without the access log a 502 cannot be traced to its cause"
            } else {
                "without the firewall log a WAF block cannot be told from a backend failure"
            })
            .help(format!(
                "enable category `{cat}` (or category group `allLogs`) and send it to a workspace, \
                 storage account or event hub"
            ))
            .resource(&ds.res)
            .property(format!("logs[{cat}]"));
        if ds.res.span != gw.res.span {
            f = f.related(
                gw.res.name.span_or(gw.res.span),
                format!("gateway \"{gname}\""),
            );
        }
        cx.emit(f);
    }
    if gw.sku_family() == Some(SkuFamily::V2) {
        for ds in &settings {
            for l in ds.logs.iter() {
                if l.category.eq_ci(PERFORMANCE) == Some(true) && l.enabled.flag(true) == Some(true)
                {
                    let f = cx
                        .finding(
                            format!(
                                "diagnostic setting \"{}\" of gateway \"{gname}\" requests `{PERFORMANCE}`, which v2 gateways do not emit",
                                ds.res.display_name()
                            ),
                            l.category.span_or(l.span),
                        )
                        .label("never populated on v2")
                        .help("remove the category; use the gateway metrics instead")
                        .severity(Severity::Info)
                        .resource(&ds.res)
                        .property(format!("logs[{PERFORMANCE}]"));
                    cx.emit(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DiagnosticLog, DiagnosticSetting, Dialect, Ref, Val};
    use crate::rules::testkit::*;

    fn ds(target: Ref, logs: Vec<DiagnosticLog>, dest: bool) -> DiagnosticSetting {
        DiagnosticSetting {
            res: res(
                Dialect::Arm,
                "Microsoft.Insights/diagnosticSettings",
                "diag",
            ),
            target,
            logs: k(logs),
            has_destination: k(dest),
        }
    }

    fn log(cat: Option<&str>, group: Option<&str>) -> DiagnosticLog {
        DiagnosticLog {
            category: cat.map_or_else(Val::absent, ks),
            category_group: group.map_or_else(Val::absent, ks),
            enabled: k(true),
            span: sp(),
        }
    }

    fn with(d: Option<DiagnosticSetting>, tier: &str) -> Model {
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool("pool", &["fn.azurewebsites.net"])]);
        gw.settings = k(vec![settings("s", "Https", 443, true)]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        gw.sku.tier = ks(tier);
        let target = rref(&gw.res);
        let mut m = model(gw, vec![]);
        if let Some(mut d) = d {
            if d.target.is_known() {
                d.target = target;
            }
            m.diagnostic_settings.push(d);
        }
        m
    }

    #[test]
    fn gateway_handed_to_unread_code_is_unknown() {
        let mut m = with(None, "Standard_v2");
        let key = m.gateways[0].res.key.clone();
        m.opaque_refs.push(key);
        assert!(run(&DiagnosticsMissing, &m).is_empty());
    }

    #[test]
    fn missing_setting_fires_on_the_gateway() {
        let m = with(None, "Standard_v2");
        let f = run(&DiagnosticsMissing, &m);
        assert_eq!(f.len(), 1);
        assert_eq!(Some(f[0].primary), m.gateways[0].res.name.span);
    }

    #[test]
    fn skeleton_gateways_are_judged_too() {
        // Whether logs are collected does not depend on routing (issue 13).
        let mut m = with(None, "Standard_v2");
        m.gateways[0].rules = Val::absent();
        assert_eq!(run(&DiagnosticsMissing, &m).len(), 1);
        m.gateways[0].rules = unk();
        assert_eq!(run(&DiagnosticsMissing, &m).len(), 1);
        // Handed to code agwlint does not read: silent.
        let key = m.gateways[0].res.key.clone();
        m.opaque_refs.push(key);
        assert!(run(&DiagnosticsMissing, &m).is_empty());
    }

    #[test]
    fn all_logs_with_destination_passes_even_for_waf() {
        let d = ds(
            k(Default::default()),
            vec![log(None, Some("AllLogs"))],
            true,
        );
        assert!(run(&DiagnosticsMissing, &with(Some(d), "WAF_v2")).is_empty());
    }

    #[test]
    fn access_only_on_waf_misses_firewall_log_and_no_destination_fires() {
        let d = ds(k(Default::default()), vec![log(Some(ACCESS), None)], true);
        let f = run(&DiagnosticsMissing, &with(Some(d), "WAF_v2"));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains(FIREWALL));
        let d = ds(k(Default::default()), vec![log(Some(ACCESS), None)], false);
        assert!(
            run(&DiagnosticsMissing, &with(Some(d), "Standard_v2"))[0]
                .message
                .contains("no destination")
        );
    }

    #[test]
    fn disabled_setting_is_shown_as_related() {
        let mut d = ds(
            k(Default::default()),
            vec![log(None, Some("allLogs"))],
            true,
        );
        d.res.condition = k(false);
        let f = run(&DiagnosticsMissing, &with(Some(d), "Standard_v2"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].related.len(), 1);
    }

    #[test]
    fn unknown_target_silences_and_performance_log_is_info() {
        let d = ds(unk(), vec![], true);
        assert!(run(&DiagnosticsMissing, &with(Some(d), "Standard_v2")).is_empty());
        let d = ds(
            k(Default::default()),
            vec![log(Some(ACCESS), None), log(Some(PERFORMANCE), None)],
            true,
        );
        let f = run(&DiagnosticsMissing, &with(Some(d), "Standard_v2"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
    }
}
