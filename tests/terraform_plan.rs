//! Plan JSON ("source first, plan fills"): testdata/terraform/plan_gateway is a gateway whose
//! SKU, backend FQDNs, probe path and NSG rules come from pipeline variables (ci.tfvars) and
//! a data source; testdata/terraform/plans/plan_gateway.json is a hand-written plan of it in the shapes real plans have
//! (provider sets out of source order, `""` zero values, `ssl_policy` unknown, dynamic blocks
//! missing from `configuration`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use agwlint::{LintOptions, Report, lint, source::SourceMap};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/terraform/plan_gateway")
}

fn plan_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/terraform/plans/plan_gateway.json")
}

fn run(opts: &LintOptions) -> (Report, SourceMap) {
    let sources = SourceMap::new();
    let report = lint(&[fixture()], opts, &sources).unwrap();
    (report, sources)
}

fn keys(r: &Report, sources: &SourceMap) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| {
            let (s, _) = sources.span_lines(&f.primary).unwrap();
            format!(
                "{} {}:{}:{} {}",
                f.rule,
                sources.path(f.primary.file).rsplit('/').next().unwrap(),
                s.line,
                s.column,
                f.message
            )
        })
        .collect()
}

fn with_plan(plan: PathBuf) -> LintOptions {
    let mut o = LintOptions::default();
    o.frontend.plans = vec![plan];
    o
}

#[test]
fn the_plan_gives_the_findings_of_the_source_run_with_the_pipeline_variables() {
    let mut tfvars = LintOptions::default();
    tfvars.frontend.var_files = vec![fixture().join("ci.tfvars")];
    let (by_source, s1) = run(&tfvars);
    let (by_plan, s2) = run(&with_plan(plan_file()));
    let (alone, s3) = run(&LintOptions::default());
    let (a, b, c) = (
        keys(&by_source, &s1),
        keys(&by_plan, &s2),
        keys(&alone, &s3),
    );
    assert_eq!(a, b);
    for rule in ["AGW001", "AGW010", "AGW018", "AGW027", "AGW028"] {
        assert!(b.iter().any(|k| k.starts_with(rule)), "{rule}: {b:#?}");
        // Without the variables the values are Unknown and nothing fires.
        assert!(!c.iter().any(|k| k.starts_with(rule)), "{rule}: {c:#?}");
    }
    // Spans stay in the sources: the plan only adds origin labels.
    for f in &by_plan.findings {
        assert!(s2.path(f.primary.file).ends_with("main.tf"));
    }
    let f = by_plan
        .findings
        .iter()
        .find(|f| f.rule == "AGW001")
        .unwrap();
    assert!(
        f.related
            .iter()
            .any(|r| r.message.contains("value of variable `sku` in")
                && s2.path(r.span.file).ends_with("plan_gateway.json")),
        "{:#?}",
        f.related
    );
    assert!(by_plan.warnings.is_empty(), "{:?}", by_plan.warnings);
}

