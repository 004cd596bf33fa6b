//! The Function App's own code: Functions projects (`host.json`) in the scan, linked to the
//! sites of the model, read into [`AppSurface`]s.
//!
//! Linking, in order: `apps:` of the configuration (site name or resource address → project
//! directory); `azure.yaml` services (`host: function` / `appservice`) matched to a site by its
//! `azd-service-name` tag; else exactly one Function App and exactly one project in the scan.
//! Anything else stays unlinked, with a `--verbose` note. This front-end knows no rule.

pub mod csharp;
pub mod host;
pub mod java;
pub mod node;
pub mod python;
pub mod read;

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::frontend::Diagnostic;
use crate::model::{AppLink, AppSurface, Site};
use crate::source::{SourceMap, Span};

/// What reading the apps produced.
#[derive(Debug, Default)]
pub struct AppOutput {
    /// Linked, read projects.
    pub apps: Vec<AppSurface>,
    /// Files that could not be parsed (AGW000).
    pub diagnostics: Vec<Diagnostic>,
    /// `--verbose` notes (unlinked projects, files not read).
    pub notes: Vec<String>,
    /// Files read.
    pub files: usize,
}

/// One `apps:` entry of the configuration: a site (name or resource address) and the project
/// directory (already resolved against the configuration file's directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppMapping {
    /// Site name or resource address.
    pub site: String,
    /// The Functions project directory.
    pub dir: PathBuf,
}

/// The Functions projects (`host.json` directories) and `azure.yaml` files under the scanned
/// paths ([`Projects::find`]).
#[derive(Debug, Default)]
pub struct Projects {
    projects: Vec<PathBuf>,
    azd: Vec<PathBuf>,
}

impl Projects {
    /// Walks the paths for them.
    pub fn find(paths: &[PathBuf]) -> Self {
        let (projects, azd) = find(paths);
        Projects { projects, azd }
    }

    /// Neither a project nor an `azure.yaml`: [`load`] links no code, whatever the sites.
    pub fn is_empty(&self) -> bool {
        self.projects.is_empty() && self.azd.is_empty()
    }
}

/// Links the Functions projects `found` under the scanned paths to `sites` and reads them.
pub fn load(
    found: &Projects,
    mappings: &[AppMapping],
    sites: &[Site],
    sources: &SourceMap,
) -> AppOutput {
    let mut out = AppOutput::default();
    let (projects, azd) = (&found.projects, &found.azd);
    let mut links: Vec<(usize, PathBuf, AppLink)> = Vec::new();
    // 1. Configuration.
    for m in mappings {
        let found: Vec<usize> = sites
            .iter()
            .enumerate()
            .filter(|(_, s)| site_named(s, &m.site))
            .map(|(i, _)| i)
            .collect();
        if found.is_empty() {
            out.notes.push(format!(
                "apps: `{}` names no site in the scan; its code is not checked",
                m.site
            ));
            continue;
        }
        if !read::has_host_json(sources, &m.dir) {
            out.notes.push(format!(
                "apps: {} has no host.json inside the scan root; not read",
                crate::discover::display_path(&m.dir)
            ));
            continue;
        }
        for i in found {
            links.push((i, m.dir.clone(), AppLink::Config));
        }
    }
    // 2. azure.yaml services matched by the `azd-service-name` tag.
    for y in azd {
        let Ok((text, _)) = read::read_text(sources, y) else {
            continue;
        };
        let base = y.parent().unwrap_or(Path::new("."));
        for (name, project) in azd_services(&text) {
            if !sites.iter().any(|s| azd_tag(s).is_some_and(|t| t == name)) {
                out.notes.push(format!(
                    "{}: service `{name}` matches no site with the tag azd-service-name: {name} in the scan (a site in a module not read, or a tag not known, is not matched); linked only if it is the scan's single Function App",
                    crate::discover::display_path(y)
                ));
                continue;
            }
            let mut dir = base.to_path_buf();
            for part in project
                .split(['/', '\\'])
                .filter(|x| !x.is_empty() && *x != ".")
            {
                dir.push(part);
            }
            for (i, s) in sites.iter().enumerate() {
                if links.iter().any(|(j, _, _)| *j == i) {
                    continue;
                }
                if azd_tag(s).is_some_and(|t| t == name) {
                    if read::has_host_json(sources, &dir) {
                        links.push((i, dir.clone(), AppLink::Azd(name.clone())));
                    } else {
                        out.notes.push(format!(
                            "{}: service `{name}` has no host.json in {} inside the scan root; not read",
                            crate::discover::display_path(y),
                            crate::discover::display_path(&dir)
                        ));
                    }
                }
            }
        }
    }
    // 3. One Function App, one project.
    if links.is_empty() {
        let fns: Vec<usize> = sites
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_function.get() == Some(&true) && s.res.may_exist())
            .map(|(i, _)| i)
            .collect();
        match (fns.as_slice(), projects.as_slice()) {
            ([i], [p]) => links.push((*i, p.clone(), AppLink::Single)),
            (_, []) => {}
            (f, p) => out.notes.push(format!(
                "{} Functions project(s) and {} Function App(s) in the scan: code not linked to a \
                 site (link them with `apps:` in .agwlint.yaml or azure.yaml services)",
                p.len(),
                f.len()
            )),
        }
    }
    for (i, dir, link) in links {
        let Some(site) = sites.get(i) else { continue };
        if let Some(app) = read_project(&dir, site, link, sources, &mut out) {
            out.notes.push(format!(
                "{}: {} HTTP function(s) linked to site \"{}\"{}",
                app.dir,
                app.functions.len(),
                site.res.display_name(),
                if app.complete {
                    ""
                } else {
                    " (surface not fully known)"
                }
            ));
            out.apps.push(app);
        }
    }
    out
}

