//! Checks skipped because a value is Unknown: what `--verbose` and the JSON `skipped` list
//! show, so that silence can be explained (which rule, on which resource and property, and the
//! expression that made the value Unknown).

use super::RuleCx;

use crate::model::query_network::gateway_nsg;
use crate::model::{
    Gateway, GatewayIpConfig, Lookup, Model, NetworkSecurityGroup, Ref, Resource, Subnet, Val,
};
use crate::source::{SourceMap, Span};

/// A check a rule did not make because a value it needs is Unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The rule (`AGW010`).
    pub rule: &'static str,
    /// The resource's label (`Microsoft.Network/applicationGateways/agw`).
    pub resource: String,
    /// The property checked, in the rule's words (`backendHttpSettingsCollection[s].hostName`).
    pub property: String,
    /// Why the value is Unknown, when the evaluator recorded it; [`finish`] fills the rest.
    pub reason: Option<String>,
    /// Where the expression that made the value Unknown is written (else the value itself,
    /// else the resource).
    pub at: Span,
    /// True when `reason` quotes the text at `at` ([`explain`]): a skip that moves elsewhere
    /// ([`crate::relocate::apply_skipped`]) is quoted again there.
    pub quoted: bool,
}

impl Skipped {
    /// A skip because `value` is Unknown.
    pub fn of<T>(
        rule: &'static str,
        resource: &Resource,
        property: String,
        value: &Val<T>,
    ) -> Self {
        let cause = value.why();
        Skipped {
            rule,
            resource: resource.label.clone(),
            property,
            reason: cause.map(|c| c.what.clone()),
            at: cause
                .and_then(|c| c.span)
                .or(value.span)
                .unwrap_or(resource.span),
            quoted: false,
        }
    }
}

/// The property path of an element of a named collection, as findings write it:
/// `path("probes", &p.name, "host")` is `probes[probe-1].host` (`?` for an Unknown name).
pub fn path(collection: &str, name: &Val<String>, property: &str) -> String {
    format!("{collection}[{}].{property}", name.as_str().unwrap_or("?"))
}

/// `backendHttpSettingsCollection[name].property`.
pub fn settings(name: &Val<String>, property: &str) -> String {
    path("backendHttpSettingsCollection", name, property)
}

/// `probes[name].property`.
pub fn probes(name: &Val<String>, property: &str) -> String {
    path("probes", name, property)
}

/// The SKU value a gateway's Unknown SKU family comes from: the name when it is Unknown, else
/// the tier.
pub fn sku(gw: &crate::model::Gateway) -> &Val<String> {
    if gw.sku.name.is_unknown() {
        &gw.sku.name
    } else {
        &gw.sku.tier
    }
}

/// What of a gateway's placement a check needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The subnet of its first gateway IP configuration.
    Subnet,
    /// That subnet's network security group.
    Nsg,
    /// That subnet's route table.
    RouteTable,
}

/// Records a check skipped because the gateway's placement (its subnet, or the subnet's NSG or
/// route table) is not known, with the precise reason: the Unknown reference, or the resource
/// it names being outside the scan.
pub fn placement(cx: &mut RuleCx<'_>, model: &Model, gw: &Gateway, part: Part) {
    let prop = match part {
        Part::Subnet => "gatewayIPConfigurations.subnet",
        Part::Nsg => "gatewayIPConfigurations.subnet.networkSecurityGroup",
        Part::RouteTable => "gatewayIPConfigurations.subnet.routeTable",
    };
    let Some(cfgs) = gw.gateway_ip_configs.items() else {
        cx.skip(&gw.res, prop, &gw.gateway_ip_configs);
        return;
    };
    let Some(cfg) = cfgs.first() else {
        cx.skip_at(&gw.res, prop, None);
        return;
    };
    let subnet = match model.subnet(&cfg.subnet) {
        Lookup::Found(s) => s,
        _ => {
            outside(cx, &gw.res, prop, &cfg.subnet, "subnet");
            return;
        }
    };
    match part {
        Part::Subnet => cx.skip_at(&gw.res, prop, cfg.subnet.span),
        Part::Nsg => outside(
            cx,
            &subnet.res,
            "networkSecurityGroup",
            &subnet.nsg,
            "network security group",
        ),
        Part::RouteTable => outside(
            cx,
            &subnet.res,
            "routeTable",
            &subnet.route_table,
            "route table",
        ),
    }
}

