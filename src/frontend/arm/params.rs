//! ARM parameter files: `{"parameters": {"x": {"value": ...}}}` (also the form Bicep's
//! `.bicepparam` compiles to), and the bare `{"x": {"value": ...}}` the Azure CLI accepts.
//!
//! A Key Vault `reference` is resolved only at deployment: Unknown. A string that looks like an
//! expression (`"[...]"`, or the `"[[..."` escape) is Unknown too, because whether and how
//! Azure evaluates it depends on the deployment, and we never invent a Known value.

use super::expr::is_expression;
use super::json::{self, JKind, JNode, JsonError};
use super::value::AVal;
use crate::source::{FileId, Span};

/// One parameter value: the name as written, the value, and the span of the `value` (or
/// `reference`) node it came from.
pub type ParamValue = (String, AVal, Span);

/// Parses `text` as a parameter file. An error when it is not JSONC or has no parameters
/// object.
pub fn load(text: &str, file: FileId) -> Result<Vec<ParamValue>, JsonError> {
    let doc = json::parse(text, file)?;
    from_root(&doc.root).ok_or_else(|| JsonError {
        message: "not an ARM parameter file: expected a \"parameters\" object".to_string(),
        span: doc.root.span,
    })
}

/// The parameter values of a parsed parameter file, or `None` when it does not look like one.
pub fn from_root(root: &JNode) -> Option<Vec<ParamValue>> {
    let params = match root.get("parameters") {
        Some(p) => p.as_object()?,
        None => {
            // The bare form: every property is an object with `value` or `reference`.
            let props = root.as_object()?;
            let bare = !props.is_empty()
                && props
                    .iter()
                    .all(|p| p.value.get("value").is_some() || p.value.get("reference").is_some());
            if !bare {
                return None;
            }
            props
        }
    };
    let mut out = Vec::with_capacity(params.len());
    for p in params {
        let entry = &p.value;
        let (value, span) = if let Some(v) = entry.get("value") {
            (literal(v), v.span)
        } else if let Some(r) = entry.get("reference") {
            (AVal::unknown(), r.span)
        } else {
            // Neither: ARM would reject it; claim nothing about the value.
            (AVal::unknown(), entry.span)
        };
        out.push((p.key.clone(), value, span));
    }
    Some(out)
}

/// A parameter file value as [`AVal`], with expression-looking strings made Unknown.
fn literal(n: &JNode) -> AVal {
    match &n.kind {
        JKind::Str(s) if is_expression(s) || (s.starts_with("[[") && s.ends_with(']')) => {
            AVal::unknown()
        }
        JKind::Array(a) => AVal::Array(a.iter().map(literal).collect()),
        JKind::Object(o) => AVal::Object(
            o.iter()
                .map(|p| (p.key.clone(), literal(&p.value)))
                .collect(),
        ),
        _ => AVal::from_json(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "appName": { "value": "fn-prod" },
    "timeout": { "value": 60 },
    "flags": { "value": [true, "[x]", { "k": "v" }] },
    // Secrets come from Key Vault at deployment.
    "cert": {
      "reference": {
        "keyVault": { "id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv" },
        "secretName": "cert",
      }
    },
    "expr": { "value": "[resourceGroup().location]" },
    "empty": { "metadata": {} },
  }
}"#;

    #[test]
    fn loads_values_references_and_spans() {
        let v = load(FILE, FileId(2)).unwrap();
        let names: Vec<&str> = v.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["appName", "timeout", "flags", "cert", "expr", "empty"]
        );
        assert_eq!(v[0].1, AVal::Str("fn-prod".into()));
        assert_eq!(&FILE[v[0].2.range()], "\"fn-prod\"");
        assert_eq!(v[0].2.file, FileId(2));
        assert_eq!(v[1].1, AVal::Int(60));
        assert_eq!(&FILE[v[1].2.range()], "60");
        assert_eq!(
            v[2].1,
            AVal::Array(vec![
                AVal::Bool(true),
                AVal::unknown(),
                AVal::Object(vec![("k".into(), AVal::Str("v".into()))]),
            ])
        );
        assert_eq!(v[3].1, AVal::unknown());
        assert!(FILE[v[3].2.range()].starts_with("{\n        \"keyVault\""));
        assert_eq!(v[4].1, AVal::unknown());
        assert_eq!(v[5].1, AVal::unknown());
    }

    #[test]
    fn bare_form_and_case() {
        let text = r#"{"a": {"Value": "x"}, "b": {"value": null}}"#;
        let v = load(text, FileId(0)).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].1, AVal::Str("x".into()));
        assert_eq!(v[1].1, AVal::Null);
        let text = r#"{"Parameters": {"a": {"value": "[[literal]"}}}"#;
        let v = load(text, FileId(0)).unwrap();
        assert_eq!(v[0].1, AVal::unknown());
    }

    #[test]
    fn not_a_parameter_file() {
        let e = load(r#"{"resources": []}"#, FileId(0)).unwrap_err();
        assert!(e.message.contains("not an ARM parameter file"));
        assert!(load(r#"{"parameters": 1}"#, FileId(0)).is_err());
        assert!(load("[]", FileId(0)).is_err());
        assert_eq!(load("", FileId(0)).unwrap_err().message, "empty file");
        assert!(load("{\"parameters\": {", FileId(0)).is_err());
        // An empty parameters object is a valid (empty) file.
        assert_eq!(load(r#"{"parameters": {}}"#, FileId(0)).unwrap(), vec![]);
    }
}
