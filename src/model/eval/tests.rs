use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;

/// `//pkg:file.bzl` under the root, `:file.bzl` beside the loading file; `@prelude//` and
/// `prelude//` are the prelude.
struct TestResolver {
    root: PathBuf,
}

impl LoadResolver for TestResolver {
    fn resolve(&self, from: &Path, s: &str) -> Option<PathBuf> {
        if let Some(rest) = s.strip_prefix("//") {
            let (pkg, file) = rest.split_once(':')?;
            return Some(self.root.join(pkg).join(file));
        }
        let file = s.strip_prefix(':')?;
        Some(from.parent()?.join(file))
    }

    fn is_prelude(&self, _from: &Path, s: &str) -> bool {
        s.starts_with("@prelude//") || s.starts_with("prelude//")
    }
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Fixture { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn options(&self) -> EvalOptions {
        EvalOptions::new(Arc::new(TestResolver { root: self.root().to_path_buf() }), self.root())
    }

    fn ctx(&self) -> EvalContext {
        EvalContext::new(self.options())
    }

    /// Evaluate `rel` (read from disk) on a thread with a 16 MiB stack, as the caller does.
    fn eval_with(&self, ctx: &EvalContext, rel: &str) -> EvalResult {
        let path = self.root().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        big_stack(|| eval_build_file(ctx, &path, &text))
    }

    fn eval(&self, rel: &str) -> EvalResult {
        self.eval_with(&self.ctx(), rel)
    }
}

fn big_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| std::thread::Builder::new().stack_size(16 << 20).spawn_scoped(s, f).unwrap().join().unwrap())
}

fn ok(r: &EvalResult) {
    assert!(r.errors.is_empty(), "unexpected errors: {:#?}", r.errors);
}

fn names(r: &EvalResult) -> Vec<(String, String)> {
    r.targets.iter().map(|t| (t.kind.clone(), t.name.clone())).collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn s(x: &str) -> AttrValue {
    AttrValue::Str(x.to_owned())
}

fn list(xs: &[&str]) -> AttrValue {
    AttrValue::List(xs.iter().map(|x| s(x)).collect())
}

fn target<'a>(r: &'a EvalResult, name: &str) -> &'a DeclaredTarget {
    r.targets.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no target {name}: {:?}", names(r)))
}

