//! The common gateway model: what the ARM and Terraform front-ends produce and the only thing
//! rules read.
//!
//! Resources refer to each other through [`Ref`]s, a [`ResourceKey`] in the lattice. A key is
//! resolved by the [`Model`] lookups; a Known key whose target is not in the scan resolves to
//! [`Lookup::Unknown`], never to "missing".

pub mod app;
pub mod cross;
pub mod frames;
pub mod gateway;
pub mod index;
pub mod network;
pub mod query;
pub mod query_app;
pub mod query_gateway;
pub mod query_network;
pub mod query_site;
pub mod site;
pub mod value;

/// The model's hash maps: foldhash, seeded per process (agwlint reads strangers' files), in
/// place of SipHash, which was most of their cost (the resource index is rebuilt for every unit
/// of a scan). Nothing reads them in iteration order.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// The set of [`HashMap`].
pub(crate) type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

pub use app::*;
pub use frames::{InputAnchor, ModuleFrame, NamedObject};
pub use gateway::*;
pub use network::*;
pub use site::*;
pub use value::{Cause, Coll, Lattice, Memo, Origin, Origins, Partial, Val, Why};

use crate::source::Span;

/// One deployment unit: a root ARM template (with its nested and linked templates) or a root
/// Terraform module instance (with its local modules). References never cross units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UnitId(pub u32);

/// The identity of a resource inside a unit.
///
/// ARM: `kind` is the full resource type and `name` the full name (`vnet/subnet`), both
/// lower-cased (ARM compares them case-insensitively). Terraform: `kind` is the resource type
/// (`azurerm_subnet`) and `name` the resource address (`module.net.azurerm_subnet.agw[0]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ResourceKey {
    /// The unit the resource belongs to.
    pub unit: UnitId,
    /// Resource type, canonical form.
    pub kind: String,
    /// Resource name or address, canonical form.
    pub name: String,
}

impl ResourceKey {
    /// An ARM key: type and name lower-cased.
    pub fn arm(unit: UnitId, rtype: &str, name: &str) -> Self {
        ResourceKey {
            unit,
            kind: rtype.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
        }
    }

    /// A Terraform key: type and address as written.
    pub fn tf(unit: UnitId, rtype: &str, address: &str) -> Self {
        ResourceKey {
            unit,
            kind: rtype.to_string(),
            name: address.to_string(),
        }
    }
}

/// A reference to another resource.
pub type Ref = Val<ResourceKey>;

/// Which front-end produced a resource; some defaults differ between ARM and the azurerm
/// provider (the catalogue lists them), so rules ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// ARM JSON (hand-written, Bicep-compiled, or an `azapi_resource` body).
    #[default]
    Arm,
    /// Terraform azurerm.
    Terraform,
}

impl Dialect {
    /// Picks the property name as the user wrote it: ARM camelCase or Terraform snake_case.
    pub fn prop(self, arm: &'static str, tf: &'static str) -> &'static str {
        match self {
            Dialect::Arm => arm,
            Dialect::Terraform => tf,
        }
    }
}

/// An inline suppression written on a resource (ARM `metadata.agwlint.ignore`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceSuppression {
    /// The rule ID (`AGW010`).
    pub rule: String,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// Where the suppression is written.
    pub span: Span,
}

/// What every modelled resource has.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    /// Identity for references.
    pub key: ResourceKey,
    /// The resource name (ARM `name`, Terraform `name` attribute).
    pub name: Val<String>,
    /// Type as written (`Microsoft.Network/applicationGateways`, `azurerm_application_gateway`).
    pub rtype: String,
    /// How findings name the resource: `Microsoft.Network/applicationGateways/scim-agw` or
    /// `azurerm_application_gateway.gw`.
    pub label: String,
    /// The resource's declaration (ARM: the resource object; Terraform: the block header).
    pub span: Span,
    /// The front-end that produced it.
    pub dialect: Dialect,
    /// ARM `condition` / Terraform `count = 0`-style guards: Absent = always deployed.
    pub condition: Val<bool>,
    /// Suppressions written on the resource itself.
    pub suppressions: Vec<ResourceSuppression>,
}

impl Resource {
    /// The name for messages: the Known name, else the label.
    pub fn display_name(&self) -> String {
        self.name
            .get()
            .cloned()
            .unwrap_or_else(|| self.label.clone())
    }

