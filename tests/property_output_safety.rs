//! End to end: a template whose resource names, property values, comments and file name carry
//! terminal escapes, CR/LF, `%`, `,`, `:`, `<`, `&`, `]]>` and other control characters is
//! linted, and every output format stays safe: no raw ESC in human/compact/github, valid JSON
//! and SARIF that round-trip the names, well-formed XML 1.0 JUnit, one GitHub line per finding.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use agwlint::finding::Severity;
use agwlint::report::{Format, RenderOptions, render};
use agwlint::source::SourceMap;
use agwlint::{LintOptions, Report, lint};

/// The hostile name as JSON string content (escaped) and as the text it decodes to.
const HOSTILE_JSON: &str = r"agw\u001b[31mRED\u001b]0;pwned\u0007\r\n::error::forged %25 , : < & ]]> \u0000\u0008\u000b\u007f\u009b\u202e x";
const HOSTILE: &str = "agw\u{1b}[31mRED\u{1b}]0;pwned\u{7}\r\n::error::forged %25 , : < & ]]> \u{0}\u{8}\u{b}\u{7f}\u{9b}\u{202e} x";

fn template(base: &str) -> String {
    let t = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("testdata/rules/{base}/fail.json")),
    )
    .unwrap();
    assert!(
        t.contains("\"agw-demo\"") && t.contains("\"pool-1\""),
        "{base} fixture changed"
    );
    // Raw control bytes in a comment reach the human format's source snippet.
    t.replacen(
        "\"resources\": [",
        "// \u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31m raw <&]]> \r\n  \"resources\": [",
        1,
    )
    .replace("\"agw-demo\"", &format!("\"{HOSTILE_JSON}\""))
    .replace("\"pool-1\"", &format!("\"pool{HOSTILE_JSON}\""))
}

fn lint_hostile() -> (Report, SourceMap) {
    // One directory per call: the tests run in parallel and each rebuilds it.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("agwlint-prop-safety-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for base in ["AGW001", "AGW006", "AGW023"] {
        std::fs::write(dir.join(format!("{base}.json")), template(base)).unwrap();
    }
    // A broken template with a hostile file name: AGW000 whose path carries the escapes.
    #[cfg(unix)]
    std::fs::write(
        dir.join("bad\u{1b}[31m,%0A:<&]]>\r\n.json"),
        "{ \"$schema\": \"deploymentTemplate.json\", \"resources\": [",
    )
    .unwrap();
    let sources = SourceMap::new();
    let report = lint(&[dir], &LintOptions::default(), &sources).unwrap();
    (report, sources)
}

fn opts(color: bool) -> RenderOptions {
    RenderOptions {
        color,
        width: Some(120),
        fail_on: Some(Severity::Warning),
    }
}

#[test]
fn the_hostile_names_reach_the_findings() {
    let (report, sources) = lint_hostile();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    for r in ["AGW001", "AGW023", "AGW000"] {
        assert!(rules.contains(&r), "{rules:?}");
    }
    assert!(
        report.findings.iter().any(|f| f.message.contains(HOSTILE)),
        "no message names the hostile gateway: {:#?}",
        report
            .findings
            .iter()
            .map(|f| &f.message)
            .collect::<Vec<_>>()
    );
    #[cfg(unix)]
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "AGW000" && sources.path(f.primary.file).contains('\u{1b}')),
        "{rules:?}"
    );
}

#[test]
fn terminal_formats_carry_no_raw_escapes() {
    let (report, sources) = lint_hostile();
    for (format, color) in [
        (Format::Human, false),
        (Format::Human, true),
        (Format::Compact, false),
        (Format::Github, false),
    ] {
        let out = render(&report, &sources, format, opts(color));
        assert!(!out.is_empty());
        for bad in [
            "\u{1b}]",
            "\u{1b}[31mRED",
            "\u{1b}[2J",
            "\u{7}",
            "\u{0}",
            "\u{9b}",
            "\u{202e}",
            "\u{8}",
        ] {
            assert!(
                !out.contains(bad),
                "{format:?} (color {color}) prints {bad:?} raw:\n{out}"
            );
        }
        if !color {
            assert!(!out.contains('\u{1b}'), "{format:?} prints ESC:\n{out}");
        }
        // A lone CR would let a name overwrite the start of the line on a terminal.
        let lone_cr = out
            .char_indices()
            .any(|(i, c)| c == '\r' && !out[i + 1..].starts_with('\n'));
        assert!(!lone_cr, "{format:?} prints a lone CR");
    }
}

