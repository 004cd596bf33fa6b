//! One source map for every file a scan reads.
//!
//! Spans are byte ranges into a file's text (with any UTF-8 byte-order mark removed, so offset 0
//! is the first character after it). Lines and columns are 1-based and count characters, not
//! bytes, as DESIGN.md requires; SARIF's UTF-16 columns are available too.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

mod lines;
use lines::LineIndex;

/// What [`SourceMap::push`] does besides adding a file, on this thread
/// ([`SourceMap::recording`], [`SourceMap::replaying`]).
enum Tape {
    /// The ids of the files added, in order.
    Record(Vec<FileId>),
    /// The ids to give the files added, in order, and the position the next search starts at.
    Replay { ids: Vec<FileId>, next: usize },
}

thread_local! {
    static TAPE: std::cell::RefCell<Option<Tape>> = const { std::cell::RefCell::new(None) };
}

/// Index of a file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// The files of a set ranked by printed path ([`SourceMap::path_ranks`]): comparing two
/// ranks compares the paths (the same file read for two units has two ids and one path,
/// hence one rank), without looking the paths up for every comparison. A file outside the
/// set ranks 0.
#[derive(Debug, Clone, Default)]
pub struct PathRanks(Vec<u32>);

impl PathRanks {
    fn slot(id: FileId) -> usize {
        usize::try_from(id.0).unwrap_or(usize::MAX)
    }

    /// The rank of `id`'s path.
    pub fn of(&self, id: FileId) -> u32 {
        self.0.get(Self::slot(id)).copied().unwrap_or(0)
    }
}

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte (inclusive).
    pub start: u32,
    /// One past the last byte (exclusive).
    pub end: u32,
}

impl Span {
    /// A span from a byte range; offsets beyond `u32::MAX` saturate (files that large are refused
    /// earlier, so this never matters in practice).
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Self {
        let cv = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            file,
            start: cv(range.start),
            end: cv(range.end.max(range.start)),
        }
    }

    /// The byte range as `usize`s.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// True when `other` lies inside `self` (same file).
    pub fn contains(&self, other: &Span) -> bool {
        self.file == other.file && self.start <= other.start && other.end <= self.end
    }
}

/// A 1-based position: line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// A span of a derived text in the file of the piece that holds its start (its end clipped
/// to the last piece of that file inside the span).
fn map_derived(d: &Derived, span: Span) -> Span {
    let (s, e) = (span.start as usize, span.end as usize);
    let Some((gs, file, os)) = d.pieces.iter().find(|(g, _, _)| g.end > s) else {
        return Span::new(d.of, 0..0);
    };
    let a = os.start + s.saturating_sub(gs.start).min(os.len());
    let end = d
        .pieces
        .iter()
        .rev()
        .find(|(g, f, _)| f == file && g.start < e.max(s + 1))
        .map(|(g, _, o)| o.start + e.saturating_sub(g.start).min(o.len()));
    match end {
        Some(b) if b >= a => Span::new(*file, a..b),
        _ => Span::new(*file, a..os.end.max(a)),
    }
}

/// One file's text and line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as it is printed: relative stays relative, `/` separators.
    pub path: String,
    /// The text, without a leading byte-order mark. A `String` behind the `Arc` (not an
    /// `Arc<str>`) so a text read from disk is kept without a copy (copying every text was
    /// 1.5 % of a 6,000-file scan).
    pub text: Arc<String>,
    line_starts: LineIndex,
    /// Where the text was read from and who chose the path (`None`: text added directly).
    read: Option<(PathBuf, PathOrigin)>,
    /// For a text read by [`SourceMap::add_read`] that [`SourceMap::evict`] may drop: its
    /// hash ([`text_hash`]), computed when it is added, on the thread that read it (hashing
    /// every text in `evict`, on the main thread, was 1 % of a 6,000-file scan).
    evictable: Option<u64>,
    /// For text derived from another file (Terraform JSON rewritten as HCL): that file and
    /// where each piece came from ([`SourceMap::original`]).
    derived: Option<Arc<Derived>>,
    /// Set when the text was dropped from memory ([`SourceMap::evict`]): `text` is empty and
    /// [`SourceMap::get`] reads the file again.
    evicted: Option<Evicted>,
}

/// What is kept of a file whose text was dropped ([`SourceMap::evict`]): enough to compute
/// positions (the text was ASCII, so columns are byte offsets) and to check that the file
/// read again is the one read first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Evicted {
    /// Length of the text in bytes.
    len: usize,
    /// Hash of the text ([`text_hash`]).
    hash: u64,
}

/// A text (without BOM) read from a file can be read again as it is: it was not decoded from
/// UTF-16 or cut at invalid UTF-8 (the read length says so), it is ASCII (columns are byte
/// offsets) and has no suppression comment (those are read for every file).
fn can_read_again(text: &str, read: &ReadFile) -> bool {
    let n = text.len();
    (read.len == n || read.len == n + 3)
        && text.is_ascii()
        && !has(text, "agwlint")
        && !has(text, "disable-next-line")
}

/// A hash of a file's text, to recognise it when it is read again (with its length): eight
/// bytes at a time, several times faster than SipHash; it guards against a file edited during
/// the run, not against an adversary.
fn text_hash(text: &str) -> u64 {
    let mix = |h: u64, w: u64| (h.rotate_left(23) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let bytes = text.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let mut h = words.by_ref().fold(0xCBF2_9CE4_8422_2325, |h, w| {
        mix(h, u64::from_le_bytes(w.try_into().unwrap_or([0; 8])))
    });
    let mut last = [0u8; 8];
    for (d, b) in last.iter_mut().zip(words.remainder()) {
        *d = *b;
    }
    h = mix(h, u64::from_le_bytes(last));
    mix(h, bytes.len() as u64)
}

/// Where the pieces of a derived text come from: `(range in the derived text, file, range in
/// that file)`, in increasing order of the derived range. A piece may come from another
/// derived text (an override merged into Terraform JSON); [`SourceMap::original`] follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// The file a span outside every piece falls back to.
    pub of: FileId,
    /// The pieces.
    pub pieces: Vec<(std::ops::Range<usize>, FileId, std::ops::Range<usize>)>,
}

impl SourceFile {
    /// Builds the line index of `text` (taken as it is when given as a `String`).
    pub fn new(path: String, text: impl Into<String>) -> Self {
        let mut text = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        SourceFile {
            path,
            line_starts: LineIndex::new(&text),
            text: Arc::new(text),
            read: None,
            evictable: None,
            derived: None,
            evicted: None,
        }
    }

    /// The file of `text` (without a BOM) as [`SourceMap::evict`] leaves it: positions, no
    /// text.
    fn new_without_text(path: String, text: &str) -> Self {
        SourceFile {
            path,
            text: Arc::default(),
            line_starts: LineIndex::new(text),
            read: None,
            evictable: None,
            derived: None,
            evicted: Some(Evicted {
                len: text.len(),
                hash: text_hash(text),
            }),
        }
    }

    /// Length of the text in bytes (also of a text dropped by [`SourceMap::evict`]).
    fn len(&self) -> usize {
        self.evicted.map_or(self.text.len(), |e| e.len)
    }

