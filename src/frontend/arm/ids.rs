//! Resource ids: `/subscriptions/.../providers/Microsoft.Network/virtualNetworks/vnet/subnets/sub`
//! (or only the known suffix of one) into a full type and name.

use std::borrow::Cow;

/// A parsed id: full type (`Microsoft.Network/virtualNetworks/subnets`) and full name
/// (`vnet/sub`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedId {
    /// Full resource type.
    pub rtype: String,
    /// Name segments (`["vnet", "sub"]`).
    pub names: Vec<String>,
}

impl ParsedId {
    /// `vnet/sub`.
    pub fn name(&self) -> String {
        self.names.join("/")
    }
}

/// Parses the part after the last `/providers/` of an id (or of the known suffix of an
/// Unknown id). `None` when the text has no complete provider section.
pub fn parse_id(text: &str) -> Option<ParsedId> {
    // The last `/providers/` in any case, found without a lower-cased copy of the id (gateways
    // resolve thousands of sub-resource ids on large scans).
    parse_type_and_names(after_providers(text)?)
}

/// The text after the last `/providers/` (any case), found in place.
fn after_providers(text: &str) -> Option<&str> {
    const P: &[u8] = b"/providers/";
    let b = text.as_bytes();
    // Only where a `/` stands (a window compared at every byte was most of the reading).
    let at = memchr::memrchr_iter(b'/', b).find(|&i| {
        b.get(i..i + P.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(P))
    })?;
    text.get(at + P.len()..)
}

/// The parts of `text` between slashes, as `text.split('/')` gives them, found a byte at a
/// time: the segments of ids are short, and a `memchr` call per segment (the `char` pattern's
/// search) cost more than the search itself.
pub(crate) fn slash_parts(text: &str) -> SlashParts<'_> {
    SlashParts { rest: Some(text) }
}

/// The iterator of [`slash_parts`].
#[derive(Clone)]
pub(crate) struct SlashParts<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for SlashParts<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let r = self.rest?;
        match r.bytes().position(|b| b == b'/') {
            // A `/` is a whole character: both sides are on character boundaries.
            Some(i) => {
                self.rest = r.get(i + 1..);
                r.get(..i)
            }
            None => {
                self.rest = None;
                Some(r)
            }
        }
    }
}

/// Parses `Namespace/type/name[/type/name...]`.
pub fn parse_type_and_names(rest: &str) -> Option<ParsedId> {
    let rest = rest.trim_end_matches('/');
    let n = slash_parts(rest).count();
    if n < 3 || n.is_multiple_of(2) || slash_parts(rest).any(str::is_empty) {
        return None;
    }
    let mut segs = slash_parts(rest);
    let mut rtype = String::with_capacity(rest.len());
    rtype.push_str(segs.next()?);
    let mut names = Vec::with_capacity(n / 2);
    while let (Some(ty), Some(name)) = (segs.next(), segs.next()) {
        rtype.push('/');
        rtype.push_str(ty);
        names.push(name.to_string());
    }
    Some(ParsedId { rtype, names })
}

/// Gateway sub-resource collections (for ids known only by their tail `/<coll>/<name>`).
pub const GATEWAY_COLLECTIONS: &[&str] = &[
    "gatewayIPConfigurations",
    "frontendIPConfigurations",
    "frontendPorts",
    "sslCertificates",
    "trustedRootCertificates",
    "trustedClientCertificates",
    "authenticationCertificates",
    "backendAddressPools",
    "backendHttpSettingsCollection",
    "httpListeners",
    "probes",
    "requestRoutingRules",
    "urlPathMaps",
    "redirectConfigurations",
    "rewriteRuleSets",
    "sslProfiles",
    "privateLinkConfigurations",
    "backendSettingsCollection",
    "listeners",
    "routingRules",
];

/// What an id says about a gateway sub-resource; borrowed from the id but for another
/// resource's type and name (gateways resolve thousands of sub-resource ids on large scans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GwSubId<'a> {
    /// The gateway name, when the id shows it.
    pub gateway: Option<&'a str>,
    /// The collection segment.
    pub collection: Cow<'a, str>,
    /// The sub-resource name.
    pub name: Cow<'a, str>,
}

