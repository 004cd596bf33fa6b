//! Scan-wide indexes for the cross-resource questions rules ask about subnets: which gateways
//! sit in a subnet, and what else uses it. Built once per model on first use
//! ([`Model::net_index`]), so a rule answers them in O(1) per subnet instead of scanning every
//! gateway or every subnet user for each subnet (which made AGW005 and AGW031 quadratic).
//!
//! [`lookups`] counts the model's reference lookups on the current thread: tests use it to
//! check that a rule's work grows linearly with the scan.

use super::{HashMap, HashSet};
use std::borrow::Cow;
use std::cell::Cell;

use super::{Lattice, Model, ResourceKey, UnitId};

thread_local! {
    static LOOKUPS: Cell<u64> = const { Cell::new(0) };
}

/// The number of reference lookups ([`Model::subnet`], [`Model::site`]... and
/// [`super::Gateway::sku_family`]) made on this thread so far. Only differences are meaningful.
pub fn lookups() -> u64 {
    LOOKUPS.with(Cell::get)
}

/// Counts one lookup (see [`lookups`]).
#[inline]
pub(crate) fn count_lookup() {
    LOOKUPS.with(|c| c.set(c.get().wrapping_add(1)));
}

/// A resource that uses a subnet, by position in its collection of the [`Model`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubnetUse {
    /// `Model::subnet_users[i]`.
    User(usize),
    /// `Model::private_endpoints[i]`.
    PrivateEndpoint(usize),
    /// `Model::sites[i]` (VNet integration).
    Site(usize),
    /// `Model::vnet_gateways[i]`.
    VnetGateway(usize),
}

/// See the module docs.
#[derive(Debug, Clone, Default)]
pub struct NetIndex {
    /// Collection lengths the index was built for, to detect a model changed afterwards.
    lens: [usize; 10],
    /// Per subnet (by position): the gateways (by position, in model order) with any gateway IP
    /// configuration whose subnet resolves to it.
    on_subnet: Vec<Vec<usize>>,
    /// Per gateway: the position of the subnet of its first gateway IP configuration, when that
    /// resolves ([`super::query_network::gateway_subnet`]).
    first_subnet: Vec<Option<usize>>,
    /// Per subnet (by position): the gateways whose first configuration is in it, in model
    /// order.
    first_on_subnet: Vec<Vec<usize>>,
    /// Subnet key → the resources other than gateways that reference it, in the order subnet
    /// users, private endpoints, sites, virtual network gateways (model order within each).
    users: HashMap<ResourceKey, Vec<SubnetUse>>,
    /// Target key → the diagnostic settings (positions, in order) with that Known target.
    diag_by_target: HashMap<ResourceKey, Vec<usize>>,
    /// Units with a diagnostic setting that may exist and whose target is Unknown.
    diag_unknown_units: HashSet<UnitId>,
    /// Gateway position → the pool members (positions, in order) whose gateway reference
    /// resolves to it.
    members_by_gateway: HashMap<usize, Vec<usize>>,
    /// Units with a pool member whose gateway reference is Unknown.
    members_unknown_units: HashSet<UnitId>,
    /// Site key → the private endpoints (positions, in model order) that may exist with a
    /// connection whose target is Known and that key.
    pe_by_target: HashMap<ResourceKey, Vec<usize>>,
    /// A private endpoint that may exist has Unknown connections or an Unknown target.
    pe_unknown_target: bool,
    /// VNet key → the VNets (positions, in model order) with that key.
    vnets_by_key: HashMap<ResourceKey, Vec<usize>>,
    /// The Known VNets that an App Service private-link DNS zone links.
    privatelink_linked: HashSet<ResourceKey>,
    /// A zone name, a private-link zone's links or a link's VNet is Unknown.
    privatelink_unknown: bool,
}

impl NetIndex {
    fn lens(model: &Model) -> [usize; 10] {
        [
            model.diagnostic_settings.len(),
            model.pool_members.len(),
            model.gateways.len(),
            model.subnets.len(),
            model.subnet_users.len(),
            model.private_endpoints.len(),
            model.sites.len(),
            model.vnet_gateways.len(),
            model.vnets.len(),
            model.dns_zones.len(),
        ]
    }

