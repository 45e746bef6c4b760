//! `--fix` / `--diff` on the command line: run the fix session and present its outcome: a
//! unified diff (`--diff`, writes nothing), the fixed buffer (stdin), or atomic writes of the
//! changed files, followed by the remaining findings reported like a normal run.
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;

use super::{CheckArgs, Color};
use crate::cli;
use crate::config::Settings;
use crate::diagnostic::Applicability;
use crate::engine::{self, RunOptions, RunResult};
use crate::fix::session::{AppliedFix, FileState, Session};
use crate::fix::write;
use crate::report::{self, Format, ReportOptions};

pub fn run_fix(opts: &RunOptions, settings: &Settings, a: &CheckArgs) -> i32 {
    let mut session = Session::new(opts, settings, a.unsafe_fixes);
    let final_run = session.run();
    for m in &session.messages {
        eprintln!("warning: {m}");
    }
    let mut changed: Vec<&FileState> = session.files.values().filter(|s| s.changed()).collect();
    changed.sort_by(|x, y| x.display.cmp(&y.display));
    if a.diff {
        return diff_mode(&changed, &session.applied, &final_run, a);
    }
    if let Some(sp) = session.stdin_path() {
        let text = match session.files.get(sp) {
            Some(s) if s.unfixable.is_none() => String::from_utf8_lossy(&s.output_bytes()).into_owned(),
            _ => opts.stdin.as_ref().map(|(_, t)| t.clone()).unwrap_or_default(),
        };
        return stdin_mode(&text, &session.applied, &final_run, settings, a);
    }
    write_mode(opts, settings, a, &changed, &session.applied, final_run)
}

/// `--add-suppressions`: the fix loop with every finding's fix replaced by its suppression
/// comment.
pub fn run_add_suppressions(opts: &RunOptions, settings: &Settings, a: &CheckArgs) -> i32 {
    let linter = Box::new(move |o: &RunOptions| {
        let mut run = engine::run(o, settings);
        crate::fix::suppressions::replace_fixes(&mut run);
        run
    });
    let mut session = Session::with_linter(opts, true, linter);
    let final_run = session.run();
    for m in &session.messages {
        eprintln!("warning: {m}");
    }
    let mut changed: Vec<&FileState> = session.files.values().filter(|s| s.changed()).collect();
    changed.sort_by(|x, y| x.display.cmp(&y.display));
    let mut failed = 0;
    for s in &changed {
        if let Err(e) = write::write_atomic(&s.path, &s.original_bytes, &s.output_bytes()) {
            eprintln!("error: cannot write `{}`: {e}", s.display);
            failed += 1;
        }
    }
    if a.show_fixes {
        show_fixes(&session.applied);
    }
    let remaining = final_run.diagnostics.len();
    eprintln!(
        "Added suppressions for {} in {}; {}.",
        plural(session.applied.len(), "finding", "findings"),
        plural(changed.len() - failed, "file", "files"),
        remain(remaining)
    );
    if failed > 0 {
        return 2;
    }
    cli::emit(&final_run, settings, a)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn remain(n: usize) -> String {
    if n == 1 { "1 finding remains".into() } else { format!("{n} findings remain") }
}

fn show_fixes(applied: &[AppliedFix]) {
    let mut sorted: Vec<&AppliedFix> = applied.iter().collect();
    sorted.sort_by(|a, b| (&a.display, a.line, a.column, a.rule).cmp(&(&b.display, b.line, b.column, b.rule)));
    for f in sorted {
        eprintln!("{}:{}:{} {} {}", f.display, f.line, f.column, f.rule, f.description);
    }
}

/// Findings left that only `--unsafe-fixes` would fix.
fn unsafe_hint(run: &RunResult, a: &CheckArgs) -> String {
    if a.unsafe_fixes {
        return String::new();
    }
    let n = run
        .diagnostics
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == Applicability::Unsafe))
        .count();
    if n == 0 { String::new() } else { format!(" ({} with `--unsafe-fixes`)", plural(n, "more fix", "more fixes")) }
}

