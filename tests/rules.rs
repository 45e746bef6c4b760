//! Per-rule fixtures (ruff's fixture + snapshot per rule, clippy's `tests/ui/<lint>.stderr`).
//!
//! Every rule has a directory `tests/rules/<id>/` with at least one case that fires and one
//! that stays silent:
//! - its own small project trees: subdirectories named `fires`, `fires-<what>`, `silent` or
//!   `silent-<what>`;
//! - and/or `cases.toml`, naming scenario trees under `testdata/` (`fires = [...]`,
//!   `silent = [...]`) and, for the meta rule that needs one, environment variables (`[env]`).
//!
//! Each case runs `buck-lint check <tree> --select <id> --format concise` (only this rule) and
//! the outputs of all cases are pinned together in `tests/rules/<id>/expected.txt` (rewrite
//! with `UPDATE_EXPECT=1`). A `fires` case must report the rule at least once, a `silent` case
//! must report nothing. `every_rule_has_cases` walks the registry, so a new rule without its
//! directory fails, and so does a directory for a rule that does not exist.
mod common;

use std::path::PathBuf;

use buck_lint::rules::registry::RULES;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Debug)]
struct Case {
    fires: bool,
    /// Relative to the repository root.
    tree: String,
    env: Vec<(String, String)>,
}

fn cases(id: &str) -> Result<Vec<Case>, String> {
    let dir = root().join("tests/rules").join(id);
    let mut out = Vec::new();
    let mut subdirs: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|_| format!("rule `{id}` has no directory tests/rules/{id}/"))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    subdirs.sort();
    for name in subdirs {
        let fires = name == "fires" || name.starts_with("fires-");
        let silent = name == "silent" || name.starts_with("silent-");
        assert!(fires || silent, "tests/rules/{id}/{name}: a case directory is named fires[-…] or silent[-…]");
        out.push(Case { fires, tree: format!("tests/rules/{id}/{name}"), env: Vec::new() });
    }
    let toml_path = dir.join("cases.toml");
    if let Ok(text) = std::fs::read_to_string(&toml_path) {
        let doc: toml_edit::DocumentMut = text.parse().unwrap_or_else(|e| panic!("{}: {e}", toml_path.display()));
        let env: Vec<(String, String)> = doc
            .get("env")
            .and_then(|t| t.as_table_like())
            .map(|t| t.iter().map(|(k, v)| (k.to_string(), v.as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default();
        // the engine's test hooks exist in debug builds only
        let hooks_missing = !env.is_empty() && !cfg!(debug_assertions);
        for (key, fires) in [("fires", true), ("silent", false)] {
            for v in doc.get(key).and_then(|v| v.as_array()).into_iter().flatten() {
                let tree = v.as_str().expect("cases.toml lists paths").to_string();
                assert!(root().join(&tree).is_dir(), "tests/rules/{id}/cases.toml: `{tree}` is not a directory");
                if !hooks_missing {
                    out.push(Case { fires, tree, env: env.clone() });
                }
            }
        }
        for (k, _) in doc.iter() {
            assert!(matches!(k, "fires" | "silent" | "env"), "tests/rules/{id}/cases.toml: unknown key `{k}`");
        }
    }
    Ok(out)
}

fn run_case(id: &str, case: &Case) -> String {
    // a case with test-hook variables may change its tree (a file that vanishes before it is
    // read): it runs on a copy, at the same relative path so the output reads the same
    let scratch = tempfile::tempdir().unwrap();
    let cwd = if case.env.is_empty() {
        root()
    } else {
        common::copy_tree(&root().join(&case.tree), &scratch.path().join(&case.tree));
        scratch.path().to_path_buf()
    };
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_buck-lint"));
    cmd.current_dir(&cwd)
        .env("BUCK_LINT_NO_CACHE", "1")
        .env("CARGO_HOME", root().join("testdata/cargo-home"))
        .env("NO_COLOR", "1")
        .args(["check", &case.tree, "--select", id, "--format", "concise", "--exit-zero"]);
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    // internal and I/O errors fail the run even with --exit-zero
    assert!(
        o.status.success() || matches!(id, "internal-error" | "io-error"),
        "buck-lint failed on {}: {}",
        case.tree,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn check_rule(id: &str) -> Result<(), String> {
    let cases = cases(id)?;
    let hooked = matches!(id, "internal-error" | "io-error") && !cfg!(debug_assertions);
    if !hooked && (!cases.iter().any(|c| c.fires) || !cases.iter().any(|c| !c.fires)) {
        return Err(format!("rule `{id}` needs at least one case that fires and one that stays silent"));
    }
    let mut pinned = String::new();
    for c in &cases {
        let out = run_case(id, c);
        let hits = out.lines().filter(|l| l.contains(&format!("[{id}]"))).count();
        if c.fires && hits == 0 {
            return Err(format!("`{id}` should fire on {} but reported nothing:\n{out}", c.tree));
        }
        if !c.fires && !out.trim().is_empty() {
            return Err(format!("`{id}` should stay silent on {} but reported:\n{out}", c.tree));
        }
        pinned.push_str(&format!("== {} {}\n{out}", if c.fires { "fires" } else { "silent" }, c.tree));
        if !out.is_empty() && !out.ends_with('\n') {
            pinned.push('\n');
        }
    }
    let path = root().join("tests/rules").join(id).join("expected.txt");
    let r = std::panic::catch_unwind(|| common::expect_file(&path, &pinned));
    r.map_err(|e| e.downcast_ref::<String>().cloned().unwrap_or_else(|| format!("expected output of `{id}` differs")))
}

#[test]
fn every_rule_has_cases() {
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = RULES
            .chunks(RULES.len().div_ceil(4))
            .map(|chunk| s.spawn(move || chunk.iter().filter_map(|r| check_rule(r.id).err()).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "{} rule(s) failed:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn no_directory_without_a_rule() {
    for e in std::fs::read_dir(root().join("tests/rules")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(RULES.iter().any(|r| r.id == name), "tests/rules/{name}/ belongs to no registered rule");
    }
}

/// The README's rule table and `rules/SUMMARIES.tsv` are generated from the registry: a
/// change of a rule's declaration or page summary shows here (rewrite with `UPDATE_EXPECT=1`).
#[test]
fn readme_table_and_summaries_match_the_registry() {
    let yes = |b: bool| if b { "yes" } else { "no" };
    let on = |b: bool| if b { "on" } else { "off" };
    let mut tsv = String::new();
    let mut table =
        String::from("| id | code | category | severity | default | fix | summary |\n|---|---|---|---|---|---|---|\n");
    for r in RULES {
        let code = r.code.unwrap_or("–");
        tsv.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            r.id,
            r.code.unwrap_or("-"),
            r.category.as_str(),
            r.severity,
            yes(r.default_enabled),
            r.fix.as_str(),
            r.summary()
        ));
        table.push_str(&format!(
            "| `{}` | {code} | {} | {} | {} | {} | {} |\n",
            r.id,
            r.category.as_str(),
            r.severity,
            on(r.default_enabled),
            r.fix.as_str(),
            r.summary().replace('|', "\\|")
        ));
    }
    common::expect_file(&root().join("rules/SUMMARIES.tsv"), &tsv);
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let start = readme.find("| id | code | category |").expect("README has the rule table");
    let end = start + readme[start..].find("\n\n").map_or(readme.len() - start, |e| e + 1);
    let updated = format!("{}{}{}", &readme[..start], table, &readme[end..]);
    common::expect_file(&readme_path, &updated);
}
