//! Front-end tests on small configurations written to a temporary directory.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{TfDir, load_dirs};
use crate::frontend::{FrontendOptions, UnitOutput};
use crate::model::{Gateway, Lattice, Model};
use crate::source::SourceMap;

static N: AtomicUsize = AtomicUsize::new(0);

/// A fresh temporary tree with the given files.
fn tree(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "agwlint-tf-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (p, text) in files {
        let f = dir.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, text).unwrap();
    }
    dir
}

/// Every directory with `.tf` files under `root`, as discovery would find them.
fn dirs_of(root: &Path) -> Vec<TfDir> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| crate::discover::is_tf_source(e.path()))
        .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        .collect();
    out.sort();
    out.dedup();
    out.into_iter()
        .map(|p| TfDir {
            display: p.to_string_lossy().into_owned(),
            path: p,
        })
        .collect()
}

fn load_with(files: &[(&str, &str)], opts: &FrontendOptions) -> (Vec<UnitOutput>, SourceMap) {
    let root = tree(files);
    let sources = SourceMap::new();
    let units = load_dirs(&dirs_of(&root), 0, &sources, opts);
    (units, sources)
}

fn load(files: &[(&str, &str)]) -> Model {
    let (units, _) = load_with(files, &FrontendOptions::default());
    let mut m = Model::new();
    for u in units {
        m.extend(u.model);
    }
    m
}

fn names<T>(c: &crate::model::Coll<T>, f: impl Fn(&T) -> Option<String>) -> Vec<String> {
    c.iter().filter_map(f).collect()
}

fn pool_names(g: &Gateway) -> Vec<String> {
    names(&g.pools, |p| p.name.get().cloned())
}

const GW_HEAD: &str = r#"
  name                = "agw"
  location            = "westeurope"
  resource_group_name = "rg"
  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }
"#;

fn gw(body: &str) -> String {
    format!("resource \"azurerm_application_gateway\" \"gw\" {{\n{GW_HEAD}\n{body}\n}}\n")
}

#[test]
fn dynamic_blocks_expand_with_key_value_custom_iterator_and_nesting() {
    let main = format!(
        "{}\n{}",
        r#"
locals {
  pools = { api = ["a.example.com"], web = ["b.example.com", "c.example.com"] }
  probes = [{ name = "p1", codes = ["200"] }, { name = "p2", codes = ["200-399", "401"] }]
}
"#,
        gw(r#"
  dynamic "backend_address_pool" {
    for_each = local.pools
    content {
      name  = "${backend_address_pool.key}-pool"
      fqdns = backend_address_pool.value
    }
  }
  dynamic "probe" {
    for_each = local.probes
    iterator = pr
    content {
      name = pr.value.name
      path = "/health/${pr.key}"
      dynamic "match" {
        for_each = [pr.value.codes]
        content {
          status_code = match.value
        }
      }
    }
  }
"#)
    );
    let m = load(&[("main.tf", &main)]);
    let g = &m.gateways[0];
    assert_eq!(pool_names(g), ["api-pool", "web-pool"]);
    let web = &g.pools.get().unwrap()[1];
    let fq: Vec<_> = web
        .addresses
        .iter()
        .filter_map(|a| a.fqdn.get().cloned())
        .collect();
    assert_eq!(fq, ["b.example.com", "c.example.com"]);
    let probes = g.probes.get().unwrap();
    assert_eq!(probes.len(), 2);
    assert_eq!(probes[0].path.as_str(), Some("/health/0"));
    assert_eq!(probes[1].name.as_str(), Some("p2"));
    assert_eq!(probes[1].has_match.get(), Some(&true));
    let codes: Vec<_> = probes[1]
        .match_status_codes
        .iter()
        .filter_map(|c| c.get().cloned())
        .collect();
    assert_eq!(codes, ["200-399", "401"]);
}

#[test]
fn dynamic_over_unknown_collection_makes_the_collection_unknown() {
    let main = format!(
        "{}\n{}",
        "variable \"pools\" {}\n",
        gw(r#"
  backend_address_pool {
    name = "static"
  }
  dynamic "backend_address_pool" {
    for_each = var.pools
    content {
      name = backend_address_pool.key
    }
  }
"#)
    );
    let m = load(&[("main.tf", &main)]);
    assert!(m.gateways[0].pools.is_unknown());
}

#[test]
fn count_and_for_each_on_resources() {
    let main = r#"
variable "n" {
  default = 2
}
variable "unknown" {}
resource "azurerm_public_ip" "zero" {
  count = 0
  name  = "never"
}
resource "azurerm_public_ip" "two" {
  count = var.n
  name  = "pip-${count.index}"
}
resource "azurerm_public_ip" "maybe" {
  count = var.unknown ? 1 : 0
  name  = "maybe"
}
resource "azurerm_public_ip" "each" {
  for_each = { a = "1", b = "2" }
  name     = "pip-${each.key}-${each.value}"
}
"#;
    let m = load(&[("main.tf", main)]);
    let labels: Vec<_> = m.public_ips.iter().map(|p| p.res.label.clone()).collect();
    assert_eq!(
        labels,
        [
            "azurerm_public_ip.two[0]",
            "azurerm_public_ip.two[1]",
            "azurerm_public_ip.maybe[?]",
            "azurerm_public_ip.each[\"a\"]",
            "azurerm_public_ip.each[\"b\"]",
        ]
    );
    assert_eq!(m.public_ips[1].res.name.as_str(), Some("pip-1"));
    assert!(m.public_ips[2].res.condition.is_unknown());
    assert!(m.public_ips[2].res.may_exist());
    assert_eq!(m.public_ips[4].res.name.as_str(), Some("pip-b-2"));
}

#[test]
fn module_inputs_and_outputs_cross_the_boundary() {
    let root = r#"
variable "app" {
  default = "func-scim"
}
module "net" {
  source = "./modules/net"
  prefix = var.app
}
module "remote" {
  source = "Azure/naming/azurerm"
}
resource "azurerm_application_gateway" "gw" {
  name = module.remote.name
  gateway_ip_configuration {
    name      = "ip"
    subnet_id = module.net.subnet_id
  }
}
"#;
    let net = r#"
variable "prefix" {
  type = string
}
resource "azurerm_subnet" "agw" {
  name             = "${var.prefix}-agw"
  address_prefixes = ["10.0.0.0/24"]
}
output "subnet_id" {
  value = azurerm_subnet.agw.id
}
"#;
    let (units, sources) = load_with(
        &[("main.tf", root), ("modules/net/main.tf", net)],
        &FrontendOptions::default(),
    );
    // The module directory is linted through its caller only.
    assert_eq!(units.len(), 1);
    let u = &units[0];
    assert!(u.notes.iter().any(|n| n.contains("Azure/naming/azurerm")));
    let m = &u.model;
    let sn = &m.subnets[0];
    assert_eq!(sn.res.label, "module.net.azurerm_subnet.agw");
    assert_eq!(sn.res.name.as_str(), Some("func-scim-agw"));
    // The value carries the module input as its origin.
    let o = &sn.res.name.origins;
    assert!(
        o.iter().any(|o| o.label == "module input `prefix`"),
        "{o:?}"
    );
    let inp = o
        .iter()
        .find(|o| o.label == "module input `prefix`")
        .unwrap();
    assert!(sources.path(inp.span.file).ends_with("main.tf"));
    assert!(!sources.path(inp.span.file).contains("modules"));
    // The output resolves to the subnet in the caller.
    let g = &m.gateways[0];
    let ipc = &g.gateway_ip_configs.get().unwrap()[0];
    assert!(matches!(
        m.subnet(&ipc.subnet),
        crate::model::Lookup::Found(_)
    ));
    assert!(g.res.name.is_unknown());
}

#[test]
fn tfvars_precedence_follows_terraform() {
    let main = r#"
variable "a" {
  default = "default"
}
variable "b" {
  default = "default"
}
variable "c" {
  default = "default"
}
variable "d" {
  default = "default"
}
variable "e" {
  default = "default"
}
variable "f" {}
resource "azurerm_public_ip" "p" {
  name  = "${var.a}/${var.b}/${var.c}/${var.d}/${var.e}"
  sku   = var.f
  zones = [var.a]
}
"#;
    let root = tree(&[
        ("main.tf", main),
        (
            "terraform.tfvars",
            "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\ne = \"tfvars\"\n",
        ),
        (
            "a.auto.tfvars",
            "c = \"a-auto\"\nd = \"a-auto\"\ne = \"a-auto\"\n",
        ),
        (
            "b.auto.tfvars.json",
            "{\"d\": \"b-auto\", \"e\": \"b-auto\"}",
        ),
        ("extra.tfvars", "e = \"var-file\"\n"),
    ]);
    let opts = FrontendOptions {
        var_files: vec![root.join("extra.tfvars")],
        vars: vec![("a".into(), "cli".into())],
        ..FrontendOptions::default()
    };
    let sources = SourceMap::new();
    let units = load_dirs(&dirs_of(&root), 0, &sources, &opts);
    let p = &units[0].model.public_ips[0];
    assert_eq!(
        p.res.name.as_str(),
        Some("cli/tfvars/a-auto/b-auto/var-file")
    );
    assert!(p.sku.is_unknown());
    let labels: Vec<_> = p.res.name.origins.iter().map(|o| o.label.clone()).collect();
    assert!(
        labels.contains(&"`b` in terraform.tfvars".to_string()),
        "{labels:?}"
    );
}

#[test]
fn locals_cycles_are_reported_not_looped() {
    let main = r#"
locals {
  a = local.b
  b = "${local.a}-x"
  c = "fine"
}
resource "azurerm_public_ip" "p" {
  name = local.a
  sku  = local.c
}
"#;
    let (units, _) = load_with(&[("main.tf", main)], &FrontendOptions::default());
    let u = &units[0];
    let p = &u.model.public_ips[0];
    assert!(p.res.name.is_unknown());
    assert_eq!(p.sku.as_str(), Some("fine"));
    assert!(u.notes.iter().any(|n| n.contains("cycle")), "{:?}", u.notes);
}

#[test]
fn self_calling_module_is_a_root_and_stops() {
    let main = r#"
module "again" {
  source = "./"
}
resource "azurerm_public_ip" "p" {
  name = "p"
}
"#;
    let (units, _) = load_with(&[("main.tf", main)], &FrontendOptions::default());
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].model.public_ips.len(), 1);
    assert!(units[0].notes.iter().any(|n| n.contains("recursion")));
}

