//! AGW005 gateway-subnet-too-small: the gateway subnet cannot hold every instance the gateways
//! in it may scale to (plus their private frontend IPs), so scale-out fails under load.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SkuFamily;
use crate::model::query_gateway::{ipv4_prefix_len, usable_addresses};
use crate::model::{Gateway, Lattice, Model, Subnet};
use crate::source::Span;

/// See the module docs.
pub struct GatewaySubnetTooSmall;

static META: RuleMeta = RuleMeta {
    id: "AGW005",
    name: "gateway-subnet-too-small",
    severity: Severity::Warning,
    summary: "Gateway subnet has fewer usable addresses than the gateways' maximum instances need",
    page: include_str!("../../rules/AGW005.md"),
};

/// Addresses a gateway may need: maximum instances plus one per private frontend IP, with the
/// span that sets the instance count. `None` when not decidable.
fn demand(gw: &Gateway) -> Option<(i64, Option<Span>, String)> {
    let d = gw.res.dialect;
    let (instances, span, what) = match &gw.autoscale.state {
        Lattice::Unknown(_) => return None,
        Lattice::Known(a) => {
            let n = a.max_capacity.num(10)?;
            let what = if a.max_capacity.is_absent() {
                format!("`{}` defaults to 10", d.prop("maxCapacity", "max_capacity"))
            } else {
                format!("up to {n} instances")
            };
            (n, a.max_capacity.span.or(Some(a.span)), what)
        }
        Lattice::Absent => {
            let n = *gw.sku.capacity.get()?;
            (n, gw.sku.capacity.span, format!("{n} instances"))
        }
    };
    let frontends = gw.frontend_ips.items()?;
    let private = frontends.iter().filter(|f| f.public_ip.is_absent()).count();
    let private = i64::try_from(private).ok()?;
    let what = if private > 0 {
        format!("{what} + {private} private frontend IP")
    } else {
        what
    };
    Some((instances.max(0) + private, span, what))
}

/// Usable addresses of a subnet and its longest IPv4 prefix length; `None` when a prefix is not
/// Known or not IPv4.
fn capacity(subnet: &Subnet) -> Option<(i64, u8)> {
    let prefixes = subnet.prefixes.items()?;
    if prefixes.is_empty() {
        return None;
    }
    let mut total = 0i64;
    let mut longest = 0u8;
    let mut any_v4 = false;
    for p in prefixes {
        let text = p.get()?;
        // A dual-stack gateway subnet (required for an IPv6 frontend) also carries an IPv6
        // prefix; instance addresses are counted from the IPv4 prefixes.
        if text.contains(':') && text.contains('/') {
            continue;
        }
        let len = ipv4_prefix_len(text)?;
        total += usable_addresses(len);
        longest = longest.max(len);
        any_v4 = true;
    }
    any_v4.then_some((total, longest))
}

