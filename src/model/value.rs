//! The Known / Absent / Unknown lattice: every value read from a template is one of the three.
//!
//! * `Known(v)`: evaluated to a literal (through parameters, variables, locals, functions...).
//! * `Absent`: not written; the documented Azure or provider default applies.
//! * `Unknown`: written, but not knowable before deployment. **A rule never fires on it.**
//!
//! Values carry the span where they were written and, when they came through a parameter
//! default, variable default, tfvars entry or module input, the span of that origin too.

use std::sync::Arc;

use crate::source::Span;

/// The state of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lattice<T> {
    /// Evaluated to a literal.
    Known(T),
    /// Not written: the default applies.
    Absent,
    /// Written, but depends on something not known before deployment (boxed: Unknown values
    /// are rare, and an inline `Partial` made every value 32 bytes larger).
    Unknown(Box<Partial>),
}

/// What is known of an otherwise Unknown string: a literal prefix and suffix
/// (`concat(parameters('app'), '.azurewebsites.net')` has suffix `.azurewebsites.net`), and
/// why it is Unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Partial {
    /// Known leading text.
    pub prefix: String,
    /// Known trailing text.
    pub suffix: String,
    /// The expression that made the value Unknown, when the evaluator recorded it.
    pub why: Why,
}

impl Partial {
    /// Nothing known around the value, Unknown because of `why`.
    pub fn because(why: Why) -> Self {
        Partial {
            why,
            ..Partial::default()
        }
    }
}

/// Why a value is Unknown: the expression that made it so (a parameter without a value, a
/// function evaluated only at deployment, a data source...) and where it is written, for
/// `--verbose` and the JSON `skipped` list. One pointer, shared by every value computed from
/// the same cause; `None` when the evaluator did not record one (the value's own span is
/// shown instead).
///
/// It describes the value's history, not the value: two Unknowns compare equal whatever their
/// reasons.
#[derive(Debug, Clone, Default)]
pub struct Why(Option<Arc<Cause>>);

/// The expression that made a value Unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// What it is, lowercase: "parameter `appName` has no default value and no value in a
    /// parameter file".
    pub what: String,
    /// Where it is written, when known.
    pub span: Option<Span>,
}

impl Why {
    /// A reason.
    pub fn new(what: impl Into<String>, span: Option<Span>) -> Self {
        Why(Some(Arc::new(Cause {
            what: what.into(),
            span,
        })))
    }

    /// No reason recorded.
    pub fn none() -> Self {
        Why(None)
    }

    /// The cause, when recorded.
    pub fn cause(&self) -> Option<&Cause> {
        self.0.as_deref()
    }

    /// True when a reason is recorded.
    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }

    /// This reason, or `other` when none is recorded.
    pub fn or(self, other: impl FnOnce() -> Why) -> Why {
        if self.is_some() { self } else { other() }
    }

    /// The same reason with `span` when it has none.
    pub fn at_least_at(self, span: Span) -> Why {
        match &self.0 {
            Some(c) if c.span.is_none() => Why::new(c.what.clone(), Some(span)),
            _ => self,
        }
    }
}

impl PartialEq for Why {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Why {}

/// Where a value came from, shown as a secondary label ("value comes from the default of
/// parameter `x` here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The span of the parameter default, variable default, tfvars entry or module input.
    pub span: Span,
    /// Short description, e.g. "default of parameter `probePath`".
    pub label: String,
}

/// A value with its lattice state, the span where it was written and its origins.
#[derive(Debug, Clone, PartialEq)]
pub struct Val<T> {
    /// Known, Absent or Unknown.
    pub state: Lattice<T>,
    /// Where the value was written (the attribute or property value); `None` for Absent.
    pub span: Option<Span>,
    /// Where the value came from, outermost first.
    pub origins: Origins,
}

/// The origins of a value ([`Val::origins`]), outermost first: a slice, stored in 8 bytes
/// (most values have none, and a `Vec` made every value 16 bytes larger; the scan-wide model
/// holds millions of values on big repositories). Empty is stored as `None`. Shared: a copy
/// of a value shares its origins (a parameter's value is copied into every property that
/// reads it; copying the list and its labels each time was a twentieth of the allocations
/// of a scan of templates), and a push to shared origins copies them first.
// An `Arc<[Origin]>` would be a 16-byte fat pointer; the `Arc` of a `Vec` is a thin one.
#[derive(Clone, Default)]
pub struct Origins(Option<Arc<Vec<Origin>>>);

