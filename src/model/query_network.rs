//! Shared network questions for the subnet, NSG, route, DNS and Private Link rules
//! (AGW027–AGW039), written once: "the gateway subnet / VNet / NSG / route table of a gateway",
//! "does this NSG admit a flow (first match by priority, default rules included)", "does a route
//! table force-tunnel 0.0.0.0/0", `maybeIsolated(gw)`, "private endpoints of a site", "is a
//! private DNS zone linked to a VNet".
//!
//! NSG evaluation is three-valued: a rule field that is Unknown, a prefix that may or may not
//! cover the traffic (a public CIDR against a service tag), or an unparsable port all make the
//! verdict `Uncertain`, and rules stay silent on it.

use super::{
    BackendAddress, Dialect, Gateway, GatewayIpConfig, Lookup, Model, NetworkSecurityGroup,
    PrivateEndpoint, ResourceKey, RouteTable, SecurityRule, Site, Subnet, Val, VirtualNetwork,
};

/// Compares two references by their Known keys; `None` when either is not Known.
pub fn same_key(a: &Val<ResourceKey>, b: &ResourceKey) -> Option<bool> {
    a.get().map(|k| k == b)
}

/// The gateway IP configuration and the subnet it puts the gateway into
/// (`gatewayIPConfigurations[0].subnet`).
pub fn gateway_subnet<'a>(
    model: &'a Model,
    gw: &'a Gateway,
) -> Lookup<(&'a GatewayIpConfig, &'a Subnet)> {
    let Some(cfgs) = gw.gateway_ip_configs.items() else {
        return Lookup::Unknown;
    };
    let Some(cfg) = cfgs.first() else {
        return Lookup::Absent;
    };
    match model.subnet(&cfg.subnet) {
        Lookup::Found(s) => Lookup::Found((cfg, s)),
        Lookup::Absent => Lookup::Absent,
        Lookup::Unknown => Lookup::Unknown,
    }
}

/// The gateway's subnet together with the NSG attached to it. `Err(true)` when something
/// needed is Unknown (count a skip), `Err(false)` when there is nothing to check (no subnet in
/// the scan, no NSG attached).
pub fn gateway_nsg<'a>(
    model: &'a Model,
    gw: &'a Gateway,
) -> Result<(&'a GatewayIpConfig, &'a Subnet, &'a NetworkSecurityGroup), bool> {
    let (cfg, subnet) = match gateway_subnet(model, gw) {
        Lookup::Found(x) => x,
        Lookup::Absent => return Err(false),
        Lookup::Unknown => return Err(true),
    };
    match subnet_nsg(model, subnet) {
        Lookup::Found(n) => Ok((cfg, subnet, n)),
        Lookup::Absent => Err(false),
        Lookup::Unknown => Err(true),
    }
}

/// The VNet a subnet belongs to.
pub fn subnet_vnet<'a>(model: &'a Model, subnet: &Subnet) -> Lookup<&'a VirtualNetwork> {
    model.vnet(&subnet.vnet)
}

/// The NSG attached to a subnet.
pub fn subnet_nsg<'a>(model: &'a Model, subnet: &Subnet) -> Lookup<&'a NetworkSecurityGroup> {
    model.nsg(&subnet.nsg)
}

/// The route table attached to a subnet.
pub fn subnet_route_table<'a>(model: &'a Model, subnet: &Subnet) -> Lookup<&'a RouteTable> {
    model.route_table(&subnet.route_table)
}

/// Why a gateway may run with Application Gateway network isolation, which relaxes the NSG and
/// route requirements. `None` = certainly not isolated.
pub fn maybe_isolated(gw: &Gateway, assume_network_isolation: bool) -> Option<&'static str> {
    if assume_network_isolation {
        return Some("network isolation is assumed by configuration");
    }
    for t in gw.tags.iter() {
        if t.key.eq_ignore_ascii_case("EnhancedNetworkControl") {
            match t.value.get() {
                Some(v) if v.eq_ignore_ascii_case("true") => {
                    return Some("the gateway has tag EnhancedNetworkControl=True");
                }
                Some(_) => {}
                None => return Some("the gateway's EnhancedNetworkControl tag is not known"),
            }
        }
    }
    if gw.tags.items().is_none() {
        return Some("the gateway's tags are not known");
    }
    match has_public_frontend(gw) {
        Some(true) => None,
        Some(false) => Some("the gateway has no public frontend IP (network isolation)"),
        None => Some("the gateway's frontend IP configurations are not known"),
    }
}

/// `hasPublicFrontend(gw)`: some frontend IP configuration references a public IP. `None` when
/// the collection is Unknown.
pub fn has_public_frontend(gw: &Gateway) -> Option<bool> {
    let fes = gw.frontend_ips.items()?;
    Some(fes.iter().any(|f| !f.public_ip.is_absent()))
}

/// The private endpoints of a site (a connection whose target is the site) and whether the list
/// is complete (false when some endpoint's connections or target cannot be resolved).
pub fn private_endpoints_of<'a>(model: &'a Model, site: &Site) -> (Vec<&'a PrivateEndpoint>, bool) {
    let mut out = Vec::new();
    let mut complete = true;
    for pe in &model.private_endpoints {
        if !pe.res.may_exist() {
            continue;
        }
        let Some(conns) = pe.connections.items() else {
            complete = false;
            continue;
        };
        let mut hit = false;
        for c in conns {
            match same_key(&c.target, &site.res.key) {
                Some(true) => hit = true,
                Some(false) => {}
                None => complete = false,
            }
        }
        if hit {
            out.push(pe);
        }
    }
    (out, complete)
}

/// The VNet of a private endpoint's subnet, as a key (`None` when unknowable).
pub fn private_endpoint_vnet(model: &Model, pe: &PrivateEndpoint) -> Option<ResourceKey> {
    match model.subnet(&pe.subnet) {
        Lookup::Found(s) => s.vnet.get().cloned(),
        _ => None,
    }
}

