//! Questions about a site's own code (AGW014, AGW056–AGW058): "which code runs on this site?",
//! "which function does this probe path reach?".

use super::query_gateway::{EffectiveProbe, effective_probe};
use super::query_site::{codes_include, path_only, routed_site_pairs};
use super::{AppSurface, BackendSettings, Gateway, HttpFunction, Model, Probe, Site, Val};
use crate::source::Span;

/// A custom probe of a gateway that reaches a site with linked code.
pub struct ProbeTarget<'a> {
    /// The backend settings.
    pub settings: &'a BackendSettings,
    /// The probe.
    pub probe: &'a Probe,
    /// The site.
    pub site: &'a Site,
    /// Its code.
    pub app: &'a AppSurface,
    /// The probe path (Known).
    pub path: String,
    /// Where the path is written.
    pub path_span: Span,
}

impl ProbeTarget<'_> {
    /// Whether the probe's match codes accept `code` (`None` when Unknown).
    pub fn accepts(&self, code: u16) -> Option<bool> {
        codes_include(&self.probe.match_status_codes, code)
    }
}

/// Every (settings, site) pair of `gw` whose custom probe path is Known and whose site has
/// linked code. The default probe requests `/`, the host's home page, which no function
/// route decides.
pub fn probe_targets<'a>(model: &'a Model, gw: &'a Gateway) -> Vec<ProbeTarget<'a>> {
    let mut out = Vec::new();
    for (s, site, _) in routed_site_pairs(model, gw) {
        let Some(app) = app_of_site(model, site) else {
            continue;
        };
        let EffectiveProbe::Custom(p) = effective_probe(gw, s) else {
            continue;
        };
        let (Some(path), Some(span)) = (p.path.get(), p.path.span) else {
            continue;
        };
        out.push(ProbeTarget {
            settings: s,
            probe: p,
            site,
            app,
            path: path.clone(),
            path_span: span,
        });
    }
    out
}

/// The code linked to `site`, if any.
pub fn app_of_site<'a>(model: &'a Model, site: &Site) -> Option<&'a AppSurface> {
    model.apps.iter().find(|a| a.site == site.res.key)
}

/// `functionTimeout` of the `host.json` of the code linked to `site`, when written.
pub fn host_function_timeout<'a>(model: &'a Model, site: &Site) -> Option<&'a Val<String>> {
    app_of_site(model, site)
        .map(|a| &a.host.function_timeout)
        .filter(|v| !v.is_absent())
}

/// Whether one route template matches a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Certainly matches.
    Yes,
    /// Certainly does not.
    No,
    /// Cannot tell (an Unknown route, a constraint or segment form this linter does not know).
    Maybe,
}

/// What a probe path reaches in an app.
#[derive(Debug, Default)]
pub struct PathHits<'a> {
    /// The path is not one a function route decides: the home page (`/`), the host's own
    /// `admin/` and `runtime/` endpoints, or the route prefix is Unknown.
    pub outside: bool,
    /// Functions whose route certainly matches, most specific first (ASP.NET route
    /// precedence: literal segments before parameters, before catch-alls).
    pub hits: Vec<&'a HttpFunction>,
    /// Some function may match (Unknown route or unsupported template).
    pub maybe: bool,
}

/// The functions of `app` whose route (with the route prefix) matches the probe `path`.
pub fn match_path<'a>(app: &'a AppSurface, path: &str) -> PathHits<'a> {
    let mut out = PathHits::default();
    let segs: Vec<&str> = path_only(path)
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let reserved = segs
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("admin") || s.eq_ignore_ascii_case("runtime"));
    let Some(prefix) = app.host.effective_prefix() else {
        out.outside = true;
        return out;
    };
    if segs.is_empty() || reserved {
        out.outside = true;
        return out;
    }
    let pre: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    if segs.len() < pre.len()
        || !pre
            .iter()
            .zip(&segs)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
    {
        // Outside the prefix: no function route can match.
        return out;
    }
    let rest = &segs[pre.len()..];
    let mut ranked: Vec<(Vec<u8>, &HttpFunction)> = Vec::new();
    for f in &app.functions {
        let Some(route) = f.effective_route() else {
            out.maybe = true;
            continue;
        };
        match match_template(route, rest) {
            (Match::Yes, rank) => ranked.push((rank, f)),
            (Match::Maybe, _) => out.maybe = true,
            (Match::No, _) => {}
        }
    }
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    out.hits = ranked.into_iter().map(|(_, f)| f).collect();
    out
}

