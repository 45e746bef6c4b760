//! `fixup-env-absolute-host-path` (R33): an env value in fixups (`[env]`,
//! `[buildscript.run.env]`, `[buildscript.build.env]`, the `env`/`path_env` of legacy
//! `[[buildscript]]` `gen_srcs`/`rustc_flags` tables, in any section) or in a Rust library
//! rule's `env` in BUCK that is an absolute host path (`/usr/`, `/opt/`, `/home/`, `/Users/`,
//! `/root/`, `C:\`), uses `$HOME` or `~/`, or climbs out of the repository into `.cargo/`;
//! and an attribute of a toolchain definition in BUCK (`system_rust_toolchain`,
//! `system_cxx_toolchain`, any `*_toolchain` call) that points into one user's home (`/Users/…`,
//! `/home/…`, `~/.rustup/…`, `~/.cargo/bin`, `$HOME`); system paths are the norm there.
//!
//! In a BUCK file Reindeer generated, library env values are not reported: they come from
//! the crate's fixups.toml, where the finding is.
//!
//! Local Buck2 is not sandboxed, so these values work locally and fail in the RE container;
//! they also tie cache entries to one host. Values where `/` is just data (`"/"`, `"/lib.rs"`,
//! fewer than two path components) are exempt. The finding sits on the value. No fix.
use super::fixups_doc;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ir::ExprKind;
use crate::parse::Parsed;
use crate::rules::registry::declare_rule;
use crate::rules::util::is_rust_library_rule;
use crate::rules::{Check, FileCx, Sink};
use crate::source::{FileKind, Span};

declare_rule! {
    FixupEnvAbsoluteHostPath {
        id: "fixup-env-absolute-host-path",
        code: Some("R33"),
        category: Fixups,
        severity: Warning,
        default: true,
        fix: None,
    }
}

const PREFIXES: &[&str] = &["/usr/", "/opt/", "/home/", "/Users/", "/root/", "/var/", "/Library/"];

/// Why a value depends on the host's file system, if it does.
pub fn host_path(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.contains("$HOME") || v.contains("${HOME}") {
        return Some("uses `$HOME`");
    }
    if v.starts_with("~/") || v.contains(" ~/") || v.contains("=~/") || v.contains(":~/") {
        return Some("uses `~/`");
    }
    let components = |s: &str| s.split(['/', '\\']).filter(|c| !c.is_empty()).count();
    if PREFIXES.iter().any(|p| v.starts_with(p)) && components(v) >= 2 {
        return Some("is an absolute host path");
    }
    let drive = v.len() > 3 && v.as_bytes()[0].is_ascii_alphabetic() && v[1..].starts_with(":\\");
    if drive && components(&v[3..]) >= 2 {
        return Some("is an absolute Windows host path");
    }
    if v.contains("../../") && v.contains("/.cargo/") {
        return Some("climbs out of the repository into `.cargo/`");
    }
    None
}

/// A path that belongs to one user's machine (a home directory, `~`, `$HOME`, a rustup or
/// cargo install): for toolchain attributes, where system paths (`/usr/bin/clang`) are the
/// norm and exist in RE images too.
fn user_host_path(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let user = ["/home/", "/Users/", "/root/"].iter().any(|p| v.starts_with(p))
        || v.contains("$HOME")
        || v.contains("${HOME}")
        || v.starts_with("~/")
        || v.contains("/.rustup/")
        || v.contains("/.cargo/bin");
    user.then(|| host_path(v).unwrap_or("is a path in one user's home directory"))
}

fn diagnostic(span: Span, what: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        ID,
        Severity::Warning,
        span,
        format!("{what} {why}; it works on this machine but not in a remote-execution container"),
    )
    .with_label("host-specific path")
    .with_help("point the variable at a Buck target with `$(location_exec …)` / `$(exe …)`, or build the dependency with `[[cxx_library]]`; if the path really exists in the RE image, suppress this finding")
}