    /// Builds the index of a model.
    pub fn build(model: &Model) -> Self {
        let n = model.subnets.len();
        let mut ix = NetIndex {
            lens: Self::lens(model),
            on_subnet: vec![Vec::new(); n],
            first_subnet: Vec::with_capacity(model.gateways.len()),
            first_on_subnet: vec![Vec::new(); n],
            users: HashMap::default(),
            diag_by_target: HashMap::default(),
            diag_unknown_units: HashSet::default(),
            members_by_gateway: HashMap::default(),
            members_unknown_units: HashSet::default(),
            pe_by_target: HashMap::default(),
            pe_unknown_target: false,
            vnets_by_key: HashMap::default(),
            privatelink_linked: HashSet::default(),
            privatelink_unknown: false,
        };
        for (i, v) in model.vnets.iter().enumerate() {
            ix.vnets_by_key
                .entry(v.res.key.clone())
                .or_default()
                .push(i);
        }
        for z in &model.dns_zones {
            match z.res.name.get() {
                Some(n) if super::query_network::is_privatelink_site_zone(n) => {}
                Some(_) => continue,
                None => {
                    ix.privatelink_unknown = true;
                    continue;
                }
            }
            let Some(links) = z.links.items() else {
                ix.privatelink_unknown = true;
                continue;
            };
            for l in links {
                match l.vnet.get() {
                    Some(k) => {
                        ix.privatelink_linked.insert(k.clone());
                    }
                    None => ix.privatelink_unknown = true,
                }
            }
        }
        for (i, pe) in model.private_endpoints.iter().enumerate() {
            if !pe.res.may_exist() {
                continue;
            }
            let Some(conns) = pe.connections.items() else {
                ix.pe_unknown_target = true;
                continue;
            };
            for c in conns {
                match c.target.get() {
                    Some(k) => {
                        let list = ix.pe_by_target.entry(k.clone()).or_default();
                        // Once per endpoint, however many connections name the site.
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                    None => ix.pe_unknown_target = true,
                }
            }
        }
        for (i, ds) in model.diagnostic_settings.iter().enumerate() {
            match &ds.target.state {
                Lattice::Known(k) => ix.diag_by_target.entry(k.clone()).or_default().push(i),
                Lattice::Unknown(_) if ds.res.may_exist() => {
                    ix.diag_unknown_units.insert(ds.res.key.unit);
                }
                _ => {}
            }
        }
        for (i, m) in model.pool_members.iter().enumerate() {
            match model.gateway_position(&m.gateway) {
                Ok(Some(g)) => ix.members_by_gateway.entry(g).or_default().push(i),
                Ok(None) => {}
                Err(()) => {
                    ix.members_unknown_units.insert(m.res.key.unit);
                }
            }
        }
        for (g, gw) in model.gateways.iter().enumerate() {
            let mut first = None;
            for (c, cfg) in gw.gateway_ip_configs.iter().enumerate() {
                let Some(s) = model.subnet_position(&cfg.subnet) else {
                    continue;
                };
                if c == 0 {
                    first = Some(s);
                }
                if let Some(list) = ix.on_subnet.get_mut(s)
                    && list.last() != Some(&g)
                {
                    list.push(g);
                }
            }
            ix.first_subnet.push(first);
            if let Some(list) = first.and_then(|s| ix.first_on_subnet.get_mut(s)) {
                list.push(g);
            }
        }
        let mut add = |r: &super::Ref, u: SubnetUse| {
            if let Lattice::Known(k) = &r.state {
                ix.users.entry(k.clone()).or_default().push(u);
            }
        };
        for (i, u) in model.subnet_users.iter().enumerate() {
            add(&u.subnet, SubnetUse::User(i));
        }
        for (i, pe) in model.private_endpoints.iter().enumerate() {
            add(&pe.subnet, SubnetUse::PrivateEndpoint(i));
        }
        for (i, s) in model.sites.iter().enumerate() {
            add(&s.vnet_subnet, SubnetUse::Site(i));
        }
        for (i, vg) in model.vnet_gateways.iter().enumerate() {
            add(&vg.subnet, SubnetUse::VnetGateway(i));
        }
        ix
    }

    /// True when the index still describes `model` (nothing pushed since it was built).
    pub fn covers(&self, model: &Model) -> bool {
        self.lens == Self::lens(model)
    }

    /// The gateways (positions in `Model::gateways`, in order) with a gateway IP configuration
    /// in the subnet at position `subnet`.
    pub fn gateways_on_subnet(&self, subnet: usize) -> &[usize] {
        self.on_subnet.get(subnet).map_or(&[], Vec::as_slice)
    }

    /// The position of the subnet of the first gateway IP configuration of gateway `gateway`,
    /// when it resolves.
    pub fn first_subnet_of(&self, gateway: usize) -> Option<usize> {
        self.first_subnet.get(gateway).copied().flatten()
    }

    /// The gateways (positions, in order) whose first gateway IP configuration is in the subnet
    /// at position `subnet`.
    pub fn gateways_first_on_subnet(&self, subnet: usize) -> &[usize] {
        self.first_on_subnet.get(subnet).map_or(&[], Vec::as_slice)
    }

    /// The diagnostic settings (positions, in model order) whose target is Known and `key`.
    pub fn diagnostic_settings_of(&self, key: &ResourceKey) -> &[usize] {
        self.diag_by_target.get(key).map_or(&[], Vec::as_slice)
    }

    /// True when a diagnostic setting of `unit` that may exist has an Unknown target.
    pub fn unit_has_unknown_diagnostic_target(&self, unit: UnitId) -> bool {
        self.diag_unknown_units.contains(&unit)
    }

    /// The pool members (positions, in model order) whose gateway reference resolves to the
    /// gateway at position `gateway`.
    pub fn pool_members_of(&self, gateway: usize) -> &[usize] {
        self.members_by_gateway
            .get(&gateway)
            .map_or(&[], Vec::as_slice)
    }

    /// True when a pool member of `unit` has an Unknown gateway reference.
    pub fn unit_has_unknown_member_gateway(&self, unit: UnitId) -> bool {
        self.members_unknown_units.contains(&unit)
    }

    /// The private endpoints (positions, in model order) that may exist and connect to the
    /// resource `key`, and whether that list is complete (no endpoint that may exist has
    /// Unknown connections or an Unknown target).
    pub fn private_endpoints_of(&self, key: &ResourceKey) -> (&[usize], bool) {
        (
            self.pe_by_target.get(key).map_or(&[], Vec::as_slice),
            !self.pe_unknown_target,
        )
    }

    /// A private endpoint that may exist has Unknown connections or an Unknown target.
    pub fn endpoints_unknown(&self) -> bool {
        self.pe_unknown_target
    }

    /// An App Service private-link zone's name, links or a link's VNet is Unknown.
    pub fn privatelink_unknown(&self) -> bool {
        self.privatelink_unknown
    }

    /// The VNets (positions, in model order) whose key is `key`.
    pub fn vnets_with_key(&self, key: &ResourceKey) -> &[usize] {
        self.vnets_by_key.get(key).map_or(&[], Vec::as_slice)
    }

    /// Whether an App Service private-link zone of the scan links the VNet `key`: `Some(true)`
    /// when one does, `None` when not and a zone name or link is Unknown, else `Some(false)`.
    pub fn privatelink_zone_linked(&self, key: &ResourceKey) -> Option<bool> {
        if self.privatelink_linked.contains(key) {
            Some(true)
        } else if self.privatelink_unknown {
            None
        } else {
            Some(false)
        }
    }

    /// The resources other than gateways that reference the subnet `key`.
    pub fn subnet_uses(&self, key: &ResourceKey) -> &[SubnetUse] {
        self.users.get(key).map_or(&[], Vec::as_slice)
    }
}

impl Model {
    /// The position in `subnets` of the subnet a reference resolves to.
    pub fn subnet_position(&self, r: &super::Ref) -> Option<usize> {
        count_lookup();
        match &r.state {
            Lattice::Known(key) => match self.index.get(key) {
                Some(super::Slot::Subnet(i)) if *i < self.subnets.len() => Some(*i),
                _ => None,
            },
            _ => None,
        }
    }

    /// The position in `gateways` of the gateway a reference resolves to: `Ok(None)` when the
    /// reference is Absent, `Err(())` when it is Unknown or its target is not a gateway of the
    /// scan (as [`Model::gateway`] answers [`super::Lookup::Unknown`]).
    #[allow(clippy::result_unit_err)]
    pub fn gateway_position(&self, r: &super::Ref) -> Result<Option<usize>, ()> {
        count_lookup();
        match &r.state {
            Lattice::Known(key) => match self.index.get(key) {
                Some(super::Slot::Gateway(i)) if *i < self.gateways.len() => Ok(Some(*i)),
                _ => Err(()),
            },
            Lattice::Absent => Ok(None),
            Lattice::Unknown(_) => Err(()),
        }
    }

    /// The subnet indexes of the model, built on first use (rebuilt, not cached, when
    /// resources were pushed after that without [`Model::reindex`]).
    pub fn net_index(&self) -> Cow<'_, NetIndex> {
        let ix = self.net.get_or_init(|| Box::new(NetIndex::build(self)));
        if ix.covers(self) {
            Cow::Borrowed(ix)
        } else {
            Cow::Owned(NetIndex::build(self))
        }
    }
}
