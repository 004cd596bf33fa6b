//! AGW046 probe-min-servers: a probe with `minServers` above 0 always marks that many members
//! healthy, even when their probes fail, so the gateway sends traffic to dead backends: 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::Model;

/// See the module docs.
pub struct ProbeMinServers;

static META: RuleMeta = RuleMeta {
    id: "AGW046",
    name: "probe-min-servers",
    severity: Severity::Warning,
    summary: "Probe minServers above 0 keeps failing backends marked healthy",
    page: include_str!("../../rules/AGW046.md"),
};

impl Rule for ProbeMinServers {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let d = gw.res.dialect;
            let prop = d.prop("minServers", "minimum_servers");
            for p in gw.probes.iter() {
                let n = match p.min_servers.decidable() {
                    None => {
                        cx.skip(
                            &gw.res,
                            super::skip::probes(&p.name, "minServers"),
                            &p.min_servers,
                        );
                        continue;
                    }
                    Some(None) => continue,
                    Some(Some(&n)) => n,
                };
                if n <= 0 {
                    continue;
                }
                let pname = p.name.display_name();
                let f = cx
                    .finding(
                        format!(
                            "probe \"{pname}\" of gateway \"{}\" has `{prop}` {n}: that many members stay marked healthy even when their probes fail",
                            gw.res.display_name()
                        ),
                        p.min_servers.span_or(p.span),
                    )
                    .label("traffic keeps going to backends that fail the probe")
                    .help(format!("remove `{prop}` or set it to 0 (the default)"))
                    .origins(&p.min_servers)
                    .resource(&gw.res)
                    .property(format!("probes[{pname}].minServers"));
                cx.emit(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Probe, Val};
    use crate::rules::testkit::*;

    fn setup(min: Val<i64>) -> Model {
        let mut gw = gateway(Dialect::Arm);
        gw.probes = k(vec![Probe {
            name: ks("p"),
            min_servers: min,
            span: sp(),
            ..Default::default()
        }]);
        model(gw, vec![])
    }

    #[test]
    fn above_zero_warns_zero_absent_unknown_pass() {
        let f = run(&ProbeMinServers, &setup(k(1)));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(run(&ProbeMinServers, &setup(k(0))).is_empty());
        assert!(run(&ProbeMinServers, &setup(Val::absent())).is_empty());
        assert!(run(&ProbeMinServers, &setup(unk())).is_empty());
    }
}
