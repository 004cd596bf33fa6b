//! A file's line index, kept small: every file of a scan keeps it to the end of the run (the
//! positions of findings come from it once the text is dropped, [`super::SourceMap::evict`]),
//! and at four bytes a line the index of a 6,000-file tree was 9 MB.
//!
//! Lines are grouped in blocks of [`BLOCK`]. A block keeps the offset of its first line (four
//! bytes) and the length of each other line in one byte, about 1.2 bytes a line; a block with
//! a line of 256 bytes or more keeps its lines' offsets whole.

/// Lines per block.
const BLOCK: usize = 16;

/// Where each line of a text starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct LineIndex {
    /// Offset of the first line of each block.
    bases: Vec<u32>,
    /// Length in bytes (with its newline) of each line that has a next line in its block:
    /// `BLOCK - 1` a block (0 in a wide block).
    lens: Vec<u8>,
    /// The blocks with a line too long for a byte, by block number: the offsets of their
    /// lines.
    wide: Vec<(u32, [u32; BLOCK])>,
    /// Number of lines (a final line without newline counts).
    count: usize,
}

impl LineIndex {
    /// The index of `text`. `memchr_iter`: every file of a scan goes through here, and a char
    /// search (`match_indices`) cost about twice as much a line. Sized by a first count: grown
    /// by doubling, a 50 MB file's index left megabytes of freed buffers behind.
    pub(super) fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let lines = memchr::memchr_iter(b'\n', bytes).count() + 1;
        let blocks = lines.div_ceil(BLOCK);
        let mut ix = LineIndex {
            bases: Vec::with_capacity(blocks),
            lens: Vec::with_capacity(blocks * (BLOCK - 1)),
            wide: Vec::new(),
            count: lines,
        };
        let starts = std::iter::once(0u32).chain(
            memchr::memchr_iter(b'\n', bytes).map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        let mut block = [0u32; BLOCK];
        let mut n = 0;
        for s in starts {
            block[n] = s;
            n += 1;
            if n == BLOCK {
                ix.push_block(&block, n);
                n = 0;
            }
        }
        if n > 0 {
            ix.push_block(&block, n);
        }
        ix
    }

    /// Appends a block of `n` line starts.
    fn push_block(&mut self, block: &[u32; BLOCK], n: usize) {
        let b = u32::try_from(self.bases.len()).unwrap_or(u32::MAX);
        self.bases.push(block[0]);
        let len = |w: &[u32]| u8::try_from(w[1].saturating_sub(w[0]));
        if block[..n].windows(2).all(|w| len(w).is_ok()) {
            self.lens
                .extend(block[..n].windows(2).map(|w| len(w).unwrap_or(0)));
        } else {
            self.lens.extend(std::iter::repeat_n(0, n - 1));
            self.wide.push((b, *block));
        }
    }

    /// Number of lines.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// The offsets of block `b`'s lines when the block is wide.
    fn wide_block(&self, b: usize) -> Option<&[u32; BLOCK]> {
        let b = u32::try_from(b).ok()?;
        self.wide
            .binary_search_by_key(&b, |(k, _)| *k)
            .ok()
            .and_then(|i| self.wide.get(i))
            .map(|(_, o)| o)
    }

    /// Where 0-based line `idx` starts; `None` past the last line.
    pub(super) fn get(&self, idx: usize) -> Option<u32> {
        if idx >= self.count {
            return None;
        }
        let (b, k) = (idx / BLOCK, idx % BLOCK);
        if let Some(o) = self.wide_block(b) {
            return o.get(k).copied();
        }
        let base = *self.bases.get(b)?;
        let from = b * (BLOCK - 1);
        let lens = self.lens.get(from..from + k)?;
        Some(base + lens.iter().map(|&l| u32::from(l)).sum::<u32>())
    }

    /// 0-based line of a byte offset: the last line that starts at or before it.
    pub(super) fn line_of(&self, off: u32) -> usize {
        let b = self.bases.partition_point(|&s| s <= off).saturating_sub(1);
        let in_block = self.count.saturating_sub(b * BLOCK).min(BLOCK);
        if let Some(o) = self.wide_block(b) {
            let k = o[..in_block]
                .partition_point(|&s| s <= off)
                .saturating_sub(1);
            return b * BLOCK + k;
        }
        let mut start = self.bases.get(b).copied().unwrap_or(0);
        let from = b * (BLOCK - 1);
        let lens = self
            .lens
            .get(from..from + in_block.saturating_sub(1))
            .unwrap_or(&[]);
        let mut k = 0;
        for &l in lens {
            let next = start + u32::from(l);
            if next > off {
                break;
            }
            start = next;
            k += 1;
        }
        b * BLOCK + k
    }

    /// Every line's start, in order.
    pub(super) fn starts(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.count).filter_map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain index the compact one must agree with.
    fn plain(text: &str) -> Vec<u32> {
        std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| (i + 1) as u32))
            .collect()
    }

    fn check(text: &str) {
        let ix = LineIndex::new(text);
        let want = plain(text);
        assert_eq!(ix.len(), want.len(), "{text:?}");
        assert_eq!(ix.starts().collect::<Vec<_>>(), want, "{text:?}");
        assert_eq!(ix.get(want.len()), None);
        for off in 0..=text.len() as u32 + 2 {
            let expect = want.partition_point(|&s| s <= off).saturating_sub(1);
            assert_eq!(ix.line_of(off), expect, "offset {off} of {text:?}");
        }
    }

    #[test]
    fn agrees_with_the_plain_index() {
        for text in ["", "\n", "a", "a\n", "\n\n\n", "ab\ncd\n\nef"] {
            check(text);
        }
        // Blocks exactly full, one line over, and every length of line around the byte limit.
        for lines in [15, 16, 17, 32, 33, 100] {
            check(&"xy\n".repeat(lines));
        }
        for long in [254, 255, 256, 257, 1000] {
            let line = format!("{}\n", "x".repeat(long));
            check(&format!("a\n{line}b\n").repeat(20));
            check(&format!("{line}{}", "c\n".repeat(40)));
            check(&format!("{}{line}", "c\n".repeat(31)));
        }
        // A pseudo-random mix of short and long lines.
        let mut seed = 7u64;
        let mut text = String::new();
        for _ in 0..3000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = if seed >> 60 == 0 {
                300 + (seed >> 40) % 700
            } else {
                (seed >> 33) % 90
            };
            text.push_str(&"z".repeat(len as usize));
            text.push('\n');
        }
        check(&text);
    }

    #[test]
    fn is_smaller_than_four_bytes_a_line() {
        let ix = LineIndex::new(&"    \"name\": \"value\",\n".repeat(1600));
        let bytes = ix.bases.len() * 4 + ix.lens.len() + ix.wide.len() * 68;
        assert!(bytes * 3 < 1600 * 4, "{bytes} bytes");
        assert!(ix.wide.is_empty());
    }
}
