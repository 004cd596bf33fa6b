//! Bounded snippets: miette prints every line of a label's span (and merges labels a few dozen
//! lines apart into one context), so a finding on a whole resource would print it all. After
//! rendering, a run of more than [`MAX_RUN`] consecutive source lines where no label starts,
//! ends or is drawn keeps its first and last [`KEEP`] lines around one elision line
//! (`⋮ (40 more lines)`); every line where a label starts or ends stays.

/// Longest run of plain source lines shown in full.
pub const MAX_RUN: usize = 4;
/// Lines kept at each end of a longer run.
pub const KEEP: usize = 1;

/// Elides the middle of long runs of numbered source lines in one rendered diagnostic.
pub fn bound(rendered: &str) -> String {
    let lines: Vec<&str> = rendered.split_inclusive('\n').collect();
    let mut out = String::with_capacity(rendered.len());
    let mut i = 0;
    let plain = |l: &str| linum_width(l).filter(|_| !starts_or_ends_a_label(l));
    while i < lines.len() {
        let Some(width) = plain(lines[i]) else {
            out.push_str(lines[i]);
            i += 1;
            continue;
        };
        let mut end = i;
        while end < lines.len() && plain(lines[end]).is_some() {
            end += 1;
        }
        let run = &lines[i..end];
        if run.len() > MAX_RUN {
            for l in &run[..KEEP] {
                out.push_str(l);
            }
            let hidden = run.len() - 2 * KEEP;
            out.push_str(&format!(
                "{}⋮ ({hidden} more lines)\n",
                " ".repeat(width.saturating_sub(1))
            ));
            for l in &run[run.len() - KEEP..] {
                out.push_str(l);
            }
        } else {
            for l in run {
                out.push_str(l);
            }
        }
        i = end;
    }
    out
}

/// For a source line of a snippet (` 196 │ text`, colour codes allowed), the width up to the
/// end of the line number; `None` for any other line.
fn linum_width(line: &str) -> Option<usize> {
    let plain = strip_ansi(line);
    let spaces = plain.len() - plain.trim_start_matches(' ').len();
    let rest = &plain[spaces..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && rest[digits..].starts_with(" │")).then_some(spaces + digits)
}

/// True when the gutter of a source line (the box-drawing characters after ` │ `) marks the
/// first or last line of a multi-line label (`╭─▶`, `├─▶`).
fn starts_or_ends_a_label(line: &str) -> bool {
    let plain = strip_ansi(line);
    let Some((_, after)) = plain.split_once(" │ ") else {
        return false;
    };
    after
        .chars()
        .take_while(|c| matches!(c, '│' | '╭' | '├' | '─' | '▶' | '╰' | '┬' | ' '))
        .any(|c| c == '▶')
}

/// The text without ANSI CSI sequences (miette's colours).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(n: usize) -> String {
        let mut s = String::from("  × message\n    ╭─[f.json:10:3]\n");
        for l in 10..10 + n {
            s.push_str(&format!(" {l:>3} │ │ line {l}\n"));
        }
        s.push_str("     · ╰── label\n     ╰────\n");
        s
    }

    #[test]
    fn short_runs_are_kept_and_long_runs_elided() {
        assert_eq!(bound(&snippet(MAX_RUN)), snippet(MAX_RUN));
        let b = bound(&snippet(40));
        assert!(
            b.contains(
                "  10 │ │ line 10\n   ⋮ (38 more lines)\n  49 │ │ line 49\n     · ╰── label"
            ),
            "{b}"
        );
        assert_eq!(
            b.lines().count(),
            7,
            "header 2, kept 2, elision 1, footer 2"
        );
    }

    #[test]
    fn lines_where_a_label_starts_or_ends_are_kept() {
        let mut s = String::new();
        for l in 1..=20 {
            let gutter = match l {
                3 => "╭─▶",
                12 => "├─▶",
                _ => "│  ",
            };
            s.push_str(&format!(" {l:>2} │ {gutter} line {l}\n"));
        }
        let b = bound(&s);
        assert!(b.contains("  3 │ ╭─▶ line 3\n  4 │ │   line 4\n  ⋮ (6 more lines)\n 11 │ │   line 11\n 12 │ ├─▶ line 12\n"), "{b}");
        assert!(
            b.contains(" 13 │ │   line 13\n  ⋮ (6 more lines)\n 20 │ │   line 20\n"),
            "{b}"
        );
    }

    #[test]
    fn coloured_line_numbers_are_recognised() {
        let l = "\u{1b}[2m 196\u{1b}[0m │ text\n";
        assert_eq!(linum_width(l), Some(4));
        assert_eq!(linum_width("     · ╰── x\n"), None);
        assert_eq!(linum_width("  help: 12 │ x\n"), None);
    }
}
