//! Measurements of the Bicep front-end over a directory of Bicep (the shared corpus):
//!
//! - `parse DIR`: lex + parse every `*.bicep` / `*.bicepparam` (single thread), print files,
//!   bytes, parse errors (outside `Invalid*` folders) and MB/s;
//! - `parity DIR`: for every `main.bicep` with the compiled `main.json` beside it, build the
//!   model from each and compare them (resources, gateway fields, links; spans left out), and
//!   print how many pairs agree and, for the others, the first difference.
//!
//! usage: cargo run --release --example bicep_measure -- parse|parity DIR

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use agwlint::frontend::{FrontendOptions, arm, bicep};
use agwlint::model::UnitId;
use agwlint::source::SourceMap;

fn files(dir: &str, exts: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        })
        .collect();
    out.sort();
    out
}

fn parse(dir: &str) {
    let texts: Vec<(PathBuf, String)> = files(dir, &["bicep", "bicepparam"])
        .into_iter()
        .map(|p| {
            let t = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            (p, t)
        })
        .collect();
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let start = Instant::now();
    let mut errors = 0;
    for (p, t) in &texts {
        let parsed = bicep::parse_text(t.strip_prefix('\u{feff}').unwrap_or(t));
        let invalid = p.to_string_lossy().contains("/Invalid");
        if !invalid && !parsed.errors.is_empty() {
            errors += 1;
            eprintln!("{}: {}", p.display(), parsed.errors[0].message);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} files, {} bytes, {errors} parse errors on valid files, {:.3} s, {:.1} MB/s",
        texts.len(),
        bytes,
        secs,
        bytes as f64 / 1e6 / secs
    );
}

/// The model's debug text without spans and file ids (they differ by construction).
fn shape(m: &agwlint::model::Model) -> String {
    let text = format!("{m:#?}");
    let mut out = String::with_capacity(text.len());
    let mut skip = 0;
    // Registry modules read from the restore cache have frames (where their findings move);
    // the compiled JSON embeds them instead: frames are not part of the comparison.
    let mut frames_end: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(end) = &frames_end {
            if line == end {
                frames_end = None;
            }
            continue;
        }
        if t == "module_frames: []," {
            continue;
        }
        if t == "module_frames: [" {
            let indent = line.len() - line.trim_start().len();
            frames_end = Some(format!("{}],", " ".repeat(indent)));
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if t.ends_with("FileId(") {
            // `file: FileId(\n 1,\n ),`: file numbers differ when modules are files.
            skip = 2;
            continue;
        }
        if t.starts_with("file:")
            || t.starts_with("start:")
            || t.starts_with("end:")
            || t.starts_with("span:")
            || t.starts_with("FileId(")
        {
            continue;
        }
        // Placeholder keys of unknown names carry a byte offset (`?0:1234`).
        let mut l = String::with_capacity(line.len());
        let mut rest = line;
        while let Some(i) = rest.find("\"?") {
            let tail = &rest[i + 2..];
            let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let sep = tail[digits..].chars().next();
            l.push_str(&rest[..i + 2 + digits]);
            rest = &tail[digits..];
            if digits > 0 && matches!(sep, Some(':' | '/')) {
                l.push_str(&rest[..1]);
                rest = rest[1..].trim_start_matches(|c: char| c.is_ascii_digit());
            }
        }
        l.push_str(rest);
        // Bicep names the module where the JSON names the deployment.
        if let Some(i) = l.find(" passed by ") {
            l.truncate(i);
        }
        if l.trim_start().starts_with("rtype:") {
            l = l.to_ascii_lowercase();
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

fn parity(dir: &str) {
    let opts = FrontendOptions::default();
    let (mut pairs, mut same, mut with_resources, mut same_nonempty) = (0, 0, 0, 0);
    for b in files(dir, &["bicep"]) {
        if b.file_name().is_none_or(|n| n != "main.bicep") {
            continue;
        }
        let j = b.with_extension("json");
        if !j.is_file() {
            continue;
        }
        pairs += 1;
        let read = |p: &Path| {
            let t = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
            t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t)
        };
        let sb = SourceMap::new();
        let ob = bicep::load_root(
            &b,
            "main.bicep",
            &read(&b),
            None,
            UnitId(0),
            &sb,
            &opts,
            None,
        );
        let sj = SourceMap::new();
        let oj = arm::load_template(&j, "main.json", &read(&j), UnitId(0), &sj, &opts);
        let (mb, mj) = (shape(&ob.model), shape(&oj.model));
        if let Ok(dump) = std::env::var("BICEP_PARITY_DUMP")
            && b.to_string_lossy().contains(&dump)
        {
            std::fs::write("/tmp/parity-bicep.txt", &mb).unwrap();
            std::fs::write("/tmp/parity-json.txt", &mj).unwrap();
        }
        let nonempty = mj != shape(&agwlint::model::Model::default());
        if nonempty {
            with_resources += 1;
        }
        // Resource order differs between a .bicep and its compiled JSON, and the compiler
        // normalises the case of types: compare lines as a sorted, lower-cased multiset.
        let sorted = |t: &str| {
            let mut v: Vec<String> = t.lines().map(|l| l.trim().to_ascii_lowercase()).collect();
            v.sort();
            v
        };
        if sorted(&mb) == sorted(&mj) && ob.diagnostics.is_empty() {
            same += 1;
            same_nonempty += usize::from(nonempty);
        } else {
            let first = mb
                .lines()
                .zip(mj.lines())
                .find(|(x, y)| x != y)
                .map_or_else(
                    || format!("lengths {} vs {}", mb.len(), mj.len()),
                    |(x, y)| format!("bicep `{}` vs json `{}`", x.trim(), y.trim()),
                );
            let diag = ob
                .diagnostics
                .first()
                .map_or(String::new(), |d| d.message.clone());
            println!("DIFF {}: {first} {diag}", b.display());
        }
    }
    println!(
        "{pairs} pairs, {same} models equal; of the {with_resources} whose JSON model is not empty, {same_nonempty} equal"
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().expect("usage: bicep_measure parse|parity DIR");
    let dir = args.next().expect("usage: bicep_measure parse|parity DIR");
    match mode.as_str() {
        "parse" => parse(&dir),
        "parity" => parity(&dir),
        _ => panic!("unknown mode {mode}"),
    }
}
