//! Facts read from a crate's own sources, where this machine has them (vendored by Reindeer,
//! or unpacked in Cargo's registry: see `rules::fixups::vendored_dir`): which `env!("KEY")` /
//! `option_env!("KEY")` uses a crate makes, and whether each sits inside `include!`,
//! `include_str!` or `include_bytes!` (the file's *contents* are compiled in, not its path).
//! The sources are tokenised with `proc-macro2` (Rust's own lexical rules), not matched with
//! regular expressions, so strings, comments and raw strings cannot fool it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{TokenStream, TokenTree};

/// One `env!`/`option_env!` use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvUse {
    pub key: String,
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// Inside `include!`, `include_str!` or `include_bytes!`.
    pub in_include: bool,
    /// Features that an enclosing item's `#[cfg(feature = "…")]` requires (all of them).
    pub features: Vec<String>,
    /// `option_env!` (an unset variable is `None`), not `env!` (an unset variable fails to
    /// compile).
    pub optional: bool,
}

/// How many `.rs` files a scan reads at most (a crate is far smaller; this bounds hostile trees).
const MAX_FILES: usize = 5_000;

/// Every `env!`/`option_env!` use in the crate's `.rs` files (its `src/` and any other
/// directory but `target/`, tests, benches and examples). `None` when a file cannot be read
/// or tokenised: the facts are then unknown.
pub fn env_uses(crate_dir: &Path) -> Option<Vec<EnvUse>> {
    let mut files = Vec::new();
    collect_rs(crate_dir, &mut files, 0);
    if files.len() > MAX_FILES {
        return None;
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).ok()?;
        let tokens = TokenStream::from_str(&text).ok()?;
        walk(tokens, false, &f, &mut out);
    }
    Some(out)
}

/// [`env_uses`], computed once per directory and run (several rules ask about the same
/// crate).
pub fn env_uses_cached(crate_dir: &Path) -> Option<std::sync::Arc<Vec<EnvUse>>> {
    type Cache = std::sync::Mutex<std::collections::HashMap<PathBuf, Option<std::sync::Arc<Vec<EnvUse>>>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(crate_dir) {
        return hit.clone();
    }
    let uses = env_uses(crate_dir).map(std::sync::Arc::new);
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(crate_dir.to_path_buf(), uses.clone());
    uses
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 16 || out.len() > MAX_FILES {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        let Ok(t) = e.file_type() else { continue };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if t.is_dir() {
            if !matches!(name.as_ref(), "target" | "tests" | "benches" | "examples" | ".git") {
                collect_rs(&p, out, depth + 1);
            }
        } else if t.is_file() && name.ends_with(".rs") && name != "build.rs" {
            out.push(p);
        }
    }
}

fn walk(tokens: TokenStream, in_include: bool, file: &Path, out: &mut Vec<EnvUse>) {
    walk_in(tokens, in_include, &[], file, out)
}

/// The features a `cfg(…)` attribute body names with `feature = "…"` (outside `not(…)`).
fn cfg_features(attr: &proc_macro2::Group) -> Vec<String> {
    let toks: Vec<TokenTree> = attr.stream().into_iter().collect();
    let Some(TokenTree::Ident(cfg)) = toks.first() else { return Vec::new() };
    if cfg != "cfg" {
        return Vec::new();
    }
    let mut out = Vec::new();
    fn scan(ts: TokenStream, out: &mut Vec<String>) {
        let v: Vec<TokenTree> = ts.into_iter().collect();
        for (i, t) in v.iter().enumerate() {
            match t {
                TokenTree::Ident(id) if id == "feature" => {
                    if let (Some(TokenTree::Punct(eq)), Some(TokenTree::Literal(l))) = (v.get(i + 1), v.get(i + 2)) {
                        if eq.as_char() == '=' {
                            out.push(l.to_string().trim_matches('"').to_string());
                        }
                    }
                }
                TokenTree::Ident(id) if id == "not" || id == "any" => {}
                TokenTree::Group(g) if !matches!(v.get(i.wrapping_sub(1)), Some(TokenTree::Ident(n)) if n == "not" || n == "any") => {
                    scan(g.stream(), out)
                }
                _ => {}
            }
        }
    }
    if let Some(TokenTree::Group(g)) = toks.get(1) {
        scan(g.stream(), &mut out);
    }
    out
}