    /// Number of lines (a final line without newline counts).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based line `idx` starts.
    pub fn line_start(&self, idx: usize) -> usize {
        self.line_starts.get(idx).map_or(self.len(), |s| s as usize)
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        let off = u32::try_from(offset.min(self.len())).unwrap_or(u32::MAX);
        self.line_starts.line_of(off)
    }

    /// 1-based line and character column of a byte offset. An offset inside a multi-byte
    /// character is moved back to that character's start.
    pub fn line_col(&self, offset: usize) -> LineCol {
        if self.evicted.is_some() {
            // An ASCII text: characters are bytes.
            let offset = offset.min(self.len());
            let line = self.line_index(offset);
            return LineCol {
                line: line + 1,
                column: offset - self.line_start(line) + 1,
            };
        }
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_index(offset);
        let start = self.line_start(line);
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// 1-based column in UTF-16 code units (SARIF's default `columnKind`).
    pub fn col_utf16(&self, offset: usize) -> usize {
        if self.evicted.is_some() {
            return self.line_col(offset).column;
        }
        let offset = floor_char_boundary(&self.text, offset);
        let start = self.line_start(self.line_index(offset));
        self.text[start..offset].encode_utf16().count() + 1
    }

    /// The same file without its text, when it may be dropped ([`SourceMap::evict`]).
    fn without_text(&self) -> Option<SourceFile> {
        let hash = self.evictable?;
        if self.evicted.is_some() || self.derived.is_some() {
            return None;
        }
        let text: &str = &self.text;
        Some(SourceFile {
            path: self.path.clone(),
            text: Arc::default(),
            line_starts: self.line_starts.clone(),
            read: self.read.clone(),
            evictable: None,
            derived: None,
            evicted: Some(Evicted {
                len: text.len(),
                hash,
            }),
        })
    }

    /// The file with `text` in place of its dropped text: `text` when it is the text first
    /// read, else blanks (spaces, and newlines where the lines ended), so positions stay
    /// valid and nothing wrong is shown.
    fn with_text(&self, text: Option<String>) -> SourceFile {
        let len = self.len();
        let text = match (text, self.evicted) {
            (Some(t), Some(e)) if t.len() == e.len && text_hash(&t) == e.hash => t,
            _ => {
                let mut blank = vec![b' '; len];
                for s in self.line_starts.starts().skip(1) {
                    if let Some(b) = (s as usize).checked_sub(1).and_then(|i| blank.get_mut(i)) {
                        *b = b'\n';
                    }
                }
                String::from_utf8(blank).unwrap_or_default()
            }
        };
        SourceFile {
            path: self.path.clone(),
            text: Arc::from(text),
            line_starts: self.line_starts.clone(),
            read: self.read.clone(),
            evictable: None,
            derived: None,
            evicted: None,
        }
    }

    /// The text of a span, or "" when the span does not fit the file.
    pub fn slice(&self, span: &Span) -> &str {
        let r = span.range();
        self.text.get(r).unwrap_or("")
    }
}

/// True when `needle` occurs in `text` (memchr's SIMD search: every file read is searched).
pub(crate) fn has(text: &str, needle: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some()
}

/// True when `needle` (lower-case ASCII) occurs in `text` ignoring ASCII case: only the
/// positions of its first letter, in either case, are compared (memchr's search for them).
pub(crate) fn has_ignore_ascii_case(text: &str, needle: &str) -> bool {
    let (t, n) = (text.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return true;
    };
    memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), t).any(|i| {
        t.get(i..i + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
    })
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// Every file read during a scan. Adding is thread-safe so front-ends can run in parallel.
///
/// It is also the one place that reads files whose path comes from repository content
/// ([`SourceMap::read_confined`]): such a path is read only when it resolves (symbolic links
/// included) to a regular file inside the scan root.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: RwLock<Vec<Arc<SourceFile>>>,
    roots: RwLock<Option<Arc<[PathBuf]>>>,
    overlays: RwLock<Option<Arc<Overlays>>>,
    progress: std::sync::OnceLock<Arc<crate::progress::Progress>>,
    text_budget: std::sync::OnceLock<usize>,
    /// Canonical form of each directory whose files were read, keyed by the directory as
    /// written ([`SourceMap::canonicalize`]).
    dirs: Mutex<std::collections::HashMap<PathBuf, PathBuf>>,
}

/// How much source text a scan keeps in memory once its units are loaded, unless
/// [`SourceMap::set_text_budget`] says otherwise ([`SourceMap::evict_over_budget`]).
pub const TEXT_BUDGET: usize = 4 * 1024 * 1024;

/// Largest file whose text [`SourceMap::evict`] may drop. Dropping pays off for the many small
/// files of a big repository; a single large file is as large as its own model's share of the
/// peak, likely to have findings, and reading it again at report time raised the peak (the
/// 72 MB, 100,000-resource `main.tf`: 2,869 -> 2,980 MiB).
pub const MAX_EVICTABLE_BYTES: usize = 4 * 1024 * 1024;

