//! Partial runs (issue 12, point 7): given file paths (pre-commit's staged files, an editor's
//! "lint this file"), agwlint finds the repository root, lints the whole units that contain
//! those files (a child module through the root modules that call it, a linked template
//! through its parent, a var or parameter file through the unit that uses it) and reports all
//! their findings, or with `--only-changed` those located in the given files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT_TF: &str = include_str!("../testdata/partial/tf/main.tf");
const CHILD_TF: &str = include_str!("../testdata/partial/tf/modules/network/main.tf");
const PARENT_ARM: &str = include_str!("../testdata/partial/arm/azuredeploy.json");
const PARENT_PARAMS: &str = include_str!("../testdata/partial/arm/azuredeploy.parameters.json");
const NESTED_ARM: &str = include_str!("../testdata/partial/arm/nested/gateway.json");
const INPUTS_TF: &str = include_str!("../testdata/inputs/tf/main.tf");
const V1_TFVARS: &str = include_str!("../testdata/inputs/tf/v1.tfvars");

/// A scratch repository (a `.git` directory marks its root) with the Terraform root module at
/// `infra/tf/` calling `infra/tf/modules/network/`, and the ARM parent template at
/// `infra/arm/azuredeploy.json` linking `infra/arm/nested/gateway.json`.
fn repo(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-partial-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join(".git")).unwrap();
    write(&d.join("infra/tf/main.tf"), ROOT_TF);
    write(&d.join("infra/tf/modules/network/main.tf"), CHILD_TF);
    write(&d.join("infra/arm/azuredeploy.json"), PARENT_ARM);
    write(&d.join("infra/arm/nested/gateway.json"), NESTED_ARM);
    d
}

