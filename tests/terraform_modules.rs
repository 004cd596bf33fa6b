//! Registry modules vendored by `terraform init` (testdata/terraform/avm_v04, avm_v05: small
//! stand-ins for the AVM Application Gateway module, azurerm-based 0.4.x and azapi-based 0.5.x):
//! every 502 cause is reported at the user's `module` call, never inside `.terraform/`, with
//! the vendored location and the callers as secondary labels; every output format carries the
//! user's location.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use agwlint::report::{Format, RenderOptions, render};
use agwlint::{LintOptions, Report, lint, source::SourceMap};

fn layout(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/terraform")
        .join(name)
}

fn run(name: &str) -> (Report, SourceMap) {
    let sources = SourceMap::new();
    let report = lint(&[layout(name)], &LintOptions::default(), &sources).unwrap();
    (report, sources)
}

/// (rule, file suffix, line, text at the primary span's start line).
fn located(report: &Report, sources: &SourceMap) -> Vec<(String, String, usize, String)> {
    report
        .findings
        .iter()
        .map(|f| {
            let path = sources.path(f.primary.file);
            let (start, _) = sources.span_lines(&f.primary).unwrap();
            let text = sources
                .get(f.primary.file)
                .unwrap()
                .slice(&f.primary)
                .to_string();
            let first = text.lines().next().unwrap_or("").trim().to_string();
            let rel = path
                .split_once("testdata/terraform/")
                .map_or(path.clone(), |(_, r)| r.to_string());
            (f.rule.to_string(), rel, start.line, first)
        })
        .collect()
}

fn assert_outside_terraform_dir(report: &Report, sources: &SourceMap) {
    for f in &report.findings {
        let p = sources.path(f.primary.file);
        assert!(!p.contains(".terraform/"), "{} at {p}", f.rule);
    }
}

#[test]
fn azurerm_registry_module_causes_are_reported_at_the_users_call() {
    let (report, sources) = run("avm_v04");
    assert_outside_terraform_dir(&report, &sources);
    let got = located(&report, &sources);
    let want = [
        ("AGW040", "avm_v04/main.tf", "\"1.3\""),
        ("AGW044", "avm_v04/main.tf", "module \"app_gateway\""),
        (
            "AGW010",
            "avm_v04/main.tf",
            "pick_host_name_from_backend_address = false",
        ),
        (
            "AGW018",
            "avm_v04/main.tf",
            "path                = \"healthz\"",
        ),
        (
            "AGW016",
            "avm_v04/main.tf",
            "pick_host_name_from_backend_http_settings = true",
        ),
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (rule, file, text) in want {
        assert!(
            got.iter()
                .any(|(r, f, _, t)| r == rule && f == file && t == text),
            "{rule} at {text:?} in {file}: {got:#?}"
        );
    }
    // The vendored location stays as a secondary label.
    let agw010 = report.findings.iter().find(|f| f.rule == "AGW010").unwrap();
    assert!(
        agw010.related.iter().any(|r| {
            sources
                .path(r.span.file)
                .ends_with(".terraform/modules/app_gateway/main.tf")
                && r.message.starts_with("in module `app_gateway`")
        }),
        "{:#?}",
        agw010.related
    );
}

#[test]
fn azapi_registry_module_causes_are_reported_at_the_users_call_with_its_callers() {
    let (report, sources) = run("avm_v05");
    assert_outside_terraform_dir(&report, &sources);
    let got = located(&report, &sources);
    let m = "avm_v05/modules/ingress/main.tf";
    let want = [
        ("AGW040", "avm_v05/main.tf", "\"1.3\""),
        ("AGW044", m, "module \"app_gateway\""),
        ("AGW010", m, "pick_host_name_from_backend_address = false"),
        (
            "AGW018",
            m,
            "path                                      = \"healthz\"",
        ),
        (
            "AGW016",
            m,
            "pick_host_name_from_backend_http_settings = true",
        ),
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (rule, file, text) in want {
        assert!(
            got.iter()
                .any(|(r, f, _, t)| r == rule && f == file && t == text),
            "{rule} at {text:?} in {file}: {got:#?}"
        );
    }
    // The body line in the vendored module, the user's call, and the root's call of the
    // user's module (the callers chain).
    let f = report.findings.iter().find(|f| f.rule == "AGW010").unwrap();
    let labels: Vec<(String, &str)> = f
        .related
        .iter()
        .map(|r| (sources.path(r.span.file), r.message.as_str()))
        .collect();
    assert!(
        labels.iter().any(
            |(p, m)| p.ends_with(".terraform/modules/ingress.app_gateway/main.tf")
                && m.starts_with("in module `app_gateway`")
        ),
        "{labels:#?}"
    );
    assert!(
        labels
            .iter()
            .any(|(p, m)| p.ends_with("modules/ingress/main.tf")
                && m.starts_with("module `app_gateway`")),
        "{labels:#?}"
    );
    assert!(
        labels
            .iter()
            .any(|(p, m)| p.ends_with("avm_v05/main.tf")
                && *m == "through module `ingress` called here"),
        "{labels:#?}"
    );
}

#[test]
fn sarif_github_and_junit_carry_the_users_location() {
    let (report, sources) = run("avm_v05");
    let opts = RenderOptions {
        color: false,
        width: Some(100),
        fail_on: None,
    };
    for format in [Format::Sarif, Format::Github, Format::Junit] {
        let out = render(&report, &sources, format, opts);
        assert!(out.contains("modules/ingress/main.tf"), "{format:?}");
        match format {
            // SARIF keeps the vendored location among the related locations only.
            Format::Sarif => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                for r in v["runs"][0]["results"].as_array().unwrap() {
                    let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap();
                    assert!(!uri.contains(".terraform/"), "{uri}");
                }
            }
            _ => {
                for line in out.lines() {
                    assert!(
                        !line.contains("file=") || !line.contains(".terraform/"),
                        "{format:?}: {line}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_summary_counts_registry_module_calls_not_read() {
    let dir = std::env::temp_dir().join(format!("agwlint-notinit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // The same layout before `terraform init`: main.tf without .terraform/.
    std::fs::copy(layout("avm_v04").join("main.tf"), dir.join("main.tf")).unwrap();
    let sources = SourceMap::new();
    let r = lint(
        std::slice::from_ref(&dir),
        &LintOptions::default(),
        &sources,
    )
    .unwrap();
    assert_eq!(r.modules_not_followed, 1);
    let line = agwlint::report::human::summary(&r, &sources);
    assert!(
        line.contains("1 registry module call not read: run `terraform init` or pass `--plan`"),
        "{line}"
    );
    let (vendored, s2) = run("avm_v04");
    assert_eq!(vendored.modules_not_followed, 0);
    assert!(!agwlint::report::human::summary(&vendored, &s2).contains("not read"));
    let _ = std::fs::remove_dir_all(&dir);
}
