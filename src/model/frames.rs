//! Module frames: where code the user did not write (a registry module vendored by
//! `terraform init` under `.terraform/`) was called from. A finding whose primary location
//! lies in such code is moved to the user's own `module` call (see [`crate::relocate`]);
//! the front-end records the frames, rules never read them.

use crate::source::{FileId, Span};

/// One module instance reached through a `module` call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModuleFrame {
    /// Address prefix of the instance: `module.a["k"].module.b.`.
    pub prefix: String,
    /// The call's name (`app_gateway`).
    pub name: String,
    /// The module's directory as printed.
    pub display: String,
    /// The files of the module's directory.
    pub files: Vec<FileId>,
    /// True when the module's code is not the user's: vendored by `terraform init` (under
    /// `.terraform/` or `TF_DATA_DIR`), never committed, so no location there is useful.
    pub foreign: bool,
    /// The `module "name"` header in the caller's file.
    pub call: Span,
    /// The whole `module` block in the caller's file.
    pub call_block: Span,
    /// The call's input attributes, with the objects written inside them.
    pub inputs: Vec<InputAnchor>,
    /// True for text agwlint generated (a plan linted without its sources): no location in
    /// it is shown; `call` is where the resource is in the plan.
    pub synthetic: bool,
}

/// An input attribute of a `module` call (`backend_http_settings = {...}`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InputAnchor {
    /// The input's name.
    pub name: String,
    /// The whole attribute.
    pub span: Span,
    /// Object literals inside the value that have a literal `name` (registry modules take
    /// gateway sub-resources as maps or lists of such objects).
    pub named: Vec<NamedObject>,
}

/// An object literal with a literal `name = "..."` attribute inside a module input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NamedObject {
    /// The `name` value.
    pub name: String,
    /// The object literal.
    pub span: Span,
    /// Its attributes, at any depth below it (`properties = { port = 443 }` gives `port`),
    /// key → the whole `key = value`.
    pub keys: Vec<(String, Span)>,
}

impl ModuleFrame {
    /// True when `file` is one of the module's files.
    pub fn owns(&self, file: FileId) -> bool {
        self.files.contains(&file)
    }
}
