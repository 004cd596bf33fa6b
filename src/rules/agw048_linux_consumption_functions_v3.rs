//! AGW048 linux-consumption-functions-v3: a Function App behind a gateway runs on Linux in a
//! Consumption plan (`Y1` / `Dynamic`) with the end-of-life Functions v3 runtime
//! (`FUNCTIONS_EXTENSION_VERSION` `~3`). Such apps stopped running after 30 September 2026, so
//! every request the gateway forwards to it fails: 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_gateway::{PlanKind, plan_kind, plan_of_site};
use crate::model::query_site::routed_site_pairs;
use crate::model::{KeyValue, Lookup, Model, Plan, Site};
use crate::source::Span;

/// See the module docs.
pub struct LinuxConsumptionFunctionsV3;

static META: RuleMeta = RuleMeta {
    id: "AGW048",
    name: "linux-consumption-functions-v3",
    severity: Severity::Error,
    summary: "A Linux Consumption Function App behind the gateway runs the end-of-life Functions v3 runtime, which stopped after 30 September 2026",
    page: include_str!("../../rules/AGW048.md"),
};

impl Rule for LinuxConsumptionFunctionsV3 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        // A set, not a list: every routed site of the scan goes in (a list made the rule
        // quadratic in the number of sites).
        let mut seen: crate::model::HashSet<*const Site> = crate::model::HashSet::default();
        for gw in &model.gateways {
            for (_, site, _) in routed_site_pairs(model, gw) {
                if !seen.insert(std::ptr::from_ref(site)) {
                    continue;
                }
                check_site(model, &gw.res.display_name(), site, cx);
            }
        }
    }
}

/// `~3`, `3`, or a pinned `3.x.y`.
fn is_v3(version: &str) -> bool {
    let v = version.trim();
    let v = v.strip_prefix('~').unwrap_or(v);
    v == "3" || v.starts_with("3.")
}

/// The `FUNCTIONS_EXTENSION_VERSION` setting when it is Known and v3 in every place it is
/// written; `Err(())` when a value or the settings are Unknown (skipped); `Ok(None)` otherwise.
fn v3_setting(site: &Site) -> Result<Option<&KeyValue>, ()> {
    let Some(items) = site.app_settings.items() else {
        return Err(());
    };
    let mut found = None;
    for kv in items
        .iter()
        .filter(|kv| kv.key.eq_ignore_ascii_case("FUNCTIONS_EXTENSION_VERSION"))
    {
        match kv.value.get() {
            Some(v) if is_v3(v) => found = found.or(Some(kv)),
            // Another version written as well: not decided here.
            Some(_) => return Ok(None),
            None if kv.value.is_unknown() => return Err(()),
            None => {}
        }
    }
    Ok(found)
}

/// Linux when the site's kind says so (`functionapp,linux`) or its plan's OS does (ARM plan
/// kind `linux`, Terraform `os_type = "Linux"`); `None` when neither is Known to say Linux.
fn linux_by(site: &Site, plan: &Plan) -> Option<Span> {
    let says_linux = |k: &crate::model::Val<String>| {
        k.get().is_some_and(|s| {
            s.to_ascii_lowercase()
                .split(',')
                .any(|p| p.trim() == "linux")
        })
    };
    if says_linux(&site.kind) {
        return Some(site.kind.span_or(site.res.span));
    }
    if says_linux(&plan.kind) {
        return Some(plan.kind.span_or(plan.res.span));
    }
    None
}