fn diff_mode(changed: &[&FileState], applied: &[AppliedFix], final_run: &RunResult, a: &CheckArgs) -> i32 {
    let mut out = std::io::stdout().lock();
    for s in changed {
        let diff = similar::TextDiff::from_lines(&s.original, &s.current);
        let text = diff.unified_diff().header(&format!("a/{}", s.display), &format!("b/{}", s.display)).to_string();
        if let Err(e) = out.write_all(text.as_bytes()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                break;
            }
            eprintln!("error: cannot write output: {e}");
            return 2;
        }
    }
    let _ = out.flush();
    if a.show_fixes {
        show_fixes(applied);
    }
    for (p, e) in &final_run.io_errors {
        eprintln!("error: {p}: {e}");
    }
    let remaining = final_run.diagnostics.len();
    if changed.is_empty() {
        eprintln!("No fixes would be applied; {}{}.", remain(remaining), unsafe_hint(final_run, a));
    } else {
        eprintln!(
            "Would apply {} in {}; {} would remain{}.",
            plural(applied.len(), "fix", "fixes"),
            plural(changed.len(), "file", "files"),
            plural(remaining, "finding", "findings"),
            unsafe_hint(final_run, a)
        );
    }
    if !final_run.io_errors.is_empty() { 2 } else { i32::from(!changed.is_empty()) }
}

/// Stdin with `--fix`: the fixed buffer goes to stdout (always, changed or not), the
/// remaining findings and summaries to stderr.
fn stdin_mode(text: &str, applied: &[AppliedFix], final_run: &RunResult, settings: &Settings, a: &CheckArgs) -> i32 {
    {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
    if a.show_fixes {
        show_fixes(applied);
    }
    eprintln!(
        "Applied {}; {}{}.",
        plural(applied.len(), "fix", "fixes"),
        remain(final_run.diagnostics.len()),
        unsafe_hint(final_run, a)
    );
    let stderr = std::io::stderr();
    let is_tty = stderr.is_terminal();
    let format = a.format.unwrap_or(if is_tty { Format::Full } else { Format::Concise });
    let color = match a.color.unwrap_or(Color::Auto) {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let summary = cli::summarize(final_run, a.unsafe_fixes);
    let ropts =
        ReportOptions { color, show_fixes: a.show_fixes, tool_version: env!("CARGO_PKG_VERSION"), invocation: None };
    let mut err = stderr.lock();
    let _ = report::write_report(&mut err, format, &final_run.diagnostics, &final_run.files, &summary, &ropts);
    for (p, e) in &final_run.io_errors {
        let _ = writeln!(err, "error: {p}: {e}");
    }
    if format.wants_summary_line() {
        let _ = writeln!(err, "{}", report::summary_line(&summary));
    }
    cli::exit_code(final_run, settings, a.exit_zero)
}

fn write_mode(
    opts: &RunOptions,
    settings: &Settings,
    a: &CheckArgs,
    changed: &[&FileState],
    applied: &[AppliedFix],
    final_run: RunResult,
) -> i32 {
    let mut failed: Vec<PathBuf> = Vec::new();
    for s in changed {
        if let Err(e) = write::write_atomic(&s.path, &s.original_bytes, &s.output_bytes()) {
            eprintln!("error: cannot write `{}`: {e}", s.display);
            failed.push(s.path.clone());
        }
    }
    let kept: Vec<AppliedFix> =
        applied.iter().filter(|f| !f.files.iter().any(|p| failed.contains(p))).cloned().collect();
    if a.show_fixes {
        show_fixes(&kept);
    }
    // what is on disk now, when some writes failed
    let final_run = if failed.is_empty() {
        final_run
    } else {
        engine::run(
            &RunOptions {
                crate_cache: None,
                sequential_walk: false,
                regular_files: None,
                targeted_context: opts.targeted_context,
                known_root: None,
                prewalked: None,
                paths: opts.paths.clone(),
                stdin: opts.stdin.clone(),
                force_exclude: opts.force_exclude,
                overlays: opts.overlays.clone(),
            },
            settings,
        )
    };
    let files_written = changed.len() - failed.len();
    let remaining = final_run.diagnostics.len();
    if kept.is_empty() {
        eprintln!("No fixes applied; {}{}.", remain(remaining), unsafe_hint(&final_run, a));
    } else {
        eprintln!(
            "Applied {} in {}; {}{}.",
            plural(kept.len(), "fix", "fixes"),
            plural(files_written, "file", "files"),
            remain(remaining),
            unsafe_hint(&final_run, a)
        );
    }
    let code = cli::emit(&final_run, settings, a);
    if failed.is_empty() { code } else { 2 }
}
