//! Untrusted text in every output: GitHub workflow-command escaping, no terminal escapes in the
//! human / compact / github formats, XML-legal JUnit, stable SARIF fingerprints and UTF-16
//! columns.

// Helpers outside #[test] functions unwrap too: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/report_fixture.rs"]
mod fixture;

use agwlint::Report;
use agwlint::finding::Severity;
use agwlint::report::text::{escape_controls, is_unsafe};
use agwlint::report::{Format, RenderOptions, render, sarif};
use agwlint::source::{SourceMap, Span};

fn plain() -> RenderOptions {
    RenderOptions {
        color: false,
        width: Some(100),
        fail_on: Some(Severity::Warning),
    }
}

/// Decodes a GitHub property value or message (the inverse of actions/toolkit's escaping).
fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn github_lines_parse_back_to_the_original_text() {
    let (report, sources) = fixture::synthetic();
    let out = render(&report, &sources, Format::Github, plain());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), report.findings.len(), "{out}");
    for (line, f) in lines.iter().zip(&report.findings) {
        assert!(!line.contains('\r'));
        let rest = line.strip_prefix("::").unwrap();
        let (cmd, rest) = rest.split_once(' ').unwrap();
        let want_cmd = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        assert_eq!(cmd, want_cmd);
        // The runner splits at the first `::`; properties may not contain one.
        let (props, message) = rest.split_once("::").unwrap();
        let pairs: Vec<(&str, &str)> = props
            .split(',')
            .map(|kv| kv.split_once('=').unwrap())
            .collect();
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            ["file", "line", "col", "endLine", "endColumn", "title"],
            "{line}"
        );
        for (_, v) in &pairs {
            assert!(!v.contains(':') && !v.contains(','), "{line}");
        }
        let (start, end) = sources.span_lines(&f.primary).unwrap();
        assert_eq!(pairs[0].1, sources.path(f.primary.file));
        assert_eq!(pairs[1].1, start.line.to_string());
        assert_eq!(pairs[2].1, start.column.to_string());
        assert_eq!(pairs[3].1, end.line.to_string());
        assert_eq!(pairs[4].1, end.column.to_string());
        assert_eq!(unescape(pairs[5].1), format!("{} {}", f.rule, f.name));
        let mut want = f.message.clone();
        if let Some(h) = &f.help {
            want.push_str("\nhelp: ");
            want.push_str(h);
        }
        // Control characters other than CR/LF are shown as visible escapes.
        let want: String = want
            .split('\r')
            .map(escape_controls)
            .collect::<Vec<_>>()
            .join("\r");
        assert_eq!(unescape(message), want);
    }
}

#[test]
fn github_escapes_hostile_file_names_and_messages() {
    let sources = SourceMap::new();
    let file = sources.add("dir,with:odd%name\n.json", "{\"a\": 1}\n");
    let f = fixture::meta("AGW006").finding(
        "pool \"p,1:2\" 100% empty\r\nsecond line",
        Span::new(file, 1..4),
    );
    let report = Report {
        files_scanned: 1,
        findings: vec![f],
        ..Report::default()
    };
    let out = render(&report, &sources, Format::Github, plain());
    assert_eq!(
        out,
        "::error file=dir%2Cwith%3Aodd%25name%0A.json,line=1,col=2,endLine=1,endColumn=5,\
         title=AGW006 empty-backend-pool::pool \"p,1:2\" 100%25 empty%0D%0Asecond line\n"
    );
}

/// A report whose source text itself carries escapes, so miette's snippets are tested too.
fn hostile_source_report() -> (Report, SourceMap) {
    let sources = SourceMap::new();
    let text = "name = \"x\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}gnp.exe\"\nlone\rcr = 1\r\nnext = 2\n";
    let file = sources.add("evil\u{1b}[31m.tf", text);
    let start = text.find("x\u{1b}").unwrap();
    let f = fixture::meta("AGW010")
        .finding(
            format!("gateway {}", fixture::HOSTILE),
            Span::new(file, start..start + 12),
        )
        .label(fixture::HOSTILE)
        .help(fixture::HOSTILE)
        .related(
            Span::new(file, text.find("cr").unwrap()..text.find("cr").unwrap() + 2),
            fixture::HOSTILE,
        );
    let report = Report {
        files_scanned: 1,
        findings: vec![f],
        ..Report::default()
    };
    (report, sources)
}

#[test]
fn no_terminal_escapes_reach_any_format() {
    let (fixture_report, fixture_sources) = fixture::synthetic();
    let (hostile, hostile_sources) = hostile_source_report();
    for (report, sources) in [
        (&fixture_report, &fixture_sources),
        (&hostile, &hostile_sources),
    ] {
        for format in [
            Format::Human,
            Format::Compact,
            Format::Github,
            Format::Junit,
            Format::Json,
            Format::Sarif,
        ] {
            let out = render(report, sources, format, plain());
            let bad: Vec<char> = out.chars().filter(|&c| is_unsafe(c) && c != '\r').collect();
            assert!(bad.is_empty(), "{format:?} leaks {bad:?}:\n{out}");
            if format != Format::Human {
                assert!(!out.contains('\r'), "{format:?} leaks a raw CR");
            }
        }
        // With colour, the only escapes are miette's own SGR colour codes: no OSC (title,
        // hyperlink), no C1, no CSI other than `ESC [ ... m`.
        let coloured = render(
            report,
            sources,
            Format::Human,
            RenderOptions {
                color: true,
                ..plain()
            },
        );
        assert!(coloured.contains('\u{1b}'), "colour was asked for");
        for (i, _) in coloured.match_indices('\u{1b}') {
            let seq: String = coloured[i + 1..].chars().take(20).collect();
            let body = seq
                .strip_prefix('[')
                .unwrap_or_else(|| panic!("non-CSI escape {seq:?}"));
            let end = body
                .find(|c: char| !(c.is_ascii_digit() || c == ';'))
                .unwrap();
            assert_eq!(&body[end..=end], "m", "non-SGR escape {seq:?}");
        }
        assert!(!coloured.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)));
    }
}