#[test]
fn compact_and_github_print_one_line_per_finding() {
    let (report, sources) = lint_hostile();
    for format in [Format::Compact, Format::Github] {
        let out = render(&report, &sources, format, opts(false));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), report.findings.len(), "{format:?}:\n{out}");
        if format == Format::Github {
            for line in &lines {
                assert!(
                    line.starts_with("::error ")
                        || line.starts_with("::warning ")
                        || line.starts_with("::notice "),
                    "{line}"
                );
                let (props, _) = line.split_once(' ').unwrap().1.split_once("::").unwrap();
                for kv in props.split(',') {
                    let (_, v) = kv.split_once('=').unwrap();
                    assert!(!v.contains(':') && !v.contains(','), "{line}");
                }
                // The runner reads commands at line starts only: the forged one stays inside
                // the message, after the escaped CR LF.
                assert!(
                    !line.starts_with("::error::forged"),
                    "forged command: {line}"
                );
                if line.contains("::error::forged") {
                    assert!(line.contains("%0D%0A::error::forged %2525"), "{line}");
                }
            }
        }
    }
}

#[test]
fn json_and_sarif_are_valid_and_keep_the_names() {
    let (report, sources) = lint_hostile();
    let json: serde_json::Value =
        serde_json::from_str(&render(&report, &sources, Format::Json, opts(false))).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), report.findings.len());
    assert!(
        diags
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains(HOSTILE)),
        "JSON must carry the exact text (escaped by JSON, not altered)"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&render(&report, &sources, Format::Sarif, opts(false))).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
}

#[test]
fn junit_is_well_formed_xml() {
    let (report, sources) = lint_hostile();
    let out = render(&report, &sources, Format::Junit, opts(false));
    if let Err(e) = xml::check(&out) {
        panic!("JUnit is not well-formed XML 1.0: {e}\n{out}");
    }
    assert!(
        out.contains("<testsuites") || out.contains("<testsuite"),
        "{out}"
    );
}

/// A minimal, strict XML 1.0 well-formedness checker: legal characters only, balanced and
/// properly nested elements, quoted attributes without `<`, known or numeric entities only
/// (numeric ones must name legal characters), no `]]>` in text, comments and CDATA closed.
#[allow(clippy::manual_strip)]
mod xml {
    fn legal(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    }

