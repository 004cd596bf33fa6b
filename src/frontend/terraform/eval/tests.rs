use super::*;
use crate::frontend::terraform::value::RuntimeRef;
use crate::source::{FileId, Span};

struct TestScope {
    vars: Vec<(&'static str, TVal)>,
    locals: Vec<(&'static str, TVal)>,
    iters: Vec<(&'static str, TVal)>,
}

fn origin(label: &str) -> Origin {
    Origin {
        span: Span::new(FileId(0), 0..1),
        label: label.to_string(),
    }
}

impl Scope for TestScope {
    fn var(&self, name: &str) -> Option<(TVal, Option<Origin>)> {
        self.vars
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, v)| (v.clone(), Some(origin(&format!("var {n}")))))
    }
    fn local(&self, name: &str) -> Option<(TVal, Option<Origin>)> {
        self.locals
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, v)| (v.clone(), Some(origin(&format!("local {n}")))))
    }
    fn module_output(&self, module: &str, output: &str) -> Option<TVal> {
        match (module, output) {
            ("net", "subnet_ids") => Some(TVal::Map(vec![(
                "agw".into(),
                TVal::Runtime(
                    RuntimeRef::new("module.net.azurerm_subnet.agw", "azurerm_subnet").child("id"),
                ),
            )])),
            ("m[0]", "name") => Some("first".into()),
            _ => None,
        }
    }
    fn resource(&self, rtype: &str, name: &str) -> Option<TVal> {
        match (rtype, name) {
            ("azurerm_linux_function_app", "fn") => Some(TVal::Runtime(RuntimeRef::new(
                "azurerm_linux_function_app.fn",
                rtype,
            ))),
            ("azurerm_subnet", "s") => Some(TVal::List(vec![
                TVal::Runtime(RuntimeRef::new("azurerm_subnet.s[0]", rtype)),
                TVal::Runtime(RuntimeRef::new("azurerm_subnet.s[1]", rtype)),
            ])),
            ("azurerm_subnet", "m") => Some(TVal::Map(vec![(
                "k".into(),
                TVal::Runtime(RuntimeRef::new("azurerm_subnet.m[\"k\"]", rtype)),
            )])),
            _ => None,
        }
    }
    fn iterator(&self, name: &str) -> Option<TVal> {
        self.iters
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }
}