/// In-memory texts that replace the disk content of files (the open buffers of an editor,
/// [`crate::lsp`]), keyed by canonical path.
pub type Overlays = std::collections::HashMap<PathBuf, Arc<str>>;

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id. A BOM at the start of `text` is dropped. A `String` is
    /// kept as it is (not copied).
    pub fn add(&self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        self.push(SourceFile::new(path.into(), text))
    }

    /// Adds the text of a file read by [`SourceMap::read_confined`], remembering where it was
    /// read from (the reporters show snippets only of files inside the scan root, or chosen on
    /// the command line: [`SourceMap::may_show`]).
    /// A `String` is kept as it is (not copied).
    pub fn add_read(
        &self,
        path: impl Into<String>,
        text: impl Into<String>,
        read: &ReadFile,
    ) -> FileId {
        let f = self.file_read(path.into(), text, read);
        self.push(f)
    }

    /// The file [`SourceMap::add_read`] adds.
    fn file_read(&self, path: String, text: impl Into<String>, read: &ReadFile) -> SourceFile {
        let mut f = SourceFile::new(path, text);
        f.read = Some((read.real.clone(), read.origin));
        // Only a regular file of the repository (read as content, inside the scan root: not a
        // path of the command line, which may be a pipe, nor a registry module of the restore
        // cache), read as it is (not decoded from UTF-16, not cut at invalid UTF-8: the read
        // length says so), ASCII (columns are byte offsets), with no suppression comment
        // (read for every file) may be dropped ([`SourceMap::evict`]).
        let n = f.text.len();
        f.evictable =
            (n <= MAX_EVICTABLE_BYTES && self.is_content(read) && can_read_again(&f.text, read))
                .then(|| text_hash(&f.text));
        f
    }

    /// [`SourceMap::add_read`] without keeping the text, when it can be read again as it
    /// was (the conditions of [`SourceMap::evict`], whatever its size, and a regular file
    /// named on the command line too): the file is as [`SourceMap::evict`] leaves it, and
    /// [`SourceMap::get`] reads it again when asked. `None` (nothing added) otherwise. For a
    /// front-end that parses a large file into its own tree and needs the text no more: the
    /// text is never copied into the map (a 50 MB template held its read buffer and the
    /// map's copy).
    pub fn add_read_unkept(
        &self,
        path: impl Into<String>,
        text: &str,
        read: &ReadFile,
    ) -> Option<FileId> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // A file named on the command line is read again only when it is a regular file (not
        // a pipe such as `<(...)`, which cannot be read twice).
        let again = self.is_content(read)
            || (read.origin == PathOrigin::CommandLine
                && !is_system_path(&read.real)
                && std::fs::metadata(&read.real).is_ok_and(|m| m.is_file()));
        if !again || !can_read_again(text, read) {
            return None;
        }
        let mut f = SourceFile::new_without_text(path.into(), text);
        f.read = Some((read.real.clone(), read.origin));
        Some(self.push(f))
    }

    /// Read as repository content, inside the scan root.
    fn is_content(&self, read: &ReadFile) -> bool {
        read.origin == PathOrigin::Content
            && self.scan_roots().is_some_and(|r| inside(&read.real, &r))
    }

    /// Adds a text, read by [`SourceMap::read_confined`] when `read` is given
    /// ([`SourceMap::add_read`]) or else as given ([`SourceMap::add`]); returns its id and the
    /// stored text (without a BOM) that spans index into. A `String` is kept as it is (not
    /// copied).
    pub fn add_text(
        &self,
        path: impl Into<String>,
        text: impl Into<String>,
        read: Option<&ReadFile>,
    ) -> (FileId, Arc<String>) {
        let f = match read {
            Some(r) => self.file_read(path.into(), text, r),
            None => SourceFile::new(path.into(), text),
        };
        let stored = Arc::clone(&f.text);
        (self.push(f), stored)
    }

    /// Adds a text derived from the file `derived.of` (never shown: spans into it are moved to
    /// the original by [`SourceMap::original`]).
    pub fn add_derived(&self, path: impl Into<String>, text: &str, derived: Derived) -> FileId {
        let mut f = SourceFile::new(path.into(), text);
        f.derived = Some(Arc::new(derived));
        self.push(f)
    }

    /// A span in the file it stands for: spans into a derived text map to the original file
    /// (each end onto the piece that holds it, or the nearest piece inside the span); other
    /// spans are returned as they are.
    pub fn original(&self, span: Span) -> Span {
        let mut span = span;
        // Derived texts are at most two levels deep (an override merged into Terraform JSON).
        for _ in 0..4 {
            let Some(d) = self.get_stored(span.file).and_then(|f| f.derived.clone()) else {
                return span;
            };
            span = map_derived(&d, span);
        }
        span
    }

    /// Counts every file added from now on in `progress` (the command line's progress line).
    pub fn set_progress(&self, progress: Arc<crate::progress::Progress>) {
        let _ = self.progress.set(progress);
    }

    /// The progress counters, when set.
    pub fn progress(&self) -> Option<&crate::progress::Progress> {
        self.progress.get().map(Arc::as_ref)
    }

    fn push(&self, file: SourceFile) -> FileId {
        if let Some(id) = self.replayed(&file.path) {
            return id;
        }
        if let Some(p) = self.progress.get() {
            p.file_read(&file.path);
        }
        let file = Arc::new(file);
        let mut files = match self.files.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        files.push(file);
        let id = FileId(u32::try_from(files.len() - 1).unwrap_or(u32::MAX));
        drop(files);
        TAPE.with(|t| {
            if let Some(Tape::Record(v)) = &mut *t.borrow_mut() {
                v.push(id);
            }
        });
        id
    }

    /// Runs `f` (on this thread, which must not hand work to other threads) and returns, with
    /// its result, the ids of the files it added, in order: [`SourceMap::replaying`] gives
    /// them again to a second run that reads the same files.
    pub fn recording<R>(&self, f: impl FnOnce() -> R) -> (R, Vec<FileId>) {
        let before = TAPE.with(|t| t.replace(Some(Tape::Record(Vec::new()))));
        let r = f();
        let tape = TAPE.with(|t| t.replace(before));
        let ids = match tape {
            Some(Tape::Record(v)) => v,
            _ => Vec::new(),
        };
        (r, ids)
    }

    /// Runs `f` (as for [`SourceMap::recording`]) so that the files it adds get the ids
    /// recorded for an earlier run instead of new ones: a unit loaded again has the spans of
    /// its first load. Each file added takes the next recorded id of its path (the recorded
    /// files before it that the second run does not add again, such as modules parsed again
    /// from stored text, are passed over); a file of a path not recorded after that point
    /// (the repository changed in between) is added anew.
    pub fn replaying<R>(&self, ids: &[FileId], f: impl FnOnce() -> R) -> R {
        let before = TAPE.with(|t| {
            t.replace(Some(Tape::Replay {
                ids: ids.to_vec(),
                next: 0,
            }))
        });
        let r = f();
        TAPE.with(|t| t.replace(before));
        r
    }

    /// The recorded id for the next file of a replay ([`SourceMap::replaying`]) when it is of
    /// `path`: the first id from the replay's position on that has that path.
    fn replayed(&self, path: &str) -> Option<FileId> {
        TAPE.with(|t| match &mut *t.borrow_mut() {
            Some(Tape::Replay { ids, next }) => {
                let at = (*next..ids.len())
                    .find(|&k| self.get_stored(ids[k]).is_some_and(|f| f.path == path))?;
                *next = at + 1;
                Some(ids[at])
            }
            _ => None,
        })
    }

    /// The file behind an id, with its text: a text dropped by [`SourceMap::evict`] is read
    /// again (with the checks of the first read) and kept from then on; when the file cannot
    /// be read again or has changed since, its text is blanks (spaces, and the same line
    /// breaks), so positions stay valid and no snippet is wrong.
    pub fn get(&self, id: FileId) -> Option<Arc<SourceFile>> {
        let f = self.get_stored(id)?;
        if f.evicted.is_none() {
            return Some(f);
        }
        let reread = f.read.as_ref().and_then(|(real, origin)| {
            let limit = u64::try_from(f.len()).unwrap_or(u64::MAX).saturating_add(3);
            // Repository content is read again with the checks of the first read; a file of
            // the command line (dropped only when it was a regular file) must still be one:
            // read as content, whose handle must be a regular file, but wherever it is.
            let read = match origin {
                // Resolved afresh, not through the directories remembered at the first
                // read: a directory swapped for a link since must not lead outside.
                PathOrigin::Content => confined_path(real, self.scan_roots().as_deref(), |p| {
                    std::fs::canonicalize(p).map(|r| (r, None))
                })
                .and_then(|(r, meta)| self.read_real(r, Some(meta), *origin, limit)),
                PathOrigin::CommandLine => {
                    if !std::fs::metadata(real).is_ok_and(|m| m.is_file()) {
                        return None;
                    }
                    self.read_real(real.clone(), None, PathOrigin::Content, limit)
                }
            };
            let bytes = read.ok()?.bytes;
            let text = String::from_utf8(bytes).ok()?;
            Some(text)
        });
        // Moved, not copied: a re-read of a large file costs its text once more, not thrice.
        let text = reread.map(|mut t| {
            if t.starts_with('\u{feff}') {
                t.drain(..'\u{feff}'.len_utf8());
            }
            t
        });
        let full = Arc::new(f.with_text(text));
        let mut files = match self.files.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(slot) = files.get_mut(id.0 as usize) {
            *slot = Arc::clone(&full);
        }
        Some(full)
    }

    /// The file behind an id as stored: without its text when [`SourceMap::evict`] dropped it
    /// (its path, lines and positions are there; [`SourceMap::get`] brings the text back).
    pub fn get_stored(&self, id: FileId) -> Option<Arc<SourceFile>> {
        let files = match self.files.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        files.get(id.0 as usize).cloned()
    }

    /// Sets how much source text [`SourceMap::evict_over_budget`] keeps (default
    /// [`TEXT_BUDGET`]); the first call wins.
    pub fn set_text_budget(&self, bytes: usize) {
        let _ = self.text_budget.set(bytes);
    }

    /// [`SourceMap::evict`] with the budget of [`SourceMap::set_text_budget`].
    pub fn evict_over_budget(&self) {
        self.evict_except(
            self.text_budget.get().copied().unwrap_or(TEXT_BUDGET),
            |_| false,
        );
    }

    /// [`SourceMap::evict_over_budget`], keeping the texts of the files `pinned` names: those
    /// still to be parsed (dropping them would only read them from disk again).
    pub fn evict_over_budget_except(&self, pinned: impl Fn(FileId) -> bool) {
        self.evict_except(
            self.text_budget.get().copied().unwrap_or(TEXT_BUDGET),
            pinned,
        );
    }

    /// Drops from memory the text of the files that can be read again as they were (read
    /// from disk as UTF-8, ASCII, without a suppression comment, which is read for every
    /// file), once the texts in memory total more than `keep` bytes: a small scan keeps them
    /// (reading again would cost more than the memory). Positions
    /// ([`SourceMap::span_lines`]) need no text; [`SourceMap::get`] reads a dropped text
    /// again when something asks for it. A scan calls it once the units that read the files
    /// are loaded.
    pub fn evict(&self, keep: usize) {
        self.evict_except(keep, |_| false);
    }

    /// [`SourceMap::evict`], but never the texts of the files `pinned` names.
    fn evict_except(&self, keep: usize, pinned: impl Fn(FileId) -> bool) {
        let mut files = match self.files.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let resident: usize = files.iter().map(|f| f.text.len()).sum();
        if resident <= keep {
            return;
        }
        for (i, slot) in files.iter_mut().enumerate() {
            if pinned(FileId(u32::try_from(i).unwrap_or(u32::MAX))) {
                continue;
            }
            if let Some(light) = slot.without_text() {
                *slot = Arc::new(light);
            }
        }
    }

    /// The printed path of a file ("" for an unknown id).
    pub fn path(&self, id: FileId) -> String {
        self.get_stored(id)
            .map(|f| f.path.clone())
            .unwrap_or_default()
    }

    /// The rank of each of `ids`' printed paths among them ([`PathRanks`]).
    pub fn path_ranks(&self, ids: impl Iterator<Item = FileId>) -> PathRanks {
        let mut ids: Vec<FileId> = ids.collect();
        ids.sort_unstable();
        ids.dedup();
        // Each file's path is looked up once (`path` takes a lock and allocates).
        let mut by_path: Vec<(String, FileId)> =
            ids.into_iter().map(|id| (self.path(id), id)).collect();
        by_path.sort_unstable();
        let len = by_path
            .iter()
            .map(|(_, id)| PathRanks::slot(*id))
            .max()
            .map_or(0, |m| m + 1);
        let mut rank = vec![0u32; len];
        let mut r = 0u32;
        for (i, (p, id)) in by_path.iter().enumerate() {
            if i > 0 && by_path[i - 1].0 != *p {
                r += 1;
            }
            if let Some(x) = rank.get_mut(PathRanks::slot(*id)) {
                *x = r;
            }
        }
        PathRanks(rank)
    }

    /// Start and end (exclusive) positions of a span; `None` for an unknown file.
    pub fn span_lines(&self, span: &Span) -> Option<(LineCol, LineCol)> {
        let f = self.get_stored(span.file)?;
        Some((
            f.line_col(span.start as usize),
            f.line_col(span.end as usize),
        ))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        match self.files.read() {
            Ok(g) => g.len(),
            Err(p) => p.into_inner().len(),
        }
    }

    /// True when no file was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets the scan root(s): paths from repository content are read only below one of them.
    /// [`crate::lint`] sets them from the lint paths ([`scan_roots`]) unless the caller did.
    /// Roots that cannot be resolved are dropped.
    pub fn set_scan_roots(&self, roots: &[PathBuf]) {
        let canon: Vec<PathBuf> = roots
            .iter()
            .filter_map(|r| std::fs::canonicalize(r).ok())
            .collect();
        let mut g = match self.roots.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = Some(Arc::from(canon));
    }

    /// The scan roots (canonical), or `None` when none were set: then only the file-kind and
    /// size checks of [`SourceMap::read_confined`] apply.
    pub fn scan_roots(&self) -> Option<Arc<[PathBuf]>> {
        match self.roots.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Sets the in-memory texts that [`SourceMap::read_confined`] returns instead of the disk
    /// content of the same (canonical) paths. The confinement checks still apply: an overlay
    /// only replaces the bytes of a file that may be read.
    pub fn set_overlays(&self, overlays: Arc<Overlays>) {
        let mut g = match self.overlays.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = Some(overlays);
    }

    /// The overlays set by [`SourceMap::set_overlays`], if any.
    pub fn overlays(&self) -> Option<Arc<Overlays>> {
        match self.overlays.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn overlay(&self, real: &Path) -> Option<Arc<str>> {
        self.overlays().and_then(|o| o.get(real).cloned())
    }

    /// Reads a file of at most `limit` bytes (or its overlay, [`SourceMap::set_overlays`]).
    ///
    /// A path from the command line ([`PathOrigin::CommandLine`]) is read wherever it is and
    /// whatever it is (`--var-file <(...)` is a pipe). A path from repository content
    /// ([`PathOrigin::Content`]) is resolved, symbolic links included, and read only when it is
    /// a regular file inside the scan root and not under `/proc`, `/sys` or `/dev`; otherwise
    /// the typed [`Refusal`] says why, and nothing of the file was read.
    pub fn read_confined(
        &self,
        path: &Path,
        origin: PathOrigin,
        limit: u64,
    ) -> Result<ReadFile, Refusal> {
        let (real, meta) = match origin {
            PathOrigin::CommandLine => (
                std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
                None,
            ),
            PathOrigin::Content => {
                let (real, meta) = self.confined_path(path, self.scan_roots().as_deref())?;
                (real, Some(meta))
            }
        };
        self.read_real(real, meta, origin, limit)
    }

    /// Reads a file named by repository content that must lie below `root` rather than the
    /// scan root: a Bicep registry module in the user's restore cache. The same checks as
    /// [`SourceMap::read_confined`] apply with `root` (canonical) as the only root, symbolic
    /// links included; the file counts as repository content, so the reporters never show its
    /// text when it lies outside the scan root ([`SourceMap::may_show`]).
    pub fn read_confined_under(
        &self,
        path: &Path,
        root: &Path,
        limit: u64,
    ) -> Result<ReadFile, Refusal> {
        let root = std::fs::canonicalize(root).map_err(|e| Refusal::Unreadable(e.kind()))?;
        let (real, meta) = self.confined_path(path, Some(std::slice::from_ref(&root)))?;
        self.read_real(real, Some(meta), PathOrigin::Content, limit)
    }

    /// Reads `real`, whose metadata (following links) is `meta` when already known.
    fn read_real(
        &self,
        real: PathBuf,
        meta: Option<std::fs::Metadata>,
        origin: PathOrigin,
        limit: u64,
    ) -> Result<ReadFile, Refusal> {
        let meta = match meta {
            Some(m) => m,
            None => std::fs::metadata(&real).map_err(|e| Refusal::Unreadable(e.kind()))?,
        };
        if meta.is_file()
            && let Some(text) = self.overlay(&real)
        {
            if text.len() as u64 > limit {
                return Err(Refusal::TooLarge(limit));
            }
            return Ok(ReadFile {
                bytes: text.as_bytes().to_vec(),
                len: text.len(),
                real,
                origin,
            });
        }
        if meta.is_dir() {
            return Err(Refusal::Unreadable(std::io::ErrorKind::IsADirectory));
        }
        if meta.is_file() && meta.len() > limit {
            return Err(Refusal::TooLarge(limit));
        }
        let file = std::fs::File::open(&real).map_err(|e| Refusal::Unreadable(e.kind()))?;
        if origin == PathOrigin::Content {
            // The handle itself must be the regular file checked (not swapped since).
            match file.metadata() {
                Ok(m) if m.is_file() => {}
                _ => return Err(Refusal::SpecialFile),
            }
        }
        // Sized from the metadata: `take` hides the file's size from `read_to_end`, which then
        // grew the buffer by doubling (a 50 MB file held 67 MB).
        let hint = usize::try_from(meta.len().min(limit)).unwrap_or(0);
        let mut bytes = Vec::with_capacity(hint.saturating_add(1));
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| Refusal::Unreadable(e.kind()))?;
        if bytes.len() as u64 > limit {
            return Err(Refusal::TooLarge(limit));
        }
        Ok(ReadFile {
            len: bytes.len(),
            bytes,
            real,
            origin,
        })
    }

    /// [`confined_path`] with this map's directory cache.
    fn confined_path(
        &self,
        path: &Path,
        roots: Option<&[PathBuf]>,
    ) -> Result<(PathBuf, std::fs::Metadata), Refusal> {
        confined_path(path, roots, |p| self.canonicalize(p))
    }

    /// `std::fs::canonicalize`, remembering the canonical form of each directory: a file that
    /// is not a symbolic link resolves to its directory's canonical form plus its name (one
    /// `lstat` instead of a `readlink` per path component; a 6,000-file scan spent 4 % of its
    /// time there), and its metadata is that `lstat`'s. A symbolic link, a name ending in
    /// `..` or `.`, or a path without a directory takes the full resolution (metadata `None`).
    fn canonicalize(&self, path: &Path) -> std::io::Result<(PathBuf, Option<std::fs::Metadata>)> {
        let Some((dir, name)) = dir_and_name(path) else {
            return std::fs::canonicalize(path).map(|r| (r, None));
        };
        let meta = std::fs::symlink_metadata(path)?;
        if meta.file_type().is_symlink() {
            return std::fs::canonicalize(path).map(|r| (r, None));
        }
        Ok((self.canonical_dir(dir)?.join(name), Some(meta)))
    }

    /// `std::fs::canonicalize` of a directory, remembered for the rest of the scan (the
    /// Terraform loader resolved each module directory five times, the ARM front-end each
    /// template's directory once per template). A directory that is not a symbolic link is
    /// its parent's canonical form (remembered, else resolved and remembered) and its name:
    /// one `lstat` instead of `realpath`'s `readlink` of every component of the path.
    pub fn canonical_dir(&self, dir: &Path) -> std::io::Result<PathBuf> {
        if let Some(d) = self.remembered_dir(dir) {
            return Ok(d);
        }
        let d = match dir_and_name(dir) {
            Some((parent, name)) if !std::fs::symlink_metadata(dir)?.file_type().is_symlink() => {
                match self.remembered_dir(parent) {
                    Some(p) => p,
                    None => self.remember_dir(parent, std::fs::canonicalize(parent)?),
                }
                .join(name)
            }
            _ => std::fs::canonicalize(dir)?,
        };
        Ok(self.remember_dir(dir, d))
    }

    fn remembered_dir(&self, dir: &Path) -> Option<PathBuf> {
        match self.dirs.lock() {
            Ok(g) => g.get(dir).cloned(),
            Err(p) => p.into_inner().get(dir).cloned(),
        }
    }

    fn remember_dir(&self, dir: &Path, canonical: PathBuf) -> PathBuf {
        match self.dirs.lock() {
            Ok(mut g) => g.insert(dir.to_path_buf(), canonical.clone()),
            Err(p) => p.into_inner().insert(dir.to_path_buf(), canonical.clone()),
        };
        canonical
    }

    /// Checks, without reading, that a regular file named by repository content (a project's
    /// `host.json`) resolves inside the scan root; returns its canonical path.
    pub fn confined_file(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let (real, meta) = self.confined_path(path, self.scan_roots().as_deref())?;
        if !meta.is_file() {
            return Err(Refusal::Unreadable(std::io::ErrorKind::NotFound));
        }
        Ok(real)
    }

    /// Checks, without reading, that a directory named by repository content (a Terraform
    /// module `source`) resolves inside the scan root; returns its canonical path.
    pub fn confined_dir(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let real = self
            .canonical_dir(path)
            .map_err(|e| Refusal::Unreadable(e.kind()))?;
        if is_system_path(&real) {
            return Err(Refusal::SpecialFile);
        }
        if let Some(roots) = self.scan_roots()
            && !inside(&real, &roots)
        {
            return Err(Refusal::OutsideScanRoot);
        }
        if !real.is_dir() {
            return Err(Refusal::Unreadable(std::io::ErrorKind::NotADirectory));
        }
        Ok(real)
    }

    /// True when the reporters may show the text of a file: it was added as text, chosen on the
    /// command line, or read from inside the scan root. A backstop behind
    /// [`SourceMap::read_confined`]: a file outside the root never gets into the map.
    pub fn may_show(&self, id: FileId) -> bool {
        let Some(f) = self.get_stored(id) else {
            return false;
        };
        match &f.read {
            None | Some((_, PathOrigin::CommandLine)) => true,
            Some((real, PathOrigin::Content)) => {
                !is_system_path(real) && self.scan_roots().is_none_or(|r| inside(real, &r))
            }
        }
    }
}

