//! Routes: the default route and forced tunnelling.

use super::super::{Route, RouteTable};

/// True when a route prefix is the default route.
pub fn is_default_route(prefix: &str) -> bool {
    let p = prefix.trim();
    p == "0.0.0.0/0" || p.eq_ignore_ascii_case("default")
}

/// The first route of a table sending `0.0.0.0/0` anywhere but `Internet`. `Some(None)` when
/// there is none; `None` when a route's prefix or next hop is Unknown (or the collection is).
pub fn forced_tunnel_route(rt: &RouteTable) -> Option<Option<&Route>> {
    let routes = rt.routes.items()?;
    let mut unknown = false;
    for r in routes {
        match r.address_prefix.get() {
            Some(p) if is_default_route(p) => {}
            Some(_) => continue,
            None => {
                unknown = true;
                continue;
            }
        }
        match r.next_hop_type.get() {
            Some(h) if h.eq_ignore_ascii_case("internet") => {}
            Some(_) => return Some(Some(r)),
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(None) }
}
