//! AGW043 ssl-policy-retired: a front-end TLS policy that allows TLS 1.0/1.1 or retired cipher
//! suites (predefined `AppGwSslPolicy20150501`/`20170401`, custom policies with TLSv1_0/1_1),
//! or a legacy form. Such policies can no longer be associated since
//! August 2025: the deployment fails.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_site::api_version_at_least;
use crate::model::{Dialect, Gateway, Lattice, Model, SslPolicy};

/// See the module docs.
pub struct SslPolicyRetired;

static META: RuleMeta = RuleMeta {
    id: "AGW043",
    name: "ssl-policy-retired",
    severity: Severity::Error,
    summary: "The gateway's TLS policy allows TLS 1.0/1.1 or retired cipher suites",
    page: include_str!("../../rules/AGW043.md"),
};

const RETIRED_POLICIES: &[&str] = &["appgwsslpolicy20150501", "appgwsslpolicy20170401"];

/// Cipher suites retired with TLS 1.0/1.1: all DHE, all 3DES, ECDHE_RSA CBC with SHA256/384.
fn retired_cipher(c: &str) -> bool {
    let u = c.to_ascii_uppercase();
    u.starts_with("TLS_DHE_")
        || u.contains("_3DES_")
        || (u.contains("ECDHE_RSA") && (u.ends_with("_CBC_SHA384") || u.ends_with("_CBC_SHA256")))
}

impl Rule for SslPolicyRetired {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            match &gw.ssl_policy.state {
                Lattice::Known(p) => check_policy(gw, p, cx),
                Lattice::Absent => check_absent(gw, cx),
                Lattice::Unknown(_) => cx.skip(&gw.res, "sslPolicy", &gw.ssl_policy),
            }
        }
    }
}

fn check_absent(gw: &Gateway, cx: &mut RuleCx<'_>) {
    if gw.res.dialect != Dialect::Arm {
        return;
    }
    let Some(api) = gw.api_version.get() else {
        return;
    };
    if api_version_at_least(api, "2023-02-01") {
        return;
    }
    // The front-end TLS policy only governs listeners that terminate TLS: without an Https
    // listener the old default policy is never negotiated.
    match terminates_tls(gw) {
        Some(true) => {}
        Some(false) => return,
        None => {
            cx.skip(&gw.res, "httpListeners.protocol", &gw.listeners);
            return;
        }
    }
    let gname = gw.res.display_name();
    let f = cx
        .finding(
            format!(
                "gateway \"{gname}\" has no `sslPolicy` and api-version {api}, whose default policy \
                 was AppGwSslPolicy20150501 (TLS 1.0)"
            ),
            gw.api_version.span_or(gw.res.span),
        )
        .label("before api-version 2023-02-01 the default policy allowed TLS 1.0")
        .help("set `sslPolicy` to `{ \"policyType\": \"Predefined\", \"policyName\": \"AppGwSslPolicy20220101\" }`, or use api-version 2023-02-01 or later")
        .severity(Severity::Warning)
        .resource(&gw.res)
        .property("sslPolicy");
    cx.emit(f);
}

