//! The JSON contract (README.md#json-output).

use serde::Serialize;

use crate::Report;
use crate::finding::Severity;
use crate::source::SourceMap;

/// The head of the document; the two lists follow it ([`write`]).
#[derive(Serialize)]
struct Head {
    tool: Tool,
    files_scanned: usize,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
}

/// Renders the report as one JSON document.
pub fn render(report: &Report, sources: &SourceMap) -> String {
    let mut buf = Vec::new();
    if let Err(e) = write(report, sources, &mut buf) {
        return format!("{{\"error\": \"cannot serialize the report: {e}\"}}\n");
    }
    String::from_utf8(buf).unwrap_or_default()
}

/// [`render`], written to `w` as it is made (the document of a big scan is tens of MB: it is
/// not built in memory first). The findings and skipped checks are rendered a batch at a time,
/// the batch's slices on the thread pool, and written in order: the same bytes as serde_json's
/// pretty printer writes for the whole document (on one thread, 11 % of a 6,000-file scan's
/// wall time).
pub fn write(
    report: &Report,
    sources: &SourceMap,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut text = Vec::new();
    super::text::json_pretty_into(&head(report), &mut text)?;
    // Open again: the lists are members of the same object.
    let Some(open) = text.strip_suffix(b"\n}") else {
        return Err(std::io::Error::other("unexpected JSON head"));
    };
    w.write_all(open)?;
    w.write_all(b",\n  \"diagnostics\": ")?;
    write_list(w, &report.findings, |f, buf, paths| {
        diag_into(f, sources, paths, buf);
    })?;
    w.write_all(b",\n  \"skipped\": ")?;
    write_list(w, &report.skipped, |s, buf, paths| {
        skipped_into(s, sources, paths, buf);
    })?;
    w.write_all(b"\n}\n")
}

/// The head of a report's document: the tool, the files read and the count per severity.
fn head(report: &Report) -> Head {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    Head {
        tool: Tool {
            name: "agwlint",
            version: env!("CARGO_PKG_VERSION"),
        },
        files_scanned: report.files_scanned,
        summary: Summary {
            error: count(Severity::Error),
            warning: count(Severity::Warning),
            info: count(Severity::Info),
        },
    }
}

/// Items rendered per batch: a batch's text is held at once (about 1 KB an item).
const BATCH: usize = 1024;
/// Items one thread renders in one go.
const SLICE: usize = 256;

/// A list that is a member of the top-level object, as serde_json's pretty printer writes it:
/// `[]`, or each element (that `render` appends, indented as at depth two) on its own lines.
fn write_list<T: Sync>(
    w: &mut dyn std::io::Write,
    items: &[T],
    render: impl Fn(&T, &mut Vec<u8>, &mut Paths) + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    if items.is_empty() {
        return w.write_all(b"[]");
    }
    w.write_all(b"[\n")?;
    let render_slice = |slice: &[T]| -> Vec<u8> {
        let mut buf = Vec::new();
        let mut paths = Paths::default();
        for (i, item) in slice.iter().enumerate() {
            if i > 0 {
                buf.extend_from_slice(b",\n");
            }
            render(item, &mut buf, &mut paths);
        }
        buf
    };
    let mut first = true;
    for batch in items.chunks(BATCH) {
        // One slice is rendered here: a small report does not start the thread pool.
        let parts: Vec<Vec<u8>> = if batch.len() <= SLICE {
            vec![render_slice(batch)]
        } else {
            batch.par_chunks(SLICE).map(render_slice).collect()
        };
        for part in parts {
            if !first {
                w.write_all(b",\n")?;
            }
            first = false;
            w.write_all(&part)?;
        }
    }
    w.write_all(b"\n  ]")
}

/// The display path of the file last asked for: items of a list come sorted by file, so most
/// ask for the path of the item before.
#[derive(Default)]
struct Paths {
    last: Option<(crate::source::FileId, String)>,
}

impl Paths {
    fn get(&mut self, sources: &SourceMap, file: crate::source::FileId) -> &str {
        if self.last.as_ref().is_none_or(|(id, _)| *id != file) {
            self.last = Some((file, sources.path(file)));
        }
        self.last.as_ref().map_or("", |(_, p)| p.as_str())
    }
}

