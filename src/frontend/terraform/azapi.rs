//! `azapi_resource` bodies of type `Microsoft.Network/applicationGateways@...`: the ARM-shaped
//! `properties` (an HCL object, or `jsonencode(...)` of one) mapped through the same gateway
//! fields. The body is deployed through the ARM API, so the resource has the ARM dialect
//! (ARM property names in messages, ARM defaults).
//!
//! When the body is written as an object literal (or `jsonencode` of one) in the resource, each
//! value points at its own attribute inside `body`; values built elsewhere (a local, a `for`
//! expression) point at the `body` attribute, and through a module call the finding moves to
//! the user's input (`crate::relocate`). Property names and sub-resource collection names compare
//! case-insensitively, as ARM does.

use super::map::{ResInst, tref, tstr};
use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};

use super::value::TVal;
use crate::model::*;
use crate::source::Span;

/// The gateway an `azapi_resource` declares, when it is one.
pub fn gateway(ri: &ResInst) -> Option<Gateway> {
    let n = &ri.node;
    let ty = n.attr("type")?;
    let ty = ty.value.as_str()?;
    let (rtype, api) = ty.split_once('@').unwrap_or((ty, ""));
    if !rtype.eq_ignore_ascii_case("Microsoft.Network/applicationGateways") {
        return None;
    }
    let body = n.attr("body");
    let (value, span, origins) = match body {
        Some(e) => {
            let v = match &e.value {
                // azapi v1: `body = jsonencode({...})`.
                TVal::Str(s) => serde_json::from_str::<serde_json::Value>(s)
                    .map_or_else(|_| TVal::unknown(), |j| super::value::tval_from_json(&j)),
                other => other.clone(),
            };
            (v, e.span, e.origins)
        }
        None => (TVal::Null, ri.header, Vec::new()),
    };
    let loc = n.expr("body").map(|(e, _)| body_literal(e));
    let cx = Cx {
        span,
        unit: n.unit(),
        origins,
        file: n.file,
    };
    let root = J(Some(&value), loc.flatten());
    let props = root.get("properties");
    let mut res = Resource {
        key: ResourceKey::tf(n.unit(), &ri.rtype, &ri.address),
        name: super::map::tstr(
            &n.attr("name").map_or(TVal::Null, |e| e.value),
            n.expr("name").map_or(ri.header, |(_, sp)| sp),
        ),
        rtype: ri.rtype.clone(),
        label: ri.address.clone(),
        span: ri.header,
        dialect: Dialect::Arm,
        condition: ri.condition.clone(),
        suppressions: Vec::new(),
    };
    if res.name.is_absent() {
        res.name = Val::unknown(Some(ri.header));
    }
    let sku = props.get("sku");
    let gw = Gateway {
        res,
        api_version: if api.is_empty() {
            Val::absent()
        } else {
            Val::known(api.to_string(), ri.header)
        },
        sku: if sku.is_absent() {
            Sku::default()
        } else {
            Sku {
                name: cx.s(sku.get("name")),
                tier: cx.s(sku.get("tier")),
                capacity: cx.i(sku.get("capacity")),
                span: Some(cx.at(sku)),
            }
        },
        autoscale: cx.one(props.get("autoscaleConfiguration"), |a| Autoscale {
            min_capacity: cx.i(a.get("minCapacity")),
            max_capacity: cx.i(a.get("maxCapacity")),
            span: cx.at(a),
        }),
        zones: cx.strs(root.get("zones")),
        // azapi writes `identity` as a block beside `body`, as azurerm does.
        identity: super::map::identity(n),
        tags: Val::absent(),
        http2: cx.b(props.get("enableHttp2")),
        gateway_ip_configs: cx.list(props.get("gatewayIPConfigurations"), |x| {
            let p = x.get("properties");
            GatewayIpConfig {
                name: cx.s(x.get("name")),
                subnet: cx.r(p.get("subnet").get("id")),
                span: cx.at(x),
            }
        }),
        frontend_ips: cx.list(props.get("frontendIPConfigurations"), |x| {
            let p = x.get("properties");
            FrontendIp {
                name: cx.s(x.get("name")),
                public_ip: cx.r(p.get("publicIPAddress").get("id")),
                private_ip: cx.s(p.get("privateIPAddress")),
                private_allocation: cx.s(p.get("privateIPAllocationMethod")),
                subnet: cx.r(p.get("subnet").get("id")),
                span: cx.at(x),
            }
        }),
        frontend_ports: cx.list(props.get("frontendPorts"), |x| FrontendPort {
            name: cx.s(x.get("name")),
            port: cx.i(x.get("properties").get("port")),
            span: cx.at(x),
        }),
        listeners: cx.list(props.get("httpListeners"), |x| {
            let p = x.get("properties");
            Listener {
                name: cx.s(x.get("name")),
                frontend_ip: cx.sub(p.get("frontendIPConfiguration"), "frontendIPConfigurations"),
                frontend_port: cx.sub(p.get("frontendPort"), "frontendPorts"),
                protocol: cx.s(p.get("protocol")),
                host_name: cx.s(p.get("hostName")),
                host_names: cx.strs(p.get("hostNames")),
                ssl_certificate: cx.sub(p.get("sslCertificate"), "sslCertificates"),
                ssl_profile: cx.sub(p.get("sslProfile"), "sslProfiles"),
                require_sni: cx.b(p.get("requireServerNameIndication")),
                firewall_policy: cx.r(p.get("firewallPolicy").get("id")),
                span: cx.at(x),
            }
        }),
        pools: cx.list(props.get("backendAddressPools"), |x| BackendPool {
            name: cx.s(x.get("name")),
            addresses: cx.list(x.get("properties").get("backendAddresses"), |a| {
                cx.address(a)
            }),
            span: cx.at(x),
        }),
        settings: cx.list(props.get("backendHttpSettingsCollection"), |x| {
            let p = x.get("properties");
            BackendSettings {
                name: cx.s(x.get("name")),
                port: cx.i(p.get("port")),
                protocol: cx.s(p.get("protocol")),
                cookie_based_affinity: cx.s(p.get("cookieBasedAffinity")),
                request_timeout: cx.i(p.get("requestTimeout")),
                pick_host_name: cx.b(p.get("pickHostNameFromBackendAddress")),
                host_name: cx.s(p.get("hostName")),
                path: cx.s(p.get("path")),
                probe: cx.sub(p.get("probe"), "probes"),
                probe_enabled: cx.b(p.get("probeEnabled")),
                trusted_root_certificates: cx.list(p.get("trustedRootCertificates"), |t| {
                    cx.sub(t, "trustedRootCertificates")
                }),
                authentication_certificates: cx.list(p.get("authenticationCertificates"), |t| {
                    cx.sub(t, "authenticationCertificates")
                }),
                validate_cert_chain: cx.b(p.get("validateCertChainAndExpiry")),
                validate_sni: cx.b(p.get("validateSNI")),
                sni_name: cx.s(p.get("sniName")),
                span: cx.at(x),
            }
        }),
        probes: cx.list(props.get("probes"), |x| {
            let p = x.get("properties");
            let m = p.get("match");
            Probe {
                name: cx.s(x.get("name")),
                protocol: cx.s(p.get("protocol")),
                host: cx.s(p.get("host")),
                path: cx.s(p.get("path")),
                interval: cx.i(p.get("interval")),
                timeout: cx.i(p.get("timeout")),
                unhealthy_threshold: cx.i(p.get("unhealthyThreshold")),
                pick_host_from_settings: cx.b(p.get("pickHostNameFromBackendHttpSettings")),
                port: cx.i(p.get("port")),
                min_servers: cx.i(p.get("minServers")),
                has_match: match m.0 {
                    None | Some(TVal::Null) => Val::known_at(false, None),
                    Some(TVal::Map(_)) => Val::known(true, cx.at(m)),
                    Some(_) => Val::unknown(Some(cx.at(m))),
                },
                match_status_codes: cx.strs(m.get("statusCodes")),
                match_body: cx.s(m.get("body")),
                span: cx.at(x),
            }
        }),
        rules: cx.list(props.get("requestRoutingRules"), |x| {
            let p = x.get("properties");
            RoutingRule {
                name: cx.s(x.get("name")),
                rule_type: cx.s(p.get("ruleType")),
                priority: cx.i(p.get("priority")),
                listener: cx.sub(p.get("httpListener"), "httpListeners"),
                pool: cx.sub(p.get("backendAddressPool"), "backendAddressPools"),
                settings: cx.sub(
                    p.get("backendHttpSettings"),
                    "backendHttpSettingsCollection",
                ),
                url_path_map: cx.sub(p.get("urlPathMap"), "urlPathMaps"),
                redirect: cx.sub(p.get("redirectConfiguration"), "redirectConfigurations"),
                rewrite_rule_set: cx.sub(p.get("rewriteRuleSet"), "rewriteRuleSets"),
                span: cx.at(x),
            }
        }),
        url_path_maps: cx.list(props.get("urlPathMaps"), |x| {
            let p = x.get("properties");
            UrlPathMap {
                name: cx.s(x.get("name")),
                default_pool: cx.sub(p.get("defaultBackendAddressPool"), "backendAddressPools"),
                default_settings: cx.sub(
                    p.get("defaultBackendHttpSettings"),
                    "backendHttpSettingsCollection",
                ),
                default_redirect: cx.sub(
                    p.get("defaultRedirectConfiguration"),
                    "redirectConfigurations",
                ),
                default_rewrite_rule_set: cx.sub(p.get("defaultRewriteRuleSet"), "rewriteRuleSets"),
                path_rules: cx.list(p.get("pathRules"), |r| {
                    let q = r.get("properties");
                    PathRule {
                        name: cx.s(r.get("name")),
                        paths: cx.strs(q.get("paths")),
                        pool: cx.sub(q.get("backendAddressPool"), "backendAddressPools"),
                        settings: cx.sub(
                            q.get("backendHttpSettings"),
                            "backendHttpSettingsCollection",
                        ),
                        redirect: cx.sub(q.get("redirectConfiguration"), "redirectConfigurations"),
                        rewrite_rule_set: cx.sub(q.get("rewriteRuleSet"), "rewriteRuleSets"),
                        span: cx.at(r),
                    }
                }),
                span: cx.at(x),
            }
        }),
        redirects: cx.list(props.get("redirectConfigurations"), |x| {
            let p = x.get("properties");
            Redirect {
                name: cx.s(x.get("name")),
                target_listener: cx.sub(p.get("targetListener"), "httpListeners"),
                target_url: cx.s(p.get("targetUrl")),
                span: cx.at(x),
            }
        }),
        rewrite_rule_sets: cx.list(props.get("rewriteRuleSets"), |x| cx.named(x)),
        ssl_certificates: cx.list(props.get("sslCertificates"), |x| {
            let p = x.get("properties");
            SslCertificate {
                name: cx.s(x.get("name")),
                data: cx.s(p.get("data")),
                key_vault_secret_id: cx.s(p.get("keyVaultSecretId")),
                span: cx.at(x),
            }
        }),
        ssl_profiles: cx.list(props.get("sslProfiles"), |x| cx.named(x)),
        trusted_root_certificates: cx.list(props.get("trustedRootCertificates"), |x| cx.named(x)),
        authentication_certificates: cx
            .list(props.get("authenticationCertificates"), |x| cx.named(x)),
        ssl_policy: cx.one(props.get("sslPolicy"), |p| SslPolicy {
            policy_type: cx.s(p.get("policyType")),
            policy_name: cx.s(p.get("policyName")),
            min_protocol_version: cx.s(p.get("minProtocolVersion")),
            disabled_protocols: cx.strs(p.get("disabledSslProtocols")),
            cipher_suites: cx.strs(p.get("cipherSuites")),
            span: cx.at(p),
        }),
        waf: cx.one(props.get("webApplicationFirewallConfiguration"), |w| {
            WafConfig {
                enabled: cx.b(w.get("enabled")),
                mode: cx.s(w.get("firewallMode")),
                rule_set_type: cx.s(w.get("ruleSetType")),
                rule_set_version: cx.s(w.get("ruleSetVersion")),
                request_body_check: cx.b(w.get("requestBodyCheck")),
                max_request_body_kb: cx.i(w.get("maxRequestBodySizeInKb")),
                span: cx.at(w),
            }
        }),
        firewall_policy: cx.r(props.get("firewallPolicy").get("id")),
        pairs_cache: Default::default(),
    };
    Some(gw)
}