#[test]
fn references_link_resources_and_sites() {
    let main = r#"
resource "azurerm_linux_function_app" "fn" {
  name = "func-a"
}
resource "azurerm_subnet" "s" {
  name = "s"
}
resource "azurerm_network_security_group" "n" {
  name = "nsg"
}
resource "azurerm_network_security_rule" "r" {
  name                        = "allow-gm"
  network_security_group_name = azurerm_network_security_group.n.name
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_address_prefix       = "GatewayManager"
  destination_address_prefix  = "*"
  destination_port_range      = "65200-65535"
  source_port_range           = "*"
}
resource "azurerm_subnet_network_security_group_association" "a" {
  subnet_id                 = azurerm_subnet.s.id
  network_security_group_id = azurerm_network_security_group.n.id
}
resource "azurerm_route_table" "rt" {
  name                          = "rt"
  bgp_route_propagation_enabled = false
}
resource "azurerm_application_gateway" "gw" {
  name = "agw"
  backend_address_pool {
    name  = "p"
    fqdns = [azurerm_linux_function_app.fn.default_hostname, "x.example.com"]
  }
}
"#;
    let m = load(&[("main.tf", main)]);
    let addrs = m.gateways[0].pools.get().unwrap()[0]
        .addresses
        .get()
        .unwrap();
    assert_eq!(addrs.len(), 2);
    assert_eq!(
        addrs[0].source_attribute.as_deref(),
        Some("default_hostname")
    );
    assert!(matches!(
        m.site_of_address(&addrs[0]),
        crate::model::Lookup::Found(_)
    ));
    assert_eq!(addrs[1].fqdn.as_str(), Some("x.example.com"));
    assert_ne!(addrs[0].span, addrs[1].span);
    let sn = &m.subnets[0];
    assert!(matches!(m.nsg(&sn.nsg), crate::model::Lookup::Found(_)));
    assert_eq!(m.nsgs[0].rules.get().map(Vec::len), Some(1));
    assert_eq!(
        m.route_tables[0].disable_bgp_route_propagation.get(),
        Some(&true)
    );
    assert!(matches!(m.sites[0].host_bindings.state, Lattice::Known(_)));
}

#[test]
fn azapi_gateway_bodies_map_like_arm() {
    let main = r#"
resource "azurerm_linux_function_app" "fn" {
  name = "func-a"
}
locals {
  gw_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/agw"
}
resource "azapi_resource" "obj" {
  type = "Microsoft.Network/applicationGateways@2024-05-01"
  name = "agw-obj"
  body = {
    properties = {
      sku = { name = "Standard_Medium", tier = "Standard", capacity = 2 }
      backendAddressPools = [{
        name       = "fn"
        properties = { backendAddresses = [{ fqdn = azurerm_linux_function_app.fn.default_hostname }] }
      }]
      backendHttpSettingsCollection = [{
        name       = "s"
        properties = { port = 443, protocol = "Https", probe = { id = "${local.gw_id}/probes/missing" } }
      }]
      requestRoutingRules = [{
        name = "r"
        properties = {
          ruleType            = "Basic"
          backendAddressPool  = { id = "${local.gw_id}/backendAddressPools/fn" }
          backendHttpSettings = { id = "${local.gw_id}/probes/s" }
        }
      }]
    }
  }
}
resource "azapi_resource" "json" {
  type = "Microsoft.Network/applicationGateways@2020-11-01"
  name = "agw-json"
  body = jsonencode({
    properties = {
      sku = { name = "WAF_v2", tier = "WAF_v2" }
    }
  })
}
resource "azapi_resource" "other" {
  type = "Microsoft.Web/sites@2023-01-01"
  name = "not-a-gateway"
}
"#;
    let m = load(&[("main.tf", main)]);
    assert_eq!(m.gateways.len(), 2);
    let g = &m.gateways[0];
    assert_eq!(g.res.dialect, crate::model::Dialect::Arm);
    assert_eq!(g.sku.name.as_str(), Some("Standard_Medium"));
    assert_eq!(g.api_version.as_str(), Some("2024-05-01"));
    let pool = &g.pools.get().unwrap()[0];
    let addr = &pool.addresses.get().unwrap()[0];
    assert!(matches!(
        m.site_of_address(addr),
        crate::model::Lookup::Found(_)
    ));
    let s = &g.settings.get().unwrap()[0];
    assert_eq!(s.probe.name.as_str(), Some("missing"));
    let r = &g.rules.get().unwrap()[0];
    assert_eq!(r.pool.name.as_str(), Some("fn"));
    assert!(r.settings.mismatch.is_some());
    assert_eq!(m.gateways[1].sku.tier.as_str(), Some("WAF_v2"));
    // Each value points at its own attribute inside `body` (object literal and jsonencode).
    let text = |sp: crate::source::Span| main[sp.range()].to_string();
    assert_eq!(text(s.port.span.unwrap()), "443");
    assert_eq!(text(s.protocol.span.unwrap()), "\"Https\"");
    assert_eq!(
        text(s.probe.name.span.unwrap()),
        "\"${local.gw_id}/probes/missing\""
    );
    assert!(text(pool.span).starts_with("{\n        name       = \"fn\""));
    assert_eq!(
        text(m.gateways[0].sku.name.span.unwrap()),
        "\"Standard_Medium\""
    );
    assert_eq!(text(m.gateways[1].sku.tier.span.unwrap()), "\"WAF_v2\"");
}

