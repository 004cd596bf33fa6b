//! `host.json` and `function.json`.

use crate::frontend::arm::json::{self, JKind, JNode};
use crate::model::{AuthLevel, HostSettings, HttpFunction, ProgModel, Val};
use crate::source::{FileId, Span};

/// A string value: Known when a string, Absent when missing or `null`, Unknown otherwise
/// (an app setting reference such as `%ROUTE%` stays a Known string; the runtime resolves it,
/// so the caller treats `%` forms as Unknown).
fn string(v: Option<&JNode>) -> Val<String> {
    match v {
        None => Val::absent(),
        Some(n) => match &n.kind {
            JKind::Null => Val::absent(),
            JKind::Str(s) if s.contains('%') => Val::unknown(Some(n.span)),
            JKind::Str(s) => Val::known(s.to_string(), n.span),
            _ => Val::unknown(Some(n.span)),
        },
    }
}

/// Reads `host.json`; `Err` is the JSON error.
pub fn host_json(text: &str, file: FileId) -> Result<HostSettings, json::JsonError> {
    let doc = json::parse(text, file)?;
    let root = &doc.root;
    let version = string(root.get("version"));
    // 2.x nests `http` under `extensions`; 1.x (no version) has it at the top. Another
    // version, or one not known before deployment, leaves the prefix Unknown.
    let route_prefix = match version.get() {
        Some(v) if v.starts_with('2') => string(
            root.get("extensions")
                .and_then(|e| e.get("http"))
                .and_then(|h| h.get("routePrefix")),
        ),
        None if version.is_absent() => string(root.get("http").and_then(|h| h.get("routePrefix"))),
        _ => Val::unknown(version.span),
    };
    let function_timeout = match root.get("functionTimeout") {
        Some(n) if matches!(n.kind, JKind::Number(_)) => {
            // `-1` may be written as a number.
            match &n.kind {
                JKind::Number(s) => Val::known(s.to_string(), n.span),
                _ => Val::unknown(Some(n.span)),
            }
        }
        other => string(other),
    };
    Ok(HostSettings {
        span: Span::new(file, 0..0),
        version,
        route_prefix,
        function_timeout,
    })
}

/// Parses a methods array (upper-cased); Unknown when not an array of strings.
fn methods(v: Option<&JNode>) -> Val<Vec<String>> {
    match v {
        None => Val::absent(),
        Some(n) => match &n.kind {
            JKind::Null => Val::absent(),
            JKind::Array(items) => {
                let mut out = Vec::new();
                for i in items {
                    match &i.kind {
                        JKind::Str(s) => out.push(s.trim().to_ascii_uppercase()),
                        _ => return Val::unknown(Some(n.span)),
                    }
                }
                Val::known(out, n.span)
            }
            _ => Val::unknown(Some(n.span)),
        },
    }
}

/// An auth level value: Known when a recognised word, Unknown otherwise.
pub fn auth(v: Option<&JNode>) -> Val<AuthLevel> {
    let s = string(v);
    match (&s.get(), s.is_absent()) {
        (_, true) => Val::absent(),
        (Some(w), _) => match AuthLevel::parse(w) {
            Some(a) => Val::known(a, s.span.unwrap_or_default()),
            None => Val::unknown(s.span),
        },
        (None, _) => Val::unknown(s.span),
    }
}

/// Reads a `function.json`: the HTTP trigger binding, if any. `name` is the function's
/// directory name. `Err` is the JSON error.
pub fn function_json(
    text: &str,
    file: FileId,
    name: &str,
    name_span: Span,
) -> Result<Option<HttpFunction>, json::JsonError> {
    let doc = json::parse(text, file)?;
    if doc.root.get("disabled").and_then(JNode::as_bool) == Some(true) {
        return Ok(None);
    }
    let Some(bindings) = doc.root.get("bindings").and_then(JNode::as_array) else {
        return Ok(None);
    };
    let trigger = bindings.iter().find(|b| {
        b.get("type")
            .and_then(JNode::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("httpTrigger"))
    });
    Ok(trigger.map(|b| HttpFunction {
        name: Val::known(name.to_string(), name_span),
        route: string(b.get("route")),
        auth_level: auth(b.get("authLevel")),
        methods: methods(b.get("methods")),
        span: b.span,
        model: ProgModel::FunctionJson,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_versions_and_prefix() {
        let h = host_json(
            r#"{"version":"2.0","extensions":{"http":{"routePrefix":""}},"functionTimeout":"00:10:00"}"#,
            FileId(0),
        )
        .unwrap();
        assert_eq!(h.effective_prefix().as_deref(), Some(""));
        assert_eq!(
            h.function_timeout.get().map(String::as_str),
            Some("00:10:00")
        );
        let h = host_json(r#"{"version":"2.0"}"#, FileId(0)).unwrap();
        assert_eq!(h.effective_prefix().as_deref(), Some("api"));
        let h = host_json(r#"{"http":{"routePrefix":"x"}}"#, FileId(0)).unwrap();
        assert_eq!(h.effective_prefix().as_deref(), Some("x"));
        let h = host_json(r#"{"version":"3.0"}"#, FileId(0)).unwrap();
        assert_eq!(h.effective_prefix(), None);
        let h = host_json(
            r#"{"version":"2.0","extensions":{"http":{"routePrefix":"%P%"}}}"#,
            FileId(0),
        )
        .unwrap();
        assert_eq!(h.effective_prefix(), None);
    }

    #[test]
    fn function_json_http_trigger() {
        let sp = Span::new(FileId(0), 0..1);
        let f = function_json(
            r#"{"bindings":[{"type":"httpTrigger","authLevel":"Function","methods":["get"],"route":"health"},{"type":"http"}]}"#,
            FileId(0),
            "Health",
            sp,
        )
        .unwrap()
        .unwrap();
        assert_eq!(f.effective_auth(), Some(AuthLevel::Function));
        assert_eq!(f.effective_route(), Some("health"));
        assert_eq!(f.allows("GET"), Some(true));
        assert_eq!(f.allows("POST"), Some(false));
        let none = function_json(
            r#"{"bindings":[{"type":"queueTrigger"}]}"#,
            FileId(0),
            "q",
            sp,
        )
        .unwrap();
        assert!(none.is_none());
        let f = function_json(
            r#"{"bindings":[{"type":"httpTrigger","authLevel":"system"}]}"#,
            FileId(0),
            "x",
            sp,
        )
        .unwrap()
        .unwrap();
        assert_eq!(f.effective_auth(), None);
        assert_eq!(f.effective_route(), Some("x"));
    }
}
