//! Registry modules (`br:<registry>/<repository>:<tag>`, `br/<alias>:<path>:<tag>`) read
//! from the user's Bicep restore cache, as `bicep restore` / `bicep build` lay it out
//! (Azure/bicep `BicepRegistryArtifact.ResolveCacheDirectory`, `TagEncoder.Encode`):
//!
//! `<cache root>/br/<registry, lower case, ':' → '$'>/<repository, '/' → '$'>/<tag + '$' + upper-case mask in hex>/main.json`
//!
//! (a digest `sha256:…` gives `sha256#…`). The cache root is `cacheRootDirectory` of the
//! nearest `bicepconfig.json` above the file (`~` is the home directory), else `~/.bicep`;
//! aliases come from its `moduleAliases.br`, over the built-in `public` alias
//! (`mcr.microsoft.com/bicep`).
//!
//! Confinement: the reference is repository content. Every part of it is checked against the
//! OCI grammar Bicep itself enforces (so no `..`, separator or absolute part can appear), the
//! file read is always `main.json` under `<cache root>/br`, and it is read through
//! [`crate::source::SourceMap::read_confined_under`] with the cache root as the only root
//! (symbolic links resolved). Its text is never shown: findings inside it move to the user's
//! `module` declaration ([`crate::relocate`]), its location stays as a secondary label, and a
//! file that does not parse is a note without any of its content.

use std::cell::RefCell;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::syntax::{Expr, ExprKind, Member};
use crate::frontend::arm::json::{self, JNode};
use crate::frontend::arm::template::{LinkedDoc, Loader};
use crate::model::{InputAnchor, ModuleFrame, NamedObject};
use crate::source::{FileId, PathOrigin, Span};

/// A `module` declaration whose path is a registry reference, as the lowering saw it.
#[derive(Debug, Clone)]
pub struct RegistryRef {
    /// The path as written (`br/public:avm/res/network/application-gateway:0.9.0`).
    pub reference: String,
    /// The module's symbolic name.
    pub module: String,
    /// The span of the `templateLink` node lowered for it (the key of
    /// [`Loader::bicep_registry`]).
    pub link: Span,
    /// `module name 'path'`: where findings inside the module are reported.
    pub call: Span,
    /// The whole declaration.
    pub call_block: Span,
    /// Its `params`, with the named objects written in them.
    pub inputs: Vec<InputAnchor>,
}

/// A registry module found in the cache, read once per declaration.
#[derive(Debug)]
pub struct Cached {
    /// The declaration.
    pub at: RegistryRef,
    /// The cache root (the only directory it may be read from).
    pub root: PathBuf,
    /// `<root>/br/.../main.json`.
    pub main: PathBuf,
    /// How the file is shown (`~/.bicep/br/...` below the home directory).
    pub display: String,
    doc: RefCell<Option<Option<Rc<LinkedDoc>>>>,
}

/// Largest cached `main.json` read.
const MAX_CACHED_BYTES: u64 = 64 * 1024 * 1024;
/// Largest `bicepconfig.json` read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// Deepest nesting searched for named objects in module parameters.
const MAX_DEPTH: usize = 24;

/// Resolves the registry modules of a lowered file (at `path`): those in the restore cache
/// are recorded for the evaluator, the others get a `--verbose` note and stay opaque.
pub fn register(refs: Vec<RegistryRef>, path: &Path, loader: &Loader<'_>) {
    if refs.is_empty() {
        return;
    }
    let shown = loader.sources.path(refs[0].call.file);
    let config = find_config(path.parent().unwrap_or(Path::new(".")), loader);
    for r in refs {
        match resolve(&r.reference, &config, home().as_deref()) {
            Ok((root, main)) if main.is_file() => {
                let display = display_of(&main, home().as_deref());
                loader.bicep_registry.borrow_mut().insert(
                    r.link,
                    Rc::new(Cached {
                        at: r,
                        root,
                        main,
                        display,
                        doc: RefCell::new(None),
                    }),
                );
            }
            Ok((_, main)) => loader.notes.borrow_mut().push(format!(
                "{shown}: registry module `{}` ({}) is not in the restore cache ({}; run `bicep restore`); its resources and outputs are unknown",
                r.module,
                r.reference,
                display_of(&main, home().as_deref())
            )),
            Err(why) => loader.notes.borrow_mut().push(format!(
                "{shown}: registry module `{}` ({}) is not read: {why}; its resources and outputs are unknown",
                r.module, r.reference
            )),
        }
    }
}