/// A position in the body: the value (`None` when the property is not written) and, when the
/// body is an object literal in the resource, the expression that wrote it.
#[derive(Clone, Copy)]
struct J<'a>(Option<&'a TVal>, Option<&'a Expression>);

impl<'a> J<'a> {
    fn get(self, key: &str) -> J<'a> {
        let loc = self.1.and_then(|e| literal_get(e, key));
        J(
            match self.0 {
                Some(TVal::Map(m)) => m
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v),
                // Inside an Unknown object every property may exist.
                Some(v @ (TVal::Unknown(_) | TVal::Runtime(_))) => Some(v),
                _ => None,
            },
            loc,
        )
    }

    fn is_absent(self) -> bool {
        matches!(self.0, None | Some(TVal::Null))
    }
}

/// The object literal a `body` expression writes: the expression itself, or the argument of
/// `jsonencode(...)`; `None` for anything else (a local, a variable, a function).
fn body_literal(e: &Expression) -> Option<&Expression> {
    match e {
        Expression::Object(_) => Some(e),
        Expression::Parenthesis(p) => body_literal(p.inner()),
        Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode" && f.args.len() == 1 => {
            f.args.iter().next().and_then(body_literal)
        }
        _ => None,
    }
}

/// The value expression of `key` in an object literal (keys compare case-insensitively, as
/// ARM property names do).
fn literal_get<'e>(e: &'e Expression, key: &str) -> Option<&'e Expression> {
    let Expression::Object(o) = e else {
        return None;
    };
    o.iter().find_map(|(k, v)| {
        let name = match k {
            ObjectKey::Ident(id) => id.as_str().to_string(),
            ObjectKey::Expression(Expression::Variable(id)) => id.as_str().to_string(),
            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
            ObjectKey::Expression(_) => return None,
        };
        name.eq_ignore_ascii_case(key).then(|| v.expr())
    })
}

