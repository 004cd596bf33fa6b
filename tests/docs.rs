//! The documentation tells the truth (issue 12, point 10 and "Done means"): every relative link
//! of README.md and rules/*.md resolves (file and anchor), every repository path the README,
//! `--help` and .pre-commit-hooks.yaml name exists, the minimum Rust version is stated as
//! Cargo.toml has it and covers the dependencies, the rule pages list the options the rules
//! accept (and no others), and every README command block marked runnable does what it says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::new();
    for l in markdown.lines() {
        if l.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && l.starts_with('#') {
            out.push(slug(l.trim_start_matches('#')));
        }
    }
    out
}

/// The targets of `[text](target)` links outside code blocks and code spans.
fn links(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::new();
    for l in markdown.lines() {
        if l.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        // Drop code spans: `[x](y)` inside backticks is not a link.
        let text: String = l.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].trim().to_string());
            rest = &after[end..];
        }
    }
    out
}

/// Checks one `file#anchor` (or `#anchor`) reference made from `from`.
fn check_reference(from: &Path, target: &str) -> Result<(), String> {
    let (file, anchor) = match target.split_once('#') {
        Some((f, a)) => (f, Some(a)),
        None => (target, None),
    };
    let path = if file.is_empty() {
        from.to_path_buf()
    } else {
        from.parent().unwrap().join(file)
    };
    if !path.exists() {
        return Err(format!(
            "{}: `{target}`: {} does not exist",
            from.display(),
            path.display()
        ));
    }
    if let Some(a) = anchor
        && path.extension().is_some_and(|e| e == "md")
        && !anchors(&read(&path)).iter().any(|h| h == a)
    {
        return Err(format!("{}: `{target}`: no heading #{a}", from.display()));
    }
    Ok(())
}

fn docs() -> Vec<PathBuf> {
    let mut v = vec![repo().join("README.md")];
    let mut rules: Vec<PathBuf> = std::fs::read_dir(repo().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    rules.sort();
    v.extend(rules);
    v
}

#[test]
fn relative_links_in_readme_and_rule_pages_resolve() {
    let mut bad = Vec::new();
    let mut checked = 0;
    for doc in docs() {
        for target in links(&read(&doc)) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            if let Err(e) = check_reference(&doc, &target) {
                bad.push(e);
            }
        }
    }
    assert!(
        checked > 40,
        "only {checked} links found: is the parser broken?"
    );
    assert!(bad.is_empty(), "broken links:\n{}", bad.join("\n"));
}

#[test]
fn the_checker_finds_broken_links_and_anchors() {
    let readme = repo().join("README.md");
    assert!(check_reference(&readme, "BENCHMARKS.md").is_ok());
    assert!(check_reference(&readme, "#json-output").is_ok());
    assert!(check_reference(&readme, "rules/AGW010.md").is_ok());
    assert!(check_reference(&readme, "DESIGN.md").is_err());
    assert!(check_reference(&readme, "#no-such-heading").is_err());
    assert_eq!(slug(" Parameter and var files."), "parameter-and-var-files");
    assert_eq!(links("see [a](b.md) and `[c](d)`"), vec!["b.md"]);
}

/// Backticked words that are repository paths: they start with a top-level entry of the
/// repository and hold no placeholder.
fn repo_paths(text: &str) -> Vec<String> {
    const TOP: &[&str] = &[
        "src/",
        "tests/",
        "testdata/",
        "scripts/",
        "rules/",
        ".ci/",
        "examples/",
        "fuzz/",
    ];
    let mut out = Vec::new();
    for (i, span) in text.split('`').enumerate() {
        if i % 2 == 0 {
            continue;
        }
        let p = span.trim();
        let placeholder =
            p.contains("nnn") || p.contains(['<', '{', '*', ' ', '|']) || p.contains("...");
        let top = TOP.iter().any(|t| p.starts_with(t))
            || (!p.contains('/')
                && p.ends_with(".md")
                && p.chars().next().is_some_and(char::is_uppercase));
        if top && !placeholder {
            out.push(p.trim_end_matches('/').to_string());
        }
    }
    out
}

fn help(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn files_the_readme_help_and_hooks_name_exist() {
    let readme = read(&repo().join("README.md"));
    let mut named = repo_paths(&readme);
    assert!(named.len() > 5, "{named:?}");
    // Documents named in prose (`see DESIGN.md`), outside links.
    for word in readme.split(|c: char| c.is_whitespace() || "()[]`,;:".contains(c)) {
        let w = word.trim_end_matches('.');
        if w.ends_with(".md")
            && !w.contains('/')
            && w.chars().next().is_some_and(char::is_uppercase)
        {
            named.push(w.to_string());
        }
    }
    let mut missing: Vec<String> = named
        .iter()
        .filter(|p| !repo().join(p).exists())
        .cloned()
        .collect();
    // --help names no document that does not exist.
    for args in [&["--help"][..], &["lint", "--help"], &["init", "--help"]] {
        let text = help(args);
        for word in text.split_whitespace() {
            let w = word
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '/' && c != '#');
            if w.contains(".md")
                && let Err(e) = check_reference(&repo().join("README.md"), w)
            {
                missing.push(format!("agwlint {}: {e}", args.join(" ")));
            }
        }
    }
    // .pre-commit-hooks.yaml: its `See FILE#anchor` pointer.
    let hooks = read(&repo().join(".pre-commit-hooks.yaml"));
    let see: Vec<&str> = hooks
        .split_whitespace()
        .filter(|w| w.contains(".md"))
        .map(|w| w.trim_matches(|c: char| "().,:;'\"`".contains(c)))
        .collect();
    assert!(!see.is_empty(), "the hook file points to its documentation");
    for s in see {
        if let Err(e) = check_reference(&repo().join("README.md"), s) {
            missing.push(format!(".pre-commit-hooks.yaml: {e}"));
        }
    }
    assert!(missing.is_empty(), "missing:\n{}", missing.join("\n"));
}

