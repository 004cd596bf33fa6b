//! Arbitrary bytes as `main.tf` of a Terraform root module (with a small local module beside
//! it, so module calls resolve), through `agwlint::lint`. The front-end reads directories, so
//! each process uses its own temporary directory.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use agwlint::source::SourceMap;
use agwlint::{LintOptions, lint};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("agwlint-fuzz-tf-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let m = d.join("mod");
        std::fs::create_dir_all(&m).unwrap();
        std::fs::write(
            m.join("main.tf"),
            "variable \"x\" {\n  default = 1\n}\noutput \"y\" {\n  value = var.x\n}\n",
        )
        .unwrap();
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let d = dir();
    std::fs::write(d.join("main.tf"), data).unwrap();
    let sources = SourceMap::new();
    let opts = LintOptions::default();
    if let Ok(report) = lint(std::slice::from_ref(d), &opts, &sources) {
        let _ = agwlint::report::render(
            &report,
            &sources,
            agwlint::report::Format::Json,
            agwlint::report::RenderOptions::default(),
        );
    }
});
