//! Command-line interface.
mod data_eval;
mod data_scan;
mod fix_output;
mod show_settings;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{self, CliOverrides};
use crate::diagnostic::Severity;
use crate::engine::{self, RunOptions};
use crate::report::{self, Format, ReportOptions, Summary};
use crate::rules::registry::{self, RULES};

#[derive(Parser, Debug)]
#[command(
    name = "buck-lint",
    version,
    about = "A linter for Buck2 repositories that vendor Rust crates with Reindeer",
    long_about = "buck-lint reads BUCK files, .bzl files, .buckconfig, reindeer.toml, fixups.toml and Cargo.lock \
                  and reports what will break under remote execution or current Reindeer before you build.\n\n\
                  A bare `buck-lint` means `buck-lint check .`."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Lint files and directories (the default command).
    Check(CheckArgs),
    /// List every rule (`--format json` for tools).
    Rules {
        #[arg(long, value_enum, default_value = "table")]
        format: RulesFormat,
    },
    /// Print a rule's documentation page.
    #[command(alias = "rule")]
    Explain {
        /// Rule id or code (`re-full-hybrid-racing`, `R07`).
        rule: String,
    },
    /// Print the effective knowledge tables (`--dump`).
    Data {
        #[arg(long)]
        dump: bool,
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: Option<DataCommand>,
    },
    /// Print a GitHub Actions / VS Code problem matcher for `--format concise`.
    Matcher,
    /// Run the language server on stdin/stdout.
    #[command(alias = "server")]
    Lsp,
}

/// Maintainer commands of `data` (hidden from --help).
#[derive(Subcommand, Debug)]
pub enum DataCommand {
    /// Print the facts of every crate unpacked under DIR (a `cargo vendor` output) as TOML,
    /// for tools/crate-facts.py.
    #[command(hide = true)]
    Scan {
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Evaluate every build file below PATH with the loading-phase evaluator and summarise
    /// what evaluates, what it declares and why the rest fails.
    #[command(hide = true)]
    Eval {
        paths: Vec<PathBuf>,
        /// Print every declared target.
        #[arg(long)]
        list: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

#[derive(Args, Debug, Default, Clone)]
pub struct CheckArgs {
    /// Files or directories to lint (default: `.`); `-` reads stdin (needs --stdin-filename).
    pub paths: Vec<PathBuf>,
    /// Output format (default: full on a terminal, concise otherwise).
    #[arg(long, alias = "output-format", value_enum)]
    pub format: Option<Format>,
    /// Colour for `--format full`.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Option<Color>,
    /// Rules to enable (ids, codes, categories, `prefix-*`, `ALL`), replacing the default set.
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Rules to enable in addition to the selected ones.
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Rules to disable.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Override a rule's severity: `ID=error|warning|info` (repeatable).
    #[arg(long)]
    pub severity: Vec<String>,
    /// `GLOB:ID[,ID]` — disable rules for matching files (repeatable).
    #[arg(long)]
    pub per_file_ignores: Vec<String>,
    /// Use this config file instead of searching for buck-lint.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore all config files.
    #[arg(long)]
    pub isolated: bool,
    /// Skip paths matching GLOB (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Apply --exclude and [project] ignore even to paths named on the command line.
    #[arg(long)]
    pub force_exclude: bool,
    /// Walk the whole project for context even when only files are named. By default such a
    /// run reads only what its files lead to (configuration, referenced packages, loaded
    /// files, their Reindeer projects); this also finds a `reindeer.toml` that is not above
    /// the files and `.bzl` files nothing named loads.
    #[arg(long)]
    pub full_context: bool,
    /// Lowest severity that fails the run (default: warning).
    #[arg(long, value_enum)]
    pub fail_on: Option<Level>,
    /// Exit 0 even when there are findings (exit 2 still reports errors).
    #[arg(long)]
    pub exit_zero: bool,
    /// Print a count of findings per rule.
    #[arg(long)]
    pub statistics: bool,
    /// The path of the file read from stdin (for the file kind and project context).
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
    /// Apply safe fixes.
    #[arg(long)]
    pub fix: bool,
    /// Also apply unsafe fixes (with --fix or --diff).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of the fixes instead of writing them (exit 1 when there are changes).
    #[arg(long)]
    pub diff: bool,
    /// List the fixes that were applied (and show fix previews in full output).
    #[arg(long)]
    pub show_fixes: bool,
    /// Write the findings to this file instead of stdout (any format; the summary line and
    /// warnings still go to stderr).
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,
    /// Report only findings that are not in this baseline (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every current finding to this baseline file and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fix", "diff"])]
    pub write_baseline: Option<PathBuf>,
    /// List the files that would be linted (path and kind) and exit.
    #[arg(long)]
    pub show_files: bool,
    /// Add a `# buck-lint: disable=ID` comment for every finding (checked like a fix: each
    /// comment must silence its finding; files are written atomically).
    #[arg(long, conflicts_with_all = ["fix", "diff", "write_baseline"])]
    pub add_suppressions: bool,
    /// Lint only the files changed since this git revision (committed, staged, unstaged and
    /// untracked), plus the files their change can affect (loaders of a changed `.bzl`, the
    /// generated BUCK of changed fixups, ...).
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// Say more about what the run does (with --changed-since: which files were pulled in, and why).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Do not read or write the result cache.
    #[arg(long, env = "BUCK_LINT_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,
    /// Where the result cache lives (default: `.buck-lint-cache` at the project root).
    #[arg(long, value_name = "DIR", env = "BUCK_LINT_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Print the effective settings (with where each value came from) and exit.
    #[arg(long)]
    pub show_settings: bool,
}

/// Entry point; returns the process exit code.
pub fn main_with_args(args: Vec<String>) -> i32 {
    started();
    let args = insert_default_command(args);
    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check(a) => check(a),
        Command::Rules { format } => {
            print_rules(format);
            0
        }
        Command::Explain { rule } => match registry::by_id_or_code(&rule) {
            Some(r) => {
                print!("{}", r.doc);
                0
            }
            None => {
                eprintln!("error: unknown rule `{rule}`{}", config::did_you_mean(&rule, RULES.iter().map(|r| r.id)));
                2
            }
        },
        Command::Data { action: Some(DataCommand::Scan { dirs }), .. } => data_scan::run(&dirs),
        Command::Data { action: Some(DataCommand::Eval { paths, list }), .. } => data_eval::run(&paths, list),
        Command::Data { dump: _, config, action: None } => {
            let settings = match config::resolve(config.as_deref(), &CliOverrides::default()) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return 2;
                }
            };
            print!("{}", crate::model::data::Data::load(&settings.data).dump());
            0
        }
        Command::Matcher => {
            println!("{}", MATCHER);
            0
        }
        Command::Lsp => crate::lsp::run(),
    }
}

