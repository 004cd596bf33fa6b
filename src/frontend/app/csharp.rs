//! C# class libraries (in-process `[FunctionName]`, isolated `[Function]`): methods with a
//! parameter attributed `[HttpTrigger(AuthorizationLevel.X, "get", Route = "...")]`, read
//! with the tree-sitter C# grammar.

use tree_sitter::{Node, Parser};

use crate::model::{AuthLevel, HttpFunction, ProgModel, Val};
use crate::source::{FileId, Span};

/// What one file declares: its HTTP functions, and whether the parse was clean.
pub struct Read {
    /// HTTP-triggered functions.
    pub functions: Vec<HttpFunction>,
    /// False when the file has syntax errors (the surface is then incomplete).
    pub clean: bool,
}

/// Reads one C# file. `None` when the grammar cannot be loaded.
pub fn read(source: &str, file: FileId) -> Option<Read> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_c_sharp::LANGUAGE.into())
        .ok()?;
    let tree = parser.parse(source, None)?;
    let root = tree.root_node();
    let mut out = Read {
        functions: Vec::new(),
        clean: !root.has_error(),
    };
    let src = source.as_bytes();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.kind() == "method_declaration" {
            if let Some(f) = method(n, src, file) {
                out.functions.push(f);
            }
            continue;
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
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

/// The attributes of a node's `attribute_list` children.
fn attributes<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut c = n.walk();
    for list in n.named_children(&mut c) {
        if list.kind() == "attribute_list" {
            let mut c2 = list.walk();
            out.extend(
                list.named_children(&mut c2)
                    .filter(|a| a.kind() == "attribute"),
            );
        }
    }
    out
}

/// The attribute's simple name without an `Attribute` suffix (`HttpTrigger`).
fn attr_name<'a>(a: Node<'_>, src: &'a [u8]) -> &'a str {
    let full = a.child_by_field_name("name").map_or("", |n| text(n, src));
    let last = full.rsplit('.').next().unwrap_or(full);
    last.strip_suffix("Attribute").unwrap_or(last)
}

/// `(name, value)` of each attribute argument; `name` is `None` for positional ones.
fn arguments<'t>(a: Node<'t>, src: &[u8]) -> Vec<(Option<String>, Node<'t>)> {
    let mut out = Vec::new();
    let mut c = a.walk();
    let Some(list) = a
        .named_children(&mut c)
        .find(|x| x.kind() == "attribute_argument_list")
    else {
        return out;
    };
    let mut c2 = list.walk();
    for arg in list.named_children(&mut c2) {
        if arg.kind() != "attribute_argument" {
            continue;
        }
        let name = arg
            .child_by_field_name("name")
            .map(|n| text(n, src).to_string());
        let mut c3 = arg.walk();
        let Some(value) = arg
            .named_children(&mut c3)
            .filter(|x| x.kind() != "identifier" || name.is_none())
            .last()
        else {
            continue;
        };
        // `Route = "x"` may also parse as an assignment expression.
        if name.is_none() && value.kind() == "assignment_expression" {
            let left = value
                .child_by_field_name("left")
                .map(|l| text(l, src).to_string());
            if let Some(right) = value.child_by_field_name("right") {
                out.push((left, right));
                continue;
            }
        }
        out.push((name, value));
    }
    out
}

/// A string literal's value; `None` for anything else (interpolation, constants).
fn string_value(n: Node<'_>, src: &[u8]) -> Option<String> {
    match n.kind() {
        "string_literal" => {
            let t = text(n, src);
            let inner = t.strip_prefix('"')?.strip_suffix('"')?;
            (!inner.contains('\\')).then(|| inner.to_string())
        }
        "verbatim_string_literal" => {
            let t = text(n, src);
            let inner = t.strip_prefix("@\"")?.strip_suffix('"')?;
            (!inner.contains('"')).then(|| inner.to_string())
        }
        _ => None,
    }
}

/// `[Function("Name")]` / `[FunctionName("Name")]`: the name (Unknown when computed), or
/// `None` when the method is not a function.
fn function_name(m: Node<'_>, src: &[u8], file: FileId) -> Option<Val<String>> {
    for a in attributes(m) {
        if matches!(attr_name(a, src), "Function" | "FunctionName") {
            let args = arguments(a, src);
            let first = args.iter().find(|(n, _)| n.is_none()).map(|(_, v)| *v);
            return Some(match first {
                Some(v) => match string_value(v, src) {
                    Some(s) => Val::known(s, span(v, file)),
                    None if v.kind() == "invocation_expression"
                        && text(v, src).starts_with("nameof(") =>
                    {
                        let t = text(v, src);
                        let inner = t
                            .trim_start_matches("nameof(")
                            .trim_end_matches(')')
                            .rsplit('.')
                            .next()
                            .unwrap_or("");
                        Val::known(inner.to_string(), span(v, file))
                    }
                    None => Val::unknown(Some(span(v, file))),
                },
                None => Val::unknown(Some(span(a, file))),
            });
        }
    }
    None
}

