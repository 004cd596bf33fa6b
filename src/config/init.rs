//! `agwlint init`: writes a commented `.agwlint.yaml` with every key and its default.

use std::io::Write;
use std::path::PathBuf;

/// Arguments of `agwlint init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
    /// Where to write.
    #[arg(default_value = ".agwlint.yaml")]
    pub path: PathBuf,
}

/// The file `agwlint init` writes: every key with its default value, and commented examples.
pub const TEMPLATE: &str = r#"# agwlint configuration (https://github.com/agwlint/agwlint/blob/main/README.md#configuration).
# agwlint reads this file from the current directory or the nearest parent, up to the
# repository root; `--config FILE` names another. Command-line flags win over this file.
# Every key below is set to its default.

# Per-rule settings, keyed by rule ID or name: `off`, a severity (`error`, `warning`,
# `info`), or a map with `severity` and the rule's own options.
rules: {}
#  AGW010: off
#  probe-unreferenced: warning
#  AGW014:
#    severity: error
#    function_timeout_seconds: 120   # expected duration of the slowest HTTP function
#  AGW003:
#    min_instances: 3                # reserved instances required (default 2)

# Only these rules (IDs, names or ID prefixes such as `AGW03`). Empty: every rule.
# `--select` replaces this list.
select: []

# Never these rules (IDs, names or ID prefixes). `--ignore` replaces this list.
ignore: []

# Only lint files matching these globs, relative to this file (`*` stays inside a directory,
# `**` crosses directories). Empty: every file found.
include: []
#  - "infra/**"

# Skip files and directories matching these globs, relative to this file.
exclude: []
#  - "**/examples/**"

# ARM templates (glob) -> parameter file(s), relative to this file.
parameters: {}
#  "infra/*.json": infra/parameters/prod.parameters.json

# Terraform var files: a list applied to every directory, or directory glob -> file(s).
var_files: {}
#  "envs/prod": [envs/common.tfvars, envs/prod/prod.tfvars]

# Facts a template cannot show.
assume:
  # The subscription has Application Gateway network isolation registered.
  network_isolation: false
  # Custom DNS servers forward the privatelink zones correctly.
  dns_resolves_private_link: false

# Lowest severity that makes the exit code 1: error, warning, info or never.
# `--fail-on` wins.
fail_on: warning

# Report only findings that are not in this baseline (relative to this file);
# write it with `agwlint lint --write-baseline .agwlint-baseline.json`.
baseline: null
#  baseline: .agwlint-baseline.json
"#;

/// Writes the template; refuses to overwrite an existing file without `--force`. Returns the
/// exit code.
pub fn run(args: &InitArgs) -> i32 {
    let shown = crate::discover::display_path(&args.path);
    match write(args) {
        Ok(()) => {
            eprintln!("agwlint: wrote {shown}");
            0
        }
        Err(e) => {
            eprintln!("agwlint: {e}");
            2
        }
    }
}

/// Writes the template (see [`run`]).
pub fn write(args: &InitArgs) -> Result<(), String> {
    let shown = crate::discover::display_path(&args.path);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if args.force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    let mut f = opts.open(&args.path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!("{shown} already exists (use --force to overwrite it)")
        } else {
            format!("cannot write {shown}: {e}")
        }
    })?;
    f.write_all(TEMPLATE.as_bytes())
        .map_err(|e| format!("cannot write {shown}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_loads_back_with_defaults() {
        let c = super::super::load::parse(".agwlint.yaml", TEMPLATE).unwrap();
        assert!(c.rules.is_empty() && c.select.is_empty() && c.ignore.is_empty());
        assert!(c.include.is_empty() && c.exclude.is_empty() && c.parameters.is_empty());
        assert!(!c.assume.network_isolation && !c.assume.dns_resolves_private_link);
        assert_eq!(c.fail_on.map(|f| f.0), Some(crate::cli::FailOn::Warning));
        assert_eq!(c.baseline, None);
    }

    #[test]
    fn commented_examples_load_when_uncommented() {
        // Uncommenting every example line must give a valid file too.
        // Examples for rules not registered in this build are left out.
        let mut text = String::new();
        let mut skipping = false;
        let mut expected_rules = 0;
        for line in TEMPLATE.lines() {
            if let Some(rest) = line.strip_prefix("#  ") {
                if rest.starts_with("baseline:") {
                    continue;
                }
                if rest.starts_with(char::is_alphanumeric) {
                    // Every example key starting with a letter or digit is a rule key.
                    let key = rest.split(':').next().unwrap_or("");
                    skipping = crate::rules::find_meta(key).is_none();
                    expected_rules += usize::from(!skipping);
                } else if !rest.starts_with(' ') {
                    skipping = false;
                }
                if skipping {
                    continue;
                }
                text.push_str("  ");
                text.push_str(rest);
            } else {
                skipping = false;
                text.push_str(line);
            }
            text.push('\n');
        }
        let text = text
            .replace("rules: {}", "rules:")
            .replace("include: []", "include:")
            .replace("exclude: []", "exclude:")
            .replace("parameters: {}", "parameters:")
            .replace("var_files: {}", "var_files:");
        let c = super::super::load::parse(".agwlint.yaml", &text)
            .map_err(|e| e.render(false))
            .unwrap();
        assert_eq!(c.rules.len(), expected_rules);
        assert_eq!(c.include.len(), 1);
        assert_eq!(c.parameters.len(), 1);
    }
}
