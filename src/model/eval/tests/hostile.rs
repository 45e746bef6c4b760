use std::time::{Duration, Instant};

use super::*;

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
    opts.limits.max_ticks = u64::MAX;
    let ctx = EvalContext::new(opts);
    let t = Instant::now();
    let r = f.eval_with(&ctx, "q/BUCK");
    assert_quick_error(&r, EvalErrorKind::Limit, t);
    assert!(r.errors[0].message.contains("longer than the limit"), "{}", r.errors[0]);
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
