//! AGW026 duplicate-listener: two listeners on the same frontend IP and port that both accept
//! every host (basic listeners) or share a host name; or one listener with both `hostName` and
//! `hostNames`, or more than five `hostNames`. The deployment fails.

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::{SubLookup, find_named};
use crate::model::{Gateway, Listener, Model};

/// See the module docs.
pub struct DuplicateListener;

static META: RuleMeta = RuleMeta {
    id: "AGW026",
    name: "duplicate-listener",
    severity: Severity::Error,
    summary: "Two listeners share frontend IP and port with no or overlapping host names, or a listener sets hostName and hostNames or more than five hostNames",
    page: include_str!("../../rules/AGW026.md"),
};

impl Rule for DuplicateListener {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            let ls: Vec<&Listener> = gw.listeners.iter().collect();
            for l in &ls {
                check_host_fields(gw, l, cx);
            }
            for (i, a) in ls.iter().enumerate() {
                for b in &ls[i + 1..] {
                    check_pair(gw, a, b, cx);
                }
            }
        }
    }
}

fn lname(l: &Listener) -> String {
    l.name.display_name()
}

/// The listener's host names, lower-cased; `None` when one is Unknown.
fn hosts(l: &Listener) -> Option<Vec<String>> {
    let mut out = Vec::new();
    if let Some(h) = l.host_name.decidable()?
        && !h.trim().is_empty()
    {
        out.push(h.trim().to_ascii_lowercase());
    }
    for h in l.host_names.items()? {
        let s = h.get()?;
        if !s.trim().is_empty() {
            out.push(s.trim().to_ascii_lowercase());
        }
    }
    Some(out)
}

/// Whether two listeners use the same frontend port: the same name, or ports with the same
/// Known number. `None` when unknowable.
fn same_port(gw: &Gateway, a: &Listener, b: &Listener) -> Option<bool> {
    let (na, nb) = (a.frontend_port.name.get()?, b.frontend_port.name.get()?);
    if na.eq_ignore_ascii_case(nb) {
        return Some(true);
    }
    let num = |l: &Listener| match find_named(&gw.frontend_ports, &l.frontend_port, |p| &p.name) {
        SubLookup::Found(p) => p.port.get().copied().ok_or(()),
        _ => Err(()),
    };
    match (num(a), num(b)) {
        (Ok(x), Ok(y)) => Some(x == y),
        _ => None,
    }
}

fn check_pair(gw: &Gateway, a: &Listener, b: &Listener, cx: &mut RuleCx<'_>) {
    let (Some(fa), Some(fb)) = (a.frontend_ip.name.get(), b.frontend_ip.name.get()) else {
        cx.skip(
            &gw.res,
            super::path("httpListeners", &a.name, "frontendIPConfiguration"),
            if a.frontend_ip.name.is_unknown() {
                &a.frontend_ip.name
            } else {
                &b.frontend_ip.name
            },
        );
        return;
    };
    if !fa.eq_ignore_ascii_case(fb) {
        return;
    }
    match same_port(gw, a, b) {
        Some(true) => {}
        Some(false) => return,
        None => {
            cx.skip_at(
                &gw.res,
                super::path("httpListeners", &a.name, "frontendPort"),
                Some(a.span),
            );
            return;
        }
    }
    let (Some(ha), Some(hb)) = (hosts(a), hosts(b)) else {
        cx.skip_at(
            &gw.res,
            super::path("httpListeners", &a.name, "hostNames"),
            Some(a.span),
        );
        return;
    };
    let why = if ha.is_empty() && hb.is_empty() {
        "both are basic listeners (no host name)".to_string()
    } else if let Some(h) = ha.iter().find(|h| hb.contains(h)) {
        format!("both accept host \"{h}\"")
    } else {
        return;
    };
    let d = gw.res.dialect;
    let (an, bn) = (lname(a), lname(b));
    let gname = gw.res.display_name();
    let primary = b.frontend_port.name.span_or(b.span);
    let other = a.frontend_port.name.span_or(a.span);
    let mut f = cx
        .finding(
            format!(
                "listener \"{bn}\" of gateway \"{gname}\" uses the same frontend IP and port as \
                 listener \"{an}\" and {why}"
            ),
            primary,
        )
        .label("the deployment fails with ApplicationGatewayHttpListenersUsingSameFrontendPort");
    // Instances of one `dynamic` block share their spans; a second label there adds nothing.
    if other != primary {
        f = f.related(
            other,
            format!("listener \"{an}\" uses the same frontend port"),
        );
    }
    let f = f
        .help(format!(
            "give the listeners distinct `{}` values (multi-site), or use different frontend ports",
            d.prop("hostNames", "host_names")
        ))
        .resource(&gw.res)
        .property(format!("httpListeners[{bn}].frontendPort"));
    cx.emit(f);
}

