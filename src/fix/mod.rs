//! `--fix` / `--diff`.
use crate::cli::CheckArgs;
use crate::config::Settings;
use crate::engine::RunOptions;

pub fn run_fix(_opts: &RunOptions, _settings: &Settings, _a: &CheckArgs) -> i32 {
    eprintln!("error: --fix is not available yet");
    2
}
