//! The `agwlint` binary: parse the command line, run, exit.

/// mimalloc instead of the system allocator: the front-ends make millions of small allocations,
/// and glibc's malloc/free took about a third of all instructions on a large scan. The
/// `system-alloc` feature keeps the system allocator, for heap profilers (heaptrack) that
/// intercept malloc.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(agwlint::cli::run());
}
