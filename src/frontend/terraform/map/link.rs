//! Links resolved after every resource is mapped: children onto their parents, associations
//! onto subnets, ingress controllers onto gateways.

use super::gateway::{AGIC_MANAGED, forget};
use super::{Assoc, Mapper, Target};
use crate::model::*;

impl Mapper {
    /// Resolves the links between resources and rebuilds the index.
    pub fn finish(mut self) -> Model {
        let p = std::mem::take(&mut self.pending);
        let m = &mut self.model;
        m.reindex();
        // Resolves a child's parent among `keys` (by key) or `names` (by Known name).
        fn pick(t: &Target, keys: &[ResourceKey], names: &[Option<String>]) -> Option<Vec<usize>> {
            match t {
                Target::Key(k) => Some(keys.iter().position(|x| x == k).into_iter().collect()),
                Target::Name(nm) => Some(
                    names
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| n.as_deref() == Some(nm.as_str()))
                        .map(|(i, _)| i)
                        .collect(),
                ),
                Target::Unknown => None,
            }
        }
        macro_rules! merge {
            ($list:expr, $field:ident, $coll:ident) => {{
                let keys: Vec<ResourceKey> = m.$field.iter().map(|x| x.res.key.clone()).collect();
                let names: Vec<Option<String>> =
                    m.$field.iter().map(|x| x.res.name.get().cloned()).collect();
                for (t, item) in $list {
                    // By name: the parent is certain only when exactly one resource has that
                    // name and no resource's name is Unknown; otherwise every candidate may
                    // get the child, so their collections become Unknown.
                    let (certain, maybe): (Vec<usize>, Vec<usize>) = match &t {
                        Target::Name(nm) => {
                            let exact: Vec<usize> = names
                                .iter()
                                .enumerate()
                                .filter(|(_, n)| n.as_deref() == Some(nm.as_str()))
                                .map(|(i, _)| i)
                                .collect();
                            let unknown: Vec<usize> = names
                                .iter()
                                .enumerate()
                                .filter(|(_, n)| n.is_none())
                                .map(|(i, _)| i)
                                .collect();
                            if exact.len() == 1 && unknown.is_empty() {
                                (exact, Vec::new())
                            } else {
                                (Vec::new(), exact.into_iter().chain(unknown).collect())
                            }
                        }
                        _ => match pick(&t, &keys, &names) {
                            Some(idx) => (idx, Vec::new()),
                            None => (Vec::new(), (0..keys.len()).collect()),
                        },
                    };
                    for ix in certain {
                        if let Some(x) = m.$field.get_mut(ix)
                            && let Lattice::Known(v) = &mut x.$coll.state
                        {
                            v.push(item.clone());
                        }
                    }
                    for ix in maybe {
                        if let Some(x) = m.$field.get_mut(ix) {
                            x.$coll = Val::unknown(x.$coll.span.or(Some(item.span)));
                        }
                    }
                }
            }};
        }
        for (gw, sp) in &p.agic {
            for g in &mut m.gateways {
                let hit = match gw.get() {
                    Some(k) => &g.res.key == k,
                    // An ingress controller on an unknown gateway may manage any of them.
                    None => true,
                };
                if hit {
                    for name in AGIC_MANAGED {
                        forget(g, name, *sp);
                    }
                }
            }
        }
        for (gw, parts, sp) in &p.gw_updates {
            for g in &mut m.gateways {
                let hit = match gw.get() {
                    Some(k) => &g.res.key == k,
                    // A patch of an unknown gateway may patch any of them.
                    None => true,
                };
                if !hit {
                    continue;
                }
                match parts {
                    Some(names) => {
                        for name in names {
                            forget(g, name, *sp);
                        }
                    }
                    None => {
                        for (_, name) in super::gateway::ARM_PARTS {
                            forget(g, name, *sp);
                        }
                    }
                }
            }
        }
        for (vnet, servers) in p.dns_servers {
            for v in &mut m.vnets {
                match vnet.get() {
                    Some(k) if &v.res.key == k => v.dns_servers = servers.clone(),
                    Some(_) => {}
                    // Custom DNS on an unknown network: any of them may have it.
                    None => v.dns_servers = Val::unknown(vnet.span),
                }
            }
        }
        for (site, subnet) in p.swift {
            for st in &mut m.sites {
                match site.get() {
                    Some(k) if &st.res.key == k => st.vnet_subnet = subnet.clone(),
                    Some(_) => {}
                    None if st.vnet_subnet.is_absent() => st.vnet_subnet = Val::unknown(site.span),
                    None => {}
                }
            }
        }
        for (ix, address) in p.member_gateways {
            let key = m
                .gateways
                .iter()
                .find(|g| {
                    g.res.key.name == address && g.res.key.kind == "azurerm_application_gateway"
                })
                .map(|g| g.res.key.clone());
            if let (Some(k), Some(pm)) = (key, m.pool_members.get_mut(ix)) {
                pm.gateway = Val::known_at(k, pm.gateway.span);
            }
        }
        // A member of a Known gateway that has exactly one pool is in that pool, whatever
        // expression selected it.
        for pm in &mut m.pool_members {
            if !pm.pool.is_unknown() {
                continue;
            }
            let Some(k) = pm.gateway.get() else { continue };
            let Some(g) = m.gateways.iter().find(|g| &g.res.key == k) else {
                continue;
            };
            if let Some([only]) = g.pools.get().map(Vec::as_slice)
                && let Some(name) = only.name.get()
            {
                pm.pool = Val::known_at(name.clone(), pm.pool.span);
            }
        }
        if p.has_aks {
            // A gateway deployed next to an AKS cluster with nothing but empty pools is the
            // brown-field pattern of the Helm-installed ingress controller (AGIC), which
            // replaces pools, settings, listeners and rules at runtime.
            let with_members: Vec<ResourceKey> = m
                .pool_members
                .iter()
                .filter_map(|pm| pm.gateway.get().cloned())
                .collect();
            for g in &mut m.gateways {
                if with_members.contains(&g.res.key) {
                    continue;
                }
                let placeholder = g.pools.get().is_some_and(|pools| {
                    pools
                        .iter()
                        .all(|pl| pl.addresses.items().is_some_and(<[_]>::is_empty))
                });
                if placeholder {
                    let sp = g.pools.span.unwrap_or(g.res.span);
                    for name in AGIC_MANAGED {
                        forget(g, name, sp);
                    }
                }
            }
        }
        merge!(p.nsg_rules, nsgs, rules);
        merge!(p.routes, route_tables, routes);
        merge!(p.host_bindings, sites, host_bindings);
        merge!(p.dns_links, dns_zones, links);
        merge!(p.a_records, dns_zones, a_records);
        merge!(p.peerings, vnets, peerings);
        // Subnets naming their VNet by a literal name.
        let vkeys: Vec<(Option<String>, ResourceKey)> = m
            .vnets
            .iter()
            .map(|v| (v.res.name.get().cloned(), v.res.key.clone()))
            .collect();
        for (ix, t) in p.subnet_vnet {
            if let (Target::Name(nm), Some(sn)) = (t, m.subnets.get_mut(ix)) {
                let hits: Vec<&ResourceKey> = vkeys
                    .iter()
                    .filter(|(n, _)| n.as_deref() == Some(nm.as_str()))
                    .map(|(_, k)| k)
                    .collect();
                if let [k] = hits.as_slice() {
                    sn.vnet = Val::known((*k).clone(), sn.res.span);
                }
            }
        }
        // Associations onto subnets.
        for (subnet, kind, target, sp) in p.subnet_assoc {
            let apply = |sn: &mut Subnet, t: Ref| match kind {
                Assoc::Nsg => {
                    sn.nsg = t;
                    sn.nsg_span = Some(sp);
                }
                Assoc::RouteTable => {
                    sn.route_table = t;
                    sn.route_table_span = Some(sp);
                }
                Assoc::Nat => sn.nat_gateway = t,
            };
            match subnet.get() {
                Some(k) => {
                    if let Some(sn) = m.subnets.iter_mut().find(|x| &x.res.key == k) {
                        apply(sn, target.clone());
                    }
                }
                None => {
                    for sn in &mut m.subnets {
                        let cur = match kind {
                            Assoc::Nsg => &sn.nsg,
                            Assoc::RouteTable => &sn.route_table,
                            Assoc::Nat => &sn.nat_gateway,
                        };
                        if cur.is_absent() {
                            apply(sn, Val::unknown(Some(sp)));
                        }
                    }
                }
            }
        }
        m.reindex();
        self.model
    }
}
