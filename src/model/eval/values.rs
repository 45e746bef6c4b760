//! The Starlark values the evaluator adds: recording rule stubs, `select()` values, the
//! `native` namespace and do-nothing callables, and the conversion of Starlark values to the
//! owned [`AttrValue`] tree.

use std::fmt;
use std::sync::OnceLock;

use allocative::Allocative;
use starlark::eval::{Arguments, Evaluator};
use starlark::starlark_simple_value;
use starlark::values::dict::DictRef;
use starlark::values::list::ListRef;
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
/// of kind [`RuleStub::kind`]; otherwise it returns `None`. Any attribute of it is another stub
/// (`cargo.rust_library`), so stubbed prelude modules of structs work too.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct RuleStub {
    kind: String,
    /// Whether the kind may still be replaced by the name the value is exported as
    /// (`my_rule = rule(...)`).
    renamable: bool,
    #[allocative(skip)]
    exported: OnceLock<String>,
}
starlark_simple_value!(RuleStub);

impl RuleStub {
    pub(crate) fn new(kind: &str) -> RuleStub {
        RuleStub { kind: kind.to_owned(), renamable: false, exported: OnceLock::new() }
    }

    /// The stub `rule()` returns: named by the variable it is assigned to.
    pub(crate) fn for_rule() -> RuleStub {
        RuleStub { kind: "rule".to_owned(), renamable: true, exported: OnceLock::new() }
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
        record_rule_call(self.kind(), args, eval)?;
        Ok(Value::new_none())
    }

    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        Some(heap.alloc(RuleStub::new(&format!("{}.{attribute}", self.kind()))))
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
