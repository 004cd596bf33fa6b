//! Finding and reading `.agwlint.yaml`; errors rendered by miette at the offending key.

use std::fmt;
use std::path::{Path, PathBuf};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use super::{CONFIG_NAMES, FileConfig};

/// Largest configuration file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A configuration problem (exit code 2): a message, and when it comes from the file, the file
/// and the span of the offending key or value.
#[derive(Debug)]
pub struct ConfigError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// 1-based line and column of the problem in the file, when known.
    pub position: Option<(usize, usize)>,
    located: Option<Box<Located>>,
}

/// The file and the labelled span of a [`ConfigError`].
#[derive(Debug)]
struct Located {
    source: NamedSource<String>,
    span: SourceSpan,
    label: String,
}

impl ConfigError {
    /// An error with no position (a flag, an unreadable file).
    pub fn plain(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
            help: None,
            position: None,
            located: None,
        }
    }

    /// Adds help.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// An error at a 1-based line and (character) column of the file.
    pub fn at(
        path: &str,
        text: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        let start = offset_of(text, line, column);
        let len = token_len(&text[start..]);
        let message = message.into();
        let label = label_for(&message);
        ConfigError {
            message,
            help: None,
            position: Some((line, column)),
            located: Some(Box::new(Located {
                source: NamedSource::new(path, text.to_string()),
                span: SourceSpan::from(start..start + len),
                label,
            })),
        }
    }

    /// The error rendered by miette's graphical handler at 100 columns.
    pub fn render(&self, color: bool) -> String {
        self.render_width(color, crate::report::DEFAULT_WIDTH)
    }

    /// The error rendered by miette's graphical handler at `width` columns (the form printed
    /// on stderr).
    pub fn render_width(&self, color: bool, width: usize) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_width(width);
        let mut out = String::new();
        if handler.render_report(&mut out, self).is_err() {
            out = format!("error: {}\n", self.message);
        }
        out
    }
}

fn label_for(message: &str) -> String {
    if message.contains("unknown field") {
        "unknown key".to_string()
    } else if message.contains("unknown rule") {
        "unknown rule".to_string()
    } else if message.contains("unknown option") {
        "unknown option".to_string()
    } else if message.contains(": option `") {
        "wrong type for this option".to_string()
    } else {
        "here".to_string()
    }
}

/// Byte offset of a 1-based line and character column (clamped to the text).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = l
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
            return off + col;
        }
        off += l.len();
    }
    text.len()
}

/// Length of the key or scalar starting the slice: up to `:`, `,`, `]`, `}`, `#` or the end
/// of the line, trailing spaces dropped; a quoted scalar up to its closing quote.
fn token_len(s: &str) -> usize {
    let mut chars = s.char_indices();
    if let Some((_, q @ ('"' | '\''))) = chars.next() {
        return chars
            .find(|&(_, c)| c == q)
            .map_or_else(|| line_len(s), |(i, c)| i + c.len_utf8());
    }
    let end = s
        .char_indices()
        .find(|&(_, c)| matches!(c, ':' | ',' | ']' | '}' | '#' | '\n' | '\r'))
        .map_or(s.len(), |(i, _)| i);
    s[..end].trim_end().len()
}

fn line_len(s: &str) -> usize {
    s.find('\n').unwrap_or(s.len())
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("agwlint::config"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.located
            .as_ref()
            .map(|l| &l.source as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let l = self.located.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(l.label.clone()), l.span),
        )))
    }
}

/// The configuration file for a run started in `cwd`: `.agwlint.yaml` (or `.yml`) in `cwd` or
/// the nearest parent, stopping after the repository root (a directory containing `.git`).
pub fn find_config_file(cwd: &Path) -> Option<PathBuf> {
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        for name in CONFIG_NAMES {
            let p = d.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// Reads and parses a configuration file.
pub fn load_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let shown = super::paths::shown(path);
    let too_big = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_CONFIG_BYTES);
    if too_big {
        return Err(ConfigError::plain(format!(
            "configuration {shown} is larger than 1 MiB"
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| ConfigError::plain(format!("cannot read configuration {shown}: {e}")))?;
    parse_bytes(&shown, bytes)
}

/// Reads a configuration file that was found (not named by `--config`): it is repository
/// content, so it is read only when it resolves inside its own directory and is a regular file
/// (a symbolic link `.agwlint.yaml` → `/etc/passwd` is refused without reading it).
pub fn load_found_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let shown = super::paths::shown(path);
    let dir = super::paths::absolute(path)
        .parent()
        .map_or_else(super::paths::current_dir, Path::to_path_buf);
    let probe = crate::source::SourceMap::new();
    probe.set_scan_roots(std::slice::from_ref(&dir));
    match probe.read_confined(path, crate::source::PathOrigin::Content, MAX_CONFIG_BYTES) {
        Ok(read) => parse_bytes(&shown, read.bytes),
        Err(r) if r.is_confinement() => Err(ConfigError::plain(format!(
            "configuration {shown} {}; not read",
            r.reason()
        ))
        .with_help("pass a configuration outside the repository with --config")),
        Err(_) => load_file(path),
    }
}

fn parse_bytes(shown: &str, bytes: Vec<u8>) -> Result<FileConfig, ConfigError> {
    let text = String::from_utf8(bytes)
        .map_err(|_| ConfigError::plain(format!("configuration {shown} is not UTF-8 text")))?;
    parse(shown, &text)
}

/// Parses configuration text; `path` is only used in messages.
pub fn parse(path: &str, text: &str) -> Result<FileConfig, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // An empty file, or one with only comments, is the default configuration.
    let blank = text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---");
    if blank {
        return Ok(FileConfig::default());
    }
    serde_yaml::from_str::<FileConfig>(text).map_err(|e| {
        let full = e.to_string();
        match e.location() {
            Some(loc) => {
                let suffix = format!(" at line {} column {}", loc.line(), loc.column());
                let msg = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
                let help = if msg.contains("option `") {
                    "`agwlint explain <rule>` lists the rule's options and their types"
                } else {
                    "see README.md#configuration for every key and its values"
                };
                ConfigError::at(path, text, loc.line(), loc.column(), msg).with_help(help)
            }
            None => ConfigError::plain(format!("{path}: {full}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_in_columns() {
        let t = "a: 1\nçé: 2\n";
        assert_eq!(offset_of(t, 2, 1), 5);
        assert_eq!(offset_of(t, 2, 3), 9);
        assert_eq!(offset_of(t, 9, 1), t.len());
        assert_eq!(token_len("rulez:\n"), 5);
        assert_eq!(token_len("\"a b\": x"), 5);
        assert_eq!(token_len("AGW999 ]"), 6);
    }
}