/// GitHub's runner understands the severities `error`, `warning` and `notice`: `info` lines
/// go to a second matcher whose default severity is `notice`.
const MATCHER: &str = r#"{
  "problemMatcher": [
    {
      "owner": "buck-lint",
      "pattern": [
        {
          "regexp": "^(.+?):(\\d+):(\\d+): (error|warning)\\[([a-z0-9-]+)\\]: (.*)$",
          "file": 1,
          "line": 2,
          "column": 3,
          "severity": 4,
          "code": 5,
          "message": 6
        }
      ]
    },
    {
      "owner": "buck-lint-notice",
      "severity": "notice",
      "pattern": [
        {
          "regexp": "^(.+?):(\\d+):(\\d+): info\\[([a-z0-9-]+)\\]: (.*)$",
          "file": 1,
          "line": 2,
          "column": 3,
          "code": 4,
          "message": 5
        }
      ]
    }
  ]
}"#;

fn insert_default_command(mut args: Vec<String>) -> Vec<String> {
    const SUBS: &[&str] = &["check", "rules", "explain", "rule", "data", "matcher", "lsp", "server", "help"];
    match args.get(1).map(String::as_str) {
        None => args.push("check".into()),
        Some("-h" | "--help" | "-V" | "--version") => {}
        Some(a) if SUBS.contains(&a) => {}
        Some(_) => args.insert(1, "check".into()),
    }
    args
}

