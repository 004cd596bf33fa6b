//! Hostile ARM inputs: each is an AGW000 finding or a clean skip, never a panic, and a good
//! template in the same run is still reported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use agwlint::{LintOptions, lint, source::SourceMap};

const GOOD: &str = include_str!("../testdata/rules/AGW001/fail.json");

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-bad-arm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Lints `bad` next to a good template, both as a directory and as explicit paths; returns
/// the rules reported for the bad file.
fn check(name: &str, bad: &[u8]) -> Vec<String> {
    let dir = scratch(name);
    let bad_path = dir.join("bad.json");
    std::fs::write(&bad_path, bad).unwrap();
    std::fs::write(dir.join("good.json"), GOOD).unwrap();
    let mut bad_rules = Vec::new();
    for paths in [
        vec![dir.clone()],
        vec![bad_path.clone(), dir.join("good.json")],
    ] {
        let sources = SourceMap::new();
        let report = lint(&paths, &LintOptions::default(), &sources).expect("lint runs");
        let on = |f: &agwlint::finding::Finding, file: &str| {
            Path::new(&sources.path(f.primary.file)).file_name() == Some(file.as_ref())
        };
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule == "AGW001" && on(f, "good.json")),
            "{name}: the good template was not reported: {:?}",
            report.findings
        );
        // AGW044 judges every gateway whatever its routing (issue 13): a gateway of a
        // malformed template still has no diagnostic setting. Every other rule must stay
        // silent on garbage.
        bad_rules = report
            .findings
            .iter()
            .filter(|f| on(f, "bad.json") && f.rule != "AGW044")
            .map(|f| f.rule.to_string())
            .collect();
        assert!(
            bad_rules.iter().all(|r| r == "AGW000"),
            "{name}: unexpected findings {bad_rules:?}"
        );
    }
    bad_rules
}

#[test]
fn truncated_template_is_a_parse_error() {
    let cut = &GOOD[..GOOD.len() / 2];
    assert_eq!(check("truncated", cut.as_bytes()), ["AGW000"]);
}

#[test]
fn very_deep_nesting_is_a_parse_error_not_a_stack_overflow() {
    let mut t = String::from(r#"{"contentVersion": "1.0.0.0", "resources": "#);
    t.push_str(&"[".repeat(10_000));
    t.push_str(&"]".repeat(10_000));
    t.push('}');
    assert_eq!(check("deep", t.as_bytes()), ["AGW000"]);
    // A bare deep array is not a template: skipped.
    let bare = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(check("deep-bare", bare.as_bytes()).is_empty());
}

#[test]
fn invalid_utf8_template_is_a_parse_error() {
    let mut b = GOOD.as_bytes()[..200].to_vec();
    b.extend_from_slice(&[0xff, 0xfe, 0x80]);
    b.extend_from_slice(&GOOD.as_bytes()[200..]);
    assert_eq!(check("utf8", &b), ["AGW000"]);
}

#[test]
fn binary_and_empty_files_are_skipped_or_parse_errors() {
    let bin: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let r = check("binary", &bin);
    assert!(r.len() <= 1);
    let r = check("empty", b"");
    assert!(r.len() <= 1);
    let r = check("spaces", b"   \n\t ");
    assert!(r.len() <= 1);
}

#[test]
fn bom_is_accepted_and_positions_stay_exact() {
    let mut b = vec![0xef, 0xbb, 0xbf];
    b.extend_from_slice(GOOD.as_bytes());
    let dir = scratch("bom");
    let p = dir.join("bom.json");
    std::fs::write(&p, &b).unwrap();
    let sources = SourceMap::new();
    let report = lint(&[p], &LintOptions::default(), &sources).unwrap();
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "AGW001")
        .expect("AGW001 on the BOM file");
    let file = sources.get(f.primary.file).unwrap();
    let lc = file.line_col(f.primary.start as usize);
    let expected_line = GOOD
        .lines()
        .position(|l| l.contains("\"Name\": \"[parameters('skuName')]\""))
        .unwrap()
        + 1;
    assert_eq!(lc.line, expected_line);
}

#[test]
fn odd_types_in_templates_do_not_panic() {
    let odd = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": 5,
  "variables": { "copy": "x", "v": "[variables('v')]" },
  "resources": [
    7, null, "str",
    { "type": 3, "name": [1] },
    { "type": "Microsoft.Network/applicationGateways", "name": "gw", "copy": { "name": "c", "count": "[variables('v')]" },
      "properties": { "sku": [], "backendAddressPools": { "x": 1 }, "copy": [ { "name": "probes", "count": -5, "input": 1 } ],
        "requestRoutingRules": [ 1, { "properties": { "httpListener": "id" } } ] } },
    { "type": "Microsoft.Resources/deployments", "name": "d", "properties": { "template": 5, "templateLink": { "relativePath": "../../../../etc/passwd" } } },
    { "type": "Microsoft.Resources/deployments", "name": "e", "properties": { "expressionEvaluationOptions": { "scope": "inner" },
      "template": { "resources": [ { "type": "Microsoft.Resources/deployments", "name": "e", "properties": { "template": { "resources": [] } } } ] } } }
  ]
}"#;
    let r = check("odd", odd.as_bytes());
    assert!(r.is_empty(), "{r:?}");
}

