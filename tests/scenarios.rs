//! Scenarios modelled on the real case behind agwlint: a Function App behind a v2 Application
//! Gateway. `scenarios/base.json` and `scenarios/base_tf/` are the same infrastructure, done
//! right: they must give no warning or error at all. Each variant introduces one 502 cause into
//! both and must give exactly the expected rule IDs, the same for ARM and Terraform
//! (cross-front-end parity).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use agwlint::finding::Severity;
use agwlint::source::SourceMap;
use agwlint::{LintOptions, Report, lint};
use serde_json::{Value, json};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios")
}

fn run(path: &Path) -> Report {
    let sources = SourceMap::new();
    lint(&[path.to_path_buf()], &LintOptions::default(), &sources).unwrap()
}

/// Rule IDs of warnings and errors (infos are hygiene notes, reported but not counted here).
fn ids(r: &Report) -> BTreeSet<String> {
    r.findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| f.rule.to_string())
        .collect()
}

enum ArmEdit {
    Set(&'static str, Value),
    Remove(&'static str),
    Push(&'static str, Value),
}

struct Variant {
    name: &'static str,
    expect: &'static [&'static str],
    arm: Vec<ArmEdit>,
    /// (find, replace) on base_tf/main.tf; `find` must occur exactly once.
    tf: Vec<(&'static str, &'static str)>,
}

fn apply_arm(edits: &[ArmEdit]) -> String {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("base.json")).unwrap()).unwrap();
    for e in edits {
        match e {
            ArmEdit::Set(p, val) => {
                let (parent, key) = p.rsplit_once('/').unwrap();
                let obj = v
                    .pointer_mut(parent)
                    .unwrap_or_else(|| panic!("no {parent}"));
                match obj {
                    Value::Object(m) => {
                        m.insert(key.to_string(), val.clone());
                    }
                    Value::Array(a) => a[key.parse::<usize>().unwrap()] = val.clone(),
                    _ => panic!("{parent} is not a container"),
                }
            }
            ArmEdit::Remove(p) => {
                let (parent, key) = p.rsplit_once('/').unwrap();
                match v.pointer_mut(parent).unwrap() {
                    Value::Object(m) => assert!(m.remove(key).is_some(), "nothing at {p}"),
                    Value::Array(a) => {
                        a.remove(key.parse::<usize>().unwrap());
                    }
                    _ => panic!(),
                }
            }
            ArmEdit::Push(p, val) => v
                .pointer_mut(p)
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(val.clone()),
        }
    }
    serde_json::to_string_pretty(&v).unwrap()
}

fn apply_tf(edits: &[(&str, &str)]) -> String {
    let mut s = std::fs::read_to_string(dir().join("base_tf/main.tf")).unwrap();
    for (find, replace) in edits {
        assert_eq!(
            s.matches(find).count(),
            1,
            "`{find}` must occur once in base_tf/main.tf"
        );
        s = s.replace(find, replace);
    }
    s
}

