//! `buck-lint data eval [PATH...]` (hidden): run the loading-phase evaluator
//! ([`crate::model::eval`]) over every build file below the paths, as Buck2's loading phase
//! would, and report how many evaluate, the targets they declare and why the others fail. A
//! maintainer's tool for measuring the evaluator on real repositories before the rules read
//! its results.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::cells::Cells;
use crate::model::eval::{ConfigMap, EvalContext, EvalResult};

/// Build files below `paths` (honouring .gitignore), sorted.
fn build_files(paths: &[PathBuf], names: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        for e in ignore::WalkBuilder::new(p).hidden(false).build().flatten() {
            let name = e.file_name().to_string_lossy();
            if e.file_type().is_some_and(|t| t.is_file()) && names.iter().any(|n| *n == name) {
                out.push(crate::discover::normalize(e.path()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `[section] key = value` of the root `.buckconfig` (and `.buckconfig.local`), later wins.
fn config_map(root: &Path) -> ConfigMap {
    let mut map = ConfigMap::new();
    for f in crate::discover::config_layers_with_local(root) {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        for e in crate::parse::buckconfig::parse(&text).entries {
            map.entry(e.section).or_default().insert(e.key, e.value);
        }
    }
    map
}

pub fn run(paths: &[PathBuf], list: bool) -> i32 {
    let paths: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let start = std::fs::canonicalize(&paths[0]).unwrap_or_else(|_| paths[0].clone());
    let Some(root) = crate::discover::find_project_root(&start) else {
        eprintln!("error: no .buckconfig at or above {}", paths[0].display());
        return 2;
    };
    let cells = Arc::new(Cells::read(Some(&root), &Default::default()));
    let names = {
        let n = crate::discover::root_config(&root).build_file_names;
        if n.is_empty() { vec!["BUCK".into(), "BUCK.v2".into(), "TARGETS".into(), "TARGETS.v2".into()] } else { n }
    };
    let prelude = cells.root_of("prelude").map(Path::to_path_buf);
    let opts = crate::model::loading::options(
        cells.clone(),
        &root,
        config_map(&root),
        names.clone(),
        Arc::new(Default::default()),
    );
    let ctx = EvalContext::new(opts);
    let files: Vec<PathBuf> = build_files(&paths, &names)
        .into_iter()
        .filter(|f| prelude.as_ref().is_none_or(|p| !f.starts_with(p)))
        .collect();
    let t = std::time::Instant::now();
    let pool = rayon::ThreadPoolBuilder::new().stack_size(16 << 20).build().expect("thread pool");
    let results: Vec<(PathBuf, Option<EvalResult>)> = pool.install(|| {
        files
            .par_iter()
            .map(|f| {
                let r = std::fs::read_to_string(f).ok().map(|text| ctx.eval_build_file(f, &text));
                (f.clone(), r)
            })
            .collect()
    });
    let elapsed = t.elapsed();
    let rel = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    let (mut ok, mut targets) = (0usize, 0usize);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut first: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut reasons: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (f, r) in &results {
        let Some(r) = r else {
            *kinds.entry("unreadable".into()).or_default() += 1;
            continue;
        };
        targets += r.targets.len();
        if r.errors.is_empty() {
            ok += 1;
        }
        if list {
            for t in &r.targets {
                let at = t.call_site.as_ref().map(|l| format!("{}:{}", rel(&l.file), l.line)).unwrap_or_else(|| rel(f));
                let via =
                    t.macro_site.as_ref().map(|l| format!(" (via {}:{})", rel(&l.file), l.line)).unwrap_or_default();
                println!("{at}: {} {}{via}", t.kind, t.name);
            }
        }
        for e in &r.errors {
            let kind = format!("{:?}", e.kind);
            *kinds.entry(kind.clone()).or_default() += 1;
            let at = e.loc.as_ref().map(|l| format!("{}:{}", rel(&l.file), l.line)).unwrap_or_else(|| rel(f));
            let msg = e.message.lines().next().unwrap_or("").to_string();
            // the innermost reason of a chain of failed loads: `… file:line:col: reason`
            let reason = msg.rsplit(": ").next().unwrap_or(&msg).to_string();
            *reasons.entry((kind.clone(), reason)).or_default() += 1;
            let v = first.entry(kind).or_default();
            if v.len() < 3 {
                v.push(format!("{} ({at}): {msg}", rel(f)));
            }
        }
    }
    println!(
        "{} build files: {ok} evaluated without error, {} with errors; {targets} targets; {} .bzl files evaluated; {:.0} ms",
        results.len(),
        results.len() - ok,
        ctx.bzl_evaluations(),
        elapsed.as_secs_f64() * 1e3
    );
    for (k, n) in &kinds {
        println!("  {k}: {n}");
        for s in first.get(k).into_iter().flatten() {
            println!("    {s}");
        }
        let mut top: Vec<(&String, usize)> =
            reasons.iter().filter(|((kk, _), _)| kk == k).map(|((_, r), n)| (r, *n)).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        println!("    most frequent reasons:");
        for (r, n) in top.iter().take(8) {
            println!("      {n:5}  {r}");
        }
    }
    0
}
