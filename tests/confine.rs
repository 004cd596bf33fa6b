//! Confinement (issue 20): repository content never makes agwlint read or print a file outside
//! the scan root, and sensitive values never reach an output.
//!
//! Every hostile case plants a unique marker in files outside the repository and in an
//! environment variable of the agwlint process, runs every output format, and asserts that no
//! byte of the marker is printed, that the reference is reported as AGW901, and that the rest
//! of the scan is still linted (a v1 gateway in `good/` still gives AGW001).

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use agwlint::report::{Format, RenderOptions, render};
use agwlint::source::SourceMap;
use agwlint::{LintOptions, lint};

/// In every file outside the repository.
const MARKER: &str = "OUTSIDE_MARKER_7f3a";
/// In the environment of the agwlint process (`/proc/self/environ`).
const ENV_MARKER: &str = "ENV_MARKER_c91e";
const FORMATS: &[&str] = &["human", "json", "sarif", "github", "junit", "compact"];
const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const GOOD_ARM: &str = include_str!("../testdata/rules/AGW001/fail.json");
const GOOD_TF: &str = include_str!("../testdata/rules/AGW001/fail_tf/main.tf");

static N: AtomicUsize = AtomicUsize::new(0);

/// Removes a test's temporary tree when the test ends (passed or failed).
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `<tmp>/outside/...` (files that would print the marker if read) and `<tmp>/repo` (a git
/// repository with a v1 gateway in ARM and in Terraform).
fn setup(name: &str) -> (PathBuf, PathBuf, Cleanup) {
    let base = std::env::temp_dir().join(format!(
        "agwlint-confine-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&base);
    let out = base.join("outside");
    let repo = base.join("repo");
    for d in [&out.join("mod"), &repo.join(".git"), &repo.join("good_tf")] {
        std::fs::create_dir_all(d).unwrap();
    }
    // Each outside file would show the marker in a snippet or a message if it were read.
    let w = |p: &Path, t: &str| std::fs::write(p, t).unwrap();
    w(
        &out.join("secret.json"),
        &format!(
            "{{ \"$schema\": \"{SCHEMA}\", \"contentVersion\": \"1.0.0.0\", \"resources\": [ {MARKER} ] }}\n"
        ),
    );
    w(&out.join("secret.txt"), &format!("{MARKER}=1\n"));
    w(
        &out.join("params.json"),
        &format!("{{ \"parameters\": {{ \"gatewayName\": {{ \"value\": \"{MARKER}\" }} }} }}\n"),
    );
    w(&out.join("mod/main.tf"), &format!("{MARKER} {{\n"));
    w(&out.join("vars.tfvars"), &format!("{MARKER} {{\n"));
    w(
        &out.join("base.json"),
        &format!("{{ \"version\": \"{MARKER}\" }}\n"),
    );
    std::fs::create_dir_all(repo.join("good")).unwrap();
    w(&repo.join("good/gw.json"), GOOD_ARM);
    w(&repo.join("good_tf/main.tf"), GOOD_TF);
    (repo, out, Cleanup(base))
}

fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    let link = link.as_ref();
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo {}", p.display());
}

/// An ARM template with one nested deployment per `relativePath`.
fn linking_template(rels: &[String]) -> String {
    let deployments: Vec<String> = rels
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                r#"{{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "d{i}",
      "properties": {{ "mode": "Incremental", "templateLink": {{ "relativePath": {} }} }} }}"#,
                serde_json::to_string(r).unwrap()
            )
        })
        .collect();
    format!(
        "{{ \"$schema\": \"{SCHEMA}\", \"contentVersion\": \"1.0.0.0\",\n  \"resources\": [\n    {}\n  ] }}\n",
        deployments.join(",\n    ")
    )
}

struct Run {
    code: i32,
    text: String,
}

