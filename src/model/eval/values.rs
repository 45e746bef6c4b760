//! The Starlark values the evaluator adds: recording rule stubs, `select()` values, the
//! `native` namespace and do-nothing callables, and the conversion of Starlark values to the
//! owned [`AttrValue`] tree.

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

use allocative::Allocative;
use starlark::eval::{Arguments, Evaluator};
use starlark::starlark_simple_value;
use starlark::values::dict::{AllocDict, DictRef};
use starlark::values::list::{AllocList, ListRef};
use starlark::values::structs::StructRef;
use starlark::values::tuple::TupleRef;
use starlark::values::{Heap, NoSerialize, ProvidesStaticType, StarlarkValue, Value, ValueLike, starlark_value};

use super::AttrValue;
use super::globals::{builtin, record_rule_call};

/// Nesting depth past which a value is recorded as [`AttrValue::Opaque`] (lists can contain
/// themselves).
const MAX_DEPTH: u32 = 64;
/// Longest `repr` kept for an opaque value.
const MAX_REPR: usize = 200;

/// A callable standing in for a rule. Called with `name = "..."` it records a declared target
/// of kind [`RuleStub::kind`] and returns `None`; called without a string `name` it is a
/// prelude helper, and returns what [`stub_result`] decides (an [`Absorb`], or an empty dict
/// where the call is the right operand of `|` or unpacked with `**`). Any attribute of it is
/// another stub (`cargo.rust_library`), so stubbed prelude modules of structs work too.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct RuleStub {
    kind: String,
    /// Whether the kind may still be replaced by the name the value is exported as
    /// (`my_rule = rule(...)`).
    renamable: bool,
    #[allocative(skip)]
    exported: OnceLock<String>,
    /// The `.bzl` file whose `rule()` made it.
    #[allocative(skip)]
    rule_file: Option<PathBuf>,
}
starlark_simple_value!(RuleStub);

impl RuleStub {
    pub(crate) fn new(kind: &str) -> RuleStub {
        RuleStub { kind: kind.to_owned(), renamable: false, exported: OnceLock::new(), rule_file: None }
    }

    /// The stub `rule()` returns: named by the variable it is assigned to.
    pub(crate) fn for_rule(rule_file: Option<PathBuf>) -> RuleStub {
        RuleStub { kind: "rule".to_owned(), renamable: true, exported: OnceLock::new(), rule_file }
    }

    pub(crate) fn kind(&self) -> &str {
        self.exported.get().map_or(&self.kind, |s| s.as_str())
    }
}

impl fmt::Display for RuleStub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<rule {}>", self.kind())
    }
}

#[starlark_value(type = "rule")]
impl<'v> StarlarkValue<'v> for RuleStub {
    /// A `provider()`/`record()` stand-in named in a type annotation: any value.
    fn eval_type(&self) -> Option<starlark::typing::Ty> {
        Some(starlark::typing::Ty::any())
    }

    fn invoke(
        &self,
        _me: Value<'v>,
        args: &Arguments<'v, '_>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        if record_rule_call(self.kind(), self.rule_file.as_deref(), args, eval)? {
            return Ok(Value::new_none());
        }
        Ok(stub_result(self.kind(), eval))
    }

    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        Some(heap.alloc(RuleStub::new(&format!("{}.{attribute}", self.kind()))))
    }

    fn equals(&self, other: Value<'v>) -> starlark::Result<bool> {
        Ok(other.downcast_ref::<RuleStub>().is_some_and(|o| o.kind() == self.kind()))
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }

    fn export_as(&self, variable_name: &str, _eval: &mut Evaluator<'v, '_, '_>) -> starlark::Result<()> {
        if self.renamable {
            let _ = self.exported.set(variable_name.to_owned());
        }
        Ok(())
    }
}

/// A callable that ignores its arguments and returns `None`; any attribute is another one.
/// Stands in for `attrs.*`, `transition`, and other analysis-phase functions.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct NoneFn(pub(crate) String);
starlark_simple_value!(NoneFn);

impl fmt::Display for NoneFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

#[starlark_value(type = "function")]
impl<'v> StarlarkValue<'v> for NoneFn {
    fn invoke(
        &self,
        _me: Value<'v>,
        _args: &Arguments<'v, '_>,
        _eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        Ok(Value::new_none())
    }

    fn equals(&self, other: Value<'v>) -> starlark::Result<bool> {
        Ok(other.downcast_ref::<NoneFn>().is_some_and(|o| o.0 == self.0))
    }

