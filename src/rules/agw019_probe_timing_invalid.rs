//! AGW019 probe-timing-invalid: probe `timeout` greater than `interval`, values outside their
//! ranges, timeouts too short for a cold-starting Function, or a probe that declares a backend
//! dead within seconds. The backend flaps to Unhealthy: intermittent 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::model::query_gateway::{
    PlanKind, function_site_of_pool, pairs_of_settings, plan_kind, plan_of_site,
    settings_using_probe,
};
use crate::model::{Dialect, Gateway, Lookup, Model, Probe, Site, Val};

/// See the module docs.
pub struct ProbeTimingInvalid;

static META: RuleMeta = RuleMeta {
    id: "AGW019",
    name: "probe-timing-invalid",
    severity: Severity::Error,
    summary: "Probe timeout exceeds interval, timing values are out of range, or the probe is too short for cold starts or too quick to mark a backend down",
    page: include_str!("../../rules/AGW019.md"),
};

impl Rule for ProbeTimingInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for p in gw.probes.iter() {
                check_probe(model, gw, p, cx);
            }
        }
    }
}

/// A Function on Consumption or Flex Consumption reached through this probe, if any.
fn cold_start_function<'a>(model: &'a Model, gw: &'a Gateway, p: &Probe) -> Option<&'a Site> {
    let (users, _) = settings_using_probe(gw, p);
    for s in users {
        for pair in pairs_of_settings(gw, s) {
            if let Lookup::Found(site) = function_site_of_pool(model, pair.pool)
                && let Lookup::Found(plan) = plan_of_site(model, site)
                && matches!(
                    plan_kind(plan),
                    Some(PlanKind::Consumption | PlanKind::FlexConsumption)
                )
            {
                return Some(site);
            }
        }
    }
    None
}