impl Origins {
    /// No origins.
    pub const fn new() -> Self {
        Origins(None)
    }

    /// Appends an origin.
    pub fn push(&mut self, origin: Origin) {
        Arc::make_mut(self.0.get_or_insert_with(Arc::default)).push(origin);
    }

    /// The origins as a slice.
    pub fn as_slice(&self) -> &[Origin] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl std::ops::Deref for Origins {
    type Target = [Origin];

    fn deref(&self) -> &[Origin] {
        self.as_slice()
    }
}

impl PartialEq for Origins {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Origins {}

impl std::fmt::Debug for Origins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl From<Vec<Origin>> for Origins {
    fn from(v: Vec<Origin>) -> Self {
        if v.is_empty() {
            Origins(None)
        } else {
            Origins(Some(Arc::new(v)))
        }
    }
}

impl From<&[Origin]> for Origins {
    fn from(v: &[Origin]) -> Self {
        v.to_vec().into()
    }
}

impl From<Origins> for Vec<Origin> {
    fn from(o: Origins) -> Self {
        o.0.map_or_else(Vec::new, |a| {
            Arc::try_unwrap(a).unwrap_or_else(|shared| shared.as_ref().clone())
        })
    }
}

impl FromIterator<Origin> for Origins {
    fn from_iter<I: IntoIterator<Item = Origin>>(iter: I) -> Self {
        iter.into_iter().collect::<Vec<_>>().into()
    }
}

impl Extend<Origin> for Origins {
    fn extend<I: IntoIterator<Item = Origin>>(&mut self, iter: I) {
        for o in iter {
            self.push(o);
        }
    }
}

impl<'a> IntoIterator for &'a Origins {
    type Item = &'a Origin;
    type IntoIter = std::slice::Iter<'a, Origin>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl IntoIterator for Origins {
    type Item = Origin;
    type IntoIter = std::vec::IntoIter<Origin>;

    fn into_iter(self) -> Self::IntoIter {
        Vec::from(self).into_iter()
    }
}

/// A collection that may itself be Unknown (a `dynamic` block over an unknown collection, a
/// property `copy` with an unknown count). Rules may not claim it is empty or lacks an element.
pub type Coll<T> = Val<Vec<T>>;

impl<T> Default for Val<T> {
    fn default() -> Self {
        Val::absent()
    }
}

impl<T> Val<T> {
    /// A Known value written at `span`.
    pub fn known(v: T, span: Span) -> Self {
        Val {
            state: Lattice::Known(v),
            span: Some(span),
            origins: Origins::new(),
        }
    }

    /// A Known value with an optional span (values synthesised by an evaluator).
    pub fn known_at(v: T, span: Option<Span>) -> Self {
        Val {
            state: Lattice::Known(v),
            span,
            origins: Origins::new(),
        }
    }

    /// Not written.
    pub fn absent() -> Self {
        Val {
            state: Lattice::Absent,
            span: None,
            origins: Origins::new(),
        }
    }

    /// Written but unknowable.
    pub fn unknown(span: Option<Span>) -> Self {
        Val {
            state: Lattice::Unknown(Box::default()),
            span,
            origins: Origins::new(),
        }
    }

    /// Unknown, with a known prefix/suffix.
    pub fn unknown_partial(span: Option<Span>, partial: Partial) -> Self {
        Val {
            state: Lattice::Unknown(Box::new(partial)),
            span,
            origins: Origins::new(),
        }
    }

    /// Adds an origin label.
    pub fn with_origin(mut self, origin: Origin) -> Self {
        self.origins.push(origin);
        self
    }

    /// The value when Known.
    pub fn get(&self) -> Option<&T> {
        match &self.state {
            Lattice::Known(v) => Some(v),
            _ => None,
        }
    }

    /// True when Known.
    pub fn is_known(&self) -> bool {
        matches!(self.state, Lattice::Known(_))
    }

    /// True when Absent.
    pub fn is_absent(&self) -> bool {
        matches!(self.state, Lattice::Absent)
    }