    /// As a type annotation (`ctx: AnalysisContext`, `-> list[Provider]`): any value.
    fn eval_type(&self) -> Option<starlark::typing::Ty> {
        Some(starlark::typing::Ty::any())
    }

    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        Some(heap.alloc(NoneFn(format!("{}.{attribute}", self.0))))
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }
}

/// Longest name an [`Absorb`] keeps (names grow with chained calls and attributes).
const MAX_ABSORB_NAME: usize = 120;

/// What a stubbed prelude helper returns (a prelude function called without `name =`, an
/// attribute or call of such a result, an analysis-phase value in a rule implementation):
/// a value that absorbs operations so that the project's own macros go on evaluating.
///
/// - Attributes, calls and indexing give another `Absorb`; assigning into it is ignored.
/// - It is falsy, iterates as empty, has length 0 and contains nothing.
/// - `+` and `|` with it on either side give the other operand (it is an identity element),
///   where starlark lets the custom value decide: `list + x`, `str + x`, `x + anything`,
///   `x | anything`. `dict | x` is decided by starlark's dict, which refuses non-dicts, so a
///   stub call that is the right operand of `|` returns an empty dict instead (see
///   [`stub_result`]).
/// - `str()`/`repr` give its name (`<re_test_common.test_args()>`), `==` compares names,
///   and it hashes by name. (It cannot be a type annotation: starlark reserves `|` on types.)
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct Absorb {
    name: String,
    /// Shown without angle brackets: a dependency shown as its label.
    bare: bool,
}
starlark_simple_value!(Absorb);

impl Absorb {
    /// An absorbing value shown as its label (a dependency in a rule implementation).
    pub(crate) fn bare(label: String) -> Absorb {
        Absorb { bare: true, ..Absorb::named(label) }
    }

    pub(crate) fn named(name: String) -> Absorb {
        let mut name = name;
        if name.len() > MAX_ABSORB_NAME {
            let mut cut = MAX_ABSORB_NAME;
            while !name.is_char_boundary(cut) {
                cut -= 1;
            }
            name.truncate(cut);
            name.push_str("...");
        }
        Absorb { name, bare: false }
    }

    fn derived(&self, suffix: &str) -> Absorb {
        Absorb::named(format!("{}{suffix}", self.name))
    }
}

impl fmt::Display for Absorb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bare { f.write_str(&self.name) } else { write!(f, "<{}>", self.name) }
    }
}

#[starlark_value(type = "stub_value")]
impl<'v> StarlarkValue<'v> for Absorb {
    fn to_bool(&self) -> bool {
        false
    }

    fn write_hash(&self, hasher: &mut starlark::collections::StarlarkHasher) -> starlark::Result<()> {
        use std::hash::Hash;
        self.name.hash(hasher);
        Ok(())
    }

    fn equals(&self, other: Value<'v>) -> starlark::Result<bool> {
        Ok(other.downcast_ref::<Absorb>().is_some_and(|o| o.name == self.name))
    }

    fn invoke(
        &self,
        _me: Value<'v>,
        _args: &Arguments<'v, '_>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        Ok(eval.heap().alloc(self.derived("()")))
    }

    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        Some(heap.alloc(self.derived(&format!(".{attribute}"))))
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }

    fn at(&self, _index: Value<'v>, heap: Heap<'v>) -> starlark::Result<Value<'v>> {
        Ok(heap.alloc(self.derived("[]")))
    }

    fn slice(
        &self,
        _start: Option<Value<'v>>,
        _stop: Option<Value<'v>>,
        _stride: Option<Value<'v>>,
        heap: Heap<'v>,
    ) -> starlark::Result<Value<'v>> {
        Ok(heap.alloc(self.derived("[:]")))
    }

    fn set_at(&self, _index: Value<'v>, _new_value: Value<'v>) -> starlark::Result<()> {
        Ok(())
    }

    fn set_attr(&self, _attribute: &str, _new_value: Value<'v>) -> starlark::Result<()> {
        Ok(())
    }

    fn iterate_collect(&self, _heap: Heap<'v>) -> starlark::Result<Vec<Value<'v>>> {
        Ok(Vec::new())
    }

    fn length(&self) -> starlark::Result<i32> {
        Ok(0)
    }

    fn is_in(&self, _other: Value<'v>) -> starlark::Result<bool> {
        Ok(false)
    }

    fn add(&self, rhs: Value<'v>, _heap: Heap<'v>) -> Option<starlark::Result<Value<'v>>> {
        Some(Ok(rhs))
    }

    fn radd(&self, lhs: Value<'v>, _heap: Heap<'v>) -> Option<starlark::Result<Value<'v>>> {
        Some(Ok(lhs))
    }

    fn bit_or(&self, other: Value<'v>, _heap: Heap<'v>) -> starlark::Result<Value<'v>> {
        Ok(other)
    }
}

