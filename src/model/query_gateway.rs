//! Shared gateway questions of the AGW002–AGW016 rules, written once: "which probe does these
//! settings use?", "which settings use this probe?", "does this pool reach a Function?", "what
//! plan does the site run on?", "is this text an IP literal?".

use super::query::{Pair, SubLookup, is_app_service_host};
use super::{BackendAddress, BackendPool, BackendSettings, Gateway, KeyValue, Lookup, Model, Plan};
use super::{Probe, Site};

/// The probe a backend settings entry uses.
#[derive(Debug, Clone, Copy)]
pub enum EffectiveProbe<'a> {
    /// A custom probe named by the settings.
    Custom(&'a Probe),
    /// No probe named: the default probe (`<protocol>://127.0.0.1:<port>/`, or the pool host
    /// when the settings pick the host name from the backend address).
    Default,
    /// The probe name is Unknown, or names nothing (AGW023 reports the latter).
    Unknown,
}

/// The probe `settings` use.
pub fn effective_probe<'a>(gw: &'a Gateway, settings: &BackendSettings) -> EffectiveProbe<'a> {
    match gw.probe(&settings.probe) {
        SubLookup::Found(p) => EffectiveProbe::Custom(p),
        SubLookup::Absent => EffectiveProbe::Default,
        SubLookup::Missing | SubLookup::Unknown => EffectiveProbe::Unknown,
    }
}

/// The settings entries that name `probe`, and whether the list is complete (false when some
/// settings collection or probe name is Unknown).
pub fn settings_using_probe<'a>(
    gw: &'a Gateway,
    probe: &Probe,
) -> (Vec<&'a BackendSettings>, bool) {
    let Some(all) = gw.settings.items() else {
        return (Vec::new(), false);
    };
    let mut out = Vec::new();
    let mut complete = true;
    for s in all {
        match gw.probe(&s.probe) {
            SubLookup::Found(p) if std::ptr::eq(p, probe) => out.push(s),
            SubLookup::Unknown => complete = false,
            _ => {}
        }
    }
    (out, complete)
}

/// The routed pairs that use `settings`.
pub fn pairs_of_settings<'a>(gw: &'a Gateway, settings: &BackendSettings) -> Vec<Pair<'a>> {
    gw.pairs()
        .items
        .into_iter()
        .filter(|p| std::ptr::eq(p.settings, settings))
        .collect()
}

/// Each settings entry routed by the gateway once, with the pools it is paired with.
pub fn routed_settings(gw: &Gateway) -> Vec<(&BackendSettings, Vec<&BackendPool>)> {
    let mut out: Vec<(&BackendSettings, Vec<&BackendPool>)> = Vec::new();
    for p in gw.pairs().items {
        match out.iter_mut().find(|(s, _)| std::ptr::eq(*s, p.settings)) {
            Some((_, pools)) => {
                if !pools.iter().any(|x| std::ptr::eq(*x, p.pool)) {
                    pools.push(p.pool);
                }
            }
            None => out.push((p.settings, vec![p.pool])),
        }
    }
    out
}

/// True when `s` is an IPv4 or IPv6 literal.
pub fn is_ip_literal(s: &str) -> bool {
    let t = s.trim().trim_start_matches('[').trim_end_matches(']');
    t.parse::<std::net::IpAddr>().is_ok()
}

/// True when `s` is an IPv4 literal in a private (RFC 1918) range, the kind of address a
/// private endpoint gets.
pub fn is_private_ipv4(s: &str) -> bool {
    s.trim()
        .parse::<std::net::Ipv4Addr>()
        .is_ok_and(|ip| ip.is_private())
}

/// The Function App a pool reaches: `Found` when some address links to a site whose
/// `is_function` is Known true, `Absent` when every address is decided and none does,
/// `Unknown` otherwise.
pub fn function_site_of_pool<'a>(model: &'a Model, pool: &BackendPool) -> Lookup<&'a Site> {
    let Some(addrs) = pool.addresses.items() else {
        return Lookup::Unknown;
    };
    let mut unknown = false;
    for a in addrs {
        match model.site_of_address(a) {
            Lookup::Found(s) => match s.is_function.get() {
                Some(true) => return Lookup::Found(s),
                Some(false) => {}
                None => unknown = true,
            },
            Lookup::Unknown => unknown = true,
            Lookup::Absent => {}
        }
    }
    if unknown {
        Lookup::Unknown
    } else {
        Lookup::Absent
    }
}

