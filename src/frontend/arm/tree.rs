//! The evaluated template tree: every JSON value of a resource after expressions, property
//! `copy` loops and parameters are applied, each node still carrying the span where it was
//! written. The mapping to the model reads only this tree.

use crate::model::{Lattice, Origin, Origins, Partial, Val, Why};
use crate::source::Span;

use super::json::JStr;

pub use super::value::RuntimeRef as Runtime;

/// A string of the evaluated tree: a literal or key shared with the parsed template (no copy
/// per evaluation: an object's keys and literal values were a third of the evaluator's
/// allocations), or the text an expression produced.
#[derive(Clone)]
pub enum EvStr {
    /// Written as such in the template.
    Shared(JStr),
    /// Produced by an expression.
    Owned(String),
}

impl EvStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            EvStr::Shared(j) => j.as_str(),
            EvStr::Owned(s) => s.as_str(),
        }
    }
}

impl std::ops::Deref for EvStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for EvStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for EvStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<String> for EvStr {
    fn from(s: String) -> Self {
        EvStr::Owned(s)
    }
}

impl From<&str> for EvStr {
    fn from(s: &str) -> Self {
        EvStr::Owned(s.to_string())
    }
}

impl From<&JStr> for EvStr {
    fn from(s: &JStr) -> Self {
        EvStr::Shared(s.clone())
    }
}

/// One evaluated node.
#[derive(Debug, Clone, PartialEq)]
pub struct Ev {
    /// Where the value was written (for values produced by an expression: the expression).
    pub span: Span,
    /// Parameter defaults / parameter file entries the value came through.
    pub origins: Origins,
    /// The value.
    pub kind: EvKind,
}

/// The value of an [`Ev`].
#[derive(Debug, Clone, PartialEq)]
pub enum EvKind {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string (expressions already evaluated, `[[` unescaped).
    Str(EvStr),
    /// An array.
    Arr(Vec<Ev>),
    /// An object; keys as written (look-ups are case-insensitive).
    Obj(Vec<(EvStr, Ev)>),
    /// Not knowable before deployment; the known prefix/suffix of a string. Boxed, as is
    /// `Runtime`: the rarer values kept every node at 96 bytes (56 without them), and an
    /// object's members are moved and copied as the tree is built.
    Unknown(Box<Partial>),
    /// A runtime property of a resource in the scan.
    Runtime(Box<Runtime>),
}

impl Ev {
    /// A node.
    pub fn new(span: Span, kind: EvKind) -> Self {
        Ev {
            span,
            origins: Origins::new(),
            kind,
        }
    }

    /// An Unknown node without partial text.
    pub fn unknown(span: Span) -> Self {
        Ev::new(span, EvKind::Unknown(Box::default()))
    }

    /// Case-insensitive member look-up; `None` when absent or not an object. A member of an
    /// Unknown (or runtime) value is that same Unknown value: it may well be written.
    pub fn get(&self, key: &str) -> Option<&Ev> {
        match &self.kind {
            EvKind::Unknown(_) | EvKind::Runtime(_) => Some(self),
            EvKind::Obj(props) => props
                .iter()
                .rev()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a path of case-insensitive keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Ev> {
        let mut cur = self;
        for k in keys {
            cur = cur.get(k)?;
        }
        Some(cur)
    }

    /// The string when Known.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            EvKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The elements when this is a Known array.
    pub fn as_arr(&self) -> Option<&[Ev]> {
        match &self.kind {
            EvKind::Arr(a) => Some(a),
            _ => None,
        }
    }

    /// True for `Unknown` and `Runtime` nodes.
    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, EvKind::Unknown(_) | EvKind::Runtime(_))
    }

    fn val<T>(&self, state: Lattice<T>) -> Val<T> {
        Val {
            state,
            span: Some(self.span),
            origins: self.origins.clone(),
        }
    }

