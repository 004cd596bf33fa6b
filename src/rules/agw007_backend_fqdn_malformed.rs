//! AGW007 backend-fqdn-malformed: a backend FQDN that is really a URL, carries a port or path,
//! or is an IP; or an `ipAddress` that is not an IP. DNS resolution fails, the backend is
//! Unhealthy, and the gateway answers 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_gateway::{ip_field_holds_host_name, is_ip_literal};
use crate::model::{Lattice, Model};

/// See the module docs.
pub struct BackendFqdnMalformed;

static META: RuleMeta = RuleMeta {
    id: "AGW007",
    name: "backend-fqdn-malformed",
    severity: Severity::Error,
    summary: "Backend pool FQDN is a URL, has a port, path or wildcard, or is an IP address",
    page: include_str!("../../rules/AGW007.md"),
};

/// What is wrong with a piece of FQDN text, if anything. `whole` is false for a partial
/// prefix/suffix of an Unknown value, where only characters that never belong in a host name
/// can be judged.
fn fqdn_problem(text: &str, whole: bool) -> Option<&'static str> {
    if text.contains("://") {
        return Some("contains a URL scheme");
    }
    if text.chars().any(char::is_whitespace) {
        return Some("contains whitespace");
    }
    if text.contains('/') {
        return Some("contains a path");
    }
    if text.contains('?') || text.contains('#') {
        return Some("contains a query or fragment");
    }
    if text.contains('*') {
        return Some("contains a wildcard");
    }
    if whole {
        if text.is_empty() {
            return Some("is empty");
        }
        if is_ipv6_literal(text) {
            return Some(IPV6);
        }
        if is_ip_literal(text) {
            return Some(IP_IN_FQDN);
        }
    }
    if text.contains(':') {
        return Some("contains a port");
    }
    None
}

/// An IPv4 literal under `fqdn`: reported to work in practice (no Learn text says it fails),
/// so hygiene only (info).
const IP_IN_FQDN: &str = "is an IP address (use ipAddress)";
/// "IPv6 backends are currently not supported" (Configure Application Gateway with a frontend
/// public IPv6 address, ms.date 03/17/2026).
const IPV6: &str = "is an IPv6 address; IPv6 backends are not supported";

fn is_ipv6_literal(s: &str) -> bool {
    let t = s.trim().trim_start_matches('[').trim_end_matches(']');
    t.parse::<std::net::Ipv6Addr>().is_ok()
}