/// How a stub call's result will be used, read from the source text just before the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StubUse {
    /// The right operand of `|` or `|=` (`{...} | helper()`), or unpacked with `**`: starlark
    /// requires a dict there.
    Dict,
    Other,
}

/// What the text before a call (`before`, the file's text up to the call's first byte) says
/// about its use: the last non-blank characters are `|`, `|=` or `**`.
pub(crate) fn stub_use(before: &str) -> StubUse {
    let t = before.trim_end_matches(|c: char| c.is_whitespace() || c == '\\');
    let t = t.strip_suffix('(').map_or(t, |t| t.trim_end());
    if t.ends_with('|') || t.ends_with("|=") || (t.ends_with("**") && !t.ends_with("***")) {
        StubUse::Dict
    } else {
        StubUse::Other
    }
}

/// The result of a stub called without `name`: an empty dict where the call's text shows a
/// dict is needed ([`stub_use`]: measured on real repositories, prelude helpers merged into
/// rule attribute dicts, `attrs = {...} | re_test_common.test_args()`, and
/// `**apply_platform_attrs(...)`), else an [`Absorb`] named after the call.
pub(crate) fn stub_result<'v>(kind: &str, eval: &mut Evaluator<'v, '_, '_>) -> Value<'v> {
    let usage = eval.call_stack_top_location().map_or(StubUse::Other, |span| {
        let source = span.file.source();
        let begin = span.span.begin().get() as usize;
        source.get(..begin).map_or(StubUse::Other, stub_use)
    });
    match usage {
        StubUse::Dict => eval.heap().alloc(starlark::values::dict::AllocDict::EMPTY),
        StubUse::Other => eval.heap().alloc(Absorb::named(format!("{kind}()"))),
    }
}

/// `native`: every builtin of the build-file globals by name (`native.glob`,
/// `native.read_config`, the known rules), and a recording [`RuleStub`] for any other name.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct NativeModule;
starlark_simple_value!(NativeModule);

impl fmt::Display for NativeModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("native")
    }
}

#[starlark_value(type = "native")]
impl<'v> StarlarkValue<'v> for NativeModule {
    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        if attribute == "native" {
            return None;
        }
        match builtin(attribute) {
            Some(v) => Some(v.to_value()),
            None => Some(heap.alloc(RuleStub::new(attribute))),
        }
    }

    fn has_attr(&self, attribute: &str, _heap: Heap<'v>) -> bool {
        attribute != "native"
    }
}

/// The value of `select({...})`, recorded as an owned tree so it stays `Send` and simple.
///
/// Arithmetic: `select(a) + x` distributes `x` over the branches (Buck2's meaning), and so do
/// `x + select(a)` and `select(a) | dict`; `select(a) + select(b)` is
/// [`AttrValue::Concat`]. Anything else (iterating, indexing, `len`) fails as in Buck2.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct SelectValue {
    #[allocative(skip)]
    pub(crate) value: AttrValue,
}
starlark_simple_value!(SelectValue);

impl fmt::Display for SelectValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "select({:?})", self.value)
    }
}

#[starlark_value(type = "selector")]
impl<'v> StarlarkValue<'v> for SelectValue {
    fn to_bool(&self) -> bool {
        true
    }

    fn add(&self, rhs: Value<'v>, heap: Heap<'v>) -> Option<starlark::Result<Value<'v>>> {
        let value = combine(self.value.clone(), to_attr(rhs));
        Some(Ok(heap.alloc(SelectValue { value })))
    }

    fn radd(&self, lhs: Value<'v>, heap: Heap<'v>) -> Option<starlark::Result<Value<'v>>> {
        let value = combine(to_attr(lhs), self.value.clone());
        Some(Ok(heap.alloc(SelectValue { value })))
    }

    fn bit_or(&self, other: Value<'v>, heap: Heap<'v>) -> starlark::Result<Value<'v>> {
        let value = combine(self.value.clone(), to_attr(other));
        Ok(heap.alloc(SelectValue { value }))
    }
}

