//! Arbitrary bytes as an ARM template through the public load path.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // The load path reads bytes and rejects invalid UTF-8 with AGW000 before the front-end;
    // keep the valid prefix as the file does.
    let text = match std::str::from_utf8(data) {
        Ok(t) => t,
        Err(e) => match std::str::from_utf8(&data[..e.valid_up_to()]) {
            Ok(t) => t,
            Err(_) => return,
        },
    };
    common::lint_arm_text(text);
});
