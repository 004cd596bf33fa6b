//! The Function App's own code: host.json and function.json linked to the sites of the
//! infrastructure (configuration, azure.yaml, the single app), and the rules that read it
//! (AGW014 via host.json, AGW056–AGW058).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use agwlint::{LintOptions, lint, source::SourceMap};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (rule, file, line, column) of each finding of the app rules, plus every related label's
/// (file, line) that points into the code.
struct Run {
    found: Vec<(String, String, usize, usize)>,
    related: Vec<(String, String, usize)>,
    notes: Vec<String>,
}

fn run_with(path: &Path, opts: &LintOptions) -> Run {
    let sources = SourceMap::new();
    let report = lint(&[path.to_path_buf()], opts, &sources).unwrap();
    let mut found = Vec::new();
    let mut related = Vec::new();
    for f in &report.findings {
        if !["AGW014", "AGW056", "AGW057", "AGW058"].contains(&f.rule) {
            continue;
        }
        let file = sources.get(f.primary.file).unwrap();
        let lc = file.line_col(f.primary.start as usize);
        let name = |p: &str| {
            p.rsplit_once("/src/")
                .map_or(p.to_string(), |(_, r)| format!("src/{r}"))
        };
        found.push((f.rule.to_string(), file.path.clone(), lc.line, lc.column));
        for r in &f.related {
            let rf = sources.get(r.span.file).unwrap();
            if rf.path.contains("/src/") {
                related.push((
                    f.rule.to_string(),
                    name(&rf.path),
                    rf.line_col(r.span.start as usize).line,
                ));
            }
        }
    }
    Run {
        found,
        related,
        notes: report.notes,
    }
}

fn run(path: &Path) -> Run {
    run_with(path, &LintOptions::default())
}

fn rules(r: &Run) -> Vec<&str> {
    r.found.iter().map(|(x, _, _, _)| x.as_str()).collect()
}

#[test]
fn rule_fixtures_fail_and_pass_in_arm_and_terraform() {
    // (fixture, rule, line of the probe path in the infrastructure file, related line in code)
    let cases = [
        (
            "AGW056/fail_arm",
            "AGW056",
            164,
            Some(("src/api/health/function.json", 7)),
        ),
        (
            "AGW056/fail_tf",
            "AGW056",
            114,
            Some(("src/api/health/function.json", 7)),
        ),
        // No authLevel written: the default (`function`) is labelled at the binding.
        (
            "AGW056/fail_default_level_arm",
            "AGW056",
            164,
            Some(("src/api/health/function.json", 3)),
        ),
        (
            "AGW056/fail_default_level_tf",
            "AGW056",
            114,
            Some(("src/api/health/function.json", 3)),
        ),
        // C# isolated: the level in the attribute.
        (
            "AGW056/fail_csharp_arm",
            "AGW056",
            164,
            Some(("src/api/Health.cs", 8)),
        ),
        (
            "AGW056/fail_csharp_tf",
            "AGW056",
            114,
            Some(("src/api/Health.cs", 8)),
        ),
        // Python v2: no level written on the app or the route, so `function`.
        (
            "AGW056/fail_python_arm",
            "AGW056",
            164,
            Some(("src/api/function_app.py", 6)),
        ),
        (
            "AGW056/fail_python_tf",
            "AGW056",
            114,
            Some(("src/api/function_app.py", 6)),
        ),
        // Node.js v4 (JavaScript, TypeScript): the level in the options object.
        (
            "AGW056/fail_node_arm",
            "AGW056",
            164,
            Some(("src/functions/health.js", 6)),
        ),
        (
            "AGW056/fail_node_tf",
            "AGW056",
            114,
            Some(("src/functions/health.ts", 7)),
        ),
        // Java: no authLevel written, so the annotation default FUNCTION.
        (
            "AGW056/fail_java_arm",
            "AGW056",
            164,
            Some(("src/main/java/com/example/Health.java", 10)),
        ),
        ("AGW057/fail_java_tf", "AGW057", 114, None),
        ("AGW057/fail_node_arm", "AGW057", 164, None),
        ("AGW057/fail_node_tf", "AGW057", 114, None),
        (
            "AGW058/fail_node_arm",
            "AGW058",
            164,
            Some(("src/functions/health.mjs", 3)),
        ),
        ("AGW057/fail_python_arm", "AGW057", 164, None),
        ("AGW057/fail_python_tf", "AGW057", 114, None),
        ("AGW057/fail_arm", "AGW057", 164, None),
        ("AGW057/fail_tf", "AGW057", 114, None),
        (
            "AGW057/fail_route_prefix_arm",
            "AGW057",
            164,
            Some(("src/api/host.json", 1)),
        ),
        (
            "AGW057/fail_route_prefix_tf",
            "AGW057",
            114,
            Some(("src/api/host.json", 1)),
        ),
        (
            "AGW058/fail_arm",
            "AGW058",
            164,
            Some(("src/api/health/function.json", 8)),
        ),
        (
            "AGW058/fail_tf",
            "AGW058",
            114,
            Some(("src/api/health/function.json", 8)),
        ),
    ];
    for (fixture, rule, line, rel) in cases {
        let r = run(&root().join("testdata/rules").join(fixture));
        let mine: Vec<_> = r
            .found
            .iter()
            .filter(|f| f.0.starts_with("AGW05"))
            .collect();
        assert_eq!(mine.len(), 1, "{fixture}: {:?}", r.found);
        assert_eq!(mine[0].0, rule, "{fixture}");
        assert_eq!(mine[0].2, line, "{fixture}");
        if let Some((file, l)) = rel {
            assert!(
                r.related
                    .iter()
                    .any(|(x, f, n)| x == rule && f == file && *n == l),
                "{fixture}: related {:?}",
                r.related
            );
        }
    }
    for rule in ["AGW056", "AGW057", "AGW058"] {
        for e in std::fs::read_dir(root().join("testdata/rules").join(rule)).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("pass") {
                let r = run(&e.path());
                assert!(
                    !rules(&r).iter().any(|x| x.starts_with("AGW05")),
                    "{rule}/{name}: {:?}",
                    r.found
                );
            }
        }
    }
}