/// The plan a site runs on.
pub fn plan_of_site<'a>(model: &'a Model, site: &Site) -> Lookup<&'a Plan> {
    model.plan(&site.plan)
}

/// The hosting model of a plan, as far as request timeouts and cold starts care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// Consumption (`Y1` / tier `Dynamic`): scales to zero, cold starts.
    Consumption,
    /// Flex Consumption (`FC1` / tier `FlexConsumption`).
    FlexConsumption,
    /// Premium, Dedicated, Isolated...
    Other,
}

/// Classifies a plan from its SKU name or tier; `None` when neither is Known.
pub fn plan_kind(plan: &Plan) -> Option<PlanKind> {
    let name = plan.sku_name.get().map(|s| s.to_ascii_lowercase());
    let tier = plan.sku_tier.get().map(|s| s.to_ascii_lowercase());
    if name.is_none() && tier.is_none() {
        return None;
    }
    let is = |n: &str, t: &str| name.as_deref() == Some(n) || tier.as_deref() == Some(t);
    Some(if is("y1", "dynamic") {
        PlanKind::Consumption
    } else if is("fc1", "flexconsumption") {
        PlanKind::FlexConsumption
    } else {
        PlanKind::Other
    })
}

/// The app setting overriding host.json `functionTimeout`, when written.
pub fn function_timeout_setting(site: &Site) -> Option<&KeyValue> {
    site.app_settings.iter().find(|kv| {
        kv.key
            .eq_ignore_ascii_case("AzureFunctionsJobHost__functionTimeout")
    })
}

