//! AGW018 probe-path-invalid: an HTTP(S) probe whose `path` is missing, empty, does not start
//! with `/`, carries a scheme or host, or contains whitespace. The probe request is malformed or
//! hits the wrong URL, the backend turns Unhealthy, 502.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::{Gateway, Model, Probe};

/// See the module docs.
pub struct ProbePathInvalid;

static META: RuleMeta = RuleMeta {
    id: "AGW018",
    name: "probe-path-invalid",
    severity: Severity::Error,
    summary: "HTTP(S) probe path is missing, empty, does not start with '/', or contains a scheme, host or whitespace",
    page: include_str!("../../rules/AGW018.md"),
};

impl Rule for ProbePathInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for p in gw.probes.iter() {
                check_probe(gw, p, cx);
            }
        }
    }
}

/// What is wrong with a written path, if anything.
fn path_problem(path: &str) -> Option<&'static str> {
    if path.trim().is_empty() {
        Some("is empty")
    } else if path.contains("://") {
        Some("contains a scheme and host; it must be a path only")
    } else if !path.starts_with('/') {
        Some("does not start with `/`")
    } else if path.chars().any(char::is_whitespace) {
        Some("contains whitespace")
    } else {
        None
    }
}

fn check_probe(gw: &Gateway, p: &Probe, cx: &mut RuleCx<'_>) {
    let Some(proto) = p.protocol.get() else {
        if p.protocol.is_unknown() {
            cx.skip(
                &gw.res,
                super::skip::probes(&p.name, "protocol"),
                &p.protocol,
            );
        }
        return;
    };
    if !(proto.eq_ignore_ascii_case("Http") || proto.eq_ignore_ascii_case("Https")) {
        return;
    }
    let problem = match p.path.decidable() {
        None => {
            cx.skip(&gw.res, super::skip::probes(&p.name, "path"), &p.path);
            return;
        }
        Some(None) => "has no path".to_string(),
        Some(Some(path)) => match path_problem(path) {
            Some(why) => format!("has path \"{path}\", which {why}"),
            None => return,
        },
    };
    let pname = p.name.display_name();
    let gname = gw.res.display_name();
    let f = cx
        .finding(
            format!("probe \"{pname}\" of gateway \"{gname}\" {problem}"),
            p.path.span_or(p.span),
        )
        .label("the valid path starts from `/`")
        .help("set `path` to the health endpoint's path, starting with `/` (e.g. `/api/health`)")
        .origins(&p.path)
        .resource(&gw.res)
        .property(format!("probes[{pname}].path"));
    cx.emit(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Val};
    use crate::rules::testkit::*;

    fn with_path(proto: &str, path: Val<String>) -> Model {
        let mut gw = gateway(Dialect::Terraform);
        gw.probes = k(vec![Probe {
            name: ks("probe"),
            protocol: ks(proto),
            path,
            span: sp(),
            ..Default::default()
        }]);
        model(gw, vec![])
    }

    #[test]
    fn invalid_paths() {
        for bad in [
            "api/health",
            "",
            "https://fn.azurewebsites.net/api",
            "/api health",
        ] {
            assert_eq!(
                run(&ProbePathInvalid, &with_path("Https", ks(bad))).len(),
                1,
                "{bad}"
            );
        }
        assert_eq!(
            run(&ProbePathInvalid, &with_path("http", Val::absent())).len(),
            1
        );
    }

    #[test]
    fn valid_unknown_and_l4_are_silent() {
        assert!(
            run(
                &ProbePathInvalid,
                &with_path("Https", ks("/api/health?x=1"))
            )
            .is_empty()
        );
        assert!(run(&ProbePathInvalid, &with_path("Https", unk())).is_empty());
        assert!(run(&ProbePathInvalid, &with_path("Tcp", Val::absent())).is_empty());
    }
}
