//! AGW023 dangling-or-missing-reference: a sub-resource reference inside a gateway that names
//! nothing, or a rule missing what its type requires. The PUT fails with
//! `InvalidResourceReference`; Terraform fails at plan or apply.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::{SubLookup, find_named};
use crate::model::{Gateway, Model, SubRef, Val};
use crate::source::Span;

/// See the module docs.
pub struct DanglingReference;

static META: RuleMeta = RuleMeta {
    id: "AGW023",
    name: "dangling-or-missing-reference",
    severity: Severity::Error,
    summary: "A reference inside the gateway names a sub-resource that does not exist, or a rule lacks its target",
    page: include_str!("../../rules/AGW023.md"),
};

/// What holds a reference, put into words only for a finding or a skipped check (most
/// references resolve: building every description first was most of this rule's time).
#[derive(Clone, Copy)]
enum Owner<'a> {
    /// `routing rule "r"`, `listener "l"`, ...: a kind and the element's name.
    Named(&'static str, &'a Val<String>),
    /// `path rule "p" of URL path map "m"`.
    PathRule(&'a Val<String>, &'a Val<String>),
}

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::Named(kind, name) => write!(f, "{kind} {}", quoted(name)),
            Owner::PathRule(rule, map) => {
                write!(
                    f,
                    "path rule {} of URL path map {}",
                    quoted(rule),
                    quoted(map)
                )
            }
        }
    }
}

/// One reference to check: the collection it points into, and how to describe it.
struct Check<'a> {
    r: &'a SubRef,
    owner: Owner<'a>,
    arm_prop: &'static str,
    tf_prop: &'static str,
    target_kind: &'static str,
    fallback: Span,
}

fn names_of<T>(coll: &Val<Vec<T>>, name: impl Fn(&T) -> &Val<String>) -> Vec<String> {
    coll.iter().filter_map(|t| name(t).get().cloned()).collect()
}

fn lookup(gw: &Gateway, kind: &str, r: &SubRef) -> (SubLookup<()>, Vec<String>) {
    fn erase<T>(l: SubLookup<&T>) -> SubLookup<()> {
        match l {
            SubLookup::Found(_) => SubLookup::Found(()),
            SubLookup::Missing => SubLookup::Missing,
            SubLookup::Absent => SubLookup::Absent,
            SubLookup::Unknown => SubLookup::Unknown,
        }
    }
    // The existing names only for a reference that names none of them.
    macro_rules! go {
        ($coll:expr, $name:expr) => {{
            let found = erase(find_named(&$coll, r, $name));
            let names = match found {
                SubLookup::Missing => names_of(&$coll, $name),
                _ => Vec::new(),
            };
            (found, names)
        }};
    }
    match kind {
        "listener" => go!(gw.listeners, |x: &crate::model::Listener| &x.name),
        "backend pool" => go!(gw.pools, |x: &crate::model::BackendPool| &x.name),
        "backend settings" => go!(gw.settings, |x: &crate::model::BackendSettings| &x.name),
        "URL path map" => go!(gw.url_path_maps, |x: &crate::model::UrlPathMap| &x.name),
        "redirect configuration" => go!(gw.redirects, |x: &crate::model::Redirect| &x.name),
        "rewrite rule set" => go!(gw.rewrite_rule_sets, |x: &crate::model::Named| &x.name),
        "frontend IP configuration" => go!(gw.frontend_ips, |x: &crate::model::FrontendIp| &x.name),
        "frontend port" => go!(gw.frontend_ports, |x: &crate::model::FrontendPort| &x.name),
        "SSL certificate" => go!(gw.ssl_certificates, |x: &crate::model::SslCertificate| &x
            .name),
        "SSL profile" => go!(gw.ssl_profiles, |x: &crate::model::Named| &x.name),
        "probe" => go!(gw.probes, |x: &crate::model::Probe| &x.name),
        "trusted root certificate" => {
            go!(gw.trusted_root_certificates, |x: &crate::model::Named| &x
                .name)
        }
        _ => go!(gw.authentication_certificates, |x: &crate::model::Named| &x
            .name),
    }
}