fn print_rules(format: RulesFormat) {
    match format {
        RulesFormat::Json => {
            let v: Vec<serde_json::Value> = RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "code": r.code,
                        "category": r.category.as_str(),
                        "severity": r.severity.as_str(),
                        "default_enabled": r.default_enabled,
                        "fix": r.fix.as_str(),
                        "summary": r.summary(),
                        "explanation": r.doc,
                        "url": r.url(),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        RulesFormat::Table => {
            println!(
                "{:<5} {:<42} {:<17} {:<8} {:<3} {:<6} summary",
                "code", "id", "category", "severity", "on", "fix"
            );
            for r in RULES {
                println!(
                    "{:<5} {:<42} {:<17} {:<8} {:<3} {:<6} {}",
                    r.code.unwrap_or("-"),
                    r.id,
                    r.category.as_str(),
                    r.severity.as_str(),
                    if r.default_enabled { "yes" } else { "no" },
                    r.fix.as_str(),
                    r.summary()
                );
            }
        }
    }
}

fn check(mut a: CheckArgs) -> i32 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    if a.paths.is_empty() {
        a.paths.push(PathBuf::from("."));
    }
    let reads_stdin = a.paths.iter().any(|p| p.as_os_str() == "-");
    let stdin = if reads_stdin {
        let Some(name) = a.stdin_filename.clone() else {
            eprintln!("error: reading stdin (`-`) needs --stdin-filename PATH");
            return 2;
        };
        let mut buf = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut buf) {
            eprintln!("error: cannot read stdin: {e}");
            return 2;
        }
        Some((name, buf))
    } else {
        None
    };
    // explicit paths that do not exist are usage errors (checked in parallel: a pre-commit
    // run names thousands of files); the regular files among them are remembered, so the
    // run does not ask again
    let (regular, missing) = {
        use rayon::prelude::*;
        // on the engine's threads, which the run then uses (rayon's global pool would be two
        // more threads to start for this alone)
        let kinds: Vec<Option<bool>> = engine::pool().install(|| {
            a.paths
                .par_iter()
                .with_min_len(256)
                .map(
                    |p| if p.as_os_str() == "-" { Some(false) } else { std::fs::metadata(p).ok().map(|m| m.is_file()) },
                )
                .collect()
        });
        let regular: crate::discover::KnownFiles = a
            .paths
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| **k == Some(true))
            .map(|(p, _)| crate::discover::normalize(&cwd.join(p)))
            .collect();
        (regular, a.paths.iter().zip(&kinds).find(|(_, k)| k.is_none()).map(|(p, _)| p))
    };
    if let Some(p) = missing {
        {
            // `exists` follows links: say why a link that is there does not resolve
            let why = match std::fs::symlink_metadata(p) {
                Ok(m) if m.file_type().is_symlink() => match std::fs::metadata(p) {
                    Err(e) if matches!(e.raw_os_error(), Some(40 | 62)) => "symbolic link loop".to_string(),
                    Err(e) => format!("broken symbolic link ({e})"),
                    Ok(_) => "no such file or directory".to_string(),
                },
                _ => "no such file or directory".to_string(),
            };
            eprintln!("error: `{}`: {why}", p.display());
            return 2;
        }
    }
    let first = stdin
        .as_ref()
        .map(|(p, _)| cwd.join(p))
        .or_else(|| a.paths.iter().find(|p| p.as_os_str() != "-").map(|p| cwd.join(p)))
        .unwrap_or_else(|| cwd.clone());
    let first = crate::discover::normalize(&first);
    let root = crate::discover::find_project_root(&first);
    let config_path = if a.isolated {
        None
    } else if let Some(c) = &a.config {
        Some(c.clone())
    } else {
        let start =
            if first.is_dir() { first.clone() } else { first.parent().map(|p| p.to_path_buf()).unwrap_or(cwd.clone()) };
        config::find_config(&start, root.as_deref())
    };
    let overrides = CliOverrides {
        select: a.select.clone(),
        extend_select: a.extend_select.clone(),
        ignore: a.ignore.clone(),
        severity: a.severity.clone(),
        per_file_ignores: a.per_file_ignores.clone(),
        fail_on: a.fail_on.map(Severity::from),
        exclude: a.exclude.clone(),
    };
    let mut settings = match config::resolve(config_path.as_deref(), &overrides) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if a.show_settings {
        let start = if first.is_dir() { first.clone() } else { first.parent().map(Path::to_path_buf).unwrap_or(cwd) };
        let found = config_path.as_deref().map(crate::discover::normalize).unwrap_or_default();
        let start = crate::discover::normalize(&start);
        let source = match (&config_path, a.isolated, &a.config) {
            (_, true, _) => show_settings::ConfigSource::Isolated,
            (Some(p), _, Some(_)) => show_settings::ConfigSource::Given(p),
            (Some(_), _, None) => show_settings::ConfigSource::Found(&found),
            (None, _, _) => show_settings::ConfigSource::NotFound { searched_from: &start },
        };
        let root = root.as_deref().map(crate::discover::normalize);
        print!("{}", show_settings::render(&settings, source, root.as_deref()));
        return 0;
    }
    let mut opts = RunOptions {
        crate_cache: None,
        sequential_walk: false,
        regular_files: Some(std::sync::Arc::new(regular)),
        targeted_context: !a.full_context,
        known_root: None,
        prewalked: None,
        paths: a.paths.clone(),
        stdin,
        force_exclude: a.force_exclude,
        overlays: Default::default(),
    };
    if let Some(rev) = &a.changed_since {
        let set = match engine::changed_since(rev, &opts, &settings) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: --changed-since: {e}");
                return 2;
            }
        };
        if a.verbose {
            for (p, why) in &set.reasons {
                eprintln!("changed-since {rev}: {p}: {why}");
            }
        }
        if set.paths.is_empty() {
            eprintln!("No files to lint changed since `{rev}`.");
            return 0;
        }
        opts.paths = set.paths;
    }
    if a.show_files {
        let (found, skipped) = engine::reported_files(&opts, &settings);
        for (p, kind, restrict) in &found {
            let note = match restrict {
                crate::files::Restrict::None => "",
                crate::files::Restrict::Dependency => "\t(dependency cell: io/internal errors only)",
                crate::files::Restrict::OrphanFixups => "\t(orphan fixups: fixup-orphan-dir only)",
            };
            println!("{p}\t{kind:?}{note}");
        }
        for (p, why) in &skipped {
            eprintln!("warning: skipped {p}: {why}");
        }
        eprintln!("{} files", found.len());
        return 0;
    }
    if let Some(out) = &a.write_baseline {
        // every current finding, whatever an existing baseline says
        let sink = CollectSink(std::sync::Mutex::new(Vec::new()));
        let mut result = engine::run_streaming(&opts, &settings, &sink);
        let mut all = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
        all.append(&mut result.diagnostics);
        let root = result.root.clone().unwrap_or_else(|| cwd.clone());
        return match crate::baseline::write(out, &all, &result.files, &root) {
            Ok(n) => {
                eprintln!("Wrote {n} findings to the baseline `{}`.", out.display());
                if result.io_errors.is_empty() { 0 } else { 2 }
            }
            Err(e) => {
                eprintln!("error: cannot write the baseline `{}`: {e}", out.display());
                2
            }
        };
    }
    if let Some(path) = a.baseline.clone().or_else(|| settings.baseline_path.clone()) {
        match crate::baseline::Baseline::load(&path) {
            Ok(b) => settings.baseline = Some(std::sync::Arc::new(b)),
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        }
    }
    if a.add_suppressions {
        return fix_output::run_add_suppressions(&opts, &settings, &a);
    }
    if a.fix || a.diff {
        return fix_output::run_fix(&opts, &settings, &a);
    }
    let (format, report_opts) = output_format(&a);
    if !format.streams() {
        // JSON and SARIF are single documents: collect the findings in the order the
        // streaming formats write them (each file's own findings, then cross-file ones).
        let sink = CollectSink(std::sync::Mutex::new(Vec::new()));
        let mut result = run_maybe_cached(&opts, &settings, &sink, &a, root.as_deref());
        let mut all = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
        all.append(&mut result.diagnostics);
        result.diagnostics = all;
        result.streamed.clear();
        let code = emit(&result, &settings, &a);
        engine::drop_in_background(result);
        return code;
    }
    // Line-oriented formats: each file's own findings are written as soon as they are final
    // (in path order); cross-file findings follow.
    let out = match output(&a) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", a.output_file.as_deref().unwrap_or(Path::new("-")).display());
            return 2;
        }
    };
    let sink = StdoutSink {
        writer: std::sync::Mutex::new(report::StreamWriter::new(out, format, report_opts)),
        error: std::sync::Mutex::new(None),
    };
    let result = run_maybe_cached(&opts, &settings, &sink, &a, root.as_deref());
    let mut writer = sink.writer.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut error = sink.error.into_inner().unwrap_or_else(|e| e.into_inner());
    if error.is_none() {
        error = writer.write(&result.diagnostics, &result.files).err();
    }
    let code = finish(&result, &settings, &a, format, error);
    engine::drop_in_background(result);
    code
}