#[test]
fn externally_managed_gateway_parts_are_unknown() {
    let main = format!(
        "{}\n{}\n{}",
        gw(r#"
  backend_address_pool {
    name = "placeholder"
  }
  probe {
    name = "p"
  }
  lifecycle {
    ignore_changes = [backend_address_pool, tags["managed-by-k8s-ingress"]]
  }
"#),
        r#"
resource "azurerm_application_gateway" "agic" {
  name = "agic"
  backend_address_pool {
    name = "placeholder"
  }
}
resource "azurerm_kubernetes_cluster" "aks" {
  name = "aks"
  ingress_application_gateway {
    gateway_id = azurerm_application_gateway.agic.id
  }
}
resource "azurerm_application_gateway" "vm" {
  name = "vm"
  backend_address_pool {
    name = "vmss"
  }
}
resource "azurerm_linux_virtual_machine_scale_set" "ss" {
  name = "ss"
  network_interface {
    name = "nic"
    ip_configuration {
      name                                         = "ip"
      application_gateway_backend_address_pool_ids = [azurerm_application_gateway.vm.backend_address_pool[0].id]
    }
  }
}
"#,
        ""
    );
    let m = load(&[("main.tf", &main)]);
    let by = |n: &str| {
        m.gateways
            .iter()
            .find(|g| g.res.name.as_str() == Some(n))
            .unwrap()
    };
    let g = by("agw");
    assert!(g.pools.is_unknown());
    assert!(g.tags.is_unknown());
    assert!(g.probes.is_known());
    assert!(by("agic").pools.is_unknown());
    assert!(by("vm").pools.is_known());
    assert_eq!(m.pool_members.len(), 1);
    let pm = &m.pool_members[0];
    assert!(
        matches!(m.gateway(&pm.gateway), crate::model::Lookup::Found(g) if g.res.name.as_str() == Some("vm"))
    );
}

#[test]
fn nic_association_and_for_each_outputs_resolve() {
    let main = r#"
module "net" {
  source = "./net"
}
resource "azurerm_application_gateway" "main" {
  name = "agw"
  gateway_ip_configuration {
    name      = "ip"
    subnet_id = module.net.subnet_ids["agw"]
  }
  backend_address_pool {
    name = "vms"
  }
}
resource "azurerm_network_interface_application_gateway_backend_address_pool_association" "a" {
  count                   = 2
  network_interface_id    = "nic-${count.index}"
  ip_configuration_name   = "ip"
  backend_address_pool_id = one(azurerm_application_gateway.main.backend_address_pool).id
}
"#;
    let net = r#"
resource "azurerm_subnet" "this" {
  for_each = { agw = "10.0.0.0/24", app = "10.0.1.0/24" }
  name             = each.key
  address_prefixes = [each.value]
}
output "subnet_ids" {
  value = { for k, s in azurerm_subnet.this : k => s.id }
}
"#;
    let m = load(&[("main.tf", main), ("net/main.tf", net)]);
    let g = &m.gateways[0];
    let ipc = &g.gateway_ip_configs.get().unwrap()[0];
    let crate::model::Lookup::Found(sn) = m.subnet(&ipc.subnet) else {
        panic!("subnet not resolved: {:?}", ipc.subnet)
    };
    assert_eq!(sn.res.label, "module.net.azurerm_subnet.this[\"agw\"]");
    assert_eq!(m.pool_members.len(), 2);
    for pm in &m.pool_members {
        assert!(matches!(
            m.gateway(&pm.gateway),
            crate::model::Lookup::Found(_)
        ));
        assert_eq!(pm.pool.as_str(), Some("vms"));
    }
}

#[test]
fn children_named_by_ambiguous_or_unknown_parents_make_the_parent_unknown() {
    let main = r#"
variable "app_name" {}
resource "azurerm_linux_web_app" "known" {
  name = "web-a"
}
resource "azurerm_linux_web_app" "unknown" {
  name = var.app_name
}
resource "azurerm_app_service_custom_hostname_binding" "b" {
  hostname            = "www.contoso.com"
  app_service_name    = "web-b"
  resource_group_name = "rg"
}
resource "azurerm_network_security_group" "n1" {
  name = "nsg"
}
resource "azurerm_network_security_group" "n2" {
  name = "nsg"
}
resource "azurerm_network_security_rule" "r" {
  name                        = "deny"
  network_security_group_name = "nsg"
}
"#;
    let m = load(&[("main.tf", main)]);
    // "web-b" may be the site whose name is Unknown; the site named "web-a" is not it.
    let by = |n: &str| m.sites.iter().find(|s| s.res.label.ends_with(n)).unwrap();
    assert!(by(".unknown").host_bindings.is_unknown());
    assert_eq!(by(".known").host_bindings.items().map(<[_]>::len), Some(0));
    // Two NSGs named "nsg": the rule may belong to either.
    assert!(m.nsgs.iter().all(|n| n.rules.is_unknown()));
}

#[test]
fn module_count_for_each_and_depth_limit() {
    let main = r#"
module "gw" {
  for_each = { east = "Standard_v2", west = "WAF_Medium" }
  source   = "./gw"
  sku      = each.value
}
module "none" {
  count  = 0
  source = "./gw"
  sku    = "Standard_Small"
}
resource "azurerm_public_ip" "p" {
  name = module.gw["west"].sku_out
}
module "deep" {
  source = "./d"
}
"#;
    let gwm = r#"
variable "sku" {}
resource "azurerm_application_gateway" "this" {
  name = "agw"
  sku {
    name = var.sku
  }
}
output "sku_out" {
  value = var.sku
}
"#;
    let mut files: Vec<(String, String)> = vec![
        ("main.tf".into(), main.into()),
        ("gw/main.tf".into(), gwm.into()),
    ];
    // A chain of 20 modules, each calling the next one down.
    let mut p = String::from("d");
    for _ in 0..20 {
        files.push((
            format!("{p}/main.tf"),
            "module \"next\" {\n  source = \"./d\"\n}\n".into(),
        ));
        p.push_str("/d");
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (units, _) = load_with(&refs, &FrontendOptions::default());
    assert_eq!(units.len(), 1);
    let m = &units[0].model;
    let labels: Vec<_> = m.gateways.iter().map(|g| g.res.label.clone()).collect();
    assert_eq!(
        labels,
        [
            "module.gw[\"east\"].azurerm_application_gateway.this",
            "module.gw[\"west\"].azurerm_application_gateway.this",
        ]
    );
    assert_eq!(m.gateways[1].sku.name.as_str(), Some("WAF_Medium"));
    assert_eq!(m.public_ips[0].res.name.as_str(), Some("WAF_Medium"));
    assert!(
        units[0].notes.iter().any(|n| n.contains("nests deeper")),
        "{:?}",
        units[0].notes
    );
}

/// Every `testdata/rules/<ID>/fail*_tf` directory yields exactly rule `<ID>` (at least once),
/// every `pass*_tf` directory nothing; the example yields the four skeleton rules.
#[test]
fn rule_fixtures_fire_exactly_their_rule() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    let mut seen = 0;
    for rule_dir in std::fs::read_dir(&root).unwrap() {
        let rule_dir = rule_dir.unwrap().path();
        let id = rule_dir.file_name().unwrap().to_string_lossy().into_owned();
        for case in std::fs::read_dir(&rule_dir).unwrap() {
            let case = case.unwrap().path();
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            if !case.is_dir() || !name.ends_with("_tf") {
                continue;
            }
            seen += 1;
            let sources = SourceMap::new();
            let report = crate::lint(
                std::slice::from_ref(&case),
                &crate::LintOptions::default(),
                &sources,
            )
            .unwrap();
            let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
            if name.starts_with("fail") {
                assert!(
                    !rules.is_empty() && rules.iter().all(|r| *r == id),
                    "{id}/{name}: {rules:?}"
                );
            } else {
                assert!(rules.is_empty(), "{id}/{name}: {rules:?}");
            }
        }
    }
    assert!(seen >= 11, "only {seen} fixture directories");
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/examples/terraform");
    let sources = SourceMap::new();
    let report = crate::lint(
        std::slice::from_ref(&example),
        &crate::LintOptions::default(),
        &sources,
    )
    .unwrap();
    let mut rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    // The four skeleton causes, the request timeout below the function's 10 minutes (AGW014),
    // and no access logs on either gateway (AGW044).
    assert_eq!(
        rules,
        [
            "AGW001", "AGW006", "AGW010", "AGW014", "AGW023", "AGW044", "AGW044"
        ]
    );
}

#[test]
fn resources_of_a_module_with_unknown_count_may_not_exist() {
    let main =
        "variable \"on\" {}\nmodule \"m\" {\n  count  = var.on ? 1 : 0\n  source = \"./m\"\n}\n";
    let m = load(&[
        ("main.tf", main),
        (
            "m/main.tf",
            "resource \"azurerm_public_ip\" \"p\" {\n  name = \"p\"\n}\n",
        ),
    ]);
    assert_eq!(m.public_ips.len(), 1);
    assert!(m.public_ips[0].res.condition.is_unknown());
    assert_eq!(m.public_ips[0].res.label, "module.m[?].azurerm_public_ip.p");
}

#[test]
fn literal_attributes_of_referenced_resources_resolve_names() {
    let main = r#"
resource "azurerm_virtual_network" "v" {
  name     = "vnet"
  location = azurerm_resource_group.rg.location
}
locals {
  pool = "${azurerm_virtual_network.v.name}-beap"
  loc  = "${azurerm_virtual_network.v.location}-x"
  safe = try("${azurerm_virtual_network.v.id}-x", "fallback")
}
resource "azurerm_application_gateway" "gw" {
  name = "agw"
  backend_address_pool {
    name = local.pool
  }
  backend_address_pool {
    name = local.loc
  }
  backend_address_pool {
    name = local.safe
  }
  backend_address_pool {
    name = "${azurerm_virtual_network.v.name}-direct"
  }
}
"#;
    let m = load(&[("main.tf", main)]);
    let names: Vec<Option<String>> = m.gateways[0]
        .pools
        .iter()
        .map(|p| p.name.get().cloned())
        .collect();
    assert_eq!(
        names,
        [
            Some("vnet-beap".to_string()),
            None,
            None,
            Some("vnet-direct".to_string())
        ]
    );
}

#[test]
fn empty_gateways_next_to_aks_are_left_to_the_ingress_controller() {
    let main = r#"
resource "azurerm_kubernetes_cluster" "aks" {
  name = "aks"
}
resource "azurerm_application_gateway" "agic" {
  name = "agic"
  backend_address_pool {
    name = "placeholder"
  }
}
resource "azurerm_application_gateway" "real" {
  name = "real"
  backend_address_pool {
    name  = "fn"
    fqdns = ["fn.azurewebsites.net"]
  }
}
"#;
    let m = load(&[("main.tf", main)]);
    assert!(m.gateways[0].pools.is_unknown());
    assert!(m.gateways[1].pools.is_known());
}

#[test]
fn app_settings_keep_key_and_value_spans() {
    let main = "resource \"azurerm_linux_function_app\" \"fn\" {\n  name = \"f\"\n  app_settings = {\n    AzureFunctionsJobHost__functionTimeout = \"00:10:00\"\n    \"WEBSITE_RUN_FROM_PACKAGE\" = \"1\"\n  }\n}\n";
    let (units, sources) = load_with(&[("main.tf", main)], &FrontendOptions::default());
    let site = &units[0].model.sites[0];
    let kv = site.app_settings.get().unwrap();
    assert_eq!(kv.len(), 2);
    let text = sources.get(kv[0].span.file).unwrap().text.clone();
    assert_eq!(
        &text[kv[0].span.range()],
        "AzureFunctionsJobHost__functionTimeout"
    );
    assert_eq!(&text[kv[0].value.span.unwrap().range()], "\"00:10:00\"");
    assert_eq!(&text[kv[1].span.range()], "\"WEBSITE_RUN_FROM_PACKAGE\"");
    assert_eq!(kv[1].value.as_str(), Some("1"));
}

#[test]
fn vendored_registry_modules_are_followed() {
    let root = tree(&[
        (
            "main.tf",
            "module \"agw\" {\n  source  = \"Azure/avm-res-network-applicationgateway/azurerm\"\n  version = \"0.4.0\"\n  sku     = \"WAF_Large\"\n}\nmodule \"other\" {\n  source = \"Azure/naming/azurerm\"\n}\n",
        ),
        (
            ".terraform/modules/modules.json",
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"agw","Source":"registry.terraform.io/Azure/avm-res-network-applicationgateway/azurerm","Version":"0.4.0","Dir":".terraform/modules/agw"}]}"#,
        ),
        (
            ".terraform/modules/agw/main.tf",
            "variable \"sku\" {}\nresource \"azurerm_application_gateway\" \"this\" {\n  name = \"agw\"\n  sku {\n    name = var.sku\n  }\n}\n",
        ),
    ]);
    let sources = SourceMap::new();
    let report = crate::lint(
        std::slice::from_ref(&root),
        &crate::LintOptions::default(),
        &sources,
    )
    .unwrap();
    // Only the v1 SKU matters here (the bare gateway also lacks diagnostics: AGW044).
    let hits: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule == "AGW001")
        .map(|f| format!("{} {}", f.rule, sources.path(f.primary.file)))
        .collect();
    assert_eq!(hits.len(), 1, "{hits:?}");
    // Reported at the user's call (the vendored code is never committed).
    assert!(hits[0].ends_with("main.tf") && !hits[0].contains(".terraform"));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("Azure/naming/azurerm"))
    );
}

