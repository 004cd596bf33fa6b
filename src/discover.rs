//! Discovery: paths on the command line → ARM template candidates and Terraform directories.
//!
//! `.git`, `.terraform` and `node_modules` are never entered; symlinks are followed with loop
//! detection (walkdir reports a loop as an error for that entry, which is skipped).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

use crate::frontend::terraform::TfDir;

/// Directories never entered.
const SKIP_DIRS: &[&str] = &[".git", ".terraform", "node_modules"];

/// Largest file read (bigger files are reported as AGW000 by the front-end, not read).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A JSON file that may be an ARM template.
#[derive(Debug, Clone)]
pub struct JsonInput {
    /// The file.
    pub path: PathBuf,
    /// How it is printed.
    pub display: String,
    /// True when the user named the file itself (then a non-template is reported in
    /// `--verbose`, and a broken file is always AGW000).
    pub explicit: bool,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Inputs {
    /// JSON files (candidates; the ARM front-end decides).
    pub json: Vec<JsonInput>,
    /// Directories that contain `*.tf` (or OpenTofu `*.tofu`) files.
    pub tf_dirs: Vec<TfDir>,
    /// Paths that could not be read or do not exist.
    pub errors: Vec<String>,
}

/// Include/exclude globs applied during discovery (relative to `base`).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// When set, only files matching one of these are linted.
    pub include: Option<GlobSet>,
    /// Files or directories matching one of these are skipped.
    pub exclude: Option<GlobSet>,
    /// The directory globs are relative to.
    pub base: Option<PathBuf>,
}

impl Filters {
    /// Builds filters from glob strings; an invalid glob is an error naming it.
    pub fn new(
        include: &[String],
        exclude: &[String],
        base: Option<PathBuf>,
    ) -> Result<Self, String> {
        fn build(globs: &[String]) -> Result<Option<GlobSet>, String> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {e}"))?);
            }
            b.build().map(Some).map_err(|e| e.to_string())
        }
        Ok(Filters {
            include: build(include)?,
            exclude: build(exclude)?,
            base,
        })
    }

    fn rel<'a>(&self, p: &'a Path) -> std::borrow::Cow<'a, Path> {
        let p = p.strip_prefix(".").unwrap_or(p);
        match &self.base {
            // An absolute base (the configuration file's directory) is compared with the
            // absolute form of the path, so globs stay relative to the configuration file
            // whatever the current directory is.
            Some(b) if b.is_absolute() && p.is_relative() => {
                let abs = crate::config::paths::absolute(p);
                match abs.strip_prefix(b) {
                    Ok(r) => std::borrow::Cow::Owned(r.to_path_buf()),
                    Err(_) => std::borrow::Cow::Owned(abs),
                }
            }
            Some(b) => std::borrow::Cow::Borrowed(p.strip_prefix(b).unwrap_or(p)),
            None => std::borrow::Cow::Borrowed(p),
        }
    }

    fn excluded(&self, p: &Path) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|g| g.is_match(self.rel(p)))
    }

    fn included(&self, p: &Path) -> bool {
        self.include
            .as_ref()
            .is_none_or(|g| g.is_match(self.rel(p)))
    }
}

/// The printed form of a path: as given, `/` separators, no leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let mut t = s.as_str();
    while let Some(rest) = t.strip_prefix("./") {
        t = rest;
    }
    if t.is_empty() {
        ".".to_string()
    } else {
        t.to_string()
    }
}

fn is_skipped_dir(name: &str) -> bool {
    SKIP_DIRS.contains(&name)
}

/// Walks the given paths. Files named explicitly are taken whatever their directory.
pub fn discover(paths: &[PathBuf], filters: &Filters) -> Inputs {
    let mut out = Inputs::default();
    let mut tf_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut seen_json: BTreeSet<PathBuf> = BTreeSet::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(format!("{}: {e}", display_path(root)));
                continue;
            }
        };
        if meta.is_file() {
            let ext = root.extension().and_then(|e| e.to_str()).unwrap_or("");
            match ext {
                "tf" | "tofu" | "tfvars" => {
                    let dir = root
                        .parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
                    tf_dirs.insert(dir);
                }
                _ => {
                    if seen_json.insert(root.clone()) {
                        out.json.push(JsonInput {
                            path: root.clone(),
                            display: display_path(root),
                            explicit: true,
                        });
                    }
                }
            }
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                let name = e.file_name().to_string_lossy();
                !(filters.excluded(e.path()) || e.file_type().is_dir() && is_skipped_dir(&name))
            });
        for entry in walker {
            // Errors here are permission problems or symlink loops: skip the entry.
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_file() {
                continue;
            }
            let p = entry.path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !filters.included(p) {
                continue;
            }
            match ext {
                "tf" | "tofu" => {
                    if let Some(dir) = p.parent() {
                        tf_dirs.insert(dir.to_path_buf());
                    }
                }
                "json" if seen_json.insert(p.to_path_buf()) => out.json.push(JsonInput {
                    path: p.to_path_buf(),
                    display: display_path(p),
                    explicit: false,
                }),
                _ => {}
            }
        }
    }
    out.tf_dirs = tf_dirs
        .into_iter()
        .map(|p| TfDir {
            display: display_path(&p),
            path: p,
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_drop_dot_slash_and_use_forward_slashes() {
        assert_eq!(display_path(Path::new("./a/b.json")), "a/b.json");
        assert_eq!(display_path(Path::new("infra/x.tf")), "infra/x.tf");
        assert_eq!(display_path(Path::new(".")), ".");
    }

    #[test]
    fn walk_skips_vendor_dirs_and_finds_tf_dirs() {
        let tmp = std::env::temp_dir().join(format!("agwlint-disc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join(".terraform/modules/x")).unwrap();
        std::fs::create_dir_all(tmp.join("node_modules/p")).unwrap();
        std::fs::create_dir_all(tmp.join("mod")).unwrap();
        std::fs::write(tmp.join(".terraform/modules/x/main.tf"), "").unwrap();
        std::fs::write(tmp.join("node_modules/p/package.json"), "{}").unwrap();
        std::fs::write(tmp.join("mod/main.tf"), "").unwrap();
        std::fs::write(tmp.join("t.json"), "{}").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&tmp, tmp.join("mod/loop")).unwrap();
        let found = discover(std::slice::from_ref(&tmp), &Filters::default());
        assert_eq!(found.tf_dirs.len(), 1, "{:?}", found.tf_dirs);
        assert!(found.tf_dirs[0].path.ends_with("mod"));
        assert_eq!(found.json.len(), 1);
        let excl = Filters::new(&[], &["mod/**".into()], Some(tmp.clone())).unwrap();
        assert!(
            discover(std::slice::from_ref(&tmp), &excl)
                .tf_dirs
                .is_empty()
        );
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