#[test]
fn long_chains_of_modules_variables_and_nesting_do_not_overflow() {
    const S: &str =
        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
    // 300 modules, each taking the next one's output (evaluated on demand).
    let mut res = Vec::new();
    for i in 0..300 {
        let value = if i == 299 {
            "'end'".to_string()
        } else {
            format!("reference('d{}').outputs.o.value", i + 1)
        };
        res.push(format!(
            r#"{{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "d{i}",
  "properties": {{ "mode": "Incremental", "expressionEvaluationOptions": {{ "scope": "inner" }},
    "parameters": {{ "p": {{ "value": "[{value}]" }} }},
    "template": {{ "$schema": "{S}", "contentVersion": "1.0.0.0",
      "parameters": {{ "p": {{ "type": "string" }} }}, "resources": [],
      "outputs": {{ "o": {{ "type": "string", "value": "[parameters('p')]" }} }} }} }} }}"#
        ));
    }
    // 2,000 variables, each naming the next.
    let vars: Vec<String> = (0..2000)
        .map(|i| format!(r#""v{i}": "[variables('v{}')]""#, i + 1))
        .chain(std::iter::once(r#""v2000": "x""#.to_string()))
        .collect();
    // Deployments nested 40 deep.
    let mut nested = r#"{ "resources": [] }"#.to_string();
    for _ in 0..40 {
        nested = format!(
            r#"{{ "$schema": "{S}", "contentVersion": "1.0.0.0", "resources": [ {{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "n", "properties": {{ "mode": "Incremental", "template": {nested} }} }} ] }}"#
        );
    }
    res.push(format!(
        r#"{{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "deep", "properties": {{ "mode": "Incremental", "template": {nested} }} }}"#
    ));
    res.push(
        r#"{ "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "[variables('v0')]",
             "properties": { "sku": { "name": "[reference('d0').outputs.o.value]" } } }"#
            .to_string(),
    );
    let t = format!(
        r#"{{ "$schema": "{S}", "contentVersion": "1.0.0.0", "variables": {{ {} }}, "resources": [ {} ] }}"#,
        vars.join(", "),
        res.join(",\n")
    );
    let r = check("chains", t.as_bytes());
    assert!(r.is_empty(), "{r:?}");
}

/// A small deterministic generator (xorshift) so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(v: &mut serde_json::Value, rng: &mut Rng, depth: usize) {
    use serde_json::{Value, json};
    if depth > 40 {
        return;
    }
    if rng.below(12) == 0 {
        let odd = [
            Value::Null,
            json!(7),
            json!(-1),
            json!(1e300),
            json!(true),
            json!("[parameters('nope')]"),
            json!("[concat("),
            json!("[copyIndex()]"),
            json!("[reference('x').outputs.y.value]"),
            json!([]),
            json!({}),
            json!([{ "id": "/probes/x" }]),
            json!({ "copy": [{ "name": "a", "count": 900, "input": "[copyIndex('a')]" }] }),
        ];
        *v = odd[rng.below(odd.len())].clone();
        return;
    }
    match v {
        Value::Array(a) => a.iter_mut().for_each(|e| mutate(e, rng, depth + 1)),
        Value::Object(o) => o.values_mut().for_each(|e| mutate(e, rng, depth + 1)),
        _ => {}
    }
}

#[test]
fn mutated_templates_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = [
        "testdata/rules/AGW001/fail.json",
        "testdata/rules/AGW006/pass.json",
        "testdata/rules/AGW010/fail.json",
        "testdata/rules/AGW023/pass.json",
        "testdata/examples/arm/azuredeploy.json",
        "testdata/examples/arm/modules/network.json",
    ];
    let dir = scratch("mutated");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for seed in seeds {
        let text = std::fs::read_to_string(root.join(seed)).unwrap();
        let base: serde_json::Value = serde_json::from_str(&text).unwrap();
        for round in 0..25 {
            let mut v = base.clone();
            mutate(&mut v, &mut rng, 0);
            let p = dir.join(format!("m{round}.json"));
            std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
            let sources = SourceMap::new();
            // Must finish without panicking; findings of any rule are fine.
            let _ = lint(&[p], &LintOptions::default(), &sources).unwrap();
        }
    }
}