#[test]
fn non_nullable_variables_take_their_default_for_null_inputs() {
    let main = "module \"m\" {\n  source = \"./m\"\n  a      = null\n  b      = null\n}\n";
    let m_tf = "variable \"a\" {\n  default  = \"dflt\"\n  nullable = false\n}\nvariable \"b\" {\n  default = \"dflt\"\n}\nresource \"azurerm_public_ip\" \"p\" {\n  name = var.a\n  sku  = var.b\n}\n";
    let m = load(&[("main.tf", main), ("m/main.tf", m_tf)]);
    assert_eq!(m.public_ips[0].res.name.as_str(), Some("dflt"));
    assert!(m.public_ips[0].sku.is_absent());
}

#[test]
fn resources_given_to_an_unfollowed_module_are_opaque() {
    let m = load(&[(
        "main.tf",
        r#"
provider "azurerm" {
  features {}
}
resource "azurerm_application_gateway" "gw" {
  name = "agw"
}
resource "azurerm_public_ip" "pip" {
  name = "pip"
}
module "diagnostics" {
  source      = "claranet/diagnostic-settings/azurerm"
  resource_id = azurerm_application_gateway.gw.id
  extra       = { ids = [azurerm_public_ip.pip.id] }
}
"#,
    )]);
    let gw = &m.gateways[0].res.key;
    assert!(m.is_opaque_ref(gw));
    assert_eq!(m.opaque_refs.len(), 2);
}

#[test]
fn outputs_of_a_root_without_provider_are_opaque_only_then() {
    let module = r#"
resource "azurerm_application_gateway" "gw" {
  name = "agw"
}
output "id" {
  value = azurerm_application_gateway.gw.id
}
"#;
    let m = load(&[("main.tf", module)]);
    assert!(m.is_opaque_ref(&m.gateways[0].res.key));
    let with_provider = format!("provider \"azurerm\" {{\n  features {{}}\n}}\n{module}");
    let m = load(&[("main.tf", &with_provider)]);
    assert!(m.opaque_refs.is_empty());
}

