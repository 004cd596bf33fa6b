//! The Bicep front-end end to end: local modules linted through their callers with the values
//! they pass, registry modules opaque, `.bicepparam` values, suppressions, a compiled
//! `main.json` beside its `main.bicep` not linted twice, syntax errors as AGW000.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use agwlint::{LintOptions, lint, source::SourceMap};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-bicep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `(rule, file name, line)` of every finding, plus the labels of secondary spans as
/// `file:line`.
fn findings(paths: &[PathBuf]) -> (Vec<(String, String, usize)>, Vec<String>) {
    let sources = SourceMap::new();
    let report = lint(paths, &LintOptions::default(), &sources).unwrap();
    let mut out = Vec::new();
    let mut related = Vec::new();
    // The test gateways have no diagnostic setting: AGW044 (which judges every gateway) is not
    // what these tests are about.
    for f in report.findings.iter().filter(|f| f.rule != "AGW044") {
        let file = sources.get(f.primary.file).unwrap();
        let name = sources.path(f.primary.file);
        let name = name.rsplit('/').next().unwrap().to_string();
        out.push((
            f.rule.to_string(),
            name,
            file.line_col(f.primary.start as usize).line,
        ));
        for l in &f.related {
            let lf = sources.get(l.span.file).unwrap();
            let ln = sources.path(l.span.file);
            related.push(format!(
                "{}:{}",
                ln.rsplit('/').next().unwrap(),
                lf.line_col(l.span.start as usize).line
            ));
        }
    }
    (out, related)
}

/// A gateway module whose SKU comes from its `sku` parameter (line 9 of the file).
const GATEWAY: &str = "param sku string
param location string = resourceGroup().location

resource agw 'Microsoft.Network/applicationGateways@2023-09-01' = {
  name: 'agw-demo'
  location: location
  properties: {
    sku: {
      name: sku
      tier: 'Standard'
      capacity: 2
    }
  }
}

output gatewayId string = agw.id
";

#[test]
fn a_local_module_is_linted_through_its_caller_with_the_value_it_passes() {
    let d = scratch("module");
    write(&d.join("modules/gateway.bicep"), GATEWAY);
    write(
        &d.join("main.bicep"),
        "module gw './modules/gateway.bicep' = {\n  name: 'gw'\n  params: {\n    sku: 'Standard_Medium'\n  }\n}\n\noutput id string = gw.outputs.gatewayId\n",
    );
    let (got, related) = findings(std::slice::from_ref(&d));
    assert_eq!(
        got,
        [("AGW001".to_string(), "gateway.bicep".to_string(), 9)],
        "{got:?}"
    );
    // The value's origin is the caller's module parameter.
    assert!(related.contains(&"main.bicep:4".to_string()), "{related:?}");
}

#[test]
fn a_registry_module_is_opaque_and_nothing_fires_on_it() {
    let d = scratch("registry");
    write(
        &d.join("main.bicep"),
        "module gw 'br/public:avm/res/network/application-gateway:0.9.0' = {\n  name: 'gw'\n  params: {\n    name: 'agw'\n    sku: 'Standard_Medium'\n  }\n}\n",
    );
    let (got, _) = findings(std::slice::from_ref(&d));
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn bicepparam_values_apply_to_the_template_they_use() {
    let d = scratch("params");
    write(
        &d.join("gateway.bicep"),
        &GATEWAY.replace(
            "tier: 'Standard'",
            "tier: sku == 'Standard_v2' ? 'Standard_v2' : 'Standard'",
        ),
    );
    write(
        &d.join("prod.bicepparam"),
        "using './gateway.bicep'\n\nparam sku = 'Standard_v2'\n",
    );
    write(
        &d.join("dev.bicepparam"),
        "using 'gateway.bicep'\nparam sku = 'Standard_Small'\n",
    );
    let (got, related) = findings(std::slice::from_ref(&d));
    // Only dev's v1 SKU fires; the template is not linted on its own (sku has no default).
    assert_eq!(
        got,
        [("AGW001".to_string(), "gateway.bicep".to_string(), 9)],
        "{got:?}"
    );
    assert!(
        related.contains(&"dev.bicepparam:2".to_string()),
        "{related:?}"
    );
}

#[test]
fn agwlint_ignore_and_disable_next_line_suppress_in_bicep() {
    let d = scratch("suppress");
    let base = GATEWAY.replace("param sku string", "param sku string = 'Standard_Medium'");
    write(
        &d.join("a.bicep"),
        &base.replace(
            "    sku: {",
            "    // agwlint-ignore AGW001: migrating next sprint\n    sku: {",
        ),
    );
    write(
        &d.join("b.bicep"),
        &base.replace(
            "    sku: {",
            "    #disable-next-line no-hardcoded-env-urls AGW001\n    sku: {",
        ),
    );
    for f in ["a.bicep", "b.bicep"] {
        let (got, _) = findings(&[d.join(f)]);
        assert!(got.is_empty(), "{f}: {got:?}");
    }
    // A directive naming a rule that does not fire there is reported as unused.
    write(
        &d.join("c.bicep"),
        &base.replace("    sku: {", "    #disable-next-line AGW010\n    sku: {"),
    );
    let (got, _) = findings(&[d.join("c.bicep")]);
    let rules: Vec<&str> = got.iter().map(|(r, ..)| r.as_str()).collect();
    assert_eq!(rules, ["AGW900", "AGW001"], "{got:?}");
}

#[test]
fn a_compiled_json_beside_its_bicep_is_not_linted_twice() {
    let d = scratch("compiled");
    let base = GATEWAY.replace("param sku string", "param sku string = 'Standard_Medium'");
    write(&d.join("main.bicep"), &base);
    write(
        &d.join("main.json"),
        r#"{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": { "_generator": { "name": "bicep", "version": "0.30.23.60470" } },
  "resources": [ { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01",
    "name": "agw-demo", "properties": { "sku": { "name": "Standard_Medium", "tier": "Standard", "capacity": 2 } } } ] }"#,
    );
    let (got, _) = findings(std::slice::from_ref(&d));
    assert_eq!(
        got,
        [("AGW001".to_string(), "main.bicep".to_string(), 9)],
        "{got:?}"
    );
}