fn check_probe(model: &Model, gw: &Gateway, p: &Probe, cx: &mut RuleCx<'_>) {
    let d = gw.res.dialect;
    let hard = if d == Dialect::Terraform {
        Severity::Error
    } else {
        Severity::Warning
    };
    let pname = p.name.display_name();
    let gname = gw.res.display_name();
    let base = |cx: &RuleCx<'_>, v: &Val<i64>, arm: &str, msg: String| -> Finding {
        cx.finding(
            format!("probe \"{pname}\" of gateway \"{gname}\" {msg}"),
            v.span_or(p.span),
        )
        .origins(v)
        .resource(&gw.res)
        .property(format!("probes[{pname}].{arm}"))
    };
    let interval = p.interval.num(30);
    let timeout = p.timeout.num(30);
    let threshold = p.unhealthy_threshold.num(3);
    let thr_prop = d.prop("unhealthyThreshold", "unhealthy_threshold");
    let mut ranged = true;
    for (v, arm, val, lo, hi) in [
        (&p.interval, "interval", interval, 1, 86400),
        (&p.timeout, "timeout", timeout, 1, 86400),
        (
            &p.unhealthy_threshold,
            "unhealthyThreshold",
            threshold,
            1,
            20,
        ),
    ] {
        let Some(val) = val else {
            cx.skip(&gw.res, super::skip::probes(&p.name, arm), v);
            continue;
        };
        if !(lo..=hi).contains(&val) {
            ranged = false;
            let shown = if arm == "unhealthyThreshold" {
                thr_prop
            } else {
                arm
            };
            let f = base(
                cx,
                v,
                arm,
                format!("has `{shown}` {val}, outside {lo}-{hi}"),
            )
            .label(format!("allowed range is {lo}-{hi}"))
            .help(format!("set `{shown}` between {lo} and {hi}"))
            .severity(hard);
            cx.emit(f);
        }
    }
    let (Some(interval), Some(timeout), Some(threshold)) = (interval, timeout, threshold) else {
        return;
    };
    if !ranged {
        return;
    }
    if timeout > interval {
        let f = base(
            cx,
            &p.timeout,
            "timeout",
            format!("has `timeout` {timeout} greater than `interval` {interval}"),
        )
        .label("a probe cannot outlast the interval to the next one")
        .related(
            p.interval.span_or(p.span),
            format!("interval is {interval} s"),
        )
        .help("make `timeout` at most `interval` (e.g. both 30)")
        // Terraform (azurerm >= v4.67.0) rejects it at plan; the API accepts it (Microsoft's own
        // PowerShell example uses interval 30, timeout 120), so in ARM it is a note.
        .severity(if d == Dialect::Terraform {
            Severity::Error
        } else {
            Severity::Info
        });
        cx.emit(f);
        return;
    }
    if timeout < 5
        && let Some(site) = cold_start_function(model, gw, p)
    {
        let f = base(
            cx,
            &p.timeout,
            "timeout",
            format!(
                "has `timeout` {timeout} s for Function \"{}\" on a Consumption plan, shorter than a cold start",
                site.res.display_name()
            ),
        )
        .label("a cold start takes several seconds")
        .help("use a timeout of at least 5 s (30 s is the default)")
        .severity(Severity::Warning);
        cx.emit(f);
    }
    // The documented risk is a low unhealthy threshold: "Setting a low unhealthy threshold
    // might mean that short, transient failures might take down a backend" (Well-Architected),
    // "The default value of three ensures that transient faults ... don't trigger Application
    // Gateway to unnecessarily mark the server as unhealthy" (Reliability). Not the product of
    // interval and threshold: a 1 s probe with threshold 9 needs nine consecutive failures.
    if threshold == 1 {
        let f = base(
            cx,
            &p.unhealthy_threshold,
            "unhealthyThreshold",
            format!("marks a backend Unhealthy after a single failed probe (`{thr_prop}` 1)"),
        )
        .label("one slow or failed response takes the backend out of rotation")
        .help(format!("use `{thr_prop}` of at least 2 (the default is 3)"))
        .severity(Severity::Warning);
        cx.emit(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Plan, Val};
    use crate::rules::testkit::*;

    fn setup(d: Dialect, interval: Val<i64>, timeout: Val<i64>, threshold: Val<i64>) -> Model {
        let mut gw = gateway(d);
        gw.probes = k(vec![Probe {
            name: ks("probe"),
            protocol: ks("Https"),
            path: ks("/"),
            interval,
            timeout,
            unhealthy_threshold: threshold,
            span: sp(),
            ..Default::default()
        }]);
        model(gw, vec![])
    }

    #[test]
    fn timeout_over_interval_by_dialect() {
        let f = run(
            &ProbeTimingInvalid,
            &setup(Dialect::Terraform, k(10), k(30), Val::absent()),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        let f = run(
            &ProbeTimingInvalid,
            &setup(Dialect::Arm, k(10), Val::absent(), Val::absent()),
        );
        assert_eq!(f[0].severity, Severity::Info);
        assert!(
            run(
                &ProbeTimingInvalid,
                &setup(Dialect::Arm, Val::absent(), Val::absent(), Val::absent())
            )
            .is_empty()
        );
        assert!(
            run(
                &ProbeTimingInvalid,
                &setup(Dialect::Arm, unk(), k(30), k(3))
            )
            .is_empty()
        );
    }

    #[test]
    fn ranges_and_fast_flapping() {
        let f = run(
            &ProbeTimingInvalid,
            &setup(Dialect::Terraform, k(30), k(30), k(25)),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("outside 1-20"));
        // Audit case 22: 1 s x 9 is fine, 30 s x 1 is the documented risk.
        assert!(run(&ProbeTimingInvalid, &setup(Dialect::Arm, k(1), k(1), k(9))).is_empty());
        let f = run(
            &ProbeTimingInvalid,
            &setup(Dialect::Arm, k(30), k(30), k(1)),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("single failed probe"));
    }

    #[test]
    fn short_timeout_on_consumption() {
        let plan = Plan {
            res: res(Dialect::Arm, "Microsoft.Web/serverfarms", "plan"),
            sku_name: ks("Y1"),
            ..Default::default()
        };
        let mut site = function(Dialect::Arm, "fn");
        site.plan = rref(&plan.res);
        let mut m = setup(Dialect::Arm, k(30), k(2), k(3));
        let gw = &mut m.gateways[0];
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        let mut s = settings("s", "Https", 443, true);
        s.probe = named("probe");
        gw.settings = k(vec![s]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        m.sites.push(site);
        m.plans.push(plan);
        m.reindex();
        let f = run(&ProbeTimingInvalid, &m);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("cold start"));
    }
}
