//! Parameter and var files (issue 12, points 1-3): the configuration's `parameters:` and
//! `var_files:` mappings are applied, in a stated order with the flags on top; a file the run
//! was told to apply that cannot be read, or is not a parameter file, stops the run (exit 2)
//! naming it; `--var` for a variable no module declares is a warning.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const TEMPLATE: &str = include_str!("../testdata/inputs/arm/gateway.json");
const V1_PARAMS: &str = include_str!("../testdata/inputs/arm/v1.parameters.json");
const V2_PARAMS: &str = include_str!("../testdata/inputs/arm/v2.parameters.json");
const NAME_PARAMS: &str = include_str!("../testdata/inputs/arm/name.parameters.json");
const MAIN_TF: &str = include_str!("../testdata/inputs/tf/main.tf");
const V1_TFVARS: &str = include_str!("../testdata/inputs/tf/v1.tfvars");
const V2_TFVARS: &str = include_str!("../testdata/inputs/tf/v2.tfvars");

/// A scratch repository (a `.git` directory stops the configuration search) with the gateway
/// template at `infra/arm/gateway.json` and the module at `infra/tf/`.
fn repo(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-inputs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join(".git")).unwrap();
    write(&d.join("infra/arm/gateway.json"), TEMPLATE);
    write(&d.join("infra/tf/main.tf"), MAIN_TF);
    d
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs agwlint in `dir`; returns exit code, stdout, stderr.
fn agwlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The AGW001 lines of a compact run over `infra/`.
fn agw001(dir: &Path, extra: &[&str]) -> (i32, Vec<String>, String) {
    let mut args = vec!["lint", "--select", "AGW001", "--format", "compact"];
    args.extend_from_slice(extra);
    args.push("infra");
    let (code, out, err) = agwlint(dir, &args);
    let lines = out
        .lines()
        .filter(|l| l.contains("AGW001"))
        .map(str::to_string)
        .collect();
    (code, lines, err)
}

// ----- point 1: the configuration's mappings are applied ---------------------------------

#[test]
fn parameters_mapping_changes_the_arm_finding() {
    let d = repo("param-map");
    write(&d.join("infra/arm/params/prod.json"), V1_PARAMS);
    let (code, lines, _) = agw001(&d, &[]);
    assert_eq!((code, lines.len()), (0, 0), "defaults are v2: {lines:?}");
    write(
        &d.join(".agwlint.yaml"),
        "parameters:\n  \"infra/arm/*.json\": infra/arm/params/prod.json\n",
    );
    let (code, lines, _) = agw001(&d, &[]);
    assert_eq!(code, 1, "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("infra/arm/gateway.json:") && lines[0].contains("Standard_Medium"),
        "{lines:?}"
    );
}

#[test]
fn var_files_mapping_changes_the_terraform_finding() {
    let d = repo("var-map");
    write(&d.join("infra/tf/envs/prod.tfvars"), V1_TFVARS);
    let (code, lines, _) = agw001(&d, &[]);
    assert_eq!((code, lines.len()), (0, 0), "{lines:?}");
    write(
        &d.join(".agwlint.yaml"),
        "var_files:\n  \"infra/tf\": infra/tf/envs/prod.tfvars\n",
    );
    let (code, lines, _) = agw001(&d, &[]);
    assert_eq!(code, 1, "{lines:?}");
    assert!(
        lines.len() == 1 && lines[0].starts_with("infra/tf/main.tf:"),
        "{lines:?}"
    );
    // The list form applies to every Terraform directory.
    write(
        &d.join(".agwlint.yaml"),
        "var_files: [infra/tf/envs/prod.tfvars]\n",
    );
    assert_eq!(agw001(&d, &[]).1.len(), 1);
}

#[test]
fn flags_apply_on_top_of_the_configuration_mappings() {
    let d = repo("map-then-flag");
    write(&d.join("infra/arm/params/prod.json"), V1_PARAMS);
    write(&d.join("v2.parameters.json"), V2_PARAMS);
    write(&d.join("infra/tf/envs/prod.tfvars"), V1_TFVARS);
    write(&d.join("v2.tfvars"), V2_TFVARS);
    write(
        &d.join(".agwlint.yaml"),
        "parameters:\n  \"infra/arm/*.json\": infra/arm/params/prod.json\nvar_files:\n  \"infra/tf\": infra/tf/envs/prod.tfvars\n",
    );
    assert_eq!(agw001(&d, &[]).1.len(), 2, "the mappings give v1 SKUs");
    let (code, lines, _) = agw001(
        &d,
        &[
            "--parameters",
            "v2.parameters.json",
            "--var-file",
            "v2.tfvars",
        ],
    );
    assert_eq!((code, lines.len()), (0, 0), "the flags win: {lines:?}");
    // `--var` wins over every var file.
    let (_, lines, _) = agw001(
        &d,
        &[
            "--var-file",
            "v2.tfvars",
            "--var",
            "gateway_sku=Standard_Small",
        ],
    );
    assert!(
        lines.len() == 2 && lines[1].contains("Standard_Small"),
        "{lines:?}"
    );
}

