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
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
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
                                });
                            }
                        }
                    }
                    "include" | "include_str" | "include_bytes" => walk(g.stream(), true, file, out),
                    _ => walk(g.stream(), in_include, file, out),
                }
                i += 3;
                continue;
            }
        }
        if let TokenTree::Group(g) = &trees[i] {
            walk(g.stream(), in_include, file, out);
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
mod gen;
"##,
        )
        .unwrap();
        std::fs::write(d.path().join("src/gen/mod.rs"), "pub const V: Option<&str> = option_env!(\"MY_VAR\");\n")
            .unwrap();
        std::fs::write(d.path().join("build.rs"), "fn main() { let _ = env!(\"CARGO\"); }\n").unwrap();
        let uses = env_uses(d.path()).unwrap();
        let got: Vec<(&str, usize, bool)> = uses.iter().map(|u| (u.key.as_str(), u.line, u.in_include)).collect();
        assert_eq!(got, [("MY_VAR", 1, false), ("OUT_DIR", 4, true), ("OUT_DIR", 5, true), ("OUT_DIR", 7, false)]);
    }
}
