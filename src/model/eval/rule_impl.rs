//! Running a rule's implementation function against a recording `ctx`, for the values a rule
//! computes at analysis time from its attributes (executor configurations, platforms).
//!
//! - `rule(impl = f, attrs = {...})` returns a [`RuleDef`]: the recording stub of a rule call
//!   (as before) that also keeps `f` and, for each attribute, its default when it is a literal
//!   and whether it is a dependency (`attrs.dep`, `attrs.exec_dep`, `attrs.option(attrs.dep())`,
//!   ...). `attrs.<kind>(...)` returns an [`AttrSpec`] describing that.
//! - [`run`] calls `f(ctx)`: `ctx.attrs.<name>` is the target's attribute converted back to a
//!   starlark value ([`from_attr`]), else the attribute's default, else `None`; dependency
//!   attributes are [`Absorb`] values named by their label (`dep[Provider].x` absorbs);
//!   `ctx.label` is a [`LabelValue`]; every other `ctx.<x>` (`ctx.actions`) absorbs.
//! - Provider constructors (`CommandExecutorConfig`, `ExecutionPlatformInfo`,
//!   `ExecutionPlatformRegistrationInfo`, `ConfigurationInfo`, `PlatformInfo`, `DefaultInfo`)
//!   are [`ProviderCtor`]s: while an implementation runs they record each call
//!   ([`ProviderCall`]: keyword arguments as [`AttrValue`]s, the call's location and each
//!   argument's), and they return a [`ProviderValue`] whose fields are the arguments.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use allocative::Allocative;
use starlark::codemap::{FileSpan, Pos, Span};
use starlark::collections::SmallMap;
use starlark::environment::Module;
use starlark::eval::{Arguments, Evaluator};
use starlark::starlark_simple_value;
use starlark::values::dict::{Dict, DictRef};
use starlark::values::tuple::AllocTuple;
use starlark::values::{
    AllocValue, Freeze, FreezeResult, Freezer, FrozenValue, Heap, NoSerialize, ProvidesStaticType, StarlarkValue,
    Trace, Value, ValueLifetimeless, ValueLike, starlark_value,
};

use super::globals::{Recorder, recorder};
use super::loader::{apply_limits, limit_message, load_bzl, to_eval_error};
use super::values::{Absorb, RuleStub, SelectValue, to_attr};
use super::{AttrValue, EvalContext, EvalError, EvalErrorKind, ImplLabel, ImplResult, Loc, ProviderArg, ProviderCall};

/// Attribute kinds whose values are targets: in a rule implementation they are dependencies
/// (`dep[Provider]`), modelled as absorbing values.
const DEP_KINDS: &[&str] = &[
    "dep",
    "exec_dep",
    "toolchain_dep",
    "transition_dep",
    "split_transition_dep",
    "configured_dep",
    "configuration_label",
    "label",
    "plugin_dep",
];

/// Provider constructors that record their calls while a rule implementation runs.
pub(crate) const RECORDED_PROVIDERS: &[&str] = &[
    "CommandExecutorConfig",
    "ConfigurationInfo",
    "DefaultInfo",
    "ExecutionPlatformInfo",
    "ExecutionPlatformRegistrationInfo",
    "PlatformInfo",
];

/// What `attrs.<kind>(...)` returns: the attribute's kind, its default when it is a literal,
/// and whether it holds dependencies.
#[derive(Debug, Clone, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct AttrSpec {
    kind: String,
    #[allocative(skip)]
    default: Option<AttrValue>,
    deplike: bool,
}
starlark_simple_value!(AttrSpec);

impl fmt::Display for AttrSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "attrs.{}()", self.kind)
    }
}

#[starlark_value(type = "attribute")]
impl<'v> StarlarkValue<'v> for AttrSpec {
    fn eval_type(&self) -> Option<starlark::typing::Ty> {
        Some(starlark::typing::Ty::any())
    }
}

/// Whether an attribute value is a literal (contains no opaque value).
fn is_literal(v: &AttrValue) -> bool {
    match v {
        AttrValue::Opaque(_) => false,
        AttrValue::List(xs) | AttrValue::Concat(xs) => xs.iter().all(is_literal),
        AttrValue::Dict(kvs) => kvs.iter().all(|(k, v)| is_literal(k) && is_literal(v)),
        AttrValue::Select(bs) => bs.iter().all(|(_, v)| is_literal(v)),
        _ => true,
    }
}

