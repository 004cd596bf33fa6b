//! AGW014 request-timeout-vs-function: the backend request timeout is shorter than the
//! Function behind it may take (or than a Consumption cold start): v1 answers 502, v2 retries
//! and then answers 504.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_gateway::{
    PlanKind, function_site_of_pool, function_timeout_setting, parse_timespan_seconds, plan_kind,
    plan_of_site, routed_settings,
};
use crate::model::{Dialect, Lookup, Model, Site};

/// See the module docs.
pub struct RequestTimeoutVsFunction;

static META: RuleMeta = RuleMeta {
    id: "AGW014",
    name: "request-timeout-vs-function",
    severity: Severity::Warning,
    summary: "Backend request timeout is shorter than the Function's expected duration or a cold start",
    page: include_str!("../../rules/AGW014.md"),
};

/// HTTP-triggered functions must answer within 230 s whatever `functionTimeout` says.
const HTTP_CAP: i64 = 230;
/// `requestTimeout` when an ARM template omits it (Learn: "By default, this interval is 20
/// seconds").
const ARM_DEFAULT_TIMEOUT: i64 = 20;
/// `request_timeout` when a Terraform configuration omits it (azurerm schema `Default: 30`).
const TF_DEFAULT_TIMEOUT: i64 = 30;

/// Options: `rules: { AGW014: { function_timeout_seconds: 120 } }`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// The expected duration of the slowest HTTP-triggered function behind the gateway, in
    /// seconds; used when the app setting `AzureFunctionsJobHost__functionTimeout` is not in
    /// the scan.
    pub function_timeout_seconds: Option<u32>,
}

/// The `function_timeout_seconds` option.
fn option_seconds(cx: &RuleCx<'_>) -> Option<i64> {
    cx.options_as::<Options>()
        .function_timeout_seconds
        .map(i64::from)
}

/// A `functionTimeout` in seconds, -1 (unlimited) as `i64::MAX`.
fn uncapped(secs: i64) -> i64 {
    if secs < 0 { i64::MAX } else { secs }
}

/// What the function may take (the option capped at 230 s; `functionTimeout` as written), and
/// where that comes from.
enum Expected<'a> {
    Option(i64),
    Setting(i64, &'a crate::model::KeyValue),
    /// `functionTimeout` in the linked code's host.json.
    Host(i64, &'a crate::model::Val<String>),
}

fn expected<'a>(cx: &RuleCx<'_>, model: &'a Model, site: &'a Site) -> Option<Expected<'a>> {
    if let Some(n) = option_seconds(cx) {
        return Some(Expected::Option(n.min(HTTP_CAP)));
    }
    let Some(kv) = function_timeout_setting(site) else {
        // The app setting overrides host.json; without it, host.json decides.
        let v = crate::model::query_app::host_function_timeout(model, site)?;
        let secs = parse_timespan_seconds(v.get()?)?;
        return Some(Expected::Host(uncapped(secs), v));
    };
    let secs = parse_timespan_seconds(kv.value.get()?)?;
    Some(Expected::Setting(uncapped(secs), kv))
}