/// Who chose a path that is about to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathOrigin {
    /// The person running agwlint: a lint path or a flag (`--parameters`, `--var-file`,
    /// `--config`, `--baseline`). Read wherever it is.
    CommandLine,
    /// Repository content: a template's `templateLink`, a parameter file beside a template, a
    /// mapping of `.agwlint.yaml`, a Terraform module `source`, a file met while walking a
    /// directory. Read only inside the scan root.
    Content,
}

/// A file read by [`SourceMap::read_confined`].
#[derive(Debug, Clone)]
pub struct ReadFile {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// How many bytes were read (`bytes` may have been taken since).
    pub len: usize,
    /// The path it was read from, resolved.
    pub real: PathBuf,
    /// Who chose the path.
    pub origin: PathOrigin,
}

/// Why [`SourceMap::read_confined`] did not read a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A path from repository content resolves outside the scan root (an absolute path, a `..`
    /// escape, a symbolic link): not read. Reported as AGW901.
    OutsideScanRoot,
    /// A path from repository content resolves to something other than a regular file (a
    /// device, FIFO, socket, or anything under `/proc`, `/sys`, `/dev`): not read. Reported as
    /// AGW901.
    SpecialFile,
    /// Larger than the limit (bytes).
    TooLarge(u64),
    /// Missing or unreadable (including a path that is not valid for the system).
    Unreadable(std::io::ErrorKind),
}