impl Rule for BackendFqdnMalformed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let d = gw.res.dialect;
            for pool in gw.pools.iter() {
                let pname = pool.name.display_name();
                for addr in pool.addresses.iter() {
                    let fqdn_prop = d.prop("fqdn", "fqdns");
                    let problem = match &addr.fqdn.state {
                        Lattice::Known(s) => fqdn_problem(s, true).map(|p| (p, s.clone())),
                        Lattice::Unknown(p) => fqdn_problem(&p.prefix, false)
                            .or_else(|| fqdn_problem(&p.suffix, false))
                            .map(|x| (x, format!("{}…{}", p.prefix, p.suffix))),
                        Lattice::Absent => None,
                    };
                    if let Some((what, text)) = problem {
                        let f = cx
                            .finding(
                                format!(
                                    "backend address \"{text}\" in pool \"{pname}\" of gateway \"{}\" {what}",
                                    gw.res.display_name()
                                ),
                                addr.fqdn.span_or(addr.span),
                            )
                            .label(format!("`{fqdn_prop}` {what}"))
                            .help(
                                "write the bare host name (fn.azurewebsites.net); put the protocol \
                                 and port in the backend settings, and IPs under ipAddress / \
                                 ip_addresses",
                            )
                            .origins(&addr.fqdn)
                            .resource(&gw.res)
                            .property(format!("backendAddressPools[{pname}].backendAddresses.fqdn"));
                        let f = if what == IP_IN_FQDN {
                            f.severity(Severity::Info)
                        } else {
                            f
                        };
                        cx.emit(f);
                    } else if addr.fqdn.is_unknown() {
                        cx.skip(
                            &gw.res,
                            format!("backendAddressPools[{pname}].backendAddresses.fqdn"),
                            &addr.fqdn,
                        );
                    }
                    if ip_field_holds_host_name(addr) {
                        let ip_prop = d.prop("ipAddress", "ip_addresses");
                        let attr = addr.source_attribute.clone().unwrap_or_default();
                        let f = cx
                            .finding(
                                format!(
                                    "`{ip_prop}` in pool \"{pname}\" of gateway \"{}\" holds the site's `{attr}`, a host name",
                                    gw.res.display_name()
                                ),
                                addr.ip_address.span_or(addr.span),
                            )
                            .label(format!("a host name under `{ip_prop}`"))
                            .help("put host names under fqdn / fqdns and IP literals under ipAddress / ip_addresses")
                            .origins(&addr.ip_address)
                            .resource(&gw.res)
                            .property(format!(
                                "backendAddressPools[{pname}].backendAddresses.ipAddress"
                            ));
                        cx.emit(f);
                    }
                    if let Some(ip) = addr.ip_address.get()
                        && is_ipv6_literal(ip)
                    {
                        let ip_prop = d.prop("ipAddress", "ip_addresses");
                        let f = cx
                            .finding(
                                format!(
                                    "backend address \"{ip}\" in pool \"{pname}\" of gateway \"{}\" {IPV6}",
                                    gw.res.display_name()
                                ),
                                addr.ip_address.span_or(addr.span),
                            )
                            .label(format!("`{ip_prop}` is IPv6"))
                            .help("use the backend's IPv4 address or a host name that resolves to IPv4")
                            .origins(&addr.ip_address)
                            .resource(&gw.res)
                            .property(format!(
                                "backendAddressPools[{pname}].backendAddresses.ipAddress"
                            ));
                        cx.emit(f);
                    }
                    if let Some(ip) = addr.ip_address.get()
                        && !is_ip_literal(ip)
                    {
                        let ip_prop = d.prop("ipAddress", "ip_addresses");
                        let f = cx
                                .finding(
                                    format!(
                                        "backend address \"{ip}\" in pool \"{pname}\" of gateway \"{}\" is not an IP address",
                                        gw.res.display_name()
                                    ),
                                    addr.ip_address.span_or(addr.span),
                                )
                                .label(format!("`{ip_prop}` must be an IP literal"))
                                .help("put host names under fqdn / fqdns and IP literals under ipAddress / ip_addresses")
                                .origins(&addr.ip_address)
                                .resource(&gw.res)
                                .property(format!(
                                    "backendAddressPools[{pname}].backendAddresses.ipAddress"
                                ));
                        cx.emit(f);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BackendAddress, Dialect, Partial, Val};
    use crate::rules::testkit::*;

    fn one(fqdn: Val<String>) -> Vec<crate::finding::Finding> {
        let mut gw = gateway(Dialect::Arm);
        let mut p = pool("p", &[]);
        p.addresses = k(vec![BackendAddress {
            fqdn,
            span: sp(),
            ..Default::default()
        }]);
        gw.pools = k(vec![p]);
        run(&BackendFqdnMalformed, &model(gw, vec![]))
    }

    #[test]
    fn urls_ports_paths_and_ips() {
        for bad in [
            "https://fn.azurewebsites.net",
            "fn.azurewebsites.net:443",
            "fn.azurewebsites.net/api",
            "10.0.0.4",
            "",
            "*.contoso.com",
        ] {
            assert_eq!(one(ks(bad)).len(), 1, "{bad}");
        }
        assert!(one(ks("fn.azurewebsites.net")).is_empty());
        assert!(one(ks("backend.contoso.com.")).is_empty());
    }

    #[test]
    fn partial_values_judged_on_known_text() {
        let url = Val::unknown_partial(
            Some(sp()),
            Partial {
                prefix: "https://".into(),
                suffix: String::new(),
                ..Partial::default()
            },
        );
        assert_eq!(one(url).len(), 1);
        let ok = Val::unknown_partial(
            Some(sp()),
            Partial {
                prefix: String::new(),
                suffix: ".azurewebsites.net".into(),
                ..Partial::default()
            },
        );
        assert!(one(ok).is_empty());
        assert!(one(unk()).is_empty());
    }

    #[test]
    fn site_host_name_under_ip_address() {
        let site = function(Dialect::Arm, "fn");
        let mut gw = gateway(Dialect::Arm);
        let mut p = pool("p", &[]);
        p.addresses = k(vec![BackendAddress {
            ip_address: unk(),
            source: rref(&site.res),
            source_attribute: Some("defaultHostName".into()),
            span: sp(),
            ..Default::default()
        }]);
        gw.pools = k(vec![p]);
        let f = run(&BackendFqdnMalformed, &model(gw, vec![site]));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("host name"));
    }

    #[test]
    fn bad_ip_address() {
        let mut gw = gateway(Dialect::Terraform);
        let mut p = pool("p", &[]);
        p.addresses = k(vec![BackendAddress {
            ip_address: ks("fn.azurewebsites.net"),
            span: sp(),
            ..Default::default()
        }]);
        gw.pools = k(vec![p]);
        assert_eq!(run(&BackendFqdnMalformed, &model(gw, vec![])).len(), 1);
    }
}
