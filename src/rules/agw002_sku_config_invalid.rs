//! AGW002 sku-config-invalid: SKU name and tier that disagree, capacity out of range, or an
//! autoscale configuration the SKU cannot take. The deployment (or the Terraform plan) fails.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::model::query::{SkuFamily, sku_family_of};
use crate::model::{Gateway, Lattice, Model, Val};
use crate::source::Span;

/// See the module docs.
pub struct SkuConfigInvalid;

static META: RuleMeta = RuleMeta {
    id: "AGW002",
    name: "sku-config-invalid",
    severity: Severity::Error,
    summary: "Gateway SKU name and tier disagree, capacity is out of range, or autoscale is misconfigured",
    page: include_str!("../../rules/AGW002.md"),
};

/// The tier a SKU name belongs to (lower-case), for the name/tier agreement check.
fn tier_of_name(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "standard_small" | "standard_medium" | "standard_large" => Some("standard"),
        "waf_medium" | "waf_large" => Some("waf"),
        "standard_v2" => Some("standard_v2"),
        "waf_v2" => Some("waf_v2"),
        "basic" => Some("basic"),
        _ => None,
    }
}

/// Allowed manual capacity range per family.
fn capacity_range(f: SkuFamily) -> (i64, i64) {
    match f {
        SkuFamily::V1 => (1, 32),
        SkuFamily::V2 => (1, 125),
        SkuFamily::Basic => (1, 2),
    }
}

struct Emit<'a> {
    gw: &'a Gateway,
}

impl Emit<'_> {
    // One call site per condition reads better with every part named than with a builder.
    #[allow(clippy::too_many_arguments)]
    fn f<T>(
        &self,
        cx: &RuleCx<'_>,
        msg: String,
        val: &Val<T>,
        fallback: Span,
        label: String,
        help: &str,
        property: &str,
    ) -> Finding {
        cx.finding(
            format!("gateway \"{}\" {msg}", self.gw.res.display_name()),
            val.span_or(fallback),
        )
        .label(label)
        .help(help.to_string())
        .origins(val)
        .resource(&self.gw.res)
        .property(property.to_string())
    }
}

impl Rule for SkuConfigInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            check_gateway(gw, cx);
        }
    }
}

fn check_gateway(gw: &Gateway, cx: &mut RuleCx<'_>) {
    let d = gw.res.dialect;
    let e = Emit { gw };
    let sku_span = gw.sku.span.unwrap_or(gw.res.span);

    // (a) name and tier disagree. Whether the API rejects it is unverified: warning.
    if let (Some(n), Some(t)) = (gw.sku.name.get(), gw.sku.tier.get()) {
        if let Some(expected) = tier_of_name(n)
            && sku_family_of(t).is_some()
            && !t.eq_ignore_ascii_case(expected)
        {
            let f = e
                .f(
                    cx,
                    format!("has SKU name `{n}` but tier `{t}`"),
                    &gw.sku.tier,
                    sku_span,
                    format!("tier `{t}` does not match name `{n}`"),
                    "use the same SKU for name and tier (Standard_v2/Standard_v2 or WAF_v2/WAF_v2)",
                    "sku.tier",
                )
                .related(gw.sku.name.span_or(sku_span), format!("SKU name `{n}`"))
                .severity(Severity::Warning);
            cx.emit(f);
        }
    } else if gw.sku.name.is_unknown() || gw.sku.tier.is_unknown() {
        cx.skip(&gw.res, "sku", super::skip::sku(gw));
    }

    let Some(family) = gw.sku_family() else {
        return;
    };
    let cap_prop = d.prop("sku.capacity", "sku.capacity");
    let auto_prop = d.prop("autoscaleConfiguration", "autoscale_configuration");

    match &gw.autoscale.state {
        Lattice::Unknown(_) => cx.skip(&gw.res, "autoscaleConfiguration", &gw.autoscale),
        Lattice::Absent => match &gw.sku.capacity.state {
            // (b) v2 with neither capacity nor autoscale.
            Lattice::Absent if family == SkuFamily::V2 => {
                let f = e.f(
                    cx,
                    format!("sets neither `{cap_prop}` nor `{auto_prop}`"),
                    &gw.sku.capacity,
                    sku_span,
                    "no instance count and no autoscale configuration".into(),
                    "add an autoscale configuration (minCapacity 2, maxCapacity for peak) or a fixed capacity",
                    "sku.capacity",
                );
                cx.emit(f);
            }
            Lattice::Known(c) => check_capacity(&e, cx, family, *c, cap_prop),
            Lattice::Unknown(_) => cx.skip(&gw.res, "sku.capacity", &gw.sku.capacity),
            Lattice::Absent => {}
        },
        Lattice::Known(auto) => {
            let auto_span = auto.span;
            // (d) autoscale on Basic.
            if family == SkuFamily::Basic {
                let f = e.f(
                    cx,
                    format!("uses the Basic SKU with `{auto_prop}`"),
                    &gw.autoscale,
                    auto_span,
                    "Basic does not autoscale".into(),
                    "remove the autoscale configuration and set a capacity of 1 or 2, or use Standard_v2",
                    "autoscaleConfiguration",
                );
                cx.emit(f);
            }
            // (f) both capacity and autoscale: API behaviour unverified, warning.
            if let Lattice::Known(c) = &gw.sku.capacity.state {
                let f = e
                    .f(
                        cx,
                        format!("sets both `{cap_prop}` ({c}) and `{auto_prop}`"),
                        &gw.sku.capacity,
                        sku_span,
                        "fixed capacity together with autoscale".into(),
                        "remove the fixed capacity when autoscale is configured",
                        "sku.capacity",
                    )
                    .related(auto_span, "autoscale configuration")
                    .severity(Severity::Warning);
                cx.emit(f);
            }
            check_autoscale(&e, cx, auto);
        }
    }
}

