//! `Microsoft.Network/applicationGateways` into [`Gateway`].

use super::super::tree::{Ev, EvKind, boolean, coll, int, s, strs};
use super::{EvRes, Mapper, obj_val, props, sub_ref, unknown_at};
use crate::model::{
    Autoscale, BackendAddress, BackendPool, BackendSettings, FrontendIp, FrontendPort, Gateway,
    GatewayIpConfig, Identity, KeyValue, Lattice, Listener, Named, PathRule, Probe, Redirect,
    RoutingRule, Sku, SslCertificate, SslPolicy, UrlPathMap, Val, WafConfig,
};

/// Maps a gateway resource.
pub(super) fn gateway(m: &Mapper, r: &EvRes, i: usize) -> Gateway {
    let res = m.header(r, i);
    let gw = &r.name;
    let b = &r.body;
    let p = props(b);
    let pg = |k: &str| p.and_then(|p| p.get(k));
    let sku_ev = pg("sku");
    Gateway {
        api_version: s(b.get("apiVersion")),
        sku: Sku {
            name: s(sku_ev.and_then(|x| x.get("name"))),
            tier: s(sku_ev.and_then(|x| x.get("tier"))),
            capacity: int(sku_ev.and_then(|x| x.get("capacity"))),
            span: sku_ev.map(|x| x.span),
        },
        autoscale: obj_val(pg("autoscaleConfiguration"), |a| Autoscale {
            min_capacity: int(a.get("minCapacity")),
            max_capacity: int(a.get("maxCapacity")),
            span: a.span,
        }),
        zones: strs(b.get("zones")),
        identity: obj_val(b.get("identity"), identity),
        tags: key_values(b.get("tags")),
        http2: boolean(pg("enableHttp2")),
        gateway_ip_configs: coll(pg("gatewayIPConfigurations"), |e| GatewayIpConfig {
            name: s(e.get("name")),
            subnet: m.obj_ref(props(e).and_then(|p| p.get("subnet"))),
            span: e.span,
        }),
        frontend_ips: coll(pg("frontendIPConfigurations"), |e| {
            let q = |k: &str| props(e).and_then(|p| p.get(k));
            FrontendIp {
                name: s(e.get("name")),
                public_ip: m.obj_ref(q("publicIPAddress")),
                private_ip: s(q("privateIPAddress")),
                private_allocation: s(q("privateIPAllocationMethod")),
                subnet: m.obj_ref(q("subnet")),
                span: e.span,
            }
        }),
        frontend_ports: coll(pg("frontendPorts"), |e| FrontendPort {
            name: s(e.get("name")),
            port: int(props(e).and_then(|p| p.get("port"))),
            span: e.span,
        }),
        listeners: coll(pg("httpListeners"), |e| listener(m, e, gw)),
        pools: coll(pg("backendAddressPools"), |e| pool(m, e)),
        settings: coll(pg("backendHttpSettingsCollection"), |e| settings(e, gw)),
        probes: coll(pg("probes"), probe),
        rules: coll(pg("requestRoutingRules"), |e| {
            let q = |k: &str| props(e).and_then(|p| p.get(k));
            RoutingRule {
                name: s(e.get("name")),
                rule_type: s(q("ruleType")),
                priority: int(q("priority")),
                listener: sub_ref(q("httpListener"), gw, "httpListeners"),
                pool: sub_ref(q("backendAddressPool"), gw, "backendAddressPools"),
                settings: sub_ref(
                    q("backendHttpSettings"),
                    gw,
                    "backendHttpSettingsCollection",
                ),
                url_path_map: sub_ref(q("urlPathMap"), gw, "urlPathMaps"),
                redirect: sub_ref(q("redirectConfiguration"), gw, "redirectConfigurations"),
                rewrite_rule_set: sub_ref(q("rewriteRuleSet"), gw, "rewriteRuleSets"),
                span: e.span,
            }
        }),
        url_path_maps: coll(pg("urlPathMaps"), |e| url_path_map(e, gw)),
        redirects: coll(pg("redirectConfigurations"), |e| {
            let q = |k: &str| props(e).and_then(|p| p.get(k));
            Redirect {
                name: s(e.get("name")),
                target_listener: sub_ref(q("targetListener"), gw, "httpListeners"),
                target_url: s(q("targetUrl")),
                span: e.span,
            }
        }),
        rewrite_rule_sets: coll(pg("rewriteRuleSets"), named),
        ssl_certificates: coll(pg("sslCertificates"), |e| {
            let q = |k: &str| props(e).and_then(|p| p.get(k));
            SslCertificate {
                name: s(e.get("name")),
                data: s(q("data")),
                key_vault_secret_id: s(q("keyVaultSecretId")),
                span: e.span,
            }
        }),
        ssl_profiles: coll(pg("sslProfiles"), named),
        trusted_root_certificates: coll(pg("trustedRootCertificates"), named),
        authentication_certificates: coll(pg("authenticationCertificates"), named),
        ssl_policy: obj_val(pg("sslPolicy"), |e| SslPolicy {
            policy_type: s(e.get("policyType")),
            policy_name: s(e.get("policyName")),
            min_protocol_version: s(e.get("minProtocolVersion")),
            disabled_protocols: strs(e.get("disabledSslProtocols")),
            cipher_suites: strs(e.get("cipherSuites")),
            span: e.span,
        }),
        waf: obj_val(pg("webApplicationFirewallConfiguration"), |e| WafConfig {
            enabled: boolean(e.get("enabled")),
            mode: s(e.get("firewallMode")),
            rule_set_type: s(e.get("ruleSetType")),
            rule_set_version: s(e.get("ruleSetVersion")),
            request_body_check: boolean(e.get("requestBodyCheck")),
            max_request_body_kb: int(e.get("maxRequestBodySizeInKb")),
            span: e.span,
        }),
        firewall_policy: m.obj_ref(pg("firewallPolicy")),
        pairs_cache: Default::default(),
        res,
    }
}

