//! Project model: label resolution across cells, `select()`, macro forwarding, and unknown
//! values (which never produce findings).

mod common;
use common::*;

use buck_lint::config::Settings;
use buck_lint::engine::{RunOptions, analyze};
use buck_lint::model::value::Value;

fn load(dir: &std::path::Path) -> buck_lint::engine::Analysis {
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir).unwrap();
    let a = analyze(
        &RunOptions {
            crate_cache: None,
            sequential_walk: false,
            regular_files: None,
            targeted_context: false,
            known_root: None,
            prewalked: None,
            paths: vec![".".into()],
            stdin: None,
            force_exclude: false,
            overlays: Default::default(),
        },
        &Settings::default(),
    );
    std::env::set_current_dir(cwd).unwrap();
    a
}

#[test]
fn model_behaviour() {
    // One test: analyze() uses the process cwd, so the cases run sequentially.
    let d = tree(&[
        (
            ".buckconfig",
            "[cells]\n  root = .\n  tp = third_party\n  prelude = prelude\n[cell_aliases]\n  thirdparty = tp\n[external_cells]\n  prelude = bundled\n",
        ),
        (
            "app/BUCK",
            "load(\"//macros:defs.bzl\", \"my_rust_library\")\nSRCS = [\"a.rs\"]\nmy_rust_library(\n    name = \"app\",\n    srcs = SRCS + [\"b.rs\"],\n    deps = [\"thirdparty//:serde\", \"//app/sub:x\"],\n    features = select({\"//cfg:fast\": [\"simd\"], \"DEFAULT\": []}),\n    env = {\"X\": read_config(\"a\", \"b\"), \"Y\": read_config(\"a\", \"b\", \"dflt\")},\n)\n",
        ),
        ("app/sub/BUCK", "rust_library(name = \"x\")\n"),
        ("macros/defs.bzl", "def my_rust_library(name, **kwargs):\n    rust_library(name = name, **kwargs)\n"),
        (
            "third_party/BUCK",
            "alias(name = \"serde\", actual = \":serde-1.0.0\")\ncargo.rust_library(name = \"serde-1.0.0\")\n",
        ),
    ]);
    let a = load(d.path());
    let p = &a.project;
    let app = p.targets.iter().find(|t| p.name(t) == "app").expect("app target");
    // macro forwarding: my_rust_library forwards **kwargs to rust_library
    assert_eq!(&*app.rule, "rust_library");
    assert_eq!(p.via_macro(app).as_deref(), Some("my_rust_library"));
    // label resolution across cells and aliases
    let l = p.resolve_label(app, "thirdparty//:serde").unwrap();
    assert_eq!((l.cell.as_str(), l.package.as_str(), l.name.as_str()), ("tp", "", "serde"));
    assert!(p.target(&l).is_some(), "tp//:serde resolves to third_party/BUCK");
    let l = p.resolve_label(app, "//app/sub:x").unwrap();
    assert!(p.target(&l).is_some());
    let l = p.resolve_label(app, ":nope").unwrap();
    assert!(p.target(&l).is_none());
    // constants and concatenation
    let srcs = p.attr(app, "srcs").unwrap();
    let items: Vec<&str> = srcs.as_list().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert_eq!(items, vec!["a.rs", "b.rs"]);
    // select(): alternatives with their keys
    let f = p.attr(app, "features").unwrap();
    let alts = f.alternatives();
    assert_eq!(alts.len(), 2);
    assert_eq!(alts[0].0, Some("//cfg:fast"));
    assert_eq!(alts[0].1.strings()[0].as_str(), Some("simd"));
    // unknown values stay unknown
    let env = p.attr(app, "env").unwrap();
    assert_eq!(env.dict_get("X").unwrap().value, Value::Unknown);
    // read_config: an unset key takes the default written in the call
    assert_eq!(env.dict_get("Y").unwrap().as_str(), Some("dflt"));
    // load() resolution to the .bzl file
    assert!(p.module_of(app.file).is_some());
}

#[test]
fn unknown_values_produce_no_findings() {
    // An executor whose remote_enabled and image come from read_config() is not evidence of
    // anything: no determinism or RE finding may fire.
    let d = tree(&[
        (".buckconfig", "[cells]\n  root = .\n[build]\n  execution_platforms = root//:p\n"),
        ("BUCK", "load(\":defs.bzl\", \"plat\")\nplat(name = \"p\")\n"),
        (
            "defs.bzl",
            "def _impl(ctx):\n    return [ExecutionPlatformInfo(label = ctx.label.raw_target(), configuration = ConfigurationInfo(constraints = {}, values = {}), executor_config = CommandExecutorConfig(local_enabled = True, remote_enabled = read_config(\"re\", \"on\") == \"1\", use_limited_hybrid = True, remote_execution_use_case = \"buck2-default\", remote_execution_properties = {\"container-image\": read_config(\"re\", \"image\")}))]\nplat = rule(impl = _impl, attrs = {})\n",
        ),
        ("third_party/reindeer.toml", "cargo_env = true\n"),
    ]);
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert!(!o.stdout.contains("re-container-image"), "{}", o.stdout);
    assert!(!o.stdout.contains("determinism") && !o.stdout.contains("pipelined"), "{}", o.stdout);
}