#[test]
fn a_syntax_error_is_agw000_at_its_line_and_other_files_are_linted() {
    let d = scratch("syntax");
    write(
        &d.join("bad.bicep"),
        "param a string\n\nresource x 'T@1' = {\n  name: 'a'\n  b: [1 2]\n}\n",
    );
    write(
        &d.join("good.bicep"),
        &GATEWAY.replace("param sku string", "param sku string = 'Standard_Medium'"),
    );
    let (got, _) = findings(std::slice::from_ref(&d));
    assert_eq!(
        got,
        [
            ("AGW000".to_string(), "bad.bicep".to_string(), 5),
            ("AGW001".to_string(), "good.bicep".to_string(), 9)
        ],
        "{got:?}"
    );
}

#[test]
fn a_bicepparam_named_by_parameters_applies_to_a_bicep_template() {
    let d = scratch("flag");
    write(
        &d.join("gateway.bicep"),
        &GATEWAY
            .replace("param sku string", "param sku string = 'Standard_v2'")
            .replace(
                "tier: 'Standard'",
                "tier: sku == 'Standard_v2' ? 'Standard_v2' : 'Standard'",
            ),
    );
    write(
        &d.join("x.bicepparam"),
        "using 'gateway.bicep'\nparam sku = 'Standard_Small'\n",
    );
    let mut opts = LintOptions::default();
    opts.frontend.parameters = vec![d.join("x.bicepparam")];
    let sources = SourceMap::new();
    let report = lint(&[d.join("gateway.bicep")], &opts, &sources).unwrap();
    let rules: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.rule)
        .filter(|r| *r != "AGW044")
        .collect();
    assert_eq!(rules, ["AGW001"], "{:?}", report.findings);
    // Without it the default (v2) holds.
    let sources = SourceMap::new();
    let report = lint(
        &[d.join("gateway.bicep")],
        &LintOptions::default(),
        &sources,
    )
    .unwrap();
    assert!(
        report.findings.iter().all(|f| f.rule == "AGW044"),
        "{:?}",
        report.findings
    );
}

/// A compiled registry module as `bicep restore` caches it: the gateway's SKU comes from its
/// `sku` parameter; `CACHEDMARK` sits on the SKU line, so a snippet of the file would show it.
const CACHED_GATEWAY: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": { "_generator": { "name": "bicep", "version": "0.30.0" } },
  "parameters": { "name": { "type": "string" }, "sku": { "type": "string" } },
  "resources": [
    {
      "type": "Microsoft.Network/applicationGateways",
      "apiVersion": "2023-09-01",
      "name": "[parameters('name')]",
      "location": "westeurope",
      "properties": {
        "sku": { "name": "[parameters('sku')]", "tier": "Standard", "capacity": 2, "CACHEDMARK": 1 }
      }
    }
  ]
}
"#;

