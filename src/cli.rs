//! Command line: `lint`, `rules`, `explain`, `init`, `lsp`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::finding::Severity;
use crate::report::{self, Format, RenderOptions};
use crate::rules;
use crate::source::SourceMap;
use crate::{LintOptions, lint};

/// agwlint: lints ARM templates and Terraform for Application Gateway misconfigurations that end
/// in 502 Bad Gateway.
#[derive(Debug, Parser)]
#[command(name = "agwlint", version = crate::version::LONG, about)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (default: the current directory).
    Lint(Box<LintArgs>),
    /// List the rules.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a rule's page.
    Explain {
        /// Rule ID or name (`AGW010`, `app-service-host-header-not-set`).
        rule: String,
    },
    /// Write a commented `.agwlint.yaml` with every key and its default.
    Init(crate::config::InitArgs),
    /// Run the language server (Language Server Protocol over stdin/stdout) for editors.
    Lsp,
}

/// Formats of `agwlint rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Human,
    /// JSON array.
    Json,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal with NO_COLOR unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The lowest severity that fails a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Errors only.
    Error,
    /// Warnings and errors (default).
    Warning,
    /// Any finding.
    Info,
    /// Never fail on findings.
    Never,
}

impl FailOn {
    /// True when a finding of this severity fails the run.
    pub fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Error => s >= Severity::Error,
            FailOn::Warning => s >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }

    /// The lowest failing severity, `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// Arguments of `agwlint lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Files or directories to lint.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Write the `--format` report to FILE; the human report still goes to the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// ARM parameter file applied to the templates (repeatable).
    #[arg(long = "parameters", value_name = "FILE")]
    pub parameters: Vec<PathBuf>,
    /// Terraform variable file (repeatable; later files win).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Terraform variable `name=value` (repeatable; wins over var files).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Terraform plan JSON (`terraform show -json plan.out > plan.json`; repeatable): fills
    /// the values the sources leave unknown (variables, data sources, count/for_each).
    #[arg(long = "plan", value_name = "FILE")]
    pub plans: Vec<PathBuf>,
    /// Show notes, the parameter and var files applied, and the checks skipped because a value
    /// is Unknown (with the expression that made it Unknown).
    #[arg(long, short)]
    pub verbose: bool,
    /// With file paths (pre-commit, an editor): report only the findings whose primary or
    /// related location is in one of the given files, not every finding of the units (root
    /// modules, parent templates) that contain them.
    #[arg(long)]
    pub only_changed: bool,

    /// Run the rules once on the model of the whole scan instead of unit by unit (the same
    /// findings, more memory): for benchmarks and checks of the unit-by-unit run.
    #[arg(long, hide = true)]
    pub scan_wide_rules: bool,
    /// Exit 0 when the given paths hold nothing to lint (no template, no Terraform module),
    /// instead of 2 (the pre-commit hooks pass it: a commit of other JSON files passes).
    #[arg(long)]
    pub allow_empty: bool,
    /// Configuration, rule selection and baseline flags.
    #[command(flatten)]
    pub config: crate::config::ConfigArgs,
}

/// Parses the command line, runs, and returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Lint(args) => run_lint(*args),
        Command::Rules { format } => {
            print_out(&rules_list(format));
            0
        }
        Command::Explain { rule } => match rules::find_meta(&rule) {
            Some(m) => {
                print_out(m.page);
                0
            }
            None => {
                eprintln!("agwlint: no rule `{rule}` (see `agwlint rules`)");
                2
            }
        },
        Command::Init(args) => crate::config::init::run(&args),
        Command::Lsp => crate::lsp::run(),
    }
}