/// True when VNet `a` is VNet `b` or peered with it (either side's peering written). `None` when
/// a peering's remote VNet is Unknown and no certain match was found.
pub fn vnets_connected(model: &Model, a: &ResourceKey, b: &ResourceKey) -> Option<bool> {
    if a == b {
        return Some(true);
    }
    let mut unknown = false;
    for v in &model.vnets {
        let other = if &v.res.key == a {
            b
        } else if &v.res.key == b {
            a
        } else {
            continue;
        };
        match v.peerings.items() {
            Some(ps) => {
                for p in ps {
                    match same_key(&p.remote_vnet, other) {
                        Some(true) => return Some(true),
                        Some(false) => {}
                        None => unknown = true,
                    }
                }
            }
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

/// Names of the App Service private-link DNS zones (public, Government, China).
pub const PRIVATELINK_SITE_ZONES: &[&str] = &[
    "privatelink.azurewebsites.net",
    "privatelink.azurewebsites.us",
    "privatelink.chinacloudsites.cn",
];

/// True when a DNS zone name is an App Service private-link zone.
pub fn is_privatelink_site_zone(name: &str) -> bool {
    let n = name.trim_end_matches('.');
    PRIVATELINK_SITE_ZONES
        .iter()
        .any(|z| z.eq_ignore_ascii_case(n))
}

/// Whether an App Service private-link zone in the scan is linked to the VNet: `Some(true)` when a
/// link is, `Some(false)` when every such zone's links are Known and none is, `None` when a
/// zone name or link is Unknown.
pub fn privatelink_zone_linked(model: &Model, vnet: &ResourceKey) -> Option<bool> {
    let mut unknown = false;
    for z in &model.dns_zones {
        match z.res.name.get() {
            Some(n) if is_privatelink_site_zone(n) => {}
            Some(_) => continue,
            None => {
                unknown = true;
                continue;
            }
        }
        let Some(links) = z.links.items() else {
            unknown = true;
            continue;
        };
        for l in links {
            match same_key(&l.vnet, vnet) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
    }
    if unknown { None } else { Some(false) }
}

/// The sites a gateway routes to (through its routed pools), each with the first pool address
/// that reaches it; deduplicated.
pub fn gateway_sites<'a>(model: &'a Model, gw: &'a Gateway) -> Vec<(&'a BackendAddress, &'a Site)> {
    let mut out: Vec<(&BackendAddress, &Site)> = Vec::new();
    for pair in gw.pairs().items {
        for addr in pair.pool.addresses.iter() {
            if let Lookup::Found(site) = model.site_of_address(addr)
                && !out.iter().any(|(_, s)| s.res.key == site.res.key)
            {
                out.push((addr, site));
            }
        }
    }
    out
}

/// True when a private endpoint connects to the `sites` sub-resource (Absent group ids count:
/// a site has only that one); `None` when Unknown.
pub fn targets_sites_group(pe: &PrivateEndpoint, site: &Site) -> Option<bool> {
    let mut unknown = false;
    for c in pe.connections.iter() {
        if same_key(&c.target, &site.res.key) != Some(true) {
            continue;
        }
        match c.group_ids.items() {
            Some([]) => return Some(true),
            Some(ids) => {
                for g in ids {
                    match g.get() {
                        Some(s) if s.eq_ignore_ascii_case("sites") => return Some(true),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
            }
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

/// The site's private endpoints on its production slot (`groupIds: ["sites"]`), and whether the
/// list is complete.
pub fn site_private_endpoints<'a>(
    model: &'a Model,
    site: &Site,
) -> (Vec<&'a PrivateEndpoint>, bool) {
    let (pes, mut complete) = private_endpoints_of(model, site);
    let mut out = Vec::new();
    for pe in pes {
        match targets_sites_group(pe, site) {
            Some(true) => out.push(pe),
            Some(false) => {}
            None => complete = false,
        }
    }
    (out, complete)
}

/// The site's effective public network access: `Some(true)` enabled, `Some(false)` disabled,
/// `None` unknowable. ARM: `publicNetworkAccess` unset means enabled unless a private endpoint
/// exists (then disabled); Terraform: `public_network_access_enabled` defaults to true.
pub fn public_access_enabled(model: &Model, site: &Site) -> Option<bool> {
    match site.public_network_access.get() {
        Some(v) if v.eq_ignore_ascii_case("disabled") => Some(false),
        Some(v) if v.eq_ignore_ascii_case("enabled") => Some(true),
        Some(_) => None,
        None if site.public_network_access.is_unknown() => None,
        None => match site.res.dialect {
            Dialect::Terraform => Some(true),
            Dialect::Arm => {
                let (pes, complete) = site_private_endpoints(model, site);
                if !pes.is_empty() {
                    Some(false)
                } else if complete {
                    Some(true)
                } else {
                    None
                }
            }
        },
    }
}

/// The gateway's VNet key, through its subnet.
pub fn gateway_vnet_key<'a>(model: &'a Model, gw: &'a Gateway) -> Option<&'a ResourceKey> {
    match gateway_subnet(model, gw) {
        Lookup::Found((_, s)) => s.vnet.get(),
        _ => None,
    }
}

/// True when a subnet's service endpoints include `Microsoft.Web`; `None` when Unknown.
pub fn has_web_service_endpoint(subnet: &Subnet) -> Option<bool> {
    let items = subnet.service_endpoints.items()?;
    let mut unknown = false;
    for v in items {
        match v.get() {
            Some(s) if s.eq_ignore_ascii_case("Microsoft.Web") => return Some(true),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

// ---------------------------------------------------------------------------------------------
// Ports and prefixes

/// The whole port space.
pub const ALL_PORTS: (u32, u32) = (0, 65535);

/// Parses one port specification: `*`, `N`, `N-M`, or a comma-separated list of those. `None`
/// when malformed.
pub fn parse_ports(s: &str) -> Option<Vec<(u32, u32)>> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let p = part.trim();
        if p == "*" || p.eq_ignore_ascii_case("any") {
            out.push(ALL_PORTS);
            continue;
        }
        let (lo, hi) = match p.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
            None => {
                let n = p.parse::<u32>().ok()?;
                (n, n)
            }
        };
        if lo > hi || hi > 65535 {
            return None;
        }
        out.push((lo, hi));
    }
    if out.is_empty() { None } else { Some(out) }
}

/// An IPv4 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Net {
    /// Network address (host bits cleared).
    pub addr: u32,
    /// Prefix length 0–32.
    pub len: u8,
}

impl Ipv4Net {
    /// Parses `a.b.c.d/n` or a bare address (`/32`).
    pub fn parse(s: &str) -> Option<Ipv4Net> {
        let (ip, len) = match s.trim().split_once('/') {
            Some((ip, l)) => (ip, l.trim().parse::<u8>().ok()?),
            None => (s.trim(), 32),
        };
        if len > 32 {
            return None;
        }
        let mut addr: u32 = 0;
        let mut n = 0;
        for oct in ip.split('.') {
            let o: u8 = oct.parse().ok()?;
            addr = (addr << 8) | u32::from(o);
            n += 1;
        }
        if n != 4 {
            return None;
        }
        Some(Ipv4Net {
            addr: addr & Self::mask(len),
            len,
        })
    }

    fn mask(len: u8) -> u32 {
        if len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(len))
        }
    }

    /// True when `other` lies inside `self`.
    pub fn contains(&self, other: &Ipv4Net) -> bool {
        other.len >= self.len && (other.addr & Self::mask(self.len)) == self.addr
    }

    /// True when the two networks share an address.
    pub fn overlaps(&self, other: &Ipv4Net) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// True when the whole network is private (RFC 1918, RFC 6598 shared, loopback).
    pub fn is_private(&self) -> bool {
        [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "127.0.0.0/8",
        ]
        .iter()
        .filter_map(|c| Ipv4Net::parse(c))
        .any(|p| p.contains(self))
    }
}

/// What an NSG address prefix denotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prefix {
    /// `*`, `Any`, `0.0.0.0/0`.
    Any,
    /// A service tag, lower-cased (`internet`, `gatewaymanager`, `azureloadbalancer`,
    /// `virtualnetwork`, `appservice.westeurope`...).
    Tag(String),
    /// An IPv4 CIDR.
    Cidr(Ipv4Net),
    /// Something else (IPv6, malformed).
    Other,
}

/// Classifies an NSG address prefix.
pub fn parse_prefix(s: &str) -> Prefix {
    let t = s.trim();
    if t == "*" || t.eq_ignore_ascii_case("any") {
        return Prefix::Any;
    }
    if let Some(n) = Ipv4Net::parse(t) {
        return if n.len == 0 {
            Prefix::Any
        } else {
            Prefix::Cidr(n)
        };
    }
    if !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    {
        return Prefix::Tag(t.to_ascii_lowercase());
    }
    Prefix::Other
}

/// One side of a flow the rules ask about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Azure's GatewayManager service (public Azure addresses).
    GatewayManager,
    /// The Azure load balancer probe address (168.63.129.16).
    AzureLoadBalancer,
    /// The public internet as a whole (clients, or any public destination).
    Internet,
    /// The App Service public front ends (`AppService` tag).
    AppService,
    /// Addresses inside the VNet (private clients).
    VirtualNetwork,
    /// The gateway subnet; the prefixes when Known (empty = not known).
    Subnet(Vec<Ipv4Net>),
}

/// How much of an endpoint a prefix covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cover {
    /// None of it.
    None,
    /// Some of it, or not knowable.
    Partial,
    /// All of it.
    Full,
}

const AZURE_LB: u32 = (168 << 24) | (63 << 16) | (129 << 8) | 16;

fn public_cover(p: &Prefix, exact_tags: &[&str], super_tags: &[&str]) -> Cover {
    match p {
        Prefix::Any => Cover::Full,
        Prefix::Tag(t) if exact_tags.contains(&t.as_str()) || super_tags.contains(&t.as_str()) => {
            Cover::Full
        }
        Prefix::Tag(t) if matches!(t.as_str(), "virtualnetwork" | "azureloadbalancer") => {
            Cover::None
        }
        Prefix::Cidr(n) if n.is_private() => Cover::None,
        _ => Cover::Partial,
    }
}

/// How much of `ep` the prefix covers.
pub fn covers(p: &Prefix, ep: &Endpoint) -> Cover {
    match ep {
        Endpoint::GatewayManager => {
            public_cover(p, &["gatewaymanager"], &["internet", "azurecloud"])
        }
        Endpoint::AppService => public_cover(p, &["appservice"], &["internet", "azurecloud"]),
        Endpoint::Internet => {
            // Service tags and public CIDRs are subsets of the internet: partial.
            public_cover(p, &["internet"], &[])
        }
        Endpoint::AzureLoadBalancer => match p {
            Prefix::Any => Cover::Full,
            Prefix::Tag(t) if t == "azureloadbalancer" => Cover::Full,
            Prefix::Tag(t) if t == "virtualnetwork" || t == "gatewaymanager" => Cover::None,
            Prefix::Cidr(n) => {
                if n.contains(&Ipv4Net {
                    addr: AZURE_LB,
                    len: 32,
                }) {
                    Cover::Full
                } else {
                    Cover::None
                }
            }
            _ => Cover::Partial,
        },
        Endpoint::VirtualNetwork => match p {
            Prefix::Any => Cover::Full,
            Prefix::Tag(t) if t == "virtualnetwork" => Cover::Full,
            Prefix::Tag(t)
                if matches!(
                    t.as_str(),
                    "internet" | "gatewaymanager" | "azureloadbalancer"
                ) =>
            {
                Cover::None
            }
            _ => Cover::Partial,
        },
        Endpoint::Subnet(nets) => match p {
            Prefix::Any => Cover::Full,
            Prefix::Tag(t) if t == "virtualnetwork" => Cover::Full,
            Prefix::Tag(t)
                if matches!(
                    t.as_str(),
                    "internet" | "gatewaymanager" | "azureloadbalancer"
                ) =>
            {
                Cover::None
            }
            Prefix::Cidr(c) if !nets.is_empty() => {
                if nets.iter().all(|n| c.contains(n)) {
                    Cover::Full
                } else if c.is_private() && nets.iter().all(|n| !c.overlaps(n)) {
                    // A public range may be the gateway's frontend public IP, which NSG rules
                    // can name as destination: only a private range can be ruled out.
                    Cover::None
                } else {
                    Cover::Partial
                }
            }
            _ => Cover::Partial,
        },
    }
}

/// The Known IPv4 prefixes of a subnet (empty when any is Unknown or not IPv4).
pub fn subnet_nets(subnet: &Subnet) -> Vec<Ipv4Net> {
    let Some(items) = subnet.prefixes.items() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in items {
        match p.get().and_then(|s| Ipv4Net::parse(s)) {
            Some(n) => out.push(n),
            None => return Vec::new(),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// NSG evaluation

/// Traffic direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Into the subnet.
    Inbound,
    /// Out of the subnet.
    Outbound,
}

/// A flow to evaluate against an NSG (TCP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// Direction.
    pub direction: Direction,
    /// Source.
    pub source: Endpoint,
    /// Destination.
    pub destination: Endpoint,
    /// Destination ports, inclusive.
    pub ports: (u32, u32),
    /// An Allow counts only when its destination is `*`/`Any`/`0.0.0.0/0` (the platform's NSG
    /// pre-check for the GatewayManager rule, as reported).
    pub allow_needs_any_destination: bool,
}

/// The rule that decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decider<'a> {
    /// A rule written in the template.
    Rule(&'a SecurityRule),
    /// A default rule (`DenyAllInBound`...).
    Default(&'static str),
}

/// The verdict for a flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict<'a> {
    /// Every port of the flow is allowed.
    Allowed,
    /// Some ports of the flow are certainly denied, by `by`.
    Denied {
        /// The first deciding Deny.
        by: Decider<'a>,
        /// The denied port range decided by it.
        ports: (u32, u32),
    },
    /// Cannot tell; `unknown` when an Unknown value is the cause.
    Uncertain {
        /// An Unknown value made the verdict uncertain.
        unknown: bool,
    },
}

/// One rule with its Known fields, prepared for evaluation.
struct View<'a> {
    decider: Decider<'a>,
    /// `None` = Unknown.
    allow: Option<bool>,
    priority: Option<i64>,
    /// Direction matches: Some(true/false), None = Unknown.
    direction: Option<bool>,
    /// Protocol covers TCP: Full / None; Partial when Unknown.
    proto: Cover,
    proto_unknown: bool,
    src: Cover,
    dst: Cover,
    dst_is_any: bool,
    /// Port ranges; `None` = Unknown or malformed.
    ports: Option<Vec<(u32, u32)>>,
    unknown: bool,
}

fn prefix_cover(coll: &super::Coll<Val<String>>, ep: &Endpoint) -> (Cover, bool, bool) {
    // (cover, unknown, is_any)
    let Some(items) = coll.items() else {
        return (Cover::Partial, true, false);
    };
    if items.is_empty() {
        return (Cover::Partial, false, false);
    }
    let mut best = Cover::None;
    let mut unknown = false;
    let mut any = false;
    for v in items {
        match v.get() {
            Some(s) => {
                let p = parse_prefix(s);
                any |= p == Prefix::Any;
                best = best.max(covers(&p, ep));
            }
            None => {
                unknown = true;
                best = best.max(Cover::Partial);
            }
        }
    }
    (best, unknown, any)
}

fn view<'a>(r: &'a SecurityRule, flow: &Flow) -> View<'a> {
    let mut unknown = false;
    let allow = match r.access.get() {
        Some(a) => Some(a.eq_ignore_ascii_case("allow")),
        None => {
            unknown = true;
            None
        }
    };
    let priority = r.priority.get().copied();
    unknown |= priority.is_none();
    let want = match flow.direction {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound",
    };
    let direction = r.direction.get().map(|d| d.eq_ignore_ascii_case(want));
    unknown |= direction.is_none();
    let (proto, proto_unknown) = match r.protocol.get() {
        Some(p) if p == "*" || p.eq_ignore_ascii_case("tcp") || p.eq_ignore_ascii_case("any") => {
            (Cover::Full, false)
        }
        Some(_) => (Cover::None, false),
        None => (Cover::Partial, true),
    };
    unknown |= proto_unknown;
    let (src, su, _) = prefix_cover(&r.source_prefixes, &flow.source);
    let (dst, du, dst_is_any) = prefix_cover(&r.destination_prefixes, &flow.destination);
    unknown |= su || du;
    let ports = match r.destination_ports.items() {
        Some(items) if !items.is_empty() => {
            let mut out = Vec::new();
            let mut ok = true;
            for v in items {
                match v.get().and_then(|s| parse_ports(s)) {
                    Some(mut p) => out.append(&mut p),
                    None => {
                        unknown |= v.is_unknown();
                        ok = false;
                    }
                }
            }
            ok.then_some(out)
        }
        Some(_) => None,
        None => {
            unknown = true;
            None
        }
    };
    View {
        decider: Decider::Rule(r),
        allow,
        priority,
        direction,
        proto,
        proto_unknown,
        src,
        dst,
        dst_is_any,
        ports,
        unknown,
    }
}