/// Reads (once) a cached module's `main.json`; records its frame.
pub fn read(loader: &Loader<'_>, c: &Cached) -> Option<Rc<LinkedDoc>> {
    if let Some(d) = c.doc.borrow().as_ref() {
        return d.clone();
    }
    let doc = read_uncached(loader, c).map(Rc::new);
    *c.doc.borrow_mut() = Some(doc.clone());
    doc
}

fn read_uncached(loader: &Loader<'_>, c: &Cached) -> Option<LinkedDoc> {
    let shown = loader.sources.path(c.at.call.file);
    let read = match loader
        .sources
        .read_confined_under(&c.main, &c.root, MAX_CACHED_BYTES)
    {
        Ok(r) => r,
        Err(r) if r.is_confinement() => {
            loader.findings.borrow_mut().push(crate::frontend::refused(
                "registry module",
                &c.at.reference,
                &crate::source::Refusal::OutsideScanRoot,
                c.at.call,
            ));
            loader.notes.borrow_mut().push(format!(
                "{shown}: registry module `{}`: its cached file {} (outside the restore cache, or not a regular file); not read",
                c.at.module,
                r.reason()
            ));
            return None;
        }
        Err(r) => {
            loader.notes.borrow_mut().push(format!(
                "{shown}: registry module `{}`: {} {}; its resources are unknown",
                c.at.module,
                c.display,
                r.reason()
            ));
            return None;
        }
    };
    let not_template = || {
        // Nothing of the file's content is said: it lies outside the scan root.
        loader.notes.borrow_mut().push(format!(
            "{shown}: registry module `{}`: {} is not a valid template; its resources are unknown",
            c.at.module, c.display
        ));
    };
    let Ok(text) = std::str::from_utf8(&read.bytes) else {
        not_template();
        return None;
    };
    let id = loader.sources.add_read(c.display.clone(), text, &read);
    loader.files.set(loader.files.get() + 1);
    let stored = loader.sources.get(id)?.text.clone();
    let Ok(doc) = json::parse(&stored, id) else {
        not_template();
        return None;
    };
    if doc.root.get("resources").is_none() {
        not_template();
        return None;
    }
    loader.notes.borrow_mut().push(format!(
        "{shown}: registry module `{}` read from the restore cache ({})",
        c.at.module, c.display
    ));
    loader.frames.borrow_mut().push(ModuleFrame {
        prefix: String::new(),
        name: c.at.module.clone(),
        display: c.at.reference.clone(),
        files: vec![id],
        foreign: true,
        call: c.at.call,
        call_block: c.at.call_block,
        inputs: c.at.inputs.clone(),
        synthetic: false,
    });
    let dir = c.main.parent().map(Path::to_path_buf).unwrap_or_default();
    Some((doc, id, dir))
}

/// The home directory (Bicep's `UserProfile`).
fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// `~/...` for a path below the home directory, else the path.
fn display_of(p: &Path, home: Option<&Path>) -> String {
    match home.and_then(|h| p.strip_prefix(h).ok()) {
        Some(rest) => format!("~/{}", rest.to_string_lossy().replace('\\', "/")),
        None => p.to_string_lossy().replace('\\', "/"),
    }
}

/// What the nearest `bicepconfig.json` says about registry modules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `moduleAliases.br`: alias → (registry, module path).
    pub aliases: Vec<(String, String, Option<String>)>,
    /// `cacheRootDirectory`, as written.
    pub cache_root: Option<String>,
}

