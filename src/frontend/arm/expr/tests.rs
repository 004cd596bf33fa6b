//! Evaluator tests, with a small in-memory scope.

use super::*;
use crate::model::Partial;
use crate::source::{FileId, Span};

struct TestScope {
    params: Vec<(&'static str, AVal)>,
    vars: Vec<(&'static str, AVal)>,
    copy: Option<i64>,
}

fn origin(kind: &str, name: &str, at: usize) -> Origin {
    Origin {
        span: Span::new(FileId(0), at..at + 1),
        label: format!("{kind} `{name}`"),
    }
}

impl Scope for TestScope {
    fn parameter(&self, name: &str) -> Option<(AVal, Option<Origin>)> {
        self.params
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|i| (self.params[i].1.clone(), Some(origin("parameter", name, i))))
    }
    fn variable(&self, name: &str) -> Option<(AVal, Option<Origin>)> {
        self.vars
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|i| {
                (
                    self.vars[i].1.clone(),
                    Some(origin("variable", name, 100 + i)),
                )
            })
    }
    fn copy_index(&self, loop_name: Option<&str>) -> Option<i64> {
        match loop_name {
            None => self.copy,
            Some(l) if l.eq_ignore_ascii_case("outer") => Some(7),
            Some(_) => None,
        }
    }
    fn reference(&self, target: &AVal, full: bool) -> AVal {
        let hit = match target {
            AVal::Str(s) => {
                s.eq_ignore_ascii_case("fn") || s.to_ascii_lowercase().ends_with("/sites/fn")
            }
            AVal::Unknown(p) => p.suffix.to_ascii_lowercase().ends_with("/sites/fn"),
            _ => false,
        };
        if !hit {
            return AVal::unknown();
        }
        let r = runtime("Microsoft.Web/sites", "fn");
        if full { r } else { member(r, "properties") }
    }
    fn resource_info(&self, symbol: &str) -> AVal {
        if symbol == "fn" {
            AVal::Object(vec![("name".into(), AVal::Str("fn".into()))])
        } else {
            AVal::unknown()
        }
    }
}

fn scope() -> TestScope {
    TestScope {
        params: vec![
            ("app", AVal::unknown()),
            ("env", AVal::Str("prod".into())),
            ("port", AVal::Int(443)),
            ("flag", AVal::Bool(true)),
            (
                "list",
                AVal::Array(vec![AVal::Str("a".into()), AVal::Str("b".into())]),
            ),
            (
                "obj",
                AVal::Object(vec![
                    ("Name".into(), AVal::Str("x".into())),
                    (
                        "Inner".into(),
                        AVal::Object(vec![("v".into(), AVal::Int(1))]),
                    ),
                ]),
            ),
            ("nul", AVal::Null),
        ],
        vars: vec![("host", AVal::Str("h.example.com".into()))],
        copy: Some(2),
    }
}

fn ev(s: &str) -> AVal {
    match evaluate(s, &scope()) {
        Ok(e) => e.value,
        Err(e) => panic!("{s}: {e:?}"),
    }
}

fn err(s: &str) -> ExprError {
    evaluate(s, &scope()).unwrap_err()
}

fn st(s: &str) -> AVal {
    AVal::Str(s.into())
}

fn unk(prefix: &str, suffix: &str) -> AVal {
    AVal::Unknown(Box::new(Partial {
        prefix: prefix.into(),
        suffix: suffix.into(),
        ..Partial::default()
    }))
}

fn arr(v: Vec<AVal>) -> AVal {
    AVal::Array(v)
}

fn ints(v: &[i64]) -> AVal {
    AVal::Array(v.iter().map(|i| AVal::Int(*i)).collect())
}

fn strs(v: &[&str]) -> AVal {
    AVal::Array(v.iter().map(|s| st(s)).collect())
}

const T: AVal = AVal::Bool(true);
const F: AVal = AVal::Bool(false);

#[test]
fn literals_and_escapes() {
    assert!(is_expression("[x()]"));
    assert!(!is_expression("[[x()]"));
    assert!(!is_expression("plain"));
    assert!(!is_expression("[x"));
    assert!(!is_expression("["));
    assert_eq!(unescape_literal("[[x]"), "[x]");
    assert_eq!(unescape_literal("[[x"), "[[x");
    assert_eq!(unescape_literal("a[b]"), "a[b]");
    assert_eq!(ev("plain"), st("plain"));
    assert_eq!(ev("[[concat('a')]"), st("[concat('a')]"));
    assert_eq!(ev("['it''s']"), st("it's"));
    assert_eq!(ev("['']"), st(""));
    assert_eq!(ev("[concat('[', ']')]"), st("[]"));
    assert_eq!(ev("[-5]"), AVal::Int(-5));
    assert_eq!(ev("[true()]"), T);
    assert_eq!(ev("[False()]"), F);
    assert_eq!(ev("[null()]"), AVal::Null);
    assert_eq!(ev("[ concat ( 'a' , 'b' ) ]"), st("ab"));
}

#[test]
fn parameters_variables_and_origins() {
    let e = evaluate(
        "[concat(parameters('ENV'), '-', variables('host'))]",
        &scope(),
    )
    .unwrap();
    assert_eq!(e.value, st("prod-h.example.com"));
    assert_eq!(
        e.origins,
        vec![
            origin("parameter", "ENV", 1),
            origin("variable", "host", 100)
        ]
    );
    // The same origin once.
    let e = evaluate("[concat(parameters('env'), parameters('env'))]", &scope()).unwrap();
    assert_eq!(e.origins.len(), 1);
    // Missing names are errors at the call.
    let e = err("[concat('a', parameters('nope'))]");
    assert_eq!(e.offset, 13);
    assert!(e.message.contains("parameter 'nope'"), "{e:?}");
    let e = err("[variables('nope')]");
    assert_eq!(e.offset, 1);
    assert!(e.message.contains("variable 'nope'"));
    // A computed name that is Unknown: Unknown, not an error.
    assert_eq!(ev("[parameters(parameters('app'))]"), AVal::unknown());
    assert_eq!(ev("[parameters(concat('e', 'nv'))]"), st("prod"));
}