/// Whether a configuration key names this site: its name, resource address or label.
fn site_named(s: &Site, key: &str) -> bool {
    s.res
        .name
        .get()
        .is_some_and(|n| n.eq_ignore_ascii_case(key))
        || s.res.key.name.eq_ignore_ascii_case(key)
        || s.res.label.eq_ignore_ascii_case(key)
}

/// The site's `azd-service-name` tag, when Known.
fn azd_tag(s: &Site) -> Option<&str> {
    s.tags
        .iter()
        .find(|kv| kv.key.eq_ignore_ascii_case("azd-service-name"))
        .and_then(|kv| kv.value.get())
        .map(String::as_str)
}

/// `(service name, project)` of the `azure.yaml` services hosted on Functions or App Service.
fn azd_services(text: &str) -> Vec<(String, String)> {
    let Ok(doc) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return Vec::new();
    };
    let Some(services) = doc.get("services").and_then(|s| s.as_mapping()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in services {
        let (Some(name), Some(project)) = (k.as_str(), v.get("project").and_then(|p| p.as_str()))
        else {
            continue;
        };
        let host = v.get("host").and_then(|h| h.as_str()).unwrap_or("");
        if host.eq_ignore_ascii_case("function") || host.eq_ignore_ascii_case("appservice") {
            out.push((name.to_string(), project.to_string()));
        }
    }
    out
}

/// The project directories (holding `host.json`) and the `azure.yaml` files under the paths.
fn find(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut projects = Vec::new();
    let mut azd = Vec::new();
    for root in paths.iter().filter(|p| p.is_dir()) {
        let walker = WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(e.file_type().is_dir()
                        && e.file_name()
                            .to_str()
                            .is_some_and(|n| read::SKIP_DIRS.contains(&n)))
            });
        for e in walker.flatten() {
            if !e.file_type().is_file() {
                continue;
            }
            match e.file_name().to_str() {
                Some("host.json") => {
                    if let Some(d) = e.path().parent() {
                        projects.push(d.to_path_buf());
                    }
                }
                Some("azure.yaml" | "azure.yml") => azd.push(e.path().to_path_buf()),
                _ => {}
            }
        }
    }
    (projects, azd)
}

/// Code files that may declare functions, by extension, which this build does not read yet.
const UNREAD_CODE: &[&str] = &[
    "cs", "fs", "java", "kt", "py", "js", "mjs", "cjs", "ts", "mts",
];

