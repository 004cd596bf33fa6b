//! Inline and metadata suppressions over synthetic sources and hand-made findings, plus
//! end-to-end runs of the binary on inputs that already produce findings (AGW000).

// Helpers outside #[test] functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use agwlint::config::RuleSettings;
use agwlint::finding::{Finding, Severity};
use agwlint::model::{Gateway, Model, Resource, ResourceSuppression, Site};
use agwlint::rules::find_meta;
use agwlint::source::{FileId, SourceMap, Span};
use agwlint::suppress::{self, AGW900};

/// A finding of `rule` whose primary span is the first occurrence of `needle` (after `after`).
fn finding_at(file: FileId, text: &str, rule: &str, after: &str, needle: &str) -> Finding {
    let from = text.find(after).expect("anchor");
    let start = from + text[from..].find(needle).expect("needle");
    let m = find_meta(rule).expect("rule");
    Finding::new(
        m.id,
        m.name,
        m.severity,
        format!("{rule} at {needle}"),
        Span::new(file, start..start + needle.len()),
    )
}

fn rules_of(fs: &[Finding]) -> Vec<&'static str> {
    fs.iter().map(|f| f.rule).collect()
}

const HCL: &str = r#"
resource "azurerm_application_gateway" "gw" {
  name = "agw"

  # agwlint-ignore AGW010: host name is set by the platform team
  backend_http_settings {
    name                                = "func"
    pick_host_name_from_backend_address = false
  }

  backend_http_settings {
    name = "other"
    pick_host_name_from_backend_address = false
  }

  dynamic "backend_address_pool" { // agwlint-ignore empty-backend-pool
    for_each = var.pools
    content {
      name  = backend_address_pool.key
      fqdns = [] /* agwlint-ignore AGW023: reviewed */
    }
  }

  # agwlint-ignore AGW010, AGW006: both are fine in the lab
  dynamic "probe" {
    for_each = local.probes
    content {
      host = "${probe.value.host}" # not a directive: agwlint-ignore AGW023
    }
  }
}
"#;

#[test]
fn hcl_comment_before_a_block_covers_the_whole_block_only() {
    let sources = SourceMap::new();
    let f = sources.add("main.tf", HCL);
    let mut findings = vec![
        finding_at(
            f,
            HCL,
            "AGW010",
            "\"func\"",
            "pick_host_name_from_backend_address",
        ),
        finding_at(
            f,
            HCL,
            "AGW010",
            "\"other\"",
            "pick_host_name_from_backend_address",
        ),
    ];
    let out = suppress::apply(
        &mut findings,
        &Model::new(),
        &sources,
        &RuleSettings::default(),
    );
    // The second settings block is outside the commented block. The AGW006 named in the
    // comment before `dynamic "probe"` silences nothing, and nor do the dynamic pool's.
    assert_eq!(out.suppressed, 1);
    let kept: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "AGW010")
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(kept.len(), 1);
    let other = HCL.find("\"other\"").unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "AGW010" && f.primary.start as usize > other)
    );
    assert!(
        out.notes[0].contains("host name is set by the platform team"),
        "{:?}",
        out.notes
    );
    assert!(out.notes[0].starts_with("main.tf:8:"), "{:?}", out.notes);
}

#[test]
fn hcl_dynamic_blocks_trailing_comments_and_rule_names() {
    let sources = SourceMap::new();
    let f = sources.add("main.tf", HCL);
    let mut findings = vec![
        // Inside the dynamic pool's content: covered by the trailing comment on `dynamic`.
        finding_at(f, HCL, "AGW006", "backend_address_pool\" {", "fqdns"),
        // Starts on the line with the trailing block comment.
        finding_at(f, HCL, "AGW023", "content {", "[]"),
        // Inside the dynamic probe, covered by the comment before it (two rules named).
        finding_at(f, HCL, "AGW010", "dynamic \"probe\"", "host"),
        finding_at(f, HCL, "AGW006", "dynamic \"probe\"", "for_each"),
    ];
    let out = suppress::apply(
        &mut findings,
        &Model::new(),
        &sources,
        &RuleSettings::default(),
    );
    assert_eq!(out.suppressed, 4, "{findings:?}");
    // Only the first AGW010 suppression (before the `func` settings) is unused.
    assert_eq!(rules_of(&findings), vec!["AGW900"]);
    let u = &findings[0];
    assert_eq!(u.severity, Severity::Info);
    let (lc, _) = sources.span_lines(&u.primary).unwrap();
    assert_eq!((lc.line, lc.column), (5, 20));
    assert_eq!(sources.get(f).unwrap().slice(&u.primary), "AGW010");
    assert!(
        u.message.contains("AGW010 silences nothing"),
        "{}",
        u.message
    );
}