/// Whether some listener of the gateway uses `Https`; `None` when that cannot be known.
fn terminates_tls(gw: &Gateway) -> Option<bool> {
    let mut unknown = false;
    for l in gw.listeners.items()? {
        match l.protocol.decidable() {
            Some(Some(p)) if p.eq_ignore_ascii_case("Https") => return Some(true),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

fn check_policy(gw: &Gateway, p: &SslPolicy, cx: &mut RuleCx<'_>) {
    let d = gw.res.dialect;
    let gname = gw.res.display_name();
    let Some(ptype) = p.policy_type.decidable() else {
        cx.skip(&gw.res, "sslPolicy.policyType", &p.policy_type);
        return;
    };
    let ptype = ptype.map(|t| t.to_ascii_lowercase());
    let base = |cx: &RuleCx<'_>, msg: String, span, prop: &str| {
        cx.finding(format!("ssl policy of gateway \"{gname}\" {msg}"), span)
            .resource(&gw.res)
            .property(format!("sslPolicy.{prop}"))
    };
    let name_prop = d.prop("policyName", "policy_name");
    let name = p.policy_name.get().map(|n| n.to_ascii_lowercase());
    // Predefined (or a name with no type written).
    if matches!(ptype.as_deref(), Some("predefined") | None)
        && let Some(n) = &name
        && RETIRED_POLICIES.contains(&n.as_str())
    {
        let shown = p.policy_name.get().cloned().unwrap_or_default();
        let f = base(
            cx,
            format!("uses retired predefined policy `{shown}`"),
            p.policy_name.span_or(p.span),
            "policyName",
        )
        .label("TLS 1.0/1.1 policies can no longer be associated since 31 Aug 2025")
        .help(format!(
            "set `{name_prop}` to `AppGwSslPolicy20220101` (or `AppGwSslPolicy20220101S`)"
        ))
        .origins(&p.policy_name);
        cx.emit(f);
    }
    if matches!(ptype.as_deref(), Some("custom" | "customv2")) {
        if let Some(v) = p.min_protocol_version.get()
            && ["tlsv1_0", "tlsv1_1"].contains(&v.to_ascii_lowercase().as_str())
        {
            let f = base(
                cx,
                format!("allows {v} as the minimum protocol version"),
                p.min_protocol_version.span_or(p.span),
                "minProtocolVersion",
            )
            .label("TLS 1.0/1.1 retired on 31 Aug 2025")
            .help(format!(
                "set `{}` to `TLSv1_2`",
                d.prop("minProtocolVersion", "min_protocol_version")
            ))
            .origins(&p.min_protocol_version);
            cx.emit(f);
        }
        // The cipher retirement "affects only the 'Custom' policy" (TLSRET); `CustomV2` keeps
        // the ECDHE suites that `AppGwSslPolicy20220101` itself enables.
        let custom_v1 = ptype.as_deref() == Some("custom");
        let retired: Vec<&str> = p
            .cipher_suites
            .iter()
            .filter_map(|c| c.as_str())
            .filter(|c| retired_cipher(c))
            .collect();
        if custom_v1 && !retired.is_empty() {
            let f = base(
                cx,
                format!(
                    "lists retired cipher suites: {}",
                    super::capped_list(&retired)
                ),
                p.cipher_suites.span_or(p.span),
                "cipherSuites",
            )
            .label("retired with TLS 1.0/1.1")
            .help("remove the DHE, 3DES and ECDHE_RSA CBC suites; keep the ECDHE GCM suites")
            .origins(&p.cipher_suites);
            cx.emit(f);
        }
    }
    if ptype.is_none()
        && d == Dialect::Arm
        && p.disabled_protocols.items().is_some_and(|v| !v.is_empty())
        && gw
            .api_version
            .get()
            .is_some_and(|a| api_version_at_least(a, "2023-02-01"))
    {
        let f = base(
            cx,
            "uses `disabledSslProtocols` without `policyType`".to_string(),
            p.disabled_protocols.span_or(p.span),
            "disabledSslProtocols",
        )
        .label("legacy form; from api-version 2023-02-01 the default policy already disables TLS 1.0/1.1")
        .help("replace it with `policyType` `Predefined` and `policyName` `AppGwSslPolicy20220101`")
        .severity(Severity::Warning)
        .origins(&p.disabled_protocols);
        cx.emit(f);
    }
    // A 2022/CustomV2 policy on v1 is left to AGW001: v1 is retired, and migrating fixes both.
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Val;
    use crate::rules::testkit::*;

    fn setup(d: Dialect, api: &str, pol: Val<SslPolicy>) -> Model {
        let mut gw = gateway(d);
        if d == Dialect::Arm {
            gw.api_version = ks(api);
        }
        gw.ssl_policy = pol;
        gw.listeners = k(vec![crate::model::Listener {
            protocol: ks("Https"),
            ..Default::default()
        }]);
        model(gw, vec![])
    }

    #[test]
    fn absent_policy_needs_a_tls_listener() {
        let mut m = setup(Dialect::Arm, "2022-09-01", Val::absent());
        m.gateways[0].listeners = k(vec![crate::model::Listener {
            protocol: ks("Http"),
            ..Default::default()
        }]);
        assert!(run(&SslPolicyRetired, &m).is_empty());
        m.gateways[0].listeners = unk();
        assert!(run(&SslPolicyRetired, &m).is_empty());
    }

    fn pol(
        t: Option<&str>,
        n: Option<&str>,
        min: Option<&str>,
        ciphers: &[&str],
    ) -> Val<SslPolicy> {
        k(SslPolicy {
            policy_type: t.map_or_else(Val::absent, ks),
            policy_name: n.map_or_else(Val::absent, ks),
            min_protocol_version: min.map_or_else(Val::absent, ks),
            cipher_suites: k(ciphers.iter().map(|c| ks(c)).collect()),
            span: sp(),
            ..Default::default()
        })
    }

    #[test]
    fn retired_predefined_and_custom() {
        let f = run(
            &SslPolicyRetired,
            &setup(
                Dialect::Terraform,
                "",
                pol(
                    Some("Predefined"),
                    Some("AppGwSslPolicy20170401"),
                    None,
                    &[],
                ),
            ),
        );
        assert_eq!(f.len(), 1);
        let f = run(
            &SslPolicyRetired,
            &setup(
                Dialect::Arm,
                "2023-09-01",
                pol(
                    Some("Custom"),
                    None,
                    Some("TLSv1_1"),
                    &[
                        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    ],
                ),
            ),
        );
        assert_eq!(f.len(), 2);
        assert!(
            run(
                &SslPolicyRetired,
                &setup(
                    Dialect::Arm,
                    "2023-09-01",
                    pol(
                        Some("Predefined"),
                        Some("AppGwSslPolicy20220101"),
                        None,
                        &[]
                    )
                )
            )
            .is_empty()
        );
    }

    #[test]
    fn absent_policy_depends_on_api_version() {
        let f = run(
            &SslPolicyRetired,
            &setup(Dialect::Arm, "2022-09-01", Val::absent()),
        );
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            run(
                &SslPolicyRetired,
                &setup(Dialect::Arm, "2023-09-01", Val::absent())
            )
            .is_empty()
        );
        assert!(
            run(
                &SslPolicyRetired,
                &setup(Dialect::Terraform, "", Val::absent())
            )
            .is_empty()
        );
        assert!(
            run(
                &SslPolicyRetired,
                &setup(
                    Dialect::Arm,
                    "2023-09-01",
                    pol(
                        Some("Predefined"),
                        Some("AppGwSslPolicy20150501"),
                        None,
                        &[]
                    )
                )
            )
            .len()
                == 1
        );
        assert!(
            run(
                &SslPolicyRetired,
                &setup(
                    Dialect::Arm,
                    "2023-09-01",
                    pol(Some("Predefined"), None, None, &[])
                )
            )
            .is_empty()
        );
    }
}