impl Check for FixupEnvAbsoluteHostPath {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if let Some(_doc) = fixups_doc(cx) {
            let Some(f) = cx.fixups() else { return };
            for s in &f.sections {
                let current = s.env_entries().into_iter().map(|(kind, e)| (kind.table_name().to_string(), e));
                for (table, e) in current.chain(s.legacy_env_entries()) {
                    if let Some(why) = host_path(e.value) {
                        let what = format!("`{table}.{}`", e.key);
                        sink.push(diagnostic(Span::new(cx.file.id, e.value_span.clone()), &what, why));
                    }
                }
            }
            return;
        }
        if cx.file.kind != FileKind::Build {
            return;
        }
        let Parsed::Starlark { module, .. } = cx.parsed else { return };
        let reindeer_generated = cx.file.text.lines().take(10).any(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("generated") && l.contains("reindeer")
        });
        for call in &module.calls {
            let Some(callee) = call.callee_name() else { continue };
            // toolchain definitions: `system_rust_toolchain(rustc = "/Users/…/rustc")`,
            // `system_cxx_toolchain(compiler = "/home/…/clang")`, a sysroot, a JDK home
            if callee.rsplit('.').next().is_some_and(|c| c.ends_with("_toolchain")) {
                for a in call.args.iter().filter(|a| a.kind == crate::model::ir::ArgKind::Named) {
                    let attr = a.name.as_deref().unwrap_or_default();
                    for (value, r) in crate::rules::util::list_string_literals(&a.value) {
                        if let Some(why) = user_host_path(value) {
                            let span = Span { file: cx.file.id, start: r.start, end: r.end };
                            sink.push(diagnostic(span, &format!("toolchain attribute `{attr}`"), why));
                        }
                    }
                }
                continue;
            }
            if !is_rust_library_rule(&callee, cx.settings, None) {
                continue;
            }
            // in a BUCK file Reindeer generated, a library's env comes from its fixups.toml
            // (`fixups/<crate>/fixups.toml` beside it), which is reported there: one finding,
            // not one per generated copy (read only when an entry would be reported: most
            // libraries have none, and the file is usually absent)
            let mut fixups_text: Option<Option<String>> = None;
            let Some(env) = call.kwarg("env") else { continue };
            let ExprKind::Dict(entries) = &env.value.kind else { continue };
            for (k, v) in entries {
                let (ExprKind::Str(key), ExprKind::Str(value)) = (&k.kind, &v.kind) else { continue };
                let Some(why) = host_path(value) else { continue };
                let fixups_text = fixups_text
                    .get_or_insert_with(|| if reindeer_generated { crate_fixups_text(cx, call) } else { None });
                if fixups_text.as_deref().is_some_and(|f| f.contains(&**key)) {
                    continue;
                }
                let span = Span { file: cx.file.id, start: v.span.start, end: v.span.end };
                sink.push(diagnostic(span, &format!("env `{key}`"), why));
            }
        }
    }
}

/// The text of `fixups/<crate>/fixups.toml` beside a generated BUCK file, for one of its
/// library rules (`name = "<crate>-<version>"`).
fn crate_fixups_text(cx: &FileCx<'_>, call: &crate::model::ir::Call) -> Option<String> {
    let (name, _) = call.name_arg()?;
    let (pkg, _) = crate::rules::util::split_versioned(name)?;
    let dir = cx.file.path.parent()?;
    std::fs::read_to_string(dir.join("fixups").join(pkg).join("fixups.toml")).ok()
}

#[cfg(test)]
mod tests {
    use super::host_path;

    #[test]
    fn host_paths() {
        assert!(host_path("/opt/homebrew/opt/openssl").is_some());
        assert!(host_path("$HOME/.local/bin/protoc").is_some());
        assert!(host_path("~/bin/protoc").is_some());
        assert!(host_path("C:\\vcpkg\\installed").is_some());
        assert!(host_path("../../../.cargo/registry/src/foo").is_some());
        assert!(host_path("/").is_none());
        assert!(host_path("/lib.rs").is_none());
        assert!(host_path("/usr/").is_none());
        assert!(host_path("$(exe toolchains//:cpython)").is_none());
    }
}
