//! The Bicep twins of the ARM rule fixtures (`testdata/rules/AGWnnn/<case>.bicep`, written by
//! scripts/arm2bicep.py from `<case>.json`): each gives the same rule IDs as its JSON twin, a
//! `fail*` twin fires its rule, a `pass*` twin does not, none has a parse error, and each finding
//! located at a `key: value` in JSON is at the same property key in Bicep.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use agwlint::{LintOptions, lint, source::SourceMap};

/// A finding of a fixture: rule, resource, property path, and the property key its primary
/// location is written at (`None` when it is not at a `key: value`).
type Located = (String, String, String, Option<String>);

fn lint_fixture(path: &Path) -> (BTreeSet<String>, Vec<Located>) {
    let sources = SourceMap::new();
    let report = lint(&[path.to_path_buf()], &LintOptions::default(), &sources).unwrap();
    let ids = report.findings.iter().map(|f| f.rule.to_string()).collect();
    let located = report
        .findings
        .iter()
        .map(|f| {
            let key = sources
                .get(f.primary.file)
                .and_then(|file| key_at(&file.text, f.primary.start as usize).map(str::to_string));
            (
                f.rule.to_string(),
                f.resource.clone().unwrap_or_default(),
                f.property.clone().unwrap_or_default(),
                key,
            )
        })
        .collect();
    (ids, located)
}

/// The key of the `key: value` (JSON `"key": value`) that a location at byte `at` is part of:
/// the key written at `at`, or the one just before `at` on its line.
fn key_at(text: &str, at: usize) -> Option<&str> {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let rest = &text[at.min(text.len())..];
    // The location is the key itself.
    if let Some(k) = leading_key(rest) {
        return Some(k);
    }
    // The location is a value: the key before it on the line.
    let before = text[line_start..at.min(text.len())].trim_end();
    let before = before.strip_suffix(':')?.trim_end();
    let quoted = before.ends_with(['"', '\'']);
    let body = if quoted {
        &before[..before.len() - 1]
    } else {
        before
    };
    let start = body
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '$'))
        .map_or(0, |i| i + 1);
    let key = &body[start..];
    (!key.is_empty()).then_some(key)
}

/// `key:` / `"key":` / `'key':` at the start of `s`.
fn leading_key(s: &str) -> Option<&str> {
    let (key, rest) = match s.chars().next()? {
        q @ ('"' | '\'') => {
            let end = s[1..].find(q)? + 1;
            (&s[1..end], &s[end + 1..])
        }
        _ => {
            let end = s
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(s.len());
            (&s[..end], &s[end..])
        }
    };
    (!key.is_empty() && rest.trim_start().starts_with(':')).then_some(key)
}

fn twins() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        let rule = dir.file_name().to_string_lossy().to_string();
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let p = f.path();
            if p.extension().is_some_and(|e| e == "bicep") {
                out.push((rule.clone(), p));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn bicep_twins_give_the_rule_ids_of_their_json_templates() {
    let twins = twins();
    assert!(twins.len() >= 100, "only {} Bicep twins", twins.len());
    let mut problems = Vec::new();
    let mut same_key = 0;
    let mut not_at_key = Vec::new();
    for (rule, bicep) in &twins {
        let name = bicep.file_name().unwrap().to_string_lossy().to_string();
        let (got, got_at) = lint_fixture(bicep);
        let (want, want_at) = lint_fixture(&bicep.with_extension("json"));
        // The same finding (rule, resource, property) is written at the same property key in
        // both, wherever both are at a `key: value`.
        for (rule_id, res, prop, key) in &want_at {
            let Some(jk) = key else { continue };
            let twin = got_at
                .iter()
                .find(|(r, re, p, _)| r == rule_id && re == res && p == prop);
            match twin {
                Some((_, _, _, Some(bk))) if bk.eq_ignore_ascii_case(jk) => same_key += 1,
                Some((_, _, _, Some(bk))) => problems.push(format!(
                    "{rule}/{name}: {rule_id} {prop} at `{bk}:`, JSON twin at `{jk}:`"
                )),
                Some((_, _, _, None)) => not_at_key.push(format!("{rule}/{name} {rule_id} {prop}")),
                None => {}
            }
        }
        if got.contains("AGW000") {
            problems.push(format!("{rule}/{name}: parse error"));
        } else if got != want {
            problems.push(format!("{rule}/{name}: {got:?}, JSON twin {want:?}"));
        } else if name.starts_with("fail") && !got.contains(rule) {
            problems.push(format!("{rule}/{name}: {rule} does not fire"));
        } else if name.starts_with("pass") && got.contains(rule) {
            problems.push(format!("{rule}/{name}: {rule} fires"));
        }
    }
    eprintln!(
        "{} Bicep twins, {} differ from their JSON twin; {same_key} findings at the same \
         property key as in JSON, {} at a key in JSON but not in Bicep: {not_at_key:?}",
        twins.len(),
        problems.len(),
        not_at_key.len()
    );
    // The line check is not vacuous: most findings are located at a property.
    assert!(same_key >= 200, "only {same_key} findings compared by line");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
