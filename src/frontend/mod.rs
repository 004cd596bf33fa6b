//! Front-ends: ARM JSON and Terraform HCL into the common [`Model`](crate::model::Model).
//!
//! A front-end never knows a rule. Each deployment unit (a root template, a root Terraform
//! module) is loaded independently into its own [`UnitOutput`], so units can be loaded in
//! parallel and merged.

pub mod app;
pub mod arm;
pub mod bicep;
pub mod deadline;
pub mod terraform;
pub mod tfplan;

use std::path::PathBuf;

use crate::model::Model;
use crate::source::Span;

/// Inputs the front-ends take from the command line and configuration.
#[derive(Debug, Clone, Default)]
pub struct FrontendOptions {
    /// `--parameters FILE`: ARM parameter files applied to every template linted, after the
    /// file beside the template and the configuration's mapped files (later wins per key).
    pub parameters: Vec<PathBuf>,
    /// `--var-file FILE`: Terraform variable files, in order (later wins).
    pub var_files: Vec<PathBuf>,
    /// `--var name=value`: Terraform variables, in order (later wins, after var files).
    pub vars: Vec<(String, String)>,
    /// `--plan FILE`: Terraform plan JSON files ([`tfplan`]); plans found among the scanned
    /// files are added to these.
    pub plans: Vec<PathBuf>,
    /// `parameters:` of the configuration: template globs → parameter files. For a template,
    /// `PathMapping::files_for(&opts.parameter_map, path)` gives its files; they apply after
    /// the parameter file found beside the template, and `parameters` (the flag) applies last.
    pub parameter_map: Vec<crate::config::PathMapping>,
    /// `var_files:` of the configuration: Terraform directory globs → var files. For a root
    /// directory, `PathMapping::files_for(&opts.var_file_map, dir)` gives its files; they load
    /// after `terraform.tfvars` / `*.auto.tfvars` and before `var_files` (the flag).
    pub var_file_map: Vec<crate::config::PathMapping>,
    /// Time limit of one unit's evaluation ([`deadline`]); `None` is
    /// [`deadline::DEFAULT_LIMIT`].
    pub time_limit: Option<std::time::Duration>,
    /// `apps:` of the configuration: site name or resource address → Functions project
    /// directory ([`app`]).
    pub apps: Vec<app::AppMapping>,
    /// Leaves the Function App code out of the run ([`app`] is not called: no project is
    /// found, linked or read). Not a command-line flag: the overhead benchmark
    /// (`examples/app_overhead.rs`) times a scan with and without the code.
    pub skip_app_code: bool,
}

/// What loading one unit produced.
#[derive(Debug, Default)]
pub struct UnitOutput {
    /// The unit's resources.
    pub model: Model,
    /// Problems with the input itself (files that could not be parsed or evaluated); the
    /// caller turns them into findings.
    pub diagnostics: Vec<Diagnostic>,
    /// Notes for `--verbose` (registry modules treated as Unknown, skipped files...).
    pub notes: Vec<String>,
    /// Number of files read (templates, parameter files, `.tf`, `.tfvars`).
    pub files: usize,
    /// True when the input turned out not to be something this front-end lints (JSON that is
    /// not a deployment template); it is skipped without noise.
    pub skipped: bool,
    /// Files this unit loaded as linked templates (ARM `templateLink`), canonical paths. A
    /// scanned file that another unit links is linted through that unit only, with the
    /// parameter values it receives there.
    pub linked: Vec<PathBuf>,
    /// Usage errors (exit code 2): a parameter or var file the run was told to apply (by a
    /// flag, the configuration, or beside the template) that cannot be read or is not one.
    pub errors: Vec<String>,
    /// Warnings printed on stderr whatever the verbosity (`--var` of an undeclared variable).
    pub warnings: Vec<String>,
    /// Module calls to registry or git sources that were not read (no `.terraform` vendoring
    /// them): their code and outputs are Unknown.
    pub modules_not_followed: usize,
    /// The JSON file's start looks like a Terraform plan ([`tfplan::looks_like_plan`]): not
    /// read as a template (skipped, nothing added); the caller reads it as a plan.
    pub plan_head: bool,
}

/// A problem a front-end found in its input: a file that could not be read, parsed or
/// evaluated. Front-ends know no rules; [`crate::lint`] turns each into an `AGW000` finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong (lowercase, names the file).
    pub message: String,
    /// Where.
    pub span: Span,
    /// The label on the span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Which finding it becomes.
    pub kind: DiagnosticKind,
}

/// What a [`Diagnostic`] is about; [`crate::lint`] picks the rule from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiagnosticKind {
    /// A file that could not be parsed or evaluated (`AGW000`).
    #[default]
    Parse,
    /// A reference in repository content that was not followed because it points outside the
    /// scan root or at a special file (`AGW901`).
    Refused,
}

impl Diagnostic {
    /// Replaces the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A parse error at `span`: the file (or unit) could not be parsed or evaluated; the other
/// files are still linted.
pub fn parse_error(message: impl Into<String>, span: Span, label: impl Into<String>) -> Diagnostic {
    Diagnostic {
        message: message.into(),
        span,
        label: label.into(),
        help: Some("fix the syntax error; the other files were still linted".to_string()),
        kind: DiagnosticKind::Parse,
    }
}

/// Longest part of a refused reference quoted in a message.
const MAX_QUOTED: usize = 160;

/// A reference from repository content that [`crate::source::SourceMap::read_confined`]
/// refused: `what` names the kind of reference ("linked template", "module source"),
/// `reference` is the path as written (quoted, shortened; never any of the file's content).
pub fn refused(
    what: &str,
    reference: &str,
    refusal: &crate::source::Refusal,
    span: Span,
) -> Diagnostic {
    let mut quoted: String = reference.chars().take(MAX_QUOTED).collect();
    if quoted.len() < reference.len() {
        quoted.push('…');
    }
    Diagnostic {
        message: format!(
            "{what} `{quoted}` {}; it was not read and its values are unknown",
            refusal.reason()
        ),
        span,
        label: "not read".to_string(),
        help: Some(
            "keep referenced files inside the repository (the directory of .agwlint.yaml, else \
             the git top level); a file outside it can be passed on the command line"
                .to_string(),
        ),
        kind: DiagnosticKind::Refused,
    }
}

/// The `--verbose` note listing the parameter or var files applied to a unit, in order:
/// `infra/app.json: parameter values from a.json (beside the template), then b.json
/// (--parameters); later files win per parameter`. `None` when nothing is applied.
pub fn layers_note(display: &str, what: &str, layers: &[String], per: &str) -> Option<String> {
    match layers {
        [] => None,
        [one] => Some(format!("{display}: {what} from {one}")),
        _ => Some(format!(
            "{display}: {what} from {}; later ones win per {per}",
            layers.join(", then ")
        )),
    }
}