#[test]
fn string_contents_are_not_directives() {
    let sources = SourceMap::new();
    let f = sources.add("main.tf", HCL);
    // The comment on the probe's `host` line mentions the keyword but does not start with
    // it, so it is no directive and AGW023 on that line stays.
    let mut findings = vec![finding_at(
        f,
        HCL,
        "AGW023",
        "probe.value.host",
        "probe.value.host",
    )];
    let mut settings = RuleSettings::default();
    settings.disable("AGW010");
    settings.disable("AGW006");
    suppress::apply(&mut findings, &Model::new(), &sources, &settings);
    let rules = rules_of(&findings);
    assert!(rules.contains(&"AGW023"), "{rules:?}");
    // The disabled rules' unused suppressions are not reported; the dynamic pool's AGW023
    // comment is unused and AGW023 is enabled, so it is.
    assert_eq!(
        rules.iter().filter(|r| **r == "AGW900").count(),
        1,
        "{findings:?}"
    );
}

#[test]
fn file_wide_suppression_and_disabled_agw900() {
    let text = "# agwlint-ignore-file AGW010: generated file\nresource \"a\" \"b\" {\n  x = 1\n}\n# agwlint-ignore AGW006\nresource \"c\" \"d\" {}\n";
    let sources = SourceMap::new();
    let f = sources.add("gen.tf", text);
    let mut findings = vec![
        finding_at(f, text, "AGW010", "x = 1", "x"),
        finding_at(f, text, "AGW010", "\"c\"", "\"d\""),
    ];
    let mut settings = RuleSettings::default();
    settings.disable("AGW900");
    let out = suppress::apply(&mut findings, &Model::new(), &sources, &settings);
    assert_eq!(out.suppressed, 2);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn unknown_rules_and_empty_suppressions_are_reported() {
    let text = "# agwlint-ignore AGW999: typo\nx = 1\n# agwlint-ignore\ny = 2\n";
    let sources = SourceMap::new();
    sources.add("a.tf", text);
    let mut findings = Vec::new();
    suppress::apply(
        &mut findings,
        &Model::new(),
        &sources,
        &RuleSettings::default(),
    );
    let msgs: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec![
            "suppression names unknown rule `AGW999`",
            "suppression names no rule"
        ]
    );
    assert!(findings.iter().all(|f| f.rule == AGW900.id));
}

#[test]
fn agw900_can_itself_be_suppressed_file_wide() {
    let text = "// agwlint-ignore-file AGW900\n{\n  // agwlint-ignore AGW010\n  \"a\": 1\n}\n";
    let sources = SourceMap::new();
    sources.add("t.json", text);
    let mut findings = Vec::new();
    let out = suppress::apply(
        &mut findings,
        &Model::new(),
        &sources,
        &RuleSettings::default(),
    );
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(out.suppressed, 1);
}

const JSONC: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "nested",
      "properties": {
        "mode": "Incremental",
        "expressionEvaluationOptions": { "scope": "inner" },
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "resources": [
            // agwlint-ignore AGW010: nested gateway, host set by policy
            {
              "type": "Microsoft.Network/applicationGateways",
              "name": "inner-agw",
              "properties": {
                "backendHttpSettingsCollection": [
                  { "name": "s", "properties": { "pickHostNameFromBackendAddress": false } }
                ],
                "backendAddressPools": [] // agwlint-ignore AGW006
              }
            },
            {
              "type": "Microsoft.Network/applicationGateways",
              "name": "second-agw",
              "properties": { "pickHostNameFromBackendAddress": "// agwlint-ignore AGW010" }
            }
          ]
        }
      }
    }
  ]
}
"#;

#[test]
fn jsonc_comments_in_a_nested_deployment_template() {
    let sources = SourceMap::new();
    let f = sources.add("azuredeploy.json", JSONC);
    let mut findings = vec![
        finding_at(
            f,
            JSONC,
            "AGW010",
            "inner-agw",
            "\"pickHostNameFromBackendAddress\"",
        ),
        finding_at(f, JSONC, "AGW006", "inner-agw", "\"backendAddressPools\""),
        // The next resource is outside the commented object; the text in the string is no
        // comment.
        finding_at(
            f,
            JSONC,
            "AGW010",
            "second-agw",
            "\"pickHostNameFromBackendAddress\"",
        ),
    ];
    let out = suppress::apply(
        &mut findings,
        &Model::new(),
        &sources,
        &RuleSettings::default(),
    );
    assert_eq!(out.suppressed, 2);
    assert_eq!(rules_of(&findings), vec!["AGW010"]);
    assert!(findings[0].primary.start as usize > JSONC.find("second-agw").unwrap());
    assert!(out.notes.iter().any(|n| n.contains("host set by policy")));
}