#[test]
fn an_unread_code_first_file_keeps_no_route_silent() {
    let r = run(&root().join("testdata/rules/AGW057/pass_incomplete_arm"));
    assert!(rules(&r).is_empty(), "{:?}", r.found);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("surface not fully known")),
        "{:?}",
        r.notes
    );
}

#[test]
fn agw014_reads_function_timeout_from_host_json() {
    let r = run(&root().join("testdata/app/agw014_host_timeout_arm"));
    assert_eq!(rules(&r), ["AGW014"], "{:?}", r.found);
    assert!(
        r.related
            .iter()
            .any(|(x, f, l)| x == "AGW014" && f == "src/api/host.json" && *l == 1),
        "{:?}",
        r.related
    );
    // Without the host.json value, the same infrastructure is quiet (EP1, default timeout).
    let r = run(&root().join("testdata/rules/AGW056/pass_arm"));
    assert!(!rules(&r).contains(&"AGW014"), "{:?}", r.found);
}

#[test]
fn azd_services_link_by_the_azd_service_name_tag() {
    let r = run(&root().join("testdata/app/azd_arm"));
    assert_eq!(rules(&r), ["AGW056"], "{:?}", r.found);
    assert!(
        r.notes
            .iter()
            .any(|n| n.ends_with("azd_arm/src/api: 1 HTTP function(s) linked to site \"scim-fn\"")),
        "{:?}",
        r.notes
    );
}

#[test]
fn two_projects_without_a_link_stay_unlinked_with_a_note() {
    let r = run(&root().join("testdata/app/unlinked_arm"));
    assert!(rules(&r).is_empty(), "{:?}", r.found);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("code not linked to a site")),
        "{:?}",
        r.notes
    );
}

#[test]
fn configuration_links_a_site_to_its_project() {
    let dir = root().join("testdata/app/config_arm");
    let mut opts = LintOptions::default();
    let args = agwlint::config::ConfigArgs {
        config: Some(dir.join(".agwlint.yaml")),
        ..Default::default()
    };
    agwlint::config::configure(&args, &mut opts).unwrap();
    let r = run_with(&dir, &opts);
    assert_eq!(rules(&r), ["AGW056"], "{:?}", r.found);
}

