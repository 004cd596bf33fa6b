//! `rules:` of the configuration: each rule (by ID or name) to `off`, a severity, or a map of
//! `severity` and the rule's own options. Options are checked while reading, against the
//! rule's typed options ([`crate::rules::OptionsSpec`]): an unknown option is an error at its
//! key, a wrong type an error at its value, each with the file position.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::raw::parse_str;
use crate::finding::Severity;
use crate::rules::{self, OptionsSpec, RuleMeta};

/// Deserializes `rules:` (`null` is the default, an empty map).
pub fn rules<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<RuleKey, RuleSetting>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = BTreeMap<RuleKey, RuleSetting>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of rule IDs or names to settings")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<RuleKey>()? {
                let setting = map.next_value_seed(SettingSeed(key.0))?;
                out.insert(key, setting);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

/// A rule named by ID or name, validated against the registry.
#[derive(Debug, Clone, Copy)]
pub struct RuleKey(pub &'static RuleMeta);

impl PartialEq for RuleKey {
    fn eq(&self, o: &Self) -> bool {
        self.0.id == o.0.id
    }
}
impl Eq for RuleKey {}
impl PartialOrd for RuleKey {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for RuleKey {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.id.cmp(o.0.id)
    }
}

impl<'de> Deserialize<'de> for RuleKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, "a rule ID or name", |s| {
            rules::find_meta(s.trim()).map(RuleKey).ok_or_else(|| {
                format!("unknown rule `{s}` (see `agwlint rules` for IDs and names)")
            })
        })
    }
}

/// One entry of `rules:`: `off`, a severity, or a map with `severity` and the rule's options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSetting {
    /// The rule is turned off.
    pub off: bool,
    /// Severity override.
    pub severity: Option<Severity>,
    /// The rule's own options (every key except `severity`).
    pub options: BTreeMap<String, serde_json::Value>,
}

fn parse_level(s: &str) -> Option<(bool, Option<Severity>)> {
    match s.trim().to_ascii_lowercase().as_str() {
        "off" => Some((true, None)),
        "error" => Some((false, Some(Severity::Error))),
        "warning" => Some((false, Some(Severity::Warning))),
        "info" => Some((false, Some(Severity::Info))),
        _ => None,
    }
}

/// A `severity:` value (`off` or a severity).
struct Level(bool, Option<Severity>);

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, "a severity", |s| {
            parse_level(s)
                .map(|(off, sev)| Level(off, sev))
                .ok_or_else(|| format!("unknown severity `{s}`, expected {LEVELS}"))
        })
    }
}

const LEVELS: &str = "`off`, `error`, `warning` or `info`";

/// A [`RuleSetting`] of a known rule, whose options are checked against the rule's type.
struct SettingSeed(&'static RuleMeta);

impl<'de> DeserializeSeed<'de> for SettingSeed {
    type Value = RuleSetting;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RuleSetting, D::Error> {
        struct V(&'static RuleMeta);
        impl<'de> Visitor<'de> for V {
            type Value = RuleSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "{LEVELS}, or a map with `severity` and the rule's options"
                )
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RuleSetting, E> {
                let (off, severity) = parse_level(s)
                    .ok_or_else(|| E::custom(format!("unknown level `{s}`, expected {LEVELS}")))?;
                Ok(RuleSetting {
                    off,
                    severity,
                    options: BTreeMap::new(),
                })
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<RuleSetting, E> {
                // YAML 1.1 readers turn `off` into false; accept it the same way.
                if b {
                    Err(E::custom(format!("expected {LEVELS}, not `true`")))
                } else {
                    Ok(RuleSetting {
                        off: true,
                        ..RuleSetting::default()
                    })
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RuleSetting, A::Error> {
                let spec = rules::find_rule(self.0.id).map_or(OptionsSpec::NONE, |r| r.options());
                let mut out = RuleSetting::default();
                while let Some(key) = map.next_key_seed(OptionKey(self.0, spec))? {
                    if key == "severity" {
                        let Level(off, sev) = map.next_value()?;
                        out.off |= off;
                        out.severity = sev;
                    } else {
                        let v = map.next_value_seed(OptionValue(spec, &key))?;
                        out.options.insert(key, v);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V(self.0))
    }
}

/// An option name of a rule's map: `severity` or one of the rule's options, else an error at
/// the key.
struct OptionKey(&'static RuleMeta, OptionsSpec);

impl<'de> DeserializeSeed<'de> for OptionKey {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        let OptionKey(meta, spec) = self;
        parse_str(d, "an option name", move |k| {
            if k == "severity" || spec.fields.contains(&k) {
                return Ok(k.to_string());
            }
            Err(match spec.fields {
                [] => format!(
                    "unknown option `{k}`: rule {} ({}) takes no options besides `severity`",
                    meta.id, meta.name
                ),
                fields => format!(
                    "unknown option `{k}` of rule {} ({}), expected `severity`{}",
                    meta.id,
                    meta.name,
                    fields
                        .iter()
                        .map(|f| format!(" or `{f}`"))
                        .collect::<String>()
                ),
            })
        })
    }
}

/// An option value, checked against the rule's type for that option.
struct OptionValue<'k>(OptionsSpec, &'k str);

impl<'de> DeserializeSeed<'de> for OptionValue<'_> {
    type Value = serde_json::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<serde_json::Value, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let one =
            serde_json::Value::Object([(self.1.to_string(), v.clone())].into_iter().collect());
        self.0
            .check(&one)
            .map_err(|e| de::Error::custom(format!("option `{}`: {e}", self.1)))?;
        Ok(v)
    }
}
