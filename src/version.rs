//! The version `agwlint --version` prints: the package version, and the commit it was built from
//! when the build knew it (see `build.rs`), as `0.1.0 (1a2b3c4d5e6f 2026-11-23)`.

/// The package version alone (`0.1.0`), as the JSON and SARIF reports carry it.
pub const PACKAGE: &str = env!("CARGO_PKG_VERSION");

/// The commit hash (12 hex digits) the binary was built from, when the build knew it.
pub const COMMIT: Option<&str> = option_env!("AGWLINT_COMMIT_HASH");

/// What `agwlint --version` prints after the program name: `0.1.0`, `0.1.0 (1a2b3c4d5e6f)` or
/// `0.1.0 (1a2b3c4d5e6f 2026-11-23)`.
pub const LONG: &str = env!("AGWLINT_LONG_VERSION");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_version_starts_with_the_package_version_and_names_the_commit_it_knows() {
        assert!(LONG.starts_with(PACKAGE), "{LONG}");
        match COMMIT {
            Some(hash) => {
                assert_eq!(hash.len(), 12, "{hash}");
                assert!(LONG.starts_with(&format!("{PACKAGE} ({hash}")), "{LONG}");
            }
            None => assert_eq!(LONG, PACKAGE),
        }
    }
}