/// The nearest `bicepconfig.json` at or above `dir`, inside the scan root (a file above it is
/// not repository content this scan may read).
fn find_config(dir: &Path, loader: &Loader<'_>) -> Config {
    let start = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let roots = loader.sources.scan_roots();
    for d in start.ancestors() {
        if roots
            .as_deref()
            .is_some_and(|r| !r.iter().any(|r| d.starts_with(r)))
        {
            break;
        }
        let p = d.join("bicepconfig.json");
        if !p.is_file() {
            continue;
        }
        let Ok(read) = loader
            .sources
            .read_confined(&p, PathOrigin::Content, MAX_CONFIG_BYTES)
        else {
            return Config::default();
        };
        let Ok(text) = std::str::from_utf8(&read.bytes) else {
            return Config::default();
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        return json::parse(text, FileId(u32::MAX))
            .map(|doc| config_of(&doc.root))
            .unwrap_or_default();
    }
    Config::default()
}

/// The registry settings of a parsed `bicepconfig.json`.
pub fn config_of(root: &JNode) -> Config {
    let mut aliases = Vec::new();
    if let Some(br) = root
        .get("moduleAliases")
        .and_then(|m| m.get("br"))
        .and_then(JNode::as_object)
    {
        for a in br {
            if let Some(reg) = a.value.get("registry").and_then(JNode::as_str) {
                let path = a
                    .value
                    .get("modulePath")
                    .and_then(JNode::as_str)
                    .map(str::to_string);
                aliases.push((a.key.to_string(), reg.to_string(), path));
            }
        }
    }
    Config {
        aliases,
        cache_root: root
            .get("cacheRootDirectory")
            .and_then(JNode::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string),
    }
}

/// A parsed OCI reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciRef {
    /// `mcr.microsoft.com`.
    pub registry: String,
    /// `bicep/avm/res/network/application-gateway`.
    pub repository: String,
    /// `0.9.0`, or the digest `sha256:…`.
    pub tag_or_digest: TagOrDigest,
}

/// The version part of a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagOrDigest {
    /// `:tag`.
    Tag(String),
    /// `@sha256:…`.
    Digest(String),
}

/// Parses a `br:` / `br/<alias>:` module path (with `config`'s aliases) the way Bicep's
/// `OciArtifactAddressComponents.TryParse` validates it.
pub fn parse_ref(reference: &str, config: &Config) -> Result<OciRef, String> {
    let unqualified = if let Some(rest) = reference.strip_prefix("br:") {
        rest.to_string()
    } else if let Some(rest) = reference.strip_prefix("br/") {
        let (alias, path) = rest
            .split_once(':')
            .ok_or_else(|| "no alias separator".to_string())?;
        let found = config
            .aliases
            .iter()
            .find(|(a, ..)| a == alias)
            .map(|(_, r, p)| (r.clone(), p.clone()))
            .or_else(|| {
                (alias == "public")
                    .then(|| ("mcr.microsoft.com".to_string(), Some("bicep".to_string())))
            });
        let Some((registry, module_path)) = found else {
            return Err(format!("alias `{alias}` is not in bicepconfig.json"));
        };
        match module_path {
            Some(m) => format!("{registry}/{m}/{path}"),
            None => format!("{registry}/{path}"),
        }
    } else {
        return Err("not a registry reference".to_string());
    };
    let (registry, rest) = unqualified
        .split_once('/')
        .ok_or_else(|| "no repository".to_string())?;
    if registry.is_empty() || registry.len() > 255 || !valid_registry(registry) {
        return Err(format!("invalid registry `{registry}`"));
    }
    let (repository, tag_or_digest) = if let Some((repo, digest)) = rest.split_once('@') {
        if !valid_digest(digest) {
            return Err("invalid digest".to_string());
        }
        (repo, TagOrDigest::Digest(digest.to_string()))
    } else {
        let (repo, tag) = rest
            .rsplit_once(':')
            .ok_or_else(|| "no tag or digest".to_string())?;
        if !valid_tag(tag) {
            return Err(format!("invalid tag `{tag}`"));
        }
        (repo, TagOrDigest::Tag(tag.to_string()))
    };
    if repository.is_empty()
        || repository.len() > 255
        || !repository.split('/').all(valid_namespace_segment)
    {
        return Err(format!("invalid repository `{repository}`"));
    }
    Ok(OciRef {
        registry: registry.to_string(),
        repository: repository.to_string(),
        tag_or_digest,
    })
}

/// A URI authority: a host name or IPv4 address with an optional port (IPv6 literals are
/// not supported here).
fn valid_registry(r: &str) -> bool {
    let (host, port) = match r.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (r, None),
    };
    let host_ok = !host.is_empty()
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    host_ok && port_ok
}