/// A Starlark value for `v`, or `None` when it is kept only by its text
/// ([`AttrValue::Opaque`]) or is a `select` concatenation that cannot be rebuilt.
fn from_attr<'v>(v: &AttrValue, heap: Heap<'v>) -> Option<Value<'v>> {
    Some(match v {
        AttrValue::None => Value::new_none(),
        AttrValue::Bool(b) => Value::new_bool(*b),
        AttrValue::Int(i) => heap.alloc(*i),
        AttrValue::Str(s) => heap.alloc(s.as_str()),
        AttrValue::List(xs) => {
            let xs: Option<Vec<Value<'v>>> = xs.iter().map(|x| from_attr(x, heap)).collect();
            heap.alloc(AllocList(xs?))
        }
        AttrValue::Dict(kvs) => {
            let kvs: Option<Vec<(Value<'v>, Value<'v>)>> =
                kvs.iter().map(|(k, x)| Some((from_attr(k, heap)?, from_attr(x, heap)?))).collect();
            heap.alloc(AllocDict(kvs?))
        }
        AttrValue::Select(_) | AttrValue::Concat(_) => heap.alloc(SelectValue { value: v.clone() }),
        AttrValue::Opaque(_) => return None,
    })
}

/// Buck2's `select_map(value, func)`: `func` applied to the value of each branch (nested
/// selects included), and to the plain parts of a concatenation. A branch holds the value of
/// its condition with the plain operands added in (`[1] + select({"c": [2]})` is one branch
/// `[1, 2]`), so `func` sees `[1, 2]` where Buck2 maps `[1]` and `[2]` apart: the same for
/// the element-wise mappers macros pass (target translation, dependency fix-ups).
pub(crate) fn select_map<'v>(
    value: &AttrValue,
    func: Value<'v>,
    eval: &mut Evaluator<'v, '_, '_>,
) -> starlark::Result<AttrValue> {
    Ok(match value {
        AttrValue::Select(branches) => AttrValue::Select(
            branches
                .iter()
                .map(|(k, v)| Ok((k.clone(), select_map(v, func, eval)?)))
                .collect::<starlark::Result<_>>()?,
        ),
        AttrValue::Concat(parts) => {
            AttrValue::Concat(parts.iter().map(|p| select_map(p, func, eval)).collect::<starlark::Result<_>>()?)
        }
        leaf => {
            let v = from_attr(leaf, eval.heap()).ok_or_else(|| opaque_select(leaf))?;
            to_attr(eval.eval_function(func, &[v], &[])?)
        }
    })
}

