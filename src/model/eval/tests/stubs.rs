//! Stubbed prelude values: helpers called without `name` return absorbing values (or an empty
//! dict where the call's text needs one), so that the project's macros evaluate.

use super::*;
use crate::model::eval::values::{StubUse, stub_use};

#[test]
fn stub_use_reads_the_text_before_the_call() {
    assert_eq!(stub_use("attrs = {\n} | "), StubUse::Dict);
    assert_eq!(stub_use("x |= "), StubUse::Dict);
    assert_eq!(stub_use("f(**"), StubUse::Dict);
    assert_eq!(stub_use("a = {} | (\n  "), StubUse::Dict);
    assert_eq!(stub_use("a = \\\n  {} |\\\n "), StubUse::Dict);
    assert_eq!(stub_use("x = "), StubUse::Other);
    assert_eq!(stub_use("f(*"), StubUse::Other);
    assert_eq!(stub_use("x = a + "), StubUse::Other);
    assert_eq!(stub_use(""), StubUse::Other);
}

/// `{...} | helper()` (the failure of 194 of systeminit/si's build files), `|=`, `**helper()`
/// and `helper() | {...}`.
#[test]
fn dict_merge_with_a_stub_call() {
    let f = Fixture::new(&[
        (
            "defs.bzl",
            r#"
load("@prelude//decls:re_test_common.bzl", "re_test_common")
load("@prelude//decls:toolchains_common.bzl", "inject_test_env", "apply_platform_attrs")

def _impl(ctx):
    return []

eslint = rule(
    impl = _impl,
    attrs = {
        "srcs": attrs.list(attrs.source(), default = []),
    } | re_test_common.test_args() | inject_test_env.args(),
)

def macro(name, env = {}, **kwargs):
    extra = {"a": "1"}
    extra |= re_test_common.env()
    merged = re_test_common.more_env() | {"b": "2"}
    eslint(name = name, env = env | extra | merged, **apply_platform_attrs("p", kwargs))
"#,
        ),
        ("BUCK", "load(\":defs.bzl\", \"macro\")\nmacro(name = \"lint\", env = {\"c\": \"3\"}, srcs = [\"a.ts\"])\n"),
    ]);
    let r = f.eval("BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("eslint", "lint")]));
    let env = target(&r, "lint").attr("env").unwrap();
    assert_eq!(env, &AttrValue::Dict(vec![(s("c"), s("3")), (s("a"), s("1")), (s("b"), s("2"))]));
    // `**apply_platform_attrs(...)` unpacked an empty dict: srcs went into kwargs only.
    assert!(target(&r, "lint").attr("srcs").is_none());
}

#[test]
fn iteration_over_a_stub_result() {
    let f = Fixture::new(&[
        (
            "defs.bzl",
            r#"
load("@prelude//utils:utils.bzl", "flatten", "platforms")

def macro(name):
    deps = [d for d in flatten(["a"])]
    for p in platforms():
        fail("a stub result iterates as empty")
    n = len(platforms())
    native.genrule(name = name, srcs = deps, out = str(n), cmd = "x" if "k" not in platforms() else "y")
"#,
        ),
        ("BUCK", "load(\":defs.bzl\", \"macro\")\nmacro(name = \"g\")\n"),
    ]);
    let r = f.eval("BUCK");
    ok(&r);
    let t = target(&r, "g");
    assert_eq!(t.attr("srcs"), Some(&AttrValue::List(vec![])));
    assert_eq!(t.attr("out"), Some(&s("0")));
    assert_eq!(t.attr("cmd"), Some(&s("x")));
}

#[test]
fn string_and_list_concatenation_with_stub_results() {
    let f = Fixture::new(&[
        (
            "defs.bzl",
            r#"
load("@prelude//utils:paths.bzl", "paths", "default_deps")

def macro(name):
    native.genrule(
        name = name,
        out = "prefix-" + paths.basename("x"),
        cmd = paths.join("a", "b") + "-suffix",
        srcs = ["a"] + default_deps() + ["b"],
        labels = default_deps() + ["l"],
    )
"#,
        ),
        ("BUCK", "load(\":defs.bzl\", \"macro\")\nmacro(name = \"g\")\n"),
    ]);
    let r = f.eval("BUCK");
    ok(&r);
    let t = target(&r, "g");
    assert_eq!(t.attr("out"), Some(&s("prefix-")));
    assert_eq!(t.attr("cmd"), Some(&s("-suffix")));
    assert_eq!(t.attr("srcs"), Some(&list(&["a", "b"])));
    assert_eq!(t.attr("labels"), Some(&list(&["l"])));
}

#[test]
fn method_calls_attributes_and_comparisons_on_stub_results() {
    let f = Fixture::new(&[
        (
            "defs.bzl",
            r#"
load("@prelude//:paths.bzl", "toolchain")

def macro(name):
    t = toolchain()
    v = t.compiler(flags = ["-O"]).path[0].strip()
    t.extra["k"] = 1
    t.field = 2
    same = toolchain() == toolchain()
    differs = t.a == t.b
    native.genrule(
        name = name,
        out = str(v),
        cmd = "yes" if t else "no",
        labels = [str(same), str(differs), str(t == None), repr(t.x)],
        srcs = {t.a: "x"}.keys(),
    )
"#,
        ),
        ("BUCK", "load(\":defs.bzl\", \"macro\")\nmacro(name = \"g\")\n"),
    ]);
    let r = f.eval("BUCK");
    ok(&r);
    let t = target(&r, "g");
    assert_eq!(t.attr("out"), Some(&s("<toolchain().compiler().path[].strip()>")));
    assert_eq!(t.attr("cmd"), Some(&s("no")));
    assert_eq!(t.attr("labels"), Some(&list(&["True", "False", "False", "<toolchain().x>"])));
    assert_eq!(t.attr("srcs"), Some(&AttrValue::List(vec![AttrValue::Opaque("<toolchain().a>".into())])));
}

/// A stub called with `name` still records a target and returns `None`.
#[test]
fn named_stub_calls_still_record() {
    let f = Fixture::new(&[
        (
            "defs.bzl",
            r#"
load("@prelude//rules.bzl", "rust_library", "helper")

def macro(name):
    r = rust_library(name = name, srcs = helper())
    if r != None:
        fail("a rule call returns None")
"#,
        ),
        ("BUCK", "load(\":defs.bzl\", \"macro\")\nmacro(name = \"lib\")\n"),
    ]);
    let r = f.eval("BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("rust_library", "lib")]));
    assert_eq!(target(&r, "lib").attr("srcs"), Some(&AttrValue::Opaque("<helper()>".into())));
}
