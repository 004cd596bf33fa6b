//! Records the commit agwlint is built from, for `agwlint --version`.
//!
//! Sources, first found wins: the `AGWLINT_COMMIT` environment variable (release builds that
//! start from an archive), a git checkout of this crate (`git rev-parse`, when `.git` sits in
//! the crate directory, so a packaged crate unpacked inside another repository does not pick up
//! that repository's commit), and `.cargo_vcs_info.json`, which `cargo package` writes into the
//! `.crate` file. Without any of them the version is the plain package version; a missing git
//! binary or a broken checkout never fails the build.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=AGWLINT_COMMIT");
    println!("cargo:rerun-if-changed=build.rs");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let dir = Path::new(&dir);
    let commit = from_env()
        .or_else(|| from_git(dir))
        .or_else(|| from_vcs_info(dir));
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let long = match &commit {
        Some((hash, Some(date))) => format!("{version} ({hash} {date})"),
        Some((hash, None)) => format!("{version} ({hash})"),
        None => version,
    };
    if let Some((hash, _)) = &commit {
        println!("cargo:rustc-env=AGWLINT_COMMIT_HASH={hash}");
    }
    println!("cargo:rustc-env=AGWLINT_LONG_VERSION={long}");
}

/// A full or short hash, as the release workflow passes it; no date.
fn from_env() -> Option<(String, Option<String>)> {
    let value = std::env::var("AGWLINT_COMMIT").ok()?;
    let hash = short(value.trim())?;
    Some((hash, None))
}

fn from_git(dir: &Path) -> Option<(String, Option<String>)> {
    if !dir.join(".git").exists() {
        return None;
    }
    // Rebuild when HEAD moves: the worktree's HEAD file, and the branch it points at (loose or
    // packed).
    for what in ["HEAD", "packed-refs"] {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", what]) {
            watch(&dir.join(path));
        }
    }
    if let Some(refname) = git(dir, &["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(dir, &["rev-parse", "--git-path", &refname])
    {
        watch(&dir.join(path));
    }
    let hash = short(&git(dir, &["rev-parse", "HEAD"])?)?;
    let date = git(dir, &["log", "-1", "--format=%cs", "HEAD"]);
    Some((hash, date))
}

fn from_vcs_info(dir: &Path) -> Option<(String, Option<String>)> {
    let path = dir.join(".cargo_vcs_info.json");
    watch(&path);
    let text = std::fs::read_to_string(path).ok()?;
    // {"git": {"sha1": "<40 hex>"}, "path_in_vcs": ""}: no JSON parser needed for one field.
    let start = text.find("\"sha1\"")? + "\"sha1\"".len();
    let rest = &text[start..];
    let open = rest.find('"')? + 1;
    let close = open + rest[open..].find('"')?;
    Some((short(&rest[open..close])?, None))
}

/// Rebuild when `path` changes. Only existing files are watched: cargo reruns a build script on
/// every build while a watched path is missing, which would recompile the crate each time.
fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// The first 12 hex digits, or nothing for a value that is not a hash.
fn short(hash: &str) -> Option<String> {
    let ok = hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit());
    ok.then(|| hash.chars().take(12).collect())
}
