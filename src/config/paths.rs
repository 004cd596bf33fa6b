//! Paths and globs relative to the configuration file's directory.
//!
//! Globs use globset with `literal_separator`: `*` stays inside one path component and `**`
//! crosses directories (`infra/*.json` matches `infra/a.json`, not `infra/x/a.json`; use
//! `**/*.json` for any depth). Paths are compared in absolute, lexically normalised form, so a
//! glob written relative to the configuration file matches whatever the current directory is.

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};

use crate::discover::Filters;

/// The current directory ("." when it cannot be read).
pub fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// The absolute, lexically normalised form of a path (`.` dropped, `..` applied); symbolic
/// links are not resolved.
pub fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        current_dir().join(p)
    };
    normalize(&joined)
}

/// Drops `.` and applies `..` lexically.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `p` relative to `dir` (an absolute `p` stays as it is).
pub fn under(dir: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        normalize(&dir.join(p))
    }
}

/// `p` (absolute or relative to the current directory) relative to the absolute `base`, with
/// `/` separators; `None` when `p` is not under `base`.
pub fn relative_to(p: &Path, base: &Path) -> Option<String> {
    let abs = absolute(p);
    let rel = abs.strip_prefix(base).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// How a path resolved from the configuration is printed: relative to the current directory
/// when it is below it (`/` separators), else as it is.
pub fn shown(p: &Path) -> String {
    relative_to(p, &current_dir())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| crate::discover::display_path(p))
}

/// Compiles one glob with the semantics above.
pub fn glob(s: &str) -> Result<Glob, String> {
    GlobBuilder::new(s.trim_start_matches("./"))
        .literal_separator(true)
        .build()
        .map_err(|e| format!("invalid glob `{s}`: {}", e.kind()))
}

fn set(globs: &[String]) -> Result<Option<GlobSet>, String> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(glob(g)?);
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

/// Discovery filters for `include:`/`exclude:`, relative to the absolute directory `dir`.
pub fn filters(include: &[String], exclude: &[String], dir: &Path) -> Result<Filters, String> {
    Ok(Filters {
        include: set(include)?,
        exclude: set(exclude)?,
        base: Some(absolute(dir)),
    })
}

/// A glob (relative to the configuration file) mapped to files: `parameters:` and `var_files:`.
#[derive(Debug, Clone)]
pub struct PathMapping {
    /// The glob as written; `None` matches every path.
    pub pattern: Option<String>,
    matcher: Option<GlobMatcher>,
    /// The configuration file's directory (absolute).
    pub base: PathBuf,
    /// The files, resolved against `base`.
    pub files: Vec<PathBuf>,
}

impl PathMapping {
    /// A mapping; `files` are resolved against `base`.
    pub fn new(pattern: Option<&str>, files: &[PathBuf], base: &Path) -> Result<Self, String> {
        let matcher = pattern.map(glob).transpose()?.map(|g| g.compile_matcher());
        let base = absolute(base);
        Ok(PathMapping {
            pattern: pattern.map(str::to_string),
            matcher,
            files: files.iter().map(|f| under(&base, f)).collect(),
            base,
        })
    }

    /// True when the mapping applies to `path` (a template file or a Terraform directory, as
    /// discovered: relative to the current directory or absolute).
    pub fn matches(&self, path: &Path) -> bool {
        match &self.matcher {
            None => true,
            Some(m) => relative_to(path, &self.base).is_some_and(|rel| m.is_match(rel)),
        }
    }

    /// The files of every mapping that applies to `path`, in configuration order.
    pub fn files_for(mappings: &[PathMapping], path: &Path) -> Vec<PathBuf> {
        mappings
            .iter()
            .filter(|m| m.matches(path))
            .flat_map(|m| m.files.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_stays_in_one_component_and_double_star_crosses() {
        let g = glob("infra/*.json").unwrap().compile_matcher();
        assert!(g.is_match("infra/a.json"));
        assert!(!g.is_match("infra/x/a.json"));
        let g = glob("**/examples/**").unwrap().compile_matcher();
        assert!(g.is_match("a/examples/x.tf"));
        assert!(g.is_match("examples/x.tf"));
        assert!(!g.is_match("a/example/x.tf"));
        assert!(glob("a/[").is_err());
    }

    #[test]
    fn normalize_applies_parent_components() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(
            under(Path::new("/r"), Path::new("../x")),
            PathBuf::from("/x")
        );
        assert_eq!(
            under(Path::new("/r"), Path::new("/abs")),
            PathBuf::from("/abs")
        );
    }

    #[test]
    fn mappings_match_relative_to_their_base() {
        let cwd = current_dir();
        let m = PathMapping::new(
            Some("infra/*.json"),
            &[PathBuf::from("params/prod.json")],
            &cwd,
        )
        .unwrap();
        assert!(m.matches(Path::new("infra/app.json")));
        assert!(m.matches(&cwd.join("infra/app.json")));
        assert!(!m.matches(Path::new("other/app.json")));
        assert_eq!(m.files, vec![cwd.join("params/prod.json")]);
        let all = PathMapping::new(None, &[PathBuf::from("common.tfvars")], &cwd).unwrap();
        assert!(all.matches(Path::new("anything")));
        let files = PathMapping::files_for(&[m, all], Path::new("infra/app.json"));
        assert_eq!(files.len(), 2);
    }
}
