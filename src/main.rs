#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    // No transparent huge pages for this process: a run parses many files and frees their
    // syntax trees as it goes, and with THP every fault of a fresh allocator page zeroes
    // 2 MiB and every purge splits a huge page. With 4 KiB pages a check of 2,000 generated
    // files needs about a third less memory and half the system time (the same effect as
    // `MIMALLOC_ALLOW_THP=0`, which mimalloc implements with this call).
    #[cfg(target_os = "linux")]
    // SAFETY: a plain prctl on the calling process with constant arguments; failure (an old
    // kernel) leaves the default.
    unsafe {
        // the kernel reads unsigned longs
        let (on, zero): (libc::c_ulong, libc::c_ulong) = (1, 0);
        libc::prctl(libc::PR_SET_THP_DISABLE, on, zero, zero, zero);
    }
    let code = buck_lint::cli::main_with_args(std::env::args().collect());
    std::process::exit(code);
}
