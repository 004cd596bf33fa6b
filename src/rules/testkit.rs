//! Hand-built models for rule unit tests (the front-ends are tested on their own).
//!
//! Every value gets a distinct span so tests can assert where a finding points.

// Builders are shared by every rule's tests; not every test uses every builder.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use super::{Assumptions, Rule, RuleCx};
use crate::finding::Finding;
use crate::model::*;
use crate::source::{FileId, Span};

static NEXT: AtomicU32 = AtomicU32::new(1);

/// A fresh span.
pub fn sp() -> Span {
    let n = NEXT.fetch_add(10, Ordering::Relaxed) as usize;
    Span::new(FileId(0), n..n + 5)
}

/// A Known value at a fresh span.
pub fn k<T>(v: T) -> Val<T> {
    Val::known(v, sp())
}

/// A Known string.
pub fn ks(v: &str) -> Val<String> {
    k(v.to_string())
}

/// An Unknown value.
pub fn unk<T>() -> Val<T> {
    Val::unknown(Some(sp()))
}

/// A resource header.
pub fn res(dialect: Dialect, kind: &str, name: &str) -> Resource {
    let key = match dialect {
        Dialect::Arm => ResourceKey::arm(UnitId(0), kind, name),
        Dialect::Terraform => ResourceKey::tf(UnitId(0), kind, &format!("{kind}.{name}")),
    };
    Resource {
        key,
        name: ks(name),
        rtype: kind.to_string(),
        label: format!("{kind}/{name}"),
        span: sp(),
        dialect,
        ..Default::default()
    }
}

/// A reference to a resource.
pub fn rref(r: &Resource) -> Ref {
    k(r.key.clone())
}

/// A v2 gateway with a capacity of 2 and nothing else.
pub fn gateway(dialect: Dialect) -> Gateway {
    Gateway {
        res: res(dialect, "Microsoft.Network/applicationGateways", "agw"),
        sku: Sku {
            name: ks("Standard_v2"),
            tier: ks("Standard_v2"),
            capacity: k(2),
            span: Some(sp()),
        },
        ..Default::default()
    }
}

/// A sub-resource reference by name.
pub fn named(n: &str) -> SubRef {
    SubRef::named(ks(n))
}

/// A pool with FQDN addresses.
pub fn pool(name: &str, fqdns: &[&str]) -> BackendPool {
    BackendPool {
        name: ks(name),
        addresses: k(fqdns
            .iter()
            .map(|f| BackendAddress {
                fqdn: ks(f),
                span: sp(),
                ..Default::default()
            })
            .collect()),
        span: sp(),
    }
}

/// A pool with one address linked to a site's default host name.
pub fn pool_to_site(name: &str, site: &Site) -> BackendPool {
    BackendPool {
        name: ks(name),
        addresses: k(vec![BackendAddress {
            fqdn: site.default_host_name.clone(),
            source: rref(&site.res),
            source_attribute: Some("defaultHostName".into()),
            span: sp(),
            ..Default::default()
        }]),
        span: sp(),
    }
}

/// Settings with protocol, port and pickHostNameFromBackendAddress.
pub fn settings(name: &str, protocol: &str, port: i64, pick: bool) -> BackendSettings {
    BackendSettings {
        name: ks(name),
        protocol: ks(protocol),
        port: k(port),
        pick_host_name: k(pick),
        span: sp(),
        ..Default::default()
    }
}

/// A Basic rule joining a pool and settings.
pub fn rule(name: &str, pool: &str, settings: &str) -> RoutingRule {
    RoutingRule {
        name: ks(name),
        rule_type: ks("Basic"),
        priority: k(100),
        pool: named(pool),
        settings: named(settings),
        span: sp(),
        ..Default::default()
    }
}

/// A function app `name` with a Known default host name.
pub fn function(dialect: Dialect, name: &str) -> Site {
    Site {
        res: res(dialect, "Microsoft.Web/sites", name),
        kind: ks("functionapp,linux"),
        is_function: k(true),
        default_host_name: ks(&format!("{name}.azurewebsites.net")),
        host_bindings: k(vec![]),
        ..Default::default()
    }
}

/// A model of one gateway plus the given sites.
pub fn model(gw: Gateway, sites: Vec<Site>) -> Model {
    let mut m = Model::new();
    m.gateways.push(gw);
    m.sites = sites;
    m.reindex();
    m
}

/// Runs one rule with options.
pub fn run_with(rule: &dyn Rule, m: &Model, opts: Option<&serde_json::Value>) -> Vec<Finding> {
    let mut cx = RuleCx::new(rule.meta(), opts, Assumptions::default());
    rule.check(m, &mut cx);
    cx.finish().0
}

/// Runs one rule.
pub fn run(rule: &dyn Rule, m: &Model) -> Vec<Finding> {
    run_with(rule, m, None)
}