/// The most specific hits: those sharing the best precedence of [`match_path`]. Used to pick
/// the function a request is routed to; more than one means the choice is ambiguous.
pub fn best_hits<'a>(app: &'a AppSurface, path: &str) -> Vec<&'a HttpFunction> {
    let segs: Vec<&str> = path_only(path)
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let pre_len = app
        .host
        .effective_prefix()
        .map_or(0, |p| p.split('/').filter(|s| !s.is_empty()).count());
    let rest = segs.get(pre_len..).unwrap_or(&[]);
    let hits = match_path(app, path).hits;
    let ranks: Vec<Vec<u8>> = hits
        .iter()
        .filter_map(|f| f.effective_route().map(|r| match_template(r, rest).1))
        .collect();
    let Some(best) = ranks.first().cloned() else {
        return Vec::new();
    };
    hits.into_iter()
        .zip(ranks)
        .filter(|(_, r)| *r == best)
        .map(|(f, _)| f)
        .collect()
}

/// One template segment.
enum Seg<'t> {
    Literal(&'t str),
    Param {
        optional: bool,
        catch_all: bool,
        constraint: Option<&'t str>,
    },
    /// Mixed literal and parameter text (`file.{ext}`): not modelled.
    Complex,
}

fn parse_seg(s: &str) -> Seg<'_> {
    let Some(inner) = s.strip_prefix('{').and_then(|x| x.strip_suffix('}')) else {
        return if s.contains('{') || s.contains('}') {
            Seg::Complex
        } else {
            Seg::Literal(s)
        };
    };
    if inner.contains('{') || inner.contains('}') {
        return Seg::Complex;
    }
    let catch_all = inner.starts_with('*');
    let body = inner.trim_start_matches('*');
    let (body, has_default) = match body.split_once('=') {
        Some((b, _)) => (b, true),
        None => (body, false),
    };
    let optional = body.ends_with('?') || has_default;
    let body = body.trim_end_matches('?');
    let constraint = body.split_once(':').map(|(_, c)| c);
    Seg::Param {
        optional,
        catch_all,
        constraint,
    }
}

/// Whether a constrained parameter accepts `v`: `None` for a constraint not modelled.
fn constraint_ok(c: &str, v: &str) -> Option<bool> {
    // Several constraints chain with ':'; each must hold.
    let mut all = true;
    for one in c.split(':') {
        let ok = match one.trim().to_ascii_lowercase().as_str() {
            "int" | "long" => {
                let d = v.strip_prefix('-').unwrap_or(v);
                !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
            }
            "alpha" => !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphabetic()),
            "bool" => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
            "guid" => {
                let h: String = v
                    .trim_matches(|c| c == '{' || c == '}')
                    .chars()
                    .filter(|c| *c != '-')
                    .collect();
                h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit())
            }
            _ => return None,
        };
        all &= ok;
    }
    Some(all)
}