/// Runs `agwlint lint .` in `repo` in one format, with the environment marker set.
fn run(repo: &Path, format: &str, extra: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .current_dir(repo)
        .env("AGWLINT_CONFINE_SECRET", ENV_MARKER)
        .args(["lint", "--format", format, "--fail-on", "never"])
        .args(extra)
        .arg(".")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// The text with miette's wrapping undone: each line without its frame (`│`) and
/// indentation, the lines joined by spaces.
fn unwrapped(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_start().trim_start_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// No marker in any format; AGW001 of `good/` and `good_tf/` still reported; at least
/// `refused` AGW901 findings (counted in the JSON output).
fn assert_confined(repo: &Path, refused: usize) {
    for f in FORMATS {
        let r = run(repo, f, &[]);
        assert_eq!(r.code, 0, "{f}: {}", r.text);
        for m in [MARKER, ENV_MARKER] {
            assert!(!r.text.contains(m), "{f} printed {m}:\n{}", r.text);
        }
        assert!(
            r.text.contains("AGW001"),
            "{f}: rest not linted:\n{}",
            r.text
        );
        if *f == "json" {
            let doc: serde_json::Value = serde_json::from_str(&r.text).unwrap();
            let diags = doc["diagnostics"].as_array().unwrap();
            let count = |id: &str| diags.iter().filter(|d| d["rule"] == id).count();
            assert_eq!(count("AGW001"), 2, "{}", r.text);
            assert!(count("AGW901") >= refused, "{}", r.text);
        }
    }
}

#[test]
fn arm_linked_templates_outside_the_scan_root_are_not_read() {
    let (repo, out, _cleanup) = setup("arm");
    symlink(out.join("secret.json"), repo.join("link.json"));
    symlink("/proc/self/environ", repo.join("env.json"));
    symlink("/dev/zero", repo.join("dev.json"));
    mkfifo(&repo.join("fifo.json"));
    let rels: Vec<String> = vec![
        out.join("secret.json").display().to_string(),
        "../outside/secret.json".into(),
        "nested/../../outside/secret.json".into(),
        "link.json".into(),
        "/proc/self/environ".into(),
        "env.json".into(),
        "/dev/zero".into(),
        "dev.json".into(),
        "fifo.json".into(),
        format!("{}x.json", "a/".repeat(3000)),
        format!("{}/../outside/secret.json", "./".repeat(2000)),
        "x\u{0}y.json".into(),
        "../outside/secret.json\u{0}".into(),
        "\u{1b}]0;title\u{7}../outside/secret.json".into(),
        "\n../outside/secret.json".into(),
    ];
    std::fs::write(repo.join("main.json"), linking_template(&rels)).unwrap();
    // The symbolic links and the FIFO are also met by the directory walk (AGW901 each, or
    // skipped), besides the 9 references that resolve outside or to a special file.
    assert_confined(&repo, 9);
}

#[test]
fn parameter_files_beside_a_template_outside_the_scan_root_are_not_read() {
    for (i, target) in ["outside", "environ", "fifo", "dev"].iter().enumerate() {
        let (repo, out, _cleanup) = setup(&format!("param{i}"));
        let main = linking_template(&[]).replace(
            "\"resources\"",
            "\"parameters\": { \"gatewayName\": { \"type\": \"string\", \"defaultValue\": \"g\" } },\n  \"resources\"",
        );
        std::fs::write(repo.join("main.json"), main).unwrap();
        let p = repo.join("main.parameters.json");
        match *target {
            "outside" => symlink(out.join("params.json"), &p),
            "environ" => symlink("/proc/self/environ", &p),
            "dev" => symlink("/dev/zero", &p),
            _ => mkfifo(&p),
        }
        // A FIFO or device beside the template is not a parameter file candidate at all.
        let special = *target == "fifo" || *target == "dev";
        assert_confined(&repo, if special { 0 } else { 1 });
    }
}

#[test]
fn configuration_mappings_outside_the_scan_root_are_not_read() {
    let (repo, _, _cleanup) = setup("config");
    std::fs::create_dir_all(repo.join("tf")).unwrap();
    std::fs::write(
        repo.join("tf/main.tf"),
        "variable \"x\" {\n  default = \"a\"\n}\n",
    )
    .unwrap();
    std::fs::write(repo.join("main.json"), linking_template(&[])).unwrap();
    std::fs::write(
        repo.join(".agwlint.yaml"),
        "parameters:\n  \"main.json\": [../outside/params.json, /proc/self/environ]\nvar_files:\n  \"tf\": [../outside/vars.tfvars, /dev/zero]\n",
    )
    .unwrap();
    assert_confined(&repo, 4);
}

#[test]
fn a_baseline_or_configuration_outside_the_scan_root_is_refused_without_its_content() {
    let (repo, out, _cleanup) = setup("baseline");
    std::fs::write(
        repo.join(".agwlint.yaml"),
        "baseline: ../outside/base.json\n",
    )
    .unwrap();
    let r = run(&repo, "json", &[]);
    assert_eq!(r.code, 2, "{}", r.text);
    // Read with miette's wrapping undone: where the line breaks depends on the length of the
    // temporary directory's name (the process id in it).
    assert!(
        unwrapped(&r.text).contains("outside the scan root"),
        "{}",
        r.text
    );
    assert!(!r.text.contains(MARKER), "{}", r.text);
    // The same file named on the command line is the user's choice: read (and rejected for
    // its version, which is the user's own content to see).
    let r = run(
        &repo,
        "json",
        &["--baseline", out.join("base.json").to_str().unwrap()],
    );
    assert_eq!(r.code, 2, "{}", r.text);
    std::fs::remove_file(repo.join(".agwlint.yaml")).unwrap();
    symlink(out.join("secret.txt"), repo.join(".agwlint.yaml"));
    let r = run(&repo, "json", &[]);
    assert_eq!(r.code, 2, "{}", r.text);
    assert!(!r.text.contains(MARKER), "{}", r.text);
    std::fs::remove_file(repo.join(".agwlint.yaml")).unwrap();
    symlink("/proc/self/environ", repo.join(".agwlint.yaml"));
    let r = run(&repo, "json", &[]);
    assert_eq!(r.code, 2, "{}", r.text);
    assert!(!r.text.contains(ENV_MARKER), "{}", r.text);
}

#[test]
fn terraform_module_sources_outside_the_scan_root_are_not_read() {
    let (repo, out, _cleanup) = setup("tf");
    symlink(out.join("mod"), repo.join("tf/linkmod"));
    symlink("/proc/self", repo.join("tf/procmod"));
    let long = format!("./{}mod", "a/".repeat(3000));
    let calls = [
        "../../outside/mod".to_string(),
        "./linkmod".into(),
        "./procmod".into(),
        "../".repeat(40) + out.strip_prefix("/").unwrap().join("mod").to_str().unwrap(),
        long,
        "../../outside/mod\u{0}".into(),
        "./\u{1b}[2J../../outside/mod".into(),
    ];
    let mut main = String::new();
    for (i, c) in calls.iter().enumerate() {
        let lit = serde_json::to_string(c).unwrap();
        main.push_str(&format!("module \"m{i}\" {{\n  source = {lit}\n}}\n"));
    }
    // Registry modules `terraform init` vendored: the manifest is repository content too.
    main.push_str("module \"v\" {\n  source  = \"example/v/azurerm\"\n  version = \"1.0.0\"\n}\n");
    main.push_str("module \"w\" {\n  source  = \"example/w/azurerm\"\n  version = \"1.0.0\"\n}\n");
    std::fs::write(repo.join("tf/main.tf"), main).unwrap();
    std::fs::create_dir_all(repo.join("tf/.terraform/modules")).unwrap();
    std::fs::write(
        repo.join("tf/.terraform/modules/modules.json"),
        format!(
            r#"{{"Modules":[{{"Key":"","Source":"","Dir":"."}},{{"Key":"v","Source":"x","Dir":"../../outside/mod"}},{{"Key":"w","Source":"x","Dir":{}}}]}}"#,
            serde_json::to_string(&out.join("mod")).unwrap()
        ),
    )
    .unwrap();
    // `./linkmod`, `./procmod`, `../../outside/mod`, the `../` chain, `v` and `w`.
    assert_confined(&repo, 6);
}

#[test]
fn files_met_by_the_walk_that_link_outside_are_not_read() {
    let (repo, out, _cleanup) = setup("walk");
    symlink(out.join("mod/main.tf"), repo.join("evil.tf"));
    symlink(out.join("secret.json"), repo.join("evil.json"));
    symlink("/proc/self/environ", repo.join("environ.json"));
    std::fs::create_dir_all(repo.join("tf")).unwrap();
    std::fs::write(
        repo.join("tf/main.tf"),
        "variable \"x\" {\n  default = \"a\"\n}\n",
    )
    .unwrap();
    symlink("/proc/self/environ", repo.join("tf/terraform.tfvars"));
    symlink(out.join("vars.tfvars"), repo.join("tf/x.auto.tfvars"));
    symlink(out.join("mod"), repo.join("linkeddir"));
    assert_confined(&repo, 5);
}

#[test]
fn paths_given_on_the_command_line_stay_allowed() {
    let (repo, out, _cleanup) = setup("flags");
    std::fs::write(
        repo.join("main.json"),
        linking_template(&[]).replace(
            "\"resources\"",
            "\"parameters\": { \"gatewayName\": { \"type\": \"string\" } },\n  \"resources\"",
        ),
    )
    .unwrap();
    // The user's own outside file is read: its (broken) content is theirs to see.
    let p = out.join("secret.json");
    let r = run(&repo, "human", &["--parameters", p.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.text);
    assert!(r.text.contains(MARKER), "{}", r.text);
    let r = run(
        &repo,
        "json",
        &["--parameters", out.join("params.json").to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.text);
    // Lint paths outside the current directory are their own scan root.
    let out2 = Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(["lint", "--format", "compact", "--fail-on", "never"])
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out2.stdout);
    assert!(text.contains("AGW000"), "{text}");
    assert!(!text.contains("AGW901"), "{text}");
}

/// A small deterministic generator (xorshift): no dependency for a property loop.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// Generated path references (relative, absolute, `..` chains, links, special files, control
/// characters, long names) in ARM `relativePath`s and Terraform module sources: nothing of the
/// outside files or the process environment is ever printed, whatever the format.
#[test]
fn generated_path_references_never_leak() {
    let (repo, out, _cleanup) = setup("prop");
    symlink(out.join("secret.json"), repo.join("l.json"));
    symlink(&out, repo.join("ld"));
    symlink("/proc/self", repo.join("proc"));
    std::fs::create_dir_all(repo.join("tf")).unwrap();
    let outside = out.to_str().unwrap().to_string();
    let pieces = [
        "..",
        ".",
        "",
        "outside",
        "secret.json",
        "secret.txt",
        "mod",
        "l.json",
        "ld",
        "proc",
        "environ",
        "fd",
        "0",
        "repo",
        "good",
        "gw.json",
        "\u{0}",
        "\u{1b}[31m",
        "\n",
        "%2e%2e",
        "~",
        "a",
        "nested",
        "dev",
        "zero",
        "..\\..",
        "CON",
        &outside,
    ];
    let path_env = std::env::var("PATH").unwrap_or_default();
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    for round in 0..12 {
        let mut rels = Vec::new();
        let mut sources = String::new();
        for i in 0..12 {
            let n = 1 + g.next() % 8;
            let mut p: Vec<&str> = (0..n).map(|_| g.pick(&pieces)).collect();
            if g.next().is_multiple_of(3) {
                p.insert(0, "");
            }
            if g.next().is_multiple_of(5) {
                p.push("x".repeat(300).leak());
            }
            let rel = p.join("/");
            let src = if g.next().is_multiple_of(2) {
                format!("./{rel}")
            } else {
                format!("../{rel}")
            };
            sources.push_str(&format!(
                "module \"g{i}\" {{\n  source = {}\n}}\n",
                serde_json::to_string(&src).unwrap()
            ));
            rels.push(rel);
        }
        std::fs::write(repo.join("main.json"), linking_template(&rels)).unwrap();
        std::fs::write(repo.join("tf/main.tf"), &sources).unwrap();
        let sm = SourceMap::new();
        let report = lint(std::slice::from_ref(&repo), &LintOptions::default(), &sm).unwrap();
        let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
        assert_eq!(
            rules.iter().filter(|r| **r == "AGW001").count(),
            2,
            "round {round}: {rels:?} {sources}"
        );
        for f in [
            Format::Human,
            Format::Json,
            Format::Sarif,
            Format::Github,
            Format::Junit,
            Format::Compact,
        ] {
            let text = render(&report, &sm, f, RenderOptions::default());
            assert!(
                !text.contains(MARKER),
                "round {round} {f:?}: {rels:?}\n{text}"
            );
            if path_env.len() > 16 {
                assert!(
                    !text.contains(&path_env),
                    "round {round} {f:?}: environment printed"
                );
            }
        }
    }
}

/// A value marked sensitive never reaches an output: planted in a Terraform `sensitive`
/// variable and an ARM `secureString` parameter that flow into findings, it is replaced by
/// "(sensitive value)" in every format; without the marking it would be printed.
#[test]
fn sensitive_values_never_reach_any_format() {
    const SECRET_TF: &str = "https://TFSECRET-a1b2c3.azurewebsites.net";
    const SECRET_ARM: &str = "https://ARMSECRET-d4e5f6.azurewebsites.net/";
    let tf = include_str!("../testdata/rules/AGW007/fail_var_default_tf/main.tf");
    assert!(tf.contains("default = \"https://scim-fn.azurewebsites.net\""));
    let arm = include_str!("../testdata/rules/AGW007/fail.json");
    assert!(arm.contains("\"fqdn\": \"https://scim-fn.azurewebsites.net/\""));
    for sensitive in [false, true] {
        let (repo, _, _cleanup) = setup(&format!("sensitive{sensitive}"));
        let mark = if sensitive {
            "\n  sensitive = true"
        } else {
            ""
        };
        std::fs::create_dir_all(repo.join("tf")).unwrap();
        std::fs::write(
            repo.join("tf/main.tf"),
            tf.replace(
                "default = \"https://scim-fn.azurewebsites.net\"",
                &format!("default = \"{SECRET_TF}\"{mark}"),
            ),
        )
        .unwrap();
        let ty = if sensitive { "secureString" } else { "string" };
        let arm = arm
            .replacen(
                "\"parameters\": {",
                &format!(
                    "\"parameters\": {{ \"backendFqdn\": {{ \"type\": \"{ty}\", \"defaultValue\": \"{SECRET_ARM}\" }},"
                ),
                1,
            )
            .replace(
                "\"fqdn\": \"https://scim-fn.azurewebsites.net/\"",
                "\"fqdn\": \"[parameters('backendFqdn')]\"",
            );
        std::fs::write(repo.join("main.json"), arm).unwrap();
        for f in FORMATS {
            let r = run(&repo, f, &[]);
            assert!(r.text.contains("AGW007"), "{f}:\n{}", r.text);
            for s in ["TFSECRET", "ARMSECRET"] {
                if sensitive {
                    assert!(!r.text.contains(s), "{f} printed {s}:\n{}", r.text);
                } else if *f == "json" {
                    // The test is honest: without the marking the value is printed.
                    assert!(r.text.contains(s), "{f} lacks {s}:\n{}", r.text);
                }
            }
            if sensitive {
                assert!(r.text.contains("(sensitive value)"), "{f}:\n{}", r.text);
            }
        }
    }
}

/// SECURITY.md promises that agwlint runs nothing and opens no socket: the library's source
/// names neither process spawning nor a socket type (address parsing is fine).
#[test]
fn the_library_neither_executes_nor_opens_sockets() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 20);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for needle in [
            "process::Command",
            "Command::new",
            "TcpStream",
            "TcpListener",
            "ToSocketAddrs",
            "UdpSocket",
            "UnixStream",
            "UnixListener",
        ] {
            assert!(!text.contains(needle), "{} uses {needle}", f.display());
        }
    }
}