impl Rule for RequestTimeoutVsFunction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn options(&self) -> super::OptionsSpec {
        super::OptionsSpec::of::<Options>()
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let d = gw.res.dialect;
            let tprop = d.prop("requestTimeout", "request_timeout");
            for (s, pools) in routed_settings(gw) {
                let site = pools
                    .iter()
                    .find_map(|p| function_site_of_pool(model, p).found());
                let Some(site) = site else {
                    continue;
                };
                // ARM omitted ⇒ 20 s (Learn, "Troubleshoot bad gateway (502) errors", ms.date
                // 08/28/2026: "By default, this interval is 20 seconds"); the azurerm provider
                // sends its schema default, 30.
                let default = match d {
                    Dialect::Arm => ARM_DEFAULT_TIMEOUT,
                    Dialect::Terraform => TF_DEFAULT_TIMEOUT,
                };
                let Some(timeout) = s.request_timeout.num(default) else {
                    cx.skip(
                        &gw.res,
                        super::skip::settings(&s.name, "requestTimeout"),
                        &s.request_timeout,
                    );
                    continue;
                };
                let sname = s.name.display_name();
                let fname = site.res.display_name();
                let gname = gw.res.display_name();
                let shown = if s.request_timeout.is_absent() {
                    match d {
                        Dialect::Arm => format!("`{tprop}` is not set (20 s by default)"),
                        Dialect::Terraform => {
                            format!("`{tprop}` is not set (provider default 30 s)")
                        }
                    }
                } else {
                    format!("`{tprop}` is {timeout} s")
                };
                let primary = s.request_timeout.span_or(s.span);
                let base = |cx: &RuleCx<'_>, msg: String| {
                    cx.finding(
                        format!("backend settings \"{sname}\" of gateway \"{gname}\" {msg}"),
                        primary,
                    )
                    .origins(&s.request_timeout)
                    .resource(&gw.res)
                    .property(format!(
                        "backendHttpSettingsCollection[{sname}].requestTimeout"
                    ))
                };
                // (a) shorter than the function may run.
                if let Some(exp) = expected(cx, model, site) {
                    let (raw, origin, host) = match &exp {
                        Expected::Option(n) => (*n, None, None),
                        Expected::Setting(n, kv) => (*n, Some(*kv), None),
                        Expected::Host(n, v) => (*n, None, Some(*v)),
                    };
                    // HTTP triggers are cut at 230 s whatever `functionTimeout` says.
                    let secs = raw.min(HTTP_CAP);
                    if timeout < secs {
                        // `functionTimeout` (app setting or host.json) caps every trigger: one
                        // above the 230 s HTTP cap (or unlimited) was raised for queue or timer
                        // functions and says nothing about HTTP latency: info. Within the cap,
                        // or the option (the HTTP latency stated): warning.
                        let severity = match exp {
                            Expected::Option(_) => Severity::Warning,
                            _ if raw > HTTP_CAP => Severity::Info,
                            _ => Severity::Warning,
                        };
                        let mut f = base(cx, format!(
                            "time out after {timeout} s but Function App \"{fname}\" may run up to {secs} s"
                        ))
                        .label(format!("{shown}; requests running longer fail"))
                        .help(format!(
                            "raise `{tprop}` to the functions' realistic p99 (at most {HTTP_CAP} s \
                             is useful for HTTP triggers), or move long work to an async pattern"
                        ))
                        .severity(severity);
                        if let Some(kv) = origin {
                            f = f
                                .related(
                                    kv.span,
                                    format!(
                                        "functionTimeout {}",
                                        kv.value.get().cloned().unwrap_or_default()
                                    ),
                                )
                                .origins(&kv.value);
                        }
                        if let Some(v) = host
                            && let Some(sp) = v.span
                        {
                            f = f.related(
                                sp,
                                format!(
                                    "host.json functionTimeout {}",
                                    v.get().cloned().unwrap_or_default()
                                ),
                            );
                        }
                        cx.emit(f);
                        continue;
                    }
                }
                // (b) cold starts on Consumption / Flex without always-ready instances.
                if timeout <= 30 {
                    let cold = match plan_of_site(model, site) {
                        Lookup::Found(plan) => match plan_kind(plan) {
                            Some(PlanKind::Consumption) => Some(("Consumption", plan)),
                            // The ARM front-end does not map `functionAppConfig.scaleAndConcurrency
                            // .alwaysReady`: an omitted value means "none" only in Terraform.
                            Some(PlanKind::FlexConsumption) => {
                                let none_ready = match site.always_ready.get() {
                                    Some(v) => Some(!v),
                                    None if site.always_ready.is_absent()
                                        && site.res.dialect == Dialect::Terraform =>
                                    {
                                        Some(true)
                                    }
                                    None => None,
                                };
                                match none_ready {
                                    Some(true) => Some((
                                        "Flex Consumption without always-ready instances",
                                        plan,
                                    )),
                                    Some(false) => None,
                                    None => {
                                        cx.skip(&site.res, "alwaysReady", &site.always_ready);
                                        None
                                    }
                                }
                            }
                            Some(PlanKind::Other) => None,
                            None => {
                                cx.skip_at(&plan.res, "sku", None);
                                None
                            }
                        },
                        Lookup::Absent => None,
                        Lookup::Unknown => {
                            cx.skip(&site.res, "serverFarmId", &site.plan);
                            None
                        }
                    };
                    if let Some((what, plan)) = cold {
                        let f = base(cx, format!(
                            "time out after {timeout} s in front of Function App \"{fname}\" on a {what} plan"
                        ))
                        .label(format!("{shown}; a cold start can take longer"))
                        .related(
                            plan.sku_name.span_or(plan.res.span),
                            format!("plan \"{}\"", plan.res.display_name()),
                        )
                        .help(format!(
                            "raise `{tprop}` (60–120 s), or run the app on Premium / Flex \
                             Consumption with always-ready instances"
                        ));
                        cx.emit(f);
                        continue;
                    }
                }
                // (c) longer than HTTP triggers may run: no benefit.
                if timeout > HTTP_CAP {
                    let f = base(cx, format!(
                        "wait {timeout} s for Function App \"{fname}\", longer than the {HTTP_CAP} s an HTTP trigger may run"
                    ))
                    .label(format!("{shown}; the platform cuts HTTP requests at {HTTP_CAP} s"))
                    .help("keep the timeout at or below 230 s and use an async (Durable) pattern for long work")
                    .severity(Severity::Info);
                    cx.emit(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{KeyValue, Plan, Val};
    use crate::rules::testkit::*;

    fn setup(timeout: Val<i64>, plan_sku: &str, fn_timeout: Option<&str>) -> Model {
        let plan = Plan {
            res: res(Dialect::Arm, "Microsoft.Web/serverfarms", "plan"),
            sku_name: ks(plan_sku),
            ..Default::default()
        };
        let mut site = function(Dialect::Arm, "fn");
        site.plan = rref(&plan.res);
        if let Some(t) = fn_timeout {
            site.app_settings = k(vec![KeyValue {
                key: "AzureFunctionsJobHost__functionTimeout".into(),
                value: ks(t),
                span: sp(),
            }]);
        }
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool_to_site("pool", &site)]);
        let mut s = settings("s", "Https", 443, true);
        s.request_timeout = timeout;
        gw.settings = k(vec![s]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        let mut m = model(gw, vec![site]);
        m.plans.push(plan);
        m.reindex();
        m
    }

    #[test]
    fn shorter_than_function_timeout_warns_within_the_http_cap() {
        // A functionTimeout above 230 s was raised for queue/timer functions: info.
        let f = run(
            &RequestTimeoutVsFunction,
            &setup(k(60), "EP1", Some("00:05:00")),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("230 s"), "{}", f[0].message);
        assert_eq!(f[0].severity, Severity::Info);
        let f = run(&RequestTimeoutVsFunction, &setup(k(60), "EP1", Some("-1")));
        assert_eq!(f[0].severity, Severity::Info);
        // Within the HTTP cap it bounds HTTP requests too: warning.
        let f = run(
            &RequestTimeoutVsFunction,
            &setup(k(60), "EP1", Some("00:02:00")),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("120 s"), "{}", f[0].message);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            run(
                &RequestTimeoutVsFunction,
                &setup(k(230), "EP1", Some("00:05:00"))
            )
            .is_empty()
        );
    }