/// Matches a route template against path segments (after the prefix). Returns the match and a
/// precedence rank (lower is more specific) per template segment.
pub fn match_template(template: &str, path: &[&str]) -> (Match, Vec<u8>) {
    let segs: Vec<Seg<'_>> = template
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(parse_seg)
        .collect();
    let mut rank = Vec::new();
    let mut maybe = false;
    let mut i = 0;
    for (n, seg) in segs.iter().enumerate() {
        let value = path.get(i).copied();
        match seg {
            Seg::Complex => return (Match::Maybe, rank),
            Seg::Literal(l) => {
                rank.push(0);
                match value {
                    Some(v) if v.eq_ignore_ascii_case(l) => i += 1,
                    _ => return (Match::No, rank),
                }
            }
            Seg::Param {
                catch_all: true, ..
            } => {
                rank.push(4);
                // Takes everything that is left, possibly nothing.
                return (if maybe { Match::Maybe } else { Match::Yes }, rank);
            }
            Seg::Param {
                optional,
                constraint,
                ..
            } => {
                rank.push(match (constraint.is_some(), *optional) {
                    (true, false) => 1,
                    (false, false) => 2,
                    (_, true) => 3,
                });
                match value {
                    None if *optional && n + 1 == segs.len() => {}
                    None => return (Match::No, rank),
                    Some(v) => {
                        match constraint.map(|c| constraint_ok(c, v)) {
                            Some(Some(false)) => return (Match::No, rank),
                            Some(None) => maybe = true,
                            _ => {}
                        }
                        i += 1;
                    }
                }
            }
        }
    }
    if i < path.len() {
        return (Match::No, rank);
    }
    (if maybe { Match::Maybe } else { Match::Yes }, rank)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppLink, AuthLevel, HostSettings, ProgModel, ResourceKey};
    use crate::source::{FileId, Span};

    fn sp() -> Span {
        Span::new(FileId(0), 0..1)
    }

    fn func(name: &str, route: Option<&str>) -> HttpFunction {
        HttpFunction {
            name: Val::known(name.into(), sp()),
            route: route.map_or_else(Val::absent, |r| Val::known(r.into(), sp())),
            auth_level: Val::absent(),
            methods: Val::absent(),
            span: sp(),
            model: ProgModel::FunctionJson,
        }
    }

    fn app(prefix: Option<&str>, fs: Vec<HttpFunction>) -> AppSurface {
        AppSurface {
            site: ResourceKey::default(),
            dir: "src".into(),
            link: AppLink::Single,
            host: HostSettings {
                route_prefix: prefix.map_or_else(Val::absent, |p| Val::known(p.into(), sp())),
                ..Default::default()
            },
            functions: fs,
            complete: true,
        }
    }

    fn names(h: &[&HttpFunction]) -> Vec<String> {
        h.iter().filter_map(|f| f.name.get().cloned()).collect()
    }

    #[test]
    fn templates() {
        assert_eq!(match_template("health", &["Health"]).0, Match::Yes);
        assert_eq!(match_template("health", &["health", "x"]).0, Match::No);
        assert_eq!(
            match_template("items/{id:int}", &["items", "12"]).0,
            Match::Yes
        );
        assert_eq!(
            match_template("items/{id:int}", &["items", "ab"]).0,
            Match::No
        );
        assert_eq!(match_template("items/{id?}", &["items"]).0, Match::Yes);
        assert_eq!(match_template("{*all}", &["a", "b"]).0, Match::Yes);
        assert_eq!(
            match_template("x/{id:regex(^a$)}", &["x", "a"]).0,
            Match::Maybe
        );
        assert_eq!(match_template("f.{ext}", &["f.txt"]).0, Match::Maybe);
    }

    #[test]
    fn prefix_default_and_precedence() {
        let a = app(
            None,
            vec![func("health", None), func("catch", Some("{*rest}"))],
        );
        assert_eq!(
            names(&match_path(&a, "/api/health").hits),
            ["health", "catch"]
        );
        assert_eq!(names(&best_hits(&a, "/api/health")), ["health"]);
        assert!(match_path(&a, "/health").hits.is_empty());
        assert!(match_path(&a, "/").outside);
        assert!(match_path(&a, "/admin/host/status").outside);
        let b = app(Some(""), vec![func("health", None)]);
        assert_eq!(names(&match_path(&b, "/health?x=1").hits), ["health"]);
        let c = app(Some("v1/fn"), vec![func("health", None)]);
        assert_eq!(names(&match_path(&c, "/v1/fn/health").hits), ["health"]);
    }

    #[test]
    fn auth_defaults_per_model() {
        let mut f = func("h", None);
        assert_eq!(f.effective_auth(), Some(AuthLevel::Function));
        f.model = ProgModel::Node;
        assert_eq!(f.effective_auth(), Some(AuthLevel::Anonymous));
        assert_eq!(f.allows("GET"), Some(true));
        assert_eq!(f.allows("DELETE"), Some(false));
        f.auth_level = Val::unknown(None);
        assert_eq!(f.effective_auth(), None);
    }
}