fn named(e: &Ev) -> Named {
    Named {
        name: s(e.get("name")),
        span: e.span,
    }
}

fn identity(e: &Ev) -> Identity {
    let ids = match e.get("userAssignedIdentities") {
        None => Val::absent(),
        Some(u) => match &u.kind {
            EvKind::Null => Val::absent(),
            EvKind::Obj(items) => Val {
                state: Lattice::Known(
                    items
                        .iter()
                        .map(|(k, v)| Val::known(k.to_string(), v.span))
                        .collect(),
                ),
                span: Some(u.span),
                origins: u.origins.clone(),
            },
            _ => unknown_at(u),
        },
    };
    Identity {
        kind: s(e.get("type")),
        ids,
        span: e.span,
    }
}

/// An object of string values (`tags`, `appsettings`).
pub(super) fn key_values(v: Option<&Ev>) -> Val<Vec<KeyValue>> {
    match v {
        None => Val::absent(),
        Some(o) => match &o.kind {
            EvKind::Null => Val::absent(),
            EvKind::Obj(items) => Val {
                state: Lattice::Known(
                    items
                        .iter()
                        .map(|(k, v)| KeyValue {
                            key: k.to_string(),
                            value: s(Some(v)),
                            span: v.span,
                        })
                        .collect(),
                ),
                span: Some(o.span),
                origins: o.origins.clone(),
            },
            _ => unknown_at(o),
        },
    }
}

fn listener(m: &Mapper, e: &Ev, gw: &Val<String>) -> Listener {
    let q = |k: &str| props(e).and_then(|p| p.get(k));
    Listener {
        name: s(e.get("name")),
        frontend_ip: sub_ref(q("frontendIPConfiguration"), gw, "frontendIPConfigurations"),
        frontend_port: sub_ref(q("frontendPort"), gw, "frontendPorts"),
        protocol: s(q("protocol")),
        host_name: s(q("hostName")),
        host_names: strs(q("hostNames")),
        ssl_certificate: sub_ref(q("sslCertificate"), gw, "sslCertificates"),
        ssl_profile: sub_ref(q("sslProfile"), gw, "sslProfiles"),
        require_sni: boolean(q("requireServerNameIndication")),
        firewall_policy: m.obj_ref(q("firewallPolicy")),
        span: e.span,
    }
}

fn pool(m: &Mapper, e: &Ev) -> BackendPool {
    let q = |k: &str| props(e).and_then(|p| p.get(k));
    BackendPool {
        name: s(e.get("name")),
        addresses: coll(q("backendAddresses"), |a| address(m, a)),
        span: e.span,
    }
}