#[test]
fn member_and_index_access() {
    assert_eq!(ev("[parameters('obj').name]"), st("x"));
    assert_eq!(ev("[parameters('obj')['NAME']]"), st("x"));
    assert_eq!(ev("[parameters('obj').inner.v]"), AVal::Int(1));
    assert_eq!(ev("[parameters('list')[1]]"), st("b"));
    assert_eq!(ev("[parameters('list')[add(0, 1)]]"), st("b"));
    assert_eq!(ev("[parameters('list')[5]]"), AVal::unknown());
    assert_eq!(ev("[parameters('list')[-1]]"), AVal::unknown());
    assert_eq!(ev("[parameters('obj').missing]"), AVal::unknown());
    assert_eq!(ev("[parameters('env').x]"), AVal::unknown());
    assert_eq!(
        ev("[createArray(createArray(1, 2), 3)[0][1]]"),
        AVal::Int(2)
    );
    assert_eq!(ev("[json('{\"a\": [10]}').a[0]]"), AVal::Int(10));
}

#[test]
fn reference_and_runtime_paths() {
    let v = ev("[reference('fn').defaultHostName]");
    let AVal::Runtime(r) = v else { panic!("{v:?}") };
    assert_eq!(
        (r.rtype.as_str(), r.name.as_str()),
        ("Microsoft.Web/sites", "fn")
    );
    assert_eq!(r.path, vec!["properties", "defaultHostName"]);
    let v = ev(
        "[reference(resourceId('Microsoft.Web/sites', 'fn'), '2022-03-01', 'Full').properties.hostNames[0]]",
    );
    let AVal::Runtime(r) = v else { panic!("{v:?}") };
    assert_eq!(r.path, vec!["properties", "hostNames", "0"]);
    let v = ev("[reference('fn')['outboundIpAddresses']]");
    assert!(matches!(v, AVal::Runtime(ref r) if r.path == ["properties", "outboundIpAddresses"]));
    // A Runtime behaves as Unknown everywhere else.
    assert_eq!(
        ev("[concat('https://', reference('fn').defaultHostName, '/api')]"),
        unk("https://", "/api")
    );
    assert_eq!(ev("[equals(reference('fn').x, 'a')]"), AVal::unknown());
    assert_eq!(ev("[toLower(reference('fn').x)]"), AVal::unknown());
    assert_eq!(ev("[reference('other').x]"), AVal::unknown());
    assert_eq!(ev("[resourceInfo('fn').name]"), st("fn"));
    assert_eq!(ev("[resourceInfo('zz').id]"), AVal::unknown());
}

#[test]
fn deployment_context_is_unknown() {
    for f in [
        "resourceGroup",
        "subscription",
        "deployment",
        "environment",
        "tenant",
    ] {
        assert_eq!(ev(&format!("[{f}()]")), AVal::unknown(), "{f}");
        assert_eq!(ev(&format!("[{f}().location]")), AVal::unknown(), "{f}");
        assert_eq!(
            ev(&format!("[{f}().properties['x'][0]]")),
            AVal::unknown(),
            "{f}"
        );
    }
    assert_eq!(
        ev("[concat(resourceGroup().name, '-app')]"),
        unk("", "-app")
    );
    for f in [
        "uniqueString(resourceGroup().id)",
        "guid('a')",
        "newGuid()",
        "utcNow()",
        "listKeys('x', '2020-01-01')",
        "listSecrets('x', '2020')",
        "pickZones('Microsoft.Compute', 'virtualMachines', 'westus')",
        "base64('a')",
        "float('1.5')",
        "someFutureFunction(1)",
        "ns.userFunction('a')",
    ] {
        assert_eq!(ev(&format!("[{f}]")), AVal::unknown(), "{f}");
    }
    // Arguments of unknown functions are still checked.
    assert!(evaluate("[uniqueString(parameters('nope'))]", &scope()).is_err());
}

#[test]
fn concat_strings_arrays_and_partials() {
    assert_eq!(ev("[concat('a', 'b', 'c')]"), st("abc"));
    assert_eq!(ev("[concat('port', parameters('port'))]"), st("port443"));
    assert_eq!(
        ev("[concat(parameters('app'), '.azurewebsites.net')]"),
        unk("", ".azurewebsites.net")
    );
    assert_eq!(ev("[concat('a', parameters('app'), 'b')]"), unk("a", "b"));
    assert_eq!(
        ev(
            "[concat('x', concat('a', parameters('app'), 'b'), 'y', concat('c', parameters('app'), 'd'), 'e')]"
        ),
        unk("xa", "de")
    );
    assert_eq!(
        ev("[concat(createArray(1, 2), createArray(3))]"),
        ints(&[1, 2, 3])
    );
    assert_eq!(
        ev("[concat(parameters('list'), createArray('c'))]"),
        strs(&["a", "b", "c"])
    );
    assert_eq!(ev("[concat(createArray(1), 'x')]"), AVal::unknown());
    assert_eq!(
        ev("[concat(createArray(1), parameters('app'))]"),
        AVal::unknown()
    );
    assert_eq!(ev("[concat('a', true())]"), AVal::unknown());
}