fn quoted(v: &Val<String>) -> String {
    v.get()
        .map_or_else(|| "?".to_string(), |s| format!("\"{s}\""))
}

impl Rule for DanglingReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let mut checks: Vec<Check<'_>> = Vec::new();
            let mut c = |r, owner, arm_prop, tf_prop, target_kind, fallback| {
                checks.push(Check {
                    r,
                    owner,
                    arm_prop,
                    tf_prop,
                    target_kind,
                    fallback,
                });
            };
            for rule in gw.rules.iter() {
                let o = Owner::Named("routing rule", &rule.name);
                c(
                    &rule.listener,
                    o,
                    "httpListener",
                    "http_listener_name",
                    "listener",
                    rule.span,
                );
                c(
                    &rule.pool,
                    o,
                    "backendAddressPool",
                    "backend_address_pool_name",
                    "backend pool",
                    rule.span,
                );
                c(
                    &rule.settings,
                    o,
                    "backendHttpSettings",
                    "backend_http_settings_name",
                    "backend settings",
                    rule.span,
                );
                c(
                    &rule.url_path_map,
                    o,
                    "urlPathMap",
                    "url_path_map_name",
                    "URL path map",
                    rule.span,
                );
                c(
                    &rule.redirect,
                    o,
                    "redirectConfiguration",
                    "redirect_configuration_name",
                    "redirect configuration",
                    rule.span,
                );
                c(
                    &rule.rewrite_rule_set,
                    o,
                    "rewriteRuleSet",
                    "rewrite_rule_set_name",
                    "rewrite rule set",
                    rule.span,
                );
            }
            for l in gw.listeners.iter() {
                let o = Owner::Named("listener", &l.name);
                c(
                    &l.frontend_ip,
                    o,
                    "frontendIPConfiguration",
                    "frontend_ip_configuration_name",
                    "frontend IP configuration",
                    l.span,
                );
                c(
                    &l.frontend_port,
                    o,
                    "frontendPort",
                    "frontend_port_name",
                    "frontend port",
                    l.span,
                );
                c(
                    &l.ssl_certificate,
                    o,
                    "sslCertificate",
                    "ssl_certificate_name",
                    "SSL certificate",
                    l.span,
                );
                c(
                    &l.ssl_profile,
                    o,
                    "sslProfile",
                    "ssl_profile_name",
                    "SSL profile",
                    l.span,
                );
            }
            for s in gw.settings.iter() {
                let o = Owner::Named("backend settings", &s.name);
                c(&s.probe, o, "probe", "probe_name", "probe", s.span);
                for t in s.trusted_root_certificates.iter() {
                    c(
                        t,
                        o,
                        "trustedRootCertificates",
                        "trusted_root_certificate_names",
                        "trusted root certificate",
                        s.span,
                    );
                }
                for t in s.authentication_certificates.iter() {
                    c(
                        t,
                        o,
                        "authenticationCertificates",
                        "authentication_certificate",
                        "authentication certificate",
                        s.span,
                    );
                }
            }
            for m in gw.url_path_maps.iter() {
                let o = Owner::Named("URL path map", &m.name);
                c(
                    &m.default_pool,
                    o,
                    "defaultBackendAddressPool",
                    "default_backend_address_pool_name",
                    "backend pool",
                    m.span,
                );
                c(
                    &m.default_settings,
                    o,
                    "defaultBackendHttpSettings",
                    "default_backend_http_settings_name",
                    "backend settings",
                    m.span,
                );
                c(
                    &m.default_redirect,
                    o,
                    "defaultRedirectConfiguration",
                    "default_redirect_configuration_name",
                    "redirect configuration",
                    m.span,
                );
                c(
                    &m.default_rewrite_rule_set,
                    o,
                    "defaultRewriteRuleSet",
                    "default_rewrite_rule_set_name",
                    "rewrite rule set",
                    m.span,
                );
                for pr in m.path_rules.iter() {
                    let po = Owner::PathRule(&pr.name, &m.name);
                    c(
                        &pr.pool,
                        po,
                        "backendAddressPool",
                        "backend_address_pool_name",
                        "backend pool",
                        pr.span,
                    );
                    c(
                        &pr.settings,
                        po,
                        "backendHttpSettings",
                        "backend_http_settings_name",
                        "backend settings",
                        pr.span,
                    );
                    c(
                        &pr.redirect,
                        po,
                        "redirectConfiguration",
                        "redirect_configuration_name",
                        "redirect configuration",
                        pr.span,
                    );
                    c(
                        &pr.rewrite_rule_set,
                        po,
                        "rewriteRuleSet",
                        "rewrite_rule_set_name",
                        "rewrite rule set",
                        pr.span,
                    );
                }
            }
            for r in gw.redirects.iter() {
                c(
                    &r.target_listener,
                    Owner::Named("redirect configuration", &r.name),
                    "targetListener",
                    "target_listener_name",
                    "listener",
                    r.span,
                );
            }

            let d = gw.res.dialect;
            let gname = gw.res.display_name();
            for ch in checks {
                let (res, existing) = lookup(gw, ch.target_kind, ch.r);
                match res {
                    SubLookup::Missing => {}
                    SubLookup::Unknown => {
                        cx.skip(
                            &gw.res,
                            format!("{}.{}", ch.owner, d.prop(ch.arm_prop, ch.tf_prop)),
                            &ch.r.name,
                        );
                        continue;
                    }
                    _ => continue,
                }
                let prop = d.prop(ch.arm_prop, ch.tf_prop);
                let what = match (&ch.r.mismatch, ch.r.name.get()) {
                    (Some(m), _) => m.to_string(),
                    (None, Some(n)) => format!("no {} named \"{n}\"", ch.target_kind),
                    (None, None) => format!("no such {}", ch.target_kind),
                };
                let known = if existing.is_empty() {
                    format!("the gateway has no {}", ch.target_kind)
                } else {
                    format!("existing: {}", super::capped_list(&existing))
                };
                let f = cx
                    .finding(
                        format!(
                            "`{prop}` of {} of gateway \"{gname}\" refers to {what}",
                            ch.owner
                        ),
                        ch.r.name.span_or(ch.fallback),
                    )
                    .label(what.clone())
                    .help(format!("refer to an existing {} ({known})", ch.target_kind))
                    .origins(&ch.r.name)
                    .resource(&gw.res)
                    .property(format!("{}.{}", ch.owner, ch.arm_prop));
                cx.emit(f);
            }

            // Rules that lack what their type requires.
            for rule in gw.rules.iter() {
                let Some(kind) = rule.rule_type.get() else {
                    continue;
                };
                let rname = quoted(&rule.name);
                let missing = if kind.eq_ignore_ascii_case("Basic") {
                    let has_backend =
                        !rule.pool.name.is_absent() || !rule.settings.name.is_absent();
                    let has_redirect = !rule.redirect.name.is_absent();
                    if has_backend || has_redirect {
                        None
                    } else {
                        Some(format!(
                            "neither a backend pool with settings nor a redirect configuration ({})",
                            d.prop("backendAddressPool/backendHttpSettings or redirectConfiguration",
                                   "backend_address_pool_name/backend_http_settings_name or redirect_configuration_name")
                        ))
                    }
                } else if kind.eq_ignore_ascii_case("PathBasedRouting")
                    && rule.url_path_map.name.is_absent()
                {
                    Some(format!(
                        "no URL path map (`{}`)",
                        d.prop("urlPathMap", "url_path_map_name")
                    ))
                } else {
                    None
                };
                if let Some(m) = missing {
                    let f = cx
                        .finding(
                            format!("{kind} routing rule {rname} of gateway \"{gname}\" has {m}"),
                            rule.rule_type.span_or(rule.span),
                        )
                        .label(format!("{kind} rule without its target"))
                        .help("give the rule the targets its type requires")
                        .resource(&gw.res)
                        .property(format!("requestRoutingRules[{rname}]"));
                    cx.emit(f);
                }
            }
        }
    }
}