const REGISTRY_CALLER: &str = "module gw 'br/public:avm/res/network/application-gateway:0.9.0' = {\n  name: 'gw'\n  params: {\n    name: 'agw'\n    sku: 'Standard_Medium'\n  }\n}\n";

/// `<cache>/br/mcr.microsoft.com/bicep$avm$res$network$application-gateway/0.9.0$/main.json`.
fn plant_cache(cache: &Path, text: &str) -> PathBuf {
    let main = cache
        .join("br/mcr.microsoft.com/bicep$avm$res$network$application-gateway/0.9.0$/main.json");
    write(&main, text);
    main
}

#[test]
fn a_cached_registry_module_is_linted_and_its_findings_move_to_the_module_declaration() {
    use agwlint::report::{Format, RenderOptions, render};
    let d = scratch("registry-cached");
    let cache = scratch("registry-cache-root");
    plant_cache(&cache, CACHED_GATEWAY);
    write(&d.join("main.bicep"), REGISTRY_CALLER);
    write(
        &d.join("bicepconfig.json"),
        &format!(
            "{{\n  // the CI cache\n  \"cacheRootDirectory\": {:?}\n}}\n",
            cache.to_string_lossy()
        ),
    );
    let (got, related) = findings(std::slice::from_ref(&d));
    // At the `sku` input of the user's declaration (line 5), the value's origin.
    assert_eq!(
        got,
        [("AGW001".to_string(), "main.bicep".to_string(), 5)],
        "{got:?}"
    );
    // The cached location stays as a secondary label (path and line, never its text).
    assert!(related.contains(&"main.json:13".to_string()), "{related:?}");
    let sources = SourceMap::new();
    let report = lint(std::slice::from_ref(&d), &LintOptions::default(), &sources).unwrap();
    for f in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Compact,
    ] {
        let text = render(&report, &sources, f, RenderOptions::default());
        assert!(text.contains("AGW001"), "{f:?}");
        assert!(!text.contains("CACHEDMARK"), "{f:?}: {text}");
    }
    // Without the cache the module is opaque again.
    write(
        &d.join("bicepconfig.json"),
        &format!(
            "{{ \"cacheRootDirectory\": {:?} }}",
            d.join("nowhere").to_string_lossy()
        ),
    );
    let (got, _) = findings(std::slice::from_ref(&d));
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn module_aliases_and_the_default_home_cache_are_used() {
    let d = scratch("registry-alias");
    let home = scratch("registry-home");
    write(
        &home.join(".bicep/br/corp.azurecr.io/infra$gateway/V1$1/main.json"),
        CACHED_GATEWAY,
    );
    write(
        &d.join("bicepconfig.json"),
        r#"{ "moduleAliases": { "br": { "corp": { "registry": "corp.azurecr.io", "modulePath": "infra" } } } }"#,
    );
    write(
        &d.join("infra/main.bicep"),
        &REGISTRY_CALLER.replace(
            "br/public:avm/res/network/application-gateway:0.9.0",
            "br/corp:gateway:V1",
        ),
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(["lint", "--format", "compact"])
        .arg(d.join("infra/main.bicep"))
        .env("HOME", &home)
        .env_remove("USERPROFILE")
        .current_dir(&d)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("main.bicep:5:"), "{text}");
    assert!(text.contains("AGW001"), "{text}");
    assert!(!text.contains("CACHEDMARK"), "{text}");
}

#[test]
fn a_cached_module_linking_out_of_the_cache_is_not_read() {
    let d = scratch("registry-escape");
    let cache = scratch("registry-escape-cache");
    let outside = scratch("registry-escape-outside");
    write(&outside.join("main.json"), CACHED_GATEWAY);
    let main = plant_cache(&cache, "{}");
    std::fs::remove_file(&main).unwrap();
    std::os::unix::fs::symlink(outside.join("main.json"), &main).unwrap();
    write(&d.join("main.bicep"), REGISTRY_CALLER);
    write(
        &d.join("bicepconfig.json"),
        &format!(
            "{{ \"cacheRootDirectory\": {:?} }}",
            cache.to_string_lossy()
        ),
    );
    let sources = SourceMap::new();
    let report = lint(std::slice::from_ref(&d), &LintOptions::default(), &sources).unwrap();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert!(!rules.contains(&"AGW001"), "{rules:?}");
    assert!(rules.contains(&"AGW901"), "{rules:?}");
}

