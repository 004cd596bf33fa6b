//! AGW004 zone-config: a v2 gateway pinned to a single zone goes down with that zone; a
//! frontend public IP whose zones do not cover the gateway's zones fails the deployment.
//! Omitting `zones` is fine (new v2 gateways are zone-redundant by default) and not reported.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SkuFamily;
use crate::model::{Gateway, Lookup, Model, Val};

/// See the module docs.
pub struct ZoneConfig;

static META: RuleMeta = RuleMeta {
    id: "AGW004",
    name: "zone-config",
    severity: Severity::Warning,
    summary: "Gateway pinned to one availability zone, or its public IP does not cover the gateway's zones",
    page: include_str!("../../rules/AGW004.md"),
};

/// The Known zone names of a collection; `None` when the collection or any zone is Unknown.
fn known_zones(zones: &Val<Vec<Val<String>>>) -> Option<Vec<String>> {
    zones
        .items()?
        .iter()
        .map(|z| z.get().map(|s| s.trim().to_string()))
        .collect()
}

impl Rule for ZoneConfig {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let Some(family) = gw.sku_family() else {
                continue;
            };
            let Some(items) = gw.zones.items() else {
                cx.skip(&gw.res, "zones", &gw.zones);
                continue;
            };
            if items.is_empty() {
                continue;
            }
            let gname = gw.res.display_name();
            let zprop = gw.res.dialect.prop("zones", "zones");
            // Reliability in Application Gateway v2: "You must use the Standard_v2 or WAF_v2
            // SKU to enable availability zone support" (so not Basic either).
            if matches!(family, SkuFamily::V1 | SkuFamily::Basic) {
                let sku = if family == SkuFamily::V1 {
                    "a v1 SKU"
                } else {
                    "the Basic SKU"
                };
                let f = cx
                    .finding(
                        format!(
                            "gateway \"{gname}\" sets `{zprop}` on {sku}, which has no zone support"
                        ),
                        gw.zones.span_or(gw.res.span),
                    )
                    .label("zones need Standard_v2 or WAF_v2")
                    .help(
                        "remove `zones`, or move to Standard_v2/WAF_v2 (zone-redundant by default)",
                    )
                    .severity(Severity::Info)
                    .origins(&gw.zones)
                    .resource(&gw.res)
                    .property("zones");
                cx.emit(f);
                continue;
            }
            if items.len() == 1 {
                let z = items[0].get().cloned().unwrap_or_else(|| "?".into());
                let f = cx
                    .finding(
                        format!(
                            "gateway \"{gname}\" is pinned to the single availability zone {z}"
                        ),
                        gw.zones.span_or(gw.res.span),
                    )
                    .label("zonal: every instance runs in one zone")
                    .help(
                        "omit `zones` (v2 gateways are zone-redundant by default) or list all \
                         zones of the region, e.g. [\"1\", \"2\", \"3\"]",
                    )
                    .origins(&gw.zones)
                    .resource(&gw.res)
                    .property("zones");
                cx.emit(f);
            }
            check_public_ip_zones(model, gw, cx);
        }
    }
}

/// (b) the frontend public IP's zones must be a superset of the gateway's zones.
fn check_public_ip_zones(model: &Model, gw: &Gateway, cx: &mut RuleCx<'_>) {
    let Some(gz) = known_zones(&gw.zones) else {
        cx.skip(&gw.res, "zones", &gw.zones);
        return;
    };
    for fe in gw.frontend_ips.iter() {
        let pip = match model.public_ip(&fe.public_ip) {
            Lookup::Found(p) => p,
            Lookup::Absent => continue,
            Lookup::Unknown => {
                cx.skip(
                    &gw.res,
                    "frontendIPConfigurations.publicIPAddress",
                    &fe.public_ip,
                );
                continue;
            }
        };
        // Only when both sides list zones explicitly (an omitted PIP zone list is decided by
        // the platform).
        let Some(pz) = known_zones(&pip.zones) else {
            cx.skip(&pip.res, "zones", &pip.zones);
            continue;
        };
        if pz.is_empty() {
            continue;
        }
        let missing: Vec<&String> = gz
            .iter()
            .filter(|z| !pz.iter().any(|p| p.eq_ignore_ascii_case(z)))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let fe_name = fe.name.display_name();
        let list = |v: &[String]| super::capped_list(v);
        let miss: Vec<String> = missing.into_iter().cloned().collect();
        let f = cx
            .finding(
                format!(
                    "public IP \"{}\" of frontend \"{fe_name}\" of gateway \"{}\" is in zones [{}] but the gateway uses zones [{}]",
                    pip.res.display_name(),
                    gw.res.display_name(),
                    list(&pz),
                    list(&gz)
                ),
                pip.zones.span_or(pip.res.span),
            )
            .label(format!("missing zone(s) {}", list(&miss)))
            .related(gw.zones.span_or(gw.res.span), "gateway zones")
            .help("give the public IP every zone the gateway uses (or make both zone-redundant)")
            .severity(Severity::Error)
            .origins(&pip.zones)
            .resource(&gw.res)
            .property(format!("frontendIPConfigurations[{fe_name}].publicIPAddress.zones"));
        cx.emit(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, FrontendIp, PublicIp};
    use crate::rules::testkit::*;

    fn zones(z: &[&str]) -> Val<Vec<Val<String>>> {
        k(z.iter().map(|s| ks(s)).collect())
    }

    fn with_pip(gz: &[&str], pz: Option<&[&str]>) -> Model {
        let pip = PublicIp {
            res: res(Dialect::Arm, "Microsoft.Network/publicIPAddresses", "pip"),
            zones: pz.map_or_else(Val::absent, zones),
            ..Default::default()
        };
        let mut gw = gateway(Dialect::Arm);
        gw.zones = zones(gz);
        gw.frontend_ips = k(vec![FrontendIp {
            name: ks("fe"),
            public_ip: rref(&pip.res),
            span: sp(),
            ..Default::default()
        }]);
        let mut m = model(gw, vec![]);
        m.public_ips.push(pip);
        m.reindex();
        m
    }

    #[test]
    fn single_zone_warns_three_and_omitted_pass() {
        let f = run(&ZoneConfig, &with_pip(&["1"], None));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(run(&ZoneConfig, &with_pip(&["1", "2", "3"], None)).is_empty());
        assert!(run(&ZoneConfig, &model(gateway(Dialect::Arm), vec![])).is_empty());
    }

    #[test]
    fn pip_not_superset_is_an_error() {
        let f = run(&ZoneConfig, &with_pip(&["1", "2", "3"], Some(&["1", "2"])));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(f[0].primary_label.as_deref().unwrap_or("").contains('3'));
        assert!(run(&ZoneConfig, &with_pip(&["1", "2"], Some(&["1", "2", "3"]))).is_empty());
    }

    #[test]
    fn unknown_zone_is_quiet_for_superset() {
        let mut m = with_pip(&["1", "2"], Some(&["1"]));
        m.gateways[0].zones = k(vec![ks("1"), unk()]);
        assert!(run(&ZoneConfig, &m).is_empty());
    }

    #[test]
    fn v1_zones_are_info() {
        let mut gw = gateway(Dialect::Arm);
        gw.sku.name = ks("Standard_Medium");
        gw.sku.tier = ks("Standard");
        gw.zones = zones(&["1", "2"]);
        let f = run(&ZoneConfig, &model(gw, vec![]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
    }
}
