//! The `agwlint` binary: parse the command line, run, exit.

/// mimalloc instead of the system allocator: the front-ends make millions of small allocations,
/// and glibc's malloc/free took about a third of all instructions on a large scan. The
/// `system-alloc` feature keeps the system allocator, for heap profilers (heaptrack) that
/// intercept malloc.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// The global allocator: mimalloc through its C API. A block of at least `align` bytes with an
/// alignment of at most 16 (all but a few of Rust's layouts) comes from `mi_malloc`, whose
/// blocks are aligned to their size up to 16 bytes (`mi_malloc_is_naturally_aligned` in
/// mimalloc's `alloc-aligned.c`), instead of through `mi_malloc_aligned` and its aligned
/// look-up on every call, as the `mimalloc` crate does (2.8 % of a 6,000-file scan's CPU).
#[cfg(not(feature = "system-alloc"))]
struct MiMalloc;

/// The largest alignment `mi_malloc` gives every block of at least that size
/// (`MI_MAX_ALIGN_SIZE` in mimalloc's `types.h`).
#[cfg(not(feature = "system-alloc"))]
const MI_NATURAL_ALIGN: usize = 16;

/// True when a `size`-byte block from `mi_malloc` / `mi_realloc` is aligned to `align`: the
/// condition of mimalloc's own `mi_malloc_is_naturally_aligned` (a layout's size need not be a
/// multiple of its alignment, and a realloc's new size need not either).
#[cfg(not(feature = "system-alloc"))]
fn naturally_aligned(size: usize, align: usize) -> bool {
    align <= MI_NATURAL_ALIGN && align <= size
}

#[cfg(not(feature = "system-alloc"))]
#[allow(unsafe_code)]
// SAFETY (the whole impl): every pointer given back to mimalloc came from it; a block from the
// unaligned calls is used only when `naturally_aligned` says mimalloc aligns it enough; other
// alignments use mimalloc's aligned calls, as the `mimalloc` crate does.
unsafe impl std::alloc::GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if naturally_aligned(layout.size(), layout.align()) {
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
            if naturally_aligned(layout.size(), layout.align()) {
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
        // SAFETY: see the impl.
        unsafe {
            if naturally_aligned(new_size, layout.align()) {
                libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast()
            } else {
                libmimalloc_sys::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(all(test, not(feature = "system-alloc")))]
mod tests {
    use std::alloc::{GlobalAlloc, Layout};

    /// Every layout of size 1..=64 with alignment 1..=64, allocated, zero-allocated and grown
    /// or shrunk through other sizes: each block is aligned as asked (`mi_malloc(1)` for an
    /// alignment of 16 is not).
    #[test]
    #[allow(unsafe_code)]
    fn blocks_are_aligned_as_asked() {
        let a = super::MiMalloc;
        for align in [1, 2, 4, 8, 16, 32, 64] {
            for size in 1..=64 {
                let Ok(layout) = Layout::from_size_align(size, align) else {
                    continue;
                };
                // SAFETY: nonzero sizes; each block freed once, with its layout.
                unsafe {
                    for zeroed in [false, true] {
                        let p = if zeroed {
                            a.alloc_zeroed(layout)
                        } else {
                            a.alloc(layout)
                        };
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "size {size} align {align}");
                        let mut q = p;
                        let mut cur = layout;
                        for new in [1, 3, 8, 15, 16, 24, 33, 64, 200, 5] {
                            q = a.realloc(q, cur, new);
                            assert!(!q.is_null());
                            assert_eq!(q as usize % align, 0, "realloc {new} align {align}");
                            let Ok(l) = Layout::from_size_align(new, align) else {
                                break;
                            };
                            cur = l;
                        }
                        a.dealloc(q, cur);
                    }
                }
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