impl Refusal {
    /// True for the refusals of the confinement rule (outside the scan root, special file),
    /// which are reported as AGW901; the others are ordinary read errors.
    pub fn is_confinement(&self) -> bool {
        matches!(self, Refusal::OutsideScanRoot | Refusal::SpecialFile)
    }

    /// Why, in words (never any of the file's content): "points outside the scan root".
    pub fn reason(&self) -> String {
        match self {
            Refusal::OutsideScanRoot => "points outside the scan root".to_string(),
            Refusal::SpecialFile => {
                "is not a regular file (a device, pipe, socket or system file)".to_string()
            }
            Refusal::TooLarge(n) => format!("is larger than the {} MiB limit", n / (1024 * 1024)),
            Refusal::Unreadable(k) => format!("cannot be read ({k})"),
        }
    }
}

/// Resolves a path from repository content and checks the confinement rule (without reading);
/// returns the canonical path and its metadata.
fn confined_path(
    path: &Path,
    roots: Option<&[PathBuf]>,
    canonicalize: impl Fn(&Path) -> std::io::Result<(PathBuf, Option<std::fs::Metadata>)>,
) -> Result<(PathBuf, std::fs::Metadata), Refusal> {
    let (resolved, known) = match canonicalize(path) {
        Ok((r, m)) => (Ok(r), m),
        Err(e) => (Err(e), None),
    };
    if let Some(roots) = roots {
        // A reference whose written form leaves every root is refused whether or not it
        // exists, so the answer says nothing about the outside file system (unless it
        // resolves back inside, as through a symbolic link to the root itself).
        let lexical = absolute(path);
        let back_inside = resolved.as_ref().is_ok_and(|r| inside(r, roots));
        if !inside(&lexical, roots) && !back_inside {
            return Err(Refusal::OutsideScanRoot);
        }
    }
    let real = resolved.map_err(|e| Refusal::Unreadable(e.kind()))?;
    if is_system_path(&real) {
        return Err(Refusal::SpecialFile);
    }
    if let Some(roots) = roots
        && !inside(&real, roots)
    {
        return Err(Refusal::OutsideScanRoot);
    }
    let meta = match known {
        Some(m) => m,
        None => std::fs::metadata(&real).map_err(|e| Refusal::Unreadable(e.kind()))?,
    };
    if !meta.is_file() && !meta.is_dir() {
        return Err(Refusal::SpecialFile);
    }
    Ok((real, meta))
}

