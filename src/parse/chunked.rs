//! Large Starlark files (generated BUCK files of tens of megabytes) are parsed in pieces, so
//! that only one piece's syntax tree exists at a time: the starlark crate's AST takes about
//! eight times the text, which would dominate memory. The file is cut at top-level statement
//! boundaries; each piece is parsed and lowered on its own, and its IR's spans are moved to
//! the piece's place in the file before it is appended. The per-file checks that need the AST
//! (the starlark crate's own lints) do not run on such files. Any piece that does not parse
//! makes the caller parse the whole file, so syntax errors are reported exactly as for any
//! file.

use starlark_syntax::syntax::AstModule;

use super::starlark::permissive_dialect;
use crate::model::ir::{self, Module};

/// Files at least this large are parsed in pieces.
pub const MIN_BYTES: usize = 16 << 20;

/// Pieces are about this large.
const PIECE_BYTES: usize = 4 << 20;

/// Byte offsets where a top-level statement starts on a line of its own, after a blank line,
/// outside brackets and strings, about every [`PIECE_BYTES`].
pub fn boundaries(text: &str) -> Vec<usize> {
    boundaries_every(text, PIECE_BYTES)
}

fn boundaries_every(text: &str, piece: usize) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut depth: i64 = 0;
    let mut i = 0;
    let mut last = 0;
    let mut line_start = true;
    let mut prev_blank = false;
    while i < b.len() {
        let c = b[i];
        if line_start {
            let rest = &text[i..];
            if depth == 0
                && prev_blank
                && i - last >= piece
                && (c.is_ascii_alphabetic() || c == b'_')
                && !rest.starts_with("else")
                && !rest.starts_with("elif")
            {
                out.push(i);
                last = i;
            }
            prev_blank = c == b'\n';
            line_start = false;
        }
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'#' => {
                // a comment runs to the end of the line
                i = text[i..].find('\n').map_or(b.len(), |n| i + n);
            }
            b'"' | b'\'' => {
                let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                let q = if triple { 3 } else { 1 };
                i += q;
                while i < b.len() {
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == c && (!triple || (b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c))) {
                        i += q;
                        break;
                    }
                    if !triple && b[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth -= 1;
                i += 1;
            }
            b'\\' => {
                // an explicit line continuation: the next line is not a statement start
                i += 2;
            }
            _ => i += 1,
        }
        if line_start && i >= 2 && b[i - 2] == b'\\' {
            line_start = false;
        }
    }
    out
}

/// Parse `text` in pieces and lower each; `None` when it cannot be cut or a piece does not
/// parse (the caller parses the whole file then).
pub fn parse_lowered(display: &str, text: &str) -> Option<Module> {
    parse_lowered_every(display, text, PIECE_BYTES)
}

fn parse_lowered_every(display: &str, text: &str, piece: usize) -> Option<Module> {
    let cuts = boundaries_every(text, piece);
    if cuts.is_empty() {
        return None;
    }
    let mut starts = vec![0];
    starts.extend(cuts);
    let mut merged = Module::default();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(text.len());
        let ast = AstModule::parse(display, text[start..end].to_string(), &permissive_dialect()).ok()?;
        let mut m = ir::lower(&ast);
        drop(ast);
        shift_module(&mut m, start as u32);
        append(&mut merged, m);
    }
    // a global assigned in two pieces is reassigned
    let mut names: Vec<&str> = merged.globals.iter().map(|g| g.name.as_str()).collect();
    names.sort_unstable();
    let twice: Vec<String> = names.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0].to_string()).collect();
    for n in twice {
        if !merged.reassigned_globals.contains(&n) {
            merged.reassigned_globals.push(n);
        }
    }
    Some(merged)
}

/// Move every span of a piece's IR by `by` bytes (the piece's offset in the file).
fn shift_module(m: &mut Module, by: u32) {
    if by == 0 {
        return;
    }
    let sh = |r: &mut ir::Range| *r = r.start + by..r.end + by;
    for l in &mut m.loads {
        sh(&mut l.module_span);
        sh(&mut l.span);
        l.symbols.iter_mut().for_each(|s| sh(&mut s.span));
    }
    for g in &mut m.globals {
        shift_assign(g, by);
    }
    for d in &mut m.defs {
        sh(&mut d.name_span);
        sh(&mut d.span);
        d.params.iter_mut().filter_map(|p| p.default.as_mut()).for_each(|e| shift_expr(e, by));
        d.assigns.iter_mut().for_each(|a| sh(&mut a.name_span));
        d.exprs.iter_mut().for_each(|e| shift_expr(e, by));
    }
    m.calls.iter_mut().for_each(|c| shift_call(c, by));
    m.dialect_issues.iter_mut().for_each(|i| sh(&mut i.span));
    m.comments.iter_mut().chain(m.statements.iter_mut()).for_each(sh);
}