fn walk_in(tokens: TokenStream, in_include: bool, features: &[String], file: &Path, out: &mut Vec<EnvUse>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    // features of a `#[cfg(feature = …)]` attribute, for the item that follows it
    let mut pending: Vec<String> = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        let here: Vec<String> = features.iter().chain(&pending).cloned().collect();
        // `# [ … ]`: an attribute
        if let (TokenTree::Punct(hash), Some(TokenTree::Group(g))) = (&trees[i], trees.get(i + 1)) {
            if hash.as_char() == '#' && g.delimiter() == proc_macro2::Delimiter::Bracket {
                pending.extend(cfg_features(g));
                i += 2;
                continue;
            }
        }
        // `name ! ( … )`
        if let (TokenTree::Ident(name), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(g))) =
            (&trees[i], trees.get(i + 1), trees.get(i + 2))
        {
            if bang.as_char() == '!' {
                let name = name.to_string();
                match name.as_str() {
                    "env" | "option_env" => {
                        if let Some(TokenTree::Literal(lit)) = g.stream().into_iter().next() {
                            let s = lit.to_string();
                            if let Some(key) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                                out.push(EnvUse {
                                    key: key.to_string(),
                                    file: file.to_path_buf(),
                                    line: lit.span().start().line,
                                    in_include,
                                    features: here.clone(),
                                    optional: name == "option_env",
                                });
                            }
                        }
                    }
                    "include" | "include_str" | "include_bytes" => walk_in(g.stream(), true, &here, file, out),
                    _ => walk_in(g.stream(), in_include, &here, file, out),
                }
                i += 3;
                continue;
            }
        }
        match &trees[i] {
            TokenTree::Group(g) => {
                walk_in(g.stream(), in_include, &here, file, out);
                // a braced body ends the item the attribute was on
                if g.delimiter() == proc_macro2::Delimiter::Brace {
                    pending.clear();
                }
            }
            TokenTree::Punct(p) if p.as_char() == ';' => pending.clear(),
            _ => {}
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_inside_and_outside_include() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("src/gen")).unwrap();
        std::fs::write(
            d.path().join("src/lib.rs"),
            r##"
// env!("IN_A_COMMENT") is not a use
const S: &str = "env!(\"IN_A_STRING\")";
include!(concat!(env!("OUT_DIR"), "/table.rs"));
pub const TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/text.txt"));
pub fn path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("OUT_DIR"))
}
#[cfg(feature = "resolve-config")]
pub fn config_path() -> std::path::PathBuf {
    let mut p = std::path::PathBuf::from(env!("OUT_DIR"));
    p.push("config.txt");
    p
}
pub const AFTER: &str = env!("CARGO_PKG_NAME");
mod gen;
"##,
        )
        .unwrap();
        std::fs::write(d.path().join("src/gen/mod.rs"), "pub const V: Option<&str> = option_env!(\"MY_VAR\");\n")
            .unwrap();
        std::fs::write(d.path().join("build.rs"), "fn main() { let _ = env!(\"CARGO\"); }\n").unwrap();
        let uses = env_uses(d.path()).unwrap();
        let got: Vec<(&str, usize, bool, Vec<String>)> =
            uses.iter().map(|u| (u.key.as_str(), u.line, u.in_include, u.features.clone())).collect();
        let none = Vec::<String>::new;
        assert_eq!(
            got,
            [
                ("MY_VAR", 1, false, none()),
                ("OUT_DIR", 4, true, none()),
                ("OUT_DIR", 5, true, none()),
                ("OUT_DIR", 7, false, none()),
                ("OUT_DIR", 11, false, vec!["resolve-config".to_string()]),
                ("CARGO_PKG_NAME", 15, false, none()),
            ]
        );
    }
}
