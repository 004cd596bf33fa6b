//! Web application firewall policies (`azurerm_web_application_firewall_policy`).

use super::conv::*;
use super::{Mapper, ResInst, header};
use crate::frontend::terraform::expand::Node;
use crate::model::*;

impl Mapper {
    /// Maps WAF policies; false when the resource is none of them.
    pub(super) fn add_waf(&mut self, ri: &ResInst) -> bool {
        let n = &ri.node;
        let m = &mut self.model;
        match ri.rtype.as_str() {
            "azurerm_web_application_firewall_policy" => {
                let ps = n.block("policy_settings");
                let get = |f: &dyn Fn(&Node) -> Val<bool>| match &ps {
                    Err(sp) => Val::unknown(Some(*sp)),
                    Ok(None) => Val::absent(),
                    Ok(Some(p)) => f(p),
                };
                let (mode, max_kb, inspect) = match &ps {
                    Err(sp) => (
                        Val::unknown(Some(*sp)),
                        Val::unknown(Some(*sp)),
                        Val::unknown(Some(*sp)),
                    ),
                    Ok(None) => (Val::absent(), Val::absent(), Val::absent()),
                    Ok(Some(p)) => (
                        s(p, "mode"),
                        i(p, "max_request_body_size_in_kb"),
                        i(p, "request_body_inspect_limit_in_kb"),
                    ),
                };
                m.waf_policies.push(WafPolicy {
                    res: header(ri),
                    enabled: get(&|p| flag(p, "enabled")),
                    mode,
                    request_body_check: get(&|p| flag(p, "request_body_check")),
                    max_request_body_kb: max_kb,
                    request_body_inspect_limit_kb: inspect,
                });
            }
            _ => return false,
        }
        true
    }
}
