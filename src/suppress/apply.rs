//! Applying suppressions to findings, and AGW900 for those that silence nothing.

use std::collections::HashMap;

use super::{AGW900, Directive, directives, syntax_of};
use crate::config::RuleSettings;
use crate::finding::Finding;
use crate::model::{Model, Resource};
use crate::rules;
use crate::source::{FileId, SourceMap, Span};

/// What applying suppressions did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings removed.
    pub suppressed: usize,
    /// One `--verbose` note per suppressed finding, with the reason.
    pub notes: Vec<String>,
}

/// Every resource header of the model.
pub fn resources(model: &Model) -> Vec<&Resource> {
    let mut v: Vec<&Resource> = Vec::new();
    v.extend(model.gateways.iter().map(|r| &r.res));
    v.extend(model.sites.iter().map(|r| &r.res));
    v.extend(model.plans.iter().map(|r| &r.res));
    v.extend(model.vnets.iter().map(|r| &r.res));
    v.extend(model.subnets.iter().map(|r| &r.res));
    v.extend(model.nsgs.iter().map(|r| &r.res));
    v.extend(model.route_tables.iter().map(|r| &r.res));
    v.extend(model.private_endpoints.iter().map(|r| &r.res));
    v.extend(model.dns_zones.iter().map(|r| &r.res));
    v.extend(model.public_ips.iter().map(|r| &r.res));
    v.extend(model.diagnostic_settings.iter().map(|r| &r.res));
    v.extend(model.waf_policies.iter().map(|r| &r.res));
    v.extend(model.nat_gateways.iter().map(|r| &r.res));
    v.extend(model.pool_members.iter().map(|r| &r.res));
    v.extend(model.vnet_gateways.iter().map(|r| &r.res));
    v.extend(model.subnet_users.iter().map(|r| &r.res));
    v
}

struct FileDirectives {
    file: FileId,
    len: usize,
    dirs: Vec<Directive>,
    used: Vec<Vec<bool>>,
}

/// Which suppression covers a finding.
enum Hit {
    Comment(usize, usize, usize),
    Meta(usize, usize),
}