    /// False only when the resource is certainly not deployed (`condition` Known false).
    pub fn may_exist(&self) -> bool {
        self.condition.get() != Some(&false)
    }
}

/// The result of resolving a [`Ref`] or a name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lookup<T> {
    /// The target is in the scan.
    Found(T),
    /// The reference is not written (Absent).
    Absent,
    /// The reference cannot be resolved: Unknown value, or a target outside the scan.
    Unknown,
}

impl<T> Lookup<T> {
    /// The target when found.
    pub fn found(self) -> Option<T> {
        match self {
            Lookup::Found(t) => Some(t),
            _ => None,
        }
    }
}

/// Which collection an indexed key lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Gateway(usize),
    Site(usize),
    Plan(usize),
    Vnet(usize),
    Subnet(usize),
    Nsg(usize),
    RouteTable(usize),
    PrivateEndpoint(usize),
    DnsZone(usize),
    PublicIp(usize),
    WafPolicy(usize),
    NatGateway(usize),
}

/// What every output shows instead of a sensitive value.
pub const SENSITIVE: &str = "(sensitive value)";

/// Shortest sensitive value recorded ([`Model::mark_sensitive`]).
pub const MIN_SENSITIVE_LEN: usize = 4;

/// Replaces every sensitive value in `text` with [`SENSITIVE`] (longest first, so a value that
/// contains another is replaced whole).
pub fn redact(text: &str, sensitive: &[String]) -> String {
    let mut out = text.to_string();
    let mut sorted: Vec<&String> = sensitive.iter().collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in sorted {
        if !s.is_empty() && out.contains(s.as_str()) {
            out = out.replace(s.as_str(), SENSITIVE);
        }
    }
    out
}

/// Everything one scan found, cross-linked by [`ResourceKey`].
#[derive(Debug, Default, Clone)]
pub struct Model {
    /// Application gateways.
    pub gateways: Vec<Gateway>,
    /// Function Apps and Web Apps.
    pub sites: Vec<Site>,
    /// App Service plans.
    pub plans: Vec<Plan>,
    /// Virtual networks.
    pub vnets: Vec<VirtualNetwork>,
    /// Subnets (inline in a VNet or separate).
    pub subnets: Vec<Subnet>,
    /// Network security groups (inline and child rules merged).
    pub nsgs: Vec<NetworkSecurityGroup>,
    /// Route tables (inline and child routes merged).
    pub route_tables: Vec<RouteTable>,
    /// Private endpoints.
    pub private_endpoints: Vec<PrivateEndpoint>,
    /// Private DNS zones with their links and A records.
    pub dns_zones: Vec<PrivateDnsZone>,
    /// Public IP addresses.
    pub public_ips: Vec<PublicIp>,
    /// Diagnostic settings.
    pub diagnostic_settings: Vec<DiagnosticSetting>,
    /// WAF policies.
    pub waf_policies: Vec<WafPolicy>,
    /// NAT gateways.
    pub nat_gateways: Vec<NatGateway>,
    /// NICs / scale sets / associations that put members into a gateway backend pool.
    pub pool_members: Vec<PoolMembership>,
    /// Virtual network gateways (VPN / ExpressRoute), for BGP-propagation checks.
    pub vnet_gateways: Vec<VnetGateway>,
    /// Other resources attached to a subnet (NICs, VNet integration...), for subnet dedication.
    pub subnet_users: Vec<SubnetUser>,
    /// Resources whose reference is handed to code the linter cannot read (an input of a
    /// module call that is not followed: registry source not vendored, missing path). That code
    /// may attach extension resources to them (diagnostic settings, locks), so "no such
    /// resource targets X" is Unknown for these keys.
    pub opaque_refs: Vec<ResourceKey>,
    /// Values marked sensitive where they were declared (ARM `secureString`/`secureObject`
    /// parameters, Terraform `sensitive = true` variables and outputs): the Known text of each
    /// (every string leaf of an object). Rules may judge them, but no output shows them:
    /// [`crate::lint`] replaces them with [`SENSITIVE`] in every message and label, and the
    /// reporters do again on the rendered output.
    pub sensitive: Vec<String>,
    /// Module instances reached through `module` calls, for moving findings out of code the
    /// user did not write ([`crate::relocate`]); empty when no module is called.
    pub module_frames: Vec<ModuleFrame>,
    /// Function App code linked to sites (`host.json`, `function.json`, trigger code).
    pub apps: Vec<AppSurface>,
    index: HashMap<ResourceKey, Slot>,
    /// Lower-case site host names → first site with that name, for
    /// [`Model::site_by_host`]; built on first use, with the number of sites it covers.
    hosts: std::sync::OnceLock<(usize, HashMap<String, usize>)>,
    /// Subnet indexes ([`Model::net_index`]), built on first use.
    net: std::sync::OnceLock<Box<index::NetIndex>>,
    /// When set ([`Model::record_cross`]), the cross-unit questions the rules ask
    /// ([`cross`]).
    cross: Option<std::sync::Arc<cross::Record>>,
    /// The scan-wide flags assumed of the units outside this model ([`cross::Elsewhere`]).
    elsewhere: cross::Elsewhere,
}

