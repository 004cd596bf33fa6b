//! Reading and parsing one module directory: every `*.tf` file, with spans.
//!
//! Each file's text goes into the [`SourceMap`] first and the stored (BOM-less) text is parsed,
//! so hcl-edit byte offsets are exactly our span offsets. A file that cannot be read as UTF-8
//! or parsed becomes an AGW000 finding; the other files of the module are still used.

use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl::edit::Span as _;
use hcl::edit::structure::{Block, BlockLabel, Body, Structure};

use crate::discover::MAX_FILE_BYTES;
use crate::frontend::{Diagnostic, parse_error};
use crate::source::{FileId, PathOrigin, Refusal, SourceMap, Span};

/// Deepest bracket nesting accepted before parsing (the parser recurses per level).
const MAX_NESTING: usize = 256;

/// One parsed `.tf` file.
#[derive(Debug)]
pub struct ParsedFile {
    /// The file in the source map.
    pub file: FileId,
    /// Its body.
    pub body: Body,
    /// Empty when `body` is the whole tree. Otherwise (a large file, see [`parse_stored_file`])
    /// the `resource` blocks of `body` are stubs that keep their labels, spans and top-level
    /// attributes (what references to a resource read: `count`, `for_each`, literal
    /// attributes) but not their nested blocks, and these are the byte ranges of the file,
    /// in order and covering it, that [`parse_range`] parses again into the full blocks when
    /// the resources are mapped (so the whole tree of a 72 MB file is never alive at once).
    pub stubbed: Vec<Range<usize>>,
}

/// A parsed module directory.
#[derive(Debug, Default)]
pub struct ParsedModule {
    /// The directory.
    pub dir: PathBuf,
    /// How the directory is printed.
    pub display: String,
    /// The files that parsed.
    pub files: Vec<ParsedFile>,
    /// AGW000 findings of files that did not.
    pub findings: Vec<Diagnostic>,
    /// Number of files read.
    pub files_read: usize,
    /// Its variable files.
    pub vars: VarListing,
    /// True when the bodies are empty: the files were read and never parsed
    /// ([`parse_dir_for_calls`]: their syntax errors are not known yet), or their trees were
    /// dropped ([`hollow`]). [`reparse`] parses them.
    pub unparsed: bool,
}

impl ParsedModule {
    /// Top-level blocks of every file, in file order.
    pub fn blocks(&self) -> impl Iterator<Item = (FileId, &Block)> {
        self.files
            .iter()
            .flat_map(|f| f.body.blocks().map(move |b| (f.file, b)))
    }
}

/// The printed path of a file inside a directory printed as `dir`.
pub fn join_display(dir: &str, name: &str) -> String {
    if dir == "." || dir.is_empty() {
        name.to_string()
    } else {
        format!("{}/{name}", dir.trim_end_matches('/'))
    }
}

/// How the file `path` of a directory printed as `display` is printed.
fn shown_in(display: &str, path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    join_display(display, &name)
}

/// Lexically normalises a printed path (`a/b/../c` → `a/c`, `./x` → `x`).
pub fn normalize_display(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let absolute = p.starts_with('/');
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !absolute {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// True for a Terraform JSON file (`*.tf.json`).
pub fn is_tf_json(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".tf.json"))
}

/// The variable files of a module directory, from the listing [`parse_dir`] reads anyway (a
/// root module's are applied by [`super::tfvars::root_values`]).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct VarListing {
    /// The files Terraform reads by itself, in its order: `terraform.tfvars`,
    /// `terraform.tfvars.json`, then `*.auto.tfvars(.json)` by name.
    pub auto: Vec<PathBuf>,
    /// True when any `*.tfvars` or `*.tfvars.json` entry is there.
    pub any: bool,
}

/// The `*.tf`, `*.tf.json` and OpenTofu `*.tofu` files of a directory, sorted by name
/// (Terraform reads them alphabetically; as OpenTofu does, `x.tofu` replaces `x.tf` beside it),
/// and its variable files: one reading of the directory. An entry's type comes with the
/// listing; a symbolic link is followed (a stat), as `Path::is_file` does.
pub fn tf_files(dir: &Path) -> (Vec<PathBuf>, VarListing) {
    let mut vars = VarListing::default();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return (Vec::new(), vars);
    };
    let is_file = |e: &std::fs::DirEntry, p: &Path| match e.file_type() {
        Ok(t) if !t.is_symlink() => t.is_file(),
        _ => p.is_file(),
    };
    let mut all: Vec<PathBuf> = Vec::new();
    let mut fixed = [None, None];
    let mut auto = Vec::new();
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        let name = e.file_name();
        let n = name.to_string_lossy();
        if n.ends_with(".tfvars") || n.ends_with(".tfvars.json") {
            vars.any = true;
            let slot = match n.as_ref() {
                "terraform.tfvars" => Some(0),
                "terraform.tfvars.json" => Some(1),
                _ => None,
            };
            let automatic = n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json");
            if (slot.is_some() || automatic) && is_file(&e, &p) {
                match slot {
                    Some(i) => fixed[i] = Some(p),
                    None => auto.push(p),
                }
            }
            continue;
        }
        if (p.extension().is_some_and(|e| e == "tf" || e == "tofu") || is_tf_json(&p))
            && is_file(&e, &p)
        {
            all.push(p);
        }
    }
    auto.sort();
    vars.auto = fixed.into_iter().flatten().chain(auto).collect();
    let mut v: Vec<PathBuf> = all
        .iter()
        .filter(|p| {
            !(p.extension().is_some_and(|e| e == "tf") && all.contains(&p.with_extension("tofu")))
        })
        .cloned()
        .collect();
    v.sort();
    (v, vars)
}