fn map(entries: &[(&str, TVal)]) -> TVal {
    TVal::Map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn list(items: &[TVal]) -> TVal {
    TVal::List(items.to_vec())
}

fn s(x: &str) -> TVal {
    TVal::Str(x.to_string())
}

fn n(x: f64) -> TVal {
    TVal::Number(x)
}

fn unk(prefix: &str, suffix: &str) -> TVal {
    TVal::Unknown(Partial {
        prefix: prefix.into(),
        suffix: suffix.into(),
        ..Partial::default()
    })
}

fn scope() -> TestScope {
    TestScope {
        vars: vec![
            ("name", s("app")),
            ("n", n(3.0)),
            ("flag", TVal::Bool(true)),
            ("tags", map(&[("env", s("prod")), ("team", s("net"))])),
            ("list", list(&[s("b"), s("a"), s("b")])),
            ("unk", TVal::unknown()),
            (
                "pools",
                list(&[
                    map(&[
                        ("name", s("p1")),
                        ("port", n(80.0)),
                        ("on", TVal::Bool(true)),
                    ]),
                    map(&[
                        ("name", s("p2")),
                        ("port", n(443.0)),
                        ("on", TVal::Bool(false)),
                    ]),
                ]),
            ),
            ("empty", s("")),
        ],
        locals: vec![("prefix", s("agw")), ("cfg", map(&[("a", n(1.0))]))],
        iters: vec![
            (
                "each",
                map(&[
                    ("key", s("k1")),
                    ("value", map(&[("host", s("h.example"))])),
                ]),
            ),
            ("count", map(&[("index", n(1.0))])),
            (
                "probe",
                map(&[("key", n(0.0)), ("value", map(&[("path", s("/health"))]))]),
            ),
        ],
    }
}

fn parse(src: &str) -> Expression {
    let body = hcl::edit::parser::parse_body(&format!("x = {src}\n"))
        .unwrap_or_else(|e| panic!("parse {src}: {e}"));
    body.get_attribute("x")
        .map(|a| a.value.clone())
        .unwrap_or_else(|| panic!("no x"))
}

fn ev(src: &str) -> TVal {
    eval(&parse(src), &scope()).value
}

#[track_caller]
fn check(src: &str, want: TVal) {
    assert_eq!(ev(src), want, "{src}");
}

#[track_caller]
fn unknown(src: &str) {
    let v = ev(src);
    assert!(
        matches!(v, TVal::Unknown(_)),
        "{src} should be Unknown, got {v:?}"
    );
}

#[test]
fn literals_and_collections() {
    check("null", TVal::Null);
    check("true", TVal::Bool(true));
    check("42", n(42.0));
    check("1.5", n(1.5));
    check(r#""a\nb""#, s("a\nb"));
    check(
        r#"[1, "x", [true]]"#,
        list(&[n(1.0), s("x"), list(&[TVal::Bool(true)])]),
    );
    check(
        r#"{ a = 1, "b-c" = 2 }"#,
        map(&[("a", n(1.0)), ("b-c", n(2.0))]),
    );
    check("{ (var.name) = 1 }", map(&[("app", n(1.0))]));
    check(
        r#"{ "${local.prefix}-x" = true }"#,
        map(&[("agw-x", TVal::Bool(true))]),
    );
    unknown("{ (var.unk) = 1 }");
    check("(((7)))", n(7.0));
}

#[test]
fn templates() {
    check(r#""${var.name}-${local.prefix}""#, s("app-agw"));
    check(r#""n=${var.n} f=${var.flag}""#, s("n=3 f=true"));
    check(r#""$${literal}""#, s("${literal}"));
    // A lone interpolation keeps the value's type.
    check(r#""${var.n}""#, n(3.0));
    check(
        r#""${var.tags}""#,
        map(&[("env", s("prod")), ("team", s("net"))]),
    );
    check(r#""%{if var.flag}on%{else}off%{endif}""#, s("on"));
    check(r#""%{if !var.flag}on%{else}off%{endif}""#, s("off"));
    check(r#""%{for p in var.pools}${p.name},%{endfor}""#, s("p1,p2,"));
    check(
        r#""%{for i, p in var.pools}${i}=${p.port} %{endfor}""#,
        s("0=80 1=443 "),
    );
    check(r#""a %{~ if true ~} b %{~ endif ~} c""#, s("abc"));
    check(r#""x ${~ var.name ~} y""#, s("xappy"));
    // Unknown directive keeps the known text around it.
    check(r#""pre-%{if var.unk}a%{endif}-post""#, unk("pre-", "-post"));
    check(r#""pre-%{for x in var.unk}a%{endfor}""#, unk("pre-", ""));
    // Null and collections cannot be interpolated.
    unknown(r#""a${null}""#);
    unknown(r#""a${var.list}""#);
}

#[test]
fn heredocs() {
    check(
        "<<EOT\nhello ${var.name}\n  two\nEOT",
        s("hello app\n  two\n"),
    );
    check(
        "<<-EOT\n    hello\n      ${var.name}\n    EOT",
        s("hello\n  app\n"),
    );
}

#[test]
fn partial_suffix() {
    check(
        r#""${var.unk}.azurewebsites.net""#,
        unk("", ".azurewebsites.net"),
    );
    check(
        r#""https://${azurerm_linux_function_app.fn.name}.azurewebsites.net/api""#,
        unk("https://", ".azurewebsites.net/api"),
    );
    check(
        r#"format("%s.azurewebsites.net", var.unk)"#,
        unk("", ".azurewebsites.net"),
    );
    check(
        r#"join(".", [var.unk, "azurewebsites", "net"])"#,
        unk("", ".azurewebsites.net"),
    );
    check(
        r#"lower("${var.unk}.AzureWebsites.NET")"#,
        unk("", ".azurewebsites.net"),
    );
    check(
        r#"endswith("${var.unk}.azurewebsites.net", ".net")"#,
        TVal::Bool(true),
    );
    check(
        r#"endswith("${var.unk}.azurewebsites.net", ".com")"#,
        TVal::Bool(false),
    );
    unknown(r#"endswith("${var.unk}.net", "x.net")"#);
    check(
        r#"startswith("https://${var.unk}", "http")"#,
        TVal::Bool(true),
    );
    check(
        r#"strcontains("${var.unk}.azurewebsites.net", "websites")"#,
        TVal::Bool(true),
    );
    unknown(r#"strcontains("${var.unk}.net", "web")"#);
    // Conditional on an Unknown keeps the common text of both branches.
    check(
        r#"var.unk ? "a.azurewebsites.net" : "b.azurewebsites.net""#,
        unk("", ".azurewebsites.net"),
    );
}

#[test]
fn traversals_and_origins() {
    let e = eval(&parse(r#""${var.name}-${local.prefix}""#), &scope());
    let labels: Vec<&str> = e.origins.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(labels, ["var name", "local prefix"]);
    let e = eval(
        &parse("var.name == var.name ? var.name : local.prefix"),
        &scope(),
    );
    assert_eq!(
        e.origins.len(),
        1,
        "unchosen branch and duplicates contribute nothing"
    );
    check("var.tags.env", s("prod"));
    check(r#"var.tags["team"]"#, s("net"));
    check("var.pools[1].name", s("p2"));
    check("var.pools.0.name", s("p1"));
    check("local.cfg.a", n(1.0));
    check("each.key", s("k1"));
    check("each.value.host", s("h.example"));
    check("count.index", n(1.0));
    check("probe.value.path", s("/health"));
    check("probe.key", n(0.0));
    check("module.m[0].name", s("first"));
    unknown("module.other.x");
    unknown("data.azurerm_subnet.s.id");
    unknown("path.module");
    unknown("terraform.workspace");
    unknown("var.missing");
    unknown("local.missing.x");
    unknown("var.unk.deep[0].x");
    // Errors inside a Known value are Unknown at the top.
    unknown("var.tags.nope");
    unknown("var.pools[5]");
}

fn rt(address: &str, rtype: &str, path: &[&str]) -> TVal {
    TVal::Runtime(RuntimeRef {
        address: address.into(),
        rtype: rtype.into(),
        path: path.iter().map(|p| p.to_string()).collect(),
    })
}

#[test]
fn resource_references() {
    let fa = "azurerm_linux_function_app";
    check(
        "azurerm_linux_function_app.fn.default_hostname",
        rt("azurerm_linux_function_app.fn", fa, &["default_hostname"]),
    );
    check(
        r#""${azurerm_linux_function_app.fn.default_hostname}""#,
        rt("azurerm_linux_function_app.fn", fa, &["default_hostname"]),
    );
    check(
        "[azurerm_linux_function_app.fn.default_hostname]",
        list(&[rt(
            "azurerm_linux_function_app.fn",
            fa,
            &["default_hostname"],
        )]),
    );
    check(
        "azurerm_subnet.s[1].id",
        rt("azurerm_subnet.s[1]", "azurerm_subnet", &["id"]),
    );
    check(
        r#"azurerm_subnet.m["k"].id"#,
        rt("azurerm_subnet.m[\"k\"]", "azurerm_subnet", &["id"]),
    );
    check(
        "azurerm_subnet.s[*].id",
        list(&[
            rt("azurerm_subnet.s[0]", "azurerm_subnet", &["id"]),
            rt("azurerm_subnet.s[1]", "azurerm_subnet", &["id"]),
        ]),
    );
    check(
        "azurerm_linux_function_app.fn.site_config[0].ip_restriction",
        rt(
            "azurerm_linux_function_app.fn",
            fa,
            &["site_config", "0", "ip_restriction"],
        ),
    );
    check(
        "azurerm_linux_function_app.fn[*].id",
        list(&[rt("azurerm_linux_function_app.fn", fa, &["id"])]),
    );
    check(
        "azurerm_linux_function_app.fn.ip[*].address",
        rt("azurerm_linux_function_app.fn", fa, &["ip", "*", "address"]),
    );
    check(
        r#"module.net.subnet_ids["agw"]"#,
        rt("module.net.azurerm_subnet.agw", "azurerm_subnet", &["id"]),
    );
    unknown("azurerm_subnet.notinscan.id");
    // Runtime behaves as Unknown in operations.
    unknown(r#"azurerm_linux_function_app.fn.name == "x""#);
    unknown("upper(azurerm_linux_function_app.fn.name)");
    unknown("length(azurerm_linux_function_app.fn.name)");
    check(
        "tostring(azurerm_linux_function_app.fn.name)",
        rt("azurerm_linux_function_app.fn", fa, &["name"]),
    );
    check(
        "try(azurerm_linux_function_app.fn.name, null)",
        rt("azurerm_linux_function_app.fn", fa, &["name"]),
    );
}

#[test]
fn splats() {
    check("var.pools[*].name", list(&[s("p1"), s("p2")]));
    check("var.pools.*.port", list(&[n(80.0), n(443.0)]));
    check("var.tags[*].env", list(&[s("prod")]));
    check("null[*]", list(&[]));
    unknown("var.unk[*].x");
    // Attribute splat stops at an index; full splat applies it per element.
    check("var.pools.*.name[0]", s("p1"));
    check(r#"[["a","b"],["c","d"]][*][1]"#, list(&[s("b"), s("d")]));
}

#[test]
fn conditionals() {
    check(r#"var.flag ? "a" : "b""#, s("a"));
    check(r#"!var.flag ? "a" : "b""#, s("b"));
    check(r#""true" ? 1 : 2"#, n(1.0));
    unknown(r#"var.unk ? "a" : "b""#);
    check(r#"var.unk ? "same" : "same""#, s("same"));
    // The branch not taken is not evaluated: its error does not matter.
    check("var.flag ? 1 : var.tags.nope", n(1.0));
    unknown("1 ? 2 : 3");
}

#[test]
fn for_expressions() {
    check("[for p in var.pools : p.name]", list(&[s("p1"), s("p2")]));
    check(
        "[for p in var.pools : upper(p.name) if p.on]",
        list(&[s("P1")]),
    );
    check("[for i, p in var.pools : i]", list(&[n(0.0), n(1.0)]));
    check(
        "{for p in var.pools : p.name => p.port}",
        map(&[("p1", n(80.0)), ("p2", n(443.0))]),
    );
    check(
        "{for k, v in var.tags : v => k}",
        map(&[("prod", s("env")), ("net", s("team"))]),
    );
    // Maps iterate in key order.
    check(
        r#"[for k, v in {b = 1, a = 2} : k]"#,
        list(&[s("a"), s("b")]),
    );
    check(
        r#"{for s in ["a1", "a2", "b1"] : substr(s, 0, 1) => s...}"#,
        map(&[("a", list(&[s("a1"), s("a2")])), ("b", list(&[s("b1")]))]),
    );
    unknown(r#"{for s in ["a1", "a2"] : substr(s, 0, 1) => s}"#); // duplicate key
    unknown("[for x in var.unk : x]");
    unknown("[for x in [1, 2] : x if var.unk]");
    check(
        "[for x in [1, var.unk] : x]",
        list(&[n(1.0), TVal::unknown()]),
    );
    // Nested for expressions and shadowing.
    check(
        "[for x in [[1, 2], [3]] : [for x in x : x * 10]]",
        list(&[list(&[n(10.0), n(20.0)]), list(&[n(30.0)])]),
    );
    check(
        "flatten([for p in var.pools : [for c in [1, 2] : \"${p.name}-${c}\"]])",
        list(&[s("p1-1"), s("p1-2"), s("p2-1"), s("p2-2")]),
    );
}

#[test]
fn operators() {
    check("1 + 2 * 3", n(7.0));
    check("(1 + 2) * 3", n(9.0));
    check("10 / 4", n(2.5));
    check("10 % 4", n(2.0));
    check("-var.n", n(-3.0));
    check(r#""5" + 1"#, n(6.0));
    check("var.n > 2 && var.n <= 3", TVal::Bool(true));
    check("var.n < 2 || var.n >= 4", TVal::Bool(false));
    check(r#"1 == "1""#, TVal::Bool(false));
    check("[1, 2] == [1, 2]", TVal::Bool(true));
    check(
        r#"var.tags == {env = "prod", team = "net"}"#,
        TVal::Bool(true),
    );
    check(r#"var.name != "x""#, TVal::Bool(true));
    check("null == null", TVal::Bool(true));
    check("!true", TVal::Bool(false));
    check("false && var.unk", TVal::Bool(false));
    check("var.unk && false", TVal::Bool(false));
    check("var.unk || true", TVal::Bool(true));
    unknown("var.unk && true");
    unknown("var.unk + 1");
    unknown("var.unk == 1");
    unknown("1 / 0");
    unknown(r#""a" + 1"#);
}

#[test]
fn try_and_can() {
    check("try(var.tags.nope, \"default\")", s("default"));
    check("try(var.tags.env, \"default\")", s("prod"));
    check("try(var.pools[9].name, var.pools[0].name)", s("p1"));
    unknown("try(var.unk.x, \"default\")");
    unknown("try(var.tags.nope, var.pools[9])");
    check("can(var.tags.env)", TVal::Bool(true));
    check("can(var.tags.nope)", TVal::Bool(false));
    unknown("can(var.unk.x)");
    check("try(tonumber(\"x\"), 5)", n(5.0));
    check("try(lookup(var.tags, \"x\"), \"d\")", s("d"));
    // Origins of a failed try argument are dropped.
    let e = eval(&parse("try(var.tags.nope, local.prefix)"), &scope());
    let labels: Vec<&str> = e.origins.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(labels, ["local prefix"]);
}

#[test]
fn depth_limit() {
    // The parser caps bracket nesting at 64, so build the deep tree directly.
    let mut e = Expression::Number(hcl::edit::Number::from(1u64).into());
    for _ in 0..200 {
        e = Expression::Parenthesis(Box::new(hcl::edit::expr::Parenthesis::new(e)));
    }
    assert!(eval(&e, &scope()).value.is_unknown());
    let mut e = Expression::Number(hcl::edit::Number::from(1u64).into());
    for _ in 0..100 {
        e = Expression::Parenthesis(Box::new(hcl::edit::expr::Parenthesis::new(e)));
    }
    assert_eq!(eval(&e, &scope()).value, n(1.0));
    // Operator chains nest without brackets (the parser allows 128 of them).
    let chain = vec!["1"; 50].join(" + ");
    check(&chain, n(50.0));
    let nested = format!("{}1{}", "[".repeat(60), "]".repeat(60));
    assert!(ev(&nested).is_wholly_known());
}

#[test]
fn namespaced_and_unknown_functions() {
    unknown(r#"provider::azurerm::normalise_resource_id("x")"#);
    unknown(r#"regex("a", "a")"#);
    unknown(r#"regexall("a", "a")"#);
    unknown(r#"file("x.txt")"#);
    unknown(r#"templatefile("x.tpl", {})"#);
    unknown(r#"filebase64("x")"#);
    unknown(r#"base64encode("x")"#);
    unknown("uuid()");
    unknown("timestamp()");
    unknown(r#"yamlencode({a = 1})"#);
    unknown(r#"no_such_function(1)"#);
}

#[test]
fn string_functions() {
    check(r#"lower("AbC")"#, s("abc"));
    check(r#"upper("AbC")"#, s("ABC"));
    check(r#"title("hello world-x")"#, s("Hello World-X"));
    check(r#"trimspace("  a b \n")"#, s("a b"));
    check(r#"trim("?!hello?!", "!?")"#, s("hello"));
    check(r#"trimprefix("helloworld", "hello")"#, s("world"));
    check(r#"trimprefix("helloworld", "x")"#, s("helloworld"));
    check(r#"trimsuffix("helloworld", "world")"#, s("hello"));
    check(r#"chomp("a\n")"#, s("a"));
    check(r#"replace("a-b-c", "-", ".")"#, s("a.b.c"));
    check(r#"replace("a.b.c", "/\\./", "-")"#, s("a-b-c"));
    check(r#"replace("abc", "/b/", "x")"#, s("axc"));
    unknown(r#"replace("abc", "/b+/", "x")"#);
    unknown(r#"replace("abc", "/(b)/", "$1")"#);
    check(
        r#"split(",", "a,b,,c")"#,
        list(&[s("a"), s("b"), s(""), s("c")]),
    );
    check(r#"split(",", "")"#, list(&[s("")]));
    check(r#"join("-", ["a", "b"], ["c"])"#, s("a-b-c"));
    check(r#"join(",", [])"#, s(""));
    check(r#"join(",", [1, true])"#, s("1,true"));
    check(r#"substr("hello world", 1, 4)"#, s("ello"));
    check(r#"substr("hello world", -5, -1)"#, s("world"));
    check(r#"substr("hello", 2, 100)"#, s("llo"));
    check(r#"substr("héllo", 1, 2)"#, s("él"));
    check(r#"startswith("hello", "he")"#, TVal::Bool(true));
    check(r#"endswith("hello", "he")"#, TVal::Bool(false));
    check(r#"strcontains("hello", "ll")"#, TVal::Bool(true));
    unknown("lower(var.unk.x)");
    // Known text of an argument is not the result's known text.
    check(r#"length("${var.unk}.net")"#, TVal::unknown());
    check(r#"trimspace("${var.unk}.net")"#, TVal::unknown());
    check(r#"tostring("${var.unk}.net")"#, unk("", ".net"));
}

#[test]
fn format_functions() {
    check(r#"format("%s-%d", "a", 5)"#, s("a-5"));
    check(r#"format("%v|%v|%v", "s", 1.5, true)"#, s("s|1.5|true"));
    check(r#"format("%q", "a\"b")"#, s("\"a\\\"b\""));
    check(r#"format("100%%")"#, s("100%"));
    check(r#"format("%03d|%-3s|%3s", 7, "a", "b")"#, s("007|a  |  b"));
    check(r#"format("%.2f", 3.14159)"#, s("3.14"));
    check(r#"format("%[2]s %[1]s", "a", "b")"#, s("b a"));
    check(r#"format("%v", [1, "a"])"#, s("[1,\"a\"]"));
    unknown(r#"format("%d", "x")"#);
    unknown(r#"format("%s")"#);
    unknown(r#"format("%s", "a", "b")"#);
    check(
        r#"format("https://%s/%s", var.unk, "api")"#,
        unk("https://", "/api"),
    );
    check(
        r#"formatlist("%s.%s", ["a", "b"], "x")"#,
        list(&[s("a.x"), s("b.x")]),
    );
    check(
        r#"formatlist("%s=%s", ["a", "b"], [1, 2])"#,
        list(&[s("a=1"), s("b=2")]),
    );
    unknown(r#"formatlist("%s", ["a"], ["b", "c"])"#);
    unknown(r#"formatlist("%s", var.unk)"#);
}

#[test]
fn conversion_functions() {
    check("tostring(5)", s("5"));
    check("tostring(true)", s("true"));
    check("tostring(null)", TVal::Null);
    unknown("tostring([1])");
    check(r#"tonumber("42")"#, n(42.0));
    unknown(r#"tonumber("x")"#);
    check(r#"tobool("true")"#, TVal::Bool(true));
    unknown(r#"tobool("yes")"#);
    check(r#"tolist(["a"])"#, list(&[s("a")]));
    check(r#"toset(["b", "a", "b"])"#, list(&[s("a"), s("b")]));
    check("toset([3, 1, 3])", list(&[n(1.0), n(3.0)]));
    unknown("toset([var.unk, \"a\"])");
    // Resource references survive set conversion (a backend pool's FQDN from a site).
    let host = rt(
        "azurerm_linux_function_app.fn",
        "azurerm_linux_function_app",
        &["default_hostname"],
    );
    check(
        "toset([azurerm_linux_function_app.fn.default_hostname])",
        list(std::slice::from_ref(&host)),
    );
    check(
        r#"toset(["b", azurerm_linux_function_app.fn.default_hostname, "a", azurerm_linux_function_app.fn.default_hostname])"#,
        list(&[s("a"), s("b"), host.clone()]),
    );
    check(
        "tolist(toset([azurerm_linux_function_app.fn.default_hostname]))",
        list(&[host]),
    );
    // A lone Unknown element is still one element.
    check("toset([var.unk])", list(&[TVal::unknown()]));
    check("tomap({a = 1})", map(&[("a", n(1.0))]));
    unknown("tomap([1])");
}

#[test]
fn collection_functions() {
    check(
        r#"merge(var.tags, {env = "dev", x = 1}, null)"#,
        map(&[("env", s("dev")), ("team", s("net")), ("x", n(1.0))]),
    );
    unknown("merge(var.tags, var.unk)");
    check(
        r#"merge({a = var.unk}, {b = 1})"#,
        map(&[("a", TVal::unknown()), ("b", n(1.0))]),
    );
    check(r#"lookup(var.tags, "env")"#, s("prod"));
    check(r#"lookup(var.tags, "nope", "dflt")"#, s("dflt"));
    unknown(r#"lookup(var.tags, "nope")"#);
    unknown(r#"lookup(var.unk, "a", "b")"#);
    check("concat([1], [2, 3], [])", list(&[n(1.0), n(2.0), n(3.0)]));
    unknown("concat([1], var.unk)");
    check(r#"coalesce("", null, "x", "y")"#, s("x"));
    unknown(r#"coalesce(var.unk, "x")"#);
    unknown(r#"coalesce(azurerm_linux_function_app.fn.name, "x")"#);
    unknown(r#"coalesce(null, "")"#);
    check("coalescelist([], [1], [2])", list(&[n(1.0)]));
    check(r#"compact(["a", "", null, "b"])"#, list(&[s("a"), s("b")]));
    unknown(r#"compact(["a", var.unk])"#);
    check(r#"element(["a", "b", "c"], 4)"#, s("b"));
    unknown("element([], 0)");
    check("length([1, 2])", n(2.0));
    check(r#"length("héllo")"#, n(5.0));
    check("length(var.tags)", n(2.0));
    check("length([var.unk])", n(1.0));
    unknown("length(var.unk)");
    check("keys({b = 1, a = 2})", list(&[s("a"), s("b")]));
    check("values({b = 1, a = 2})", list(&[n(2.0), n(1.0)]));
    check(
        "flatten([[1, [2]], 3, []])",
        list(&[n(1.0), n(2.0), n(3.0)]),
    );
    unknown("flatten([[1], var.unk])");
    check("distinct([1, 2, 1, 3, 2])", list(&[n(1.0), n(2.0), n(3.0)]));
    check(r#"contains(["a", "b"], "b")"#, TVal::Bool(true));
    check(r#"contains(["a", "b"], "c")"#, TVal::Bool(false));
    check(r#"contains(["a", var.unk], "a")"#, TVal::Bool(true));
    unknown(r#"contains(["a", var.unk], "c")"#);
    check(r#"index(["a", "b"], "b")"#, n(1.0));
    unknown(r#"index(["a"], "z")"#);
    check("slice([1, 2, 3, 4], 1, 3)", list(&[n(2.0), n(3.0)]));
    unknown("slice([1, 2], 1, 5)");
    check("reverse([1, 2, 3])", list(&[n(3.0), n(2.0), n(1.0)]));
    check(r#"sort(["b", "a", "c"])"#, list(&[s("a"), s("b"), s("c")]));
    check("range(3)", list(&[n(0.0), n(1.0), n(2.0)]));
    check("range(1, 4)", list(&[n(1.0), n(2.0), n(3.0)]));
    check("range(0, 10, 5)", list(&[n(0.0), n(5.0)]));
    check("range(3, 0)", list(&[n(3.0), n(2.0), n(1.0)]));
    unknown("range(100000)");
    check(
        r#"zipmap(["a", "b"], [1, 2])"#,
        map(&[("a", n(1.0)), ("b", n(2.0))]),
    );
    check("one([])", TVal::Null);
    check("one([5])", n(5.0));
    unknown("one([1, 2])");
    check("sum([1, 2, 3.5])", n(6.5));
    check("min(3, 1, 2)", n(1.0));
    check("max(3, 1, 2)", n(3.0));
    check("max([4, 9]...)", n(9.0));
    check("abs(-2)", n(2.0));
    check("ceil(1.2)", n(2.0));
    check("floor(1.8)", n(1.0));
    check("alltrue([true, true])", TVal::Bool(true));
    check("anytrue([false, var.unk, true])", TVal::Bool(true));
    check(r#"setunion(["a"], ["b", "a"])"#, list(&[s("a"), s("b")]));
    check(r#"setsubtract(["a", "b"], ["a"])"#, list(&[s("b")]));
    check(
        r#"setintersection(["a", "b"], ["b", "c"])"#,
        list(&[s("b")]),
    );
}

#[test]
fn json_and_cidr() {
    check(
        r#"jsonencode({b = [1, "x<"], a = null, c = true})"#,
        s(r#"{"a":null,"b":[1,"x\u003c"],"c":true}"#),
    );
    unknown("jsonencode({a = var.unk})");
    check(
        r#"jsondecode("{\"a\": [1, \"x\"]}")"#,
        map(&[("a", list(&[n(1.0), s("x")]))]),
    );
    unknown(r#"jsondecode("{nope")"#);
    check(r#"cidrsubnet("10.0.0.0/16", 8, 2)"#, s("10.0.2.0/24"));
    check(r#"cidrsubnet("10.1.2.0/24", 4, 15)"#, s("10.1.2.240/28"));
    unknown(r#"cidrsubnet("10.0.0.0/16", 8, 256)"#);
    unknown(r#"cidrsubnet("fd00::/48", 16, 1)"#);
    check(r#"cidrhost("10.0.1.0/24", 4)"#, s("10.0.1.4"));
    check(r#"cidrhost("10.0.1.0/24", -2)"#, s("10.0.1.254"));
    unknown(r#"cidrhost("10.0.1.0/24", 256)"#);
    check(r#"cidrnetmask("10.0.0.0/20")"#, s("255.255.240.0"));
    check(
        r#"cidrsubnets("10.0.0.0/16", 8, 8, 4)"#,
        list(&[s("10.0.0.0/24"), s("10.0.1.0/24"), s("10.0.16.0/20")]),
    );
}

#[test]
fn cli_vars() {
    assert_eq!(cli_var_value("prod", false), s("prod"));
    assert_eq!(cli_var_value("10", false), n(10.0));
    assert_eq!(cli_var_value("10", true), s("10"));
    assert_eq!(
        cli_var_value(r#"["a", "b"]"#, false),
        list(&[s("a"), s("b")])
    );
    assert_eq!(cli_var_value("{a = 1}", false), map(&[("a", n(1.0))]));
    assert_eq!(cli_var_value("a b c", false), s("a b c"));
    assert!(parse_expr("[1, 2").is_none());
}

#[test]
fn eval_with_bindings() {
    let e = eval_with(
        &parse("backend.value.port"),
        &scope(),
        &[(
            "backend".to_string(),
            map(&[("value", map(&[("port", n(8080.0))]))]),
        )],
    );
    assert_eq!(e.value, n(8080.0));
    assert_eq!(
        eval_str_literal_key(&parse(r#""k""#)),
        Some("k".to_string())
    );
    assert_eq!(eval_str_literal_key(&parse("var.x")), None);
}

#[test]
fn type_conversion() {
    let conv = |v: TVal, ty: &str| convert_to_type(&v, &parse(ty));
    assert_eq!(conv(s("30"), "number"), n(30.0));
    assert_eq!(conv(n(30.0), "string"), s("30"));
    assert_eq!(conv(s("true"), "bool"), TVal::Bool(true));
    assert!(conv(s("x"), "number").is_unknown());
    assert!(conv(list(&[n(1.0)]), "string").is_unknown());
    assert_eq!(conv(TVal::Null, "string"), TVal::Null);
    assert_eq!(conv(unk("a", "b"), "string"), unk("a", "b"));
    assert_eq!(
        conv(list(&[n(1.0), s("2")]), "list(number)"),
        list(&[n(1.0), n(2.0)])
    );
    assert_eq!(
        conv(list(&[s("b"), s("a"), s("b")]), "set(string)"),
        list(&[s("a"), s("b")])
    );
    assert_eq!(
        conv(map(&[("a", n(1.0))]), "map(string)"),
        map(&[("a", s("1"))])
    );
    assert_eq!(
        conv(list(&[n(1.0), n(2.0)]), "tuple([string, number])"),
        list(&[s("1"), n(2.0)])
    );
    let ty = r#"map(object({
        name = string
        port = optional(number, 80)
        path = optional(string)
        tags = optional(map(string), {})
        on   = optional(bool, true)
    }))"#;
    let v = map(&[(
        "a",
        map(&[
            ("name", s("x")),
            ("port", s("8080")),
            ("extra", n(1.0)),
            ("on", TVal::Null),
        ]),
    )]);
    assert_eq!(
        conv(v, ty),
        map(&[(
            "a",
            map(&[
                ("name", s("x")),
                ("port", n(8080.0)),
                ("path", TVal::Null),
                ("tags", map(&[])),
                ("on", TVal::Bool(true)),
            ])
        )])
    );
    // A required attribute that is missing: Terraform rejects the value.
    assert!(conv(map(&[("port", n(1.0))]), "object({name = string})").is_unknown());
    // Unknowns and references stay as they are.
    let r = TVal::Runtime(RuntimeRef::new("a.b", "a").child("id"));
    assert_eq!(
        conv(map(&[("id", r.clone())]), "object({id = string})"),
        map(&[("id", r)])
    );
    assert!(conv(TVal::unknown(), "object({id = string})").is_unknown());
    assert_eq!(conv(s("x"), "any"), s("x"));
}

/// Every attribute of every `.tf` file of the shared corpus evaluates without a panic, with
/// nothing known about variables (the corpus is read in place; absent → the test says so).
#[test]
fn corpus_expressions_evaluate_without_panic() {
    let root = std::env::var_os("AGWLINT_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            let r = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            [r.join("../shared/corpus"), r.join("../../shared/corpus")]
                .into_iter()
                .find(|p| p.is_dir())
                .unwrap_or_else(|| r.join("../shared/corpus"))
        })
        .join("terraform");
    if !root.is_dir() {
        eprintln!("*** corpus missing at {}: test NOT RUN ***", root.display());
        return;
    }
    fn walk(body: &hcl::edit::structure::Body, sc: &TestScope, count: &mut usize) {
        for st in body.iter() {
            if let Some(a) = st.as_attribute() {
                let _ = eval(&a.value, sc);
                *count += 1;
            } else if let Some(b) = st.as_block() {
                walk(&b.body, sc, count);
            }
        }
    }
    let sc = TestScope {
        vars: Vec::new(),
        locals: Vec::new(),
        iters: Vec::new(),
    };
    let mut count = 0;
    for e in walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.path().extension().is_some_and(|x| x == "tf")
            && let Ok(text) = std::fs::read_to_string(e.path())
            && let Ok(body) = hcl::edit::parser::parse_body(&text)
        {
            walk(&body, &sc, &mut count);
        }
    }
    assert!(count > 1000, "only {count} attributes found in the corpus");
}