/// [`repo`] with the parent template's parameter file (the SKU it passes to the linked one).
fn linked_repo(name: &str) -> PathBuf {
    let d = repo(name);
    write(
        &d.join("infra/arm/azuredeploy.parameters.json"),
        PARENT_PARAMS,
    );
    d
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs `agwlint lint --format compact ARGS` in `dir`; returns exit code, finding lines
/// (`file:line:col: severity RULE ...`) and stderr.
fn lint(dir: &Path, args: &[&str]) -> (i32, Vec<String>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(["lint", "--format", "compact"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.contains(" AGW"))
        .map(str::to_string)
        .collect();
    (
        o.status.code().unwrap_or(-1),
        lines,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn rules_at(lines: &[String]) -> Vec<(String, String)> {
    lines
        .iter()
        .map(|l| {
            let file = l.split(':').next().unwrap().to_string();
            let rule = l
                .split_whitespace()
                .find(|w| w.starts_with("AGW"))
                .unwrap()
                .to_string();
            (file, rule)
        })
        .collect()
}

#[test]
fn a_child_module_alone_is_linted_through_the_root_module_that_calls_it() {
    let d = repo("child-tf");
    // The full scan finds AGW027 in the child module (the NSG is attached to the gateway's
    // subnet only through the caller's `subnet_id`).
    let (code, full, _) = lint(&d, &["infra/tf"]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_at(&full),
        [(
            "infra/tf/modules/network/main.tf".to_string(),
            "AGW027".to_string()
        )]
    );
    // The child module's file alone (what pre-commit passes): the same finding.
    let (code, lines, err) = lint(&d, &["infra/tf/modules/network/main.tf"]);
    assert_eq!((code, &lines), (1, &full), "{err}");
    // From inside the child module (an editor's current directory), with a relative name.
    // Paths print relative to the current directory (through the repository root).
    let cwd = d.join("infra/tf/modules/network");
    let (code, lines, err) = lint(&cwd, &["main.tf"]);
    assert_eq!(code, 1, "{err}");
    let found = rules_at(&lines);
    assert_eq!(found.len(), 1, "{lines:?}");
    assert_eq!(found[0].1, "AGW027");
    assert_eq!(
        std::fs::canonicalize(cwd.join(&found[0].0)).unwrap(),
        std::fs::canonicalize(cwd.join("main.tf")).unwrap(),
        "{lines:?}"
    );
    // The root module's file alone: the same unit, the same finding.
    let (code, lines, _) = lint(&d, &["infra/tf/main.tf"]);
    assert_eq!((code, &lines), (1, &full));
}

#[test]
fn a_child_module_called_by_two_roots_is_linted_through_both() {
    let d = repo("two-roots");
    write(
        &d.join("infra/tf2/main.tf"),
        &ROOT_TF
            .replace("./modules/network", "../tf/modules/network")
            .replace("\"scim-agw\"", "\"scim-agw2\""),
    );
    let (code, lines, err) = lint(&d, &["infra/tf/modules/network/main.tf"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("gateway \"scim-agw\"") && lines[1].contains("gateway \"scim-agw2\""),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("infra/tf/modules/network/main.tf:13:1: error AGW027")),
        "{lines:?}"
    );
}

#[test]
fn a_module_outside_the_repository_scan_is_still_linted_as_its_own_root() {
    let d = repo("own-root");
    // No caller: the child module is its own root and alone shows no AGW027.
    std::fs::remove_file(d.join("infra/tf/main.tf")).unwrap();
    let (code, lines, err) = lint(&d, &["infra/tf/modules/network/main.tf"]);
    assert_eq!((code, lines.len()), (0, 0), "{lines:?} {err}");
}

#[test]
fn a_linked_template_alone_is_linted_through_its_parent() {
    let d = linked_repo("linked-arm");
    // A template whose text names gateway.json without linking it: loaded as a candidate, not
    // linted (its own v1 gateway must not be reported).
    let decoy = NESTED_ARM
        .replace(
            "\"resources\": [",
            "\"metadata\": { \"description\": \"see nested/gateway.json\" },\n  \"resources\": [",
        )
        .replace("[parameters('sku')]", "Standard_Small");
    assert!(decoy.contains("nested/gateway.json") && decoy.contains("Standard_Small"));
    write(&d.join("infra/other/decoy.json"), &decoy);
    let (code, lines, err) = lint(&d, &["--select", "AGW001", "infra/arm/nested/gateway.json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        rules_at(&lines),
        [(
            "infra/arm/nested/gateway.json".to_string(),
            "AGW001".to_string()
        )]
    );
    assert!(lines[0].contains("Standard_Medium"), "{lines:?}");
    // Without the parent the SKU parameter has no value: nothing to report.
    std::fs::remove_file(d.join("infra/arm/azuredeploy.json")).unwrap();
    let (code, lines, _) = lint(&d, &["--select", "AGW001", "infra/arm/nested/gateway.json"]);
    assert_eq!((code, lines.len()), (0, 0), "{lines:?}");
}

#[test]
fn a_parent_whose_template_link_is_written_in_another_case_is_found() {
    // ARM property names ignore case: the search for templates that may link the given one
    // keeps only texts with a `templateLink`, in any case.
    let d = linked_repo("linked-arm-case");
    assert!(PARENT_ARM.contains("\"templateLink\""));
    write(
        &d.join("infra/arm/azuredeploy.json"),
        &PARENT_ARM.replace("\"templateLink\"", "\"TemplateLINK\""),
    );
    let (code, lines, err) = lint(&d, &["--select", "AGW001", "infra/arm/nested/gateway.json"]);
    assert_eq!(code, 1, "{err}");
    assert!(lines[0].contains("Standard_Medium"), "{lines:?}");
}

#[test]
fn a_parameter_file_alone_selects_the_template_that_uses_it() {
    let d = linked_repo("params");
    let (code, lines, err) = lint(
        &d,
        &[
            "--select",
            "AGW001",
            "infra/arm/azuredeploy.parameters.json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        rules_at(&lines),
        [(
            "infra/arm/nested/gateway.json".to_string(),
            "AGW001".to_string()
        )]
    );
    // A parameter file that no template uses is named on stderr.
    write(&d.join("infra/arm/unused.parameters.json"), PARENT_PARAMS);
    let (_, _, err) = lint(&d, &["infra/arm/unused.parameters.json"]);
    assert!(
        err.contains("infra/arm/unused.parameters.json: not linted: no template of the repository uses this parameter file"),
        "{err}"
    );
}

#[test]
fn a_tfvars_file_alone_selects_the_module_that_uses_it() {
    let d = repo("tfvars");
    write(&d.join("gw/main.tf"), INPUTS_TF);
    write(&d.join("gw/envs/prod.tfvars"), V1_TFVARS);
    write(
        &d.join(".agwlint.yaml"),
        "var_files:\n  \"gw\": gw/envs/prod.tfvars\n",
    );
    let (code, lines, err) = lint(&d, &["--select", "AGW001", "gw/envs/prod.tfvars"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        rules_at(&lines),
        [("gw/main.tf".to_string(), "AGW001".to_string())]
    );
    assert!(lines[0].contains("Standard_Medium"), "{lines:?}");
    // terraform.tfvars is read by its own directory's module.
    std::fs::remove_file(d.join(".agwlint.yaml")).unwrap();
    write(&d.join("gw/terraform.tfvars"), V1_TFVARS);
    let (code, lines, _) = lint(&d, &["--select", "AGW001", "gw/terraform.tfvars"]);
    assert_eq!((code, lines.len()), (1, 1), "{lines:?}");
    // A var file nothing reads is named on stderr.
    let (_, _, err) = lint(&d, &["gw/envs/prod.tfvars"]);
    assert!(
        err.contains("gw/envs/prod.tfvars: not linted: no Terraform module of the repository reads this var file"),
        "{err}"
    );
}

#[test]
fn only_changed_keeps_the_findings_located_in_the_given_files() {
    let d = repo("only-changed");
    // The parent template gets a gateway of its own with findings of its own.
    let nested: serde_json::Value = serde_json::from_str(NESTED_ARM).unwrap();
    let mut gw2 = nested["resources"][0].clone();
    gw2["name"] = "gw2".into();
    gw2["properties"]["sku"]["name"] = "Standard_Small".into();
    let mut parent: serde_json::Value = serde_json::from_str(PARENT_ARM).unwrap();
    parent["resources"].as_array_mut().unwrap().push(gw2);
    write(
        &d.join("infra/arm/azuredeploy.json"),
        &serde_json::to_string_pretty(&parent).unwrap(),
    );
    write(
        &d.join("infra/arm/azuredeploy.parameters.json"),
        PARENT_PARAMS,
    );
    let staged = "infra/arm/nested/gateway.json";
    let (code, all, _) = lint(&d, &[staged]);
    assert_eq!(code, 1);
    let files: Vec<String> = rules_at(&all).into_iter().map(|(f, _)| f).collect();
    assert!(
        files.iter().any(|f| f == "infra/arm/azuredeploy.json")
            && files.iter().any(|f| f == staged),
        "without --only-changed every finding of the unit: {all:?}"
    );
    let (code, only, _) = lint(&d, &["--only-changed", staged]);
    assert_eq!(code, 1);
    assert!(!only.is_empty());
    assert!(rules_at(&only).iter().all(|(f, _)| f == staged), "{only:?}");
    assert_eq!(
        only,
        all.iter()
            .filter(|l| l.starts_with(staged))
            .cloned()
            .collect::<Vec<_>>()
    );
    // A related location counts: the root module's file alone keeps the child's AGW027, whose
    // gateway subnet is in the root module.
    let (code, lines, _) = lint(&d, &["--only-changed", "infra/tf/main.tf"]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_at(&lines),
        [(
            "infra/tf/modules/network/main.tf".to_string(),
            "AGW027".to_string()
        )]
    );
}

#[test]
fn the_repository_root_is_the_configuration_directory_else_the_git_top_level() {
    let d = repo("root");
    let d = std::fs::canonicalize(d).unwrap();
    let file = d.join("infra/tf/modules/network/main.tf");
    assert_eq!(
        agwlint::discover::repository_root(std::slice::from_ref(&file)),
        d
    );
    write(&d.join("infra/.agwlint.yaml"), "");
    assert_eq!(
        agwlint::discover::repository_root(std::slice::from_ref(&file)),
        d.join("infra")
    );
    // Paths under different roots: their common ancestor.
    let other = d.join("infra/arm/azuredeploy.json");
    write(&d.join("infra/tf/.git"), "gitdir: elsewhere\n");
    assert_eq!(
        agwlint::discover::repository_root(&[file, other]),
        d.join("infra")
    );
}

/// A plan file named with a template: the plan is not a unit of its own, and a template that
/// only names the given template's file (without linking it) is still dropped. Before the fix,
/// each unit was paired with the input before it, and such a template was linted.
#[test]
fn a_plan_among_the_given_files_does_not_shift_the_templates_that_may_link() {
    let d = std::env::temp_dir().join(format!("agwlint-partial-plan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join(".git")).unwrap();
    write(
        &d.join("plan.json"),
        include_str!("../testdata/terraform/plans/plan_gateway.json"),
    );
    write(&d.join("gw/gateway.json"), NESTED_ARM);
    let v1 = include_str!("../testdata/rules/AGW001/fail.json");
    let at = v1.find('{').unwrap() + 1;
    let other = format!(
        "{}\n  \"metadata\": {{ \"note\": \"deployed next to gateway.json\" }},{}",
        &v1[..at],
        &v1[at..]
    );
    write(&d.join("other.json"), &other);
    let (_, lines, err) = lint(&d, &["plan.json", "gw/gateway.json"]);
    let _ = std::fs::remove_dir_all(&d);
    let files: Vec<String> = rules_at(&lines).into_iter().map(|(f, _)| f).collect();
    assert!(files.iter().any(|f| f == "plan.json"), "{lines:?}\n{err}");
    assert!(
        files.iter().any(|f| f == "gw/gateway.json"),
        "{lines:?}\n{err}"
    );
    assert!(!files.iter().any(|f| f == "other.json"), "{lines:?}\n{err}");
}
