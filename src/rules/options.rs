//! Typed rule options: each rule that takes options declares a serde type
//! (`#[serde(deny_unknown_fields, default)]`), and configuration is checked against it, so a
//! misspelt option or a wrong type is a configuration error instead of being ignored.

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

/// The options a rule accepts: their names and a check of values against the rule's type.
#[derive(Clone, Copy)]
pub struct OptionsSpec {
    /// The option names (the fields of the rule's options type).
    pub fields: &'static [&'static str],
    check: fn(&serde_json::Value) -> Result<(), String>,
}

impl std::fmt::Debug for OptionsSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OptionsSpec")
            .field("fields", &self.fields)
            .finish()
    }
}

impl OptionsSpec {
    /// A rule without options.
    pub const NONE: OptionsSpec = OptionsSpec {
        fields: &[],
        check: |_| Ok(()),
    };

    /// The options of type `T`: a struct deriving `Deserialize` with `deny_unknown_fields`
    /// and `default`.
    pub fn of<T: DeserializeOwned>() -> Self {
        OptionsSpec {
            fields: field_names::<T>(),
            check: |v| {
                serde_json::from_value::<T>(v.clone())
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            },
        }
    }

    /// Checks an object of options (`{"min_instances": 3}`) against the type; the error is
    /// serde's (`invalid type: string "three", expected u32`).
    pub fn check(&self, options: &serde_json::Value) -> Result<(), String> {
        (self.check)(options)
    }
}

/// Parses a rule's options (already checked by configuration) into its type; the default when
/// there are none.
pub fn parse<T: DeserializeOwned + Default>(options: Option<&serde_json::Value>) -> T {
    options
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

/// The field names of a derived struct: serde passes them to `deserialize_struct`, which a
/// deserializer that reads nothing can record.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe<'a>(&'a mut &'static [&'static str]);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("field names recorded")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            *self.0 = fields;
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Opts {
        min_instances: u32,
        label: String,
    }

    #[test]
    fn names_and_types_come_from_the_type() {
        let spec = OptionsSpec::of::<Opts>();
        assert_eq!(spec.fields, ["min_instances", "label"]);
        assert!(spec.check(&serde_json::json!({"min_instances": 3})).is_ok());
        let e = spec
            .check(&serde_json::json!({"min_instances": "three"}))
            .unwrap_err();
        assert!(
            e.contains("invalid type: string \"three\", expected u32"),
            "{e}"
        );
        assert!(spec.check(&serde_json::json!({"nope": 1})).is_err());
        let o: Opts = parse(Some(&serde_json::json!({"label": "x"})));
        assert_eq!((o.min_instances, o.label.as_str()), (0, "x"));
        assert!(OptionsSpec::NONE.fields.is_empty());
    }
}
