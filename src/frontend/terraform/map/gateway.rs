//! The application gateway (`azurerm_application_gateway`, and `azapi_resource` through
//! [`azapi`](crate::frontend::terraform::azapi)).

use super::conv::*;
use super::{Mapper, ResInst, header};
use crate::frontend::terraform::expand::Node;
use crate::frontend::terraform::value::TVal;
use crate::model::*;
use crate::source::Span;

impl Mapper {
    /// Maps an application gateway (azurerm or azapi); false for any other resource.
    pub(super) fn add_gateway(&mut self, ri: &ResInst) -> bool {
        let m = &mut self.model;
        match ri.rtype.as_str() {
            "azurerm_application_gateway" => m.gateways.push(gateway(ri)),
            "azapi_resource" => {
                if let Some(gw) = crate::frontend::terraform::azapi::gateway(ri) {
                    m.gateways.push(gw);
                }
            }
            "azapi_update_resource" => {
                if let Some(u) = gateway_update(ri) {
                    self.pending.gw_updates.push(u);
                }
            }
            _ => return false,
        }
        true
    }
}

/// ARM property names of a gateway's `properties` and the Terraform part each one is.
pub(super) const ARM_PARTS: &[(&str, &str)] = &[
    ("backendAddressPools", "backend_address_pool"),
    ("backendHttpSettingsCollection", "backend_http_settings"),
    ("httpListeners", "http_listener"),
    ("probes", "probe"),
    ("requestRoutingRules", "request_routing_rule"),
    ("urlPathMaps", "url_path_map"),
    ("frontendPorts", "frontend_port"),
    ("frontendIPConfigurations", "frontend_ip_configuration"),
    ("gatewayIPConfigurations", "gateway_ip_configuration"),
    ("sslCertificates", "ssl_certificate"),
    ("sslProfiles", "ssl_profile"),
    ("trustedRootCertificates", "trusted_root_certificate"),
    ("authenticationCertificates", "authentication_certificate"),
    ("redirectConfigurations", "redirect_configuration"),
    ("rewriteRuleSets", "rewrite_rule_set"),
    ("autoscaleConfiguration", "autoscale_configuration"),
    ("sslPolicy", "ssl_policy"),
    ("webApplicationFirewallConfiguration", "waf_configuration"),
    ("firewallPolicy", "firewall_policy_id"),
    ("sku", "sku"),
];

/// An `azapi_update_resource` of type `Microsoft.Network/applicationGateways`: it patches the
/// target gateway at apply time, so the parts its body names are Unknown on the target (all
/// parts when the body cannot be read).
fn gateway_update(ri: &ResInst) -> Option<(Ref, Option<Vec<&'static str>>, Span)> {
    let n = &ri.node;
    let ty = n.attr("type")?;
    let rtype = ty.value.as_str()?.split('@').next()?.to_string();
    if !rtype.eq_ignore_ascii_case("Microsoft.Network/applicationGateways") {
        return None;
    }
    let target = r(n, "resource_id");
    let body = n.attr("body");
    let span = body.as_ref().map_or(ri.header, |b| b.span);
    let value = body.map(|b| match b.value {
        TVal::Str(s) => serde_json::from_str::<serde_json::Value>(&s).map_or_else(
            |_| TVal::unknown(),
            |j| crate::frontend::terraform::value::tval_from_json(&j),
        ),
        other => other,
    });
    let parts = match value.as_ref().and_then(|v| v.get("properties")) {
        Some(TVal::Map(props)) => Some(
            ARM_PARTS
                .iter()
                .filter(|(arm, _)| props.iter().any(|(k, _)| k.eq_ignore_ascii_case(arm)))
                .map(|(_, tf)| *tf)
                .collect(),
        ),
        // No body, or no `properties` in a readable body: nothing of the gateway is patched.
        None if matches!(value, None | Some(TVal::Map(_))) => Some(Vec::new()),
        _ => None,
    };
    Some((target, parts, span))
}