/// `^[a-z0-9]+([._-][a-z0-9]+)*$`
fn valid_namespace_segment(s: &str) -> bool {
    let mut prev_sep = true;
    for c in s.chars() {
        match c {
            'a'..='z' | '0'..='9' => prev_sep = false,
            '.' | '_' | '-' if !prev_sep => prev_sep = true,
            _ => return false,
        }
    }
    !prev_sep
}

/// `^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`
fn valid_tag(t: &str) -> bool {
    let mut cs = t.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_')
        && t.len() <= 128
        && cs.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// `^sha256:[a-f0-9]{64}$`
fn valid_digest(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')))
}

/// Bicep's `TagEncoder.Encode`: the tag, `$`, and the mask of its upper-case letters in hex
/// (two 64-bit words, high word first, leading zero words omitted).
pub fn encode_tag(tag: &str) -> String {
    let mut mask = [0u64; 2];
    for (i, c) in tag.chars().enumerate().take(128) {
        if c.is_uppercase() {
            mask[i / 64] |= 1u64 << (i % 64);
        }
    }
    let mut out = format!("{tag}$");
    let mut leading = false;
    for m in mask.iter().rev() {
        if *m != 0 || leading {
            if leading {
                out.push_str(&format!("{m:016x}"));
            } else {
                out.push_str(&format!("{m:x}"));
            }
            leading = true;
        }
    }
    out
}

/// The directory names below the cache root: `br`, registry, repository, tag or digest.
pub fn cache_segments(r: &OciRef) -> [String; 4] {
    [
        "br".to_string(),
        r.registry.replace(':', "$").to_ascii_lowercase(),
        r.repository.replace('/', "$"),
        match &r.tag_or_digest {
            TagOrDigest::Tag(t) => encode_tag(t),
            TagOrDigest::Digest(d) => d.replace(':', "#"),
        },
    ]
}

/// The cache root and the `main.json` path of a reference.
pub fn resolve(
    reference: &str,
    config: &Config,
    home: Option<&Path>,
) -> Result<(PathBuf, PathBuf), String> {
    let r = parse_ref(reference, config)?;
    let root = match config.cache_root.as_deref() {
        Some(c) => expand_home(c, home)?,
        None => home
            .ok_or_else(|| "no home directory for the restore cache".to_string())?
            .join(".bicep"),
    };
    let mut main = root.clone();
    for s in cache_segments(&r) {
        // Checked by the grammar above; a last guard against any separator or dot name.
        if s.is_empty() || s == "." || s == ".." || s.contains(['/', '\\', '\0']) {
            return Err("invalid reference".to_string());
        }
        main.push(s);
    }
    main.push("main.json");
    Ok((root, main))
}

/// `cacheRootDirectory` as Bicep expands it: a leading `~` or `~/` is the home directory.
fn expand_home(c: &str, home: Option<&Path>) -> Result<PathBuf, String> {
    if c == "~" {
        return home
            .map(Path::to_path_buf)
            .ok_or_else(|| "no home directory".to_string());
    }
    if let Some(rest) = c.strip_prefix("~/").or_else(|| c.strip_prefix("~\\")) {
        return home
            .map(|h| h.join(rest))
            .ok_or_else(|| "no home directory".to_string());
    }
    Ok(PathBuf::from(c))
}

/// The module's `params` as input anchors (see [`crate::relocate`]).
pub fn inputs(params: Option<&Expr>, file: FileId) -> Vec<InputAnchor> {
    let Some(ExprKind::Object(ms)) = params.map(|p| &p.kind) else {
        return Vec::new();
    };
    ms.iter()
        .filter_map(|m| match m {
            Member::Prop {
                key: Some(k),
                key_span,
                value,
            } => {
                let mut named = Vec::new();
                collect(value, file, &mut named, 0);
                Some(InputAnchor {
                    name: k.clone(),
                    span: Span::new(file, key_span.start..value.span.end),
                    named,
                })
            }
            _ => None,
        })
        .collect()
}

fn collect(e: &Expr, file: FileId, out: &mut Vec<NamedObject>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &e.kind {
        ExprKind::Array(items) => {
            for i in items {
                collect(i, file, out, depth + 1);
            }
        }
        ExprKind::Paren(x) => collect(x, file, out, depth + 1),
        ExprKind::Object(ms) => {
            let name = ms.iter().find_map(|m| match m {
                Member::Prop {
                    key: Some(k),
                    value,
                    ..
                } if k == "name" => super::lower::literal_str(value),
                _ => None,
            });
            if let Some(name) = name {
                let mut keys = Vec::new();
                keys_of(ms, file, &mut keys, depth);
                out.push(NamedObject {
                    name: name.to_string(),
                    span: Span::new(file, e.span.clone()),
                    keys,
                });
            }
            for m in ms {
                if let Member::Prop { value, .. } = m {
                    collect(value, file, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Every `key: value` inside an object, nested objects included (not inside named objects
/// below it, which are elements of their own).
fn keys_of(ms: &[Member], file: FileId, out: &mut Vec<(String, Span)>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for m in ms {
        if let Member::Prop {
            key: Some(k),
            key_span,
            value,
        } = m
        {
            out.push((k.clone(), span(file, key_span, &value.span)));
            if let ExprKind::Object(inner) = &value.kind
                && !inner.iter().any(
                    |m| matches!(m, Member::Prop { key: Some(k), value, .. } if k == "name" && super::lower::literal_str(value).is_some()),
                )
            {
                keys_of(inner, file, out, depth + 1);
            }
        }
    }
}

fn span(file: FileId, a: &Range<usize>, b: &Range<usize>) -> Span {
    Span::new(file, a.start..b.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_encoded_as_bicep_does() {
        // Azure/bicep TagEncoderTests.cs.
        assert_eq!(encode_tag("v1"), "v1$");
        assert_eq!(encode_tag("V1"), "V1$1");
        assert_eq!(encode_tag("0.9.0"), "0.9.0$");
        assert_eq!(encode_tag("aBc"), "aBc$2");
        let long = format!("{}A", "a".repeat(64));
        assert_eq!(encode_tag(&long), format!("{long}$10000000000000000"));
    }

    #[test]
    fn references_map_to_the_restore_cache_layout() {
        let home = Path::new("/home/u");
        let c = Config::default();
        let (root, main) = resolve(
            "br/public:avm/res/network/application-gateway:0.9.0",
            &c,
            Some(home),
        )
        .unwrap();
        assert_eq!(root, Path::new("/home/u/.bicep"));
        assert_eq!(
            main,
            Path::new(
                "/home/u/.bicep/br/mcr.microsoft.com/bicep$avm$res$network$application-gateway/0.9.0$/main.json"
            )
        );
        let (_, main) = resolve("br:MyReg.azurecr.io:443/a/b:V2", &c, Some(home)).unwrap();
        assert_eq!(
            main,
            Path::new("/home/u/.bicep/br/myreg.azurecr.io$443/a$b/V2$1/main.json")
        );
        let cfg = Config {
            aliases: vec![(
                "corp".into(),
                "corp.azurecr.io".into(),
                Some("infra".into()),
            )],
            cache_root: Some("~/cache".into()),
        };
        let (root, main) = resolve("br/corp:gw:1.0", &cfg, Some(home)).unwrap();
        assert_eq!(root, Path::new("/home/u/cache"));
        assert_eq!(
            main,
            Path::new("/home/u/cache/br/corp.azurecr.io/infra$gw/1.0$/main.json")
        );
    }

    #[test]
    fn escaping_references_are_refused() {
        let c = Config::default();
        let home = Some(Path::new("/h"));
        for bad in [
            "br:../x:1",
            "br:a/../../etc:1",
            "br:a/b:..",
            "br:a/b:../1",
            "br:/etc/passwd:1",
            "br:a//b:1",
            "br:a/b/:1",
            "br:a/B:1",
            "br:a/b:1/2",
            "br:a\\b/c:1",
            "br:./a:1",
            "br/nope:a:1",
            "br:a/b@sha256:../../x",
            "br:a/b",
            "br:a/b:",
        ] {
            assert!(resolve(bad, &c, home).is_err(), "{bad}");
        }
        assert!(resolve("br:a.io/b@sha256:".to_string().as_str(), &c, home).is_err());
        let d = format!("br:a.io/b@sha256:{}", "a".repeat(64));
        let (_, main) = resolve(&d, &c, home).unwrap();
        assert!(main.ends_with(format!("sha256#{}/main.json", "a".repeat(64))));
    }
}
