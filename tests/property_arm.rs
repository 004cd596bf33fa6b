//! Property tests of the ARM front-end: any bytes, and any mutation of a valid template, lint to
//! findings or AGW000 within a time bound, never a panic or a hang. Deterministic (xorshift with
//! fixed seeds): a failure names the case to replay.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod property_common;

use std::time::Duration;

use property_common::{Rng, bounded, lint_arm_text, mutate, testdata};

const HEAD: &str = r#"{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": ["#;

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\"[\"",
    "\"]\"",
    "null",
    "true",
    "1e999",
    "-0",
    "//",
    "/*",
    "*/",
    "\"copy\"",
    "\"count\"",
    "\"name\"",
    "\"type\"",
    "\"properties\"",
    "\"resources\"",
    "\"Microsoft.Network/applicationGateways\"",
    "\"Microsoft.Resources/deployments\"",
    "\"[variables('v')]\"",
    "\"[parameters('p')]\"",
    "\"[copyIndex()]\"",
    "\"[[x]\"",
    "\u{feff}",
    "\\u0000",
    "\\ud800",
    "\"languageVersion\": \"2.0\"",
    "\"condition\": false",
];

const EXPR_TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "'",
    "''",
    "concat",
    "format",
    "if",
    "equals",
    "variables",
    "parameters",
    "reference",
    "resourceId",
    "copyIndex",
    "range",
    "map",
    "filter",
    "reduce",
    "lambda",
    "lambdaVariables",
    "createArray",
    "createObject",
    "json",
    "string",
    "int",
    "length",
    "union",
    "intersection",
    "replace",
    "split",
    "substring",
    "padLeft",
    "toLower",
    "first",
    "last",
    "take",
    "skip",
    "items",
    "coalesce",
    "'v'",
    "'p'",
    "'x'",
    "0",
    "1",
    "-1",
    "800",
    "9999999999999999999",
    "'{0}'",
    "'[]'",
    "'{}'",
    "'a'",
    " ",
    "\\\"",
    "\\u0000",
];

fn check(what: String, text: String) -> Vec<String> {
    let rules = bounded(&what, Duration::from_secs(20), move || lint_arm_text(&text));
    assert!(
        rules.iter().all(|r| r.starts_with("AGW")),
        "{what}: odd rules {rules:?}"
    );
    rules
}

#[test]
fn random_bytes_after_a_template_head_are_agw000() {
    let mut rng = Rng::new(1);
    for case in 0..600 {
        let n = rng.below(600);
        // No `}` or `]` in the tail: the document cannot close, so it must be AGW000.
        let tail: String = String::from_utf8_lossy(&rng.bytes(n))
            .chars()
            .filter(|c| !matches!(c, '}' | ']'))
            .collect();
        let rules = check(format!("random tail case {case}"), format!("{HEAD}{tail}"));
        assert!(
            rules.contains(&"AGW000".to_string()),
            "case {case}: {rules:?}"
        );
    }
}

#[test]
fn token_soup_templates_never_panic() {
    let mut rng = Rng::new(2);
    for case in 0..1000 {
        let mut s = String::from(HEAD);
        for _ in 0..rng.below(80) {
            s.push_str(rng.tok(JSON_TOKENS));
            if rng.below(4) == 0 {
                s.push(' ');
            }
        }
        check(format!("token soup case {case}"), s);
    }
}

#[test]
fn random_expressions_never_panic() {
    let mut rng = Rng::new(3);
    for case in 0..1500 {
        let mut e = String::new();
        for _ in 0..1 + rng.below(40) {
            e.push_str(rng.tok(EXPR_TOKENS));
        }
        let text = format!(
            r#"{HEAD}
  {{ "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01",
     "name": "[{e}]", "location": "x",
     "copy": {{ "name": "c", "count": "[{e}]" }},
     "properties": {{ "sku": {{ "name": "[{e}]", "tier": "Standard_v2" }},
       "backendHttpSettingsCollection": [ {{ "name": "s", "properties": {{ "port": "[{e}]", "hostName": "[{e}]" }} }} ] }} }} ],
  "variables": {{ "v": "[{e}]" }},
  "parameters": {{ "p": {{ "type": "array", "defaultValue": [1, "a", {{ "b": 2 }}] }} }},
  "outputs": {{ "o": {{ "type": "object", "value": "[{e}]" }} }}
}}"#
        );
        check(format!("expression case {case}: {e}"), text);
    }
}

#[test]
fn mutated_testdata_templates_never_panic() {
    let seeds = testdata("json", 64 * 1024);
    assert!(seeds.len() >= 5, "testdata templates missing");
    let mut rng = Rng::new(4);
    for case in 0..1500 {
        let (path, bytes) = rng.pick(&seeds);
        let m = mutate(bytes, &mut rng, JSON_TOKENS);
        let text = String::from_utf8_lossy(&m).into_owned();
        check(format!("mutation case {case} of {}", path.display()), text);
    }
}