/// `attrs`: any member is an [`AttrFn`].
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct AttrsNamespace;
starlark_simple_value!(AttrsNamespace);

impl fmt::Display for AttrsNamespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("attrs")
    }
}

#[starlark_value(type = "attrs")]
impl<'v> StarlarkValue<'v> for AttrsNamespace {
    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        Some(heap.alloc(AttrFn(attribute.to_owned())))
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }

    fn eval_type(&self) -> Option<starlark::typing::Ty> {
        Some(starlark::typing::Ty::any())
    }
}

/// `attrs.<kind>`: called, an [`AttrSpec`]. `default = <literal>` is kept; `option` defaults
/// to `None`; wrappers (`option`, `default_only`, `list`, `dict`, ...) take the dependency flag
/// of the specs they wrap, and `default_only` its default.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct AttrFn(String);
starlark_simple_value!(AttrFn);

impl fmt::Display for AttrFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "attrs.{}", self.0)
    }
}

#[starlark_value(type = "function")]
impl<'v> StarlarkValue<'v> for AttrFn {
    fn invoke(
        &self,
        _me: Value<'v>,
        args: &Arguments<'v, '_>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        let heap = eval.heap();
        let mut inner: Vec<AttrSpec> = Vec::new();
        for v in args.positions(heap)? {
            if let Some(s) = v.downcast_ref::<AttrSpec>() {
                inner.push(s.clone());
            }
        }
        let mut default = None;
        for (k, v) in args.names_map()?.iter() {
            if let Some(s) = v.downcast_ref::<AttrSpec>() {
                inner.push(s.clone());
            } else if k.as_str() == "default" {
                let a = to_attr(*v);
                default = Some(if is_literal(&a) { a } else { AttrValue::None });
            }
        }
        let kind = self.0.as_str();
        if default.is_none() {
            default = match kind {
                "option" => Some(AttrValue::None),
                "default_only" => inner.first().and_then(|s| s.default.clone()),
                _ => None,
            };
        }
        let deplike = DEP_KINDS.contains(&kind) || inner.iter().any(|s| s.deplike);
        Ok(heap.alloc(AttrSpec { kind: kind.to_owned(), default, deplike }))
    }

    fn eval_type(&self) -> Option<starlark::typing::Ty> {
        Some(starlark::typing::Ty::any())
    }

    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        Some(heap.alloc(AttrFn(format!("{}.{attribute}", self.0))))
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }
}

/// An attribute of a rule: name, default (when literal), whether it holds dependencies.
#[derive(Debug, Clone)]
pub(crate) struct RuleAttr {
    pub(crate) name: String,
    pub(crate) default: Option<AttrValue>,
    pub(crate) deplike: bool,
}

/// What `rule(impl = f, attrs = {...})` returns: a recording [`RuleStub`] (named by the
/// variable it is assigned to) that keeps `f` and the attributes' specs.
#[derive(Debug, Trace, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct RuleDefGen<V: ValueLifetimeless> {
    #[trace(static)]
    stub: RuleStub,
    impl_fn: V,
    #[trace(static)]
    #[allocative(skip)]
    attrs: Vec<RuleAttr>,
}

pub(crate) type RuleDef<'v> = RuleDefGen<Value<'v>>;
pub(crate) type FrozenRuleDef = RuleDefGen<FrozenValue>;

impl<'v> AllocValue<'v> for RuleDef<'v> {
    fn alloc_value(self, heap: Heap<'v>) -> Value<'v> {
        heap.alloc_complex(self)
    }
}

impl<'v> Freeze for RuleDef<'v> {
    type Frozen = FrozenRuleDef;
    fn freeze(self, freezer: &Freezer) -> FreezeResult<FrozenRuleDef> {
        Ok(RuleDefGen { stub: self.stub, impl_fn: self.impl_fn.freeze(freezer)?, attrs: self.attrs })
    }
}

impl<V: ValueLifetimeless> fmt::Display for RuleDefGen<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.stub.fmt(f)
    }
}