#[test]
fn set_typed_module_inputs_keep_resource_references() {
    // AVM passes backend FQDNs as `optional(set(string))`: the site's host name must still
    // link the pool to the site.
    let main = r#"
resource "azurerm_linux_web_app" "app" {
  name = "app"
}
module "agw" {
  source = "./agw"
  pools = {
    a = { name = "pool", fqdns = [azurerm_linux_web_app.app.default_hostname] }
  }
}
"#;
    let agw = r#"
variable "pools" {
  type = map(object({
    name  = string
    fqdns = optional(set(string))
  }))
}
resource "azurerm_application_gateway" "gw" {
  name = "gw"
  dynamic "backend_address_pool" {
    for_each = var.pools
    content {
      name  = backend_address_pool.value.name
      fqdns = backend_address_pool.value.fqdns != null ? toset(backend_address_pool.value.fqdns) : null
    }
  }
}
"#;
    let m = load(&[("main.tf", main), ("agw/main.tf", agw)]);
    let pool = m.gateways[0].pools.iter().next().unwrap();
    let addrs: Vec<_> = pool.addresses.iter().collect();
    assert_eq!(addrs.len(), 1);
    assert_eq!(
        addrs[0].source.get().map(|k| k.name.as_str()),
        Some("azurerm_linux_web_app.app")
    );
}

#[test]
fn blocks_with_attributes_agwlint_does_not_map_read_unwritten_fields_as_unknown() {
    let main = gw(r#"
  backend_address_pool {
    name      = "legacy"
    fqdn_list = ["app.azurewebsites.net"]
  }
  backend_address_pool {
    name           = "future"
    backend_target = "app"
  }
  backend_http_settings {
    name                            = "future"
    port                            = 443
    protocol                        = "Https"
    pick_host_name_from_backend_app = true
  }
  backend_http_settings {
    name     = "plain"
    port     = 443
    protocol = "Https"
  }
"#);
    let m = load(&[("main.tf", &main)]);
    let g = &m.gateways[0];
    let pools = g.pools.get().unwrap();
    // azurerm 1.x `fqdn_list` is mapped.
    let legacy: Vec<_> = pools[0].addresses.iter().collect();
    assert_eq!(legacy[0].fqdn.as_str(), Some("app.azurewebsites.net"));
    // An attribute agwlint does not know: the addresses may come through it.
    assert!(pools[1].addresses.is_unknown());
    let s = g.settings.get().unwrap();
    assert!(s[0].pick_host_name.is_unknown());
    assert!(s[0].host_name.is_unknown());
    assert_eq!(s[0].port.get(), Some(&443));
    // Without one, an unwritten attribute is Absent (the default applies).
    assert!(s[1].pick_host_name.is_absent());
}

#[test]
fn dynamic_keys_of_sets_are_elements_and_of_unseen_lists_unknown() {
    let main = format!(
        "{}\n{}",
        r#"
variable "names" {
  type    = set(string)
  default = ["api", "web"]
}
variable "untyped" {
  default = ["x"]
}
"#,
        gw(r#"
  dynamic "backend_address_pool" {
    for_each = toset(["api", "web"])
    content {
      name = backend_address_pool.key
    }
  }
  dynamic "probe" {
    for_each = var.names
    content {
      name = probe.key
    }
  }
  dynamic "http_listener" {
    for_each = var.untyped
    content {
      name = http_listener.key
    }
  }
  dynamic "frontend_port" {
    for_each = [80, 443]
    content {
      name = "port-${frontend_port.key}"
      port = frontend_port.value
    }
  }
"#)
    );
    let m = load(&[("main.tf", &main)]);
    let g = &m.gateways[0];
    assert_eq!(
        names(&g.pools, |p| p.name.get().cloned()),
        vec!["api".to_string(), "web".to_string()]
    );
    // A variable typed as a set: the element.
    assert_eq!(
        names(&g.probes, |p| p.name.get().cloned()),
        vec!["api".to_string(), "web".to_string()]
    );
    // Without a type, a list and a set look alike: the key is not guessed.
    assert!(
        g.listeners
            .get()
            .unwrap()
            .iter()
            .all(|l| l.name.is_unknown())
    );
    assert_eq!(
        names(&g.frontend_ports, |p| p.name.get().cloned()),
        vec!["port-0".to_string(), "port-1".to_string()]
    );
}

#[test]
fn repeated_object_keys_are_accepted_and_the_last_wins_as_in_terraform() {
    let main = r#"
locals {
  pip = {
    name = "first"
    sku  = "Basic"
    name = "second"
  }
}
resource "azurerm_public_ip" "p" {
  name = local.pip.name
  sku  = local.pip.sku
  tags = {
    team   = "x"
    "team" = "y"
  }
}
"#;
    let (units, _) = load_with(&[("main.tf", main)], &FrontendOptions::default());
    assert!(
        units.iter().all(|u| u.diagnostics.is_empty()),
        "{:?}",
        units.iter().map(|u| &u.diagnostics).collect::<Vec<_>>()
    );
    let mut m = Model::new();
    for u in units {
        m.extend(u.model);
    }
    assert_eq!(m.public_ips[0].res.name.as_str(), Some("second"));
    assert_eq!(m.public_ips[0].sku.as_str(), Some("Basic"));
}

/// Loads a configuration with a plan JSON (text) attached to its root.
fn load_planned(files: &[(&str, &str)], plan: &str) -> Model {
    let root = tree(files);
    let sources = SourceMap::new();
    let id = sources.add("plan.json", plan);
    let p = crate::frontend::tfplan::parse(&root.join("plan.json"), "plan.json", plan, id).unwrap();
    let units = super::load_dirs_planned(
        &dirs_of(&root),
        0,
        &sources,
        &FrontendOptions::default(),
        &[std::sync::Arc::new(p)],
    );
    let mut m = Model::new();
    for u in units {
        m.extend(u.model);
    }
    m
}

#[test]
fn the_plan_fills_what_the_source_leaves_unknown_and_never_replaces_references() {
    let main = r#"
resource "azurerm_linux_web_app" "app" {
  name = "app"
}
data "azurerm_subnet" "existing" {
  name = "snet"
}
resource "azurerm_public_ip" "pip" {
  count = length(jsondecode(file("${path.module}/ips.json")))
  name  = "pip-${count.index}"
  sku   = data.azurerm_subnet.existing.address_prefixes[0]
}
resource "azurerm_application_gateway" "gw" {
  name = "gw"
  backend_address_pool {
    name  = "app"
    fqdns = [azurerm_linux_web_app.app.default_hostname]
  }
  backend_address_pool {
    name  = "file"
    fqdns = jsondecode(file("${path.module}/fqdns.json"))
  }
  dynamic "probe" {
    for_each = jsondecode(file("${path.module}/probes.json"))
    content {
      name = probe.value.name
      path = probe.value.path
      host = probe.value.host
    }
  }
}
"#;
    let plan = r#"{"format_version":"1.2","terraform_version":"1.9.4",
      "prior_state":{"values":{"root_module":{"resources":[
        {"address":"data.azurerm_subnet.existing","mode":"data","values":{"address_prefixes":["10.1.0.0/24"]}}]}}},
      "resource_changes":[
        {"address":"azurerm_linux_web_app.app","mode":"managed","change":{"actions":["create"],"after":{"name":"app"},"after_unknown":{"default_hostname":true}}},
        {"address":"azurerm_public_ip.pip[0]","mode":"managed","change":{"actions":["create"],"after":{"name":"pip-0"}}},
        {"address":"azurerm_public_ip.pip[1]","mode":"managed","change":{"actions":["create"],"after":{"name":"pip-1"}}},
        {"address":"azurerm_application_gateway.gw","mode":"managed","change":{"actions":["create"],
          "after":{"name":"gw",
            "backend_address_pool":[{"name":"file","fqdns":["a.example.com"]},{"name":"app","ip_addresses":[]}],
            "probe":[{"name":"p2","path":"/two","host":""},{"name":"p1","path":"/one","host":""}]},
          "after_unknown":{"backend_address_pool":[{},{"fqdns":true}]}}}]}"#;
    let m = load_planned(&[("main.tf", main)], plan);
    let g = &m.gateways[0];
    let pools = g.pools.get().unwrap();
    // The site reference stays a reference (the plan leaves it unknown anyway).
    let app: Vec<_> = pools[0].addresses.iter().collect();
    assert_eq!(
        app[0].source.get().map(|k| k.name.as_str()),
        Some("azurerm_linux_web_app.app")
    );
    // A value the source cannot evaluate comes from the plan, matched by name, with the
    // source's span and an origin label in the plan.
    let file: Vec<_> = pools[1].addresses.iter().collect();
    assert_eq!(file[0].fqdn.as_str(), Some("a.example.com"));
    assert!(
        pools[1]
            .addresses
            .origins
            .iter()
            .any(|o| o.label.contains("plan.json")),
        "{:?}",
        pools[1].addresses.origins
    );
    // A dynamic block over a collection the source cannot evaluate: the planned elements;
    // the provider's `""` zero value stays Unknown (from the source), never a written "".
    let probes = g.probes.get().unwrap();
    assert_eq!(probes.len(), 2);
    assert_eq!(probes[0].name.as_str(), Some("p2"));
    assert_eq!(probes[1].path.as_str(), Some("/one"));
    assert!(probes[0].host.is_unknown());
    // Instances of an Unknown count, and a data source read at plan time.
    assert_eq!(m.public_ips.len(), 2);
    assert_eq!(m.public_ips[1].res.name.as_str(), Some("pip-1"));
    assert_eq!(m.public_ips[0].sku.as_str(), Some("10.1.0.0/24"));
}

#[test]
fn a_stale_terraform_dir_is_said_once_and_tf_data_dir_is_read() {
    let files = [
        (
            "main.tf",
            "module \"agw\" {\n  source  = \"Azure/avm-res-network-applicationgateway/azurerm\"\n  version = \"~> 0.5.0\"\n}\nmodule \"agw2\" {\n  source  = \"Azure/avm-res-network-applicationgateway/azurerm\"\n  version = \"0.4.3\"\n}\n",
        ),
        (
            ".terraform/modules/modules.json",
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"agw","Source":"registry.terraform.io/Azure/avm-res-network-applicationgateway/azurerm","Version":"0.4.3","Dir":".terraform/modules/agw"},{"Key":"agw2","Source":"registry.terraform.io/Azure/avm-res-network-applicationgateway/azurerm","Version":"0.4.3","Dir":".terraform/modules/agw"}]}"#,
        ),
        (
            ".terraform/modules/agw/main.tf",
            "resource \"azurerm_public_ip\" \"p\" {\n  name = \"p\"\n}\n",
        ),
    ];
    let (units, _) = load_with(&files, &FrontendOptions::default());
    let w: Vec<&String> = units.iter().flat_map(|u| &u.warnings).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("`~> 0.5.0`") && w[0].contains("0.4.3"),
        "{}",
        w[0]
    );
    assert_eq!(
        super::module::data_dir(Some("/ci/tfdata".into())),
        Path::new("/ci/tfdata")
    );
    assert_eq!(
        super::module::data_dir(Some("".into())),
        Path::new(".terraform")
    );
    assert_eq!(super::module::data_dir(None), Path::new(".terraform"));
}

