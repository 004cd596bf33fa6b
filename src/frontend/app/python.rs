//! Python v2 programming model: functions decorated with `@app.route(...)` on a
//! `func.FunctionApp(http_auth_level=...)` or `func.Blueprint(...)`, read with the tree-sitter
//! Python grammar.

use std::collections::HashMap;

use tree_sitter::{Node, Parser};

use super::csharp::Read;
use crate::model::{AuthLevel, HttpFunction, ProgModel, Val};
use crate::source::{FileId, Span};

/// Reads one Python file. `None` when the grammar cannot be loaded.
pub fn read(source: &str, file: FileId) -> Option<Read> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .ok()?;
    let tree = parser.parse(source, None)?;
    let root = tree.root_node();
    let src = source.as_bytes();
    // `app = func.FunctionApp(http_auth_level=...)`: the app-wide level per variable.
    let mut apps: HashMap<String, Val<AuthLevel>> = HashMap::new();
    let mut decorated = Vec::new();
    // An ASGI/WSGI app (one catch-all HTTP function) or a `generic_trigger` that may be HTTP:
    // HTTP functions this reader does not model.
    let mut unmodelled = false;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "assignment" => {
                if let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) && l.kind() == "identifier"
                    && r.kind() == "call"
                {
                    let callee = r
                        .child_by_field_name("function")
                        .map_or("", |f| text(f, src));
                    let last = callee.rsplit('.').next().unwrap_or("");
                    if matches!(
                        last,
                        "FunctionApp" | "Blueprint" | "AsgiFunctionApp" | "WsgiFunctionApp"
                    ) {
                        let level = kwarg(r, "http_auth_level", src)
                            .map_or_else(Val::absent, |v| level_of(v, src, file));
                        apps.insert(text(l, src).to_string(), level);
                    }
                }
            }
            "decorated_definition" => decorated.push(n),
            "call" => {
                let callee = n
                    .child_by_field_name("function")
                    .map_or("", |f| text(f, src));
                let last = callee.rsplit('.').next().unwrap_or("");
                if matches!(last, "AsgiFunctionApp" | "WsgiFunctionApp") {
                    unmodelled = true;
                }
                if last == "generic_trigger" {
                    // `type="httpTrigger"` (any case) or a type not written as a literal.
                    let http = kwarg(n, "type", src).is_none_or(|t| {
                        string(t, src).is_none_or(|v| v.eq_ignore_ascii_case("httpTrigger"))
                    });
                    unmodelled |= http;
                }
            }
            _ => {}
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    let mut out = Read {
        functions: Vec::new(),
        clean: !root.has_error() && !unmodelled,
    };
    for d in decorated {
        if let Some(f) = function(d, &apps, src, file) {
            out.functions.push(f);
        }
    }
    out.functions.sort_by_key(|f| f.span.start);
    Some(out)
}

fn span(n: Node<'_>, file: FileId) -> Span {
    Span::new(file, n.start_byte()..n.end_byte())
}

fn text<'a>(n: Node<'_>, src: &'a [u8]) -> &'a str {
    n.utf8_text(src).unwrap_or("")
}

/// A keyword argument's value in a call.
fn kwarg<'t>(call: Node<'t>, name: &str, src: &[u8]) -> Option<Node<'t>> {
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|a| a.kind() == "keyword_argument")
        .find(|a| {
            a.child_by_field_name("name")
                .is_some_and(|n| text(n, src) == name)
        })
        .and_then(|a| a.child_by_field_name("value"))
}

/// The `i`-th positional argument of a call.
fn positional<'t>(call: Node<'t>, i: usize) -> Option<Node<'t>> {
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|a| !matches!(a.kind(), "keyword_argument" | "comment"))
        .nth(i)
}

/// A plain string literal's value (no f-string, no concatenation).
fn string(n: Node<'_>, src: &[u8]) -> Option<String> {
    if n.kind() != "string" {
        return None;
    }
    let t = text(n, src);
    if t.starts_with(['f', 'F', 'b', 'B']) || t.contains('{') && t.starts_with(['f', 'F']) {
        return None;
    }
    let t = t.trim_start_matches(['r', 'R', 'u', 'U']);
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = t.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return (!inner.contains('\\')).then(|| inner.to_string());
        }
    }
    None
}

/// `func.AuthLevel.ANONYMOUS`, `AuthLevel.FUNCTION` or `"anonymous"`.
fn level_of(v: Node<'_>, src: &[u8], file: FileId) -> Val<AuthLevel> {
    let sp = span(v, file);
    let word = match v.kind() {
        "attribute" if text(v, src).contains("AuthLevel") => {
            Some(text(v, src).rsplit('.').next().unwrap_or("").to_string())
        }
        "string" => string(v, src),
        "none" => return Val::absent(),
        _ => None,
    };
    word.and_then(|w| AuthLevel::parse(&w))
        .map_or_else(|| Val::unknown(Some(sp)), |l| Val::known(l, sp))
}