/// Reads a file into the source map through [`SourceMap::read_confined`]. `Err` carries an
/// AGW000 finding (too large, not UTF-8), an AGW901 finding (a path from repository content
/// that resolves outside the scan root or to a special file: not read), or `None` when the
/// file could not be read at all.
pub fn read_source(
    path: &Path,
    display: &str,
    sources: &SourceMap,
    origin: PathOrigin,
) -> Result<FileId, Option<Box<Diagnostic>>> {
    let mut read = match sources.read_confined(path, origin, MAX_FILE_BYTES) {
        Ok(r) => r,
        Err(Refusal::TooLarge(_)) => {
            let id = sources.add(display.to_string(), "");
            return Err(Some(Box::new(parse_error(
                format!(
                    "{display} is larger than the {} MiB limit and was not read",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
                Span::new(id, 0..0),
                "file too large",
            ))));
        }
        Err(r) if r.is_confinement() => {
            let id = sources.add(display.to_string(), "");
            return Err(Some(Box::new(crate::frontend::refused(
                "file",
                display,
                &r,
                Span::new(id, 0..0),
            ))));
        }
        Err(_) => return Err(None),
    };
    // The read buffer becomes the stored text (no copy).
    match String::from_utf8(std::mem::take(&mut read.bytes)) {
        Ok(t) => Ok(sources.add_read(display.to_string(), t, &read)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let id = sources.add_read(display.to_string(), &prefix, &read);
            let at = sources.get(id).map_or(0, |f| f.text.len());
            Err(Some(Box::new(parse_error(
                format!("{display} is not valid UTF-8 (invalid byte at offset {valid})"),
                Span::new(id, at..at),
                "invalid UTF-8 here",
            ))))
        }
    }
}

/// Parses text already stored in the source map. `Err` is an AGW000 finding.
pub fn parse_stored(id: FileId, sources: &SourceMap) -> Result<Body, Box<Diagnostic>> {
    parse_stored_as(id, sources, false).map(|(body, _)| body)
}

/// [`parse_stored`] into a [`ParsedFile`] whose resource blocks are stubs when the file is
/// large (see [`ParsedFile::stubbed`]). Only for a module whose resource blocks nothing but
/// the mapper reads in full (override files merge into them: those modules use
/// [`parse_stored`]).
pub fn parse_stored_file(id: FileId, sources: &SourceMap) -> Result<ParsedFile, Box<Diagnostic>> {
    parse_stored_as(id, sources, true).map(|(body, stubbed)| ParsedFile {
        file: id,
        body,
        stubbed,
    })
}

/// [`parse_stored`], with stubs (and their ranges) when `stub` and the file is parsed in
/// pieces.
fn parse_stored_as(
    id: FileId,
    sources: &SourceMap,
    stub: bool,
) -> Result<(Body, Vec<Range<usize>>), Box<Diagnostic>> {
    let Some(f) = sources.get(id) else {
        return Err(Box::new(parse_error(
            "internal error: file missing from the source map",
            Span::new(id, 0..0),
            "here",
        )));
    };
    let text = f.text.clone();
    if let Some(at) = too_deep(&text) {
        return Err(Box::new(parse_error(
            format!(
                "{}: brackets nested deeper than {MAX_NESTING} levels; not parsed",
                f.path
            ),
            Span::new(id, at..at),
            "nesting too deep",
        )));
    }
    let parsed = match parse_pieces(&text, stub) {
        Some(p) => Ok(p),
        None if text.len() < COMPACT_BYTES => parse_lenient(&text).map(|b| (b, Vec::new())),
        None => parse_lenient(&text).map(|b| (compact(b), Vec::new())),
    };
    parsed.map_err(|e| {
        let off = e.location().offset().min(text.len());
        let msg = e.message().lines().next().unwrap_or("syntax error").trim();
        Box::new(parse_error(
            format!("{}: HCL syntax error: {msg}", f.path),
            Span::new(id, off..off),
            msg.to_string(),
        ))
    })
}

/// Files from this size on are [`compact`]ed after parsing. A smaller file's slack is a few
/// kilobytes, alive while its root loads; compacting every module of a 6,000-file scan cost
/// 1.4 % of its CPU (a clone of every block).
const COMPACT_BYTES: usize = 64 * 1024;

/// `body` with every nested vector at its exact length. The parser grows each block body,
/// label list, array and object by pushing (a vector starts at 4 elements and doubles; a
/// structure is 304 bytes), so a block of one or two attributes held 1,216 bytes of slots.
/// Cloning allocates every vector at its length and keeps every span and decoration; each
/// top-level structure is replaced in turn, so only one extra structure is alive at a time.
/// The top-level vector itself is left as parsed (the body has no public way to set its span
/// on a rebuilt copy, and it is one vector per file).
fn compact(mut body: Body) -> Body {
    for i in 0..body.len() {
        if let Some(s) = body.get_mut(i) {
            *s = s.clone();
        }
    }
    body
}

/// Text up to this size is parsed whole; a larger file is parsed in pieces of at least this
/// size (see [`parse_pieces`]).
const PIECE_BYTES: usize = 2 * 1024 * 1024;

/// Size of the ranges a stubbed file is parsed again in when it is mapped (see
/// [`ParsedFile::stubbed`]): each is parsed alone, so small ranges cost nothing more and keep
/// the tree alive at once small.
const RANGE_BYTES: usize = 256 * 1024;

/// Most pieces a large file is parsed in (each costs a scan and a copy of the comment that
/// stands for the text before it; fewer, larger pieces leave more of the allocator's memory
/// behind).
const MAX_PIECES: usize = 32;

/// Keywords of the top-level blocks a large file is cut before.
const TOP_LEVEL: &[&str] = &[
    "resource",
    "data",
    "module",
    "variable",
    "output",
    "locals",
    "provider",
    "terraform",
    "moved",
    "import",
    "check",
    "removed",
    "ephemeral",
];

/// A large file parsed piece by piece, so its full uncompacted tree is never alive at once (a
/// 72 MB file peaked at 1.9 GB of tree before [`compact`]). Each piece starts at a line that
/// opens a top-level block and is parsed at its true offset (behind a comment), so every span
/// is the one a whole parse gives. `None` (parse the whole text) for a small file, a file
/// without such lines, any piece that does not parse (a cut inside a heredoc, comment or
/// block cannot parse, and errors are reported from the whole parse) and a top-level
/// attribute (the parser rejects a repeated one only within one piece). With `stub`, the
/// resource blocks are kept as stubs, with the ranges to parse them again from (see
/// [`ParsedFile::stubbed`]).
fn parse_pieces(text: &str, stub: bool) -> Option<(Body, Vec<Range<usize>>)> {
    parse_in_pieces(text, PIECE_BYTES, stub)
}

/// [`parse_pieces`] with pieces of at least `piece` bytes.
fn parse_in_pieces(text: &str, piece: usize, stub: bool) -> Option<(Body, Vec<Range<usize>>)> {
    use hcl::edit::Decorate as _;
    if text.len() <= piece {
        return None;
    }
    let size = piece.max(text.len() / MAX_PIECES);
    let mut cuts = vec![0usize];
    let mut next = size;
    let bytes = text.as_bytes();
    while next < text.len() {
        // The first line start at or after `next` (just after a newline: a char boundary) that
        // opens a top-level block.
        let Some(nl) = bytes[next..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let from = next + nl + 1;
        let at = std::iter::once(from)
            .chain(
                bytes[from..]
                    .iter()
                    .enumerate()
                    .filter(|&(_, &b)| b == b'\n')
                    .map(|(i, _)| from + i + 1),
            )
            .find(|&i| text.get(i..).is_some_and(opens_top_level));
        let Some(at) = at.filter(|&a| a < text.len()) else {
            break;
        };
        cuts.push(at);
        next = at + size;
    }
    if cuts.len() < 2 {
        return None;
    }
    let mut structures = Vec::new();
    // One copy of the text; before each piece, the text before it is turned into one block
    // comment of the same length (which the parser skips with a substring search, where it
    // reads blanks one by one), extending the previous piece's.
    let mut buf = text.to_string();
    for (k, &start) in cuts.iter().enumerate() {
        let end = cuts.get(k + 1).copied().unwrap_or(text.len());
        if k > 0 {
            let prev = cuts[k - 1];
            if start < prev + 4 {
                return None;
            }
            // (Ranges at line starts, or over the comment's own ASCII: char boundaries.)
            let (from, mut blank) = if k == 1 {
                (0, String::from("/*"))
            } else {
                // The previous comment's end.
                buf.replace_range(prev - 2..prev, "  ");
                (prev, String::new())
            };
            blank.extend(std::iter::repeat_n(' ', start - 2 - from - blank.len()));
            blank.push_str("*/");
            buf.replace_range(from..start, &blank);
        }
        let body = hcl::edit::parser::parse_body(buf.get(..end)?).ok()?;
        for (i, mut st) in body.into_iter().enumerate() {
            if st.is_attribute() {
                return None;
            }
            if i == 0 {
                // The padding before the piece (no decoration is read).
                st.decor_mut().set_prefix("");
            }
            if stub {
                stub_resource(&mut st);
            }
            // At exact capacities, as `compact` does.
            structures.push(st.clone());
        }
    }
    let ranges = if stub {
        stub_ranges(&structures, text.len(), piece.min(RANGE_BYTES))?
    } else {
        Vec::new()
    };
    Some((Body::from(structures), ranges))
}

/// Empties the body of a `resource` block but for `count` and `for_each` (see
/// [`ParsedFile::stubbed`]).
fn stub_resource(st: &mut Structure) {
    let Some(b) = st.as_block_mut() else { return };
    if b.ident.as_str() != "resource" {
        return;
    }
    let mut i = b.body.len();
    while i > 0 {
        i -= 1;
        let kept = b
            .body
            .get(i)
            .and_then(Structure::as_attribute)
            .is_some_and(|a| matches!(a.key.as_str(), "count" | "for_each"));
        if !kept {
            b.body.remove(i);
        }
    }
}

/// Ranges of at least `size` bytes covering `0..len`, each starting where a top-level
/// structure starts (the first at 0): [`parse_range`] parses each alone. `None` when a
/// structure has no span.
fn stub_ranges(structures: &[Structure], len: usize, size: usize) -> Option<Vec<Range<usize>>> {
    let mut cuts = vec![0usize];
    for st in structures {
        let start = st.span()?.start;
        if cuts.last().is_some_and(|&c| start >= c + size) {
            cuts.push(start);
        }
    }
    let mut ranges: Vec<Range<usize>> = cuts.windows(2).map(|w| w[0]..w[1]).collect();
    ranges.push(cuts.last().copied().unwrap_or(0)..len);
    Some(ranges)
}

/// The top-level structures of `text` in `range`, one of a stubbed file's ranges (see
/// [`ParsedFile::stubbed`]), parsed alone: the same blocks and values as a whole parse gives,
/// with spans counted from `range.start` (read them through [`Src`] with that base). `None`
/// when the range does not parse.
pub fn parse_range(text: &str, range: Range<usize>) -> Option<Body> {
    hcl::edit::parser::parse_body(text.get(range)?).ok()
}

/// True when `line` starts a top-level block: a [`TOP_LEVEL`] keyword at its first column,
/// then a blank, a label or `{`.
fn opens_top_level(line: &str) -> bool {
    TOP_LEVEL.iter().any(|k| {
        line.strip_prefix(k)
            .is_some_and(|rest| matches!(rest.as_bytes().first(), Some(b' ' | b'\t' | b'"' | b'{')))
    })
}

/// Parses a body as Terraform does where hcl-edit is stricter: an object constructor
/// (`{ a = 1, a = 2 }`) may repeat a key and the last one wins (Terraform accepts it; only
/// object `for` expressions and type constraints reject duplicates). The earlier key is
/// renamed in a copy of the text (same length, so every span stays exact) and the copy parsed
/// again.
fn parse_lenient(text: &str) -> Result<Body, hcl::edit::parser::Error> {
    let mut patched: Option<String> = None;
    for _ in 0..64 {
        let src = patched.as_deref().unwrap_or(text);
        match hcl::edit::parser::parse_body(src) {
            Ok(b) => return Ok(b),
            Err(e) => {
                let redefined = e.message().contains("redefined object key");
                let next = redefined
                    .then(|| rename_earlier_key(src, e.location().offset()))
                    .flatten();
                match next {
                    Some(t) => patched = Some(t),
                    None => return Err(e),
                }
            }
        }
    }
    hcl::edit::parser::parse_body(patched.as_deref().unwrap_or(text))
}

/// `src` with the earlier occurrence of the object key written at `at` renamed (first
/// character replaced), searching back through the same object only.
fn rename_earlier_key(src: &str, at: usize) -> Option<String> {
    let bytes = src.as_bytes();
    let key = key_at(bytes, at)?;
    let mut depth = 0usize;
    let mut i = at;
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b'}' | b']' | b')' => depth += 1,
            b'{' | b'[' | b'(' => {
                if depth == 0 {
                    return None;
                }
                depth -= 1;
            }
            _ => {}
        }
        if depth != 0 || !bytes[i..].starts_with(key) || !key_position(bytes, i, key.len()) {
            continue;
        }
        // Rename: the first character of an identifier, or of a quoted key's text.
        let pos = if key[0] == b'"' { i + 1 } else { i };
        let old = *bytes.get(pos)?;
        if key[0] == b'"' && old == b'"' {
            return None;
        }
        if !old.is_ascii() {
            return None;
        }
        let new = if old == b'_' { b'Z' } else { b'_' };
        let mut out = bytes.to_vec();
        out[pos] = new;
        return String::from_utf8(out).ok();
    }
    None
}