    fn unknown_val<T>(&self) -> Val<T> {
        self.val(Lattice::Unknown(Box::new(self.unknown_partial())))
    }

    /// What an Unknown made of this node keeps: the partial text and reason of an Unknown,
    /// the reason "runtime property" of a `reference()` to a resource of the scan.
    pub fn unknown_partial(&self) -> Partial {
        match &self.kind {
            EvKind::Unknown(p) => (**p).clone(),
            EvKind::Runtime(r) => Partial::because(Why::new(
                format!(
                    "`reference()` to {} `{}` gives `{}` only at deployment",
                    r.rtype,
                    r.name,
                    if r.path.is_empty() {
                        "the resource".to_string()
                    } else {
                        r.path.join(".")
                    }
                ),
                Some(self.span),
            )),
            _ => Partial::default(),
        }
    }
}

/// A string property: absent/null → Absent; numbers and booleans are shown as text (ARM
/// coerces them); arrays, objects and runtime values → Unknown.
pub fn s(v: Option<&Ev>) -> Val<String> {
    let Some(v) = v else { return Val::absent() };
    match &v.kind {
        EvKind::Null => Val::absent(),
        EvKind::Str(x) => v.val(Lattice::Known(x.to_string())),
        EvKind::Int(i) => v.val(Lattice::Known(i.to_string())),
        EvKind::Bool(b) => v.val(Lattice::Known(b.to_string())),
        _ => v.unknown_val(),
    }
}

/// An integer property; numeric strings (`"capacity": "10"`) are accepted as ARM does.
pub fn int(v: Option<&Ev>) -> Val<i64> {
    let Some(v) = v else { return Val::absent() };
    match &v.kind {
        EvKind::Null => Val::absent(),
        EvKind::Int(i) => v.val(Lattice::Known(*i)),
        EvKind::Str(x) => match x.trim().parse::<i64>() {
            Ok(i) => v.val(Lattice::Known(i)),
            Err(_) => v.unknown_val(),
        },
        _ => v.unknown_val(),
    }
}

/// A boolean property; `"true"`/`"false"` strings are accepted (case-insensitive).
pub fn boolean(v: Option<&Ev>) -> Val<bool> {
    let Some(v) = v else { return Val::absent() };
    match &v.kind {
        EvKind::Null => Val::absent(),
        EvKind::Bool(b) => v.val(Lattice::Known(*b)),
        EvKind::Str(x) if x.eq_ignore_ascii_case("true") => v.val(Lattice::Known(true)),
        EvKind::Str(x) if x.eq_ignore_ascii_case("false") => v.val(Lattice::Known(false)),
        _ => v.unknown_val(),
    }
}

/// A collection property: absent/null → Absent, array → Known elements mapped by `f`,
/// anything else → Unknown.
pub fn coll<T>(v: Option<&Ev>, mut f: impl FnMut(&Ev) -> T) -> Val<Vec<T>> {
    let Some(v) = v else { return Val::absent() };
    match &v.kind {
        EvKind::Null => Val::absent(),
        EvKind::Arr(items) => v.val(Lattice::Known(items.iter().map(&mut f).collect())),
        _ => v.unknown_val(),
    }
}

/// A list of strings.
pub fn strs(v: Option<&Ev>) -> Val<Vec<Val<String>>> {
    coll(v, |e| s(Some(e)))
}

