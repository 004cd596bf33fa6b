//! Arbitrary text as `.agwlint.yaml`; errors are rendered as the CLI renders them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = agwlint::config::load::parse(".agwlint.yaml", text) {
        let _ = e.render(false);
    }
});