/// Only Known text is sensitive: the literal text around an Unknown value passed to a
/// sensitive variable (`"https://${...}"`) is the configuration's own and is not hidden (it
/// was, and turned every rule URL of a corpus run into "(sensitive value)github.com/...").
#[test]
fn literal_text_around_an_unknown_sensitive_value_is_not_hidden() {
    let (repo, _, _cleanup) = setup("partial");
    std::fs::create_dir_all(repo.join("tf/m")).unwrap();
    std::fs::write(
        repo.join("tf/m/main.tf"),
        "variable \"host\" {\n  type      = string\n  sensitive = true\n}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("tf/main.tf"),
        "data \"azurerm_client_config\" \"c\" {}\nmodule \"m\" {\n  source = \"./m\"\n  host   = \"https://${data.azurerm_client_config.c.tenant_id}\"\n}\n",
    )
    .unwrap();
    let sm = SourceMap::new();
    let report = lint(std::slice::from_ref(&repo), &LintOptions::default(), &sm).unwrap();
    assert!(
        report.sensitive.iter().all(|s| !s.contains("https")),
        "{:?}",
        report.sensitive
    );
    let json = render(&report, &sm, Format::Json, RenderOptions::default());
    assert!(json.contains("\"https://github.com/"), "{json}");
    assert!(!json.contains("(sensitive value)"), "{json}");
}

