//! Shared network questions for the subnet, NSG, route, DNS and Private Link rules
//! (AGW027–AGW039), written once: "the gateway subnet / VNet / NSG / route table of a gateway",
//! "does this NSG admit a flow (first match by priority, default rules included)", "does a route
//! table force-tunnel 0.0.0.0/0", `maybeIsolated(gw)`, "private endpoints of a site", "is a
//! private DNS zone linked to a VNet".
//!
//! NSG evaluation is three-valued: a rule field that is Unknown, a prefix that may or may not
//! cover the traffic (a public CIDR against a service tag), or an unparsable port all make the
//! verdict `Uncertain`, and rules stay silent on it.
//!
//! One file per idea: [`placement`] (where a gateway sits: subnet, VNet, NSG, route table,
//! isolation), [`site_reach`] (private endpoints, peerings, private DNS zones and public access
//! of the sites a gateway routes to), [`address`] (ports, IPv4 networks, NSG prefixes and what
//! they cover), [`nsg`] (first-match NSG evaluation), [`route`] (forced tunnelling).

pub mod address;
pub mod nsg;
pub mod placement;
pub mod route;
pub mod site_reach;

#[cfg(test)]
mod nsg_tests;
#[cfg(test)]
pub(crate) mod scenario;

pub use address::*;
pub use nsg::*;
pub use placement::*;
pub use route::*;
pub use site_reach::*;

use super::{ResourceKey, Val};

/// Compares two references by their Known keys; `None` when either is not Known.
pub fn same_key(a: &Val<ResourceKey>, b: &ResourceKey) -> Option<bool> {
    a.get().map(|k| k == b)
}