/// Buck2's `select_test(value, func)`: whether `func` holds for the value of any branch
/// (see [`select_map`] for what a branch holds).
pub(crate) fn select_test<'v>(
    value: &AttrValue,
    func: Value<'v>,
    eval: &mut Evaluator<'v, '_, '_>,
) -> starlark::Result<bool> {
    match value {
        AttrValue::Select(branches) => {
            for (_, v) in branches {
                if select_test(v, func, eval)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        AttrValue::Concat(parts) => {
            for p in parts {
                if select_test(p, func, eval)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        leaf => {
            let v = from_attr(leaf, eval.heap()).ok_or_else(|| opaque_select(leaf))?;
            Ok(eval.eval_function(func, &[v], &[])?.to_bool())
        }
    }
}

fn opaque_select(leaf: &AttrValue) -> starlark::Error {
    super::globals::err(format!("select branch {leaf:?} is not a plain value the evaluator can pass on"))
}

/// `a + b` (or `a | b` for dicts) where at least one side is a select.
pub(crate) fn combine(a: AttrValue, b: AttrValue) -> AttrValue {
    match (a, b) {
        (AttrValue::Select(x), AttrValue::Select(y)) => {
            AttrValue::Concat(vec![AttrValue::Select(x), AttrValue::Select(y)])
        }
        (AttrValue::Concat(mut xs), b) => {
            xs.push(b);
            AttrValue::Concat(xs)
        }
        (a, AttrValue::Concat(ys)) => {
            let mut xs = vec![a];
            xs.extend(ys);
            AttrValue::Concat(xs)
        }
        (AttrValue::Select(branches), b) => {
            AttrValue::Select(branches.into_iter().map(|(k, v)| (k, plain_add(v, b.clone()))).collect())
        }
        (a, AttrValue::Select(branches)) => {
            AttrValue::Select(branches.into_iter().map(|(k, v)| (k, plain_add(a.clone(), v))).collect())
        }
        (a, b) => plain_add(a, b),
    }
}

/// `a + b` on plain values: lists and strings concatenate, dicts merge (right wins);
/// other pairs become a [`AttrValue::Concat`].
fn plain_add(a: AttrValue, b: AttrValue) -> AttrValue {
    match (a, b) {
        (AttrValue::List(mut x), AttrValue::List(y)) => {
            x.extend(y);
            AttrValue::List(x)
        }
        (AttrValue::Str(mut x), AttrValue::Str(y)) => {
            x.push_str(&y);
            AttrValue::Str(x)
        }
        (AttrValue::Dict(mut x), AttrValue::Dict(y)) => {
            for (k, v) in y {
                match x.iter_mut().find(|(k2, _)| *k2 == k) {
                    Some(slot) => slot.1 = v,
                    None => x.push((k, v)),
                }
            }
            AttrValue::Dict(x)
        }
        (a, b) if matches!(a, AttrValue::Select(_)) || matches!(b, AttrValue::Select(_)) => combine(a, b),
        (a, b) => AttrValue::Concat(vec![a, b]),
    }
}

/// Convert a Starlark value into the owned tree recorded on targets.
pub(crate) fn to_attr(v: Value<'_>) -> AttrValue {
    to_attr_depth(v, 0)
}

fn to_attr_depth(v: Value<'_>, depth: u32) -> AttrValue {
    if depth > MAX_DEPTH {
        return AttrValue::Opaque("<too deep>".to_owned());
    }
    if v.is_none() {
        return AttrValue::None;
    }
    if let Some(b) = v.unpack_bool() {
        return AttrValue::Bool(b);
    }
    if let Some(i) = v.unpack_i32() {
        return AttrValue::Int(i64::from(i));
    }
    if let Some(s) = v.unpack_str() {
        return AttrValue::Str(s.to_owned());
    }
    if let Some(l) = ListRef::from_value(v) {
        return AttrValue::List(l.iter().map(|x| to_attr_depth(x, depth + 1)).collect());
    }
    if let Some(t) = TupleRef::from_value(v) {
        return AttrValue::List(t.iter().map(|x| to_attr_depth(x, depth + 1)).collect());
    }
    if let Some(d) = DictRef::from_value(v) {
        return AttrValue::Dict(
            d.iter().map(|(k, x)| (to_attr_depth(k, depth + 1), to_attr_depth(x, depth + 1))).collect(),
        );
    }
    if let Some(s) = v.downcast_ref::<SelectValue>() {
        return s.value.clone();
    }
    if let Some(a) = v.downcast_ref::<Absorb>() {
        return AttrValue::Opaque(a.to_string());
    }
    if v.get_type() == "int" {
        // Larger than i32: the repr is exact.
        if let Ok(i) = v.to_repr().parse::<i64>() {
            return AttrValue::Int(i);
        }
    }
    let mut repr = v.to_repr();
    if repr.len() > MAX_REPR {
        let mut cut = MAX_REPR;
        while !repr.is_char_boundary(cut) {
            cut -= 1;
        }
        repr.truncate(cut);
        repr.push_str("...");
    }
    AttrValue::Opaque(repr)
}

/// Whether `v` nests deeper than `limit` (lists, tuples, dicts, structs), found without
/// recursion; shared substructures are revisited only when reached deeper.
pub(crate) fn nests_deeper_than(v: Value<'_>, limit: usize) -> bool {
    let mut deepest = std::collections::HashMap::new();
    let mut stack = vec![(v, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        let mut children = Vec::new();
        if let Some(l) = ListRef::from_value(v) {
            children.extend(l.iter());
        } else if let Some(t) = TupleRef::from_value(v) {
            children.extend(t.iter());
        } else if let Some(d) = DictRef::from_value(v) {
            for (k, x) in d.iter() {
                children.push(k);
                children.push(x);
            }
        } else if let Some(s) = StructRef::from_value(v) {
            children.extend(s.iter().map(|(_, x)| x));
        }
        if children.is_empty() {
            continue;
        }
        match deepest.get(&v.identity()) {
            Some(&d) if d >= depth => continue,
            _ => {
                deepest.insert(v.identity(), depth);
            }
        }
        stack.extend(children.into_iter().map(|c| (c, depth + 1)));
    }
    false
}
