//! The rules run unit by unit (`agwlint::unitwise`) give the report of one run on the model
//! of the whole scan (`LintOptions::scan_wide_rules`): on every fixture directory, and on
//! scans whose units answer each other's questions (a backend host name that a site of
//! another template has, a private endpoint of another template with an Unknown target).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use agwlint::finding::Severity;
use agwlint::report::{Format, RenderOptions, render};
use agwlint::{LintOptions, Report, lint, source::SourceMap};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-unitwise-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The report of a path, run unit by unit or on the whole scan, its JSON and human forms, and
/// the number of files in the source map (a unit loaded again for its group gets the ids of
/// its first load: no file is added twice).
fn run(path: &Path, scan_wide: bool) -> (Report, String, usize) {
    let sources = SourceMap::new();
    let opts = LintOptions {
        scan_wide_rules: scan_wide,
        ..LintOptions::default()
    };
    let report = lint(std::slice::from_ref(&path.to_path_buf()), &opts, &sources).unwrap();
    let plain = RenderOptions {
        color: false,
        width: Some(200),
        fail_on: Some(Severity::Warning),
    };
    let text = format!(
        "{}\n{}",
        render(&report, &sources, Format::Json, plain),
        render(&report, &sources, Format::Human, plain)
    );
    (report, text, sources.len())
}

/// Both runs of `path` give the same JSON and human output and counts.
fn same(path: &Path) -> Report {
    let (unit, a, unit_files) = run(path, false);
    let (whole, b, whole_files) = run(path, true);
    assert_eq!(
        a,
        b,
        "unit-by-unit and scan-wide output differ for {}",
        path.display()
    );
    assert_eq!(
        unit_files,
        whole_files,
        "files in the source map: {}",
        path.display()
    );
    assert_eq!(unit.suppressed, whole.suppressed, "{}", path.display());
    assert_eq!(
        unit.files_scanned,
        whole.files_scanned,
        "{}",
        path.display()
    );
    unit
}

/// Some unit was checked again with others (`--verbose` says so).
fn assert_regrouped(report: &Report) {
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("checked again once every unit was loaded")),
        "{:?}",
        report.notes
    );
}

#[test]
fn every_fixture_directory_gives_the_same_report_unit_by_unit() {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for top in [
        "testdata/rules",
        "testdata/inputs",
        "testdata/partial",
        "testdata/terraform",
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(top)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            }
        }
    }
    dirs.push(root().join("tests/scenarios"));
    dirs.sort();
    assert!(dirs.len() > 50, "fixture directories found: {}", dirs.len());
    for d in &dirs {
        same(d);
    }
    // All of them at once: one scan of many units.
    same(&root().join("testdata/rules"));
}

/// The AGW041 failing template split in two: the gateway (its backend named by the app's
/// literal host name) and the Function App that requires client certificates.
fn split_gateway_and_app(dir: &Path, gateway_file: &str, app_file: &str) {
    let text = std::fs::read_to_string(root().join("testdata/rules/AGW041/fail.json")).unwrap();
    let text = text.replace(
        "[reference(resourceId('Microsoft.Web/sites', parameters('fnName')), '2023-12-01').defaultHostName]",
        "scim-fn.azurewebsites.net",
    );
    let t: serde_json::Value = serde_json::from_str(&text).unwrap();
    let is_app = |r: &serde_json::Value| {
        let ty = r["type"].as_str().unwrap_or("");
        ty.starts_with("Microsoft.Web/")
    };
    let resources = t["resources"].as_array().unwrap();
    let mut gw = t.clone();
    gw["resources"] = resources.iter().filter(|r| !is_app(r)).cloned().collect();
    let mut app = t.clone();
    app["resources"] = resources.iter().filter(|r| is_app(r)).cloned().collect();
    let gw_text = serde_json::to_string_pretty(&gw).unwrap();
    std::fs::write(dir.join(gateway_file), gw_text).unwrap();
    std::fs::write(
        dir.join(app_file),
        serde_json::to_string_pretty(&app).unwrap(),
    )
    .unwrap();
}

