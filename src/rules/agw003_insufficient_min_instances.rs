//! AGW003 insufficient-min-instances: a v2 gateway that reserves fewer than two instances
//! loses capacity for minutes when an instance fails or traffic spikes (transient 502/504).

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SkuFamily;
use crate::model::{Lattice, Model};

/// See the module docs.
pub struct InsufficientMinInstances;

static META: RuleMeta = RuleMeta {
    id: "AGW003",
    name: "insufficient-min-instances",
    severity: Severity::Warning,
    summary: "v2 gateway reserves fewer than 2 instances (capacity or autoscale minCapacity)",
    page: include_str!("../../rules/AGW003.md"),
};

/// Options: `rules: { AGW003: { min_instances: 3 } }`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// Reserved instances a v2 gateway must have (default 2).
    pub min_instances: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options { min_instances: 2 }
    }
}

/// The `min_instances` option.
fn min_instances(cx: &RuleCx<'_>) -> i64 {
    i64::from(cx.options_as::<Options>().min_instances)
}

impl Rule for InsufficientMinInstances {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn options(&self) -> super::OptionsSpec {
        super::OptionsSpec::of::<Options>()
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        let want = min_instances(cx);
        for gw in &model.gateways {
            match gw.sku_family() {
                Some(SkuFamily::V2) => {}
                Some(_) => continue,
                None => {
                    if gw.sku.name.is_unknown() || gw.sku.tier.is_unknown() {
                        cx.skip(&gw.res, "sku", super::skip::sku(gw));
                    }
                    continue;
                }
            }
            let d = gw.res.dialect;
            let (val, prop, logical, what) = match &gw.autoscale.state {
                Lattice::Unknown(_) => {
                    cx.skip(&gw.res, "autoscaleConfiguration", &gw.autoscale);
                    continue;
                }
                Lattice::Known(a) => (
                    &a.min_capacity,
                    d.prop(
                        "autoscaleConfiguration.minCapacity",
                        "autoscale_configuration.min_capacity",
                    ),
                    "autoscaleConfiguration.minCapacity",
                    "reserves",
                ),
                Lattice::Absent => (
                    &gw.sku.capacity,
                    d.prop("sku.capacity", "sku.capacity"),
                    "sku.capacity",
                    "runs",
                ),
            };
            // An omitted value is AGW002's business (or the API's required field), not ours.
            let n = match &val.state {
                Lattice::Known(n) => *n,
                Lattice::Unknown(_) => {
                    cx.skip(&gw.res, logical, val);
                    continue;
                }
                Lattice::Absent => continue,
            };
            if n >= want {
                continue;
            }
            // Autoscale: "each gateway is always created with a minimum of two instances"
            // (Reliability in Application Gateway v2); a low minimum only means no reserved
            // capacity for bursts, since scale-out takes minutes: info. Manual capacity below
            // 2 stays a warning (PSRule Azure.AppGw.MinInstance, the SLA).
            let autoscale = what == "reserves";
            let (label, sev) = if autoscale {
                (
                    format!(
                        "{n} reserved beyond the platform's two instances; a new instance takes 3–7 minutes to provision"
                    ),
                    Severity::Info,
                )
            } else {
                (
                    format!(
                        "{n} instance configured; fewer than the {want} the SLA guidance asks for"
                    ),
                    Severity::Warning,
                )
            };
            let f = cx
                .finding(
                    format!(
                        "gateway \"{}\" {what} only {n} instance{} (`{prop}`), fewer than {want}",
                        gw.res.display_name(),
                        if n == 1 { "" } else { "s" }
                    ),
                    val.span_or(gw.res.span),
                )
                .label(label)
                .help(if autoscale {
                    format!(
                        "size `{prop}` from the peak compute units if traffic bursts faster than \
                         scale-out"
                    )
                } else {
                    format!("set `{prop}` to at least {want}, or use autoscaling")
                })
                .severity(sev)
                .origins(val)
                .resource(&gw.res)
                .property(logical);
            cx.emit(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Autoscale, Dialect, Val};
    use crate::rules::testkit::*;

    #[test]
    fn capacity_one_warns_two_passes() {
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = k(1);
        let span = gw.sku.capacity.span;
        let f = run(&InsufficientMinInstances, &model(gw, vec![]));
        assert_eq!(f.len(), 1);
        assert_eq!(Some(f[0].primary), span);
        assert!(
            run(
                &InsufficientMinInstances,
                &model(gateway(Dialect::Arm), vec![])
            )
            .is_empty()
        );
    }

    #[test]
    fn autoscale_min_zero_warns_and_capacity_is_ignored() {
        let mut gw = gateway(Dialect::Terraform);
        gw.sku.capacity = Val::absent();
        gw.autoscale = k(Autoscale {
            min_capacity: k(0),
            max_capacity: k(10),
            span: sp(),
        });
        let f = run(&InsufficientMinInstances, &model(gw, vec![]));
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("autoscale_configuration.min_capacity")
        );
    }

    #[test]
    fn unknown_absent_and_v1_are_quiet() {
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = unk();
        assert!(run(&InsufficientMinInstances, &model(gw, vec![])).is_empty());
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = Val::absent();
        assert!(run(&InsufficientMinInstances, &model(gw, vec![])).is_empty());
        let mut gw = gateway(Dialect::Arm);
        gw.sku.name = ks("Standard_Small");
        gw.sku.tier = ks("Standard");
        gw.sku.capacity = k(1);
        assert!(run(&InsufficientMinInstances, &model(gw, vec![])).is_empty());
    }

    #[test]
    fn option_raises_the_bar() {
        let opts = serde_json::json!({ "min_instances": 3 });
        let f = run_with(
            &InsufficientMinInstances,
            &model(gateway(Dialect::Arm), vec![]),
            Some(&opts),
        );
        assert_eq!(f.len(), 1);
    }
}
