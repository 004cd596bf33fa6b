//! The per-unit time limit: a deployment unit (a root template, a root Terraform module) whose
//! evaluation runs longer than the limit is abandoned and reported as AGW000 instead of hanging
//! the run.
//!
//! Threads cannot be stopped from outside in safe Rust, and a unit borrows the scan's shared
//! [`SourceMap`](crate::source::SourceMap), so the limit is cooperative: the evaluators call
//! [`expired`] at every expression and template node, and once the deadline has passed every
//! further evaluation answers Unknown at once, so the unit finishes quickly; its loader then
//! drops what it built and reports [`Guard::message`]. The deadline is per thread (a unit is
//! loaded on one thread); a guard restores the previous deadline when dropped, so a unit that
//! rayon runs inside another's wait keeps both limits apart.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The limit when none is configured.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(30);

/// The clock is read once every this many checks (reading it costs more than a check).
const CHECK_EVERY: u32 = 64;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static EXPIRED: Cell<bool> = const { Cell::new(false) };
    static TICKS: Cell<u32> = const { Cell::new(0) };
}

/// The deadline of the unit being loaded on this thread; restores the previous one on drop.
#[derive(Debug)]
pub struct Guard {
    limit: Duration,
    prev: Option<Instant>,
    prev_expired: bool,
}

/// Starts the clock of a unit on this thread.
pub fn start(limit: Duration) -> Guard {
    let prev = DEADLINE.with(|d| d.replace(Instant::now().checked_add(limit)));
    let prev_expired = EXPIRED.with(|e| e.replace(false));
    TICKS.with(|t| t.set(0));
    Guard {
        limit,
        prev,
        prev_expired,
    }
}

impl Guard {
    /// True when the unit ran out of time (its results are incomplete).
    pub fn hit(&self) -> bool {
        EXPIRED.with(Cell::get)
    }

    /// The AGW000 message for a unit that ran out of time.
    pub fn message(&self, display: &str) -> String {
        format!(
            "evaluation of {display} took longer than {} s; skipped",
            self.limit.as_secs_f64()
        )
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.prev));
        EXPIRED.with(|e| e.set(self.prev_expired));
    }
}

/// True once the deadline of the unit loaded on this thread has passed (false when no unit
/// is being loaded). Cheap: the clock is read every [`CHECK_EVERY`] calls.
pub fn expired() -> bool {
    if EXPIRED.with(Cell::get) {
        return true;
    }
    let Some(deadline) = DEADLINE.with(Cell::get) else {
        return false;
    };
    let n = TICKS.with(|t| {
        let n = t.get().wrapping_add(1);
        t.set(n);
        n
    });
    if !n.is_multiple_of(CHECK_EVERY) {
        return false;
    }
    if Instant::now() >= deadline {
        EXPIRED.with(|e| e.set(true));
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_after_the_limit_and_guards_nest() {
        assert!(!expired(), "no unit, no deadline");
        let outer = start(Duration::from_secs(3600));
        {
            let inner = start(Duration::ZERO);
            let mut hit = false;
            for _ in 0..=CHECK_EVERY {
                hit |= expired();
            }
            assert!(hit && inner.hit());
            assert!(inner.message("a.json").contains("took longer than 0 s"));
        }
        for _ in 0..=CHECK_EVERY {
            assert!(!expired());
        }
        assert!(!outer.hit());
    }
}
