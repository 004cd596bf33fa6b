//! Shared by the property tests: a deterministic generator, mutations, and the checks that a
//! lint of hostile input ends (within a time bound) with findings or AGW000, never a panic.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use agwlint::frontend::arm;
use agwlint::model::{Model, UnitId};
use agwlint::report::{Format, RenderOptions, render};
use agwlint::source::SourceMap;
use agwlint::{LintOptions, Report, config, sort_and_dedup};

/// xorshift64*: deterministic, so a failure names a reproducible case.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn tok(&mut self, items: &[&'static str]) -> &'static str {
        let i = self.below(items.len());
        items[i]
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len());
        &items[i]
    }
}

/// One random mutation of `input`: truncate, flip bytes, duplicate or delete a span, insert
/// a token.
pub fn mutate(input: &[u8], rng: &mut Rng, tokens: &[&str]) -> Vec<u8> {
    let mut v = input.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = v.len().max(1);
        match rng.below(6) {
            0 => v.truncate(rng.below(len)),
            1 => {
                for _ in 0..1 + rng.below(8) {
                    if !v.is_empty() {
                        let i = rng.below(v.len());
                        v[i] ^= 1 << rng.below(8);
                    }
                }
            }
            2 if !v.is_empty() => {
                let a = rng.below(v.len());
                let b = (a + 1 + rng.below(256)).min(v.len());
                let span = v[a..b].to_vec();
                let at = rng.below(v.len() + 1);
                for _ in 0..1 + rng.below(3) {
                    v.splice(at..at, span.iter().copied());
                }
            }
            3 if !v.is_empty() => {
                let a = rng.below(v.len());
                let b = (a + 1 + rng.below(64)).min(v.len());
                v.drain(a..b);
            }
            4 => {
                let t = rng.pick(tokens).as_bytes().to_vec();
                let at = rng.below(v.len() + 1);
                v.splice(at..at, t);
            }
            _ => {
                let at = rng.below(v.len() + 1);
                let n = 1 + rng.below(8);
                let junk = rng.bytes(n);
                v.splice(at..at, junk);
            }
        }
    }
    v
}

/// Runs `f` on a thread with a large stack (as the CLI's rayon pool has) and fails the test
/// when it panics or takes longer than `limit`.
pub fn bounded<T: Send + 'static>(
    what: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    match rx.recv_timeout(limit) {
        Ok(v) => {
            let _ = handle.join();
            v
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: did not finish within {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let _ = handle.join();
            panic!("{what}: panicked")
        }
    }
}

/// Every output format renders, and machine formats stay well-formed.
pub fn render_all(report: &Report, sources: &SourceMap) {
    for f in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Compact,
    ] {
        let out = render(report, sources, f, RenderOptions::default());
        if matches!(f, Format::Json | Format::Sarif) {
            serde_json::from_str::<serde_json::Value>(&out).unwrap();
        }
    }
}

/// Lints ARM text in memory (front-end, rules, reporters) and returns the rules reported.
pub fn lint_arm_text(text: &str) -> Vec<String> {
    let sources = SourceMap::new();
    let opts = LintOptions::default();
    if !arm::looks_like_template(text) {
        return Vec::new();
    }
    let unit = arm::load_template(
        Path::new("/nonexistent-agwlint-property/t.json"),
        "t.json",
        text,
        UnitId(0),
        &sources,
        &opts.frontend,
    );
    let mut report = Report {
        files_scanned: unit.files,
        findings: unit
            .diagnostics
            .into_iter()
            .map(agwlint::diagnostic_finding)
            .collect(),
        ..Report::default()
    };
    let mut model = Model::new();
    model.extend(unit.model);
    let (found, skipped) = config::run_rules(&model, &opts);
    report.findings.extend(found);
    report.skipped_unknown += skipped;
    config::finish(&mut report, &model, &sources, &opts);
    sort_and_dedup(&mut report.findings, &sources);
    render_all(&report, &sources);
    report.findings.iter().map(|f| f.rule.to_string()).collect()
}

/// Lints paths through the public entry point; returns the rules reported.
pub fn lint_paths(paths: &[PathBuf]) -> Vec<String> {
    let sources = SourceMap::new();
    let report = agwlint::lint(paths, &LintOptions::default(), &sources).unwrap();
    render_all(&report, &sources);
    report.findings.iter().map(|f| f.rule.to_string()).collect()
}

/// A fresh scratch directory for this process and test.
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-prop-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The repository's testdata files with one of the extensions, smallest first.
pub fn testdata(ext: &str, max_bytes: u64) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext)
                && e.metadata().is_ok_and(|m| m.len() <= max_bytes)
            {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, bytes));
            }
        }
    }
    out.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.0.cmp(&b.0)));
    out
}
