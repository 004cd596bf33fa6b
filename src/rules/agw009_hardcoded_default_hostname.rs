//! AGW009 hardcoded-default-hostname: `<name>.azurewebsites.net` written out instead of read
//! from the site, where it is wrong: the site has a unique default host name
//! (`<name>-<hash>.<region>.azurewebsites.net`), or no site of that name is deployed with it.

use crate::model::HashMap;

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::query::is_app_service_host;
use crate::model::{Gateway, Lattice, Model, Site, UnitId, Val};
use crate::source::Span;

/// See the module docs.
pub struct HardcodedDefaultHostname;

static META: RuleMeta = RuleMeta {
    id: "AGW009",
    name: "hardcoded-default-hostname",
    severity: Severity::Warning,
    summary: "App Service default host name is hard-coded and does not match the deployed site",
    page: include_str!("../../rules/AGW009.md"),
};

const SUFFIXES: &[&str] = &[
    ".azurewebsites.net",
    ".azurewebsites.us",
    ".chinacloudsites.cn",
];

/// The `<x>` of `<x>.azurewebsites.net`.
fn app_label(host: &str) -> Option<&str> {
    let h = host.trim_end_matches('.');
    SUFFIXES
        .iter()
        .find_map(|s| {
            let n = h.len().checked_sub(s.len())?;
            (h.is_char_boundary(n) && h[n..].eq_ignore_ascii_case(s)).then(|| &h[..n])
        })
        // A URL or `host:port` is AGW007's finding, not a host name to compare.
        .filter(|x| {
            !x.is_empty()
                && !x.contains(['/', ':', '?', '#', '*'])
                && !x.contains(char::is_whitespace)
        })
}

fn has_unique_hostname(site: &Site) -> Option<bool> {
    match &site.auto_generated_domain_scope.state {
        Lattice::Known(s) => Some(!s.trim().is_empty()),
        Lattice::Absent => Some(false),
        Lattice::Unknown(_) => None,
    }
}

/// One place a host name is written.
/// The sites deployed with one unit (that may exist), in model order.
#[derive(Default)]
struct UnitSites<'a> {
    sites: Vec<&'a Site>,
    /// The first site of each lower-cased Known name.
    by_name: HashMap<String, &'a Site>,
    /// Every site's name, when all are Known.
    names: Option<Vec<&'a String>>,
    /// Every site has a unique default host name.
    all_unique: bool,
}

impl<'a> UnitSites<'a> {
    fn add(&mut self, s: &'a Site) {
        if let Some(n) = s.res.name.get() {
            self.by_name.entry(n.to_ascii_lowercase()).or_insert(s);
        }
        self.sites.push(s);
    }

    fn finish(&mut self) {
        self.names = self.sites.iter().map(|s| s.res.name.get()).collect();
        self.all_unique = self
            .sites
            .iter()
            .all(|s| has_unique_hostname(s) == Some(true));
    }
}

struct Place<'a> {
    val: &'a Val<String>,
    fallback: Span,
    what: String,
    property: String,
}

fn places(gw: &Gateway) -> Vec<Place<'_>> {
    let d = gw.res.dialect;
    let mut out = Vec::new();
    for pool in gw.pools.iter() {
        let pname = pool.name.display_name();
        for a in pool.addresses.iter() {
            // A runtime reference to a site is exactly the fix; only literals are suspect.
            if a.source.is_known() {
                continue;
            }
            out.push(Place {
                val: &a.fqdn,
                fallback: a.span,
                what: format!("`{}` of backend pool \"{pname}\"", d.prop("fqdn", "fqdns")),
                property: format!("backendAddressPools[{pname}].backendAddresses.fqdn"),
            });
        }
    }
    for s in gw.settings.iter() {
        let sname = s.name.display_name();
        out.push(Place {
            val: &s.host_name,
            fallback: s.span,
            what: format!(
                "`{}` of backend settings \"{sname}\"",
                d.prop("hostName", "host_name")
            ),
            property: format!("backendHttpSettingsCollection[{sname}].hostName"),
        });
    }
    for p in gw.probes.iter() {
        let pname = p.name.display_name();
        out.push(Place {
            val: &p.host,
            fallback: p.span,
            what: format!("`host` of probe \"{pname}\""),
            property: format!("probes[{pname}].host"),
        });
    }
    out
}

impl Rule for HardcodedDefaultHostname {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        // The sites deployed with each unit, indexed once: looking them up per gateway by
        // scanning every site of the scan was quadratic in the size of the scan.
        let mut units: HashMap<UnitId, UnitSites<'_>> = HashMap::default();
        for s in model.sites.iter().filter(|s| s.res.may_exist()) {
            units.entry(s.res.key.unit).or_default().add(s);
        }
        for u in units.values_mut() {
            u.finish();
        }
        for gw in &model.gateways {
            let Some(here) = units.get(&gw.res.key.unit) else {
                // The app is deployed elsewhere: nothing to compare with.
                continue;
            };
            let sites = &here.sites;
            for pl in places(gw) {
                let problem = match &pl.val.state {
                    Lattice::Known(h) => {
                        let Some(x) = app_label(h) else { continue };
                        known_label_problem(model, here, h, x)
                    }
                    Lattice::Unknown(p)
                        if is_app_service_host(&p.suffix) && !p.suffix.is_empty() =>
                    {
                        // `<unknown>.azurewebsites.net`: wrong whichever site it names when every
                        // site deployed here has a unique default host name.
                        here.all_unique.then(|| {
                            (
                                "every site deployed with it has a unique default host name"
                                    .to_string(),
                                sites[0]
                                    .auto_generated_domain_scope
                                    .span
                                    .unwrap_or(sites[0].res.span),
                                sites[0].res.display_name(),
                            )
                        })
                    }
                    _ => None,
                };
                let Some((why, other, site_name)) = problem else {
                    continue;
                };
                let text = match pl.val.get() {
                    Some(h) => h.clone(),
                    None => format!("…{}", pl.val.known_suffix().unwrap_or_default()),
                };
                let f = cx
                    .finding(
                        format!(
                            "{} of gateway \"{}\" hard-codes \"{text}\" but {why}",
                            pl.what,
                            gw.res.display_name()
                        ),
                        pl.val.span_or(pl.fallback),
                    )
                    .label("hard-coded App Service host name")
                    .related(other, format!("site \"{site_name}\""))
                    .help(
                        "read the host name from the site: ARM `reference(<site>).defaultHostName` \
                         (Bicep `fn.properties.defaultHostName`), Terraform \
                         `azurerm_linux_function_app.<name>.default_hostname`",
                    )
                    .origins(pl.val)
                    .resource(&gw.res)
                    .property(pl.property);
                cx.emit(f);
            }
        }
    }
}

