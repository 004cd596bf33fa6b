//! NSG evaluation: a flow against an NSG's rules by ascending priority, first match wins,
//! default rules last, three-valued (a rule field that is Unknown makes the verdict `Uncertain`).

use super::super::{Coll, Dialect, NetworkSecurityGroup, SecurityRule, Val};
use super::address::{ALL_PORTS, Cover, Endpoint, Prefix, covers, parse_ports, parse_prefix};

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
/// (`'a`: the NSG's rules; `'p`: their parsed ports.)
struct View<'a, 'p> {
    decider: Decider<'a>,
    /// `None` = Unknown.
    allow: Option<bool>,
    priority: Option<i64>,
    /// Direction matches: Some(true/false), None = Unknown.
    direction: Option<bool>,
    /// Protocol covers TCP: Full / None; Partial when Unknown.
    proto: Cover,
    src: Cover,
    dst: Cover,
    dst_is_any: bool,
    /// Port ranges; `None` = Unknown or malformed.
    ports: Option<&'p [(u32, u32)]>,
    unknown: bool,
}

/// One rule's prefixes and destination ports, parsed ([`super::super::RulesCache`]): what
/// does not depend on the flow.
#[derive(Debug, Clone)]
pub struct ParsedRule {
    /// Source prefixes: `None` when the list is Unknown; an element `None` when Unknown.
    src: Option<Vec<Option<Prefix>>>,
    /// Destination prefixes, likewise.
    dst: Option<Vec<Option<Prefix>>>,
    /// Port ranges; `None` when Unknown, malformed or an empty list.
    ports: Option<Vec<(u32, u32)>>,
    /// An Unknown list of ports, or an Unknown element.
    ports_unknown: bool,
}

impl ParsedRule {
    fn of(r: &SecurityRule) -> ParsedRule {
        let prefixes = |coll: &Coll<Val<String>>| {
            coll.items().map(|items| {
                items
                    .iter()
                    .map(|v| v.get().map(|s| parse_prefix(s)))
                    .collect()
            })
        };
        let mut ports_unknown = false;
        let ports = match r.destination_ports.items() {
            Some(items) if !items.is_empty() => {
                let mut out = Vec::new();
                let mut ok = true;
                for v in items {
                    match v.get().and_then(|s| parse_ports(s)) {
                        Some(mut p) => out.append(&mut p),
                        None => {
                            ports_unknown |= v.is_unknown();
                            ok = false;
                        }
                    }
                }
                ok.then_some(out)
            }
            Some(_) => None,
            None => {
                ports_unknown = true;
                None
            }
        };
        ParsedRule {
            src: prefixes(&r.source_prefixes),
            dst: prefixes(&r.destination_prefixes),
            ports,
            ports_unknown,
        }
    }
}

/// The parsed rules of `nsg` (`rules` are its Known rules), parsed on first use; parsed
/// again, not from the cache, should the rules no longer be those the cache was made from.
fn parsed<'a>(
    nsg: &'a NetworkSecurityGroup,
    rules: &[SecurityRule],
) -> std::borrow::Cow<'a, [ParsedRule]> {
    let parse = || rules.iter().map(ParsedRule::of).collect::<Vec<_>>();
    let cached = nsg.parsed.0.get_or_init(parse);
    if cached.len() == rules.len() {
        std::borrow::Cow::Borrowed(cached)
    } else {
        std::borrow::Cow::Owned(parse())
    }
}

fn prefix_cover(items: Option<&[Option<Prefix>]>, ep: &Endpoint) -> (Cover, bool, bool) {
    // (cover, unknown, is_any)
    let Some(items) = items else {
        return (Cover::Partial, true, false);
    };
    if items.is_empty() {
        return (Cover::Partial, false, false);
    }
    let mut best = Cover::None;
    let mut unknown = false;
    let mut any = false;
    for p in items {
        match p {
            Some(p) => {
                any |= *p == Prefix::Any;
                best = best.max(covers(p, ep));
            }
            None => {
                unknown = true;
                best = best.max(Cover::Partial);
            }
        }
    }
    (best, unknown, any)
}

/// How a rule's `direction` names the flow's.
fn direction_word(flow: &Flow) -> &'static str {
    match flow.direction {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound",
    }
}