/// A path's directory and final name when the path is written `dir/name` exactly, with a
/// plain name (not `.` nor `..`) and a non-empty directory: then it resolves as its
/// directory's canonical form joined with the name, unless the name is a symbolic link. Not
/// for `name/.` nor `name/`, which `lstat` would resolve through a link named `name`.
fn dir_and_name(path: &Path) -> Option<(&Path, &str)> {
    let (dir, name, raw) = (
        path.parent()?,
        path.file_name().and_then(|n| n.to_str())?,
        path.to_str()?,
    );
    let ends_in_name = raw
        .strip_suffix(name)
        .is_some_and(|d| d.ends_with(std::path::MAIN_SEPARATOR));
    if dir.as_os_str().is_empty() || !ends_in_name {
        return None;
    }
    Some((dir, name))
}

/// The absolute, lexically normalised form of a path (symbolic links not resolved).
fn absolute(p: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn inside(real: &Path, roots: &[PathBuf]) -> bool {
    roots.iter().any(|r| real.starts_with(r))
}

/// `/proc`, `/sys` and `/dev`: never read for repository content, whatever the scan root.
fn is_system_path(real: &Path) -> bool {
    ["/proc", "/sys", "/dev"]
        .iter()
        .any(|p| real.starts_with(p))
}

/// Names of the configuration file; the directory holding one is a repository root.
const ROOT_MARKERS: &[&str] = &[".agwlint.yaml", ".agwlint.yml"];

/// The scan root of one lint path: the nearest directory at or above it that holds
/// `.agwlint.yaml` (or `.yml`) or `.git` (found by walking up; git is never run); else the
/// current directory when the path lies below it; else the path itself (its directory for a
/// file). Canonical paths.
pub fn scan_root(path: &Path, cwd: &Path) -> PathBuf {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| absolute(path));
    let start = if real.is_dir() {
        real.clone()
    } else {
        real.parent()
            .map_or_else(|| real.clone(), Path::to_path_buf)
    };
    for d in start.ancestors() {
        if ROOT_MARKERS.iter().any(|m| d.join(m).is_file()) || d.join(".git").exists() {
            return d.to_path_buf();
        }
    }
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    if start.starts_with(&cwd) { cwd } else { start }
}