/// A run through the result cache unless `--no-cache` (or there is no project root and no
/// `--cache-dir`).
fn run_maybe_cached(
    opts: &RunOptions,
    settings: &config::Settings,
    sink: &dyn engine::FileSink,
    a: &CheckArgs,
    root: Option<&Path>,
) -> engine::RunResult {
    let dir = a.cache_dir.clone().or_else(|| root.map(|r| r.join(".buck-lint-cache")));
    let Some(dir) = dir.filter(|_| !a.no_cache) else {
        let result = engine::run_streaming(opts, settings, sink);
        print_notes(a, &result);
        return result;
    };
    let opts = &RunOptions { crate_cache: Some(dir.clone()), ..opts.clone() };
    let (result, outcome) = engine::run_cached(opts, settings, sink, &dir);
    if a.verbose {
        match outcome {
            engine::CacheOutcome::Hit => eprintln!("cache: hit ({})", dir.display()),
            engine::CacheOutcome::Miss => eprintln!("cache: miss, results stored in {}", dir.display()),
            engine::CacheOutcome::Skipped(why) => eprintln!("cache: not used ({why})"),
        }
    }
    print_notes(a, &result);
    result
}

/// With `--verbose`, what the run noted (build files the loading phase could not evaluate).
fn print_notes(a: &CheckArgs, result: &engine::RunResult) {
    if a.verbose {
        for n in &result.notes {
            eprintln!("note: {n}");
        }
    }
}