fn resource(label: &str, file: FileId, sups: Vec<ResourceSuppression>) -> Resource {
    Resource {
        label: label.to_string(),
        rtype: "Microsoft.Network/applicationGateways".into(),
        span: Span::new(file, 0..1),
        suppressions: sups,
        ..Resource::default()
    }
}

#[test]
fn arm_metadata_suppressions_apply_by_resource_label() {
    let text = "{\n  \"resources\": [ { \"name\": \"a\", \"metadata\": { \"agwlint\": { \"ignore\": { \"AGW010\": \"fronted by a custom domain\", \"AGW006\": \"x\" } } } }, { \"name\": \"b\" } ]\n}\n";
    let sources = SourceMap::new();
    let f = sources.add("t.json", text);
    let span_of = |needle: &str| {
        let s = text.find(needle).unwrap();
        Span::new(f, s..s + needle.len())
    };
    let mut model = Model::new();
    model.gateways.push(Gateway {
        res: resource(
            "Microsoft.Network/applicationGateways/a",
            f,
            vec![
                ResourceSuppression {
                    rule: "AGW010".into(),
                    reason: Some("fronted by a custom domain".into()),
                    span: span_of("\"AGW010\""),
                },
                ResourceSuppression {
                    rule: "AGW006".into(),
                    reason: Some("x".into()),
                    span: span_of("\"AGW006\""),
                },
            ],
        ),
        ..Gateway::default()
    });
    model.sites.push(Site {
        res: resource("Microsoft.Web/sites/b", f, vec![]),
        ..Site::default()
    });
    model.reindex();
    let mk = || {
        find_meta("AGW010")
            .unwrap()
            .finding("host", span_of("\"name\""))
            .property("x")
    };
    let mut a = mk();
    a.resource = Some("Microsoft.Network/applicationGateways/a".into());
    let mut b = mk();
    b.resource = Some("Microsoft.Web/sites/b".into());
    let mut findings = vec![a, b];
    let out = suppress::apply(&mut findings, &model, &sources, &RuleSettings::default());
    assert_eq!(out.suppressed, 1);
    assert!(out.notes[0].contains("fronted by a custom domain"));
    assert_eq!(rules_of(&findings), vec!["AGW010", "AGW900"]);
    assert_eq!(
        findings[0].resource.as_deref(),
        Some("Microsoft.Web/sites/b")
    );
    assert_eq!(
        sources.get(f).unwrap().slice(&findings[1].primary),
        "\"AGW006\""
    );
}

// ---- end to end -----------------------------------------------------------------------------

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-sup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join(".git")).unwrap();
    d
}

/// A template with a comment and an invalid UTF-8 byte: AGW000 at the byte.
fn broken_template(comment: &str) -> Vec<u8> {
    let mut b = format!(
        "{comment}\n{{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"x\": \""
    )
    .into_bytes();
    b.push(0xff);
    b.extend_from_slice(b"\"\n}\n");
    b
}