/// Reads one linked project.
fn read_project(
    dir: &Path,
    site: &Site,
    link: AppLink,
    sources: &SourceMap,
    out: &mut AppOutput,
) -> Option<AppSurface> {
    let shown = crate::discover::display_path(dir);
    let host_path = dir.join("host.json");
    let host_shown = crate::discover::display_path(&host_path);
    let (text, read) = match read::read_text(sources, &host_path) {
        Ok(t) => t,
        Err(e) => {
            out.notes.push(format!("{host_shown}: not read: {e}"));
            return None;
        }
    };
    let (id, stored) = sources.add_text(host_shown.clone(), &text, Some(&read));
    out.files += 1;
    let host = match host::host_json(&stored, id) {
        Ok(h) => h,
        Err(e) => {
            out.diagnostics.push(crate::frontend::parse_error(
                format!("{host_shown} is not valid JSON: {}", e.message),
                e.span,
                "parse error here",
            ));
            return None;
        }
    };
    let mut complete = host.route_prefix.get().is_some() || host.route_prefix.is_absent();
    let mut functions = Vec::new();
    // function.json in the project's direct subdirectories; code files anywhere below the code
    // root (the project, or the Maven/Gradle project of a `src/main/resources/host.json`).
    let code_root = jvm_project_root(dir, sources).unwrap_or(dir);
    // Code files handed to a reader, and code files left unparsed by [`may_hold_http`].
    let (mut parsed, mut skipped) = (0usize, 0usize);
    let walker = WalkDir::new(code_root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| read::SKIP_DIRS.contains(&n)))
        });
    for e in walker.flatten() {
        let ft = e.file_type();
        if ft.is_dir() {
            continue;
        }
        let p = e.path();
        if !ft.is_file() && !ft.is_symlink() {
            // A FIFO, socket or device named like code is never opened; the surface is then
            // not fully known.
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
            if UNREAD_CODE.contains(&ext) || e.file_name() == "function.json" {
                out.notes.push(format!(
                    "{}: not read: not a regular file",
                    crate::discover::display_path(p)
                ));
                complete = false;
            }
            continue;
        }
        let fname = e.file_name().to_str().unwrap_or("");
        let in_project = |up: usize| p.ancestors().nth(up) == Some(dir);
        if fname == "proxies.json" && in_project(1) {
            // Proxies add routes this linter does not model.
            complete = false;
            continue;
        }
        if fname == "function.json" && in_project(2) {
            let fshown = crate::discover::display_path(p);
            let (text, read) = match read::read_text(sources, p) {
                Ok(t) => t,
                Err(err) => {
                    out.notes.push(format!("{fshown}: not read: {err}"));
                    complete = false;
                    continue;
                }
            };
            let (id, stored) = sources.add_text(fshown.clone(), &text, Some(&read));
            out.files += 1;
            let name = p
                .parent()
                .and_then(Path::file_name)
                .and_then(|n| n.to_str())
                .unwrap_or("");
            match host::function_json(&stored, id, name, Span::new(id, 0..0)) {
                Ok(Some(f)) => functions.push(f),
                Ok(None) => {}
                Err(err) => {
                    complete = false;
                    out.diagnostics.push(crate::frontend::parse_error(
                        format!("{fshown} is not valid JSON: {}", err.message),
                        err.span,
                        "parse error here",
                    ));
                }
            }
            continue;
        }
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        let node = matches!(ext, "js" | "mjs" | "cjs" | "ts" | "mts");
        let jvm = matches!(ext, "java" | "kt");
        if ext == "cs" || ext == "py" || node || jvm {
            let fshown = crate::discover::display_path(p);
            let (text, read) = match read::read_text(sources, p) {
                Ok(t) => t,
                Err(err) => {
                    out.notes.push(format!("{fshown}: not read: {err}"));
                    complete = false;
                    continue;
                }
            };
            if !may_hold_http(ext, &text) {
                skipped += 1;
                continue;
            }
            if node && !text.contains("@azure/functions") {
                // The v4 `app` comes from `@azure/functions`: a file that does not import it
                // (Express, a helper) declares no function, unless it registers through an
                // `app` re-exported by another module, which this reader does not follow.
                parsed += 1;
                if !node::read(&text, crate::source::FileId(0))
                    .functions
                    .is_empty()
                {
                    out.notes.push(format!(
                        "{fshown}: registers HTTP functions on an `app` not imported from @azure/functions in this file; not read, the app's HTTP surface is not fully known"
                    ));
                    complete = false;
                }
                continue;
            }
            let (id, stored) = sources.add_text(fshown.clone(), &text, Some(&read));
            out.files += 1;
            parsed += 1;
            let read = if ext == "cs" {
                csharp::read(&stored, id)
            } else if node {
                Some(node::read(&stored, id))
            } else if jvm {
                Some(java::read(&stored, id, ext == "kt"))
            } else {
                python::read(&stored, id)
            };
            match read {
                Some(r) => {
                    if !r.clean {
                        out.notes.push(format!(
                            "{fshown}: not fully read (syntax errors or a registration this reader does not follow); the app's HTTP surface is not fully known"
                        ));
                        complete = false;
                    }
                    functions.extend(r.functions);
                }
                None => complete = false,
            }
            continue;
        }
        if UNREAD_CODE.contains(&ext) && may_declare_http(sources, p, ext) {
            complete = false;
        }
    }
    if parsed + skipped > 0 {
        out.notes.push(format!(
            "{shown}: {parsed} code file(s) parsed, {skipped} not parsed (no HTTP trigger marker)"
        ));
    }
    Some(AppSurface {
        site: site.res.key.clone(),
        dir: shown,
        link,
        host,
        functions,
        complete,
    })
}

