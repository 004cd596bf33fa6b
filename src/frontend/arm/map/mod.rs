//! Evaluated ARM resources into the common model.
//!
//! The template layer hands over every deployed resource with its full type and name and its
//! body evaluated into an [`Ev`] tree; this layer only reads that tree. Child resources
//! (`networkSecurityGroups/securityRules`, `sites/config`...) are merged into their parent
//! after every parent exists.

mod gateway;
mod network;
mod site;

use super::ids::{parse_gw_sub, parse_id};
use super::tree::{Ev, EvKind, s};
use crate::model::{
    Dialect, Lattice, Model, Ref, Resource, ResourceKey, ResourceSuppression, SubRef, UnitId, Val,
};
use crate::source::Span;

/// One deployed (or conditionally deployed) resource after evaluation.
#[derive(Debug, Clone)]
pub struct EvRes {
    /// Full type as written (`Microsoft.Network/applicationGateways`).
    pub rtype: String,
    /// Full name (`vnet/subnet` for children).
    pub name: Val<String>,
    /// The name as written (the expression text when it could not be evaluated), for labels.
    pub name_written: String,
    /// The key name to use when the name is Unknown (`reference()` may point at it).
    pub key_hint: Option<String>,
    /// A nested deployment whose template could not be followed: it may deploy anything.
    pub opaque: bool,
    /// `condition` is Unknown only because the parent resource's or the enclosing
    /// deployment's is.
    pub cond_inherited: bool,
    /// The evaluated resource object (`properties`, `sku`, `kind`, `zones`, `tags`...).
    pub body: Ev,
    /// The resource object.
    pub span: Span,
    /// `condition`: Absent when always deployed.
    pub condition: Val<bool>,
    /// Extension resources: the resource `scope` points at.
    pub scope: Ref,
}

/// Maps resources as they are evaluated: parents at once (so their evaluated bodies can be
/// dropped), children once every parent exists.
pub struct Mapper {
    pub(crate) unit: UnitId,
    pub(crate) model: Model,
    children: Vec<(EvRes, usize)>,
    count: usize,
}

impl Mapper {
    /// An empty mapper for a unit.
    pub fn new(unit: UnitId) -> Self {
        Mapper {
            unit,
            model: Model::new(),
            children: Vec::new(),
            count: 0,
        }
    }

    /// Maps one resource (children are kept for [`Mapper::finish`]).
    pub fn add(&mut self, r: EvRes) {
        let i = self.count;
        self.count += 1;
        if !self.map_parent(&r, i) {
            self.children.push((r, i));
        }
    }

    /// Merges the children into their parents and indexes the model.
    pub fn finish(mut self) -> Model {
        self.model.reindex();
        let children = std::mem::take(&mut self.children);
        for (r, _) in &children {
            self.map_child(r);
        }
        self.model.reindex();
        self.model
    }
}

/// Maps every evaluated resource into a model (indexed).
pub fn map_resources(unit: UnitId, resources: Vec<EvRes>) -> Model {
    let mut m = Mapper::new(unit);
    for r in resources {
        m.add(r);
    }
    m.finish()
}

impl Mapper {
    /// The resource header.
    pub(crate) fn header(&self, r: &EvRes, index: usize) -> Resource {
        let name_text = r.name.get().cloned();
        let key_name = name_text
            .clone()
            .or_else(|| r.key_hint.clone())
            .unwrap_or_else(|| format!("?{index}"));
        Resource {
            key: ResourceKey::arm(self.unit, &r.rtype, &key_name),
            name: r.name.clone(),
            rtype: r.rtype.clone(),
            label: format!(
                "{}/{}",
                r.rtype,
                name_text.unwrap_or_else(|| r.name_written.clone())
            ),
            span: r.span,
            dialect: Dialect::Arm,
            condition: r.condition.clone(),
            suppressions: suppressions(&r.body),
        }
    }

    /// A key of this unit.
    pub(crate) fn key(&self, rtype: &str, name: &str) -> ResourceKey {
        ResourceKey::arm(self.unit, rtype, name)
    }

    /// A reference written as an id string (or the known suffix of one).
    pub(crate) fn id_ref(&self, v: Option<&Ev>) -> Ref {
        let Some(v) = v else { return Val::absent() };
        let text = match &v.kind {
            EvKind::Null => return Val::absent(),
            EvKind::Str(t) => t.as_str(),
            EvKind::Unknown(p) if !p.suffix.is_empty() => p.suffix.as_str(),
            _ => return unknown_at(v),
        };
        match parse_id(text) {
            Some(p) => Val {
                state: Lattice::Known(self.key(&p.rtype, &p.name())),
                span: Some(v.span),
                origins: v.origins.clone(),
            },
            None => unknown_at(v),
        }
    }

