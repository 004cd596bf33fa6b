//! Mapping azurerm (v3, v4, v5 attribute names) resources into the model.
//!
//! Every value keeps the span of the attribute (or list element) it was written at and the
//! origins the evaluator found. Attributes not written are Absent; values that cannot be known
//! before apply are Unknown. References to resources of the configuration become Known
//! [`ResourceKey`]s; everything else (data sources, literal ids of resources elsewhere) is
//! Unknown and resolves to nothing.

use super::expand::{Blocks, Ev, Node};
use super::value::TVal;
use crate::model::*;
use crate::source::Span;

/// One resource instance to map.
pub struct ResInst<'a> {
    /// Resource type (`azurerm_application_gateway`).
    pub rtype: String,
    /// Full address (`module.agw.azurerm_application_gateway.this["x"]`).
    pub address: String,
    /// Block header span.
    pub header: Span,
    /// The resource body with its `count`/`each` bindings.
    pub node: Node<'a>,
    /// `count`/`for_each` was Unknown (the instance may not exist).
    pub condition: Val<bool>,
}

/// Links resolved after every resource is mapped (they point into other resources).
#[derive(Default)]
pub struct Pending {
    nsg_rules: Vec<(Target, SecurityRule)>,
    routes: Vec<(Target, Route)>,
    subnet_assoc: Vec<(Ref, Assoc, Ref, Span)>,
    host_bindings: Vec<(Target, HostBinding)>,
    dns_links: Vec<(Target, DnsZoneLink)>,
    a_records: Vec<(Target, DnsARecord)>,
    peerings: Vec<(Target, Peering)>,
    subnet_vnet: Vec<(usize, Target)>,
    agic: Vec<(Ref, Span)>,
    dns_servers: Vec<(Ref, Coll<Val<String>>)>,
    swift: Vec<(Ref, Ref)>,
    member_gateways: Vec<(usize, String)>,
    has_aks: bool,
}

#[derive(Clone, Copy)]
enum Assoc {
    Nsg,
    RouteTable,
    Nat,
}

/// How a child resource names its parent: by reference (address) or by a literal name.
#[derive(Clone)]
enum Target {
    Key(ResourceKey),
    Name(String),
    Unknown,
}

fn target_of(ev: Option<Ev>, unit: UnitId) -> Target {
    match ev.map(|e| e.value) {
        Some(TVal::Runtime(r)) => Target::Key(ResourceKey::tf(unit, &r.rtype, &r.address)),
        Some(TVal::Str(s)) => Target::Name(s),
        _ => Target::Unknown,
    }
}

// ---- value conversion -------------------------------------------------------------------

fn with_origins<T>(mut v: Val<T>, origins: &[Origin]) -> Val<T> {
    v.origins = origins.to_vec();
    v
}

/// A string value: Known for primitives, Absent for null, Unknown otherwise.
pub fn tstr(v: &TVal, span: Span) -> Val<String> {
    match v {
        TVal::Null => Val::absent(),
        TVal::Unknown(p) => Val::unknown_partial(Some(span), p.clone()),
        other => match other.to_str_lossy() {
            Some(s) => Val::known(s, span),
            None => Val::unknown(Some(span)),
        },
    }
}

fn tbool(v: &TVal, span: Span) -> Val<bool> {
    match v {
        TVal::Null => Val::absent(),
        other => other
            .as_bool()
            .map_or_else(|| Val::unknown(Some(span)), |b| Val::known(b, span)),
    }
}

fn tint(v: &TVal, span: Span) -> Val<i64> {
    match v {
        TVal::Null => Val::absent(),
        other => other
            .as_i64()
            .map_or_else(|| Val::unknown(Some(span)), |n| Val::known(n, span)),
    }
}

/// A reference: Known key for a resource of the configuration, Absent for null.
pub fn tref(v: &TVal, span: Span, unit: UnitId) -> Ref {
    match v {
        TVal::Null => Val::absent(),
        TVal::Runtime(r) => Val::known(ResourceKey::tf(unit, &r.rtype, &r.address), span),
        _ => Val::unknown(Some(span)),
    }
}

fn s(n: &Node, key: &str) -> Val<String> {
    n.attr(key).map_or_else(Val::absent, |e| {
        with_origins(tstr(&e.value, e.span), &e.origins)
    })
}

fn s_any(n: &Node, keys: &[&str]) -> Val<String> {
    keys.iter()
        .map(|k| s(n, k))
        .find(|v| !v.is_absent())
        .unwrap_or_default()
}

fn flag(n: &Node, key: &str) -> Val<bool> {
    n.attr(key).map_or_else(Val::absent, |e| {
        with_origins(tbool(&e.value, e.span), &e.origins)
    })
}

fn b_any(n: &Node, keys: &[&str]) -> Val<bool> {
    keys.iter()
        .map(|k| flag(n, k))
        .find(|v| !v.is_absent())
        .unwrap_or_default()
}

fn i(n: &Node, key: &str) -> Val<i64> {
    n.attr(key).map_or_else(Val::absent, |e| {
        with_origins(tint(&e.value, e.span), &e.origins)
    })
}

fn r(n: &Node, key: &str) -> Ref {
    n.attr(key).map_or_else(Val::absent, |e| {
        with_origins(tref(&e.value, e.span, n.unit()), &e.origins)
    })
}

fn sub(n: &Node, key: &str) -> SubRef {
    SubRef::named(s(n, key))
}