/// Reads a gateway sub-resource id (`.../applicationGateways/gw/backendAddressPools/p` or the
/// tail `/backendAddressPools/p`). `None` when the text shows neither shape.
pub fn parse_gw_sub(text: &str) -> Option<GwSubId<'_>> {
    if let Some(rest) = after_providers(text) {
        let rest = rest.trim_end_matches('/');
        let mut segs = slash_parts(rest);
        let five: [Option<&str>; 6] = std::array::from_fn(|_| segs.next());
        match five {
            // `Microsoft.Network/applicationGateways/<gw>/<collection>/<name>`
            [Some(ns), Some(ty), Some(gw), Some(coll), Some(name), None]
                if [ns, ty, gw, coll, name].iter().all(|s| !s.is_empty()) =>
            {
                if ns.eq_ignore_ascii_case("Microsoft.Network")
                    && ty.eq_ignore_ascii_case("applicationGateways")
                {
                    return Some(GwSubId {
                        gateway: Some(gw),
                        collection: Cow::Borrowed(coll),
                        name: Cow::Borrowed(name),
                    });
                }
                // Another resource's child with a two-part name: read as a tail below.
            }
            _ => {
                if let Some(p) = parse_type_and_names(rest) {
                    // Some other resource entirely: report its type as the collection.
                    let name = p.name();
                    return Some(GwSubId {
                        gateway: None,
                        collection: Cow::Owned(p.rtype),
                        name: Cow::Owned(name),
                    });
                }
            }
        }
    }
    // Only a tail: `<anything>/<collection>/<name>`.
    let mut segs = text.trim_end_matches('/').rsplitn(3, '/');
    let (Some(name), Some(coll)) = (segs.next(), segs.next()) else {
        return None;
    };
    if name.is_empty()
        || !GATEWAY_COLLECTIONS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(coll))
    {
        return None;
    }
    // `.../applicationGateways/<gw>/<coll>/<name>` without `/providers/` prefix.
    let gateway = segs.next().and_then(|head| {
        let mut hs = head.rsplitn(3, '/');
        match (hs.next(), hs.next()) {
            (Some(gw), Some(kind)) if kind.eq_ignore_ascii_case("applicationGateways") => Some(gw),
            _ => None,
        }
    });
    Some(GwSubId {
        gateway,
        collection: Cow::Borrowed(coll),
        name: Cow::Borrowed(name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// True for `Microsoft.Network/applicationGateways/<collection>...` in any case (compared
    /// in place): how `parse_gw_sub` recognised a gateway child type before it read the
    /// segments in place, kept for [`parse_gw_sub_owned`].
    fn is_gateway_child_type(rtype: &str) -> bool {
        const GW: &str = "microsoft.network/applicationgateways/";
        rtype
            .get(..GW.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(GW))
    }

    /// `parse_id` as it was, with a lower-cased copy: the reference for the search in place.
    fn parse_id_lowercased(text: &str) -> Option<ParsedId> {
        let lower = text.to_ascii_lowercase();
        let at = lower.rfind("/providers/")?;
        parse_type_and_names(&text[at + "/providers/".len()..])
    }

    #[test]
    fn the_provider_search_in_place_equals_the_lower_cased_one() {
        let ids = [
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/probes/p",
            "/SUBSCRIPTIONS/x/PROVIDERS/microsoft.network/APPLICATIONGATEWAYS/gw/backendAddressPools/b",
            "/providers/a/providers/Microsoft.Web/sites/s",
            "/providers/providers/x/y",
            "x/pRoViDeRs/Microsoft.Network/virtualNetworks/v/subnets/s/",
            "/providers/",
            "/providers",
            "providers/Microsoft.Network/virtualNetworks/v",
            "/é/providers/Microsoft.Network/applicationGatewaysé/gw/probes/p",
            "/providers/Microsoft.Network/applicationGatewa/gw/probes/p",
            "",
            "/",
            "ü/providers/ü/ü/ü",
        ];
        for id in ids {
            assert_eq!(parse_id(id), parse_id_lowercased(id), "{id}");
            if let Some(p) = parse_id(id) {
                let old = p
                    .rtype
                    .to_ascii_lowercase()
                    .starts_with("microsoft.network/applicationgateways/");
                assert_eq!(is_gateway_child_type(&p.rtype), old, "{id}");
            }
        }
        for rtype in [
            "Microsoft.Network/applicationGateways/probes",
            "MICROSOFT.NETWORK/APPLICATIONGATEWAYS/x",
            "Microsoft.Network/applicationGateways",
            "Microsoft.Network/applicationGatewaysé",
            "Microsoft.Network/applicationGatewayé/x",
            "é",
            "",
        ] {
            let old = rtype
                .to_ascii_lowercase()
                .starts_with("microsoft.network/applicationgateways/");
            assert_eq!(is_gateway_child_type(rtype), old, "{rtype}");
        }
    }

    /// `parse_gw_sub` as it was (owned strings, through `parse_id`): the reference for the
    /// borrowed one.
    fn parse_gw_sub_owned(text: &str) -> Option<(Option<String>, String, String)> {
        if let Some(p) = parse_id(text) {
            if is_gateway_child_type(&p.rtype) && p.names.len() == 2 {
                let coll = p.rtype.rsplit('/').next().unwrap_or_default().to_string();
                return Some((Some(p.names[0].clone()), coll, p.names[1].clone()));
            }
            if p.names.len() != 2 {
                let name = p.name();
                return Some((None, p.rtype, name));
            }
        }
        let segs: Vec<&str> = text.trim_end_matches('/').rsplitn(3, '/').collect();
        if segs.len() >= 2 {
            let (name, coll) = (segs[0], segs[1]);
            if !name.is_empty()
                && GATEWAY_COLLECTIONS
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(coll))
            {
                let gateway = segs.get(2).and_then(|head| {
                    let hs: Vec<&str> = head.rsplitn(3, '/').collect();
                    (hs.len() >= 2 && hs[1].eq_ignore_ascii_case("applicationGateways"))
                        .then(|| hs[0].to_string())
                });
                return Some((gateway, coll.to_string(), name.to_string()));
            }
        }
        None
    }

    #[test]
    fn the_borrowed_gateway_sub_id_reading_equals_the_owned_one() {
        let ids = [
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/probes/p",
            "/providers/MICROSOFT.NETWORK/APPLICATIONGATEWAYS/gw/backendAddressPools/b/",
            "/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/b//",
            "/providers/Microsoft.Network/applicationGateways//backendAddressPools/b",
            "/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools",
            "/providers/Microsoft.Network/applicationGateways/gw/x/y/z/w",
            "/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
            "/providers/Microsoft.Network/virtualNetworks/v/probes/s",
            "/providers/Microsoft.Network/virtualNetworks/v",
            "/providers/Microsoft.Network/networkSecurityGroups/n/securityRules/r/x/y",
            "/providers/Microsoft.Network/applicationGatewaysé/gw/probes/p",
            "/providers/Microsoft.Networké/applicationGateways/gw/probes/p",
            "/providers/a/b/c/d/e/f",
            "/providers/a/b/c/d/e/f/g",
            "/providers/",
            "applicationGateways/agw/Probes/x",
            "x/applicationgateways/agw/PROBES/x/",
            "/probes/x",
            "probes/x",
            "/probes/",
            "/x",
            "x",
            "",
            "/",
            "a/b/c/backendAddressPools/p",
            "[unknown]/backendAddressPools/p",
            "/providers/x/backendAddressPools/p",
        ];
        for id in ids {
            let new = parse_gw_sub(id).map(|g| {
                (
                    g.gateway.map(str::to_string),
                    g.collection.into_owned(),
                    g.name.into_owned(),
                )
            });
            assert_eq!(new, parse_gw_sub_owned(id), "{id}");
        }
    }

    #[test]
    fn slash_parts_are_those_of_split() {
        for text in [
            "",
            "/",
            "//",
            "a",
            "a/",
            "/a",
            "a/b/c",
            "é/ü//x/",
            "/providers/a/b/",
        ] {
            assert_eq!(
                slash_parts(text).collect::<Vec<_>>(),
                text.split('/').collect::<Vec<_>>(),
                "{text}"
            );
        }
    }

    #[test]
    fn full_and_child_ids() {
        let p = parse_id("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sub")
            .unwrap();
        assert_eq!(p.rtype, "Microsoft.Network/virtualNetworks/subnets");
        assert_eq!(p.name(), "vnet/sub");
        assert!(parse_id("/providers/Microsoft.Network/virtualNetworks").is_none());
        let ext = parse_id("/subscriptions/x/providers/Microsoft.Network/applicationGateways/gw/providers/Microsoft.Insights/diagnosticSettings/d").unwrap();
        assert_eq!(ext.rtype, "Microsoft.Insights/diagnosticSettings");
    }

    #[test]
    fn gateway_sub_ids() {
        let g = parse_gw_sub(
            "/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/p1",
        )
        .unwrap();
        assert_eq!(g.gateway, Some("gw"));
        assert_eq!(g.collection, "backendAddressPools");
        assert_eq!(g.name, "p1");
        let t = parse_gw_sub("/probes/x").unwrap();
        assert_eq!(t.gateway, None);
        assert_eq!(t.collection, "probes");
        let t2 = parse_gw_sub("applicationGateways/agw/Probes/x").unwrap();
        assert_eq!(t2.gateway, Some("agw"));
        assert!(parse_gw_sub("/x").is_none());
    }
}