#[test]
fn azapi_update_resource_makes_the_parts_it_patches_unknown() {
    let main = format!(
        "{}\n{}",
        gw(r#"
  probe {
    name = "p"
    path = "/health"
  }
"#),
        r#"
resource "azapi_update_resource" "tls" {
  type        = "Microsoft.Network/applicationGateways@2024-05-01"
  resource_id = azurerm_application_gateway.gw.id
  body = {
    properties = {
      sslPolicy = { policyType = "Predefined", policyName = "AppGwSslPolicy20220101" }
    }
  }
}
resource "azapi_update_resource" "other" {
  type        = "Microsoft.Web/sites@2023-01-01"
  resource_id = azurerm_application_gateway.gw.id
  body        = jsonencode(var.anything)
}
"#
    );
    let m = load(&[("main.tf", &main)]);
    let g = &m.gateways[0];
    assert!(g.ssl_policy.is_unknown());
    assert!(g.probes.is_known());
    let opaque = format!(
        "{}\n{}",
        gw(""),
        r#"
resource "azapi_update_resource" "all" {
  type        = "Microsoft.Network/applicationGateways@2024-05-01"
  resource_id = azurerm_application_gateway.gw.id
  body        = jsonencode(var.patch)
}
"#
    );
    let m = load(&[("main.tf", &opaque)]);
    let g = &m.gateways[0];
    assert!(g.probes.is_unknown() && g.ssl_policy.is_unknown() && g.sku.name.is_unknown());
}

#[test]
fn tofu_files_are_read_and_replace_the_tf_file_of_the_same_name() {
    let m = load(&[
        (
            "main.tf",
            "resource \"azurerm_public_ip\" \"p\" {\n  name = \"from-tf\"\n}\n",
        ),
        (
            "main.tofu",
            "resource \"azurerm_public_ip\" \"p\" {\n  name = \"from-tofu\"\n}\n",
        ),
        (
            "extra.tofu",
            "resource \"azurerm_public_ip\" \"q\" {\n  name = \"q\"\n}\n",
        ),
    ]);
    let names: Vec<_> = m
        .public_ips
        .iter()
        .filter_map(|p| p.res.name.get().cloned())
        .collect();
    assert_eq!(names, ["q", "from-tofu"]);
}

#[test]
fn a_directory_of_tofu_files_only_is_discovered() {
    let root = tree(&[(
        "net/main.tofu",
        "resource \"azurerm_public_ip\" \"p\" {\n  name = \"p\"\n}\n",
    )]);
    let sources = SourceMap::new();
    let r = crate::lint(
        std::slice::from_ref(&root),
        &crate::LintOptions::default(),
        &sources,
    )
    .unwrap();
    assert_eq!(r.files_scanned, 1);
}

#[test]
fn azapi_gateways_read_their_identity_block() {
    let main = r#"
resource "azapi_resource" "gw" {
  type = "Microsoft.Network/applicationGateways@2024-05-01"
  name = "agw"
  identity {
    type         = "UserAssigned"
    identity_ids = ["/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"]
  }
  body = { properties = {} }
}
"#;
    let m = load(&[("main.tf", main)]);
    let id = m.gateways[0].identity.get().unwrap();
    assert_eq!(id.kind.as_str(), Some("UserAssigned"));
    assert_eq!(id.ids.iter().count(), 1);
}

/// A `default = null` input of a directory that may be a reusable module (no provider, backend
/// or var file, no caller in the scan) is Unknown; in a clear root module, or when a caller
/// omits it, it is the null Terraform plans with (absent); a caller's value is used.
#[test]
fn null_default_inputs_of_reusable_modules_are_unknown() {
    let module = format!(
        "variable \"capacity\" {{\n  type    = number\n  default = null\n}}\n{}",
        gw("").replace("capacity = 2", "capacity = var.capacity")
    );
    let capacity = |files: &[(&str, &str)]| {
        let m = load(files);
        assert_eq!(m.gateways.len(), 1);
        m.gateways[0].sku.capacity.clone()
    };
    // Reusable module, no caller: Unknown.
    let c = capacity(&[("main.tf", &module)]);
    assert!(c.is_unknown(), "{c:?}");
    // Root module (provider, backend or a var file): the null default is absent.
    for extra in [
        "provider \"azurerm\" {\n  features {}\n}\n",
        "terraform {\n  backend \"azurerm\" {}\n}\n",
    ] {
        let c = capacity(&[("main.tf", &module), ("root.tf", extra)]);
        assert!(c.is_absent(), "{extra}: {c:?}");
    }
    let c = capacity(&[("main.tf", &module), ("prod.tfvars", "")]);
    assert!(c.is_absent(), "{c:?}");
    // A caller in the scan: its value, or null when it omits the input.
    let call = |input: &str| format!("module \"agw\" {{\n  source = \"./m\"\n  {input}\n}}\n");
    let c = capacity(&[("m/main.tf", &module), ("main.tf", &call("capacity = 3"))]);
    assert_eq!(c.get(), Some(&3));
    let c = capacity(&[("m/main.tf", &module), ("main.tf", &call(""))]);
    assert!(c.is_absent(), "{c:?}");
}

/// `*.tf.json` files join the module of the `.tf` files beside them (a variable declared in
/// JSON feeds a resource in HCL and the other way round); a JSON syntax error is AGW000 at its
/// position in the `.tf.json`.
#[test]
fn terraform_json_files_are_part_of_the_module() {
    let json = r#"{"variable": {"capacity": {"type": "number", "default": 3}},
 "resource": {"azurerm_application_gateway": {"gw": {"name": "agw",
   "location": "westeurope", "resource_group_name": "rg",
   "sku": {"name": "Standard_v2", "tier": "Standard_v2", "capacity": "${var.capacity}"},
   "frontend_port": [{"name": "a", "port": 80}, {"name": "b", "port": "${local.port}"}]}}}}"#;
    let m = load(&[
        ("main.tf.json", json),
        ("locals.tf", "locals {\n  port = 8080\n}\n"),
    ]);
    assert_eq!(m.gateways.len(), 1);
    let g = &m.gateways[0];
    assert_eq!(g.sku.capacity.get(), Some(&3));
    let ports: Vec<i64> = g
        .frontend_ports
        .iter()
        .filter_map(|p| p.port.get().copied())
        .collect();
    assert_eq!(ports, vec![80, 8080]);

    let bad = "{\"resource\": {\"x\": }";
    let (units, sources) = load_with(&[("bad.tf.json", bad)], &FrontendOptions::default());
    let d: Vec<_> = units.iter().flat_map(|u| &u.diagnostics).collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].message.contains("Terraform JSON syntax error"),
        "{d:?}"
    );
    let file = sources.get(d[0].span.file).unwrap();
    assert!(file.path.ends_with("bad.tf.json"));
    assert_eq!(&*file.text, bad);
}