/// Keeps streamed findings in order, for the document formats.
struct CollectSink(std::sync::Mutex<Vec<crate::diagnostic::Diagnostic>>);

impl engine::FileSink for CollectSink {
    fn file_done(&self, _: &crate::files::Files, mut diagnostics: Vec<crate::diagnostic::Diagnostic>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).append(&mut diagnostics);
    }
}

/// Writes streamed findings to stdout; remembers the first write error.
struct StdoutSink {
    writer: std::sync::Mutex<report::StreamWriter<Box<dyn std::io::Write + Send>>>,
    error: std::sync::Mutex<Option<std::io::Error>>,
}

impl engine::FileSink for StdoutSink {
    fn file_done(&self, files: &crate::files::Files, diagnostics: Vec<crate::diagnostic::Diagnostic>) {
        let mut error = self.error.lock().unwrap_or_else(|e| e.into_inner());
        if error.is_some() {
            return;
        }
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = w.write(&diagnostics, files) {
            *error = Some(e);
        }
    }
}

/// The output format (`full` on a terminal, else `concise`, unless chosen) and its options.
/// Where the findings go: `--output-file`, or stdout.
fn output(a: &CheckArgs) -> std::io::Result<Box<dyn std::io::Write + Send>> {
    Ok(match &a.output_file {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::stdout()),
    })
}