/// The key token at `at`: an identifier or a quoted string.
fn key_at(bytes: &[u8], at: usize) -> Option<&[u8]> {
    let rest = bytes.get(at..)?;
    let end = if rest.first() == Some(&b'"') {
        1 + rest
            .get(1..)?
            .iter()
            .position(|&c| c == b'"' || c == b'\\')?
            + 1
    } else {
        rest.iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-'))
            .unwrap_or(rest.len())
    };
    (end > 0).then(|| &rest[..end])
}

/// True when `key` at `i` stands where an object key does: after a newline, `{` or `,` (and
/// blanks), before `=` or `:` (after blanks).
fn key_position(bytes: &[u8], i: usize, len: usize) -> bool {
    let before = bytes[..i]
        .iter()
        .rev()
        .find(|&&c| c != b' ' && c != b'\t')
        .copied();
    let after = bytes[i + len..]
        .iter()
        .find(|&&c| c != b' ' && c != b'\t')
        .copied();
    matches!(before, None | Some(b'\n' | b'\r' | b'{' | b',')) && matches!(after, Some(b'=' | b':'))
}

/// The offset where bracket nesting first exceeds [`MAX_NESTING`] (a conservative scan that
/// also counts brackets inside strings, so it can only refuse more, never crash).
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Reads and parses every `*.tf` file of a directory printed as `display`.
pub fn parse_dir(dir: &Path, display: &str, sources: &SourceMap) -> ParsedModule {
    let (paths, vars) = tf_files(dir);
    parse_listed(dir, display, sources, paths, vars)
}

