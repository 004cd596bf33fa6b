//! Diagnostic settings (`azurerm_monitor_diagnostic_setting`).

use super::conv::*;
use super::{Mapper, ResInst, header};
use crate::frontend::terraform::expand::Node;
use crate::model::*;

impl Mapper {
    /// Maps diagnostic settings; false when the resource is none of them.
    pub(super) fn add_diagnostics(&mut self, ri: &ResInst) -> bool {
        let n = &ri.node;
        let m = &mut self.model;
        match ri.rtype.as_str() {
            "azurerm_monitor_diagnostic_setting" => {
                let mut logs = coll(n.blocks("enabled_log"), diag_log);
                let old = coll(n.blocks("log"), diag_log);
                if logs.is_absent() {
                    logs = old;
                } else if let (Lattice::Known(v), Some(o)) = (&mut logs.state, old.get()) {
                    v.extend(o.iter().cloned());
                } else if old.is_unknown() {
                    logs = old;
                }
                let dests = [
                    "log_analytics_workspace_id",
                    "storage_account_id",
                    "eventhub_authorization_rule_id",
                    "partner_solution_id",
                ];
                let has = dests.iter().any(|k| n.expr(k).is_some());
                m.diagnostic_settings.push(DiagnosticSetting {
                    res: header(ri),
                    target: r(n, "target_resource_id"),
                    logs,
                    has_destination: Val::known(has, ri.header),
                });
            }
            _ => return false,
        }
        true
    }
}

pub(super) fn diag_log(b: &Node) -> DiagnosticLog {
    DiagnosticLog {
        category: s(b, "category"),
        category_group: s(b, "category_group"),
        enabled: flag(b, "enabled"),
        span: b.span,
    }
}