#[starlark_value(type = "rule")]
impl<'v, V: ValueLike<'v>> StarlarkValue<'v> for RuleDefGen<V>
where
    Self: ProvidesStaticType<'v>,
{
    fn eval_type(&self) -> Option<starlark::typing::Ty> {
        Some(starlark::typing::Ty::any())
    }

    fn invoke(
        &self,
        me: Value<'v>,
        args: &Arguments<'v, '_>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        self.stub.invoke(me, args, eval)
    }

    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        self.stub.get_attr(attribute, heap)
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }

    fn export_as(&self, variable_name: &str, eval: &mut Evaluator<'v, '_, '_>) -> starlark::Result<()> {
        self.stub.export_as(variable_name, eval)
    }
}

/// `rule(impl = ..., attrs = ..., ...)`.
pub(crate) fn new_rule<'v>(kwargs: DictRef<'v>, file: Option<PathBuf>, heap: Heap<'v>) -> Value<'v> {
    let mut impl_fn = Value::new_none();
    let mut attrs = Vec::new();
    for (k, v) in kwargs.iter() {
        match k.unpack_str() {
            Some("impl") => impl_fn = v,
            Some("attrs") => {
                if let Some(d) = DictRef::from_value(v) {
                    for (name, spec) in d.iter() {
                        let Some(name) = name.unpack_str() else { continue };
                        let spec = spec.downcast_ref::<AttrSpec>();
                        attrs.push(RuleAttr {
                            name: name.to_owned(),
                            default: spec.and_then(|s| s.default.clone()),
                            deplike: spec.is_some_and(|s| s.deplike),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    heap.alloc(RuleDef { stub: RuleStub::for_rule(file), impl_fn, attrs })
}

/// The owned state of a recording `ctx`.
#[derive(Debug)]
struct ImplData {
    /// Attributes: name, value, whether a dependency.
    attrs: Vec<(String, AttrValue, bool)>,
    label: Arc<ImplLabel>,
}

/// A rule implementation's `ctx`.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
struct ImplCtx(#[allocative(skip)] Arc<ImplData>);
starlark_simple_value!(ImplCtx);

impl fmt::Display for ImplCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<ctx {}>", label_string(&self.0.label))
    }
}

#[starlark_value(type = "AnalysisContext")]
impl<'v> StarlarkValue<'v> for ImplCtx {
    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        Some(match attribute {
            "attrs" => heap.alloc(ImplAttrs(self.0.clone())),
            "label" => heap.alloc(LabelValue(self.0.label.clone())),
            _ => heap.alloc(Absorb::named(format!("ctx.{attribute}"))),
        })
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }
}

/// `ctx.attrs`: each attribute converted from its [`AttrValue`]; unknown names are `None`.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
struct ImplAttrs(#[allocative(skip)] Arc<ImplData>);
starlark_simple_value!(ImplAttrs);

impl fmt::Display for ImplAttrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<ctx.attrs>")
    }
}

#[starlark_value(type = "attrs")]
impl<'v> StarlarkValue<'v> for ImplAttrs {
    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        Some(match self.0.attrs.iter().find(|(k, _, _)| k == attribute) {
            Some((_, v, deplike)) => from_attr(heap, v, *deplike),
            None => Value::new_none(),
        })
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }

    fn dir_attr(&self) -> Vec<String> {
        self.0.attrs.iter().map(|(k, _, _)| k.clone()).collect()
    }
}

fn label_string(l: &ImplLabel) -> String {
    format!("{}//{}:{}", l.cell, l.package, l.name)
}

/// `ctx.label`: `name`, `package`, `cell`, `path` are strings, `raw_target()` and the like
/// return the label, `str()` is `cell//package:name`; anything else absorbs.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
struct LabelValue(#[allocative(skip)] Arc<ImplLabel>);
starlark_simple_value!(LabelValue);

impl fmt::Display for LabelValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&label_string(&self.0))
    }
}

#[starlark_value(type = "label")]
impl<'v> StarlarkValue<'v> for LabelValue {
    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        let l = &self.0;
        Some(match attribute {
            "name" => heap.alloc(l.name.as_str()),
            "package" => heap.alloc(l.package.as_str()),
            "cell" => heap.alloc(l.cell.as_str()),
            "path" => heap.alloc(format!("{}//{}", l.cell, l.package)),
            "raw_target" | "configured_target" | "unconfigured" | "with_sub_target" => {
                heap.alloc(LabelMethod(self.0.clone()))
            }
            _ => heap.alloc(Absorb::named(format!("{}.{attribute}", label_string(l)))),
        })
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }

    fn equals(&self, other: Value<'v>) -> starlark::Result<bool> {
        Ok(other.downcast_ref::<LabelValue>().is_some_and(|o| *o.0 == *self.0))
    }

    fn write_hash(&self, hasher: &mut starlark::collections::StarlarkHasher) -> starlark::Result<()> {
        use std::hash::Hash;
        label_string(&self.0).hash(hasher);
        Ok(())
    }
}