fn print_out(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

/// The `agwlint rules` listing.
pub fn rules_list(format: ListFormat) -> String {
    let metas = rules::all_meta();
    match format {
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = metas
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id, "name": m.name, "severity": m.severity.as_str(),
                        "summary": m.summary, "url": m.url(),
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Human => {
            let mut s = String::new();
            for m in metas {
                s.push_str(&format!(
                    "{}  {:<38} {:<8} {}\n",
                    m.id,
                    m.name,
                    m.severity.as_str(),
                    m.summary
                ));
            }
            s
        }
    }
}

fn parse_vars(vars: &[String]) -> Result<Vec<(String, String)>, String> {
    vars.iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, val)| (k.trim().to_string(), val.to_string()))
                .ok_or_else(|| format!("--var `{v}` is not NAME=VALUE"))
        })
        .collect()
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn use_color_stderr(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// The width to wrap human output at on stdout or stderr ([`report::width_for`]).
fn width_of(stderr: bool) -> usize {
    let term = if stderr {
        terminal_size::terminal_size_of(std::io::stderr())
    } else {
        terminal_size::terminal_size_of(std::io::stdout())
    };
    let columns = std::env::var("COLUMNS").ok();
    report::width_for(term.map(|(w, _)| usize::from(w.0)), columns.as_deref())
}

fn run_lint(args: LintArgs) -> i32 {
    let vars = match parse_vars(&args.vars) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("agwlint: {e}");
            return 2;
        }
    };
    let mut opts = LintOptions::default();
    opts.frontend.parameters = args.parameters.clone();
    opts.frontend.var_files = args.var_files.clone();
    opts.frontend.plans = args.plans.clone();
    opts.frontend.vars = vars;
    opts.only_changed = args.only_changed;
    opts.scan_wide_rules = args.scan_wide_rules;
    let resolved = match crate::config::configure(&args.config, &mut opts) {
        Ok(r) => r,
        Err(e) => {
            eprint!(
                "{}",
                e.render_width(use_color_stderr(args.color), width_of(true))
            );
            return 2;
        }
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let sources = SourceMap::new();
    // A progress line on stderr for long runs (human output on a terminal only).
    let progress = crate::progress::enabled(args.format == report::Format::Human).then(|| {
        let p = std::sync::Arc::new(crate::progress::Progress::default());
        sources.set_progress(std::sync::Arc::clone(&p));
        crate::progress::Display::start(p)
    });
    let linted = lint(&paths, &opts, &sources);
    drop(progress);
    let report = match linted {
        Ok(r) => r,
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("agwlint: {}", report::text::escape_controls(line));
            }
            return 2;
        }
    };
    for w in &report.warnings {
        eprintln!("warning: {}", report::text::escape_controls(w));
    }
    if report.files_scanned == 0 && !args.paths.is_empty() && !args.allow_empty {
        eprintln!(
            "agwlint: nothing to lint: no ARM template or Terraform module in the given paths (--allow-empty makes this exit 0)"
        );
        return 2;
    }
    if let Some(code) = crate::config::after_lint(&resolved, &report, &sources) {
        return code;
    }
    let fail_on = args.fail_on.or(resolved.fail_on).unwrap_or(FailOn::Warning);
    let ropts = RenderOptions {
        color: use_color(args.color),
        width: Some(width_of(false)),
        fail_on: fail_on.threshold(),
    };
    if let Some(out) = &args.output {
        let file_opts = RenderOptions {
            color: false,
            width: None,
            ..ropts
        };
        let text = report::render(&report, &sources, args.format, file_opts);
        if let Err(e) = std::fs::write(out, text) {
            eprintln!("agwlint: cannot write {}: {e}", out.display());
            return 2;
        }
        print_out(&report::render(&report, &sources, Format::Human, ropts));
    } else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let _ = report::write(&report, &sources, args.format, ropts, &mut out);
        let _ = out.flush();
    }
    if args.verbose {
        for n in &report.notes {
            // File names in notes come from the scanned tree: keep their control characters inert.
            eprintln!("note: {}", report::text::escape_controls(n));
        }
        eprint!("{}", report::skipped::verbose(&report, &sources));
    }
    let code = i32::from(report.findings.iter().any(|f| fail_on.fails(f.severity)));
    // The process exits next: freeing every finding and every file's record one by one took
    // 1 % of a 6,000-file scan, on the main thread after all other work.
    std::mem::forget(report);
    std::mem::forget(sources);
    code
}