fn method(m: Node<'_>, src: &[u8], file: FileId) -> Option<HttpFunction> {
    let name = function_name(m, src, file)?;
    let params = m.child_by_field_name("parameters")?;
    let mut c = params.walk();
    for p in params.named_children(&mut c) {
        for a in attributes(p) {
            if attr_name(a, src) != "HttpTrigger" {
                continue;
            }
            return Some(trigger(a, name, src, file));
        }
    }
    None
}

fn trigger(a: Node<'_>, name: Val<String>, src: &[u8], file: FileId) -> HttpFunction {
    let mut auth = Val::absent();
    let mut methods: Vec<String> = Vec::new();
    let mut methods_span: Option<Span> = None;
    let mut methods_unknown = false;
    let mut route = Val::absent();
    for (n, v) in arguments(a, src) {
        let sp = span(v, file);
        match n.as_deref() {
            None => {
                if let Some(s) = string_value(v, src) {
                    methods.push(s.to_ascii_uppercase());
                    methods_span =
                        Some(methods_span.map_or(sp, |m: Span| Span { end: sp.end, ..m }));
                } else if v.kind() == "member_access_expression"
                    && text(v, src).contains("AuthorizationLevel")
                {
                    let level = text(v, src).rsplit('.').next().unwrap_or("");
                    auth = AuthLevel::parse(level)
                        .map_or_else(|| Val::unknown(Some(sp)), |l| Val::known(l, sp));
                } else if auth.is_absent() && methods.is_empty() {
                    // The first positional argument is the level; computed: Unknown.
                    auth = Val::unknown(Some(sp));
                } else {
                    methods_unknown = true;
                }
            }
            Some("Route") => {
                route = if v.kind() == "null_literal" {
                    Val::absent()
                } else {
                    string_value(v, src)
                        .map_or_else(|| Val::unknown(Some(sp)), |s| Val::known(s, sp))
                }
            }
            Some("AuthLevel") => {
                let level = text(v, src).rsplit('.').next().unwrap_or("");
                auth = AuthLevel::parse(level)
                    .map_or_else(|| Val::unknown(Some(sp)), |l| Val::known(l, sp));
            }
            Some("Methods") => methods_unknown = true,
            Some(_) => {}
        }
    }
    let methods = if methods_unknown {
        Val::unknown(methods_span.or(Some(span(a, file))))
    } else if methods.is_empty() {
        Val::absent()
    } else {
        Val::known_at(methods, methods_span)
    };
    HttpFunction {
        name,
        route,
        auth_level: auth,
        methods,
        span: span(a, file),
        model: ProgModel::CSharp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISOLATED: &str = r#"
using Microsoft.Azure.Functions.Worker;
public class Health {
    [Function("Health")]
    public HttpResponseData Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequestData req)
        => req.CreateResponse();

    [Function(nameof(Items))]
    public HttpResponseData Items([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = "items/{id:int}")] HttpRequestData req, int id)
        => req.CreateResponse();

    [Function("Queue")]
    public void Q([QueueTrigger("q")] string m) {}

    [FunctionName("Computed")]
    public static IActionResult C([HttpTriggerAttribute(Level, Route = Routes.X)] HttpRequest req) => null;
}
"#;

    #[test]
    fn isolated_and_in_process_triggers() {
        let r = read(ISOLATED, FileId(0)).unwrap();
        assert!(r.clean);
        assert_eq!(r.functions.len(), 3);
        let h = &r.functions[0];
        assert_eq!(h.name.get().map(String::as_str), Some("Health"));
        assert_eq!(h.effective_route(), Some("health"));
        assert_eq!(h.effective_auth(), Some(AuthLevel::Anonymous));
        assert_eq!(h.allows("GET"), Some(true));
        assert_eq!(h.allows("POST"), Some(false));
        let span = h.auth_level.span.unwrap();
        assert_eq!(&ISOLATED[span.range()], "AuthorizationLevel.Anonymous");
        let i = &r.functions[1];
        assert_eq!(i.name.get().map(String::as_str), Some("Items"));
        assert_eq!(i.effective_auth(), Some(AuthLevel::Function));
        assert_eq!(i.allows("POST"), Some(true));
        let c = &r.functions[2];
        assert_eq!(c.effective_auth(), None);
        assert_eq!(c.effective_route(), None);
    }

    #[test]
    fn no_level_written_is_the_default_and_errors_are_noted() {
        let src = r#"class A { [FunctionName("H")] public static void R([HttpTrigger("get")] HttpRequest r) {} }"#;
        let r = read(src, FileId(0)).unwrap();
        assert_eq!(r.functions[0].effective_auth(), Some(AuthLevel::Function));
        assert_eq!(r.functions[0].effective_route(), Some("H"));
        assert!(!read("class {", FileId(0)).unwrap().clean);
    }
}
