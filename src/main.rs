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
    let code = buck_lint::cli::main_with_args(std::env::args().collect());
    std::process::exit(code);
}
