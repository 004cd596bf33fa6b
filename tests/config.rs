//! `.agwlint.yaml`: precedence (flags over file over defaults), globs, errors with spans
//! (miette rendering snapshotted), discovery of the file, `agwlint init`.

// Helpers outside #[test] functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use agwlint::LintOptions;
use agwlint::cli::FailOn;
use agwlint::config::{self, ConfigArgs, load};
use agwlint::finding::Severity;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-cfg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join(".git")).unwrap();
    d
}

fn write(path: &Path, text: impl AsRef<[u8]>) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn configure(dir: &Path, yaml: &str, args: ConfigArgs) -> (LintOptions, config::Resolved) {
    let path = dir.join(".agwlint.yaml");
    write(&path, yaml);
    let mut opts = LintOptions::default();
    let args = ConfigArgs {
        config: Some(path),
        ..args
    };
    let r = config::configure(&args, &mut opts)
        .map_err(|e| e.render(false))
        .unwrap();
    (opts, r)
}

#[test]
fn defaults_without_a_file_enable_every_rule() {
    let opts = LintOptions::default();
    for m in agwlint::rules::all_meta() {
        assert!(opts.rules.enabled(m.id), "{}", m.id);
        assert_eq!(opts.rules.severity(m.id), None);
    }
}

#[test]
fn file_settings_select_ignore_severity_options_assume() {
    let d = tmp("file");
    let (opts, r) = configure(
        &d,
        "select: [AGW0]\nignore: [app-service-host-header-not-set]\nrules:\n  AGW006:\n    severity: info\n  AGW003:\n    min_instances: 3\n  dangling-or-missing-reference: warning\n  AGW001: off\nassume:\n  network_isolation: true\nfail_on: error\nbaseline: sub/base.json\n",
        ConfigArgs {
            write_baseline: Some(d.join("new.json")),
            ..ConfigArgs::default()
        },
    );
    let rs = &opts.rules;
    assert!(!rs.enabled("AGW010"), "ignored by name");
    assert!(!rs.enabled("AGW001"), "off");
    assert!(rs.enabled("AGW006") && rs.enabled("AGW023") && rs.enabled("AGW000"));
    assert!(!rs.enabled("AGW900"), "not selected by AGW0");
    assert_eq!(rs.severity("AGW006"), Some(Severity::Info));
    assert_eq!(rs.severity("AGW023"), Some(Severity::Warning));
    assert_eq!(
        rs.options("AGW003"),
        Some(&serde_json::json!({"min_instances": 3}))
    );
    assert_eq!(rs.options("AGW006"), None);
    assert_eq!(rs.options("AGW023"), None);
    assert!(opts.assume.network_isolation && !opts.assume.dns_resolves_private_link);
    assert_eq!(r.fail_on, Some(FailOn::Error));
    // Relative to the configuration file's directory.
    assert_eq!(r.baseline, Some(d.join("sub/base.json")));
    // Not read when writing a new baseline.
    assert!(opts.baseline.is_none());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn flags_replace_the_files_select_and_ignore() {
    let d = tmp("flags");
    let yaml = "select: [AGW01]\nignore: [AGW010]\nrules:\n  AGW023: off\n";
    let (opts, _) = configure(&d, yaml, ConfigArgs::default());
    assert!(opts.rules.enabled("AGW000"), "parse errors survive select");
    assert!(!opts.rules.enabled("AGW006") && !opts.rules.enabled("AGW010"));
    let (opts, _) = configure(
        &d,
        yaml,
        ConfigArgs {
            select: vec!["AGW006".into(), "AGW02".into()],
            ..ConfigArgs::default()
        },
    );
    assert!(opts.rules.enabled("AGW006"));
    assert!(!opts.rules.enabled("AGW001"));
    assert!(!opts.rules.enabled("AGW010"), "still ignored by the file");
    assert!(
        !opts.rules.enabled("AGW023"),
        "a prefix does not undo `off`"
    );
    let (opts, _) = configure(
        &d,
        yaml,
        ConfigArgs {
            select: vec!["dangling-or-missing-reference".into(), "AGW010".into()],
            ignore: vec!["AGW006".into()],
            ..ConfigArgs::default()
        },
    );
    assert!(
        opts.rules.enabled("AGW023"),
        "named on the command line wins over `off`"
    );
    assert!(
        opts.rules.enabled("AGW010"),
        "--ignore replaced the file's ignore"
    );
    assert!(!opts.rules.enabled("AGW001"), "only AGW023 is selected");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_flag_selector_is_an_error() {
    let d = tmp("badflag");
    write(&d.join(".agwlint.yaml"), "");
    let mut opts = LintOptions::default();
    let e = config::configure(
        &ConfigArgs {
            config: Some(d.join(".agwlint.yaml")),
            ignore: vec!["XYZ".into()],
            ..ConfigArgs::default()
        },
        &mut opts,
    )
    .unwrap_err();
    assert!(
        e.message.starts_with("--ignore `XYZ` is neither"),
        "{}",
        e.message
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn parameter_and_var_file_mappings_are_relative_to_the_file() {
    let d = tmp("maps");
    let (opts, _) = configure(
        &d,
        "parameters:\n  \"infra/*.json\": params/prod.json\n  \"infra/**/*.json\": [a.json, b.json]\nvar_files:\n  - common.tfvars\n",
        ConfigArgs::default(),
    );
    let pm = &opts.frontend.parameter_map;
    let files = config::PathMapping::files_for(pm, &d.join("infra/main.json"));
    assert_eq!(
        files,
        vec![
            d.join("a.json"),
            d.join("b.json"),
            d.join("params/prod.json")
        ]
    );
    assert_eq!(
        config::PathMapping::files_for(pm, &d.join("infra/x/y.json")),
        vec![d.join("a.json"), d.join("b.json")]
    );
    assert!(config::PathMapping::files_for(pm, &d.join("other/main.json")).is_empty());
    let vf = &opts.frontend.var_file_map;
    assert_eq!(
        config::PathMapping::files_for(vf, &d.join("envs/prod")),
        vec![d.join("common.tfvars")]
    );
    let (opts, _) = configure(
        &d,
        "var_files:\n  \"envs/*\": envs/common.tfvars\n",
        ConfigArgs::default(),
    );
    let vf = &opts.frontend.var_file_map;
    assert_eq!(
        config::PathMapping::files_for(vf, &d.join("envs/prod")),
        vec![d.join("envs/common.tfvars")]
    );
    assert!(config::PathMapping::files_for(vf, &d.join("envs/prod/sub")).is_empty());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn empty_and_comment_only_files_are_defaults() {
    for text in ["", "# nothing\n", "---\n", "rules:\nselect:\n"] {
        let c = load::parse(".agwlint.yaml", text).unwrap();
        assert!(c.rules.is_empty() && c.select.is_empty(), "{text:?}");
    }
}

fn bad(text: &str) -> load::ConfigError {
    load::parse("repo/.agwlint.yaml", text).unwrap_err()
}

#[test]
fn unknown_top_level_key_points_at_the_key() {
    let e = bad("rules:\n  AGW010: off\nselect: [AGW01]\nrulez:\n  AGW006: off\n");
    assert_eq!(e.position, Some((4, 1)));
    insta::assert_snapshot!("unknown_top_level_key", e.render(false));
}

#[test]
fn unknown_nested_key_points_at_the_key() {
    let e = bad("assume:\n  network_isolation: true\n  dns_resolve_private_link: true\n");
    assert_eq!(e.position, Some((3, 3)));
    insta::assert_snapshot!("unknown_nested_key", e.render(false));
}

#[test]
fn unknown_rule_points_at_the_rule() {
    let e = bad("rules:\n  AGW010: off\n  AGW999: warning\n");
    assert_eq!(e.position, Some((3, 3)));
    insta::assert_snapshot!("unknown_rule", e.render(false));
}

#[test]
fn unknown_rule_option_points_at_the_key() {
    let e = bad("rules:\n  AGW003:\n    severity: error\n    min_instance: 3\n");
    assert_eq!(e.position, Some((4, 5)));
    assert!(
        e.message
            .contains("unknown option `min_instance` of rule AGW003 (insufficient-min-instances), expected `severity` or `min_instances`"),
        "{}",
        e.message
    );
    insta::assert_snapshot!("unknown_rule_option", e.render(false));
    // A rule without options accepts only `severity`; rule names work as keys too.
    let e = bad("rules:\n  app-service-host-header-not-set:\n    pick_host: true\n");
    assert_eq!(e.position, Some((3, 5)));
    assert!(
        e.message.contains("takes no options besides `severity`"),
        "{}",
        e.message
    );
}

#[test]
fn wrong_type_of_rule_option_is_an_error_at_the_option() {
    let e = bad("rules:\n  AGW014:\n    function_timeout_seconds: two minutes\n");
    assert_eq!(e.position, Some((3, 5)));
    assert!(
        e.message.contains(
            "option `function_timeout_seconds`: invalid type: string \"two minutes\", expected u32"
        ),
        "{}",
        e.message
    );
    insta::assert_snapshot!("wrong_type_of_rule_option", e.render(false));
    let e = bad("rules:\n  AGW003:\n    min_instances: -1\n");
    assert!(e.message.contains("expected u32"), "{}", e.message);
    // Well-typed options load and reach the rule.
    let c = load::parse("x.yaml", "rules:\n  AGW003: { min_instances: 3 }\n  AGW014:\n    severity: error\n    function_timeout_seconds: 120\n").unwrap();
    assert_eq!(c.rules.len(), 2);
}

#[test]
fn cli_bad_rule_option_exits_2() {
    let d = tmp("badopt");
    write(
        &d.join(".agwlint.yaml"),
        "rules:\n  AGW003:\n    min_instancez: 3\n",
    );
    let (code, out, err) = agwlint(&d, &["lint"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("unknown option `min_instancez`"), "{err}");
    assert!(err.contains("[.agwlint.yaml:3:5]"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_level_select_glob_and_fail_on_point_at_the_value() {
    let e = bad("rules:\n  AGW010: warn\n");
    assert_eq!(e.position, Some((2, 11)));
    insta::assert_snapshot!("bad_level", e.render(false));
    let e = bad("rules:\n  AGW006:\n    severity: loud\n");
    assert_eq!(e.position, Some((3, 15)));
    let e = bad("select: [AGW01, XYZ]\n");
    assert_eq!(e.position, Some((1, 17)));
    insta::assert_snapshot!("bad_selector", e.render(false));
    let e = bad("exclude:\n  - \"infra/[\"\n");
    assert_eq!(e.position, Some((2, 5)));
    insta::assert_snapshot!("bad_glob", e.render(false));
    let e = bad("fail_on: sometimes\n");
    assert_eq!(e.position, Some((1, 10)));
    let e = bad("include: infra/**\n");
    assert!(e.message.contains("invalid type"), "{}", e.message);
}

// ---- end to end -----------------------------------------------------------------------------

/// A template with an invalid UTF-8 byte: AGW000 (already reported without the ARM front-end).
fn broken_template() -> Vec<u8> {
    let mut b = b"{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"x\": \"".to_vec();
    b.push(0xff);
    b.extend_from_slice(b"\"\n}\n");
    b
}

fn agwlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn files_of(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn cli_bad_config_exits_2_with_the_rendered_error() {
    let d = tmp("clibad");
    write(
        &d.join(".agwlint.yaml"),
        "select: [AGW01]\nbaseline_file: x\n",
    );
    let (code, out, err) = agwlint(&d, &["lint"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("unknown field `baseline_file`"), "{err}");
    assert!(err.contains("[.agwlint.yaml:2:1]"), "{err}");
    let (code, _, err) = agwlint(&d, &["lint", "--config", "missing.yaml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read configuration missing.yaml"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn cli_fail_on_flag_wins_over_file_which_wins_over_default() {
    let d = tmp("failon");
    write(&d.join("t.json"), broken_template());
    // Default: warning → the AGW000 error fails.
    assert_eq!(agwlint(&d, &["lint"]).0, 1);
    write(&d.join(".agwlint.yaml"), "fail_on: never\n");
    assert_eq!(agwlint(&d, &["lint"]).0, 0);
    assert_eq!(agwlint(&d, &["lint", "--fail-on", "error"]).0, 1);
    // Ignoring AGW000 by flag; by the file's `rules:`.
    write(&d.join(".agwlint.yaml"), "");
    assert_eq!(agwlint(&d, &["lint", "--ignore", "AGW001,AGW000"]).0, 0);
    assert_eq!(
        agwlint(
            &d,
            &["lint", "--ignore", "AGW001", "--ignore", "parse-error"]
        )
        .0,
        0
    );
    write(&d.join(".agwlint.yaml"), "rules:\n  AGW000: off\n");
    assert_eq!(agwlint(&d, &["lint"]).0, 0);
    // `--select AGW000` on the command line wins over `off` in the file.
    assert_eq!(agwlint(&d, &["lint", "--select", "AGW000"]).0, 1);
    // Severity override: AGW000 as info does not fail by default.
    write(&d.join(".agwlint.yaml"), "rules:\n  parse-error: info\n");
    let (code, out, _) = agwlint(&d, &["lint", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"severity\": \"info\""), "{out}");
    let (code, _, err) = agwlint(&d, &["lint", "--select", "nonsense"]);
    assert_eq!(code, 2);
    assert!(err.contains("--select `nonsense`"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn cli_config_is_found_in_a_parent_up_to_the_repository_root() {
    let d = tmp("find");
    write(&d.join(".agwlint.yaml"), "exclude: [\"sub/b/**\"]\n");
    write(&d.join("sub/a/t.json"), broken_template());
    write(&d.join("sub/b/t.json"), broken_template());
    // Run from `sub`: the globs are relative to the configuration file, not to the cwd.
    let (code, out, err) = agwlint(&d.join("sub"), &["lint", "--format", "json", "."]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(files_of(&out), vec!["a/t.json"]);
    // A `.git` directory in `sub` makes it the root: the parent's file is not read.
    std::fs::create_dir_all(d.join("sub/.git")).unwrap();
    let (_, out, _) = agwlint(&d.join("sub"), &["lint", "--format", "json", "."]);
    assert_eq!(files_of(&out), vec!["a/t.json", "b/t.json"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn cli_include_and_exclude_globs() {
    let d = tmp("globs");
    write(&d.join("infra/prod/t.json"), broken_template());
    write(&d.join("infra/t.json"), broken_template());
    write(&d.join("examples/t.json"), broken_template());
    write(&d.join(".agwlint.yaml"), "include: [\"infra/*.json\"]\n");
    let (_, out, _) = agwlint(&d, &["lint", "--format", "json"]);
    assert_eq!(
        files_of(&out),
        vec!["infra/t.json"],
        "`*` does not cross `/`"
    );
    write(&d.join(".agwlint.yaml"), "include: [\"infra/**\"]\n");
    let (_, out, _) = agwlint(&d, &["lint", "--format", "json"]);
    assert_eq!(files_of(&out), vec!["infra/prod/t.json", "infra/t.json"]);
    write(
        &d.join(".agwlint.yaml"),
        "exclude: [\"**/prod\", examples]\n",
    );
    let (_, out, _) = agwlint(&d, &["lint", "--format", "json"]);
    assert_eq!(files_of(&out), vec!["infra/t.json"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn cli_init_writes_a_file_that_loads_and_refuses_to_overwrite() {
    let d = tmp("init");
    let (code, _, err) = agwlint(&d, &["init"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(d.join(".agwlint.yaml")).unwrap();
    assert_eq!(text, config::init::TEMPLATE);
    for key in [
        "rules:",
        "select:",
        "ignore:",
        "include:",
        "exclude:",
        "parameters:",
        "var_files:",
        "assume:",
        "network_isolation:",
        "dns_resolves_private_link:",
        "fail_on:",
        "baseline:",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(key)),
            "{key}"
        );
    }
    // The written file loads back: a clean run, exit 0.
    let (code, out, err) = agwlint(&d, &["lint"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = agwlint(&d, &["init"]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists (use --force"), "{err}");
    std::fs::write(d.join(".agwlint.yaml"), "changed").unwrap();
    assert_eq!(agwlint(&d, &["init", "--force"]).0, 0);
    assert_eq!(
        std::fs::read_to_string(d.join(".agwlint.yaml")).unwrap(),
        config::init::TEMPLATE
    );
    assert_eq!(agwlint(&d, &["init", "other.yaml"]).0, 0);
    assert!(d.join("other.yaml").is_file());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_documented_example_loads() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let doc = &readme[readme.find("\n## Configuration\n").unwrap()..];
    let start = doc.find("```yaml\n").unwrap() + "```yaml\n".len();
    let yaml = &doc[start..start + doc[start..].find("```").unwrap()];
    // Rules registered later (AGW003, AGW014, ...) are dropped when this build lacks them;
    // everything else must load as written.
    let mut v: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
    let rules = v.get_mut("rules").unwrap().as_mapping_mut().unwrap();
    let before = rules.len();
    rules.retain(|k, _| agwlint::rules::find_meta(k.as_str().unwrap()).is_some());
    let kept = rules.len();
    assert!(
        before - kept <= 2,
        "only the examples of future rules may be dropped"
    );
    let c = load::parse(".agwlint.yaml", &serde_yaml::to_string(&v).unwrap())
        .map_err(|e| e.render(false))
        .unwrap();
    assert_eq!(c.rules.len(), kept);
    assert_eq!(c.parameters.len(), 2);
    assert!(c.assume.network_isolation && c.assume.dns_resolves_private_link);
    assert_eq!(
        c.baseline.as_deref(),
        Some(Path::new(".agwlint-baseline.json"))
    );
}