fn shift_assign(a: &mut ir::Assign, by: u32) {
    a.name_span = a.name_span.start + by..a.name_span.end + by;
    shift_expr(&mut a.value, by);
}

fn shift_call(c: &mut ir::Call, by: u32) {
    c.span = c.span.start + by..c.span.end + by;
    shift_expr(&mut c.func, by);
    for a in &mut c.args {
        a.span = a.span.start + by..a.span.end + by;
        shift_expr(&mut a.value, by);
    }
}

fn shift_expr(e: &mut ir::Expr, by: u32) {
    use ir::ExprKind as K;
    e.span = e.span.start + by..e.span.end + by;
    match &mut e.kind {
        K::List(v) | K::Tuple(v) => v.iter_mut().for_each(|x| shift_expr(x, by)),
        K::Dict(v) => v.iter_mut().for_each(|(k, x)| {
            shift_expr(k, by);
            shift_expr(x, by);
        }),
        K::Dot(x, _) => shift_expr(x, by),
        K::Call(c) => shift_call(c, by),
        K::Bin(b) => {
            shift_expr(&mut b.0, by);
            shift_expr(&mut b.2, by);
        }
        K::FString(f) => f.1.iter_mut().for_each(|x| shift_expr(x, by)),
        K::Index(a, b) => {
            shift_expr(a, by);
            shift_expr(b, by);
        }
        K::Str(_) | K::Int(_) | K::Bool(_) | K::None | K::Ident(_) | K::Other => {}
    }
}

fn append(into: &mut Module, m: Module) {
    into.loads.extend(m.loads);
    into.globals.extend(m.globals);
    for n in m.reassigned_globals {
        if !into.reassigned_globals.contains(&n) {
            into.reassigned_globals.push(n);
        }
    }
    into.defs.extend(m.defs);
    into.calls.extend(m.calls);
    into.dialect_issues.extend(m.dialect_issues);
    into.comments.extend(m.comments);
    into.statements.extend(m.statements);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(n: usize) -> String {
        let mut s = String::from("# @generated\nload(\"@prelude//rust:cargo_package.bzl\", \"cargo\")\n\n");
        for i in 0..n {
            s.push_str(&format!(
                "# crate {i}: \"quoted ( text\"\ncargo.rust_library(\n    name = \"c{i}-1.0.0\",\n    srcs = glob([\"src/**/*.rs\"]),\n    env = {{\"A\": \"x)\", 'B': '''multi\n\nline(''' }},\n)\n\nX{i} = [\n\n    1,\n]\n\n"
            ));
        }
        s
    }

    /// The pieces' IR equals the whole file's, spans included.
    #[test]
    fn pieces_lower_like_the_whole_file() {
        let text = generated(1_000);
        let cuts = boundaries_every(&text, 16 << 10);
        assert!(cuts.len() >= 2, "{cuts:?}");
        for c in &cuts {
            assert!(text[..*c].ends_with("\n\n"), "cut at {c}");
        }
        let whole = ir::lower(&AstModule::parse("BUCK", text.clone(), &permissive_dialect()).unwrap());
        let pieces = parse_lowered_every("BUCK", &text, 16 << 10).unwrap();
        assert_eq!(format!("{:?}", whole.calls), format!("{:?}", pieces.calls));
        assert_eq!(format!("{:?}", whole.globals), format!("{:?}", pieces.globals));
        assert_eq!(whole.comments, pieces.comments);
        assert_eq!(whole.statements, pieces.statements);
        assert_eq!(format!("{:?}", whole.loads), format!("{:?}", pieces.loads));
    }

    #[test]
    fn a_piece_that_does_not_parse_gives_up() {
        let mut text = generated(1_000);
        text.push_str("broken(\n");
        assert!(parse_lowered_every("BUCK", &text, 16 << 10).is_none());
    }
}
