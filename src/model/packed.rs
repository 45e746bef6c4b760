//! Packed calls: the pruned target declarations of first-party build files, encoded in one
//! byte buffer per file instead of a tree of allocated IR nodes.
//!
//! A large monorepo declares hundreds of thousands of targets in first-party build files;
//! the cross-file rules read a few attributes of each (`deps`, `visibility`, `actual`, …).
//! As IR, a three-attribute target costs about 400 bytes in a dozen allocations; packed, it
//! is the bytes of its strings plus a few bytes of tags and variable-length span deltas.
//! Rules read packed calls through the views [`PackedCall`], [`PackedArg`] and
//! [`PackedExpr`] (no allocation, except for [`PackedExpr::to_expr`]), usually via
//! [`super::CallRef`].
//!
//! Encoding (all integers LEB128; spans as a zigzag delta of the start from the enclosing
//! node's start, then the length):
//! - call: `span`, `func` expression, argument count, then per argument its kind, its
//!   interned name (index + 1 into the file's symbol table, 0 for none), `span`, value;
//! - expression: a tag, `span`, payload (string bytes, integer, children, symbol index, or
//!   the index of an unpacked [`Expr`] for the rare shapes rules never look into).
//!
//! Each call is preceded by a head: the target's name (length and bytes), the span of its
//! string literal (absolute start, length) and the interned callee. The `name` argument is
//! not repeated among the arguments; the target index reads names from the heads.

use super::ir::{Arg, ArgKind, BinOp, Call, Expr, ExprKind, Range};
use super::sym::Sym;

const T_STR: u8 = 0;
const T_INT: u8 = 1;
const T_FALSE: u8 = 2;
const T_TRUE: u8 = 3;
const T_NONE: u8 = 4;
const T_LIST: u8 = 5;
const T_TUPLE: u8 = 6;
const T_DICT: u8 = 7;
const T_IDENT: u8 = 8;
const T_DOT: u8 = 9;
const T_CALL: u8 = 10;
const T_BIN: u8 = 11;
const T_OTHER: u8 = 12;

/// The packed calls of one build file.
#[derive(Debug, Clone, Default)]
pub struct PackedCalls {
    bytes: Box<[u8]>,
    syms: Box<[Sym]>,
    other: Box<[Expr]>,
}

struct Writer {
    bytes: Vec<u8>,
    syms: Vec<Sym>,
    sym_idx: rustc_hash::FxHashMap<Sym, u32>,
    other: Vec<Expr>,
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

impl Writer {
    fn var(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.bytes.push(b);
                return;
            }
            self.bytes.push(b | 0x80);
        }
    }
    fn span(&mut self, r: &Range, base: u32) {
        self.var(zigzag(r.start as i64 - base as i64));
        self.var(r.end.saturating_sub(r.start) as u64);
    }
    fn sym(&mut self, s: Sym) {
        let next = self.syms.len() as u32;
        let i = *self.sym_idx.entry(s).or_insert(next);
        if i == next {
            self.syms.push(s);
        }
        self.var(i as u64);
    }
    fn expr(&mut self, e: &Expr, base: u32) {
        let tag = match &e.kind {
            ExprKind::Str(_) => T_STR,
            ExprKind::Int(_) => T_INT,
            ExprKind::Bool(false) => T_FALSE,
            ExprKind::Bool(true) => T_TRUE,
            ExprKind::None => T_NONE,
            ExprKind::List(_) => T_LIST,
            ExprKind::Tuple(_) => T_TUPLE,
            ExprKind::Dict(_) => T_DICT,
            ExprKind::Ident(_) => T_IDENT,
            ExprKind::Dot(..) => T_DOT,
            ExprKind::Call(_) => T_CALL,
            ExprKind::Bin(_) => T_BIN,
            ExprKind::FString(_) | ExprKind::Index(..) | ExprKind::Other => T_OTHER,
        };
        self.bytes.push(tag);
        self.span(&e.span, base);
        let at = e.span.start;
        match &e.kind {
            ExprKind::Str(s) => {
                self.var(s.len() as u64);
                self.bytes.extend_from_slice(s.as_bytes());
            }
            ExprKind::Int(i) => self.var(zigzag(*i)),
            ExprKind::Bool(_) | ExprKind::None => {}
            ExprKind::List(v) | ExprKind::Tuple(v) => {
                self.var(v.len() as u64);
                v.iter().for_each(|x| self.expr(x, at));
            }
            ExprKind::Dict(v) => {
                self.var(v.len() as u64);
                for (k, x) in v.iter() {
                    self.expr(k, at);
                    self.expr(x, at);
                }
            }
            ExprKind::Ident(s) => self.sym(*s),
            ExprKind::Dot(x, s) => {
                self.expr(x, at);
                self.sym(*s);
            }
            ExprKind::Call(c) => self.call(c, at),
            ExprKind::Bin(b) => {
                self.bytes.push(match b.1 {
                    BinOp::Add => 0,
                    BinOp::BitOr => 1,
                    BinOp::Percent => 2,
                    BinOp::Other => 3,
                });
                self.expr(&b.0, at);
                self.expr(&b.2, at);
            }
            ExprKind::FString(_) | ExprKind::Index(..) | ExprKind::Other => {
                self.var(self.other.len() as u64);
                self.other.push(e.clone());
            }
        }
    }
    fn call(&mut self, c: &Call, base: u32) {
        self.span(&c.span, base);
        let at = c.span.start;
        self.expr(&c.func, at);
        let args: Vec<&Arg> = c.args.iter().filter(|a| a.name.as_deref() != Some("name")).collect();
        self.var(args.len() as u64);
        for a in args {
            self.bytes.push(a.kind as u8);
            match a.name {
                Some(n) => {
                    let next = self.syms.len() as u32;
                    let i = *self.sym_idx.entry(n).or_insert(next);
                    if i == next {
                        self.syms.push(n);
                    }
                    self.var(i as u64 + 1);
                }
                None => self.var(0),
            }
            self.span(&a.span, at);
            self.expr(&a.value, a.span.start);
        }
    }
}

