//! What pre-commit relies on: file names of one Terraform module map to that module directory,
//! once; templates named explicitly are linted themselves.

// Helpers outside #[test] functions unwrap too: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use agwlint::discover::{Filters, discover};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-int-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("infra/env")).unwrap();
    for f in [
        "infra/main.tf",
        "infra/variables.tf",
        "infra/terraform.tfvars",
        "infra/env/prod.tfvars",
    ] {
        std::fs::write(d.join(f), "").unwrap();
    }
    std::fs::write(d.join("azuredeploy.json"), "{}").unwrap();
    d
}

#[test]
fn files_of_one_module_lint_the_module_once() {
    let d = tmp("module");
    let args: Vec<PathBuf> = [
        "infra/main.tf",
        "infra/variables.tf",
        "infra/terraform.tfvars",
    ]
    .iter()
    .map(|f| d.join(f))
    .collect();
    let found = discover(&args, &Filters::default());
    assert_eq!(found.tf_dirs.len(), 1, "{:?}", found.tf_dirs);
    assert_eq!(found.tf_dirs[0].path, d.join("infra"));
    assert!(found.json.is_empty());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_tfvars_argument_lints_its_directory() {
    let d = tmp("tfvars");
    let found = discover(&[d.join("infra/terraform.tfvars")], &Filters::default());
    assert_eq!(found.tf_dirs.len(), 1);
    assert_eq!(found.tf_dirs[0].path, d.join("infra"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn templates_and_modules_together() {
    let d = tmp("mixed");
    let found = discover(
        &[
            d.join("azuredeploy.json"),
            d.join("infra/main.tf"),
            d.join("infra/env/prod.tfvars"),
        ],
        &Filters::default(),
    );
    assert_eq!(found.json.len(), 1);
    assert!(found.json[0].explicit);
    let dirs: Vec<PathBuf> = found.tf_dirs.iter().map(|t| t.path.clone()).collect();
    assert_eq!(dirs, [d.join("infra"), d.join("infra/env")]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn relative_file_names_as_pre_commit_passes_them() {
    // pre-commit runs from the repository root and passes paths like `infra/main.tf`; a file at
    // the root maps to `.`.
    let d = tmp("relative");
    std::fs::write(d.join("root.tf"), "").unwrap();
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(&d).unwrap();
    let found = discover(
        &[
            "infra/main.tf".into(),
            "infra/variables.tf".into(),
            "root.tf".into(),
        ],
        &Filters::default(),
    );
    std::env::set_current_dir(cwd).unwrap();
    let shown: Vec<&str> = found.tf_dirs.iter().map(|t| t.display.as_str()).collect();
    assert_eq!(shown, [".", "infra"]);
    let _ = std::fs::remove_dir_all(&d);
}