/// `ctx.label.raw_target` and the like: called, the label again.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
struct LabelMethod(#[allocative(skip)] Arc<ImplLabel>);
starlark_simple_value!(LabelMethod);

impl fmt::Display for LabelMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<method of {}>", label_string(&self.0))
    }
}

#[starlark_value(type = "function")]
impl<'v> StarlarkValue<'v> for LabelMethod {
    fn invoke(
        &self,
        _me: Value<'v>,
        _args: &Arguments<'v, '_>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        Ok(eval.heap().alloc(LabelValue(self.0.clone())))
    }
}

/// A provider constructor (`CommandExecutorConfig`, ...). While a rule implementation runs it
/// records each call; it returns a [`ProviderValue`].
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct ProviderCtor(pub(crate) String);
starlark_simple_value!(ProviderCtor);

impl fmt::Display for ProviderCtor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[starlark_value(type = "function")]
impl<'v> StarlarkValue<'v> for ProviderCtor {
    fn eval_type(&self) -> Option<starlark::typing::Ty> {
        Some(starlark::typing::Ty::any())
    }

    fn equals(&self, other: Value<'v>) -> starlark::Result<bool> {
        Ok(other.downcast_ref::<ProviderCtor>().is_some_and(|o| o.0 == self.0))
    }

    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        Some(heap.alloc(Absorb::named(format!("{}.{attribute}", self.0))))
    }

    fn invoke(
        &self,
        _me: Value<'v>,
        args: &Arguments<'v, '_>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        let heap = eval.heap();
        let fields: Vec<(String, Value<'v>)> =
            args.names_map()?.iter().map(|(k, v)| (k.as_str().to_owned(), *v)).collect();
        let positional: Vec<Value<'v>> = args.positions(heap)?.collect();
        let tag = match recorder(eval).filter(|r| r.record_impl) {
            Some(rec) => {
                let span = eval.call_stack_top_location();
                let arg_locs = span.as_ref().map(arg_locs).unwrap_or_default();
                let mut calls = rec.impl_calls.borrow_mut();
                let id = calls.len();
                calls.push(ProviderCall {
                    id,
                    kind: self.0.clone(),
                    args: fields
                        .iter()
                        .map(|(k, v)| ProviderArg {
                            name: k.clone(),
                            value: to_attr(*v),
                            loc: arg_locs.iter().find(|(n, _)| n == k).map(|(_, l)| l.clone()),
                        })
                        .collect(),
                    positional: positional.iter().map(|v| to_attr(*v)).collect(),
                    loc: span.as_ref().map(Loc::of),
                });
                format!("<{} #{id}>", self.0)
            }
            None => format!("<{}>", self.0),
        };
        Ok(heap.alloc(ProviderValue { kind: self.0.clone(), tag, fields }))
    }
}

/// What a [`ProviderCtor`] returns: its keyword arguments as fields (unknown fields absorb).
/// Its `repr` (and so its [`AttrValue::Opaque`] form) is `<Kind #id>`, `id` being the
/// [`ProviderCall::id`] of the call that made it.
#[derive(Debug, Trace, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct ProviderValueGen<V: ValueLifetimeless> {
    #[trace(static)]
    kind: String,
    #[trace(static)]
    tag: String,
    fields: Vec<(String, V)>,
}

type ProviderValue<'v> = ProviderValueGen<Value<'v>>;
type FrozenProviderValue = ProviderValueGen<FrozenValue>;

impl<'v> AllocValue<'v> for ProviderValue<'v> {
    fn alloc_value(self, heap: Heap<'v>) -> Value<'v> {
        heap.alloc_complex(self)
    }
}