    /// A reference written as `{ "id": ... }`.
    pub(crate) fn obj_ref(&self, v: Option<&Ev>) -> Ref {
        match v {
            None => Val::absent(),
            Some(o) if matches!(o.kind, EvKind::Null) => Val::absent(),
            Some(o) if matches!(o.kind, EvKind::Obj(_)) => match o.get("id") {
                Some(id) => self.id_ref(Some(id)),
                None => unknown_at(o),
            },
            Some(o) => unknown_at(o),
        }
    }

    fn map_parent(&mut self, r: &EvRes, i: usize) -> bool {
        let mut buf = super::LowerBuf::new();
        let t = buf.lower(&r.rtype);
        match t {
            "microsoft.network/applicationgateways" => {
                let g = gateway::gateway(self, r, i);
                self.model.gateways.push(g);
            }
            "microsoft.web/sites" => {
                let st = site::site(self, r, i);
                self.model.sites.push(st);
            }
            "microsoft.web/serverfarms" => {
                let p = site::plan(self, r, i);
                self.model.plans.push(p);
            }
            "microsoft.network/virtualnetworks" => network::vnet(self, r, i),
            "microsoft.network/virtualnetworks/subnets" => network::subnet_resource(self, r, i),
            "microsoft.network/networksecuritygroups" => network::nsg(self, r, i),
            "microsoft.network/routetables" => network::route_table(self, r, i),
            "microsoft.network/privateendpoints" => network::private_endpoint(self, r, i),
            "microsoft.network/privatednszones" => network::dns_zone(self, r, i),
            "microsoft.network/publicipaddresses" => network::public_ip(self, r, i),
            "microsoft.insights/diagnosticsettings"
            | "microsoft.network/applicationgateways/providers/diagnosticsettings" => {
                network::diagnostic(self, r, i);
            }
            "microsoft.network/applicationgatewaywebapplicationfirewallpolicies" => {
                network::waf_policy(self, r, i);
            }
            "microsoft.network/natgateways" => {
                let res = self.header(r, i);
                self.model
                    .nat_gateways
                    .push(crate::model::NatGateway { res });
            }
            "microsoft.network/networkinterfaces" => network::nic(self, r, i),
            "microsoft.compute/virtualmachinescalesets" => network::vmss(self, r, i),
            "microsoft.network/virtualnetworkgateways" => network::vnet_gateway(self, r, i),
            "microsoft.containerservice/managedclusters" => network::aks_agic(self, r, i),
            "microsoft.resources/deployments" if r.opaque => {
                // NICs or scale sets in the unseen template may join any pool.
                let res = self.header(r, i);
                self.model.pool_members.push(crate::model::PoolMembership {
                    res,
                    gateway: Val::unknown(Some(r.span)),
                    pool: Val::unknown(Some(r.span)),
                });
            }
            _ if is_child_type(t) => return false,
            _ => network::other_subnet_users(self, r, i),
        }
        true
    }

    fn map_child(&mut self, r: &EvRes) {
        let mut buf = super::LowerBuf::new();
        match buf.lower(&r.rtype) {
            "microsoft.network/networksecuritygroups/securityrules" => network::child_rule(self, r),
            "microsoft.network/routetables/routes" => network::child_route(self, r),
            "microsoft.network/virtualnetworks/virtualnetworkpeerings" => {
                network::child_peering(self, r);
            }
            "microsoft.network/privatednszones/virtualnetworklinks" => network::child_link(self, r),
            "microsoft.network/privatednszones/a" => network::child_a_record(self, r),
            "microsoft.network/privateendpoints/privatednszonegroups" => {
                network::child_zone_group(self, r);
            }
            "microsoft.web/sites/config" => site::child_config(self, r),
            "microsoft.web/sites/hostnamebindings" => site::child_binding(self, r),
            "microsoft.web/sites/networkconfig"
            | "microsoft.web/sites/virtualnetworkconnections" => site::child_network(self, r),
            _ => {}
        }
    }
}

/// Types whose whole body the mapping reads (others only for the subnets they use).
pub fn is_mapped_type(rtype: &str) -> bool {
    let mut buf = super::LowerBuf::new();
    let t = buf.lower(rtype);
    is_child_type(t)
        || matches!(
            t,
            "microsoft.network/applicationgateways"
                | "microsoft.web/sites"
                | "microsoft.web/serverfarms"
                | "microsoft.network/virtualnetworks"
                | "microsoft.network/virtualnetworks/subnets"
                | "microsoft.network/networksecuritygroups"
                | "microsoft.network/routetables"
                | "microsoft.network/privateendpoints"
                | "microsoft.network/privatednszones"
                | "microsoft.network/publicipaddresses"
                | "microsoft.insights/diagnosticsettings"
                | "microsoft.network/applicationgateways/providers/diagnosticsettings"
                | "microsoft.network/applicationgatewaywebapplicationfirewallpolicies"
                | "microsoft.network/natgateways"
                | "microsoft.network/networkinterfaces"
                | "microsoft.compute/virtualmachinescalesets"
                | "microsoft.network/virtualnetworkgateways"
                | "microsoft.containerservice/managedclusters"
        )
}