/// [`parse_dir`] when the only question is which modules the directory calls (roots are
/// found before any loads). A directory whose files cannot hold a `module` block (none
/// contains the word `module`, none is a `.tf.json` or override file, and every one was read)
/// has its files read into the source map but not parsed: the module comes back
/// [`unparsed`](ParsedModule::unparsed), and [`reparse`] parses it when its root loads (a
/// module was parsed twice in a scan of more than 256 KiB of Terraform). Any other directory
/// is parsed as [`parse_dir`] parses it.
pub fn parse_dir_for_calls(dir: &Path, display: &str, sources: &SourceMap) -> ParsedModule {
    let (paths, vars) = tf_files(dir);
    if paths
        .iter()
        .any(|p| is_tf_json(p) || super::overrides::is_override(p))
    {
        return parse_listed(dir, display, sources, paths, vars);
    }
    let mut m = ParsedModule {
        dir: dir.to_path_buf(),
        display: display.to_string(),
        vars,
        ..ParsedModule::default()
    };
    let mut read = Vec::with_capacity(paths.len());
    // A file that was not read (its finding would come before the syntax errors of the files
    // after it) makes the directory parse now, so its findings keep parse_dir's order.
    let mut may_call = false;
    for path in &paths {
        m.files_read += 1;
        let r = read_source(path, &shown_in(display, path), sources, PathOrigin::Content);
        may_call |= match &r {
            Ok(id) => sources
                .get(*id)
                .is_none_or(|f| memchr::memmem::find(f.text.as_bytes(), b"module").is_some()),
            Err(_) => true,
        };
        read.push(r);
    }
    m.unparsed = !may_call;
    for r in read {
        match r {
            Ok(id) if may_call => match parse_stored_file(id, sources) {
                Ok(p) => m.files.push(p),
                Err(f) => m.findings.push(*f),
            },
            Ok(id) => m.files.push(ParsedFile {
                file: id,
                body: Body::default(),
                stubbed: Vec::new(),
            }),
            Err(Some(f)) => m.findings.push(*f),
            Err(None) => {}
        }
    }
    m
}