fn default_view(
    name: &'static str,
    priority: i64,
    allow: bool,
    src: &str,
    dst: &str,
    flow: &Flow,
) -> View<'static> {
    let sp = parse_prefix(src);
    let dp = parse_prefix(dst);
    View {
        decider: Decider::Default(name),
        allow: Some(allow),
        priority: Some(priority),
        direction: Some(true),
        proto: Cover::Full,
        proto_unknown: false,
        src: covers(&sp, &flow.source),
        dst: covers(&dp, &flow.destination),
        dst_is_any: dp == Prefix::Any,
        ports: Some(vec![ALL_PORTS]),
        unknown: false,
    }
}

fn defaults(flow: &Flow) -> Vec<View<'static>> {
    match flow.direction {
        Direction::Inbound => vec![
            default_view(
                "AllowVnetInBound",
                65000,
                true,
                "VirtualNetwork",
                "VirtualNetwork",
                flow,
            ),
            default_view(
                "AllowAzureLoadBalancerInBound",
                65001,
                true,
                "AzureLoadBalancer",
                "*",
                flow,
            ),
            default_view("DenyAllInBound", 65500, false, "*", "*", flow),
        ],
        Direction::Outbound => vec![
            default_view(
                "AllowVnetOutBound",
                65000,
                true,
                "VirtualNetwork",
                "VirtualNetwork",
                flow,
            ),
            default_view("AllowInternetOutBound", 65001, true, "*", "Internet", flow),
            default_view("DenyAllOutBound", 65500, false, "*", "*", flow),
        ],
    }
}

