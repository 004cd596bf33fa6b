//! AGW021 probe-unreferenced: a custom probe that no backend settings entry names. The author
//! meant a custom host or path, but the default probe (`/`, 127.0.0.1 or the settings host) runs
//! instead and may mark the backend Unhealthy.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::SubLookup;
use crate::model::query_gateway::settings_using_probe;
use crate::model::{Gateway, Model, Probe};

/// See the module docs.
pub struct ProbeUnreferenced;

static META: RuleMeta = RuleMeta {
    id: "AGW021",
    name: "probe-unreferenced",
    severity: Severity::Info,
    summary: "A custom probe is not referenced by any backend settings, so the default probe runs instead",
    page: include_str!("../../rules/AGW021.md"),
};

impl Rule for ProbeUnreferenced {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            // A settings entry naming a probe that does not exist (AGW023) most likely meant one
            // of these; the typo is the finding, not the orphaned probe.
            if gw
                .settings
                .iter()
                .any(|s| matches!(gw.probe(&s.probe), SubLookup::Missing))
            {
                continue;
            }
            for p in gw.probes.iter() {
                check_probe(gw, p, cx);
            }
        }
    }
}

fn check_probe(gw: &Gateway, p: &Probe, cx: &mut RuleCx<'_>) {
    let Some(pname) = p.name.get() else {
        cx.skip(&gw.res, "probes.name", &p.name);
        return;
    };
    // Tcp/Tls probes serve layer-4 `backendSettingsCollection` entries, which the model does
    // not hold: whether one uses the probe is unknown here.
    if p.protocol
        .get()
        .is_some_and(|x| x.eq_ignore_ascii_case("Tcp") || x.eq_ignore_ascii_case("Tls"))
    {
        cx.skip_at(
            &gw.res,
            format!("probes[{pname}] (layer-4 backendSettingsCollection)"),
            Some(p.span),
        );
        return;
    }
    let (users, complete) = settings_using_probe(gw, p);
    if !users.is_empty() {
        return;
    }
    if !complete {
        cx.skip_at(&gw.res, format!("probes[{pname}]"), Some(p.span));
        return;
    }
    let d = gw.res.dialect;
    let gname = gw.res.display_name();
    let probe_prop = d.prop("probe.id", "probe_name");
    let f = cx
        .finding(
            format!(
                "probe \"{pname}\" of gateway \"{gname}\" is not used by any backend settings; \
                 the default probe runs instead"
            ),
            p.name.span_or(p.span),
        )
        .label(format!(
            "no backend settings name this probe in `{probe_prop}`"
        ))
        .help(format!(
            "reference the probe from the backend settings through `{probe_prop}` (a probe's own \
             `backendHttpSettings` list is read-only and does not attach it), or remove it"
        ))
        .resource(&gw.res)
        .property(format!("probes[{pname}]"));
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dialect;
    use crate::rules::testkit::*;

    fn setup(probe_ref: Option<crate::model::SubRef>) -> Model {
        let mut gw = gateway(Dialect::Arm);
        let mut s = settings("s", "Https", 443, true);
        if let Some(r) = probe_ref {
            s.probe = r;
        }
        gw.settings = k(vec![s]);
        gw.probes = k(vec![Probe {
            name: ks("probe"),
            protocol: ks("Https"),
            span: sp(),
            ..Default::default()
        }]);
        model(gw, vec![])
    }

    #[test]
    fn unreferenced_probe_is_info() {
        let f = run(&ProbeUnreferenced, &setup(None));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(run(&ProbeUnreferenced, &setup(Some(named("PROBE")))).is_empty());
        assert!(run(&ProbeUnreferenced, &setup(Some(named("prob")))).is_empty());
        let unknown = crate::model::SubRef::named(unk());
        assert!(run(&ProbeUnreferenced, &setup(Some(unknown))).is_empty());
    }
}