/// [`parse_dir`] of the files `tf_files` listed.
fn parse_listed(
    dir: &Path,
    display: &str,
    sources: &SourceMap,
    paths: Vec<PathBuf>,
    vars: VarListing,
) -> ParsedModule {
    let mut m = ParsedModule {
        dir: dir.to_path_buf(),
        display: display.to_string(),
        vars,
        ..ParsedModule::default()
    };
    let mut overrides = Vec::new();
    let any_override = paths.iter().any(|p| super::overrides::is_override(p));
    for path in paths {
        let shown = shown_in(display, &path);
        m.files_read += 1;
        // Every `.tf` file of a module is repository content (a symbolic link to outside the
        // scan root is not read).
        let id = match read_source(&path, &shown, sources, PathOrigin::Content) {
            Ok(id) => id,
            Err(Some(f)) => {
                m.findings.push(*f);
                continue;
            }
            Err(None) => continue,
        };
        let id = if is_tf_json(&path) {
            match json_as_hcl(id, &shown, sources) {
                Ok(id) => id,
                Err(f) => {
                    m.findings.push(*f);
                    continue;
                }
            }
        } else {
            id
        };
        // Override files merge into the nested blocks of resources: no stubs then.
        let parsed = if any_override {
            parse_stored(id, sources).map(|body| ParsedFile {
                file: id,
                body,
                stubbed: Vec::new(),
            })
        } else {
            parse_stored_file(id, sources)
        };
        match parsed {
            Ok(p) if super::overrides::is_override(&path) => overrides.push(p),
            Ok(p) => m.files.push(p),
            Err(f) => m.findings.push(*f),
        }
    }
    if !overrides.is_empty() {
        super::overrides::apply(&mut m, overrides, sources);
    }
    m
}

/// A `*.tf.json` file already in the source map rewritten as native syntax
/// ([`super::tfjson`]): the id of the derived text, whose spans map back to the JSON. `Err` is
/// an AGW000 finding at the JSON syntax error.
fn json_as_hcl(id: FileId, shown: &str, sources: &SourceMap) -> Result<FileId, Box<Diagnostic>> {
    let text = sources.get(id).map(|f| f.text.clone()).unwrap_or_default();
    let doc = crate::frontend::arm::json::parse(&text, id).map_err(|e| {
        Box::new(parse_error(
            format!("{shown}: Terraform JSON syntax error: {}", e.message),
            e.span,
            e.message.clone(),
        ))
    })?;
    let c = super::tfjson::to_hcl(&doc.root, id);
    Ok(sources.add_derived(shown, &c.text, c.derived))
}