fn check_capacity(e: &Emit<'_>, cx: &mut RuleCx<'_>, family: SkuFamily, c: i64, prop: &str) {
    let (lo, hi) = capacity_range(family);
    if (lo..=hi).contains(&c) {
        return;
    }
    let fam = match family {
        SkuFamily::V1 => "v1",
        SkuFamily::V2 => "v2",
        SkuFamily::Basic => "Basic",
    };
    let f = e.f(
        cx,
        format!("has `{prop}` {c}, outside the {fam} range {lo}–{hi}"),
        &e.gw.sku.capacity,
        e.gw.sku.span.unwrap_or(e.gw.res.span),
        format!("{fam} capacity must be {lo}–{hi}"),
        "set a capacity inside the range the SKU allows",
        "sku.capacity",
    );
    cx.emit(f);
}

fn check_autoscale(e: &Emit<'_>, cx: &mut RuleCx<'_>, auto: &crate::model::Autoscale) {
    let d = e.gw.res.dialect;
    let min_p = d.prop(
        "autoscaleConfiguration.minCapacity",
        "autoscale_configuration.min_capacity",
    );
    let max_p = d.prop(
        "autoscaleConfiguration.maxCapacity",
        "autoscale_configuration.max_capacity",
    );
    let help = "minCapacity must be 0–100 and maxCapacity 2–125, with maxCapacity ≥ minCapacity";
    let min = &auto.min_capacity;
    let max = &auto.max_capacity;
    if let Some(m) = min.get()
        && !(0..=100).contains(m)
    {
        let f = e.f(
            cx,
            format!("has `{min_p}` {m}, outside 0–100"),
            min,
            auto.span,
            "minCapacity must be 0–100".into(),
            help,
            "autoscaleConfiguration.minCapacity",
        );
        cx.emit(f);
    }
    // maxCapacity defaults to 10 when omitted.
    let Some(mx) = max.num(10) else {
        cx.skip(&e.gw.res, "autoscaleConfiguration.maxCapacity", max);
        return;
    };
    if !(2..=125).contains(&mx) {
        let f = e.f(
            cx,
            format!("has `{max_p}` {mx}, outside 2–125"),
            max,
            auto.span,
            "maxCapacity must be 2–125".into(),
            help,
            "autoscaleConfiguration.maxCapacity",
        );
        cx.emit(f);
    } else if let Some(m) = min.get() {
        if mx < *m && (0..=100).contains(m) {
            let label = if max.is_absent() {
                format!("maxCapacity defaults to 10, below minCapacity {m}")
            } else {
                format!("maxCapacity {mx} is below minCapacity {m}")
            };
            let f = e
                .f(
                    cx,
                    format!("has `{max_p}` {mx} below `{min_p}` {m}"),
                    max,
                    auto.span,
                    label,
                    help,
                    "autoscaleConfiguration.maxCapacity",
                )
                .related(min.span_or(auto.span), format!("minCapacity {m}"));
            cx.emit(f);
        }
    } else if min.is_unknown() {
        cx.skip(&e.gw.res, "autoscaleConfiguration.minCapacity", min);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Autoscale, Dialect};
    use crate::rules::testkit::*;

    fn auto(min: Val<i64>, max: Val<i64>) -> Val<Autoscale> {
        k(Autoscale {
            min_capacity: min,
            max_capacity: max,
            span: sp(),
        })
    }

    #[test]
    fn valid_v2_is_quiet() {
        let m = model(gateway(Dialect::Arm), vec![]);
        assert!(run(&SkuConfigInvalid, &m).is_empty());
        let mut gw = gateway(Dialect::Terraform);
        gw.sku.capacity = Val::absent();
        gw.autoscale = auto(k(2), k(10));
        assert!(run(&SkuConfigInvalid, &model(gw, vec![])).is_empty());
    }

    #[test]
    fn name_tier_mismatch_is_a_warning_at_the_tier() {
        let mut gw = gateway(Dialect::Arm);
        gw.sku.tier = ks("WAF_v2");
        let tier_span = gw.sku.tier.span;
        let f = run(&SkuConfigInvalid, &model(gw, vec![]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(Some(f[0].primary), tier_span);
        assert_eq!(f[0].property.as_deref(), Some("sku.tier"));
    }

    #[test]
    fn v2_without_capacity_or_autoscale() {
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = Val::absent();
        let f = run(&SkuConfigInvalid, &model(gw, vec![]));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("neither"), "{}", f[0].message);
    }

    #[test]
    fn capacity_ranges() {
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = k(126);
        assert_eq!(run(&SkuConfigInvalid, &model(gw, vec![])).len(), 1);
        let mut gw = gateway(Dialect::Arm);
        gw.sku.name = ks("Basic");
        gw.sku.tier = ks("Basic");
        gw.sku.capacity = k(3);
        assert_eq!(run(&SkuConfigInvalid, &model(gw, vec![])).len(), 1);
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = unk();
        assert!(run(&SkuConfigInvalid, &model(gw, vec![])).is_empty());
    }

    #[test]
    fn autoscale_bounds_and_absent_max_default() {
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = Val::absent();
        gw.autoscale = auto(k(12), Val::absent());
        let f = run(&SkuConfigInvalid, &model(gw, vec![]));
        assert_eq!(f.len(), 1);
        assert!(
            f[0].primary_label
                .as_deref()
                .unwrap_or("")
                .contains("defaults to 10")
        );
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = Val::absent();
        gw.autoscale = auto(k(0), k(1));
        assert_eq!(run(&SkuConfigInvalid, &model(gw, vec![])).len(), 1);
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = Val::absent();
        gw.autoscale = auto(unk(), k(5));
        assert!(run(&SkuConfigInvalid, &model(gw, vec![])).is_empty());
    }

    #[test]
    fn basic_autoscale_and_both_set() {
        let mut gw = gateway(Dialect::Arm);
        gw.sku.name = ks("Basic");
        gw.sku.tier = ks("Basic");
        gw.sku.capacity = Val::absent();
        gw.autoscale = auto(k(1), k(2));
        let f = run(&SkuConfigInvalid, &model(gw, vec![]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        let mut gw = gateway(Dialect::Arm);
        gw.autoscale = auto(k(2), k(10));
        let f = run(&SkuConfigInvalid, &model(gw, vec![]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
    }
}