/// For a Known `<x>.azurewebsites.net`: why it is wrong, the span to show and the site name.
fn known_label_problem(
    model: &Model,
    here: &UnitSites<'_>,
    host: &str,
    x: &str,
) -> Option<(String, Span, String)> {
    let sites = &here.sites;
    if let Some(site) = here.by_name.get(&x.to_ascii_lowercase()) {
        if has_unique_hostname(site) == Some(true) {
            return Some((
                format!(
                    "site \"{}\" has a unique default host name (autoGeneratedDomainNameLabelScope)",
                    site.res.display_name()
                ),
                site.auto_generated_domain_scope
                    .span
                    .unwrap_or(site.res.span),
                site.res.display_name(),
            ));
        }
        return None;
    }
    // A custom domain or a default host name known some other way is fine.
    if model.site_by_host(host).is_some() {
        return None;
    }
    // Only when every site here has a Known name can "no site is named x" be claimed.
    let names = here.names.as_ref()?;
    let xl = x.to_ascii_lowercase();
    // `<app>.scm` (the Kudu endpoint) and other sub-labels are not default host names of a
    // site; `<app>-<slot>` is a deployment slot's host name. Neither is a typo.
    if xl.contains('.')
        || names
            .iter()
            .any(|n| xl.starts_with(&format!("{}-", n.to_ascii_lowercase())))
    {
        return None;
    }
    // A name far from every deployed site is another app, deployed elsewhere: only a near miss
    // of a deployed site's name (a typo) is reported.
    let (idx, near) = names.iter().enumerate().find(|(_, n)| {
        let nl = n.to_ascii_lowercase();
        nl.len() >= 4 && edit_distance(&nl, &xl) <= 2
    })?;
    Some((
        format!("no site named \"{x}\" is deployed with it (did you mean site \"{near}\"?)"),
        sites[idx].res.name.span_or(sites[idx].res.span),
        sites[idx].res.display_name(),
    ))
}

/// Levenshtein distance over bytes (site names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Partial};
    use crate::rules::testkit::*;

    fn setup(fqdn: Val<String>, site: Site) -> Model {
        let mut gw = gateway(Dialect::Arm);
        let mut p = pool("pool", &[]);
        p.addresses = k(vec![crate::model::BackendAddress {
            fqdn,
            span: sp(),
            ..Default::default()
        }]);
        gw.pools = k(vec![p]);
        model(gw, vec![site])
    }

    #[test]
    fn literal_matching_site_passes() {
        let m = setup(ks("fn.azurewebsites.net"), function(Dialect::Arm, "fn"));
        assert!(run(&HardcodedDefaultHostname, &m).is_empty());
    }

    #[test]
    fn literal_for_unique_hostname_site_warns() {
        let mut site = function(Dialect::Arm, "fn");
        site.auto_generated_domain_scope = ks("TenantReuse");
        site.default_host_name = unk();
        let m = setup(ks("FN.azurewebsites.net"), site);
        let f = run(&HardcodedDefaultHostname, &m);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("unique"), "{}", f[0].message);
    }

    #[test]
    fn near_miss_of_a_site_name_warns() {
        let m = setup(
            ks("func-ordrs.azurewebsites.net"),
            function(Dialect::Arm, "func-orders"),
        );
        let f = run(&HardcodedDefaultHostname, &m);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("no site named \"func-ordrs\""));
        assert!(f[0].message.contains("did you mean site \"func-orders\""));
    }

    #[test]
    fn slots_scm_and_other_apps_are_quiet() {
        for host in [
            // Deployment slot `<app>-<slot>` (audit cases 01 and 04).
            "func-orders-staging.azurewebsites.net",
            // Kudu (case 03).
            "func-orders.scm.azurewebsites.net",
            // Another app deployed elsewhere (case 02).
            "legacy-billing-api.azurewebsites.net",
        ] {
            let m = setup(ks(host), function(Dialect::Arm, "func-orders"));
            assert!(run(&HardcodedDefaultHostname, &m).is_empty(), "{host}");
        }
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("scim-fn", "scim-func"), 2);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn no_sites_or_unknown_is_quiet() {
        let mut gw = gateway(Dialect::Arm);
        gw.pools = k(vec![pool("p", &["x.azurewebsites.net"])]);
        assert!(run(&HardcodedDefaultHostname, &model(gw, vec![])).is_empty());
        let partial = Val::unknown_partial(
            Some(sp()),
            Partial {
                prefix: String::new(),
                suffix: ".azurewebsites.net".into(),
                ..Partial::default()
            },
        );
        let m = setup(partial, function(Dialect::Arm, "fn"));
        assert!(run(&HardcodedDefaultHostname, &m).is_empty());
    }
}