// ----- point 3: the flag is applied on top of the parameter file beside the template ------

#[test]
fn parameters_flag_applies_on_top_of_the_sibling_file() {
    let d = repo("sibling");
    write(&d.join("infra/arm/gateway.parameters.json"), V1_PARAMS);
    write(&d.join("name.parameters.json"), NAME_PARAMS);
    write(&d.join("v2.parameters.json"), V2_PARAMS);
    // The sibling alone: its v1 SKU is used.
    let (_, lines, _) = agw001(&d, &[]);
    assert!(
        lines.len() == 1 && lines[0].contains("agw-inputs"),
        "{lines:?}"
    );
    // A flag file that sets only the gateway name: the sibling's SKU is kept, the flag's name
    // is used (the flag does not replace the sibling file).
    let (_, lines, err) = agw001(&d, &["--verbose", "--parameters", "name.parameters.json"]);
    assert!(
        lines.len() == 1 && lines[0].contains("agw-from-flag"),
        "{lines:?}"
    );
    assert!(
        err.contains(
            "infra/arm/gateway.json: parameter values from infra/arm/gateway.parameters.json \
             (beside the template), then name.parameters.json (--parameters); later ones win \
             per parameter"
        ),
        "{err}"
    );
    // A flag file that sets the SKU: its value wins over the sibling's.
    let (code, lines, _) = agw001(&d, &["--parameters", "v2.parameters.json"]);
    assert_eq!((code, lines.len()), (0, 0), "{lines:?}");
}

// ----- point 2: files that cannot be used stop the run -------------------------------------