/// Evaluates a flow against an NSG: rules by ascending priority, first match wins, default
/// rules last. Each port sub-range is decided separately; the verdict is `Denied` as soon as
/// one sub-range is certainly denied.
pub fn evaluate<'a>(nsg: &'a NetworkSecurityGroup, flow: &Flow) -> Verdict<'a> {
    let Some(rules) = nsg.rules.items() else {
        return Verdict::Uncertain { unknown: true };
    };
    let mut views: Vec<View<'a>> = Vec::with_capacity(rules.len() + 3);
    for r in rules {
        let v = view(r, flow);
        // A rule certainly in the other direction, or certainly not TCP, never matters.
        if v.direction == Some(false) || (v.proto == Cover::None && !v.proto_unknown) {
            continue;
        }
        views.push(v);
    }
    // A rule with Unknown priority that could match makes the order unknowable.
    if views
        .iter()
        .any(|v| v.priority.is_none() && v.src != Cover::None && v.dst != Cover::None)
    {
        return Verdict::Uncertain { unknown: true };
    }
    views.sort_by_key(|v| v.priority.unwrap_or(i64::MAX));
    views.extend(defaults(flow));

    // Split the flow's ports at every Known rule boundary.
    let (lo, hi) = flow.ports;
    let mut cuts: Vec<u32> = vec![lo, hi + 1];
    for v in &views {
        for &(a, b) in v.ports.iter().flatten() {
            if a > lo && a <= hi {
                cuts.push(a);
            }
            if b >= lo && b < hi {
                cuts.push(b + 1);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();

    let mut uncertain_unknown = None::<bool>;
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1] - 1);
        match decide(&views, flow, a) {
            Step::Allow => {}
            Step::Deny(by) => return Verdict::Denied { by, ports: (a, b) },
            Step::Uncertain(u) => {
                uncertain_unknown = Some(uncertain_unknown.unwrap_or(false) || u);
            }
        }
    }
    match uncertain_unknown {
        None => Verdict::Allowed,
        Some(unknown) => Verdict::Uncertain { unknown },
    }
}

