//! AGW006 empty-backend-pool: a routed pool with no member answers every request with 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::index::NetIndex;
use crate::model::query::PairSource;
use crate::model::{Gateway, Model};

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
fn has_external_members(
    model: &Model,
    index: &NetIndex,
    g: usize,
    gw: &Gateway,
    pool_name: &str,
) -> Option<bool> {
    // References never cross units: a member elsewhere cannot target this gateway. Members are
    // indexed by the gateway they resolve to (scanning every member of the scan for every pool
    // was quadratic).
    let mut unknown = index.unit_has_unknown_member_gateway(gw.res.key.unit);
    for m in index
        .pool_members_of(g)
        .iter()
        .filter_map(|&i| model.pool_members.get(i))
    {
        if m.res.key.unit != gw.res.key.unit {
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
        let index = model.net_index();
        for (g, gw) in model.gateways.iter().enumerate() {
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
                match has_external_members(model, &index, g, gw, name) {
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
                // A pool reached only as the default of URL path maps gets only the requests
                // no path rule matches: an empty one there is the common deliberate "sink
                // pool" (unmatched paths are refused), not a broken backend: info.
                let pairs = gw.pairs();
                let sink_only = pairs.complete && {
                    let mine: Vec<_> = pairs
                        .items
                        .iter()
                        .filter(|p| std::ptr::eq(p.pool, pool))
                        .collect();
                    !mine.is_empty() && mine.iter().all(|p| p.source == PairSource::PathMapDefault)
                };
                let d = gw.res.dialect;
                let prop = d.prop("backendAddresses", "fqdns / ip_addresses");
                // When every such map has a `/*` path rule the default receives no request.
                let no_traffic = sink_only
                    && gw
                        .url_path_maps
                        .iter()
                        .filter(|m| {
                            m.default_pool
                                .name
                                .get()
                                .is_some_and(|n| n.eq_ignore_ascii_case(name))
                        })
                        .all(|m| {
                            m.path_rules
                                .iter()
                                .any(|r| r.paths.iter().any(|p| p.get().is_some_and(|p| p == "/*")))
                        });
                if no_traffic {
                    continue;
                }
                if sink_only {
                    let f = cx
                        .finding(
                            format!(
                                "backend pool \"{name}\" of gateway \"{}\" is empty and is only the default of URL path maps: requests no path rule matches get 502",
                                gw.res.display_name()
                            ),
                            pool.addresses.span_or(pool.span),
                        )
                        .label(format!("no `{prop}`; a deliberate sink pool?"))
                        .help("if unmatched paths should be served, add members or point the path map's default at a real pool")
                        .severity(Severity::Info)
                        .origins(&pool.addresses)
                        .resource(&gw.res)
                        .property(format!("backendAddressPools[{name}].backendAddresses"));
                    cx.emit(f);
                    continue;
                }
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