/// Child types merged into their parent's entity.
fn is_child_type(t: &str) -> bool {
    matches!(
        t,
        "microsoft.network/networksecuritygroups/securityrules"
            | "microsoft.network/routetables/routes"
            | "microsoft.network/virtualnetworks/virtualnetworkpeerings"
            | "microsoft.network/privatednszones/virtualnetworklinks"
            | "microsoft.network/privatednszones/a"
            | "microsoft.network/privateendpoints/privatednszonegroups"
            | "microsoft.web/sites/config"
            | "microsoft.web/sites/hostnamebindings"
            | "microsoft.web/sites/networkconfig"
            | "microsoft.web/sites/virtualnetworkconnections"
    )
}

/// An Unknown value at a node.
pub(crate) fn unknown_at<T>(v: &Ev) -> Val<T> {
    Val {
        state: Lattice::Unknown(Box::new(v.unknown_partial())),
        span: Some(v.span),
        origins: v.origins.clone(),
    }
}

/// A property that is an object: Known(f(obj)), Absent, or Unknown.
pub(crate) fn obj_val<T>(v: Option<&Ev>, f: impl FnOnce(&Ev) -> T) -> Val<T> {
    match v {
        None => Val::absent(),
        Some(o) => match &o.kind {
            EvKind::Null => Val::absent(),
            EvKind::Obj(_) => Val {
                state: Lattice::Known(f(o)),
                span: Some(o.span),
                origins: o.origins.clone(),
            },
            _ => unknown_at(o),
        },
    }
}

/// `properties` of a node (sub-resources and resources keep their settings there).
pub(crate) fn props(v: &Ev) -> Option<&Ev> {
    v.get("properties")
}

/// Splits a Known child name `parent/child` into (parent, last segment).
pub(crate) fn split_child(name: &Val<String>) -> Option<(String, String)> {
    let n = name.get()?;
    let (p, c) = n.rsplit_once('/')?;
    Some((p.to_string(), c.to_string()))
}

/// The last segment of a child name, as a value.
pub(crate) fn child_own_name(name: &Val<String>) -> Val<String> {
    match &name.state {
        Lattice::Known(n) => Val {
            state: Lattice::Known(n.rsplit('/').next().unwrap_or(n).to_string()),
            span: name.span,
            origins: name.origins.clone(),
        },
        _ => name.clone(),
    }
}

/// A reference to a sibling gateway sub-resource (`{ "id": ... }`).
pub(crate) fn sub_ref(v: Option<&Ev>, gw_name: &Val<String>, expect: &str) -> SubRef {
    let Some(o) = v else {
        return SubRef::absent();
    };
    let id = match &o.kind {
        EvKind::Null => return SubRef::absent(),
        EvKind::Obj(_) => match o.get("id") {
            Some(id) => id,
            None => return SubRef::named(unknown_at(o)),
        },
        _ => return SubRef::named(unknown_at(o)),
    };
    let text = match &id.kind {
        EvKind::Str(t) => t.as_str(),
        EvKind::Unknown(p) if !p.suffix.is_empty() => p.suffix.as_str(),
        _ => return SubRef::named(unknown_at(id)),
    };
    let Some(sub) = parse_gw_sub(text) else {
        return SubRef::named(unknown_at(id));
    };
    let name = Val {
        state: Lattice::Known(sub.name.into_owned()),
        span: Some(id.span),
        origins: id.origins.clone(),
    };
    let mut mismatch = None;
    if !sub.collection.eq_ignore_ascii_case(expect) {
        mismatch = Some(format!(
            "the id points into `{}`, not `{expect}`",
            sub.collection
        ));
    } else if let (Some(g), Some(own)) = (&sub.gateway, gw_name.get()) {
        // A gateway name that is only partly known in the id is not a mismatch.
        if !g.eq_ignore_ascii_case(own) && matches!(id.kind, EvKind::Str(_)) {
            mismatch = Some(format!("the id refers to gateway `{g}`, not `{own}`"));
        }
    }
    SubRef {
        name,
        mismatch: mismatch.map(String::into_boxed_str),
    }
}

/// `metadata.agwlint.ignore: { "AGW010": "reason" }`.
fn suppressions(body: &Ev) -> Vec<ResourceSuppression> {
    let Some(EvKind::Obj(items)) = body
        .path(&["metadata", "agwlint", "ignore"])
        .map(|e| &e.kind)
    else {
        return Vec::new();
    };
    items
        .iter()
        .map(|(rule, v)| ResourceSuppression {
            rule: rule.to_ascii_uppercase(),
            reason: s(Some(v)).get().cloned(),
            span: v.span,
        })
        .collect()
}
