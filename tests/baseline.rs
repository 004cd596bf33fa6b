//! Baselines: fingerprints survive line shifts, only new findings are reported, fixed ones are
//! counted; end-to-end `--write-baseline` / `--baseline` / `baseline:`.

// Helpers outside #[test] functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use agwlint::baseline::{self, Baseline};
use agwlint::finding::Finding;
use agwlint::rules::find_meta;
use agwlint::source::{FileId, SourceMap, Span};

const TF: &str = r#"resource "azurerm_application_gateway" "gw" {
  name = "agw"
  backend_http_settings {
    name                                = "func"
    pick_host_name_from_backend_address = false
  }
  backend_address_pool {
    name = "empty"
  }
}
"#;

/// The findings a rule would report on `text`: anchored by text, so they move with it.
fn findings(file: FileId, text: &str) -> Vec<Finding> {
    let at = |needle: &str| {
        let s = text.find(needle).unwrap();
        Span::new(file, s..s + needle.len())
    };
    let m10 = find_meta("AGW010").unwrap();
    let m06 = find_meta("AGW006").unwrap();
    vec![
        m10.finding(
            format!(
                "backend settings `func` does not set the host name (line {})",
                5
            ),
            at("pick_host_name_from_backend_address"),
        )
        .property("backend_http_settings[func].pick_host_name_from_backend_address"),
        m06.finding(
            "backend pool `empty` has no targets",
            at("backend_address_pool"),
        )
        .property("backend_address_pool[empty]"),
    ]
    .into_iter()
    .map(|mut f| {
        f.resource = Some("azurerm_application_gateway.gw".into());
        f
    })
    .collect()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-base-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join(".git")).unwrap();
    d
}

#[test]
fn fingerprints_ignore_line_shifts_and_messages_when_resource_and_property_are_known() {
    let before = SourceMap::new();
    let fb = before.add("infra/main.tf", TF);
    let shifted = format!("# a new comment\n\nlocals {{\n  x = 1\n}}\n\n{TF}");
    let after = SourceMap::new();
    let fa = after.add("infra/main.tf", &shifted);
    let path = Path::new("baseline.json");
    let old = baseline::entries(&findings(fb, TF), &before, path);
    let mut now = findings(fa, &shifted);
    // Different lines, even a message that mentions one: same fingerprints.
    now[0].message = "backend settings `func` does not set the host name (line 11)".into();
    assert_ne!(now[0].primary.start, findings(fb, TF)[0].primary.start);
    let new = baseline::entries(&now, &after, path);
    assert_eq!(
        old.iter().map(|e| &e.fingerprint).collect::<Vec<_>>(),
        new.iter().map(|e| &e.fingerprint).collect::<Vec<_>>()
    );
    let b = Baseline::from_entries(path, &old);
    let r = b.subtract(&mut now, &after);
    assert!(now.is_empty(), "{now:?}");
    assert_eq!((r.matched, r.fixed), (2, 0));
}

#[test]
fn new_findings_are_reported_and_fixed_ones_counted() {
    let sources = SourceMap::new();
    let f = sources.add("infra/main.tf", TF);
    let path = Path::new("b.json");
    let old = baseline::entries(&findings(f, TF)[..1], &sources, path);
    let b = Baseline::from_entries(path, &old);
    let mut now = findings(f, TF);
    let r = b.subtract(&mut now, &sources);
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].rule, "AGW006");
    assert_eq!((r.matched, r.fixed), (1, 0));
    // Everything fixed.
    let mut none: Vec<Finding> = Vec::new();
    let r = b.subtract(&mut none, &sources);
    assert_eq!((r.matched, r.fixed), (0, 1));
    // Another file with the same finding is a new finding.
    let g = sources.add("other/main.tf", TF);
    let mut elsewhere = findings(g, TF);
    b.subtract(&mut elsewhere, &sources);
    assert_eq!(elsewhere.len(), 2);
}

