//! The documented limits (README.md, "Limits") behave as documented: a unit over its time limit is
//! AGW000 with the reason; nesting, expression depth, copy counts and module depth give clear
//! results instead of crashes or hangs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use agwlint::frontend::FrontendOptions;
use agwlint::source::SourceMap;
use agwlint::{LintOptions, Report, lint};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-limits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(path: &Path, limit: Option<Duration>) -> (Report, SourceMap) {
    let opts = LintOptions {
        frontend: FrontendOptions {
            time_limit: limit,
            ..FrontendOptions::default()
        },
        ..LintOptions::default()
    };
    let sources = SourceMap::new();
    let report = lint(&[path.to_path_buf()], &opts, &sources).unwrap();
    (report, sources)
}

fn rules(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule).collect()
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn arm_unit_over_its_time_limit_is_agw000_with_the_reason() {
    let path = fixture("testdata/rules/AGW001/fail.json");
    let (ok, _) = run(&path, None);
    assert!(rules(&ok).contains(&"AGW001"), "{:?}", rules(&ok));
    assert!(!rules(&ok).contains(&"AGW000"));
    let (late, sources) = run(&path, Some(Duration::ZERO));
    assert_eq!(
        rules(&late),
        ["AGW000"],
        "a partial model must not be linted"
    );
    let f = &late.findings[0];
    assert!(
        f.message.contains("took longer than 0 s; skipped"),
        "{}",
        f.message
    );
    assert!(sources.path(f.primary.file).ends_with("AGW001/fail.json"));
}

#[test]
fn terraform_unit_over_its_time_limit_is_agw000_with_the_reason() {
    let dir = fixture("testdata/examples/terraform");
    let (ok, _) = run(&dir, None);
    assert!(!rules(&ok).contains(&"AGW000"), "{:?}", rules(&ok));
    let (late, sources) = run(&dir, Some(Duration::ZERO));
    assert!(
        late.findings
            .iter()
            .all(|f| f.rule == "AGW000" && f.message.contains("took longer than 0 s; skipped")),
        "{:?}",
        late.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    assert_eq!(late.findings.len(), 1);
    assert!(sources.path(late.findings[0].primary.file).ends_with(".tf"));
}

#[test]
fn json_nesting_over_256_is_agw000_and_256_is_not() {
    let d = scratch("json-depth");
    let head = r#"{"$schema":"deploymentTemplate.json","contentVersion":"1.0.0.0","resources":[],"variables":{"v":"#;
    // The root object and `variables` take two levels.
    for (depth, bad) in [(254, false), (255, true)] {
        let text = format!("{head}{}{}}}}}", "[".repeat(depth), "]".repeat(depth));
        let p = d.join(format!("t{depth}.json"));
        std::fs::write(&p, text).unwrap();
        let (r, _) = run(&p, None);
        assert_eq!(
            rules(&r).contains(&"AGW000"),
            bad,
            "depth {depth}: {:?}",
            r.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
        if bad {
            assert!(
                r.findings[0]
                    .message
                    .contains("nesting deeper than 256 levels")
            );
        }
    }
}

#[test]
fn arm_expression_nesting_over_128_is_unknown_with_a_note() {
    let d = scratch("expr-depth");
    let deep = format!(
        "{}'Standard_Medium'{}",
        "concat(".repeat(200),
        ")".repeat(200)
    );
    let base = std::fs::read_to_string(fixture("testdata/rules/AGW001/fail.json")).unwrap();
    let text = base
        .replace("[parameters('skuName')]", &format!("[{deep}]"))
        .replace("[parameters('skuTier')]", &format!("[{deep}]"));
    assert_ne!(text, base);
    let p = d.join("t.json");
    std::fs::write(&p, text).unwrap();
    let (r, _) = run(&p, None);
    // Unknown: AGW001 must not fire on a SKU it could not evaluate.
    assert!(!rules(&r).contains(&"AGW001"), "{:?}", rules(&r));
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("nested deeper than 128 levels")),
        "{:?}",
        r.notes
    );
}

#[test]
fn arm_copy_count_is_clamped_to_800() {
    let d = scratch("copy");
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    { "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2023-09-01",
      "name": "[concat('pip-', copyIndex())]", "location": "x",
      "copy": { "name": "c", "count": 1000000000 } }
  ]
}"#;
    let p = d.join("t.json");
    std::fs::write(&p, text).unwrap();
    let sources = SourceMap::new();
    let inputs = agwlint::discover::discover(&[p], &agwlint::discover::Filters::default());
    let (model, report) = agwlint::load(&inputs, &LintOptions::default(), &sources);
    assert!(rules(&report).is_empty());
    assert_eq!(model.public_ips.len(), 800);
}

#[test]
fn terraform_module_chains_stop_at_depth_16_with_a_note() {
    let d = scratch("tf-depth");
    // One repository holds the chain, so `../mN` stays inside the scan root (issue 20).
    std::fs::create_dir_all(d.join(".git")).unwrap();
    for i in 0..20 {
        let m = d.join(format!("m{i}"));
        std::fs::create_dir_all(&m).unwrap();
        std::fs::write(
            m.join("main.tf"),
            format!("module \"next\" {{\n  source = \"../m{}\"\n}}\n", i + 1),
        )
        .unwrap();
    }
    std::fs::create_dir_all(d.join("m20")).unwrap();
    std::fs::write(d.join("m20/main.tf"), "locals {\n  a = 1\n}\n").unwrap();
    let (r, _) = run(&d.join("m0"), None);
    assert!(rules(&r).is_empty(), "{:?}", rules(&r));
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("nests deeper than 16 modules")),
        "{:?}",
        r.notes
    );
}

#[test]
fn terraform_instance_explosion_is_agw000_not_gigabytes() {
    // 4000 module instances × 4000 resource instances each: 16 million before the limit.
    let d = scratch("tf-instances");
    std::fs::create_dir_all(d.join("mod")).unwrap();
    std::fs::write(
        d.join("main.tf"),
        "module \"m\" {\n  count  = 4000\n  source = \"./mod\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("mod/main.tf"),
        "resource \"azurerm_public_ip\" \"p\" {\n  count = 4000\n  name  = \"p${count.index}\"\n}\n",
    )
    .unwrap();
    let t = std::time::Instant::now();
    let (r, _) = run(&d, None);
    assert_eq!(rules(&r), ["AGW000"]);
    assert!(
        r.findings[0].message.contains(
            "more than 20000 resource and module instances through count and for_each; skipped"
        ),
        "{}",
        r.findings[0].message
    );
    assert!(t.elapsed() < Duration::from_secs(25), "{:?}", t.elapsed());
}
