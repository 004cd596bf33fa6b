//! The ARM rule fixtures: `fail.json` triggers exactly its rule, `pass.json` never does; the
//! example infrastructure shows one finding of each of the four rules.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use agwlint::{LintOptions, lint, source::SourceMap};

fn findings(path: &Path) -> Vec<(String, usize)> {
    let sources = SourceMap::new();
    let report = lint(&[path.to_path_buf()], &LintOptions::default(), &sources).unwrap();
    report
        .findings
        .iter()
        .map(|f| {
            let file = sources.get(f.primary.file).unwrap();
            (
                f.rule.to_string(),
                file.line_col(f.primary.start as usize).line,
            )
        })
        .collect()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fail_fixtures_trigger_exactly_their_rule_and_pass_fixtures_never_do() {
    // (rule, line of the offending value in fail.json)
    let cases = [
        ("AGW001", 71),
        ("AGW006", 95),
        ("AGW010", 153),
        ("AGW023", 135),
    ];
    for (rule, line) in cases {
        let dir = root().join("testdata/rules").join(rule);
        let fail = findings(&dir.join("fail.json"));
        assert_eq!(fail, [(rule.to_string(), line)], "{rule}/fail.json");
        let pass = findings(&dir.join("pass.json"));
        assert!(
            pass.iter().all(|(r, _)| r != rule),
            "{rule}/pass.json: {pass:?}"
        );
    }
}

#[test]
fn example_infrastructure_shows_its_502_causes() {
    let mut rules: Vec<String> = findings(&root().join("testdata/examples/arm"))
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    rules.sort();
    rules.dedup();
    // The four skeleton causes, plus what the full catalogue finds in the same example: the
    // probe that takes its host from settings that have none (AGW016), the access restriction
    // naming a subnet without the Microsoft.Web service endpoint (AGW038), the legacy gateway's
    // missing logs (AGW044), and the WAF note (AGW045). The legacy gateway has no `sslPolicy`
    // on an old api-version, but only HTTP listeners, so AGW043 rightly stays silent.
    assert_eq!(
        rules,
        [
            "AGW001", "AGW006", "AGW010", "AGW016", "AGW023", "AGW038", "AGW044", "AGW045"
        ]
    );
}