enum Step<'a> {
    Allow,
    Deny(Decider<'a>),
    Uncertain(bool),
}

/// First match for one port (every port of an elementary sub-range behaves alike).
fn decide<'a>(views: &[View<'a>], flow: &Flow, port: u32) -> Step<'a> {
    // Accesses of rules that may match partly before the decisive one.
    let mut partial_allow = false;
    let mut partial_deny = false;
    let mut partial_unknown = false;
    for v in views {
        let port_cover = match &v.ports {
            Some(rs) => {
                if rs.iter().any(|&(a, b)| a <= port && port <= b) {
                    Cover::Full
                } else {
                    Cover::None
                }
            }
            None => Cover::Partial,
        };
        let dir_cover = if v.direction.is_some() {
            Cover::Full
        } else {
            Cover::Partial
        };
        let mut dst = v.dst;
        if flow.allow_needs_any_destination && v.allow == Some(true) && !v.dst_is_any {
            dst = Cover::None;
        }
        let m = port_cover.min(dir_cover).min(v.proto).min(v.src).min(dst);
        match (m, v.allow) {
            (Cover::None, _) => {}
            (Cover::Full, Some(allow)) => {
                let conflict = if allow { partial_deny } else { partial_allow };
                if conflict {
                    return Step::Uncertain(partial_unknown);
                }
                return if allow {
                    Step::Allow
                } else {
                    Step::Deny(v.decider)
                };
            }
            (_, access) => {
                partial_unknown |= v.unknown;
                match access {
                    Some(true) => partial_allow = true,
                    Some(false) => partial_deny = true,
                    None => {
                        partial_allow = true;
                        partial_deny = true;
                    }
                }
            }
        }
    }
    // The default DenyAll always matches fully, so this is unreachable in practice.
    Step::Uncertain(partial_unknown)
}

/// Where to point when a default rule decides (a rule is missing): the ARM `securityRules`
/// array, or the Terraform NSG resource (its inline blocks are siblings, not one list).
pub fn missing_rule_span(nsg: &NetworkSecurityGroup) -> crate::source::Span {
    match nsg.res.dialect {
        Dialect::Arm => nsg.rules.span_or(nsg.res.span),
        Dialect::Terraform => nsg.res.span,
    }
}

/// A decider for labels: `rule "X"` or `default rule DenyAllInBound`.
pub fn decider_label(d: &Decider<'_>) -> String {
    match d {
        Decider::Rule(_) => format!("rule \"{}\"", decider_name(d)),
        Decider::Default(n) => format!("default rule {n}"),
    }
}