/// The elements of a list attribute with their spans (per element when written literally).
pub(super) fn elems(e: &Ev) -> Option<Vec<(TVal, Span)>> {
    let items = match &e.value {
        TVal::List(items) => items,
        _ => return None,
    };
    let per = e.elems.len() == items.len();
    Some(
        items
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let sp = if per { e.elems[k] } else { e.span };
                (v.clone(), sp)
            })
            .collect(),
    )
}

fn list_of<T>(n: &Node, key: &str, f: impl Fn(&TVal, Span) -> T) -> Coll<T> {
    let Some(e) = n.attr(key) else {
        return Val::absent();
    };
    if e.value.is_null() {
        return with_origins(Val::absent(), &e.origins);
    }
    match elems(&e) {
        Some(items) => with_origins(
            Val::known(items.iter().map(|(v, sp)| f(v, *sp)).collect(), e.span),
            &e.origins,
        ),
        None => match &e.value {
            // A single string where a list is expected (legacy `address_prefix`).
            TVal::Str(_) => Val::known(vec![f(&e.value, e.span)], e.span),
            _ => with_origins(Val::unknown(Some(e.span)), &e.origins),
        },
    }
}

fn strs(n: &Node, key: &str) -> Coll<Val<String>> {
    list_of(n, key, tstr)
}

/// Several list attributes merged (`x` and `xs`); Unknown if any is Unknown.
fn strs_merged(n: &Node, keys: &[&str]) -> Coll<Val<String>> {
    let mut out: Vec<Val<String>> = Vec::new();
    let mut span = None;
    for k in keys {
        let v = strs(n, k);
        if v.is_unknown() {
            return v;
        }
        if let Some(items) = v.get() {
            span = span.or(v.span);
            out.extend(items.iter().cloned());
        }
    }
    if span.is_none() && out.is_empty() {
        Val::absent()
    } else {
        Val::known_at(out, span)
    }
}

fn map_kv(n: &Node, key: &str) -> Coll<KeyValue> {
    let Some(e) = n.attr(key) else {
        return Val::absent();
    };
    // Spans of the keys and values when the map is written literally.
    let mut spans: Vec<(String, Span, Span)> = Vec::new();
    if let Some((hcl::edit::expr::Expression::Object(o), _)) = n.expr(key) {
        for (k, v) in o.iter() {
            let text = match k {
                hcl::edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                hcl::edit::expr::ObjectKey::Expression(hcl::edit::expr::Expression::String(s)) => {
                    s.as_str().to_string()
                }
                hcl::edit::expr::ObjectKey::Expression(_) => continue,
            };
            let ks = super::parse::span_of(k, n.file, e.span);
            let vs = super::parse::span_of(v.expr(), n.file, e.span);
            spans.push((text, ks, vs));
        }
    }
    match &e.value {
        TVal::Null => Val::absent(),
        TVal::Map(m) => with_origins(
            Val::known(
                m.iter()
                    .map(|(k, v)| {
                        let (ks, vs) = spans
                            .iter()
                            .find(|(t, _, _)| t == k)
                            .map_or((e.span, e.span), |(_, ks, vs)| (*ks, *vs));
                        KeyValue {
                            key: k.clone(),
                            value: tstr(v, vs),
                            span: ks,
                        }
                    })
                    .collect(),
                e.span,
            ),
            &e.origins,
        ),
        _ => with_origins(Val::unknown(Some(e.span)), &e.origins),
    }
}

/// Maps each block instance; Unknown when a dynamic block iterates an Unknown collection.
fn coll<'a, T>(bs: Blocks<'a>, f: impl Fn(&Node<'a>) -> T) -> Coll<T> {
    if let Some(sp) = bs.unknown {
        return Val::unknown(Some(sp));
    }
    if !bs.written {
        return Val::absent();
    }
    Val::known_at(bs.items.iter().map(f).collect(), bs.first_span)
}

fn one<'a, T>(n: &Node<'a>, name: &str, f: impl Fn(&Node<'a>) -> T) -> Val<T> {
    match n.block(name) {
        Err(sp) => Val::unknown(Some(sp)),
        Ok(None) => Val::absent(),
        Ok(Some(b)) => Val::known(f(&b), b.span),
    }
}

fn header(ri: &ResInst) -> Resource {
    Resource {
        key: ResourceKey::tf(ri.node.unit(), &ri.rtype, &ri.address),
        name: s(&ri.node, "name"),
        rtype: ri.rtype.clone(),
        label: ri.address.clone(),
        span: ri.header,
        dialect: Dialect::Terraform,
        condition: ri.condition.clone(),
        suppressions: Vec::new(),
    }
}

// ---- the gateway ---------------------------------------------------------------------------