fn function(
    d: Node<'_>,
    apps: &HashMap<String, Val<AuthLevel>>,
    src: &[u8],
    file: FileId,
) -> Option<HttpFunction> {
    let def = d.child_by_field_name("definition")?;
    if def.kind() != "function_definition" {
        return None;
    }
    let mut route_call = None;
    let mut name: Option<Val<String>> = None;
    let mut c = d.walk();
    for dec in d.named_children(&mut c).filter(|x| x.kind() == "decorator") {
        let mut c2 = dec.walk();
        let Some(call) = dec.named_children(&mut c2).find(|x| x.kind() == "call") else {
            continue;
        };
        let Some(callee) = call.child_by_field_name("function") else {
            continue;
        };
        if callee.kind() != "attribute" {
            continue;
        }
        let method = callee
            .child_by_field_name("attribute")
            .map_or("", |a| text(a, src));
        let object = callee
            .child_by_field_name("object")
            .map_or("", |o| text(o, src));
        match method {
            "route" => route_call = Some((call, object.to_string())),
            "function_name" => {
                let v = kwarg(call, "name", src).or_else(|| positional(call, 0));
                name = v.map(|v| {
                    string(v, src).map_or_else(
                        || Val::unknown(Some(span(v, file))),
                        |s| Val::known(s, span(v, file)),
                    )
                });
            }
            _ => {}
        }
    }
    let (call, object) = route_call?;
    let name = name.unwrap_or_else(|| {
        let n = def.child_by_field_name("name");
        n.map_or_else(
            || Val::unknown(Some(span(def, file))),
            |n| Val::known(text(n, src).to_string(), span(n, file)),
        )
    });
    let route = match kwarg(call, "route", src).or_else(|| positional(call, 0)) {
        None => Val::absent(),
        Some(v) if v.kind() == "none" => Val::absent(),
        Some(v) => string(v, src).map_or_else(
            || Val::unknown(Some(span(v, file))),
            |s| Val::known(s, span(v, file)),
        ),
    };
    let auth = match kwarg(call, "auth_level", src) {
        Some(v) => level_of(v, src, file),
        // The app-wide level applies; an app object defined elsewhere is Unknown.
        None => match apps.get(&object) {
            Some(l) => l.clone(),
            None => Val::unknown(Some(span(call, file))),
        },
    };
    let methods = match kwarg(call, "methods", src) {
        None => Val::absent(),
        Some(v) if v.kind() == "none" => Val::absent(),
        Some(v) if v.kind() == "list" || v.kind() == "tuple" => {
            let mut out = Vec::new();
            let mut ok = true;
            let mut c3 = v.walk();
            for e in v.named_children(&mut c3) {
                match e.kind() {
                    "string" => match string(e, src) {
                        Some(s) => out.push(s.to_ascii_uppercase()),
                        None => ok = false,
                    },
                    "attribute" if text(e, src).contains("HttpMethod") => out.push(
                        text(e, src)
                            .rsplit('.')
                            .next()
                            .unwrap_or("")
                            .to_ascii_uppercase(),
                    ),
                    _ => ok = false,
                }
            }
            if ok {
                Val::known(out, span(v, file))
            } else {
                Val::unknown(Some(span(v, file)))
            }
        }
        Some(v) => Val::unknown(Some(span(v, file))),
    };
    Some(HttpFunction {
        name,
        route,
        auth_level: auth,
        methods,
        span: span(call, file),
        model: ProgModel::Python,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = r#"
import azure.functions as func
app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)

@app.route(route="health", auth_level=func.AuthLevel.ANONYMOUS, methods=["GET"])
def health(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("ok")

@app.function_name(name="Items")
@app.route(route="items/{id}")
def items(req):
    return None

@bp.route()
def elsewhere(req):
    return None
"#;

    #[test]
    fn routes_levels_and_app_defaults() {
        let r = read(APP, FileId(0)).unwrap();
        assert!(r.clean);
        assert_eq!(r.functions.len(), 3);
        let h = &r.functions[0];
        assert_eq!(h.effective_route(), Some("health"));
        assert_eq!(h.effective_auth(), Some(AuthLevel::Anonymous));
        assert_eq!(h.allows("POST"), Some(false));
        let i = &r.functions[1];
        assert_eq!(i.name.get().map(String::as_str), Some("Items"));
        assert_eq!(i.effective_auth(), Some(AuthLevel::Function));
        let span = i.auth_level.span.unwrap();
        assert_eq!(&APP[span.range()], "func.AuthLevel.FUNCTION");
        let e = &r.functions[2];
        assert_eq!(e.effective_route(), Some("elsewhere"));
        assert_eq!(e.effective_auth(), None);
    }

    #[test]
    fn app_without_level_defaults_to_function() {
        let src = "import azure.functions as func\napp = func.FunctionApp()\n@app.route(route='h')\ndef h(req):\n    pass\n";
        let r = read(src, FileId(0)).unwrap();
        assert_eq!(r.functions[0].effective_auth(), Some(AuthLevel::Function));
        assert!(r.functions[0].auth_level.is_absent());
    }

    #[test]
    fn asgi_apps_and_http_generic_triggers_are_not_clean() {
        let asgi = "import azure.functions as func\napp = func.AsgiFunctionApp(app=fast, http_auth_level=func.AuthLevel.ANONYMOUS)\n";
        assert!(!read(asgi, FileId(0)).unwrap().clean);
        let generic = "@app.generic_trigger(arg_name='req', type='httpTrigger', route='x')\ndef g(req):\n    pass\n";
        assert!(!read(generic, FileId(0)).unwrap().clean);
        let timer = "@app.generic_trigger(arg_name='t', type='timerTrigger', schedule='0 * * * * *')\ndef t(t):\n    pass\n";
        assert!(read(timer, FileId(0)).unwrap().clean);
    }
}
