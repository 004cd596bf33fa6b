//! The Bicep syntax tree: declarations and expressions, every node with its byte range in the
//! `.bicep` / `.bicepparam` file. Types are kept only as far as lowering needs them.

use std::ops::Range;

/// A parsed file.
#[derive(Debug, Clone, Default)]
pub struct File {
    /// Declarations in source order.
    pub decls: Vec<Decl>,
}

/// One declaration with its decorators.
#[derive(Debug, Clone)]
pub struct Decl {
    /// The whole declaration (decorators excluded).
    pub span: Range<usize>,
    /// `@x(...)` decorators, as expressions (`description('...')`, `sys.secure()`).
    pub decorators: Vec<Expr>,
    /// What is declared.
    pub kind: DeclKind,
}

/// A declared name and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The name.
    pub text: String,
    /// Where.
    pub span: Range<usize>,
}

/// The kinds of declaration.
#[derive(Debug, Clone)]
pub enum DeclKind {
    /// `targetScope = e`.
    TargetScope(Expr),
    /// `metadata n = e`.
    Metadata(Name, Expr),
    /// `param n T = d` (in `.bicepparam`: `param n = v`, no type).
    Param {
        /// Name.
        name: Name,
        /// Declared type (absent in `.bicepparam`).
        ty: Option<Type>,
        /// Default (or the `.bicepparam` value).
        value: Option<Expr>,
    },
    /// `var n [T] = e`.
    Var(Name, Expr),
    /// `output n T = e`.
    Output(Name, Type, Expr),
    /// `type n = T`.
    TypeDecl(Name, Type),
    /// `func n(a T, b U) R => e`: name, parameter names, body.
    Func(Name, Vec<String>, Expr),
    /// `resource n 'T@v' [existing] = body`.
    Resource(Resource),
    /// `module n 'path' = body`.
    Module {
        /// Symbolic name.
        name: Name,
        /// The path string as written.
        path: Expr,
        /// Object, `if (c) {...}` or `[for ...]`.
        body: Expr,
    },
    /// `test n 'path' = body`.
    Test(Name, Expr),
    /// `assert n = e`.
    Assert(Name, Expr),
    /// `import {a, b as c} from 'x.bicep'` / `import * as ns from 'x.bicep'`; `None` for legacy
    /// provider imports (`import 'az@1.0.0'`) and forms not read.
    Import(Option<Import>),
    /// `extension ...` / `provider ...`; not lowered.
    Extension,
    /// `using 'path' [with {...}]` / `using none` (`.bicepparam`).
    Using(Option<Expr>),
    /// `extends 'path'` (`.bicepparam`).
    Extends(Expr),
}

/// A resource declaration (top level or nested in a parent's body).
#[derive(Debug, Clone)]
pub struct Resource {
    /// Symbolic name.
    pub name: Name,
    /// `'Microsoft.X/y@2023-01-01'` as written (a string expression).
    pub ty: Expr,
    /// `existing`.
    pub existing: bool,
    /// Object, `if (c) {...}` or `[for ...]`.
    pub body: Expr,
}

/// A type expression, kept shallow.
#[derive(Debug, Clone)]
pub struct Type {
    /// Where it is written.
    pub span: Range<usize>,
    /// `string`, `int`, `bool`, `object`, `array`... when the whole type is one of those (or an
    /// array/union that implies it); `None` otherwise.
    pub name: Option<String>,
    /// Ends with `?`.
    pub nullable: bool,
}

/// An expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// Where it is written.
    pub span: Range<usize>,
    /// What it is.
    pub kind: ExprKind,
}

/// A piece of a string.
#[derive(Debug, Clone)]
pub enum StrPart {
    /// Literal text.
    Lit(String),
    /// `${e}`.
    Expr(Expr),
}

/// An object member.
#[derive(Debug, Clone)]
pub enum Member {
    /// `key: value`.
    Prop {
        /// The key: its literal text, or `None` for an interpolated key.
        key: Option<String>,
        /// Where the key is written.
        key_span: Range<usize>,
        /// The value.
        value: Expr,
    },
    /// `'${k}': value`: an interpolated key.
    Computed(Expr, Expr),
    /// `...e`.
    Spread(Expr),
    /// A nested `resource` declaration (in a resource body).
    Resource(Box<Resource>),
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `??`
    Coalesce,
    /// `||`
    Or,
    /// `&&`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `=~`
    EqI,
    /// `!~`
    NeI,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

/// The kinds of expression.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A string (one literal part when not interpolated).
    Str(Vec<StrPart>),
    /// An integer as written.
    Int(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A name (parameter, variable, resource, loop or lambda variable, namespace).
    Ident(String),
    /// `[a, b]` (items may be [`ExprKind::Spread`]).
    Array(Vec<Expr>),
    /// `{...}`.
    Object(Vec<Member>),
    /// `e.name` / `e.?name`.
    Prop(Box<Expr>, String, bool),
    /// `e[i]` / `e[?i]` / `e[^i]`: base, index, safe, from end.
    Index(Box<Expr>, Box<Expr>, bool, bool),
    /// `f(args)` or `ns.f(args)`: namespace, name, args.
    Call(Option<Box<Expr>>, String, Vec<Expr>),
    /// `e::child`.
    Child(Box<Expr>, String),
    /// `!e`.
    Not(Box<Expr>),
    /// `-e`.
    Neg(Box<Expr>),
    /// `e!`.
    NonNull(Box<Expr>),
    /// Binary operator.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `c ? a : b`.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `(a, b) => e` (parameter names).
    Lambda(Vec<String>, Box<Expr>),
    /// `[for (item, index) in iterable: body]`.
    For {
        /// Item variable.
        item: Option<String>,
        /// Index variable.
        index: Option<String>,
        /// What is looped over.
        iter: Box<Expr>,
        /// The body (may be [`ExprKind::If`]).
        body: Box<Expr>,
    },
    /// `if (c) body` (resource and module bodies).
    If(Box<Expr>, Box<Expr>),
    /// `...e` in an array.
    Spread(Box<Expr>),
    /// `(e)`.
    Paren(Box<Expr>),
}

/// A compile-time import.
#[derive(Debug, Clone)]
pub struct Import {
    /// The file imported from, as written.
    pub from: String,
    /// `{a, b as c}`: (name in that file, local name).
    pub names: Vec<(String, Name)>,
    /// `* as ns`: the namespace name.
    pub wildcard: Option<Name>,
}