impl<'v> Freeze for ProviderValue<'v> {
    type Frozen = FrozenProviderValue;
    fn freeze(self, freezer: &Freezer) -> FreezeResult<FrozenProviderValue> {
        let mut fields = Vec::with_capacity(self.fields.len());
        for (k, v) in self.fields {
            fields.push((k, v.freeze(freezer)?));
        }
        Ok(ProviderValueGen { kind: self.kind, tag: self.tag, fields })
    }
}

impl<V: ValueLifetimeless> fmt::Display for ProviderValueGen<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

#[starlark_value(type = "provider")]
impl<'v, V: ValueLike<'v>> StarlarkValue<'v> for ProviderValueGen<V>
where
    Self: ProvidesStaticType<'v>,
{
    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        match self.fields.iter().find(|(k, _)| k == attribute) {
            Some((_, v)) => Some(v.to_value()),
            None => Some(heap.alloc(Absorb::named(format!("{}.{attribute}", self.kind)))),
        }
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }

    fn dir_attr(&self) -> Vec<String> {
        self.fields.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// The keyword arguments of the call at `span` and where their values are.
fn arg_locs(span: &FileSpan) -> Vec<(String, Loc)> {
    let text = span.file.source_span(span.span);
    let base = span.span.begin().get();
    arg_spans(text)
        .into_iter()
        .filter_map(|(name, b, e)| {
            let name = name?;
            let s = Span::new(Pos::new(base + b as u32), Pos::new(base + e as u32));
            Some((name.to_owned(), Loc::of(&FileSpan { file: span.file.clone(), span: s })))
        })
        .collect()
}

/// The arguments of the call expression `text` (`f(a, k = v)`): for each, its keyword (if
/// any) and the byte range of its value in `text`. Strings, comments and brackets are skipped.
pub(crate) fn arg_spans(text: &str) -> Vec<(Option<&str>, usize, usize)> {
    let b = text.as_bytes();
    // The last top-level `(`: the argument list (the callee may be `a.b` or `f(x)`).
    let mut depth = 0usize;
    let mut open = None;
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') => {
                let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == q && (!triple || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))) {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                if depth == 0 && b[i] == b'(' {
                    open = Some(i);
                    pieces.clear();
                    start = i + 1;
                }
                depth += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 && b[i] == b')' && open.is_some() {
                    pieces.push((start, i));
                }
            }
            b',' if depth == 1 => {
                pieces.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = Vec::new();
    for (s, e) in pieces {
        // Leading blanks and comment lines are not part of the argument.
        let mut s = s;
        loop {
            let piece = &text[s..e];
            let trimmed = piece.trim_start();
            s += piece.len() - trimmed.len();
            if !trimmed.starts_with('#') {
                break;
            }
            s += trimmed.find('\n').unwrap_or(trimmed.len());
        }
        let piece = text[s..e].trim_end();
        if piece.is_empty() || piece.starts_with('*') {
            continue;
        }
        let e = s + piece.len();
        let ident_len = piece.bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'_').count();
        let rest = piece[ident_len..].trim_start();
        if ident_len > 0 && rest.starts_with('=') && !rest.starts_with("==") {
            let value = rest[1..].trim_start();
            out.push((Some(&piece[..ident_len]), e - value.len(), e));
        } else {
            out.push((None, s, e));
        }
    }
    out
}

/// Convert a recorded attribute value back to a starlark value. Strings of dependency
/// attributes become [`Absorb`] values named by the label; selects and concatenations stay
/// selects; opaque values absorb.
pub(crate) fn from_attr<'v>(heap: Heap<'v>, v: &AttrValue, deplike: bool) -> Value<'v> {
    match v {
        AttrValue::None => Value::new_none(),
        AttrValue::Bool(b) => Value::new_bool(*b),
        AttrValue::Int(i) => heap.alloc(*i),
        AttrValue::Str(s) if deplike => heap.alloc(Absorb::bare(s.clone())),
        AttrValue::Str(s) => heap.alloc(s.as_str()),
        AttrValue::List(xs) => heap.alloc(xs.iter().map(|x| from_attr(heap, x, deplike)).collect::<Vec<_>>()),
        AttrValue::Dict(kvs) => {
            let mut map = SmallMap::with_capacity(kvs.len());
            for (k, x) in kvs {
                let k = match k {
                    AttrValue::List(ks) => {
                        heap.alloc(AllocTuple(ks.iter().map(|k| from_attr(heap, k, false)).collect::<Vec<_>>()))
                    }
                    k => from_attr(heap, k, false),
                };
                if let Ok(k) = k.get_hashed() {
                    map.insert_hashed(k, from_attr(heap, x, deplike));
                }
            }
            heap.alloc(Dict::new(map))
        }
        AttrValue::Select(_) | AttrValue::Concat(_) => heap.alloc(SelectValue { value: v.clone() }),
        AttrValue::Opaque(s) => heap.alloc(Absorb::named(s.clone())),
    }
}

