//! Compact per-file facts: after the per-file rules have run on a module, keep only what the
//! cross-file rules read, so that memory stays flat on large repositories.
//!
//! - Build files outside a Reindeer third-party directory keep, for calls of well-known
//!   prelude rules, only the attributes project rules use (`deps`, `visibility`, `actual`,
//!   `proc_macro`, …) and only the `env` entries that can matter (paths, macros, the
//!   `CARGO_PKG_*` identity and `OUT_DIR`/`CARGO_MANIFEST_DIR`). Calls of other rules and
//!   macros (execution platforms, toolchains, project macros) are kept whole, because their
//!   attributes are bound to `ctx.attrs` in rule implementations.
//! - Generated third-party build files and `PACKAGE` files are kept whole.
//! - `.bzl` files keep only the functions that build executors or toolchains, forward
//!   `**kwargs`, or call such functions (so rule implementations reach their helpers).
//! - Comments, statement spans and dialect notes (used only by per-file checks) are dropped.

use super::ir::{Arg, ArgKind, Expr, ExprKind, FnDef, Module, walk_calls};
use crate::source::FileKind;

/// Prelude rules whose attributes are never read through `ctx.attrs` by project code.
const BUILTIN_RULES: &[&str] = &[
    "rust_library",
    "rust_binary",
    "rust_test",
    "http_archive",
    "http_file",
    "git_fetch",
    "extract_archive",
    "alias",
    "filegroup",
    "genrule",
    "export_file",
    "cxx_library",
    "cxx_binary",
    "cxx_test",
    "prebuilt_cxx_library",
    "python_library",
    "python_binary",
    "python_test",
    "sh_binary",
    "sh_test",
    "command_alias",
    "buildscript_run",
    "test_suite",
];

/// Attributes the project rules read on builtin rule calls.
const KEEP_ATTRS: &[&str] = &[
    "name",
    "deps",
    "named_deps",
    "exec_deps",
    "visibility",
    "actual",
    "proc_macro",
    "crate",
    "crate_dynamic",
    "crate_type",
    "env",
    "features",
    "platform",
    "platforms",
    "python_ext",
    "nightly_features",
    "edition",
    "default_target_platform",
    // toolchain-bare-tool: the C/C++ tools of system_cxx_toolchain, the package a build
    // script run belongs to
    "compiler",
    "cxx_compiler",
    "linker",
    "archiver",
    "package_name",
];

/// Callees whose presence makes a `.bzl` function relevant to cross-file rules.
const INTERESTING_CALLS: &[&str] = &[
    "CommandExecutorConfig",
    "ExecutionPlatformInfo",
    "ExecutionPlatformRegistrationInfo",
    "RustToolchainInfo",
    "system_rust_toolchain",
    "host_info",
    // BXL scripts that create actions need execution platforms (bxl-needs-execution-platforms)
    "bxl_actions",
];

fn last_segment(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Ident(s) => Some(s),
        ExprKind::Dot(_, a) => Some(a),
        _ => None,
    }
}

fn keep_env_entry(k: &Expr, v: &Expr, known_crate: bool) -> bool {
    let ExprKind::Str(key) = &k.kind else { return true };
    if known_crate && matches!(&**key, "OUT_DIR" | "CARGO_MANIFEST_DIR" | "CARGO_PKG_NAME" | "CARGO_PKG_VERSION") {
        return true;
    }
    match &v.kind {
        ExprKind::Str(val) => val.contains(['$', '/', '\\', '~']),
        _ => true,
    }
}

fn prune_arg(a: &mut Arg, known_crate: bool) -> bool {
    match a.kind {
        ArgKind::Named => {
            let name = a.name.as_deref().unwrap_or("");
            if !KEEP_ATTRS.contains(&name) {
                return false;
            }
            match name {
                // features only matter for crates of the env-embedding table (R01)
                "features" => known_crate,
                // only `visibility = []` (private) is ever read
                "visibility" => matches!(&a.value.kind, ExprKind::List(v) if v.is_empty()),
                "env" => {
                    if let ExprKind::Dict(items) = &mut a.value.kind {
                        let mut kept = std::mem::take(items).into_vec();
                        kept.retain(|(k, v)| keep_env_entry(k, v, known_crate));
                        *items = kept.into_boxed_slice();
                        !items.is_empty()
                    } else {
                        true
                    }
                }
                _ => true,
            }
        }
        ArgKind::KwArgs | ArgKind::Args => true,
        ArgKind::Positional => false,
    }
}

fn is_builtin(e: &Expr) -> bool {
    last_segment(e).is_some_and(|s| BUILTIN_RULES.contains(&s))
}

fn def_calls_interesting(d: &FnDef, interesting_defs: &[String]) -> bool {
    let mut hit = false;
    for e in &d.exprs {
        walk_calls(e, &mut |c| {
            if let Some(s) = last_segment(&c.func) {
                if INTERESTING_CALLS.contains(&s) || interesting_defs.iter().any(|n| n == s) {
                    hit = true;
                }
            }
        });
        if hit {
            break;
        }
    }
    hit
}

