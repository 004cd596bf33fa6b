//! Java and Kotlin: methods annotated `@FunctionName("name")` with a parameter annotated
//! `@HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.X,
//! route = "...")`, read with the tokenizer of the Node.js reader.
//!
//! Defaults are the annotation's own (`azure-functions-java-library`, `HttpTrigger`):
//! `authLevel() default AuthorizationLevel.FUNCTION`, `methods() default {}` (every method),
//! `route() default ""` (the function name). Only literal values are Known; a constant, a
//! concatenation or a Kotlin string template is Unknown.

use super::csharp::Read;
use super::node::{Tok, Token, matching, split_top_level, tokenize};
use crate::model::{AuthLevel, HttpFunction, ProgModel, Val};
use crate::source::{FileId, Span};

/// Reads one Java (`kotlin == false`) or Kotlin file.
pub fn read(source: &str, file: FileId, kotlin: bool) -> Read {
    let (toks, clean) = tokenize(source);
    let mut out = Read {
        functions: Vec::new(),
        clean,
    };
    let sp = |a: usize, b: usize| Span::new(file, toks[a].start..toks[b - 1].end);
    let string = |k: usize| match &toks[k].tok {
        // A Kotlin `$name` template is not a literal.
        Tok::Str(Some(s)) if !(kotlin && s.contains('$')) => Some(s.to_string()),
        _ => None,
    };
    let mut name: Option<Val<String>> = None;
    let mut i = 0;
    while i + 2 < toks.len() {
        let annotation = toks[i].tok == Tok::Punct('@');
        let Tok::Ident(a) = toks[i + 1].tok else {
            i += 1;
            continue;
        };
        if !annotation || toks[i + 2].tok != Tok::Punct('(') {
            i += 1;
            continue;
        }
        let open = i + 2;
        let Some(close) = matching(&toks, open) else {
            out.clean = false;
            break;
        };
        match a {
            "FunctionName" => {
                let args = split_top_level(&toks, open + 1, close);
                name = args.first().map(|&(x, y)| {
                    // `@FunctionName("n")` or `@FunctionName(value = "n")`.
                    let v = if y > x + 2 && toks[x + 1].tok == Tok::Punct('=') {
                        x + 2
                    } else {
                        x
                    };
                    match (y == v + 1).then(|| string(v)).flatten() {
                        Some(s) => Val::known(s, sp(v, y)),
                        None => Val::unknown(Some(sp(x, y))),
                    }
                });
            }
            "HttpTrigger" => {
                let call = Span::new(file, toks[i].start..toks[close].end);
                let mut f = HttpFunction {
                    name: name.take().unwrap_or_else(|| Val::unknown(Some(call))),
                    route: Val::absent(),
                    auth_level: Val::absent(),
                    methods: Val::absent(),
                    span: call,
                    model: ProgModel::Java,
                };
                for (x, y) in split_top_level(&toks, open + 1, close) {
                    if y < x + 3 || toks[x + 1].tok != Tok::Punct('=') {
                        continue;
                    }
                    let Tok::Ident(key) = toks[x].tok else {
                        continue;
                    };
                    let (va, vb) = (x + 2, y);
                    let vspan = sp(va, vb);
                    match key {
                        "route" => {
                            f.route = match (vb == va + 1).then(|| string(va)).flatten() {
                                // `route = ""` is the annotation's default: the function name.
                                Some(r) if r.is_empty() => Val::absent(),
                                Some(r) => Val::known(r, vspan),
                                None => Val::unknown(Some(vspan)),
                            }
                        }
                        "authLevel" => {
                            f.auth_level = last_ident(&toks[va..vb])
                                .and_then(AuthLevel::parse)
                                .map_or_else(|| Val::unknown(Some(vspan)), |l| Val::known(l, vspan))
                        }
                        "methods" => {
                            f.methods = methods(&toks, va, vb)
                                .map_or_else(|| Val::unknown(Some(vspan)), |m| Val::known(m, vspan))
                        }
                        _ => {}
                    }
                }
                out.functions.push(f);
            }
            _ => {}
        }
        i = open;
    }
    out
}