impl PackedCalls {
    /// Pack the calls that have a literal `name` and a named callee (others are skipped).
    pub fn pack(calls: &[Call]) -> PackedCalls {
        let mut w = Writer { bytes: Vec::new(), syms: Vec::new(), sym_idx: Default::default(), other: Vec::new() };
        for c in calls {
            let Some((name, name_span)) = c.name_arg() else { continue };
            let Some(callee) = c.callee_name() else { continue };
            w.var(name.len() as u64);
            w.bytes.extend_from_slice(name.as_bytes());
            w.span(&name_span, 0);
            w.sym(Sym::new(&callee));
            w.call(c, 0);
        }
        PackedCalls {
            bytes: w.bytes.into_boxed_slice(),
            syms: w.syms.into_boxed_slice(),
            other: w.other.into_boxed_slice(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Heap bytes held (for the size tests and the README's accounting).
    pub fn heap_size(&self) -> usize {
        self.bytes.len() + self.syms.len() * 8 + self.other.len() * std::mem::size_of::<Expr>()
    }

    /// The call packed at `offset` (see [`PackedCall::offset`]).
    pub fn call(&self, offset: u32) -> PackedCall<'_> {
        PackedCall { p: self, at: offset as usize }
    }

    /// Every packed call, in source order.
    pub fn calls(&self) -> impl Iterator<Item = PackedCall<'_>> {
        let mut at = 0;
        std::iter::from_fn(move || {
            if at >= self.bytes.len() {
                return None;
            }
            let c = PackedCall { p: self, at };
            let mut r = c.body();
            r.skip_call();
            at = r.pos;
            Some(c)
        })
    }
}

#[derive(Clone, Copy)]
struct Reader<'a> {
    p: &'a PackedCalls,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn u8(&mut self) -> u8 {
        let b = self.p.bytes[self.pos];
        self.pos += 1;
        b
    }
    fn var(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.u8();
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }
    fn span(&mut self, base: u32) -> Range {
        let start = (base as i64 + unzigzag(self.var())) as u32;
        let len = self.var() as u32;
        start..start + len
    }
    fn sym(&mut self) -> Sym {
        self.p.syms[self.var() as usize]
    }
    fn str(&mut self) -> &'a str {
        let n = self.var() as usize;
        let bytes = &self.p.bytes[self.pos..self.pos + n];
        self.pos += n;
        // written from a `str`; never fails
        std::str::from_utf8(bytes).unwrap_or_default()
    }
    /// Skip an expression (after its tag and span have NOT been read).
    fn skip_expr(&mut self) {
        let tag = self.u8();
        self.var();
        self.var();
        match tag {
            T_STR => {
                let n = self.var() as usize;
                self.pos += n;
            }
            T_INT | T_IDENT | T_OTHER => {
                self.var();
            }
            T_LIST | T_TUPLE => {
                for _ in 0..self.var() {
                    self.skip_expr();
                }
            }
            T_DICT => {
                for _ in 0..self.var() {
                    self.skip_expr();
                    self.skip_expr();
                }
            }
            T_DOT => {
                self.skip_expr();
                self.var();
            }
            T_CALL => self.skip_call(),
            T_BIN => {
                self.pos += 1;
                self.skip_expr();
                self.skip_expr();
            }
            _ => {}
        }
    }
    fn skip_call(&mut self) {
        self.var();
        self.var();
        self.skip_expr();
        for _ in 0..self.var() {
            self.pos += 1;
            self.var();
            self.var();
            self.var();
            self.skip_expr();
        }
    }
    /// Read an argument (of a call starting at `call_start`) and move past it.
    fn arg(&mut self, call_start: u32) -> PackedArg<'a> {
        let kind = match self.u8() {
            0 => ArgKind::Positional,
            1 => ArgKind::Named,
            2 => ArgKind::Args,
            _ => ArgKind::KwArgs,
        };
        let name = match self.var() {
            0 => None,
            i => Some(self.p.syms[i as usize - 1]),
        };
        let span = self.span(call_start);
        let value = PackedExpr { p: self.p, at: self.pos, base: span.start };
        self.skip_expr();
        PackedArg { kind, name, span, value }
    }
    fn args_start(&mut self, base: u32) -> (Range, u64) {
        let span = self.span(base);
        self.skip_expr();
        (span, self.var())
    }
}

