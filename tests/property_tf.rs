//! Property tests of the Terraform front-end: any bytes, and any mutation of a valid module,
//! lint to findings or AGW000 within a time bound, never a panic or a hang. Deterministic
//! (xorshift with fixed seeds).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod property_common;

use std::time::Duration;

use property_common::{Rng, bounded, lint_paths, mutate, scratch, testdata};

const HCL_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "=",
    ",",
    ".",
    "\"",
    "\n",
    "${",
    "%{",
    "~}",
    "<<EOT\n",
    "\nEOT\n",
    "#",
    "//",
    "/*",
    "*/",
    "...",
    "=>",
    "?",
    ":",
    "for",
    "in",
    "if",
    "var.x",
    "local.l",
    "module.m.y",
    "each.value",
    "count.index",
    "self",
    "null",
    "true",
    "1e308",
    "resource \"azurerm_application_gateway\" \"g\" {\n",
    "dynamic \"probe\" {\n",
    "for_each = ",
    "count = ",
    "content {\n",
    "locals {\n",
    "variable \"x\" {\n",
    "module \"m\" {\n source = \"./mod\"\n",
    "merge(",
    "lookup(",
    "concat(",
    "format(\"%s\", ",
    "jsondecode(",
    "range(",
    "flatten(",
    "try(",
    "\u{feff}",
    "\u{0}",
];

/// A root module directory with a small local module beside it.
fn root(name: &str) -> std::path::PathBuf {
    let d = scratch(name);
    std::fs::create_dir_all(d.join("mod")).unwrap();
    std::fs::write(
        d.join("mod/main.tf"),
        "variable \"x\" {\n  default = 1\n}\noutput \"y\" {\n  value = var.x\n}\n",
    )
    .unwrap();
    d
}

fn check(what: String, dir: &std::path::Path, main_tf: Vec<u8>) -> Vec<String> {
    std::fs::write(dir.join("main.tf"), &main_tf).unwrap();
    let paths = vec![dir.to_path_buf()];
    let rules = bounded(&what, Duration::from_secs(20), move || lint_paths(&paths));
    assert!(
        rules.iter().all(|r| r.starts_with("AGW")),
        "{what}: odd rules {rules:?}"
    );
    rules
}

#[test]
fn random_bytes_as_main_tf_never_panic() {
    let dir = root("tf-bytes");
    let mut rng = Rng::new(11);
    for case in 0..400 {
        let n = rng.below(400);
        let mut bytes = rng.bytes(n);
        // An unclosed block in front: the file cannot parse, so it must be AGW000.
        let mut head = b"locals {\n a = ".to_vec();
        head.append(&mut bytes);
        head.retain(|b| *b != b'}');
        let rules = check(format!("random bytes case {case}"), &dir, head);
        assert!(
            rules.contains(&"AGW000".to_string()),
            "case {case}: {rules:?}"
        );
    }
}

#[test]
fn token_soup_modules_never_panic() {
    let dir = root("tf-soup");
    let mut rng = Rng::new(12);
    for case in 0..600 {
        let mut s = String::new();
        for _ in 0..rng.below(60) {
            s.push_str(rng.tok(HCL_TOKENS));
            if rng.below(3) == 0 {
                s.push(' ');
            }
        }
        check(
            format!("token soup case {case}: {s:?}"),
            &dir,
            s.into_bytes(),
        );
    }
}

#[test]
fn mutated_testdata_modules_never_panic() {
    let seeds = testdata("tf", 32 * 1024);
    assert!(seeds.len() >= 5, "testdata modules missing");
    let dir = root("tf-mutations");
    let mut rng = Rng::new(13);
    for case in 0..800 {
        let (path, bytes) = rng.pick(&seeds);
        let m = mutate(bytes, &mut rng, HCL_TOKENS);
        check(
            format!("mutation case {case} of {}", path.display()),
            &dir,
            m,
        );
    }
}
