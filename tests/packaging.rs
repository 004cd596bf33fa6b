//! The version written in the packaging files agrees with Cargo.toml, and the pre-commit hooks
//! and the action declare what the README promises. The packaging itself (wheel, pre-commit run,
//! action script, schemas) is exercised by scripts/ci-packaging.sh; this is the quick part that
//! `cargo test` catches while editing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn yaml(path: &str) -> serde_yaml::Value {
    serde_yaml::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The value of `key = "..."` on its own line in a TOML file (the first one).
fn toml_string(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line
            .strip_prefix(key)?
            .trim_start()
            .strip_prefix('=')?
            .trim();
        Some(rest.strip_prefix('"')?.strip_suffix('"')?.to_string())
    })
}

#[test]
fn pre_commit_shim_pins_the_wheel_of_this_version() {
    let shim = read("pyproject.toml");
    assert_eq!(toml_string(&shim, "version").as_deref(), Some(VERSION));
    let pin = format!("dependencies = [\"agwlint=={VERSION}\"]");
    assert!(
        shim.lines().any(|l| l.trim() == pin),
        "pyproject.toml lacks `{pin}`"
    );
    // The shim must not build agwlint: no maturin backend at the root.
    assert!(
        !shim.contains("build-backend = \"maturin\""),
        "the root pyproject.toml must stay a pure shim"
    );
}

#[test]
fn the_wheel_takes_its_version_from_cargo_and_ships_the_binary() {
    let wheel = read("python/pyproject.toml");
    assert!(wheel.contains("dynamic = [\"version\"]"), "{wheel}");
    assert!(wheel.contains("name = \"agwlint\""), "{wheel}");
    assert!(wheel.contains("bindings = \"bin\""), "{wheel}");
    assert!(
        wheel.contains("manifest-path = \"../Cargo.toml\""),
        "{wheel}"
    );
}

#[test]
fn action_and_azure_template_install_this_version_by_default() {
    let action = yaml("action.yml");
    assert_eq!(
        action["inputs"]["version"]["default"].as_str(),
        Some(VERSION),
        "action.yml input `version` default"
    );
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for input in ["paths", "format", "fail-on", "config", "sarif-file"] {
        assert!(
            action["inputs"].get(input).is_some(),
            "action.yml lacks input {input}"
        );
    }
    let azure = yaml("ci/azure-pipelines/agwlint.yml");
    let params = azure["parameters"].as_sequence().expect("parameters list");
    let version = params
        .iter()
        .find(|p| p["name"].as_str() == Some("version"))
        .expect("a version parameter");
    assert_eq!(version["default"].as_str(), Some(VERSION));
}

#[test]
fn pre_commit_offers_the_rust_and_the_wheel_hook_with_the_same_behaviour() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().expect("a list of hooks");
    let find = |id: &str| {
        hooks
            .iter()
            .find(|h| h["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("no hook {id}"))
            .clone()
    };
    let rust = find("agwlint");
    let wheel = find("agwlint-wheel");
    assert_eq!(rust["language"].as_str(), Some("rust"));
    assert_eq!(wheel["language"].as_str(), Some("python"));
    for key in ["entry", "files", "require_serial", "name"] {
        assert_eq!(rust[key], wheel[key], "hooks differ in {key}");
    }
}

#[test]
fn changelog_states_the_tag_policy_and_has_an_unreleased_section() {
    let changelog = read("CHANGELOG.md");
    assert!(changelog.contains("## Tags and versions"));
    assert!(changelog.contains("## [Unreleased]"));
    // Until the version has its section (it is released), the README's first pre-commit
    // snippet, the one that works today, pins a commit id, not a tag that does not exist.
    if !changelog.contains(&format!("## [{VERSION}]")) {
        let readme = read("README.md");
        let section = &readme[readme.find("## pre-commit").expect("a pre-commit section")..];
        let rev = section
            .lines()
            .find_map(|l| l.trim().strip_prefix("rev: "))
            .expect("a rev in the first snippet");
        let rev = rev.split_whitespace().next().unwrap_or_default();
        assert!(
            rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
            "the first pre-commit snippet pins {rev}, not a commit id, before v{VERSION} exists"
        );
    }
}

#[test]
fn release_profile_strips_and_profiling_keeps_line_tables() {
    let cargo = read("Cargo.toml");
    let section = |name: &str| {
        let start = cargo
            .find(&format!("[profile.{name}]"))
            .unwrap_or_else(|| panic!("no [profile.{name}]"));
        let rest = &cargo[start + 1..];
        rest[..rest.find("\n[").unwrap_or(rest.len())].to_string()
    };
    let release = section("release");
    assert!(release.contains("debug = false"), "{release}");
    assert!(release.contains("strip = true"), "{release}");
    let profiling = section("profiling");
    assert!(profiling.contains("inherits = \"release\""), "{profiling}");
    assert!(
        profiling.contains("debug = \"line-tables-only\""),
        "{profiling}"
    );
}
