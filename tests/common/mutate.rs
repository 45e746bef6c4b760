//! Input mutation shared by the property tests and the fuzz targets: token insertion,
//! deletion and duplication over seed files from `testdata/`.

use proptest::prelude::*;

pub const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "=",
    ",",
    "\n",
    "#",
    "\\",
    "\0",
    "\u{feff}",
    "é",
    "[[",
    "]]",
    "cfg(",
    "all(",
    "any(",
    "not(",
    "version = \"",
    "buildscript",
    ".run",
    "true",
    "False",
    "**kwargs",
    "def f(",
    "load(",
    "$(location ",
    "select({",
    "\r\n",
    "    ",
    "<file:x>",
    "[section]",
    "'''",
    "\"\"\"",
    "platform_fixup.",
    "CommandExecutorConfig(",
    "remote_enabled = True",
    "docker://",
    "@sha256:",
    "[[package]]",
    "name = ",
];

/// One edit: (position, token index, operation 0 delete / 1 insert / 2 duplicate, length).
pub type Edit = (usize, usize, usize, usize);

pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec((any::<usize>(), 0..TOKENS.len(), 0usize..3, 0usize..200), 0..8)
}

/// Apply edits to a seed; the result is text (invalid UTF-8 is replaced).
pub fn mutate(seed: &str, edits: &[Edit]) -> String {
    let mut b = seed.as_bytes().to_vec();
    for &(at, tok, op, len) in edits {
        let at = at % (b.len() + 1);
        let end = (at + len).min(b.len());
        match op {
            0 => {
                b.drain(at..end);
            }
            1 => {
                b.splice(at..at, TOKENS[tok].bytes());
            }
            _ => {
                let chunk = b[at..end].to_vec();
                b.splice(end..end, chunk);
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}