/// Attributes and blocks named in `lifecycle { ignore_changes = [...] }`: their live value is
/// managed outside this configuration (an ingress controller, a portal edit), so Unknown.
pub(super) fn ignored_changes(n: &Node) -> (Vec<String>, Span) {
    let mut out = Vec::new();
    let mut span = n.span;
    for lc in n.body.get_blocks("lifecycle") {
        let Some(a) = lc.body.get_attribute("ignore_changes") else {
            continue;
        };
        span = crate::frontend::terraform::parse::span_of(&a.value, n.file, n.span);
        if let hcl::edit::expr::Expression::Array(items) = &a.value {
            for it in items.iter() {
                match it {
                    hcl::edit::expr::Expression::Variable(v) => out.push(v.as_str().to_string()),
                    hcl::edit::expr::Expression::Traversal(t) => {
                        if let hcl::edit::expr::Expression::Variable(v) = &t.expr {
                            out.push(v.as_str().to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    (out, span)
}

pub(super) fn gateway(ri: &ResInst) -> Gateway {
    let mut g = gateway_as_written(ri);
    let (ignored, sp) = ignored_changes(&ri.node);
    for name in &ignored {
        forget(&mut g, name, sp);
    }
    g
}

/// Makes the gateway part written as `name` Unknown (managed outside the configuration).
pub(super) fn forget(g: &mut Gateway, name: &str, sp: Span) {
    let u = Some(sp);
    match name {
        "backend_address_pool" => g.pools = Val::unknown(u),
        "backend_http_settings" => g.settings = Val::unknown(u),
        "http_listener" => g.listeners = Val::unknown(u),
        "probe" => g.probes = Val::unknown(u),
        "request_routing_rule" => g.rules = Val::unknown(u),
        "url_path_map" => g.url_path_maps = Val::unknown(u),
        "frontend_port" => g.frontend_ports = Val::unknown(u),
        "frontend_ip_configuration" => g.frontend_ips = Val::unknown(u),
        "gateway_ip_configuration" => g.gateway_ip_configs = Val::unknown(u),
        "ssl_certificate" => g.ssl_certificates = Val::unknown(u),
        "ssl_profile" => g.ssl_profiles = Val::unknown(u),
        "trusted_root_certificate" => g.trusted_root_certificates = Val::unknown(u),
        "authentication_certificate" => g.authentication_certificates = Val::unknown(u),
        "redirect_configuration" => g.redirects = Val::unknown(u),
        "rewrite_rule_set" => g.rewrite_rule_sets = Val::unknown(u),
        "autoscale_configuration" => g.autoscale = Val::unknown(u),
        "ssl_policy" => g.ssl_policy = Val::unknown(u),
        "waf_configuration" => g.waf = Val::unknown(u),
        "firewall_policy_id" => g.firewall_policy = Val::unknown(u),
        "zones" => g.zones = Val::unknown(u),
        "tags" => g.tags = Val::unknown(u),
        "sku" => {
            g.sku.name = Val::unknown(u);
            g.sku.tier = Val::unknown(u);
            g.sku.capacity = Val::unknown(u);
        }
        _ => {}
    }
}

/// What an Application Gateway Ingress Controller rewrites on the gateway it manages.
pub(super) const AGIC_MANAGED: &[&str] = &[
    "backend_address_pool",
    "backend_http_settings",
    "http_listener",
    "probe",
    "request_routing_rule",
    "url_path_map",
    "frontend_port",
    "ssl_certificate",
    "redirect_configuration",
    "rewrite_rule_set",
];

// Attribute names of the gateway's sub-blocks in azurerm 1.x to 4.x (and the 5.x names the
// mapper reads), computed ones (`*_id`, which plans carry) included. A block with any other attribute reads its unwritten fields as Unknown
// ([`Node::checked`]): the unknown attribute may be a renamed one.
const SKU: &[&str] = &["name", "tier", "capacity"];
const POOL: &[&str] = &[
    "name",
    "fqdns",
    "ip_addresses",
    "fqdn_list",
    "ip_address_list",
];
const SETTINGS: &[&str] = &[
    "name",
    "cookie_based_affinity",
    "affinity_cookie_name",
    "path",
    "port",
    "probe_name",
    "protocol",
    "request_timeout",
    "host_name",
    "pick_host_name_from_backend_address",
    "trusted_root_certificate_names",
    "dedicated_backend_connection_enabled",
    "certificate_chain_validation_enabled",
    "sni_validation_enabled",
    "sni_name",
    "probe_id",
];
const PROBE: &[&str] = &[
    "name",
    "protocol",
    "path",
    "host",
    "interval",
    "timeout",
    "unhealthy_threshold",
    "port",
    "pick_host_name_from_backend_http_settings",
    "minimum_servers",
];
const LISTENER: &[&str] = &[
    "name",
    "frontend_ip_configuration_name",
    "frontend_port_name",
    "host_name",
    "host_names",
    "protocol",
    "require_sni",
    "ssl_certificate_name",
    "firewall_policy_id",
    "ssl_profile_name",
    "frontend_ip_configuration_id",
    "frontend_port_id",
    "ssl_certificate_id",
    "ssl_profile_id",
];
const RULE: &[&str] = &[
    "name",
    "rule_type",
    "http_listener_name",
    "backend_address_pool_name",
    "backend_http_settings_name",
    "redirect_configuration_name",
    "rewrite_rule_set_name",
    "url_path_map_name",
    "priority",
    "http_listener_id",
    "backend_address_pool_id",
    "backend_http_settings_id",
    "redirect_configuration_id",
    "rewrite_rule_set_id",
    "url_path_map_id",
];

pub(super) fn gateway_as_written(ri: &ResInst) -> Gateway {
    let n = &ri.node;
    let sku = match n.block("sku") {
        Ok(Some(b)) => {
            let b = b.checked(SKU);
            Sku {
                name: s(&b, "name"),
                tier: s(&b, "tier"),
                capacity: i(&b, "capacity"),
                span: Some(b.span),
            }
        }
        Ok(None) => Sku::default(),
        Err(sp) => Sku {
            name: Val::unknown(Some(sp)),
            tier: Val::unknown(Some(sp)),
            capacity: Val::unknown(Some(sp)),
            span: Some(sp),
        },
    };
    Gateway {
        res: header(ri),
        api_version: Val::absent(),
        sku,
        autoscale: one(n, "autoscale_configuration", |b| Autoscale {
            min_capacity: i(b, "min_capacity"),
            max_capacity: i(b, "max_capacity"),
            span: b.span,
        }),
        zones: strs(n, "zones"),
        identity: {
            let bs = n.blocks("identity");
            if bs.written && bs.items.is_empty() && bs.unknown.is_none() {
                // Only `dynamic "identity"` blocks, expanded to nothing: the collection is a
                // module input (typically a conditional over a variable default), so whether
                // the gateway has an identity is not known here; never Absent.
                Val::unknown(bs.first_span)
            } else {
                one(n, "identity", |b| Identity {
                    kind: s(b, "type"),
                    ids: strs(b, "identity_ids"),
                    span: b.span,
                })
            }
        },
        tags: map_kv(n, "tags"),
        http2: b_any(n, &["http2_enabled", "enable_http2"]),
        gateway_ip_configs: coll(n.blocks("gateway_ip_configuration"), |b| GatewayIpConfig {
            name: s(b, "name"),
            subnet: r(b, "subnet_id"),
            span: b.span,
        }),
        frontend_ips: coll(n.blocks("frontend_ip_configuration"), |b| FrontendIp {
            name: s(b, "name"),
            public_ip: r(b, "public_ip_address_id"),
            private_ip: s(b, "private_ip_address"),
            private_allocation: s(b, "private_ip_address_allocation"),
            subnet: r(b, "subnet_id"),
            span: b.span,
        }),
        frontend_ports: coll(n.blocks("frontend_port"), |b| FrontendPort {
            name: s(b, "name"),
            port: i(b, "port"),
            span: b.span,
        }),
        listeners: coll(n.blocks("http_listener"), |b| {
            let b = &b.checked(LISTENER);
            Listener {
                name: s(b, "name"),
                frontend_ip: sub(b, "frontend_ip_configuration_name"),
                frontend_port: sub(b, "frontend_port_name"),
                protocol: s(b, "protocol"),
                host_name: s(b, "host_name"),
                host_names: strs(b, "host_names"),
                ssl_certificate: sub(b, "ssl_certificate_name"),
                ssl_profile: sub(b, "ssl_profile_name"),
                require_sni: b_any(b, &["require_sni"]),
                firewall_policy: r(b, "firewall_policy_id"),
                span: b.span,
            }
        }),
        pools: coll(n.blocks("backend_address_pool"), |b| pool(&b.checked(POOL))),
        settings: coll(n.blocks("backend_http_settings"), |b| {
            let b = &b.checked(SETTINGS);
            BackendSettings {
                name: s(b, "name"),
                port: i(b, "port"),
                protocol: s(b, "protocol"),
                cookie_based_affinity: s(b, "cookie_based_affinity"),
                request_timeout: i(b, "request_timeout"),
                pick_host_name: flag(b, "pick_host_name_from_backend_address"),
                host_name: s(b, "host_name"),
                path: s(b, "path"),
                probe: sub(b, "probe_name"),
                probe_enabled: Val::absent(),
                trusted_root_certificates: list_of(b, "trusted_root_certificate_names", |v, sp| {
                    SubRef::named(tstr(v, sp))
                }),
                authentication_certificates: coll(b.blocks("authentication_certificate"), |c| {
                    sub(c, "name")
                }),
                validate_cert_chain: flag(b, "certificate_chain_validation_enabled"),
                validate_sni: flag(b, "sni_validation_enabled"),
                sni_name: s(b, "sni_name"),
                span: b.span,
            }
        }),
        probes: coll(n.blocks("probe"), |b| probe(&b.checked(PROBE))),
        rules: coll(n.blocks("request_routing_rule"), |b| {
            let b = &b.checked(RULE);
            RoutingRule {
                name: s(b, "name"),
                rule_type: s(b, "rule_type"),
                priority: i(b, "priority"),
                listener: sub(b, "http_listener_name"),
                pool: sub(b, "backend_address_pool_name"),
                settings: sub(b, "backend_http_settings_name"),
                url_path_map: sub(b, "url_path_map_name"),
                redirect: sub(b, "redirect_configuration_name"),
                rewrite_rule_set: sub(b, "rewrite_rule_set_name"),
                span: b.span,
            }
        }),
        url_path_maps: coll(n.blocks("url_path_map"), |b| UrlPathMap {
            name: s(b, "name"),
            default_pool: sub(b, "default_backend_address_pool_name"),
            default_settings: sub(b, "default_backend_http_settings_name"),
            default_redirect: sub(b, "default_redirect_configuration_name"),
            default_rewrite_rule_set: sub(b, "default_rewrite_rule_set_name"),
            path_rules: coll(b.blocks("path_rule"), |p| PathRule {
                name: s(p, "name"),
                paths: strs(p, "paths"),
                pool: sub(p, "backend_address_pool_name"),
                settings: sub(p, "backend_http_settings_name"),
                redirect: sub(p, "redirect_configuration_name"),
                rewrite_rule_set: sub(p, "rewrite_rule_set_name"),
                span: p.span,
            }),
            span: b.span,
        }),
        redirects: coll(n.blocks("redirect_configuration"), |b| Redirect {
            name: s(b, "name"),
            target_listener: sub(b, "target_listener_name"),
            target_url: s(b, "target_url"),
            span: b.span,
        }),
        rewrite_rule_sets: coll(n.blocks("rewrite_rule_set"), named),
        ssl_certificates: coll(n.blocks("ssl_certificate"), |b| SslCertificate {
            name: s(b, "name"),
            data: s(b, "data"),
            key_vault_secret_id: s(b, "key_vault_secret_id"),
            span: b.span,
        }),
        ssl_profiles: coll(n.blocks("ssl_profile"), named),
        trusted_root_certificates: coll(n.blocks("trusted_root_certificate"), named),
        authentication_certificates: coll(n.blocks("authentication_certificate"), named),
        ssl_policy: one(n, "ssl_policy", |b| SslPolicy {
            policy_type: s(b, "policy_type"),
            policy_name: s(b, "policy_name"),
            min_protocol_version: s(b, "min_protocol_version"),
            disabled_protocols: strs(b, "disabled_protocols"),
            cipher_suites: strs(b, "cipher_suites"),
            span: b.span,
        }),
        waf: one(n, "waf_configuration", |b| WafConfig {
            enabled: flag(b, "enabled"),
            mode: s(b, "firewall_mode"),
            rule_set_type: s(b, "rule_set_type"),
            rule_set_version: s(b, "rule_set_version"),
            request_body_check: flag(b, "request_body_check"),
            max_request_body_kb: i(b, "max_request_body_size_kb"),
            span: b.span,
        }),
        firewall_policy: r(n, "firewall_policy_id"),
        pairs_cache: Default::default(),
    }
}

pub(super) fn named(b: &Node) -> Named {
    Named {
        name: s(b, "name"),
        span: b.span,
    }
}

/// One backend address from a list element: a string, or a runtime reference (a site's
/// `default_hostname`, a private endpoint's IP).
pub(super) fn address(v: &TVal, sp: Span, is_fqdn: bool, unit: UnitId) -> BackendAddress {
    let (val, source, attr) = match v {
        TVal::Runtime(rt) => (
            Val::unknown(Some(sp)),
            Val::known(ResourceKey::tf(unit, &rt.rtype, &rt.address), sp),
            rt.path.last().cloned(),
        ),
        other => (tstr(other, sp), Val::absent(), None),
    };
    let (fqdn, ip_address) = if is_fqdn {
        (val, Val::absent())
    } else {
        (Val::absent(), val)
    };
    BackendAddress {
        fqdn,
        ip_address,
        source,
        source_attribute: attr,
        span: sp,
    }
}

pub(super) fn pool(b: &Node) -> BackendPool {
    let unit = b.unit();
    let mut addrs: Vec<BackendAddress> = Vec::new();
    let mut unknown: Option<Span> = None;
    let mut written: Option<Span> = None;
    let mut origins = Vec::new();
    // azurerm 1.x: `fqdn_list` / `ip_address_list` (deprecated for `fqdns` / `ip_addresses`,
    // removed in 2.0).
    for (key, is_fqdn) in [
        ("fqdns", true),
        ("ip_addresses", false),
        ("fqdn_list", true),
        ("ip_address_list", false),
    ] {
        let Some(e) = b.attr(key) else { continue };
        written = written.or(Some(e.span));
        for o in &e.origins {
            if !origins.contains(o) {
                origins.push(o.clone());
            }
        }
        if e.value.is_null() {
            continue;
        }
        match elems(&e) {
            Some(items) => {
                for (v, sp) in items {
                    addrs.push(address(&v, sp, is_fqdn, unit));
                }
            }
            None => unknown = unknown.or(Some(e.span)),
        }
    }
    let addresses = match (unknown, written) {
        (Some(sp), _) => Val::unknown(Some(sp)),
        (None, None) => Val::absent(),
        (None, Some(sp)) => Val::known(addrs, sp),
    };
    BackendPool {
        name: s(b, "name"),
        addresses: with_origins(addresses, &origins),
        span: b.span,
    }
}

pub(super) fn probe(b: &Node) -> Probe {
    let m = b.block("match");
    let (has_match, codes, body) = match &m {
        Err(sp) => (
            Val::unknown(Some(*sp)),
            Val::unknown(Some(*sp)),
            Val::unknown(Some(*sp)),
        ),
        Ok(None) => (Val::known_at(false, None), Val::absent(), Val::absent()),
        Ok(Some(mb)) => (
            Val::known(true, mb.span),
            strs(mb, "status_code"),
            s(mb, "body"),
        ),
    };
    Probe {
        name: s(b, "name"),
        protocol: s(b, "protocol"),
        host: s(b, "host"),
        path: s(b, "path"),
        interval: i(b, "interval"),
        timeout: i(b, "timeout"),
        unhealthy_threshold: i(b, "unhealthy_threshold"),
        pick_host_from_settings: flag(b, "pick_host_name_from_backend_http_settings"),
        port: i(b, "port"),
        min_servers: i(b, "minimum_servers"),
        has_match,
        match_status_codes: codes,
        match_body: body,
        span: b.span,
    }
}
