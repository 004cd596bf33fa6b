//! Arbitrary bytes as a `.bicep` file: the Bicep lexer, parser and lowering, then the ARM
//! evaluator, the rules and every reporter.
#![no_main]

use libfuzzer_sys::fuzz_target;

use agwlint::LintOptions;
use agwlint::frontend::bicep;
use agwlint::model::UnitId;
use agwlint::source::SourceMap;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let text = match std::str::from_utf8(data) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or_default(),
    };
    let sources = SourceMap::new();
    let opts = LintOptions::default();
    let path = std::path::Path::new("/nonexistent-agwlint-fuzz/fuzz.bicep");
    let unit = bicep::load_root(
        path,
        "fuzz.bicep",
        text,
        None,
        UnitId(0),
        &sources,
        &opts.frontend,
        None,
    );
    common::finish(unit, &sources, &opts);
});
