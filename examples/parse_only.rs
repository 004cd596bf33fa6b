//! Baseline for the throughput benchmark: parse every `*.json` with jsonc-parser and every `*.tf`
//! with hcl-edit, nothing else, and print bytes, files and seconds. Files are parsed in
//! parallel on the rayon pool, as agwlint lints them, so wall times compare like with like.
//!
//! usage: cargo run --release --example parse_only -- DIR

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Instant;

use rayon::prelude::*;

use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: parse_only DIR");
    let files: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "tf")))
        .collect();
    let start = Instant::now();
    let (mut bytes, mut ok) = (0usize, 0usize);
    let opts = ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        ..Default::default()
    };
    let results: Vec<(usize, bool)> = files
        .par_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            let parsed = if p.extension().is_some_and(|e| e == "json") {
                parse_to_ast(
                    &text,
                    &CollectOptions {
                        comments: CommentCollectionStrategy::Separate,
                        tokens: false,
                    },
                    &opts,
                )
                .is_ok()
            } else {
                hcl::edit::parser::parse_body(&text).is_ok()
            };
            Some((text.len(), parsed))
        })
        .collect();
    for (b, parsed) in results {
        bytes += b;
        ok += usize::from(parsed);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "files={} parsed={} bytes={} seconds={:.3} mb_per_s={:.1}",
        files.len(),
        ok,
        bytes,
        secs,
        bytes as f64 / 1e6 / secs
    );
}