/// The members of one element of a list, as serde_json's pretty printer writes a struct at
/// depth two of the document (each on its own line, six spaces in), appended to `buf`.
struct Members<'b> {
    buf: &'b mut Vec<u8>,
    first: bool,
    indent: &'static [u8],
}

impl<'b> Members<'b> {
    /// Opens an object whose members are indented by `indent` (its braces two spaces less).
    fn open(buf: &'b mut Vec<u8>, indent: &'static [u8]) -> Self {
        buf.extend_from_slice(&indent[2..]);
        buf.push(b'{');
        Members {
            buf,
            first: true,
            indent,
        }
    }

    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        self.buf
            .extend_from_slice(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        self.buf.extend_from_slice(self.indent);
        self.buf.push(b'"');
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(b"\": ");
        self.buf
    }

    fn str(&mut self, key: &str, value: &str) {
        let buf = self.key(key);
        push_json_str(buf, value);
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        let buf = self.key(key);
        match value {
            Some(v) => push_json_str(buf, v),
            None => buf.extend_from_slice(b"null"),
        }
    }

    fn num(&mut self, key: &str, value: usize) {
        let buf = self.key(key);
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = value;
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        buf.extend_from_slice(&digits[at..]);
    }

    fn close(self) {
        self.buf.push(b'\n');
        self.buf.extend_from_slice(&self.indent[2..]);
        self.buf.push(b'}');
    }
}

/// `s` as a JSON string, appended to `buf`: serde_json's escapes (quote, backslash, control
/// characters) and those of the reports' formatter (DEL, C1 controls, bidirectional controls:
/// [`super::text::is_unsafe`]), the bytes `json_pretty_into` writes.
fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    push_json_inner(buf, s);
    buf.push(b'"');
}

/// True for a byte written as it is: printable ASCII but the quote and the backslash.
fn is_plain(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\'
}

/// The length of the leading run of [`is_plain`] bytes, eight at a time (messages and help
/// texts are nearly all plain: a byte at a time was 2 % of a 6,000-file scan).
fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Nonzero when some byte of `x` is zero (exact as a yes/no).
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut words = bytes.chunks_exact(8);
    let mut n = 0;
    for w in words.by_ref() {
        let x = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH; // some byte < 0x20
        let high = (x.wrapping_add(ONES) | x) & HIGH; // some byte >= 0x7f
        let quote = zero_byte(x ^ (ONES * u64::from(b'"')));
        let backslash = zero_byte(x ^ (ONES * u64::from(b'\\')));
        if control | high | quote | backslash != 0 {
            break;
        }
        n += 8;
    }
    n + bytes[n..].iter().take_while(|&&b| is_plain(b)).count()
}

/// [`push_json_str`] without the quotes.
fn push_json_inner(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let (mut from, mut i) = (0, 0);
    loop {
        i += plain_len(bytes.get(i..).unwrap_or_default());
        let Some(&b) = bytes.get(i) else { break };
        if b < 0x80 {
            buf.extend_from_slice(&bytes[from..i]);
            match b {
                b'"' => buf.extend_from_slice(b"\\\""),
                b'\\' => buf.extend_from_slice(b"\\\\"),
                0x08 => buf.extend_from_slice(b"\\b"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                0x0c => buf.extend_from_slice(b"\\f"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                _ => buf.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ]),
            }
            i += 1;
            from = i;
            continue;
        }
        let c = s
            .get(i..)
            .and_then(|r| r.chars().next())
            .unwrap_or('\u{fffd}');
        if super::text::is_unsafe(c) {
            buf.extend_from_slice(&bytes[from..i]);
            let n = u32::from(c);
            buf.extend_from_slice(b"\\u");
            for shift in [12, 8, 4, 0] {
                buf.push(HEX[((n >> shift) & 0xf) as usize]);
            }
            i += c.len_utf8();
            from = i;
        } else {
            i += c.len_utf8();
        }
    }
    buf.extend_from_slice(bytes.get(from..).unwrap_or_default());
}

