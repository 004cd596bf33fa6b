//! AGW017 probe-protocol-mismatch: a backend settings entry names a custom probe whose protocol
//! differs from the settings' protocol (or an L4 `Tcp`/`Tls` probe). The probe then talks HTTP
//! to an HTTPS-only backend (or the reverse), the backend turns Unhealthy, 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query_gateway::{EffectiveProbe, effective_probe};
use crate::model::{BackendSettings, Gateway, Model, Probe};

/// See the module docs.
pub struct ProbeProtocolMismatch;

static META: RuleMeta = RuleMeta {
    id: "AGW017",
    name: "probe-protocol-mismatch",
    severity: Severity::Error,
    summary: "A custom probe's protocol differs from the protocol of the backend settings that use it",
    page: include_str!("../../rules/AGW017.md"),
};

impl Rule for ProbeProtocolMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for s in gw.settings.iter() {
                if let EffectiveProbe::Custom(p) = effective_probe(gw, s) {
                    check_pair(gw, s, p, cx);
                }
            }
        }
    }
}

fn check_pair(gw: &Gateway, s: &BackendSettings, p: &Probe, cx: &mut RuleCx<'_>) {
    let (Some(pp), Some(sp)) = (p.protocol.get(), s.protocol.get()) else {
        if p.protocol.is_unknown() || s.protocol.is_unknown() {
            if p.protocol.is_unknown() {
                cx.skip(
                    &gw.res,
                    super::skip::probes(&p.name, "protocol"),
                    &p.protocol,
                )
            } else {
                cx.skip(
                    &gw.res,
                    super::skip::settings(&s.name, "protocol"),
                    &s.protocol,
                )
            };
        }
        return;
    };
    let l4 = ["tcp", "tls"].contains(&pp.to_ascii_lowercase().as_str());
    if pp.eq_ignore_ascii_case(sp) && !l4 {
        return;
    }
    let d = gw.res.dialect;
    let pname = p.name.display_name();
    let sname = s.name.display_name();
    let gname = gw.res.display_name();
    let (msg, label) = if l4 {
        (
            format!(
                "probe \"{pname}\" of gateway \"{gname}\" is a layer-4 `{pp}` probe but is used by \
                 HTTP backend settings \"{sname}\""
            ),
            "Tcp and Tls probes belong to layer-4 backend settings".to_string(),
        )
    } else {
        (
            format!(
                "probe \"{pname}\" of gateway \"{gname}\" uses protocol `{pp}` but backend \
                 settings \"{sname}\" use `{sp}`"
            ),
            format!("the probe must use `{sp}`, like the settings it is attached to"),
        )
    };
    let f = cx
        .finding(msg, p.protocol.span_or(p.span))
        .label(label)
        .related(
            s.protocol.span_or(s.span),
            format!("backend settings \"{sname}\" use `{sp}`"),
        )
        .help(format!(
            "set the probe's `protocol` to `{sp}`, or attach a probe of the right protocol through `{}`",
            d.prop("probe", "probe_name")
        ))
        .origins(&p.protocol)
        .origins(&s.protocol)
        .resource(&gw.res)
        .property(format!("probes[{pname}].protocol"));
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Probe};
    use crate::rules::testkit::*;

    fn setup(probe_proto: crate::model::Val<String>, settings_proto: &str) -> Model {
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool("pool", &["fn.azurewebsites.net"])]);
        let mut s = settings("s", settings_proto, 443, true);
        s.probe = named("PROBE");
        gw.settings = k(vec![s]);
        gw.rules = k(vec![rule("r", "pool", "s")]);
        gw.probes = k(vec![Probe {
            name: ks("probe"),
            protocol: probe_proto,
            path: ks("/"),
            span: sp(),
            ..Default::default()
        }]);
        model(gw, vec![])
    }

    #[test]
    fn mismatch_fires_at_the_probe_protocol() {
        let m = setup(ks("Http"), "Https");
        let f = run(&ProbeProtocolMismatch, &m);
        assert_eq!(f.len(), 1);
        assert_eq!(
            Some(f[0].primary),
            m.gateways[0]
                .probes
                .iter()
                .next()
                .and_then(|p| p.protocol.span)
        );
        assert_eq!(f[0].related.len(), 1);
    }

    #[test]
    fn case_differences_unknowns_and_l4() {
        assert!(run(&ProbeProtocolMismatch, &setup(ks("HTTPS"), "https")).is_empty());
        assert!(run(&ProbeProtocolMismatch, &setup(unk(), "Https")).is_empty());
        let f = run(&ProbeProtocolMismatch, &setup(ks("Tcp"), "Https"));
        assert!(f[0].message.contains("layer-4"));
    }
}