#[test]
fn load_functions_inline_local_files_and_refuse_outside_ones() {
    let base = scratch("load");
    let d = base.join("repo");
    std::fs::create_dir_all(d.join(".git")).unwrap();
    write(&base.join("outside.txt"), "OUTSIDEMARK");
    write(
        &d.join("cfg/sku.json"),
        "{\n  // v1\n  \"name\": \"Standard_Medium\"\n}\n",
    );
    write(&d.join("cfg/sku.txt"), "Standard_Medium");
    write(
        &d.join("cfg/sku.yaml"),
        "gateway:\n  sku: Standard_Medium\n",
    );
    let gw = |file: &str, sku: &str| {
        write(
            &d.join(file),
            &GATEWAY
                .replace("param sku string\n", "")
                .replace("      tier: 'Standard'\n", "")
                .replace("name: sku\n", &format!("name: {sku}\n")),
        );
    };
    gw("json.bicep", "loadJsonContent('cfg/sku.json').name");
    gw("whole.bicep", "loadJsonContent('cfg/sku.json', '$.name')");
    gw("text.bicep", "trim(loadTextContent('cfg/sku.txt'))");
    gw(
        "yaml.bicep",
        "loadYamlContent('cfg/sku.yaml', '$.gateway.sku')",
    );
    gw("outside.bicep", "loadTextContent('../outside.txt')");
    gw("missing.bicep", "loadTextContent('cfg/none.txt')");
    let sources = SourceMap::new();
    let report = lint(std::slice::from_ref(&d), &LintOptions::default(), &sources).unwrap();
    let mut got: Vec<(String, String)> = report
        .findings
        .iter()
        .filter(|f| f.rule != "AGW044")
        .map(|f| {
            let p = sources.path(f.primary.file);
            let line = sources
                .get(f.primary.file)
                .unwrap()
                .line_col(f.primary.start as usize)
                .line;
            (
                f.rule.to_string(),
                format!("{}:{line}", p.rsplit('/').next().unwrap()),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("AGW001", "json.bicep:8"),
            ("AGW001", "sku.json:3"),
            ("AGW001", "text.bicep:8"),
            ("AGW001", "yaml.bicep:8"),
            ("AGW901", "outside.bicep:8"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string())),
        "{got:?}"
    );
    // No byte of the outside file reaches any format.
    use agwlint::report::{Format, RenderOptions, render};
    for f in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Compact,
    ] {
        let text = render(&report, &sources, f, RenderOptions::default());
        assert!(!text.contains("OUTSIDEMARK"), "{f:?}: {text}");
    }
}

#[test]
fn user_functions_imports_and_filtered_loops_are_evaluated() {
    let d = scratch("funcs");
    std::fs::create_dir_all(d.join(".git")).unwrap();
    write(
        &d.join("lib.bicep"),
        "@export()\nvar skus = {\n  old: 'Standard_Medium'\n  new: 'Standard_v2'\n}\n\n@export()\nfunc pick(k string) string => skus[k]\n",
    );
    let gw = |file: &str, head: &str, sku: &str| {
        write(
            &d.join(file),
            &format!(
                "{head}\n{}",
                GATEWAY
                    .replace("param sku string\n", "")
                    .replace("      tier: 'Standard'\n", "")
                    .replace("name: sku\n", &format!("name: {sku}\n"))
            ),
        );
    };
    let func = "func skuName(v1 bool) string => v1 ? 'Standard_Medium' : 'Standard_v2'";
    gw("func_fail.bicep", func, "skuName(true)");
    gw("func_pass.bicep", func, "skuName(false)");
    gw(
        "import_fail.bicep",
        "import {pick as choose} from 'lib.bicep'",
        "choose('old')",
    );
    gw(
        "import_pass.bicep",
        "import * as lib from 'lib.bicep'",
        "lib.skus.new",
    );
    let filtered =
        "var names = [for s in ['Standard_Medium', 'Standard_v2']: if (s != 'Standard_Medium') s]";
    gw("filter_pass.bicep", filtered, "names[0]");
    gw(
        "filter_fail.bicep",
        &filtered.replace("!=", "=="),
        "names[0]",
    );
    gw(
        "import_missing.bicep",
        "import {pick} from 'none.bicep'",
        "pick('old')",
    );
    let (got, _) = findings(std::slice::from_ref(&d));
    let mut files: Vec<String> = got.iter().map(|(r, f, _)| format!("{r} {f}")).collect();
    files.sort();
    assert_eq!(
        files,
        [
            "AGW001 filter_fail.bicep",
            "AGW001 func_fail.bicep",
            "AGW001 import_fail.bicep"
        ],
        "{got:?}"
    );
}
