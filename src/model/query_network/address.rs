//! Ports, IPv4 networks and NSG address prefixes, and how much of an endpoint (GatewayManager,
//! the internet, the gateway subnet...) a prefix covers.

use super::super::Subnet;

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

/// The private ranges of [`Ipv4Net::is_private`]: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16,
/// 100.64.0.0/10, 127.0.0.0/8 (written out, not parsed at every call: NSG evaluation asks for
/// every CIDR of every rule of every flow).
const PRIVATE_RANGES: [Ipv4Net; 5] = [
    Ipv4Net {
        addr: 10 << 24,
        len: 8,
    },
    Ipv4Net {
        addr: (172 << 24) | (16 << 16),
        len: 12,
    },
    Ipv4Net {
        addr: (192 << 24) | (168 << 16),
        len: 16,
    },
    Ipv4Net {
        addr: (100 << 24) | (64 << 16),
        len: 10,
    },
    Ipv4Net {
        addr: 127 << 24,
        len: 8,
    },
];

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
        PRIVATE_RANGES.iter().any(|p| p.contains(self))
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ipv4_nets() {
        let a = Ipv4Net::parse("10.0.0.0/16").unwrap();
        let b = Ipv4Net::parse("10.0.3.7").unwrap();
        assert!(a.contains(&b));
        assert!(a.is_private());
        assert!(!Ipv4Net::parse("8.8.8.8").unwrap().is_private());
        assert!(Ipv4Net::parse("10.0.0/8").is_none());
        assert!(Ipv4Net::parse("10.0.0.0/33").is_none());
    }

    #[test]
    fn the_private_ranges_are_the_ones_their_comment_names() {
        let written: Vec<Ipv4Net> = [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "127.0.0.0/8",
        ]
        .iter()
        .map(|c| Ipv4Net::parse(c).unwrap())
        .collect();
        assert_eq!(written, PRIVATE_RANGES);
        for (ip, private) in [
            ("172.31.255.255", true),
            ("172.32.0.0", false),
            ("100.127.0.1", true),
            ("100.128.0.1", false),
            ("11.0.0.0", false),
        ] {
            assert_eq!(Ipv4Net::parse(ip).unwrap().is_private(), private, "{ip}");
        }
    }
}