fn output_format(a: &CheckArgs) -> (Format, ReportOptions) {
    let is_tty = a.output_file.is_none() && std::io::stdout().is_terminal();
    let format = a.format.unwrap_or(if is_tty { Format::Full } else { Format::Concise });
    let color = match a.color.unwrap_or(Color::Auto) {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    (
        format,
        ReportOptions { color, show_fixes: a.show_fixes, tool_version: env!("CARGO_PKG_VERSION"), invocation: None },
    )
}

/// Print a run's findings in the chosen format and compute the exit code.
pub fn emit(result: &engine::RunResult, settings: &config::Settings, a: &CheckArgs) -> i32 {
    let (format, mut opts) = output_format(a);
    opts.invocation = Some(report::Invocation {
        exit_code: exit_code(result, settings, a.exit_zero),
        start: started(),
        end: std::time::SystemTime::now(),
    });
    let summary = summarize(result, a.unsafe_fixes);
    let error = match output(a) {
        Ok(mut out) => report::write_report(&mut out, format, &result.diagnostics, &result.files, &summary, &opts)
            .and_then(|()| out.flush())
            .err(),
        Err(e) => Some(e),
    };
    finish(result, settings, a, format, error)
}

/// When this process started (recorded by [`main_with_args`]).
fn started() -> std::time::SystemTime {
    *START.get_or_init(std::time::SystemTime::now)
}

static START: std::sync::OnceLock<std::time::SystemTime> = std::sync::OnceLock::new();

/// After the findings: write errors, statistics, skipped files, the summary line; the exit code.
fn finish(
    result: &engine::RunResult,
    settings: &config::Settings,
    a: &CheckArgs,
    format: Format,
    error: Option<std::io::Error>,
) -> i32 {
    if let Some(e) = error {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
            return 2;
        }
    }
    let summary = summarize(result, a.unsafe_fixes);
    if a.statistics {
        print_statistics(result, a.unsafe_fixes);
    }
    for (p, why) in &result.skipped {
        eprintln!("warning: skipped {p}: {why}");
    }
    if let Some(b) = &settings.baseline {
        // only entries of files this run linted can be stale (a run over part of the tree
        // says nothing about the rest)
        let linted: std::collections::HashSet<String> = result
            .files
            .iter()
            .filter(|f| f.reported)
            .map(|f| {
                let root = result.root.as_deref().unwrap_or(Path::new(""));
                f.path.strip_prefix(root).unwrap_or(&f.path).to_string_lossy().replace('\\', "/")
            })
            .collect();
        let stale: Vec<_> = b.stale().into_iter().filter(|(_, path, _)| linted.contains(path)).collect();
        if !stale.is_empty() {
            eprintln!(
                "warning: {} baseline {} in `{}` no longer {} a finding (fixed, or the code moved to another file); shrink it with --write-baseline",
                stale.len(),
                if stale.len() == 1 { "entry" } else { "entries" },
                b.path.display(),
                if stale.len() == 1 { "matches" } else { "match" }
            );
            for (rule, path, message) in stale.iter().take(10) {
                eprintln!("  {path}: [{rule}] {message}");
            }
        }
    }
    if result.files_checked == 0 && result.io_errors.is_empty() {
        eprintln!(
            "warning: no files to lint found (Buck2 build files, .bzl/.bxl, .buckconfig, reindeer.toml, fixups.toml)"
        );
    } else if result.root.is_none() {
        eprintln!(
            "warning: no .buckconfig in or above the linted paths: cells, labels and the cross-file rules had no project root"
        );
    }
    for (p, e) in &result.io_errors {
        eprintln!("error: {p}: {e}");
    }
    if matches!(format, Format::Full | Format::Concise) {
        eprintln!("{}", report::summary_line(&summary));
    }
    exit_code(result, settings, a.exit_zero)
}

pub fn summarize(result: &engine::RunResult, unsafe_fixes: bool) -> Summary {
    let count = |s: Severity| result.findings().filter(|d| d.severity == s).count();
    Summary {
        files: result.files_checked,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        fixable: result.findings().filter(|d| fixable(d, unsafe_fixes)).count(),
        unsafe_fixable: result.findings().filter(|d| d.fix.is_some() && !fixable(d, unsafe_fixes)).count(),
    }
}

fn fixable(d: &engine::Streamed, unsafe_fixes: bool) -> bool {
    d.fix.is_some_and(|f| unsafe_fixes || f == crate::diagnostic::Applicability::Safe)
}

pub fn exit_code(result: &engine::RunResult, settings: &config::Settings, exit_zero: bool) -> i32 {
    let internal = result.findings().any(|d| d.rule == crate::rules::Rule::InternalError);
    if !result.io_errors.is_empty() || internal {
        return 2;
    }
    if exit_zero {
        return 0;
    }
    let failing = result.findings().any(|d| d.severity >= settings.fail_on);
    i32::from(failing)
}

fn print_statistics(result: &engine::RunResult, unsafe_fixes: bool) {
    let mut counts: Vec<(usize, &'static str, bool)> = Vec::new();
    for d in result.findings() {
        let fixable = fixable(&d, unsafe_fixes);
        match counts.iter_mut().find(|(_, id, _)| *id == d.rule.id()) {
            Some(e) => {
                e.0 += 1;
                e.2 |= fixable;
            }
            None => counts.push((1, d.rule.id(), fixable)),
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    for (n, id, fixable) in counts {
        let meta = registry::get(id);
        println!(
            "{:>5}  {:<42} {:<4} {:<3} {}",
            n,
            id,
            meta.and_then(|m| m.code).unwrap_or("-"),
            if fixable { "[*]" } else { "" },
            meta.map(|m| m.summary()).unwrap_or("")
        );
    }
}
