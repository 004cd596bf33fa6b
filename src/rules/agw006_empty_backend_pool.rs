//! AGW006 empty-backend-pool: a routed pool with no member answers every request with 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::{Gateway, Lookup, Model};

/// See the module docs.
pub struct EmptyBackendPool;

static META: RuleMeta = RuleMeta {
    id: "AGW006",
    name: "empty-backend-pool",
    severity: Severity::Error,
    summary: "A backend pool used by a routing rule has no address and no NIC/VMSS member",
    page: include_str!("../../rules/AGW006.md"),
};

/// Members added from outside the gateway (NIC, scale set, association): `Some(true)` when one
/// targets the pool, `None` when one might (Unknown gateway or pool name).
fn has_external_members(model: &Model, gw: &Gateway, pool_name: &str) -> Option<bool> {
    let mut unknown = false;
    for m in &model.pool_members {
        // References never cross units: a member elsewhere cannot target this gateway.
        if m.res.key.unit != gw.res.key.unit {
            continue;
        }
        let same_gw = match model.gateway(&m.gateway) {
            Lookup::Found(g) => std::ptr::eq(g, gw),
            Lookup::Absent => false,
            Lookup::Unknown => {
                unknown = true;
                continue;
            }
        };
        if !same_gw {
            continue;
        }
        match m.pool.get() {
            Some(p) if p.eq_ignore_ascii_case(pool_name) => return Some(true),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

impl Rule for EmptyBackendPool {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for pool in gw.pools.iter() {
                let Some(addresses) = pool.addresses.items() else {
                    cx.skip(
                        &gw.res,
                        super::path("backendAddressPools", &pool.name, "backendAddresses"),
                        &pool.addresses,
                    );
                    continue;
                };
                // An entry whose fqdn and ip are both Absent is an empty `{}`: no member.
                if addresses
                    .iter()
                    .any(|a| !a.fqdn.is_absent() || !a.ip_address.is_absent())
                {
                    continue;
                }
                let Some(name) = pool.name.get() else {
                    cx.skip(&gw.res, "backendAddressPools.name", &pool.name);
                    continue;
                };
                match gw.pool_is_routed(pool) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        cx.skip_at(
                            &gw.res,
                            format!("backendAddressPools[{name}]"),
                            Some(pool.span),
                        );
                        continue;
                    }
                }
                match has_external_members(model, gw, name) {
                    Some(false) => {}
                    Some(true) => continue,
                    None => {
                        cx.skip_at(
                            &gw.res,
                            format!("backendAddressPools[{name}].members"),
                            Some(pool.span),
                        );
                        continue;
                    }
                }
                let d = gw.res.dialect;
                let prop = d.prop("backendAddresses", "fqdns / ip_addresses");
                let f = cx
                    .finding(
                        format!(
                            "backend pool \"{name}\" of gateway \"{}\" is empty but a routing rule sends traffic to it",
                            gw.res.display_name()
                        ),
                        pool.addresses.span_or(pool.span),
                    )
                    .label(format!("no `{prop}` and no NIC or scale set member"))
                    .help(
                        "add the Function App's host name to the pool \
                         (ARM: reference(<site>).defaultHostName; Terraform: \
                         azurerm_linux_function_app.<name>.default_hostname)",
                    )
                    .origins(&pool.addresses)
                    .resource(&gw.res)
                    .property(format!("backendAddressPools[{name}].backendAddresses"));
                cx.emit(f);
            }
        }
    }
}