/// One skipped check as the JSON contract writes it ([`SkippedOut`]).
fn skipped_into(
    s: &crate::rules::Skipped,
    sources: &SourceMap,
    paths: &mut Paths,
    buf: &mut Vec<u8>,
) {
    let (lc, _) = sources.span_lines(&s.at).unwrap_or_default();
    let mut m = Members::open(buf, b"      ");
    m.str("rule", s.rule);
    m.str("resource", &s.resource);
    m.str("property", &s.property);
    m.str("reason", s.reason.as_deref().unwrap_or_default());
    m.str("file", paths.get(sources, s.at.file));
    m.num("line", lc.line);
    m.num("column", lc.column);
    m.close();
}

/// One finding as the JSON contract writes it ([`Diag`]).
fn diag_into(
    f: &crate::finding::Finding,
    sources: &SourceMap,
    paths: &mut Paths,
    buf: &mut Vec<u8>,
) {
    let (start, end) = sources.span_lines(&f.primary).unwrap_or_default();
    let mut m = Members::open(buf, b"      ");
    m.str("rule", f.rule);
    m.str("name", f.name);
    m.str("severity", f.severity.as_str());
    m.str("message", &f.message);
    m.opt_str("help", f.help.as_deref());
    let url = m.key("url");
    url.push(b'"');
    url.extend_from_slice(crate::rules::RULES_URL_BASE.as_bytes());
    push_json_inner(url, f.rule);
    url.extend_from_slice(b".md\"");
    m.str("file", paths.get(sources, f.primary.file));
    m.num("line", start.line);
    m.num("column", start.column);
    m.num("end_line", end.line);
    m.num("end_column", end.column);
    m.opt_str("resource", f.resource.as_deref());
    let related = m.key("related");
    if f.related.is_empty() {
        related.extend_from_slice(b"[]");
    } else {
        related.push(b'[');
        for (i, r) in f.related.iter().enumerate() {
            related.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            let (s, _) = sources.span_lines(&r.span).unwrap_or_default();
            let mut o = Members::open(related, b"          ");
            o.str("file", paths.get(sources, r.span.file));
            o.num("line", s.line);
            o.num("column", s.column);
            o.str("message", &r.message);
            o.close();
        }
        related.extend_from_slice(b"\n      ]");
    }
    m.close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::rules::rule_url;
    use crate::source::Span;

    // The contract as serde structs: the reference the hand-written writer is checked against.

    /// A check skipped because a value is Unknown; `file`/`line`/`column` locate the expression
    /// that made it Unknown.
    #[derive(Serialize)]
    struct SkippedOut<'a> {
        rule: &'a str,
        resource: &'a str,
        property: &'a str,
        reason: &'a str,
        file: String,
        line: usize,
        column: usize,
    }

    #[derive(Serialize)]
    struct Diag<'a> {
        rule: &'a str,
        name: &'a str,
        severity: Severity,
        message: &'a str,
        help: Option<&'a str>,
        url: String,
        file: String,
        line: usize,
        column: usize,
        end_line: usize,
        end_column: usize,
        resource: Option<&'a str>,
        related: Vec<RelatedOut<'a>>,
    }

    #[derive(Serialize)]
    struct RelatedOut<'a> {
        file: String,
        line: usize,
        column: usize,
        message: &'a str,
    }

    /// One skipped check as the JSON contract writes it.
    fn skipped_out<'a>(s: &'a crate::rules::Skipped, sources: &SourceMap) -> SkippedOut<'a> {
        let (lc, _) = sources.span_lines(&s.at).unwrap_or_default();
        SkippedOut {
            rule: s.rule,
            resource: &s.resource,
            property: &s.property,
            reason: s.reason.as_deref().unwrap_or_default(),
            file: sources.path(s.at.file),
            line: lc.line,
            column: lc.column,
        }
    }

    /// One finding as the JSON contract writes it.
    fn diag<'a>(f: &'a crate::finding::Finding, sources: &SourceMap) -> Diag<'a> {
        let (start, end) = sources.span_lines(&f.primary).unwrap_or_default();
        Diag {
            rule: f.rule,
            name: f.name,
            severity: f.severity,
            message: &f.message,
            help: f.help.as_deref(),
            url: rule_url(f.rule),
            file: sources.path(f.primary.file),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            resource: f.resource.as_deref(),
            related: f
                .related
                .iter()
                .map(|r| {
                    let (s, _) = sources.span_lines(&r.span).unwrap_or_default();
                    RelatedOut {
                        file: sources.path(r.span.file),
                        line: s.line,
                        column: s.column,
                        message: &r.message,
                    }
                })
                .collect(),
        }
    }

    /// The document as serde_json's pretty printer writes it in one piece: the reference for
    /// the batched, parallel [`write`].
    #[derive(Serialize)]
    struct Whole<'a> {
        tool: Tool,
        files_scanned: usize,
        summary: Summary,
        diagnostics: Vec<Diag<'a>>,
        skipped: Vec<SkippedOut<'a>>,
    }

    fn whole(report: &Report, sources: &SourceMap) -> String {
        let Head {
            tool,
            files_scanned,
            summary,
        } = head(report);
        super::super::text::to_json_pretty(&Whole {
            tool,
            files_scanned,
            summary,
            diagnostics: report.findings.iter().map(|f| diag(f, sources)).collect(),
            skipped: report
                .skipped
                .iter()
                .map(|s| skipped_out(s, sources))
                .collect(),
        })
    }

    #[test]
    fn a_string_is_escaped_as_serde_json_and_the_reports_formatter_escape_it() {
        let alphabet = [
            "a", "Z", " ", "~", "\"", "\\", "\n", "\r", "\t", "\u{1}", "\u{8}", "\u{c}", "\u{1f}",
            "\u{7f}", "\u{80}", "\u{9b}", "é", "\u{202a}", "\u{202e}", "\u{2069}", "🦀",
            "\u{ffff}",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in 0..48 {
            for _ in 0..40 {
                let mut text = String::new();
                for _ in 0..len {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Plain text most of the time, as in real messages.
                    let k = (seed % 64) as usize;
                    text.push_str(alphabet.get(k).copied().unwrap_or("x"));
                }
                let mut mine = Vec::new();
                push_json_str(&mut mine, &text);
                let theirs = super::super::text::to_json_pretty(&text);
                assert_eq!(
                    String::from_utf8(mine).unwrap(),
                    theirs.trim_end(),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn the_batched_document_is_the_bytes_of_the_whole_one() {
        let sources = SourceMap::new();
        let a = sources.add("a.json", "{\n  \"x\": \"\u{202e}\\n\"\n}\n");
        let b = sources.add("dir/b.tf", "resource \"x\" \"y\" {\n}\n");
        let c = sources.add("dir/\"odd\\ name\u{202e}\".tf", "x\n");
        // Empty lists, one item, and more items than a batch holds (with a partial slice).
        for n in [0, 1, 2 * BATCH + SLICE / 2 + 3] {
            let mut report = Report {
                files_scanned: 2,
                ..Report::default()
            };
            for i in 0..n {
                let severity = [Severity::Error, Severity::Warning, Severity::Info][i % 3];
                let mut f = Finding::new(
                    "AGW001",
                    "name",
                    severity,
                    format!(
                        "message {i} with \"quotes\", \\, \u{7f}, \u{202e}, \u{2066}, \u{9b}, \u{8}\t\u{c}\r\u{1}\u{1f}, é and 🦀"
                    ),
                    Span::new(a, 4..9),
                );
                if i % 3 != 2 {
                    f.resource = Some(format!("Microsoft.Network/applicationGateways/gw\"{i}\""));
                }
                if i % 4 != 1 {
                    f = f.help("help\nwith a newline");
                }
                if i % 2 == 0 {
                    f = f.related(Span::new(b, 0..8), format!("related {i}"));
                }
                if i % 6 == 0 {
                    f = f.related(Span::new(c, 0..1), "a second \u{202e}".to_string());
                }
                report.findings.push(f);
                if i % 5 == 0 {
                    report.skipped.push(crate::rules::Skipped {
                        rule: "AGW010",
                        resource: format!("res{i}"),
                        property: "p".to_string(),
                        reason: (i % 10 == 0).then(|| "why".to_string()),
                        at: Span::new(b, 9..10),
                        quoted: false,
                    });
                }
            }
            assert_eq!(
                render(&report, &sources),
                whole(&report, &sources),
                "{n} items"
            );
        }
    }
}