/// Merges a singular and a plural property (`sourceAddressPrefix` + `sourceAddressPrefixes`):
/// Unknown when either is Unknown, Absent when both are.
pub fn merged_strs(one: Option<&Ev>, many: Option<&Ev>) -> Val<Vec<Val<String>>> {
    let single = s(one);
    let list = strs(many);
    if let Lattice::Unknown(p) = &single.state {
        return Val {
            state: Lattice::Unknown(Box::new(Partial::because(p.why.clone()))),
            span: single.span,
            origins: single.origins,
        };
    }
    if list.is_unknown() {
        return list;
    }
    let span = single.span.or(list.span);
    let mut origins = single.origins.clone();
    origins.extend(list.origins.iter().cloned());
    let single_absent = single.is_absent();
    let list_absent = list.is_absent();
    if single_absent && list_absent {
        return Val::absent();
    }
    let items = match list.state {
        Lattice::Known(items) => items,
        _ => Vec::new(),
    };
    // Sized exactly: a vector grown from one push holds room for four values, and the
    // scan-wide model keeps every security rule's address and port lists.
    let mut out: Vec<Val<String>> = Vec::with_capacity(usize::from(!single_absent) + items.len());
    if !single_absent {
        out.push(single);
    }
    out.extend(items);
    Val {
        state: Lattice::Known(out),
        span,
        origins,
    }
}

/// An evaluator value as a tree node: every node gets the expression's span. Origins are only
/// kept where they are unambiguous: an object built from many parameters cannot tell which of
/// them a member came from, so its members get none (and the whole keeps at most a few).
pub fn from_aval(v: super::value::AVal, span: Span, origins: Vec<Origin>) -> Ev {
    // The evaluator's list itself, not a copy.
    let origins: Origins = if origins.len() > 3 {
        Origins::new()
    } else {
        origins.into()
    };
    // Every node shares the one list (a copy of the list for each node before).
    let inner = if origins.len() == 1 {
        origins.clone()
    } else {
        Origins::new()
    };
    from_aval_inner(v, span, origins, &inner)
}

fn from_aval_inner(v: super::value::AVal, span: Span, origins: Origins, inner: &Origins) -> Ev {
    use super::value::AVal;
    let kind = match v {
        AVal::Null => EvKind::Null,
        AVal::Bool(b) => EvKind::Bool(b),
        AVal::Int(i) => EvKind::Int(i),
        AVal::Str(x) => EvKind::Str(x.into()),
        AVal::Array(a) => EvKind::Arr(
            a.into_iter()
                .map(|e| from_aval_inner(e, span, inner.clone(), inner))
                .collect(),
        ),
        AVal::Object(o) => EvKind::Obj(
            o.into_iter()
                .map(|(k, e)| (k.into(), from_aval_inner(e, span, inner.clone(), inner)))
                .collect(),
        ),
        AVal::Unknown(p) => EvKind::Unknown(p),
        AVal::Runtime(r) => EvKind::Runtime(r),
    };
    Ev {
        span,
        origins,
        kind,
    }
}

/// A tree node as an evaluator value (spans dropped).
pub fn to_aval(e: &Ev) -> super::value::AVal {
    use super::value::AVal;
    match &e.kind {
        EvKind::Null => AVal::Null,
        EvKind::Bool(b) => AVal::Bool(*b),
        EvKind::Int(i) => AVal::Int(*i),
        EvKind::Str(x) => AVal::Str(x.to_string()),
        EvKind::Arr(a) => AVal::Array(a.iter().map(to_aval).collect()),
        EvKind::Obj(o) => {
            AVal::Object(o.iter().map(|(k, v)| (k.to_string(), to_aval(v))).collect())
        }
        EvKind::Unknown(p) => AVal::Unknown(p.clone()),
        EvKind::Runtime(r) => AVal::Runtime(r.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every member of an evaluated object is an (EvStr, Ev) moved into a vector as the tree
    /// is built: the rare Unknown and runtime values are boxed so they do not size every node.
    #[test]
    fn a_node_is_a_span_origins_and_a_small_value() {
        assert_eq!(std::mem::size_of::<EvKind>(), 32);
        assert_eq!(std::mem::size_of::<Ev>(), 56);
        // The evaluator's values likewise.
        assert_eq!(std::mem::size_of::<crate::frontend::arm::value::AVal>(), 32);
        let u = Ev::unknown(Span::new(crate::source::FileId(0), 0..1));
        assert!(u.is_unknown());
    }
}
