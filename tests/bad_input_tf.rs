//! Hostile and broken Terraform input: a clear AGW000 or clean handling, never a panic, and
//! the other modules of the scan are still linted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use agwlint::{LintOptions, Report, lint, source::SourceMap};

static N: AtomicUsize = AtomicUsize::new(0);

fn tree(files: &[(&str, &[u8])]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "agwlint-bad-tf-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (p, text) in files {
        let f = dir.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, text).unwrap();
    }
    dir
}

fn run(path: &Path) -> (Report, SourceMap) {
    let sources = SourceMap::new();
    let r = lint(&[path.to_path_buf()], &LintOptions::default(), &sources).unwrap();
    (r, sources)
}

fn rules_in(r: &Report, s: &SourceMap) -> Vec<(String, String)> {
    r.findings
        .iter()
        .map(|f| (f.rule.to_string(), s.path(f.primary.file)))
        .collect()
}

/// A v1 gateway: AGW001 fires on it, proving the module was linted.
const V1: &[u8] = br#"
resource "azurerm_application_gateway" "gw" {
  name = "agw-v1"
  sku {
    name     = "Standard_Small"
    tier     = "Standard"
    capacity = 2
  }
}
"#;

fn has(found: &[(String, String)], rule: &str, path_end: &str) -> bool {
    found
        .iter()
        .any(|(r, p)| r == rule && p.ends_with(path_end))
}

#[test]
fn unterminated_block_is_agw000_and_other_modules_are_linted() {
    let root = tree(&[
        (
            "broken/main.tf",
            b"resource \"azurerm_public_ip\" \"p\" {\n  name = \"x\"\n",
        ),
        ("broken/ok.tf", V1),
        ("good/main.tf", V1),
    ]);
    let (r, s) = run(&root);
    let found = rules_in(&r, &s);
    assert!(has(&found, "AGW000", "broken/main.tf"), "{found:?}");
    // The other file of the broken module and the other module are still linted.
    assert!(has(&found, "AGW001", "broken/ok.tf"), "{found:?}");
    assert!(has(&found, "AGW001", "good/main.tf"), "{found:?}");
    let f = r.findings.iter().find(|f| f.rule == "AGW000").unwrap();
    assert!(f.message.contains("syntax error"), "{}", f.message);
}

#[test]
fn duplicate_attributes_are_agw000() {
    let root = tree(&[(
        "main.tf",
        b"resource \"azurerm_public_ip\" \"p\" {\n  name = \"a\"\n  name = \"b\"\n}\n",
    )]);
    let (r, s) = run(&root);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "AGW000")
        .expect("AGW000");
    // Points at the second `name`, on line 3.
    assert_eq!(s.span_lines(&f.primary).unwrap().0.line, 3, "{}", f.message);
}

#[test]
fn module_calling_itself_stops_with_a_note() {
    let mut main = V1.to_vec();
    main.extend_from_slice(
        b"\nmodule \"me\" {\n  source = \"./\"\n}\nmodule \"sub\" {\n  source = \"./sub\"\n}\n",
    );
    let root = tree(&[
        ("main.tf", &main),
        ("sub/main.tf", b"module \"up\" {\n  source = \"../\"\n}\n"),
    ]);
    let (r, s) = run(&root);
    let found = rules_in(&r, &s);
    assert_eq!(
        found.iter().filter(|(rule, _)| rule == "AGW001").count(),
        1,
        "{found:?}"
    );
    assert!(
        r.notes.iter().any(|n| n.contains("recursion")),
        "{:?}",
        r.notes
    );
}

#[test]
fn source_escaping_the_scanned_tree_is_followed_inside_the_repository() {
    // The repository root (a `.git` directory) holds both: the module is inside the scan root.
    let root = tree(&[
        (
            "scan/main.tf",
            b"module \"shared\" {\n  source = \"../shared/agw\"\n}\nmodule \"gone\" {\n  source = \"../nowhere\"\n}\n",
        ),
        ("shared/agw/main.tf", V1),
        (".git/HEAD", b"ref: refs/heads/main\n"),
    ]);
    let (r, s) = run(&root.join("scan"));
    let found = rules_in(&r, &s);
    assert!(has(&found, "AGW001", "shared/agw/main.tf"), "{found:?}");
    assert!(
        r.notes.iter().any(|n| n.contains("does not exist")),
        "{:?}",
        r.notes
    );
}

#[test]
fn source_escaping_the_scan_root_is_not_read() {
    // No repository root above `scan`: the scan root is `scan` itself (issue 20).
    let root = tree(&[
        (
            "scan/main.tf",
            b"module \"shared\" {\n  source = \"../shared/agw\"\n}\n",
        ),
        ("shared/agw/main.tf", V1),
    ]);
    let (r, s) = run(&root.join("scan"));
    let found = rules_in(&r, &s);
    assert!(!has(&found, "AGW001", "shared/agw/main.tf"), "{found:?}");
    assert!(has(&found, "AGW901", "scan/main.tf"), "{found:?}");
}

#[test]
fn invalid_utf8_and_deep_nesting_are_agw000() {
    let deep = format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let root = tree(&[
        (
            "utf/main.tf",
            b"resource \"a\" \"b\" {\n  name = \"\xff\xfe\"\n}\n",
        ),
        ("deep/main.tf", deep.as_bytes()),
        ("good/main.tf", V1),
    ]);
    let (r, s) = run(&root);
    let found = rules_in(&r, &s);
    assert!(has(&found, "AGW000", "utf/main.tf"), "{found:?}");
    assert!(has(&found, "AGW000", "deep/main.tf"), "{found:?}");
    assert!(has(&found, "AGW001", "good/main.tf"), "{found:?}");
}

#[test]
fn five_megabyte_file_is_handled() {
    let mut big = String::new();
    let mut i = 0;
    while big.len() < 5 * 1024 * 1024 {
        big.push_str(&format!(
            "resource \"azurerm_public_ip\" \"p{i}\" {{\n  name  = \"pip-{i}\"\n  zones = [\"1\", \"2\", \"3\"]\n  tags  = {{ owner = \"team-{i}\" }}\n}}\n\n"
        ));
        i += 1;
    }
    // The same content with a syntax error at its very end.
    let mut broken = big.clone();
    broken.push_str("resource \"x\" \"y\" {\n");
    let root = tree(&[
        ("big/main.tf", big.as_bytes()),
        ("broken/main.tf", broken.as_bytes()),
        ("good/main.tf", V1),
    ]);
    let t = std::time::Instant::now();
    let (r, s) = run(&root);
    let found = rules_in(&r, &s);
    assert!(has(&found, "AGW000", "broken/main.tf"), "{found:?}");
    assert!(!has(&found, "AGW000", "big/main.tf"), "{found:?}");
    assert!(has(&found, "AGW001", "good/main.tf"), "{found:?}");
    let f = r.findings.iter().find(|f| f.rule == "AGW000").unwrap();
    let line = s.span_lines(&f.primary).unwrap().0.line;
    assert!(line > 100_000, "error reported at line {line}");
    // Generous: a debug build on a shared 2-core machine.
    assert!(t.elapsed().as_secs() < 60, "took {:?}", t.elapsed());
}