    #[test]
    fn consumption_with_default_timeout_warns() {
        let f = run(&RequestTimeoutVsFunction, &setup(Val::absent(), "Y1", None));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("Consumption"));
        // An omitted ARM requestTimeout is the documented 20 s.
        assert!(f[0].message.contains("after 20 s"), "{}", f[0].message);
        assert!(run(&RequestTimeoutVsFunction, &setup(k(60), "Y1", None)).is_empty());
        assert!(
            run(
                &RequestTimeoutVsFunction,
                &setup(Val::absent(), "EP1", None)
            )
            .is_empty()
        );
    }

    #[test]
    fn option_and_info() {
        let opts = serde_json::json!({ "function_timeout_seconds": 90 });
        let f = run_with(
            &RequestTimeoutVsFunction,
            &setup(k(60), "EP1", None),
            Some(&opts),
        );
        assert_eq!(f.len(), 1);
        // The option states the HTTP latency: warning.
        assert_eq!(f[0].severity, Severity::Warning);
        let f = run(&RequestTimeoutVsFunction, &setup(k(600), "EP1", None));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
    }

    #[test]
    fn flex_always_ready_absent_only_counts_in_terraform() {
        let mut m = setup(Val::absent(), "FC1", None);
        assert!(run(&RequestTimeoutVsFunction, &m).is_empty());
        m.sites[0].res.dialect = Dialect::Terraform;
        assert_eq!(run(&RequestTimeoutVsFunction, &m).len(), 1);
        m.sites[0].always_ready = k(true);
        assert!(run(&RequestTimeoutVsFunction, &m).is_empty());
    }

    #[test]
    fn unknown_timeout_is_quiet() {
        assert!(
            run(
                &RequestTimeoutVsFunction,
                &setup(unk(), "Y1", Some("00:10:00"))
            )
            .is_empty()
        );
    }
}
