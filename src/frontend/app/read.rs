//! Reading a Functions project's files, confined to the scan root.
//!
//! Every path read here comes from repository content (`azure.yaml` `project:`, `apps:` of the
//! configuration, a walk of the project directory), so it is only read when its canonical form
//! lies inside the canonical scan root it was found under: a symlink or a `../` that leaves
//! the root is refused.

use std::path::{Path, PathBuf};

/// Largest code or settings file read (bigger files are not read; the project is then
/// incomplete).
pub const MAX_APP_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Directories never entered when walking a project: build output, dependencies, caches.
pub const SKIP_DIRS: &[&str] = &[
    ".git",
    ".terraform",
    "node_modules",
    "bin",
    "obj",
    ".venv",
    "venv",
    "__pycache__",
    "dist",
    "target",
    ".vscode",
    ".azure",
    "__blobstorage__",
    "__queuestorage__",
];

/// The canonical roots of a scan: the directories given, or the parent of a file given.
#[derive(Debug, Clone, Default)]
pub struct Roots(
    Vec<PathBuf>,
    Option<std::sync::Arc<crate::source::Overlays>>,
);

impl Roots {
    /// The canonical forms of the scanned paths (paths that cannot be resolved are dropped).
    pub fn new(paths: &[PathBuf]) -> Self {
        let mut v: Vec<PathBuf> = paths
            .iter()
            .filter_map(|p| {
                let c = std::fs::canonicalize(p).ok()?;
                if c.is_dir() {
                    Some(c)
                } else {
                    c.parent().map(Path::to_path_buf)
                }
            })
            .collect();
        v.sort();
        v.dedup();
        Roots(v, None)
    }

    /// The same roots, reading the open buffers of an editor in place of the disk
    /// ([`crate::source::SourceMap::set_overlays`]).
    pub fn with_overlays(
        mut self,
        overlays: Option<std::sync::Arc<crate::source::Overlays>>,
    ) -> Self {
        self.1 = overlays;
        self
    }

    /// The canonical form of `p` when it exists and lies inside one of the roots.
    pub fn confine(&self, p: &Path) -> Option<PathBuf> {
        let c = std::fs::canonicalize(p).ok()?;
        self.0.iter().any(|r| c.starts_with(r)).then_some(c)
    }
}

/// Reads a text file inside the roots. `Err` explains why not (outside the root, too large,
/// unreadable, not UTF-8).
pub fn read_text(roots: &Roots, p: &Path) -> Result<String, String> {
    let Some(c) = roots.confine(p) else {
        return Err("outside the scan root or missing".into());
    };
    let too_large = || format!("larger than {} MiB", MAX_APP_FILE_BYTES / (1024 * 1024));
    // Checked before opening: opening a FIFO blocks until a writer comes.
    if !std::fs::metadata(&c).is_ok_and(|m| m.is_file()) {
        return Err("not a regular file".into());
    }
    if let Some(text) = roots.1.as_ref().and_then(|o| o.get(&c)) {
        if text.len() as u64 > MAX_APP_FILE_BYTES {
            return Err(too_large());
        }
        return Ok(text.to_string());
    }
    let file = std::fs::File::open(&c).map_err(|e| e.to_string())?;
    // The handle itself must be a regular file: a FIFO or device inside the root would block
    // or never end.
    match file.metadata() {
        Ok(m) if m.is_file() && m.len() > MAX_APP_FILE_BYTES => return Err(too_large()),
        Ok(m) if m.is_file() => {}
        _ => return Err("not a regular file".into()),
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_APP_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_APP_FILE_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// True when a path component is a directory the project walk skips (a `host.json` copied
/// into `bin/` is not a project).
pub fn in_skipped_dir(p: &Path) -> bool {
    p.components().any(|c| {
        c.as_os_str()
            .to_str()
            .is_some_and(|s| SKIP_DIRS.contains(&s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_root_are_refused() {
        let tmp = std::env::temp_dir().join(format!("agwlint-app-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("root/src")).unwrap();
        std::fs::write(tmp.join("secret.txt"), "x").unwrap();
        std::fs::write(tmp.join("root/src/a.py"), "y").unwrap();
        let roots = Roots::new(&[tmp.join("root")]);
        assert_eq!(read_text(&roots, &tmp.join("root/src/a.py")).unwrap(), "y");
        assert!(read_text(&roots, &tmp.join("root/../secret.txt")).is_err());
        // An editor's buffer replaces the disk content inside the root, never outside it.
        let real = std::fs::canonicalize(tmp.join("root/src/a.py")).unwrap();
        let secret = std::fs::canonicalize(tmp.join("secret.txt")).unwrap();
        let overlays: crate::source::Overlays = [(real, "buffer".into()), (secret, "z".into())]
            .into_iter()
            .collect();
        let with = roots
            .clone()
            .with_overlays(Some(std::sync::Arc::new(overlays)));
        assert_eq!(
            read_text(&with, &tmp.join("root/src/a.py")).unwrap(),
            "buffer"
        );
        assert!(read_text(&with, &tmp.join("root/../secret.txt")).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.join("secret.txt"), tmp.join("root/src/link.py"))
                .unwrap();
            assert!(read_text(&roots, &tmp.join("root/src/link.py")).is_err());
        }
        assert!(in_skipped_dir(Path::new("src/bin/Debug/host.json")));
        assert!(!in_skipped_dir(Path::new("src/api/host.json")));
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
