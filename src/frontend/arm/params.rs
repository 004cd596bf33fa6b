//! ARM parameter files: `{"parameters": {"x": {"value": ...}}}` (also the form Bicep's
//! `.bicepparam` compiles to), and the bare `{"x": {"value": ...}}` the Azure CLI accepts.
//!
//! A Key Vault `reference` is resolved only at deployment: Unknown. A string that looks like an
//! expression (`"[...]"`, or the `"[[..."` escape) is Unknown too, because whether and how
//! Azure evaluates it depends on the deployment, and we never invent a Known value.

use std::path::Path;

use super::expr::is_expression;
use super::json::{self, JKind, JNode, JsonError};
use super::value::AVal;
use crate::discover::MAX_FILE_BYTES;
use crate::model::{Partial, Why};
use crate::source::{FileId, PathOrigin, ReadFile, Refusal, SourceMap, Span};

/// One parameter value: the name as written, the value, and the span of the `value` (or
/// `reference`) node it came from.
pub type ParamValue = (String, AVal, Span);

/// Why a parameter file gave no values.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// Not JSONC: an AGW000 finding at the position.
    Syntax(JsonError),
    /// Valid JSON that is not a parameter file (a deployment template passed by mistake, or
    /// JSON without a `parameters` object): a usage error, the run exits 2.
    NotParameterFile(String),
}

/// Why a parameter file gave no text.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// The message of a usage error (exit 2): a file agwlint was told to apply must not be
    /// silently skipped.
    Usage(String),
    /// A path from repository content (beside the template, a configuration mapping) that
    /// points outside the scan root or at a special file: not read (AGW901).
    Refused(Refusal),
}

/// Reads the text of a parameter file named by `--parameters` ([`PathOrigin::CommandLine`]), a
/// `parameters:` mapping of the configuration, or found beside a template
/// ([`PathOrigin::Content`], confined to the scan root), naming the file as `shown` in errors.
pub fn read_file(
    path: &Path,
    shown: &str,
    sources: &SourceMap,
    origin: PathOrigin,
) -> Result<(String, ReadFile), ReadError> {
    let read = match sources.read_confined(path, origin, MAX_FILE_BYTES) {
        Ok(r) => r,
        Err(r) if r.is_confinement() => return Err(ReadError::Refused(r)),
        Err(Refusal::TooLarge(_)) => {
            return Err(ReadError::Usage(format!(
                "parameter file {shown} is larger than the {} MiB limit",
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
        Err(_) => {
            // The message of the error itself (std's words, as before).
            let why = std::fs::File::open(path)
                .err()
                .map_or_else(|| "not readable".to_string(), |e| e.to_string());
            return Err(ReadError::Usage(format!(
                "cannot read parameter file {shown}: {why}"
            )));
        }
    };
    match String::from_utf8(read.bytes.clone()) {
        Ok(t) => Ok((t, read)),
        Err(_) => Err(ReadError::Usage(format!(
            "parameter file {shown} is not UTF-8 text"
        ))),
    }
}

/// Parses `text` as a parameter file: its values, a syntax error, or the reason it is not a
/// parameter file.
pub fn load(text: &str, file: FileId) -> Result<Vec<ParamValue>, LoadError> {
    let doc = json::parse(text, file).map_err(LoadError::Syntax)?;
    if is_deployment_template(&doc.root) {
        return Err(LoadError::NotParameterFile(
            "is a deployment template, not a parameter file".to_string(),
        ));
    }
    from_root(&doc.root).ok_or_else(|| {
        LoadError::NotParameterFile(
            "is not an ARM parameter file: expected a \"parameters\" object of `value`s"
                .to_string(),
        )
    })
}

/// A deployment template (by `$schema`, or `resources` beside `contentVersion`): its
/// `parameters` are declarations, not values.
fn is_deployment_template(root: &JNode) -> bool {
    let schema = root
        .get("$schema")
        .and_then(JNode::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("deploymenttemplate"));
    schema || root.get("resources").is_some()
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
            let why = format!(
                "parameter `{}` is a Key Vault reference, resolved at deployment",
                p.key
            );
            (unknown_because(why, r.span), r.span)
        } else {
            // Neither: ARM would reject it; claim nothing about the value.
            let why = format!("parameter `{}` of the parameter file has no `value`", p.key);
            (unknown_because(why, entry.span), entry.span)
        };
        out.push((p.key.to_string(), value, span));
    }
    Some(out)
}

fn unknown_because(what: String, span: Span) -> AVal {
    AVal::Unknown(Box::new(Partial::because(Why::new(what, Some(span)))))
}

/// A parameter file value as [`AVal`], with expression-looking strings made Unknown.
fn literal(n: &JNode) -> AVal {
    match &n.kind {
        JKind::Str(s) if is_expression(s) || (s.starts_with("[[") && s.ends_with(']')) => {
            unknown_because(
                "an expression in a parameter file is evaluated at deployment".to_string(),
                n.span,
            )
        }
        JKind::Array(a) => AVal::Array(a.iter().map(literal).collect()),
        JKind::Object(o) => AVal::Object(
            o.iter()
                .map(|p| (p.key.to_string(), literal(&p.value)))
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
        let not = |t: &str| match load(t, FileId(0)) {
            Err(LoadError::NotParameterFile(m)) => m,
            other => panic!("{t}: {other:?}"),
        };
        assert!(not(r#"{"resources": []}"#).contains("deployment template"));
        let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "parameters": {"x": {"type": "string", "defaultValue": "a"}}}"#;
        assert!(not(template).contains("deployment template"));
        assert!(not(r#"{"parameters": 1}"#).contains("not an ARM parameter file"));
        assert!(not("[]").contains("not an ARM parameter file"));
        match load("", FileId(0)) {
            Err(LoadError::Syntax(e)) => assert_eq!(e.message, "empty file"),
            other => panic!("{other:?}"),
        }
        assert!(load("{\"parameters\": {", FileId(0)).is_err());
        // An empty parameters object is a valid (empty) file.
        assert_eq!(load(r#"{"parameters": {}}"#, FileId(0)).unwrap(), vec![]);
    }
}
