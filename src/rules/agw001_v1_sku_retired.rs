//! AGW001 v1-sku-retired: Standard / WAF v1 gateways were retired on 28 April 2026.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;
use crate::model::query::{SkuFamily, sku_family_of};

/// See the module docs.
pub struct V1SkuRetired;

static META: RuleMeta = RuleMeta {
    id: "AGW001",
    name: "v1-sku-retired",
    severity: Severity::Error,
    summary: "Gateway uses a Standard/WAF v1 SKU, retired on 28 April 2026",
    page: include_str!("../../rules/AGW001.md"),
};

impl Rule for V1SkuRetired {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let d = gw.res.dialect;
            // The name is the more specific of the two; report the first one that is v1.
            let candidates = [
                (&gw.sku.name, d.prop("sku.name", "sku.name")),
                (&gw.sku.tier, d.prop("sku.tier", "sku.tier")),
            ];
            let hit = candidates
                .iter()
                .find(|(v, _)| v.get().and_then(|s| sku_family_of(s)) == Some(SkuFamily::V1));
            let Some((val, prop)) = hit else {
                if gw.sku.name.is_unknown() && gw.sku.tier.is_unknown() {
                    cx.skip(&gw.res, "sku.name", &gw.sku.name);
                }
                continue;
            };
            let sku = val.get().cloned().unwrap_or_default();
            let f = cx
                .finding(
                    format!(
                        "gateway \"{}\" uses the retired v1 SKU `{sku}` in `{prop}`",
                        gw.res.display_name()
                    ),
                    val.span_or(gw.res.span),
                )
                .label("v1 SKU: stopped since 28 April 2026, and new v1 deployments fail")
                .help(
                    "move to Standard_v2 or WAF_v2 with autoscaleConfiguration, open ports \
                     65200-65535 from GatewayManager on the gateway subnet's NSG, and use \
                     trustedRootCertificates instead of authenticationCertificates",
                )
                .origins(val)
                .resource(&gw.res)
                .property(*prop);
            cx.emit(f);
        }
    }
}