fn check_host_fields(gw: &Gateway, l: &Listener, cx: &mut RuleCx<'_>) {
    let d = gw.res.dialect;
    let name = lname(l);
    let gname = gw.res.display_name();
    let single = l.host_name.get().is_some_and(|h| !h.trim().is_empty());
    let multi = l.host_names.items().map(<[_]>::len);
    if single && multi.is_some_and(|n| n > 0) {
        let f = cx
            .finding(
                format!(
                    "listener \"{name}\" of gateway \"{gname}\" sets both `{}` and `{}`",
                    d.prop("hostName", "host_name"),
                    d.prop("hostNames", "host_names")
                ),
                l.host_names.span_or(l.span),
            )
            .label("only one of them may be set")
            .related(l.host_name.span_or(l.span), "single host name set here")
            .help(format!(
                "move the host name into `{}` and remove `{}`",
                d.prop("hostNames", "host_names"),
                d.prop("hostName", "host_name")
            ))
            .resource(&gw.res)
            .property(format!("httpListeners[{name}].hostNames"));
        cx.emit(f);
    }
    if let Some(n) = multi.filter(|n| *n > 5) {
        let f = cx
            .finding(
                format!("listener \"{name}\" of gateway \"{gname}\" has {n} host names; at most 5 are allowed"),
                l.host_names.span_or(l.span),
            )
            .label("more than 5 host names")
            .help("split the host names over several listeners, or use a wildcard host name")
            .resource(&gw.res)
            .property(format!("httpListeners[{name}].hostNames"));
        cx.emit(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, FrontendPort};
    use crate::rules::testkit::*;

    fn listener(name: &str, port: &str, hosts: &[&str]) -> Listener {
        Listener {
            name: ks(name),
            frontend_ip: named("fe"),
            frontend_port: named(port),
            protocol: ks("Http"),
            host_names: k(hosts.iter().map(|h| ks(h)).collect()),
            span: sp(),
            ..Default::default()
        }
    }

    fn setup(ls: Vec<Listener>) -> Model {
        let mut gw = gateway(Dialect::Arm);
        gw.frontend_ports = k(vec![
            FrontendPort {
                name: ks("p80"),
                port: k(80),
                span: sp(),
            },
            FrontendPort {
                name: ks("p80b"),
                port: k(80),
                span: sp(),
            },
            FrontendPort {
                name: ks("p443"),
                port: k(443),
                span: sp(),
            },
        ]);
        gw.listeners = k(ls);
        model(gw, vec![])
    }

    #[test]
    fn basic_listeners_on_same_port() {
        let f = run(
            &DuplicateListener,
            &setup(vec![listener("a", "p80", &[]), listener("b", "P80", &[])]),
        );
        assert_eq!(f.len(), 1);
        let f = run(
            &DuplicateListener,
            &setup(vec![listener("a", "p80", &[]), listener("b", "p80b", &[])]),
        );
        assert_eq!(f.len(), 1);
        assert!(
            run(
                &DuplicateListener,
                &setup(vec![listener("a", "p80", &[]), listener("b", "p443", &[])])
            )
            .is_empty()
        );
    }

    #[test]
    fn host_overlap_and_distinct_hosts() {
        let f = run(
            &DuplicateListener,
            &setup(vec![
                listener("a", "p80", &["x.contoso.com"]),
                listener("b", "p80", &["X.contoso.com", "y.contoso.com"]),
            ]),
        );
        assert_eq!(f.len(), 1);
        assert!(
            run(
                &DuplicateListener,
                &setup(vec![
                    listener("a", "p80", &["x.contoso.com"]),
                    listener("b", "p80", &[])
                ])
            )
            .is_empty()
        );
        let mut u = listener("b", "p80", &[]);
        u.host_names = unk();
        assert!(
            run(
                &DuplicateListener,
                &setup(vec![listener("a", "p80", &[]), u])
            )
            .is_empty()
        );
    }

    #[test]
    fn host_fields() {
        let mut l = listener("a", "p80", &["x.contoso.com"]);
        l.host_name = ks("y.contoso.com");
        assert_eq!(run(&DuplicateListener, &setup(vec![l])).len(), 1);
        let l = listener("a", "p80", &["a", "b", "c", "d", "e", "f"]);
        assert_eq!(run(&DuplicateListener, &setup(vec![l])).len(), 1);
    }
}