/// Attributes and blocks named in `lifecycle { ignore_changes = [...] }`: their live value is
/// managed outside this configuration (an ingress controller, a portal edit), so Unknown.
fn ignored_changes(n: &Node) -> (Vec<String>, Span) {
    let mut out = Vec::new();
    let mut span = n.span;
    for lc in n.body.get_blocks("lifecycle") {
        let Some(a) = lc.body.get_attribute("ignore_changes") else {
            continue;
        };
        span = super::parse::span_of(&a.value, n.file, n.span);
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

fn gateway(ri: &ResInst) -> Gateway {
    let mut g = gateway_as_written(ri);
    let (ignored, sp) = ignored_changes(&ri.node);
    for name in &ignored {
        forget(&mut g, name, sp);
    }
    g
}

/// Makes the gateway part written as `name` Unknown (managed outside the configuration).
fn forget(g: &mut Gateway, name: &str, sp: Span) {
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
const AGIC_MANAGED: &[&str] = &[
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

fn gateway_as_written(ri: &ResInst) -> Gateway {
    let n = &ri.node;
    let sku = match n.block("sku") {
        Ok(Some(b)) => Sku {
            name: s(&b, "name"),
            tier: s(&b, "tier"),
            capacity: i(&b, "capacity"),
            span: Some(b.span),
        },
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
        identity: one(n, "identity", |b| Identity {
            kind: s(b, "type"),
            ids: strs(b, "identity_ids"),
            span: b.span,
        }),
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
        listeners: coll(n.blocks("http_listener"), |b| Listener {
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
        }),
        pools: coll(n.blocks("backend_address_pool"), pool),
        settings: coll(n.blocks("backend_http_settings"), |b| BackendSettings {
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
        }),
        probes: coll(n.blocks("probe"), probe),
        rules: coll(n.blocks("request_routing_rule"), |b| RoutingRule {
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
    }
}

fn named(b: &Node) -> Named {
    Named {
        name: s(b, "name"),
        span: b.span,
    }
}

/// One backend address from a list element: a string, or a runtime reference (a site's
/// `default_hostname`, a private endpoint's IP).
fn address(v: &TVal, sp: Span, is_fqdn: bool, unit: UnitId) -> BackendAddress {
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

fn pool(b: &Node) -> BackendPool {
    let unit = b.unit();
    let mut addrs: Vec<BackendAddress> = Vec::new();
    let mut unknown: Option<Span> = None;
    let mut written: Option<Span> = None;
    let mut origins = Vec::new();
    for (key, is_fqdn) in [("fqdns", true), ("ip_addresses", false)] {
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

fn probe(b: &Node) -> Probe {
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

// ---- sites and plans -----------------------------------------------------------------------

fn site(ri: &ResInst) -> Site {
    let n = &ri.node;
    let (kind, is_fn) = match ri.rtype.as_str() {
        "azurerm_linux_function_app"
        | "azurerm_linux_function_app_slot"
        | "azurerm_function_app_flex_consumption" => ("functionapp,linux", true),
        "azurerm_windows_function_app" | "azurerm_windows_function_app_slot" => {
            ("functionapp", true)
        }
        "azurerm_function_app" => {
            if s(n, "os_type").as_str() == Some("linux") {
                ("functionapp,linux", true)
            } else {
                ("functionapp", true)
            }
        }
        "azurerm_linux_web_app" | "azurerm_linux_web_app_slot" => ("app,linux", false),
        _ => ("app", false),
    };
    let sc = n.block("site_config");
    let from_sc = |f: &dyn Fn(&Node) -> Val<String>| -> Val<String> {
        match &sc {
            Err(sp) => Val::unknown(Some(*sp)),
            Ok(None) => Val::absent(),
            Ok(Some(c)) => f(c),
        }
    };
    let min_tls = from_sc(&|c| s_any(c, &["minimum_tls_version", "min_tls_version"]));
    let default_action = from_sc(&|c| s(c, "ip_restriction_default_action"));
    let (restrictions, http2) = match &sc {
        Err(sp) => (Val::unknown(Some(*sp)), Val::unknown(Some(*sp))),
        Ok(None) => (Val::absent(), Val::absent()),
        Ok(Some(c)) => (
            coll(c.blocks("ip_restriction"), restriction),
            flag(c, "http2_enabled"),
        ),
    };
    let pna = match n.attr("public_network_access_enabled") {
        None => Val::absent(),
        Some(e) => with_origins(
            match &e.value {
                TVal::Null => Val::absent(),
                v => v.as_bool().map_or_else(
                    || Val::unknown(Some(e.span)),
                    |on| Val::known(if on { "Enabled" } else { "Disabled" }.into(), e.span),
                ),
            },
            &e.origins,
        ),
    };
    Site {
        res: header(ri),
        kind: Val::known(kind.to_string(), ri.header),
        is_function: Val::known(is_fn, ri.header),
        default_host_name: Val::unknown_partial(
            Some(ri.header),
            Partial {
                prefix: String::new(),
                suffix: ".azurewebsites.net".into(),
                ..Partial::default()
            },
        ),
        auto_generated_domain_scope: Val::absent(),
        host_bindings: Val::known_at(Vec::new(), None),
        plan: {
            let p = r(n, "service_plan_id");
            if p.is_absent() {
                r(n, "app_service_plan_id")
            } else {
                p
            }
        },
        https_only: flag(n, "https_only"),
        min_tls_version: min_tls,
        client_cert_enabled: b_any(n, &["client_certificate_enabled", "client_cert_enabled"]),
        client_cert_mode: s_any(n, &["client_certificate_mode", "client_cert_mode"]),
        client_cert_exclusion_paths: s(n, "client_certificate_exclusion_paths"),
        public_network_access: pna,
        ip_restrictions: restrictions,
        ip_restriction_default_action: default_action,
        app_settings: map_kv(n, "app_settings"),
        vnet_subnet: r(n, "virtual_network_subnet_id"),
        auth: one(n, "auth_settings_v2", |a| AuthSettings {
            enabled: flag(a, "auth_enabled"),
            require_authentication: flag(a, "require_authentication"),
            unauthenticated_action: s(a, "unauthenticated_action"),
            excluded_paths: strs(a, "excluded_paths"),
            span: a.span,
        }),
        http2,
        always_ready: if n.blocks("always_ready").written {
            Val::known(true, n.span)
        } else {
            Val::absent()
        },
    }
}

fn restriction(b: &Node) -> AccessRestriction {
    AccessRestriction {
        name: s(b, "name"),
        action: s(b, "action"),
        priority: i(b, "priority"),
        ip_address: s(b, "ip_address"),
        tag: Val::absent(),
        service_tag: s(b, "service_tag"),
        subnet: r(b, "virtual_network_subnet_id"),
        has_headers: {
            let h = b.blocks("headers");
            if h.unknown.is_some() {
                Val::unknown(h.unknown)
            } else if h.written || b.expr("headers").is_some() {
                Val::known(true, h.first_span.unwrap_or(b.span))
            } else {
                Val::absent()
            }
        },
        span: b.span,
    }
}

fn plan(ri: &ResInst) -> Plan {
    let n = &ri.node;
    if ri.rtype == "azurerm_app_service_plan" {
        let (tier, size) = match n.block("sku") {
            Ok(Some(b)) => (s(&b, "tier"), s(&b, "size")),
            Ok(None) => (Val::absent(), Val::absent()),
            Err(sp) => (Val::unknown(Some(sp)), Val::unknown(Some(sp))),
        };
        return Plan {
            res: header(ri),
            sku_name: size,
            sku_tier: tier,
            kind: s(n, "kind"),
        };
    }
    Plan {
        res: header(ri),
        sku_name: s(n, "sku_name"),
        sku_tier: Val::absent(),
        kind: s(n, "os_type"),
    }
}

// ---- network -------------------------------------------------------------------------------

fn security_rule(b: &Node) -> SecurityRule {
    SecurityRule {
        name: s(b, "name"),
        direction: s(b, "direction"),
        access: s(b, "access"),
        priority: i(b, "priority"),
        protocol: s(b, "protocol"),
        source_prefixes: strs_merged(b, &["source_address_prefix", "source_address_prefixes"]),
        destination_prefixes: strs_merged(
            b,
            &["destination_address_prefix", "destination_address_prefixes"],
        ),
        destination_ports: strs_merged(b, &["destination_port_range", "destination_port_ranges"]),
        source_ports: strs_merged(b, &["source_port_range", "source_port_ranges"]),
        span: b.span,
    }
}

fn route(b: &Node) -> Route {
    Route {
        name: s(b, "name"),
        address_prefix: s(b, "address_prefix"),
        next_hop_type: s(b, "next_hop_type"),
        next_hop_ip: s(b, "next_hop_in_ip_address"),
        span: b.span,
    }
}

fn subnet_common(n: &Node, res: Resource, vnet: Ref) -> Subnet {
    let endpoints = {
        let old = strs(n, "service_endpoints");
        if old.is_absent() {
            coll(n.blocks("service_endpoint"), |b| s(b, "service"))
        } else {
            old
        }
    };
    Subnet {
        res,
        vnet,
        prefixes: strs_merged(n, &["address_prefixes", "address_prefix"]),
        nsg: r(n, "security_group"),
        nsg_span: n.expr("security_group").map(|(_, sp)| sp),
        route_table: Val::absent(),
        route_table_span: None,
        service_endpoints: endpoints,
        service_endpoint_policies: list_of(n, "service_endpoint_policy_ids", |v, sp| {
            tref(v, sp, n.unit())
        }),
        delegations: coll(n.blocks("delegation"), |d| {
            let svc = match d.block("service_delegation") {
                Ok(Some(sd)) => s(&sd, "name"),
                Ok(None) => Val::absent(),
                Err(sp) => Val::unknown(Some(sp)),
            };
            Delegation {
                service: svc,
                span: d.span,
            }
        }),
        nat_gateway: Val::absent(),
    }
}

/// The model being filled for one unit.
#[derive(Default)]
pub struct Mapper {
    /// The model.
    pub model: Model,
    pending: Pending,
}

impl Mapper {
    /// Maps one resource instance; unknown types are ignored.
    pub fn add(&mut self, ri: &ResInst) {
        let n = &ri.node;
        let unit = n.unit();
        let m = &mut self.model;
        match ri.rtype.as_str() {
            "azurerm_application_gateway" => m.gateways.push(gateway(ri)),
            "azurerm_linux_function_app"
            | "azurerm_windows_function_app"
            | "azurerm_function_app_flex_consumption"
            | "azurerm_linux_web_app"
            | "azurerm_windows_web_app"
            | "azurerm_function_app"
            | "azurerm_app_service"
            | "azurerm_linux_function_app_slot"
            | "azurerm_windows_function_app_slot"
            | "azurerm_linux_web_app_slot"
            | "azurerm_windows_web_app_slot" => {
                let st = site(ri);
                if st.vnet_subnet.is_known() {
                    m.subnet_users.push(SubnetUser {
                        res: st.res.clone(),
                        subnet: st.vnet_subnet.clone(),
                        usage: "VNet integration".into(),
                        span: st.vnet_subnet.span_or(ri.header),
                    });
                }
                m.sites.push(st);
            }
            "azurerm_service_plan" | "azurerm_app_service_plan" => m.plans.push(plan(ri)),
            "azurerm_app_service_custom_hostname_binding" => {
                let t = match n.attr("app_service_name") {
                    Some(e) => target_of(Some(e), unit),
                    None => Target::Unknown,
                };
                let hb = HostBinding {
                    host_name: s(n, "hostname"),
                    ssl_state: s(n, "ssl_state"),
                    span: ri.header,
                };
                self.pending.host_bindings.push((t, hb));
            }
            "azurerm_virtual_network" => {
                let res = header(ri);
                let vref = Val::known(res.key.clone(), ri.header);
                for sb in n.blocks("subnet").items {
                    let name = s(&sb, "name");
                    let addr = format!("{}.subnet[{}]", ri.address, name.as_str().unwrap_or("?"));
                    let sres = Resource {
                        key: ResourceKey::tf(unit, "azurerm_virtual_network.subnet", &addr),
                        name,
                        rtype: "azurerm_virtual_network.subnet".into(),
                        label: addr,
                        span: sb.span,
                        dialect: Dialect::Terraform,
                        condition: ri.condition.clone(),
                        suppressions: Vec::new(),
                    };
                    m.subnets.push(subnet_common(&sb, sres, vref.clone()));
                }
                m.vnets.push(VirtualNetwork {
                    res,
                    address_space: strs(n, "address_space"),
                    dns_servers: strs(n, "dns_servers"),
                    peerings: Val::known_at(Vec::new(), None),
                });
            }
            "azurerm_subnet" => {
                let t = target_of(n.attr("virtual_network_name"), unit);
                let vref = match &t {
                    Target::Key(k) => Val::known(k.clone(), ri.header),
                    _ => Val::unknown(Some(ri.header)),
                };
                let sn = subnet_common(n, header(ri), vref);
                if let Target::Name(_) = t {
                    self.pending.subnet_vnet.push((m.subnets.len(), t));
                }
                m.subnets.push(sn);
            }
            "azurerm_network_security_group" => m.nsgs.push(NetworkSecurityGroup {
                res: header(ri),
                rules: {
                    let c = coll(n.blocks("security_rule"), security_rule);
                    if c.is_absent() {
                        Val::known_at(Vec::new(), None)
                    } else {
                        c
                    }
                },
            }),
            "azurerm_network_security_rule" => {
                let t = target_of(n.attr("network_security_group_name"), unit);
                let mut rule = security_rule(n);
                rule.span = ri.header;
                self.pending.nsg_rules.push((t, rule));
            }
            "azurerm_subnet_network_security_group_association"
            | "azurerm_subnet_route_table_association"
            | "azurerm_subnet_nat_gateway_association" => {
                let (kind, key) = match ri.rtype.as_str() {
                    "azurerm_subnet_network_security_group_association" => {
                        (Assoc::Nsg, "network_security_group_id")
                    }
                    "azurerm_subnet_route_table_association" => {
                        (Assoc::RouteTable, "route_table_id")
                    }
                    _ => (Assoc::Nat, "nat_gateway_id"),
                };
                let target = r(n, key);
                let sp = target.span.unwrap_or(ri.header);
                self.pending
                    .subnet_assoc
                    .push((r(n, "subnet_id"), kind, target, sp));
            }
            "azurerm_route_table" => {
                let dis = {
                    let v4 = flag(n, "bgp_route_propagation_enabled");
                    if v4.is_absent() {
                        flag(n, "disable_bgp_route_propagation")
                    } else {
                        v4.map(|x| !x)
                    }
                };
                m.route_tables.push(RouteTable {
                    res: header(ri),
                    routes: {
                        let c = coll(n.blocks("route"), route);
                        if c.is_absent() {
                            Val::known_at(Vec::new(), None)
                        } else {
                            c
                        }
                    },
                    disable_bgp_route_propagation: dis,
                });
            }
            "azurerm_route" => {
                let t = target_of(n.attr("route_table_name"), unit);
                let mut rt = route(n);
                rt.span = ri.header;
                self.pending.routes.push((t, rt));
            }
            "azurerm_private_endpoint" => {
                let pe = PrivateEndpoint {
                    res: header(ri),
                    subnet: r(n, "subnet_id"),
                    connections: coll(n.blocks("private_service_connection"), |c| {
                        PrivateLinkConnection {
                            target: r(c, "private_connection_resource_id"),
                            group_ids: strs(c, "subresource_names"),
                            span: c.span,
                        }
                    }),
                    dns_zones: match n.block("private_dns_zone_group") {
                        Err(sp) => Val::unknown(Some(sp)),
                        Ok(None) => Val::absent(),
                        Ok(Some(g)) => {
                            list_of(&g, "private_dns_zone_ids", |v, sp| tref(v, sp, unit))
                        }
                    },
                };
                if !pe.subnet.is_absent() {
                    m.subnet_users.push(SubnetUser {
                        res: pe.res.clone(),
                        subnet: pe.subnet.clone(),
                        usage: "private endpoint".into(),
                        span: pe.subnet.span_or(ri.header),
                    });
                }
                m.private_endpoints.push(pe);
            }
            "azurerm_private_dns_zone" => m.dns_zones.push(PrivateDnsZone {
                res: header(ri),
                links: Val::known_at(Vec::new(), None),
                a_records: Val::known_at(Vec::new(), None),
            }),
            "azurerm_private_dns_zone_virtual_network_link" => {
                let t = target_of(n.attr("private_dns_zone_name"), unit);
                self.pending.dns_links.push((
                    t,
                    DnsZoneLink {
                        name: s(n, "name"),
                        vnet: r(n, "virtual_network_id"),
                        span: ri.header,
                    },
                ));
            }
            "azurerm_private_dns_a_record" => {
                let t = target_of(n.attr("zone_name"), unit);
                self.pending.a_records.push((
                    t,
                    DnsARecord {
                        name: s(n, "name"),
                        addresses: strs(n, "records"),
                        span: ri.header,
                    },
                ));
            }
            "azurerm_public_ip" => m.public_ips.push(PublicIp {
                res: header(ri),
                zones: strs(n, "zones"),
                sku: s(n, "sku"),
                allocation: s(n, "allocation_method"),
            }),
            "azurerm_monitor_diagnostic_setting" => {
                let mut logs = coll(n.blocks("enabled_log"), diag_log);
                let old = coll(n.blocks("log"), diag_log);
                if logs.is_absent() {
                    logs = old;
                } else if let (Lattice::Known(v), Some(o)) = (&mut logs.state, old.get()) {
                    v.extend(o.iter().cloned());
                } else if old.is_unknown() {
                    logs = old;
                }
                let dests = [
                    "log_analytics_workspace_id",
                    "storage_account_id",
                    "eventhub_authorization_rule_id",
                    "partner_solution_id",
                ];
                let has = dests.iter().any(|k| n.expr(k).is_some());
                m.diagnostic_settings.push(DiagnosticSetting {
                    res: header(ri),
                    target: r(n, "target_resource_id"),
                    logs,
                    has_destination: Val::known(has, ri.header),
                });
            }
            "azurerm_web_application_firewall_policy" => {
                let ps = n.block("policy_settings");
                let get = |f: &dyn Fn(&Node) -> Val<bool>| match &ps {
                    Err(sp) => Val::unknown(Some(*sp)),
                    Ok(None) => Val::absent(),
                    Ok(Some(p)) => f(p),
                };
                let (mode, max_kb, inspect) = match &ps {
                    Err(sp) => (
                        Val::unknown(Some(*sp)),
                        Val::unknown(Some(*sp)),
                        Val::unknown(Some(*sp)),
                    ),
                    Ok(None) => (Val::absent(), Val::absent(), Val::absent()),
                    Ok(Some(p)) => (
                        s(p, "mode"),
                        i(p, "max_request_body_size_in_kb"),
                        i(p, "request_body_inspect_limit_in_kb"),
                    ),
                };
                m.waf_policies.push(WafPolicy {
                    res: header(ri),
                    enabled: get(&|p| flag(p, "enabled")),
                    mode,
                    request_body_check: get(&|p| flag(p, "request_body_check")),
                    max_request_body_kb: max_kb,
                    request_body_inspect_limit_kb: inspect,
                });
            }
            "azurerm_nat_gateway" => m.nat_gateways.push(NatGateway { res: header(ri) }),
            "azurerm_virtual_network_peering" => {
                let t = target_of(n.attr("virtual_network_name"), unit);
                self.pending.peerings.push((
                    t,
                    Peering {
                        name: s(n, "name"),
                        remote_vnet: r(n, "remote_virtual_network_id"),
                        span: ri.header,
                    },
                ));
            }
            "azurerm_virtual_network_gateway" => {
                let subnet = match n.blocks("ip_configuration").items.first() {
                    Some(c) => r(c, "subnet_id"),
                    None => Val::absent(),
                };
                m.vnet_gateways.push(VnetGateway {
                    res: header(ri),
                    subnet,
                });
            }
            "azurerm_network_interface" => {
                for c in n.blocks("ip_configuration").items {
                    let sn = r(&c, "subnet_id");
                    if !sn.is_absent() {
                        m.subnet_users.push(SubnetUser {
                            res: header(ri),
                            span: sn.span_or(c.span),
                            subnet: sn,
                            usage: "network interface".into(),
                        });
                    }
                }
            }
            "azurerm_network_interface_application_gateway_backend_address_pool_association" => {
                let (gw, pool) = match n.attr("backend_address_pool_id") {
                    Some(e) => pool_member_target(&e, unit),
                    None => (Val::absent(), Val::absent()),
                };
                if gw.is_unknown()
                    && let Some((expr, _)) = n.expr("backend_address_pool_id")
                {
                    // `one(azurerm_application_gateway.gw.backend_address_pool).id` and the like
                    // are Unknown to the evaluator, but they still name the gateway.
                    let mut f = GatewayRefs(Vec::new());
                    hcl::edit::visit::Visit::visit_expr(&mut f, expr);
                    f.0.sort();
                    f.0.dedup();
                    if let [name] = f.0.as_slice() {
                        let prefix = ri
                            .address
                            .rfind(&format!("{}.", ri.rtype))
                            .map_or("", |i| &ri.address[..i]);
                        self.pending.member_gateways.push((
                            m.pool_members.len(),
                            format!("{prefix}azurerm_application_gateway.{name}"),
                        ));
                    }
                }
                m.pool_members.push(PoolMembership {
                    res: header(ri),
                    gateway: gw,
                    pool,
                });
            }
            "azurerm_virtual_network_dns_servers" => {
                self.pending
                    .dns_servers
                    .push((r(n, "virtual_network_id"), strs(n, "dns_servers")));
            }
            "azurerm_app_service_virtual_network_swift_connection" => {
                let sn = r(n, "subnet_id");
                if !sn.is_absent() {
                    m.subnet_users.push(SubnetUser {
                        res: header(ri),
                        span: sn.span_or(ri.header),
                        subnet: sn.clone(),
                        usage: "VNet integration".into(),
                    });
                }
                self.pending.swift.push((r(n, "app_service_id"), sn));
            }
            "azurerm_kubernetes_cluster" => {
                self.pending.has_aks = true;
                for ig in n.blocks("ingress_application_gateway").items {
                    let gw = r(&ig, "gateway_id");
                    if !gw.is_absent() {
                        self.pending.agic.push((gw, ig.span));
                    }
                }
            }
            "azurerm_linux_virtual_machine_scale_set"
            | "azurerm_windows_virtual_machine_scale_set"
            | "azurerm_orchestrated_virtual_machine_scale_set"
            | "azurerm_virtual_machine_scale_set" => {
                let mut nics = n.blocks("network_interface");
                nics.items.extend(n.blocks("network_profile").items);
                let unknown = nics.unknown;
                for nic in nics.items {
                    let cfgs = nic.blocks("ip_configuration");
                    let unknown = unknown.or(cfgs.unknown);
                    for c in cfgs.items {
                        let Some(e) = c.attr("application_gateway_backend_address_pool_ids") else {
                            continue;
                        };
                        match elems(&e) {
                            Some(items) => {
                                for (v, sp) in items {
                                    let ev = Ev {
                                        value: v,
                                        origins: Vec::new(),
                                        span: sp,
                                        elems: Vec::new(),
                                    };
                                    let (gateway, pool) = pool_member_target(&ev, unit);
                                    m.pool_members.push(PoolMembership {
                                        res: header(ri),
                                        gateway,
                                        pool,
                                    });
                                }
                            }
                            None if !e.value.is_null() => m.pool_members.push(PoolMembership {
                                res: header(ri),
                                gateway: Val::unknown(Some(e.span)),
                                pool: Val::unknown(Some(e.span)),
                            }),
                            None => {}
                        }
                    }
                    if let Some(sp) = unknown {
                        // Unknown NIC configurations may add members to any pool.
                        m.pool_members.push(PoolMembership {
                            res: header(ri),
                            gateway: Val::unknown(Some(sp)),
                            pool: Val::unknown(Some(sp)),
                        });
                    }
                }
            }
            "azapi_resource" => {
                if let Some(gw) = super::azapi::gateway(ri) {
                    m.gateways.push(gw);
                }
            }
            _ => {}
        }
    }

    /// Resolves the links between resources and rebuilds the index.
    pub fn finish(mut self) -> Model {
        let p = std::mem::take(&mut self.pending);
        let m = &mut self.model;
        m.reindex();
        // Resolves a child's parent among `keys` (by key) or `names` (by Known name).
        fn pick(t: &Target, keys: &[ResourceKey], names: &[Option<String>]) -> Option<Vec<usize>> {
            match t {
                Target::Key(k) => Some(keys.iter().position(|x| x == k).into_iter().collect()),
                Target::Name(nm) => Some(
                    names
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| n.as_deref() == Some(nm.as_str()))
                        .map(|(i, _)| i)
                        .collect(),
                ),
                Target::Unknown => None,
            }
        }
        macro_rules! merge {
            ($list:expr, $field:ident, $coll:ident) => {{
                let keys: Vec<ResourceKey> = m.$field.iter().map(|x| x.res.key.clone()).collect();
                let names: Vec<Option<String>> =
                    m.$field.iter().map(|x| x.res.name.get().cloned()).collect();
                for (t, item) in $list {
                    // By name: the parent is certain only when exactly one resource has that
                    // name and no resource's name is Unknown; otherwise every candidate may
                    // get the child, so their collections become Unknown.
                    let (certain, maybe): (Vec<usize>, Vec<usize>) = match &t {
                        Target::Name(nm) => {
                            let exact: Vec<usize> = names
                                .iter()
                                .enumerate()
                                .filter(|(_, n)| n.as_deref() == Some(nm.as_str()))
                                .map(|(i, _)| i)
                                .collect();
                            let unknown: Vec<usize> = names
                                .iter()
                                .enumerate()
                                .filter(|(_, n)| n.is_none())
                                .map(|(i, _)| i)
                                .collect();
                            if exact.len() == 1 && unknown.is_empty() {
                                (exact, Vec::new())
                            } else {
                                (Vec::new(), exact.into_iter().chain(unknown).collect())
                            }
                        }
                        _ => match pick(&t, &keys, &names) {
                            Some(idx) => (idx, Vec::new()),
                            None => (Vec::new(), (0..keys.len()).collect()),
                        },
                    };
                    for ix in certain {
                        if let Some(x) = m.$field.get_mut(ix)
                            && let Lattice::Known(v) = &mut x.$coll.state
                        {
                            v.push(item.clone());
                        }
                    }
                    for ix in maybe {
                        if let Some(x) = m.$field.get_mut(ix) {
                            x.$coll = Val::unknown(x.$coll.span.or(Some(item.span)));
                        }
                    }
                }
            }};
        }
        for (gw, sp) in &p.agic {
            for g in &mut m.gateways {
                let hit = match gw.get() {
                    Some(k) => &g.res.key == k,
                    // An ingress controller on an unknown gateway may manage any of them.
                    None => true,
                };
                if hit {
                    for name in AGIC_MANAGED {
                        forget(g, name, *sp);
                    }
                }
            }
        }
        for (vnet, servers) in p.dns_servers {
            for v in &mut m.vnets {
                match vnet.get() {
                    Some(k) if &v.res.key == k => v.dns_servers = servers.clone(),
                    Some(_) => {}
                    // Custom DNS on an unknown network: any of them may have it.
                    None => v.dns_servers = Val::unknown(vnet.span),
                }
            }
        }
        for (site, subnet) in p.swift {
            for st in &mut m.sites {
                match site.get() {
                    Some(k) if &st.res.key == k => st.vnet_subnet = subnet.clone(),
                    Some(_) => {}
                    None if st.vnet_subnet.is_absent() => st.vnet_subnet = Val::unknown(site.span),
                    None => {}
                }
            }
        }
        for (ix, address) in p.member_gateways {
            let key = m
                .gateways
                .iter()
                .find(|g| {
                    g.res.key.name == address && g.res.key.kind == "azurerm_application_gateway"
                })
                .map(|g| g.res.key.clone());
            if let (Some(k), Some(pm)) = (key, m.pool_members.get_mut(ix)) {
                pm.gateway = Val::known_at(k, pm.gateway.span);
            }
        }
        // A member of a Known gateway that has exactly one pool is in that pool, whatever
        // expression selected it.
        for pm in &mut m.pool_members {
            if !pm.pool.is_unknown() {
                continue;
            }
            let Some(k) = pm.gateway.get() else { continue };
            let Some(g) = m.gateways.iter().find(|g| &g.res.key == k) else {
                continue;
            };
            if let Some([only]) = g.pools.get().map(Vec::as_slice)
                && let Some(name) = only.name.get()
            {
                pm.pool = Val::known_at(name.clone(), pm.pool.span);
            }
        }
        if p.has_aks {
            // A gateway deployed next to an AKS cluster with nothing but empty pools is the
            // brown-field pattern of the Helm-installed ingress controller (AGIC), which
            // replaces pools, settings, listeners and rules at runtime.
            let with_members: Vec<ResourceKey> = m
                .pool_members
                .iter()
                .filter_map(|pm| pm.gateway.get().cloned())
                .collect();
            for g in &mut m.gateways {
                if with_members.contains(&g.res.key) {
                    continue;
                }
                let placeholder = g.pools.get().is_some_and(|pools| {
                    pools
                        .iter()
                        .all(|pl| pl.addresses.items().is_some_and(<[_]>::is_empty))
                });
                if placeholder {
                    let sp = g.pools.span.unwrap_or(g.res.span);
                    for name in AGIC_MANAGED {
                        forget(g, name, sp);
                    }
                }
            }
        }
        merge!(p.nsg_rules, nsgs, rules);
        merge!(p.routes, route_tables, routes);
        merge!(p.host_bindings, sites, host_bindings);
        merge!(p.dns_links, dns_zones, links);
        merge!(p.a_records, dns_zones, a_records);
        merge!(p.peerings, vnets, peerings);
        // Subnets naming their VNet by a literal name.
        let vkeys: Vec<(Option<String>, ResourceKey)> = m
            .vnets
            .iter()
            .map(|v| (v.res.name.get().cloned(), v.res.key.clone()))
            .collect();
        for (ix, t) in p.subnet_vnet {
            if let (Target::Name(nm), Some(sn)) = (t, m.subnets.get_mut(ix)) {
                let hits: Vec<&ResourceKey> = vkeys
                    .iter()
                    .filter(|(n, _)| n.as_deref() == Some(nm.as_str()))
                    .map(|(_, k)| k)
                    .collect();
                if let [k] = hits.as_slice() {
                    sn.vnet = Val::known((*k).clone(), sn.res.span);
                }
            }
        }
        // Associations onto subnets.
        for (subnet, kind, target, sp) in p.subnet_assoc {
            let apply = |sn: &mut Subnet, t: Ref| match kind {
                Assoc::Nsg => {
                    sn.nsg = t;
                    sn.nsg_span = Some(sp);
                }
                Assoc::RouteTable => {
                    sn.route_table = t;
                    sn.route_table_span = Some(sp);
                }
                Assoc::Nat => sn.nat_gateway = t,
            };
            match subnet.get() {
                Some(k) => {
                    if let Some(sn) = m.subnets.iter_mut().find(|x| &x.res.key == k) {
                        apply(sn, target.clone());
                    }
                }
                None => {
                    for sn in &mut m.subnets {
                        let cur = match kind {
                            Assoc::Nsg => &sn.nsg,
                            Assoc::RouteTable => &sn.route_table,
                            Assoc::Nat => &sn.nat_gateway,
                        };
                        if cur.is_absent() {
                            apply(sn, Val::unknown(Some(sp)));
                        }
                    }
                }
            }
        }
        m.reindex();
        self.model
    }
}

/// Names `x` of traversals `azurerm_application_gateway.x...` in an expression.
struct GatewayRefs(Vec<String>);

impl hcl::edit::visit::Visit for GatewayRefs {
    fn visit_traversal(&mut self, t: &hcl::edit::expr::Traversal) {
        if let hcl::edit::expr::Expression::Variable(v) = &t.expr
            && v.as_str() == "azurerm_application_gateway"
            && let Some(op) = t.operators.first()
            && let hcl::edit::expr::TraversalOperator::GetAttr(name) = op.value()
        {
            self.0.push(name.as_str().to_string());
        }
        hcl::edit::visit::visit_traversal(self, t);
    }
}

fn diag_log(b: &Node) -> DiagnosticLog {
    DiagnosticLog {
        category: s(b, "category"),
        category_group: s(b, "category_group"),
        enabled: flag(b, "enabled"),
        span: b.span,
    }
}

/// `backend_address_pool_id` of a NIC association: the gateway it points into, and the pool
/// name when the reference selects a pool by a Known name (rare); usually Unknown.
fn pool_member_target(e: &Ev, unit: UnitId) -> (Ref, Val<String>) {
    match &e.value {
        TVal::Runtime(rt) if rt.rtype == "azurerm_application_gateway" => (
            Val::known(ResourceKey::tf(unit, &rt.rtype, &rt.address), e.span),
            Val::unknown(Some(e.span)),
        ),
        TVal::Null => (Val::absent(), Val::absent()),
        _ => (Val::unknown(Some(e.span)), Val::unknown(Some(e.span))),
    }
}