/// Whether a code file may declare an HTTP function its reader recognises: a byte search,
/// before any parse, for a word every such declaration contains. A file without it is not
/// parsed (tree-sitter C# over every `.cs` file of a project was most of the code's cost).
/// The words are what the readers match, so no file a reader would take a function (or an
/// incompleteness) from is skipped:
///
/// - C#, F#: the parameter attribute named `HttpTrigger` / `HttpTriggerAttribute` (any
///   qualifier);
/// - Java, Kotlin: the annotation `@HttpTrigger`;
/// - Python: the word `route` of the decorator (`@app.route`, `@bp.route`), an app object
///   (`FunctionApp`, `Blueprint`, `AsgiFunctionApp`, `WsgiFunctionApp`), or an `httpTrigger`
///   binding type of a `generic_trigger` (any case);
/// - JavaScript, TypeScript: the identifier `app` of every `app.http(...)`, `app.get(...)`...
///   registration (files that do not import `@azure/functions` are then only tokenized).
fn may_hold_http(ext: &str, text: &str) -> bool {
    match ext {
        "cs" | "fs" | "java" | "kt" => text.contains("HttpTrigger"),
        "py" => {
            contains_word(text, "route")
                || text.contains("FunctionApp")
                || text.contains("Blueprint")
                || crate::source::has_ignore_ascii_case(text, "httptrigger")
        }
        "js" | "mjs" | "cjs" | "ts" | "mts" => text.contains("app"),
        _ => true,
    }
}

/// `word` in `text` with no identifier character right before or after it (`route`, not
/// `router` or `reroute`).
fn contains_word(text: &str, word: &str) -> bool {
    let ident = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    let bytes = text.as_bytes();
    text.match_indices(word).any(|(i, _)| {
        !ident(i.checked_sub(1).and_then(|j| bytes.get(j))) && !ident(bytes.get(i + word.len()))
    })
}

/// The Maven or Gradle project holding a `src/main/resources/host.json` (the Java layout whose
/// build copies host.json next to the compiled functions): the code sits in `src/main/java`,
/// outside the host.json directory.
fn jvm_project_root<'a>(dir: &'a Path, sources: &SourceMap) -> Option<&'a Path> {
    if !dir.ends_with("src/main/resources") {
        return None;
    }
    let root = dir.ancestors().nth(3)?;
    ["pom.xml", "build.gradle", "build.gradle.kts"]
        .iter()
        .any(|b| sources.confined_file(&root.join(b)).is_ok())
        .then_some(root)
}

/// Whether a code file of a language no reader handles (F#) may declare HTTP functions (the
/// screen of [`may_hold_http`]; such a file makes the surface incomplete).
fn may_declare_http(sources: &SourceMap, p: &Path, ext: &str) -> bool {
    match read::read_text(sources, p) {
        Ok((text, _)) => may_hold_http(ext, &text),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::may_hold_http;

    /// Every declaration form a reader recognises carries its language's marker; files without
    /// it are not parsed.
    #[test]
    fn http_trigger_markers() {
        for (ext, with, without) in [
            (
                "cs",
                "[Function(\"h\")] public R H([HttpTrigger(AuthorizationLevel.Anonymous)] HttpRequestData r)",
                "public class Todo { public string Name { get; set; } }",
            ),
            (
                "cs",
                "void H([Microsoft.Azure.WebJobs.HttpTriggerAttribute(\"get\")] HttpRequest r)",
                "[Function(\"t\")] public void T([TimerTrigger(\"0 * * * * *\")] TimerInfo t)",
            ),
            (
                "java",
                "@FunctionName(\"h\") public R h(@HttpTrigger(name = \"req\") R r)",
                "@FunctionName(\"q\") public void q(@QueueTrigger(name = \"m\") String m)",
            ),
            (
                "kt",
                "fun p(@HttpTrigger(name = \"req\") r: String) = \"\"",
                "data class A(val b: Int)",
            ),
            (
                "py",
                "@bp.route (route='h')\ndef h(req): pass",
                "def helper():\n    return 1",
            ),
            ("py", "app = func.AsgiFunctionApp(app=fast)", "import os"),
            (
                "py",
                "@app.route(\"h\")",
                "router = APIRouter()\n@router.get('/routes')\ndef reroute(): pass",
            ),
            (
                "py",
                "@x.generic_trigger(arg_name='r', type='HTTPTRIGGER')",
                "@app.timer_trigger(schedule='x')",
            ),
            (
                "js",
                "app.http('h', { handler })",
                "module.exports = { a: 1 };",
            ),
            ("ts", "shared.app.get('h', h)", "export const x = 1;"),
            (
                "fs",
                "let run ([<HttpTrigger(AuthorizationLevel.Function, \"get\")>] req) = ()",
                "let add a b = a + b",
            ),
        ] {
            assert!(may_hold_http(ext, with), "{ext}: {with}");
            assert!(!may_hold_http(ext, without), "{ext}: {without}");
        }
    }
}