/// A packed call.
#[derive(Clone, Copy)]
pub struct PackedCall<'a> {
    p: &'a PackedCalls,
    at: usize,
}

impl<'a> PackedCall<'a> {
    /// Where the call is in its file's buffer (for [`PackedCalls::call`]).
    pub fn offset(&self) -> u32 {
        self.at as u32
    }
    /// The target name.
    pub fn name(&self) -> &'a str {
        Reader { p: self.p, pos: self.at }.str()
    }
    /// The span of the name's string literal.
    pub fn name_span(&self) -> Range {
        let mut r = Reader { p: self.p, pos: self.at };
        r.str();
        r.span(0)
    }
    /// The callee as written (`cargo.rust_library`).
    pub fn callee(&self) -> Sym {
        let mut r = Reader { p: self.p, pos: self.at };
        r.str();
        r.span(0);
        r.sym()
    }
    /// A reader at the call, after its head.
    fn body(&self) -> Reader<'a> {
        let mut r = Reader { p: self.p, pos: self.at };
        r.str();
        r.span(0);
        r.var();
        r
    }
    pub fn span(&self) -> Range {
        self.body().span(0)
    }
    pub fn func(&self) -> PackedExpr<'a> {
        let mut r = self.body();
        let span = r.span(0);
        PackedExpr { p: self.p, at: r.pos, base: span.start }
    }
    /// The arguments (without `name`, see [`PackedCall::name`]).
    pub fn args(&self) -> impl Iterator<Item = PackedArg<'a>> + use<'a> {
        CallBody { p: self.p, at: self.body().pos }.args_at(0)
    }
}

/// An argument of a packed call.
#[derive(Clone)]
pub struct PackedArg<'a> {
    pub kind: ArgKind,
    pub name: Option<Sym>,
    pub span: Range,
    pub value: PackedExpr<'a>,
}

/// A packed expression.
#[derive(Clone, Copy)]
pub struct PackedExpr<'a> {
    p: &'a PackedCalls,
    at: usize,
    /// Start of the enclosing node (spans are stored relative to it).
    base: u32,
}