/// A module without its syntax trees: the file ids, findings and counts, kept when the trees
/// are evicted from the cache so [`reparse`] can rebuild them.
pub fn hollow(m: &ParsedModule) -> ParsedModule {
    ParsedModule {
        dir: m.dir.clone(),
        display: m.display.clone(),
        files: m
            .files
            .iter()
            .map(|f| ParsedFile {
                file: f.file,
                body: Body::default(),
                stubbed: Vec::new(),
            })
            .collect(),
        findings: m.findings.clone(),
        files_read: m.files_read,
        vars: m.vars.clone(),
        unparsed: true,
    }
}

/// Rebuilds an evicted module from the text already in the source map (same file ids, the
/// same findings; nothing is read from disk again). A module that was never parsed
/// ([`parse_dir_for_calls`]) is parsed here: its syntax errors are found now.
pub fn reparse(h: &ParsedModule, sources: &SourceMap) -> ParsedModule {
    let mut m = ParsedModule {
        dir: h.dir.clone(),
        display: h.display.clone(),
        findings: h.findings.clone(),
        files_read: h.files_read,
        vars: h.vars.clone(),
        ..ParsedModule::default()
    };
    for f in &h.files {
        // These files parsed the first time (or were read and never parsed, in a directory
        // without override files); the stored text has not changed since (and is the merged
        // text where override files applied: nothing merges into stubs now).
        match parse_stored_file(f.file, sources) {
            Ok(p) => m.files.push(p),
            Err(e) => m.findings.push(*e),
        }
    }
    m
}

/// A block label's text.
pub fn label(b: &Block, i: usize) -> Option<&str> {
    b.labels.get(i).map(BlockLabel::as_str)
}

/// Where the spans of a syntax tree point: its file, and the offset they count from (0 for a
/// file parsed whole or in pieces at their true offsets; the start of the range for a range
/// of a stubbed file parsed alone, see [`parse_range`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Src {
    /// The file.
    pub file: FileId,
    /// Added to every span of the tree.
    pub base: usize,
}

impl Src {
    /// The span in the file of a range of the tree.
    pub fn span(self, r: Range<usize>) -> Span {
        Span::new(self.file, r.start + self.base..r.end + self.base)
    }
}

impl From<FileId> for Src {
    fn from(file: FileId) -> Self {
        Src { file, base: 0 }
    }
}

/// A span from an hcl-edit node, falling back to `fallback` when the node has none.
pub fn span_of(node: &dyn hcl::edit::Span, file: impl Into<Src>, fallback: Span) -> Span {
    let src = file.into();
    node.span().map_or(fallback, |r| src.span(r))
}

/// The block header: identifier to last label (what findings on a resource point at).
pub fn header_span(b: &Block, file: impl Into<Src>) -> Span {
    let src = file.into();
    let start = b.ident.span().map_or(0, |r| r.start);
    let end = b
        .labels
        .last()
        .and_then(|l| l.span())
        .or_else(|| b.ident.span())
        .map_or(start, |r| r.end);
    src.span(start..end)
}