impl Rule for GatewaySubnetTooSmall {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        // Gateways by subnet, built once per scan: scanning every gateway for each subnet was
        // quadratic in the size of the scan.
        let index = model.net_index();
        for (i, subnet) in model.subnets.iter().enumerate() {
            let gws: Vec<&Gateway> = index
                .gateways_on_subnet(i)
                .iter()
                .filter_map(|&g| model.gateways.get(g))
                .collect();
            if gws.is_empty() {
                continue;
            }
            let Some((usable, longest)) = capacity(subnet) else {
                cx.skip(&subnet.res, "addressPrefixes", &subnet.prefixes);
                continue;
            };
            let sname = subnet.res.display_name();
            let mut need = 0i64;
            let mut parts: Vec<(Option<Span>, String, String)> = Vec::new();
            let mut decided = true;
            for gw in &gws {
                match demand(gw) {
                    Some((n, span, what)) => {
                        need += n;
                        parts.push((span, gw.res.display_name(), what));
                    }
                    None => decided = false,
                }
            }
            let pspan = subnet.prefixes.span_or(subnet.res.span);
            let pprop = subnet.res.dialect.prop("addressPrefix", "address_prefixes");
            if decided && usable < need {
                let names: Vec<String> = parts.iter().map(|p| format!("\"{}\"", p.1)).collect();
                let mut f = cx
                    .finding(
                        format!(
                            "gateway subnet \"{sname}\" has {usable} usable addresses but gateway {} may need {need}",
                            super::capped_list(&names)
                        ),
                        pspan,
                    )
                    .label(format!("{usable} usable addresses (5 are reserved by Azure)"))
                    .help(
                        "give the gateway subnet a larger prefix (/24 recommended for v2) or lower \
                         the maximum instance count",
                    );
                for (span, name, what) in &parts {
                    if let Some(s) = span {
                        f = f.related(*s, format!("gateway \"{name}\": {what}"));
                    }
                }
                let f = f
                    .origins(&subnet.prefixes)
                    .resource(&subnet.res)
                    .property(format!("subnets[{sname}].{pprop}"));
                cx.emit(f);
                continue;
            }
            if !decided {
                cx.skip(&subnet.res, "addressPrefixes", &subnet.prefixes);
            }
            let v2 = gws.iter().any(|g| g.sku_family() == Some(SkuFamily::V2));
            if v2 && longest > 24 {
                let f = cx
                    .finding(
                        format!(
                            "gateway subnet \"{sname}\" is a /{longest}, smaller than the /24 recommended for v2 gateways"
                        ),
                        pspan,
                    )
                    .label(format!("/{longest}: {usable} usable addresses"))
                    .help("use a dedicated /24 for the v2 gateway subnet so it can scale to 125 instances")
                    .severity(Severity::Info)
                    .origins(&subnet.prefixes)
                    .resource(&subnet.res)
                    .property(format!("subnets[{sname}].{pprop}"));
                cx.emit(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Autoscale, Dialect, FrontendIp, GatewayIpConfig, Val};
    use crate::rules::testkit::*;

    fn setup(prefix: &str, max: Val<i64>, private_fe: bool) -> Model {
        let subnet = Subnet {
            res: res(
                Dialect::Arm,
                "Microsoft.Network/virtualNetworks/subnets",
                "vnet/agw",
            ),
            prefixes: k(vec![ks(prefix)]),
            ..Default::default()
        };
        let mut gw = gateway(Dialect::Arm);
        gw.sku.capacity = Val::absent();
        gw.autoscale = k(Autoscale {
            min_capacity: k(2),
            max_capacity: max,
            span: sp(),
        });
        gw.gateway_ip_configs = k(vec![GatewayIpConfig {
            name: ks("ipcfg"),
            subnet: rref(&subnet.res),
            span: sp(),
        }]);
        let mut fes = vec![];
        if private_fe {
            fes.push(FrontendIp {
                name: ks("private"),
                private_ip: ks("10.0.0.10"),
                span: sp(),
                ..Default::default()
            });
        }
        gw.frontend_ips = k(fes);
        let mut m = model(gw, vec![]);
        m.subnets.push(subnet);
        m.reindex();
        m
    }

    #[test]
    fn absent_max_defaults_to_ten() {
        // /28 = 11 usable; default max 10 + 1 private frontend = 11: fits.
        assert!(
            run(
                &GatewaySubnetTooSmall,
                &setup("10.0.0.0/28", Val::absent(), true)
            )
            .iter()
            .all(|f| f.severity == Severity::Info)
        );
        // /29 = 3 usable: too small.
        let f = run(
            &GatewaySubnetTooSmall,
            &setup("10.0.0.0/29", Val::absent(), false),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn max_capacity_counts() {
        let f = run(&GatewaySubnetTooSmall, &setup("10.0.0.0/26", k(125), false));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("59 usable"), "{}", f[0].message);
        assert!(run(&GatewaySubnetTooSmall, &setup("10.0.0.0/24", k(125), false)).is_empty());
    }

    #[test]
    fn small_but_sufficient_v2_subnet_is_info() {
        let f = run(&GatewaySubnetTooSmall, &setup("10.0.0.0/26", k(10), false));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
    }

    #[test]
    fn unknown_is_quiet() {
        // The instance count is Unknown: no warning, only the prefix-size note.
        let f = run(&GatewaySubnetTooSmall, &setup("10.0.0.0/29", unk(), false));
        assert!(f.iter().all(|f| f.severity == Severity::Info));
        let mut m = setup("10.0.0.0/29", k(10), false);
        m.subnets[0].prefixes = unk();
        assert!(run(&GatewaySubnetTooSmall, &m).is_empty());
    }
}
