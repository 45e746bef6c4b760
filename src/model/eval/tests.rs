use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::*;

mod hostile;
mod rule_impl;
mod stubs;

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
        ("p/child/deeper/e.rs", ""),
        ("p/buck-out/f.rs", ""),
        // a directory named like a build file does not make a subpackage
        ("p/src/BUCK/g.rs", ""),
    ]);
    let r = f.eval("p/BUCK");
    ok(&r);
    let t = target(&r, "x");
    assert_eq!(t.attr("srcs"), Some(&list(&["src/BUCK/g.rs", "src/a.rs", "src/sub/c.rs"])));
    assert_eq!(t.attr("all"), Some(&list(&["src/BUCK/g.rs", "src/a.rs", "src/b.rs", "src/sub/c.rs"])));
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
    let expected = pairs(&[("rust_library", "l"), ("rust_binary", "b"), ("cargo.rust_binary", "c")]);
    assert_eq!(names(&r), expected);
    // With a closure resolver: nothing resolves, only the prelude loads.
    let resolver =
        FnResolver { resolve: |_: &Path, _: &str| None, is_prelude: |_: &Path, s: &str| s.starts_with("@prelude//") };
    let ctx = EvalContext::new(EvalOptions::new(Arc::new(resolver), f.root()));
    assert_eq!(names(&f.eval_with(&ctx, "p/BUCK")), expected);
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
            "load(\"//:defs.bzl\", \"m\", \"my_rule\")\noncall(\"team\")\npackage(inherit = True)\nprint(\"ignored\")\nmy_rule(name = \"r\", x = \"y\")\nm(name = \"n\")\nhttp_archive(name = \"h\", urls = [\"u\"], exists = rule_exists(\"r\"), missing = rule_exists(\"zz\"))\nenc = json.encode({\"a\": 1})\nwarning(\"w\")\nrust_library(name = \"re\", m = regex_match(\"^ab+$\", \"abb\"), n = regex_match(\"^x\", \"ab\"))\n",
        ),
    ]);
    let r = f.eval("a/b/BUCK");
    ok(&r);
    assert_eq!(
        names(&r),
        pairs(&[("my_rule", "r"), ("genrule", "n-gen"), ("http_archive", "h"), ("rust_library", "re")])
    );
    assert_eq!(target(&r, "re").attr("m"), Some(&AttrValue::Bool(true)));
    assert_eq!(target(&r, "re").attr("n"), Some(&AttrValue::Bool(false)));
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
fn extra_rules_are_globals_in_build_files() {
    let f = Fixture::new(&[
        ("p/BUCK", "corp_library(name = \"g\")\nrust_library(name = \"r\")\n"),
        ("q/BUCK", "corp_library = 1\ncorp_binary(name = \"b\")\n"),
    ]);
    let r = f.eval("p/BUCK");
    assert_eq!(r.errors[0].kind, EvalErrorKind::Eval, "{:?}", r.errors);
    let mut opts = f.options();
    opts.extra_rules = vec!["corp_library".into(), "corp_binary".into(), "rust_library".into()];
    let ctx = EvalContext::new(opts);
    let r = f.eval_with(&ctx, "p/BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("corp_library", "g"), ("rust_library", "r")]));
    let r = f.eval_with(&ctx, "q/BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("corp_binary", "b")]));
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

#[test]
fn bzl_top_level_cell_name_is_the_loading_build_files_cell() {
    // As in Buck2 (facebook/buck2's shim: `ACTIVE_CELL = native.get_cell_name()` at the top of
    // a .bzl file): the cell of the build file that loads it, evaluated once per such cell.
    let f = Fixture::new(&[
        (
            "defs.bzl",
            "CELL = native.get_cell_name()\nREPO = repository_name()\ndef m(name):\n    native.rust_library(name = name, cell = CELL, repo = REPO)\n",
        ),
        ("p/BUCK", "load(\"//:defs.bzl\", \"m\")\nm(name = \"a\")\n"),
        ("other/q/BUCK", "load(\"//:defs.bzl\", \"m\")\nm(name = \"b\")\n"),
    ]);
    let mut opts = f.options();
    opts.cells.push(("other".to_owned(), f.root().join("other")));
    let ctx = EvalContext::new(opts);
    let a = f.eval_with(&ctx, "p/BUCK");
    ok(&a);
    assert_eq!(target(&a, "a").attr("cell"), Some(&s("root")));
    assert_eq!(target(&a, "a").attr("repo"), Some(&s("@root")));
    let b = f.eval_with(&ctx, "other/q/BUCK");
    ok(&b);
    assert_eq!(target(&b, "b").attr("cell"), Some(&s("other")));
    assert_eq!(ctx.bzl_evaluations(), 2);
    // still refused where Buck2 refuses it: package functions at a .bzl file's top level
    let f = Fixture::new(&[("bad.bzl", "P = native.package_name()\n"), ("p/BUCK", "load(\"//:bad.bzl\", \"P\")\n")]);
    assert!(f.eval("p/BUCK").errors[0].message.contains("package_name"));
}

#[test]
fn select_map_and_select_test_and_prelude_type_predicates() {
    // The shape of facebook/buck2's shim: deps translated through `select_map` when they are
    // a select, recognised with the prelude's `is_select`.
    let f = Fixture::new(&[
        (
            "defs.bzl",
            "load(\"@prelude//utils:type_defs.bzl\", \"is_select\", \"is_list\", \"is_dict\", \"is_string\")\n\
             def _fix(xs):\n    if is_select(xs):\n        return select_map(xs, lambda c: _fix(c))\n    return [x.replace(\"fbcode//\", \"//\") for x in xs]\n\
             def m(name, deps = [], env = {}):\n    native.rust_library(\n        name = name,\n        deps = _fix(deps),\n        kinds = [is_select(deps), is_list(deps), is_dict(env), is_string(name)],\n        linux = select_test(deps, lambda d: \"fbcode//l\" in d),\n        plain = select_test([\"//a\"], lambda d: len(d) > 3),\n    )\n",
        ),
        (
            "p/BUCK",
            "load(\"//:defs.bzl\", \"m\")\n\
             m(name = \"a\", deps = [\"fbcode//a\"] + select({\"config//os:linux\": [\"fbcode//l\"], \"DEFAULT\": []}))\n\
             m(name = \"b\", deps = [\"fbcode//b\"], env = {\"K\": \"v\"})\n",
        ),
    ]);
    let r = f.eval("p/BUCK");
    ok(&r);
    let a = target(&r, "a");
    assert_eq!(
        a.attr("deps"),
        Some(&AttrValue::Select(vec![
            ("config//os:linux".into(), list(&["//a", "//l"])),
            ("DEFAULT".into(), list(&["//a"])),
        ]))
    );
    let b = |v| AttrValue::Bool(v);
    assert_eq!(a.attr("kinds"), Some(&AttrValue::List(vec![b(true), b(false), b(true), b(true)])));
    assert_eq!(a.attr("linux"), Some(&b(true)));
    assert_eq!(a.attr("plain"), Some(&b(false)));
    let bt = target(&r, "b");
    assert_eq!(bt.attr("deps"), Some(&list(&["//b"])));
    assert_eq!(bt.attr("kinds"), Some(&AttrValue::List(vec![b(false), b(true), b(true), b(true)])));
    // a select branch the evaluator keeps only by its text cannot be mapped: the file fails
    // (and keeps its static reading) rather than record a guess
    let f = Fixture::new(&[(
        "p/BUCK",
        "rust_library(name = \"x\", deps = select_map(select({\"DEFAULT\": [struct(a = 1)]}), lambda d: d))\n",
    )]);
    let r = f.eval("p/BUCK");
    assert!(r.errors.iter().any(|e| e.message.contains("not a plain value")), "{:?}", r.errors);
}

#[test]
fn every_prelude_rule_is_a_global() {
    // `constraint(...)`, declared by newer preludes, called without a load in facebook/buck2
    let f = Fixture::new(&[(
        "p/BUCK",
        "constraint(name = \"setting\", default = \"a\", values = [\"a\", \"b\"])\nzip_file(name = \"z\")\ncxx_genrule(name = \"g\", out = \"o\", cmd = \"true\")\n",
    )]);
    let r = f.eval("p/BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("constraint", "setting"), ("zip_file", "z"), ("cxx_genrule", "g")]));
}

#[test]
fn a_tree_parsed_by_the_caller_is_evaluated_with_locations_under_the_path() {
    // the engine hands over the tree of its first parse, whose code map is named by the
    // display path: locations come back under the build file's path all the same
    let f = Fixture::new(&[
        ("tools/defs.bzl", "def app(name):\n    native.rust_library(name = name + \"-lib\")\n"),
        ("svc/BUCK", "load(\"//tools:defs.bzl\", \"app\")\n\napp(name = \"svc\")\n"),
        ("bad/BUCK", "load(\"//tools:gone.bzl\", \"x\")\n"),
    ]);
    let ctx = f.ctx();
    let path = f.root().join("svc/BUCK");
    let text = std::fs::read_to_string(&path).unwrap();
    let ast = crate::parse::starlark::parse("svc/BUCK", &text).unwrap();
    let r = big_stack(|| ctx.eval_build_file_parsed(&path, &text, Some(ast)));
    ok(&r);
    let lib = target(&r, "svc-lib");
    let call = lib.call_site.as_ref().unwrap();
    assert_eq!(call.file, path);
    assert_eq!((call.line, call.col), (3, 1));
    assert!(lib.macro_site.as_ref().unwrap().file.ends_with("tools/defs.bzl"));
    // the same as parsing it here
    let again = big_stack(|| ctx.eval_build_file(&path, &text));
    assert_eq!(format!("{:?}", again.targets), format!("{:?}", r.targets));
    // a failed load: located in the build file, under its path
    let path = f.root().join("bad/BUCK");
    let text = std::fs::read_to_string(&path).unwrap();
    let ast = crate::parse::starlark::parse("bad/BUCK", &text).unwrap();
    let r = big_stack(|| ctx.eval_build_file_parsed(&path, &text, Some(ast)));
    assert_eq!(r.errors[0].loc.as_ref().unwrap().file, path, "{:?}", r.errors);
}