/// The whole block.
pub fn block_span(b: &Block, file: impl Into<Src>) -> Span {
    let src = file.into();
    b.span()
        .map_or_else(|| header_span(b, src), |r| src.span(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_display_paths() {
        assert_eq!(normalize_display("a/b/../c"), "a/c");
        assert_eq!(normalize_display("./x/./y"), "x/y");
        assert_eq!(normalize_display("a/../../m"), "../m");
        assert_eq!(join_display(".", "main.tf"), "main.tf");
        assert_eq!(join_display("infra", "main.tf"), "infra/main.tf");
    }

    #[test]
    fn parse_error_points_at_offset() {
        let sources = SourceMap::new();
        let id = sources.add("x.tf", "resource \"a\" \"b\" {\n  x = \n");
        let e = parse_stored(id, &sources).unwrap_err();
        assert!(e.message.contains("HCL syntax error"), "{e:?}");
        assert!(e.span.start > 0);
    }

    /// Top-level structures with the leading decoration cleared (a piece's first structure
    /// has none), as their debug text: spans, labels, values and inner decoration.
    fn dump(body: &Body) -> Vec<String> {
        use hcl::edit::Decorate as _;
        body.iter()
            .map(|st| {
                let mut st = st.clone();
                st.decor_mut().set_prefix("");
                format!("{st:?}")
            })
            .collect()
    }

    #[test]
    fn a_large_file_parsed_in_pieces_has_the_spans_of_a_whole_parse() {
        let text_with = |traps: bool| {
            let mut text = String::from("# header é\n");
            let mut i = 0;
            while text.len() < 40_000 {
                text.push_str(&format!(
                    "resource \"azurerm_linux_web_app\" \"a{i}\" {{\n  name = \"${{var.p}}-{i}\"\n  site_config {{\n    x = [1, 2]\n  }}\n}}\n\n"
                ));
                if traps && i % 50 == 0 {
                    // Lines that look like top-level blocks inside a heredoc and a comment: a
                    // cut there cannot parse.
                    text.push_str("locals {\n  doc = <<EOT\nresource \"x\" \"y\" {\nEOT\n}\n/* module \"z\" {\n*/\n");
                }
                i += 1;
            }
            text
        };
        let text = text_with(false);
        let (pieces, ranges) = parse_in_pieces(&text, 4096, false).expect("parsed in pieces");
        assert!(ranges.is_empty());
        assert!(parse_pieces(&text, false).is_none(), "small: parsed whole");
        let whole = hcl::edit::parser::parse_body(&text).unwrap();
        assert_eq!(pieces.len(), whole.len());
        assert_eq!(dump(&pieces), dump(&whole));
        let traps = text_with(true);
        if let Some((pieces, _)) = parse_in_pieces(&traps, 4096, false) {
            let whole = hcl::edit::parser::parse_body(&traps).unwrap();
            assert_eq!(dump(&pieces), dump(&whole));
        }
        // A top-level attribute: parsed whole (a repeated one is an error there).
        let with_attr = format!("{text}x = 1\n");
        assert!(parse_in_pieces(&with_attr, 4096, true).is_none());
        // A syntax error: parsed whole, so the error is the whole parse's.
        let broken = format!("{text}resource \"a\" \"b\" {{\n");
        assert!(parse_in_pieces(&broken, 4096, true).is_none());
    }

    /// Debug text without the numbers of `Some(a..b)` spans.
    fn strip_spans(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("Some(") {
            out.push_str(&rest[..i]);
            let tail = &rest[i + 5..];
            let end = tail.find(')').filter(|&j| {
                tail[..j].contains("..")
                    && tail[..j].bytes().all(|c| c.is_ascii_digit() || c == b'.')
            });
            match end {
                Some(j) => {
                    out.push_str("Some(_)");
                    rest = &tail[j + 1..];
                }
                None => {
                    out.push_str("Some(");
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A stub: the block with only `count` and `for_each` left (what [`stub_resource`] keeps).
    fn without_blocks(st: &Structure) -> Structure {
        let mut st = st.clone();
        if let Some(b) = st.as_block_mut() {
            let keep: Vec<Structure> = b
                .body
                .iter()
                .filter(|s| {
                    s.as_attribute()
                        .is_some_and(|a| matches!(a.key.as_str(), "count" | "for_each"))
                })
                .cloned()
                .collect();
            let mut i = b.body.len();
            while i > 0 {
                i -= 1;
                b.body.remove(i);
            }
            for s in keep {
                b.body.push(s);
            }
        }
        st
    }

    #[test]
    fn stubbed_resources_and_their_ranges_give_back_the_whole_parse() {
        let mut text = String::from("variable \"p\" {\n  default = \"x\"\n}\n");
        let mut i = 0;
        while text.len() < 60_000 {
            text.push_str(&format!(
                "# resource {i}\nresource \"azurerm_linux_web_app\" \"a{i}\" {{\n  name = \"${{var.p}}-{i}\"\n  count = 1\n  site_config {{\n    x = [1, 2]\n  }}\n  dynamic \"d\" {{\n    for_each = []\n    content {{}}\n  }}\n  https_only = true\n}}\n\n"
            ));
            if i % 40 == 0 {
                text.push_str("locals {\n  doc = <<EOT\nresource \"x\" \"y\" {\nEOT\n}\n/* comment */\ndata \"a\" \"b\" {\n  c {}\n}\n");
            }
            i += 1;
        }
        let whole = hcl::edit::parser::parse_body(&text).unwrap();
        let (stubs, ranges) = parse_in_pieces(&text, 4096, true).expect("parsed in pieces");
        // Stubs: resources with `count` / `for_each` only, everything else as parsed.
        let expected: Vec<String> = whole
            .iter()
            .map(|st| {
                let resource = st
                    .as_block()
                    .is_some_and(|b| b.ident.as_str() == "resource");
                if resource {
                    without_blocks(st)
                } else {
                    st.clone()
                }
            })
            .map(|st| Body::from(vec![st]))
            .flat_map(|b| dump(&b))
            .collect();
        assert_eq!(dump(&stubs), expected);
        assert!(
            stubs
                .blocks()
                .any(|b| b.ident.as_str() == "data" && b.body.blocks().count() == 1)
        );
        // The ranges cover the text in order; each parses into exactly the whole parse's
        // structures that start in it.
        assert!(ranges.len() > 3, "{ranges:?}");
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges.last().unwrap().end, text.len());
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        // Parsed alone, a range's structures are the whole parse's with spans counted from
        // the range's start: the same as parsing it at its true offset behind blanks.
        let mut n = 0;
        for r in &ranges {
            let alone = parse_range(&text, r.clone()).expect("range parses");
            let mut blanked = " ".repeat(r.start);
            blanked.push_str(&text[r.clone()]);
            let at = hcl::edit::parser::parse_body(&blanked).unwrap();
            let shifted: Vec<Option<Range<usize>>> = alone
                .iter()
                .map(|st| st.span().map(|s| s.start + r.start..s.end + r.start))
                .collect();
            let true_spans: Vec<Option<Range<usize>>> = at.iter().map(|st| st.span()).collect();
            assert_eq!(shifted, true_spans);
            let whole_part: Vec<Structure> = whole.iter().skip(n).take(at.len()).cloned().collect();
            assert_eq!(dump(&at), dump(&Body::from(whole_part)));
            let mut a: Vec<String> = dump(&alone);
            let mut b: Vec<String> = dump(&at);
            // Inner spans differ by the base only: compare the structure with spans removed.
            a.iter_mut()
                .chain(b.iter_mut())
                .for_each(|s| *s = strip_spans(s));
            assert_eq!(a, b);
            n += at.len();
        }
        assert_eq!(n, whole.len());
        // Source spans through `Src`: a block of a range read with its base is where the whole
        // parse has it.
        let r = ranges[2].clone();
        let alone = parse_range(&text, r.clone()).unwrap();
        let b = alone
            .blocks()
            .find(|b| b.ident.as_str() == "resource")
            .unwrap();
        let src = Src {
            file: FileId(0),
            base: r.start,
        };
        let at = b.span().unwrap().start + r.start;
        let w = whole
            .blocks()
            .find(|w| w.span().map(|s| s.start) == Some(at))
            .unwrap();
        assert_eq!(header_span(b, src), header_span(w, FileId(0)));
        assert_eq!(block_span(b, src), block_span(w, FileId(0)));
        let (Some(x), Some(y)) = (b.body.get_attribute("name"), w.body.get_attribute("name"))
        else {
            panic!("name")
        };
        let fb = Span::new(FileId(0), 0..0);
        assert_eq!(span_of(&x.value, src, fb), span_of(&y.value, FileId(0), fb));
        // Through the source map, as the front-end reads it (small files are whole).
        let sources = SourceMap::new();
        let id = sources.add("main.tf", &text);
        let f = parse_stored_file(id, &sources).unwrap();
        assert!(f.stubbed.is_empty(), "under PIECE_BYTES: parsed whole");
        assert_eq!(dump(&f.body), dump(&whole));
    }

    #[test]
    fn deep_nesting_is_refused_not_crashed() {
        let sources = SourceMap::new();
        let text = format!("x = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
        let id = sources.add("deep.tf", &text);
        let e = parse_stored(id, &sources).unwrap_err();
        assert!(e.message.contains("nested deeper"));
    }

    /// A fresh directory holding `files`.
    fn dir_with(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("agwlint-parse-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (f, text) in files {
            std::fs::write(dir.join(f), text).unwrap();
        }
        dir
    }

    /// What a module holds, comparably: each file's id and structures, the findings, the
    /// number of files read.
    fn shape(m: &ParsedModule) -> Vec<String> {
        let files = m
            .files
            .iter()
            .map(|f| format!("{:?} {:?}", f.file, dump(&f.body)));
        let findings = m
            .findings
            .iter()
            .map(|d| format!("{:?} {}", d.span, d.message));
        files
            .chain(findings)
            .chain([m.files_read.to_string()])
            .collect()
    }

    #[test]
    fn a_directory_without_module_calls_is_read_for_the_roots_and_parsed_once_when_it_loads() {
        let dir = dir_with(
            "plain",
            &[
                (
                    "a.tf",
                    "resource \"azurerm_resource_group\" \"rg\" {\n  name = \"x\"\n}\n",
                ),
                ("b.tf", "resource \"x\" \"y\" {\n  a = \n"),
                ("c.tf", "variable \"v\" {}\n"),
            ],
        );
        let sources = SourceMap::new();
        let m = parse_dir_for_calls(&dir, "plain", &sources);
        assert!(m.unparsed);
        assert_eq!(m.files.len(), 3, "every file read, none parsed");
        assert!(m.files.iter().all(|f| f.body.is_empty()));
        assert!(
            m.findings.is_empty(),
            "syntax errors are found when it is parsed"
        );
        // Parsed from the stored text: what parse_dir gives, with the same file ids.
        let parsed = reparse(&hollow(&m), &sources);
        assert!(!parsed.unparsed);
        let direct = parse_dir(&dir, "plain", &SourceMap::new());
        assert_eq!(shape(&parsed), shape(&direct));
        assert_eq!(parsed.files.len(), 2);
        assert!(parsed.findings[0].message.contains("HCL syntax error"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_directory_that_may_call_modules_is_parsed_for_the_roots() {
        let calls = "module \"m\" {\n  source = \"../m\"\n}\n";
        // Even where the word is only in a comment, or in another file than the call.
        for (name, files) in [
            ("call", vec![("main.tf", calls)]),
            (
                "comment",
                vec![("main.tf", "# no module here\nlocals {}\n")],
            ),
        ] {
            let dir = dir_with(name, &files);
            let sources = SourceMap::new();
            let m = parse_dir_for_calls(&dir, name, &sources);
            assert!(!m.unparsed, "{name}");
            let direct = parse_dir(&dir, name, &SourceMap::new());
            assert_eq!(shape(&m), shape(&direct), "{name}");
            assert!(m.files.iter().all(|f| !f.body.is_empty()), "{name}");
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
