//! SARIF 2.1.0, shaped for GitHub code scanning.
//!
//! Plain serde structs (tech-notes §4): only the fields GitHub and the SARIF validators read.
//! Columns are UTF-16 code units (`columnKind: utf16CodeUnits`); paths are relative URIs under
//! `%SRCROOT%`. Fingerprints hash the rule, file, resource and property path, never a line
//! number, so an alert survives edits above it.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::Report;
use crate::finding::{Finding, Severity};
use crate::rules::{RuleMeta, all_meta};
use crate::source::{SourceMap, Span};

/// The schema URI written into `$schema` (the OASIS errata 01 schema).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// SARIF `level` of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Renders the report as one SARIF 2.1.0 log with one run.
pub fn render(report: &Report, sources: &SourceMap) -> String {
    let metas = all_meta();
    let index: HashMap<&str, usize> = metas.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let results = report
        .findings
        .iter()
        .map(|f| {
            let base = fingerprint(f, sources);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            result(
                f,
                sources,
                index.get(f.rule).copied(),
                format!("{base}:{n}"),
            )
        })
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "agwlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: metas.iter().map(|m| descriptor(m)).collect(),
                },
            },
            results,
            column_kind: "utf16CodeUnits",
        }],
    };
    super::text::to_json_pretty(&log)
}

fn descriptor(m: &'static RuleMeta) -> Descriptor {
    let body = strip_front_matter(m.page);
    let mut tags = vec![
        "azure".to_string(),
        "application-gateway".to_string(),
        "502".to_string(),
    ];
    if let Some(c) = front_matter_value(m.page, "category") {
        tags.push(c.to_string());
    }
    Descriptor {
        id: m.id,
        name: m.name,
        short_description: Text {
            text: m.summary.to_string(),
        },
        full_description: Text {
            text: section_paragraph(body, "What it checks").unwrap_or_else(|| m.summary.into()),
        },
        help: Help {
            text: body.trim().to_string(),
            markdown: body.trim().to_string(),
        },
        help_uri: m.url(),
        default_configuration: Configuration {
            level: level(m.severity),
        },
        properties: RuleProperties {
            tags,
            problem_severity: match m.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "recommendation",
            },
        },
    }
}

fn result(f: &Finding, sources: &SourceMap, rule_index: Option<usize>, fp: String) -> SarifResult {
    let mut text = f.message.clone();
    if let Some(h) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("primaryLocationLineHash", fp);
    SarifResult {
        rule_id: f.rule,
        rule_index,
        level: level(f.severity),
        message: Text { text },
        locations: vec![Location {
            id: None,
            physical_location: physical(&f.primary, sources),
            message: f.primary_label.clone().map(|text| Text { text }),
        }],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| Location {
                id: Some(i + 1),
                physical_location: physical(&r.span, sources),
                message: Some(Text {
                    text: r.message.clone(),
                }),
            })
            .collect(),
        partial_fingerprints: fingerprints,
    }
}

fn physical(span: &Span, sources: &SourceMap) -> PhysicalLocation {
    let path = sources.path(span.file);
    let (uri, uri_base_id) = artifact_uri(&path);
    let region = sources.get(span.file).map(|file| {
        let (s, e) = (span.start as usize, span.end as usize);
        Region {
            start_line: file.line_col(s).line,
            start_column: file.col_utf16(s),
            end_line: file.line_col(e).line,
            end_column: file.col_utf16(e),
        }
    });
    PhysicalLocation {
        artifact_location: ArtifactLocation { uri, uri_base_id },
        region,
    }
}

/// A printed path as a SARIF URI: relative paths are relative references under `%SRCROOT%`,
/// absolute paths become `file://` URIs. Everything but unreserved characters and `/` is
/// percent-encoded, so spaces, `#`, `?`, `%` and a `:` in the first segment stay unambiguous.
pub fn artifact_uri(path: &str) -> (String, Option<&'static str>) {
    let p = path.replace('\\', "/");
    let b = p.as_bytes();
    let drive = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/';
    if drive {
        // Windows `C:/x` → `file:///C:/x`; the drive colon must stay literal.
        let (d, rest) = p.split_at(2);
        (format!("file:///{d}{}", encode(rest)), None)
    } else if p.starts_with('/') {
        (format!("file://{}", encode(&p)), None)
    } else {
        (encode(&p), Some("%SRCROOT%"))
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The stable part of a result's fingerprint: FNV-1a 64 over rule, file, resource and property
/// path. A finding without resource or property (a parse error) hashes the text at its primary
/// span instead, which also survives lines moving.
pub fn fingerprint(f: &Finding, sources: &SourceMap) -> String {
    let path = sources.path(f.primary.file);
    let logical = if f.resource.is_some() || f.property.is_some() {
        format!(
            "{}\u{0}{}",
            f.resource.as_deref().unwrap_or(""),
            f.property.as_deref().unwrap_or("")
        )
    } else {
        let snippet = sources
            .get(f.primary.file)
            .map(|file| file.slice(&f.primary).trim().to_string())
            .unwrap_or_default();
        format!("\u{1}{snippet}")
    };
    let h = fnv1a64(format!("{}\u{0}{path}\u{0}{logical}", f.rule).as_bytes());
    format!("{h:016x}")
}

/// FNV-1a, 64 bits: tiny, stable across versions and platforms.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn strip_front_matter(page: &str) -> &str {
    if let Some(rest) = page.strip_prefix("---\n")
        && let Some(end) = rest.find("\n---\n")
    {
        return &rest[end + 5..];
    }
    page
}

fn front_matter_value<'a>(page: &'a str, key: &str) -> Option<&'a str> {
    let rest = page.strip_prefix("---\n")?;
    let fm = &rest[..rest.find("\n---\n")?];
    fm.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key)
            .then(|| v.trim().trim_matches('"'))
            .filter(|v| !v.is_empty())
    })
}

/// The first paragraph under `## <title>`, joined into one line.
fn section_paragraph(body: &str, title: &str) -> Option<String> {
    let mut lines = body
        .lines()
        .skip_while(|l| l.trim() != format!("## {title}"));
    lines.next()?;
    let para: Vec<&str> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!para.is_empty()).then(|| para.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn uris() {
        assert_eq!(
            artifact_uri("infra/a b#1.json"),
            ("infra/a%20b%231.json".to_string(), Some("%SRCROOT%"))
        );
        assert_eq!(
            artifact_uri("/tmp/x.tf"),
            ("file:///tmp/x.tf".to_string(), None)
        );
        assert_eq!(
            artifact_uri("C:\\x\\y.tf"),
            ("file:///C:/x/y.tf".to_string(), None)
        );
        assert_eq!(
            artifact_uri("c:d.json"),
            ("c%3Ad.json".to_string(), Some("%SRCROOT%"))
        );
        assert_eq!(artifact_uri("é.tf").0, "%C3%A9.tf");
    }

    #[test]
    fn page_parts() {
        let page = "---\nid: X\ncategory: tls\n---\n# X\n\n## What it checks\nline one\nline two\n\nmore\n";
        assert_eq!(front_matter_value(page, "category"), Some("tls"));
        assert_eq!(front_matter_value(page, "nope"), None);
        let body = strip_front_matter(page);
        assert!(body.starts_with("# X"));
        assert_eq!(
            section_paragraph(body, "What it checks").as_deref(),
            Some("line one line two")
        );
        assert_eq!(section_paragraph(body, "Fix"), None);
    }
}
