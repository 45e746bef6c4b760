//! Running rule implementations against a recording `ctx` (`EvalContext::run_rule_impl`).

use super::*;
use crate::model::eval::rule_impl::arg_spans;

const PLATFORM_BZL: &str = r#"
_BASE_PROPERTIES = {"OSFamily": "Linux"}

def _properties(image):
    return _BASE_PROPERTIES | {"container-image": image}

def _platform_impl(ctx: AnalysisContext) -> list[Provider]:
    constraints = dict()
    constraints.update(ctx.attrs.cpu[ConfigurationInfo].constraints)
    cfg = ConfigurationInfo(constraints = constraints, values = {})
    executor = CommandExecutorConfig(
        local_enabled = True,
        remote_enabled = True,
        remote_execution_properties = _properties(ctx.attrs.image),
        remote_execution_use_case = "buck2-" + ctx.label.name,
    )
    ctx.actions.write("out.txt", "x")
    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = cfg,
        executor_config = executor,
    )
    return [DefaultInfo(), platform, ExecutionPlatformRegistrationInfo(platforms = [platform])]

re_platform = rule(
    impl = _platform_impl,
    attrs = {
        "cpu": attrs.dep(providers = [ConfigurationInfo]),
        "image": attrs.string(default = "docker://default:1"),
        "base": attrs.option(attrs.dep(), default = None),
    },
)
"#;

fn run(f: &Fixture, ctx: &EvalContext, bzl: &str, var: &str, attrs: &[(&str, AttrValue)]) -> ImplResult {
    let attrs: Vec<(String, AttrValue)> = attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let path = f.root().join(bzl);
    big_stack(|| ctx.run_rule_impl(&path, var, &attrs))
}

#[test]
fn executor_properties_from_attrs_through_a_helper_and_a_dict_merge() {
    let f = Fixture::new(&[("platforms/defs.bzl", PLATFORM_BZL)]);
    let ctx = f.ctx();
    let attrs = [("name", s("linux")), ("cpu", s("//cpu:x86_64")), ("image", s("docker://img:2"))];
    let r = run(&f, &ctx, "platforms/defs.bzl", "re_platform", &attrs);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    let kinds: Vec<&str> = r.calls.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ConfigurationInfo",
            "CommandExecutorConfig",
            "ExecutionPlatformInfo",
            "DefaultInfo",
            "ExecutionPlatformRegistrationInfo"
        ]
    );
    let cec = r.calls_of("CommandExecutorConfig").next().unwrap();
    let props = cec.arg("remote_execution_properties").unwrap();
    assert_eq!(
        props.value,
        AttrValue::Dict(vec![(s("OSFamily"), s("Linux")), (s("container-image"), s("docker://img:2"))])
    );
    let loc = props.loc.as_ref().unwrap();
    assert_eq!((loc.line, loc.col), (14, 39));
    assert!(loc.file.ends_with("platforms/defs.bzl"));
    assert_eq!(cec.arg("remote_execution_use_case").unwrap().value, s("buck2-linux"));
    assert_eq!(cec.arg("local_enabled").unwrap().value, AttrValue::Bool(true));
    let call = cec.loc.as_ref().unwrap();
    assert_eq!((call.line, call.col), (11, 16));
    // The platform refers to the executor and the configuration by their recorded calls.
    let epi = r.calls_of("ExecutionPlatformInfo").next().unwrap();
    assert_eq!(r.referenced(&epi.arg("executor_config").unwrap().value).map(|c| c.id), Some(cec.id));
    assert_eq!(
        r.referenced(&epi.arg("configuration").unwrap().value).map(|c| c.kind.as_str()),
        Some("ConfigurationInfo")
    );
    assert_eq!(epi.arg("label").unwrap().value, AttrValue::Opaque("//:linux".into()));
    let reg = r.calls_of("ExecutionPlatformRegistrationInfo").next().unwrap();
    assert_eq!(
        reg.arg("platforms").unwrap().value,
        AttrValue::List(vec![AttrValue::Opaque(format!("<ExecutionPlatformInfo #{}>", epi.id))])
    );
    assert!(matches!(r.returned, Some(AttrValue::List(ref xs)) if xs.len() == 3));

    // Without `image`, its default; the label from `run_rule_impl_at`.
    let label = ImplLabel { cell: "root".into(), package: "platforms".into(), name: "dflt".into() };
    let attrs = vec![("name".to_owned(), s("dflt"))];
    let path = f.root().join("platforms/defs.bzl");
    let r = big_stack(|| ctx.run_rule_impl_at(&path, "re_platform", &label, &attrs));
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    let cec = r.calls_of("CommandExecutorConfig").next().unwrap();
    let props = &cec.arg("remote_execution_properties").unwrap().value;
    assert_eq!(
        props,
        &AttrValue::Dict(vec![(s("OSFamily"), s("Linux")), (s("container-image"), s("docker://default:1"))])
    );
    let epi = r.calls_of("ExecutionPlatformInfo").next().unwrap();
    assert_eq!(epi.arg("label").unwrap().value, AttrValue::Opaque("root//platforms:dflt".into()));
    // The module was evaluated once for both runs.
    assert_eq!(ctx.bzl_evaluations(), 1);
}

