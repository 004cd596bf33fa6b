//! Mapping azurerm (v3, v4, v5 attribute names) resources into the model.
//!
//! Every value keeps the span of the attribute (or list element) it was written at and the
//! origins the evaluator found. Attributes not written are Absent; values that cannot be known
//! before apply are Unknown. References to resources of the configuration become Known
//! [`ResourceKey`]s; everything else (data sources, literal ids of resources elsewhere) is
//! Unknown and resolves to nothing.

mod conv;
mod diagnostics;
mod gateway;
mod link;
mod members;
mod network;
mod private_dns;
mod site;
mod traffic;
mod waf;

pub use conv::{tref, tstr};

use super::expand::{Ev, Node};
use super::value::TVal;
use crate::model::*;
use crate::source::Span;
use conv::s;

/// The `identity` block of a resource (azurerm and azapi write it the same way).
pub fn identity(n: &Node) -> Val<Identity> {
    conv::one(n, "identity", |b| Identity {
        kind: s(b, "type"),
        ids: conv::strs(b, "identity_ids"),
        span: b.span,
    })
}

/// One resource instance to map.
pub struct ResInst<'a> {
    /// Resource type (`azurerm_application_gateway`).
    pub rtype: String,
    /// Full address (`module.agw.azurerm_application_gateway.this["x"]`).
    pub address: String,
    /// Block header span.
    pub header: Span,
    /// The resource body with its `count`/`each` bindings.
    pub node: Node<'a>,
    /// `count`/`for_each` was Unknown (the instance may not exist).
    pub condition: Val<bool>,
}

/// Links resolved after every resource is mapped (they point into other resources).
#[derive(Default)]
pub struct Pending {
    nsg_rules: Vec<(Target, SecurityRule)>,
    routes: Vec<(Target, Route)>,
    subnet_assoc: Vec<(Ref, Assoc, Ref, Span)>,
    host_bindings: Vec<(Target, HostBinding)>,
    dns_links: Vec<(Target, DnsZoneLink)>,
    a_records: Vec<(Target, DnsARecord)>,
    peerings: Vec<(Target, Peering)>,
    subnet_vnet: Vec<(usize, Target)>,
    agic: Vec<(Ref, Span)>,
    /// `azapi_update_resource` on a gateway: target, the parts it patches (Terraform block
    /// names; `None` = any part), the `body` span.
    gw_updates: Vec<(Ref, Option<Vec<&'static str>>, Span)>,
    dns_servers: Vec<(Ref, Coll<Val<String>>)>,
    swift: Vec<(Ref, Ref)>,
    member_gateways: Vec<(usize, String)>,
    has_aks: bool,
}

#[derive(Clone, Copy)]
enum Assoc {
    Nsg,
    RouteTable,
    Nat,
}

/// How a child resource names its parent: by reference (address) or by a literal name.
#[derive(Clone)]
enum Target {
    Key(ResourceKey),
    Name(String),
    Unknown,
}

fn target_of(ev: Option<Ev>, unit: UnitId) -> Target {
    match ev.map(|e| e.value) {
        Some(TVal::Runtime(r)) => Target::Key(ResourceKey::tf(unit, &r.rtype, &r.address)),
        Some(TVal::Str(s)) => Target::Name(s),
        _ => Target::Unknown,
    }
}

fn header(ri: &ResInst) -> Resource {
    Resource {
        key: ResourceKey::tf(ri.node.unit(), &ri.rtype, &ri.address),
        name: s(&ri.node, "name"),
        rtype: ri.rtype.clone(),
        label: ri.address.clone(),
        span: ri.header,
        dialect: Dialect::Terraform,
        condition: ri.condition.clone(),
        suppressions: Vec::new(),
    }
}

/// The model being filled for one unit.
#[derive(Default)]
pub struct Mapper {
    /// The model.
    pub model: Model,
    pending: Pending,
}

impl Mapper {
    /// Makes room in the model for `n` more resources of type `rtype` (only the collections of
    /// large elements: gateways and sites), so a large module does not grow them by doubling.
    pub fn reserve(&mut self, rtype: &str, n: usize) {
        if rtype == "azurerm_application_gateway" {
            self.model.gateways.reserve(n);
        } else if site::SITE_TYPES.contains(&rtype) {
            self.model.sites.reserve(n);
        }
    }

    /// Maps one resource instance; unknown types are ignored.
    pub fn add(&mut self, ri: &ResInst) {
        let _ = self.add_gateway(ri)
            || self.add_site(ri)
            || self.add_network(ri)
            || self.add_traffic(ri)
            || self.add_private_dns(ri)
            || self.add_members(ri)
            || self.add_diagnostics(ri)
            || self.add_waf(ri);
    }
}