#[test]
fn missing_parameter_and_var_files_exit_2_naming_the_path() {
    let d = repo("missing");
    for (flag, file, what) in [
        ("--parameters", "prod.parameters.json", "parameter file"),
        ("--var-file", "prod.tfvars", "var file"),
    ] {
        let (code, out, err) = agwlint(&d, &["lint", flag, file, "infra"]);
        assert_eq!(code, 2, "{flag}: {err}");
        assert!(
            err.contains(&format!("cannot read {what} {file}")),
            "{flag}: {err}"
        );
        assert!(out.is_empty(), "no report after a usage error: {out}");
    }
    // Even when nothing linted would use it.
    std::fs::remove_dir_all(d.join("infra/tf")).unwrap();
    let (code, _, err) = agwlint(&d, &["lint", "--var-file", "prod.tfvars", "infra"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn missing_files_of_configuration_mappings_exit_2_naming_the_path() {
    let d = repo("missing-map");
    write(
        &d.join(".agwlint.yaml"),
        "parameters:\n  \"infra/arm/*.json\": params/nope.json\n",
    );
    let (code, _, err) = agwlint(&d, &["lint", "infra"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot read parameter file params/nope.json"),
        "{err}"
    );
    write(
        &d.join(".agwlint.yaml"),
        "var_files:\n  \"infra/tf\": [envs/nope.tfvars]\n",
    );
    let (code, _, err) = agwlint(&d, &["lint", "infra"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot read var file envs/nope.tfvars"),
        "{err}"
    );
    // A sibling parameter file that cannot be read as text is no better.
    std::fs::remove_file(d.join(".agwlint.yaml")).unwrap();
    std::fs::write(d.join("infra/arm/gateway.parameters.json"), b"{\x80\x81}").unwrap();
    let (code, _, err) = agwlint(&d, &["lint", "infra"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("parameter file infra/arm/gateway.parameters.json is not UTF-8 text"),
        "{err}"
    );
}

#[test]
fn a_template_passed_as_parameter_file_is_an_error() {
    let d = repo("template-as-params");
    let (code, _, err) = agwlint(
        &d,
        &["lint", "--parameters", "infra/arm/gateway.json", "infra"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "parameter file infra/arm/gateway.json is a deployment template, not a parameter file"
        ),
        "{err}"
    );
    write(&d.join("other.json"), "{\"name\": \"x\"}");
    let (code, _, err) = agwlint(&d, &["lint", "--parameters", "other.json", "infra"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("other.json is not an ARM parameter file"),
        "{err}"
    );
    // A .tf file passed as a var file.
    let (code, _, err) = agwlint(&d, &["lint", "--var-file", "infra/tf/main.tf", "infra"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("var file infra/tf/main.tf is not a variable definitions file"),
        "{err}"
    );
}

#[test]
fn var_for_an_undeclared_variable_is_a_warning() {
    let d = repo("undeclared-var");
    let (code, _, err) = agwlint(
        &d,
        &[
            "lint",
            "--select",
            "AGW001",
            "--var",
            "gatway_sku=Standard_Small",
            "--var",
            "gateway_sku=Standard_v2",
            "infra",
        ],
    );
    assert_eq!(code, 0, "a warning does not change the exit code: {err}");
    assert!(
        err.contains(
            "warning: --var gatway_sku: no linted Terraform root module declares a variable `gatway_sku`"
        ),
        "{err}"
    );
    assert!(!err.contains("--var gateway_sku:"), "{err}");
}

// ----- point 5: no silently skipped input ----------------------------------------------------

/// A v1 gateway (AGW001 at line 14, column 26) in a template.
fn v1_gateway() -> String {
    include_str!("../testdata/partial/arm/nested/gateway.json")
        .replace("[parameters('sku')]", "Standard_Small")
}

#[test]
fn explicit_files_that_are_not_linted_are_named_on_stderr() {
    let d = repo("not-linted");
    write(&d.join("empty.json"), "");
    write(&d.join("package.json"), "{\"name\": \"x\"}\n");
    write(&d.join("main.bicep"), "param sku string\n");
    std::fs::write(
        d.join("utf16.json"),
        v1_gateway()
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    for (file, why) in [
        ("empty.json", "empty file"),
        ("package.json", "not an ARM deployment template"),
        ("main.bicep", "no Bicep front-end yet"),
        (
            "utf16.json",
            "UTF-16 or UTF-32 text without a byte order mark",
        ),
    ] {
        if file == "main.bicep" && agwlint::discover::unreadable_kind(Path::new(file)).is_none() {
            continue; // the Bicep front-end has landed
        }
        // Alone: nothing is linted, which is a usage error, not a green run.
        let (code, out, err) = agwlint(&d, &["lint", file]);
        assert_eq!(code, 2, "{file}: {out} {err}");
        assert!(
            err.contains(&format!("{file}: not linted: {why}")),
            "{file}: {err}"
        );
        assert!(err.contains("agwlint: nothing to lint"), "{file}: {err}");
        // --allow-empty (the pre-commit hooks) passes, still naming the file.
        let (code, _, err) = agwlint(&d, &["lint", "--allow-empty", file]);
        assert_eq!(code, 0, "{file}: {err}");
        assert!(
            err.contains(&format!("{file}: not linted: {why}")),
            "{file}: {err}"
        );
        // Next to a linted template: named on stderr without --verbose, the run goes on.
        let (code, out, err) = agwlint(&d, &["lint", file, "infra/arm/gateway.json"]);
        assert!(code < 2, "{file}: {err}");
        assert!(out.contains("(1 file linted)"), "{file}: {out}");
        assert!(
            err.contains(&format!("{file}: not linted: {why}")),
            "{file}: {err}"
        );
    }
    // A directory with nothing to lint named explicitly is no better.
    std::fs::create_dir_all(d.join("docs")).unwrap();
    let (code, _, err) = agwlint(&d, &["lint", "docs"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing to lint"), "{err}");
}

#[test]
fn a_directory_scan_counts_the_files_it_cannot_read_in_the_summary() {
    let d = repo("not-read");
    let mut expected = Vec::new();
    for (i, (suffix, why)) in agwlint::discover::UNREADABLE.iter().enumerate() {
        // i + 1 files of each kind, so the counts and plurals are checked.
        for k in 0..=i {
            write(&d.join(format!("infra/other/f{k}{suffix}")), "x\n");
        }
        let n = i + 1;
        let files = if n == 1 { "file" } else { "files" };
        expected.push(format!("; {n} {suffix} {files} not read: {why}"));
    }
    let (_, out, _) = agwlint(&d, &["lint", "--select", "AGW001", "infra"]);
    let summary = out.lines().last().unwrap();
    assert_eq!(
        summary,
        format!("no findings (2 files linted{})", expected.concat()),
        "{out}"
    );
    if !agwlint::discover::UNREADABLE.is_empty() {
        assert!(summary.contains("not read"), "{summary}");
    }
}

#[test]
fn templates_with_a_utf16_or_utf32_byte_order_mark_are_decoded() {
    let d = repo("bom");
    let text = v1_gateway();
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let utf32le: Vec<u8> = [0xFF, 0xFE, 0, 0]
        .into_iter()
        .chain(text.chars().flat_map(|c| u32::from(c).to_le_bytes()))
        .collect();
    for (name, bytes) in [
        ("utf16le.json", &utf16le),
        ("utf16be.json", &utf16be),
        ("utf32le.json", &utf32le),
    ] {
        std::fs::write(d.join(name), bytes).unwrap();
        let (code, out, err) = agwlint(
            &d,
            &["lint", "--select", "AGW001", "--format", "compact", name],
        );
        assert_eq!(code, 1, "{name}: {out} {err}");
        assert!(
            out.starts_with(&format!("{name}:14:26: error AGW001")),
            "{name}: {out}"
        );
    }
    // A byte order mark followed by something that is not UTF-16: AGW000, never skipped.
    let mut broken = utf16le.clone();
    broken.push(b'x');
    std::fs::write(d.join("broken.json"), &broken).unwrap();
    let (code, out, err) = agwlint(&d, &["lint", "broken.json"]);
    assert_eq!(code, 1, "{out} {err}");
    assert!(out.contains("AGW000"), "{out}");
    assert!(out.contains("save the file as UTF-8"), "{out}");
    // In a directory scan too.
    let (_, out, _) = agwlint(&d, &["lint", "--format", "compact", "."]);
    assert!(out.contains("broken.json:1:1: error AGW000"), "{out}");
    assert!(out.contains("utf16be.json:14:26: error AGW001"), "{out}");
}
