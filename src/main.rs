//! The `agwlint` binary: parse the command line, run, exit.

/// mimalloc instead of the system allocator: the front-ends make millions of small allocations,
/// and glibc's malloc/free took about a third of all instructions on a large scan. The
/// `system-alloc` feature keeps the system allocator, for heap profilers (heaptrack) that
/// intercept malloc.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// The global allocator: mimalloc through its C API. An alignment of at most 16 bytes (all but a
/// few of Rust's layouts) goes to `mi_malloc`, whose blocks are aligned to their size up to 16
/// bytes (`mi_malloc_is_naturally_aligned` in mimalloc's `alloc-aligned.c`; a layout's size is
/// a multiple of its alignment), instead of through `mi_malloc_aligned` and its aligned look-up
/// on every call, as the `mimalloc` crate does (2.8 % of a 6,000-file scan's CPU).
#[cfg(not(feature = "system-alloc"))]
struct MiMalloc;

/// The largest alignment `mi_malloc` gives every block of at least that size
/// (`MI_MAX_ALIGN_SIZE` in mimalloc's `types.h`).
#[cfg(not(feature = "system-alloc"))]
const MI_NATURAL_ALIGN: usize = 16;

#[cfg(not(feature = "system-alloc"))]
#[allow(unsafe_code)]
// SAFETY (the whole impl): every pointer given back to mimalloc came from it; a layout with an
// alignment of at most MI_NATURAL_ALIGN has a size that is a nonzero multiple of it, so
// `mi_malloc`'s block is aligned enough; larger alignments use mimalloc's aligned calls.
unsafe impl std::alloc::GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= MI_NATURAL_ALIGN {
                libmimalloc_sys::mi_malloc(layout.size()).cast()
            } else {
                libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= MI_NATURAL_ALIGN {
                libmimalloc_sys::mi_zalloc(layout.size()).cast()
            } else {
                libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: see the impl.
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // SAFETY: see the impl (`new_size` is a nonzero multiple of the alignment too).
        unsafe {
            if layout.align() <= MI_NATURAL_ALIGN {
                libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast()
            } else {
                libmimalloc_sys::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

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
