//! The `agwlint` binary: parse the command line, run, exit.

/// mimalloc instead of the system allocator: the front-ends make millions of small allocations,
/// and glibc's malloc/free took about a third of all instructions on a large scan. The
/// `system-alloc` feature keeps the system allocator, for heap profilers (heaptrack) that
/// intercept malloc.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    #[cfg(not(feature = "system-alloc"))]
    return_freed_memory_sooner();
    std::process::exit(agwlint::cli::run());
}

/// mimalloc gives freed memory back to the system 10 ms after it is freed by default; 1 ms here.
/// A scan frees as much as it allocates, unit after unit, and the delay kept memory resident
/// at the peak: 106-109 -> 99-102 MB on the 6,000-file tree, with no measurable cost in time.
/// (0 gave 93 MB, but 40 % more system time: the shared corpus took 15-20 % longer.) The
/// `MIMALLOC_PURGE_DELAY` environment variable still wins when set.
#[cfg(not(feature = "system-alloc"))]
#[allow(unsafe_code)]
fn return_freed_memory_sooner() {
    /// `mi_option_purge_delay` in mimalloc v2's `mi_option_e` (`include/mimalloc.h`), which
    /// libmimalloc-sys does not name.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets an integer in mimalloc's option table, a valid option number; mimalloc
    // reads its options at any time, from any thread.
    unsafe { libmimalloc_sys::mi_option_set_default(MI_OPTION_PURGE_DELAY, 1) };
}