/// Does a call declare one of the crates in `crates` (by versioned name or `crate` attribute)?
fn declares_known_crate(c: &super::ir::Call, crates: &[String]) -> bool {
    let name = c.name_arg().map(|(n, _)| n).unwrap_or("");
    let pkg = crate::model::util::split_versioned(name).map(|(p, _)| p).unwrap_or(name);
    let krate = c.kwarg("crate").and_then(|a| match &a.value.kind {
        ExprKind::Str(s) => Some(&**s),
        _ => None,
    });
    crates.iter().any(|k| k == pkg || krate.is_some_and(|c| *c == k.replace('-', "_")))
}

/// Reduce a module to the facts cross-file rules need. `keep_whole` keeps build files
/// (generated third-party BUCK files) unchanged apart from per-file-only data; `crates` are
/// the crate names of the env-embedding table, whose `env`/`features` R01 reads anywhere.
pub fn prune(m: &mut Module, kind: FileKind, keep_whole: bool, crates: &[String]) {
    m.comments = Vec::new();
    m.statements = Vec::new();
    m.dialect_issues = Vec::new();
    match kind {
        FileKind::Build if !keep_whole => {
            let (mut builtin, rest): (Vec<_>, Vec<_>) =
                std::mem::take(&mut m.calls).into_iter().partition(|c| is_builtin(&c.func));
            builtin.retain(|c| c.name_arg().is_some());
            for c in &mut builtin {
                let known = declares_known_crate(c, crates);
                c.args.retain_mut(|a| prune_arg(a, known));
            }
            m.calls = rest;
            m.calls.shrink_to_fit();
            m.packed = super::packed::PackedCalls::pack(&builtin);
        }
        FileKind::Bzl => {
            let mut keep: Vec<String> = m
                .defs
                .iter()
                .filter(|d| {
                    d.params.iter().any(|p| p.kind == super::ir::ParamKind::KwArgs) || def_calls_interesting(d, &[])
                })
                .map(|d| d.name.clone())
                .collect();
            // callers of kept functions (rule implementations calling executor helpers)
            loop {
                let more: Vec<String> = m
                    .defs
                    .iter()
                    .filter(|d| !keep.contains(&d.name) && def_calls_interesting(d, &keep))
                    .map(|d| d.name.clone())
                    .collect();
                if more.is_empty() {
                    break;
                }
                keep.extend(more);
            }
            m.defs.retain(|d| keep.contains(&d.name));
            m.defs.shrink_to_fit();
            // `X = rule(impl = f, attrs = {...})`: only `impl` is read, and only when `f` is a
            // kept function (the executor specialisation looks it up in `defs`).
            m.globals.retain_mut(|g| {
                let ExprKind::Call(c) = &mut g.value.kind else { return true };
                if last_segment(&c.func) != Some("rule") {
                    return true;
                }
                c.args.retain(|a| a.name.as_deref() == Some("impl"));
                c.args.iter().any(|a| matches!(&a.value.kind, ExprKind::Ident(f) if keep.iter().any(|k| **k == **f)))
            });
            m.globals.shrink_to_fit();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(src: &str) -> Module {
        crate::model::ir::lower(&crate::parse::starlark::parse("x", src).unwrap())
    }

    #[test]
    fn builtin_calls_keep_only_used_attributes() {
        let mut m = module(
            "cargo.rust_library(name = \"a-1.0.0\", srcs = [\"x\"], edition = \"2021\", deps = [\":b\"], env = {\"CARGO_PKG_AUTHORS\": \"me\", \"OUT_DIR\": \"$(location :x[out_dir])\", \"P\": \"/opt/x\"})\nmy_platform(name = \"p\", image = \"docker://x\", extra = 1)\n",
        );
        prune(&mut m, FileKind::Build, false, &["a".to_string()]);
        assert_eq!(m.packed.calls().count(), 1, "the prelude rule is packed");
        let lib = m.packed.calls().next().unwrap().to_call();
        let names: Vec<&str> = lib.args.iter().filter_map(|a| a.name.as_deref()).collect();
        assert_eq!(names, vec!["edition", "deps", "env"], "`name` goes to the target index; `srcs` is dropped");
        let ExprKind::Dict(env) = &lib.kwarg("env").unwrap().value.kind else { panic!() };
        assert_eq!(env.len(), 2, "OUT_DIR (a table crate) and the absolute path stay");
        assert_eq!(m.calls.len(), 1);
        assert_eq!(m.calls[0].args.len(), 3, "custom rules keep every attribute");
    }

    #[test]
    fn bzl_keeps_executor_functions_and_their_callers() {
        let mut m = module(
            "def _exec(img):\n    return CommandExecutorConfig(local_enabled = False, remote_enabled = True)\ndef _impl(ctx):\n    return [_exec(\"x\")]\ndef _other(ctx):\n    return [DefaultInfo()]\ndef macro(name, **kwargs):\n    rust_library(name = name, **kwargs)\nmy_rule = rule(impl = _impl, attrs = {})\nother_rule = rule(impl = _other, attrs = {})\nCONST = [\"a\"]\n",
        );
        prune(&mut m, FileKind::Bzl, false, &[]);
        let names: Vec<&str> = m.defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, vec!["_exec", "_impl", "macro"]);
        let globals: Vec<&str> = m.globals.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(globals, vec!["my_rule", "CONST"], "rules whose implementation is dropped go too");
    }
}
