//! Inline suppressions, read from the source text and applied to findings, independent of the
//! front-ends:
//!
//! * comments `# agwlint-ignore AGW010, AGW016: reason` (also `//` and `/* */`; in JSON only
//!   the latter two, where the file has comments). A comment on its own line covers the
//!   construct that starts on the next line: that line and, when a `{`, `[` or `(` opens on it,
//!   everything up to the matching close (found by bracket matching that skips strings,
//!   comments and heredocs). A comment at the end of a line covers that line and the block
//!   opened on it. `agwlint-ignore-file` covers the whole file;
//! * ARM `"metadata": { "agwlint": { "ignore": { "AGW010": "reason" } } }` on a resource,
//!   which the ARM front-end stores in [`Resource::suppressions`](crate::model::Resource::suppressions): it covers findings whose
//!   `resource` label is the resource's.
//!
//! A suppression must name rule IDs or names. One that silences nothing is reported as
//! [`AGW900`] at the rule it names (only when that rule is enabled).

mod apply;
mod directive;
mod scan;

pub use apply::{Outcome, apply, resources};
pub use directive::{Directive, NamedRule, directives};
pub use scan::{Syntax, syntax_of};

use crate::finding::Severity;
use crate::rules::RuleMeta;

/// AGW900: a suppression that silences nothing. Not a [`crate::rules::Rule`]; [`apply`] emits it.
pub static AGW900: RuleMeta = RuleMeta {
    id: "AGW900",
    name: "unused-suppression",
    severity: Severity::Info,
    summary: "An agwlint-ignore comment or metadata suppression silences no finding",
    page: include_str!("../../rules/AGW900.md"),
};

/// The word that starts a suppression comment.
pub const KEYWORD: &str = "agwlint-ignore";
/// The word that starts a file-wide suppression comment.
pub const KEYWORD_FILE: &str = "agwlint-ignore-file";
