//! A progress line on stderr for long runs: files read of the files found, and the directory
//! being read (`agwlint: 1234/6000 files · arm/team-07`). The command line turns it on only
//! for human output on a terminal ([`enabled`]); it appears after about a second and is erased
//! before the report is printed.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a run goes before the line appears.
const DELAY: Duration = Duration::from_secs(1);
/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(100);

/// Counters the loaders update ([`crate::source::SourceMap::set_progress`]).
#[derive(Debug, Default)]
pub struct Progress {
    total: AtomicUsize,
    done: AtomicUsize,
    dir: Mutex<String>,
}

impl Progress {
    /// Sets the number of files the run will read (the JSON files and the Terraform files of
    /// the directories found).
    pub fn set_total(&self, n: usize) {
        self.total.store(n, Ordering::Relaxed);
    }

    /// Records a file read (as displayed), and its directory as the current one.
    pub fn file_read(&self, path: &str) {
        self.done.fetch_add(1, Ordering::Relaxed);
        let dir = path.rsplit_once('/').map_or(".", |(d, _)| d);
        if let Ok(mut g) = self.dir.try_lock()
            && *g != dir
        {
            dir.clone_into(&mut g);
        }
    }

    /// The line shown: files read (never more than the total) of the total, and the directory.
    pub fn line(&self) -> String {
        let total = self.total.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed).min(total);
        let dir = self.dir.lock().map(|g| g.clone()).unwrap_or_default();
        let dir = crate::report::text::escape_controls(&dir);
        // Keep the line short enough not to wrap on an 80-column terminal.
        let dir: String = if dir.chars().count() > 50 {
            let tail: Vec<char> = dir.chars().rev().take(49).collect();
            std::iter::once('…').chain(tail.into_iter().rev()).collect()
        } else {
            dir.to_string()
        };
        format!("agwlint: {done}/{total} files · {dir}")
    }
}

/// Whether a run shows progress: human output, stderr a terminal, and `CI` unset.
pub fn enabled(human: bool) -> bool {
    use std::io::IsTerminal;
    human && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// Draws the line of `progress` on stderr until dropped (then erases it).
pub struct Display {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Display {
    /// Starts drawing after [`DELAY`].
    pub fn start(progress: Arc<Progress>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("agwlint-progress".into())
            .spawn(move || {
                let start = Instant::now();
                let mut drawn = false;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::park_timeout(TICK);
                    if flag.load(Ordering::Relaxed) || start.elapsed() < DELAY {
                        continue;
                    }
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[2K{}", progress.line());
                    let _ = err.flush();
                    drawn = true;
                }
                if drawn {
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[2K");
                    let _ = err.flush();
                }
            })
            .ok();
        Display { stop, thread }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_files_and_names_the_directory() {
        let p = Progress::default();
        p.set_total(3);
        p.file_read("arm/team-1/main.json");
        p.file_read("tf/mod-2/main.tf");
        assert_eq!(p.line(), "agwlint: 2/3 files · tf/mod-2");
        // Files read beyond those found (linked templates, modules outside the scan) do not
        // push the count past the total.
        p.file_read("main.json");
        p.file_read("other.json");
        assert_eq!(p.line(), "agwlint: 3/3 files · .");
    }
}