/// One backend address; runtime values (`reference(site).defaultHostName`) link the source.
fn address(m: &Mapper, a: &Ev) -> BackendAddress {
    if !matches!(a.kind, EvKind::Obj(_)) {
        return BackendAddress {
            fqdn: unknown_at(a),
            ip_address: unknown_at(a),
            span: a.span,
            ..Default::default()
        };
    }
    let mut out = BackendAddress {
        fqdn: s(a.get("fqdn")),
        ip_address: s(a.get("ipAddress")),
        span: a.span,
        ..Default::default()
    };
    for field in ["fqdn", "ipAddress"] {
        if let Some(EvKind::Runtime(rt)) = a.get(field).map(|v| &v.kind) {
            let v = a.get(field).map_or(a.span, |v| v.span);
            out.source = Val::known(m.key(&rt.rtype, &rt.name), v);
            let path: Vec<&str> = rt
                .path
                .iter()
                .map(String::as_str)
                .skip_while(|p| p.eq_ignore_ascii_case("properties"))
                .collect();
            out.source_attribute = path.first().map(|s| (*s).to_string());
        }
    }
    out
}

fn settings(e: &Ev, gw: &Val<String>) -> BackendSettings {
    let q = |k: &str| props(e).and_then(|p| p.get(k));
    BackendSettings {
        name: s(e.get("name")),
        port: int(q("port")),
        protocol: s(q("protocol")),
        cookie_based_affinity: s(q("cookieBasedAffinity")),
        request_timeout: int(q("requestTimeout")),
        pick_host_name: boolean(q("pickHostNameFromBackendAddress")),
        host_name: s(q("hostName")),
        path: s(q("path")),
        probe: sub_ref(q("probe"), gw, "probes"),
        probe_enabled: boolean(q("probeEnabled")),
        trusted_root_certificates: coll(q("trustedRootCertificates"), |c| {
            sub_ref(Some(c), gw, "trustedRootCertificates")
        }),
        authentication_certificates: coll(q("authenticationCertificates"), |c| {
            sub_ref(Some(c), gw, "authenticationCertificates")
        }),
        validate_cert_chain: boolean(q("validateCertChainAndExpiry")),
        validate_sni: boolean(q("validateSNI")),
        sni_name: s(q("sniName")),
        span: e.span,
    }
}

fn probe(e: &Ev) -> Probe {
    let q = |k: &str| props(e).and_then(|p| p.get(k));
    let mt = q("match");
    Probe {
        name: s(e.get("name")),
        protocol: s(q("protocol")),
        host: s(q("host")),
        path: s(q("path")),
        interval: int(q("interval")),
        timeout: int(q("timeout")),
        unhealthy_threshold: int(q("unhealthyThreshold")),
        pick_host_from_settings: boolean(q("pickHostNameFromBackendHttpSettings")),
        port: int(q("port")),
        min_servers: int(q("minServers")),
        has_match: match mt {
            None => Val::absent(),
            Some(x) if matches!(x.kind, EvKind::Null) => Val::absent(),
            Some(x) if x.is_unknown() => unknown_at(x),
            Some(x) => Val::known(true, x.span),
        },
        match_status_codes: strs(mt.and_then(|x| x.get("statusCodes"))),
        match_body: s(mt.and_then(|x| x.get("body"))),
        span: e.span,
    }
}

fn url_path_map(e: &Ev, gw: &Val<String>) -> UrlPathMap {
    let q = |k: &str| props(e).and_then(|p| p.get(k));
    UrlPathMap {
        name: s(e.get("name")),
        default_pool: sub_ref(q("defaultBackendAddressPool"), gw, "backendAddressPools"),
        default_settings: sub_ref(
            q("defaultBackendHttpSettings"),
            gw,
            "backendHttpSettingsCollection",
        ),
        default_redirect: sub_ref(
            q("defaultRedirectConfiguration"),
            gw,
            "redirectConfigurations",
        ),
        default_rewrite_rule_set: sub_ref(q("defaultRewriteRuleSet"), gw, "rewriteRuleSets"),
        path_rules: coll(q("pathRules"), |pr| {
            let q = |k: &str| props(pr).and_then(|p| p.get(k));
            PathRule {
                name: s(pr.get("name")),
                paths: strs(q("paths")),
                pool: sub_ref(q("backendAddressPool"), gw, "backendAddressPools"),
                settings: sub_ref(
                    q("backendHttpSettings"),
                    gw,
                    "backendHttpSettingsCollection",
                ),
                redirect: sub_ref(q("redirectConfiguration"), gw, "redirectConfigurations"),
                rewrite_rule_set: sub_ref(q("rewriteRuleSet"), gw, "rewriteRuleSets"),
                span: pr.span,
            }
        }),
        span: e.span,
    }
}