    fn entity(s: &str) -> Result<usize, String> {
        let end = s.find(';').ok_or("unterminated entity")?;
        let name = &s[1..end];
        let ok = match name {
            "amp" | "lt" | "gt" | "quot" | "apos" => true,
            n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32)
                .is_some_and(legal),
            n if n.starts_with('#') => n[1..]
                .parse::<u32>()
                .ok()
                .and_then(char::from_u32)
                .is_some_and(legal),
            _ => false,
        };
        if ok {
            Ok(end + 1)
        } else {
            Err(format!("bad entity &{name};"))
        }
    }

    fn is_name_char(c: char) -> bool {
        c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')
    }

    pub fn check(doc: &str) -> Result<(), String> {
        if let Some(c) = doc.chars().find(|c| !legal(*c)) {
            return Err(format!("illegal character {c:?}"));
        }
        let mut stack: Vec<String> = Vec::new();
        let mut i = 0;
        let b = doc.as_bytes();
        let mut roots = 0;
        while i < b.len() {
            let rest = &doc[i..];
            if rest.starts_with("<?") {
                i += rest.find("?>").ok_or("unterminated <?")? + 2;
            } else if rest.starts_with("<!--") {
                let end = rest[4..].find("-->").ok_or("unterminated comment")?;
                if rest[4..4 + end].contains("--") {
                    return Err("`--` in a comment".into());
                }
                i += 4 + end + 3;
            } else if rest.starts_with("<![CDATA[") {
                if stack.is_empty() {
                    return Err("CDATA outside the root".into());
                }
                i += 9 + rest[9..].find("]]>").ok_or("unterminated CDATA")? + 3;
            } else if rest.starts_with("</") {
                let end = rest.find('>').ok_or("unterminated end tag")?;
                let name = rest[2..end].trim_end();
                match stack.pop() {
                    Some(open) if open == name => {}
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
                i += end + 1;
            } else if rest.starts_with('<') {
                // Start tag: name, attributes `k="v"` / `k='v'`, optional `/`.
                let mut j = 1;
                let name_len = rest[1..]
                    .find(|c: char| !is_name_char(c))
                    .ok_or("unterminated tag")?;
                if name_len == 0 {
                    return Err(format!("bad tag at {i}"));
                }
                let name = rest[1..1 + name_len].to_string();
                j += name_len;
                let mut attrs: Vec<String> = Vec::new();
                loop {
                    let r = &rest[j..];
                    let t = r.trim_start();
                    j += r.len() - t.len();
                    if let Some(t2) = t.strip_prefix("/>") {
                        let _ = t2;
                        j += 2;
                        if stack.is_empty() {
                            roots += 1;
                        }
                        break;
                    }
                    if t.starts_with('>') {
                        j += 1;
                        if stack.is_empty() {
                            roots += 1;
                        }
                        stack.push(name.clone());
                        break;
                    }
                    let an = t
                        .find(|c: char| !is_name_char(c))
                        .ok_or("unterminated attribute")?;
                    if an == 0 {
                        return Err(format!(
                            "bad attribute in <{name}>: {:?}",
                            &t[..t.len().min(20)]
                        ));
                    }
                    let key = t[..an].to_string();
                    if attrs.contains(&key) {
                        return Err(format!("duplicate attribute {key}"));
                    }
                    attrs.push(key);
                    let after = t[an..].trim_start();
                    let after = after
                        .strip_prefix('=')
                        .ok_or("attribute without =")?
                        .trim_start();
                    let q = after.chars().next().ok_or("attribute without value")?;
                    if q != '"' && q != '\'' {
                        return Err("unquoted attribute".into());
                    }
                    let vend = after[1..].find(q).ok_or("unterminated attribute value")?;
                    let v = &after[1..1 + vend];
                    if v.contains('<') {
                        return Err("`<` in an attribute value".into());
                    }
                    let mut k = 0;
                    while let Some(a) = v[k..].find('&') {
                        k += a;
                        k += entity(&v[k..])?;
                    }
                    j += t.len() - after.len() + 1 + vend + 1;
                }
                i += j;
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                let text = &rest[..end];
                if stack.is_empty() && !text.trim().is_empty() {
                    return Err(format!("text outside the root: {text:?}"));
                }
                if text.contains("]]>") {
                    return Err("`]]>` in text".into());
                }
                let mut k = 0;
                while let Some(a) = text[k..].find('&') {
                    k += a;
                    k += entity(&text[k..])?;
                }
                i += end;
            }
        }
        if !stack.is_empty() {
            return Err(format!("unclosed {stack:?}"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    #[test]
    fn the_checker_rejects_what_it_should() {
        assert!(check("<a b=\"1\"><c/>x &amp; y<![CDATA[ < ]]></a>").is_ok());
        for bad in [
            "<a>\u{1b}</a>",
            "<a>&#27;</a>",
            "<a>&#x0;</a>",
            "<a><b></a></b>",
            "<a b=\"<\"/>",
            "<a>]]></a>",
            "<a>&nbsp;</a>",
            "<a/><b/>",
            "<a>",
            "<a>x & y</a>",
            "<a b=1/>",
        ] {
            assert!(check(bad).is_err(), "{bad:?} accepted");
        }
    }
}