impl<'a> PackedExpr<'a> {
    fn head(&self) -> (u8, Range, Reader<'a>) {
        let mut r = Reader { p: self.p, pos: self.at };
        let tag = r.u8();
        let span = r.span(self.base);
        (tag, span, r)
    }
    pub fn span(&self) -> Range {
        self.head().1
    }
    pub fn as_str(&self) -> Option<&'a str> {
        let (tag, _, mut r) = self.head();
        (tag == T_STR).then(|| r.str())
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.head().0 {
            T_TRUE => Some(true),
            T_FALSE => Some(false),
            _ => None,
        }
    }
    /// Children of a list or tuple.
    fn items(&self) -> Vec<PackedExpr<'a>> {
        let (tag, span, mut r) = self.head();
        let mut out = Vec::new();
        let pairs = match tag {
            T_LIST | T_TUPLE => false,
            T_DICT => true,
            _ => return out,
        };
        for _ in 0..r.var() {
            for _ in 0..if pairs { 2 } else { 1 } {
                out.push(PackedExpr { p: self.p, at: r.pos, base: span.start });
                r.skip_expr();
            }
        }
        out
    }

    /// String literals directly inside, as [`crate::model::util::list_string_literals`]
    /// finds them in an IR expression (list and tuple items, dict values, both sides of a
    /// binary operator, `select()` branches).
    pub fn string_literals(&self, out: &mut Vec<(&'a str, Range)>) {
        let (tag, span, mut r) = self.head();
        match tag {
            T_STR => out.push((r.str(), span)),
            T_LIST | T_TUPLE => self.items().iter().for_each(|x| x.string_literals(out)),
            T_DICT => self.items().iter().skip(1).step_by(2).for_each(|x| x.string_literals(out)),
            T_BIN => {
                r.pos += 1;
                let lhs = PackedExpr { p: self.p, at: r.pos, base: span.start };
                r.skip_expr();
                let rhs = PackedExpr { p: self.p, at: r.pos, base: span.start };
                lhs.string_literals(out);
                rhs.string_literals(out);
            }
            T_CALL => {
                let c = CallBody { p: self.p, at: r.pos };
                let is_select = matches!(c.func(span.start).to_expr().kind, ExprKind::Ident(s) if &*s == "select");
                if is_select {
                    for a in c.args_at(span.start) {
                        a.value.string_literals(out);
                    }
                }
            }
            T_OTHER => {
                let e = &self.p.other[r.var() as usize];
                out.extend(crate::model::util::list_string_literals(e).into_iter().map(|(s, r)| (s, r.clone())));
            }
            _ => {}
        }
    }

    /// Unpack into an IR expression.
    pub fn to_expr(&self) -> Expr {
        let (tag, span, mut r) = self.head();
        let at = span.start;
        let kind = match tag {
            T_STR => ExprKind::Str(r.str().into()),
            T_INT => ExprKind::Int(unzigzag(r.var())),
            T_FALSE => ExprKind::Bool(false),
            T_TRUE => ExprKind::Bool(true),
            T_NONE => ExprKind::None,
            T_LIST => ExprKind::List(self.items().iter().map(|x| x.to_expr()).collect()),
            T_TUPLE => ExprKind::Tuple(self.items().iter().map(|x| x.to_expr()).collect()),
            T_DICT => {
                let items = self.items();
                ExprKind::Dict(items.chunks(2).map(|kv| (kv[0].to_expr(), kv[1].to_expr())).collect())
            }
            T_IDENT => ExprKind::Ident(r.sym()),
            T_DOT => {
                let inner = PackedExpr { p: self.p, at: r.pos, base: at };
                r.skip_expr();
                ExprKind::Dot(Box::new(inner.to_expr()), r.sym())
            }
            T_CALL => ExprKind::Call(Box::new(CallBody { p: self.p, at: r.pos }.to_call_at(at))),
            T_BIN => {
                let op = match r.u8() {
                    0 => BinOp::Add,
                    1 => BinOp::BitOr,
                    2 => BinOp::Percent,
                    _ => BinOp::Other,
                };
                let lhs = PackedExpr { p: self.p, at: r.pos, base: at };
                r.skip_expr();
                let rhs = PackedExpr { p: self.p, at: r.pos, base: at };
                ExprKind::Bin(Box::new((lhs.to_expr(), op, rhs.to_expr())))
            }
            _ => return self.p.other[r.var() as usize].clone(),
        };
        Expr { span, kind }
    }
}

/// A call without a head: a call nested in an expression, or the body of a [`PackedCall`]
/// (spans relative to the start of the enclosing node, `base`).
#[derive(Clone, Copy)]
struct CallBody<'a> {
    p: &'a PackedCalls,
    at: usize,
}