#[test]
fn read_config_selects_use_limited_hybrid() {
    let bzl = r#"
_HYBRID = read_config("build", "limited_hybrid", "false") == "true"

def _cfg(remote):
    if remote:
        return CommandExecutorConfig(local_enabled = True, remote_enabled = True, use_limited_hybrid = _HYBRID)
    return CommandExecutorConfig(local_enabled = True, remote_enabled = False)

def _impl(ctx):
    remote = read_root_config("build", "remote", "false") == "true"
    return [ExecutionPlatformInfo(label = ctx.label, configuration = None, executor_config = _cfg(remote))]

platform = rule(impl = _impl, attrs = {})
"#;
    let f = Fixture::new(&[("defs.bzl", bzl)]);
    let mut options = f.options();
    let mut build = HashMap::new();
    build.insert("limited_hybrid".to_owned(), "true".to_owned());
    build.insert("remote".to_owned(), "true".to_owned());
    options.config.insert("build".to_owned(), build);
    let ctx = EvalContext::new(options);
    let r = run(&f, &ctx, "defs.bzl", "platform", &[("name", s("p"))]);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    let cec = r.calls_of("CommandExecutorConfig").next().unwrap();
    assert_eq!(cec.arg("use_limited_hybrid").unwrap().value, AttrValue::Bool(true));
    assert_eq!(cec.loc.as_ref().unwrap().line, 6);

    // Without the config, the other branch.
    let ctx = f.ctx();
    let r = run(&f, &ctx, "defs.bzl", "platform", &[("name", s("p"))]);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    let cec = r.calls_of("CommandExecutorConfig").next().unwrap();
    assert_eq!(cec.arg("remote_enabled").unwrap().value, AttrValue::Bool(false));
    assert!(cec.arg("use_limited_hybrid").is_none());
}

#[test]
fn failing_implementations_return_errors() {
    let bzl = r#"
def _impl(ctx):
    DefaultInfo()
    if ctx.attrs.boom:
        fail("boom")
    return ctx.attrs.missing.field

def _spin(ctx):
    for _ in range(1000000000):
        pass

broken = rule(impl = _impl, attrs = {"boom": attrs.bool(default = True)})
spin = rule(impl = _spin, attrs = {})
no_impl = rule(attrs = {})
not_a_rule = 1
"#;
    let f = Fixture::new(&[("defs.bzl", bzl), ("bad.bzl", "x = (\n")]);
    let mut options = f.options();
    options.limits.max_ticks = 10_000;
    let ctx = EvalContext::new(options);
    let r = run(&f, &ctx, "defs.bzl", "broken", &[("name", s("b"))]);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].kind, EvalErrorKind::Fail);
    assert_eq!(r.errors[0].loc.as_ref().map(|l| l.line), Some(5));
    assert_eq!(r.calls.len(), 1, "calls before the failure are kept");
    // `missing` is no attribute: None, and `None.field` is an error.
    let r = run(&f, &ctx, "defs.bzl", "broken", &[("name", s("b")), ("boom", AttrValue::Bool(false))]);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].kind, EvalErrorKind::Eval);
    let r = run(&f, &ctx, "defs.bzl", "spin", &[]);
    assert_eq!(r.errors[0].kind, EvalErrorKind::Limit, "{:?}", r.errors);
    for var in ["no_impl", "not_a_rule", "absent"] {
        let r = run(&f, &ctx, "defs.bzl", var, &[]);
        assert_eq!(r.errors.len(), 1, "{var}");
        assert!(r.calls.is_empty());
    }
    let r = run(&f, &ctx, "bad.bzl", "x", &[]);
    assert_eq!(r.errors[0].kind, EvalErrorKind::Syntax);
    let r = run(&f, &ctx, "nonexistent.bzl", "x", &[]);
    assert_eq!(r.errors[0].kind, EvalErrorKind::Load);
}

/// `rule()` still records targets named by the variable, with `attrs.*` returning specs.
#[test]
fn rules_with_attr_specs_still_record_targets() {
    let f = Fixture::new(&[
        ("platforms/defs.bzl", PLATFORM_BZL),
        ("BUCK", "load(\"//platforms:defs.bzl\", \"re_platform\")\nre_platform(name = \"p\", cpu = \"//cpu:x\")\n"),
    ]);
    let ctx = f.ctx();
    let r = f.eval_with(&ctx, "BUCK");
    ok(&r);
    assert_eq!(names(&r), pairs(&[("re_platform", "p")]));
    let t = target(&r, "p");
    assert!(t.rule_file.as_ref().is_some_and(|p| p.ends_with("platforms/defs.bzl")), "{:?}", t.rule_file);
    let build_file = f.root().join("BUCK");
    let run = big_stack(|| ctx.run_target_impl(&build_file, t)).unwrap();
    assert!(run.errors.is_empty(), "{:#?}", run.errors);
    let epi = run.calls_of("ExecutionPlatformInfo").next().unwrap();
    assert_eq!(epi.arg("label").unwrap().value, AttrValue::Opaque("root//:p".into()));
    assert_eq!(ctx.bzl_evaluations(), 1);
    // Prelude and built-in rules have no implementation here.
    let r = f.eval_with(&ctx, "BUCK");
    let mut prelude = r.targets[0].clone();
    prelude.rule_file = None;
    assert!(ctx.run_target_impl(&build_file, &prelude).is_none());
}

#[test]
fn argument_spans() {
    let text = "f(a, k = [1, (2, 3)], s = \"x, y)\", # c, d\n  **kw)";
    let spans: Vec<(Option<&str>, &str)> = arg_spans(text).into_iter().map(|(n, b, e)| (n, &text[b..e])).collect();
    assert_eq!(spans, [(None, "a"), (Some("k"), "[1, (2, 3)]"), (Some("s"), "\"x, y)\"")]);
    let text = "a.b(x)(y == 1, z=2,)";
    let spans: Vec<(Option<&str>, &str)> = arg_spans(text).into_iter().map(|(n, b, e)| (n, &text[b..e])).collect();
    assert_eq!(spans, [(None, "y == 1"), (Some("z"), "2")]);
}
