//! One source map for every file a scan reads.
//!
//! Spans are byte ranges into a file's text (with any UTF-8 byte-order mark removed, so offset 0
//! is the first character after it). Lines and columns are 1-based and count characters, not
//! bytes, as DESIGN.md requires; SARIF's UTF-16 columns are available too.

use std::sync::{Arc, RwLock};

/// Index of a file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

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

/// One file's text and line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as it is printed: relative stays relative, `/` separators.
    pub path: String,
    /// The text, without a leading byte-order mark.
    pub text: Arc<str>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// Builds the line index of `text`.
    pub fn new(path: String, text: &str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut line_starts = vec![0u32];
        // `match_indices` on a char searches with memchr: several times faster than a byte
        // loop, and every file of a scan goes through here.
        line_starts.extend(
            text.match_indices('\n')
                .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        SourceFile {
            path,
            text: Arc::from(text),
            line_starts,
        }
    }

    /// Number of lines (a final line without newline counts).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based line `idx` starts.
    pub fn line_start(&self, idx: usize) -> usize {
        self.line_starts
            .get(idx)
            .map_or(self.text.len(), |&s| s as usize)
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        let off = u32::try_from(offset.min(self.text.len())).unwrap_or(u32::MAX);
        self.line_starts
            .partition_point(|&s| s <= off)
            .saturating_sub(1)
    }

    /// 1-based line and character column of a byte offset. An offset inside a multi-byte
    /// character is moved back to that character's start.
    pub fn line_col(&self, offset: usize) -> LineCol {
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
        let offset = floor_char_boundary(&self.text, offset);
        let start = self.line_start(self.line_index(offset));
        self.text[start..offset].encode_utf16().count() + 1
    }

    /// The text of a span, or "" when the span does not fit the file.
    pub fn slice(&self, span: &Span) -> &str {
        let r = span.range();
        self.text.get(r).unwrap_or("")
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// Every file read during a scan. Adding is thread-safe so front-ends can run in parallel.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: RwLock<Vec<Arc<SourceFile>>>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id. A BOM at the start of `text` is dropped.
    pub fn add(&self, path: impl Into<String>, text: &str) -> FileId {
        let file = Arc::new(SourceFile::new(path.into(), text));
        let mut files = match self.files.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        files.push(file);
        FileId(u32::try_from(files.len() - 1).unwrap_or(u32::MAX))
    }

    /// The file behind an id.
    pub fn get(&self, id: FileId) -> Option<Arc<SourceFile>> {
        let files = match self.files.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        files.get(id.0 as usize).cloned()
    }

    /// The printed path of a file ("" for an unknown id).
    pub fn path(&self, id: FileId) -> String {
        self.get(id).map(|f| f.path.clone()).unwrap_or_default()
    }

    /// Start and end (exclusive) positions of a span; `None` for an unknown file.
    pub fn span_lines(&self, span: &Span) -> Option<(LineCol, LineCol)> {
        let f = self.get(span.file)?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
