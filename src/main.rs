/// mimalloc, entered through its plain functions where the alignment asked for is one every
/// block of that size has anyway (as std's `System` allocator does with malloc). The
/// `mimalloc` crate always calls the aligned entry points, which test the alignment and the
/// free block's address on every call: on facebook/buck2's list that is ~1.6 million
/// allocations.
struct Allocator;

/// The alignment mimalloc gives every block of at least this size (`MI_MAX_ALIGN_SIZE`).
const NATURAL_ALIGN: usize = 16;

fn natural(align: usize, size: usize) -> bool {
    align <= NATURAL_ALIGN && align <= size
}

// SAFETY: every function hands the request to mimalloc, which returns blocks of at least the
// size asked for with the alignment asked for (the plain functions only where `natural`
// holds, for which mimalloc guarantees it), or null; `dealloc` and `realloc` only receive
// blocks that this allocator returned.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: see the impl
        unsafe {
            if natural(layout.align(), layout.size()) {
                libmimalloc_sys::mi_malloc(layout.size()).cast()
            } else {
                libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: see the impl
        unsafe {
            if natural(layout.align(), layout.size()) {
                libmimalloc_sys::mi_zalloc(layout.size()).cast()
            } else {
                libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: see the impl
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // SAFETY: see the impl
        unsafe {
            if natural(layout.align(), new_size) {
                libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast()
            } else {
                libmimalloc_sys::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

#[global_allocator]
static GLOBAL: Allocator = Allocator;

/// No transparent huge pages for this process: a run parses many files and frees their
/// syntax trees as it goes, and with THP every fault of a fresh allocator page zeroes
/// 2 MiB and every purge splits a huge page. With 4 KiB pages a check of 2,000 generated
/// files needs about a third less memory and half the system time (the same effect as
/// `MIMALLOC_ALLOW_THP=0`, which mimalloc implements with this call).
///
/// It runs from `.init_array`, before the Rust runtime's first allocation: from `main` it
/// came too late for that one, which faulted in a whole huge page of the allocator's arena
/// (~7 ms on one core, before anything else could start, on a 2-core VM).
#[cfg(target_os = "linux")]
extern "C" fn disable_transparent_huge_pages() {
    // SAFETY: a plain prctl on the calling process with constant arguments; failure (an old
    // kernel) leaves the default.
    unsafe {
        // the kernel reads unsigned longs
        let (on, zero): (libc::c_ulong, libc::c_ulong) = (1, 0);
        libc::prctl(libc::PR_SET_THP_DISABLE, on, zero, zero, zero);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static DISABLE_THP_BEFORE_MAIN: extern "C" fn() = disable_transparent_huge_pages;

/// mimalloc's `mi_option_destroy_on_exit` (its position in `mi_option_e` of mimalloc v3's
/// `mimalloc.h`; libmimalloc-sys names only some of the options).
const MI_OPTION_DESTROY_ON_EXIT: libmimalloc_sys::mi_option_t = 22;

/// At exit the process's memory goes back to the kernel in one piece: a value above 1 skips
/// mimalloc's process-exit routine, which first collected and purged every page of the main
/// thread's heap (on facebook/buck2's list, ~190 `madvise` calls and their TLB shootdowns
/// after the output was written). Purging while a command runs stays as it is: on a
/// 22,000-file tree it keeps the peak RSS ~10-20 MB lower.
fn tune_allocator() {
    // SAFETY: the option setter only stores the value; it is called before any other thread
    // exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_DESTROY_ON_EXIT, 2) }
}

fn main() {
    // When stdout closes early (`buck-lint rules --format json | head`), end quietly the way
    // Unix filters do, instead of panicking on the failed write: restore SIGPIPE's default
    // action, which Rust's runtime sets to "ignore".
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists; it only resets a
    // signal disposition to the default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tune_allocator();
    let code = buck_lint::cli::main_with_args(std::env::args().collect());
    std::process::exit(code);
}

#[cfg(test)]
mod tests {
    use super::Allocator;
    use std::alloc::{GlobalAlloc, Layout};

    /// The option number is a position in mimalloc's enum: its neighbours' defaults tell
    /// whether it still names the option meant (the purge delay of 1000 ms eight places
    /// before, no destroy on exit, the arena reservation of 1 GiB in KiB after it), should an
    /// update of the C library reorder the enum.
    #[test]
    fn the_option_number_names_destroy_on_exit() {
        // SAFETY: reading options has no preconditions
        let get = |o| unsafe { libmimalloc_sys::mi_option_get(o) };
        assert_eq!(get(super::MI_OPTION_DESTROY_ON_EXIT - 7), 1000);
        assert_eq!(get(super::MI_OPTION_DESTROY_ON_EXIT), 0);
        assert_eq!(get(super::MI_OPTION_DESTROY_ON_EXIT + 1), 1 << 20);
    }

    #[test]
    fn blocks_have_the_alignment_asked_for_and_keep_their_bytes_when_resized() {
        let a = Allocator;
        let byte = |i: usize| (i % 251) as u8;
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1usize, 3, 8, 15, 16, 17, 100, 5000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                for new_size in [1, size / 2 + 1, size * 3] {
                    // SAFETY: non-zero sizes; each block is written within its size and freed
                    // once, with the layout it has at that point
                    unsafe {
                        let p = a.alloc(layout);
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "alloc {size} align {align}");
                        (0..size).for_each(|i| *p.add(i) = byte(i));
                        let r = a.realloc(p, layout, new_size);
                        assert!(!r.is_null());
                        assert_eq!(r as usize % align, 0, "realloc {size} -> {new_size} align {align}");
                        assert!((0..size.min(new_size)).all(|i| *r.add(i) == byte(i)));
                        a.dealloc(r, Layout::from_size_align(new_size, align).unwrap());
                    }
                }
                // SAFETY: as above
                unsafe {
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0, "alloc_zeroed {size} align {align}");
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