#[test]
fn without_resource_and_property_the_message_is_the_key_and_repeats_count() {
    let sources = SourceMap::new();
    let f = sources.add("t.json", "{}\n");
    let m = find_meta("AGW000").unwrap();
    let one = m.finding("broken", Span::new(f, 0..1));
    let path = Path::new("b.json");
    let b = Baseline::from_entries(
        path,
        &baseline::entries(&[one.clone(), one.clone()], &sources, path),
    );
    let mut now = vec![one.clone(), one.clone(), one.clone()];
    let r = b.subtract(&mut now, &sources);
    assert_eq!((now.len(), r.matched, r.fixed), (1, 2, 0));
    let mut other = vec![m.finding("broken differently", Span::new(f, 0..1))];
    let r = b.subtract(&mut other, &sources);
    assert_eq!((other.len(), r.fixed), (1, 2));
}

#[test]
fn files_are_keyed_relative_to_the_baseline_directory() {
    let d = tmp("rel");
    let sources = SourceMap::new();
    let f = sources.add(d.join("infra/main.tf").to_string_lossy(), TF);
    let e = baseline::entries(&findings(f, TF), &sources, &d.join("base.json"));
    assert_eq!(e[0].file, "infra/main.tf");
    // Written and read back.
    let path = d.join("base.json");
    assert_eq!(
        baseline::write(&path, &findings(f, TF), &sources).unwrap(),
        2
    );
    let b = Baseline::load(&path).unwrap();
    assert_eq!(b.total, 2);
    let mut now = findings(f, TF);
    assert_eq!(b.subtract(&mut now, &sources).matched, 2);
    std::fs::write(&path, "{\"version\": 9, \"findings\": []}").unwrap();
    assert!(Baseline::load(&path).unwrap_err().contains("version 9"));
    std::fs::write(&path, "[]").unwrap();
    assert!(
        Baseline::load(&path)
            .unwrap_err()
            .contains("not an agwlint baseline")
    );
    let _ = std::fs::remove_dir_all(&d);
}

// ---- end to end -----------------------------------------------------------------------------

fn broken_template(tail: &str) -> Vec<u8> {
    let mut b = b"{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"x\": \"".to_vec();
    b.push(0xff);
    b.extend_from_slice(tail.as_bytes());
    b
}

fn agwlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
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

fn rules_files(json: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn cli_write_then_apply_a_baseline() {
    let d = tmp("cli");
    std::fs::write(d.join("a.json"), broken_template("\"\n}\n")).unwrap();
    let (code, _, err) = agwlint(&d, &["lint", "--write-baseline", ".agwlint-baseline.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("wrote 1 finding to baseline .agwlint-baseline.json"),
        "{err}"
    );
    let text = std::fs::read_to_string(d.join(".agwlint-baseline.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["findings"][0]["file"], "a.json");
    assert_eq!(v["findings"][0]["rule"], "AGW000");

    // Only new findings are reported; lines after the error can change freely.
    std::fs::write(d.join("a.json"), broken_template("\"\n\n\n}\n")).unwrap();
    let (code, out, err) = agwlint(
        &d,
        &[
            "lint",
            "--format",
            "json",
            "--baseline",
            ".agwlint-baseline.json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(rules_files(&out).is_empty(), "{out}");
    assert!(
        err.contains("1 known finding hidden, 0 baselined findings now fixed"),
        "{err}"
    );
    std::fs::write(d.join("b.json"), broken_template("")).unwrap();
    let (code, out, _) = agwlint(
        &d,
        &[
            "lint",
            "--format",
            "json",
            "--baseline",
            ".agwlint-baseline.json",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(rules_files(&out), vec![("AGW000".into(), "b.json".into())]);

    // `baseline:` in the configuration, relative to the configuration file; a.json fixed.
    std::fs::remove_file(d.join("a.json")).unwrap();
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(
        d.join(".agwlint.yaml"),
        "baseline: .agwlint-baseline.json\n",
    )
    .unwrap();
    let (code, _, err) = agwlint(&d.join("sub"), &["lint", ".."]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("0 known findings hidden, 1 baselined finding now fixed"),
        "{err}"
    );
    // `--baseline` wins over the file; a missing baseline is an error (exit 2).
    let (code, _, err) = agwlint(&d, &["lint", "--baseline", "nope.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read baseline nope.json"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}