fn variants() -> Vec<Variant> {
    use ArmEdit::*;
    vec![
        Variant {
            name: "v1-sku",
            expect: &["AGW001"],
            arm: vec![
                Set(
                    "/resources/5/properties/sku",
                    json!({"name": "Standard_Medium", "tier": "Standard", "capacity": 2}),
                ),
                Remove("/resources/5/properties/autoscaleConfiguration"),
            ],
            tf: vec![
                (
                    "    name = \"Standard_v2\"\n    tier = \"Standard_v2\"\n",
                    "    name     = \"Standard_Medium\"\n    tier     = \"Standard\"\n    capacity = 2\n",
                ),
                (
                    "  autoscale_configuration {\n    min_capacity = 2\n    max_capacity = 10\n  }\n",
                    "",
                ),
            ],
        },
        Variant {
            name: "host-header-not-picked",
            expect: &["AGW010", "AGW016"],
            arm: vec![Set(
                "/resources/5/properties/backendHttpSettingsCollection/0/properties/pickHostNameFromBackendAddress",
                json!(false),
            )],
            tf: vec![(
                "pick_host_name_from_backend_address = true",
                "pick_host_name_from_backend_address = false",
            )],
        },
        Variant {
            name: "empty-pool",
            expect: &["AGW006"],
            arm: vec![Set(
                "/resources/5/properties/backendAddressPools/0/properties/backendAddresses",
                json!([]),
            )],
            tf: vec![(
                "fqdns = [azurerm_linux_function_app.fn.default_hostname]",
                "fqdns = []",
            )],
        },
        Variant {
            name: "rule-points-at-missing-pool",
            expect: &["AGW023"],
            arm: vec![Set(
                "/resources/5/properties/requestRoutingRules/0/properties/backendAddressPool",
                json!({"id": "[resourceId('Microsoft.Network/applicationGateways/backendAddressPools', variables('gwName'), 'missing-pool')]"}),
            )],
            tf: vec![(
                "backend_address_pool_name  = \"func-pool\"",
                "backend_address_pool_name  = \"missing-pool\"",
            )],
        },
        Variant {
            name: "nsg-blocks-gatewaymanager",
            expect: &["AGW027"],
            arm: vec![Remove("/resources/2/properties/securityRules/0")],
            tf: vec![(
                "    destination_port_range     = \"65200-65535\"",
                "    destination_port_range     = \"65000\"",
            )],
        },
        Variant {
            name: "forced-tunnelling",
            expect: &["AGW030"],
            arm: vec![
                Push(
                    "/resources",
                    json!({
                        "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01", "name": "agw-rt",
                        "location": "[parameters('location')]",
                        "properties": { "routes": [ { "name": "default-to-firewall", "properties": {
                            "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.1.4" } } ] }
                    }),
                ),
                Set(
                    "/resources/3/properties/subnets/0/properties/routeTable",
                    json!({"id": "[resourceId('Microsoft.Network/routeTables', 'agw-rt')]"}),
                ),
            ],
            tf: vec![(
                "resource \"azurerm_public_ip\" \"agw\" {",
                "resource \"azurerm_route_table\" \"agw\" {\n  name                = \"agw-rt\"\n  resource_group_name = azurerm_resource_group.rg.name\n  location            = var.location\n\n  route {\n    name                   = \"default-to-firewall\"\n    address_prefix         = \"0.0.0.0/0\"\n    next_hop_type          = \"VirtualAppliance\"\n    next_hop_in_ip_address = \"10.0.1.4\"\n  }\n}\n\nresource \"azurerm_subnet_route_table_association\" \"agw\" {\n  subnet_id      = azurerm_subnet.agw.id\n  route_table_id = azurerm_route_table.agw.id\n}\n\nresource \"azurerm_public_ip\" \"agw\" {",
            )],
        },
        Variant {
            name: "function-requires-client-certificates",
            expect: &["AGW041"],
            arm: vec![
                Set("/resources/1/properties/clientCertEnabled", json!(true)),
                Set("/resources/1/properties/clientCertMode", json!("Required")),
            ],
            tf: vec![(
                "client_certificate_enabled = false",
                "client_certificate_enabled = true\n  client_certificate_mode    = \"Required\"",
            )],
        },
        Variant {
            name: "request-timeout-shorter-than-function",
            expect: &["AGW014"],
            arm: vec![Set(
                "/resources/5/properties/backendHttpSettingsCollection/0/properties/requestTimeout",
                json!(20),
            )],
            tf: vec![(
                "request_timeout                     = 180",
                "request_timeout                     = 20",
            )],
        },
        Variant {
            name: "no-access-logs",
            expect: &["AGW044"],
            arm: vec![Remove("/resources/6")],
            tf: vec![(
                "resource \"azurerm_monitor_diagnostic_setting\" \"agw\" {\n  name                       = \"agw-diagnostics\"\n  target_resource_id         = azurerm_application_gateway.gw.id\n  log_analytics_workspace_id = var.workspace_id\n\n  enabled_log {\n    category_group = \"allLogs\"\n  }\n}\n",
                "",
            )],
        },
        Variant {
            name: "probe-path-without-slash",
            expect: &["AGW018"],
            arm: vec![Set(
                "/resources/5/properties/probes/0/properties/path",
                json!("api/health"),
            )],
            tf: vec![(
                "path                                      = \"/api/health\"",
                "path                                      = \"api/health\"",
            )],
        },
        Variant {
            name: "probe-protocol-differs-from-settings",
            expect: &["AGW017"],
            arm: vec![Set(
                "/resources/5/properties/probes/0/properties/protocol",
                json!("Http"),
            )],
            tf: vec![(
                "    protocol                                  = \"Https\"",
                "    protocol                                  = \"Http\"",
            )],
        },
    ]
}

#[test]
fn the_right_setup_gives_no_warning_or_error() {
    let arm = run(&dir().join("base.json"));
    let tf = run(&dir().join("base_tf"));
    let show = |r: &Report| {
        r.findings
            .iter()
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect::<Vec<_>>()
    };
    assert!(ids(&arm).is_empty(), "ARM base: {:#?}", show(&arm));
    assert!(ids(&tf).is_empty(), "Terraform base: {:#?}", show(&tf));
    assert!(arm.files_scanned >= 1 && tf.files_scanned >= 1);
}

#[test]
fn each_single_cause_is_found_the_same_way_in_arm_and_terraform() {
    let tmp = std::env::temp_dir().join(format!("agwlint-scen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let mut problems = Vec::new();
    for v in variants() {
        let d = tmp.join(v.name);
        std::fs::create_dir_all(d.join("tf")).unwrap();
        std::fs::write(d.join("template.json"), apply_arm(&v.arm)).unwrap();
        std::fs::write(d.join("tf/main.tf"), apply_tf(&v.tf)).unwrap();
        let want: BTreeSet<String> = v.expect.iter().map(|s| s.to_string()).collect();
        let arm = ids(&run(&d.join("template.json")));
        let tf = ids(&run(&d.join("tf")));
        if arm != want {
            problems.push(format!("{} (ARM): expected {want:?}, got {arm:?}", v.name));
        }
        if tf != want {
            problems.push(format!(
                "{} (Terraform): expected {want:?}, got {tf:?}",
                v.name
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