impl<'a> CallBody<'a> {
    fn func(&self, base: u32) -> PackedExpr<'a> {
        let mut r = Reader { p: self.p, pos: self.at };
        let span = r.span(base);
        PackedExpr { p: self.p, at: r.pos, base: span.start }
    }

    /// The arguments, read one at a time.
    fn args_at(&self, base: u32) -> impl Iterator<Item = PackedArg<'a>> + use<'a> {
        let mut r = Reader { p: self.p, pos: self.at };
        let (span, n) = r.args_start(base);
        (0..n).map(move |_| r.arg(span.start))
    }

    fn to_call_at(self, base: u32) -> Call {
        let mut r = Reader { p: self.p, pos: self.at };
        let span = r.span(base);
        let func = PackedExpr { p: self.p, at: r.pos, base: span.start }.to_expr();
        let args = self
            .args_at(base)
            .map(|a| Arg { kind: a.kind, name: a.name, span: a.span, value: a.value.to_expr() })
            .collect();
        Call { func, args, span }
    }
}

impl PackedCall<'_> {
    /// Unpack into IR (without the `name` argument).
    pub fn to_call(self) -> Call {
        CallBody { p: self.p, at: self.body().pos }.to_call_at(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(src: &str) -> crate::model::ir::Module {
        crate::model::ir::lower(&crate::parse::starlark::parse("BUCK", src).unwrap())
    }

    fn strip_name(c: &Call) -> Call {
        Call { args: c.args.iter().filter(|a| a.name.as_deref() != Some("name")).cloned().collect(), ..c.clone() }
    }

    #[test]
    fn packing_round_trips() {
        let src = "cargo.rust_library(\n    name = \"a-1.0.0\",\n    deps = [\":b\", \"//x/y:z\"] + select({\"DEFAULT\": [\":c\"], \"ovr//os:linux\": []}),\n    env = {\"K\": \"$(location :x)\", 'Q': f\"{X}\"},\n    proc_macro = True,\n    n = -3,\n    v = None,\n    t = (1, False),\n    x = a.b.c,\n    y = [x for x in z],\n    **kwargs\n)\nalias(name = \"b\", actual = \":a-1.0.0\", visibility = [])\n";
        let m = module(src);
        let p = PackedCalls::pack(&m.calls);
        assert_eq!(p.calls().count(), 2);
        for (packed, c) in p.calls().zip(&m.calls) {
            assert_eq!(format!("{:?}", packed.to_call()), format!("{:?}", strip_name(c)));
            assert_eq!(packed.span(), c.span);
            assert_eq!(p.call(packed.offset()).span(), c.span);
            let (name, name_span) = c.name_arg().unwrap();
            assert_eq!((packed.name(), packed.name_span()), (name, name_span));
            assert_eq!(packed.callee().as_str(), c.callee_name().unwrap());
        }
    }

    #[test]
    fn string_literals_match_the_ir_walk() {
        let src = "rust_library(name = \"a\", deps = [\":b\", \"//x:y\"] + select({\"DEFAULT\": [\":c\"]}), env = {\"K\": \"v\"})\n";
        let m = module(src);
        let p = PackedCalls::pack(&m.calls);
        let packed = p.calls().next().unwrap();
        for (a, ir) in packed.args().zip(m.calls[0].args.iter().skip(1)) {
            let mut got = Vec::new();
            a.value.string_literals(&mut got);
            let want: Vec<(&str, Range)> =
                crate::model::util::list_string_literals(&ir.value).into_iter().map(|(s, r)| (s, r.clone())).collect();
            assert_eq!(got, want);
            assert_eq!(a.span, ir.span);
        }
    }

    #[test]
    fn packed_targets_are_small() {
        let mut src = String::new();
        for i in 0..100 {
            src.push_str(&format!(
                "cargo.rust_library(\n    name = \"crate{i}-1.2.3\",\n    crate = \"crate{i}\",\n    visibility = [],\n    deps = [\":dep{i}a-0.1.0\", \":dep{i}b-0.2.0\"],\n)\n"
            ));
        }
        let m = module(&src);
        let p = PackedCalls::pack(&m.calls);
        // strings (about 55 bytes with the name) plus tags and span deltas
        assert!(p.heap_size() / 100 < 120, "{} bytes per target", p.heap_size() / 100);
    }
}