/// Cargo.toml's `rust-version`.
fn rust_version() -> String {
    let toml = read(&repo().join("Cargo.toml"));
    toml.lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim_matches('"').to_string())
        .expect("rust-version in Cargo.toml")
}

fn version_key(v: &str) -> Vec<u32> {
    v.split('.').map(|x| x.parse().unwrap_or(0)).collect()
}

#[test]
fn the_minimum_rust_version_is_stated_and_covers_the_dependencies() {
    let msrv = rust_version();
    let readme = read(&repo().join("README.md"));
    assert!(
        readme.contains(&format!("Rust {msrv} or newer")),
        "README must state `Rust {msrv} or newer`"
    );
    // The host's dependency graph only: `--offline` fails on a fresh cargo home, where
    // Windows-only packages (anstyle-wincon) were never downloaded by the build, and
    // `--filter-platform` still reads their manifests; `--locked` keeps Cargo.lock as it is.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let vv = Command::new(rustc).arg("-vV").output().unwrap();
    let host = String::from_utf8_lossy(&vv.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc -vV names the host");
    let o = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .args(["--filter-platform", &host])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Every package the build resolves, normal dependencies of agwlint transitively.
    let nodes = meta["resolve"]["nodes"].as_array().unwrap();
    let node = |id: &str| nodes.iter().find(|n| n["id"] == id).unwrap();
    let root = meta["resolve"]["root"].as_str().unwrap().to_string();
    let mut seen = vec![root.clone()];
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for d in node(&id)["deps"].as_array().unwrap() {
            let normal = d["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null());
            let pkg = d["pkg"].as_str().unwrap().to_string();
            if normal && !seen.contains(&pkg) {
                seen.push(pkg.clone());
                stack.push(pkg);
            }
        }
    }
    let mut newer = Vec::new();
    for p in meta["packages"].as_array().unwrap() {
        let (Some(id), Some(rv)) = (p["id"].as_str(), p["rust_version"].as_str()) else {
            continue;
        };
        if seen.iter().any(|s| s == id) && version_key(rv) > version_key(&msrv) {
            newer.push(format!("{} {} needs Rust {rv}", p["name"], p["version"]));
        }
    }
    assert!(
        newer.is_empty(),
        "rust-version {msrv} is too old:\n{}",
        newer.join("\n")
    );
}

#[test]
fn rule_pages_list_exactly_the_options_the_rules_accept() {
    let mut bad = Vec::new();
    for rule in agwlint::rules::REGISTRY {
        let m = rule.meta();
        let fields = rule.options().fields;
        let section = m
            .page
            .split("## Options")
            .nth(1)
            .map(|s| s.split("\n## ").next().unwrap_or_default().to_string());
        match (fields.is_empty(), &section) {
            (true, None) => {}
            // The section may explain `assume:` facts, which are not rule options.
            (true, Some(s)) if !s.contains("rules:") => {}
            (true, Some(_)) => bad.push(format!(
                "{}: page shows `rules:` options but the rule takes none",
                m.id
            )),
            (false, None) => bad.push(format!("{}: options {fields:?} not on its page", m.id)),
            (false, Some(s)) => {
                for f in fields {
                    if !s.contains(f) {
                        bad.push(format!("{}: option `{f}` not on its page", m.id));
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// One README block marked `<!-- runnable: exit=A,B,... -->`: its command lines and the exit
/// code each must end with.
struct Runnable {
    line: usize,
    commands: Vec<String>,
    exits: Vec<i32>,
}

fn runnable_blocks(readme: &str) -> Vec<Runnable> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(spec) = l
            .trim()
            .strip_prefix("<!-- runnable: exit=")
            .and_then(|s| s.strip_suffix(" -->"))
        else {
            continue;
        };
        let exits: Vec<i32> = spec.split(',').map(|x| x.trim().parse().unwrap()).collect();
        assert!(
            lines.get(i + 1).is_some_and(|f| f.starts_with("```sh")),
            "README.md:{}: a runnable marker must precede a ```sh block",
            i + 1
        );
        let commands: Vec<String> = lines[i + 2..]
            .iter()
            .take_while(|c| !c.starts_with("```"))
            .filter(|c| !c.trim().is_empty() && !c.trim_start().starts_with('#'))
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            commands.len(),
            exits.len(),
            "README.md:{}: one exit code per command",
            i + 1
        );
        out.push(Runnable {
            line: i + 1,
            commands,
            exits,
        });
    }
    out
}

/// Runs every command of every runnable README block literally (`sh -c`) from the repository
/// root, with the built `agwlint` first on PATH, and checks its exit code.
#[test]
fn readme_runnable_blocks_do_what_they_say() {
    let readme = read(&repo().join("README.md"));
    let blocks = runnable_blocks(&readme);
    assert!(
        blocks.len() >= 2,
        "the quick start and the examples are runnable"
    );
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_agwlint")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut bad = Vec::new();
    for b in &blocks {
        for (cmd, want) in b.commands.iter().zip(&b.exits) {
            let o = Command::new("sh")
                .args(["-c", cmd])
                .current_dir(repo())
                .env("PATH", &path)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let code = o.status.code().unwrap_or(-1);
            let out = String::from_utf8_lossy(&o.stdout);
            if code != *want || out.trim().is_empty() {
                bad.push(format!(
                    "README.md:{}: `{cmd}` exited {code} (README says {want}), stdout {} bytes\n{}",
                    b.line,
                    out.len(),
                    String::from_utf8_lossy(&o.stderr)
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