#[test]
fn human_snippet_shows_neutralized_source_at_the_right_column() {
    let (report, sources) = hostile_source_report();
    let out = render(&report, &sources, Format::Human, plain());
    assert!(out.contains("x?]0;pwned??[2J??31m???gnp.exe"), "{out}");
    assert!(out.contains("evil\\x1b[31m.tf:1:9"), "{out}");
    assert!(out.contains("lone?cr = 1"), "{out}");
    assert!(
        out.ends_with("1 error in 1 file (1 file linted)\n"),
        "{out}"
    );
}

#[test]
fn compact_is_one_line_per_finding() {
    let (report, sources) = fixture::synthetic();
    let out = render(&report, &sources, Format::Compact, plain());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), report.findings.len());
    for (line, f) in lines.iter().zip(&report.findings) {
        let (start, _) = sources.span_lines(&f.primary).unwrap();
        let prefix = format!(
            "{}:{}:{}: {} {} ",
            sources.path(f.primary.file),
            start.line,
            start.column,
            f.severity,
            f.rule
        );
        assert!(line.starts_with(&prefix), "{line}");
    }
}

fn xml_legal(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[test]
fn junit_is_xml_legal_and_follows_fail_on() {
    let (report, sources) = fixture::synthetic();
    let counts = |fail_on: Option<Severity>| {
        let out = render(
            &report,
            &sources,
            Format::Junit,
            RenderOptions { fail_on, ..plain() },
        );
        assert!(out.chars().all(xml_legal));
        assert!(!out.contains("\u{1b}"));
        let head = out.lines().nth(1).unwrap().to_string();
        (head, out.matches("<failure ").count())
    };
    // Six findings in five rule × file pairs... the fixture has AGW010 twice in different files.
    let (head, failures) = counts(Some(Severity::Warning));
    assert!(head.contains("tests=\"6\" failures=\"5\""), "{head}");
    assert_eq!(failures, 5);
    assert_eq!(counts(Some(Severity::Info)).1, 6);
    assert_eq!(counts(Some(Severity::Error)).1, 4);
    assert_eq!(counts(None).1, 0);
}

#[test]
fn sarif_fingerprints_survive_line_moves_and_columns_are_utf16() {
    let build = |prefix: &str| {
        let sources = SourceMap::new();
        let text = format!("{prefix}name = \"agw-😀-edge\"\n");
        let file = sources.add("main.tf", &text);
        let at = text.find("edge").unwrap();
        let f = fixture::meta("AGW023")
            .finding("x", Span::new(file, at..at + 4))
            .property("name");
        let f = fixture::ResourceLabel::resource_label(f, "azurerm_application_gateway.gw");
        (f, sources)
    };
    let (a, sa) = build("");
    let (b, sb) = build("# a comment\n\n");
    assert_eq!(sarif::fingerprint(&a, &sa), sarif::fingerprint(&b, &sb));
    let other = a.clone().property("sku.name");
    assert_ne!(sarif::fingerprint(&a, &sa), sarif::fingerprint(&other, &sa));

    let report = Report {
        files_scanned: 1,
        findings: vec![b],
        ..Report::default()
    };
    let doc: serde_json::Value =
        serde_json::from_str(&render(&report, &sb, Format::Sarif, plain())).unwrap();
    let region = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    // "name = \"agw-😀-" is 14 characters but 15 UTF-16 units: `edge` starts at unit 16.
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], 16);
    assert_eq!(region["endColumn"], 20);
}

#[test]
fn sarif_declares_every_registered_rule() {
    let (report, sources) = fixture::synthetic();
    let doc: serde_json::Value =
        serde_json::from_str(&render(&report, &sources, Format::Sarif, plain())).unwrap();
    let run = &doc["runs"][0];
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let metas = agwlint::rules::all_meta();
    assert_eq!(rules.len(), metas.len());
    // AGW000, AGW900 and AGW901 are reported by the front-ends and the suppression pass, not
    // rules.
    assert_eq!(rules.len(), agwlint::rules::REGISTRY.len() + 3);
    for (r, m) in rules.iter().zip(&metas) {
        assert_eq!(r["id"], m.id);
        assert_eq!(r["name"], m.name);
        assert_ne!(r["name"], r["id"]);
        assert_eq!(r["shortDescription"]["text"], m.summary);
        assert_eq!(r["helpUri"], m.url());
        assert!(!r["help"]["markdown"].as_str().unwrap().is_empty());
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert_eq!(level, sarif::level(m.severity));
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
    for (res, f) in results.iter().zip(&report.findings) {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], f.rule);
        assert_eq!(res["ruleId"], f.rule);
        assert_eq!(res["level"], sarif::level(f.severity));
        assert_eq!(
            res["relatedLocations"].as_array().map_or(0, Vec::len),
            f.related.len()
        );
        let fp = res["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert!(fp.starts_with(&sarif::fingerprint(f, &sources)));
    }
}