/// Removes suppressed findings and appends AGW900 findings for suppressions that silence
/// nothing (when AGW900 and the named rule are enabled in `settings`).
pub fn apply(
    findings: &mut Vec<Finding>,
    model: &Model,
    sources: &SourceMap,
    settings: &RuleSettings,
) -> Outcome {
    // Each file on the thread pool (a Bicep file that holds Bicep's own `disable-next-line`
    // is lexed again here: 12 % of a scan of the shared corpus, on the main thread with every
    // other thread idle). In file order.
    use rayon::prelude::*;
    let mut files: Vec<FileDirectives> = (0..sources.len())
        .into_par_iter()
        .filter_map(|i| {
            let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
            // As stored: a text dropped from memory has no suppression comment
            // ([`SourceMap::evict`]), so it is not read again here.
            let f = sources.get_stored(id)?;
            let syntax = syntax_of(&f.path)?;
            let dirs = directives(&f, syntax);
            if dirs.is_empty() {
                return None;
            }
            let used = dirs.iter().map(|d| vec![false; d.rules.len()]).collect();
            Some(FileDirectives {
                file: id,
                len: f.text.len(),
                dirs,
                used,
            })
        })
        .collect();
    let res: Vec<&Resource> = resources(model)
        .into_iter()
        .filter(|r| !r.suppressions.is_empty())
        .collect();
    let mut meta_used: Vec<Vec<bool>> = res
        .iter()
        .map(|r| vec![false; r.suppressions.len()])
        .collect();
    if files.is_empty() && res.is_empty() {
        return Outcome::default();
    }
    let by_label: HashMap<&str, Vec<usize>> = res.iter().enumerate().fold(
        HashMap::new(),
        |mut m: HashMap<&str, Vec<usize>>, (i, r)| {
            m.entry(r.label.as_str()).or_default().push(i);
            m
        },
    );

    let file_index: HashMap<FileId, usize> = files
        .iter()
        .enumerate()
        .map(|(i, fd)| (fd.file, i))
        .collect();
    let find_hit = |f: &Finding, files: &[FileDirectives]| -> Option<Hit> {
        if let Some(&fi) = file_index.get(&f.primary.file) {
            let fd = &files[fi];
            let at = f.primary.start as usize;
            for (di, d) in fd.dirs.iter().enumerate() {
                // A scope reaching the end of the file also covers a finding at the very end
                // (a parse error at "unexpected end of input").
                let inside = d.scope.as_ref().is_some_and(|s| {
                    s.contains(&at) || (at == s.end && s.end == fd.len && s.start <= at)
                });
                if !inside {
                    continue;
                }
                if let Some(ri) = d
                    .rules
                    .iter()
                    .position(|r| r.meta.is_some_and(|m| m.id == f.rule))
                {
                    return Some(Hit::Comment(fi, di, ri));
                }
            }
        }
        let label = f.resource.as_deref()?;
        let cands = by_label.get(label)?;
        let same_file: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&i| res[i].span.file == f.primary.file)
            .collect();
        let pool = if cands.len() > 1 { &same_file } else { cands };
        for &i in pool {
            for (si, s) in res[i].suppressions.iter().enumerate() {
                if rules::find_meta(&s.rule).is_some_and(|m| m.id == f.rule) {
                    return Some(Hit::Meta(i, si));
                }
            }
        }
        None
    };

    let mut out = Outcome::default();
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        match find_hit(&f, &files) {
            Some(hit) => {
                out.suppressed += 1;
                out.notes.push(note(&f, &hit, &files, &res, sources));
                match hit {
                    Hit::Comment(fi, di, ri) => files[fi].used[di][ri] = true,
                    Hit::Meta(i, si) => meta_used[i][si] = true,
                }
            }
            None => kept.push(f),
        }
    }

    if settings.enabled(AGW900.id) {
        let mut unused = Vec::new();
        // A file read twice (a Terraform module called from two roots) has two ids: a
        // suppression used through either copy is used, and is reported once at most.
        let mut seen: std::collections::HashSet<(String, usize)> = files
            .iter()
            .flat_map(|fd| {
                let path = sources.path(fd.file);
                fd.dirs.iter().zip(&fd.used).flat_map(move |(d, used)| {
                    let path = path.clone();
                    d.rules
                        .iter()
                        .zip(used)
                        .filter(|(_, u)| **u)
                        .map(move |(r, _)| (path.clone(), r.range.start))
                })
            })
            .collect();
        for fd in &files {
            let path = sources.path(fd.file);
            for (di, d) in fd.dirs.iter().enumerate() {
                if d.rules.is_empty() {
                    let span = Span::new(fd.file, d.comment.clone());
                    if seen.insert((path.clone(), d.comment.start)) {
                        unused.push(unused_finding(
                            "suppression names no rule".to_string(),
                            span,
                            "name the rule IDs, e.g. `agwlint-ignore AGW010: reason`",
                            (None, "agwlint-ignore[]".to_string()),
                        ));
                    }
                    continue;
                }
                for (ri, r) in d.rules.iter().enumerate() {
                    let span = Span::new(fd.file, r.range.clone());
                    let key = (path.clone(), r.range.start);
                    match r.meta {
                        None => {
                            if seen.insert(key) {
                                unused.push(unused_finding(
                                    format!("suppression names unknown rule `{}`", r.text),
                                    span,
                                    "use a rule ID or name from `agwlint rules`",
                                    (None, format!("agwlint-ignore[{}]", r.text)),
                                ));
                            }
                        }
                        Some(m) if m.id != AGW900.id => {
                            if !fd.used[di][ri] && settings.enabled(m.id) && seen.insert(key) {
                                unused.push(unused_finding(
                                    format!("suppression of {} silences nothing", m.id),
                                    span,
                                    "remove it, or put it on the line before (or at the end of) \
                                     the block or attribute that has the finding",
                                    (None, format!("agwlint-ignore[{}]", m.id)),
                                ));
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        for (i, r) in res.iter().enumerate() {
            for (si, s) in r.suppressions.iter().enumerate() {
                match rules::find_meta(&s.rule) {
                    None => unused.push(unused_finding(
                        format!("suppression on {} names unknown rule `{}`", r.label, s.rule),
                        s.span,
                        "use a rule ID or name from `agwlint rules`",
                        (
                            Some(r.label.clone()),
                            format!("metadata.agwlint.ignore.{}", s.rule),
                        ),
                    )),
                    Some(m) if m.id != AGW900.id && !meta_used[i][si] && settings.enabled(m.id) => {
                        unused.push(unused_finding(
                            format!("suppression of {} on {} silences nothing", m.id, r.label),
                            s.span,
                            "remove it from the resource's metadata",
                            (
                                Some(r.label.clone()),
                                format!("metadata.agwlint.ignore.{}", m.id),
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        // AGW900 itself can be suppressed (e.g. file-wide), but a suppression of AGW900 that
        // silences nothing is not reported again.
        for f in unused {
            match find_hit(&f, &files) {
                Some(hit) => {
                    out.suppressed += 1;
                    out.notes.push(note(&f, &hit, &files, &res, sources));
                }
                None => kept.push(f),
            }
        }
    }
    *findings = kept;
    out
}

/// An AGW900 finding. Its resource and property (the suppression's rule, never its position)
/// keep baseline fingerprints stable when lines move.
fn unused_finding(
    message: String,
    span: Span,
    help: &str,
    (resource, property): (Option<String>, String),
) -> Finding {
    let mut f = AGW900
        .finding(message, span)
        .label("suppresses nothing")
        .help(help)
        .property(property);
    f.resource = resource;
    f
}

fn note(
    f: &Finding,
    hit: &Hit,
    files: &[FileDirectives],
    res: &[&Resource],
    sources: &SourceMap,
) -> String {
    let at = |s: &Span| {
        sources.span_lines(s).map_or_else(
            || sources.path(s.file),
            |(lc, _)| format!("{}:{}:{}", sources.path(s.file), lc.line, lc.column),
        )
    };
    let (by, reason) = match *hit {
        Hit::Comment(fi, di, _) => {
            let fd = &files[fi];
            let d = &fd.dirs[di];
            (at(&Span::new(fd.file, d.comment.clone())), d.reason.clone())
        }
        Hit::Meta(i, si) => {
            let s = &res[i].suppressions[si];
            (at(&s.span), s.reason.clone())
        }
    };
    format!(
        "{}: {} suppressed by {}{}",
        at(&f.primary),
        f.rule,
        by,
        reason.map(|r| format!(": {r}")).unwrap_or_default()
    )
}
