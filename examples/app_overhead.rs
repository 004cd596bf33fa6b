//! What reading the Function App code (`src/frontend/app/`) adds to a repository scan.
//!
//! For every repository directory given, runs `agwlint::lint` on it in this process with the
//! app code (the default) and without it (`FrontendOptions::skip_app_code`), in paired,
//! interleaved repetitions (the order inside a pair alternates, after one warm-up pair), and
//! prints per repository the median wall time and the median CPU time (user + system of every
//! thread of the process, from `/proc/self/task/*/schedstat`, Linux only; elsewhere CPU is
//! printed as 0) of each variant and the overhead `with / without - 1` of the medians. The last
//! line sums the medians over the repositories. Also printed per repository, from the run with
//! the code: the projects linked, HTTP functions read and the code-based findings (AGW056-058,
//! AGW014), which the `--verbose` notes and `agwlint lint` show in full.
//!
//! Process start and output rendering are not timed (they are the same in both variants), so
//! the percentages are relative to the linting alone: pessimistic against the wall time a user
//! sees.
//!
//! `--single with|without DIR...` lints each directory once in that variant and prints
//! nothing: for instruction counts, which the load of a shared machine does not change
//! (`valgrind --tool=callgrind target/release/examples/app_overhead --single with DIR`, then
//! `without`; the difference is the code's cost, process start included in both).
//!
//! usage: cargo run --release --example app_overhead -- [--reps N] DIR...

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use agwlint::LintOptions;
use agwlint::source::SourceMap;

/// CPU time of every thread of this process (the rayon pool lives across runs), in ns.
fn cpu_ns() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    dir.flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

struct Run {
    wall: Duration,
    cpu_ns: u64,
    report: agwlint::Report,
}

fn run(dir: &PathBuf, skip: bool) -> Run {
    let mut opts = LintOptions::default();
    opts.frontend.skip_app_code = skip;
    let sources = SourceMap::new();
    let c0 = cpu_ns();
    let t0 = Instant::now();
    let report = agwlint::lint(std::slice::from_ref(dir), &opts, &sources)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let wall = t0.elapsed();
    let cpu_ns = cpu_ns().saturating_sub(c0);
    Run {
        wall,
        cpu_ns,
        report,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn pct(with: f64, without: f64) -> f64 {
    if without > 0.0 {
        (with / without - 1.0) * 100.0
    } else {
        0.0
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut reps = 15usize;
    if let Some(i) = args.iter().position(|a| a == "--reps") {
        reps = args[i + 1].parse().expect("--reps N");
        args.drain(i..=i + 1);
    }
    if let Some(i) = args.iter().position(|a| a == "--single") {
        let skip = match args[i + 1].as_str() {
            "with" => false,
            "without" => true,
            other => panic!("--single with|without, not {other}"),
        };
        args.drain(i..=i + 1);
        for a in &args {
            run(&PathBuf::from(a), skip);
        }
        return;
    }
    assert!(
        !args.is_empty(),
        "usage: app_overhead [--reps N] DIR... | --single with|without DIR..."
    );
    println!(
        "| repository | files | linked | HTTP functions | code findings | wall ms without | wall ms with | wall % | CPU ms without | CPU ms with | CPU % |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut sums = [0.0f64; 4];
    let mut over = 0usize;
    for a in &args {
        let dir = PathBuf::from(a);
        // Warm-up pair (page cache, rayon pool, grammar tables).
        let first = run(&dir, false);
        run(&dir, true);
        let mut w = (Vec::new(), Vec::new());
        let mut c = (Vec::new(), Vec::new());
        for i in 0..reps {
            let order = if i % 2 == 0 {
                [false, true]
            } else {
                [true, false]
            };
            for skip in order {
                let r = run(&dir, skip);
                let ms = r.wall.as_secs_f64() * 1e3;
                let cpu = r.cpu_ns as f64 / 1e6;
                if skip {
                    w.1.push(ms);
                    c.1.push(cpu);
                } else {
                    w.0.push(ms);
                    c.0.push(cpu);
                }
            }
        }
        let m = [median(w.1), median(w.0), median(c.1), median(c.0)];
        for (s, x) in sums.iter_mut().zip(m) {
            *s += x;
        }
        let linked = first
            .report
            .notes
            .iter()
            .filter(|n| n.contains("HTTP function(s) linked to site"))
            .count();
        let functions: usize = first
            .report
            .notes
            .iter()
            .filter(|n| n.contains("HTTP function(s) linked to site"))
            .filter_map(|n| {
                let (_, tail) = n.split_once(": ")?;
                tail.split_whitespace().next()?.parse::<usize>().ok()
            })
            .sum();
        let code = first
            .report
            .findings
            .iter()
            .filter(|f| matches!(f.rule, "AGW056" | "AGW057" | "AGW058" | "AGW014"))
            .count();
        if pct(m[1], m[0]) >= 20.0 {
            over += 1;
        }
        let name = dir
            .file_name()
            .map_or_else(|| a.clone(), |n| n.to_string_lossy().into_owned());
        println!(
            "| {name} | {} | {linked} | {functions} | {code} | {:.2} | {:.2} | {:+.1} | {:.2} | {:.2} | {:+.1} |",
            first.report.files_scanned,
            m[0],
            m[1],
            pct(m[1], m[0]),
            m[2],
            m[3],
            pct(m[3], m[2]),
        );
    }
    println!(
        "| **sum of medians** ({} repositories, {reps} pairs each) | | | | | {:.2} | {:.2} | {:+.1} | {:.2} | {:.2} | {:+.1} |",
        args.len(),
        sums[0],
        sums[1],
        pct(sums[1], sums[0]),
        sums[2],
        sums[3],
        pct(sums[3], sums[2]),
    );
    println!(
        "{over} of {} repositories at or over +20 % wall",
        args.len()
    );
}
