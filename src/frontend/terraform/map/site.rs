//! Function Apps, Web Apps and their slots, service plans, host name bindings and VNet
//! integration.

use super::conv::*;
use super::{Mapper, ResInst, Target, header, target_of};
use crate::frontend::terraform::expand::Node;
use crate::frontend::terraform::value::TVal;
use crate::model::*;

/// Resource types mapped as sites (Function Apps, Web Apps and their slots).
pub(super) const SITE_TYPES: &[&str] = &[
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
    "azurerm_function_app_flex_consumption",
    "azurerm_linux_web_app",
    "azurerm_windows_web_app",
    "azurerm_function_app",
    "azurerm_app_service",
    "azurerm_function_app_slot",
    "azurerm_app_service_slot",
    "azurerm_linux_function_app_slot",
    "azurerm_windows_function_app_slot",
    "azurerm_linux_web_app_slot",
    "azurerm_windows_web_app_slot",
];

impl Mapper {
    /// Maps sites, plans and their bindings; false when the resource is none of them.
    pub(super) fn add_site(&mut self, ri: &ResInst) -> bool {
        let n = &ri.node;
        let unit = n.unit();
        let m = &mut self.model;
        match ri.rtype.as_str() {
            t if SITE_TYPES.contains(&t) => {
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
            _ => return false,
        }
        true
    }
}

pub(super) fn site(ri: &ResInst) -> Site {
    let n = &ri.node;
    let (kind, is_fn) = match ri.rtype.as_str() {
        "azurerm_linux_function_app"
        | "azurerm_linux_function_app_slot"
        | "azurerm_function_app_flex_consumption" => ("functionapp,linux", true),
        "azurerm_windows_function_app" | "azurerm_windows_function_app_slot" => {
            ("functionapp", true)
        }
        // The 2.x/3.x slots of `azurerm_function_app` / `azurerm_app_service` (removed in 4.0
        // with their parents, 4.0 upgrade guide) share their parents' schema.
        "azurerm_function_app" | "azurerm_function_app_slot" => {
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
            coll(c.blocks("ip_restriction"), |b| {
                restriction(&b.checked(RESTRICTION))
            }),
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
        app_settings: with_runtime_version(ri, map_kv(n, "app_settings")),
        vnet_subnet: r(n, "virtual_network_subnet_id"),
        auth: {
            let v2 = one(n, "auth_settings_v2", |a| AuthSettings {
                enabled: flag(a, "auth_enabled"),
                require_authentication: flag(a, "require_authentication"),
                unauthenticated_action: s(a, "unauthenticated_action"),
                excluded_paths: strs(a, "excluded_paths"),
                span: a.span,
            });
            if v2.is_absent() { legacy_auth(n) } else { v2 }
        },
        http2,
        tags: map_kv(n, "tags"),
        always_ready: if n.blocks("always_ready").written {
            Val::known(true, n.span)
        } else {
            Val::absent()
        },
    }
}

/// The app settings with the runtime version a function app resource writes as an attribute
/// (`functions_extension_version` of `azurerm_*_function_app`, `version` of the 2.x/3.x
/// `azurerm_function_app`), which the provider deploys as `FUNCTIONS_EXTENSION_VERSION`.
fn with_runtime_version(ri: &ResInst, mut settings: Coll<KeyValue>) -> Coll<KeyValue> {
    let attr = match ri.rtype.as_str() {
        "azurerm_function_app" | "azurerm_function_app_slot" => "version",
        "azurerm_linux_function_app"
        | "azurerm_linux_function_app_slot"
        | "azurerm_windows_function_app"
        | "azurerm_windows_function_app_slot" => "functions_extension_version",
        _ => return settings,
    };
    let value = s(&ri.node, attr);
    if value.is_absent() {
        return settings;
    }
    let kv = KeyValue {
        key: "FUNCTIONS_EXTENSION_VERSION".into(),
        span: value.span.unwrap_or(ri.header),
        value,
    };
    match &mut settings.state {
        Lattice::Known(items) => items.push(kv),
        Lattice::Absent => settings = Val::known_at(vec![kv], None),
        // The settings may hold anything: leave them Unknown.
        Lattice::Unknown(_) => {}
    }
    settings
}

/// A site without `auth_settings_v2` but with the older `auth_settings` block (azurerm 2.x
/// `azurerm_app_service` / `azurerm_function_app`, still accepted by the 3.x/4.x
/// `azurerm_*_web_app` / `azurerm_*_function_app`; registry docs of those resources): its
/// `enabled` / `unauthenticated_client_action` are the v1 API's, which agwlint does not map, so
/// authentication reads as Unknown unless the block says `enabled = false`.
fn legacy_auth(n: &Node) -> Val<AuthSettings> {
    match n.block("auth_settings") {
        Err(sp) => Val::unknown(Some(sp)),
        Ok(None) => Val::absent(),
        Ok(Some(a)) => {
            if flag(&a, "enabled").get() == Some(&false) {
                Val::absent()
            } else {
                Val::unknown_partial(
                    Some(a.span),
                    Partial::because(Why::new(
                        "`auth_settings` (authentication v1) is not mapped; \
                         `auth_settings_v2` is",
                        Some(a.span),
                    )),
                )
            }
        }
    }
}

pub(super) fn restriction(b: &Node) -> AccessRestriction {
    AccessRestriction {
        name: s(b, "name"),
        action: s(b, "action"),
        priority: i(b, "priority"),
        ip_address: restriction_address(b),
        tag: Val::absent(),
        service_tag: s(b, "service_tag"),
        // azurerm 2.x `subnet_id`: deprecated in 2.23.0 for `virtual_network_subnet_id`, removed
        // in 2.56 (provider PR hashicorp/terraform-provider-azurerm#11170).
        subnet: {
            let sn = r(b, "virtual_network_subnet_id");
            if sn.is_absent() {
                r(b, "subnet_id")
            } else {
                sn
            }
        },
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

/// Attribute names of a site's `ip_restriction` block in azurerm 1.x to 4.x; a block with any
/// other attribute reads its unwritten fields as Unknown ([`Node::checked`]).
const RESTRICTION: &[&str] = &[
    "name",
    "action",
    "priority",
    "ip_address",
    "subnet_mask",
    "service_tag",
    "virtual_network_subnet_id",
    "subnet_id",
    "headers",
    "description",
];

/// An access restriction's `ip_address`. azurerm 1.x wrote the range as `ip_address` plus a
/// dotted `subnet_mask` (default `255.255.255.255`; provider PR
/// hashicorp/terraform-provider-azurerm#1231), removed in 2.0 for a CIDR `ip_address`: a Known
/// mask is folded into the address, any other mask makes it Unknown.
pub(super) fn restriction_address(b: &Node) -> Val<String> {
    let ip = s(b, "ip_address");
    if b.expr("subnet_mask").is_none() || ip.is_absent() {
        return ip;
    }
    let mask = s(b, "subnet_mask");
    let bits = mask.as_str().and_then(mask_bits);
    match (ip.as_str(), bits) {
        (Some(a), Some(n)) if !a.contains('/') => ip.map(|a| format!("{a}/{n}")),
        _ => Val::unknown(mask.span.or(ip.span)),
    }
}

/// Prefix length of a contiguous dotted IPv4 mask (`255.255.255.0` gives 24).
fn mask_bits(mask: &str) -> Option<u32> {
    let m: std::net::Ipv4Addr = mask.trim().parse().ok()?;
    let v = u32::from(m);
    let n = v.leading_ones();
    (v.checked_shl(n).unwrap_or(0) == 0).then_some(n)
}

pub(super) fn plan(ri: &ResInst) -> Plan {
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