#[test]
fn format_function() {
    assert_eq!(
        ev("[format('{0}.azurewebsites.net', 'fn')]"),
        st("fn.azurewebsites.net")
    );
    assert_eq!(ev("[format('{0}-{1}-{0}', 'a', 2)]"), st("a-2-a"));
    assert_eq!(ev("[format('{{literal}} {0}', 'x')]"), st("{literal} x"));
    assert_eq!(
        ev("[format('{0}.azurewebsites.net', parameters('app'))]"),
        unk("", ".azurewebsites.net")
    );
    assert_eq!(
        ev("[format('https://{0}/{1}', parameters('app'), 'p')]"),
        unk("https://", "/p")
    );
    assert_eq!(ev("[format('{0:D3}', 7)]"), st("007"));
    assert_eq!(ev("[format('{0:N0}', 1234567)]"), st("1,234,567"));
    assert_eq!(ev("[format('{0}', true())]"), st("True"));
    assert_eq!(ev("[format('{0:X}', 7)]"), AVal::unknown());
    assert_eq!(ev("[format('{1}', 'a')]"), AVal::unknown());
    assert_eq!(ev("[format('{0', 'a')]"), AVal::unknown());
    assert_eq!(ev("[format(parameters('app'), 'a')]"), AVal::unknown());
    assert_eq!(
        ev(
            "[format('{0}/probes/{1}', resourceId('Microsoft.Network/applicationGateways', 'gw'), 'p1')]"
        ),
        unk(
            "/subscriptions/",
            "/providers/Microsoft.Network/applicationGateways/gw/probes/p1"
        )
    );
}

#[test]
fn resource_ids() {
    let sub = "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sub";
    assert_eq!(
        ev("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'sub')]"),
        unk("/subscriptions/", sub)
    );
    // The known tail survives concat.
    assert_eq!(
        ev("[concat(resourceId('Microsoft.Network/applicationGateways', 'gw'), '/probes/p1')]"),
        unk(
            "/subscriptions/",
            "/providers/Microsoft.Network/applicationGateways/gw/probes/p1"
        )
    );
    assert_eq!(
        ev("[resourceId('rg1', 'Microsoft.Web/sites', 'fn')]"),
        unk(
            "/subscriptions/",
            "/resourceGroups/rg1/providers/Microsoft.Web/sites/fn"
        )
    );
    assert_eq!(
        ev(
            "[resourceId('00000000-0000-0000-0000-000000000000', 'rg1', 'Microsoft.Web/sites', 'fn')]"
        ),
        st(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Web/sites/fn"
        )
    );
    assert_eq!(
        ev("[resourceId(subscription().subscriptionId, 'rg1', 'Microsoft.Web/sites', 'fn')]"),
        unk(
            "/subscriptions/",
            "/resourceGroups/rg1/providers/Microsoft.Web/sites/fn"
        )
    );
    // Unknown name: the text after it is still known.
    assert_eq!(
        ev("[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('app'), 'sub')]"),
        unk("/subscriptions/", "/subnets/sub")
    );
    // Combined name segments.
    assert_eq!(
        ev("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet/sub')]"),
        unk("/subscriptions/", sub)
    );
    // Wrong name count.
    assert_eq!(
        ev("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')]"),
        AVal::unknown()
    );
    assert_eq!(ev("[resourceId('vnet')]"), AVal::unknown());
    assert_eq!(
        ev("[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg')]"),
        unk(
            "/subscriptions/",
            "/providers/Microsoft.Resources/resourceGroups/rg"
        )
    );
    assert_eq!(
        ev("[subscriptionResourceId('sub1', 'Microsoft.Resources/resourceGroups', 'rg')]"),
        st("/subscriptions/sub1/providers/Microsoft.Resources/resourceGroups/rg")
    );
    assert_eq!(
        ev("[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p')]"),
        st("/providers/Microsoft.Authorization/policyDefinitions/p")
    );
    assert_eq!(
        ev(
            "[extensionResourceId(resourceId('Microsoft.Network/applicationGateways', 'gw'), 'Microsoft.Insights/diagnosticSettings', 'd')]"
        ),
        unk(
            "/subscriptions/",
            "/providers/Microsoft.Network/applicationGateways/gw/providers/Microsoft.Insights/diagnosticSettings/d"
        )
    );
    assert_eq!(
        ev(
            "[extensionResourceId('/subscriptions/s/resourceGroups/r', 'Microsoft.Authorization/locks', 'l')]"
        ),
        st("/subscriptions/s/resourceGroups/r/providers/Microsoft.Authorization/locks/l")
    );
}

#[test]
fn lazy_if() {
    assert_eq!(ev("[if(true(), 'a', parameters('nope'))]"), st("a"));
    assert_eq!(
        ev("[if(equals(parameters('env'), 'dev'), parameters('nope'), 'b')]"),
        st("b")
    );
    // Unknown condition: equal branches survive, different ones keep what they share.
    assert_eq!(ev("[if(parameters('app'), 'same', 'same')]"), st("same"));
    assert_eq!(ev("[if(parameters('app'), 'a', 'b')]"), AVal::unknown());
    assert_eq!(
        ev("[if(parameters('app'), 'one.azurewebsites.net', 'two.azurewebsites.net')]"),
        unk("", ".azurewebsites.net")
    );
    assert_eq!(ev("[if(parameters('app'), 'ab', 'abab')]"), unk("ab", ""));
    assert_eq!(ev("[if(parameters('app'), 1, 2)]"), AVal::unknown());
    // An error in a branch that may not be taken is Unknown, not an error.
    assert_eq!(
        ev("[if(parameters('app'), parameters('nope'), 'b')]"),
        AVal::unknown()
    );
    // Errors in the condition still count.
    assert!(evaluate("[if(parameters('nope'), 'a', 'b')]", &scope()).is_err());
    assert_eq!(ev("[if(true(), 'a')]"), AVal::unknown());
}

