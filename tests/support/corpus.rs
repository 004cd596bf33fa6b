//! Where the shared corpus of real third-party templates is, for the tests that lint it.
//!
//! `$AGWLINT_CORPUS`, else `../shared/corpus` beside the repository (or two levels up from a
//! worktree). When it is missing, a test must fail in CI (a green run that checked nothing is
//! the failure this project exists to prevent) and may skip with a printed reason only on a
//! developer's machine.

#![allow(dead_code, clippy::panic)]

use std::path::PathBuf;

/// True in CI: `CI` set to anything but `false`/`0`/empty (GitHub Actions, GitLab, `.ci/run`),
/// `TF_BUILD` set (Azure Pipelines), or `AGWLINT_REQUIRE_CORPUS=1`.
pub fn in_ci(var: impl Fn(&str) -> Option<String>) -> bool {
    let set = |k: &str| {
        var(k).is_some_and(|v| {
            let v = v.trim();
            !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false"))
        })
    };
    set("CI") || set("TF_BUILD") || set("AGWLINT_REQUIRE_CORPUS")
}

/// The corpus root whether or not it exists.
pub fn root_candidate(var: impl Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(p) = var("AGWLINT_CORPUS").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        repo.join("../shared/corpus"),
        repo.join("../../shared/corpus"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
    .unwrap_or_else(|| repo.join("../shared/corpus"))
}

/// The corpus directory `sub` (`arm`, `terraform`, or `""` for the root): `Ok(Some)` when
/// present, `Ok(None)` (skip, with the reason printed) outside CI, `Err` in CI.
pub fn locate(sub: &str, var: impl Fn(&str) -> Option<String>) -> Result<Option<PathBuf>, String> {
    let dir = root_candidate(&var).join(sub);
    if dir.is_dir() {
        return Ok(Some(dir));
    }
    let why = format!(
        "the corpus directory {} is missing (set AGWLINT_CORPUS)",
        dir.display()
    );
    if in_ci(&var) {
        Err(format!(
            "{why}: corpus tests cannot pass in CI without the corpus"
        ))
    } else {
        eprintln!("\n*** SKIPPED: {why}; this corpus test checked nothing ***\n");
        Ok(None)
    }
}

/// [`locate`] with the process environment, panicking (failing the test) in CI.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    match locate(sub, |k| std::env::var(k).ok()) {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    }
}