/// Run the implementation of the rule exported as `rule_var` by `bzl` against a recording
/// `ctx`; see [`EvalContext::run_rule_impl`].
pub(crate) fn run(
    ctx: &EvalContext,
    bzl: &Path,
    rule_var: &str,
    label: &ImplLabel,
    attrs: &[(String, AttrValue)],
) -> ImplResult {
    let mut result = ImplResult::default();
    let fail = |kind, message: String| EvalError { kind, message, loc: None, call_site: None };
    let module = match load_bzl(ctx, bzl) {
        Ok(m) => m,
        Err(e) => {
            result.errors.push(e);
            return result;
        }
    };
    let Ok(rule) = module.get(rule_var) else {
        result.errors.push(fail(EvalErrorKind::Eval, format!("`{}` exports no `{rule_var}`", bzl.display())));
        return result;
    };
    let rule = match rule.downcast::<FrozenRuleDef>() {
        Ok(rule) => rule,
        Err(other) => {
            let what = other.value().to_repr();
            let message = format!("`{rule_var}` in `{}` is not a `rule()` but {what}", bzl.display());
            result.errors.push(fail(EvalErrorKind::Eval, message));
            return result;
        }
    };
    let def = rule.as_ref();
    if def.impl_fn.is_none() {
        result.errors.push(fail(EvalErrorKind::Eval, format!("`{rule_var}` has no `impl`")));
        return result;
    }
    let mut values: Vec<(String, AttrValue, bool)> = Vec::new();
    for a in &def.attrs {
        let given = attrs.iter().find(|(k, _)| *k == a.name).map(|(_, v)| v.clone());
        // A required dependency the target does not give (Buck2 would refuse the target):
        // absorbing, so that `dep[Provider]` goes on; other required attributes are None.
        let missing = || match a.deplike {
            true => AttrValue::Opaque(format!("missing {}", a.name)),
            false => AttrValue::None,
        };
        values.push((a.name.clone(), given.or_else(|| a.default.clone()).unwrap_or_else(missing), a.deplike));
    }
    for (k, v) in attrs {
        if !values.iter().any(|(n, _, _)| n == k) {
            values.push((k.clone(), v.clone(), false));
        }
    }
    let data = Arc::new(ImplData { attrs: values, label: Arc::new(label.clone()) });
    let limits = &ctx.options.limits;
    let mut recorder = Recorder::new(ctx.options.clone(), None, bzl.display().to_string());
    recorder.record_impl = true;
    let outcome = Module::with_temp_heap(|env| {
        let rule_value = rule.owned_frozen_value(env.frozen_heap()).to_value();
        let ctx_value = env.heap().alloc(ImplCtx(data));
        let mut eval = Evaluator::new(&env);
        eval.extra = Some(&recorder);
        apply_limits(&mut eval, limits);
        let outcome = eval
            .eval_function(impl_fn_of(rule_value), &[ctx_value], &[])
            .map(to_attr)
            .map_err(|e| limit_message(to_eval_error(&e, None), limits));
        drop(eval);
        outcome
    });
    match outcome {
        Ok(v) => result.returned = Some(v),
        Err(e) => result.errors.push(e),
    }
    result.calls = recorder.impl_calls.into_inner();
    result
}

/// The `impl` function of a rule value (frozen, kept alive by the module's heap).
fn impl_fn_of(rule: Value<'_>) -> Value<'_> {
    match rule.downcast_ref::<FrozenRuleDef>() {
        Some(def) => def.impl_fn.to_value(),
        None => Value::new_none(),
    }
}