/// Name of a decider for messages.
pub fn decider_name(d: &Decider<'_>) -> String {
    match d {
        Decider::Rule(r) => r.name.get().cloned().unwrap_or_else(|| "?".into()),
        Decider::Default(n) => (*n).to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Routes

/// True when a route prefix is the default route.
pub fn is_default_route(prefix: &str) -> bool {
    let p = prefix.trim();
    p == "0.0.0.0/0" || p.eq_ignore_ascii_case("default")
}

/// The first route of a table sending `0.0.0.0/0` anywhere but `Internet`. `Some(None)` when
/// there is none; `None` when a route's prefix or next hop is Unknown (or the collection is).
pub fn forced_tunnel_route(rt: &RouteTable) -> Option<Option<&super::Route>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Resource, UnitId};
    use crate::source::{FileId, Span};

    fn sp() -> Span {
        Span::new(FileId(0), 0..1)
    }

    fn s(v: &str) -> Val<String> {
        Val::known(v.to_string(), sp())
    }

    fn list(v: &[&str]) -> super::super::Coll<Val<String>> {
        Val::known(v.iter().map(|x| s(x)).collect(), sp())
    }

    #[allow(clippy::too_many_arguments)]
    fn rule(
        name: &str,
        dir: &str,
        access: &str,
        prio: i64,
        proto: &str,
        src: &[&str],
        dst: &[&str],
        ports: &[&str],
    ) -> SecurityRule {
        SecurityRule {
            name: s(name),
            direction: s(dir),
            access: s(access),
            priority: Val::known(prio, sp()),
            protocol: s(proto),
            source_prefixes: list(src),
            destination_prefixes: list(dst),
            destination_ports: list(ports),
            source_ports: list(&["*"]),
            span: sp(),
        }
    }

    fn nsg(rules: Vec<SecurityRule>) -> NetworkSecurityGroup {
        NetworkSecurityGroup {
            res: Resource {
                key: ResourceKey::arm(UnitId(0), "Microsoft.Network/networkSecurityGroups", "n"),
                ..Default::default()
            },
            rules: Val::known(rules, sp()),
        }
    }

    fn gm_flow() -> Flow {
        Flow {
            direction: Direction::Inbound,
            source: Endpoint::GatewayManager,
            destination: Endpoint::Subnet(vec![]),
            ports: (65200, 65535),
            allow_needs_any_destination: true,
        }
    }

    #[test]
    fn ports_parse() {
        assert_eq!(parse_ports("*"), Some(vec![ALL_PORTS]));
        assert_eq!(parse_ports("443"), Some(vec![(443, 443)]));
        assert_eq!(parse_ports("65200-65535"), Some(vec![(65200, 65535)]));
        assert_eq!(parse_ports("80, 443-444"), Some(vec![(80, 80), (443, 444)]));
        assert_eq!(parse_ports("70000"), None);
        assert_eq!(parse_ports("9-3"), None);
        assert_eq!(parse_ports("x"), None);
    }

    #[test]
    fn prefixes_parse_and_cover() {
        assert_eq!(parse_prefix("*"), Prefix::Any);
        assert_eq!(parse_prefix("0.0.0.0/0"), Prefix::Any);
        assert_eq!(parse_prefix("Any"), Prefix::Any);
        assert_eq!(
            parse_prefix("GatewayManager"),
            Prefix::Tag("gatewaymanager".into())
        );
        assert!(matches!(parse_prefix("10.0.0.0/24"), Prefix::Cidr(_)));
        assert_eq!(parse_prefix("2001:db8::/32"), Prefix::Other);
        let gm = Endpoint::GatewayManager;
        assert_eq!(covers(&parse_prefix("Internet"), &gm), Cover::Full);
        assert_eq!(covers(&parse_prefix("GatewayManager"), &gm), Cover::Full);
        assert_eq!(covers(&parse_prefix("VirtualNetwork"), &gm), Cover::None);
        assert_eq!(covers(&parse_prefix("10.1.0.0/16"), &gm), Cover::None);
        assert_eq!(covers(&parse_prefix("20.0.0.0/8"), &gm), Cover::Partial);
        let lb = Endpoint::AzureLoadBalancer;
        assert_eq!(covers(&parse_prefix("168.63.129.16"), &lb), Cover::Full);
        assert_eq!(covers(&parse_prefix("10.0.0.0/8"), &lb), Cover::None);
        let sub = Endpoint::Subnet(vec![Ipv4Net::parse("10.0.1.0/24").unwrap()]);
        assert_eq!(covers(&parse_prefix("10.0.0.0/16"), &sub), Cover::Full);
        assert_eq!(covers(&parse_prefix("10.0.2.0/24"), &sub), Cover::None);
        assert_eq!(covers(&parse_prefix("10.0.1.128/25"), &sub), Cover::Partial);
        assert_eq!(covers(&parse_prefix("20.50.1.2/32"), &sub), Cover::Partial);
    }

    #[test]
    fn only_defaults_deny_gateway_manager() {
        let n = nsg(vec![]);
        match evaluate(&n, &gm_flow()) {
            Verdict::Denied { by, .. } => assert_eq!(decider_name(&by), "DenyAllInBound"),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn gateway_manager_allow_passes_and_port_lists_merge() {
        let n = nsg(vec![rule(
            "gm",
            "Inbound",
            "Allow",
            100,
            "Tcp",
            &["GatewayManager"],
            &["*"],
            &["65200-65400", "65401-65535"],
        )]);
        assert_eq!(evaluate(&n, &gm_flow()), Verdict::Allowed);
        // Only half the range: the rest falls to DenyAllInBound.
        let half = nsg(vec![rule(
            "gm",
            "Inbound",
            "Allow",
            100,
            "Tcp",
            &["GatewayManager"],
            &["*"],
            &["65200-65400"],
        )]);
        match evaluate(&half, &gm_flow()) {
            Verdict::Denied { ports, .. } => assert_eq!(ports, (65401, 65535)),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn deny_before_allow_wins_and_order_is_by_priority() {
        let deny = rule("deny", "Inbound", "Deny", 200, "*", &["*"], &["*"], &["*"]);
        let allow = rule(
            "gm",
            "Inbound",
            "Allow",
            300,
            "Tcp",
            &["GatewayManager"],
            &["*"],
            &["65200-65535"],
        );
        let n = nsg(vec![allow.clone(), deny.clone()]);
        match evaluate(&n, &gm_flow()) {
            Verdict::Denied { by, .. } => assert_eq!(decider_name(&by), "deny"),
            v => panic!("{v:?}"),
        }
        let mut early = allow;
        early.priority = Val::known(100, sp());
        assert_eq!(
            evaluate(&nsg(vec![deny, early]), &gm_flow()),
            Verdict::Allowed
        );
    }

    #[test]
    fn allow_to_virtual_network_does_not_count_for_gateway_manager() {
        let n = nsg(vec![rule(
            "gm",
            "Inbound",
            "Allow",
            100,
            "Tcp",
            &["GatewayManager"],
            &["VirtualNetwork"],
            &["*"],
        )]);
        assert!(matches!(evaluate(&n, &gm_flow()), Verdict::Denied { .. }));
    }

    #[test]
    fn unknown_fields_make_it_uncertain() {
        let mut r = rule(
            "gm",
            "Inbound",
            "Allow",
            100,
            "Tcp",
            &["GatewayManager"],
            &["*"],
            &["*"],
        );
        r.source_prefixes = Val::known(vec![Val::unknown(Some(sp()))], sp());
        assert_eq!(
            evaluate(&nsg(vec![r.clone()]), &gm_flow()),
            Verdict::Uncertain { unknown: true }
        );
        let mut p = rule(
            "gm",
            "Inbound",
            "Allow",
            100,
            "Tcp",
            &["GatewayManager"],
            &["*"],
            &["*"],
        );
        p.destination_ports = Val::known(vec![Val::unknown(Some(sp()))], sp());
        assert_eq!(
            evaluate(&nsg(vec![p]), &gm_flow()),
            Verdict::Uncertain { unknown: true }
        );
        let unknown_rules = NetworkSecurityGroup {
            rules: Val::unknown(None),
            ..Default::default()
        };
        assert_eq!(
            evaluate(&unknown_rules, &gm_flow()),
            Verdict::Uncertain { unknown: true }
        );
        // An Unknown rule for UDP only never matters.
        r.protocol = s("Udp");
        assert!(matches!(
            evaluate(&nsg(vec![r]), &gm_flow()),
            Verdict::Denied { .. }
        ));
    }

    #[test]
    fn public_cidr_allow_is_uncertain_not_denied() {
        let n = nsg(vec![rule(
            "gm",
            "Inbound",
            "Allow",
            100,
            "Tcp",
            &["20.0.0.0/8"],
            &["*"],
            &["*"],
        )]);
        assert_eq!(
            evaluate(&n, &gm_flow()),
            Verdict::Uncertain { unknown: false }
        );
    }

    #[test]
    fn outbound_internet_defaults_allow_and_deny_rule_blocks() {
        let flow = Flow {
            direction: Direction::Outbound,
            source: Endpoint::Subnet(vec![]),
            destination: Endpoint::Internet,
            ports: (443, 443),
            allow_needs_any_destination: false,
        };
        assert_eq!(evaluate(&nsg(vec![]), &flow), Verdict::Allowed);
        let n = nsg(vec![rule(
            "no-internet",
            "Outbound",
            "Deny",
            4000,
            "*",
            &["*"],
            &["Internet"],
            &["*"],
        )]);
        assert!(matches!(evaluate(&n, &flow), Verdict::Denied { .. }));
    }

    #[test]
    fn load_balancer_default_allow_and_override() {
        let flow = Flow {
            direction: Direction::Inbound,
            source: Endpoint::AzureLoadBalancer,
            destination: Endpoint::Subnet(vec![]),
            ports: ALL_PORTS,
            allow_needs_any_destination: false,
        };
        assert_eq!(evaluate(&nsg(vec![]), &flow), Verdict::Allowed);
        let n = nsg(vec![rule(
            "deny-all",
            "Inbound",
            "Deny",
            4096,
            "*",
            &["*"],
            &["*"],
            &["*"],
        )]);
        assert!(matches!(evaluate(&n, &flow), Verdict::Denied { .. }));
    }

    #[test]
    fn ipv4_nets() {
        let a = Ipv4Net::parse("10.0.0.0/16").unwrap();
        let b = Ipv4Net::parse("10.0.3.7").unwrap();
        assert!(a.contains(&b));
        assert!(a.is_private());
        assert!(!Ipv4Net::parse("8.8.8.8").unwrap().is_private());
        assert!(Ipv4Net::parse("10.0.0/8").is_none());
        assert!(Ipv4Net::parse("10.0.0.0/33").is_none());
    }
}

/// A hand-built network scenario for the rule tests: a v2 gateway with a public frontend,
/// listener on port 80, routed to function `fn` by its default host name, in subnet
/// `agw-subnet` (10.0.0.0/24) of VNet `vnet`.
#[cfg(test)]
pub(crate) mod scenario {
    use crate::finding::Finding;
    use crate::model::*;
    use crate::rules::{Assumptions, Rule, RuleCx};
    use crate::source::{FileId, Span};
    use std::sync::atomic::{AtomicU32, Ordering};

    static NEXT: AtomicU32 = AtomicU32::new(1);

    /// A fresh span.
    pub fn sp() -> Span {
        let n = NEXT.fetch_add(10, Ordering::Relaxed) as usize;
        Span::new(FileId(0), n..n + 5)
    }

    /// A Known value.
    pub fn k<T>(v: T) -> Val<T> {
        Val::known(v, sp())
    }

    /// A Known string.
    pub fn ks(v: &str) -> Val<String> {
        k(v.to_string())
    }

    /// A Known list of strings.
    pub fn kl(v: &[&str]) -> Coll<Val<String>> {
        k(v.iter().map(|s| ks(s)).collect())
    }

    /// A resource header (ARM).
    pub fn res(kind: &str, name: &str) -> Resource {
        Resource {
            key: ResourceKey::arm(UnitId(0), kind, name),
            name: ks(name),
            rtype: kind.to_string(),
            label: format!("{kind}/{name}"),
            span: sp(),
            dialect: Dialect::Arm,
            ..Default::default()
        }
    }

    /// A reference to a resource.
    pub fn rref(r: &Resource) -> Ref {
        k(r.key.clone())
    }

    /// An NSG rule.
    #[allow(clippy::too_many_arguments)]
    pub fn nsg_rule(
        name: &str,
        dir: &str,
        access: &str,
        prio: i64,
        proto: &str,
        src: &str,
        dst: &str,
        ports: &[&str],
    ) -> SecurityRule {
        SecurityRule {
            name: ks(name),
            direction: ks(dir),
            access: ks(access),
            priority: k(prio),
            protocol: ks(proto),
            source_prefixes: kl(&[src]),
            destination_prefixes: kl(&[dst]),
            destination_ports: kl(ports),
            source_ports: kl(&["*"]),
            span: sp(),
        }
    }

    /// The base scenario.
    pub fn base() -> Model {
        let vnet = VirtualNetwork {
            res: res("Microsoft.Network/virtualNetworks", "vnet"),
            address_space: kl(&["10.0.0.0/16"]),
            dns_servers: Val::absent(),
            peerings: k(vec![]),
        };
        let subnet = Subnet {
            res: res(
                "Microsoft.Network/virtualNetworks/subnets",
                "vnet/agw-subnet",
            ),
            vnet: rref(&vnet.res),
            prefixes: kl(&["10.0.0.0/24"]),
            service_endpoints: k(vec![]),
            service_endpoint_policies: k(vec![]),
            delegations: k(vec![]),
            ..Default::default()
        };
        let site = Site {
            res: res("Microsoft.Web/sites", "fn"),
            kind: ks("functionapp,linux"),
            is_function: k(true),
            default_host_name: ks("fn.azurewebsites.net"),
            host_bindings: k(vec![]),
            ip_restrictions: k(vec![]),
            ..Default::default()
        };
        let pip = PublicIp {
            res: res("Microsoft.Network/publicIPAddresses", "pip"),
            ..Default::default()
        };
        let gw = Gateway {
            res: res("Microsoft.Network/applicationGateways", "agw"),
            sku: Sku {
                name: ks("Standard_v2"),
                tier: ks("Standard_v2"),
                capacity: k(2),
                span: Some(sp()),
            },
            tags: k(vec![]),
            gateway_ip_configs: k(vec![GatewayIpConfig {
                name: ks("ipcfg"),
                subnet: rref(&subnet.res),
                span: sp(),
            }]),
            frontend_ips: k(vec![FrontendIp {
                name: ks("fe"),
                public_ip: rref(&pip.res),
                span: sp(),
                ..Default::default()
            }]),
            frontend_ports: k(vec![FrontendPort {
                name: ks("p80"),
                port: k(80),
                span: sp(),
            }]),
            listeners: k(vec![Listener {
                name: ks("l"),
                frontend_ip: SubRef::named(ks("fe")),
                frontend_port: SubRef::named(ks("p80")),
                protocol: ks("Http"),
                span: sp(),
                ..Default::default()
            }]),
            pools: k(vec![BackendPool {
                name: ks("pool"),
                addresses: k(vec![BackendAddress {
                    fqdn: ks("fn.azurewebsites.net"),
                    source: rref(&site.res),
                    source_attribute: Some("defaultHostName".into()),
                    span: sp(),
                    ..Default::default()
                }]),
                span: sp(),
            }]),
            settings: k(vec![BackendSettings {
                name: ks("s"),
                protocol: ks("Https"),
                port: k(443),
                pick_host_name: k(true),
                span: sp(),
                ..Default::default()
            }]),
            rules: k(vec![RoutingRule {
                name: ks("r"),
                rule_type: ks("Basic"),
                priority: k(100),
                listener: SubRef::named(ks("l")),
                pool: SubRef::named(ks("pool")),
                settings: SubRef::named(ks("s")),
                span: sp(),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let mut m = Model::new();
        m.gateways.push(gw);
        m.vnets.push(vnet);
        m.subnets.push(subnet);
        m.sites.push(site);
        m.public_ips.push(pip);
        m.reindex();
        m
    }

    /// Attaches an NSG with these rules to the gateway subnet.
    pub fn with_nsg(mut m: Model, rules: Vec<SecurityRule>) -> Model {
        let nsg = NetworkSecurityGroup {
            res: res("Microsoft.Network/networkSecurityGroups", "agw-nsg"),
            rules: k(rules),
        };
        m.subnets[0].nsg = rref(&nsg.res);
        m.nsgs.push(nsg);
        m.reindex();
        m
    }

    /// Makes the gateway private-only.
    pub fn private_only(mut m: Model) -> Model {
        if let Some(fes) = match &mut m.gateways[0].frontend_ips.state {
            Lattice::Known(v) => Some(v),
            _ => None,
        } {
            for fe in fes {
                fe.public_ip = Val::absent();
                fe.private_ip = ks("10.0.0.10");
            }
        }
        m
    }

    /// Adds a private endpoint of the site in a new subnet `pe-subnet` of `vnet_name` (created
    /// when it is not `vnet`).
    pub fn with_pe(mut m: Model, vnet_name: &str) -> Model {
        if vnet_name != "vnet" {
            m.vnets.push(VirtualNetwork {
                res: res("Microsoft.Network/virtualNetworks", vnet_name),
                peerings: k(vec![]),
                ..Default::default()
            });
        }
        let vkey = ResourceKey::arm(UnitId(0), "Microsoft.Network/virtualNetworks", vnet_name);
        let subnet = Subnet {
            res: res(
                "Microsoft.Network/virtualNetworks/subnets",
                &format!("{vnet_name}/pe-subnet"),
            ),
            vnet: k(vkey),
            prefixes: kl(&["10.9.1.0/24"]),
            ..Default::default()
        };
        let pe = PrivateEndpoint {
            res: res("Microsoft.Network/privateEndpoints", "fn-pe"),
            subnet: rref(&subnet.res),
            connections: k(vec![PrivateLinkConnection {
                target: rref(&m.sites[0].res),
                group_ids: kl(&["sites"]),
                span: sp(),
            }]),
            dns_zones: k(vec![]),
        };
        m.subnets.push(subnet);
        m.private_endpoints.push(pe);
        m.reindex();
        m
    }

    /// Adds `privatelink.azurewebsites.net` linked to `vnet`.
    pub fn with_zone(mut m: Model) -> Model {
        let vnet = rref(&m.vnets[0].res);
        m.dns_zones.push(PrivateDnsZone {
            res: res(
                "Microsoft.Network/privateDnsZones",
                "privatelink.azurewebsites.net",
            ),
            links: k(vec![DnsZoneLink {
                name: ks("link"),
                vnet,
                span: sp(),
            }]),
            a_records: k(vec![]),
        });
        m.reindex();
        m
    }

    /// Runs a rule.
    pub fn run(rule: &dyn Rule, m: &Model, assume: Assumptions) -> Vec<Finding> {
        let mut cx = RuleCx::new(rule.meta(), None, assume);
        rule.check(m, &mut cx);
        cx.finish().0
    }
}