fn agwlint(dir: &PathBuf, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_file_wide_suppression_of_a_parse_error() {
    let d = tmp("filewide");
    std::fs::write(
        d.join("t.json"),
        broken_template("// agwlint-ignore-file AGW000: vendored, fixed upstream"),
    )
    .unwrap();
    let (code, out, err) = agwlint(&d, &["lint", "--format", "json", "--verbose"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{out}");
    assert!(
        err.contains("AGW000 suppressed by t.json:1:1: vendored, fixed upstream"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn cli_unused_suppression_is_reported_as_info() {
    let d = tmp("unused");
    std::fs::write(
        d.join("t.json"),
        broken_template("/* agwlint-ignore AGW010: stale */"),
    )
    .unwrap();
    let (code, out, err) = agwlint(&d, &["lint", "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    let got: Vec<_> = diags
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap(),
                d["severity"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![("AGW900", "info", 1, 19), ("AGW000", "error", 4, 9)],
        "{out}"
    );
    // Ignoring AGW010 means its suppressions are not checked.
    let (_, out, _) = agwlint(&d, &["lint", "--format", "json", "--ignore", "AGW010"]);
    assert!(!out.contains("AGW900"), "{out}");
    let _ = std::fs::remove_dir_all(&d);
}

// ---- real inputs ----------------------------------------------------------------------------

fn corpus() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("AGWLINT_CORPUS").map(PathBuf::from),
        Some(root.join("../shared/corpus")),
        Some(root.join("../../shared/corpus")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_dir())
}

fn files_with(dir: &std::path::Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_with(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// A directive put before the first `resource` block of every corpus `.tf` file covers exactly
/// that block (ends on its closing `}` line), and one before a template's root object covers
/// the whole template: bracket matching survives real strings, templates, heredocs and URLs.
#[test]
fn directives_on_corpus_files_cover_the_whole_construct() {
    let Some(root) = corpus() else {
        eprintln!("corpus not found; set AGWLINT_CORPUS");
        return;
    };
    let mut tf = Vec::new();
    files_with(&root.join("terraform"), "tf", &mut tf);
    let mut checked = 0;
    for p in &tf {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        let Some(at) = text
            .match_indices("\nresource \"")
            .map(|(i, _)| i + 1)
            .next()
        else {
            continue;
        };
        let with = format!("{}# agwlint-ignore AGW010\n{}", &text[..at], &text[at..]);
        let f = agwlint::source::SourceFile::new("x.tf".into(), &with);
        let d = suppress::directives(&f, suppress::Syntax::Hcl);
        let d: Vec<_> = d.into_iter().filter(|d| d.comment.start == at).collect();
        assert_eq!(d.len(), 1, "{}", p.display());
        let s = d[0].scope.clone().unwrap();
        let covered = with[s.clone()].trim_end();
        assert!(
            covered.ends_with("\n}") || (covered.ends_with('}') && !covered.contains('\n')),
            "{}: {:?}",
            p.display(),
            &covered[covered.len().saturating_sub(80)..]
        );
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
    let mut arm = Vec::new();
    files_with(&root.join("arm"), "json", &mut arm);
    for p in &arm {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        let text = text.trim_start_matches('\u{feff}');
        if !text.starts_with('{') {
            continue;
        }
        let with = format!("// agwlint-ignore AGW010\n{text}");
        let f = agwlint::source::SourceFile::new("x.json".into(), &with);
        let d = suppress::directives(&f, suppress::Syntax::Json);
        let s = d[0].scope.clone().unwrap();
        assert!(
            with[s.end..].trim().is_empty(),
            "{}: stops at {}",
            p.display(),
            f.line_col(s.end).line
        );
    }
}

#[test]
fn a_module_file_read_twice_counts_a_suppression_used_through_either_copy() {
    let text = "resource \"a\" \"b\" {\n  x = 1 # agwlint-ignore AGW010\n  y = 2 # agwlint-ignore AGW006\n}\n";
    let sources = SourceMap::new();
    let one = sources.add("modules/gw/main.tf", text);
    let _two = sources.add("modules/gw/main.tf", text);
    let mut findings = vec![finding_at(one, text, "AGW010", "x = 1", "x")];
    suppress::apply(
        &mut findings,
        &Model::new(),
        &sources,
        &RuleSettings::default(),
    );
    // AGW010 was used through the first copy; AGW006 is unused in both, reported once.
    let msgs: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(msgs, vec!["suppression of AGW006 silences nothing"]);
}

const TRUNCATED: &str = "// agwlint-ignore AGW000: generated, completed by the pipeline\n{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [\n";

#[test]
fn a_comment_before_an_unclosed_object_covers_a_parse_error_at_the_end() {
    let sources = SourceMap::new();
    let f = sources.add("t.json", TRUNCATED);
    let end = TRUNCATED.len();
    let mut findings = vec![agwlint::diagnostic_finding(agwlint::frontend::parse_error(
        "unexpected end of file",
        Span::new(f, end..end),
        "here",
    ))];
    let out = suppress::apply(
        &mut findings,
        &Model::new(),
        &sources,
        &RuleSettings::default(),
    );
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(out.suppressed, 1);
}

/// Once the ARM front-end reports the truncated template as AGW000, the comment suppresses it;
/// an unused-suppression or the parse error itself would fail the run.
#[test]
fn cli_truncated_template_parse_error_is_suppressed() {
    let d = tmp("truncated");
    std::fs::write(d.join("t.json"), TRUNCATED).unwrap();
    let (code, out, err) = agwlint(&d, &["lint", "--format", "json", "--fail-on", "info"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{out}");
    let _ = std::fs::remove_dir_all(&d);
}
