//! Reading a Functions project's files, confined to the scan root.
//!
//! Every path read here comes from repository content (`azure.yaml` `project:`, `apps:` of the
//! configuration, a walk of the project directory), so it is read only through the one
//! confined reader of the source map ([`SourceMap::read_confined`]): a symlink or a `../` that
//! leaves the scan root, or a file that is not a regular file, is refused.

use crate::source::{PathOrigin, ReadFile, SourceMap};
use std::path::Path;

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
    ".python_packages",
    ".mypy_cache",
    ".pytest_cache",
    ".tox",
    ".gradle",
    ".idea",
    "dist",
    "target",
    ".vscode",
    ".azure",
    "__blobstorage__",
    "__queuestorage__",
];

/// Reads a text file named by repository content through the shared confined reader
/// ([`SourceMap::read_confined`]: inside the scan root, a regular file, the editor's overlay
/// when one is open). `Err` says why not. The [`ReadFile`] goes to [`SourceMap::add_read`]
/// when the text is kept.
pub fn read_text(sources: &SourceMap, p: &Path) -> Result<(String, ReadFile), String> {
    let mut read = sources
        .read_confined(p, PathOrigin::Content, MAX_APP_FILE_BYTES)
        .map_err(|r| r.reason())?;
    let text = String::from_utf8(std::mem::take(&mut read.bytes))
        .map_err(|_| "is not UTF-8 text".to_string())?;
    Ok((text, read))
}

/// Whether a project's `host.json` exists inside the scan root.
pub fn has_host_json(sources: &SourceMap, dir: &Path) -> bool {
    sources.confined_file(&dir.join("host.json")).is_ok()
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
        let sources = SourceMap::new();
        sources.set_scan_roots(&[tmp.join("root")]);
        let text = |m: &SourceMap, p: &Path| read_text(m, p).map(|(t, _)| t);
        assert_eq!(text(&sources, &tmp.join("root/src/a.py")).unwrap(), "y");
        assert!(text(&sources, &tmp.join("root/../secret.txt")).is_err());
        // An editor's buffer replaces the disk content inside the root, never outside it.
        let real = std::fs::canonicalize(tmp.join("root/src/a.py")).unwrap();
        let secret = std::fs::canonicalize(tmp.join("secret.txt")).unwrap();
        let overlays: crate::source::Overlays = [(real, "buffer".into()), (secret, "z".into())]
            .into_iter()
            .collect();
        let with = SourceMap::new();
        with.set_scan_roots(&[tmp.join("root")]);
        with.set_overlays(std::sync::Arc::new(overlays));
        assert_eq!(text(&with, &tmp.join("root/src/a.py")).unwrap(), "buffer");
        assert!(text(&with, &tmp.join("root/../secret.txt")).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.join("secret.txt"), tmp.join("root/src/link.py"))
                .unwrap();
            assert!(text(&sources, &tmp.join("root/src/link.py")).is_err());
        }
        assert!(has_host_json(&sources, &tmp.join("root/..")) == tmp.join("host.json").is_file());
        assert!(in_skipped_dir(Path::new("src/bin/Debug/host.json")));
        assert!(!in_skipped_dir(Path::new("src/api/host.json")));
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
