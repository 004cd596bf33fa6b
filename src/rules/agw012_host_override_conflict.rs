//! AGW012 host-override-conflict: backend settings that set `hostName` and also
//! `pickHostNameFromBackendAddress: true`. The azurerm provider fails the plan; in ARM which one
//! wins is unverified.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::{Dialect, Model};

/// See the module docs.
pub struct HostOverrideConflict;

static META: RuleMeta = RuleMeta {
    id: "AGW012",
    name: "host-override-conflict",
    severity: Severity::Error,
    summary: "Backend settings set both hostName and pickHostNameFromBackendAddress",
    page: include_str!("../../rules/AGW012.md"),
};

impl Rule for HostOverrideConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let d = gw.res.dialect;
            for s in gw.settings.iter() {
                let host = match s.host_name.decidable() {
                    None => {
                        cx.skip(
                            &gw.res,
                            super::skip::settings(&s.name, "hostName"),
                            &s.host_name,
                        );
                        continue;
                    }
                    Some(Some(h)) if !h.trim().is_empty() => h,
                    Some(_) => continue,
                };
                match s.pick_host_name.get() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        if s.pick_host_name.is_unknown() {
                            cx.skip(
                                &gw.res,
                                super::skip::settings(&s.name, "pickHostNameFromBackendAddress"),
                                &s.pick_host_name,
                            );
                        }
                        continue;
                    }
                }
                let sname = s.name.display_name();
                let pick_prop = d.prop(
                    "pickHostNameFromBackendAddress",
                    "pick_host_name_from_backend_address",
                );
                let host_prop = d.prop("hostName", "host_name");
                let (sev, label) = match d {
                    Dialect::Terraform => (
                        Severity::Error,
                        "the provider fails the plan: only one of them can be set",
                    ),
                    Dialect::Arm => (
                        Severity::Warning,
                        "which of the two Azure uses is not documented",
                    ),
                };
                let f = cx
                    .finding(
                        format!(
                            "backend settings \"{sname}\" of gateway \"{}\" set both `{host_prop}` (\"{host}\") and `{pick_prop}`",
                            gw.res.display_name()
                        ),
                        s.host_name.span_or(s.span),
                    )
                    .label(label)
                    .related(s.pick_host_name.span_or(s.span), format!("`{pick_prop}` is true"))
                    .help(format!(
                        "keep one: `{pick_prop} = true` to use the pool's host name, or \
                         `{host_prop}` to force a name"
                    ))
                    .severity(sev)
                    .origins(&s.host_name)
                    .resource(&gw.res)
                    .property(format!("backendHttpSettingsCollection[{sname}].hostName"));
                cx.emit(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    fn setup(d: Dialect, pick: bool, host: &str) -> crate::model::Model {
        let mut gw = gateway(d);
        let mut s = settings("s", "Https", 443, pick);
        s.host_name = ks(host);
        gw.settings = k(vec![s]);
        model(gw, vec![])
    }

    #[test]
    fn both_set_is_error_in_terraform_warning_in_arm() {
        let f = run(
            &HostOverrideConflict,
            &setup(Dialect::Terraform, true, "x.azurewebsites.net"),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        let f = run(
            &HostOverrideConflict,
            &setup(Dialect::Arm, true, "x.azurewebsites.net"),
        );
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn one_of_them_or_empty_host_passes() {
        assert!(
            run(
                &HostOverrideConflict,
                &setup(Dialect::Arm, false, "x.azurewebsites.net")
            )
            .is_empty()
        );
        assert!(run(&HostOverrideConflict, &setup(Dialect::Arm, true, "")).is_empty());
        let mut m = setup(Dialect::Arm, true, "x");
        m.gateways[0].settings = k(vec![{
            let mut s = settings("s", "Https", 443, true);
            s.host_name = unk();
            s
        }]);
        assert!(run(&HostOverrideConflict, &m).is_empty());
    }
}
