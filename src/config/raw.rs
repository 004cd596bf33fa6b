//! The file as written: serde types with `deny_unknown_fields`. Values that name rules or globs
//! are validated while deserializing, so an error carries the position of the offending scalar.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

pub use super::rules_map::{RuleKey, RuleSetting};
use crate::cli::FailOn;
use crate::rules::{self, RuleMeta};

/// `.agwlint.yaml` as written. Every key is optional; `null` means the default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Per-rule settings keyed by rule ID or name.
    #[serde(default, deserialize_with = "super::rules_map::rules")]
    pub rules: BTreeMap<RuleKey, RuleSetting>,
    /// Only these rules (IDs, names, ID prefixes).
    #[serde(default, deserialize_with = "or_default")]
    pub select: Vec<Selector>,
    /// Never these rules.
    #[serde(default, deserialize_with = "or_default")]
    pub ignore: Vec<Selector>,
    /// Only files matching these globs (relative to the configuration file).
    #[serde(default, deserialize_with = "or_default")]
    pub include: Vec<GlobStr>,
    /// Skip files and directories matching these globs.
    #[serde(default, deserialize_with = "or_default")]
    pub exclude: Vec<GlobStr>,
    /// ARM template glob → parameter file(s).
    #[serde(default, deserialize_with = "or_default")]
    pub parameters: BTreeMap<GlobStr, OneOrMany>,
    /// Terraform directory glob → var file(s), or a list of var files for every directory.
    #[serde(default, deserialize_with = "or_default")]
    pub var_files: VarFiles,
    /// Facts templates cannot show.
    #[serde(default, deserialize_with = "or_default")]
    pub assume: AssumeConfig,
    /// Default of `--fail-on`.
    #[serde(default)]
    pub fail_on: Option<FailOnSetting>,
    /// Baseline file (relative to the configuration file).
    #[serde(default)]
    pub baseline: Option<PathBuf>,
    /// Site name or resource address → Functions project directory (relative to the
    /// configuration file).
    #[serde(default, deserialize_with = "or_default")]
    pub apps: BTreeMap<SiteKey, PathBuf>,
}

/// A site name or resource address in `apps:`, validated when read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SiteKey(pub String);

impl<'de> Deserialize<'de> for SiteKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, "a site name or resource address", |s| {
            let t = s.trim();
            if t.is_empty() {
                Err("an `apps:` key must name a site (its name or resource address)".into())
            } else {
                Ok(SiteKey(t.to_string()))
            }
        })
    }
}

/// `null` (a key with nothing after it) means the default.
fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Deserializes a string and validates it inside the visitor, so a validation error carries the
/// position of the scalar (serde_yaml attaches the position only to errors raised there).
pub(super) fn parse_str<'de, D, T>(
    d: D,
    what: &'static str,
    f: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<F>(&'static str, F);
    impl<'de, T, F: FnOnce(&str) -> Result<T, String>> Visitor<'de> for V<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
            (self.1)(s).map_err(E::custom)
        }
    }
    d.deserialize_str(V(what, f))
}

/// `assume:`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumeConfig {
    /// The subscription has Application Gateway network isolation registered.
    #[serde(default)]
    pub network_isolation: bool,
    /// Custom DNS servers forward the privatelink zones correctly.
    #[serde(default)]
    pub dns_resolves_private_link: bool,
}

/// A rule selector in `select`/`ignore`: an ID, a name, or an ID prefix such as `AGW03`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// One rule.
    Rule(&'static str),
    /// Every rule whose ID starts with this (upper-case).
    Prefix(String),
}

impl Selector {
    /// Parses a selector: a rule name, or `AGW` followed by at most three digits.
    pub fn parse(s: &str) -> Result<Self, String> {
        if let Some(m) = rules::find_meta(s) {
            return Ok(Selector::Rule(m.id));
        }
        // `AGW` and up to three digits is an ID or a prefix even when no rule of this build
        // has it yet, so a configuration written for a newer release still loads.
        let up = s.to_ascii_uppercase();
        if let Some(digits) = up.strip_prefix("AGW")
            && digits.len() <= 3
            && digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Ok(Selector::Prefix(up));
        }
        Err(format!(
            "`{s}` is neither a rule ID, a rule name, nor an ID prefix like `AGW03` (see `agwlint rules`)"
        ))
    }

    /// True when the selector covers the rule.
    pub fn matches(&self, m: &RuleMeta) -> bool {
        match self {
            Selector::Rule(id) => *id == m.id,
            Selector::Prefix(p) => m.id.starts_with(p.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, "a rule ID, name or ID prefix", |s| {
            Selector::parse(s.trim())
        })
    }
}

/// A glob, validated when read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GlobStr(pub String);

impl<'de> Deserialize<'de> for GlobStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, "a glob", |s| {
            super::paths::glob(s)?;
            Ok(GlobStr(s.to_string()))
        })
    }
}

/// One path or a list of paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OneOrMany(pub Vec<PathBuf>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file path or a list of file paths")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![PathBuf::from(s)]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut v = Vec::new();
                while let Some(p) = seq.next_element::<PathBuf>()? {
                    v.push(p);
                }
                Ok(OneOrMany(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// `var_files:`: a map of directory globs to files, or a list applied to every directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum VarFiles {
    /// Nothing configured.
    #[default]
    None,
    /// Files for every Terraform directory.
    All(Vec<PathBuf>),
    /// Directory glob → files.
    ByDir(BTreeMap<GlobStr, OneOrMany>),
}

impl VarFiles {
    /// `(glob or None for every directory, files)` pairs.
    pub fn mappings(&self) -> Vec<(Option<String>, Vec<PathBuf>)> {
        match self {
            VarFiles::None => Vec::new(),
            VarFiles::All(files) => vec![(None, files.clone())],
            VarFiles::ByDir(m) => m
                .iter()
                .map(|(g, f)| (Some(g.0.clone()), f.0.clone()))
                .collect(),
        }
    }
}

impl<'de> Deserialize<'de> for VarFiles {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = VarFiles;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of var files, or a map of directory globs to var files")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<VarFiles, A::Error> {
                let mut v = Vec::new();
                while let Some(p) = seq.next_element::<PathBuf>()? {
                    v.push(p);
                }
                Ok(VarFiles::All(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<VarFiles, A::Error> {
                let mut m = BTreeMap::new();
                while let Some(k) = map.next_key::<GlobStr>()? {
                    let v: OneOrMany = map.next_value()?;
                    m.insert(k, v);
                }
                Ok(VarFiles::ByDir(m))
            }
        }
        d.deserialize_any(V)
    }
}

/// `fail_on:` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOnSetting(pub FailOn);

impl<'de> Deserialize<'de> for FailOnSetting {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, "`error`, `warning`, `info` or `never`", |s| {
            let f = match s.trim().to_ascii_lowercase().as_str() {
                "error" => FailOn::Error,
                "warning" => FailOn::Warning,
                "info" => FailOn::Info,
                "never" => FailOn::Never,
                _ => {
                    return Err(format!(
                        "unknown fail_on `{s}`, expected `error`, `warning`, `info` or `never`"
                    ));
                }
            };
            Ok(FailOnSetting(f))
        })
    }
}
