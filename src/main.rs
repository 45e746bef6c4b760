#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = buck_lint::cli::main_with_args(std::env::args().collect());
    std::process::exit(code);
}