/// Override files merge into the block with the same header, as Terraform does: attributes
/// replace attributes, a nested block type replaces every block of that type, locals replace
/// locals; spans of overriding values point into the override file, the others stay in place.
#[test]
fn override_files_merge_into_their_blocks() {
    let main = format!(
        "locals {{\n  port = 80\n}}\n{}",
        gw(
            "  frontend_port {\n    name = \"a\"\n    port = local.port\n  }\n  frontend_port {\n    name = \"b\"\n    port = 81\n  }\n"
        )
    );
    let over = r#"resource "azurerm_application_gateway" "gw" {
  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 5
  }
  frontend_port {
    name = "c"
    port = local.port
  }
}

resource "azurerm_application_gateway" "missing" {
  name = "not in the module: left out"
}
"#;
    let json_over = r#"{"locals": {"port": 8443}}"#;
    let (units, sources) = load_with(
        &[
            ("main.tf", &main),
            ("override.tf", over),
            ("ports_override.tf.json", json_over),
        ],
        &FrontendOptions::default(),
    );
    let mut m = Model::new();
    for u in units {
        assert!(u.diagnostics.is_empty(), "{:?}", u.diagnostics);
        m.extend(u.model);
    }
    assert_eq!(m.gateways.len(), 1);
    let g = &m.gateways[0];
    let cap = &g.sku.capacity;
    assert_eq!(cap.get(), Some(&5));
    let at = sources.original(cap.span.unwrap());
    let file = sources.get(at.file).unwrap();
    assert!(file.path.ends_with("/override.tf"), "{}", file.path);
    assert_eq!(&file.text[at.start as usize..at.end as usize], "5");
    let ports: Vec<(String, i64)> = g
        .frontend_ports
        .iter()
        .filter_map(|p| Some((p.name.get()?.clone(), *p.port.get()?)))
        .collect();
    assert_eq!(ports, vec![("c".to_string(), 8443)]);
    // The gateway's name is not overridden: it stays in main.tf.
    let at = sources.original(g.res.name.span.unwrap());
    let file = sources.get(at.file).unwrap();
    assert!(file.path.ends_with("/main.tf"), "{}", file.path);
    assert_eq!(&file.text[at.start as usize..at.end as usize], "\"agw\"");
}

#[test]
fn older_azurerm_names_of_restrictions_subnets_and_public_ips_are_read() {
    let main = r#"
resource "azurerm_app_service" "old" {
  name = "old"
  site_config {
    ip_restriction {
      ip_address  = "10.1.0.0"
      subnet_mask = "255.255.0.0"
    }
    ip_restriction {
      ip_address = "10.2.0.0"
      subnet_mask = "255.0.255.0"
    }
    ip_restriction {
      subnet_id = azurerm_subnet.s.id
    }
  }
}
resource "azurerm_subnet" "s" {
  name                      = "s"
  virtual_network_name      = "v"
  address_prefix            = "10.0.0.0/24"
  network_security_group_id = azurerm_network_security_group.n.id
  route_table_id            = azurerm_route_table.r.id
}
resource "azurerm_network_security_group" "n" {
  name = "n"
}
resource "azurerm_route_table" "r" {
  name = "r"
}
resource "azurerm_public_ip" "zonal" {
  name                         = "z"
  availability_zone            = "2"
  public_ip_address_allocation = "Static"
}
resource "azurerm_public_ip" "redundant" {
  name              = "r"
  availability_zone = "Zone-Redundant"
}
resource "azurerm_public_ip" "none" {
  name              = "n"
  availability_zone = "No-Zone"
}
"#;
    let m = load(&[("main.tf", main)]);
    let rs = m.sites[0].ip_restrictions.get().unwrap();
    assert_eq!(rs[0].ip_address.as_str(), Some("10.1.0.0/16"));
    assert!(rs[1].ip_address.is_unknown(), "a non-contiguous mask");
    assert!(rs[2].subnet.is_known());
    let sn = &m.subnets[0];
    assert!(sn.nsg.is_known());
    assert!(sn.route_table.is_known());
    let pip = |name: &str| {
        m.public_ips
            .iter()
            .find(|p| p.res.name.as_str() == Some(name))
            .unwrap()
    };
    let zones: Vec<_> = pip("z")
        .zones
        .get()
        .unwrap()
        .iter()
        .map(|z| z.as_str().unwrap().to_string())
        .collect();
    assert_eq!(zones, ["2"]);
    assert_eq!(pip("z").allocation.as_str(), Some("Static"));
    assert!(pip("r").zones.is_unknown());
    assert_eq!(pip("n").zones.get().map(Vec::len), Some(0));
}

#[test]
fn authentication_v1_reads_as_unknown_unless_disabled() {
    let main = r#"
resource "azurerm_app_service" "on" {
  name = "on"
  auth_settings {
    enabled                       = true
    unauthenticated_client_action = "RedirectToLoginPage"
  }
}
resource "azurerm_app_service" "off" {
  name = "off"
  auth_settings {
    enabled = false
  }
}
resource "azurerm_linux_web_app" "v2" {
  name = "v2"
  auth_settings {
    enabled = true
  }
  auth_settings_v2 {
    auth_enabled = false
  }
}
"#;
    let m = load(&[("main.tf", main)]);
    let by = |n: &str| m.sites.iter().find(|s| s.res.label.ends_with(n)).unwrap();
    assert!(by(".on").auth.is_unknown());
    assert!(by(".off").auth.is_absent());
    assert!(by(".v2").auth.is_known());
}

#[test]
fn azurerm_2x_slots_are_sites() {
    let main = r#"
resource "azurerm_app_service_slot" "web" {
  name       = "staging"
  https_only = true
}
resource "azurerm_function_app_slot" "fn" {
  name    = "staging"
  os_type = "linux"
}
"#;
    let m = load(&[("main.tf", main)]);
    let by = |n: &str| m.sites.iter().find(|s| s.res.label.ends_with(n)).unwrap();
    assert_eq!(by("slot.web").https_only.get(), Some(&true));
    assert_eq!(by("slot.web").is_function.get(), Some(&false));
    assert_eq!(by("slot.fn").kind.as_str(), Some("functionapp,linux"));
}

