//! Linked ARM templates: a template another scanned template links is linted through it, with
//! the parameter values it receives there; an unreadable link makes its resources unknown.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use agwlint::{LintOptions, lint, source::SourceMap};

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-linked-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("nested")).unwrap();
    d
}

fn gateway_template() -> String {
    format!(
        r#"{{ "$schema": "{SCHEMA}", "contentVersion": "1.0.0.0",
  "parameters": {{ "sku": {{ "type": "string" }}, "poolAddress": {{ "type": "string", "defaultValue": "" }} }},
  "resources": [ {{ "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "gw",
    "properties": {{ "sku": {{ "name": "[parameters('sku')]" }},
      "backendAddressPools": [ {{ "name": "pool", "properties": {{ "backendAddresses": [] }} }} ],
      "backendHttpSettingsCollection": [ {{ "name": "s", "properties": {{ "port": 80, "protocol": "Http" }} }} ],
      "httpListeners": [ {{ "name": "l", "properties": {{ "protocol": "Http" }} }} ],
      "requestRoutingRules": [ {{ "name": "r", "properties": {{ "ruleType": "Basic",
        "httpListener": {{ "id": "[resourceId('Microsoft.Network/applicationGateways/httpListeners', 'gw', 'l')]" }},
        "backendAddressPool": {{ "id": "[resourceId('Microsoft.Network/applicationGateways/backendAddressPools', 'gw', 'pool')]" }},
        "backendHttpSettings": {{ "id": "[resourceId('Microsoft.Network/applicationGateways/backendHttpSettingsCollection', 'gw', 's')]" }} }} }} ] }} }} ] }}"#
    )
}

fn main_template(extra: &str) -> String {
    format!(
        r#"{{ "$schema": "{SCHEMA}", "contentVersion": "1.0.0.0",
  "parameters": {{
    "_artifactsLocation": {{ "type": "string", "defaultValue": "[deployment().properties.templateLink.uri]" }},
    "_artifactsLocationSasToken": {{ "type": "securestring", "defaultValue": "" }} }},
  "resources": [
    {{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "gw",
      "properties": {{ "mode": "Incremental",
        "templateLink": {{ "uri": "[uri(parameters('_artifactsLocation'), concat('nested/gw.json', parameters('_artifactsLocationSasToken')))]" }},
        "parameters": {{ "sku": {{ "value": "Standard_Medium" }} }} }} }}
    {extra} ] }}"#
    )
}

fn rules(report: &agwlint::Report, sources: &SourceMap) -> Vec<(String, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), sources.path(f.primary.file)))
        .collect()
}

#[test]
fn linked_template_is_linted_through_its_parent_only() {
    let d = scratch("through");
    std::fs::write(d.join("azuredeploy.json"), main_template("")).unwrap();
    std::fs::write(d.join("nested/gw.json"), gateway_template()).unwrap();
    let sources = SourceMap::new();
    let report = lint(std::slice::from_ref(&d), &LintOptions::default(), &sources).unwrap();
    let found = rules(&report, &sources);
    // The sku is known only through the parent's parameter value; the empty pool is reported
    // once, not a second time for the standalone nested file.
    assert_eq!(
        found.iter().filter(|(r, _)| r == "AGW001").count(),
        1,
        "{found:?}"
    );
    assert_eq!(
        found.iter().filter(|(r, _)| r == "AGW006").count(),
        1,
        "{found:?}"
    );
    assert!(found.iter().all(|(_, f)| f.ends_with("nested/gw.json")));
    assert!(report.notes.iter().any(|n| n.contains("linted through")));
    assert_eq!(report.files_scanned, 2);
}

#[test]
fn an_unreadable_linked_template_may_add_pool_members() {
    let d = scratch("opaque");
    let vm = r#", { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "vms",
      "properties": { "mode": "Incremental", "templateLink": { "uri": "https://example.com/vm.json" } } }"#;
    std::fs::write(d.join("azuredeploy.json"), main_template(vm)).unwrap();
    std::fs::write(d.join("nested/gw.json"), gateway_template()).unwrap();
    let sources = SourceMap::new();
    let report = lint(
        &[d.join("azuredeploy.json")],
        &LintOptions::default(),
        &sources,
    )
    .unwrap();
    let found = rules(&report, &sources);
    assert!(found.iter().any(|(r, _)| r == "AGW001"), "{found:?}");
    assert!(!found.iter().any(|(r, _)| r == "AGW006"), "{found:?}");
}

#[test]
fn an_absolute_link_to_a_template_of_the_same_name_does_not_recurse() {
    // A template that links a remote copy of itself (same file name): resolving the uri's tail
    // locally recursed into the template to the depth limit, repeating every finding.
    let d = scratch("self");
    let gw = gateway_template();
    let selfref = r#"{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "again",
      "properties": { "mode": "Incremental", "templateLink": { "uri": "https://raw.githubusercontent.com/example/repo/main/azuredeploy.json" } } }, "#;
    let text = gw.replacen(
        r#""resources": [ "#,
        &format!(r#""resources": [ {selfref}"#),
        1,
    );
    assert_ne!(text, gw);
    std::fs::write(d.join("azuredeploy.json"), &text).unwrap();
    let sources = SourceMap::new();
    let report = lint(
        &[d.join("azuredeploy.json")],
        &LintOptions::default(),
        &sources,
    )
    .unwrap();
    let mut keys: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.primary.file, f.primary.start))
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "repeated findings: {:?}", report.findings);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("already on the link chain")),
        "{:?}",
        report.notes
    );
}