/// `AuthorizationLevel.ANONYMOUS` or a statically imported `ANONYMOUS`: the last identifier of
/// a dotted name (`None` for anything else).
fn last_ident<'s>(toks: &[Token<'s>]) -> Option<&'s str> {
    let mut last = None;
    for (k, t) in toks.iter().enumerate() {
        match (&t.tok, k % 2) {
            (Tok::Ident(s), 0) => last = Some(*s),
            (Tok::Punct('.'), 1) => {}
            _ => return None,
        }
    }
    last
}

/// `{HttpMethod.GET, HttpMethod.POST}`, `[...]` (Kotlin), a single `HttpMethod.GET`, or
/// strings (`{"get"}`): upper-cased. `None` for anything else.
fn methods(toks: &[Token<'_>], a: usize, b: usize) -> Option<Vec<String>> {
    let braced = matches!(toks[a].tok, Tok::Punct('{' | '['));
    let (ia, ib) = if braced {
        if matching(toks, a) != Some(b - 1) {
            return None;
        }
        (a + 1, b - 1)
    } else {
        (a, b)
    };
    let mut out = Vec::new();
    for (x, y) in split_top_level(toks, ia, ib) {
        if y <= x {
            continue;
        }
        let m = match (&toks[x].tok, y == x + 1) {
            (Tok::Str(Some(s)), true) => s.to_string(),
            _ => last_ident(&toks[x..y])?.to_string(),
        };
        out.push(m.to_ascii_uppercase());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAVA: &str = r#"
package fn;

public class Functions {
    @FunctionName("health")
    public HttpResponseMessage health(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS, route = "health")
            HttpRequestMessage<Optional<String>> request) {
        return request.createResponseBuilder(HttpStatus.OK).body("""
            ok
            """).build();
    }

    @FunctionName(value = "items")
    public String items(@HttpTrigger(name = "req", route = ROUTE) String body) {
        return "a/b";
    }

    @FunctionName("all")
    public String all(@HttpTrigger(name = "req", methods = {}, route = "") String body) {
        return "";
    }
}
"#;

    #[test]
    fn annotations_defaults_and_unknowns() {
        let r = read(JAVA, FileId(0), false);
        assert!(r.clean);
        assert_eq!(r.functions.len(), 3);
        let h = &r.functions[0];
        assert_eq!(h.effective_route(), Some("health"));
        assert_eq!(h.effective_auth(), Some(AuthLevel::Anonymous));
        assert_eq!(h.allows("GET"), Some(true));
        assert_eq!(h.allows("POST"), Some(false));
        let span = h.auth_level.span.unwrap();
        assert_eq!(&JAVA[span.range()], "AuthorizationLevel.ANONYMOUS");
        let i = &r.functions[1];
        assert_eq!(i.name.get().map(String::as_str), Some("items"));
        assert_eq!(i.effective_route(), None);
        assert_eq!(i.effective_auth(), Some(AuthLevel::Function));
        assert_eq!(i.allows("DELETE"), Some(true));
        let a = &r.functions[2];
        assert_eq!(a.effective_route(), Some("all"));
        assert_eq!(a.allows("PATCH"), Some(true));
    }

    #[test]
    fn kotlin_arrays_and_templates() {
        let kt = r#"
@FunctionName("ping")
fun ping(@HttpTrigger(name = "req", methods = [HttpMethod.POST], route = "p/$v") req: String) = ""
"#;
        let r = read(kt, FileId(0), true);
        let p = &r.functions[0];
        assert_eq!(p.allows("POST"), Some(true));
        assert_eq!(p.allows("GET"), Some(false));
        assert_eq!(p.effective_route(), None);
        for src in [
            "@HttpTrigger(",
            "@FunctionName(\"a",
            "\"\"\"",
            "@",
            "@HttpTrigger(route =",
        ] {
            let _ = read(src, FileId(0), false);
        }
        assert!(!read("@HttpTrigger(name = \"x\"", FileId(0), false).clean);
    }
}