#[test]
fn app_service_default_site_hostname_is_a_default_domain() {
    let main = r#"
resource "azurerm_app_service" "web" {
  name = "web"
}
resource "azurerm_application_gateway" "gw" {
  name = "agw"
  backend_address_pool {
    name         = "p"
    fqdns        = [azurerm_app_service.web.default_site_hostname]
    ip_addresses = [azurerm_app_service_slot.s.default_site_hostname]
  }
}
resource "azurerm_app_service_slot" "s" {
  name = "staging"
}
"#;
    let m = load(&[("main.tf", main)]);
    let addrs = m.gateways[0].pools.get().unwrap()[0]
        .addresses
        .get()
        .unwrap();
    let by_fqdn = addrs.iter().find(|a| !a.fqdn.is_absent()).unwrap();
    assert_eq!(
        crate::model::query_gateway::address_is_default_domain(&m, by_fqdn),
        Some(true)
    );
    let by_ip = addrs.iter().find(|a| a.fqdn.is_absent()).unwrap();
    assert!(crate::model::query_gateway::ip_field_holds_host_name(by_ip));
}

#[test]
fn restriction_and_rule_blocks_with_unmapped_attributes_read_as_unknown() {
    let main = r#"
resource "azurerm_linux_web_app" "app" {
  name = "app"
  site_config {
    ip_restriction {
      action        = "Allow"
      ip_range_next = "10.0.0.0/8"
    }
  }
}
resource "azurerm_network_security_group" "n" {
  name = "n"
  security_rule {
    name          = "r"
    access        = "Deny"
    direction     = "Inbound"
    priority      = 100
    protocol      = "*"
    source_tag_v9 = "Internet"
  }
}
"#;
    let m = load(&[("main.tf", main)]);
    let r = &m.sites[0].ip_restrictions.get().unwrap()[0];
    assert_eq!(r.action.as_str(), Some("Allow"));
    assert!(r.ip_address.is_unknown());
    let rule = &m.nsgs[0].rules.get().unwrap()[0];
    assert_eq!(rule.access.as_str(), Some("Deny"));
    assert!(rule.source_prefixes.is_unknown());
}

/// A module over [`super::parse`]'s piece size: gateways with dynamic blocks, `count`,
/// references between resources (by attribute and through literal attributes), locals.
fn large_module() -> String {
    let mut text = String::from(
        "variable \"prefix\" {\n  default = \"big\"\n}\n\nlocals {\n  backends = {\n    b0 = { port = 443, timeout = 20 }\n    b1 = { port = 80, timeout = 60 }\n  }\n}\n",
    );
    let mut g = 0;
    while text.len() < 2 * 1024 * 1024 + 300_000 {
        text.push_str(&format!(
            "resource \"azurerm_linux_function_app\" \"fn{g}\" {{\n  name = \"${{var.prefix}}-fn{g}\"\n  https_only = true\n  site_config {{\n    minimum_tls_version = \"1.2\"\n  }}\n}}\n\nresource \"azurerm_public_ip\" \"ip{g}\" {{\n  count = 2\n  name = \"ip{g}-${{count.index}}\"\n  sku = \"Standard\"\n}}\n\n"
        ));
        text.push_str(&format!(
            "resource \"azurerm_application_gateway\" \"gw{g}\" {{\n  name = \"${{azurerm_linux_function_app.fn0.name}}-agw{g}\"\n  sku {{\n    name = \"Standard_v2\"\n    tier = \"Standard_v2\"\n    capacity = 2\n  }}\n  frontend_ip_configuration {{\n    name = \"fe\"\n    public_ip_address_id = azurerm_public_ip.ip{g}[0].id\n  }}\n  dynamic \"backend_http_settings\" {{\n    for_each = local.backends\n    content {{\n      name = backend_http_settings.key\n      port = backend_http_settings.value.port\n      protocol = \"Https\"\n      cookie_based_affinity = \"Disabled\"\n      request_timeout = backend_http_settings.value.timeout\n    }}\n  }}\n  backend_address_pool {{\n    name = \"b0\"\n    fqdns = [azurerm_linux_function_app.fn{g}.default_hostname]\n  }}\n  backend_address_pool {{\n    name = \"b1\"\n    fqdns = [\"${{azurerm_linux_function_app.fn{g}.name}}.example\", \"${{azurerm_linux_function_app.fn0.name}}.far\"]\n  }}\n  frontend_port {{\n    name = \"p0\"\n    port = 8000\n  }}\n  http_listener {{\n    name = \"l0\"\n    frontend_ip_configuration_name = \"fe\"\n    frontend_port_name = \"p0\"\n    protocol = \"Http\"\n    host_name = \"${{azurerm_linux_function_app.fn{g}.name}}.example\"\n  }}\n  request_routing_rule {{\n    name = \"r0\"\n    rule_type = \"Basic\"\n    priority = 100\n    http_listener_name = \"l0\"\n    backend_address_pool_name = \"b0\"\n    backend_http_settings_name = \"b{}\"\n  }}\n}}\n\n",
            g % 3
        ));
        g += 1;
    }
    text
}

#[test]
fn a_large_file_with_stubbed_resources_maps_as_a_whole_parse() {
    let text = large_module();
    // The same module parsed whole: an (empty) override file turns stubs off.
    let (stubbed, s1) = load_with(&[("main.tf", &text)], &FrontendOptions::default());
    let (whole, s2) = load_with(
        &[("main.tf", &text), ("override.tf", "")],
        &FrontendOptions::default(),
    );
    assert_eq!(stubbed.len(), 1);
    assert_eq!(whole.len(), 1);
    assert!(stubbed[0].model.gateways.len() > 500);
    // Everything but the index (a hash map, printed in no fixed order).
    let shown = |m: &Model| {
        let s = format!("{m:?}");
        s[..s.find(", index: {").unwrap()].to_string()
    };
    assert_eq!(shown(&stubbed[0].model), shown(&whole[0].model));
    // Literal attributes of resources read through the stubs (`fn0` from far ranges).
    let text_of = shown(&stubbed[0].model);
    let at = text_of.find("agw900").unwrap_or(0);
    assert!(
        text_of.contains("Known(\"big-fn0-agw900\")")
            && text_of.contains("Known(\"big-fn900.example\")"),
        "{}",
        &text_of[at..at + 3000]
    );
    assert_eq!(stubbed[0].diagnostics, whole[0].diagnostics);
    assert_eq!(stubbed[0].notes, whole[0].notes);
    // Both read main.tf first (same file id); the stubbed parse did take the stub path.
    assert!(
        s1.get(crate::source::FileId(0))
            .unwrap()
            .path
            .ends_with("/main.tf")
    );
    assert!(
        s2.get(crate::source::FileId(0))
            .unwrap()
            .path
            .ends_with("/main.tf")
    );
    let m = super::parse::parse_dir(
        &s1.get(crate::source::FileId(0))
            .map(|f| PathBuf::from(&*f.path).parent().unwrap().to_path_buf())
            .unwrap(),
        "x",
        &SourceMap::new(),
    );
    assert!(m.files[0].stubbed.len() > 1);
}

/// Roots: the directories nothing calls; a cycle with no caller outside it gets its first
/// member; a directory scanned under two paths counts as called through either.
#[test]
fn roots_are_the_uncalled_directories_and_one_member_of_each_uncalled_cycle() {
    let p = |s: &str| PathBuf::from(format!("/r/{s}"));
    let canons = vec![p("app"), p("net"), p("c1"), p("c2"), p("lone"), p("net")];
    let callees = vec![
        vec![p("net"), p("missing")], // app calls net (scanned twice) and an unscanned path
        vec![],
        vec![p("c2")], // c1 -> c2 -> c1: no caller outside the cycle
        vec![p("c1")],
        vec![p("lone")], // calls itself: still a root
        vec![],
    ];
    assert_eq!(super::roots(&canons, &callees), vec![0, 2, 4]);
    // Reaching through the duplicate path: both positions of `net`.
    let reach = super::reachable(&[0, 2, 4], &canons, &callees);
    assert!(reach[0].contains(&0) && (reach[0].contains(&1) || reach[0].contains(&5)));
    assert_eq!(reach[1], vec![2, 3]);
    assert_eq!(reach[2], vec![4]);
}
