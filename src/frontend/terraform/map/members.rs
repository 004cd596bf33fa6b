//! What puts backends into a gateway from outside it: NIC and scale set pool memberships, and
//! the AKS ingress controller (AGIC) that manages a gateway.

use super::conv::*;
use super::{Ev, Mapper, ResInst, header};
use crate::frontend::terraform::value::TVal;
use crate::model::*;

impl Mapper {
    /// Maps backend members; false when the resource is none of them.
    pub(super) fn add_members(&mut self, ri: &ResInst) -> bool {
        let n = &ri.node;
        let unit = n.unit();
        let m = &mut self.model;
        match ri.rtype.as_str() {
            "azurerm_network_interface_application_gateway_backend_address_pool_association" => {
                let (gw, pool) = match n.attr("backend_address_pool_id") {
                    Some(e) => pool_member_target(&e, unit),
                    None => (Val::absent(), Val::absent()),
                };
                if gw.is_unknown()
                    && let Some((expr, _)) = n.expr("backend_address_pool_id")
                {
                    // `one(azurerm_application_gateway.gw.backend_address_pool).id` and the like
                    // are Unknown to the evaluator, but they still name the gateway.
                    let mut f = GatewayRefs(Vec::new());
                    hcl::edit::visit::Visit::visit_expr(&mut f, expr);
                    f.0.sort();
                    f.0.dedup();
                    if let [name] = f.0.as_slice() {
                        let prefix = ri
                            .address
                            .rfind(&format!("{}.", ri.rtype))
                            .map_or("", |i| &ri.address[..i]);
                        self.pending.member_gateways.push((
                            m.pool_members.len(),
                            format!("{prefix}azurerm_application_gateway.{name}"),
                        ));
                    }
                }
                m.pool_members.push(PoolMembership {
                    res: header(ri),
                    gateway: gw,
                    pool,
                });
            }
            "azurerm_kubernetes_cluster" => {
                self.pending.has_aks = true;
                for ig in n.blocks("ingress_application_gateway").items {
                    let gw = r(&ig, "gateway_id");
                    if !gw.is_absent() {
                        self.pending.agic.push((gw, ig.span));
                    }
                }
            }
            "azurerm_linux_virtual_machine_scale_set"
            | "azurerm_windows_virtual_machine_scale_set"
            | "azurerm_orchestrated_virtual_machine_scale_set"
            | "azurerm_virtual_machine_scale_set" => {
                let mut nics = n.blocks("network_interface");
                nics.items.extend(n.blocks("network_profile").items);
                let unknown = nics.unknown;
                for nic in nics.items {
                    let cfgs = nic.blocks("ip_configuration");
                    let unknown = unknown.or(cfgs.unknown);
                    for c in cfgs.items {
                        let Some(e) = c.attr("application_gateway_backend_address_pool_ids") else {
                            continue;
                        };
                        match elems(&e) {
                            Some(items) => {
                                for (v, sp) in items {
                                    let ev = Ev {
                                        value: v,
                                        origins: Vec::new(),
                                        span: sp,
                                        elems: Vec::new(),
                                    };
                                    let (gateway, pool) = pool_member_target(&ev, unit);
                                    m.pool_members.push(PoolMembership {
                                        res: header(ri),
                                        gateway,
                                        pool,
                                    });
                                }
                            }
                            None if !e.value.is_null() => m.pool_members.push(PoolMembership {
                                res: header(ri),
                                gateway: Val::unknown(Some(e.span)),
                                pool: Val::unknown(Some(e.span)),
                            }),
                            None => {}
                        }
                    }
                    if let Some(sp) = unknown {
                        // Unknown NIC configurations may add members to any pool.
                        m.pool_members.push(PoolMembership {
                            res: header(ri),
                            gateway: Val::unknown(Some(sp)),
                            pool: Val::unknown(Some(sp)),
                        });
                    }
                }
            }
            _ => return false,
        }
        true
    }
}

/// Names `x` of traversals `azurerm_application_gateway.x...` in an expression.
pub(super) struct GatewayRefs(Vec<String>);

impl hcl::edit::visit::Visit for GatewayRefs {
    fn visit_traversal(&mut self, t: &hcl::edit::expr::Traversal) {
        if let hcl::edit::expr::Expression::Variable(v) = &t.expr
            && v.as_str() == "azurerm_application_gateway"
            && let Some(op) = t.operators.first()
            && let hcl::edit::expr::TraversalOperator::GetAttr(name) = op.value()
        {
            self.0.push(name.as_str().to_string());
        }
        hcl::edit::visit::visit_traversal(self, t);
    }
}

/// `backend_address_pool_id` of a NIC association: the gateway it points into, and the pool
/// name when the reference selects a pool by a Known name (rare); usually Unknown.
pub(super) fn pool_member_target(e: &Ev, unit: UnitId) -> (Ref, Val<String>) {
    match &e.value {
        TVal::Runtime(rt) if rt.rtype == "azurerm_application_gateway" => (
            Val::known(ResourceKey::tf(unit, &rt.rtype, &rt.address), e.span),
            Val::unknown(Some(e.span)),
        ),
        TVal::Null => (Val::absent(), Val::absent()),
        _ => (Val::unknown(Some(e.span)), Val::unknown(Some(e.span))),
    }
}