    /// True when Unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self.state, Lattice::Unknown(_))
    }

    /// The value a rule may decide on: Known → the value, Absent → `default`, Unknown → `None`.
    pub fn or_default<'a>(&'a self, default: &'a T) -> Option<&'a T> {
        match &self.state {
            Lattice::Known(v) => Some(v),
            Lattice::Absent => Some(default),
            Lattice::Unknown(_) => None,
        }
    }

    /// Like [`Val::or_default`], for when Absent has no default: Known → `Some(Some(v))`,
    /// Absent → `Some(None)`, Unknown → `None`.
    pub fn decidable(&self) -> Option<Option<&T>> {
        match &self.state {
            Lattice::Known(v) => Some(Some(v)),
            Lattice::Absent => Some(None),
            Lattice::Unknown(_) => None,
        }
    }

    /// Why the value is Unknown, when recorded (`None` for Known and Absent values too).
    pub fn why(&self) -> Option<&Cause> {
        self.partial().and_then(|p| p.why.cause())
    }

    /// The known partial text of an Unknown value.
    pub fn partial(&self) -> Option<&Partial> {
        match &self.state {
            Lattice::Unknown(p) => Some(p),
            _ => None,
        }
    }

    /// The value's span, or `fallback` (the element that lacks the value) when it has none.
    pub fn span_or(&self, fallback: Span) -> Span {
        self.span.unwrap_or(fallback)
    }

    /// Maps a Known value, keeping span and origins.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Val<U> {
        Val {
            state: match self.state {
                Lattice::Known(v) => Lattice::Known(f(v)),
                Lattice::Absent => Lattice::Absent,
                Lattice::Unknown(p) => Lattice::Unknown(p),
            },
            span: self.span,
            origins: self.origins,
        }
    }

    /// Maps a borrowed Known value, keeping span and origins.
    pub fn map_ref<U>(&self, f: impl FnOnce(&T) -> U) -> Val<U> {
        Val {
            state: match &self.state {
                Lattice::Known(v) => Lattice::Known(f(v)),
                Lattice::Absent => Lattice::Absent,
                Lattice::Unknown(p) => Lattice::Unknown(p.clone()),
            },
            span: self.span,
            origins: self.origins.clone(),
        }
    }
}

impl<T> Val<Vec<T>> {
    /// The elements when the collection is Known; Absent counts as empty; Unknown → `None`.
    pub fn items(&self) -> Option<&[T]> {
        match &self.state {
            Lattice::Known(v) => Some(v.as_slice()),
            Lattice::Absent => Some(&[]),
            Lattice::Unknown(_) => None,
        }
    }

    /// Iterates the Known elements (none for Absent or Unknown). Use [`Val::items`] when the
    /// rule's verdict depends on the collection being complete.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        match &self.state {
            Lattice::Known(v) => v.iter(),
            _ => [].iter(),
        }
    }
}

impl Val<String> {
    /// The text for a message naming an element: the Known value; for an Unknown value, the known
    /// text around the expression (`…-routing-rule` for `"${var.name}-routing-rule"`); `?` when
    /// nothing of it is known (or it is Absent).
    pub fn display_name(&self) -> String {
        match &self.state {
            Lattice::Known(s) => s.clone(),
            Lattice::Unknown(p) if !p.prefix.is_empty() || !p.suffix.is_empty() => {
                format!("{}…{}", p.prefix, p.suffix)
            }
            _ => "?".to_string(),
        }
    }

    /// Case-insensitive comparison with a literal: `Some(true/false)` when Known, `None`
    /// otherwise (Absent has no text to compare; use [`Val::or_default`] for defaults).
    pub fn eq_ci(&self, other: &str) -> Option<bool> {
        self.get().map(|s| s.eq_ignore_ascii_case(other))
    }

    /// The known trailing text: the whole value when Known, the partial suffix when Unknown.
    pub fn known_suffix(&self) -> Option<&str> {
        match &self.state {
            Lattice::Known(s) => Some(s),
            Lattice::Unknown(p) if !p.suffix.is_empty() => Some(&p.suffix),
            _ => None,
        }
    }

    /// The string when Known.
    pub fn as_str(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }
}