/// Parses a .NET TimeSpan as host.json writes it (`00:05:00`, `1.00:00:00`, `-1` for
/// unlimited) into seconds; `-1` stays `-1`.
pub fn parse_timespan_seconds(s: &str) -> Option<i64> {
    let t = s.trim();
    if t == "-1" {
        return Some(-1);
    }
    let (days, rest) = match t.split_once('.') {
        Some((d, r)) if r.contains(':') && !d.contains(':') => (d.parse::<i64>().ok()?, r),
        _ => (0, t),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if parts.len() != 3 {
        return None;
    }
    let h = parts[0].parse::<i64>().ok()?;
    let m = parts[1].parse::<i64>().ok()?;
    // Seconds may carry a fraction (`00:00:30.5`); whole seconds are enough here.
    let sec = parts[2].split('.').next()?.parse::<i64>().ok()?;
    if !(0..60).contains(&m) || !(0..60).contains(&sec) || h < 0 || days < 0 {
        return None;
    }
    Some(((days * 24 + h) * 60 + m) * 60 + sec)
}

/// Whether `host` is a name the site answers to: its default host name or a bound custom
/// domain. `None` when unknowable (see [`super::query_site::HostState`]).
pub fn site_answers_to(site: &Site, host: &str) -> Option<bool> {
    super::query_site::host_state(site, host).answers
}

/// Whether a backend address is an App Service *default* domain (`*.azurewebsites.net`
/// written out, or a runtime reference to a site's default host name), whose certificate the
/// gateway trusts without configuration. `None` when unknowable.
pub fn address_is_default_domain(model: &Model, addr: &BackendAddress) -> Option<bool> {
    if let Some(attr) = &addr.source_attribute
        && let Lookup::Found(_) = model.site(&addr.source)
    {
        let a = attr.to_ascii_lowercase();
        // `default_site_hostname`: azurerm 2.x/3.x `azurerm_app_service` and its slot.
        if a.contains("defaulthostname")
            || a.contains("default_hostname")
            || a.contains("default_site_hostname")
        {
            return Some(true);
        }
    }
    if addr.fqdn.known_suffix().is_some_and(is_app_service_host) {
        return Some(true);
    }
    if addr.fqdn.is_known() {
        return Some(false);
    }
    if addr.ip_address.is_known() && addr.fqdn.is_absent() {
        return Some(false);
    }
    None
}

/// True when an address's `ipAddress` (`ip_addresses`) is a runtime reference to a site's host
/// name (`reference(site).defaultHostName` written under `ipAddress`): certainly not an IP.
pub fn ip_field_holds_host_name(addr: &BackendAddress) -> bool {
    if addr.ip_address.is_known() || addr.ip_address.is_absent() || !addr.fqdn.is_absent() {
        return false;
    }
    let Some(key) = addr.source.get() else {
        return false;
    };
    let kind = key.kind.to_ascii_lowercase();
    let site_kind = kind == "microsoft.web/sites"
        || (kind.starts_with("azurerm_")
            && (kind.ends_with("_app")
                || kind.ends_with("_app_slot")
                || kind == "azurerm_app_service"
                || kind == "azurerm_app_service_slot"));
    let attr = addr
        .source_attribute
        .as_deref()
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    site_kind && (attr.contains("hostname") || attr.contains("host_name"))
}

/// The prefix length of an IPv4 CIDR (`10.0.1.0/24` → 24). `None` for IPv6 or malformed text.
pub fn ipv4_prefix_len(cidr: &str) -> Option<u8> {
    let (ip, len) = cidr.trim().split_once('/')?;
    ip.parse::<std::net::Ipv4Addr>().ok()?;
    let n = len.parse::<u8>().ok()?;
    (n <= 32).then_some(n)
}

/// Addresses Azure lets a subnet of this prefix length use (five are reserved).
pub fn usable_addresses(prefix_len: u8) -> i64 {
    let total: i64 = 1i64 << (32 - u32::from(prefix_len.min(32)));
    (total - 5).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan_seconds("00:05:00"), Some(300));
        assert_eq!(parse_timespan_seconds("01:00:30"), Some(3630));
        assert_eq!(parse_timespan_seconds("1.00:00:00"), Some(86400));
        assert_eq!(parse_timespan_seconds("00:00:30.5"), Some(30));
        assert_eq!(parse_timespan_seconds("-1"), Some(-1));
        assert_eq!(parse_timespan_seconds("5 minutes"), None);
        assert_eq!(parse_timespan_seconds("00:75:00"), None);
    }

    #[test]
    fn ip_literals() {
        assert!(is_ip_literal("10.0.0.4"));
        assert!(is_ip_literal("2001:db8::1"));
        assert!(!is_ip_literal("fn.azurewebsites.net"));
        assert!(!is_ip_literal("10.0.0.4:443"));
        assert!(is_private_ipv4("172.16.3.4"));
        assert!(!is_private_ipv4("20.40.1.2"));
    }

    #[test]
    fn custom_domain_vs_unknown_default_host() {
        use crate::model::{HostBinding, Partial, Site, Val};
        let site = Site {
            default_host_name: Val::unknown_partial(
                None,
                Partial {
                    prefix: String::new(),
                    suffix: ".azurewebsites.net".into(),
                    ..Partial::default()
                },
            ),
            host_bindings: Val::known_at(Vec::<HostBinding>::new(), None),
            ..Default::default()
        };
        // A custom domain with no binding in the scan may be bound outside it.
        assert_eq!(site_answers_to(&site, "api.contoso.com"), None);
        assert_eq!(site_answers_to(&site, "fn.azurewebsites.net"), None);
    }

    #[test]
    fn prefixes() {
        assert_eq!(ipv4_prefix_len("10.0.1.0/24"), Some(24));
        assert_eq!(ipv4_prefix_len("10.0.1.0/33"), None);
        assert_eq!(ipv4_prefix_len("fd00::/64"), None);
        assert_eq!(usable_addresses(24), 251);
        assert_eq!(usable_addresses(28), 11);
        assert_eq!(usable_addresses(32), 0);
    }
}