/// The lengths of the collections [`Model::extend`] appends to ([`Model::mark`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark([usize; 19]);

impl Mark {
    /// The element counts of the given models added up, collection by collection.
    pub fn sum<'a>(models: impl IntoIterator<Item = &'a Model>) -> Mark {
        let mut total = [0; 19];
        for m in models {
            for (t, n) in total.iter_mut().zip(m.mark().0) {
                *t += n;
            }
        }
        Mark(total)
    }
}

/// `$m!(gateways, sites, ..., subnet_users $(, extra)*)`: calls the macro `$m` with every
/// collection of resources (each element has a `res` header), then the `extra` fields.
macro_rules! with_resources {
    ($m:ident $(, $extra:ident)*) => {
        $m!(
            gateways,
            sites,
            plans,
            vnets,
            subnets,
            nsgs,
            route_tables,
            private_endpoints,
            dns_zones,
            public_ips,
            diagnostic_settings,
            waf_policies,
            nat_gateways,
            pool_members,
            vnet_gateways,
            subnet_users
            $(, $extra)*
        )
    };
}

/// `$m!(gateways, sites, ...)`: calls the macro `$m` with every collection [`Model::extend`]
/// appends to, in [`Mark`] order.
macro_rules! appended {
    ($m:ident) => {
        with_resources!($m, opaque_refs, module_frames, apps)
    };
}