/// Element `i` of an array literal of `n` elements (a `for` expression has no elements).
fn literal_item(e: Option<&Expression>, i: usize, n: usize) -> Option<&Expression> {
    match e? {
        Expression::Array(a) if a.len() == n => a.get(i),
        _ => None,
    }
}

struct Cx {
    span: Span,
    unit: UnitId,
    origins: Vec<Origin>,
    file: super::parse::Src,
}

impl Cx {
    /// Where `j` is written: its own expression inside the body literal, else the `body`
    /// attribute.
    fn at(&self, j: J) -> Span {
        j.1.and_then(|e| e.span())
            .map_or(self.span, |r| self.file.span(r))
    }

    fn with<T>(&self, mut v: Val<T>) -> Val<T> {
        if !v.is_absent() {
            v.origins = self.origins.as_slice().into();
        }
        v
    }

    fn s(&self, j: J) -> Val<String> {
        self.with(j.0.map_or_else(Val::absent, |v| tstr(v, self.at(j))))
    }

    fn b(&self, j: J) -> Val<bool> {
        self.with(match j.0 {
            None | Some(TVal::Null) => Val::absent(),
            Some(v) => v.as_bool().map_or_else(
                || Val::unknown(Some(self.at(j))),
                |x| Val::known(x, self.at(j)),
            ),
        })
    }