/// The scan roots of a run: [`scan_root`] of every lint path.
pub fn scan_roots(paths: &[PathBuf], cwd: &Path) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = paths.iter().map(|p| scan_root(p, cwd)).collect();
    roots.sort();
    roots.dedup();
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replayed_load_gets_the_recorded_id_of_each_path_in_order() {
        let m = SourceMap::new();
        let (_, ids) = m.recording(|| {
            m.add("a.json", "{}");
            m.add("b.json", "{}");
            m.add("c.json", "{}")
        });
        m.add("other.json", "{}");
        assert_eq!(ids, vec![FileId(0), FileId(1), FileId(2)]);
        // Same files in the same order: the same ids, nothing added.
        let again = m.replaying(&ids, || {
            [
                m.add("a.json", "{}"),
                m.add("b.json", "{}"),
                m.add("c.json", "{}"),
            ]
        });
        assert_eq!(again, [FileId(0), FileId(1), FileId(2)]);
        assert_eq!(m.len(), 4);
        // A path not recorded is added anew; the files after it keep their ids.
        let changed = m.replaying(&ids, || {
            [
                m.add("a.json", "{}"),
                m.add("x.json", "{}"),
                m.add("c.json", "{}"),
            ]
        });
        assert_eq!(changed, [FileId(0), FileId(4), FileId(2)]);
        // A recorded file the second run does not add (a module parsed again from its stored
        // text) is passed over.
        let fewer = m.replaying(&ids, || [m.add("a.json", "{}"), m.add("c.json", "{}")]);
        assert_eq!(fewer, [FileId(0), FileId(2)]);
        // A file added again after a later one of the recording is added anew: the ids are
        // given in the recorded order.
        let reordered = m.replaying(&ids, || [m.add("c.json", "{}"), m.add("a.json", "{}")]);
        assert_eq!(reordered, [FileId(2), FileId(5)]);
        // Outside a replay, files are added as usual.
        assert_eq!(m.add("a.json", "{}"), FileId(6));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_below_a_remembered_directory_resolves_as_canonicalize_does() {
        use std::os::unix::fs::symlink;
        let tmp = std::env::temp_dir().join(format!("agwlint-dircache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("root/real")).unwrap();
        std::fs::create_dir_all(tmp.join("outside")).unwrap();
        std::fs::write(tmp.join("root/real/a.json"), "{}").unwrap();
        std::fs::write(tmp.join("root/real/b.json"), "{}").unwrap();
        std::fs::write(tmp.join("outside/a.json"), "{}").unwrap();
        symlink(tmp.join("root/real"), tmp.join("root/in")).unwrap();
        symlink(tmp.join("outside"), tmp.join("root/out")).unwrap();
        symlink(tmp.join("outside/a.json"), tmp.join("root/real/link.json")).unwrap();
        let map = SourceMap::new();
        map.set_scan_roots(&[tmp.join("root")]);
        let read = |p: &str| map.read_confined(&tmp.join(p), PathOrigin::Content, 100);
        // Twice each: the second read of a directory uses the remembered resolution.
        for _ in 0..2 {
            for p in ["root/real/a.json", "root/in/a.json", "root/in/../in/b.json"] {
                let want = std::fs::canonicalize(tmp.join(p)).unwrap();
                assert_eq!(read(p).unwrap().real, want, "{p}");
            }
            for p in [
                "root/out/a.json",
                "root/real/link.json",
                "root/in/link.json",
            ] {
                assert!(
                    matches!(read(p), Err(Refusal::OutsideScanRoot)),
                    "{p} leaves the root"
                );
            }
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn a_remembered_directory_resolves_as_canonicalize_does() {
        use std::os::unix::fs::symlink;
        let tmp = std::env::temp_dir().join(format!("agwlint-dirs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("root/real/sub")).unwrap();
        std::fs::create_dir_all(tmp.join("outside/deep")).unwrap();
        symlink(tmp.join("root/real"), tmp.join("root/in")).unwrap();
        symlink(tmp.join("outside"), tmp.join("root/out")).unwrap();
        symlink("../real/sub", tmp.join("root/real/rel")).unwrap();
        let map = SourceMap::new();
        // Twice each: the second time from what was remembered.
        for _ in 0..2 {
            for p in [
                "root/real/sub",
                "root/in/sub",
                "root/in/../in/sub",
                "root/in/sub/..",
                "root/real/./sub",
                "root/in/rel",
                "root/in/rel/../sub",
                "root/out/deep",
                "root/out",
                "root",
            ] {
                let want = std::fs::canonicalize(tmp.join(p)).unwrap();
                assert_eq!(map.canonical_dir(&tmp.join(p)).unwrap(), want, "{p}");
            }
            assert!(map.canonical_dir(&tmp.join("root/none")).is_err());
            assert!(map.canonical_dir(&tmp.join("root/none/sub")).is_err());
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn overlays_replace_the_disk_content_only_where_reading_is_allowed() {
        let tmp = std::env::temp_dir().join(format!("agwlint-overlay-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("root")).unwrap();
        std::fs::write(tmp.join("root/a.tf"), "disk").unwrap();
        std::fs::write(tmp.join("outside.tf"), "disk").unwrap();
        let map = SourceMap::new();
        map.set_scan_roots(&[tmp.join("root")]);
        let a = std::fs::canonicalize(tmp.join("root/a.tf")).unwrap();
        let out = std::fs::canonicalize(tmp.join("outside.tf")).unwrap();
        let overlays: Overlays = [(a, Arc::from("buffer")), (out, Arc::from("buffer"))]
            .into_iter()
            .collect();
        map.set_overlays(Arc::new(overlays));
        let read = map
            .read_confined(&tmp.join("root/a.tf"), PathOrigin::Content, 100)
            .unwrap();
        assert_eq!(read.bytes, b"buffer");
        assert!(matches!(
            map.read_confined(&tmp.join("root/a.tf"), PathOrigin::Content, 3),
            Err(Refusal::TooLarge(3))
        ));
        assert!(matches!(
            map.read_confined(&tmp.join("outside.tf"), PathOrigin::Content, 100),
            Err(Refusal::OutsideScanRoot)
        ));
        let _ = std::fs::remove_dir_all(&tmp);
    }

    fn evict_setup(name: &str) -> (PathBuf, SourceMap) {
        let tmp = std::env::temp_dir().join(format!("agwlint-evict-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("root")).unwrap();
        let map = SourceMap::new();
        map.set_scan_roots(&[tmp.join("root")]);
        (tmp, map)
    }

    fn add_file(map: &SourceMap, path: &Path, text: &str) -> FileId {
        std::fs::write(path, text).unwrap();
        let mut read = map
            .read_confined(path, PathOrigin::Content, 1 << 20)
            .unwrap();
        let bytes = std::mem::take(&mut read.bytes);
        map.add_read("a.json", std::str::from_utf8(&bytes).unwrap(), &read)
    }

    #[test]
    fn a_pinned_text_is_kept_when_the_others_are_evicted() {
        let (tmp, map) = evict_setup("pinned");
        map.set_text_budget(0);
        let a = add_file(&map, &tmp.join("root/a.tf"), "a = 1\n");
        let b = add_file(&map, &tmp.join("root/b.tf"), "b = 2\n");
        map.evict_over_budget_except(|id| id == b);
        assert_eq!(&*map.get_stored(a).unwrap().text, "", "a is dropped");
        assert_eq!(&*map.get_stored(b).unwrap().text, "b = 2\n", "b is kept");
        map.evict_over_budget();
        assert_eq!(&*map.get_stored(b).unwrap().text, "", "b is dropped");
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn an_evicted_text_keeps_its_positions_and_is_read_again_when_asked_for() {
        let (tmp, map) = evict_setup("again");
        let text = "{\n  \"a\": 1,\n  \"b\": [true]\n}";
        let id = add_file(&map, &tmp.join("root/a.json"), text);
        let span = Span::new(id, 14..18);
        let before = map.span_lines(&span).unwrap();
        map.evict(0);
        let stored = map.get_stored(id).unwrap();
        assert_eq!(&*stored.text, "", "the text is dropped");
        assert_eq!(map.span_lines(&span).unwrap(), before);
        assert_eq!(stored.col_utf16(20), 9);
        assert_eq!(map.path(id), "a.json");
        let again = map.get(id).unwrap();
        assert_eq!(&*again.text, text);
        assert_eq!(again.slice(&span), "\"b\":");
        assert_eq!(map.span_lines(&span).unwrap(), before);
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn an_unkept_text_is_read_again_when_asked_for_or_refused() {
        let (tmp, map) = evict_setup("unkept");
        let large_text = format!("{{\"a\": \"{}\"}}\n", "x".repeat(MAX_EVICTABLE_BYTES));
        // Outside the scan root, but named on the command line: a regular file, read again.
        let given_text = "{\n  \"g\": 1\n}";
        let add = |path: &Path, text: &str, origin: PathOrigin| {
            std::fs::write(path, text).unwrap();
            let mut read = map.read_confined(path, origin, 1 << 24).unwrap();
            let bytes = std::mem::take(&mut read.bytes);
            map.add_read_unkept("x.json", std::str::from_utf8(&bytes).unwrap(), &read)
        };
        let large = add(&tmp.join("root/l.json"), &large_text, PathOrigin::Content).unwrap();
        let given = add(&tmp.join("given.json"), given_text, PathOrigin::CommandLine).unwrap();
        let bom = add(
            &tmp.join("root/b.json"),
            "\u{feff}{\"b\": 2}",
            PathOrigin::Content,
        )
        .unwrap();
        for id in [large, given, bom] {
            assert_eq!(&*map.get_stored(id).unwrap().text, "", "not kept");
        }
        // Cannot be read back as it was: not added.
        assert!(add(&tmp.join("root/a.json"), "{\"é\": 1}", PathOrigin::Content).is_none());
        assert!(
            add(
                &tmp.join("root/s.json"),
                "{\n// agwlint-ignore AGW001\n}",
                PathOrigin::Content
            )
            .is_none()
        );
        let span = Span::new(given, 4..7);
        assert_eq!(
            map.span_lines(&span).unwrap().0,
            LineCol { line: 2, column: 3 }
        );
        assert_eq!(map.get(given).unwrap().slice(&span), "\"g\"");
        assert_eq!(*map.get(large).unwrap().text, large_text);
        assert_eq!(&*map.get(bom).unwrap().text, "{\"b\": 2}");
        // Changed since: blanks, same lines.
        std::fs::write(tmp.join("given.json"), "{\n  \"h\": 1\n}").unwrap();
        let fresh = add(&tmp.join("given.json"), given_text, PathOrigin::CommandLine).unwrap();
        std::fs::write(tmp.join("given.json"), "{\n  \"h\": 1\n}").unwrap();
        assert_eq!(&*map.get(fresh).unwrap().text, " \n        \n ");
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn a_text_changed_or_moved_outside_the_root_since_is_blank_not_wrong() {
        let (tmp, map) = evict_setup("changed");
        let text = "{\n  \"a\": 1\n}\n";
        let changed = add_file(&map, &tmp.join("root/a.json"), text);
        let moved = add_file(&map, &tmp.join("root/b.json"), text);
        let gone = add_file(&map, &tmp.join("root/c.json"), text);
        map.evict(0);
        std::fs::write(tmp.join("root/a.json"), "{\n  \"x\": 2\n}\n").unwrap();
        // The same text, but now through a link to a file outside the scan root.
        std::fs::write(tmp.join("outside.json"), text).unwrap();
        std::fs::remove_file(tmp.join("root/b.json")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.join("outside.json"), tmp.join("root/b.json")).unwrap();
        std::fs::remove_file(tmp.join("root/c.json")).unwrap();
        // A directory read through first, swapped since for a link to a directory outside
        // that holds the same text: not read through the link.
        #[cfg(unix)]
        let swapped = {
            std::fs::create_dir_all(tmp.join("root/d")).unwrap();
            std::fs::create_dir_all(tmp.join("out")).unwrap();
            let id = add_file(&map, &tmp.join("root/d/e.json"), text);
            map.evict(0);
            std::fs::write(tmp.join("out/e.json"), text).unwrap();
            std::fs::rename(tmp.join("root/d"), tmp.join("d-moved")).unwrap();
            std::os::unix::fs::symlink(tmp.join("out"), tmp.join("root/d")).unwrap();
            id
        };
        #[cfg(not(unix))]
        let swapped = gone;
        for id in [changed, moved, gone, swapped] {
            let f = map.get(id).unwrap();
            assert_eq!(&*f.text, " \n        \n \n", "blanks, same lines");
            assert_eq!(f.line_col(8), LineCol { line: 2, column: 7 });
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn texts_that_cannot_be_read_back_as_they_are_stay() {
        let (tmp, map) = evict_setup("stay");
        let accents = add_file(&map, &tmp.join("root/a.json"), "{\"é\": 1}");
        let suppressed = add_file(
            &map,
            &tmp.join("root/b.json"),
            "{\n// agwlint-ignore AGW001\n\"a\": 1}",
        );
        let plain = add_file(&map, &tmp.join("root/c.json"), "{}");
        let added = map.add("d.json", "{}");
        std::fs::write(tmp.join("root/e.json"), "{}").unwrap();
        let mut read = map
            .read_confined(&tmp.join("root/e.json"), PathOrigin::CommandLine, 100)
            .unwrap();
        let bytes = std::mem::take(&mut read.bytes);
        let given = map.add_read("e.json", std::str::from_utf8(&bytes).unwrap(), &read);
        map.evict(0);
        for id in [accents, suppressed, added, given] {
            assert_ne!(&*map.get_stored(id).unwrap().text, "", "kept");
        }
        assert_eq!(&*map.get_stored(plain).unwrap().text, "");
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn a_large_text_stays_and_a_bom_text_is_read_back_without_its_bom() {
        let (tmp, map) = evict_setup("large");
        let add = |name: &str, bytes: &[u8]| {
            let path = tmp.join("root").join(name);
            std::fs::write(&path, bytes).unwrap();
            let mut read = map
                .read_confined(&path, PathOrigin::Content, 1 << 24)
                .unwrap();
            let bytes = std::mem::take(&mut read.bytes);
            let text = std::str::from_utf8(&bytes).unwrap();
            map.add_read(name, text.strip_prefix('\u{feff}').unwrap_or(text), &read)
        };
        let large_text = format!("{{\"a\": \"{}\"}}", "x".repeat(MAX_EVICTABLE_BYTES));
        let large = add("large.json", large_text.as_bytes());
        let bom = add("bom.json", "\u{feff}{\n  \"a\": 1\n}".as_bytes());
        map.evict(0);
        assert_eq!(
            map.get_stored(large).unwrap().text.len(),
            large_text.len(),
            "kept"
        );
        assert_eq!(&*map.get_stored(bom).unwrap().text, "", "dropped");
        assert_eq!(&*map.get(bom).unwrap().text, "{\n  \"a\": 1\n}");
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = SourceFile::new("a".into(), "ab\nçé=x\n\nlast");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(2), LineCol { line: 1, column: 3 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // "ç" and "é" are two bytes each: byte 7 is '=' at character column 3.
        assert_eq!(f.line_col(7), LineCol { line: 2, column: 3 });
        assert_eq!(f.line_col(10), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_col(11), LineCol { line: 4, column: 1 });
        assert_eq!(f.line_col(999), LineCol { line: 4, column: 5 });
        assert_eq!(f.line_count(), 4);
    }

    #[test]
    fn offset_inside_a_character_moves_to_its_start() {
        let f = SourceFile::new("a".into(), "é");
        assert_eq!(f.line_col(1), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn bom_is_dropped() {
        let f = SourceFile::new("a".into(), "\u{feff}{}");
        assert_eq!(&*f.text, "{}");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let f = SourceFile::new("a".into(), "😀x");
        assert_eq!(f.line_col(4).column, 2);
        assert_eq!(f.col_utf16(4), 3);
    }

    #[test]
    fn map_assigns_ids_in_order() {
        let m = SourceMap::new();
        let a = m.add("a.json", "{}");
        let b = m.add("b.tf", "x = 1\n");
        assert_eq!(a, FileId(0));
        assert_eq!(b, FileId(1));
        assert_eq!(m.path(b), "b.tf");
        let s = Span::new(b, 4..5);
        let (st, en) = m.span_lines(&s).unwrap();
        assert_eq!((st.line, st.column, en.column), (1, 5, 6));
    }
}