macro_rules! lookup_fn {
    ($(#[$doc:meta])* $fn:ident, $field:ident, $slot:ident, $ty:ty) => {
        $(#[$doc])*
        pub fn $fn(&self, r: &Ref) -> Lookup<&$ty> {
            index::count_lookup();
            match &r.state {
                Lattice::Absent => Lookup::Absent,
                Lattice::Unknown(_) => Lookup::Unknown,
                Lattice::Known(key) => match self.index.get(key) {
                    Some(Slot::$slot(i)) => self.$field.get(*i).map_or(Lookup::Unknown, Lookup::Found),
                    _ => Lookup::Unknown,
                },
            }
        }
    };
}

impl Model {
    /// An empty model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends another model (another unit) and indexes its resources. Only the appended
    /// resources are indexed: a scan extends once per unit, and rebuilding the whole index each
    /// time made loading quadratic in the number of units. Keys carry their unit, so keys of
    /// different units never collide and the result equals a full [`Model::reindex`].
    pub fn extend(&mut self, other: Model) {
        let start = self.lens();
        macro_rules! append {
            ($($field:ident),*) => {$(
                // An empty collection without room takes the other's vector as it is (the
                // same elements in the same order) instead of copying it into a new one: a
                // one-unit scan of 100,000 resources held both copies at once.
                if self.$field.is_empty() && self.$field.capacity() < other.$field.len() {
                    self.$field = other.$field;
                } else {
                    self.$field.extend(other.$field);
                }
            )*};
        }
        appended!(append);
        for s in other.sensitive {
            self.mark_sensitive(&s);
        }
        self.index_from(start);
        self.hosts = std::sync::OnceLock::new();
        self.net = std::sync::OnceLock::new();
    }

    /// The lengths of every collection [`Model::extend`] appends to: taken before and after
    /// extending with a unit, the pair says which resources that unit added
    /// ([`Model::remove_added`]).
    pub fn mark(&self) -> Mark {
        macro_rules! lens {
            ($($field:ident),*) => {
                Mark([$(self.$field.len()),*])
            };
        }
        appended!(lens)
    }

    /// Makes room for exactly `more` more elements in each collection [`Model::extend`]
    /// appends to (`more` as [`Model::mark`] counts them; [`Mark::sum`] adds up the units about
    /// to be merged). Merging unit by unit let the scan-wide vectors grow by doubling: up to
    /// half of each was reserved and unused, tens of MB of heap on big scans.
    pub fn reserve_exact(&mut self, more: Mark) {
        let mut k = 0;
        macro_rules! reserve {
            ($($field:ident),*) => {$(
                self.$field.reserve_exact(more.0[k]);
                k += 1;
            )*};
        }
        appended!(reserve);
        let _ = k;
    }

    /// Takes back out what the given extends added (pairs of [`Model::mark`] taken before and
    /// after each, in increasing order, not overlapping) and rebuilds the index, so the model
    /// is what it would be had those units never been merged. Sensitive values are not
    /// touched: the caller rebuilds them ([`Model::sensitive`]).
    pub fn remove_added(&mut self, added: &[(Mark, Mark)]) {
        if added.is_empty() {
            return;
        }
        let mut k = 0;
        macro_rules! cut {
            ($($field:ident),*) => {$(
                let ranges: Vec<std::ops::Range<usize>> =
                    added.iter().map(|(a, b)| a.0[k]..b.0[k]).collect();
                k += 1;
                // The ranges increase: walk them along with the elements.
                let (mut i, mut r) = (0, 0);
                self.$field.retain(|_| {
                    while ranges.get(r).is_some_and(|x| x.end <= i) {
                        r += 1;
                    }
                    let keep = !ranges.get(r).is_some_and(|x| x.contains(&i));
                    i += 1;
                    keep
                });
            )*};
        }
        appended!(cut);
        let _ = k;
        self.reindex();
    }

    /// Records a sensitive value (see `sensitive`). Values shorter than
    /// [`MIN_SENSITIVE_LEN`] are not recorded: replacing `1` or `true` everywhere would
    /// garble every message, and such values are no secret.
    pub fn mark_sensitive(&mut self, value: &str) {
        if value.chars().count() >= MIN_SENSITIVE_LEN && !self.sensitive.iter().any(|s| s == value)
        {
            self.sensitive.push(value.to_string());
        }
    }

    /// What the steps after the rules need of a unit whose rules already ran
    /// ([`crate::lint`]): its resources that carry suppressions (cloned), its module frames and
    /// its sensitive values.
    pub fn residual(&self) -> Model {
        let mut m = Model::new();
        macro_rules! keep {
            ($($field:ident),*) => {$(
                m.$field = self
                    .$field
                    .iter()
                    .filter(|r| !r.res.suppressions.is_empty())
                    .cloned()
                    .collect();
            )*};
        }
        with_resources!(keep);
        m.module_frames.clone_from(&self.module_frames);
        m.sensitive.clone_from(&self.sensitive);
        m.reindex();
        m
    }

    /// Records from now on which cross-unit questions the rules ask of this model ([`cross`]).
    pub fn record_cross(&mut self) -> std::sync::Arc<cross::Record> {
        let r = std::sync::Arc::new(cross::Record::default());
        self.cross = Some(std::sync::Arc::clone(&r));
        r
    }

    /// Assumes the scan-wide flags `e` of the units outside this model (see
    /// [`cross::Elsewhere`]).
    pub fn assume_elsewhere(&mut self, e: cross::Elsewhere) {
        self.elsewhere = e;
    }

    /// The flags assumed of the units outside this model.
    pub(crate) fn elsewhere(&self) -> cross::Elsewhere {
        self.elsewhere
    }

    /// Stops recording ([`Model::record_cross`]).
    pub fn stop_recording(&mut self) {
        self.cross = None;
    }

    /// The recorder of [`Model::record_cross`], when set.
    pub(crate) fn cross(&self) -> Option<&cross::Record> {
        self.cross.as_deref()
    }

    /// Whether a reference to `key` reaches code the linter cannot read (see `opaque_refs`).
    pub fn is_opaque_ref(&self, key: &ResourceKey) -> bool {
        self.opaque_refs.contains(key)
    }

    /// Rebuilds the key index. Front-ends call it after filling the vectors directly; the first
    /// resource with a key wins when keys repeat.
    pub fn reindex(&mut self) {
        self.index = HashMap::default();
        self.index_from([0; 12]);
        self.hosts = std::sync::OnceLock::new();
        self.net = std::sync::OnceLock::new();
    }

    /// Lengths of the indexed collections, in [`Model::index_from`] order.
    fn lens(&self) -> [usize; 12] {
        [
            self.gateways.len(),
            self.sites.len(),
            self.plans.len(),
            self.vnets.len(),
            self.subnets.len(),
            self.nsgs.len(),
            self.route_tables.len(),
            self.private_endpoints.len(),
            self.dns_zones.len(),
            self.public_ips.len(),
            self.waf_policies.len(),
            self.nat_gateways.len(),
        ]
    }

    /// Indexes the resources of each collection from the given positions on (existing entries
    /// win).
    fn index_from(&mut self, start: [usize; 12]) {
        let index = &mut self.index;
        let mut n = 0;
        macro_rules! add {
            ($field:ident, $slot:ident) => {
                let from = start[n];
                n += 1;
                for (i, r) in self.$field.iter().enumerate().skip(from) {
                    if !index.contains_key(&r.res.key) {
                        index.insert(r.res.key.clone(), Slot::$slot(i));
                    }
                }
            };
        }
        add!(gateways, Gateway);
        add!(sites, Site);
        add!(plans, Plan);
        add!(vnets, Vnet);
        add!(subnets, Subnet);
        add!(nsgs, Nsg);
        add!(route_tables, RouteTable);
        add!(private_endpoints, PrivateEndpoint);
        add!(dns_zones, DnsZone);
        add!(public_ips, PublicIp);
        add!(waf_policies, WafPolicy);
        add!(nat_gateways, NatGateway);
        let _ = n;
    }

    /// The host-name index of [`Model::site_by_host`], when it still covers every site.
    pub(crate) fn host_index(&self) -> Option<&HashMap<String, usize>> {
        let (n, map) = self.hosts.get_or_init(|| {
            let mut map = HashMap::default();
            for (i, s) in self.sites.iter().enumerate() {
                let names = s
                    .default_host_name
                    .get()
                    .into_iter()
                    .chain(s.host_bindings.iter().filter_map(|b| b.host_name.get()));
                for n in names {
                    map.entry(n.to_ascii_lowercase()).or_insert(i);
                }
            }
            (self.sites.len(), map)
        });
        // Sites pushed after the index was built (without `reindex`): not covered.
        (*n == self.sites.len()).then_some(map)
    }

    /// True when a resource with this key is in the scan (any kind).
    pub fn contains(&self, key: &ResourceKey) -> bool {
        self.index.contains_key(key)
    }

    lookup_fn!(
        /// Resolves a reference to a gateway.
        gateway, gateways, Gateway, Gateway);
    lookup_fn!(
        /// Resolves a reference to a site.
        site, sites, Site, Site);
    lookup_fn!(
        /// Resolves a reference to an App Service plan.
        plan, plans, Plan, Plan);
    lookup_fn!(
        /// Resolves a reference to a virtual network.
        vnet, vnets, Vnet, VirtualNetwork);
    lookup_fn!(
        /// Resolves a reference to a subnet.
        subnet, subnets, Subnet, Subnet);
    lookup_fn!(
        /// Resolves a reference to a network security group.
        nsg, nsgs, Nsg, NetworkSecurityGroup);
    lookup_fn!(
        /// Resolves a reference to a route table.
        route_table, route_tables, RouteTable, RouteTable);
    lookup_fn!(
        /// Resolves a reference to a private endpoint.
        private_endpoint, private_endpoints, PrivateEndpoint, PrivateEndpoint);
    lookup_fn!(
        /// Resolves a reference to a private DNS zone.
        dns_zone, dns_zones, DnsZone, PrivateDnsZone);
    lookup_fn!(
        /// Resolves a reference to a public IP.
        public_ip, public_ips, PublicIp, PublicIp);
    lookup_fn!(
        /// Resolves a reference to a WAF policy.
        waf_policy, waf_policies, WafPolicy, WafPolicy);
    lookup_fn!(
        /// Resolves a reference to a NAT gateway.
        nat_gateway, nat_gateways, NatGateway, NatGateway);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn res(kind: &str, name: &str) -> Resource {
        let sp = Span::new(FileId(0), 0..1);
        Resource {
            key: ResourceKey::arm(UnitId(0), kind, name),
            name: Val::known(name.to_string(), sp),
            rtype: kind.to_string(),
            label: format!("{kind}/{name}"),
            span: sp,
            dialect: Dialect::Arm,
            condition: Val::absent(),
            suppressions: vec![],
        }
    }

    #[test]
    fn refs_resolve_case_insensitively_and_outside_targets_are_unknown() {
        let mut m = Model::new();
        m.nsgs.push(NetworkSecurityGroup {
            res: res("Microsoft.Network/networkSecurityGroups", "NSG-A"),
            rules: Val::absent(),
            block: None,
            parsed: Default::default(),
        });
        m.reindex();
        let sp = Span::new(FileId(0), 0..1);
        let r = Val::known(
            ResourceKey::arm(
                UnitId(0),
                "microsoft.network/networksecuritygroups",
                "nsg-a",
            ),
            sp,
        );
        assert!(matches!(m.nsg(&r), Lookup::Found(_)));
        let other = Val::known(
            ResourceKey::arm(
                UnitId(0),
                "microsoft.network/networksecuritygroups",
                "elsewhere",
            ),
            sp,
        );
        assert!(matches!(m.nsg(&other), Lookup::Unknown));
        assert!(matches!(m.nsg(&Val::absent()), Lookup::Absent));
        // A key of the wrong kind does not resolve as an NSG.
        assert!(matches!(m.subnet(&r), Lookup::Unknown));
    }

    #[test]
    fn extend_indexes_appended_units_like_a_full_reindex() {
        let mut m = Model::new();
        for u in 0..3u32 {
            let mut unit = nsg_unit(u, &["a", "b"]);
            // A repeated key inside one unit: the first one wins.
            let mut dup = res("Microsoft.Network/networkSecurityGroups", "a");
            dup.key.unit = UnitId(u);
            dup.label = "duplicate".into();
            unit.nsgs.push(NetworkSecurityGroup {
                res: dup,
                rules: Val::absent(),
                block: None,
                parsed: Default::default(),
            });
            unit.reindex();
            m.extend(unit);
        }
        let sp = Span::new(FileId(0), 0..1);
        let key = ResourceKey::arm(UnitId(2), "microsoft.network/networksecuritygroups", "a");
        let found = m.nsg(&Val::known(key, sp)).found().unwrap();
        assert_eq!(found.res.key.unit, UnitId(2));
        assert_ne!(found.res.label, "duplicate");
        let incremental = m.index.clone();
        m.reindex();
        assert_eq!(m.index, incremental);
        assert_eq!(m.index.len(), 6);
    }

    /// A unit's model: one NSG per name (absent rules) and an opaque reference per name.
    /// (`Model::extend` indexes what it appends: the unit needs no index of its own.)
    fn nsg_unit(u: u32, names: &[&str]) -> Model {
        let mut m = Model::new();
        for name in names {
            let mut r = res("Microsoft.Network/networkSecurityGroups", name);
            r.key.unit = UnitId(u);
            m.nsgs.push(NetworkSecurityGroup {
                res: r,
                rules: Val::absent(),
                block: None,
                parsed: Default::default(),
            });
            m.opaque_refs.push(ResourceKey::arm(UnitId(u), "x/y", name));
        }
        m
    }

    #[test]
    fn extending_an_empty_model_takes_the_units_vectors_and_keeps_reserved_room() {
        let unit = |u: u32| nsg_unit(u, &["a", "b", "c"]);
        let first = unit(0);
        let at = first.nsgs.as_ptr();
        let mut m = Model::new();
        m.extend(first);
        assert_eq!(m.nsgs.as_ptr(), at, "moved, not copied");
        m.extend(unit(1));
        assert_eq!(m.nsgs.len(), 6);
        assert_eq!(m.index.len(), 6);
        // Room reserved for several units stays (the first unit is copied into it).
        let mut r = Model::new();
        r.nsgs.reserve_exact(6);
        let room = r.nsgs.as_ptr();
        r.extend(unit(0));
        r.extend(unit(1));
        assert_eq!(r.nsgs.as_ptr(), room);
        assert_eq!(r.nsgs.len(), 6);
    }

    #[test]
    fn remove_added_gives_the_model_of_the_units_kept() {
        let unit = nsg_unit;
        let units = [&["a", "b"][..], &["c"], &[], &["d", "e"], &["f"]];
        let mut merged = Model::new();
        let mut added = Vec::new();
        for (u, names) in (0u32..).zip(units) {
            let before = merged.mark();
            merged.extend(unit(u, names));
            added.push((before, merged.mark()));
        }
        // Units 1, 2 (empty) and 3 taken back out: as if only 0 and 4 had been merged.
        merged.remove_added(&[added[1], added[2], added[3]]);
        let mut expected = Model::new();
        expected.extend(unit(0, units[0]));
        expected.extend(unit(4, units[4]));
        let labels = |m: &Model| {
            m.nsgs
                .iter()
                .map(|n| n.res.label.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(labels(&merged), labels(&expected));
        assert_eq!(merged.opaque_refs, expected.opaque_refs);
        assert_eq!(merged.index, expected.index);
        assert_eq!(merged.mark(), expected.mark());
        let sp = Span::new(FileId(0), 0..1);
        let gone = ResourceKey::arm(UnitId(3), "microsoft.network/networksecuritygroups", "d");
        assert!(matches!(merged.nsg(&Val::known(gone, sp)), Lookup::Unknown));
    }

    #[test]
    fn reserving_the_sum_of_the_units_leaves_no_unused_room() {
        let unit = nsg_unit;
        let mut merged = Model::new();
        merged.extend(unit(0, &["a"]));
        let units = [
            unit(1, &["b", "c", "d"]),
            unit(2, &[]),
            unit(3, &["e", "f"]),
        ];
        let more = Mark::sum(&units);
        assert_eq!(more.0[5], 5, "nsgs are the sixth collection");
        assert_eq!(more.0[16], 5, "opaque_refs are the seventeenth");
        merged.reserve_exact(more);
        let before = (merged.nsgs.capacity(), merged.opaque_refs.capacity());
        for u in units {
            merged.extend(u);
        }
        assert_eq!(merged.nsgs.len(), 6);
        assert!(merged.nsgs.capacity() >= 6);
        // No growth while merging: what was reserved was enough.
        assert_eq!(
            (merged.nsgs.capacity(), merged.opaque_refs.capacity()),
            before
        );
    }

    #[test]
    fn site_by_host_finds_the_first_site_by_default_or_bound_name() {
        let sp = Span::new(FileId(0), 0..1);
        let site = |name: &str, host: Option<&str>, bound: &[&str]| Site {
            res: res("Microsoft.Web/sites", name),
            default_host_name: host.map_or_else(Val::absent, |h| Val::known(h.to_string(), sp)),
            host_bindings: Val::known(
                bound
                    .iter()
                    .map(|b| HostBinding {
                        host_name: Val::known((*b).to_string(), sp),
                        ..Default::default()
                    })
                    .collect(),
                sp,
            ),
            ..Default::default()
        };
        let mut m = Model::new();
        m.sites
            .push(site("a", Some("A.azurewebsites.net"), &["www.contoso.com"]));
        m.sites.push(site("b", Some("a.azurewebsites.net"), &[]));
        m.sites.push(site("c", None, &["API.contoso.com"]));
        m.reindex();
        let name = |h: &str| m.site_by_host(h).map(|s| s.res.key.name.clone());
        assert_eq!(name("a.AZUREWEBSITES.net."), Some("a".into()));
        assert_eq!(name("www.contoso.com"), Some("a".into()));
        assert_eq!(name("api.contoso.com"), Some("c".into()));
        assert_eq!(name("b.azurewebsites.net"), None);
        // A site pushed after the index was built is still found (linear fallback).
        m.sites.push(site("d", Some("d.azurewebsites.net"), &[]));
        assert_eq!(
            m.site_by_host("d.azurewebsites.net")
                .map(|s| s.res.key.name.as_str()),
            Some("d")
        );
    }
}