    fn i(&self, j: J) -> Val<i64> {
        self.with(match j.0 {
            None | Some(TVal::Null) => Val::absent(),
            Some(v) => v.as_i64().map_or_else(
                || Val::unknown(Some(self.at(j))),
                |x| Val::known(x, self.at(j)),
            ),
        })
    }

    fn r(&self, j: J) -> Ref {
        self.with(j.0.map_or_else(Val::absent, |v| tref(v, self.at(j), self.unit)))
    }

    fn strs(&self, j: J) -> Coll<Val<String>> {
        self.list(j, |x| self.s(x))
    }

    fn list<T>(&self, j: J, f: impl Fn(J) -> T) -> Coll<T> {
        self.with(match j.0 {
            None | Some(TVal::Null) => Val::absent(),
            Some(TVal::List(items)) => Val::known(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| f(J(Some(x), literal_item(j.1, i, items.len()))))
                    .collect(),
                self.at(j),
            ),
            Some(_) => Val::unknown(Some(self.at(j))),
        })
    }

    fn one<T>(&self, j: J, f: impl Fn(J) -> T) -> Val<T> {
        match j.0 {
            None | Some(TVal::Null) => Val::absent(),
            Some(TVal::Map(_)) => Val::known(f(j), self.at(j)),
            Some(_) => Val::unknown(Some(self.at(j))),
        }
    }

    fn named(&self, x: J) -> Named {
        Named {
            name: self.s(x.get("name")),
            span: self.at(x),
        }
    }

    /// A sub-resource reference `{ id = ".../<collection>/<name>" }`: the name after the
    /// expected collection; a Known id into another collection is a mismatch.
    fn sub(&self, j: J, collection: &str) -> SubRef {
        let id = j.get("id");
        let Some(v) = id.0 else {
            return SubRef::absent();
        };
        let text = match v {
            TVal::Str(s) => Some(s.as_str()),
            TVal::Unknown(p) if !p.suffix.is_empty() => Some(p.suffix.as_str()),
            TVal::Null => return SubRef::absent(),
            _ => None,
        };
        let name = text.and_then(|t| {
            let segs: Vec<&str> = t.trim_end_matches('/').split('/').collect();
            match segs.as_slice() {
                [.., coll, name] if !coll.is_empty() => Some(((*coll).to_string(), *name)),
                _ => None,
            }
        });
        let at = self.at(id);
        match name {
            Some((coll, nm)) if coll.eq_ignore_ascii_case(collection) => {
                SubRef::named(self.with(Val::known(nm.to_string(), at)))
            }
            Some((coll, _)) if matches!(v, TVal::Str(_)) => SubRef {
                name: self.with(Val::unknown(Some(at))),
                mismatch: Some(
                    format!("the id points into `{coll}`, not `{collection}`").into_boxed_str(),
                ),
            },
            _ => SubRef::named(self.with(Val::unknown(Some(at)))),
        }
    }

    fn address(&self, a: J) -> BackendAddress {
        let conv = |j: J| -> (Val<String>, Ref, Option<String>) {
            match j.0 {
                Some(TVal::Runtime(rt)) => (
                    Val::unknown(Some(self.at(j))),
                    Val::known(
                        ResourceKey::tf(self.unit, &rt.rtype, &rt.address),
                        self.at(j),
                    ),
                    rt.path.last().cloned(),
                ),
                _ => (self.s(j), Val::absent(), None),
            }
        };
        let (fqdn, s1, a1) = conv(a.get("fqdn"));
        let (ip, s2, a2) = conv(a.get("ipAddress"));
        let (source, attr) = if s1.is_known() { (s1, a1) } else { (s2, a2) };
        BackendAddress {
            fqdn,
            ip_address: ip,
            source,
            source_attribute: attr,
            span: self.at(a),
        }
    }
}