#[test]
fn a_plan_found_in_the_scanned_directory_is_used() {
    let dir = std::env::temp_dir().join(format!("agwlint-plan-scan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture().join("main.tf"), dir.join("main.tf")).unwrap();
    std::fs::copy(plan_file(), dir.join("tfplan.json")).unwrap();
    let sources = SourceMap::new();
    let r = lint(
        std::slice::from_ref(&dir),
        &LintOptions::default(),
        &sources,
    )
    .unwrap();
    assert!(r.findings.iter().any(|f| f.rule == "AGW001"));
    // Not mistaken for an ARM template, counted as a file read.
    assert!(!r.findings.iter().any(|f| f.rule == "AGW000"));
    assert_eq!(r.files_scanned, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn scanned_files_that_start_like_plans_are_read_once_as_plans_or_as_templates() {
    let dir = std::env::temp_dir().join(format!("agwlint-plan-kinds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture().join("main.tf"), dir.join("main.tf")).unwrap();
    std::fs::copy(plan_file(), dir.join("tfplan.json")).unwrap();
    // A template whose first keys are a plan's: a template after all (no resource changes).
    let template = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/rules/AGW002/fail.json"),
    )
    .unwrap();
    let looks_like_a_plan = template.replacen(
        '{',
        r#"{"format_version": "1.2", "terraform_version": "1.9.0","#,
        1,
    );
    std::fs::write(dir.join("main.json"), looks_like_a_plan).unwrap();
    // The scanned plan also named with --plan is read once.
    let sources = SourceMap::new();
    let r = lint(
        std::slice::from_ref(&dir),
        &with_plan(dir.join("tfplan.json")),
        &sources,
    )
    .unwrap();
    assert_eq!(r.files_scanned, 3, "main.tf, tfplan.json, main.json");
    assert!(r.findings.iter().any(|f| f.rule == "AGW001"));
    let template_findings: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| sources.path(f.primary.file).ends_with("main.json"))
        .map(|f| f.rule)
        .collect();
    assert!(
        template_findings.contains(&"AGW002"),
        "{template_findings:?}"
    );
    assert!(!r.findings.iter().any(|f| f.rule == "AGW000"));
    // A scanned plan of a newer format is a usage error, as a named one is.
    std::fs::write(
        dir.join("tfplan.json"),
        std::fs::read_to_string(plan_file()).unwrap().replacen(
            r#""format_version":"1.2""#,
            r#""format_version":"2.0""#,
            1,
        ),
    )
    .unwrap();
    let e = lint(
        std::slice::from_ref(&dir),
        &LintOptions::default(),
        &SourceMap::new(),
    )
    .unwrap_err();
    assert!(e.0.contains("format_version `2.0` is not supported"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn edited_plan(name: &str, edit: impl Fn(&mut serde_json::Value)) -> PathBuf {
    let text = std::fs::read_to_string(plan_file()).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut v);
    let p = std::env::temp_dir().join(format!("agwlint-{name}-{}.json", std::process::id()));
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    p
}

#[test]
fn a_plan_of_another_configuration_is_said_once() {
    let p = edited_plan("other-config", |v| {
        let rc = v["resource_changes"].as_array_mut().unwrap();
        rc.retain(|r| r["address"] != "azurerm_public_ip.agw");
        let mut extra = rc[0].clone();
        extra["address"] = "azurerm_public_ip.old".into();
        rc.push(extra);
    });
    let (r, _) = run(&with_plan(p.clone()));
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].contains("different configuration") && r.warnings[0].contains("2 resource"),
        "{}",
        r.warnings[0]
    );
    let _ = std::fs::remove_file(p);
}

#[test]
fn a_newer_plan_format_is_a_clear_error() {
    let p = edited_plan("v2", |v| v["format_version"] = "2.0".into());
    let sources = SourceMap::new();
    let e = lint(&[fixture()], &with_plan(p.clone()), &sources).unwrap_err();
    assert!(e.0.contains("format_version `2.0` is not supported"), "{e}");
    let _ = std::fs::remove_file(p);
}

#[test]
fn a_plan_without_sources_is_linted_alone_with_locations_in_the_plan() {
    let sources = SourceMap::new();
    let r = lint(&[plan_file()], &LintOptions::default(), &sources).unwrap();
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule).collect();
    for rule in ["AGW001", "AGW010", "AGW018"] {
        assert!(rules.contains(&rule), "{rule}: {rules:?}");
    }
    for f in &r.findings {
        assert!(sources.path(f.primary.file).ends_with("plan_gateway.json"));
        assert!(
            f.related
                .iter()
                .all(|x| !sources.path(x.span.file).contains("(generated)")),
            "{:?}",
            f.related
        );
    }
    for s in &r.skipped {
        assert!(!sources.path(s.at.file).contains("(generated)"));
    }
    assert!(r.notes.iter().any(|n| n.contains("no Terraform sources")));
}