#[test]
fn macro_declares_lib_and_image_with_locations() {
    let f = Fixture::new(&[
        (
            "tools/defs.bzl",
            "def app(name, srcs = [], **kwargs):\n    native.rust_library(name = name + \"-lib\", srcs = srcs, **kwargs)\n    native.genrule(name = \"{}-image\".format(name), out = \"img\", cmd = \"true\")\n",
        ),
        (
            "svc/BUCK",
            "load(\"//tools:defs.bzl\", \"app\")\n\napp(name = \"svc\", srcs = [\"main.rs\"], visibility = [\"PUBLIC\"])\n",
        ),
    ]);
    let r = f.eval("svc/BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("rust_library", "svc-lib"), ("genrule", "svc-image")]));
    let lib = target(&r, "svc-lib");
    assert_eq!(lib.attr("srcs"), Some(&list(&["main.rs"])));
    assert_eq!(lib.attr("visibility"), Some(&list(&["PUBLIC"])));
    let call = lib.call_site.as_ref().unwrap();
    assert_eq!((call.line, call.col), (3, 1));
    assert!(call.file.ends_with("svc/BUCK"));
    let text = std::fs::read_to_string(f.root().join("svc/BUCK")).unwrap();
    assert!(text[call.begin as usize..call.end as usize].starts_with("app(name"));
    let m = lib.macro_site.as_ref().unwrap();
    assert!(m.file.ends_with("tools/defs.bzl"));
    assert_eq!(m.line, 2);
    assert_eq!(target(&r, "svc-image").macro_site.as_ref().unwrap().line, 3);
}

#[test]
fn direct_call_has_no_macro_site() {
    let f = Fixture::new(&[("p/BUCK", "\nrust_binary(name = \"b\", deps = [\":x\"])\n")]);
    let r = f.eval("p/BUCK");
    ok(&r);
    let t = target(&r, "b");
    assert_eq!(t.call_site.as_ref().unwrap().line, 2);
    assert!(t.macro_site.is_none());
}

#[test]
fn for_loop_and_comprehension() {
    let f = Fixture::new(&[(
        "p/BUCK",
        "for n in [\"a\", \"b\"]:\n    rust_library(name = n)\n[genrule(name = \"g\" + str(i), out = \"o\", cmd = \"\") for i in range(2)]\n",
    )]);
    let r = f.eval("p/BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("rust_library", "a"), ("rust_library", "b"), ("genrule", "g0"), ("genrule", "g1")]));
    assert_eq!(target(&r, "b").call_site.as_ref().unwrap().line, 2);
}

#[test]
fn range_matches_the_builtin() {
    let f = Fixture::new(&[(
        "p/BUCK",
        "rust_library(name = \"x\", a = list(range(3)), b = list(range(1, 4)), c = list(range(5, 0, -2)), d = list(range(0)), e = len(range(0, 10, 3)))\n",
    )]);
    let r = f.eval("p/BUCK");
    ok(&r);
    let ints = |xs: &[i64]| AttrValue::List(xs.iter().map(|&i| AttrValue::Int(i)).collect());
    let t = target(&r, "x");
    assert_eq!(t.attr("a"), Some(&ints(&[0, 1, 2])));
    assert_eq!(t.attr("b"), Some(&ints(&[1, 2, 3])));
    assert_eq!(t.attr("c"), Some(&ints(&[5, 3, 1])));
    assert_eq!(t.attr("d"), Some(&ints(&[])));
    assert_eq!(t.attr("e"), Some(&AttrValue::Int(4)));
}

#[test]
fn third_party_shim_forwards_kwargs() {
    let f = Fixture::new(&[
        ("third-party/macros.bzl", "def third_party_rust_library(**kwargs):\n    native.rust_library(**kwargs)\n"),
        (
            "third-party/BUCK",
            "load(\":macros.bzl\", \"third_party_rust_library\")\nthird_party_rust_library(name = \"serde-1.0.0\", crate = \"serde\", deps = [\":serde_derive\"])\n",
        ),
    ]);
    let r = f.eval("third-party/BUCK");
    ok(&r);
    let t = target(&r, "serde-1.0.0");
    assert_eq!(t.kind, "rust_library");
    assert_eq!(t.attr("crate"), Some(&s("serde")));
    assert_eq!(t.attr("deps"), Some(&list(&[":serde_derive"])));
    assert_eq!(t.call_site.as_ref().unwrap().line, 2);
    assert_eq!(t.macro_site.as_ref().unwrap().line, 2);
}

#[test]
fn dict_merge_reaches_attribute() {
    let f = Fixture::new(&[(
        "p/BUCK",
        "BASE = {\"edition\": \"2021\", \"visibility\": [\"PUBLIC\"]}\nrust_library(name = \"x\", env = {\"A\": \"1\"} | {\"B\": \"2\"}, **(BASE | {\"edition\": \"2018\"}))\n",
    )]);
    let r = f.eval("p/BUCK");
    ok(&r);
    let t = target(&r, "x");
    assert_eq!(t.attr("edition"), Some(&s("2018")));
    assert_eq!(t.attr("visibility"), Some(&list(&["PUBLIC"])));
    assert_eq!(t.attr("env"), Some(&AttrValue::Dict(vec![(s("A"), s("1")), (s("B"), s("2"))])));
}

#[test]
fn local_variable_and_kwargs_forwarding() {
    let f = Fixture::new(&[
        (
            "defs.bzl",
            "def lib(name, **kwargs):\n    deps = kwargs.pop(\"deps\", []) + [\"//common:c\"]\n    extra = dict(kwargs)\n    native.rust_library(name = name, deps = deps, **extra)\n",
        ),
        (
            "p/BUCK",
            "load(\"//:defs.bzl\", \"lib\")\nDEPS = [\":a\"]\nlib(name = \"x\", deps = DEPS, edition = \"2021\")\n",
        ),
    ]);
    let r = f.eval("p/BUCK");
    ok(&r);
    let t = target(&r, "x");
    assert_eq!(t.attr("deps"), Some(&list(&[":a", "//common:c"])));
    assert_eq!(t.attr("edition"), Some(&s("2021")));
}

#[test]
fn read_config_selects_value() {
    let f = Fixture::new(&[(
        "p/BUCK",
        "mode = read_config(\"build\", \"mode\", \"debug\")\nrust_library(name = \"x\", features = [\"fast\"] if mode == \"release\" else [], other = read_config(\"build\", \"missing\"), root = read_root_config(\"build\", \"mode\"))\n",
    )]);
    let mut opts = f.options();
    opts.config.entry("build".into()).or_default().insert("mode".into(), "release".into());
    let r = f.eval_with(&EvalContext::new(opts), "p/BUCK");
    ok(&r);
    let t = target(&r, "x");
    assert_eq!(t.attr("features"), Some(&list(&["fast"])));
    assert_eq!(t.attr("other"), Some(&AttrValue::None));
    assert_eq!(t.attr("root"), Some(&s("release")));
}

#[test]
fn select_is_recorded_and_survives_arithmetic() {
    let f = Fixture::new(&[(
        "p/BUCK",
        "rust_library(\n    name = \"x\",\n    deps = [\":a\"] + select({\"config//os:linux\": [\":l\"], \"DEFAULT\": []}) + [\":z\"],\n    env = select({\"DEFAULT\": {\"A\": \"1\"}}) | {\"B\": \"2\"},\n    both = select({\"c\": [\"1\"]}) + select({\"d\": [\"2\"]}),\n)\n",
    )]);
    let r = f.eval("p/BUCK");
    ok(&r);
    let t = target(&r, "x");
    assert_eq!(
        t.attr("deps"),
        Some(&AttrValue::Select(vec![
            ("config//os:linux".into(), list(&[":a", ":l", ":z"])),
            ("DEFAULT".into(), list(&[":a", ":z"])),
        ]))
    );
    assert_eq!(
        t.attr("env"),
        Some(&AttrValue::Select(vec![("DEFAULT".into(), AttrValue::Dict(vec![(s("A"), s("1")), (s("B"), s("2"))]))]))
    );
    assert!(matches!(t.attr("both"), Some(AttrValue::Concat(v)) if v.len() == 2));
}

#[test]
fn glob_matches_package_files() {
    let f = Fixture::new(&[
        (
            "p/BUCK",
            "rust_library(name = \"x\", srcs = glob([\"src/**/*.rs\"], exclude = [\"src/b.rs\"]), all = native.glob([\"**/*.rs\"]), top = glob([\"*\"]))\n",
        ),
        ("p/src/a.rs", ""),
        ("p/src/b.rs", ""),
        ("p/src/sub/c.rs", ""),
        ("p/src/x.txt", ""),
        ("p/child/BUCK", ""),
        ("p/child/d.rs", ""),
    ]);
    let r = f.eval("p/BUCK");
    ok(&r);
    let t = target(&r, "x");
    assert_eq!(t.attr("srcs"), Some(&list(&["src/a.rs", "src/sub/c.rs"])));
    assert_eq!(t.attr("all"), Some(&list(&["src/a.rs", "src/b.rs", "src/sub/c.rs"])));
    assert_eq!(t.attr("top"), Some(&list(&["BUCK"])));
}

#[test]
fn prelude_loads_are_recording_stubs() {
    let f = Fixture::new(&[(
        "p/BUCK",
        "load(\"@prelude//:rules.bzl\", \"rust_library\", my_bin = \"rust_binary\")\nload(\"@prelude//rust:cargo.bzl\", \"cargo\")\nrust_library(name = \"l\")\nmy_bin(name = \"b\")\ncargo.rust_binary(name = \"c\")\nrust_library()\n",
    )]);
    let r = f.eval("p/BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("rust_library", "l"), ("rust_binary", "b"), ("cargo.rust_binary", "c")]));
}

#[test]
fn package_functions_and_builtins() {
    let f = Fixture::new(&[
        (
            "defs.bzl",
            "def _impl(ctx):\n    return []\nmy_rule = rule(impl = _impl, attrs = {\"x\": attrs.string(default = \"a\")})\nInfo = provider(fields = [\"a\"])\nSTRUCT = struct(a = 1)\ndef m(name: str) -> None:\n    native.genrule(name = f\"{name}-gen\", pkg = native.package_name(), cell = get_cell_name(), linux = host_info().os.is_linux, mac = host_info().os.is_macos, info = Info(a = 2).a)\n",
        ),
        (
            "a/b/BUCK",
            "load(\"//:defs.bzl\", \"m\", \"my_rule\")\noncall(\"team\")\npackage(inherit = True)\nprint(\"ignored\")\nmy_rule(name = \"r\", x = \"y\")\nm(name = \"n\")\nhttp_archive(name = \"h\", urls = [\"u\"], exists = rule_exists(\"r\"), missing = rule_exists(\"zz\"))\nenc = json.encode({\"a\": 1})\n",
        ),
    ]);
    let r = f.eval("a/b/BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("my_rule", "r"), ("genrule", "n-gen"), ("http_archive", "h")]));
    let g = target(&r, "n-gen");
    assert_eq!(g.attr("pkg"), Some(&s("a/b")));
    assert_eq!(g.attr("cell"), Some(&s("root")));
    assert_eq!(g.attr("linux"), Some(&AttrValue::Bool(true)));
    assert_eq!(g.attr("mac"), Some(&AttrValue::Bool(false)));
    assert_eq!(g.attr("info"), Some(&AttrValue::Int(2)));
    let h = target(&r, "h");
    assert_eq!(h.attr("exists"), Some(&AttrValue::Bool(true)));
    assert_eq!(h.attr("missing"), Some(&AttrValue::Bool(false)));
    assert_eq!(r.package_values, vec![("oncall".to_owned(), s("team")), ("inherit".to_owned(), AttrValue::Bool(true))]);
}

#[test]
fn shared_bzl_is_evaluated_once() {
    let mut files = vec![
        (
            "defs.bzl",
            "load(\":base.bzl\", \"BASE\")\ndef m(name):\n    native.rust_library(name = name, edition = BASE)\n",
        ),
        ("base.bzl", "BASE = \"2021\"\n"),
        ("p1/BUCK", "load(\"//:defs.bzl\", \"m\")\nm(name = \"a\")\n"),
        ("p2/BUCK", "load(\"//:defs.bzl\", \"m\")\nm(name = \"b\")\n"),
    ];
    let buck = "load(\"//:defs.bzl\", \"m\")\nm(name = \"c\")\n";
    let many: Vec<String> = (0..16).map(|i| format!("q{i}/BUCK")).collect();
    files.extend(many.iter().map(|p| (p.as_str(), buck)));
    let f = Fixture::new(&files);
    let ctx = f.ctx();
    let r1 = f.eval_with(&ctx, "p1/BUCK");
    let r2 = f.eval_with(&ctx, "p2/BUCK");
    ok(&r1);
    ok(&r2);
    assert_eq!(target(&r2, "b").attr("edition"), Some(&s("2021")));
    assert_eq!(ctx.bzl_evaluations(), 2);

    // In parallel, on a fresh context: still each .bzl once.
    let ctx = f.ctx();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(4).stack_size(16 << 20).build().unwrap();
    use rayon::prelude::*;
    let results: Vec<EvalResult> = pool.install(|| {
        many.par_iter()
            .map(|p| {
                let path = f.root().join(p);
                let text = std::fs::read_to_string(&path).unwrap();
                ctx.eval_build_file(&path, &text)
            })
            .collect()
    });
    for r in &results {
        ok(r);
        assert_eq!(names(r), pairs(&[("rust_library", "c")]));
    }
    assert_eq!(ctx.bzl_evaluations(), 2);
}

fn assert_quick_error(r: &EvalResult, kind: EvalErrorKind, started: Instant) {
    assert!(r.errors.iter().any(|e| e.kind == kind), "expected {kind:?}, got {:#?}", r.errors);
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
}

#[test]
fn hostile_infinite_recursion() {
    let f = Fixture::new(&[
        ("rec.bzl", "def f(n):\n    return f(n + 1)\ndef g():\n    g()\n"),
        ("p/BUCK", "load(\"//:rec.bzl\", \"f\")\nrust_library(name = \"before\")\nf(0)\n"),
        ("q/BUCK", "def h():\n    h()\nh()\n"),
    ]);
    let t = Instant::now();
    let r = f.eval("p/BUCK");
    assert_quick_error(&r, EvalErrorKind::Limit, t);
    assert_eq!(names(&r), pairs(&[("rust_library", "before")]));
    let e = r.errors.iter().find(|e| e.kind == EvalErrorKind::Limit).unwrap();
    assert_eq!(e.call_site.as_ref().map(|l| l.line), Some(3));
    let r = f.eval("q/BUCK");
    assert_quick_error(&r, EvalErrorKind::Limit, t);
}

#[test]
fn hostile_huge_loops() {
    let f = Fixture::new(&[
        ("p/BUCK", "for i in range(1000000000):\n    pass\n"),
        ("q/BUCK", "for i in range(100000):\n    for j in range(100000):\n        pass\n"),
        ("r/BUCK", "x = [i for i in range(5000000)]\n"),
    ]);
    let t = Instant::now();
    assert_quick_error(&f.eval("p/BUCK"), EvalErrorKind::Limit, t);
    let mut opts = f.options();
    opts.limits.max_ticks = 1_000_000;
    let ctx = EvalContext::new(opts);
    assert_quick_error(&f.eval_with(&ctx, "q/BUCK"), EvalErrorKind::Limit, t);
    assert_quick_error(&f.eval_with(&ctx, "r/BUCK"), EvalErrorKind::Limit, t);
    // The wall-time limit alone stops it too.
    let mut opts = f.options();
    opts.limits.timeout = Duration::from_millis(200);
    let ctx = EvalContext::new(opts);
    let t = Instant::now();
    let r = f.eval_with(&ctx, "q/BUCK");
    assert_quick_error(&r, EvalErrorKind::Limit, t);
    assert!(t.elapsed() < Duration::from_secs(5), "timeout not honoured: {:?}", t.elapsed());
}

#[test]
fn hostile_load_cycle() {
    let f = Fixture::new(&[
        ("a.bzl", "load(\":b.bzl\", \"B\")\nA = 1\n"),
        ("b.bzl", "load(\":a.bzl\", \"A\")\nB = 2\n"),
        ("p/BUCK", "load(\"//:a.bzl\", \"A\")\nrust_library(name = \"x\")\n"),
        ("q/BUCK", "load(\"//:b.bzl\", \"B\")\nrust_library(name = \"y\")\n"),
    ]);
    let t = Instant::now();
    let r = f.eval("p/BUCK");
    assert_quick_error(&r, EvalErrorKind::LoadCycle, t);
    assert!(r.targets.is_empty());
    assert_eq!(r.errors[0].loc.as_ref().unwrap().line, 1);
    assert!(r.errors[0].message.contains("load cycle"), "{}", r.errors[0].message);

    // Across threads: a fresh context per round so the cycle is entered from both ends.
    use rayon::prelude::*;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(4).stack_size(16 << 20).build().unwrap();
    for _ in 0..10 {
        let ctx = f.ctx();
        let files = ["p/BUCK", "q/BUCK", "p/BUCK", "q/BUCK"];
        let results: Vec<EvalResult> = pool.install(|| {
            files
                .par_iter()
                .map(|p| {
                    let path = f.root().join(p);
                    ctx.eval_build_file(&path, &std::fs::read_to_string(&path).unwrap())
                })
                .collect()
        });
        for r in &results {
            assert!(!r.errors.is_empty() && r.targets.is_empty(), "{r:#?}");
        }
    }
    assert!(t.elapsed() < Duration::from_secs(30));
}

#[test]
fn hostile_missing_and_unresolvable_loads() {
    let f = Fixture::new(&[
        ("p/BUCK", "load(\"//nope:x.bzl\", \"y\")\nload(\"weird\", \"z\")\nrust_library(name = \"x\")\n"),
        ("q/BUCK", "load(\"//:bad.bzl\", \"y\")\n"),
        ("bad.bzl", "y = 1\nfail(\"broken bzl\")\n"),
    ]);
    let r = f.eval("p/BUCK");
    assert_eq!(r.errors.len(), 2, "{:#?}", r.errors);
    assert!(r.errors.iter().all(|e| e.kind == EvalErrorKind::Load));
    assert_eq!(r.errors[1].loc.as_ref().unwrap().line, 2);
    assert!(r.errors[0].message.contains("cannot read"), "{}", r.errors[0].message);
    let r = f.eval("q/BUCK");
    assert_eq!(r.errors.len(), 1);
    assert!(r.errors[0].message.contains("broken bzl"), "{}", r.errors[0].message);
    assert!(r.errors[0].message.contains("bad.bzl:2:1"), "{}", r.errors[0].message);
}

#[test]
fn fail_and_other_errors() {
    let f = Fixture::new(&[
        ("defs.bzl", "def m(name):\n    if name == \"bad\":\n        fail(\"no good: \" + name)\n"),
        ("p/BUCK", "load(\"//:defs.bzl\", \"m\")\nm(name = \"ok\")\n\nm(name = \"bad\")\n"),
        ("q/BUCK", "fail(\"top\")\n"),
        ("r/BUCK", "rust_library(name = \n"),
        ("s/BUCK", "unknown_rule(name = \"x\")\n"),
        ("t/BUCK", "rust_library(name = \"x\", srcs = 1 + \"a\")\n"),
        ("u/BUCK", &"[".repeat(5000)),
    ]);
    let r = f.eval("p/BUCK");
    assert_eq!(r.errors.len(), 1);
    let e = &r.errors[0];
    assert_eq!(e.kind, EvalErrorKind::Fail);
    assert!(e.message.contains("no good: bad"), "{}", e.message);
    assert!(e.loc.as_ref().unwrap().file.ends_with("defs.bzl"));
    assert_eq!(e.loc.as_ref().unwrap().line, 3);
    assert_eq!(e.call_site.as_ref().unwrap().line, 4);

    let r = f.eval("q/BUCK");
    assert_eq!(r.errors[0].kind, EvalErrorKind::Fail);
    assert_eq!(r.errors[0].loc.as_ref().unwrap().line, 1);
    assert_eq!(f.eval("r/BUCK").errors[0].kind, EvalErrorKind::Syntax);
    let r = f.eval("s/BUCK");
    assert_eq!(r.errors[0].kind, EvalErrorKind::Eval);
    assert!(r.errors[0].message.contains("unknown_rule"), "{}", r.errors[0].message);
    assert_eq!(f.eval("t/BUCK").errors[0].kind, EvalErrorKind::Eval);
    assert_eq!(f.eval("u/BUCK").errors[0].kind, EvalErrorKind::Syntax);
}

#[test]
fn bzl_top_level_rule_calls_and_build_functions() {
    let f = Fixture::new(&[
        ("defs.bzl", "native.rust_library(name = \"ignored\")\nX = 1\n"),
        ("bad.bzl", "P = package_name()\n"),
        ("p/BUCK", "load(\"//:defs.bzl\", \"X\")\nrust_library(name = \"x\")\n"),
        ("q/BUCK", "load(\"//:bad.bzl\", \"P\")\n"),
    ]);
    let r = f.eval("p/BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("rust_library", "x")]));
    let r = f.eval("q/BUCK");
    assert!(r.errors[0].message.contains("package_name"), "{}", r.errors[0].message);
}

#[test]
fn throughput_many_small_files() {
    let mut files = vec![("defs.bzl".to_owned(), "def m(name, **kw):\n    native.rust_library(name = name + \"-lib\", **kw)\n    native.rust_test(name = name + \"-test\", deps = [\":\" + name + \"-lib\"])\n".to_owned())];
    for i in 0..200 {
        files.push((
            format!("p{i}/BUCK"),
            "load(\"//:defs.bzl\", \"m\")\nm(name = \"a\", srcs = [\"a.rs\"])\nm(name = \"b\", deps = [\":a-lib\"] + select({\"DEFAULT\": []}))\n".to_owned(),
        ));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let f = Fixture::new(&refs);
    let ctx = f.ctx();
    let t = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).stack_size(16 << 20).build().unwrap();
    use rayon::prelude::*;
    let n: usize = pool.install(|| {
        (0..200)
            .into_par_iter()
            .map(|i| {
                let path = f.root().join(format!("p{i}/BUCK"));
                let r = ctx.eval_build_file(&path, &std::fs::read_to_string(&path).unwrap());
                ok(&r);
                r.targets.len()
            })
            .sum()
    });
    assert_eq!(n, 800);
    eprintln!("200 build files, 800 targets: {:?}", t.elapsed());
}

#[test]
fn hostile_deep_syntax_is_refused_not_overflowed() {
    let mut indent = String::new();
    for i in 0..1500 {
        indent.push_str(&" ".repeat(i));
        indent.push_str("if True:\n");
    }
    indent.push_str(&" ".repeat(1500));
    indent.push_str("pass\n");
    let mut elifs = "x = 1\nif x == 0:\n    pass\n".to_owned();
    for i in 0..5000 {
        elifs.push_str(&format!("elif x == {i}:\n    pass\n"));
    }
    let files = [
        format!("x = {}1\n", "1 + ".repeat(100_000)),
        format!("x = {}1\n", "lambda: ".repeat(5000)),
        format!("x = {}True\n", "not ".repeat(100_000)),
        format!("x = {}1{}\n", "(1 + ".repeat(3000), ")".repeat(3000)),
        format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000)),
        indent,
        elifs,
    ];
    let named: Vec<(String, &str)> =
        files.iter().enumerate().map(|(i, t)| (format!("p{i}/BUCK"), t.as_str())).collect();
    let refs: Vec<(&str, &str)> = named.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let f = Fixture::new(&refs);
    for (p, _) in &refs {
        let r = f.eval(p);
        assert_eq!(r.errors.len(), 1, "{p}: {:#?}", r.errors);
        assert_eq!(r.errors[0].kind, EvalErrorKind::Syntax, "{p}: {}", r.errors[0]);
        assert!(r.errors[0].message.contains("nest"), "{p}: {}", r.errors[0]);
    }
    // Below the limit, and with brackets, strings and comments that do not nest, files run.
    let ok_src = format!(
        "x = {}1\ny = [{}]\nz = \"((((([[[[\" # {}\nw = \"\"\"\n{}\n\"\"\"\n",
        "1 + ".repeat(900),
        "\"a\" + \"b\", ".repeat(5000),
        "(".repeat(5000),
        "(".repeat(5000)
    );
    let f = Fixture::new(&[("p/BUCK", &ok_src)]);
    ok(&f.eval("p/BUCK"));
}

#[test]
fn hostile_deep_values_do_not_overflow() {
    let build = |tail: &str| format!("l = []\nfor i in range(100000):\n    l = [l]\n{tail}\n");
    let f = Fixture::new(&[
        ("a/BUCK", &build("x = str(l)\ny = (l == l)\nrust_library(name = \"x\", deps = l)")),
        ("b/BUCK", &build("x = json.encode(l)")),
        ("c/BUCK", "load(\"//:deep.bzl\", \"L\")\n"),
        ("deep.bzl", "def mk():\n    l = []\n    for i in range(100000):\n        l = [l]\n    return l\nL = mk()\n"),
    ]);
    let r = f.eval("a/BUCK");
    ok(&r);
    assert!(matches!(target(&r, "x").attr("deps"), Some(AttrValue::List(_))));
    let r = f.eval("b/BUCK");
    assert_eq!(r.errors[0].kind, EvalErrorKind::Limit, "{}", r.errors[0]);
    let r = f.eval("c/BUCK");
    assert_eq!(r.errors[0].kind, EvalErrorKind::Load, "{}", r.errors[0]);
    assert!(r.errors[0].message.contains("nests deeper"), "{}", r.errors[0]);
}

#[test]
fn json_still_works() {
    let f = Fixture::new(&[(
        "p/BUCK",
        "rust_library(name = \"x\", e = json.encode({\"a\": [1, True, None]}), d = json.decode(\"[1, 2]\"))\n",
    )]);
    let r = f.eval("p/BUCK");
    ok(&r);
    let t = target(&r, "x");
    assert_eq!(t.attr("e"), Some(&s("{\"a\":[1,true,null]}")));
    assert_eq!(t.attr("d"), Some(&AttrValue::List(vec![AttrValue::Int(1), AttrValue::Int(2)])));
}

#[test]
fn context_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<EvalContext>();
    check::<EvalResult>();
}