#[test]
fn a_backend_host_of_another_template_is_checked_with_that_template() {
    // The app's template both after and before the gateway's: the first site with the host
    // name is in another unit either way.
    for (gateway, app) in [("a_gw.json", "b_app.json"), ("b_gw.json", "a_app.json")] {
        let dir = scratch(gateway);
        split_gateway_and_app(&dir, gateway, app);
        let report = same(&dir);
        assert!(
            report.findings.iter().any(|f| f.rule == "AGW041"),
            "the gateway reaches the app of the other template: {:?}",
            report.findings.iter().map(|f| f.rule).collect::<Vec<_>>()
        );
        assert_regrouped(&report);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_private_endpoint_of_another_template_with_an_unknown_target_is_assumed() {
    let dir = scratch("pe");
    // The self-contained failing template first, an endpoint whose target is a parameter
    // without a value last: the first unit's rules ran before the endpoint was seen.
    std::fs::copy(
        root().join("testdata/rules/AGW041/fail.json"),
        dir.join("a_fail.json"),
    )
    .unwrap();
    let pe = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": { "target": { "type": "string" } },
        "resources": [{
            "type": "Microsoft.Network/privateEndpoints",
            "apiVersion": "2023-09-01",
            "name": "pe",
            "location": "westeurope",
            "properties": {
                "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]" },
                "privateLinkServiceConnections": [{
                    "name": "c",
                    "properties": { "privateLinkServiceId": "[parameters('target')]", "groupIds": ["sites"] }
                }]
            }
        }]
    });
    std::fs::write(
        dir.join("z_pe.json"),
        serde_json::to_string_pretty(&pe).unwrap(),
    )
    .unwrap();
    let alone = same(&dir);
    assert!(!alone.findings.is_empty());
    // And with the gateway's backend in another template.
    split_gateway_and_app(&dir, "b_gw.json", "c_app.json");
    same(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_template_loaded_again_keeps_its_file_ids_so_its_suppressions_are_used_once() {
    let dir = scratch("suppress");
    split_gateway_and_app(&dir, "a_gw.json", "b_app.json");
    // A suppression in the gateway's template: the unit is loaded again for its group; a
    // second id for the same file would report the comment as unused (AGW900).
    let gw = std::fs::read_to_string(dir.join("a_gw.json")).unwrap();
    let gw = format!("// agwlint-ignore AGW044: diagnostics are set by policy\n{gw}");
    std::fs::write(dir.join("a_gw.json"), gw).unwrap();
    let report = same(&dir);
    assert_regrouped(&report);
    assert!(
        !report.findings.iter().any(|f| f.rule == "AGW900"),
        "{:?}",
        report
            .findings
            .iter()
            .map(|f| (f.rule, &f.message))
            .collect::<Vec<_>>()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The top-level blocks of an HCL file written one after the other, each ending with a `}`
/// line of its own.
fn hcl_blocks(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if cur.is_empty() && line.trim().is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if line == "}" {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

/// The AGW041 failing Terraform root split in two roots, `gw` (the gateway, its backend named
/// by the app's custom domain, a suppression comment and a `terraform.tfvars`) and `app` (the
/// Function App that requires client certificates, and its domain), both calling the local module
/// `common`: the module's trees are parsed once for both roots, then dropped.
fn split_tf_gateway_and_app(dir: &Path, gw: &str, app: &str) {
    let text =
        std::fs::read_to_string(root().join("testdata/rules/AGW041/fail_var_default_tf/main.tf"))
            .unwrap();
    let blocks = hcl_blocks(&text);
    let of_app = |b: &str| {
        [
            "resource \"azurerm_service_plan\"",
            "resource \"azurerm_linux_function_app\"",
            "variable \"cert_mode\"",
        ]
        .iter()
        .any(|p| b.starts_with(p))
    };
    let shared = |b: &str| {
        [
            "terraform {",
            "provider ",
            "variable \"location\"",
            "resource \"azurerm_resource_group\"",
        ]
        .iter()
        .any(|p| b.starts_with(p))
    };
    let call = "module \"common\" {\n  source = \"../common\"\n  owner  = \"platform\"\n}\n";
    let mut gw_text = String::new();
    let mut app_text = String::new();
    for b in &blocks {
        if b.starts_with("resource \"azurerm_monitor_diagnostic_setting\"") {
            continue;
        }
        if shared(b) {
            gw_text.push_str(b);
            app_text.push_str(b);
        } else if of_app(b) {
            app_text.push_str(b);
        } else if b.starts_with("resource \"azurerm_application_gateway\"") {
            gw_text.push_str("# agwlint-ignore AGW044: diagnostics are set by policy\n");
            gw_text.push_str(&b.replace(
                "azurerm_linux_function_app.fn.default_hostname",
                "\"scim.contoso.com\"",
            ));
        } else {
            gw_text.push_str(b);
        }
        gw_text.push('\n');
        app_text.push('\n');
    }
    gw_text.push_str(call);
    app_text.push_str(call);
    // A Terraform app's default host name is not known before deployment: the gateway names
    // its custom domain.
    app_text.push_str(
        "\nresource \"azurerm_app_service_custom_hostname_binding\" \"fn\" {\n  hostname            = \"scim.contoso.com\"\n  app_service_name    = azurerm_linux_function_app.fn.name\n  resource_group_name = azurerm_resource_group.rg.name\n}\n",
    );
    let common = "variable \"owner\" {\n  type = string\n}\n\noutput \"tags\" {\n  value = { owner = var.owner }\n}\n";
    for (name, main) in [(gw, gw_text.as_str()), (app, &app_text), ("common", common)] {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        std::fs::write(dir.join(name).join("main.tf"), main).unwrap();
    }
    std::fs::write(
        dir.join(gw).join("terraform.tfvars"),
        "location = \"westeurope\"\n",
    )
    .unwrap();
}

#[test]
fn a_terraform_root_is_loaded_again_for_its_group_with_the_ids_of_its_first_load() {
    // Both orders: the root that asks before and after the root that answers.
    for (gw, app) in [("a_gw", "b_app"), ("b_gw", "a_app")] {
        let dir = scratch(gw);
        split_tf_gateway_and_app(&dir, gw, app);
        // `same` compares the number of files in the source map: a root loaded again with
        // new ids (its tfvars, its module's files) would add files.
        let report = same(&dir);
        let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
        assert!(rules.contains(&"AGW041"), "{rules:?}");
        // The suppression in the gateway's root is used by its second load: a second id for
        // the file would leave the comment unused (AGW900).
        assert!(!rules.contains(&"AGW900"), "{rules:?}");
        assert!(report.suppressed > 0, "{rules:?}");
        assert_regrouped(&report);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_terraform_root_that_answers_a_template_is_loaded_again() {
    let dir = scratch("tf-app");
    split_tf_gateway_and_app(&dir, "gw", "app");
    std::fs::remove_dir_all(dir.join("gw")).unwrap();
    // The ARM gateway asks for the host name the Terraform app has.
    split_gateway_and_app(&dir, "gw.json", "unused_app.json");
    std::fs::remove_file(dir.join("unused_app.json")).unwrap();
    let gw = std::fs::read_to_string(dir.join("gw.json")).unwrap();
    std::fs::write(
        dir.join("gw.json"),
        gw.replace("scim-fn.azurewebsites.net", "scim.contoso.com"),
    )
    .unwrap();
    let report = same(&dir);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"AGW041"), "{rules:?}");
    assert_regrouped(&report);
    let _ = std::fs::remove_dir_all(&dir);
}