#[test]
fn logic() {
    assert_eq!(ev("[equals('a', 'a')]"), T);
    assert_eq!(ev("[equals('a', 'A')]"), F);
    assert_eq!(ev("[equals(1, '1')]"), F);
    assert_eq!(ev("[equals(parameters('list'), createArray('a', 'b'))]"), T);
    assert_eq!(ev("[equals(json('{\"A\":1}'), json('{\"a\":1}'))]"), T);
    assert_eq!(ev("[equals(parameters('app'), 'a')]"), AVal::unknown());
    assert_eq!(
        ev("[equals(concat(parameters('app'), '.net'), 'x.com')]"),
        F
    );
    assert_eq!(
        ev("[equals(concat(parameters('app'), '.net'), 'x.net')]"),
        AVal::unknown()
    );
    assert_eq!(
        ev("[equals(createArray(parameters('app')), createArray(1, 2))]"),
        F
    );
    assert_eq!(
        ev("[equals(createArray(parameters('app')), createArray(1))]"),
        AVal::unknown()
    );
    assert_eq!(ev("[not(true())]"), F);
    assert_eq!(ev("[not(parameters('app'))]"), AVal::unknown());
    assert_eq!(ev("[not('x')]"), AVal::unknown());
    assert_eq!(ev("[and(true(), parameters('flag'))]"), T);
    assert_eq!(ev("[and(true(), false())]"), F);
    assert_eq!(ev("[and(parameters('app'), false())]"), F);
    assert_eq!(ev("[and(parameters('app'), true())]"), AVal::unknown());
    assert_eq!(ev("[or(false(), false())]"), F);
    assert_eq!(ev("[or(parameters('app'), true())]"), T);
    assert_eq!(ev("[or(parameters('app'), false())]"), AVal::unknown());
}

#[test]
fn collections() {
    assert_eq!(ev("[empty('')]"), T);
    assert_eq!(ev("[empty(parameters('nul'))]"), T);
    assert_eq!(ev("[empty(createArray())]"), T);
    assert_eq!(ev("[empty(json('{}'))]"), T);
    assert_eq!(ev("[empty(parameters('list'))]"), F);
    assert_eq!(ev("[empty(parameters('app'))]"), AVal::unknown());
    assert_eq!(ev("[empty(concat(parameters('app'), 'x'))]"), F);
    assert_eq!(ev("[length('héllo')]"), AVal::Int(5));
    assert_eq!(ev("[length(parameters('list'))]"), AVal::Int(2));
    assert_eq!(ev("[length(parameters('obj'))]"), AVal::Int(2));
    assert_eq!(ev("[length(parameters('app'))]"), AVal::unknown());
    assert_eq!(ev("[length(1)]"), AVal::unknown());
    assert_eq!(ev("[contains('abc', 'b')]"), T);
    assert_eq!(ev("[contains('abc', 'B')]"), F);
    assert_eq!(ev("[contains(parameters('list'), 'b')]"), T);
    assert_eq!(ev("[contains(parameters('list'), 'B')]"), F);
    assert_eq!(ev("[contains(parameters('obj'), 'NAME')]"), T);
    assert_eq!(ev("[contains(parameters('obj'), 'zzz')]"), F);
    assert_eq!(
        ev("[contains(createArray(parameters('app')), 'a')]"),
        AVal::unknown()
    );
    assert_eq!(
        ev("[contains(createArray(parameters('app'), 'a'), 'a')]"),
        T
    );
    assert_eq!(
        ev("[contains(concat(parameters('app'), '.azurewebsites.net'), 'azurewebsites')]"),
        T
    );
    assert_eq!(
        ev("[contains(concat(parameters('app'), '.net'), 'azure')]"),
        AVal::unknown()
    );
    assert_eq!(
        ev("[union(createArray(1, 2), createArray(2, 3))]"),
        ints(&[1, 2, 3])
    );
    assert_eq!(
        ev("[union(json('{\"a\":1,\"n\":{\"x\":1,\"y\":1}}'), json('{\"b\":2,\"n\":{\"y\":2}}'))]"),
        AVal::Object(vec![
            ("a".into(), AVal::Int(1)),
            (
                "n".into(),
                AVal::Object(vec![("x".into(), AVal::Int(1)), ("y".into(), AVal::Int(2))])
            ),
            ("b".into(), AVal::Int(2)),
        ])
    );
    assert_eq!(
        ev("[union(createArray(1), parameters('app'))]"),
        AVal::unknown()
    );
    assert_eq!(
        ev("[union(createArray(parameters('app')), createArray(1))]"),
        AVal::unknown()
    );
    assert_eq!(
        ev("[intersection(createArray(1, 2, 3), createArray(3, 2, 9))]"),
        ints(&[2, 3])
    );
    assert_eq!(
        ev("[intersection(json('{\"a\":1,\"b\":2}'), json('{\"a\":1,\"b\":3}'))]"),
        AVal::Object(vec![("a".into(), AVal::Int(1))])
    );
    assert_eq!(
        ev("[intersection(createArray(1), parameters('app'))]"),
        AVal::unknown()
    );
    assert_eq!(
        ev("[createObject('a', 1, 'b', parameters('app'))]"),
        AVal::Object(vec![
            ("a".into(), AVal::Int(1)),
            ("b".into(), AVal::unknown())
        ])
    );
    assert_eq!(ev("[createObject('a')]"), AVal::unknown());
    assert_eq!(ev("[createObject(1, 2)]"), AVal::unknown());
    assert_eq!(
        ev("[createArray(1, 'a')]"),
        arr(vec![AVal::Int(1), st("a")])
    );
    assert_eq!(ev("[createArray()]"), arr(vec![]));
    assert_eq!(ev("[first(parameters('list'))]"), st("a"));
    assert_eq!(ev("[last(parameters('list'))]"), st("b"));
    assert_eq!(ev("[first('xyz')]"), st("x"));
    assert_eq!(ev("[last('xyz')]"), st("z"));
    assert_eq!(ev("[first(createArray())]"), AVal::unknown());
    assert_eq!(ev("[first(concat('h', parameters('app')))]"), st("h"));
    assert_eq!(ev("[last(concat(parameters('app'), '.net'))]"), st("t"));
    assert_eq!(ev("[last(parameters('app'))]"), AVal::unknown());
    assert_eq!(ev("[take(createArray(1, 2, 3), 2)]"), ints(&[1, 2]));
    assert_eq!(ev("[take('abc', 5)]"), st("abc"));
    assert_eq!(ev("[take('abc', -1)]"), st(""));
    assert_eq!(
        ev("[take(concat('https://', parameters('app')), 5)]"),
        st("https")
    );
    assert_eq!(
        ev("[take(concat('h', parameters('app')), 5)]"),
        AVal::unknown()
    );
    assert_eq!(ev("[skip(createArray(1, 2, 3), 2)]"), ints(&[3]));
    assert_eq!(ev("[skip('abc', 1)]"), st("bc"));
    assert_eq!(ev("[skip(parameters('app'), 1)]"), AVal::unknown());
    assert_eq!(ev("[array('a')]"), strs(&["a"]));
    assert_eq!(ev("[array(parameters('list'))]"), strs(&["a", "b"]));
    assert_eq!(ev("[array(parameters('app'))]"), AVal::unknown());
    assert_eq!(
        ev("[items(json('{\"b\":2,\"A\":1}'))]"),
        arr(vec![
            AVal::Object(vec![
                ("key".into(), st("A")),
                ("value".into(), AVal::Int(1))
            ]),
            AVal::Object(vec![
                ("key".into(), st("b")),
                ("value".into(), AVal::Int(2))
            ]),
        ])
    );
    assert_eq!(ev("[items(parameters('obj'))[0].key]"), st("Inner"));
    assert_eq!(
        ev("[objectKeys(parameters('obj'))]"),
        strs(&["Name", "Inner"])
    );
    assert_eq!(ev("[range(2, 3)]"), ints(&[2, 3, 4]));
    assert_eq!(ev("[range(0, 0)]"), ints(&[]));
    assert_eq!(ev("[range(0, 100000)]"), AVal::unknown());
    assert_eq!(ev("[range(0, -1)]"), AVal::unknown());
}

