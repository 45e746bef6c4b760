//! `toolchain-bare-tool`: a `system_cxx_toolchain` whose C/C++ compiler, linker or archiver is
//! a bare program name (`"clang"`, or the prelude's default when the attribute is left out),
//! in a repository where Rust build scripts that compile C run.
//!
//! The prelude hands the C/C++ toolchain to build scripts as `CC`, `CXX`, `AR` and `LD`
//! through shims that run `prelude/rust/tools/from_any_dir.py`, which starts the tool with
//! `os.execl` — no `PATH` search. A bare name therefore fails with "No such file or directory"
//! in every build script that compiles C through the `cc` crate (cc-rs reports only that the
//! command did not execute successfully). The rule fires only when the generated BUCK runs a
//! build script of a package that depends on `cc` in Cargo.lock. The finding sits on the bare
//! value, or on the toolchain's name when the attribute falls back to the prelude's default
//! (`path_clang_tools`: `clang`, `clang++`, `ar`). Only with a prelude that has the shims
//! (added 2026-03-19): a prelude directory holding `rust/tools/from_any_dir.py`, or the bundled
//! prelude of a buck2 release (`.buckversion`) from that day on; otherwise silent. No fix: the
//! absolute path is the machine's.
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::util::is_buildscript_run_rule;
use crate::rules::{Check, ProjectCx, Sink};

declare_rule! {
    ToolchainBareTool {
        id: "toolchain-bare-tool",
        code: None,
        category: Buck,
        severity: Warning,
        default: true,
        fix: None,
    }
}

/// The tool attributes the build-script shims exec, and the prelude's default for each.
const TOOLS: &[(&str, &str)] =
    &[("compiler", "clang"), ("cxx_compiler", "clang++"), ("linker", "clang++"), ("archiver", "ar")];

fn is_bare(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty() && !v.contains('/') && !v.contains('\\') && !v.contains("$(") && !v.contains(':')
}

/// The day the prelude began to hand build scripts the C/C++ toolchain through
/// `from_any_dir.py` (facebook/buck2 c2e17c7321); older preludes left `CC` unset, and cc-rs
/// found the compiler on `PATH` itself.
const SHIMS_SINCE: &str = "2026-03-19";

/// Does the prelude this project builds with run build scripts' C tools through
/// `from_any_dir.py`? A prelude directory shows it by having the file; the bundled prelude by
/// the buck2 release `.buckversion` names (`YYYY-MM-DD`). Anything else: unknown (`false`).
fn prelude_has_shims(p: &crate::model::Project) -> bool {
    let bundled = p.cells.external.get("prelude").is_some_and(|o| o == "bundled");
    if !bundled {
        if let Some(dir) = p.cells.root_of("prelude") {
            return dir.join("rust/tools/from_any_dir.py").is_file();
        }
        return false;
    }
    let Some(root) = &p.root else { return false };
    let Ok(v) = std::fs::read_to_string(root.join(".buckversion")) else { return false };
    let v = v.trim();
    // a release tag `2026-06-01`; a commit hash says nothing we can compare
    v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' && v >= SHIMS_SINCE
}

impl Check for ToolchainBareTool {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        if !prelude_has_shims(p) {
            return;
        }
        // packages whose build script the generated BUCK runs and that depend on `cc`
        let mut c_builders: Vec<String> = Vec::new();
        for rp in &p.reindeer {
            let Some(buck) = rp.buck_file else { continue };
            for i in p.targets_in(buck) {
                let t = &p.targets[i];
                if !is_buildscript_run_rule(&t.rule, cx.settings, rp.buildscript_rule.as_deref()) {
                    continue;
                }
                let Some(pkg) = p.attr(t, "package_name").and_then(|v| v.as_str().map(String::from)) else { continue };
                let uses_cc = rp.packages.iter().any(|pk| pk.name == pkg && pk.dependencies.iter().any(|d| d == "cc"));
                if uses_cc && !c_builders.contains(&pkg) {
                    c_builders.push(pkg);
                }
            }
        }
        if c_builders.is_empty() {
            return;
        }
        c_builders.sort();
        let shown = c_builders.iter().take(3).map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
        let more = if c_builders.len() > 3 { format!(" and {} more", c_builders.len() - 3) } else { String::new() };
        for t in &p.targets {
            if !cx.files.get(t.file).reported || t.rule.rsplit('.').next().is_none_or(|r| r != "system_cxx_toolchain") {
                continue;
            }
            let mut bare: Vec<(String, Option<crate::source::Span>)> = Vec::new();
            for (attr, default) in TOOLS {
                match p.attr(t, attr) {
                    None => bare.push((format!("`{attr}` (left out: the prelude's `{default}`)"), None)),
                    Some(v) => {
                        if let Some(s) = v.as_str().filter(|s| is_bare(s)) {
                            bare.push((format!("`{attr} = \"{s}\"`"), v.origin));
                        }
                    }
                }
            }
            if bare.is_empty() {
                continue;
            }
            let at = bare.iter().find_map(|(_, s)| *s).unwrap_or_else(|| t.name_span());
            let what: Vec<&str> = bare.iter().map(|(w, _)| w.as_str()).collect();
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Warning,
                    at,
                    format!(
                        "C/C++ toolchain `{}` names bare programs ({}); the prelude runs them for build scripts with os.execl, without a PATH search, so the build scripts of {shown}{more} fail with \"No such file or directory\"",
                        p.name(t),
                        what.join(", ")
                    ),
                )
                .with_label("not found without a PATH search")
                .with_help("give absolute paths (`compiler = \"/usr/bin/clang\"`, `cxx_compiler = \"/usr/bin/clang++\"`, `linker = \"/usr/bin/clang++\"`, `archiver = \"/usr/bin/ar\"`) or tools built by Buck2"),
            );
        }
    }
}
