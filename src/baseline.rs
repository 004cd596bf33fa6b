//! Baselines: record today's findings, then report only new ones.
//!
//! A finding's fingerprint is a 64-bit FNV-1a hash of its rule, its file (relative to the
//! baseline file's directory, `/` separators) and, when the finding names them, its resource and
//! property path; otherwise the message. Line numbers are never part of it, so editing unrelated
//! lines does not resurrect baselined findings. Several findings may share a fingerprint; the
//! baseline stores each occurrence, and as many current findings as recorded are hidden.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::paths;
use crate::finding::Finding;
use crate::source::SourceMap;

/// Format version written in the file.
pub const VERSION: u32 = 1;

/// 64-bit FNV-1a.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The fingerprint of a finding in `file` (the file as keyed in the baseline).
pub fn fingerprint(f: &Finding, file: &str) -> String {
    let mut s = String::new();
    s.push_str(f.rule);
    s.push('\u{1f}');
    s.push_str(file);
    s.push('\u{1f}');
    match (&f.resource, &f.property) {
        (None, None) => {
            s.push_str("message\u{1f}");
            s.push_str(&f.message);
        }
        (r, p) => {
            s.push_str(r.as_deref().unwrap_or(""));
            s.push('\u{1f}');
            s.push_str(p.as_deref().unwrap_or(""));
        }
    }
    format!("{:016x}", fnv1a64(s.as_bytes()))
}

/// One recorded finding. Only `fingerprint` is compared; the rest helps people reading diffs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// See [`fingerprint`].
    pub fingerprint: String,
    /// Rule ID.
    pub rule: String,
    /// File, relative to the baseline's directory.
    pub file: String,
    /// Resource label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Property path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// Message when recorded.
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    version: u32,
    #[serde(default)]
    tool: String,
    findings: Vec<Entry>,
}

/// A loaded baseline.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file it was read from.
    pub path: PathBuf,
    base: PathBuf,
    counts: HashMap<String, usize>,
    /// Number of recorded findings.
    pub total: usize,
}

/// What subtracting a baseline did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Subtracted {
    /// Findings hidden because they are in the baseline.
    pub matched: usize,
    /// Recorded findings that no longer occur.
    pub fixed: usize,
}

fn base_dir(path: &Path) -> PathBuf {
    let abs = paths::absolute(path);
    abs.parent().map_or(abs.clone(), Path::to_path_buf)
}

/// The file of a finding as keyed in a baseline whose directory is `base`.
pub fn file_key(display: &str, base: &Path) -> String {
    paths::relative_to(Path::new(display), base).unwrap_or_else(|| display.replace('\\', "/"))
}

/// The entries recording `findings` in a baseline at `path`, sorted for stable diffs.
pub fn entries(findings: &[Finding], sources: &SourceMap, path: &Path) -> Vec<Entry> {
    let base = base_dir(path);
    let mut v: Vec<Entry> = findings
        .iter()
        .map(|f| {
            let file = file_key(&sources.path(f.primary.file), &base);
            Entry {
                fingerprint: fingerprint(f, &file),
                rule: f.rule.to_string(),
                file,
                resource: f.resource.clone(),
                property: f.property.clone(),
                message: f.message.clone(),
            }
        })
        .collect();
    v.sort_by(|a, b| (&a.file, &a.rule, &a.fingerprint).cmp(&(&b.file, &b.rule, &b.fingerprint)));
    v
}

/// Writes a baseline of `findings`; returns how many were recorded.
pub fn write(path: &Path, findings: &[Finding], sources: &SourceMap) -> Result<usize, String> {
    let doc = Doc {
        version: VERSION,
        tool: format!("agwlint {}", env!("CARGO_PKG_VERSION")),
        findings: entries(findings, sources, path),
    };
    let n = doc.findings.len();
    let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    s.push('\n');
    std::fs::write(path, s).map_err(|e| {
        format!(
            "cannot write baseline {}: {e}",
            crate::discover::display_path(path)
        )
    })?;
    Ok(n)
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let shown = crate::discover::display_path(path);
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {shown}: {e}"))?;
        Self::parse(path, &text)
    }

    /// Parses the text of a baseline file read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, String> {
        let shown = crate::discover::display_path(path);
        let doc: Doc = serde_json::from_str(text)
            .map_err(|e| format!("baseline {shown} is not an agwlint baseline: {e}"))?;
        if doc.version != VERSION {
            return Err(format!(
                "baseline {shown} has version {}, this agwlint reads version {VERSION}",
                doc.version
            ));
        }
        Ok(Self::from_entries(path, &doc.findings))
    }

    /// A baseline from entries, as if read from `path`.
    pub fn from_entries(path: &Path, entries: &[Entry]) -> Self {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for e in entries {
            *counts.entry(e.fingerprint.clone()).or_default() += 1;
        }
        Baseline {
            path: path.to_path_buf(),
            base: base_dir(path),
            counts,
            total: entries.len(),
        }
    }

    /// Removes the findings recorded in the baseline.
    pub fn subtract(&self, findings: &mut Vec<Finding>, sources: &SourceMap) -> Subtracted {
        let mut left = self.counts.clone();
        let mut matched = 0;
        findings.retain(|f| {
            let file = file_key(&sources.path(f.primary.file), &self.base);
            match left.get_mut(&fingerprint(f, &file)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    matched += 1;
                    false
                }
                _ => true,
            }
        });
        Subtracted {
            matched,
            fixed: left.values().sum(),
        }
    }
}

/// The note printed after a run with a baseline.
pub fn note(path: &Path, matched: usize, fixed: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "baseline {}: {matched} known finding{} hidden, {fixed} baselined finding{} now fixed",
        crate::discover::display_path(path),
        s(matched),
        s(fixed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