impl Val<bool> {
    /// Known → value, Absent → `default`, Unknown → `None`.
    pub fn flag(&self, default: bool) -> Option<bool> {
        self.or_default(&default).copied()
    }
}

impl Val<i64> {
    /// Known → value, Absent → `default`, Unknown → `None`.
    pub fn num(&self, default: i64) -> Option<i64> {
        self.or_default(&default).copied()
    }
}

/// A value derived from the rest of a model object, computed on first use by a query
/// ([`super::PairsCache`], [`super::RulesCache`]). Filled only once the model is complete (rules
/// run on a model nobody changes); a clone starts empty, and it never takes part in equality
/// or debug output.
pub struct Memo<T>(std::sync::OnceLock<T>);

impl<T> Memo<T> {
    /// The value, computed by `f` on first use.
    pub(crate) fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(f)
    }

    /// The value, when it has been computed (tests check when it is).
    #[cfg(test)]
    pub(crate) fn get(&self) -> Option<&T> {
        self.0.get()
    }
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(std::sync::OnceLock::new())
    }
}

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl<T> PartialEq for Memo<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> std::fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn sp() -> Span {
        Span::new(FileId(0), 1..2)
    }

    #[test]
    fn origins_are_one_pointer_and_empty_is_none() {
        assert_eq!(std::mem::size_of::<Origins>(), 8);
        let o = Origin {
            span: sp(),
            label: "default of parameter `x`".into(),
        };
        let mut a = Origins::new();
        a.extend(std::iter::empty());
        assert_eq!(a, Origins::from(Vec::new()));
        assert!(a.is_empty());
        a.push(o.clone());
        let b: Origins = std::iter::once(o.clone()).collect();
        assert_eq!(a, b);
        assert_eq!(a.first(), Some(&o));
        assert_eq!(format!("{a:?}"), format!("{:?}", vec![o]));
    }

    #[test]
    fn display_names_say_what_is_known() {
        let k: Val<String> = Val::known("probe-api".into(), sp());
        assert_eq!(k.display_name(), "probe-api");
        let p = |prefix: &str, suffix: &str| -> Val<String> {
            Val::unknown_partial(
                Some(sp()),
                Partial {
                    prefix: prefix.into(),
                    suffix: suffix.into(),
                    ..Partial::default()
                },
            )
        };
        assert_eq!(p("", "-routing-rule").display_name(), "…-routing-rule");
        assert_eq!(p("probe-", "").display_name(), "probe-…");
        assert_eq!(p("", "").display_name(), "?");
        assert_eq!(Val::<String>::absent().display_name(), "?");
    }

    #[test]
    fn defaults_apply_only_to_absent() {
        let k: Val<i64> = Val::known(5, sp());
        let a: Val<i64> = Val::absent();
        let u: Val<i64> = Val::unknown(Some(sp()));
        assert_eq!(k.num(30), Some(5));
        assert_eq!(a.num(30), Some(30));
        assert_eq!(u.num(30), None);
    }

    #[test]
    fn unknown_collections_have_no_items() {
        let u: Coll<u8> = Val::unknown(None);
        assert!(u.items().is_none());
        assert_eq!(u.iter().count(), 0);
        let a: Coll<u8> = Val::absent();
        assert_eq!(a.items(), Some(&[][..]));
    }

    #[test]
    fn string_helpers() {
        let v = Val::known("Https".to_string(), sp());
        assert_eq!(v.eq_ci("HTTPS"), Some(true));
        let p: Val<String> = Val::unknown_partial(
            None,
            Partial {
                prefix: String::new(),
                suffix: ".azurewebsites.net".into(),
                why: Why::new("parameter `app` has no value", None),
            },
        );
        assert_eq!(p.known_suffix(), Some(".azurewebsites.net"));
        assert_eq!(p.why().unwrap().what, "parameter `app` has no value");
        // Reasons are not part of the value.
        assert_eq!(
            p.state,
            Lattice::Unknown(Box::new(Partial {
                prefix: String::new(),
                suffix: ".azurewebsites.net".into(),
                why: Why::none(),
            }))
        );
        assert_eq!(p.eq_ci("x"), None);
        assert_eq!(v.map_ref(|s| s.len()).get(), Some(&5));
    }
}