/// A reference that did not resolve: Unknown (its own reason), or naming a resource that is
/// not in the scan.
fn outside(cx: &mut RuleCx<'_>, res: &Resource, prop: &str, r: &Ref, what: &str) {
    match r.get() {
        Some(key) => cx.skip_because(
            res,
            prop,
            format!("{what} `{}` is not in the scan", key.name),
            r.span,
        ),
        None => cx.skip(res, prop, r),
    }
}

/// [`gateway_nsg`], recording a [`placement`] skip when it answers Unknown.
pub fn resolved_nsg<'a>(
    cx: &mut RuleCx<'_>,
    model: &'a Model,
    gw: &'a Gateway,
) -> Option<(&'a GatewayIpConfig, &'a Subnet, &'a NetworkSecurityGroup)> {
    match gateway_nsg(model, gw) {
        Ok(v) => Some(v),
        Err(unknown) => {
            if unknown {
                placement(cx, model, gw, Part::Nsg);
            }
            None
        }
    }
}

/// Longest expression text quoted in a reason.
const MAX_QUOTE: usize = 80;

/// Sorts and deduplicates skips (a module linted through two callers skips twice), and gives
/// every skip without a recorded reason the text written at its location: "`var.host` is not
/// known before deployment".
pub fn finish(skipped: &mut Vec<Skipped>, sources: &SourceMap) {
    explain(skipped, sources);
    // By path, position, rule, resource and property, comparing the paths' ranks (a sort
    // keyed by copies of the path, resource and property took 1 % of a 6,000-file scan, on
    // the main thread with every other thread idle). Stable, as the keyed sort was.
    let ranks = sources.path_ranks(skipped.iter().map(|s| s.at.file));
    let by = |a: &Skipped, b: &Skipped| {
        (
            ranks.of(a.at.file),
            a.at.start,
            a.rule,
            &a.resource,
            &a.property,
        )
            .cmp(&(
                ranks.of(b.at.file),
                b.at.start,
                b.rule,
                &b.resource,
                &b.property,
            ))
    };
    crate::sort_stable(skipped, by);
    skipped.dedup_by(|a, b| {
        a.rule == b.rule
            && a.resource == b.resource
            && a.property == b.property
            && a.reason == b.reason
            && ranks.of(a.at.file) == ranks.of(b.at.file)
            && a.at.start == b.at.start
    });
}

/// Gives every skip without a recorded reason the text written at its location (see
/// [`finish`]). A scan calls it as each unit is checked, while the unit's texts are still in
/// memory (at the end they may have to be read from disk again).
pub fn explain(skipped: &mut [Skipped], sources: &SourceMap) {
    for s in skipped.iter_mut() {
        if s.reason.is_none() {
            s.quoted = true;
            // The text the location stands for (a span into Terraform JSON read as native
            // syntax is moved back into the JSON at the end of the scan).
            s.reason = Some(match quote(sources, sources.original(s.at)) {
                Some(q) => format!("`{q}` is not known before deployment"),
                None => "the value is not known before deployment".to_string(),
            });
        }
    }
}

/// The first line of the text at `span`, trimmed and shortened.
fn quote(sources: &SourceMap, span: Span) -> Option<String> {
    let f = sources.get(span.file)?;
    let text = f.text.get(span.range())?;
    let line = text.lines().find(|l| !l.trim().is_empty())?.trim();
    let mut q: String = line.chars().take(MAX_QUOTE).collect();
    if line.chars().count() > MAX_QUOTE || text.trim().lines().count() > 1 {
        q.push('…');
    }
    Some(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Partial, Why};

    #[test]
    fn reasons_come_from_the_value_or_its_text() {
        let sources = SourceMap::new();
        let id = sources.add("t.tf".to_string(), "host = var.host\nname = \"x\"\n");
        let res = Resource {
            label: "azurerm_application_gateway.gw".into(),
            span: Span::new(id, 0..4),
            ..Resource::default()
        };
        let plain: Val<String> = Val::unknown(Some(Span::new(id, 7..15)));
        let why = Why::new(
            "variable `host` has no default",
            Some(Span::new(id, 16..20)),
        );
        let explained: Val<String> =
            Val::unknown_partial(Some(Span::new(id, 7..15)), Partial::because(why));
        let mut v = vec![
            Skipped::of("AGW016", &res, "probe.host".into(), &plain),
            Skipped::of("AGW016", &res, "probe.host".into(), &plain),
            Skipped::of("AGW010", &res, "host_name".into(), &explained),
        ];
        finish(&mut v, &sources);
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(
            v[0].reason.as_deref(),
            Some("`var.host` is not known before deployment")
        );
        assert_eq!(
            v[1].reason.as_deref(),
            Some("variable `host` has no default")
        );
        assert_eq!(v[1].at, Span::new(id, 16..20));
    }
}