/// The report-layer backstop: a file the source map read for repository content from outside
/// the scan root is never shown in a snippet, even if a finding pointed into it; a file inside
/// the root, or chosen on the command line, is.
#[test]
fn human_snippets_show_only_files_inside_the_scan_root() {
    use agwlint::finding::{Finding, Severity};
    use agwlint::source::{PathOrigin, ReadFile, Span};
    let (repo, out, _cleanup) = setup("backstop");
    let sm = SourceMap::new();
    sm.set_scan_roots(std::slice::from_ref(&repo));
    let text = format!("line = \"{MARKER}\"\n");
    let read = |real: &Path, origin| ReadFile {
        bytes: Vec::new(),
        len: 0,
        real: std::fs::canonicalize(real).unwrap(),
        origin,
    };
    let outside = sm.add_read(
        "outside.tf",
        &text,
        &read(&out.join("secret.txt"), PathOrigin::Content),
    );
    let chosen = sm.add_read(
        "chosen.tf",
        &text,
        &read(&out.join("secret.txt"), PathOrigin::CommandLine),
    );
    let inside = sm.add_read(
        "good_tf/main.tf",
        &text,
        &read(&repo.join("good_tf/main.tf"), PathOrigin::Content),
    );
    assert!(!sm.may_show(outside));
    assert!(sm.may_show(chosen) && sm.may_show(inside));
    for (id, shown) in [(outside, false), (chosen, true), (inside, true)] {
        let mut report = agwlint::Report::default();
        report.findings.push(Finding::new(
            "AGW000",
            "parse-error",
            Severity::Error,
            "x",
            Span::new(id, 8..27),
        ));
        let text = render(&report, &sm, Format::Human, RenderOptions::default());
        assert_eq!(text.contains(MARKER), shown, "{text}");
    }
}
