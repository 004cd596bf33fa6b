//! `--verbose` and `--format json` explain silence (issue 12, point 6): every check skipped
//! because a value is Unknown names the rule, the resource and property, and the expression
//! that made the value Unknown with its location; the verbose list is grouped and capped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const TEMPLATE: &str = include_str!("../testdata/inputs/arm/gateway.json");
const MAIN_TF: &str = include_str!("../testdata/inputs/tf/main.tf");

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-skipped-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join(".git")).unwrap();
    d
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn agwlint(dir: &Path, args: &[&str]) -> (String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The gateway template whose `skuName` parameter has no default, and the module whose
/// `gateway_sku` variable has none.
fn unknown_skus(name: &str) -> PathBuf {
    let d = dir(name);
    write(
        &d.join("arm/gateway.json"),
        &TEMPLATE.replace(
            "\"skuName\": { \"type\": \"string\", \"defaultValue\": \"Standard_v2\" }",
            "\"skuName\": { \"type\": \"string\" }",
        ),
    );
    write(
        &d.join("tf/main.tf"),
        &MAIN_TF.replace("  default = \"Standard_v2\"\n", ""),
    );
    d
}

#[test]
fn verbose_names_rule_resource_property_and_the_expression_with_its_location() {
    let d = unknown_skus("verbose");
    let (_, err) = agwlint(&d, &["lint", "--verbose", "--select", "AGW001,AGW002", "."]);
    assert!(
        err.contains(
            "note: 3 checks skipped because a value is Unknown:\n  variable `gateway_sku` has no default value and no value from a var file or --var (tf/main.tf:1:1)\n    AGW001 azurerm_application_gateway.gw sku.name\n    AGW002 azurerm_application_gateway.gw sku\n  parameter `skuName` has no default value and no value from a parameter file (arm/gateway.json:6:5)\n    AGW002 Microsoft.Network/applicationGateways/agw-inputs sku\n"
        ),
        "{err}"
    );
    // Given values, nothing is skipped for them.
    let (_, err) = agwlint(
        &d,
        &[
            "lint",
            "--verbose",
            "--select",
            "AGW001,AGW002",
            "--var",
            "gateway_sku=Standard_v2",
            "tf",
        ],
    );
    assert!(
        err.contains("note: 0 checks skipped because a value is Unknown\n"),
        "{err}"
    );
}

#[test]
fn json_lists_every_skipped_check() {
    let d = unknown_skus("json");
    let (out, _) = agwlint(
        &d,
        &["lint", "--format", "json", "--select", "AGW001,AGW002", "."],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert_eq!(
        skipped[0],
        serde_json::json!({
            "rule": "AGW002",
            "resource": "Microsoft.Network/applicationGateways/agw-inputs",
            "property": "sku",
            "reason": "parameter `skuName` has no default value and no value from a parameter file",
            "file": "arm/gateway.json",
            "line": 6,
            "column": 5
        })
    );
    assert_eq!(skipped[1]["rule"], "AGW001");
    assert_eq!(skipped[1]["property"], "sku.name");
    assert_eq!(skipped[1]["file"], "tf/main.tf");
}

#[test]
fn reasons_follow_values_through_expressions() {
    let d = dir("through");
    write(
        &d.join("main.tf"),
        r#"data "azurerm_client_config" "c" {}

resource "azurerm_application_gateway" "gw" {
  name                = "agw"
  location            = "westeurope"
  resource_group_name = "rg"
  sku {
    name     = lower(data.azurerm_client_config.c.tenant_id)
    tier     = "Standard_v2"
    capacity = 2
  }
}
"#,
    );
    let (out, _) = agwlint(&d, &["lint", "--format", "json", "--select", "AGW002", "."]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = &v["skipped"][0];
    assert_eq!(
        s["reason"], "data source `data.azurerm_client_config.c` is read only at apply",
        "{v}"
    );
    assert_eq!(
        (s["file"].as_str(), s["line"].as_i64()),
        (Some("main.tf"), Some(8))
    );
    // Without a recorded reason, the expression as written is quoted.
    let template = TEMPLATE.replace(
        "\"name\": \"[parameters('skuName')]\"",
        "\"name\": \"[concat(resourceGroup().location, '_v2')]\"",
    );
    write(&d.join("gw.json"), &template);
    let (out, _) = agwlint(
        &d,
        &["lint", "--format", "json", "--select", "AGW002", "gw.json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["skipped"][0]["reason"], "`resourceGroup()` is known only at deployment",
        "{v}"
    );
}

#[test]
fn a_large_tree_is_grouped_and_capped() {
    let d = dir("capped");
    let mut tf = String::new();
    for i in 0..14 {
        tf.push_str(&format!(
            "variable \"sku{i}\" {{\n  type = string\n}}\n\nresource \"azurerm_application_gateway\" \"gw{i}\" {{\n  name                = \"agw{i}\"\n  location            = \"westeurope\"\n  resource_group_name = \"rg\"\n  sku {{\n    name     = var.sku{i}\n    tier     = var.sku{i}\n    capacity = 2\n  }}\n}}\n\n"
        ));
    }
    // One variable behind two gateways: the group that silences the most checks comes first.
    tf.push_str("variable \"shared\" {\n  type = string\n}\n");
    for g in ["a", "b"] {
        tf.push_str(&format!(
            "resource \"azurerm_application_gateway\" \"shared_{g}\" {{\n  name                = \"agw-{g}\"\n  location            = \"westeurope\"\n  resource_group_name = \"rg\"\n  sku {{\n    name     = var.shared\n    tier     = var.shared\n    capacity = 2\n  }}\n}}\n"
        ));
    }
    write(&d.join("main.tf"), &tf);
    let (_, err) = agwlint(&d, &["lint", "--verbose", "."]);
    let block: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.contains("checks skipped"))
        .collect();
    let reasons = block.iter().filter(|l| l.starts_with("  variable")).count();
    assert_eq!(reasons, 10, "{err}");
    assert!(
        block.contains(&"  ... and 5 more reasons (`--format json` lists every skipped check)"),
        "{err}"
    );
    assert!(block[1].starts_with("  variable `shared`"), "{err}");
    assert_eq!(block[7], "    ... and 5 more checks", "{err}");
    assert!(block.len() < 80, "{} lines:\n{err}", block.len());
}

#[test]
fn a_gateway_subnet_outside_the_scan_is_named() {
    let d = dir("placement");
    let template = TEMPLATE.replace(
        "\"properties\": {\n        \"sku\"",
        "\"properties\": {\n        \"gatewayIPConfigurations\": [ { \"name\": \"ip\", \"properties\": { \"subnet\": { \"id\": \"[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-hub', 'snet-agw')]\" } } } ],\n        \"sku\"",
    );
    assert_ne!(template, TEMPLATE);
    write(&d.join("gw.json"), &template);
    let (out, _) = agwlint(&d, &["lint", "--format", "json", "--select", "AGW027", "."]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = &v["skipped"][0];
    assert_eq!(
        s["reason"], "subnet `vnet-hub/snet-agw` is not in the scan",
        "{v}"
    );
    assert_eq!(
        s["property"],
        "gatewayIPConfigurations.subnet.networkSecurityGroup"
    );
    assert_eq!(s["line"], 16, "the subnet reference: {v}");
}