#[test]
fn configuration_rejects_a_missing_project_directory() {
    let tmp = std::env::temp_dir().join(format!("agwlint-app-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join(".agwlint.yaml"), "apps:\n  fn: nowhere\n").unwrap();
    let args = agwlint::config::ConfigArgs {
        config: Some(tmp.join(".agwlint.yaml")),
        ..Default::default()
    };
    let err = agwlint::config::configure(&args, &mut LintOptions::default()).unwrap_err();
    assert!(err.message.contains("not a directory"), "{}", err.message);
    std::fs::write(tmp.join(".agwlint.yaml"), "apps:\n  \"\": src\n").unwrap();
    assert!(agwlint::config::configure(&args, &mut LintOptions::default()).is_err());
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_broken_function_json_is_agw000_in_the_code_file() {
    let src = root().join("testdata/rules/AGW056/fail_arm");
    let tmp = std::env::temp_dir().join(format!("agwlint-app-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&src, &tmp);
    std::fs::write(
        tmp.join("src/api/health/function.json"),
        "{ \"bindings\": [ }",
    )
    .unwrap();
    let sources = SourceMap::new();
    let report = lint(
        std::slice::from_ref(&tmp),
        &LintOptions::default(),
        &sources,
    )
    .unwrap();
    let bad: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "AGW000")
        .map(|f| sources.path(f.primary.file))
        .collect();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].ends_with("src/api/health/function.json"), "{bad:?}");
    assert!(!report.findings.iter().any(|f| f.rule == "AGW057"));
    let _ = std::fs::remove_dir_all(&tmp);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// A FIFO inside the project (named like code) is not opened: the run ends, with a note, and
/// the surface is incomplete (no "no route matches" verdict from a partial read).
#[cfg(unix)]
#[test]
fn a_fifo_in_the_project_is_not_read() {
    let src = root().join("testdata/rules/AGW056/fail_python_arm");
    let tmp = std::env::temp_dir().join(format!("agwlint-app-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&src, &tmp);
    let project = std::fs::read_dir(tmp.join("src"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("host.json").is_file())
        .unwrap_or_else(|| tmp.join("src"));
    let fifo = project.join("zz_fifo.py");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let r = run(&tmp);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("zz_fifo.py") && n.contains("not a regular file")),
        "{:?}",
        r.notes
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_maven_project_with_host_json_in_resources_reads_src_main_java() {
    // The Spring Cloud Function layout: host.json in src/main/resources, the triggers in
    // src/main/java of the Maven project; the probe path is the anonymous `hello` route.
    let r = run(&root().join("testdata/app/java_maven_resources_arm"));
    assert!(rules(&r).is_empty(), "{:?}", r.found);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("1 HTTP function(s) linked")),
        "{:?}",
        r.notes
    );
}

/// A code file without its language's HTTP trigger marker is not parsed, and the trigger file
/// beside it still is (AGW056 still fires at its auth level): one project per language.
#[test]
fn code_files_without_a_trigger_marker_are_not_parsed() {
    for (fixture, rel, extra) in [
        (
            "fail_csharp_arm",
            "Todo.cs",
            "namespace A { public class Todo { public string Name { get; set; } } }\n",
        ),
        (
            "fail_python_arm",
            "helpers.py",
            "import os\n\ndef env(name):\n    return os.environ[name]\n",
        ),
        (
            "fail_node_arm",
            "src/db.js",
            "const { MongoClient } = require('mongodb');\nmodule.exports = { MongoClient };\n",
        ),
        (
            "fail_java_arm",
            "src/main/java/com/example/Todo.java",
            "package com.example;\npublic class Todo { String name; }\n",
        ),
    ] {
        let tmp = std::env::temp_dir().join(format!(
            "agwlint-app-marker-{fixture}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&tmp);
        copy_dir(&root().join("testdata/rules/AGW056").join(fixture), &tmp);
        let file = tmp.join("src/api").join(rel);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, extra).unwrap();
        let r = run(&tmp);
        assert_eq!(rules(&r), ["AGW056"], "{fixture}: {:?}", r.found);
        assert!(
            r.notes.iter().any(|n| n.ends_with(
                "src/api: 1 code file(s) parsed, 1 not parsed (no HTTP trigger marker)"
            )),
            "{fixture}: {:?}",
            r.notes
        );
        let _ = std::fs::remove_dir_all(&tmp);
    }
}

/// A JavaScript file that registers on an `app` it does not import from `@azure/functions`
/// (re-exported by another module) is not read as functions, but the surface is then
/// incomplete: no "no route matches" verdict.
#[test]
fn a_registration_on_a_reexported_app_keeps_no_route_silent() {
    let tmp = std::env::temp_dir().join(format!("agwlint-app-reexport-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&root().join("testdata/rules/AGW057/fail_node_arm"), &tmp);
    let r = run(&tmp);
    assert_eq!(rules(&r), ["AGW057"], "{:?}", r.found);
    std::fs::write(
        tmp.join("src/api/src/functions/more.js"),
        "const { app } = require('../app');\napp.http('other', { route: 'other', handler: h });\n",
    )
    .unwrap();
    let r = run(&tmp);
    assert!(rules(&r).is_empty(), "{:?}", r.found);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("more.js") && n.contains("not imported from @azure/functions")),
        "{:?}",
        r.notes
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// An azure.yaml Functions service that no site's `azd-service-name` tag names is a note.
#[test]
fn an_azd_service_without_a_tagged_site_is_a_note() {
    let tmp = std::env::temp_dir().join(format!("agwlint-app-azd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&root().join("testdata/app/azd_arm"), &tmp);
    let yaml = std::fs::read_to_string(tmp.join("azure.yaml")).unwrap();
    std::fs::write(
        tmp.join("azure.yaml"),
        format!("{yaml}  worker:\n    project: ./src/web\n    host: function\n"),
    )
    .unwrap();
    let r = run(&tmp);
    assert_eq!(rules(&r), ["AGW056"], "{:?}", r.found);
    assert!(
        r.notes.iter().any(|n| n.ends_with("azure.yaml: service `worker` matches no site with the tag azd-service-name: worker in the scan (a site in a module not read, or a tag not known, is not matched); linked only if it is the scan's single Function App")),
        "{:?}",
        r.notes
    );
    assert!(
        !r.notes
            .iter()
            .any(|n| n.contains("service `api` matches no site"))
    );
    let _ = std::fs::remove_dir_all(&tmp);
}