/// A rule `protocol` that covers TCP.
fn carries_tcp(p: &str) -> bool {
    p == "*" || p.eq_ignore_ascii_case("tcp") || p.eq_ignore_ascii_case("any")
}

/// A rule certainly in the other direction, or certainly not TCP: it never matters.
fn certainly_irrelevant(r: &SecurityRule, flow: &Flow) -> bool {
    r.direction
        .get()
        .is_some_and(|d| !d.eq_ignore_ascii_case(direction_word(flow)))
        || r.protocol.get().is_some_and(|p| !carries_tcp(p))
}

fn view<'a, 'p>(r: &'a SecurityRule, parsed: &'p ParsedRule, flow: &Flow) -> View<'a, 'p> {
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
    let direction = r
        .direction
        .get()
        .map(|d| d.eq_ignore_ascii_case(direction_word(flow)));
    unknown |= direction.is_none();
    let (proto, proto_unknown) = match r.protocol.get() {
        Some(p) if carries_tcp(p) => (Cover::Full, false),
        Some(_) => (Cover::None, false),
        None => (Cover::Partial, true),
    };
    unknown |= proto_unknown;
    let (src, su, _) = prefix_cover(parsed.src.as_deref(), &flow.source);
    let (dst, du, dst_is_any) = prefix_cover(parsed.dst.as_deref(), &flow.destination);
    unknown |= su || du || parsed.ports_unknown;
    View {
        decider: Decider::Rule(r),
        allow,
        priority,
        direction,
        proto,
        src,
        dst,
        dst_is_any,
        ports: parsed.ports.as_deref(),
        unknown,
    }
}

/// The prefixes the default rules name, parsed once (every evaluation appends the three
/// default rules of its direction).
struct DefaultPrefixes {
    any: Prefix,
    vnet: Prefix,
    load_balancer: Prefix,
    internet: Prefix,
}

static DEFAULT_PREFIXES: std::sync::LazyLock<DefaultPrefixes> =
    std::sync::LazyLock::new(|| DefaultPrefixes {
        any: parse_prefix("*"),
        vnet: parse_prefix("VirtualNetwork"),
        load_balancer: parse_prefix("AzureLoadBalancer"),
        internet: parse_prefix("Internet"),
    });

fn default_view(
    name: &'static str,
    priority: i64,
    allow: bool,
    (sp, dp): (&Prefix, &Prefix),
    flow: &Flow,
) -> View<'static, 'static> {
    View {
        decider: Decider::Default(name),
        allow: Some(allow),
        priority: Some(priority),
        direction: Some(true),
        proto: Cover::Full,
        src: covers(sp, &flow.source),
        dst: covers(dp, &flow.destination),
        dst_is_any: *dp == Prefix::Any,
        ports: Some(&[ALL_PORTS]),
        unknown: false,
    }
}

fn defaults(flow: &Flow) -> [View<'static, 'static>; 3] {
    let p = &*DEFAULT_PREFIXES;
    match flow.direction {
        Direction::Inbound => [
            default_view("AllowVnetInBound", 65000, true, (&p.vnet, &p.vnet), flow),
            default_view(
                "AllowAzureLoadBalancerInBound",
                65001,
                true,
                (&p.load_balancer, &p.any),
                flow,
            ),
            default_view("DenyAllInBound", 65500, false, (&p.any, &p.any), flow),
        ],
        Direction::Outbound => [
            default_view("AllowVnetOutBound", 65000, true, (&p.vnet, &p.vnet), flow),
            default_view(
                "AllowInternetOutBound",
                65001,
                true,
                (&p.any, &p.internet),
                flow,
            ),
            default_view("DenyAllOutBound", 65500, false, (&p.any, &p.any), flow),
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
    let parsed = parsed(nsg, rules);
    let mut views: Vec<View<'a, '_>> = Vec::with_capacity(rules.len() + 3);
    for (r, p) in rules.iter().zip(parsed.iter()) {
        // Passed over before its prefixes and ports are read.
        if certainly_irrelevant(r, flow) {
            continue;
        }
        views.push(view(r, p, flow));
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
        for &(a, b) in v.ports.into_iter().flatten() {
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
fn decide<'a>(views: &[View<'a, '_>], flow: &Flow, port: u32) -> Step<'a> {
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