#[test]
fn conversions() {
    assert_eq!(
        ev("[json('{\"a\": [1, true, null, \"s\"]}')]"),
        AVal::Object(vec![(
            "a".into(),
            arr(vec![AVal::Int(1), T, AVal::Null, st("s")])
        )])
    );
    assert_eq!(ev("[json('1.5')]"), AVal::unknown());
    assert_eq!(ev("[json('{bad')]"), AVal::unknown());
    assert_eq!(ev("[json('null')]"), AVal::Null);
    let deep = format!("[json('{}{}')]", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(ev(&deep), AVal::unknown());
    assert_eq!(ev("[string(1)]"), st("1"));
    assert_eq!(ev("[string(true())]"), st("True"));
    assert_eq!(ev("[string('s')]"), st("s"));
    assert_eq!(ev("[string(createArray(1, 'a'))]"), st("[1,\"a\"]"));
    assert_eq!(
        ev("[string(concat(parameters('app'), '.net'))]"),
        unk("", ".net")
    );
    assert_eq!(
        ev("[string(createArray(parameters('app')))]"),
        AVal::unknown()
    );
    assert_eq!(ev("[int('42')]"), AVal::Int(42));
    assert_eq!(ev("[int(7)]"), AVal::Int(7));
    assert_eq!(ev("[int('x')]"), AVal::unknown());
    assert_eq!(ev("[bool('TRUE')]"), T);
    assert_eq!(ev("[bool(0)]"), F);
    assert_eq!(ev("[bool('maybe')]"), AVal::unknown());
    assert_eq!(ev("[float(1)]"), AVal::unknown());
}

#[test]
fn strings() {
    assert_eq!(ev("[toLower('AbC')]"), st("abc"));
    assert_eq!(ev("[toUpper('AbC')]"), st("ABC"));
    assert_eq!(
        ev("[toLower(concat('X', parameters('app'), '.NET'))]"),
        unk("x", ".net")
    );
    assert_eq!(ev("[toLower(1)]"), AVal::unknown());
    assert_eq!(ev("[trim('  a b ')]"), st("a b"));
    assert_eq!(
        ev("[trim(concat(' a ', parameters('app'), ' b '))]"),
        unk("a", "b")
    );
    assert_eq!(ev("[replace('a-b-c', '-', '.')]"), st("a.b.c"));
    assert_eq!(ev("[replace('abc', '', 'x')]"), AVal::unknown());
    assert_eq!(
        ev("[replace(parameters('app'), 'a', 'b')]"),
        AVal::unknown()
    );
    assert_eq!(ev("[split('a,b,,c', ',')]"), strs(&["a", "b", "", "c"]));
    assert_eq!(
        ev("[split('a,b;c', createArray(',', ';'))]"),
        strs(&["a", "b", "c"])
    );
    assert_eq!(ev("[split('é/ü', '/')]"), strs(&["é", "ü"]));
    assert_eq!(ev("[split('/subscriptions/x/rg', '/')[2]]"), st("x"));
    assert_eq!(ev("[split(parameters('app'), '/')]"), AVal::unknown());
    assert_eq!(ev("[join(createArray('a', 'b'), ',')]"), st("a,b"));
    assert_eq!(
        ev("[join(createArray('a', parameters('app'), 'c'), '.')]"),
        unk("a.", ".c")
    );
    assert_eq!(
        ev("[join(createArray(createArray()), ',')]"),
        AVal::unknown()
    );
    assert_eq!(ev("[substring('hello', 1, 3)]"), st("ell"));
    assert_eq!(ev("[substring('hello', 2)]"), st("llo"));
    assert_eq!(ev("[substring('hello', 4, 5)]"), AVal::unknown());
    assert_eq!(ev("[substring('hello', -1, 1)]"), AVal::unknown());
    assert_eq!(
        ev("[substring('hello', -9223372036854775807)]"),
        AVal::unknown()
    );
    assert_eq!(ev("[substring('hello', 9)]"), AVal::unknown());
    assert_eq!(ev("[substring('hello', 5)]"), st(""));
    assert_eq!(ev("[substring('hello', 1, -1)]"), AVal::unknown());
    assert_eq!(ev("[indexOf('Hello', 'L')]"), AVal::Int(2));
    assert_eq!(ev("[lastIndexOf('Hello', 'l')]"), AVal::Int(3));
    assert_eq!(ev("[indexOf('Hello', 'z')]"), AVal::Int(-1));
    assert_eq!(ev("[indexOf(createArray('a', 'b'), 'b')]"), AVal::Int(1));
    assert_eq!(ev("[lastIndexOf(createArray(1, 2, 1), 1)]"), AVal::Int(2));
    assert_eq!(ev("[indexOf(createArray('a'), 'A')]"), AVal::Int(-1));
    assert_eq!(ev("[startsWith('Https://x', 'https')]"), T);
    assert_eq!(
        ev("[endsWith('x.AzureWebsites.net', '.azurewebsites.NET')]"),
        T
    );
    assert_eq!(ev("[endsWith('x.com', '.net')]"), F);
    assert_eq!(
        ev("[endsWith(concat(parameters('app'), '.azurewebsites.net'), '.net')]"),
        T
    );
    assert_eq!(
        ev("[endsWith(concat(parameters('app'), '.azurewebsites.net'), '.com')]"),
        F
    );
    assert_eq!(
        ev("[endsWith(concat(parameters('app'), '.net'), 'websites.net')]"),
        AVal::unknown()
    );
    assert_eq!(
        ev("[startsWith(concat('https://', parameters('app')), 'http')]"),
        T
    );
    assert_eq!(
        ev("[startsWith(concat('https://', parameters('app')), 'ftp')]"),
        F
    );
    assert_eq!(ev("[startsWith(parameters('app'), 'x')]"), AVal::unknown());
}

#[test]
fn coalesce_and_copy_index() {
    assert_eq!(ev("[coalesce(parameters('nul'), 'a', 'b')]"), st("a"));
    assert_eq!(
        ev("[coalesce(parameters('nul'), parameters('nul'))]"),
        AVal::Null
    );
    assert_eq!(ev("[coalesce(parameters('app'), 'a')]"), AVal::unknown());
    assert_eq!(ev("[coalesce('a', parameters('app'))]"), st("a"));
    assert_eq!(ev("[copyIndex()]"), AVal::Int(2));
    assert_eq!(ev("[copyIndex(1)]"), AVal::Int(3));
    assert_eq!(ev("[copyIndex('outer')]"), AVal::Int(7));
    assert_eq!(ev("[copyIndex('outer', 10)]"), AVal::Int(17));
    assert_eq!(ev("[copyIndex('nowhere')]"), AVal::unknown());
    let no_loop = TestScope {
        copy: None,
        ..scope()
    };
    assert_eq!(
        evaluate("[copyIndex()]", &no_loop).unwrap().value,
        AVal::unknown()
    );
    assert_eq!(ev("[concat('sub-', copyIndex(1))]"), st("sub-3"));
}

#[test]
fn numbers() {
    assert_eq!(ev("[add(1, 2)]"), AVal::Int(3));
    assert_eq!(ev("[sub(1, 2)]"), AVal::Int(-1));
    assert_eq!(ev("[mul(3, -2)]"), AVal::Int(-6));
    assert_eq!(ev("[div(7, 2)]"), AVal::Int(3));
    assert_eq!(ev("[div(-7, 2)]"), AVal::Int(-3));
    assert_eq!(ev("[div(1, 0)]"), AVal::unknown());
    assert_eq!(ev("[mod(7, 3)]"), AVal::Int(1));
    assert_eq!(ev("[mod(7, 0)]"), AVal::unknown());
    assert_eq!(ev("[add(9223372036854775807, 1)]"), AVal::unknown());
    assert_eq!(ev("[add(parameters('port'), 1)]"), AVal::Int(444));
    assert_eq!(ev("[add(parameters('app'), 1)]"), AVal::unknown());
    assert_eq!(ev("[less(1, 2)]"), T);
    assert_eq!(ev("[lessOrEquals(2, 2)]"), T);
    assert_eq!(ev("[greater(1, 2)]"), F);
    assert_eq!(ev("[greaterOrEquals('b', 'a')]"), T);
    assert_eq!(ev("[less(1, 'a')]"), AVal::unknown());
    assert_eq!(ev("[min(3, 1, 2)]"), AVal::Int(1));
    assert_eq!(ev("[max(createArray(3, 9, 2))]"), AVal::Int(9));
    assert_eq!(ev("[max(1, parameters('app'))]"), AVal::unknown());
    assert_eq!(ev("[min()]"), AVal::unknown());
}

#[test]
fn wrong_arity_and_types_are_unknown_not_errors() {
    for s in [
        "[equals('a')]",
        "[not(1, 2)]",
        "[length()]",
        "[substring(1)]",
        "[toLower()]",
        "[parameters()]",
        "[parameters(1)]",
        "[concat()]",
        "[add('a', 1)]",
        "[split(1, ',')]",
        "[reference()]",
    ] {
        assert_eq!(ev(s), AVal::unknown(), "{s}");
    }
}

#[test]
fn syntax_errors() {
    let e = err("[concat('a', ]");
    assert_eq!(e.offset, 13);
    let e = err("[concat('a']");
    assert!(
        e.message.contains("unterminated string") || e.message.contains("unclosed"),
        "{e:?}"
    );
    let e = err("[]");
    assert_eq!(e.message, "empty expression");
    let e = err("[concat('a') concat('b')]");
    assert_eq!(e.offset, 13);
    let e = err("[parameters('a'.)]");
    assert_eq!(e.offset, 16);
}

#[test]
fn depth_limit() {
    let deep = format!("[{}'x'{}]", "concat(".repeat(500), ")".repeat(500));
    let e = err(&deep);
    assert!(e.message.contains("deeper than 128"), "{e:?}");
    let ok = format!("[{}'x'{}]", "concat(".repeat(100), ")".repeat(100));
    assert_eq!(ev(&ok), st("x"));
    let members = format!("[parameters('obj'){}]", ".a".repeat(5000));
    assert!(evaluate(&members, &scope()).is_err());
}

#[test]
fn size_and_depth_guards() {
    let eleven = ["range(0, 10000)"; 11].join(", ");
    assert_eq!(ev(&format!("[concat({eleven})]")), AVal::unknown());
    assert_eq!(ev(&format!("[union({eleven})]")), AVal::unknown());
    assert_eq!(
        ev("[length(concat(range(0, 10000), range(0, 10000)))]"),
        AVal::Int(20_000)
    );
    let mut deep = AVal::Int(0);
    for _ in 0..crate::frontend::arm::value::MAX_VALUE_DEPTH {
        deep = AVal::Array(vec![deep]);
    }
    let s = TestScope {
        params: vec![("deep", deep)],
        ..scope()
    };
    let e = |x: &str| evaluate(x, &s).unwrap().value;
    assert_eq!(e("[createArray(parameters('deep'))]"), AVal::unknown());
    assert_eq!(
        e("[createObject('a', parameters('deep'))]"),
        AVal::unknown()
    );
    assert!(matches!(
        e("[createArray(parameters('deep')[0])]"),
        AVal::Array(_)
    ));
    let big = "x".repeat(600_000);
    let s2 = TestScope {
        params: vec![("big", AVal::Str(big))],
        ..scope()
    };
    assert_eq!(
        evaluate("[concat(parameters('big'), parameters('big'))]", &s2)
            .unwrap()
            .value,
        AVal::unknown()
    );
    assert_eq!(
        evaluate("[replace(parameters('big'), 'x', 'yy')]", &s2)
            .unwrap()
            .value,
        AVal::unknown()
    );
}

#[test]
fn if_keeps_identical_runtime_branches() {
    let v = ev(
        "[if(parameters('app'), reference('fn').defaultHostName, reference('fn').defaultHostName)]",
    );
    assert!(matches!(v, AVal::Runtime(_)), "{v:?}");
}

/// Every expression in the real templates of the corpus parses, and evaluating it with a
/// scope that knows nothing never panics. Skipped when the corpus is not present.
#[test]
fn corpus_expressions_parse() {
    use crate::frontend::arm::json::{self, JKind, JNode};

    struct Blind;
    impl Scope for Blind {
        fn parameter(&self, _: &str) -> Option<(AVal, Option<Origin>)> {
            Some((AVal::unknown(), None))
        }
        fn variable(&self, _: &str) -> Option<(AVal, Option<Origin>)> {
            Some((AVal::unknown(), None))
        }
        fn copy_index(&self, _: Option<&str>) -> Option<i64> {
            None
        }
        fn reference(&self, _: &AVal, _: bool) -> AVal {
            runtime("x", "y")
        }
    }

    fn walk(n: &JNode, out: &mut Vec<String>) {
        match &n.kind {
            JKind::Str(s) if is_expression(s) => out.push(s.to_string()),
            JKind::Array(a) => a.iter().for_each(|e| walk(e, out)),
            JKind::Object(o) => o.iter().for_each(|p| walk(&p.value, out)),
            _ => {}
        }
    }

    let root = std::env::var("AGWLINT_CORPUS").unwrap_or_else(|_| "../shared/corpus".into());
    let dir = std::path::Path::new(&root).join("arm");
    if !dir.is_dir() {
        eprintln!("corpus not found at {}; skipped", dir.display());
        return;
    }
    let (mut files, mut exprs) = (0, 0);
    let mut failures = Vec::new();
    for entry in walkdir::WalkDir::new(&dir).into_iter().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let raw = std::fs::read_to_string(path).unwrap();
        let text = raw.strip_prefix('\u{feff}').unwrap_or(&raw);
        let doc = match json::parse(text, crate::source::FileId(0)) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{}: json: {e:?}", path.display()));
                continue;
            }
        };
        files += 1;
        let mut strings = Vec::new();
        walk(&doc.root, &mut strings);
        for s in strings {
            exprs += 1;
            if let Err(e) = evaluate(&s, &Blind) {
                failures.push(format!("{}: {s}: {e:?}", path.display()));
            }
        }
    }
    eprintln!("corpus: {files} files, {exprs} expressions");
    assert!(files > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn try_get_and_merges() {
    assert_eq!(ev("[tryGet(parameters('obj'), 'name')]"), st("x"));
    assert_eq!(ev("[tryGet(parameters('obj'), 'zzz')]"), AVal::Null);
    assert_eq!(
        ev("[tryGet(parameters('obj'), 'inner', 'v')]"),
        AVal::Int(1)
    );
    assert_eq!(ev("[tryGet(parameters('obj'), 'zzz', 'v')]"), AVal::Null);
    assert_eq!(
        ev("[tryGet(tryGet(parameters('obj'), 'zzz'), 'v')]"),
        AVal::Null
    );
    assert_eq!(ev("[tryGet(parameters('list'), 1)]"), st("b"));
    assert_eq!(ev("[tryGet(parameters('list'), 9)]"), AVal::Null);
    assert_eq!(ev("[tryGet(parameters('app'), 'x')]"), AVal::unknown());
    assert_eq!(
        ev("[coalesce(tryGet(parameters('obj'), 'port'), 80)]"),
        AVal::Int(80)
    );
    let v = ev("[tryGet(reference('fn'), 'defaultHostName')]");
    assert!(matches!(v, AVal::Runtime(ref r) if r.path == ["properties", "defaultHostName"]));
    assert_eq!(
        ev("[shallowMerge(createArray(json('{\"a\":1,\"b\":1}'), json('{\"B\":2}')))]"),
        AVal::Object(vec![("a".into(), AVal::Int(1)), ("B".into(), AVal::Int(2))])
    );
    assert_eq!(ev("[padLeft(7, 3, '0')]"), st("007"));
    assert_eq!(ev("[padLeft('ab', 4)]"), st("  ab"));
    assert_eq!(ev("[padLeft('abcd', 2, '0')]"), st("abcd"));
}

#[test]
fn lambdas() {
    assert_eq!(
        ev("[map(createArray(1, 2), lambda('x', add(lambdaVariables('x'), 10)))]"),
        ints(&[11, 12])
    );
    assert_eq!(
        ev(
            "[map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), string(lambdaVariables('i')))))]"
        ),
        strs(&["a0", "b1"])
    );
    assert_eq!(
        ev("[filter(range(0, 6), lambda('n', equals(mod(lambdaVariables('n'), 2), 0)))]"),
        ints(&[0, 2, 4])
    );
    assert_eq!(
        ev("[filter(createArray(1), lambda('n', parameters('app')))]"),
        AVal::unknown()
    );
    assert_eq!(
        ev(
            "[reduce(createArray(1, 2, 3), 0, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]"
        ),
        AVal::Int(6)
    );
    assert_eq!(
        ev(
            "[toObject(createArray('a', 'b'), lambda('k', lambdaVariables('k')), lambda('k', toUpper(lambdaVariables('k'))))]"
        ),
        AVal::Object(vec![("a".into(), st("A")), ("b".into(), st("B"))])
    );
    assert_eq!(
        ev("[map(parameters('app'), lambda('x', lambdaVariables('x')))]"),
        AVal::unknown()
    );
    assert_eq!(ev("[map(createArray(1), 'notalambda')]"), AVal::unknown());
    // Nested lambdas see their own and outer variables.
    assert_eq!(
        ev(
            "[map(createArray(1, 2), lambda('x', map(createArray(10), lambda('y', add(lambdaVariables('x'), lambdaVariables('y'))))))]"
        ),
        arr(vec![ints(&[11]), ints(&[12])])
    );
    // Outside any lambda.
    assert_eq!(ev("[lambdaVariables('x')]"), AVal::unknown());
    // A body error is still an error.
    assert!(
        evaluate(
            "[map(createArray(1), lambda('x', parameters('nope')))]",
            &scope()
        )
        .is_err()
    );
}

#[test]
fn lambda_budget_stops_runaway_loops() {
    let start = std::time::Instant::now();
    let v = ev("[map(range(0, 10000), lambda('x', map(range(0, 10000), lambda('y', 1))))]");
    assert_eq!(v, AVal::unknown());
    // Generous bound; the point is that 10^8 evaluations are not attempted.
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

/// Deterministic random inputs: evaluation never panics, whatever the text.
#[test]
fn random_expressions_never_panic() {
    const ATOMS: &[&str] = &[
        "concat(",
        "format(",
        "'{0}'",
        "resourceId(",
        "'a/b'",
        "'x'",
        "''",
        "'",
        ")",
        "(",
        ",",
        "[",
        "]",
        ".",
        "-1",
        "0",
        "99",
        "parameters('obj')",
        "parameters('app')",
        "parameters('list')",
        "if(",
        "true()",
        "substring(",
        "split(",
        "take(",
        "skip(",
        "json(",
        "'[1,[2]]'",
        "union(",
        "createArray(",
        "createObject(",
        "range(",
        "map(",
        "lambda('x', ",
        "lambdaVariables('x')",
        "tryGet(",
        "coalesce(",
        "reference('fn')",
        "equals(",
        "é",
        " ",
        "padLeft(",
        "indexOf(",
        "lastIndexOf(",
        "replace(",
        "first(",
        "last(",
        "min(",
        "max(",
        "div(",
        "mod(",
        "copyIndex(",
        "items(",
        "string(",
        "int(",
        "toLower(",
        "trim(",
        "startsWith(",
        "endsWith(",
        "contains(",
        "extensionResourceId(",
        "format('{0:D5}', ",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let s = scope();
    for _ in 0..20_000 {
        let n = (next() % 12) as usize + 1;
        let mut text = String::from("[");
        for _ in 0..n {
            text.push_str(ATOMS[(next() % ATOMS.len() as u64) as usize]);
        }
        // Often close the open parentheses so deeper evaluation paths run too.
        if next() % 2 == 0 {
            let open = text
                .matches('(')
                .count()
                .saturating_sub(text.matches(')').count());
            text.push_str(&")".repeat(open));
        }
        text.push(']');
        let _ = evaluate(&text, &s);
    }
}