fn check_site(model: &Model, gname: &str, site: &Site, cx: &mut RuleCx<'_>) {
    if site.is_function.get() != Some(&true) || !site.res.may_exist() {
        return;
    }
    let kv = match v3_setting(site) {
        Ok(Some(kv)) => kv,
        Ok(None) => return,
        Err(()) => {
            cx.skip(&site.res, "FUNCTIONS_EXTENSION_VERSION", &site.app_settings);
            return;
        }
    };
    let plan = match plan_of_site(model, site) {
        Lookup::Found(p) => p,
        Lookup::Absent => return,
        Lookup::Unknown => {
            cx.skip(&site.res, "serverFarmId", &site.plan);
            return;
        }
    };
    match plan_kind(plan) {
        Some(PlanKind::Consumption) => {}
        Some(_) => return,
        None => {
            if plan.sku_name.is_unknown() || plan.sku_tier.is_unknown() {
                cx.skip(&plan.res, "sku.name", &plan.sku_name);
            }
            return;
        }
    }
    if site.kind.is_unknown() && plan.kind.is_unknown() {
        cx.skip(&site.res, "kind", &site.kind);
        return;
    }
    let Some(linux_at) = linux_by(site, plan) else {
        return;
    };
    let sname = site.res.display_name();
    let pname = plan.res.display_name();
    let version = kv.value.get().map_or("~3", String::as_str);
    let d = site.res.dialect;
    let sku_at = if plan.sku_name.is_known() {
        plan.sku_name.span_or(plan.res.span)
    } else {
        plan.sku_tier.span_or(plan.res.span)
    };
    let f = cx
        .finding(
            format!(
                "function app \"{sname}\" (behind gateway \"{gname}\") runs Functions runtime \
                 {version} on Linux in Consumption plan \"{pname}\"; v3 apps on Linux \
                 Consumption stopped running after 30 September 2026"
            ),
            kv.value.span_or(kv.span),
        )
        .label("end-of-life v3 runtime")
        .related(sku_at, format!("Consumption plan \"{pname}\""))
        .related(linux_at, "Linux")
        .help(format!(
            "migrate the app to the v4 runtime ({} = \"~4\") after testing it on v4; to leave \
             Linux Consumption, which retires in 2028, move to Flex Consumption",
            d.prop("FUNCTIONS_EXTENSION_VERSION", "functions_extension_version")
        ))
        .origins(&kv.value)
        .resource(&site.res)
        .property(d.prop(
            "siteConfig.appSettings.FUNCTIONS_EXTENSION_VERSION",
            "functions_extension_version",
        ));
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Val};
    use crate::rules::testkit::*;

    fn setup(version: Val<String>, sku: &str, kind: &str) -> Model {
        let mut site = function(Dialect::Arm, "fn");
        site.kind = ks(kind);
        site.app_settings = k(vec![KeyValue {
            key: "FUNCTIONS_EXTENSION_VERSION".into(),
            value: version,
            span: sp(),
        }]);
        let plan = Plan {
            res: res(Dialect::Arm, "Microsoft.Web/serverfarms", "plan"),
            sku_name: ks(sku),
            ..Default::default()
        };
        site.plan = rref(&plan.res);
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        gw.settings = k(vec![settings("s", "Https", 443, true)]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        let mut m = model(gw, vec![site]);
        m.plans.push(plan);
        m.reindex();
        m
    }

    #[test]
    fn v3_on_linux_consumption_fires() {
        for v in ["~3", "3.0.15885", " ~3 "] {
            let f = run(
                &LinuxConsumptionFunctionsV3,
                &setup(ks(v), "Y1", "functionapp,linux"),
            );
            assert_eq!(f.len(), 1, "{v}");
            assert_eq!(f[0].severity, Severity::Error);
        }
    }

    #[test]
    fn silent_cases() {
        for m in [
            setup(ks("~4"), "Y1", "functionapp,linux"),
            setup(ks("~30"), "Y1", "functionapp,linux"),
            setup(ks("~3"), "EP1", "functionapp,linux"),
            setup(ks("~3"), "Y1", "functionapp"),
            setup(unk(), "Y1", "functionapp,linux"),
            setup(Val::absent(), "Y1", "functionapp,linux"),
        ] {
            assert!(run(&LinuxConsumptionFunctionsV3, &m).is_empty());
        }
        let mut m = setup(ks("~3"), "Y1", "functionapp,linux");
        m.sites[0].kind = unk();
        assert!(run(&LinuxConsumptionFunctionsV3, &m).is_empty());
        m.sites[0].kind = ks("functionapp,linux");
        m.plans[0].sku_name = unk();
        assert!(run(&LinuxConsumptionFunctionsV3, &m).is_empty());
    }
}
